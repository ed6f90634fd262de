"""pdfbase's quick TrueType encoder and its file writer write what ReportLab's own write."""
from __future__ import annotations

import io
import random
import string
import tracemalloc

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDocument
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from studycards.writers import pdfbase
from studycards.writers.pdfbase import SANS, SANS_BOLD

pdfbase.register_fonts()

# ASCII, no-break space, Latin, Greek, Cyrillic, Arabic, CJK and emoji (which DejaVu lacks:
# code 0), past U+FFFF, and a block of 400 symbols, so that a document fills more than one
# 256-code subset.
ALPHABET = ("abc XYZ 019 ()\\\u00a0\u00e9\u00df\u00c5\u03b1\u03a9\u0436\u0416\u0645\u0631"
            "\u4e2d\u6587\U0001f600\u2211\u221a" + "".join(map(chr, range(0x2200, 0x2390))))


def _both(texts):
    font = pdfmetrics.getFont(SANS)
    ours, theirs = PDFDocument(), PDFDocument()
    got = [font.splitString(t, ours) for t in texts]
    want = [pdfbase._rl_split_string(font, t, theirs) for t in texts]
    return got, want, font.state[ours], font.state[theirs]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=60), min_size=1, max_size=40))
def test_split_string_equals_reportlabs_own(texts):
    got, want, ours, theirs = _both(texts * 2)  # the second time every character has a code
    assert got == want
    assert ours.assignments == theirs.assignments and ours.subsets == theirs.subsets


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=string.printable + "\x00\x01\x1f\x7f", max_size=60),
                min_size=1, max_size=40))
def test_ascii_text_equals_reportlabs_own(texts):
    """Printable ASCII is passed through untranslated: control characters must not be."""
    got, want, _, _ = _both(texts * 2)
    assert got == want


def test_more_than_one_subset_and_missing_characters():
    texts = ["".join(map(chr, range(0x2200, 0x2390))), "\u2201 a\u00a0b \u4e2d\u2380"] * 2
    got, want, _, _ = _both(texts)
    assert got == want
    assert {subset for result in got for subset, _ in result} == {0, 1}
    assert b"\x00" in got[-1][0][1]  # U+4E2D is not in DejaVu Sans: code 0, as ReportLab writes


def _shown(pairs, quick: bool) -> list[str]:
    """The operators of each (font, leading, text) shown in one text object: by
    pdfbase.show, or by ReportLab's own _formatText with its own encoder."""
    canvas = Canvas(io.BytesIO(), invariant=1)
    text = canvas.beginText()
    out = []
    for font, leading, string_ in pairs:
        if (font, leading) != (text._fontname, text._leading):
            text.setFont(font, 10, leading)
        if quick:
            face = pdfmetrics.getFont(font)
            out.append(pdfbase.show(text, face, pdfbase.codes(face, canvas._doc), string_))
        else:
            out.append(text._formatText(string_))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([SANS, SANS_BOLD]), st.sampled_from([12, 13.5]),
                          st.text(alphabet=ALPHABET, max_size=60)), min_size=1, max_size=40))
def test_show_writes_what_reportlabs_text_object_writes(pairs):
    quick = _shown(pairs * 2, True)  # the second time every character has a code
    quick_encoder, TTFont.splitString = TTFont.splitString, pdfbase._rl_split_string
    try:
        assert quick == _shown(pairs * 2, False)
    finally:
        TTFont.splitString = quick_encoder


def _pdf(lines) -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    for index, (font, text) in enumerate(lines):
        canvas.setFont(font, 10)
        canvas.drawString(20, 800 - 12 * (index % 60), text)
        if index % 60 == 59:
            canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_pdf_is_byte_identical_to_reportlabs_encoder(monkeypatch):
    lines = [(SANS if i % 3 else SANS_BOLD,
              ALPHABET[(i * 7) % len(ALPHABET):][:40] + f" line {i}\u00a0\u00e9")
             for i in range(150)]
    quick = _pdf(lines)
    monkeypatch.setattr(TTFont, "splitString", pdfbase._rl_split_string)
    assert _pdf(lines) == quick


def _font_with(char: str) -> bytes:
    """DejaVu Sans cut to a few glyphs, with `char` mapped to the glyph of "x"."""
    from fontTools import subset
    from fontTools.ttLib import TTFont as FontFile

    font = FontFile(str(pdfbase.fontlib.SHIPPED[SANS]))
    subsetter = subset.Subsetter(subset.Options())
    subsetter.populate(text="xyz")
    subsetter.subset(font)
    for table in font["cmap"].tables:
        table.cmap[ord(char)] = table.cmap[ord("x")]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def test_a_font_without_all_of_printable_ascii_has_ascii_text_translated():
    font = TTFont("CutDejaVu", io.BytesIO(_font_with("\u00e9")))  # x, y, z only
    ours, theirs = PDFDocument(), PDFDocument()
    assert not pdfbase.codes(font, ours).ascii
    texts = ["abc xyz", "xyz", "abc xyz \u00e9"]
    assert ([font.splitString(t, ours) for t in texts]
            == [pdfbase._rl_split_string(font, t, theirs) for t in texts])


def test_a_deck_font_prints_with_its_own_glyphs_whatever_its_internal_name():
    """ReportLab keeps one font per internal name. The deck font here is DejaVu Sans cut
    down, under DejaVu Sans's name (as a DejaVu with added glyphs would be), and it is edited
    between two builds in one process (watch mode): each time its own glyphs must print."""
    from types import SimpleNamespace

    def deck(data):
        return SimpleNamespace(fonts=(SimpleNamespace(name="mine.ttf", data=data),))

    try:
        for char in ("\ud55c", "\uac00"):  # Hangul: no shipped font has it
            chains = pdfbase.register_fonts(deck(_font_with(char)))
            name = chains.font_for(char, SANS)
            assert name in chains.extra_names
            pdfbase.fallback(char, SANS)  # registers the fonts the text needs
            assert ord(char) in pdfmetrics.getFont(name).face.charToGlyph
    finally:
        pdfbase.register_fonts()


def test_page_streams_are_binary_flate_without_ascii85():
    out = io.BytesIO()
    canvas = pdfbase.canvas_class(0)(out)
    canvas.setFont(SANS, 12)
    canvas.drawString(72, 72, "Flate only")
    canvas.showPage()
    canvas.save()
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(out.getvalue())).pages[0]
    assert page["/Contents"].get_object()["/Filter"] in ("/FlateDecode", ["/FlateDecode"])
    assert "Flate only" in page.extract_text()


_RANDOM = random.Random(7)  # lines that compress little: a file of about 2 MB
_LINES = ["".join(_RANDOM.choices(string.ascii_letters + string.digits, k=400))
          for _ in range(997)]


def _pages(canvas, pages: int) -> None:
    canvas.bookmarkPage("start")
    canvas.addOutlineEntry("Start", "start")
    for page in range(pages):
        for line in range(60):
            canvas.setFont(SANS_BOLD if line % 5 == 0 else SANS, 8)
            canvas.drawString(40, 800 - 12 * line, _LINES[(page * 60 + line) % len(_LINES)])
        canvas.showPage()


def test_the_file_is_written_object_by_object_as_reportlab_would_write_it(tmp_path):
    theirs = pdfbase.canvas_class(1767225600)(io.BytesIO())
    _pages(theirs, 100)
    want = theirs.getpdfdata()  # ReportLab's own: the document formatted into one string
    ours = pdfbase.canvas_class(1767225600)(str(tmp_path / "ours.pdf"))
    _pages(ours, 100)
    tracemalloc.start()
    try:
        ours.save()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / "ours.pdf").read_bytes() == want
    # ReportLab's own holds every object formatted, then joins them: twice the file.
    assert len(want) > 1_500_000 and peak < len(want) / 2


def test_a_paragraph_puts_a_line_with_a_formula_beside_right_to_left_text_in_visual_order():
    import pdfplumber
    from reportlab.lib.styles import ParagraphStyle

    peace = "\u05e9\u05dc\u05d5\u05dd"
    style = ParagraphStyle("p", fontName=SANS, fontSize=12, leading=15)
    para = pdfbase.Paragraph(pdfbase.rl(f"{peace} $x^2$ end"), style)
    para.wrap(300, 100)
    out = io.BytesIO()
    canvas = pdfbase.canvas_class(0)(out)  # it draws formulas
    para.drawOn(canvas, 100, 500)
    canvas.save()
    with pdfplumber.open(io.BytesIO(out.getvalue())) as pdf:
        page = pdf.pages[0]
        words = {w["text"]: w for w in page.extract_words()}
        outlines = page.curves + page.rects
    left, right = min(o["x0"] for o in outlines), max(o["x1"] for o in outlines)
    # Read back in drawing order, left to right: the Hebrew word's letters reversed, and
    # the formula between it and the word after it in reading order.
    assert words["end"]["x1"] <= left < right <= words[peace[::-1]]["x0"]
