"""The ``minekg`` command: wires the stages together and speaks to the user; no logic of its own.

Problems a user can fix come out as one line each (``FILE:LINE: FIELD: PROBLEM``) and a non-zero
exit code, never as a traceback.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from minekg import pipeline as building
from minekg.errors import InputErrors, MinekgError
from minekg.vocab import DEFAULT_BASE

console = Console(highlight=False, soft_wrap=True)


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
@click.option(
    "--ontology",
    "ontology_dir",
    type=click.Path(path_type=Path),
    default=Path("ontology"),
    show_default=True,
    help="Folder with the ontology files.",
)
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
def build(
    data_dir: Path, ontology_dir: Path, out_dir: Path, base: str, sources: Path | None
) -> None:
    """Build the graph from data/ and write the dumps to out/."""
    started = time.perf_counter()
    paths = building.Paths(data_dir, ontology_dir, out_dir)
    for folder in (data_dir / "reference", data_dir / "records", ontology_dir):
        if not folder.is_dir():
            _fail(f"{folder}: no such folder (run from the project root or pass --data/--ontology)")
    if sources is not None and not sources.is_dir():
        _fail(f"{sources}: no such folder of sources")
    try:
        result = building.build(paths, base=base, sources=sources)
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
    console.print(f"Validation (SHACL): {result.verdict.summary()}")
    console.print("Outputs:")
    for path in written:
        console.print(f"  {path}")


def _report_errors(exc: InputErrors) -> None:
    for error in exc.errors:
        click.echo(f"error: {error}", err=True)


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)
