"""Projections, centrality, communities and ego networks of the corpus graph, against the records.

What each projection should link is read from data/records/*.yaml and data/reference/events.yaml,
not from the graph the projections are built from.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT
from minekg import analytics, labels, store
from minekg.cli import main
from minekg.vocab import DEFAULT_BASE

ID = "https://w3id.org/minekg/id/"
RECORDS = {
    path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "data" / "records").glob("*.yaml"))
}
REFERENCE_EVENTS = yaml.safe_load((ROOT / "data/reference/events.yaml").read_text())["events"]
EVENT_ROLES = ("organizers", "participants", "parties", "actors")
EVENT_ROLE = ("initiator", "host", "body")


@pytest.fixture(scope="module")
def graphs(written: Path) -> dict[str, nx.Graph]:
    return analytics.projections(store.load(written), DEFAULT_BASE)


@pytest.fixture(scope="module")
def loaded(written: Path) -> ox.Store:
    return store.load(written)


def doc(key: str) -> str:
    return f"{ID}document/{key}"


def documents_accusing(actor: str) -> set[str]:
    return {
        key
        for key, record in RECORDS.items()
        if any(actor in claim.get("accused", []) for claim in record.get("claims", []))
    }


def documents_naming(actor: str) -> set[str]:
    """Documents that mention the actor or record a claim by or against it."""
    return {
        key
        for key, record in RECORDS.items()
        if any(m["entity"] == actor for m in record.get("mentions", []))
        or any(
            c["claimant"] == actor or actor in c.get("accused", [])
            for c in record.get("claims", [])
        )
    }


def events_with(actor: str) -> set[str]:
    """Events in which the records or the reference data give the actor a role."""
    tellings = [e for record in RECORDS.values() for e in record.get("events", [])]
    return {
        event["key"]
        for event in tellings + REFERENCE_EVENTS
        if any(actor in event.get(role, []) for role in EVENT_ROLES)
        or any(event.get(role) == actor for role in EVENT_ROLE)
    }


def test_azerbaijan_is_among_the_actors_with_most_documents(graphs) -> None:
    summary = analytics.summarise("actors-documents", graphs["actors-documents"], side="a")
    top = summary.top_degree[0].degree
    leaders = {r.node for r in summary.top_degree if r.degree == top}
    assert f"{ID}state/aze" in leaders
    assert top == len(documents_naming("aze")) == len(RECORDS)


def test_each_actor_is_linked_to_the_documents_that_name_it(graphs) -> None:
    graph = graphs["actors-documents"]
    for actor in ("state/aze", "state/arm", "organization/undp", "person/yashar-aliyev"):
        linked = {n.rsplit("/", 1)[1] for n in graph.neighbors(ID + actor)}
        assert linked == documents_naming(actor.split("/")[1]), actor


def test_armenia_is_connected_to_the_documents_that_accuse_it(graphs) -> None:
    graph = graphs["actors-documents"]
    accusing = documents_accusing("arm")
    assert accusing
    for key in accusing:
        assert "accused" in graph.edges[f"{ID}state/arm", doc(key)]["how"], key


def test_documents_point_to_the_rules_they_cite_and_invoke(graphs) -> None:
    graph = graphs["documents-instruments"]
    assert graph.is_directed()
    record = RECORDS["A-79-690"]
    cited = {c["rule"] for c in record["citations"] if "rule" in c}
    invoked = {rule for claim in record["claims"] for rule in claim.get("rules", [])}
    for rule in cited | invoked:
        how = graph.edges[doc("A-79-690"), f"{ID}ihl-rule/{rule}"]["how"]
        assert ("cites" in how) == (rule in cited) and ("invokes" in how) == (rule in invoked)
    assert all(graph.nodes[n]["side"] == "a" for n, _ in graph.edges)


def test_actors_are_linked_to_the_events_they_have_a_role_in(graphs) -> None:
    graph = graphs["actors-events"]
    for actor in ("state/aze", "state/arm", "state/rus", "organization/undp"):
        linked = {n.rsplit("/", 1)[1] for n in graph.neighbors(ID + actor)}
        assert linked == events_with(actor.split("/")[1]), actor


def test_azerbaijan_has_the_highest_betweenness_among_actors_in_events(graphs) -> None:
    summary = analytics.summarise("actors-events", graphs["actors-events"], side="a")
    assert summary.top_betweenness[0].node == f"{ID}state/aze"
    assert summary.top_degree[0].degree == len(events_with("aze"))
    values = [r.betweenness for r in summary.top_betweenness]
    assert values == sorted(values, reverse=True)


def test_communities_partition_each_projection_the_same_way_every_time(graphs) -> None:
    for name, graph in graphs.items():
        found = analytics.communities(graph)
        members = [node for community in found for node in community]
        assert sorted(members) == sorted(graph.nodes), name
        assert len(found) > 1, name
        assert found == analytics.communities(graph), name


def test_summaries_count_nodes_and_edges(graphs) -> None:
    for summary in analytics.summaries(graphs, top=3):
        graph = graphs[summary.name]
        assert (summary.nodes, summary.edges) == (len(graph), graph.number_of_edges())
        assert len(summary.top_degree) == 3


def test_ego_network_of_armenia(graphs) -> None:
    neighbours = analytics.ego(graphs, f"{ID}state/arm")
    linked = {(n.projection, n.node.rsplit("/", 1)[1]) for n in neighbours}
    assert {("actors-documents", key) for key in documents_accusing("arm")} <= linked
    assert {("actors-events", key) for key in events_with("arm")} <= linked
    assert all(n.relations for n in neighbours)


def test_ego_network_of_a_document_follows_direction(graphs) -> None:
    neighbours = analytics.ego(graphs, doc("A-79-690"))
    rule = next(n for n in neighbours if n.node == f"{ID}ihl-rule/82")
    assert rule.outgoing and rule.projection == "documents-instruments"


def test_labels_name_entities_and_documents(loaded) -> None:
    names = labels.labels(loaded)
    assert names[f"{ID}state/arm"] == "Armenia"
    assert names[doc("A-79-690")].startswith("Letter dated 12 December 2024")


def test_stats_command_prints_counts_leaders_and_ego(written: Path, graphs) -> None:
    args = ["stats", "--graph", str(written), "--top", "3", "--ego", "state/arm"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    graph = graphs["actors-events"]
    assert f"actors-events: {len(graph)} nodes, {graph.number_of_edges()} edges" in result.output
    assert "Azerbaijan (state/aze)" in result.output
    assert "Linked to Armenia (state/arm)" in result.output
    assert result.output == CliRunner().invoke(main, args).output


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--ego", "state/nowhere"], "in none of the projections"),
        (["--graph", "no-such-out"], "no such file or folder"),
    ],
)
def test_stats_command_user_errors(written: Path, args: list[str], problem: str) -> None:
    result = CliRunner().invoke(main, ["stats", "--graph", str(written), *args])
    assert result.exit_code == 1
    assert problem in result.output and "Traceback" not in result.output


def test_counts_are_the_records_items(loaded) -> None:
    found = analytics.counts(loaded)
    for name, field in (
        ("claims", "claims"),
        ("figures", "figures"),
        ("mentions", "mentions"),
        ("event accounts", "events"),
        ("citations", "citations"),
    ):
        assert found[name] == sum(len(r.get(field, [])) for r in RECORDS.values()), name
    parts = sum(len(r["document"].get("parts", [])) for r in RECORDS.values())
    assert found["source documents"] == len(RECORDS) + parts
    states = yaml.safe_load((ROOT / "data/reference/states.yaml").read_text())["states"]
    assert found["states"] == len(states)
