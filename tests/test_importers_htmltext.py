"""Anki field HTML -> card text: every mapping of the issue, and text that stays literal."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studycards import markup
from studycards.importers.htmltext import convert
from studycards.importers.mapping import clean_tag, map_note, slug
from studycards.importers.notes import ForeignNote, note_type


@pytest.mark.parametrize("source, text", [
    ("<b>bold</b> <strong>s</strong> <i>it</i> <em>e</em> <u>under</u>",
     "**bold s** *it e under*"),  # neighbours merge: the same to a reader
    ("one<br>two<div>three</div><p>four</p>", "one\ntwo\nthree\nfour"),
    ("<ul><li>a</li><li>b<ol><li>c</li></ol></li></ul>", "- a\n- b\n  1. c"),
    ("x&nbsp;&amp;&lt;y&gt; &eacute;", "x &<y> é"),
    ("H<sub>2</sub>O e=mc<sup>2</sup>", "H₂O e=mc²"),
    ("<code>a*b</code>", "`a*b`"),
    ("- not a list<br>2. nor this<br>*stars* [[x]]", "\\- not a list\n2\\. nor this\n\\*stars\\* \\[\\[x\\]\\]"),
    ("<img src=\"a%20b.png\">caption", "caption"),
])
def test_html_maps_to_card_text(source, text):
    assert convert(source).text == text


def test_live_things_are_dropped_and_named():
    result = convert('<script>alert(1)</script><style>x{}</style><link href="a.css">'
                     '<iframe src="https://x"></iframe><b onmouseover="evil()">t</b>'
                     '<img src="https://cdn/x.png"><a href="javascript:evil()">go</a>')
    assert result.text == "**t**go"
    joined = " ".join(result.lossy)
    for what in ("<script>", "<style>", "<link>", "<iframe>", "event handler", "remote image",
                 "link javascript:"):
        assert what in joined
    assert result.images == []


def test_cloze_hints_numbers_and_math():
    result = convert("{{c2::Paris::city}} is in {{c1::<i>France</i>}}; \\(x^2\\) [sound:a.mp3]",
                     cloze=True)
    assert result.text == "[[Paris]] is in [[*France*]]; $x^2$"
    assert result.hints == ["city"] and result.cloze_numbers == [2, 1]
    assert markup.deletions(result.text) == 2
    assert [m.tex for m in markup.formulas(result.text, True)] == ["x^2"]
    assert result.lossy == ["sound [sound:a.mp3] dropped (the card format has no audio)"]
    assert convert("\\[\\sum_i i\\] costs $5").text == "$$\\sum_i i$$ costs \\$5"


def test_emphasis_markdown_cannot_hold_is_dropped_not_garbled():
    result = convert("<b>(x)</b>y")
    assert result.text == "(x)y" and "bold/italic dropped" in result.lossy[0]


def test_pre_becomes_a_fenced_code_block():
    result = convert("<p>Code:</p><pre>def f():\n    return 1\n```</pre>")
    assert result.text == "Code:\n````\ndef f():\n    return 1\n```\n````"
    [_, block] = markup.parse(result.text).blocks
    assert block.code == "def f():\n    return 1\n```" and result.lossy == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_plain_text_comes_out_literally(text):
    result = convert(text, html=False)
    assert " ".join(markup.to_plain(result.text).split()) == " ".join(text.split())


def test_note_types_map_by_kind_and_field_names():
    def mapped(name, fields, names=()):
        return map_note(ForeignNote("n", note_type(name, names), tuple(fields)))
    assert mapped("Basic (and reversed card)", ["a", "b"]).card == {"term": "a", "definition": "b"}
    assert mapped("Basic (optional reversed card)", ["a", "b", ""]).kind == "basic"
    assert mapped("Basic (optional reversed card)", ["a", "b", "y"]).kind == "term"
    occlusion = mapped("Image Occlusion", ["{{c1::image-occlusion:rect}}", "<img src=x.png>"])
    assert occlusion.kind == "" and "Image Occlusion" in occlusion.lossy[0]
    named = mapped("Mine", ["extra", "Q", "A"], ("Notes", "Question", "Answer"))
    assert named.card == {"front": "Q", "back": "A", "explain": "extra"}
    other = mapped("Vocab", ["word", "meaning", "", "example"], ("W", "M", "X", "E"))
    assert other.card == {"front": "word", "back": "meaning\n\nexample"}
    assert "first field as the question" in other.lossy[0]


def test_tags_and_slugs():
    assert clean_tag("Lang::Français::verbes irréguliers") == "Lang::Francais::verbes-irreguliers"
    assert clean_tag("日本") == ""
    assert slug("What does **être** mean?") == "what-does-etre-mean"
    assert slug("日本語") == "card"
    assert len(slug("word " * 40)) <= 48
