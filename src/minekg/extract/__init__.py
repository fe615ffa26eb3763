"""Extraction: from a new document to a draft record, every item with its evidence.

``extract(source, reference)`` runs the finders over the document's clean text (one module per
concern: citations, entities, organizations, people, places, instruments, figures, dates, events,
claims, metadata) and returns an
:class:`Extraction`, which speaks three forms: ``to_gold()`` the answer-key structure of
shared/gold/SCHEMA.md (for scoring), ``to_record(key)`` a draft record for data/records/
(review: draft; reference keys only), ``to_json()`` everything found, with evidence spans and
the new entities it proposes. Every quote is the exact original text at the offsets given.

Why rules and dictionaries on spaCy's blank pipeline rather than a statistical model: it runs
offline with nothing to download, it is fast (the pipeline and phrase matchers are built once),
and each decision can be traced to a pattern or a reference alias that a reviewer can read and
fix; these documents are formulaic enough for that to be right most of the time. What no
hand-kept list can cover comes from data shipped in packages: towns and subdivisions from
GeoNames and ISO 3166-2, titles from nameparser, lemmas and word frequencies from
spacy-lookups-data, each used with the context that keeps it precise.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args

import pycountry

from minekg.extract.citations import Citations, find_citations
from minekg.extract.claims import ClaimFound, find_claims
from minekg.extract.dates import DateMention, find_dates
from minekg.extract.entities import (
    Mention,
    SpanIndex,
    find_mentions,
    most_named_state,
    state_codes,
)
from minekg.extract.events import Event, find_events
from minekg.extract.figures import Figure, find_figures
from minekg.extract.instruments import find_instruments
from minekg.extract.metadata import Meta, read_metadata
from minekg.extract.organizations import canonical, find_organizations, guess_kind
from minekg.extract.people import find_persons, with_author
from minekg.extract.places import find_places, place_kind
from minekg.extract.text import Flat, Quote, flatten
from minekg.inputs import Reference
from minekg.reading import SourceText
from minekg.records import NO_AUTHOR_FOUND, EventType
from minekg.vocab import slug

__all__ = ["Extraction", "extract"]

CATEGORY_OF_KIND = {
    "state": "states",
    "organization": "organizations",
    "person": "persons",
    "place": "places",
    "instrument": "instruments",
}
EVENT_TYPES = set(get_args(EventType))


@dataclass
class Extraction:
    """Everything found in one document, in flat-text spans, with the way back to the file."""

    flat: Flat
    reference: Reference
    meta: Meta
    citations: Citations
    mentions: list[Mention]
    dates: list[DateMention]
    figures: list[Figure]
    events: list[Event]
    claims: list[ClaimFound]

    def quote(self, start: int, end: int) -> Quote:
        return self.flat.quote(start, end)

    def names(self, kind: str) -> list[str]:
        """Canonical names of one kind, in order of first mention, each once."""
        seen: dict[str, None] = {}
        for mention in self.mentions:
            if mention.kind == kind and not _is_law(mention) and not self._is_resolution(mention):
                seen.setdefault(mention.label, None)
        return list(seen)

    def _is_resolution(self, mention: Mention) -> bool:
        """Resolutions are cited documents (by symbol), not instruments named by title."""
        if mention.kind != "instrument" or mention.key is None:
            return False
        return getattr(self.reference.get(mention.key), "type", None) == "resolution"

    def to_gold(self) -> dict[str, Any]:
        """The answer-key structure of shared/gold/SCHEMA.md."""
        document = _meta_dict(self.meta)
        document["symbols"] = [s for s, _, _ in self.citations.own_symbols]
        document = {k: v for k, v in document.items() if v not in (None, [], "")}
        gold: dict[str, Any] = {
            "document": document,
            "cited_documents": _unique(c.symbol for c in self.citations.cited if c.symbol),
            "cited_works": [],
            "ihl_rules": sorted({c.rule for c in self.citations.cited if c.rule is not None}),
        }
        for kind, category in CATEGORY_OF_KIND.items():
            gold[category] = self.names(kind)
        gold["events"] = [self._event_dict(e) for e in self.events]
        gold["claims"] = [self._claim_dict(c) for c in self.claims]
        gold["statistics"] = [self._figure_dict(f) for f in self.figures]
        return gold

    def to_json(self) -> dict[str, Any]:
        """Everything found, with evidence spans and the new entities proposed for review."""
        gold = self.to_gold()
        gold["citations"] = [
            {
                "symbol": c.symbol,
                "rule": c.rule,
                "footnote": c.footnote,
                **self._evidence(c.start, c.end),
            }
            for c in self.citations.cited
        ]
        gold["mentions"] = [
            {"kind": m.kind, "label": m.label, "key": m.key, **self._evidence(m.start, m.end)}
            for m in self.mentions
        ]
        proposed: dict[tuple[str, str], dict[str, Any]] = {}
        for m in self.mentions:
            if m.key is None:
                proposed.setdefault(
                    (m.kind, m.label),
                    {"type": m.kind, "label": m.label, **self._evidence(m.start, m.end)},
                )
        gold["proposed_entities"] = list(proposed.values())
        return gold

    def to_record(self, key: str) -> dict[str, Any]:
        """A draft record for data/records/ in the structure :class:`minekg.records.Record`
        validates (the tests check that it does), naming reference entities by key.

        Names the reference data does not know become ``proposed`` entities, referred to by the
        key they will keep once promoted; an author not found is said so in ``author_note``.
        Items that would mint the same node (two citations at one offset) are kept once.
        """
        source = self.flat.source
        meta = self.meta
        proposals = Proposals(self.reference)
        for mention in self.mentions:
            if mention.key is None and mention.kind in PROPOSED_KINDS:
                proposals.key(mention.kind, mention.label, getattr(mention, "identifier", None))

        def key_of(label: str | None, kind: str) -> str | None:
            if not label:
                return None
            return self._key_of(label, kind) or proposals.key(kind, label)

        def org_of(label: str | None) -> str | None:
            if not label:
                return None
            known = self._key_of(label, "state") or self._key_of(label, "organization")
            return known or proposals.known(label) or proposals.key("organization", label)

        author = key_of(meta.author, "person")
        author_org = org_of(meta.author_org)
        document: dict[str, Any] = {
            "type": meta.type,
            "title": meta.title,
            "symbols": [s for s, _, _ in self.citations.own_symbols],
            "date": meta.date,
            "author": author,
            "author_org": author_org,
            "author_note": None if author else NO_AUTHOR_FOUND,
            "evidence": self._record_evidence(*meta.span),
            "parts": [
                {
                    "key": f"{key}-annex-{i + 1}",
                    "type": part.type,
                    "title": part.title,
                    "date": part.date,
                    "author": key_of(part.author, "person"),
                    "author_text": part.author,
                    "author_org": org_of(part.author_org),
                    "author_note": None if part.author or part.author_org else NO_AUTHOR_FOUND,
                    "evidence": self._record_evidence(*part.span),
                }
                for i, part in enumerate(meta.parts)
            ],
        }
        record: dict[str, Any] = {
            "key": key,
            "review": "draft",
            "source": {
                "file": source.path.name,
                "sha256": source.sha256,
                "media_type": source.media_type,
            },
            "document": _drop_empty(document),
            "citations": [
                _drop_empty(
                    {
                        "symbol": c.symbol,
                        "rule": c.rule,
                        "footnote": c.footnote,
                        **self._record_evidence(c.start, c.end),
                    }
                )
                for c in self.citations.cited
            ],
            "mentions": [
                {"entity": proposals.of(m), **self._record_evidence(m.start, m.end)}
                for m in self.mentions
                if proposals.of(m) is not None
            ],
            "events": [self._record_event(i, e, proposals) for i, e in enumerate(self.events)],
            "claims": [
                _drop_empty(
                    {
                        "claimant": c.claimant_key or proposals.known(c.claimant),
                        # A party only a claim names ("the Howard Government") is proposed.
                        "accused": _unique(
                            k or proposals.known(label) or proposals.key("organization", label)
                            for k, label in zip(c.accused_keys, c.accused, strict=False)
                        ),
                        "claim": c.claim,
                        "rules": c.rules,
                        "invokes": c.law_keys,
                        **self._record_evidence(c.start, c.end),
                    }
                )
                for c in self.claims
                if c.claimant_key or proposals.known(c.claimant)
            ],
            "figures": [self._record_figure(f, proposals) for f in self.figures],
        }
        for name, node_key in NODE_KEYS.items():
            record[name] = _once(record[name], node_key)
        record["proposed"] = proposals.entries()
        return record

    def _key_of(self, label: str | None, kind: str) -> str | None:
        if not label:
            return None
        for mention in self.mentions:
            if mention.kind == kind and mention.label == label and mention.key:
                return mention.key
        for entry in self.reference.sections.get(CATEGORY_OF_KIND[kind], []):
            if entry.label == label:
                return str(entry.key)
        return None

    def _evidence(self, start: int, end: int) -> dict[str, Any]:
        quote = self.quote(start, end)
        return {"quote": quote.text, "start": quote.start, "end": quote.end}

    def _record_evidence(self, start: int, end: int) -> dict[str, Any]:
        quote = self.quote(start, max(end, start + 2))
        return {"quote": quote.text, "at": quote.start}

    def _event_dict(self, event: Event) -> dict[str, Any]:
        data: dict[str, Any] = {"type": event.type, "name": event.name, **_event_dates(event)}
        if event.theme:
            data["theme"] = event.theme
        for name in ("places", "organizers", "parties"):
            labels = _unique(m.label for m in getattr(event, name))
            if labels:
                data[name] = labels
        data["quote"] = self.quote(event.start, event.end).text
        return data

    def _claim_dict(self, claim: ClaimFound) -> dict[str, Any]:
        data: dict[str, Any] = {
            "claimant": claim.claimant,
            "accused": claim.accused[0] if len(claim.accused) == 1 else claim.accused,
            "claim": claim.claim,
        }
        if claim.rules:
            data["rules"] = claim.rules
        if claim.law:
            data["law"] = claim.law
        data["quote"] = self.quote(claim.start, claim.end).text
        return data

    def _figure_dict(self, figure: Figure) -> dict[str, Any]:
        data: dict[str, Any] = {
            "measure": figure.measure,
            "value": _number(figure.value),
            "unit": figure.unit,
            "as_of": figure.as_of,
            "place": figure.place.label if figure.place else None,
        }
        if figure.qualifier:
            data["qualifier"] = figure.qualifier
        if figure.period_text:
            data["period"] = figure.period_text
        if figure.context:
            data["note"] = "context"
        data["quote"] = self.quote(figure.start, figure.end).text
        return data

    def _record_event(self, index: int, event: Event, proposals: Proposals) -> dict[str, Any]:
        keys = lambda ms: _unique(proposals.of(m) for m in ms)  # noqa: E731
        slug = re.sub(r"[^a-z0-9]+", "-", event.name.lower())[:40].strip("-")
        data: dict[str, Any] = {
            "key": f"event-{index + 1}-{slug}".rstrip("-"),
            "type": event.type if event.type in EVENT_TYPES else "public_statement",
            "name": event.name,
            "theme": event.theme,
            "places": keys(event.places),
            "organizers": keys(event.organizers),
            "parties": keys(event.parties),
            **self._record_evidence(event.start, event.end),
            **_event_dates(event),
        }
        return _drop_empty(data)

    def _record_figure(self, figure: Figure, proposals: Proposals) -> dict[str, Any]:
        return _drop_empty(
            {
                "measure": figure.measure,
                # Plain digits, never an exponent: "1500000", not "1.5E+6".
                "value": format(figure.value.normalize(), "f")
                if figure.value == figure.value.to_integral()
                else str(figure.value),
                "unit_text": figure.unit,
                "qualifier": figure.qualifier,
                "estimate": figure.qualifier == "about",
                "as_of": figure.as_of,
                "period_start": figure.period_start,
                "period_end": figure.period_end,
                "period_text": figure.period_text,
                "places": _unique([proposals.of(figure.place)]) if figure.place else [],
                "context": figure.context,
                **self._record_evidence(figure.start, figure.end),
            }
        )


def _event_dates(event: Event) -> dict[str, str]:
    """A dated event has ``date``; an interval has ``start`` and ``end``; or just an ``end``."""
    if event.date and event.last:
        return {"start": event.date, "end": event.last}
    if event.date:
        return {"date": event.date}
    return {"end": event.last} if event.last else {}


def extract(
    source: SourceText,
    reference: Reference,
    progress: Callable[[str], None] | None = None,
) -> Extraction:
    """Read one document into an :class:`Extraction`. A long text (from ``PROGRESS_FROM``
    characters) reports each stage to ``progress``, by default on stderr, so a user waiting on
    a big file sees it move."""
    flat = flatten(source)
    if progress is None and len(flat.text) >= PROGRESS_FROM:
        progress = _to_stderr
    step = _Stages(source, len(flat.text), progress)
    mentions = _with_proposed(flat, find_mentions(flat, reference), reference)
    step("names")
    citations = find_citations(flat)
    main_state = most_named_state(mentions)
    meta = read_metadata(flat, mentions, main_state)
    mentions = with_author(mentions, flat, meta.author)
    dates = find_dates(flat.text, meta.date)
    step("citations, dates and the document's own facts")
    excluded = [(c.start, c.end) for c in citations.cited]
    excluded += [(s, e) for _, s, e in citations.own_symbols]
    excluded += [(f.start, f.end) for f in citations.footnotes]
    # A treaty's numbers are its terms (180 days, ten years, the fortieth ratification), not
    # figures about the mine problem.
    figures = [] if meta.type == "treaty" else find_figures(flat, dates, mentions, excluded)
    step("figures")
    # A speech or a release dates what it tells of from the day it is given ("in August", "last
    # night"); a letter's annexes and a report's paragraphs were written on other days.
    spoken = meta.date if meta.type == "statement" else None
    events = find_events(flat, dates, mentions, citations, spoken)
    # A treaty states obligations, not claims against a party.
    claimant = None if meta.type == "treaty" else _claimant(meta, mentions, main_state)
    notes = [(f.start, f.end) for f in citations.footnotes]
    publisher = _publisher(meta, mentions)
    reported = meta.type in ("report", "article")
    claims = find_claims(
        flat, mentions, citations, claimant, notes, publisher, meta.author_org, reported
    )
    step("events and claims")
    return Extraction(flat, reference, meta, citations, mentions, dates, figures, events, claims)


PROGRESS_FROM = 1_000_000


class _Stages:
    """Reports each finished stage with the time since the start, when there is a listener."""

    def __init__(self, source: SourceText, size: int, listener: Callable[[str], None] | None):
        self.name, self.size, self.listener = source.path.name, size, listener
        self.started = time.perf_counter()

    def __call__(self, stage: str) -> None:
        if self.listener is not None:
            seconds = time.perf_counter() - self.started
            self.listener(f"{self.name} ({self.size / 1e6:.1f} MB): {stage} done, {seconds:.1f} s")


def _to_stderr(message: str) -> None:
    print(f"minekg: {message}", file=sys.stderr, flush=True)


def _with_proposed(flat: Flat, mentions: list[Mention], reference: Reference) -> list[Mention]:
    """Names the reference data does not know: organizations by definition, persons by how
    texts introduce them, places from the gazetteers. A place or organization proposed by a
    looser pattern gives way to one of these at the same words."""
    organizations = find_organizations(flat, mentions)
    defined = SpanIndex(organizations)
    mentions = [m for m in mentions if not _gives_way(m, defined)] + organizations
    persons, mentions = find_persons(flat, mentions)
    mentions = canonical(mentions) + persons
    mentions += find_instruments(flat, mentions, reference)
    kept = [m for m in mentions if m.kind != "place" or m.key is not None]
    places = find_places(flat, state_codes(mentions, reference), kept)
    found = SpanIndex(places)
    kept += [
        m
        for m in mentions
        if m.kind == "place" and m.key is None and not found.overlapping(m.start, m.end)
    ]
    return sorted(kept + places, key=lambda m: (m.start, m.end))


def _gives_way(mention: Mention, defined: SpanIndex) -> bool:
    """A looser proposal at the same words, or a known organization inside a defined one."""
    overlapping = defined.overlapping(mention.start, mention.end)
    if mention.key is None:
        return mention.kind in ("organization", "place") and bool(overlapping)
    return mention.kind == "organization" and any(
        f.start <= mention.start
        and mention.end <= f.end
        and f.end - f.start > mention.end - mention.start
        for f in overlapping
    )


def _publisher(meta: Meta, mentions: list[Mention]) -> Mention | None:
    """The news outlet that published an article, as it is named in it."""
    if meta.type != "article" or not meta.author_org:
        return None
    return next(
        (m for m in mentions if m.kind == "organization" and m.label == meta.author_org), None
    )


def _claimant(meta: Meta, mentions: list[Mention], main_state: Mention | None) -> Mention | None:
    """Who a document's claims are made by: the state or organization its author speaks for
    (a government, the United Nations); a member of a political party speaks in their own
    name, as an opposition release does; a news outlet reports the claims of others. Else the
    state the document names most."""
    by_label = {(m.kind, m.label): m for m in mentions if not m.media}
    if not meta.author_org:
        return main_state
    if POLITICAL_PARTY.search(meta.author_org):
        return by_label.get(("person", meta.author or "")) or main_state
    for kind in ("state", "organization"):
        if (kind, meta.author_org) in by_label:
            return by_label[kind, meta.author_org]
    return main_state


POLITICAL_PARTY = re.compile(r"\bParty\b")


def _meta_dict(meta: Meta) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": meta.type,
        "title": meta.title,
        "date": meta.date,
        "author": meta.author,
        "author_org": meta.author_org,
        "addressee": meta.addressee,
    }
    if meta.parts:
        data["parts"] = [
            {k: v for k, v in _meta_dict(p).items() if v is not None} for p in meta.parts
        ]
    return data


def _is_law(mention: Mention) -> bool:
    return mention.key in ("international-law", "ihl", "customary-ihl", "ihrl")


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def _unique(values: Any) -> list[Any]:
    return list(dict.fromkeys(v for v in values if v is not None))


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    """Without the fields that say nothing; an offset of 0 is a value (``0 == False``)."""
    return {k: v for k, v in data.items() if not (v is None or v is False or v in ([], ""))}


def _once(items: list[dict[str, Any]], node_key: Any) -> list[dict[str, Any]]:
    """Each item whose node the build would mint once, the first of any that share it."""
    seen: dict[Any, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(node_key(item), item)
    return list(seen.values())


NODE_KEYS = {
    "citations": lambda item: item["at"],
    "mentions": lambda item: (item["entity"], item["at"]),
    "claims": lambda item: item["at"],
    "figures": lambda item: (item["measure"], item["at"]),
    "events": lambda item: item["key"],
}
PROPOSED_KINDS = ("state", "person", "organization", "place")


class Proposals:
    """The entities a draft proposes, keyed as they will be keyed in data/reference/.

    The key is a slug of the name as printed (a state's: its ISO 3166-1 alpha-3 code, as the
    reference states are keyed), so that every document proposing the same name and kind
    proposes the same key and the build gives them one IRI (``id/<kind>/<key>``); two spellings
    with one slug ("Mr. Rudd", "Mr Rudd") are one entity. A slug that the reference data or an
    entity of another kind already uses gets the kind appended. ``minekg promote`` keeps the key.
    The ``kind`` of an organization or place is guessed (from the name's head noun, from the
    gazetteer) for the reviewer to confirm.
    """

    def __init__(self, reference: Reference):
        self.reference = reference
        self.by_key: dict[str, dict[str, Any]] = {}
        self.by_name: dict[tuple[str, str], str] = {}
        # label → kind → key, in the order proposed: ``known`` is asked for every mention, and
        # a scan of every proposal each time grew with the square of a long text's names.
        self.by_label: dict[str, dict[str, str]] = {}

    def key(self, kind: str, label: str, identifier: str | None = None) -> str:
        """The key of the entity proposed for a name of a kind, proposing it if need be."""
        key = self.by_name.get((kind, label))
        if key is None:
            code = _iso_state(label) if kind == "state" else None
            key = code.alpha_3.lower() if code else slug(label) or kind
            other_kind = self.by_key.get(key, {}).get("type", kind) != kind
            if key in self.reference.section_of or other_kind:
                key = f"{key}-{kind}"
            self.by_name[kind, label] = key
            self.by_label.setdefault(label, {})[kind] = key
            entry = self.by_key.setdefault(key, {"key": key, "type": kind, "label": label})
            if code and "identifier" not in entry:
                entry["identifier"] = f"iso3166:{code.alpha_2}"
            if kind == "organization" and guess_kind(label):
                entry.setdefault("kind", guess_kind(label))
        entry = self.by_key[key]
        if identifier and "identifier" not in entry:
            entry["identifier"] = identifier
            if entry["type"] == "place" and place_kind(identifier):
                entry.setdefault("kind", place_kind(identifier))
        return key

    def known(self, label: str | None, kind: str | None = None) -> str | None:
        """The key proposed for a name (of one kind, or of any), if it was proposed."""
        if label is None:
            return None
        kinds = self.by_label.get(label, {})
        if kind is None:
            return next(iter(kinds.values()), None)
        return kinds.get(kind)

    def of(self, mention: Mention) -> str | None:
        """The reference key of a mention, else the key of the entity proposed for it."""
        return mention.key if mention.key is not None else self.known(mention.label, mention.kind)

    def entries(self) -> list[dict[str, Any]]:
        return sorted(self.by_key.values(), key=lambda e: (e["type"], e["key"]))


def _iso_state(label: str) -> Any:
    try:
        return pycountry.countries.lookup(label)
    except LookupError:
        return None
