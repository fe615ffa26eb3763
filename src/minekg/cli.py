"""The ``minekg`` command: wires the stages together and speaks to the user; no logic of its own.

Problems a user can fix come out as one line each (``FILE:LINE: FIELD: PROBLEM``) and a non-zero
exit code, never as a traceback.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import NoReturn

import click
import pyoxigraph as ox
from rdflib import Dataset
from rdflib.namespace import SKOS
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from minekg import analytics, checks, dumps, ingest, mapping, reading, reasoning, show, store
from minekg import pipeline as building
from minekg import queries as minekg_queries
from minekg.errors import InputErrors, MinekgError
from minekg.inputs import Reference, load_reference
from minekg.vocab import DEFAULT_BASE, IRIs

console = Console(highlight=False, soft_wrap=True)


ontology_option = click.option(
    "--ontology",
    "ontology_dir",
    type=click.Path(path_type=Path),
    default=Path("ontology"),
    show_default=True,
    help="Folder with the ontology, measures and shapes.",
)


@click.group()
@click.version_option(package_name="minekg")
def main() -> None:
    """minekg: a knowledge graph of landmine and mine-action documents."""


@main.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Folder with reference/ and records/.",
)
@ontology_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Where the outputs go (replaced only by a good build).",
)
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of resources.")
@click.option(
    "--sources",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder of source texts: check every quote against its source.",
)
@click.option("--no-reasoner", is_flag=True, help="Skip the OWL consistency check (HermiT).")
def build(
    data_dir: Path,
    ontology_dir: Path,
    out_dir: Path,
    base: str,
    sources: Path | None,
    no_reasoner: bool,
) -> None:
    """Build the graph from data/, check it as `minekg check` does, write the outputs to out/."""
    started = time.perf_counter()
    paths = building.Paths(data_dir, ontology_dir, out_dir)
    for folder in (data_dir / "reference", data_dir / "records", ontology_dir):
        if not folder.is_dir():
            _fail(f"{folder}: no such folder (run from the project root or pass --data/--ontology)")
    if sources is not None and not sources.is_dir():
        _fail(f"{sources}: no such folder of sources")
    try:
        result = building.build(paths, base=base, sources=sources, reasoner=not no_reasoner)
        written = building.write(result, paths)
    except building.BuildFailed as exc:
        _report_errors(exc)
        _fail(
            f"build failed with {len(exc.errors)} problem(s); {exc.built} of {exc.total} records "
            f"built and validated; {out_dir}/ was left as it was"
        )
    except InputErrors as exc:
        _report_errors(exc)
        _fail(f"build failed with {len(exc.errors)} problem(s); {out_dir}/ was left as it was")
    except MinekgError as exc:
        _fail(str(exc))
    _print_summary(result, written, time.perf_counter() - started, sources)


def _print_summary(
    result: building.BuildResult, written: list[Path], seconds: float, sources: Path | None
) -> None:
    graphs = Table(title="Named graphs", show_edge=False)
    graphs.add_column("graph")
    graphs.add_column("triples", justify="right")
    for name, count in result.triples_per_graph.items():
        graphs.add_row(name, f"{count:,}")
    graphs.add_row("[bold]all[/bold]", f"[bold]{sum(result.triples_per_graph.values()):,}[/bold]")
    entities = Table(title="Entities", show_edge=False)
    entities.add_column("class")
    entities.add_column("count", justify="right")
    for name, count in result.entities.items():
        entities.add_row(name, str(count))
    console.print(
        f"Built {len(result.records)} documents into "
        f"{len(result.triples_per_graph)} named graphs in {seconds:.1f} s"
        + (f"; every quote checked against {sources}" if sources else "")
    )
    console.print(graphs)
    console.print(entities)
    _print_findings(result.verdict, verbose=False)
    console.print(f"OWL consistency: {building.owl_summary(result)}")
    console.print("Outputs:")
    for path in written:
        console.print(f"  {path}")


RDF_FORMATS = {
    ".trig": "trig",
    ".nq": "nquads",
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
}


@main.command()
@click.argument(
    "graph_file", required=False, type=click.Path(path_type=Path), default=Path("out/minekg.trig")
)
@ontology_option
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the SHACL report (Turtle). [default: beside GRAPH_FILE]",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on violations.")
@click.option("--no-reasoner", is_flag=True, help="Skip the OWL consistency check (HermiT).")
@click.option(
    "--infer",
    type=click.Choice(sorted(reasoning.PROFILES)),
    default=None,
    help="Also write the triples RDFS or OWL-RL entails, in their own named graph.",
)
@click.option("--verbose", is_flag=True, help="List every finding, informational ones too.")
def check(
    graph_file: Path,
    ontology_dir: Path,
    report_path: Path | None,
    strict: bool,
    no_reasoner: bool,
    infer: str | None,
    verbose: bool,
) -> None:
    """Check a built graph: SHACL shapes, consistency rules on figures, OWL consistency.

    GRAPH_FILE is out/minekg.trig by default, or any TriG, N-Quads, Turtle or JSON-LD file.
    Exit code 0: conforms (warnings allowed); 1: violations (or warnings with --strict);
    2: the check itself could not run.
    """
    started = time.perf_counter()
    try:
        dataset = _load_graph(graph_file, ontology_dir)
        verdict = checks.validate(dataset, checks.shape_files(ontology_dir))
        consistency = None if no_reasoner else reasoning.check_consistency(dataset)
        report_path = report_path or graph_file.with_name("report.ttl")
        report_path.write_bytes(dumps.canonical_turtle(verdict.report))
        if infer:
            inferred_path = graph_file.with_name(f"inferred-{infer}.trig")
            _write_inferred(dataset, infer, inferred_path)
    except MinekgError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    _print_findings(verdict, verbose)
    if consistency is not None:
        _print_consistency(consistency)
    console.print(f"SHACL report: {report_path}")
    if infer:
        console.print(f"Inferred triples ({infer}): {inferred_path}, graph <.../graph/inferred>")
    console.print(f"Checked {graph_file} in {time.perf_counter() - started:.1f} s")
    failed = bool(verdict.of_severity("Violation")) or (
        consistency is not None and not consistency.consistent
    )
    sys.exit(1 if failed or (strict and verdict.of_severity("Warning")) else 0)


def _load_graph(path: Path, ontology_dir: Path):
    """Read a graph from elsewhere; add minekg's ontology if it does not carry it."""
    if not path.is_file():
        hint = " (run `minekg build` first)" if path == Path("out/minekg.trig") else ""
        raise MinekgError(f"{path}: no such file{hint}")
    fmt = RDF_FORMATS.get(path.suffix)
    if fmt is None:
        raise MinekgError(f"{path}: unknown RDF format (use {', '.join(RDF_FORMATS)})")
    dataset = Dataset()
    try:
        dataset.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise MinekgError(f"{path}: not valid {fmt}: {exc}") from None
    if not any(dataset.quads((None, SKOS.inScheme, None, None))):
        vocabulary = mapping.load_vocabulary(ontology_dir)
        ontology = dataset.graph(IRIs().graph("ontology"))
        for triple in vocabulary.graph:
            ontology.add(triple)
    return dataset


def _write_inferred(dataset, profile: str, path: Path) -> None:
    name = IRIs().graph("inferred")
    inferred = reasoning.infer(dataset, profile, name).graph(name)
    only = Dataset()
    graph = only.graph(name)
    for triple in inferred:
        graph.add(triple)
    path.write_bytes(only.serialize(format="trig", encoding="utf-8"))


def _print_findings(verdict: checks.Verdict, verbose: bool) -> None:
    """Findings grouped by severity, then shape, then focus node, each with its document."""
    for severity in checks.SEVERITY_ORDER:
        findings = verdict.of_severity(severity)
        if not findings or (severity == "Info" and not verbose):
            continue
        console.print(f"[bold]{severity}[/bold] ({len(findings)})")
        by_shape: dict[str, list[checks.Finding]] = {}
        for finding in findings:
            by_shape.setdefault(finding.shape, []).append(finding)
        for shape, group in sorted(by_shape.items()):
            console.print(f"  {_short(shape)} ({len(group)})")
            for f in sorted(group, key=lambda f: f.focus):
                console.print(f"    {_short(f.focus)}  [dim]in {f.document}[/dim]")
                console.print(f"      {f.message}")
    infos = verdict.of_severity("Info")
    if infos and not verbose:
        console.print(
            f"{len(infos)} informational finding(s) (recommended values missing); "
            "--verbose lists them"
        )
    console.print(f"SHACL: {verdict.summary()}")


def _print_consistency(result: reasoning.Consistency) -> None:
    if not result.consistent:
        detail = result.explanation or "unsatisfiable: " + ", ".join(result.unsatisfiable_classes)
        console.print(f"OWL (HermiT): INCONSISTENT: {detail}")
        return
    console.print(
        f"OWL (HermiT): consistent ({result.seconds:.1f} s); "
        f"{len(result.inferred_types)} node(s) with inferred types"
    )
    for node, types in sorted(result.inferred_types.items()):
        console.print(f"  {_short(node)} is also a {', '.join(_short(t) for t in types)}")


@main.command(name="show")
@click.argument("graph_path", required=False, type=click.Path(path_type=Path), default=Path("out"))
@click.option(
    "--kind",
    type=click.Choice(show.KINDS),
    default="all",
    show_default=True,
    help="actors: who writes, receives, claims, is named; citations: what documents cite; "
    "events: events and their actors.",
)
@click.option("--focus", default=None, help="Only the neighbourhood of this IRI (or state/aze).")
@click.option(
    "--depth", type=click.IntRange(1, 5), default=1, show_default=True, help="Of --focus."
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=show.DEFAULT_LIMIT,
    show_default=True,
    help="Most nodes drawn, best connected first; the page says what was left out. 0: all.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the page. [default: graph.html beside the graph]",
)
def show_command(
    graph_path: Path, kind: str, focus: str | None, depth: int, limit: int, output: Path | None
) -> None:
    """Write an interactive HTML page of the built graph (works offline: nothing loaded remotely).

    GRAPH_PATH is a built out/ folder (default) or an RDF file. Exit code 0: written; 1: no graph,
    or --focus names no resource.
    """
    output = output or (graph_path if graph_path.is_dir() else graph_path.parent) / "graph.html"
    try:
        facts = show.read_facts(store.load(graph_path))
        graph = show.display_graph(facts, kind, focus, depth, limit)
        output.write_text(show.page(graph), encoding="utf-8")
    except MinekgError as exc:
        _fail(str(exc))
    left_out = sum(graph.left_out.values())
    console.print(
        f"Wrote {output}: {len(graph.nodes)} nodes, {len(graph.edges)} links"
        + (f"; {left_out} nodes left out by --limit {limit}" if left_out else "")
    )


def _short(iri: str) -> str:
    for prefix, namespace in (
        ("mkg:", "https://w3id.org/minekg/ontology#"),
        ("", "https://w3id.org/minekg/"),
    ):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


source_files = click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
reference_option = click.option(
    "--reference",
    "reference_dir",
    type=click.Path(path_type=Path),
    default=Path("data/reference"),
    show_default=True,
    help="Reference data the extractor names states, organizations, rules… from.",
)
max_mb_option = click.option(
    "--max-mb",
    type=click.FloatRange(min=0),
    default=reading.MAX_BYTES / 2**20,
    show_default=True,
    help="Refuse files larger than this many megabytes, before reading them.",
)


@main.command()
@source_files
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gold", "record", "json"]),
    default="gold",
    show_default=True,
    help="gold: the answer-key structure (YAML); record: a draft record (YAML); json: JSON lines.",
)
@reference_option
@max_mb_option
def extract(
    files: tuple[Path, ...], fmt: ingest.Format, reference_dir: Path, max_mb: float
) -> None:
    """Print what minekg finds in each FILE (.txt, .md, .html, .htm, .pdf).

    YAML formats print one document per file ("--- # FILE"); json prints one object per line.

    Exit code 0: every file extracted; 1: a file failed (its error is on stderr, the other files
    are printed); 2: the reference data could not be loaded.
    """
    reference = _reference(reference_dir)
    failed = False
    for path in files:
        outcome = ingest.extract_file(path, reference, fmt, int(max_mb * 2**20))
        if outcome.error:
            click.echo(f"error: {outcome.error}", err=True)
            failed = True
        elif fmt == "json":
            click.echo(outcome.output)
        else:
            click.echo(f"--- # {path}\n{outcome.output}", nl=False)
    sys.exit(1 if failed else 0)


@main.command("ingest")
@source_files
@click.option(
    "--records",
    "records_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("data/records"),
    show_default=True,
    help="Where draft records are written.",
)
@reference_option
@ontology_option
@click.option("--force", is_flag=True, help="Replace earlier drafts (never a reviewed record).")
@max_mb_option
def ingest_files(
    files: tuple[Path, ...],
    records_dir: Path,
    reference_dir: Path,
    ontology_dir: Path,
    force: bool,
    max_mb: float,
) -> None:
    """Extract each FILE into a draft record, data/records/<key>.yaml, for a person to review.

    The key is the document's own UN symbol (A/79/690 gives A-79-690), else the file name.
    A reviewed record is never overwritten; an earlier draft only with --force. A draft is
    checked as `minekg build` checks records (measures, SHACL shapes) and not written if the
    build would reject it.

    Exit code 0: every file read (skipped ones included); 1: a file failed or its draft would
    not build; 2: the reference data or ontology could not be loaded.
    """
    try:
        gate = ingest.Gate.load(_reference(reference_dir), ontology_dir)
    except MinekgError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    failed = False
    for path in files:
        outcome = ingest.ingest_file(path, gate, records_dir, force, int(max_mb * 2**20))
        if outcome.error:
            click.echo(f"error: {outcome.error}", err=True)
            failed = True
        else:
            click.echo(ingest.summary(outcome))
    sys.exit(1 if failed else 0)


@main.command("eval")
@click.option(
    "--gold",
    "gold_dirs",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of answer keys (*.yaml, the structure of shared/gold/SCHEMA.md); repeat it, "
    "with one --docs each, to score several sets side by side.",
)
@click.option(
    "--docs",
    "docs_dirs",
    required=True,
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of the documents, each with the same stem as its answer key (one per --gold).",
)
@reference_option
@click.option(
    "--min-f1", type=click.FloatRange(0, 1), default=None, help="Exit 1 if overall F1 is lower."
)
def evaluate_command(
    gold_dirs: tuple[Path, ...],
    docs_dirs: tuple[Path, ...],
    reference_dir: Path,
    min_f1: float | None,
) -> None:
    """Score extraction against answer keys: precision, recall and F1 per category and overall.

    Several --gold/--docs pairs are scored side by side, one column group per pair. Exit code
    0: scored (and every overall F1 >= --min-f1); 1: an answer key or document could not be
    read (the others are still scored) or an F1 is below --min-f1; 2: no answer keys, no
    reference data, or not one --docs per --gold.
    """
    from minekg import evaluate
    from minekg.extract import extract as run_extraction

    if len(gold_dirs) != len(docs_dirs):
        click.echo("error: give one --docs folder for each --gold folder", err=True)
        sys.exit(2)
    reference = None
    sets = []
    failed = False
    for gold_dir, docs_dir in zip(gold_dirs, docs_dirs, strict=True):
        keys = sorted(gold_dir.glob("*.yaml")) if gold_dir.is_dir() else []
        if not keys:
            click.echo(f"error: {gold_dir}: no answer keys (*.yaml)", err=True)
            sys.exit(2)
        reference = reference or _reference(reference_dir)
        scores = []
        for key_path in keys:
            documents = sorted(
                p for p in docs_dir.glob(f"{key_path.stem}.*") if p.suffix in reading.MEDIA_TYPES
            )
            if not documents:
                click.echo(
                    f"error: {key_path}: no document {key_path.stem}.* in {docs_dir}", err=True
                )
                failed = True
                continue
            try:
                gold = evaluate.load_answer_key(key_path)
                found = run_extraction(reading.read(documents[0]), reference).to_gold()
            except MinekgError as exc:
                click.echo(f"error: {exc}", err=True)
                failed = True
                continue
            scores.append(evaluate.score_document(gold, found))
        totals = evaluate.add_up(scores)
        sets.append((gold_dir, len(scores), totals, evaluate.overall(totals)))
    title = ", ".join(f"{gold_dir} ({n})" for gold_dir, n, _, _ in sets)
    table = Table(title=f"Extraction scored against answer key(s): {title}", show_edge=False)
    table.add_column("category")
    columns = ("P", "R", "F1") if len(sets) > 1 else ("gold", "found", "matched", "P", "R", "F1")
    for index, _ in enumerate(sets):
        for column in columns:
            table.add_column(
                column if len(sets) == 1 else f"{column} [{index + 1}]", justify="right"
            )
    for category in [*evaluate.CATEGORIES, "overall (micro)"]:
        row = [category]
        for _, _, totals, overall in sets:
            score = overall if category == "overall (micro)" else totals[category]
            counts = [str(score.expected), str(score.found), str(score.matched)]
            ratios = [f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}"]
            row += ratios if len(sets) > 1 else counts + ratios
        table.add_row(*row)
    console.print(table)
    if len(sets) == 1:
        console.print(f"{sets[0][1]} answer key(s)")
    for gold_dir, _, _, overall in sets:
        if min_f1 is not None and overall.f1 < min_f1:
            click.echo(
                f"error: {gold_dir}: overall F1 {overall.f1:.3f} is below --min-f1 {min_f1}",
                err=True,
            )
            failed = True
    sys.exit(1 if failed else 0)


def _reference(directory: Path) -> Reference:
    if not directory.is_dir():
        click.echo(f"error: {directory}: no such folder of reference data (--reference)", err=True)
        sys.exit(2)
    try:
        return load_reference(directory)
    except InputErrors as exc:
        _report_errors(exc)
        click.echo(f"error: {directory}: reference data has {len(exc.errors)} problem(s)", err=True)
        sys.exit(2)


def _report_errors(exc: InputErrors) -> None:
    for error in exc.errors:
        click.echo(f"error: {error}", err=True)


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


build_dir_option = click.option(
    "--out",
    "build_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("out"),
    show_default=True,
    help="The folder `minekg build` wrote.",
)


@main.command()
@click.argument("site_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("site"))
@build_dir_option
@ontology_option
@click.option(
    "--queries",
    "queries_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("queries"),
    show_default=True,
    help="Named SPARQL queries (*.rq) to publish beside the data.",
)
@click.option("--base", default=None, help="Base IRI to publish under. [default: the build's]")
def publish(
    site_dir: Path, build_dir: Path, ontology_dir: Path, queries_dir: Path, base: str | None
) -> None:
    """Write the built graph as a static linked-data site in SITE_DIR (default: site/).

    One HTML page per resource, with .ttl, .jsonld and .nt beside it; the dumps; VoID and DCAT;
    ontology documentation; .htaccess and nginx.conf for content negotiation. Exit code 0: written;
    1: nothing written (the previous site is left as it was).
    """
    from minekg import publish as publishing

    started = time.perf_counter()
    if base is not None:
        try:
            building._check_base(base)
        except InputErrors as exc:
            _fail(str(exc.errors[0]))
    try:
        files = publishing.site_files(build_dir, ontology_dir, queries_dir, base)
        publishing.write_site(site_dir, files)
    except MinekgError as exc:
        _fail(str(exc))
    pages = sum(name.endswith(".html") for name in files)
    console.print(
        f"Published {pages:,} pages ({len(files):,} files) to {site_dir}/ "
        f"in {time.perf_counter() - started:.1f} s"
    )


@main.command()
@click.option(
    "--site",
    "site_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("site"),
    show_default=True,
    help="The published site; published from --out first if it does not exist.",
)
@build_dir_option
@ontology_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds a query may run.")
@click.option(
    "--max-result-bytes", default=20_000_000, show_default=True, help="Largest query result."
)
@click.option("--workers", default=2, show_default=True, help="Query worker processes.")
def serve(
    site_dir: Path,
    build_dir: Path,
    ontology_dir: Path,
    host: str,
    port: int,
    timeout: float,
    max_result_bytes: int,
    workers: int,
) -> None:
    """Serve the site with content negotiation and a read-only SPARQL endpoint at /sparql.

    Runs until interrupted. Exit code 1: the site could not be published or the port is taken.
    """
    import uvicorn

    from minekg import publish as publishing
    from minekg import serve as serving

    if not (site_dir / "void.ttl").is_file():
        click.echo(f"{site_dir}/ has no published site: publishing {build_dir}/ there first")
        try:
            files = publishing.site_files(build_dir, ontology_dir, Path("queries"))
            publishing.write_site(site_dir, files)
        except MinekgError as exc:
            _fail(str(exc))
    limits = serving.Limits(
        query_seconds=timeout, result_bytes=max_result_bytes, workers=max(workers, 1)
    )
    click.echo(f"Serving {site_dir}/ at http://{host}:{port}/ (SPARQL at /sparql)")
    uvicorn.run(serving.create_app(site_dir, limits), host=host, port=port, log_level="warning")


@main.command()
@click.option("--endpoint", required=True, help="The store's SPARQL query endpoint URL.")
@click.option(
    "--graph-store",
    default=None,
    help="The store's Graph Store Protocol URL (Oxigraph: /store). [default: --endpoint]",
)
@click.option(
    "--out",
    "source",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="The build folder, or one .nq/.trig file.",
)
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for the store.")
def push(endpoint: str, graph_store: str | None, source: Path, timeout: float) -> None:
    """Load the dataset into a triple store, replacing each named graph as a whole.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol (one PUT per graph), then counts the triples of
    each graph in the store. Exit code 0: every graph holds what minekg has; 1: a connection or
    HTTP error, or a count that differs.
    """
    import httpx

    from minekg import push as pushing
    from minekg import store

    try:
        dataset = store.load(source)
        with httpx.Client(timeout=timeout) as client:
            counts = pushing.push(
                dataset,
                endpoint,
                graph_store or endpoint,
                client,
                lambda line: click.echo(line, err=True),
            )
    except MinekgError as exc:
        _fail(str(exc))
    wrong = {name: pair for name, pair in counts.items() if pair[0] != pair[1]}
    for name, (local, remote) in sorted(wrong.items()):
        click.echo(
            f"error: <{name or 'default graph'}>: {local:,} here, {remote:,} in the store", err=True
        )
    if wrong:
        _fail(f"{len(wrong)} of {len(counts)} graph(s) differ in the store after the push")
    total = sum(local for local, _ in counts.values())
    console.print(
        f"Pushed {len(counts)} graphs ({total:,} triples); the store holds the same counts"
    )


graph_option = click.option(
    "--graph",
    "graph_path",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="A built out/ folder, or one RDF file (.nq, .trig, .ttl, .nt, .jsonld).",
)


@main.command()
@click.argument("name", required=False)
@graph_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(minekg_queries.FORMATS),
    default="table",
    show_default=True,
    help="table for people; csv, tsv or json: SPARQL 1.1 query results.",
)
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter of the query, e.g. doc=A-79-690 (short form) or a full IRI. Repeatable.",
)
@click.option("--list", "list_only", is_flag=True, help="List the named queries and exit.")
def query(
    name: str | None, graph_path: Path, fmt: str, params: tuple[str, ...], list_only: bool
) -> None:
    """Answer a named question (queries/NAME.rq) or a SPARQL file on the built graph.

    NAME is a named query (see --list) or the path of a .rq file. Exit code 0: answered (also
    with no rows); 1: unknown query or parameter, missing parameter, or no built graph.
    """
    if list_only:
        for named in minekg_queries.available().values():
            console.print(f"[bold]{named.name}[/bold]  {named.question}")
            for p in named.parameters:
                need = "required" if p.required else "optional"
                console.print(f"    --param {p.name}=…  ({p.kind}, {need}) {p.description}")
        return
    if name is None:
        _fail("give a query NAME or FILE (minekg query --list shows the named queries)")
    try:
        named = minekg_queries.load(name)
        bindings = minekg_queries.resolve(named, _parse_params(params))
        loaded = store.load(graph_path)
        for key, iri in bindings.items():
            node = ox.NamedNode(iri)
            if not any(loaded.quads_for_pattern(node, None, None)) and not any(
                loaded.quads_for_pattern(None, None, node)
            ):
                raise MinekgError(f"--param {key}: <{iri}> is not in the graph {graph_path}")
        answer = minekg_queries.run(loaded, named, bindings)
    except MinekgError as exc:
        _fail(str(exc))
    if fmt == "table":
        _print_answer(answer)
    else:
        click.echo(minekg_queries.render(answer, fmt), nl=False)


def _print_answer(answer: minekg_queries.Answer) -> None:
    """A table if it fits the terminal, else one block per row (column: value), like psql's \\x."""
    table = minekg_queries.table(answer)
    natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
    if natural <= console.width:
        console.print(table)
    else:
        width = max(len(name) for name in answer.variables)
        for number, row in enumerate(answer.rows, start=1):
            console.print(f"[bold]-- row {number} --[/bold]")
            for name, term in zip(answer.variables, row, strict=True):
                if term is not None:
                    console.print(f"{name:>{width}}: {minekg_queries.short(term)}")
    console.print(f"{len(answer.rows)} row(s)")


def _parse_params(params: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for param in params:
        key, sep, value = param.partition("=")
        key = key.strip().lstrip("?")
        if not sep or not key or not value.strip():
            raise MinekgError(f"--param {param}: expected KEY=VALUE, e.g. doc=A-79-690")
        if key in values:
            raise MinekgError(f"--param {key} given twice")
        values[key] = value
    return values


@main.command()
@graph_option
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many entities to rank, and community members to name, per projection.",
)
@click.option(
    "--ego", "ego_node", default=None, help="Also list everything linked to this IRI or state/arm."
)
def stats(graph_path: Path, top: int, ego_node: str | None) -> None:
    """Central actors, documents and instruments, and communities, in three projections.

    Projections: actors -- documents (mentions, claimant, accused), documents -> instruments
    (cites, invokes) and actors -- events (roles in each document's account). Exit code 0;
    1: no built graph, or --ego names nothing in the graph.
    """
    try:
        loaded = store.load(graph_path)
        graphs = analytics.projections(loaded)
        names = analytics.labels(loaded)
        ego = None
        if ego_node is not None:
            iri = ego_node if "://" in ego_node else DEFAULT_BASE + "id/" + ego_node
            if not any(iri in graph for graph in graphs.values()):
                raise MinekgError(f"--ego {ego_node}: <{iri}> is in none of the projections")
            ego = (iri, analytics.ego(graphs, iri))
    except MinekgError as exc:
        _fail(str(exc))
    console.print(f"{len(loaded):,} statements in {len(list(loaded.named_graphs()))} named graphs")
    console.print(", ".join(f"{n} {name}" for name, n in analytics.counts(loaded).items()))
    for summary in analytics.summaries(graphs, top):
        console.print(
            f"\n[bold]{summary.name}[/bold]: {summary.nodes} nodes, {summary.edges} edges, "
            f"{len(summary.communities)} communities"
        )
        ranks = Table(show_edge=False)
        for column in ("by degree", "degree", "by betweenness", "betweenness"):
            ranks.add_column(column, justify="right" if column[0] != "b" else "left")
        for d, b in zip(summary.top_degree, summary.top_betweenness, strict=True):
            ranks.add_row(
                _named(d.node, names), str(d.degree), _named(b.node, names), f"{b.betweenness:.3f}"
            )
        console.print(ranks)
        for number, members in enumerate(summary.communities, start=1):
            shown = ", ".join(_short(m).removeprefix("id/") for m in members[:top])
            more = f" and {len(members) - top} more" if len(members) > top else ""
            console.print(f"  community {number} ({len(members)}): {shown}{more}")
    if ego is not None:
        iri, neighbours = ego
        console.print(f"\n[bold]Linked to {_named(iri, names)}[/bold] ({len(neighbours)})")
        for n in neighbours:
            arrow = "->" if n.outgoing else "<-"
            console.print(
                f"  {n.projection}: {arrow} {_named(n.node, names)}  [{', '.join(n.relations)}]"
            )


def _named(iri: str, names: dict[str, str]) -> str:
    short = _short(iri).removeprefix("id/")
    return f"{names[iri]} ({short})" if iri in names else short
