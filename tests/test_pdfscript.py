"""Text made ready for ReportLab: fallback fonts per run, Arabic joined, lines in visual order."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studycards import fonts
from studycards.writers import pdfscript

CHAIN = fonts.for_files()


def test_markup_wraps_runs_the_face_lacks_and_keeps_tags():
    out = pdfscript.markup('<b>Water 水</b> &amp; <font face="DejaVuSansMono">x 日本</font>',
                           CHAIN, fonts.SANS)
    assert out == ('<b>Water <font face="DroidSansFallback">水</font></b> &amp; '
                   '<font face="DejaVuSansMono">x <font face="DroidSansFallback">日本</font></font>')
    assert pdfscript.markup("plain <b>ascii</b>", CHAIN, fonts.SANS) == "plain <b>ascii</b>"


def test_arabic_is_joined_and_keeps_its_vowel_marks():
    assert pdfscript.clean("مرحبا", CHAIN) == "\ufee3\ufeae\ufea3\ufe92\ufe8e"
    assert "\u064e" in pdfscript.clean("مَرحبا", CHAIN)  # fatha kept
    assert pdfscript.clean("a\u200db\ufe0f", CHAIN) == "ab"


def test_visual_order_of_a_line():
    # Left-to-right paragraph: the Hebrew run is reversed in place, styles kept.
    assert pdfscript.visual([("a", "say "), ("b", "שלום עולם"), ("a", " (ok)")], False) == [
        ("a", "say "), ("b", "םלוע םולש"), ("a", " (ok)")]
    # Right-to-left paragraph: Latin runs keep their order, brackets are mirrored.
    assert pdfscript.visual([(None, "שלום (AWS KMS) עולם")], True) == [
        (None, "םלוע (AWS KMS) םולש")]
    assert pdfscript.base_rtl("שלום AWS") and not pdfscript.base_rtl("AWS שלום")


_LETTERS = "abcXYZ שלוםעברית مرحبا ﺍﻟﺘﺸﻔﻴﺮ  "


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.text(_LETTERS, max_size=12)), max_size=5))
def test_a_line_of_letters_and_spaces_is_ordered_as_the_whole_algorithm_orders_it(pieces):
    # visual takes a short way for left-to-right lines of letters and spaces only.
    text = "".join(t for _, t in pieces)
    owner = [i for i, (_, t) in enumerate(pieces) for _ in t]
    expected = pdfscript._uba(pieces, owner, text, False) if pdfscript.RTL.search(text) else [
        p for p in pieces if p[1]]
    assert pdfscript.visual(pieces, False) == expected
