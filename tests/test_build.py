"""`minekg build` end to end: outputs a user loads, byte-identical rebuilds, and bad input that is
reported by file, line and field while the last good out/ stays untouched."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import owlready2
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from conftest import CORPUS, ROOT, assert_dumps_are_what_rdflib_writes
from minekg import dumps
from minekg.cli import main
from minekg.pipeline import BuildResult, Paths

DUMP_NAMES = ["minekg.jsonld", "minekg.nq", "minekg.trig", "minekg.ttl"]


def run_cli(paths: Paths, *extra: str):
    args = [
        "build",
        "--data",
        str(paths.data),
        "--ontology",
        str(paths.ontology),
        "--out",
        str(paths.out),
        *extra,
    ]
    return CliRunner().invoke(main, args, catch_exceptions=False)


def run_without_reasoner(paths: Paths, *extra: str):
    """A build of broken input: HermiT is not the subject, so it is not started (2-3 s each)."""
    return run_cli(paths, "--no-reasoner", *extra)


def test_build_prints_summary_and_where_outputs_are(copy_of_project: Paths) -> None:
    result = run_cli(copy_of_project)
    assert result.exit_code == 0, result.output
    assert re.search(r"Built 5 documents into 8 named graphs", result.output), result.output
    assert "SHACL: conforms" in result.output
    assert "OWL consistency: consistent under HermiT" in result.output
    for name in DUMP_NAMES:
        assert str(copy_of_project.out / name) in result.output
        assert (copy_of_project.out / name).stat().st_size > 10_000


def test_one_named_graph_per_document_plus_reference(built: BuildResult) -> None:
    names = set(built.triples_per_graph)
    keys = {item.record.key for item in built.records}
    assert names == keys | {"reference", "ontology", "provenance"}


def test_dumps_load_back_to_the_same_dataset(built: BuildResult, written: Path) -> None:
    expected = len(set(built.dataset.quads()))
    for name, fmt in (
        ("minekg.trig", "trig"),
        ("minekg.nq", "nquads"),
        ("minekg.jsonld", "json-ld"),
    ):
        loaded = Dataset()
        loaded.parse(written / name, format=fmt)
        assert len(set(loaded.quads())) == expected, name
    union = Graph().parse(written / "minekg.ttl", format="turtle")
    assert len(union) == len({(s, p, o) for s, p, o, _ in built.dataset.quads()})


def test_the_dumps_are_what_rdflib_writes(written: Path) -> None:
    assert_dumps_are_what_rdflib_writes(written)


def test_jsonld_uses_the_project_context(written: Path) -> None:
    document = json.loads((written / "minekg.jsonld").read_text(encoding="utf-8"))
    context = json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"]


def _build_in_subprocess(out: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "minekg", "build", "--out", str(out), "--no-reasoner"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.mark.slow
def test_two_builds_give_byte_identical_dumps(tmp_path: Path) -> None:
    _build_in_subprocess(tmp_path / "one", "1")
    _build_in_subprocess(tmp_path / "two", "2")
    one, two = _snapshot(tmp_path / "one"), _snapshot(tmp_path / "two")
    assert set(one) >= {*DUMP_NAMES, "report.ttl", "report.txt", "summary.json", "graph.html"}
    # out/store/ is a database (its files hold timestamps and ids): compared by what it holds.
    dumps = [name for name in one if not name.startswith("store/")]
    assert [name for name in dumps if one[name] != two.get(name)] == [], "differ between builds"
    for build in ("one", "two"):
        held = ox.Store.read_only(str(tmp_path / build / "store"))
        assert set(held) == set(ox.parse(one["minekg.nq"], format=ox.RdfFormat.N_QUADS))


def test_quotes_are_checked_against_the_corpus(copy_of_project: Paths) -> None:
    result = run_cli(copy_of_project, "--sources", str(CORPUS))
    assert result.exit_code == 0, result.output
    assert "every quote checked" in result.output


# ---------------------------------------------------------------- bad input


def _record(paths: Paths, key: str) -> Path:
    return paths.data / "records" / f"{key}.yaml"


def _line_of(path: Path, needle: str) -> int:
    return next(
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    )


def _break(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return _line_of(path, new.splitlines()[0])


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def good_build(copy_of_project: Paths, written: Path) -> Paths:
    """A scratch project whose out/ holds a good build, ready to be broken."""
    shutil.copytree(written, copy_of_project.out)
    return copy_of_project


def _assert_fails_naming(
    paths: Paths,
    before: dict[str, bytes],
    path: Path,
    line: int | None,
    field: str,
    problem: str,
    *extra: str,
) -> None:
    result = run_without_reasoner(paths, *extra)
    assert result.exit_code != 0
    where = f"{path}:{line}: " if line else f"{path}: "
    expected = f"error: {where}{field}"
    lines = [ln for ln in result.output.splitlines() if ln.startswith(expected)]
    assert lines, f"expected a line starting {expected!r} in:\n{result.output}"
    assert problem in lines[0], lines[0]
    assert _snapshot(paths.out) == before, "a failed build changed out/"


def test_malformed_yaml(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    path = _record(good_build, "A-79-690")
    text = path.read_text(encoding="utf-8").splitlines()
    text[3] = "review: [reviewed"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = run_without_reasoner(good_build)
    assert result.exit_code != 0
    assert f"error: {path}:4: malformed YAML" in result.output, result.output
    assert _snapshot(good_build.out) == before


def test_unknown_entity_key(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    path = _record(good_build, "A-79-690")
    line = _break(path, "entity: arm\n", "entity: atlantis\n")
    _assert_fails_naming(
        good_build, before, path, line, "mentions.", "unknown entity key 'atlantis'"
    )


def test_invalid_date(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    path = _record(good_build, "A-79-690")
    line = _break(path, "date: '2024-12-12'", "date: 2024-13-12")
    _assert_fails_naming(good_build, before, path, line, "document.date", "not a valid date")


def test_duplicate_key(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    path = _record(good_build, "A-79-690")
    line = _break(path, "review: reviewed\n", "review: reviewed\nreview: draft\n") + 1
    _assert_fails_naming(good_build, before, path, line, "review", "duplicate key")


def test_quote_not_in_source(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    path = _record(good_build, "A-79-690")
    line = _break(path, "3,461 citizens of Azerbaijan", "3,416 citizens of Azerbaijan")
    _assert_fails_naming(
        good_build,
        before,
        path,
        line,
        "figures.",
        "quote is not at offset",
        "--sources",
        str(CORPUS),
    )


def test_a_value_that_is_not_the_number_its_quote_prints(good_build: Paths) -> None:
    """The quote is the source's, word for word; the value beside it was typed wrong."""
    before = _snapshot(good_build.out)
    path = _record(good_build, "A-79-690")
    line = _break(path, "value: 3461\n", "value: 432.625\n")
    _assert_fails_naming(
        good_build,
        before,
        path,
        line,
        "figures.",
        "432.625 is not a number the quote prints (3461)",
        "--sources",
        str(CORPUS),
    )


def test_every_bad_record_is_reported_and_the_others_still_build(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    one, two = _record(good_build, "A-79-690"), _record(good_build, "A-78-908")
    _break(one, "entity: arm\n", "entity: atlantis\n")
    _break(two, "date: '2024-06-10'", "date: 2024-06-31")
    result = run_without_reasoner(good_build)
    assert result.exit_code != 0
    assert f"error: {one}:" in result.output and f"error: {two}:" in result.output
    assert "3 of 5 records built and validated" in result.output
    assert _snapshot(good_build.out) == before


def test_base_iri_is_configurable(copy_of_project: Paths) -> None:
    result = run_cli(copy_of_project, "--base", "https://example.org/kg/")
    assert result.exit_code == 0, result.output
    loaded = Dataset()
    loaded.parse(copy_of_project.out / "minekg.nq", format="nquads")
    graphs = {str(g) for _, _, _, g in loaded.quads()}
    assert "https://example.org/kg/graph/A-79-690" in graphs
    subjects = {str(s) for s, _, _, _ in loaded.quads()}
    assert "https://example.org/kg/id/ihl-rule/82" in subjects
    assert not [
        s
        for s in subjects | graphs
        if s.startswith("https://w3id.org/minekg/id/")
        or s.startswith("https://w3id.org/minekg/graph/")
    ]


def test_a_base_without_trailing_slash_is_refused(copy_of_project: Paths) -> None:
    result = run_cli(copy_of_project, "--base", "https://example.org/kg")
    assert result.exit_code != 0
    assert "must end with / or #" in result.output


def test_missing_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "nowhere", ROOT / "ontology", tmp_path / "out")
    result = run_cli(paths)
    assert result.exit_code != 0
    assert f"{tmp_path / 'nowhere' / 'reference'}: no such folder" in result.output
    assert not paths.out.exists()


def test_two_items_that_would_merge_into_one_node(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    path = _record(good_build, "A-79-690")
    text = path.read_text(encoding="utf-8")
    start = text.index("\nclaims:\n") + len("\nclaims:\n")
    end = text.index("\n- claimant", start + 1) + 1
    first_claim = text[start:end]
    twin = first_claim.replace("claimant: aze", "claimant: rus", 1)
    path.write_text(text[:end] + twin + text[end:], encoding="utf-8")
    line = _line_of(path, "claimant: rus")
    _assert_fails_naming(good_build, before, path, line, "claims.1", "would merge into one node")


def test_an_empty_records_folder_is_an_error(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    for path in (good_build.data / "records").glob("*.yaml"):
        path.rename(path.with_suffix(".yml"))
    result = run_without_reasoner(good_build)
    assert result.exit_code != 0
    assert "no records (*.yaml) to build" in result.output
    assert "rename to .yaml" in result.output
    assert _snapshot(good_build.out) == before


def test_a_source_that_is_not_utf8(good_build: Paths, tmp_path: Path) -> None:
    before = _snapshot(good_build.out)
    sources = tmp_path / "sources"
    shutil.copytree(CORPUS, sources)
    source = sources / "000_e0f3878713b30c27.txt"
    source.write_bytes(source.read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    path = _record(good_build, "A-79-690")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"sha256: [0-9a-f]{64}", f"sha256: {digest}", text, count=1))
    line = _line_of(path, "file: 000_")
    _assert_fails_naming(
        good_build,
        before,
        path,
        line,
        "source.file",
        "is not UTF-8 text",
        "--sources",
        str(sources),
    )


def test_a_base_that_is_not_an_iri(copy_of_project: Paths) -> None:
    result = run_cli(copy_of_project, "--base", "not an iri/")
    assert result.exit_code != 0
    assert "error: --base: 'not an iri/' must be an absolute http:// or https:// IRI" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_a_typo_in_a_reference_link_names_its_file_and_line(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    path = good_build.data / "reference" / "organizations.yaml"
    line = _break(path, "country: aze", "country: azr")
    _assert_fails_naming(
        good_build, before, path, line, "organizations.", "unknown entity key 'azr'"
    )


def test_one_bad_reference_entry_is_one_error(good_build: Paths) -> None:
    path = good_build.data / "reference" / "states.yaml"
    line = _break(path, "wikidata: Q227", "wikidata: Q22x7")
    result = run_without_reasoner(good_build)
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error: ")]
    assert errors[0].startswith(f"error: {path}:{line}: states.0.wikidata"), errors
    assert len(errors) == 2, errors  # the problem, then the summary line


def test_a_shape_violation_fails_the_build(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    shapes = good_build.ontology / "shapes.ttl"
    strict = shapes.read_text(encoding="utf-8").replace(
        "sh:path mkg:claimant ; sh:minCount 1 ;", "sh:path mkg:claimant ; sh:minCount 2 ;"
    )
    shapes.write_text(strict, encoding="utf-8")
    result = run_without_reasoner(good_build)
    assert result.exit_code != 0
    path = _record(good_build, "A-79-690")
    assert f"error: {path}: https://w3id.org/minekg/ontology#claimant: " in result.output
    assert _snapshot(good_build.out) == before


def test_build_runs_the_consistency_rules_and_reports_their_warnings(
    copy_of_project: Paths,
) -> None:
    result = run_cli(copy_of_project)
    assert result.exit_code == 0, result.output  # warnings do not fail a build
    output = " ".join(result.output.split())
    assert "A-79-690 gives 3,461 for mine victims (total)" in output
    assert "gives 3,460" in output
    assert "states about 14.2 % (share of area cleared)" in output
    summary = json.loads((copy_of_project.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["findings"]["Warning"] >= 2
    assert summary["owl_consistent"] is True
    report = (copy_of_project.out / "report.txt").read_text(encoding="utf-8")
    assert "rules#SameFigureDifferentValueShape" not in report or "3,460" in report
    assert "3,460" in report and "OWL consistency: consistent" in report


def test_an_inconsistent_graph_fails_the_build(good_build: Paths) -> None:
    before = _snapshot(good_build.out)
    ontology = good_build.ontology / "minekg.ttl"
    with ontology.open("a", encoding="utf-8") as text:  # no document can be a letter now
        text.write("\nmkg:Letter owl:disjointWith mkg:SourceDocument .\n")
    result = run_cli(good_build)
    assert result.exit_code != 0
    assert f"error: {ontology}: the ontology and the data are inconsistent" in result.output
    assert "unsatisfiable classes https://w3id.org/minekg/ontology#Letter" in result.output
    assert _snapshot(good_build.out) == before


def test_without_java_the_build_still_builds_and_says_so(
    copy_of_project: Paths, monkeypatch
) -> None:
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    result = run_cli(copy_of_project)
    assert result.exit_code == 0, result.output
    assert "OWL consistency: not run: HermiT needs Java" in " ".join(result.output.split())
    summary = json.loads((copy_of_project.out / "summary.json").read_text(encoding="utf-8"))
    assert summary["owl_consistent"] is None


def test_the_canonical_json_is_json_dumps_with_every_array_sorted() -> None:
    """The JSON-LD dump's form, built in one pass: the same bytes as sorting each array by the
    ``json.dumps`` of its members and writing with sorted keys and a one-space indent."""

    def by_json_dumps(value: object) -> object:
        if isinstance(value, dict):
            return {key: by_json_dumps(item) for key, item in value.items()}
        if isinstance(value, list):
            items = [by_json_dumps(item) for item in value]
            return sorted(items, key=lambda i: json.dumps(i, sort_keys=True, ensure_ascii=False))
        return value

    document = {
        "@graph": [
            {"@id": "b", "p": [{"@id": "y"}, {"@id": "x"}], "q": 'é"\n'},
            {"@id": "a", "n": [2, 1.5, None, True], "e": {}, "l": []},
            {"@id": "ab", "@type": ["T", "S"], "v": {"@value": "1", "@language": "en"}},
        ],
        "@context": {"z": "http://z/", "a": {"@id": "http://a/", "@type": "@id"}},
    }
    expected = json.dumps(by_json_dumps(document), ensure_ascii=False, indent=1, sort_keys=True)
    assert dumps.canonical_json(document) == (expected + "\n").encode()
