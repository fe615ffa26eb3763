"""Links between documents that a reader can establish are in the graph, each with its quote."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from minekg.pipeline import BuildResult
from minekg.vocab import CITO, MKG, OA, SCHEMA

ID = "https://w3id.org/minekg/id/document/"
GRAPH = "https://w3id.org/minekg/graph/"


def test_the_december_letter_cites_the_june_letter_by_its_joint_symbol(built: BuildResult) -> None:
    december = built.dataset.graph(URIRef(GRAPH + "A-79-690"))
    june = URIRef(ID + "A-78-908")
    cited = set(december.objects(URIRef(ID + "A-79-690"), CITO.cites))
    assert june in cited, "A/79/690 footnote 5 cites A/78/908-S/2024/456, the letter of 10 June"
    # Both halves of the joint symbol resolve to the one document.
    citations = [c for c in december.subjects(CITO.hasCitedEntity, june)]
    assert len(citations) == 2
    # The June letter does not print its symbols: identifying them is the reviewer's word,
    # kept in the provenance graph with the document that establishes it.
    provenance = built.dataset.graph(URIRef(GRAPH + "provenance"))
    identified = {str(s) for s in provenance.objects(june, MKG.identifiedSymbol)}
    assert identified == {"A/78/908", "S/2024/456"}
    for identification in provenance.subjects(MKG.identifiedDocument, june):
        assert provenance.value(identification, MKG.establishedBy) == URIRef(ID + "A-79-690")
    june_graph = built.dataset.graph(URIRef(GRAPH + "A-78-908"))
    assert not list(june_graph.triples((june, MKG.identifiedSymbol, None)))


def test_the_news_article_reports_on_the_december_letter(built: BuildResult) -> None:
    article_key = "caliber-az-2024-12-azerbaijan-urges-un"
    graph = built.dataset.graph(URIRef(GRAPH + article_key))
    assert (URIRef(ID + article_key), MKG.reportsOn, URIRef(ID + "A-79-690")) in graph


def test_annexes_are_parts_with_their_own_author(built: BuildResult) -> None:
    graph = built.dataset.graph(URIRef(GRAPH + "A-78-908"))
    parts = set(graph.objects(URIRef(ID + "A-78-908"), DCTERMS.hasPart))
    assert parts == {URIRef(ID + "A-78-908/annex-1"), URIRef(ID + "A-78-908/annex-2")}
    statement = URIRef(ID + "A-78-908/annex-1")
    authors = {str(a) for a in graph.objects(statement, URIRef("https://schema.org/author"))}
    assert authors == {"https://w3id.org/minekg/id/person/ilham-aliyev"}


def test_evidence_in_an_annex_points_at_the_annex(built: BuildResult) -> None:
    graph = built.dataset.graph(URIRef(GRAPH + "A-78-908"))
    in_annex = {ev for ev, _ in graph.subject_objects(MKG.inPart)}
    assert in_annex
    provenance = built.dataset.graph(URIRef(GRAPH + "provenance"))
    for evidence in in_annex:
        text = graph.value(evidence, OA.hasSource)
        assert (text, SCHEMA.encodesCreativeWork, URIRef(ID + "A-78-908")) in provenance
        assert str(provenance.value(text, MKG.sha256)) == (
            "652452e5665d6d50f837272d871d57f47e8bc0d84aa63bed73ec2abf151602ed"
        )
