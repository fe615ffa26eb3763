"""Reading a source document: its text, cleaned for extraction, with a map back to the original.

Extraction reads clean text (lines joined, split words mended, page furniture dropped), but every
quote minekg keeps must be an exact substring of the file a reviewer can open. So reading returns
both texts and, for each character of the clean text, where it came from in the original.

What "original" is depends on the format:

- ``.txt`` / ``.md``: the file decoded as UTF-8 (the text ``minekg build --sources`` checks quotes
  against). Other encodings are refused, not guessed: a quote read from a guessed decoding could
  never be verified against the file later.
- ``.html`` / ``.htm``: the raw markup. Clean text comes from the text between tags (not from
  scripts, styles, the head or navigation menus), a blank line per block element; an entity
  (``&amp;``) maps to its ``&``, so a quote of a markup-free run is the run as written.
- ``.pdf``: the PDF's text layer as pypdf extracts it, pages separated by a newline and a form
  feed. The record keeps the sha256 of the PDF's bytes; quotes point into this extracted text.

Cleaning is general for PDF-converted UN documents, and conservative: when in doubt it keeps
the text as printed. See :func:`clean` for each rule and why it is safe.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from minekg.errors import InputError
from minekg.symbols import is_un_symbol

MAX_BYTES = 10 * 1024 * 1024
"""Files larger than this are refused before they are read, naming the limit. A UN document is
well under 5 MB; reading and extraction run at about 0.6 to 0.9 MB per CPU second on plain text and
hold some 150 MB per MB read (benchmarks/extract_speed.py), so a file under this limit is done
in well under a minute of CPU, and an 18 MB or 50 MB file is refused at once."""

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
}

_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"%PDF": "a PDF (name it .pdf)",
    b"\x1f\x8b": "a gzip archive",
    b"\xd0\xcf\x11\xe0": "an old Office document (.doc/.xls)",
}


@dataclass(frozen=True)
class Footnote:
    """A footnote: its number, where its marker stood in the body and its own text.

    ``marker`` is the index in ``SourceText.text`` of the marker in the body ("removal.2"),
    ``None`` if none was found; ``marker_at`` is the marker's offset in ``original``.
    ``start``/``end`` is the footnote's paragraph in ``SourceText.text`` (number included).
    """

    number: int
    marker: int | None
    marker_at: int | None
    start: int
    end: int


@dataclass(frozen=True)
class SourceText:
    """One document as read: ``text`` for the extractor, ``original`` for quoting.

    ``offsets[i]`` is the index in ``original`` of ``text[i]``; it has one extra entry, the end.
    Footnote blocks are moved to the end of ``text`` (see ``footnotes``), so ``offsets`` rises
    monotonically within the body and within each footnote, not across them.
    """

    path: Path
    original: str
    text: str
    offsets: tuple[int, ...]
    sha256: str
    media_type: str
    footnotes: tuple[Footnote, ...] = ()

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``original`` that the clean span ``text[start:end]`` was read from."""
        if start >= end:
            return self.offsets[start], self.offsets[start]
        span = self.offsets[start:end]
        return min(span), max(span) + 1

    def quote(self, start: int, end: int) -> tuple[str, int, int]:
        """The exact original text behind ``text[start:end]``, with its offsets in the original."""
        first, last = self.to_original(start, end)
        return self.original[first:last], first, last


def read(path: Path, max_bytes: int = MAX_BYTES) -> SourceText:
    """Read and clean one document; every problem is an :class:`InputError` naming the file."""
    media_type = _check_file(path, max_bytes)
    data = path.read_bytes()
    if not data.strip():
        raise InputError(path, None, None, "empty file")
    if media_type == "application/pdf":
        original = _pdf_text(path, data)
        text, offsets, footnotes = clean(original)
    else:
        original = _decode(path, data)
        if media_type == "text/html":
            text, offsets = _html_text(original)
            text, offsets, footnotes = clean(text, offsets, blocks=True)
        else:
            text, offsets, footnotes = clean(original)
    if not text.strip():
        raise InputError(path, None, None, "no text in the document")
    return SourceText(
        path=path,
        original=original,
        text=text,
        offsets=tuple(offsets) + (len(original),),
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media_type,
        footnotes=tuple(footnotes),
    )


def _check_file(path: Path, max_bytes: int) -> str:
    """The media type by extension, after the checks that need no reading."""
    if not path.exists():
        raise InputError(path, None, None, "no such file")
    if not path.is_file():
        raise InputError(path, None, None, "not a file")
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        known = ", ".join(MEDIA_TYPES)
        raise InputError(
            path, None, None, f"unknown file type {path.suffix!r} (minekg reads {known})"
        )
    size = path.stat().st_size
    if size > max_bytes:
        problem = f"too large: {size / 2**20:.1f} MB, over the {max_bytes / 2**20:g} MB limit"
        raise InputError(path, None, None, problem)
    return media_type


def _decode(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problem = "UTF-16 text: convert it to UTF-8 first (iconv -f utf-16 -t utf-8)"
        raise InputError(path, None, None, problem)
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(path, None, None, f"binary file ({what}), not text")
    if b"\x00" in data:  # anywhere: a text with a binary tail is not text either
        raise InputError(path, None, None, "binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = data[exc.start : exc.start + 1].hex()
        problem = (
            f"not UTF-8 (byte 0x{byte} at {exc.start}); if it is Latin-1 or Windows-1252, "
            "convert it first: iconv -f cp1252 -t utf-8"
        )
        raise InputError(path, None, None, problem) from None


def _pdf_text(path: Path, data: bytes) -> str:
    """The text layer, page by page, joined with form feeds."""
    import logging
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings would split our one line
    if not data.startswith(b"%PDF"):
        raise InputError(path, None, None, "not a PDF (no %PDF header)")
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted:
            raise InputError(path, None, None, "encrypted PDF: decrypt it first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise InputError(path, None, None, f"not a readable PDF: {exc}") from None
    if not any(page.strip() for page in pages):
        problem = f"PDF without a text layer ({len(pages)} page(s) of images?): run OCR first"
        raise InputError(path, None, None, problem)
    return "\n\f".join(pages)


# --- HTML -----------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody td th thead tr ul".split()
)
_SKIPPED_TAGS = frozenset("script style head template noscript svg nav iframe object".split())


class _TextCollector(HTMLParser):
    """Text runs between tags with their offsets in the raw markup (stdlib parser: it reports
    source positions, which selectolax and trafilatura do not)."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", markup)]
        self.chars: list[str] = []
        self.offsets: list[int] = []
        self.skipping = 0

    def _here(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _emit(self, text: str, offsets: Iterable[int]) -> None:
        if not self.skipping:
            self.chars.extend(text)
            self.offsets.extend(offsets)

    def _break(self) -> None:
        here = self._here()
        self._emit("\n\n", (here, here))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        start = self._here()
        self._emit(re.sub(r"\s", " ", data), range(start, start + len(data)))

    def handle_entityref(self, name: str) -> None:
        from html import unescape

        self._emit_entity(unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        from html import unescape

        self._emit_entity(unescape(f"&#{name};"))

    def _emit_entity(self, decoded: str) -> None:
        here = self._here()
        self._emit(decoded.replace("\xa0", " "), [here] * len(decoded))


def _html_text(markup: str) -> tuple[str, list[int]]:
    """Markup-free text with blank lines between blocks, each character mapped into the markup."""
    collector = _TextCollector(markup)
    collector.feed(markup)
    collector.close()
    text = "".join(collector.chars)
    spaces = [m.span() for m in re.finditer(r" *\n[ \n]*", text)]
    return _delete(text, collector.offsets, _squeeze_blank_runs(text, spaces))


def _squeeze_blank_runs(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep one blank line ("\\n\\n") of every run of spaces and newlines between blocks."""
    deletions = []
    for start, end in spans:
        newlines = [start + i for i, char in enumerate(text[start:end]) if char == "\n"][:2]
        kept = newlines if len(newlines) == 2 else [newlines[0]]
        bounds = [start - 1, *kept, end]
        deletions += [(a + 1, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a + 1]
    return deletions


# --- cleaning -------------------------------------------------------------------------------


def matches_from(
    pattern: re.Pattern[str], text: str, starts: Iterable[int], end: int | None = None
) -> list[re.Match[str]]:
    """What ``pattern.finditer(text, 0, end)`` finds, trying a match only at ``starts``
    (ascending), which must hold every position where a match can begin; ``pattern`` never
    matches "". (A search from a later position gives the same matches from there on.)

    A pattern that opens with an assertion ("\\b", a look-behind) gives the regex engine no
    first character to skip ahead to, so a search tries a match at every position of the text;
    a cheap scan for where a match can begin and a match only there find the same matches, in
    a fraction of the time.
    """
    found = []
    position = 0
    end = len(text) if end is None else end
    for start in starts:
        if start >= position:
            match = pattern.match(text, start, end)
            if match is not None:
                found.append(match)
                position = match.end()
    return found


_JOB_NUMBER = re.compile(
    r"""^(?:\d{2}-\d{5}(?:\ ?\([A-Z]\))?\s+\d+/\d+      # 24-23652 2/4 (page header)
    |\d+/\d+\s+\d{2}-\d{5}(?:\ ?\([A-Z]\))?                # 3/4 24-23652
    |\d{2}-\d{5}\ ?\([A-Z]\)(?:\s+\d{6}){0,2}                # 24-23652 (E) 171224 (first page)
    |\*\d{7}\*                                           # *2423652* (the barcode's text)
    |please\ recycle)$""",
    re.X | re.I,
)
_PAGE_NUMBER = re.compile(r"^(?:page \d+(?: of \d+)?|[-–] ?\d{1,3} ?[-–]|\d{1,3}/\d{1,3})$", re.I)
_FOOTNOTE_RULE = re.compile(r"^_{5,}$")
_FOOTNOTE_ENTRY = re.compile(r"^(\d{1,3})(?:\s{2,}|\s+(?=[A-Z(“\"]))\S")
_LIST_START = re.compile(r"^(?:[•▪◦·\-–*]\s|\(?[a-z0-9]{1,3}[.)]\s)")
_SENTENCE_END = tuple(".!?:;”\"')")


@dataclass
class _Line:
    content: str
    at: int
    indent: int
    whitespace_only: bool


def _lines(original: str) -> list[_Line]:
    lines = []
    at = 0
    for raw in original.split("\n"):
        stripped = raw.rstrip()
        content = stripped.lstrip()  # also a PDF page's form feed
        indent = len(stripped) - len(content)
        lines.append(_Line(content, at + indent, indent, raw != "" and not content))
        at += len(raw) + 1
    return lines


def _is_symbol_line(content: str) -> bool:
    if "/" not in content:
        return False
    words = content.split()
    return bool(words) and all(is_un_symbol(w) for w in words)


def clean(
    original: str, offsets: list[int] | None = None, blocks: bool = False
) -> tuple[str, list[int], list[Footnote]]:
    """Clean text for extraction; return it, the original offset of each char, the footnotes.

    ``offsets`` maps ``original`` further back, and ``blocks`` says its line breaks are the
    blocks of a markup, not a converter's wrapping (both for HTML, whose text is itself mapped).
    Rules, each general and conservative:

    - Page furniture: lines that are a UN job number with page ("24-23652 2/4") or date code
      ("24-23652 (E) 171224"), its barcode text ("*2423652*"), "Please recycle", a page number
      ("2/4", "Page 2 of 4", "- 2 -") are dropped; a line of nothing but UN symbols is kept the
      first time (it is the document's own symbol) and dropped when it repeats at a page top.
    - Unwrapping: a text whose lines are short and mostly do not end a sentence was wrapped by
      a converter. Its lines are joined with one space unless the next line is indented, is a
      list item, or follows a line shorter than half the text width (a signature, a heading) or
      a sentence's end well short of the margin (a paragraph's last line), or a whitespace-only
      line stands between them (a PDF empty paragraph). In converted text where
      every line is followed by an empty line, empty lines are layout, not paragraph breaks.
      Unwrapped texts (one paragraph per line) only join a line that continues in lower case.
    - Hyphens: "post -conflict" loses the stray space; a word hyphenated at a line end is joined,
      and the hyphen dropped only if the document elsewhere spells the word without it.
    - Split words ("form erly"): rejoined only when the joined word occurs elsewhere in the same
      document and one half never occurs there on its own. The document is its own dictionary:
      no word list to ship, and a real two-word phrase ("in to") is never merged.
    - Footnotes: blocks after a rule of underscores ("____") are moved to the end of the text,
      under one such rule, a line per note, so a sentence broken by a page's notes reads on;
      markers stay in the body ("removal.2"), found in order, 1, 2, 3…, and kept in
      :class:`Footnote` with each note's span.
    - Markdown: emphasis (``*x*``, ``**x**``, ``__x__``), links (``[text](url)`` keeps text),
      backslash escapes and heading marks are removed.
    """
    lines = _lines(original)
    body, notes, rule_at = _split_footnotes(_drop_furniture(lines))
    text, mapped = _unwrap(body, original, blocks)
    text, mapped = _tidy(text, mapped)
    text, mapped, footnotes = _append_footnotes(text, mapped, notes, rule_at, original)
    if offsets is not None:
        mapped = [offsets[i] for i in mapped]
    return text, mapped, footnotes


def _drop_furniture(lines: list[_Line]) -> list[_Line]:
    seen_symbols: set[str] = set()
    kept = []
    for line in lines:
        content = line.content
        if _JOB_NUMBER.match(content) or _PAGE_NUMBER.match(content):
            continue
        if _is_symbol_line(content):
            if content in seen_symbols:
                continue
            seen_symbols.add(content)
        kept.append(line)
    return kept


def _split_footnotes(
    lines: list[_Line],
) -> tuple[list[_Line], list[tuple[int, list[_Line]]], int | None]:
    """Body lines, each footnote's number with its lines, where the first rule stands."""
    body: list[_Line] = []
    notes: list[tuple[int, list[_Line]]] = []
    in_block = False
    rule_at: int | None = None
    for line in lines:
        if _FOOTNOTE_RULE.match(line.content):
            in_block = True
            rule_at = line.at if rule_at is None else rule_at
            continue
        if in_block:
            entry = _FOOTNOTE_ENTRY.match(line.content)
            expected = notes[-1][0] + 1 if notes else None
            if entry and (expected is None or int(entry[1]) == expected):
                notes.append((int(entry[1]), [line]))
                continue
            if notes and line.content and not line.indent and not line.whitespace_only:
                notes[-1][1].append(line)
                continue
            if not line.content and not line.whitespace_only:
                continue
            in_block = False
        body.append(line)
    return body, notes, rule_at


def _layout(lines: list[_Line]) -> tuple[bool, bool, int]:
    """Whether the text was wrapped, whether empty lines are only spacing, and its width."""
    texts = [line for line in lines if line.content]
    if not texts:
        return False, False, 0
    lengths = sorted(len(line.content) + line.indent for line in texts)
    median = lengths[len(lengths) // 2]
    ending = sum(line.content.endswith(_SENTENCE_END) for line in texts)
    wrapped = median <= 110 and ending < 0.5 * len(texts)
    followed_by_empty = sum(
        1
        for this, after in zip(lines, lines[1:], strict=False)
        if this.content and not after.content and not after.whitespace_only
    )
    double_spaced = wrapped and followed_by_empty >= 0.6 * len(texts)
    return wrapped, double_spaced, lengths[(len(lengths) * 3) // 4]


def _unwrap(lines: list[_Line], original: str, blocks: bool = False) -> tuple[str, list[int]]:
    """Join wrapped lines into paragraphs; paragraphs are separated by a blank line."""
    wrapped, double_spaced, width = (False, False, 0) if blocks else _layout(lines)
    chars: list[str] = []
    mapped: list[int] = []
    previous: _Line | None = None
    hard_break = False
    soft_blank = False
    words: set[str] | None = None  # the document's own spellings, read at the first hyphen
    for line in lines:
        content = line.content
        if not content:
            if line.whitespace_only or not double_spaced:
                hard_break = True
            soft_blank = True
            continue
        heading = re.match(r"#{1,6} +", content)
        if heading:
            content, line = (
                content[heading.end() :],
                _Line(content[heading.end() :], line.at + heading.end(), line.indent, False),
            )
        if previous is not None:
            separator = _separator(previous, line, wrapped, hard_break, soft_blank, width)
            gap = previous.at + len(previous.content)
            if separator == "-":
                chars.pop()
                mapped.pop()
                if words is None:
                    words = {word.lower() for word in re.findall(r"\w+", original)}
                if _keeps_hyphen(previous.content, content, words):
                    chars.append("-")
                    mapped.append(gap - 1)
            else:
                chars.extend(separator)
                mapped.extend([gap] * len(separator))
        hard_break = bool(heading) or _is_symbol_line(content)
        chars.extend(content)
        mapped.extend(range(line.at, line.at + len(content)))
        previous = line if not heading else _Line("", line.at, 0, False)
        soft_blank = False
    return "".join(chars), mapped


def _separator(
    previous: _Line,
    line: _Line,
    wrapped: bool,
    hard_break: bool,
    blank: bool,
    width: int,
) -> str:
    """What joins two lines: a space, a line-end hyphen ("-"), a newline or a blank line."""
    before, after = previous.content, line.content
    if hard_break or (blank and not wrapped) or not before or _is_symbol_line(before):
        return "\n\n"
    if _is_symbol_line(after) or after.startswith("http"):
        return "\n\n"
    if wrapped:
        if line.indent > previous.indent or _LIST_START.match(after):
            return "\n\n"
        if len(before) + previous.indent < width / 2:
            return "\n"
        if (
            before.endswith(_SENTENCE_END)
            and after[:1].isupper()
            and len(before) + previous.indent < 0.8 * width
        ):
            return "\n\n"
    elif before.endswith(_SENTENCE_END) or not after[:1].islower():
        return "\n"
    if re.search(r"[A-Za-z] ?-$", before) and after[:1].islower():
        return "-"
    return " "


def _keeps_hyphen(before: str, after: str, words: set[str]) -> bool:
    """A line-end hyphen is the word's own unless the document spells the word without it.

    ``words`` holds every word of the document once, lowercased: searching the whole text at
    each hyphen made a text of line-end hyphens quadratic (issue 15 item 9).
    """
    head = re.search(r"(\w+)-$", before)
    tail = re.match(r"\w+", after)
    if not head or not tail:
        return True
    return f"{head[1]}{tail[0]}".lower() not in words


def _delete(text: str, mapped: list[int], spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """Remove the spans from text and map alike; a span starting inside a removed one is moot."""
    if not spans:
        return text, mapped
    chars: list[str] = []
    kept: list[int] = []
    position = 0
    for start, end in sorted(spans):
        if start < position:
            continue
        chars.append(text[position:start])
        kept.extend(mapped[position:start])
        position = end
    chars.append(text[position:])
    kept.extend(mapped[position:])
    return "".join(chars), kept


def _deletions(
    pattern: re.Pattern[str],
    text: str,
    groups: tuple[int, ...],
    begins: re.Pattern[str] | None = None,
) -> list[tuple[int, int]]:
    """The spans of the given groups in every match: the marks to remove, not their content.
    A pattern that opens with a look-behind is tried only at the characters ``begins``
    finds, which every match begins with (see :func:`matches_from`)."""
    if begins is None:
        matches: Iterable[re.Match[str]] = pattern.finditer(text)
    else:
        matches = matches_from(pattern, text, (m.start() for m in begins.finditer(text)))
    return [match.span(group) for match in matches for group in groups if match.start(group) >= 0]


_EMPHASIS = re.compile(
    r"(?<![\w*\\])(\*\*|__|\*)(?=[^\s*_])((?:(?!\n\n)[^*_])+?)(?<=[^\s*\\])(\1)(?![\w*])"
)
_LINK = re.compile(r"(!?\[)([^\]\n]+)(\]\((?:[^()\s]|\([^()\s]*\))*\))")
_MARKS = re.compile(r"[*_][*_]*")  # a run of marks, the first of which an emphasis begins with
_LINK_BEGINS = re.compile(r"[!\[]")  # what a link begins with
_ESCAPE = re.compile(r"(\\)[\\`*_{}\[\]()#+\-.!]")
_SPACED_HYPHEN = re.compile(r"( )-(?=[A-Za-z])")
# " {2,}| +(?=\n)", beginning with its literal space so that the engine skips to each space.
_SPACES = re.compile(r" (?= |\n) *")
_WORD = re.compile(r"[A-Za-z]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b\ufeff]")


def _tidy(text: str, mapped: list[int]) -> tuple[str, list[int]]:
    """Markup, stray spaces and split words out of the unwrapped body.

    Each pattern runs only when its trigger character is there: cleaning is on the hot path of
    ``minekg ingest`` (see benchmarks/extract_speed.py).
    """
    text = text.replace("\xa0", " ").replace("\t", " ")
    if "\u00ad" in text or "\u200b" in text or "\ufeff" in text:
        text, mapped = _delete(text, mapped, _deletions(_INVISIBLE, text, (0,)))
    if "](" in text:
        text, mapped = _delete(text, mapped, _deletions(_LINK, text, (1, 3), _LINK_BEGINS))
    if "*" in text or "__" in text:
        text, mapped = _delete(text, mapped, _deletions(_EMPHASIS, text, (1, 3), _MARKS))
    if "\\" in text:
        text, mapped = _delete(text, mapped, _deletions(_ESCAPE, text, (1,)))
    stray = [
        m.span(1)
        for m in _SPACED_HYPHEN.finditer(text)
        if text[m.start() - 1 : m.start()].isalpha()
    ]
    spaces = [
        (m.start() if text[m.end() : m.end() + 1] in ("\n", "") else m.start() + 1, m.end())
        for m in _SPACES.finditer(text)
    ]
    text, mapped = _delete(text, mapped, stray + spaces)
    return _rejoin_split_words(text, mapped)


def _rejoin_split_words(text: str, mapped: list[int]) -> tuple[str, list[int]]:
    """Join "form erly" where the document spells "formerly" and "erly" stands nowhere else."""
    words = Counter(_WORD.findall(text.lower()))
    once = {word for word, count in words.items() if count == 1}
    splits = []
    position = 0
    pieces = text.split(" ")
    for head, after in zip(pieces, pieces[1:], strict=False):
        position += len(head) + 1
        tail = after.partition("\n")[0].rstrip('.,;:!?)”’"')
        if head not in once and tail not in once:
            continue
        if (
            (head + tail) in words
            and len(head) > 1
            and len(tail) > 1
            and head.isalpha()
            and head.islower()
            and tail.isalpha()
            and tail.islower()
        ):
            splits.append((position - 1, position))
    return _delete(text, mapped, splits)


def _append_footnotes(
    text: str,
    mapped: list[int],
    notes: list[tuple[int, list[_Line]]],
    rule_at: int | None,
    original: str,
) -> tuple[str, list[int], list[Footnote]]:
    """Find each footnote's marker in the body, then add the notes at the end, under one rule
    of underscores, a line each (the layout of a footnote block on a page)."""
    if not notes:
        return text, mapped, []
    markers: dict[int, int] = {}
    position = 0
    for number, _ in notes:
        match = re.compile(
            rf"(?<!\d[.,])(?<=[a-z.,;:”\"’)\]]){number}(?!\d)|(?<=[a-z] ){number}(?= [a-z])"
        ).search(text, position)
        if match:
            markers[number] = match.start()
            position = match.end()
    rule = "_" * 18
    anchor = rule_at if rule_at is not None else mapped[-1]
    chars = [text, "\n\n", rule]
    all_mapped = [*mapped, anchor, anchor, *range(anchor, anchor + len(rule))]
    if original[anchor : anchor + len(rule)] != rule:
        all_mapped[-len(rule) :] = [anchor] * len(rule)
    length = len(text) + 2 + len(rule)
    footnotes = []
    for number, lines in notes:
        note_text, note_mapped = _unwrap(lines, original)
        note_text, note_mapped = _tidy(note_text, note_mapped)
        blank_lines = [(m.start(), m.start() + 1) for m in re.finditer("\n\n", note_text)]
        note_text, note_mapped = _delete(note_text, note_mapped, blank_lines)
        chars.append("\n" + note_text)
        all_mapped.extend([note_mapped[0], *note_mapped])
        start = length + 1
        length = start + len(note_text)
        marker = markers.get(number)
        marker_at = mapped[marker] if marker is not None else None
        footnotes.append(Footnote(number, marker, marker_at, start, length))
    return "".join(chars), all_mapped, footnotes
