"""The source layer: card files in, a checked Deck out."""
from .errors import Problem, SourceError
from .loader import load_deck

__all__ = ["Problem", "SourceError", "load_deck"]
