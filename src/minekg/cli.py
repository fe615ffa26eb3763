"""The ``minekg`` command: it wires the stages together and nothing else.

Defaults come from the project (``project.py``), options and the one error path from ``options.py``,
output from ``present.py``; a stage is imported only by its command (``--help`` loads no library).
"""

from __future__ import annotations

import sys
import time

import click

from minekg import options
from minekg.errors import MinekgError, SetupError
from minekg.project import find


@click.group(cls=options.Minekg)
@click.version_option(package_name="minekg")
def main() -> None:
    """minekg: a knowledge graph of landmine and mine-action documents."""


@main.command()
@options.for_build
def build(project_dir, data_dir, ontology_dir, out_dir, base, sources, no_reasoner, **run) -> None:
    """Build the graph from the project's data/, check it as `minekg check` does, write out/.

    Exit code 0: built; 1: a record or reference entry has problems (each is listed; out/ is
    left as it was); 2: no project, or the ontology or a folder is missing.
    """
    from minekg import executors, pipeline, present

    started = time.perf_counter()
    data = data_dir or find(project_dir).data  # --data (earlier releases): out/ beside it
    paths = pipeline.Paths(data, ontology_dir, out_dir or data.parent / "out")
    if done := pipeline.current(paths, base, sources, not no_reasoner):
        return present.up_to_date(done, time.perf_counter() - started)
    with executors.executor(**run) as pool:  # --workers, --scheduler
        result = pipeline.build(paths, base, sources, not no_reasoner, pool)
    written, seconds = pipeline.write(result, paths), time.perf_counter() - started
    present.build_summary(result, written, seconds, sources, pipeline.owl_summary(result), base)


@main.command()
@options.for_check
def check(graph_path, project_dir, ontology_dir, report_path, strict, no_reasoner, infer, verbose):
    """Check a built graph: SHACL shapes, consistency rules on figures, OWL consistency.

    Exit code 0: conforms (warnings allowed); 1: violations (or warnings with --strict);
    2: the check itself could not run (no graph, no shapes, no Java for HermiT).
    """
    from minekg import checks, present

    started = time.perf_counter()
    graph = options.graph_path(graph_path, project_dir)
    outcome = checks.check_graph(graph, ontology_dir, report_path, not no_reasoner, infer)
    present.check_outcome(outcome, infer, verbose, time.perf_counter() - started)
    sys.exit(1 if outcome.failed(strict) else 0)


@main.command(name="show")
@options.for_show
def show_command(graph_path, project_dir, kind, focus, depth, limit, output) -> None:
    """Write an interactive HTML page of the built graph (works offline: nothing loaded remotely).

    Exit code 0: written; 1: no graph, or --focus names no resource.
    """
    from minekg import show

    graph = options.graph_path(graph_path, project_dir)
    output, drawn = show.write_page(graph, output, kind, focus, depth, limit)
    left_out = sum(drawn.left_out.values())
    cut = f"; {left_out} nodes left out by --limit {limit}" if left_out else ""
    click.echo(f"Wrote {output}: {len(drawn.nodes)} nodes, {len(drawn.edges)} links{cut}")


@main.command()
@options.for_extract
def extract(files, fmt, project_dir, reference_dir, max_mb) -> None:
    """Print what minekg finds in each FILE (.txt, .md, .html, .htm, .pdf).

    Entities are named from the project's reference data. YAML formats print one document per
    file ("--- # FILE"); json prints one object per line.

    Exit code 0: every file extracted; 1: a file failed (its error is on stderr, the other files
    are printed); 2: no project, or its reference data could not be loaded.
    """
    from minekg import ingest

    reference = options.reference_data(project_dir, reference_dir)
    failed = False
    for path in files:
        outcome = ingest.extract_file(path, reference, fmt, int(max_mb * 2**20))
        failed = failed or bool(outcome.error)
        if outcome.error:
            click.echo(f"error: {outcome.error}", err=True)
        else:
            click.echo(
                outcome.output if fmt == "json" else f"--- # {path}\n{outcome.output}",
                nl=fmt == "json",
            )
    sys.exit(1 if failed else 0)


@main.command("ingest")
@options.for_ingest
def ingest_files(files, project_dir, records_dir, reference_dir, ontology_dir, force, max_mb):
    """Extract each FILE into a draft record, data/records/<key>.yaml, for a person to review.

    The key is the document's own UN symbol (A/79/690 gives A-79-690), else the file name.
    A reviewed record is never overwritten; an earlier draft only with --force. What extraction
    could not determine is written as an explicit unknown (author_note, date_note, proposed
    entities); an item the build would reject is left out and named, so every draft builds.

    Exit code 0: every file read (skipped ones included); 1: a file could not be read or
    extracted; 2: no project, or its reference data or the ontology could not be loaded.
    """
    from minekg import ingest

    gate = ingest.Gate.load(options.reference_data(project_dir, reference_dir), ontology_dir)
    records = records_dir or find(project_dir).records
    failed = False
    for path in files:
        outcome = ingest.ingest_file(path, gate, records, force, int(max_mb * 2**20))
        click.echo(
            f"error: {outcome.error}" if outcome.error else ingest.summary(outcome),
            err=bool(outcome.error),
        )
        failed = failed or bool(outcome.error)
    sys.exit(1 if failed else 0)


@main.command()
@options.for_promote
def promote(key, project_dir, records_dir, reference_dir, new_key, **details) -> None:
    """Add the entity drafts propose under KEY to data/reference/, and rewrite those drafts.

    The entry takes the name the drafts print (other spellings become aliases) and the
    gazetteer identifier they give; what only a reviewer knows is given as options. Reviewed
    records are never touched. Exit code 0: promoted; 1: nothing written (the reason is shown).
    """
    from minekg.promote import promote as promote_entity

    records = records_dir or find(project_dir).records
    reference = reference_dir or records.parent / "reference"
    done = promote_entity(key, records, reference, new_key, details)
    drafts = ", ".join(str(path) for path in done.drafts)
    click.echo(f"{done.key}: added to {done.reference_file}; rewrote {drafts}")


@main.command()
@options.for_review
def review(key, port, sources, project_dir, ontology_dir) -> None:
    """Review drafts in the browser on 127.0.0.1 (KEY: open that draft); saves what builds."""
    from minekg.review import Reviewer, run

    run(Reviewer.open(find(project_dir), ontology_dir, sources), key, port)


@main.command("eval")
@options.for_eval
def evaluate_command(gold_dirs, docs_dirs, min_f1, project_dir, reference_dir) -> None:
    """Score extraction against answer keys: precision, recall and F1 per category and overall.

    Several --gold/--docs pairs are scored side by side, one column group per pair. Exit code
    0: scored (and every overall F1 >= --min-f1); 1: an answer key or document could not be
    read (the others are still scored) or an F1 is below --min-f1; 2: no answer keys, no
    project or reference data, or not one --docs per --gold.
    """
    from minekg import evaluate, present

    if len(gold_dirs) != len(docs_dirs):
        raise SetupError("give one --docs folder for each --gold folder")
    reference = options.reference_data(project_dir, reference_dir)
    pairs = zip(gold_dirs, docs_dirs, strict=True)
    sets = [(gold, evaluate.evaluate_folder(gold, docs, reference)) for gold, docs in pairs]
    errors = [error for _, result in sets for error in result.errors]
    low = evaluate.below(sets, min_f1)
    for line in errors:
        click.echo(f"error: {line}", err=True)
    present.scores(sets)
    for line in low:
        click.echo(f"error: {line}", err=True)
    sys.exit(1 if errors or low else 0)


@main.command()
@options.for_publish
def publish(graph_path, project_dir, site_dir, ontology_dir, base) -> None:
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
    site_dir = site_dir or find(project_dir).site
    graph = options.graph_path(graph_path, project_dir)
    folders = options.query_folders(project_dir)
    files = publishing.publish(graph, site_dir, ontology_dir, folders, base)
    pages = sum(name.endswith(".html") for name in files)
    click.echo(
        f"Published {pages:,} pages ({len(files):,} files) to {site_dir}/ "
        f"in {time.perf_counter() - started:.1f} s"
    )


@main.command()
@options.for_serve
def serve(site_dir, host, port, graph_path, project_dir, old_graph_path, ontology_dir, **limits):
    """Serve the site with content negotiation and a read-only SPARQL endpoint at /sparql.

    Runs until interrupted; with no site, renders resource pages from the build on request.
    Exit code 1: the site could not be published or the port is taken."""
    from minekg import publish as publishing
    from minekg import serve as serving

    site_dir, rendered = site_dir or find(project_dir).site, None
    if not publishing.has_resource_pages(site_dir):
        graph = options.graph_path(graph_path or old_graph_path, project_dir)
        click.echo(f"{site_dir}/ has no resource pages: rendering them from {graph} on request")
        folders = options.query_folders(project_dir)
        publishing.publish(graph, site_dir, ontology_dir, folders, resource_pages=False)
        rendered = serving.StorePages(graph, ontology_dir)
    click.echo(f"Serving {site_dir}/ at http://{host}:{port}/ (SPARQL at /sparql)")
    serving.run(serving.server_config(site_dir, serving.Limits(**limits), host, port, rendered))


@main.command()
@options.for_push
def push(
    endpoint, graph_store, timeout, user, resume, update, graph_path, project_dir, old_graph_path
):
    """Load the dataset into a triple store, replacing each named graph as a whole.

    Uses the SPARQL 1.1 Graph Store HTTP Protocol (one PUT per graph), then counts the triples of
    each graph in the store. Exit code 0: every graph holds what minekg has; 1: a connection or
    HTTP error, or a count that differs.
    """
    from minekg import push as pushing
    from minekg import store

    dataset = store.load(options.graph_path(graph_path or old_graph_path, project_dir))
    stores = pushing.Store(endpoint, graph_store, update, user, timeout)
    counts = stores.push(dataset, options.to_stderr, resume)
    total = sum(local for local, _ in counts.values())
    click.echo(f"Pushed {len(counts)} graphs ({total:,} triples); the store holds the same counts")


@main.command()
@options.for_query
def query(name, fmt, params, list_only, endpoint, base, graph_path, project_dir) -> None:
    """Answer a named question (see --list), a SPARQL file (.rq) or - (standard input).

    SELECT, ASK, CONSTRUCT and DESCRIBE; on the built graph, or on another SPARQL endpoint with
    --endpoint. Named queries are those minekg ships and the project's own queries/*.rq. Exit
    code 0: answered (also with no rows); 1: unknown query or parameter, missing parameter, no
    built graph, or the endpoint failed; 2: the query does not parse.
    """
    from minekg import present, queries

    folders = options.query_folders(project_dir)
    if list_only:
        present.named_queries(queries.available(folders).values())
        return
    if name is None:
        raise MinekgError("give a query NAME or FILE (minekg query --list shows the named queries)")
    graph = None if endpoint else options.graph_path(graph_path, project_dir)
    answer, shortened = queries.ask(name, params, folders, graph, endpoint, base)
    if fmt == "table":
        present.answer(answer, shortened)
    else:
        click.echo(queries.render(answer, fmt), nl=False)


@main.command()
@options.for_stats
def stats(graph_path, project_dir, top, ego_node) -> None:
    """Central actors, documents and instruments, and communities, in three projections.

    Projections: actors -- documents (mentions, claimant, accused), documents -> instruments
    (cites, invokes) and actors -- events (roles in each document's account). Exit code 0;
    1: no built graph, or --ego names nothing in the graph.
    """
    from minekg import analytics, present, store

    graph = store.open_graph(options.graph_path(graph_path, project_dir))
    if graph.base is None:
        raise MinekgError(f"{graph.path}: not built by minekg build (no provenance graph)")
    projections = analytics.projections(graph.store, graph.base)
    ego = analytics.ego_of(projections, ego_node, graph.base) if ego_node else None
    present.stats(graph, projections, top, ego)
