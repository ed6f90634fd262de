"""Decks made by the real Anki backend come in, build, print, and go back into Anki."""
from __future__ import annotations

import html
import re
import time
import shutil
import zipfile

import pytest
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

from ankifixture import (MERGE_CLEANLY, NOTES, VOCAB_WORDS, build_collection, export,
                         export_text, oldest_format)
from conftest import run
from studycards import cli
from studycards.importers import ImportFailed, apkg, import_file
from studycards.writers import cheatsheet
from test_anki import import_package, study_all
from test_cheatsheet import column_text

FORMATS = ["current", "legacy", "oldest", "colpkg", "text"]


@pytest.fixture(scope="module")
def teacher(tmp_path_factory):
    root = tmp_path_factory.mktemp("teacher")
    col = build_collection(root / "anki")
    guids = {col.get_note(nid).guid for nid in col.find_notes("")}
    files = {"current": export(col, root / "current.apkg", legacy=False),
             "legacy": export(col, root / "legacy.apkg", legacy=True),
             "text": export_text(col, root / "notes.txt")}
    files["oldest"] = oldest_format(files["legacy"], root / "oldest.apkg")
    col.export_collection_package(str(root / "all.colpkg"), include_media=True, legacy=False)
    files["colpkg"] = root / "all.colpkg"
    return files, guids


def build(folder, monkeypatch, epoch="1767225600"):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    assert cli.main(["--cards", str(folder / "cards"), "--out", str(folder / "dist"),
                     "--check", "--quiet"]) == 0
    assert run(folder, "--quiet")[0] == 0
    return next((folder / "dist").glob("*.apkg"))


def fields_seen(col: Collection) -> str:
    """Every field of every note as a reader sees it: tags stripped, entities decoded."""
    out = []
    for nid in col.find_notes(""):
        for value in col.get_note(nid).fields:
            out.append(html.unescape(re.sub(r"<[^>]+>", " ", value)))
    return " ".join(" ".join(out).split())


@pytest.mark.parametrize("fmt", FORMATS)
def test_import_build_print_and_reimport(fmt, teacher, tmp_path, monkeypatch, capsys):
    files, guids = teacher
    monkeypatch.chdir(tmp_path)
    code = cli.main(["import", str(files[fmt]), "--to", "deck"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{len(NOTES) + 1} notes read" in out
    assert "cloze hint 'mood' dropped" in out and "<script> dropped" in out
    assert re.search(r"cards/\d+-verbs\.yaml:\d+", out)
    folder = tmp_path / "deck"
    deck_yaml = (folder / "cards" / "deck.yaml").read_text()
    assert "name: Teacher::French" in deck_yaml
    package = build(folder, monkeypatch)

    sheet = " ".join(column_text(next((folder / "dist").glob("*-cheatsheet.pdf")),
                                 cheatsheet.COLUMNS).split())
    paper = sheet + " ".join(column_text(next((folder / "dist").glob("*-flashcards.pdf"))).split())
    squeezed = re.sub(r"\s+", "", sheet)
    for *_, texts in NOTES:
        for text in texts:
            assert re.sub(r"\s+", "", text) in squeezed, text
    for text in VOCAB_WORDS:
        assert re.sub(r"\s+", "", text) in squeezed, text
    for live in ("{{c", "alert(", "steal", "color:red", "[sound:", "<b>", "example.com"):
        assert live not in paper, live
    assert "\\pi" not in paper  # the MathJax formula became $\pi r^2$, drawn, not printed

    (tmp_path / "check").mkdir()
    col = Collection(str(tmp_path / "check" / "collection.anki2"))
    try:
        counts = import_package(col, package)
        assert counts["new"] == len(NOTES) + 1
        assert {col.get_note(nid).guid for nid in col.find_notes("")} == guids
        seen = fields_seen(col)
        for *_, texts in NOTES:
            for text in texts:
                assert " ".join(text.split()) in seen, text
        assert "\\(\\pi r^2\\)" in seen  # back to MathJax in Anki
        everything = " ".join(" ".join(col.get_note(n).fields) for n in col.find_notes(""))
        assert "<script" not in everything and "onclick" not in everything
        assert "https:" not in everything
        if fmt != "text":  # the text export carries no media
            assert col.media.have(f"{folder_id(folder)}-flag.png")
    finally:
        col.close()


def folder_id(folder) -> str:
    line = next(l for l in (folder / "cards" / "deck.yaml").read_text().splitlines()
                if l.startswith("id:"))
    return line.split(":", 1)[1].strip()


def test_same_file_gives_the_same_folder(teacher, tmp_path):
    files, _ = teacher
    import_file(files["current"], tmp_path / "one")
    import_file(files["current"], tmp_path / "two")
    one = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one").rglob("*")
           if p.is_file()}
    two = {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two").rglob("*")
           if p.is_file()}
    assert one == two and len(one) >= 5


def test_migration_keeps_every_review(tmp_path, monkeypatch):
    """A learner has the teacher's deck and has studied it; the rebuilt deck replaces it."""
    teacher_col = build_collection(tmp_path / "teacher", only=MERGE_CLEANLY)
    original = export(teacher_col, tmp_path / "original.apkg", legacy=False)
    teacher_col.close()
    (tmp_path / "learner").mkdir()
    col = Collection(str(tmp_path / "learner" / "collection.anki2"))
    try:
        import_package(col, original)
        study_all(col)
        col._backend.check_database()

        def snapshot():
            cards = col.db.all("select n.guid, c.ord, c.type, c.queue, c.due, c.ivl, c.factor, "
                               "c.reps, c.lapses from cards c join notes n on n.id = c.nid "
                               "order by n.guid, c.ord")
            return cards, col.db.all("select * from revlog order by id")

        before = snapshot()
        notes = col.note_count()
        assert len(before[1]) == col.card_count()

        monkeypatch.chdir(tmp_path)
        import_file(original, tmp_path / "deck")
        # newer than the learner's notes, as a rebuild after the import is
        package = build(tmp_path / "deck", monkeypatch, epoch=str(int(time.time()) + 60))
        log = col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package),
            options=ImportAnkiPackageOptions(merge_notetypes=True))).log
        assert len(log.updated) == notes and len(log.new) == 0
        assert col.note_count() == notes
        assert snapshot() == before
        seen = fields_seen(col)
        assert "What does être mean?" in seen and "[[x]]" in seen
        note = col.get_note(col.find_notes('"Front:What does*"')[0])
        assert note.note_type()["name"] == "studycards Basic"
        assert note.fields[0] == "What does <b>être</b> mean?"
        assert col._backend.check_database() == []
    finally:
        col.close()


@pytest.mark.parametrize("name, data, message", [
    ("notzip.apkg", b"hello, not a zip", "not an Anki package"),
    ("empty.apkg", None, "no Anki collection"),
    ("missing.apkg", "absent", "no such file"),
])
def test_bad_packages_say_one_line_and_write_nothing(tmp_path, name, data, message, capsys):
    path = tmp_path / name
    if data == "absent":
        pass
    elif data is None:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("readme.txt", "nothing here")
    else:
        path.write_bytes(data)
    assert cli.main(["import", str(path), "--to", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_truncated_database_and_stub_only(teacher, tmp_path, capsys):
    files, _ = teacher
    with zipfile.ZipFile(files["legacy"]) as src:
        data = src.read("collection.anki21")
        stub = src.read("collection.anki2")
    truncated = tmp_path / "truncated.apkg"
    with zipfile.ZipFile(truncated, "w") as z:
        z.writestr("collection.anki21", data[: len(data) // 3])
    only_stub = tmp_path / "stub.apkg"
    with zipfile.ZipFile(only_stub, "w") as z:
        z.writestr("collection.anki2", stub)
    cut_zip = tmp_path / "cut.apkg"
    cut_zip.write_bytes(files["current"].read_bytes()[:2000])
    for path, message in ((truncated, "damaged"), (only_stub, "stub"), (cut_zip, "not an Anki package")):
        with pytest.raises(ImportFailed, match=message):
            apkg.read(path)
        assert cli.main(["import", str(path), "--to", str(tmp_path / "out")]) == 1
        assert not (tmp_path / "out").exists()
    capsys.readouterr()


def test_current_package_never_reads_the_stub(teacher):
    files, _ = teacher
    with zipfile.ZipFile(files["current"]) as z:
        assert {"collection.anki2", "collection.anki21b", "meta"} <= set(z.namelist())
    notes = apkg.read(files["current"]).notes
    assert len(notes) == len(NOTES) + 1
    assert not any("Please update" in " ".join(n.fields) for n in notes)


def test_refuses_a_non_empty_folder_unless_forced(teacher, tmp_path, capsys):
    files, _ = teacher
    target = tmp_path / "deck"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    assert cli.main(["import", str(files["current"]), "--to", str(target)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (target / "mine.txt").read_text() == "keep me"
    assert cli.main(["import", str(files["current"]), "--to", str(target), "--force"]) == 0
    assert not (target / "mine.txt").exists() and (target / "cards" / "deck.yaml").is_file()
    shutil.rmtree(target)
