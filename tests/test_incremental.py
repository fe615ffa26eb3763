"""The build's cache: a rebuild redoes exactly the documents whose inputs changed, and what it
serves from the cache is what a build from scratch would make.

Each test builds a scratch project once (filling ``.minekg-cache/`` beside ``out/``), changes one
input, rebuilds, and compares the rebuild with a build of the changed project in a fresh folder
with no cache at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from minekg import pipeline
from minekg.pipeline import Paths

pytestmark = pytest.mark.slow

CALIBER = "caliber-az-2024-12-azerbaijan-urges-un"
DOCUMENTS = 5


def _build(paths: Paths) -> pipeline.BuildResult:
    result = pipeline.build(paths, reasoner=False)
    pipeline.write(result, paths)
    return result


def _from_scratch(paths: Paths, tmp_path: Path) -> Paths:
    fresh = Paths(paths.data, paths.ontology, tmp_path / "fresh" / "out")
    _build(fresh)
    return fresh


def _dumps(out: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in sorted(out.iterdir())
        if p.is_file() and p.name != "graph.html"  # the page is made from minekg.nq
    }


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def cached(copy_of_project: Paths) -> Paths:
    first = _build(copy_of_project)
    assert (first.computed.mapped, first.computed.checked) == (DOCUMENTS, DOCUMENTS)
    assert pipeline.cache_dir(copy_of_project).is_dir()
    return copy_of_project


def test_a_rebuild_with_nothing_changed_redoes_nothing_and_writes_the_same(cached: Paths) -> None:
    before = _dumps(cached.out)
    again = _build(cached)
    assert (again.computed.mapped, again.computed.checked) == (0, 0)
    assert _dumps(cached.out) == before


def test_a_changed_record_redoes_that_document_only(cached: Paths, tmp_path: Path) -> None:
    _edit(cached.data / "records" / f"{CALIBER}.yaml", "value: 3460", "value: 3450")
    again = _build(cached)
    assert (again.computed.mapped, again.computed.checked) == (1, 1)
    assert "3,450" in (cached.out / "report.txt").read_text(encoding="utf-8")
    assert _dumps(cached.out) == _dumps(_from_scratch(cached, tmp_path).out)


def _store_statements(out: Path) -> tuple[set[ox.Quad], set[ox.Quad]]:
    """The statements of ``out/store`` and those of ``out/minekg.nq``."""
    disk = ox.Store.read_only(str(out / "store"))
    return set(disk), set(ox.parse(path=out / "minekg.nq", format=ox.RdfFormat.N_QUADS))


def _tables(out: Path) -> set[int]:
    return {path.stat().st_ino for path in (out / "store").glob("*.sst")}


def test_a_changed_record_updates_the_last_store_and_it_holds_what_the_dump_holds(
    cached: Paths,
) -> None:
    """The store starts from the last build's (its table files linked, not rewritten) and
    takes the change; unless out/ was changed by hand, when it is loaded afresh from the dump."""
    tables = _tables(cached.out)
    _edit(cached.data / "records" / f"{CALIBER}.yaml", "value: 3460", "value: 3450")
    _build(cached)
    in_store, in_dump = _store_statements(cached.out)
    assert in_store == in_dump and any("3450" in str(q.object) for q in in_store)
    assert tables & _tables(cached.out)
    tables = _tables(cached.out)
    (cached.out / "report.txt").write_text("edited by hand\n", encoding="utf-8")
    _edit(cached.data / "records" / f"{CALIBER}.yaml", "value: 3450", "value: 3440")
    _build(cached)
    in_store, in_dump = _store_statements(cached.out)
    assert in_store == in_dump and any("3440" in str(q.object) for q in in_store)
    assert not tables & _tables(cached.out)


def test_a_changed_reference_entry_redoes_every_document(cached: Paths, tmp_path: Path) -> None:
    _edit(cached.data / "reference" / "states.yaml", "label: Azerbaijan", "label: Azerbaidjan")
    again = _build(cached)
    assert (again.computed.mapped, again.computed.checked) == (DOCUMENTS, DOCUMENTS)
    assert b'"Azerbaidjan"@en' in (cached.out / "minekg.nq").read_bytes()
    assert _dumps(cached.out) == _dumps(_from_scratch(cached, tmp_path).out)


def test_a_changed_shape_revalidates_every_document_and_remaps_none(
    cached: Paths, tmp_path: Path
) -> None:
    _edit(cached.ontology / "shapes.ttl", "A figure gives no date", "A figure is undated")
    again = _build(cached)
    assert (again.computed.mapped, again.computed.checked) == (0, DOCUMENTS)
    report = (cached.out / "report.txt").read_text(encoding="utf-8")
    assert "A figure is undated" in report and "A figure gives no date" not in report
    assert _dumps(cached.out) == _dumps(_from_scratch(cached, tmp_path).out)


def test_a_record_read_from_the_cache_still_names_the_line_of_its_problem(
    cached: Paths, tmp_path: Path
) -> None:
    """The cache keeps a record's parsed data, not its YAML tree: a problem found on a later
    build (an author the reference data no longer has) names the same line as with no cache."""
    _edit(cached.data / "reference" / "persons.yaml", "key: khagan-isayev", "key: k-isayev")
    with pytest.raises(pipeline.BuildFailed) as from_cache:
        _build(cached)
    with pytest.raises(pipeline.BuildFailed) as from_scratch:
        _build(Paths(cached.data, cached.ontology, tmp_path / "fresh" / "out"))
    problems = [str(error) for error in from_cache.value.errors]
    assert problems == [str(error) for error in from_scratch.value.errors]
    assert any(f"{CALIBER}.yaml:13: document.author" in problem for problem in problems), problems


def test_a_torn_cache_entry_is_recomputed_not_served(cached: Paths) -> None:
    before = _dumps(cached.out)
    entries = sorted((pipeline.cache_dir(cached) / "map").rglob("*.json"))
    entries[0].write_text('{"key": "A-79-690", "nq', encoding="utf-8")
    again = _build(cached)
    assert (again.computed.mapped, again.computed.checked) == (1, 0)
    assert _dumps(cached.out) == before


def test_the_cache_is_beside_out_and_a_removed_cache_is_rebuilt(cached: Paths) -> None:
    assert pipeline.cache_dir(cached) == cached.out.parent / ".minekg-cache"
    shutil.rmtree(pipeline.cache_dir(cached))
    again = _build(cached)
    assert (again.computed.mapped, again.computed.checked) == (DOCUMENTS, DOCUMENTS)


def _stats(out: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}


def test_minekg_build_with_nothing_changed_says_so_and_leaves_out_alone(
    copy_of_project: Paths,
) -> None:
    """As make does: the same inputs and options and an out/ nobody touched need no build;
    any change to an input, to the options or to out/ itself builds again."""
    from click.testing import CliRunner

    from minekg.cli import main

    def build(*extra: str) -> str:
        args = ["build", "--project", str(copy_of_project.data.parent), "--no-reasoner", *extra]
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    assert build().startswith("Built 5 documents")
    before = _stats(copy_of_project.out)
    again = build()
    assert again.startswith("Nothing changed since the last build"), again
    assert "SHACL validation: conforms" in again
    assert _stats(copy_of_project.out) == before
    (copy_of_project.out / "report.txt").write_text("edited by hand\n", encoding="utf-8")
    assert build().startswith("Built 5 documents")  # out/ was changed: built again
    assert build("--base", "https://example.org/kg/").startswith("Built 5 documents")
    assert build("--base", "https://example.org/kg/").startswith("Nothing changed")
    _edit(copy_of_project.data / "reference" / "states.yaml", "label: Armenia", "label: Armenia.")
    assert build("--base", "https://example.org/kg/").startswith("Built 5 documents")
