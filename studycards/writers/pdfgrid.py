"""The cheat sheet's tables: a grid of cells with fixed column widths, ruled and shaded.

ReportLab's Table does much more (spans, styles per cell, column widths from content) and
paid for it on every wrap: it measured each cell again whenever it was wrapped, and the sheet
wrapped each table at least twice (KeepTogether, then the frame) and again to draw it. A Grid
wraps each cell once (its width never changes) and keeps the sizes; it draws as the sheet's
Tables did: the same padding, rules and shading, cells' flowables stacked from the top with
their spaceBefore/After between them (not before the first nor after the last). It splits
at a column's foot, repeating the header row: inside the row there when each of its cells can
put something in the room left, else between rows.
"""
from __future__ import annotations

from reportlab.platypus import Flowable

from .pdfflow import place

LEFT = RIGHT = 2.2  # padding inside a cell
TOP, BOTTOM = 1.0, 1.6


class Grid(Flowable):
    """Rows of cells, each cell a list of flowables or "" (an empty line of `empty` points)."""

    def __init__(self, rows, widths, *, rule, weight: float, shade, header_row: bool,
                 header_col: bool, empty: float, space_after: float = 0.0):
        super().__init__()
        self.rows = [[cell if isinstance(cell, (list, str)) else [cell] for cell in row]
                     for row in rows]
        self.widths = list(widths)
        self.rule, self.weight, self.shade, self.empty = rule, weight, shade, empty
        self.header_row, self.header_col = header_row, header_col
        self.spaceAfter = space_after
        self.hAlign = "LEFT"
        self.width = sum(self.widths)
        self._heights: list[float] | None = None
        self._sizes: list | None = None  # per row, per cell: [(w, h) of each flowable]

    def _options(self) -> dict:
        return dict(rule=self.rule, weight=self.weight, shade=self.shade,
                    header_row=self.header_row, header_col=self.header_col, empty=self.empty,
                    space_after=self.spaceAfter)

    def _measure(self) -> None:
        """Each cell wrapped once at its column's inner width; the rows' heights."""
        self._heights, self._sizes = [], []
        for row in self.rows:
            sizes, height = [], 0.0
            for cell, width in zip(row, self.widths):
                if isinstance(cell, str):
                    sizes.append(None)
                    height = max(height, self.empty)
                    continue
                wrapped = [f.wrap(width - LEFT - RIGHT, 72000) for f in cell]
                sizes.append(wrapped)
                # (most cells hold one flowable: its height, as _stacked would add it up)
                height = max(height, wrapped[0][1] if len(cell) == 1 else _stacked(cell, wrapped))
            self._sizes.append(sizes)
            self._heights.append(height + TOP + BOTTOM)

    def wrap(self, available_width, available_height):
        if self._heights is None:
            self._measure()
        self.height = sum(self._heights)
        return self.width, self.height

    def split(self, available_width, available_height):
        self.wrap(available_width, available_height)
        fit, used = 0, 0.0
        for height in self._heights:
            if used + height > available_height + 1e-8:
                break
            fit, used = fit + 1, used + height
        if fit == len(self.rows):
            return [self]
        head = self.rows[:1] if self.header_row else []
        if fit < len(head):
            return []
        # The row at the foot is split where the room ends, so the column ends full, when
        # every cell of it can put something there (or, at a column's top, when nothing
        # else would fit; `at_top` is set by the column filler, pdfcolumns).
        top, rest = self._split_row(fit, available_height - used - TOP - BOTTOM,
                                    strict=fit > len(head) or not getattr(self, "at_top", True))
        if top is not None:
            return [Grid(self.rows[:fit] + [top], self.widths, **self._options()),
                    Grid(head + [rest] + self.rows[fit + 1:], self.widths, **self._options())]
        if fit > len(head):
            return [Grid(self.rows[:fit], self.widths, **self._options()),
                    Grid(head + self.rows[fit:], self.widths, **self._options())]
        return []

    def _split_row(self, index: int, room: float, strict: bool):
        """(the part of row `index` that fits in `room`, the rest), or (None, None) when
        no cell can put anything there, or (`strict`) when one of them cannot."""
        top_row, rest_row, placed, missed = [], [], False, False
        for cell, sizes, width in zip(self.rows[index], self._sizes[index], self.widths):
            if isinstance(cell, str):
                top_row.append(cell)
                rest_row.append("")
                continue
            top, used = [], 0.0
            for number, (flowable, (_, height)) in enumerate(zip(cell, sizes)):
                before = flowable.getSpaceBefore() if top else 0.0
                if used + before + height <= room + 1e-8:
                    top.append(flowable)
                    used += before + height + flowable.getSpaceAfter()
                    continue
                parts = flowable.split(width - LEFT - RIGHT, room - used - before)
                if len(parts) > 1:
                    top.append(parts[0])
                    rest = parts[1:] + cell[number + 1:]
                else:
                    rest = cell[number:]
                break
            else:
                rest = []
            placed, missed = placed or bool(top), missed or (bool(cell) and not top)
            top_row.append(top or "")
            rest_row.append(rest or "")
        if not placed or (strict and missed) or not any(rest_row):
            return None, None
        return top_row, rest_row

    def draw(self):
        self.draw_at(self.canv, 0.0, 0.0)

    def draw_at(self, canvas, left: float, bottom: float, pen=None) -> None:
        """Draw with the bottom left corner at (left, bottom); the cells' text into `pen`
        if given (pdfflow.place), drawn over the shading and the rules when it is closed."""
        canvas.saveState()
        tops = [bottom + self.height]
        for height in self._heights:
            tops.append(tops[-1] - height)
        lefts = [left]
        for width in self.widths:
            lefts.append(lefts[-1] + width)
        right = left + self.width
        canvas.setFillColor(self.shade)
        if self.header_row:
            canvas.rect(left, tops[1], self.width, self._heights[0], stroke=0, fill=1)
        if self.header_col:
            canvas.rect(left, bottom, self.widths[0], self.height, stroke=0, fill=1)
        parts = []
        for row, sizes, top in zip(self.rows, self._sizes, tops):
            for cell, wrapped, x in zip(row, sizes, lefts):
                if isinstance(cell, str):
                    continue
                y = top - TOP
                if len(cell) == 1:  # (most cells)
                    parts.append((cell[0], x + LEFT, y - wrapped[0][1]))
                    continue
                for number, (flowable, (_, height)) in enumerate(zip(cell, wrapped)):
                    if number:
                        y -= flowable.getSpaceBefore()
                    y -= height
                    parts.append((flowable, x + LEFT, y))
                    y -= flowable.getSpaceAfter()
        place(parts, canvas, pen)
        canvas.setLineCap(1)
        canvas.setLineJoin(1)
        canvas.setStrokeColor(self.rule)
        canvas.setLineWidth(self.weight)
        canvas.lines([(left, y, right, y) for y in tops]
                     + [(x, bottom, x, bottom + self.height) for x in lefts])
        canvas.restoreState()


def _stacked(cell, sizes) -> float:
    """The height of a cell's flowables one under the other, spaced as they ask."""
    total = sum(h for _, h in sizes)
    total += sum(f.getSpaceBefore() for f in cell[1:])
    total += sum(f.getSpaceAfter() for f in cell[:-1])
    return total
