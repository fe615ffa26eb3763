"""Shared fixtures: the project's own data built once, the corpus and the answer keys beside it."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import rdflib.plugin
import rdflib.query
import yaml
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.evaluate import evalQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query

from minekg.pipeline import BuildResult, Paths, build, write

ROOT = Path(__file__).resolve().parents[1]


class _PreparedQueries(SPARQLProcessor):
    """rdflib's SPARQL processor, parsing each distinct query text once per process.

    The tests run pyshacl, the reference engine, beside the build's pyshacl-turbo, and pyshacl
    passes every SPARQL target and constraint to rdflib as text, on every validation: pyparsing
    took most of that time. A translated query is what ``prepareQuery`` gives, made to be
    evaluated again and again; registered under rdflib's own name "sparql", it serves every
    query of the test process, with the same results.
    """

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,
        initBindings: Mapping[str, Any] | None = None,
        initNs: Mapping[str, Any] | None = None,
        base: str | None = None,
        DEBUG: bool = False,
    ) -> Mapping[str, Any]:
        if isinstance(strOrQuery, str):
            namespaces = tuple(sorted((initNs or {}).items()))
            strOrQuery = _translated(strOrQuery, base, namespaces)
        return evalQuery(self.graph, strOrQuery, initBindings or {}, base)


@functools.lru_cache(maxsize=1024)
def _translated(text: str, base: str | None, namespaces: tuple[tuple[str, Any], ...]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


rdflib.plugin.register("sparql", rdflib.query.Processor, __name__, "_PreparedQueries")


def _shared() -> Path:
    """The read-only material beside the project: ``../shared``, or ``$MINEKG_SHARED``; in a
    scratch clone of a checkout (``git clone . /tmp/x``), the one beside that checkout."""
    if "MINEKG_SHARED" in os.environ:
        return Path(os.environ["MINEKG_SHARED"])
    beside = ROOT.parent / "shared"
    if beside.is_dir():
        return beside
    origin = subprocess.run(
        ["git", "-C", str(ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and Path(origin).is_dir():
        return Path(origin).resolve().parent / "shared"
    return beside


SHARED = _shared()
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"


def fold(text: str) -> str:
    """Names compare after case, accent and punctuation folding (the answer keys' rule)."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split())


@pytest.fixture(scope="session")
def project_paths() -> Paths:
    return Paths(ROOT / "data", ROOT / "ontology", ROOT / "out")


@pytest.fixture(scope="session")
def built(project_paths: Paths) -> BuildResult:
    """The graph of the embedded data, every quote checked against ../shared/corpus."""
    assert CORPUS.is_dir(), f"the corpus is expected at {CORPUS}"
    return build(project_paths, sources=CORPUS)


@pytest.fixture(scope="session")
def written(built: BuildResult, project_paths: Paths, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build") / "out"
    write(built, Paths(project_paths.data, project_paths.ontology, out))
    return out


def gold_documents() -> list[tuple[str, dict]]:
    return [
        (path.stem, yaml.safe_load(path.read_text(encoding="utf-8")))
        for path in sorted(GOLD.glob("*.yaml"))
    ]


@pytest.fixture
def copy_of_project(tmp_path: Path) -> Paths:
    """A scratch copy of data/ and ontology/ that a test may break."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    return Paths(tmp_path / "data", tmp_path / "ontology", tmp_path / "out")


def assert_dumps_are_what_rdflib_writes(out: Path) -> None:
    """minekg writes N-Quads and compacted JSON-LD itself, without rdflib's serializers (issue
    12: they cost more than the mapping): what it writes must be what they write, to the byte,
    once put in the dumps' order."""
    from rdflib import Dataset

    from minekg import dumps

    dataset = Dataset()
    dataset.parse(out / "minekg.nq", format="nquads")
    lines = sorted(set(dataset.serialize(format="nquads", encoding="utf-8").splitlines(True)))
    assert b"".join(lines) == (out / "minekg.nq").read_bytes()
    context = json.loads((ROOT / "src" / "minekg" / "ontology" / "context.jsonld").read_text())
    text = dataset.serialize(format="json-ld", context=context["@context"], auto_compact=True)
    graphs = [dumps.Canonical.of(graph) for graph in json.loads(text)["@graph"]]
    expected = dumps.serialize_all(b"", graphs, context["@context"])["minekg.jsonld"]
    assert expected == (out / "minekg.jsonld").read_bytes()
