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

from rdflib import Dataset

from minekg import checks, mapping
from minekg.pipeline import Paths, build, write
from minekg.inputs import load_records, load_reference

ROOT = Path(__file__).resolve().parents[1]


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    paths = Paths(ROOT / "data", ROOT / "ontology", Path(tempfile.mkdtemp()) / "out")
    rows: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        t_ref, reference = timed(lambda: load_reference(paths.data / "reference"))
        t_rec, (records, _) = timed(lambda: load_records(paths.data / "records", reference))
        vocabulary = mapping.load_vocabulary(paths.ontology)
        t_map, dataset = timed(lambda: mapping.build_dataset(reference, records, vocabulary,
                                                             "https://w3id.org/minekg/"))
        t_val, _ = timed(lambda: checks.validate(dataset, paths.ontology / "shapes.ttl"))
        t_all, result = timed(lambda: build(paths))
        t_write, _ = timed(lambda: write(result, paths))
        t_base, _ = timed(lambda: Dataset().parse(paths.out / "minekg.nq", format="nquads"))
        t_cli, _ = timed(lambda: subprocess.run(
            [sys.executable, "-m", "minekg", "build", "--out", str(paths.out)], cwd=ROOT,
            check=True, capture_output=True))
        for name, seconds in (("load reference", t_ref), ("load records", t_rec),
                              ("map to RDF", t_map), ("SHACL validation", t_val),
                              ("build (all of the above)", t_all), ("write dumps", t_write),
                              ("build + write", t_all + t_write),
                              ("`minekg build` as a new process", t_cli),
                              ("baseline: rdflib parses minekg.nq", t_base)):
            rows.setdefault(name, []).append(seconds)
    quads = sum(1 for _ in result.dataset.quads())
    print(f"minekg build on the embedded data: {len(result.records)} documents, {quads:,} quads, "
          f"median of {args.repeat} runs (in-process, after imports)")
    print(f"{'stage':36} {'median s':>9} {'min s':>7}")
    for name, values in rows.items():
        print(f"{name:36} {statistics.median(values):9.3f} {min(values):7.3f}")
    ratio = statistics.median(rows["build + write"]) / statistics.median(
        rows["baseline: rdflib parses minekg.nq"])
    print(f"ratio build+write / baseline: {ratio:.1f}x")


if __name__ == "__main__":
    main()
