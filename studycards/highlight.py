"""Syntax highlighting for code blocks: Pygments tokens folded into a few classes, and the
colours of those classes, shared by Anki's note type CSS and the PDFs.

Pygments knows hundreds of token types; a card needs only the handful a reader tells apart
(keywords, strings, numbers, comments, names of functions, built-ins, keys/tags). One short
class per kind keeps the Anki field small and lets one palette serve both outputs.
"""
from __future__ import annotations

import functools


@functools.cache
def _families() -> tuple:
    """Checked first to last: the first family a token type belongs to names its class.
    (Pygments is imported only when a deck has code: a build with nothing to do skips it.)"""
    from pygments.token import Comment, Keyword, Literal, Name, Number, Operator, String

    return (
        (Comment, "c"),
        (Keyword.Type, "t"),
        (Keyword, "k"),
        (Operator.Word, "k"),
        (String, "s"),
        (Number, "n"),
        (Name.Builtin, "b"),
        (Name.Function, "f"), (Name.Class, "f"), (Name.Decorator, "f"),
        (Name.Tag, "g"),
        (Name.Attribute, "a"), (Name.Constant, "n"),
        (Literal, "s"),
    )


# GitHub's Primer syntax colours: each at least 4.5:1 on its background, except comments,
# which are meant to recede (about 4.3:1). Light is also what the PDFs print.
LIGHT_BACKGROUND, NIGHT_BACKGROUND = "#f3f4f6", "#2a2e35"
LIGHT = {"k": "#cf222e", "t": "#953800", "s": "#0a3069", "n": "#0550ae", "c": "#6e7781",
         "b": "#953800", "f": "#8250df", "g": "#116329", "a": "#0550ae"}
NIGHT = {"k": "#ff7b72", "t": "#ffa657", "s": "#a5d6ff", "n": "#79c0ff", "c": "#8b949e",
         "b": "#ffa657", "f": "#d2a8ff", "g": "#7ee787", "a": "#79c0ff"}


@functools.lru_cache(maxsize=4096)
def _class_of(token_type) -> str:
    for family, name in _families():
        if token_type in family:
            return name
    return ""


@functools.lru_cache(maxsize=256)
def _lexer(language: str):
    if not language:
        return None
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        # Verbatim: no added final newline, no stripped lines, tabs left alone.
        return get_lexer_by_name(language, stripnl=False, ensurenl=False, tabsize=0)
    except ClassNotFound:
        return None


def known(language: str) -> bool:
    return _lexer(language) is not None


@functools.lru_cache(maxsize=4096)
def runs(language: str, code: str) -> tuple[tuple[str, str], ...]:
    """The code as (class, text) runs, "" for plain text; the texts join to exactly `code`.
    An unknown or empty language gives one plain run."""
    lexer = _lexer(language)
    if lexer is None or not code:
        return (("", code),) if code else ()
    out: list[list[str]] = []
    for token_type, text in lexer.get_tokens(code):
        cls = _class_of(token_type)
        if out and out[-1][0] == cls:
            out[-1][1] += text
        elif text:
            out.append([cls, text])
    result = tuple((cls, text) for cls, text in out)
    if "".join(text for _, text in result) != code:  # a lexer that rewrote the text: show it plain
        return (("", code),)
    return result


def css(scope: str, night_scopes: tuple[str, ...]) -> str:
    """CSS rules for the classes under `scope`, and their night colours under each of
    `night_scopes` (the selectors Anki's night mode sets)."""
    rules = [f"{scope} .hl-{name} {{ color: {colour}; }}" for name, colour in LIGHT.items()]
    rules.append(f"{scope} .hl-c {{ font-style: italic; }}")
    for name, colour in NIGHT.items():
        selectors = ", ".join(f"{night} {scope} .hl-{name}" for night in night_scopes)
        rules.append(f"{selectors} {{ color: {colour}; }}")
    return "\n".join(rules) + "\n"
