"""Organizations the reference data does not know, by the ways texts define them.

Reports and statements define an organization once with its acronym ("the Cambodian Mine
Action Centre (CMAC)") and use the acronym after; they list organizations in apposition to a
generic noun ("four non-governmental organizations (HALO Trust, Mine Awareness Group,
Norwegian People's Aid and Handicap International)", "the Australian aid organisation,
AUSTCARE,"); a contact line names the office a person speaks for ("Geoff Adlide, AusAID, 02
…"). A state's ministry named with the state's adjective gets its canonical name: "Armenian
Ministry of Foreign Affairs" is the "Ministry of Foreign Affairs of Armenia".
"""

from __future__ import annotations

import re
from dataclasses import replace

import pycountry

from minekg.extract.entities import Mention, SpanIndex
from minekg.extract.text import WORD, Flat

ACRONYM = re.compile(r"\s\((?P<acronym>[A-Z][A-Z]{1,9})\)")
PHRASE_REACH = 160
GENERIC = re.compile(
    r"\b(?:organi[sz]ations|agencies|NGOs|partners|operators|donors|charities)\s\("
    r"(?P<list>[^()]{5,300})\)"
)
APPOSITION = re.compile(
    r"\b(?:organi[sz]ation|agency|NGO|charity|operator|company),\s(?P<name>[A-Z][\w’'\-]+"
    r"(?:\s[A-Z][\w’'\-]+){0,4}),"
)
CONTACT = re.compile(r"\b[Cc]ontacts?\s?:")
# The first words of GENERIC, APPOSITION and CONTACT, where each is tried.
GENERIC_WORD = frozenset(
    "organisations organizations agencies ngos partners operators donors charities".split()
)
APPOSITION_WORD = frozenset("organisation organization agency ngo charity operator company".split())
CONTACT_WORD = frozenset({"contact", "contacts"})
CONTACT_ORG = re.compile(
    r"[A-Z][a-z]+\s[A-Z][a-z’'\-]+\s?(?:,\s|\()(?P<org>[A-Z][\w’'\-]+(?:\s[A-Z][\w’'\-]+){0,4})"
    r"(?:,|\))\s?\d"
)
CONTACT_REACH = 400
MINISTRY = re.compile(r"^(?P<adjective>[A-Z][a-z]+)\s(?P<rest>(?:Ministry|Embassy)\b.*)$")
POST_OF = re.compile(
    r"^(?:Spokesperson|Spokesman|Minister|Head|Director|Chair\w*|Secretary|President|Deputy"
    r"|Representative|Ambassador)\s(?:of|for|at)\s(?:the\s)?(?P<rest>.+)$"
)
STATE_PARTY = re.compile(r"^(?:States?|High\sContracting)\sPart(?:y|ies)$")
NOT_ORGANIZATION = re.compile(r"^(?:Ministerial|Office|Minister|Government|Mr|Ms|Mrs)$")
# An organization's kind by the head noun of its name, in the kinds of the reference data
# (data/reference/organizations.yaml); the first that matches wins ("United Nations Mine Action
# Centre" is of the UN system before it is a centre).
KIND_BY_HEAD = [
    (
        re.compile(r"\b(?:Armed\sForces|Army|Forces|Navy|Air\sForce|Militia|Brigade|Guard)\b"),
        "armed_forces",
    ),
    (re.compile(r"\b(?:Ministry|Department\sof)\b"), "ministry"),
    (re.compile(r"\b(?:Court|Tribunal)\b"), "court"),
    (re.compile(r"\b(?:Mission|Embassy|Delegation)\b"), "mission"),
    (re.compile(r"^United\sNations\b"), "un_entity"),
    (re.compile(r"\b(?:Centre|Center|Institute|Academy|School)\b"), "centre"),
    (
        re.compile(r"\b(?:Agency|Authority|Directorate|Commission|Service|Bureau)\b"),
        "national_agency",
    ),
    (re.compile(r"\b(?:Trust|Aid|Foundation|Society|Association|Campaign|Watch|Relief)\b"), "ngo"),
]
# Parties to a conflict or to politics, which a claim can accuse: political parties, fronts,
# movements and armed forces.
BELLIGERENT = re.compile(r"\b(?:Party|Front|Movement|Armed\sForces|Army|Forces|Militia|Rebels)\b")


def guess_kind(name: str) -> str | None:
    """The kind of organization a name says it is, by its head noun; None if it does not."""
    return next((kind for pattern, kind in KIND_BY_HEAD if pattern.search(name)), None)


def find_organizations(flat: Flat, mentions: list[Mention]) -> list[Mention]:
    """Organizations defined by an acronym, listed after a generic noun, or in contact lines;
    each use of a defined acronym or name after its definition is a mention of the same one."""
    text = flat.lined
    found: list[Mention] = []
    acronyms: dict[str, str] = {}
    for match in ACRONYM.finditer(text):
        phrase_start = max(0, match.start() - PHRASE_REACH)
        phrase = re.split(r"[.;:()¶]", text[phrase_start : match.start()])[-1]
        name = _defined_name(phrase, match["acronym"])
        if name:
            start = match.start() - len(phrase) + phrase.rindex(name)
            found.append(Mention("organization", name, start, start + len(name)))
            acronyms.setdefault(match["acronym"], name)
    for match in flat.at_words(GENERIC, GENERIC_WORD, text):
        offset = match.start("list")
        for item in re.finditer(r"[^,]+?(?=,\s|\sand\s|$)", match["list"]):
            name = item.group().strip().removeprefix("and ").strip()
            if re.fullmatch(r"[A-Z][\w’'\-]*(?:\s[A-Z][\w’'\-]*){0,5}", name):
                start = offset + item.start() + item.group().index(name)
                found.append(Mention("organization", name, start, start + len(name)))
    for match in flat.at_words(APPOSITION, APPOSITION_WORD, text):
        found.append(Mention("organization", match["name"], match.start("name"), match.end("name")))
    for contact in flat.at_words(CONTACT, CONTACT_WORD, text):
        for match in CONTACT_ORG.finditer(text, contact.end(), contact.end() + CONTACT_REACH):
            if not NOT_ORGANIZATION.match(match["org"]):
                found.append(
                    Mention("organization", match["org"], match.start("org"), match.end("org"))
                )
    if acronyms:
        # Each later use of a defined name, by its acronym or in full, looked for only at its
        # first word.
        names = {name: name for name in acronyms.values()} | acronyms
        spelled = sorted(names, key=len, reverse=True)
        uses = re.compile(rf"\b(?:{'|'.join(map(re.escape, spelled))})\b")
        first = {n: WORD.search(n.lower()) for n in names}
        words = frozenset(w.group() for w in first.values() if w)
        lead = max((w.start() for w in first.values() if w), default=0)
        defined = {(m.start, m.end) for m in found}
        found += [
            Mention("organization", names[m.group()], m.start(), m.end())
            for m in flat.near(words, uses, lead, len(spelled[0]) + 1, text)
            if (m.start(), m.end()) not in defined
        ]
    taken = SpanIndex([m for m in mentions if m.kind != "organization" or m.key is not None])
    return [
        m
        for m in found
        if not any(not _inside(t, m) for t in taken.overlapping(m.start, m.end))
        and not STATE_PARTY.match(m.label)
    ]


def _inside(inner: Mention, outer: Mention) -> bool:
    """A known organization's name inside a longer one ("United Nations" in "United Nations
    Mine Action Service"): the longer name is another organization."""
    return (
        inner.kind == "organization"
        and outer.start <= inner.start
        and inner.end <= outer.end
        and (inner.start, inner.end) != (outer.start, outer.end)
    )


def canonical(mentions: list[Mention]) -> list[Mention]:
    """A ministry named by its state's adjective takes the canonical name "… of State"; "UN"
    in a name is written out ("UN Mine Action Service"); a post before it is the person's,
    not the organization's ("Spokesperson of the …")."""
    return [_canonical(m) if m.kind == "organization" and m.key is None else m for m in mentions]


def _canonical(mention: Mention) -> Mention:
    post = POST_OF.match(mention.label)
    if post and len(post["rest"].split()) >= 2:
        mention = replace(mention, label=post["rest"], start=mention.start + post.start("rest"))
    if mention.label.startswith("UN "):
        mention = replace(mention, label="United Nations " + mention.label[3:])
    match = MINISTRY.match(mention.label)
    state = _state_of_adjective(match["adjective"]) if match else None
    if match is None or state is None:
        return mention
    return replace(mention, label=f"{match['rest']} of {state}")


def _state_of_adjective(adjective: str) -> str | None:
    """ "Armenian" → "Armenia", "Azerbaijani" → "Azerbaijan", "Ukrainian" → "Ukraine"."""
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        if " " in name or "," in name:
            continue
        stem = name[:-1] if name[-1] in "aeiouy" else name
        if adjective.startswith(stem) and re.fullmatch(
            r"(?:a|e|ia|ai)?(?:n|an|ian|i|ese|ish)", adjective[len(stem) :]
        ):
            return name
    return None


def _defined_name(phrase: str, acronym: str) -> str | None:
    """The shortest tail of ``phrase`` whose words' initials spell ``acronym``, capitalised
    words only or with the linking words ("State of Cambodia" for SOC); a word in capitals
    gives all its letters ("UN Mine Action Service" for UNMAS)."""
    words = phrase.split()
    for first in range(len(words) - 1, -1, -1):
        if not words[first][:1].isupper():
            continue
        tail = words[first:]
        if not tail[-1][:1].isupper():
            return None
        capitals = "".join(_letters(w) for w in tail if w[:1].isupper())
        with_links = "".join(_letters(w) if w[:1].isupper() else w[0].upper() for w in tail)
        if acronym in (capitals, with_links):
            return " ".join(tail)
        if len(capitals) > len(acronym) + 1:
            return None
    return None


def _letters(word: str) -> str:
    return word if word.isupper() and word.isalpha() else word[0]
