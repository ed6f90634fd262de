"""ReportLab groundwork both PDF writers share: fonts, paper, reproducible canvases, bookmarks.

Not a writer itself: it knows ReportLab, not the deck.
"""
from __future__ import annotations

import copy
import functools
import io
import itertools
import re
import time
import weakref
import zlib

from reportlab import rl_config
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph as _Paragraph
from reportlab.platypus.paragraph import textTransformFrags

from .. import fonts as fontlib
from .. import markup
from . import pdfmath, pdfscript
from ..fonts import MONO, SANS, SANS_BOLD, SANS_BOLD_ITALIC, SANS_ITALIC  # noqa: F401

MONO_BOLD = "DejaVuSansMono-Bold"  # deletions in code; prints what DejaVu Sans Mono prints
BOX = "\ufffc"  # a formula's or image's place in a line's text (bidi: a neutral)

PAPER = {"a4": A4, "letter": LETTER}
# Streams compressed as binary, without ReportLab's default ASCII85 layer on top: a fifth
# smaller, and no longer read back through its Python PDFDocEncoding codec at save (7 % of
# the flashcards' time). Every PDF reader reads both.
rl_config.useA85 = 0
_TAG = re.compile(r"<[^>]*>")
_rl_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname, subset):
    """ReportLab's ToUnicode map with characters past U+FFFF written as UTF-16, as PDF
    wants: ReportLab writes five hex digits, so a copied or extracted emoji came out as
    another character."""
    text = _rl_to_unicode(fontname, subset)
    if max(subset, default=0) <= 0xFFFF:
        return text
    for code in subset:
        if code > 0xFFFF:
            text = text.replace(" <%04X>\n" % code,
                                " <%s>\n" % chr(code).encode("utf-16-be").hex().upper(), 1)
    return text


ttfonts.makeToUnicodeCMap = _to_unicode_cmap
_rl_split_string = TTFont.splitString


class _NewCharacter(Exception):
    """A character the font has not given a code in this document yet."""


class _Codes(dict):
    """The codes an embedded font's subsets give characters in one document, as a
    str.translate table: a character is looked up in ReportLab's own assignments the first
    time (no-break space is written as a space, a character the font lacks as code 0, as
    ReportLab does), and one not assigned yet stops the translation."""

    __slots__ = ("assignments", "glyphs", "ascii")

    def __init__(self, state, font):
        super().__init__()
        self.assignments, self.glyphs = state.assignments, font.face.charToGlyph
        # Printable ASCII keeps its own codes (ReportLab's readable first subset): text of it
        # alone, most runs, needs no translation (a lookup per character)
        self.ascii = all(self.assignments.get(c) == c for c in range(32, 127))

    def coded(self, text: str) -> str:
        """The text's codes as characters; _NewCharacter if one has none yet."""
        if self.ascii and text.isascii() and text.isprintable():
            return text
        return text.translate(self)

    def __missing__(self, char: int) -> str:
        key = 32 if char == 0xA0 else char
        if key in self.assignments:
            code = self.assignments[key]  # assigned once, never changed
        elif key not in self.glyphs:
            code = 0
        else:
            raise _NewCharacter
        self[char] = chr(code)
        return self[char]


_codes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # font state -> _Codes


def codes(font: TTFont, doc) -> _Codes:
    """The font's codes in `doc` as a str.translate table (its state in the document made
    as ReportLab's splitString makes it)."""
    state = font.state.get(doc)
    if state is None:
        state = font.state[doc] = TTFont.State(font._asciiReadable, font)
    table = _codes.get(state)
    if table is None:
        table = _codes[state] = _Codes(state, font)
    return table


def _split_string(self, text, doc, encoding="utf-8"):
    """TTFont.splitString, the same result without its Python loop over every character:
    text whose characters all have their codes already (nearly all text after the first
    pages) is translated in one call; anything else goes to ReportLab's own, which assigns
    new codes in its order. Encoding was a quarter of the flashcards' time."""
    if not isinstance(text, str):
        return _rl_split_string(self, text, doc, encoding)
    try:
        coded = codes(self, doc).coded(text)
    except _NewCharacter:
        return _rl_split_string(self, text, doc, encoding)
    return _subsets(coded)


def _subsets(coded: str) -> list[tuple[int, bytes]]:
    """Translated text as splitString's (subset, bytes) pieces."""
    if not coded:
        return []
    try:
        return [(0, coded.encode("latin-1"))]  # every code in the first subset
    except UnicodeEncodeError:
        return [(subset, bytes(ord(c) & 0xFF for c in run))
                for subset, run in itertools.groupby(coded, lambda c: ord(c) >> 8)]


# The one place ReportLab's encoder is replaced; tests/test_pdfbase.py holds the PDFs it
# writes byte-identical to ReportLab's own.
TTFont.splitString = _split_string


def show(text_object, font: TTFont, table: _Codes, text: str) -> str:
    """The operators that show `text` in a text object whose font (embedded TrueType) is
    set, `table` its codes (see codes): what ReportLab's PDFTextObject._formatText writes,
    without the generic part around the encoding (saving and restoring the object's state,
    looking the font and its codes up for every run, the shaping and Type 1 branches). The
    text pdftext.Pen writes (both PDFs' card text) goes through here; Paragraphs, code
    blocks and draw_string go through ReportLab's. A test holds it to _formatText."""
    try:
        coded = table.coded(text)
    except _NewCharacter:
        pieces = _rl_split_string(font, text, text_object._canvas._doc)
    else:
        if coded and text_object._curSubset == 0:  # most runs: all in the first subset
            try:
                return f"({escapePDF(coded.encode('latin-1'))}) Tj"
            except UnicodeEncodeError:
                pass
        pieces = _subsets(coded)
    ops = []
    for subset, data in pieces:
        if subset != text_object._curSubset:
            ops.append(f"{font.getSubsetInternalName(subset, text_object._canvas._doc)} "
                       f"{fp_str(text_object._fontsize)} Tf {fp_str(text_object._leading)} TL")
            text_object._curSubset = subset
        ops.append(f"({escapePDF(data)}) Tj")
    return " ".join(ops)


_registered: set[str] = set()
_fonts = fontlib.for_files()  # the fallback chains of the deck being written


def register_fonts(deck=None) -> fontlib.Fonts:
    """Embed DejaVu (the fonts of most text) and make <b>/<i> find its faces; make the
    deck's fallback chains (its own fonts, CJK, emoji) the ones text is printed with."""
    global _fonts
    if SANS not in _registered:
        for name in (SANS, SANS_BOLD, SANS_ITALIC, SANS_BOLD_ITALIC, MONO):
            pdfmetrics.registerFont(TTFont(name, str(fontlib.SHIPPED[name])))
            _registered.add(name)
        pdfmetrics.registerFont(TTFont(MONO_BOLD, str(fontlib.FONT_DIR / f"{MONO_BOLD}.ttf")))
        pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS_ITALIC,
                                      boldItalic=SANS_BOLD_ITALIC)
        pdfmetrics.registerFontFamily(MONO, normal=MONO, bold=MONO_BOLD, italic=MONO,
                                      boldItalic=MONO_BOLD)
    extras = tuple((m.name, m.data) for m in deck.fonts) if deck is not None else ()
    chains = fontlib.for_files(extras)
    if chains is not _fonts:
        _runs.clear()  # found with other fallback chains
    _fonts = chains
    return _fonts


def fonts() -> fontlib.Fonts:
    """The fallback chains text is printed with now."""
    return _fonts


def _ensure(name: str) -> None:
    """Register a fallback font the first time text needs it: most decks never do, and
    reading Droid Sans Fallback costs a tenth of a second."""
    if name in _registered:
        return
    data = dict(_fonts.extras).get(name)
    font = TTFont(name, io.BytesIO(data) if data is not None else str(fontlib.SHIPPED[name]))
    if data is not None:
        # ReportLab keeps one font per internal (PostScript) name and quietly prints every
        # later font of that name with the first one's glyphs: a deck's DejaVu Sans with
        # added glyphs, or a font file edited between builds in watch mode. The name in the
        # PDF takes the data's digest (the registered name's end) to stay apart.
        font.face.name += b"-" + name.rsplit("-", 1)[1][:8].encode("ascii")
    pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
    _registered.add(name)


def fallback(text: str, font: str) -> str:
    """Paragraph markup in `font` with every run of characters it lacks in a font that has
    them, Arabic joined (pdfscript.markup); the fonts it uses are registered."""
    out = pdfscript.markup(text, _fonts, font)
    if '<font face="' in out:
        for name in _fonts.chain(font)[1:]:
            if f'face="{name}"' in out:
                _ensure(name)
    return out


_runs: dict[tuple[str, str], tuple] = {}  # (text, font) -> runs(text, font): words recur


def runs(text: str, font: str) -> tuple[tuple[str, str], ...]:
    """Plain text as (font, run) pairs, cleaned and with the fonts registered."""
    found = _runs.get((text, font))
    if found is None:
        found = tuple(_fonts.runs(pdfscript.clean(text, _fonts), font))
        for name, _ in found:
            _ensure(name)
        if len(_runs) >= 100_000:
            _runs.clear()  # a bound on memory
        _runs[text, font] = found
    return found


def string_width(text: str, font: str, size: float) -> float:
    """The width draw_string gives the text: each run in the font that has it."""
    return sum(pdfmetrics.stringWidth(t, f, size) for f, t in runs(text, font))


def visual_runs(text: str, font: str) -> list[tuple[str, str]]:
    """(font, run) pairs of plain text in the order they are drawn, left to right: each run
    in a font that has it, right-to-left text in visual order."""
    return pdfscript.visual(runs(text, font), pdfscript.base_rtl(text))


def draw_string(canvas, x: float, y: float, text: str, font: str, size: float,
                align: str = "left") -> None:
    """canvas.drawString for any text: each run in a font that has it, right-to-left text
    in visual order; `align` is "left", "right" or "centre" about `x`."""
    pieces = visual_runs(text, font)
    width = sum(pdfmetrics.stringWidth(t, f, size) for f, t in pieces)
    x -= width if align == "right" else width / 2 if align == "centre" else 0
    for name, piece in pieces:
        canvas.setFont(name, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, name, size)
    canvas.setFont(font, size)  # what comes next is drawn in the font asked for


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

        def drawImage(self, image, x, y, width=None, height=None, *args, **kwargs):
            if pdfmath.draw(self, image, x, y, width, height):  # a formula's box
                return width, height
            return super().drawImage(image, x, y, width, height, *args, **kwargs)

        def showPage(self):
            if footer is None:
                super().showPage()
                _compress_last_page(self._doc)
                return
            # Held until the page count is known; its drawing compressed meanwhile (a
            # list of small strings per page was most of the memory of a large sheet).
            state = dict(self.__dict__)
            code = "\n".join(self._code).encode("utf-8", "surrogatepass")
            state["_code"] = zlib.compress(code, 1) if self._code else None
            self._held.append(state)
            self._startPage()

        def save(self):
            if footer is not None:
                pages = len(self._held)
                for number in range(1, pages + 1):
                    state = self._held[number - 1]
                    self._held[number - 1] = None
                    code = state["_code"]
                    state["_code"] = ([zlib.decompress(code).decode("utf-8", "surrogatepass")]
                                      if code else [])
                    self.__dict__.update(state)
                    footer(self, number, pages)
                    super().showPage()
                    _compress_last_page(self._doc)
            if self._code:
                self.showPage()
            if hasattr(self._filename, "write"):
                _write_document(self._doc, self, self._filename)
                return
            with open(self._filename, "wb") as out:
                _write_document(self._doc, self, out)

    return ReproducibleCanvas


class _FileOut(pdfdoc.PDFFile):
    """ReportLab's output collector, passing each piece on to a file as it comes instead of
    keeping them all to join into one string."""

    def __init__(self, out, version):
        super().__init__(version)  # the header, in self.strings
        out.write(b"".join(self.strings))
        self.strings, self.write = None, out.write

    def format(self, document):
        return b""


def _write_document(doc, canvas, out) -> None:
    """doc.SaveToFile, the same bytes, written to `out` object by object: ReportLab formats
    the whole file into one string first, and a large deck's flashcards (83 MB at 50,000
    cards) then held every page three times over, its peak memory. As ReportLab's
    PDFDocument.GetPDFData and format (ReportLab 4), without encryption or signatures,
    which these PDFs never have; tests/test_pdfbase.py holds the bytes equal to its own."""
    for font in doc.delayedFonts:
        font.addObjects(doc)
    doc.info.invariant = doc.invariant
    doc.info.digest(doc.signature)
    doc.Reference(doc.Catalog)
    doc.Reference(doc.info)
    doc.Outlines.prepare(doc, canvas)
    if doc.Outlines.ready < 0:
        doc.Catalog.Outlines = None
    doc.encrypt.prepare(doc)
    if doc.encrypt.info():
        raise ValueError("encrypted PDFs are written by ReportLab's own save")
    catalog, info = doc.Reference(doc.Catalog), doc.Reference(doc.info)
    file = _FileOut(out, doc._pdfVersion)
    ids, number = [], 1
    while number in doc.numberToId:  # objects may add others while they are formatted
        name = doc.numberToId[number]
        formatted = pdfdoc.PDFIndirectObject(name, doc.idToObject[name]).format(doc)
        doc.idToOffset[name] = file.add(formatted)
        ids.append(name)
        number += 1
    xref = pdfdoc.PDFCrossReferenceTable()
    xref.addsection(0, ids)
    start = file.add(xref.format(doc))
    file.add(pdfdoc.PDFTrailer(startxref=start, Size=len(doc.numberToId) + 1, Root=catalog,
                               Info=info, Encrypt=None, ID=doc.ID()).format(doc))


def _compress_last_page(doc) -> None:
    """Encode the page just finished now rather than when the file is saved, as ReportLab
    would (the same filters in the same order, so the same bytes): a large deck no longer
    holds every page's drawing uncompressed until the end."""
    page = doc.Pages.pages[-1]
    if not page.compression or page.Contents or not page.stream:
        return
    filters = [pdfdoc.PDFBase85Encode, pdfdoc.PDFZCompress] if rl_config.useA85 \
        else [pdfdoc.PDFZCompress]
    content = page.stream
    for encoding in reversed(filters):
        content = encoding.encode(content)
    stream = pdfdoc.PDFStream()
    stream.content = content
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(f.pdfname) for f in filters])
    stream.__Comment__ = "page stream"
    page.Contents, page.stream = stream, None


class Paragraph(_Paragraph):
    """A Paragraph whose text prints in any script, draws formulas, and remembers its last
    wrap. Code blocks are flowables of their own: see pdfcode.flow.

    Every run of characters its font lacks is set in a font of the fallback chain, and
    Arabic is joined (`fallback`). Lines are broken in logical order; only when drawn is
    each line put in visual order, so splitting a paragraph across columns, which rebuilds
    it from its lines, always sees logical text.

    A formula (<math .../> from markup.to_rl) becomes a box the size of the formula at the
    font size in force where it stands (pdfmath), drawn as outlines; a paragraph with one
    makes each line as tall as what it holds (autoLeading).

    Tables, KeepTogether and frames each wrap the same paragraph at the same width, two or
    three times in all; the result depends on the width only (the text is laid out in full
    whatever the height)."""

    def __init__(self, text, style=None, *args, **kwargs):
        if isinstance(text, str) and "<codeblock" in text:
            raise ValueError("a code block cannot go in a Paragraph: use pdfcode.flow")
        if isinstance(text, str) and style is not None and "<math " in text:
            text = pdfmath.expand(text, style.fontSize, style.textColor)
            style = ParagraphStyle(style.name, parent=style, autoLeading="max")
        if isinstance(text, str) and style is not None and not text.isascii():
            text = fallback(text, style.fontName)
            if style.alignment == TA_LEFT and pdfscript.RTL.search(text) \
                    and pdfscript.base_rtl(_TAG.sub("", text)):
                style = _right_aligned(style)  # a right-to-left paragraph starts on the right
        super().__init__(text, style, *args, **kwargs)

    def breakLines(self, width):
        lines = super().breakLines(width)
        if isinstance(self.text, str) and pdfmath.PREFIX in self.text:
            pdfmath.measure_lines(lines)
        return lines

    def _setup(self, text, style, bulletText, frags, cleaner):
        if frags is not None or not isinstance(text, str) or pdfmath.PREFIX not in text:
            return super()._setup(text, style, bulletText, frags, cleaner)
        # As ReportLab's own _setup, with a parser that knows formula boxes.
        parser = pdfmath.Parser()
        parser.caseSensitive = self.caseSensitive
        style, frags, bullet_frags = parser.parse(cleaner(text), style)
        if frags is None:
            raise ValueError(f"xml parser error ({parser.errors[0]}) in paragraph {text[:30]!r}")
        textTransformFrags(frags, style)
        super()._setup(text, style, bullet_frags or bulletText, frags, cleaner)

    def drawPara(self, debug=0):
        logical = self.blPara
        if not _has_rtl(logical):
            return super().drawPara(debug)
        self.blPara = _visual_lines(logical)
        try:
            return super().drawPara(debug)
        finally:
            self.blPara = logical

    def wrap(self, available_width, available_height):
        if getattr(self, "_wrapped_at", None) == available_width and hasattr(self, "blPara"):
            return self.width, self.height
        size = super().wrap(available_width, available_height)
        self._wrapped_at = available_width
        return size


@functools.lru_cache(maxsize=64)
def _right_aligned(style):
    aligned = copy.copy(style)
    aligned.alignment = TA_RIGHT
    return aligned


def _line_text(line) -> str:
    if isinstance(line, tuple):  # one font: (extra space, words)
        return " ".join(line[1])
    return "".join(getattr(f, "text", "") for f in line.words)


def _has_rtl(bl_para) -> bool:
    return any(pdfscript.RTL.search(_line_text(line)) for line in bl_para.lines)


def _visual_lines(bl_para):
    """A copy of a wrapped paragraph with each line in visual order. The paragraph's
    direction comes from its first strong character, and starts anew after each <br/>."""
    visual = copy.copy(bl_para)
    visual.lines = []
    rtl = None
    for line in bl_para.lines:
        text = _line_text(line)
        if rtl is None and text.strip():
            rtl = pdfscript.base_rtl(text)
        if isinstance(line, tuple):
            drawn = "".join(t for _, t in pdfscript.visual([(None, text)], bool(rtl)))
            visual.lines.append((line[0], [drawn]))
        else:
            # A formula or image (a frag with cbDefn) is a neutral in its line (BOX):
            # placed by the text around it, drawn as it is.
            pieces = pdfscript.visual(
                [(f, BOX if hasattr(f, "cbDefn") else f.text) for f in line.words],
                bool(rtl))
            new = copy.copy(line)
            new.words = [f if hasattr(f, "cbDefn") else f.clone(text=t) for f, t in pieces]
            visual.lines.append(new)
        if not isinstance(line, tuple) and getattr(line, "lineBreak", False):
            rtl = None
    return visual


def shortened(text: str, width: float, font: str, size: float) -> str:
    """The text, cut with an ellipsis to fit `width` (the full name is in the bookmarks)."""
    if string_width(text, font, size) <= width:
        return text
    low, high = 0, len(text)  # the longest prefix that fits with its ellipsis
    while low < high:
        middle = (low + high + 1) // 2
        if string_width(text[:middle].rstrip() + "\u2026", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "\u2026"
