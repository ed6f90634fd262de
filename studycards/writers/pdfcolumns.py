"""Pages of columns filled with flowables, top to bottom, left to right: what the cheat sheet
used of ReportLab's BaseDocTemplate and Frame, and no more.

The doc template handed every top-level block through its machinery (templates, hanging page
actions, keepWithNext look-ahead, a Frame object per column wrapping each block again); the
sheet needs none of that: its blocks already hold together what must stay together
(`Together`), so a column is a height to fill. A block is asked for its height at the
column's width once; one that does not fit in the room left is asked to split there (at a
line or row boundary, as it decides), else it starts the next column. Spacing is a frame's:
no space before a block at a column's top, and between two blocks the larger of the first's
spaceAfter and the next's spaceBefore.
"""
from __future__ import annotations

from reportlab import rl_config
from reportlab.platypus import Flowable
from reportlab.platypus.doctemplate import LayoutError

from .pdfflow import place

_FUZZ = rl_config._FUZZ  # a frame's tolerance for a block reaching past its foot


class Together(Flowable):
    """Flowables kept in one column, placed as one: a block that reads as one piece (a
    heading and what follows it, a question and its table). A block taller than a column
    goes to the next column's top and flows from there, part by part.

    Inside, the parts are spaced as a column spaces them: by the larger of one's spaceAfter
    and the next one's spaceBefore."""

    def __init__(self, parts: list, column_height: float):
        super().__init__()
        self.parts, self.column_height = parts, column_height
        self.spaceBefore, self.spaceAfter = parts[0].getSpaceBefore(), parts[-1].getSpaceAfter()
        self.keepWithNext = 0
        self._at = None  # the width of the last wrap, and the parts' heights and gaps then
        self._heights: list[float] = []

    def wrap(self, available_width, available_height):
        if self._at != available_width:
            self._at = available_width
            self._heights = [part.wrap(available_width, self.column_height)[1]
                             for part in self.parts]
            self._gaps = [0.0] + [max(a.getSpaceAfter(), b.getSpaceBefore())
                                  for a, b in zip(self.parts, self.parts[1:])]
        self.width = available_width
        self.height = sum(self._heights) + sum(self._gaps)
        return self.width, self.height

    def split(self, available_width, available_height):
        """Nothing (the next column takes it) unless it is taller than a column and at a
        column's top (`at_top`, set by the filler): then its parts, to flow on."""
        self.wrap(available_width, available_height)
        if self.height <= self.column_height or not getattr(self, "at_top", True):
            return []
        return self.parts

    def draw(self):
        self.draw_at(self.canv, 0.0, 0.0)

    def draw_at(self, canvas, left: float, bottom: float, pen=None) -> None:
        """Draw with the bottom left corner at (left, bottom), the text into `pen` if given."""
        y, placed = bottom + self.height, []
        for part, height, gap in zip(self.parts, self._heights, self._gaps):
            y -= gap + height
            placed.append((part, left, y))
        place(placed, canvas, pen)


class Columns:
    """Fills `columns` (x, bottom, width, height each, left to right) page after page on
    `canvas`; `on_page(canvas)` draws what every page has, when a page begins;
    `after_page(number)` runs when one is finished. A page's blocks are drawn when it is
    full, all their text in one text object (pdfflow.place): a text object per block, each
    block moved into place (saveState, translate, restoreState), was about a sixth of the
    sheet's time. A block's keepWithNext is not looked at: what must stay together is one
    block (a Together)."""

    def __init__(self, canvas, columns, on_page, after_page=None):
        self.canvas, self.columns = canvas, list(columns)
        self.on_page, self.after_page = on_page, after_page
        self.page = 0  # pages begun
        self._column = None  # index into columns; None: no page begun
        self._y = self._bottom = self._after = 0.0
        self._at_top = True
        self._placed: list = []  # (block, x, y) on the page being filled

    def add(self, flowable) -> None:
        """Place a block, and the parts it splits into, from where the last one ended."""
        todo, postponed = [flowable], None
        while todo:
            block = todo.pop()
            if self._column is None:
                self._begin_page()
            if self._fits(block):
                continue
            parts = self._split(block)
            if parts:
                if not self._fits(parts[0]):
                    raise LayoutError(f"{type(block).__name__} split, but its first part "
                                      f"does not fit where it was split on page {self.page}")
                todo.extend(reversed(parts[1:]))
                continue
            if block is postponed:  # at a column's top it neither fits nor splits
                raise LayoutError(f"{type(block).__name__} too large for a column "
                                  f"on page {self.page}")
            postponed = block
            todo.append(block)
            self._next_column()

    def finish(self) -> None:
        """End the last page (a document has at least one)."""
        if self._column is None and self.page == 0:
            self._begin_page()
        if self._column is not None:
            self._end_page()

    def _space_before(self, block) -> float:
        if self._at_top:
            return 0.0
        return max(block.getSpaceBefore() - self._after, 0.0)

    def _fits(self, block) -> bool:
        """Place `block` if it fits in the room left in the column, and move down past it."""
        x, _, width, _ = self.columns[self._column]
        space = self._space_before(block)
        room = self._y - self._bottom - space
        if room <= 0:
            return False
        _, h = block.wrap(width, room)
        y = self._y - space - h
        if y < self._bottom - _FUZZ:
            return False
        self._placed.append((block, x, y))
        after = block.getSpaceAfter()
        y -= after
        self._after = after
        if y != self._y:
            self._at_top = False
        self._y = y
        return True

    def _split(self, block) -> list:
        _, _, width, _ = self.columns[self._column]
        room = self._y - self._bottom - self._space_before(block)
        if room <= 0:
            return []
        block.at_top = self._at_top
        return block.split(width, room)

    def _begin_page(self) -> None:
        self.page += 1
        self.on_page(self.canvas)
        self._start_column(0)

    def _start_column(self, index: int) -> None:
        _, bottom, _, height = self.columns[index]
        self._column, self._bottom, self._y = index, bottom, bottom + height
        self._at_top, self._after = True, 0.0

    def _next_column(self) -> None:
        if self._column + 1 < len(self.columns):
            self._start_column(self._column + 1)
        else:
            self._end_page()

    def _end_page(self) -> None:
        place(self._placed, self.canvas)
        self._placed = []
        self.canvas.showPage()
        self._column = None
        if self.after_page is not None:
            self.after_page(self.page)
