"""Names of states, organizations, persons, places and instruments, linked to reference data.

Reference data lists each entity with its canonical label and the aliases real text uses, so
linking is dictionary matching: a table of every label and alias as token sequences, built once
per reference set and looked up at each token of the text (case-insensitive for names,
case-sensitive for acronyms, so "EU" never matches "eu"). States the reference data does not
know come from ISO 3166 (pycountry), matched case-sensitively so "Chad" or "Turkey" in lower
case stay words. Names that look like an entity but are in neither list are proposed as new
entities with their type: an organization by its head noun ("… Agency", "… Ministry of …"), a
person by a title or signature, a place by "… province/district/oblast" or "the town of …".
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, NamedTuple

import pycountry

from minekg.extract.text import TOKEN, Flat
from minekg.inputs import Reference

KINDS = {
    "states": "state",
    "organizations": "organization",
    "persons": "person",
    "places": "place",
    "instruments": "instrument",
}
COMMON_STATE_NAMES = {
    "LA": ["Lao PDR", "Laos"],
    "SY": ["Syria"],
    "VN": ["Vietnam", "Viet Nam"],
    "KR": ["South Korea", "Republic of Korea"],
    "KP": ["North Korea"],
    "CD": ["Democratic Republic of the Congo", "DR Congo", "DRC"],
    "CG": ["Republic of the Congo"],
    "TR": ["Turkey", "Türkiye"],
    "PS": ["Palestine", "State of Palestine"],
    "MD": ["Moldova"],
    "TZ": ["Tanzania"],
    "VE": ["Venezuela"],
    "BO": ["Bolivia"],
    "IR": ["Iran"],
    "RU": ["Russia"],
    "GB": ["United Kingdom", "UK"],
    "US": ["United States", "United States of America", "USA"],
    "FM": ["Micronesia"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire", "Ivory Coast"],
}
ORGANIZATION_HEADS = (
    r"Agency|Authority|Centre|Center|Programme|Program|Organization|Organisation|Committee"
    r"|Commission|Ministry|Service|Court|Movement|Office|Foundation|Fund|Council|Network"
    r"|Campaign|Association|Institute|Mission|Union|Forces|Department|Directorate|Alliance"
    r"|Group|Society|Trust|Coalition|Corps|Bureau|Bank|Party|Front|Army|Volunteers"
)
ORGANIZATION_HEAD = frozenset(ORGANIZATION_HEADS.lower().split("|"))
NAME_WORD = r"(?:[A-Z][\w’'\-]+|of|for|on|and|the|in|de|du|la)"
NEW_ORGANIZATION = re.compile(
    rf"\b(?:[A-Z][\w’'\-]+\s)(?:{NAME_WORD}\s){{0,7}}?(?:{ORGANIZATION_HEADS})"
    rf"(?:\s(?:{ORGANIZATION_HEADS}))?"
    rf"(?:\s(?:of|for|on|to)\s(?:the\s)?[A-Z][\w’'\-]+(?:\s[A-Z][\w’'\-]+){{0,4}}){{0,3}}"
)
PERSON_NAME = (
    r"[A-Z][a-zà-ÿ’'\-]+(?:\s[A-Z]\.)?"
    r"(?:\s(?:de\s|da\s|van\s|von\s|bin\s|al-)?[A-Z][a-zà-ÿ’'\-]+){1,2}"
)
NEW_PERSON = re.compile(
    rf"(?:\(Signed\)\s|\bBy\s|\b(?:President|Prime\sMinister|Minister|Ambassador|Secretary-General"
    rf"|Director|Director-General|Dr\.|Mr\.|Ms\.|Mrs\.|Chair|Chairperson|spokesperson"
    rf"|Under-Secretary-General|Special\sEnvoy|Special\sRapporteur)\s)(?P<name>{PERSON_NAME})"
    rf"|(?P<name2>{PERSON_NAME}),\s(?:the\s)?(?:President|Prime\sMinister|Minister|Ambassador"
    rf"|Director|Head|Chief|Permanent\sRepresentative|Secretary|spokesperson|Deputy)\b"
)
PLACE_NAME = r"[A-Z][\w’'\-]+(?:[ ][A-Z][\w’'\-]+)?"
PLACE_LIST = re.compile(
    rf"\b(?P<names>{PLACE_NAME}(?:,\s{PLACE_NAME})*,?\sand\s{PLACE_NAME})\s(?:provinces|districts"
    r"|regions|oblasts|governorates|municipalities)\b"
)
NEW_PLACE = re.compile(
    r"\b(?:the\s(?:city|town|village|province|district|region|municipality)\sof\s"
    r"(?P<name1>[A-Z][\w’'\-]+(?:\s[A-Z][\w’'\-]+)?))"
    r"|\b(?:held|hosted|convened|signed|took\splace|based)\sin\s(?P<name3>[A-Z][\w’'\-]+"
    r"(?:[ ][A-Z][\w’'\-]+)?)"
    r"|(?:^|¶)\s?(?P<name4>[A-Z][a-z]+(?:[ ][A-Z][a-z]+)?),\s(?:\d{1,2}\s)?(?:January|February"
    r"|March|April|May|June|July|August|September|October|November|December)\s\d"
    r"|\b(?P<name2>[A-Z][\w’'\-]+(?:\s[A-Z][\w’'\-]+)?)\s(?:province|Province|district|District"
    r"|oblast|Oblast|region|Region|governorate|Governorate|municipality)\b"
)
ORGANIZATION_FIRST = frozenset(
    "United International National Special Humanitarian Mine Economic General Security"
    " Permanent".split()
)  # words that open no person's or place's name but many organizations'
PERSON_CUE = frozenset(
    "signed by president minister ambassador secretary director dr mr ms mrs chair chairperson"
    " spokesperson envoy rapporteur representative head chief deputy".split()
)
PLACE_CUE = frozenset(
    "city town village province district region municipality held hosted convened signed took"
    " based oblast governorate".split()
)
PLACE_PLURAL = frozenset("provinces districts regions oblasts governorates municipalities".split())
DATELINE_REACH = 400
WITHIN = re.compile(r"\bwithin\s(?:the\s)?$")
NOT_NAMES = {
    "The",
    "This",
    "That",
    "These",
    "Those",
    "Since",
    "In",
    "On",
    "At",
    "As",
    "By",
    "For",
    "Under",
    "With",
    "From",
    "Our",
    "Its",
    "Their",
    "His",
    "Her",
    "A",
    "An",
    "All",
    "Each",
    "Permanent",
    "Representative",
    "Letter",
    "Annex",
    "General",
    "Security",
    "United",
    "International",
    "National",
    "Special",
    "Contact",
    "Humanitarian",
    "Mine",
    "Economic",
    "Karabakh",
    "Former",
    "Occupied",
    "Liberated",
    "Northern",
    "Southern",
    "Eastern",
    "Western",
    "Central",
    "Border",
    "Affected",
    "Contaminated",
}


@dataclass(frozen=True)
class Mention:
    """A named entity in the text (flat offsets): a reference ``key`` or a proposed new one."""

    kind: str
    label: str
    start: int
    end: int
    key: str | None = None
    media: bool = False  # a news outlet, by its type in the reference data
    # An external identifier where a shipped gazetteer knows the entity, as a CURIE:
    # "geonames:<id>" for a GeoNames place, "iso3166-2:<code>" for a subdivision
    # ("iso3166-2:UA-63").
    identifier: str | None = None


class SpanIndex:
    """Mentions by position: which of them overlap a span, in logarithmic time, so that
    merging the finders' names stays linear in what they find."""

    def __init__(self, mentions: list[Mention] | None = None) -> None:
        self.items: list[Mention] = sorted(mentions or [], key=lambda m: (m.start, m.end))
        self.starts = [m.start for m in self.items]
        self.longest = max((m.end - m.start for m in self.items), default=0)

    def overlapping(self, start: int, end: int) -> list[Mention]:
        low = bisect_left(self.starts, start - self.longest)
        high = bisect_left(self.starts, end)
        return [m for m in self.items[low:high] if m.end > start and m.start < end]

    def add(self, mention: Mention) -> None:
        at = bisect_right(self.starts, mention.start)
        self.starts.insert(at, mention.start)
        self.items.insert(at, mention)
        self.longest = max(self.longest, mention.end - mention.start)

    def remove(self, mention: Mention) -> None:
        at = bisect_left(self.starts, mention.start)
        while self.items[at] is not mention:
            at += 1
        del self.starts[at], self.items[at]


class Hit(NamedTuple):
    """A phrase found: its tokens ``[start, end)``, characters ``[start_char, end_char)``."""

    start: int
    end: int
    label: str
    start_char: int
    end_char: int


class Phrases:
    """Names as token sequences, each standing for match ids; matched over a text's tokens by
    dictionary lookups at each token (no spaCy Doc of the whole text, whose lexemes cost more
    than the matching)."""

    def __init__(self, lower: bool):
        self.lower = lower
        self.ids: dict[tuple[str, ...], list[str]] = {}
        self.lengths: dict[str, list[int]] = {}  # first token → phrase lengths, longest first

    def add(self, match_id: str, name: str) -> None:
        tokens = tuple(TOKEN.findall(name.lower() if self.lower else name))
        if not tokens:
            return
        ids = self.ids.setdefault(tokens, [])
        if match_id not in ids:
            ids.append(match_id)
        lengths = self.lengths.setdefault(tokens[0], [])
        if len(tokens) not in lengths:
            lengths.append(len(tokens))
            lengths.sort(reverse=True)

    def hits(self, words: list[str], starts: list[int], ends: list[int]) -> list[Hit]:
        found = []
        lengths = self.lengths
        for i in [i for i, word in enumerate(words) if word in lengths]:
            for length in lengths[words[i]]:
                if i + length > len(words):
                    continue
                for match_id in self.ids.get(tuple(words[i : i + length]), ()):
                    found.append(Hit(i, i + length, match_id, starts[i], ends[i + length - 1]))
        return found


def longest_first(hits: list[Hit]) -> list[Hit]:
    """Hits that share no token, the longer (then the earlier) kept, in text order."""
    taken: set[int] = set()
    kept = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if not taken.intersection(range(hit.start, hit.end)):
            kept.append(hit)
            taken.update(range(hit.start, hit.end))
    return sorted(kept, key=lambda h: h.start)


@dataclass
class Gazetteer:
    """The phrase tables and what each match id stands for, built once per reference set."""

    by_name: Phrases
    by_case: Phrases
    entries: dict[str, tuple[str, str, str | None]]
    media: frozenset[str] = frozenset()


_GAZETTEERS: dict[int, tuple[Reference, Gazetteer]] = {}


def gazetteer(reference: Reference) -> Gazetteer:
    """The matchers for ``reference``, cached (reference data does not change during a run)."""
    cached = _GAZETTEERS.get(id(reference))
    if cached is not None and cached[0] is reference:
        return cached[1]
    by_name = Phrases(lower=True)
    by_case = Phrases(lower=False)
    entries: dict[str, tuple[str, str, str | None]] = {}
    names_by_id: dict[str, list[str]] = {}
    known_iso = set()
    for section, kind in KINDS.items():
        for entry in reference.sections.get(section, []):
            match_id = f"{kind}:{entry.key}"
            entries[match_id] = (kind, entry.label, entry.key)
            names_by_id[match_id] = _names(entry)
            if section == "states":
                known_iso.add(entry.iso3166)
    for country in pycountry.countries:
        if country.alpha_2 in known_iso:
            continue
        label = getattr(country, "common_name", None) if "," in country.name else country.name
        label = label or country.name
        match_id = f"state:iso:{country.alpha_2}"
        entries[match_id] = ("state", label, None)
        official = getattr(country, "official_name", None)
        country_names = {country.name, label, *COMMON_STATE_NAMES.get(country.alpha_2, [])}
        country_names |= {official} if official else set()
        names_by_id[match_id] = sorted(n for n in country_names if "," not in n)
    for match_id, names in names_by_id.items():
        iso_state = match_id.startswith("state:iso:")
        exact = [n for n in names if iso_state or _is_acronym(n)]
        loose = [n for n in names if n not in exact]
        for name in exact:
            by_case.add(match_id, name)
        for name in loose:
            by_name.add(match_id, name)
    media = frozenset(
        entry.key for entry in reference.sections.get("organizations", []) if entry.type == "media"
    )
    built = Gazetteer(by_name, by_case, entries, media)
    _GAZETTEERS[id(reference)] = (reference, built)
    return built


def find_mentions(flat: Flat, reference: Reference) -> list[Mention]:
    """Reference entities named in the text, then new names nothing known covers."""
    gaz = gazetteer(reference)
    words, starts, ends, lowers = flat.tokens
    hits = gaz.by_name.hits(lowers, starts, ends) + gaz.by_case.hits(words, starts, ends)
    kept = longest_first(hits)
    kept_starts = [h.start for h in kept]
    kept_keys = set(kept)
    nested = []
    for hit in hits:
        if hit in kept_keys:
            continue
        at = bisect_right(kept_starts, hit.start) - 1
        if at < 0:
            continue
        outer = kept[at]
        if hit.end <= outer.end and (
            gaz.entries[outer.label][0] != gaz.entries[hit.label][0]
            or _part_of(flat.text, hit.start_char)
        ):
            nested.append(hit)
    index = SpanIndex()
    for hit in kept + longest_first(nested):
        kind, label, key = gaz.entries[hit.label]
        if kind == "place" and re.match(r"\s(?:[Ww]ar|conflict)\b", flat.text[hit.end_char :]):
            continue
        media = key in gaz.media
        index.add(Mention(kind, label, hit.start_char, hit.end_char, key, media))
    for mention in _new_names(flat):
        overlapping = index.overlapping(mention.start, mention.end)
        if not overlapping or (
            mention.kind == "organization"
            and all(
                (
                    m.kind in ("state", "place")
                    or (m.kind == "organization" and m.start == mention.start)
                )
                and mention.start <= m.start
                and m.end <= mention.end
                and (m.start, m.end) != (mention.start, mention.end)
                for m in overlapping
            )
        ):
            # A longer name that begins with a known organization's ("United Nations Mine
            # Action Service") is another organization.
            for inner in overlapping:
                if inner.kind == "organization":
                    index.remove(inner)
            index.add(mention)
    return index.items


def _new_names(flat: Flat) -> list[Mention]:
    text = flat.lined
    found: list[Mention] = []
    for match in flat.near(ORGANIZATION_HEAD, NEW_ORGANIZATION, 120, 90, text):
        name = _strip_leading(match.group().strip())
        if len(name.split()) >= 2 and name.split()[0] not in NOT_NAMES - ORGANIZATION_FIRST:
            start = match.start() + match.group().index(name)
            found.append(Mention("organization", name, start, start + len(name)))
    for match in flat.near(PERSON_CUE, NEW_PERSON, 40, 60, text):
        group = "name" if match["name"] else "name2"
        name = match[group]
        if name.split()[0] not in NOT_NAMES:
            found.append(Mention("person", name, match.start(group), match.end(group)))
    datelines = list(NEW_PLACE.finditer(text, 0, min(len(text), DATELINE_REACH)))
    for match in datelines + flat.near(PLACE_CUE, NEW_PLACE, 60, 60, text):
        group = next(g for g in ("name1", "name2", "name3", "name4") if match[g])
        name = match[group]
        if name.split()[0] not in NOT_NAMES:
            found.append(Mention("place", name, match.start(group), match.end(group)))
    for match in flat.near(PLACE_PLURAL, PLACE_LIST, 160, 20, text):
        for listed in re.finditer(PLACE_NAME, match["names"]):
            if listed.group() not in NOT_NAMES:
                start = match.start("names") + listed.start()
                found.append(Mention("place", listed.group(), start, start + len(listed.group())))
    return found


def _part_of(text: str, start: int) -> bool:
    """A name inside a longer one after "within (the)": "contact group within the NAM"."""
    return bool(WITHIN.search(text, max(0, start - 12), start))


def _strip_leading(name: str) -> str:
    words = name.split()
    while words and words[0] in NOT_NAMES - ORGANIZATION_FIRST:
        words = words[1:]
    return " ".join(words)


def _names(entry: Any) -> list[str]:
    names = {entry.label, *entry.aliases}
    names |= set(getattr(entry, "former_names", []) or [])
    acronym = getattr(entry, "acronym", None)
    if acronym:
        names.add(acronym)
    symbol = getattr(entry, "symbol", None)
    if symbol:
        names.add(symbol)
    return sorted(n for n in names if n)


def _is_acronym(name: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", name)
    return len(name) <= 7 and letters.isupper()


def most_named_state(mentions: list[Mention]) -> Mention | None:
    """The state named most often (the first named, on a tie): whom the text is about."""
    counts: dict[str, int] = {}
    first: dict[str, Mention] = {}
    for mention in mentions:
        if mention.kind == "state":
            counts[mention.label] = counts.get(mention.label, 0) + 1
            first.setdefault(mention.label, mention)
    if not counts:
        return None
    return first[max(counts, key=lambda label: (counts[label], -first[label].start))]


def state_codes(mentions: list[Mention], reference: Reference) -> set[str]:
    """The ISO 3166 codes of the states a document names: where its towns are likely to lie."""
    codes: set[str] = set()
    for mention in mentions:
        if mention.kind != "state":
            continue
        entry = reference.get(mention.key) if mention.key else None
        code = getattr(entry, "iso3166", None)
        if code is None:
            try:
                code = pycountry.countries.lookup(mention.label).alpha_2
            except LookupError:
                continue
        codes.add(code)
    return codes
