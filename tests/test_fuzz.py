"""No input makes the builder crash: any YAML shape gets exit 0 or 1, never a traceback."""
from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DECK_YAML
from studycards import cli

def build(tmp_path_factory, deck_text: str, section_text: str, *args: str) -> int:
    """Run the builder on a fresh folder holding these two files; return its exit code."""
    root = tmp_path_factory.mktemp("fuzz")
    cards = root / "cards"
    cards.mkdir()
    (cards / "deck.yaml").write_text(deck_text, encoding="utf-8")
    (cards / "10-x.yaml").write_text(section_text, encoding="utf-8")
    return cli.main(["--cards", str(cards), "--out", str(root / "dist"), "--quiet", *args])


KEYS = ["section", "tags", "groups", "cards", "id", "front", "back", "term", "definition",
        "cloze", "list", "items", "group", "item", "answer", "compare", "rows", "ask",
        "explain", "image", "title", "columns", "who"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False),
                    st.sampled_from(["", " ", "x", "who", "AWS", "a b", "[[x]]", "p.png",
                                     "../x.png", "Customer", "<b>&"]))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)), max_leaves=20)
card = st.dictionaries(st.sampled_from(KEYS), values, max_size=6)
section = st.fixed_dictionaries(
    {"section": values, "cards": st.one_of(values, st.lists(card, max_size=4))},
    optional={"tags": values, "groups": values})


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(section)
def test_any_shape_is_reported_not_crashed(tmp_path_factory, document):
    assert build(tmp_path_factory, DECK_YAML, yaml.safe_dump(document), "--check") in (0, 1)


deck_settings = st.dictionaries(
    st.sampled_from(["id", "name", "title", "stem", "description", "author", "subject", "x"]),
    st.one_of(values, st.sampled_from(["demo", "Demo::Deck", "ok-stem"])), max_size=7)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(deck_settings)
def test_any_deck_settings_are_reported_not_crashed(tmp_path_factory, document):
    section_text = "section: S\ncards:\n  - id: a\n    front: Q\n    back: A\n"
    assert build(tmp_path_factory, yaml.safe_dump(document), section_text) in (0, 1)
