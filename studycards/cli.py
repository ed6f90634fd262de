"""`python build.py`: the one place that knows the source, the model and every writer."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from . import __version__, atomic, builder
from .model import LATEST_BUILD_TIME
from .progress import Progress
from .problems import Problems
from .source import display_path, load_deck


def _writers(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    unknown = [n for n in names if n not in builder.WRITERS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown output {', '.join(map(repr, unknown)) or 'list'}: "
            f"choose from {','.join(builder.WRITERS)}")
    return names


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build the Anki deck, the cheat sheet and the flashcards from the card files.",
        epilog="Exit codes: 0 built (or checked) fine, 1 invalid card files or a failed build, "
               "2 usage error, 130 interrupted (Ctrl-C). Set SOURCE_DATE_EPOCH for "
               "byte-identical builds across clones. To bring an existing deck in: "
               "build.py import FILE --to FOLDER (see build.py import --help).",
    )
    parser.add_argument("--check", action="store_true",
                        help="validate the card files and write nothing")
    parser.add_argument("--paper", choices=("a4", "letter"), default="a4",
                        help="page size of the PDFs (default: a4)")
    parser.add_argument("--cards", metavar="DIR", type=Path, default=Path("cards"),
                        help="folder of card files (default: cards/ in the working directory)")
    parser.add_argument("--out", metavar="DIR", type=Path, default=None,
                        help="output folder (default: dist/ beside the cards folder)")
    parser.add_argument("--assets", metavar="DIR", type=Path, default=None,
                        help="folder of images (default: assets/ beside the cards folder)")
    parser.add_argument("--only", type=_writers, default=(), metavar="LIST",
                        help="build only these outputs, comma-separated from "
                             f"{','.join(builder.WRITERS)}; the others stay as they are")
    parser.add_argument("--force", action="store_true",
                        help="rebuild every output even if its input did not change")
    parser.add_argument("--new-id", action="store_true",
                        help="the deck id was changed on purpose: build a new deck into an "
                             "output folder that holds another id's build")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="build outputs in N processes (default: one per core, for large decks)")
    parser.add_argument("--watch", action="store_true",
                        help="build, then rebuild on every change of the cards or assets "
                             "until Ctrl-C; the preview page reloads itself")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="print errors only: no summary, no progress bar")
    parser.add_argument("--version", action="version", version=f"studycards {__version__}")
    args = parser.parse_args(argv)
    if args.watch and args.check:
        parser.error("--watch builds: it does not go with --check")
    return args


def _source_date_epoch() -> int | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise ValueError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not {raw!r}")
    if int(raw) > LATEST_BUILD_TIME:
        raise ValueError(f"SOURCE_DATE_EPOCH={raw} is after 2107-12-31, the latest date an .apkg "
                         "(a zip file) can hold")
    return int(raw)


def main(argv=None) -> int:
    started = time.perf_counter()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["import"]:
        return import_main(argv[1:])
    try:
        args = parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        epoch = _source_date_epoch()
    except ValueError as err:
        print(f"build.py: error: {err}", file=sys.stderr)
        return 2
    cards = Path(args.cards)
    options = builder.Options(out=Path(args.out) if args.out else cards.parent / "dist",
                              cards=cards, assets=args.assets, paper=args.paper,
                              force=args.force, new_id=args.new_id, jobs=args.jobs, epoch=epoch,
                              only=args.only)
    try:
        if args.check:
            return _check(options, args.quiet)
        if args.watch:
            from . import watch  # watchfiles and the page writer: only when watching
            return watch.run(options, quiet=args.quiet)
        return _build(options, args.quiet, started)
    except KeyboardInterrupt:  # before or after the build proper: nothing was written
        print("interrupted; previous outputs unchanged", file=sys.stderr)
        return 130


def _check(options: builder.Options, quiet: bool) -> int:
    try:
        deck = load_deck(options.cards, options.assets, options.epoch, jobs=options.jobs or None)
    except Problems as err:
        return _report(err)
    if not quiet:
        print(f"ok: {len(deck.cards)} cards in {len(deck.sections)} sections "
              f"({display_path(options.cards)}/)")
    return 0


def _build(options: builder.Options, quiet: bool, started: float) -> int:
    progress = Progress.for_terminal(1 + len(options.writers), quiet)  # read + the outputs
    build = builder.Build(options)
    try:
        with build:
            if build.notice:
                print(build.notice, file=sys.stderr)
            current = build.up_to_date()
            if current is not None:
                written = [(path, False) for path in current]
                counts = build.state["counts"]
            else:
                progress.show("reading cards")
                deck = load_deck(options.cards, options.assets, options.epoch,
                                 jobs=options.jobs or None)
                progress.step("cards read")
                written = build.write(deck, progress)
                counts = builder.counts(deck)
    except Problems as err:  # in the cards, or a card a writer cannot render
        progress.close()
        return _report(err)
    except KeyboardInterrupt:
        progress.close()
        print("interrupted; " + ("the build had just finished: the new outputs are in place"
                                 if build.committed else "previous outputs unchanged"),
              file=sys.stderr)
        return 130
    except (atomic.Busy, atomic.CommitError) as err:  # each says what became of dist/
        print(f"build.py: error: {err}", file=sys.stderr)
        return 1
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
    for warning in build.warnings:
        print(warning, file=sys.stderr)
    if not quiet:
        print(summary(options.cards, counts, written, time.perf_counter() - started))
    return 0


def _report(err: Problems) -> int:
    for problem in err.problems:
        print(problem, file=sys.stderr)
    count = len(err.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.",
          file=sys.stderr)
    return 1


def _size(n: int) -> str:
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def summary(cards_dir: Path, counts, written, seconds: float) -> str:
    cards, sections, anki_cards = counts
    lines = [f"cards from {display_path(Path(cards_dir))}/",
             f"{cards} source cards in {sections} sections: "
             f"{cards} Anki notes, {anki_cards} Anki cards"]
    for path, fresh in written:
        lines.append(f"  {display_path(path):<44} {_size(path.stat().st_size):>10}"
                     + ("" if fresh else "  (unchanged)"))
    lines.append(f"built in {seconds:.2f} s")
    return "\n".join(lines)


def import_main(argv) -> int:
    """`build.py import FILE --to FOLDER`: an .apkg, .colpkg, Anki text export or CSV in."""
    from . import importers  # the build itself never needs them

    parser = argparse.ArgumentParser(
        prog="build.py import",
        description="Turn an Anki package (.apkg, .colpkg), Anki's 'Notes in Plain Text' "
                    "export (.txt) or a CSV/TSV of front,back[,tags] rows into a deck folder: "
                    "FOLDER/cards/ and FOLDER/assets/, ready for build.py --cards FOLDER/cards.",
        epilog="Exit codes: 0 imported, 1 unreadable input (nothing written), 2 usage error.")
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--to", type=Path, required=True, metavar="FOLDER",
                        help="the deck folder to write (must be empty or new)")
    parser.add_argument("--force", action="store_true",
                        help="replace FOLDER even if it is not empty")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        report = importers.import_file(args.file, args.to, args.force)
    except importers.ImportFailed as err:
        print(f"build.py import: error: {err}", file=sys.stderr)
        return 1
    kinds = ", ".join(f"{count} {kind}" for kind, count in sorted(report.kinds.items()))
    print(f"{report.notes} notes read: {sum(report.kinds.values())} cards written ({kinds}) "
          f"in {report.sections} sections, {report.images} images")
    if report.lossy:
        print(f"{len(report.lossy)} things could not be kept as they were:")
        for line in report.lossy:
            print(f"  {line}")
    print(f"next: python build.py --cards {display_path(args.to / 'cards')} "
          f"--out {display_path(args.to / 'dist')}")
    return 0
