"""minekg: a knowledge graph of landmine and mine-action documents, every statement attributed.

The public API is what ``__all__`` names. It is imported lazily, so ``import minekg`` (and
``minekg --help``) loads no heavy library until a name is used.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "BuildResult",
    "Graph",
    "InputError",
    "InputErrors",
    "MinekgError",
    "Paths",
    "build",
    "open_graph",
    "write",
]

_HOMES = {
    "BuildResult": "minekg.pipeline",
    "Paths": "minekg.pipeline",
    "build": "minekg.pipeline",
    "write": "minekg.pipeline",
    "Graph": "minekg.api",
    "open_graph": "minekg.api",
    "InputError": "minekg.errors",
    "InputErrors": "minekg.errors",
    "MinekgError": "minekg.errors",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'minekg' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
