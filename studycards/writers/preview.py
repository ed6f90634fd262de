"""The preview writer: Deck -> one self-contained HTML page that shows every Anki card, question
and answer, exactly as the deck's note types render it (studycards.cardhtml, the renderer the
.apkg's fields are made by), with the note type CSS.

The page needs nothing else: its CSS, script and images (as data: URIs) are inline, and its
Content-Security-Policy forbids any request. Card text arrives escaped by the markup module,
so nothing a card says is live. With `live` (the watch mode) the page also polls a small
status script beside it (`<stem>-status.js`) to reload after a rebuild and to show the errors
of a failed one at its top.
"""
from __future__ import annotations

import base64
import html
import re
from pathlib import Path
from typing import Iterator

from .. import cardhtml, notetypes
from ..model import Deck

SUFFIX = ".html"
STATUS_SUFFIX = "-status.js"
_HERE = Path(__file__).resolve().parent
_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif"}
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def status_name(deck: Deck) -> str:
    return f"{deck.stem}{STATUS_SUFFIX}"


def _data_uri(deck: Deck, name: str) -> str:
    mime = _MIME.get(Path(name).suffix.lower(), "application/octet-stream")
    return f"data:{mime};base64,{base64.b64encode(deck.media_named(name).data).decode()}"


def _plain(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", fragment))).strip()


def _csp(live: str) -> str:
    # Inline style and script only, images only from data: URIs, no connection of any kind;
    # the watch mode also loads its status script from the same folder.
    script = "'unsafe-inline'" + (f" {live}" if live else "")
    return (f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
            f"script-src {script}; base-uri 'none'; form-action 'none'")


def render(deck: Deck, live: bool = False) -> str:
    return "".join(pieces(deck, live))


def pieces(deck: Deck, live: bool = False) -> Iterator[str]:
    """The page, a card at a time: a page of 50,000 cards is over 100 MB, never held whole."""
    e = html.escape
    total = sum(card.prompts for card in deck.cards)
    status = f' data-status="{e(status_name(deck))}"' if live else ""
    csp = _csp("'self' file:" if live else "")
    page_css = (_HERE / "preview.css").read_text("utf-8")
    script = (_HERE / "preview.js").read_text("utf-8")
    yield (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(deck.title)} \u2014 cards</title>"
        f"<style>{notetypes.CSS}</style><style>{page_css}</style></head>"
        f'<body class="pv"{status}>'
        '<header class="pv-bar">'
        f'<h1>{e(deck.title)}</h1>'
        '<input id="pv-search" type="search" placeholder="Search cards" aria-label="Search cards">'
        f'<span id="pv-count" class="pv-count">{total} cards</span>'
        '<button type="button" id="pv-night" aria-pressed="false">Night</button>'
        '<button type="button" id="pv-phone" aria-pressed="false">Phone width</button>'
        '<button type="button" id="pv-study" aria-pressed="false">Study</button>'
        "</header>"
        '<div id="pv-status" class="pv-status" role="alert" hidden></div>'
        '<div id="pv-studybar" class="pv-studybar" hidden>'
        '<button type="button" id="pv-prev">\u2190 Previous</button>'
        '<span id="pv-position"></span>'
        '<button type="button" id="pv-flip">Show answer</button>'
        '<button type="button" id="pv-next">Next \u2192</button></div>'
        f'<main id="pv-cards" data-total="{total}">')
    for section in deck.sections:
        yield f'<section class="pv-section"><h2>{e(section.title)}</h2>'
        for face in cardhtml.faces_of(section, lambda name: _data_uri(deck, name)):
            origin = face.card.origin
            where = f"{origin.file}:{origin.line}" if origin else ""
            anchor = f"{face.card.id}-{face.ordinal + 1}"
            search = " ".join((face.card.id, where, section.title, _plain(face.question),
                               _plain(face.answer))).lower()
            yield (
                f'<article class="pv-card" id="{e(anchor)}" data-search="{e(search)}">'
                f'<div class="pv-meta"><a class="pv-id" href="#{e(anchor)}">{e(face.card.id)}'
                f'</a> <span class="pv-tpl">{e(face.template)}'
                f'{f" {face.ordinal + 1}" if face.notetype.cloze else ""}</span> '
                f'<span class="pv-origin">{e(where)}</span></div>'
                '<div class="pv-faces">'
                f'<div class="pv-face pv-q"><div class="pv-label">Question</div>'
                f'<div class="card">{face.question}</div></div>'
                f'<div class="pv-face pv-a"><div class="pv-label">Answer</div>'
                f'<div class="card">{face.answer}</div></div>'
                '</div></article>')
        yield "</section>"
    yield f"</main><script>{script}</script></body></html>\n"


def write(deck: Deck, path: Path, live: bool = False) -> None:
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.writelines(pieces(deck, live))
