"""Paragraphs laid out by arithmetic, for the cheat sheet's many small blocks of text.

A ReportLab Paragraph parses its markup with html.parser, re-measures every word each time it
is wrapped, and draws each line through a general machine; on a sheet of 10,000 cards that was
most of the build. Here the words come straight from the parsed card text (markup.runs: bold,
italic, `code`, line breaks, formulas, code blocks) at the font sizes the sheet gives them,
measured once (a width cache shared by all of them); `Text` breaks lines greedily by
Paragraph's rules and draws each run of words in one style with one text operation; a formula
is a box in its line, drawn by pdfmath as a Paragraph's is.

A Text does what the sheet asks of a Paragraph: wrap, split across columns at a line boundary
(not leaving a single line behind, as a Paragraph would not), spaceBefore/After and
keepWithNext from its style, and the same inside Table cells. Line spacing is the style's
leading with the first baseline one font size below the top, as a Paragraph's. Words are
broken between CJK characters by Japanese kinsoku rules (pdftext's), and a line of
right-to-left text is right-aligned and drawn in visual order (python-bidi, per line).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .. import markup
from . import pdfbase, pdfmath, pdfscript, pdftext
from .pdfbase import BOX
from .pdfcode import CODE_SCALE, CodeBlock
from .pdftext import Pen

# What ReportLab breaks lines at (its paragraph's _wsc, but for U+200B, which pdfscript
# drops as invisible before ReportLab sees it); a no-break space joins.
_CONTROL_SPACES = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f]")  # ASCII ones other than " "
_SPACES = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f \x85\u1680\u2000-\u200a\u2028\u2029\u202f"
                     "\u205f\u3000]+")


class Maths(NamedTuple):
    """A formula in a line: pdfmath's box and its measures at the size in force."""

    box: object  # pdfmath.Box
    ascent: float
    descent: float  # below the baseline, positive
    display: bool  # takes a line's full width, centred (shrunk if wider)


class Word(NamedTuple):
    text: str
    font: str
    size: float
    width: float  # in points, at `size`
    gap: float  # the width of the space before it, 0.0 when none
    glue: bool  # no line break before it (no space, and no CJK character either side)
    own: bool  # the space before it is in its font (else in the font of the word before)
    maths: Maths | None = None  # a formula's box (then `text` is U+FFFC, `font` None)


class Line(NamedTuple):
    """One line of a laid-out Text."""

    words: tuple
    width: float
    rtl: bool  # its logical line runs right to left: right-aligned, drawn in visual order
    bidi: bool  # it holds right-to-left characters: drawn in visual order
    source: int  # index of the logical line it is part of


_widths: dict[str, dict[str, float]] = {}  # per font: text -> width at size 1
_widths_fonts = None


def _table(font: str) -> dict[str, float]:
    table = _widths.get(font)
    if table is None:
        table = _widths[font] = {" ": stringWidth(" ", font, 1)}
    return table


def _width(text: str, font: str) -> float:
    """Width at size 1; cached, since most words of a deck recur."""
    table = _table(font)
    found = table.get(text)
    if found is None:
        found = table[text] = stringWidth(text, font, 1)
    return found


def flow(parts, style) -> list:
    """The flowables of card text: `parts` are (runs, size) pairs, card text's runs
    (markup.Runs: BREAK, formulas and code blocks among them) at a font size (None: the
    style's), one after the other. The text is Texts, each code block a pdfcode.CodeBlock
    at the size in force where it stands (pdfcode.CODE_SCALE times it), the text around it
    a Text of its own without the line breaks next to the block, left out if nothing in it
    shows. `style` is a left-aligned one without indents (the sheet's); its font one of
    the families' faces, bold or italic text in the same family's."""
    global _widths_fonts
    if pdfbase.fonts() is not _widths_fonts:  # another deck's fonts: names may mean others
        _widths.clear()
        _widths_fonts = pdfbase.fonts()
    base = _STYLE_OF[style.fontName]
    fonts = pdftext.FONTS
    out: list = []
    lines: list[list[Word]] = [[]]
    pending = 0.0  # the width of a space waiting for the next word
    tall = bidi = coded = False  # a formula, right-to-left letters, a code block so far
    for runs, size in parts:
        size = style.fontSize if size is None else size
        for run in runs:
            kind = type(run)
            if kind is tuple:
                text = run[0]
                pending = _text(lines[-1], text, fonts[run[1] | base], size, pending)
                if not bidi and not text.isascii() and pdfscript.RTL.search(text):
                    bidi = True
            elif run is markup.BREAK:
                lines.append([])
                pending = 0.0
            elif kind is markup.Math:
                line = lines[-1]
                gap = pending if line else 0.0
                line.append(_formula(run.tex, run.display, size, style.textColor, gap,
                                     bool(line) and not gap))
                pending, tall = 0.0, True
            else:  # a code block (markup.CodeRuns)
                _close(out, lines, style, tall, bidi, True)
                out.append(CodeBlock(run.lines, size * CODE_SCALE, style.textColor))
                lines, pending, tall, bidi, coded = [[]], 0.0, False, False, True
    _close(out, lines, style, tall, bidi, coded)
    return out


# A style's font -> the style bits (markup.BOLD, ITALIC, MONO) it stands for: pdftext.FONTS
# maps the bits of the style and of each run, or'ed, back to a font.
_STYLE_OF = {font: bits for bits, font in reversed(list(enumerate(pdftext.FONTS)))}


def _close(out: list, lines: list, style, tall: bool, bidi: bool, coded: bool) -> None:
    """Append the Text of `lines`; beside a code block, without the empty lines at either
    end, and only if something in it shows."""
    if coded:
        start, end = 0, len(lines)
        while start < end and not lines[start]:
            start += 1
        while end > start and not lines[end - 1]:
            end -= 1
        lines = lines[start:end]
        if not any(w.maths is not None or w.text.strip() for line in lines for w in line):
            return
    if bidi:
        out.append(Text([_direction(line) for line in lines], style, tall=tall))
    else:
        out.append(Text([(tuple(line), False, False) for line in lines], style, tall=tall))


def _text(line: list, token: str, font: str, size: float, pending: float) -> float:
    """Append the words of a run of text in `font` at `size` to `line`, as a Paragraph
    splits it; return the width of the space pending after them (`pending` if there are
    none). A space is measured and drawn in the font of the text it stands in, as a
    Paragraph does: "a <b>b</b>" has a regular space, "<b>a </b>b" a bold one. Making words
    is most of the time text takes here: they are made as tuples directly, and ASCII text
    in one go."""
    table = _widths.get(font) or _table(font)
    get, new = table.get, tuple.__new__
    plain = token.isascii() and not _CONTROL_SPACES.search(token)
    pieces = token.split(" ") if plain else _SPACES.split(token)
    first = pieces[0]
    if first:  # the space pending from the text before goes before it
        gap = pending if line else 0.0
        if first.isascii():
            line.append(new(Word, (first, font, size, (get(first) or _width(first, font))
                                   * size, gap, not gap and bool(line) and not _wide(line[-1]),
                                   False, None)))
        else:
            _add(line, first, font, size, gap, False)
        pending = 0.0
    if len(pieces) == 1:
        return pending
    # The other pieces: words one space apart, each with that space before it, but for the
    # first word of a line.
    space, start = table[" "] * size, 1
    if not line:
        while start < len(pieces) and not pieces[start]:
            start += 1
        if start == len(pieces):
            return space
        piece = pieces[start]
        if piece.isascii():
            line.append(new(Word, (piece, font, size, (get(piece) or _width(piece, font)) * size,
                                   0.0, False, True, None)))
        else:
            _add(line, piece, font, size, 0.0, True)
        start += 1
    if plain:
        line.extend([new(Word, (piece, font, size, (get(piece) or _width(piece, font)) * size,
                                space, False, True, None))
                     for piece in pieces[start:] if piece])
    else:
        for piece in pieces[start:]:
            if not piece:
                continue
            if piece.isascii():
                line.append(new(Word, (piece, font, size, (get(piece) or _width(piece, font))
                                       * size, space, False, True, None)))
            else:
                _add(line, piece, font, size, space, True)
    return space if not pieces[-1] else 0.0


def _formula(tex: str, display: bool, size: float, color, gap: float, glue: bool) -> Word:
    box, formula = pdfmath.box(tex, display, size, color)
    maths = Maths(box, float(formula.height) * size, float(formula.depth) * size, display)
    return Word(BOX, None, size, float(formula.width) * size, gap, glue, False, maths)


def _add(line: list, piece: str, font: str, size: float, gap: float, own: bool) -> None:
    """Words of text beyond ASCII, as pdftext makes them: a run per font of the fallback
    chain, every CJK character a word of its own, kinsoku characters glued to the one before."""
    for run_font, run in pdfbase.runs(piece, font):
        for part in pdftext.WIDE.split(run):
            if part:
                glue = not gap and bool(line) and (
                    part[0] in pdftext.NO_LINE_START
                    or not (_wide(line[-1]) or pdftext.WIDE.fullmatch(part)))
                line.append(tuple.__new__(Word, (part, run_font, size,
                                                 _width(part, run_font) * size, gap, glue, own,
                                                 None)))
                gap = 0.0


def _wide(word: Word) -> bool:
    return len(word.text) == 1 and not word.text.isascii() and bool(
        pdftext.WIDE.fullmatch(word.text))


def _direction(words: list[Word]) -> tuple[tuple, bool, bool]:
    bidi = pdfscript.holds_rtl(w.text for w in words)
    rtl = bidi and pdfscript.base_rtl(" ".join(w.text for w in words))
    return tuple(words), rtl, bidi


def _measure(words) -> float:
    # A loop, not sum() over a generator: this runs for every line of the sheet.
    if not words:
        return 0
    used = words[0].width
    for word in words[1:]:
        used += word.width + word.gap
    return used


def _chop(word: Word, room: float, width: float) -> list[Word]:
    """A word wider than the line in pieces: the first fills the `room` left on the current
    line (it may be empty), the others the width of a line, as a Paragraph splits long words."""
    pieces, start, used, limit = [], 0, 0.0, room
    for end, char in enumerate(word.text):
        w = _width(char, word.font) * word.size
        if used + w > limit and (end > start or not pieces):
            pieces.append(word.text[start:end])
            start, used, limit = end, 0.0, width
        used += w
    pieces.append(word.text[start:])
    return [word._replace(text=p, width=_width(p, word.font) * word.size,
                          gap=word.gap if i == 0 else 0.0, glue=False)
            for i, p in enumerate(pieces)]


def layout(logical, width: float, shrink: float = 0.0, maths: bool = True) -> list[Line]:
    """Break the logical lines greedily at `width`; a break never falls before a glued word
    unless the whole line is glued. As a Paragraph does, a line may pass `width` by `shrink`
    (ReportLab's spaceShrinkage) times the width of its spaces. Without `maths`, the caller
    knows there is no formula in them."""
    out: list[Line] = []
    new = tuple.__new__  # a NamedTuple's own constructor is a Python function
    for source, (words, rtl, bidi) in enumerate(logical):
        # Most lines of a sheet fit as they are (a cell, a bullet): measured in one go,
        # as the loop below would add them up. (A display formula takes a line of its own.)
        used = _measure(words)
        if used <= width + 1e-8 and not (maths and any(w.maths is not None and w.maths.display
                                                       for w in words)):
            out.append(new(Line, (words, used, rtl, bidi, source)))
            continue
        current: list[Word] = []
        used = spaces = 0.0
        for word in words:
            if word.maths is not None and (word.maths.display or word.width > width):
                word = word._replace(width=width)  # drawn centred, shrunk to fit
            elif word.width > width + 1e-6:
                gap = word.gap if current else 0.0
                pieces = _chop(word, width - used - gap if current else 0.0, width)
                if pieces[0].text:
                    current.append(pieces[0])
                    used += gap + pieces[0].width
                if current:
                    out.append(Line(tuple(current), used, rtl, bidi, source))
                pieces = pieces[1:]
                if not pieces:  # it fitted after all (rounding)
                    current, used, spaces = [], 0.0, 0.0
                    continue
                out.extend(Line((piece,), piece.width, rtl, bidi, source) for piece in pieces[:-1])
                current, used, spaces = [pieces[-1]], pieces[-1].width, 0.0
                continue
            gap = word.gap if current else 0.0
            if current and used + gap + word.width > width + shrink * (spaces + gap) + 1e-8:
                start = len(current)
                if word.glue:  # take the words it is glued to along to the next line
                    start -= 1
                    while start > 0 and current[start].glue:
                        start -= 1
                    if start == 0:
                        start = len(current)  # glued across the whole line: break anyway
                if start == len(current):  # (`used` is its _measure, added up in its order)
                    out.append(new(Line, (tuple(current), used, rtl, bidi, source)))
                    current, used, spaces, gap = [], 0.0, 0.0, 0.0
                else:
                    out.append(Line(tuple(current[:start]), _measure(current[:start]), rtl,
                                    bidi, source))
                    current = current[start:]
                    used, gap = _measure(current), 0.0  # a glued word has no space before it
                    spaces = sum(w.gap for w in current[1:])
            current.append(word)
            used += gap + word.width
            spaces += gap
        out.append(new(Line, (tuple(current), used, rtl, bidi, source)))
    return out


def _regroup(lines: list[Line]) -> list:
    """Laid-out lines as logical lines again (for the two parts of a split)."""
    out: list = []
    for line in lines:
        if out and line.source == out[-1][3]:
            out[-1][0].extend(line.words)
        else:
            out.append((list(line.words), line.rtl, line.bidi, line.source))
    return [(tuple(words), rtl, bidi) for words, rtl, bidi, _ in out]


class Text(Flowable):
    """Logical lines of words (from `flow`) in `style`'s leading, colour and spacing.

    Lines are `style.leading` apart, the first baseline one font size below the top. A line
    with a formula is as tall as it needs (a Paragraph's autoLeading="max"): its baseline
    sits below the top of the line by the larger of the font size and the formulas' height,
    and the line reaches down by the larger of what the leading leaves and their depth."""

    def __init__(self, logical, style, laid=None, tall: bool | None = None):
        """`tall`: whether there is a formula in the lines, when the caller knows."""
        super().__init__()
        self.logical, self.style = logical, style
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
        self.keepWithNext = getattr(style, "keepWithNext", 0)
        self._laid_at, self._laid = laid if laid is not None else (None, None)
        if tall is None:
            tall = any(w.maths is not None for words, _, _ in logical for w in words)
        self._tall = tall
        self.width = self.height = 0

    def _lines(self, width: float) -> list[Line]:
        if self._laid_at != width:
            self._laid_at = width
            self._laid = layout(self.logical, width, getattr(self.style, "spaceShrinkage", 0),
                                self._tall)
        return self._laid

    def _metrics(self, lines) -> list[tuple[float, float]]:
        """(baseline below the line's top, line height) of each line."""
        leading = self.style.leading
        if not self._tall:
            first = max((w.size for w in lines[0].words), default=self.style.fontSize)
            return [(first, leading)] * len(lines)
        out = []
        for line in lines:
            size = max((w.size for w in line.words if w.maths is None), default=0.0)
            above = max([size] + [w.maths.ascent for w in line.words if w.maths is not None])
            below = max([leading - (size or self.style.fontSize)]
                        + [w.maths.descent for w in line.words if w.maths is not None])
            out.append((above, max(leading, above + below)))
        return out

    def wrap(self, available_width, available_height):
        self.width = available_width
        lines = self._lines(available_width)
        if self._tall:
            self.height = sum(h for _, h in self._metrics(lines))
        else:
            self.height = len(lines) * self.style.leading
        return self.width, self.height

    def minWidth(self):
        return max((w.width for words, _, _ in self.logical for w in words), default=0.0)

    def split(self, available_width, available_height):
        # At the width of the last wrap, as a Paragraph does: a Table splitting a cell
        # passes the cell's width, padding included, after wrapping it at the inner width.
        width = self._laid_at if self._laid_at is not None else available_width
        lines = self._lines(width)
        fit, used = 0, 0.0
        for _, height in self._metrics(lines):
            if used + height > available_height + 1e-8:
                break
            fit, used = fit + 1, used + height
        if fit <= 1:  # not a lone line at a column's foot, as a Paragraph (allowOrphans=0)
            return []
        if len(lines) <= fit:
            return [self]
        return [Text(_regroup(lines[:fit]), self.style, (width, lines[:fit])),
                Text(_regroup(lines[fit:]), self.style)]

    def draw(self):
        self.draw_at(self.canv, 0.0, 0.0)

    def draw_at(self, canvas, left: float, bottom: float, pen: Pen | None = None) -> None:
        """Draw with the bottom left corner at (left, bottom), without a saveState and
        translate of its own, with `pen` if given (a container draws all its Texts as one
        text object and closes the pen; the font and colour are left set), else with a pen
        of its own."""
        own = pen is None
        if own:
            pen = Pen(canvas)
        if self._tall:
            self._draw_tall(canvas, left, bottom, pen)
        else:
            self._draw_flat(left, bottom, pen)
        if own:
            pen.close()

    def _draw_flat(self, left: float, bottom: float, pen: Pen) -> None:
        """draw_at without formulas (most Texts): every line `leading` below the one before,
        in runs of text only."""
        style = self.style
        lines = self._lines(self.width)
        ink, leading, width, write = style.textColor, style.leading, self.width, pen.write
        top = bottom + self.height
        above = max([w.size for w in lines[0].words]) if lines[0].words else style.fontSize
        last, origin = len(lines) - 1, None  # origin: x of the line start T* moves to
        for index, line in enumerate(lines):
            x, y = left + (width - line.width if line.rtl else 0.0), top - above
            top -= leading
            if origin != x:
                pen.move(x, y)
                origin = x
            runs = _runs(line.words)
            if line.bidi:
                runs = pdfscript.visual(runs, line.rtl)
            # The next line starts with T* (its start below this one's) where it can.
            move = index < last and x == left and not lines[index + 1].rtl
            if not move:
                origin = None
            elif pen.font is not None:
                pen.set_leading(leading)
            if len(runs) == 1:
                (run_font, run_size, _), run = runs[0]
                write(run_font, run_size, ink, run, leading, move)
                continue
            for number, ((run_font, run_size, _), run) in enumerate(runs, 1):
                write(run_font, run_size, ink, run, leading,
                      move and number == len(runs))
            if move and not runs:  # an empty line
                pen.set_leading(leading)
                pen.text.textLine("")

    def _draw_tall(self, canvas, left: float, bottom: float, pen: Pen) -> None:
        """draw_at with formulas: each line as tall as it needs, its start moved to, a
        formula placed from where the text before it ends."""
        style = self.style
        lines = self._lines(self.width)
        ink, leading, top = style.textColor, style.leading, bottom + self.height
        for line, (above, height) in zip(lines, self._metrics(lines)):
            x, y = left + (self.width - line.width if line.rtl else 0.0), top - above
            top -= height
            pen.move(x, y)
            runs = _runs(line.words)
            if line.bidi:
                runs = pdfscript.visual(runs, line.rtl)
            formulas = sum(run_font is None for (run_font, _, _), _ in runs)  # still to place
            for (run_font, run_size, word), run in runs:
                if run_font is None:  # a formula, after `run_size` of space: drawn after the text
                    x += run_size
                    pen.later(word.maths, x, y, word.width)
                    x += word.width
                    pen.move(x, y)
                    formulas -= 1
                    continue
                pen.write(run_font, run_size, ink, run, leading)
                if formulas:
                    x += canvas.stringWidth(run, run_font, run_size)


def place(parts, canvas, pen: Pen | None = None) -> None:
    """Draw parts, each (flowable, x, y): those with a `draw_at` (a Text, or a container of
    Texts) into one text object, `pen`'s if given (its owner closes it), the others by their
    drawOn. A pen's text goes into the page when it is closed, over what was drawn before."""
    own = pen is None
    if own:
        pen = Pen(canvas)
    for flowable, x, y in parts:
        draw_at = getattr(flowable, "draw_at", None)
        if draw_at is None:
            flowable.drawOn(canvas, x, y)
        else:
            draw_at(canvas, x, y, pen)
    if own:
        pen.close()


def _runs(words) -> list[tuple[tuple, str]]:
    """A line's words as ((font, size, None), text) runs in logical order, each space in
    the run of the text it stood in (or the next); a formula is a run of its own,
    ((None, the width of space before it, word), BOX)."""
    if words:  # most lines are in one style: one run, made in one loop
        first = words[0]
        font, size = first.font, first.size
        if font is not None:
            parts = [first.text]
            for word in words[1:]:
                if word.font != font or word.size != size:
                    break
                parts.append(" " + word.text if word.gap else word.text)
            else:
                return [((font, size, None), "".join(parts))]
    runs: list = []
    parts: list[str] = []
    font = size = None
    for index, word in enumerate(words):
        space = bool(word.gap and index)
        if word.maths is not None:
            if space and parts:
                parts.append(" ")
            if parts:
                runs.append(((font, size, None), "".join(parts)))
            runs.append(((None, word.gap if space and not parts else 0.0, word), BOX))
            parts, font = [], None
            continue
        if word.font != font or word.size != size:
            if space and parts and not word.own:
                parts.append(" ")
                space = False
            if parts:
                runs.append(((font, size, None), "".join(parts)))
            parts = [" "] if space else []
            font, size = word.font, word.size
        elif word.gap and index:
            parts.append(" ")
        parts.append(word.text)
    if parts:
        runs.append(((font, size, None), "".join(parts)))
    return runs
