"""minekg publish after a rebuild: only what changed is written, and the site is the same as a
publish into an empty folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import CORPUS, ROOT
from minekg import publish
from minekg.pipeline import Paths, build, write

RECORD = "aze-pr-letter-2021-08-09"
OTHER_RECORD = "A-78-908"


def site_state(site: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file of a site: its bytes, inode and modification time."""
    return {
        path.relative_to(site).as_posix(): (
            path.read_bytes(),
            path.stat().st_ino,
            path.stat().st_mtime_ns,
        )
        for path in sorted(site.rglob("*"))
        if path.is_file()
    }


def publish_into(paths: Paths, site: Path) -> None:
    publish.publish(paths.out, site, paths.ontology, [ROOT / "queries"])


@pytest.fixture
def changed_project(copy_of_project: Paths) -> Paths:
    write(build(copy_of_project, sources=CORPUS), copy_of_project)
    return copy_of_project


def edit_record(paths: Paths) -> None:
    """A new title for one document (a label other pages show) and its citations dropped
    (resources that disappear)."""
    path = paths.data / "records" / f"{RECORD}.yaml"
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["document"]["title"] += " (as circulated)"
    del record["citations"]
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_an_incremental_publish_touches_only_changed_files_and_equals_a_fresh_one(
    changed_project: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    publish_into(changed_project, site)
    before = site_state(site)
    edit_record(changed_project)
    write(build(changed_project, sources=CORPUS), changed_project)

    rendered: list[str] = []
    render = publish.resource_files

    def counted(found: publish.Index, *args: object, **kwargs: object) -> dict[str, bytes]:
        rendered.append(str(found.path(args[1])))  # type: ignore[arg-type]
        return render(found, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(publish, "resource_files", counted)
    publish_into(changed_project, site)
    monkeypatch.undo()
    after = site_state(site)
    fresh = tmp_path / "fresh"
    publish_into(changed_project, fresh)

    assert {name: state[0] for name, state in after.items()} == {
        name: state[0] for name, state in site_state(fresh).items()
    }
    same_bytes = {name for name in after if name in before and before[name][0] == after[name][0]}
    untouched = {name for name in after if name in before and before[name][1:] == after[name][1:]}
    assert same_bytes == untouched
    gone = sorted(set(before) - set(after))
    assert any(name.startswith(f"id/citation/{RECORD}/") for name in gone), gone
    assert f"graph/{RECORD}.html" not in untouched
    assert f"graph/{OTHER_RECORD}.html" in untouched
    # Resources whose page inputs did not change were not rendered again; every changed one was.
    resources = set(json.loads(after[publish.MANIFEST][0])["pages"])
    changed = {page for page in resources if f"{page}.html" not in untouched}
    assert changed <= set(rendered) <= resources
    assert f"graph/{OTHER_RECORD}" not in rendered and f"id/document/{OTHER_RECORD}" not in rendered
