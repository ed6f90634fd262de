"""Bring existing decks in: one module per foreign format, all ending in a deck folder.

`apkg` reads Anki packages, `text` Anki's plain-text export, `csv` plain CSV/TSV; each hands
over Anki-shaped notes (`notes`), which `mapping` and `htmltext` turn into cards and
`deckfolder` writes (with `cardfile`). No importer knows a writer.
"""
from __future__ import annotations

from pathlib import Path

from ..source import display_path
from . import apkg, csv, text
from .deckfolder import Report, write_folder
from .errors import ImportFailed

__all__ = ["ImportFailed", "Report", "import_file", "read"]


def read(path: Path):
    """Read any supported file into a notes Collection."""
    path = Path(path)
    where = display_path(path)
    if not path.exists():
        raise ImportFailed(f"{where}: no such file")
    if not path.is_file():
        raise ImportFailed(f"{where}: not a regular file (a folder, pipe or device): "
                           "give the package or text file itself")
    if path.suffix.lower() in (".apkg", ".colpkg"):
        return apkg.read(path)
    try:
        data = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFailed(f"{where}: not UTF-8 text (save it as UTF-8), "
                           "nor an .apkg/.colpkg package") from None
    except OSError as err:
        raise ImportFailed(f"{where}: cannot read it: {err.strerror}") from None
    if text.looks_like_anki_text(data):
        return text.read(path, data)
    return csv.read(path, data)


def import_file(path: Path, folder: Path, force: bool = False) -> Report:
    return write_folder(read(path), Path(folder), force)
