"""Every script prints: the PDFs read back with a real glyph for every character, right-to-left
text drawn right to left, Arabic joined; what no font has is an error with its place."""
from __future__ import annotations

import io
import re

import pdfplumber
import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from conftest import run, tree_digest, write_deck

PROBE = ("Latin é ß, Greek αβγ Ω, Cyrillic Жизнь, CJK 水 日本語 かな カナ, Hebrew שלום, "
         "Arabic مرحبا بالعالم, emoji 😀 🚀 🧠 ✅ 👍, math ∑ √ ∫ ∞ ≤ x²")
SECTION = f"""\
section: Scripts 文字
cards:
  - id: probe
    front: "{PROBE}"
    back: "**水** is water; *שלום* is hello."
  - id: hebrew
    term: "שלום עולם"
    definition: Hello world
  - id: arabic
    cloze: "The greeting [[مرحبا]] is Arabic; 你好 is Chinese."
"""
OUTPUTS = ("demo-cheatsheet.pdf", "demo-flashcards.pdf")


def embedded_glyphs(pdf_path) -> dict[str, dict[str, bool]]:
    """Per embedded font (its PDF name): character -> whether the embedded font file has a
    drawn glyph for the code that character is written with (ToUnicode, then the font's
    own character map)."""
    fonts: dict[str, dict[str, bool]] = {}
    for page in PdfReader(pdf_path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            name = str(font["/BaseFont"])[1:]
            if name in fonts:
                continue
            data = font["/FontDescriptor"].get_object()["/FontFile2"].get_data()
            ttf = TTFont(io.BytesIO(data))
            codes = ttf["cmap"].tables[0].cmap
            glyf = ttf["glyf"]
            unicode_map = font["/ToUnicode"].get_data().decode("ascii").split("beginbfchar")[1]
            found = {}
            for code, text in re.findall(r"<([0-9A-F]{2})> <([0-9A-F]+)>", unicode_map):
                char = bytes.fromhex(text).decode("utf-16-be")
                glyph = codes.get(int(code, 16))
                drawn = glyph is not None and glyph != ".notdef" and (
                    glyf[glyph].numberOfContours != 0 or char.isspace())
                found[char] = drawn
            fonts[name] = found
    return fonts


@pytest.fixture
def probe(project):
    write_deck(project, {"10-scripts.yaml": SECTION})
    code, _, err = run(project, "--quiet")
    assert code == 0, err
    return project / "dist"


@pytest.mark.parametrize("output", OUTPUTS)
def test_every_character_is_drawn_from_an_embedded_glyph(probe, output):
    glyphs = embedded_glyphs(probe / output)
    with pdfplumber.open(probe / output) as pdf:
        chars = [c for page in pdf.pages for c in page.chars]
    printed = {c["text"] for c in chars}
    for char in set(PROBE) - set("مرحبا بالعالم"):  # Arabic prints in its joined forms
        assert char in printed, char
    assert {"\ufee3", "\ufea3", "\ufe92"} <= printed  # meem, hah, beh: initial/medial forms
    for c in chars:
        font = c["fontname"]
        assert glyphs[font].get(c["text"]), (c["text"], font)
    by_char = {c["text"]: c["fontname"].split("+")[1] for c in chars}
    assert by_char["é"].startswith("DejaVuSans")  # Latin keeps DejaVu
    assert by_char["水"] == "DroidSansFallback"
    assert by_char["🚀"] == "Symbola"


def words_left_to_right(chars, top):
    line = sorted((c for c in chars if abs(c["top"] - top) < 1), key=lambda c: c["x0"])
    return "".join(c["text"] for c in line)


@pytest.mark.parametrize("output", OUTPUTS)
def test_hebrew_is_drawn_right_to_left(probe, output):
    with pdfplumber.open(probe / output) as pdf:
        chars = [c for c in pdf.pages[0].chars]
    shin = [c for c in chars if c["text"] == "ש"]
    assert shin
    for first in shin:
        line = words_left_to_right(chars, first["top"])
        assert "םולש" in line, line  # visual order: the first letter is the rightmost glyph
        mem = [c for c in chars if c["text"] == "ם" and abs(c["top"] - first["top"]) < 1]
        assert any(m["x0"] < first["x0"] for m in mem)


def test_mixed_line_keeps_latin_and_right_to_left_in_place(probe):
    with pdfplumber.open(probe / "demo-cheatsheet.pdf") as pdf:
        chars = pdf.pages[0].chars
    lines = {words_left_to_right(chars, c["top"]) for c in chars if c["text"] == "\ufe8e"}
    # "The greeting مرحبا is Arabic": the Arabic word between its Latin neighbours, joined,
    # its letters right to left (final alef leftmost, initial meem rightmost).
    assert any("greeting \ufe8e\ufe92\ufea3\ufeae\ufee3 is Arabic" in line for line in lines), lines
    # "Arabic مرحبا بالعالم": of two right-to-left words the first is on the right.
    assert any("Arabic \ufee2\ufedf\ufe8e\ufecc\ufedf\ufe8e\ufe91 \ufe8e\ufe92\ufea3\ufeae\ufee3"
               in line for line in lines), lines


def test_uncovered_characters_stop_the_build_with_their_place(project, capsys):
    write_deck(project, {"10-a.yaml": "section: A\ncards:\n  - id: k\n    front: Korean\n"
                                      "    back: 한국어 and 🥲\n"})
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert err.startswith("cards/10-a.yaml:5:11: characters 한국어🥲 are not covered by the "
                          "PDF fonts (U+D55C U+AD6D U+C5B4 U+1F972); add a TrueType font"), err
    assert tree_digest(project / "dist") == {}
    assert run(project, "--check", capsys=capsys)[0] == 1


def test_uncovered_characters_leave_the_previous_build_untouched(project, capsys):
    write_deck(project, {"10-a.yaml": "section: A\ncards:\n  - id: k\n    front: Q\n    back: A\n"})
    assert run(project, "--quiet")[0] == 0
    before = tree_digest(project / "dist")
    write_deck(project, {"10-a.yaml": "section: 한\ncards:\n  - id: k\n    front: Q\n    back: A\n"})
    code, _, err = run(project, capsys=capsys)
    assert code == 1 and "cards/10-a.yaml:1:10: character 한 is not covered" in err
    assert tree_digest(project / "dist") == before


def make_font(path, chars: str, cff: bool = False) -> None:
    """A tiny font whose every glyph is a box, for the given characters."""
    names = [".notdef", "space"] + [f"u{ord(c):04X}" for c in chars]
    fb = FontBuilder(1000, isTTF=not cff)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({32: "space", **{ord(c): f"u{ord(c):04X}" for c in chars}})
    if cff:
        def box():
            pen = T2CharStringPen(600, None)
            pen.moveTo((50, 0)), pen.lineTo((550, 0)), pen.lineTo((550, 700))
            pen.lineTo((50, 700)), pen.closePath()
            return pen.getCharString()
        fb.setupCFF("Boxes", {"FullName": "Boxes"}, {n: box() for n in names}, {})
    else:
        def box():
            pen = TTGlyphPen(None)
            pen.moveTo((50, 0)), pen.lineTo((550, 0)), pen.lineTo((550, 700))
            pen.lineTo((50, 700)), pen.closePath()
            return pen.glyph()
        fb.setupGlyf({n: box() for n in names})
    fb.setupHorizontalMetrics({n: (600, 50) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Boxes", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    fb.save(str(path))


def test_a_deck_font_joins_the_fallback(project, capsys):
    write_deck(project, {"10-a.yaml": "section: A\ncards:\n  - id: k\n    front: 한국어\n"
                                      "    back: Korean\n"},
               deck="id: demo\nname: Demo\ntitle: Demo\nfonts: [fonts/hangul.ttf]\n")
    (project / "assets" / "fonts").mkdir()
    make_font(project / "assets/fonts/hangul.ttf", "한국어")
    code, _, err = run(project, "--quiet", capsys=capsys)
    assert code == 0, err
    for output in OUTPUTS:
        glyphs = embedded_glyphs(project / "dist" / output)
        with pdfplumber.open(project / "dist" / output) as pdf:
            chars = [c for page in pdf.pages for c in page.chars if c["text"] in "한국어"]
        assert {c["text"] for c in chars} == set("한국어")
        for c in chars:
            assert c["fontname"].endswith("+Boxes-Regular") or "Boxes" in c["fontname"], c
            assert glyphs[c["fontname"]][c["text"]]


def test_deck_fonts_that_cannot_be_embedded_are_reported(project, capsys):
    write_deck(project, {"10-a.yaml": "section: A\ncards:\n  - id: k\n    front: Q\n"
                                      "    back: A\n"},
               deck="id: demo\nname: Demo\ntitle: Demo\n"
                    "fonts: [cff.otf, junk.ttf, missing.ttf, ../outside.ttf]\n")
    make_font(project / "assets/cff.otf", "한", cff=True)
    (project / "assets/junk.ttf").write_bytes(b"not a font")
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("cards/deck.yaml:4:9: font 'cff.otf' has no TrueType outlines")
    assert lines[1].startswith("cards/deck.yaml:4:18: font 'junk.ttf' is not a readable TrueType")
    assert lines[2] == "cards/deck.yaml:4:28: font 'missing.ttf' not found in assets/"
    assert lines[3] == "cards/deck.yaml:4:41: font '../outside.ttf' is outside assets/"
