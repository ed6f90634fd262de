"""`build.py --watch`: rebuilds on saves, keeps the last good outputs on errors, tells the page,
stops cleanly on Ctrl-C. The waits below are generous failure guards, not timing assertions."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from browser import open_page
from conftest import ROOT, tree_digest, write_deck
from studycards import builder, watch

STATUS = "dist/demo-status.js"


def wait_for(condition, seconds=30.0, what="the watcher"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def status(project) -> dict | None:
    try:
        text = (project / STATUS).read_text("utf-8")
    except OSError:
        return None
    return json.loads(text[text.index("(") + 1:text.rindex(")")])


@pytest.fixture
def watching(project):
    """The watcher on a small deck, in a thread, stopped at the end of the test."""
    write_deck(project)
    stop = threading.Event()
    options = builder.Options(out=project / "dist", cards=project / "cards", epoch=1767225600)
    watcher = watch.Watcher(options, quiet=True)
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    wait_for(lambda: status(project) and len(builder.read_state(project / "dist")[0]
                                             .get("built", {})) == len(builder.WRITERS),
             what="the first build")
    yield project
    stop.set()
    thread.join(10)
    assert not thread.is_alive()


def edit(project, old, new, name="10-alpha.yaml"):
    path = project / "cards" / name
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")


def outputs(project):
    # A build still staging its files (a second save event) leaves temporaries for a moment;
    # with SOURCE_DATE_EPOCH set it commits the same bytes.
    return {k: v for k, v in tree_digest(project / "dist").items()
            if not k.endswith(("-status.js", ".tmp"))}


def test_a_save_rebuilds_and_errors_keep_the_last_good_outputs(watching):
    project = watching
    page = project / "dist/demo.html"
    assert 'data-status="demo-status.js"' in page.read_text("utf-8")
    assert status(project)["errors"] == []
    first_build = status(project)["build"]
    first_deck = outputs(project)["demo.apkg"]

    edit(project, "Because.", "Because, edited while watching.")
    wait_for(lambda: "edited while watching" in page.read_text("utf-8"), what="the rebuild")
    wait_for(lambda: status(project)["build"] != first_build, what="the new status")
    # The page is written first; the deck and the PDFs follow in one commit.
    wait_for(lambda: outputs(project)["demo.apkg"] != first_deck, what="all outputs")
    good = outputs(project)
    good_build = status(project)["build"]

    edit(project, "    back:", "    bakc:")
    wait_for(lambda: status(project)["errors"], what="the errors")
    assert status(project)["errors"] == [
        "cards/10-alpha.yaml:8:5: a card with 'front' needs 'back' too",
        "cards/10-alpha.yaml:10:5: unknown key 'bakc' (did you mean 'back'?)"]
    assert status(project)["build"] == good_build  # the page keeps showing the good build
    assert outputs(project) == good

    edit(project, "    bakc:", "    back:")
    wait_for(lambda: status(project)["errors"] == [], what="the fix")
    assert "edited while watching" in page.read_text("utf-8")


def test_an_asset_change_rebuilds_and_other_files_are_ignored(watching):
    project = watching
    before = status(project)["build"]
    (project / "cards" / "notes.txt").write_text("not a card file")
    (project / "cards" / ".10-alpha.yaml.swp").write_text("editor scratch")
    watcher = watch.Watcher(builder.Options(out=project / "dist", cards=project / "cards"))
    assert not watcher.relevant(str(project / "cards" / "notes.txt"))
    assert not watcher.relevant(str(project / "cards" / ".10-alpha.yaml.swp"))
    assert watcher.relevant(str(project / "cards" / "deck.yaml"))
    assert watcher.relevant(str(project / "assets" / "new.png"))
    edit(project, "title: Demo deck", "title: Demo deck, renamed", name="deck.yaml")
    wait_for(lambda: status(project)["build"] != before, what="the rebuild")
    assert "Demo deck, renamed" in (project / "dist/demo.html").read_text("utf-8")


def test_the_page_reloads_itself_and_shows_errors_at_its_top(watching, browser):
    project = watching
    watched = open_page(browser, (project / "dist/demo.html").as_uri())
    page = watched.page
    assert page.is_hidden("#pv-status")
    edit(project, "Because.", "Because, seen live.")
    page.wait_for_function("() => document.body.textContent.includes('Because, seen live.')",
                           timeout=30_000)
    edit(project, "    back:", "    bakc:")
    page.wait_for_selector("#pv-status", state="visible", timeout=30_000)
    assert "cards/10-alpha.yaml:10:5: unknown key 'bakc'" in page.inner_text("#pv-status")
    assert "Because, seen live." in page.inner_text("main")  # still the last good page
    edit(project, "    bakc:", "    back:")
    page.wait_for_selector("#pv-status", state="hidden", timeout=30_000)
    assert watched.errors == [] and watched.refused == []
    page.context.close()


def test_ctrl_c_stops_cleanly(project):
    write_deck(project)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1767225600"}
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--watch", "--cards", "cards",
                             "--out", "dist"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        while not any("watching" in line for line in lines):
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped" in out
    assert "ok: 6 cards, 9 Anki cards" in lines[0]
    assert sorted(p.name for p in (project / "dist").iterdir()) == sorted(
        [".studycards-state.json", ".studycards.lock", "demo.apkg", "demo-cheatsheet.pdf",
         "demo-flashcards.pdf",
         "demo.html", "demo-status.js"])


def test_watch_does_not_go_with_check(project, capsys):
    from studycards import cli
    assert cli.main(["--watch", "--check"]) == 2
