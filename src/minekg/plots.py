"""Figures over time, one series per source: what each document said, and when.

Sources restate running totals (area cleared, devices neutralized, mine victims) months apart,
sometimes with different numbers. Plotting each source's figures against the date they are stated
for shows at a glance who said what when, and where two sources disagree. Every point is labelled
with its document: a figure here is what a source states, not a measured fact.

A figure's date is the date it is stated *as of* when the source gives one; otherwise the date the
document (or its annex) was issued, and the point says so. Only cumulative measures of the victims,
clearance and devices groups are plotted: for those a later figure compares with an earlier one.

SVGs are byte-identical across runs (fixed hash salt, text kept as text, no date in the metadata),
so the build stays deterministic and tests can read the labels.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pyoxigraph as ox  # noqa: E402
from matplotlib.ticker import StrMethodFormatter  # noqa: E402

from minekg.store import base_of  # noqa: E402
from minekg.vocab import MEASURE  # noqa: E402

GROUPS = ("group_clearance", "group_devices", "group_victims")
STYLE: dict[str, Any] = {
    "svg.hashsalt": "minekg",
    "svg.fonttype": "none",
    "font.size": 9,
    "figure.figsize": (8, 4.5),
}

QUERY = """
PREFIX mkg: <https://w3id.org/minekg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
SELECT DISTINCT ?figure ?graph ?notation ?measureLabel ?unit ?value ?asOf ?issued WHERE {
  GRAPH ?graph {
    ?figure a mkg:Observation ; mkg:measure ?measure ; sdmx-measure:obsValue ?value ;
            prov:wasDerivedFrom ?source .
    OPTIONAL { ?figure mkg:asOf ?asOf }
    OPTIONAL { ?figure mkg:unitText ?unit }
  }
  ?measure mkg:cumulative true ; skos:notation ?notation ; rdfs:label ?measureLabel ;
           skos:broader ?group .
  VALUES ?group { %s }
  OPTIONAL { ?source dct:issued ?ownIssued }
  OPTIONAL { ?source dct:isPartOf ?whole . ?whole dct:issued ?wholeIssued }
  BIND(COALESCE(?ownIssued, ?wholeIssued) AS ?issued)
}
"""


@dataclass(frozen=True)
class Point:
    when: date | None  # None: neither the figure nor its document gives a date
    value: Decimal
    document: str
    dated_by: str  # "as of" (the source's own date), "issued" (the document's date) or ""

    @property
    def label(self) -> str:
        return f"{self.document}: {self.value.normalize():,f}"


@dataclass(frozen=True)
class Plot:
    measure: str
    title: str
    unit: str
    points: tuple[Point, ...]
    undated: tuple[Point, ...] = ()

    @property
    def documents(self) -> list[str]:
        return sorted({p.document for p in self.points})


def _order(point: Point) -> tuple:
    return (point.when or date.min, point.document, point.value)


def figures(store: ox.Store) -> list[Plot]:
    """One plot per cumulative measure with a dated figure; points sorted by date, undated apart.

    A point is named by its document's key, its graph's IRI less the base the graph was built
    under.
    """
    graphs = f"{base_of(store) or ''}graph/"
    groups = " ".join(f"<{MEASURE}{group}>" for group in GROUPS)
    rows = store.query(QUERY % groups, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    by_measure: dict[str, list[Point]] = {}
    # Sources word a unit differently ("explosive devices", "unexploded ordnance"): the axis
    # takes the smallest wording, never whichever row the store happened to give last.
    titles: dict[str, tuple[str, str]] = {}
    for row in rows:
        when, dated_by = _when(row["asOf"], row["issued"])
        notation = _text(row["notation"])
        unit = row["unit"]
        title = (_text(row["measureLabel"]), _text(unit) if unit else "")
        titles[notation] = min(titles.get(notation, title), title)
        document = _text(row["graph"]).removeprefix(graphs)
        by_measure.setdefault(notation, []).append(
            Point(when, Decimal(_text(row["value"])), document, dated_by)
        )
    return [
        Plot(
            measure,
            *titles[measure],
            tuple(sorted({p for p in points if p.when}, key=_order)),
            tuple(sorted({p for p in points if not p.when}, key=_order)),
        )
        for measure, points in sorted(by_measure.items())
        if any(p.when for p in points)
    ]


def _text(term: object) -> str:
    assert isinstance(term, ox.NamedNode | ox.Literal)
    return term.value


def _when(as_of: object, issued: object) -> tuple[date | None, str]:
    """xsd:date, xsd:gYearMonth or xsd:gYear, as the first day of the period."""
    for term, dated_by in ((as_of, "as of"), (issued, "issued")):
        if isinstance(term, ox.Literal):
            parts = [int(p) for p in term.value.split("-")[:3]]
            return date(*(parts + [1, 1])[:3]), dated_by
    return None, ""


# Beyond this many sources a plot shows its points unlabelled and without a legend: a thousand
# labels cover each other and took a minute to draw at 1,000 documents (issue 12). The table under
# each plot in plots.html names the source of every point.
LABELLED_SOURCES = 12


def svg(plot: Plot) -> bytes:
    """The plot as a deterministic SVG: labelled source by source, or past ``LABELLED_SOURCES``
    sources one unlabelled marker per figure."""
    with plt.rc_context(STYLE):  # type: ignore[arg-type]
        fig, ax = plt.subplots()
        if len(plot.documents) > LABELLED_SOURCES:
            _unlabelled(ax, plot)
        else:
            _labelled(ax, plot)
        ax.set_title(f"{plot.title}, as stated by each source")
        ax.set_ylabel(plot.unit or plot.measure)
        ax.set_xlabel("date the figure is stated for (as of, else the document's date)")
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        ax.margins(x=0.45, y=0.15)  # room for the labels right of the last points
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        if plot.undated:
            fig.text(
                0.01,
                0.01,
                "Not placed, no date given: " + "; ".join(p.label for p in plot.undated),
                fontsize=7,
                gid="undated",
            )
        # Fixed margins: tight_layout and a "best" legend measured every text twice, and were
        # two thirds of the time of a plot.
        fig.subplots_adjust(left=0.15, right=0.98, top=0.92, bottom=0.2 if plot.undated else 0.13)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    return buffer.getvalue()


def _labelled(ax: Any, plot: Plot) -> None:
    """A line and markers per source, each point labelled with its document."""
    colors = plt.get_cmap("tab10").colors  # type: ignore[attr-defined]
    stagger = {point: 4 - 11 * (i % 3) for i, point in enumerate(plot.points)}  # near points
    for index, document in enumerate(plot.documents):
        points = [p for p in plot.points if p.document == document]
        ax.plot(
            [mdates.date2num(p.when) for p in points if p.when],
            [float(p.value) for p in points],
            marker="o",
            color=colors[index % len(colors)],
            label=document,
        )
        for point in points:
            note = ax.annotate(
                point.label + (" (issued)" if point.dated_by == "issued" else ""),
                (mdates.date2num(point.when), float(point.value)),  # type: ignore[arg-type]
                xytext=(4, stagger[point]),
                textcoords="offset points",
                fontsize=7,
            )
            note.set_gid(f"point-{document}-{point.when}")
    ax.legend(fontsize=7, loc="upper left")


def _unlabelled(ax: Any, plot: Plot) -> None:
    """One marker per dated figure, and a note saying where their sources are named."""
    ax.plot(
        [mdates.date2num(p.when) for p in plot.points if p.when],
        [float(p.value) for p in plot.points],
        linestyle="none",
        marker="o",
        markersize=3,
        alpha=0.6,
    )
    ax.text(
        0.01,
        0.98,
        f"{len(plot.points)} figures from {len(plot.documents)} sources, too many to label: "
        "the table below the plot names the source of each",
        transform=ax.transAxes,
        fontsize=7,
        va="top",
        gid="unlabelled",
    )


def files(store: ox.Store) -> dict[str, bytes]:
    """``plots/<measure>.svg`` for each plot and ``plots.html`` showing them all with their data."""
    plots = figures(store)
    out = {f"plots/{plot.measure}.svg": svg(plot) for plot in plots}
    out["plots.html"] = page(plots, out).encode()
    return out


def page(plots: list[Plot], svgs: dict[str, bytes]) -> str:
    """One page with every figure inline and a table of its points under it."""
    sections = []
    for plot in plots:
        drawing = svgs[f"plots/{plot.measure}.svg"].decode()
        drawing = drawing[drawing.index("<svg") :]
        rows = "".join(
            f"<tr><td>{p.when or 'no date given'}</td><td>{p.dated_by}</td>"
            f"<td>{html.escape(p.document)}</td><td>{p.value.normalize():,f}</td></tr>"
            for p in plot.points + plot.undated
        )
        sections.append(
            f'<section id="{plot.measure}"><h2>{html.escape(plot.title)}</h2>{drawing}'
            "<table><tr><th>date</th><th>dated by</th><th>document</th><th>value</th></tr>"
            f"{rows}</table></section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>minekg: figures over time by source</title>"
        "<style>body{font:14px system-ui,sans-serif;margin:2em}svg{max-width:100%;height:auto}"
        "td,th{padding:2px 8px;text-align:left}</style></head><body>"
        "<h1>Figures over time, by source</h1><p>Each point is a figure a document states, "
        "labelled with that document; where a figure gives no date of its own it is placed at "
        "the date the document was issued.</p>" + "".join(sections) + "</body></html>\n"
    )
