"""Anki's "Notes in Plain Text" export (.txt): `#key:value` headers, then one note per row.

The headers say the separator, whether fields are HTML, and which columns hold the GUID, the
note type, the deck and the tags; every other column is a field, in the note type's order.
The file does not name the fields: stock note types are known by name, others are read as
"first field asks, the rest answer".
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..source import display_path
from .errors import ImportFailed
from .notes import Collection, ForeignNote, note_type

_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|",
               "colon": ":"}


def looks_like_anki_text(data: str) -> bool:
    return data.lstrip("\ufeff").startswith("#separator:") or data.startswith("#html:")


def read(path: Path, data: str) -> Collection:
    where = display_path(path)
    headers: dict[str, str] = {}
    lines = data.lstrip("\ufeff").splitlines(keepends=True)
    body_start = 0
    for body_start, line in enumerate(lines):
        if not line.startswith("#") or ":" not in line:
            break
        key, _, value = line[1:].partition(":")
        headers[key.strip().lower()] = value.strip()
    else:
        body_start = len(lines)
    separator = headers.get("separator", "tab")
    delimiter = _SEPARATORS.get(separator.lower(), separator[:1] or "\t")
    html = headers.get("html", "false").lower() == "true"

    def column(name: str) -> int | None:
        value = headers.get(f"{name} column")
        if value is None:
            return None
        if not value.isdigit() or int(value) < 1:
            raise ImportFailed(f"{where}: the header '#{name} column:{value}' is not a column number")
        return int(value) - 1

    guid_col, type_col, deck_col, tags_col = (column(n) for n in ("guid", "notetype", "deck", "tags"))
    special = {c for c in (guid_col, type_col, deck_col, tags_col) if c is not None}
    default_type = headers.get("notetype", "Basic")
    default_deck = headers.get("deck", "")
    notes = []
    reader = csv.reader(lines[body_start:], delimiter=delimiter, quotechar='"', strict=True)
    try:
        for row in reader:
            line_no = body_start + reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            width = max(special, default=-1) + 1
            if len(row) < max(width, 1 + len(special)):
                raise ImportFailed(f"{where}:{line_no}: this row has {len(row)} columns, "
                                   f"but the headers name column {width}")

            def cell(index):
                return row[index] if index is not None else ""

            fields = tuple(value for i, value in enumerate(row) if i not in special)
            name = cell(type_col) or default_type
            notes.append(ForeignNote(
                where=f"line {line_no}", notetype=note_type(name),
                fields=fields, guid=cell(guid_col).strip(),
                tags=tuple(cell(tags_col).split()), deck=cell(deck_col) or default_deck,
                html=html))
    except csv.Error as err:
        raise ImportFailed(f"{where}:{body_start + reader.line_num}: {err}") from None
    if not notes:
        raise ImportFailed(f"{where}: no notes in this file")
    return Collection(notes, Path(path).stem, beside(Path(path)))


def beside(path: Path):
    """The export carries no media: look for an image next to the file, by its plain name."""
    def lookup(name: str) -> bytes | None:
        candidate = path.parent / name
        if "/" in name or "\\" in name or name.startswith(".") or not candidate.is_file():
            return None
        return candidate.read_bytes()
    return lookup
