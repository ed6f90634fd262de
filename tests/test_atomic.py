"""All-or-nothing output: every output and the state file move together, or none does."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, run, tree_digest, write_deck
from studycards import atomic


def edit(project) -> None:
    path = project / "cards" / "10-alpha.yaml"
    path.write_text(path.read_text().replace("Because.", "Because, edited."))


def outputs(project) -> dict[str, str]:
    """The final files of dist/ (no lock, no temporaries)."""
    return {name: digest for name, digest in tree_digest(project / "dist").items()
            if not name.endswith((".tmp", ".lock"))}


def temporaries(project) -> list[str]:
    return [p.name for p in (project / "dist").iterdir() if p.name.endswith(".tmp")]


def test_an_output_that_cannot_be_replaced_leaves_every_output_and_the_state(project, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    target = project / "dist" / "demo-cheatsheet.pdf"
    target.unlink()
    target.mkdir()  # a folder where the cheat sheet goes
    before = outputs(project)
    edit(project)
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert err == ("build.py: error: cannot replace dist/demo-cheatsheet.pdf: it is a folder; "
                   "move it away and build again; the previous outputs are unchanged\n")
    assert outputs(project) == before
    assert temporaries(project) == []


def test_a_rename_that_fails_half_way_is_rolled_back(project, monkeypatch, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    before = outputs(project)
    edit(project)
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("flashcards.pdf"):  # after the deck and the cheat sheet
            raise PermissionError(1, "Operation not permitted", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code, _, err = run(project, capsys=capsys)
    monkeypatch.undo()
    assert code == 1
    assert err == ("build.py: error: cannot replace dist/demo-flashcards.pdf: Operation not "
                   "permitted; the previous outputs are unchanged\n")
    assert outputs(project) == before
    assert temporaries(project) == []
    code, out, _ = run(project, capsys=capsys)  # once it can be replaced, all of it is rebuilt
    assert code == 0 and "(unchanged)" not in out


def test_a_failed_roll_back_says_which_outputs_are_new(project, monkeypatch, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    edit(project)
    real_replace = os.replace

    def replace(src, dst):
        if str(dst).endswith("flashcards.pdf"):
            raise OSError(5, "Input/output error", str(dst))
        return real_replace(src, dst)

    def broken_roll_back(self, done, backup_list):
        return [self.pending[i][1] for i in done]

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(atomic.Staging, "_roll_back", broken_roll_back)
    code, _, err = run(project, capsys=capsys)
    monkeypatch.undo()
    assert code == 1
    assert "the roll-back failed too, so these outputs are NEW: dist/demo.apkg, " \
           "dist/demo-cheatsheet.pdf" in err
    assert "previous outputs are unchanged" not in err and "--force" in err


def test_an_immutable_output_is_rolled_back_for_real(project, capsys):
    """chattr +i: the kernel refuses the rename, not a test double."""
    write_deck(project)
    assert run(project)[0] == 0
    target = project / "dist" / "demo-flashcards.pdf"
    if subprocess.run(["chattr", "+i", str(target)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not possible here (needs root and ext4 or similar)")
    try:
        before = outputs(project)
        edit(project)
        code, _, err = run(project, capsys=capsys)
        assert code == 1
        assert "cannot replace dist/demo-flashcards.pdf" in err
        assert err.rstrip().endswith("the previous outputs are unchanged")
        assert outputs(project) == before
    finally:
        subprocess.run(["chattr", "-i", str(target)])


def test_a_commit_killed_half_way_is_rolled_back_by_the_next_build(project):
    """A journal written before the renames lets the next build put the previous files back."""
    write_deck(project)
    assert run(project)[0] == 0
    before = outputs(project)
    edit(project)
    script = textwrap.dedent("""
        import os, sys
        sys.path.insert(0, %r)
        real = os.replace
        calls = []
        def replace(src, dst):
            calls.append(dst)
            if len(calls) == 2:
                os._exit(9)  # killed between the renames
            return real(src, dst)
        os.replace = replace
        from studycards import cli
        cli.main(["--quiet"])
    """) % str(ROOT)
    killed = subprocess.run([sys.executable, "-c", script], cwd=project,
                            env={**os.environ, "SOURCE_DATE_EPOCH": "1767225600"})
    assert killed.returncode == 9
    assert (project / "dist" / atomic.JOURNAL).exists()
    assert outputs(project) != before  # the deck was renamed in, the rest was not
    assert atomic.recover(project / "dist") == ["demo.apkg"]
    assert outputs(project) == before
    assert temporaries(project) == [] and not (project / "dist" / atomic.JOURNAL).exists()


def test_the_next_build_removes_what_a_killed_one_left(project, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    dist = project / "dist"
    (dist / ".demo.apkg.k3j_x9a2.tmp").write_bytes(b"half a deck")
    (dist / "..demo.apkg.abcdefgh.tmp.zz9_8yxw.tmp").mkdir()
    (dist / "..demo.apkg.abcdefgh.tmp.zz9_8yxw.tmp" / "collection.anki2").write_bytes(b"x")
    (dist / "notes.tmp").write_text("the user's own file")
    code, out, _ = run(project, capsys=capsys)  # a no-op build cleans up too
    assert code == 0 and out.count("(unchanged)") == 4
    assert temporaries(project) == ["notes.tmp"]


def test_a_second_build_into_the_same_folder_waits_its_turn(project, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    before = outputs(project)
    edit(project)
    with atomic.lock(project / "dist"):
        code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert err == "build.py: error: another build is writing to dist; wait for it to end\n"
    assert outputs(project) == before


def test_a_first_build_that_fails_creates_no_output_folder(project, capsys):
    write_deck(project, {"10-alpha.yaml": "section: A\ncards:\n  - id: a\n    front: Q\n"})
    assert run(project, capsys=capsys)[0] == 1
    assert not (project / "dist").exists()


def test_staging_without_hard_links_copies(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("old")
    monkeypatch.setattr(os, "link", lambda *a, **k: (_ for _ in ()).throw(OSError(1, "no")))
    with atomic.Staging(tmp_path) as staging:
        staging.write_bytes("a.txt", b"new")
        staging.commit()
    assert (tmp_path / "a.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
