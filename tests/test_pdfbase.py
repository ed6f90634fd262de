"""pdfbase's quick TrueType encoder writes what ReportLab's own writes."""
from __future__ import annotations

import io

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


def test_more_than_one_subset_and_missing_characters():
    texts = ["".join(map(chr, range(0x2200, 0x2390))), "\u2201 a\u00a0b \u4e2d\u2380"] * 2
    got, want, _, _ = _both(texts)
    assert got == want
    assert {subset for result in got for subset, _ in result} == {0, 1}
    assert b"\x00" in got[-1][0][1]  # U+4E2D is not in DejaVu Sans: code 0, as ReportLab writes


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
