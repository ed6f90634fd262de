"""TeX formulas laid out as outlines: metrics, the renderer's reasons, the cache."""
from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from studycards import mathtex


def test_a_formula_has_outlines_on_a_baseline():
    formula = mathtex.render(r"\frac{a}{b} + x_i^2")
    places = [formula.places[i:i + 3] for i in range(0, len(formula.places), 3)]
    ys = [y + scale * edge for name, (x, y, scale) in zip(formula.glyphs, places)
          for edge in mathtex.OUTLINES[name].box[1::2]]
    assert formula.width > 1 and formula.depth > 0 and formula.height > 0
    assert -formula.depth - 0.01 <= min(ys) < 0 < max(ys) <= formula.height + 0.01
    assert len(formula.rules) == 4  # the fraction's bar
    for name in formula.glyphs:  # PDF path operators and their numbers
        assert all(word in "mlch" or float(word) == float(word)
                   for word in mathtex.OUTLINES[name].path.split())


def test_a_glyph_used_by_many_formulas_has_one_outline():
    first, second = mathtex.render("x + 1"), mathtex.render("x^2 + y")
    assert first.glyphs[0] == second.glyphs[0]
    assert mathtex.OUTLINES[first.glyphs[0]] is mathtex.OUTLINES[second.glyphs[0]]


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


def test_formulas_are_cached_by_source_and_prepared_in_parallel_alike(monkeypatch):
    keys = [(f"x^{{{n}}} + y_{{{n}}}", n % 2 == 0) for n in range(mathtex.PARALLEL_FROM + 5)]
    keys.append((r"\nosuch", False))
    monkeypatch.setattr(mathtex, "OUTLINES", {})  # the workers report every glyph they add
    mathtex.prepare(keys, jobs=2)
    parallel = {key: mathtex._CACHE[key] for key in keys}
    assert {name for found in parallel.values() if isinstance(found, mathtex.Formula)
            for name in found.glyphs} <= mathtex.OUTLINES.keys()
    for key in keys:
        del mathtex._CACHE[key]
    mathtex.prepare(keys, jobs=1)
    assert {key: mathtex._CACHE[key] for key in keys} == parallel
    assert mathtex.render(*keys[0]) is mathtex.render(*keys[0])


# A mix of what a deck holds: fonts switched mid-formula, big operators, delimiters, roots,
# accents, text, Greek, Unicode, and TeX mathtext refuses.
VARIED = [r"\frac{a}{b} + x_i^2", r"\mathrm{d}x \, \mathbf{v} \cdot \mathit{w}",
          r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}", r"\int_0^\infty e^{-x^2}\,dx",
          r"\left( \frac{\alpha}{\beta} \right)^{2}", r"\sqrt[3]{x + \sqrt{y}}",
          r"\hat{x} \vec{v} \bar{z}", r"\text{if } x \geq 0", r"\lim_{n \to \infty} a_n",
          r"\log n \sin\theta \operatorname{Var}(X)", "α + β ≤ γ", r"\mathcal{O}(n \log n)",
          r"\mathbb{R}^n \times \mathsf{T}", r"x' + f''(x)", r"\foo x", "{", r"a \\ b"]


def test_outlines_are_matplotlibs_own_with_one_font_set_for_all_formulas(monkeypatch):
    """mathtex keeps one font set across formulas (the one place it uses matplotlib's
    internals): every formula, in any order, must come out as matplotlib's public
    TextToPath draws it alone, glyph outlines and all, and TeX it refuses must be refused
    with the same reason."""
    def outcome(tex, display):
        try:
            return mathtex._render(tex, display)
        except mathtex.TeXError as err:
            return str(err)

    keys = [(tex, display) for display in (False, True) for tex in VARIED]
    monkeypatch.setattr(mathtex, "OUTLINES", {})
    ours = [outcome(*key) for key in keys + keys[::-1]]
    our_outlines = mathtex.OUTLINES
    monkeypatch.setattr(mathtex, "OUTLINES", {})
    monkeypatch.setattr(mathtex, "_layout", mathtex._public(mathtex._tools()[1]))
    public = [outcome(*key) for key in keys + keys[::-1]]
    assert ours == public
    assert our_outlines == mathtex.OUTLINES and len(our_outlines) > 20
    assert sum(isinstance(found, str) for found in public) >= 4  # the refused ones


def test_laying_out_formulas_while_the_collector_is_paused_leaves_no_garbage():
    # mathtext's parse trees are reference cycles: a deck loads with the collector paused,
    # and thousands of formulas would otherwise stay in memory (0.3 MB each)
    keys = [(rf"\sqrt{{x^{{{n}}} + \frac{{1}}{{y_{n}}}}}", False) for n in range(20)]
    gc.collect()
    gc.disable()
    try:
        mathtex.prepare(keys, jobs=1)
        left = gc.collect()
    finally:
        gc.enable()
    assert all(isinstance(mathtex._CACHE[key], mathtex.Formula) for key in keys)
    assert left < 100


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    """An empty formula cache, and the store file a build would keep."""
    monkeypatch.setattr(mathtex, "_CACHE", {})
    monkeypatch.setattr(mathtex, "_STORE", mathtex._Store())
    return tmp_path / "formulas"


def _reopen(path, monkeypatch):
    """As the next build's process: nothing in memory, the store file read anew."""
    monkeypatch.setattr(mathtex, "_CACHE", {})
    monkeypatch.setattr(mathtex, "OUTLINES", {})
    monkeypatch.setattr(mathtex, "_STORE", mathtex._Store())
    mathtex.keep_in(path)


def test_formulas_kept_for_the_next_build_are_not_laid_out_again(fresh_store, monkeypatch):
    keys = [(r"\frac{a}{b}", False), (r"\sum_{i=1}^{n} i", True), (r"\nosuch", False)]
    mathtex.keep_in(fresh_store)
    mathtex.prepare(keys, jobs=1)
    before = {key: mathtex._CACHE[key] for key in keys}
    fresh_store.write_bytes(mathtex.kept())
    _reopen(fresh_store, monkeypatch)
    monkeypatch.setattr(mathtex, "_render", lambda *key: pytest.fail(f"laid out again: {key}"))
    mathtex.prepare(keys, jobs=1)
    assert {key: mathtex._CACHE[key] for key in keys} == before  # equal, floats and all
    assert {name for key in keys[:2] for name in before[key].glyphs} <= mathtex.OUTLINES.keys()
    assert mathtex.problem(r"\nosuch") == before[(r"\nosuch", False)]
    assert mathtex.kept() is None  # the same formulas: the file need not change


def test_the_store_keeps_only_the_formulas_the_deck_uses(fresh_store, monkeypatch):
    mathtex.keep_in(fresh_store)
    mathtex.prepare([("a^2", False), ("b^2", False)], jobs=1)
    fresh_store.write_bytes(mathtex.kept())
    _reopen(fresh_store, monkeypatch)
    mathtex.prepare([("a^2", False), ("c^2", False)], jobs=1)  # b^2 was edited into c^2
    fresh_store.write_bytes(mathtex.kept())
    _reopen(fresh_store, monkeypatch)
    mathtex.prepare([("a^2", False)], jobs=1)
    assert set(mathtex._CACHE) == {("a^2", False), ("c^2", False)}


@pytest.mark.parametrize("damage", ["garbage", "other version", "wrong shape", "missing"])
def test_a_damaged_or_foreign_store_is_ignored(fresh_store, monkeypatch, damage):
    import json
    import zlib

    mathtex.keep_in(fresh_store)
    mathtex.prepare([("x^3", False)], jobs=1)
    good = mathtex.render("x^3")
    data = json.loads(zlib.decompress(mathtex.kept()))
    if damage == "garbage":
        fresh_store.write_bytes(b"\x00not zlib")
    elif damage == "other version":
        data["version"] = "0.0 old"
        fresh_store.write_bytes(zlib.compress(json.dumps(data).encode()))
    elif damage == "wrong shape":
        data["formulas"][0][2] = [1, 2]
        fresh_store.write_bytes(zlib.compress(json.dumps(data).encode()))
    _reopen(fresh_store, monkeypatch)
    mathtex.prepare([("x^3", False)], jobs=1)  # laid out again, not an error
    assert mathtex.render("x^3") == good


def test_laying_out_a_formula_does_not_import_matplotlibs_agg_backend():
    """MathTextParser.parse imports the Agg backend (a third of matplotlib's import time)
    for a raster hinting flag that vector output never reads: mathtex does without it."""
    code = ("import sys; from studycards import mathtex; mathtex.render(r'\\frac{a}{b} + x^2'); "
            "print('matplotlib.backends.backend_agg' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent, check=True)
    assert done.stdout.strip() == "False"
