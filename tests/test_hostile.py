"""Hostile and unusual input, as a user trying to break the build would write it.

Every refused case: exit 1, a `path:line:col:` message naming the problem, and the previous
dist/ byte for byte as it was. Every accepted case: exit 0 and a deck that the real Anki
backend imports cleanly, with no card whose question or answer shows nothing.
"""
from __future__ import annotations

import html
import io
import re
import struct
import unicodedata
import zipfile
import zlib

import pdfplumber
import pytest
import yaml
from anki.collection import Collection
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import DECK_YAML, png, run, tree_digest, write_deck
from test_anki import import_package
from studycards import cli
from studycards.source import images
from studycards.writers import flashcards

HEAD = "section: Alpha\ncards:\n"


def basic(front: str, back: str = "A", extra: str = "") -> str:
    """A section with one basic card; front and back as YAML double-quoted strings."""
    return HEAD + f'  - id: a\n    front: "{front}"\n    back: "{back}"\n{extra}'


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims this size (its pixel data is a single row): a decoder
    that trusts the header would allocate width x height pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * (width + 1))) + chunk(b"IEND", b""))


def image_card(name: str, card_id: str = "a") -> str:
    return f"  - id: {card_id}\n    front: Q {card_id}\n    back: A\n    image: {name}\n"


def nested(depth: int) -> str:
    return HEAD + "  - id: a\n    front: Q\n    back: " + "[" * depth + "]" * depth + "\n"


def many_items(count: int) -> str:
    items = "".join(f"      - item number {i} of the list\n" for i in range(count))
    return HEAD + "  - id: a\n    list: All of them\n    items:\n" + items


def symlink_loop(root) -> None:
    (root / "assets" / "loop.png").symlink_to(root / "assets" / "loop.png")


def case_clash(root) -> None:
    (root / "assets" / "Pic.png").write_bytes(png(color=(0, 0, 200)))


# name: (section files, deck.yaml or None for the default, assets, extra setup,
#        place "file:line:col" of the problem, words of its message)
REFUSED = {
    "field-separator": ({"10-a.yaml": basic("Q\\x1fX")}, None, {}, None,
                        "cards/10-a.yaml:4:12", "U+001F (INFORMATION SEPARATOR ONE)"),
    "nul": ({"10-a.yaml": basic("Q", "A\\0")}, None, {}, None,
            "cards/10-a.yaml:5:11", "U+0000 (NULL)"),
    "other-c0": ({"10-a.yaml": basic("Q\\x07")}, None, {}, None,
                 "cards/10-a.yaml:4:12", "U+0007 (BELL)"),
    "c1": ({"10-a.yaml": basic("Q\\x9b")}, None, {}, None, "cards/10-a.yaml:4:12",
           "U+009B (a C1 control character)"),
    "delete": ({"10-a.yaml": basic("Q\\x7f")}, None, {}, None, "cards/10-a.yaml:4:12",
               "U+007F (DELETE)"),
    "noncharacter": ({"10-a.yaml": basic("Q\\uffff")}, None, {}, None,
                     "cards/10-a.yaml:4:12", "U+FFFF (a noncharacter)"),
    "bidi-override": ({"10-a.yaml": basic("Q\\u202eevil")}, None, {}, None,
                      "cards/10-a.yaml:4:12", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "control-in-a-key": ({"10-a.yaml": HEAD + '  - id: a\n    compare: [X, Y]\n    rows:\n'
                          '      "r\\x1f": [a, b]\n'}, None, {}, None,
                         "cards/10-a.yaml:6:7", "U+001F (INFORMATION SEPARATOR ONE)"),
    "control-in-deck-settings": ({}, 'id: demo\nname: Demo\ntitle: "T\\x1f"\n', {}, None,
                                 "cards/deck.yaml:3:8", "U+001F (INFORMATION SEPARATOR ONE)"),
    "blank-zero-width-space": ({"10-a.yaml": basic("\\u200b")}, None, {}, None,
                               "cards/10-a.yaml:4:12", "'front' has no visible text"),
    "blank-empty-list": ({"10-a.yaml": basic("-\\n-")}, None, {}, None,
                         "cards/10-a.yaml:4:12", "'front' has no visible text (lines of only '-'"),
    "blank-combining-mark": ({"10-a.yaml": HEAD + "  - id: a\n    front: Q\n    back: '\u0301'\n"},
                             None, {}, None, "cards/10-a.yaml:5:11", "'back' has no visible text"),
    "blank-hangul-filler": ({"10-a.yaml": HEAD + "  - id: a\n    term: '\u3164'\n    definition: D\n"},
                            None, {}, None, "cards/10-a.yaml:4:11", "'term' has no visible text"),
    "blank-list-item": ({"10-a.yaml": HEAD + "  - id: a\n    list: L\n    items: [x, '\u200b']\n"},
                        None, {}, None, "cards/10-a.yaml:5:16", "'items' has no visible text"),
    "blank-code": ({"10-a.yaml": basic("`\u200b`")}, None, {}, None,
                   "cards/10-a.yaml:4:12", "'front' has no visible text"),
    "empty-deletion": ({"10-a.yaml": HEAD + "  - id: a\n    cloze: Some [[]] text [[here]]\n"},
                       None, {}, None, "cards/10-a.yaml:4:12", "empty deletion [[ ]] (number 1)"),
    "blank-group-column": ({"10-a.yaml": "section: S\ngroups:\n  g:\n    title: T\n"
                            "    columns: [A, '\u200b']\ncards:\n"
                            "  - id: a\n    group: g\n    item: I\n    answer: A\n"},
                           None, {}, None, "cards/10-a.yaml:5:18", "'columns' has no visible"),
    "deep-nesting": ({"10-a.yaml": nested(500)}, None, {}, None,
                     "cards/10-a.yaml:5:", "nested more than 16 levels"),
    "image-symlink-loop": ({"10-a.yaml": HEAD + image_card("loop.png")}, None, {},
                           symlink_loop, "cards/10-a.yaml:6:12", "image 'loop.png' cannot be read"),
    "image-corrupt": ({"10-a.yaml": HEAD + image_card("x.png")}, None,
                      {"x.png": b"\x89PNG\r\n\x1a\n" + b"garbage" * 20}, None,
                      "cards/10-a.yaml:6:12", "image 'x.png' cannot be used"),
    "image-truncated": ({"10-a.yaml": HEAD + image_card("x.png")}, None,
                        {"x.png": png(300, 300)[:200]}, None,
                        "cards/10-a.yaml:6:12", "image 'x.png' cannot be used: the file is damaged"),
    "image-empty": ({"10-a.yaml": HEAD + image_card("x.png")}, None, {"x.png": b""}, None,
                    "cards/10-a.yaml:6:12", "image 'x.png' cannot be used: the file is empty"),
    "image-not-an-image": ({"10-a.yaml": HEAD + image_card("x.png")}, None,
                           {"x.png": b"just text"}, None,
                           "cards/10-a.yaml:6:12", "not a PNG, JPEG or GIF image"),
    "image-20000-square": ({"10-a.yaml": HEAD + image_card("x.png")}, None,
                           {"x.png": png_claiming(20000, 20000)}, None,
                           "cards/10-a.yaml:6:12", "too large (20000 x 20000 pixels)"),
    "image-12000-square": ({"10-a.yaml": HEAD + image_card("x.png")}, None,
                           {"x.png": png_claiming(12000, 12000)}, None,
                           "cards/10-a.yaml:6:12", "at most 40 megapixels"),
    "media-name-case-clash": ({"10-a.yaml": HEAD + image_card("pic.png") + image_card("Pic.png", "b")},
                              None, {"pic.png": png()}, case_clash,
                              "cards/10-a.yaml:10:12", "like another file used at cards/10-a.yaml:6:12"),
    "group-60-columns": ({"10-a.yaml": "section: S\ngroups:\n  g:\n    title: T\n    columns: ["
                          + ", ".join(f"c{i}" for i in range(60)) + "]\ncards:\n"
                          "  - id: a\n    group: g\n    item: I\n    answer: c1\n"},
                         None, {}, None, "cards/10-a.yaml:5:14", "has 60 entries; at most 6"),
    # More than any card face holds at 6 pt: refused when read, before a writer spends minutes
    # laying it out (250,000 characters kept the cheat sheet busy for longer than 5 minutes).
    "answer-250k": ({"10-a.yaml": basic("Q", "word " * 50_000)}, None, {}, None,
                    "cards/10-a.yaml:5:11", "250000 characters long; at most 10000"),
    "section-of-two-lines": ({"10-a.yaml": 'section: "Odd\\nname"\ncards:\n'
                              "  - id: a\n    front: Q\n    back: A\n"},
                             None, {}, None, "cards/10-a.yaml:1:10",
                             "'section' must be one line, not 'Odd\\nname'"),
    "stem-250": ({}, DECK_YAML + "stem: " + "a" * 250 + "\n", {}, None,
                 "cards/deck.yaml:4:7", "250 characters long; at most 64"),
    "id-trailing-newline": ({"10-a.yaml": HEAD + '  - id: "adv\\n"\n    front: Q\n    back: A\n'},
                            None, {}, None, "cards/10-a.yaml:3:9", "bad id 'adv\\n'"),
    "stem-trailing-newline": ({}, DECK_YAML + 'stem: "adv\\n"\n', {}, None,
                              "cards/deck.yaml:4:7", "bad stem 'adv\\n'"),
    "tag-trailing-newline": ({"10-a.yaml": 'section: A\ntags: ["x\\n"]\ncards:\n'
                              "  - id: a\n    front: Q\n    back: A\n"},
                             None, {}, None, "cards/10-a.yaml:2:8", "bad tag 'x\\n'"),
    "deck-name-empty-part": ({}, "id: demo\nname: A::::B\ntitle: T\n", {}, None,
                             "cards/deck.yaml:2:7", "empty part between '::'"),
    "deck-name-leading-separator": ({}, "id: demo\nname: '::A'\ntitle: T\n", {}, None,
                                    "cards/deck.yaml:2:7", "empty part between '::'"),
    "section-name-empty-part": ({"10-a.yaml": basic("Q").replace("Alpha", "'A::'")}, None,
                                {}, None, "cards/10-a.yaml:1:10", "empty part between '::'"),
    "sections-differ-in-case": ({"10-a.yaml": basic("Q").replace("Alpha", "Root user"),
                                 "20-b.yaml": basic("Q").replace("Alpha", "root User")
                                 .replace("id: a", "id: b")}, None, {}, None,
                                "cards/20-b.yaml:1:10", "differs only in case from 'Root user' "
                                "at cards/10-a.yaml:1:10"),
    "answer-of-9600-characters": ({"10-a.yaml": basic("Q", "lorem ipsum " * 800)}, None, {},
                                   None, "cards/10-a.yaml:3:9", "does not fit on a flashcard "
                                   "even at 6 pt"),
    "list-of-500-items": ({"10-a.yaml": many_items(500)}, None, {}, None,
                          "cards/10-a.yaml:3:9", "split the card"),
}


@pytest.mark.parametrize("name", REFUSED)
def test_refused_with_its_place_and_dist_untouched(project, capsys, name):
    sections, deck, assets, setup, place, words = REFUSED[name]
    write_deck(project)
    assert run(project, "--quiet")[0] == 0
    before = tree_digest(project / "dist")
    write_deck(project, sections or {"10-alpha.yaml": basic("Q")},
               deck=deck or "id: demo\nname: Demo::Deck\ntitle: Demo deck\n", assets=assets)
    if sections:
        (project / "cards" / "10-alpha.yaml").unlink()
    if setup:
        setup(project)
    code, _, err = run(project, "--quiet", capsys=capsys)
    assert code == 1, err
    assert f"{place}" in err and words in err, err
    line = next(line for line in err.splitlines() if words in line)
    assert re.match(r"cards/[\w.-]+\.yaml:\d+:\d+: ", line), line
    assert "internal error" not in err and "Traceback" not in err
    assert tree_digest(project / "dist") == before


# ---- accepted input: the real Anki backend imports it, and every card shows something ----


def visible(text: str) -> str:
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return "".join(c for c in text if not c.isspace()
                   and unicodedata.category(c) not in ("Cf", "Cc", "Mn", "Me", "Zs"))


def import_clean(root, tmp_path) -> Collection:
    (tmp_path / "anki").mkdir(exist_ok=True)
    col = Collection(str(tmp_path / "anki" / f"c{len(list((tmp_path / 'anki').iterdir()))}.anki2"))
    counts = import_package(col, root / "dist" / "demo.apkg")
    assert counts["new"] == col.note_count() > 0 and counts["conflicting"] == 0, counts
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        assert visible(card.question()), (cid, card.question())
        assert visible(card.answer()), (cid, card.answer())
    assert col._backend.check_database() == []
    return col


def test_tab_and_line_separators_are_normalised(project, tmp_path, capsys):
    write_deck(project, {"10-a.yaml": basic("a\\tb", "one\\r\\ntwo\\u2028three\\rfour")})
    assert run(project, "--quiet", capsys=capsys)[0] == 0
    col = import_clean(project, tmp_path)
    note = col.get_note(col.find_notes("")[0])
    assert note.fields[0] == "a   b"
    assert note.fields[1] == "one<br>two<br>three<br>four"
    with pdfplumber.open(project / "dist/demo-flashcards.pdf") as pdf:
        text = pdf.pages[0].extract_text()
    assert "a b" in " ".join(text.split()) and "\t" not in text
    col.close()


def test_media_names_are_injective(project, tmp_path, capsys):
    red, blue = png(color=(220, 0, 0)), png(color=(0, 0, 220))
    write_deck(project, {"10-a.yaml": HEAD + image_card("a/b.png") + image_card("a-b.png", "b")})
    (project / "assets" / "a").mkdir()
    (project / "assets" / "a" / "b.png").write_bytes(red)
    (project / "assets" / "a-b.png").write_bytes(blue)
    assert run(project, "--quiet", capsys=capsys)[0] == 0
    col = import_clean(project, tmp_path)
    shown = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        name = re.search(r'src="([^"]+)"', note["Image"]).group(1)
        shown[note["Front"]] = (col.media.dir() + "/" + name)
    assert len(set(shown.values())) == 2
    assert open(shown["Q a"], "rb").read() == red
    assert open(shown["Q b"], "rb").read() == blue
    assert col.media.check().missing == []
    col.close()


def test_large_image_is_scaled_once(project, tmp_path, capsys):
    write_deck(project, {"10-a.yaml": HEAD + image_card("wide.png")},
               assets={"wide.png": png(3000, 1500)})
    assert run(project, "--quiet", capsys=capsys)[0] == 0
    with zipfile.ZipFile(project / "dist/demo.apkg") as z:
        data = z.read("0")
    assert Image.open(io.BytesIO(data)).size == (images.LONGEST_SIDE, images.LONGEST_SIDE // 2)
    import_clean(project, tmp_path).close()


def test_long_header_and_section_fit(project, capsys):
    title = "An eighty-four character long deck title that goes on for quite a while, yes indeed"
    subject = "A seventy character subject line for the deck that also goes on and on"
    section = "W" * 60
    write_deck(project, {"10-a.yaml": basic("Q").replace("Alpha", section)},
               deck=f"id: demo\nname: Demo\ntitle: {title}\nsubject: {subject}\n")
    assert run(project, "--quiet", capsys=capsys)[0] == 0
    with pdfplumber.open(project / "dist/demo-cheatsheet.pdf") as pdf:
        page = pdf.pages[0]
        band = [w for w in page.extract_words() if w["top"] < 40]
        assert " ".join(w["text"] for w in band).count("indeed") == 1
        title_words = [w for w in band if w["text"] in title.split()]
        subject_words = [w for w in band if w["text"] in subject.split()
                         and w["text"] not in title.split()]
        for t in title_words:  # no word of one crosses a word of the other
            for s in subject_words:
                apart = t["x1"] <= s["x0"] or s["x1"] <= t["x0"] or t["bottom"] <= s["top"] \
                    or s["bottom"] <= t["top"]
                assert apart, (t, s)
        assert all(w["x1"] <= page.width - 9 * 72 / 25.4 for w in band)
    with pdfplumber.open(project / "dist/demo-flashcards.pdf") as pdf:
        page = pdf.pages[0]
        card_w = (page.width - 2 * flashcards.MARGIN_X) / flashcards.COLS
        label = [c for c in page.chars if abs(c["size"] - 6.5) < 0.01
                 and c["top"] < flashcards.MARGIN_Y + 20]
        number = [c for c in label if c["text"] == "#"][0]
        assert all(c["x1"] <= number["x0"] for c in label if c["text"] == "W")
        assert max(c["x1"] for c in label) <= flashcards.MARGIN_X + card_w


def test_text_near_the_limit_stays_inside_its_card(project, capsys):
    # about the most a card can hold at 6 pt: drawn, and never outside its card
    write_deck(project, {"10-a.yaml": basic("Q", "lorem ipsum dolor sit " * 55)})
    assert run(project, "--quiet", capsys=capsys)[0] == 0
    with pdfplumber.open(project / "dist/demo-flashcards.pdf") as pdf:
        page = pdf.pages[1]
        card_w = (page.width - 2 * flashcards.MARGIN_X) / flashcards.COLS
        card_h = (page.height - 2 * flashcards.MARGIN_Y) / flashcards.ROWS
        x0 = flashcards.MARGIN_X + card_w  # mirrored: the back of card 1 is on the right
        # every character but the page's foot note: all inside the one card
        chars = [c for c in page.chars if c["text"].strip()
                 and c["top"] < page.height - flashcards.MARGIN_Y]
        assert len(chars) > 900 and min(c["size"] for c in chars) >= flashcards.MIN_SIZE
        assert all(x0 <= c["x0"] and c["x1"] <= x0 + card_w for c in chars)
        assert all(flashcards.MARGIN_Y <= c["top"] and c["bottom"] <= flashcards.MARGIN_Y + card_h
                   for c in chars)


# ---- any text in any field: refused with a place, or imported with no blank card ----------

# Characters that are taken (some normalised), and characters that are refused.
TAKEN = ["\t", "\r", "\r\n", "\x85", "\u2028", "\u200b", "\u200e", "\u0301", "\u3164", " ",
         "\n", "- ", "-", "*", "1.", "[[", "]]", "**", "`", "\\", "<b>", "&amp;", "{{c1::x}}",
         "::", "[sound:x.mp3]", "\U0001F600", "\u05d0\u05d1"]
REFUSED_CHARS = ["\x00", "\x1f", "\x07", "\x7f", "\x9b", "\u202e", "\u2066", "\ufffe",
                 "\U0010ffff", "\ud800"]
piece = st.one_of(st.sampled_from(TAKEN),
                  st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn")), max_size=6))
text = st.tuples(st.text("abcXYZ", max_size=2), st.lists(piece, max_size=4).map("".join)) \
    .map("".join).filter(lambda s: s.strip() != "")


@st.composite
def section(draw):
    def t():
        return draw(text)
    cards = [
        {"id": "b", "front": t(), "back": t(), "explain": t()},
        {"id": "t", "term": t(), "definition": t()},
        {"id": "c", "cloze": t() + "[[" + t() + "]]" + t()},
        {"id": "l", "list": t(), "items": [t(), t()]},
        {"id": "g", "group": "g", "item": t(), "answer": "A"},
        {"id": "k", "compare": ["X", t()], "rows": {t(): [t(), t()]}, "ask": t()},
    ]
    if draw(st.integers(0, 3)) == 0:  # now and then, a character that is refused
        card = draw(st.sampled_from(cards[:4]))
        key = draw(st.sampled_from([k for k in card if k not in ("id", "items")]))
        card[key] = card[key] + draw(st.sampled_from(REFUSED_CHARS))
    return {"section": t(), "groups": {"g": {"title": t(), "columns": ["A", t()]}},
            "cards": cards}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(section(), text)
def test_any_text_is_refused_with_a_place_or_imports_with_no_blank_card(
        tmp_path_factory, capsys, document, description):
    root = tmp_path_factory.mktemp("anytext")
    (root / "cards").mkdir()
    (root / "cards" / "deck.yaml").write_text(
        yaml.safe_dump({"id": "demo", "name": "Demo", "title": "T", "description": description}),
        encoding="utf-8")
    (root / "cards" / "10-x.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    capsys.readouterr()
    code = cli.main(["--cards", str(root / "cards"), "--out", str(root / "dist"), "--quiet"])
    err = capsys.readouterr().err
    assert code in (0, 1), err
    event("refused" if code else "imported")
    if code == 1:
        lines = err.splitlines()
        assert lines[-1].endswith("nothing was written."), err
        assert all(re.match(r".+\.yaml:\d+:\d+: ", line) for line in lines[:-1]), err
        assert not (root / "dist").exists() or not any((root / "dist").iterdir())
        return
    import pathlib
    import_clean(root, pathlib.Path(str(root))).close()
