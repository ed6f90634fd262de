"""The .apkg against the real Anki backend: import, render, study, edit, re-import."""
from __future__ import annotations

import contextlib
import html
import re
import shutil
import sqlite3
import zipfile

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler.v3 import CardAnswer
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, run, write_deck
from studycards.model import Basic, Deck
from studycards.source import load_deck
from studycards import notetypes as anki_notetypes
from studycards.writers import anki

APKG = "dist/aws-security.apkg"


def import_package(col: Collection, path) -> dict[str, int]:
    """Import with Anki's default options, as a learner would; return the log's counts."""
    log = col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(path), options=ImportAnkiPackageOptions())).log
    return {"new": len(log.new), "updated": len(log.updated), "duplicate": len(log.duplicate),
            "conflicting": len(log.conflicting), "first_field_match": len(log.first_field_match),
            "missing_notetype": len(log.missing_notetype)}


def study_all(col: Collection) -> None:
    for rating_index, cid in enumerate(sorted(col.find_cards(""))):
        card = col.get_card(cid)
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        rating = (CardAnswer.GOOD, CardAnswer.EASY, CardAnswer.HARD)[rating_index % 3]
        col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating))


def schedule(col: Collection):
    cards = col.db.all("select id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses "
                       "from cards order by id")
    revlog = col.db.all("select * from revlog order by id")
    return cards, revlog


def visible(html_text: str) -> str:
    html_text = re.sub(r"<style>.*?</style>", "", html_text, flags=re.S)
    return re.sub(r"<[^>]+>", "", html_text).strip()


@pytest.fixture
def workspace(tmp_path, monkeypatch):
    """A copy of the shipped cards to edit, built into its own dist/."""
    shutil.copytree(ROOT / "cards", tmp_path / "cards")
    shutil.copytree(ROOT / "assets", tmp_path / "assets", ignore=shutil.ignore_patterns("fonts"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert run(tmp_path, "--quiet")[0] == 0
    return tmp_path


@pytest.fixture
def collection(tmp_path):
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki" / "collection.anki2"))
    yield col
    col.close()


def expected_counts(root):
    deck = load_deck(root / "cards", source_date_epoch=0)
    notes = anki.notes(deck)
    return len(deck.cards), sum(len(n.card_ords) for n in notes)


def test_fresh_import_matches_sources_and_renders(workspace, collection):
    notes, cards = expected_counts(workspace)
    counts = import_package(collection, workspace / APKG)
    assert counts["new"] == notes and counts["conflicting"] == 0
    assert collection.note_count() == notes
    assert collection.card_count() == cards
    for cid in collection.find_cards(""):
        card = collection.get_card(cid)
        assert visible(card.question()), cid
        assert visible(card.answer()), cid
    assert collection._backend.check_database() == []
    media = collection.media.check()
    assert list(media.missing) == [] and list(media.unused) == []
    assert collection.media.have("aws-security-shared-responsibility.png")
    decks = {d.name for d in collection.decks.all_names_and_ids()}
    assert "AWS::Cloud Practitioner::Security and Compliance::Root user" in decks
    tags = set(collection.tags.all())
    assert {"aws::security::shield", "clf-c02::2.1"} <= tags


def test_source_text_is_shown_literally(project, collection):
    write_deck(project, {"10-a.yaml": (
        "section: A\ncards:\n"
        "  - id: a\n    front: \"<b>x</b> & {{Back}} [sound:y.mp3]\"\n    back: \"{{c1::z}}\"\n"
        "  - id: b\n    cloze: \"Keep [[{{c2::literal}}]] & <i>\"\n")})
    assert run(project, "--quiet")[0] == 0
    import_package(collection, project / "dist/demo.apkg")
    texts = []
    for cid in sorted(collection.find_cards("")):
        card = collection.get_card(cid)
        texts.append(html.unescape(visible(card.answer())))  # as a browser shows it
    assert "<b>x</b> & {{Back}} [sound:y.mp3]" in texts[0]
    assert "{{c1::z}}" in texts[0]
    assert "Keep {{c2::literal}} & <i>" in texts[1]
    assert collection.card_count() == 2  # the literal {{c2::...}} made no second cloze card


def test_reimport_of_the_same_package_changes_nothing(workspace, collection):
    import_package(collection, workspace / APKG)
    notetypes = len(collection.models.all_names_and_ids())
    before = schedule(collection)
    counts = import_package(collection, workspace / APKG)
    assert counts["new"] == 0 and counts["updated"] == 0
    assert counts["duplicate"] == collection.note_count()
    assert len(collection.models.all_names_and_ids()) == notetypes
    assert schedule(collection) == before


def edit(root, old: str, new: str, name="30-security-services.yaml") -> None:
    path = root / "cards" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("with_epoch", [True, False])
def test_edits_arrive_and_reviews_survive(workspace, collection, monkeypatch, with_epoch):
    """Release N imported and studied, a card edited, release N+1 imported: the edit arrives
    and every review stays. With SOURCE_DATE_EPOCH each release has a later epoch (the
    commit's time), so Anki takes every note of it; without, only the edited ones are newer."""
    if not with_epoch:
        monkeypatch.delenv("SOURCE_DATE_EPOCH")
    import_package(collection, workspace / APKG)
    study_all(collection)
    # Answering cards within the same millisecond can leave Anki's own "last review time"
    # unset; let Check Database settle that before the snapshot, so that the final check
    # speaks of the re-imports only.
    collection._backend.check_database()
    cards_before, revlog_before = schedule(collection)
    assert len(revlog_before) == collection.card_count()
    notes = collection.note_count()

    for round_, (old, new) in enumerate([("Managed **DDoS protection**", "Managed **DDoS defence**"),
                                         ("Automated **vulnerability management**",
                                          "Automatic **vulnerability scanning**")]):
        edit(workspace, old, new)
        edit(workspace, ("the last [[90 days]]", "the most recent [[90 days]]")[round_],
             ("the most recent [[90 days]]", "the latest [[90 days]]")[round_])
        if with_epoch:
            monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1767225600 + 86400 * (round_ + 1)))
        assert run(workspace, "--quiet")[0] == 0
        counts = import_package(collection, workspace / APKG)
        assert counts["updated"] == (notes if with_epoch else 2) and counts["new"] == 0, counts
        assert collection.note_count() == notes
        shown = " ".join(collection.get_note(n).joined_fields() for n in collection.find_notes(""))
        assert new.replace("**", "<b>", 1).replace("**", "</b>", 1) in shown
        assert schedule(collection) == (cards_before, revlog_before)
    assert collection._backend.check_database() == []


def test_an_edit_under_the_same_epoch_is_announced(workspace, capsys):
    """The same SOURCE_DATE_EPOCH for edited cards cannot make them newer for Anki: say so."""
    edit(workspace, "Managed **DDoS protection**", "Managed **DDoS defence**")
    code, _, err = run(workspace, capsys=capsys)
    assert code == 0
    assert "warning: 1 note changed, but SOURCE_DATE_EPOCH (1767225600) is not later" in err


def test_style_changes_reach_anki_without_touching_reviews(workspace, collection):
    import_package(collection, workspace / APKG)
    study_all(collection)
    before = schedule(collection)
    state = __import__("json").loads((workspace / "dist/.studycards-state.json").read_text())["anki"]
    deck = load_deck(workspace / "cards", source_date_epoch=1767225600)
    restyled = workspace / "restyled.apkg"
    anki.write(deck, restyled, state, css=anki_notetypes.CSS + "\n.card { font-size: 23px; }\n")
    counts = import_package(collection, restyled)
    assert counts["new"] == 0 and counts["conflicting"] == 0
    css = collection.models.get(anki_notetypes.BASIC.id)["css"]
    assert "font-size: 23px" in css
    assert schedule(collection) == before


def test_note_types_keep_ids_and_names():
    ids = [nt.id for nt in anki_notetypes.ALL]
    assert len(set(ids)) == len(ids)
    # Renaming a field or template makes Anki treat it as another note type (see README).
    assert anki_notetypes.BASIC.fields == ("Front", "Back", "Explanation", "Image", "Section")
    assert anki_notetypes.TERM.fields == ("Term", "Definition", "Explanation", "Image", "Section")
    assert anki_notetypes.CLOZE.fields == ("Text", "Explanation", "Image", "Section")
    assert anki_notetypes.GROUP.fields == ("Item", "Answer", "Question", "Choices", "Explanation",
                                           "Image", "Section")
    assert [t[0] for t in anki_notetypes.TERM.templates] == ["Term to definition", "Definition to term"]


def test_guid_comes_from_namespace_and_id_only(project):
    cards = write_deck(project)
    deck = load_deck(cards, source_date_epoch=1)
    first = {n.guid for n in anki.notes(deck)}
    (cards / "10-alpha.yaml").write_text((cards / "10-alpha.yaml").read_text().replace(
        "Key Management Service", "Key Management Service, edited"))
    deck2 = load_deck(cards, source_date_epoch=1)
    assert {n.guid for n in anki.notes(deck2)} == first


def test_a_kept_guid_replaces_the_derived_one(project):
    write_deck(project, {"10-a.yaml": "section: A\ncards:\n"
                         "  - id: a\n    guid: 'Ab3{x`!'\n    front: Q\n    back: A\n"
                         "  - id: b\n    front: Q2\n    back: A2\n"})
    deck = load_deck(project / "cards", source_date_epoch=1)
    assert [n.guid for n in anki.notes(deck)] == ["Ab3{x`!", anki.genanki.guid_for("demo", "b")]


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=30))
def test_guid_is_genankis(namespace, card_id):
    """Our faster GUID is genanki's own: a deck built before keeps its notes."""
    deck = Deck(namespace=namespace, name="N", title="T", stem="s", sections=())
    card = Basic(id=card_id, front="Q", back="A")
    assert anki.guid(deck, card) == genanki.guid_for(namespace, card_id)


def test_rebuild_is_byte_identical(workspace):
    first = (workspace / APKG).read_bytes()
    assert run(workspace, "--quiet", "--force")[0] == 0
    assert (workspace / APKG).read_bytes() == first
    with zipfile.ZipFile(workspace / APKG) as z:
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in z.infolist())
        assert {info.date_time for info in z.infolist()} == {(2026, 1, 1, 0, 0, 0)}


def test_rows_stored_in_chunks_make_the_same_package(shipped, tmp_path, monkeypatch):
    """A large deck's rows go to SQLite a chunk at a time: the package does not change."""
    deck = load_deck(shipped / "cards", source_date_epoch=1767225600)
    whole = anki.write(deck, tmp_path / "whole.apkg", {})
    monkeypatch.setattr(anki, "CHUNK", 7)
    chunked = anki.write(deck, tmp_path / "chunked.apkg", {})
    assert chunked == whole
    assert (tmp_path / "chunked.apkg").read_bytes() == (tmp_path / "whole.apkg").read_bytes()


def test_clones_with_source_date_epoch_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    outputs = []
    for clone in ("one", "elsewhere/two"):
        root = tmp_path / clone
        shutil.copytree(ROOT / "cards", root / "cards")
        shutil.copytree(ROOT / "assets", root / "assets", ignore=shutil.ignore_patterns("fonts"))
        monkeypatch.chdir(root)
        assert run(root, "--quiet")[0] == 0
        outputs.append({p.name: p.read_bytes() for p in (root / "dist").glob("*.*")
                        if not p.name.startswith(".")})
    assert outputs[0].keys() == outputs[1].keys() and len(outputs[0]) == 4
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], name


def test_a_clone_with_history_and_a_fresh_clone_give_identical_bytes(tmp_path, monkeypatch,
                                                                    collection):
    """With SOURCE_DATE_EPOCH the outputs are a function of the sources: what an earlier
    build left in dist/ (stamps, note ids) makes no difference."""
    roots = {}
    for clone in ("history", "fresh"):
        root = roots[clone] = tmp_path / clone
        shutil.copytree(ROOT / "cards", root / "cards")
        shutil.copytree(ROOT / "assets", root / "assets", ignore=shutil.ignore_patterns("fonts"))
    monkeypatch.chdir(roots["history"])
    # An earlier release, built and then edited twice, without and with an epoch.
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert run(roots["history"], "--quiet")[0] == 0
    edit(roots["history"], "Managed **DDoS protection**", "Managed **DDoS defence**")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767000000")
    assert run(roots["history"], "--quiet")[0] == 0
    edit(roots["history"], "Managed **DDoS defence**", "Managed **DDoS protection**")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    outputs = {}
    for clone, root in roots.items():
        monkeypatch.chdir(root)
        assert run(root, "--quiet")[0] == 0
        outputs[clone] = {p.name: p.read_bytes() for p in (root / "dist").iterdir()
                          if not p.name.startswith(".")}
    assert sorted(outputs["fresh"]) == ["aws-security-cheatsheet.pdf",
                                        "aws-security-flashcards.pdf", "aws-security.apkg",
                                        "aws-security.html"]
    for name in outputs["fresh"]:
        assert outputs["history"][name] == outputs["fresh"][name], name
    # and the package is a sound one
    counts = import_package(collection, roots["history"] / APKG)
    assert counts["new"] == collection.note_count() > 0
    assert collection._backend.check_database() == []


def test_card_ordinals_match_the_rendered_notes(shipped):
    deck = load_deck(shipped / "cards", source_date_epoch=0)
    for note in anki.notes(deck):
        if note.notetype.cloze:  # our HTML carries each deletion as {{cN::, nothing else does
            assert re.findall(r"\{\{c(\d+)::", note.fields[0]) == \
                [str(n + 1) for n in note.card_ords], note.guid
        else:
            assert len(note.card_ords) == len(note.notetype.templates), note.guid


CODE_AND_MATH = r"""
section: Code
cards:
  - id: pod
    front: 'Roots of $ax^2+bx+c=0$?'
    back: |
      A pod:
      ```yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      ```
  - id: loop
    cloze: |
      Run `kubectl [[get pods]] -A`, then:
      ```python
      for i in [[range(3)]]:
          [[print(i)]]
      ```
  - id: euler
    cloze: 'Euler: [[$e^{i\pi}+1=0$]]'
"""


def test_code_and_formulas_reach_anki_intact(project, collection):
    write_deck(project, {"10-code.yaml": CODE_AND_MATH})
    assert run(project, "--quiet")[0] == 0
    import_package(collection, project / "dist/demo.apkg")
    assert collection.card_count() == 1 + 3 + 1  # a deletion in inline code and in a block count
    basic = collection.get_card(collection.find_cards('"note:studycards Basic"')[0])
    question, answer = html.unescape(basic.question()), html.unescape(basic.answer())
    assert "\\(ax^2+bx+c=0\\)" in question  # MathJax's delimiters and the TeX, untouched
    block = re.search(r'<pre class="code"><code[^>]*>(.*?)</code></pre>', answer, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", block) == "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web"
    loop = sorted(collection.find_cards('"note:studycards Cloze" Run'),
                  key=lambda cid: collection.get_card(cid).ord)
    fronts = [html.unescape(visible(collection.get_card(cid).question())) for cid in loop]
    backs = [html.unescape(visible(collection.get_card(cid).answer())) for cid in loop]
    assert "get pods" not in fronts[0] and "get pods" in backs[0]
    assert "range(3)" not in fronts[1] and "print(i)" in fronts[1]
    assert "for i in range(3):\n    print(i)" in backs[2]
    euler = collection.get_card(collection.find_cards("Euler")[0])
    assert "\\(e^{i\\pi}+1=0\\)" in html.unescape(euler.answer())
    assert "e^{i\\pi}" not in html.unescape(euler.question())  # the whole formula is hidden


def test_sort_field_is_ankis(tmp_path):
    """Each note's sort field and checksum are what Anki computes for the same first field
    (it recomputes them on import): tags dropped, a card's own < > & kept as text."""
    write_deck(tmp_path, {"10-signs.yaml": """
        section: Signs
        cards:
          - id: lt
            front: "a < b and c > d"
            back: x
          - id: bold
            front: "**x** < y & z"
            back: y
          - id: code
            front: "`if a<b:` then"
            back: z
        """})
    assert run(tmp_path)[0] == 0
    apkg = next((tmp_path / "dist").glob("*.apkg"))
    with zipfile.ZipFile(apkg) as package:
        (tmp_path / "package.anki2").write_bytes(package.read("collection.anki2"))
    with contextlib.closing(sqlite3.connect(tmp_path / "package.anki2")) as db:
        written = dict(db.execute("select guid, sfld || ' ' || csum from notes"))
    col = Collection(str(tmp_path / "col.anki2"))
    import_package(col, apkg)
    assert dict(col.db.all("select guid, sfld || ' ' || csum from notes")) == written
    assert sorted(written.values())[0].startswith("a < b and c > d ")
    col.close()
