"""TeX formulas laid out as outlines: metrics, the renderer's reasons, the cache."""
from __future__ import annotations

import pytest

from studycards import mathtex


def test_a_formula_has_outlines_on_a_baseline():
    formula = mathtex.render(r"\frac{a}{b} + x_i^2")
    ys = [v for segment in formula.segments for v in segment[2::2] if not isinstance(v, str)]
    assert formula.width > 1 and formula.depth > 0 and formula.height > 0
    assert -formula.depth - 0.01 <= min(ys) < 0 < max(ys) <= formula.height + 0.01
    assert {segment[0] for segment in formula.segments} <= {"m", "l", "c", "h"}


def test_display_formulas_set_fractions_full_size():
    assert mathtex.render(r"\frac{a}{b}", True).height > mathtex.render(r"\frac{a}{b}").height


@pytest.mark.parametrize("tex, reason", [
    (r"\foo x", "Unknown symbol: \\foo"),
    (r"\frac{a}{", "Expected \\frac{num}{den}"),
    ("{", "Expected '}'"),
])
def test_tex_it_cannot_draw_is_an_error_with_its_reason(tex, reason):
    assert reason in mathtex.problem(tex)
    with pytest.raises(mathtex.TeXError):
        mathtex.render(tex)


def test_formulas_are_cached_by_source_and_prepared_in_parallel_alike():
    keys = [(f"x^{{{n}}} + y_{{{n}}}", n % 2 == 0) for n in range(mathtex.PARALLEL_FROM + 5)]
    keys.append((r"\nosuch", False))
    mathtex.prepare(keys, jobs=2)
    parallel = {key: mathtex._CACHE[key] for key in keys}
    for key in keys:
        del mathtex._CACHE[key]
    mathtex.prepare(keys, jobs=1)
    assert {key: mathtex._CACHE[key] for key in keys} == parallel
    assert mathtex.render(*keys[0]) is mathtex.render(*keys[0])
