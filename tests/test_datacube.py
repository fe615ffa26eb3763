"""Figures form well-formed RDF Data Cube data sets: the W3C integrity constraints a linked-data
publisher runs (IC-1, IC-2, IC-11, IC-12, IC-14 of the Data Cube Recommendation, written against
the un-normalised structure with qb:dimension / qb:measure)."""

from __future__ import annotations

import pytest
from rdflib import Graph

from minekg.pipeline import BuildResult

PREFIX = "PREFIX qb: <http://purl.org/linked-data/cube#>\n"
CONSTRAINTS = {
    "IC-1 every observation is in exactly one data set": """
        ASK { { ?obs a qb:Observation . FILTER NOT EXISTS { ?obs qb:dataSet ?d } }
        UNION { ?obs a qb:Observation ; qb:dataSet ?d1, ?d2 . FILTER (?d1 != ?d2) } }""",
    "IC-2 every data set has exactly one structure": """
        ASK { { ?ds a qb:DataSet . FILTER NOT EXISTS { ?ds qb:structure ?dsd .
                                                        ?dsd a qb:DataStructureDefinition } }
        UNION { ?ds a qb:DataSet ; qb:structure ?a, ?b . FILTER (?a != ?b) } }""",
    "IC-11 every observation has every dimension": """
        ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:dimension ?dim .
              FILTER NOT EXISTS { ?obs ?dim ?value } }""",
    "IC-12 no two observations share all dimensions": """
        ASK { FILTER (?allEqual) {
          SELECT (MIN(?equal) AS ?allEqual) WHERE {
            ?o1 qb:dataSet ?ds . ?o2 qb:dataSet ?ds . FILTER (?o1 != ?o2)
            ?ds qb:structure/qb:component/qb:dimension ?dim .
            ?o1 ?dim ?v1 . ?o2 ?dim ?v2 . BIND (?v1 = ?v2 AS ?equal)
          } GROUP BY ?o1 ?o2 } }""",
    "IC-14 every observation has every measure": """
        ASK { ?obs qb:dataSet/qb:structure/qb:component/qb:measure ?measure .
              FILTER NOT EXISTS { ?obs ?measure ?value } }""",
}


@pytest.fixture(scope="module")
def union(built: BuildResult) -> Graph:
    graph = Graph()
    for s, p, o, _ in built.dataset.quads():
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
def test_integrity_constraint(union: Graph, name: str) -> None:
    violated = union.query(PREFIX + CONSTRAINTS[name]).askAnswer
    assert not violated, f"Data Cube {name} is violated"


def test_there_are_observations_to_check(union: Graph) -> None:
    rows = union.query(PREFIX + "SELECT (COUNT(?o) AS ?n) WHERE { ?o qb:dataSet ?d }")
    assert int(next(iter(rows))[0]) > 50
