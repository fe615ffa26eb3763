"""Every item of every answer key in ../shared/gold is in the built graph, in its document's graph.

One test per category and document, reading the answer keys, so a missing item names itself.
Matching follows gold/SCHEMA.md: names after case/accent/punctuation folding (against the
entity's label or any alias), symbols without spaces and brackets, figures by value within 0.5 %
and by measure, events by name or start date, claims by claimant and accused.
"""

from __future__ import annotations

import collections
import datetime as dt
import re
from decimal import Decimal

import pytest
from rdflib import Dataset, URIRef

from conftest import fold, gold_documents
from minekg.pipeline import BuildResult
from minekg.vocab import MEASURE, MKG

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
        labels_of("schema:recipient|mkg:addresseePost") | values("mkg:addresseeText ?v")
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


def _iso_dates(value) -> set[str]:
    """The ISO partial dates a gold date field holds; free text ("early 1990s") holds none."""
    text = _date_text(value) if value is not None else ""
    return {text} if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text) else set()


EVENT_TYPES = {
    "conference": "Conference",
    "summit": "Summit",
    "meeting": "Meeting",
    "war": "ArmedConflict",
    "military_operation": "MilitaryOperation",
    "signing": "Signing",
    "resolution_adoption": "Adoption",
    "court_proceedings": "LegalProceeding",
    "court_decision": "CourtDecision",
    "policy_decision": "PolicyDecision",
    "establishment": "Establishment",
    "project": "Project",
    "deployment": "Deployment",
    "dismissal": "Dismissal",
    "map_handover": "MapHandover",
    "public_statement": "PublicStatement",
    "observance": "Observance",
    "report_issuance": "ReportIssuance",
}
# gold field → the event properties that state it
EVENT_ROLES = {
    "places": "sem:hasPlace",
    "organizers": "mkg:organizer",
    "parties": "mkg:party",
    "initiator": "mkg:initiator",
    "host": "mkg:host",
    "actor": "sem:hasActor|mkg:party|mkg:initiator|mkg:organizer",
}


def _names(value) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("stem,gold", by_stem("events"))
def test_events(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    accounts: dict[str, dict[str, set[str]]] = {}
    for node, kind, value in graph.rows(
        "SELECT ?e ?k ?v WHERE { GRAPH $G { ?e a mkg:EventAccount ; mkg:accountOf ?event ; "
        "prov:wasDerivedFrom ?src ; mkg:evidence ?ev } "
        "{ GRAPH $G { ?e rdfs:label ?v } BIND('name' AS ?k) } UNION "
        "{ GRAPH ?any { ?event skos:prefLabel|skos:altLabel ?v } BIND('name' AS ?k) } UNION "
        "{ GRAPH $G { ?e a ?v } BIND('type' AS ?k) } UNION "
        "{ GRAPH $G { ?e sem:hasBeginTimeStamp ?v } BIND('start' AS ?k) } UNION "
        "{ GRAPH $G { ?e sem:hasEndTimeStamp ?v } BIND('end' AS ?k) } UNION "
        "{ GRAPH $G { ?e sem:hasTimeStamp ?v } BIND('date' AS ?k) } "
        + "".join(
            f"UNION {{ GRAPH $G {{ ?e {path} ?x }} GRAPH ?l {{ ?x skos:prefLabel|skos:altLabel"
            f"|rdfs:label ?v }} BIND('{field}' AS ?k) }} "
            for field, path in EVENT_ROLES.items()
        )
        + "}"
    ):
        entry = accounts.setdefault(str(node), collections.defaultdict(set))
        value = str(value)
        entry[str(kind)].add(fold(value) if str(kind) in {"name", *EVENT_ROLES} else value)
    unmatched = dict(accounts)
    problems = []
    for event in gold["events"]:
        names = (
            {fold(event["name"])} | {fold(event["canonical"])}
            if "canonical" in event
            else {fold(event["name"])}
        )
        dates = set().union(*(_iso_dates(event.get(k)) for k in ("start", "date")))
        hit = next((k for k, e in unmatched.items() if e["name"] & names), None) or next(
            (k for k, e in unmatched.items() if (e["start"] | e["date"]) & dates), None
        )
        if hit is None:
            problems.append(f"missing: {event['name']}")
            continue
        account = unmatched.pop(hit)
        expected_type = MKG[EVENT_TYPES[event["type"]]]
        if str(expected_type) not in account["type"]:
            problems.append(f"{event['name']}: not typed {expected_type}")
        for field, stated in (
            ("start", ("start", "date")),
            ("end", ("end", "date")),
            ("date", ("date", "start")),
        ):
            wanted = _iso_dates(event.get(field))
            have = set().union(*(account[k] for k in stated))
            if wanted and not wanted & have:
                problems.append(f"{event['name']}: {field} {wanted} not in {sorted(have)}")
        for field in EVENT_ROLES:
            for name in _names(event.get(field)):
                if fold(name) not in account[field]:
                    problems.append(f"{event['name']}: {field} {name!r} not stated")
    assert not problems, f"{stem}: " + "; ".join(problems)


@pytest.mark.parametrize("stem,gold", by_stem("claims"))
def test_claims(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    claims: dict[str, dict] = {}
    for node, kind, value in graph.rows(
        "SELECT ?c ?k ?v WHERE { GRAPH $G { ?c a mkg:Claim ; prov:wasDerivedFrom ?src } "
        "{ GRAPH $G { ?c mkg:evidence/oa:hasSelector/oa:exact ?v } BIND('quote' AS ?k) } UNION "
        "{ GRAPH $G { ?c mkg:claimant ?x } GRAPH ?a { ?x skos:prefLabel ?v } "
        "  BIND('claimant' AS ?k) } UNION "
        "{ GRAPH $G { ?c mkg:accused ?x } GRAPH ?a { ?x skos:prefLabel ?v } "
        "  BIND('accused' AS ?k) } UNION "
        "{ GRAPH $G { ?c mkg:invokes ?x } GRAPH ?a { ?x mkg:ruleNumber ?v } BIND('rule' AS ?k) } "
        "UNION { GRAPH $G { ?c mkg:invokes ?x } GRAPH ?a { ?x skos:prefLabel|skos:altLabel"
        "|schema:legislationIdentifier ?v } BIND('law' AS ?k) } }"
    ):
        entry = claims.setdefault(str(node), collections.defaultdict(set))
        entry[str(kind)].add(str(value) if str(kind) in {"quote", "rule"} else fold(value))
    problems = []
    for claim in gold["claims"]:
        quote = claim["quote"]
        hit = next(
            (k for k, c in claims.items() if any(quote in q or q in quote for q in c["quote"])),
            None,
        )
        if hit is None:
            problems.append(f"missing (no claim with its quote): {claim['claim']}")
            continue
        found = claims.pop(hit)
        if fold(claim["claimant"]) not in found["claimant"]:
            problems.append(f"{quote!r}: claimant is not {claim['claimant']}")
        if fold(claim["accused"]) not in found["accused"]:
            problems.append(f"{quote!r}: {claim['accused']} is not accused")
        rules = {str(r) for r in claim.get("rules", [])}
        if not rules <= found["rule"]:
            problems.append(f"{quote!r}: rules {sorted(rules - found['rule'])} not invoked")
        laws = {fold(law) for law in claim.get("law", [])}
        if not laws <= found["law"]:
            problems.append(f"{quote!r}: law {sorted(laws - found['law'])} not invoked")
    assert not problems, f"{stem}: " + "; ".join(problems)


QUALIFIERS = {
    "Over": "over",
    "About": "about",
    "AtLeast": "at_least",
    "UpTo": "up_to",
    "Under": "under",
}


@pytest.mark.parametrize("stem,gold", by_stem("statistics"))
def test_statistics(built: BuildResult, stem: str, gold: dict) -> None:
    graph = DocumentGraph(built, stem)
    figures: dict[str, dict] = {}
    for node, kind, value in graph.rows(
        "SELECT ?o ?k ?v WHERE { GRAPH $G { ?o a mkg:Figure ; prov:wasDerivedFrom ?src ; "
        "mkg:evidence ?ev } "
        "{ GRAPH $G { ?o mkg:measure ?v } BIND('measure' AS ?k) } UNION "
        "{ GRAPH $G { ?o sdmx-measure:obsValue ?v } BIND('value' AS ?k) } UNION "
        "{ GRAPH $G { ?o mkg:valueText ?v } BIND('value_text' AS ?k) } UNION "
        "{ GRAPH $G { ?o mkg:qualifier ?v } BIND('qualifier' AS ?k) } UNION "
        "{ GRAPH $G { ?o mkg:asOf ?v } BIND('as_of' AS ?k) } UNION "
        "{ GRAPH $G { ?o sdmx-dimension:refArea ?p } GRAPH ?r { ?p skos:prefLabel ?v } "
        "  BIND('place' AS ?k) } }"
    ):
        entry = figures.setdefault(str(node), collections.defaultdict(set))
        entry[str(kind)].add(str(value))
    problems = []
    for stat in gold["statistics"]:
        label = f"{stat['measure']}={stat.get('value', stat.get('value_text'))}"
        expected = {
            "qualifier": {stat["qualifier"]} if stat.get("qualifier") else set(),
            "as_of": _iso_dates(stat.get("as_of")),
            "place": {fold(p) for p in _names(stat.get("place"))},
        }

        candidates = [
            k
            for k, f in figures.items()
            if f"{MEASURE}{stat['measure']}" in f["measure"] and _same_value(f, stat)
        ]
        if not candidates:
            problems.append(f"missing: {label}")
            continue
        best = min(candidates, key=lambda k: len(_differences(figures[k], expected)))
        problems += [f"{label}: {d}" for d in _differences(figures.pop(best), expected)]
    assert not problems, f"{stem}: " + "; ".join(problems)


def _differences(figure: dict, expected: dict[str, set[str]]) -> list[str]:
    """How a figure in the graph differs from the answer key on qualifier, date and place."""
    have = {
        "qualifier": {QUALIFIERS[q.rsplit("#", 1)[-1]] for q in figure["qualifier"]},
        "as_of": figure["as_of"],
        "place": {fold(p) for p in figure["place"]},
    }
    return [
        f"{k} {have[k] or None} (answer key: {v or None})"
        for k, v in expected.items()
        if have[k] != v
    ]


def _same_value(figure: dict, stat: dict) -> bool:
    if stat.get("value") is None:
        return fold(stat["value_text"]) in {fold(v) for v in figure["value_text"]}
    wanted = Decimal(str(stat["value"]))
    return any(abs(Decimal(v) - wanted) <= abs(wanted) * Decimal("0.005") for v in figure["value"])


@pytest.mark.parametrize("stem,gold", by_stem("cited_works"))
def test_cited_works(built: BuildResult, stem: str, gold: dict) -> None:
    """Works cited without a symbol: a citation (or a document link) whose target's title fits."""
    graph = DocumentGraph(built, stem)
    titles = {
        fold(t)
        for (t,) in graph.rows(
            "SELECT ?t WHERE { { GRAPH $G { ?c cito:hasCitedEntity ?w ; mkg:evidence ?ev } } UNION "
            "{ GRAPH $G { ?d mkg:reportsOn|cito:cites ?w } } "
            "GRAPH ?any { ?w dct:title|rdfs:label|skos:altLabel ?t } }"
        )
    }
    missing = [
        work
        for work in gold["cited_works"]
        if not any(t in fold(work) or fold(work) in t for t in titles if len(t) > 10)
    ]
    assert not missing, f"{stem}: cited works not in its graph: {missing}"
