"""The card text format: the Markdown subset renders, and nothing else is ever live."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.sax.saxutils import unescape

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from studycards import markup

# Characters the Markdown subset gives a meaning to; text without them must come out as is.
MARKDOWN_CHARS = set("*_`\\[]-+.0123456789\n\r\t ")
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
@given(st.text(max_size=200), st.booleans())
def test_any_text_renders_without_live_markup(text, cloze):
    field = markup.to_html(text, cloze)
    tags, _ = anki_view(field)
    assert set(tags) <= {"b", "i", "code", "br", "div", "ul", "ol", "li"}
    # Anki's own syntax can only come from deletions we made
    assert "[sound:" not in field
    assert len(re.findall(r"\{\{", field)) == markup.deletions(text) * cloze
    rl_text = markup.to_rl(text, cloze, mono="Courier")
    Paragraph(rl_text, ParagraphStyle("t"))  # ReportLab accepts it: no stray < or &
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
