"""The command line: light to start, and its option values the ones the stages define.

``options.py`` spells some choices and defaults out rather than importing the stage that owns
them, so that ``minekg --help`` imports no heavy library; these tests keep the two in step.
"""

from __future__ import annotations

import subprocess
import sys

import click

from minekg import reading, reasoning, show
from minekg.cli import main
from minekg.vocab import DEFAULT_BASE


def _option(command: str, name: str) -> click.Option:
    found = next(p for p in main.commands[command].params if p.name == name)
    assert isinstance(found, click.Option)
    return found


def test_option_values_are_the_stages_own() -> None:
    kind = _option("show", "kind")
    assert isinstance(kind.type, click.Choice) and tuple(kind.type.choices) == show.KINDS
    assert _option("show", "limit").default == show.DEFAULT_LIMIT
    infer = _option("check", "infer")
    assert isinstance(infer.type, click.Choice)
    assert sorted(infer.type.choices) == sorted(reasoning.PROFILES)
    for command in ("extract", "ingest"):
        assert _option(command, "max_mb").default * 2**20 == reading.MAX_BYTES
    assert _option("build", "base").default == _option("query", "base").default == DEFAULT_BASE


def test_help_imports_no_heavy_library() -> None:
    """What `minekg --help` loads: click and minekg's own light modules, no RDF or NLP stack."""
    probe = (
        "import sys; from minekg.cli import main\n"
        "heavy = {'rdflib', 'pyshacl_turbo', 'owlready2', 'spacy', 'matplotlib', 'networkx',"
        " 'pyvis', 'pyoxigraph', 'starlette', 'httpx', 'pydantic'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert loaded.stdout.strip() == "[]", loaded.stderr
