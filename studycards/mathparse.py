r"""The TeX that cards mostly hold, read without pyparsing, for mathtext's own layout.

matplotlib's mathtext parses a formula with pyparsing, and that parse was 80 % of a
formula's layout (about 7 of 9 ms; a deck of a thousand formulas spent 9 s of CPU there).
This reads the common subset (letters, digits, operators, named symbols, groups,
sub- and superscripts, \frac, \dfrac, \sqrt{..}, \log-like functions) and calls mathtext's
own parse actions, in the order pyparsing calls them and with the string and positions it
passes, so the boxes, and so the outlines, are mathtext's. Anything else (other commands,
primes, spaces like \,) and any TeX that mathtext would refuse goes to mathtext's parser,
so its errors stay its own. tests/test_mathparse.py holds both readings equal.

It leans on mathtext's internals (the Parser's actions and state, matplotlib 3.7 to 3.11);
mathtex uses it only where it already uses them, and falls back to the public parser.
"""
from __future__ import annotations

import re

_CHAR = re.compile(r"[a-zA-Z0-9+\-*/<>=:,.;!?&@()\[\]|\u0080-\U0001ffff]")  # as mathtext's
_NAME = re.compile(r"[A-Za-z]+")
_ESCAPED = set("%{}[]_|")  # \{ and the like: mathtext's symbols too
# Commands mathtext matches as a prefix (a Literal, no word boundary) before its symbols:
# a name starting so is left to it.
_PREFIXES = ("phantom", "llap", "rlap", "hspace", "quad", "qquad", "thinspace", "enspace")


class _Other(Exception):
    """TeX outside the subset: mathtext's parser reads it."""


def parse(parser, text: str, fontset, fontsize: float, dpi: float):
    """What `parser.parse(text, fontset, fontsize, dpi)` returns, for a `text` that is one
    formula between $ signs: read here if it is in the subset, else by `parser`."""
    inner = text[1:-1]
    if len(text) < 3 or text[0] != "$" or text[-1] != "$" or "$" in inner:
        return parser.parse(text, fontset, fontsize, dpi)
    try:
        return _Reader(parser, inner).box(fontset, fontsize, dpi)
    except Exception:  # noqa: BLE001 - outside the subset, or refused: mathtext says why
        return parser.parse(text, fontset, fontsize, dpi)
    finally:
        parser._needs_space_after_subsuper = False  # as Parser.parse leaves it


def _tokens(result) -> list:
    """An action's result as a token list (actions return a node or a list of them)."""
    return list(result) if isinstance(result, list) else [result]


class _Reader:
    def __init__(self, parser, source: str):
        from matplotlib import _mathtext
        from pyparsing import ParseResults

        self.parser, self.s, self.pos = parser, source, 0
        self.results = ParseResults
        self.state_class = _mathtext.ParserState
        self.symbols = _mathtext.tex2uni
        self.functions = parser._function_names
        self.others = {*parser._fontnames, *parser._accent_map, *parser._wide_accents}

    def box(self, fontset, fontsize: float, dpi: float):
        """Parser.parse's steps for "$source$": text before, the formula, text after."""
        p, results = self.parser, self.results
        p._state_stack = [self.state_class(fontset, "default", "rm", fontsize, dpi)]
        p._em_width_cache = {}
        p._needs_space_after_subsuper = False
        try:
            before = p.non_math(results([""]))
            body = self.tokens(closing=False)
            if not body:
                raise _Other
            math = p.math(results(body))
            after = p.non_math(results([""]))
            return p.main(results([*before, *math, *after]))[0]
        finally:
            p._state_stack = []
            p._em_width_cache = {}

    def skip(self) -> None:
        s, pos = self.s, self.pos
        while pos < len(s) and s[pos] == " ":
            pos += 1
        self.pos = pos

    def tokens(self, closing: bool) -> list:
        """Tokens up to the end, or up to (not past) the "}" closing a group."""
        out: list = []
        while True:
            self.skip()
            if self.pos == len(self.s):
                if closing:
                    raise _Other
                return out
            if self.s[self.pos] == "}":
                if not closing:
                    raise _Other
                return out
            out.extend(self.token())

    def token(self) -> list:
        """A placeable with its sub- and superscripts (mathtext's subsuper)."""
        loc = self.pos
        nucleus = self.placeable()
        scripts: list = []
        while True:
            self.skip()
            if self.pos < len(self.s) and self.s[self.pos] in "_^":
                op = self.s[self.pos]
                self.pos += 1
                if self.s.startswith(" ", self.pos):
                    raise _Other  # mathtext takes the space itself as the script
                arg = self.placeable()
                if len(arg) != 1:
                    raise _Other
                scripts += [op, arg[0]]
            else:
                break
        if self.pos < len(self.s) and self.s[self.pos] == "'":
            raise _Other  # primes: mathtext's
        if not scripts:
            return nucleus
        if len(nucleus) != 1:
            raise _Other
        return _tokens(self.parser.subsuper(self.s, loc, {"nucleus": nucleus[0],
                                                          "subsuper": scripts}))

    def placeable(self) -> list:
        self.skip()
        s, loc, p = self.s, self.pos, self.parser
        if loc == len(s):
            raise _Other
        c = s[loc]
        if c == "{":
            self.pos += 1
            p.start_group({})
            inside = self.tokens(closing=True)
            self.pos += 1
            p.end_group()
            return _tokens(p.group({"group": inside} if inside else {}))
        if c == "\\":
            name = _NAME.match(s, loc + 1)
            if name is None:
                if loc + 1 < len(s) and s[loc + 1] in _ESCAPED:
                    self.pos = loc + 2
                    return _tokens(p.symbol(s, loc, {"sym": s[loc:loc + 2]}))
                raise _Other
            name = name.group()
            if name in self.others or name.startswith(_PREFIXES):
                raise _Other
            self.pos = loc + 1 + len(name)
            if name in self.symbols:
                return _tokens(p.symbol(s, loc, {"sym": "\\" + name}))
            if name in self.functions:
                return _tokens(p.function(s, loc, {"name": name}))
            if name in ("frac", "dfrac"):
                parts = {"num": self.required_group(), "den": self.required_group()}
                return _tokens(getattr(p, name)(parts))
            if name == "sqrt":
                self.skip()
                if self.s.startswith("[", self.pos):
                    raise _Other  # a root: mathtext's
                return _tokens(p.sqrt({"value": self.required_group()}))
            raise _Other
        if c != "'" and _CHAR.match(c):
            self.pos += 1
            return _tokens(p.symbol(s, loc, {"sym": c}))
        raise _Other

    def required_group(self):
        """mathtext's required_group: "{" tokens "}", no state of its own."""
        self.skip()
        if not self.s.startswith("{", self.pos):
            raise _Other
        self.pos += 1
        inside = self.tokens(closing=True)
        self.pos += 1
        if not inside:
            raise _Other
        return self.parser.required_group({"group": inside})
