"""Instruments named by title: conventions, protocols, treaties, declarations, agreements, laws.

An instrument's title ends in its head noun ("the Ottawa Declaration", "the Paris Agreements",
"the Electoral Law") or starts with it and goes on with what it is about ("Convention on the
Privileges and Immunities of the United Nations", "Declaration on Mining and Export of
Minerals and Gems from Cambodia"). A title that is a small variant of one in the reference data
("Convention of the Prohibition of the Use …", a comma more) is that instrument, by the same
similarity the answer keys are scored with.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from minekg.evaluate import SPELLING_SIMILARITY, fold
from minekg.extract.entities import Mention, SpanIndex
from minekg.extract.text import Flat, capitals_before, matches_from
from minekg.inputs import Reference

HEADS = r"Convention|Protocol|Treaty|Declaration|Agreements?|Accords?|Charter|Code|Law"
WORD = r"[A-Z][\w’'\-]+"
LINK = r"(?:of|on|for|and|the|to|from|in|or|at|as|its|their|which|may|be|to|have|with|by)"
TITLED = re.compile(
    rf"\b(?P<name>(?:{WORD}\s){{1,3}}(?:{HEADS})\b"
    rf"|(?:{HEADS})\s(?:on|of|for|relating\sto|concerning)\s(?:the\s)?{WORD}"
    rf"(?:,\s{WORD}|\s(?:{WORD}|{LINK}|\d{{1,2}}|[A-Z][a-z]+-[a-z]+)){{0,30}})"
)
HEAD = re.compile(HEADS)  # after TITLED's 1 to 3 words, or where it begins
LEADING = re.compile(r"^(?:The|This|That|Each|Any|Such|Our|Its|Their|In|Under|Of|By)\s")


def find_instruments(flat: Flat, mentions: list[Mention], reference: Reference) -> list[Mention]:
    """Instrument titles not already linked; a near-variant of a reference title links to it."""
    known = _matchers(reference)
    linked: dict[str, tuple[str | None, str | None]] = {}
    taken = SpanIndex(mentions)
    found: list[Mention] = []
    starts = capitals_before(flat.lined, HEAD, 3)
    for match in matches_from(TITLED, flat.lined, starts):
        name = LEADING.sub("", _trim(match["name"]))
        start = match.start("name") + match["name"].index(name)
        end = start + len(name)
        if len(name.split()) < 2 or taken.overlapping(start, end):
            continue
        folded = fold(name)
        if folded not in linked:
            linked[folded] = _known_title(folded, known)
        known_label, key = linked[folded]
        found.append(Mention("instrument", known_label or name, start, end, key))
        taken.add(found[-1])
    return found


_MATCHERS: dict[int, tuple[Reference, list[tuple[SequenceMatcher[str], str, str]]]] = {}


def _matchers(reference: Reference) -> list[tuple[SequenceMatcher[str], str, str]]:
    """One matcher per known title, its side indexed once (SequenceMatcher caches its second
    sequence), kept for the reference set as the gazetteer is: indexing them for every
    document cost a small document more than reading its titles."""
    cached = _MATCHERS.get(id(reference))
    if cached is not None and cached[0] is reference:
        return cached[1]
    known = []
    for entry in reference.sections.get("instruments", []):
        if getattr(entry, "type", None) != "resolution":
            matcher = SequenceMatcher(None)
            matcher.set_seq2(fold(entry.label))
            known.append((matcher, entry.label, entry.key))
    _MATCHERS[id(reference)] = (reference, known)
    return known


def _known_title(
    folded: str, known: list[tuple[SequenceMatcher[str], str, str]]
) -> tuple[str | None, str | None]:
    """The label and key of the known title a folded title is a near-variant of, if any."""
    for similar, label, key in known:
        similar.set_seq1(folded)
        if (  # the cheap upper bounds first: most titles are nothing like a known one
            similar.real_quick_ratio() >= SPELLING_SIMILARITY
            and similar.quick_ratio() >= SPELLING_SIMILARITY
            and similar.ratio() >= SPELLING_SIMILARITY
        ):
            return label, key
    return None, None


def _trim(name: str) -> str:
    """Without the lower-case and linking words a title does not end with."""
    words = name.split()
    while words and (
        not words[-1][:1].isupper() and not words[-1][:1].isdigit() or words[-1].endswith(",")
    ):
        if words[-1].endswith(",") and words[-1][:1].isupper():
            words[-1] = words[-1].rstrip(",")
            break
        words.pop()
    return " ".join(words)
