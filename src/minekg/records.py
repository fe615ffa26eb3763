"""Reviewed document records: the contract between extraction and mapping.

A record (``data/records/<key>.yaml``) says what one source document states, item by item, each
item with the exact quote that says it and that quote's character offset in the source file.
Records are read by people in git diffs, so they stay plain YAML; pydantic turns every mistake
into an error that names the file, the line and the field (see :mod:`minekg.yamlio`).

The records never hold the source text itself (two corpus sources are copyrighted articles):
only the source's address, its sha256 and short quotes.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.-]*$"

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
DocKey = Key
Measure = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]


# Years a source about landmines can state; year 1 or 9999 is a typo, and the plots' date axis
# (matplotlib) fails on the margin it puts around such a range.
FIRST_YEAR, LAST_YEAR = 1000, 2999


def _check_partial_date(value: object) -> str:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD, the precisions sources give ("in 2023", "May 2024")."""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not match:
        raise ValueError(f"{text!r} is not a date: write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:  # type: ignore[operator]
        raise ValueError(f"{text!r}: the year must be between {FIRST_YEAR} and {LAST_YEAR}")
    try:
        date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a valid date: {exc}") from None
    return text


PartialDate = Annotated[str, BeforeValidator(_check_partial_date)]

_WEB_ADDRESS = re.compile(r"https?://[^/?#\s]+(?:[/?#]\S*)?", re.IGNORECASE)


def _check_web_address(text: str) -> str:
    """Accept only an http(s) address: every page of the document links it, and a javascript:
    address would run script when clicked. Characters an IRI cannot hold (spaces, controls,
    ``<>"{}|\\^```, unassigned or private code points) are refused too: the mapping would fail on
    them later, with no line to point at."""
    shown = text if len(text) <= 80 else text[:77] + "..."
    if not _WEB_ADDRESS.fullmatch(text):
        raise ValueError(f"{shown!r} is not an http(s) address (https://...)")
    for char in text:
        if char in '<>"{}|\\^`' or not char.isprintable() or 0xE000 <= ord(char) <= 0xF8FF:
            raise ValueError(f"{shown!r} holds {char!r}, which an address cannot hold")
    return text


WebAddress = Annotated[str, AfterValidator(_check_web_address)]

# A well-formed BCP 47 tag (RFC 5646 §2.1, without its grandfathered forms): the mapping writes
# it as the language of every label, which rdflib and the SHACL shapes read as such.
LanguageTag = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$", max_length=35)
]


def one_or_many(value: object) -> object:
    """Let a person write ``places: aze`` for ``places: [aze]``."""
    return [value] if isinstance(value, str) else value


def check_order(start: str | None, end: str | None) -> None:
    """Partial dates compare at the coarser precision: 2020 does not start after 2020-11."""
    if start and end and start[: len(end)] > end[: len(start)]:
        raise ValueError(f"starts ({start}) after it ends ({end})")


KeyList = Annotated[list[Key], BeforeValidator(one_or_many)]

DocumentType = Literal[
    "letter", "annex", "statement", "declaration", "report", "resolution", "treaty", "article"
]
EventType = Literal[
    "conference",
    "summit",
    "meeting",
    "war",
    "military_operation",
    "signing",
    "resolution_adoption",
    "court_proceedings",
    "court_decision",
    "policy_decision",
    "establishment",
    "project",
    "deployment",
    "dismissal",
    "appointment",
    "map_handover",
    "public_statement",
    "observance",
    "report_issuance",
    "renaming",
]
Qualifier = Literal["over", "about", "at_least", "up_to", "under"]


class Strict(BaseModel):
    """Unknown fields are typos, not extensions: reject them."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(Strict):
    """Where the source says it: an exact quote and the offset of its first character.

    ``part`` names the annex the quote stands in, when it is not the covering document.
    ``review: accepted`` marks an item a reviewer accepted in a draft still being reviewed
    (``minekg review``); a reviewed record needs no mark, every item of it is accepted.
    """

    quote: Annotated[str, StringConstraints(min_length=2)]
    at: Annotated[int, Field(ge=0)]
    part: Key | None = None
    review: Literal["accepted"] | None = None

    @property
    def end_offset(self) -> int:
        return self.at + len(self.quote)


class Source(Strict):
    """The text the record was read from: address, digest and the rights that apply to it."""

    file: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    url: WebAddress | None = None
    rights: str | None = None
    # RFC 6838 names: the mapping links the IANA page of the type, so it must make an IRI
    media_type: Annotated[
        str,
        StringConstraints(
            pattern=r"^[A-Za-z0-9][A-Za-z0-9_!#$&^.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9_!#$&^.+-]{0,126}$"
        ),
    ] = "text/plain"


class IdentifiedSymbol(Strict):
    """A UN symbol the text does not print but a reader can establish from another document."""

    symbol: str
    established_by: DocKey
    reason: str


class Part(Strict):
    """An annex or enclosure: a document of its own, with its own author and date."""

    key: Key
    type: DocumentType
    title: str | None = None
    date: PartialDate | None = None
    date_note: str | None = None
    place: Key | None = None
    author: Key | None = None
    author_text: str | None = None
    author_post: Key | None = None
    author_org: Key | None = None
    author_note: str | None = None
    addressee: Key | None = None
    addressee_text: str | None = None
    evidence: Evidence


class DocumentMeta(Strict):
    """What the document says about itself (its date line, symbols, signature block)."""

    type: DocumentType
    title: str | None = None
    symbols: list[str] = []
    identified_symbols: list[IdentifiedSymbol] = []
    date: PartialDate | None = None
    date_note: str | None = None
    distributed: PartialDate | None = None
    language: LanguageTag = "en"
    author: Key | None = None
    author_post: Key | None = None
    author_org: Key | None = None
    author_note: str | None = None
    publisher: Key | None = None
    addressee: Key | None = None
    agenda_items: list[int] = []
    circulated_in: list[Key] = []
    parts: list[Part] = []
    evidence: Evidence


class Citation(Evidence):
    """A reference to what a document cites: a UN document by symbol, an ICRC customary IHL rule,
    a reference entity (an instrument named by title), another record's document, or a work
    known only by its title."""

    symbol: str | None = None
    rule: Annotated[int, Field(ge=1, le=161)] | None = None
    entity: Key | None = None
    document: Key | None = None
    work: str | None = None
    footnote: int | None = None
    as_authority: bool = False

    @model_validator(mode="after")
    def _one_target(self) -> Citation:
        targets = (self.symbol, self.rule, self.entity, self.document, self.work)
        if sum(x is not None for x in targets) != 1:
            raise ValueError("a citation names exactly one of symbol, rule, entity, document, work")
        return self


class Mention(Evidence):
    """The document names a reference entity (state, organization, person, place, instrument)."""

    entity: Key


class Related(Evidence):
    """A link to another record's document that a reader establishes from the text."""

    document: DocKey
    relation: Literal["reports_on", "cites", "transmits", "responds_to"]


class Event(Evidence):
    """An event as this document tells it: its dates, places and actors are the document's word."""

    key: Key
    type: EventType
    name: str
    theme: str | None = None
    date: PartialDate | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None
    date_text: str | None = None
    places: KeyList = []
    organizers: KeyList = []
    participants: KeyList = []
    parties: KeyList = []
    actors: KeyList = []
    initiator: Key | None = None
    host: Key | None = None
    body: Key | None = None
    instrument: Key | None = None
    part_of: Key | None = None
    description: str | None = None

    @model_validator(mode="after")
    def _begin_before_end(self) -> Event:
        check_order(self.start, self.end)
        return self


class Claim(Evidence):
    """An assertion by one party about another, kept as that party's claim, never as a fact."""

    claimant: Key
    accused: KeyList = []
    claim: str
    rules: list[Annotated[int, Field(ge=1, le=161)]] = []
    invokes: KeyList = []


MAX_MAGNITUDE = 15  # no count, area or sum a source states needs more digits; 1e999999 is a typo


class Figure(Evidence):
    """A number a source states: an observation attributed to the source, not a fact."""

    measure: Measure
    value: Decimal | None = None
    value_text: str | None = None
    unit_text: str | None = None
    qualifier: Qualifier | None = None
    estimate: bool = False
    as_of: PartialDate | None = None
    period_start: PartialDate | None = None
    period_end: PartialDate | None = None
    period_text: str | None = None
    places: KeyList = []
    recorded_by: Key | None = None
    context: bool = False
    note: str | None = None

    @model_validator(mode="after")
    def _has_a_value(self) -> Figure:
        if self.value is None and not self.value_text:
            raise ValueError("a figure needs a value or a value_text")
        if self.value is None:
            return self
        if not self.value.is_finite() or abs(self.value.adjusted()) > MAX_MAGNITUDE:
            shown = str(self.value) if len(str(self.value)) <= 40 else str(self.value)[:37] + "..."
            raise ValueError(f"{shown} is out of range for a figure (1E-15 to 1E+15)")
        if self.value < 0:
            raise ValueError("a figure's value cannot be negative")
        return self


ReviewStatus = Literal["reviewed", "draft"]
NO_AUTHOR_FOUND = "minekg extract found no author in the text: check the source and give one"
ProposedKind = Literal["state", "person", "organization", "place"]
# The kinds of organization and place (data/reference/); a proposed one's is minekg's guess.
OrganizationType = Literal[
    "igo",
    "un_organ",
    "un_entity",
    "national_agency",
    "ministry",
    "court",
    "media",
    "armed_forces",
    "group",
    "centre",
    "ngo",
    "movement",
    "mission",
]
PlaceType = Literal["city", "district", "region", "settlement", "site"]
IDENTIFIER_PATTERN = r"^(?:geonames:[1-9][0-9]*|iso3166-2:[A-Z]{2}-[A-Z0-9]{1,3}|iso3166:[A-Z]{2})$"


class ProposedEntity(Strict):
    """An entity the document names that the reference data does not describe yet.

    Extraction proposes it with the name as printed and its kind; the record refers to it by
    ``key`` as it would to a reference entity. The build gives it the IRI it will keep once a
    reviewer promotes it into data/reference/ (``minekg promote``): ``id/<kind>/<slug of the
    name>``, so two documents proposing the same name and kind propose the same node.
    ``identifier`` is what a gazetteer knows it by: ``geonames:<id>`` or ``iso3166-2:<code>``
    for a place, ``iso3166:<alpha-2>`` for a state (a state needs its code to be a state).
    ``kind`` is extraction's guess of what kind of organization or place it is.
    """

    key: Key
    type: ProposedKind
    label: Annotated[str, StringConstraints(min_length=1)]
    identifier: Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)] | None = None
    kind: OrganizationType | PlaceType | None = None
    note: str | None = None


class Record(Strict):
    """Everything one source document states, ready to map into its own named graph."""

    key: DocKey
    review: ReviewStatus
    source: Source
    document: DocumentMeta
    related: list[Related] = []
    citations: list[Citation] = []
    mentions: list[Mention] = []
    events: list[Event] = []
    claims: list[Claim] = []
    figures: list[Figure] = []
    proposed: list[ProposedEntity] = []

    def evidence(self) -> list[tuple[tuple[str | int, ...], Evidence]]:
        """Every evidence span in the record with its location in the file."""
        spans: list[tuple[tuple[str | int, ...], Evidence]] = [
            (("document", "evidence"), self.document.evidence)
        ]
        spans += [
            (("document", "parts", i, "evidence"), part.evidence)
            for i, part in enumerate(self.document.parts)
        ]
        for name in ("related", "citations", "mentions", "events", "claims", "figures"):
            spans += [((name, i), item) for i, item in enumerate(getattr(self, name))]
        return spans
