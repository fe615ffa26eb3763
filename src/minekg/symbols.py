"""UN document symbols: the grammar, the normal form, the identifier key and the undocs.org address.

Symbols come written many ways ("S/RES/822(1993)", "S/RES/822 (1993)"; a joint document
"A/78/908-S/2024/456" carries two). minekg keeps one normal form (the answer keys' form: a
space before a bracketed year), derives IRI keys from it ("S-RES-822-1993") and links each UN
symbol to undocs.org, which drops the space ("https://undocs.org/en/S/RES/822(1993)").
Grammar from the UN Library's guide to symbols (design/DOMAIN.md §3.1).
"""

from __future__ import annotations

import re

UN_SYMBOL = re.compile(
    r"""^(?P<organ>[A-Z]+)
    (?:/(?P<sub>(?:C|AC|CN|CONF|WG|SC|Sub|PC)\.\d+))*
    (?:/(?P<special>RES|PRST|INF|L|PV|SR|CRP|R|WP))?
    (?:/(?P<sess>\d{2,4}))?
    /(?:(?P<special2>L|PV|SR|CRP|R|WP)\.)?(?P<num>\d+)
    (?:\s?\((?P<paren>\d{4}|[IVXLC]+)\))?
    (?P<final>(?:/(?:Add|Corr|Rev|Amend)\.\d+)*)$""",
    re.X,
)


def normalise(symbol: str) -> str:
    """The one written form minekg keeps: single spaces, and "822 (1993)" with its space."""
    text = " ".join(symbol.split())
    return re.sub(r"\s?\((\d{4}|[IVXLC]+)\)", r" (\1)", text)


def is_un_symbol(symbol: str) -> bool:
    return bool(UN_SYMBOL.match(normalise(symbol)))


def is_resolution(symbol: str) -> bool:
    match = UN_SYMBOL.match(normalise(symbol))
    return bool(match and match["special"] == "RES")


def symbol_key(symbol: str) -> str:
    """An IRI-safe key: "S/RES/822 (1993)" → "S-RES-822-1993", "15 HCP 7" → "15-HCP-7"."""
    text = re.sub(r"[()]", "", normalise(symbol))
    return re.sub(r"[/\s]+", "-", text).strip("-")


def undocs_url(symbol: str) -> str | None:
    """The undocs.org address of a UN symbol; None for other bodies' symbols (UNESCO's)."""
    if not is_un_symbol(symbol):
        return None
    return "https://undocs.org/en/" + normalise(symbol).replace(" ", "")
