"""How fast the named queries run on Oxigraph (what `minekg query` uses) against rdflib.

The baseline is rdflib's SPARQL engine on the same data, with the same union default graph and the
same parameters. Runs on the corpus graph and on the corpus repeated --scale times (each copy's
resources and graphs renamed, so copies do not merge), and checks on the way that both engines
return the same number of rows.
Run after `make build`: .venv/bin/python benchmarks/query_speed.py [--scale N] [--repeat N]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from functools import partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from minekg import queries

ROOT = Path(__file__).resolve().parents[1]
DUMP = ROOT / "out" / "minekg.nq"
PARAMETERS = {
    "document-graph": {"doc": "A-79-690"},
    "event-accounts": {"event": "icma-3-2024"},
    "evidence": {"node": "claim/A-79-690/3695"},
    "figure-over-time": {"measure": "area_cleared_ha"},
}
OWN_IRI = re.compile(r"<(https://w3id\.org/minekg/(?:id|graph)/[^>#]*)(#[^>]*)?>")
ONTOLOGY_GRAPH = "<https://w3id.org/minekg/graph/ontology> .\n"


def scaled(nquads: str, copies: int) -> str:
    """The dataset and copies-1 renamed copies of it (the ontology graph once)."""
    lines = nquads.splitlines(keepends=True)
    out = list(lines)
    for copy in range(1, copies):
        suffix = f"-copy{copy}"
        out += [
            OWN_IRI.sub(lambda m, s=suffix: f"<{m[1]}{s}{m[2] or ''}>", line)
            for line in lines
            if not line.endswith(ONTOLOGY_GRAPH)
        ]
    return "".join(out)


def timed(function, repeat: int) -> tuple[float, object]:
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def rdflib_rows(dataset: Dataset, named: queries.NamedQuery, bindings: dict) -> list:
    return list(queries.run_rdflib(dataset, named, bindings))


def bench(nquads: str, repeat: int) -> list[tuple[str, int, float, float]]:
    data = nquads.encode("utf-8")
    store = ox.Store()
    load_ox, _ = timed(lambda: ox.Store().bulk_load(data, format=ox.RdfFormat.N_QUADS), 1)
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    dataset = Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(data=nquads, format="nquads")
    load_rdflib = time.perf_counter() - started
    rows = [("(load the dataset)", len(store), load_ox, load_rdflib)]
    for name, named in queries.available().items():
        bindings = queries.resolve(named, PARAMETERS.get(name, {}))
        fast, answer = timed(partial(queries.run, store, named, bindings), repeat)
        slow, result = timed(partial(rdflib_rows, dataset, named, bindings), repeat)
        count = len(answer.rows)  # type: ignore[attr-defined]
        if count != len(result):  # type: ignore[arg-type]
            sys.exit(f"{name}: Oxigraph gives {count} rows, rdflib {result}")
        rows.append((name, count, fast, slow))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=5, help="Copies of the corpus (default 5).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per query; median reported.")
    args = parser.parse_args()
    if not DUMP.is_file():
        sys.exit(f"{DUMP} is missing: run `make build` first")
    corpus = DUMP.read_text(encoding="utf-8")
    for copies in sorted({1, args.scale}):
        results = bench(scaled(corpus, copies), args.repeat)
        print(f"\ncorpus x{copies}: {results[0][1]:,} quads, median of {args.repeat} runs")
        print(f"{'query':26} {'rows':>6} {'oxigraph ms':>12} {'rdflib ms':>10} {'rdflib/ox':>10}")
        for name, count, fast, slow in results:
            print(f"{name:26} {count:6} {fast * 1e3:12.1f} {slow * 1e3:10.1f} {slow / fast:9.1f}x")
        ratios = [slow / fast for _, _, fast, slow in results[1:]]
        mean = statistics.geometric_mean(ratios)
        print(f"geometric mean ratio rdflib / Oxigraph over the queries: {mean:.1f}x")


if __name__ == "__main__":
    main()
