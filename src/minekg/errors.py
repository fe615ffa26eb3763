"""The errors minekg reports to people, each with the exit code the command line ends with.

    MinekgError                 anything minekg explains in one sentence instead of a traceback (1)
    ├── SetupError              what a command needs is missing: no project, no shapes, no
    │                           reference data, a bad option value; nothing was checked (2)
    ├── InputError              one problem in one input file: file, line, field, what is wrong (1)
    └── InputErrors             several InputErrors found in one pass (all are reported) (1)

The command line prints each ``InputError`` on one line, ``FILE:LINE: FIELD: PROBLEM``, and exits
with the error's code; a failed build leaves the last good output untouched.
"""

from __future__ import annotations

from pathlib import Path


class MinekgError(Exception):
    """A failure minekg can explain to its user."""

    exit_code = 1


class SetupError(MinekgError):
    """The command could not run at all, so it says nothing about the data (exit code 2)."""

    exit_code = 2


class InputError(MinekgError):
    """One problem in one input file."""

    def __init__(self, file: Path | str, line: int | None, field: str | None, problem: str):
        self.file, self.line = str(file), line
        self.field = _one_line(field, 120) if field is not None else None
        self.problem = _one_line(problem, 300)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.problem}" if self.field else f"{where}: {self.problem}"
        )


class InputErrors(MinekgError):
    """Every problem found in one pass over the inputs, so a user fixes them all at once.

    ``summary`` is the closing line the command line prints after the problems themselves.
    """

    def __init__(self, errors: list[InputError], summary: str = ""):
        self.errors, self.summary = errors, summary
        super().__init__("\n".join(str(e) for e in errors))


def _one_line(text: str, most: int) -> str:
    """A problem quotes the value it refuses: never a multi-megabyte one whole, never a line
    break, nothing a terminal cannot print (a lone surrogate)."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\n", "\\n")
    if len(text) > most:
        text = f"{text[: most - 40]}… ({len(text) - most + 40:,} more characters)"
    return text
