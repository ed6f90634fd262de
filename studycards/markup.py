"""The card text format: plain text with a small Markdown subset, rendered for Anki and ReportLab.

Supported: **bold**, *italic*, `code`, line breaks, bullet (and numbered) lists, backslash
escapes, and in cloze text [[deletions]]. Everything else, raw HTML included, is text: the
renderers escape every character that either target would interpret.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@functools.cache
def _markdown():
    """The parser, made on first use: most text never needs it (see `parse`)."""
    from markdown_it import MarkdownIt

    # text_join would merge escaped characters back into plain text, where an escaped \[\[
    # in cloze text would then open a deletion; they stay `text_special` tokens and stay
    # literal.
    return MarkdownIt("zero", {"breaks": True, "html": False}).enable(
        ["emphasis", "backticks", "newline", "escape", "list"]
    ).disable("text_join")


OPEN, CLOSE = "[[", "]]"


# ---- the parsed form: a tiny tree, independent of either output ----------------------------


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Break:
    pass


@dataclass(frozen=True)
class Span:
    """Inline container: kind is "strong", "em" or "cloze" (then `number` counts from 1)."""

    kind: str
    children: tuple
    number: int = 0


@dataclass(frozen=True)
class Para:
    children: tuple


@dataclass(frozen=True)
class ListBlock:
    items: tuple  # each item a tuple of blocks
    ordered: bool = False


class _Builder:
    """Turns markdown-it's inline tokens into Spans, finding [[deletions]] inside text tokens."""

    def __init__(self, cloze: bool, first: int):
        self.cloze = cloze
        self.next_number = first
        self.stack: list[tuple[str, list, int]] = [("root", [], 0)]

    def push(self, kind: str, number: int = 0) -> None:
        self.stack.append((kind, [], number))

    def pop(self, kind: str) -> None:
        # A deletion still open when its container closes was never a deletion: keep it literal.
        while self.stack[-1][0] == "cloze" and kind != "cloze":
            self._unwind_cloze()
        _, children, number = self.stack.pop()
        self.add(Span(kind, tuple(children), number))

    def _unwind_cloze(self) -> None:
        _, children, _ = self.stack.pop()
        self.next_number -= 1
        self.add(Text(OPEN))
        for child in children:
            self.add(child)

    def add(self, node) -> None:
        siblings = self.stack[-1][1]
        if isinstance(node, Text) and siblings and isinstance(siblings[-1], Text):
            siblings[-1] = Text(siblings[-1].text + node.text)
        else:
            siblings.append(node)

    def text(self, text: str) -> None:
        if not self.cloze:
            self.add(Text(text))
            return
        pos = 0
        while pos < len(text):
            in_cloze = any(kind == "cloze" for kind, _, _ in self.stack)
            marker = CLOSE if in_cloze else OPEN
            found = text.find(marker, pos)
            if found < 0:
                self.add(Text(text[pos:]))
                return
            if found > pos:
                self.add(Text(text[pos:found]))
            if in_cloze and self.stack[-1][0] == "cloze":
                self.pop("cloze")
            elif in_cloze:
                self.add(Text(CLOSE))  # closes across a **bold** boundary: not a deletion end
            else:
                self.push("cloze", self.next_number)
                self.next_number += 1
            pos = found + 2

    def finish(self) -> tuple:
        while len(self.stack) > 1:
            self._unwind_cloze()
        return tuple(self.stack[0][1])


def _inline(token, builder: _Builder) -> tuple:
    for child in token.children or ():
        kind = child.type
        if kind == "text":
            builder.text(child.content)
        elif kind == "text_special":  # a backslash-escaped character: never a [[ marker
            builder.add(Text(child.content))
        elif kind == "code_inline":
            builder.add(Code(child.content))
        elif kind in ("softbreak", "hardbreak"):
            builder.add(Break())
        elif kind.endswith("_open"):
            builder.push(kind[:-5])
        elif kind.endswith("_close"):
            builder.pop(kind[:-6])
        else:  # any other token type is shown as its source text
            builder.add(Text(child.content))
    return builder.finish()


@dataclass(frozen=True)
class Markup:
    blocks: tuple
    deletions: int  # how many [[deletions]] were found

    @property
    def is_inline(self) -> bool:
        return len(self.blocks) == 1 and isinstance(self.blocks[0], Para)


# Text without these characters, and not starting like a list item, has no markup at all:
# most card text. It skips the Markdown parser (tests/test_markup.py proves the two agree).
_MARKUP_CHARS = frozenset("*_`\\[]\n\r\x00")
_LIST_START = frozenset("-+0123456789")


# **Bold** words in otherwise plain text, where CommonMark can only read them as bold: the
# opening ** at the start or after a space and before a letter or digit, the closing ** after
# a letter or digit and before a space, the end or a closing punctuation mark.
_STRONG = re.compile(r"(?<![^ ])\*\*([^\W_](?:[^*_`\\\[\]\n\r\x00]*[^\W_])?)\*\*"
                     r"(?=[ .,;:!?)]|\Z)")


@functools.lru_cache(maxsize=65536)
def parse(text: str, cloze: bool = False, first: int = 1) -> Markup:
    """Parse card text. With `cloze`, [[...]] marks deletions numbered from `first`."""
    if text and text == text.strip() and text[0] not in _LIST_START:
        if _MARKUP_CHARS.isdisjoint(text):
            return Markup((Para((Text(text),)),), 0)
        if "**" in text:
            simple = _bold_only(text, cloze)
            if simple is not None:
                return simple
    return _parse(text, cloze, first)


def _bold_only(text: str, cloze: bool) -> Markup | None:
    """Plain text with **bold** words only, without the parser; None for anything else."""
    parts = _STRONG.split(text)  # plain, bold, plain, ..., plain
    children: list = []
    for index, part in enumerate(parts):
        if index % 2:
            children.append(Span("strong", (Text(part),)))
        elif not _MARKUP_CHARS.isdisjoint(part):
            return None
        elif part or not cloze:  # the parser keeps an empty text at either end, but not
            children.append(Text(part))  # when it looks for deletions
    return Markup((Para(tuple(children)),), 0)


def _parse(text: str, cloze: bool, first: int) -> Markup:
    tokens = _markdown().parse(text)
    numbering = [first]

    def blocks(start: int, stop: int) -> tuple:
        out = []
        i = start
        while i < stop:
            token = tokens[i]
            if token.type == "inline":
                builder = _Builder(cloze, numbering[0])
                out.append(Para(_inline(token, builder)))
                numbering[0] = builder.next_number
            elif token.type in ("bullet_list_open", "ordered_list_open"):
                end = _matching(tokens, i)
                items = []
                j = i + 1
                while j < end:
                    item_end = _matching(tokens, j)
                    items.append(blocks(j + 1, item_end))
                    j = item_end + 1
                out.append(ListBlock(tuple(items), token.type == "ordered_list_open"))
                i = end
            i += 1
        return tuple(out)

    parsed = blocks(0, len(tokens))
    return Markup(parsed, numbering[0] - first)


def _matching(tokens, start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


# ---- renderers ------------------------------------------------------------------------------


def _walk_inline(nodes, out: list, esc, tags, cloze_fn) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(esc(node.text))
        elif isinstance(node, Code):
            out.append(tags["code"][0] + esc(node.text) + tags["code"][1])
        elif isinstance(node, Break):
            out.append(tags["br"])
        elif node.kind == "cloze":
            inner: list = []
            _walk_inline(node.children, inner, esc, tags, cloze_fn)
            out.append(cloze_fn(node.number, "".join(inner)))
        else:
            out.append(tags[node.kind][0])
            _walk_inline(node.children, out, esc, tags, cloze_fn)
            out.append(tags[node.kind][1])


# Anki reads a field's raw text for {{c1::...}}, [sound:...] and "::" hints, so those
# characters go in as character references: shown the same, never interpreted.
_ANKI_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", ":": "&#58;",
})
_HTML_TAGS = {
    "strong": ("<b>", "</b>"), "em": ("<i>", "</i>"), "code": ("<code>", "</code>"), "br": "<br>",
}


_ANKI_SPECIAL = frozenset(chr(c) for c in _ANKI_ESCAPES)


def _anki_escape(text: str) -> str:
    # str.translate looks every character up in a dict: most text has nothing to escape
    return text if _ANKI_SPECIAL.isdisjoint(text) else text.translate(_ANKI_ESCAPES)


def _anki_cloze(number: int, inner: str) -> str:
    return "{{c%d::%s}}" % (number, inner)


def to_html(text: str, cloze: bool = False, first: int = 1) -> str:
    """Anki field HTML. With `cloze`, deletions become {{cN::...}}."""
    markup = parse(text, cloze, first)
    blocks = markup.blocks
    if len(blocks) == 1 and isinstance(blocks[0], Para) and len(blocks[0].children) == 1 \
            and type(blocks[0].children[0]) is Text:  # plain text, most fields
        return _anki_escape(blocks[0].children[0].text)
    out: list = []
    _html_blocks(blocks, out, markup.is_inline)
    return "".join(out)


def _html_blocks(blocks, out: list, inline: bool) -> None:
    for block in blocks:
        if isinstance(block, Para):
            if not inline:
                out.append("<div>")
            _walk_inline(block.children, out, _anki_escape, _HTML_TAGS, _anki_cloze)
            if not inline:
                out.append("</div>")
        else:
            tag = "ol" if block.ordered else "ul"
            out.append(f"<{tag}>")
            for item in block.items:
                out.append("<li>")
                _html_blocks(item, out, len(item) == 1 and isinstance(item[0], Para))
                out.append("</li>")
            out.append(f"</{tag}>")


# ReportLab paragraph markup is XML-like: only &, < and > need escaping.
_RL_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _rl_escape(text: str) -> str:
    return text.translate(_RL_ESCAPES)


GAP = "[\u2009\u2026\u2009]"  # what a hidden deletion shows on a printed front


def to_rl(text: str, cloze: bool = False, first: int = 1, *, mode: str = "bold",
          number: int = 0, mono: str = "Courier", bullet: str = "\u2022") -> str:
    """ReportLab paragraph markup.

    Deletions (with `cloze`) print by `mode`: "bold" shows every one in bold (a cheat sheet);
    "gap" hides deletion `number` and shows the rest plainly (a card's front); "fill" shows
    deletion `number` in bold and the rest plainly (its back).
    """
    markup = parse(text, cloze, first)
    tags = {
        "strong": ("<b>", "</b>"), "em": ("<i>", "</i>"),
        "code": (f'<font face="{mono}">', "</font>"), "br": "<br/>",
    }

    def deletion(n: int, inner: str) -> str:
        if mode == "bold" or (mode == "fill" and n == number):
            return f"<b>{inner}</b>"
        if mode == "gap" and n == number:
            return GAP
        return inner

    lines: list[str] = []
    _rl_blocks(markup.blocks, lines, _rl_escape, tags, deletion, bullet, "")
    return "<br/>".join(lines)


def _rl_blocks(blocks, lines: list, esc, tags, deletion, bullet: str, indent: str,
               space: str = "\u00a0") -> None:
    for block in blocks:
        if isinstance(block, Para):
            out: list = []
            _walk_inline(block.children, out, esc, tags, deletion)
            lines.append(indent + "".join(out))
        else:
            for index, item in enumerate(block.items, 1):
                mark = f"{index}." if block.ordered else bullet
                sub: list = []
                _rl_blocks(item, sub, esc, tags, deletion, bullet, indent + space * 3, space)
                first_line = sub[0][len(indent) + 3:] if sub else ""
                lines.append(f"{indent}{mark}{space}{first_line}")
                lines.extend(sub[1:])


def to_plain(text: str, cloze: bool = False) -> str:
    """The text a reader sees, without formatting: for tests, sorting and duplicate checks."""
    markup = parse(text, cloze)
    lines: list[str] = []
    tags = {"strong": ("", ""), "em": ("", ""), "code": ("", ""), "br": "\n"}
    _rl_blocks(markup.blocks, lines, str, tags, lambda n, inner: inner, "-", "", " ")
    return "\n".join(lines)


def deletions(text: str) -> int:
    return parse(text, True).deletions
