"""Scoring an extraction against an answer key, with the rules of shared/gold/SCHEMA.md.

An extractor is only worth trusting as far as it is measured. Each category is scored by
precision and recall of one-to-one matches between found and expected items: names match after
case, accent and punctuation folding (small spelling variants pass), UN symbols after removing
spaces and brackets, figures by value within 0.5 % ("typed" when the measure matches too, a unit
suffix aside: ``area_cleared_ha`` is ``area_cleared_km2``; only figures whose measure is in the
vocabulary of SCHEMA.md are typed, the others are scored by value alone; figures without a value
are not scored), events by start date or name, claims by claimant and accused,
and every ``document`` field counts as one item. The overall score is micro-averaged over the
categories (the typed figures view is reported but not counted twice).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minekg import yamlio
from minekg.errors import InputError, MinekgError, SetupError

if TYPE_CHECKING:
    from minekg.inputs import Reference

NAME_CATEGORIES = ("instruments", "states", "organizations", "persons", "places")
CATEGORIES = (
    "document",
    "cited_documents",
    "ihl_rules",
    *NAME_CATEGORIES,
    "events",
    "claims",
    "statistics",
    "statistics_typed",
)
NOT_IN_OVERALL = {"statistics_typed"}
DOCUMENT_FIELDS = ("type", "date", "title", "author", "author_org", "addressee")
VALUE_TOLERANCE = 0.005
SPELLING_SIMILARITY = 0.88
MINOR_WORDS = {"and", "of", "the", "for", "on", "in", "to"}
UNIT_SUFFIX = re.compile(r"_(?:km2|ha|m2|usd|eur|aud|gbp)$")
# The measure vocabulary of shared/gold/SCHEMA.md (between its "measures" markers);
# tests/test_evaluate.py checks that this list and that file agree.
MEASURES = frozenset(
    """
    mine_victims_total mine_victims_killed mine_victims_injured mine_victims_children
    mine_victims_women mine_victims_children_pct mine_victims_women_pct mine_victims_post_conflict
    mine_victims_annual deminer_casualties
    contaminated_area_km2 contaminated_area_share_pct confirmed_hazardous_area_km2
    cmr_contaminated_area_km2 erw_contaminated_area_km2 contaminated_districts
    affected_municipalities affected_communities population_at_risk population_at_risk_pct
    mines_estimated
    area_released_km2 area_cancelled_km2 area_reduced_km2 area_cleared_ha area_released_share_pct
    area_cleared_share_pct cmr_area_cleared_km2 cmr_area_cancelled_km2 cmr_area_reduced_km2
    cmr_confirmed_hazardous_area_km2
    mines_neutralized ap_mines_neutralized at_mines_neutralized erw_neutralized
    explosive_devices_neutralized explosive_devices_found submunitions_destroyed
    stockpiled_mines_destroyed mines_neutralized_share_pct
    risk_education_beneficiaries mine_action_funding funding_share_pct clearance_cost_usd
    clearance_years_needed clearance_target_year treaty_states_parties
    idps missing_persons conference_participants conference_countries conference_organizations
    """.split()
)


@dataclass(frozen=True)
class Score:
    """Counts for one category; precision, recall and F1 derive from them."""

    expected: int
    found: int
    matched: int

    @property
    def precision(self) -> float:
        return self.matched / self.found if self.found else (1.0 if not self.expected else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else (1.0 if not self.found else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.expected + other.expected, self.found + other.found, self.matched + other.matched
        )


APOSTROPHES = str.maketrans("’‘ʼ", "'''")


def fold(text: object) -> str:
    """Case, accent and punctuation folded: "Non-Aligned  Movement" → "non aligned movement".
    A typographic apostrophe is an apostrophe ("People’s" and "People's" fold alike)."""
    plain = str(text).translate(APOSTROPHES)
    ascii_text = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def same_name(a: object, b: object) -> bool:
    """Equal after folding, or a small spelling variant ("Non-Alignment" for "Non-Aligned")."""
    x, y = fold(a), fold(b)
    if not x or not y:
        return False
    if x == y or _initials(x) == y.replace(" ", "") or _initials(y) == x.replace(" ", ""):
        return True
    return SequenceMatcher(None, x, y).ratio() >= SPELLING_SIMILARITY


def _initials(folded: str) -> str:
    """ "united nations educational scientific and cultural organization" → "unesco"."""
    words = [w for w in folded.split() if w not in MINOR_WORDS]
    return "".join(w[0] for w in words) if len(words) > 1 else ""


def fold_symbol(symbol: object) -> str:
    return re.sub(r"[\s()\[\]]", "", str(symbol)).upper()


def same_value(expected: object, found: object) -> bool:
    g, f = _number(expected), _number(found)
    if g is None or f is None:
        return False
    return abs(g - f) <= VALUE_TOLERANCE * abs(g) if g else f == 0


def measure_family(measure: object) -> str:
    """A measure without its unit suffix: "area_cleared_ha" and "area_cleared_km2" are one."""
    return UNIT_SUFFIX.sub("", str(measure))


def same_measure(a: object, b: object) -> bool:
    return a is not None and b is not None and measure_family(a) == measure_family(b)


def in_vocabulary(measure: object) -> bool:
    return measure is not None and measure_family(measure) in VOCABULARY_FAMILIES


VOCABULARY_FAMILIES = frozenset(measure_family(m) for m in MEASURES)


def same_date(a: object, b: object) -> bool:
    """Dates agree at the coarser of their precisions: "2024-05" and "2024-05-30" agree."""
    x, y = str(a), str(b)
    return bool(x and y) and (x.startswith(y) or y.startswith(x))


def match_count(expected: list[Any], found: list[Any], same: Callable[[Any, Any], bool]) -> int:
    """The size of a maximum one-to-one matching (Kuhn's augmenting paths; lists are small)."""
    edges = [[j for j, f in enumerate(found) if same(e, f)] for e in expected]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    return sum(augment(i, set()) for i in range(len(expected)))


def score_document(gold: dict[str, Any], found: dict[str, Any]) -> dict[str, Score]:
    """Per-category scores of one extraction (``found``) against one answer key (``gold``)."""
    scores: dict[str, Score] = {}
    scores["document"] = _score(
        _document_items(gold.get("document") or {}),
        _document_items(found.get("document") or {}),
        _same_document_item,
    )
    scores["cited_documents"] = _score(
        _list(gold, "cited_documents"),
        _list(found, "cited_documents"),
        lambda a, b: fold_symbol(a) == fold_symbol(b),
    )
    scores["ihl_rules"] = _score(
        _list(gold, "ihl_rules"), _list(found, "ihl_rules"), lambda a, b: str(a) == str(b)
    )
    for category in NAME_CATEGORIES:
        scores[category] = _score(_list(gold, category), _list(found, category), same_name)
    scores["events"] = _score(_list(gold, "events"), _list(found, "events"), _same_event)
    scores["claims"] = _score(_list(gold, "claims"), _list(found, "claims"), _same_claim)
    gold_figures = [s for s in _list(gold, "statistics") if _number(_get(s, "value")) is not None]
    found_figures = [s for s in _list(found, "statistics") if _number(_get(s, "value")) is not None]
    scores["statistics"] = _score(
        gold_figures, found_figures, lambda a, b: same_value(a["value"], b["value"])
    )
    scores["statistics_typed"] = _score(
        [s for s in gold_figures if in_vocabulary(_get(s, "measure"))],
        [s for s in found_figures if in_vocabulary(_get(s, "measure"))],
        lambda a, b: (
            same_value(a["value"], b["value"]) and same_measure(a.get("measure"), b.get("measure"))
        ),
    )
    return scores


def overall(scores: dict[str, Score]) -> Score:
    """Micro-average: every scored item of every category counts once."""
    total = Score(0, 0, 0)
    for category, score in scores.items():
        if category not in NOT_IN_OVERALL:
            total += score
    return total


def add_up(per_document: Iterable[dict[str, Score]]) -> dict[str, Score]:
    totals = {category: Score(0, 0, 0) for category in CATEGORIES}
    for scores in per_document:
        for category, score in scores.items():
            totals[category] += score
    return totals


def load_answer_key(path: Path) -> dict[str, Any]:
    """One answer key; a file that is not a YAML mapping is an InputError naming it."""
    data, _node = yamlio.load(path)
    if not isinstance(data, dict):
        raise InputError(path, None, None, "an answer key must be a YAML mapping")
    return data


def _score(expected: list[Any], found: list[Any], same: Callable[[Any, Any], bool]) -> Score:
    return Score(len(expected), len(found), match_count(expected, found, same))


def _list(data: dict[str, Any], category: str) -> list[Any]:
    value = data.get(category) or []
    return list(value) if isinstance(value, list) else [value]


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(str(value))
    except ValueError:
        return None


def _document_items(document: dict[str, Any]) -> list[tuple[str, Any]]:
    """Each field of the document and of its parts, one item each (each symbol is one item)."""
    items: list[tuple[str, Any]] = [("symbol", s) for s in document.get("symbols") or []]
    items += [(f, document[f]) for f in DOCUMENT_FIELDS if document.get(f) is not None]
    for part in document.get("parts") or []:
        items += [(f"part.{f}", part[f]) for f in DOCUMENT_FIELDS if part.get(f) is not None]
    return items


def _same_document_item(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    field_a, value_a = a
    field_b, value_b = b
    if field_a != field_b:
        return False
    if field_a == "symbol":
        return fold_symbol(value_a) == fold_symbol(value_b)
    if field_a.endswith("date"):
        return str(value_a) == str(value_b)
    return same_name(value_a, value_b)


def _event_start(event: Any) -> str | None:
    value = _get(event, "start") or _get(event, "date")
    return str(value) if value is not None else None


def _same_event(a: Any, b: Any) -> bool:
    start_a, start_b = _event_start(a), _event_start(b)
    if start_a and start_b and same_date(start_a, start_b):
        return True
    return same_name(_get(a, "name") or "", _get(b, "name") or "")


def _parties(value: Any) -> set[str]:
    values = value if isinstance(value, list) else [value]
    return {fold(v) for v in values if v}


def _same_claim(a: Any, b: Any) -> bool:
    claimant_ok = same_name(_get(a, "claimant") or "", _get(b, "claimant") or "")
    return claimant_ok and bool(_parties(_get(a, "accused")) & _parties(_get(b, "accused")))


@dataclass(frozen=True)
class Evaluation:
    """The scores of a folder of answer keys, and the keys that could not be scored."""

    totals: dict[str, Score]
    overall: Score
    scored: int
    errors: list[str]


def evaluate_folder(gold_dir: Path, docs_dir: Path, reference: Reference) -> Evaluation:
    """Extract each document that has an answer key (same stem) and score it against the key.

    A key whose document is missing or cannot be read is reported, and the others still scored.
    """
    from minekg import reading
    from minekg.extract import extract

    keys = sorted(gold_dir.glob("*.yaml")) if gold_dir.is_dir() else []
    if not keys:
        raise SetupError(f"{gold_dir}: no answer keys (*.yaml)")
    scores, errors = [], []
    for key_path in keys:
        documents = sorted(
            p for p in docs_dir.glob(f"{key_path.stem}.*") if p.suffix in reading.MEDIA_TYPES
        )
        if not documents:
            errors.append(f"{key_path}: no document {key_path.stem}.* in {docs_dir}")
            continue
        try:
            gold = load_answer_key(key_path)
            found = extract(reading.read(documents[0]), reference).to_gold()
        except MinekgError as exc:
            errors.append(str(exc))
            continue
        scores.append(score_document(gold, found))
    totals = add_up(scores)
    return Evaluation(totals, overall(totals), len(scores), errors)


def below(sets: list[tuple[Path, Evaluation]], min_f1: float | None) -> list[str]:
    """``--min-f1``: a line for each set of answer keys whose overall F1 is lower."""
    return [
        f"{gold}: overall F1 {result.overall.f1:.3f} is below --min-f1 {min_f1}"
        for gold, result in sets
        if min_f1 is not None and result.overall.f1 < min_f1
    ]
