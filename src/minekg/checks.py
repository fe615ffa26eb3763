"""Validation of the built graph: SHACL shapes (pyshacl-turbo) and SHACL-SPARQL consistency rules.

``ontology/shapes.ttl`` says what every node a user relies on must have (severity Violation, or
Info for what is merely recommended); ``ontology/rules.ttl`` holds the consistency rules a
fact-checker runs on figures (severity Warning, each message with the numbers).

A build validates each document graph on its own (``validate_unit``, with the reference data and
the ontology it points to, in whatever process the executor gives it) and runs the consistency
rules, which compare figures across documents, once on the whole graph in Oxigraph
(``run_rules``): pyshacl over the union of all graphs grew with the square of the corpus (issue 12).

Checks run on asserted data only (no RDFS inference first): an inferred type would turn a misused
value into a valid one and hide the very problem the shape is there to catch (design/PITFALLS.md).
Each result is traced back to the named graph (the document) its focus node is described in.

Drafts (records ``minekg ingest`` wrote, ``mkg:reviewStatus mkg:Draft``) build too. A shape tagged
``mkgsh:reviewerOnly`` asks for what only a reviewer can supply (an author extraction did not find,
the kind of an entity the reference data does not know yet); its violations on a node that only
drafts describe become warnings (``downgrade_drafts``), each message saying why, so that the
report stays a true account of what was found and the build of drafts succeeds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pyshacl_turbo
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from minekg.errors import MinekgError, SetupError
from minekg.vocab import MKG

if TYPE_CHECKING:
    from minekg.reasoning import Consistency

REVIEWER_ONLY = URIRef("https://w3id.org/minekg/shapes#reviewerOnly")
DOWNGRADED = (
    "a violation for a reviewed record, reported as a warning: the focus node is described only "
    "by draft records (mkg:Draft), and only a reviewer can supply what this shape asks for"
)
RULES_FILE = "rules.ttl"
SHAPE_FILES = ("shapes.ttl", RULES_FILE)
SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
PROVENANCE = "graph/provenance"


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result, with the document whose graph describes its focus node.

    ``terms`` keeps what the SHACL report needs in N-Triples form (focus node, path, value,
    source shape, constraint component), so that a result made in a worker process or read from
    the cache writes the same report as one made here.
    """

    severity: str
    document: str
    shape: str
    focus: str
    path: str
    message: str
    terms: tuple[tuple[str, str], ...] = ()

    def row(self) -> list[Any]:
        """As JSON (the build's cache keeps findings)."""
        fields = [self.severity, self.document, self.shape, self.focus, self.path, self.message]
        return [*fields, [list(term) for term in self.terms]]

    @classmethod
    def of_row(cls, row: list[Any]) -> Finding:
        severity, document, shape, focus, path, message, terms = row
        pairs = tuple((name, term) for name, term in terms)
        return cls(severity, document, shape, focus, path, message, pairs)


@dataclass(frozen=True)
class Verdict:
    conforms: bool
    findings: list[Finding]

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

    The shapes check node by node: many small lookups, which rdflib's memory store answers
    fastest. The consistency rules (``rules.ttl``) are a few whole-graph queries, which run in
    Oxigraph (``run_rules``).
    """
    data, graph_of = union_of(dataset)
    drafted = draft_only_nodes(
        ((str(s), str(o)) for s, _, o, _ in dataset.quads((None, MKG.reviewStatus, None, None))),
        ((str(s), str(g)) for s, _, _, g in dataset.quads((None, RDF.type, None, None))),
    )
    findings: list[Finding] = []
    for path in shapes:
        if path.name == RULES_FILE:
            text = path.read_text(encoding="utf-8")
            findings += run_rules(
                _into_oxigraph(data), text, lambda iri: graph_of.get(URIRef(iri), "?")
            )
        else:
            shapes_graph = Graph().parse(path, format="turtle")
            found = validate_unit(data, compile_shapes(shapes_graph), graph_of)
            findings += downgrade_drafts(found, reviewer_only(shapes_graph), drafted)
    return verdict_of(findings)


def draft_only_nodes(
    reviews: Iterable[tuple[str, str]], typings: Iterable[tuple[str, str]]
) -> set[str]:
    """Nodes typed in a draft document graph and in no reviewed document graph, nor in the
    reference graph: what only drafts say exists. ``reviews`` are (graph, review status) pairs
    of the provenance graph, ``typings`` (node, graph) pairs of the rdf:type statements; the
    provenance and ontology graphs, which describe every graph, count neither way."""
    drafts = {graph for graph, status in reviews if status == str(MKG.Draft)}
    if not drafts:
        return set()
    in_draft: set[str] = set()
    in_curated: set[str] = set()
    for node, graph in typings:
        if graph in drafts:
            in_draft.add(node)
        elif graph.endswith("/reference") or not graph.endswith(("/provenance", "/ontology")):
            in_curated.add(node)
    return in_draft - in_curated


def reviewer_only(shapes: Graph) -> set[str]:
    """The shapes (by their names in findings) that ask for what only a reviewer can supply."""
    return {_shape_name(shapes, s) for s in shapes.subjects(REVIEWER_ONLY, Literal(True))}


def downgrade_drafts(
    findings: Iterable[Finding], tagged: set[str], drafted: set[str]
) -> list[Finding]:
    """Violations of reviewer-only shapes on nodes only drafts describe become warnings."""
    return [
        replace(f, severity="Warning", message=f"{f.message} ({DOWNGRADED})")
        if f.severity == "Violation" and f.shape in tagged and f.focus in drafted
        else f
        for f in findings
    ]


def verdict_of(findings: Iterable[Finding]) -> Verdict:
    """One verdict from the findings of every unit: conforms unless something is a violation."""
    unique = sorted(set(findings))
    return Verdict(not any(f.severity == "Violation" for f in unique), unique)


@dataclass(frozen=True)
class Shapes:
    """A shapes graph and the program pyshacl-turbo compiles from it, once per process."""

    graph: Graph
    program: pyshacl_turbo.CompiledShapes


def compile_shapes(graph: Graph) -> Shapes:
    return Shapes(graph, pyshacl_turbo.compile_shapes(graph, advanced=True))


def validate_unit(
    data: Graph | ox.Store,
    shapes: Shapes,
    graph_of: dict[Node, str],
    focus: list[URIRef] | None = None,
) -> list[Finding]:
    """The shapes on one graph; with ``focus``, on those nodes alone (one document's).

    pyshacl-turbo (the SHACL engine in Rust that passes pyshacl's own test suite), not pyshacl:
    pyshacl spent 0.3-0.5 s on each document graph, validating the whole reference data again
    each time because its focus-node mode dropped the results of qualified value shapes; turbo
    validates one document's nodes in about 0.05 s, and an Oxigraph store is read natively
    (issue 12). ``tests/test_shapes.py`` checks that pyshacl finds exactly the same results on
    the corpus with one broken value for every constraint.
    """
    _, report, _ = shapes.program.validate(
        data, inference="none", allow_warnings=True, focus_nodes=focus
    )
    return findings_of(report, shapes.graph, graph_of)


def findings_of(report: Graph, shapes: Graph, graph_of: dict[Node, str]) -> list[Finding]:
    """The top-level results of a SHACL validation report (any engine's) as findings."""
    return [_finding(report, result, shapes, graph_of) for result in _results(report)]


def _into_oxigraph(data: Graph) -> ox.Store:
    store = ox.Store()
    store.bulk_load(
        input=data.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES
    )
    return store


@dataclass(frozen=True)
class _Rule:
    shape: str
    severity: str
    target: str
    constraints: list[tuple[str, str]]  # (SELECT query, message template)


def _rules(text: str) -> list[_Rule]:
    """The node shapes of a SHACL-SPARQL rules file, their prefixes written into the queries."""
    shapes = Graph().parse(data=text, format="turtle")
    rules = []
    for shape in sorted(shapes.subjects(RDF.type, SH.NodeShape), key=str):
        target = shapes.value(shape, SH.target)
        if target is None or shapes.value(target, SH.select) is None:
            raise SetupError(f"rule {shape}: only sh:SPARQLTarget targets are supported")
        constraints = [
            (
                _prefixed(shapes, c, str(shapes.value(c, SH.select))),
                str(shapes.value(c, SH.message)),
            )
            for c in sorted(
                shapes.objects(shape, SH.sparql), key=lambda c: str(shapes.value(c, SH.select))
            )
        ]
        severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        rules.append(
            _Rule(
                str(shape),
                severity,
                _prefixed(shapes, target, str(shapes.value(target, SH.select))),
                constraints,
            )
        )
    return rules


def _prefixed(shapes: Graph, node: Node, query: str) -> str:
    declared = []
    for ontology in shapes.objects(node, SH.prefixes):
        for declaration in shapes.objects(ontology, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            declared.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(declared)) + "\n" + query


def run_rules(store: ox.Store, text: str, document_of: Callable[[str], str]) -> list[Finding]:
    """The SHACL-SPARQL rules of ``text`` as plain SPARQL on Oxigraph, one query per constraint.

    A SHACL engine runs each constraint once per focus node (pyshacl, with oxrdflib's ``len()``
    for every result, took minutes at a hundred documents). Here the target query selects the
    focus nodes and each constraint runs once for all of them, ``$this`` as an ordinary
    variable; a row counts when its ``?this`` is a target, which is what the SHACL-SPARQL
    definition gives when every constraint binds ``$this`` in its first pattern (the rules do).
    The store holds every statement once, in its default graph; ``document_of`` names the
    document (graph) a focus IRI is described in.
    """
    findings = []
    for rule in _rules(text):
        targets = {row["this"] for row in store.query(rule.target)}  # type: ignore[union-attr]
        for query, message in rule.constraints:
            solutions = store.query(query.replace("$this", "?this"))
            names = [v.value for v in solutions.variables]  # type: ignore[union-attr]
            for row in solutions:  # type: ignore[union-attr]
                focus = row["this"]
                if focus not in targets:
                    continue
                bound = {name: row[name] for name in names if row[name] is not None}
                findings.append(_rule_finding(rule, focus, bound, message, document_of))
    return findings


def _rule_finding(
    rule: _Rule,
    focus: Any,
    bound: dict[str, Any],
    message: str,
    document_of: Callable[[str], str],
) -> Finding:
    for name, value in bound.items():
        for mark in ("?", "$"):
            message = message.replace("{" + mark + name + "}", value.value)
    value = bound.get("value", focus)
    terms = [
        ("focus", str(focus)),
        ("value", str(value)),
        ("shape", f"<{rule.shape}>"),
        ("component", f"<{SH.SPARQLConstraintComponent}>"),
    ]
    if "path" in bound:
        terms.append(("path", str(bound["path"])))
    return Finding(
        severity=rule.severity,
        document=document_of(focus.value),
        shape=rule.shape,
        focus=focus.value,
        path=bound["path"].value if "path" in bound else "",
        message=message,
        terms=tuple(sorted(terms)),
    )


def report_turtle(verdict: Verdict) -> bytes:
    """The SHACL validation report in Turtle, the same bytes for the same findings.

    ``sh:conforms`` is SHACL's: true only when there is no result at all, whatever its severity.
    minekg's own verdict, which lets warnings and infos pass, is the summary's (``summary.json``,
    ``report.txt``, the exit code), and the report says it in an ``rdfs:comment``.

    Results are written in the findings' order, each a blank node labelled by a digest of what it
    says, so the report needs no canonicalisation of a blank-node graph (rdflib.compare took 74 s
    at 40 documents) and a new finding leaves every other result's label as it was.
    """
    lines = [
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix sh: <http://www.w3.org/ns/shacl#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        "_:report a sh:ValidationReport ;",
        f"    rdfs:comment {Literal('minekg: ' + verdict.summary(), lang='en').n3()} ;",
        f"    sh:conforms {'false' if verdict.findings else 'true'}"
        + (" ;" if verdict.findings else " ."),
    ]
    labels = [_label(f) for f in verdict.findings]
    if labels:
        lines.append(
            "    sh:result " + " ,\n        ".join(f"_:{label}" for label in labels) + " ."
        )
    for label, finding in zip(labels, verdict.findings, strict=True):
        terms = dict(finding.terms)
        lines.append("")
        lines.append(f"_:{label} a sh:ValidationResult ;")
        lines.append(f"    sh:resultSeverity sh:{finding.severity} ;")
        lines.append(f"    sh:focusNode {terms.get('focus', f'<{finding.focus}>')} ;")
        if "path" in terms:
            lines.append(f"    sh:resultPath {terms['path']} ;")
        if "value" in terms:
            lines.append(f"    sh:value {terms['value']} ;")
        lines.append(f"    sh:sourceShape {terms.get('shape', '_:' + _digest(finding.shape))} ;")
        if "component" in terms:
            lines.append(f"    sh:sourceConstraintComponent {terms['component']} ;")
        lines.append(f"    sh:resultMessage {Literal(finding.message).n3()} .")
    return ("\n".join(lines) + "\n").encode()


def _label(finding: Finding) -> str:
    return "r" + _digest(
        "\t".join((finding.severity, finding.shape, finding.focus, finding.path, finding.message))
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _results(report: Graph) -> list[Node]:
    """Top-level results only: a nested sh:detail result is part of its parent's finding."""
    return list(report.objects(None, SH.result))


def _finding(report: Graph, result: Node, shapes: Graph, graph_of: dict[Node, str]) -> Finding:
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    shape = report.value(result, SH.sourceShape)
    component = report.value(result, SH.sourceConstraintComponent)
    terms = [("focus", _nt(focus))]
    if path is not None:
        terms.append(("path", _nt(path)))
    if value is not None:
        terms.append(("value", _nt(value)))
    if isinstance(shape, URIRef):
        terms.append(("shape", _nt(shape)))
    if component is not None:
        terms.append(("component", _nt(component)))
    return Finding(
        severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
        document=graph_of.get(focus or result, "?"),
        shape=_shape_name(shapes, shape),
        focus=str(focus),
        path=str(path or ""),
        message=str(report.value(result, SH.resultMessage) or ""),
        terms=tuple(sorted(terms)),
    )


def _nt(term: Node | None) -> str:
    """A term as written in the report; a blank node (a path expression) by a stable label."""
    if isinstance(term, BNode):
        return "_:" + _digest(str(term))
    return term.n3() if term is not None else ""


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
    from minekg import reasoning, store

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
    report_path.write_bytes(report_turtle(verdict))
    inferred_path = None
    if infer is not None:
        inferred_path = graph_file.with_name(f"inferred-{infer}.trig")
        inferred_path.write_bytes(reasoning.inferred_only(dataset, infer))
    names = (str(g.identifier) for g in dataset.graphs())
    base = next((n.removesuffix(PROVENANCE) for n in names if n.endswith(PROVENANCE)), None)
    return Checked(graph_file, base, verdict, consistency, report_path, inferred_path)
