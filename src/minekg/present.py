"""What the command line shows people: the tables and lists of build, check, eval, query, stats.

Kept apart from the stages so a stage returns data (a verdict, an answer, scores) that a script
or a notebook can use as it is, and only this module decides how it looks in a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from minekg.vocab import shorten

if TYPE_CHECKING:
    from minekg import analytics, checks, evaluate, pipeline, queries, reasoning, store

console = Console(highlight=False, soft_wrap=True)


def up_to_date(current: pipeline.Current, seconds: float) -> None:
    console.print(
        f"Nothing changed since the last build ({seconds:.1f} s to tell): the records, reference"
        " data, ontology, sources and options are those it was built from, so "
        f"{current.out}/ was left as it was."
    )
    for line in current.report:
        console.print(line)


def build_summary(
    result: pipeline.BuildResult,
    written: list[Path],
    seconds: float,
    sources: Path | None,
    owl: str,
    base: str,
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
    findings(result.verdict, base, verbose=False)
    console.print(f"OWL consistency: {owl}")
    console.print("Outputs:")
    for path in written:
        console.print(f"  {path}")


SHOWN_PER_SHAPE = 5


def findings(verdict: checks.Verdict, base: str | None, verbose: bool) -> None:
    """Findings grouped by severity, then shape, then focus node, each with its document.

    Without ``verbose``, the first few of each shape: a build of a thousand documents can have
    thousands of warnings, which the SHACL report lists in full, and printing them all took
    longer than building (141 s at 1,000 documents, issue 12).
    """
    from minekg.checks import SEVERITY_ORDER, Finding

    for severity in SEVERITY_ORDER:
        found = verdict.of_severity(severity)
        if not found or (severity == "Info" and not verbose):
            continue
        console.print(f"[bold]{severity}[/bold] ({len(found)})")
        by_shape: dict[str, list[Finding]] = {}
        for finding in found:
            by_shape.setdefault(finding.shape, []).append(finding)
        for shape, group in sorted(by_shape.items()):
            console.print(f"  {shorten(shape, base)} ({len(group)})")
            ordered = sorted(group, key=lambda f: f.focus)
            shown = ordered if verbose else ordered[:SHOWN_PER_SHAPE]
            for f in shown:
                console.print(f"    {shorten(f.focus, base)}  [dim]in {f.document}[/dim]")
                console.print(f"      {f.message}", markup=False)
            if len(shown) < len(ordered):
                console.print(
                    f"    … and {len(ordered) - len(shown)} more, in the SHACL report "
                    "(minekg check --verbose prints them)"
                )
    infos = verdict.of_severity("Info")
    if infos and not verbose:
        console.print(
            f"{len(infos)} informational finding(s) (recommended values missing); "
            "--verbose lists them"
        )
    console.print(f"SHACL: {verdict.summary()}")


def check_outcome(
    outcome: checks.Checked, infer: str | None, verbose: bool, seconds: float
) -> None:
    findings(outcome.verdict, outcome.base, verbose)
    if outcome.consistency is not None:
        consistency(outcome.consistency, outcome.base)
    console.print(f"SHACL report: {outcome.report_path}")
    if outcome.inferred_path is not None:
        console.print(
            f"Inferred triples ({infer}): {outcome.inferred_path}, graph <.../graph/inferred>"
        )
    console.print(f"Checked {outcome.graph_file} in {seconds:.1f} s")


def consistency(result: reasoning.Consistency, base: str | None) -> None:
    if not result.consistent:
        detail = result.explanation or "unsatisfiable: " + ", ".join(result.unsatisfiable_classes)
        console.print(f"OWL (HermiT): INCONSISTENT: {detail}")
        return
    console.print(
        f"OWL (HermiT): consistent ({result.seconds:.1f} s); "
        f"{len(result.inferred_types)} node(s) with inferred types"
    )
    for node, types in sorted(result.inferred_types.items()):
        also = ", ".join(shorten(t, base) for t in types)
        console.print(f"  {shorten(node, base)} is also a {also}")


def scores(sets: list[tuple[Path, evaluate.Evaluation]]) -> None:
    """One column group per set of answer keys; counts too when there is only one set."""
    from minekg.evaluate import CATEGORIES

    title = ", ".join(f"{gold} ({result.scored})" for gold, result in sets)
    table = Table(title=f"Extraction scored against answer key(s): {title}", show_edge=False)
    table.add_column("category")
    columns = ("P", "R", "F1") if len(sets) > 1 else ("gold", "found", "matched", "P", "R", "F1")
    for index, _ in enumerate(sets):
        for column in columns:
            table.add_column(
                column if len(sets) == 1 else f"{column} [{index + 1}]", justify="right"
            )
    for category in [*CATEGORIES, "overall (micro)"]:
        row = [category]
        for _, result in sets:
            score = result.overall if category == "overall (micro)" else result.totals[category]
            counts = [str(score.expected), str(score.found), str(score.matched)]
            ratios = [f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}"]
            row += ratios if len(sets) > 1 else counts + ratios
        table.add_row(*row)
    console.print(table)
    if len(sets) == 1:
        console.print(f"{sets[0][1].scored} answer key(s)")


def named_queries(named: Iterable[queries.NamedQuery]) -> None:
    for query in named:
        console.print(f"[bold]{query.name}[/bold]  {query.question}")
        for p in query.parameters:
            need = "required" if p.required else "optional"
            console.print(f"    --param {p.name}=…  ({p.kind}, {need}) {p.description}")


def answer(result: queries.Answer, base: str | None) -> None:
    """A table if it fits the terminal, else one block per row (column: value), like psql's \\x.

    An ASK answer is its truth; a CONSTRUCT or DESCRIBE answer is its graph, in Turtle.
    """
    from minekg.queries import render, short

    if result.boolean is not None or result.triples is not None:
        console.print(render(result, "table"), end="", markup=False)
        return

    table = Table(show_edge=False, header_style="bold")
    for name in result.variables:
        table.add_column(name, overflow="fold")
    for row in result.rows:
        table.add_row(*(short(t, base) for t in row))
    natural = Measurement.get(console, console.options.update_width(10_000), table).maximum
    if natural <= console.width:
        console.print(table)
    else:
        width = max(len(name) for name in result.variables)
        for number, row in enumerate(result.rows, start=1):
            console.print(f"[bold]-- row {number} --[/bold]")
            for name, term in zip(result.variables, row, strict=True):
                if term is not None:
                    console.print(f"{name:>{width}}: {short(term, base)}")
    console.print(f"{len(result.rows)} row(s)")


def stats(
    graph: store.Built,
    projections: dict[str, Any],
    top: int,
    ego: tuple[str, list[analytics.Neighbour]] | None,
) -> None:
    """``minekg stats``: counts, then the leaders and communities of each projection."""
    from minekg import analytics
    from minekg.labels import labels

    names, base = labels(graph.store), graph.base

    def named(iri: str) -> str:
        short = shorten(iri, base)
        return f"{names[iri]} ({short})" if iri in names else short

    console.print(
        f"{len(graph.store):,} statements in {len(list(graph.store.named_graphs()))} named graphs"
    )
    console.print(", ".join(f"{n} {name}" for name, n in analytics.counts(graph.store).items()))
    for summary in analytics.summaries(projections, top):
        console.print(
            f"\n[bold]{summary.name}[/bold]: {summary.nodes} nodes, {summary.edges} edges, "
            f"{len(summary.communities)} communities"
        )
        ranks = Table(show_edge=False)
        for column in ("by degree", "degree", "by betweenness", "betweenness"):
            ranks.add_column(column, justify="right" if column[0] != "b" else "left")
        for d, b in zip(summary.top_degree, summary.top_betweenness, strict=True):
            ranks.add_row(named(d.node), str(d.degree), named(b.node), f"{b.betweenness:.3f}")
        console.print(ranks)
        for number, members in enumerate(summary.communities, start=1):
            shown = ", ".join(shorten(m, base) for m in members[:top])
            more = f" and {len(members) - top} more" if len(members) > top else ""
            console.print(f"  community {number} ({len(members)}): {shown}{more}")
    if ego is not None:
        iri, neighbours = ego
        console.print(f"\n[bold]Linked to {named(iri)}[/bold] ({len(neighbours)})")
        for n in neighbours:
            arrow = "->" if n.outgoing else "<-"
            console.print(f"  {n.projection}: {arrow} {named(n.node)}  [{', '.join(n.relations)}]")
