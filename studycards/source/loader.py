"""Read a card folder into a Deck, or report every problem in it at once.

This is the only module of the builder that reads the deck's files.
"""
from __future__ import annotations

import contextlib
import difflib
import gc
import hashlib
import os
import stat
import time
import unicodedata
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .. import collector, fonts, markup, mathtex
from ..model import (LATEST_BUILD_TIME, Basic, Card, Cloze, Compare, Deck, Group, GroupItem,
                     ListCard, Media, Origin, Section, Term)
from .errors import Problem, SourceError
from .images import ImageProblem, prepare

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


CARD_SUFFIXES = (".yaml", ".yml")
DECK_NAMES = tuple(f"deck{suffix}" for suffix in CARD_SUFFIXES)
_CHUNK = 1 << 20


def _is_card_file(name: str) -> bool:
    # Hidden names are editor and OS leftovers (.#x.yaml, ._x.yaml, .x.yaml.swp); so is x.yaml~.
    return not name.startswith(".") and name.lower().endswith(CARD_SUFFIXES)


def discover(cards_dir: Path) -> tuple[Path | None, list[Path], list[Problem]]:
    """The deck settings file, the section files in order, and what is wrong with them.

    Section files are every *.yaml and *.yml (any case) in the folder and its sub-folders,
    in the order of their paths (hence the 10-, 20- prefixes); hidden files and folders are
    skipped. Only regular files are read: a FIFO or a device would hang or flood the build.
    """
    cards_dir = Path(cards_dir)
    problems: list[Problem] = []
    deck: list[Path] = []
    sections: list[tuple[str, Path]] = []
    seen: set[tuple[int, int]] = set()
    for folder, dirs, names in os.walk(cards_dir, followlinks=True):
        here = Path(folder)
        try:
            info = here.stat()
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen:  # a symlink loop or a second way in
            dirs[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if not _is_card_file(name):
                continue
            path = here / name
            try:
                mode = path.stat().st_mode
            except OSError as err:
                problems.append(Problem(display_path(path), 1, 1,
                                        f"cannot read the file: {err.strerror}"))
                continue
            if not stat.S_ISREG(mode):
                problems.append(Problem(display_path(path), 1, 1, _not_regular(mode)))
                continue
            if name.lower() in DECK_NAMES:
                if here == cards_dir:
                    deck.append(path)
                else:
                    problems.append(Problem(display_path(path), 1, 1,
                                            f"deck settings belong in {display_path(cards_dir / name)} "
                                            "only; this sub-folder's file would be read as cards "
                                            "(rename it, or build that deck with its own --cards)"))
                continue
            sections.append((path.relative_to(cards_dir).as_posix(), path))
    if len(deck) > 1:
        problems.append(Problem(display_path(deck[1]), 1, 1,
                                f"two deck settings files: keep {deck[0].name} or {deck[1].name}"))
    return (deck[0] if deck else None), [p for _, p in sorted(sections)], problems


def _not_regular(mode: int) -> str:
    kind = ("a folder" if stat.S_ISDIR(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a device" if stat.S_ISCHR(mode)
            or stat.S_ISBLK(mode) else "not a regular file")
    return f"this is {kind}, not a card file: only regular files are read"


@contextlib.contextmanager
def _open_regular(path: Path):
    """The open file if it is a regular file; OSError for anything else, without blocking
    on a FIFO."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(0, _not_regular(mode).split(",")[0].replace("this is ", "it is "), str(path))
        yield f


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file (see _open_regular)."""
    with _open_regular(path) as f:
        return f.read()


def _file_digest(path: Path) -> str:
    """sha256 of a file read in pieces: a large image costs time, never its size in memory."""
    digest = hashlib.sha256()
    with _open_regular(path) as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sources_digest(sources, build_time: int) -> str:
    """One digest of (name, sha256) of every file read and the build time."""
    digest = hashlib.sha256()
    for name, file_digest in sorted(sources):
        digest.update(f"{name}\0{file_digest}\n".encode("utf-8", "surrogateescape"))
    digest.update(str(build_time).encode())
    return digest.hexdigest()


def fingerprint(cards_dir: Path, assets_dir: Path | None = None,
                source_date_epoch: int | None = None, assets=()) -> str | None:
    """The `sources_digest` the deck in cards_dir would have, without reading it as YAML:
    every card file, and `assets` (names under assets_dir: the images the last build used;
    if the cards are unchanged, so is that list). None when it cannot be told."""
    cards_dir = Path(cards_dir)
    assets_dir = Path(assets_dir) if assets_dir else cards_dir.parent / "assets"
    deck_file, sections, problems = discover(cards_dir)
    if problems or deck_file is None:
        return None
    files = [("cards/" + p.relative_to(cards_dir).as_posix(), p) for p in [deck_file, *sections]]
    files += [("assets/" + name, assets_dir / name) for name in assets]
    sources, newest = [], 0.0
    try:
        for name, path in files:
            sources.append((name, _file_digest(path)))
            newest = max(newest, path.stat().st_mtime)
    except OSError:
        return None
    return sources_digest(sources, source_date_epoch if source_date_epoch is not None
                          else int(newest))


def load_deck(cards_dir: Path, assets_dir: Path | None = None,
              source_date_epoch: int | None = None, jobs: int | None = None) -> Deck:
    """Load and check every file; raise SourceError listing all problems found. Formulas
    are laid out here, in `jobs` processes when there are many: a formula that cannot be
    drawn is a problem of its card, and the PDF writers find the rest ready."""
    with collector.paused():  # millions of objects, no reference cycles
        deck = _load(cards_dir, assets_dir, source_date_epoch, jobs)
        # Frozen before the collector is back: its first collection would scan every
        # object of the deck (a twentieth of loading 10,000 cards), which lives as long as
        # the build does anyway. The builder thaws it after writing (Build.write).
        gc.freeze()
        return deck


def _load(cards_dir: Path, assets_dir: Path | None, source_date_epoch: int | None,
          jobs: int | None) -> Deck:
    # Imported here: a rebuild with nothing changed stops at `fingerprint`, without them.
    from .schema import validate
    from .yamlfile import read_yaml

    cards_dir = Path(cards_dir)
    assets_dir = Path(assets_dir) if assets_dir else cards_dir.parent / "assets"
    problems: list[Problem] = []
    mtimes: list[tuple[float, str]] = []
    sources: list[tuple[str, str]] = []

    def read(path: Path) -> tuple[YamlDoc | None, str]:
        name = display_path(path)
        try:
            data = read_regular(path)
            mtimes.append((path.stat().st_mtime, name))
        except OSError as err:
            problems.append(Problem(name, 1, 1, f"cannot read the file: {err.strerror}"))
            return None, name
        sources.append(("cards/" + path.relative_to(cards_dir).as_posix(),
                        hashlib.sha256(data).hexdigest()))
        doc, found = read_yaml(name, data)
        problems.extend(found)
        return (None if found else doc), name

    if not cards_dir.is_dir():
        raise SourceError([Problem(display_path(cards_dir), 1, 1, "no such folder of card files")])

    deck_path, section_paths, discovered = discover(cards_dir)
    problems.extend(discovered)
    settings: dict = {}
    if deck_path is not None:
        doc, name = read(deck_path)
        if doc is not None:
            found, _ = validate(name, doc, "deckFile")
            problems.extend(found)
            if not found:
                settings = doc.value
    elif not discovered:
        problems.append(Problem(display_path(cards_dir / DECK_FILE), 1, 1,
                                "the deck settings file is missing (it needs id, name and title)"))

    if not section_paths and not discovered:
        problems.append(Problem(display_path(cards_dir), 1, 1,
                                "no card files (*.yaml, *.yml) in this folder"))

    if settings and deck_path.is_file():
        _check_settings(display_path(deck_path), doc, settings, problems)
    deck_fonts = _fonts(deck_path, doc, assets_dir, settings, problems) if settings else ()
    printable = fonts.for_files(tuple((m.name, m.data) for m in deck_fonts))
    for key in ("title", "subject"):
        if key in settings:
            _check_printable(printable, display_path(deck_path), doc, (key,),
                             settings[key], problems)
    for font in deck_fonts:  # sources like the images: a new font file redoes the PDFs
        path = _asset(assets_dir, font.name)
        sources.append(("assets/" + PurePosixPath(font.name).as_posix(),
                        hashlib.sha256(font.data).hexdigest()))
        mtimes.append((path.stat().st_mtime, display_path(path)))
    checker = _Checker(assets_dir, settings.get("id", "deck"), problems, printable)
    sections = []
    for path in section_paths:
        doc, name = read(path)
        if doc is None:
            continue
        found, bad = validate(name, doc, "sectionFile")
        problems.extend(found)
        key = path.relative_to(cards_dir).with_suffix("").as_posix()
        section = checker.section(name, key, doc, bad)
        if section is not None:
            sections.append(section)
    _check_section_names(settings.get("name", ""), sections, problems)
    mtimes.extend(checker.media_mtimes)
    checker.check_formulas(jobs)
    sources.extend(checker.asset_sources)

    build_time = source_date_epoch
    if build_time is None and mtimes:
        newest, newest_file = max(mtimes)
        build_time = int(newest)
        if build_time > LATEST_BUILD_TIME:
            problems.append(Problem(newest_file, 1, 1, (
                f"the file's modification time ({_date(build_time)}) is after 2107-12-31, the "
                "latest date an .apkg (a zip file) can hold; the build date is the newest file "
                "time: give the file a real date (touch it) or set SOURCE_DATE_EPOCH")))
    if problems:
        raise SourceError(problems)
    return Deck(
        namespace=settings["id"],
        name=_deck_name(settings["name"]),
        title=settings["title"],
        stem=settings.get("stem", settings["id"]),
        description=settings.get("description", ""),
        author=settings.get("author", ""),
        subject=settings.get("subject", ""),
        sections=tuple(sections),
        build_time=build_time,
        media=tuple(checker.media.values()),
        fonts=deck_fonts,
        sources=tuple(sorted(sources)),
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


def locate_setting(cards_dir: Path, key: str) -> Origin | None:
    """Where a deck setting is written, for a message about it."""
    from .yamlfile import read_yaml

    deck_file, _, _ = discover(Path(cards_dir))
    if deck_file is None:
        return None
    name = display_path(deck_file)
    try:
        doc, found = read_yaml(name, read_regular(deck_file))
    except OSError:
        return None
    if doc is None or found:
        return Origin(name)
    return Origin(name, *doc.locate((key,)))


def _date(seconds: int) -> str:
    try:
        return time.strftime("%Y-%m-%d", time.gmtime(seconds))
    except (OverflowError, OSError, ValueError):
        return f"{seconds} s after 1970"


def _deck_name(name: str) -> str:
    """Anki trims the parts of a deck name: "AWS :: Security" is the deck "AWS::Security"."""
    return "::".join(part.strip() for part in name.split("::"))


def _name_problem(name: str) -> str | None:
    parts = name.split("::")
    if any(not part.strip() for part in parts):
        return (f"'{name}' has an empty part between '::' (Anki would rename it): "
                "write names like 'AWS::Security'")
    return None


def _check_settings(file: str, doc: YamlDoc, settings: dict, problems: list[Problem]) -> None:
    for key in ("name", "title", "description", "author", "subject"):
        if key in settings and markup.blank_parts(settings[key])[0]:
            problems.append(Problem(file, *doc.locate((key,)), f"'{key}' has no visible text"))
    message = _name_problem(settings["name"])
    if message:
        problems.append(Problem(file, *doc.locate(("name",)), f"bad deck name {message}"))


def _check_section_names(deck_name: str, sections: list[Section], problems: list[Problem]) -> None:
    """A section is a sub-deck, and Anki's deck names ignore case: two sections that differ
    only in case would be merged into one sub-deck under a single spelling."""
    seen: dict[str, Section] = {}
    for section in sections:
        key = unicodedata.normalize("NFC", _deck_name(section.title)).casefold()
        first = seen.setdefault(key, section)
        if first is not section:
            same = "the same name as" if first.title == section.title else \
                "a name that differs only in case from"
            problems.append(Problem.at(section.origin, (
                f"section '{section.title}' has {same} '{first.title}' at {first.origin}: "
                "Anki would merge them into one sub-deck; give each section its own name")))


_SHOWN = (False, [])  # markup.blank_parts of text that shows something
_CARD_TEXT_KEYS = ("front", "back", "explain", "term", "definition", "list", "item", "ask")


def _card_texts(path, raw: dict):
    """(path, text, cloze, is a mapping key) of every text a card shows: the one list of
    them that the blank-text and the formula checks both walk."""
    for name in _CARD_TEXT_KEYS:
        if name in raw:
            yield path + (name,), raw[name], False, False
    if "cloze" in raw:
        yield path + ("cloze",), raw["cloze"], True, False
    for name in ("items", "compare"):
        for index, text in enumerate(raw.get(name) or ()):
            yield path + (name, index), text, False, False
    for aspect, values in (raw.get("rows") or {}).items():
        yield path + ("rows", aspect), aspect, False, True
        for index, text in enumerate(values):
            yield path + ("rows", aspect, index), text, False, False


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
        self.media_mtimes: list[tuple[float, str]] = []
        self.asset_sources: list[tuple[str, str]] = []  # ("assets/<name>", sha256)
        # (file, (line, col), text, cloze): card text with math. Its place, not its file's
        # document: every card file's positions, kept to the end of loading, were most of
        # the memory loading takes (and left holes that the writers' processes copied).
        self.texts: list[tuple] = []
        # Anki's media folder may sit on a file system that ignores case and Unicode
        # normalisation: the folded name -> (the file it holds, where first used)
        self.media_files: dict[str, tuple[Path, str]] = {}

    def text(self, file, doc, path, value, cloze: bool = False, key: bool = False) -> None:
        if isinstance(value, str) and "$" in value:
            self.texts.append((file, doc.locate(path, key=key), value, cloze))

    def check_formulas(self, jobs: int | None) -> None:
        """Every formula must be drawable: rendered once here (in parallel when many)."""
        keys = [(m.tex, m.display) for _, _, text, cloze in self.texts
                for m in markup.formulas(text, cloze)]
        if not keys:
            return
        mathtex.prepare(keys, jobs)
        for file, (line, col), text, cloze in self.texts:
            for message in markup.problems(text, cloze):
                self.problems.append(Problem(file, line, col, message))

    def section(self, file: str, key: str, doc: YamlDoc, bad: set) -> Section | None:
        value = doc.value
        if not isinstance(value, dict) or any(len(p) < 2 or p[0] != "cards" for p in bad):
            return None  # the file's own keys are wrong: its cards can't be checked further
        groups = {k: Group(k, g["title"], tuple(g["columns"]))
                  for k, g in (value.get("groups") or {}).items()}
        self.visible(file, doc, ("section",), value["section"])
        message = _name_problem(value["section"])
        if message:
            self.problem(file, doc, ("section",), f"bad section name {message}")
        self.text(file, doc, ("section",), value["section"])
        for key, group in (value.get("groups") or {}).items():
            for where, text in [(("groups", key, "title"), group["title"]),
                                *((("groups", key, "columns", index), column)
                                  for index, column in enumerate(group["columns"]))]:
                self.visible(file, doc, where, text)
                self.text(file, doc, where, text)
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
        if doc.ascii:  # printable ASCII throughout: in every font
            return
        if isinstance(value, str):
            if value.isascii() and value.isprintable():  # most text: in every font
                return
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

    def visible(self, file, doc, path, text: str, cloze: bool = False) -> None:
        """Text that shows nothing would make a blank card or a blank cell."""
        blank, deletions = markup.blank_parts(text, cloze)
        if not blank and not deletions:
            return
        names = [p for i, p in enumerate(path) if isinstance(p, str)
                 and not (i and path[i - 1] == "rows")]  # a row's name is the user's text
        what = ("a row's name" if path[-2:-1] == ("rows",) else
                f"'{names[-1]}'" if names else "the text")
        if blank:
            hint = (" (lines of only '-' make an empty list)"
                    if text.strip().startswith("-") else "")
            self.problem(file, doc, path, f"{what} has no visible text{hint}")
        elif deletions:
            numbers = ", ".join(str(n) for n in deletions)
            self.problem(file, doc, path, f"{what} has an empty deletion [[ ]] "
                         f"(number {numbers}): it would make a card with nothing to recall")

    def visible_texts(self, file, doc, path, raw) -> None:
        """The blank-text check of a card's texts; those with formulas kept for later."""
        blank_parts = markup.blank_parts
        for where, text, cloze, key in _card_texts(path, raw):
            if blank_parts(text, cloze) != _SHOWN:  # most text: no call to say nothing
                self.visible(file, doc, where, text, cloze=cloze)
            if "$" in text:
                self.text(file, doc, where, text, cloze, key)
        if "answer" in raw:  # a group's column, its formulas checked with the group
            self.visible(file, doc, path + ("answer",), raw["answer"])

    def card(self, file, doc, path, raw, groups, file_tags) -> Card | None:
        before = len(self.problems)
        self.visible_texts(file, doc, path, raw)
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
        where = display_path(self.assets_dir)
        try:
            root = self.assets_dir.resolve()
            target = (self.assets_dir / name).resolve(strict=True)
        except FileNotFoundError:
            self.problem(file, doc, path, f"image '{name}' not found in {where}/")
            return None
        except (OSError, RuntimeError) as err:  # a symlink loop: RuntimeError before 3.13
            reason = getattr(err, "strerror", None) or "a symbolic link that points to itself"
            self.problem(file, doc, path, f"image '{name}' cannot be read: {reason}")
            return None
        if Path(name).is_absolute() or not target.is_relative_to(root):
            self.problem(file, doc, path, f"image '{name}' is outside {where}/")
            return None
        if not target.is_file():
            self.problem(file, doc, path, f"image '{name}' is not a regular file")
            return None
        media_name = self.media_name(target.relative_to(root).as_posix())
        folded = unicodedata.normalize("NFC", media_name).casefold()
        here = "%s:%d:%d" % ((file,) + doc.locate(path))
        first = self.media_files.setdefault(folded, (target, here))
        if first[0] != target:
            self.problem(file, doc, path, (
                f"image '{name}' would be stored in Anki as '{media_name}', like another "
                f"file used at {first[1]} (Anki's media folder may ignore case): rename one"))
            return None
        if media_name not in self.media:
            try:
                raw = target.read_bytes()
                data = prepare(raw)
            except OSError as err:
                self.problem(file, doc, path, f"image '{name}' cannot be read: {err.strerror}")
                return None
            except ImageProblem as err:
                self.problem(file, doc, path, f"image '{name}' cannot be used: {err}")
                return None
            self.media[media_name] = Media(media_name, data)
            self.media_mtimes.append((target.stat().st_mtime, display_path(target)))
            # The name as written: a later build hashes what it points to then.
            self.asset_sources.append(("assets/" + PurePosixPath(name).as_posix(),
                                       hashlib.sha256(raw).hexdigest()))
        return media_name

    def media_name(self, relative: str) -> str:
        """The file's name in Anki's media folder, which is flat and shared by every deck:
        the deck's namespace, then the file name. A file in a sub-folder also gets a short
        digest of its path, so that `a/b.png` and `a-b.png` stay two files."""
        if "/" not in relative:
            return f"{self.namespace}-{relative}"
        stem, dot, ext = relative.rpartition(".")
        digest = hashlib.sha256(relative.encode("utf-8")).hexdigest()[:8]
        return f"{self.namespace}-{stem.replace('/', '-')}-{digest}{dot}{ext}"
