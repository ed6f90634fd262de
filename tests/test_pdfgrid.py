"""The sheet's Grid: a ReportLab Table's sizes, its splits, and no word lost across pages."""
from __future__ import annotations


import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

from studycards.writers import cheatsheet, pdfbase

pdfbase.register_fonts()
CELL, HEAD = cheatsheet.CELL, cheatsheet.CELL_HEAD


def text(card_text: str, style=CELL):
    [flowable] = cheatsheet.flow(style, cheatsheet.runs(card_text))
    return flowable


def words(prefix: str, count: int) -> str:
    return " ".join(f"{prefix}{i}" for i in range(count))


def rows():
    """A header row with an empty corner, and rows of one or two flowables per cell."""
    return [[[], [text("Alpha", HEAD)], [text("Beta", HEAD)]],
            [[text("Tenancy", HEAD)], [text(words("a", 12))],
             [text("one"), text("*explained at some length here*", cheatsheet.SMALL)]],
            [[text("Keys", HEAD)], "", [text(words("b", 30))]]]


def table_heights(data, widths) -> list[float]:
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), pdfbase.SANS, 6.2), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.2), ("RIGHTPADDING", (0, 0), (-1, -1), 2.2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6)]))
    table.wrap(sum(widths), 10_000)
    return table._rowHeights


def test_rows_are_as_tall_as_a_reportlab_tables():
    widths = [40.0, 70.0, 90.0]
    grid = cheatsheet._grid(rows(), widths, True, True)
    assert grid.wrap(500, 10_000) == (sum(widths), pytest.approx(sum(grid._heights)))
    assert grid._heights == pytest.approx(table_heights(rows(), widths))


def test_a_split_repeats_the_header_and_fills_the_room_with_the_foot_row():
    widths = [40.0, 70.0, 90.0]
    grid = cheatsheet._grid(rows(), widths, True, True)
    grid.wrap(500, 10_000)
    room = grid._heights[0] + grid._heights[1] + 3.5 * CELL.leading
    first, second = grid.split(500, room)
    assert first.wrap(500, room)[1] <= room
    assert len(first.rows) == 3  # header, the first row, and the top of the second
    assert first.rows[2][1] == ""  # the empty cell stays empty
    assert second.rows[0] == grid.rows[0]  # the header again
    assert second.rows[1][2] and second.rows[1][0] == ""


def test_no_split_leaves_a_row_with_an_empty_cell_beside_a_full_one():
    """When one cell of the foot row can put nothing there (one line would be alone), the
    split falls between rows."""
    data = [[[text("Term", HEAD)], [text(words("c", 12))]],
            [[text("Next", HEAD)], [text(words("d", 40))]]]
    grid = cheatsheet._grid(data, [40.0, 60.0], False, True)
    grid.wrap(100, 10_000)
    first, second = grid.split(100, grid._heights[0] + 1.5 * CELL.leading)
    assert len(first.rows) == 1 and len(second.rows) == 1
    grid.at_top = False  # further down a column: the next one
    assert grid.split(100, 1.5 * CELL.leading) == []
    grid.at_top = True  # nothing else would fit: what fits
    first, second = grid.split(100, 1.5 * CELL.leading)
    assert first.rows[0][1] == "" and second.rows[0][0] == ""


def test_a_cell_taller_than_a_page_flows_on_with_every_word_once(tmp_path):
    long = words("cell", 400)
    data = [[[text("Head", HEAD)], [text("Column", HEAD)]],
            [[text("<b>Term</b>")], [text(long)]],
            [[text("After")], [text(words("tail", 5))]]]
    grid = cheatsheet._grid(data, [60.0, 120.0], True, False)
    doc = SimpleDocTemplate(str(tmp_path / "g.pdf"), pagesize=(A4[0], 300), leftMargin=20,
                            rightMargin=20, topMargin=20, bottomMargin=20)
    doc.build([grid])
    with pdfplumber.open(tmp_path / "g.pdf") as pdf:
        assert len(pdf.pages) > 2
        pages = [(page.extract_text() or "").split() for page in pdf.pages]
    assert all(page[:2] == ["Head", "Column"] for page in pages)  # the header on every page
    found = [w for page in pages for w in page]
    assert [w for w in found if w.startswith("cell")] == long.split()
    assert found[-6:] == ["After"] + words("tail", 5).split()

