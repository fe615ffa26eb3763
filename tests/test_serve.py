"""minekg serve, tested as users reach it: a real uvicorn server on loopback, real clients
(rdflib, SPARQLWrapper, httpx, raw sockets), and every refusal the endpoint promises."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import socket
import subprocess
import sys
import threading
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from SPARQLWrapper import CSV, JSON, JSONLD, TURTLE, XML, SPARQLWrapper

from minekg import publish, serve, store

AZE = "https://w3id.org/minekg/id/state/aze"
LIMITS = serve.Limits(query_seconds=3, result_bytes=300_000, request_bytes=20_000, workers=2)
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def site(written: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("served") / "site"
    root = Path(__file__).resolve().parents[1]
    files = publish.site_files(written, root / "ontology", [root / "queries"])
    publish.write_site(folder, files)
    return folder


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    """``minekg serve``'s app under uvicorn on 127.0.0.1, stopped after the module."""
    with serving(site, LIMITS) as url:
        yield url


@contextlib.contextmanager
def serving(site: Path, limits: serve.Limits) -> Iterator[str]:
    port = free_port()
    with in_a_thread(uvicorn.Server(serve.server_config(site, limits, "127.0.0.1", port))) as url:
        yield url


@contextlib.contextmanager
def in_a_thread(running: uvicorn.Server) -> Iterator[str]:
    """A uvicorn server on a thread of the test process, until the block ends."""
    port = running.config.port
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)
    assert not thread.is_alive()


def raw_get(url: str, target: str) -> tuple[int, bytes]:
    """A request sent byte for byte, because HTTP clients normalise ``..`` away."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        request = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        connection.sendall(request.encode())
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    status = int(response.split(b" ", 2)[1])
    return status, response.partition(b"\r\n\r\n")[2]


# --- Content negotiation on resource IRIs -------------------------------------------------------


def test_rdflib_dereferences_a_resource_iri_through_content_negotiation(server: str) -> None:
    graph = Graph().parse(f"{server}/id/state/aze")
    assert (URIRef(AZE), SKOS.prefLabel, Literal("Azerbaijan", lang="en")) in graph
    assert set(graph.subjects(None, URIRef(AZE))), "links to the resource are part of it"


@pytest.mark.parametrize(
    ("accept", "document"),
    [
        ("text/turtle", "aze.ttl"),
        ("application/ld+json", "aze.jsonld"),
        ("application/n-triples", "aze.nt"),
        ("text/html", "aze.html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "aze.html"),
        ("text/turtle;q=0.5, application/ld+json", "aze.jsonld"),
        ("application/ld+json;q=0.2, text/turtle;q=0.9, */*;q=0.1", "aze.ttl"),
        ("image/png, application/n-triples;q=0.3", "aze.nt"),
        ("*/*", "aze.html"),
        (None, "aze.html"),
    ],
)
def test_resource_iri_answers_303_to_the_document_the_client_prefers(
    server: str, accept: str | None, document: str
) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = httpx.get(f"{server}/id/state/aze", headers=headers)
    assert response.status_code == 303
    assert response.headers["location"] == document
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]
    followed = httpx.get(f"{server}/id/state/aze", headers=headers, follow_redirects=True)
    extension = document.rsplit(".", 1)[1]
    assert followed.headers["content-type"].startswith(publish.DOCUMENT_TYPES[extension])


def test_format_parameter_overrides_accept(server: str) -> None:
    response = httpx.get(f"{server}/id/state/aze?format=nt", headers={"Accept": "text/html"})
    assert (response.status_code, response.headers["location"]) == (303, "aze.nt")
    assert httpx.get(f"{server}/id/state/aze?format=pdf").status_code == 400


def test_unacceptable_media_type_is_406_listing_the_alternatives(server: str) -> None:
    response = httpx.get(f"{server}/id/state/aze", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "aze.ttl" in response.text and "aze.jsonld" in response.text


def test_a_document_key_with_slashes_negotiates_too(server: str) -> None:
    response = httpx.get(
        f"{server}/id/claim/A-78-908/3491",
        headers={"Accept": "text/turtle"},
        follow_redirects=True,
    )
    graph = Graph().parse(data=response.text, format="turtle")
    quotes = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/ns/oa#exact"))}
    assert any("bearing the brunt" in quote for quote in quotes), "the claim comes with its quote"


def test_only_get_and_head_on_resource_iris(server: str) -> None:
    assert httpx.head(f"{server}/id/state/aze").status_code == 303
    assert httpx.post(f"{server}/id/state/aze", content=b"x").status_code == 405


def test_site_pages_and_dumps_are_served_with_their_media_types(server: str) -> None:
    index = httpx.get(f"{server}/")
    assert index.status_code == 200 and "Resources by class" in index.text
    dump = httpx.get(f"{server}/minekg.nq")
    assert dump.headers["content-type"].startswith("application/n-quads")
    assert httpx.get(f"{server}/no/such/page.html").status_code == 404


# --- SPARQL protocol ----------------------------------------------------------------------------


def local_count(site: Path, query: str) -> int:
    result = store.load(site).query(query, use_default_graph_as_union=True)
    return int(next(iter(result))["n"].value)


CLAIMS = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/minekg/ontology#Claim> }"


@pytest.mark.parametrize("method", ["GET", "POST", "POST_DIRECTLY"])
def test_sparqlwrapper_select_matches_the_local_store(server: str, site: Path, method: str) -> None:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(CLAIMS)
    client.setReturnFormat(JSON)
    client.setMethod("POST" if method.startswith("POST") else "GET")
    if method == "POST_DIRECTLY":
        client.setRequestMethod("postdirectly")
    bindings = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert int(bindings[0]["n"]["value"]) == local_count(site, CLAIMS) > 0


def test_select_results_in_xml_csv_and_tsv(server: str) -> None:
    query = f"SELECT ?label WHERE {{ <{AZE}> <{SKOS.prefLabel}> ?label }}"
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(XML)
    xml = client.queryAndConvert()
    assert xml.getElementsByTagName("literal")[0].firstChild.data == "Azerbaijan"  # type: ignore[union-attr]
    client.setReturnFormat(CSV)
    assert client.queryAndConvert().decode().splitlines() == ["label", "Azerbaijan"]  # type: ignore[union-attr]
    tsv = httpx.get(
        f"{server}/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"}
    )
    assert tsv.text.splitlines() == ["?label", '"Azerbaijan"@en']


def test_ask_and_construct_in_turtle_and_json_ld(server: str) -> None:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(f"ASK {{ <{AZE}> a ?type }}")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index]
    construct = f"CONSTRUCT {{ <{AZE}> ?p ?o }} WHERE {{ <{AZE}> ?p ?o }}"
    client.setQuery(construct)
    client.setReturnFormat(TURTLE)
    turtle = Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    client.setReturnFormat(JSONLD)
    # SPARQLWrapper's own JSON-LD conversion uses rdflib's deprecated ConjunctiveGraph.
    as_jsonld = Graph().parse(data=client.query().response.read(), format="json-ld")
    assert (URIRef(AZE), SKOS.prefLabel, Literal("Azerbaijan", lang="en")) in turtle
    assert len(turtle) == len(as_jsonld) > 3


def test_query_page_and_html_results_need_no_javascript(server: str, site: Path) -> None:
    page = httpx.get(f"{server}/sparql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "<form" in page.text and "<script" not in page.text
    table = httpx.get(f"{server}/sparql", params={"query": CLAIMS}, headers={"Accept": "text/html"})
    assert "<table>" in table.text and f"<td>{local_count(site, CLAIMS)}</td>" in table.text


# --- Refusals -----------------------------------------------------------------------------------


def test_updates_are_refused_in_every_form(server: str, site: Path) -> None:
    update = f'INSERT DATA {{ <{AZE}> <{SKOS.prefLabel}> "changed" }}'
    form = httpx.post(f"{server}/sparql", data={"update": update})
    direct = httpx.post(
        f"{server}/sparql", content=update, headers={"Content-Type": "application/sparql-update"}
    )
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(update)
    client.setMethod("POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    refused.value.close()
    assert refused.value.code == 403
    assert (form.status_code, direct.status_code) == (403, 403)
    assert "read-only" in form.text
    label = f'ASK {{ <{AZE}> <{SKOS.prefLabel}> "changed" }}'
    answer = httpx.get(f"{server}/sparql", params={"query": label, "format": "json"})
    assert answer.json()["boolean"] is False


# SERVICE hidden every way the grammar allows; {e} is the address of a local listening socket.
HIDDEN_SERVICE = {
    "plain": "SELECT * WHERE { SERVICE <{e}> { ?s ?p ?o } }",
    "comment ended by LF": "SELECT * WHERE { # c\nSERVICE <{e}> { ?s ?p ?o } }",
    "comment ended by CR": "SELECT * WHERE { # c\rSERVICE <{e}> { ?s ?p ?o }\n}",
    "comment ended by CRLF": "SELECT * WHERE { # c\r\nSERVICE <{e}> { ?s ?p ?o } }",
    "comment between keyword and address": "SELECT * { SERVICE# c\r<{e}> { ?s ?p ?o } }",
    "\\u escape": "SELECT * WHERE { \\u0053ERVICE <{e}> { ?s ?p ?o } }",
    "\\U escape": "SELECT * WHERE { SERV\\U00000049CE <{e}> { ?s ?p ?o } }",
    "mixed case, SILENT": "SELECT * WHERE { sErViCe SiLeNt <{e}> { ?s ?p ?o } }",
    "prefixed name": "PREFIX r: <{e}> SELECT * WHERE { SERVICE r:x { ?s ?p ?o } }",
    "keyword glued to a prefixed name": "PREFIX : <{e}> SELECT * WHERE { SERVICE:x { ?s ?p ?o } }",
    "keyword glued to a literal": "SELECT * WHERE { ?s ?p true . trueSERVICE <{e}> { ?s ?p ?o } }",
    "base IRI": "BASE <{e}> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { VALUES ?e { <{e}> } SERVICE ?e { ?s ?p ?o } }",
    "subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{e}> { ?s ?p ?o } } } }",
    "EXISTS": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{e}> { ?s ?p ?o } } }",
    "OPTIONAL": "SELECT * WHERE { OPTIONAL { SERVICE <{e}> { ?s ?p ?o } } }",
    "less-than read as an IRI": "SELECT * { BIND(1 AS ?x) VALUES ?e { <{e}> } "
    "FILTER(?x<2)SERVICE?e#>\n{ ?s ?p ?o } }",
    "ASK": "ASK { SERVICE <{e}> { ?s ?p ?o } }",
    "CONSTRUCT": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{e}> { ?s ?p ?o } }",
    "DESCRIBE": "DESCRIBE ?s WHERE { SERVICE <{e}> { ?s ?p ?o } }",
}


@pytest.fixture(scope="module")
def listener() -> Iterator[socket.socket]:
    """A local socket where a SERVICE call would land; every test checks nothing arrived."""
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        listening.setblocking(False)
        yield listening


def assert_no_connection(listening: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        connection, _ = listening.accept()
        connection.close()


@pytest.mark.parametrize("method", ["GET", "form POST", "direct POST"])
@pytest.mark.parametrize("spelling", list(HIDDEN_SERVICE))
def test_service_is_refused_in_every_spelling_and_no_request_is_made(
    server: str, listener: socket.socket, spelling: str, method: str
) -> None:
    address = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    query = HIDDEN_SERVICE[spelling].replace("{e}", address)
    if method == "GET":
        response = httpx.get(f"{server}/sparql", params={"query": query})
    elif method == "form POST":
        response = httpx.post(f"{server}/sparql", data={"query": query})
    else:
        headers = {"Content-Type": "application/sparql-query"}
        response = httpx.post(f"{server}/sparql", content=query.encode(), headers=headers)
    assert response.status_code == 403
    assert response.text == "SERVICE is refused: this endpoint makes no outgoing requests\n"
    time.sleep(0.05)  # a call the server made would be waiting here by now
    assert_no_connection(listener)


def _service_from_a_query_process(address: str, isolate: bool, report: Any) -> None:
    if isolate:
        assert serve.isolate_network() is None
    try:
        list(store.of_nquads(b"").query(f"SELECT * {{ SERVICE <{address}> {{ ?s ?p ?o }} }}"))
        report.put("answered")
    except OSError as exc:
        report.put(str(exc))


@pytest.mark.parametrize("isolate", [False, True])
def test_a_query_process_cannot_open_any_connection(isolate: bool) -> None:
    """Behind the text check: what the query processes run in reaches no network at all. The
    same query from a process that was not isolated does reach the socket (so the check can
    fail)."""
    context = multiprocessing.get_context("spawn")
    report = context.Queue()
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        listening.settimeout(60)
        address = f"http://127.0.0.1:{listening.getsockname()[1]}/sparql"
        process = context.Process(
            target=_service_from_a_query_process, args=(address, isolate, report)
        )
        process.start()
        if isolate:
            # The query has been tried once the process reports; nothing may be waiting then.
            assert report.get(timeout=60) == "Network is unreachable (os error 101)"
            listening.setblocking(False)
            assert_no_connection(listening)
        else:
            connection, _ = listening.accept()
            connection.close()
        process.join(timeout=30)


def test_the_word_service_in_a_literal_is_not_a_service_clause(server: str) -> None:
    query = 'SELECT * WHERE { ?s ?p "service" }'
    assert httpx.get(f"{server}/sparql", params={"query": query}).status_code == 200


def test_a_query_past_the_time_limit_is_stopped_and_the_server_recovers(server: str) -> None:
    started = time.monotonic()
    response = httpx.post(f"{server}/sparql", data={"query": CROSS_PRODUCT}, timeout=60)
    assert response.status_code == 503 and "limit" in response.text
    assert time.monotonic() - started < LIMITS.query_seconds + 20
    again = httpx.get(f"{server}/sparql", params={"query": CLAIMS, "format": "json"})
    assert again.status_code == 200


def test_a_result_past_the_size_limit_is_a_clear_error(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 422 and "LIMIT" in response.text


def test_the_html_page_holds_results_to_the_same_size_limit_and_says_so(server: str) -> None:
    html = {"Accept": "text/html"}
    empty = httpx.get(f"{server}/sparql", headers=html)
    assert "a result larger than 300,000 bytes is refused" in empty.text
    everything = {"query": "SELECT * { ?s ?p ?o }"}
    response = httpx.get(f"{server}/sparql", params=everything, headers=html)
    assert response.status_code == 422
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<form" in response.text and "<table>" not in response.text
    assert "result larger than the 300,000-byte limit: add LIMIT" in response.text


def test_a_result_page_past_the_limit_is_refused_even_when_its_json_is_not(site: Path) -> None:
    dataset = store.load(site)
    query = "SELECT ?s ?o WHERE { ?s a ?o } LIMIT 200"
    request = {"query": query, "accept": None, "format": "json"}
    request |= {"default_graphs": [], "named_graphs": []}
    page = serve.Page((), 0)
    json_size = len(serve.answer(dataset, request, LIMITS, page).body)
    limits = serve.Limits(result_bytes=json_size + 1)
    page = serve.Page((), limits.result_bytes)
    wanted = {**request, "format": None, "accept": "text/html"}
    as_html = serve.answer(dataset, wanted, limits, page)
    assert as_html.status == 422
    assert f"result page larger than the {json_size + 1:,}-byte limit" in as_html.body.decode()


def test_oversize_requests_are_refused(server: str) -> None:
    padding = "#" + "x" * LIMITS.request_bytes + "\n"
    posted = httpx.post(f"{server}/sparql", data={"query": padding + CLAIMS})
    assert posted.status_code == 413
    long_get = httpx.get(f"{server}/sparql", params={"query": padding + CLAIMS})
    assert long_get.status_code in (413, 414)


def test_malformed_query_is_400(server: str) -> None:
    response = httpx.get(f"{server}/sparql", params={"query": "SELECT WHERE {"})
    assert response.status_code == 400 and "malformed" in response.text


@pytest.mark.parametrize(
    "target",
    [
        "/../minekg.nq",
        "/id/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/id/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/id/..%2f..%2f..%2fetc%2fpasswd",
        "/%252e%252e/%252e%252e/etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/id/state/..\\..\\..\\etc\\passwd",
    ],
)
def test_traversal_paths_are_refused(server: str, target: str) -> None:
    status, body = raw_get(server, target)
    assert status == 400
    assert b"root:" not in body


def test_absolute_paths_and_symlinks_out_of_the_site_are_not_served(
    server: str, site: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    (site / "escape.txt").symlink_to(secret)
    try:
        for target in ("//etc/passwd", "/escape.txt", f"/{secret}"):
            status, body = raw_get(server, target)
            assert status == 404, target
            assert b"not for the web" not in body and b"root:" not in body
    finally:
        (site / "escape.txt").unlink()


def test_negotiation_picks_by_quality_then_specificity() -> None:
    offers = serve.RESOURCE_OFFERS
    assert serve.negotiate("text/*;q=0.9, text/turtle", offers) == "ttl"
    assert serve.negotiate("text/turtle;q=0, */*", offers) == "html"
    assert serve.negotiate("text/turtle;q=0", offers) is None
    assert serve.negotiate("application/ld+json;q=0.8, text/turtle;q=0.8", offers) == "ttl"
    assert serve.negotiate("", offers) == "html"


@pytest.fixture(scope="module")
def site_without_pages(written: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unpublished") / "site"
    root = Path(__file__).resolve().parents[1]
    publish.publish(written, folder, root / "ontology", [root / "queries"], resource_pages=False)
    return folder


def kind(page: str) -> str:
    """What a site path names: ``id/state``, ``id/claim`` …, ``graph``, ``measure``."""
    return "/".join(page.split("/")[: 2 if page.startswith("id/") else 1])


def one_page_of_each_kind(site: Path) -> list[str]:
    """The first resource of each kind of a published site, by its manifest."""
    manifest = json.loads((site / publish.MANIFEST).read_text(encoding="utf-8"))
    first: dict[str, str] = {}
    for page in sorted(manifest["pages"]):
        first.setdefault(kind(page), page)
    return sorted(first.values())


def test_a_server_with_no_site_renders_each_page_from_the_store_as_publish_writes_it(
    written: Path, site: Path, site_without_pages: Path
) -> None:
    root = Path(__file__).resolve().parents[1]
    assert not publish.has_resource_pages(site_without_pages)
    assert not (site_without_pages / "id").exists()
    rendered = serve.StorePages(written, root / "ontology")
    kinds = one_page_of_each_kind(site)
    assert {"graph", "id/claim", "id/evidence", "id/state", "measure"} <= {kind(p) for p in kinds}
    port = free_port()
    config = serve.server_config(site_without_pages, LIMITS, "127.0.0.1", port, rendered)
    with in_a_thread(uvicorn.Server(config)) as url:
        for page in kinds:
            name = page.rsplit("/", 1)[-1]
            negotiated = httpx.get(f"{url}/{page}", headers={"Accept": "text/turtle"})
            assert (negotiated.status_code, negotiated.headers["location"]) == (303, f"{name}.ttl")
            for ext, media_type in publish.DOCUMENT_TYPES.items():
                response = httpx.get(f"{url}/{page}.{ext}")
                assert response.status_code == 200, (page, ext)
                assert response.headers["content-type"].startswith(media_type)
                assert response.content == (site / f"{page}.{ext}").read_bytes(), (page, ext)
        assert httpx.get(f"{url}/id/state/nowhere").status_code == 404
        assert httpx.get(f"{url}/id/state/nowhere.html").status_code == 404
        assert httpx.get(f"{url}/index.html").content == (site / "index.html").read_bytes()


@pytest.mark.slow
def test_the_serve_command_serves_a_missing_site_from_the_build(
    written: Path, tmp_path: Path
) -> None:
    port = free_port()
    command = [sys.executable, "-m", "minekg", "serve", "--site", str(tmp_path / "site")]
    command += ["--graph", str(written), "--port", str(port)]
    process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True)
    try:
        url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 120
        while True:
            assert process.poll() is None, "minekg serve exited"
            try:
                response = httpx.get(f"{url}/id/state/aze", headers={"Accept": "text/turtle"})
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "minekg serve did not start"
                time.sleep(0.2)
        assert (response.status_code, response.headers["location"]) == (303, "aze.ttl")
        assert (tmp_path / "site" / "void.ttl").is_file()
        page = httpx.get(f"{url}/id/state/aze.html")
        assert page.status_code == 200 and "Azerbaijan" in page.text
        assert not (tmp_path / "site" / "id").exists()
        # The command runs the server as serve.server_config says: a silent client is cut off.
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as silent:
            assert silent.recv(1) == b""
        assert time.monotonic() - started < serve.Limits().head_seconds + 3
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert "rendering them from" in output


def test_a_query_that_names_its_dataset_is_answered_from_it(server: str, site: Path) -> None:
    """FROM <graph> is honoured; the union is the default graph only when a query names none."""
    graph = "https://w3id.org/minekg/graph/A-79-690"
    count = "SELECT (COUNT(*) AS ?n) {0} WHERE {{ ?s ?p ?o }}"
    local = store.load(site)
    expected = sum(1 for _ in local.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
    everything = sum(1 for _ in local.quads_for_pattern(None, None, None, None))

    def answer(query: str, **params: str) -> int:
        response = httpx.get(
            f"{server}/sparql",
            params={"query": query, **params},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    assert answer(count.format(f"FROM <{graph}>")) == expected < everything
    assert answer(count.format("")) == everything
    assert answer(count.format(""), **{"default-graph-uri": graph}) == expected


ORIGIN = "http://notebook.example"
ASK_CLAIMS = "ASK { ?claim a <https://w3id.org/minekg/ontology#Claim> }"


def test_browser_clients_of_other_origins_may_read_the_endpoint(server: str) -> None:
    preflight = httpx.options(
        f"{server}/sparql",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    posted = httpx.post(
        f"{server}/sparql",
        content=ASK_CLAIMS,
        headers={"Origin": ORIGIN, "Content-Type": "application/sparql-query"},
    )
    assert posted.status_code == 200 and posted.headers["access-control-allow-origin"] == "*"
    page = httpx.get(f"{server}/id/state/aze.ttl", headers={"Origin": ORIGIN})
    assert page.headers["access-control-allow-origin"] == "*"


def test_cors_can_be_turned_off(site: Path) -> None:
    with serving(site, serve.Limits(cors=False)) as url:
        answer = httpx.get(f"{url}/id/state/aze.ttl", headers={"Origin": ORIGIN})
        assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers


def test_head_answers_like_get_and_an_unchanged_answer_is_not_sent_again(server: str) -> None:
    params = {"query": ASK_CLAIMS}
    accept = {"Accept": "application/sparql-results+json"}
    got = httpx.get(f"{server}/sparql", params=params, headers=accept)
    head = httpx.head(f"{server}/sparql", params=params, headers=accept)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["etag"] == got.headers["etag"]
    again = httpx.get(
        f"{server}/sparql", params=params, headers={**accept, "If-None-Match": got.headers["etag"]}
    )
    assert (again.status_code, again.content) == (304, b"")
    other = httpx.get(f"{server}/sparql", params={"query": ASK_CLAIMS + " "}, headers=accept)
    assert other.headers["etag"] != got.headers["etag"]


def test_dumps_and_large_results_travel_compressed(server: str, site: Path) -> None:
    import gzip

    with httpx.stream(
        "GET", f"{server}/minekg.nq", headers={"Accept-Encoding": "gzip"}
    ) as response:
        assert response.headers["content-encoding"] == "gzip"
        body = b"".join(response.iter_raw())
    assert gzip.decompress(body) == (site / "minekg.nq").read_bytes()
    assert len(body) < (site / "minekg.nq").stat().st_size / 4


def test_the_endpoint_describes_itself_to_rdf_clients(server: str, site: Path) -> None:
    """SPARQL 1.1 Service Description for GET /sparql with an RDF Accept and no query."""
    from rdflib import Graph, Namespace, URIRef
    from rdflib.namespace import RDF

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    described = Graph().parse(f"{server}/sparql", format="turtle")  # rdflib asks for RDF
    service = URIRef(f"{server}/sparql")
    assert (service, RDF.type, sd.Service) in described
    assert (service, sd.endpoint, service) in described
    assert (service, sd.feature, sd.UnionDefaultGraph) in described
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in described
    dataset = described.value(service, sd.defaultDataset)
    names = {described.value(n, sd.name) for n in described.objects(dataset, sd.namedGraph)}
    local = store.load(site)
    assert names == {g for g in map(lambda g: URIRef(g.value), local.named_graphs())}
    page = httpx.get(f"{server}/sparql", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")


# --- The vocabulary, the dataset and the graphs dereference -------------------------------------


def test_rdflib_reads_the_ontology_from_its_iri(server: str) -> None:
    from rdflib.namespace import OWL, RDF

    ontology = Graph().parse(f"{server}/ontology")
    assert (URIRef("https://w3id.org/minekg/ontology"), RDF.type, OWL.Ontology) in ontology
    assert (URIRef("https://w3id.org/minekg/ontology#Claim"), RDF.type, OWL.Class) in ontology
    page = httpx.get(f"{server}/ontology", follow_redirects=True)
    assert page.headers["content-type"].startswith("text/html") and 'id="Claim"' in page.text


def test_a_measure_concept_dereferences(server: str) -> None:
    measure = URIRef("https://w3id.org/minekg/measure/area_cleared_ha")
    described = Graph().parse(f"{server}/measure/area_cleared_ha")
    assert described.value(measure, SKOS.notation) == Literal("area_cleared_ha")
    assert set(described.subjects(None, measure)), "the figures of the measure link to it"


def test_the_dataset_iri_and_the_well_known_void_give_its_description(server: str) -> None:
    from rdflib.namespace import DCAT, RDF, VOID

    dataset = URIRef("https://w3id.org/minekg/dataset")
    described = Graph().parse(f"{server}/dataset")
    assert (dataset, RDF.type, DCAT.Dataset) in described
    assert described.value(dataset, VOID.triples) is not None
    well_known = httpx.get(f"{server}/.well-known/void")
    assert (well_known.status_code, well_known.headers["location"]) == (303, "../dataset")
    assert len(Graph().parse(f"{server}/.well-known/void")) == len(described)


def test_a_named_graph_iri_offers_its_description_and_the_graph_itself(
    server: str, site: Path
) -> None:
    from rdflib import Dataset
    from rdflib.namespace import PROV

    iri = "https://w3id.org/minekg/graph/A-79-690"
    description = Graph().parse(
        data=httpx.get(
            f"{server}/graph/A-79-690", headers={"Accept": "text/turtle"}, follow_redirects=True
        ).text,
        format="turtle",
    )
    assert description.value(URIRef(iri), PROV.hadPrimarySource) is not None
    stated = list(store.load(site).quads_for_pattern(None, None, None, ox.NamedNode(iri)))
    for accept, fmt in (("application/trig", "trig"), ("application/n-quads", "nquads")):
        response = httpx.get(
            f"{server}/graph/A-79-690", headers={"Accept": accept}, follow_redirects=True
        )
        assert response.headers["content-type"].startswith(accept)
        graphs = Dataset().parse(data=response.text, format=fmt)
        assert {str(g.identifier) for g in graphs.graphs() if len(g)} == {iri}
        assert len(graphs.graph(URIRef(iri))) == len(stated) > 1000


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/rdf+xml", "xml"),
        ("text/n3", "n3"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
    ],
)
def test_resource_iris_answer_every_rdf_format_the_server_writes(
    server: str, accept: str, fmt: str
) -> None:
    from rdflib import Dataset
    from rdflib.compare import isomorphic

    turtle = Graph().parse(f"{server}/id/state/aze", format="turtle")
    response = httpx.get(f"{server}/id/state/aze", headers={"Accept": accept})
    assert response.status_code == 303 and response.headers["location"].startswith("aze.")
    followed = httpx.get(
        f"{server}/id/state/aze", headers={"Accept": accept}, follow_redirects=True
    )
    assert followed.headers["content-type"].startswith(accept)
    if fmt in ("trig", "nquads"):
        quads = Dataset().parse(data=followed.text, format=fmt)
        named = {str(g.identifier) for g in quads.graphs() if len(g)}
        assert "https://w3id.org/minekg/graph/reference" in named, "each statement in its graph"
        parsed = Graph()
        for s, p, o, _ in quads.quads():
            parsed.add((s, p, o))
    else:
        parsed = Graph().parse(data=followed.text, format=fmt)
    assert isomorphic(parsed, turtle)


def test_the_catalogs_endpoint_description_is_the_service_description(
    server: str, site: Path
) -> None:
    from rdflib import Namespace
    from rdflib.namespace import DCAT, RDF

    catalog = Graph().parse(site / "catalog.ttl", format="turtle")
    service = catalog.value(None, RDF.type, DCAT.DataService, any=False)
    described_at = str(catalog.value(service, DCAT.endpointDescription))
    assert described_at == str(catalog.value(service, DCAT.endpointURL))
    local = described_at.replace("https://w3id.org/minekg", server)
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (URIRef(local), RDF.type, sd.Service) in Graph().parse(local)
