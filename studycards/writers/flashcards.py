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

from .. import markup
from ..model import Basic, Card, Cloze, Compare, Deck, GroupItem, ListCard, Origin, Term
from ..problems import Problem, Problems
from . import pdfbase, pdftext
from .pdfbase import SANS, SANS_BOLD, Paragraph, rl
from .pdfcode import CodeBlock, flow

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
class Face:
    """One side of a paper card: markup paragraphs (text, relative size), then an optional
    comparison table and image."""

    paras: tuple[tuple[str, float], ...]
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


def _back(answer: str, card: Card, table: Compare | None = None) -> Face:
    paras = ((answer, 1.0),) if answer else ()
    if card.explain:
        paras += ((f"<i>{rl(card.explain)}</i>", 0.72),)
    return Face(paras, table, card.image)


def faces(card: Card) -> list[tuple[Face, Face]]:
    """The paper cards (front, back) of one source card, in Anki's card order."""
    if isinstance(card, Basic):
        return [(Face(((rl(card.front), 1.0),)), _back(rl(card.back), card))]
    if isinstance(card, Term):
        term, definition = rl(card.term), rl(card.definition)
        return [(Face(((term, 1.15),)), _back(definition, card)),
                (Face(((definition, 1.0),)), _back(f"<b>{term}</b>", card))]
    if isinstance(card, Cloze):
        return [(Face(((rl(card.text, True, mode="gap", number=n), 1.0),)),
                 _back(rl(card.text, True, mode="fill", number=n), card))
                for n in range(1, card.deletions + 1)]
    if isinstance(card, ListCard):
        prompt, items = f"<b>{rl(card.prompt)}</b>", [rl(item) for item in card.items]

        def listing(shown) -> str:
            return prompt + "".join(f"<br/>\u2022\u00a0{shown(i, item)}"
                                    for i, item in enumerate(items))

        return [(Face(((listing(lambda i, item: markup.GAP if i == n else item), 0.9),)),
                 _back(listing(lambda i, item: f"<b>{item}</b>" if i == n else item), card))
                for n in range(len(items))]
    if isinstance(card, GroupItem):
        choices = " \u00b7 ".join(rl(c) for c in card.group.columns)
        front = Face(((rl(card.group.title), 0.75), (f"<b>{rl(card.item)}</b>", 1.0),
                      (f'<font color="#4b5563">{choices}</font>', 0.75)))
        return [(front, _back(f"<b>{rl(card.answer)}</b>", card))]
    if isinstance(card, Compare):
        return [(Face(((f"<b>{rl(card.question)}</b>", 1.0),)), _back("", card, table=card))]
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
            mixed = any(scale != 1.0 for _, scale in face.paras)
            parts = [text if scale == 1.0 else f'<font size="{size * scale:.2f}">{text}</font>'
                     for text, scale in face.paras]
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
        lines = [(len(line), scale) for text, scale in face.paras
                 for line in _TAG.sub("", text.replace("<br/>", "\n")).split("\n")]
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
        more room), after trying MAX_SIZE, where most faces fit."""
        text = _hard_lines(blocks)
        rows = [[_hard_lines([cell]) for cell in row] for row in cells or ()]
        inner = self.width / max(map(len, cells)) - 2 * GRID_PAD if cells else 0.0

        def fits(size: float) -> bool:
            total = _lines_needed(text, size, self.width)
            if rows:
                small = size * GRID_SCALE
                total += size * 0.4 + sum(
                    max(_lines_needed(cell, small, inner) for cell in row) + 2 * GRID_PAD
                    for row in rows)
            return total <= self.height

        if fits(_STEPS[0]):
            return _STEPS[0]
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
        if sum(len(text) for text, _ in face.paras) < 200 \
                and sum(text.count("<br/>") for text, _ in face.paras) < 8:
            return False  # at most 5 wrapped lines and 9 hard ones: about 120 of 150 points
        lines = 0.0
        for text, scale in face.paras:
            size = MIN_SIZE * scale
            for line in _TAG.sub("", text.replace("<br/>", "\n")).split("\n"):
                width = pdfbase.string_width(html.unescape(line), SANS, size) * 0.9  # lower bound
                lines += max(1, -(-width // self.width)) * size * pdftext.LEADING
        return lines > self.height

    def cells(self, card: Compare) -> list[list]:
        head = [""] + [f"<b>{rl(s)}</b>" for s in card.subjects]
        rows = [[f"<b>{rl(aspect)}</b>"] + [rl(v) for v in values] for aspect, values in card.rows]
        return [[pdftext.parse(text) for text in row] for row in [head] + rows]

    def fit_text(self, face: Face):
        """Faces of the markup pdftext reads, code blocks between its paragraphs allowed,
        sized by arithmetic: (parts, grid, height) at the largest size that fits, each part
        (broken lines or a CodeBlock, the room it takes), or None to leave the face to
        ReportLab."""
        if face.image:
            return None
        if any("<codeblock" in text for text, _ in face.paras):
            return self.fit_code(face) if face.table is None else None
        blocks = [pdftext.parse(text, scale) for text, scale in face.paras]
        cells = self.cells(face.table) if face.table is not None else None
        if any(b is None for b in blocks) or (cells and any(c is None for r in cells for c in r)):
            return None
        if _lines_needed(_hard_lines(blocks), MIN_SIZE, self.width / 0.9) > self.height:
            raise TooLong()  # even lines fuller than the card is wide do not fit
        size = self.guess(blocks, cells)
        while True:  # at most 23 tries from MAX_SIZE down to MIN_SIZE, MIN_SIZE the last
            lines = pdftext.layout(blocks, size, self.width)
            grid = (pdftext.Grid.layout(cells, size * GRID_SCALE, self.width, GRID_PAD)
                    if cells else None)
            factor = 0.96
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
        for text, scale in face.paras:
            style = ParagraphStyle("u", fontSize=scale, textColor=INK)
            for piece in flow(text, style, lambda markup, s: pdftext.parse(markup, s.fontSize)):
                if piece is None:
                    return None
                if isinstance(piece, CodeBlock):
                    parts.append(piece)
                elif parts and isinstance(parts[-1], list):
                    parts[-1].append(piece)  # a paragraph with the text before it
                else:
                    parts.append([piece])
        blocks = [block for part in parts if isinstance(part, list) for block in part]
        if _lines_needed(_hard_lines(blocks), MIN_SIZE, self.width / 0.9) > self.height:
            raise TooLong()
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
    return sum(max(1.0, -(-line * size // width)) * scale
               for line, scale in lines) * size * pdftext.LEADING


def write(deck: Deck, path, paper: str = "a4") -> None:
    pdfbase.register_fonts(deck)
    _section_label.cache_clear()  # made with the last deck's fallback fonts
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
    number = f"#{card.number} \u00b7 {'Q' if side == 'front' else 'A'}"
    width = stringWidth(number, SANS, LABEL_SIZE)
    pen.move(x + PAD, top)
    for font, run in _section_label(card.section, card_w - 2 * PAD - width - 3 * mm):
        pen.write(font, LABEL_SIZE, FAINT, run)
    pen.move(x + card_w - PAD - width, top)
    pen.write(SANS, LABEL_SIZE, FAINT, number)


@functools.lru_cache(maxsize=1024)
def _section_label(section: str, room: float) -> list[tuple[str, str]]:
    """(font, run) pairs of the section's name shortened to `room`: a section's cards share
    it, with a few widths of number."""
    return pdfbase.visual_runs(pdfbase.shortened(section, room, SANS, LABEL_SIZE), SANS)
