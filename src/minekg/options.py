"""The command line's plumbing: the command group with its one error path, and the options,
each defined once and shared by the commands that take it.

Defaults that depend on the project (``out/``, ``site/``, ``data/``) are ``None`` here and filled
in by the command from the project it finds, so ``--help`` says where they come from.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from minekg.errors import InputErrors, MinekgError, SetupError
from minekg.project import ONTOLOGY, QUERIES, find

Decorator = Callable[[Any], Any]
# vocab.DEFAULT_BASE, spelt out so that --help needs no RDF library (tests/test_cli.py)
DEFAULT_BASE = "https://w3id.org/minekg/"


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


def to_stderr(line: str) -> None:
    """Progress goes to stderr, so stdout stays the command's answer."""
    click.echo(line, err=True)


def graph_path(graph_path: Path | None, project_dir: Path | None) -> Path:
    return graph_path if graph_path is not None else find(project_dir).out


def reference_data(project_dir: Path | None, reference_dir: Path | None) -> Any:
    """The reference data extract, ingest and eval name entities from (exit 2 without it)."""
    from minekg.inputs import reference_data as loaded

    return loaded(reference_dir or find(project_dir).reference)


def query_folders(project_dir: Path | None) -> tuple[Path, ...]:
    """The named queries minekg ships, then the project's own (which may override them)."""
    try:
        return (QUERIES, find(project_dir).queries)
    except SetupError:
        if project_dir is not None:
            raise
        return (QUERIES,)


def _path(**extra: Any) -> click.Path:
    return click.Path(path_type=Path, **extra)


def _hidden(*names: str, **extra: Any) -> Decorator:
    """An old spelling, kept working for one release but no longer shown."""
    return click.option(*names, type=_path(), default=None, hidden=True, **extra)


def _all(*decorators: Decorator) -> Decorator:
    def apply(command: Any) -> Any:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


project = click.option(
    "--project",
    "project_dir",
    type=_path(file_okay=False),
    default=None,
    help="The project folder. [default: $MINEKG_PROJECT, else the nearest parent of the "
    "working directory with data/records]",
)
ontology = click.option(
    "--ontology",
    "ontology_dir",
    type=_path(file_okay=False),
    default=ONTOLOGY,
    help="Folder with the ontology, measures, shapes and rules. [default: the ones minekg ships]",
)
graph = _all(
    click.option(
        "--graph",
        "graph_path",
        type=_path(),
        default=None,
        help="The built graph: a folder `minekg build` wrote, or one RDF file (.nq, .trig, "
        ".ttl, .nt, .jsonld). [default: the project's out/]",
    ),
    project,
)
graph_with_old_out = _all(graph, _hidden("--out", "old_graph_path"))
no_reasoner = click.option(
    "--no-reasoner", is_flag=True, help="Skip the OWL consistency check (HermiT)."
)

# build
data = _hidden("--data", "data_dir")
build_out = click.option(
    "--out",
    "out_dir",
    type=_path(file_okay=False),
    default=None,
    help="Where the outputs go, replaced only by a good build. [default: the project's out/]",
)
base = click.option(
    "--base", default=DEFAULT_BASE, show_default=True, help="Base IRI of resources."
)
sources = click.option(
    "--sources",
    type=_path(file_okay=False),
    default=None,
    help="Folder of source texts: check every quote against its source.",
)

# check
report = click.option(
    "--report",
    "report_path",
    type=_path(dir_okay=False),
    default=None,
    help="Where to write the SHACL report (Turtle). [default: report.ttl beside the graph]",
)
strict = click.option("--strict", is_flag=True, help="Exit 1 on warnings too, not only violations.")
infer = click.option(
    "--infer",
    type=click.Choice(["rdfs", "owl-rl"]),
    default=None,
    help="Also write the triples RDFS or OWL-RL entails, in their own named graph.",
)
verbose = click.option("--verbose", is_flag=True, help="List every finding, informational too.")

# show
view = _all(
    click.option(
        "--kind",
        type=click.Choice(["actors", "citations", "events", "all"]),
        default="all",
        show_default=True,
        help="actors: who writes, receives, claims, is named; citations: what documents cite; "
        "events: events and their actors.",
    ),
    click.option(
        "--focus", default=None, help="Only the neighbourhood of this IRI (or state/aze)."
    ),
    click.option(
        "--depth", type=click.IntRange(1, 5), default=1, show_default=True, help="Of --focus."
    ),
    click.option(
        "--limit",
        type=click.IntRange(min=0),
        default=1500,
        show_default=True,
        help="Most nodes drawn, best connected first; the page says what was left out. 0: all.",
    ),
    click.option(
        "-o",
        "--output",
        type=_path(dir_okay=False),
        default=None,
        help="Where to write the page. [default: graph.html beside the graph]",
    ),
)

# extract, ingest, eval
files = click.argument("files", nargs=-1, required=True, type=_path())
reference = _hidden("--reference", "reference_dir")
records = _hidden("--records", "records_dir")
extract_format = click.option(
    "--format",
    "fmt",
    type=click.Choice(["gold", "record", "json"]),
    default="gold",
    show_default=True,
    help="gold: the answer-key structure (YAML); record: a draft record (YAML); json: JSON lines.",
)
max_mb = click.option(
    "--max-mb",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Refuse files larger than this many megabytes, before reading them.",
)
force = click.option("--force", is_flag=True, help="Replace earlier drafts (never a reviewed one).")

# promote: what a reviewer adds to an entity extraction proposed
promotion = _all(
    click.argument("key"),
    click.option("--as", "new_key", default=None, help="Another key for it in the reference data."),
    click.option(
        "--type",
        "type",
        default=None,
        help="Kind of organization or place (city, ngo…); default: the drafts' guess.",
    ),
    click.option("--within", default=None, help="Key of the state or place a place lies within."),
    click.option("--country", default=None, help="Key of an organization's state."),
    click.option("--nationality", default=None, help="Key of a person's state."),
)
scoring = _all(
    click.option(
        "--gold",
        "gold_dirs",
        required=True,
        multiple=True,
        type=_path(file_okay=False),
        help="Folder of answer keys (*.yaml, the structure of shared/gold/SCHEMA.md); repeat it, "
        "with one --docs each, to score several sets side by side.",
    ),
    click.option(
        "--docs",
        "docs_dirs",
        required=True,
        multiple=True,
        type=_path(file_okay=False),
        help="Folder of the documents, each with the same stem as its answer key (one per --gold).",
    ),
    click.option(
        "--min-f1", type=click.FloatRange(0, 1), default=None, help="Exit 1 if overall F1 is lower."
    ),
)

# review
review = _all(
    click.argument("key", required=False),
    click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=0,
        help="Port on 127.0.0.1 to listen on. [default: a free one]",
    ),
)

# publish, serve, push
site_out = click.option(
    "--out",
    "site_dir",
    type=_path(file_okay=False),
    default=None,
    help="The folder the site is written to. [default: the project's site/]",
)
publish_base = click.option(
    "--base", default=None, help="Base IRI to publish under. [default: the build's]"
)
server = _all(
    click.option(
        "--site",
        "site_dir",
        type=_path(file_okay=False),
        default=None,
        help="The published site; published from --graph first if it has none. "
        "[default: the project's site/]",
    ),
    click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on."),
    click.option("--port", default=8000, show_default=True, help="Port to listen on."),
    click.option(
        "--timeout",
        "query_seconds",
        default=10.0,
        show_default=True,
        help="Seconds a query may run.",
    ),
    click.option(
        "--max-result-bytes",
        "result_bytes",
        default=20_000_000,
        show_default=True,
        help="Largest query result.",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=2,
        show_default=True,
        help="Slow queries (past 0.25 s of CPU) at once.",
    ),
    click.option(
        "--cors/--no-cors",
        default=True,
        show_default=True,
        help="Let web pages of other origins read the answers (CORS).",
    ),
)
store = _all(
    click.option("--endpoint", required=True, help="The store's SPARQL query endpoint URL."),
    click.option(
        "--graph-store",
        default=None,
        help="The store's Graph Store Protocol URL (Oxigraph: /store). [default: --endpoint]",
    ),
    click.option(
        "--timeout", default=120.0, show_default=True, help="Seconds to wait for the store."
    ),
    click.option(
        "--user",
        default=None,
        help="Log in to the store as this user (Basic or Digest, as it asks); the password comes "
        "from $MINEKG_PUSH_PASSWORD or ~/.netrc, never from the command line.",
    ),
    click.option(
        "--resume", is_flag=True, help="Send only the graphs the store was not sent unchanged."
    ),
    click.option(
        "--update",
        default=None,
        help="The store's SPARQL Update URL (Oxigraph: /update): replace every graph in one "
        "request, all or nothing.",
    ),
)

# query, stats
query = _all(
    click.argument("name", required=False),
    click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"]),
        default="table",
        show_default=True,
        help="table for people; csv, tsv, json or xml: SPARQL 1.1 query results; ttl, nt or "
        "jsonld: the graph of a CONSTRUCT or DESCRIBE.",
    ),
    click.option(
        "--param",
        "params",
        multiple=True,
        metavar="KEY=VALUE",
        help="A parameter of the query, e.g. doc=A-79-690 (short form) or a full IRI. Repeatable.",
    ),
    click.option("--list", "list_only", is_flag=True, help="List the named queries and exit."),
    click.option(
        "--endpoint",
        default=None,
        help="Ask this SPARQL endpoint (Oxigraph, Virtuoso, Fuseki) instead of the built graph.",
    ),
    click.option(
        "--base",
        default=DEFAULT_BASE,
        show_default=True,
        help="With --endpoint: the base short forms such as doc=A-79-690 expand under.",
    ),
)
ranking = _all(
    click.option(
        "--top",
        type=click.IntRange(min=1),
        default=10,
        show_default=True,
        help="How many entities to rank, and community members to name, per projection.",
    ),
    click.option(
        "--ego",
        "ego_node",
        default=None,
        help="Also list everything linked to this IRI or state/arm.",
    ),
)

build_workers = _all(
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=2,
        show_default=True,
        help="Processes that map and validate documents (1: all in this process).",
    ),
    click.option(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="Run the per-document tasks on this Dask distributed scheduler's workers instead.",
    ),
)

# Each command's options, in the order its function takes them.
for_build = _all(project, data, ontology, build_out, base, sources, no_reasoner, build_workers)
for_check = _all(graph, ontology, report, strict, no_reasoner, infer, verbose)
for_show = _all(graph, view)
for_extract = _all(files, extract_format, project, reference, max_mb)
for_ingest = _all(files, project, records, reference, ontology, force, max_mb)
for_promote = _all(promotion, project, records, reference)
for_eval = _all(scoring, project, reference)
for_review = _all(review, sources, project, ontology)
for_publish = _all(graph, site_out, ontology, publish_base)
for_serve = _all(server, graph_with_old_out, ontology)
for_push = _all(store, graph_with_old_out)
for_query = _all(query, graph)
for_stats = _all(graph, ranking)
