"""Plain CSV/TSV of front, back[, tags] rows: a spreadsheet of word pairs.

The delimiter is sniffed among comma, semicolon, tab and pipe; a first row naming the
columns (front/back/tags, or question/answer, term/definition) is a header. Text is plain:
`<b>` in a cell is shown as written. Every row must have as many cells as the first.
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..source import display_path
from .errors import ImportFailed
from .notes import BASIC, Collection, ForeignNote, NoteType

_ROLES = {"front": 0, "question": 0, "term": 0, "q": 0, "back": 1, "answer": 1,
          "definition": 1, "a": 1, "tags": 2, "tag": 2}
_PLAIN = NoteType("CSV row", ("Front", "Back"), BASIC)


def read(path: Path, data: str) -> Collection:
    where = display_path(path)
    data = data.lstrip("\ufeff")
    if not data.strip():
        raise ImportFailed(f"{where}: the file is empty")
    sample = data[:65536]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = "\t" if "\t" in sample else ","
    reader = csv.reader(data.splitlines(keepends=True), delimiter=delimiter, quotechar='"',
                        strict=True)
    notes = []
    roles = (0, 1, 2)
    width = None
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if width is None:
                width = len(row)
                if width < 2:
                    raise ImportFailed(f"{where}:{line}: a row needs a front and a back "
                                       f"(found 1 column; is the delimiter {delimiter!r}?)")
                header = [cell.strip().lower() for cell in row]
                if header[0] in _ROLES and header[1] in _ROLES:
                    roles = tuple(_ROLES.get(h, -1) for h in header)
                    if 0 not in roles or 1 not in roles:
                        raise ImportFailed(f"{where}:{line}: the header needs a front and a "
                                           "back column")
                    continue
            if len(row) != width:
                raise ImportFailed(f"{where}:{line}: this row has {len(row)} cells, the "
                                   f"first has {width}")
            cells = {role: row[i] for i, role in enumerate(roles[:len(row)]) if role >= 0}
            notes.append(ForeignNote(
                where=f"line {line}", notetype=_PLAIN,
                fields=(cells.get(0, ""), cells.get(1, "")),
                tags=tuple(cells.get(2, "").replace(",", " ").split()), html=False))
    except csv.Error as err:
        raise ImportFailed(f"{where}:{reader.line_num}: {err}") from None
    if not notes:
        raise ImportFailed(f"{where}: no rows after the header")
    return Collection(notes, Path(path).stem)
