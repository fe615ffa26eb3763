"""`minekg eval`: a table per category, one error line per unreadable input, honest exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from conftest import ROOT, SHARED
from minekg.cli import main

FIXTURES = ROOT / "tests" / "fixtures" / "extract"
REFERENCE = str(ROOT / "data" / "reference")


def run(*args: str):
    return CliRunner().invoke(main, ["eval", *args, "--reference", REFERENCE])


def test_prints_scores_per_category_and_overall() -> None:
    result = run("--gold", str(FIXTURES / "gold"), "--docs", str(FIXTURES))
    assert result.exit_code == 0, result.output
    for category in ("cited_documents", "ihl_rules", "statistics_typed", "overall (micro)"):
        assert category in result.output
    assert "4 answer key(s)" in result.output


def test_a_missing_document_is_one_error_and_the_others_are_scored(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "gold", tmp_path / "gold")
    (tmp_path / "gold" / "no-such-document.yaml").write_text("document: {type: letter}\n")
    result = run("--gold", str(tmp_path / "gold"), "--docs", str(FIXTURES))
    assert result.exit_code == 1
    assert "no-such-document.yaml: no document no-such-document.*" in result.output
    assert "4 answer key(s)" in result.output
    assert "Traceback" not in result.output


def test_a_broken_answer_key_names_its_file(tmp_path: Path) -> None:
    (tmp_path / "icrc-rule-81.yaml").write_text("ihl_rules: [81\n")
    result = run("--gold", str(tmp_path), "--docs", str(FIXTURES))
    assert result.exit_code == 1
    assert "icrc-rule-81.yaml" in result.output
    assert "Traceback" not in result.output


def test_no_answer_keys_is_exit_2(tmp_path: Path) -> None:
    result = run("--gold", str(tmp_path), "--docs", str(FIXTURES))
    assert result.exit_code == 2
    assert "no answer keys" in result.output


def test_min_f1_fails_a_score_below_it() -> None:
    result = run("--gold", str(FIXTURES / "gold"), "--docs", str(FIXTURES), "--min-f1", "1.0")
    assert result.exit_code == 1
    assert "below --min-f1" in result.output


def test_several_sets_are_scored_side_by_side() -> None:
    gold, docs = str(FIXTURES / "gold"), str(FIXTURES)
    devgold, devdocs = str(ROOT / "tests" / "fixtures" / "devgold"), str(SHARED / "devdocs")
    result = run("--gold", gold, "--docs", docs, "--gold", devgold, "--docs", devdocs)
    assert result.exit_code == 0, result.output
    assert "F1 [1]" in result.output and "F1 [2]" in result.output
    keys = len(list((ROOT / "tests" / "fixtures" / "devgold").glob("*.yaml")))
    assert f"devgold ({keys})" in result.output


def test_each_gold_folder_needs_its_docs_folder() -> None:
    result = run("--gold", str(FIXTURES / "gold"), "--gold", str(FIXTURES / "gold"), "--docs", ".")
    assert result.exit_code == 2
    assert "one --docs folder for each --gold folder" in result.output
