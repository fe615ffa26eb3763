"""The per-document tasks run on any concurrent.futures executor with the same result: local
processes (``--workers``) and a real Dask cluster (``--scheduler``) on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from distributed import LocalCluster

from minekg import pipeline
from minekg.cli import main
from minekg.pipeline import Paths

pytestmark = pytest.mark.slow


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def _build(paths: Paths, *extra: str) -> None:
    args = ["build", "--data", str(paths.data), "--ontology", str(paths.ontology)]
    result = CliRunner().invoke(main, [*args, "--out", str(paths.out), "--no-reasoner", *extra])
    assert result.exit_code == 0, result.output


def _fresh(paths: Paths, name: str) -> Paths:
    """The same project built into a folder of its own, so that no cache is shared."""
    return Paths(paths.data, paths.ontology, paths.out.parent / name / "out")


def test_local_processes_and_a_dask_cluster_build_the_same_bytes(copy_of_project: Paths) -> None:
    alone, local, dask = (_fresh(copy_of_project, n) for n in ("alone", "local", "dask"))
    _build(alone, "--workers", "1")
    # Batches of 25 documents: five records make one batch, which runs in the build's process;
    # a smaller batch sends them to the executor.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline.tasks, "BATCH", 2)
        _build(local, "--workers", "2")
        with LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster:
            _build(dask, "--scheduler", cluster.scheduler_address)
    assert _outputs(local.out) == _outputs(alone.out)
    assert _outputs(dask.out) == _outputs(alone.out)


def test_an_unreachable_scheduler_is_one_clear_error(copy_of_project: Paths) -> None:
    args = ["build", "--data", str(copy_of_project.data), "--out", str(copy_of_project.out)]
    result = CliRunner().invoke(main, [*args, "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2, result.output
    assert "--scheduler tcp://127.0.0.1:9: cannot reach it" in result.output
    assert not copy_of_project.out.exists()
