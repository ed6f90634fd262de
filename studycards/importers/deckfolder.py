"""Mapped notes -> a deck folder (cards/deck.yaml, a file per section, assets/), all or nothing."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..source import SourceError, display_path, load_deck
from . import cardfile
from .errors import ImportFailed
from .mapping import Mapped, map_note, slug
from .notes import Collection

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


@dataclass
class Report:
    notes: int = 0
    kinds: Counter = field(default_factory=Counter)
    images: int = 0
    sections: int = 0
    lossy: list[str] = field(default_factory=list)  # "where: what [-> file:line]"


def write_folder(collection: Collection, folder: Path, force: bool = False) -> Report:
    """Map every note and write the deck folder; nothing changes in `folder` on failure."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ImportFailed(f"{display_path(folder)} is a file, not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise ImportFailed(f"{display_path(folder)} is not empty; use --force to replace it")
    mapped = [map_note(note) for note in collection.notes]
    name, titles = _deck_names(collection, mapped)
    report = Report(notes=len(collection.notes))
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _write(collection, mapped, name, titles, staging, report)
        try:
            load_deck(staging / "cards", source_date_epoch=0)
        except SourceError as err:  # a bug of ours: say so, write nothing
            raise ImportFailed("internal error: the imported cards do not pass the check: "
                               + str(err.problems[0])) from None
        _replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _deck_names(collection: Collection, mapped: list[Mapped]) -> tuple[str, dict[str, str]]:
    """The deck name for deck.yaml and each Anki deck's section title beneath it."""
    decks = sorted({m.note.deck or collection.fallback_name for m in mapped if m.kind})
    if not decks:
        raise ImportFailed("no note could be turned into a card")
    parts = [d.split("::") for d in decks]
    common = 0
    while all(len(p) > common for p in parts) and len({tuple(p[:common + 1]) for p in parts}) == 1:
        common += 1
    if len(parts) == 1 and common > 1:  # one deck: its parent is the deck, it the section
        common -= 1
    if not common:
        return collection.fallback_name, {d: d for d in decks}
    name = "::".join(parts[0][:common])
    # notes in the top deck itself need a section too: it is named like the deck
    return name, {d: "::".join(p[common:]) or p[common - 1] for d, p in zip(decks, parts)}


def _write(collection, mapped, name, titles, staging: Path, report: Report) -> None:
    cards_dir, assets_dir = staging / "cards", staging / "assets"
    cards_dir.mkdir()
    assets_dir.mkdir()
    deck_id = slug(name, 40)
    (cards_dir / "deck.yaml").write_text(cardfile.deck_file(
        {"id": deck_id, "name": name, "title": name.split("::")[-1], "stem": deck_id}),
        encoding="utf-8")
    by_section: dict[str, list[Mapped]] = {title: [] for title in dict.fromkeys(titles.values())}
    for item in mapped:
        if item.kind:
            by_section[titles[item.note.deck or collection.fallback_name]].append(item)
        else:
            report.lossy.extend(f"{item.note.where}: {what}" for what in item.lossy)
    ids: Counter = Counter()
    assets: dict[str, str] = {}  # package media name -> assets/ file name
    width = len(str(len(by_section) * 10))
    for number, (title, items) in enumerate(by_section.items(), 1):
        file_name = f"{number * 10:0{width}d}-{slug(title, 40)}.yaml"
        cards = []
        for item in items:
            base = slug(item.question)
            ids[base] += 1
            card = {"id": base if ids[base] == 1 else f"{base}-{ids[base]}"}
            if item.note.guid:
                card["guid"] = item.note.guid
            card.update(item.card)
            image = _image(item, collection, assets, assets_dir)
            if image:
                card["image"] = image
            cards.append(card)
            report.kinds[item.kind] += 1
        text, starts = cardfile.section_file(title, cards)
        (cards_dir / file_name).write_text(text, encoding="utf-8")
        for item, line in zip(items, starts):
            report.lossy.extend(f"{item.note.where}: {what} -> cards/{file_name}:{line}"
                                for what in dict.fromkeys(item.lossy))
    report.images = len(assets)
    report.sections = len(by_section)


def _image(item: Mapped, collection: Collection, assets: dict, assets_dir: Path) -> str | None:
    """The note's first image, copied to assets/ under a safe, unique name."""
    chosen = None
    for index, source in enumerate(item.images):
        if chosen is not None:
            item.lossy.append(f"image {source!r} dropped (a card holds one image)")
            continue
        suffix = PurePosixPath(source).suffix.lower()
        if suffix not in _IMAGE_SUFFIXES:
            item.lossy.append(f"image {source!r} dropped (only PNG, JPEG and GIF print)")
            continue
        if source not in assets:
            data = collection.media(source)
            if data is None:
                item.lossy.append(f"image {source!r} is not in the file; dropped")
                continue
            stem = slug(PurePosixPath(source).stem, 40) or "image"
            taken = set(assets.values())
            name, n = f"{stem}{suffix}", 1
            while name in taken:
                n += 1
                name = f"{stem}-{n}{suffix}"
            (assets_dir / name).write_bytes(data)
            assets[source] = name
        chosen = assets[source]
        if item.kind in ("basic", "term") and index == 0 and _on_front(item, source):
            item.lossy.append("the image on the question side shows with the answer")
    return chosen


def _on_front(item: Mapped, source: str) -> bool:
    nt, fields = item.note.notetype, item.note.fields
    return bool(fields) and source in fields[0] and not nt.cloze


def _replace(staging: Path, folder: Path) -> None:
    """Put the staged folder in place of `folder` (empty, missing, or replaced with --force)."""
    os.chmod(staging, 0o755)  # mkdtemp's folder is private
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
        os.replace(folder, old / "previous")
    try:
        os.replace(staging, folder)
    except OSError:
        if old is not None:
            os.replace(old / "previous", folder)
        raise
    finally:
        if old is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(old)
