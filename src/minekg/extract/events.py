"""Events a document tells of: conferences, summits, meetings, signings, adoptions, court
decisions, wars, observances, with the dates, places and organizers the same sentence gives.

Each kind has its formula in this family of texts: an ordinal and a head noun for recurring
meetings ("3rd International Conference on Mine Action", "the fifteenth meeting of the States
parties to …", "twenty-ninth session of the Conference of the Parties"); "signed" with an
instrument ("a statement of intent", "tripartite statement signed by …"); a cited resolution
"of 7 December 2023"; "the Court issued/ruled/decided"; "the end of the war in 2020". A
recurring name mentioned several times is one event, its details merged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from minekg.extract.citations import Citations
from minekg.extract.dates import DateMention
from minekg.extract.entities import Mention
from minekg.extract.text import Flat

ORDINAL = (
    r"\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
    r"|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth"
    r"|nineteenth|twentieth|twenty-\w+|thirtieth|thirty-\w+"
)
HEAD = r"Review\sConference|Conference|Summit|Meeting|Session|conference|summit|meeting|session"
NAME_WORD = r"(?:[A-Z][\w.\-’']*|of|on|the|for|and|to|in)"
MEETING = re.compile(
    rf"\b(?P<ordinal>{ORDINAL})\s(?P<name>(?:[A-Z][\w\-]*\s){{0,5}}(?P<head>{HEAD})"
    rf"(?:\s(?:of|on|to)\s(?:the\s)?(?:{NAME_WORD}\s?){{1,16}})?)",
    re.IGNORECASE,
)
THEMED = re.compile(
    r"\b(?P<name>(?:[Ss]pecial|[Ii]nternational|[Rr]egional|[Gg]lobal)\s(?:[Cc]onference|[Ss]ummit"
    r"|[Mm]eeting|[Ww]orkshop|[Ff]orum))\s(?:on\s(?:the\s)?(?:theme\s)?)?[“\"](?P<theme>[^”\"]{5,160})[”\"]"
)
SIGNING = re.compile(
    r"\b(?P<name>(?:a\s|the\s)?(?:trilateral|tripartite|joint|bilateral)?\s?(?:statement\sof\sintent"
    r"|letter\sof\sintent|memorandum\sof\sunderstanding|agreement|statement|declaration|treaty"
    r"|accord|protocol)(?:\sto\s[a-z]+\s(?:the\s)?(?:[A-Z][\w\-]*\s?(?:of\s|on\s|and\s|for\s)?){1,10})?)"
    r"[^.]{0,40}?\bsigned\b|\bsigned\s(?P<name2>(?:a|the)\s(?:statement\sof\sintent|letter\sof\sintent"
    r"|memorandum\sof\sunderstanding|agreement|treaty|accord)(?:\sto\s[a-z]+\s(?:the\s)?"
    r"(?:[A-Z][\w\-]*\s?(?:of\s|on\s|and\s|for\s)?){1,10})?)",
)
DATED_STATEMENT = re.compile(
    r"\b(?:trilateral|tripartite|joint)\s(?:statement|declaration)\sof\s(?=\d)", re.IGNORECASE
)
ADOPTION = re.compile(r"\b(?:adopted|adoption\sof)\b")
ISSUANCE = re.compile(r"\b(?:issued|published|released)\son\s(?=\d)")
COURT = re.compile(
    r"\b(?P<court>(?:International\sCourt\sof\sJustice|European\sCourt\sof\sHuman\sRights|Court"
    r"|Tribunal))\b[^.]{0,60}?\b(?:issued|delivered|handed\sdown|ruled|decided|ordered|rendered)\b"
)
PROCEEDINGS = re.compile(
    r"\binstituted\s(?:legal\s)?proceedings|\bfiled\s(?:a\s)?(?:case|suit|application)"
)
WAR_END = re.compile(
    r"\b(?:end\sof|since|after)\s(?:the\s)?(?P<name>(?:[A-Z][\w\-]+\s){0,3}[Ww]ar)\s(?:in\s)?(?P<year>(?:19|20)\d\d)\b"
)
WAR_START = re.compile(
    r"\b(?:launched|started|began|unleashed)\s(?:a\s|an\s)?(?:[\w\-]+\s){0,2}(?:military\s)?"
    r"(?P<what>assault|aggression|offensive|attack|war|invasion)\b"
)
OBSERVANCE = re.compile(
    r"\bInternational\sDay\s(?:for|of|against)\s(?:[A-Z][\w\-]*\s?(?:and\s|in\s|for\s|of\s)?){2,10}"
)
ESTABLISHED_SINCE = re.compile(
    r"\b(?:operating|operational|been\sdeployed|deployed|established|launched)\s(?:since\s)"
)


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


def find_events(
    flat: Flat, dates: list[DateMention], mentions: list[Mention], citations: Citations
) -> list[Event]:
    text = flat.text
    events: list[Event] = []
    for match in MEETING.finditer(text):
        name = _trim_name(match.group())
        if name.lower().startswith(("second ", "first ")) and match["head"].lower() == "session":
            continue
        head = match["head"].lower()
        kind = (
            "summit"
            if head == "summit"
            else "meeting"
            if head in ("meeting", "session")
            else "conference"
        )
        if "conference of the parties" in name.lower() or "conference" in head:
            kind = "conference"
        events.append(
            _with_details(
                flat, Event(kind, name, match.start(), match.start() + len(name)), dates, mentions
            )
        )
    for match in THEMED.finditer(text):
        event = Event(
            "conference",
            f"{match['name']} on “{match['theme']}”",
            match.start(),
            match.end(),
            theme=match["theme"],
        )
        events.append(_with_details(flat, event, dates, mentions))
    for match in SIGNING.finditer(text):
        name = (match["name"] or match["name2"] or "").strip()
        name = re.sub(r"^(?:a|the)\s", "", name)
        if not name:
            continue
        event = Event("signing", f"Signing of the {name}", match.start(), match.end())
        event = _with_details(flat, event, dates, mentions)
        event.parties = [
            m
            for m in _in_sentence(flat, mentions, match.start())
            if m.kind in ("state", "organization")
        ]
        events.append(event)
    for match in DATED_STATEMENT.finditer(text):
        date = _date_at(dates, match.end())
        if date:
            name = text[match.start() : date.end]
            events.append(
                Event("signing", name[0].upper() + name[1:], match.start(), date.end, date.value)
            )
    for cited in citations.cited:
        if cited.symbol and re.search(r"RES|HCP", cited.symbol):
            follow = re.match(r",?\s?(?:\]\(#\)\s?)?of\s", text[cited.end : cited.end + 12])
            date = _date_at(dates, cited.end + follow.end()) if follow else None
            if date:
                events.append(
                    Event(
                        "resolution_adoption",
                        f"Adoption of {cited.symbol}",
                        cited.start,
                        date.end,
                        date.value,
                    )
                )
    for match in ISSUANCE.finditer(text):
        date = _date_at(dates, match.end())
        if date:
            sentence = flat.sentence_of(match.start())
            events.append(
                Event(
                    "report_issuance",
                    text[sentence[0] : match.start()].strip()[:150],
                    sentence[0],
                    date.end,
                    date.value,
                )
            )
    for match in COURT.finditer(text):
        event = Event("court_decision", f"{match['court']} decision", match.start(), match.end())
        events.append(_with_details(flat, event, dates, mentions, anywhere=True))
    for match in PROCEEDINGS.finditer(text):
        event = Event(
            "court_proceedings",
            text[flat.sentence_of(match.start())[0] : match.end()][:150],
            match.start(),
            match.end(),
        )
        event.parties = [
            m for m in _in_sentence(flat, mentions, match.start()) if m.kind == "state"
        ]
        events.append(event)
    for match in WAR_END.finditer(text):
        events.append(
            Event(
                "war",
                match["name"][0].upper() + match["name"][1:],
                match.start(),
                match.end(),
                last=match["year"],
            )
        )
    for match in WAR_START.finditer(text):
        sentence = flat.sentence_of(match.start())
        years = [d for d in dates if sentence[0] <= d.start < sentence[1]]
        if years:
            name = text[sentence[0] : match.end()].strip()[:150]
            events.append(Event("war", name, sentence[0], match.end(), years[0].value))
    for match in OBSERVANCE.finditer(text):
        events.append(Event("observance", match.group().strip(), match.start(), match.end()))
    for match in ESTABLISHED_SINCE.finditer(text):
        date = _date_at(dates, match.end())
        if date:
            sentence = flat.sentence_of(match.start())
            kind = "deployment" if "deployed" in match.group() else "establishment"
            events.append(
                Event(
                    kind,
                    text[sentence[0] : match.start()].strip()[:150],
                    sentence[0],
                    date.end,
                    date.value,
                )
            )
    return _merge(events)


def _trim_name(name: str) -> str:
    words = name.split()
    while words and words[-1] in ("of", "on", "the", "for", "and", "to", "in"):
        words.pop()
    return " ".join(words)


def _with_details(
    flat: Flat,
    event: Event,
    dates: list[DateMention],
    mentions: list[Mention],
    anywhere: bool = False,
) -> Event:
    sentence = flat.sentence_of(event.start)
    after = [d for d in dates if event.end <= d.start < sentence[1]]
    candidates = after or (
        [d for d in dates if sentence[0] <= d.start < sentence[1]] if anywhere else []
    )
    if candidates:
        event.date, event.last = candidates[0].value, candidates[0].last
    text = flat.text
    for mention in _in_sentence(flat, mentions, event.start):
        before = text[max(sentence[0], mention.start - 30) : mention.start]
        if mention.kind == "place" or (
            mention.kind == "state" and re.search(r"\bin\s(?:\w+\sand\s\w+,\s)?$", before)
        ):
            if mention.start >= event.end:
                event.places.append(mention)
        if mention.kind in ("organization", "state") and re.search(
            r"(?:organi[sz]ed|hosted|convened)\sby\s(?:the\s)?(?:[\w\s]{0,80}?)$",
            text[event.end : mention.start],
        ):
            event.organizers.append(mention)
    return event


def _in_sentence(flat: Flat, mentions: list[Mention], offset: int) -> list[Mention]:
    start, end = flat.sentence_of(offset)
    return [m for m in mentions if start <= m.start < end]


def _date_at(dates: list[DateMention], offset: int) -> DateMention | None:
    for date in dates:
        if offset <= date.start <= offset + 3:
            return date
    return None


def _merge(events: list[Event]) -> list[Event]:
    """One event per name: later mentions fill in what the first one lacks."""
    merged: dict[tuple[str, str], Event] = {}
    for event in sorted(events, key=lambda e: e.start):
        key = (event.type, _key(event.name))
        first = merged.get(key)
        if first is None:
            merged[key] = event
            continue
        if first.date is None or (event.date and len(event.date) > len(first.date)):
            first.date, first.last = event.date or first.date, event.last or first.last
        first.theme = first.theme or event.theme
        for name in ("places", "organizers", "parties"):
            known = {m.label for m in getattr(first, name)}
            getattr(first, name).extend(m for m in getattr(event, name) if m.label not in known)
    return list(merged.values())


def _key(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", "", name.lower()).split()
    numbers = {"first": "1", "second": "2", "third": "3", "fifteenth": "15", "nineteenth": "19"}
    words = [
        numbers.get(w, re.sub(r"(st|nd|rd|th)$", "", w) if re.match(r"\d", w) else w) for w in words
    ]
    return " ".join(w for w in words if w not in ("the", "of", "a"))
