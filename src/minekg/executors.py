"""Where a build's per-document tasks run: this process, local worker processes, or a Dask cluster.

The tasks (``tasks``) take any ``concurrent.futures.Executor``, so one code path serves all three:
``--workers N`` gives N local processes (started by a fork server that has imported minekg once,
so a worker costs no second import and inherits no threads), ``--scheduler tcp://HOST:PORT`` the
workers of a running Dask distributed scheduler (``distributed.Client.get_executor``), whose
machines need minekg installed but no shared disk: the build reads and writes its cache itself.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from minekg.errors import SetupError


@contextmanager
def executor(workers: int, scheduler: str | None) -> Iterator[Executor | None]:
    """The executor the options ask for; None runs every task in this process (``--workers 1``)."""
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise SetupError(f"--scheduler {scheduler}: cannot reach it ({exc})") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif workers > 1:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["minekg.tasks"])
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            yield pool
    else:
        yield None
