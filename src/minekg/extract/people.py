"""Persons the reference data does not know, by the ways texts introduce people.

A person in a statement or report is introduced by a title or post before the name ("Mr.",
"Dr", "the Hon", "Prince", "Prime Minister", "Spokesperson": ``nameparser``'s list of titles),
by a post in apposition ("the Shadow Minister for Foreign Affairs, Kevin Rudd, said"), by a
reporting verb after the name ("Anna Naghdalyan said"), in capitals before "MP" on a media
release, or in a contact line ("Media contacts: Innes Willox (Ministerial) 02 6277 7500").
Once a full name is known, the same person is recognised again by title and surname ("Mr Rudd"
after "Kevin Rudd"). A name found inside a longer organization name ("Ministry of Foreign
Affairs Anna Naghdalyan") splits it: the organization ends where the person begins.
"""

from __future__ import annotations

import re
from dataclasses import replace

from nameparser.config import CONSTANTS

from minekg.extract.entities import ORGANIZATION_HEAD, Mention, SpanIndex
from minekg.extract.places import is_common
from minekg.extract.text import Flat, matches_from

NAME = (
    r"[A-Z][a-zà-ÿ’'\-]+(?:\s[A-Z]\.)?"
    r"(?:\s(?:de\s|da\s|van\s|von\s|bin\s|al-)?[A-Z][a-zà-ÿ’'\-]+){1,2}"
)
SHORT_TITLES = r"Mr|Mrs|Ms|Dr|Hon|Sir|Dame|Prince|Princess|King|Queen|Sheikh|Judge|Senator"
TITLED = re.compile(rf"\b(?:{SHORT_TITLES})\.?\s(?P<name>{NAME})")
SHORT_TITLE = frozenset(SHORT_TITLES.lower().split("|"))  # where TITLED is tried
POSTS = (
    r"President|Prime\sMinister|Minister|Ambassador|Secretary-General|Secretary|Director"
    r"|Director-General|Chair|Chairperson|Chairman|Spokesperson|spokesperson|Spokesman"
    r"|spokesman|Envoy|Rapporteur|Representative|Commissioner|Governor|Mayor|Deputy|Head"
    r"|Chief|Coordinator|Adviser|Advisor|Officer|Commander|General"
)
POST_BEFORE = re.compile(
    rf"\b(?:{POSTS})(?:\s(?:for|of|on)\s(?:the\s)?(?:[A-Z][\w’'\-]+\s?){{1,4}})?,?\s(?P<name>{NAME})"
    r"(?=[,.\s]|$)"
)
SAID = re.compile(
    rf"(?P<name>{NAME})\s(?:said|says|stated|told|added|noted|emphasi[sz]ed|stressed|announced"
    r"|declared|warned|wrote|explained|urged)\b"
)
CAPITALS_MP = re.compile(
    r"(?:\b(?:HON\.?|Hon\.?)\s(?P<name>[A-Z]{2,}(?:\s[A-Z]{2,}){1,2})"
    r"|(?:^|¶)\s?(?P<name2>[A-Z]{2,}(?:\s[A-Z]{2,}){1,2})\sM\.?\s?P\.?)(?=[\s¶,]|$)"
)
CONTACT = re.compile(r"\b[Cc]ontacts?\s?:")
CONTACT_WORD = frozenset({"contact", "contacts"})  # where CONTACT is tried
CONTACT_NAME = re.compile(
    rf"(?:^|[:;¶]|\bor\b|\d)\s*(?P<name>{NAME})\s?(?=\(|,|\s\d|\s[A-Z][a-z]+\s\d)"
)
CONTACT_REACH = 400
NOT_FIRST = frozenset(
    "The This That These Those Since In On At As By For Under With From Our Its Their His Her"
    " A An All Each Media Contact Contacts Government Minister Ministry Office State States"
    " Highness".split()
)


def find_persons(flat: Flat, mentions: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """New persons, and ``mentions`` with any organization that swallowed one of them cut."""
    text = flat.lined
    found: list[Mention] = []
    for match in flat.at_words(TITLED, SHORT_TITLE, text):
        _add(found, match["name"], match.start("name"))
    for match in flat.near(POST_WORDS, POST_BEFORE, 90, 80, text):
        _add(found, match["name"], match.start("name"), strict=True)
    for match in flat.near(SAID_WORDS, SAID, 60, 10, text):
        _add(found, match["name"], match.start("name"), strict=True)
    for match in _capitals_mp(flat, text):
        group = "name" if match["name"] else "name2"
        _add(found, match[group].title(), match.start(group), len(match[group]))
    for contact in flat.at_words(CONTACT, CONTACT_WORD, text):
        for match in CONTACT_NAME.finditer(text, contact.end() - 1, contact.end() + CONTACT_REACH):
            _add(found, match["name"], match.start("name"))
    found += _again(flat, found)
    persons = SpanIndex(found)
    kept = SpanIndex([_cut(m, persons) for m in mentions])
    new = [
        p
        for p in found
        if not any(
            m.kind != "organization" or (m.start <= p.start and p.end <= m.end)
            for m in kept.overlapping(p.start, p.end)
        )
    ]
    return _unique(new), kept.items


def _capitals_mp(flat: Flat, text: str) -> list[re.Match[str]]:
    """What ``CAPITALS_MP.finditer(text)`` finds, tried only where it can begin: at the word
    "Hon", at the start of the text or at a line's "¶"."""
    starts = flat.line_marks + flat.words_where({"hon"})
    return matches_from(CAPITALS_MP, text, sorted(set(starts)))


def with_author(mentions: list[Mention], flat: Flat, author: str | None) -> list[Mention]:
    """The document's author is a person it names, and "Mr Surname" later is the author."""
    if not author or any(m.kind == "person" and m.label == author for m in mentions):
        return mentions
    at = flat.text.find(author)
    start = at if at >= 0 else 0
    author_mention = Mention("person", author, start, start + len(author))
    again = _again(flat, [author_mention])
    index = SpanIndex(mentions)
    taken = [m for m in again if not index.overlapping(m.start, m.end)]
    return sorted([*mentions, author_mention, *taken], key=lambda m: (m.start, m.end))


def _add(
    found: list[Mention], name: str, start: int, length: int | None = None, strict: bool = False
) -> None:
    """A name, without a post after it; under a weak cue (a post or a verb nearby) a name is
    no run of words English writes in lower case ("Mine Action Centre said"), and such words
    before it are not part of it ("Foreign Affairs Anna Naghdalyan said")."""
    words = name.split()
    while words and words[-1] in POST_TITLE_WORDS:
        words.pop()
    if len(words) < 2 or words[0] in NOT_FIRST or words[0] in POST_TITLE_WORDS:
        return
    while strict and words and (is_common(words[0]) or words[0].lower() in ORGANIZATION_HEAD):
        start += len(words.pop(0)) + 1
    if strict and (
        len(words) < 2 or any(is_common(w) or w.lower() in ORGANIZATION_HEAD for w in words)
    ):
        return
    name = " ".join(words)
    found.append(Mention("person", name, start, start + (length or len(name))))


def _again(flat: Flat, persons: list[Mention]) -> list[Mention]:
    """ "Mr Rudd", "Dr Sullivan" after the full name: the same person, by title and surname."""
    surnames = {p.label.split()[-1]: p.label for p in persons}
    if not surnames:
        return []
    pattern = re.compile(
        rf"\b(?:{SHORT_TITLES})\.?\s(?P<surname>{'|'.join(map(re.escape, surnames))})\b"
    )
    return [
        Mention("person", surnames[m["surname"]], m.start(), m.end())
        for m in flat.at_words(pattern, SHORT_TITLE, flat.lined)
    ]


def _cut(mention: Mention, persons: SpanIndex) -> Mention:
    """An organization that ends in a person's name ends before it."""
    if mention.kind != "organization" or mention.key is not None:
        return mention
    for person in persons.overlapping(mention.start, mention.end):
        if mention.start < person.start < mention.end <= person.end + 1:
            return replace(
                mention,
                end=person.start - 1,
                label=mention.label[: person.start - mention.start].strip(),
            )
    return mention


def _unique(mentions: list[Mention]) -> list[Mention]:
    seen: dict[tuple[int, int], Mention] = {}
    for mention in mentions:
        seen.setdefault((mention.start, mention.end), mention)
    return sorted(seen.values(), key=lambda m: (m.start, m.end))


POST_WORDS = frozenset(
    re.sub(r"\\s", " ", POSTS).lower().replace("-", " ").replace("|", " ").split()
)
SAID_WORDS = frozenset(
    "said says stated told added noted emphasised emphasized stressed announced declared warned"
    " wrote explained urged".split()
)
POST_TITLE_WORDS = frozenset(word.title() for word in CONSTANTS.titles if word.isalpha()) | {
    "MP",
    "Mp",
    "M.P",
    "Hon",
}
