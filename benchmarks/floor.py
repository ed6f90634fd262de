"""How far each PDF writer is from its floor: drawing the same text and nothing else.

    python benchmarks/floor.py                 # 10,000 mixed cards, 3 runs
    python benchmarks/floor.py --cards 2000 --runs 5
    python benchmarks/floor.py --cards 2000 --instructions   # counted, with valgrind

For each PDF writer, the text runs it draws (every string encoded for a text object, by
pdfbase.show for the writers' Pen or by ReportLab, with its font and size) are recorded
once; then the writer is timed (CPU seconds, median of the runs, each run in a child forked
from the process that loaded the deck, as a build's writers start, so that no run finds
what an earlier one cached) against a replay of exactly those runs with only `setFont` and
`drawString`, in the same embedded fonts, on pages of the same size, saved to a PDF, with
the cycle collector paused as the writers pause it. The replay is what any writer must at
least do (measure nothing, lay out nothing, but encode and embed the same text), so writer /
floor says how much of the writer's time goes to everything else: layout, markup, tables,
drawing rules and colours.

CPU seconds on a shared machine vary by a fifth from one run to the next (the same replay
took 6.0 to 7.6 s in consecutive children), so the ratio of medians moves by a few tenths
between invocations. --instructions counts instead (valgrind's cachegrind, one run each,
hash seed fixed): the same figure every time, though an instruction is not a fixed time
(the replay, a tight loop, runs more of them per second than the writers).
"""
from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from synth import write_mixed  # noqa: E402


def record(write, deck, path: Path) -> list[tuple[str, float, str]]:
    """(font, size, text) of every text run a writer draws, in order: those its Pen shows
    (pdfbase.show) and those ReportLab's text objects format (Paragraphs, code blocks)."""
    from reportlab.pdfgen.textobject import PDFTextObject

    from studycards.writers import pdfbase

    runs = []
    format_text, show = PDFTextObject._formatText, pdfbase.show

    def formatting(self, text):
        runs.append((self._fontname, self._fontsize, text))
        return format_text(self, text)

    def showing(text_object, font, table, text):
        runs.append((text_object._fontname, text_object._fontsize, text))
        return show(text_object, font, table, text)

    PDFTextObject._formatText, pdfbase.show = formatting, showing
    try:
        write(deck, path)
    finally:
        PDFTextObject._formatText, pdfbase.show = format_text, show
    return runs


def replay(runs, path: Path, pagesize, per_page: int) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from studycards import collector

    # Both writers run with the cycle collector paused; so does their floor, or collections
    # would count as work a writer must do.
    from studycards.writers import pdfbase

    with collector.paused():
        # The fallback fonts the text needs, read as the writer reads them (on first use)
        for font in {font for font, _, _ in runs}:
            pdfbase._ensure(font)
        canvas = Canvas(str(path), pagesize=pagesize, invariant=1)
        current = None
        for index, (font, size, text) in enumerate(runs):
            if index and index % per_page == 0:
                canvas.showPage()
                current = None
            if (font, size) != current:
                canvas.setFont(font, size)
                current = (font, size)
            canvas.drawString(20, 20 + (index % per_page) * 7, text)
        canvas.save()


def cpu_of(action):
    """CPU seconds `action` takes in a forked child, and what it returns: every run starts
    from this process's state, as a build's writers start from the loader's, so no run finds
    caches an earlier one warmed (timed in this process, a writer's third run was up to a
    quarter cheaper than its first)."""
    read, write = os.pipe()

    def timed():  # in the child: time the action, send the figure and the result
        os.close(read)
        started = time.process_time()
        result = action()
        data = pickle.dumps((time.process_time() - started, result))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(data)

    pid = _fork(timed)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    if not data:
        raise SystemExit("a timed run failed")
    return pickle.loads(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--instructions", action="store_true",
                        help="count instructions (valgrind's cachegrind) instead of timing: the "
                        "same figure every time, where CPU seconds on a shared machine vary by "
                        "a fifth from run to run; about 30 times slower (try --cards 2000)")
    parser.add_argument("--count", nargs=3, help=argparse.SUPPRESS)  # DECK WRITER writer|floor
    args = parser.parse_args()
    if args.count:
        _count(*args.count)
        return

    from studycards.source import load_deck
    from studycards.writers import pdfbase

    with tempfile.TemporaryDirectory(prefix="studycards-floor-") as work:
        work = Path(work)
        cards = write_mixed(work / "deck", args.cards)
        deck = load_deck(cards, source_date_epoch=1)
        pdfbase.register_fonts()
        print(f"{args.cards:,} mixed cards; " + ("instructions counted by cachegrind"
              if args.instructions else f"CPU seconds, medians of {args.runs} runs"))
        for name in ("cheatsheet", "flashcards"):
            module, pagesize = _writer(name)
            _, runs = cpu_of(lambda: record(module.write, deck, work / f"{name}.pdf"))
            pages = _pages(work / f"{name}.pdf")
            per_page = max(1, -(-len(runs) // pages))
            if args.instructions:
                with open(cards.parent / f"{name}-runs.pickle", "wb") as out:  # for _count
                    pickle.dump((runs, per_page), out)
                w, f = (_instructions(cards, name, what, work) for what in ("writer", "floor"))
                print(f"{name:<11} {w / 1e9:6.2f} billion, floor {f / 1e9:6.2f} billion "
                      f"({len(runs):,} text runs on {pages:,} pages): {w / f:.2f}x its floor")
                continue
            writer, floor = [], []
            # Alternating, so that a change in load hits both. The writer finds the card
            # texts parsed, as a build's workers do (they inherit what the loader parsed).
            for _ in range(args.runs):
                writer.append(cpu_of(lambda: module.write(deck, work / f"{name}.pdf"))[0])
                floor.append(cpu_of(lambda: replay(runs, work / f"{name}-floor.pdf",
                                                   pagesize, per_page))[0])
            w, f = statistics.median(writer), statistics.median(floor)
            print(f"{name:<11} {w:7.2f} s, floor {f:6.2f} s ({len(runs):,} text runs on "
                  f"{pages:,} pages): {w / f:.1f}x its floor")


def _writer(name: str):
    """A writer's module and its page size."""
    from reportlab.lib.pagesizes import A4, landscape

    from studycards.writers import cheatsheet, flashcards

    return {"cheatsheet": (cheatsheet, landscape(A4)), "flashcards": (flashcards, A4)}[name]


def _instructions(cards: Path, name: str, what: str, work: Path) -> int:
    """Instructions the writer (or its floor's replay) takes: `_count` run under cachegrind,
    which counts a forked child on from its parent's count at the fork; the parent leaves as
    soon as the child has, so the child's count less its parent's is the child's work."""
    import subprocess

    out = work / f"cachegrind-{name}-{what}"
    out.mkdir()
    try:
        process = subprocess.Popen(  # valgrind runs the program as the process it starts
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--branch-sim=no",
             f"--cachegrind-out-file={out}/%p", sys.executable, __file__, "--count",
             str(cards), name, what], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=dict(os.environ, PYTHONHASHSEED="0"))  # the same dict orders
    except FileNotFoundError:
        raise SystemExit("--instructions needs valgrind (Debian: apt-get install valgrind)")
    _, errors = process.communicate()
    if process.returncode:
        raise SystemExit(errors[-2000:])
    counts = {}
    for path in out.iterdir():
        for line in path.read_text().splitlines():
            if line.startswith("summary:"):
                counts[int(path.name)] = int(line.split()[1])
    parent = counts.pop(process.pid)
    (child,) = counts.values()
    return child - parent


def _count(cards: str, name: str, what: str) -> None:
    """Load the deck (and for the floor, the runs main recorded), then in a forked child
    write the deck (or replay the runs); leave as soon as the child has. Nothing the child
    does was done before the fork: the runs were recorded in another process, so the replay
    reads the fallback fonts it needs as the writer does."""
    from studycards.source import load_deck
    from studycards.writers import pdfbase

    deck = load_deck(Path(cards), source_date_epoch=1)
    pdfbase.register_fonts()
    module, pagesize = _writer(name)
    work = Path(cards).parent
    if what == "floor":
        with open(work / f"{name}-runs.pickle", "rb") as saved:
            runs, per_page = pickle.load(saved)

        def action():
            replay(runs, work / f"{name}-floor.pdf", pagesize, per_page)
    else:
        def action():
            module.write(deck, work / f"{name}.pdf")
    _, status = os.waitpid(_fork(action), 0)
    os._exit(1 if status else 0)  # no teardown: the parent's count stays its count at the fork


def _fork(action) -> int:
    """Run `action` in a forked child that leaves when it is done (status 1, its traceback
    printed, if it fails); the child's process id."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            action()
            status = 0
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(status)
    return pid


def _pages(path: Path) -> int:
    """Page count, read from the PDF's page tree without a PDF library."""
    import re

    return max(1, len(re.findall(rb"/Type /Page(?![a-zA-Z])", path.read_bytes())))


if __name__ == "__main__":
    main()
