"""Shared helpers: small decks written to a temporary folder, and the build run in-process."""
from __future__ import annotations

import hashlib
import shutil
import textwrap
from pathlib import Path

import pytest

from browser import browser  # noqa: F401  (one headless Chromium for the whole run)
from studycards import cli

ROOT = Path(__file__).resolve().parent.parent

DECK_YAML = """\
id: demo
name: Demo::Deck
title: Demo deck
"""

SECTION_YAML = """\
section: Alpha
tags: [demo::a]
groups:
  who:
    title: Who is responsible?
    columns: [AWS, Shared, Customer]
cards:
  - id: basic-one
    front: What is <b>this</b> & {{c1::that}}?
    back: "**Bold** answer with `code`"
    explain: Because.
  - id: term-one
    term: KMS
    definition: Key Management Service
  - id: cloze-one
    cloze: AWS is responsible for security [[of]] the cloud; customers for security [[in]] it.
  - id: list-one
    list: Root-only tasks
    items: [Close the account, Change the root email]
  - id: group-one
    group: who
    item: Patching the guest OS on EC2
    answer: Customer
  - id: cmp-one
    compare: [KMS, CloudHSM]
    rows:
      Tenancy: [Multi-tenant, Single-tenant]
      Keys: [You or AWS, You only]
"""


def write_deck(root: Path, sections: dict[str, str] | None = None, deck: str | None = DECK_YAML,
               assets: dict[str, bytes] | None = None) -> Path:
    """Write cards/ (and assets/) under root; return the cards folder."""
    cards = root / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    if deck is not None:
        (cards / "deck.yaml").write_text(deck, encoding="utf-8")
    for name, text in (sections if sections is not None else {"10-alpha.yaml": SECTION_YAML}).items():
        data = text if isinstance(text, bytes) else textwrap.dedent(text).encode("utf-8")
        (cards / name).write_bytes(data)
    (root / "assets").mkdir(exist_ok=True)
    for name, data in (assets or {}).items():
        (root / "assets" / name).write_bytes(data)
    return cards


def run(root: Path, *args: str, capsys=None) -> tuple[int, str, str]:
    """Run `build.py` on root/cards into root/dist, from root as working directory."""
    code = cli.main(["--cards", str(root / "cards"), "--out", str(root / "dist"), *args])
    out, err = capsys.readouterr() if capsys else ("", "")
    return code, out, err


def tree_digest(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project folder as the working directory, so errors print as cards/..."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    return tmp_path


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """The shipped AWS deck built once into a temporary dist/."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(ROOT / "cards", root / "cards")
    shutil.copytree(ROOT / "assets", root / "assets", ignore=shutil.ignore_patterns("fonts"))
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
    try:
        assert run(root, "--quiet")[0] == 0
    finally:
        mp.undo()
    return root


def png(width: int = 4, height: int = 3, color=(200, 30, 30)) -> bytes:
    """A real PNG image of this size."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()
