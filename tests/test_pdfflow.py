"""The cheat sheet's fast text: the same lines as a Paragraph, code blocks, split, tables,
scripts, formulas."""
from __future__ import annotations

import pdfplumber
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import SimpleDocTemplate, Table

from studycards import markup
from studycards.writers import cheatsheet, pdfbase, pdfcode, pdfflow

pdfbase.register_fonts()

# (card text, a note on a line of its own at 6 pt, or None): as the sheet's terms have them
SAMPLES = [
    ("**What is the shared responsibility model?** \u2192 AWS: security **of the cloud** "
     "(the infrastructure).\nCustomer: security **in the cloud** (what they put on it).", None),
    ("**Which settings of a standalone account can only the root user change?** \u2192 The "
     "account's **email address**, the **root password** and the **root access keys**.", None),
    ("\u2192 **Least privilege**: the role needs only `s3:GetObject` on "
     "`arn:aws:s3:::reports/*`.", None),
    ("IAM principals with the account:PutAccountName permission can rename the account, "
     "a cryptocurrency-mining host & <tags> stay text.", None),
    ("**Steps**\n- **Remove** the credentials\n- *Allow* recovery",
     "an explanation in a smaller size, long enough to wrap"),
    ("Pneumonoultramicroscopicsilicovolcanoconiosis is a word longer than a narrow column.", None),
]


def sample(text: str, note: str | None, style):
    """The sample as the sheet's flowables, and as the Paragraph markup the sheet used to
    give ReportLab (to_rl's)."""
    fast = cheatsheet.flow(style, cheatsheet.runs(text),
                           cheatsheet.runs(note) if note else (), 6)
    rl = markup.to_rl(text, mono=pdfbase.MONO)
    if note:
        rl += f'<br/><font size="6">{markup.to_rl(note, mono=pdfbase.MONO)}</font>'
    return fast, rl


def text(card_text: str, style=cheatsheet.BODY):
    [flowable] = cheatsheet.flow(style, cheatsheet.runs(card_text))
    return flowable


def paragraph_lines(text: str, style, width: float) -> tuple[list[str], float]:
    para = pdfbase.Paragraph(text, style)
    height = para.wrap(width, 10_000)[1]
    lines = []
    for line in para.blPara.lines:
        words = " ".join(line[1]) if isinstance(line, tuple) else \
            "".join(getattr(f, "text", "") for f in line.words)
        lines.append(words.strip().replace("\u00a0", " "))
    return lines, height


def text_lines(flowable, width: float) -> tuple[list[str], float]:
    height = flowable.wrap(width, 10_000)[1]
    lines = ["".join((" " if w.gap and i else "") + w.text for i, w in enumerate(line.words))
             .replace("\u00a0", " ") for line in flowable._lines(width)]
    return lines, height


@pytest.mark.parametrize("text, note", SAMPLES)
@pytest.mark.parametrize("style", [cheatsheet.BODY, cheatsheet.CELL_HEAD, cheatsheet.SMALL])
@pytest.mark.parametrize("width", [51.5, 71.9, 94.8, 140.0, 254.3])
def test_lines_and_height_are_a_paragraphs(text, note, style, width):
    [fast], rl = sample(text, note, style)
    assert isinstance(fast, pdfflow.Text)
    assert text_lines(fast, width) == paragraph_lines(rl, style, width)


def test_bold_style_and_code_faces():
    [head] = cheatsheet.flow(cheatsheet.CELL_HEAD, cheatsheet.runs("Head *it* `c` **d**"))
    assert [(w.text, w.font) for w in head.logical[0][0]] == [
        ("Head", "DejaVuSans-Bold"), ("it", "DejaVuSans-BoldOblique"),
        ("c", "DejaVuSansMono-Bold"), ("d", "DejaVuSans-Bold")]
    [body] = cheatsheet.flow(cheatsheet.BODY, cheatsheet.runs("*it `c`* **`d`**", markup.ITALIC))
    assert [(w.text, w.font) for w in body.logical[0][0]] == [
        ("it", "DejaVuSans-Oblique"), ("c", "DejaVuSansMono"), ("d", "DejaVuSansMono-Bold")]


def test_code_blocks_are_blocks_at_the_size_in_force_between_the_text_around_them():
    code = "```python\nx = 1\n```"
    parts = cheatsheet.flow(cheatsheet.CELL, cheatsheet.runs(f"Before\n{code}\nafter"),
                            cheatsheet.runs(f"{code}\n*note*"), 6)
    assert [type(p).__name__ for p in parts] == ["Text", "CodeBlock", "Text", "CodeBlock", "Text"]
    before, first, between, second, after = parts
    # the line breaks next to a block are dropped: one line each
    assert [len(p.logical) for p in (before, between, after)] == [1, 1, 1]
    assert first.size == pytest.approx(cheatsheet.CELL.fontSize * pdfcode.CODE_SCALE)
    assert second.size == pytest.approx(6 * pdfcode.CODE_SCALE)
    assert [w.size for w in after.logical[0][0]] == [6]
    # no text that shows nothing before, between or after blocks
    blocks = cheatsheet.flow(cheatsheet.BODY, cheatsheet.runs(f"{code}\n\n{code}", markup.BOLD))
    assert [type(p).__name__ for p in blocks] == ["CodeBlock", "CodeBlock"]


def test_split_keeps_every_word_once_and_never_leaves_one_line():
    long = " ".join(f"word{i}" for i in range(120))
    fast = text(long)
    width = 80.0
    lines, height = text_lines(fast, width)
    assert fast.split(width, cheatsheet.BODY.leading * 1.5) == []  # one line would be alone
    first, second = fast.split(width, cheatsheet.BODY.leading * 4.2)
    assert first.wrap(width, 1e4)[1] == pytest.approx(4 * cheatsheet.BODY.leading)
    assert text_lines(first, width)[0] + text_lines(second, width)[0] == lines
    taken = len(" ".join(text_lines(first, width)[0]).split())
    assert " ".join(text_lines(second, 200.0)[0]).split() == long.split()[taken:]  # re-wraps


def _build(path, story, height=A4[1]):
    doc = SimpleDocTemplate(str(path), pagesize=(A4[0], height), leftMargin=20, rightMargin=20,
                            topMargin=20, bottomMargin=20)
    doc.build(story)


def test_a_table_cell_of_fast_text_splits_across_pages(tmp_path):
    long = " ".join(f"cell{i}" for i in range(400))
    data = [[text("**Term**", cheatsheet.CELL), text(long, cheatsheet.CELL)]]
    table = Table(data, colWidths=[60, 120], splitInRow=1)
    _build(tmp_path / "t.pdf", [table], height=300)
    with pdfplumber.open(tmp_path / "t.pdf") as pdf:
        assert len(pdf.pages) > 1
        words = [w for page in pdf.pages for w in (page.extract_text() or "").split()]
    assert [w for w in words if w.startswith("cell")] == long.split()


def test_right_to_left_lines_start_at_the_right(tmp_path):
    hebrew = "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd"
    fast = text(f"{hebrew}\nEnglish after")
    assert [rtl for _, rtl, _ in fast.logical] == [True, False]
    _build(tmp_path / "r.pdf", [fast])
    with pdfplumber.open(tmp_path / "r.pdf") as pdf:
        chars = pdf.pages[0].chars
    hebrew_right = max(c["x1"] for c in chars if "\u05d0" <= c["text"] <= "\u05ea")
    english_left = min(c["x0"] for c in chars if c["text"] == "E")
    assert hebrew_right == pytest.approx(A4[0] - 26, abs=1)  # margin 20, frame padding 6
    assert english_left == pytest.approx(26, abs=1)


def test_japanese_breaks_between_characters_but_not_before_closing_marks():
    japanese = "\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059\u3002" * 6
    fast = text(japanese)
    lines, _ = text_lines(fast, 60)
    assert len(lines) > 2 and "".join(lines) == japanese
    assert not any(line.startswith("\u3002") for line in lines)
    assert all(line.width <= 60 + 1e-6 for line in fast._lines(60))


def test_a_formula_is_a_box_in_the_line_and_makes_it_taller(tmp_path):
    source = r"Energy $E = mc^2$ then $$\sum_{n=1}^{27} n_n$$ and more text"
    [fast], rl = sample(source, None, cheatsheet.BODY)
    assert isinstance(fast, pdfflow.Text)
    lines, height = text_lines(fast, 150)
    assert lines[1] == pdfflow.BOX  # the display formula has a line of its own
    assert height > len(lines) * cheatsheet.BODY.leading
    assert height == pytest.approx(paragraph_lines(rl, cheatsheet.BODY, 150)[1], abs=2)
    _build(tmp_path / "f.pdf", [fast])
    with pdfplumber.open(tmp_path / "f.pdf") as pdf:
        page = pdf.pages[0]
        text_out = page.extract_text()
        assert "E = mc" not in text_out and "sum" not in text_out  # outlines, not TeX
        assert "Energy" in text_out and "then" in text_out and "more" in text_out
        assert len(page.curves) + len(page.rects) + len(page.lines) > 0
