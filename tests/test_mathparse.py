"""The common TeX read without pyparsing: the same boxes as mathtext's own parser."""
from __future__ import annotations

import pytest

from studycards import mathtex

# What cards mostly hold, with the corners of mathtext's reading: operator and punctuation
# spacing (which looks at the characters around), big operators, functions before scripts
# and brackets, spaces where mathtext skips them and where it does not, and TeX outside
# the subset or refused, which mathtext's parser reads.
CORPUS = [r"\frac{a}{b} + x_i^2", r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}", r"a_{17}^3",
          r"\frac{x+42}{y}", r"\sqrt{a^2 + 17}", r"\sum_{i=1}^{12} b_i", r"E = mc^2",
          r"O(n \log n)", r"\log_2 n", r"\sin^2 x + \cos^2 x = 1", r"\max_i x_i", r"\lim_{n} a",
          r"\int_a^b f", r"\sin(x)", r"\sin{x}", r"a - b", r"-a", r"{-a}", r"= -2", r"a = - 2",
          r"+ 1", r"x = +1", r"(-1)", r"a,b", r"{,}", r"1.5", r"1 . 5", r"x_1, x_2, \ldots, x_n",
          r"\{a, b\}", r"\%", r"a^{b^c}", r"a_{i_j}", r"a^2_3", r"{}x", r"x_{}", "α + β ≤ γ",
          r"\frac { a } { b }", r"\sqrt {x}", r"x ^2", r"x^ 2", r"x_ {1}", r"\dfrac{a}{b}",
          r"e^{i\pi} + 1 = 0", r"\partial f / \partial x", r"P(A|B)", r"[0, 1)", r"n!",
          r"a^\prime", r"x' + f''(x)", r"\sqrt[3]{x}", r"\mathrm{d}x \, dy", r"\hat{x}",
          r"\left( x \right)", r"\text{if } x", r"\sqrt{}", r"\frac{a}{}", r"a_1_2", r"\foo",
          r"a^", "{", r"\frac12"]


def _outcome(tex, display):
    try:
        return mathtex._render(tex, display)
    except mathtex.TeXError as err:
        return str(err)


def test_formulas_come_out_as_matplotlibs_public_parser_lays_them_out(monkeypatch):
    keys = [(tex, display) for display in (False, True) for tex in CORPUS]
    ours = [_outcome(*key) for key in keys]
    monkeypatch.setattr(mathtex, "_layout", mathtex._public(mathtex._tools()[1]))
    assert ours == [_outcome(*key) for key in keys]
    assert sum(isinstance(found, str) for found in ours) >= 10  # the refused ones


def test_common_formulas_are_read_without_pyparsing(monkeypatch):
    from matplotlib import _mathtext

    def pyparsing_read(*args):
        raise AssertionError("read by mathtext's parser")

    mathtex._tools()
    monkeypatch.setattr(_mathtext.Parser, "parse", pyparsing_read)
    for tex in CORPUS[:30]:
        for display in (False, True):
            mathtex._render(tex + "+ 1", display)  # not one mathtex has seen
    with pytest.raises(mathtex.TeXError, match="read by mathtext's parser"):
        mathtex._render(r"\mathrm{d}x + 1", False)
