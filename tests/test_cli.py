"""`python build.py`: options, exit codes, summary, atomic outputs, incremental rebuilds."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, run, tree_digest, write_deck
from studycards import builder, cli
from studycards.problems import Problem, Problems
from studycards.writers import flashcards


def test_help_documents_every_option(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--check", "--paper", "--out", "--cards", "--quiet", "--force", "--jobs",
                   "--only", "Exit codes"):
        assert option in out


@pytest.mark.parametrize("args", [["--paper", "a5"], ["--nope"], ["--jobs", "x"],
                                  ["--only", "anki,pdf"], ["--only", ","]])
def test_usage_errors_exit_2(args, capsys):
    assert cli.main(args) == 2
    assert "usage:" in capsys.readouterr().err


def test_bad_source_date_epoch_is_a_usage_error(project, monkeypatch, capsys):
    write_deck(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert run(project, capsys=capsys)[0] == 2


def test_check_writes_nothing(project, capsys):
    write_deck(project)
    code, out, _ = run(project, "--check", capsys=capsys)
    assert code == 0 and "ok: 6 cards in 1 sections" in out
    assert not (project / "dist").exists()


def test_summary_names_counts_files_sizes_and_time(project, capsys):
    write_deck(project)
    code, out, _ = run(project, capsys=capsys)
    assert code == 0
    assert "6 source cards in 1 sections: 6 Anki notes, 9 Anki cards" in out
    for name in ("dist/demo.apkg", "dist/demo-cheatsheet.pdf", "dist/demo-flashcards.pdf",
                 "dist/demo.html"):
        assert name in out
    assert "KiB" in out and "built in" in out


def test_quiet_prints_nothing(project, capsys):
    write_deck(project)
    code, out, err = run(project, "--quiet", capsys=capsys)
    assert code == 0 and out == "" and err == ""


def test_failing_writer_leaves_previous_outputs(project, monkeypatch, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    before = tree_digest(project / "dist")
    (project / "cards" / "10-alpha.yaml").write_text(
        (project / "cards" / "10-alpha.yaml").read_text().replace("Because.", "Because, edited."))

    def broken(deck, path, paper="a4"):
        path.write_bytes(b"half a PDF")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(flashcards, "write", broken)
    code, _, err = run(project, capsys=capsys)
    assert code == 1
    assert "internal error: RuntimeError: disk on fire" in err and "Traceback" not in err
    assert tree_digest(project / "dist") == before
    assert sorted(p.name for p in (project / "dist").iterdir()) == sorted(before)  # no temp files


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_card_a_writer_refuses_is_reported_at_its_place(project, monkeypatch, capsys, jobs):
    """A writer that cannot render a card names the card's place, in a worker process too."""
    write_deck(project)
    assert run(project)[0] == 0
    before = tree_digest(project / "dist")
    (project / "cards" / "10-alpha.yaml").write_text(
        (project / "cards" / "10-alpha.yaml").read_text().replace("Because.", "Because, edited."))

    def refusing(deck, path, paper="a4"):
        card = deck.cards[1]
        raise Problems([Problem.at(card.origin, f"card '{card.id}' does not fit")])

    monkeypatch.setattr(flashcards, "write", refusing)
    monkeypatch.setattr(builder, "PARALLEL_FROM", 0)
    code, _, err = run(project, "--jobs", jobs, capsys=capsys)
    assert code == 1
    assert "cards/10-alpha.yaml:12:9: card 'term-one' does not fit" in err
    assert "1 problem found; nothing was written." in err
    assert tree_digest(project / "dist") == before


def test_unchanged_rebuild_skips_work_and_matches_a_full_build(project, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    capsys.readouterr()
    code, out, _ = run(project, capsys=capsys)
    assert code == 0 and out.count("(unchanged)") == 4
    before = tree_digest(project / "dist")
    assert run(project, "--force")[0] == 0
    assert tree_digest(project / "dist") == before


def test_one_edit_rebuilds_what_depends_on_it(project, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    capsys.readouterr()
    (project / "cards" / "10-alpha.yaml").write_text(
        (project / "cards" / "10-alpha.yaml").read_text().replace("Because.", "Because, edited."))
    code, out, _ = run(project, capsys=capsys)
    assert code == 0 and "(unchanged)" not in out


def test_other_paper_rebuilds_pdfs_only(project, capsys):
    write_deck(project)
    assert run(project)[0] == 0
    capsys.readouterr()
    code, out, _ = run(project, "--paper", "letter", capsys=capsys)
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "(unchanged)" in lines["dist/demo.apkg"]
    assert "(unchanged)" not in lines["dist/demo-cheatsheet.pdf"]
    assert "(unchanged)" in lines["dist/demo.html"]


def test_build_py_is_the_entry_point():
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--check"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_interrupt_exit_code_is_documented(capsys):
    assert cli.main(["--help"]) == 0
    assert "130 interrupted" in capsys.readouterr().out


@pytest.fixture
def bare_checkout(tmp_path):
    """build.py and the package, without a .venv/: as a newcomer's clone before `make`."""
    shutil.copy(ROOT / "build.py", tmp_path / "build.py")
    (tmp_path / "studycards").symlink_to(ROOT / "studycards")
    shutil.copytree(ROOT / "cards", tmp_path / "cards")
    shutil.copytree(ROOT / "assets", tmp_path / "assets", ignore=shutil.ignore_patterns("fonts"))
    return tmp_path


def test_build_py_outside_the_venv_says_to_run_make(bare_checkout):
    # -S: a Python without the dependencies (no site-packages)
    result = subprocess.run([sys.executable, "-S", "build.py", "--check"], cwd=bare_checkout,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("build.py: the dependencies are not installed (no module "
                                    "named '")
    assert result.stderr.endswith("'): run `make` first, it sets up .venv/\n")
    assert result.stderr.count("\n") == 1


def _fake_venv(checkout, python_flags: str = "") -> None:
    """.venv/bin/python that runs this interpreter (with `python_flags`)."""
    venv_python = checkout / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text(f'#!/bin/sh\nexec "{sys.executable}" {python_flags}"$@"\n')
    venv_python.chmod(0o755)


def test_build_py_outside_the_venv_runs_inside_it(bare_checkout):
    _fake_venv(bare_checkout)
    result = subprocess.run([sys.executable, "-S", "build.py", "--check"], cwd=bare_checkout,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_a_venv_without_the_dependencies_does_not_loop(bare_checkout):
    _fake_venv(bare_checkout, "-S ")
    result = subprocess.run([sys.executable, "-S", "build.py", "--check"], cwd=bare_checkout,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "run `make` first" in result.stderr and result.stderr.count("\n") == 1


def test_license_is_an_spdx_string():
    """The table form makes setuptools (and so `make`) print a deprecation warning."""
    tomllib = pytest.importorskip("tomllib")

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    # the SPDX string needs setuptools 77 or newer
    assert project["build-system"]["requires"] == ["setuptools>=77"]


def test_only_builds_the_outputs_asked_for_and_leaves_the_others(project, capsys):
    write_deck(project)
    code, out, _ = run(project, "--only", "anki", capsys=capsys)
    assert code == 0 and "dist/demo.apkg" in out and "cheatsheet" not in out
    assert sorted(p.name for p in (project / "dist").iterdir()) == [
        ".studycards-state.json", ".studycards.lock", "demo.apkg"]
    assert run(project)[0] == 0  # the PDFs were never built: this build makes them
    full = tree_digest(project / "dist")
    capsys.readouterr()

    (project / "cards" / "10-alpha.yaml").write_text(
        (project / "cards" / "10-alpha.yaml").read_text().replace("Because.", "Because, edited."))
    code, out, _ = run(project, "--only", "cheatsheet,flashcards", capsys=capsys)
    assert code == 0 and "demo.apkg" not in out and out.count("(unchanged)") == 0
    now = tree_digest(project / "dist")
    assert now["demo.apkg"] == full["demo.apkg"]  # not asked for: left exactly as it was
    assert now["demo-cheatsheet.pdf"] != full["demo-cheatsheet.pdf"]

    # The deck is still stale: a full build must not take the PDFs' state as its own.
    code, out, _ = run(project, capsys=capsys)
    lines = {line.split()[0]: line for line in out.splitlines() if line.startswith("  ")}
    assert "(unchanged)" not in lines["dist/demo.apkg"]
    assert "(unchanged)" in lines["dist/demo-cheatsheet.pdf"]
    code, out, _ = run(project, "--only", "anki", capsys=capsys)
    assert code == 0 and out.count("(unchanged)") == 1


def test_only_anki_matches_the_deck_of_a_full_build(project, tmp_path_factory):
    write_deck(project)
    assert run(project, "--only", "anki")[0] == 0
    alone = (project / "dist" / "demo.apkg").read_bytes()
    assert run(project, "--force")[0] == 0
    assert (project / "dist" / "demo.apkg").read_bytes() == alone


def test_a_build_with_nothing_to_do_loads_no_writer_library(project):
    """The rebuild with nothing changed stays fast: it never imports ReportLab, genanki,
    markdown-it or jsonschema (each a tenth of a second or more)."""
    write_deck(project)
    assert run(project)[0] == 0
    script = (f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom studycards import cli\n"
              f"code = cli.main(['--quiet', '--cards', {str(project / 'cards')!r}, "
              f"'--out', {str(project / 'dist')!r}])\n"
              "print(code, [m for m in ('reportlab', 'genanki', 'markdown_it', 'jsonschema', "
              "'yaml', 'fontTools', 'PIL', 'pygments', 'matplotlib') if m in sys.modules])\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "0 []", result.stderr
