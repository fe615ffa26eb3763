"""How `minekg build` and `minekg query` grow with the corpus: N documents from the reviewed five.

The corpus of N documents is the five reviewed records copied group by group: in group g every
record key gets the suffix ``-gG`` (and so does every reference to another record: ``related``,
``established_by``); every UN symbol a record prints for itself moves its number by 1,000 per
group (A/79/690 becomes A/79/1690 in group 0), so that a citation points at the copy of its own
group; and every date moves G years later, so that no two groups describe the same month and the
dated cross-source rules compare a group with itself only. Undated figures stay undated: rule 6
groups them by measure and place across every copy, as it would in a real archive.

For each N it prints: the full build (fresh folder, no cache) with its peak memory (the build
process and its workers), time per document, a rebuild with nothing changed, a rebuild with one
record changed, the time of each named query run as a new process, and the growth from the
previous N. Builds run HermiT (on the ontology and reference data, see pipeline.build).

Run: .venv/bin/python benchmarks/scale.py [--sizes 100,1000,10000] [--workers 2]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
# What the queries that require a parameter are asked about, in a corpus made here.
PARAMETERS = {
    "document-graph": "doc=A-79-690-g0",
    "event-accounts": "event=second-karabakh-war",
    "evidence": "node=figure/A-79-690-g0/mine_victims_total-2785",
    "figure-over-time": "measure=mine_victims_total",
}
RECORDS = sorted((ROOT / "data" / "records").glob("*.yaml"))
DATE_FIELD = re.compile(
    r"^(\s*(?:- )?(?:date|as_of|period_start|period_end): ['\"]?)(\d{4})", re.MULTILINE
)
SYMBOL = re.compile(r"\b([AS])/(\d+)/(\d+)\b")


def make_corpus(folder: Path, documents: int) -> Path:
    """A project with ``documents`` records (see the module's docstring); returns it."""
    shutil.copytree(ROOT / "data" / "reference", folder / "data" / "reference")
    records = folder / "data" / "records"
    records.mkdir(parents=True)
    keys = [path.stem for path in RECORDS]
    texts = [path.read_text(encoding="utf-8") for path in RECORDS]
    printed = sorted({s for text in texts for s in _printed_symbols(text)}, key=len, reverse=True)
    for n in range(documents):
        group, index = divmod(n, len(RECORDS))
        text = texts[index]
        for key in keys:
            text = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w])", f"{key}-g{group}", text)
        for symbol in printed:
            text = re.sub(rf"\b{re.escape(symbol)}\b", _moved(symbol, group), text)
        text = DATE_FIELD.sub(lambda m, g=group: m.group(1) + str(int(m.group(2)) + g), text)
        (records / f"{keys[index]}-g{group}.yaml").write_text(text, encoding="utf-8")
    return folder


def _printed_symbols(text: str) -> set[str]:
    """The symbols a record prints for itself (its own document's), not those it cites."""
    block = text.split("\ndocument:", 1)[-1].split("\nrelated:", 1)[0].split("\ncitations:", 1)[0]
    return {m.group(0) for m in SYMBOL.finditer(block)}


def _moved(symbol: str, group: int) -> str:
    """The symbol of the same document in another group: its number moved by 1,000 per group."""
    body, session, number = SYMBOL.fullmatch(symbol).groups()  # type: ignore[union-attr]
    return f"{body}/{session}/{int(number) + 1000 * (group + 1)}"


class PeakMemory:
    """Samples the resident memory of a process and its children every 50 ms; keeps the peak."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.peak = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(_rss(p) for p in tree))
            except psutil.NoSuchProcess:
                return
            time.sleep(0.05)

    def stop(self) -> int:
        self._done.set()
        self._thread.join()
        return self.peak


def _rss(process: psutil.Process) -> int:
    try:
        return int(process.memory_info().rss)
    except psutil.NoSuchProcess:
        return 0


def run(command: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds and peak memory (bytes) of a command; fails loudly if the command fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    memory = PeakMemory(process.pid)
    output, _ = process.communicate()
    seconds, peak = time.perf_counter() - started, memory.stop()
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{output.decode()[-3000:]}")
    return seconds, peak


def minekg(*args: str) -> list[str]:
    return [sys.executable, "-m", "minekg", *args]


def measure(documents: int, workers: int) -> dict[str, float]:
    folder = make_corpus(Path(tempfile.mkdtemp(prefix=f"minekg-scale-{documents}-")), documents)
    build = minekg("build", "--workers", str(workers))
    row: dict[str, float] = {}
    row["build s"], peak = run(build, folder)
    row["peak GB"] = peak / 1e9
    row["ms / doc"] = row["build s"] / documents * 1000
    row["no-change s"], _ = run(build, folder)
    changed = folder / "data" / "records" / f"{RECORDS[1].stem}-g0.yaml"
    changed.write_text(changed.read_text(encoding="utf-8").replace("3461", "3462", 1))
    row["one-change s"], _ = run(build, folder)
    for query in sorted((ROOT / "queries").glob("*.rq")):
        parameter = ["--param", PARAMETERS[query.stem]] if query.stem in PARAMETERS else []
        row[f"query {query.stem} s"], _ = run(minekg("query", query.stem, *parameter), folder)
    shutil.rmtree(folder)
    return row


def table(
    sizes: list[int], measure_size: Callable[[int], dict[str, float]]
) -> dict[int, dict[str, float]]:
    """Measure each size, print its row as it comes, then the table of all; return the rows."""
    rows = {}
    for size in sizes:
        rows[size] = measure_size(size)
        print(f"N = {size:,}: " + ", ".join(f"{k} {v:.2f}" for k, v in rows[size].items()))
        sys.stdout.flush()
    print(f"\n{'':28}" + "".join(f"{f'N={size:,}':>12}" for size in sizes))
    for name in rows[sizes[0]]:
        print(f"{name:28}" + "".join(f"{rows[size][name]:12.2f}" for size in sizes))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,10000", help="Comma-separated corpus sizes.")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = table(sizes, lambda size: measure(size, args.workers))
    for small, large in zip(sizes, sizes[1:], strict=False):
        ratio = rows[large]["build s"] / rows[small]["build s"]
        growth = f"{ratio:.1f} for {large / small:.0f}x the documents"
        print(f"build time ratio N={large:,} / N={small:,}: {growth}")


if __name__ == "__main__":
    main()
