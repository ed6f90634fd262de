"""The fallback chains: which font prints which character, and what none can."""
from __future__ import annotations

from studycards import fonts


def test_latin_stays_in_its_own_face_and_other_scripts_fall_back():
    chain = fonts.for_files()
    assert chain.runs("Hello world", fonts.SANS_BOLD) == [(fonts.SANS_BOLD, "Hello world")]
    assert chain.runs("Water 水 is 😀🚀", fonts.SANS) == [
        (fonts.SANS, "Water "), (fonts.CJK, "水 "), (fonts.SANS, "is 😀"), (fonts.EMOJI, "🚀")]
    # A character the bold face lacks comes from the regular face before any other font.
    assert chain.font_for("\u0e01", fonts.SANS_BOLD) in (fonts.SANS_BOLD, fonts.SANS)


def test_uncovered_lists_each_missing_character_once_and_ignores_invisible_ones():
    chain = fonts.for_files()
    assert chain.uncovered("plain ASCII\tand a\nbreak") == ""
    assert chain.uncovered("水 שלום مرحبا ∑ 😀 ❤\ufe0f 👍\U0001f3fd a\u200db") == ""
    assert chain.uncovered("한국어 한 🥲") == "한국어🥲"
    assert chain.uncovered("bell\x07") == "\x07"


def test_problem_with_refuses_what_reportlab_cannot_embed():
    assert fonts.problem_with(fonts.SHIPPED[fonts.SANS].read_bytes()) is None
    assert "not a readable TrueType font" in fonts.problem_with(b"nope")
