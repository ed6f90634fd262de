"""Read a card folder into a Deck, or report every problem in it at once.

This is the only module of the builder that reads the deck's files.
"""
from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path

from .. import markup
from ..model import (Basic, Card, Cloze, Compare, Deck, Group, GroupItem, ListCard, Media,
                     Origin, Section, Term)
from .errors import Problem, SourceError
from .schema import validate
from .yamlfile import YamlDoc, read_yaml

DECK_FILE = "deck.yaml"


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def fingerprint(cards_dir: Path, assets_dir: Path | None = None,
                source_date_epoch: int | None = None) -> str | None:
    """A digest of everything a deck is made from: every card file and asset, and the build
    time. The same digest means the same Deck, so a build can skip reading and checking."""
    cards_dir = Path(cards_dir)
    assets_dir = Path(assets_dir) if assets_dir else cards_dir.parent / "assets"
    digest = hashlib.sha256()
    newest = 0.0
    try:
        files = sorted(cards_dir.glob("*.yaml"))
        if assets_dir.is_dir():
            files += sorted(p for p in assets_dir.rglob("*") if p.is_file())
        for path in files:
            digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
            newest = max(newest, path.stat().st_mtime)
    except OSError:
        return None
    epoch = source_date_epoch if source_date_epoch is not None else int(newest)
    digest.update(str(epoch).encode())
    return digest.hexdigest()


def load_deck(cards_dir: Path, assets_dir: Path | None = None,
              source_date_epoch: int | None = None) -> Deck:
    """Load and check every file; raise SourceError listing all problems found."""
    cards_dir = Path(cards_dir)
    assets_dir = Path(assets_dir) if assets_dir else cards_dir.parent / "assets"
    problems: list[Problem] = []
    mtimes: list[float] = []

    def read(path: Path) -> tuple[YamlDoc | None, str]:
        name = display_path(path)
        try:
            data = path.read_bytes()
            mtimes.append(path.stat().st_mtime)
        except OSError as err:
            problems.append(Problem(name, 1, 1, f"cannot read the file: {err.strerror}"))
            return None, name
        doc, found = read_yaml(name, data)
        problems.extend(found)
        return (None if found else doc), name

    if not cards_dir.is_dir():
        raise SourceError([Problem(display_path(cards_dir), 1, 1, "no such folder of card files")])

    deck_path = cards_dir / DECK_FILE
    settings: dict = {}
    if deck_path.is_file():
        doc, name = read(deck_path)
        if doc is not None:
            found, _ = validate(name, doc, "deckFile")
            problems.extend(found)
            if not found:
                settings = doc.value
    else:
        problems.append(Problem(display_path(deck_path), 1, 1,
                                "the deck settings file is missing (it needs id, name and title)"))

    section_paths = sorted(p for p in cards_dir.glob("*.yaml") if p.name != DECK_FILE)
    if not section_paths:
        problems.append(Problem(display_path(cards_dir), 1, 1, "no card files (*.yaml) in this folder"))

    checker = _Checker(assets_dir, settings.get("id", "deck"), problems)
    sections = []
    for path in section_paths:
        doc, name = read(path)
        if doc is None:
            continue
        found, bad = validate(name, doc, "sectionFile")
        problems.extend(found)
        section = checker.section(name, path.stem, doc, bad)
        if section is not None:
            sections.append(section)
    mtimes.extend(checker.media_mtimes)

    if problems:
        raise SourceError(problems)
    build_time = source_date_epoch if source_date_epoch is not None else int(max(mtimes))
    return Deck(
        namespace=settings["id"],
        name=settings["name"],
        title=settings["title"],
        stem=settings.get("stem", settings["id"]),
        description=settings.get("description", ""),
        author=settings.get("author", ""),
        subject=settings.get("subject", ""),
        sections=tuple(sections),
        build_time=build_time,
        media=tuple(checker.media.values()),
    )


class _Checker:
    """The checks a schema cannot express: ids across files, images, deletions, groups."""

    def __init__(self, assets_dir: Path, namespace: str, problems: list[Problem]):
        self.assets_dir = assets_dir
        self.namespace = namespace
        self.problems = problems
        self.ids: dict[str, str] = {}  # id -> "file:line:col" of its first use
        self.guids: dict[str, str] = {}  # the same, for imported GUIDs
        self.media: dict[str, Media] = {}
        self.media_mtimes: list[float] = []

    def section(self, file: str, key: str, doc: YamlDoc, bad: set) -> Section | None:
        value = doc.value
        if not isinstance(value, dict) or any(len(p) < 2 or p[0] != "cards" for p in bad):
            return None  # the file's own keys are wrong: its cards can't be checked further
        groups = {k: Group(k, g["title"], tuple(g["columns"]))
                  for k, g in (value.get("groups") or {}).items()}
        file_tags = tuple(value.get("tags", ()))
        cards = []
        for index, raw in enumerate(value["cards"]):
            path = ("cards", index)
            if any(p[:2] == path for p in bad) or not isinstance(raw, dict):
                continue
            card = self.card(file, doc, path, raw, groups, file_tags)
            if card is not None:
                cards.append(card)
        origin = Origin(file, *doc.locate(("section",)))
        return Section(value["section"], key, tuple(cards), tuple(groups.values()), origin)

    def problem(self, file: str, doc: YamlDoc, path, message: str, key: bool = False) -> None:
        line, col = doc.locate(path, key=key)
        self.problems.append(Problem(file, line, col, message))

    def card(self, file, doc, path, raw, groups, file_tags) -> Card | None:
        before = len(self.problems)
        card_id = raw["id"]
        here = Origin(file, *doc.locate(path + ("id",)))
        if card_id in self.ids:
            self.problem(file, doc, path + ("id",),
                         f"duplicate id '{card_id}': also used at {self.ids[card_id]}")
        else:
            self.ids[card_id] = here
        if "guid" in raw:
            if raw["guid"] in self.guids:  # two cards would be one Anki note
                self.problem(file, doc, path + ("guid",),
                             f"duplicate guid '{raw['guid']}': also used at {self.guids[raw['guid']]}")
            else:
                self.guids[raw["guid"]] = Origin(file, *doc.locate(path + ("guid",)))
        common = dict(id=card_id, explain=raw.get("explain", ""), origin=here,
                      guid=raw.get("guid", ""),
                      tags=tuple(dict.fromkeys(file_tags + tuple(raw.get("tags", ())))))
        if "image" in raw:
            common["image"] = self.image(file, doc, path + ("image",), raw["image"])
        if "front" in raw:
            card = Basic(front=raw["front"], back=raw["back"], **common)
        elif "term" in raw:
            card = Term(term=raw["term"], definition=raw["definition"], **common)
        elif "cloze" in raw:
            deletions = markup.deletions(raw["cloze"])
            if deletions == 0:
                self.problem(file, doc, path + ("cloze",),
                             "cloze text has no deletion: mark the hidden parts [[like this]]")
            card = Cloze(text=raw["cloze"], deletions=deletions, **common)
        elif "list" in raw:
            card = ListCard(prompt=raw["list"], items=tuple(raw["items"]), **common)
        elif "group" in raw:
            card = self.group_item(file, doc, path, raw, groups, common)
        else:
            card = self.compare(file, doc, path, raw, common)
        return card if len(self.problems) == before else None

    def group_item(self, file, doc, path, raw, groups, common) -> GroupItem | None:
        group = groups.get(raw["group"])
        if group is None:
            known = ", ".join(groups) or "none; define them under 'groups:'"
            self.problem(file, doc, path + ("group",),
                         f"unknown group '{raw['group']}' (groups in this file: {known})")
            return None
        if raw["answer"] not in group.columns:
            close = difflib.get_close_matches(raw["answer"], group.columns, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.problem(file, doc, path + ("answer",),
                         f"answer '{raw['answer']}' is not a column of group '{group.key}' "
                         f"({', '.join(group.columns)}){hint}")
            return None
        return GroupItem(group=group, item=raw["item"], answer=raw["answer"], **common)

    def compare(self, file, doc, path, raw, common) -> Compare:
        subjects = tuple(raw["compare"])
        for aspect, values in raw["rows"].items():
            if len(values) != len(subjects):
                self.problem(file, doc, path + ("rows", aspect),
                             f"row '{aspect}' has {len(values)} values for "
                             f"{len(subjects)} things compared ({', '.join(subjects)})")
        rows = tuple((aspect, tuple(values)) for aspect, values in raw["rows"].items())
        return Compare(subjects=subjects, rows=rows, ask=raw.get("ask", ""), **common)

    def image(self, file, doc, path, name: str) -> str | None:
        root = self.assets_dir.resolve()
        target = (self.assets_dir / name).resolve()
        if Path(name).is_absolute() or not target.is_relative_to(root):
            self.problem(file, doc, path, f"image '{name}' is outside {display_path(self.assets_dir)}/")
            return None
        if not target.is_file():
            self.problem(file, doc, path, f"image '{name}' not found in {display_path(self.assets_dir)}/")
            return None
        # Anki's media folder is flat and shared by every deck: prefix the deck's namespace.
        media_name = f"{self.namespace}-" + target.relative_to(root).as_posix().replace("/", "-")
        if media_name not in self.media:
            self.media[media_name] = Media(media_name, target.read_bytes())
            self.media_mtimes.append(target.stat().st_mtime)
        return media_name
