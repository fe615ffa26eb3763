"""Named queries answer their questions on the corpus graph, the same on Oxigraph and rdflib.

Expected answers are read from the records (data/records/*.yaml) and reference data, not from
running the queries.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from click.testing import CliRunner
from rdflib import Dataset, Literal, URIRef
from rdflib.query import Result

from conftest import ROOT
from minekg import queries, store
from minekg.cli import main
from minekg.errors import MinekgError
from minekg.vocab import DEFAULT_BASE

NAMES = sorted(queries.available())
RECORDS = {
    path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "data" / "records").glob("*.yaml"))
}
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "long", "int")}

# Every named query with the parameters its tests use; optional parameters also run unbound.
CASES = [
    ("actors-by-documents", {}),
    ("actors-by-documents", {"kind": "State"}),
    ("agreements-signed", {}),
    ("agreements-signed", {"party": "state/arm"}),
    ("claims-by-party", {}),
    ("claims-by-party", {"claimant": "state/aze"}),
    ("conference-participants", {}),
    ("conference-participants", {"agent": "state/aze"}),
    ("document-graph", {"doc": "A-79-690"}),
    ("drafted-statements", {}),
    ("drafted-statements", {"status": "Reviewed"}),
    ("event-accounts", {"event": "icma-3-2024"}),
    ("evidence", {"node": "claim/A-79-690/3695"}),
    ("figure-discrepancies", {}),
    ("figure-discrepancies", {"measure": "mine_victims_total"}),
    ("figure-over-time", {"measure": "area_cleared_ha"}),
    ("ihl-rules-invoked", {}),
    ("ihl-rules-invoked", {"doc": "A-79-690"}),
    ("resolutions-cited", {}),
    ("resolutions-cited", {"doc": "A-78-908"}),
    ("timeline", {}),
    ("timeline", {"doc": "A-79-690"}),
    ("treaty-status", {}),
    ("treaty-status", {"state": "arm"}),
]


@pytest.fixture(scope="module")
def oxigraph(written: Path) -> ox.Store:
    return store.load(written)


@pytest.fixture(scope="module")
def rdflib_dataset(written: Path) -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(written / "minekg.nq", format="nquads")
    return dataset


def ask(oxigraph: ox.Store, name: str, **params: str) -> list[dict[str, str]]:
    """Rows as {variable: value} with IRIs and literals as plain strings, unbound left out."""
    named = queries.load(name)
    answer = queries.run(oxigraph, named, queries.resolve(named, params, DEFAULT_BASE))
    return [
        {v: t.value for v, t in zip(answer.variables, row, strict=True) if t is not None}
        for row in answer.rows
    ]


def key(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_there_are_at_least_twelve_named_queries_each_stating_its_question() -> None:
    assert len(NAMES) >= 12
    for name in NAMES:
        named = queries.load(name)
        assert named.question.endswith("?"), name
        assert re.search(r"^ORDER BY ", named.text, re.M), f"{name}: rows need a fixed order"


def test_every_named_query_has_an_engine_comparison_case() -> None:
    assert {name for name, _ in CASES} == set(NAMES)


def test_declared_parameters_are_projected_variables(oxigraph: ox.Store) -> None:
    """Oxigraph binds only projected variables; a parameter it cannot bind must fail loudly."""
    for name in NAMES:
        named = queries.load(name)
        answer = queries.run(oxigraph, named, {})
        for parameter in named.parameters:
            assert parameter.name in answer.variables, f"{name}: ?{parameter.name}"


def _normal(term: object) -> tuple[str, ...] | None:
    """A term from either engine as comparable data: numbers by value, other literals exactly."""
    if term is None:
        return None
    if isinstance(term, URIRef | ox.NamedNode):
        return ("iri", str(term) if isinstance(term, URIRef) else term.value)
    if isinstance(term, Literal):
        lexical, datatype, language = str(term), term.datatype, term.language
        datatype_iri = str(datatype) if datatype else (None if language else XSD + "string")
    else:
        assert isinstance(term, ox.Literal), term
        lexical, language = term.value, term.language
        datatype_iri = None if language else term.datatype.value
    if datatype_iri in NUMERIC:
        return ("number", str(Decimal(lexical).normalize()))
    return ("literal", lexical, datatype_iri or "", language or "")


@pytest.mark.parametrize("name, params", CASES, ids=[f"{n}{p or ''}" for n, p in CASES])
def test_oxigraph_and_rdflib_give_the_same_rows(
    oxigraph: ox.Store, rdflib_dataset: Dataset, name: str, params: dict[str, str]
) -> None:
    named = queries.load(name)
    bindings = queries.resolve(named, params, DEFAULT_BASE)
    fast = queries.run(oxigraph, named, bindings)
    reference = queries.run_rdflib(rdflib_dataset, named, bindings)
    assert fast.variables == tuple(str(v) for v in reference.vars or [])
    fast_rows = Counter(tuple(_normal(t) for t in row) for row in fast.rows)
    reference_rows = Counter(
        tuple(_normal(row[v]) for v in reference.vars or [])  # type: ignore[index]
        for row in reference
    )
    assert fast_rows, f"{name} {params}: no rows on the corpus graph"
    assert fast_rows == reference_rows


# --- the answers, checked against the records ---------------------------------------------------


def test_ihl_rules_invoked_are_the_records_claims_with_rules(oxigraph: ox.Store) -> None:
    expected = {
        (str(rule), doc, claim["claimant"], accused)
        for doc, record in RECORDS.items()
        for claim in record.get("claims", [])
        for rule in claim.get("rules", [])
        for accused in claim.get("accused", [])
    }
    rows = ask(oxigraph, "ihl-rules-invoked")
    found = {(r["ruleNumber"], key(r["doc"]), key(r["claimant"]), key(r["accused"])) for r in rows}
    assert found == expected
    assert {("82", "A-79-690", "aze", "arm"), ("83", "A-79-690", "aze", "arm")} <= found
    numbers = [int(r["ruleNumber"]) for r in rows]
    assert numbers == sorted(numbers)


def test_ihl_rules_invoked_in_one_document(oxigraph: ox.Store) -> None:
    rows = ask(oxigraph, "ihl-rules-invoked", doc="A-79-690")
    claims = RECORDS["A-79-690"]["claims"]
    assert sorted({int(r["ruleNumber"]) for r in rows}) == sorted(
        {rule for claim in claims for rule in claim.get("rules", [])}
    )
    assert {key(r["doc"]) for r in rows} == {"A-79-690"}


def test_resolutions_cited_are_the_records_citations_of_resolutions(oxigraph: ox.Store) -> None:
    reference = yaml.safe_load((ROOT / "data/reference/instruments.yaml").read_text())
    resolutions = [i for i in reference["instruments"] if i.get("type") == "resolution"]
    symbol_of = {i["key"]: i["symbol"] for i in resolutions} | {
        i["symbol"]: i["symbol"] for i in resolutions
    }
    expected = Counter(
        (doc, symbol_of[cited])
        for doc, record in RECORDS.items()
        for citation in record.get("citations", [])
        if (cited := citation.get("symbol") or citation.get("entity")) in symbol_of
    )
    rows = ask(oxigraph, "resolutions-cited")
    assert Counter((key(r["doc"]), r["symbol"]) for r in rows) == expected
    council = [r for r in rows if r["symbol"] == "S/RES/822 (1993)"]
    assert council and all(
        r["body"] == "United Nations Security Council" and r["year"] == "1993" for r in council
    )


def test_timeline_dates_each_account_as_its_document_does(oxigraph: ox.Store) -> None:
    rows = ask(oxigraph, "timeline")
    told = {
        (event["key"], doc): str(event.get("date") or event.get("start") or "")
        for doc, record in RECORDS.items()
        for event in record.get("events", [])
    }
    found = {(key(r["event"]), key(r["doc"])): r for r in rows}
    assert set(found) == set(told)
    for (event, doc), date in told.items():
        if date:
            assert found[event, doc]["date"] == date, (event, doc)
            assert found[event, doc]["dateFrom"] == "document"
    dates = [r["date"] for r in rows if "date" in r]
    assert dates == sorted(dates)
    assert "date" not in rows[-1], "undated accounts come last"


def test_area_cleared_over_time_lists_every_source_with_dates(oxigraph: ox.Store) -> None:
    expected = {
        (doc, Decimal(str(figure["value"])))
        for doc, record in RECORDS.items()
        for figure in record.get("figures", [])
        if figure["measure"] == "area_cleared_ha"
    }
    rows = ask(oxigraph, "figure-over-time", measure="area_cleared_ha")
    assert {(key(r["doc"]), Decimal(r["value"])) for r in rows} == expected
    caliber = next(r for r in rows if key(r["doc"]).startswith("caliber-az"))
    assert caliber["date"] == "2024-11-30" and caliber["dateFrom"] == "figure"
    assert all(r["quote"] for r in rows)
    dated = [r["date"] for r in rows if "date" in r]
    assert dated == sorted(dated) and len(dated) >= 3


def test_figure_discrepancies_report_3461_against_3460_with_both_sources(
    oxigraph: ox.Store,
) -> None:
    def victims(doc: str, as_of: str | None) -> dict:
        return next(
            f
            for f in RECORDS[doc]["figures"]
            if f["measure"] == "mine_victims_total" and str(f.get("as_of")) == str(as_of)
        )

    letter, article = (
        victims("A-79-690", None),
        victims("caliber-az-2024-12-azerbaijan-urges-un", "2024-12"),
    )
    rows = ask(oxigraph, "figure-discrepancies")
    pairs = {
        (key(r["doc"]), Decimal(r["value"]), key(r["otherDoc"]), Decimal(r["otherValue"]))
        for r in rows
    }
    assert (
        "A-79-690",
        Decimal(letter["value"]),
        "caliber-az-2024-12-azerbaijan-urges-un",
        Decimal(article["value"]),
    ) in pairs
    pair = next(r for r in rows if key(r["doc"]) == "A-79-690")
    assert pair["quote"] == letter["quote"] and pair["otherQuote"] == article["quote"]
    # "over 3,400" (A-78-908, astro-awani) does not contradict 3,461: no such pair is reported.
    assert not any(Decimal(3400) in (value, other) for _, value, _, other in pairs)


ROLES = {"organizers": "organizer", "participants": "participant", "parties": "party"}


def test_conference_participants_are_the_records_roles(oxigraph: ox.Store) -> None:
    expected = set()
    for doc, record in RECORDS.items():
        for event in record.get("events", []):
            if event["type"] not in ("conference", "summit", "meeting"):
                continue
            for field, role in ROLES.items():
                expected |= {(event["key"], role, agent, doc) for agent in event.get(field, [])}
            if event.get("host"):
                expected.add((event["key"], "host", event["host"], doc))
    rows = ask(oxigraph, "conference-participants")
    found = {(key(r["event"]), r["role"], key(r["agent"]), key(r["doc"])) for r in rows}
    assert found == expected
    assert ("icma-3-2024", "organizer", "un", "A-79-690") in found


def test_agreements_signed_are_the_records_signings(oxigraph: ox.Store) -> None:
    expected = {
        (event["instrument"], party, doc)
        for doc, record in RECORDS.items()
        for event in record.get("events", [])
        if event["type"] == "signing"
        for party in event.get("parties", [])
    }
    rows = ask(oxigraph, "agreements-signed")
    assert {(key(r["instrument"]), key(r["party"]), key(r["doc"])) for r in rows} == expected
    armenia = ask(oxigraph, "agreements-signed", party="state/arm")
    assert {key(r["instrument"]) for r in armenia} == {"trilateral-statement-2020"}


def test_document_graph_is_everything_the_document_says(oxigraph: ox.Store, built) -> None:
    rows = ask(oxigraph, "document-graph", doc="A-79-690")
    graph = built.dataset.graph(URIRef("https://w3id.org/minekg/graph/A-79-690"))
    assert len(rows) == len(graph)
    texts = {r["object"] for r in rows if r["predicate"] == "https://schema.org/text"}
    assert {claim["claim"] for claim in RECORDS["A-79-690"]["claims"]} <= texts


def test_evidence_gives_the_quote_and_offsets_behind_a_claim(oxigraph: ox.Store) -> None:
    claim = next(c for c in RECORDS["A-79-690"]["claims"] if c["at"] == 3695)
    [row] = ask(oxigraph, "evidence", node="claim/A-79-690/3695")
    assert row["quote"] == claim["quote"]
    assert (int(row["start"]), int(row["end"])) == (3695, 3695 + len(claim["quote"]))
    assert key(row["doc"]) == "A-79-690"


def test_actors_are_ranked_by_the_documents_that_mention_them(oxigraph: ox.Store) -> None:
    documents: Counter[str] = Counter()
    for record in RECORDS.values():
        documents.update({m["entity"] for m in record.get("mentions", [])})
    rows = ask(oxigraph, "actors-by-documents")
    assert rows
    for row in rows:
        assert int(row["documents"]) == documents[key(row["actor"])], row["actor"]
    most = int(rows[0]["documents"])
    assert "aze" in {key(r["actor"]) for r in rows if int(r["documents"]) == most}
    assert most == documents["aze"] == len(RECORDS)
    states = ask(oxigraph, "actors-by-documents", kind="State")
    assert {r["kind"] for r in states} == {"https://w3id.org/minekg/ontology#State"}


def test_treaty_status_is_the_reference_data(oxigraph: ox.Store) -> None:
    reference = yaml.safe_load((ROOT / "data/reference/treaty_status.yaml").read_text())
    camel = {"party": "Party", "not_party": "NotParty", "signatory": "Signatory"}
    expected = {(s["state"], s["treaty"], camel[s["status"]]) for s in reference["treaty_status"]}
    rows = ask(oxigraph, "treaty-status")
    assert {(key(r["state"]), key(r["treaty"]), r["status"]) for r in rows} == expected
    assert all(r["source"].startswith("http") for r in rows)
    armenia = ask(oxigraph, "treaty-status", state="arm")
    assert {key(r["state"]) for r in armenia} == {"arm"}


def test_claims_are_counted_by_claimant_and_accused(oxigraph: ox.Store) -> None:
    claims: Counter[tuple[str, str]] = Counter()
    documents: dict[tuple[str, str], set[str]] = {}
    for doc, record in RECORDS.items():
        for claim in record.get("claims", []):
            for accused in claim.get("accused", []) or [""]:
                claims[claim["claimant"], accused] += 1
                documents.setdefault((claim["claimant"], accused), set()).add(doc)
    rows = ask(oxigraph, "claims-by-party")
    found = {
        (key(r["claimant"]), key(r.get("accused", ""))): (int(r["claims"]), int(r["documents"]))
        for r in rows
    }
    assert found == {pair: (n, len(documents[pair])) for pair, n in claims.items()}


def test_event_accounts_show_each_documents_telling(oxigraph: ox.Store) -> None:
    tellers = {
        doc
        for doc, record in RECORDS.items()
        if any(e["key"] == "icma-3-2024" for e in record.get("events", []))
    }
    rows = ask(oxigraph, "event-accounts", event="icma-3-2024")
    assert {key(r["doc"]) for r in rows} == tellers
    assert len(tellers) >= 2


# --- binding parameters --------------------------------------------------------------------------


def test_short_and_full_forms_of_a_parameter_bind_the_same_iri() -> None:
    named = queries.load("document-graph")
    full = "https://w3id.org/minekg/id/document/A-79-690"
    assert queries.resolve(named, {"doc": "A-79-690"}, DEFAULT_BASE) == queries.resolve(
        named, {"doc": full}, DEFAULT_BASE
    )


@pytest.mark.parametrize(
    "params, problem",
    [
        ({}, "needs --param doc"),
        ({"doc": "A-79-690", "year": "2024"}, "has no parameter 'year'"),
        ({"doc": "A-79-690> } ?s ?p ?o {"}, "not an IRI"),
    ],
)
def test_bad_parameters_are_refused_with_the_reason(params: dict, problem: str) -> None:
    with pytest.raises(MinekgError, match=problem):
        queries.resolve(queries.load("document-graph"), params, DEFAULT_BASE)


def test_unknown_query_lists_the_named_ones() -> None:
    with pytest.raises(MinekgError, match="no query named 'nope'") as caught:
        queries.load("nope")
    assert all(name in str(caught.value) for name in NAMES)


# --- the command ---------------------------------------------------------------------------------


def test_query_list_names_every_query_with_its_question() -> None:
    result = CliRunner().invoke(main, ["query", "--list"])
    assert result.exit_code == 0
    for name in NAMES:
        assert name in result.output
        assert queries.load(name).question[:40] in result.output.replace("\n", " ")


def test_query_command_prints_a_table(written: Path) -> None:
    result = CliRunner().invoke(
        main, ["query", "ihl-rules-invoked", "--graph", str(written), "--param", "doc=A-79-690"]
    )
    assert result.exit_code == 0, result.output
    assert "ihl-rule/82" in result.output and "4 row(s)" in result.output


def test_query_command_writes_sparql_results_formats(written: Path, oxigraph: ox.Store) -> None:
    args = ["query", "figure-over-time", "--graph", str(written), "--param"]
    args += ["measure=area_cleared_ha", "--format"]
    expected = ask(oxigraph, "figure-over-time", measure="area_cleared_ha")
    as_csv = CliRunner().invoke(main, [*args, "csv"])
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert [r["value"] for r in rows] == [r["value"] for r in expected]
    as_json = json.loads(CliRunner().invoke(main, [*args, "json"]).output)
    assert as_json["head"]["vars"][:3] == ["measure", "date", "dateFrom"]
    assert [b["value"]["value"] for b in as_json["results"]["bindings"]] == [
        r["value"] for r in expected
    ]
    assert as_json["results"]["bindings"][0]["value"]["datatype"].endswith("#decimal")
    as_tsv = CliRunner().invoke(main, [*args, "tsv"]).output
    assert as_tsv.splitlines()[0].split("\t")[:2] == ["?measure", "?date"]
    for fmt, text in (("json", json.dumps(as_json)), ("tsv", as_tsv)):
        parsed = Result.parse(io.StringIO(text), format=fmt)
        values = [row["value"] for row in parsed]  # type: ignore[index]
        assert [Decimal(str(v)) for v in values] == [Decimal(r["value"]) for r in expected], fmt


def test_query_output_is_deterministic(written: Path) -> None:
    args = ["query", "timeline", "--graph", str(written), "--format", "csv"]
    assert CliRunner().invoke(main, args).output == CliRunner().invoke(main, args).output


@pytest.mark.parametrize(
    "args, problem",
    [
        (["nope"], "no query named 'nope'"),
        (["document-graph"], "needs --param doc"),
        (["timeline", "--param", "year=2024"], "has no parameter 'year'"),
        (["timeline", "--param", "doc=A-99-999"], "is not in the graph"),
        (["timeline", "--param", "doc"], "expected KEY=VALUE"),
    ],
)
def test_query_command_user_errors(written: Path, args: list[str], problem: str) -> None:
    result = CliRunner().invoke(main, ["query", *args, "--graph", str(written)])
    assert result.exit_code == 1
    assert problem in result.output
    assert "Traceback" not in result.output


def test_query_without_a_built_graph_says_to_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["query", "timeline", "--graph", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "run `minekg build` first" in result.output


def test_query_runs_a_query_file(written: Path, tmp_path: Path) -> None:
    path = tmp_path / "docs.rq"
    path.write_text(
        "# Question: Which documents are there?\n"
        "SELECT DISTINCT ?doc WHERE { ?g <http://www.w3.org/ns/prov#hadPrimarySource> ?doc }\n"
        "ORDER BY ?doc\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["query", str(path), "--graph", str(written), "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == [
        f"https://w3id.org/minekg/id/document/{doc}" for doc in sorted(RECORDS)
    ]


def test_readme_lists_every_named_query() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in NAMES:
        assert f"`{name}`" in readme, f"README does not list the query {name}"


ASK = "ASK { ?claim a <https://w3id.org/minekg/ontology#Claim> }"
CONSTRUCT = """PREFIX mkg: <https://w3id.org/minekg/ontology#>
CONSTRUCT { ?claim mkg:claimant ?who } WHERE { GRAPH ?g { ?claim mkg:claimant ?who } }"""


def test_ask_construct_and_describe_answer_in_their_standard_formats(written: Path) -> None:
    from rdflib import Graph
    from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

    def query(text: str, *args: str):
        return CliRunner().invoke(main, ["query", "-", "--graph", str(written), *args], input=text)

    assert query(ASK).output == "true\n"
    assert json.loads(query(ASK, "--format", "json").output) == {"head": {}, "boolean": True}
    assert XMLResultParser().parse(io.StringIO(query(ASK, "--format", "xml").output)).askAnswer
    turtle = query(CONSTRUCT, "--format", "ttl").output
    claims = sum(len(r.get("claims", [])) for r in RECORDS.values())
    assert len(Graph().parse(data=turtle, format="turtle")) == claims
    assert query(CONSTRUCT, "--format", "nt").output == query(CONSTRUCT, "--format", "nt").output
    described = query("DESCRIBE <https://w3id.org/minekg/id/state/aze>", "--format", "nt").output
    assert "<https://w3id.org/minekg/id/state/aze>" in described
    assert query(CONSTRUCT, "--format", "csv").exit_code == 1


def test_select_results_in_xml_parse_with_rdflib(written: Path) -> None:
    from rdflib.plugins.sparql.results.xmlresults import XMLResultParser

    args = ["query", "ihl-rules-invoked", "--graph", str(written), "--param", "doc=A-79-690"]
    as_xml = CliRunner().invoke(main, [*args, "--format", "xml"]).output
    as_json = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)
    parsed = XMLResultParser().parse(io.StringIO(as_xml))
    assert len(parsed) == len(as_json["results"]["bindings"]) > 0
    assert {str(row["rule"]) for row in parsed} == {
        b["rule"]["value"] for b in as_json["results"]["bindings"]
    }


def test_a_malformed_query_exits_2_and_an_unknown_name_1(written: Path) -> None:
    malformed = CliRunner().invoke(main, ["query", "-", "--graph", str(written)], input="SELEC ?x")
    assert malformed.exit_code == 2 and "query stdin:" in malformed.stderr
    unknown = CliRunner().invoke(main, ["query", "no-such-question", "--graph", str(written)])
    assert unknown.exit_code == 1 and "no query named" in unknown.stderr


def test_a_query_naming_its_dataset_counts_that_graph_only(written: Path, oxigraph) -> None:
    graph = "https://w3id.org/minekg/graph/A-79-690"
    text = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?s ?p ?o }}"
    result = CliRunner().invoke(
        main, ["query", "-", "--graph", str(written), "--format", "csv"], input=text
    )
    in_graph = sum(1 for _ in oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    assert result.output.splitlines() == ["n", str(in_graph)]
