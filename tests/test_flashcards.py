"""Printable flashcards read back: each answer sits behind its own question."""
from __future__ import annotations

import pdfplumber
import pytest
from pypdf import PdfReader

from conftest import run, write_deck
from studycards import markup
from studycards.source import load_deck
from studycards.writers import anki, flashcards, pdfbase

CARDS = "dist/aws-security-flashcards.pdf"


def labels(page) -> dict[str, dict]:
    """'#N' -> the box of the label '#N · Q' (or A) right-aligned in each card's corner."""
    found = {}
    for w in page.extract_words(keep_blank_chars=True):
        if w["text"].startswith("#") and w["text"][-1] in "QA":
            found[w["text"].split()[0]] = w
    return found


def test_one_paper_card_per_anki_card_and_even_pages(shipped):
    deck = load_deck(shipped / "cards", source_date_epoch=0)
    paper = list(flashcards.paper_cards(deck))
    assert len(paper) == sum(len(n.card_ords) for n in anki.notes(deck))
    pages = len(PdfReader(shipped / CARDS).pages)
    assert pages % 2 == 0
    assert pages == 2 * -(-len(paper) // (flashcards.COLS * flashcards.ROWS))


def test_backs_mirror_fronts_on_the_next_page(shipped):
    with pdfplumber.open(shipped / CARDS) as pdf:
        page_w = pdf.pages[0].width
        card_w = (page_w - 2 * flashcards.MARGIN_X) / flashcards.COLS
        checked = 0
        for sheet in range(0, len(pdf.pages), 2):
            front, back = pdf.pages[sheet], pdf.pages[sheet + 1]
            fronts, backs = labels(front), labels(back)
            assert fronts.keys() == backs.keys()
            for number, f in fronts.items():
                b = backs[number]
                front_centre = (f["x1"] + flashcards.PAD) - card_w / 2
                back_centre = (b["x1"] + flashcards.PAD) - card_w / 2
                assert back_centre == pytest.approx(page_w - front_centre, abs=0.5), number
                assert b["top"] == pytest.approx(f["top"], abs=0.5), number
                checked += 1
        assert checked > 100


def test_answer_text_is_inside_the_mirrored_card(shipped):
    deck = load_deck(shipped / "cards", source_date_epoch=0)
    paper = list(flashcards.paper_cards(deck))
    per_page = flashcards.COLS * flashcards.ROWS
    with pdfplumber.open(shipped / CARDS) as pdf:
        page_w = pdf.pages[0].width
        card_w = (page_w - 2 * flashcards.MARGIN_X) / flashcards.COLS
        card_h = (pdf.pages[0].height - 2 * flashcards.MARGIN_Y) / flashcards.ROWS
        for index in (0, 3, 9, 22, 40, len(paper) - 1):
            sheet, slot = divmod(index, per_page)
            col, row = slot % flashcards.COLS, slot // flashcards.COLS
            back_page = pdf.pages[2 * sheet + 1]
            x0 = flashcards.MARGIN_X + (flashcards.COLS - 1 - col) * card_w
            top = flashcards.MARGIN_Y + row * card_h
            region = back_page.crop((x0, top, x0 + card_w, top + card_h))
            text = " ".join((region.extract_text() or "").split())
            assert f"#{index + 1}" in text
            answer = paper[index].back.paras[0].markup() if paper[index].back.paras else ""
            first_words = " ".join(markup.to_plain(
                answer.replace("<b>", "").replace("</b>", "").replace("<br/>", " ")).split()[:2])
            assert first_words.replace("&amp;", "&") in text, (index, first_words, text)


def test_cloze_front_shows_a_gap_and_back_fills_it(project):
    write_deck(project, {"10-a.yaml": (
        "section: A\ncards:\n  - id: c\n    cloze: 'The [[root user]] closes the [[account]].'\n")})
    assert run(project, "--quiet")[0] == 0
    with pdfplumber.open(project / "dist/demo-flashcards.pdf") as pdf:
        front = " ".join(pdf.pages[0].extract_text().split())
        back = " ".join(pdf.pages[1].extract_text().split())
    assert front.count("\u2026") == 2  # one gap on each of the two paper cards
    assert "The root user closes the" in back and "closes the account." in back


def test_long_text_shrinks_to_fit(project):
    long = " ".join(["A very long answer that goes on and on."] * 25)  # fits at about 7 pt
    write_deck(project, {"10-a.yaml": (
        f"section: A\ncards:\n  - id: c\n    front: Short?\n    back: '{long}'\n")})
    assert run(project, "--quiet")[0] == 0
    with pdfplumber.open(project / "dist/demo-flashcards.pdf") as pdf:
        page = pdf.pages[1]
        card_w = (page.width - 2 * flashcards.MARGIN_X) / flashcards.COLS
        card_h = (page.height - 2 * flashcards.MARGIN_Y) / flashcards.ROWS
        x0 = flashcards.MARGIN_X + (flashcards.COLS - 1) * card_w
        # everything but the 6.5 pt corner labels and page note
        chars = [c for c in page.chars if c["text"].strip() and abs(c["size"] - 6.5) > 0.01]
        assert chars, "the answer is drawn"
        assert min(c["size"] for c in chars) < 9 <= flashcards.MAX_SIZE  # it shrank
        assert all(x0 <= c["x0"] and c["x1"] <= x0 + card_w for c in chars)
        assert all(flashcards.MARGIN_Y <= c["top"] <= flashcards.MARGIN_Y + card_h for c in chars)
        text = "".join(page.extract_text().split())
        assert text.count("Averylonganswer") == 25


def test_rebuild_is_byte_identical(project):
    write_deck(project)
    assert run(project, "--quiet")[0] == 0
    first = (project / "dist/demo-flashcards.pdf").read_bytes()
    assert run(project, "--quiet", "--force")[0] == 0
    assert (project / "dist/demo-flashcards.pdf").read_bytes() == first


def test_a_face_with_a_code_block_is_fitted_by_arithmetic_not_paragraph():
    pdfbase.register_fonts()
    text = flashcards.Para((flashcards._card("Run it:\n\n```bash\nls -la /tmp\n```\n\nthen look."),))
    why = flashcards.Para((flashcards._card("why", style=markup.ITALIC),), 0.72)
    layout = flashcards.FaceLayout(None, 260, 190)
    parts, grid, total = layout.fit_text(flashcards.Face((text, why)))
    kinds = [type(part).__name__ for part, _ in parts]
    assert kinds == ["Lines", "CodeBlock", "Lines"] and grid is None
    assert total == sum(room for _, room in parts) <= layout.height
    code = parts[1][0]
    assert code.width <= layout.width and "".join(t for t, _, _ in code.lines[0]) == "ls -la /tmp"
    assert [word.text for word in parts[2][0][-1][0]] == ["why"]  # the explanation, last


def test_a_number_labels_width_is_measured_once_per_length():
    pdfbase.register_fonts()
    for number in (1, 7, 10, 42, 99, 100, 808, 1234, 56789, 100000):
        for mark in "QA":
            label = f"#{number} \u00b7 {mark}"
            assert flashcards._number_width(len(label), mark) == \
                pdfbase.string_width(label, pdfbase.SANS, flashcards.LABEL_SIZE)
