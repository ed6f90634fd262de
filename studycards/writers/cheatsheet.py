"""The cheat sheet writer: Deck -> a compact multi-column PDF, each card kind laid out to be read.

Term cards become a two-column table, lists bullet lists, cloze text shows its hidden parts in
bold, group cards one real table per group (a column per answer), comparisons side-by-side
tables. Landscape, three columns; a title band, "page X of Y" and the build date on every page.
"""
from __future__ import annotations

import gc
import io
from itertools import groupby

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Spacer

from .. import collector, markup
from ..markup import BOLD, BREAK, ITALIC
from ..model import Basic, Card, Cloze, Compare, Deck, GroupItem, ListCard, Section, Term
from . import pdfbase
from .pdfbase import SANS, SANS_BOLD, Paragraph, rl
from .pdfcolumns import Columns, Together
from .pdfflow import flow as _flow
from .pdfgrid import Grid


def flow(style, text: tuple, note: tuple = (), size: float | None = None) -> list:
    """The flowables (pdfflow's) of runs of card text in `style`, then, if given, those of
    `note` on a line of its own at `size`."""
    return _flow([(text, None), ((BREAK,) + note, size)] if note else [(text, None)], style)


def runs(text: str, style: int = 0) -> tuple:
    """Card text as runs (markup.runs)."""
    return markup.runs(text, style=style)


SUFFIX = "-cheatsheet.pdf"
COLUMNS = 3
MARGIN = 9 * mm
GUTTER = 5 * mm
BAND = 11 * mm  # the title band on top of each page
FOOT = 6 * mm
INK = colors.HexColor("#1d2330")
ACCENT = colors.HexColor("#1e3a8a")
RULE = colors.HexColor("#9ca3af")
SHADE = colors.HexColor("#eef0f3")

BODY = ParagraphStyle("body", fontName=SANS, fontSize=6.2, leading=7.4, textColor=INK,
                      alignment=TA_LEFT, spaceAfter=1.6)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=5.8, leading=6.9, textColor=INK,
                       spaceAfter=0)
CELL = ParagraphStyle("cell", parent=BODY, spaceAfter=0)
CELL_HEAD = ParagraphStyle("cellhead", parent=CELL, fontName=SANS_BOLD)
HEADING = ParagraphStyle("heading", fontName=SANS_BOLD, fontSize=9.5, leading=11.5,
                         textColor=ACCENT, spaceBefore=5, spaceAfter=2.5, keepWithNext=1)


class SectionHeading(Paragraph):
    """A heading that is also the section's PDF bookmark, and is never left alone at a
    column's foot (keepWithNext)."""

    def __init__(self, section: Section):
        super().__init__(rl(section.title), HEADING)
        self.key, self.title = section.key, section.title

    def draw(self):
        self.canv.bookmarkHorizontal(self.key, 0, self.height)
        self.canv.addOutlineEntry(self.title, self.key, level=0, closed=False)
        self.canv.setStrokeColor(RULE)
        self.canv.setLineWidth(0.5)
        self.canv.line(0, -1.2, self.width, -1.2)
        super().draw()


def _grid(data, widths, header_row: bool, header_col: bool) -> Grid:
    # An empty cell is one empty line of the body's size, as in a ReportLab Table.
    return Grid(data, widths, rule=RULE, weight=0.35, shade=SHADE, header_row=header_row,
                header_col=header_col, empty=BODY.fontSize * 1.2, space_after=3)


class Layout:
    """Turns one section's cards into flowables, merging neighbours of the same kind."""

    def __init__(self, deck: Deck, width: float, column_height: float):
        self.deck, self.width, self.column_height = deck, width, column_height

    def section(self, section: Section) -> list:
        blocks: list[list] = []  # each block: flowables that read as one piece
        done_groups: set = set()
        for kind, run in groupby(section.cards, key=lambda c: type(c)):
            run = list(run)
            if kind is Term:
                blocks.append([self.terms(run)])
            elif kind is GroupItem:
                for key in dict.fromkeys(c.group.key for c in run):
                    if key not in done_groups:
                        done_groups.add(key)
                        blocks.append(self.group([c for c in section.cards if isinstance(c, GroupItem)
                                                  and c.group.key == key]))
            else:
                blocks.extend(self.single(card) for card in run)
            blocks.extend([self.image(card.image)] for card in run if card.image)
        # The heading travels with the first block, so it never stands alone at a column's foot.
        story: list = [self.together([SectionHeading(section)] + (blocks[0] if blocks else []))]
        story.extend(self.together(block) if len(block) > 1 else block[0] for block in blocks[1:])
        return story

    def together(self, block: list):
        return Together(block, self.column_height) if len(block) > 1 else block[0]

    def terms(self, cards: list[Term]) -> Grid:
        data = [[flow(CELL, runs(c.term, BOLD)),
                 flow(CELL, runs(c.definition), runs(c.explain) if c.explain else (), 6)]
                for c in cards]
        return _grid(data, [self.width * 0.3, self.width * 0.7], False, True)

    def group(self, cards: list[GroupItem]) -> list:
        """A real table, one column per answer, listing each card under its answer."""
        group = cards[0].group
        columns = [[part for c in cards if c.answer == col
                     for part in flow(CELL, markup.Runs().text("\u2022\u00a0").card(c.item).out,
                                      runs(c.explain, ITALIC) if c.explain else (), 5.6)]
                   for col in group.columns]
        head = [flow(CELL_HEAD, runs(col)) for col in group.columns]
        widths = [self.width / len(group.columns)] * len(group.columns)
        table = _grid([head, [column or "" for column in columns]], widths, True, False)
        if table.wrap(self.width, self.column_height * 10)[1] > self.column_height:
            # Too long for one column: one row per item, so the table can break like any other.
            depth = max(len(column) for column in columns)
            rows = [[column[i] if i < len(column) else "" for column in columns]
                    for i in range(depth)]
            table = _grid([head] + rows, widths, True, False)
        caption = ParagraphStyle("caption", BODY, keepWithNext=1)
        return flow(caption, runs(group.title, BOLD)) + [table]

    def compare(self, card: Compare) -> list:
        subjects, rows = card.subjects, card.rows
        # Many subjects and few aspects read better with the subjects down the side.
        if len(subjects) > 3 and len(subjects) > len(rows):
            head = [[]] + [flow(CELL_HEAD, runs(a)) for a, _ in rows]
            body = [[flow(CELL_HEAD, runs(s))] + [flow(CELL, runs(v[i])) for _, v in rows]
                    for i, s in enumerate(subjects)]
            first, n = 0.22, len(rows)
        else:
            head = [[]] + [flow(CELL_HEAD, runs(s)) for s in subjects]
            body = [[flow(CELL_HEAD, runs(aspect))] + [flow(CELL, runs(v)) for v in values]
                    for aspect, values in rows]
            first, n = 0.22, len(subjects)
        widths = [self.width * first] + [self.width * (1 - first) / n] * n
        out = flow(BODY, runs(card.question, BOLD)) + [_grid([head] + body, widths, True, True)]
        if card.explain:
            out += flow(SMALL, runs(card.explain))
            out.append(Spacer(0, 2))
        return out

    def single(self, card: Card) -> list:
        if isinstance(card, Compare):
            return self.compare(card)
        text = markup.Runs()
        if isinstance(card, Basic):
            text.card(card.front, style=BOLD).text(" \u2192 ").card(card.back)
        elif isinstance(card, Cloze):
            text.card(card.text, cloze=True)
        elif isinstance(card, ListCard):
            text.card(card.prompt, style=BOLD)
            for item in card.items:
                text.add(BREAK).text("\u2022\u00a0").card(item)
        else:  # pragma: no cover - every kind is handled above
            raise TypeError(type(card).__name__)
        out = flow(BODY, tuple(text.out))
        if card.explain:
            out += flow(SMALL, runs(card.explain, ITALIC))
            out.append(Spacer(0, 1.6))
        return out

    def image(self, name: str) -> Image:
        data = self.deck.media_named(name).data
        w, h = ImageReader(io.BytesIO(data)).getSize()
        scale = min(self.width / w, self.column_height * 0.3 / h, 1.0)
        image = Image(io.BytesIO(data), width=w * scale, height=h * scale)
        image.hAlign = "LEFT"
        image.spaceAfter = 3
        return image


def _band_text(canvas, title: str, subject: str, left: float, bottom: float,
               width: float) -> None:
    """The title (and subject, on the right) in the band, on one line at the largest size
    from 12 pt down to 8 pt that fits; otherwise on two lines, the subject under the title,
    each shrunk to fit (the deck settings limit both to 100 characters, which fit)."""
    width_of, draw, cut = pdfbase.string_width, pdfbase.draw_string, pdfbase.shortened
    gap = 8 * mm
    subject_w = width_of(subject, SANS, 7.5) if subject else 0.0
    for size in (12, 11, 10, 9, 8):
        if width_of(title, SANS_BOLD, size) + (gap + subject_w if subject else 0) <= width:
            draw(canvas, left, bottom + 2.2 * mm, title, SANS_BOLD, size)
            if subject:
                draw(canvas, left + width, bottom + 2.4 * mm, subject, SANS, 7.5, align="right")
            return
    size = max(6.0, min(9.0, 8.9 * width / width_of(title, SANS_BOLD, 9)))
    if not subject:
        draw(canvas, left, bottom + 2.4 * mm, cut(title, width, SANS_BOLD, size), SANS_BOLD, size)
        return
    draw(canvas, left, bottom + 4.3 * mm, cut(title, width, SANS_BOLD, size), SANS_BOLD, size)
    small = max(5.5, min(6.5, 6.4 * width / width_of(subject, SANS, 6.5)))
    draw(canvas, left, bottom + 1.2 * mm, cut(subject, width, SANS, small), SANS, small)


def write(deck: Deck, path, paper: str = "a4") -> None:
    # Full collections scanned the whole deck again and again (a quarter of the sheet's
    # time): the collector is paused, and the young objects are collected every so many
    # pages instead. The sheet's own blocks make no cycles; a Paragraph (the headings)
    # leaves a few dozen objects in cycles.
    with collector.paused():
        _write(deck, path, paper)


def _write(deck: Deck, path, paper: str) -> None:
    pdfbase.register_fonts(deck)
    page_w, page_h = landscape(pdfbase.PAPER[paper])
    col_w = (page_w - 2 * MARGIN - (COLUMNS - 1) * GUTTER) / COLUMNS
    col_h = page_h - 2 * MARGIN - FOOT - BAND
    date = pdfbase.build_date(deck.build_time)

    def band(canvas):
        canvas.saveState()
        top = page_h - MARGIN
        canvas.setFillColor(ACCENT)
        canvas.rect(MARGIN, top - BAND + 3 * mm, page_w - 2 * MARGIN, BAND - 3 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        _band_text(canvas, deck.title, deck.subject, MARGIN + 3 * mm, top - BAND + 3 * mm,
                   page_w - 2 * MARGIN - 6 * mm)
        canvas.restoreState()

    def footer(canvas, page, pages):
        canvas.saveState()
        canvas.setFont(SANS, 6.5)
        canvas.setFillColor(INK)
        pdfbase.draw_string(canvas, MARGIN, MARGIN, f"{deck.title} \u00b7 built {date}", SANS, 6.5)
        canvas.drawRightString(page_w - MARGIN, MARGIN, f"page {page} of {pages}")
        canvas.restoreState()

    def after_page(page):
        # The cycles of the pages just drawn (the collector is paused: write). Not more
        # often: each collection scans every young object, the section being laid out too.
        if page % 64 == 0:
            gc.collect(1)

    canvas = pdfbase.canvas_class(deck.build_time, footer)(str(path), pagesize=(page_w, page_h))
    canvas.setAuthor(deck.author)
    canvas.setTitle(deck.title)
    canvas.setSubject(deck.subject or deck.title)
    canvas.setCreator("studycards")
    sheet = Columns(canvas, [(MARGIN + i * (col_w + GUTTER), MARGIN + FOOT, col_w, col_h)
                             for i in range(COLUMNS)], band, after_page)
    layout = Layout(deck, col_w, col_h)
    # Section by section, each block dropped once drawn: memory holds one section's blocks,
    # not the whole deck's.
    for section in deck.sections:
        for block in layout.section(section):
            sheet.add(block)
    sheet.finish()
    canvas.save()
