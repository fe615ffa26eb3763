"""out/ is replaced in one step: a build killed at any moment leaves the old or the new complete
output, never none or a mix, and the next run removes what the killed one left (issue 15 item 6).

Each kill is deterministic: a child process replaces one step of ``minekg.folders`` with the
step followed (or preceded) by SIGKILL, so no ``finally`` or ``except`` of the child runs, as
with ``kill -9``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from minekg import folders
from minekg.cli import main
from minekg.pipeline import Paths

OLD = {"a.txt": b"old a", "b/c.txt": b"old c"}
NEW = {"a.txt": b"new a", "b/c.txt": b"new c", "d.txt": b"new d"}

CHILD = textwrap.dedent(
    """
    import os, signal, shutil, sys
    from pathlib import Path
    from minekg import folders

    target, step = Path(sys.argv[1]), sys.argv[2]
    NEW = {"a.txt": b"new a", "b/c.txt": b"new c", "d.txt": b"new d"}

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def fill(folder):
        for number, (name, payload) in enumerate(sorted(NEW.items())):
            if step == "filling" and number == 1:
                die()
            (folder / name).parent.mkdir(exist_ok=True)
            (folder / name).write_bytes(payload)

    exchange, rename, rmtree = folders._exchange, os.rename, shutil.rmtree
    if step == "before-swap":
        folders._exchange = lambda *paths: die()
    if step == "after-swap":
        folders._exchange = lambda *paths: exchange(*paths) and die()
    if step == "removing-old":
        def half_then_die(path, **options):
            next(p for p in sorted(Path(path).rglob("*")) if p.is_file()).unlink()
            die()
        folders.shutil.rmtree = half_then_die
    if step == "between-renames":  # the fallback where no exchange is possible
        folders._exchange = lambda *paths: False
        def rename_then_die(one, other):
            rename(one, other)
            if Path(other).name.endswith("-old"):
                die()
        folders.os.rename = rename_then_die
    if step.startswith("build:"):
        folders._exchange = lambda *paths: exchange(*paths) and die()
        from minekg.cli import main
        main(step.removeprefix("build:").split("|"))
    else:
        folders.write_atomically(target, fill)
    """
)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _beside(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name != target.name)


def _killed_at(target: Path, step: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(target), step], capture_output=True, text=True
    )
    assert done.returncode == -9, f"the child was not killed at {step}: {done.stderr}"


@pytest.mark.parametrize(
    ("step", "left"),
    [
        ("filling", OLD),
        ("before-swap", OLD),
        ("after-swap", NEW),
        ("removing-old", NEW),
    ],
)
def test_a_write_killed_at_any_step_leaves_the_old_or_the_new_output(
    tmp_path: Path, step: str, left: dict[str, bytes]
) -> None:
    out = tmp_path / "out"
    folders.write_atomically(out, lambda folder: _fill(folder, OLD))
    _killed_at(out, step)
    assert _snapshot(out) == left
    assert _beside(out), "the killed write left its staging folder (the next run removes it)"
    assert folders.clean_beside(out)
    assert _beside(out) == [] and _snapshot(out) == left


def test_the_fallback_killed_between_its_renames_is_put_back_by_the_next_run(
    tmp_path: Path,
) -> None:
    """Without an exchange (or after minekg before this one) out/ can go missing for a moment."""
    out = tmp_path / "out"
    folders.write_atomically(out, lambda folder: _fill(folder, OLD))
    _killed_at(out, "between-renames")
    assert not out.exists() and (tmp_path / ".out-old").is_dir()
    folders.clean_beside(out)
    assert _snapshot(out) == OLD and _beside(out) == []
    folders.write_atomically(out, lambda folder: _fill(folder, NEW))
    assert _snapshot(out) == NEW and _beside(out) == []


def test_a_first_write_puts_the_folder_in_place(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    folders.write_atomically(out, lambda folder: _fill(folder, NEW))
    assert _snapshot(out) == NEW and _beside(out) == []
    assert oct(out.stat().st_mode & 0o777) == "0o755"


def test_a_leftover_of_a_living_run_is_kept(tmp_path: Path) -> None:
    with folders.staging(tmp_path, ".ingest-") as living:
        dead = tmp_path / ".ingest-dead"
        dead.mkdir()
        (dead / "A-1.yaml").write_text("key: A-1\n", encoding="utf-8")
        assert folders.clean_leftovers(tmp_path, ".ingest-") == [dead]
        assert living.is_dir() and not dead.exists()
    assert not living.exists()


def _fill(folder: Path, files: dict[str, bytes]) -> None:
    for name, payload in files.items():
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(payload)


def _build_args(paths: Paths) -> list[str]:
    return [
        "build",
        "--data",
        str(paths.data),
        "--ontology",
        str(paths.ontology),
        "--out",
        str(paths.out),
        "--no-reasoner",
    ]


def test_a_build_killed_after_the_swap_leaves_the_new_build_and_the_next_cleans_up(
    copy_of_project: Paths, written: Path
) -> None:
    shutil.copytree(written, copy_of_project.out)
    before = _snapshot(copy_of_project.out)
    assert json.loads(before["summary.json"])["owl_consistent"] is True
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "-", "build:" + "|".join(_build_args(copy_of_project))],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == -9, done.stderr
    after = _snapshot(copy_of_project.out)
    assert sorted(after) == sorted(before), "the new out/ is complete"
    assert json.loads(after["summary.json"])["owl_consistent"] is None, "and it is the new one"
    assert [n for n in _beside(copy_of_project.out) if n.startswith(".out-")], "old output left"

    record = copy_of_project.data / "records" / "A-79-690.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "review: draft\n", encoding="utf-8")
    result = CliRunner().invoke(main, _build_args(copy_of_project))
    assert result.exit_code != 0
    assert f"{copy_of_project.out}/ was left as it was" in result.output, result.output
    assert not [n for n in _beside(copy_of_project.out) if n.startswith(".out-")]
    assert _snapshot(copy_of_project.out) == after


def test_a_failed_first_build_says_it_wrote_nothing(copy_of_project: Paths) -> None:
    record = copy_of_project.data / "records" / "A-79-690.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "review: draft\n", encoding="utf-8")
    result = CliRunner().invoke(main, _build_args(copy_of_project))
    assert result.exit_code != 0
    assert f"no {copy_of_project.out}/ was written" in result.output, result.output
    assert not copy_of_project.out.exists()
