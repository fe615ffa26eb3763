"""The errors minekg reports to people.

    MinekgError                 anything minekg explains in one sentence instead of a traceback
    ├── InputError              one problem in one input file: file, line, field, what is wrong
    └── InputErrors             several InputErrors found in one pass (all are reported)

The command line prints each ``InputError`` on one line, ``FILE:LINE: FIELD: PROBLEM``, and exits
non-zero; a failed build leaves the last good output untouched.
"""

from __future__ import annotations

from pathlib import Path


class MinekgError(Exception):
    """A failure minekg can explain to its user."""


class InputError(MinekgError):
    """One problem in one input file."""

    def __init__(self, file: Path | str, line: int | None, field: str | None, problem: str):
        self.file, self.line, self.field, self.problem = str(file), line, field, problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.problem}" if self.field else f"{where}: {self.problem}"
        )


class InputErrors(MinekgError):
    """Every problem found in one pass over the inputs, so a user fixes them all at once."""

    def __init__(self, errors: list[InputError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
