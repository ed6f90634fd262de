"""How long from saving a card to seeing it: `build.py --watch` on a copy of the shipped deck,
its preview page open in headless Chromium, one card edited N times.

Prints, per edit, the time from the save to: the new page on disk, the status script naming
it, and the open page showing the new text (poll and reload included). Usage:

    python benchmarks/watch_latency.py [--edits 10]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import ARGS, chromium_path  # noqa: E402

CARD = "cards/20-root-user.yaml"
OLD = "How should the root user's sign-in be protected?"


def wait(condition, seconds=30.0):
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if condition():
            return time.perf_counter()
        time.sleep(0.005)
    raise SystemExit("timed out")


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=10)
    edits = parser.parse_args().edits
    work = Path(tempfile.mkdtemp(prefix="studycards-watch-"))
    shutil.copytree(ROOT / "cards", work / "cards")
    shutil.copytree(ROOT / "assets", work / "assets", ignore=shutil.ignore_patterns("fonts"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--watch", "--cards",
                             "cards", "--out", "dist"], cwd=work, env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        while "watching" not in proc.stdout.readline():
            pass
        page_file, status = work / "dist/aws-security.html", work / "dist/aws-security-status.js"
        wait(lambda: b'"errors": []' in status.read_bytes())
        time.sleep(3)  # the first build's PDFs
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=ARGS)
            page = browser.new_page(viewport={"width": 390, "height": 800})
            page.goto(page_file.as_uri())
            rows = []
            text = (work / CARD).read_text("utf-8")
            for n in range(1, edits + 1):
                new = f"How should the root user's sign-in be protected (edit {n})?"
                mark = f"(edit {n})"
                old_status = status.read_bytes()
                saved = time.perf_counter()
                (work / CARD).write_text(text.replace(OLD, new), "utf-8")
                on_disk = wait(lambda: mark.encode() in page_file.read_bytes())
                in_status = wait(lambda: status.read_bytes() != old_status)
                page.wait_for_function(f"() => document.body.textContent.includes({mark!r})",
                                       timeout=30_000, polling=5)
                shown = time.perf_counter()
                rows.append((on_disk - saved, in_status - saved, shown - saved))
                time.sleep(3)  # let the rest of the outputs finish, as between real saves
            browser.close()
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'edit':>4} {'page on disk':>13} {'status':>8} {'page shown':>11}")
    for n, (disk, stat, shown) in enumerate(rows, 1):
        print(f"{n:>4} {disk:>12.3f}s {stat:>7.3f}s {shown:>10.3f}s")
    for i, name in enumerate(("page on disk", "status", "page shown")):
        values = [row[i] for row in rows]
        print(f"{name}: median {statistics.median(values):.3f} s, max {max(values):.3f} s")


if __name__ == "__main__":
    main()
