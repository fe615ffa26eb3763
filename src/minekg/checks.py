"""Validation of the built graph: SHACL shapes and SHACL-SPARQL consistency rules (pyshacl).

``ontology/shapes.ttl`` says what every node a user relies on must have (severity Violation, or
Info for what is merely recommended); ``ontology/rules.ttl`` holds the consistency rules a
fact-checker runs on figures (severity Warning, each message with the numbers).

Checks run on asserted data only (no RDFS inference first): an inferred type would turn a misused
value into a valid one and hide the very problem the shape is there to catch (design/PITFALLS.md).
Each result is traced back to the named graph (the document) its focus node is described in.

Drafts (records ``minekg ingest`` wrote, ``mkg:reviewStatus mkg:Draft``) build too. A shape tagged
``mkgsh:reviewerOnly`` asks for what only a reviewer can supply (an author extraction did not find,
the kind of an entity the reference data does not know yet); its violations on a node that only
drafts describe become warnings here, each result saying why in an ``rdfs:comment``, so that the
report stays a true account of what was found and the build of drafts succeeds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.term import Node

from minekg.errors import MinekgError, SetupError
from minekg.vocab import MKG

if TYPE_CHECKING:
    from minekg.reasoning import Consistency

RULES_FILE = "rules.ttl"
SHAPE_FILES = ("shapes.ttl", RULES_FILE)
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
PROVENANCE = "graph/provenance"
REVIEWER_ONLY = URIRef("https://w3id.org/minekg/shapes#reviewerOnly")
DOWNGRADED = (
    "A violation for a reviewed record, reported as a warning: the focus node is described only "
    "by draft records (mkg:Draft), and only a reviewer can supply what this shape asks for."
)


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result, with the document whose graph describes its focus node."""

    severity: str
    document: str
    shape: str
    focus: str
    path: str
    message: str


@dataclass(frozen=True)
class Verdict:
    conforms: bool
    findings: list[Finding]
    report: Graph

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        return counts

    def of_severity(self, severity: str) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def summary(self) -> str:
        if not self.findings:
            return "conforms (no violations, no warnings)"
        counts = ", ".join(
            f"{self.counts[s]} {s.lower()}(s)" for s in SEVERITY_ORDER if s in self.counts
        )
        return ("conforms" if self.conforms else "does NOT conform") + f": {counts}"


def shape_files(ontology_dir: Path) -> list[Path]:
    """The shape files of the ontology folder, in a fixed order; every one must be there.

    A check that ran no shape because a file was missing would pass having checked nothing.
    """
    missing = [name for name in SHAPE_FILES if not (ontology_dir / name).is_file()]
    if missing:
        raise SetupError(f"{ontology_dir}: no {' or '.join(missing)}: nothing could be checked")
    return [ontology_dir / name for name in SHAPE_FILES]


def with_vocabulary(dataset: Dataset, ontology_dir: Path) -> Dataset:
    """A graph from elsewhere with minekg's ontology and measures added, unless it has them.

    The shapes and rules read measure units and notations from the measure scheme.
    """
    from minekg import mapping
    from minekg.vocab import IRIs

    if not any(dataset.quads((None, SKOS.inScheme, None, None))):
        ontology = dataset.graph(IRIs().graph("ontology"))
        for triple in mapping.load_vocabulary(ontology_dir).graph:
            ontology.add(triple)
    return dataset


def union_of(dataset: Dataset) -> tuple[Graph, dict[Node, str]]:
    """All graphs as one, and for each typed node the last path segment of its graph's name."""
    data = Graph()
    graph_of: dict[Node, str] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        data.add((s, p, o))
        if p == RDF.type and g is not None:
            # The reference graph if it types the node, else the first document graph by name,
            # never the store's order: a node several drafts propose is typed in each of them,
            # and the report must not depend on hashing.
            name = str(g).rsplit("/", 1)[-1]
            graph_of[s] = min(graph_of.get(s, name), name, key=lambda n: (n != "reference", n))
    return data, graph_of


def validate(dataset: Dataset, shapes: Iterable[Path]) -> Verdict:
    """Validate the union of all graphs: shapes need the reference data a document points to.

    Each shape file runs on the store that suits it. The shapes check node by node: many small
    lookups, which rdflib's memory store answers fastest (1.2 s; 18 s through oxrdflib, whose
    ``len()`` pyshacl calls for every result). The consistency rules (``rules.ttl``) are a few
    whole-graph queries with few results, which Oxigraph (through oxrdflib) answers six times
    faster than rdflib's engine (0.5 s instead of 3 s), with standard SPARQL semantics.
    """
    data, graph_of = union_of(dataset)
    drafted = draft_only_nodes(dataset)
    in_oxigraph: Graph | None = None
    report, findings = Graph(), []
    for path in shapes:
        shapes_graph = Graph().parse(path, format="turtle")
        target = data
        if path.name == RULES_FILE:
            if in_oxigraph is None:
                in_oxigraph = _copy_into_oxigraph(data)
            target = in_oxigraph
        ok, part, _ = shacl_validate(
            target,
            shacl_graph=shapes_graph,
            inference="none",
            allow_warnings=True,
            advanced=True,
            inplace=True,  # nothing is inferred, so nothing is written to the data
        )
        _downgrade_drafts(part, shapes_graph, drafted)
        findings += [_finding(part, result, shapes_graph, graph_of) for result in _results(part)]
        report += part
    conforms = not any(f.severity == "Violation" for f in findings)
    return Verdict(conforms, sorted(findings), _one_report(report, conforms))


def draft_only_nodes(dataset: Dataset) -> set[Node]:
    """Nodes typed in a draft document graph and in no reviewed document graph, nor in the
    reference graph: what only drafts say exists (the provenance and ontology graphs, which
    describe every graph, do not count either way)."""
    drafts = {s for s, _, _, _ in dataset.quads((None, MKG.reviewStatus, MKG.Draft, None))}
    reviewed = {s for s, _, _, _ in dataset.quads((None, MKG.reviewStatus, MKG.Reviewed, None))}
    if not drafts:
        return set()
    curated = reviewed | {
        g.identifier for g in dataset.graphs() if str(g.identifier).endswith("/reference")
    }
    in_draft: set[Node] = set()
    in_curated: set[Node] = set()
    for s, _, _, g in dataset.quads((None, RDF.type, None, None)):
        if g in drafts:
            in_draft.add(s)
        elif g in curated:
            in_curated.add(s)
    return in_draft - in_curated


def _downgrade_drafts(report: Graph, shapes: Graph, drafted: set[Node]) -> None:
    """Violations of reviewer-only shapes on nodes only drafts describe become warnings."""
    if not drafted:
        return
    tagged = set(shapes.subjects(REVIEWER_ONLY, Literal(True)))
    for result in list(report.subjects(RDF.type, SH.ValidationResult)):
        if (
            report.value(result, SH.resultSeverity) == SH.Violation
            and report.value(result, SH.sourceShape) in tagged
            and report.value(result, SH.focusNode) in drafted
        ):
            report.set((result, SH.resultSeverity, SH.Warning))
            report.add((result, RDFS.comment, Literal(DOWNGRADED, lang="en")))


def _copy_into_oxigraph(data: Graph) -> Graph:
    copy = Graph(store="Oxigraph")
    copy.addN((s, p, o, copy) for s, p, o in data)
    return copy


def _results(report: Graph) -> list[Node]:
    """Top-level results only: a nested sh:detail result is part of its parent's finding."""
    return list(report.objects(None, SH.result))


def _finding(report: Graph, result: Node, shapes: Graph, graph_of: dict[Node, str]) -> Finding:
    return Finding(
        severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
        document=graph_of.get(report.value(result, SH.focusNode) or result, "?"),
        shape=_shape_name(shapes, report.value(result, SH.sourceShape)),
        focus=str(report.value(result, SH.focusNode)),
        path=str(report.value(result, SH.resultPath) or ""),
        message=str(report.value(result, SH.resultMessage) or ""),
    )


def _one_report(merged: Graph, conforms: bool) -> Graph:
    """The reports of each shape file as one sh:ValidationReport."""
    report = Graph()
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(conforms)))
    parts = set(merged.subjects(RDF.type, SH.ValidationReport))
    for s, p, o in merged:
        if s in parts:
            if p == SH.result:
                report.add((node, p, o))
        else:
            report.add((s, p, o))
    return report


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """A property shape is a blank node: name it by its node shape, which has an IRI."""
    if isinstance(shape, BNode):
        parent = shapes.value(None, SH.property, shape)
        path = shapes.value(shape, SH.path)
        return f"{parent} {path.n3(shapes.namespace_manager) if path is not None else ''}".strip()
    return str(shape or "")


@dataclass(frozen=True)
class Checked:
    """What ``minekg check`` found in a graph, and where it wrote its reports."""

    graph_file: Path
    base: str | None
    verdict: Verdict
    consistency: Consistency | None
    report_path: Path
    inferred_path: Path | None

    def failed(self, strict: bool) -> bool:
        inconsistent = self.consistency is not None and not self.consistency.consistent
        warned = strict and bool(self.verdict.of_severity("Warning"))
        return bool(self.verdict.of_severity("Violation")) or inconsistent or warned


def check_graph(
    graph: Path,
    ontology_dir: Path,
    report_path: Path | None = None,
    reasoner: bool = True,
    infer: str | None = None,
) -> Checked:
    """Run every check on a built graph (a build folder or one RDF file) and write the report.

    Whatever keeps the check from running (no graph, no shapes, no Java) is a ``SetupError``: a
    check that could not run must never read as a pass.
    """
    from minekg import dumps, reasoning, store

    shapes = shape_files(ontology_dir)
    try:
        graph_file, _ = store.rdf_file(graph)
        dataset = with_vocabulary(store.load_dataset(graph), ontology_dir)
    except SetupError:
        raise
    except MinekgError as exc:
        raise SetupError(str(exc)) from None
    except OSError as exc:
        raise SetupError(f"{exc.filename}: {exc.strerror}") from None
    verdict = validate(dataset, shapes)
    consistency = reasoning.check_consistency(dataset) if reasoner else None
    report_path = report_path or graph_file.with_name("report.ttl")
    report_path.write_bytes(dumps.canonical_turtle(verdict.report))
    inferred_path = None
    if infer is not None:
        inferred_path = graph_file.with_name(f"inferred-{infer}.trig")
        inferred_path.write_bytes(reasoning.inferred_only(dataset, infer))
    names = (str(g.identifier) for g in dataset.graphs())
    base = next((n.removesuffix(PROVENANCE) for n in names if n.endswith(PROVENANCE)), None)
    return Checked(graph_file, base, verdict, consistency, report_path, inferred_path)
