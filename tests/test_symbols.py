"""UN symbols in the forms real text writes them, normalised as the answer keys are."""

from __future__ import annotations

import pytest

from minekg import symbols


@pytest.mark.parametrize(
    "written,normal,key,url",
    [
        (
            "S/RES/822(1993)",
            "S/RES/822 (1993)",
            "S-RES-822-1993",
            "https://undocs.org/en/S/RES/822(1993)",
        ),
        (
            "S/RES/2365  (2017)",
            "S/RES/2365 (2017)",
            "S-RES-2365-2017",
            "https://undocs.org/en/S/RES/2365(2017)",
        ),
        ("A/RES/78/70", "A/RES/78/70", "A-RES-78-70", "https://undocs.org/en/A/RES/78/70"),
        ("A/C.3/79/L.35", "A/C.3/79/L.35", "A-C.3-79-L.35", "https://undocs.org/en/A/C.3/79/L.35"),
        (
            "A/57/759/Add.1",
            "A/57/759/Add.1",
            "A-57-759-Add.1",
            "https://undocs.org/en/A/57/759/Add.1",
        ),
        ("A/RES/491 (V)", "A/RES/491 (V)", "A-RES-491-V", "https://undocs.org/en/A/RES/491(V)"),
        ("S/PRST/2020/1", "S/PRST/2020/1", "S-PRST-2020-1", "https://undocs.org/en/S/PRST/2020/1"),
        ("15 HCP 7", "15 HCP 7", "15-HCP-7", None),
    ],
)
def test_symbol_forms(written: str, normal: str, key: str, url: str | None) -> None:
    assert symbols.normalise(written) == normal
    assert symbols.symbol_key(written) == key
    assert symbols.undocs_url(written) == url


@pytest.mark.parametrize(
    "symbol,resolution",
    [
        ("S/RES/884 (1993)", True),
        ("A/RES/78/70", True),
        ("A/78/259", False),
        ("A/C.3/79/L.35", False),
        ("15 HCP 7", False),
    ],
)
def test_resolutions_are_told_apart(symbol: str, resolution: bool) -> None:
    assert symbols.is_resolution(symbol) is resolution


@pytest.mark.parametrize("text", ["24-23652", "A/", "Agenda 2030", "S/RES/"])
def test_non_symbols_are_rejected(text: str) -> None:
    assert not symbols.is_un_symbol(text)
