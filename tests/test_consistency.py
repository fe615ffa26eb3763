"""The consistency rules on figures (ontology/rules.ttl): on the corpus they give exactly the known
discrepancies of design/DOMAIN.md §6.3 and nothing that holds; on small graphs written here each
rule fires where it must and stays silent where it must (boundaries, qualifiers, missing dates).

The small graphs are built like the mapping builds figures: one named graph per document, each
figure an mkg:Observation with its measure, value, qualifier, dates, place, source and quote, and
the ontology and measure scheme in a graph of their own. Every scenario of a rule gets its own
place and its own documents, so the scenarios of one rule share a single validation run and the
test can ask of each scenario exactly which warnings it got.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, XSD

from minekg import checks
from minekg.checks import Finding
from minekg.pipeline import BuildResult
from minekg.vocab import MEASURE, MKG, OA, QB, SDMX_DIMENSION, SDMX_MEASURE

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology"
RULES = ONTOLOGY / "rules.ttl"
RULE = "https://w3id.org/minekg/rules#"
ID = "https://w3id.org/minekg/id/"
GRAPH = "https://w3id.org/minekg/graph/"

SHARE = RULE + "ShareArithmeticShape"
VICTIMS = RULE + "VictimSumShape"
DECREASE = RULE + "CumulativeDecreaseShape"
SAME = RULE + "SameFigureDifferentValueShape"
ESTIMATE = RULE + "EstimateAsCountShape"
UNDATED = RULE + "UndatedFiguresDisagreeShape"
SHAPES = (SHARE, VICTIMS, DECREASE, SAME, ESTIMATE, UNDATED)

CALIBER = "caliber-az-2024-12-azerbaijan-urges-un"
ASTRO = "astro-awani-2025-04-mine-awareness-day"


def rule_findings(verdict: checks.Verdict, shape: str | None = None) -> list[Finding]:
    return [
        f
        for f in verdict.findings
        if f.shape.startswith(RULE) and (shape is None or f.shape == shape)
    ]


# ------------------------------------------------------------------------------------ the corpus


@pytest.fixture(scope="module")
def corpus_verdict(built: BuildResult) -> checks.Verdict:
    return checks.validate(built.dataset, checks.shape_files(ONTOLOGY))


# What each warning must say: the rule, the document it is filed under, the figure, and the
# values and sources its message names.
CORPUS_WARNINGS = {
    (SHARE, "A-79-690", "figure/A-79-690/area_cleared_share_pct-2111"): (
        "A-79-690 (2024-12-12) states about 14.2 %",
        "165,871.5 hectares of 11,258 km2 = 14.73 %",
        "allows 14.14 to 14.26 %",
    ),
    (SHARE, ASTRO, f"figure/{ASTRO}/mines_neutralized_share_pct-3277"): (
        f"{ASTRO} states about 3.6 %",
        "56,460 mines of 1,500,000 landmines = 3.76 %",
        "allows 3.54 to 3.66 %",
    ),
    (SAME, "A-79-690", "figure/A-79-690/mine_victims_total-2785"): (
        "A-79-690 gives 3,461 for mine victims (total) in its text dated 2024-12-12",
        f"{CALIBER} gives 3,460 as of 2024-12",
    ),
    (ESTIMATE, CALIBER, f"figure/{CALIBER}/mines_estimated-711"): (
        f"{CALIBER} states over 1,500,000 for estimated number of mines",
        '"Over 1.5 million landmines and other explosive devices have been discovered',
        "A-78-908/annex-1 (among others) gives it as an estimate",
    ),
    (UNDATED, "A-78-908", "figure/A-78-908/idps-4746"): (
        "3 sources give undated figures for internally displaced persons in Azerbaijan",
        f"A-78-908/annex-1 gives 800,000, but {CALIBER} gives about 700,000",
    ),
    (UNDATED, "A-79-690", "figure/A-79-690/contaminated_area_km2-1981"): (
        "2 sources give undated figures for contaminated area in Azerbaijan",
        f"{ASTRO} gives about 11,667, but A-79-690 gives about 11,258",
    ),
    (UNDATED, "A-78-908", "figure/A-78-908/contaminated_area_share_pct-3695"): (
        "for share of territory contaminated in Azerbaijan",
        f"{ASTRO} gives over 13, but A-78-908/annex-1 gives about 12",
    ),
}


def test_corpus_warnings_are_exactly_the_known_discrepancies(
    corpus_verdict: checks.Verdict,
) -> None:
    findings = rule_findings(corpus_verdict)
    assert all(f.severity == "Warning" for f in findings)
    got = {(f.shape, f.document, f.focus.removeprefix(ID)): f.message for f in findings}
    assert sorted(got) == sorted(CORPUS_WARNINGS), "\n".join(got.values())
    assert len(findings) == len(CORPUS_WARNINGS), "a warning is reported twice"
    for key, phrases in CORPUS_WARNINGS.items():
        for phrase in phrases:
            assert phrase in got[key], (phrase, got[key])


def test_corpus_sums_and_running_totals_hold(corpus_verdict: checks.Verdict) -> None:
    # 70 + 312 = 382 (A-79-690, caliber-az twice), 68 + 293 = 361 (A-78-908/annex-1); area
    # cleared, devices neutralized and victims all rise; 3.6 % of mines (A-79-690), 15.4 % and
    # "more than 13 %" (astro-awani) hold.
    assert rule_findings(corpus_verdict, VICTIMS) == []
    assert rule_findings(corpus_verdict, DECREASE) == []
    shares = {f.focus for f in rule_findings(corpus_verdict, SHARE)}
    for held in (
        "A-79-690/mines_neutralized_share_pct-2201",
        f"{ASTRO}/area_cleared_share_pct-3176",
        f"{ASTRO}/contaminated_area_share_pct-635",
    ):
        assert ID + "figure/" + held not in shares


def _corrupted(built: BuildResult, figure: str, value: str) -> Dataset:
    """A copy of the corpus graph with one figure's value replaced."""
    node = URIRef(ID + "figure/" + figure)
    copy = Dataset()
    for s, p, o, g in built.dataset.quads((None, None, None, None)):
        if s == node and p == SDMX_MEASURE.obsValue:
            o = Literal(value, datatype=XSD.decimal)
        copy.add((s, p, o, g))
    return copy


def test_corpus_victim_sum_is_checked_not_skipped(built: BuildResult, tmp_path: Path) -> None:
    # The rule is silent on the corpus because the sums hold, not because it pairs nothing.
    # Made 310, A-79-690's injured no longer add up to either total it states (382 since the
    # conflict, 3,461 in all): the rule names both.
    dataset = _corrupted(built, "A-79-690/mine_victims_injured-3005", "310")
    findings = rule_findings(checks.validate(dataset, [_only(VICTIMS, tmp_path)]), VICTIMS)
    assert {f.document for f in findings} == {"A-79-690"}
    assert all("70 killed and 310 injured, 380 in all" in f.message for f in findings)
    assert sorted(re.findall(r"gives ([\d,]+) as", " ".join(f.message for f in findings))) == [
        "3,461",
        "382",
    ]


def test_corpus_running_totals_are_compared_not_skipped(built: BuildResult, tmp_path: Path) -> None:
    # caliber-az's 175,017 devices as of 30 November 2024 follows A-78-908/annex-1's 119,946
    # (29 May 2024): made smaller, it must warn.
    dataset = _corrupted(built, f"{CALIBER}/explosive_devices_neutralized-3659", "100000")
    findings = rule_findings(checks.validate(dataset, [_only(DECREASE, tmp_path)]), DECREASE)
    assert [f.document for f in findings] == [CALIBER]
    assert "gives 100,000 for explosive devices neutralized as of 2024-11-30" in findings[0].message
    assert "less than the 119,946 that A-78-908/annex-1 gave in its text dated 2024-05-29" in (
        findings[0].message
    )


# ------------------------------------------------------------------------- small graphs, a DSL


@dataclass
class Fig:
    doc: str
    measure: str
    value: str
    qualifier: str | None = None  # "Over", "About", "AtLeast", "UpTo", "Under"
    as_of: str | None = None
    start: str | None = None
    end: str | None = None
    estimate: bool = False
    places: tuple[str, ...] | None = None  # default: the scenario's own place
    recorded_by: str | None = None
    unit: str | None = None
    quote: str = "a quote"


@dataclass
class Case:
    name: str
    docs: dict[str, str | None]  # document key -> date (dct:issued), None when undated
    figures: list[Fig]
    expect: list[tuple[str, ...]] = field(default_factory=list)  # per warning: phrases it has


def _date(text: str) -> Literal:
    kind = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(text)]
    return Literal(text, datatype=kind)


def _dataset(cases: list[Case]) -> Dataset:
    dataset = Dataset()
    ontology = dataset.graph(URIRef(GRAPH + "ontology"))
    for name in ("minekg.ttl", "measures.ttl"):
        ontology.parse(ONTOLOGY / name, format="turtle")
    for case in cases:
        for key, issued in case.docs.items():
            # "letter/annex" is an annex of "letter", described in the letter's graph.
            graph = dataset.graph(URIRef(GRAPH + f"{case.name}-{key.split('/')[0]}"))
            doc = URIRef(ID + f"document/{case.name}-{key}")
            graph.add((doc, RDF.type, MKG.SourceDocument))
            if "/" in key:
                letter = URIRef(ID + f"document/{case.name}-{key.split('/')[0]}")
                graph.add((doc, DCTERMS.isPartOf, letter))
            if issued:
                graph.add((doc, DCTERMS.issued, _date(issued)))
        for i, fig in enumerate(case.figures):
            graph = dataset.graph(URIRef(GRAPH + f"{case.name}-{fig.doc.split('/')[0]}"))
            node = URIRef(ID + f"figure/{case.name}-{fig.doc}/{fig.measure}-{i}")
            for kind in (MKG.Figure, MKG.Observation, QB.Observation):
                graph.add((node, RDF.type, kind))
            graph.add((node, MKG.measure, MEASURE[fig.measure]))
            graph.add((node, SDMX_MEASURE.obsValue, Literal(fig.value, datatype=XSD.decimal)))
            graph.add((node, PROV.wasDerivedFrom, URIRef(ID + f"document/{case.name}-{fig.doc}")))
            if fig.qualifier:
                graph.add((node, MKG.qualifier, MKG[fig.qualifier]))
            if fig.estimate:
                graph.add((node, MKG.estimate, Literal(True)))
            for prop, text in ((MKG.asOf, fig.as_of), (MKG.periodStart, fig.start)):
                if text:
                    graph.add((node, prop, _date(text)))
            if fig.end:
                graph.add((node, MKG.periodEnd, _date(fig.end)))
            for key in fig.places if fig.places is not None else (case.name,):
                graph.add((node, SDMX_DIMENSION.refArea, URIRef(ID + "place/" + key)))
            if fig.recorded_by:
                graph.add((node, MKG.recordedBy, URIRef(ID + "organization/" + fig.recorded_by)))
            if fig.unit:
                graph.add((node, MKG.unitText, Literal(fig.unit, lang="en")))
            evidence, selector = BNode(), BNode()
            graph.add((node, MKG.evidence, evidence))
            graph.add((evidence, OA.hasSelector, selector))
            graph.add((selector, OA.exact, Literal(fig.quote)))
    return dataset


def _only(shape: str, folder: Path) -> Path:
    """rules.ttl reduced to one rule (and its prefix declarations), so a run checks only it.

    The file keeps the name rules.ttl, so that it runs on the engine the rules run on (Oxigraph).
    """
    rules = Graph().parse(RULES, format="turtle")
    kept = rules.cbd(URIRef(RULE)) + rules.cbd(URIRef(shape))
    path = folder / checks.RULES_FILE
    kept.serialize(path, format="turtle")
    return path


def _in_rdflib_engine(dataset: Dataset, rules: Path) -> set[tuple[str, str]]:
    """The rules' warnings from pyshacl on rdflib's own SPARQL engine: (focus node, message)."""
    data, _ = checks.union_of(dataset)
    shapes = Graph().parse(rules, format="turtle")
    _, report, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    return {
        (str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultMessage)))
        for r in report.objects(None, SH.result)
    }


ENGINE_RUNS: list[tuple[str, Dataset, Path, set[tuple[str, str]]]] = []


def _run(shape: str, cases: list[Case], folder: Path) -> dict[str, list[Finding]]:
    names = [case.name for case in cases]
    assert len(set(names)) == len(names) and all("-" not in n for n in names)
    dataset, rules = _dataset(cases), _only(shape, folder)
    verdict = checks.validate(dataset, [rules])
    ENGINE_RUNS.append((shape, dataset, rules, {(f.focus, f.message) for f in verdict.findings}))
    by_case: dict[str, list[Finding]] = {name: [] for name in names}
    for finding in rule_findings(verdict):
        assert finding.shape == shape and finding.severity == "Warning", finding
        by_case[finding.document.split("-", 1)[0]].append(finding)
    return by_case


def _check(case: Case, found: list[Finding]) -> None:
    messages = sorted(f.message for f in found)
    assert len(messages) == len(case.expect), f"{case.name}: {messages}"
    unmatched = list(messages)
    for phrases in case.expect:
        match = next((m for m in unmatched if all(p in m for p in phrases)), None)
        assert match is not None, f"{case.name}: no warning says {phrases}; got {messages}"
        unmatched.remove(match)


def _ids(cases: list[Case]) -> list[str]:
    return [case.name for case in cases]


# ------------------------------------------------------------------- rule 1: share vs part/whole

D = "2024-12-12"
SHARE_CASES = [
    # A-79-690's sentence: 14.2 % stated, 165,871.5 ha of 11,258 km2 = 14.73 %.
    Case(
        "areawrong",
        {"a": D},
        [
            Fig("a", "area_cleared_share_pct", "14.2", "About"),
            Fig("a", "area_cleared_ha", "165871.5"),
            Fig("a", "contaminated_area_km2", "11258", "About"),
        ],
        [("areawrong-a (2024-12-12) states about 14.2 %", "= 14.73 %", "14.14 to 14.26 %")],
    ),
    # The same figures against 11,667 km2 give 14.22 %: holds.
    Case(
        "arearight",
        {"a": D},
        [
            Fig("a", "area_cleared_share_pct", "14.2", "About"),
            Fig("a", "area_cleared_ha", "165871.5"),
            Fig("a", "contaminated_area_km2", "11667"),
        ],
    ),
    # Boundary: 3.6 allows 3.54 to 3.66; 54,900 / 1.5 million = 3.66 exactly holds ...
    Case(
        "edgein",
        {"a": D},
        [
            Fig("a", "mines_neutralized_share_pct", "3.6"),
            Fig("a", "mines_neutralized", "54900"),
            Fig("a", "mines_estimated", "1500000", "About", estimate=True),
        ],
    ),
    # ... and 54,915 (3.661 %) does not.
    Case(
        "edgeout",
        {"a": D},
        [
            Fig("a", "mines_neutralized_share_pct", "3.6"),
            Fig("a", "mines_neutralized", "54915"),
            Fig("a", "mines_estimated", "1500000", "About", estimate=True),
        ],
        [("states 3.6 %", "54,915 of 1,500,000", "= 3.66 %", "3.54 to 3.66 %")],
    ),
    # A whole-number share is rounded to the unit: "13 %" holds for 13.47 %, not for 13.7 %.
    Case(
        "intin",
        {"a": D},
        [
            Fig("a", "contaminated_area_share_pct", "13"),
            Fig("a", "contaminated_area_km2", "11667"),
            Fig("a", "territory_total_km2", "86600"),
        ],
    ),
    Case(
        "intout",
        {"a": D},
        [
            Fig("a", "contaminated_area_share_pct", "13"),
            Fig("a", "contaminated_area_km2", "11864.2"),
            Fig("a", "territory_total_km2", "86600"),
        ],
        [("states 13 %", "= 13.7 %", "12.4 to 13.6 %")],
    ),
    # "More than 13 %": 13.47 % holds, 12.95 % holds (within the 0.1 slack), 12.85 % does not.
    Case(
        "overin",
        {"a": D},
        [
            Fig("a", "contaminated_area_share_pct", "13", "Over"),
            Fig("a", "contaminated_area_km2", "11667"),
            Fig("a", "territory_total_km2", "86600"),
        ],
    ),
    Case(
        "overedge",
        {"a": D},
        [
            Fig("a", "contaminated_area_share_pct", "13", "Over"),
            Fig("a", "contaminated_area_km2", "11214.7"),
            Fig("a", "territory_total_km2", "86600"),
        ],
    ),
    Case(
        "overout",
        {"a": D},
        [
            Fig("a", "contaminated_area_share_pct", "13", "Over"),
            Fig("a", "contaminated_area_km2", "11128.1"),
            Fig("a", "territory_total_km2", "86600"),
        ],
        [("states over 13 %", "= 12.85 %", "12.9 % or more")],
    ),
    # "Up to 10 %": 10.05 % holds, 10.2 % does not.
    Case(
        "upin",
        {"a": D},
        [
            Fig("a", "contaminated_area_share_pct", "10", "UpTo"),
            Fig("a", "contaminated_area_km2", "8703.3"),
            Fig("a", "territory_total_km2", "86600"),
        ],
    ),
    Case(
        "upout",
        {"a": D},
        [
            Fig("a", "contaminated_area_share_pct", "10", "UpTo"),
            Fig("a", "contaminated_area_km2", "8833.2"),
            Fig("a", "territory_total_km2", "86600"),
        ],
        [("states up to 10 %", "= 10.2 %", "10.1 % or less")],
    ),
    # Part and whole from another source: not this source's arithmetic.
    Case(
        "othersource",
        {"a": D, "b": D},
        [
            Fig("a", "area_cleared_share_pct", "14.2"),
            Fig("b", "area_cleared_ha", "165871.5"),
            Fig("b", "contaminated_area_km2", "11258"),
        ],
    ),
    # The count is as of another month than the share: not compared.
    Case(
        "othermonth",
        {"a": D},
        [
            Fig("a", "mines_neutralized_share_pct", "3.6", as_of="2024-09"),
            Fig("a", "mines_neutralized", "60000", as_of="2024-11-30"),
            Fig("a", "mines_estimated", "1500000", estimate=True),
        ],
    ),
    # Two counts, one of the same month that fits: holds.
    Case(
        "onefits",
        {"a": D},
        [
            Fig("a", "mines_neutralized_share_pct", "3.6", as_of="2024-09"),
            Fig("a", "mines_neutralized", "54430", as_of="2024-09"),
            Fig("a", "mines_neutralized", "70000"),
            Fig("a", "mines_estimated", "1500000", estimate=True),
        ],
    ),
    # Neither of two counts fits: each is named.
    Case(
        "nonefits",
        {"a": D},
        [
            Fig("a", "mines_neutralized_share_pct", "3.6"),
            Fig("a", "mines_neutralized", "60000", unit="mines"),
            Fig("a", "mines_neutralized", "70000", unit="mines"),
            Fig("a", "mines_estimated", "1500000", estimate=True),
        ],
        [("60,000 mines", "= 4 %"), ("70,000 mines", "= 4.67 %")],
    ),
    # The part is about another place.
    Case(
        "otherplace",
        {"a": D},
        [
            Fig("a", "area_cleared_share_pct", "14.2"),
            Fig("a", "area_cleared_ha", "165871.5", places=("elsewhere",)),
            Fig("a", "contaminated_area_km2", "11258"),
        ],
    ),
]


@pytest.fixture(scope="module")
def share_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    return _run(SHARE, SHARE_CASES, tmp_path_factory.mktemp("share"))


@pytest.mark.parametrize("case", SHARE_CASES, ids=_ids(SHARE_CASES))
def test_share_against_part_and_whole(case: Case, share_findings) -> None:
    _check(case, share_findings[case.name])


# --------------------------------------------------------------- rule 2: killed + injured = total

VICTIM_CASES = [
    # A-79-690: 70 + 312 = 382 since the conflict; the 3,461 since the 1990s is another total.
    Case(
        "holds",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70"),
            Fig("a", "mine_victims_injured", "312"),
            Fig("a", "mine_victims_post_conflict", "382"),
            Fig("a", "mine_victims_total", "3461"),
        ],
    ),
    Case(
        "wrong",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70"),
            Fig("a", "mine_victims_injured", "310"),
            Fig("a", "mine_victims_post_conflict", "382"),
        ],
        [
            (
                "wrong-a (2024-12-12) states 70 killed and 310 injured, 380 in all",
                "gives 382 as mine victims since the end of hostilities",
            )
        ],
    ),
    # Neither total fits: both are named.
    Case(
        "bothwrong",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70"),
            Fig("a", "mine_victims_injured", "310"),
            Fig("a", "mine_victims_post_conflict", "382"),
            Fig("a", "mine_victims_total", "3461"),
        ],
        [("380 in all", "gives 382 as"), ("380 in all", "gives 3,461 as mine victims (total)")],
    ),
    # Same as-of month: compared (and wrong); another as-of month: not compared.
    Case(
        "asofsame",
        {"a": None},
        [
            Fig("a", "mine_victims_killed", "70", as_of="2024-12"),
            Fig("a", "mine_victims_injured", "312", as_of="2024-12"),
            Fig("a", "mine_victims_post_conflict", "390", as_of="2024-12-15"),
        ],
        [("asofsame-a states 70 killed and 312 injured, 382 in all", "gives 390 as")],
    ),
    Case(
        "asofother",
        {"a": None},
        [
            Fig("a", "mine_victims_killed", "70", as_of="2024-12"),
            Fig("a", "mine_victims_injured", "312", as_of="2024-12"),
            Fig("a", "mine_victims_post_conflict", "361", as_of="2024-05"),
            Fig("a", "mine_victims_post_conflict", "390"),
        ],
    ),
    # Killed and injured of different months are not added up.
    Case(
        "mixedmonths",
        {"a": None},
        [
            Fig("a", "mine_victims_killed", "68", as_of="2024-05"),
            Fig("a", "mine_victims_injured", "312", as_of="2024-12"),
            Fig("a", "mine_victims_post_conflict", "382", as_of="2024-12"),
        ],
    ),
    # Period start: a total since 1992 is not a total of victims since 2020.
    Case(
        "otherstart",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "68", start="2020"),
            Fig("a", "mine_victims_injured", "293", start="2020"),
            Fig("a", "mine_victims_total", "3400", start="1992"),
        ],
    ),
    # A total without a start stands for any start; 2020 and 2020-11-10 are the same start.
    Case(
        "startfine",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "68", start="2020"),
            Fig("a", "mine_victims_injured", "293", start="2020"),
            Fig("a", "mine_victims_post_conflict", "361", start="2020-11-10"),
        ],
    ),
    # Qualified totals: "over 350" and "about 380" (375-385) hold for 382, "over 400" and
    # "about 390" (385-395) do not.
    Case(
        "overin",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70"),
            Fig("a", "mine_victims_injured", "312"),
            Fig("a", "mine_victims_post_conflict", "350", "Over"),
        ],
    ),
    Case(
        "overout",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70"),
            Fig("a", "mine_victims_injured", "312"),
            Fig("a", "mine_victims_post_conflict", "400", "Over"),
        ],
        [("382 in all", "gives over 400 as")],
    ),
    Case(
        "aboutin",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70"),
            Fig("a", "mine_victims_injured", "312"),
            Fig("a", "mine_victims_post_conflict", "380", "About"),
        ],
    ),
    Case(
        "aboutout",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70"),
            Fig("a", "mine_victims_injured", "312"),
            Fig("a", "mine_victims_post_conflict", "390", "About"),
        ],
        [("382 in all", "gives about 390 as")],
    ),
    # "Over 70" killed makes the sum a lower bound: 382 and 400 hold, 380 does not.
    Case(
        "partover",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70", "Over"),
            Fig("a", "mine_victims_injured", "312"),
            Fig("a", "mine_victims_post_conflict", "400"),
        ],
    ),
    Case(
        "partoverout",
        {"a": D},
        [
            Fig("a", "mine_victims_killed", "70", "Over"),
            Fig("a", "mine_victims_injured", "312"),
            Fig("a", "mine_victims_post_conflict", "380"),
        ],
        [("over 70 killed and 312 injured", "gives 380 as")],
    ),
    # The total is in another source: not this source's arithmetic.
    Case(
        "othersource",
        {"a": D, "b": D},
        [
            Fig("a", "mine_victims_killed", "70"),
            Fig("a", "mine_victims_injured", "310"),
            Fig("b", "mine_victims_post_conflict", "382"),
        ],
    ),
]


@pytest.fixture(scope="module")
def victim_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    return _run(VICTIMS, VICTIM_CASES, tmp_path_factory.mktemp("victims"))


@pytest.mark.parametrize("case", VICTIM_CASES, ids=_ids(VICTIM_CASES))
def test_killed_and_injured_against_total(case: Case, victim_findings) -> None:
    _check(case, victim_findings[case.name])


# ------------------------------------------------------------ rule 3: running totals go down

DECREASE_CASES = [
    # Two documents, dated only by themselves: the later states less.
    Case(
        "docs",
        {"may": "2024-05-29", "dec": "2024-12-12"},
        [
            Fig("may", "area_cleared_ha", "176237"),
            Fig("dec", "area_cleared_ha", "165871.5"),
        ],
        [
            (
                "docs-dec gives 165,871.5 for area cleared in its text dated 2024-12-12",
                "less than the 176,237 that docs-may gave in its text dated 2024-05-29",
            )
        ],
    ),
    # A later document without an as-of date against an earlier as-of date: the document may
    # repeat an older figure (A-79-690's area cleared); no warning.
    Case(
        "stale",
        {"cal": None, "letter": "2024-12-12"},
        [
            Fig("cal", "area_cleared_ha", "176237", "About", as_of="2024-11-30"),
            Fig("letter", "area_cleared_ha", "165871.5"),
        ],
    ),
    # Both with as-of dates, the later one smaller: warns, whatever the documents' dates.
    Case(
        "asof",
        {"a": "2025-01-01", "b": "2024-12-01"},
        [
            Fig("a", "explosive_devices_neutralized", "175017", as_of="2024-09"),
            Fig("b", "explosive_devices_neutralized", "119946", as_of="2024-11-30"),
        ],
        [("asof-b gives 119,946", "as of 2024-11-30", "175,017 that asof-a gave as of 2024-09")],
    ),
    # An as-of date later than the other figure's document date is certainly later.
    Case(
        "asofafterdoc",
        {"a": "2024-05-29", "b": None},
        [
            Fig("a", "mine_victims_post_conflict", "361"),
            Fig("b", "mine_victims_post_conflict", "350", as_of="2024-12"),
        ],
        [("asofafterdoc-b gives 350", "less than the 361 that asofafterdoc-a gave")],
    ),
    # Same month: not "later" (that is rule 4's case).
    Case(
        "samemonth",
        {"a": "2024-12-01", "b": "2024-12-20"},
        [
            Fig("a", "mine_victims_total", "3461"),
            Fig("b", "mine_victims_total", "3460"),
        ],
    ),
    # A year-only date spans its months: 2024 is not after 2024-06, but is after 2023-06.
    Case(
        "yearonly",
        {"a": None, "b": None},
        [
            Fig("a", "mines_neutralized", "5000", as_of="2024-06"),
            Fig("b", "mines_neutralized", "4000", as_of="2024"),
        ],
    ),
    Case(
        "yearafter",
        {"a": None, "b": None},
        [
            Fig("a", "mines_neutralized", "5000", as_of="2023-06"),
            Fig("b", "mines_neutralized", "4000", as_of="2024"),
        ],
        [("yearafter-b gives 4,000", "as of 2024", "5,000 that yearafter-a gave as of 2023-06")],
    ),
    # No date at all: not compared.
    Case(
        "undated",
        {"a": "2024-05-29", "b": None},
        [
            Fig("a", "mine_victims_post_conflict", "383"),
            Fig("b", "mine_victims_post_conflict", "100"),
        ],
    ),
    # Qualifiers: "over 3,400" earlier holds against 3,461 later, not against 3,300 later;
    # 3,461 earlier holds against "over 3,400" later; "about 140,000" (135,000-145,000) earlier
    # holds against 136,000 later, not against 134,000.
    Case(
        "overearlier",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "mine_victims_total", "3400", "Over"),
            Fig("b", "mine_victims_total", "3461"),
        ],
    ),
    Case(
        "overearlierout",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "mine_victims_total", "3400", "Over"),
            Fig("b", "mine_victims_total", "3300"),
        ],
        [("gives 3,300", "less than the over 3,400")],
    ),
    Case(
        "overlater",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "mine_victims_total", "3461"),
            Fig("b", "mine_victims_total", "3400", "Over"),
        ],
    ),
    Case(
        "aboutin",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "area_cleared_ha", "140000", "About"),
            Fig("b", "area_cleared_ha", "136000"),
        ],
    ),
    Case(
        "aboutout",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "area_cleared_ha", "140000", "About"),
            Fig("b", "area_cleared_ha", "134000"),
        ],
        [("gives 134,000", "less than the about 140,000")],
    ),
    # Not a running total: contaminated area may be revised down.
    Case(
        "notcumulative",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "contaminated_area_km2", "11667"),
            Fig("b", "contaminated_area_km2", "9000"),
        ],
    ),
    # Other places, other starts, other recorders, a closed period against a running total.
    Case(
        "otherplace",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "area_cleared_ha", "176237", places=("otherplace", "elsewhere")),
            Fig("b", "area_cleared_ha", "165871.5"),
        ],
    ),
    Case(
        "otherstart",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "mine_victims_killed", "370", start="1992"),
            Fig("b", "mine_victims_killed", "70", start="2020"),
        ],
    ),
    Case(
        "recorders",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "mine_victims_total", "2440", recorded_by="azcbl"),
            Fig("b", "mine_victims_total", "2415", recorded_by="anama"),
        ],
    ),
    Case(
        "closedperiod",
        {"a": "2024-05-29", "b": "2024-12-12"},
        [
            Fig("a", "area_cleared_ha", "111207"),
            Fig("b", "area_cleared_ha", "53081", start="2024", end="2024"),
        ],
    ),
    # A later figure below several earlier ones is reported once, against the highest.
    Case(
        "severalearlier",
        {"a": "2024-01-10", "b": "2024-03-10", "c": "2024-12-12"},
        [
            Fig("a", "area_cleared_ha", "150000"),
            Fig("b", "area_cleared_ha", "170000"),
            Fig("c", "area_cleared_ha", "140000"),
        ],
        [("severalearlier-c gives 140,000", "less than the 170,000 that severalearlier-b gave")],
    ),
    # Two closed periods from one start: the one ending later must not be smaller.
    Case(
        "periods",
        {"a": None, "b": None},
        [
            Fig("b", "mine_map_submissions", "9", start="2021", end="2023"),
            Fig("b", "mine_map_submissions", "7", start="2021", end="2024"),
        ],
        [("periods-b gives 7", "for the period to 2024", "the 9 that periods-b gave")],
    ),
]


@pytest.fixture(scope="module")
def decrease_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    return _run(DECREASE, DECREASE_CASES, tmp_path_factory.mktemp("decrease"))


@pytest.mark.parametrize("case", DECREASE_CASES, ids=_ids(DECREASE_CASES))
def test_running_total_going_down(case: Case, decrease_findings) -> None:
    _check(case, decrease_findings[case.name])


# ------------------------------------------------- rule 4: same measure and date, other value

SAME_CASES = [
    # A-79-690 (12 December 2024) and caliber-az (as of mid-December 2024): reported once.
    Case(
        "victims",
        {"letter": "2024-12-12", "press": None},
        [
            Fig("letter", "mine_victims_total", "3461"),
            Fig("press", "mine_victims_total", "3460", as_of="2024-12"),
        ],
        [
            (
                "victims-letter gives 3,461 for mine victims (total) in its text dated 2024-12-12",
                "victims-press gives 3,460 as of 2024-12",
                "same measure, places and month",
            )
        ],
    ),
    # Qualifiers: "over 3,400" agrees with 3,461; "about 700,000" with "over 700,000"; "about
    # 1.5 million" (1.45 to 1.55 million) with 1,520,000 but not with 1,600,000.
    Case(
        "over",
        {"a": "2024-12-12", "b": "2024-12-20"},
        [
            Fig("a", "mine_victims_total", "3400", "Over"),
            Fig("b", "mine_victims_total", "3461"),
        ],
    ),
    Case(
        "overabout",
        {"a": "2024-12-12", "b": "2024-12-20"},
        [Fig("a", "idps", "700000", "About"), Fig("b", "idps", "700000", "Over")],
    ),
    Case(
        "aboutin",
        {"a": "2024-12-12", "b": "2024-12-20"},
        [
            Fig("a", "mines_estimated", "1500000", "About", estimate=True),
            Fig("b", "mines_estimated", "1520000", estimate=True),
        ],
    ),
    Case(
        "aboutout",
        {"a": "2024-12-12", "b": "2024-12-20"},
        [
            Fig("a", "mines_estimated", "1500000", "About", estimate=True),
            Fig("b", "mines_estimated", "1600000", estimate=True),
        ],
        [("aboutout-a gives about 1,500,000", "aboutout-b gives 1,600,000")],
    ),
    Case(
        "upto",
        {"a": "2024-12-12", "b": "2024-12-20"},
        [
            Fig("a", "new_minefields_length_km", "500", "UpTo"),
            Fig("b", "new_minefields_length_km", "400"),
        ],
    ),
    # Other months, a year-only date, no date, the same source: not compared.
    Case(
        "months",
        {"a": None, "b": None},
        [
            Fig("a", "mine_victims_total", "3461", as_of="2024-11"),
            Fig("b", "mine_victims_total", "3460", as_of="2024-12"),
        ],
    ),
    Case(
        "years",
        {"a": "2024", "b": "2024"},
        [Fig("a", "mine_victims_total", "3461"), Fig("b", "mine_victims_total", "3460")],
    ),
    Case(
        "undated",
        {"a": "2024-12-12", "b": None},
        [Fig("a", "mine_victims_total", "3461"), Fig("b", "mine_victims_total", "3460")],
    ),
    Case(
        "onesource",
        {"a": "2024-12-12"},
        [
            Fig("a", "mine_victims_total", "3461"),
            Fig("a", "mine_victims_total", "3460", as_of="2024-12"),
        ],
    ),
    # An annex without a date of its own takes the letter's.
    Case(
        "annex",
        {"letter": "2024-06-10", "letter/annex": None, "other": "2024-06-30"},
        [
            Fig("letter/annex", "contaminated_area_km2", "11258"),
            Fig("other", "contaminated_area_km2", "11667"),
        ],
        [("annex-letter/annex gives 11,258", "annex-other gives 11,667")],
    ),
    # The same closed period in two sources, whatever their dates.
    Case(
        "period",
        {"a": "2024-05-29", "b": None},
        [
            Fig("a", "new_minefields_length_km", "500", start="2020", end="2023"),
            Fig("b", "new_minefields_length_km", "400", start="2020", end="2023"),
        ],
        [("gives 500", "for the period to 2023", "gives 400", "places and period")],
    ),
    Case(
        "otherperiod",
        {"a": "2024-05-29", "b": None},
        [
            Fig("a", "new_minefields_length_km", "500", start="2020", end="2023"),
            Fig("b", "new_minefields_length_km", "400", start="2021", end="2023"),
        ],
    ),
    Case(
        "recorders",
        {"a": "2014-12-31", "b": "2014-12-20"},
        [
            Fig("a", "mine_victims_total", "25", recorded_by="azcbl"),
            Fig("b", "mine_victims_total", "22", recorded_by="anama"),
        ],
    ),
]


@pytest.fixture(scope="module")
def same_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    return _run(SAME, SAME_CASES, tmp_path_factory.mktemp("same"))


@pytest.mark.parametrize("case", SAME_CASES, ids=_ids(SAME_CASES))
def test_same_figure_different_value(case: Case, same_findings) -> None:
    _check(case, same_findings[case.name])


# -------------------------------------------------------------- rule 5: estimate cited as count

ESTIMATE_CASES = [
    Case(
        "discovered",
        {"press": None, "letter": "2024-12-12"},
        [
            Fig(
                "press",
                "mines_estimated",
                "1500000",
                "Over",
                quote="Over 1.5 million landmines have been discovered",
            ),
            Fig("letter", "mines_estimated", "1500000", "About", estimate=True),
        ],
        [
            (
                "discovered-press states over 1,500,000 for estimated number of mines",
                '("Over 1.5 million landmines have been discovered")',
                "discovered-letter (among others) gives it as an estimate",
            )
        ],
    ),
    Case(
        "alone",
        {"a": "2024-12-12"},
        [Fig("a", "clearance_years_needed", "30", "About")],
        [("alone-a (2024-12-12) states about 30 for years needed for clearance", "no other")],
    ),
    Case(
        "flagged",
        {"a": "2024-12-12"},
        [Fig("a", "mines_estimated", "1500000", estimate=True)],
    ),
    Case(
        "estimatedcount",
        {"a": "2024-12-12"},
        [Fig("a", "mine_victims_total", "400", "About", estimate=True, quote="an estimated 400")],
        [("gives about 400 for mine victims (total)", '("an estimated 400") as an estimate')],
    ),
    # "Some 140,000 ha have been cleared" is a rounded count, not an estimate.
    Case(
        "roundedcount",
        {"a": "2024-06-10"},
        [Fig("a", "area_cleared_ha", "140000", "About")],
    ),
    # A stock that is neither a count of records nor an estimate by definition.
    Case(
        "stock",
        {"a": "2024-06-10"},
        [Fig("a", "contaminated_area_km2", "11258", "About", estimate=True)],
    ),
]


@pytest.fixture(scope="module")
def estimate_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    return _run(ESTIMATE, ESTIMATE_CASES, tmp_path_factory.mktemp("estimate"))


@pytest.mark.parametrize("case", ESTIMATE_CASES, ids=_ids(ESTIMATE_CASES))
def test_estimate_cited_as_count(case: Case, estimate_findings) -> None:
    _check(case, estimate_findings[case.name])


# ------------------------------------------------------- rule 6: undated figures that disagree

UNDATED_CASES = [
    # The corpus's displaced persons: over and about 700,000 against 800,000, in three sources.
    Case(
        "idps",
        {"a": "2024-12-12", "b": "2024-12-20", "c": None},
        [
            Fig("a", "idps", "700000", "Over"),
            Fig("b", "idps", "700000", "About"),
            Fig("c", "idps", "800000"),
        ],
        [
            (
                "3 sources give undated figures for internally displaced persons in idps",
                "idps-c gives 800,000, but idps-b gives about 700,000",
            )
        ],
    ),
    Case(
        "area",
        {"a": "2024-12-12", "b": "2025-04-04"},
        [
            Fig("a", "contaminated_area_km2", "11258", "About"),
            Fig("b", "contaminated_area_km2", "11667", "About"),
        ],
        [("area-b gives about 11,667, but area-a gives about 11,258",)],
    ),
    # About and over 1.5 million overlap.
    Case(
        "agree",
        {"a": "2024-12-12", "b": "2025-04-04"},
        [
            Fig("a", "mines_estimated", "1500000", "About"),
            Fig("b", "mines_estimated", "1500000", "Over"),
        ],
    ),
    # Running totals differ as time passes (70 + 312 = 382 and 68 + 293 = 361 are both right).
    Case(
        "running",
        {"a": "2024-12-12", "b": "2024-06-10"},
        [Fig("a", "mine_victims_killed", "70"), Fig("b", "mine_victims_killed", "68")],
    ),
    # A share of land cleared grows with the clearance.
    Case(
        "cleared",
        {"a": "2024-12-12", "b": "2025-04-04"},
        [
            Fig("a", "area_cleared_share_pct", "14.2", "About"),
            Fig("b", "area_cleared_share_pct", "15.4", "About"),
        ],
    ),
    # A dated figure is rule 4's; one source alone is not a disagreement across sources.
    Case(
        "dated",
        {"a": "2024-12-12", "b": "2025-04-04"},
        [Fig("a", "idps", "700000", "About", as_of="2020"), Fig("b", "idps", "800000")],
    ),
    Case(
        "onesource",
        {"a": "2024-12-12"},
        [Fig("a", "idps", "700000", "About"), Fig("a", "idps", "800000")],
    ),
    # Different places are different figures.
    Case(
        "places",
        {"a": "2024-12-12", "b": "2025-04-04"},
        [
            Fig("a", "idps", "700000", "About", places=("places-x",)),
            Fig("b", "idps", "800000", places=("places-y",)),
        ],
    ),
]


@pytest.fixture(scope="module")
def undated_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    return _run(UNDATED, UNDATED_CASES, tmp_path_factory.mktemp("undated"))


@pytest.mark.parametrize("case", UNDATED_CASES, ids=_ids(UNDATED_CASES))
def test_undated_figures_that_disagree(case: Case, undated_findings) -> None:
    _check(case, undated_findings[case.name])


# ------------------------------------------------------------------------------ the rules file


def test_the_rules_give_the_same_warnings_in_rdflib_and_oxigraph(
    corpus_verdict,
    share_findings,
    victim_findings,
    decrease_findings,
    same_findings,
    estimate_findings,
    undated_findings,
    built: BuildResult,
) -> None:
    """minekg runs the rules in Oxigraph; any SHACL-SPARQL engine must give the same warnings,
    on the corpus and on every scenario above (standard SPARQL, no engine's leniency)."""
    oxigraph = {(f.focus, f.message) for f in rule_findings(corpus_verdict)}
    assert _in_rdflib_engine(built.dataset, RULES) == oxigraph
    assert len(ENGINE_RUNS) == len(SHAPES)
    for shape, dataset, rules, found in ENGINE_RUNS:
        assert _in_rdflib_engine(dataset, rules) == found, shape


def test_every_rule_is_a_warning_with_a_message_and_a_target() -> None:
    rules = Graph().parse(RULES, format="turtle")
    shapes = {str(s) for s in rules.subjects(RDF.type, SH.NodeShape)}
    assert shapes == set(SHAPES)
    for shape in map(URIRef, SHAPES):
        assert rules.value(shape, SH.severity) == SH.Warning
        assert rules.value(rules.value(shape, SH.target), SH.select) is not None
        constraints = list(rules.objects(shape, SH.sparql))
        assert constraints
        for constraint in constraints:
            message = str(rules.value(constraint, SH.message))
            select = str(rules.value(constraint, SH.select))
            for variable in re.findall(r"\{\?(\w+)\}", message):
                assert re.search(rf"SELECT[^\n]*\?{variable}\b", select), (shape, variable)
