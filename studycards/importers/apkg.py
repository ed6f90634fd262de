""".apkg and .colpkg: every package format Anki writes, read straight from its SQLite data.

- legacy: `collection.anki2` (or `collection.anki21`), a JSON media map `{"0": "pic.png"}`;
- current (`meta` says version 3): `collection.anki21b` compressed with zstd, a zstd-compressed
  protobuf media list, media files zstd-compressed under their index. Such a package also
  holds a `collection.anki2` whose one note asks to update Anki: that stub is never read.
Schema 11 collections keep note types and decks as JSON in `col`; schema 18 in their own tables.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import tempfile
import zipfile
import zlib
from pathlib import Path

import zstandard
from bs4 import BeautifulSoup

from ..source import display_path
from . import protowire
from .errors import ImportFailed
from .notes import Collection, ForeignNote, NoteType, note_type

_COLLECTIONS = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
_STUB = "Please update to the latest Anki version"
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, zstandard.ZstdError,
                   KeyError, ValueError)


def read(path: Path) -> Collection:
    where = display_path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise ImportFailed(f"{where}: not an Anki package (it is not a zip file)") from None
    with archive:
        try:
            version, zstd = _version(archive, where)
            name = _COLLECTIONS[version]
            if name not in archive.namelist():
                raise ImportFailed(f"{where}: no Anki collection in this package "
                                   f"({name} is missing)")
            data = archive.read(name)
            if zstd:
                data = _unzstd(data)
            media = _media_map(archive, zstd)
        except ImportFailed:
            raise
        except _ARCHIVE_ERRORS as err:
            raise ImportFailed(f"{where}: the package is damaged ({err})") from None
        notes = _read_database(data, where, stub_possible=name == "collection.anki2")
        cache = {name_: archive.read(entry) for name_, entry in media.items()
                 if _is_image(name_) and entry in archive.namelist()}

    def lookup(name_: str) -> bytes | None:
        raw = cache.get(name_)
        if raw is None:
            return None
        try:
            return _unzstd(raw) if zstd else raw
        except zstandard.ZstdError:
            return None

    return Collection(notes, Path(path).stem, lookup)


def _is_image(name: str) -> bool:
    return name.lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"))


def _unzstd(data: bytes) -> bytes:
    # Anki's frames may not record their size: decompress as a stream
    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
        return reader.read()


def _version(archive: zipfile.ZipFile, where: str) -> tuple[int, bool]:
    names = archive.namelist()
    if "meta" in names:
        try:
            version = protowire.first(archive.read("meta"), 1, 0)
        except protowire.WireError:
            version = 0
        if version not in _COLLECTIONS:
            raise ImportFailed(f"{where}: made by a newer Anki than this importer knows "
                               f"(package version {version})")
        return version, version == 3
    if "collection.anki21" in names:
        return 2, False
    if "collection.anki2" in names:
        return 1, False
    raise ImportFailed(f"{where}: no Anki collection in this package")


def _media_map(archive: zipfile.ZipFile, zstd: bool) -> dict[str, str]:
    """Media file name -> its entry in the zip."""
    if "media" not in archive.namelist():
        return {}
    raw = archive.read("media")
    if not zstd:
        listed = json.loads(raw.decode("utf-8") or "{}")
        return {str(name): str(entry) for entry, name in listed.items()}
    out = {}
    for index, (number, entry) in enumerate(
            (n, v) for n, v in protowire.fields(_unzstd(raw)) if n == 1):
        name = protowire.first(entry, 1, b"").decode("utf-8", "replace")
        zip_name = protowire.first(entry, 255, index)
        out[name] = str(zip_name)
    return out


def _read_database(data: bytes, where: str, stub_possible: bool) -> list[ForeignNote]:
    fd, tmp = tempfile.mkstemp(suffix=".anki2")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        conn = sqlite3.connect(f"file:{tmp}?mode=ro", uri=True)
        conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
        try:
            return _notes(conn, where, stub_possible)
        except sqlite3.DatabaseError as err:
            raise ImportFailed(f"{where}: the collection database is damaged ({err})") from None
        finally:
            conn.close()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _notes(conn: sqlite3.Connection, where: str, stub_possible: bool) -> list[ForeignNote]:
    tables = {row[0] for row in conn.execute("select name from sqlite_master where type='table'")}
    if "notetypes" in tables:
        types, decks = _schema18(conn)
    else:
        types, decks = _schema11(conn)
    deck_of = {}
    for nid, did in conn.execute("select nid, did from cards order by nid, ord desc"):
        deck_of[nid] = decks.get(did, "")  # the lowest ordinal's deck wins
    rows = conn.execute("select id, guid, mid, tags, flds from notes order by id").fetchall()
    if stub_possible and len(rows) == 1 and _STUB in rows[0][4]:
        raise ImportFailed(f"{where}: this package holds only the stub for old Anki versions "
                           "('Please update to the latest Anki version'); its real collection "
                           "is missing")
    notes = []
    for number, (nid, guid, mid, tags, flds) in enumerate(rows, 1):
        nt = types.get(mid) or NoteType(f"note type {mid}", ())
        fields = tuple(flds.split("\x1f"))
        snippet = " ".join(BeautifulSoup(fields[0], "html.parser").get_text().split())[:40]
        notes.append(ForeignNote(
            where=f"note {number} {snippet!r}", notetype=nt, fields=fields, guid=guid,
            tags=tuple(tags.split()), deck=deck_of.get(nid, "")))
    return notes


def _schema11(conn) -> tuple[dict, dict]:
    models_json, decks_json = conn.execute("select models, decks from col").fetchone()
    types = {}
    for model in json.loads(models_json or "{}").values():
        names = tuple(f["name"] for f in sorted(model.get("flds", []), key=lambda f: f["ord"]))
        types[int(model["id"])] = note_type(model["name"], names, model.get("originalStockKind", 0),
                                            cloze=model.get("type") == 1)
    decks = {int(d["id"]): d["name"] for d in json.loads(decks_json or "{}").values()}
    return types, decks


def _schema18(conn) -> tuple[dict, dict]:
    fields: dict[int, list[str]] = {}
    for ntid, name in conn.execute("select ntid, name from fields order by ntid, ord"):
        fields.setdefault(ntid, []).append(name)
    types = {}
    for ntid, name, config in conn.execute("select id, name, config from notetypes"):
        try:
            kind = protowire.first(config, 1, 0)
            stock = protowire.first(config, 9, 0)
        except protowire.WireError:
            kind, stock = 0, 0
        types[ntid] = note_type(name, tuple(fields.get(ntid, ())), stock, cloze=kind == 1)
    decks = {did: name.replace("\x1f", "::") for did, name in conn.execute("select id, name from decks")}
    return types, decks
