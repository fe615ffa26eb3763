"""The README's two commands are the ones that work, and CI runs the second one."""

from __future__ import annotations

import re

from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def first_commands() -> list[str]:
    block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert block, "the README opens with a sh block of commands"
    return [line.split("#")[0].strip() for line in block[1].splitlines() if line.strip()]


def test_readme_opens_with_build_then_test() -> None:
    assert first_commands() == ["make build", "make test"]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert first_commands()[1] in ci.splitlines()


def test_makefile_defines_both_commands() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("build", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_the_python_example_runs_on_a_built_graph(written, tmp_path, monkeypatch) -> None:
    """The README's notebook example, as it stands, against a build: every line must work."""
    example = re.search(r"```python\n(.*?)```", README, re.S)
    assert example, "the README shows the Python API"
    (tmp_path / "out").symlink_to(written)
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(example[1], "README.md", "exec"), names)
    assert names["rules"] and {row["ruleNumber"] for row in names["rules"]} == {80, 82, 83, 132}
    assert list(names["frame"].columns) == list(names["cleared"].variables)
    assert len(names["frame"]) == len(names["cleared"]) >= 4
