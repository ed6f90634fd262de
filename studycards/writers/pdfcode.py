"""Code blocks on paper: card text as ReportLab flowables, code blocks as blocks of their own.

A code block keeps its lines and indentation in the mono font, coloured like Anki's, on a
light background. It is as wide as its longest line, never wider than the room it is given:
longer lines wrap, and each continuation starts with a grey mark. Centred faces centre the
block, not its lines.
"""
from __future__ import annotations

import re
from xml.sax.saxutils import unescape

from reportlab.lib.colors import HexColor
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from .. import highlight
from . import pdfbase
from .pdfbase import MONO, MONO_BOLD, Paragraph

CODE_SCALE = 0.9  # mono glyphs are wide: code a little smaller than the text around it
LEADING = 1.25
CONTINUED = "\u21aa"  # starts a line that continues the one above
BACKGROUND = HexColor(highlight.LIGHT_BACKGROUND)
MARK = HexColor("#9ca3af")
COLORS = {name: HexColor(value) for name, value in highlight.LIGHT.items()}

_BLOCK = re.compile(r'<codeblock lang="[^"]*">(.*?)</codeblock>', re.S)
_TOKENS = re.compile(r"(<[^>]*>)")
_HL = re.compile(r'<hl c="(\w*)">')
_SIZE = re.compile(r'\bsize="([0-9.]+)"')
_BREAKS = re.compile(r"^(?:<br/>)+|(?:<br/>)+$")


def _lines(body: str) -> list[list[tuple[str, str, bool]]]:
    """The block's markup as lines of (text, class, bold) runs."""
    lines: list[list] = [[]]
    bold, classes = 0, [""]
    for token in _TOKENS.split(body):
        if not token:
            continue
        if token == "<br/>":
            lines.append([])
        elif token == "<b>":
            bold += 1
        elif token == "</b>":
            bold = max(0, bold - 1)
        elif _HL.fullmatch(token):
            classes.append(_HL.fullmatch(token).group(1))
        elif token == "</hl>":
            classes.pop() if len(classes) > 1 else None
        elif not token.startswith("<"):
            lines[-1].append((unescape(token), classes[-1], bold > 0))
    return lines


class CodeBlock(Flowable):
    """Lines of (text, class, bold) runs at `size`, wrapped to the width it is given."""

    def __init__(self, lines, size: float, ink):
        super().__init__()
        self.lines, self.size, self.ink = lines, size, ink
        self.pad = 0.45 * size
        self.spaceBefore = self.spaceAfter = 0.3 * size
        self.visual: list = []

    def _columns(self, width: float) -> tuple[float, int]:
        """(font size, characters per line) at `width`; a block too narrow for 12 columns
        gets a smaller size instead, so it never reaches past `width`."""
        advance = stringWidth("M", MONO, 1)
        columns = int((width - 2 * self.pad) / (advance * self.size))
        if columns < 12:
            return max(0.5, (width - 2 * self.pad) / (12 * advance)), 12
        return self.size, columns

    def wrap(self, available_width, available_height):
        self.font_size, columns = self._columns(available_width)
        self.visual = [part for line in self.lines for part in _wrap(line, columns)]
        longest = max((sum(_cells(t) for t, _, _ in runs) for runs in self.visual), default=0)
        advance = stringWidth("M", MONO, self.font_size)
        self.width = min(available_width, longest * advance + 2 * self.pad)
        self.height = len(self.visual) * self.font_size * LEADING + 2 * self.pad
        return self.width, self.height

    def split(self, available_width, available_height):
        """At a line boundary, so that the first part fills the room left."""
        size, columns = self._columns(available_width)
        room = int((available_height - 2 * self.pad) / (size * LEADING))
        taken = count = 0
        for line in self.lines:
            need = len(_wrap(line, columns))
            if taken + need > room:
                break
            taken, count = taken + need, count + 1
        if count == 0 or count == len(self.lines):
            return []
        return [CodeBlock(self.lines[:count], self.size, self.ink),
                CodeBlock(self.lines[count:], self.size, self.ink)]

    def draw(self):
        canvas, size = self.canv, self.font_size
        canvas.saveState()
        canvas.setFillColor(BACKGROUND)
        canvas.roundRect(0, 0, self.width, self.height, min(2.0, self.pad), stroke=0, fill=1)
        y = self.height - self.pad - size * LEADING + 0.3 * size
        for runs in self.visual:
            text = canvas.beginText(self.pad, y)
            for piece, cls, bold in runs:
                text.setFillColor(MARK if cls == CONTINUED else COLORS.get(cls, self.ink))
                # Characters DejaVu Sans Mono lacks (CJK, emoji) from the fallback fonts.
                for font, part in pdfbase.runs(piece, MONO):
                    text.setFont(MONO_BOLD if bold and font == MONO else font, size)
                    text.textOut(part)
            canvas.drawText(text)
            y -= size * LEADING
        canvas.restoreState()


def _cells(text: str) -> int:
    """Columns `text` takes: one per character the mono font has, two for any other (a CJK
    character or an emoji from a fallback font is about one em wide, a mono column 0.6)."""
    if text.isascii():
        return len(text)
    mono = pdfbase.fonts().cmap(MONO)
    return sum(1 if char in mono else 2 for char in text)


def _wrap(runs, columns: int) -> list[list]:
    """One source line as visual lines of at most `columns` columns; each continuation
    starts with the mark and a space. A break falls after a space when one is near."""
    text = "".join(t for t, _, _ in runs)
    if _cells(text) <= columns:
        return [list(runs)]
    cuts, start, room = [], 0, columns
    while _cells(text[start:]) > room:
        end, used = start, 0
        while end < len(text) and used + _cells(text[end]) <= room:
            used += _cells(text[end])
            end += 1
        end = max(end, start + 1)
        space = text.rfind(" ", start + (end - start) * 2 // 3, end)
        end = space + 1 if space > start else end
        cuts.append((start, end))
        start, room = end, columns - 2
    cuts.append((start, len(text)))
    out = []
    for index, (a, b) in enumerate(cuts):
        line = [(CONTINUED + " ", CONTINUED, False)] if index else []
        pos = 0
        for piece, cls, bold in runs:
            lo, hi = max(a, pos), min(b, pos + len(piece))
            if lo < hi:
                line.append((piece[lo - pos:hi - pos], cls, bold))
            pos += len(piece)
        out.append(line)
    return out


def flow(markup: str, style) -> list:
    """Flowables for paragraph markup that may hold code blocks (a face the flashcards leave
    to a Paragraph): the text around each block a Paragraph, inline tags closed before a
    block and reopened after it; each block a CodeBlock at the size in force where it
    stands. (The cheat sheet makes its own from the runs of card text: pdfflow.flow.)"""
    if "<codeblock" not in markup:
        return [Paragraph(markup, style)]
    out: list = []
    open_tags: list[str] = []
    pos = 0
    for match in _BLOCK.finditer(markup):
        _paragraph(out, markup[pos:match.start()], open_tags, style)
        size = style.fontSize
        for tag in open_tags:
            found = _SIZE.search(tag) if tag.startswith("<font") else None
            size = float(found.group(1)) if found else size
        out.append(CodeBlock(_lines(match.group(1)), size * CODE_SCALE, style.textColor))
        pos = match.end()
    _paragraph(out, markup[pos:], open_tags, style)
    return out


def _paragraph(out: list, piece: str, open_tags: list[str], style) -> None:
    """Append `piece` as a Paragraph, opened with `open_tags` and closed with the tags open
    at its end (which `open_tags` becomes), unless nothing in it would show."""
    prefix = "".join(open_tags)
    for token in _TOKENS.findall(piece):
        if token.startswith("</"):
            if open_tags:
                open_tags.pop()
        elif not token.endswith("/>"):
            open_tags.append(token)
    suffix = "".join(f"</{tag[1:].split()[0].rstrip('>')}>" for tag in reversed(open_tags))
    body = _BREAKS.sub("", piece)
    visible = re.sub(r"<(?!img|math)[^>]*>", "", body).replace("\u00a0", " ").strip()
    if visible:
        out.append(Paragraph(prefix + body + suffix, style))
