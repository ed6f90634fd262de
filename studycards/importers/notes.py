"""What every reader hands over: Anki-shaped notes, whatever file they came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Anki's stock note types, by the kind it records (originalStockKind) and by English name.
BASIC, REVERSED, OPTIONAL, TYPING, CLOZE, OCCLUSION, OTHER = (
    "basic", "reversed", "optional-reversed", "typing", "cloze", "occlusion", "other")
STOCK_KINDS = {1: BASIC, 2: REVERSED, 3: OPTIONAL, 4: TYPING, 5: CLOZE, 6: OCCLUSION}
STOCK_NAMES = {
    "Basic": BASIC, "Basic (and reversed card)": REVERSED,
    "Basic (optional reversed card)": OPTIONAL, "Basic (type in the answer)": TYPING,
    "Cloze": CLOZE, "Image Occlusion": OCCLUSION,
}
STOCK_FIELDS = {
    BASIC: ("Front", "Back"), REVERSED: ("Front", "Back"),
    OPTIONAL: ("Front", "Back", "Add Reverse"), TYPING: ("Front", "Back"),
    CLOZE: ("Text", "Back Extra"),
    OCCLUSION: ("Occlusion", "Image", "Header", "Back Extra", "Comments"),
}


@dataclass(frozen=True)
class NoteType:
    name: str
    fields: tuple[str, ...]
    kind: str = OTHER  # one of the stock kinds above, or OTHER
    cloze: bool = False  # Anki's cloze kind: cards come from {{cN::...}}


def note_type(name: str, fields: tuple[str, ...] = (), stock: int = 0,
              cloze: bool = False) -> NoteType:
    kind = STOCK_KINDS.get(stock) or STOCK_NAMES.get(name, OTHER)
    if not fields:
        fields = STOCK_FIELDS.get(kind, ())
    return NoteType(name, tuple(fields), kind, cloze or kind in (CLOZE, OCCLUSION))


@dataclass
class ForeignNote:
    where: str  # how the report names it: "note 12 (guid ...)", "line 7"
    notetype: NoteType
    fields: tuple[str, ...]
    guid: str = ""
    tags: tuple[str, ...] = ()
    deck: str = ""  # Anki deck name, "::" between levels; empty: the file's own deck
    html: bool = True


@dataclass
class Collection:
    """A read file: its notes, its images by name, and a deck name to fall back on."""

    notes: list[ForeignNote]
    fallback_name: str
    media: Callable[[str], bytes | None] = field(default=lambda name: None)

    def __post_init__(self):
        # A file name may hold line breaks or other control characters: a deck name may not.
        shown = "".join(c if c.isprintable() else " " for c in self.fallback_name)
        self.fallback_name = " ".join(shown.split()) or "Imported"
