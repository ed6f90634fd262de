"""`python build.py`: the one place that knows the source, the model and every writer."""
from __future__ import annotations

import argparse
import concurrent.futures
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import pickle
import sys
import time
from pathlib import Path

from . import __version__
from .atomic import Staging
from .model import Deck
from .progress import Progress
from .source import SourceError, display_path, fingerprint, load_deck
from .writers import anki, cheatsheet, flashcards

ROOT = Path(__file__).resolve().parent.parent
STATE_FILE = ".studycards-state.json"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the Anki deck, the cheat sheet and the flashcards from the card files.",
        epilog="Exit codes: 0 built (or checked) fine, 1 invalid card files or a failed build, "
               "2 usage error. Set SOURCE_DATE_EPOCH for byte-identical builds across clones.",
    )
    parser.add_argument("--check", action="store_true",
                        help="validate the card files and write nothing")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4",
                        help="page size of the PDFs (default: a4)")
    parser.add_argument("--out", metavar="DIR", type=Path, default=ROOT / "dist",
                        help="output folder (default: dist/)")
    parser.add_argument("--cards", metavar="DIR", type=Path, default=ROOT / "cards",
                        help="folder of card files (default: cards/)")
    parser.add_argument("--assets", metavar="DIR", type=Path, default=None,
                        help="folder of images (default: assets/ beside the cards folder)")
    parser.add_argument("--force", action="store_true",
                        help="rebuild every output even if its input did not change")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="build outputs in N processes (default: one per core, for large decks)")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="print errors only: no summary, no progress bar")
    parser.add_argument("--version", action="version", version=f"studycards {__version__}")
    return parser.parse_args(argv)


def _source_date_epoch() -> int | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise ValueError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {raw!r}")
    return int(raw)


def main(argv=None) -> int:
    started = time.perf_counter()
    try:
        args = parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        epoch = _source_date_epoch()
    except ValueError as err:
        print(f"build.py: error: {err}", file=sys.stderr)
        return 2
    state = _read_state(Path(args.out))
    sources = None if args.check else fingerprint(args.cards, args.assets, epoch)
    if not args.force and _unchanged(state, sources, args):
        if not args.quiet:
            written = [(Path(args.out) / name, False) for name in state["names"]]
            print(summary(state["counts"], written, time.perf_counter() - started))
        return 0
    progress = Progress.for_terminal(4, args.quiet or args.check)  # read + 3 outputs
    progress.show("reading cards")
    try:
        deck = load_deck(args.cards, args.assets, epoch)
    except SourceError as err:
        progress.close()
        for problem in err.problems:
            print(problem, file=sys.stderr)
        count = len(err.problems)
        print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
              file=sys.stderr)
        return 1
    progress.step("cards read")
    if args.check:
        if not args.quiet:
            print(f"ok: {len(deck.cards)} cards in {len(deck.sections)} sections")
        return 0
    try:
        written = build(deck, args, state, sources, progress)
    except OSError as err:
        print(f"build.py: error: {err}; the previous outputs are unchanged", file=sys.stderr)
        return 1
    except Exception as err:  # a bug of ours: say so plainly, keep dist/ as it was
        if os.environ.get("STUDYCARDS_DEBUG"):
            raise
        print(f"build.py: internal error: {type(err).__name__}: {err}\n"
              "The previous outputs are unchanged. Run with STUDYCARDS_DEBUG=1 for details "
              "and please report it.", file=sys.stderr)
        return 1
    finally:
        progress.close()
    if not args.quiet:
        print(summary(_counts(deck), written, time.perf_counter() - started))
    return 0


def _read_state(out: Path) -> dict:
    try:
        return json.loads((out / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _unchanged(state: dict, sources: str | None, args) -> bool:
    """The sources, the options and the builder are those of the last build, and its
    outputs are all there: nothing to read, check or write."""
    return (sources is not None and state.get("sources") == sources
            and state.get("code") == _code_fingerprint() and state.get("paper") == args.paper
            and bool(state.get("names"))
            and all((Path(args.out) / name).is_file() for name in state["names"]))


def _counts(deck: Deck) -> list[int]:
    return [len(deck.cards), len(deck.sections), sum(card.prompts for card in deck.cards)]


def _outputs(deck: Deck):
    return (
        (f"{deck.stem}{anki.SUFFIX}", "anki"),
        (f"{deck.stem}{cheatsheet.SUFFIX}", "cheatsheet"),
        (f"{deck.stem}{flashcards.SUFFIX}", "flashcards"),
    )


@functools.cache
def _code_fingerprint() -> str:
    """The builder's own code and fonts: a new version of either redoes every output."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.json"),
                        *(ROOT / "assets" / "fonts").glob("*.ttf")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _input_key(deck_digest: str, writer: str, paper: str) -> str:
    """What an output depends on; the same key means the same bytes. (The Anki stamps need
    not be in it: for an unchanged deck the writer reproduces them exactly.)"""
    parts = (_code_fingerprint(), writer, "" if writer == "anki" else paper, deck_digest)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def run_writer(writer: str, deck: Deck, path: Path, paper: str, previous: dict):
    if writer == "anki":
        return anki.write(deck, path, previous)
    module = cheatsheet if writer == "cheatsheet" else flashcards
    module.write(deck, path, paper=paper)
    return None


# Below this many cards a build takes a second or less: worker processes would cost more
# than they save.
PARALLEL_FROM = 400


def _pool(workers: int):
    try:
        context = multiprocessing.get_context("fork")  # the deck is inherited, not pickled
    except ValueError:
        context = None
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)


def build(deck: Deck, args, state: dict, sources: str | None,
          progress: Progress) -> list[tuple[Path, bool]]:
    out = Path(args.out)
    previous_anki = state.get("anki", {})
    keys = state.get("inputs", {})
    new_state = {"anki": previous_anki, "inputs": dict(keys), "sources": sources,
                 "code": _code_fingerprint(), "paper": args.paper,
                 "names": [name for name, _ in _outputs(deck)], "counts": _counts(deck)}
    written, todo = [], []
    deck_digest = hashlib.sha256(pickle.dumps(deck, protocol=5)).hexdigest()
    for name, writer in _outputs(deck):
        key = _input_key(deck_digest, writer, args.paper)
        fresh = args.force or keys.get(name) != key or not (out / name).is_file()
        written.append((out / name, fresh))
        if fresh:
            todo.append((name, writer, key))
        else:
            progress.step(f"{writer} unchanged")
    jobs = args.jobs or (os.cpu_count() or 1)
    if len(deck.cards) < PARALLEL_FROM and not args.jobs:
        jobs = 1
    with Staging(out) as staging:
        paths = {name: staging.path_for(name) for name, _, _ in todo}
        results = {}
        if jobs > 1 and len(todo) > 1:
            # The PDFs in worker processes, the deck here: the outputs share nothing. Frozen
            # objects are left alone by the collector, so forked workers keep sharing them.
            gc.freeze()
            with _pool(min(jobs, len(todo) - 1)) as pool:
                futures = {pool.submit(run_writer, writer, deck, paths[name], args.paper,
                                       previous_anki): (name, writer)
                           for name, writer, _ in todo[1:]}
                name, writer, _ = todo[0]
                results[writer] = run_writer(writer, deck, paths[name], args.paper, previous_anki)
                progress.step(f"{writer} written")
                for future in concurrent.futures.as_completed(futures):
                    results[futures[future][1]] = future.result()
                    progress.step(f"{futures[future][1]} written")
        else:
            for name, writer, _ in todo:
                progress.show(f"writing {writer}")
                results[writer] = run_writer(writer, deck, paths[name], args.paper, previous_anki)
                progress.step(f"{writer} written")
        if "anki" in results:
            new_state["anki"] = results["anki"]
        for name, _, key in todo:
            new_state["inputs"][name] = key
        staging.write_bytes(STATE_FILE, json.dumps(new_state, sort_keys=True).encode())
        staging.commit()
    return written


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def summary(counts, written, seconds: float) -> str:
    cards, sections, anki_cards = counts
    lines = [f"{cards} source cards in {sections} sections: "
             f"{cards} Anki notes, {anki_cards} Anki cards"]
    for path, fresh in written:
        lines.append(f"  {display_path(path):<44} {_size(path.stat().st_size):>10}"
                     + ("" if fresh else "  (unchanged)"))
    lines.append(f"built in {seconds:.2f} s")
    return "\n".join(lines)
