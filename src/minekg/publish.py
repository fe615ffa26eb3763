"""Publishing: the built dataset as a static linked-data site that any web server can host.

Every resource IRI ``<base><path>`` gets documents at ``<path>.html``, ``.ttl``, ``.jsonld``,
``.nt``, ``.rdf`` (RDF/XML), ``.n3``, ``.trig`` and ``.nq`` in the site, so a plain web server
(with the ``.htaccess`` or nginx rules written here) answers ``<base><path>`` with a 303 redirect
to the document the client asked for: minekg's resources are things (states, claims, treaties),
not web pages, and W3C "Cool URIs for the Semantic Web" says such IRIs answer 303 See Other to a
document about them. ``minekg serve`` does the same, with full q-value negotiation. The vocabulary
dereferences the same way: ``<base>ontology`` (the OWL ontology), ``measure/<name>`` (each SKOS
measure concept), ``<base>dataset`` (its VoID and DCAT description; ``/.well-known/void``
redirects there, as VoID asks).

The quad formats keep the graph names: a resource's TriG or N-Quads says which named graph (which
source document) makes each statement. For a named graph's IRI they are **the graph itself**,
every statement it holds, while the triple formats describe the graph (its provenance): ask for
``application/trig`` or ``application/n-quads``, or fetch ``graph/<key>.trig``.

A resource's description is every statement about it (and about its ``#`` parts), the evidence
spans it points to with their exact quotes, and the statements that point to it; the HTML page
groups them by the named graph, i.e. by the source document that says them. Pages need no
JavaScript and no network, and every link between pages is relative, so the site works from any
host path and from ``file://``. Output is byte-identical from one run to the next.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, VOID, XSD
from rdflib.void import generateVoID

from minekg import dumps, folders, labels, pages, queries, store
from minekg.errors import MinekgError
from minekg.vocab import MEASURE, MKG, PREFIXES

DUMP_MEDIA_TYPES = {
    "minekg.trig": "application/trig",
    "minekg.nq": "application/n-quads",
    "minekg.ttl": "text/turtle",
    "minekg.jsonld": "application/ld+json",
}
# The representations of each resource: file extension -> media type; HTML first, the default.
DOCUMENT_TYPES = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "n3": "text/n3",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
TRIPLE_WRITERS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
}
QUAD_WRITERS = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
# Only these path segments under the base name resources, moved by --base; the vocabulary
# (ontology#, measure/) keeps its IRIs and the site holds a copy of it.
RESOURCE_ROOTS = ("id/", "graph/")
# What answers by content negotiation: resources and graphs, measure concepts, and two names.
NEGOTIATED_ROOTS = (*RESOURCE_ROOTS, "measure/")
NEGOTIATED_NAMES = ("ontology", "dataset")
# VoID's well-known location, redirected to the dataset's IRI.
WELL_KNOWN_VOID = ".well-known/void"
ONTOLOGY_IRI = str(MKG).rstrip("#")
# Each resource's page digest (``page_digest``), read by the next publish; written in the site
# like every other file, so an incremental publish and a fresh one write the same bytes.
MANIFEST = "publish-manifest.json"
SAFE_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~/-]*")
EVIDENCE = str(MKG.evidence)
EXACT = "http://www.w3.org/ns/oa#exact"
SOURCE_LINKS = (str(RDFS.seeAlso), "https://schema.org/url")
PRIMARY_SOURCE = "http://www.w3.org/ns/prov#hadPrimarySource"
REVIEW_STATUS = "https://w3id.org/minekg/ontology#reviewStatus"
DRAFT = "https://w3id.org/minekg/ontology#Draft"
ISSUED = str(DCTERMS.issued)
ONTOLOGY_PAGE = "ontology.html"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "minekg: a knowledge graph of landmine and mine-action documents"
PUBLISHER = "The minekg project"
CATALOG_DESCRIPTION = (
    "The linked-data site minekg publishes: one dataset, its dumps, a page for every resource it"
    " describes and, where the site is served by minekg serve, a SPARQL endpoint."
)
DATASET_DESCRIPTION = (
    "Claims, figures, citations and events from documents about landmines and mine action (UN"
    " letters, statements, declarations, reports, news articles), each attributed to the document"
    " that states it and never asserted as fact: one named graph per source document, beside the"
    " ontology, the reference data (states, organisations, instruments) and the provenance of the"
    " build."
)
SERVICE_DESCRIPTION = (
    "The read-only SPARQL 1.1 endpoint of minekg serve. Its default graph is the union of the"
    " named graphs, so a triple stated by several documents comes back once per document. It"
    " answers only where the site is served by minekg serve, not from a static copy of the site."
    " Asked with an RDF Accept header and no query, it answers its SPARQL 1.1 Service"
    " Description."
)
DUMP_DESCRIPTIONS = {
    "minekg.trig": "Every named graph of the dataset, in TriG.",
    "minekg.nq": "Every named graph of the dataset, in N-Quads.",
    "minekg.ttl": "The union of the named graphs, in Turtle (without the graph names).",
    "minekg.jsonld": "Every named graph of the dataset, in JSON-LD.",
}
# The EU file-type vocabulary, which DCAT-AP asks for in dct:format (dcat:mediaType is IANA's).
FILE_TYPES = {
    "minekg.trig": "RDF_TRIG",
    "minekg.nq": "RDF_N_QUADS",
    "minekg.ttl": "RDF_TURTLE",
    "minekg.jsonld": "JSON_LD",
}
KEYWORDS = ("landmines", "mine action")
# DCAT-AP recommends the EU data-theme vocabulary for dcat:theme; landmine treaties and UN
# correspondence are international issues.
THEME_SCHEME = URIRef("http://publications.europa.eu/resource/authority/data-theme")
THEME_SCHEME_TITLE = "Data theme"
THEME = URIRef(f"{THEME_SCHEME}/INTR")
THEME_LABEL = "International issues"
# CC BY 4.0 asks for attribution: the ADMS licence type that says so.
ATTRIBUTION = URIRef("http://purl.org/adms/licencetype/Attribution")
# The language of the catalog's own texts, from the EU language vocabulary DCAT-AP recommends.
ENGLISH = URIRef("http://publications.europa.eu/resource/authority/language/ENG")
SPARQL_PATH = "sparql"
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")


def build_base(dataset: ox.Store) -> str:
    """The base IRI a dataset was built with; only a graph minekg built can be published."""
    base = store.base_of(dataset)
    if base is None:
        raise MinekgError("the dataset has no <…graph/provenance> graph: not built by minekg build")
    return base


def rebase(text: str, old: str, new: str) -> str:
    """Move resource and graph IRIs from one base to another (the vocabulary stays put)."""
    for root in RESOURCE_ROOTS:
        text = text.replace(old + root, new + root)
    return text


@dataclass
class Index:
    """The dataset indexed by resource: what is said about it, and what points to it."""

    base: str
    names: dict[str, str] = field(default_factory=dict)
    about: dict[str, list[ox.Quad]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[str, list[ox.Quad]] = field(default_factory=lambda: defaultdict(list))
    graphs: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    quotes: dict[str, str | None] = field(default_factory=dict, repr=False)

    def resources(self) -> list[str]:
        return sorted(iri for iri in self.about if self.path(iri) is not None)

    def path(self, iri: str) -> str | None:
        """The site path of a resource IRI (no extension), or None if it is not one of ours."""
        if iri.startswith(str(MEASURE)):
            rest = "measure/" + iri[len(str(MEASURE)) :]
        elif iri.startswith(self.base):
            rest = iri[len(self.base) :]
            if rest == "dataset":
                return rest
            if not rest.startswith(RESOURCE_ROOTS):
                return None
        else:
            return None
        if not SAFE_PATH.fullmatch(rest):
            return None
        if any(part in ("", ".", "..") for part in rest.split("/")):
            return None
        return rest

    def label(self, iri: str) -> str | None:
        return self.names.get(iri)

    def quote(self, iri: str) -> str | None:
        if iri not in self.quotes:
            exact = sorted(
                _text(q.object)
                for q in self.statements(iri)
                if q.predicate.value == EXACT and isinstance(q.object, ox.Literal)
            )
            self.quotes[iri] = exact[0] if exact else None
        return self.quotes[iri]

    def statements(self, iri: str) -> list[ox.Quad]:
        """Every statement about a resource and its ``#`` parts, in every graph, sorted."""
        return self.about.get(iri, [])

    def pointing_to(self, iri: str) -> list[ox.Quad]:
        """Every statement whose object is the IRI, sorted."""
        return self.incoming.get(iri, [])

    def has_page(self, iri: str) -> bool:
        """Whether the site describes the IRI (with ``path``: whether it has a page)."""
        return iri in self.about

    def graph_properties(self, graph: str) -> dict[str, list[str]]:
        """What is said about a named graph (its provenance), by property."""
        return self.graphs.get(graph, {})

    def describe(self, iri: str, quads: list[ox.Quad]) -> None:
        """Make ``quads`` the statements about a resource the dumps do not hold (the dataset)."""
        self.about[iri] = quads
        self.quotes.pop(iri, None)


def index(dataset: ox.Store) -> Index:
    found = Index(build_base(dataset), labels.labels(dataset))
    for quad in dataset.quads_for_pattern(None, None, None, None):
        if isinstance(quad.subject, ox.NamedNode):
            found.about[_text(quad.subject).split("#", 1)[0]].append(quad)
        if isinstance(quad.object, ox.NamedNode):
            found.incoming[_text(quad.object)].append(quad)
    for quads in (*found.about.values(), *found.incoming.values()):
        quads.sort(key=_quad_order)
    for name in dataset.named_graphs():
        graph = name.value
        properties: dict[str, list[str]] = defaultdict(list)
        for quad in found.about.get(graph, ()):
            properties[quad.predicate.value].append(_text(quad.object))
        found.graphs[graph] = dict(properties)
    return found


class StoreIndex(Index):
    """The same index read from a store on demand, for one page at a time: ``minekg serve``
    renders a resource's page from the build's store without indexing the whole dataset.

    ``names`` and ``parts`` (each resource's ``#`` subjects, found by one query) are read once
    and shared; what one page looks up is kept only as long as that index (one request).
    """

    def __init__(self, dataset: ox.Store, names: dict[str, str], parts: dict[str, list[str]]):
        super().__init__(build_base(dataset), names)
        self.dataset, self.parts = dataset, parts

    @staticmethod
    def fragments(dataset: ox.Store) -> dict[str, list[str]]:
        """The subjects ``<iri>#<part>`` of every resource, by resource."""
        found: dict[str, list[str]] = defaultdict(list)
        query = "SELECT DISTINCT ?s { ?s ?p ?o FILTER(CONTAINS(STR(?s), '#')) }"
        for row in dataset.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
            subject = row["s"]
            if isinstance(subject, ox.NamedNode):
                found[subject.value.split("#", 1)[0]].append(subject.value)
        return {iri: sorted(subjects) for iri, subjects in found.items()}

    def statements(self, iri: str) -> list[ox.Quad]:
        if "#" in iri:  # a part is described with its resource, as in ``index``
            return []
        if iri not in self.about:
            subjects = [iri, *self.parts.get(iri, ())]
            quads = (
                quad
                for subject in subjects
                for quad in self.dataset.quads_for_pattern(ox.NamedNode(subject), None, None)
            )
            self.about[iri] = sorted(quads, key=_quad_order)
        return self.about[iri]

    def pointing_to(self, iri: str) -> list[ox.Quad]:
        if iri not in self.incoming:
            quads = self.dataset.quads_for_pattern(None, None, ox.NamedNode(iri))
            self.incoming[iri] = sorted(quads, key=_quad_order)
        return self.incoming[iri]

    def has_page(self, iri: str) -> bool:
        return bool(self.statements(iri))

    def graph_properties(self, graph: str) -> dict[str, list[str]]:
        if not graph:
            return {}
        if graph not in self.graphs:
            properties: dict[str, list[str]] = defaultdict(list)
            for quad in self.statements(graph):
                properties[quad.predicate.value].append(_text(quad.object))
            self.graphs[graph] = dict(properties)
        return self.graphs[graph]


def _text(term: Any) -> str:
    """The IRI or lexical form of a term (minekg writes no RDF-star triples)."""
    return str(term.value)


def _quad_order(quad: ox.Quad) -> tuple[str, str, str, str]:
    return (str(quad.graph_name), str(quad.subject), str(quad.predicate), str(quad.object))


def description(found: Index, iri: str) -> list[ox.Quad]:
    """What a resource's documents say, in the graphs that say it: its statements, its evidence,
    and links to it."""
    own = found.statements(iri)
    evidence = sorted(
        {_text(q.object) for q in own if q.predicate.value == EVIDENCE and _text(q.subject) == iri}
    )
    linked = found.pointing_to(iri)
    quads = [*own, *(q for e in evidence for q in found.statements(e)), *linked]
    return sorted(set(quads), key=_quad_order)


def rdf_documents(
    quads: Sequence[ox.Quad], context: dict[str, Any], graph: Sequence[ox.Quad] | None = None
) -> dict[str, bytes]:
    """A description in every RDF format of ``DOCUMENT_TYPES``: the triple formats hold its
    statements once each, the quad formats hold them in their graphs, or hold ``graph`` (a named
    graph's own statements) when one is given. JSON-LD is compacted with minekg's context; N3 is
    the Turtle, which N3 reads as it is."""
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    triples = sorted(
        {ox.Triple(q.subject, q.predicate, q.object) for q in quads},
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
    )
    documents: dict[str, bytes] = {}
    for ext, fmt in TRIPLE_WRITERS.items():
        documents[ext] = _written(ox.serialize(triples, format=fmt, prefixes=prefixes))
    for ext, fmt in QUAD_WRITERS.items():
        documents[ext] = _written(ox.serialize(graph or quads, format=fmt, prefixes=prefixes))
    documents["n3"] = documents["ttl"]
    parsed = Graph().parse(data=documents["nt"].decode(), format="nt")
    documents["jsonld"] = jsonld(parsed, context)
    return documents


def _written(payload: bytes | None) -> bytes:
    assert payload is not None  # no output= given: the serializer returns the bytes
    return payload


def jsonld(graph: Graph, context: dict[str, Any]) -> bytes:
    text = graph.serialize(format="json-ld", context=context, auto_compact=True)
    return dumps.canonical_json(json.loads(text))


def linkable(iri: str) -> str | None:
    """The IRI if a page may link to it: http(s) or relative; else None, and it shows as text.

    ``javascript:`` runs script in the page's origin when clicked, and ``data:`` or ``vbscript:``
    are no better. Browsers drop tabs, newlines and leading controls before reading a scheme
    (``java\tscript:``), so an IRI holding any of them is never linked.
    """
    if any(ord(char) <= 0x20 or char == "\x7f" for char in iri):
        return None
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", iri)
    if scheme is None or scheme[1].lower() in ("http", "https"):
        return iri
    return None


@dataclass(frozen=True)
class Shown:
    """An RDF term as a page shows it."""

    text: str
    href: str | None = None
    note: str = ""
    quote: str | None = None


class Pages:
    """Renders the HTML of the site with relative links."""

    def __init__(self, found: Index):
        self.found = found
        self.env = pages.environment()

    def link(self, here: str, iri: str) -> str | None:
        """A link from the page at site path ``here`` to an IRI: relative if the site has it."""
        whole, _, fragment = iri.partition("#")
        path = self.found.path(whole)
        if path is not None and self.found.has_page(whole):
            fragment = "#" + fragment if fragment else ""
            return posixpath.relpath(path + ".html", posixpath.dirname(here) or ".") + fragment
        if iri.startswith(str(MKG)):
            target = posixpath.relpath(ONTOLOGY_PAGE, posixpath.dirname(here) or ".")
            return target + "#" + iri[len(str(MKG)) :]
        return linkable(iri) if iri.lower().startswith(("http://", "https://")) else None

    def term(self, here: str, term: Any) -> Shown:
        if isinstance(term, ox.Literal):
            note = f"@{term.language}" if term.language else ""
            if not note and term.datatype.value != str(XSD.string):
                note = _prefixed(term.datatype.value)
            return Shown(term.value, note=note)
        iri = term.value
        label = self.found.label(iri)
        text = label if label and self.found.path(iri) is not None else _prefixed(iri)
        return Shown(text, self.link(here, iri), quote=self.found.quote(iri))

    def resource(self, iri: str, jsonld_text: str) -> bytes:
        here = f"{self.found.path(iri)}.html"
        own = self.found.statements(iri)
        by_graph: dict[str, list[ox.Quad]] = defaultdict(list)
        for quad in own:
            by_graph[_graph_key(quad)].append(quad)
        groups = [self._group(here, graph, quads) for graph, quads in sorted(by_graph.items())]
        incoming = [
            (
                self.term(here, q.subject),
                self.term(here, q.predicate),
                self._graph_name(here, q),
                self.is_draft(_graph_key(q)),
            )
            for q in self.found.pointing_to(iri)
        ]
        types = sorted(
            {_text(q.object) for q in own if _text(q.subject) == iri and q.predicate == RDF_TYPE}
        )
        name = posixpath.basename(here).removesuffix(".html")
        return self._render(
            "resource.html",
            here,
            title=self.found.label(iri) or self.found.quote(iri) or iri,
            iri=iri,
            types=[self.term(here, ox.NamedNode(t)) for t in types],
            groups=groups,
            incoming=incoming,
            formats={ext: f"{name}.{ext}" for ext in DOCUMENT_TYPES if ext != "html"},
            jsonld=pages.script_json(jsonld_text),
        )

    def is_draft(self, graph: str) -> bool:
        """Whether a graph was built from a draft record, which no person has reviewed yet."""
        return DRAFT in self.found.graph_properties(graph).get(REVIEW_STATUS, [])

    def _graph_name(self, here: str, quad: ox.Quad) -> Shown:
        if isinstance(quad.graph_name, ox.NamedNode):
            return self.term(here, quad.graph_name)
        return Shown("default graph")

    def _group(self, here: str, graph: str, quads: list[ox.Quad]) -> dict[str, Any]:
        properties = self.found.graph_properties(graph)
        sources = properties.get(PRIMARY_SOURCE, [])
        external = sorted(
            link
            for source in sources
            for quad in self.found.statements(source)
            if _text(quad.subject) == source and quad.predicate.value in SOURCE_LINKS
            for link in [_text(quad.object)]
        )
        return {
            "graph": self.term(here, ox.NamedNode(graph)) if graph else Shown("default graph"),
            "draft": self.is_draft(graph),
            "sources": [self.term(here, ox.NamedNode(s)) for s in sources],
            "external": [Shown(link, linkable(link)) for link in sorted(set(external))],
            "rows": [
                (
                    self.term(here, q.subject)
                    if _text(q.subject) != _text(q.subject).split("#")[0]
                    else None,
                    self.term(here, q.predicate),
                    self.term(here, q.object),
                    _text(q.subject).partition("#")[2],
                )
                for q in quads
            ],
        }

    def index_page(self, classes: dict[str, list[str]], extras: dict[str, str]) -> bytes:
        here = "index.html"
        return self._render(
            "index.html",
            here,
            title=TITLE,
            classes=[
                (
                    self.term(here, ox.NamedNode(cls)),
                    [self.term(here, ox.NamedNode(i)) for i in members],
                )
                for cls, members in classes.items()
            ],
            dumps=sorted(DUMP_MEDIA_TYPES.items()),
            extras=extras,
        )

    def ontology_page(self, ontology: Graph) -> bytes:
        return self._render("ontology.html", ONTOLOGY_PAGE, **ontology_terms(ontology))

    def _render(self, template: str, here: str, **values: Any) -> bytes:
        root = posixpath.relpath(".", posixpath.dirname(here) or ".")
        page = self.env.get_template(template).render(root=root, **values)
        return page.encode()


RDF_TYPE = ox.NamedNode(str(RDF.type))


def _graph_key(quad: ox.Quad) -> str:
    return _text(quad.graph_name) if isinstance(quad.graph_name, ox.NamedNode) else ""


def _prefixed(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if iri.startswith(str(namespace)) and iri != str(namespace):
            return f"{prefix}:{iri[len(str(namespace)) :]}"
    return iri


def ontology_terms(ontology: Graph) -> dict[str, Any]:
    """Every term of ontology/minekg.ttl by kind: labels, comments, domains, ranges."""
    sections: dict[str, list[dict[str, Any]]] = {}
    kinds = {
        "Classes": "http://www.w3.org/2002/07/owl#Class",
        "Object properties": "http://www.w3.org/2002/07/owl#ObjectProperty",
        "Datatype properties": "http://www.w3.org/2002/07/owl#DatatypeProperty",
        "Annotation properties": "http://www.w3.org/2002/07/owl#AnnotationProperty",
    }
    ours = {
        str(s) for s in ontology.subjects() if str(s).startswith(str(MKG)) and str(s) != str(MKG)
    }
    listed: set[str] = set()
    for title, kind in [*kinds.items(), ("Individuals and other terms", None)]:
        terms = sorted(
            ours - listed
            if kind is None
            else {str(s) for s in ontology.subjects(RDF.type, URIRef(kind))} & ours - listed
        )
        listed.update(terms)
        sections[title] = [
            {
                "anchor": term[len(str(MKG)) :],
                "name": _prefixed(term),
                "label": _first(ontology.objects(URIRef(term), RDFS.label)),
                "comment": _first(ontology.objects(URIRef(term), RDFS.comment)),
                "related": {
                    name: sorted(_prefixed(str(o)) for o in ontology.objects(URIRef(term), p))
                    for name, p in (
                        ("subclass of", RDFS.subClassOf),
                        ("subproperty of", RDFS.subPropertyOf),
                        ("domain", RDFS.domain),
                        ("range", RDFS.range),
                    )
                },
            }
            for term in terms
        ]
    head = URIRef(str(MKG).rstrip("#"))
    return {
        "title": _first(ontology.objects(head, DCTERMS.title)) or "minekg ontology",
        "description": _first(ontology.objects(head, DCTERMS.description))
        or _first(ontology.objects(head, RDFS.comment)),
        "namespace": str(MKG),
        "sections": sections,
    }


def _first(values: Iterable[Any]) -> str:
    texts = sorted(
        str(v) for v in values if not isinstance(v, Literal) or v.language in (None, "en")
    )
    return texts[0] if texts else ""


def void_and_dcat(
    dataset: ox.Store, found: Index, dump_files: dict[str, bytes]
) -> tuple[bytes, bytes]:
    """The VoID description and the DCAT catalog of the site, as Turtle."""
    return _turtle(_void(dataset, found)), _turtle(_dcat(found, dump_files))


def _void(dataset: ox.Store, found: Index) -> Graph:
    """VoID: statistics and partitions of the union, the dumps, the SPARQL endpoint, the
    vocabularies the data uses and one subset per named graph, so a client sees each source's
    graph and its size before it sends a query."""
    statements = {ox.Triple(q.subject, q.predicate, q.object) for q in dataset}
    payload = ox.serialize(statements, format=ox.RdfFormat.N_TRIPLES)
    assert payload is not None
    triples = Graph().parse(data=payload.decode(), format="nt")
    dataset_iri = URIRef(found.base + "dataset")
    void = _stable_partitions(generateVoID(triples, dataset=dataset_iri)[0], dataset_iri)
    void.add((dataset_iri, VOID.uriSpace, Literal(found.base + "id/")))
    void.add((dataset_iri, VOID.sparqlEndpoint, URIRef(found.base + SPARQL_PATH)))
    for name in DUMP_MEDIA_TYPES:
        void.add((dataset_iri, VOID.dataDump, URIRef(found.base + name)))
    for vocabulary in vocabularies(statements):
        void.add((dataset_iri, VOID.vocabulary, URIRef(vocabulary)))
    for graph in dataset.named_graphs():
        subset = URIRef(graph.value)
        size = sum(1 for _ in dataset.quads_for_pattern(None, None, None, graph))
        void.add((dataset_iri, VOID.subset, subset))
        void.add((subset, RDF.type, VOID.Dataset))
        void.add((subset, VOID.triples, Literal(size)))
    return void


def vocabularies(statements: Iterable[ox.Triple]) -> list[str]:
    """The namespaces of every property and class the statements use, sorted.

    A term's namespace is the longest of minekg's prefixes it starts with, else the IRI up to its
    last ``#`` or ``/``, so a vocabulary added to the data is listed without editing this code.
    """
    namespaces = sorted((str(ns) for ns in PREFIXES.values()), key=len, reverse=True)
    terms = set()
    for triple in statements:
        terms.add(triple.predicate.value)
        if triple.predicate == RDF_TYPE and isinstance(triple.object, ox.NamedNode):
            terms.add(triple.object.value)
    used = set()
    for term in terms:
        known = [ns for ns in namespaces if term.startswith(ns)]
        used.add(known[0] if known else term[: max(term.rfind("#"), term.rfind("/")) + 1])
    return sorted(used)


def _dcat(found: Index, dump_files: dict[str, bytes]) -> Graph:
    """DCAT-AP 3.0.0: the site as a catalog of one dataset with its dumps and SPARQL service.

    Each class a range constraint of DCAT-AP expects is stated, so the catalog conforms without
    the validator loading the vocabularies; only what minekg knows is said (no contact address,
    no publisher type: the project has neither).
    """
    base = found.base
    catalog, dataset_iri = URIRef(base + "catalog"), URIRef(base + "dataset")
    service, publisher = URIRef(base + "catalog#sparql"), URIRef(base + "dataset#publisher")
    home, licence = URIRef(base + "index.html"), URIRef(LICENSE)
    dcat = Graph()
    for s, p, o in [
        (catalog, RDF.type, DCAT.Catalog),
        (catalog, DCTERMS.title, Literal(TITLE, lang="en")),
        (catalog, DCTERMS.description, Literal(CATALOG_DESCRIPTION, lang="en")),
        (catalog, DCTERMS.publisher, publisher),
        (catalog, FOAF.homepage, home),
        (catalog, DCAT.dataset, dataset_iri),
        (catalog, DCAT.service, service),
        (catalog, DCTERMS.language, ENGLISH),
        (ENGLISH, RDF.type, DCTERMS.LinguisticSystem),
        (home, RDF.type, FOAF.Document),
        (publisher, RDF.type, FOAF.Agent),
        (publisher, FOAF.name, Literal(PUBLISHER)),
        (licence, RDF.type, DCTERMS.LicenseDocument),
        (licence, DCTERMS.type, ATTRIBUTION),
        (ATTRIBUTION, RDF.type, SKOS.Concept),
        (ATTRIBUTION, SKOS.prefLabel, Literal("Attribution", lang="en")),
        (dataset_iri, RDF.type, DCAT.Dataset),
        (dataset_iri, DCTERMS.title, Literal(TITLE, lang="en")),
        (dataset_iri, DCTERMS.description, Literal(DATASET_DESCRIPTION, lang="en")),
        (dataset_iri, DCTERMS.license, licence),
        (dataset_iri, DCTERMS.publisher, publisher),
        (dataset_iri, DCAT.landingPage, home),
        (THEME, RDF.type, SKOS.Concept),
        (THEME, SKOS.prefLabel, Literal(THEME_LABEL, lang="en")),
        (THEME, SKOS.inScheme, THEME_SCHEME),
        (THEME_SCHEME, RDF.type, SKOS.ConceptScheme),
        (THEME_SCHEME, DCTERMS.title, Literal(THEME_SCHEME_TITLE, lang="en")),
        (catalog, DCAT.themeTaxonomy, THEME_SCHEME),
        (service, RDF.type, DCAT.DataService),
        (service, DCTERMS.title, Literal(f"SPARQL endpoint of {TITLE}", lang="en")),
        (service, DCTERMS.description, Literal(SERVICE_DESCRIPTION, lang="en")),
        (service, DCAT.endpointURL, URIRef(base + SPARQL_PATH)),
        # GET on the endpoint with an RDF Accept and no query gives its Service Description.
        (service, DCAT.endpointDescription, URIRef(base + SPARQL_PATH)),
        (service, DCAT.servesDataset, dataset_iri),
        (service, DCTERMS.conformsTo, SPARQL_PROTOCOL),
        (service, DCTERMS.publisher, publisher),
        (SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard),
    ]:
        dcat.add((s, p, o))
    for described in (dataset_iri, service):
        dcat.add((described, DCAT.theme, THEME))
        for keyword in KEYWORDS:
            dcat.add((described, DCAT.keyword, Literal(keyword, lang="en")))
    for name, media_type in DUMP_MEDIA_TYPES.items():
        distribution = URIRef(base + name)
        media = URIRef(f"http://www.iana.org/assignments/media-types/{media_type}")
        file_type = URIRef(
            f"http://publications.europa.eu/resource/authority/file-type/{FILE_TYPES[name]}"
        )
        for s, p, o in [
            (dataset_iri, DCAT.distribution, distribution),
            (distribution, RDF.type, DCAT.Distribution),
            (distribution, DCTERMS.title, Literal(f"Dump of the dataset as {name}", lang="en")),
            (distribution, DCTERMS.description, Literal(DUMP_DESCRIPTIONS[name], lang="en")),
            (distribution, DCAT.accessURL, distribution),
            (distribution, DCAT.downloadURL, distribution),
            (distribution, DCAT.mediaType, media),
            (media, RDF.type, DCTERMS.MediaType),
            (distribution, DCTERMS.format, file_type),
            (file_type, RDF.type, DCTERMS.MediaTypeOrExtent),
            (distribution, DCTERMS.license, licence),
            # xsd:decimal, as DCAT-AP 3.0.0's shapes require (DCAT 3 itself suggests an integer).
            (
                distribution,
                DCAT.byteSize,
                Literal(str(len(dump_files[name])), datatype=XSD.decimal),
            ),
        ]:
            dcat.add((s, p, o))
    dates = sorted(
        _text(q.object)
        for quads in found.about.values()
        for q in quads
        if q.predicate.value == ISSUED
        and isinstance(q.object, ox.Literal)
        and q.object.datatype.value == str(XSD.date)
    )
    if dates:
        period = URIRef(base + "dataset#temporal")
        dcat.add((dataset_iri, DCTERMS.temporal, period))
        dcat.add((period, RDF.type, DCTERMS.PeriodOfTime))
        dcat.add((period, DCAT.startDate, Literal(dates[0], datatype=XSD.date)))
        dcat.add((period, DCAT.endDate, Literal(dates[-1], datatype=XSD.date)))
    return dcat


def _stable_partitions(void: Graph, dataset_iri: URIRef) -> Graph:
    """rdflib numbers partitions in hash order; name them after their class or property."""
    renamed = {}
    for link, key, kind in (
        (VOID.classPartition, VOID["class"], "class"),
        (VOID.propertyPartition, VOID.property, "property"),
    ):
        partitions = sorted((str(void.value(p, key)), p) for p in void.objects(dataset_iri, link))
        for number, (_, partition) in enumerate(partitions, start=1):
            renamed[partition] = URIRef(f"{dataset_iri}#{kind}-{number}")
    stable = Graph()
    for s, p, o in void:
        stable.add((renamed.get(s, s), p, renamed.get(o, o)))  # type: ignore[arg-type]
    return stable


def _turtle(graph: Graph) -> bytes:
    """Turtle sorted by Oxigraph, so the bytes do not depend on rdflib's hashing order."""
    nt = graph.serialize(format="nt", encoding="utf-8")
    triples = sorted(
        ox.parse(nt, format=ox.RdfFormat.N_TRIPLES),
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)),
    )
    prefixes = {
        **{prefix: str(namespace) for prefix, namespace in PREFIXES.items()},
        "void": str(VOID),
        "dcat": str(DCAT),
    }
    written = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert written is not None
    return written


def site_files(
    build_dir: Path,
    ontology_dir: Path,
    query_folders: Sequence[Path],
    base: str | None = None,
    previous: Path | None = None,
    resource_pages: bool = True,
) -> dict[str, bytes | Path]:
    """Every file of the site, keyed by its path in the site; without ``resource_pages``, all
    but the resources' pages and documents (``minekg serve`` then renders them from the store).

    With ``previous`` (a site published before), a resource whose page inputs have the digest
    that site's manifest gives it is not rendered again: its files are the previous site's, given
    as paths, which ``write_site`` links into the new site unchanged.
    """
    dumps_in = {name: (build_dir / name) for name in DUMP_MEDIA_TYPES}
    for path in dumps_in.values():
        if not path.is_file():
            raise MinekgError(f"{path}: no such file (run `minekg build` first)")
    built_base = build_base(store.load(build_dir))
    dump_files = {
        name: rebase(path.read_text(encoding="utf-8"), built_base, base or built_base).encode()
        for name, path in dumps_in.items()
    }
    files: dict[str, bytes | Path] = {**dump_files}
    dataset = ox.Store()
    dataset.load(dump_files["minekg.nq"], format=ox.RdfFormat.N_QUADS)
    found = index(dataset)
    context = json.loads((ontology_dir / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    pages = Pages(found)
    generator = generator_digest(ontology_dir / "context.jsonld")
    before = _manifest(previous) if previous is not None else {}
    known = before.get("pages", {}) if before.get("generator") == generator else {}
    digests: dict[str, str] = {}
    classes: dict[str, list[str]] = defaultdict(list)
    for iri in found.resources():
        for quad in found.statements(iri):
            if _text(quad.subject) == iri and quad.predicate == RDF_TYPE:
                classes[_text(quad.object)].append(iri)
        page = found.path(iri)
        assert page is not None
        if not resource_pages:
            continue
        own = graph_quads(dataset, iri) if page.startswith("graph/") else None
        digests[page] = page_digest(found, iri, own)
        kept = {f"{page}.{ext}": (previous or Path()) / f"{page}.{ext}" for ext in DOCUMENT_TYPES}
        if known.get(page) == digests[page] and all(path.is_file() for path in kept.values()):
            files.update(kept)
        else:
            files.update(resource_files(found, pages, iri, context, own))
    extras = _copy_show_outputs(build_dir, files)
    files["index.html"] = pages.index_page(
        {cls: sorted(set(members)) for cls, members in sorted(classes.items())}, extras
    )
    ontology = Graph().parse(ontology_dir / "minekg.ttl", format="turtle")
    files[ONTOLOGY_PAGE] = pages.ontology_page(ontology)
    files.update(_named_documents("ontology", _quads(ontology.serialize(format="nt")), context))
    files["context.jsonld"] = (ontology_dir / "context.jsonld").read_bytes()
    void, catalog = void_and_dcat(dataset, found, dump_files)
    files["void.ttl"], files["catalog.ttl"] = void, catalog
    described = _quads(void) + _quads(catalog)
    dataset_documents = _named_documents("dataset", described, context)
    files.update(dataset_documents)
    dataset_iri = found.base + "dataset"
    # Only the dataset's page is made here: its subsets keep their own (graph/...) pages.
    found.describe(
        dataset_iri, [q for q in described if _text(q.subject).split("#")[0] == dataset_iri]
    )
    files["dataset.html"] = pages.resource(
        dataset_iri, dataset_documents["dataset.jsonld"].decode()
    )
    for name, named in queries.available(query_folders).items():
        files[f"queries/{name}.rq"] = named.text.encode()
    files[".htaccess"] = htaccess().encode()
    files.update({name: text.encode() for name, text in nginx().items()})
    manifest = {"generator": generator, "pages": digests}
    files[MANIFEST] = (json.dumps(manifest, indent=0, sort_keys=True) + "\n").encode()
    return files


def resource_files(
    found: Index, pages: Pages, iri: str, context: dict[str, Any], own: list[ox.Quad] | None
) -> dict[str, bytes]:
    """A resource's page and RDF documents, by site path; ``own`` is a named graph's statements
    (``graph_quads``) when the resource is one. ``minekg serve`` renders through here too."""
    page = found.path(iri)
    documents = rdf_documents(description(found, iri), context, own)
    files = {f"{page}.{ext}": payload for ext, payload in documents.items()}
    files[f"{page}.html"] = pages.resource(iri, documents["jsonld"].decode())
    return files


def from_store(found: StoreIndex, context: dict[str, Any], page: str) -> dict[str, bytes] | None:
    """The files of the resource at site path ``page`` rendered from a store, the same bytes a
    publish writes; None if the store describes no such resource (or it is the dataset, whose
    page is made from the VoID)."""
    iri = resource_at(found, page)
    if iri is None:
        return None
    own = graph_quads(found.dataset, iri) if page.startswith("graph/") else None
    return resource_files(found, Pages(found), iri, context, own)


def resource_at(found: Index, page: str) -> str | None:
    """The IRI of the resource whose files are at site path ``page``, if the site has it."""
    if page.startswith("measure/"):
        iri = str(MEASURE) + page.removeprefix("measure/")
    else:
        iri = found.base + page
    if page == "dataset" or found.path(iri) != page or not found.has_page(iri):
        return None
    return iri


def graph_quads(dataset: ox.Store, iri: str) -> list[ox.Quad]:
    """Every statement of a named graph, sorted."""
    return sorted(dataset.quads_for_pattern(None, None, None, ox.NamedNode(iri)), key=_quad_order)


def page_digest(found: Index, iri: str, own: list[ox.Quad] | None) -> str:
    """A digest of everything a resource's files are made of, so a publish re-renders only the
    resources whose digest changed: the statements of its description (``own``'s too), and, for
    every IRI they name, what ``Pages.term`` reads (its label, its quote, whether it has a
    page), and for every graph they name what ``Pages._group`` reads (draft or not, its sources
    and their links). What every page shares is in ``generator_digest``."""
    quads = description(found, iri)
    digest = hashlib.sha256()
    for quad in [*quads, *(own or ())]:
        digest.update(f"{quad}\n".encode())
    named = {
        term.value
        for quad in quads
        for term in (quad.subject, quad.predicate, quad.object, quad.graph_name)
        if isinstance(term, ox.NamedNode)
    }
    for graph in sorted({_graph_key(quad) for quad in quads}):
        properties = found.graph_properties(graph)
        sources = properties.get(PRIMARY_SOURCE, [])
        digest.update(json.dumps([graph, properties.get(REVIEW_STATUS, []), sources]).encode())
        named.update(sources)
        for source in sources:
            for quad in found.statements(source):
                if _text(quad.subject) == source and quad.predicate.value in SOURCE_LINKS:
                    digest.update(f"{quad}\n".encode())
    for term in sorted(named):
        shown = [term, found.label(term), found.quote(term), found.has_page(term.split("#")[0])]
        digest.update(json.dumps(shown).encode())
    return digest.hexdigest()


def generator_digest(context: Path) -> str:
    """A digest of what every page is made with: this code, the templates, the JSON-LD context
    and the versions of the libraries that write RDF and HTML. When it changes, every page is
    rendered again."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in [
        Path(__file__),
        package / "pages.py",
        *sorted((package / "templates").iterdir()),
        context,
    ]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for library in ("pyoxigraph", "rdflib", "jinja2"):
        digest.update(f"{library} {metadata.version(library)}\n".encode())
    return digest.hexdigest()


def _manifest(site: Path) -> dict[str, Any]:
    """The manifest of a site published before, or nothing if it has none or cannot be read."""
    try:
        found = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _bytes(payload: bytes | Path) -> bytes:
    return payload.read_bytes() if isinstance(payload, Path) else payload


def _quads(turtle: str | bytes) -> list[ox.Quad]:
    """Triples of a Turtle or N-Triples text as quads of the default graph, sorted."""
    data = turtle.encode() if isinstance(turtle, str) else turtle
    triples = ox.parse(data, format=ox.RdfFormat.TURTLE)
    return sorted((ox.Quad(t.subject, t.predicate, t.object) for t in triples), key=_quad_order)


def _named_documents(name: str, quads: list[ox.Quad], context: dict[str, Any]) -> dict[str, bytes]:
    """The RDF documents of a name the site answers at its root (``ontology``, ``dataset``)."""
    return {f"{name}.{ext}": payload for ext, payload in rdf_documents(quads, context).items()}


def _copy_show_outputs(build_dir: Path, files: dict[str, bytes | Path]) -> dict[str, str]:
    """The interactive graph and plots of ``minekg show``, when the build folder has them."""
    extras = {}
    for path in sorted([*build_dir.glob("graph.html"), *build_dir.glob("plots*")]):
        members = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for member in members:
            files[member.relative_to(build_dir).as_posix()] = member.read_bytes()
        if path.suffix == ".html":  # the pages; plots/ holds the SVGs plots.html embeds
            extras[path.name] = f"{path.name} (from minekg show)"
    return extras


def write_site(site_dir: Path, files: dict[str, bytes | Path]) -> None:
    """Write the site atomically: a failed publish leaves the previous site as it was.

    The new site is filled beside the old one and swapped in at once (``folders``). A file whose
    bytes are those of the previous site's file of the same name (or that ``site_files`` took
    from it, given as a path) is a hard link to it, not a copy: it keeps its modification time,
    so a web server's caches and a sync tool see only the files that changed. A crash mid-way
    leaves the old site whole and the staging folder, which the next publish removes.
    """

    def fill(folder: Path) -> None:
        for name, payload in sorted(files.items()):
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            old = payload if isinstance(payload, Path) else site_dir / name
            if isinstance(payload, Path) or _same_bytes(old, payload):
                try:
                    os.link(old, target)
                    continue
                except OSError:  # no hard links here: a copy with the same mtime
                    shutil.copy2(old, target)
                    continue
            target.write_bytes(_bytes(payload))

    if site_dir.exists() and not is_site(site_dir) and any(site_dir.iterdir()):
        raise MinekgError(f"{site_dir}: not empty and not a minekg site; refusing to replace it")
    folders.write_atomically(site_dir, fill)


def _same_bytes(path: Path, payload: bytes) -> bool:
    try:
        return path.stat().st_size == len(payload) and path.read_bytes() == payload
    except OSError:
        return False


def publish(
    build_dir: Path,
    site_dir: Path,
    ontology_dir: Path,
    query_folders: Sequence[Path],
    base: str | None = None,
    resource_pages: bool = True,
) -> dict[str, bytes | Path]:
    """Write the site of a built graph into ``site_dir`` atomically; return its files. Only the
    resources whose page inputs changed since the site there was published are rendered."""
    previous = site_dir if is_site(site_dir) else None
    files = site_files(build_dir, ontology_dir, query_folders, base, previous, resource_pages)
    write_site(site_dir, files)
    return files


def is_site(site_dir: Path) -> bool:
    """Whether the folder holds a site ``minekg publish`` wrote."""
    return (site_dir / "void.ttl").is_file()


def has_resource_pages(site_dir: Path) -> bool:
    """Whether the folder holds a site with its resources' pages (``minekg serve`` publishes one
    without them)."""
    return is_site(site_dir) and bool(_manifest(site_dir).get("pages", True))


def htaccess() -> str:
    """Apache: 303 from a resource IRI to the document the Accept header (or ?format=) asks for.

    mod_rewrite matches media types by substring, without q-values; ``minekg serve`` weighs them.
    """
    rules = [
        "# minekg: content negotiation for resource IRIs (303 See Other, W3C Cool URIs).",
        "Options -MultiViews",
        *(f"AddType {media_type} .{ext}" for ext, media_type in DOCUMENT_TYPES.items()),
        "<IfModule mod_headers.c>\n    Header always append Vary Accept\n</IfModule>",
        "RewriteEngine On",
        "RewriteBase /",
        f"RewriteRule ^{re.escape(WELL_KNOWN_VOID)}$ dataset [R=303,L]",
    ]
    roots = "|".join(root.rstrip("/") for root in NEGOTIATED_ROOTS)
    resource = f"^((?:{roots})/.+|{'|'.join(NEGOTIATED_NAMES)})$"
    for ext in DOCUMENT_TYPES:
        rules += [
            f"RewriteCond %{{QUERY_STRING}} (^|&)format={ext}(&|$)",
            "RewriteCond %{REQUEST_FILENAME}.html -f",
            f"RewriteRule {resource} $1.{ext}? [R=303,L]",
        ]
    for ext, media_type in DOCUMENT_TYPES.items():
        rules += [
            f"RewriteCond %{{HTTP_ACCEPT}} {re.escape(media_type)}",
            "RewriteCond %{REQUEST_FILENAME}.html -f",
            f"RewriteRule {resource} $1.{ext} [R=303,L]",
        ]
    rules += [
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        f"RewriteRule {resource} $1.html [R=303,L]",
    ]
    return "\n".join(rules) + "\n"


def nginx() -> dict[str, str]:
    """nginx: the same 303 rules as the .htaccess, as two files to ``include``: the maps in the
    ``http`` block, the locations in the ``server`` block whose root is the site."""
    accept = "\n".join(
        f'    "~*{re.escape(media_type)}" {ext};' for ext, media_type in DOCUMENT_TYPES.items()
    )
    override = "\n".join(f"    {ext} {ext};" for ext in DOCUMENT_TYPES)
    types = " ".join(f"{media_type} {ext};" for ext, media_type in DOCUMENT_TYPES.items())
    dump_types = " ".join(
        f"{media_type} {name.split('.')[1]};" for name, media_type in DUMP_MEDIA_TYPES.items()
    )
    roots = "|".join(root.rstrip("/") for root in NEGOTIATED_ROOTS)
    names = "|".join(NEGOTIATED_NAMES)
    heading = "# minekg: content negotiation for resource IRIs (303 See Other, W3C Cool URIs).\n"
    maps = f"""{heading}# Include in the http block. Types match in this order, without q-values.
map $http_accept $minekg_accept {{
    default html;
{accept}
}}
map $arg_format $minekg_format {{
    default $minekg_accept;
{override}
}}
"""
    locations = f"""{heading}# Include in the server block whose root is the site.
location = /{WELL_KNOWN_VOID} {{
    return 303 /dataset;
}}
location ~ ^/(?:(?:{roots})/|(?:{names})(?:\\.|$)) {{
    types {{ {types} }}
    add_header Vary Accept always;
    if (-f $request_filename.html) {{
        return 303 $uri.$minekg_format;
    }}
    try_files $uri =404;
}}
location ~ \\.(trig|nq|ttl|jsonld)$ {{
    types {{ {dump_types} }}
}}
"""
    return {"nginx/minekg-http.conf": maps, "nginx/minekg-server.conf": locations}
