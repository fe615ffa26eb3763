"""minekg: a knowledge graph of landmine and mine-action documents, every statement attributed."""

from minekg.errors import InputError, InputErrors, MinekgError
from minekg.pipeline import BuildResult, Paths, build, write

__all__ = ["BuildResult", "InputError", "InputErrors", "MinekgError", "Paths", "build", "write"]
