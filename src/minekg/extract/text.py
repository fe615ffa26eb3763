"""The text every finder reads: whitespace flattened, tokenized once, split into sentences.

Source texts break lines anywhere (PDF text puts " \\n\\n" inside a name), so finders read a
flat copy where every run of whitespace is one space; that keeps patterns simple and lets a
multi-word name match across a line break. Each flat offset maps back to the clean text and,
through :meth:`SourceText.quote`, to the exact original characters a quote must show.

The spaCy pipeline is blank English (tokenizer and rule-based sentencizer): no statistical
model, nothing downloaded, built once per process.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache, cached_property

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from minekg.reading import SourceText

WHITESPACE = re.compile(r"\s+")


@cache
def pipeline() -> Language:
    """spaCy's blank English pipeline with its rule-based sentence splitter, built once."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


@dataclass(frozen=True)
class Quote:
    """Evidence: the exact original characters and where they start and end in the file."""

    text: str
    start: int
    end: int


@dataclass
class Flat:
    """A document flattened for the finders, with the way back to the original."""

    source: SourceText
    text: str
    to_clean: list[int]
    line_breaks: list[int]

    @cached_property
    def lined(self) -> str:
        """The flat text with "¶" where a line broke: for names, which never span two lines."""
        chars = list(self.text)
        for offset in self.line_breaks:
            chars[offset] = "¶"
        return "".join(chars)

    @cached_property
    def doc(self) -> Doc:
        return pipeline()(self.text)

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans (flat offsets), split by spaCy's sentencizer and at list bullets."""
        spans: list[tuple[int, int]] = []
        for sent in self.doc.sents:
            start = sent.start_char
            for bullet in re.finditer(r" [•▪●] ", sent.text):
                spans.append((start, sent.start_char + bullet.start()))
                start = sent.start_char + bullet.end()
            spans.append((start, sent.end_char))
        return [(s, e) for s, e in spans if e > s]

    def sentence_of(self, offset: int) -> tuple[int, int]:
        for start, end in self.sentences:
            if start <= offset < end:
                return start, end
        return 0, len(self.text)

    def from_clean(self, offset: int) -> int:
        """The flat offset of the clean-text offset (or of the next kept character)."""
        return bisect_left(self.to_clean, offset)

    def quote(self, start: int, end: int) -> Quote:
        """The original text behind the flat span ``text[start:end]``."""
        start, end = self._trim(start, end)
        clean_start = self.to_clean[start]
        clean_end = self.to_clean[end - 1] + 1
        text, first, last = self.source.quote(clean_start, clean_end)
        return Quote(text, first, last)

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        while start < end and self.text[start] == " ":
            start += 1
        while end > start and self.text[end - 1] == " ":
            end -= 1
        if end <= start:
            end = min(start + 1, len(self.text))
        return start, end


def flatten(source: SourceText) -> Flat:
    """Every whitespace run of the clean text becomes one space; offsets are kept."""
    clean = source.text
    parts: list[str] = []
    to_clean: list[int] = []
    line_breaks: list[int] = []
    position = 0
    for match in WHITESPACE.finditer(clean):
        parts.append(clean[position : match.start()])
        to_clean.extend(range(position, match.start()))
        if "\n" in match.group():
            line_breaks.append(len(to_clean))
        parts.append(" ")
        to_clean.append(match.start())
        position = match.end()
    parts.append(clean[position:])
    to_clean.extend(range(position, len(clean)))
    return Flat(source, "".join(parts), to_clean, line_breaks)
