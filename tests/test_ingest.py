"""`minekg extract` and `minekg ingest` through the real command line: what a user sees.

Each call mixes good files with bad ones (empty, binary, wrong encoding, a PDF without text,
too large, unknown type, missing): the good ones must still come out, each bad one gets one line
naming it, and the exit code says something failed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner
from fpdf import FPDF

from conftest import CORPUS, ROOT
from minekg import ingest, reading
from minekg.cli import main
from minekg.inputs import load_records, load_reference
from minekg.pipeline import Paths, build
from minekg.records import Record

LETTER = ROOT / "tests" / "fixtures" / "ingest" / "letter.txt"
GOLD_KEYS = {
    "document", "cited_documents", "cited_works", "ihl_rules", "instruments", "states",
    "organizations", "persons", "places", "events", "claims", "statistics",
}  # fmt: skip


@pytest.fixture
def bad_files(tmp_path: Path) -> dict[str, Path]:
    """One file for each way an input can be unreadable, and the problem a user must be told."""
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "latin1.txt").write_bytes("Déminage à Fuzuli, 1 500 mines".encode("cp1252"))
    with (folder / "huge.txt").open("wb") as handle:
        handle.truncate(51 * 2**20)
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 80, style="F")
    pdf.output(str(folder / "scan.pdf"))
    return {
        "empty.txt": folder / "empty.txt",
        "binary file (a PNG image)": folder / "image.txt",
        "not UTF-8": folder / "latin1.txt",
        "too large: 51.0 MB, over the 10 MB limit": folder / "huge.txt",
        "unknown file type '.docx'": folder / "notes.docx",
        "PDF without a text layer": folder / "scan.pdf",
        "no such file": folder / "missing.txt",
    }


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout, result.stderr


def assert_one_error_per_bad_file(stderr: str, bad_files: dict[str, Path]) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == len(bad_files), stderr
    for problem, path in bad_files.items():
        problem = "empty file" if problem == "empty.txt" else problem
        assert any(line.startswith(f"error: {path}: {problem}") for line in lines), (problem, lines)


def test_extract_prints_the_good_files_and_one_error_per_bad_one(bad_files):
    corpus = sorted(CORPUS.glob("0*.txt"))
    code, out, err = run("extract", corpus[0], *bad_files.values(), LETTER, corpus[4])
    assert code == 1
    assert_one_error_per_bad_file(err, bad_files)
    documents = list(yaml.safe_load_all(out))
    assert len(documents) == 3
    for gold in documents:
        assert set(gold) == GOLD_KEYS  # exactly the answer-key structure
    assert documents[0]["document"]["symbols"] == ["A/79/690", "S/2024/908"]
    assert 82 in documents[0]["ihl_rules"]
    assert documents[1]["document"]["date"] == "2025-03-03"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("0*.txt")), ids=lambda p: p.name[:3])
def test_every_quote_is_the_file_text_at_its_offsets(path: Path) -> None:
    code, out, _ = run("extract", "--format", "json", path)
    assert code == 0
    found = json.loads(out)
    original = path.read_text(encoding="utf-8")
    spans = [
        item
        for name in ("citations", "mentions", "proposed_entities")
        for item in found[name]
        if "quote" in item
    ]
    assert spans
    for item in spans:
        assert original[item["start"] : item["end"]] == item["quote"], item
    for name in ("claims", "statistics"):
        for item in found[name]:
            assert item["quote"] in original, item


def test_extract_record_format_is_a_valid_draft_record() -> None:
    code, out, _ = run("extract", "--format", "record", LETTER)
    assert code == 0
    assert run("extract", "--format", "record", LETTER)[1] == out  # deterministic
    record = Record.model_validate(yaml.safe_load(out))
    assert record.review == "draft"
    text = LETTER.read_text(encoding="utf-8")
    for _, evidence in record.evidence():
        assert text[evidence.at : evidence.end_offset] == evidence.quote


def test_ingest_writes_a_draft_the_build_accepts(copy_of_project: Paths, bad_files) -> None:
    records = copy_of_project.data / "records"
    sources = copy_of_project.data.parent / "sources"
    shutil.copytree(CORPUS, sources)  # the reviewed records' sources, checked by the build
    shutil.copy(LETTER, sources / LETTER.name)
    killed = records / ".ingest-killed"  # what an ingest killed with -9 leaves
    killed.mkdir()
    (killed / "letter.yaml").write_text("key: letter\n", encoding="utf-8")
    code, out, err = run(
        "ingest",
        sources / LETTER.name,
        *bad_files.values(),
        "--records",
        records,
        "--reference",
        copy_of_project.data / "reference",
        "--ontology",
        copy_of_project.ontology,
    )
    assert code == 1
    assert_one_error_per_bad_file(err, bad_files)
    assert out.strip().startswith(f"{sources / LETTER.name}: ")
    assert "figures; draft written to" in out and out.strip().endswith("letter.yaml")
    draft = yaml.safe_load((records / "letter.yaml").read_text(encoding="utf-8"))
    assert draft["review"] == "draft" and draft["source"]["file"] == "letter.txt"
    loaded, errors = load_records(records, load_reference(copy_of_project.data / "reference"))
    assert errors == [] and "letter" in {item.record.key for item in loaded}
    result = build(copy_of_project, sources=sources)  # every quote checked against the file
    assert "letter" in {item.record.key for item in result.records}
    assert not list(records.glob(".ingest-*")), "no staging folder left, nor the killed one's"


def test_ingest_never_overwrites_a_reviewed_record(copy_of_project: Paths) -> None:
    reviewed = copy_of_project.data / "records" / "A-79-690.yaml"
    before = reviewed.read_bytes()
    code, out, _ = run(
        "ingest",
        CORPUS / "000_e0f3878713b30c27.txt",
        "--records",
        reviewed.parent,
        "--reference",
        copy_of_project.data / "reference",
        "--ontology",
        copy_of_project.ontology,
        "--force",
    )
    assert code == 0
    assert f"not written: {reviewed} is a reviewed record and is never overwritten" in out
    assert reviewed.read_bytes() == before


def test_a_draft_is_replaced_only_with_force(copy_of_project: Paths) -> None:
    records = copy_of_project.data / "records"
    options = ["--records", records, "--reference", copy_of_project.data / "reference"]
    options += ["--ontology", copy_of_project.ontology]
    assert run("ingest", LETTER, *options)[0] == 0
    draft = records / "letter.yaml"
    edited = draft.read_text(encoding="utf-8").replace("title: Letter", "title: Edited letter")
    draft.write_text(edited, encoding="utf-8")
    code, out, _ = run("ingest", LETTER, *options)
    assert code == 0 and "a draft" in out and "exists (--force replaces it)" in out
    assert draft.read_text(encoding="utf-8") == edited
    code, out, _ = run("ingest", LETTER, *options, "--force")
    assert code == 0 and "draft written to" in out
    assert "Edited letter" not in draft.read_text(encoding="utf-8")


def test_an_item_the_build_would_reject_is_left_out_and_the_draft_written(
    copy_of_project: Paths,
) -> None:
    """Through the extractor seam: a negative count (the record model refuses it), a share over
    100 % (the shapes refuse it) and two mentions at one offset (they would merge): each is
    left out and named, and what remains is a draft that builds."""
    reference = load_reference(copy_of_project.data / "reference")
    gate = ingest.Gate.load(reference, copy_of_project.ontology)
    record = yaml.safe_load(run("extract", "--format", "record", LETTER)[1])
    assert len(record["figures"]) >= 2 and record["mentions"]
    record["figures"][0]["value"] = "-5"
    record["figures"][1].update(measure="area_cleared_share_pct", value="250")
    record["mentions"].append(dict(record["mentions"][0]))
    found = SimpleNamespace(to_gold=lambda: {"document": {}}, to_record=lambda key: record)
    records = copy_of_project.data / "records"
    outcome = ingest.ingest_file(LETTER, gate, records, extract=lambda source, ref: found)
    assert outcome.error is None and outcome.written == records / "letter.yaml"
    left_out = "\n".join(outcome.left_out)
    assert "figure -5" in left_out and "negative" in left_out, left_out
    assert "figure 250" in left_out and "above 100" in left_out, left_out
    assert "same offset as mentions.0" in left_out, left_out
    draft = yaml.safe_load(outcome.written.read_text(encoding="utf-8"))
    assert len(draft["figures"]) == len(record["figures"]) - 2
    assert len(draft["mentions"]) == len(record["mentions"]) - 1
    assert not list(records.glob(".ingest-*"))
    assert "letter" in {item.record.key for item in build(copy_of_project).records}


def test_a_quote_at_offset_zero_stays_in_the_draft(tmp_path: Path) -> None:
    """ "claims.0.at: Field required": an offset of 0 was dropped as if it were empty."""
    text = tmp_path / "note.txt"
    text.write_text(LETTER.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    code, out, _ = run("extract", "--format", "record", text)
    assert code == 0
    record = Record.model_validate(yaml.safe_load(out))
    assert record.document.evidence.at >= 0


def test_a_nul_byte_anywhere_makes_a_file_binary(tmp_path: Path) -> None:
    tail = tmp_path / "tail.txt"
    tail.write_bytes(LETTER.read_bytes() + b"x" * 10_000 + b"\x00")
    code, _, err = run("extract", tail)
    assert code == 1 and err.startswith(f"error: {tail}: binary file (NUL bytes)")


def test_what_a_record_cannot_hold_is_left_out_and_named(copy_of_project: Paths) -> None:
    """A measure the ontology does not define is left out and named; an annex without an
    author and a document without a date stay, each with a note saying what was not found."""
    reference = load_reference(copy_of_project.data / "reference")
    gate = ingest.Gate.load(reference, copy_of_project.ontology)
    record = yaml.safe_load(run("extract", "--format", "record", LETTER)[1])
    record["figures"][0]["measure"] = "goats_counted"
    kept = len(record["figures"]) - 1
    del record["document"]["date"]
    annex = {
        "key": "letter-annex-1",
        "type": "statement",
        "evidence": record["document"]["evidence"],
    }
    record["document"]["parts"] = [annex]
    found = SimpleNamespace(to_gold=lambda: {"document": {}}, to_record=lambda key: record)
    records = copy_of_project.data / "records"
    outcome = ingest.ingest_file(LETTER, gate, records, extract=lambda source, ref: found)
    assert outcome.error is None and outcome.written == records / "letter.yaml"
    assert any(
        "measure 'goats_counted' is not in ontology/measures.ttl" in line
        for line in outcome.left_out
    ), outcome.left_out
    assert "left out of the draft: " in ingest.summary(outcome)
    draft = yaml.safe_load(outcome.written.read_text(encoding="utf-8"))
    assert len(draft["figures"]) == kept
    assert draft["document"]["parts"][0]["author_note"] == ingest.NO_AUTHOR_FOUND
    assert draft["document"]["date_note"] == ingest.NO_DATE_FOUND


def test_the_corpus_gives_drafts_that_build(copy_of_project: Paths) -> None:
    """Every corpus document that has no reviewed record yet becomes a draft the build takes."""
    records = copy_of_project.data / "records"
    for reviewed in records.glob("*.yaml"):
        reviewed.unlink()
    code, out, err = run(
        "ingest",
        *sorted(CORPUS.glob("*.txt")),
        "--records",
        records,
        "--reference",
        copy_of_project.data / "reference",
        "--ontology",
        copy_of_project.ontology,
    )
    assert code == 0, err
    assert out.count("draft written to") == len(list(CORPUS.glob("*.txt")))
    result = build(copy_of_project, sources=CORPUS)
    assert len(result.records) == len(list(CORPUS.glob("*.txt")))
    assert all(item.record.review == "draft" for item in result.records)


def test_size_limit_is_an_option(tmp_path: Path) -> None:
    long_letter = tmp_path / "long.txt"
    long_letter.write_text(LETTER.read_text(encoding="utf-8") * 1000, encoding="utf-8")
    code, out, err = run("extract", "--max-mb", "0.5", long_letter, LETTER)
    assert code == 1
    assert err.strip() == f"error: {long_letter}: too large: 0.6 MB, over the 0.5 MB limit"
    assert out.startswith(f"--- # {LETTER}\n")


def test_html_and_pdf_quotes_point_into_what_reading_calls_the_original(tmp_path: Path) -> None:
    """HTML: the raw markup; PDF: its text layer (the record keeps the PDF's own sha256)."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, LETTER.read_text(encoding="utf-8").replace("’", "'"))
    pdf.output(str(tmp_path / "letter.pdf"))
    html = ROOT / "tests" / "fixtures" / "reading" / "article.html"
    for path in (html, tmp_path / "letter.pdf"):
        code, out, err = run("extract", "--format", "json", path)
        assert code == 0, err
        found = json.loads(out)
        original = reading.read(path).original
        spans = [item for item in found["mentions"] + found["citations"] if "quote" in item]
        assert spans, path
        for item in spans:
            assert original[item["start"] : item["end"]] == item["quote"], item
    record = yaml.safe_load(run("extract", "--format", "record", tmp_path / "letter.pdf")[1])
    assert record["source"]["media_type"] == "application/pdf"
    assert (
        record["source"]["sha256"]
        == hashlib.sha256((tmp_path / "letter.pdf").read_bytes()).hexdigest()
    )
