"""Anki field HTML (or plain text) -> card text, the Markdown subset of studycards/markup.py.

The HTML is parsed by Beautiful Soup (a tree, forgiving of the tag soup that Anki's editor
and shared decks hold); the tree is walked once, writing card text and, beside it, the plain
text a reader should see. Every result is parsed back with the card format's own parser and
must show that plain text: where it does not (emphasis the Markdown rules cannot express
there), it is written again without emphasis, and said so. Whatever cannot be kept is named
in `Field.lossy`; nothing live (script, style, event handler, remote URL) survives.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

from .. import markup

_DROPPED = frozenset({
    "script", "style", "link", "iframe", "object", "embed", "frame", "frameset", "applet",
    "audio", "video", "source", "track", "canvas", "svg", "math", "noscript", "template",
    "head", "title", "meta", "base", "input", "button", "select", "textarea",
})
_BOLD = frozenset({"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6", "th"})
_ITALIC = frozenset({"i", "em", "u", "ins", "cite", "var", "dfn"})
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_BLOCKS = frozenset({
    "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
    "header", "footer", "center", "figure", "figcaption", "dl", "dt", "dd", "address", "tr",
    "table", "thead", "tbody", "tfoot", "caption", "details", "summary", "main", "nav", "aside",
})
_REMOTE = ("http:", "https:", "ftp:", "data:", "javascript:", "file:", "//")

_SUP = dict(zip("0123456789+-=()nio", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱº"))
_SUB = dict(zip("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))

# Characters the Markdown subset reads anywhere, and at a line's start.
_ESCAPE = str.maketrans({c: "\\" + c for c in "\\*_`[]$"})
_LINE_START = "-+~"

_MATH_DELIMITERS = (("\\(", "\\)", False), ("\\[", "\\]", True), ("[$$]", "[/$$]", True),
                    ("[$]", "[/$]", False), ("[latex]", "[/latex]", True))


@dataclass
class Field:
    text: str  # card text
    images: list[str] = field(default_factory=list)  # local image names, in order
    lossy: list[str] = field(default_factory=list)  # what was dropped or changed, one line each
    hints: list[str] = field(default_factory=list)  # cloze hints ({{c1::text::hint}})
    cloze_numbers: list[int] = field(default_factory=list)  # Anki's cN, in text order


def convert(source: str, *, html: bool = True, cloze: bool = False) -> Field:
    """Convert one field. With `cloze`, Anki's {{cN::text::hint}} become [[text]]."""
    result = _convert(source, html, cloze, emphasis=True)
    if not result[1]:
        field_, _ = _convert(source, html, cloze, emphasis=False)
        field_.lossy.append("bold/italic dropped: the card format cannot mark it there")
        return field_
    return result[0]


def _convert(source: str, html: bool, cloze: bool, emphasis: bool) -> tuple[Field, bool]:
    out = _Writer(cloze, emphasis)
    if html:
        soup = BeautifulSoup(source, "html.parser")
        out.children(soup)
    else:
        for index, line in enumerate(source.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
            if index:
                out.newline()
            out.text(line)
    text, plain = out.finish()
    ok = _same(_reading(text, cloze), plain)
    result = Field(text, out.images, list(dict.fromkeys(out.lossy)), out.hints, out.numbers)
    return result, ok


# Private-use characters standing for formatting, so a reading compares structure too.
_MARKS = {"**": ("\ue000", "\ue001"), "*": ("\ue002", "\ue003"), "cloze": ("\ue004", "\ue005"),
          "code": ("\ue006", "\ue007"), "math": ("\ue008", "\ue009")}
_KINDS = {"strong": "**", "em": "*", "cloze": "cloze"}


_MARK_RUN = re.compile("[\ue000-\ue009]+")


def _same(reading: str, plain: str) -> bool:
    """Equal up to whitespace, and up to the order of marks that stand together
    (***x*** is bold in italic or italic in bold alike)."""
    def norm(text: str) -> str:
        text = _MARK_RUN.sub(lambda m: "".join(sorted(m.group())), text)
        return " ".join(text.split())
    return norm(reading) == norm(plain)


def _reading(text: str, cloze: bool) -> str:
    """What the card format makes of `text`: its words, with marks where formatting is."""
    out: list[str] = []

    def inline(nodes) -> None:
        for node in nodes:
            if isinstance(node, markup.Text):
                out.append(node.text)
            elif isinstance(node, markup.Code):
                out.append(_MARKS["code"][0])
                inline(node.children)
                out.append(_MARKS["code"][1])
            elif isinstance(node, markup.Math):
                out.append(_MARKS["math"][0] + node.tex + _MARKS["math"][1])
            elif isinstance(node, markup.Break):
                out.append("\n")
            else:
                opening, closing = _MARKS[_KINDS[node.kind]]
                out.append(opening)
                inline(node.children)
                out.append(closing)

    def blocks(items) -> None:
        for block in items:
            if isinstance(block, markup.Para):
                inline(block.children)
                out.append("\n")
            elif isinstance(block, markup.CodeBlock):
                out.append(_MARKS["code"][0] + block.code + _MARKS["code"][1] + "\n")
            else:
                for item in block.items:
                    out.append("- ")
                    blocks(item)

    if text:
        blocks(markup.parse(text, cloze).blocks)
    return "".join(out)


class _Writer:
    """Card text and its plain reading, written side by side.

    Emphasis opens lazily before the next word and closes before the space or line end
    that follows its last word, so markers hug their words (Markdown needs that) and never
    span a line.
    """

    def __init__(self, cloze: bool, emphasis: bool):
        self.cloze = cloze
        self.emphasis = emphasis
        self.out: list[str] = []
        self.plain: list[str] = []
        self.images: list[str] = []
        self.lossy: list[str] = []
        self.hints: list[str] = []
        self.numbers: list[int] = []
        self.at_line_start = True
        self.space = False
        self.want: list[str] = []  # emphasis markers the current element asks for
        self.opened: list[str] = []  # markers written and not yet closed
        self.indent = ""
        self.deletion = 0  # depth of {{c...}} nesting
        self.in_hint = False
        self.hint: list[str] = []
        self.blank_wanted = False

    # ---- writing -------------------------------------------------------------------------

    def _close_unwanted(self) -> None:
        while self.opened and self.opened != self.want[:len(self.opened)]:
            self._close_one()

    def _close_all(self) -> None:
        while self.opened:
            self._close_one()

    def _close_one(self) -> None:
        marker = self.opened.pop()
        self.out.append(marker)
        self.plain.append(_MARKS[marker][1])

    def _content(self, markup_: str, plain: str) -> None:
        """Write something visible (a word, a deletion marker, a code span)."""
        if self.at_line_start:
            self._close_all()
            if self.blank_wanted and self.out:
                self.out.append("\n" + self.indent.rstrip())
                self.plain.append("\n")
            self.blank_wanted = False
            self.out.append(self.indent)
            self.at_line_start = False
            self.space = False
        elif self.space:
            self._close_unwanted()
            self.out.append(" ")
            self.plain.append(" ")
            self.space = False
        else:
            self._close_unwanted()
        for marker in self.want[len(self.opened):]:
            self.out.append(marker)
            self.plain.append(_MARKS[marker][0])
            self.opened.append(marker)
        self.out.append(markup_)
        self.plain.append(plain)

    def word(self, word: str) -> None:
        escaped = word.translate(_ESCAPE)
        if self.at_line_start:
            if escaped[0] in _LINE_START:
                escaped = "\\" + escaped
            digits = len(escaped) - len(escaped.lstrip("0123456789"))
            if digits and escaped[digits:digits + 1] in (".", ")"):
                escaped = escaped[:digits] + "\\" + escaped[digits:]
        self._content(escaped, word)

    def newline(self) -> None:
        self._close_all()
        if not self.at_line_start:
            self.out.append("\n")
            self.plain.append("\n")
        self.at_line_start = True
        self.space = False

    def blank_line(self) -> None:
        self.newline()
        self.blank_wanted = True

    def text(self, text: str, preserve: bool = False) -> None:
        """Text from the document: Anki's own syntax ([sound:], cloze, MathJax) is found here."""
        while text:
            cut, kind, end = _next_special(text, self.cloze, self.deletion, self.in_hint)
            self._words(text[:cut], preserve)
            if kind is None:
                return
            token, text = text[cut:end], text[end:]
            if kind == "sound":
                self.lossy.append(f"sound {token} dropped (the card format has no audio)")
            elif kind == "math":
                self.math(token)
            elif kind == "open":
                self._open_deletion(int(token[3:-2]))
            elif kind == "hint":
                self.in_hint = True
            else:
                self._close_deletion()

    def _words(self, text: str, preserve: bool) -> None:
        if not text:
            return
        if self.in_hint:
            self.hint.append(text)
            return
        if preserve:  # <pre>: keep indentation as no-break spaces, which Markdown keeps
            lead = len(text) - len(text.lstrip(" \t"))
            if self.at_line_start and lead:
                text = "\u00a0" * lead + text[lead:]
            for index, part in enumerate(text.split(" ")):
                if index:
                    self.space = True
                if part:
                    self.word(part)
            return
        text = text.replace("\u00a0", " ")
        if text[:1].isspace():
            self.space = True
        for index, word in enumerate(text.split()):
            if index:
                self.space = True
            self.word(word)
        if text[-1:].isspace():
            self.space = True

    def math(self, token: str) -> None:
        """MathJax (and the old [$]/[latex] tags) as $...$ or $$...$$."""
        for start, stop, display in _MATH_DELIMITERS:
            if token.startswith(start):
                inner = " ".join(token[len(start):len(token) - len(stop)].split())
                if inner and "$" not in inner.replace("\\$", ""):
                    marks = _MARKS["math"]
                    self._content(("$$%s$$" if display else "$%s$") % inner,
                                  marks[0] + inner + marks[1])
                    return
        self._words(token, False)
        self.lossy.append("math kept as literal text (it holds a $ the card format cannot)")

    def _open_deletion(self, number: int) -> None:
        self.deletion += 1
        if self.deletion > 1:
            self.lossy.append("a cloze nested in another became plain text in it")
            return
        self.numbers.append(number)
        self._content("[[", _MARKS["cloze"][0])

    def _close_deletion(self) -> None:
        self.deletion -= 1
        if self.deletion:
            return
        if self.in_hint:
            hint = " ".join("".join(self.hint).split())
            self.hints.append(hint)
            self.in_hint, self.hint = False, []
        self._close_unwanted()  # emphasis opened inside the deletion closes inside it
        self.out.append("]]")
        self.plain.append(_MARKS["cloze"][1])

    def code(self, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        run = longest = 0
        for ch in text:
            run = run + 1 if ch == "`" else 0
            longest = max(longest, run)
        fence = "`" * (longest + 1)
        pad = " " if text[0] == "`" or text[-1] == "`" else ""
        self._content(f"{fence}{pad}{text}{pad}{fence}", _MARKS["code"][0] + text + _MARKS["code"][1])

    def finish(self) -> tuple[str, str]:
        self._close_all()
        if self.deletion:
            self.lossy.append("an unclosed cloze {{c...:: was closed at the end of its field")
            self.out.append("]]")
            self.plain.append(_MARKS["cloze"][1])
        lines = [line.rstrip() for line in "".join(self.out).split("\n")]
        text, blank = [], True
        for line in lines:
            if line.strip() or not blank:
                text.append(line)
            blank = not line.strip()
        return "\n".join(text).strip("\n"), "".join(self.plain)

    # ---- the HTML tree --------------------------------------------------------------------

    def children(self, node) -> None:
        for child in node.children:
            self.node(child)

    def node(self, node) -> None:
        if isinstance(node, (Comment, Declaration, Doctype, ProcessingInstruction)):
            return
        if isinstance(node, CData) or isinstance(node, NavigableString):
            self.text(str(node))
            return
        if not isinstance(node, Tag):
            return
        name = node.name.lower()
        if any(attr.lower().startswith("on") for attr in node.attrs):
            self.lossy.append(f"event handler on <{name}> dropped")
        if name in _DROPPED:
            self.lossy.append(f"<{name}> dropped")
            return
        if name == "br":
            self.newline()
        elif name == "hr":
            self.blank_line()
        elif name == "img":
            self.image(node)
        elif name in ("ul", "ol"):
            self.list(node, name == "ol")
        elif name == "li":  # outside a list
            self.newline()
            self.children(node)
            self.newline()
        elif name == "pre":
            self.pre(node)
        elif name in _CODE:
            self.code(node.get_text())
        elif name in ("sub", "sup"):
            self.script(node, _SUP if name == "sup" else _SUB)
        elif name in ("td", "th") and node.find_previous_sibling(("td", "th")) is not None:
            self.lossy.append("table flattened to lines, cells separated by |")
            self.space = True
            self.word("|")
            self.space = True
            self.styled(node, name)
        elif name in ("s", "del", "strike"):
            self.lossy.append("strikethrough dropped")
            self.children(node)
        elif name == "a":
            href = node.get("href", "")
            if href:
                self.lossy.append(f"link {href[:60]} dropped, its text kept")
            self.children(node)
        elif name in _BLOCKS:
            self.newline()
            self.styled(node, name)
            self.newline()
        else:
            self.styled(node, name)

    def styled(self, node: Tag, name: str) -> None:
        marker = None
        if self.emphasis and name in _BOLD and "**" not in self.want:
            marker = "**"
        elif self.emphasis and name in _ITALIC and "*" not in self.want:
            marker = "*"
        if marker:
            self.want.append(marker)
        self.children(node)
        if marker:
            self.want.pop()

    def image(self, node: Tag) -> None:
        src = (node.get("src") or "").strip()
        if not src:
            return
        if src.lower().startswith(_REMOTE):
            self.lossy.append(f"remote image {src[:60]} dropped")
            return
        self.images.append(unquote(src))

    def list(self, node: Tag, ordered: bool) -> None:
        self.newline()
        items = [child for child in node.children if isinstance(child, Tag) and child.name == "li"]
        outer = self.indent
        for number, item in enumerate(items, 1):
            mark = f"{number}. " if ordered else "- "
            self.newline()
            self._content(mark.rstrip(), mark.rstrip())
            self.space = True
            self.indent = outer + " " * len(mark)
            self.children(item)
            self.newline()
            self.indent = outer
        self.blank_line()

    def pre(self, node: Tag) -> None:
        """A fenced code block, verbatim; the fence longer than any backtick run at a line's
        start, so no line of the code can close it."""
        self.newline()
        lines = [line.rstrip() for line in node.get_text().strip("\n").split("\n")]
        if not any(line.strip() for line in lines):
            return
        fence = "```"
        while any(line.lstrip().startswith(fence) for line in lines):
            fence += "`"
        body = "\n".join(self.indent + line if line else "" for line in lines)
        want, self.want = self.want, []  # no emphasis around a block
        self._content(f"{fence}\n{body}\n{self.indent}{fence}",
                      _MARKS["code"][0] + "\n".join(lines) + _MARKS["code"][1])
        self.want = want
        self.newline()

    def script(self, node: Tag, table: dict) -> None:
        text = node.get_text()
        if text and all(ch in table for ch in text.lower() if not ch.isspace()):
            self.text("".join(table.get(ch.lower(), ch) if ch != " " else " " for ch in text))
            return
        self.lossy.append(f"<{node.name}>{text}</{node.name}> kept as plain text")
        self.children(node)


def _next_special(text: str, cloze: bool, depth: int, in_hint: bool):
    """Where the next piece of Anki syntax starts in text: (start, kind, end), or kind None."""
    best = (len(text), None, len(text))

    def consider(start: int, kind: str, end: int) -> None:
        nonlocal best
        if 0 <= start < best[0]:
            best = (start, kind, end)

    start = text.find("[sound:")
    if start >= 0:
        close = text.find("]", start)
        if close >= 0:
            consider(start, "sound", close + 1)
    if not in_hint:
        for open_, close_, _ in _MATH_DELIMITERS:
            start = text.find(open_)
            if start >= 0:
                stop = text.find(close_, start + len(open_))
                if stop >= 0:
                    consider(start, "math", stop + len(close_))
    if cloze:
        pos = text.find("{{c")
        while pos >= 0:
            digits = pos + 3
            while digits < len(text) and text[digits].isdigit():
                digits += 1
            if digits > pos + 3 and text.startswith("::", digits):
                consider(pos, "open", digits + 2)
                break
            pos = text.find("{{c", pos + 1)
        if depth:
            consider(text.find("}}"), "close", text.find("}}") + 2)
            if depth == 1 and not in_hint:
                consider(text.find("::"), "hint", text.find("::") + 2)
    return best
