"""How fast `minekg extract` reads and extracts documents, and how much memory it takes.

The corpus (5 documents) is repeated to --documents (1,000 by default) and run in one process on
one core. Rates are per CPU second of this process (time.process_time), so other work on the
machine does not skew them; wall-clock seconds are shown beside. Two baselines run in the same
process on the same files: reading alone (decoding and cleaning, minekg.reading) and a plain
regex tokenization of the raw files, the least any text tool does. The target is 50 documents
per second for read + extract.

Plain text in bulk (issue 11 item 4: 1 MB/s per core, linear in size): the development
documents of ../shared/devdocs (UN report, treaties, speeches, releases) are joined into files of
--plain-mb sizes, as paragraphs and as one line, and read + extracted one by one; the table
gives MB per CPU second beside reading alone on the same file, and how the time per MB grows
from the smallest file to the largest (1.0 is linear).
Run: .venv/bin/python benchmarks/extract_speed.py [--documents N] [--plain-mb 0.5 1 2] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import re
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from minekg.extract import extract
from minekg.inputs import load_reference
from minekg.reading import read

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
DEVDOCS = ROOT.parent / "shared" / "devdocs"
TARGET = 50.0
TARGET_MB = 1.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(paths: list[Path], work: Callable[[Path], object]) -> tuple[float, float]:
    """CPU seconds and wall-clock seconds that ``work`` takes over all paths."""
    cpu, wall = time.process_time(), time.perf_counter()
    for path in paths:
        work(path)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="Print the top functions.")
    parser.add_argument("--plain-mb", type=float, nargs="*", default=[0.5, 1.0, 2.0])
    args = parser.parse_args()
    corpus = sorted(CORPUS.glob("0*.txt"))
    paths = list(itertools.islice(itertools.cycle(corpus), args.documents))
    reference = load_reference(ROOT / "data" / "reference")
    megabytes = sum(p.stat().st_size for p in paths) / 2**20

    def read_and_extract(path: Path) -> object:
        return extract(read(path), reference).to_record("benchmark")

    started = time.perf_counter()
    for path in corpus:  # builds the spaCy pipeline and matchers once, as any process does
        read_and_extract(path)
    warm_up = time.perf_counter() - started
    rss_after_warm_up = peak_rss_mb()

    rows = [
        ("baseline: regex tokens of raw files", timed(paths, _tokens)),
        ("reading alone (decode + clean)", timed(paths, read)),
        ("read + extract + draft record", timed(paths, read_and_extract)),
    ]
    tracemalloc.start()
    timed(corpus, read_and_extract)
    _, peak_heap = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(
        f"{args.documents} documents ({len(corpus)} corpus files repeated, {megabytes:.1f} MB), "
        "one process, one core"
    )
    print(f"{'stage':40} {'CPU s':>7} {'wall s':>7} {'docs/s':>8} {'MB/s':>6}")
    for name, (cpu, wall) in rows:
        print(f"{name:40} {cpu:7.2f} {wall:7.2f} {len(paths) / cpu:8.1f} {megabytes / cpu:6.2f}")
    extract_seconds = rows[2][1][0]
    rate = len(paths) / extract_seconds
    print(f"warm-up (pipeline built once per process): {warm_up:.2f} s")
    print(
        f"peak memory: {peak_rss_mb():.0f} MB resident for the process "
        f"({rss_after_warm_up:.0f} MB after warm-up); "
        f"{peak_heap / 2**20:.1f} MB Python heap peak for one pass over the corpus"
    )
    print(f"ratio read+extract / reading alone: {extract_seconds / rows[1][1][0]:.1f}x")
    print(f"ratio read+extract / regex baseline: {extract_seconds / rows[0][1][0]:.1f}x")
    verdict = "meets" if rate >= TARGET else "MISSES"
    print(f"{rate:.1f} docs per CPU second {verdict} the target of {TARGET:.0f} docs/s")
    if args.plain_mb:
        _plain_text(sorted(args.plain_mb), read_and_extract)
    if args.profile:
        _profile(corpus * 20, read_and_extract)


def _plain_text(sizes: list[float], work: Callable[[Path], object]) -> None:
    """MB per CPU second on big plain-text files, beside reading alone, and the growth of the
    time per MB with the size (linear: 1.0)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(DEVDOCS.glob("0*.txt"))]
    paragraphs = "\n\n".join(texts) + "\n\n"
    one_line = " ".join(" ".join(t.split()) for t in texts) + " "
    print()
    print(f"plain text from {len(texts)} devdocs, one file at a time, one core")
    print(f"{'file':22} {'MB':>6} {'read s':>7} {'total s':>8} {'MB/s':>6} {'vs read':>8}")
    with tempfile.TemporaryDirectory() as folder:
        for shape, unit in (("paragraphs", paragraphs), ("one line", one_line)):
            per_mb = []
            for size in sizes:
                path = Path(folder) / f"{shape.replace(' ', '-')}-{size:g}.txt"
                count = int(size * 2**20 / len(unit)) + 1
                path.write_text((unit * count)[: int(size * 2**20)], encoding="utf-8")
                megabytes = path.stat().st_size / 2**20
                reading_cpu, _ = timed([path], read)
                cpu, _ = timed([path], work)
                per_mb.append(cpu / megabytes)
                print(
                    f"{shape + f' {size:g} MB':22} {megabytes:6.2f} {reading_cpu:7.2f} "
                    f"{cpu:8.2f} {megabytes / cpu:6.2f} {cpu / reading_cpu:7.1f}x"
                )
            growth = per_mb[-1] / per_mb[0]
            print(f"{shape}: time per MB grows {growth:.2f}x from {sizes[0]:g} to {sizes[-1]:g} MB")
    best = 1 / min(per_mb)
    verdict = "meets" if best >= TARGET_MB else "MISSES"
    print(f"{best:.2f} MB per CPU second {verdict} the target of {TARGET_MB:g} MB/s")


def _tokens(path: Path) -> int:
    return len(re.findall(r"\w+", path.read_text(encoding="utf-8")))


def _profile(paths: list[Path], work: Callable[[Path], object]) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(timed, paths, work)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


if __name__ == "__main__":
    main()
