"""Replacing a folder (``out/``, a published site) in one step, and removing what killed runs left.

Everything is written into a fresh folder beside the target (``.out-new-XXXX``), which is then
exchanged with the target in one ``renameat2(RENAME_EXCHANGE)`` call: at every instant ``out/``
is either the old or the new complete output. It stays a real folder, so every path to it
(scripts, ``minekg serve --graph out/store``, ``cp -r out``) works as before, and a project built
by an older minekg needs nothing done to it. After the exchange the staging name holds the old
output, which is removed. A symlink swapped by one rename would be atomic too, but would turn
``out/`` into a link that ``cp -r`` and ``rm -r`` treat differently and that a resolved path
stops following.

Where the kernel or filesystem cannot exchange (not Linux, some network filesystems), the
target is moved to ``.out-old`` and the new folder into its place, as minekg did before: a run
killed between the two leaves no ``out/``, and the next run moves ``.out-old`` back.

A killed run leaves only folders with the staging prefix. Each run holds a lock on its own
staging folder while it lives (the kernel drops it when the process dies), and the next run
removes every leftover whose lock it can take, so a run at the same time keeps its own.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_LIBC = ctypes.CDLL(None, use_errno=True)


def write_atomically(target: Path, write: Callable[[Path], None]) -> None:
    """Let ``write`` fill a fresh folder, then put it in place of ``target`` in one step."""
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_beside(target)
    with staging(target.parent, f".{target.name}-new-") as folder:
        folder.chmod(0o755)  # mkdtemp makes it private; out/ is meant to be read and served
        write(folder)
        with _locked(target.parent):
            if not target.exists():
                os.rename(folder, target)
            elif not _exchange(folder, target):
                old = _old(target)
                shutil.rmtree(old, ignore_errors=True)
                os.rename(target, old)
                os.rename(folder, target)
                shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staging(parent: Path, prefix: str) -> Iterator[Path]:
    """A fresh folder in ``parent``, locked while in use and removed afterwards (with whatever
    is under its name then: after an exchange, the old output)."""
    with _locked(parent):  # no other run's cleaning sees it before it is locked
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        handle = os.open(folder, os.O_RDONLY)
        fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(handle)


def clean_beside(target: Path) -> list[Path]:
    """Remove what killed writes of ``target`` left beside it; return what was removed.

    A run killed between the two renames of the fallback (or of minekg before this module) left
    the output as ``.<name>-old`` and no ``target``: that is moved back first.
    """
    if not target.parent.is_dir():
        return []
    with _locked(target.parent):
        if not target.exists() and _old(target).is_dir():
            os.rename(_old(target), target)
        found = sorted(target.parent.glob(f".{target.name}-new-*"))
        return _remove_unheld(found + ([_old(target)] if _old(target).is_dir() else []))


def clean_leftovers(parent: Path, prefix: str) -> list[Path]:
    """Remove the folders ``prefix*`` in ``parent`` that no living run holds; return them."""
    if not parent.is_dir():
        return []
    with _locked(parent):
        return _remove_unheld(sorted(parent.glob(f"{prefix}*")))


def _remove_unheld(folders: list[Path]) -> list[Path]:
    removed = [folder for folder in folders if _unheld(folder)]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def _old(target: Path) -> Path:
    return target.with_name(f".{target.name}-old")


def _unheld(folder: Path) -> bool:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(handle)


@contextmanager
def _locked(parent: Path) -> Iterator[None]:
    """Hold ``parent`` (the folder itself, so no lock file is left) while names change in it."""
    handle = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def _exchange(one: Path, other: Path) -> bool:
    """Swap two paths in one step; False where the system cannot (then nothing changed)."""
    renameat2 = getattr(_LIBC, "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(one), _AT_FDCWD, os.fsencode(other), _RENAME_EXCHANGE)
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(other))
