"""OWL reasoning: is the ontology plus the data consistent, and what does it entail?

HermiT (through owlready2) proves consistency and reports the types it infers for each node.
An optional RDFS or OWL-RL closure (owlrl) materialises inferred triples into their own named
graph, ``graph/inferred``: never into a document's graph, whose every triple must be something
that document says.

HermiT runs on Java; without it :func:`check_consistency` raises :class:`ReasonerUnavailable`
instead of pretending the graph is consistent.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import owlready2
import owlrl
import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from minekg.checks import union_of
from minekg.errors import SetupError
from minekg.vocab import IRIs

PROFILES = {"rdfs": owlrl.RDFS_Semantics, "owl-rl": owlrl.OWLRL_Semantics}


class ReasonerUnavailable(SetupError):
    """HermiT cannot run here (no Java)."""


@dataclass(frozen=True)
class Consistency:
    consistent: bool
    unsatisfiable_classes: list[str]
    inferred_types: dict[str, list[str]]
    seconds: float
    explanation: str = ""


def check_consistency(dataset: Dataset) -> Consistency:
    """Run HermiT on the union of all graphs (ontology included).

    When there is no model, HermiT does not say why; so the ontology is then reasoned over on its
    own, and the classes that no individual can belong to are named: a typed node of such a class
    is what breaks the graph. Without any, it is the data that contradicts the axioms.
    """
    if not shutil.which(owlready2.JAVA_EXE):
        raise ReasonerUnavailable(
            f"HermiT needs Java ({owlready2.JAVA_EXE} not found): install a JRE, e.g. Debian's "
            "default-jre-headless, or run with --no-reasoner"
        )
    data, _ = union_of(dataset)
    typed = _individuals(data)
    started = time.perf_counter()
    world, problem = _hermit(data)
    if problem is not None:
        ontology = _ontology_graph(dataset)
        unsatisfiable = [] if ontology is None else _unsatisfiable(ontology)
        explanation = (
            "no individual can be of " + ", ".join(unsatisfiable) + ", yet the data has some"
            if unsatisfiable
            else problem
        )
        return Consistency(False, unsatisfiable, {}, time.perf_counter() - started, explanation)
    # owl:Thing is no news: every individual (and every class punned as one) is a Thing.
    before = {
        iri: {str(OWL.Thing), *(str(o) for o in data.objects(URIRef(iri), RDF.type))}
        for iri in typed
    }
    unsatisfiable = sorted(
        str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing
    )
    inferred = {iri: sorted(new) for iri in typed if (new := _types(world, iri) - before[iri])}
    return Consistency(not unsatisfiable, unsatisfiable, inferred, time.perf_counter() - started)


def _individuals(data: Graph) -> list[str]:
    """Nodes typed with a class of the domain: not the classes and properties themselves, whose
    owlready2 ``is_a`` lists superclasses, not types."""
    meta = (str(OWL), str(RDF), str(RDFS))
    schema = {
        s
        for s, o in data.subject_objects(RDF.type)
        if str(o).startswith(meta) and o not in (OWL.NamedIndividual, OWL.Thing)
    }
    return sorted(
        str(s) for s in set(data.subjects(RDF.type, None)) - schema if isinstance(s, URIRef)
    )


def _hermit(graph: Graph) -> tuple[owlready2.World, str | None]:
    """The world HermiT reasoned over, and why it has no model (None when it has one)."""
    world = owlready2.World()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "minekg.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        try:
            world.get_ontology(path.as_uri()).load()
        except owlready2.OwlReadyOntologyParsingError as exc:
            # An ill-typed literal ("n/a" as an integer) already makes the graph inconsistent
            # in OWL 2; owlready2 stops at reading it.
            cause = exc.__cause__ or exc.__context__ or exc
            return world, f"an ill-typed literal: {cause}"
    try:
        # xsd:gYear and xsd:gYearMonth (partial dates) are outside OWL 2's datatype map.
        owlready2.sync_reasoner_hermit(
            world, infer_property_values=False, ignore_unsupported_datatypes=True, debug=0
        )
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        return world, str(exc) or "HermiT found no model of the ontology and the data together"
    return world, None


def _ontology_graph(dataset: Dataset) -> Graph | None:
    for graph in dataset.graphs():
        if str(graph.identifier).endswith("/graph/ontology") and len(graph):
            return graph
    return None


def _unsatisfiable(ontology: Graph) -> list[str]:
    world, problem = _hermit(ontology)
    if problem is not None:
        return []
    return sorted(str(c.iri) for c in world.inconsistent_classes() if c is not owlready2.Nothing)


def _types(world: owlready2.World, iri: str) -> set[str]:
    entity = world[iri]
    if entity is None or not hasattr(entity, "is_a"):
        return set()
    return {str(cls.iri) for cls in entity.is_a if hasattr(cls, "iri")}


def infer(dataset: Dataset, profile: str, graph_name: URIRef) -> Dataset:
    """A copy of the dataset with the entailed triples, and only those, in ``graph_name``.

    Triples about the vocabulary itself (axioms the closure restates) are left out: what a
    user wants is what the data entails about its own nodes.
    """
    data, _ = union_of(dataset)
    closure = Graph()
    for triple in data:
        closure.add(triple)
    owlrl.DeductiveClosure(PROFILES[profile]).expand(closure)
    nodes = {s for s, _, _, g in dataset.quads() if not str(g).endswith("/ontology")}
    result = Dataset()
    for prefix, namespace in dataset.namespaces():
        result.bind(prefix, namespace, override=True, replace=True)
    for s, p, o, g in dataset.quads():
        result.graph(g).add((s, p, o))
    inferred = result.graph(graph_name)
    for s, p, o in closure:
        if s in nodes and (s, p, o) not in data and not _restated(data, s, p, o):
            inferred.add((s, p, o))
    return result


def _restated(data: Graph, s: Node, p: Node, o: Node) -> bool:
    """owlrl restates literals with other datatypes ("70"^^xsd:decimal beside 70, even true
    beside 1) and says every node is owl:sameAs itself: none of it is news to a user."""
    if s == o and p == OWL.sameAs:
        return True
    if not isinstance(o, Literal):
        return False
    return any(
        str(v) == str(o) or (isinstance(v, Literal) and v.toPython() == o.toPython())
        for v in data.objects(s, p)
    )


def inferred_only(dataset: Dataset, profile: str) -> bytes:
    """The triples ``profile`` entails, alone in the ``graph/inferred`` graph, as TriG."""
    name = IRIs().graph("inferred")
    inferred = infer(dataset, profile, name).graph(name)
    only = Dataset()
    graph = only.graph(name)
    for triple in inferred:
        graph.add(triple)
    return only.serialize(format="trig", encoding="utf-8")


# The OWL checks that scale: HermiT on the ontology and the reference data (a few thousand
# statements, cached), and on the documents, as whole-store queries, what their statements can
# contradict in the ontology. HermiT on the whole graph took 74 s at 100 documents and grows
# faster than the graph; these queries grow with it.

XSD = "http://www.w3.org/2001/XMLSchema#"
# Datatypes of the OWL 2 datatype map whose lexical form a SPARQL cast checks, and the values
# each accepts for a property with that range (the XSD derivation tree).
CASTS = {f"{XSD}{name}": f"{XSD}{name}" for name in ("integer", "decimal", "double", "float")}
CASTS |= {f"{XSD}boolean": f"{XSD}boolean", f"{XSD}dateTime": f"{XSD}dateTime"}
CASTS[f"{XSD}nonNegativeInteger"] = f"{XSD}integer"
DERIVED = {
    f"{XSD}decimal": {f"{XSD}integer", f"{XSD}nonNegativeInteger"},
    f"{XSD}integer": {f"{XSD}nonNegativeInteger"},
}


@dataclass(frozen=True)
class Axioms:
    """What the ontology says that instance statements can contradict."""

    superclasses: dict[str, frozenset[str]]  # each class with every class above it, itself too
    disjoint: frozenset[tuple[str, str]]  # declared pairs, both orders
    domains: dict[str, frozenset[str]]
    ranges: dict[str, frozenset[str]]  # object properties: classes of their values
    datatypes: dict[str, str]  # datatype properties: the datatype of their values
    functional: frozenset[str]

    @classmethod
    def of(cls, ontology: Graph) -> Axioms:
        parents: dict[str, set[str]] = {}
        for sub, sup in ontology.subject_objects(RDFS.subClassOf):
            if isinstance(sup, URIRef):
                parents.setdefault(str(sub), set()).add(str(sup))
        pairs = {(str(a), str(b)) for a, b in ontology.subject_objects(OWL.disjointWith)}
        for group in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
            first = ontology.value(group, OWL.members)
            members = [str(m) for m in ontology.items(first)] if first is not None else []
            pairs |= {(a, b) for a in members for b in members if a != b}
        domains: dict[str, set[str]] = {}
        ranges: dict[str, set[str]] = {}
        datatypes = {}
        for prop, value in ontology.subject_objects(RDFS.domain):
            domains.setdefault(str(prop), set()).add(str(value))
        for prop, value in ontology.subject_objects(RDFS.range):
            if str(value).startswith(XSD):
                datatypes[str(prop)] = str(value)
            elif (prop, RDF.type, OWL.ObjectProperty) in ontology:
                ranges.setdefault(str(prop), set()).add(str(value))
        return cls(
            {c: frozenset(_above(c, parents)) for c in {*parents, *_all(parents)}},
            frozenset(pairs | {(b, a) for a, b in pairs}),
            {p: frozenset(c) for p, c in domains.items()},
            {p: frozenset(c) for p, c in ranges.items()},
            datatypes,
            frozenset(str(p) for p in ontology.subjects(RDF.type, OWL.FunctionalProperty)),
        )

    def classes(self, types: set[str]) -> set[str]:
        return {above for c in types for above in self.superclasses.get(c, frozenset([c]))}


def _all(parents: dict[str, set[str]]) -> set[str]:
    return {p for values in parents.values() for p in values}


def _above(start: str, parents: dict[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def contradictions(
    store: ox.Store, axioms: Axioms, unsatisfiable: set[str]
) -> list[tuple[str, str]]:
    """What the statements of ``store`` contradict in the ontology: (node, why) pairs, sorted.

    A node's classes are its types, the domains of the properties it has and the ranges of the
    object properties pointing at it, with every class above them: a node of an unsatisfiable
    class, or of two classes declared disjoint, has no model. So has a literal whose lexical form
    its datatype rejects ("n/a" as an integer), a value of a datatype property outside the
    property's range, and a second value of a functional property.
    """
    types: dict[str, set[str]] = {}
    for x, c in _rows(store, "SELECT DISTINCT ?x ?c WHERE { ?x a ?c . FILTER(isIRI(?c)) }"):
        types.setdefault(x.value, set()).add(c.value)
    for prop, classes in axioms.domains.items():
        for (x,) in _rows(store, f"SELECT DISTINCT ?x WHERE {{ ?x <{prop}> ?o }}"):
            types.setdefault(x.value, set()).update(classes)
    for prop, classes in axioms.ranges.items():
        query = f"SELECT DISTINCT ?o WHERE {{ ?x <{prop}> ?o . FILTER(!isLiteral(?o)) }}"
        for (x,) in _rows(store, query):
            types.setdefault(x.value, set()).update(classes)
    problems = []
    for node, asserted in types.items():
        kinds = axioms.classes(asserted)
        if bad := sorted(kinds & unsatisfiable):
            problems.append((node, f"it is of the unsatisfiable class <{bad[0]}>"))
        elif clash := sorted((a, b) for a, b in axioms.disjoint if a < b and {a, b} <= kinds):
            problems.append(
                (node, f"it is of the disjoint classes <{clash[0][0]}> and <{clash[0][1]}>")
            )
    cast = "?o"
    for datatype, function in CASTS.items():
        cast = f"IF(DATATYPE(?o) = <{datatype}>, <{function}>(STR(?o)), {cast})"
    checked = ", ".join(f"<{datatype}>" for datatype in CASTS)
    query = (
        f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o . FILTER(isLiteral(?o) && DATATYPE(?o) IN ({checked})"
        f" && !COALESCE(isLiteral({cast}), false)) }}"
    )
    for s, p, o in _rows(store, query):
        problems.append((s.value, f"{p} {o} is an ill-typed literal"))
    for prop, datatype in axioms.datatypes.items():
        allowed = ", ".join(f"<{d}>" for d in sorted({datatype, *DERIVED.get(datatype, ())}))
        query = (
            f"SELECT ?s ?o WHERE {{ ?s <{prop}> ?o . "
            f"FILTER(!isLiteral(?o) || DATATYPE(?o) NOT IN ({allowed})) }}"
        )
        for s, o in _rows(store, query):
            problems.append((s.value, f"<{prop}> {o} is outside the property's range <{datatype}>"))
    for prop in sorted(axioms.functional):
        query = (
            f"SELECT ?s (COUNT(DISTINCT ?o) AS ?n) WHERE {{ ?s <{prop}> ?o }} "
            "GROUP BY ?s HAVING (COUNT(DISTINCT ?o) > 1)"
        )
        for s, n in _rows(store, query):
            problems.append(
                (s.value, f"it has {n.value} values of the functional property <{prop}>")
            )
    return sorted(problems)


def _rows(store: ox.Store, query: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in store.query(query)]  # type: ignore[union-attr]
