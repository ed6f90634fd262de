"""The build: which outputs are stale, writing them (in parallel for large decks), staging them
so that all of them and the state file replace the previous ones together, or none does.

The state file (`dist/.studycards-state.json`) records what the last build was made from and
the Anki stamps; it is a cache plus the stamps, never a source.
"""
from __future__ import annotations

import functools
import gc
import hashlib
import importlib
import json
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

from .atomic import Staging
from .model import Deck

ROOT = Path(__file__).resolve().parent.parent
STATE_FILE = ".studycards-state.json"

# Below this many cards a build takes a second or less: worker processes would cost more
# than they save.
PARALLEL_FROM = 400

# Every output: writer module (studycards/writers/<name>.py) and file suffix, the deck first
# (it is written in this process). A writer module is imported only to write its output, so
# a build with nothing to do never loads ReportLab or genanki.
WRITERS = {"anki": ".apkg", "cheatsheet": "-cheatsheet.pdf", "flashcards": "-flashcards.pdf"}


@dataclass(frozen=True)
class Options:
    out: Path
    paper: str = "a4"
    force: bool = False
    jobs: int = 0  # 0: one process per core for large decks
    only: tuple[str, ...] = ()  # the writers to run; () for all. The others stay as they are.

    @property
    def writers(self) -> tuple[str, ...]:
        return tuple(w for w in WRITERS if not self.only or w in self.only)


def read_state(out: Path) -> dict:
    try:
        state = json.loads((Path(out) / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _sources_key(sources: str, writer: str, paper: str) -> str:
    """What an output was made from, known before reading any card: the card and asset
    files (`sources`), the builder's code and the options that output depends on."""
    parts = (code_fingerprint(), writer, "" if writer == "anki" else paper, sources)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def up_to_date(state: dict, sources: str | None, options: Options) -> list[Path] | None:
    """The outputs asked for, if each was last built from these very sources, code and
    options and is still there: then there is nothing to read, check or write."""
    built = state.get("built")
    if sources is None or not isinstance(built, dict):
        return None
    paths = []
    for writer in options.writers:
        entry = built.get(writer)
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and entry[1] == _sources_key(sources, writer, options.paper)
                and (Path(options.out) / entry[0]).is_file()):
            return None
        paths.append(Path(options.out) / entry[0])
    return paths


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
                        *(ROOT / "assets" / "fonts").glob("*.ttf")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _input_key(deck_digest: str, writer: str, paper: str) -> str:
    """What an output depends on; the same key means the same bytes. (The Anki stamps need
    not be in it: for an unchanged deck the writer reproduces them exactly.)"""
    parts = (code_fingerprint(), writer, "" if writer == "anki" else paper, deck_digest)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def run_writer(writer: str, deck: Deck, path: Path, paper: str, previous: dict):
    module = importlib.import_module(f"{__package__}.writers.{writer}")
    if writer == "anki":
        return module.write(deck, path, previous)
    module.write(deck, path, paper=paper)
    return None


def _pool(workers: int):
    import concurrent.futures
    import multiprocessing

    try:
        context = multiprocessing.get_context("fork")  # the deck is inherited, not pickled
    except ValueError:
        context = None
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)


def build(deck: Deck, options: Options, state: dict, sources: str | None,
          progress) -> list[tuple[Path, bool]]:
    """Write every stale output asked for; return (path, written now) for each of them.
    Outputs not asked for, and their entries in the state file, stay as they were."""
    out = Path(options.out)
    previous_anki = state.get("anki", {})
    keys = state.get("inputs", {})
    built = state.get("built") if isinstance(state.get("built"), dict) else {}
    new_state = {"anki": previous_anki, "inputs": dict(keys), "counts": counts(deck),
                 "built": {w: e for w, e in built.items() if w in WRITERS}}
    written, todo = [], []
    deck_digest = hashlib.sha256(pickle.dumps(deck, protocol=5)).hexdigest()
    for name, writer in outputs(deck, options.writers):
        key = _input_key(deck_digest, writer, options.paper)
        fresh = options.force or keys.get(name) != key or not (out / name).is_file()
        written.append((out / name, fresh))
        if sources is not None:
            new_state["built"][writer] = [name, _sources_key(sources, writer, options.paper)]
        else:
            new_state["built"].pop(writer, None)
        if fresh:
            todo.append((name, writer, key))
        else:
            progress.step(f"{writer} unchanged")
    jobs = options.jobs or (os.cpu_count() or 1)
    if len(deck.cards) < PARALLEL_FROM and not options.jobs:
        jobs = 1
    with Staging(out) as staging:
        paths = {name: staging.path_for(name) for name, _, _ in todo}
        results = {}
        if jobs > 1 and len(todo) > 1:
            # The PDFs in worker processes, the deck here: the outputs share nothing. Frozen
            # objects are left alone by the collector, so forked workers keep sharing them.
            import concurrent.futures

            gc.freeze()
            with _pool(min(jobs, len(todo) - 1)) as pool:
                futures = {pool.submit(run_writer, writer, deck, paths[name], options.paper,
                                       previous_anki): (name, writer)
                           for name, writer, _ in todo[1:]}
                name, writer, _ = todo[0]
                results[writer] = run_writer(writer, deck, paths[name], options.paper,
                                             previous_anki)
                progress.step(f"{writer} written")
                for future in concurrent.futures.as_completed(futures):
                    results[futures[future][1]] = future.result()
                    progress.step(f"{futures[future][1]} written")
        else:
            for name, writer, _ in todo:
                progress.show(f"writing {writer}")
                results[writer] = run_writer(writer, deck, paths[name], options.paper,
                                             previous_anki)
                progress.step(f"{writer} written")
        if "anki" in results:
            new_state["anki"] = results["anki"]
        for name, _, key in todo:
            new_state["inputs"][name] = key
        staging.write_bytes(STATE_FILE, json.dumps(new_state, sort_keys=True).encode())
        staging.commit()
    return written
