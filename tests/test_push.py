"""minekg push into a real Oxigraph server (the ``oxigraph`` binary the test extra installs),
started on 127.0.0.1 by the test and stopped after it; then the same queries on both stores."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from minekg import push, store
from minekg.cli import main
from minekg.errors import InputErrors, MinekgError

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "queries"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
# Queries of this test's own, over what users ask first: who claims what, figures, citations.
OWN_QUERIES = {
    "claims by claimant": """
        PREFIX mkg: <https://w3id.org/minekg/ontology#>
        SELECT ?claimant (COUNT(DISTINCT ?claim) AS ?n)
        WHERE { ?claim a mkg:Claim ; mkg:claimant ?claimant } GROUP BY ?claimant""",
    "quotes of claims": """
        PREFIX mkg: <https://w3id.org/minekg/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT DISTINCT ?claim ?exact WHERE {
          ?claim a mkg:Claim ; mkg:evidence ?evidence .
          ?evidence oa:hasSelector ?selector . ?selector oa:exact ?exact }""",
    "graphs saying something about Azerbaijan": """
        SELECT DISTINCT ?g WHERE { GRAPH ?g { <https://w3id.org/minekg/id/state/aze> ?p ?o } }""",
    "a construct": """
        CONSTRUCT { ?s ?p ?o } WHERE {
          GRAPH ?g { ?s ?p ?o } FILTER(?s = <https://w3id.org/minekg/id/state/aze>) }""",
    "an ask": "ASK { ?s a <https://w3id.org/minekg/ontology#Figure> }",
}


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """push remembers what it sent in the user's cache: here, the test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    """An Oxigraph server on loopback, its default graph the union of the named graphs as in
    minekg's own store; stopped after the test."""
    assert OXIGRAPH.is_file(), f"{OXIGRAPH} missing: pip install -e '.[test]' installs it"
    port = free_port()
    process = subprocess.Popen(
        [OXIGRAPH, "serve", "--location", tmp_path / "store", "--bind", f"127.0.0.1:{port}"]
        + ["--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, "oxigraph serve exited"
        try:
            httpx.get(f"{url}/query", params={"query": "ASK {}"})
            break
        except httpx.ConnectError:
            assert time.monotonic() < deadline, "oxigraph serve did not start"
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=30)


def run_push(url: str, source: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main,
        ["push", "--endpoint", f"{url}/query", "--graph-store", f"{url}/store", "--graph", source],
    )
    return result.exit_code, result.stdout, result.stderr


def remote_answer(url: str, query: str) -> object:
    response = httpx.post(
        f"{url}/query",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json, application/n-triples"},
    )
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("application/n-triples"):
        return sorted(str(t) for t in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
    return comparable(response.json())


def local_answer(dataset: ox.Store, query: str) -> object:
    result = dataset.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        return sorted(str(t) for t in result)
    written = result.serialize(format=ox.QueryResultsFormat.JSON)
    assert written is not None
    return comparable(json.loads(written))


def comparable(results: dict) -> object:
    """A SPARQL JSON result as a multiset of rows, order ignored (no query here orders)."""
    if "boolean" in results:
        return results["boolean"]
    rows = results["results"]["bindings"]
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


@pytest.mark.slow
def test_push_loads_every_graph_and_the_counts_match(oxigraph: str, written: Path) -> None:
    code, stdout, stderr = run_push(oxigraph, written)
    assert code == 0, stderr
    local = store.load(written)
    names = sorted(g.value for g in local.named_graphs())
    assert "same counts" in stdout
    assert all(f"{name}:" in stderr for name in names), "progress names every graph"
    counts = httpx.post(
        f"{oxigraph}/query",
        data={"query": "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
        headers={"Accept": "application/sparql-results+json"},
    ).json()["results"]["bindings"]
    remote = {row["g"]["value"]: int(row["n"]["value"]) for row in counts}
    assert remote == {
        name: sum(1 for _ in local.quads_for_pattern(None, None, None, ox.NamedNode(name)))
        for name in names
    }


@pytest.mark.slow
def test_pushing_a_changed_document_replaces_its_graph(
    oxigraph: str, written: Path, tmp_path: Path
) -> None:
    assert run_push(oxigraph, written)[0] == 0
    lines = (written / "minekg.nq").read_text(encoding="utf-8").splitlines(keepends=True)
    graph = "<https://w3id.org/minekg/graph/A-78-908>"
    ours = [line for line in lines if line.rstrip().endswith(f"{graph} .")]
    dropped = ours[: len(ours) // 2]
    added = f'<https://w3id.org/minekg/id/state/aze> <http://example.org/note> "new" {graph} .\n'
    changed = tmp_path / "changed.nq"
    changed.write_text("".join(line for line in lines if line not in dropped) + added)
    code, _, stderr = run_push(oxigraph, changed)
    assert code == 0, stderr
    count = f"SELECT (COUNT(*) AS ?n) {{ GRAPH {graph} {{ ?s ?p ?o }} }}"
    remote = remote_answer(oxigraph, count)
    assert remote == local_answer(store.load(changed), count)
    assert remote_answer(oxigraph, f"ASK {{ GRAPH {graph} {{ ?s <http://example.org/note> ?o }} }}")
    gone = dropped[0].rsplit(" ", 2)[0]
    assert not remote_answer(oxigraph, f"ASK {{ GRAPH {graph} {{ {gone} }} }}")


@pytest.mark.slow
def test_own_queries_give_the_same_answers_on_the_server(oxigraph: str, written: Path) -> None:
    assert run_push(oxigraph, written)[0] == 0
    local = store.load(written)
    for name, query in OWN_QUERIES.items():
        expected = local_answer(local, query)
        assert expected, f"{name}: the local store has no answer to compare"
        assert remote_answer(oxigraph, query) == expected, name


@pytest.mark.slow
def test_named_queries_give_the_same_answers_on_the_server(oxigraph: str, written: Path) -> None:
    named = sorted(QUERIES.glob("*.rq"))
    assert named, f"no named queries in {QUERIES}"
    assert run_push(oxigraph, written)[0] == 0
    local = store.load(written)
    for path in named:
        query = path.read_text(encoding="utf-8")  # parameters unbound: every row it can give
        expected = local_answer(local, query)
        assert expected, f"{path.name}: the local store has no answer to compare"
        assert remote_answer(oxigraph, query) == expected, path.name


def test_push_to_no_server_is_one_clear_error(written: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, _, stderr = run_push(url, written)
    assert code == 1
    assert stderr.strip().splitlines()[-1].startswith(f"error: {url}/store: ConnectError")
    assert "Traceback" not in stderr


def mock_store(answer_put: int, short_by: int = 0) -> httpx.Client:
    """A store behind httpx.MockTransport: it answers each PUT with ``answer_put`` and counts
    what was put, less ``short_by`` triples in the first graph."""
    received: dict[str, int] = {}

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            if answer_put != 204:
                return httpx.Response(answer_put, text="<html><body>Forbidden</body></html>")
            graph = request.url.params.get("graph", "")
            received[graph] = sum(
                1 for _ in ox.parse(request.content, format=ox.RdfFormat.N_TRIPLES)
            )
            return httpx.Response(204)
        first = min(received)
        rows = [
            {
                "g": {"type": "uri", "value": g},
                "n": {"type": "literal", "value": str(n - short_by * (g == first))},
            }
            for g, n in received.items()
        ]
        return httpx.Response(
            200, json={"head": {"vars": ["g", "n"]}, "results": {"bindings": rows}}
        )

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_a_store_refusing_the_graphs_is_one_clear_error(written: Path) -> None:
    with pytest.raises(MinekgError, match=r"PUT <.*> answered 403: Forbidden$"):
        push.push(
            store.load(written), "http://store/query", "http://store/store", mock_store(403), print
        )


def test_a_store_holding_other_counts_names_the_graph(written: Path) -> None:
    dataset = store.load(written)
    with pytest.raises(InputErrors) as failed:
        push.push(dataset, "http://store/query", "http://store/store", mock_store(204, 1), print)
    (wrong,) = failed.value.errors
    first = min(g.value for g in dataset.named_graphs())
    assert str(wrong).startswith(f"<{first}>: ") and "here," in str(wrong)
    graphs = len(list(dataset.named_graphs()))
    assert failed.value.summary == f"1 of {graphs} graph(s) differ in the store after the push"


def flaky_store(fail_at: int | None, puts: list[str], held: dict[str, int]) -> httpx.Client:
    """A store whose connection drops at the ``fail_at``-th PUT (1-based); it records each PUT
    and holds the triple count of each graph it was sent."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            if fail_at is not None and len(puts) + 1 == fail_at:
                raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
            graph = request.url.params.get("graph", "")
            puts.append(graph)
            held[graph] = sum(1 for _ in ox.parse(request.content, format=ox.RdfFormat.N_TRIPLES))
            return httpx.Response(204)
        rows = [
            {"g": {"type": "uri", "value": g}, "n": {"type": "literal", "value": str(n)}}
            for g, n in held.items()
        ]
        return httpx.Response(
            200, json={"head": {"vars": ["g", "n"]}, "results": {"bindings": rows}}
        )

    return httpx.Client(transport=httpx.MockTransport(handle))


def test_an_interrupted_push_names_what_was_replaced_and_resume_sends_the_rest(
    written: Path,
) -> None:
    dataset = store.load(written)
    names = sorted(g.value for g in dataset.named_graphs())
    puts: list[str] = []
    held: dict[str, int] = {}
    client = flaky_store(4, puts, held)
    with pytest.raises(push.PushInterrupted) as stopped:
        push.push(dataset, "http://store/query", "http://store/store", client, print)
    message = str(stopped.value)
    assert "Connection reset by peer" in message and "--resume" in message
    assert f"3 of {len(names)} graph(s) replaced" in message
    assert all(f"<{name}>" in message for name in names)
    assert puts == names[:3]
    again: list[str] = []
    counts = push.push(
        dataset,
        "http://store/query",
        "http://store/store",
        flaky_store(None, again, held),
        print,
        True,
    )
    assert again == names[3:], "--resume sends only the graphs not yet replaced"
    assert set(counts) == set(names)


def test_update_replaces_every_graph_in_one_request_or_none(written: Path) -> None:
    bodies: list[bytes] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(400, text="<html><h1>Parse error</h1>\n<p>at line 3</p></html>")

    client = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(MinekgError, match=r"answered 400: Parse error at line 3; no graph was"):
        push.push(
            store.load(written), "http://s/query", None, client, print, update="http://s/update"
        )
    (body,) = bodies
    assert body.count(b"DROP SILENT GRAPH") == len(list(store.load(written).named_graphs()))


@pytest.mark.slow
def test_update_into_a_real_oxigraph_holds_the_same_counts(oxigraph: str, written: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["push", "--endpoint", f"{oxigraph}/query", "--graph-store", f"{oxigraph}/store"]
        + ["--update", f"{oxigraph}/update", "--graph", str(written)],
    )
    assert result.exit_code == 0, result.stderr
    assert "in one update request" in result.stderr and "same counts" in result.stdout


@pytest.mark.slow
def test_named_queries_asked_of_the_endpoint_answer_as_the_local_graph(
    oxigraph: str, written: Path
) -> None:
    assert run_push(oxigraph, written)[0] == 0
    cases = [
        ("ihl-rules-invoked", "doc=A-79-690"),
        ("figure-over-time", "measure=area_cleared_ha"),
        ("claims-by-party", "claimant=state/aze"),
        ("timeline", None),
    ]
    for name, param in cases:
        args = ["query", name, "--format", "json"] + (["--param", param] if param else [])
        local = CliRunner().invoke(main, [*args, "--graph", str(written)])
        remote = CliRunner().invoke(main, [*args, "--endpoint", f"{oxigraph}/query"])
        assert remote.exit_code == 0, remote.stderr
        rows = json.loads(local.output)["results"]["bindings"]
        assert rows, name
        assert comparable(json.loads(remote.output)) == comparable(json.loads(local.output)), name


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 10
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {dir}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""
VIRTUOSO = Path("/usr/bin/virtuoso-t")


@pytest.fixture
def virtuoso(tmp_path: Path) -> Iterator[str]:
    """Debian's Virtuoso on loopback with a database of its own; its Graph Store endpoint
    ``/sparql-graph-crud-auth`` asks for HTTP Digest (user dba, password dba in a new database)."""
    assert VIRTUOSO.is_file(), "Virtuoso is missing: `make system-deps` installs it"
    folder = tmp_path / "virtuoso"
    folder.mkdir()
    http_port = free_port()
    ini = VIRTUOSO_INI.format(dir=folder, sql_port=free_port(), http_port=http_port)
    (folder / "virtuoso.ini").write_text(ini)
    process = subprocess.Popen(
        [VIRTUOSO, "+foreground", "+configfile", folder / "virtuoso.ini"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http_port}"
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, "virtuoso-t exited: " + (folder / "virtuoso.log").read_text()
        try:
            if httpx.get(f"{url}/sparql", params={"query": "ASK {}"}).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "Virtuoso did not start"
        time.sleep(0.3)
    yield url
    process.terminate()
    process.wait(timeout=60)


def push_to_virtuoso(url: str, written: Path, *login: str, password: str | None = None):
    env = {"MINEKG_PUSH_PASSWORD": password} if password else {}
    arguments = ["push", "--endpoint", f"{url}/sparql", "--graph-store"]
    arguments += [f"{url}/sparql-graph-crud-auth", "--graph", str(written), *login]
    return CliRunner(env=env).invoke(main, arguments)


@pytest.mark.system
@pytest.mark.slow
def test_push_logs_in_to_virtuoso_with_digest_and_the_counts_match(
    virtuoso: str, written: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.netrc of the machine's user
    anonymous = push_to_virtuoso(virtuoso, written)
    assert anonymous.exit_code == 1
    assert anonymous.stderr.strip().endswith(
        "the store asks for a login (--user NAME, the "
        "password from $MINEKG_PUSH_PASSWORD or ~/.netrc)"
    )
    wrong = push_to_virtuoso(virtuoso, written, "--user", "dba", password="not-the-password")
    assert wrong.exit_code == 1 and "the login was refused" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1, "one readable line, no HTML"
    no_password = push_to_virtuoso(virtuoso, written, "--user", "dba")
    assert no_password.exit_code == 1 and "no password" in no_password.stderr
    pushed = push_to_virtuoso(virtuoso, written, "--user", "dba", password="dba")
    assert pushed.exit_code == 0, pushed.stderr
    assert "the store holds the same counts" in pushed.stdout
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login dba password dba\n")
    (tmp_path / ".netrc").chmod(0o600)
    again = push_to_virtuoso(virtuoso, written)
    assert again.exit_code == 0, again.stderr
