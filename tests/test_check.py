"""`minekg check`: SHACL, consistency rules and OWL reasoning on a built graph or one from
elsewhere, with exit codes a script can rely on (0 conforms, 1 violations, 2 could not run)."""

from __future__ import annotations

from pathlib import Path

import owlready2
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDFS, SH

from conftest import ROOT
from minekg import checks, reasoning
from minekg.cli import main
from minekg.pipeline import BuildResult

ONTOLOGY = str(ROOT / "ontology")
INFERRED = URIRef("https://w3id.org/minekg/graph/inferred")
PREFIXES = """
@prefix mkg: <https://w3id.org/minekg/ontology#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://example.org/id/> .
"""


def check(graph: str, *args: str):
    return CliRunner().invoke(
        main, ["check", "--graph", graph, "--ontology", ONTOLOGY, *args], catch_exceptions=False
    )


@pytest.fixture
def graph_file(written: Path, tmp_path: Path) -> Path:
    """A copy of the built graph in a folder of its own (check writes its report beside it)."""
    path = tmp_path / "minekg.trig"
    path.write_bytes((written / "minekg.trig").read_bytes())
    return path


def test_the_built_corpus_graph_conforms_and_is_consistent(graph_file: Path) -> None:
    result = check(str(graph_file))
    assert result.exit_code == 0, result.output
    assert "SHACL: conforms" in result.output
    assert "OWL (HermiT): consistent" in result.output
    report = Graph().parse(graph_file.with_name("report.ttl"), format="turtle")
    # minekg lets warnings and infos pass; SHACL's conforms means no result at all.
    assert len(set(report.objects(None, SH.result))) > 0
    assert [str(v) for v in report.objects(None, SH.conforms)] == ["false"]
    comment = str(next(report.objects(None, RDFS.comment)))
    assert comment.startswith("minekg: conforms: ") and "warning(s)" in comment, comment


def test_a_report_without_results_conforms() -> None:
    report = Graph().parse(data=checks.report_turtle(checks.Verdict(True, [])), format="turtle")
    assert [str(v) for v in report.objects(None, SH.conforms)] == ["true"]
    assert not set(report.objects(None, SH.result))


def test_a_graph_from_elsewhere_with_a_violation(tmp_path: Path) -> None:
    path = tmp_path / "claims.ttl"
    path.write_text(
        PREFIXES + 'id:c1 a mkg:Claim ; schema:text "something"@en .\n', encoding="utf-8"
    )
    result = check(str(path), "--no-reasoner")
    assert result.exit_code == 1, result.output
    assert "Violation" in result.output
    assert "claimant" in result.output
    assert (tmp_path / "report.ttl").is_file()


def test_an_ill_typed_number_makes_the_graph_inconsistent(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text(PREFIXES + 'id:r mkg:ruleNumber "n/a"^^xsd:integer .\n', encoding="utf-8")
    result = check(str(path))
    assert result.exit_code == 1, result.output
    assert "OWL (HermiT): INCONSISTENT" in result.output


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("missing.trig", None, "no such file"),
        ("broken.ttl", "this is not turtle", "not valid turtle"),
        ("graph.csv", "a,b", "not an RDF file minekg reads"),
    ],
)
def test_a_check_that_cannot_run_exits_2(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = check(str(path))
    assert result.exit_code == 2
    assert message in result.output


def test_without_java_the_reasoner_says_so(graph_file: Path, monkeypatch) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    result = check(str(graph_file))
    assert result.exit_code == 2
    assert "HermiT needs Java" in result.output


def test_inferred_triples_never_leak_into_document_graphs(built: BuildResult) -> None:
    inferred = reasoning.infer(built.dataset, "rdfs", INFERRED)
    original = {(s, p, o, g) for s, p, o, g in built.dataset.quads()}
    for s, p, o, g in inferred.quads():
        assert (s, p, o, g) in original or g == INFERRED, f"({s} {p} {o}) leaked into {g}"
    new = [q for q in inferred.quads() if q[3] == INFERRED]
    assert len(new) > 100, "RDFS entails types and super-properties here"
    asserted = {(s, p, o) for s, p, o, _ in original}
    assert not [q for q in new if q[:3] in asserted], "an asserted triple was restated"


def test_check_writes_inferred_triples_to_their_own_file(graph_file: Path) -> None:
    result = check(str(graph_file), "--no-reasoner", "--infer", "rdfs")
    assert result.exit_code == 0, result.output
    loaded = Dataset()
    loaded.parse(graph_file.with_name("inferred-rdfs.trig"), format="trig")
    graphs = {g for _, _, _, g in loaded.quads()}
    assert graphs == {INFERRED}


def test_consistency_warnings_are_listed_and_fail_only_with_strict(graph_file: Path) -> None:
    relaxed = check(str(graph_file), "--no-reasoner")
    assert relaxed.exit_code == 0, relaxed.output
    assert "7 warning(s)" in relaxed.output
    assert "3,461" in relaxed.output and "3,460" in relaxed.output
    strict = check(str(graph_file), "--no-reasoner", "--strict")
    assert strict.exit_code == 1
