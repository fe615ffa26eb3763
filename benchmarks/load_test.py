"""Load test of `minekg serve` on loopback: 32 concurrent clients, a bounded number of requests.

Publishes out/ into a temporary site, starts `minekg serve` on 127.0.0.1 as its own process, and
for each scenario sends the requests from 32 concurrent clients: resource IRIs negotiated to HTML
and to Turtle (303, then the document), and every named query (queries/*.rq) plus a few
reference queries on /sparql. The baseline is a small static file from the same server, so the
ratio shows what negotiation and SPARQL cost on top of serving bytes. Any error fails the run.

Run after `make build`: .venv/bin/python benchmarks/load_test.py [--requests N] [--clients 32]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "out"
QUERIES = ROOT / "queries"
REFERENCE_QUERIES = {
    "claims by claimant": """
        PREFIX mkg: <https://w3id.org/minekg/ontology#>
        SELECT ?claimant (COUNT(DISTINCT ?claim) AS ?n)
        WHERE { ?claim a mkg:Claim ; mkg:claimant ?claimant } GROUP BY ?claimant""",
    "label lookup": """
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT DISTINCT ?s WHERE { ?s skos:prefLabel "Azerbaijan"@en }""",
    "triples per graph": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
}


@dataclass
class Scenario:
    name: str
    requests: list[tuple[str, str, dict[str, str], dict[str, str]]]  # method, path, headers, form
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def resource_paths(site: Path) -> list[str]:
    return sorted(
        "/" + page.relative_to(site).with_suffix("").as_posix()
        for root in ("id", "graph")
        for page in (site / root).rglob("*.html")
    )


def scenarios(site: Path, count: int) -> list[Scenario]:
    paths = list(itertools.islice(itertools.cycle(resource_paths(site)), count))
    named = {path.stem: path.read_text(encoding="utf-8") for path in sorted(QUERIES.glob("*.rq"))}
    json_results = {"Accept": "application/sparql-results+json, application/n-triples;q=0.9"}
    found = [
        Scenario(
            "baseline: static file /context.jsonld", [("GET", "/context.jsonld", {}, {})] * count
        ),
        Scenario(
            "resource IRI -> 303 -> HTML page",
            [("GET", path, {"Accept": "text/html"}, {}) for path in paths],
        ),
        Scenario(
            "resource IRI -> 303 -> Turtle",
            [("GET", path, {"Accept": "text/turtle"}, {}) for path in paths],
        ),
    ]
    queries = {**{f"named: {k}": v for k, v in named.items()}, **REFERENCE_QUERIES}
    for name, query in queries.items():
        request = ("POST", "/sparql", json_results, {"query": query})
        found.append(Scenario(f"query: {name}", [request] * max(count // 4, 32)))
    return found


def run(port: int, scenario: Scenario, clients: int) -> None:
    """Each client is a thread with one keep-alive connection (http.client: the lightest client
    Python has, so the figures measure the server more than the client)."""
    pending = iter(scenario.requests)
    lock = threading.Lock()

    def one_client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                request = next(pending, None)
            if request is None:
                break
            method, path, headers, form = request
            started = time.perf_counter()
            try:
                status = fetch(connection, method, path, headers, form)
                if status != 200:
                    scenario.errors.append(f"{path}: {status}")
            except (OSError, http.client.HTTPException) as exc:
                scenario.errors.append(f"{path}: {exc!r}")
                connection.close()
            scenario.seconds.append(time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    scenario.wall = time.perf_counter() - started


def fetch(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    headers: dict[str, str],
    form: dict[str, str],
) -> int:
    """One request, following a 303 on the same connection as a browser would."""
    body = urllib.parse.urlencode(form) if form else None
    if body is not None:
        headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status == 303:
        target = urllib.parse.urljoin(path, response.headers["Location"])
        connection.request("GET", target, headers=headers)
        response = connection.getresponse()
        response.read()
    return response.status


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="per page scenario")
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    if not (BUILD / "minekg.nq").is_file():
        sys.exit(f"{BUILD}/minekg.nq is missing: run `make build` first")
    minekg = [sys.executable, "-m", "minekg"]
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        subprocess.run([*minekg, "publish", str(site), "--out", str(BUILD)], cwd=ROOT, check=True)
        port = free_port()
        server = subprocess.Popen(
            [*minekg, "serve", "--site", str(site), "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url, server)
            results = scenarios(site, args.requests)
            for scenario in results:
                run(port, scenario, args.clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(results, args.clients)
    if any(s.errors for s in results):
        sys.exit("errors: " + "; ".join(e for s in results for e in s.errors[:3]))


def wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("minekg serve exited")
        try:
            if httpx.get(f"{url}/void.ttl").status_code == 200:
                return
        except httpx.ConnectError:
            time.sleep(0.2)
    sys.exit("minekg serve did not start in 60 s")


def report(results: list[Scenario], clients: int) -> None:
    baseline = statistics.median(results[0].seconds)
    print(f"minekg serve on loopback, {clients} concurrent clients")
    print(
        f"{'scenario':52} {'requests':>8} {'errors':>6} {'req/s':>8} "
        f"{'p50 ms':>8} {'p99 ms':>8} {'p50 x baseline':>15}"
    )
    for s in results:
        p50 = statistics.median(s.seconds)
        print(
            f"{s.name[:52]:52} {len(s.seconds):8} {len(s.errors):6} "
            f"{len(s.seconds) / s.wall:8.0f} {p50 * 1000:8.1f} "
            f"{percentile(s.seconds, 0.99) * 1000:8.1f} {p50 / baseline:15.1f}"
        )


if __name__ == "__main__":
    main()
