"""minekg from Python, for notebooks: open a built graph, ask it questions, get rows back.

    >>> import minekg
    >>> kg = minekg.open_graph("out")                        # or open_graph() inside a project
    >>> rows = kg.query("ihl-rules-invoked", doc="A-79-690")  # a named query, short forms work
    >>> rows[0]["claimant"]                                   # each row a dict by variable
    'https://w3id.org/minekg/id/state/aze'
    >>> kg.figures("area_cleared_ha").to_pandas()            # a DataFrame, if pandas is there

Every row is what the graph says and where: claims and figures come with the document whose
named graph holds them and the exact quote that says it, because a claim is one party's word,
not a fact. Values are Python values: IRIs and text as ``str``, integers as ``int``, decimals as
``Decimal`` (a figure keeps its exact value), booleans as ``bool``; dates stay ISO strings, since
a source may give only a year or a month.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from minekg import queries, store
from minekg.errors import MinekgError
from minekg.project import QUERIES, find

XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {XSD + t for t in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger")}

DOCUMENTS = """PREFIX mkg: <https://w3id.org/minekg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?document ?graph ?title ?issued ?review WHERE {
  ?graph prov:hadPrimarySource ?document .
  OPTIONAL { ?graph mkg:reviewStatus ?status BIND(LCASE(STRAFTER(STR(?status), "#")) AS ?review) }
  GRAPH ?graph { ?document a mkg:SourceDocument . OPTIONAL { ?document dct:title ?title }
                 OPTIONAL { ?document dct:issued ?issued } }
} ORDER BY ?document"""

CLAIMS = """PREFIX mkg: <https://w3id.org/minekg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?claim ?claimant ?accused ?text ?document ?quote WHERE {
  GRAPH ?g {
    ?claim a mkg:Claim ; mkg:claimant ?claimant .
    OPTIONAL { ?claim mkg:accused ?accused }
    OPTIONAL { ?claim schema:text ?text }
    OPTIONAL { ?claim mkg:evidence/oa:hasSelector/oa:exact ?quote }
  }
  ?g prov:hadPrimarySource ?document .
} ORDER BY ?document ?claim ?accused"""


class Rows(list[dict[str, Any]]):
    """The rows of an answer, each a dict by variable (``None`` where unbound)."""

    def __init__(self, variables: tuple[str, ...], rows: list[dict[str, Any]]):
        super().__init__(rows)
        self.variables = variables

    def to_pandas(self) -> Any:
        """The rows as a pandas DataFrame, one column per variable (needs pandas)."""
        try:
            import pandas
        except ImportError:
            raise MinekgError("to_pandas() needs pandas: pip install pandas") from None
        return pandas.DataFrame(list(self), columns=list(self.variables))


class Graph:
    """A built graph opened for reading, with the named queries of minekg and of its project."""

    def __init__(self, built: store.Built, query_folders: tuple[Path, ...] = (QUERIES,)):
        self.built, self.query_folders = built, query_folders

    @property
    def base(self) -> str | None:
        return self.built.base

    @property
    def store(self) -> ox.Store:
        """The Oxigraph store, for anything the methods here do not cover."""
        return self.built.store

    def named_queries(self) -> dict[str, str]:
        """Each named query by name, with the question it answers."""
        return {name: q.question for name, q in queries.available(self.query_folders).items()}

    def query(self, name: str, **params: str) -> Rows:
        """A named query (or a .rq file), parameters as keywords: ``doc="A-79-690"``."""
        named = queries.load(name, self.query_folders)
        bindings = queries.resolve(named, params, self.base)
        return _rows(queries.run(self.store, named, bindings))

    def sparql(self, text: str) -> Rows:
        """Any SELECT query, with the union of the named graphs as its default graph."""
        return _rows(queries.run(self.store, queries.parse("sparql", text), {}))

    def documents(self) -> Rows:
        """Every source document: its graph, title, date and review status."""
        return self.sparql(DOCUMENTS)

    def claims(self) -> Rows:
        """Every claim with its claimant, the party it accuses, its document and its quote."""
        return self.sparql(CLAIMS)

    def figures(self, measure: str) -> Rows:
        """Every value the sources give for one measure (``area_cleared_ha``), with its source."""
        return self.query("figure-over-time", measure=measure)


def open_graph(path: str | Path | None = None, project: str | Path | None = None) -> Graph:
    """Open a built graph: a folder ``minekg build`` wrote or one RDF file.

    Without ``path``, the ``out/`` of the project (``project``, ``$MINEKG_PROJECT`` or the
    working directory's).
    """
    folder = Path(project) if project is not None else None
    if path is None:
        found = find(folder)
        return Graph(store.open_graph(found.out), (QUERIES, found.queries))
    return Graph(store.open_graph(Path(path)))


def _rows(answer: queries.Answer) -> Rows:
    return Rows(
        answer.variables,
        [
            {name: _value(term) for name, term in zip(answer.variables, row, strict=True)}
            for row in answer.rows
        ],
    )


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    if not isinstance(term, ox.Literal):
        return None if term is None else term.value
    datatype = term.datatype.value
    if datatype in INTEGERS:
        return int(term.value)
    if datatype == XSD + "decimal":
        return Decimal(term.value)
    if datatype in (XSD + "double", XSD + "float"):
        return float(term.value)
    if datatype == XSD + "boolean":
        return term.value in ("true", "1")
    return term.value
