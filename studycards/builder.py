"""The build: which outputs are stale, writing them (in parallel for large decks), staging them
so that all of them and the state file replace the previous ones together, or none does.

The state file (`dist/.studycards-state.json`) records what the last build was made from and
the Anki stamps; it is a cache plus the stamps, never a source: with SOURCE_DATE_EPOCH set the
outputs do not depend on it at all, and a damaged one is reported and rebuilt from scratch.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import importlib
import json
import os
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

from . import atomic, mathtex
from .model import Deck
from .problems import Problem, Problems
from .source import display_path, fingerprint, locate_setting, sources_digest

ROOT = Path(__file__).resolve().parent.parent
STATE_FILE = ".studycards-state.json"
FORMULAS_FILE = ".studycards-formulas"  # laid-out formulas kept for the next build (mathtex)

# Below this many cards a build takes a second or less: worker processes would cost more
# than they save.
PARALLEL_FROM = 400

# Every output: writer module (studycards/writers/<name>.py) and file suffix, the deck first
# (it is written in this process). A writer module is imported only to write its output, so
# a build with nothing to do never loads ReportLab or genanki.
WRITERS = {"anki": ".apkg", "cheatsheet": "-cheatsheet.pdf", "flashcards": "-flashcards.pdf",
           "preview": ".html"}
PDF_WRITERS = ("cheatsheet", "flashcards")  # ReportLab, with the fonts of studycards.fonts
# The writers by the time they take, longest first (10,000 mixed cards: flashcards 19 s of
# CPU, cheat sheet 8, preview page and deck about 1 each).
LONGEST = ("flashcards", "cheatsheet", "preview", "anki")


@dataclass(frozen=True)
class Options:
    out: Path
    cards: Path = Path("cards")
    assets: Path | None = None  # default: assets/ beside the cards folder
    paper: str = "a4"
    force: bool = False
    new_id: bool = False
    jobs: int = 0  # 0: one process per core for large decks
    epoch: int | None = None  # SOURCE_DATE_EPOCH
    live: bool = False  # the preview page polls for rebuilds (watch mode)
    only: tuple[str, ...] = ()  # the writers to run; () for all. The others stay as they are.

    @property
    def writers(self) -> tuple[str, ...]:
        return tuple(w for w in WRITERS if not self.only or w in self.only)

    @property
    def assets_dir(self) -> Path:
        return Path(self.assets) if self.assets else Path(self.cards).parent / "assets"


class StateProblem(ValueError):
    pass


def _check_state(state) -> dict:
    """The state as written by `build`, or StateProblem: it is a cache, so anything else is
    damage to report and rebuild from, never to crash on."""
    def need(ok: bool) -> None:
        if not ok:
            raise StateProblem()

    def strings(value) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    def whole(value) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    need(isinstance(state, dict))
    anki_ = state.get("anki", {})
    need(isinstance(anki_, dict))
    for key, size in (("notes", 3), ("notetypes", 2)):
        entries = anki_.get(key, {})
        need(isinstance(entries, dict))
        for value in entries.values():
            need(isinstance(value, list) and len(value) == size and isinstance(value[0], str)
                 and all(whole(v) for v in value[1:]))
    inputs = state.get("inputs", {})
    need(isinstance(inputs, dict) and all(isinstance(v, str) for v in inputs.values()))
    need(state.get("namespace") is None or isinstance(state["namespace"], str))
    need(state.get("epoch") is None or whole(state["epoch"]))
    for key in ("names", "assets"):
        need(key not in state or strings(state[key]))
    built = state.get("built", {})
    need(isinstance(built, dict))
    for entry in built.values():
        need(strings(entry) and len(entry) == 2)
    need("counts" not in state or (isinstance(state["counts"], list) and len(state["counts"]) == 3
                                   and all(whole(v) for v in state["counts"])))
    return state


def read_state(out: Path) -> tuple[dict, str | None]:
    """The last build's state, and a one-line notice if it was there but damaged."""
    path = Path(out) / STATE_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as err:
        return {}, f"{display_path(path)} cannot be read ({err.strerror}); rebuilding everything"
    try:
        return _check_state(json.loads(raw.decode("utf-8"))), None
    except (ValueError, RecursionError):  # StateProblem, JSON and UTF-8 errors
        return {}, f"{display_path(path)} is damaged; rebuilding everything"


def counts(deck: Deck) -> list[int]:
    return [len(deck.cards), len(deck.sections), sum(card.prompts for card in deck.cards)]


def outputs(deck: Deck, writers=tuple(WRITERS)) -> tuple[tuple[str, str], ...]:
    """(file name, writer) of each output, the deck first: it is written in this process."""
    return tuple((f"{deck.stem}{WRITERS[w]}", w) for w in WRITERS if w in writers)


@functools.cache
def code_fingerprint() -> str:
    """The builder's own code and fonts: a new version of either redoes every output."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted([*package.rglob("*.py"), *package.rglob("*.json"),
                        *package.rglob("*.css"), *package.rglob("*.js"),
                        *(ROOT / "assets" / "fonts").glob("*.ttf")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _input_key(deck_digest: str, writer: str, paper: str, epoch: int | None,
               live: bool = False) -> str:
    """What an output depends on; the same key means the same bytes. (The Anki stamps need
    not be in it: for an unchanged deck the writer reproduces them exactly; but whether
    they come from the last build or from SOURCE_DATE_EPOCH alone does matter.)"""
    mode = "" if writer != "anki" else "epoch" if epoch is not None else "stamps"
    if writer == "preview":  # a page, not paper; in watch mode it polls for rebuilds
        paper, mode = "", "live" if live else ""
    parts = (code_fingerprint(), writer, "" if writer == "anki" else paper, mode, deck_digest)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _sources_key(sources: str, writer: str, paper: str) -> str:
    """What an output was made from, known before reading any card: the card and asset
    files (`sources`, which include SOURCE_DATE_EPOCH), the builder's code and the options
    that output depends on."""
    parts = (code_fingerprint(), writer, "" if writer == "anki" else paper, sources)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def run_writer(writer: str, deck: Deck, path: Path, paper: str, previous: dict,
               newer_than: int = 0, live: bool = False):
    module = importlib.import_module(f"{__package__}.writers.{writer}")
    if writer == "anki":
        return module.write(deck, path, previous, newer_than=newer_than)
    if writer == "preview":
        module.write(deck, path, live=live)
        return None
    module.write(deck, path, paper=paper)
    return None


class Build:
    """One build into `options.out`: `with Build(options) as b:` holds the output folder (no
    second build stages into it meanwhile), finishes what a killed build left there, and reads
    the last build's state; then `b.up_to_date()` or `b.write(deck, progress)`."""

    def __init__(self, options: Options):
        self.options = options
        self.out = Path(options.out)
        self.state: dict = {}
        self.notice: str | None = None  # the state file was damaged
        self.warnings: list[str] = []
        self.committed = False
        self._held = contextlib.ExitStack()
        self._locked = False

    def __enter__(self) -> "Build":
        if self.out.is_dir():  # a first build that fails leaves no dist/ behind
            self._hold()
        self.state, self.notice = read_state(self.out)
        mathtex.keep_in(self.out / FORMULAS_FILE)
        return self

    def __exit__(self, *exc) -> None:
        self._held.close()

    def _hold(self) -> None:
        if not self._locked:
            self._held.enter_context(atomic.lock(self.out))
            self._locked = True
            atomic.recover(self.out)

    def up_to_date(self) -> list[Path] | None:
        """The outputs asked for, if each was last built from these very sources, code and
        options and is still there: then there is nothing to read, check or write."""
        state, options = self.state, self.options
        built = state.get("built")
        if (options.force or self.notice or not isinstance(state.get("assets"), list)
                or not isinstance(built, dict) or not isinstance(state.get("counts"), list)):
            return None
        sources = fingerprint(options.cards, options.assets_dir, options.epoch, state["assets"])
        if sources is None or state.get("live", False) != options.live:
            return None
        paths = []
        for writer in options.writers:
            entry = built.get(writer)
            if not (entry and entry[1] == _sources_key(sources, writer, options.paper)
                    and (self.out / entry[0]).is_file()):
                return None
            paths.append(self.out / entry[0])
        return paths

    def _check_identity(self, deck: Deck) -> None:
        old = self.state.get("namespace")
        if not old or old == deck.namespace or self.options.new_id:
            return
        origin = locate_setting(self.options.cards, "id")
        raise Problems([Problem.at(origin, (
            f"the deck id changed from '{old}' to '{deck.namespace}' since the last build in "
            f"{display_path(self.out)}/: notes are known to Anki by this id, so learners who "
            "import the new deck would get every card twice, their reviews left on the old "
            "copies. Put the old id back; or, if this is meant to be a new deck, build with "
            "--new-id (or into another --out folder)"))])

    def write(self, deck: Deck, progress,
              only: tuple[str, ...] | None = None) -> list[tuple[Path, bool]]:
        """Write every stale output asked for (narrowed further to the writers in `only`);
        return (path, written now) for each of them. Outputs not asked for, and their entries
        in the state file, stay as they were."""
        # The deck is millions of objects made while the cycle collector was paused: left to
        # it, its first collections would scan them all, several times over (a tenth of the
        # deck's CPU at 10,000 cards). Frozen, it leaves them alone; and forked workers keep
        # sharing their pages with this process.
        gc.freeze()
        try:
            return self._write(deck, progress, only)
        finally:
            gc.unfreeze()

    def _write(self, deck: Deck, progress, only) -> list[tuple[Path, bool]]:
        options, out = self.options, self.out
        self._check_identity(deck)
        state = self.state
        if state.get("namespace") not in (None, deck.namespace):
            state = {}  # --new-id: another deck, nothing of the old one applies
        previous_anki = state.get("anki", {})
        keys = state.get("inputs", {})
        writers = tuple(w for w in options.writers if only is None or w in only)
        sources = sources_digest(deck.sources, deck.build_time)
        built = {w: e for w, e in state.get("built", {}).items() if w in WRITERS}
        for name, writer in outputs(deck, writers):
            built[writer] = [name, _sources_key(sources, writer, options.paper)]
        names = [built[w][0] for w in WRITERS if w in built]
        new_state = {"anki": previous_anki, "inputs": dict(keys), "built": built,
                     "live": options.live,
                     "assets": sorted(name[len("assets/"):] for name, _ in deck.sources
                                      if name.startswith("assets/")),
                     "names": names,
                     "counts": counts(deck), "namespace": deck.namespace, "epoch": options.epoch}
        staging = atomic.Staging(out)
        asked = [name for name, _ in outputs(deck, options.writers)]
        formulas = mathtex.kept()
        staging.check_targets([*asked, STATE_FILE] + ([FORMULAS_FILE] if formulas else []))
        out.mkdir(parents=True, exist_ok=True)
        self._hold()
        written, todo = [], []
        deck_digest = hashlib.sha256(pickle.dumps(deck, protocol=5)).hexdigest()
        for name, writer in outputs(deck, writers):
            key = _input_key(deck_digest, writer, options.paper, options.epoch, options.live)
            fresh = options.force or keys.get(name) != key or not (out / name).is_file()
            written.append((out / name, fresh))
            if fresh:
                todo.append((name, writer, key))
            else:
                progress.step(f"{writer} unchanged")
        # With SOURCE_DATE_EPOCH the deck is a function of the sources: every note gets the
        # epoch as its time and an id from its position, as in a first build. A later
        # release has a later epoch, so Anki takes every note of it (unchanged ones harmlessly).
        stamps = {} if options.epoch is not None else previous_anki
        # A damaged state lost the stamps the learner holds; none is later than the clock.
        self.newer_than = int(time.time()) if self.notice and options.epoch is None else 0
        with staging:
            paths = {name: staging.path_for(name) for name, _, _ in todo}
            results = self._run(deck, todo, paths, stamps, progress)
            if "anki" in results:
                new_state["anki"] = results["anki"]
                self._warn_same_epoch(previous_anki, results["anki"])
            for name, _, key in todo:
                new_state["inputs"][name] = key
            staging.write_bytes(STATE_FILE, json.dumps(new_state, sort_keys=True).encode())
            if formulas:
                staging.write_bytes(FORMULAS_FILE, formulas)
            staging.commit()
            self.committed = True
        if staging.interrupted_during_commit:
            raise KeyboardInterrupt
        return written

    def _warn_same_epoch(self, previous: dict, new: dict) -> None:
        epoch, last = self.options.epoch, self.state.get("epoch")
        if epoch is None or last is None or epoch > last:
            return
        old_notes = previous.get("notes", {})
        changed = sum(1 for guid, stamp in new["notes"].items()
                      if guid in old_notes and old_notes[guid][0] != stamp[0])
        if changed:
            self.warnings.append(
                f"warning: {changed} note{'s' if changed != 1 else ''} changed, but "
                f"SOURCE_DATE_EPOCH ({epoch}) is not later than the last build's ({last}): Anki "
                "takes a note only when it is newer, so learners who imported the last build "
                "will not get these edits. Build with a later SOURCE_DATE_EPOCH (the commit's: "
                "$(git log -1 --format=%ct)).")

    def _run(self, deck: Deck, todo, paths, stamps: dict, progress) -> dict:
        options = self.options
        jobs = options.jobs or (os.cpu_count() or 1)
        if len(deck.cards) < PARALLEL_FROM and not options.jobs:
            jobs = 1
        results = {}

        def write_here(name: str, writer: str) -> None:
            progress.show(f"writing {writer}")
            results[writer] = run_writer(writer, deck, paths[name], options.paper, stamps,
                                         self.newer_than, options.live)
            progress.step(f"{writer} written")

        if jobs < 2 or len(todo) < 2 or not hasattr(os, "fork"):
            for name, writer, _ in todo:
                write_here(name, writer)
            return results
        from . import parallel  # only for a build with several outputs to write

        # The Anki deck first, before any fork (a few percent of the build): the work every
        # writer would do again, the code highlighter's languages (about 0.3 s each) and the
        # highlighted code, the others then inherit.
        if todo[0][1] == "anki":
            write_here(*todo[0][:2])
            todo = todo[1:]
            gc.freeze()  # what it keeps (the notes' stamps), out of the collector's way too
        # The longest output stays here, the others go to child processes. A child copies
        # the pages of the deck's objects it reads (a reference count written dirties a
        # shared page: about 200 MB at 50,000 cards), this process does not; and the
        # children are done before it, their memory with them.
        here = min(todo, key=lambda entry: LONGEST.index(entry[1]))
        rest = [entry for entry in todo if entry is not here]
        # Their writers imported here, once, and the PDFs' fonts read: the children inherit
        # the loaded libraries and fonts (ReportLab is a third of a second to import, the
        # fonts a tenth) instead of each loading its own.
        for _, writer, _ in todo:
            importlib.import_module(f"{__package__}.writers.{writer}")
        if any(writer in PDF_WRITERS for _, writer, _ in todo):
            from .writers import pdfbase
            pdfbase.register_fonts(deck)
        workers = min(jobs - 1, len(rest))
        groups: list[list] = [[] for _ in range(workers)]
        for index, (name, writer, _) in enumerate(rest):
            groups[index % workers].append(
                (writer, run_writer, (writer, deck, paths[name], options.paper, stamps,
                                      self.newer_than, options.live)))
        # The deck is frozen (see `write`): the collector leaves it alone in the children too.
        with parallel.Children() as children:
            for group in groups:
                children.start(group)
            write_here(*here[:2])
            for writer, result in children.results():
                results[writer] = result
                progress.step(f"{writer} written")
        return results
