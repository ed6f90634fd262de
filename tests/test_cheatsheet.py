"""The cheat sheet read back: text, bookmarks, fonts, page size, Unicode, layout size."""
from __future__ import annotations

import re
import shutil
import subprocess

import pdfplumber
import pytest
from pypdf import PdfReader

from conftest import run, write_deck
from studycards import markup
from studycards.model import Basic, Cloze, Compare, GroupItem, ListCard, Term
from studycards.source import load_deck
from studycards.writers import cheatsheet

SHEET = "dist/aws-security-cheatsheet.pdf"


def words(text: str) -> str:
    return re.sub(r"\s+", "", text)


def card_texts(card) -> list[str]:
    """The pieces of a card a reader must find on the sheet."""
    if isinstance(card, Basic):
        return [card.front, card.back]
    if isinstance(card, Term):
        return [card.term, card.definition]
    if isinstance(card, Cloze):
        return [card.text]
    if isinstance(card, ListCard):
        return [card.prompt, *card.items]
    if isinstance(card, GroupItem):
        return [card.item, card.answer]
    if isinstance(card, Compare):
        return [card.question, *card.subjects, *(a for a, _ in card.rows),
                *(v for _, values in card.rows for v in values)]
    raise TypeError(card)


def column_text(path, columns: int = 1) -> str:
    """The text in reading order: column by column, page by page."""
    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            width = page.width / columns
            for i in range(columns):
                strip = page.crop((i * width, 0, (i + 1) * width, page.height))
                out.append(strip.extract_text() or "")
    return "\n".join(out)


def extracted(path, columns: int = 1) -> str:
    return words(column_text(path, columns))


def appears(piece: str, stream: list[str]) -> bool:
    """The piece's words, in order, within a short stretch of the page's words (a table
    cell's lines are interleaved with its neighbours' lines)."""
    wanted = piece.split()
    window = len(wanted) * 4 + 12
    for start, word in enumerate(stream):
        if word != wanted[0]:
            continue
        at = 1
        for candidate in stream[start + 1:start + window]:
            if at < len(wanted) and candidate == wanted[at]:
                at += 1
        if at == len(wanted):
            return True
    return False


def test_every_card_is_on_the_sheet(shipped):
    stream = column_text(shipped / SHEET, cheatsheet.COLUMNS).split()
    deck = load_deck(shipped / "cards", source_date_epoch=0)
    for card in deck.cards:
        pieces = card_texts(card) + ([card.explain] if card.explain else [])
        for piece in pieces:
            plain = markup.to_plain(piece, isinstance(card, Cloze)).replace("- ", "")
            assert appears(plain, stream), (card.id, plain)


def test_sections_are_bookmarks_and_metadata_is_set(shipped):
    reader = PdfReader(shipped / SHEET)
    titles = [item.title for item in reader.outline]
    deck = load_deck(shipped / "cards", source_date_epoch=0)
    assert titles == [s.title for s in deck.sections]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"
    meta = reader.metadata
    assert meta.title == deck.title and meta.author == deck.author and meta.subject == deck.subject
    assert meta["/CreationDate"].startswith("D:20260101")


def test_all_fonts_are_embedded(shipped):
    reader = PdfReader(shipped / SHEET)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            fonts.add(font["/BaseFont"].split("+")[-1])
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts


def test_shipped_sheet_stays_small(shipped):
    assert len(PdfReader(shipped / SHEET).pages) <= 4  # a sheet, not a book


@pytest.mark.parametrize("paper,size", [("a4", (842, 595)), ("letter", (792, 612))])
def test_paper_option(project, paper, size):
    write_deck(project)
    assert run(project, "--paper", paper, "--quiet")[0] == 0
    for name in ("demo-cheatsheet.pdf", "demo-flashcards.pdf"):
        box = PdfReader(project / "dist" / name).pages[0].mediabox
        got = (round(float(box.width)), round(float(box.height)))
        assert sorted(got) == sorted(size), (name, got)


def test_unicode_and_markup_characters_print(project):
    text = "Ελληνικά · Кириллица → ⇒ ∀x ∈ ℝ: x² ≥ 0 ≠ ∞ & <tag> \"q\""
    write_deck(project, {"10-a.yaml": (
        "section: Ünïcode ✓\ncards:\n"
        f"  - id: a\n    front: '{text}'\n    back: '**bold** *it* `code` {{{{x}}}}'\n"
        f"  - id: b\n    term: 'Σ sum'\n    definition: '{text}'\n")})
    assert run(project, "--quiet")[0] == 0
    for name in ("demo-cheatsheet.pdf", "demo-flashcards.pdf"):
        got = extracted(project / "dist" / name, cheatsheet.COLUMNS if "cheat" in name else 1)
        assert words(text) in got, name
        assert words("bold it code {{x}}") in got
    titles = [i.title for i in PdfReader(project / "dist/demo-cheatsheet.pdf").outline]
    assert titles == ["Ünïcode ✓"]


def test_rebuild_is_byte_identical(project):
    write_deck(project)
    assert run(project, "--quiet")[0] == 0
    first = (project / "dist/demo-cheatsheet.pdf").read_bytes()
    assert run(project, "--quiet", "--force")[0] == 0
    assert (project / "dist/demo-cheatsheet.pdf").read_bytes() == first


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf not installed")
def test_qpdf_finds_no_error(shipped):
    for name in (SHEET, "dist/aws-security-flashcards.pdf"):
        result = subprocess.run(["qpdf", "--check", str(shipped / name)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_block_is_spaced_as_a_frame_spaces_it_and_a_tall_one_flows_on():
    from reportlab.platypus import Spacer

    from studycards.writers import pdfbase

    pdfbase.register_fonts()
    [first] = cheatsheet.flow(cheatsheet.BODY, cheatsheet.runs("**Question** \u2192 answer"))
    # (spaceAfter 1.6)
    second = Spacer(0, 10)
    second.spaceBefore = 4
    block = cheatsheet.Together([first, second], column_height=100)
    width, height = block.wrap(120, 100)
    assert height == pytest.approx(first.wrap(120, 100)[1] + max(1.6, 4) + 10)
    assert block.split(120, height - 1) == []  # the next column takes it whole
    tall = cheatsheet.Together([first, Spacer(0, 200)], column_height=100)
    tall.wrap(120, 100)
    tall.at_top = False
    assert tall.split(120, 50) == []  # the next column's top, where it flows on in parts
    tall.at_top = True
    assert tall.split(120, 50) == tall.parts


def test_a_list_after_a_code_block_starts_right_below_it(tmp_path):
    """The line break after a code block that ends a list's prompt is the block's own: the
    first item follows on the next line, as after any block, not after an empty line."""
    from studycards.writers import pdfbase, pdfcode

    cards = write_deck(tmp_path, {"10-a.yaml": (
        "section: Code\ncards:\n  - id: l\n    list: |-\n      Prints?\n      ```\n"
        "      print(1)\n      ```\n    items: [One, Two]\n")})
    deck = load_deck(cards, source_date_epoch=0)
    pdfbase.register_fonts(deck)
    layout = cheatsheet.Layout(deck, 200, 400)
    [card] = deck.sections[0].cards
    prompt, code, items = layout.single(card)
    assert isinstance(code, pdfcode.CodeBlock)
    assert ["".join(w.text for w in words) for words, _, _ in items.logical] == [
        "\u2022\u00a0One", "\u2022\u00a0Two"]


def test_an_explanation_that_opens_with_a_code_block_starts_right_below_the_text(tmp_path):
    """A note that starts with a code block: the block follows the definition directly, with
    no empty line (the note's own line break is the block's); nor does an invisible-only line
    beside a block make one."""
    from studycards.writers import pdfbase, pdfcode, pdfflow

    cards = write_deck(tmp_path, {"10-a.yaml": (
        "section: Code\ncards:\n  - id: t\n    term: T\n    definition: Def\n"
        "    explain: |-\n      ```\n      x = 1\n      ```\n      \u200b\n      after\n")})
    deck = load_deck(cards, source_date_epoch=0)
    pdfbase.register_fonts(deck)
    [card] = deck.sections[0].cards
    definition, code, after = cheatsheet.flow(cheatsheet.CELL, cheatsheet.runs(card.definition),
                                              cheatsheet.runs(card.explain), 6)
    assert isinstance(code, pdfcode.CodeBlock) and isinstance(after, pdfflow.Text)
    assert ["".join(w.text for w in words) for words, _, _ in definition.logical] == ["Def"]
    assert ["".join(w.text for w in words) for words, _, _ in after.logical] == ["after"]


def test_the_sheet_styles_are_ones_pdfflow_lays_out():
    """pdfflow.flow lays out left-aligned text without indents in one of the families' faces
    (it does not check, to stay cheap per cell): every style the sheet hands it is one."""
    from reportlab.lib.enums import TA_LEFT

    from studycards.writers import pdfflow

    for style in (cheatsheet.BODY, cheatsheet.SMALL, cheatsheet.CELL, cheatsheet.CELL_HEAD):
        assert style.alignment == TA_LEFT
        assert not (style.leftIndent or style.rightIndent or style.firstLineIndent)
        assert style.fontName in pdfflow._STYLE_OF
