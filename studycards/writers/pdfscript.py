"""Text made ready for ReportLab, which draws characters one after the other, left to right,
each from the one font it is told: here each run of characters gets a font that has it
(studycards.fonts), Arabic letters their joined forms (arabic-reshaper), and every line of
right-to-left text its visual order (python-bidi's implementation of the Unicode
Bidirectional Algorithm, run per line once the line breaks are known).

Knows no ReportLab object: pdfbase and pdftext apply it to paragraphs and to fitted text.
"""
from __future__ import annotations

import functools
import re
import unicodedata

import arabic_reshaper
from bidi import algorithm as uba

from .. import fonts as fontlib

_TAGS = re.compile(r"(<[^>]*>)")
_FACE = re.compile(r'\bface="([^"]*)"')
_STYLE = {fontlib.SANS: (0, 0), fontlib.SANS_BOLD: (1, 0), fontlib.SANS_ITALIC: (0, 1),
          fontlib.SANS_BOLD_ITALIC: (1, 1)}
_SANS = {v: k for k, v in _STYLE.items()}
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff"
                 "\U0001e800-\U0001efff]")
# Keep the vowel marks (harakat): the default would delete them.
_RESHAPER = arabic_reshaper.ArabicReshaper(configuration={
    "delete_harakat": False, "delete_tatweel": False, "support_ligatures": True})


def clean(text: str, fonts: fontlib.Fonts) -> str:
    """`text` as printed: invisible characters dropped, Arabic letters in their joined forms."""
    if text.isascii():
        return text
    text = fontlib.INVISIBLE.sub("", text)
    if _ARABIC.search(text):
        text = _reshape(text, fonts)
    return text


def _reshape(text: str, fonts: fontlib.Fonts) -> str:
    shaped = _RESHAPER.reshape(text)
    if not fonts.uncovered(shaped):
        return shaped
    # A joined form no font has: print the letter's plain form instead of a box (the plain
    # letters were checked when the cards were read).
    return "".join(c if not fonts.uncovered(c) else _plain(c) for c in shaped)


@functools.cache
def _plain(char: str) -> str:
    parts = unicodedata.decomposition(char).split()
    if parts and parts[0].startswith("<"):
        return "".join(chr(int(p, 16)) for p in parts[1:])
    return char


def markup(text: str, fonts: fontlib.Fonts, base: str) -> str:
    """ReportLab paragraph markup with its text cleaned and every run a `base` font (or the
    face a tag sets) lacks wrapped in <font face="..."> of the font that has it."""
    if text.isascii():
        return text
    bold, italic = _STYLE.get(base, (0, 0))
    faces: list[str | None] = [None if base in _STYLE else base]
    out = []
    for token in _TAGS.split(text):
        if not token:
            continue
        if token.startswith("<"):
            out.append(token)
            if token in ("<b>", "<strong>"):
                bold += 1
            elif token in ("</b>", "</strong>"):
                bold -= 1
            elif token in ("<i>", "<em>"):
                italic += 1
            elif token in ("</i>", "</em>"):
                italic -= 1
            elif token.startswith("<font"):
                face = _FACE.search(token)
                faces.append(face.group(1) if face else faces[-1])
            elif token == "</font>" and len(faces) > 1:
                faces.pop()
            continue
        face = faces[-1]
        primary = face if face and face not in _STYLE else _SANS[(min(bold, 1), min(italic, 1))]
        for font, run in fonts.runs(clean(token, fonts), primary):
            out.append(run if font == primary else f'<font face="{font}">{run}</font>')
    return "".join(out)


def holds_rtl(texts) -> bool:
    """Whether any of the texts (a line's words) holds a right-to-left letter; ASCII ones
    are passed without a search."""
    return any(not text.isascii() and RTL.search(text) for text in texts)


def base_rtl(text: str) -> bool:
    """Whether a paragraph runs right to left: its first strong character is (rule P2)."""
    return bool(RTL.search(text)) and uba.get_base_level(text) == 1


def visual(pieces: list[tuple[object, str]], rtl: bool) -> list[tuple[object, str]]:
    """One line's (style, text) pieces in logical order -> in the order to draw them, left
    to right: right-to-left runs reversed and their brackets mirrored (Unicode's bidi
    algorithm with the paragraph direction `rtl`). Pieces keep their style."""
    text = "".join(t for _, t in pieces)
    if not RTL.search(text):
        return [p for p in pieces if p[1]]
    owner = [i for i, (_, t) in enumerate(pieces) for _ in t]
    if not rtl:
        classes = list(map(unicodedata.bidirectional, text))
        if _PLAIN.issuperset(classes):
            return _styled(pieces, owner, [(at, text[at]) for at in _plain_order(classes)])
    return _uba(pieces, owner, text, rtl)


# A left-to-right line of letters and spaces only (most mixed lines, e.g. a Hebrew or
# Arabic phrase in English) needs none of the algorithm's rules for numbers, brackets,
# marks or embeddings: each run of right-to-left letters, with the spaces between them, is
# reversed in place. python-bidi's full pass per character took a twentieth of the sheet.
_PLAIN = frozenset(("L", "R", "AL", "WS"))


def _plain_order(classes: list[str]) -> list[int]:
    """Character indices in drawing order for a left-to-right line of the _PLAIN classes:
    what the algorithm gives them (spaces between two right-to-left letters take their
    direction, N1; any other space the line's, N2 and L1)."""
    order: list[int] = []
    index, count = 0, len(classes)
    while index < count:
        if classes[index] not in ("R", "AL"):
            order.append(index)
            index += 1
            continue
        end = probe = index + 1  # end: past the run's last right-to-left letter
        while probe < count and classes[probe] != "L":
            probe += 1
            if classes[probe - 1] != "WS":
                end = probe
        order.extend(range(end - 1, index - 1, -1))
        index = end
    return order


def _uba(pieces, owner: list[int], text: str, rtl: bool) -> list[tuple[object, str]]:
    """visual by python-bidi's implementation of the whole algorithm."""
    storage = uba.get_empty_storage()
    storage["base_level"] = 1 if rtl else 0
    storage["base_dir"] = "R" if rtl else "L"
    uba.get_embedding_levels(text, storage)
    for index, char in enumerate(storage["chars"]):
        char["at"] = index
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.reorder_resolved_levels(storage, False)
    uba.apply_mirroring(storage, False)
    return _styled(pieces, owner, [(char["at"], char["ch"]) for char in storage["chars"]])


def _styled(pieces, owner: list[int], drawn) -> list[tuple[object, str]]:
    """The characters in drawing order, each (its index in the line, the character drawn),
    as (style, text) pieces: neighbours from one piece joined."""
    out: list[tuple[object, str]] = []
    last, chars = None, []
    for at, char in drawn:
        piece = owner[at]
        if piece != last:
            if chars:
                out.append((pieces[last][0], "".join(chars)))
            last, chars = piece, []
        chars.append(char)
    if chars:
        out.append((pieces[last][0], "".join(chars)))
    return out
