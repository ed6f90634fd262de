"""Every refusal names the exact file and line, all problems come together, dist/ is untouched."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SECTION_YAML, png, run, tree_digest, write_deck

HEAD = "section: Alpha\ncards:\n"

CASES = {
    "yaml-syntax": (
        HEAD + "  - id: a\n    front: [unclosed\n    back: b\n",
        "cards/10-alpha.yaml:5:", "YAML syntax error"),
    "missing-back": (
        HEAD + "  - id: a\n    front: Q\n",
        "cards/10-alpha.yaml:3:5:", "a card with 'front' needs 'back' too"),
    "empty-text": (
        HEAD + "  - id: a\n    front: Q\n    back: ''\n",
        "cards/10-alpha.yaml:5:11:", "'back' is empty"),
    "blank-text": (
        HEAD + "  - id: a\n    front: '   '\n    back: A\n",
        "cards/10-alpha.yaml:4:12:", "'front' is empty"),
    "null-text": (
        HEAD + "  - id: a\n    front: Q\n    back:\n",
        "cards/10-alpha.yaml:5:", "'back' is empty"),
    "unknown-key": (
        HEAD + "  - id: a\n    front: Q\n    bakc: A\n",
        "cards/10-alpha.yaml:5:5:", "unknown key 'bakc' (did you mean 'back'?)"),
    "cards-not-list": (
        "section: Alpha\ncards: oops\n",
        "cards/10-alpha.yaml:2:8:", "'cards' must be a list, not text"),
    "tags-not-list": (
        "section: Alpha\ntags: aws\ncards:\n  - id: a\n    front: Q\n    back: A\n",
        "cards/10-alpha.yaml:2:7:", "'tags' must be a list, not text"),
    "tag-with-space": (
        HEAD + "  - id: a\n    front: Q\n    back: A\n    tags: [good, two words]\n",
        "cards/10-alpha.yaml:6:18:", "bad tag 'two words'"),
    "bad-id": (
        HEAD + "  - id: Bad_Id\n    front: Q\n    back: A\n",
        "cards/10-alpha.yaml:3:9:", "bad id 'Bad_Id'"),
    "number-as-text": (
        HEAD + "  - id: a\n    front: Q\n    back: yes\n",
        "cards/10-alpha.yaml:5:11:", "'back' must be text, not true/false (put text in quotes"),
    "two-kinds": (
        HEAD + "  - id: a\n    front: Q\n    back: A\n    term: T\n    definition: D\n",
        "cards/10-alpha.yaml:3:5:", "a card is one kind only, but this one has 'front' and 'term'"),
    "no-kind": (
        HEAD + "  - id: a\n    explain: only this\n",
        "cards/10-alpha.yaml:3:5:", "a card needs one of 'front', 'term'"),
    "cloze-without-deletion": (
        HEAD + "  - id: a\n    cloze: nothing hidden here\n",
        "cards/10-alpha.yaml:4:12:", "cloze text has no deletion"),
    "unknown-group": (
        HEAD + "  - id: a\n    group: nope\n    item: I\n    answer: A\n",
        "cards/10-alpha.yaml:4:12:", "unknown group 'nope'"),
    "answer-not-a-column": (
        "section: Alpha\ngroups:\n  who:\n    title: Who?\n    columns: [AWS, Customer]\n"
        "cards:\n  - id: a\n    group: who\n    item: I\n    answer: Customers\n",
        "cards/10-alpha.yaml:10:13:", "did you mean 'Customer'?"),
    "compare-row-length": (
        HEAD + "  - id: a\n    compare: [A, B]\n    rows:\n      Cost: [free]\n",
        "cards/10-alpha.yaml:6:13:", "row 'Cost' has 1 values for 2 things compared"),
    "duplicate-key": (
        HEAD + "  - id: a\n    front: Q\n    back: A\n    back: B\n",
        "cards/10-alpha.yaml:6:5:", "duplicate key 'back' (first at line 5)"),
    "python-tag": (
        HEAD + "  - id: a\n    front: !!python/object/apply:os.system ['echo pwned']\n    back: A\n",
        "cards/10-alpha.yaml:4:12:", "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    "alias": (
        HEAD + "  - id: a\n    front: &q Question\n    back: *q\n",
        "cards/10-alpha.yaml:4:12:", "anchors and aliases"),
    "empty-file": ("", "cards/10-alpha.yaml:1:1:", "the file is empty"),
    "comments-only": ("# nothing yet\n", "cards/10-alpha.yaml:1:1:", "the file is empty"),
    "not-utf8": (
        b"section: Alpha\ncards:\n  - id: a\n    front: caf\xe9\n    back: A\n",
        "cards/10-alpha.yaml:4:15:", "not UTF-8"),
    "top-level-list": ("- a\n- b\n", "cards/10-alpha.yaml:1:1:", "the file must be a mapping"),
    "missing-section": (
        "cards:\n  - id: a\n    front: Q\n    back: A\n",
        "cards/10-alpha.yaml:1:1:", "missing required key 'section'"),
    "duplicate-guid": (
        HEAD + "  - id: a\n    guid: 'x#1'\n    front: Q\n    back: A\n"
        "  - id: b\n    guid: 'x#1'\n    front: Q2\n    back: A\n",
        "cards/10-alpha.yaml:8:11:", "duplicate guid 'x#1': also used at cards/10-alpha.yaml:4:11"),
    "guid-with-space": (
        HEAD + "  - id: a\n    guid: 'x 1'\n    front: Q\n    back: A\n",
        "cards/10-alpha.yaml:4:11:", "guid"),
    "image-missing": (
        HEAD + "  - id: a\n    front: Q\n    back: A\n    image: nowhere.png\n",
        "cards/10-alpha.yaml:6:12:", "image 'nowhere.png' not found in assets/"),
    "image-outside-assets": (
        HEAD + "  - id: a\n    front: Q\n    back: A\n    image: ../cards/x.png\n",
        "cards/10-alpha.yaml:6:12:", "image '../cards/x.png' is outside assets/"),
}


@pytest.fixture
def built(project):
    """A valid deck, built once, so each refusal can prove dist/ stayed as it was."""
    write_deck(project)
    assert run(project)[0] == 0
    return project, tree_digest(project / "dist")


@pytest.mark.parametrize("name", sorted(CASES))
def test_refusal_reports_file_line_and_leaves_dist(built, capsys, name):
    project, before = built
    source, where, message = CASES[name]
    (project / "cards" / "x.png").write_bytes(b"\x89PNG")  # for the outside-assets case
    data = source if isinstance(source, bytes) else source.encode("utf-8")
    (project / "cards" / "10-alpha.yaml").write_bytes(data)
    capsys.readouterr()
    code, out, err = run(project, capsys=capsys)
    assert code == 1, err
    lines = [line for line in err.splitlines() if line.startswith("cards/")]
    assert any(line.startswith(where) and message in line for line in lines), err
    assert "Traceback" not in err
    assert tree_digest(project / "dist") == before


def test_billion_laughs_is_refused_quickly(built, capsys):
    project, before = built
    laughs = ["section: Alpha", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        laughs.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [" + ",".join([f"*{prev}"] * 9) + "]")
    laughs.append("cards: *i")
    (project / "cards" / "10-alpha.yaml").write_text("\n".join(laughs) + "\n")
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert "anchors and aliases" in err
    assert tree_digest(project / "dist") == before


def test_duplicate_id_names_both_places(built, capsys):
    project, before = built
    (project / "cards" / "20-beta.yaml").write_text(
        "section: Beta\ncards:\n  - id: term-one\n    front: Q\n    back: A\n")
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert ("cards/20-beta.yaml:3:9: duplicate id 'term-one': also used at "
            "cards/10-alpha.yaml:12:9") in err
    assert tree_digest(project / "dist") == before


def test_all_problems_are_reported_together(built, capsys):
    project, before = built
    (project / "cards" / "10-alpha.yaml").write_text(
        HEAD + "  - id: a\n    front: Q\n    bakc: A\n"
        "  - id: Bad\n    front: Q\n    back: A\n"
        "  - id: c\n    cloze: none\n")
    (project / "cards" / "20-beta.yaml").write_text("section: [\n")
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    located = [line.split(": ")[0] for line in err.splitlines() if line.startswith("cards/")]
    assert located == ["cards/10-alpha.yaml:3:5", "cards/10-alpha.yaml:5:5",
                       "cards/10-alpha.yaml:6:9", "cards/10-alpha.yaml:10:12",
                       "cards/20-beta.yaml:2:1"], err
    assert "5 problems found; nothing was written." in err
    assert tree_digest(project / "dist") == before


def test_missing_deck_settings(project, capsys):
    write_deck(project, deck=None)
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert "cards/deck.yaml:1:1: the deck settings file is missing" in err


def test_deck_settings_are_validated(project, capsys):
    write_deck(project, deck="id: demo\nname: D\ntitel: T\n")
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert "cards/deck.yaml:3:1: unknown key 'titel' (did you mean 'title'?)" in err
    assert "cards/deck.yaml:1:1: missing required key 'title'" in err


def test_valid_deck_loads_every_kind(project):
    from studycards.model import Basic, Cloze, Compare, GroupItem, ListCard, Term
    from studycards.source import load_deck

    deck = load_deck(write_deck(project), source_date_epoch=5)
    kinds = [type(c) for c in deck.cards]
    assert kinds == [Basic, Term, Cloze, ListCard, GroupItem, Compare]
    assert deck.build_time == 5 and deck.stem == "demo"
    assert deck.cards[0].tags == ("demo::a",)
    assert SECTION_YAML  # the fixture text is the one documented in conftest


def test_image_is_loaded_with_a_namespaced_name(project):
    from studycards.source import load_deck

    write_deck(project, {"10-a.yaml": HEAD + "  - id: a\n    front: Q\n    back: A\n    image: d/p.png\n"},
               assets={})
    (project / "assets" / "d").mkdir()
    (project / "assets" / "d" / "p.png").write_bytes(png())
    deck = load_deck(project / "cards")
    # a file in a sub-folder carries a digest of its path: d/p.png and d-p.png stay apart
    assert re.fullmatch(r"demo-d-p-[0-9a-f]{8}\.png", deck.cards[0].image)
    assert deck.media_named(deck.cards[0].image).data == png()


def test_formulas_the_renderer_cannot_draw_are_reported_with_their_place(project, capsys):
    write_deck(project, {"10-a.yaml": HEAD + (
        "  - id: a\n    front: 'What is $\\foo x$?'\n    back: 'Costs $5 and $10'\n"
        "  - id: b\n    list: Items\n    items: ['fine $x^2$', 'bad $\\frac{a}{$']\n"
        "  - id: c\n    cloze: '[[$\\sqrt{$]] hidden'\n")})
    before = tree_digest(project / "dist")
    code, _, err = run(project, "--check", capsys=capsys)
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == ("cards/10-a.yaml:4:12: formula $\\foo x$ cannot be drawn: "
                        "Unknown symbol: \\foo, found '\\' (at character 1)")
    assert lines[1].startswith("cards/10-a.yaml:8:27: formula $\\frac{a}{$ cannot be drawn: ")
    assert lines[2].startswith("cards/10-a.yaml:10:12: formula $\\sqrt{$ cannot be drawn: ")
    assert "3 problems found; nothing was written." in err
    assert tree_digest(project / "dist") == before


# --- which files are card files -------------------------------------------------------------

def _section(title: str, card_id: str) -> str:
    return f"section: {title}\ncards:\n  - id: {card_id}\n    front: Q {card_id}\n    back: A\n"


def test_yml_any_case_and_sub_folders_are_loaded_in_path_order(project):
    from studycards.source import load_deck

    cards = write_deck(project, {"10-a.yaml": _section("A", "a"), "30-new.yml": _section("C", "c"),
                                 "X.YAML": _section("X", "x")})
    (cards / "20-more").mkdir()
    (cards / "20-more" / "b.Yml").write_text(_section("B", "b"))
    deck = load_deck(cards, source_date_epoch=1)
    assert [s.title for s in deck.sections] == ["A", "B", "C", "X"]
    assert [s.key for s in deck.sections] == ["10-a", "20-more/b", "30-new", "X"]


@pytest.mark.parametrize("name", [".#10-a.yaml", "._10-a.yaml", "10-a.yaml~", ".10-a.yaml.swp",
                                  ".hidden/x.yaml", "10-a.yaml.orig", "#10-a.yaml#"])
def test_editor_leftovers_are_not_parsed(project, capsys, name):
    cards = write_deck(project, {"10-a.yaml": _section("A", "a")})
    (cards / name).parent.mkdir(exist_ok=True)
    (cards / name).write_bytes(b"\xff\xfe not: [yaml")
    code, out, err = run(project, capsys=capsys)
    assert code == 0, err
    assert "1 source cards in 1 sections" in out


def test_deck_settings_in_a_sub_folder_are_refused(project, capsys):
    cards = write_deck(project)
    (cards / "other").mkdir()
    (cards / "other" / "deck.yaml").write_text("id: other\nname: Other\ntitle: Other\n")
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert err.startswith("cards/other/deck.yaml:1:1: deck settings belong in cards/deck.yaml only")


def test_deck_yml_is_the_deck_settings_too(project, capsys):
    cards = write_deck(project, deck=None)
    (cards / "deck.yml").write_text("id: demo\nname: Demo\ntitle: Demo\n")
    assert run(project, capsys=capsys)[0] == 0


def test_a_fifo_is_refused_with_its_place_not_waited_for(project):
    """Run in a child process: on today's code the build waits on the pipe forever."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    cards = write_deck(project)
    os.mkfifo(cards / "x.yaml")
    result = subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=project,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "cards/x.yaml:1:1: this is a FIFO (named pipe), not a card file: only regular files are read")
    assert not (project / "dist").exists()


# ---- the quick validity check compiled from the schema (source/schema.py) --------------------

VALID_CARDS = [
    {"id": "b", "front": "Q", "back": "A", "explain": "E", "tags": ["t::u"], "image": "p.png"},
    {"id": "t", "term": "T", "definition": "D"},
    {"id": "c", "cloze": "a [[b]]"},
    {"id": "l", "list": "L", "items": ["x", "y"]},
    {"id": "g", "group": "who", "item": "I", "answer": "AWS"},
    {"id": "k", "compare": ["A", "B"], "rows": {"r": ["1", "2"]}, "ask": "?"},
]
odd_values = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False),
                       st.sampled_from(["", " ", "x", "Bad Id", "a-b", "p.txt", "t t", "AWS"]),
                       st.lists(st.sampled_from(["x", "x", "", 1, None]), max_size=3),
                       st.dictionaries(st.sampled_from(["r", "title", "columns"]),
                                       st.sampled_from(["x", ["x", "y"], []]), max_size=2))
card_keys = st.sampled_from(["id", "front", "back", "term", "definition", "cloze", "list",
                             "items", "group", "item", "answer", "compare", "rows", "ask",
                             "explain", "tags", "image", "bakc"])


@st.composite
def near_valid_sections(draw):
    """A valid section file with a few keys changed, dropped or added."""
    cards = [dict(c) for c in draw(st.lists(st.sampled_from(VALID_CARDS), min_size=1, max_size=4))]
    group = {"title": "Who?", "columns": ["AWS", "Customer"]}
    section = {"section": "S", "tags": ["a"], "cards": cards, "groups": {"who": group}}
    for _ in range(draw(st.integers(0, 2))):
        target = draw(st.sampled_from(cards + [section, group]))
        key = draw(card_keys if target in cards else st.sampled_from(
            ["section", "tags", "cards", "groups", "title", "columns", "extra"]))
        if draw(st.booleans()):
            target.pop(key, None)
        else:
            target[key] = draw(odd_values)
    return section


@settings(max_examples=600, deadline=None)
@given(near_valid_sections())
def test_quick_check_never_passes_what_the_schema_refuses(document):
    import jsonschema

    from studycards.source import schema

    full = jsonschema.Draft202012Validator(schema.schema()).is_valid(document)
    if schema._quick("sectionFile")(document):
        assert full
    elif full:  # allowed, but then it must be one of the cases it leaves to jsonschema
        assert any(isinstance(v, (int, float)) for v in _leaves(document))


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def test_quick_check_passes_every_valid_card_kind():
    from studycards.source import schema

    section = {"section": "S", "cards": VALID_CARDS,
               "groups": {"who": {"title": "Who?", "columns": ["AWS", "Customer"]}}}
    assert schema._quick("sectionFile")(section)
    assert schema._quick("deckFile")({"id": "d", "name": "N", "title": "T", "stem": "s-2"})


# ---- yamlfile: the event reader and the careful reader agree ---------------------------------

def _careful(text: str):
    """The file read node by node (yamlfile._convert), as every file with a problem is."""
    import yaml

    from studycards.source import yamlfile

    root = yaml.compose(text, Loader=yamlfile._Loader)
    problems, others, marks = [], [], {}
    value = yamlfile._convert("f", root, 0, problems, set(), others, marks)
    return yamlfile.YamlDoc(value, root.start_mark, marks, not others), problems


def _paths(value, path=()):
    yield path
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from _paths(item, path + (key,))


def _assert_read_alike(text: str) -> None:
    from studycards.source import yamlfile

    read = yamlfile._read_events(text)
    assert read is not None, text
    fast, (careful, problems) = yamlfile.YamlDoc(*read), _careful(text)
    assert problems == []
    assert fast.value == careful.value and type(fast.value) is dict
    assert fast.ascii == careful.ascii
    for path in _paths(careful.value):
        for tail in ((), ("nope",), (99,)):
            for key in (False, True):
                assert fast.locate(path + tail, key) == careful.locate(path + tail, key), path


PLAIN_FILES = [
    SECTION_YAML,
    "section: S\ncards:\n  - id: a\n    front: 'Q: \"x\"'\n    back: |\n      one\n      two\n",
    "---\nsection: S  # comment\nn: 1\nf: 1.5\nb: yes\nz: ~\ne:\nl: [1, two, {x: y}]\n...\n",
    "section: \"a\\tb\"\nw: 'one\r\ntwo\u2028three'\nk\u00e9y: caf\u00e9\nlong: >\n  folded\n  text\n",
    "a:\n  b:\n    - - - c: [d, [e]]\n      - f\n",
    "{section: S, cards: [{id: a, front: Q, back: A}]}\n",
]


@pytest.mark.parametrize("text", PLAIN_FILES)
def test_event_reader_reads_plain_files_as_the_careful_reader(text):
    _assert_read_alike(text)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), yaml_values, min_size=1, max_size=4),
       st.sampled_from([None, "'", '"', "|"]), st.sampled_from([None, True, False]))
def test_event_reader_agrees_with_the_careful_reader(document, style, flow):
    import yaml

    from studycards.source import yamlfile

    text = yaml.safe_dump(document, default_style=style, default_flow_style=flow,
                          allow_unicode=True)
    read = yamlfile._read_events(text)
    careful, problems = _careful(text)
    if read is None:  # left to the careful reader: a problem, a tag, a "<<" key
        assert problems or "!" in text or "<<" in _all_keys(document), text
        return
    _assert_read_alike(text)


def _all_keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _all_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_keys(item)


@pytest.mark.parametrize("text", [
    "section: &a S\nother: *a\n", "section: !!str S\n", "a: 1\na: 2\n", "<<: {a: 1}\n",
    "? [a]\n: b\n", "- a\n", "", "# only\n", "a: 1\n---\nb: 2\n", "a: \"\\x1f\"\n",
    "d: 2024-01-01\n", "a: [unclosed\n", "".join(f"{' ' * i}k{i}:\n" for i in range(18)) + " " * 18 + "v: 1\n",
])
def test_event_reader_leaves_anything_unusual_to_the_careful_reader(text):
    from studycards.source import yamlfile

    assert yamlfile._read_events(text) is None
