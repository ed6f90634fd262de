"""Problems with what the user wrote, reported together as `path:line:col: message`.

The source layer finds most of them; a writer finds the rest (an image it cannot scale, text
that cannot fit a card) and names the card's place the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import Origin


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
        # one line per problem, whatever text of the user's the message quotes
        message = self.message.replace("\r", "\\r").replace("\n", "\\n")
        return f"{self.file}:{self.line}:{self.col}: {message}"


class Problems(Exception):
    """Every problem of a run; the CLI prints them, exits with 1 and writes nothing."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # raised in a worker process, re-raised in the parent
        return (type(self), (self.problems,))
