"""The dumps read the same in independent RDF parsers: Raptor (``rapper``) and Serd (``serdi``),
both from Debian (``make system-deps`` installs them), and pyoxigraph, which minekg writes with."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

BASE = "https://w3id.org/minekg/"
# dump -> (rapper's name of its syntax, serdi's, pyoxigraph's)
SYNTAXES = {
    "minekg.nq": ("nquads", "nquads", ox.RdfFormat.N_QUADS),
    "minekg.trig": ("trig", "trig", ox.RdfFormat.TRIG),
    "minekg.ttl": ("turtle", "turtle", ox.RdfFormat.TURTLE),
}


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: `make system-deps` installs raptor2-utils and serdi"
    return found


def as_quads(nquads: bytes) -> set[ox.Quad]:
    return set(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))


def rapper(path: Path, syntax: str) -> set[ox.Quad]:
    command = [tool("rapper"), "-q", "-i", syntax, "-o", "nquads", str(path), BASE]
    return as_quads(subprocess.run(command, capture_output=True, check=True, timeout=120).stdout)


def serdi(path: Path, syntax: str) -> set[ox.Quad]:
    command = [tool("serdi"), "-i", syntax, "-o", "nquads", str(path)]
    return as_quads(subprocess.run(command, capture_output=True, check=True, timeout=120).stdout)


@pytest.mark.system
@pytest.mark.parametrize("dump", sorted(SYNTAXES))
def test_raptor_serd_and_pyoxigraph_read_every_quad_of_the_dumps_alike(
    written: Path, dump: str
) -> None:
    raptor_syntax, serd_syntax, oxigraph_format = SYNTAXES[dump]
    path = written / dump
    oxigraph = set(ox.parse(path=path, format=oxigraph_format, base_iri=BASE))
    assert len(oxigraph) > 8000
    assert rapper(path, raptor_syntax) == oxigraph
    assert serdi(path, serd_syntax) == oxigraph
    graphs = {q.graph_name for q in oxigraph}
    assert graphs == {ox.DefaultGraph()} if dump == "minekg.ttl" else len(graphs) > 5
