"""The SHACL shapes (ontology/shapes.ttl): the corpus passes them, each catches what it is for.

The mutation table is the heart of this file. Each row takes a real node of the built graph (found
by a SPARQL pattern, so the rows follow the data), deletes or corrupts one value, and names the one
result that must appear: its shape, focus node and severity. All rows are applied to one copy of the
graph and validated together, because pyshacl needs about 0.3 s just to load the shapes and over a
second per run on the whole graph: one run per row would take minutes. Rows are still independent
checks: each row asserts its own result, no row may cause a result on its focus node that no row
expects, and the whole run may cause no result at all that no row expects.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from minekg import checks, symbols
from minekg.checks import Finding
from minekg.pipeline import BuildResult
from minekg.vocab import (
    CITO,
    GEO,
    MEASURE,
    MKG,
    OA,
    PREFIXES,
    QB,
    SCHEMA,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SEM,
    UNIT,
)

ROOT = Path(__file__).resolve().parents[1]
SHAPES_FILE = ROOT / "ontology" / "shapes.ttl"
MKGSH = Namespace("https://w3id.org/minekg/shapes#")
SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


@cache
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


# ---------------------------------------------------------------- mutations

Value = Node | Callable[[Graph, URIRef], Node]
Mutation = Callable[[Dataset, Graph, URIRef], None]


def _value(value: Value, union: Graph, node: URIRef) -> Node:
    return value(union, node) if callable(value) else value


def _graph_of(ds: Dataset, node: URIRef, predicate: URIRef | None = None) -> Node:
    """The named graph that describes the node (with that predicate, if it has it)."""
    for _, _, _, g in ds.quads((node, predicate, None, None)):
        return g
    for _, _, _, g in ds.quads((node, None, None, None)):
        return g
    raise AssertionError(f"{node} is described in no graph")


def drop(*predicates: URIRef) -> Mutation:
    """Delete every value of the predicates, in every graph."""

    def mutate(ds: Dataset, union: Graph, node: URIRef) -> None:
        for predicate in predicates:
            quads = list(ds.quads((node, predicate, None, None)))
            assert quads, f"{node} has no {predicate} to delete"
            for quad in quads:
                ds.remove(quad)

    return mutate


def put(predicate: URIRef, value: Value) -> Mutation:
    """Replace the values of a predicate by one value, in the graph that held them."""

    def mutate(ds: Dataset, union: Graph, node: URIRef) -> None:
        graph = _graph_of(ds, node, predicate)
        new = _value(value, union, node)
        for quad in list(ds.quads((node, predicate, None, None))):
            ds.remove(quad)
        ds.add((node, predicate, new, graph))

    return mutate


def add(predicate: URIRef, value: Value) -> Mutation:
    """Add one more value to a predicate."""

    def mutate(ds: Dataset, union: Graph, node: URIRef) -> None:
        ds.add((node, predicate, _value(value, union, node), _graph_of(ds, node, predicate)))

    return mutate


def retype(predicate: URIRef, datatype: URIRef) -> Mutation:
    """Keep the lexical form of a literal, change its datatype."""

    def mutate(ds: Dataset, union: Graph, node: URIRef) -> None:
        for s, p, o, g in list(ds.quads((node, predicate, None, None))):
            ds.remove((s, p, o, g))
            ds.add((s, p, Literal(str(o), datatype=datatype), g))

    return mutate


def untype(kinds: URIRef) -> Mutation:
    """Remove every rdf:type of the node that is a value of the shape's sh:in list."""
    allowed = set(Collection(shapes(), shapes().value(kinds, SH["in"])))

    def mutate(ds: Dataset, union: Graph, node: URIRef) -> None:
        quads = [q for q in ds.quads((node, RDF.type, None, None)) if q[2] in allowed]
        assert quads, f"{node} has no type among {kinds}"
        for quad in quads:
            ds.remove(quad)

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(ds: Dataset, union: Graph, node: URIRef) -> None:
        for mutation in mutations:
            mutation(ds, union, node)

    return mutate


def a(pattern: str) -> Callable[[Graph, URIRef], Node]:
    """Some node matching a SPARQL pattern on ?v (the first in IRI order)."""

    def find(union: Graph, node: URIRef) -> Node:
        rows = sorted(
            v for (v,) in union.query(f"{SPARQL_PREFIXES}SELECT ?v WHERE {{ {pattern} }}")
        )
        assert rows, f"nothing matches {pattern}"
        return rows[0]

    return find


def shorter_quote(union: Graph, node: URIRef) -> Node:
    return Literal(str(union.value(node, OA.exact))[:-1])


def start_after_end(union: Graph, node: URIRef) -> Node:
    return Literal(union.value(node, OA.end).toPython() + 1)


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Case:
    """One real node (?node in `where`), one corruption, the one result it must cause.

    The result's focus node is ?focus when `where` binds it, else the mutated node itself.
    """

    name: str
    where: str
    mutate: Mutation
    shape: str
    severity: str = "Violation"
    path: URIRef | None = field(default=None)


EVENT = "?node a mkg:EventAccount ; mkg:accountOf ?event . ?event skos:prefLabel ?l ."
ONLY_DATE = "FILTER NOT EXISTS { ?node sem:hasBeginTimeStamp|sem:hasEndTimeStamp|mkg:dateText ?d }"
ROLES = "mkg:organizer|mkg:participant|mkg:party|mkg:initiator|mkg:host|mkg:adoptingBody"
REFERENCE_EVENT = "?node a mkg:Event ; skos:prefLabel ?l ."
NUM = "?node a mkg:Observation ; sdmx-attribute:unitMeasure unit:NUM ."
UNUSED_MEASURE = "?node a mkg:Measure . FILTER NOT EXISTS { ?f mkg:measure ?node }"
QUOTE = "?focus a mkg:Evidence ; oa:hasSelector ?node . ?node oa:exact ?x ."
POSITION = "?focus a mkg:Evidence ; oa:hasSelector ?node . ?node oa:start ?x ."

CASES = [
    # documents
    Case(
        "document without a kind",
        "?node a mkg:Letter .",
        untype(MKGSH.DocumentKind),
        "SourceDocument-kind",
    ),
    Case(
        "document without a label",
        "?node a mkg:SourceDocument ; rdfs:label ?l .",
        drop(RDFS.label),
        "SourceDocument-label",
    ),
    Case(
        "document with two dates",
        "?node a mkg:SourceDocument ; dct:issued ?d .",
        add(DCTERMS.issued, Literal("1999", datatype=XSD.gYear)),
        "SourceDocument-issued",
    ),
    Case(
        "document date typed as a string",
        "?node a mkg:SourceDocument ; dct:issued ?d .",
        retype(DCTERMS.issued, XSD.string),
        "DateShape",
        path=DCTERMS.issued,
    ),
    Case(
        "document author that is a post",
        "?node a mkg:SourceDocument ; schema:author ?x .",
        put(SCHEMA.author, a("?v a mkg:Post")),
        "SourceDocument-author",
    ),
    Case(
        "document without evidence",
        "?node a mkg:SourceDocument ; mkg:evidence ?e .",
        drop(MKG.evidence),
        "SourceDocument-evidence",
    ),
    Case(
        "undated document loses its date note (provenance graph)",
        "?node a mkg:SourceDocument ; mkg:dateNote ?n . FILTER NOT EXISTS { ?node dct:issued ?d }",
        drop(MKG.dateNote),
        "DocumentDateShape",
    ),
    Case(
        "document whose printed author is deleted",
        "?node a mkg:SourceDocument ; mkg:authorText ?t . "
        "FILTER NOT EXISTS { ?node schema:author ?a }",
        drop(MKG.authorText),
        "DocumentAuthorShape",
    ),
    Case(
        "joint UN symbol kept as one value",
        "?node mkg:unSymbol ?s .",
        put(MKG.unSymbol, Literal("A/79/690-S/2024/908")),
        "UNSymbol-printed",
    ),
    Case(
        "identified symbol that is not a symbol",
        "?node a mkg:SymbolIdentification .",
        put(MKG.identifiedSymbol, Literal("S/2024/456, annex")),
        "UNSymbol-identified",
    ),
    Case(
        "symbol identification without its document",
        "?node a mkg:SymbolIdentification .",
        drop(MKG.identifiedDocument),
        "SymbolIdentification-document",
    ),
    Case(
        "symbol identification established by a state",
        "?node a mkg:SymbolIdentification .",
        put(MKG.establishedBy, a("?v a mkg:State")),
        "SymbolIdentification-establishedBy",
    ),
    Case(
        "symbol identification with two symbols",
        "?node a mkg:SymbolIdentification .",
        add(MKG.identifiedSymbol, Literal("A/78/909")),
        "SymbolIdentification-symbol",
    ),
    Case(
        "symbol identification without its basis",
        "?node a mkg:SymbolIdentification .",
        drop(MKG.identificationBasis),
        "SymbolIdentification-basis",
    ),
    # provenance
    Case(
        "source text with a bad digest",
        "?node a mkg:SourceText .",
        put(MKG.sha256, Literal("ABC123")),
        "SourceText-sha256",
    ),
    Case(
        "source text of no document",
        "?node a mkg:SourceText .",
        drop(SCHEMA.encodesCreativeWork),
        "SourceText-document",
    ),
    Case(
        "document graph without its document",
        "?node a mkg:DocumentGraph .",
        drop(PROV.hadPrimarySource),
        "DocumentGraph-document",
    ),
    Case(
        "document graph without its text",
        "?node a mkg:DocumentGraph .",
        drop(PROV.wasDerivedFrom),
        "DocumentGraph-text",
    ),
    Case(
        "document graph with a review status that is not one",
        "?node a mkg:DocumentGraph .",
        put(MKG.reviewStatus, MKG.Over),
        "DocumentGraph-review",
    ),
    # evidence
    Case(
        "evidence without a source", "?node a mkg:Evidence .", drop(OA.hasSource), "Evidence-source"
    ),
    Case("evidence without its quote", QUOTE, drop(OA.exact), "Evidence-quote"),
    Case(
        "start offset typed as a decimal", POSITION, retype(OA.start, XSD.decimal), "Evidence-start"
    ),
    Case("evidence without an end offset", POSITION, drop(OA.end), "Evidence-end"),
    Case(
        "start offset after the end",
        "?node a oa:TextPositionSelector .",
        put(OA.start, start_after_end),
        "TextPositionSelector-order",
    ),
    Case(
        "quote one character short of its offsets",
        QUOTE,
        put(OA.exact, shorter_quote),
        "QuoteLengthShape",
    ),
    # claims
    Case("claim without a claimant", "?node a mkg:Claim .", drop(MKG.claimant), "Claim-claimant"),
    Case(
        "claim without its document",
        "?node a mkg:Claim .",
        drop(PROV.wasDerivedFrom),
        "Claim-source",
    ),
    Case(
        "claim appearing in a state",
        "?node a mkg:Claim ; schema:appearance ?d .",
        put(SCHEMA.appearance, a("?v a mkg:State")),
        "Claim-appearance",
    ),
    Case(
        "claim with a blank text",
        "?node a mkg:Claim .",
        put(SCHEMA.text, Literal("  ", lang="en")),
        "Claim-text",
    ),
    Case("claim without evidence", "?node a mkg:Claim .", drop(MKG.evidence), "Claim-evidence"),
    Case(
        "claim accusing a place",
        "?node a mkg:Claim ; mkg:accused ?x .",
        put(MKG.accused, a("?v a mkg:Place")),
        "Claim-accused",
    ),
    Case(
        "claim invoking an event",
        "?node a mkg:Claim ; mkg:invokes ?x .",
        put(MKG.invokes, a("?v a mkg:Conference")),
        "Claim-invokes",
    ),
    # citations and mentions
    Case(
        "citation without a citing document",
        "?node a mkg:Citation .",
        drop(CITO.hasCitingEntity),
        "Citation-citing",
    ),
    Case(
        "citation of two works",
        "?node a mkg:Citation .",
        add(CITO.hasCitedEntity, a("?v a mkg:Treaty")),
        "Citation-cited",
    ),
    Case(
        "citation characterised as a reply",
        "?node a mkg:Citation .",
        put(CITO.hasCitationCharacterization, CITO.repliesTo),
        "Citation-character",
    ),
    Case(
        "footnote 0",
        "?node a mkg:Citation ; mkg:footnote ?f .",
        put(MKG.footnote, Literal(0)),
        "Citation-footnote",
    ),
    Case(
        "citation without evidence",
        "?node a mkg:Citation .",
        drop(MKG.evidence),
        "Citation-evidence",
    ),
    Case("mention of nothing", "?node a mkg:Mention .", drop(OA.hasBody), "Mention-body"),
    Case(
        "mention targeting a document",
        "?node a mkg:Mention .",
        put(OA.hasTarget, a("?v a mkg:Letter")),
        "Mention-target",
    ),
    Case(
        "mention motivated by commenting",
        "?node a mkg:Mention .",
        put(OA.motivatedBy, OA.commenting),
        "Mention-motivation",
    ),
    # figures
    Case(
        "figure without a measure", "?node a mkg:Observation .", drop(MKG.measure), "Figure-measure"
    ),
    Case(
        "figure measuring a group concept",
        "?node a mkg:Observation .",
        put(MKG.measure, MEASURE.group_victims),
        "Figure-measureInScheme",
    ),
    Case(
        "figure without a unit",
        "?node a mkg:Observation .",
        drop(SDMX_ATTRIBUTE.unitMeasure),
        "Figure-unit",
    ),
    Case(
        "count given in hectares", NUM, put(SDMX_ATTRIBUTE.unitMeasure, UNIT.HA), "FigureUnitShape"
    ),
    Case(
        "figure without its document",
        "?node a mkg:Figure .",
        drop(PROV.wasDerivedFrom),
        "Figure-source",
    ),
    Case("figure without evidence", "?node a mkg:Figure .", drop(MKG.evidence), "Figure-evidence"),
    Case(
        "figure with two as-of dates",
        "?node a mkg:Figure ; mkg:asOf ?d .",
        add(MKG.asOf, Literal("1999", datatype=XSD.gYear)),
        "Figure-asOf",
    ),
    Case(
        "figure with two period starts",
        "?node a mkg:Figure ; mkg:periodStart ?d .",
        add(MKG.periodStart, Literal("1999", datatype=XSD.gYear)),
        "Figure-periodStart",
    ),
    Case(
        "figure with two period ends",
        "?node a mkg:Figure ; mkg:periodEnd ?d .",
        add(MKG.periodEnd, Literal("2099", datatype=XSD.gYear)),
        "Figure-periodEnd",
    ),
    Case(
        "figure period ending before it starts",
        "?node a mkg:Figure ; mkg:periodStart ?s ; mkg:periodEnd ?e .",
        put(MKG.periodStart, Literal("2099", datatype=XSD.gYear)),
        "FigurePeriodShape",
    ),
    Case(
        "figure area that is an organization",
        "?node a mkg:Figure ; sdmx-dimension:refArea ?p .",
        put(SDMX_DIMENSION.refArea, a("?v a mkg:UNOrgan")),
        "Figure-areaKind",
    ),
    Case(
        "figure losing its area (Info)",
        "?node a mkg:Figure ; sdmx-dimension:refArea ?p .",
        drop(SDMX_DIMENSION.refArea),
        "Figure-area",
        severity="Info",
    ),
    Case(
        "figure losing its only date (Info)",
        "?node a mkg:Figure ; mkg:periodText ?t . "
        "FILTER NOT EXISTS { ?node mkg:asOf|mkg:periodStart|mkg:periodEnd ?d }",
        drop(MKG.periodText),
        "Figure-date",
        severity="Info",
    ),
    Case(
        "observation without a value",
        "?node a mkg:Observation .",
        drop(SDMX_MEASURE.obsValue),
        "Observation-value",
    ),
    Case(
        "observation value typed as an integer",
        NUM,
        put(SDMX_MEASURE.obsValue, Literal(12)),
        "Observation-valueType",
    ),
    Case(
        "negative count",
        NUM,
        put(SDMX_MEASURE.obsValue, Literal(Decimal("-5"), datatype=XSD.decimal)),
        "Observation-nonNegative",
    ),
    Case(
        "observation in no data set",
        "?node a mkg:Observation .",
        drop(QB.dataSet),
        "Observation-dataSet",
    ),
    Case(
        "percentage above 100",
        "?node a mkg:Observation ; sdmx-attribute:unitMeasure unit:PERCENT .",
        put(SDMX_MEASURE.obsValue, Literal(Decimal("114.2"), datatype=XSD.decimal)),
        "PercentRange-value",
    ),
    Case(
        "fraction above 1",
        "?node a mkg:Observation ; sdmx-attribute:unitMeasure unit:FRACTION .",
        put(SDMX_MEASURE.obsValue, Literal(Decimal("1.5"), datatype=XSD.decimal)),
        "FractionRange-value",
    ),
    Case(
        "figure in words without its words",
        "?node a mkg:QualitativeFigure .",
        drop(MKG.valueText),
        "QualitativeFigure-valueText",
    ),
    Case(
        "figure in words with a number",
        "?node a mkg:QualitativeFigure .",
        add(SDMX_MEASURE.obsValue, Literal(Decimal("5"), datatype=XSD.decimal)),
        "QualitativeFigure-noValue",
    ),
    Case("measure without a unit", UNUSED_MEASURE, drop(MKG.unit), "Measure-unit"),
    Case("measure outside the scheme", UNUSED_MEASURE, drop(SKOS.inScheme), "Measure-scheme"),
    Case(
        "measure notation not in snake_case",
        "?node a mkg:Measure .",
        put(SKOS.notation, Literal("Mine victims")),
        "Measure-notation",
    ),
    # events
    Case(
        "event with two dates",
        f"{REFERENCE_EVENT} ?node sem:hasTimeStamp ?t .",
        add(SEM.hasTimeStamp, Literal("1999", datatype=XSD.gYear)),
        "Event-timeStamp",
    ),
    Case(
        "event with two begins",
        "?node a mkg:Event ; sem:hasBeginTimeStamp ?t .",
        add(SEM.hasBeginTimeStamp, Literal("1999", datatype=XSD.gYear)),
        "Event-begin",
    ),
    Case(
        "event with two ends",
        "?node a mkg:Event ; sem:hasEndTimeStamp ?t .",
        add(SEM.hasEndTimeStamp, Literal("2099", datatype=XSD.gYear)),
        "Event-end",
    ),
    Case(
        "event ending before it begins",
        "?node a mkg:EventAccount ; sem:hasBeginTimeStamp ?b ; sem:hasEndTimeStamp ?e .",
        put(SEM.hasEndTimeStamp, Literal("1900", datatype=XSD.gYear)),
        "EventIntervalShape",
    ),
    Case(
        "event date typed as a string",
        "?node a mkg:EventAccount ; sem:hasTimeStamp ?t .",
        retype(SEM.hasTimeStamp, XSD.string),
        "DateShape",
        path=SEM.hasTimeStamp,
    ),
    Case(
        "shared event whose only account is moved to another event",
        "?node mkg:accountOf ?focus . FILTER NOT EXISTS { ?focus skos:prefLabel ?l } "
        "FILTER NOT EXISTS { ?other mkg:accountOf ?focus FILTER (?other != ?node) }",
        put(MKG.accountOf, a("?v a mkg:Conference ; skos:prefLabel ?l")),
        "SharedEvent-told",
    ),
    Case(
        "reference event without a kind",
        REFERENCE_EVENT,
        untype(MKGSH.EventKind),
        "ReferenceEvent-kind",
    ),
    Case(
        "reference event without a label", REFERENCE_EVENT, drop(RDFS.label), "ReferenceEvent-label"
    ),
    Case(
        "reference event losing its date (Info)",
        f"{REFERENCE_EVENT} ?node sem:hasTimeStamp ?t . {ONLY_DATE}",
        drop(SEM.hasTimeStamp),
        "ReferenceEvent-date",
        severity="Info",
    ),
    Case("account of no event", EVENT, drop(MKG.accountOf), "EventAccount-accountOf"),
    Case("account without a name", EVENT, drop(RDFS.label), "EventAccount-label"),
    Case("account without a kind", EVENT, untype(MKGSH.EventKind), "EventAccount-kind"),
    Case("account without its document", EVENT, drop(PROV.wasDerivedFrom), "EventAccount-source"),
    Case("account without evidence", EVENT, drop(MKG.evidence), "EventAccount-evidence"),
    Case(
        "account losing its place (Info)",
        "?node a mkg:EventAccount ; sem:hasPlace ?p .",
        drop(SEM.hasPlace),
        "EventAccount-place",
        severity="Info",
    ),
    Case(
        "account losing its only date (Info)",
        f"?node a mkg:EventAccount ; sem:hasTimeStamp ?t . {ONLY_DATE}",
        drop(SEM.hasTimeStamp),
        "EventAccount-date",
        severity="Info",
    ),
    Case(
        "account losing its only actor (Info)",
        f"?node a mkg:EventAccount ; sem:hasActor ?x . FILTER NOT EXISTS {{ ?node {ROLES} ?r }}",
        drop(SEM.hasActor),
        "EventAccount-actor",
        severity="Info",
    ),
    # instruments
    Case("treaty without a label", "?node a mkg:Treaty .", drop(RDFS.label), "Instrument-label"),
    Case(
        "two English preferred labels",
        "?node a mkg:Agreement .",
        add(SKOS.prefLabel, Literal("Another name", lang="en")),
        "Instrument-prefLabel",
    ),
    Case(
        "instrument with two dates",
        "?node a mkg:Standard ; schema:legislationDate ?d .",
        add(SCHEMA.legislationDate, Literal("1999", datatype=XSD.gYear)),
        "Instrument-date",
    ),
    Case(
        "resolution passed by a place",
        "?node schema:legislationPassedBy ?b .",
        put(SCHEMA.legislationPassedBy, a("?v a mkg:City")),
        "Instrument-passedBy",
    ),
    Case(
        "resolution adopted at a state",
        "?node mkg:adoptedAt ?e .",
        put(MKG.adoptedAt, a("?v a mkg:State")),
        "Instrument-adoptedAt",
    ),
    Case(
        "resolution without its symbol",
        "?node a mkg:Resolution .",
        drop(SCHEMA.legislationIdentifier),
        "Resolution-identifier",
    ),
    Case(
        "reference resolution without a date",
        "?node a mkg:Resolution ; skos:prefLabel ?l ; schema:legislationDate ?d .",
        drop(SCHEMA.legislationDate),
        "ResolutionDateShape",
    ),
    Case(
        "reference resolution without an issuing body",
        "?node a mkg:Resolution ; skos:prefLabel ?l ; schema:legislationPassedBy ?b . "
        "FILTER NOT EXISTS { ?node mkg:adoptedAt|mkg:party ?x }",
        drop(SCHEMA.legislationPassedBy),
        "ResolutionIssuerShape",
    ),
    Case(
        "resolution known only by its symbol (Info)",
        "?node a mkg:Resolution ; skos:prefLabel ?l ; schema:legislationDate ?d .",
        both(drop(SKOS.prefLabel), drop(SCHEMA.legislationDate)),
        "CitedResolutionShape",
        severity="Info",
    ),
    Case(
        "treaty losing its date (Info)",
        "?node a mkg:Treaty ; schema:legislationDate ?d .",
        drop(SCHEMA.legislationDate),
        "Treaty-date",
        severity="Info",
    ),
    Case(
        "dated standard retyped as a treaty (Info)",
        "?node a mkg:Standard ; schema:legislationDate ?d .",
        add(RDF.type, MKG.Treaty),
        "TreatyAdoptionShape",
        severity="Info",
    ),
    Case(
        "protocol to no treaty",
        "?node a mkg:TreatyProtocol .",
        drop(MKG.protocolTo),
        "TreatyProtocol-protocolTo",
    ),
    Case(
        "rule 162",
        "?node a mkg:CustomaryIHLRule .",
        put(MKG.ruleNumber, Literal(162)),
        "CustomaryIHLRule-number",
    ),
    Case(
        "rule without a title",
        "?node a mkg:CustomaryIHLRule .",
        drop(DCTERMS.title),
        "CustomaryIHLRule-title",
    ),
    Case(
        "rule without its statement",
        "?node a mkg:CustomaryIHLRule .",
        drop(MKG.ruleStatement),
        "CustomaryIHLRule-statement",
    ),
    Case(
        "rule page outside the ICRC database",
        "?node a mkg:CustomaryIHLRule .",
        put(MKG.icrcPage, URIRef("https://example.org/rule")),
        "CustomaryIHLRule-page",
    ),
    Case(
        "rule scope that is a treaty status",
        "?node a mkg:CustomaryIHLRule .",
        put(MKG.legalScope, MKG.Party),
        "CustomaryIHLRule-scope",
    ),
    Case(
        "treaty status of a place",
        "?node a mkg:TreatyStatus .",
        put(MKG.state, a("?v a mkg:District")),
        "TreatyStatus-state",
    ),
    Case(
        "treaty status of a resolution",
        "?node a mkg:TreatyStatus .",
        put(MKG.treaty, a("?v a mkg:Resolution")),
        "TreatyStatus-treaty",
    ),
    Case(
        "treaty status without a status",
        "?node a mkg:TreatyStatus .",
        drop(MKG.status),
        "TreatyStatus-status",
    ),
    Case(
        "treaty status without a source",
        "?node a mkg:TreatyStatus .",
        drop(DCTERMS.source),
        "TreatyStatus-source",
    ),
    Case(
        "treaty status with two dates of joining",
        "?node a mkg:TreatyStatus ; dct:date ?d .",
        add(DCTERMS.date, Literal("1999", datatype=XSD.gYear)),
        "TreatyStatus-date",
    ),
    Case(
        "treaty status valid twice",
        "?node a mkg:TreatyStatus ; dct:valid ?d .",
        add(DCTERMS.valid, Literal("1999", datatype=XSD.gYear)),
        "TreatyStatus-valid",
    ),
    Case(
        "not party, undated",
        "?node a mkg:TreatyStatus ; mkg:status mkg:NotParty .",
        drop(DCTERMS.valid),
        "NotPartyShape",
    ),
    Case(
        "status date typed as a string",
        "?node a mkg:TreatyStatus ; dct:valid ?d .",
        retype(DCTERMS.valid, XSD.string),
        "DateShape",
        path=DCTERMS.valid,
    ),
    # agents, posts, tenures, places
    Case(
        "person without a label", "?node a mkg:Person .", drop(RDFS.label), "ReferenceEntity-label"
    ),
    Case(
        "place without a preferred label",
        "?node a mkg:Place .",
        drop(SKOS.prefLabel),
        "ReferenceEntity-prefLabel",
    ),
    Case(
        "lower-case ISO code",
        "?node a mkg:State .",
        put(MKG.iso3166Code, Literal("az")),
        "State-iso3166",
    ),
    Case(
        "organization without a kind",
        "?node a mkg:UNEntity .",
        untype(MKGSH.OrganizationKind),
        "Organization-kind",
    ),
    Case(
        "UN organ that is a unit of a state",
        "?node org:unitOf ?p .",
        put(ORG.unitOf, a("?v a mkg:State")),
        "Organization-parent",
    ),
    Case(
        "organization whose country is an organization",
        "?node mkg:country ?c .",
        put(MKG.country, a("?v a mkg:IntergovernmentalOrganization")),
        "Organization-country",
    ),
    Case(
        "organization founded twice",
        "?node schema:foundingDate ?d .",
        add(SCHEMA.foundingDate, Literal("1999", datatype=XSD.gYear)),
        "Organization-founded",
    ),
    Case(
        "nationality that is an organization",
        "?node schema:nationality ?s .",
        put(SCHEMA.nationality, a("?v a mkg:UNOrgan")),
        "Person-nationality",
    ),
    Case("post in nothing", "?node a mkg:Post .", drop(ORG.postIn), "Post-postIn"),
    Case("tenure without a holder", "?node a mkg:Tenure .", drop(MKG.holder), "Tenure-holder"),
    Case(
        "tenure of a person as a post",
        "?node a mkg:Tenure .",
        put(MKG.post, a("?v a mkg:Person")),
        "Tenure-post",
    ),
    Case("tenure without a source", "?node a mkg:Tenure .", drop(DCTERMS.source), "Tenure-source"),
    Case(
        "tenure starting twice",
        "?node a mkg:Tenure ; schema:startDate ?d .",
        add(SCHEMA.startDate, Literal("1999", datatype=XSD.gYear)),
        "Tenure-start",
    ),
    Case(
        "tenure ending twice",
        "?node a mkg:Tenure ; schema:endDate ?d .",
        add(SCHEMA.endDate, Literal("2099", datatype=XSD.gYear)),
        "Tenure-end",
    ),
    Case(
        "tenure ending before it starts",
        "?node a mkg:Tenure ; schema:startDate ?s ; schema:endDate ?e .",
        put(SCHEMA.endDate, Literal("1900", datatype=XSD.gYear)),
        "TenureIntervalShape",
    ),
    Case("place without a kind", "?node a mkg:District .", untype(MKGSH.PlaceKind), "Place-kind"),
    Case("place located nowhere", "?node a mkg:Place .", drop(GEO.sfWithin), "Place-within"),
    Case(
        "ISO 3166-2 code with an underscore",
        "?node mkg:iso3166_2Code ?c .",
        put(MKG.iso3166_2Code, Literal("AZ_ZAN")),
        "Place-iso3166_2",
    ),
    Case(
        "Wikidata page instead of entity",
        "?node owl:sameAs ?q .",
        put(OWL.sameAs, URIRef("https://www.wikidata.org/wiki/Q227")),
        "WikidataLink-entity",
    ),
]


@dataclass(frozen=True)
class Expected:
    case: Case
    node: URIRef
    focus: URIRef

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.case.severity, str(MKGSH[self.case.shape]), str(self.focus))


def _key(finding: Finding) -> tuple[str, str, str]:
    return (finding.severity, finding.shape, finding.focus)


def _candidates(union: Graph) -> dict[int, list[tuple[URIRef, URIRef]]]:
    """For each row, the (node, focus) pairs that match its pattern, in IRI order.

    One query for all rows: rdflib spends more time parsing a query than running these.
    """
    groups = " UNION ".join(
        f"{{ BIND ({i} AS ?case) {case.where} }}" for i, case in enumerate(CASES)
    )
    found: dict[int, list[tuple[URIRef, URIRef]]] = {i: [] for i in range(len(CASES))}
    for case, node, focus in union.query(
        f"{SPARQL_PREFIXES}SELECT DISTINCT ?case ?node ?focus WHERE {{ {groups} }}"
    ):
        found[case.toPython()].append((node, focus if focus is not None else node))
    return {i: sorted(rows) for i, rows in found.items()}


def _pick(rows: list[tuple[URIRef, URIRef]], case: Case, used: set[Node]) -> tuple[URIRef, URIRef]:
    """The first matching node that no earlier row mutated, else the first one."""
    assert rows, f"no node of the built graph matches {case.where!r} ({case.name})"
    node, focus = next(((n, f) for n, f in rows if n not in used and f not in used), rows[0])
    used.update((node, focus))
    return node, focus


@dataclass
class Run:
    expected: list[Expected]
    baseline: set[tuple[str, str, str]]
    findings: list[Finding]
    dataset: Dataset

    @property
    def new(self) -> list[Finding]:
        return [f for f in self.findings if _key(f) not in self.baseline]


@pytest.fixture(scope="module")
def mutated(built: BuildResult) -> Run:
    union, _ = checks.union_of(built.dataset)
    ds = Dataset()
    for quad in built.dataset.quads((None, None, None, None)):
        ds.add(quad)
    used: set[Node] = set()
    expected = []
    candidates = _candidates(union)
    for i, case in enumerate(CASES):
        node, focus = _pick(candidates[i], case, used)
        case.mutate(ds, union, node)
        expected.append(Expected(case, node, focus))
    # Only shapes.ttl: the consistency rules (rules.ttl) react to changed figures by design.
    verdict = checks.validate(ds, [SHAPES_FILE])
    baseline = {_key(f) for f in built.verdict.findings if f.severity != "Warning"}
    return Run(expected, baseline, verdict.findings, ds)


# ---------------------------------------------------------------- the corpus


def test_the_corpus_graph_has_no_violation(built: BuildResult) -> None:
    violations = built.verdict.of_severity("Violation")
    assert not violations, "\n".join(f"{f.shape} {f.focus}: {f.message}" for f in violations)


def test_infos_on_the_corpus_come_only_from_info_shapes(built: BuildResult) -> None:
    infos = built.verdict.of_severity("Info")
    info_shapes = {str(s) for s in shapes().subjects(SH.severity, SH.Info)}
    assert infos, "the corpus has gaps an analyst should see (undated figures, treaties)"
    assert {f.shape for f in infos if f.shape.startswith(str(MKGSH))} <= info_shapes
    # the documented gaps: figures without a date, treaties without a date or adopting body
    assert {str(MKGSH[name]) for name in ("Figure-date", "Treaty-date", "TreatyAdoptionShape")} <= {
        f.shape for f in infos
    }


# ---------------------------------------------------------------- the shapes themselves


def test_shapes_pass_the_shacl_for_shacl_meta_check() -> None:
    """As a user runs it: pyshacl's own command, its default validation depth."""
    path = str(SHAPES_FILE)
    command = [str(Path(sys.executable).with_name("pyshacl")), "--metashacl", "-s", path, path]
    checked = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Conforms: True" in checked.stdout


def _constraint_shapes() -> set[URIRef]:
    """The named shapes that produce results: property shapes and node shapes with a target."""
    g = shapes()
    named = {s for s in g.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.target)
    for shape in g.subjects(RDF.type, SH.NodeShape):
        if any(g.value(shape, t) is not None for t in targets) and any(
            g.value(shape, c) is not None for c in (SH["or"], SH.sparql, SH["in"])
        ):
            named.add(shape)
    return named


def test_every_constraint_says_what_is_wrong_and_what_is_expected() -> None:
    g = shapes()
    sparql = set(g.objects(None, SH.sparql))
    carriers = {s for s in _constraint_shapes() if g.value(s, SH.sparql) is None} | sparql
    for node in carriers:
        messages = list(g.objects(node, SH.message))
        assert len(messages) == 1, f"{node} has {len(messages)} messages"
        assert "expected" in str(messages[0]) or "recommended" in str(messages[0]), node
    # a node shape that groups property shapes carries no message of its own (it would be added
    # to every result of its property shapes)
    for shape in g.subjects(SH.property, None):
        if g.value(shape, SH.sparql) is None and g.value(shape, SH["or"]) is None:
            assert g.value(shape, SH.message) is None, shape


def test_shapes_are_open_and_warnings_are_left_to_the_rules() -> None:
    g = shapes()
    assert not list(g.subjects(SH.closed, Literal(True)))
    assert not list(g.subjects(SH.severity, SH.Warning))


def test_every_shape_is_exercised_by_a_mutation() -> None:
    exercised = {MKGSH[case.shape] for case in CASES}
    assert _constraint_shapes() - exercised == set()


@pytest.mark.parametrize(
    ("kinds", "root", "excluded"),
    [
        ("DocumentKind", MKG.SourceDocument, {MKG.Annex}),
        ("EventKind", MKG.Event, {MKG.EventAccount}),
        ("OrganizationKind", MKG.Organization, set()),
        ("PlaceKind", MKG.Place, set()),
    ],
)
def test_kind_lists_are_the_ontology_sub_classes(
    built: BuildResult, kinds: str, root: URIRef, excluded: set[URIRef]
) -> None:
    ontology = built.dataset.graph(URIRef("https://w3id.org/minekg/graph/ontology"))
    sub_classes = set(ontology.transitive_subjects(RDFS.subClassOf, root)) - {root} - excluded
    listed = set(Collection(shapes(), shapes().value(MKGSH[kinds], SH["in"])))
    assert listed == sub_classes


# ---------------------------------------------------------------- UN symbols

GOOD_SYMBOLS = [
    "A/79/690",
    "S/2024/908",
    "S/RES/822 (1993)",
    "S/RES/822(1993)",
    "A/RES/78/70",
    "A/C.3/79/L.35",
    "A/78/908",
    "S/2024/456",
    "A/78/259",
    "A/RES/491 (V)",
    "A/79/PV.1",
    "S/PRST/2020/1",
    "A/57/759/Add.1",
    "E/CN.4/2005/L.10/Add.17",
    "A/CONF.191/13",
    "A/79/1/Rev.1/Corr.2",
    "A/79/1*",
    "A/79/1/Summary",
]
BAD_SYMBOLS = [
    "A/",
    "/79/690",
    "A79/690",
    "a/79/690",
    "A/79/690 ",
    "A//79/690",
    "A/79/690/",
    "A/79/690-S/2024/908",
    "S/RES/822 (93)",
    "S/RES/822 1993",
    "A/57/759/Add",
    "A/57/759/Add.1 annex",
    "15 HCP 7",
    "A/C.3/79/L.",
]


def _symbol_pattern(shape: str) -> str:
    return str(shapes().value(MKGSH[shape], SH.pattern))


@pytest.mark.parametrize("shape", ["UNSymbol-printed", "UNSymbol-identified"])
def test_the_symbol_pattern_accepts_the_grammar_and_rejects_the_rest(shape: str) -> None:
    pattern = re.compile(_symbol_pattern(shape))
    assert [s for s in GOOD_SYMBOLS if not pattern.search(s)] == []
    assert [s for s in BAD_SYMBOLS if pattern.search(s)] == []


def test_the_symbol_pattern_agrees_with_the_parser() -> None:
    pattern = re.compile(_symbol_pattern("UNSymbol-printed"))
    for symbol in GOOD_SYMBOLS + BAD_SYMBOLS:
        if symbol.endswith(("*", "/Summary")):
            continue  # final components the grammar lists and src/minekg/symbols.py does not
        assert bool(pattern.search(symbol)) == bool(symbols.UN_SYMBOL.match(symbol)), symbol


def test_every_symbol_in_the_corpus_graph_matches(built: BuildResult) -> None:
    union, _ = checks.union_of(built.dataset)
    pattern = re.compile(_symbol_pattern("UNSymbol-printed"))
    found = {str(o) for p in (MKG.unSymbol, MKG.identifiedSymbol) for o in union.objects(None, p)}
    cited = {
        str(o)
        for o in union.objects(None, SCHEMA.legislationIdentifier)
        if symbols.is_un_symbol(str(o))
    }
    assert {"A/79/690", "S/2024/908", "A/78/908", "S/RES/822 (1993)"} <= found | cited
    assert [s for s in sorted(found | cited) if not pattern.search(s)] == []


def test_pyshacl_flags_exactly_the_bad_symbols() -> None:
    data = Graph()
    nodes = {}
    for i, symbol in enumerate(GOOD_SYMBOLS + BAD_SYMBOLS):
        nodes[symbol] = URIRef(f"urn:test:doc{i}")
        data.add((nodes[symbol], MKG.unSymbol, Literal(symbol)))
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes(), inference="none", advanced=True)
    flagged = {
        report.value(r, SH.focusNode) for r in report.subjects(RDF.type, SH.ValidationResult)
    }
    assert flagged == {nodes[s] for s in BAD_SYMBOLS}


# ---------------------------------------------------------------- the mutations


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_one_corrupted_value_gives_exactly_its_result(mutated: Run, case: Case) -> None:
    row = next(e for e in mutated.expected if e.case is case)
    found = [f for f in mutated.new if _key(f) == row.key]
    assert found, (
        f"{case.name}: expected {row.key} after mutating {row.node}; new results on that node: "
        f"{[_key(f) for f in mutated.new if f.focus == str(row.focus)]}"
    )
    path = case.path or shapes().value(MKGSH[case.shape], SH.path)
    if isinstance(path, URIRef):
        assert {f.path for f in found} == {str(path)}
    # nothing else new on this focus node than what the rows on it expect
    allowed = {e.key for e in mutated.expected if e.focus == row.focus}
    others = [_key(f) for f in mutated.new if f.focus == str(row.focus) and _key(f) not in allowed]
    assert others == [], f"{case.name}: unexpected results on {row.focus}"


def test_pyshacl_finds_what_the_build_engine_finds(mutated: Run) -> None:
    """The build validates with pyshacl-turbo; pyshacl, the reference engine in Python, must give
    the very same results (shape, focus node, path, value, severity and message) on the corpus
    with one broken value for every constraint, so that the faster engine changes nothing."""
    union, graph_of = checks.union_of(mutated.dataset)
    _, report, _ = pyshacl.validate(
        union, shacl_graph=shapes(), inference="none", advanced=True, allow_warnings=True
    )
    reference = sorted(checks.findings_of(report, shapes(), graph_of))
    built = sorted(checks.validate_unit(union, checks.compile_shapes(shapes()), graph_of))
    assert {f.severity for f in reference} == {"Violation", "Info"}
    assert len(reference) > len(CASES)
    assert built == reference


def test_the_mutations_cause_no_result_that_no_row_expects(mutated: Run) -> None:
    expected = {e.key for e in mutated.expected}
    unexpected = [f for f in mutated.new if _key(f) not in expected]
    assert unexpected == [], "\n".join(
        f"{f.severity} {f.shape} {f.focus}: {f.message}" for f in unexpected
    )
