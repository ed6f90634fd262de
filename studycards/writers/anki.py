"""The Anki writer: Deck -> .apkg that re-imports safely over a learner's collection.

What keeps a learner's reviews safe:
- a note's GUID comes from the deck namespace and the card id only, so edits update in place;
- a note's modification time changes only when its content does, and then moves forward, so
  Anki's default import ("update if newer") takes edits and skips everything else;
- note types keep fixed ids and names; their own modification time follows their styling.
The previous build's stamps (content digest, modification time, note id) come in as `previous`
and the new ones are returned, for the caller to keep beside the output.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import sqlite3
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Iterator, NamedTuple

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from .. import cardhtml, collector, markup
from ..model import Card, Deck
from .. import notetypes as nt

SUFFIX = ".apkg"


class Note(NamedTuple):
    """One Anki note. A named tuple rather than a frozen dataclass: a large deck makes one
    per card, and a tuple is made several times faster."""

    guid: str
    notetype: nt.NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck_name: str
    prompts: int  # the card's questions: one Anki card each, ordinals 0..prompts-1

    @property
    def card_ords(self) -> tuple[int, ...]:
        return tuple(range(self.prompts))

    def digest(self) -> str:
        payload = "\x1e".join((str(self.notetype.id), self.deck_name, " ".join(self.tags))
                              + self.fields)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


_BASE91 = genanki.util.BASE91_TABLE
# Two base-91 digits at a time: half the divisions.
_PAIRS = [high + low for high in _BASE91 for low in _BASE91]


def guid(deck: Deck, card: Card) -> str:
    """An imported card keeps its note's GUID, so Anki updates the original note in place.
    Otherwise genanki.guid_for(namespace, id), computed with integer arithmetic rather than
    its byte loop: the same GUIDs (a test holds them equal), a third of the time of the notes."""
    if card.guid:
        return card.guid
    number = int.from_bytes(
        hashlib.sha256(f"{deck.namespace}__{card.id}".encode("utf-8")).digest()[:8], "big")
    pairs = []
    pair = 0
    while number:
        number, pair = divmod(number, 8281)
        pairs.append(_PAIRS[pair])
    text = "".join(reversed(pairs))
    return text[1:] if pair < 91 else text  # the leading pair's leading zero


def note_for(deck: Deck, section_title: str, card: Card) -> Note:
    notetype, fields = cardhtml.fields(section_title, card)
    return Note(guid(deck, card), notetype, fields, card.tags,
                f"{deck.name}::{section_title}", card.prompts)


def iter_notes(deck: Deck) -> Iterator[Note]:
    for section in deck.sections:
        for card in section.cards:
            yield note_for(deck, section.title, card)


def notes(deck: Deck) -> list[Note]:
    return list(iter_notes(deck))


def _deck_id(deck: Deck, name: str) -> int:
    digest = hashlib.sha256(f"{deck.namespace}\x1f{name}".encode()).digest()
    return 1_000_000_000_000 + int.from_bytes(digest[:6], "big") % 1_000_000_000_000


def _stamp(key: str, digest: str, previous: dict, now: int) -> int:
    """Same content: same time. New content: a time newer than any the learner has seen."""
    old = previous.get(key)
    if old and old[0] == digest:
        return old[1]
    return max(now, old[1] + 1) if old else now


_ANGLES = re.compile("([<>])")


def _sort_field(field: str) -> tuple[str, int]:
    if "<" in field or "&" in field:
        text = field.replace("<br>", " ").replace("</li>", " ")
        plain = []
        depth = 0
        # Drop our own tags, then read the entities: the card's own < and > are still
        # escaped here. Piece by piece between the angle brackets: a character loop was a
        # tenth of the deck's time.
        for part in _ANGLES.split(text):
            if part == "<":
                depth += 1
            elif part == ">" and depth:
                depth -= 1
            elif not depth:
                plain.append(part)
        sort = html.unescape("".join(plain)).strip()
    else:  # no tag, no character reference: the field is its own sort text
        sort = field.strip()
    checksum = int(hashlib.sha1(sort.encode("utf-8")).hexdigest()[:8], 16)
    return sort, checksum


def write(deck: Deck, path: Path, previous: dict | None = None, css: str = nt.CSS,
          newer_than: int = 0) -> dict:
    """Write the .apkg to `path`; return the stamps to pass as `previous` next time.

    Without `previous` (a first build, or SOURCE_DATE_EPOCH set) the package is a function of
    the deck alone: every note and note type has the build time as its modification time and
    notes are numbered from it in deck order. `newer_than`: the stamps a learner may hold are
    unknown (the state was lost) but not later than this; every stamp is made later."""
    with collector.paused():  # rows of plain values: no reference cycles to collect
        return _write(deck, path, previous, css, newer_than)


# Notes are made and stored this many at a time: a large deck's rows never all wait in memory.
CHUNK = 2000


def _write(deck: Deck, path: Path, previous: dict | None, css: str, newer_than: int) -> dict:
    previous = previous or {}
    now = max(deck.build_time, newer_than + 1 if newer_than else 0)
    prev_notes = previous.get("notes", {})
    prev_types = previous.get("notetypes", {})
    state: dict = {"notes": {}, "notetypes": {}}

    top_id = _deck_id(deck, deck.name)
    decks = {str(top_id): genanki.Deck(top_id, deck.name,
                                       markup.to_html(deck.description)).to_json()}
    deck_ids = {}
    for section in deck.sections:
        name = f"{deck.name}::{section.title}"
        deck_ids[name] = _deck_id(deck, name)
        decks[str(deck_ids[name])] = genanki.Deck(deck_ids[name], name).to_json()

    notetypes: dict[int, nt.NoteType] = {}
    used_ids = {v[2] for v in prev_notes.values()}
    next_id = now * 1000

    # Each note's cards, stored after all the notes: the file's bytes then do not depend on
    # how the notes were chunked. (note id, deck id, cards, mod, position): small and flat.
    card_plan: list[tuple[int, int, int, int, int]] = []

    def rows(chunk: list) -> list:
        nonlocal next_id
        note_rows = []
        for position, note in chunk:
            notetypes.setdefault(note.notetype.id, note.notetype)
            digest = note.digest()
            mod = _stamp(note.guid, digest, prev_notes, now)
            old = prev_notes.get(note.guid)
            if old:
                note_id = old[2]
            else:
                while next_id in used_ids:
                    next_id += 1
                note_id = next_id
                used_ids.add(note_id)
            state["notes"][note.guid] = [digest, mod, note_id]
            sort, checksum = _sort_field(note.fields[0])
            note_rows.append((note_id, note.guid, note.notetype.id, mod, -1,
                              f" {' '.join(note.tags)} " if note.tags else "",
                              "\x1f".join(note.fields), sort, checksum, 0, ""))
            card_plan.append((note_id, deck_ids[note.deck_name], note.prompts, mod, position))
        return note_rows

    # Beside the output, named like the build's other temporary files: a build that is
    # killed leaves it where the next build finds and removes it.
    with tempfile.TemporaryDirectory(prefix=f".{Path(path).name}.", suffix=".tmp",
                                     dir=Path(path).parent) as tmp:
        db_path = os.path.join(tmp, "collection.anki2")
        conn = _open_collection(db_path)
        try:
            chunk: list = []
            for position, note in enumerate(iter_notes(deck)):
                chunk.append((position, note))
                if len(chunk) == CHUNK:
                    _insert_notes(conn, rows(chunk))
                    chunk = []
            _insert_notes(conn, rows(chunk))
            # card ids only need to be unique in the package: Anki matches by note and ordinal
            conn.executemany(
                "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                ((note_id * 1000 + ord_, note_id, deck_id, ord_, mod, -1,
                  0, 0, position, 0, 0, 0, 0, 0, 0, 0, 0, "")
                 for note_id, deck_id, prompts, mod, position in card_plan
                 for ord_ in range(prompts)))
            models = {}
            for notetype in notetypes.values():
                model_json = notetype.genanki_model(css).to_json(0, top_id)
                digest = hashlib.sha256(
                    json.dumps(model_json, sort_keys=True).encode()).hexdigest()[:24]
                mod = _stamp(str(notetype.id), digest, prev_types, now)
                model_json["mod"] = mod
                models[str(notetype.id)] = model_json
                state["notetypes"][str(notetype.id)] = [digest, mod]
            conn.execute("UPDATE col SET models = ?, decks = ?",
                         (json.dumps(models, sort_keys=True), json.dumps(decks, sort_keys=True)))
            conn.execute("COMMIT")
        finally:
            conn.close()
        _write_zip(path, db_path, deck, deck.build_time)
    return state


def _open_collection(db_path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path, isolation_level=None)
    # A scratch file that is zipped and deleted: no journal to keep, nothing to sync. The
    # page size is SQLite's default, said here because the file's bytes depend on it.
    conn.execute("PRAGMA page_size = 4096")
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.executescript(APKG_SCHEMA)
    conn.executescript(APKG_COL)
    conn.execute("BEGIN")
    return conn


def _insert_notes(conn: sqlite3.Connection, note_rows: list) -> None:
    conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", note_rows)


def _zip_info(name: str, when: int) -> zipfile.ZipInfo:
    # Fixed time, mode and system: genanki's own zip carries the clock and file times.
    info = zipfile.ZipInfo(name, date_time=time.gmtime(max(when, 315_532_800))[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


def _write_zip(path: Path, db_path: str, deck: Deck, when: int) -> None:
    with zipfile.ZipFile(path, "w") as out:
        # level 1: a fifth of the time of level 6 for a package a fifth larger
        with open(db_path, "rb") as db:
            out.writestr(_zip_info("collection.anki2", when), db.read(), compresslevel=1)
        media = {str(i): item.name for i, item in enumerate(deck.media)}
        out.writestr(_zip_info("media", when), json.dumps(media, sort_keys=True))
        for i, item in enumerate(deck.media):
            out.writestr(_zip_info(str(i), when), item.data)
