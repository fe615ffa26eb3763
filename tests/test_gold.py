"""Every item of every answer key in ../shared/gold is in the built graph, in its document's graph.

One test per category and document, reading the answer keys, so a missing item names itself.
Matching follows gold/SCHEMA.md: names after case/accent/punctuation folding (against the
entity's label or any alias), symbols without spaces and brackets, figures by value within 0.5 %
and by measure, events by name or start date, claims by claimant and accused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rdflib import Dataset, URIRef

from conftest import fold, gold_documents
from minekg.pipeline import BuildResult

GOLD = gold_documents()
PREFIXES = """
PREFIX mkg: <https://w3id.org/minekg/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
"""
CLASS_OF_CATEGORY = {
    "states": "mkg:State",
    "organizations": "mkg:Organization",
    "persons": "mkg:Person",
    "places": "mkg:Place",
    "instruments": "mkg:Instrument",
}


class DocumentGraph:
    """Questions a reviewer asks of one document's named graph."""

    def __init__(self, result: BuildResult, stem: str):
        self.dataset: Dataset = result.dataset
        matches = [r.record for r in result.records if r.record.source.file == f"{stem}.txt"]
        assert matches, f"no record reads corpus document {stem}.txt"
        self.record = matches[0]
        self.graph = URIRef(f"https://w3id.org/minekg/graph/{self.record.key}")
        self.doc = URIRef(f"https://w3id.org/minekg/id/document/{self.record.key}")

    def rows(self, where: str) -> list[tuple]:
        query = PREFIXES + where.replace("$G", f"<{self.graph}>").replace("$D", f"<{self.doc}>")
        return [tuple(row) for row in self.dataset.query(query)]

    def names(self, node_var_query: str) -> dict[str, set[str]]:
        """node → every folded label, alias and title it has in any graph."""
        found: dict[str, set[str]] = {}
        for node, name in self.rows(node_var_query):
            found.setdefault(str(node), set()).add(fold(name))
        return found


def by_stem(category: str) -> list:
    params = [pytest.param(stem, gold, id=stem) for stem, gold in GOLD if gold.get(category)]
    assert params, f"no answer key has {category}"
    return params


def all_names(graph: DocumentGraph, node_pattern: str) -> dict[str, set[str]]:
    return graph.names(
        "SELECT ?e ?name WHERE { "
        + node_pattern
        + " GRAPH ?any { ?e rdfs:label|skos:prefLabel|skos:altLabel|dct:title|mkg:formerName"
        "|mkg:acronym ?name } }"
    )


def missing_names(wanted: list[str], names: dict[str, set[str]]) -> list[str]:
    available = set().union(*names.values()) if names else set()
    return [name for name in wanted if fold(name) not in available]


@pytest.mark.parametrize("stem,gold", by_stem("document"))
def test_document_metadata(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    problems = _check_document(graph, graph.doc, gold["document"])
    parts = gold["document"].get("parts", [])
    part_nodes = [
        row[0] for row in graph.rows("SELECT ?p WHERE { GRAPH $G { $D dct:hasPart ?p } }")
    ]
    assert len(part_nodes) == len(parts), (
        f"{stem}: {len(part_nodes)} parts, answer key has {len(parts)}"
    )
    for gold_part in parts:
        options = [_check_document(graph, node, gold_part) for node in part_nodes]
        if all(options):
            problems.append(
                f"no part matches {gold_part.get('title') or gold_part}: {min(options, key=len)}"
            )
    assert not problems, f"{stem}: " + "; ".join(problems)


def _check_document(graph: DocumentGraph, node: URIRef, gold: dict) -> list[str]:
    problems = []

    def values(pattern: str, folded: bool = True) -> set[str]:
        return {
            fold(v) if folded else str(v)
            for (v,) in graph.rows(f"SELECT ?v WHERE {{ GRAPH $G {{ <{node}> {pattern} }} }}")
        }

    def labels_of(predicates: str) -> set[str]:
        return {
            fold(v)
            for (v,) in graph.rows(
                f"SELECT ?v WHERE {{ GRAPH $G {{ <{node}> {predicates} ?e }} "
                "GRAPH ?any { ?e rdfs:label|skos:altLabel ?v } }"
            )
        }

    types = {
        str(t).rsplit("#", 1)[-1]
        for (t,) in graph.rows(f"SELECT ?t WHERE {{ GRAPH $G {{ <{node}> a ?t }} }}")
    }
    expected_type = {
        "letter": "Letter",
        "statement": "Statement",
        "declaration": "Declaration",
        "article": "NewsArticle",
        "report": "Report",
    }[gold["type"]]
    if expected_type not in types:
        problems.append(f"type {gold['type']} not in {sorted(types)}")
    if "date" in gold and _date_text(gold["date"]) not in values("dct:issued ?v", folded=False):
        problems.append(f"date {gold['date']} not stated")
    if gold.get("title") and fold(gold["title"]) not in values("dct:title ?v"):
        problems.append(f"title {gold['title']!r} not stated")
    if gold.get("author") and fold(gold["author"]) not in (
        labels_of("schema:author") | values("mkg:authorText ?v")
    ):
        problems.append(f"author {gold['author']!r} not stated")
    if gold.get("author_org") and fold(gold["author_org"]) not in labels_of(
        "mkg:authorOrganization|schema:publisher"
    ):
        problems.append(f"author_org {gold['author_org']!r} not stated")
    if gold.get("addressee") and fold(gold["addressee"]) not in (
        labels_of("schema:recipient") | values("mkg:addresseeText ?v")
    ):
        problems.append(f"addressee {gold['addressee']!r} not stated")
    symbols = {fold(v) for v in values("mkg:unSymbol ?v")}
    for symbol in gold.get("symbols", []):
        if fold(symbol) not in symbols:
            problems.append(f"symbol {symbol} not stated")
    return problems


def _symbol_fold(symbol: str) -> str:
    return "".join(ch for ch in str(symbol) if ch not in " ()").upper()


@pytest.mark.parametrize("stem,gold", by_stem("cited_documents"))
def test_cited_documents(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    cited = {
        _symbol_fold(v)
        for (v,) in graph.rows(
            "SELECT ?s WHERE { GRAPH $G { ?c a mkg:Citation ; cito:hasCitedEntity ?t ; "
            "mkg:evidence ?ev } "
            "GRAPH ?any { ?t schema:legislationIdentifier|mkg:unSymbol|mkg:identifiedSymbol ?s } }"
        )
    }
    missing = [s for s in gold["cited_documents"] if _symbol_fold(s) not in cited]
    assert not missing, f"{stem}: cited documents not in its graph: {missing}"


@pytest.mark.parametrize("stem,gold", by_stem("ihl_rules"))
def test_ihl_rules(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    cited = {
        int(n)
        for (n,) in graph.rows(
            "SELECT ?n WHERE { GRAPH $G { ?c a mkg:Citation ; cito:hasCitedEntity ?r ; "
            "mkg:evidence ?ev } "
            "GRAPH ?any { ?r a mkg:CustomaryIHLRule ; mkg:ruleNumber ?n } }"
        )
    }
    assert cited >= set(gold["ihl_rules"]), (
        f"{stem}: rules {set(gold['ihl_rules']) - cited} missing"
    )


@pytest.mark.parametrize("category", sorted(CLASS_OF_CATEGORY))
def test_named_entities(built: BuildResult, category: str) -> None:
    problems = []
    for stem, gold in GOLD:
        if not gold.get(category):
            continue
        graph = DocumentGraph(built, stem)
        names = all_names(
            graph,
            "GRAPH $G { ?doc schema:mentions ?e . ?m oa:hasBody ?e ; "
            f"mkg:evidence ?ev }} GRAPH ?t {{ ?e a {CLASS_OF_CATEGORY[category]} }}",
        )
        missing = missing_names(gold[category], names)
        if missing:
            problems.append(f"{stem}: {missing}")
    assert not problems, f"{category} not mentioned in their document's graph: {problems}"


def _date_text(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


@pytest.mark.parametrize("stem,gold", by_stem("events"))
def test_events(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    events: dict[str, dict[str, set[str]]] = {}
    for node, kind, value in graph.rows(
        "SELECT ?e ?k ?v WHERE { GRAPH $G { ?e a mkg:Event ; mkg:evidence ?ev } "
        "{ GRAPH $G { ?e rdfs:label ?v } BIND('name' AS ?k) } UNION "
        "{ GRAPH ?any { ?e skos:prefLabel|skos:altLabel ?v } BIND('name' AS ?k) } UNION "
        "{ GRAPH $G { ?e sem:hasBeginTimeStamp|sem:hasTimeStamp ?v } BIND('date' AS ?k) } }"
    ):
        entry = events.setdefault(str(node), {"name": set(), "date": set()})
        entry[str(kind)].add(fold(value) if str(kind) == "name" else str(value))
    unmatched = dict(events)
    missing = []
    for event in gold["events"]:
        names = {fold(event["name"])} | (
            {fold(event["canonical"])} if "canonical" in event else set()
        )
        dates = {_date_text(event[k]) for k in ("start", "date") if k in event}
        hit = next((k for k, e in unmatched.items() if e["name"] & names), None) or next(
            (k for k, e in unmatched.items() if e["date"] & dates), None
        )
        if hit is None:
            missing.append(event["name"])
        else:
            unmatched.pop(hit)
    assert not missing, f"{stem}: events not in its graph: {missing}"


@pytest.mark.parametrize("stem,gold", by_stem("claims"))
def test_claims(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    claims: dict[str, dict] = {}
    for node, claimant, accused, quote, rule in graph.rows(
        "SELECT ?c ?claimant ?accused ?quote ?rule WHERE { GRAPH $G { "
        "?c a mkg:Claim ; mkg:claimant ?x ; mkg:accused ?y ; prov:wasDerivedFrom ?src ; "
        "mkg:evidence/oa:hasSelector/oa:exact ?quote . "
        "} OPTIONAL { GRAPH $G { ?c mkg:invokes ?r } GRAPH ?rg { ?r mkg:ruleNumber ?rule } } "
        "GRAPH ?g1 { ?x skos:prefLabel ?claimant } GRAPH ?g2 { ?y skos:prefLabel ?accused } }"
    ):
        entry = claims.setdefault(
            str(node), {"parties": set(), "quote": str(quote), "rules": set()}
        )
        entry["parties"].add((fold(claimant), fold(accused)))
        if rule is not None:
            entry["rules"].add(int(rule))
    missing, wrong_rules = [], []
    for claim in gold["claims"]:
        parties = (fold(claim["claimant"]), fold(claim["accused"]))
        candidates = {k: c for k, c in claims.items() if parties in c["parties"]}
        quoted = [
            k
            for k, c in candidates.items()
            if claim["quote"] in c["quote"] or c["quote"] in claim["quote"]
        ]
        key = (quoted or list(candidates) or [None])[0]
        if key is None:
            missing.append(claim["claim"])
            continue
        if not set(claim.get("rules", [])) <= claims[key]["rules"]:
            wrong_rules.append((claim["claim"], claim.get("rules"), claims[key]["rules"]))
        claims.pop(key)
    assert not missing, f"{stem}: claims not in its graph: {missing}"
    assert not wrong_rules, f"{stem}: claims without the rules they invoke: {wrong_rules}"


@pytest.mark.parametrize("stem,gold", by_stem("statistics"))
def test_statistics(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    figures = [
        (str(node), Decimal(str(value)), str(measure).rsplit("/", 1)[-1])
        for node, value, measure in graph.rows(
            "SELECT ?o ?v ?m WHERE { GRAPH $G { ?o a mkg:Observation ; "
            "sdmx-measure:obsValue ?v ; mkg:measure ?m ; mkg:evidence ?ev } }"
        )
    ]
    missing = []
    for stat in gold["statistics"]:
        if stat.get("value") is None:
            continue
        wanted = Decimal(str(stat["value"]))
        hit = next(
            (
                f
                for f in figures
                if f[2] == stat["measure"] and abs(f[1] - wanted) <= abs(wanted) * Decimal("0.005")
            ),
            None,
        )
        if hit is None:
            missing.append(f"{stat['measure']}={stat['value']}")
        else:
            figures.remove(hit)
    assert not missing, f"{stem}: figures not in its graph (by value and measure): {missing}"
