"""Reading a source document: its text, cleaned for extraction, with a map back to the original.

Extraction reads clean text (lines joined, split words mended, page furniture dropped), but every
quote minekg keeps must be an exact substring of the file a reviewer can open. So reading returns
both texts and, for each character of the clean text, where it came from in the original.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceText:
    """One document as read: ``text`` for the extractor, ``original`` for quoting.

    ``offsets[i]`` is the index in ``original`` of ``text[i]``; it has one extra entry, the end.
    """

    path: Path
    original: str
    text: str
    offsets: tuple[int, ...]
    sha256: str
    media_type: str

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that the clean span ``text[start:end]`` was read from."""
        if start >= end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def quote(self, start: int, end: int) -> tuple[str, int, int]:
        """The exact original text behind ``text[start:end]``, with its offsets in the original."""
        first, last = self.to_original(start, end)
        return self.original[first:last], first, last


def read(path: Path) -> SourceText:
    """Read a plain-text document as it is (the identity map)."""
    data = path.read_bytes()
    text = data.decode("utf-8")
    return SourceText(
        path=path,
        original=text,
        text=text,
        offsets=tuple(range(len(text) + 1)),
        sha256=hashlib.sha256(data).hexdigest(),
        media_type="text/plain",
    )
