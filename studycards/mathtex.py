"""TeX formulas as vector outlines, for paper: matplotlib's mathtext, no TeX installation.

A formula is laid out once per distinct source (cached) into placed glyphs and rules, in
units of the font size, with its width, height above the baseline and depth below it. A
glyph's outline is kept once (`OUTLINES`), however many formulas use it: the PDF writers
define it once per file and place it. The source layer calls `problem` to refuse TeX that
cannot be drawn, with mathtext's own reason.

Why mathtext (README, dependencies): it parses strictly (an unknown command is an error, not
text printed as is), lays out 20 times faster than ziamath+svglib, and gives outlines that go
straight into a PDF path.
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from . import collector, mathparse

# mathtext's glyphs come from the DejaVu fonts matplotlib ships, the same family as the PDF
# text; pinned here so a user's matplotlibrc cannot change what prints.
_RC = {"mathtext.fontset": "dejavusans", "mathtext.default": "it", "mathtext.fallback": "cm"}
_SIZE = 100.0  # laid out at this size, then divided: outlines keep their precision


@dataclass(frozen=True)
class Formula:
    """A laid-out formula, at font size 1, its baseline at y = 0: the glyphs named in
    `glyphs` (keys of OUTLINES), each placed by three numbers of `places` (x, y, and the
    scale of its outline), and filled rules, four numbers each in `rules` (x, y, width,
    height). Flat tuples of numbers: a deck's thousand formulas stay small in memory, in
    the worker pool's pipes and in the store."""

    tex: str
    width: float
    height: float  # above the baseline
    depth: float  # below the baseline
    glyphs: tuple[str, ...]
    places: tuple[float, ...]
    rules: tuple[float, ...]


@dataclass(frozen=True)
class Outline:
    """A glyph's outline as PDF path operators (filled with the non-zero rule) in the
    font's units at size 100, and its bounding box."""

    path: str
    box: tuple[float, float, float, float]  # left, bottom, right, top


# Every glyph laid out in this process, by matplotlib's name for it (font and glyph index).
OUTLINES: dict[str, Outline] = {}
_NEW: list[str] = []  # the names this process added since a formula worker last reported


class TeXError(ValueError):
    """TeX the renderer cannot draw; the message is the renderer's reason."""


@functools.cache
def _tools():
    """matplotlib, imported on first use (decks without formulas never pay for it): its
    Path (for the codes of a glyph's outline), the font the layout starts from, and the
    layout (`_layout`)."""
    import matplotlib

    # Set once for the process (rc_context per formula was a tenth of the time): nothing
    # else here uses matplotlib.
    matplotlib.rcParams.update(_RC)
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path

    prop = FontProperties(family="DejaVu Sans", size=_SIZE)
    return Path, prop, _keeping_fonts(prop) or _public(prop)


def _layout(source: str):
    """"$tex$" laid out at size 100 as (width, height with depth, depth, glyphs placed as
    (name, x, y, scale), the outlines of glyphs not in OUTLINES yet by name as matplotlib
    paths, and rules as (x, y, right, top)); mathtext's exception for TeX it refuses."""
    return _tools()[2](source)


def _public(prop):
    """The layout through matplotlib's public TextToPath (tests hold `_keeping_fonts` equal
    to it)."""
    from matplotlib.textpath import TextToPath

    to_path = TextToPath()

    def layout(source: str):
        width, height, descent = to_path.get_text_width_height_descent(source, prop, True)
        # The same parse (cached), as glyphs placed: outlines only for glyphs not yet known
        placed, new, rects = to_path.get_glyphs_mathtext(
            prop, source, glyph_map=OUTLINES, return_new_glyphs_only=True)
        # a rule's corners, from its lower left: (x, y), (x, y + h), (x + w, y + h), ...
        rules = [(*vertices[0], *vertices[2]) for vertices, _ in rects]
        return width, height, descent, placed, new, rules

    return layout


def _keeping_fonts(prop):
    """The layout TextToPath does, but with one font set for all formulas instead of a new
    one per formula (a new set looks every font up again and forgets every glyph's metrics,
    a quarter of each formula's time), each formula parsed once (TextToPath parses it for
    its size, then again, cached, for its glyphs), without importing the Agg backend for
    the raster output's hinting flag (a third of the CPU matplotlib's import cost: 0.22 of
    0.75 s) nor TextToPath's own imports (TeX's DVI reader). The one place this leans on
    matplotlib's internals (_mathtext.Parser and ship, MathTextParser._font_type_mapping,
    ft2font.LoadFlags, glyph indices in the parse: matplotlib 3.10 and later);
    tests/test_mathtex.py pins its outlines equal to TextToPath's, and a matplotlib
    without them gets `_public`, or None.
    Formulas in the common subset are read by mathparse instead of pyparsing (a fifth of
    the time; the boxes are the same, tests/test_mathparse.py)."""
    from matplotlib import _mathtext, ft2font
    from matplotlib.mathtext import MathTextParser

    no_hinting = getattr(getattr(ft2font, "LoadFlags", None), "NO_HINTING", None)
    fontset_class = getattr(MathTextParser, "_font_type_mapping", {}).get(
        prop.get_math_fontfamily())
    if not (callable(getattr(_mathtext, "ship", None)) and callable(fontset_class)
            and hasattr(_mathtext, "Parser") and no_hinting is not None):
        return None
    fontsets: list = []
    names: dict = {}  # (font, glyph index) -> the glyph's name, as TextToPath names it

    def layout(source: str):
        if not fontsets:
            fontsets.append(fontset_class(prop, no_hinting))
        if MathTextParser._parser is None:
            MathTextParser._parser = _mathtext.Parser()
        box = mathparse.parse(MathTextParser._parser, source, fontsets[0], _SIZE, 72)
        width, height, depth, glyphs, rects = _mathtext.ship(box).to_vector()
        placed, new = [], {}
        for font, size, _, index, x, y in glyphs:
            name = names.get((font.fname, index))
            if name is None:
                name = names[font.fname, index] = quote(f"{font.postscript_name}-{index:x}")
            if name not in OUTLINES and name not in new:
                font.clear()
                font.set_size(_SIZE, 72)
                font.load_glyph(index, flags=no_hinting)
                new[name] = font.get_path()
            placed.append((name, x, y, size / _SIZE))
        return width, height, depth, placed, new, [(x, y, x + w, y + h) for x, y, w, h in rects]

    # FreeType fonts do not survive a fork: matplotlib drops its own after one, so must we
    # (a forked formula worker drew from the parent's fonts and failed on glyphs).
    if hasattr(os, "register_at_fork"):  # no fork, nothing to forget (Windows)
        os.register_at_fork(after_in_child=fontsets.clear)
    return layout


_WHERE = re.compile(r"\s*\(at char (\d+)\), \(line:\d+, col:\d+\)\s*$")


def _reason(err: Exception) -> str:
    """mathtext's message is the source, a caret line and 'Kind: reason (at char N), ...'."""
    last = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
    last = re.sub(r"^\w+(Exception|Error): ", "", last)
    where = _WHERE.search(last)
    if where:
        last = last[:where.start()] + f" (at character {int(where.group(1)) + 1})"
    return last.replace("  ", " ")


_FRAC = re.compile(r"\\frac(?![A-Za-z])")
_CACHE: dict[tuple[str, bool], Formula | str] = {}  # a Formula, or why it cannot be drawn


def render(tex: str, display: bool = False) -> Formula:
    """The formula for `tex` (without $ delimiters), or TeXError. A display formula sets
    fractions full size, as TeX's display style does (mathtext knows no display style).
    Cached by source: a formula used on many cards is laid out once."""
    key = (tex, display)
    if key not in _CACHE:
        _CACHE[key] = _outcome(key)
    found = _CACHE[key]
    if isinstance(found, str):
        raise TeXError(found)
    return found


def _outcome(key: tuple[str, bool]) -> Formula | str:
    try:
        return _render(*key)
    except TeXError as err:
        return str(err)


def _outcome_and_outlines(key: tuple[str, bool]) -> tuple[Formula | str, dict]:
    """A formula worker's answer: the outcome and the outlines it was first to need."""
    _NEW.clear()
    outcome = _outcome(key)
    return outcome, {name: OUTLINES[name] for name in _NEW}


def prepare(keys, jobs: int | None = None) -> None:
    """Render every (tex, display) in `keys` not yet cached, in `jobs` processes when there
    are many (each formula costs 1-2 ms, 5-20 ms outside mathparse's subset). Forked workers inherit the
    cache, so the PDF writers find every formula ready. Formulas a previous build kept
    (`keep_in`) are taken from there."""
    keys = set(keys)
    _STORE.used |= keys
    if _STORE.path is not None and not _STORE.read and not keys <= _CACHE.keys():
        _STORE.load()
    todo = sorted(key for key in keys if key not in _CACHE)
    jobs = jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                    else os.cpu_count() or 1)
    if todo:
        # Imported before the freeze below (and before any fork), so that matplotlib's
        # objects are frozen with the rest: the formulas' collections then scan only the
        # formulas' own objects, not matplotlib's modules as well.
        _tools()
    # mathtext leaves each formula's parse tree as cyclic garbage (0.3 MB): with the
    # collector paused, as it is while a deck loads, a process laying out thousands of
    # formulas would keep them all. The forked workers inherit the freeze too.
    with collector.only_new():
        if jobs > 1 and len(todo) >= PARALLEL_FROM:
            import concurrent.futures  # only for many new formulas: most builds have none
            import multiprocessing

            from . import parallel

            context = multiprocessing.get_context("fork")
            # The workers die with the build, as its writers do: a killed build left them
            # waiting on their queue for ever.
            with concurrent.futures.ProcessPoolExecutor(
                    jobs, mp_context=context, initializer=parallel.die_with,
                    initargs=(os.getpid(),)) as pool:
                outcomes = []
                for outcome, outlines in pool.map(_outcome_and_outlines, todo,
                                                  chunksize=max(1, len(todo) // (jobs * 8))):
                    OUTLINES.update(outlines)
                    outcomes.append(outcome)
        else:
            outcomes = [_outcome(key) for key in todo]
    _CACHE.update(zip(todo, outcomes))


# Fewer new formulas than this are laid out in the build's own process: at about 1.3 ms
# each (mathparse), a pool's workers, each loading the fonts again, cost more CPU than
# they save time (955 formulas: 1.5-2 s more CPU, no sooner done, on two cores).
PARALLEL_FROM = 2000


class _Store:
    """Formulas kept between builds in one file beside the outputs, so that a rebuild after
    an edit lays out only the formulas it has not seen (each costs 1-2 ms of CPU, 5-20 ms
    outside mathparse's subset; a deck with a thousand of them once spent most of its
    rebuild here). It is a cache:
    written only by a build that succeeds, and a missing, damaged or other-version file is
    ignored. Its version is matplotlib's and the code's that lays them out (this module's
    and mathparse's)."""

    def __init__(self):
        self.path: Path | None = None
        self.read = False
        self.kept: set = set()  # the keys the file held
        self.used: set = set()  # the keys asked for since keep_in

    @functools.cached_property
    def version(self) -> str:
        from importlib.metadata import version
        code = hashlib.sha256(Path(__file__).read_bytes()
                              + Path(mathparse.__file__).read_bytes()).hexdigest()[:16]
        return f"{version('matplotlib')} {code}"

    def load(self) -> None:
        self.read = True
        try:
            data = json.loads(zlib.decompress(self.path.read_bytes()))
            if data["version"] != self.version:
                return
            outlines = {str(name): Outline(str(path), tuple(map(float, box)))
                        for name, (path, box) in data["outlines"].items()}
            found = {}
            for tex, display, entry in data["formulas"]:
                key = (str(tex), bool(display))
                if isinstance(entry, str):
                    found[key] = entry
                    continue
                width, height, depth, glyphs, places, rules = entry
                if not set(glyphs) <= outlines.keys() or len(places) != 3 * len(glyphs):
                    raise ValueError("a glyph without its outline")
                found[key] = Formula(key[0], float(width), float(height), float(depth),
                                     tuple(map(str, glyphs)), tuple(map(float, places)),
                                     tuple(map(float, rules)))
        except (OSError, ImportError, ValueError, KeyError, TypeError, IndexError,
                AttributeError, zlib.error):
            return  # only a cache: the formulas are laid out again
        for name, outline in outlines.items():
            OUTLINES.setdefault(name, outline)
        for key, entry in found.items():
            _CACHE.setdefault(key, entry)
        self.kept = set(found)

    def data(self) -> bytes | None:
        """The file's new content (the formulas asked for since keep_in), or None if it
        would hold just what it holds."""
        if self.path is None or not self.used or self.used == self.kept:
            return None
        entries, outlines = [], {}
        for tex, display in sorted(self.used):
            found = _CACHE[(tex, display)]
            if isinstance(found, str):
                entries.append([tex, display, found])
                continue
            entries.append([tex, display, [found.width, found.height, found.depth,
                                           found.glyphs, found.places, found.rules]])
            for name in found.glyphs:
                outlines[name] = [OUTLINES[name].path, OUTLINES[name].box]
        text = json.dumps({"version": self.version, "formulas": entries,
                           "outlines": dict(sorted(outlines.items()))},
                          separators=(",", ":"))
        self.kept = set(self.used)
        return zlib.compress(text.encode("utf-8"), 6)


_STORE = _Store()


def keep_in(path: Path) -> None:
    """Take formulas from, and keep them for the next build in, the file at `path`."""
    global _STORE
    if _STORE.path != Path(path):
        _STORE = _Store()
        _STORE.path = Path(path)
    _STORE.used = set()


def kept() -> bytes | None:
    """What the file named by keep_in should now hold, or None if it need not change."""
    return _STORE.data()


def _render(tex: str, display: bool) -> Formula:
    source = " ".join(tex.split())  # TeX reads a line break as a space
    source = "$" + (_FRAC.sub(r"\\dfrac", source) if display else source) + "$"
    try:
        width, height, descent, placed, new, corners = _layout(source)
    except Exception as err:  # mathtext raises ValueError, and sometimes others, on bad TeX
        raise TeXError(_reason(err)) from None
    for name, (vertices, codes) in new.items():
        if name not in OUTLINES:
            OUTLINES[name] = _outline(_tools()[0], vertices, codes)
            _NEW.append(name)
    scale = 1 / _SIZE
    places: list[float] = []
    for _, x, y, size in map(_floats, placed):
        places += (round(x * scale, 5), round(y * scale, 5), round(size * scale, 7))
    rules: list[float] = []
    for x, y, right, top in map(_floats, corners):
        rules += (round(x * scale, 5), round(y * scale, 5), round((right - x) * scale, 5),
                  round((top - y) * scale, 5))
    width, height, descent = _floats((width, height, descent))
    return Formula(tex, width * scale, (height - descent) * scale, descent * scale,
                   tuple(sys.intern(name) for name, *_ in placed), tuple(places), tuple(rules))


def _floats(values) -> tuple:
    """numpy's numbers as Python's (a name stays a name): plain data for pickle and JSON."""
    return tuple(value if isinstance(value, str) else float(value) for value in values)


def _outline(Path, vertices, codes) -> Outline:
    """matplotlib's glyph path as PDF path operators: quadratic curves (TrueType) become
    the same curves as cubics; numbers rounded, so every machine writes the same."""
    import numpy
    exact = numpy.asarray(vertices, dtype=float).reshape(-1, 2).tolist()
    codes = codes.tolist() if hasattr(codes, "tolist") else list(codes)
    ops: list[str] = []
    x0 = y0 = 0.0
    i, count = 0, len(codes)
    while i < count:
        code = codes[i]
        if code == Path.MOVETO or code == Path.LINETO:
            x0, y0 = exact[i]
            ops.append(f"{_num(x0)} {_num(y0)} {'m' if code == Path.MOVETO else 'l'}")
            i += 1
        elif code == Path.CURVE3:
            (qx, qy), (x, y) = exact[i], exact[i + 1]
            ops.append(" ".join(map(_num, (x0 + 2 / 3 * (qx - x0), y0 + 2 / 3 * (qy - y0),
                                           x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y), x, y)))
                       + " c")
            x0, y0 = x, y
            i += 2
        elif code == Path.CURVE4:
            ops.append(" ".join(_num(v) for point in exact[i:i + 3] for v in point) + " c")
            x0, y0 = exact[i + 2]
            i += 3
        elif code == Path.CLOSEPOLY:
            ops.append("h")
            i += 1
        else:  # STOP
            i += 1
    points = [point for point, code in zip(exact, codes) if code != Path.CLOSEPOLY]
    xs, ys = [x for x, _ in points] or [0.0], [y for _, y in points] or [0.0]
    box = (math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys)))
    return Outline(" ".join(ops), tuple(map(float, box)))


def _num(value: float) -> str:
    """A coordinate in PDF: three decimals of the size-100 glyph, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def problem(tex: str, display: bool = False) -> str | None:
    """Why `tex` cannot be drawn, or None. Renders it (and so fills the cache)."""
    try:
        formula = render(tex, display)
    except TeXError as err:
        return str(err)
    if not formula.glyphs and not formula.rules:
        return "the formula draws nothing"
    return None
