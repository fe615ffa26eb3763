"""minekg serve under hostile load, on loopback: a flood of slow queries, a client that leaves,
a request head sent a line at a time, a query nested too deep, a query that wants gigabytes.
Every flood is bounded in count and time and ends by itself."""

from __future__ import annotations

import multiprocessing
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from test_serve import serving

from minekg import publish, serve
from minekg.cli import main

LIMITS = serve.Limits(
    query_seconds=3,
    queue_seconds=2,
    express_seconds=0.25,
    result_bytes=300_000,
    request_bytes=20_000,
    memory_bytes=256 << 20,
    workers=2,
    head_seconds=3,
)
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK { ?s a ?type }"
DEEP = "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000
# A 2 kB query whose last string is 16 bytes doubled 32 times: 64 GiB.
HUNGRY = (
    "SELECT (STRLEN(?s32) AS ?n) WHERE { BIND('xxxxxxxxxxxxxxxx' AS ?s0) "
    + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(32))
    + " }"
)


@pytest.fixture(scope="module")
def server(written: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("loaded") / "site"
    root = Path(__file__).resolve().parents[1]
    publish.write_site(site, publish.site_files(written, root / "ontology", [root / "queries"]))
    with serving(site, LIMITS) as url:
        yield url


def timed(call: httpx.Response | object, *args: object, **kwargs: object) -> tuple[float, int]:
    started = time.monotonic()
    response = call(*args, **kwargs)  # type: ignore[operator]
    return time.monotonic() - started, response.status_code


def query_processes() -> int:
    """How many queries run now: the monitors the forking process has (one per query)."""
    (forker,) = multiprocessing.active_children()
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        count += int(fields[1]) == forker.pid
    return count


def no_query_process_within(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while query_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    return query_processes() == 0


def test_static_pages_and_quick_queries_answer_within_a_second_under_a_flood(server: str) -> None:
    """Eight clients (four times the long-query slots) send slow queries back to back for six
    seconds; meanwhile a static page and a quick ASK are timed every 0.2 s."""
    flood, seconds_of_flood = 8, 6.0
    stop = time.monotonic() + seconds_of_flood

    def flooding(client: httpx.Client) -> list[tuple[float, int]]:
        ended = []
        while time.monotonic() < stop:  # each query ends by itself: at most 3 per client
            ended.append(timed(client.get, f"{server}/sparql", params={"query": SLOW}))
        return ended

    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(flood) as pool:
        clients = [pool.submit(flooding, client) for _ in range(flood)]
        time.sleep(1.0)
        during = []
        while time.monotonic() < stop:
            during.append(("static", *timed(client.get, f"{server}/id/state/aze.html")))
            during.append(("ask", *timed(client.get, f"{server}/sparql", params={"query": ASK})))
            time.sleep(0.2)
        ended = [result for future in clients for result in future.result()]
    print("during the flood:", [(kind, round(seconds, 3)) for kind, seconds, _ in during])
    print("flood queries:", [(round(seconds, 2), status) for seconds, status in ended])
    assert len(during) >= 10
    assert all(status == 200 for _, _, status in during)
    assert max(seconds for _, seconds, _ in during) < 1.0
    ceiling = LIMITS.query_seconds + LIMITS.queue_seconds + 0.5
    assert all(status == 503 and seconds < ceiling for seconds, status in ended)
    after = [timed(httpx.get, f"{server}/sparql", params={"query": ASK}) for _ in range(3)]
    assert all(status == 200 and seconds < 0.5 for seconds, status in after)
    assert no_query_process_within(1.0)


def test_the_query_of_a_client_that_left_is_stopped(server: str) -> None:
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(f"{server}/sparql", params={"query": SLOW}, timeout=1.0)
    assert no_query_process_within(1.0)


def test_a_request_head_sent_a_line_every_two_seconds_is_cut_off(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(b"GET /index.html HTTP/1.1\r\nHost: x\r\n")
        closed = False
        for number in range(20):  # at most 40 s, bounded
            time.sleep(2)
            try:
                connection.sendall(f"X-Slow-{number}: 1\r\n".encode())
                closed = connection.recv(1024) == b""
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            if closed:
                break
    cut = time.monotonic() - started
    print(f"a trickled request head was cut off after {cut:.1f} s")
    assert closed and cut < LIMITS.head_seconds + 4


def test_a_connection_that_sends_nothing_is_closed(server: str) -> None:
    host, port = server.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=LIMITS.head_seconds + 5) as silent:
        assert silent.recv(1024) == b""
    assert time.monotonic() - started < LIMITS.head_seconds + 1


def test_an_over_deep_query_is_refused_before_parsing_and_the_server_goes_on(
    server: str,
) -> None:
    assert len(DEEP) > 10_000
    headers = {"Content-Type": "application/sparql-query"}
    response = httpx.post(f"{server}/sparql", content=DEEP.encode(), headers=headers)
    assert response.status_code == 400
    assert response.text == "query nested 5000 deep: at most 256 levels of brackets\n"
    assert httpx.get(f"{server}/sparql", params={"query": ASK}).status_code == 200


def test_an_over_deep_query_file_is_exit_2_in_minekg_query(written: Path, tmp_path: Path) -> None:
    deep = tmp_path / "deep.rq"
    deep.write_text(DEEP)
    result = CliRunner().invoke(main, ["query", str(deep), "--graph", str(written)])
    assert result.exit_code == 2
    assert "deep: nested 5000 deep: at most 256 levels of brackets" in result.output


def test_a_memory_hungry_query_gets_a_clear_error_within_its_memory_cap(server: str) -> None:
    assert len(HUNGRY) < 2_100
    started = time.monotonic()
    response = httpx.get(f"{server}/sparql", params={"query": HUNGRY}, timeout=30)
    print(f"memory-hungry query refused after {time.monotonic() - started:.2f} s")
    assert response.status_code == 422, response.text
    assert response.text == (
        "query needs more than the 256 MB of memory a query may use: "
        "add LIMIT or narrow the query\n"
    )
    assert httpx.get(f"{server}/sparql", params={"query": ASK}).status_code == 200
