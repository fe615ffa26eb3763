"""Extraction on whole documents: test documents about other countries written for these tests
(tests/fixtures/extract, each with a hand-written answer key in gold/), and the corpus against
../shared/gold. Every quote must be the original text at its offsets, and a draft record must
validate as a record."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS, GOLD, SHARED
from minekg import reading
from minekg.evaluate import Score, add_up, load_answer_key, overall, score_document
from minekg.extract import Extraction, extract
from minekg.inputs import Reference, load_reference
from minekg.records import Record

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "extract"
DEVGOLD = ROOT / "tests" / "fixtures" / "devgold"


@pytest.fixture(scope="module")
def reference() -> Reference:
    return load_reference(ROOT / "data" / "reference")


@pytest.fixture(scope="module")
def fixtures(reference: Reference) -> dict[str, Extraction]:
    return {p.stem: extract(reading.read(p), reference) for p in sorted(FIXTURES.glob("*.txt"))}


@pytest.fixture(scope="module")
def corpus(reference: Reference) -> dict[str, Extraction]:
    assert CORPUS.is_dir(), f"the corpus is expected at {CORPUS}"
    return {p.stem: extract(reading.read(p), reference) for p in sorted(CORPUS.glob("*.txt"))}


def scores(extractions: dict[str, Extraction], gold_dir: Path) -> dict[str, Score]:
    keys = sorted(gold_dir.glob("*.yaml"))
    assert keys, f"no answer keys in {gold_dir}"
    return add_up(score_document(load_answer_key(k), extractions[k.stem].to_gold()) for k in keys)


def stat(extraction: Extraction, value: float) -> dict:
    matches = [s for s in extraction.to_gold()["statistics"] if s["value"] == value]
    assert matches, f"no figure with value {value}"
    return matches[0]


def test_un_report_on_cambodia_angola_ukraine_lao(fixtures: dict[str, Extraction]) -> None:
    gold = fixtures["sg-report-assistance-in-mine-action"].to_gold()
    assert gold["document"]["symbols"] == ["A/79/255"]
    assert gold["document"]["type"] == "report"
    assert gold["document"]["date"] == "2024-07-26"
    assert gold["document"]["title"] == "Assistance in mine action"
    assert gold["cited_documents"] == ["A/RES/77/75", "S/RES/2365 (2017)", "A/C.1/79/L.12/Rev.1"]
    assert gold["states"] == ["Cambodia", "Angola", "Ukraine", "Lao People's Democratic Republic"]
    cambodia = stat(fixtures["sg-report-assistance-in-mine-action"], 1970)
    assert cambodia["measure"] == "contaminated_area_km2"
    assert (cambodia["qualifier"], cambodia["as_of"], cambodia["place"]) == (
        "about",
        "2023-12-31",
        "Cambodia",
    )
    ukraine = stat(fixtures["sg-report-assistance-in-mine-action"], 139000)
    assert (ukraine["qualifier"], ukraine["place"]) == ("up_to", "Ukraine")
    conference = next(e for e in gold["events"] if e["type"] == "conference")
    assert conference["name"].startswith("Sixth Review Conference of the States Parties")
    assert (conference["start"], conference["end"]) == ("2024-11-25", "2024-11-29")
    assert conference["places"] == ["Siem Reap"]


def test_monitor_profile_of_angola(fixtures: dict[str, Extraction]) -> None:
    angola = fixtures["monitor-angola-profile"]
    gold = angola.to_gold()
    assert gold["places"] == ["Cuando Cubango", "Moxico", "Bié"]
    assert {"HALO Trust", "Mines Advisory Group"} <= set(gold["organizations"])
    assert stat(angola, 67.4)["measure"] == "contaminated_area_km2"
    assert stat(angola, 2965)["measure"] == "ap_mines_neutralized"
    assert stat(angola, 103)["measure"] == "at_mines_neutralized"
    assert (stat(angola, 25)["measure"], stat(angola, 25)["qualifier"]) == (
        "mine_victims_total",
        "at_least",
    )
    assert stat(angola, 14)["measure"] == "mine_victims_killed"
    assert stat(angola, 250000000)["measure"] == "clearance_cost_usd"


def test_news_story_from_ukraine(fixtures: dict[str, Extraction]) -> None:
    news = fixtures["news-ukraine-demining"]
    gold = news.to_gold()
    assert gold["document"]["author"] == "Olena Kovalenko"
    assert gold["document"]["date"] == "2025-03-03"
    assert gold["places"] == ["Kyiv", "Lausanne"]
    assert stat(news, 1200000)["qualifier"] == "about"
    assert stat(news, 56460)["measure"] == "explosive_devices_neutralized"
    assert stat(news, 1500000)["as_of"] == "2025-01"
    assert stat(news, 37400000000)["measure"] == "clearance_cost_usd"
    (claim,) = gold["claims"]
    assert (claim["claimant"], claim["accused"]) == ("Ukraine", "Russian Federation")
    assert claim["law"] == ["international humanitarian law"]
    (conference,) = [e for e in gold["events"] if e["type"] == "conference"]
    assert conference["name"] == "Ukraine Mine Action Conference"
    assert (conference["start"], conference["end"]) == ("2024-10-17", "2024-10-18")
    assert conference["organizers"] == ["Switzerland", "Ukraine"]


def test_icrc_rule_page(fixtures: dict[str, Extraction]) -> None:
    assert fixtures["icrc-rule-81"].to_gold()["ihl_rules"] == [70, 71, 81, 82, 83]


# The scores reached per category (rounded down), so that no change loses what was won. The
# devgold keys (tests/fixtures/devgold, on ../shared/devdocs) were written by the engineer who
# then tuned the extractor to the kind of text: not blind, a floor rather than a measure.
FLOORS = {
    "test documents": {
        "overall": 0.96,
        "document": 0.84,
        "cited_documents": 1.0,
        "ihl_rules": 1.0,
        "instruments": 1.0,
        "states": 1.0,
        "organizations": 1.0,
        "persons": 1.0,
        "places": 1.0,
        "events": 0.85,
        "claims": 1.0,
        "statistics": 0.98,
        "statistics_typed": 0.96,
    },
    "corpus": {
        "overall": 0.92,
        "document": 0.96,
        "cited_documents": 1.0,
        "ihl_rules": 1.0,
        "instruments": 0.93,
        "states": 1.0,
        "organizations": 0.94,
        "persons": 1.0,
        "places": 1.0,
        "events": 0.72,
        "claims": 0.85,
        "statistics": 0.98,
        "statistics_typed": 0.98,
    },
    "devdocs": {  # twelve keys; 013, 018 (issue 11) and 008, 015 (issue 11 item 3) held out
        "overall": 0.76,
        "document": 0.92,
        "cited_documents": 1.0,
        "instruments": 0.66,
        "states": 0.96,
        "organizations": 0.71,
        "persons": 0.80,
        "places": 0.81,
        "events": 0.58,
        "claims": 0.64,
        "statistics": 0.70,
        "statistics_typed": 0.68,
    },
}


def assert_floors(totals: dict[str, Score], floors: dict[str, float]) -> None:
    reached = {"overall": overall(totals).f1} | {c: s.f1 for c, s in totals.items()}
    below = {c: round(reached[c], 3) for c, floor in floors.items() if reached[c] < floor}
    assert below == {}, f"below the floor: {below}"


def test_test_documents_score_against_their_answer_keys(
    fixtures: dict[str, Extraction],
) -> None:
    assert_floors(scores(fixtures, FIXTURES / "gold"), FLOORS["test documents"])


def test_corpus_scores_meet_the_targets(corpus: dict[str, Extraction]) -> None:
    assert_floors(scores(corpus, GOLD), FLOORS["corpus"])


def test_development_documents_score_against_the_devgold_keys(reference: Reference) -> None:
    keys = sorted(DEVGOLD.glob("*.yaml"))
    assert len(keys) >= 6, "answer keys for at least six development documents"
    extractions = {
        k.stem: extract(reading.read(SHARED / "devdocs" / f"{k.stem}.txt"), reference) for k in keys
    }
    assert_floors(scores(extractions, DEVGOLD), FLOORS["devdocs"])


def test_every_quote_is_the_original_text_at_its_offsets(
    corpus: dict[str, Extraction], fixtures: dict[str, Extraction]
) -> None:
    for name, extraction in {**corpus, **fixtures}.items():
        original = extraction.flat.source.original
        data = extraction.to_json()
        spans = data["citations"] + data["mentions"] + data["proposed_entities"]
        assert spans, name
        for item in spans:
            assert original[item["start"] : item["end"]] == item["quote"], (name, item)
        for section in ("statistics", "events", "claims"):
            for item in data[section]:
                assert item["quote"] in original, (name, section, item["quote"])
        record = extraction.to_record("draft-" + name.replace("_", "-"))
        for item in [
            record["document"],
            *record["citations"],
            *record["mentions"],
            *record["events"],
            *record["claims"],
            *record["figures"],
        ]:
            evidence = item.get("evidence", item)
            at = evidence["at"]
            assert original[at : at + len(evidence["quote"])] == evidence["quote"], (name, item)


def test_draft_records_validate_and_use_reference_keys(
    corpus: dict[str, Extraction], fixtures: dict[str, Extraction], reference: Reference
) -> None:
    for name, extraction in {**corpus, **fixtures}.items():
        record = Record.model_validate(extraction.to_record("draft-" + name.replace("_", "-")))
        assert record.review == "draft"
        assert record.source.sha256 == extraction.flat.source.sha256
        proposed = {entity.key: entity for entity in record.proposed}
        assert not set(proposed) & set(reference.section_of), "a known entity is not proposed"
        known = set(reference.section_of) | set(proposed)
        for mention in record.mentions:
            assert mention.entity in known
        for claim in record.claims:
            assert claim.claimant in known
            assert all(key in known for key in claim.accused)


def test_names_the_reference_data_does_not_know_enter_the_draft_as_proposed(
    fixtures: dict[str, Extraction],
) -> None:
    records = [e.to_record("draft") for e in fixtures.values()]
    proposed = {(p["type"], p["label"]): p for r in records for p in r["proposed"]}
    assert proposed["state", "Cambodia"]["key"] == "khm"  # keyed as reference states are
    assert proposed["state", "Cambodia"]["identifier"] == "iso3166:KH"
    assert proposed["place", "Siem Reap"]["key"] == "siem-reap"
    for record in records:
        keys = {p["key"] for p in record["proposed"]}
        assert {m["entity"] for m in record["mentions"]} & keys or not keys


def test_unknown_names_are_proposed_with_their_type(fixtures: dict[str, Extraction]) -> None:
    proposed = {
        (p["type"], p["label"]) for e in fixtures.values() for p in e.to_json()["proposed_entities"]
    }
    assert ("organization", "Cambodian Mine Action and Victim Assistance Authority") in proposed
    assert ("place", "Siem Reap") in proposed
    assert ("person", "Olena Kovalenko") in proposed
    assert ("state", "Cambodia") in proposed


def test_extraction_is_deterministic(reference: Reference) -> None:
    path = FIXTURES / "news-ukraine-demining.txt"
    first = extract(reading.read(path), reference).to_json()
    second = extract(reading.read(path), reference).to_json()
    assert first == second
