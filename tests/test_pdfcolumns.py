"""The sheet's column filler: a frame's spacing, splits at a column's foot, pages, one text
object per page."""
from __future__ import annotations

import re

import pdfplumber
import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable
from reportlab.platypus.doctemplate import LayoutError

from studycards.writers import cheatsheet, pdfbase, pdfcolumns

pdfbase.register_fonts()
COLUMNS = [(10.0, 20.0, 100.0, 100.0), (120.0, 20.0, 100.0, 100.0)]  # x, bottom, width, height


class Box(Flowable):
    """A block of a fixed height that records where it is drawn; `cut` splits it in two
    where it is asked to (else it does not split)."""

    def __init__(self, name, height, before=0.0, after=0.0, cut=False):
        super().__init__()
        self.name, self.height, self.cut = name, height, cut
        self.spaceBefore, self.spaceAfter = before, after
        self.at = None
        self.tops: list[bool] = []  # the at_top of each split asked

    def wrap(self, available_width, available_height):
        self.width = available_width
        return self.width, self.height

    def split(self, available_width, available_height):
        self.tops.append(getattr(self, "at_top", None))
        if not self.cut or available_height < 1:
            return []
        return [Box(self.name + "a", available_height), Box(self.name + "b",
                                                            self.height - available_height)]

    def draw_at(self, canvas, left, bottom, pen):
        self.at = (canvas.getPageNumber(), left, bottom)

    def drawOn(self, canvas, x, y, _sW=0):  # pragma: no cover - draw_at is used
        raise AssertionError("drawn without the page's pen")


def text(card_text: str, style):
    [flowable] = cheatsheet.flow(style, cheatsheet.runs(card_text))
    return flowable


def filled(blocks, tmp_path, columns=COLUMNS):
    canvas = Canvas(str(tmp_path / "columns.pdf"))
    pages = []
    sheet = pdfcolumns.Columns(canvas, columns, lambda c: pages.append(c.getPageNumber()))
    originals = Box.split

    def recording(self, width, height):
        parts = originals(self, width, height)
        drawn.extend(parts)
        return parts

    drawn = []  # every part a Box split into, in order
    Box.split = recording
    try:
        for block in blocks:
            sheet.add(block)
        sheet.finish()
    finally:
        Box.split = originals
    canvas.save()
    return pages, drawn


def test_spaced_as_a_frame_spaces_blocks(tmp_path):
    first = Box("first", 30, before=8, after=3)
    second = Box("second", 20, before=5, after=2)
    third = Box("third", 10, before=1)
    filled([first, second, third], tmp_path)
    top = 20 + 100
    assert first.at == (1, 10.0, top - 30)  # no space before the first block of a column
    assert second.at == (1, 10.0, top - 30 - max(3, 5) - 20)  # the larger of the two
    assert third.at == (1, 10.0, top - 30 - 5 - 20 - 2 - 10)


def test_a_block_that_does_not_fit_starts_the_next_column_then_the_next_page(tmp_path):
    blocks = [Box("a", 60), Box("b", 60), Box("c", 60)]
    pages, _ = filled(blocks, tmp_path)
    assert [b.at for b in blocks] == [(1, 10.0, 60.0), (1, 120.0, 60.0), (2, 10.0, 60.0)]
    assert pages == [1, 2]  # each page begun once, when its first block came
    assert blocks[1].tops == [False]  # asked to split where it stood, below another block


def test_a_tall_block_splits_at_the_foot_and_flows_on(tmp_path):
    first, tall = Box("first", 40), Box("tall", 150, cut=True)
    pages, parts = filled([first, tall], tmp_path)
    assert tall.tops == [False]
    assert [(p.name, p.height) for p in parts[:2]] == [("talla", 60.0), ("tallb", 90.0)]
    assert parts[0].at == (1, 10.0, 20.0)  # the column ends full
    assert parts[1].at == (1, 120.0, 30.0)  # the rest from the next column's top
    assert pages == [1]


def test_a_block_neither_fitting_nor_splitting_at_a_columns_top_is_an_error(tmp_path):
    with pytest.raises(LayoutError, match="too large for a column"):
        filled([Box("first", 10), Box("huge", 150)], tmp_path)


def test_a_together_taller_than_a_column_flows_on_in_parts_from_the_next_top(tmp_path):
    parts = [Box("head", 20, after=2), Box("body", 90, before=1)]
    block = pdfcolumns.Together(parts, column_height=100)
    filled([Box("first", 50), block], tmp_path)
    assert parts[0].at == (1, 120.0, 100.0)  # the next column, not the foot of this one
    assert parts[1].at == (2, 10.0, 30.0)


def test_an_empty_story_is_one_page(tmp_path):
    pages, _ = filled([], tmp_path)
    assert pages == [1]


def test_a_pages_blocks_write_their_text_into_one_text_object(tmp_path):
    """Text, a Grid's cells and a Together's parts: one BT ... ET on the page, each word
    where the block drawn on its own (drawOn) puts it."""
    width = 150.0

    def blocks():
        first = text("**Alpha** beta gamma", cheatsheet.BODY)
        grid = cheatsheet._grid([[[text("Term", cheatsheet.CELL_HEAD)],
                                  [text("Its definition", cheatsheet.CELL)]]],
                                [width * 0.3, width * 0.7], False, True)
        return [first, pdfcolumns.Together([text("Caption", cheatsheet.BODY),
                                           grid], 400)]

    filled_path, alone_path = tmp_path / "filled.pdf", tmp_path / "alone.pdf"
    canvas = Canvas(str(filled_path))
    sheet = pdfcolumns.Columns(canvas, [(20.0, 20.0, width, 400.0)], lambda c: None)
    for block in blocks():
        sheet.add(block)
    sheet.finish()
    canvas.save()
    canvas, top, after = Canvas(str(alone_path)), 420.0, None
    for block in blocks():
        height = block.wrap(width, 400)[1]
        top -= height + (0.0 if after is None else max(after, block.getSpaceBefore()))
        block.drawOn(canvas, 20.0, top)
        after = block.getSpaceAfter()
    canvas.save()

    content = PdfReader(filled_path).pages[0].get_contents().get_data()
    texts = re.findall(rb"(?:^|\s)BT\s(.*?)\sET", content, re.S)
    assert sum(b"Tj" in text for text in texts) == 1  # (the canvas's own sets a font only)
    words = []
    for path in (filled_path, alone_path):
        with pdfplumber.open(path) as pdf:
            words.append([(w["text"], round(w["x0"], 2), round(w["top"], 2))
                          for w in pdf.pages[0].extract_words()])
    assert [w[0] for w in words[0]] == ["Alpha", "beta", "gamma", "Caption", "Term", "Its",
                                        "definition"]
    assert words[0] == words[1]
