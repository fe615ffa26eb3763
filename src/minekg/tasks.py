"""The per-document work of a build, in two cached stages: map each record, validate each graph.

Mapping a record reads the record and a shared context: the reference data, the ontology's
measures, the table of UN symbols every record prints (a citation of ``A/78/908`` points at the
document that prints it), the base and the JSON-LD context. Validating a document graph reads
that graph, the ontology and reference graphs, the shapes, and the types that other documents
give to the nodes it points to (a symbol identification must be established by a source
document, typed in that document's own graph): the "stubs".

Each result is stored under a digest of exactly what it read, minekg's own code included, so the
cache serves a result only for the very inputs it was made from. A changed record remaps its own
document, and revalidates it and the documents that point to a node whose types changed; a
changed reference entry or shape redoes every document; nothing else is redone.

Tasks are plain functions of picklable data, so any ``concurrent.futures`` executor runs them:
local processes or a Dask cluster's. The parent alone reads and writes the cache, so workers
need no shared disk. Documents go in batches, so a context is sent once per batch, and a worker
process prepares the shared graphs once per context (``_prepared``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
import yaml
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from minekg import checks, dumps, mapping, yamlio
from minekg.inputs import LoadedRecord, Reader

BATCH = 25
SHAPES_FILE = "shapes.ttl"
RDF_TYPE = str(RDF.type)
TYPE = b" <" + RDF_TYPE.encode() + b"> "


@dataclass(frozen=True)
class MapContext:
    """What mapping any record reads besides the record."""

    refs: mapping.ReferenceIRIs
    units: dict[str, URIRef]
    jsonld_context: dict[str, Any]
    digest: str


@dataclass(frozen=True)
class CheckContext:
    """What validating any document graph reads besides the graph and its stubs."""

    shared: bytes  # N-Quads of the ontology, reference and reference-provenance graphs
    shapes: str
    digest: str


@dataclass(frozen=True)
class Mapped:
    """One record mapped: its statements (its graph and its provenance) and its JSON-LD graph."""

    key: str
    nquads: bytes
    jsonld: dumps.Canonical


@dataclass(frozen=True)
class ToCheck:
    key: str
    nquads: bytes
    stubs: bytes  # N-Triples: rdf:type statements of other documents about nodes this one uses


def digest_of(parts: Iterable[bytes]) -> str:
    """The digest of some inputs together with minekg's code (a fix to mapping invalidates)."""
    digest = hashlib.sha256()
    code = sorted(Path(__file__).parent.rglob("*.py"))
    for part in [*parts, *(path.read_bytes() for path in code)]:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


def yaml_reader(cache: Path) -> Reader:
    """``yamlio.load``, served from the cache by the file's bytes (and minekg's code).

    Composing the YAML of 1,000 records took 21 s of every rebuild (issue 12); the data of a file
    parsed before is one ``json.loads``. A hit has no node tree, which only an error's line needs
    (``LoadedRecord.node`` composes it then). Data that JSON would not give back as it was (a
    number as a mapping key) is not cached.
    """
    namespace = digest_of([b"yaml"])

    def read(path: Path) -> tuple[Any, yaml.Node | None]:
        content = path.read_bytes()
        key = _key(namespace, content)
        hit = read_cached(cache / "yaml", key)
        if isinstance(hit, dict) and "data" in hit:
            return hit["data"], None
        data, node = yamlio.parse(path, content)
        try:
            exact = json.loads(json.dumps(data)) == data
        except (TypeError, ValueError):
            exact = False
        if exact:
            write_cached(cache / "yaml", key, {"data": data})
        return data, node

    return read


@dataclass
class Counts:
    """How many documents each stage computed (the rest came from the cache)."""

    mapped: int = 0
    checked: int = 0


def map_all(
    context: MapContext, records: list[LoadedRecord], executor: Executor | None, cache: Path
) -> tuple[list[Mapped], int]:
    keys = {
        item.record.key: _key(context.digest, item.digest.encode(), item.path.name.encode())
        for item in records
    }
    stripped = [replace(item, tree=None) for item in records]  # the YAML tree stays here
    found = _cached(
        cache / "map",
        [(keys[item.record.key], item) for item in stripped],
        functools.partial(map_batch, context),
        executor,
        _mapped_json,
        _mapped_of,
    )
    return [found[0][keys[item.record.key]] for item in records], found[1]


def check_all(
    context: CheckContext, mapped: list[Mapped], executor: Executor | None, cache: Path
) -> tuple[list[checks.Finding], int]:
    types = _types(mapped)
    items = [ToCheck(m.key, m.nquads, _stubs(m, types)) for m in mapped]
    keyed = [(_key(context.digest, item.nquads, item.stubs), item) for item in items]
    found, computed = _cached(
        cache / "check",
        keyed,
        functools.partial(check_batch, context),
        executor,
        lambda findings: [f.row() for f in findings],
        lambda rows: [checks.Finding.of_row(row) for row in rows],
    )
    return [f for key, _ in keyed for f in found[key]], computed


def _key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part.encode() if isinstance(part, str) else part).digest())
    return digest.hexdigest()


In = TypeVar("In")
Out = TypeVar("Out")


def _cached(
    cache: Path,
    keyed: list[tuple[str, In]],
    run: Callable[[list[In]], list[Out]],
    executor: Executor | None,
    to_json: Callable[[Out], Any],
    of_json: Callable[[Any], Out],
) -> tuple[dict[str, Out], int]:
    """Results by key: read from the cache, or computed in batches and then stored."""
    results: dict[str, Out] = {}
    missing: list[tuple[str, In]] = []
    for key, item in keyed:
        hit = read_cached(cache, key)
        if hit is None:
            missing.append((key, item))
        else:
            results[key] = of_json(hit)
    batches = [missing[i : i + BATCH] for i in range(0, len(missing), BATCH)]
    inputs = [[item for _, item in batch] for batch in batches]
    computed: Iterator[list[Out]]
    if executor is None or len(batches) < 2:
        computed = map(run, inputs)
    else:
        computed = executor.map(_call, [run] * len(inputs), inputs)
    for batch, outputs in zip(batches, computed, strict=True):
        for (key, _), output in zip(batch, outputs, strict=True):
            write_cached(cache, key, to_json(output))
            results[key] = output
    return results, len(missing)


def _call(run: Callable[[list[In]], list[Out]], batch: list[In]) -> list[Out]:
    return run(batch)


def map_batch(context: MapContext, records: list[LoadedRecord]) -> list[Mapped]:
    """Map a batch of records (in a worker process)."""
    writer = dumps.JsonLdWriter(context.jsonld_context)
    return [_map_one(context, writer, item) for item in records]


def _map_one(context: MapContext, writer: dumps.JsonLdWriter, item: LoadedRecord) -> Mapped:
    graph, provenance = mapping.document_statements(item, context.refs, context.units)
    lines = sorted({dumps.nquad(t, g.name) for g in (graph, provenance) for t in g.triples})
    jsonld = dumps.Canonical.of(writer.graph(graph.name, graph.triples))
    return Mapped(item.record.key, "".join(lines).encode(), jsonld)


def _mapped_json(mapped: Mapped) -> Any:
    jsonld = [mapped.jsonld.compact, mapped.jsonld.indented]
    return {"key": mapped.key, "nquads": mapped.nquads.decode(), "jsonld": jsonld}


def _mapped_of(raw: Any) -> Mapped:
    return Mapped(raw["key"], raw["nquads"].encode(), dumps.Canonical(*raw["jsonld"]))


def _types(mapped: list[Mapped]) -> dict[bytes, list[tuple[bytes, bytes]]]:
    """rdf:type statements of every document graph by subject: (graph key, N-Triples line)."""
    types: dict[bytes, list[tuple[bytes, bytes]]] = {}
    for m in mapped:
        for line in m.nquads.splitlines():
            if TYPE in line:
                subject = line.split(TYPE, 1)[0]
                types.setdefault(subject, []).append((m.key.encode(), _triple(line)))
    return types


def _stubs(m: Mapped, types: dict[bytes, list[tuple[bytes, bytes]]]) -> bytes:
    """The types other documents give to the IRIs this document's statements point to."""
    objects = set()
    for line in m.nquads.splitlines():
        parts = line.rsplit(b" <", 1)[0].split(b" ", 2)
        if len(parts) == 3 and parts[2].startswith(b"<"):
            objects.add(parts[2])
    own = m.key.encode()
    return b"".join(sorted({t for o in objects for key, t in types.get(o, []) if key != own}))


@dataclass(frozen=True)
class _Shared:
    """What a worker prepares once per context: the shared graphs, the shapes.

    ``triples`` are the shared graphs as one, in N-Triples. Each batch loads them into a store of
    its own, and each document is added to it for its validation and taken out again, so that
    the 5,000 statements of the reference data are loaded once per batch, not once per document
    (that load was half the cost of validating one, issue 12). Not once per worker: Oxigraph's
    memory store keeps what was removed, and one store for a thousand documents made every
    validation read ten times the statements it holds.
    """

    triples: bytes
    shapes: checks.Shapes
    graph_of: dict[Node, str]

    def store(self) -> ox.Store:
        store = ox.Store()
        store.bulk_load(input=self.triples, format=ox.RdfFormat.N_TRIPLES)
        return store


_prepared: dict[str, _Shared] = {}


def _shared(context: CheckContext) -> _Shared:
    if context.digest not in _prepared:
        _prepared.clear()
        shared = Dataset()
        shared.parse(data=context.shared, format="nquads")
        _, graph_of = checks.union_of(shared)
        lines = sorted({_triple(line) for line in context.shared.splitlines(True) if line.strip()})
        shapes = checks.compile_shapes(Graph().parse(data=context.shapes, format="turtle"))
        _prepared[context.digest] = _Shared(b"".join(lines), shapes, graph_of)
    return _prepared[context.digest]


def _triple(nquad: bytes) -> bytes:
    """An N-Quads line of a named graph as the N-Triples line of its statement."""
    return nquad.rstrip().rsplit(b" <", 1)[0] + b" .\n"


def check_batch(context: CheckContext, items: list[ToCheck]) -> list[list[checks.Finding]]:
    """Validate a batch of document graphs (in a worker process)."""
    shared = _shared(context)
    store = shared.store()
    return [_check_one(item, shared, store) for item in items]


def _check_one(item: ToCheck, shared: _Shared, store: ox.Store) -> list[checks.Finding]:
    """The shapes on the nodes a document describes (its graph and its provenance).

    The data is the shared graphs, this document's statements and its stubs, in one Oxigraph
    store that pyshacl-turbo reads natively. A node is reported under the graph that types it:
    a reference graph first (a reference event a document tells is the reference's), then this
    document, then the provenance graph.
    """
    quads = list(ox.parse(item.nquads, format=ox.RdfFormat.N_QUADS))
    stubs = ox.parse(item.stubs, format=ox.RdfFormat.N_TRIPLES)
    statements = {ox.Quad(q.subject, q.predicate, q.object) for q in [*quads, *stubs]}
    added = [q for q in statements if q not in store]
    graph_of = dict(shared.graph_of)
    focus: set[str] = set()
    for q in quads:
        node, name = q.subject, q.graph_name
        if not isinstance(node, ox.NamedNode):
            continue
        focus.add(node.value)
        if q.predicate.value == RDF_TYPE and isinstance(name, ox.NamedNode):
            if graph_of.get(URIRef(node.value)) in (None, "provenance"):
                graph_of[URIRef(node.value)] = name.value.rsplit("/", 1)[-1]
    nodes = [URIRef(node) for node in sorted(focus)]
    store.extend(added)
    try:
        return checks.validate_unit(store, shared.shapes, graph_of, nodes)
    finally:
        for q in added:
            store.remove(q)


def check_shared(context: CheckContext, cache: Path) -> list[checks.Finding]:
    """The shapes on the shared graphs themselves (reference entities, the measures)."""
    key = _key(context.digest, b"shared")
    hit = read_cached(cache / "check", key)
    if hit is not None:
        return [checks.Finding.of_row(row) for row in hit]
    shared = _shared(context)
    data = shared.store()
    nodes = sorted({URIRef(q.subject.value) for q in data if isinstance(q.subject, ox.NamedNode)})
    findings = checks.validate_unit(data, shared.shapes, shared.graph_of, nodes)
    write_cached(cache / "check", key, [f.row() for f in findings])
    return findings


def _path(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.json"


def read_cached(cache: Path, key: str) -> Any:
    try:
        return json.loads(_path(cache, key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_cached(cache: Path, key: str, payload: Any) -> None:
    """Written to a temporary file and renamed: a build killed halfway leaves no torn entry.

    ``json.dumps``, not ``json.dump``: only the former uses the C encoder (29 s against a few
    at 1,000 documents, issue 12)."""
    path = _path(cache, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(json.dumps(payload, ensure_ascii=False))
    os.replace(temporary, path)
