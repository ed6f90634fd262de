"""Code highlighting: verbatim runs, a few classes, the same colours for Anki and paper."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studycards import highlight


def test_known_languages_are_split_into_classes():
    runs = highlight.runs("python", "def f():\n    return 'x'  # done\n")
    assert ("k", "def") in runs and ("f", "f") in runs and ("s", "'x'") in runs
    assert any(cls == "c" and text.startswith("# done") for cls, text in runs)
    assert ("g", "kind") in highlight.runs("yaml", "kind: Pod")


def test_unknown_or_no_language_is_one_plain_run():
    assert highlight.runs("klingon", "a = 1") == (("", "a = 1"),)
    assert highlight.runs("", "a = 1") == (("", "a = 1"),)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["python", "yaml", "bash", "json", "c", "sql", "html"]), st.text(max_size=80))
def test_runs_join_to_exactly_the_code(language, code):
    assert "".join(text for _, text in highlight.runs(language, code)) == code


def test_every_class_has_a_light_and_a_night_colour():
    assert set(highlight.LIGHT) == set(highlight.NIGHT)
    css = highlight.css(".x", (".night",))
    assert all(f".x .hl-{name}" in css for name in highlight.LIGHT)
