"""Screenshots for the README: a few Anki cards as a 390 px phone shows them, light and night
(docs/cards-light.png, docs/cards-night.png), and the preview page (docs/preview-page.png).

Each card is rendered as Anki shows it: its question or answer HTML (studycards.cardhtml, the
deck's own renderer) in <body class="card"> with the note type CSS, in Debian's headless
chromium. Run `python tools/screenshot_cards.py` after changing the card design.
"""
from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser import ARGS, chromium_path  # noqa: E402
from studycards import cardhtml, notetypes  # noqa: E402
from studycards.source import load_deck  # noqa: E402
from studycards.writers import preview  # noqa: E402

# (card id, 1-based Anki card, side)
SHOTS = [("root-task-close-account", 1, "question"), ("svc-shield", 2, "answer"),
         ("cmp-detection", 1, "answer"), ("srm-diagram", 1, "answer")]
PHONE, GAP = 390, 16


def page(html: str, night: bool) -> str:
    mode = " nightMode night_mode" if night else ""
    return ('<!DOCTYPE html><html><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>body {{ margin: 0; padding: 12px 0; }}</style><style>{notetypes.CSS}</style>"
            f'</head><body class="card{mode}">{html}</body></html>')


def main() -> None:
    from playwright.sync_api import sync_playwright

    deck = load_deck(ROOT / "cards", source_date_epoch=0)
    faces = {(f.card.id, f.ordinal + 1): f
             for f in cardhtml.faces(deck, lambda name: preview._data_uri(deck, name))}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=ARGS)
        tab = browser.new_page(viewport={"width": PHONE, "height": 700}, device_scale_factor=1)
        for night in (False, True):
            shots = []
            for card_id, number, side in SHOTS:
                face = faces[(card_id, number)]
                tab.set_content(page(getattr(face, side), night))
                tab.wait_for_load_state()
                shots.append(Image.open(io.BytesIO(tab.screenshot(full_page=True))))
            height = max(s.height for s in shots)
            sheet = Image.new("RGB", (len(shots) * (PHONE + GAP) - GAP, height),
                              "#121417" if night else "#d7dade")
            for i, shot in enumerate(shots):
                sheet.paste(shot, (i * (PHONE + GAP), 0))
            sheet.save(ROOT / "docs" / f"cards-{'night' if night else 'light'}.png", optimize=True)
        with tempfile.TemporaryDirectory() as tmp:
            html = Path(tmp) / "preview.html"
            preview.write(deck, html)
            tab = browser.new_page(viewport={"width": 1100, "height": 760})
            tab.goto(html.as_uri())
            tab.fill("#pv-search", "cloudhsm")
            tab.screenshot(path=str(ROOT / "docs" / "preview-page.png"))
        browser.close()


if __name__ == "__main__":
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    main()
