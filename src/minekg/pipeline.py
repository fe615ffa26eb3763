"""The build: data/ → checked records → RDF dataset → validated → dumps in out/.

Every record is loaded and mapped even when another one is broken, so one run reports every
problem; but a build with any problem writes nothing, and the last good ``out/`` stays as it was.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from minekg import checks, dumps, folders, mapping, plots, reasoning, show, store, tasks
from minekg.errors import InputError, InputErrors, MinekgError, SetupError
from minekg.inputs import LoadedRecord, Reference, check_sources, load_records, load_reference
from minekg.project import ONTOLOGY, Project
from minekg.vocab import DEFAULT_BASE, MKG, IRIs
from minekg.yamlio import error_at

RDF_TYPE = ox.NamedNode(str(RDF.type))
SUMMARY_CLASSES = {
    "documents": MKG.SourceDocument,
    "states": MKG.State,
    "organizations": MKG.Organization,
    "persons": MKG.Person,
    "posts": MKG.Post,
    "places": MKG.Place,
    "instruments": MKG.Instrument,
    "customary IHL rules": MKG.CustomaryIHLRule,
    "events": MKG.Event,
    "event accounts (one per document telling it)": MKG.EventAccount,
    "claims": MKG.Claim,
    "figures": MKG.Figure,
    "citations": MKG.Citation,
    "evidence spans": MKG.Evidence,
}


@dataclass(frozen=True)
class Paths:
    """Where the build reads (a project's ``data/``, the ontology) and writes (``out/``)."""

    data: Path
    ontology: Path = ONTOLOGY
    out: Path = Path("out")

    @classmethod
    def of(cls, project: Project, ontology: Path = ONTOLOGY) -> Paths:
        return cls(project.data, ontology, project.out)


@dataclass
class BuildResult:
    """A checked build, as the statements of its dump (no rdflib graph of the whole corpus).

    ``dataset`` parses them into rdflib on first use, for the API and the tests that want one.
    """

    nquads: bytes
    store: ox.Store  # the same statements, in memory
    jsonld_graphs: list[dumps.Canonical]
    base: str
    records: list[LoadedRecord]
    verdict: checks.Verdict
    triples_per_graph: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    consistency: reasoning.Consistency | None = None
    reasoner_note: str = ""
    computed: tasks.Counts = field(default_factory=tasks.Counts)  # the rest came from the cache
    inputs: str = ""  # the digest of everything the build read (``inputs_digest``)

    @functools.cached_property
    def dataset(self) -> Dataset:
        dataset = mapping.new_dataset(self.base)
        dataset.parse(data=self.nquads, format="nquads")
        return dataset


class BuildFailed(InputErrors):
    """The inputs had problems: nothing was written, though every good record was built."""

    def __init__(self, errors: list[InputError], built: int, total: int, out: Path):
        records = f"; {built} of {total} records built and validated" if total else ""
        left = f"{out}/ was left as it was" if out.is_dir() else f"no {out}/ was written"
        super().__init__(errors, f"build failed with {len(errors)} problem(s){records}; {left}")
        self.built, self.total = built, total


def build(
    paths: Paths,
    base: str = DEFAULT_BASE,
    sources: Path | None = None,
    reasoner: bool = True,
    executor: Executor | None = None,
) -> BuildResult:
    """Build and check the dataset; raise :class:`BuildFailed` listing every problem.

    The checks are those of ``minekg check``: SHACL shapes and consistency rules (violations fail
    the build, warnings are reported) and, unless ``reasoner`` is off or Java is missing, HermiT
    (an inconsistent graph fails the build). Each document is mapped and validated on its own,
    on ``executor`` when given, its result cached beside ``out/`` (``tasks``); the rules, which
    compare documents, run on the whole graph in Oxigraph.
    """
    for folder in (paths.data / "reference", paths.data / "records", paths.ontology):
        if not folder.is_dir():
            raise SetupError(f"{folder}: no such folder")
    if sources is not None and not sources.is_dir():
        raise SetupError(f"{sources}: no such folder of sources")
    folders.clean_beside(paths.out)  # what a killed build left, even if this one fails
    try:
        check_base(base)
        reference = load_reference(paths.data / "reference")
    except InputErrors as exc:
        raise BuildFailed(exc.errors, 0, 0, paths.out) from None
    shapes = checks.shape_files(paths.ontology)
    vocabulary = mapping.load_vocabulary(paths.ontology)
    cache = cache_dir(paths)
    records, errors = load_records(paths.data / "records", reference, tasks.yaml_reader(cache))
    known_measures = vocabulary.units
    for item in records:
        errors += _unknown_measures(item, known_measures)
        if sources is not None:
            errors += check_sources(item, sources)
    bad = {error.file for error in errors}
    good = [item for item in records if str(item.path) not in bad]
    map_context, check_context = _contexts(paths, reference, good, vocabulary, base)
    mapped, remapped = tasks.map_all(map_context, good, executor, cache)
    shared_lines = check_context.shared.splitlines(True)
    nquads = b"".join(
        sorted({*shared_lines, *(line for m in mapped for line in m.nquads.splitlines(True))})
    )
    built = store.of_nquads(nquads)
    owl = _start_owl_check(check_context, base, cache) if reasoner else None
    union = _union(built)
    rules = [path for path in shapes if path.name == checks.RULES_FILE]
    findings, rechecked = tasks.check_all(check_context, mapped, executor, cache)
    findings += tasks.check_shared(check_context, cache)
    findings = _drafts_downgraded(findings, shapes, built)
    document_of = _document_of(built)
    for path in rules:
        findings += checks.run_rules(union, path.read_text(encoding="utf-8"), document_of)
    verdict = checks.verdict_of(findings)
    consistency, reasoner_note = owl() if owl else (None, "not run (--no-reasoner)")
    errors += _violations(verdict, good)
    if consistency is not None and not consistency.consistent:
        errors.append(
            InputError(paths.ontology / "minekg.ttl", None, None, _inconsistency(consistency))
        )
    unsatisfiable = set(consistency.unsatisfiable_classes) if consistency else set()
    contradictions = reasoning.contradictions(union, _axioms(built, base), unsatisfiable)
    errors += _contradicted(contradictions, document_of, good, paths)
    if errors:
        total = len(list((paths.data / "records").glob("*.yaml")))
        built_ok = len({item.path for item in good} - {Path(error.file) for error in errors})
        raise BuildFailed(sorted(errors, key=str), built_ok, total, paths.out)
    return BuildResult(
        nquads,
        built,
        _shared_jsonld(map_context, nquads) + [m.jsonld for m in mapped],
        base,
        good,
        verdict,
        _triples_per_graph(built, base),
        _entities(built),
        consistency,
        reasoner_note,
        tasks.Counts(remapped, rechecked),
        inputs_digest(paths, base, sources, reasoner),
    )


@dataclass(frozen=True)
class Current:
    """``out/`` as the last build wrote it from the very same inputs: nothing to redo."""

    out: Path
    report: list[str]  # the verdict lines of its report.txt


STAMP = "last-build.json"


def inputs_digest(paths: Paths, base: str, sources: Path | None, reasoner: bool) -> str:
    """The digest of what a build reads: data/, the ontology, the sources, its options and
    minekg's code. Reading and hashing the files costs a fraction of parsing them."""
    folders = [paths.data, paths.ontology, *([sources] if sources else [])]
    files = [
        path
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
    options = json.dumps([base, reasoner, [str(path) for path in files]]).encode()
    return tasks.digest_of([options, *(path.read_bytes() for path in files)])


def _hidden(path: Path) -> bool:
    return any(part.startswith(".") for part in path.parts)


def current(paths: Paths, base: str, sources: Path | None, reasoner: bool) -> Current | None:
    """The last build's ``out/`` when nothing it was made from has changed, and nobody has
    changed ``out/`` since (its files' sizes and times are those the build wrote)."""
    stamp = _last_stamp(paths)
    if stamp is None or stamp.get("inputs") != inputs_digest(paths, base, sources, reasoner):
        return None
    report = (paths.out / "report.txt").read_text(encoding="utf-8").splitlines()
    return Current(paths.out, report[:2])


def _last_stamp(paths: Paths) -> dict[str, Any] | None:
    """The last build's stamp, if ``out/`` is as that build wrote it (sizes and times)."""
    try:
        stamp = json.loads((cache_dir(paths) / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("outputs") != _outputs(paths.out):
        return None
    return stamp


def _outputs(out: Path) -> dict[str, list[int]]:
    """Size and modification time of each file in ``out/`` (the store's own files aside:
    opening it read-only may touch them)."""
    if not out.is_dir():
        return {}
    return {
        str(path.relative_to(out)): [path.stat().st_size, path.stat().st_mtime_ns]
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.relative_to(out).parts[0] != store.STORE
    }


def _axioms(built: ox.Store, base: str) -> reasoning.Axioms:
    """The axioms of the ontology graph the build wrote (minekg's ontology and measures)."""
    ontology = ox.NamedNode(str(IRIs(base).graph("ontology")))
    text = built.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ontology)
    return reasoning.Axioms.of(Graph().parse(data=text, format="nt"))


def _contradicted(
    problems: list[tuple[str, str]],
    document_of: Callable[[str], str],
    records: list[LoadedRecord],
    paths: Paths,
) -> list[InputError]:
    """Each statement that contradicts the ontology, against the record that makes it."""
    path_of = {item.record.key: item.path for item in records}
    return [
        InputError(
            path_of.get(document_of(node), paths.ontology / "minekg.ttl"),
            None,
            None,
            f"contradicts the ontology (OWL 2): {node}: {why}",
        )
        for node, why in problems
    ]


def cache_dir(paths: Paths) -> Path:
    """Beside ``out/`` (``.minekg-cache/``), so that replacing ``out/`` keeps it."""
    return paths.out.parent / ".minekg-cache"


def _contexts(
    paths: Paths,
    reference: Reference,
    records: list[LoadedRecord],
    vocabulary: mapping.Vocabulary,
    base: str,
) -> tuple[tasks.MapContext, tasks.CheckContext]:
    """What every document task reads, each with the digest its cached results are keyed by."""
    refs = mapping.ReferenceIRIs(reference, records, IRIs(base))
    shared = mapping.shared_graphs(reference, vocabulary, refs)
    lines = sorted(set(shared.serialize(format="nquads", encoding="utf-8").splitlines(True)))
    shared_nquads = b"".join(lines)
    shapes = (paths.ontology / tasks.SHAPES_FILE).read_text(encoding="utf-8")
    jsonld_context = _jsonld_context(paths)
    symbols = json.dumps(sorted((k, str(v)) for k, v in refs.by_symbol.items()))
    map_digest = tasks.digest_of(
        [shared_nquads, symbols.encode(), base.encode(), json.dumps(jsonld_context).encode()]
    )
    check_digest = tasks.digest_of([shared_nquads, shapes.encode()])
    return (
        tasks.MapContext(refs, vocabulary.units, jsonld_context, map_digest),
        tasks.CheckContext(shared_nquads, shapes, check_digest),
    )


def _jsonld_context(paths: Paths) -> dict[str, Any]:
    text = (paths.ontology / "context.jsonld").read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)["@context"]
    return context


def _shared_jsonld(context: tasks.MapContext, nquads: bytes) -> list[dumps.Canonical]:
    """JSON-LD of the ontology, reference and provenance graphs (the provenance of every
    document included), the graphs no single document task writes whole."""
    iris = context.refs.iris
    names = [iris.graph(name) for name in ("ontology", "reference", "provenance")]
    marks = tuple(f"<{name}> .\n".encode() for name in names)
    dataset = Dataset()
    dataset.parse(
        data=b"".join(x for x in nquads.splitlines(True) if x.endswith(marks)), format="nquads"
    )
    writer = dumps.JsonLdWriter(context.jsonld_context)
    graphs = [writer.graph(name, dataset.graph(name)) for name in names]  # type: ignore[arg-type]
    return [dumps.Canonical.of(graph) for graph in graphs]


def _union(built: ox.Store) -> ox.Store:
    """Every statement once, in the default graph: what the rules read (see checks.run_rules)."""
    union = ox.Store()
    union.bulk_extend(ox.Quad(q.subject, q.predicate, q.object) for q in built)
    return union


def _document_of(built: ox.Store) -> Callable[[str], str]:
    """The graph a node is typed in, by the last segment of its name (as ``checks.union_of``)."""
    typed: dict[str, str] = {}
    for quad in built.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            name = quad.graph_name.value.rsplit("/", 1)[-1]
            subject = str(quad.subject)[1:-1]
            if subject not in typed or name < typed[subject]:
                typed[subject] = name
    return lambda iri: typed.get(iri, "?")


OwlOutcome = tuple[reasoning.Consistency | None, str]


def _start_owl_check(
    context: tasks.CheckContext, base: str, cache: Path
) -> Callable[[], OwlOutcome]:
    """HermiT on the shared graphs (ontology, measures, reference data), from the cache when
    they have not changed, else in a process of its own; returns the function that waits for
    its verdict. The documents' statements are checked against the ontology by queries on the
    store (``reasoning.contradictions``): HermiT on the whole graph took 74 s at 100 documents.

    The process is forked, so its Python side (owlready2 reading the graph) and its JVM run on
    another core while the rules run here (a thread shares the GIL and saves almost nothing).
    """
    key = tasks.digest_of([context.shared, b"HermiT"])
    hit = tasks.read_cached(cache / "owl", key)
    if hit is not None:
        return lambda: (reasoning.Consistency(**hit), "")
    multi = multiprocessing.get_context("fork")
    receiving, sending = multi.Pipe(duplex=False)
    process = multi.Process(target=_owl_check, args=(context.shared, base, sending), daemon=True)
    process.start()
    sending.close()

    def verdict() -> OwlOutcome:
        try:
            outcome: OwlOutcome | str = receiving.recv()
        except EOFError:
            outcome = f"the process ended with code {process.exitcode}"
        finally:
            process.join()
        if isinstance(outcome, str):
            raise MinekgError(f"OWL consistency check (HermiT) failed: {outcome}")
        if outcome[0] is not None:
            tasks.write_cached(cache / "owl", key, dataclasses.asdict(outcome[0]))
        return outcome

    return verdict


def _owl_check(nquads: bytes, base: str, sending: Connection) -> None:
    dataset = mapping.new_dataset(base)
    dataset.parse(data=nquads, format="nquads")
    try:
        sending.send((reasoning.check_consistency(dataset), ""))
    except reasoning.ReasonerUnavailable as exc:
        sending.send((None, f"not run: {exc}"))
    except Exception as exc:  # reported by the parent, which owns the user's terminal
        sending.send(f"{type(exc).__name__}: {exc}")


def _inconsistency(consistency: reasoning.Consistency) -> str:
    unsatisfiable = ", ".join(consistency.unsatisfiable_classes)
    return "the ontology and the data are inconsistent under OWL 2 (HermiT): " + (
        f"unsatisfiable classes {unsatisfiable}" if unsatisfiable else consistency.explanation
    )


def check_base(base: str) -> None:
    """Every IRI minekg mints starts with the base, so it must be an absolute http(s) IRI."""
    parsed = urlsplit(base)
    problems = []
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        problems.append("must be an absolute http:// or https:// IRI")
    if any(ch in base for ch in ' <>"{}|\\^`') or not base.isprintable():
        problems.append('must not contain spaces or any of <>"{}|\\^`')
    if not base.endswith(("/", "#")):
        problems.append("must end with / or #")
    if problems:
        raise InputErrors([InputError("--base", None, None, f"{base!r} " + "; ".join(problems))])


def _drafts_downgraded(
    findings: list[checks.Finding], shapes: list[Path], built: ox.Store
) -> list[checks.Finding]:
    """What only a reviewer can supply is a warning on what only drafts describe (checks)."""
    tagged: set[str] = set()
    for path in shapes:
        if path.name != checks.RULES_FILE:
            tagged |= checks.reviewer_only(Graph().parse(path, format="turtle"))
    status, typed = ox.NamedNode(str(MKG.reviewStatus)), ox.NamedNode(str(RDF.type))
    drafted = checks.draft_only_nodes(
        (
            (q.subject.value, q.object.value)
            for q in built.quads_for_pattern(None, status, None)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
        ),
        (
            (q.subject.value, q.graph_name.value)
            for q in built.quads_for_pattern(None, typed, None)
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.graph_name, ox.NamedNode)
        ),
    )
    return checks.downgrade_drafts(findings, tagged, drafted)


def _violations(verdict: checks.Verdict, records: list[LoadedRecord]) -> list[InputError]:
    """SHACL violations block the build, reported against the record they come from."""
    path_of = {item.record.key: item.path for item in records}
    return [
        InputError(
            path_of.get(f.document, f"graph {f.document}"),
            None,
            f.path or None,
            f"{f.message} ({f.focus})",
        )
        for f in verdict.findings
        if f.severity == "Violation"
    ]


def _unknown_measures(item: LoadedRecord, known: dict[str, URIRef]) -> list[InputError]:
    return [
        error_at(
            item.path,
            item.node,
            ("figures", index, "measure"),
            f"unknown measure {figure.measure!r} (not in ontology/measures.ttl)",
        )
        for index, figure in enumerate(item.record.figures)
        if figure.measure not in known
    ]


def _triples_per_graph(built: ox.Store, base: str) -> dict[str, int]:
    prefix = IRIs(base).graph("")
    counts = Counter(
        q.graph_name.value.removeprefix(prefix)
        for q in built
        if isinstance(q.graph_name, ox.NamedNode)
    )
    return dict(sorted(counts.items()))


def _entities(built: ox.Store) -> dict[str, int]:
    typed = {
        cls: {q.subject for q in built.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(str(cls)))}
        for cls in SUMMARY_CLASSES.values()
    }
    typed[MKG.Event] -= typed[MKG.EventAccount]  # an account is not another event
    return {name: len(typed[cls]) for name, cls in SUMMARY_CLASSES.items()}


def write(result: BuildResult, paths: Paths) -> list[Path]:
    """Write every output into ``paths.out`` atomically; return the files written."""
    context = _jsonld_context(paths)
    payloads = dumps.serialize_all(result.nquads, result.jsonld_graphs, context)
    payloads["report.txt"] = _report(result).encode()
    payloads["report.ttl"] = checks.report_turtle(result.verdict)
    payloads["summary.json"] = (
        json.dumps(
            {
                "named_graphs": result.triples_per_graph,
                "entities": result.entities,
                "conforms": result.verdict.conforms,
                "findings": result.verdict.counts,
                "owl_consistent": _consistent(result),
            },
            indent=1,
            sort_keys=True,
        )
        + "\n"
    ).encode()

    # The graph page and plots read the statements of the dump, as `minekg show` reads out/.
    payloads["graph.html"] = show.page(show.display_graph(show.read_facts(result.store))).encode()
    payloads.update(plots.files(result.store))
    last = paths.out if _last_stamp(paths) is not None else None

    def fill(folder: Path) -> None:
        for name, payload in payloads.items():
            (folder / name).parent.mkdir(exist_ok=True)
            (folder / name).write_bytes(payload)
        store.write_store(folder / store.STORE, payloads["minekg.nq"], last)

    folders.write_atomically(paths.out, fill)
    stamp = json.dumps({"inputs": result.inputs, "outputs": _outputs(paths.out)})
    cache_dir(paths).mkdir(exist_ok=True)
    staged = cache_dir(paths) / f".{STAMP}.{os.getpid()}"
    staged.write_text(stamp, encoding="utf-8")
    os.replace(staged, cache_dir(paths) / STAMP)
    return [paths.out / name for name in sorted([*payloads, store.STORE])]


def _report(result: BuildResult) -> str:
    verdict = result.verdict
    lines = [f"SHACL validation: {verdict.summary()}", f"OWL consistency: {owl_summary(result)}"]
    lines.append(
        f"Checked: the shapes on each of {len(result.records)} document graphs (with the reference "
        "and ontology graphs and the types other documents give the nodes it points to) and on "
        "the shared graphs; the consistency rules on the whole graph (SPARQL, Oxigraph); "
        + ("HermiT on the ontology and the reference data" if result.consistency else "no HermiT")
        + "; the documents' statements against the ontology's axioms (queries on the store)"
    )
    lines += [
        f"{f.severity}\t{f.document}\t{f.focus}\t{f.path}\t{f.message}" for f in verdict.findings
    ]
    return "\n".join(lines) + "\n"


def _consistent(result: BuildResult) -> bool | None:
    return None if result.consistency is None else result.consistency.consistent


def owl_summary(result: BuildResult) -> str:
    """One line on the OWL checks: HermiT's outcome (or why it did not run), and the documents'."""
    documents = (
        f"the {len(result.records)} document graphs contradict none of the ontology's axioms"
        " (classes, disjointness, datatypes, ranges, functional properties; queries on the store)"
    )
    if result.consistency is None:
        return f"{result.reasoner_note}; {documents}"
    inferred = sum(len(types) for types in result.consistency.inferred_types.values())
    if not result.consistency.consistent:
        return "INCONSISTENT"
    return (
        f"consistent under HermiT on the ontology and the reference data ({inferred} types "
        f"inferred, not written into any graph); {documents}"
    )
