"""Formulas in ReportLab paragraphs: a sized box in the line, outlines drawn into it.

ReportLab's Paragraph lays out inline images (<img width height valign>) like words: it
reserves their width, raises the line for their height, and at draw time calls the canvas's
drawImage. So a formula becomes an <img> whose source names it ("formula:<key>;<size>;<colour>"),
sized from the formula at the font size in force where it stands. `Parser` reads such an
<img> without opening a file, and the reproducible canvas (pdfbase) hands it to `draw`.
An inline formula sits on the text baseline; a display formula takes the paragraph's full
width and is centred in it, shrunk if it is wider.
"""
from __future__ import annotations

import functools
import hashlib
import re
from xml.sax.saxutils import unescape

from reportlab.lib.colors import HexColor, toColor
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getAscentDescent
from reportlab.platypus.paragraph import _FK_IMG, imgNormV, imgVRange
from reportlab.platypus.paraparser import ABag, ParaParser

from .. import mathtex

_MATH = re.compile(r'<math tex="([^"]*)" display="([01])"/>')
_TOKENS = re.compile(r"(<[^>]*>)")
_SIZE = re.compile(r'\bsize="([0-9.]+)"')
_COLOR = re.compile(r'\bcolor="(#[0-9a-fA-F]{6})"')
PREFIX = "formula:"
_SOURCE = re.compile(r"^formula:(\w+);([0-9.]+);(\w{6})$")
_FORMULAS: dict[str, mathtex.Formula] = {}


@functools.lru_cache(maxsize=8192)  # the text layout asks again at every size it tries
def _key(tex: str) -> str:
    return hashlib.sha1(tex.encode("utf-8")).hexdigest()[:20]


def _hex(color) -> str:
    return toColor(color).hexval()[2:].lower()


def expand(markup: str, size: float, color) -> str:
    """`markup` with every <math .../> replaced by an <img> box at the font size and colour
    in force there (from `size`, `color` and enclosing <font size/color> tags)."""
    if "<math " not in markup:
        return markup
    stack = [(size, _hex(color))]
    out = []
    for token in _TOKENS.split(markup):
        if token.startswith("<font"):
            found_size, found_color = _SIZE.search(token), _COLOR.search(token)
            stack.append((float(found_size.group(1)) if found_size else stack[-1][0],
                          found_color.group(1)[1:].lower() if found_color else stack[-1][1]))
        elif token == "</font>" and len(stack) > 1:
            stack.pop()
        elif token.startswith("<math "):
            match = _MATH.fullmatch(token)
            if match:
                token = _box(unescape(match.group(1), {"&quot;": '"'}), match.group(2) == "1",
                             *stack[-1])
        out.append(token)
    return "".join(out)


def _kept(tex: str, display: bool) -> tuple[str, mathtex.Formula]:
    """A formula laid out (at font size 1) and kept under its key for drawing."""
    formula = mathtex.render(tex, display)  # checked when the deck was loaded: no error here
    key = _key(f"{int(display)}{tex}")
    _FORMULAS[key] = formula
    return key, formula


def _box(tex: str, display: bool, size: float, color: str) -> str:
    key, formula = _kept(tex, display)
    src = f"{PREFIX}{key};{size:g};{color}"
    height = (formula.height + formula.depth) * size
    width = "100%" if display else f"{formula.width * size:.3f}"
    return (f'<img src="{src}" width="{width}" height="{height:.3f}" '
            f'valign="{-formula.depth * size:.3f}"/>')


def box(tex: str, display: bool, size: float, color) -> tuple[Box, mathtex.Formula]:
    """A formula's box at `size` in `color` and its measures at size 1, for layouts other
    than a Paragraph's (pdfflow); `draw` draws the box as it draws an <img> one."""
    key, formula = _kept(tex, display)
    return Box(f"{PREFIX}{key};{size:g};{_hex(color)}"), formula


def measure_lines(para) -> None:
    """Set each broken line's ascent and descent from everything on it. ReportLab (4 and 5)
    gives a line that starts with an image, after a line that overflowed, the previous
    line's values: a tall formula there would print over its neighbours."""
    if para.kind != 1:
        return
    for line in para.lines:
        ascent, descent = 0.0, 0.0
        for word in line.words:
            size = word.fontSize
            if getattr(word, "_fkind", None) == _FK_IMG:
                low, high = imgVRange(imgNormV(word.cbDefn.height, size), word.cbDefn.valign, size)
            else:
                high, low = getAscentDescent(word.fontName, size)
            ascent, descent = max(ascent, high), min(descent, low)
        line.ascent, line.descent = ascent, descent
    # ReportLab puts the first baseline one font size below the top, whatever the line holds
    # (rl_config.paraFontSizeHeightOffset): a line starting with a tall formula says so.
    first = para.lines[0] if para.lines else None
    if first is not None and first.ascent > first.fontSize:
        first.fontSize = first.ascent


class Box:
    """What a formula's <img> holds instead of a picture."""

    def __init__(self, src: str):
        self.key, size, self.color = _SOURCE.match(src).groups()
        self.size = float(size)


class Parser(ParaParser):
    """ReportLab's paragraph parser, reading a formula's <img> without opening a file."""

    def end_img(self):
        frag = self._stack[-1]
        src = getattr(frag, "src", "") or ""
        if not src.startswith(PREFIX):
            return super().end_img()
        defn = frag.cbDefn = ABag()
        defn.kind, defn.src, defn.image = "img", src, Box(src)
        defn.width, defn.height = frag.width, frag.height
        defn.valign = getattr(frag, "valign", "bottom")
        del frag._selfClosingTag
        self.handle_data("")
        self._pop("img")


def draw(canvas, image, x: float, y: float, width: float, height: float) -> bool:
    """Draw the formula an <img> box stands for; False if `image` is not one of ours."""
    if not isinstance(image, Box):
        return False
    key, size, color = image.key, image.size, image.color
    formula = _FORMULAS[key]
    scale = min(size, width / formula.width) if formula.width else size
    total = (formula.height + formula.depth) * scale
    left = x + (width - formula.width * scale) / 2  # inline boxes are exactly as wide
    baseline = y + (height - total) / 2 + formula.depth * scale
    _fill(canvas, key, scale, HexColor("#" + color), left, baseline)
    return True


def inline(tex: str) -> mathtex.Formula:
    """An inline formula, laid out (at font size 1) and kept for `draw_inline`."""
    return _kept(tex, False)[1]


def draw_inline(canvas, tex: str, x: float, baseline: float, size: float, color) -> None:
    """An inline formula from `inline` at font size `size`, its baseline at (x, baseline):
    text laid out outside Paragraph (pdftext) places formulas itself."""
    _fill(canvas, _key(f"0{tex}"), size, color, x, baseline)


def _fill(canvas, key: str, scale: float, color, left: float, baseline: float) -> None:
    drawing = _drawing(key)
    for name, form in drawing.forms:
        if not canvas.hasForm(form):
            _define(canvas, form, mathtex.OUTLINES[name])
    # The operators of saveState, translate and scale (which ReportLab folds into one cm, from
    # the numbers as it wrote them), setFillColor and restoreState, written directly: those
    # calls were most of a formula's drawing time, each copying or tracking canvas state
    # that the q ... Q around the formula leaves as it was anyway. Same bytes (tests).
    color = toColor(color)
    head = (f"q\n{fp_str(scale)} 0 0 {fp_str(scale)} {fp_str(float(fp_str(left)))} "
            f"{fp_str(float(fp_str(baseline)))} cm\n"
            f"{fp_str(color.red, color.green, color.blue)} rg")
    forms = drawing.forms
    if not forms:
        canvas.addLiteral(head + drawing.tail)
        return
    canvas.addLiteral(head + "\n" + drawing.joins[0])
    canvas.doForm(forms[0][1])
    for join, (_, form) in zip(drawing.joins[1:], forms[1:]):
        canvas.addLiteral(join)
        canvas.doForm(form)
    canvas.addLiteral("Q" + drawing.tail)


def _define(canvas, form: str, outline: mathtex.Outline) -> None:
    """A glyph's outline as a form in this file, drawn in the fill colour where it is used:
    each use is then a few bytes ("q ... cm /name Do Q") instead of its whole outline."""
    canvas.beginForm(form, *outline.box)
    canvas.addLiteral(outline.path + " f")
    canvas.endForm()


class _Drawing:
    """A formula's PDF operators at font size 1, made once per formula: each glyph's
    placement, with the Q closing the glyph before it (the form drawn after each), and the
    rules closing the formula's operators."""

    def __init__(self, formula: mathtex.Formula):
        self.forms = [(name, _form(name)) for name in formula.glyphs]
        values = formula.places
        self.joins = [f"q {_num(values[i + 2])} 0 0 {_num(values[i + 2])} {_num(values[i])} "
                      f"{_num(values[i + 1])} cm" for i in range(0, len(values), 3)]
        self.joins[1:] = ["Q\n" + join for join in self.joins[1:]]
        values = formula.rules
        rules = " ".join(f"{_num(values[i])} {_num(values[i + 1])} {_num(values[i + 2])} "
                         f"{_num(values[i + 3])} re f" for i in range(0, len(values), 4))
        self.tail = ("\n" + rules if rules else "") + "\nQ"


@functools.lru_cache(maxsize=4096)
def _drawing(key: str) -> _Drawing:
    return _Drawing(_FORMULAS[key])


@functools.cache
def _form(name: str) -> str:
    """A glyph's form name: matplotlib's name for it, in the letters a PDF name may hold."""
    return "glyph." + re.sub(r"[^A-Za-z0-9._-]", "_", name)


def _num(value: float) -> str:
    """A number mathtex rounded, as PDF writes it: its shortest form, never an exponent."""
    text = repr(float(value))
    if "e" in text:
        text = f"{value:.7f}".rstrip("0")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text
