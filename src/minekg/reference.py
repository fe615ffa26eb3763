"""Reference data: the entities documents talk about, curated once and shared by every graph.

``data/reference/*.yaml`` hold states, organizations, persons and their posts, places,
instruments (treaties, resolutions, standards, agreements, bodies of law), the ICRC customary IHL
rules, treaty status facts and well-known events. Each YAML file is a mapping from a section name
(``states``, ``organizations`` …) to a list of entries, so any file may add to any section and a
key defined twice anywhere is an error.

Every fact about the world that is not a document's own word carries the address it comes from
(``source``); Wikidata links are kept only for QIDs that design/DOMAIN.md marks as seen.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from minekg.records import (
    EventType,
    Key,
    KeyList,
    OrganizationType,
    PartialDate,
    PlaceType,
    check_order,
    one_or_many,
)

QID = Annotated[str, StringConstraints(pattern=r"^Q[1-9][0-9]*$")]


Aliases = Annotated[list[str], BeforeValidator(one_or_many)]


class Entry(BaseModel):
    """What every reference entity has: key, canonical English label, the names text uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Key
    label: str
    aliases: Aliases = []
    wikidata: QID | None = None
    source: str | None = None
    description: str | None = None


class State(Entry):
    iso3166: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class Organization(Entry):
    type: OrganizationType
    acronym: str | None = None
    part_of: Key | None = None
    country: Key | None = None
    former_names: Aliases = []
    founded: PartialDate | None = None


class Tenure(BaseModel):
    """A person holding a post, with the dates and the address that says so."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    post: Key
    start: PartialDate | None = None
    end: PartialDate | None = None
    source: str | None = None


class Person(Entry):
    nationality: Key | None = None
    posts: list[Tenure] = []


class Post(Entry):
    post_in: Key


class Place(Entry):
    type: PlaceType
    within: Key | None = None
    iso3166_2: str | None = None


InstrumentType = Literal[
    "treaty",
    "protocol",
    "charter",
    "resolution",
    "standard",
    "agreement",
    "statement",
    "strategy",
    "policy",
    "agenda",
    "body_of_law",
    "declaration",
]


class Instrument(Entry):
    type: InstrumentType
    symbol: str | None = None
    date: PartialDate | None = None
    passed_by: Key | None = None
    adopted_at: Key | None = None
    protocol_to: Key | None = None
    parties: KeyList = []
    url: str | None = None


LegalScope = Literal["IAC", "IAC/NIAC", "IAC/arguably NIAC"]


class IHLRule(BaseModel):
    """An ICRC customary IHL rule with its official statement and the ICRC page for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    number: Annotated[int, Field(ge=1, le=161)]
    title: str
    statement: str
    scope: LegalScope
    scope_note: str | None = None
    url: str
    legacy_url: str | None = None
    chapter: int | None = None

    @property
    def key(self) -> str:
        return str(self.number)


class TreatyStatus(BaseModel):
    """Whether a state is party to a treaty, as a dated, sourced fact about the world."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state: Key
    treaty: Key
    status: Literal["party", "not_party", "signatory"]
    date: PartialDate | None = None
    how: Literal["ratification", "accession", "succession", "signature"] | None = None
    as_of: PartialDate | None = None
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _not_party_is_dated(self) -> TreatyStatus:
        if self.status == "not_party" and not self.as_of:
            raise ValueError("a not_party status needs as_of: when the source said so")
        return self

    @property
    def key(self) -> str:
        return f"{self.state}-{self.treaty}"


class ReferenceEvent(Entry):
    """An event known beyond any one document (a war, a renaming), with its sourced dates."""

    type: EventType
    start: PartialDate | None = None
    end: PartialDate | None = None
    date: PartialDate | None = None
    places: KeyList = []
    parties: KeyList = []
    original: Key | None = None
    resulting: Key | None = None

    @model_validator(mode="after")
    def _begin_before_end(self) -> ReferenceEvent:
        check_order(self.start, self.end)
        return self


SECTIONS: dict[str, type[BaseModel]] = {
    "states": State,
    "organizations": Organization,
    "persons": Person,
    "posts": Post,
    "places": Place,
    "instruments": Instrument,
    "ihl_rules": IHLRule,
    "treaty_status": TreatyStatus,
    "events": ReferenceEvent,
}
