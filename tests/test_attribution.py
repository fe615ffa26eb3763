"""Claims are attributed, never asserted: the graph says who claims what, where, and no more."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import PROV, RDF

from minekg.pipeline import BuildResult
from minekg.vocab import MKG, OA, SCHEMA, SEM

BASE = "https://w3id.org/minekg/"
ARMENIA = URIRef(BASE + "id/state/arm")
AZERBAIJAN = URIRef(BASE + "id/state/aze")
DOCUMENT_GRAPH_PREFIX = BASE + "graph/"
NON_DOCUMENT_GRAPHS = {BASE + "graph/" + name for name in ("reference", "ontology", "provenance")}
# How a document graph may point at a party: as accused, as named, as taking part in an event.
ATTRIBUTING_PREDICATES = {
    MKG.accused,
    MKG.claimant,
    SCHEMA.mentions,
    OA.hasBody,
    MKG.party,
    SEM.hasActor,
    MKG.organizer,
    MKG.participant,
    MKG.initiator,
    MKG.host,
    MKG.authorOrganization,
    MKG.country,
}


def document_graphs(built: BuildResult):
    return [
        g
        for g in built.dataset.graphs()
        if str(g.identifier).startswith(DOCUMENT_GRAPH_PREFIX)
        and str(g.identifier) not in NON_DOCUMENT_GRAPHS
    ]


def test_refusal_to_hand_over_maps_is_only_a_claim_by_azerbaijan(built: BuildResult) -> None:
    found = []
    for graph in document_graphs(built):
        for claim in graph.subjects(RDF.type, MKG.Claim):
            text = str(graph.value(claim, SCHEMA.text))
            if "maps" in text and "refus" in text:
                found.append((graph.identifier, claim))
                assert graph.value(claim, MKG.claimant) == AZERBAIJAN, text
                assert ARMENIA in set(graph.objects(claim, MKG.accused)), text
                source = graph.value(claim, PROV.wasDerivedFrom)
                assert source is not None and str(source).startswith(BASE + "id/document/"), text
                assert graph.value(claim, MKG.evidence) is not None, text
    documents = {g for g, _ in found}
    assert len(documents) >= 3, f"expected the maps claim in several documents, found {documents}"


def test_no_document_graph_states_anything_about_armenia_itself(built: BuildResult) -> None:
    for graph in document_graphs(built):
        assert not list(graph.predicate_objects(ARMENIA)), (
            f"{graph.identifier} asserts facts with Armenia as subject"
        )
        bad = {p for _, p, _ in graph.triples((None, None, ARMENIA))} - ATTRIBUTING_PREDICATES
        assert not bad, f"{graph.identifier} links to Armenia through {bad}"


def test_claims_and_figures_live_only_in_document_graphs(built: BuildResult) -> None:
    for _, _, cls, graph in built.dataset.quads((None, RDF.type, None, None)):
        if cls in (MKG.Claim, MKG.Observation):
            assert str(graph) not in NON_DOCUMENT_GRAPHS, f"{cls} asserted in {graph}"


def test_every_figure_names_its_source_and_quote(built: BuildResult) -> None:
    figures = 0
    for graph in document_graphs(built):
        for figure in graph.subjects(RDF.type, MKG.Observation):
            figures += 1
            source = graph.value(figure, PROV.wasDerivedFrom)
            assert source is not None and (source, RDF.type, MKG.SourceDocument) in graph
            evidence = graph.value(figure, MKG.evidence)
            assert (evidence, OA.hasSource, graph.value(evidence, OA.hasSource)) in graph
    assert figures > 50
