r"""The card text format: plain text with a small Markdown subset, rendered for Anki and ReportLab.

What is markup (and nothing else is):
- **bold**, *italic*, `code` (inline), line breaks;
- bullet lists of `- ` items, only in text of two or more lines (a one-line "- 40 degrees" is text);
- fenced code blocks (``` or ~~~, with an optional language), verbatim, also only in text of two
  or more lines;
- $inline$ and $$display$$ TeX formulas, by pandoc's rule: the opening $ has a non-space right
  after it, the closing $ a non-space right before it and no digit right after it, so
  "$5 and $10" stays text;
- backslash escapes (\*, \$, \`, ...), and in cloze text [[deletions]], also inside code.
Ordered lists ("2006. It was"), `*` and `+` bullets and underscore emphasis (__init__, _id_)
are text. Raw HTML is text: the renderers escape every character either target would interpret.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from . import highlight, mathtex

OPEN, CLOSE = "[[", "]]"
TAB = 4  # a tab in a code block is spaces up to the next multiple of this


def _dash_list(state, start_line: int, end_line: int, silent: bool) -> bool:
    """CommonMark lists, but only `- ` bullets, and only in text of two or more lines."""
    from markdown_it.rules_block import list_block as _list_rule

    if state.env.get("single_line"):
        return False
    pos = state.bMarks[start_line] + state.tShift[start_line]
    if state.src[pos:pos + 1] != "-":
        return False
    return _list_rule(state, start_line, end_line, silent)


def _fence(state, start_line: int, end_line: int, silent: bool) -> bool:
    from markdown_it.rules_block import fence as _fence_rule

    if state.env.get("single_line"):
        return False
    return _fence_rule(state, start_line, end_line, silent)


def _next_dollar(src: str, pos: int, stop: int) -> int:
    """The next $ at or after pos that no backslash escapes, or -1."""
    while pos < stop:
        ch = src[pos]
        if ch == "\\":
            pos += 2
            continue
        if ch == "$":
            return pos
        pos += 1
    return -1


def _math(state, silent: bool) -> bool:
    """$inline$ and $$display$$ TeX, by pandoc's rule (see the module docstring)."""
    src, pos, stop = state.src, state.pos, state.posMax
    if src[pos] != "$":
        return False
    if src.startswith("$$", pos):
        close = pos + 2
        while True:
            close = _next_dollar(src, close, stop)
            if close < 0:
                return False
            if src.startswith("$$", close):
                break
            close += 1
        tex, kind, after = src[pos + 2:close], "math_display", close + 2
        if not tex.strip():
            return False
    else:
        start = pos + 1
        if start >= stop or src[start].isspace() or src[start] == "$":
            return False
        close = start
        while True:
            close = _next_dollar(src, close, stop)
            if close < 0:
                return False
            if not src[close - 1].isspace() and not (close + 1 < stop and src[close + 1].isdigit()):
                break
            close += 1
        tex, kind, after = src[start:close], "math_inline", close + 1
    if not silent:
        token = state.push(kind, "", 0)
        token.content = tex
    state.pos = after
    return True


@functools.cache
def _markdown():
    """The parser, made on first use: most text never needs it (see `parse`)."""
    from markdown_it import MarkdownIt

    # text_join would merge escaped characters back into plain text, where an escaped \[\[
    # in cloze text would then open a deletion; they stay `text_special` tokens and stay
    # literal.
    md = MarkdownIt("zero", {"breaks": True, "html": False}).enable(
        ["emphasis", "backticks", "newline", "escape"]).disable("text_join")
    md.block.ruler.at("list", _dash_list, {"alt": ["paragraph", "reference", "blockquote"]})
    md.block.ruler.at("fence", _fence, {"alt": ["paragraph", "reference", "blockquote", "list"]})
    md.enable(["list", "fence"])
    md.inline.ruler.before("escape", "math", _math)
    return md


# ---- the parsed form: a tiny tree, independent of either output ----------------------------


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Code:
    """Inline code: Text, and in cloze text deletion Spans holding Text."""

    children: tuple


@dataclass(frozen=True, slots=True)
class Math:
    tex: str
    display: bool = False


@dataclass(frozen=True, slots=True)
class Break:
    pass


@dataclass(frozen=True, slots=True)
class Span:
    """Inline container: kind is "strong", "em" or "cloze" (then `number` counts from 1)."""

    kind: str
    children: tuple
    number: int = 0


@dataclass(frozen=True, slots=True)
class Para:
    children: tuple


@dataclass(frozen=True, slots=True)
class ListBlock:
    items: tuple  # each item a tuple of blocks


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A fenced block, verbatim (tabs as spaces); `deletions` are (start, end, number) ranges
    of `code` hidden in cloze text."""

    language: str
    code: str
    deletions: tuple = ()


def _split_deletions(text: str, first: int) -> tuple[str, tuple]:
    """Text with [[...]] taken out, and the (start, end, number) ranges they marked. Markers
    that do not pair up stay as text."""
    out: list[str] = []
    ranges = []
    length = 0
    pos = 0
    number = first
    while True:
        start = text.find(OPEN, pos)
        end = text.find(CLOSE, start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            out.append(text[pos:])
            break
        inner = text[start + 2:end]
        if OPEN in inner:  # "[[a [[b]]": the first marker is text, try again from the second
            cut = start + 2 + inner.rindex(OPEN)
            out.append(text[pos:cut])
            length += cut - pos
            pos = cut
            continue
        out.append(text[pos:start])
        length += start - pos
        out.append(inner)
        ranges.append((length, length + len(inner), number))
        length += len(inner)
        number += 1
        pos = end + 2
    return "".join(out), tuple(ranges)


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

    def in_cloze(self) -> bool:
        return any(kind == "cloze" for kind, _, _ in self.stack)

    def code(self, text: str) -> None:
        if not self.cloze or self.in_cloze() or OPEN not in text:
            self.add(Code((Text(text),) if text else ()))
            return
        plain, ranges = _split_deletions(text, self.next_number)
        self.next_number += len(ranges)
        children, pos = [], 0
        for start, end, number in ranges:
            if start > pos:
                children.append(Text(plain[pos:start]))
            children.append(Span("cloze", (Text(plain[start:end]),) if end > start else (), number))
            pos = end
        if pos < len(plain):
            children.append(Text(plain[pos:]))
        self.add(Code(tuple(children)))

    def text(self, text: str) -> None:
        if not self.cloze:
            self.add(Text(text))
            return
        pos = 0
        while pos < len(text):
            in_cloze = self.in_cloze()
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
            builder.code(child.content)
        elif kind in ("math_inline", "math_display"):
            builder.add(Math(child.content, kind == "math_display"))
        elif kind in ("softbreak", "hardbreak"):
            builder.add(Break())
        elif "_" in child.markup and kind in ("em_open", "em_close", "strong_open", "strong_close"):
            builder.text(child.markup)  # underscores are not emphasis: __init__, _id_ stay as typed
        elif kind.endswith("_open"):
            builder.push(kind[:-5])
        elif kind.endswith("_close"):
            builder.pop(kind[:-6])
        else:  # any other token type is shown as its source text
            builder.add(Text(child.content))
    return builder.finish()


@dataclass(frozen=True, slots=True)
class Markup:
    blocks: tuple
    deletions: int  # how many [[deletions]] were found

    @property
    def is_inline(self) -> bool:
        return len(self.blocks) == 1 and isinstance(self.blocks[0], Para)


# Text without these characters has no markup at all: most card text. It skips the Markdown
# parser (tests/test_markup.py proves the two agree). Lists and fences need a line break.
_MARKUP_CHARS = tuple("*_`$\\[]\n\r\x00")


def _holds_any(text: str, chars: tuple) -> bool:
    # One substring search per character: a few times faster than a set's isdisjoint, which
    # looks every character of the text up in the set.
    for char in chars:
        if char in text:
            return True
    return False


# **Bold** words in otherwise plain text, where CommonMark can only read them as bold: the
# opening ** at the start or after a space and before a letter or digit, the closing ** after
# a letter or digit and before a space, the end or a closing punctuation mark.
_STRONG = re.compile(r"(?<![^ ])\*\*([^\W_](?:[^*_`$\\\[\]\n\r\x00]*[^\W_])?)\*\*"
                     r"(?=[ .,;:!?)]|\Z)")


def _is_plain(text: str) -> bool:
    """Text with no markup at all (most card text): it is its own paragraph."""
    return bool(text) and not _holds_any(text, _MARKUP_CHARS) and text == text.strip()


# Parsed text with markup, kept for the life of the process: the loader parses every text to
# check it, then the writers need the same parse (the deck in this process, the PDFs in forked
# workers, which inherit what is here). Plain text is not kept: one set test parses it. The
# bound is for watch mode, which loads deck after deck in one process.
_PARSED: dict = {}
_EMPTY = Markup((), 0)
_PARSED_LIMIT = 1 << 18


def parse(text: str, cloze: bool = False, first: int = 1) -> Markup:
    """Parse card text. With `cloze`, [[...]] marks deletions numbered from `first`."""
    if _is_plain(text):
        return Markup((Para((Text(text),)),), 0)
    if not text:  # an empty description: no need to load the parser for it
        return _EMPTY
    key = (text, cloze, first) if cloze else text
    markup = _PARSED.get(key)
    if markup is None:
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        markup = None
        if "**" in text and text == text.strip():
            markup = _bold_only(text, cloze)
        _PARSED[key] = markup = markup or _parse(text, cloze, first)
    return markup


def _bold_only(text: str, cloze: bool) -> Markup | None:
    """Plain text with **bold** words only, without the parser; None for anything else."""
    parts = _STRONG.split(text)  # plain, bold, plain, ..., plain
    children: list = []
    for index, part in enumerate(parts):
        if index % 2:
            children.append(Span("strong", (Text(part),)))
        elif _holds_any(part, _MARKUP_CHARS):
            return None
        elif part or not cloze:  # the parser keeps an empty text at either end, but not
            children.append(Text(part))  # when it looks for deletions
    return Markup((Para(tuple(children)),), 0)


def _parse(text: str, cloze: bool, first: int) -> Markup:
    stripped = text.strip()
    tokens = _markdown().parse(text, {"single_line": "\n" not in stripped and "\r" not in stripped})
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
            elif token.type == "fence":
                code = "\n".join(line.expandtabs(TAB) for line in token.content.split("\n"))
                code = code[:-1] if code.endswith("\n") else code
                ranges: tuple = ()
                if cloze:
                    code, ranges = _split_deletions(code, numbering[0])
                    numbering[0] += len(ranges)
                out.append(CodeBlock(token.info.strip().split(" ")[0], code, ranges))
            elif token.type == "bullet_list_open":
                end = _matching(tokens, i)
                items = []
                j = i + 1
                while j < end:
                    item_end = _matching(tokens, j)
                    items.append(blocks(j + 1, item_end))
                    j = item_end + 1
                out.append(ListBlock(tuple(items)))
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


def formulas(text: str, cloze: bool = False) -> list[Math]:
    """Every TeX formula of the text, in order."""
    found: list[Math] = []

    def inline(nodes) -> None:
        for node in nodes:
            if isinstance(node, Math):
                found.append(node)
            elif isinstance(node, Span):
                inline(node.children)

    def walk(blocks) -> None:
        for block in blocks:
            if isinstance(block, Para):
                inline(block.children)
            elif isinstance(block, ListBlock):
                for item in block.items:
                    walk(item)

    walk(parse(text, cloze).blocks)
    return found


def problems(text: str, cloze: bool = False) -> list[str]:
    """What in the text cannot be shown on paper: formulas the TeX renderer cannot draw,
    each with the renderer's reason."""
    found = []
    for formula in formulas(text, cloze):
        reason = mathtex.problem(formula.tex, formula.display)
        if reason:
            mark = "$$" if formula.display else "$"
            found.append(f"formula {mark}{formula.tex}{mark} cannot be drawn: {reason}")
    return found


def code_lines(block: CodeBlock) -> list[list[tuple[str, str, int]]]:
    """The block's lines, each a list of (class, text, deletion number or 0) runs: the
    highlighter's runs cut where deletions start and end."""
    runs = highlight.runs(block.language, block.code)
    cuts = sorted({0, len(block.code)} | {p for s, e, _ in block.deletions for p in (s, e)})
    lines: list[list[tuple[str, str, int]]] = [[]]
    pos = 0
    for cls, text in runs:
        end = pos + len(text)
        points = [pos] + [c for c in cuts if pos < c < end] + [end]
        for a, b in zip(points, points[1:]):
            number = next((n for s, e, n in block.deletions if s <= a and b <= e and s < e), 0)
            pieces = block.code[a:b].split("\n")
            for index, piece in enumerate(pieces):
                if index:
                    lines.append([])
                if piece:
                    lines[-1].append((cls, piece, number))
        pos = end
    # An empty deletion [[]] has no run to carry it; it is kept as an empty run at its place.
    for start, end, number in block.deletions:
        if start == end:
            _insert_empty(lines, block.code, start, number)
    return lines


def _insert_empty(lines, code: str, offset: int, number: int) -> None:
    line_no = code.count("\n", 0, offset)
    column = offset - (code.rfind("\n", 0, offset) + 1)
    line, pos = lines[line_no], 0
    for index, (_, text, _) in enumerate(line):
        if pos >= column:
            line.insert(index, ("", "", number))
            return
        pos += len(text)
    line.append(("", "", number))


# ---- renderers ------------------------------------------------------------------------------


def _walk_inline(nodes, out: list, esc, tags, cloze_fn, math_fn) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(esc(node.text))
        elif isinstance(node, Code):
            out.append(tags["code"][0])
            _walk_inline(node.children, out, tags["code_esc"], tags, cloze_fn, math_fn)
            out.append(tags["code"][1])
        elif isinstance(node, Math):
            out.append(math_fn(node))
        elif isinstance(node, Break):
            out.append(tags["br"])
        elif node.kind == "cloze":
            inner: list = []
            _walk_inline(node.children, inner, esc, tags, cloze_fn, math_fn)
            out.append(cloze_fn(node.number, "".join(inner)))
        else:
            out.append(tags[node.kind][0])
            _walk_inline(node.children, out, esc, tags, cloze_fn, math_fn)
            out.append(tags[node.kind][1])


def _code_block(block: CodeBlock, esc, run_fn, cloze_fn, br: str) -> str:
    """A code block's lines joined by `br`: each run through run_fn(class, escaped text), each
    deletion's runs (which may span lines) through cloze_fn(number, inner)."""
    return "".join(_code_pieces(block, lambda cls, text: run_fn(cls, esc(text)),
                                lambda number, inner: [cloze_fn(number, "".join(inner))], br))


def _code_pieces(block: CodeBlock, run_fn, cloze_fn, br) -> list:
    """A code block as a list of pieces, lines separated by `br`: each run made by
    run_fn(class, text), each deletion's pieces (which may span lines) replaced by
    cloze_fn(number, pieces), a list."""
    out: list = []
    open_number, held = 0, []

    def emit(number: int, pieces: list) -> None:
        nonlocal open_number, held
        if number != open_number:
            if open_number:
                out.extend(cloze_fn(open_number, held))
            open_number, held = number, []
        (held if number else out).extend(pieces)

    line_start = 0
    for index, line in enumerate(code_lines(block)):
        if index:
            newline = line_start - 1
            emit(next((n for s, e, n in block.deletions if s <= newline < e), 0), [br])
        for cls, text, number in line:
            emit(number, [run_fn(cls, text)] if text else [])
        line_start += sum(len(text) for _, text, _ in line) + 1
    emit(0, [])
    return out


# Anki reads a field's raw text for {{c1::...}}, [sound:...] and "::" hints, so those
# characters go in as character references: shown the same, never interpreted.
_ANKI_ESCAPES = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "{": "&#123;", "}": "&#125;", "[": "&#91;", "]": "&#93;", ":": "&#58;",
})
_HTML_TAGS = {
    "strong": ("<b>", "</b>"), "em": ("<i>", "</i>"), "code": ("<code>", "</code>"), "br": "<br>",
}


_ANKI_SPECIAL = tuple(chr(c) for c in _ANKI_ESCAPES)


def _anki_code_escape(text: str) -> str:
    return text.translate(_ANKI_ESCAPES) if _holds_any(text, _ANKI_SPECIAL) else text


def _anki_escape(text: str) -> str:
    # Anki's MathJax reads \( and \[ anywhere in the card's text; a word joiner (invisible)
    # keeps a typed \( literal. Formulas come only from $...$ (and MathJax skips <code>).
    if "\\" in text:
        text = text.replace("\\(", "\\\u2060(").replace("\\[", "\\\u2060[")
    # str.translate looks every character up in a dict: most text has nothing to escape
    return text.translate(_ANKI_ESCAPES) if _holds_any(text, _ANKI_SPECIAL) else text


def _anki_cloze(number: int, inner: str) -> str:
    return "{{c%d::%s}}" % (number, inner)


def _anki_math(node: Math) -> str:
    tex = _anki_code_escape(node.tex)
    return f"\\[{tex}\\]" if node.display else f"\\({tex}\\)"


def _anki_run(cls: str, text: str) -> str:
    return f'<span class="hl-{cls}">{text}</span>' if cls else text


def to_html(text: str, cloze: bool = False, first: int = 1) -> str:
    """Anki field HTML. With `cloze`, deletions become {{cN::...}}."""
    if _is_plain(text):
        return _anki_escape(text)
    markup = parse(text, cloze, first)
    blocks = markup.blocks
    if len(blocks) == 1 and isinstance(blocks[0], Para) and len(blocks[0].children) == 1 \
            and type(blocks[0].children[0]) is Text:  # plain text, most fields
        return _anki_escape(blocks[0].children[0].text)
    out: list = []
    _html_blocks(blocks, out, markup.is_inline)
    return "".join(out)


def _html_blocks(blocks, out: list, inline: bool) -> None:
    tags = dict(_HTML_TAGS, code_esc=_anki_code_escape)
    for block in blocks:
        if isinstance(block, Para):
            if not inline:
                out.append("<div>")
            _walk_inline(block.children, out, _anki_escape, tags, _anki_cloze, _anki_math)
            if not inline:
                out.append("</div>")
        elif isinstance(block, CodeBlock):
            lang = f' class="language-{_anki_code_escape(block.language)}"' if block.language else ""
            body = _code_block(block, _anki_code_escape, _anki_run, _anki_cloze, "\n")
            out.append(f'<pre class="code"><code{lang}>{body}</code></pre>')
        else:
            out.append("<ul>")
            for item in block.items:
                out.append("<li>")
                _html_blocks(item, out, len(item) == 1 and isinstance(item[0], Para))
                out.append("</li>")
            out.append("</ul>")


# ReportLab paragraph markup is XML-like: only &, < and > need escaping (and " in attributes).
_RL_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_RL_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _rl_escape(text: str) -> str:
    return text.translate(_RL_ESCAPES)


def _rl_math(node: Math) -> str:
    """A formula for the PDF writers to draw (pdfbase turns it into a sized box)."""
    return f'<math tex="{node.tex.translate(_RL_ATTR_ESCAPES)}" display="{int(node.display)}"/>'


def _rl_run(cls: str, text: str) -> str:
    return f'<hl c="{cls}">{text}</hl>' if cls else text


GAP = "[\u2009\u2026\u2009]"  # what a hidden deletion shows on a printed front


def to_rl(text: str, cloze: bool = False, first: int = 1, *, mode: str = "bold",
          number: int = 0, mono: str = "Courier", bullet: str = "\u2022") -> str:
    """ReportLab paragraph markup, plus two tags of our own for the PDF writers' pdfbase:
    <math tex="..." display="0|1"/> for a formula, and <codeblock lang="...">lines joined
    by <br/>, runs as <hl c="class">text</hl></codeblock> for a code block.

    Deletions (with `cloze`) print by `mode`: "bold" shows every one in bold (a cheat sheet);
    "gap" hides deletion `number` and shows the rest plainly (a card's front); "fill" shows
    deletion `number` in bold and the rest plainly (its back).
    """
    markup = parse(text, cloze, first)
    tags = {
        "strong": ("<b>", "</b>"), "em": ("<i>", "</i>"),
        "code": (f'<font face="{mono}">', "</font>"), "br": "<br/>", "code_esc": _rl_escape,
    }

    def deletion(n: int, inner: str) -> str:
        if mode == "bold" or (mode == "fill" and n == number):
            return f"<b>{inner}</b>"
        if mode == "gap" and n == number:
            return GAP
        return inner

    lines: list[str] = []
    _rl_blocks(markup.blocks, lines, _rl_escape, tags, deletion, _rl_math, bullet, "")
    return "<br/>".join(lines)


def _rl_blocks(blocks, lines: list, esc, tags, deletion, math_fn, bullet: str, indent: str,
               space: str = "\u00a0") -> None:
    for block in blocks:
        if isinstance(block, Para):
            out: list = []
            _walk_inline(block.children, out, esc, tags, deletion, math_fn)
            lines.append(indent + "".join(out))
        elif isinstance(block, CodeBlock):
            body = _code_block(block, tags["code_esc"], tags.get("run", _rl_run), deletion,
                               tags["br"])
            if "codeblock" in tags:
                lines.append(tags["codeblock"](block, body))
            else:
                lang = block.language.translate(_RL_ATTR_ESCAPES)
                lines.append(f'{indent}<codeblock lang="{lang}">{body}</codeblock>')
        else:
            for item in block.items:
                sub: list = []
                _rl_blocks(item, sub, esc, tags, deletion, math_fn, bullet, indent + space * 3,
                           space)
                first_line = sub[0][len(indent) + 3:] if sub else ""
                lines.append(f"{indent}{bullet}{space}{first_line}")
                lines.extend(sub[1:])


def to_plain(text: str, cloze: bool = False) -> str:
    """The text a reader sees, without formatting: for tests, sorting and duplicate checks.
    A formula shows as its TeX, a code block as its lines."""
    markup = parse(text, cloze)
    lines: list[str] = []
    tags = {"strong": ("", ""), "em": ("", ""), "code": ("", ""), "br": "\n", "code_esc": str,
            "run": lambda cls, t: t, "codeblock": lambda block, body: body}
    _rl_blocks(markup.blocks, lines, str, tags, lambda n, inner: inner, lambda m: m.tex,
               "-", "", " ")
    return "\n".join(lines)


def deletions(text: str) -> int:
    return parse(text, True).deletions


# ---- what a reader sees -----------------------------------------------------------------------

# Characters that draw nothing although Unicode does not class them as spaces or formats.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def _is_visible(char: str) -> bool:
    if char.isspace() or char in _BLANK_LOOKING:
        return False
    # format characters (zero-width space, joiners, direction marks), controls, and
    # combining marks, which draw nothing without a base character
    return unicodedata.category(char) not in ("Cf", "Cc", "Mn", "Me", "Zs", "Zl", "Zp")


def _shown(nodes, out: list, deletions: dict) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Math):
            out.append(node.tex)
        elif isinstance(node, Code):
            _shown(node.children, out, deletions)
        elif isinstance(node, CodeBlock):
            out.append(node.code)
            for start, end, number in node.deletions:
                deletions[number] = node.code[start:end]
        elif isinstance(node, Span):
            inner: list = []
            _shown(node.children, inner, deletions)
            if node.kind == "cloze":
                deletions[node.number] = "".join(inner)
            out.extend(inner)
        elif isinstance(node, Para):
            _shown(node.children, out, deletions)
        elif isinstance(node, ListBlock):
            for item in node.items:
                _shown(item, out, deletions)
        elif isinstance(node, tuple):
            _shown(node, out, deletions)


def blank_parts(text: str, cloze: bool = False) -> tuple[bool, list[int]]:
    """(whether the text shows nothing visible at all, the numbers of its [[deletions]] that
    show nothing). List marks and markup characters do not count: a lone "-" is an empty
    list, `[[ ]]` an empty deletion."""
    if text.isascii() and text.isprintable() and _is_plain(text):
        return False, []  # printable ASCII other than spaces is visible
    deletions: dict[int, str] = {}
    out: list = []
    _shown(parse(text, cloze).blocks, out, deletions)
    blank = not any(_is_visible(c) for c in "".join(out))
    return blank, [n for n, inner in sorted(deletions.items())
                   if not any(_is_visible(c) for c in inner)]


# ---- runs: the text as styled pieces, for writers that lay out words themselves ---------------

BOLD, ITALIC, MONO = 1, 2, 4  # a run's style: these bits or'ed
BREAK = Break()


@dataclass(frozen=True, slots=True)
class CodeRuns:
    """A code block as printed: lines of (text, class, bold) runs, deletions shown by mode."""

    lines: tuple


class Runs:
    """Card text as runs, for the PDF writers that break lines themselves: (text, style)
    pairs, Math nodes, BREAK and CodeRuns, in order, with the layout of `to_rl` (list items
    as lines with a bullet, indented with no-break spaces) but no markup to re-read.

    Text runs are cut where `to_rl` puts a tag and only there: text that markup would
    carry as one piece stays one run (a bullet and the item after it, a printed gap and
    the text around it), so words are measured as they were from the markup."""

    def __init__(self):
        self.out: list = []
        self._open = False  # the last run is text that the next text continues

    def text(self, text: str, style: int = 0) -> Runs:
        if not text:
            return self
        out = self.out
        if self._open and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        else:
            out.append((text, style))
            self._open = True
        return self

    def cut(self) -> Runs:
        """A tag's place: the next text starts a run of its own."""
        self._open = False
        return self

    def add(self, item) -> Runs:
        """A formula, BREAK or CodeRuns."""
        self.out.append(item)
        self._open = False
        return self

    def card(self, text: str, cloze: bool = False, first: int = 1, *, mode: str = "bold",
             number: int = 0, style: int = 0, bullet: str = "\u2022") -> Runs:
        """Card text's runs (deletions printed by `mode` as in to_rl), in `style` and cut
        from what is around it if a style is given (as a tag around it would)."""
        if style:
            self.cut()
        if _is_plain(text):
            self.text(text, style)
        else:
            _block_runs(self, parse(text, cloze, first).blocks, style, mode, number, bullet,
                        "", None, [True])
        if style:
            self.cut()
        return self


def runs(text: str, cloze: bool = False, first: int = 1, **options) -> tuple:
    """Card text as a tuple of runs (see Runs); options as Runs.card's."""
    return tuple(Runs().card(text, cloze, first, **options).out)


def _block_runs(out: Runs, blocks, style: int, mode: str, number: int, bullet: str,
                indent: str, prefix: str | None, first: list) -> None:
    """As _rl_blocks: every block a line (a list a line per item line), each line started
    by `indent`, or by `prefix` for the first line of a list item."""
    space = "\u00a0"
    for block in blocks:
        if isinstance(block, ListBlock):
            for item in block.items:
                start = prefix if prefix is not None else indent
                prefix = None
                _block_runs(out, item, style, mode, number, bullet, indent + space * 3,
                            start + bullet + space, first)
            continue
        _line(out, prefix if prefix is not None else indent, style, first)
        prefix = None
        if isinstance(block, Para):
            _inline_runs(out, block.children, style, mode, number)
        else:
            out.add(CodeRuns(code_runs(block, mode, number)))
    if prefix is not None:  # an empty list item: its bullet
        _line(out, prefix, style, first)


def _line(out: Runs, start: str, style: int, first: list) -> None:
    if not first[0]:
        out.add(BREAK)
    first[0] = False
    out.text(start, style)


def _inline_runs(out: Runs, nodes, style: int, mode: str, number: int) -> None:
    for node in nodes:
        kind = type(node)
        if kind is Text:
            out.text(node.text, style)
        elif kind is Code:
            out.cut()
            _inline_runs(out, node.children, style | MONO, mode, number)
            out.cut()
        elif kind is Math:
            out.add(node)
        elif kind is Break:
            out.add(BREAK)
        elif node.kind == "cloze":
            if mode == "bold" or (mode == "fill" and node.number == number):
                out.cut()
                _inline_runs(out, node.children, style | BOLD, mode, number)
                out.cut()
            elif mode == "gap" and node.number == number:
                out.text(GAP, style)
            else:
                _inline_runs(out, node.children, style, mode, number)
        else:
            out.cut()
            _inline_runs(out, node.children, style | (BOLD if node.kind == "strong" else ITALIC),
                         mode, number)
            out.cut()


def code_runs(block: CodeBlock, mode: str = "bold", number: int = 0) -> tuple:
    """A code block's lines of (text, class, bold) runs, deletions printed by `mode` as in
    to_rl: text that its markup carries as one piece (runs with no class) one run."""
    def deletion(n: int, inner: list) -> list:
        if mode == "bold" or (mode == "fill" and n == number):
            return ["<b>", *inner, "</b>"]
        if mode == "gap" and n == number:
            return [("text", GAP, "")]
        return inner

    # The markup to_rl writes, as events: ("text", text, class), "<b>", "</b>", "br".
    events = _code_pieces(block, lambda cls, text: ("text", text, cls), deletion, "br")
    lines: list = [[]]
    bold, joined = 0, False  # joined: the last run has no class and no tag after it
    for event in events:
        if event == "br":
            lines.append([])
        elif event == "<b>":
            bold += 1
        elif event == "</b>":
            bold = max(0, bold - 1)
        else:
            _, text, cls = event
            if joined and not cls:
                last = lines[-1][-1]
                lines[-1][-1] = (last[0] + text, "", last[2])
            else:
                lines[-1].append((text, cls, bold > 0))
            joined = not cls
            continue
        joined = False
    return tuple(tuple(line) for line in lines)
