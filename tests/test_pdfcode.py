"""Code blocks and formulas on paper, read back: lines, indentation, the mono font, the
continuation mark, formulas drawn as outlines inside their column or card."""
from __future__ import annotations

from collections import defaultdict

import pdfplumber
import pytest

from conftest import run, write_deck
from studycards.writers import cheatsheet, flashcards, pdfbase

CODE_DECK = r"""
section: Code
cards:
  - id: pod
    front: What does this manifest create?
    back: |
      A pod:
      ```yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
          - name: nginx
            image: nginx   # a comment long enough that it has to wrap in a cheat sheet column and on a card
      ```
  - id: kubectl
    cloze: "Every pod: `kubectl [[get pods]] -A`"
  - id: quad
    front: 'Roots of $ax^2+bx+c=0$?'
    back: '$$x = \frac{-b \pm \sqrt{b^2-4ac}}{2a}$$ when $a \neq 0$'
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("code")
    write_deck(root, {"10-code.yaml": CODE_DECK})
    assert run(root, "--quiet")[0] == 0
    return root / "dist"


def lines(page) -> list[list[dict]]:
    """The page's characters grouped into lines (same baseline), each sorted left to right."""
    rows = defaultdict(list)
    for char in page.chars:
        rows[round(char["bottom"], 1)].append(char)
    return [sorted(row, key=lambda c: c["x0"]) for _, row in sorted(rows.items())]


def text(line) -> str:
    return "".join(c["text"] for c in line)


def find(page, start: str) -> list[dict]:
    """The first line starting with `start` after its indentation, from its first ink."""
    found = [line for line in lines(page) if text(line).lstrip().startswith(start)]
    assert found, (start, [text(line) for line in lines(page)])
    line = found[0]
    indent = len(text(line)) - len(text(line).lstrip())
    return line[indent:]


def columns(page) -> list[tuple[float, float]]:
    width = (page.width - 2 * cheatsheet.MARGIN - (cheatsheet.COLUMNS - 1) * cheatsheet.GUTTER) \
        / cheatsheet.COLUMNS
    return [(cheatsheet.MARGIN + i * (width + cheatsheet.GUTTER),
             cheatsheet.MARGIN + i * (width + cheatsheet.GUTTER) + width)
            for i in range(cheatsheet.COLUMNS)]


def inside_one(box, spans, slack: float = 0.5) -> bool:
    return any(lo - slack <= box["x0"] and box["x1"] <= hi + slack for lo, hi in spans)


def test_cheat_sheet_code_keeps_lines_indentation_and_mono_font(built):
    with pdfplumber.open(built / "demo-cheatsheet.pdf") as pdf:
        page = pdf.pages[0]
        first, kind = find(page, "apiVersion: v1"), find(page, "kind: Pod")
        name, containers = find(page, "name: web"), find(page, "containers:")
        assert first[0]["top"] < kind[0]["top"] < name[0]["top"] < containers[0]["top"]
        advance = first[1]["x0"] - first[0]["x0"]
        assert abs(first[0]["x0"] - kind[0]["x0"]) < 0.1
        assert name[0]["x0"] == pytest.approx(first[0]["x0"] + 2 * advance, abs=0.2)
        for line in (first, kind, name):
            assert {c["fontname"].split("+")[-1] for c in line} == {pdfbase.MONO}
        assert "yaml" not in page.extract_text()


def test_long_code_lines_wrap_with_a_mark_inside_the_column(built):
    with pdfplumber.open(built / "demo-cheatsheet.pdf") as pdf:
        page = pdf.pages[0]
        spans = columns(page)
        code = [c for c in page.chars if pdfbase.MONO in c["fontname"]]
        assert code and all(inside_one(c, spans) for c in code)
        continued = find(page, "\u21aa")
        assert continued[0]["x0"] == pytest.approx(find(page, "apiVersion")[0]["x0"], abs=0.2)
        joined = "".join(text(line) for line in lines(page)).replace("\u21aa ", "").replace(" ", "")
        assert "#acommentlongenoughthatithastowrapinacheatsheetcolumnandonacard" in joined


def test_formulas_are_outlines_inside_their_column_and_no_tex_prints(built):
    with pdfplumber.open(built / "demo-cheatsheet.pdf") as pdf:
        page = pdf.pages[0]
        shown = page.extract_text()
        for raw in ("\\frac", "\\sqrt", "\\pm", "\\neq", "$", "ax^2"):
            assert raw not in shown
        spans = columns(page)
        outlines = [c for c in page.curves if c.get("fill")]
        assert len(outlines) > 10
        assert all(inside_one(c, spans) for c in outlines)
        # the display formula is centred in its column
        question, after = find(page, "Roots of"), find(page, "when")
        below = [c for c in outlines
                 if c["top"] > question[0]["bottom"] + 1 and c["bottom"] < after[0]["top"]]
        middle = (min(c["x0"] for c in below) + max(c["x1"] for c in below)) / 2
        lo, hi = next(span for span in spans if span[0] - 1 <= question[0]["x0"] <= span[1])
        assert middle == pytest.approx((lo + hi) / 2, abs=2)


def card_boxes(page):
    card_w = (page.width - 2 * flashcards.MARGIN_X) / flashcards.COLS
    card_h = (page.height - 2 * flashcards.MARGIN_Y) / flashcards.ROWS
    return [(flashcards.MARGIN_X + col * card_w, flashcards.MARGIN_Y + row * card_h,
             card_w, card_h) for row in range(flashcards.ROWS) for col in range(flashcards.COLS)]


def test_flashcard_code_is_a_left_aligned_block_in_the_centred_face(built):
    with pdfplumber.open(built / "demo-flashcards.pdf") as pdf:
        back = pdf.pages[1]
        first, kind, name = find(back, "apiVersion"), find(back, "kind: Pod"), find(back, "name: web")
        advance = first[1]["x0"] - first[0]["x0"]
        assert abs(first[0]["x0"] - kind[0]["x0"]) < 0.1
        assert name[0]["x0"] == pytest.approx(first[0]["x0"] + 2 * advance, abs=0.2)
        intro = find(back, "A pod:")
        # the intro line is centred; the block starts further left than it
        assert first[0]["x0"] < intro[0]["x0"]
        x, _, w, _ = next(box for box in card_boxes(back)
                          if box[0] <= first[0]["x0"] <= box[0] + box[2])
        code = [c for c in back.chars if pdfbase.MONO in c["fontname"]]
        assert all(x + flashcards.PAD - 0.5 <= c["x0"] and c["x1"] <= x + w - flashcards.PAD + 0.5
                   for c in code if x <= c["x0"] <= x + w)
        assert find(back, "\u21aa")


def test_cloze_in_code_hides_on_the_front_and_shows_on_the_back(built):
    with pdfplumber.open(built / "demo-flashcards.pdf") as pdf:
        front, back = pdf.pages[0], pdf.pages[1]
        front_text = front.extract_text()
        assert "get pods" not in front_text and "kubectl [ \u2026 ] -A" in front_text.replace(
            "\u2009", " ")
        shown = [c for c in back.chars if c["text"] in "getpods"
                 and c["fontname"].endswith(pdfbase.MONO_BOLD)]
        assert "".join(c["text"] for c in shown) == "getpods"


def test_flashcard_formulas_sit_inside_their_cards(built):
    with pdfplumber.open(built / "demo-flashcards.pdf") as pdf:
        for page in pdf.pages[:2]:
            boxes = card_boxes(page)
            outlines = [c for c in page.curves if c.get("fill")]
            assert outlines
            for c in outlines:
                assert any(x <= c["x0"] and c["x1"] <= x + w and
                           page.height - (y + h) <= c["top"] and c["bottom"] <= page.height - y
                           for x, y, w, h in boxes)
            assert "\\frac" not in page.extract_text()


@pytest.mark.parametrize("pdf_name, page_index", [("demo-cheatsheet.pdf", 0),
                                                  ("demo-flashcards.pdf", 0)])
def test_inline_formulas_sit_on_the_baseline_at_the_texts_size(built, pdf_name, page_index):
    """"Roots of $ax^2+bx+c=0$?": no glyph of the formula goes below the line, so its lowest
    outline is the baseline of "Roots of" (a few hundredths of the size for overshoot), and
    its x is as high as the text's x-height, whatever size the face was fitted at."""
    with pdfplumber.open(built / pdf_name) as pdf:
        page = pdf.pages[page_index]
        words = find(page, "Roots of")
        baseline = page.height - words[0]["matrix"][5]
        size = words[0]["size"]
        line = [c for c in page.curves if c.get("fill")
                and abs(c["bottom"] - baseline) < size and c["x0"] > words[7]["x1"]]
        assert line
        assert max(c["bottom"] for c in line) == pytest.approx(baseline, abs=0.03 * size + 0.1)
        tallest = min(c["top"] for c in line)
        assert baseline - tallest < 1.2 * size  # an x with a superscript 2, not a tall box
