"""Plain CSV/TSV and the cards they give: stable ids, odd text that round-trips, bad rows."""
from __future__ import annotations

import random

import pytest

from conftest import run
from studycards import cli
from studycards.importers import ImportFailed, import_file
from studycards.source import load_deck

# "w" * 600: one long word; much longer ones do not fit a flashcard at 6 pt and are refused
ODD = ["a: b", "- lead", "#hash", "x #y", "yes", "1.5", "null", '"quoted" \'s\'', "ünïcödé 日本",
       "w" * 600, "*stars* and _under_ and `tick` and [[brackets]]", "1. not a list",
       "<b>not bold</b> & {{c1::no}}", "tab\there", "trailing backslash \\", "~", "@at", "%pct"]


def write_csv(path, rows, delimiter=",", header=True, bom=False):
    def cell(text):
        return '"' + text.replace('"', '""') + '"'
    lines = ([delimiter.join(["front", "back", "tags"])] if header else [])
    lines += [delimiter.join(cell(c) for c in row) for row in rows]
    path.write_text(("\ufeff" if bom else "") + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_odd_text_round_trips_and_builds(tmp_path, monkeypatch):
    rows = [(text, f"answer {i}: {text}", "lang::x odd") for i, text in enumerate(ODD)]
    rows.append(("multi\nline\n- dash", "two\n\nparagraphs", ""))
    source = write_csv(tmp_path / "odd.csv", rows)
    report = import_file(source, tmp_path / "deck")
    assert report.kinds["basic"] == len(rows) and not report.lossy
    deck = load_deck(tmp_path / "deck" / "cards", source_date_epoch=0)
    from studycards import markup
    shown = [(markup.to_plain(c.front), markup.to_plain(c.back)) for c in deck.cards]
    for (front, back, _), (seen_front, seen_back) in zip(rows, shown):
        assert " ".join(seen_front.split()) == " ".join(front.split())
        assert " ".join(seen_back.split()) == " ".join(back.split())
    assert deck.cards[0].tags == ("lang::x", "odd")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert run(tmp_path / "deck", "--quiet")[0] == 0


def test_a_note_longer_than_a_card_holds_is_skipped_and_reported(tmp_path):
    source = write_csv(tmp_path / "long.csv", [("Short", "answer", ""), ("Long", "word " * 2500, "")])
    report = import_file(source, tmp_path / "deck")
    assert report.kinds["basic"] == 1
    assert any("12499 characters long" in line and "note skipped" in line
               for line in map(str, report.lossy))
    assert len(load_deck(tmp_path / "deck" / "cards", source_date_epoch=0).cards) == 1


def test_a_file_name_with_a_line_break_makes_a_one_line_deck_name(tmp_path):
    source = write_csv(tmp_path / "odd\nname\t.csv", [("Q", "A", "")])
    import_file(source, tmp_path / "deck")
    deck = load_deck(tmp_path / "deck" / "cards", source_date_epoch=0)
    assert deck.name == "odd name" and deck.sections[0].title == "odd name"


def test_a_folder_is_not_taken_for_a_missing_file(tmp_path):
    (tmp_path / "deck.apkg").mkdir()
    with pytest.raises(ImportFailed, match="not a regular file"):
        import_file(tmp_path / "deck.apkg", tmp_path / "out")


def test_thousands_of_rows_get_the_same_ids_twice(tmp_path):
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta", "été", "naïve", "x", "y"]
    rows = [(" ".join(rng.choice(words) for _ in range(rng.randint(1, 4))), f"answer {i}", "")
            for i in range(3000)]
    source = write_csv(tmp_path / "big.tsv", rows, delimiter="\t", header=False, bom=True)
    import_file(source, tmp_path / "one")
    import_file(source, tmp_path / "two")
    one = load_deck(tmp_path / "one" / "cards", source_date_epoch=0)
    two = load_deck(tmp_path / "two" / "cards", source_date_epoch=0)
    ids = [c.id for c in one.cards]
    assert len(ids) == 3000 == len(set(ids))
    assert ids == [c.id for c in two.cards]
    assert all(c.id.startswith(("alpha", "beta", "gamma", "delta", "ete", "naive", "x", "y"))
               for c in one.cards)


@pytest.mark.parametrize("name, text, message", [
    ("ragged.csv", "front,back\na,b\nc,d,e\n", "ragged.csv:3: this row has 3 cells, the first has 2"),
    ("one.csv", "just one column\nanother\n", "needs a front and a back"),
    ("latin1.csv", b"caf\xe9,coffee\n", "not UTF-8"),
    ("empty.csv", "", "empty"),
])
def test_bad_csv_is_one_line_and_writes_nothing(tmp_path, capsys, name, text, message):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    assert cli.main(["import", str(path), "--to", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not (tmp_path / "out").exists()


def test_anki_text_export_headers(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("#separator:Semicolon\n#html:false\n#notetype column:1\n#deck column:2\n"
                    "#tags column:5\nBasic;A::B;Q <b>1</b>;A1;t1 t2::x\n"
                    "Cloze;A::C;The {{c1::sun::star}} rises;extra;\n", encoding="utf-8")
    report = import_file(path, tmp_path / "deck")
    deck = load_deck(tmp_path / "deck" / "cards", source_date_epoch=0)
    assert deck.name == "A" and [s.title for s in deck.sections] == ["B", "C"]
    basic, cloze = deck.cards
    assert basic.front == "Q <b>1</b>" and basic.tags == ("t1", "t2::x")
    assert cloze.text == "The [[sun]] rises" and cloze.explain == "extra"
    assert any("hint 'star' dropped" in line for line in report.lossy)
    with pytest.raises(ImportFailed, match="the headers name column 5"):
        (tmp_path / "short.txt").write_text("#separator:tab\n#tags column:5\na\tb\n")
        import_file(tmp_path / "short.txt", tmp_path / "x")
