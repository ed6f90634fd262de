"""The flashcards writer: Deck -> double-sided cards to print and cut out.

Pages come in pairs: the fronts of up to eight cards, then their backs. The back page mirrors
the columns (rows stay), so printed duplex with a flip on the long edge every answer lands
behind its question. Every Anki card has a paper card: a term card gives two, a cloze or list
card one per deletion.
"""
from __future__ import annotations

import functools
import html
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Image, Table, TableStyle

from .. import collector, markup
from ..model import Basic, Card, Cloze, Compare, Deck, GroupItem, ListCard, Origin, Term
from ..problems import Problem, Problems
from . import pdfbase, pdftext
from .pdfbase import SANS, SANS_BOLD, Paragraph, rl
from .pdfcode import CODE_SCALE, CodeBlock, flow

SUFFIX = "-flashcards.pdf"
COLS, ROWS = 2, 4
MARGIN_X, MARGIN_Y = 10 * mm, 14 * mm
PAD = 5 * mm  # inside a card, around the text
HEAD = 9 * mm  # the section and number line at a card's top, and a gap under it
# Text shrinks to fit its card, but not below a legible size: a face that does not fit at
# MIN_SIZE stops the build at its card's place, with a hint to split the card.
MAX_SIZE, MIN_SIZE = 15.0, 6.0  # points
INK = colors.HexColor("#1d2330")
FAINT = colors.HexColor("#6b7280")
CUT = colors.HexColor("#b8bec8")
_TAG = re.compile(r"<[^>]*>")
GRID_SCALE, GRID_PAD = 0.8, 1.5  # a comparison table's text, relative; its cells' padding
GRID_FORM = "cutlines"
LABEL_SIZE = 6.5  # points: the section and number line
NOTE = ("Print double-sided, flip on the LONG edge: each answer lands behind its question. "
        "Cut along the grey lines.")


@dataclass(frozen=True)
class Para:
    """A paragraph of a face, as made from card text: steps ("card", text, cloze, mode,
    number, style), ("text", text, style) and ("br",), in `color` ("#rrggbb", or None for
    the ink). Its words come from the parsed text (runs); only a face left to a Paragraph
    is written as markup."""

    steps: tuple
    scale: float = 1.0
    color: str | None = None

    def runs(self) -> tuple:
        out = markup.Runs()
        for step in self.steps:
            if step[0] == "card":
                _, text, cloze, mode, number, style = step
                out.card(text, cloze, mode=mode, number=number, style=style)
            elif step[0] == "text":
                out.text(step[1], step[2])
            else:
                out.add(markup.BREAK)
        return tuple(out.out)

    def markup(self) -> str:
        """ReportLab paragraph markup of the same text."""
        parts = []
        for step in self.steps:
            if step[0] == "card":
                _, text, cloze, mode, number, style = step
                text = rl(text, cloze, mode=mode, number=number)
                parts.append(f"<b>{text}</b>" if style == markup.BOLD else
                             f"<i>{text}</i>" if style == markup.ITALIC else text)
            elif step[0] == "text":
                parts.append(html.escape(step[1], quote=False))
            else:
                parts.append("<br/>")
        text = "".join(parts)
        return f'<font color="{self.color}">{text}</font>' if self.color else text


def _card(text: str, cloze: bool = False, mode: str = "bold", number: int = 0,
          style: int = 0) -> tuple:
    """A Para step: card text, deletions printed by `mode` (see markup.to_rl), in `style`."""
    return ("card", text, cloze, mode, number, style)


@dataclass(frozen=True)
class Face:
    """One side of a paper card: paragraphs, then an optional comparison table and image."""

    paras: tuple[Para, ...]
    table: Compare | None = None
    image: str | None = None


@dataclass(frozen=True)
class PaperCard:
    number: int
    section: str
    front: Face
    back: Face
    origin: Origin | None = None  # the source card's place, for a face that cannot fit


class TooLong(Exception):
    """A face's text does not fit its card even at MIN_SIZE."""


def _back(answer: Para | None, card: Card, table: Compare | None = None) -> Face:
    # Text that prints nothing has no paragraph, unless in a style (its markup is a tag)
    _, text, *_, style = answer.steps[0] if answer is not None else ("", "", 0)
    paras = (answer,) if style or text.strip() else ()
    if card.explain:
        paras += (Para((_card(card.explain, style=markup.ITALIC),), 0.72),)
    return Face(paras, table, card.image)


def faces(card: Card) -> list[tuple[Face, Face]]:
    """The paper cards (front, back) of one source card, in Anki's card order."""
    bold = markup.BOLD
    if isinstance(card, Basic):
        return [(Face((Para((_card(card.front),)),)), _back(Para((_card(card.back),)), card))]
    if isinstance(card, Term):
        return [(Face((Para((_card(card.term),), 1.15),)),
                 _back(Para((_card(card.definition),)), card)),
                (Face((Para((_card(card.definition),)),)),
                 _back(Para((_card(card.term, style=bold),)), card))]
    if isinstance(card, Cloze):
        return [(Face((Para((_card(card.text, True, "gap", n),)),)),
                 _back(Para((_card(card.text, True, "fill", n),)), card))
                for n in range(1, card.deletions + 1)]
    if isinstance(card, ListCard):
        def listing(shown) -> tuple:
            steps: list = [_card(card.prompt, style=bold)]
            for i, item in enumerate(card.items):
                steps += [("br",), ("text", "\u2022\u00a0", 0), shown(i, item)]
            return tuple(steps)

        return [(Face((Para(listing(lambda i, item: ("text", markup.GAP, 0) if i == n
                                    else _card(item)), 0.9),)),
                 _back(Para(listing(lambda i, item: _card(item, style=bold if i == n else 0))),
                       card))
                for n in range(len(card.items))]
    if isinstance(card, GroupItem):
        choices: list = []
        for c in card.group.columns:
            choices += [("text", " \u00b7 ", 0), _card(c)] if choices else [_card(c)]
        front = Face((Para((_card(card.group.title),), 0.75),
                      Para((_card(card.item, style=bold),)),
                      Para(tuple(choices), 0.75, "#4b5563")))
        return [(front, _back(Para((_card(card.answer, style=bold),)), card))]
    if isinstance(card, Compare):
        return [(Face((Para((_card(card.question, style=bold),)),)), _back(None, card, table=card))]
    raise TypeError(type(card).__name__)  # pragma: no cover


def paper_cards(deck: Deck) -> Iterator[PaperCard]:
    """Every paper card in order, made as needed: a large deck never holds them all."""
    number = 0
    for section in deck.sections:
        for card in section.cards:
            for front, back in faces(card):
                number += 1
                yield PaperCard(number, section.title, front, back, card.origin)


class FaceLayout:
    """Sizes a face's text to fit its card, and draws it centred."""

    def __init__(self, deck: Deck, width: float, height: float):
        self.deck = deck
        self.width, self.height = width - 2 * PAD, height - HEAD - PAD

    def flowables(self, face: Face, size: float) -> list:
        out: list = []
        if face.paras:
            # One paragraph per face (parts joined by line breaks): one parse, one wrap.
            mixed = any(para.scale != 1.0 for para in face.paras)
            parts = [para.markup() if para.scale == 1.0
                     else f'<font size="{size * para.scale:.2f}">{para.markup()}</font>'
                     for para in face.paras]
            style = ParagraphStyle("f", fontName=SANS, fontSize=size, leading=size * 1.22,
                                   autoLeading="max" if mixed else "", alignment=TA_CENTER,
                                   textColor=INK, spaceAfter=size * 0.4)
            out.extend(flow("<br/>".join(parts), style))
        if face.table is not None:
            out.append(self.table(face.table, size * 0.8))
        if face.image:
            data = self.deck.media_named(face.image).data
            w, h = ImageReader(io.BytesIO(data)).getSize()
            scale = min(self.width / w, self.height * 0.45 / h)
            out.append(Image(io.BytesIO(data), width=w * scale, height=h * scale))
        return out

    @staticmethod
    def table(card: Compare, size: float) -> Table:
        cell = ParagraphStyle("c", fontName=SANS, fontSize=size, leading=size * 1.18, textColor=INK)
        head = ParagraphStyle("h", parent=cell, fontName=SANS_BOLD)
        data = [[Paragraph("", cell)] + [flow(rl(s), head) for s in card.subjects]]
        data += [[flow(rl(a), head)] + [flow(rl(v), cell) for v in values]
                 for a, values in card.rows]
        table = Table(data)
        table.setStyle(TableStyle([
            ("FONT", (0, 0), (-1, -1), SANS, size),
            ("GRID", (0, 0), (-1, -1), 0.3, CUT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 1.5), ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
            ("TOPPADDING", (0, 0), (-1, -1), 0.8), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
        ]))
        return table

    def measure(self, flowables) -> tuple[float, list]:
        total, sizes = 0.0, []
        for f in flowables:
            if isinstance(f, Table):
                f._argW = [self.width / len(f._argW)] * len(f._argW)
            w, h = f.wrap(self.width, self.height * 4)
            sizes.append((w, h))
            total += h + f.getSpaceAfter()
        return total, sizes

    def first_guess(self, face: Face) -> float:
        """The largest size at which a quick model of the text fits: DejaVu's glyphs average
        about 0.58 of the size wide, lines are 1.22 high, every line break starts a line.
        For faces ReportLab lays out; pdftext's are guessed from measured widths."""
        if face.table is not None or face.image:
            return MAX_SIZE
        lines = [(len(line), para.scale) for para in face.paras
                 for line in _TAG.sub("", para.markup().replace("<br/>", "\n")).split("\n")]
        size = MAX_SIZE
        while size > MIN_SIZE:
            per_line = self.width * 0.94 / (0.58 * size)
            height = sum(-(-max(chars, 1) * scale // per_line) * 1.22 * size * scale
                         for chars, scale in lines) + size * 0.4
            if height <= self.height * 0.97:
                return size
            size *= 0.95
        return MIN_SIZE

    def guess(self, blocks, cells) -> float:
        """The largest size, in steps of 3 %, at which the face would fit if its broken
        lines were full: at most a little above the size that fits, so that most faces
        take one layout and the rest two. Found by bisection (a smaller size never needs
        more room), after trying MAX_SIZE, where most faces fit; TooLong if even lines
        fuller than the card is wide do not fit at MIN_SIZE."""
        text = _hard_lines(blocks)
        rows = [[_hard_lines([cell]) for cell in row] for row in cells or ()]
        inner = self.width / max(map(len, cells)) - 2 * GRID_PAD if cells else 0.0

        def fits(size: float) -> bool:
            total = _lines_needed(text, size, self.width)
            if rows:
                small = size * GRID_SCALE
                total += size * 0.4 + sum([  # lists, not generators: a table tries ~5 sizes
                    max([_lines_needed(cell, small, inner) for cell in row]) + 2 * GRID_PAD
                    for row in rows])
            return total <= self.height

        if fits(_STEPS[0]):
            return _STEPS[0]
        if _lines_needed(text, MIN_SIZE, self.width / 0.9) > self.height:
            raise TooLong()
        low, high = 1, len(_STEPS)  # the first step that fits is in [low, high)
        while low < high:
            middle = (low + high) // 2
            if fits(_STEPS[middle]):
                high = middle
            else:
                low = middle + 1
        return _STEPS[low] if low < len(_STEPS) else MIN_SIZE

    def surely_too_long(self, face: Face) -> bool:
        """Whether the face's text cannot fit even at MIN_SIZE, known from its length alone:
        every hard line takes a line, and the text takes at least its width over the
        card's width in lines. Checked first, so that a face ten cards long costs one
        measurement instead of a search over sizes (each a full layout)."""
        texts = [(para.markup(), para.scale) for para in face.paras]
        if sum(len(text) for text, _ in texts) < 200 \
                and sum(text.count("<br/>") for text, _ in texts) < 8:
            return False  # at most 5 wrapped lines and 9 hard ones: about 120 of 150 points
        lines = 0.0
        for text, scale in texts:
            size = MIN_SIZE * scale
            for line in _TAG.sub("", text.replace("<br/>", "\n")).split("\n"):
                width = pdfbase.string_width(html.unescape(line), SANS, size) * 0.9  # lower bound
                lines += max(1, -(-width // self.width)) * size * pdftext.LEADING
        return lines > self.height

    def cells(self, card: Compare) -> list[list]:
        bold = markup.BOLD
        head = [Para(())] + [Para((_card(s, style=bold),)) for s in card.subjects]
        rows = [[Para((_card(aspect, style=bold),))] + [Para((_card(v),)) for v in values]
                for aspect, values in card.rows]
        return [[_words(para) for para in row] for row in [head] + rows]

    def fit_text(self, face: Face):
        """A face without an image, code blocks between its paragraphs allowed, sized by
        arithmetic: (parts, grid, height) at the largest size that fits, each part (broken
        lines or a CodeBlock, the room it takes), or None to leave the face to ReportLab
        (a word too wide for the card even at MIN_SIZE, a code block in a table)."""
        if face.image:
            return None
        blocks = [_words(para) for para in face.paras]
        if any(type(block) is list for block in blocks):  # code blocks: see _words
            return self.fit_code(face) if face.table is None else None
        cells = self.cells(face.table) if face.table is not None else None
        if cells and any(type(c) is list for r in cells for c in r):
            return None
        size = self.guess(blocks, cells)
        inner = widest = 0.0
        if cells:  # Grid.layout refuses a size at which a word is wider than its column
            inner = self.width / max(map(len, cells)) - 2 * GRID_PAD
            widest = max((word.width for row in cells for cell in row for line in cell.lines
                          for word in line if not word.display), default=0.0)
        while True:  # at most 23 tries from MAX_SIZE down to MIN_SIZE, MIN_SIZE the last
            factor = 0.96  # 4 % smaller when a word is wider than the card or its column
            # (most tries of a table face: those sizes are not laid out at all)
            if widest * (size * GRID_SCALE) <= inner or not cells:
                lines = pdftext.layout(blocks, size, self.width)
                grid = (pdftext.Grid.layout(cells, size * GRID_SCALE, self.width, GRID_PAD)
                        if cells and lines is not None else None)
                if lines is not None and (cells is None or grid is not None):
                    total = pdftext.height(lines) + (grid.height + size * 0.4 if grid else 0)
                    if total <= self.height:
                        return [(lines, lines.height)], grid, total
                    factor = max(0.6, min(0.96, (self.height / total) ** 0.5))
            if size <= MIN_SIZE:
                return None  # not even MIN_SIZE fits (a very long word?): Paragraph splits words
            size = max(MIN_SIZE, size * factor)

    def fit_code(self, face: Face):
        """fit_text for a face with code blocks: its text in pdftext blocks, each code block
        measured by pdfcode, spaced as their flowables are (text size * 0.4 after text, 0.3
        of the code's size after code)."""
        parts: list = []  # a list of pdftext blocks, or a CodeBlock at size 1, in order
        for para in face.paras:
            block = _words(para)
            for piece in block if type(block) is list else (block,):
                if isinstance(piece, CodeBlock):
                    parts.append(piece)
                elif parts and isinstance(parts[-1], list):
                    parts[-1].append(piece)  # a paragraph with the text before it
                else:
                    parts.append([piece])
        blocks = [block for part in parts if isinstance(part, list) for block in part]
        size = self.guess(blocks, None)
        while True:
            laid, total = [], 0.0
            for part in parts:
                if isinstance(part, list):
                    lines = pdftext.layout(part, size, self.width)
                    if lines is None:
                        break
                    laid.append((lines, lines.height + size * 0.4))
                else:
                    code = CodeBlock(part.lines, part.size * size, INK)
                    code.wrap(self.width, self.height)
                    laid.append((code, code.height + code.spaceAfter))
                total += laid[-1][1]
            else:
                if total <= self.height:
                    return laid, None, total
            if size <= MIN_SIZE:
                return None
            size = max(MIN_SIZE, size * (max(0.6, min(0.96, (self.height / total) ** 0.5))
                                         if len(laid) == len(parts) else 0.96))

    def fit(self, face: Face):
        """ReportLab flowables at a size where the face fits: (flowables, height, sizes).

        The first guess comes from the text's length; if still too tall, wrapped text takes
        area in proportion to the size squared, so the next try scales by the square root of
        the room over the height needed. Shrink rather than cut: at MIN_SIZE the face is
        drawn even if it is still too tall.
        """
        size = self.first_guess(face)
        flowables = self.flowables(face, size)
        total, sizes = self.measure(flowables)
        while total > self.height and size > MIN_SIZE:
            size = max(MIN_SIZE, min(size * 0.97, size * (self.height / total) ** 0.5 * 0.98))
            flowables = self.flowables(face, size)
            total, sizes = self.measure(flowables)
        if total > self.height or any(w > self.width + 0.01 for w, _ in sizes):
            raise TooLong()
        return flowables, total, sizes

    def draw(self, canvas, pen, face: Face, x: float, y: float, card_w: float) -> None:
        """Draw the face inside its card, its text with `pen` when it can; or raise TooLong."""
        text = self.fit_text(face)
        if text is not None:
            parts, grid, total = text
            top = start = y + PAD + (self.height + total) / 2  # centred in the text area
            for part, room in parts:
                if isinstance(part, CodeBlock):
                    part.drawOn(canvas, x + (card_w - part.width) / 2, top - part.height)
                else:
                    pdftext.draw(canvas, part, x + card_w / 2, top, INK, pen=pen)
                top -= room
            if grid is not None:
                grid.draw(canvas, x + PAD, start - total + grid.height, INK, CUT, pen=pen)
            return
        if self.surely_too_long(face):
            raise TooLong()
        flowables, total, sizes = self.fit(face)
        top = y + PAD + (self.height + total) / 2
        for flowable, (w, h) in zip(flowables, sizes):
            top -= h
            flowable.drawOn(canvas, x + (card_w - w) / 2, top)
            top -= flowable.getSpaceAfter()


_words_with = None  # the fallback fonts of the words _words keeps


@functools.lru_cache(maxsize=4096)
def _words(para: Para):
    """The paragraph's pdftext block; if it holds a code block, a list of its pieces (see
    _pieces). Kept: many faces repeat (a term's definition is the answer of one paper card
    and the question of the next; a group's title and choices are on every item's card)."""
    runs = para.runs()
    block = pdftext.words(runs, para.scale, _color(para.color))
    return _pieces(para, runs) if block is None else block


@functools.cache
def _color(value: str | None):
    return colors.HexColor(value) if value else None


def _pieces(para: Para, runs: tuple) -> list:
    """A paragraph's runs with code blocks as pdftext blocks of the text between them and
    a CodeBlock at size 1 for each block (as pdfcode.flow makes flowables of its markup):
    line breaks next to a block dropped, text that shows nothing left out."""
    out: list = []
    text: list = []
    for run in runs + (None,):
        if run is not None and type(run) is not markup.CodeRuns:
            text.append(run)
            continue
        while text and text[0] is markup.BREAK:
            del text[0]
        while text and text[-1] is markup.BREAK:
            del text[-1]
        if any(type(r) is markup.Math or type(r) is tuple and r[0].strip() for r in text):
            out.append(pdftext.words(tuple(text), para.scale, _color(para.color)))
        text = []
        if run is not None:
            out.append(CodeBlock(run.lines, para.scale * CODE_SCALE, INK))
    return out


def _steps() -> tuple[float, ...]:
    """MAX_SIZE and each 3 % smaller, down to MIN_SIZE (not included): the sizes guessed."""
    steps, size = [], MAX_SIZE
    while size > MIN_SIZE:
        steps.append(size)
        size *= 0.97
    return tuple(steps)


_STEPS = _steps()


def _hard_lines(blocks) -> list[tuple[float, float]]:
    """Each hard line of pdftext blocks as (its width at size 1, times its scale; the scale)."""
    return [(line * block.scale, block.scale) for block in blocks for line in block.widths]


def _lines_needed(lines, size: float, width: float) -> float:
    """The height of `lines` (from _hard_lines) at `size` if broken lines were `width` full:
    each hard line takes at least a line."""
    return sum([max(1.0, -(-line * size // width)) * scale
                for line, scale in lines]) * size * pdftext.LEADING


def write(deck: Deck, path, paper: str = "a4") -> None:
    # The collector paused: each collection would scan every word, run and text object of
    # the pages (7 % of the time at 10,000 cards). What cycles the write leaves (ReportLab's
    # document objects, a Paragraph face's fragments) are a few thousand objects, freed when
    # it resumes; formulas, whose layout leaves large cycles, were all laid out by the loader.
    with collector.paused():
        _write(deck, path, paper)


def _write(deck: Deck, path, paper: str) -> None:
    pdfbase.register_fonts(deck)
    _section_label.cache_clear()  # made with the last deck's fallback fonts
    pdftext.forget_lines()  # as in a fresh process: a build's lines rarely recur in the next
    global _words_with
    if pdfbase.fonts() is not _words_with:  # the words are made in the fallback fonts
        _words.cache_clear()
        _words_with = pdfbase.fonts()
    page_w, page_h = pdfbase.PAPER[paper]
    card_w = (page_w - 2 * MARGIN_X) / COLS
    card_h = (page_h - 2 * MARGIN_Y) / ROWS
    layout = FaceLayout(deck, card_w, card_h)
    per_page = COLS * ROWS
    sheets = -(-sum(card.prompts for card in deck.cards) // per_page)
    cards = paper_cards(deck)
    canvas = pdfbase.canvas_class(deck.build_time)(
        str(path), pagesize=(page_w, page_h), pageCompression=1)
    canvas.setTitle(f"{deck.title}: flashcards")
    canvas.setAuthor(deck.author)
    canvas.setSubject(deck.subject or deck.title)
    canvas.setCreator("studycards")
    _grid(canvas, page_w, page_h, card_w, card_h)
    bookmarked: set = set()
    too_long: dict = {}  # source card's place -> the first paper card that does not fit

    for sheet in range(sheets):
        chunk = list(itertools.islice(cards, per_page))
        for side in ("front", "back"):
            # A page's text in two text objects: the small grey labels, and the faces.
            labels, faces_pen = pdftext.Pen(canvas), pdftext.Pen(canvas)
            canvas.doForm(GRID_FORM)
            _note(labels, page_w, f"{side}s \u00b7 sheet {sheet + 1} of {sheets} \u00b7 {NOTE}")
            for index, card in enumerate(chunk):
                col, row = index % COLS, index // COLS
                if side == "back":
                    col = COLS - 1 - col  # mirrored: a long-edge flip puts it behind its front
                x = MARGIN_X + col * card_w
                y = page_h - MARGIN_Y - (row + 1) * card_h
                if side == "front" and card.section not in bookmarked:
                    bookmarked.add(card.section)
                    key = f"s{len(bookmarked)}"
                    canvas.bookmarkHorizontal(key, x, y + card_h)
                    canvas.addOutlineEntry(card.section, key, level=0, closed=False)
                _label(labels, card, side, x, y, card_w, card_h)
                if card.origin not in too_long:  # reported once per source card
                    try:
                        layout.draw(canvas, faces_pen, getattr(card, side), x, y, card_w)
                    except TooLong:
                        too_long[card.origin] = (card.number, side)
            labels.close()
            faces_pen.close()
            canvas.showPage()
    if too_long:
        raise Problems([Problem.at(origin, (
            f"the text of paper card #{number} ({'question' if side == 'front' else 'answer'}"
            f" side) does not fit on a flashcard even at {MIN_SIZE:g} pt, the smallest "
            "legible size: split the card into smaller cards or shorten it"))
            for origin, (number, side) in too_long.items()])
    canvas.save()


def _grid(canvas, page_w, page_h, card_w, card_h) -> None:
    """The cut lines, drawn once into a form that every page shows."""
    canvas.beginForm(GRID_FORM)
    canvas.setStrokeColor(CUT)
    canvas.setLineWidth(0.4)
    canvas.setDash(2, 2)
    for i in range(COLS + 1):
        x = MARGIN_X + i * card_w
        canvas.line(x, MARGIN_Y - 4 * mm, x, page_h - MARGIN_Y + 4 * mm)
    for j in range(ROWS + 1):
        y = MARGIN_Y + j * card_h
        canvas.line(MARGIN_X - 4 * mm, y, page_w - MARGIN_X + 4 * mm, y)
    canvas.endForm()


def _note(pen, page_w, text: str) -> None:
    pen.move(page_w / 2 - stringWidth(text, SANS, LABEL_SIZE) / 2, MARGIN_Y / 2 - 2)
    pen.write(SANS, LABEL_SIZE, FAINT, text)


def _label(pen, card: PaperCard, side: str, x, y, card_w, card_h) -> None:
    """The section (cut short to leave room) at the card's top left, its number at the
    right."""
    top = y + card_h - PAD - 2
    mark = "Q" if side == "front" else "A"
    number = f"#{card.number} \u00b7 {mark}"
    width = _number_width(len(number), mark)
    pen.move(x + PAD, top)
    for font, run in _section_label(card.section, card_w - 2 * PAD - width - 3 * mm):
        pen.write(font, LABEL_SIZE, FAINT, run)
    pen.move(x + card_w - PAD - width, top)
    pen.write(SANS, LABEL_SIZE, FAINT, number)


@functools.cache
def _number_width(length: int, mark: str) -> float:
    """The width of a card's number label `length` characters long: DejaVu's digits are
    all one width (tabular), so one measurement serves every number of that length."""
    return stringWidth(f"#{'0' * (length - 5)} \u00b7 {mark}", SANS, LABEL_SIZE)


@functools.lru_cache(maxsize=1024)
def _section_label(section: str, room: float) -> list[tuple[str, str]]:
    """(font, run) pairs of the section's name shortened to `room`: a section's cards share
    it, with a few widths of number."""
    return pdfbase.visual_runs(pdfbase.shortened(section, room, SANS, LABEL_SIZE), SANS)
