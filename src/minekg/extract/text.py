"""The text every finder reads: whitespace flattened, tokenized once, split into sentences.

Source texts break lines anywhere (PDF text puts " \\n\\n" inside a name), so finders read a
flat copy where every run of whitespace is one space; that keeps patterns simple and lets a
multi-word name match across a line break. Each flat offset maps back to the clean text and,
through :meth:`SourceText.quote`, to the exact original characters a quote must show.

Tokens, for linking names by dictionary, are cut by one regular expression rather than
spaCy's rule-driven tokenizer, which is several times slower and finds no better boundaries for
dictionary matching. Reference aliases are cut by the same expression, so a name and its
mention always tokenize alike. Sentences end at ".", "!" or "?"
(and any closing quote or bracket) before a capital, a digit or an opening quote, except after
abbreviations ("No.", "para.", "Mr.", "U.N."), and at list bullets.
"""

from __future__ import annotations

import gzip
import json
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from itertools import accumulate, chain

from minekg.reading import SourceText, matches_from

SENTENCE_REACH = 600
CASE_FOLDED = re.compile("[\u0130\u0131\u017f\u212a]")  # İ ı ſ K: i, s, k when case is ignored
# Every whitespace run but a lone space: "\s{2,}|[^\S ]", written to begin with a character class
# so that the regex engine skips to each whitespace character instead of trying every position.
WHITESPACE = re.compile(r"\s(?:(?<! )|\s)\s*")
WORD = re.compile(r"[a-z]+")
LINE_MARK = re.compile("¶")
CAPITAL = re.compile("[A-Z]")
TOKEN = re.compile(r"\w+(?:[.\-]\w+)*|[^\w\s]")
WORD_GROUP = re.compile(f"({WORD.pattern})")
TOKEN_GROUP = re.compile(f"({TOKEN.pattern})")
SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*(?=\s[“\"(\[]?[A-Z0-9•▪●])|\s[•▪●](?=\s)")
STOP_OR_BULLET = re.compile("[.!?•▪●]")  # a SENTENCE_END begins at one, or just before a bullet
ABBREVIATIONS = re.compile(
    r"(?:\b(?:No|Nos|para|paras|Mr|Ms|Mrs|Dr|St|Art|Vol|vol|p|pp|e\.g|i\.e|cf|Inc|Ltd|Co|Jr|Sr"
    r"|Gen|Rev|Add|Corr|Sept|Oct|Nov|Dec|Jan|Feb|Aug|Ibid|ibid|op|cit|et al)|\b[A-Z]|\.[A-Z])\.$"
)


@cache
def lemmas() -> dict[str, str]:
    """English word → lemma, the lookup table of ``spacy-lookups-data``: the blank pipeline has
    no lemmatizer, and verb patterns must match "accuse", "accused" and "accusing" alike."""
    data = files("spacy_lookups_data").joinpath("data", "en_lemma_lookup.json.gz").read_bytes()
    table: dict[str, str] = json.loads(gzip.decompress(data))
    return table


def lemma(word: str) -> str:
    """The lemma of a lower-case word; the word itself if the table does not know it."""
    return lemmas().get(word, word)


@dataclass(frozen=True)
class Quote:
    """Evidence: the exact original characters and where they start and end in the file."""

    text: str
    start: int
    end: int


@dataclass
class Flat:
    """A document flattened for the finders, with the way back to the original.

    ``flat_starts[k]``/``clean_starts[k]`` start a run of characters copied one to one from the
    clean text; ``is_space[k]`` marks a run that is the one space standing for a whitespace run.
    """

    source: SourceText
    text: str
    flat_starts: list[int]
    clean_starts: list[int]
    is_space: list[bool]
    line_breaks: list[int]

    @cached_property
    def lined(self) -> str:
        """The flat text with "¶" where a line broke: for names, which never span two lines."""
        chars = list(self.text)
        for offset in self.line_breaks:
            chars[offset] = "¶"
        return "".join(chars)

    @cached_property
    def line_marks(self) -> list[int]:
        """0 and where each "¶" of ``lined`` stands: where a pattern of ``(?:^|¶)`` can
        begin, the only places :func:`matches_from` need try it."""
        return [0, *(m.start() for m in LINE_MARK.finditer(self.lined))]

    @cached_property
    def tokens(self) -> tuple[list[str], list[int], list[int], list[str]]:
        """The flat text's tokens, where each starts and ends, and the tokens in lower case."""
        words, starts, ends = _split_at(TOKEN_GROUP, self.text)
        lower = self._lower
        if len(lower) == len(self.text):
            # Each character lowers to one whose class (word, space, "." or "-") is its own,
            # so the lower-case text tokenizes at the same offsets: slicing it is the same as
            # tokenizing it again, at a fraction of the cost.
            lowers = [lower[start:end] for start, end in zip(starts, ends, strict=True)]
        else:  # lower case lengthened a letter ("İ"): one at a time
            lowers = [w.lower() for w in words]
        return words, starts, ends, lowers

    @cached_property
    def _lower(self) -> str:
        return self.text.lower()

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans (flat offsets)."""
        spans: list[tuple[int, int]] = []
        start = 0
        text = self.text
        ends = (m.start() - (m.group() in "•▪●") for m in STOP_OR_BULLET.finditer(text))
        for match in matches_from(SENTENCE_END, text, ends):
            if match.group().startswith(".") and ABBREVIATIONS.search(
                text, max(0, match.start() - 12), match.start() + 1
            ):
                continue
            bullet = match.group().strip() in ("•", "▪", "●")
            end = match.start() if bullet else match.end()
            if end > start:
                spans.append((start, end))
            start = end
        if start < len(text):
            spans.append((start, len(text)))
        return [(s + (text[s] == " "), e) for s, e in spans if text[s:e].strip()]

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s for s, _ in self.sentences]

    def sentence_of(self, offset: int, reach: int = SENTENCE_REACH) -> tuple[int, int]:
        """The sentence around ``offset``, no more of it than ``reach`` characters either side.
        A finder that reads each find's sentence then reads a bounded window, so a text that
        never ends a sentence (a table, a list in one paragraph) costs time linear in its
        size, not in its size times what it finds."""
        index = bisect_right(self._sentence_starts, offset) - 1
        start, end = 0, len(self.text)
        if index >= 0 and offset < self.sentences[index][1]:
            start, end = self.sentences[index]
        return max(start, offset - reach), min(end, offset + reach)

    @cached_property
    def _words(self) -> dict[str, list[int]]:
        """Where each word (lower case, letters only) starts: a cheap index for triggers."""
        index: defaultdict[str, list[int]] = defaultdict(list)
        lower = self._lower
        if len(lower) == len(self.text):
            # The lower-case tokens hold every run of letters whole (a token ends where a
            # character that is no letter stands), and most tokens are one: index them rather
            # than split the whole text again, then let each distinct token that is not a word
            # of letters a to z ("mine-action", "2024", ",") give way to the words in it.
            _, starts, _, lowers = self.tokens
            for token, start in zip(lowers, starts, strict=True):
                index[token].append(start)
            added: set[str] = set()
            for token in [t for t in index if not (t.isalpha() and t.isascii())]:
                inside = [(m.group(), m.start()) for m in WORD.finditer(token)]
                for start in index.pop(token):
                    for word, at in inside:
                        index[word].append(start + at)
                        added.add(word)
            for word in added:
                index[word].sort()
            return dict(index)
        # a letter whose lower case is longer ("İ") stays as it is
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.text)
        words, starts, _ = _split_at(WORD_GROUP, lower)
        for word, start in zip(words, starts, strict=True):
            index[word].append(start)
        return dict(index)

    @cached_property
    def _distinct_words(self) -> list[str]:
        return sorted(self._words)

    def starting_with(self, stems: tuple[str, ...]) -> frozenset[str]:
        """The distinct words that begin with one of ``stems``: in the sorted words those of a
        stem stand together, so each stem costs a bisection, not a pass over every word."""
        words = self._distinct_words
        found = set()
        for stem in stems:
            at = bisect_left(words, stem)
            while at < len(words) and words[at].startswith(stem):
                found.add(words[at])
                at += 1
        return frozenset(found)

    def words_where(self, wanted: Callable[[str], bool] | AbstractSet[str]) -> list[int]:
        """Where the words (lower case, letters only) that ``wanted`` accepts (or holds)
        start, in order: each distinct word is asked once, not each occurrence."""
        index = self._words
        if isinstance(wanted, AbstractSet):
            return sorted(chain.from_iterable(index[w] for w in index.keys() & wanted))
        return sorted(chain.from_iterable(index[w] for w in index if wanted(w)))

    def at_words(
        self,
        pattern: re.Pattern[str],
        wanted: Callable[[str], bool] | AbstractSet[str],
        text: str | None = None,
    ) -> list[re.Match[str]]:
        """What ``pattern.finditer(text)`` finds, for a pattern whose every match begins a word
        (a word boundary, then a letter) that ``wanted`` accepts or holds in lower case: one is only
        tried where such a word begins. ``text`` is this text or one of the same length whose
        words are this text's or their first letters (``lined``, a lower-case copy, one with
        URLs blanked), else it is searched whole.

        A case-insensitive pattern matches "ı", "İ", "ſ" and "K" for i, s and k, which the
        word index does not: a text with one of them is searched whole too.
        """
        text = self.text if text is None else text
        if len(text) != len(self.text) or (pattern.flags & re.IGNORECASE and self._case_folded):
            return list(pattern.finditer(text))
        return matches_from(pattern, text, self.words_where(wanted))

    @cached_property
    def _case_folded(self) -> bool:
        return CASE_FOLDED.search(self.text) is not None

    def near(
        self,
        words: frozenset[str],
        pattern: re.Pattern[str],
        before: int,
        after: int,
        text: str | None = None,
    ) -> list[re.Match[str]]:
        """Matches of an expensive ``pattern`` only in windows around the trigger ``words``
        (it then runs on a few hundred characters instead of the whole text). ``text`` is
        this text or one of the same length (``lined``)."""
        text = self.text if text is None else text
        index = self._words
        hits = sorted(chain.from_iterable(index[word] for word in words & index.keys()))
        windows: list[list[int]] = []
        for at in hits:
            start, end = max(0, at - before), min(len(text), at + after)
            if windows and start <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], end)
            else:
                windows.append([start, end])
        return [m for start, end in windows for m in pattern.finditer(text, start, end)]

    def to_clean(self, offset: int) -> int:
        k = bisect_right(self.flat_starts, offset) - 1
        return self.clean_starts[k] + (0 if self.is_space[k] else offset - self.flat_starts[k])

    def from_clean(self, offset: int) -> int:
        """The flat offset of the clean-text offset (a whitespace run maps to its one space)."""
        k = bisect_right(self.clean_starts, offset) - 1
        if k < 0:
            return 0
        return self.flat_starts[k] + (0 if self.is_space[k] else offset - self.clean_starts[k])

    def quote(self, start: int, end: int) -> Quote:
        """The original text behind the flat span ``text[start:end]``."""
        start, end = self._trim(start, end)
        text, first, last = self.source.quote(self.to_clean(start), self.to_clean(end - 1) + 1)
        return Quote(text, first, last)

    def _trim(self, start: int, end: int) -> tuple[int, int]:
        while start < end and self.text[start] == " ":
            start += 1
        while end > start and self.text[end - 1] == " ":
            end -= 1
        if end <= start:
            end = min(start + 1, len(self.text))
        return start, end


def capitals_before(text: str, anchor: re.Pattern[str], count: int) -> list[int]:
    """Where a match can begin that is up to ``count`` words, each a capital letter and no
    space, each followed by one space, then a match of ``anchor`` ("Mine Ban Treaty",
    "International Conferences"), or the anchor alone: the capital letters of the ``count``
    words before each match of ``anchor``, and the match. For :func:`matches_from`, in a text
    whose only white space is " " (a flat text, ``lined``)."""
    starts: set[int] = set()
    for found in anchor.finditer(text):
        at = begin = found.start()
        for _ in range(count):
            if begin == 0 or text[begin - 1] != " ":
                break
            begin = text.rfind(" ", 0, begin - 1) + 1
        starts.add(at)
        starts.update(m.start() for m in CAPITAL.finditer(text, begin, at))
    return sorted(starts)


def _split_at(pattern: re.Pattern[str], text: str) -> tuple[list[str], list[int], list[int]]:
    """The matches of ``pattern`` (one capturing group) in ``text``, with where each starts and
    ends: one ``re.split`` and running sums of lengths, with no match object per word, which
    is what made tokenizing a long text slow."""
    parts = pattern.split(text)  # text between matches at even indexes, matches at odd ones
    offsets = list(accumulate(map(len, parts)))
    return parts[1::2], offsets[0:-1:2], offsets[1::2]


def flatten(source: SourceText) -> Flat:
    """Every whitespace run of the clean text becomes one space; offsets are kept."""
    clean = source.text
    runs = [(m.start(), m.end(), "\n" in m.group()) for m in WHITESPACE.finditer(clean)]
    shrunk = list(accumulate((end - start - 1 for start, end, _ in runs), initial=0))
    flat_starts, clean_starts, is_space = [0], [0], [False]
    for (start, end, _), shrink in zip(runs, shrunk, strict=False):
        flat_starts += (start - shrink, start - shrink + 1)
        clean_starts += (start, end)
        is_space += (True, False)
    line_breaks = [
        start - shrink for (start, _, br), shrink in zip(runs, shrunk, strict=False) if br
    ]
    # Each run becomes one space, as WHITESPACE.sub(" ", clean) would write, by str.split.
    lead = " " if clean[:1].isspace() else ""
    trail = " " if clean[-1:].isspace() and len(clean.strip()) else ""
    return Flat(
        source,
        lead + " ".join(clean.split()) + trail,
        flat_starts,
        clean_starts,
        is_space,
        line_breaks,
    )
