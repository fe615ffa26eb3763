"""How `minekg publish` and serve's page rendering grow with the corpus (issue 12, item 6).

For each N, a corpus of N documents made as ``scale.py`` makes it is built (not timed), then:

- full publish: a publish into an empty folder, the baseline;
- one record changed: one record edited and the corpus rebuilt (not timed), then a publish into
  the site already there, which renders only the resources whose page inputs changed; the ratio
  is against the full publish of the same run;
- a page rendered from the store, as ``minekg serve`` renders it with no site: the first page
  (which reads the labels and ``#`` parts once) and the mean over a sample of pages.

Times are CPU seconds of this process (``time.process_time``), since the machine is shared; the
publishes run in this process, so they are what the CLI pays less its start-up.

Run: .venv/bin/python benchmarks/publish_scale.py [--sizes 100,1000] [--sample 50]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scale import RECORDS, ROOT, make_corpus, table

from minekg import publish, serve

ONTOLOGY = ROOT / "ontology"
QUERIES = [ROOT / "queries"]


def build(folder: Path) -> Path:
    command = [sys.executable, "-m", "minekg", "build", "--workers", "2"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"minekg build failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return folder / "out"


def cpu(action: object, *args: object, **kwargs: object) -> tuple[float, object]:
    started = time.process_time()
    result = action(*args, **kwargs)  # type: ignore[operator]
    return time.process_time() - started, result


def measure(documents: int, sample: int) -> dict[str, float]:
    folder = make_corpus(Path(tempfile.mkdtemp(prefix=f"minekg-publish-{documents}-")), documents)
    out = build(folder)
    site = folder / "site"
    row: dict[str, float] = {}
    row["full publish s"], files = cpu(publish.publish, out, site, ONTOLOGY, QUERIES)
    row["pages"] = sum(name.endswith(".html") for name in files)  # type: ignore[union-attr]
    changed = folder / "data" / "records" / f"{RECORDS[1].stem}-g0.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("3461", "3462", 1))
    build(folder)
    mtimes = {path: path.stat().st_mtime_ns for path in site.rglob("*") if path.is_file()}
    row["one-change publish s"], _ = cpu(publish.publish, out, site, ONTOLOGY, QUERIES)
    row["files rewritten"] = sum(
        1
        for path in site.rglob("*")
        if path.is_file() and mtimes.get(path) != path.stat().st_mtime_ns
    )
    row["ratio one-change/full"] = row["one-change publish s"] / row["full publish s"]
    manifest = json.loads((site / publish.MANIFEST).read_text(encoding="utf-8"))
    pages = sorted(manifest["pages"])
    chosen = pages[:: max(1, len(pages) // sample)][:sample]
    rendered = serve.StorePages(out, ONTOLOGY)
    seconds, _ = cpu(rendered.files, chosen[0])
    row["store: first page ms"] = seconds * 1000
    started = time.process_time()
    for page in chosen:
        assert rendered.files(page) is not None, page
    row["store: page ms (mean)"] = (time.process_time() - started) / len(chosen) * 1000
    shutil.rmtree(folder)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000", help="Comma-separated corpus sizes.")
    parser.add_argument("--sample", type=int, default=50, help="Pages rendered from the store.")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = table(sizes, lambda size: measure(size, args.sample))
    for size in sizes:
        ratio = rows[size]["ratio one-change/full"]
        print(f"N={size:,}: a one-record publish costs {ratio:.1%} of a full publish")


if __name__ == "__main__":
    main()
