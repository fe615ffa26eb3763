"""minekg as a user gets it: a wheel installed into a fresh virtualenv, run from an empty folder.

Nothing of the checkout is on the path there, so whatever minekg needs and does not ship in the
wheel (ontology, shapes, named queries, templates) fails here first. The fresh environment reads
the dependencies from the development one (a ``.pth`` line, which adds a folder without running
the editable install's hooks in it), so the test takes seconds, not a reinstall of spaCy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin/`` of a fresh virtualenv with the minekg wheel (and only it) installed."""
    root = tmp_path_factory.mktemp("install")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", root / "dist", ROOT],
        check=True,
        capture_output=True,
    )
    (wheel,) = (root / "dist").glob("minekg-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", venv / "bin/python", "install", "-q"]
        + ["--no-deps", wheel],
        check=True,
        capture_output=True,
    )
    return venv / "bin"


def run(bin_dir: Path, folder: Path, *args: object, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "MINEKG_PROJECT"}
    return subprocess.run(
        [bin_dir / "minekg", *map(str, args)],
        cwd=folder,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project holding only data/: the ontology and queries must come from the wheel."""
    folder = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "data", folder / "data")
    return folder


def test_the_wheel_is_what_runs(installed: Path, tmp_path: Path) -> None:
    found = subprocess.run(
        [installed / "python", "-c", "import minekg.project as p; print(p.__file__, p.ONTOLOGY)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT / "src") not in found and str(installed.parent) in found


def test_every_command_works_from_an_empty_folder(
    installed: Path, project: Path, tmp_path: Path
) -> None:
    built = run(installed, tmp_path, "build", "--project", project, "--no-reasoner")
    assert built.returncode == 0, built.stderr
    assert (project / "out" / "minekg.nq").is_file() and not list(tmp_path.iterdir())

    checked = run(installed, tmp_path, "check", "--no-reasoner", MINEKG_PROJECT=str(project))
    assert checked.returncode == 0, checked.stderr
    assert "SHACL: conforms" in checked.stdout and "7 warning(s)" in checked.stdout

    listed = run(installed, tmp_path, "query", "--list")
    assert (
        listed.returncode == 0
        and "timeline" in listed.stdout
        and "ihl-rules-invoked" in listed.stdout
    )

    timeline = run(
        installed, tmp_path, "query", "timeline", "--project", project, "--format", "csv"
    )
    assert timeline.returncode == 0, timeline.stderr
    assert len(timeline.stdout.splitlines()) > 10

    extracted = run(
        installed, tmp_path, "extract", CORPUS / "000_e0f3878713b30c27.txt", "--project", project
    )
    assert extracted.returncode == 0, extracted.stderr
    assert "Azerbaijan" in extracted.stdout

    published = run(installed, tmp_path, "publish", "--project", project)
    assert published.returncode == 0, published.stderr
    assert (project / "site" / "id" / "state" / "aze.html").is_file()
    assert (project / "site" / "queries" / "timeline.rq").is_file()


def test_a_check_that_cannot_find_its_shapes_or_project_exits_2(
    installed: Path, project: Path, tmp_path: Path
) -> None:
    (tmp_path / "ontology").mkdir()
    graph = tmp_path / "graph.ttl"
    graph.write_text("<https://example.org/a> a <https://example.org/B> .\n", encoding="utf-8")
    empty = tmp_path / "ontology"
    no_shapes = run(installed, tmp_path, "check", "--graph", graph, "--ontology", empty)
    assert no_shapes.returncode == 2
    assert "nothing could be checked" in no_shapes.stderr and "conforms" not in no_shapes.stdout
    no_project = run(installed, tmp_path, "check")
    assert no_project.returncode == 2 and "no minekg project" in no_project.stderr
