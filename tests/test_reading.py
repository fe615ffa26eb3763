"""Reading: clean text a reader recognises, and every character traceable to the file."""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, ROOT
from minekg.errors import InputError
from minekg.reading import SourceText, _html_text, clean, read

FIXTURES = ROOT / "tests" / "fixtures" / "reading"
CORPUS_FILES = sorted(CORPUS.glob("0*.txt"))


def alnum(text: str) -> str:
    return "".join(c for c in text if c.isalnum())


def assert_traceable(source: SourceText) -> None:
    """Every letter and digit of the clean text is that same character of the original."""
    assert len(source.offsets) == len(source.text) + 1
    for i, char in enumerate(source.text):
        if char.isalnum():
            assert source.original[source.offsets[i]] == char, (i, char)


def quoted(source: SourceText, phrase: str) -> str:
    start = source.text.index(phrase)
    quote, first, last = source.quote(start, start + len(phrase))
    assert source.original[first:last] == quote
    return quote


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name[:3])
def test_corpus_text_is_traceable_to_the_file(path: Path) -> None:
    source = read(path)
    assert_traceable(source)
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert source.original == path.read_text(encoding="utf-8")


def test_pdf_converted_letter_reads_as_sentences() -> None:
    source = read(CORPUS / "000_e0f3878713b30c27.txt")
    text = source.text
    assert "number of post-conflict mine victims" in text
    assert "a serious obstacle to full-fledged implementation" in text
    assert "24-23652" not in text
    assert "Security Council resolutions 822 (1993), 853 (1993), 874 (1993) and 884 (1993)." in text
    assert quoted(source, "874 (1993)") == "874 \n\n(1993)"
    assert quoted(source, "post-conflict mine") == "post -conflict \n\nmine"
    assert text.startswith(
        "Letter dated 12 December 2024 from the Permanent Representative of Azerbaijan to the "
        "United Nations addressed to the Secretary-General\n\n"
    )
    assert "(Signed) Yashar Aliyev\nAmbassador\nPermanent Representative" in text


def test_footnotes_move_to_the_end_with_their_markers_traceable() -> None:
    source = read(CORPUS / "000_e0f3878713b30c27.txt")
    assert [note.number for note in source.footnotes] == list(range(1, 9))
    body_end = source.text.index("\n\n" + "_" * 18)
    for note in source.footnotes:
        assert note.marker is not None and note.marker < body_end < note.start
        assert source.text[note.marker] == str(note.number)
        assert source.original[note.marker_at] == str(note.number)
        assert source.text[note.start : note.end].startswith(f"{note.number} ")
    second = source.footnotes[1]
    assert source.text[second.marker - 8 : second.marker + 1] == "removal.2"
    assert source.text[second.start : second.end] == (
        "2 Ibid., rule 83, “Removal or Neutralization of Landmines”."
    )
    # the body reads on where the footnote block stood, mid-page
    assert "the prohibition on discrimination.\n\nSince the end of the conflict" in source.text


def test_split_words_rejoined_only_where_the_document_vouches_for_them() -> None:
    source = read(CORPUS / "004_2ec35d3593a74a1b.txt")
    assert "mined areas in the formerly occupied territories" in source.text
    assert quoted(source, "formerly occupied") == "form erly \n\noccupied"
    assert "zero-sum thinking" in source.text


def clean_text(original: str) -> str:
    text, offsets, _ = clean(original)
    for i, char in enumerate(text):
        if char.isalnum():
            assert original[offsets[i]] == char
    return text


def test_a_split_is_kept_when_both_halves_are_words_of_the_document() -> None:
    text = clean_text(
        "They went in to the hall. Into the night. The hall was in use to the end.\n"
        "The form erly field was full.\n"
    )
    assert "went in to the hall" in text
    assert "form erly" in text  # "formerly" is nowhere else: no evidence, no change


def test_line_end_hyphen_dropped_only_when_the_document_spells_the_word_without_it() -> None:
    wrapped = (
        "The territories were occu-\n\npied for almost thirty years and the land remains\n\n"
        "occupied in part, and the post-\n\nconflict period brought many new mine victims to\n\n"
        "the region, as the reports of the agency show in detail for every district.\n\n"
    )
    text = clean_text(wrapped)
    assert "were occupied for almost" in text
    assert "the post-conflict period" in text


def test_single_spaced_pdf_text_keeps_its_paragraphs() -> None:
    text = clean_text(
        "Azerbaijan is among the most heavily mine-contaminated countries in the\n"
        "world, with an estimated 1.5 million landmines and an unknown number of\n"
        "other explosive devices planted in its territories.\n"
        "The minefields in Azerbaijan cover about 11,258 square kilometres of the\n"
        "country's total territory of 86,600 square kilometres, as the agency says.\n"
    )
    assert text == (
        "Azerbaijan is among the most heavily mine-contaminated countries in the world, with an "
        "estimated 1.5 million landmines and an unknown number of other explosive devices "
        "planted in its territories.\n\nThe minefields in Azerbaijan cover about 11,258 square "
        "kilometres of the country's total territory of 86,600 square kilometres, as the agency "
        "says."
    )


def test_windows_line_ends_are_layout_too() -> None:
    text = clean_text(
        "The mines were planted in the\r\nterritories of the country.\r\n\r\nNext.\r\n"
    )
    assert text == "The mines were planted in the territories of the country.\n\nNext."


def test_page_furniture_dropped_and_the_sentence_rejoined() -> None:
    page = (
        "A/79/690\n\nS/2024/908\n\n \n\n"
        " The minefields cover about 11,258 square kilometres of \n\n"
        "the territory, and the clearance of the land is expected to take many more \n\n"
        "years of work by the national agency and its partners in the \n\n"
        "24-23652 (E)    171224 \n\n*2423652* \n\nPlease recycle \n\n"
        "\fA/79/690\n\nS/2024/908\n\n2/4 24-23652 \n\n"
        "liberated territories, as the Government has reported to the United Nations. \n\n"
    )
    text = clean_text(page)
    assert text.count("A/79/690") == 1 and text.count("S/2024/908") == 1
    assert "24-23652" not in text and "2423652" not in text and "recycle" not in text
    assert "its partners in the liberated territories, as the Government" in text


def test_markdown_marks_and_links_removed() -> None:
    source = read(FIXTURES / "statement.md")
    assert_traceable(source)
    assert source.media_type == "text/markdown"
    text = source.text
    for mark in ("*", "](", "\\", "#"):
        assert mark not in text
    assert text.startswith("Statement on mine action\n\nGeneral Assembly\nSeventy-ninth session")
    assert "recalls resolution 2365 (2017) and calls on States" in text
    assert "in the formerly occupied territories." in text
    assert quoted(source, "2365 (2017)") == "2365 \\(2017\\)"
    assert "- Over 3,400 mine victims since 1991.\n\n- Clearance" in text


def test_html_text_points_into_the_markup() -> None:
    source = read(FIXTURES / "article.html")
    assert_traceable(source)
    assert source.media_type == "text/html"
    text = source.text
    assert "tracking" not in text and "999" not in text and "margin" not in text
    assert text.startswith("Azerbaijan urges UN to address landmine crisis\n\n")  # no menu
    assert "on 12 December 2024 about post-conflict mine victims." in text
    assert quoted(source, "Armenia’s refusal") == "Armenia&#8217;s refusal"
    assert quoted(source, "law & the right") == "law &amp; the\nright"
    assert quoted(source, "382 people") == "382</b> people"
    assert "\n\nMine victims since 2020\n\nCleared hectares by district\n\n" in text


def make_pdf(path: Path, pages: list[str]) -> Path:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for page in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, page)
    pdf.output(str(path))
    return path


def test_pdf_text_layer_read_and_cleaned(tmp_path: Path) -> None:
    path = make_pdf(
        tmp_path / "letter.pdf",
        [
            "24-23652 2/4\nThe number of post-\nconflict mine victims in the country has reached "
            "382, of whom 70 lost their lives.",
            "A/79/690\nMine clearance continues in the liberated territories.",
        ],
    )
    source = read(path)
    assert_traceable(source)
    assert source.media_type == "application/pdf"
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert "\f" in source.original  # the page break of the text layer
    assert "24-23652" not in source.text
    assert "The number of post-conflict mine victims in the country has reached 382" in source.text
    assert "Mine clearance continues in the liberated territories." in source.text


def test_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    pdf.output(str(tmp_path / "scan.pdf"))
    with pytest.raises(InputError, match=r"scan\.pdf: PDF without a text layer .*OCR"):
        read(tmp_path / "scan.pdf")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n ", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), r"binary file \(a PNG image\)"),
        ("nul.txt", b"text\x00\x01\x02 more", r"binary file \(NUL bytes\)"),
        ("wide.txt", "Mine action".encode("utf-16"), r"UTF-16 text: convert it to UTF-8"),
        ("latin1.txt", "Mine action in Sérvia".encode("cp1252"), r"not UTF-8 \(byte 0xe9 at 16\)"),
        ("fake.pdf", b"<html>not a pdf</html>", r"not a PDF"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", r"not a readable PDF"),
        ("notes.docx", b"PK\x03\x04", r"unknown file type '\.docx'"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, name: str, content: bytes, problem: str):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=rf"^{path}: {problem}"):
        read(path)


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as handle:
        handle.truncate(51 * 2**20)  # sparse: the check must not read it
    with pytest.raises(InputError, match=r"too large: 51\.0 MB, over the 10 MB limit"):
        read(path)
    with pytest.raises(InputError, match="no such file"):
        read(tmp_path / "missing.txt")


WORDS = st.sampled_from(
    "mine mines victims Azerbaijan post conflict the of and in territories 1,5 3.6 per cent "
    "cleared hectares (1993) resolution “rule” 82, formerly Ibid.".split()
)


@st.composite
def converted_texts(draw: st.DrawFn) -> str:
    """Paragraphs wrapped at random widths, double-spaced or not, with stray hyphen spaces."""
    paragraphs = draw(st.lists(st.lists(WORDS, min_size=1, max_size=40), min_size=1, max_size=5))
    width = draw(st.integers(20, 100))
    spacing = draw(st.sampled_from(["\n", " \n\n"]))
    out = []
    for words in paragraphs:
        lines, line = [], ""
        for word in words:
            if draw(st.integers(0, 9)) == 0:
                word = " -" + word
            if line and len(line) + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
        out.append(" " + spacing.join(lines))
    return (spacing + " " + spacing).join(out) + "\n"


@settings(max_examples=200, deadline=None)
@given(converted_texts(), st.data())
def test_cleaning_keeps_every_word_and_quotes_exactly(original: str, data: st.DataObject):
    text, offsets, _ = clean(original)
    source = SourceText(Path("x.txt"), original, text, (*offsets, len(original)), "0" * 64, "")
    assert_traceable(source)
    assert alnum(text) == alnum(original)  # nothing but layout was removed
    start = data.draw(st.integers(0, max(0, len(text) - 1)))
    end = data.draw(st.integers(start, len(text)))
    quote, first, last = source.quote(start, end)
    assert original[first:last] == quote
    assert alnum(quote) == alnum(text[start:end])


def is_subsequence(part: str, whole: str) -> bool:
    remaining = iter(whole)
    return all(char in remaining for char in part)


@settings(max_examples=200, deadline=None)
@given(converted_texts(), st.lists(st.integers(0, 10_000), max_size=4), st.data())
def test_page_headers_anywhere_are_dropped_and_nothing_else(
    body: str, positions: list[int], data: st.DataObject
) -> None:
    lines = body.split("\n")
    for page, position in enumerate(sorted(positions, reverse=True), start=2):
        lines.insert(position % len(lines), f"\f24-23652 {page}/9 \n\nA/79/690 ")
    original = "A/79/690\n\n" + "\n".join(lines)
    text, offsets, _ = clean(original)
    source = SourceText(Path("x.txt"), original, text, (*offsets, len(original)), "0" * 64, "")
    assert_traceable(source)
    assert "23652" not in text and text.count("A/79/690") == 1
    assert alnum(text) == "A79690" + alnum(body)
    start = data.draw(st.integers(0, max(0, len(text) - 1)))
    end = data.draw(st.integers(start, len(text)))
    quote, first, last = source.quote(start, end)
    assert original[first:last] == quote
    assert is_subsequence(alnum(text[start:end]), alnum(quote))


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    """Paragraphs of words, some in inline tags, some characters written as entities."""
    paragraphs = []
    for words in draw(st.lists(st.lists(WORDS, min_size=1, max_size=25), min_size=1, max_size=4)):
        marked = []
        for word in words:
            kind = draw(st.integers(0, 5))
            if kind == 0:
                word = f"<b>{word}</b>"
            elif kind == 1:
                word = word.replace("o", "&#111;").replace("a", "&amp;")
            marked.append(word)
        paragraphs.append("<p>" + draw(st.sampled_from([" ", "\n", "  "])).join(marked) + "</p>")
    return "<html><head><title>t</title></head><body>\n" + "\n".join(paragraphs) + "</body></html>"


@settings(max_examples=200, deadline=None)
@given(html_pages(), st.data())
def test_html_quotes_are_the_markup_and_entities_map_to_themselves(
    markup: str, data: st.DataObject
) -> None:
    text, offsets = _html_text(markup)
    text, offsets, _ = clean(text, offsets, blocks=True)
    source = SourceText(Path("x.html"), markup, text, (*offsets, len(markup)), "0" * 64, "")
    for i, char in enumerate(text):
        if char.isspace():  # a block's blank line stands at its tag
            continue
        at = offsets[i]
        assert markup[at] == char or (
            markup[at] == "&" and html.unescape(markup[at : markup.index(";", at) + 1]) == char
        )
    start = data.draw(st.integers(0, max(0, len(text) - 1)))
    end = data.draw(st.integers(start, len(text)))
    quote, first, last = source.quote(start, end)
    assert markup[first:last] == quote
    assert is_subsequence(alnum(text[start:end]).replace("o", ""), alnum(quote))
