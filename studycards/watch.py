"""Watch mode (`build.py --watch`): build, then rebuild on every save of a card file, deck.yaml
or an asset, until Ctrl-C.

Each rebuild writes the preview page first and on its own (a few hundredths of a second), then
the other outputs; each step replaces its outputs all at once, as any build does. A failed
rebuild writes nothing: dist/ keeps the last good outputs, and the errors go to the terminal
and to the status script beside the page (`<stem>-status.js`), which the page polls: it shows
them at its top, and reloads itself when a build changes it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

import watchfiles

from . import atomic, builder
from .problems import Problems
from .progress import Progress
from .source import load_deck
from .writers import preview

# watchfiles yields once the files were quiet this long after a change (an editor's save is
# often a write and a rename), and at the latest after DEBOUNCE.
STEP_MS, DEBOUNCE_MS = 30, 300


class Watcher:
    def __init__(self, options: builder.Options, quiet: bool = False, out=None, err=None):
        self.options = dataclasses.replace(options, live=True, force=False)
        self.cards = Path(options.cards)
        self.assets = self.options.assets_dir
        self.quiet = quiet
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.stem = self._known_stem()
        self.build_id = ""

    def _known_stem(self) -> str | None:
        names = builder.read_state(self.options.out)[0].get("names") or []
        pages = [n for n in names if isinstance(n, str) and n.endswith(preview.SUFFIX)]
        return pages[0][: -len(preview.SUFFIX)] if pages else None

    def _say(self, line: str) -> None:
        if not self.quiet:
            print(f"{time.strftime('%H:%M:%S')} {line}", file=self.out, flush=True)

    def _publish(self, errors: list[str]) -> None:
        """The status script the page polls: the id of the page it should show (a digest of
        the last good page), and the errors of the last build. Replaced whole, never half
        written."""
        if self.stem is None:
            return
        out = Path(self.options.out)
        try:
            self.build_id = hashlib.sha256(
                (out / f"{self.stem}{preview.SUFFIX}").read_bytes()).hexdigest()[:16]
        except OSError:
            pass
        status = json.dumps({"build": self.build_id, "errors": errors})
        target = out / f"{self.stem}{preview.STATUS_SUFFIX}"
        out.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=out)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(f"window.studycardsStatus && studycardsStatus({status});\n")
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def build_once(self) -> bool:
        """One build; True when it succeeded (or nothing changed)."""
        started = time.perf_counter()
        silent = Progress(1, False)
        options = self.options
        try:
            with builder.Build(options) as build:
                if build.up_to_date():
                    self._publish([])
                    self._say("ok: nothing changed")
                    return True
                deck = load_deck(options.cards, options.assets, options.epoch)
                self.stem = deck.stem
                page = build.write(deck, silent, only=("preview",))
            self._publish([])
            page_seconds = time.perf_counter() - started
            with builder.Build(options) as build:
                written = build.write(deck, silent)
            written = [(path, fresh or (path, True) in page) for path, fresh in written]
        except Problems as err:
            lines = [str(problem) for problem in err.problems]
            for line in lines:
                print(line, file=self.err, flush=True)
            count = len(lines)
            self._say(f"{count} problem{'s' if count != 1 else ''}; dist/ keeps the last "
                      "good build")
            self._publish(lines)
            return False
        except (atomic.Busy, atomic.CommitError, OSError) as err:
            self._say(f"error: {err}; dist/ keeps the last good build")
            self._publish([f"build.py: error: {err}"])
            return False
        cards, _, anki_cards = builder.counts(deck)
        fresh = sum(1 for _, new in written if new)
        self._say(f"ok: {cards} cards, {anki_cards} Anki cards; page in {page_seconds:.2f} s, "
                  f"all in {time.perf_counter() - started:.2f} s "
                  f"({fresh} of {len(written)} outputs rewritten)")
        return True

    def relevant(self, path: str) -> bool:
        """A card file or deck.yaml, or anything under assets/; not editors' hidden files."""
        path = Path(path).resolve()
        if path.name.startswith(".") or path.name.endswith("~"):
            return False
        if path.parent == self.cards.resolve():
            return path.suffix == ".yaml"
        return self.assets.resolve() in path.parents

    def run(self, stop: threading.Event | None = None) -> int:
        """Build, then rebuild on changes until Ctrl-C (or `stop` is set)."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
        try:
            folders = [str(p) for p in (self.cards, self.assets) if p.is_dir()]
            first = True
            # The first build waits for the first (empty) yield: by then the watch is on, so
            # a save during that build is not missed.
            for changes in watchfiles.watch(*folders, step=STEP_MS, debounce=DEBOUNCE_MS,
                                            stop_event=stop, raise_interrupt=False,
                                            rust_timeout=100, yield_on_timeout=True):
                if first:
                    first = False
                    self.build_once()
                    self._say("watching " + " and ".join(folders) + " (Ctrl-C stops)")
                elif any(self.relevant(path) for _, path in changes):
                    self.build_once()
        except KeyboardInterrupt:
            pass
        self._say("stopped")
        return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run(options: builder.Options, quiet: bool = False,
        stop: threading.Event | None = None) -> int:
    return Watcher(options, quiet).run(stop)
