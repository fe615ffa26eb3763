"""Interactive graph pages: the built graph projected to what a reader can look at, in one file.

The RDF graph is not drawable as it is: evidence spans, selectors and data-cube plumbing would bury
the actors, documents, instruments and events a reader came for. So :func:`project` keeps the nodes
of a few display classes and the links between them for one *kind* of view, each link remembering
the source documents (named graphs) that state it. :func:`page` turns that into a self-contained
HTML page drawn by vis-network, the library pyvis ships.

The page is written here rather than by pyvis's own template because that template loads Bootstrap
and vis-network from CDNs (PITFALLS.md) and a reader must be able to open it offline, and because
pyvis's ``add_edge`` scans the node list for every edge. The vis-network script and style come from
the pyvis package and are inlined; the page has no external reference at all.

Large graphs: above :data:`PHYSICS_LIMIT` nodes the browser stabilises the layout only briefly,
above :data:`STABILISE_LIMIT` not at all (nodes stay on rings by class, placed here); above the
node limit only the best-connected nodes are kept and the page says what was left out, by class.
``--focus`` (the neighbourhood of one resource) and ``--kind`` are the ways to see the rest.
"""

from __future__ import annotations

import functools
import heapq
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pyvis

from minekg import labels, pages, store
from minekg.errors import MinekgError
from minekg.store import base_of
from minekg.vocab import CITO, MKG, PROV, expand, shorten

KINDS = ("actors", "citations", "events", "all")
PHYSICS_LIMIT = 300  # up to here the browser stabilises the layout fully, then stops physics
STABILISE_LIMIT = 2000  # up to here briefly; above, physics is off and nodes stay as placed
DEFAULT_LIMIT = 1500
VIS_LIB = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
TEMPLATE = "graph.html.j2"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ACCOUNT_OF = str(MKG.accountOf)
REVIEW_STATUS = str(MKG.reviewStatus)
DRAFT = str(MKG.Draft)
DERIVED_FROM = str(PROV.wasDerivedFrom)
CITO_NS = str(CITO)
# The graphs that are not documents: their statements are the project's, not a source's.
NOT_DOCUMENTS = ("ontology", "provenance")


@dataclass(frozen=True)
class Style:
    name: str
    shape: str
    color: str


# Most specific first: a node takes the first display class it is typed with.
DISPLAY_CLASSES: tuple[tuple[str, Style], ...] = (
    (str(MKG.Claim), Style("Claim", "diamond", "#f28e2b")),
    (str(MKG.EventAccount), Style("Event account", "star", "#ff9d9a")),
    (str(MKG.Event), Style("Event", "star", "#e15759")),
    (str(MKG.SourceDocument), Style("Document", "square", "#4e79a7")),
    (str(MKG.CustomaryIHLRule), Style("Customary IHL rule", "hexagon", "#9c755f")),
    (str(MKG.Instrument), Style("Instrument", "hexagon", "#b07aa1")),
    (str(MKG.State), Style("State", "dot", "#59a14f")),
    (str(MKG.Person), Style("Person", "triangleDown", "#edc948")),
    (str(MKG.Post), Style("Post", "triangleDown", "#bab0ac")),
    (str(MKG.Organization), Style("Organization", "triangle", "#76b7b2")),
    (str(MKG.Place), Style("Place", "dot", "#8cd17d")),
)
STYLES = {style.name: style for _, style in DISPLAY_CLASSES}
ACTORS = {"State", "Person", "Post", "Organization"}
CITED = {"Instrument", "Customary IHL rule", "Document"}


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    kind: str
    documents: tuple[str, ...]
    draft: bool = False  # stated only by draft records, which no person has reviewed yet


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    relation: str
    documents: tuple[str, ...]


@dataclass
class DisplayGraph:
    """What the page draws, and what it leaves out (shown on the page)."""

    title: str
    nodes: list[Node]
    edges: list[Edge]
    left_out: dict[str, int] = field(default_factory=dict)
    hidden_neighbours: dict[str, int] = field(default_factory=dict)


@dataclass
class _Facts:
    """The part of the built dataset the projections need, read once from the store."""

    base: str | None
    kinds: dict[str, str]
    labels: dict[str, str]
    documents: dict[str, set[str]]
    links: dict[tuple[str, str, str], set[str]]
    drafts: set[str] = field(default_factory=set)  # documents built from unreviewed records


def read_facts(graph: ox.Store) -> _Facts:
    """Every typed node's display class, label and documents, and every IRI-to-IRI link."""
    base = base_of(graph)
    graph_prefix = f"{base}graph/" if base else ""
    types: dict[str, set[str]] = defaultdict(set)
    documents: dict[str, set[str]] = defaultdict(set)
    links: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    drafts: set[str] = set()
    for quad in graph.quads_for_pattern(None, None, None, None):
        subject, predicate, obj, name = quad.subject, quad.predicate, quad.object, quad.graph_name
        if (
            not isinstance(subject, ox.NamedNode)
            or not isinstance(name, ox.NamedNode)
            or isinstance(obj, ox.Triple)
        ):
            continue
        document = name.value.removeprefix(graph_prefix)
        if document in NOT_DOCUMENTS:
            if predicate.value == REVIEW_STATUS and obj.value == DRAFT:
                drafts.add(subject.value.removeprefix(graph_prefix))
            continue
        if predicate.value == RDF_TYPE:
            types[subject.value].add(obj.value)
        elif isinstance(obj, ox.NamedNode):
            links[(subject.value, predicate.value, obj.value)].add(document)
        if document != "reference":
            documents[subject.value].add(document)
            if isinstance(obj, ox.NamedNode) and predicate.value != RDF_TYPE:
                documents[obj.value].add(document)
    kinds = {}
    for iri, classes in types.items():
        style = next((s for cls, s in DISPLAY_CLASSES if cls in classes), None)
        if style is not None:
            kinds[iri] = style.name
    return _Facts(base, kinds, labels.labels(graph), documents, links, drafts)


def project(facts: _Facts, kind: str) -> list[Edge]:
    """The links of one kind of view, between nodes of display classes, sorted."""
    if kind not in KINDS:
        raise MinekgError(f"unknown kind {kind!r} (use one of {', '.join(KINDS)})")
    wanted = KINDS[:-1] if kind == "all" else (kind,)
    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for view in wanted:
        for source, relation, target, documents in _VIEWS[view](facts):
            edges[(source, relation, target)] |= documents
    return [
        Edge(source, target, relation, tuple(sorted(documents)))
        for (source, relation, target), documents in sorted(edges.items())
    ]


Link = tuple[str, str, str, set[str]]


def _actor_links(facts: _Facts) -> Iterable[Link]:
    """Who wrote, received, mentions or is named in a document or a claim; where claims stand."""
    for (subject, predicate, obj), documents in facts.links.items():
        kind_s, kind_o = facts.kinds.get(subject), facts.kinds.get(obj)
        if kind_s in ("Document", "Claim") and kind_o in ACTORS:
            yield subject, _short(predicate), obj, documents
        elif kind_s == "Claim" and kind_o == "Document" and predicate == DERIVED_FROM:
            yield subject, "stated in", obj, documents


def _citation_links(facts: _Facts) -> Iterable[Link]:
    """What documents cite: instruments, resolutions, customary rules, other documents."""
    for (subject, predicate, obj), documents in facts.links.items():
        if (
            predicate.startswith(CITO_NS)
            and facts.kinds.get(subject) == "Document"
            and facts.kinds.get(obj) in CITED
        ):
            yield subject, _short(predicate), obj, documents


def _event_links(facts: _Facts) -> Iterable[Link]:
    """Events with their actors, each link lifted from the documents' accounts of the event."""
    account_of = {
        subject: obj
        for (subject, predicate, obj) in facts.links
        if predicate == ACCOUNT_OF and facts.kinds.get(subject) == "Event account"
    }
    for (subject, predicate, obj), documents in facts.links.items():
        event = account_of.get(subject)
        if event is None:
            continue
        if facts.kinds.get(obj) in ACTORS:
            yield event, _short(predicate), obj, documents
        elif predicate == DERIVED_FROM and facts.kinds.get(obj) == "Document":
            yield obj, "tells of", event, documents


_VIEWS = {"actors": _actor_links, "citations": _citation_links, "events": _event_links}


@functools.cache
def _short(iri: str) -> str:
    """The relation's local name, words split: cito:citesAsAuthority → cites as authority."""
    local = iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    words = "".join(f" {ch.lower()}" if ch.isupper() else ch for ch in local)
    return words.strip()


def display_graph(
    facts: _Facts,
    kind: str = "all",
    focus: str | None = None,
    depth: int = 1,
    limit: int = DEFAULT_LIMIT,
) -> DisplayGraph:
    """The nodes and links a page draws: one kind, maybe around one resource, at most ``limit``."""
    edges = project(facts, kind)
    title = f"minekg: {kind}"
    if focus is not None:
        edges = _around(edges, _resolve(focus, facts), depth, kind)
        title += f" around {facts.labels.get(_resolve(focus, facts), focus)}"
    iris = sorted({e.source for e in edges} | {e.target for e in edges})
    nodes = [
        Node(
            iri,
            facts.labels.get(iri, shorten(iri, facts.base)),
            facts.kinds[iri],
            tuple(sorted(facts.documents.get(iri, ()))),
            bool(facts.documents.get(iri)) and facts.documents[iri] <= facts.drafts,
        )
        for iri in iris
    ]
    return limited(DisplayGraph(title, nodes, edges), limit)


def _resolve(focus: str, facts: _Facts) -> str:
    """A full IRI, or its tail after ``id/`` (``state/aze``)."""
    for candidate in (focus, expand(focus, facts.base or "")):
        if candidate in facts.kinds:
            return candidate
    raise MinekgError(f"--focus {focus}: no such resource in the graph (give its IRI or kind/key)")


def _around(edges: list[Edge], center: str, depth: int, kind: str) -> list[Edge]:
    graph = nx.MultiGraph()
    graph.add_node(center)
    graph.add_edges_from((e.source, e.target) for e in edges)
    near = set(nx.single_source_shortest_path_length(graph, center, cutoff=depth))
    if len(near) == 1:
        raise MinekgError(f"--focus {center}: no links in the {kind} view (try --kind all)")
    return [e for e in edges if e.source in near and e.target in near]


def limited(graph: DisplayGraph, limit: int) -> DisplayGraph:
    """At most ``limit`` nodes (0: all), grown from the best-connected; count what is left out.

    Keeping the top nodes by degree alone keeps hubs that do not link to each other (documents
    and the actors they mention rank apart): a page of dots. Growing outwards from the most linked
    node, always to the most linked neighbour next, keeps what is drawn connected.
    """
    if limit <= 0 or len(graph.nodes) <= limit:
        return graph
    degree = Counter(e.source for e in graph.edges) + Counter(e.target for e in graph.edges)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for edge in graph.edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    seeds = sorted(graph.nodes, key=lambda n: (-degree[n.iri], n.iri))
    kept: set[str] = set()
    frontier: list[tuple[int, str]] = []
    for seed in seeds:
        if len(kept) >= limit:
            break
        if seed.iri in kept:
            continue
        heapq.heappush(frontier, (-degree[seed.iri], seed.iri))
        while frontier and len(kept) < limit:
            _, iri = heapq.heappop(frontier)
            if iri in kept:
                continue
            kept.add(iri)
            for other in neighbours[iri] - kept:
                heapq.heappush(frontier, (-degree[other], other))
        frontier.clear()
    hidden: Counter[str] = Counter()
    for edge in graph.edges:
        if edge.source in kept and edge.target not in kept:
            hidden[edge.source] += 1
        elif edge.target in kept and edge.source not in kept:
            hidden[edge.target] += 1
    return DisplayGraph(
        graph.title,
        [n for n in graph.nodes if n.iri in kept],
        [e for e in graph.edges if e.source in kept and e.target in kept],
        dict(sorted(Counter(n.kind for n in graph.nodes if n.iri not in kept).items())),
        dict(sorted(hidden.items())),
    )


def layout(graph: DisplayGraph) -> dict[str, tuple[float, float]]:
    """Starting positions in O(n): one ring per class, nodes in IRI order, no randomness.

    The browser's physics pulls small graphs into shape from here; large ones stay as placed,
    because a force layout of thousands of nodes costs tens of seconds (networkx's spring layout
    took 11 s for 1,500 nodes here) and still draws a hairball.
    """
    by_kind: dict[str, list[str]] = defaultdict(list)
    for node in graph.nodes:
        by_kind[node.kind].append(node.iri)
    placed: dict[str, tuple[float, float]] = {}
    radius = 0.0
    for _, members in sorted(by_kind.items()):
        radius += 150.0 + 12 * len(members) / (2 * math.pi)
        for index, iri in enumerate(members):
            angle = 2 * math.pi * index / len(members)
            placed[iri] = (radius * math.cos(angle), radius * math.sin(angle))
    return placed


def vis_data(graph: DisplayGraph) -> dict:
    """The nodes, edges and options vis-network draws, in a fixed order."""
    positions = layout(graph)
    physics = len(graph.nodes) <= STABILISE_LIMIT
    iterations = 150 if len(graph.nodes) <= PHYSICS_LIMIT else 40
    nodes = []
    for node in graph.nodes:
        style = STYLES[node.kind]
        x, y = positions[node.iri]
        hidden = graph.hidden_neighbours.get(node.iri, 0)
        nodes.append(
            {
                "id": node.iri,
                "label": _clip(node.label),
                "fullLabel": node.label,
                "kind": node.kind,
                "documents": list(node.documents),
                "hiddenNeighbours": hidden,
                "shape": style.shape,
                "color": style.color,
                "x": round(x, 1),
                "y": round(y, 1),
                "title": _tooltip(node, hidden),
            }
        )
        if node.draft:
            nodes[-1].update(draft=True, borderWidth=3, shapeProperties={"borderDashes": [4, 3]})
    edges = [
        {
            "id": f"e{index}",
            "from": edge.source,
            "to": edge.target,
            "label": edge.relation,
            "title": f"{edge.relation}\nstated in: {', '.join(edge.documents) or 'reference'}",
        }
        for index, edge in enumerate(graph.edges)
    ]
    options = {
        "physics": {
            "enabled": physics,
            "solver": "barnesHut",
            # Spread further than vis's defaults: a hub state links to most claims and documents.
            "barnesHut": {"gravitationalConstant": -6000, "springLength": 140, "avoidOverlap": 0.3},
            "stabilization": {"enabled": physics, "iterations": iterations, "fit": True},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "font": {"size": 9, "align": "middle"},
            "color": {"color": "#9aa5b1", "highlight": "#1f2933"},
            "smooth": False,
        },
        "nodes": {"font": {"size": 12}, "size": 14},
        "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": not physics},
    }
    return {"nodes": nodes, "edges": edges, "options": options}


def _clip(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _tooltip(node: Node, hidden: int) -> str:
    lines = [node.label, f"type: {node.kind}"]
    lines.append(f"source documents: {', '.join(node.documents) or 'reference data only'}")
    if node.draft:
        lines.append("draft: stated only by records no person has reviewed yet")
    if hidden:
        lines.append(f"{hidden} more link(s) not drawn (node limit)")
    lines.append(node.iri)
    return "\n".join(lines)


def write_page(
    graph: Path, output: Path | None, kind: str, focus: str | None, depth: int, limit: int
) -> tuple[Path, DisplayGraph]:
    """``minekg show``: the page of a built graph, written to ``output`` (else beside it)."""
    output = output or (graph if graph.is_dir() else graph.parent) / "graph.html"
    drawn = display_graph(read_facts(store.load(graph)), kind, focus, depth, limit)
    output.write_text(page(drawn), encoding="utf-8")
    return output, drawn


def page(graph: DisplayGraph) -> str:
    """The whole self-contained HTML page (no external scripts, styles or fonts)."""
    data = vis_data(graph)
    counts = Counter(n.kind for n in graph.nodes)
    legend = [
        {"name": name, "shape": STYLES[name].shape, "color": STYLES[name].color, "count": count}
        for name, count in sorted(counts.items())
    ]
    return (
        pages.environment()
        .get_template(TEMPLATE)
        .render(
            title=graph.title,
            data_json=pages.script_json(
                json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            ),
            legend=legend,
            left_out=graph.left_out,
            shown=len(graph.nodes),
            links=len(graph.edges),
            drafted=sum(node.draft for node in graph.nodes),
            vis_js=(VIS_LIB / "vis-network.min.js").read_text(encoding="utf-8"),
            vis_css=(VIS_LIB / "vis-network.css").read_text(encoding="utf-8"),
        )
    )
