"""How long `minekg build` takes on the embedded data, stage by stage, against a baseline.

The baseline is what any tool pays for this graph: rdflib parsing the N-Quads dump of the same
dataset. The ratio says how much the build costs beyond merely loading its own output.
Run: .venv/bin/python benchmarks/build_time.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyshacl import validate
from rdflib import Dataset, Graph

from minekg import checks, mapping, reasoning
from minekg.inputs import load_records, load_reference
from minekg.pipeline import Paths, build, write

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/minekg/"


class Stopwatch:
    """Collects the seconds each named stage takes, run after run."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds.setdefault(name, []).append(now - self._last)
        self._last = now

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])


def rules_in_rdflib(dataset: Dataset, rules: Path) -> None:
    """What the rules cost before they ran in Oxigraph: pyshacl on rdflib's memory store."""
    data, _ = checks.union_of(dataset)
    shapes = Graph().parse(rules, format="turtle")
    validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)


def run_once(paths: Paths, watch: Stopwatch) -> int:
    watch.lap("(start)")
    reference = load_reference(paths.data / "reference")
    watch.lap("load reference")
    records, _ = load_records(paths.data / "records", reference)
    watch.lap("load records")
    vocabulary = mapping.load_vocabulary(paths.ontology)
    dataset = mapping.build_dataset(reference, records, vocabulary, BASE)
    watch.lap("map to RDF")
    checks.validate(dataset, [paths.ontology / "shapes.ttl"])
    watch.lap("SHACL shapes (rdflib memory store)")
    checks.validate(dataset, [paths.ontology / "rules.ttl"])
    watch.lap("consistency rules (Oxigraph)")
    rules_in_rdflib(dataset, paths.ontology / "rules.ttl")
    watch.lap("consistency rules in rdflib's engine")
    reasoning.check_consistency(dataset)
    watch.lap("OWL consistency (HermiT, JVM)")
    result = build(paths)
    watch.lap("build (all of the above)")
    write(result, paths)
    watch.lap("write outputs (dumps, page, plots)")
    Dataset().parse(paths.out / "minekg.nq", format="nquads")
    watch.lap("baseline: rdflib parses minekg.nq")
    command = [sys.executable, "-m", "minekg", "build", "--out", str(paths.out)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    watch.lap("`minekg build` as a new process")
    return len(result.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    paths = Paths(ROOT / "data", ROOT / "ontology", Path(tempfile.mkdtemp()) / "out")
    watch = Stopwatch()
    documents = 0
    for _ in range(args.repeat):
        documents = run_once(paths, watch)
    print(
        f"minekg build on the embedded data ({documents} documents), "
        f"median of {args.repeat} runs; in-process rows exclude imports"
    )
    print(f"{'stage':40} {'median s':>9} {'min s':>7}")
    for name, values in watch.seconds.items():
        if name != "(start)":
            print(f"{name:40} {statistics.median(values):9.3f} {min(values):7.3f}")
    build_and_write = watch.median("build (all of the above)") + watch.median(
        "write outputs (dumps, page, plots)"
    )
    ratio = build_and_write / watch.median("baseline: rdflib parses minekg.nq")
    print(f"ratio (build + write) / baseline: {ratio:.1f}x")
    speedup = watch.median("consistency rules in rdflib's engine") / watch.median(
        "consistency rules (Oxigraph)"
    )
    print(f"ratio rules in rdflib / rules in Oxigraph: {speedup:.1f}x")


if __name__ == "__main__":
    main()
