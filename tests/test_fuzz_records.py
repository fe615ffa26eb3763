"""Broken records never crash or hang the build (issue 15 item 7).

A seeded fuzzer mutates the five reviewed records of data/records in the ways a careless user
or an attacker would: keys deleted, values of the wrong type, huge strings, odd Unicode, broken
addresses, YAML alias bombs and recursive aliases, duplicate keys, wrong offsets, unknown
references, deep nesting, tags no safe loader constructs, dates far out of range, values like
``1e999999``, invalid language tags, a figure whose value is not the number its quote prints.
Each variant must give either one ``FILE:LINE: FIELD: problem`` line of bounded length, or a
record that loads, maps and serializes like any other. The variants go through what the build
runs on each record, in this process (the loader, the check against the sources, the mapping
of one document); a few of them go through the ``minekg build`` command itself, which must
fail in one line each and leave out/ as it was.
"""

from __future__ import annotations

import copy
import random
import re
import shutil
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CORPUS, ROOT
from minekg import mapping, tasks
from minekg.errors import InputError
from minekg.inputs import check_sources, load_record, load_reference
from minekg.vocab import DEFAULT_BASE, IRIs

RECORDS = sorted((ROOT / "data" / "records").glob("*.yaml"))
SEED = 15
LONGEST_LINE = 500  # an error line quotes a value shortened, never whole
SLOWEST = 5.0  # seconds for one variant; a hang shows as a failure, not as a stuck suite
PLACEHOLDER = "FUZZ-PLACEHOLDER"

ODD_TEXT = [
    "\ufdd0",  # a noncharacter
    "\uffff",
    "\U0001f4a3 astral",
    "\ud800",  # a lone surrogate (written as a YAML escape)
    "\udfff tail",
    "\u2028line separator",
    "\u202eright-to-left override",
    "\x00nul",
    "\x07bell",
    "\U000f0000",  # private use, plane 15
    "ＡＢＣ fullwidth",
]
ODD_URLS = [
    "https://example.org/a b",
    "https://example.org/\ufdd0",
    "https://example.org/\U0001f4a3",
    "https://example.org/\ud800",
    "https://example.org/\x00",
    "javascript:alert(document.domain)",
    "http://",
    "https://" + "a" * 100_000 + ".org/",
    "https://exa mple.org/",
    "https://example.org/<script>",
]
TAGS = [
    '!!python/object/apply:os.system ["echo owned"]',
    "!!python/name:os.system",
    "!unknown-tag 1",
    '!!binary "not base64 @@@"',
    "!!timestamp 2024-13-45",
    "!!set {a, b}",
    "!!float nope",
    "!!omap [a, b]",
    "!!int 0xZZ",
]
FAR_DATES = ["0001-01-01", "9999-12-31", "99999", "-2000000", "0000", "1000000-01-01", "10000"]
BIG_VALUES = ["1e999999", "1e-999999", ".inf", ".nan", "-.inf", "1" * 5000, "NaN", "1E+30"]
BAD_LANGUAGES = ["not a tag!", "x" * 80, "", "en_US", "e", "12", "en--gb", "\U0001f4a3"]
REFERENCE_FIELDS = {
    "entity",
    "claimant",
    "accused",
    "places",
    "author",
    "author_org",
    "author_post",
    "addressee",
    "publisher",
    "document",
    "established_by",
    "recorded_by",
    "participants",
    "organizers",
    "part",
}


def _paths(data: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every location in the data, mappings' keys and list items alike."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*at, key)
            yield from _paths(value, (*at, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield (*at, index)
            yield from _paths(value, (*at, index))


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _dump(data: Any) -> str:
    """libyaml's emitter, or PyYAML's for a lone surrogate (written as a ``\\ud800`` escape)."""
    options: dict[str, Any] = {"allow_unicode": True, "sort_keys": False, "width": 1000}
    try:
        return yaml.dump(data, Dumper=yaml.CSafeDumper, **options)
    except UnicodeEncodeError:
        return yaml.dump(data, Dumper=yaml.SafeDumper, **options)


class Fuzzer:
    """Variants of one record's text, each made by one mutation chosen with a seeded RNG."""

    def __init__(self, text: str, rng: random.Random):
        self.text, self.rng = text, rng
        self.data = yaml.load(text, Loader=yaml.CSafeLoader)
        self.paths = list(_paths(self.data))

    def _copy(self) -> Any:
        return copy.deepcopy(self.data)

    def _pick(self, accept: Callable[[tuple[Any, ...], Any], bool]) -> tuple[Any, ...]:
        chosen = [p for p in self.paths if accept(p, _get(self.data, p))]
        return self.rng.choice(chosen)

    def _with(self, path: tuple[Any, ...], value: Any) -> str:
        data = self._copy()
        _set(data, path, value)
        return _dump(data)

    def _placed(self, path: tuple[Any, ...], raw_yaml: str) -> str:
        """The record with raw YAML text in place of the value at ``path``."""
        return self._with(path, PLACEHOLDER).replace(PLACEHOLDER, raw_yaml, 1)

    def _named(self, names: set[str]) -> tuple[Any, ...]:
        return self._pick(lambda p, v: isinstance(p[-1], str) and p[-1] in names)

    def deleted_key(self) -> str:
        path = self._pick(lambda p, v: isinstance(p[-1], str))
        data = self._copy()
        del _get(data, path[:-1])[path[-1]]
        return _dump(data)

    def wrong_type(self) -> str:
        path = self._pick(lambda p, v: True)
        wrong = self.rng.choice([[], {}, 0, -1, True, None, "text", 3.5, [1, [2]], {"a": "b"}])
        return self._with(path, wrong)

    def huge_string(self) -> str:
        path = self._pick(lambda p, v: isinstance(v, str))
        return self._with(path, self.rng.choice("ax ") * 3_000_000)

    def odd_unicode(self) -> str:
        path = self._pick(lambda p, v: isinstance(v, str))
        value = _get(self.data, path)
        odd = self.rng.choice(ODD_TEXT)
        return self._with(path, self.rng.choice([odd, value + odd, odd + value]))

    def odd_url(self) -> str:
        data = self._copy()
        data["source"]["url"] = self.rng.choice(ODD_URLS)
        return _dump(data)

    def alias_bomb(self) -> str:
        path = self._pick(lambda p, v: isinstance(v, str))
        levels = ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        levels += [f"&a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
        return self._placed(path, "[" + ", ".join(levels) + "]")

    def recursive_alias(self) -> str:
        path = self._pick(lambda p, v: isinstance(v, str))
        return self._placed(path, self.rng.choice(["&r [*r]", "&r {a: *r}", "&r [1, [2, *r]]"]))

    def duplicate_key(self) -> str:
        lines = self.text.splitlines(keepends=True)
        candidates = [
            n
            for n, line in enumerate(lines)
            if re.match(r"^ *[a-z_]+: \S", line) and not line.lstrip().startswith("#")
        ]
        n = self.rng.choice(candidates)
        return "".join(lines[: n + 1] + [lines[n]] + lines[n + 1 :])

    def wrong_offset(self) -> str:
        path = self._pick(lambda p, v: p[-1] == "at")
        return self._with(path, self.rng.choice([-1, 10**30, "12", 1.5, 10**6, True, None]))

    def unknown_reference(self) -> str:
        path = self._pick(
            lambda p, v: (
                isinstance(v, str) and (p[-1] in REFERENCE_FIELDS or p[-2:-1] == ("accused",))
            )
        )
        return self._with(path, self.rng.choice(["atlantis", "zz-unknown", "A-0-0"]))

    def deep_nesting(self) -> str:
        path = self._pick(lambda p, v: isinstance(v, str))
        depth = self.rng.choice([200, 5_000, 100_000])
        deep = self.rng.choice(["[" * depth + "]" * depth, "{a: " * depth + "1" + "}" * depth])
        return self._placed(path, deep)

    def bad_tag(self) -> str:
        path = self._pick(lambda p, v: not isinstance(v, (dict, list)))
        return self._placed(path, self.rng.choice(TAGS))

    def far_date(self) -> str:
        path = self._named({"date", "as_of", "start", "end", "distributed", "period_start"})
        return self._with(path, self.rng.choice(FAR_DATES))

    def big_value(self) -> str:
        path = self._named({"value"})
        return self._placed(path, self.rng.choice(BIG_VALUES))

    def misread_value(self) -> str:
        """A value typed wrong beside a true quote (30 as 3.75), caught with the sources."""
        figures = [
            n
            for n, figure in enumerate(self.data.get("figures", []))
            if figure.get("value") is not None and re.search(r"\d", figure["quote"])
        ]
        n = self.rng.choice(figures)
        return self._with(("figures", n, "value"), float(self.data["figures"][n]["value"]) / 8)

    def bad_language(self) -> str:
        data = self._copy()
        data["document"]["language"] = self.rng.choice(BAD_LANGUAGES)
        return _dump(data)


# How many variants of each kind, for each of the five records.
PLAN = {
    "deleted_key": 12,
    "wrong_type": 12,
    "huge_string": 1,
    "odd_unicode": 8,
    "odd_url": 4,
    "alias_bomb": 1,
    "recursive_alias": 2,
    "duplicate_key": 3,
    "wrong_offset": 3,
    "unknown_reference": 4,
    "deep_nesting": 2,
    "bad_tag": 3,
    "far_date": 3,
    "big_value": 3,
    "bad_language": 2,
    "misread_value": 2,
}


def variants() -> Iterator[tuple[str, Path, str]]:
    rng = random.Random(SEED)
    for path in RECORDS:
        fuzzer = Fuzzer(path.read_text(encoding="utf-8"), rng)
        for kind, count in PLAN.items():
            for _ in range(count):
                yield kind, path, getattr(fuzzer, kind)()


@pytest.fixture(scope="module")
def reference():
    return load_reference(ROOT / "data" / "reference")


@pytest.fixture(scope="module")
def map_context(reference) -> Callable[[Any], tasks.MapContext]:
    vocabulary = mapping.load_vocabulary(ROOT / "ontology")

    def context(item: Any) -> tasks.MapContext:
        refs = mapping.ReferenceIRIs(reference, [item], IRIs(DEFAULT_BASE))
        return tasks.MapContext(refs, vocabulary.units, {"@vocab": DEFAULT_BASE}, "fuzz")

    return context


def _outcome(target: Path, reference, map_context) -> str:
    """ "error" or "built"; anything else fails the test with what happened."""
    keys = {path.stem for path in RECORDS}
    try:
        item = load_record(target, reference, keys)
        errors = check_sources(item, CORPUS)
        if errors:
            raise errors[0]
        tasks.map_batch(map_context(item), [item])
    except InputError as exc:
        line = str(exc)
        assert "\n" not in line and len(line) <= LONGEST_LINE, line[:2000]
        assert re.match(rf"{re.escape(str(target))}:\d+: \S", line), line
        return "error"
    return "built"


def test_300_broken_variants_of_the_records_each_fail_in_one_line_or_build(
    tmp_path: Path, reference, map_context
) -> None:
    outcomes: Counter[tuple[str, str]] = Counter()
    folder = tmp_path / "records"
    folder.mkdir()
    for number, (kind, original, text) in enumerate(variants()):
        target = folder / original.name
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
        started = time.perf_counter()
        try:
            outcome = _outcome(target, reference, map_context)
        except AssertionError:
            raise
        except Exception as exc:
            shutil.copy(target, tmp_path / f"crash-{number}.yaml")
            pytest.fail(f"variant {number} ({kind} of {original.name}) crashed: {exc!r}"[:2000])
        took = time.perf_counter() - started
        assert took < SLOWEST, f"variant {number} ({kind} of {original.name}) took {took:.1f} s"
        outcomes[(kind, outcome)] += 1
    total = sum(outcomes.values())
    print(
        f"\n{total} variants: "
        + ", ".join(f"{k} {o}: {n}" for (k, o), n in sorted(outcomes.items()))
    )
    assert total >= 300
    for kind in ("alias_bomb", "recursive_alias", "deep_nesting", "bad_tag", "big_value"):
        assert outcomes[(kind, "built")] == 0, f"a {kind} variant was accepted"
    assert outcomes[("bad_language", "built")] == 0
    assert outcomes[("misread_value", "built")] == 0


def test_an_alias_bomb_is_refused_in_bounded_time_and_memory(tmp_path: Path, reference) -> None:
    levels = ["&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"&a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 12)]
    text = RECORDS[0].read_text(encoding="utf-8")
    target = tmp_path / RECORDS[0].name
    target.write_text(text + f"bomb: [{', '.join(levels)}]\n", encoding="utf-8")
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(InputError) as refused:
        load_record(target, reference, {path.stem for path in RECORDS})
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert took < 2.0 and peak < 50 * 2**20, (took, peak)
    assert re.match(
        rf"{re.escape(str(target))}:\d+: bomb[.\d]*: aliases repeat", str(refused.value)
    )


@pytest.mark.parametrize(
    ("kind", "needle"),
    [
        ("alias_bomb", "&a9"),
        ("odd_url", "<script>"),
        ("far_date", ""),
        ("bad_tag", "!!python"),
        ("big_value", "1e999999"),
        ("misread_value", ""),
    ],
)
def test_the_build_command_fails_in_one_line_and_leaves_out_alone(
    copy_of_project, written: Path, kind: str, needle: str
) -> None:
    """The CLI path, in a process of its own, as a user runs it."""
    chosen = next((path, text) for k, path, text in variants() if k == kind and needle in text)
    shutil.copytree(written, copy_of_project.out)
    before = sorted((p.name, p.read_bytes()) for p in copy_of_project.out.rglob("*") if p.is_file())
    target = copy_of_project.data / "records" / chosen[0].name
    target.write_text(chosen[1], encoding="utf-8", errors="surrogatepass")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "minekg",
            "build",
            "--no-reasoner",
            "--project",
            str(copy_of_project.data.parent),
            "--ontology",
            str(copy_of_project.ontology),
            "--sources",
            str(CORPUS),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert any(line.startswith(f"error: {target}:") for line in errors), done.stderr[:3000]
    assert all(len(line) <= LONGEST_LINE + 10 for line in done.stderr.splitlines())
    after = sorted((p.name, p.read_bytes()) for p in copy_of_project.out.rglob("*") if p.is_file())
    assert after == before
