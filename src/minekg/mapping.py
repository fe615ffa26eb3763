"""Records and reference data → an RDF dataset: one named graph per source document.

What a document says goes into that document's graph and nowhere else, so every statement can be
traced to its source and the exact span that says it (``mkg:evidence`` → ``oa:SpecificResource``
with a quote and a position selector). Claims and figures are nodes attributed to their source,
never plain triples about the world: "Armenia refuses to hand over maps" is an ``mkg:Claim`` whose
claimant is Azerbaijan, in the graph of the document that says it.

Curated entities (states, rules, treaties …) live in the reference graph, the vocabulary in the
ontology graph, and the description of each document graph (source, digests, review status) in
the provenance graph. No blank nodes anywhere: every node has an IRI, which keeps dumps
byte-identical from one build to the next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, XSD

from minekg import symbols
from minekg.inputs import LoadedRecord, Reference, node_key
from minekg.records import (
    Citation,
    Claim,
    Event,
    Evidence,
    Figure,
    Mention,
    ProposedEntity,
    Record,
)
from minekg.vocab import (
    CITO,
    GEO,
    INSTRUMENT_PATH,
    MEASURE,
    MKG,
    OA,
    PREFIXES,
    QB,
    SCHEMA,
    SDMX_ATTRIBUTE,
    SDMX_DIMENSION,
    SDMX_MEASURE,
    SECTION_PATH,
    SEM,
    WD,
    IRIs,
    slug,
)

# ISO 639-1 codes as IRIs of dct:LinguisticSystem (the Library of Congress's), and IANA's
# registry of media types, the IRIs DCAT uses for dct:MediaType.
LANGUAGE = Namespace("http://id.loc.gov/vocabulary/iso639-1/")
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"

DOCUMENT_CLASS = {
    "letter": MKG.Letter,
    "annex": MKG.Annex,
    "statement": MKG.Statement,
    "declaration": MKG.Declaration,
    "report": MKG.Report,
    "resolution": MKG.ResolutionText,
    "treaty": MKG.TreatyText,
    "article": MKG.NewsArticle,
}
ORGANIZATION_CLASS = {
    "igo": MKG.IntergovernmentalOrganization,
    "un_organ": MKG.UNOrgan,
    "un_entity": MKG.UNEntity,
    "national_agency": MKG.NationalAgency,
    "ministry": MKG.Ministry,
    "court": MKG.Court,
    "media": MKG.MediaOrganization,
    "armed_forces": MKG.ArmedForces,
    "group": MKG.Group,
    "centre": MKG.Centre,
    "ngo": MKG.NonGovernmentalOrganization,
    "movement": MKG.Movement,
    "mission": MKG.Mission,
}
PLACE_CLASS = {
    "city": MKG.City,
    "district": MKG.District,
    "region": MKG.Region,
    "settlement": MKG.Settlement,
    "site": MKG.Site,
}
INSTRUMENT_CLASS = {
    "treaty": MKG.Treaty,
    "protocol": MKG.TreatyProtocol,
    "charter": MKG.Charter,
    "resolution": MKG.Resolution,
    "standard": MKG.Standard,
    "agreement": MKG.Agreement,
    "statement": MKG.Agreement,
    "strategy": MKG.Strategy,
    "policy": MKG.Policy,
    "agenda": MKG.Agenda,
    "body_of_law": MKG.BodyOfLaw,
    "declaration": MKG.Instrument,
}
PROPOSED_CLASS = {
    "state": MKG.State,
    "person": MKG.Person,
    "organization": MKG.Organization,
    "place": MKG.Place,
}
LEGAL_INSTRUMENTS = {"treaty", "protocol", "charter", "resolution"}
EVENT_CLASS = {
    "conference": MKG.Conference,
    "summit": MKG.Summit,
    "meeting": MKG.Meeting,
    "war": MKG.ArmedConflict,
    "military_operation": MKG.MilitaryOperation,
    "signing": MKG.Signing,
    "resolution_adoption": MKG.Adoption,
    "court_proceedings": MKG.LegalProceeding,
    "court_decision": MKG.CourtDecision,
    "policy_decision": MKG.PolicyDecision,
    "establishment": MKG.Establishment,
    "project": MKG.Project,
    "deployment": MKG.Deployment,
    "dismissal": MKG.Dismissal,
    "appointment": MKG.Appointment,
    "map_handover": MKG.MapHandover,
    "public_statement": MKG.PublicStatement,
    "observance": MKG.Observance,
    "report_issuance": MKG.ReportIssuance,
    "renaming": MKG.Renaming,
}
QUALIFIER = {
    "over": MKG.Over,
    "about": MKG.About,
    "at_least": MKG.AtLeast,
    "up_to": MKG.UpTo,
    "under": MKG.Under,
}
SCOPE = {"IAC": MKG.IAC, "IAC/NIAC": MKG.IACandNIAC, "IAC/arguably NIAC": MKG.IACandArguablyNIAC}
STATUS = {"party": MKG.Party, "not_party": MKG.NotParty, "signatory": MKG.Signatory}
EVENT_ROLES = {
    "places": SEM.hasPlace,
    "organizers": MKG.organizer,
    "participants": MKG.participant,
    "parties": MKG.party,
    "actors": SEM.hasActor,
}
EVENT_SINGLE_ROLES = {
    "initiator": MKG.initiator,
    "host": MKG.host,
    "body": MKG.adoptingBody,
    "instrument": MKG.concernsInstrument,
}


def date_literal(value: str) -> Literal:
    """A partial date at the precision the source gives: xsd:gYear, xsd:gYearMonth, xsd:date."""
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return Literal(value, datatype=datatype)


@dataclass(frozen=True)
class Vocabulary:
    """What mapping needs from the ontology: the measure scheme and each measure's unit."""

    graph: Graph

    @property
    def units(self) -> dict[str, URIRef]:
        return {
            str(notation): unit
            for measure, notation in self.graph.subject_objects(SKOS.notation)
            if str(measure).startswith(str(MEASURE))
            for unit in self.graph.objects(measure, MKG.unit)
            if isinstance(unit, URIRef)
        }


def load_vocabulary(ontology_dir: Path) -> Vocabulary:
    graph = Graph()
    for name in ("minekg.ttl", "measures.ttl"):
        graph.parse(ontology_dir / name, format="turtle")
    return Vocabulary(graph)


class ReferenceIRIs:
    """IRIs of reference entities by key, and of UN symbols, shared by every document graph."""

    def __init__(self, reference: Reference, records: Iterable[LoadedRecord], iris: IRIs):
        self.reference, self.iris = reference, iris
        records = list(records)
        self.by_symbol: dict[str, URIRef] = {}
        # The source document of each corpus file a record reads, for "corpus:FILE" sources.
        self.by_file = {item.record.source.file: iris.document(item.record.key) for item in records}
        for instrument in reference.sections["instruments"]:
            if instrument.symbol:
                self.by_symbol[symbols.normalise(instrument.symbol)] = self.entity(instrument.key)
        for item in records:
            doc = item.record.document
            printed = doc.symbols + [s.symbol for s in doc.identified_symbols]
            for symbol in printed:
                self.by_symbol[symbols.normalise(symbol)] = iris.document(item.record.key)

    def entity(self, key: str) -> URIRef:
        section = self.reference.section_of.get(key, "events")
        if section == "instruments":
            entry = self.reference.get(key)
            return self.iris.kind(INSTRUMENT_PATH.get(entry.type, "instrument"), key)
        return self.iris.kind(SECTION_PATH[section], key)

    def rule(self, number: int) -> URIRef:
        return self.iris.kind("ihl-rule", str(number))

    def symbol(self, symbol: str) -> URIRef:
        normal = symbols.normalise(symbol)
        if normal in self.by_symbol:
            return self.by_symbol[normal]
        path = "resolution" if symbols.is_resolution(normal) else "document"
        return self.iris.kind(path, symbols.symbol_key(normal))


def build_dataset(
    reference: Reference, records: list[LoadedRecord], vocabulary: Vocabulary, base: str
) -> Dataset:
    """The whole graph: ontology, reference, provenance and one graph per document."""
    refs = ReferenceIRIs(reference, records, IRIs(base))
    dataset = shared_graphs(reference, vocabulary, refs)
    units = vocabulary.units
    for item in records:
        map_document(dataset, item, refs, units)
    return dataset


def new_dataset(base: str) -> Dataset:
    """An empty dataset with minekg's prefixes bound (they shorten the Turtle and TriG dumps)."""
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace, override=True, replace=True)
    dataset.bind("mkgid", base + "id/")
    dataset.bind("mkgg", base + "graph/")
    return dataset


def shared_graphs(reference: Reference, vocabulary: Vocabulary, refs: ReferenceIRIs) -> Dataset:
    """What every document graph is read with: ontology, reference, and the reference's provenance.

    A build maps these once; each document is then mapped on its own (``map_document``), in
    whatever process, into a dataset of its own.
    """
    iris = refs.iris
    dataset = new_dataset(iris.base)
    ontology = dataset.graph(iris.graph("ontology"))
    for triple in vocabulary.graph:
        ontology.add(triple)
    _map_reference(dataset.graph(iris.graph("reference")), reference, refs)
    _describe_reference_graph(dataset.graph(iris.graph("provenance")), iris, reference)
    return dataset


Triple = tuple[URIRef, URIRef, URIRef | Literal]


class Statements(Protocol):
    """Where a document is mapped to: a graph of an rdflib dataset, or ``GraphStatements``."""

    def add(self, triple: Triple, /) -> Any: ...


@dataclass
class GraphStatements:
    """The statements of one named graph, gathered without an rdflib store.

    A build worker maps each document into these: adding to rdflib's in-memory store cost more
    than the mapping itself, and the worker only writes the statements out (issue 12).
    """

    name: URIRef
    triples: set[Triple] = field(default_factory=set)

    def add(self, triple: Triple, /) -> None:
        self.triples.add(triple)


def map_document(
    dataset: Dataset, item: LoadedRecord, refs: ReferenceIRIs, units: dict[str, URIRef]
) -> None:
    """One record into its own named graph, and its description into the provenance graph."""
    iris = refs.iris
    graph = dataset.graph(iris.graph(item.record.key))
    _map_into(graph, dataset.graph(iris.graph("provenance")), item, refs, units)


def document_statements(
    item: LoadedRecord, refs: ReferenceIRIs, units: dict[str, URIRef]
) -> tuple[GraphStatements, GraphStatements]:
    """What ``map_document`` adds: the document graph, and the document's provenance."""
    iris = refs.iris
    graph = GraphStatements(iris.graph(item.record.key))
    provenance = GraphStatements(iris.graph("provenance"))
    _map_into(graph, provenance, item, refs, units)
    return graph, provenance


def _map_into(
    graph: Statements,
    provenance: Statements,
    item: LoadedRecord,
    refs: ReferenceIRIs,
    units: dict[str, URIRef],
) -> None:
    DocumentMapper(graph, provenance, item.record, refs, units).map()
    _describe_document_graph(provenance, item, refs.iris)


# ---------------------------------------------------------------- reference graph


def _labels(graph: Graph, refs: ReferenceIRIs, node: URIRef, entry: Any) -> None:
    graph.add((node, RDFS.label, Literal(entry.label, lang="en")))
    graph.add((node, SKOS.prefLabel, Literal(entry.label, lang="en")))
    for alias in entry.aliases:
        graph.add((node, SKOS.altLabel, Literal(alias, lang="en")))
    if entry.wikidata:
        graph.add((node, OWL.sameAs, WD[entry.wikidata]))
    if entry.description:
        graph.add((node, SCHEMA.description, Literal(entry.description, lang="en")))
    if entry.source:
        _source(graph, refs, node, entry.source)


def _source(graph: Graph, refs: ReferenceIRIs, node: URIRef, source: str) -> None:
    """dct:source with an IRI: a web address, or the source document of the corpus file that
    "corpus:FILE" names. A source that is neither (a corpus file no record reads) is a citation
    in words, dct:bibliographicCitation: a string is not a resource, nor is a local path."""
    if source.startswith(("http://", "https://")):
        graph.add((node, DCTERMS.source, URIRef(source)))
    elif source.startswith("corpus:") and source.removeprefix("corpus:") in refs.by_file:
        graph.add((node, DCTERMS.source, refs.by_file[source.removeprefix("corpus:")]))
    else:
        graph.add((node, DCTERMS.bibliographicCitation, Literal(source)))


def _map_reference(graph: Graph, reference: Reference, refs: ReferenceIRIs) -> None:
    add = graph.add
    for state in reference.sections["states"]:
        node = refs.entity(state.key)
        add((node, RDF.type, MKG.State))
        add((node, MKG.iso3166Code, Literal(state.iso3166)))
        _labels(graph, refs, node, state)
    for org in reference.sections["organizations"]:
        node = refs.entity(org.key)
        add((node, RDF.type, MKG.Organization))
        add((node, RDF.type, ORGANIZATION_CLASS[org.type]))
        _labels(graph, refs, node, org)
        if org.acronym:
            add((node, MKG.acronym, Literal(org.acronym)))
        for name in org.former_names:
            add((node, MKG.formerName, Literal(name, lang="en")))
        if org.part_of:
            parent = refs.entity(org.part_of)
            add((node, ORG.unitOf if org.type == "un_organ" else ORG.subOrganizationOf, parent))
        if org.country:
            add((node, MKG.country, refs.entity(org.country)))
        if org.founded:
            add((node, SCHEMA.foundingDate, date_literal(org.founded)))
    for post in reference.sections["posts"]:
        node = refs.entity(post.key)
        add((node, RDF.type, MKG.Post))
        add((node, ORG.postIn, refs.entity(post.post_in)))
        _labels(graph, refs, node, post)
    for person in reference.sections["persons"]:
        node = refs.entity(person.key)
        add((node, RDF.type, MKG.Person))
        _labels(graph, refs, node, person)
        if person.nationality:
            add((node, SCHEMA.nationality, refs.entity(person.nationality)))
        for tenure in person.posts:
            _map_tenure(graph, refs, person.key, tenure)
    for place in reference.sections["places"]:
        node = refs.entity(place.key)
        add((node, RDF.type, MKG.Place))
        add((node, RDF.type, PLACE_CLASS[place.type]))
        _labels(graph, refs, node, place)
        if place.within:
            add((node, GEO.sfWithin, refs.entity(place.within)))
        if place.iso3166_2:
            add((node, MKG.iso3166_2Code, Literal(place.iso3166_2)))
    for instrument in reference.sections["instruments"]:
        _map_instrument(graph, refs, instrument)
    for rule in reference.sections["ihl_rules"]:
        _map_rule(graph, refs, rule)
    for status in reference.sections["treaty_status"]:
        node = refs.iris.kind("treaty-status", status.key)
        add((node, RDF.type, MKG.TreatyStatus))
        add((node, MKG.state, refs.entity(status.state)))
        add((node, MKG.treaty, refs.entity(status.treaty)))
        add((node, MKG.status, STATUS[status.status]))
        _source(graph, refs, node, status.source)
        if status.date:
            add((node, DCTERMS.date, date_literal(status.date)))
        if status.as_of:
            add((node, DCTERMS.valid, date_literal(status.as_of)))
        if status.how:
            add((node, MKG.how, Literal(status.how)))
        if status.note:
            add((node, RDFS.comment, Literal(status.note, lang="en")))
    for event in reference.sections["events"]:
        _map_reference_event(graph, refs, event)


def _map_tenure(graph: Graph, refs: ReferenceIRIs, person_key: str, tenure: Any) -> None:
    node = refs.iris.kind("tenure", f"{person_key}-{tenure.post}")
    person, post = refs.entity(person_key), refs.entity(tenure.post)
    graph.add((node, RDF.type, MKG.Tenure))
    graph.add((node, MKG.holder, person))
    graph.add((node, MKG.post, post))
    if tenure.start:
        graph.add((node, SCHEMA.startDate, date_literal(tenure.start)))
    if tenure.end:
        graph.add((node, SCHEMA.endDate, date_literal(tenure.end)))
    if tenure.source:
        _source(graph, refs, node, tenure.source)


def _map_instrument(graph: Graph, refs: ReferenceIRIs, instrument: Any) -> None:
    node = refs.entity(instrument.key)
    graph.add((node, RDF.type, MKG.Instrument))
    graph.add((node, RDF.type, INSTRUMENT_CLASS[instrument.type]))
    if instrument.type in LEGAL_INSTRUMENTS:
        graph.add((node, RDF.type, MKG.LegalInstrument))
    _labels(graph, refs, node, instrument)
    if instrument.symbol:
        graph.add((node, SCHEMA.legislationIdentifier, Literal(instrument.symbol)))
        url = symbols.undocs_url(instrument.symbol)
        if url:
            graph.add((node, RDFS.seeAlso, URIRef(url)))
    if instrument.date:
        graph.add((node, SCHEMA.legislationDate, date_literal(instrument.date)))
    if instrument.passed_by:
        graph.add((node, SCHEMA.legislationPassedBy, refs.entity(instrument.passed_by)))
    if instrument.adopted_at:
        graph.add((node, MKG.adoptedAt, refs.entity(instrument.adopted_at)))
    if instrument.protocol_to:
        graph.add((node, MKG.protocolTo, refs.entity(instrument.protocol_to)))
    for party in instrument.parties:
        graph.add((node, MKG.party, refs.entity(party)))
    if instrument.url:
        graph.add((node, SCHEMA.url, URIRef(instrument.url)))


def _map_rule(graph: Graph, refs: ReferenceIRIs, rule: Any) -> None:
    node = refs.rule(rule.number)
    label = f"Rule {rule.number}. {rule.title}"
    for cls in (MKG.CustomaryIHLRule, MKG.Instrument):
        graph.add((node, RDF.type, cls))
    graph.add((node, RDFS.label, Literal(label, lang="en")))
    graph.add((node, SKOS.prefLabel, Literal(label, lang="en")))
    graph.add((node, DCTERMS.title, Literal(rule.title, lang="en")))
    graph.add((node, MKG.ruleNumber, Literal(rule.number)))
    graph.add((node, SKOS.notation, Literal(str(rule.number))))
    graph.add((node, MKG.ruleStatement, Literal(rule.statement, lang="en")))
    graph.add((node, MKG.legalScope, SCOPE[rule.scope]))
    graph.add((node, MKG.icrcPage, URIRef(rule.url)))
    if rule.scope_note:
        graph.add((node, MKG.scopeNote, Literal(rule.scope_note, lang="en")))
    if rule.legacy_url:
        graph.add((node, RDFS.seeAlso, URIRef(rule.legacy_url)))


def _add_timestamps(graph: Statements, node: URIRef, event: Any) -> None:
    """SEM time stamps at the precision given: a single date, or a begin and an end."""
    for name, predicate in (
        ("date", SEM.hasTimeStamp),
        ("start", SEM.hasBeginTimeStamp),
        ("end", SEM.hasEndTimeStamp),
    ):
        if getattr(event, name):
            graph.add((node, predicate, date_literal(getattr(event, name))))


def _map_reference_event(graph: Graph, refs: ReferenceIRIs, event: Any) -> None:
    node = refs.entity(event.key)
    graph.add((node, RDF.type, MKG.Event))
    graph.add((node, RDF.type, EVENT_CLASS[event.type]))
    _labels(graph, refs, node, event)
    _add_timestamps(graph, node, event)
    for place in event.places:
        graph.add((node, SEM.hasPlace, refs.entity(place)))
    for party in event.parties:
        graph.add((node, MKG.party, refs.entity(party)))
    if event.original:
        graph.add((node, ORG.originalOrganization, refs.entity(event.original)))
    if event.resulting:
        graph.add((node, ORG.resultingOrganization, refs.entity(event.resulting)))


# ---------------------------------------------------------------- document graphs


class DocumentMapper:
    """Writes what one record says into that document's named graph.

    What the reviewer adds (notes, symbols established from other documents, the source file)
    goes into the provenance graph instead: it is minekg's word, not the document's.
    """

    def __init__(
        self,
        graph: Statements,
        provenance: Statements,
        record: Record,
        refs: ReferenceIRIs,
        units: dict[str, URIRef],
    ):
        self.graph, self.provenance, self.record = graph, provenance, record
        self.refs, self.units, self.iris = refs, units, refs.iris
        self.doc = self.iris.document(record.key)
        self.text = self.iris.kind("text", record.source.sha256)
        self.proposed = {entity.key: entity for entity in record.proposed}

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.graph.add((s, p, o))

    def entity(self, key: str) -> URIRef:
        if key in self.proposed:
            return self.iris.kind(self.proposed[key].type, key)
        return self.refs.entity(key)

    def _is_post(self, key: str) -> bool:
        if key in self.proposed:
            return self.proposed[key].type == "post"
        return self.refs.reference.section_of.get(key) == "posts"

    def map(self) -> None:
        self._document()
        for proposed in self.record.proposed:
            self._proposed(proposed)
        for related in self.record.related:
            other = self.iris.document(related.document)
            predicate = {
                "reports_on": MKG.reportsOn,
                "cites": CITO.cites,
                "transmits": MKG.transmits,
                "responds_to": CITO.repliesTo,
            }[related.relation]
            self.add(self.doc, predicate, other)
            self.evidence(self.doc, related)
        for citation in self.record.citations:
            self._citation(citation)
        for mention in self.record.mentions:
            self._mention(mention)
        for event in self.record.events:
            self._event(event)
        for claim in self.record.claims:
            self._claim(claim)
        dataset = self.iris.item("dataset", self.record.key, "figures")
        if any(figure.value is not None for figure in self.record.figures):
            self.add(dataset, RDF.type, QB.DataSet)
            self.add(dataset, QB.structure, MKG.figureStructure)
            self.add(dataset, PROV.wasDerivedFrom, self.doc)
            self.add(
                dataset, RDFS.label, Literal(f"Figures stated in {self.record.key}", lang="en")
            )
        for figure in self.record.figures:
            self._figure(figure, dataset)

    def evidence(self, node: URIRef, span: Evidence) -> URIRef:
        """Attach the exact span that says it: a quote selector and a position selector."""
        ev = self.iris.evidence(self.record.key, span.at, span.end_offset)
        quote, position = URIRef(ev + "#quote"), URIRef(ev + "#position")
        self.add(node, MKG.evidence, ev)
        self.add(ev, RDF.type, MKG.Evidence)
        self.add(ev, RDF.type, OA.SpecificResource)
        self.add(ev, OA.hasSource, self.text)
        self.add(ev, OA.hasSelector, quote)
        self.add(ev, OA.hasSelector, position)
        self.add(quote, RDF.type, OA.TextQuoteSelector)
        self.add(quote, OA.exact, Literal(span.quote))
        self.add(position, RDF.type, OA.TextPositionSelector)
        # xsd:integer, not Web Annotation's xsd:nonNegativeInteger: see oa:start in the ontology.
        self.add(position, OA.start, Literal(span.at))
        self.add(position, OA.end, Literal(span.end_offset))
        if span.part:
            self.add(ev, MKG.inPart, self.iris.document(self.record.key, span.part))
        return ev

    def _speaker(self, span: Evidence) -> URIRef:
        """The document, or the annex, in which a span stands."""
        return self.iris.document(self.record.key, span.part) if span.part else self.doc

    def _document(self) -> None:
        meta, doc, add = self.record.document, self.doc, self.add
        add(doc, RDF.type, MKG.SourceDocument)
        add(doc, RDF.type, DOCUMENT_CLASS[meta.type])
        add(doc, RDFS.label, Literal(self._label(), lang="en"))
        if meta.title:
            add(doc, DCTERMS.title, Literal(meta.title, lang="en"))
        # dct:language ranges over dct:LinguisticSystem: the ISO 639-1 code's IRI, not a string.
        language = LANGUAGE[meta.language.split("-")[0].lower()]
        add(doc, DCTERMS.language, language)
        add(language, RDF.type, DCTERMS.LinguisticSystem)
        for symbol in meta.symbols:
            add(doc, MKG.unSymbol, Literal(symbols.normalise(symbol)))
            self._undocs(doc, symbol)
        for identified in meta.identified_symbols:
            symbol = symbols.normalise(identified.symbol)
            node = self.iris.item("identification", self.record.key, symbols.symbol_key(symbol))
            self.provenance.add((doc, MKG.identifiedSymbol, Literal(symbol)))
            self.provenance.add((node, RDF.type, MKG.SymbolIdentification))
            self.provenance.add((node, MKG.identifiedDocument, doc))
            self.provenance.add((node, MKG.identifiedSymbol, Literal(symbol)))
            self.provenance.add(
                (node, MKG.establishedBy, self.iris.document(identified.established_by))
            )
            self.provenance.add(
                (node, MKG.identificationBasis, Literal(identified.reason, lang="en"))
            )
            url = symbols.undocs_url(symbol)
            if url:
                self.provenance.add((doc, RDFS.seeAlso, URIRef(url)))
        if meta.date:
            add(doc, DCTERMS.issued, date_literal(meta.date))
        if meta.date_note:
            self.provenance.add((doc, MKG.dateNote, Literal(meta.date_note, lang="en")))
        if meta.distributed:
            add(doc, MKG.distributed, date_literal(meta.distributed))
        for item in meta.agenda_items:
            add(doc, MKG.agendaItem, Literal(item))
        for organ in meta.circulated_in:
            add(doc, MKG.circulatedIn, self.entity(organ))
        if meta.publisher:
            add(doc, SCHEMA.publisher, self.entity(meta.publisher))
        self._authorship(doc, meta)
        self.evidence(doc, meta.evidence)
        for part in meta.parts:
            node = self.iris.document(self.record.key, part.key)
            add(node, RDF.type, MKG.SourceDocument)
            add(node, RDF.type, MKG.Annex)
            add(node, RDF.type, DOCUMENT_CLASS[part.type])
            add(node, DCTERMS.isPartOf, doc)
            add(doc, DCTERMS.hasPart, node)
            add(doc, MKG.transmits, node)
            add(node, RDFS.label, Literal(part.title or f"{self._label()}, {part.key}", lang="en"))
            if part.title:
                add(node, DCTERMS.title, Literal(part.title, lang="en"))
            if part.date:
                add(node, DCTERMS.issued, date_literal(part.date))
            if part.date_note:
                self.provenance.add((node, MKG.dateNote, Literal(part.date_note, lang="en")))
            if part.place:
                add(node, SCHEMA.locationCreated, self.entity(part.place))
            self._authorship(node, part)
            self.evidence(node, part.evidence)

    def _proposed(self, entity: ProposedEntity) -> None:
        """An entity the reference data does not know yet: typed and named as the document
        prints it (the document's word), marked mkg:ProposedEntity with what a gazetteer links
        it to in the provenance graph (minekg's word, until a reviewer promotes it)."""
        node = self.entity(entity.key)
        self.add(node, RDF.type, PROPOSED_CLASS[entity.type])
        kind_class = {**ORGANIZATION_CLASS, **PLACE_CLASS}.get(entity.kind or "")
        if kind_class is not None:  # minekg's guess: the entity stays mkg:ProposedEntity
            self.add(node, RDF.type, kind_class)
        self.add(node, RDFS.label, Literal(entity.label, lang="en"))
        prov = self.provenance
        prov.add((node, RDF.type, MKG.ProposedEntity))
        prov.add((node, PROV.wasDerivedFrom, self.doc))
        if entity.note:
            prov.add((node, SKOS.editorialNote, Literal(entity.note, lang="en")))
        scheme, _, code = (entity.identifier or "").partition(":")
        if scheme == "geonames":
            prov.add((node, RDFS.seeAlso, URIRef(f"https://sws.geonames.org/{code}/")))
        elif scheme == "iso3166-2":
            prov.add((node, MKG.iso3166_2Code, Literal(code)))
        elif scheme == "iso3166":
            prov.add((node, MKG.iso3166Code, Literal(code)))

    def _undocs(self, node: URIRef, symbol: str) -> None:
        url = symbols.undocs_url(symbol)
        if url:
            self.add(node, RDFS.seeAlso, URIRef(url))

    def _authorship(self, node: URIRef, meta: Any) -> None:
        if meta.author:
            self.add(node, SCHEMA.author, self.entity(meta.author))
        if meta.author_post:
            self.add(node, MKG.authorPost, self.entity(meta.author_post))
        if meta.author_org:
            self.add(node, MKG.authorOrganization, self.entity(meta.author_org))
        if getattr(meta, "author_text", None):
            self.add(node, MKG.authorText, Literal(meta.author_text, lang="en"))
        if meta.addressee:
            # schema:recipient takes a person, organization or audience, not a post: a letter to
            # "the President of the Security Council" is addressed to the post (mkg:addresseePost).
            addressed = MKG.addresseePost if self._is_post(meta.addressee) else SCHEMA.recipient
            self.add(node, addressed, self.entity(meta.addressee))
        if getattr(meta, "addressee_text", None):
            self.add(node, MKG.addresseeText, Literal(meta.addressee_text, lang="en"))
        if meta.author_note:
            self.provenance.add((node, MKG.authorNote, Literal(meta.author_note, lang="en")))

    def _label(self) -> str:
        meta = self.record.document
        if meta.title:
            return meta.title
        by = self._entity_label(meta.author) if meta.author else None
        return (
            f"{meta.type.capitalize()} by {by}"
            if by
            else f"{meta.type.capitalize()} {self.record.key}"
        )

    def _entity_label(self, key: str) -> str:
        if key in self.proposed:
            return self.proposed[key].label
        return str(self.refs.reference.get(key).label)

    def _citation(self, citation: Citation) -> None:
        if citation.rule is not None:
            target = self.refs.rule(citation.rule)
        elif citation.symbol is not None:
            target = self.refs.symbol(citation.symbol)
            if target not in self.refs.by_symbol.values():
                self._cited_document(target, citation.symbol)
        elif citation.entity is not None:
            target = self.entity(citation.entity)
        elif citation.document is not None:
            target = self.iris.document(citation.document)
        else:
            target = self.iris.kind("work", slug(citation.work or ""))
            self.add(target, RDF.type, SCHEMA.CreativeWork)
            self.add(target, DCTERMS.title, Literal(citation.work, lang="en"))
            self.add(target, RDFS.label, Literal(citation.work, lang="en"))
        citing = self._speaker(citation)
        node = self.iris.item("citation", self.record.key, node_key("citations", citation))
        character = CITO.citesAsAuthority if citation.as_authority else CITO.cites
        self.add(citing, CITO.cites, target)
        if citation.as_authority:
            self.add(citing, CITO.citesAsAuthority, target)
        self.add(node, RDF.type, MKG.Citation)
        self.add(node, CITO.hasCitingEntity, citing)
        self.add(node, CITO.hasCitedEntity, target)
        self.add(node, CITO.hasCitationCharacterization, character)
        if citation.footnote is not None:
            self.add(node, MKG.footnote, Literal(citation.footnote))
        self.evidence(node, citation)

    def _cited_document(self, node: URIRef, symbol: str) -> None:
        """A UN document known only by the symbol a source cites it with."""
        normal = symbols.normalise(symbol)
        if symbols.is_resolution(normal):
            self.add(node, RDF.type, MKG.Resolution)
            self.add(node, SCHEMA.legislationIdentifier, Literal(normal))
        else:
            self.add(node, RDF.type, FOAF.Document)
            self.add(node, MKG.unSymbol, Literal(normal))
        self.add(node, RDFS.label, Literal(normal))
        self._undocs(node, normal)

    def _mention(self, mention: Mention) -> None:
        entity = self.entity(mention.entity)
        node = self.iris.item("mention", self.record.key, node_key("mentions", mention))
        self.add(self._speaker(mention), SCHEMA.mentions, entity)
        self.add(node, RDF.type, MKG.Mention)
        self.add(node, OA.hasBody, entity)
        self.add(node, OA.motivatedBy, OA.identifying)
        self.add(node, OA.hasTarget, self.evidence(node, mention))

    def _event(self, event: Event) -> None:
        """The event as this document tells it: its own node, linked to the event it is about.

        Documents disagree on names, dates and who did what; each account keeps its document's
        version, so a graph without graph names still never merges one side's story into the event.
        """
        event_node = self.entity(event.key)
        node = self.iris.kind("event", f"{event.key}/in/{self.record.key}")
        add = self.add
        add(event_node, RDF.type, MKG.Event)
        for cls in (MKG.EventAccount, MKG.Event, EVENT_CLASS[event.type]):
            add(node, RDF.type, cls)
        add(node, MKG.accountOf, event_node)
        add(node, RDFS.label, Literal(event.name, lang="en"))
        add(node, PROV.wasDerivedFrom, self._speaker(event))
        if event.theme:
            add(node, MKG.theme, Literal(event.theme, lang="en"))
        _add_timestamps(self.graph, node, event)
        if event.date_text:
            add(node, MKG.dateText, Literal(event.date_text, lang="en"))
        for name, predicate in EVENT_ROLES.items():
            for key in getattr(event, name):
                add(node, predicate, self.entity(key))
        for name, predicate in EVENT_SINGLE_ROLES.items():
            if getattr(event, name):
                add(node, predicate, self.entity(getattr(event, name)))
        if event.part_of:
            add(node, SEM.subEventOf, self.entity(event.part_of))
        if event.description:
            add(node, SCHEMA.description, Literal(event.description, lang="en"))
        self.evidence(node, event)

    def _claim(self, claim: Claim) -> None:
        node = self.iris.item("claim", self.record.key, node_key("claims", claim))
        add = self.add
        add(node, RDF.type, MKG.Claim)
        add(node, SCHEMA.text, Literal(claim.claim, lang="en"))
        add(node, MKG.claimant, self.entity(claim.claimant))
        add(node, SCHEMA.appearance, self._speaker(claim))
        add(node, PROV.wasDerivedFrom, self._speaker(claim))
        for key in claim.accused:
            add(node, MKG.accused, self.entity(key))
        for number in claim.rules:
            add(node, MKG.invokes, self.refs.rule(number))
        for key in claim.invokes:
            add(node, MKG.invokes, self.entity(key))
        self.evidence(node, claim)

    def _figure(self, figure: Figure, dataset: URIRef) -> None:
        node = self.iris.item("figure", self.record.key, node_key("figures", figure))
        add = self.add
        add(node, RDF.type, MKG.Figure)
        if figure.value is None:
            add(node, RDF.type, MKG.QualitativeFigure)
        else:
            add(node, RDF.type, MKG.Observation)
            add(node, RDF.type, QB.Observation)
            add(node, QB.dataSet, dataset)
        add(node, MKG.measure, MEASURE[figure.measure])
        add(node, SDMX_ATTRIBUTE.unitMeasure, self.units[figure.measure])
        add(node, RDFS.label, Literal(self._figure_label(figure), lang="en"))
        if figure.value is not None:
            add(node, SDMX_MEASURE.obsValue, Literal(figure.value, datatype=XSD.decimal))
        if figure.value_text:
            add(node, MKG.valueText, Literal(figure.value_text, lang="en"))
        if figure.unit_text:
            add(node, MKG.unitText, Literal(figure.unit_text, lang="en"))
        if figure.qualifier:
            add(node, MKG.qualifier, QUALIFIER[figure.qualifier])
        if figure.estimate:
            add(node, MKG.estimate, Literal(True))
        if figure.context:
            add(node, MKG.contextFigure, Literal(True))
        for name, predicate in (
            ("as_of", MKG.asOf),
            ("period_start", MKG.periodStart),
            ("period_end", MKG.periodEnd),
        ):
            if getattr(figure, name):
                add(node, predicate, date_literal(getattr(figure, name)))
        if figure.period_text:
            add(node, MKG.periodText, Literal(figure.period_text, lang="en"))
        for key in figure.places:
            add(node, SDMX_DIMENSION.refArea, self.entity(key))
        if figure.recorded_by:
            add(node, MKG.recordedBy, self.entity(figure.recorded_by))
        if figure.note:
            self.provenance.add((node, MKG.reviewerNote, Literal(figure.note, lang="en")))
        add(node, PROV.wasDerivedFrom, self._speaker(figure))
        self.evidence(node, figure)

    def _figure_label(self, figure: Figure) -> str:
        value = _format_number(figure.value) if figure.value is not None else figure.value_text
        qualifier = f"{figure.qualifier.replace('_', ' ')} " if figure.qualifier else ""
        return f"{figure.measure}: {qualifier}{value} (in {self.record.key})"


def _format_number(value: Decimal) -> str:
    return f"{value:,}" if value == value.to_integral_value() else f"{value:,f}"


# ---------------------------------------------------------------- provenance graph


def _describe_document_graph(graph: Statements, item: LoadedRecord, iris: IRIs) -> None:
    """PROV-O for one document graph: what it was derived from, by what, reviewed or not."""
    record = item.record
    node, doc = iris.graph(record.key), iris.document(record.key)
    activity = iris.kind("activity", f"mapping-{record.key}")
    record_node = iris.kind("record", record.key)
    text = iris.kind("text", record.source.sha256)
    add = graph.add
    add((node, RDF.type, MKG.DocumentGraph))
    add((node, RDFS.label, Literal(f"What {record.key} says", lang="en")))
    add((node, PROV.wasDerivedFrom, text))
    add((node, PROV.hadPrimarySource, doc))
    add((node, PROV.wasGeneratedBy, activity))
    add((node, MKG.reviewStatus, MKG.Reviewed if record.review == "reviewed" else MKG.Draft))
    add((activity, RDF.type, PROV.Activity))
    add((activity, RDFS.label, Literal(f"Mapping of record {record.key}", lang="en")))
    add((activity, PROV.used, record_node))
    add((activity, PROV.used, text))
    add((record_node, RDF.type, PROV.Entity))
    add((record_node, RDFS.label, Literal(f"data/records/{item.path.name}")))
    add((record_node, MKG.sha256, Literal(item.digest)))
    add((text, RDF.type, MKG.SourceText))
    add((text, RDFS.label, Literal(f"Text of {record.key} ({record.source.file})")))
    add((text, SCHEMA.encodesCreativeWork, doc))
    # DCMI's ranges: dct:format a dct:MediaType (IANA's IRI), dct:rights a dct:RightsStatement.
    media_type = URIRef(IANA_MEDIA_TYPES + record.source.media_type)
    add((text, DCTERMS.format, media_type))
    add((media_type, RDF.type, DCTERMS.MediaType))
    add((text, MKG.sha256, Literal(record.source.sha256)))
    if record.source.rights:
        rights = URIRef(text + "#rights")
        add((text, DCTERMS.rights, rights))
        add((rights, RDF.type, DCTERMS.RightsStatement))
        add((rights, RDFS.label, Literal(record.source.rights, lang="en")))
    if record.source.url:
        add((doc, SCHEMA.url, URIRef(record.source.url)))


def _describe_reference_graph(graph: Graph, iris: IRIs, reference: Reference) -> None:
    node = iris.graph("reference")
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, RDFS.label, Literal("minekg reference data", lang="en")))
    graph.add(
        (
            node,
            SCHEMA.description,
            Literal(
                "Curated states, organizations, persons, places, instruments, customary IHL rules, "
                "treaty status facts and well-known events; facts carry their source.",
                lang="en",
            ),
        )
    )
    # The files it is read from, as entities (a local path is no dct:source), like the records.
    for path in reference.files:
        read = iris.kind("reference-file", path.stem)
        graph.add((node, PROV.wasDerivedFrom, read))
        graph.add((read, RDF.type, PROV.Entity))
        graph.add((read, RDFS.label, Literal(f"data/reference/{path.name}")))
    ontology = iris.graph("ontology")
    graph.add((ontology, RDF.type, PROV.Entity))
    graph.add((ontology, RDFS.label, Literal("minekg ontology and measure scheme", lang="en")))
