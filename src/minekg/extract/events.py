"""Events a document tells of: conferences, summits, meetings, signings, adoptions, court cases,
wars, military operations, policy decisions, with the dates, places and parties of the sentence.

Each kind has its formula in this family of texts: an ordinal and a head noun for recurring
meetings ("3rd International Conference on Mine Action", "the fifteenth meeting of the States
parties to …", "twenty-ninth session of the Conference of the Parties"); a named one ("the
Summit of the Future"); recurring ones with their years ("the previous International
Conferences on Mine Action held in 2022 and 2023"); "signed" with an instrument; a cited
resolution "of 7 December 2023"; "issued on 31 July 2023"; "the Court issued/decided";
"instituted proceedings … against"; "X's armed aggression against Y"; "the end of the war in
2020"; "declared … as …". One event mentioned several times is one event, details merged.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from minekg.extract.citations import Citations
from minekg.extract.dates import DAY, MONTH, MONTHS, YEAR, DateMention
from minekg.extract.entities import Mention
from minekg.extract.text import Flat, capitals_before, lemma, matches_from

ORDINAL_NUMBERS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINAL = (
    r"\d{1,2}(?:st|nd|rd|th)|(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-)?"
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|tenth|eleventh|twelfth"
    r"|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth"
    r"|thirtieth"
)
HEAD = r"Review\sConference|Conference|Summit|Meeting|Session"
NAME_WORD = r"(?:[A-Z][\w.\-’']*|\d{4}|of|on|the|for|and|to|in|parties|party)"
MEETING = re.compile(
    rf"(?<![\w-])(?P<ordinal>(?i:{ORDINAL}))\s(?P<name>(?:[A-Za-z][\w\-]*\s){{0,5}}?"
    rf"(?P<head>(?i:{HEAD}))(?:\s(?:of|on|to)\s(?:the\s)?(?:{NAME_WORD}\s?){{1,16}})?)"
)
NAMED_MEETING = re.compile(
    r"\b(?:the\s)(?P<name>(?:Summit|Conference)\sof\sthe\s(?:[A-Z][\w\-]*\s?){1,4})"
    r"|\b(?P<name2>(?:[A-Z][\w\-]*\s){1,6}(?:Conference|Summit|Forum))(?=,?\s(?:was\s|will\sbe\s)?"
    r"(?:held|hosted|convened|organi[sz]ed|took\splace|gathered))"
)
RECURRING = re.compile(
    rf"\b(?P<name>(?:[A-Z][\w\-]*\s){{1,3}})(?P<head>Conferences|Meetings|Summits)\s(?P<topic>"
    rf"(?:on|of)\s(?:[A-Z][\w\-]*\s?(?:on\s|of\s|and\s)?){{1,6}})[^.]{{0,60}}?\bin\s"
    rf"(?P<years>{YEAR}(?:(?:,\s|\sand\s){YEAR})+)"
)
RECURRING_HEAD = re.compile("Conferences|Meetings|Summits")  # after RECURRING's 1 to 3 words
THEMED = re.compile(
    r"\b(?P<name>(?:[Ss]pecial|[Ii]nternational|[Rr]egional|[Gg]lobal)\s(?:[Cc]onference|[Ss]ummit"
    r"|[Mm]eeting|[Ww]orkshop|[Ff]orum))(?:\s[^“\".;]{0,40}?)?\s(?:on\s(?:the\s)?(?:theme\s)?)?"
    r"[“\"](?P<theme>[^”\"]{5,160})[”\"]"
)
INSTRUMENT = (
    r"(?:(?:trilateral|tripartite|joint|bilateral)\s)?(?:statement\sof\sintent|letter\sof\sintent"
    r"|memorandum\sof\sunderstanding|agreement|statement|declaration|treaty|accord|protocol)"
)
SIGNING = re.compile(
    rf"\b(?P<name>{INSTRUMENT})(?:\sto\s[a-z]+\s(?:the\s|a\s)?(?:[A-Z][\w\-]*\s?(?:of\s|on\s|and\s"
    rf"|for\s)?){{1,10}})?[^.]{{0,40}}?\bsigned\b"
    rf"|\bsigned\s(?:a|the)\s(?P<name2>{INSTRUMENT}(?:\sto\s[a-z]+\s(?:the\s|a\s)?"
    rf"(?:[A-Z][\w\-]*\s?(?:of\s|on\s|and\s|for\s)?){{1,10}})?)",
    re.IGNORECASE,
)
DATED_STATEMENT = re.compile(
    r"\b(?:trilateral|tripartite|joint)\s(?:statement|declaration)\sof\s(?=\d)", re.IGNORECASE
)
ISSUANCE = re.compile(r"\b(?:issued|published|released)\son\s(?=\d)")
COURT = re.compile(
    r"\b(?P<court>International\sCourt\sof\sJustice|European\sCourt\sof\sHuman\sRights"
    r"|International\sCriminal\sCourt|Court|Tribunal)\b[^.]{0,60}?\b(?:issued|delivered"
    r"|handed\sdown|ruled|decided|ordered|rendered)\b"
)
PROCEEDINGS = re.compile(
    r"\b(?:instituted|initiated|brought|filed)\s(?:legal\s)?(?:proceedings|a\scase|an\sapplication)"
)
WAR_END = re.compile(
    rf"\b(?:end\sof|since|after)\s(?:the\s)?(?P<name>(?:[A-Z][\w\-]+\s){{0,3}}[Ww]ar\s(?:in\s)?"
    rf"(?P<year>{YEAR}))\b"
)
AGGRESSION = re.compile(
    r"\b(?P<name>[A-Z][\w\-]+[’']s\s(?:armed\s|military\s)?(?:aggression|invasion|assault"
    r"|offensive|attack)(?:\sagainst\s[A-Z][\w\-]+)?)"
)
WAR_START = re.compile(
    r"\b(?:launched|started|began|unleashed)\s(?:a\s|an\s)?(?:[\w\-]+\s){0,2}(?:military\s)?"
    r"(?:assault|aggression|offensive|attack|war|invasion)\b"
)
OPERATION = re.compile(
    r"\b(?P<name>(?:[\w\-]+\s)?(?:counter-?offensive|counter-terrorism|military|counter-attack"
    r"|peacekeeping)\s(?:operations?|measures))\b",
    re.IGNORECASE,
)
OBSERVANCE = re.compile(
    r"\bInternational\sDay\s(?:for|of|against)\s(?:[A-Z][\w\-]*\s?(?:and\s|in\s|for\s|of\s)?){2,10}"
)
ESTABLISHED_SINCE = re.compile(
    r"\b(?:operating|operational|been\sdeployed|deployed|established|launched)\s(?:since\s)"
)
POLICY = re.compile(
    r"\b(?:declared|designated|designating|proclaimed)\s(?P<what>[^.;]{3,60}?)\sas\s(?:the\s|its\s|an?\s)?"
    r"(?P<as>[^.;,]{3,80})"
)


MEETING_HEAD = frozenset({"conference", "summit", "meeting", "session"})
NAMED_HEAD = frozenset({"conference", "summit", "forum"})
THEMED_HEAD = frozenset({"conference", "summit", "meeting", "workshop", "forum"})
COURT_WORD = frozenset({"court", "tribunal"})
WAR_WORD = frozenset({"war"})
AGGRESSION_WORD = frozenset({"aggression", "invasion", "assault", "offensive", "attack"})
LAUNCH_WORD = frozenset({"launched", "started", "began", "unleashed"})
DAY_WORD = frozenset({"day"})
SINCE_WORD = frozenset({"since"})
POLICY_WORD = frozenset({"declared", "designated", "designating", "proclaimed"})
SIGNED_WORD = frozenset({"signed"})
OPERATION_WORD = frozenset({"operation", "operations", "measures"})
# The first words of DATED_STATEMENT, ISSUANCE and PROCEEDINGS, where each is tried.
STATEMENT_FIRST = frozenset({"trilateral", "tripartite", "joint"})
ISSUED_WORD = frozenset({"issued", "published", "released"})
INSTITUTED_WORD = frozenset({"instituted", "initiated", "brought", "filed"})


@dataclass
class Event:
    """An event as the document tells it; dates are ISO partial dates."""

    type: str
    name: str
    start: int
    end: int
    date: str | None = None
    last: str | None = None
    theme: str | None = None
    places: list[Mention] = field(default_factory=list)
    organizers: list[Mention] = field(default_factory=list)
    parties: list[Mention] = field(default_factory=list)
    key: str | None = None


def find_events(
    flat: Flat,
    dates: list[DateMention],
    mentions: list[Mention],
    citations: Citations,
    today: str | None = None,
) -> list[Event]:
    """The events of the text; ``today``, the document's own date, dates the events a speech
    or a release tells of by the month alone ("in August", "last month", "last night")."""
    found: list[Event] = []
    dates = Positioned(_with_spoken(flat, dates, today)) if today else Positioned(dates)
    mentions = Positioned(mentions)
    for finder in (
        _meetings,
        _recurring,
        _signings,
        _adoptions,
        _courts,
        _wars,
        _operations,
        _others,
        _triggered,
    ):
        found += finder(flat, dates, mentions, citations)
    return _merge(found)


def _meetings(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], _c: Citations
) -> list[Event]:
    events: list[Event] = []
    for match in flat.near(MEETING_HEAD, MEETING, 100, 260):
        name = _trim_name(match["ordinal"] + " " + match["name"])
        head = match["head"].lower()
        if head == "session" and not re.search(r"session\sof\s", name, re.IGNORECASE):
            continue
        kind = {"summit": "summit", "meeting": "meeting"}.get(head, "conference")
        if head == "session":
            kind = "conference" if "conference" in name.lower() else "meeting"
        event = Event(kind, name, match.start(), match.start() + len(name))
        event.key = f"{_ordinal(match['ordinal'])} {head}"
        events.append(_with_details(flat, event, dates, mentions))
    ordinal_spans = [(e.start, e.end) for e in events]
    for match in flat.near(NAMED_HEAD, NAMED_MEETING, 80, 70):
        group = "name" if match["name"] else "name2"
        if any(s <= match.start(group) < e for s, e in ordinal_spans):
            continue
        name = re.sub(r"^The\s", "", _trim_name(match[group]))
        kind = "summit" if "Summit" in name else "conference"
        event = Event(kind, name, match.start(group), match.start(group) + len(name))
        events.append(_with_details(flat, event, dates, mentions, anywhere=True))
    for match in flat.near(THEMED_HEAD, THEMED, 20, 250):
        name = f"{match['name']} on “{match['theme']}”"
        event = Event("conference", name, match.start(), match.end("name"), theme=match["theme"])
        event.key = "theme " + _key(match["theme"])
        events.append(_with_details(flat, event, dates, mentions))
    return events


def _recurring(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], _c: Citations
) -> list[Event]:
    events: list[Event] = []
    starts = capitals_before(flat.text, RECURRING_HEAD, 3)
    for match in matches_from(RECURRING, flat.text, starts):
        singular = match["head"][:-1]
        topic = _trim_name(match["topic"])
        for year in re.findall(YEAR, match["years"]):
            name = f"{match['name'].strip()} {singular} {topic} ({year})"
            events.append(
                Event(
                    "summit" if singular == "Summit" else "conference",
                    name,
                    match.start(),
                    match.end(),
                    year,
                )
            )
    return events


def _signings(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], _c: Citations
) -> list[Event]:
    text = flat.text
    events: list[Event] = []
    for match in flat.near(SIGNED_WORD, SIGNING, 260, 170):
        name = _trim_name((match["name"] or match["name2"] or "").strip())
        event = Event("signing", f"Signing of the {name}", match.start(), match.end())
        event.key = (
            "signing "
            + re.sub(r"(?:statement|letter)\sof\sintent", "intent", name.lower()).split(" to ")[0]
        )
        event = _with_details(flat, event, dates, mentions, anywhere=True)
        event.parties = [
            m
            for m in _in_sentence(flat, mentions, match.start())
            if m.kind in ("state", "organization")
        ]
        events.append(event)
    for match in flat.at_words(DATED_STATEMENT, STATEMENT_FIRST):
        date = _date_at(dates, match.end())
        if date:
            name = text[match.start() : date.end]
            event = Event(
                "signing", name[0].upper() + name[1:], match.start(), date.end, date.value
            )
            event.key = f"signing {date.value}"
            events.append(event)
    return events


def _adoptions(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], citations: Citations
) -> list[Event]:
    text = flat.text
    events: list[Event] = []
    for cited in citations.cited:
        if cited.symbol and re.search(r"RES|HCP", cited.symbol):
            follow = re.match(r",?\s?(?:\]\(#\)\s?)?of\s", text[cited.end : cited.end + 12])
            date = _date_at(dates, cited.end + follow.end()) if follow else None
            if date:
                name = f"Adoption of resolution {cited.symbol}"
                events.append(Event("resolution_adoption", name, cited.start, date.end, date.value))
    for match in flat.at_words(ISSUANCE, ISSUED_WORD):
        date = _date_at(dates, match.end())
        if date:
            sentence = flat.sentence_of(match.start())
            name = "Issuance of " + " ".join(text[sentence[0] : match.start()].split()[-12:])
            events.append(Event("report_issuance", name, sentence[0], date.end, date.value))
    return events


def _courts(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], _c: Citations
) -> list[Event]:
    text = flat.text
    events: list[Event] = []
    for match in flat.near(COURT_WORD, COURT, 50, 100):
        event = Event("court_decision", f"{match['court']} decision", match.start(), match.end())
        events.append(_with_details(flat, event, dates, mentions, anywhere=True))
    for match in flat.at_words(PROCEEDINGS, INSTITUTED_WORD):
        sentence = flat.sentence_of(match.start())
        inside = _in_sentence(flat, mentions, match.start())
        states = [m for m in inside if m.kind == "state"]
        courts = [
            m for m in inside if m.kind == "organization" and re.search(r"Court|Tribunal", m.label)
        ]
        against = [
            m
            for m in states
            if re.search(r"against\s(?:the\s)?$", text[max(sentence[0], m.start - 12) : m.start])
        ]
        applicant = [m for m in states if m not in against][:1]
        parties = applicant + against[:1]
        case = " v. ".join(m.label for m in parties) or "Proceedings"
        for name in [f"{case} before the {c.label}" for c in courts] or [case]:
            event = Event("court_proceedings", name, match.start(), match.end())
            event.parties = parties
            events.append(event)
    return events


def _wars(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], _c: Citations
) -> list[Event]:
    text = flat.text
    events: list[Event] = []
    for match in flat.near(WAR_WORD, WAR_END, 60, 20):
        name = match["name"][0].upper() + match["name"][1:]
        event = Event("war", name, match.start("name"), match.end(), last=match["year"])
        event.key = f"war ending {match['year']}"
        events.append(event)
    for match in flat.near(AGGRESSION_WORD, AGGRESSION, 40, 50):
        event = Event("war", match["name"], match.start(), match.end())
        event.key = "war " + match["name"].split()[0].lower()
        events.append(_with_details(flat, event, dates, mentions))
    for match in flat.near(LAUNCH_WORD, WAR_START, 5, 70):
        sentence = flat.sentence_of(match.start())
        years = _between(dates, sentence[0], sentence[1])
        if years:
            name = " ".join(text[sentence[0] : match.end()].split())[:150]
            events.append(Event("war", name, sentence[0], match.end(), years[0].value))
    return events


def _operations(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], _c: Citations
) -> list[Event]:
    text = flat.text
    events: list[Event] = []
    by_sentence: dict[tuple[int, int], list[re.Match[str]]] = {}
    for found in flat.near(OPERATION_WORD, OPERATION, 40, 40):
        by_sentence.setdefault(flat.sentence_of(found.start()), []).append(found)
    for (sentence_start, sentence_end), operations in by_sentence.items():
        sentence = text[sentence_start:sentence_end]
        inside = _between(dates, sentence_start, sentence_end)
        respectively = "respectively" in sentence and len(inside) >= len(operations)
        for index, match in enumerate(operations):
            name = match["name"][0].upper() + match["name"][1:]
            start = match.start()
            if respectively:
                date: DateMention | None = inside[index]
            else:
                date = next((d for d in inside if d.start >= start), None)
            event = Event("military_operation", name, start, match.end())
            if date:
                event.date, event.last = date.value, date.last
            events.append(event)
    return events


def _others(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], _c: Citations
) -> list[Event]:
    text = flat.text
    events: list[Event] = []
    for match in flat.near(DAY_WORD, OBSERVANCE, 30, 130):
        events.append(Event("observance", match.group().strip(), match.start(), match.end()))
    for match in flat.near(SINCE_WORD, ESTABLISHED_SINCE, 30, 10):
        date = _date_at(dates, match.end())
        if date:
            sentence = flat.sentence_of(match.start())
            kind = "deployment" if "deployed" in match.group() else "establishment"
            subject = " ".join(text[sentence[0] : match.start()].split()[:8])
            events.append(Event(kind, subject, sentence[0], date.end, date.value))
    for match in flat.near(POLICY_WORD, POLICY, 5, 160):
        sentence = flat.sentence_of(match.start())
        name = f"Declaration of {match['what'].strip()} as {match['as'].strip()}"
        event = Event("policy_decision", name, match.start(), match.end())
        events.append(_with_details(flat, event, dates, mentions, anywhere=True))
    return events


def _ordinal(word: str) -> int:
    word = word.lower()
    if word[0].isdigit():
        return int(re.sub(r"\D", "", word))
    if "-" in word:
        tens, unit = word.split("-", 1)
        return TENS.get(tens, 0) + ORDINAL_NUMBERS.get(unit, 0)
    return ORDINAL_NUMBERS.get(word, 20 if word == "twentieth" else 30)


def _trim_name(name: str) -> str:
    """Drop the words after a name ("… on Mine Action held"): trailing function words, and
    trailing lower-case words once a capitalized word has been seen."""
    words = name.split()
    capitalized = any(w[:1].isupper() for w in words[1:])
    while words and (
        words[-1] in ("of", "on", "the", "for", "and", "to", "in")
        or (capitalized and words[-1].islower() and len(words) > 2)
    ):
        words.pop()
    return " ".join(words).rstrip(",;:")


def _with_details(
    flat: Flat,
    event: Event,
    dates: list[DateMention],
    mentions: list[Mention],
    anywhere: bool = False,
) -> Event:
    sentence = flat.sentence_of(event.start)
    after = _between(dates, event.end, sentence[1])
    if not after and anywhere:
        after = _between(dates, sentence[0], sentence[1])
    if after:
        event.date, event.last = after[0].value, after[0].last
    text = flat.text
    for mention in _in_sentence(flat, mentions, event.start):
        if mention.start < event.end:
            continue
        before = text[max(sentence[0], mention.start - 30) : mention.start]
        if mention.kind == "place" or (
            mention.kind == "state" and re.search(r"\b(?:in|at)\s$", before)
        ):
            event.places.append(mention)
        if mention.kind in ("organization", "state") and re.search(
            r"(?:organi[sz]ed|hosted|convened)\sby\s(?:the\s)?[^.;]{0,80}$",
            text[event.end : mention.start],
        ):
            event.organizers.append(mention)
    return event


def _in_sentence(flat: Flat, mentions: list[Mention], offset: int) -> list[Mention]:
    start, end = flat.sentence_of(offset)
    return _between(mentions, start, end)


def _date_at(dates: list[DateMention], offset: int) -> DateMention | None:
    near = _between(dates, offset, offset + 4)
    return near[0] if near else None


class Positioned(list):  # type: ignore[type-arg]
    """Dates or mentions sorted by start, with their starts, for bisection: an event's work is
    bounded by its sentence, not by the document's length."""

    def __init__(self, items: list[Any]) -> None:
        super().__init__(sorted(items, key=lambda item: item.start))
        self.starts = [item.start for item in self]


def _between(items: list[Any], start: int, end: int) -> list[Any]:
    """The items (sorted by start) that start in ``[start, end)``."""
    starts = items.starts if isinstance(items, Positioned) else [i.start for i in items]
    return list(items[bisect_left(starts, start) : bisect_left(starts, end)])


TRIGGERS = {
    "visit": "visit",
    "meet": "meeting",
    "meeting": "meeting",
    "conference": "conference",
    "sign": "signing",
    "signing": "signing",
    "signature": "signing",
    "adopt": "resolution_adoption",
    "adoption": "resolution_adoption",
    "survey": "survey",
    "establish": "establishment",
    "establishment": "establishment",
    "election": "election",
    "attack": "attack",
    "launch": "project",
    "deploy": "deployment",
    "deployment": "deployment",
}
TRIGGER_REACH = 90
TRIGGER_NAME = re.compile(r"[^,;:().]{0,70}")


def _triggered(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], _c: Citations
) -> list[Event]:
    """An event noun or verb (any inflection: "visited", "signing", "adopted") with a full
    date in the same clause: "my visit to Viet Nam on 11 and 12 April 1993", "surveyed in
    May 2004", "done at Oslo on 18 September 1997". One event per date and clause."""
    text = flat.text
    events: list[Event] = []
    seen: set[tuple[str, tuple[int, int]]] = set()
    triggers = flat.words_where(lambda word: lemma(word) in TRIGGERS)
    for at in triggers:
        match = re.compile(r"[A-Za-z]+").match(text, at)
        if match is None:
            continue
        kind = TRIGGERS[lemma(match.group().lower())]
        sentence = flat.sentence_of(match.start())
        near = _between(
            dates,
            max(sentence[0], match.start() - TRIGGER_REACH),
            min(sentence[1], match.end() + TRIGGER_REACH),
        )
        near = [d for d in near if len(d.value) >= 7 and ";" not in text[match.end() : d.start]]
        if not near:
            continue
        date = min(near, key=lambda d: abs(d.start - match.start()))
        if (date.value, sentence) in seen:
            continue
        seen.add((date.value, sentence))
        tail = TRIGGER_NAME.match(text, match.end())
        name = text[match.start() : match.end()] + (tail.group() if tail else "")
        name = _trim_name(name.split(" on ")[0].split(" in 19")[0].split(" in 20")[0])
        event = Event(kind, name, match.start(), match.start() + len(name), date.value, date.last)
        event.key = f"{kind} {date.value}"
        for mention in _in_sentence(flat, mentions, match.start()):
            if mention.kind == "place" and abs(mention.start - match.start()) < TRIGGER_REACH:
                event.places.append(mention)
        events.append(event)
    return events


def _merge(events: list[Event]) -> list[Event]:
    """One event per key (or name): later mentions fill in what the first one lacks; a themed
    or named mention on the same full date as an earlier event of its type is that event."""
    merged: dict[tuple[str, str], Event] = {}
    for event in sorted(events, key=lambda e: e.start):
        key = (event.type, event.key or _key(event.name))
        first = merged.get(key)
        if first is None and event.date and len(event.date) == 10:
            first = next(
                (e for e in merged.values() if e.type == event.type and e.date == event.date), None
            )
        if first is None:
            merged[key] = event
            continue
        if event.date and (first.date is None or len(event.date) > len(first.date)):
            first.date, first.last = event.date, event.last
        if len(event.name) > len(first.name) and event.type not in ("war",):
            first.name = event.name
        first.theme = first.theme or event.theme
        for name in ("places", "organizers", "parties"):
            known = {m.label for m in getattr(first, name)}
            getattr(first, name).extend(m for m in getattr(event, name) if m.label not in known)
    return list(merged.values())


def _key(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", "", name.lower()).split()
    return " ".join(w for w in words if w not in ("the", "of", "a"))


SPOKEN = re.compile(
    rf"\b(?P<d>{DAY})\s(?P<m>{MONTH})(?:\s(?P<rel>this|last|next)\syear)?\b(?!,?\s\d)"
    rf"|\b(?P<m2>{MONTH})\s(?P<rel2>this|last|next)\syear\b"
    rf"|\b(?i:in|on|during|since|until|by)\s(?P<m3>{MONTH})\b(?!,?\s\d)"
    r"|\b(?P<relm>[Ll]ast|[Tt]his|[Nn]ext)\smonth\b"
    r"|\b(?P<day>today|tonight|this\smorning|yesterday|last\snight)\b"
)
FUTURE = re.compile(r"\b(?:will|shall|to\sbe\sheld|due|upcoming|forthcoming)\b")
DAY_OFFSET = {"today": 0, "tonight": 0, "this morning": 0, "yesterday": -1, "last night": -1}


def _with_spoken(flat: Flat, dates: list[DateMention], today: str) -> list[DateMention]:
    """``dates`` and the dates a speech or a release gives relative to its own: a month with no
    year is one of the document's year, the year before if it is later in the year and the
    clause tells of the past ("In August, we called for"), the year after if it is earlier and
    the clause tells of what will be ("will be held in May"); "14 January this year", "May last
    year", "last month", "yesterday". One replaces a coarser date it contains ("this year")."""
    text = flat.text
    spoken: list[DateMention] = []
    for match in SPOKEN.finditer(text):
        value = _spoken_value(match, today, FUTURE.search(text, *flat.sentence_of(match.start())))
        if value is not None:
            spoken.append(DateMention(match.start(), match.end(), value))
    kept = [
        d
        for d in dates
        if not any(
            s.start <= d.start and d.end <= s.end and len(s.value) > len(d.value) for s in spoken
        )
    ]
    taken = [(d.start, d.end) for d in kept]
    kept += [s for s in spoken if not any(a < s.end and s.start < b for a, b in taken)]
    return sorted(kept, key=lambda d: d.start)


def _spoken_value(match: re.Match[str], today: str, future: object) -> str | None:
    year, this_month = int(today[:4]), int(today[5:7]) if len(today) >= 7 else 0
    if match["day"]:
        if len(today) < 10:
            return None
        day = date.fromisoformat(today) + timedelta(days=DAY_OFFSET[match["day"]])
        return day.isoformat()
    if match["relm"]:
        if not this_month:
            return None
        offset = {"last": -1, "this": 0, "next": 1}[match["relm"].lower()]
        month = this_month + offset
        year, month = (
            (year - 1, 12) if month == 0 else (year + 1, 1) if month == 13 else (year, month)
        )
        return f"{year:04d}-{month:02d}"
    month = MONTHS[(match["m"] or match["m2"] or match["m3"]).lower().rstrip(".")]
    relative = match["rel"] or match["rel2"]
    if relative:
        year += {"last": -1, "this": 0, "next": 1}[relative]
    elif this_month and month > this_month and not future:
        year -= 1
    elif this_month and month < this_month and future:
        year += 1
    of_month = f"-{int(match['d']):02d}" if match["d"] else ""
    return f"{year:04d}-{month:02d}{of_month}"
