"""The fonts the PDFs print with, and which characters they can print.

Each style has a chain of fonts: its own DejaVu face, DejaVu Sans, the deck's own fonts
(deck.yaml `fonts:`), Droid Sans Fallback (CJK) and Symbola (emoji and symbols, monochrome).
A character prints in the first font of the chain that has a glyph for it. The source layer
asks which characters no font has, so `--check` reports them with their place; the PDF
writers ask which font prints each run of characters. Only font files are read here, with
fontTools; nothing here knows ReportLab.
"""
from __future__ import annotations

import functools
import hashlib
import io
import re
from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, MONO = (
    "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique",
    "DejaVuSansMono")
STYLES = (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, MONO)
CJK, EMOJI = "DroidSansFallback", "Symbola"
SHIPPED = {name: FONT_DIR / f"{name}.ttf" for name in STYLES}
SHIPPED[CJK] = FONT_DIR / "DroidSansFallbackFull.ttf"
SHIPPED[EMOJI] = FONT_DIR / "Symbola-Subset.ttf"

# Characters that are never drawn: Unicode's default-ignorable code points (joiners,
# variation selectors, bidi controls, soft hyphen...) and the emoji skin-tone modifiers,
# which mean nothing in monochrome. They have no glyph in most fonts, so they are dropped
# before printing rather than shown as boxes, and never reported.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U0001f3fb-\U0001f3ff\U000e0000-\U000e0fff]")
_LAYOUT = frozenset("\t\n\r\x0b\x0c")  # line breaks and tabs: the layout handles them


@functools.lru_cache(maxsize=None)
def _shipped_cmap(name: str) -> frozenset[str]:
    from fontTools.ttLib import TTFont  # here: a rebuild with nothing to do never needs it

    return _cmap(TTFont(SHIPPED[name], lazy=True))


@functools.lru_cache(maxsize=32)
def _data_cmap(data: bytes) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    return _cmap(TTFont(io.BytesIO(data), lazy=True))


def _cmap(font: TTFont) -> frozenset[str]:
    # Glyphs named by number: only glyph 0 (.notdef) matters here, and fontTools would
    # otherwise name every glyph from the cmap first (a tenth of a second for the CJK font).
    font.setGlyphOrder([".notdef"] + [f"g{i}" for i in range(1, font["maxp"].numGlyphs)])
    table = font["cmap"].getBestCmap() or {}
    return frozenset(chr(code) for code, glyph in table.items() if glyph != ".notdef")


def problem_with(data: bytes) -> str | None:
    """Why a font file cannot join the chain, or None if it can: ReportLab embeds TrueType
    outlines only, and only fonts whose licence bits allow embedding a subset."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        if "glyf" not in font:
            return ("has no TrueType outlines (an OpenType/CFF font cannot be embedded in the "
                    "PDFs: use a .ttf with TrueType outlines)")
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
        if fs_type == 0x0002 or fs_type & 0x0300:
            return "does not allow embedding in documents (its licence bits, OS/2 fsType)"
        if not _data_cmap(data):
            return "has no Unicode character map"
    except (TTLibError, KeyError, AssertionError, ValueError, EOFError, OSError, IndexError) as err:
        return f"is not a readable TrueType font ({err or type(err).__name__})"
    return None


class Fonts:
    """The fallback chains for one deck. `extras` are (file name, TrueType data) pairs from
    deck.yaml, in the order given; each prints as `DeckFont-<digest of its data>`: a font
    file edited between two builds in one process (watch mode) is a new font, not the
    glyphs registered under the old one's name.

    A font's character map is read when a character is first looked for past the fonts
    before it: Droid Sans Fallback's takes a third of a second, and a deck in Latin
    script never needs it."""

    def __init__(self, extras: tuple[tuple[str, bytes], ...] = ()):
        self.extras = tuple((f"DeckFont-{hashlib.sha256(data).hexdigest()[:16]}", data)
                            for _, data in extras)
        self.extra_names = tuple(name for name, _ in self.extras)
        self.names = (*STYLES, *self.extra_names, CJK, EMOJI)
        self._data = dict(self.extras)
        self._cmaps: dict[str, frozenset[str]] = {}
        self._chains: dict[str, tuple[str, ...]] = {}
        self._choice: dict[str, dict[str, str | None]] = {}

    def cmap(self, name: str) -> frozenset[str]:
        cmap = self._cmaps.get(name)
        if cmap is None:
            data = self._data.get(name)
            cmap = self._cmaps[name] = (_data_cmap(data) if data is not None
                                        else _shipped_cmap(name) if name in SHIPPED
                                        else frozenset())
        return cmap

    def chain(self, primary: str) -> tuple[str, ...]:
        chain = self._chains.get(primary)
        if chain is None:
            names = (primary, SANS, *self.extra_names, CJK, EMOJI)
            chain = self._chains[primary] = tuple(dict.fromkeys(names))
        return chain

    def uncovered(self, text: str) -> str:
        """The characters of `text` that no font prints, each once, in order of appearance."""
        if text.isascii():
            if text.isprintable():  # most text: every font has printable ASCII
                return ""
            return "".join(dict.fromkeys(c for c in text if not c.isprintable()
                                         and c not in _LAYOUT))
        text = INVISIBLE.sub("", text)
        sans = self.cmap(SANS)
        return "".join(dict.fromkeys(
            c for c in text if c not in sans and c not in _LAYOUT
            and self._find(c, SANS) is None))

    def _find(self, char: str, primary: str) -> str | None:
        choice = self._choice.setdefault(primary, {})
        if char not in choice:
            choice[char] = next((name for name in self.chain(primary)
                                 if char in self.cmap(name)), None)
        return choice[char]

    def font_for(self, char: str, primary: str) -> str:
        """The first font of `primary`'s chain with a glyph for `char` (else `primary`)."""
        return self._find(char, primary) or primary

    def runs(self, text: str, primary: str) -> list[tuple[str, str]]:
        """`text` as (font, run) pairs: the longest runs one font prints."""
        if text.isascii() or self.cmap(primary).issuperset(text):
            return [(primary, text)]
        out: list[tuple[str, str]] = []
        for char in text:
            font = self.font_for(char, primary)
            # A space stays in the run it is in when that font has one: fewer font changes.
            if out and (out[-1][0] == font
                        or (char == " " and char in self.cmap(out[-1][0]))):
                out[-1] = (out[-1][0], out[-1][1] + char)
            else:
                out.append((font, char))
        return out


@functools.lru_cache(maxsize=8)
def for_files(extras: tuple[tuple[str, bytes], ...] = ()) -> Fonts:
    """The chains for a deck's extra fonts, built once per process."""
    return Fonts(extras)
