"""The build: the state file, what a no-op build reads, killed and interrupted builds, the
deck id, the defaults."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run, tree_digest, write_deck
from studycards import builder, cli

sys.path.insert(0, str(ROOT / "benchmarks"))
from synth import write_synthetic  # noqa: E402

STATE = "dist/.studycards-state.json"
PATHS = ("--cards", "cards", "--out", "dist")


def edit(project: Path, old="Because.", new="Because, edited.") -> None:
    path = project / "cards" / "10-alpha.yaml"
    path.write_text(path.read_text().replace(old, new))


# --- the state file is a cache: damage is reported and rebuilt from ---------------------

DAMAGED = {
    "null": b"null",
    "list": b"[]",
    "garbage": b"\x00\xffnot json at all",
    "truncated": b'{"anki": {"notes": {',
    "anki is a list": b'{"anki": []}',
    "inputs is a number": b'{"inputs": 5}',
    "note stamp too short": b'{"anki": {"notes": {"g": ["d", 1]}}}',
    "note stamp of strings": b'{"anki": {"notes": {"g": ["d", "1", "2"]}}}',
    "names of numbers": b'{"names": [1, 2]}',
    "counts is text": b'{"counts": "3"}',
    "built is a list": b'{"built": ["demo.apkg"]}',
    "built entry of numbers": b'{"built": {"anki": [1, 2]}}',
    "built entry too short": b'{"built": {"anki": ["demo.apkg"]}}',
    "deep": b"[" * 100000,
}


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_state_is_reported_in_one_line_and_rebuilt(project, capsys, content, force):
    write_deck(project)
    assert run(project)[0] == 0
    edit(project)
    (project / STATE).write_bytes(content)
    code, out, err = run(project, *(["--force"] if force else []), capsys=capsys)
    assert code == 0, err
    assert err == "dist/.studycards-state.json is damaged; rebuilding everything\n"
    assert "(unchanged)" not in out
    state = json.loads((project / STATE).read_text())
    assert state["namespace"] == "demo" and len(state["anki"]["notes"]) == 6
    code, out, err = run(project, capsys=capsys)  # and the next build is a quiet no-op
    assert (code, err, out.count("(unchanged)")) == (0, "", 4)


def test_edits_reach_anki_after_the_state_was_lost(project, tmp_path, monkeypatch, capsys):
    """Rebuilt from nothing, the stamps are still newer than the ones the learner has."""
    from anki.collection import Collection
    from test_anki import import_package

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    cards = write_deck(project)
    os.utime(cards / "10-alpha.yaml", (1_700_000_000, 1_700_000_000))
    assert run(project)[0] == 0
    col = Collection(str(tmp_path / "col.anki2"))
    try:
        import_package(col, project / "dist/demo.apkg")
        edit(project)
        (project / STATE).write_bytes(b"null")
        assert run(project, capsys=capsys)[0] == 0
        counts = import_package(col, project / "dist/demo.apkg")
        assert counts["updated"] >= 1 and counts["new"] == 0
        assert any("Because, edited." in col.get_note(n).joined_fields()
                   for n in col.find_notes(""))
    finally:
        col.close()


# --- a no-op build reads only the files the deck is made of -----------------------------

def test_no_op_build_reads_only_the_cards_and_the_images_they_use(project, monkeypatch, capsys):
    write_deck(project, {"10-alpha.yaml": "section: A\ncards:\n  - id: a\n    front: Q\n"
                                          "    back: A\n    image: used.png\n"},
               assets={"used.png": _png()})
    (project / "assets" / "unused.bin").write_bytes(b"\0" * 4096)
    assert run(project)[0] == 0
    capsys.readouterr()
    opened = []
    real_open, real_io_open = os.open, io.open

    def spy_open(path, *args, **kwargs):
        opened.append(Path(os.fsdecode(path)).name)
        return real_open(path, *args, **kwargs)

    def spy_io_open(file, *args, **kwargs):
        if isinstance(file, (str, bytes, os.PathLike)):
            opened.append(Path(os.fsdecode(file)).name)
        return real_io_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_io_open)
    code, out, _ = run(project, capsys=capsys)
    monkeypatch.undo()
    assert code == 0 and out.count("(unchanged)") == 4
    assert "unused.bin" not in opened
    assert {"10-alpha.yaml", "deck.yaml", "used.png"} <= set(opened)


def _png(colour=(200, 30, 30)) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_no_op_check_still_sees_a_changed_image_and_a_new_card_file(project, capsys):
    write_deck(project, {"10-alpha.yaml": "section: A\ncards:\n  - id: a\n    front: Q\n"
                                          "    back: A\n    image: used.png\n"},
               assets={"used.png": _png()})
    assert run(project)[0] == 0
    (project / "assets" / "used.png").write_bytes(_png((30, 200, 30)))
    capsys.readouterr()
    code, out, _ = run(project, capsys=capsys)
    assert code == 0 and "(unchanged)" not in out
    (project / "cards" / "20-beta.yml").write_text(
        "section: B\ncards:\n  - id: b\n    front: Q2\n    back: A2\n")
    code, out, _ = run(project, capsys=capsys)
    assert code == 0 and "2 source cards in 2 sections" in out and "(unchanged)" not in out


# --- the deck id --------------------------------------------------------------------------

def test_a_changed_deck_id_is_refused_with_the_consequence(project, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    before = tree_digest(project / "dist")
    (project / "cards" / "deck.yaml").write_text(
        (project / "cards" / "deck.yaml").read_text().replace("id: demo", "id: demo-two"))
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert ("cards/deck.yaml:1:5: the deck id changed from 'demo' to 'demo-two' since the last "
            "build in dist/") in err
    assert "every card twice" in err and "--new-id" in err
    assert tree_digest(project / "dist") == before
    code, _, err = run(project, "--force", capsys=capsys)
    assert code == 1  # --force rebuilds; it does not mean "make a new deck"
    code, out, err = run(project, "--new-id", capsys=capsys)
    assert code == 0, err
    assert "dist/demo-two.apkg" in out
    assert json.loads((project / STATE).read_text())["namespace"] == "demo-two"


# --- defaults -------------------------------------------------------------------------------

def test_defaults_are_the_working_directory_deck(project, capsys):
    """cards/ is read from the working directory and dist/ goes beside it, never the
    project's own deck."""
    write_deck(project)
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("cards from cards/\n")
    assert (project / "dist" / "demo.apkg").is_file()
    assert not (project / "dist" / "aws-security.apkg").exists()


def test_out_defaults_to_beside_the_cards_folder(project, capsys):
    write_deck(project / "deck")
    assert cli.main(["--cards", "deck/cards"]) == 0
    assert capsys.readouterr().out.startswith("cards from deck/cards/\n")
    assert (project / "deck" / "dist" / "demo.apkg").is_file()
    assert not (project / "dist").exists()


def test_no_cards_folder_here_says_so(project, capsys):
    assert cli.main([]) == 1
    assert capsys.readouterr().err.startswith("cards:1:1: no such folder of card files")


# --- dates a zip cannot hold --------------------------------------------------------------

def test_source_date_epoch_past_2107_is_a_usage_error(project, monkeypatch, capsys):
    write_deck(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "5000000000")
    code, _, err = run(project, capsys=capsys)
    assert code == 2
    assert err.startswith("build.py: error: SOURCE_DATE_EPOCH=5000000000 is after 2107-12-31")
    assert not (project / "dist").exists()


def test_a_file_dated_past_2107_is_named(project, monkeypatch, capsys):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    cards = write_deck(project)
    os.utime(cards / "10-alpha.yaml", (5_000_000_000, 5_000_000_000))
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert err.startswith("cards/10-alpha.yaml:1:1: the file's modification time (2128-06-11) "
                          "is after 2107-12-31")
    assert "internal error" not in err and not (project / "dist").exists()


# --- killed and interrupted builds ----------------------------------------------------------

def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(predicate, what: str, limit: float = 120):
    """Poll until predicate() holds; the limit only keeps a broken build from hanging the
    suite (the test asserts what happened, never how fast)."""
    deadline = time.monotonic() + limit
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def big(tmp_path):
    """A deck large enough for parallel writers, built once into dist/, then edited."""
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc")
    write_synthetic(tmp_path, 2000)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", "TMPDIR": str(tmp_path / "tmp"),
           "PYTHONPATH": str(ROOT)}
    (tmp_path / "tmp").mkdir()
    first = subprocess.run([sys.executable, str(ROOT / "build.py"), *PATHS, "--quiet"], cwd=tmp_path,
                           env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    section = tmp_path / "cards" / "00000.yaml"
    section.write_text(section.read_text().replace("id: c1\n", "id: c1\n    tags: [edited]\n", 1))
    return tmp_path, env


def _start(root: Path, env) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), *PATHS, "--jobs", "3"], cwd=root,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    # Both PDF writers are running once there are two children (the preview's may be done
    # already) and their files are staged.
    _wait_for(lambda: len(_children(proc.pid)) >= 2 and len(
        [p for p in (root / "dist").iterdir() if p.name.endswith(".tmp")]) >= 3,
        "the PDF writers to start")
    return proc


def test_a_killed_build_takes_its_workers_along_and_the_next_cleans_up(big):
    root, env = big
    before = tree_digest(root / "dist")
    proc = _start(root, env)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the workers to die")
    after = {name: digest for name, digest in tree_digest(root / "dist").items()
             if not name.endswith(".tmp")}
    assert after == before  # nothing half-written took a final name
    left = [p.name for p in (root / "dist").iterdir() if p.name.endswith(".tmp")]
    assert left  # what the next build has to clean
    again = subprocess.run([sys.executable, str(ROOT / "build.py"), *PATHS, "--quiet"], cwd=root,
                           env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in (root / "dist").iterdir() if p.name.endswith(".tmp")] == []
    assert list((root / "tmp").iterdir()) == []


def test_a_build_killed_while_laying_out_formulas_takes_the_formula_workers_along(tmp_path):
    """Many new formulas are laid out in a pool of processes while the deck loads; killing
    the build there must not leave them behind (they waited on their queue for ever)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc")
    from studycards import mathtex

    script = ("from studycards import mathtex\n"
              "keys = [('x^{%d} + \\\\frac{a}{%d}' % (n, n), False) for n in range(COUNT)]\n"
              "mathtex.prepare(keys, jobs=2)\n").replace("COUNT", str(mathtex.PARALLEL_FROM * 20))
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)
    _wait_for(lambda: len(_children(proc.pid)) >= 2, "the formula workers to start")
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the formula workers to die")


def test_ctrl_c_ends_with_one_line_and_exit_130(big):
    root, env = big
    before = tree_digest(root / "dist")
    proc = _start(root, env)
    workers = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the build and its workers
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err == "interrupted; previous outputs unchanged\n"
    assert out == ""
    _wait_for(lambda: not any(_alive(pid) for pid in workers), "the workers to end")
    assert tree_digest(root / "dist") == before
    assert [p.name for p in (root / "dist").iterdir() if p.name.endswith(".tmp")] == []
    assert list((root / "tmp").iterdir()) == []


def test_parallel_writers_report_a_crash_of_theirs(project, monkeypatch, capsys):
    """A writer process that dies without a word is an error, not a hang or a half build."""
    from studycards.writers import cheatsheet

    write_deck(project)
    monkeypatch.setattr(builder, "PARALLEL_FROM", 0)
    monkeypatch.setattr(cheatsheet, "write", lambda *a, **k: os._exit(3))
    code, _, err = run(project, "--jobs", "2", capsys=capsys)
    assert code == 1 and "ended without its result" in err
    assert not any(p.name.endswith(".tmp") for p in (project / "dist").iterdir())


def test_a_rebuild_takes_formulas_from_the_last_build_and_prints_the_same(project, monkeypatch,
                                                                         capsys):
    from studycards import mathtex

    formulas = "  - id: f1\n    front: Energy?\n    back: $E = mc^2$ and $$\\sum_{i=1}^{n} i$$\n"
    write_deck(project, {"10-alpha.yaml": "section: Math\ncards:\n" + formulas})
    monkeypatch.setattr(mathtex, "_CACHE", {})
    assert run(project, "--quiet")[0] == 0
    store = project / "dist" / builder.FORMULAS_FILE
    cold = tree_digest(project / "dist")
    assert store.is_file()
    # The next build (a new process: nothing in memory) lays out no formula.
    with monkeypatch.context() as m:
        m.setattr(mathtex, "_CACHE", {})
        m.setattr(mathtex, "_STORE", mathtex._Store())
        m.setattr(mathtex, "_render", lambda *key: pytest.fail(f"laid out again: {key}"))
        assert run(project, "--quiet", "--force")[0] == 0
    assert tree_digest(project / "dist") == cold
    # A failed build (a formula that cannot be drawn) leaves the kept formulas as they were.
    (project / "cards" / "20-bad.yaml").write_text(
        "section: Bad\ncards:\n  - id: b\n    front: Bad?\n    back: $x^$\n")
    monkeypatch.setattr(mathtex, "_STORE", mathtex._Store())
    code, _, err = run(project, "--quiet", capsys=capsys)
    assert code == 1 and "20-bad.yaml:5" in err
    assert tree_digest(project / "dist") == cold


def test_the_deck_is_written_before_the_fork_and_the_flashcards_in_the_building_process(
        project, monkeypatch, capsys):
    """The longest output (the flashcards) stays in the building process, which does not
    copy the deck's pages as a forked child does; the Anki deck is written before any
    fork, so the children inherit what it loaded (the code highlighter's languages). The
    files are the ones a build in one process writes."""
    if not sys.platform.startswith("linux"):
        pytest.skip("reads /proc")
    from studycards.writers import anki, cheatsheet, flashcards, preview

    write_deck(project, {"10-alpha.yaml": (
        "section: Alpha\ncards:\n"
        "  - id: f\n    front: Energy $E = mc^2$ and $\\frac{a}{b}$\n    back: |\n"
        "      ```python\n      def f(x):\n          return x ** 2\n      ```\n"
        "  - id: c\n    cloze: The root of $x^2$ is [[$|x|$]], **bold** and *italic*.\n")})
    log = project / "writers.log"

    def logged(module):
        write = module.write

        def wrapper(*args, **kwargs):
            children = sum(len(task.joinpath("children").read_text().split())
                           for task in Path(f"/proc/{os.getpid()}/task").iterdir())
            with log.open("a") as out:
                out.write(f"{module.__name__.rsplit('.', 1)[1]} {os.getpid()} {children}\n")
            return write(*args, **kwargs)
        monkeypatch.setattr(module, "write", wrapper)

    for module in (anki, cheatsheet, flashcards, preview):
        logged(module)
    monkeypatch.setattr(builder, "PARALLEL_FROM", 0)
    code, _, err = run(project, "--jobs", "2", capsys=capsys)
    assert code == 0, err
    seen = {name: (int(pid), int(children)) for name, pid, children
            in (line.split() for line in log.read_text().splitlines())}
    assert seen["anki"] == (os.getpid(), 0)  # no child yet
    assert seen["flashcards"][0] == os.getpid()
    assert seen["cheatsheet"][0] == seen["preview"][0] != os.getpid()  # one child, for both
    parallel = tree_digest(project / "dist")
    code, _, err = run(project, "--jobs", "1", "--force", capsys=capsys)
    assert code == 0, err
    assert tree_digest(project / "dist") == parallel
