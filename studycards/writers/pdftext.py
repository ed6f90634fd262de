"""Centred text that fits a box, for the common case of a flashcard face.

ReportLab's Paragraph parses its markup and re-wraps the text for every font size tried;
on a deck of 10,000 cards that is most of the build. Here the words come straight from the
parsed card text (markup.runs: bold, italic, inline code, line breaks, formulas, in a colour),
are measured once at size 1, and every size is tried by arithmetic. A code block is left
to the caller (pdfcode).
"""
from __future__ import annotations

import dataclasses
import functools
import operator
import re
from dataclasses import dataclass

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from .. import markup, mathtex
from . import pdfbase, pdfmath, pdfscript
from .pdfbase import BOX, MONO, MONO_BOLD, SANS, SANS_BOLD, SANS_BOLD_ITALIC, SANS_ITALIC

# a run's style (markup.BOLD | ITALIC | MONO) -> its font, as ReportLab's families map them
FONTS = (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, MONO, MONO_BOLD, MONO, MONO_BOLD)
LEADING = 1.22


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    font: str
    color: object  # a ReportLab colour, or None for the ink
    width: float  # at size 1
    space: bool  # a space separates it from the word before
    glue: bool = False  # no line break before it (no space, and no CJK character either side)
    rtl: bool = False  # its line of text runs right to left
    formula: str | None = None  # a formula's TeX (drawn as outlines, `width` wide)
    display: bool = False  # a display formula: a line of its own, shrunk to fit the width
    gap: float = 0.0  # the space before it at size 1, if `space` (laid out many times)
    advance: float = dataclasses.field(init=False)  # width + gap: lines' widths sum it
    drawn: str = dataclasses.field(init=False)  # its text after another word of its line

    def __post_init__(self):
        object.__setattr__(self, "advance", self.width + self.gap)
        object.__setattr__(self, "drawn", " " + self.text if self.space else self.text)


@dataclass(frozen=True)
class Block:
    """The lines of one part of a face, each a list of words; `scale` times the face size."""

    lines: tuple[tuple[Word, ...], ...]
    scale: float
    formulas: bool = False  # whether a line holds a formula
    rtl: bool = False  # whether it holds right-to-left text (its lines need reordering)
    widths: tuple[float, ...] = ()  # each line's width at size 1, unbroken


class Lines(list):
    """Broken lines, [(words, font size, width)], with their total height and whether any
    holds a formula, summed as they were broken (a face's size is searched by height). A
    line that fits unbroken has the width None: most sizes tried are not drawn."""

    height = 0.0
    formulas = False
    rtl = False


def words(runs, scale: float = 1.0, color=None) -> Block | None:
    """The words of card text's runs (markup.Runs) in `color` (None: the ink), `scale` times
    the face size; None for a code block (pdfcode's).

    The words depend on the deck's fallback fonts: another deck's are made anew."""
    global _made_with
    if pdfbase.fonts() is not _made_with:
        _added.clear()  # its words' runs are in the fallback fonts
        _lines.clear()
        _made_with = pdfbase.fonts()
    runs = tuple(runs)
    lines: list = []
    widths: list = []
    rtl = formulas = False
    start = 0
    for end in range(len(runs) + 1):
        if end < len(runs) and runs[end] is not markup.BREAK:
            continue
        # A line break starts afresh: the words of the runs between two are kept by those
        # runs (most recur, as a list card's items on each of its cards' faces).
        key = (runs[start:end], color)
        made = _lines.get(key)
        if made is None:
            if len(_lines) >= 4096:
                _lines.clear()  # a bound on memory: a line recurs on nearby cards, if at all
            made = _lines[key] = _line_words(key[0], color)
        if made is _CODE:
            return None
        lines += made[0]
        widths += made[1]
        rtl, formulas = rtl or made[2], formulas or made[3]
        start = end + 1
    return Block(tuple(lines), scale, formulas, rtl, tuple(widths))


_lines: dict = {}  # (runs of a line, colour) -> what _line_words makes of them


def forget_lines() -> None:
    """Let go of the lines kept so far (a writer starting a deck)."""
    _lines.clear()


_CODE = object()  # _line_words' answer for runs holding a code block


def _line_words(runs, color):
    """(lines, each one's width at size 1 unbroken, whether they hold right-to-left text,
    whether a formula) of runs without a line break; a display formula is a line of its
    own. _CODE if they hold a code block."""
    rtl = formulas = False
    lines: list[list[Word]] = [[]]
    pending_space = False
    closed = False  # the line holds a display formula: what follows starts a new one
    for run in runs:
        if type(run) is not tuple:
            if type(run) is not markup.Math:
                return _CODE
            tex, display = run.tex, run.display
            if closed or (display and lines[-1]):
                lines.append([])  # as in a Paragraph, where it takes the full width
            line = lines[-1]
            if display:
                line.append(Word("", SANS, color, mathtex.render(tex, True).width, False,
                                 formula=tex, display=True))
            else:
                space = pending_space and bool(line)
                line.append(Word("", SANS, color, pdfmath.inline(tex).width, space,
                                 glue=not space and bool(line) and not _wide(line[-1]),
                                 formula=tex, gap=_space(SANS) if space else 0.0))
            pending_space, formulas, closed = False, True, display
            continue
        token, style = run
        font = FONTS[style]
        pieces = token.split(" ")
        if not closed and token.isascii():  # most text: the loop below, unrolled
            line = lines[-1]
            first = pieces[0]
            if first:
                space = pending_space and bool(line)
                glue = not space and bool(line) and not _wide(line[-1])
                line.append(_words.get((first, font, color, space, glue))
                            or _word(first, font, color, space, glue))
            if line:  # every word after a space: looked up by its text alone
                spaced = _spaced.get((font, color))
                if spaced is None:
                    spaced = _spaced[font, color] = {}
                line.extend([spaced.get(piece) or _spaced_word(spaced, piece, font, color)
                             for piece in pieces[1:] if piece])
            else:
                for piece in pieces[1:]:
                    if piece:
                        space = bool(line)  # after a space; glued to nothing
                        line.append(_word(piece, font, color, space, False))
            pending_space = not pieces[-1] and (len(pieces) > 1 or pending_space)
            continue
        rtl = rtl or not token.isascii() and bool(pdfscript.RTL.search(token))
        for index, piece in enumerate(pieces):
            if index > 0:
                pending_space = True
            if piece:
                if closed:
                    lines.append([])
                    closed = False
                space = pending_space and bool(lines[-1])
                line = lines[-1]
                if piece.isascii():
                    line.append(_word(piece, font, color, space,
                                      not space and bool(line) and not _wide(line[-1])))
                else:
                    _add(line, piece, font, color, space)
                pending_space = False
    lines = tuple(_direction(line) for line in lines) if rtl else tuple(map(tuple, lines))
    # A display formula shrinks rather than breaks: its line counts as one. As
    # _measure(line, 1.0), the same sum: a line's first word has no gap.
    return (lines, tuple(0.0 if line and line[0].display else sum(map(_ADVANCE, line))
                         for line in lines), rtl, formulas)


_ADVANCE = operator.attrgetter("advance")


_made_with = None  # the fallback fonts the kept words were made with
_words: dict = {}  # (text, font, colour, space, glue) -> its Word: most words recur


_spaced: dict = {}  # (font, colour) -> {text: its Word after a space}: most words


def _spaced_word(spaced: dict, text: str, font: str, color) -> Word:
    word = spaced[text] = _word(text, font, color, True, False)
    return word


def _word(text: str, font: str, color, space: bool, glue: bool) -> Word:
    key = (text, font, color, space, glue)
    word = _words.get(key)
    if word is None:
        if len(_words) >= 200_000:
            _words.clear()  # a bound on memory for a huge vocabulary
            _spaced.clear()
            _added.clear()
            _rtl_words.clear()
        word = _words[key] = Word(text, font, color, stringWidth(text, font, 1), space, glue,
                                  gap=_space(font) if space else 0.0)
    return word


def _add(line: list, piece: str, font: str, color, space: bool) -> None:
    """Words of a piece of text beyond ASCII: a run per font (the fallback chain), and
    every CJK character a word of its own, so that lines may break between them. Kept:
    most such pieces recur, and their words depend only on the word before."""
    before = 0 if not line else 2 if _wide(line[-1]) else 1  # none, wide, other
    key = (piece, font, color, space, before)
    words = _added.get(key)
    if words is None:
        if len(_added) >= 100_000:
            _added.clear()  # a bound on memory
        words = _added[key] = _beyond_ascii(piece, font, color, space, before)
    line.extend(words)


_added: dict = {}  # (piece, font, colour, space, word before) -> its words


def _beyond_ascii(piece: str, font: str, color, space: bool, before: int) -> tuple:
    words: list = []
    for run_font, run in pdfbase.runs(piece, font):
        for part in WIDE.split(run):
            if part:
                after = bool(words) or before > 0
                glue = not space and after and (
                    part[0] in NO_LINE_START
                    or not ((_wide(words[-1]) if words else before == 2)
                            or WIDE.fullmatch(part)))
                words.append(_word(part, run_font, color, space and after, glue))
                space = False
    return tuple(words)


# Wide characters (CJK, emoji) take a word each: CJK lines break between any two of them.
WIDE = re.compile("([\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf"
                  "\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                  "\uff00-\uff60\uffe0-\uffe6\U0001f300-\U0001faff\U00020000-\U0003fffd])")


# Closing punctuation and small kana never start a line (Japanese kinsoku rules).
NO_LINE_START = frozenset(",.:;!?)]}'\"\u3001\u3002\uff0c\uff0e\uff1a\uff1b\uff01\uff1f"
                          "\uff09\u300d\u300f\u3011\u3015\u3009\u300b\u30fc\u30fb\u3005"
                          "\u3041\u3043\u3045\u3047\u3049\u3063\u3083\u3085\u3087\u308e"
                          "\u30a1\u30a3\u30a5\u30a7\u30a9\u30c3\u30e3\u30e5\u30e7\u30ee")


def _wide(word: Word) -> bool:
    return len(word.text) == 1 and bool(WIDE.fullmatch(word.text))


def _direction(words: list[Word]) -> tuple[Word, ...]:
    """Mark the words of a right-to-left line (its first strong character is)."""
    if pdfscript.holds_rtl(w.text for w in words):
        if pdfscript.base_rtl(" ".join(w.text for w in words)):
            return tuple(map(_rtl, words))
    return tuple(words)


def _rtl(word: Word) -> Word:
    found = _rtl_words.get(word)
    if found is None:
        found = _rtl_words[word] = dataclasses.replace(word, rtl=True)
    return found


_rtl_words: dict = {}  # a word -> the same word in a right-to-left line


@functools.cache
def _space(font: str) -> float:
    return stringWidth(" ", font, 1)


def layout(blocks: list[Block], size: float, width: float):
    """Break every block's lines at `size`: [(line words, line size, line width)], or None
    if a single word is wider than `width`."""
    out = Lines()
    total = 0.0
    for block in blocks:
        font_size = size * block.scale
        out.formulas = out.formulas or block.formulas
        out.rtl = out.rtl or block.rtl
        start_line = len(out)
        room = width * (1 - 1e-9) / font_size  # a line narrower than this fits whole
        for line, natural in zip(block.lines, block.widths):
            if natural < room and not (line and line[0].display):
                out.append((line, font_size, None))  # measured if drawn: see _used
                continue
            # The line being filled is always line[begin:index]: sliced, never copied.
            begin, used = 0, 0.0
            for index, word in enumerate(line):
                w = word.width * font_size
                if w > width:
                    if not word.display:
                        return None
                    w = width  # drawn smaller, in a box as high as at full size
                gap = 0.0
                if index > begin:
                    gap = word.gap * font_size
                    if used + gap + w > width:
                        start = index
                        if word.glue:  # take the words it is glued to along to the next line
                            start -= 1
                            while start > begin and line[start].glue:
                                start -= 1
                        if start == begin or start == index:  # broken before this word
                            out.append((line[begin:index], font_size, used))
                            begin, used = index, 0.0
                        else:
                            out.append((line[begin:start], font_size,
                                        _measure(line[begin:start], font_size)))
                            begin, used = start, _measure(line[start:index], font_size)
                        gap = 0.0
                used += gap + w
            out.append((line[begin:], font_size, used))
        if block.formulas:
            total += sum(_box(words, font_size)[0] for words, _, _ in out[start_line:])
        else:
            for _ in range(len(out) - start_line):
                total += font_size * LEADING
    out.height = total
    return out


def _used(words, font_size: float) -> float:
    """The width of a line that fits unbroken, as the breaking loop adds it up."""
    return sum([w.width * font_size + w.gap * font_size for w in words], 0.0)


def _measure(words, font_size: float) -> float:
    return sum(w.width * font_size + (w.gap * font_size if i else 0.0)
               for i, w in enumerate(words))


def height(lines) -> float:
    if isinstance(lines, Lines):
        return lines.height
    return sum(_box(words, font_size)[0] for words, font_size, _ in lines)


def _box(words, font_size: float) -> tuple[float, float]:
    """A line's height and its baseline's height above the line's foot: a formula taller
    or deeper than the text makes room for itself (as Paragraph's autoLeading does)."""
    if not any(word.formula is not None for word in words):
        return font_size * LEADING, 0.3 * font_size  # the baseline above the descenders
    above, below = (LEADING - 0.3) * font_size, 0.3 * font_size
    for word in words:
        if word.formula is not None:
            formula = (mathtex.render(word.formula, True) if word.display
                       else pdfmath.inline(word.formula))
            above = max(above, (formula.height + 0.15) * font_size)
            below = max(below, (formula.depth + 0.15) * font_size)
    return above + below, below


class Pen:
    """Text runs written into one PDF text object, the font and the colour set only when
    they change (each text object, font and colour change is an operation in the page and
    a call into ReportLab). The text object goes into the page when the pen is closed:
    what the canvas draws meanwhile comes before it; formulas given to `later` are drawn
    over it then. The flashcards' faces and the cheat sheet's texts (pdfflow) write with it."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.text = None
        self.boxes: list = []  # (maths, x, y, width) of pdfflow formulas, drawn at close

    def move(self, x: float, y: float) -> None:
        """Where the next run starts; runs after it follow on."""
        if self.text is None:
            self.text = self.canvas.beginText()
            self.font = self.color = self.leading = None
        # setTextOrigin's operator (our canvases are bottom-up), without the cursor it
        # keeps for textOut and textLine, which Pen does not use
        self.text._code.append(f"1 0 0 1 {fp_str(x, y)} Tm")

    def write(self, font: str, size: float, color, text: str, leading: float | None = None,
              line_end: bool = False) -> None:
        """A run; with `line_end`, the next run starts one leading below the line's start
        (T*): the line's leading is given with the font, or by `set_leading`."""
        if (font, size) != self.font:
            self.text.setFont(font, size, leading)
            self.font, self.leading = (font, size), leading
            face = pdfmetrics.getFont(font)
            self.face = face if face._dynamicFont else None  # embedded TrueType, as all ours
            if self.face is not None:
                self.codes = pdfbase.codes(face, self.canvas._doc)
        if color is not self.color and color != self.color:
            self.text.setFillColor(color)
            self.color = color
        # Not ReportLab's textOut (it measures every run to move a cursor nothing reads: a
        # line starts at a moved origin or by T*, and PDF moves on past each run), nor its
        # _textOut or textLine: pdfbase.show formats the run without their generic path.
        text_object = self.text
        shown = (pdfbase.show(text_object, self.face, self.codes, text) if self.face is not None
                 else text_object._formatText(text))
        text_object._code.append(shown + " T*" if line_end else shown)

    def set_leading(self, leading: float) -> None:
        if leading != self.leading:
            self.text.setLeading(leading)
            self.leading = leading

    def later(self, maths, x: float, y: float, width: float) -> None:
        self.boxes.append((maths, x, y, width))

    def close(self) -> None:
        if self.text is not None:
            self.canvas.drawText(self.text)
            self.text = None
        for maths, x, y, width in self.boxes:
            pdfmath.draw(self.canvas, maths.box, x, y - maths.descent, width,
                         maths.ascent + maths.descent)
        self.boxes = []


def draw(canvas, lines, x: float, top: float, ink, width: float | None = None,
         pen: Pen | None = None) -> None:
    """Draw broken lines from `top` down: centred on `x`, or from `x` leftwards-aligned in
    a box of `width` when one is given. With a `pen`, the text goes into its text object
    (drawn when the pen is closed); otherwise into one of its own, drawn now."""
    own = pen is None
    if own:
        pen = Pen(canvas)
    y = top
    formulas = not isinstance(lines, Lines) or lines.formulas
    rtl = not isinstance(lines, Lines) or lines.rtl
    for words, font_size, used in lines:
        if formulas:
            line_height, baseline = _box(words, font_size)
        else:
            line_height, baseline = font_size * LEADING, 0.3 * font_size
        y -= line_height
        if not words:
            continue
        if used is None:
            used = _used(words, font_size)
        if width is None:
            left = x - used / 2
        else:  # a right-to-left line starts at the box's right edge
            left = x + width - used if words[0].rtl else x
        if words[0].display:
            box, formula = pdfmath.box(words[0].formula, True, font_size, words[0].color or ink)
            pdfmath.draw(canvas, box, left, y + baseline - formula.depth * font_size, used,
                         (formula.height + formula.depth) * font_size)
            continue
        if formulas and any(word.formula is not None for word in words):
            _formula_line(canvas, pen, words, font_size, left, y + baseline, ink, rtl)
            continue
        pen.move(left, y + baseline)
        # A line without right-to-left letters in a face with some: drawn as any other
        # (visual would leave it as it is, at the cost of a piece per word).
        if rtl and (words[0].rtl or pdfscript.holds_rtl(word.text for word in words)):
            pieces = [((word.font, word.color), word.drawn if index else word.text)
                      for index, word in enumerate(words)]
            _write_runs(pen, pdfscript.visual(pieces, words[0].rtl), font_size, ink)
            continue
        # Left to right, the common case: runs of words in one font and colour.
        first = words[0]
        font, color, run = first.font, first.color, [first.text]
        for word in words[1:]:
            if word.font != font or word.color is not color and word.color != color:
                pen.write(font, font_size, color or ink, "".join(run))
                font, color, run = word.font, word.color, []
            run.append(word.drawn)
        pen.write(font, font_size, color or ink, "".join(run))
    if own:
        pen.close()


def _write_runs(pen: Pen, pieces, font_size: float, ink) -> None:
    """(style, text) pieces in drawing order, those of one style written as one run."""
    style, run = None, []
    for piece_style, piece in pieces:
        if piece_style != style:
            if run:
                pen.write(style[0], font_size, style[1] or ink, "".join(run))
            style, run = piece_style, []
        run.append(piece)
    if run:
        pen.write(style[0], font_size, style[1] or ink, "".join(run))


def _formula_line(canvas, pen: Pen, words, font_size: float, x: float, baseline: float,
                  ink, rtl: bool) -> None:
    """A line holding formulas: the text in runs, each formula drawn where the text before
    it ends, the text after it moved on past it. Right-to-left text is drawn in visual
    order, a formula in it a neutral (as an image is), as the cheat sheet draws it."""
    pieces: list = []  # (style, text) in logical order; a formula's style is (None, word)

    def add(style, text: str) -> None:
        if pieces and pieces[-1][0] == style:
            pieces[-1] = (style, pieces[-1][1] + text)
        else:
            pieces.append((style, text))

    for index, word in enumerate(words):
        space = bool(word.gap and index)
        if word.formula is None:
            add((word.font, word.color or ink), " " + word.text if space else word.text)
            continue
        if space:  # as measured (word.gap), and a neutral between the two for bidi
            add((SANS, word.color or ink), " ")
        pieces.append(((None, word), BOX))
    if rtl:  # (visual leaves a line without right-to-left letters as it is)
        pieces = pdfscript.visual(pieces, words[0].rtl)
    moved = False
    for (font, style), text in pieces:
        if font is None:
            pdfmath.draw_inline(canvas, style.formula, x, baseline, font_size,
                                style.color or ink)
            x += style.width * font_size
            moved = False
            continue
        if not moved:
            pen.move(x, baseline)  # the line's start, or just past a formula
            moved = True
        pen.write(font, font_size, style, text)
        x += stringWidth(text, font, font_size)


@dataclass(frozen=True)
class Grid:
    """A table of text cells with equal columns, laid out at one size."""

    rows: tuple  # per row: (height, tuple of each cell's lines)
    columns: int
    width: float
    pad: float

    @property
    def height(self) -> float:
        return sum(h for h, _ in self.rows)

    @classmethod
    def layout(cls, cells: list[list[Block]], size: float, width: float, pad: float):
        """The grid at `size`, or None if a word is wider than its column."""
        columns = max(len(row) for row in cells)
        inner = width / columns - 2 * pad
        rows = []
        for row in cells:
            laid = [layout([block], size, inner) for block in row]
            if any(lines is None for lines in laid):
                return None
            rows.append((max(height(lines) for lines in laid) + 2 * pad, tuple(laid)))
        return cls(tuple(rows), columns, width, pad)

    def draw(self, canvas, left: float, top: float, ink, rule, pen: Pen | None = None) -> None:
        """The rules now; the cells' text into `pen` (drawn when it is closed), or into a
        text object of its own drawn after the rules."""
        column = self.width / self.columns
        canvas.saveState()
        canvas.setStrokeColor(rule)
        canvas.setLineWidth(0.3)
        y = top
        for row_height, cells in self.rows:
            for index in range(len(cells)):
                canvas.rect(left + index * column, y - row_height, column, row_height)
            y -= row_height
        canvas.restoreState()
        own = pen is None
        if own:
            pen = Pen(canvas)
        y = top
        for row_height, cells in self.rows:
            for index, lines in enumerate(cells):
                draw(canvas, lines, left + index * column + self.pad, y - self.pad, ink,
                     width=column - 2 * self.pad, pen=pen)
            y -= row_height
        if own:
            pen.close()
