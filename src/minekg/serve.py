"""``minekg serve``: the published site, content negotiation and a read-only SPARQL endpoint.

One Starlette app under uvicorn, on loopback by default:

- A resource IRI (``/id/state/aze``) names a thing, not a page, so it answers **303 See Other**
  to the document the client wants (``aze.html``, ``.ttl``, ``.jsonld``, ``.nt``), chosen from the
  ``Accept`` header with q-values, or from ``?format=``; ``Vary: Accept``; 406 when nothing fits.
  The static ``.htaccess`` and nginx rules of ``minekg publish`` do the same, so a link works the
  same whether the site is served by minekg or by any web server.
- ``/sparql`` speaks the SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``).
  Its default graph is the union of all named graphs; pyoxigraph returns a row once per graph
  that states a triple, so use ``SELECT DISTINCT`` to count things once.
- Everything else is a file of the site, and nothing outside the site is ever served.

Safety. Updates are refused (403); so is ``SERVICE`` (403), found in the parsed query, because
Oxigraph would otherwise fetch the remote endpoint. pyoxigraph cannot stop a running query from
Python, so queries run in a small pool of worker processes: a query past the time limit has its
worker killed and replaced, and the client gets 503. A result past the size limit is cut off in
the worker while it is written, and the client gets 422; a request body past its limit gets 413.
"""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
import queue
import re
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from minekg import pages, publish, store

# Registered once so static .ttl, .jsonld, .nt files get their media types.
MEDIA_TYPES = {
    **{f".{ext}": media_type for ext, media_type in publish.DOCUMENT_TYPES.items()},
    **{f".{name.split('.')[1]}": mt for name, mt in publish.DUMP_MEDIA_TYPES.items()},
    ".rq": "application/sparql-query",
}
# What a resource IRI offers, in the server's order of preference; aliases last.
RESOURCE_OFFERS = [
    *((media_type, ext) for ext, media_type in publish.DOCUMENT_TYPES.items()),
    ("application/xhtml+xml", "html"),
    ("application/x-turtle", "ttl"),
    ("application/json", "jsonld"),
    ("text/plain", "nt"),
]
SOLUTION_FORMATS = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
SOLUTION_OFFERS = [
    *((media_type, name) for name, (media_type, _) in SOLUTION_FORMATS.items()),
    ("text/html", "html"),
    ("application/json", "json"),
    ("application/xml", "xml"),
]
GRAPH_FORMATS = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "xml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
GRAPH_OFFERS = [
    *((media_type, name) for name, (media_type, _) in GRAPH_FORMATS.items()),
    ("text/html", "html"),
    ("application/x-turtle", "ttl"),
    ("application/json", "jsonld"),
    ("text/plain", "nt"),
]
# The names SPARQL clients put in format= (SPARQLWrapper sends "turtle", "json-ld" ...).
FORMAT_ALIASES = {
    "turtle": "ttl",
    "json-ld": "jsonld",
    "ntriples": "nt",
    "n-triples": "nt",
    "rdf": "xml",
    "rdf+xml": "xml",
}
UNSAFE_RAW = re.compile(rb"%(2f|5c|00)|\\|\x00", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    query_seconds: float = 10.0
    result_bytes: int = 20_000_000
    request_bytes: int = 100_000
    workers: int = 2


def negotiate(accept: str | None, offers: Sequence[tuple[str, str]]) -> str | None:
    """The offer an Accept header prefers (RFC 9110 §12.5.1), or None if it accepts none.

    Highest q wins; among equal q, the more specific media range, then the server's order.
    """
    if accept is None or not accept.strip():
        return offers[0][1]
    ranges = []
    for item in accept.split(","):
        media_range, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media_range.lower(), quality))
    best: tuple[tuple[float, int, int], str] | None = None
    for position, (media_type, name) in enumerate(offers):
        matches = [
            (specificity, quality)
            for media_range, quality in ranges
            if (specificity := _specificity(media_range, media_type))
        ]
        if not matches:
            continue
        specificity, quality = max(matches)
        key = (quality, specificity, -position)
        if quality > 0 and (best is None or key > best[0]):
            best = (key, name)
    return best[1] if best else None


def _specificity(media_range: str, media_type: str) -> int:
    if media_range == media_type:
        return 3
    if media_range.endswith("/*") and media_type.startswith(media_range[:-1]):
        return 2
    return 1 if media_range == "*/*" else 0


# --- Queries, in worker processes -------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    media_type: str
    body: bytes


class QueryRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class _CappedOutput(io.RawIOBase):
    """A byte sink that stops the serializer once the result passes the size limit."""

    def __init__(self, limit: int):
        self.limit, self.chunks, self.size = limit, list[bytes](), 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise OverflowError
        self.chunks.append(bytes(data))
        return len(data)


def check_query(text: str) -> None:
    """Refuse a query with a SERVICE clause: Oxigraph would call the remote endpoint.

    A SERVICE clause needs the word "service" once codepoint escapes (\\u0053...) are undone, as
    SPARQL parsers undo them before parsing; a query without it cannot call out. A query with
    it is parsed (rdflib's parser, 5-25 ms, so only then) and refused if the word is a SERVICE
    clause, or if the parser cannot tell.
    """
    if "service" not in CODEPOINT.sub(_codepoint, text).lower():
        return
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception as exc:  # pyparsing raises its own exception types
        raise QueryRefused(400, f"malformed query: {exc}") from None
    if "ServiceGraphPattern" in set(_node_names(tree)):
        raise QueryRefused(403, "SERVICE is refused: this endpoint makes no outgoing requests")


CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _codepoint(match: re.Match[str]) -> str:
    return chr(int(match.group(1) or match.group(2), 16))


def _node_names(node: Any) -> Iterator[str]:
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        yield node.name
        for value in node.values():
            yield from _node_names(value)
    elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
        for value in node:
            yield from _node_names(value)


def answer(dataset: ox.Store, request: dict[str, Any], result_bytes: int) -> Answer:
    """Run one checked query and write its result in the format the client negotiated."""
    try:
        check_query(request["query"])
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
            ox.NamedNode(iri) for iri in request["default_graphs"]
        ]
        named: list[ox.NamedNode | ox.BlankNode] = [
            ox.NamedNode(iri) for iri in request["named_graphs"]
        ]
        result = dataset.query(
            request["query"],
            use_default_graph_as_union=not default,
            default_graph=default or None,
            named_graphs=named or None,
        )
        # For text/html the worker writes Turtle or SPARQL JSON, which the page then shows.
        fmt: ox.RdfFormat | ox.QueryResultsFormat
        if isinstance(result, ox.QueryTriples):
            name = _chosen(request, GRAPH_OFFERS)
            media_type, fmt = GRAPH_FORMATS["ttl" if name == "html" else name]
        else:
            name = _chosen(request, SOLUTION_OFFERS)
            media_type, fmt = SOLUTION_FORMATS["json" if name == "html" else name]
        written = _written(result, fmt, media_type, result_bytes)
        return Answer(written.status, "text/html" if name == "html" else media_type, written.body)
    except QueryRefused as exc:
        return Answer(exc.status, "text/plain", f"{exc}\n".encode())
    except SyntaxError as exc:
        return Answer(400, "text/plain", f"malformed query: {exc}\n".encode())
    except (ValueError, OSError) as exc:
        return Answer(400, "text/plain", f"query failed: {exc}\n".encode())


def _chosen(request: dict[str, Any], offers: Sequence[tuple[str, str]]) -> str:
    """The format named by ``format=`` (a name or a media type, as clients send it) or Accept."""
    names = {name for _, name in offers}
    override = request.get("format")
    if override and "/" not in override:
        name = FORMAT_ALIASES.get(override.lower(), override.lower())
        if name == "json" and "jsonld" in names:
            name = "jsonld"
        if name not in names:
            raise QueryRefused(400, f"unknown format {override!r}: use one of {sorted(names)}")
        return name
    chosen = negotiate(override or request.get("accept"), offers)
    if chosen is None:
        types = ", ".join(media_type for media_type, _ in offers)
        raise QueryRefused(406, f"cannot answer with {request.get('accept')!r}; offered: {types}")
    return chosen


def _written(result: Any, fmt: Any, media_type: str, limit: int) -> Answer:
    output = _CappedOutput(limit)
    try:
        result.serialize(output, format=fmt)
    except OverflowError:
        raise QueryRefused(
            422, f"result larger than the {limit:,}-byte limit: add LIMIT or narrow the query"
        ) from None
    return Answer(200, media_type, b"".join(output.chunks))


def _worker(connection: Connection, dump: str, result_bytes: int) -> None:
    dataset = store.load(Path(dump))
    check_query("ASK { ?service ?p ?o }")  # import and warm the parser before any real query
    connection.send("ready")
    with contextlib.suppress(EOFError):  # the server went away: so does the worker
        while (request := connection.recv()) is not None:
            connection.send(answer(dataset, request, result_bytes))


class Worker:
    """One query process with its own copy of the store."""

    def __init__(self, dump: Path, limits: Limits):
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker, args=(child, str(dump), limits.result_bytes), daemon=True
        )
        self.process.start()
        child.close()

    def ready(self) -> Worker:
        """Wait until the process has loaded the store (a second or two)."""
        try:
            started = self.connection.poll(120) and self.connection.recv() == "ready"
        except EOFError:
            started = False
        if not started:
            self.stop()
            raise RuntimeError("a query worker did not start")
        return self

    def run(self, request: dict[str, Any], seconds: float) -> Answer | None:
        """The answer, or None if the query ran past ``seconds`` (the worker is then killed)."""
        self.connection.send(request)
        if self.connection.poll(seconds):
            answer = self.connection.recv()
            assert isinstance(answer, Answer)
            return answer
        self.stop()
        return None

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.connection.close()


class QueryPool:
    """Worker processes shared by all requests; a request waits for a free one."""

    def __init__(self, dump: Path, limits: Limits):
        self.dump, self.limits = dump, limits
        self.closed = False
        self.replacing: list[threading.Thread] = []
        self.idle: queue.Queue[Worker] = queue.Queue()
        starting = [Worker(dump, limits) for _ in range(limits.workers)]
        for worker in starting:
            self.idle.put(worker.ready())

    def run(self, request: dict[str, Any]) -> Answer:
        worker = self.idle.get()
        try:
            answer = worker.run(request, self.limits.query_seconds)
        except BaseException:
            worker.stop()
            self._replace()
            raise
        if answer is None:
            replacing = threading.Thread(target=self._replace, daemon=True)
            self.replacing.append(replacing)
            replacing.start()
            seconds = self.limits.query_seconds
            return Answer(503, "text/plain", f"query stopped at the {seconds:g} s limit\n".encode())
        self.idle.put(worker)
        return answer

    def _replace(self) -> None:
        worker = Worker(self.dump, self.limits).ready()
        if self.closed:
            worker.stop()
        else:
            self.idle.put(worker)

    def close(self) -> None:
        self.closed = True
        for thread in self.replacing:
            thread.join()
        while not self.idle.empty():
            self.idle.get_nowait().stop()


# --- HTTP ---------------------------------------------------------------------------------------


def safe_path(raw_path: bytes) -> bool:
    """False for a path that could leave the site: dot segments (even percent-encoded, even
    twice), encoded slashes or backslashes, NUL."""
    if UNSAFE_RAW.search(raw_path):
        return False
    decoded, previous = raw_path.decode("latin-1"), ""
    while decoded != previous:
        decoded, previous = unquote(decoded), decoded
    return not any(part in (".", "..") for part in re.split(r"[/\\]", decoded)) and (
        "\x00" not in decoded and "\\" not in decoded
    )


class PathGuard:
    """Answers 400 to a path that tries to leave the site, before any route sees it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        if scope["type"] == "http" and not safe_path(raw.split(b"?", 1)[0]):
            response = PlainTextResponse("path refused: it would leave the site\n", 400)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class Negotiation:
    """A resource IRI answers 303 to the document the client asked for; the rest is static."""

    def __init__(self, site: Path):
        self.site = site
        self.files = StaticFiles(directory=site, html=True, follow_symlink=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].lstrip("/")
        if scope["type"] == "http" and self._is_resource(path):
            request = Request(scope)
            response = (
                self.redirect(request, path)
                if request.method in ("GET", "HEAD")
                else PlainTextResponse("read-only: GET or HEAD\n", 405, {"Allow": "GET, HEAD"})
            )
            await response(scope, receive, send)
            return
        await self.files(scope, receive, send)

    def _is_resource(self, path: str) -> bool:
        return (
            path.startswith(publish.RESOURCE_ROOTS)
            and publish.SAFE_PATH.fullmatch(path) is not None
            and (self.site / f"{path}.html").is_file()
        )

    def redirect(self, request: Request, path: str) -> Response:
        name = path.rsplit("/", 1)[-1]
        override = request.query_params.get("format")
        vary = {"Vary": "Accept"}
        if override is not None:
            if override not in publish.DOCUMENT_TYPES:
                known = ", ".join(publish.DOCUMENT_TYPES)
                return PlainTextResponse(f"unknown format {override!r}: use {known}\n", 400)
            ext: str | None = override
        else:
            ext = negotiate(request.headers.get("accept"), RESOURCE_OFFERS)
        if ext is None:
            offered = "".join(
                f"{media_type}: {name}.{ext}\n"
                for ext, media_type in publish.DOCUMENT_TYPES.items()
            )
            return PlainTextResponse(
                f"no acceptable format; this resource has\n{offered}", 406, vary
            )
        return RedirectResponse(f"{name}.{ext}", status_code=303, headers=vary)


class Endpoint:
    """The SPARQL 1.1 Protocol at /sparql, with an HTML query page."""

    def __init__(self, site: Path, limits: Limits):
        self.site, self.limits = site, limits
        self.pool: QueryPool | None = None
        self.templates = pages.environment()

    async def handle(self, request: Request) -> Response:
        if request.method == "POST":
            params = await self._posted(request)
            if isinstance(params, Response):
                return params
        else:
            if len(request.url.query) > self.limits.request_bytes:
                return _refused(
                    414, f"query string longer than {self.limits.request_bytes:,} bytes"
                )
            params = parse_qs(request.url.query, keep_blank_values=True)
        if "update" in params:
            return _refused(403, "SPARQL Update is refused: this endpoint is read-only")
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            if request.method == "GET" and not queries:
                return HTMLResponse(self._page(None, None))
            return _refused(400, "give exactly one non-empty query")
        assert self.pool is not None
        answer = await run_in_threadpool(
            self.pool.run,
            {
                "query": queries[0],
                "accept": request.headers.get("accept"),
                "format": next(iter(params.get("format", [])), None) or None,
                "default_graphs": params.get("default-graph-uri", []),
                "named_graphs": params.get("named-graph-uri", []),
            },
        )
        if answer.media_type == "text/html" and answer.status == 200:
            return HTMLResponse(self._page(queries[0], answer.body), headers={"Vary": "Accept"})
        return Response(answer.body, answer.status, {"Vary": "Accept"}, answer.media_type)

    async def _posted(self, request: Request) -> dict[str, list[str]] | Response:
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > self.limits.request_bytes:
            return _refused(413, f"request body larger than {self.limits.request_bytes:,} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self.limits.request_bytes:
                return _refused(
                    413, f"request body larger than {self.limits.request_bytes:,} bytes"
                )
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            return _refused(403, "SPARQL Update is refused: this endpoint is read-only")
        if kind == "application/x-www-form-urlencoded":
            return parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        if kind == "application/sparql-query":
            params = parse_qs(request.url.query, keep_blank_values=True)
            return {**params, "query": [body.decode("utf-8", "replace")]}
        return _refused(415, f"unsupported content type {kind!r}")

    def _page(self, query: str | None, result: bytes | None) -> str:
        examples = sorted((self.site / "queries").glob("*.rq"))
        table = None
        if result is not None and result.lstrip().startswith(b"{"):
            table = json.loads(result)
        return self.templates.get_template("query.html").render(
            title="minekg SPARQL endpoint",
            root=".",
            query=query
            or "SELECT DISTINCT ?class (COUNT(DISTINCT ?s) AS ?n)\n"
            "WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
            examples=[(path.stem, path.read_text(encoding="utf-8")) for path in examples],
            table=table,
            text=None if result is None or table is not None else result.decode(),
        )


def _refused(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status)


def create_app(site: Path, limits: Limits | None = None) -> ASGIApp:
    """The whole server as an ASGI app; the query workers start with it and stop with it."""
    import mimetypes

    for suffix, media_type in MEDIA_TYPES.items():
        mimetypes.add_type(media_type, suffix)
    site = site.resolve()
    endpoint = Endpoint(site, limits or Limits())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        endpoint.pool = await run_in_threadpool(QueryPool, site / store.DUMP, endpoint.limits)
        try:
            yield
        finally:
            endpoint.pool.close()

    app = Starlette(
        routes=[
            Route("/sparql", endpoint.handle, methods=["GET", "HEAD", "POST"]),
            Mount("/", app=Negotiation(site)),
        ],
        lifespan=lifespan,
    )
    return PathGuard(app)
