"""All-or-nothing output: every file is written beside its target, then all are renamed together.

A build that fails or is interrupted before the commit leaves every previous output as it was.
The commit itself is all-or-nothing too: every target is checked first, the previous files are
kept as hard links (copies where links are not possible) while the new ones are renamed in, and
a failed rename puts every previous file back. A journal written before the first rename lets
the next build finish that roll-back when the commit was killed half-way (power cut, kill -9).

Everything temporary is named `.NAME.XXXXXXXX.tmp` in the output folder, so that a build can
remove what a killed one left (`clean_stale`); a lock on the folder keeps two builds from
staging into it at once.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
from pathlib import Path

JOURNAL = ".studycards-commit.journal"
LOCK = ".studycards.lock"
# What mkstemp/mkdtemp make from prefix ".NAME." and suffix ".tmp": 8 random characters.
_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


class CommitError(OSError):
    """The outputs could not all be replaced. `unchanged` says whether every previous output
    is still in place (the roll-back worked), `message` says so in words."""

    def __init__(self, message: str, unchanged: bool):
        super().__init__(message)
        self.message, self.unchanged = message, unchanged

    def __str__(self) -> str:
        return self.message


class Busy(OSError):
    """Another build holds the output folder."""


def temp_path(out_dir: Path, name: str, directory: bool = False) -> Path:
    """A fresh temporary file (or folder) in out_dir, named so `clean_stale` recognises it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if directory:
        return Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir))
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    return Path(tmp)


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


class _DeferInterrupt:
    """Ctrl-C during the renames takes effect after them, so that they finish or roll back."""

    def __enter__(self):
        self.caught = False
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, signum, frame):
        self.caught = True

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
        return False


class Staging:
    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.pending: list[tuple[Path, Path]] = []  # (temporary, final)
        self.interrupted_during_commit = False

    def path_for(self, name: str) -> Path:
        """A fresh temporary path in the output folder that will become `name` on commit."""
        tmp = temp_path(self.out_dir, name)
        self.pending.append((tmp, self.out_dir / name))
        return tmp

    def write_bytes(self, name: str, data: bytes) -> None:
        self.path_for(name).write_bytes(data)

    def check_targets(self, names) -> None:
        """Refuse before any work when a target can never be replaced by a file."""
        for name in names:
            final = self.out_dir / name
            try:
                mode = os.lstat(final).st_mode
            except FileNotFoundError:
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
                raise CommitError(f"cannot replace {_shown(final)}: it is {kind}; move it away "
                                  "and build again; the previous outputs are unchanged",
                                  unchanged=True)

    def commit(self) -> list[Path]:
        """Rename every staged file into place, or none (see the module docstring)."""
        self.check_targets(final.name for _, final in self.pending)
        backups: list[Path | None] = []
        try:
            for _, final in self.pending:
                backups.append(self._backup(final))
        except OSError as err:
            for backup in backups:
                if backup is not None:
                    _remove(backup)
            raise CommitError(f"cannot replace {_shown(Path(err.filename or final))}: "
                              f"{err.strerror or err}; the previous outputs are unchanged",
                              unchanged=True) from err
        journal = self.out_dir / JOURNAL
        entries = [[tmp.name, final.name, backup.name if backup else None]
                   for (tmp, final), backup in zip(self.pending, backups)]
        _write_synced(journal, json.dumps(entries).encode())
        done: list[int] = []
        with _DeferInterrupt() as deferred:
            try:
                for index, (tmp, final) in enumerate(self.pending):
                    os.chmod(tmp, 0o644)
                    os.replace(tmp, final)
                    done.append(index)
            except OSError as err:
                failed = self._roll_back(done, backups)
                journal.unlink()
                if failed:
                    raise CommitError(
                        f"cannot replace {_shown(final)}: {err.strerror or err}; the roll-back "
                        f"failed too, so these outputs are NEW: "
                        f"{', '.join(_shown(p) for p in failed)}, and the others are the "
                        "previous ones: fix the cause and build again with --force",
                        unchanged=False) from err
                raise CommitError(f"cannot replace {_shown(final)}: {err.strerror or err}; "
                                  "the previous outputs are unchanged", unchanged=True) from err
            journal.unlink()
            for backup in backups:
                if backup is not None:
                    _remove(backup)
        self.interrupted_during_commit = deferred.caught
        finals = [final for _, final in self.pending]
        self.pending = []
        return finals

    def _backup(self, final: Path) -> Path | None:
        if not os.path.lexists(final):
            return None
        backup = temp_path(self.out_dir, final.name)
        backup.unlink()
        try:
            os.link(final, backup, follow_symlinks=False)
        except OSError:  # no hard links here (or the file refuses them): a copy will do
            shutil.copy2(final, backup, follow_symlinks=False)
        return backup

    def _roll_back(self, done: list[int], backups: list[Path | None]) -> list[Path]:
        """Put back the previous file of every target already renamed; return those that
        could not be put back."""
        failed = []
        for index in reversed(done):
            final, backup = self.pending[index][1], backups[index]
            try:
                if backup is None:
                    final.unlink()
                else:
                    os.replace(backup, final)
            except OSError:
                failed.append(final)
        for index, backup in enumerate(backups):
            if backup is not None and index not in done:
                _remove(backup)
        return failed

    def discard(self) -> None:
        for tmp, _ in self.pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self.pending = []

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.discard()  # after a commit nothing is pending


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def recover(out_dir: Path) -> list[str]:
    """Finish what a killed build left in out_dir: roll back a half-done commit, remove its
    temporary files and folders. Returns the names rolled back. Call it holding `lock`."""
    out_dir = Path(out_dir)
    restored: list[str] = []
    journal = out_dir / JOURNAL
    if journal.is_file():
        try:
            entries = json.loads(journal.read_text("utf-8"))
        except (OSError, ValueError):
            entries = []
        for entry in entries if isinstance(entries, list) else []:
            if not (isinstance(entry, list) and len(entry) == 3):
                continue
            tmp, final, backup = (out_dir / e if isinstance(e, str) else None for e in entry)
            if tmp is None or final is None or tmp.exists():
                continue  # not renamed yet: the previous output is in place
            with contextlib.suppress(OSError):
                if backup is not None and backup.exists():
                    os.replace(backup, final)
                elif backup is None:
                    final.unlink()
                restored.append(final.name)
        with contextlib.suppress(FileNotFoundError):
            journal.unlink()
    if out_dir.is_dir():
        for path in out_dir.iterdir():
            if _TEMP_NAME.match(path.name):
                _remove(path)
    return restored


@contextlib.contextmanager
def lock(out_dir: Path):
    """Hold the output folder for one build. The lock goes with the process, killed or not."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; one build at a time is up to the user
        yield
        return
    with open(out_dir / LOCK, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(f"another build is writing to {_shown(out_dir)}; wait for it to end")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
