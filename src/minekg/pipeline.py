"""The build: data/ → checked records → RDF dataset → validated → dumps in out/.

Every record is loaded and mapped even when another one is broken, so one run reports every
problem; but a build with any problem writes nothing, and the last good ``out/`` stays as it was.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Dataset, URIRef
from rdflib.namespace import RDF

from minekg import checks, dumps, mapping, plots, reasoning, show, store
from minekg.errors import InputError, InputErrors, MinekgError, SetupError
from minekg.inputs import LoadedRecord, check_sources, load_records, load_reference
from minekg.project import ONTOLOGY, Project
from minekg.vocab import DEFAULT_BASE, MKG, IRIs
from minekg.yamlio import error_at

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
    dataset: Dataset
    records: list[LoadedRecord]
    verdict: checks.Verdict
    triples_per_graph: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    consistency: reasoning.Consistency | None = None
    reasoner_note: str = ""


class BuildFailed(InputErrors):
    """The inputs had problems: nothing was written, though every good record was built."""

    def __init__(self, errors: list[InputError], built: int, total: int, out: Path):
        records = f"; {built} of {total} records built and validated" if total else ""
        super().__init__(
            errors,
            f"build failed with {len(errors)} problem(s){records}; {out}/ was left as it was",
        )
        self.built, self.total = built, total


def build(
    paths: Paths, base: str = DEFAULT_BASE, sources: Path | None = None, reasoner: bool = True
) -> BuildResult:
    """Build and check the dataset; raise :class:`BuildFailed` listing every problem.

    The checks are those of ``minekg check``: SHACL shapes and consistency rules (violations fail
    the build, warnings are reported) and, unless ``reasoner`` is off or Java is missing, HermiT
    (an inconsistent graph fails the build).
    """
    for folder in (paths.data / "reference", paths.data / "records", paths.ontology):
        if not folder.is_dir():
            raise SetupError(f"{folder}: no such folder")
    if sources is not None and not sources.is_dir():
        raise SetupError(f"{sources}: no such folder of sources")
    try:
        check_base(base)
        reference = load_reference(paths.data / "reference")
    except InputErrors as exc:
        raise BuildFailed(exc.errors, 0, 0, paths.out) from None
    vocabulary = mapping.load_vocabulary(paths.ontology)
    records, errors = load_records(paths.data / "records", reference)
    known_measures = vocabulary.units
    for item in records:
        errors += _unknown_measures(item, known_measures)
        if sources is not None:
            errors += check_sources(item, sources)
    bad = {error.file for error in errors}
    good = [item for item in records if str(item.path) not in bad]
    dataset = mapping.build_dataset(reference, good, vocabulary, base)
    owl = _start_owl_check(dataset) if reasoner else None
    verdict = checks.validate(dataset, checks.shape_files(paths.ontology))
    consistency, reasoner_note = owl() if owl else (None, "not run (--no-reasoner)")
    errors += _violations(verdict, good)
    if consistency is not None and not consistency.consistent:
        errors.append(
            InputError(paths.ontology / "minekg.ttl", None, None, _inconsistency(consistency))
        )
    if errors:
        total = len(list((paths.data / "records").glob("*.yaml")))
        built = len({item.path for item in good} - {Path(error.file) for error in errors})
        raise BuildFailed(sorted(errors, key=str), built, total, paths.out)
    return BuildResult(
        dataset,
        good,
        verdict,
        _triples_per_graph(dataset, base),
        _entities(dataset),
        consistency,
        reasoner_note,
    )


OwlOutcome = tuple[reasoning.Consistency | None, str]


def _start_owl_check(dataset: Dataset) -> Callable[[], OwlOutcome]:
    """Start HermiT in a process of its own; return the function that waits for its verdict.

    The process is forked, so it inherits the dataset instead of receiving a copy, and its
    Python side (owlready2 reading the graph) and its JVM run on another core while pyshacl
    validates here: 3 s for both instead of 5 s one after the other (a thread shares the GIL
    and saves almost nothing).
    """
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    process = context.Process(target=_owl_check, args=(dataset, sending), daemon=True)
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
        return outcome

    return verdict


def _owl_check(dataset: Dataset, sending: Connection) -> None:
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


def _triples_per_graph(dataset: Dataset, base: str) -> dict[str, int]:
    prefix = IRIs(base).graph("")
    counts = Counter(str(g).removeprefix(prefix) for _, _, _, g in dataset.quads())
    return dict(sorted(counts.items()))


def _entities(dataset: Dataset) -> dict[str, int]:
    typed = {
        cls: {s for s, _, _, _ in dataset.quads((None, RDF.type, cls, None))}
        for cls in SUMMARY_CLASSES.values()
    }
    typed[MKG.Event] -= typed[MKG.EventAccount]  # an account is not another event
    return {name: len(typed[cls]) for name, cls in SUMMARY_CLASSES.items()}


def write(result: BuildResult, paths: Paths) -> list[Path]:
    """Write every output into ``paths.out`` atomically; return the files written."""
    context = json.loads((paths.ontology / "context.jsonld").read_text(encoding="utf-8"))[
        "@context"
    ]
    payloads = dumps.serialize_all(result.dataset, context)
    payloads["report.txt"] = _report(result).encode()
    payloads["report.ttl"] = dumps.canonical_turtle(result.verdict.report)
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

    # The graph page and plots read the dump just made, as `minekg show` reads it from out/.
    built = store.of_nquads(payloads["minekg.nq"])
    payloads["graph.html"] = show.page(show.display_graph(show.read_facts(built))).encode()
    payloads.update(plots.files(built))

    def fill(folder: Path) -> None:
        for name, payload in payloads.items():
            (folder / name).parent.mkdir(exist_ok=True)
            (folder / name).write_bytes(payload)

    dumps.write_atomically(paths.out, fill)
    return [paths.out / name for name in sorted(payloads)]


def _report(result: BuildResult) -> str:
    verdict = result.verdict
    lines = [f"SHACL validation: {verdict.summary()}", f"OWL consistency: {owl_summary(result)}"]
    lines += [
        f"{f.severity}\t{f.document}\t{f.focus}\t{f.path}\t{f.message}" for f in verdict.findings
    ]
    return "\n".join(lines) + "\n"


def _consistent(result: BuildResult) -> bool | None:
    return None if result.consistency is None else result.consistency.consistent


def owl_summary(result: BuildResult) -> str:
    """One line on the OWL check: its outcome, or why it did not run."""
    if result.consistency is None:
        return result.reasoner_note
    inferred = sum(len(types) for types in result.consistency.inferred_types.values())
    return (
        f"consistent under HermiT ({inferred} types inferred, not written into any graph)"
        if result.consistency.consistent
        else "INCONSISTENT"
    )
