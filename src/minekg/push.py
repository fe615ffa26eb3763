"""``minekg push``: the dataset into a triple store people run, over the standard protocols.

Each named graph (one per source document, plus reference, ontology and provenance) is sent with
one SPARQL 1.1 Graph Store HTTP Protocol ``PUT``, which replaces that graph as a whole: a store
never holds half of a document's old statements mixed with its new ones, and pushing again after a
rebuild replaces rather than duplicates. Graphs of the store that minekg does not have are left
alone. At the end the store is asked, over the SPARQL 1.1 Protocol, how many triples each graph
holds, and any difference from the local counts is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pyoxigraph as ox

from minekg.errors import InputError, InputErrors, MinekgError

COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
DEFAULT = ""  # the key of the default graph


@dataclass(frozen=True)
class Graph:
    name: str  # an IRI, or DEFAULT
    triples: int
    ntriples: bytes


def graphs(dataset: ox.Store) -> list[Graph]:
    """Every graph of the dataset as N-Triples, the default graph first if it has triples."""
    names = [DEFAULT] + sorted(
        g.value for g in dataset.named_graphs() if isinstance(g, ox.NamedNode)
    )
    found = []
    for name in names:
        graph_name = ox.DefaultGraph() if name == DEFAULT else ox.NamedNode(name)
        triples = sorted(
            (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in dataset.quads_for_pattern(None, None, None, graph_name)
            ),
            key=str,
        )
        if triples:
            payload = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
            assert payload is not None
            found.append(Graph(name, len(triples), payload))
    return found


def push(
    dataset: ox.Store,
    endpoint: str,
    graph_store: str,
    client: httpx.Client,
    progress: Callable[[str], None],
) -> dict[str, tuple[int, int]]:
    """Replace each graph in the store; return local and remote triple counts per graph."""
    to_send = graphs(dataset)
    for number, graph in enumerate(to_send, start=1):
        params = {"default": ""} if graph.name == DEFAULT else {"graph": graph.name}
        response = _request(
            client,
            "PUT",
            graph_store,
            params=params,
            content=graph.ntriples,
            headers={"Content-Type": "application/n-triples"},
        )
        if response.status_code not in (200, 201, 204):
            raise MinekgError(
                f"{graph_store}: PUT <{graph.name or 'default graph'}> answered "
                f"{response.status_code}: {response.text.strip()[:300]}"
            )
        progress(f"[{number}/{len(to_send)}] {graph.name or 'default graph'}: {graph.triples:,}")
    remote = remote_counts(client, endpoint)
    if any(graph.name == DEFAULT for graph in to_send):
        remote[DEFAULT] = _default_graph_count(client, graph_store)
    return {graph.name: (graph.triples, remote.get(graph.name, 0)) for graph in to_send}


def remote_counts(client: httpx.Client, endpoint: str) -> dict[str, int]:
    """Triples per named graph, as the store's SPARQL endpoint counts them."""
    response = _request(
        client,
        "POST",
        endpoint,
        data={"query": COUNTS},
        headers={"Accept": "application/sparql-results+json"},
    )
    if response.status_code != 200:
        raise MinekgError(
            f"{endpoint}: the count query answered {response.status_code}: "
            f"{response.text.strip()[:300]}"
        )
    try:
        rows = response.json()["results"]["bindings"]
        return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}
    except (ValueError, KeyError, TypeError) as exc:
        raise MinekgError(f"{endpoint}: not a SPARQL JSON result ({exc})") from None


def _default_graph_count(client: httpx.Client, graph_store: str) -> int:
    response = _request(
        client,
        "GET",
        graph_store,
        params={"default": ""},
        headers={"Accept": "application/n-triples"},
    )
    if response.status_code != 200:
        raise MinekgError(
            f"{graph_store}: GET of the default graph answered {response.status_code}"
        )
    return sum(1 for _ in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))


def _request(client: httpx.Client, method: str, url: str, **options: object) -> httpx.Response:
    try:
        return client.request(method, url, **options)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise MinekgError(f"{url}: {type(exc).__name__}: {exc or 'no answer'}") from None


def verify(counts: dict[str, tuple[int, int]]) -> None:
    """Fail, naming each graph, if the store does not hold what was pushed."""
    wrong = [
        InputError(
            f"<{name or 'default graph'}>", None, None, f"{here:,} here, {there:,} in the store"
        )
        for name, (here, there) in sorted(counts.items())
        if here != there
    ]
    if wrong:
        summary = f"{len(wrong)} of {len(counts)} graph(s) differ in the store after the push"
        raise InputErrors(wrong, summary)
