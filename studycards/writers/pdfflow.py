"""Paragraphs laid out by arithmetic, for the cheat sheet's many small blocks of text.

A ReportLab Paragraph parses its markup with html.parser, re-measures every word each time it
is wrapped, and draws each line through a general machine; on a sheet of 10,000 cards that was
most of the build. Card text uses a small part of that markup: bold, italic, `code` (a font
face), a font size or colour, line breaks and the three entities. `paragraph` reads that
subset into words measured once (a width cache shared by all of them), `Text` breaks lines
greedily and draws each run of words in one style with one text operation. Anything else
(formulas, links, images, other faces) gets a Paragraph, as before.

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

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from . import pdfbase, pdfscript, pdftext
from .pdfbase import MONO, MONO_BOLD, SANS, SANS_BOLD, SANS_BOLD_ITALIC, SANS_ITALIC, Paragraph

_TOKENS = re.compile(r"(<[^>]*>)")
_FONT_TAG = re.compile(r'<font((?: (?:face|size|color)="[^"]*")+)>')
_ATTRIBUTE = re.compile(r'(face|size|color)="([^"]*)"')
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
# What ReportLab breaks lines at (its paragraph's _wsc, but for U+200B, which pdfscript
# drops as invisible before ReportLab sees it); a no-break space joins.
_SPACES = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f \x85\u1680\u2000-\u200a\u2028\u2029\u202f"
                     "\u205f\u3000]+")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
# The faces <b> and <i> pick in each family, as pdfbase registers the families.
_FACES = {
    SANS: {(0, 0): SANS, (1, 0): SANS_BOLD, (0, 1): SANS_ITALIC, (1, 1): SANS_BOLD_ITALIC},
    MONO: {(0, 0): MONO, (1, 0): MONO_BOLD, (0, 1): MONO, (1, 1): MONO_BOLD},
}


class Word(NamedTuple):
    text: str
    font: str
    size: float
    color: object  # a ReportLab colour, or None for the style's
    width: float  # in points, at `size`
    gap: float  # the width of the space before it, 0.0 when none
    glue: bool  # no line break before it (no space, and no CJK character either side)
    own: bool  # the space before it is in its font (else in the font of the word before)


class Line(NamedTuple):
    """One line of a laid-out Text."""

    words: tuple
    width: float
    rtl: bool  # its logical line runs right to left: right-aligned, drawn in visual order
    bidi: bool  # it holds right-to-left characters: drawn in visual order
    source: int  # index of the logical line it is part of


_widths: dict = {}
_widths_fonts = None


def _width(text: str, font: str) -> float:
    """Width at size 1; cached, since most words of a deck recur."""
    found = _widths.get((text, font))
    if found is None:
        found = _widths[text, font] = stringWidth(text, font, 1)
    return found


def paragraph(markup: str, style) -> Flowable:
    """A Text for markup in the subset (and a style it can follow), else a Paragraph."""
    global _widths_fonts
    if pdfbase.fonts() is not _widths_fonts:  # another deck's fonts: names may mean others
        _widths.clear()
        _widths_fonts = pdfbase.fonts()
    if (style.alignment != TA_LEFT or style.leftIndent or style.rightIndent
            or style.firstLineIndent or getattr(style, "autoLeading", "") not in ("", "off")):
        return Paragraph(markup, style)
    lines = parse(markup, style)
    if lines is None:
        return Paragraph(markup, style)
    return Text(lines, style)


def parse(markup: str, style):
    """Logical lines of the markup, each (words, rtl, bidi); None beyond the subset or when
    nothing would show."""
    for family, faces in _FACES.items():
        found = next((key for key, face in faces.items() if face == style.fontName), None)
        if found is not None:
            break
    else:
        return None
    bold, italic = found
    stack = [(family, style.fontSize, None)]
    lines: list[list[Word]] = [[]]
    pending = 0.0  # the width of a space waiting for the next word
    for token in _TOKENS.split(markup):
        if not token:
            continue
        if token[0] == "<":
            if token == "<b>":
                bold += 1
            elif token == "</b>":
                bold -= 1
            elif token == "<i>":
                italic += 1
            elif token == "</i>":
                italic -= 1
            elif token == "<br/>":
                lines.append([])
                pending = 0.0
            elif token == "</font>" and len(stack) > 1:
                stack.pop()
            elif token.startswith("<font"):
                font = _font_tag(token, stack[-1])
                if font is None:
                    return None
                stack.append(font)
            else:
                return None
            continue
        if "&" in token:
            for entity, char in _ENTITIES:
                token = token.replace(entity, char)
        family, size, color = stack[-1]
        font = _FACES[family][(bold > 0, italic > 0)]
        line = lines[-1]
        # A space is measured and drawn in the font of the text it stands in, as a
        # Paragraph does: "a <b>b</b>" has a regular space, "<b>a </b>b" a bold one.
        for index, piece in enumerate(_SPACES.split(token)):
            if index:
                pending = _width(" ", font) * size
            if not piece:
                continue
            gap = pending if line else 0.0
            if piece.isascii():
                line.append(Word(piece, font, size, color, _width(piece, font) * size, gap,
                                 not gap and bool(line) and not _wide(line[-1]), index > 0))
            else:
                _add(line, piece, font, size, color, gap, index > 0)
            pending = 0.0
    if not any(lines):
        return None
    return [_direction(line) for line in lines]


def _font_tag(token: str, current):
    """(family, size, colour) after a <font> tag, or None for one beyond the subset."""
    match = _FONT_TAG.fullmatch(token)
    if match is None:
        return None
    family, size, color = current
    for name, value in _ATTRIBUTE.findall(match.group(1)):
        if name == "face":
            if value not in _FACES:
                return None
            family = value
        elif name == "size":
            try:
                size = float(value)
            except ValueError:
                return None
        elif _HEX.fullmatch(value):
            color = HexColor(value)
        else:
            return None
    return family, size, color


def _add(line: list, piece: str, font: str, size: float, color, gap: float, own: bool) -> None:
    """Words of text beyond ASCII, as pdftext makes them: a run per font of the fallback
    chain, every CJK character a word of its own, kinsoku characters glued to the one before."""
    for run_font, run in pdfbase.runs(piece, font):
        for part in pdftext._WIDE.split(run):
            if part:
                glue = not gap and bool(line) and (
                    part[0] in pdftext._NO_LINE_START
                    or not (_wide(line[-1]) or pdftext._WIDE.fullmatch(part)))
                line.append(Word(part, run_font, size, color, _width(part, run_font) * size,
                                 gap, glue, own))
                gap = 0.0


def _wide(word: Word) -> bool:
    return len(word.text) == 1 and not word.text.isascii() and bool(
        pdftext._WIDE.fullmatch(word.text))


def _direction(words: list[Word]) -> tuple[tuple, bool, bool]:
    bidi = any(not w.text.isascii() and pdfscript.RTL.search(w.text) for w in words)
    rtl = bidi and pdfscript.base_rtl(" ".join(w.text for w in words))
    return tuple(words), rtl, bidi


def _measure(words) -> float:
    return sum(w.width + (w.gap if i else 0.0) for i, w in enumerate(words))


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


def layout(logical, width: float, shrink: float = 0.0) -> list[Line]:
    """Break the logical lines greedily at `width`; a break never falls before a glued word
    unless the whole line is glued. As a Paragraph does, a line may pass `width` by `shrink`
    (ReportLab's spaceShrinkage) times the width of its spaces."""
    out: list[Line] = []
    for source, (words, rtl, bidi) in enumerate(logical):
        current: list[Word] = []
        used = spaces = 0.0
        for word in words:
            if word.width > width + 1e-6:
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
                out.append(Line(tuple(current[:start]), _measure(current[:start]), rtl, bidi,
                                source))
                current = current[start:]
                used, gap = _measure(current), 0.0  # a glued word has no space before it
                spaces = sum(w.gap for w in current[1:])
            current.append(word)
            used += gap + word.width
            spaces += gap
        out.append(Line(tuple(current), used, rtl, bidi, source))
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
    """Logical lines of words (from `parse`) in `style`'s leading, colour and spacing."""

    def __init__(self, logical, style, laid=None):
        super().__init__()
        self.logical, self.style = logical, style
        self.spaceBefore, self.spaceAfter = style.spaceBefore, style.spaceAfter
        self.keepWithNext = getattr(style, "keepWithNext", 0)
        self._laid_at, self._laid = laid if laid is not None else (None, None)
        self.width = self.height = 0

    def _lines(self, width: float) -> list[Line]:
        if self._laid_at != width:
            self._laid_at = width
            self._laid = layout(self.logical, width, getattr(self.style, "spaceShrinkage", 0))
        return self._laid

    def wrap(self, available_width, available_height):
        self.width = available_width
        self.height = len(self._lines(available_width)) * self.style.leading
        return self.width, self.height

    def minWidth(self):
        return max((w.width for words, _, _ in self.logical for w in words), default=0.0)

    def split(self, available_width, available_height):
        # At the width of the last wrap, as a Paragraph does: a Table splitting a cell
        # passes the cell's width, padding included, after wrapping it at the inner width.
        width = self._laid_at if self._laid_at is not None else available_width
        lines = self._lines(width)
        fit = int(available_height / self.style.leading)
        if fit <= 1:  # not a lone line at a column's foot, as a Paragraph (allowOrphans=0)
            return []
        if len(lines) <= fit:
            return [self]
        return [Text(_regroup(lines[:fit]), self.style, (width, lines[:fit])),
                Text(_regroup(lines[fit:]), self.style)]

    def draw(self):
        canvas, style = self.canv, self.style
        lines = self._lines(self.width)
        if not lines:
            return
        ink = style.textColor
        y = self.height - max((w.size for w in lines[0].words), default=style.fontSize)
        text = canvas.beginText(0, y)
        font = color = None
        for line in lines:
            text.setTextOrigin(self.width - line.width if line.rtl else 0, y)
            y -= style.leading
            words, pieces = line.words, []
            for i, w in enumerate(words):
                after = words[i + 1] if i + 1 < len(words) else None
                pieces.append(((w.font, w.size, w.color),
                               (" " if w.gap and w.own and i else "") + w.text
                               + (" " if after and after.gap and not after.own else "")))
            if line.bidi:
                pieces = pdfscript.visual(pieces, line.rtl)
            run_style, run = None, []
            for piece_style, piece in pieces + [(None, "")]:
                if piece_style == run_style:
                    run.append(piece)
                    continue
                if run:
                    if run_style[:2] != font:
                        font = run_style[:2]
                        text.setFont(*font)
                    if (run_style[2] or ink) != color:
                        color = run_style[2] or ink
                        text.setFillColor(color)
                    text.textOut("".join(run))
                run_style, run = piece_style, [piece]
        canvas.drawText(text)
