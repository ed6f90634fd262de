"""TeX formulas as vector outlines, for paper: matplotlib's mathtext, no TeX installation.

A formula is laid out once per distinct source (cached) into glyph outlines and rules, in
units of the font size, with its width, height above the baseline and depth below it. The
PDF writers scale and place it; the source layer calls `problem` to refuse TeX that cannot
be drawn, with mathtext's own reason.

Why mathtext (README, dependencies): it parses strictly (an unknown command is an error, not
text printed as is), lays out 20 times faster than ziamath+svglib, and gives outlines that go
straight into a PDF path.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import collector, mathparse

# mathtext's glyphs come from the DejaVu fonts matplotlib ships, the same family as the PDF
# text; pinned here so a user's matplotlibrc cannot change what prints.
_RC = {"mathtext.fontset": "dejavusans", "mathtext.default": "it", "mathtext.fallback": "cm"}
_SIZE = 100.0  # laid out at this size, then divided: outlines keep their precision


@dataclass(frozen=True)
class Formula:
    """A laid-out formula, at font size 1: draw `segments` with the baseline at y = 0."""

    tex: str
    width: float
    height: float  # above the baseline
    depth: float  # below the baseline
    segments: tuple  # ("m", x, y) | ("l", x, y) | ("c", x1, y1, x2, y2, x3, y3) | ("h",)


class TeXError(ValueError):
    """TeX the renderer cannot draw; the message is the renderer's reason."""


@functools.cache
def _tools():
    import matplotlib  # imported on first use: decks without formulas never pay for it
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path
    from matplotlib.textpath import TextToPath

    # Set once for the process (rc_context per formula was a tenth of the time): nothing
    # else here uses matplotlib.
    matplotlib.rcParams.update(_RC)
    prop = FontProperties(family="DejaVu Sans", size=_SIZE)
    to_path = TextToPath()
    to_path.mathtext_parser = _parser_keeping_fonts(to_path.mathtext_parser)
    return prop, Path, to_path


def _parser_keeping_fonts(public):
    """matplotlib's math parser, but with one font set for all formulas instead of a new one
    per formula: a new set looks every font up again and forgets every glyph's metrics,
    a quarter of each formula's time. The one place this leans on matplotlib's internals
    (MathTextParser._parse_cached, _mathtext.ship); tests/test_mathtex.py pins its outlines
    equal to matplotlib's own, and a matplotlib without them gets the public parser.
    Formulas in the common subset are read by mathparse instead of pyparsing (a fifth of
    the time; the boxes are the same, tests/test_mathparse.py)."""
    from matplotlib import _mathtext
    from matplotlib.mathtext import MathTextParser

    if not (callable(getattr(MathTextParser, "_parse_cached", None))
            and callable(getattr(_mathtext, "ship", None))):
        return public
    fontsets: dict = {}

    class KeepingFonts(MathTextParser):
        @functools.lru_cache(50)  # as matplotlib's: the same formula is measured, then drawn
        def _parse_cached(self, s, dpi, prop, antialiased, load_glyph_flags):
            key = (prop, load_glyph_flags)
            if key not in fontsets:
                fontset_class = self._font_type_mapping[prop.get_math_fontfamily()]
                fontsets[key] = fontset_class(prop, load_glyph_flags)
            if MathTextParser._parser is None:
                MathTextParser._parser = _mathtext.Parser()
            box = mathparse.parse(MathTextParser._parser, s, fontsets[key],
                                  prop.get_size_in_points(), dpi)
            return _mathtext.ship(box).to_vector()

    # FreeType fonts do not survive a fork: matplotlib drops its own after one, so must we
    # (a forked formula worker drew from the parent's fonts and failed on glyphs).
    def forget():
        fontsets.clear()
        KeepingFonts._parse_cached.cache_clear()

    if hasattr(os, "register_at_fork"):  # no fork, nothing to forget (Windows)
        os.register_at_fork(after_in_child=forget)
    return KeepingFonts("path")


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


def prepare(keys, jobs: int | None = None) -> None:
    """Render every (tex, display) in `keys` not yet cached, in `jobs` processes when there
    are many (each formula costs mathtext's parser 5-20 ms). Forked workers inherit the
    cache, so the PDF writers find every formula ready. Formulas a previous build kept
    (`keep_in`) are taken from there."""
    keys = set(keys)
    _STORE.used |= keys
    if _STORE.path is not None and not _STORE.read and not keys <= _CACHE.keys():
        _STORE.load()
    todo = sorted(key for key in keys if key not in _CACHE)
    jobs = jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                    else os.cpu_count() or 1)
    # mathtext leaves each formula's parse tree as cyclic garbage (0.3 MB): with the
    # collector paused, as it is while a deck loads, a process laying out thousands of
    # formulas would keep them all. The forked workers inherit the freeze too.
    with collector.only_new():
        if jobs > 1 and len(todo) >= PARALLEL_FROM:
            import concurrent.futures  # only for many new formulas: most builds have none
            import multiprocessing

            from . import parallel

            _tools()  # import once, before the fork
            context = multiprocessing.get_context("fork")
            # The workers die with the build, as its writers do: a killed build left them
            # waiting on their queue for ever.
            with concurrent.futures.ProcessPoolExecutor(
                    jobs, mp_context=context, initializer=parallel.die_with,
                    initargs=(os.getpid(),)) as pool:
                outcomes = list(pool.map(_outcome, todo,
                                         chunksize=max(1, len(todo) // (jobs * 8))))
        else:
            outcomes = [_outcome(key) for key in todo]
    _CACHE.update(zip(todo, outcomes))


PARALLEL_FROM = 200  # fewer formulas than this are not worth starting processes for


class _Store:
    """Formulas kept between builds in one file beside the outputs, so that a rebuild after
    an edit lays out only the formulas it has not seen (each costs mathtext 10-20 ms of
    CPU; a deck with a thousand of them spent most of its rebuild here). It is a cache:
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
            found = {}
            for tex, display, entry in data["formulas"]:
                key = (str(tex), bool(display))
                if isinstance(entry, str):
                    found[key] = entry
                else:
                    width, height, depth, segments = entry
                    found[key] = Formula(key[0], float(width), float(height), float(depth),
                                         tuple((s[0], *map(float, s[1:])) for s in segments))
        except (OSError, ImportError, ValueError, KeyError, TypeError, IndexError, zlib.error):
            return  # only a cache: the formulas are laid out again
        for key, entry in found.items():
            _CACHE.setdefault(key, entry)
        self.kept = set(found)

    def data(self) -> bytes | None:
        """The file's new content (the formulas asked for since keep_in), or None if it
        would hold just what it holds."""
        if self.path is None or not self.used or self.used == self.kept:
            return None
        entries = []
        for tex, display in sorted(self.used):
            found = _CACHE[(tex, display)]
            entries.append([tex, display, found if isinstance(found, str) else
                            [found.width, found.height, found.depth, found.segments]])
        text = json.dumps({"version": self.version, "formulas": entries},
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
    prop, Path, to_path = _tools()
    import numpy
    source = " ".join(tex.split())  # TeX reads a line break as a space
    source = "$" + (_FRAC.sub(r"\\dfrac", source) if display else source) + "$"
    try:
        width, height, descent = to_path.get_text_width_height_descent(source, prop, True)
        vertices, codes = to_path.get_text_path(prop, source, ismath=True)
        vertices = numpy.asarray(vertices, dtype=float).reshape(-1, 2)
    except Exception as err:  # mathtext raises ValueError, and sometimes others, on bad TeX
        raise TeXError(_reason(err)) from None
    scale = 1 / _SIZE
    return Formula(tex, width * scale, (height - descent) * scale, descent * scale,
                   _segments(Path, vertices, codes))


def _segments(Path, vertices, codes) -> tuple:
    """matplotlib's path as PDF path operators at font size 1: quadratic curves (TrueType)
    become the same curves as cubics; numbers rounded, so every machine writes the same."""
    exact = (vertices * (1 / _SIZE)).tolist()  # a cubic's control points come from these
    points = [(round(x, 5), round(y, 5)) for x, y in exact]
    segments: list[tuple] = []
    x0 = y0 = 0.0
    i, count = 0, len(codes)
    codes = codes.tolist() if hasattr(codes, "tolist") else list(codes)
    MOVETO, LINETO, CURVE3, CURVE4, CLOSEPOLY = (Path.MOVETO, Path.LINETO, Path.CURVE3,
                                                 Path.CURVE4, Path.CLOSEPOLY)
    while i < count:
        code = codes[i]
        if code == MOVETO or code == LINETO:
            segments.append(("m" if code == MOVETO else "l", *points[i]))
            x0, y0 = exact[i]
            i += 1
        elif code == CURVE3:
            (qx, qy), (x, y) = exact[i], exact[i + 1]
            segments.append(("c", round(x0 + 2 / 3 * (qx - x0), 5), round(y0 + 2 / 3 * (qy - y0), 5),
                             round(x + 2 / 3 * (qx - x), 5), round(y + 2 / 3 * (qy - y), 5),
                             *points[i + 1]))
            x0, y0 = x, y
            i += 2
        elif code == CURVE4:
            segments.append(("c", *points[i], *points[i + 1], *points[i + 2]))
            x0, y0 = exact[i + 2]
            i += 3
        elif code == CLOSEPOLY:
            segments.append(("h",))
            i += 1
        else:  # STOP
            i += 1
    return tuple(segments)


def problem(tex: str, display: bool = False) -> str | None:
    """Why `tex` cannot be drawn, or None. Renders it (and so fills the cache)."""
    try:
        formula = render(tex, display)
    except TeXError as err:
        return str(err)
    if not formula.segments:
        return "the formula draws nothing"
    return None
