"""The ``minekg`` command: it wires the stages together and nothing else.

Every default comes from the project (``project.py``): run from any folder of it, or name it with
``--project`` or ``$MINEKG_PROJECT``. Each stage is imported by the command that needs it, so
``minekg --help`` loads no heavy library. A problem a user can fix comes out as one line
(``error: FILE:LINE: FIELD: PROBLEM``) and the exit code its error carries, never a traceback:
one handler, in :class:`Minekg`, turns every ``MinekgError`` and every ``OSError`` into that.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from minekg.errors import InputErrors, MinekgError, SetupError
from minekg.project import ONTOLOGY, QUERIES, Project, find
from minekg.vocab import DEFAULT_BASE


class Minekg(click.Group):
    """The command group, with the one error path of every command."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputErrors as exc:
            for error in exc.errors:
                click.echo(f"error: {error}", err=True)
            if exc.summary:
                click.echo(f"error: {exc.summary}", err=True)
            sys.exit(exc.exit_code)
        except MinekgError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"error: {where}{exc.strerror or exc}", err=True)
            sys.exit(1)


def _path(**extra: Any) -> click.Path:
    return click.Path(path_type=Path, **extra)


project_option = click.option(
    "--project",
    "project_dir",
    type=_path(file_okay=False),
    default=None,
    help="The project folder. [default: $MINEKG_PROJECT, else the nearest parent of the "
    "working directory with data/records]",
)
ontology_option = click.option(
    "--ontology",
    "ontology_dir",
    type=_path(file_okay=False),
    default=ONTOLOGY,
    help="Folder with the ontology, measures, shapes and rules. [default: the ones minekg ships]",
)


def graph_option(command: Any) -> Any:
    """``--graph PATH`` (and ``--project``): the built graph every reading command takes."""
    command = click.option(
        "--graph",
        "graph_path",
        type=_path(),
        default=None,
        help="The built graph: a folder `minekg build` wrote, or one RDF file (.nq, .trig, .ttl, "
        ".nt, .jsonld). [default: the project's out/]",
    )(command)
    return project_option(command)


def _graph(graph_path: Path | None, project_dir: Path | None) -> Path:
    return graph_path if graph_path is not None else find(project_dir).out


def _project(project_dir: Path | None) -> Project:
    return find(project_dir)


def _query_folders(project_dir: Path | None) -> tuple[Path, ...]:
    """The named queries minekg ships, then the project's own (which may override them)."""
    try:
        return (QUERIES, find(project_dir).queries)
    except SetupError:
        if project_dir is not None:
            raise
        return (QUERIES,)


@click.group(cls=Minekg)
@click.version_option(package_name="minekg")
def main() -> None:
    """minekg: a knowledge graph of landmine and mine-action documents."""


@main.command()
@project_option
@click.option("--data", "data_dir", type=_path(file_okay=False), default=None, hidden=True)
@ontology_option
@click.option(
    "--out",
    "out_dir",
    type=_path(file_okay=False),
    default=None,
    help="Where the outputs go, replaced only by a good build. [default: the project's out/]",
)
@click.option("--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of resources.")
@click.option(
    "--sources",
    type=_path(file_okay=False),
    default=None,
    help="Folder of source texts: check every quote against its source.",
)
@click.option("--no-reasoner", is_flag=True, help="Skip the OWL consistency check (HermiT).")
def build(
    project_dir: Path | None,
    data_dir: Path | None,
    ontology_dir: Path,
    out_dir: Path | None,
    base: str,
    sources: Path | None,
    no_reasoner: bool,
) -> None:
    """Build the graph from the project's data/, check it as `minekg check` does, write out/.

    Exit code 0: built; 1: a record or reference entry has problems (each is listed; out/ is
    left as it was); 2: no project, or the ontology or a folder is missing.
    """
    from minekg import pipeline, present

    started = time.perf_counter()
    if data_dir is not None:  # the spelling of earlier releases: a data folder, out/ beside it
        paths = pipeline.Paths(data_dir, ontology_dir, out_dir or data_dir.parent / "out")
    else:
        project = _project(project_dir)
        paths = pipeline.Paths(project.data, ontology_dir, out_dir or project.out)
    result = pipeline.build(paths, base=base, sources=sources, reasoner=not no_reasoner)
    written = pipeline.write(result, paths)
    seconds = time.perf_counter() - started
    present.build_summary(result, written, seconds, sources, pipeline.owl_summary(result))


@main.command()
@graph_option
@ontology_option
@click.option(
    "--report",
    "report_path",
    type=_path(dir_okay=False),
    default=None,
    help="Where to write the SHACL report (Turtle). [default: report.ttl beside the graph]",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only on violations.")
@click.option("--no-reasoner", is_flag=True, help="Skip the OWL consistency check (HermiT).")
@click.option(
    "--infer",
    type=click.Choice(["rdfs", "owl-rl"]),
    default=None,
    help="Also write the triples RDFS or OWL-RL entails, in their own named graph.",
)
@click.option("--verbose", is_flag=True, help="List every finding, informational ones too.")
def check(
    graph_path: Path | None,
    project_dir: Path | None,
    ontology_dir: Path,
    report_path: Path | None,
    strict: bool,
    no_reasoner: bool,
    infer: str | None,
    verbose: bool,
) -> None:
    """Check a built graph: SHACL shapes, consistency rules on figures, OWL consistency.

    Exit code 0: conforms (warnings allowed); 1: violations (or warnings with --strict);
    2: the check itself could not run (no graph, no shapes, no Java for HermiT).
    """
    from minekg import checks, present

    started = time.perf_counter()
    graph = _graph(graph_path, project_dir)
    outcome = checks.check_graph(graph, ontology_dir, report_path, not no_reasoner, infer)
    present.findings(outcome.verdict, outcome.base, verbose)
    if outcome.consistency is not None:
        present.consistency(outcome.consistency, outcome.base)
    present.console.print(f"SHACL report: {outcome.report_path}")
    if outcome.inferred_path is not None:
        present.console.print(
            f"Inferred triples ({infer}): {outcome.inferred_path}, graph <.../graph/inferred>"
        )
    present.console.print(f"Checked {outcome.graph_file} in {time.perf_counter() - started:.1f} s")
    sys.exit(1 if outcome.failed(strict) else 0)


@main.command(name="show")
@graph_option
@click.option(
    "--kind",
    type=click.Choice(["actors", "citations", "events", "all"]),
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
    default=1500,
    show_default=True,
    help="Most nodes drawn, best connected first; the page says what was left out. 0: all.",
)
@click.option(
    "-o",
    "--output",
    type=_path(dir_okay=False),
    default=None,
    help="Where to write the page. [default: graph.html beside the graph]",
)
def show_command(
    graph_path: Path | None,
    project_dir: Path | None,
    kind: str,
    focus: str | None,
    depth: int,
    limit: int,
    output: Path | None,
) -> None:
    """Write an interactive HTML page of the built graph (works offline: nothing loaded remotely).

    Exit code 0: written; 1: no graph, or --focus names no resource.
    """
    from minekg import show, store

    graph_path = _graph(graph_path, project_dir)
    output = output or (graph_path if graph_path.is_dir() else graph_path.parent) / "graph.html"
    drawn = show.display_graph(show.read_facts(store.load(graph_path)), kind, focus, depth, limit)
    output.write_text(show.page(drawn), encoding="utf-8")
    left_out = sum(drawn.left_out.values())
    click.echo(
        f"Wrote {output}: {len(drawn.nodes)} nodes, {len(drawn.edges)} links"
        + (f"; {left_out} nodes left out by --limit {limit}" if left_out else "")
    )


source_files = click.argument("files", nargs=-1, required=True, type=_path())
reference_option = click.option(
    "--reference", "reference_dir", type=_path(file_okay=False), default=None, hidden=True
)
max_mb_option = click.option(
    "--max-mb",
    type=click.FloatRange(min=0),
    default=50.0,
    show_default=True,
    help="Refuse files larger than this many megabytes, before reading them.",
)


def _reference(project_dir: Path | None, reference_dir: Path | None) -> Any:
    from minekg.inputs import reference_data

    return reference_data(reference_dir or _project(project_dir).reference)


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
@project_option
@reference_option
@max_mb_option
def extract(
    files: tuple[Path, ...],
    fmt: str,
    project_dir: Path | None,
    reference_dir: Path | None,
    max_mb: float,
) -> None:
    """Print what minekg finds in each FILE (.txt, .md, .html, .htm, .pdf).

    Entities are named from the project's reference data. YAML formats print one document per
    file ("--- # FILE"); json prints one object per line.

    Exit code 0: every file extracted; 1: a file failed (its error is on stderr, the other files
    are printed); 2: no project, or its reference data could not be loaded.
    """
    from minekg import ingest

    reference = _reference(project_dir, reference_dir)
    failed = False
    for path in files:
        outcome = ingest.extract_file(path, reference, fmt, int(max_mb * 2**20))  # type: ignore[arg-type]
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
@project_option
@click.option("--records", "records_dir", type=_path(file_okay=False), default=None, hidden=True)
@reference_option
@ontology_option
@click.option("--force", is_flag=True, help="Replace earlier drafts (never a reviewed record).")
@max_mb_option
def ingest_files(
    files: tuple[Path, ...],
    project_dir: Path | None,
    records_dir: Path | None,
    reference_dir: Path | None,
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
    not build; 2: no project, or its reference data or the ontology could not be loaded.
    """
    from minekg import ingest

    gate = ingest.Gate.load(_reference(project_dir, reference_dir), ontology_dir)
    records = records_dir or _project(project_dir).records
    failed = False
    for path in files:
        outcome = ingest.ingest_file(path, gate, records, force, int(max_mb * 2**20))
        if outcome.error:
            click.echo(f"error: {outcome.error}", err=True)
            failed = True
        else:
            click.echo(ingest.summary(outcome))
    sys.exit(1 if failed else 0)


@main.command("eval")
@click.option(
    "--gold",
    "gold_dir",
    required=True,
    type=_path(file_okay=False),
    help="Folder of answer keys (*.yaml, the structure of shared/gold/SCHEMA.md).",
)
@click.option(
    "--docs",
    "docs_dir",
    required=True,
    type=_path(file_okay=False),
    help="Folder of the documents, each with the same stem as its answer key.",
)
@project_option
@reference_option
@click.option(
    "--min-f1", type=click.FloatRange(0, 1), default=None, help="Exit 1 if overall F1 is lower."
)
def evaluate_command(
    gold_dir: Path,
    docs_dir: Path,
    project_dir: Path | None,
    reference_dir: Path | None,
    min_f1: float | None,
) -> None:
    """Score extraction against answer keys: precision, recall and F1 per category and overall.

    Exit code 0: scored (and overall F1 >= --min-f1); 1: an answer key or document could not be
    read (the others are still scored) or F1 is below --min-f1; 2: no answer keys, no project or
    no reference data.
    """
    from minekg import evaluate, present

    reference = _reference(project_dir, reference_dir)
    result = evaluate.evaluate_folder(gold_dir, docs_dir, reference)
    for error in result.errors:
        click.echo(f"error: {error}", err=True)
    present.scores(result.totals, result.overall, result.scored)
    failed = bool(result.errors)
    if min_f1 is not None and result.overall.f1 < min_f1:
        click.echo(
            f"error: overall F1 {result.overall.f1:.3f} is below --min-f1 {min_f1}", err=True
        )
        failed = True
    sys.exit(1 if failed else 0)


@main.command()
@graph_option
@click.option(
    "--out",
    "site_dir",
    type=_path(file_okay=False),
    default=None,
    help="The folder the site is written to. [default: the project's site/]",
)
@ontology_option
@click.option("--base", default=None, help="Base IRI to publish under. [default: the build's]")
def publish(
    graph_path: Path | None,
    project_dir: Path | None,
    site_dir: Path | None,
    ontology_dir: Path,
    base: str | None,
) -> None:
    """Write the built graph as a static linked-data site (default: the project's site/).

    One HTML page per resource, with .ttl, .jsonld and .nt beside it; the dumps; VoID and DCAT;
    ontology documentation; .htaccess and nginx.conf for content negotiation. Exit code 0: written;
    1: nothing written (the previous site is left as it was).
    """
    from minekg import pipeline
    from minekg import publish as publishing

    started = time.perf_counter()
    if base is not None:
        pipeline.check_base(base)
    site_dir = site_dir or _project(project_dir).site
    graph = _graph(graph_path, project_dir)
    files = publishing.publish(graph, site_dir, ontology_dir, _query_folders(project_dir), base)
    pages = sum(name.endswith(".html") for name in files)
    click.echo(
        f"Published {pages:,} pages ({len(files):,} files) to {site_dir}/ "
        f"in {time.perf_counter() - started:.1f} s"
    )


@main.command()
@click.option(
    "--site",
    "site_dir",
    type=_path(file_okay=False),
    default=None,
    help="The published site; published from --graph first if it has none. "
    "[default: the project's site/]",
)
@graph_option
@click.option("--out", "old_graph_path", type=_path(), default=None, hidden=True)
@ontology_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--timeout", default=10.0, show_default=True, help="Seconds a query may run.")
@click.option(
    "--max-result-bytes", default=20_000_000, show_default=True, help="Largest query result."
)
@click.option("--workers", default=2, show_default=True, help="Query worker processes.")
def serve(
    site_dir: Path | None,
    graph_path: Path | None,
    project_dir: Path | None,
    old_graph_path: Path | None,
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

    site_dir = site_dir or _project(project_dir).site
    if not publishing.is_site(site_dir):
        graph = _graph(graph_path or old_graph_path, project_dir)
        click.echo(f"{site_dir}/ has no published site: publishing {graph} there first")
        publishing.publish(graph, site_dir, ontology_dir, _query_folders(project_dir))
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
@graph_option
@click.option("--out", "old_graph_path", type=_path(), default=None, hidden=True)
@click.option("--timeout", default=120.0, show_default=True, help="Seconds to wait for the store.")
def push(
    endpoint: str,
    graph_store: str | None,
    graph_path: Path | None,
    project_dir: Path | None,
    old_graph_path: Path | None,
    timeout: float,
) -> None:
    """Load the dataset into a triple store, replacing each named graph as a whole.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol (one PUT per graph), then counts the triples of
    each graph in the store. Exit code 0: every graph holds what minekg has; 1: a connection or
    HTTP error, or a count that differs.
    """
    import httpx

    from minekg import push as pushing
    from minekg import store

    dataset = store.load(_graph(graph_path or old_graph_path, project_dir))
    with httpx.Client(timeout=timeout) as client:
        counts = pushing.push(
            dataset,
            endpoint,
            graph_store or endpoint,
            client,
            lambda line: click.echo(line, err=True),
        )
    pushing.verify(counts)
    total = sum(local for local, _ in counts.values())
    click.echo(f"Pushed {len(counts)} graphs ({total:,} triples); the store holds the same counts")


@main.command()
@click.argument("name", required=False)
@graph_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json"]),
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
    name: str | None,
    graph_path: Path | None,
    project_dir: Path | None,
    fmt: str,
    params: tuple[str, ...],
    list_only: bool,
) -> None:
    """Answer a named question (see --list) or a SPARQL file (.rq) on the built graph.

    Named queries are those minekg ships and the project's own queries/*.rq. Exit code 0:
    answered (also with no rows); 1: unknown query or parameter, missing parameter, or no built
    graph.
    """
    from minekg import present, queries, store

    folders = _query_folders(project_dir)
    if list_only:
        present.named_queries(queries.available(folders).values())
        return
    if name is None:
        raise MinekgError("give a query NAME or FILE (minekg query --list shows the named queries)")
    named = queries.load(name, folders)
    graph = store.open_graph(_graph(graph_path, project_dir))
    bindings = queries.resolve(named, queries.parse_params(params), graph.base)
    queries.check_bound(graph.store, bindings, graph.path)
    answer = queries.run(graph.store, named, bindings)
    if fmt == "table":
        present.answer(answer, graph.base)
    else:
        click.echo(queries.render(answer, fmt), nl=False)


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
def stats(
    graph_path: Path | None, project_dir: Path | None, top: int, ego_node: str | None
) -> None:
    """Central actors, documents and instruments, and communities, in three projections.

    Projections: actors -- documents (mentions, claimant, accused), documents -> instruments
    (cites, invokes) and actors -- events (roles in each document's account). Exit code 0;
    1: no built graph, or --ego names nothing in the graph.
    """
    from minekg import analytics, present, store
    from minekg.labels import labels

    graph = store.open_graph(_graph(graph_path, project_dir))
    if graph.base is None:
        raise MinekgError(f"{graph.path}: not built by minekg build (no provenance graph)")
    graphs = analytics.projections(graph.store, graph.base)
    ego = analytics.ego_of(graphs, ego_node, graph.base) if ego_node is not None else None
    present.stats(
        len(graph.store),
        len(list(graph.store.named_graphs())),
        analytics.counts(graph.store),
        analytics.summaries(graphs, top),
        labels(graph.store),
        graph.base,
        top,
        ego,
    )
