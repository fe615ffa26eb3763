"""The OWL checks that scale with the archive: what a document's statements can contradict in
the ontology, found by queries on the store (``reasoning.contradictions``) instead of HermiT on
the whole graph; HermiT itself runs on the ontology and the reference data, and only again when
they change."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from test_build import _record, _snapshot, good_build, run_cli, run_without_reasoner

from minekg import pipeline, reasoning
from minekg.pipeline import Paths
from minekg.project import ONTOLOGY

__all__ = ["good_build"]  # a fixture of test_build, used here

MKG = "https://w3id.org/minekg/ontology#"
PREFIXES = f"""
@prefix mkg: <{MKG}> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://example.org/id/> .
"""


def _contradictions(data: str, axioms: str = "", unsatisfiable: frozenset[str] = frozenset()):
    ontology = Graph().parse(ONTOLOGY / "minekg.ttl")
    ontology.parse(data=PREFIXES + axioms, format="turtle")
    store = ox.Store()
    store.load((PREFIXES + data).encode(), ox.RdfFormat.TURTLE)
    return reasoning.contradictions(store, reasoning.Axioms.of(ontology), set(unsatisfiable))


def test_well_typed_statements_contradict_nothing() -> None:
    data = 'id:r a mkg:CustomaryIHLRule ; mkg:ruleNumber "82"^^xsd:integer .'
    assert _contradictions(data) == []


@pytest.mark.parametrize(
    "data,axioms,why",
    [
        ('id:r mkg:ruleNumber "n/a"^^xsd:integer .', "", "is an ill-typed literal"),
        ('id:r mkg:ruleNumber "82" .', "", "outside the property's range"),
        (
            'id:r mkg:ruleNumber "82"^^xsd:integer, "83"^^xsd:integer .',
            "mkg:ruleNumber a owl:FunctionalProperty .",
            "2 values of the functional property",
        ),
        (
            "id:a a mkg:Annex, mkg:Statement .",
            "mkg:Annex owl:disjointWith mkg:Statement .",
            f"the disjoint classes <{MKG}Annex> and <{MKG}Statement>",
        ),
        (  # a sub-class of one of two disjoint classes
            "id:a a mkg:Annex, mkg:Letter .",
            "[] a owl:AllDisjointClasses ; owl:members (mkg:Annex mkg:Letter) .",
            "the disjoint classes",
        ),
    ],
)
def test_each_kind_of_contradiction_is_found(data: str, axioms: str, why: str) -> None:
    problems = _contradictions(data, axioms)
    assert len(problems) == 1, problems
    assert why in problems[0][1]


@pytest.mark.parametrize(
    "unsatisfiable,node",
    [("SourceDocument", "https://example.org/id/d"), ("UNOrgan", "https://example.org/id/ga")],
)
def test_classes_are_inferred_from_domains_and_ranges(unsatisfiable: str, node: str) -> None:
    """mkg:circulatedIn goes from a mkg:SourceDocument to a mkg:UNOrgan: untyped nodes that it
    links are of those classes, so each has no model when its class is unsatisfiable."""
    data = "id:d mkg:circulatedIn id:ga ."
    assert _contradictions(data) == []
    problems = _contradictions(data, unsatisfiable=frozenset({MKG + unsatisfiable}))
    assert problems == [(node, f"it is of the unsatisfiable class <{MKG}{unsatisfiable}>")]


def test_a_record_contradicting_an_axiom_fails_the_build_naming_it(good_build: Paths) -> None:
    """An annex that is also a statement (A-78-908's first annex), once the ontology says no
    annex is a statement: named with its record, found without HermiT, and out/ untouched."""
    before = _snapshot(good_build.out)
    with (good_build.ontology / "minekg.ttl").open("a", encoding="utf-8") as text:
        text.write("\nmkg:Annex owl:disjointWith mkg:Statement .\n")
    result = run_without_reasoner(good_build)
    assert result.exit_code != 0
    output = " ".join(result.output.split())
    assert (
        f"error: {_record(good_build, 'A-78-908')}: contradicts the ontology (OWL 2): "
        "https://w3id.org/minekg/id/document/A-78-908/annex-1: it is of the disjoint classes "
        f"<{MKG}Annex> and <{MKG}Statement>"
    ) in output
    assert _snapshot(good_build.out) == before


def test_hermit_runs_again_only_when_the_ontology_or_reference_data_change(
    copy_of_project: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli(copy_of_project).exit_code == 0

    def refuse(nquads: bytes, base: str, sending) -> None:
        sending.send("HermiT ran")

    monkeypatch.setattr(pipeline, "_owl_check", refuse)
    unchanged = run_cli(copy_of_project)
    assert unchanged.exit_code == 0, unchanged.output
    assert "consistent under HermiT" in " ".join(unchanged.output.split())
    states = copy_of_project.data / "reference" / "states.yaml"
    states.write_text(
        states.read_text(encoding="utf-8").replace("label: Armenia", "label: Armenia (changed)"),
        encoding="utf-8",
    )
    changed = run_cli(copy_of_project)
    assert changed.exit_code != 0
    assert "HermiT ran" in changed.output


def test_the_corpus_contradicts_nothing(written: Path) -> None:
    store = ox.Store()
    store.load(path=str(written / "minekg.nq"), format=ox.RdfFormat.N_QUADS)
    union = ox.Store()
    union.extend(ox.Quad(q.subject, q.predicate, q.object) for q in store)
    ontology = Graph().parse(ONTOLOGY / "minekg.ttl")
    assert reasoning.contradictions(union, reasoning.Axioms.of(ontology), set()) == []
