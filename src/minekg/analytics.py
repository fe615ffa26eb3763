"""Network analytics: who is central, who clusters together, what surrounds an entity.

The knowledge graph is too varied for graph measures to mean anything as it is (a degree that
counts rdf:type and labels says nothing), so measures run on three projections that each answer a
plain question:

- actors -- documents: which documents mention, claim against or are written by which actor;
- documents -> instruments: which instruments, resolutions and rules a document cites or invokes;
- actors -- events: which actors the documents' accounts of events name, in any role.

Each edge comes from a statement in a document's named graph (or, for events, the reference
graph), read with SPARQL from the query store, so every link can be traced to a source. Measures
are networkx's: degree, betweenness (exact up to 1,000 nodes, else sampled with a fixed seed) and
Louvain communities with a fixed seed, so the same graph always gives the same output.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from minekg.errors import MinekgError
from minekg.vocab import expand

SEED = 0
EXACT_BETWEENNESS_UP_TO = 1000

PREFIXES = """
PREFIX mkg: <https://w3id.org/minekg/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

ACTOR = "VALUES ?actorClass { mkg:State mkg:Organization mkg:Person } ?actor a ?actorClass ."

# Each projection: its name, whether its edges have a direction, and a query giving ?a ?b ?how.
PROJECTIONS: dict[str, tuple[bool, str]] = {
    "actors-documents": (
        False,
        f"""SELECT DISTINCT ?a ?b ?how WHERE {{
  VALUES (?p ?how) {{
    (oa:hasBody "mentions") (mkg:claimant "claimant") (mkg:accused "accused")
  }}
  GRAPH ?g {{ ?node ?p ?actor }}
  ?g prov:hadPrimarySource ?b .
  {ACTOR}
  BIND(?actor AS ?a)
}}""",
    ),
    "documents-instruments": (
        True,
        """SELECT DISTINCT ?a ?b ?how WHERE {
  VALUES (?p ?how) { (cito:hasCitedEntity "cites") (mkg:invokes "invokes") }
  GRAPH ?g { ?node ?p ?b }
  ?g prov:hadPrimarySource ?a .
  VALUES ?instrumentClass { mkg:Instrument mkg:CustomaryIHLRule mkg:BodyOfLaw }
  ?b a ?instrumentClass .
}""",
    ),
    "actors-events": (
        False,
        f"""SELECT DISTINCT ?a ?b ?how WHERE {{
  VALUES (?p ?how) {{
    (sem:hasActor "actor") (mkg:organizer "organizer") (mkg:host "host")
    (mkg:participant "participant") (mkg:party "party") (mkg:initiator "initiator")
    (mkg:adoptingBody "adopting body")
  }}
  {{ GRAPH ?g {{ ?account mkg:accountOf ?b ; ?p ?actor }} }}
  UNION
  {{ GRAPH ?reference {{ ?b a mkg:Event ; ?p ?actor }} }}
  {ACTOR}
  BIND(?actor AS ?a)
}}""",
    ),
}

# What the graph holds, counted by class: each class under the name a reader knows it by.
COUNTED = {
    "source documents": "mkg:SourceDocument",
    "claims": "mkg:Claim",
    "figures": "mkg:Figure",
    "citations": "mkg:Citation",
    "mentions": "mkg:Mention",
    "event accounts": "mkg:EventAccount",
    "states": "mkg:State",
    "organizations": "mkg:Organization",
    "persons": "mkg:Person",
    "instruments": "mkg:Instrument",
}

COUNTS = """SELECT ?class (COUNT(DISTINCT ?node) AS ?n) WHERE {{
  VALUES ?class {{ {classes} }}
  OPTIONAL {{ ?node a ?class }}
}} GROUP BY ?class"""


def counts(store: ox.Store) -> dict[str, int]:
    """How many documents, claims, figures, actors ... the graph holds, by class."""
    query = COUNTS.format(classes=" ".join(COUNTED.values()))
    rows = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    found = {row[0].value: int(row[1].value) for row in rows}  # type: ignore[union-attr]
    mkg = "https://w3id.org/minekg/ontology#"
    return {name: found[mkg + curie.removeprefix("mkg:")] for name, curie in COUNTED.items()}


@dataclass(frozen=True)
class Ranked:
    node: str
    degree: int
    betweenness: float


@dataclass(frozen=True)
class Summary:
    """The measures of one projection."""

    name: str
    nodes: int
    edges: int
    top_degree: tuple[Ranked, ...]
    top_betweenness: tuple[Ranked, ...]
    communities: tuple[tuple[str, ...], ...]


def projection(store: ox.Store, name: str, base: str) -> nx.Graph:
    """One projection of the graph; every edge carries the relations (``how``) behind it.

    ``base`` is the one the graph was built under: it names the reference graph.
    """
    directed, query = PROJECTIONS[name]
    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    # The graph's name is an IRI Oxigraph has parsed (no ">" or space can be in it), and
    # Oxigraph substitutes only projected variables, so it is written into the query.
    reference = ox.NamedNode(f"{base}graph/reference")
    text = query.replace("GRAPH ?reference", f"GRAPH {reference}")
    pairs = store.query(PREFIXES + text, use_default_graph_as_union=True)
    assert isinstance(pairs, ox.QuerySolutions)
    # Louvain's result depends on the order nodes are added: sorted, never the store's order.
    rows = sorted(tuple(term.value for term in row) for row in pairs)  # type: ignore[union-attr]
    for a, b, how in rows:
        graph.add_node(a, side="a")
        graph.add_node(b, side="b")
        relations = graph.edges[a, b]["how"] if graph.has_edge(a, b) else set()
        graph.add_edge(a, b, how=relations | {how})
    return graph


def projections(store: ox.Store, base: str) -> dict[str, nx.Graph]:
    return {name: projection(store, name, base) for name in PROJECTIONS}


def betweenness(graph: nx.Graph) -> dict[str, float]:
    """Betweenness on the undirected projection: exact on small graphs, sampled on big ones."""
    undirected = graph.to_undirected(as_view=True)
    k = None if len(graph) <= EXACT_BETWEENNESS_UP_TO else EXACT_BETWEENNESS_UP_TO
    return nx.betweenness_centrality(undirected, k=k, seed=SEED)


def communities(graph: nx.Graph) -> tuple[tuple[str, ...], ...]:
    """Louvain communities (fixed seed), largest first, members sorted."""
    found = nx.community.louvain_communities(graph.to_undirected(), seed=SEED)
    return tuple(sorted((tuple(sorted(c)) for c in found), key=lambda c: (-len(c), c)))


def summarise(name: str, graph: nx.Graph, top: int = 10, side: str | None = None) -> Summary:
    """Degree and betweenness leaders (among the nodes of ``side``, if given) and communities."""
    between = betweenness(graph)
    ranked = [
        Ranked(node, graph.degree(node), between[node])
        for node in graph
        if side is None or graph.nodes[node]["side"] == side
    ]
    by_degree = sorted(ranked, key=lambda r: (-r.degree, -r.betweenness, r.node))
    by_betweenness = sorted(ranked, key=lambda r: (-r.betweenness, -r.degree, r.node))
    return Summary(
        name,
        graph.number_of_nodes(),
        graph.number_of_edges(),
        tuple(by_degree[:top]),
        tuple(by_betweenness[:top]),
        communities(graph),
    )


# Which side of each projection holds the entities worth ranking.
RANKED_SIDE = {"actors-documents": "a", "documents-instruments": "b", "actors-events": "a"}


def summaries(graphs: dict[str, nx.Graph], top: int = 10) -> list[Summary]:
    return [summarise(name, graphs[name], top, RANKED_SIDE[name]) for name in PROJECTIONS]


@dataclass(frozen=True)
class Neighbour:
    projection: str
    node: str
    relations: tuple[str, ...]
    outgoing: bool


def ego(graphs: dict[str, nx.Graph], node: str) -> list[Neighbour]:
    """Everything linked to ``node`` in any projection, with the relations behind each link."""
    neighbours = []
    for name, graph in graphs.items():
        if node not in graph:
            continue
        around = nx.ego_graph(graph, node, radius=1, undirected=True)
        for other in around:
            if other == node:
                continue
            outgoing = graph.has_edge(node, other)
            how = graph.edges[(node, other) if outgoing else (other, node)]["how"]
            neighbours.append(Neighbour(name, other, tuple(sorted(how)), outgoing))
    return sorted(neighbours, key=lambda n: (n.projection, n.node))


def ego_of(graphs: dict[str, nx.Graph], node: str, base: str) -> tuple[str, list[Neighbour]]:
    """``--ego``: the IRI a short form (``state/arm``) names, and everything linked to it."""
    iri = expand(node, base)
    if not any(iri in graph for graph in graphs.values()):
        raise MinekgError(f"--ego {node}: <{iri}> is in none of the projections")
    return iri, ego(graphs, iri)
