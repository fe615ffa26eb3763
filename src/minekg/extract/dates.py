"""Dates in the forms these documents write them, as ISO partial dates and ranges.

"12 December 2024", "December 12, 2024", "30 and 31 May 2024", "30-31 May 2024", "from 30 to 31
May 2024", "May 30–31, 2024", "19–20 January 2024", "mid-December 2024", "September 2024",
"2024-05-30", "in 2023", "the fourth quarter of 2020"; and, given the document's own date,
relative forms ("this May", "last year", "last September"). A date keeps the precision the text
gives it (YYYY, YYYY-MM or YYYY-MM-DD), as records do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from minekg.extract.text import matches_from

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
MONTH_WORD = re.compile(MONTH)
YEAR = r"(?:19|20)\d\d"
DAY = r"(?:[12]\d|3[01]|0?[1-9])"
DASH = r"\s?[-–—]\s?"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "day_range",
        re.compile(
            rf"\b(?:from\s)?(?P<d1>{DAY})(?:{DASH}|\sand\s|\sto\s)(?P<d2>{DAY})\s"
            rf"(?P<m>{MONTH}),?\s(?P<y>{YEAR})\b"
        ),
    ),
    (
        "month_day_range",
        re.compile(
            rf"\b(?P<m>{MONTH})\s(?P<d1>{DAY})(?:{DASH}|\sand\s|\sto\s)(?P<d2>{DAY}),?\s"
            rf"(?P<y>{YEAR})\b"
        ),
    ),
    ("day_month_year", re.compile(rf"\b(?P<d1>{DAY})\s(?P<m>{MONTH}),?\s(?P<y>{YEAR})\b")),
    ("month_day_year", re.compile(rf"\b(?P<m>{MONTH})\s(?P<d1>{DAY}),\s?(?P<y>{YEAR})\b")),
    ("iso", re.compile(rf"\b(?P<y>{YEAR})-(?P<mn>[01]\d)-(?P<d1>[0-3]\d)\b")),
    (
        "month_year",
        re.compile(rf"\b(?:(?:mid|early|late|end)[- ](?:of\s)?)?(?P<m>{MONTH}),?\s(?P<y>{YEAR})\b"),
    ),
    (
        "quarter",
        re.compile(rf"\b(?:first|second|third|fourth)\squarter\sof\s(?P<y>{YEAR})\b"),
    ),
    ("relative_month", re.compile(rf"\b(?P<rel>this|last)\s(?P<m>{MONTH})\b")),
    ("month_of_year", re.compile(rf"\b(?P<m>{MONTH})\sof\s(?P<rel>this|last)\syear\b")),
    ("relative_year", re.compile(r"\b(?P<rel>this|last|next)\syear\b")),
    (
        "year",
        re.compile(
            rf"(?<![\d/.(\-])\b(?P<y>{YEAR})\b(?![\d/)\-]|\s?\))"
            r"(?!\s(?:[A-Z][\w\-]+\s){0,2}(?:Convention|Protocol|Treaty|Agreement|Accord|Agenda))"
        ),
    ),
]


@dataclass(frozen=True)
class DateMention:
    """A date written in the text (flat offsets), with its ISO value and, for a range, its end."""

    start: int
    end: int
    value: str
    last: str | None = None

    @property
    def precision(self) -> int:
        return len(self.value)


def find_dates(text: str, today: str | None = None) -> list[DateMention]:
    """Every date in ``text``, longest form first, none overlapping another.

    ``today`` (the document's own date, YYYY-MM-DD or coarser) resolves relative forms.
    """
    found: list[DateMention] = []
    taken = bytearray(len(text))
    windows = _near_months(text)
    for kind, pattern in PATTERNS:
        for match in _candidates(kind, pattern, text, windows):
            if taken.find(1, match.start(), match.end()) != -1:
                continue
            mention = _build(kind, match, today)
            if mention is not None:
                found.append(mention)
                taken[match.start() : match.end()] = b"\x01" * (match.end() - match.start())
    return sorted(found, key=lambda d: d.start)


def _near_months(text: str) -> list[list[int]]:
    """The stretches of text around the months it names, overlapping ones merged."""
    windows: list[list[int]] = []
    for hit in MONTH_WORD.finditer(text):
        start, end = max(0, hit.start() - 24), min(len(text), hit.end() + 24)
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    return windows


# What every match of a pattern that names no month holds, and how far after the match's start:
# the year that begins "2024-05-30" and a lone "2024" (two years cannot overlap: a year
# after a digit is none), "quarter" in "the fourth quarter of", "year" in "last year".
ANCHORS = {
    "year": (re.compile(YEAR), 0),
    "iso": (re.compile(YEAR), 0),
    "quarter": (re.compile("quarter"), len("fourth ")),
    "relative_year": (re.compile("year"), len("this ")),
}


def _candidates(
    kind: str, pattern: re.Pattern[str], text: str, windows: list[list[int]]
) -> list[re.Match[str]]:
    """A pattern that names a month only runs near the months the text names; the others are
    tried only just before their anchor (see ANCHORS). Both are faster than a search of the
    whole text with a pattern that opens with "\\b", and find the same."""
    if kind in ANCHORS:
        anchor, reach = ANCHORS[kind]
        starts = {s for a in anchor.finditer(text) for s in range(a.start() - reach, a.start() + 1)}
        return matches_from(pattern, text, sorted(s for s in starts if s >= 0))
    return [m for start, end in windows for m in pattern.finditer(text, start, end)]


def _build(kind: str, match: re.Match[str], today: str | None) -> DateMention | None:
    groups = match.groupdict()
    month = _month(groups["m"]) if groups.get("m") else None
    if groups.get("mn"):
        month = int(groups["mn"])
    if kind in ("relative_month", "relative_year", "month_of_year"):
        if not today:
            return None
        year = int(today[:4])
        if kind == "relative_year":
            offset = {"this": 0, "last": -1, "next": 1}[groups["rel"].lower()]
            return DateMention(match.start(), match.end(), str(year + offset))
        assert month is not None
        if kind == "month_of_year":
            year -= 1 if groups["rel"].lower() == "last" else 0
            return DateMention(match.start(), match.end(), f"{year:04d}-{month:02d}")
        this_month = int(today[5:7]) if len(today) >= 7 else 12
        if groups["rel"].lower() == "last" and month >= this_month:
            year -= 1
        return DateMention(match.start(), match.end(), f"{year:04d}-{month:02d}")
    year = int(groups["y"])
    if month is None:
        return DateMention(match.start(), match.end(), f"{year:04d}")
    if not groups.get("d1"):
        return DateMention(match.start(), match.end(), f"{year:04d}-{month:02d}")
    first = f"{year:04d}-{month:02d}-{int(groups['d1']):02d}"
    last = f"{year:04d}-{month:02d}-{int(groups['d2']):02d}" if groups.get("d2") else None
    if last is not None and last < first:
        return None
    return DateMention(match.start(), match.end(), first, last)


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]
