"""One renderer for the deck and the preview: our question and answer HTML is exactly what the
real Anki backend renders from the imported .apkg."""
from __future__ import annotations

import re

import pytest
from anki.collection import Collection

from conftest import run, write_deck
from studycards import cardhtml, notetypes
from studycards.source import load_deck
from studycards.writers import anki
from test_anki import import_package

STYLE = re.compile(r"^<style>.*?</style>", re.S)


def anki_faces(root, apkg) -> dict[tuple[str, int], tuple[str, str]]:
    (root / "anki").mkdir()
    col = Collection(str(root / "anki" / "collection.anki2"))
    try:
        import_package(col, apkg)
        faces = {}
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            faces[(card.note().guid, card.ord)] = (STYLE.sub("", card.question(), 1),
                                                   STYLE.sub("", card.answer(), 1))
        return faces
    finally:
        col.close()


def assert_same_as_anki(root, apkg):
    deck = load_deck(root / "cards", source_date_epoch=0)
    ours = {(anki.guid(deck, face.card), face.ordinal): (face.question, face.answer)
            for face in cardhtml.faces(deck)}
    theirs = anki_faces(root, apkg)
    assert ours.keys() == theirs.keys()
    for key, (question, answer) in ours.items():
        assert question == theirs[key][0], key
        assert answer == theirs[key][1], key
    return len(ours)


def test_every_card_of_the_shipped_deck_renders_as_in_anki(shipped, tmp_path):
    deck = load_deck(shipped / "cards", source_date_epoch=0)
    total = sum(card.prompts for card in deck.cards)
    assert assert_same_as_anki(shipped, shipped / "dist/aws-security.apkg") == total > 200


def test_tricky_text_renders_as_in_anki(project):
    write_deck(project, {"10-a.yaml": (
        "section: \"A & <B> 'c'\"\ncards:\n"
        "  - id: a\n    front: \"<b>x</b> & {{Back}} [sound:y.mp3] \u00e9\u00df\u4e2d\"\n"
        "    back: \"{{c1::z}} `code` *it*\"\n"
        "  - id: b\n    cloze: \"Keep [[**bold** {{c2::literal}} \u00e9 & <i> 'q' \u4e2d]] and "
        "[[x: y]] and [[*z*]]\"\n"
        "  - id: c\n    list: \"Pick **two**:\"\n    items: [\"a: b\", \"`c`\", \"d & e\"]\n"
        "  - id: d\n    term: \"**T**\"\n    definition: \"- one\\n- two\"\n")})
    assert run(project, "--quiet")[0] == 0
    assert assert_same_as_anki(project, project / "dist/demo.apkg") == 1 + 3 + 3 + 2


def test_templates_are_parsed_strictly():
    with pytest.raises(ValueError):
        cardhtml.render_template("{{#A}}x", {"A": "1"}, 1, True)
    with pytest.raises(ValueError):
        cardhtml.render_template("{{#A}}x{{/B}}", {"A": "1"}, 1, True)
    assert cardhtml.render_template("{{^A}}none{{/A}}{{#A}}[{{A}}]{{/A}}",
                                    {"A": " <br> "}, 1, True) == "none"


def test_every_note_type_template_renders():
    for notetype in notetypes.ALL:
        values = tuple(f"<i>{name}</i>" if name != "Text" else "{{c1::t}}"
                       for name in notetype.fields)
        for ordinal in range(1 if notetype.cloze else len(notetype.templates)):
            question, answer = cardhtml.render(notetype, values, ordinal)
            assert "{{" not in question + answer
