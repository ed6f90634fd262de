"""The flashcards' fast text fitting reads exactly the markup subset it claims."""
from __future__ import annotations

from studycards import markup
from studycards.writers import pdfbase, pdftext

pdfbase.register_fonts()


def words(block):
    return [[(w.text, w.font, w.space) for w in line] for line in block.lines]


def test_subset_is_read_with_fonts_and_spaces():
    block = pdftext.parse("A <b>bold</b>, <i>it</i><br/>x &lt;y&gt; &amp; z")
    assert words(block) == [
        [("A", "DejaVuSans", False), ("bold", "DejaVuSans-Bold", True), (",", "DejaVuSans", False),
         ("it", "DejaVuSans-Oblique", True)],
        [("x", "DejaVuSans", False), ("<y>", "DejaVuSans", True), ("&", "DejaVuSans", True),
         ("z", "DejaVuSans", True)],
    ]


def test_anything_else_is_left_to_paragraph():
    assert pdftext.parse('<font face="DejaVuSansMono">code</font>') is None
    assert pdftext.parse('<font size="9">small</font>') is None
    assert pdftext.parse(markup.to_rl("`code`", mono="DejaVuSansMono")) is None


def test_layout_breaks_lines_and_refuses_words_wider_than_the_box():
    block = pdftext.parse("one two three four five six seven eight nine ten")
    lines = pdftext.layout([block], 12, 80)
    assert len(lines) > 1 and all(used <= 80 for _, _, used in lines)
    assert " ".join(w.text for line, _, _ in lines for w in line) == \
        "one two three four five six seven eight nine ten"
    assert pdftext.layout([pdftext.parse("Pneumonoultramicroscopicsilicovolcanoconiosis")], 12, 80) is None


def test_smaller_size_means_fewer_or_equal_lines():
    block = pdftext.parse(" ".join(["word"] * 60))
    heights = [pdftext.height(pdftext.layout([block], size, 200)) for size in (14, 10, 6)]
    assert heights == sorted(heights, reverse=True)
