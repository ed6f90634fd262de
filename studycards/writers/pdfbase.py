"""ReportLab groundwork both PDF writers share: fonts, paper, reproducible canvases, bookmarks.

Not a writer itself: it knows ReportLab, not the deck.
"""
from __future__ import annotations

import functools
import time
from pathlib import Path

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph as _Paragraph

from .. import markup

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, MONO = (
    "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique",
    "DejaVuSansMono")
PAPER = {"a4": A4, "letter": LETTER}


@functools.cache
def register_fonts() -> None:
    """Embed DejaVu (all of Unicode's common scripts) and make <b>/<i> find its faces."""
    for name in (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, MONO):
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / f"{name}.ttf")))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC,
                                  boldItalic=SANS_BOLD_ITALIC)
    pdfmetrics.registerFontFamily(MONO, normal=MONO, bold=MONO, italic=MONO, boldItalic=MONO)


def rl(text: str, cloze: bool = False, **options) -> str:
    """Card text as ReportLab paragraph markup, `code` in the embedded mono font."""
    return markup.to_rl(text, cloze, mono=MONO, **options)


def build_date(epoch: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


def canvas_class(epoch: int, footer=None, outline_open: bool = True):
    """A Canvas class that writes reproducible files dated `epoch`.

    With `footer(canvas, page, pages)`, every page is held back until the end so the footer
    can say "page X of Y".
    """

    class ReproducibleCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            kwargs["invariant"] = 1
            kwargs["initialFontName"] = kwargs.get("initialFontName") or SANS
            super().__init__(*args, **kwargs)
            stamp = TimeStamp(invariant=1)
            stamp.t = epoch
            stamp.lt = time.gmtime(epoch)
            stamp.YMDhms = tuple(stamp.lt)[:6]
            self._doc._timeStamp = stamp
            self._held: list[dict] = []
            if outline_open:
                self.showOutline()

        def showPage(self):
            if footer is None:
                super().showPage()
                return
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            if footer is not None:
                pages = len(self._held)
                for number, state in enumerate(self._held, 1):
                    self.__dict__.update(state)
                    footer(self, number, pages)
                    super().showPage()
            super().save()

    return ReproducibleCanvas


class Paragraph(_Paragraph):
    """A Paragraph that remembers its last wrap. Tables, KeepTogether and frames each wrap
    the same paragraph at the same width, two or three times in all; the result depends
    on the width only (the text is laid out in full whatever the height)."""

    def wrap(self, available_width, available_height):
        if getattr(self, "_wrapped_at", None) == available_width and hasattr(self, "blPara"):
            return self.width, self.height
        size = super().wrap(available_width, available_height)
        self._wrapped_at = available_width
        return size
