"""The query store holds exactly what the build wrote, named graphs included."""

from __future__ import annotations

from pathlib import Path

import pytest

from minekg import store
from minekg.errors import MinekgError


def test_store_holds_every_statement_of_the_build(built, written: Path) -> None:
    loaded = store.load(written)
    assert len(loaded) == len(set(built.dataset.quads()))
    graphs = {str(g.value) for g in loaded.named_graphs()}
    assert {str(g.identifier) for g in built.dataset.graphs() if len(g)} <= graphs | {
        "urn:x-rdflib:default"
    }


def test_store_reads_a_single_rdf_file(tmp_path: Path) -> None:
    path = tmp_path / "one.ttl"
    path.write_text("<https://example.org/a> <https://example.org/b> 1 .\n", encoding="utf-8")
    assert len(store.load(path)) == 1


@pytest.mark.parametrize(
    "name, content, problem",
    [
        ("notes.txt", "hello", "not an RDF file"),
        ("broken.ttl", "<a> <b", "not valid Turtle"),
        ("missing.nq", None, "no such file"),
    ],
)
def test_store_names_the_file_and_the_problem(tmp_path, name, content, problem) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(MinekgError, match=problem) as caught:
        store.load(path)
    assert str(path) in str(caught.value)


def test_a_build_folder_is_opened_as_its_store_on_disk_read_only(
    written: Path, tmp_path: Path
) -> None:
    import shutil

    import pyoxigraph as ox

    copy = tmp_path / "out"
    shutil.copytree(written, copy)
    (copy / store.DUMP).unlink()  # nothing left to parse: the store is what is read
    opened = store.open_graph(copy)
    dump = set(ox.parse(path=str(written / store.DUMP), format=ox.RdfFormat.N_QUADS))
    assert set(opened.store) == dump
    assert opened.base == "https://w3id.org/minekg/"
    with pytest.raises(RuntimeError, match="read-write"):
        opened.store.add(next(iter(dump)))
