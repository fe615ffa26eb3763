"""Validation of the built graph against ``ontology/shapes.ttl`` (SHACL, via pyshacl).

Checks run on asserted data only (no RDFS inference first): an inferred type would turn a misused
value into a valid one and hide the very problem the shape is there to catch (design/PITFALLS.md).
Each result is traced back to the named graph (the document) its focus node is described in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, SH


@dataclass(frozen=True, order=True)
class Finding:
    severity: str
    document: str
    focus: str
    path: str
    message: str


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

    def summary(self) -> str:
        if not self.findings:
            return "conforms (no violations, no warnings)"
        counts = ", ".join(
            f"{n} {severity.lower()}(s)" for severity, n in sorted(self.counts.items())
        )
        return ("conforms" if self.conforms else "does NOT conform") + f": {counts}"


def validate(dataset: Dataset, shapes_path: Path) -> Verdict:
    shapes = Graph().parse(shapes_path, format="turtle")
    data = Graph()
    graph_of: dict[URIRef, str] = {}
    for s, p, o, g in dataset.quads((None, None, None, None)):
        data.add((s, p, o))
        if p == RDF.type and g is not None:
            graph_of.setdefault(s, str(g).rsplit("/", 1)[-1])
    conforms, report, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=True
    )
    findings = sorted(
        Finding(
            severity=str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            document=graph_of.get(report.value(result, SH.focusNode), "?"),
            focus=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or ""),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    )
    return Verdict(bool(conforms), findings)
