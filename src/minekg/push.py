"""``minekg push``: the dataset into a triple store people run, over the standard protocols.

Each named graph (one per source document, plus reference, ontology and provenance) is sent with
one SPARQL 1.1 Graph Store HTTP Protocol ``PUT``, which replaces that graph as a whole: a store
never holds half of a document's old statements mixed with its new ones, and pushing again after a
rebuild replaces rather than duplicates. Graphs of the store that minekg does not have are left
alone. At the end the store is asked, over the SPARQL 1.1 Protocol, how many triples each graph
holds, and any difference from the local counts is an error.

A push of many graphs is many requests, and one can fail midway (the store restarts, the network
drops): the store then holds some new graphs and some old. So the push says exactly which graphs
were replaced and which were not, remembers each graph it replaced (its digest, per store, in the
user's cache), and ``--resume`` sends only what the store does not have yet. Where the store has
a SPARQL 1.1 Update endpoint that runs a request as one transaction (Oxigraph does), ``--update``
replaces every graph in one request: all or nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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

    @property
    def shown(self) -> str:
        return f"<{self.name}>" if self.name else "the default graph"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.ntriples).hexdigest()


class PushInterrupted(MinekgError):
    """Some graphs were replaced and some not: the message names both, and how to go on."""

    def __init__(self, cause: str, replaced: list[Graph], left: list[Graph]):
        names = lambda graphs: ", ".join(g.shown for g in graphs) or "none"  # noqa: E731
        super().__init__(
            f"{cause}; the push stopped with {len(replaced)} of {len(replaced) + len(left)} "
            f"graph(s) replaced in the store ({names(replaced)}) and {len(left)} not "
            f"({names(left)}): run it again with --resume to send only those"
        )


class Sent:
    """The digest of each graph last replaced in one store, kept in the user's cache."""

    def __init__(self, graph_store: str):
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        key = hashlib.sha256(graph_store.encode()).hexdigest()[:16]
        self.path = cache / "minekg" / "push" / f"{key}.json"
        try:
            self.digests: dict[str, str] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.digests = {}

    def has(self, graph: Graph) -> bool:
        return self.digests.get(graph.name) == graph.digest

    def record(self, graph: Graph) -> None:
        self.digests[graph.name] = graph.digest
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.digests, sort_keys=True), encoding="utf-8")
        temporary.replace(self.path)


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
    graph_store: str | None,
    client: httpx.Client,
    progress: Callable[[str], None],
    resume: bool = False,
    update: str | None = None,
) -> dict[str, tuple[int, int]]:
    """Replace each graph in the store; return local and remote triple counts per graph, which
    must agree (else :class:`InputErrors` names each graph that differs).

    ``graph_store`` is the Graph Store Protocol URL (``endpoint`` if None). With ``resume``,
    graphs the store was last sent unchanged are not sent again; with ``update`` (a SPARQL
    Update endpoint), every graph is replaced in one request.
    """
    graph_store = graph_store or endpoint
    every = graphs(dataset)
    sent = Sent(graph_store)
    if update is not None:
        _replace_in_one_request(client, update, every)
        for graph in every:
            sent.record(graph)
        progress(f"replaced {len(every)} graphs in one update request")
    else:
        _replace_one_by_one(client, graph_store, every, sent, resume, progress)
    remote = remote_counts(client, endpoint)
    if any(graph.name == DEFAULT for graph in every):
        remote[DEFAULT] = _default_graph_count(client, graph_store)
    counts = {graph.name: (graph.triples, remote.get(graph.name, 0)) for graph in every}
    verify(counts)
    return counts


def _replace_one_by_one(
    client: httpx.Client,
    graph_store: str,
    every: list[Graph],
    sent: Sent,
    resume: bool,
    progress: Callable[[str], None],
) -> None:
    """One Graph Store Protocol PUT per graph; on a failure, say what was and was not replaced."""
    replaced: list[Graph] = []
    for number, graph in enumerate(every, start=1):
        if resume and sent.has(graph):
            replaced.append(graph)
            progress(f"[{number}/{len(every)}] {graph.name or 'default graph'}: already there")
            continue
        params = {"default": ""} if graph.name == DEFAULT else {"graph": graph.name}
        try:
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
                    f"{graph_store}: PUT {graph.shown} answered {response.status_code}: "
                    f"{_one_line(response.text)}"
                )
        except MinekgError as exc:
            if not replaced:
                raise
            raise PushInterrupted(str(exc), replaced, every[len(replaced) :]) from None
        sent.record(graph)
        replaced.append(graph)
        progress(f"[{number}/{len(every)}] {graph.name or 'default graph'}: {graph.triples:,}")


def _replace_in_one_request(client: httpx.Client, update: str, every: list[Graph]) -> None:
    """DROP and INSERT DATA for every graph in one SPARQL Update request: one transaction."""
    operations = []
    for graph in every:
        target = "DEFAULT" if graph.name == DEFAULT else f"GRAPH <{graph.name}>"
        body = graph.ntriples.decode()
        inserted = body if graph.name == DEFAULT else f"GRAPH <{graph.name}> {{\n{body}}}"
        operations.append(f"DROP SILENT {target} ;\nINSERT DATA {{\n{inserted}\n}}")
    response = _request(
        client,
        "POST",
        update,
        content=" ;\n".join(operations).encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    if response.status_code not in (200, 204):
        raise MinekgError(
            f"{update}: the update answered {response.status_code}: {_one_line(response.text)}; "
            "no graph was replaced"
        )


PASSWORD_VARIABLE = "MINEKG_PUSH_PASSWORD"


@dataclass(frozen=True)
class Store:
    """Where ``minekg push`` sends the graphs, and as whom."""

    endpoint: str
    graph_store: str | None = None
    update: str | None = None
    user: str | None = None
    timeout: float = 120.0

    def push(
        self, dataset: ox.Store, progress: Callable[[str], None], resume: bool = False
    ) -> dict[str, tuple[int, int]]:
        """:func:`push` with a client that logs in as the store asks."""
        auth = credentials(self.graph_store or self.endpoint, self.user)
        with httpx.Client(timeout=self.timeout, auth=auth) as client:
            return push(
                dataset, self.endpoint, self.graph_store, client, progress, resume, self.update
            )


class ChallengeAuth(httpx.Auth):
    """HTTP Basic or Digest, whichever the store's first 401 challenge asks for.

    Virtuoso's ``/sparql-graph-crud-auth`` asks for Digest, most reverse proxies for Basic; the
    password never travels in clear text to a store that asks for Digest.
    """

    requires_request_body = True

    def __init__(self, user: str, password: str):
        self.schemes: dict[str, httpx.Auth] = {
            "basic": httpx.BasicAuth(user, password),
            "digest": httpx.DigestAuth(user, password),
        }
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        if self.chosen is None:
            response = yield request
            scheme = response.headers.get("www-authenticate", "").split(" ", 1)[0].lower()
            if response.status_code != 401 or scheme not in self.schemes:
                return
            self.chosen = self.schemes[scheme]
        yield from self.chosen.auth_flow(request)


def credentials(url: str, user: str | None) -> httpx.Auth | None:
    """The login for ``url``: ``user`` with the password from ``$MINEKG_PUSH_PASSWORD`` or
    ``~/.netrc``, or the login ``~/.netrc`` holds for the host; never a password on the
    command line, where other users of the machine can read it."""
    import netrc
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    try:
        entry = netrc.netrc().authenticators(host)
    except (OSError, netrc.NetrcParseError):
        entry = None
    password = os.environ.get(PASSWORD_VARIABLE)
    if user is None:
        if entry is None:
            return None
        user, password = entry[0], password or entry[2]
    elif password is None and entry is not None and entry[0] == user:
        password = entry[2]
    if not password:
        raise MinekgError(
            f"--user {user}: no password (set ${PASSWORD_VARIABLE}, or add a line for {host} "
            "to ~/.netrc)"
        )
    return ChallengeAuth(user, password)


def _one_line(text: str, width: int = 200) -> str:
    """A server's error body as one readable line (markup and whitespace folded)."""
    flat = " ".join(re.sub(r"<[^>]+>", " ", text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


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
            f"{_one_line(response.text)}"
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
        response = client.request(method, url, **options)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise MinekgError(f"{url}: {type(exc).__name__}: {exc or 'no answer'}") from None
    if response.status_code == 401:
        login = "the login was refused" if client.auth else "the store asks for a login"
        raise MinekgError(
            f"{url}: {method} answered 401: {login} (--user NAME, the password from "
            f"${PASSWORD_VARIABLE} or ~/.netrc)"
        )
    return response


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
