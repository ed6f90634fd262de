"""All-or-nothing output: every file is written beside its target, then all are renamed.

A build that fails or is interrupted before the renames leaves every previous output
byte-for-byte as it was; the renames themselves are atomic per file.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class Staging:
    def __init__(self, out_dir: Path):
        self.out_dir = Path(out_dir)
        self.pending: list[tuple[Path, Path]] = []  # (temporary, final)

    def path_for(self, name: str) -> Path:
        """A fresh temporary path in the output folder that will become `name` on commit."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.out_dir)
        os.close(fd)
        self.pending.append((Path(tmp), self.out_dir / name))
        return Path(tmp)

    def write_bytes(self, name: str, data: bytes) -> None:
        self.path_for(name).write_bytes(data)

    def commit(self) -> list[Path]:
        done = []
        for tmp, final in self.pending:
            os.chmod(tmp, 0o644)
            os.replace(tmp, final)
            done.append(final)
        self.pending = []
        return done

    def discard(self) -> None:
        for tmp, _ in self.pending:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self.pending = []

    def __enter__(self) -> "Staging":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.discard()  # after a commit nothing is pending
