"""Problems with what the user wrote, reported together as `path:line:col: message`.

The source layer finds most of them; a writer finds the rest (an image it cannot scale, text
that cannot fit a card) and names the card's place the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Origin

# A problem prints on one line and shows what is there: control characters in a file name or
# in quoted text are written as escapes ("\n", "\x1f"), never sent to the terminal raw.
_ESCAPES = {c: repr(chr(c))[1:-1] for c in [*range(0x20), *range(0x7F, 0xA0)]}


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    col: int
    message: str

    @classmethod
    def at(cls, origin: Origin | None, message: str, fallback: str = "cards") -> "Problem":
        if origin is None:
            return cls(fallback, 1, 1, message)
        return cls(origin.file, origin.line, origin.col, message)

    def __str__(self) -> str:
        return (f"{self.file.translate(_ESCAPES)}:{self.line}:{self.col}: "
                f"{self.message.translate(_ESCAPES)}")


class Problems(Exception):
    """Every problem of a run; the CLI prints them, exits with 1 and writes nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # raised in a worker process, re-raised in the parent
        return (type(self), (self.problems,))
