"""The deck as plain immutable data: what every writer reads, what only the source layer builds.

Card text stays as written (the Markdown subset); rendering it is the markup module's job.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True, slots=True)
class Origin:
    """Where something was written: a card file as the user would type its path, 1-based."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Card:
    """What every kind of card has. `id` is the card's permanent identity."""

    id: str
    tags: tuple[str, ...] = ()
    explain: str = ""
    image: str | None = None  # a name in Deck.media
    origin: Origin | None = None  # where its `id` is written, for messages and the preview
    guid: str = ""  # an imported note's Anki GUID; empty: made from the deck namespace and id

    kind = "card"

    @property
    def prompts(self) -> int:
        """How many questions the card asks: Anki cards, and paper cards."""
        return 1


@dataclass(frozen=True, kw_only=True, slots=True)
class Basic(Card):
    """A question and its answer."""

    front: str
    back: str
    kind = "basic"


@dataclass(frozen=True, kw_only=True, slots=True)
class Term(Card):
    """A term and its definition, asked both ways."""

    term: str
    definition: str
    kind = "term"

    @property
    def prompts(self) -> int:
        return 2  # asked both ways


@dataclass(frozen=True, kw_only=True, slots=True)
class Cloze(Card):
    """Text with deletions marked [[like this]]; one Anki card per deletion."""

    text: str
    deletions: int  # how many [[deletions]] the text has, counted by the source layer
    kind = "cloze"

    @property
    def prompts(self) -> int:
        return self.deletions


@dataclass(frozen=True, kw_only=True, slots=True)
class ListCard(Card):
    """A prompt and the items that answer it; one deletion per item."""

    prompt: str
    items: tuple[str, ...]
    kind = "list"

    @property
    def prompts(self) -> int:
        return len(self.items)


@dataclass(frozen=True, slots=True)
class Group:
    """A table that several cards fill: each card is one row, its answer one of the columns."""

    key: str
    title: str
    columns: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class GroupItem(Card):
    """One row of a group: "Who is responsible for <item>?" -> <answer>."""

    group: Group
    item: str
    answer: str
    kind = "group"


@dataclass(frozen=True, kw_only=True, slots=True)
class Compare(Card):
    """Two or more things side by side, one row per aspect."""

    subjects: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (aspect, one value per subject)
    ask: str = ""
    kind = "compare"

    @property
    def question(self) -> str:
        if self.ask:
            return self.ask
        names = self.subjects
        joined = ", ".join(names[:-1]) + " and " + names[-1]
        return f"How do {joined} differ?"


@dataclass(frozen=True, slots=True)
class Section:
    """One card file: a topic, a sub-deck, a cheat-sheet heading."""

    title: str
    key: str  # the file's stem, e.g. "10-shared-responsibility"
    cards: tuple[Card, ...]
    groups: tuple[Group, ...] = ()
    origin: Origin | None = None  # where its `section:` title is written


@dataclass(frozen=True, slots=True)
class Media:
    name: str
    data: bytes


# The zip format (the .apkg) cannot hold a later time: 2107-12-31 23:59:59 UTC.
LATEST_BUILD_TIME = 4_354_819_199


@dataclass(frozen=True, slots=True)
class Deck:
    """Deck-level settings plus the sections. `namespace` makes GUIDs; never change it."""

    namespace: str
    name: str  # the Anki deck name, "::" for hierarchy
    title: str
    stem: str  # output file stem
    sections: tuple[Section, ...]
    description: str = ""
    author: str = ""
    subject: str = ""
    build_time: int = 0  # seconds since the epoch, reproducible (see source.build_time)
    media: tuple[Media, ...] = field(default=())
    # TrueType fonts from deck.yaml `fonts:`, in order: the PDFs fall back to them for
    # characters the shipped fonts lack (studycards.fonts).
    fonts: tuple[Media, ...] = field(default=())
    # (name, sha256) of every file the deck was read from, "cards/..." or "assets/...": what
    # a later build hashes to know, without reading the cards, that nothing changed.
    sources: tuple[tuple[str, str], ...] = field(default=())

    @property
    def cards(self) -> tuple[Card, ...]:
        return tuple(card for section in self.sections for card in section.cards)

    def media_named(self, name: str) -> Media:
        for item in self.media:
            if item.name == name:
                return item
        raise KeyError(name)
