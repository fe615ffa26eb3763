"""A flood of slow queries against `minekg serve` on loopback, bounded in clients and time.

Starts `minekg serve` (default limits: 2 long-query slots, 10 s per query, 5 s of waiting) on
127.0.0.1 as its own process; CLIENTS clients send a cartesian product back to back for SECONDS
seconds while a static page and a quick ASK are timed every 0.25 s; then one ASK right after the
flood. Prints the latencies and how every flood query ended (issue 15: the server used to freeze
for 141 s after 45 such clients).

Run after `make build`: .venv/bin/python benchmarks/flood.py [--clients 45] [--seconds 20]
[--out out]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
ASK = "ASK { ?s a ?type }"


def timed(client: httpx.Client, path: str, **params: str) -> tuple[float, str]:
    started = time.monotonic()
    try:
        status = str(client.get(path, params=params).status_code)
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    return time.monotonic() - started, status


def summary(name: str, results: list[tuple[float, str]]) -> str:
    seconds = sorted(s for s, _ in results)
    p95 = seconds[max(0, int(len(seconds) * 0.95) - 1)]
    statuses = ", ".join(f"{k}: {n}" for k, n in sorted(Counter(s for _, s in results).items()))
    return (
        f"{name:<22} {len(seconds):>5} {statistics.median(seconds):>8.3f} {p95:>8.3f} "
        f"{seconds[-1]:>8.3f}  {statuses}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=45)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="the build to serve")
    args = parser.parse_args()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "minekg", "serve", "--site", f"{scratch}/site"]
        command += ["--graph", str(args.out)]
        server = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT)
        try:
            run(f"http://127.0.0.1:{port}", args.clients, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)


def run(url: str, clients: int, seconds: float) -> None:
    with httpx.Client(base_url=url, timeout=60) as probe:
        deadline = time.monotonic() + 120
        while timed(probe, "/index.html")[1] != "200":
            if time.monotonic() > deadline:
                raise SystemExit("minekg serve did not start")
            time.sleep(0.2)
        stop = time.monotonic() + seconds

        def flooding() -> list[tuple[float, str]]:
            with httpx.Client(base_url=url, timeout=60) as client:
                ended = []
                while time.monotonic() < stop:
                    ended.append(timed(client, "/sparql", query=SLOW))
                return ended

        with ThreadPoolExecutor(clients) as pool:
            floods = [pool.submit(flooding) for _ in range(clients)]
            time.sleep(2)
            static, ask = [], []
            while time.monotonic() < stop:
                static.append(timed(probe, "/id/state/aze.html"))
                ask.append(timed(probe, "/sparql", query=ASK))
                time.sleep(0.25)
            ended = [result for future in floods for result in future.result()]
        after = timed(probe, "/sparql", query=ASK)
    print(f"{clients} clients sending slow queries for {seconds:g} s\n")
    print(f"{'':<22} {'n':>5} {'median':>8} {'p95':>8} {'max':>8}  statuses (seconds)")
    print(summary("static page, during", static))
    print(summary("quick ASK, during", ask))
    print(summary("flood queries", ended))
    print(summary("quick ASK, just after", [after]))


if __name__ == "__main__":
    main()
