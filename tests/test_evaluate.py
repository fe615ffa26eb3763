"""Scoring against answer keys follows shared/gold/SCHEMA.md: one-to-one matches per category."""

from __future__ import annotations

import re

import pytest

from conftest import GOLD
from minekg.evaluate import MEASURES, add_up, fold, overall, same_name, score_document


def test_names_match_after_folding_and_small_spelling_variants() -> None:
    assert fold("The Non-Aligned  Movement") == "non aligned movement"
    assert fold("Lanka’s Freedom Front") == fold("Lanka's Freedom Front")  # curly or straight
    assert same_name("António Guterres", "antonio guterres")
    assert same_name("Non-Alignment Movement", "Non-Aligned Movement")
    assert same_name("UNESCO", "United Nations Educational, Scientific and Cultural Organization")
    assert not same_name("Armenia", "Azerbaijan")
    assert not same_name("United Nations", "United Nations Development Programme")
    assert not same_name("", "")


def test_symbols_match_without_spaces_and_brackets() -> None:
    gold = {"cited_documents": ["S/RES/822 (1993)", "A/C.3/79/L.35"]}
    found = {"cited_documents": ["S/RES/822(1993)", "A/C.3/79/L.36"]}
    score = score_document(gold, found)["cited_documents"]
    assert (score.expected, score.found, score.matched) == (2, 2, 1)
    assert score.precision == score.recall == 0.5


def test_figures_match_by_value_within_half_a_percent_and_typed_by_measure() -> None:
    gold = {
        "statistics": [
            {"measure": "mines_estimated", "value": 1500000},
            {"measure": "idps", "value": 700000},
            {"measure": "conflict_deaths", "value": None, "value_text": "tens of thousands"},
        ]
    }
    found = {
        "statistics": [
            {"measure": "mines_estimated", "value": 1504000},
            {"measure": "mine_victims_total", "value": 700000},
            {"measure": "idps", "value": 710000},
        ]
    }
    scores = score_document(gold, found)
    assert (scores["statistics"].expected, scores["statistics"].matched) == (2, 2)
    assert scores["statistics"].found == 3
    assert scores["statistics_typed"].matched == 1


def test_matching_is_one_to_one() -> None:
    gold = {"claims": [{"claimant": "Azerbaijan", "accused": "Armenia"}] * 3}
    found = {"claims": [{"claimant": "Azerbaijan", "accused": ["Armenia", "Russian Federation"]}]}
    score = score_document(gold, found)["claims"]
    assert (score.expected, score.found, score.matched) == (3, 1, 1)


def test_claims_need_the_same_claimant_and_accused() -> None:
    gold = {"claims": [{"claimant": "Azerbaijan", "accused": "Armenia"}]}
    found = {"claims": [{"claimant": "Armenia", "accused": "Azerbaijan"}]}
    assert score_document(gold, found)["claims"].matched == 0


def test_events_match_by_start_date_or_by_name() -> None:
    gold = {
        "events": [
            {"name": "3rd International Conference on Mine Action", "start": "2024-05-30"},
            {"name": "Summit of the Future"},
            {"name": "Twenty-ninth session of the Conference of the Parties"},
        ]
    }
    found = {
        "events": [
            {"name": "International Conference on the environment", "start": "2024-05-30"},
            {"name": "The Summit of the Future", "date": "2024"},
            {"name": "Signing of a statement of intent"},
        ]
    }
    assert score_document(gold, found)["events"].matched == 2


def test_document_fields_count_one_each_and_parts_too() -> None:
    gold = {
        "document": {
            "symbols": ["A/79/690", "S/2024/908"],
            "date": "2024-12-12",
            "type": "letter",
            "author": "Yashar Aliyev",
            "parts": [{"type": "statement", "author": "Ilham Aliyev"}],
        }
    }
    found = {
        "document": {
            "symbols": ["A/79/690"],
            "date": "2024-12-11",
            "type": "letter",
            "author": "Yashar Aliyev",
            "parts": [{"type": "statement", "author": "Ilham Aliyev"}],
        }
    }
    score = score_document(gold, found)["document"]
    assert (score.expected, score.found, score.matched) == (7, 6, 5)


def test_overall_is_micro_averaged_and_counts_typed_figures_once() -> None:
    gold = {"states": ["Azerbaijan", "Armenia"], "statistics": [{"measure": "x", "value": 3}]}
    found = {"states": ["Azerbaijan"], "statistics": [{"measure": "y", "value": 3}]}
    total = overall(add_up([score_document(gold, found)]))
    assert (total.expected, total.found, total.matched) == (3, 2, 2)
    assert total.f1 == pytest.approx(0.8)


def test_nothing_expected_and_nothing_found_is_perfect() -> None:
    score = score_document({}, {})["persons"]
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)


def test_typed_figures_match_across_unit_suffixes_and_only_in_the_vocabulary() -> None:
    gold = {
        "statistics": [
            {"measure": "area_cleared_ha", "value": 120},
            {"measure": "mine_action_funding", "value": 500000},
            {"measure": "refugees", "value": 3100000},
        ]
    }
    found = {
        "statistics": [
            {"measure": "area_cleared_km2", "value": 120},
            {"measure": "mine_action_funding_usd", "value": 500000},
            {"measure": "idps", "value": 3100000},
        ]
    }
    scores = score_document(gold, found)
    assert scores["statistics"].matched == 3
    typed = scores["statistics_typed"]
    assert (typed.expected, typed.found, typed.matched) == (2, 3, 2)


def test_the_measure_vocabulary_is_the_one_of_the_schema() -> None:
    schema = (GOLD / "SCHEMA.md").read_text(encoding="utf-8")
    block = schema.split("<!-- measures -->")[1].split("<!-- /measures -->")[0]
    without_notes = re.sub(r"\([^)]*\)", "", block)
    without_groups = re.sub(r"(?m)^\s*[a-z ]+:", "", without_notes)
    named = set(re.findall(r"[a-z][a-z0-9_]*", without_groups))
    assert named == set(MEASURES)
