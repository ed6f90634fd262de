"""The same job done with the raw libraries and no care: the yardstick for bench.py.

PyYAML's default safe loader, genanki writing one note per card, ReportLab laying the same
text out as a three-column sheet and as a 2 x 4 card grid (one wrap per face, fixed size).
Usage: python baseline.py CARDS_DIR OUT_DIR  (prints per-stage CPU seconds as JSON)
"""
from __future__ import annotations

import html
import json
import sys
import time
from pathlib import Path

import genanki
import yaml
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

BASIC = genanki.BASIC_MODEL
REVERSED = genanki.BASIC_AND_REVERSED_CARD_MODEL
CLOZE = genanki.CLOZE_MODEL


def note(card: dict) -> genanki.Note:
    """One genanki note per card, the obvious way (text escaped, nothing more)."""
    e = html.escape
    if "front" in card:
        return genanki.Note(model=BASIC, fields=[e(card["front"]), e(card["back"])])
    if "term" in card:
        return genanki.Note(model=REVERSED, fields=[e(card["term"]), e(card["definition"])])
    if "cloze" in card:
        parts = e(card["cloze"]).split("[[")
        text = parts[0] + "".join("{{c%d::%s" % (i, p.replace("]]", "}}", 1))
                                  for i, p in enumerate(parts[1:], 1))
        return genanki.Note(model=CLOZE, fields=[text, ""])
    if "list" in card:
        items = "".join("<li>{{c%d::%s}}</li>" % (i, e(t)) for i, t in enumerate(card["items"], 1))
        return genanki.Note(model=CLOZE, fields=[f"{e(card['list'])}<ul>{items}</ul>", ""])
    if "group" in card:
        return genanki.Note(model=BASIC, fields=[e(card["item"]), e(card["answer"])])
    rows = "".join(f"<tr><td>{e(k)}</td>" + "".join(f"<td>{e(x)}</td>" for x in v) + "</tr>"
                   for k, v in card["rows"].items())
    return genanki.Note(model=BASIC, fields=[e(" vs ".join(card["compare"])), f"<table>{rows}</table>"])


def faces(card: dict) -> list[tuple[str, str]]:
    """Front and back text of each paper card: one per Anki card, as the real build makes."""
    if "front" in card:
        return [(card["front"], card["back"])]
    if "term" in card:
        return [(card["term"], card["definition"]), (card["definition"], card["term"])]
    if "cloze" in card:
        count = card["cloze"].count("[[")
        return [(card["cloze"], card["cloze"])] * count
    if "list" in card:
        listing = card["list"] + "\n" + "\n".join(card["items"])
        return [(listing, listing)] * len(card["items"])
    if "group" in card:
        return [(card["item"], card["answer"])]
    rows = "\n".join(f"{k}: {' | '.join(v)}" for k, v in card["rows"].items())
    return [(" vs ".join(card["compare"]), rows)]


def sheet_text(card: dict) -> str:
    return " ".join(dict.fromkeys(faces(card)[0]))


def main(cards_dir: str, out_dir: str) -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    times = {}
    t = time.process_time()
    cards = []
    for path in sorted(Path(cards_dir).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cards.extend(data.get("cards", []) if isinstance(data, dict) else [])
    times["load"] = time.process_time() - t

    t = time.process_time()
    deck = genanki.Deck(1_600_000_002, "Baseline")
    for card in cards:
        deck.add_note(note(card))
    genanki.Package(deck).write_to_file(str(out / "baseline.apkg"))
    times["deck"] = time.process_time() - t
    qa = [face for card in cards for face in faces(card)]

    t = time.process_time()
    style = getSampleStyleSheet()["BodyText"]
    page = landscape(A4)
    width = (page[0] - 72) / 3
    frames = [Frame(36 + i * width, 36, width, page[1] - 72) for i in range(3)]
    doc = BaseDocTemplate(str(out / "baseline-sheet.pdf"), pagesize=page,
                          pageTemplates=[PageTemplate(frames=frames)])
    doc.build([Paragraph(html.escape(sheet_text(card)).replace("\n", "<br/>"), style)
               for card in cards])
    times["cheatsheet"] = time.process_time() - t

    t = time.process_time()
    canvas = Canvas(str(out / "baseline-cards.pdf"), pagesize=A4)
    cw, ch = (A4[0] - 56) / 2, (A4[1] - 80) / 4
    for start in range(0, len(qa), 8):
        for side in (0, 1):
            for i, pair in enumerate(qa[start:start + 8]):
                para = Paragraph(html.escape(pair[side]).replace("\n", "<br/>"), style)
                _, h = para.wrapOn(canvas, cw - 20, ch - 20)
                para.drawOn(canvas, 38 + (i % 2) * cw, A4[1] - 40 - (i // 2 + 1) * ch + (ch - h) / 2)
            canvas.showPage()
    canvas.save()
    times["flashcards"] = time.process_time() - t
    print(json.dumps(times))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
