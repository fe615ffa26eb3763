"""What a document cites: UN documents by symbol, resolutions in prose, customary IHL rules.

UN symbols are written as symbols ("A/79/690", joint "A/78/908-S/2024/456", "A/C.3/79/L.35/Rev.1",
"S/RES/822 (1993)", the old five-digit "S/25719") and in prose ("Security Council resolutions
822 (1993), 853 (1993) … and 884 (1993)", "resolution No 78/70 of 7 December 2023 of the UN
General Assembly"); both become the normal form of :mod:`minekg.symbols`. A prose resolution's
organ follows the UN numbering system: "number (year)" is the Security Council's,
"session/number" the General Assembly's (with its letter: "51/45 S"), "year/number" ECOSOC's,
unless the text names another organ (a commission of ECOSOC, the Human Rights Council) next to
it: "Commission on Human Rights resolution 1995/79" is E/CN.4/RES/1995/79.

A document's own symbols are the ones printed alone on a line, or with the distribution date
beside them (the masthead and page header of a UN document); every other symbol is a citation.
Footnotes are read back to the sentence whose marker points at them, so a rule cited in
footnote 2 supports the claim made in that sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from minekg import symbols
from minekg.extract.text import Flat, matches_from

SYMBOL = re.compile(
    r"(?<![\w/.])[A-Z]{1,6}(?:/(?:[A-Z]{1,6}(?:\.\d{1,3})?(?![a-z])|\d{1,5}(?:\.\d{1,3})?|L\.\d{1,4}))+"
    r"(?:\s?\\?\(\d{4}\\?\))?(?:/(?:Add|Corr|Rev|Amend)\.\d{1,3})*"
)
SYMBOL_LINE = re.compile(
    rf"(?:{SYMBOL.pattern})(?:\s?[-–]\s?{SYMBOL.pattern})*"
    r"(?:\s+\d{1,2}\s[A-Z][a-z]+\s\d{4})?"  # a masthead prints the distribution date beside it
)
URL = re.compile(r"https?://\S+")
SLASH = re.compile("/")
ITEM = (
    r"\[?(?:ES-\d{1,2}/\d{1,3}|\d{1,4}/\d{1,4}(?:\s[A-Z](?![\w.]))?|\d{1,4}\s?\\?\(\d{4}\\?\))\]?"
    r"(?:\(#\))?"
)
RESOLUTIONS = re.compile(
    rf"\b[Rr]esolutions?\s(?:[Nn]os?\.?\s?)?(?P<list>{ITEM}"
    rf"(?:(?:\s?,\s?(?:and\s)?|\s(?:and|&)\s|\s?(?:…|\.\.\.),?\s?(?:and\s)?){ITEM})*)"
)
RESOLUTION_ITEM = re.compile(
    r"(?P<es>ES-\d{1,2}/\d{1,3})|(?P<session>\d{1,4})/(?P<number>\d{1,4})(?:\s(?P<letter>[A-Z]))?"
    r"|(?P<sc>\d{1,4})\s?\\?\((?P<year>\d{4})\\?\)"
)
UNESCO_SYMBOL = re.compile(r"\bresolution\s(?P<symbol>\d{1,2}\s(?:HCP|C|EX)\s\d{1,3})\b")
RULES = re.compile(
    r"\b[Rr]ules?\s(?P<first>\d{1,3})\b(?P<more>(?:(?:\s?,\s?(?:and\s)?|\s(?:and|to|&)\s|\s?[-–]\s?)"
    r"\d{1,3}\b)*)(?!\s?(?:of\sthe\sRules|of\sprocedure|\.\d))"
)
# The first words of RESOLUTIONS, UNESCO_SYMBOL and RULES, where each is tried.
RESOLUTION_WORD = frozenset({"resolution", "resolutions"})
RULE_WORD = frozenset({"rule", "rules"})
IHL_CONTEXT = re.compile(
    r"\b(?:customary|humanitarian\slaw|IHL\b|Red\sCross|ICRC\b|Ibid)", re.IGNORECASE
)
ORGAN_NEARBY = (
    (re.compile(r"Commission\son\sHuman\sRights"), "E/CN.4/RES/"),
    (re.compile(r"Commission\son\sthe\sStatus\sof\sWomen"), "E/CN.6/RES/"),
    (re.compile(r"Human Rights Council"), "A/HRC/RES/"),
    (re.compile(r"Economic and Social Council|ECOSOC"), "E/RES/"),
    (re.compile(r"General Assembly"), "A/RES/"),
    (re.compile(r"Security Council"), "S/RES/"),
)
FOOTNOTE_SEPARATOR = re.compile(r"^\s*_{5,}\s*$")
FOOTNOTE_LINE = re.compile(r"^\s{0,3}(?P<n>\d{1,3})\s{1,3}(?=\S)")
LAST_RULE = 161
FIRST_YEAR = 1946  # the first year of UN resolutions: a "session" this high is a year


@dataclass(frozen=True)
class Cited:
    """A cited UN document (``symbol``) or customary IHL rule (``rule``), at flat offsets."""

    start: int
    end: int
    symbol: str | None = None
    rule: int | None = None
    footnote: int | None = None


@dataclass(frozen=True)
class Footnote:
    number: int
    start: int
    end: int
    marker: int | None


@dataclass(frozen=True)
class Citations:
    own_symbols: list[tuple[str, int, int]]
    cited: list[Cited]
    footnotes: list[Footnote]

    def rules_for(self, start: int, end: int) -> list[int]:
        """The rules cited in ``[start, end)`` or in a footnote whose marker stands there."""
        notes = {
            f.number for f in self.footnotes if f.marker is not None and start <= f.marker < end
        }
        return sorted(
            {
                c.rule
                for c in self.cited
                if c.rule is not None and (start <= c.start < end or c.footnote in notes)
            }
        )

    def symbols_for(self, start: int, end: int) -> list[str]:
        notes = {
            f.number for f in self.footnotes if f.marker is not None and start <= f.marker < end
        }
        return sorted(
            {
                c.symbol
                for c in self.cited
                if c.symbol is not None and (start <= c.start < end or c.footnote in notes)
            }
        )


def find_citations(flat: Flat) -> Citations:
    own = own_symbols(flat)
    own_names = {symbol for symbol, _, _ in own}
    footnotes = find_footnotes(flat)
    urls = [(m.start(), m.end()) for m in URL.finditer(flat.text)]
    found: list[Cited] = []
    for match in _symbols(flat.text):
        symbol = symbols.normalise(match.group().replace("\\", ""))
        if any(s <= match.start() < e for s, e in urls) or not _plausible(symbol):
            continue
        if symbol not in own_names:
            found.append(Cited(match.start(), match.end(), symbol=symbol))
    for match in flat.at_words(RESOLUTIONS, RESOLUTION_WORD):
        found += _prose_resolutions(flat.text, match)
    for match in flat.at_words(UNESCO_SYMBOL, RESOLUTION_WORD):
        found.append(Cited(match.start("symbol"), match.end("symbol"), symbol=match["symbol"]))
    if IHL_CONTEXT.search(flat.text):
        for match in flat.at_words(RULES, RULE_WORD):
            numbers = _rule_numbers(match)
            found += [Cited(match.start(), match.end(), rule=n) for n in numbers]
    found = [_with_footnote(c, footnotes) for c in found]
    return Citations(own, sorted(found, key=lambda c: (c.start, c.end)), footnotes)


def _symbols(text: str) -> list[re.Match[str]]:
    """What ``SYMBOL.finditer(text)`` finds, tried only where a symbol can begin: at a capital
    up to six characters before a "/" ("A/RES/78/50", "S/2024/1")."""
    starts = {
        start
        for slash in SLASH.finditer(text)
        for start in range(max(0, slash.start() - 6), slash.start())
        if "A" <= text[start] <= "Z"
    }
    return matches_from(SYMBOL, text, sorted(starts))


def own_symbols(flat: Flat) -> list[tuple[str, int, int]]:
    """Symbols printed alone on a line of the clean text (or beside a date): a UN document's
    own masthead or page header."""
    found: list[tuple[str, int, int]] = []
    seen: set[str] = set()
    position = 0
    for line in flat.source.text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped[:1].isupper() and "/" in stripped and SYMBOL_LINE.fullmatch(stripped):
            for match in SYMBOL.finditer(line):
                symbol = symbols.normalise(match.group())
                if symbol not in seen and _plausible(symbol):
                    seen.add(symbol)
                    start = flat.from_clean(position + match.start())
                    found.append((symbol, start, start + len(match.group())))
        position += len(line)
    return found


def find_footnotes(flat: Flat) -> list[Footnote]:
    """Footnotes under a rule of underscores, each with the body marker that points at it."""
    lines = flat.source.text.splitlines(keepends=True)
    notes: list[tuple[int, int, int]] = []
    position = 0
    in_block = False
    current: list[int] | None = None
    for line in lines:
        start, end = position, position + len(line)
        position = end
        if FOOTNOTE_SEPARATOR.match(line):
            in_block, current = True, None
            continue
        if not in_block or not line.strip():
            continue
        match = FOOTNOTE_LINE.match(line)
        if match and (current is None or _ended(lines, current, flat)):
            current = [int(match["n"]), start + match.end(), end]
            notes.append((current[0], current[1], current[2]))
        elif current is not None and not _ended(lines, current, flat):
            current[2] = end
            notes[-1] = (current[0], current[1], current[2])
        else:
            in_block, current = False, None
    footnotes: list[Footnote] = []
    search_from = 0
    for number, start, end in notes:
        flat_start, flat_end = flat.from_clean(start), flat.from_clean(end)
        marker = _marker(flat.text, number, search_from, flat_start)
        if marker is not None:
            search_from = marker + 1
        footnotes.append(Footnote(number, flat_start, flat_end, marker))
    return footnotes


def _ended(lines: list[str], current: list[int], flat: Flat) -> bool:
    """A footnote ends with its sentence: a line ending in a full stop or semicolon."""
    text = flat.source.text[current[1] : current[2]].rstrip()
    return text.endswith((".", ";", ".”", '."', "”.", ".)"))


def _marker(text: str, number: int, start: int, stop: int) -> int | None:
    pattern = re.compile(rf"(?<=[a-z.,;:”\"’)\]])\s?{number}(?=[\s.,;:]|$)(?!\s?(?:per|%|years))")
    match = pattern.search(text, start, stop)
    return match.start() if match else None


def _with_footnote(cited: Cited, footnotes: list[Footnote]) -> Cited:
    for note in footnotes:
        if note.start <= cited.start < note.end:
            return Cited(cited.start, cited.end, cited.symbol, cited.rule, note.number)
    return cited


def _plausible(symbol: str) -> bool:
    return symbols.is_un_symbol(symbol) or (
        symbol.count("/") >= 2 and bool(re.search(r"\d", symbol))
    )


def _prose_resolutions(text: str, match: re.Match[str]) -> list[Cited]:
    before = text[max(0, match.start() - 60) : match.start()]
    after = text[match.end() : match.end() + 60]
    prefix = ""
    for pattern, organ in ORGAN_NEARBY:
        if pattern.search(before) or pattern.search(after.split(".")[0]):
            prefix = organ
            break
    found: list[Cited] = []
    offset = match.start("list")
    for item in RESOLUTION_ITEM.finditer(match["list"]):
        start, end = offset + item.start(), offset + item.end()
        if item["sc"]:
            symbol = f"S/RES/{item['sc']} ({item['year']})"
        elif item["es"]:
            symbol = f"A/RES/{item['es']}"
        elif prefix not in ("", "A/RES/", "S/RES/"):
            symbol = f"{prefix}{item['session']}/{item['number']}"
        elif int(item["session"]) >= FIRST_YEAR:
            # "1995/79": ECOSOC and its commissions number resolutions by year, the General
            # Assembly by session, so a year-numbered resolution is never the Assembly's.
            symbol = f"E/RES/{item['session']}/{item['number']}"
        else:
            symbol = f"A/RES/{item['session']}/{item['number']}"
            symbol += f" {item['letter']}" if item["letter"] else ""
        found.append(Cited(start, end, symbol=symbol))
    return found


def _rule_numbers(match: re.Match[str]) -> list[int]:
    numbers = [int(match["first"])]
    tail = match["more"] or ""
    for joint, number in re.findall(
        r"(\s?,\s?(?:and\s)?|\s(?:and|to|&)\s|\s?[-–]\s?)(\d{1,3})", tail
    ):
        value = int(number)
        if joint.strip() in ("to", "-", "–") and numbers[-1] < value <= numbers[-1] + 20:
            numbers += list(range(numbers[-1] + 1, value + 1))
        else:
            numbers.append(value)
    return [n for n in numbers if 1 <= n <= LAST_RULE]
