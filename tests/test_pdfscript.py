"""Text made ready for ReportLab: fallback fonts per run, Arabic joined, lines in visual order."""
from __future__ import annotations

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
