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


@pytest.fixture
def fresh_store(tmp_path, monkeypatch):
    """An empty formula cache, and the store file a build would keep."""
    monkeypatch.setattr(mathtex, "_CACHE", {})
    monkeypatch.setattr(mathtex, "_STORE", mathtex._Store())
    return tmp_path / "formulas"


def _reopen(path, monkeypatch):
    """As the next build's process: nothing in memory, the store file read anew."""
    monkeypatch.setattr(mathtex, "_CACHE", {})
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
