"""Figures over time by source: the points and labels come from the records, the SVGs are stable."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, Namespace

from conftest import ROOT
from minekg import plots, store

SVG = "{http://www.w3.org/2000/svg}"
MKG = Namespace("https://w3id.org/minekg/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
MEASURE = Namespace("https://w3id.org/minekg/measure/")


def plotted_measures() -> set[str]:
    """Cumulative measures of the victims, clearance and devices groups, from measures.ttl."""
    graph = Graph().parse(ROOT / "ontology" / "measures.ttl")
    groups = {MEASURE[g] for g in ("group_victims", "group_clearance", "group_devices")}
    return {
        str(graph.value(m, SKOS.notation))
        for m in graph.subjects(MKG.cumulative, Literal(True))
        if graph.value(m, SKOS.broader) in groups
    }


def first_day(value: object) -> datetime.date:
    text = str(value)
    parts = [int(p) for p in text.split("-")]
    return datetime.date(*(parts + [1, 1])[:3])


def expected_points() -> dict[str, set[tuple[str, datetime.date | None, Decimal]]]:
    """Per measure: (document, date, value), the date being as_of, else the part's or document's."""
    wanted = plotted_measures()
    points: dict[str, set] = {}
    for path in sorted((ROOT / "data" / "records").glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        parts = {part["key"]: part for part in record["document"].get("parts", [])}
        for figure in record.get("figures", []):
            if figure["measure"] not in wanted or "value" not in figure:
                continue
            source = parts.get(figure.get("part"), record["document"])
            stated = figure.get("as_of") or source.get("date") or record["document"].get("date")
            when = first_day(stated) if stated else None
            points.setdefault(figure["measure"], set()).add(
                (record["key"], when, Decimal(str(figure["value"])))
            )
    return points


@pytest.fixture(scope="module")
def figures(written: Path) -> list[plots.Plot]:
    return plots.figures(store.load(written))


def test_every_dated_figure_is_a_point_of_its_source(figures) -> None:
    expected = expected_points()
    dated = {m for m, points in expected.items() if any(when for _, when, _ in points)}
    assert {"area_cleared_ha", "explosive_devices_neutralized", "mine_victims_total"} <= dated
    assert {plot.measure for plot in figures} == dated
    for plot in figures:
        drawn = {(p.document, p.when, p.value) for p in plot.points + plot.undated}
        assert drawn == expected[plot.measure], plot.measure


def test_area_cleared_as_each_source_states_it(figures) -> None:
    area = next(plot for plot in figures if plot.measure == "area_cleared_ha")
    assert [(p.when.isoformat(), p.document, p.dated_by, p.label) for p in area.points] == [
        ("2024-05-29", "A-78-908", "issued", "A-78-908: 140,000"),
        ("2024-11-30", "caliber-az-2024-12-azerbaijan-urges-un", "as of",
         "caliber-az-2024-12-azerbaijan-urges-un: 176,237"),
        ("2024-12-12", "A-79-690", "issued", "A-79-690: 165,871.5"),
    ]  # fmt: skip
    assert [p.label for p in area.undated] == ["astro-awani-2025-04-mine-awareness-day: 179,791.8"]


def texts(svg: bytes) -> dict[str, str]:
    """The text of every labelled point (its group id → the words drawn)."""
    root = ET.fromstring(svg)
    return {
        group.get("id", ""): " ".join(t.text or "" for t in group.iter(f"{SVG}text")).strip()
        for group in root.iter(f"{SVG}g")
        if group.get("id", "").startswith("point-") or group.get("id") == "undated"
    }


def test_each_point_in_the_svg_is_labelled_with_its_document(written: Path, figures) -> None:
    for plot in figures:
        drawn = texts((written / "plots" / f"{plot.measure}.svg").read_bytes())
        for point in plot.points:
            label = drawn[f"point-{point.document}-{point.when}"]
            assert label.startswith(point.label), (plot.measure, label)
            assert label.endswith("(issued)") == (point.dated_by == "issued")
        if plot.undated:
            assert all(p.label in drawn["undated"] for p in plot.undated)
        svg_text = (written / "plots" / f"{plot.measure}.svg").read_text(encoding="utf-8")
        assert all(document in svg_text for document in plot.documents)  # the legend


def test_svgs_are_byte_identical_and_undated(written: Path) -> None:
    again = plots.files(store.load(written))
    for name, payload in again.items():
        assert (written / name).read_bytes() == payload, name
    assert b"<dc:date>" not in again["plots/area_cleared_ha.svg"]


def test_the_plots_page_shows_every_figure_and_its_numbers(written: Path, figures) -> None:
    html = (written / "plots.html").read_text(encoding="utf-8")
    assert html.count("<svg") == len(figures)
    for plot in figures:
        assert f'<section id="{plot.measure}">' in html
        for point in plot.points:
            assert (
                f"<td>{point.when}</td><td>{point.dated_by}</td><td>{point.document}</td>" in html
            )


def test_a_plot_with_more_sources_than_labels_can_show_names_them_in_its_table() -> None:
    """Past a dozen sources the SVG marks every point but labels none (the labels would cover
    each other); the page's table still names the source of every point."""
    many = plots.Plot(
        "area_cleared_ha",
        "Area cleared",
        "ha",
        tuple(
            plots.Point(
                datetime.date(2020 + n // 12, n % 12 + 1, 1), Decimal(1000 + n), f"d-{n}", ""
            )
            for n in range(plots.LABELLED_SOURCES + 1)
        ),
    )
    drawing = plots.svg(many)
    root = ET.fromstring(drawing)
    gids = {element.get("id") for element in root.iter()}
    assert not any(gid and gid.startswith("point-") for gid in gids)
    assert "too many to label" in drawing.decode()
    page = plots.page([many], {"plots/area_cleared_ha.svg": drawing})
    assert all(f"<td>d-{n}</td>" in page for n in range(plots.LABELLED_SOURCES + 1))
    few = plots.Plot("area_cleared_ha", "Area cleared", "ha", many.points[:2])
    assert {"point-d-0-2020-01-01", "point-d-1-2020-02-01"} <= {
        element.get("id") for element in ET.fromstring(plots.svg(few)).iter()
    }
