"""The flashcards' fast text fitting: words from card text's runs (markup.runs), broken
into lines by arithmetic and drawn as text runs."""
from __future__ import annotations

import io

import pdfplumber
from reportlab.lib.colors import HexColor
from reportlab.pdfgen.canvas import Canvas

from studycards import markup
from studycards.writers import pdfbase, pdftext
from studycards.writers.pdfbase import SANS, SANS_BOLD

pdfbase.register_fonts()


def parse(text: str, scale: float = 1.0, color=None):
    return pdftext.words(markup.runs(text), scale, color)


def words(block):
    return [[(w.text, w.font, w.space) for w in line] for line in block.lines]


def _drawn(lines):
    """Lines drawn by pdftext on a page and read back by pdfplumber: its words by text,
    and the filled outlines (formulas) on it."""
    out = io.BytesIO()
    canvas = Canvas(out)
    pdftext.draw(canvas, lines, 200, 400, HexColor("#1d2330"))
    canvas.save()
    with pdfplumber.open(io.BytesIO(out.getvalue())) as pdf:
        page = pdf.pages[0]
        return {w["text"]: w for w in page.extract_words()}, page.curves + page.rects


def test_subset_is_read_with_fonts_and_spaces():
    block = parse("A **bold**, *it*\nx <y> & z")
    assert words(block) == [
        [("A", "DejaVuSans", False), ("bold", "DejaVuSans-Bold", True), (",", "DejaVuSans", False),
         ("it", "DejaVuSans-Oblique", True)],
        [("x", "DejaVuSans", False), ("<y>", "DejaVuSans", True), ("&", "DejaVuSans", True),
         ("z", "DejaVuSans", True)],
    ]


def test_inline_code_is_read_in_mono_and_bold_mono():
    block = parse("see `a  b` and **`c`**")
    assert words(block) == [[
        ("see", "DejaVuSans", False), ("a", "DejaVuSansMono", True),
        ("b", "DejaVuSansMono", True), ("and", "DejaVuSans", True),
        ("c", "DejaVuSansMono-Bold", True)]]
    coloured = parse("x `y` z", color=HexColor("#4b5563"))
    assert [(w.text, w.font, w.color) for w in coloured.lines[0]] == [
        ("x", "DejaVuSans", coloured.lines[0][0].color),
        ("y", "DejaVuSansMono", coloured.lines[0][0].color),
        ("z", "DejaVuSans", coloured.lines[0][0].color)]
    assert coloured.lines[0][0].color is not None


def test_code_blocks_are_left_to_the_caller():
    assert parse("x\n```python\nx = 1\n```") is None


def test_a_formula_beside_right_to_left_text_is_drawn_in_visual_order_as_a_neutral():
    """(As the cheat sheet draws it: a Paragraph, which drew these faces before, left a line
    holding a formula in logical order, its Hebrew letters backwards.)"""
    peace, world = "\u05e9\u05dc\u05d5\u05dd", "\u05e2\u05d5\u05dc\u05dd"
    block = parse(f"{peace} $x^2$ end\n{world} x")
    assert block is not None and block.rtl and block.formulas
    words, outlines = _drawn(pdftext.layout([block], 12, 300))
    # Read back in drawing order, left to right: the letters of each word reversed.
    first, second = words[peace[::-1]], words[world[::-1]]
    left, right = min(o["x0"] for o in outlines), max(o["x1"] for o in outlines)
    assert words["end"]["x1"] <= left < right <= first["x0"]
    assert words["x"]["x1"] <= second["x0"]  # the second line: right to left too


def test_a_line_with_formulas_is_drawn_as_wide_as_it_was_measured():
    # The space before a formula is measured in the sans font, whatever the word before.
    words, _ = _drawn(pdftext.layout([parse("`code` $x$ **bold** $y$ end")], 12, 300))
    # Centred on x = 200 by its measured width: drawn wider, it would end right of centre.
    assert abs((words["code"]["x0"] + words["end"]["x1"]) / 2 - 200) < 0.3


def test_layout_breaks_lines_and_refuses_words_wider_than_the_box():
    block = parse("one two three four five six seven eight nine ten")
    lines = pdftext.layout([block], 12, 80)
    assert len(lines) > 1 and all(used <= 80 for _, _, used in lines)
    assert " ".join(w.text for line, _, _ in lines for w in line) == \
        "one two three four five six seven eight nine ten"
    assert pdftext.layout([parse("Pneumonoultramicroscopicsilicovolcanoconiosis")], 12, 80) is None


def test_smaller_size_means_fewer_or_equal_lines():
    block = parse(" ".join(["word"] * 60))
    heights = [pdftext.height(pdftext.layout([block], size, 200)) for size in (14, 10, 6)]
    assert heights == sorted(heights, reverse=True)


def test_inline_formula_is_a_word_that_makes_room_and_is_drawn_between_its_words():
    block = parse(r"sum $\sum_{i=1}^{n} i$ here")
    formula = [w for line in block.lines for w in line if w.formula is not None]
    assert [w.formula for w in formula] == [r"\sum_{i=1}^{n} i"] and formula[0].space
    plain = pdftext.layout([parse("sum x here")], 12, 300)
    lines = pdftext.layout([block], 12, 300)
    assert len(lines) == 1 and pdftext.height(lines) > pdftext.height(plain)
    words, outlines = _drawn(lines)  # the formula: filled outlines, no text
    assert set(words) == {"sum", "here"} and outlines
    left = min(o["x0"] for o in outlines)
    right = max(o["x1"] for o in outlines)
    assert words["sum"]["x1"] < left < right < words["here"]["x0"]


def test_display_formula_takes_a_line_of_its_own_and_shrinks_to_the_width():
    source = "before $$\\sum_{i=1}^{n} i^2 + i^3 + i^4 + i^5 + i^6 + \\frac{a}{b}$$ after"
    block = pdftext.words(markup.runs(source) + (markup.BREAK,))
    assert [[w.text or w.display for w in line] for line in block.lines] == \
        [["before"], [True], ["after"], []]
    lines = pdftext.layout([block], 12, 300)
    assert [len(words) for words, _, _ in lines] == [1, 1, 1, 0]
    formula = lines[1][0][0]
    half = formula.width * 6  # half its width at 12 pt, still room for the words
    narrow = pdftext.layout([block], 12, half)
    assert narrow is not None and narrow[1][2] == half
    assert pdftext.height(narrow) == pdftext.height(lines)  # its box keeps its height
    words, outlines = _drawn(narrow)
    assert set(words) == {"before", "after"} and outlines
    top, bottom = min(o["top"] for o in outlines), max(o["bottom"] for o in outlines)
    assert words["before"]["bottom"] < top and bottom < words["after"]["top"]
    width = max(o["x1"] for o in outlines) - min(o["x0"] for o in outlines)
    assert width <= half + 0.5


def test_a_lines_words_do_not_depend_on_the_lines_around_it():
    # Kept per line between line breaks: the same whichever text comes before or after.
    lines = ["Plain **bold** `code` text",
             "\u05e9\u05dc\u05d5\u05dd world $x^2$ \u05e2\u05d5\u05dc\u05dd",
             "before $$\\frac{a}{b}$$ after", "\u6f22\u5b57\u3068\u304b\u306a\u3002ok", ""]
    for order in (lines, lines[::-1], lines[1:] + lines[:1]):
        runs: tuple = ()
        for index, line in enumerate(order):
            runs += ((markup.BREAK,) if index else ()) + markup.runs(line)
        pdftext.forget_lines()  # each made afresh, not read back from the other
        whole = pdftext.words(runs)
        pdftext.forget_lines()
        alone = [pdftext.words(markup.runs(line)) for line in order]
        assert whole.lines == tuple(l for block in alone for l in block.lines)
        assert whole.widths == tuple(w for block in alone for w in block.widths)
        assert whole.rtl and whole.formulas


def test_a_kept_line_is_kept_for_its_colour():
    # The same runs in another colour (a group card's grey choices after a basic card's ink
    # line of the same text) are words of that colour.
    runs = markup.runs("Alpha \u00b7 Beta")
    grey = HexColor("#777777")
    assert {w.color for line in pdftext.words(runs, color=grey).lines for w in line} == {grey}
    assert {w.color for line in pdftext.words(runs).lines for w in line} == {None}


def test_kept_lines_are_made_anew_in_another_decks_fonts(tmp_path):
    # A deck's own font comes first in its fallback: the next deck written in the same
    # process, without it, must not get words in it.
    from conftest import write_deck
    from test_scripts import make_font

    from studycards.source import load_deck

    section = {"10-a.yaml": "section: A\ncards:\n  - id: k\n    front: \u6f22\u5b57\n"
                            "    back: Korean\n"}
    own = write_deck(tmp_path / "own", section,
                     deck="id: demo\nname: Demo\ntitle: Demo\nfonts: [fonts/hangul.ttf]\n")
    (tmp_path / "own/assets/fonts").mkdir()
    make_font(tmp_path / "own/assets/fonts/hangul.ttf", "\u6f22\u5b57")
    plain = write_deck(tmp_path / "plain", section)
    runs = markup.runs("\u6f22\u5b57")
    fonts = []
    try:
        for cards in (own, plain):
            pdfbase.register_fonts(load_deck(cards, source_date_epoch=0))
            fonts.append({w.font for line in pdftext.words(runs).lines for w in line})
    finally:
        pdfbase.register_fonts()
    assert fonts[0] != fonts[1]
    assert fonts[1] == {w.font for line in pdftext.words(runs).lines for w in line}


def test_a_pen_writes_what_reportlabs_text_object_would():
    """Pen writes a run's operators itself (pdfbase.show, Tm): the same as ReportLab's
    setTextOrigin, _textOut and textLine with ReportLab's own encoder, for empty runs, line
    ends, leading, characters the font lacks, subset switches and a Type 1 font."""
    from reportlab.pdfbase.ttfonts import TTFont

    symbols = "".join(map(chr, range(0x2200, 0x2330)))  # more than one 256-code subset
    steps = [("move", 1, 2), (SANS, 10, "", False), (SANS, 10, "ab(c)\\", False),
             (SANS, 10, symbols, False), (SANS, 10, "abc", True), (SANS, 10, "", True),
             ("leading", 14), (SANS, 10, "\u00a0x\x01\x7f\t", False),
             (SANS_BOLD, 10, "\U0001F600\u4e2d", False), ("Helvetica", 10, "caf\u00e9", False),
             (SANS, 10, "\u2201", False), (SANS, 10, "plain", True), ("move", 3.5, 4.25),
             (SANS, 12, "q", False), ("empty line",), (SANS, 12, "after", False)]

    def written(reportlab: bool) -> list[str]:
        canvas = Canvas(io.BytesIO(), invariant=1)
        pen = pdftext.Pen(canvas)
        for step in steps:
            if step[0] == "move":
                if reportlab:
                    if pen.text is None:
                        pen.text = canvas.beginText()
                        pen.font = pen.color = pen.leading = None
                    pen.text.setTextOrigin(*step[1:])
                else:
                    pen.move(*step[1:])
            elif step[0] == "leading":
                pen.set_leading(step[1])
            elif step[0] == "empty line":
                pen.text.textLine("")
            elif reportlab:
                font, size, text, line_end = step
                if (font, size) != pen.font:
                    pen.text.setFont(font, size)
                    pen.font, pen.leading = (font, size), None
                (pen.text.textLine if line_end else pen.text._textOut)(text)
            else:
                font, size, text, line_end = step
                pen.write(font, size, None, text, None, line_end)
        return pen.text._code

    quick = written(False)
    quick_encoder, TTFont.splitString = TTFont.splitString, pdfbase._rl_split_string
    try:
        assert quick == written(True)
    finally:
        TTFont.splitString = quick_encoder
