"""The card text format: the Markdown subset renders, and nothing else is ever live."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.sax.saxutils import unescape

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle

from studycards import markup
from studycards.writers import pdfbase, pdfcode

pdfbase.register_fonts()

# Characters the Markdown subset gives a meaning to; text without them must come out as is.
MARKDOWN_CHARS = set("*_`$\\[]-+.0123456789\n\r\t ")
plain_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="".join(MARKDOWN_CHARS)),
    min_size=1, max_size=80)


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def anki_view(field: str) -> tuple[list[str], str]:
    parser = TagCollector()
    parser.feed(field)
    parser.close()
    return parser.tags, "".join(parser.text)


def test_subset_renders_for_anki():
    assert markup.to_html("**b** *i* `c`") == "<b>b</b> <i>i</i> <code>c</code>"
    assert markup.to_html("one\ntwo") == "one<br>two"
    assert markup.to_html("Intro\n\n- a\n- b") == "<div>Intro</div><ul><li>a</li><li>b</li></ul>"


def test_raw_html_and_template_syntax_are_text():
    field = markup.to_html('<script>alert(1)</script> & {{Front}} [sound:x.mp3] "q"')
    assert "<script>" not in field and "{{" not in field and "[sound:" not in field
    assert anki_view(field) == ([], '<script>alert(1)</script> & {{Front}} [sound:x.mp3] "q"')


def test_cloze_deletions_are_numbered_and_escaped():
    field = markup.to_html("[[one]] and **[[two::x]]**", cloze=True)
    assert field == "{{c1::one}} and <b>{{c2::two&#58;&#58;x}}</b>"
    assert markup.deletions("[[a]] [[b]] [[c]]") == 3
    assert markup.deletions("no [[deletion here") == 0
    assert markup.to_html("[[x]]") == "&#91;&#91;x&#93;&#93;"  # only cloze text has deletions


def test_reportlab_modes():
    text = "A [[b]] c [[d]]"
    assert markup.to_rl(text, True) == "A <b>b</b> c <b>d</b>"
    assert markup.to_rl(text, True, mode="gap", number=2) == f"A b c {markup.GAP}"
    assert markup.to_rl(text, True, mode="fill", number=1) == "A <b>b</b> c d"
    assert markup.to_rl("x < y & z") == "x &lt; y &amp; z"
    assert markup.to_rl("- a\n- b") == "\u2022\u00a0a<br/>\u2022\u00a0b"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=200), st.text(alphabet="ab $`~\n*_[]\\-1.", max_size=60)),
       st.booleans())
def test_any_text_renders_without_live_markup(text, cloze):
    field = markup.to_html(text, cloze)
    tags, _ = anki_view(field)
    assert set(tags) <= {"b", "i", "code", "br", "div", "ul", "li", "pre", "span"}
    # Anki's own syntax can only come from deletions we made
    assert "[sound:" not in field
    assert len(re.findall(r"\{\{", field)) == markup.deletions(text) * cloze
    rl_text = markup.to_rl(text, cloze, mono=pdfbase.MONO)
    if not markup.problems(text, cloze):  # TeX the renderer refuses never reaches a writer
        for flowable in pdfcode.flow(rl_text, ParagraphStyle("t", fontName=pdfbase.SANS)):
            flowable.wrap(200, 1000)  # ReportLab accepts it: no stray < or &
    markup.to_plain(text, cloze)


@settings(max_examples=300, deadline=None)
@given(plain_text)
def test_plain_text_comes_out_literally(text):
    text = text.strip()
    if not text:
        return
    _, shown = anki_view(markup.to_html(text))
    assert shown == text  # the parser already decoded the character references
    rl_text = markup.to_rl(text)
    assert unescape(rl_text) == text
    assert markup.to_plain(text) == text


# Pieces of text with **bold** words: where the bold-only fast path applies and where it
# must not (a * or ** in the wrong place, punctuation or underscores at the edges).
bold_text = st.lists(st.sampled_from(
    ["**a**", "**x y**", "**\u00e9 2**", "a", "b1", "\u00e9t\u00e9", "\u4e2d", " ", "  ", "**", "*", "_", ".", ",", "(", ")", "?", "!",
     ":", "-", "'", "\u00a0", "x y", "1", "[[", "]]", "`", "\\", "\t"]), max_size=14).map("".join)
mostly_bold = st.lists(st.sampled_from(
    ["**a**", "**x y**", "**\u00e9 2**", "**\u4e2d**", "word", " ", " ", ".", ",", ")", "?", "(",
     "\u00e9"]), max_size=10).map(lambda parts: "".join(parts).strip())


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
                 st.text(alphabet="ab #>1.-+*_`<&{}:\t\x0b\x0c\u00a0\u2003\u2028", max_size=30),
                 bold_text, mostly_bold),
       st.booleans())
def test_fast_path_agrees_with_the_parser(text, cloze):
    assert markup.parse(text, cloze) == markup._parse(text, cloze, 1)


def test_escaped_brackets_in_cloze_text_stay_literal():
    text = r"Keep \[\[this\]\] and hide [[that]]"
    assert markup.deletions(text) == 1
    assert markup.to_plain(text, cloze=True) == "Keep [[this]] and hide that"
    assert "{{c1::that}}" in markup.to_html(text, cloze=True)
    assert "{{c" not in markup.to_html(text, cloze=True).split("{{c1::that}}")[0]


# ---- only the documented markup is markup (issue 10: text must not change meaning) ----------


def test_ordered_lists_star_plus_bullets_and_underscores_are_text():
    for text in ("2006. It was the year", "1) first", "1. a\n2. b", "* a\n+ b",
                 "__init__ and _id_ and snake_case", "- 40 degrees", "- 40 degrees\n",
                 "-5 and +3", "# not a heading", "> not a quote"):
        assert markup.to_plain(text) == text.strip(), text
        _, shown = anki_view(markup.to_html(text))
        assert shown.replace("\n", "") == text.strip().replace("\n", ""), text
    assert "<b>" not in markup.to_html("__init__") and "<i>" not in markup.to_html("_id_")
    assert markup.to_html("*it* __x__") == "<i>it</i> __x__"


def test_dash_bullets_need_two_lines():
    assert markup.to_html("Temperatures:\n- 40 degrees\n- 12 degrees") == \
        "<div>Temperatures&#58;</div><ul><li>40 degrees</li><li>12 degrees</li></ul>"
    assert markup.to_html("- a\n- b") == "<ul><li>a</li><li>b</li></ul>"
    assert markup.to_html("\\- a\n\\- b") == "- a<br>- b"  # escaped: text


# Lines of words, numbers, dots, underscores, dashes and other punctuation; no `*`, backtick,
# backslash, `$` or brackets (which are markup), and no line starting with "- " (a bullet).
_line = st.text(alphabet="ab 09._-+#>)(:,;!?'/=%", min_size=1, max_size=25)


@settings(max_examples=400, deadline=None)
@given(st.lists(_line, min_size=1, max_size=4))
def test_text_without_markup_characters_comes_out_as_typed(lines):
    lines = [line.strip() for line in lines]
    if any(not line or line.startswith("-") for line in lines[1:]) or not lines[0]:
        return  # a bullet list (two or more lines) or an empty line: markup by design
    if len(lines) > 1 and lines[0].startswith("-"):
        return
    text = "\n".join(lines)
    assert markup.to_plain(text) == text
    assert unescape(markup.to_rl(text).replace("<br/>", "\n")) == text
    _, shown = anki_view(markup.to_html(text).replace("<br>", "\n"))
    assert shown == text


# ---- formulas --------------------------------------------------------------------------------


def test_dollar_rule_follows_pandoc():
    math = markup.formulas
    assert [m.tex for m in math("Euler: $e^{i\\pi}+1=0$.")] == ["e^{i\\pi}+1=0"]
    assert math("Costs $5 and $10.") == []
    assert math("$ x$ and $x $") == []  # space after the opener, before the closer
    assert math("from $x$5") == []  # a closer followed by a digit is not one
    assert math("a \\$x\\$ b") == [] and markup.to_plain("a \\$x\\$ b") == "a $x$ b"
    assert [(m.tex, m.display) for m in math("$$\\sum_i i$$")] == [("\\sum_i i", True)]
    assert [m.tex for m in math("- $a$\n- **$b$**")] == ["a", "b"]
    assert [m.tex for m in math("$a \\$ b$")] == ["a \\$ b"]  # \$ inside TeX is TeX's


def test_formulas_for_anki_are_mathjax_and_literal_parens_stay_text():
    assert markup.to_html("Area $\\pi r^2$") == "Area \\(\\pi r^2\\)"
    assert markup.to_html("$$x^{2}$$") == "\\[x^&#123;2&#125;\\]"
    field = markup.to_html("typed \\\\(x\\\\)")  # a literal \( in the text
    assert "\\(" not in field and anki_view(field)[1].replace("\u2060", "") == "typed \\(x\\)"


def test_a_deletion_may_hide_a_whole_formula():
    assert markup.to_html("[[$x^2$]] and [[y]]", cloze=True) == "{{c1::\\(x^2\\)}} and {{c2::y}}"
    assert markup.deletions("$a$ [[$b$]]") == 1
    assert markup.to_rl("[[$b$]]", True, mode="gap", number=1) == markup.GAP


def test_formula_problems_carry_the_renderers_reason():
    assert markup.problems("fine $\\frac{a}{b}$") == []
    [problem] = markup.problems("bad $\\frac{a}{$ here")
    assert problem.startswith("formula $\\frac{a}{$ cannot be drawn: ") and "frac" in problem


# ---- code ------------------------------------------------------------------------------------


MANIFEST = "Pod:\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n```\nDone."


def test_fenced_blocks_are_verbatim_and_the_language_is_never_text():
    html = markup.to_html(MANIFEST)
    assert '<pre class="code"><code class="language-yaml">' in html
    _, shown = anki_view(html)
    assert "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web" in shown
    assert "yaml" not in shown
    plain = markup.to_plain("~~~\n**not bold** <b> [[x]]\n\tx = 1\n~~~", cloze=True)
    assert plain == "**not bold** <b> [[x]]\n    x = 1".replace("[[x]]", "x")


def test_unknown_language_is_plain_and_known_ones_are_highlighted():
    assert "hl-" not in markup.to_html("```nosuchlanguage\nif x: pass\n```")
    assert '<span class="hl-k">def</span>' in markup.to_html("```python\ndef f(): pass\n```")


def test_fences_need_two_lines():
    assert markup.to_plain("```") == "```" and markup.to_plain("~~~ x") == "~~~ x"


def test_cloze_inside_inline_code_and_code_blocks():
    text = "`kubectl [[get pods]] -A`"
    assert markup.deletions(text) == 1
    assert markup.to_html(text, True) == "<code>kubectl {{c1::get pods}} -A</code>"
    assert markup.to_rl(text, True, mode="gap", number=1, mono="M") == \
        f'<font face="M">kubectl {markup.GAP} -A</font>'
    block = "Loop:\n```python\nfor i in [[range(3)]]:\n    [[print(i)]]\n```"
    assert markup.deletions(block) == 2
    html = markup.to_html(block, True)
    assert html.count("{{c1::") == 1 and html.count("{{c2::") == 1
    assert "{{c2::" in html.split("\n")[1]
    spanning = markup.to_html("```\na [[b\nc]] d\n```", True)
    assert "{{c1::b\nc}}" in spanning


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab [] `~\n\t$\\*_-", max_size=60), st.booleans())
def test_code_and_math_text_renders_safely(text, cloze):
    html = markup.to_html(text, cloze)
    tags, _ = anki_view(html)
    assert set(tags) <= {"b", "i", "code", "br", "div", "ul", "li", "pre", "span"}
    assert len(re.findall(r"\{\{c\d+::", html)) == markup.deletions(text) * cloze
    markup.to_plain(text, cloze)


def test_a_text_is_parsed_once_for_the_whole_build():
    """The loader's check and every writer share one parse, however they call it."""
    text = "Keep **this** and `that`"
    assert markup.parse(text) is markup.parse(text, False, 1)
    cloze = "Hide [[this]] and **that**"
    assert markup.parse(cloze, True) is markup.parse(cloze, True, 1)
    assert markup.parse(cloze, True, 3) is not markup.parse(cloze, True, 1)
    assert markup.parse(cloze, True, 3) == markup._parse(cloze, True, 3)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
                 st.text(alphabet="ab -*[]\u200b\u00a0\t\n", max_size=20)), st.booleans())
def test_blank_check_fast_path_agrees_with_the_parser(text, cloze):
    deletions: dict = {}
    out: list = []
    markup._shown(markup._parse(text, cloze, 1).blocks, out, deletions)
    blank = not any(markup._is_visible(c) for c in "".join(out))
    empty = [n for n, inner in sorted(deletions.items())
             if not any(markup._is_visible(c) for c in inner)]
    assert markup.blank_parts(text, cloze) == (blank, empty)


def test_runs_are_styled_text_with_breaks_formulas_and_code_blocks():
    B, I, M = markup.BOLD, markup.ITALIC, markup.MONO
    assert markup.runs("a **b *c*** `d` $x$\ne") == (
        ("a ", 0), ("b ", B), ("c", B | I), (" ", 0), ("d", M), (" ", 0),
        markup.Math("x"), markup.BREAK, ("e", 0))
    assert markup.runs("Name:\n- one\n- two\n  - deep") == (
        ("Name:", 0), markup.BREAK, ("\u2022\u00a0one", 0), markup.BREAK,
        ("\u2022\u00a0two", 0), markup.BREAK, ("\u00a0\u00a0\u00a0\u2022\u00a0deep", 0))
    code = markup.runs("x\n```python\nx = 1\n```")
    assert code[:2] == (("x", 0), markup.BREAK) and isinstance(code[2], markup.CodeRuns)


def test_deletions_print_by_mode_and_a_gap_joins_the_text_around_it():
    text = "The [[root **user**]] closes [[it]]."
    B = markup.BOLD
    assert markup.runs(text, True) == (("The ", 0), ("root ", B), ("user", B), (" closes ", 0),
                                       ("it", B), (".", 0))
    assert markup.runs(text, True, mode="gap", number=1) == (
        (f"The {markup.GAP} closes it.", 0),)
    assert markup.runs(text, True, mode="fill", number=2) == (
        ("The root ", 0), ("user", B), (" closes ", 0), ("it", B), (".", 0))


def _rl_tokens(rl: str) -> list:
    """What a reader of to_rl's markup finds: text between tags in its style, breaks,
    formulas and code blocks (as pdfcode reads them)."""
    out: list = []
    bits = {"b": markup.BOLD, "i": markup.ITALIC, "font": markup.MONO}
    open_tags = {tag: 0 for tag in bits}
    blocks = re.split(r'<codeblock lang="[^"]*">(.*?)</codeblock>', rl, flags=re.S)
    for index, piece in enumerate(blocks):
        if index % 2:
            out.append(("code", [[tuple(run) for run in line] for line in pdfcode._lines(piece)]))
            continue
        for token in re.split(r"(<[^>]*>)", piece):
            if not token:
                continue
            math = re.fullmatch(r'<math tex="([^"]*)" display="([01])"/>', token)
            if math:
                out.append(markup.Math(unescape(math.group(1), {"&quot;": '"'}),
                                       math.group(2) == "1"))
            elif token == "<br/>":
                out.append(markup.BREAK)
            elif token.startswith("</"):
                open_tags[token[2:-1]] -= 1
            elif token.startswith("<"):
                open_tags[token[1:].split(" ")[0].rstrip(">")] += 1
            else:
                style = sum(bit for tag, bit in bits.items() if open_tags[tag])
                out.append((unescape(token), style))
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["a", "b c", " ", "\n", "\n- ", "  - ", "**", "*", "`", "$x$",
                                 "$$y$$", "[[", "]]", "\\*", "<&", "\u00e9 \u05d0", "\n```\n",
                                 "\n\n", "\t"]), max_size=14).map("".join), st.booleans(),
       st.sampled_from(["bold", "gap", "fill"]), st.integers(1, 3))
def test_runs_are_what_a_reader_of_to_rl_finds(text, cloze, mode, number):
    """Every run is a piece of to_rl's markup between two tags, in the style its tags give,
    and nothing else: the PDF writers get the same words either way."""
    runs = [("code", [list(line) for line in run.lines])
            if isinstance(run, markup.CodeRuns) else run
            for run in markup.runs(text, cloze, mode=mode, number=number)]
    assert runs == _rl_tokens(markup.to_rl(text, cloze, mode=mode, number=number))
