"""The source layer: card files in, a checked Deck out."""
from .errors import Problem, SourceError
from .loader import display_path, fingerprint, load_deck, locate_setting, sources_digest

__all__ = ["Problem", "SourceError", "display_path", "fingerprint", "load_deck",
           "locate_setting", "sources_digest"]
