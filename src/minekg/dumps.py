"""Writing the dataset: TriG, N-Quads, Turtle and JSON-LD, byte-identical from build to build.

Determinism matters because users diff dumps to see what changed: every writer here gets its
statements in one sorted order, and JSON-LD is re-ordered by ``@id`` and written with sorted
keys (the SHACL report is written in a fixed order by ``checks.report_turtle``). They are
written into ``out/`` in one step by ``folders.write_atomically``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.plugins.shared.jsonld.context import UNDEF, Context

from minekg.vocab import PREFIXES

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
NATIVE = {XSD.boolean, XSD.integer, XSD.double, XSD.string}  # JSON values in compacted JSON-LD
Triple = tuple[URIRef, URIRef, URIRef | Literal]


def serialize_all(
    nquads: bytes, jsonld_graphs: list[Canonical], context: dict[str, Any]
) -> dict[str, bytes]:
    """Every dump as bytes, keyed by file name, from the sorted N-Quads of the build.

    Turtle and TriG are written by Oxigraph from statements sorted by graph, subject and
    predicate (type first): 30 times faster than rdflib's writers, and readable because each
    subject's statements stand together. JSON-LD is put together from each named graph's own
    JSON-LD (written where the graph was made, a worker for a document), so no rdflib graph of
    the whole corpus is ever built.
    """
    quads = sorted(ox.parse(nquads, format=ox.RdfFormat.N_QUADS), key=_reading_order)
    triples = sorted(
        {ox.Triple(q.subject, q.predicate, q.object) for q in quads}, key=_reading_order
    )
    # Resource IRIs stay whole: a prefixed name would need every "/" escaped as "\/".
    prefixes = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return {
        "minekg.trig": _oxigraph(quads, ox.RdfFormat.TRIG, prefixes),
        "minekg.nq": nquads,
        "minekg.ttl": _oxigraph(triples, ox.RdfFormat.TURTLE, prefixes),
        "minekg.jsonld": _canonical_jsonld(jsonld_graphs, context),
    }


def _oxigraph(statements: list[Any], fmt: ox.RdfFormat, prefixes: dict[str, str]) -> bytes:
    """Oxigraph returns the bytes when given no output file."""
    written = ox.serialize(statements, format=fmt, prefixes=prefixes)
    assert written is not None
    return written


def _reading_order(statement: ox.Quad | ox.Triple) -> tuple[str, ...]:
    graph = str(statement.graph_name) if isinstance(statement, ox.Quad) else ""
    predicate = str(statement.predicate)
    return (
        graph,
        str(statement.subject),
        "" if predicate == RDF_TYPE else predicate,
        str(statement.object),
    )


GRAPH_DEPTH = 2  # where a named graph stands in the JSON-LD dump: in the document's "@graph"


@dataclass(frozen=True, order=True)
class Canonical:
    """A named graph's JSON-LD already written in both canonical forms at ``GRAPH_DEPTH``.

    A document's graph is written where it is mapped (a worker) and cached with it, so the dump
    of the whole corpus only sorts and joins texts: canonicalising 1,000 graphs in the build
    process took 21 s of every rebuild, a changed record or none (issue 12).
    """

    compact: str
    indented: str

    @classmethod
    def of(cls, graph: dict[str, Any]) -> Canonical:
        return cls(*_canonical(graph, GRAPH_DEPTH))


def _canonical_jsonld(graphs: list[Canonical], context: dict[str, Any]) -> bytes:
    return canonical_json({"@context": context, "@graph": [g for g in graphs if g.compact != "{}"]})


def canonical_json(document: Any) -> bytes:
    """A JSON-LD document in minekg's canonical form: keys and arrays sorted, one space indent."""
    return (_canonical(document, 0)[1] + "\n").encode()


def _canonical(value: Any, depth: int) -> tuple[str, str]:
    """``value`` as ``json.dumps(value, sort_keys=True)`` writes it, every array sorted by those
    texts of its members (minekg writes no ordered RDF lists), and as ``indent=1`` writes it.

    Both texts are built in one pass from the bottom up. Sorting by ``json.dumps`` of each member
    at every level wrote the deepest values once per level, and ``json.dumps`` with an indent
    encodes in Python: together 52 s of a 1,000-document build (issue 12).
    """
    if isinstance(value, Canonical):
        return value.compact, value.indented
    inner = "\n" + " " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}", "{}"
        keys = sorted(value)
        names = [json.dumps(key, ensure_ascii=False) for key in keys]
        members = [_canonical(value[key], depth + 1) for key in keys]
        compact = ", ".join(f"{n}: {m[0]}" for n, m in zip(names, members, strict=True))
        indented = ("," + inner).join(f"{n}: {m[1]}" for n, m in zip(names, members, strict=True))
        return "{" + compact + "}", "{" + inner + indented + "\n" + " " * depth + "}"
    if isinstance(value, list):
        if not value:
            return "[]", "[]"
        items = sorted(_canonical(item, depth + 1) for item in value)
        compact = ", ".join(item[0] for item in items)
        indented = ("," + inner).join(item[1] for item in items)
        return "[" + compact + "]", "[" + inner + indented + "\n" + " " * depth + "]"
    text = json.dumps(value, ensure_ascii=False)
    return text, text


def nquad(triple: Triple, graph: URIRef) -> str:
    """The N-Quads line rdflib writes for a statement of a named graph (the dumps' own form)."""
    s, p, o = triple
    return f"{s.n3()} {p.n3()} {_literal(o) if isinstance(o, Literal) else o.n3()} {graph.n3()} .\n"


def _literal(literal: Literal) -> str:
    lexical = (
        literal.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    )
    if literal.language:
        return f'"{lexical}"@{literal.language}'
    return f'"{lexical}"^^<{literal.datatype}>' if literal.datatype else f'"{lexical}"'


class JsonLdWriter:
    """Named graphs compacted with minekg's context, as rdflib's JSON-LD serializer compacts them.

    rdflib's serializer looks up the context's term for every statement, and cost a mapping
    worker 0.11 s per document, more than the mapping itself (issue 12). The graphs minekg
    writes hold no blank nodes and no RDF lists, and the context no containers, so compacting
    is a term per (predicate, kind of object): looked up once with rdflib's own ``Context`` and
    remembered, with the rest of rdflib's rules kept as they are (a tested equality).
    """

    def __init__(self, context: dict[str, Any]):
        self.context = Context(context)
        self._terms: dict[tuple[str, str | None, str | None], Any] = {}
        self._iris: dict[str, str] = {}
        self._symbols: dict[str, str] = {}

    def graph(self, name: URIRef, triples: Iterable[Triple]) -> dict[str, Any]:
        """The JSON-LD object of one named graph: its name and its nodes ({} if it has none)."""
        nodes: dict[URIRef, dict[str, Any]] = {}
        for s, p, o in triples:
            node = nodes.get(s)
            if node is None:
                node = nodes[s] = {"@id": self._iri(s)}
            self._add(node, p, o)
        return {"@id": self._iri(name), "@graph": list(nodes.values())} if nodes else {}

    def _add(self, node: dict[str, Any], p: URIRef, o: URIRef | Literal) -> None:
        key, value = self._key_and_value(p, o)
        if key in node:
            held = node[key]
            node[key] = [*held, value] if isinstance(held, list) else [held, value]
        else:
            node[key] = value

    def _key_and_value(self, p: URIRef, o: URIRef | Literal) -> tuple[str, Any]:
        term = self._term(p, o)
        if term is None:
            if p == RDF.type and isinstance(o, URIRef):
                return "@type", self._symbol(o)
            key = self._symbol(p)
            defined = self.context.terms.get(key)
            return (p if defined and (defined.type or defined.container) else key), self._raw(o)
        value = None
        if term.type:
            value = self._coerced(o, term.type)
        elif isinstance(o, Literal) and term.language and o.language == term.language:
            value = str(o)
        elif isinstance(o, Literal) and self.context.language and not term.language:
            value = None if o.language else str(o)
        return term.name, self._raw(o) if value is None else value

    def _coerced(self, o: URIRef | Literal, coercion: str) -> Any:
        if coercion == "@id":
            return self._iri(o) if isinstance(o, URIRef) else o
        if coercion == "@vocab" and isinstance(o, URIRef):
            return self._symbol(o)
        return o if isinstance(o, Literal) and str(o.datatype) == coercion else None

    def _term(self, p: URIRef, o: URIRef | Literal) -> Any:
        if isinstance(o, Literal):
            lookup = (str(p), str(o.datatype) if o.datatype else None, o.language)
            if lookup not in self._terms:
                found = self.context.find_term(lookup[0], lookup[1], language=o.language)
                self._terms[lookup] = found
            return self._terms[lookup]
        lookup = (str(p), "@id", None)
        if lookup not in self._terms:
            found = None
            for coercion in ("@id", "@vocab", UNDEF):
                found = self.context.find_term(lookup[0], coercion, None)  # type: ignore[arg-type]
                if found:
                    break
            self._terms[lookup] = found
        return self._terms[lookup]

    def _raw(self, o: URIRef | Literal) -> Any:
        if isinstance(o, URIRef):
            return {"@id": self._iri(o)}
        if o.datatype:
            if o.datatype in NATIVE:
                return o.toPython()
            return {"@type": self._symbol(o.datatype), "@value": str(o)}
        if o.language and o.language != self.context.language:
            return {"@language": o.language, "@value": str(o)}
        return {"@value": str(o)} if self.context.language and not o.language else str(o)

    def _iri(self, iri: URIRef) -> str:
        if iri not in self._iris:
            self._iris[iri] = self.context.shrink_iri(iri)
        return self._iris[iri]

    def _symbol(self, iri: URIRef) -> str:
        if iri not in self._symbols:
            self._symbols[iri] = str(self.context.to_symbol(iri))
        return self._symbols[iri]
