"""How long `minekg check` takes on the corpus graph, stage by stage, against a baseline.

The baseline is rdflib parsing the same TriG file: the least any check on this graph costs.
Run after `make build`: .venv/bin/python benchmarks/check_time.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rdflib import Dataset

from minekg import checks, reasoning

ROOT = Path(__file__).resolve().parents[1]
GRAPH = ROOT / "out" / "minekg.trig"
ONTOLOGY = ROOT / "ontology"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not GRAPH.is_file():
        sys.exit(f"{GRAPH} is missing: run `make build` first")
    seconds: dict[str, list[float]] = {}

    def lap(name: str, started: float) -> float:
        now = time.perf_counter()
        seconds.setdefault(name, []).append(now - started)
        return now

    for _ in range(args.repeat):
        started = time.perf_counter()
        dataset = Dataset()
        dataset.parse(GRAPH, format="trig")
        started = lap("baseline: rdflib parses minekg.trig", started)
        checks.validate(dataset, [ONTOLOGY / "shapes.ttl"])
        started = lap("SHACL shapes", started)
        checks.validate(dataset, [ONTOLOGY / "rules.ttl"])
        started = lap("consistency rules (SHACL-SPARQL)", started)
        reasoning.check_consistency(dataset)
        started = lap("OWL consistency (HermiT, incl. JVM start)", started)
        subprocess.run(
            [sys.executable, "-m", "minekg", "check", str(GRAPH)],
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        lap("`minekg check` as a new process", started)
    quads = sum(1 for _ in dataset.quads())
    print(f"minekg check on {GRAPH.name} ({quads:,} quads), median of {args.repeat} runs")
    print(f"{'stage':44} {'median s':>9} {'min s':>7}")
    for name, values in seconds.items():
        print(f"{name:44} {statistics.median(values):9.3f} {min(values):7.3f}")
    ratio = statistics.median(seconds["`minekg check` as a new process"]) / statistics.median(
        seconds["baseline: rdflib parses minekg.trig"]
    )
    print(f"ratio check / baseline: {ratio:.1f}x")


if __name__ == "__main__":
    main()
