"""The graph page: what it draws comes from the records, it loads nothing remotely, it is stable."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import URIRef

from conftest import ROOT
from minekg import show, store
from minekg.cli import main
from minekg.errors import MinekgError

ID = "https://w3id.org/minekg/id/"


def records() -> list[dict]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((ROOT / "data" / "records").glob("*.yaml"))
    ]


@pytest.fixture(scope="module")
def facts(written: Path):
    return show.read_facts(store.load(written))


def page_data(html: str) -> dict:
    match = re.search(r"const DATA = (\{.*?\});\n", html)
    assert match, "the page carries its graph as DATA"
    return json.loads(match.group(1))


class ExternalReferences(HTMLParser):
    """Every src/href of a script, link, img, iframe or style import: what a browser would fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "link", "img", "iframe", "object", "embed", "source"):
            self.found += [v or "" for k, v in attrs if k in ("src", "href", "data")]


def test_build_writes_a_page_that_fetches_nothing(written: Path) -> None:
    html = (written / "graph.html").read_text(encoding="utf-8")
    parser = ExternalReferences()
    parser.feed(html)
    assert parser.found == []
    assert not re.search(r"@import|url\(\s*['\"]?https?:", html)
    assert "vis.Network" in html and "new vis.DataSet" in html


def test_every_claim_is_drawn_with_its_claimant_and_accused(facts) -> None:
    edges = show.project(facts, "actors")
    claimant = {(e.source, e.target) for e in edges if e.relation == "claimant"}
    accused = {(e.source, e.target) for e in edges if e.relation == "accused"}
    expected_claimants, expected_accused = set(), set()
    for record in records():
        for claim in record.get("claims", []):
            at = f"{ID}claim/{record['key']}/{claim['at']}"
            expected_claimants.add((at, claim["claimant"]))
            expected_accused |= {(at, key) for key in claim.get("accused", [])}
    assert {(s, t.rsplit("/", 1)[-1]) for s, t in claimant} == expected_claimants
    assert {(s, t.rsplit("/", 1)[-1]) for s, t in accused} == expected_accused


def test_documents_cite_the_rules_the_records_cite(facts) -> None:
    edges = show.project(facts, "citations")
    cited_rules = {
        (e.source.removeprefix(f"{ID}document/").split("/")[0], e.target.rsplit("/", 1)[-1])
        for e in edges
        if "/ihl-rule/" in e.target
    }
    expected = {
        (record["key"], str(citation["rule"]))
        for record in records()
        for citation in record.get("citations", [])
        if "rule" in citation
    }
    assert expected and cited_rules == expected


def test_each_document_telling_an_event_is_linked_to_it(facts) -> None:
    edges = show.project(facts, "events")
    tells = {
        (e.source.removeprefix(f"{ID}document/").split("/")[0], e.target.rsplit("/", 1)[-1])
        for e in edges
        if e.relation == "tells of"
    }
    expected = {(r["key"], event["key"]) for r in records() for event in r.get("events", [])}
    assert tells == expected


def test_links_and_nodes_carry_the_documents_that_state_them(facts, built) -> None:
    graph = show.display_graph(facts, "actors")
    aze = next(n for n in graph.nodes if n.iri == f"{ID}state/aze")
    assert aze.label == "Azerbaijan" and aze.kind == "State"
    node = URIRef(f"{ID}state/aze")
    graphs = {str(g) for s, p, o, g in built.dataset.quads() if node in (s, o)}
    named = {g.rsplit("/", 1)[-1] for g in graphs} - {"reference", "ontology", "provenance"}
    assert set(aze.documents) == named == {r["key"] for r in records()}
    assert all(edge.documents for edge in graph.edges)


def test_focus_keeps_the_neighbourhood_only(facts) -> None:
    graph = show.display_graph(facts, "all", focus="state/arm")
    center = f"{ID}state/arm"
    neighbours = {e.source for e in graph.edges if e.target == center} | {
        e.target for e in graph.edges if e.source == center
    }
    assert {n.iri for n in graph.nodes} == neighbours | {center}
    assert len(graph.nodes) < len(show.display_graph(facts, "all").nodes)
    with pytest.raises(MinekgError, match="no such resource"):
        show.display_graph(facts, "all", focus="state/nowhere")


def test_node_limit_keeps_the_best_connected_and_says_what_was_left_out(facts) -> None:
    whole = show.display_graph(facts, "all", limit=0)
    cut = show.display_graph(facts, "all", limit=10)
    assert len(cut.nodes) == 10
    assert sum(cut.left_out.values()) == len(whole.nodes) - 10
    assert f"{ID}state/aze" in {n.iri for n in cut.nodes}  # the most linked node of all
    html = show.page(cut)
    assert "left out" in html
    for kind, count in cut.left_out.items():
        assert f"{count} {kind}" in html


def synthetic(size: int) -> show.DisplayGraph:
    nodes = [show.Node(f"urn:n{i:05d}", f"node {i}", "State", ("doc",)) for i in range(size)]
    edges = [
        show.Edge(nodes[i].iri, nodes[i // 2].iri, "mentions", ("doc",)) for i in range(1, size)
    ]
    return show.DisplayGraph("synthetic", nodes, edges)


def test_physics_settles_small_graphs_briefly_larger_ones_and_is_off_for_large_ones() -> None:
    small = page_data(show.page(synthetic(50)))["options"]["physics"]
    medium = page_data(show.page(synthetic(show.PHYSICS_LIMIT + 1)))["options"]["physics"]
    large = page_data(show.page(synthetic(show.STABILISE_LIMIT + 1)))
    assert small["enabled"] and medium["enabled"]
    assert small["stabilization"]["iterations"] > medium["stabilization"]["iterations"]
    assert large["options"]["physics"]["enabled"] is False
    assert len({(n["x"], n["y"]) for n in large["nodes"]}) == show.STABILISE_LIMIT + 1


def test_the_page_is_byte_identical_across_runs(written: Path) -> None:
    again = show.page(show.display_graph(show.read_facts(store.load(written))))
    assert (written / "graph.html").read_text(encoding="utf-8") == again


def test_labels_cannot_break_out_of_the_page() -> None:
    graph = synthetic(2)
    graph.nodes[0] = show.Node("urn:n00000", "</script><script>alert(1)</script>", "State", ())
    html = show.page(graph)
    assert "<script>alert(1)" not in html
    assert page_data(html)["nodes"][0]["fullLabel"] == "</script><script>alert(1)</script>"


def test_show_command_writes_the_page_and_fails_in_one_line(written: Path, tmp_path: Path) -> None:
    output = tmp_path / "aze.html"
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "show",
            "--graph",
            str(written),
            "--kind",
            "actors",
            "--focus",
            "state/aze",
            "-o",
            str(output),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Azerbaijan" in output.read_text(encoding="utf-8")
    failed = runner.invoke(
        main, ["show", "--graph", str(written), "--focus", "nowhere/x", "-o", str(output)]
    )
    assert failed.exit_code == 1
    assert failed.output.strip().splitlines() == [
        "error: --focus nowhere/x: no such resource in the graph (give its IRI or kind/key)"
    ]
    missing = runner.invoke(main, ["show", "--graph", str(tmp_path / "empty")])
    assert missing.exit_code == 1 and "Traceback" not in missing.output
