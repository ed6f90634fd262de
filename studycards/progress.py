"""A one-line progress bar on stderr, for long builds in a terminal only."""
from __future__ import annotations

import sys
import time


class Progress:
    """Steps of a build: `step(label)` when one finishes. Silent unless `enabled`."""

    def __init__(self, total: int, enabled: bool, stream=None):
        self.total, self.done = total, 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.perf_counter()

    @classmethod
    def for_terminal(cls, total: int, quiet: bool) -> "Progress":
        stream = sys.stderr
        return cls(total, not quiet and stream.isatty(), stream)

    def show(self, label: str) -> None:
        if not self.enabled:
            return
        width = 24
        filled = width * self.done // self.total
        bar = "#" * filled + "-" * (width - filled)
        elapsed = time.perf_counter() - self.started
        self.stream.write(f"\r[{bar}] {self.done}/{self.total} {label:<28} {elapsed:6.1f} s")
        self.stream.flush()

    def step(self, label: str) -> None:
        self.done += 1
        self.show(label)

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()
