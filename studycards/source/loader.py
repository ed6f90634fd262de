"""Read a card folder into a Deck, or report every problem in it at once.

This is the only module of the builder that reads the deck's files.
"""
from __future__ import annotations

import difflib
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .. import collector, fonts, markup
from ..model import (Basic, Card, Cloze, Compare, Deck, Group, GroupItem, ListCard, Media,
                     Origin, Section, Term)
from .errors import Problem, SourceError

if TYPE_CHECKING:
    from .yamlfile import YamlDoc

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
    with collector.paused():  # millions of objects, no reference cycles
        return _load(cards_dir, assets_dir, source_date_epoch)


def _load(cards_dir: Path, assets_dir: Path | None, source_date_epoch: int | None) -> Deck:
    # Imported here: a rebuild with nothing changed stops at `fingerprint`, without them.
    from .schema import validate
    from .yamlfile import read_yaml

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

    deck_fonts = _fonts(deck_path, doc, assets_dir, settings, problems) if settings else ()
    printable = fonts.for_files(tuple((m.name, m.data) for m in deck_fonts))
    for key in ("title", "subject"):
        if key in settings:
            _check_printable(printable, display_path(deck_path), doc, (key,),
                             settings[key], problems)
    checker = _Checker(assets_dir, settings.get("id", "deck"), problems, printable)
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
        fonts=deck_fonts,
    )


def _fonts(deck_path: Path, doc: YamlDoc, assets_dir: Path, settings: dict,
           problems: list[Problem]) -> tuple[Media, ...]:
    """The TrueType files deck.yaml names under `fonts:`, checked to be embeddable."""
    found = []
    name = display_path(deck_path)
    for index, file in enumerate(settings.get("fonts", ())):
        where = doc.locate(("fonts", index))
        target = _asset(assets_dir, file)
        reason = None
        if target is None:
            reason = f"font '{file}' is outside {display_path(assets_dir)}/"
        elif not target.is_file():
            reason = f"font '{file}' not found in {display_path(assets_dir)}/"
        else:
            data = target.read_bytes()
            trouble = fonts.problem_with(data)
            if trouble:
                reason = f"font '{file}' {trouble}"
            else:
                found.append(Media(file, data))
        if reason:
            problems.append(Problem(name, *where, reason))
    return tuple(found)


def _asset(assets_dir: Path, name: str) -> Path | None:
    """The file `name` names under assets/, or None if it points outside."""
    root = assets_dir.resolve()
    target = (assets_dir / name).resolve()
    if Path(name).is_absolute() or not target.is_relative_to(root):
        return None
    return target


def _check_printable(printable: fonts.Fonts, file: str, doc: YamlDoc, path, text: str,
                     problems: list[Problem], key: bool = False) -> None:
    missing = printable.uncovered(text)
    if missing:
        codes = " ".join(f"U+{ord(c):04X}" for c in missing)
        what = (f"characters {missing} are" if len(missing) > 1 else f"character {missing} is")
        problems.append(Problem(file, *doc.locate(path, key=key), (
            f"{what} not covered by the PDF fonts ({codes}); add a TrueType font that has "
            "them to `fonts:` in deck.yaml (a .ttf file under assets/)")))


class _Checker:
    """The checks a schema cannot express: ids across files, images, deletions, groups."""

    def __init__(self, assets_dir: Path, namespace: str, problems: list[Problem],
                 printable: fonts.Fonts):
        self.assets_dir = assets_dir
        self.printable = printable
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
        self.printed(file, doc, ("section",), value["section"])
        for key, group in (value.get("groups") or {}).items():
            self.printed(file, doc, ("groups", key), group)
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

    # Keys whose values are never printed on paper.
    UNPRINTED = frozenset(("id", "guid", "tags", "image", "group"))

    def printed(self, file: str, doc: YamlDoc, path, value) -> None:
        """Report characters of printed text that no PDF font has, at their field."""
        if isinstance(value, str):
            _check_printable(self.printable, file, doc, path, value, self.problems)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.printed(file, doc, path + (index,), item)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key in self.UNPRINTED and len(path) == 2 and path[0] == "cards":
                    continue
                if path[-1] == "rows":  # the aspects of a comparison are printed too
                    _check_printable(self.printable, file, doc, path + (key,), str(key),
                                     self.problems, key=True)
                self.printed(file, doc, path + (key,), item)

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
        self.printed(file, doc, path, raw)
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
        target = _asset(self.assets_dir, name)
        if target is None:
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
