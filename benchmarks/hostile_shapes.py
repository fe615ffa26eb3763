"""Does extraction stay linear on hostile shapes of text (issue 15 item 9)?

Each shape is one kind of thing a finder looks for, repeated with variation until the file is
100 kB, then doubled to 1.6 MB: numbers in prose, claims, IHL rules, UN symbols, the rows of
one HTML table, astral text (emoji and mathematical letters), and hyphenated line breaks. Each
file is read and extracted as ``minekg extract`` does (``reading.read`` then ``extract``); the
time is CPU seconds of this process (time.process_time), so other work on the machine does not
skew it, and the fastest of --repeat runs (3) counts. The ratio is the time of a size over the
time of half that size: linear work gives 2.0, quadratic 4.0. The run fails (exit 1) when any
doubling costs more than --limit (2.5).

Run: .venv/bin/python benchmarks/hostile_shapes.py [--shapes numbers claims] [--kb 100 200]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from minekg.extract import extract
from minekg.inputs import Reference, load_reference
from minekg.reading import read

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 2.5
MONTHS = "January February March April May June July August September October November December"


def _numbers(i: int) -> str:
    return (
        f"In {1990 + i % 35}, {1000 + i:,} mines and {i % 900 + 10} 460 items were cleared over "
        f"{i % 97}.5 km² of land, and some {i % 9 + 1}.2 million people, {i % 50 + 3} per cent "
        f"of them children, were at risk in {i % 28 + 1} {MONTHS.split()[i % 12]}.\n\n"
    )


def _claims(i: int) -> str:
    return (
        f"Armenia deliberately planted {i + 100:,} landmines in civilian areas of Lachin, in "
        f"violation of its obligations, and refused to hand over the maps for {i % 30 + 1} "
        f"years.\n\n"
    )


def _rules(i: int) -> str:
    return (
        f"This is prohibited by rules {i % 160 + 1} and {(i + 7) % 160 + 1} of customary "
        f"international humanitarian law, as is rule {(i + 40) % 160 + 1}.\n\n"
    )


def _symbols(i: int) -> str:
    return (
        f"See documents A/{70 + i % 10}/{i % 900 + 100}, S/{2000 + i % 25}/{i % 999 + 1} and "
        f"General Assembly resolution {60 + i % 19}/{i % 300 + 1}.\n\n"
    )


def _astral(i: int) -> str:
    return f"Mines 💣 near 𝒜𝓇𝒶𝒹 {i} 🇦🇿 — clearance 🧨 area 𝕂 {i % 77} 😀😀.\n\n"


def _hyphens(i: int) -> str:
    return (
        f"The post-con-\nflict demin-\ning oper-\nations in region {i} con-\ntinued with hu-\n"
        "manitarian as-\nsistance.\n"
    )


def _table_rows(size: int) -> str:
    rows: list[str] = []
    total = 0
    i = 0
    while total < size:
        row = f"<tr><td>{1990 + i % 35}</td><td>{1000 + i:,}</td><td>mines cleared</td></tr>\n"
        rows.append(row)
        total += len(row.encode())
        i += 1
    return "<html><body><table>\n" + "".join(rows) + "</table></body></html>\n"


def _repeated(unit: Callable[[int], str]) -> Callable[[int], str]:
    def text(size: int) -> str:
        parts: list[str] = []
        total = 0
        i = 0
        while total < size:
            part = unit(i)
            parts.append(part)
            total += len(part.encode())
            i += 1
        return "".join(parts)

    return text


SHAPES: dict[str, tuple[str, Callable[[int], str]]] = {
    "numbers": (".txt", _repeated(_numbers)),
    "claims": (".txt", _repeated(_claims)),
    "rules": (".txt", _repeated(_rules)),
    "symbols": (".txt", _repeated(_symbols)),
    "table": (".html", _table_rows),
    "astral": (".txt", _repeated(_astral)),
    "hyphens": (".txt", _repeated(_hyphens)),
}


def _seconds(path: Path, reference: Reference) -> float:
    gc.collect()  # what the previous run left is not collected on this one's time
    started = time.process_time()
    extract(read(path), reference)
    return time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shapes", nargs="*", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument("--kb", type=int, nargs="*", default=[100, 200, 400, 800, 1600])
    parser.add_argument("--limit", type=float, default=LIMIT)
    parser.add_argument("--repeat", type=int, default=3, help="Runs per size; the fastest counts.")
    args = parser.parse_args()
    reference = load_reference(ROOT / "data" / "reference")
    extract(read(ROOT / "README.md"), reference)  # builds the pipeline and matchers once
    worst = 0.0
    print(f"{'shape':<9}" + "".join(f"{kb:>9} kB" for kb in args.kb) + "   ratios per doubling")
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.shapes:
            suffix, make = SHAPES[name]
            times: list[float] = []
            for kb in args.kb:
                path = Path(scratch) / f"{name}-{kb}{suffix}"
                path.write_text(make(kb * 1000), encoding="utf-8")
                times.append(min(_seconds(path, reference) for _ in range(args.repeat)))
            ratios = [b / max(a, 1e-3) for a, b in zip(times, times[1:], strict=False)]
            worst = max([worst, *ratios])
            print(
                f"{name:<9}"
                + "".join(f"{seconds:>10.2f}s" for seconds in times)
                + "   "
                + " ".join(f"{ratio:.2f}" for ratio in ratios),
                flush=True,
            )
    verdict = "ok" if worst <= args.limit else "TOO SLOW"
    print(f"worst ratio per doubling: {worst:.2f} (limit {args.limit}): {verdict}")
    return 0 if worst <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
