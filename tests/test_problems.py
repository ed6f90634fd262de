"""Problems print on one line each, showing control characters as escapes."""
from __future__ import annotations

from conftest import run, tree_digest, write_deck
from studycards.problems import Problem


def test_control_characters_print_as_escapes():
    problem = Problem("cards/odd\nname.yaml", 5, 11, "quoted 'a\x1fb\nc' here \x85 é")
    assert str(problem) == r"cards/odd\nname.yaml:5:11: quoted 'a\x1fb\nc' here \x85 é"


def test_a_card_file_named_with_a_newline_is_reported_on_one_line(project, capsys):
    write_deck(project, {"10-odd\nname.yaml": "section: Odd\ncards:\n  - id: a\n    front: Q\n"})
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert err.splitlines()[0] == r"cards/10-odd\nname.yaml:3:5: a card with 'front' needs 'back' too"
    assert tree_digest(project / "dist") == {}
