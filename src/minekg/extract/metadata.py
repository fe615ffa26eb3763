"""What a document says about itself: type, title, date, author, the body they speak for, addressee,
and its annexes as parts.

UN correspondence follows fixed formulas: a title "Letter dated 12 December 2024 from the
Permanent Representative of X to the United Nations addressed to the Secretary-General", a
signature "(Signed) Name" over the signer's post, annexes headed "Annex I to the letter dated …".
News and opinion pieces put the title on the first line and the author in a byline ("By Name")
or a closing note ("Name is the First Secretary of the Embassy"). A UN document's masthead
("Distr. GENERAL", its symbol beside the distribution date, "ORIGINAL: ENGLISH", the title in
capitals) makes it a report or resolution of its organ, whatever it reports on. A treaty text
opens with its title as a heading over "Article 1" and is dated where it was "done at". An
archived media release or speech carries YAML front matter (title, date, creators "Last,
First", the speaker's post as source, the archive's address): that is the document's own
statement of who speaks, and the government's country is read from its ".gov.xx" address.
Those formulas are what this module reads; anything else is left empty for the reviewer rather
than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pycountry
import yaml

from minekg.extract.dates import DateMention, find_dates
from minekg.extract.entities import Mention
from minekg.extract.text import Flat

LETTER_TITLE = re.compile(
    r"(?P<title>(?:Identical\s)?[Ll]etters?\sdated\s(?P<date>[^,]{6,25}?\d{4})\sfrom\s(?:the\s)?"
    r"(?P<from>[^.]{5,200}?)\saddressed\sto\s(?:the\s)?(?P<to>(?:Secretary-General|President\sof"
    r"\sthe\s(?:Security\sCouncil|General\sAssembly)|Chair\w*\sof\s[^.]{3,80}?))(?=\s|$))"
)
REPORT_TITLE = re.compile(r"Report\sof\sthe\sSecretary-General|[Rr]eport\sof\sthe\s[A-Z]")
RESOLUTION_TITLE = re.compile(r"[Rr]esolution\sadopted\sby\sthe")
ANNEX = re.compile(
    r"\bAnnex(?:\s[IVX]+|\s\d+)?\sto\sthe\s(?:letter|note\sverbale)\sdated\s[^.]{6,25}?\d{4}"
    r"(?:\sfrom\s[^.]{5,200}?\saddressed\sto\s(?:the\s)?(?:Secretary-General|President\sof\sthe"
    r"\s(?:Security\sCouncil|General\sAssembly)))?"
)
POST_WORDS = {
    "Ambassador",
    "Permanent",
    "President",
    "Minister",
    "Secretary",
    "Director",
    "Chair",
    "Head",
    "Deputy",
    "Representative",
    "Prime",
    "Chargé",
}
SIGNED = re.compile(r"\(Signed\)\s(?P<name>[A-Z][\w’'\-]+(?:\s[A-Z][\w’'\-]+){1,3})")
BYLINE = re.compile(r"(?:^|[\s¶])By\s(?P<name>[A-Z][a-z’'\-]+(?:\s[A-Z][a-z’'\-]+){1,2})")
BIO = re.compile(
    r"\b(?P<name>[A-Z][a-z’'\-]+(?:\s[A-Z][a-z’'\-]+){1,2})\sis\s(?:the|a|an)\s(?P<post>[^.]{3,80})"
)
SIGNATURE_POST = re.compile(
    r"(?P<name>[A-Z][a-z’'\-]+(?:\s[A-Z][a-z’'\-]+){1,2})[\s¶]+(?P<post>(?:President|Prime\sMinister|"
    r"Minister|Ambassador|Secretary-General|Director|Chair)[^.¶]{0,80}?)[\s¶]+(?P<place>[A-Z][a-z]+),\s"
    r"(?P<date>\d{1,2}\s[A-Z][a-z]+\s\d{4})"
)
ADDRESSEES = {
    "Secretary-General": "Secretary-General of the United Nations",
    "President of the Security Council": "President of the United Nations Security Council",
    "President of the General Assembly": "President of the United Nations General Assembly",
}
FRONT_MATTER = re.compile(r"\A---\n(?P<body>.*?)\n---\n", re.DOTALL)
GOVERNMENT_SITE = re.compile(r"\.gov\.(?P<cc>[a-z]{2})\b")
PERSON_CREATOR = re.compile(
    r"^(?P<last>[A-Z][\w’'\-]+(?:\s[A-Z][\w’'\-]+)?),\s(?P<first>[A-Z][\w.’'\-\s]+)$"
)
MASTHEAD = re.compile(r"\bDistr\.\s+(?:GENERAL|LIMITED|RESTRICTED)\b", re.IGNORECASE)
MASTHEAD_TITLE = re.compile(
    r"^(?!(?:Distr|ORIGINAL|Original|GENERAL|English)\b)(?P<title>[A-Z][A-Z0-9 ,.;:’'()\-–]{15,})$",
    re.MULTILINE,
)
TREATY_TITLE = re.compile(
    r"^#*\s*(?P<title>(?:Convention|Protocol|Treaty|Agreement|Charter)\s(?:on|of|for|relating"
    r"|concerning|between|to|on\s)[^\n]{5,400})$",
    re.MULTILINE,
)
TREATY_BODY = re.compile(
    r"\bArticle\s+1\b.*?\b(?:States\sParties|High\sContracting\sParties)\b", re.DOTALL
)
DONE_AT = re.compile(r"\b[Dd]one\sat\s[A-Z][^.;]{0,60}?(?:,\s|\s)(?:on\s)?(?:this\s)?")
SPOKEN = re.compile(
    r"\b(?:MEDIA\sRELEASE|Media\sRe[lI]ease|NEWS\sRELEASE|PRESS\sRELEASE|SPEECH|Speech|ADDRESS"
    r"|Address\sby|TRANSCRIPT|Transcript|STATEMENT\sBY|Statement\sby)\b"
)
OFFICIAL_WORK = re.compile(
    r"Embassy|Ministry|Mission|Permanent\sRepresentative|Government|Minister"
)


@dataclass
class Meta:
    """The document's own facts, each with the flat span that states it."""

    type: str = "article"
    title: str | None = None
    date: str | None = None
    author: str | None = None
    author_org: str | None = None
    addressee: str | None = None
    span: tuple[int, int] = (0, 0)
    author_span: tuple[int, int] | None = None
    parts: list[Meta] = field(default_factory=list)


def read_metadata(flat: Flat, mentions: list[Mention], main_state: Mention | None) -> Meta:
    text = flat.text
    annexes = [m.start() for m in flat.at_words(ANNEX, frozenset({"annex"}))]
    body_end = annexes[0] if annexes else len(text)
    meta = _segment_meta(flat, 0, body_end, mentions, main_state, covering=True)
    for index, start in enumerate(annexes):
        end = annexes[index + 1] if index + 1 < len(annexes) else len(text)
        meta.parts.append(_segment_meta(flat, start, end, mentions, main_state, covering=False))
    return meta


def _segment_meta(
    flat: Flat,
    start: int,
    end: int,
    mentions: list[Mention],
    main_state: Mention | None,
    covering: bool,
) -> Meta:
    text = flat.text
    annex = ANNEX.match(text, start) if not covering else None
    head_offset = annex.end() if annex else start
    head = text[head_offset : min(end, head_offset + 1200)]
    meta = Meta(span=(start, min(end, start + 60)))
    letter = LETTER_TITLE.search(head)
    if covering and _own_form(meta, flat, mentions):
        pass
    elif letter and letter.start() < 600:
        meta.type = "letter"
        meta.title = letter["title"]
        meta.span = (head_offset + letter.start(), head_offset + letter.end())
        dates = find_dates(letter["date"])
        meta.date = dates[0].value if dates else None
        meta.addressee = ADDRESSEES.get(letter["to"], letter["to"])
        meta.author_org = _org_in(
            mentions, head_offset + letter.start("from"), head_offset + letter.end("from")
        )
    elif report := REPORT_TITLE.search(head[:600]):
        meta.type = "report"
        lines = [
            line.strip()
            for line in flat.lined[head_offset : head_offset + report.start()].split("¶")
        ]
        title = next((line for line in reversed(lines) if line), None)
        if title and not re.match(r"(?:Item|Agenda|Distr|Original|\d)", title):
            meta.title = title
            at = flat.lined.rindex(title, head_offset, head_offset + report.start())
            meta.span = (at, at + len(title))
    elif RESOLUTION_TITLE.search(head[:600]):
        meta.type = "resolution"
    elif not covering and re.search(r"\bDeclaration\b", head[:400]):
        meta.type = "declaration"
    elif not covering and re.search(r"^\s*To\s(?:the\s)?participants", head):
        meta.type = "statement"
        greeting = re.match(r"\s*(To\s[^”\"]{5,200}(?:[“\"][^”\"]{3,200}[”\"])?)", head)
        if greeting:
            meta.title = greeting.group(1)
            meta.span = (head_offset + greeting.start(1), head_offset + greeting.end(1))
    if meta.type == "declaration":
        ranges = [d for d in find_dates(head[:400]) if d.last]
        meta.date = ranges[0].last if ranges else None
    if meta.title is None:
        meta.title, title_span = _first_line_title(flat, start, end, covering)
        if title_span:
            meta.span = title_span
    body = text[start:end]
    if meta.author is None:
        _author(meta, flat, start, flat.lined[start:end], mentions, main_state, covering)
    if meta.date is None:
        meta.date = _header_date(body[:200]) if covering else _signature_date(flat.lined[start:end])
    return meta


def _author(
    meta: Meta,
    flat: Flat,
    start: int,
    body: str,
    mentions: list[Mention],
    main_state: Mention | None,
    covering: bool,
) -> None:
    signed = SIGNED.search(body)
    signature = SIGNATURE_POST.search(body)
    if signed:
        meta.author = _without_post(signed["name"])
        meta.author_span = (start + signed.start(), start + signed.end())
        after = body[signed.end() : signed.end() + 200]
        if meta.author_org is None:
            meta.author_org = _org_in(
                mentions, start + signed.end(), start + signed.end() + len(after)
            )
    elif signature:
        meta.author = signature["name"]
        meta.author_span = (start + signature.start(), start + signature.end("post"))
        meta.author_org = meta.author_org or _org_in(
            mentions, start + signature.start("post"), start + signature.end("post")
        )
    else:
        byline = BYLINE.search(body[:200]) or BYLINE.search(body[-300:])
        bio = BIO.search(body[-400:])
        found = byline or bio
        if found:
            offset = start + (body.index(found.group()) if found.group() in body else 0)
            meta.author = found["name"]
            meta.author_span = (offset, offset + len(found.group()))
        if bio and OFFICIAL_WORK.search(bio["post"]) and main_state is not None:
            meta.author_org = meta.author_org or main_state.label
    if meta.author_org is None and meta.type == "article":
        media = [m for m in mentions if m.kind == "organization" and _is_media(m)]
        if media:
            meta.author_org = media[0].label
    if meta.author_org is None and meta.type == "letter" and main_state is not None:
        meta.author_org = main_state.label


def _without_post(name: str) -> str:
    words = name.split()
    for index, word in enumerate(words):
        if word in POST_WORDS:
            return " ".join(words[:index])
    return name


def _is_media(mention: Mention) -> bool:
    """A news outlet: typed so in the reference data, or named like one (a proposed entity)."""
    return mention.media or bool(
        re.search(
            r"\.(?:az|com|net|org|ru|uk)$|News|Times|Post|Press|TV|Radio",
            mention.label,
            re.IGNORECASE,
        )
    )


def _org_in(mentions: list[Mention], start: int, end: int) -> str | None:
    for mention in mentions:
        if start <= mention.start < end and mention.kind in ("state", "organization"):
            if mention.label not in ("United Nations",):
                return mention.label
    return None


def _first_line_title(
    flat: Flat, start: int, end: int, covering: bool
) -> tuple[str | None, tuple[int, int] | None]:
    """A news title: the first line, when it is short and not a sentence."""
    clean = flat.source.text
    clean_start = flat.to_clean(start) if start < len(flat.text) else 0
    for line in clean[clean_start:].splitlines()[:3]:
        stripped = line.strip()
        if not stripped:
            continue
        if 10 <= len(stripped) <= 150 and not stripped.endswith((".", ":", ",")) and covering:
            position = clean.index(stripped, clean_start)
            flat_start = flat.from_clean(position)
            return stripped, (flat_start, flat_start + len(" ".join(stripped.split())))
        return None, None
    return None, None


def _header_date(head: str) -> str | None:
    dates: list[DateMention] = [d for d in find_dates(head) if len(d.value) == 10]
    return dates[0].value if dates else None


def _signature_date(body: str) -> str | None:
    found = SIGNATURE_POST.search(body)
    if found:
        dates = find_dates(found["date"])
        return dates[0].value if dates else None
    return None


def _own_form(meta: Meta, flat: Flat, mentions: list[Mention]) -> bool:
    """A document that says what it is by its form: front matter, a UN masthead, a treaty."""
    clean = flat.source.text
    front = FRONT_MATTER.match(flat.source.original)  # cleaning joins its lines: read it raw
    if front:
        return _front_matter(meta, flat, front)
    if MASTHEAD.search(clean[:400]):
        return _masthead(meta, flat, clean)
    treaty = TREATY_TITLE.search(clean[:3000])
    if treaty and TREATY_BODY.search(clean, treaty.end(), treaty.end() + 20000):
        meta.type = "treaty"
        meta.title = treaty["title"].strip()
        meta.span = _span_of(flat, treaty.start("title"), treaty["title"].strip())
        done = DONE_AT.search(flat.text)
        dates = find_dates(flat.text[done.end() : done.end() + 40]) if done else []
        meta.date = dates[0].value if dates else None
        return True
    return False


def _front_matter(meta: Meta, flat: Flat, front: re.Match[str]) -> bool:
    """Title, date and speaker from YAML front matter; a release or speech is a statement."""
    try:
        data: Any = yaml.safe_load(front["body"])
    except yaml.YAMLError:
        return False
    if not isinstance(data, dict):
        return False
    title = str(data.get("title") or "").strip()
    title = re.sub(r"\s*\.\.\.\s*|\s*\[|\]\s*", " ", title).strip(" .")
    if title:
        meta.title = re.sub(r"\s+", " ", title)
        meta.span = _found_span(flat, str(data.get("title")).strip())
    date = data.get("date")
    dates = find_dates(str(date)) if date else []
    meta.date = dates[0].value if dates else None
    creators = [str(c) for c in data.get("creators") or [] if c]
    post = str(data.get("source") or "")
    # A serving minister speaks for the government; a shadow minister or a member, for a party.
    government = (
        bool(post) and re.search(r"\bSHADOW\b|\bMEMBER\b|\bMP\b", post, re.IGNORECASE) is None
    )
    for creator in creators:
        person = PERSON_CREATOR.match(creator.strip())
        if person and meta.author is None:
            meta.author = f"{person['first'].strip()} {person['last']}"
        elif not person and meta.author_org is None and not government:
            meta.author_org = creator.strip()
    if meta.author_org is None and government:
        site = GOVERNMENT_SITE.search(str(data.get("source_url") or ""))
        country = pycountry.countries.get(alpha_2=site["cc"].upper()) if site else None
        if country is not None:
            meta.author_org = getattr(country, "common_name", None) or country.name
    body = flat.source.original[front.end() : front.end() + 1500]
    meta.type = "statement" if SPOKEN.search(body) or data.get("source") else "article"
    if meta.author and creators:
        meta.author_span = _found_span(flat, creators[0])
    return True


def _masthead(meta: Meta, flat: Flat, clean: str) -> bool:
    """A UN masthead: the title in capitals under it, the date beside the symbol."""
    head = clean[:2500]
    title = MASTHEAD_TITLE.search(head)
    if title is None:
        return False
    words = title["title"].strip()
    meta.title = words[0] + words[1:].lower() if words.isupper() else words
    meta.span = _span_of(flat, title.start("title"), words)
    if re.search(r"\bRESOLUTION\b", words) or re.search(r"Resolution\sadopted\sby", head):
        meta.type = "resolution"
    elif re.search(r"\bREPORT\b", words, re.IGNORECASE):
        meta.type = "report"
    elif re.search(r"\bLETTER\b|\bNOTE\sVERBALE\b", words, re.IGNORECASE):
        return False
    else:
        meta.type = "report"
    dated = re.search(r"^\s*[A-Z]{1,6}/\S+\s+(\d{1,2}\s[A-Z][a-z]+\s\d{4})\s*$", head, re.MULTILINE)
    dates = find_dates(dated.group(1) if dated else head[: title.start()])
    meta.date = dates[0].value if dates else None
    if re.search(r"SECRETARY-GENERAL", words, re.IGNORECASE):
        meta.author_org = "United Nations"
    organ = re.search(r"^\s*(?P<series>[AS])/\S+", head, re.MULTILINE)
    if organ and meta.type == "report":
        meta.addressee = {"A": "General Assembly", "S": "Security Council"}[organ["series"]]
    return True


def _found_span(flat: Flat, words: str) -> tuple[int, int]:
    """Where ``words`` first stand in the flat text (the front matter is at the top)."""
    words = " ".join(words.split())
    at = max(flat.text.find(words), 0)
    return at, at + len(words)


def _span_of(flat: Flat, clean_at: int, words: str) -> tuple[int, int]:
    start = flat.from_clean(clean_at)
    return start, start + len(" ".join(words.split()))
