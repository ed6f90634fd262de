"""studycards: one set of YAML card files, three study outputs (Anki deck, cheat sheet, flashcards)."""
__version__ = "0.1.0"
