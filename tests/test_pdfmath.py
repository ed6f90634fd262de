"""pdfmath draws a formula's operators itself: the same bytes as ReportLab's own calls."""
import pytest
from reportlab.lib.colors import HexColor, black
from reportlab.pdfgen.canvas import Canvas

from studycards import mathtex
from studycards.writers import pdfmath


def _with_canvas_calls(canvas, tex: str, x: float, baseline: float, size: float, color) -> None:
    """A formula drawn through ReportLab's public canvas calls, glyph by glyph."""
    formula = mathtex.render(tex)
    for name in formula.glyphs:
        if not canvas.hasForm(pdfmath._form(name)):
            pdfmath._define(canvas, pdfmath._form(name), mathtex.OUTLINES[name])
    canvas.saveState()
    canvas.translate(x, baseline)
    canvas.scale(size, size)
    canvas.setFillColor(color)
    values = formula.places
    for index, name in enumerate(formula.glyphs):
        scale, left, bottom = (pdfmath._num(v) for v in (values[3 * index + 2],
                                                          *values[3 * index:3 * index + 2]))
        canvas.addLiteral(f"q {scale} 0 0 {scale} {left} {bottom} cm")
        canvas.doForm(pdfmath._form(name))
        canvas.addLiteral("Q")
    values = formula.rules
    if values:
        canvas.addLiteral(" ".join(" ".join(pdfmath._num(v) for v in values[i:i + 4]) + " re f"
                                   for i in range(0, len(values), 4)))
    canvas.restoreState()


def _pdf(draw) -> bytes:
    canvas = Canvas("unused.pdf", invariant=1)
    canvas.setFillColor(HexColor("#123456"))
    draw(canvas)
    canvas.showPage()
    return canvas.getpdfdata()


@pytest.mark.parametrize("tex", [r"x^2", r"\frac{a+b}{\sqrt{c}}", r"\sum_{i=1}^{n} i_k",
                                 r"E = mc^2 \cdot \frac{1}{2}"])
def test_a_formula_is_drawn_as_the_canvas_calls_would_draw_it(tex):
    for size, x, baseline, color in ((10.0, 12.3456789, 700.1, HexColor("#1d2330")),
                                     (7.123456, 0.1, 0.3333333, black),
                                     (12.6937, 451.91306, 79.0636666, HexColor("#4b5563"))):
        pdfmath.inline(tex)

        def ours(canvas):
            pdfmath.draw_inline(canvas, tex, x, baseline, size, color)
            pdfmath.draw_inline(canvas, tex, x + 50, baseline - 20, size * 0.8, color)

        def theirs(canvas):
            _with_canvas_calls(canvas, tex, x, baseline, size, color)
            _with_canvas_calls(canvas, tex, x + 50, baseline - 20, size * 0.8, color)

        assert _pdf(ours) == _pdf(theirs)
