"""``minekg serve``: the published site, content negotiation and a read-only SPARQL endpoint.

One Starlette app under uvicorn, on loopback by default:

- A resource IRI (``/id/state/aze``) names a thing, not a page, so it answers **303 See Other**
  to the document the client wants (``aze.html``, ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``,
  ``.n3``, ``.trig``, ``.nq``), chosen from the ``Accept`` header with q-values, or from
  ``?format=``; ``Vary: Accept``; 406 when nothing fits. So do the vocabulary (``/ontology``,
  ``/measure/<name>``) and the dataset (``/dataset``, and ``/.well-known/void`` redirects to it);
  a named graph's IRI gives the graph itself in TriG and N-Quads (``publish``).
  The static ``.htaccess`` and nginx rules of ``minekg publish`` do the same, so a link works the
  same whether the site is served by minekg or by any web server.
- ``/sparql`` speaks the SPARQL 1.1 Protocol (GET, POST form, POST ``application/sparql-query``).
  Its default graph is the union of all named graphs; pyoxigraph returns a row once per graph
  that states a triple, so use ``SELECT DISTINCT`` to count things once.
- Everything else is a file of the site, and nothing outside the site is ever served.

Safety. Updates are refused (403); so is ``SERVICE`` (403), found in the query text the way any
SPARQL parser could read it (``sparqltext``), because Oxigraph would fetch the remote endpoint;
and the processes that run queries sit in a network namespace of their own, so even a SERVICE
the check missed could not connect. pyoxigraph cannot stop a running query from Python, so each
query runs in a process forked from one that holds the store (``QueryPool``): it is paused,
killed or capped in memory alone, a slow one cannot hold back a quick one, and one whose client
left is killed. A result past the size limit is cut off while it is written (422); a request
body past its limit gets 413, a request head that trickles in is cut off (``_Protocol``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ctypes
import hashlib
import io
import json
import logging
import multiprocessing
import multiprocessing.process
import os
import pickle
import re
import resource
import select
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

import pyoxigraph as ox
import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from minekg import labels, pages, publish, sparqltext, store

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
    """What one request may cost, and how many may run at once.

    ``workers`` queries may run past their first ``express_seconds`` of CPU time at once, and
    four times as many in their first ``express_seconds`` (see ``QueryPool``). ``head_seconds``
    bounds the time a client may take to send a request's head, and its body. ``cors`` lets pages
    of other origins read the answers (YASGUI, web notebooks), as Oxigraph's server does.
    """

    query_seconds: float = 10.0
    queue_seconds: float = 5.0
    express_seconds: float = 0.25
    result_bytes: int = 20_000_000
    request_bytes: int = 100_000
    memory_bytes: int = 1 << 30
    workers: int = 2
    head_seconds: float = 10.0
    connections: int = 200
    cors: bool = True


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


# --- Queries, each in a process of its own ------------------------------------------------------


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
    """Refuse, before any parser sees it, a query that could call out or crash the parser.

    SERVICE would make Oxigraph call the remote endpoint: refused wherever any SPARQL parser
    could read it (``sparqltext``). Deep nesting overflows Oxigraph's stack: refused past
    ``sparqltext.MAX_DEPTH``.
    """
    if sparqltext.has_service(text):
        raise QueryRefused(403, "SERVICE is refused: this endpoint makes no outgoing requests")
    depth = sparqltext.nesting_depth(text)
    if depth > sparqltext.MAX_DEPTH:
        raise QueryRefused(
            400, f"query nested {depth} deep: at most {sparqltext.MAX_DEPTH} levels of brackets"
        )


def answer(dataset: ox.Store, request: dict[str, Any], limits: Limits, page: Page) -> Answer:
    """Run one checked query and write its result in the format the client negotiated; a
    refusal comes as plain text, or as the query page for a client that wants HTML."""
    try:
        return _answered(dataset, request, limits, page)
    except QueryRefused as exc:
        status, message = exc.status, str(exc)
    except SyntaxError as exc:
        status, message = 400, f"malformed query: {exc}"
    except MemoryError:
        return _out_of_memory(limits)
    except (ValueError, OSError) as exc:
        status, message = 400, f"query failed: {exc}"
    if _wants_html(request):
        return Answer(status, HTML, page.render(request["query"], None, message).encode())
    return Answer(status, "text/plain", f"{message}\n".encode())


def _answered(dataset: ox.Store, request: dict[str, Any], limits: Limits, page: Page) -> Answer:
    # Here, in the query process, and not in the server: reading 100 kB of hostile text costs
    # up to 0.3 s of CPU, which the server's event loop must not spend.
    check_query(request["query"])
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [
        ox.NamedNode(iri) for iri in request["default_graphs"]
    ]
    named: list[ox.NamedNode | ox.BlankNode] = [
        ox.NamedNode(iri) for iri in request["named_graphs"]
    ]
    result = dataset.query(
        request["query"],
        use_default_graph_as_union=not default
        and not sparqltext.has_dataset_clause(request["query"]),
        default_graph=default or None,
        named_graphs=named or None,
    )
    # For text/html the query process writes Turtle or SPARQL JSON, and then the page.
    fmt: ox.RdfFormat | ox.QueryResultsFormat
    if isinstance(result, ox.QueryTriples):
        name = _chosen(request, GRAPH_OFFERS)
        media_type, fmt = GRAPH_FORMATS["ttl" if name == "html" else name]
    else:
        name = _chosen(request, SOLUTION_OFFERS)
        media_type, fmt = SOLUTION_FORMATS["json" if name == "html" else name]
    written = _written(result, fmt, media_type, limits.result_bytes)
    if name != "html":
        return written
    html = page.render(request["query"], written.body).encode()
    if len(html) > limits.result_bytes:
        raise QueryRefused(422, _too_large("result page", limits.result_bytes))
    return Answer(200, HTML, html)


HTML = "text/html; charset=utf-8"


def _wants_html(request: dict[str, Any]) -> bool:
    try:
        return _chosen(request, SOLUTION_OFFERS) == "html"
    except QueryRefused:
        return False


def _too_large(what: str, limit: int) -> str:
    return f"{what} larger than the {limit:,}-byte limit: add LIMIT or narrow the query"


def _out_of_memory(limits: Limits) -> Answer:
    megabytes = limits.memory_bytes // 2**20
    message = f"query needs more than the {megabytes:,} MB of memory a query may use"
    return Answer(422, "text/plain", f"{message}: add LIMIT or narrow the query\n".encode())


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
        raise QueryRefused(422, _too_large("result", limit)) from None
    return Answer(200, media_type, b"".join(output.chunks))


@dataclass(frozen=True)
class Page:
    """The HTML query page: the form, the named queries as examples, and a result or an error.

    A result page is held to the result-size limit of the other formats, and says so.
    """

    examples: tuple[tuple[str, str], ...]
    result_bytes: int

    def render(self, query: str | None, result: bytes | None, error: str | None = None) -> str:
        templates = pages.environment()
        table = None
        if result is not None and result.lstrip().startswith(b"{"):
            table = json.loads(result)
        return templates.get_template("query.html").render(
            title="minekg SPARQL endpoint",
            root=".",
            query=query
            or "SELECT DISTINCT ?class (COUNT(DISTINCT ?s) AS ?n)\n"
            "WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n)",
            examples=self.examples,
            table=table,
            text=None if result is None or table is not None else result.decode(),
            error=error,
            result_bytes=self.result_bytes,
            link=publish.linkable,
        )


def isolate_network() -> str | None:
    """Put this process into a network namespace of its own, with no interface that is up, so
    that nothing it runs can open a connection; None when done, else the reason it could not.

    Needs Linux and root, or unprivileged user namespaces (then a user namespace is made too).
    """
    try:
        unshare = ctypes.CDLL(None, use_errno=True).unshare
    except AttributeError:
        return "this system has no unshare()"
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if unshare(flags) == 0:
            return None
    return f"unshare: {os.strerror(ctypes.get_errno())}"


CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000
PR_SET_CHILD_SUBREAPER = 36


def _send(sock: socket.socket, value: Any) -> None:
    data = pickle.dumps(value)
    sock.sendall(len(data).to_bytes(8, "big") + data)


def _receive(sock: socket.socket) -> Any:
    size = int.from_bytes(_exactly(sock, 8), "big")
    return pickle.loads(_exactly(sock, size))


def _exactly(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        chunk = sock.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError
        data += chunk
    return bytes(data)


async def _areceive(sock: socket.socket) -> Any:
    loop = asyncio.get_running_loop()

    async def exactly(size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            chunk = await loop.sock_recv(sock, min(size - len(data), 1 << 20))
            if not chunk:
                raise EOFError
            data += chunk
        return bytes(data)

    size = int.from_bytes(await exactly(8), "big")
    return pickle.loads(await exactly(size))


def _forker(control: socket.socket, dump: str, limits: Limits, page: Page) -> None:
    """The process that holds the store and forks one process per query.

    A forked query shares the loaded store (copy-on-write), so it starts in milliseconds and can
    be stopped, paused or killed without touching any other query. Each query gets a monitor
    (which the server kills with it, as one process group) and the query process proper, whose
    death by signal the monitor turns into an answer.
    """
    isolation = isolate_network()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors and orphans are reaped unasked
    with contextlib.suppress(AttributeError):
        ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1)
    dataset = store.load(Path(dump))
    _send(control, ("ready", isolation))
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 1, 1)
        except OSError:
            return
        if not message:  # the server went away: so does this process
            return
        if os.fork() == 0:
            control.close()
            channel = socket.socket(fileno=fds[0])
            try:
                _monitor(channel, dataset, limits, page)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)


def _monitor(channel: socket.socket, dataset: ox.Store, limits: Limits, page: Page) -> None:
    os.setpgid(0, 0)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # this one waits for its child's status
    request = _receive(channel)
    reading, writing = os.pipe()
    query = os.fork()
    if query == 0:
        os.close(reading)
        os.dup2(writing, 2)  # Rust's "memory allocation failed" comes here, not to the log
        # Who to pause or kill (the group: this process and its monitor), whose CPU time counts.
        _send(channel, (os.getpgid(0), os.getpid()))
        os.nice(10)  # the server process and its static pages come first
        size = re.search(r"VmSize:\s+(\d+) kB", Path("/proc/self/status").read_text())
        ceiling = (int(size[1]) * 1024 if size else 0) + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
        # A backstop should the server lose track of this process: the kernel ends it.
        cpu = int(2 * limits.query_seconds + limits.queue_seconds) + 1
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        _send(channel, answer(dataset, request, limits, page))
        os._exit(0)
    os.close(writing)
    # Until the query process ends: keep what it says on stderr, and kill it if the server
    # hangs up first (the server may not yet know whom to kill).
    said, watched = b"", [reading, channel.fileno()]
    while reading in watched:
        for ready in select.select(watched, [], [])[0]:
            if ready == reading:
                chunk = os.read(reading, 65536)
                said = (said + chunk)[:65536]
                if not chunk:
                    watched.remove(reading)
            elif not _still_there(channel):
                os.kill(query, signal.SIGKILL)
                watched.remove(ready)
    os.close(reading)
    _, status = os.waitpid(query, 0)
    if os.WIFSIGNALED(status):
        if b"memory allocation" in said:
            _send(channel, _out_of_memory(limits))
        else:
            number = os.WTERMSIG(status)
            message = f"the query process crashed ({signal.Signals(number).name})\n"
            _send(channel, Answer(500, "text/plain", message.encode()))


def _still_there(channel: socket.socket) -> bool:
    try:
        return bool(channel.recv(1))
    except OSError:
        return False


@dataclass(eq=False)
class _Job:
    """One query on its way: waiting for a start, running, or paused for a slot."""

    request: dict[str, Any]
    answer: asyncio.Future[Answer]
    state: str = "waiting"  # waiting, running (its first seconds), long, paused
    ran: float = 0.0
    waited: float = 0.0
    group: int | None = None
    pid: int | None = None
    channel: socket.socket | None = None
    exchange: asyncio.Task[None] | None = None


class QueryPool:
    """Runs queries in forked processes, so that a flood of slow ones cannot stall quick ones.

    At most ``workers`` queries run past their first ``express_seconds`` of CPU time at once
    (``long``: CPU time, because on a busy machine a quick query may wait for the CPU); the
    others are paused (SIGSTOP) until a long slot is free. Four times as many may run their
    first ``express_seconds``, first come first served, one per query text; a query whose text
    has run long before waits for a long slot (a flood repeats itself): so a quick query starts
    at once even while slow ones fill every slot. A query ends at ``query_seconds`` of running,
    or once it has waited (not started, or paused) ``queue_seconds``: either way the client gets
    503 and the process is killed, as it is when the client goes away. So no query takes longer
    than ``query_seconds + queue_seconds``. Long queries run at the lowest CPU priority, and at most
    eight times ``workers`` are alive (running or paused): past that the oldest paused one goes.
    """

    TICK = 0.05
    EXPRESS, LIVE = 4, 8  # queries in their first express_seconds, and alive, per worker

    def __init__(self, dump: Path, limits: Limits, page: Page):
        self.dump, self.limits, self.page = dump, limits, page
        self.jobs: list[_Job] = []
        self.slow_texts: collections.OrderedDict[str, None] = collections.OrderedDict()
        self.ticking: asyncio.TimerHandle | None = None
        self.last_tick = 0.0
        self.restarting = False
        self.process: multiprocessing.process.BaseProcess | None = None
        self.control: socket.socket | None = None
        self.isolation: str | None = None

    def start(self) -> None:
        """Start the process that holds the store (blocks a second or two while it loads)."""
        ours, theirs = socket.socketpair()
        context = multiprocessing.get_context("spawn")
        process = context.Process(
            target=_forker, args=(theirs, str(self.dump), self.limits, self.page), daemon=True
        )
        process.start()
        theirs.close()
        try:
            ours.settimeout(120)
            _, self.isolation = _receive(ours)
        except (EOFError, OSError):
            process.kill()
            raise RuntimeError("the query process did not start") from None
        ours.settimeout(None)
        self.process, self.control = process, ours

    async def run(self, request: dict[str, Any]) -> Answer:
        job = _Job(request, asyncio.get_running_loop().create_future())
        self.jobs.append(job)
        self._schedule()
        if self.ticking is None:
            self.last_tick = time.monotonic()
            self.ticking = asyncio.get_running_loop().call_later(self.TICK, self._tick)
        try:
            return await job.answer
        finally:
            self._end(job)

    def _schedule(self) -> None:
        limits = self.limits
        states = [job.state for job in self.jobs]
        longs, express = states.count("long"), states.count("running")
        for job in self.jobs:
            if job.state == "paused" and longs < limits.workers:
                self._signal(job, signal.SIGCONT)
                job.state, longs = "long", longs + 1
        live = sum(job.state != "waiting" for job in self.jobs)
        # A query whose text already ran long waits for a long slot, not an express one, and
        # one whose text is in its express run now waits to see how that goes: a flood repeats
        # itself, and a quick query must not queue behind it.
        trying = {job.request["query"] for job in self.jobs if job.state == "running"}
        for job in [job for job in self.jobs if job.state == "waiting"]:
            text = job.request["query"]
            if text in self.slow_texts:
                if longs < limits.workers and live < self.LIVE * limits.workers:
                    self._start(job, "long")
                    longs, live = longs + 1, live + 1
                continue
            if express >= self.EXPRESS * limits.workers or text in trying:
                continue
            # Paused queries hold memory, so only so many live: the oldest makes room.
            if live >= self.LIVE * limits.workers:
                oldest = next((j for j in self.jobs if j.state == "paused"), None)
                if oldest is None:
                    continue
                self._resolve(oldest, _busy("the server is saturated"), reschedule=False)
                live -= 1
            self._start(job, "running")
            express, live = express + 1, live + 1
            trying.add(text)

    def _start(self, job: _Job, state: str) -> None:
        ours, theirs = socket.socketpair()
        try:
            assert self.control is not None
            socket.send_fds(self.control, [b"q"], [theirs.fileno()])
        except OSError:
            ours.close()
            self._resolve(job, _busy("the query process is restarting"))
            self._restart()
            return
        finally:
            theirs.close()
        ours.setblocking(False)
        job.channel, job.state = ours, state
        job.exchange = asyncio.get_running_loop().create_task(self._exchange(job, ours))

    async def _exchange(self, job: _Job, channel: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        try:
            data = pickle.dumps(job.request)
            await loop.sock_sendall(channel, len(data).to_bytes(8, "big") + data)
            first = await _areceive(channel)
            if isinstance(first, Answer):  # the query process died before it could say who
                self._resolve(job, first)
                return
            job.group, job.pid = first
            if job.state == "long":
                self._lowest_priority(job)
            self._resolve(job, await _areceive(channel))
        except (EOFError, OSError):
            self._resolve(job, Answer(500, "text/plain", b"the query process ended unanswered\n"))

    def _tick(self) -> None:
        now = time.monotonic()
        elapsed, self.last_tick = now - self.last_tick, now
        limits = self.limits
        for job in list(self.jobs):
            if job.state in ("running", "long"):
                job.ran += elapsed
            else:
                job.waited += elapsed
            if job.ran >= limits.query_seconds:
                message = f"query stopped at the {limits.query_seconds:g} s limit\n"
                self._resolve(job, Answer(503, "text/plain", message.encode()))
            elif job.waited >= limits.queue_seconds:
                self._resolve(job, _busy(f"no query slot was free for {limits.queue_seconds:g} s"))
            elif (
                job.state == "running"
                and job.group is not None
                and _cpu_seconds(job.pid) >= limits.express_seconds
            ):
                self.slow_texts[job.request["query"]] = None
                self.slow_texts.move_to_end(job.request["query"])
                if len(self.slow_texts) > 1024:
                    self.slow_texts.popitem(last=False)
                if [j.state for j in self.jobs].count("long") < limits.workers:
                    job.state = "long"
                    self._lowest_priority(job)
                else:
                    job.state = "paused"
                    self._signal(job, signal.SIGSTOP)
        self._schedule()
        self.ticking = (
            asyncio.get_running_loop().call_later(self.TICK, self._tick) if self.jobs else None
        )

    def _resolve(self, job: _Job, answer: Answer, reschedule: bool = True) -> None:
        if not job.answer.done():
            job.answer.set_result(answer)
        self._end(job, reschedule)

    def _end(self, job: _Job, reschedule: bool = True) -> None:
        """Forget a job, killing its processes if they still run; a free slot goes to the next."""
        if job not in self.jobs:
            return
        self.jobs.remove(job)
        self._signal(job, signal.SIGKILL)
        if job.exchange is not None and job.exchange is not asyncio.current_task():
            job.exchange.cancel()
        if job.channel is not None:
            job.channel.close()
        if reschedule:
            self._schedule()

    @staticmethod
    def _lowest_priority(job: _Job) -> None:
        if job.group is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PGRP, job.group, 19)

    @staticmethod
    def _signal(job: _Job, number: int) -> None:
        if job.group is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(job.group, number)

    def _restart(self) -> None:
        if self.restarting:
            return
        self.restarting = True

        def restart() -> None:
            try:
                self.close_process()
                self.start()
            finally:
                self.restarting = False

        threading.Thread(target=restart, daemon=True).start()

    def close_process(self) -> None:
        if self.control is not None:
            self.control.close()
        if self.process is not None:
            self.process.kill()
            self.process.join()

    def close(self) -> None:
        for job in list(self.jobs):
            self._resolve(job, _busy("the server is stopping"))
        self.close_process()


def _cpu_seconds(pid: int | None) -> float:
    """The CPU time a query process has used: what tells a slow query from one that only waited
    for the CPU on a busy machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _busy(message: str) -> Answer:
    return Answer(503, "text/plain", f"{message}: try again later\n".encode())


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


class StorePages:
    """Resource pages rendered on request from a build's store, for a site published without
    them (``minekg serve`` with no site): the same code and bytes as ``minekg publish``.

    The store (``out/store``, opened read-only), its labels and its ``#`` parts are read at the
    first request, after the query processes have forked; each page then costs a few lookups.
    """

    def __init__(self, build_dir: Path, ontology_dir: Path):
        self.build_dir = build_dir
        context = json.loads((ontology_dir / "context.jsonld").read_text(encoding="utf-8"))
        self.context = context["@context"]
        self.opened: tuple[ox.Store, dict[str, str], dict[str, list[str]]] | None = None
        self.opening = threading.Lock()

    def index(self) -> publish.StoreIndex:
        with self.opening:
            if self.opened is None:
                dataset = store.load(self.build_dir)
                fragments = publish.StoreIndex.fragments(dataset)
                self.opened = (dataset, labels.labels(dataset), fragments)
        return publish.StoreIndex(*self.opened)

    def has(self, page: str) -> bool:
        return publish.resource_at(self.index(), page) is not None

    def files(self, page: str) -> dict[str, bytes] | None:
        return publish.from_store(self.index(), self.context, page)


class Negotiation:
    """A resource IRI answers 303 to the document the client asked for; the rest is static, or
    rendered from the store where the site was published without resource pages."""

    def __init__(self, site: Path, rendered: StorePages | None = None):
        self.site, self.rendered = site, rendered
        self.files = StaticFiles(directory=site, html=True, follow_symlink=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"].lstrip("/")
        if scope["type"] == "http" and path == publish.WELL_KNOWN_VOID:
            await RedirectResponse("../dataset", status_code=303)(scope, receive, send)
            return
        if scope["type"] == "http" and await self._is_resource(path):
            request = Request(scope)
            response = (
                self.redirect(request, path)
                if request.method in ("GET", "HEAD")
                else PlainTextResponse("read-only: GET or HEAD\n", 405, {"Allow": "GET, HEAD"})
            )
            await response(scope, receive, send)
            return
        page, dot, ext = path.rpartition(".")
        if scope["type"] == "http" and self.rendered and dot and ext in publish.DOCUMENT_TYPES:
            if not (self.site / path).is_file():
                rendered = await run_in_threadpool(self.rendered.files, page)
                if rendered is not None:
                    media_type = MEDIA_TYPES[f".{ext}"]
                    await Response(rendered[path], 200, media_type=media_type)(scope, receive, send)
                    return
        await self.files(scope, receive, send)

    async def _is_resource(self, path: str) -> bool:
        if not (path.startswith(publish.NEGOTIATED_ROOTS) or path in publish.NEGOTIATED_NAMES):
            return False
        if publish.SAFE_PATH.fullmatch(path) is None:
            return False
        if (self.site / f"{path}.html").is_file():
            return True
        # The first page opens the store, which takes a while: not on the event loop.
        return self.rendered is not None and await run_in_threadpool(self.rendered.has, path)

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
        built = (site / store.DUMP).stat()  # a new build is a new file: new answers
        self.store_tag = f"{built.st_size}-{built.st_mtime_ns}".encode()
        examples = sorted((site / "queries").glob("*.rq"))
        self.page = Page(
            tuple((path.stem, path.read_text(encoding="utf-8")) for path in examples),
            limits.result_bytes,
        )

    async def handle(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                async with asyncio.timeout(self.limits.head_seconds):
                    params = await self._posted(request)
            except TimeoutError:
                seconds = self.limits.head_seconds
                return _refused(408, f"request body not sent within {seconds:g} s")
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
            if request.method in ("GET", "HEAD") and not queries:
                wanted = negotiate(request.headers.get("accept"), GRAPH_OFFERS)
                if wanted not in (None, "html"):
                    media_type, fmt = GRAPH_FORMATS[wanted]
                    url = str(request.url.replace(query=""))
                    description = ox.serialize(self.description(url), format=fmt)
                    return Response(description, 200, {"Vary": "Accept"}, media_type)
                return HTMLResponse(self.page.render(None, None))
            return _refused(400, "give exactly one non-empty query")
        assert self.pool is not None
        asked = {
            "query": queries[0],
            "accept": request.headers.get("accept"),
            "format": next(iter(params.get("format", [])), None) or None,
            "default_graphs": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
        }
        # The store never changes while it is served: the same question, the same answer.
        # Weak, since the gzip and identity encodings of one answer share it.
        digest = hashlib.sha256(self.store_tag + json.dumps(asked).encode()).hexdigest()
        tag = f'W/"{digest}"'
        if tag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": tag, "Vary": "Accept"})
        running = asyncio.ensure_future(self.pool.run(asked))
        # A client that goes away takes its query with it: the query's processes are killed.
        gone = asyncio.ensure_future(_disconnected(request))
        await asyncio.wait({running, gone}, return_when=asyncio.FIRST_COMPLETED)
        gone.cancel()
        if not running.done():
            running.cancel()
            return _refused(499, "the client went away")
        answer = running.result()
        headers = {"Vary": "Accept"} | ({"ETag": tag} if answer.status == 200 else {})
        return Response(answer.body, answer.status, headers, answer.media_type)

    def description(self, url: str) -> list[ox.Triple]:
        """The SPARQL 1.1 Service Description of this endpoint, for a GET without a query.

        What it says is what the endpoint does: SPARQL 1.1 Query only (no update, no SERVICE),
        the union of the named graphs as the default graph, the result formats it writes, and
        the dataset of the site's VoID with each named graph and its size.
        """
        sd, void_ = "http://www.w3.org/ns/sparql-service-description#", "http://rdfs.org/ns/void#"
        formats = "http://www.w3.org/ns/formats/"
        rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        service, endpoint = ox.NamedNode(url), ox.NamedNode(url)

        def term(namespace: str, name: str) -> ox.NamedNode:
            return ox.NamedNode(namespace + name)

        triples = [
            ox.Triple(service, rdf_type, term(sd, "Service")),
            ox.Triple(service, term(sd, "endpoint"), endpoint),
            ox.Triple(service, term(sd, "supportedLanguage"), term(sd, "SPARQL11Query")),
            ox.Triple(service, term(sd, "feature"), term(sd, "UnionDefaultGraph")),
        ]
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "JSON-LD",
            "N-Triples",
            "RDF_XML",
        ):
            triples.append(ox.Triple(service, term(sd, "resultFormat"), term(formats, name)))
        void = ox.Store()
        void.load(path=self.site / "void.ttl", format=ox.RdfFormat.TURTLE)
        subset, size = ox.NamedNode(void_ + "subset"), ox.NamedNode(void_ + "triples")
        for dataset in sorted(
            {q.subject for q in void.quads_for_pattern(None, subset, None)}, key=str
        ):
            triples += [
                ox.Triple(service, term(sd, "defaultDataset"), dataset),
                ox.Triple(dataset, rdf_type, term(sd, "Dataset")),
            ]
            default = ox.BlankNode("default")
            triples += [
                ox.Triple(dataset, term(sd, "defaultGraph"), default),
                ox.Triple(default, rdf_type, term(sd, "Graph")),
            ]
            triples += [
                ox.Triple(default, size, q.object)
                for q in void.quads_for_pattern(dataset, size, None)
            ]
            for quad in sorted(void.quads_for_pattern(dataset, subset, None), key=str):
                if not isinstance(quad.object, ox.NamedNode):
                    continue
                graph = ox.BlankNode()
                named = ox.BlankNode()
                triples += [
                    ox.Triple(dataset, term(sd, "namedGraph"), named),
                    ox.Triple(named, rdf_type, term(sd, "NamedGraph")),
                    ox.Triple(named, term(sd, "name"), quad.object),
                    ox.Triple(named, term(sd, "graph"), graph),
                    ox.Triple(graph, rdf_type, term(sd, "Graph")),
                ]
                triples += [
                    ox.Triple(graph, size, q.object)
                    for q in void.quads_for_pattern(quad.object, size, None)
                ]
        return triples

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


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _refused(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status)


class _Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline on each request's head.

    uvicorn times out idle keep-alive connections but not a request whose head trickles in (a
    header line every few seconds keeps it open for ever, one connection slot each), nor a new
    connection that sends nothing: here the connection is closed when a head is not complete
    ``head_seconds`` after the connection opened or, between requests, after its first byte.
    """

    head_seconds = Limits.head_seconds
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_deadline = self.loop.call_later(self.head_seconds, self._head_too_slow)

    def data_received(self, data: bytes) -> None:
        between_requests = self.cycle is None or self.cycle.response_complete
        if between_requests and self._head_deadline is None:
            self._head_deadline = self.loop.call_later(self.head_seconds, self._head_too_slow)
        cycle = self.cycle
        super().data_received(data)
        if self.cycle is not cycle:  # the head is complete: the request has begun
            self._cancel_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        super().connection_lost(exc)

    def _cancel_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
        self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if (self.cycle is None or self.cycle.response_complete) and not self.transport.is_closing():
            self.transport.close()


def server_config(
    site: Path, limits: Limits, host: str, port: int, rendered: StorePages | None = None
) -> uvicorn.Config:
    """How ``minekg serve`` runs the app under uvicorn: its protocol, and the connection cap past
    which uvicorn answers 503 at once rather than queueing without bound."""
    protocol = type("Protocol", (_Protocol,), {"head_seconds": limits.head_seconds})
    return uvicorn.Config(
        create_app(site, limits, rendered),
        host=host,
        port=port,
        http=protocol,
        limit_concurrency=limits.connections,
        log_level="warning",
    )


def run(config: uvicorn.Config) -> None:
    """Serve until interrupted."""
    uvicorn.Server(config).run()


def create_app(
    site: Path, limits: Limits | None = None, rendered: StorePages | None = None
) -> ASGIApp:
    """The whole server as an ASGI app; the query process starts with it and stops with it.
    With ``rendered``, resource pages the site lacks are rendered from the store on request."""
    import mimetypes

    for suffix, media_type in MEDIA_TYPES.items():
        mimetypes.add_type(media_type, suffix)
    site = site.resolve()
    endpoint = Endpoint(site, limits or Limits())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = QueryPool(site / store.DUMP, endpoint.limits, endpoint.page)
        await run_in_threadpool(pool.start)
        if pool.isolation is not None:
            logging.getLogger("uvicorn.error").warning(
                "query processes can open connections (%s): SERVICE is refused by reading "
                "the query text only",
                pool.isolation,
            )
        endpoint.pool = pool
        try:
            yield
        finally:
            pool.close()

    # Large results and dumps go compressed to clients that accept gzip; CORS answers
    # preflights and lets any origin read what is public anyway (read-only, no credentials).
    middleware = [Middleware(GZipMiddleware, minimum_size=1024)]
    if endpoint.limits.cors:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "HEAD", "POST"],
                allow_headers=["Accept", "Content-Type", "If-None-Match"],
                expose_headers=["ETag", "Location", "Vary"],
                max_age=600,
            )
        )
    app = Starlette(
        routes=[
            Route("/sparql", endpoint.handle, methods=["GET", "HEAD", "POST"]),
            Mount("/", app=Negotiation(site, rendered)),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    return PathGuard(app)
