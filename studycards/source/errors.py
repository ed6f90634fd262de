"""Problems found in the sources (see studycards.problems)."""
from __future__ import annotations

from ..problems import Problem, Problems


class SourceError(Problems):
    """Raised with every problem found while reading the card files."""


__all__ = ["Problem", "SourceError"]
