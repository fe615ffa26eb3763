"""Reference data: its links to the outside world are verified; its IHL rules are the ICRC's."""

from __future__ import annotations

import re

import pytest
from rdflib import URIRef

from conftest import ROOT, SHARED
from minekg.inputs import load_reference
from minekg.pipeline import BuildResult
from minekg.vocab import MKG

DOMAIN = (SHARED / "design" / "DOMAIN.md").read_text(encoding="utf-8")


def seen_qids() -> set[str]:
    """QIDs design/DOMAIN.md §2 marks as seen in a source and not in conflict."""
    qids = set()
    for line in DOMAIN.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and cells[3].startswith("SEEN") and "CONFLICT" not in cells[3]:
            qids.update(re.findall(r"Q\d+", cells[2]))
    return qids


def test_wikidata_links_only_to_seen_qids() -> None:
    reference = load_reference(ROOT / "data" / "reference")
    linked = {
        e.key: e.wikidata
        for section in reference.sections.values()
        for e in section
        if getattr(e, "wikidata", None)
    }
    allowed = seen_qids()
    assert linked, "no Wikidata links at all"
    assert {k: q for k, q in linked.items() if q not in allowed} == {}


def icrc_rules() -> dict[int, str]:
    """Rule number → official statement, from the table in DOMAIN.md §1.1."""
    rules = {}
    for match in re.finditer(r"^\| (\d+)[^|]*\| [^|]+\| \"([^\"]+)\"", DOMAIN, re.M):
        rules[int(match[1])] = match[2]
    return rules


@pytest.mark.parametrize("number,statement", sorted(icrc_rules().items()))
def test_ihl_rule_has_the_official_statement_and_page(
    built: BuildResult, number: int, statement: str
) -> None:
    rule = URIRef(f"https://w3id.org/minekg/id/ihl-rule/{number}")
    graph = built.dataset.graph(URIRef("https://w3id.org/minekg/graph/reference"))
    assert str(graph.value(rule, MKG.ruleStatement)) == statement
    page = str(graph.value(rule, MKG.icrcPage))
    assert page == f"https://ihl-databases.icrc.org/en/customary-ihl/v1/rule{number}"
    assert graph.value(rule, MKG.legalScope) is not None


def test_the_six_rules_are_there() -> None:
    assert set(icrc_rules()) == {80, 81, 82, 83, 117, 132}
