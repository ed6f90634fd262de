"""A teacher's deck made with the real Anki backend: every stock note type, sub-decks,
hierarchical tags, an image, MathJax, HTML with scripts and styles, cloze with hints."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions
from PIL import Image

TOP = "Teacher::French"


def png(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


# (note type, deck below TOP ("" = TOP itself), fields, tags, words that must reach paper)
NOTES = [
    ("Basic", "Verbs", {"Front": "What does <b>être</b> mean?", "Back": "<i>to be</i>"},
     ["lang::fr::verbs", "grammar"], ["être", "to be"]),
    ("Basic", "Verbs", {"Front": "Conjugate <u>avoir</u>:",
                        "Back": "<ul><li>j'ai</li><li>tu as</li><li>il a</li></ul>"},
     ["lang::fr::verbs"], ["avoir", "j'ai", "tu as", "il a"]),
    ("Basic", "Verbs", {"Front": "Danger<script>alert('x')</script><style>b{color:red}</style>"
                                 "<span onclick=\"steal()\">ous</span> text?",
                        "Back": "Safe&nbsp;&amp; sound <a href=\"https://example.com/x\">link</a>"},
     [], ["Dangerous text?", "Safe & sound link"]),
    ("Basic (and reversed card)", "Nouns", {"Front": "le chat", "Back": "the cat"},
     ["lang::fr::nouns"], ["le chat", "the cat"]),
    ("Basic (optional reversed card)", "Nouns",
     {"Front": "la maison", "Back": "the house", "Add Reverse": "y"}, [], ["la maison", "the house"]),
    ("Basic (optional reversed card)", "Nouns",
     {"Front": "le chien", "Back": "the dog", "Add Reverse": ""}, [], ["le chien", "the dog"]),
    ("Basic (type in the answer)", "", {"Front": "Say 'hello':", "Back": "bonjour"},
     ["lang::fr"], ["Say 'hello':", "bonjour"]),
    ("Cloze", "Grammar", {"Text": "The {{c1::subjonctif::mood}} follows {{c2::<b>il faut que</b>}}.",
                          "Back Extra": "See chapter 4."},
     ["lang::fr::grammar"], ["subjonctif", "il faut que", "See chapter 4."]),
    ("Cloze", "Grammar", {"Text": "Area: {{c1::\\(\\pi r^2\\)}} H<sub>2</sub>O [sound:area.mp3]",
                          "Back Extra": ""}, [], ["Area:", "H₂O"]),  # and the formula: see test_importers_apkg
    ("Basic", "Verbs", {"Front": "Which flag is this? *really* [[x]] - `y` #1: \"z\"",
                        "Back": "France<br><img src=\"flag.png\">"},
     [], ["Which flag is this? *really* [[x]] - `y` #1: \"z\"", "France"]),
]


# Note types whose notes Anki's "Merge note types" import moves onto ours in place: same field
# and template names (see the README on the others).
MERGE_CLEANLY = ("Basic", "Basic (type in the answer)", "Cloze")


def build_collection(folder: Path, only: tuple[str, ...] = ()) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    with open(Path(col.media.dir()) / "flag.png", "wb") as handle:
        handle.write(png())
    for name, deck, fields, tags, _ in NOTES:
        if only and name not in only:
            continue
        note = col.new_note(col.models.by_name(name))
        for key, value in fields.items():
            note[key] = value
        note.tags = tags
        col.add_note(note, col.decks.id(f"{TOP}::{deck}" if deck else TOP))
    if only:
        return col
    custom = col.models.copy(col.models.by_name("Basic"))
    custom["name"] = "Vocab"
    col.models.rename_field(custom, custom["flds"][0], "Word")
    col.models.rename_field(custom, custom["flds"][1], "Meaning")
    col.models.add_field(custom, col.models.new_field("Example"))
    col.models.update_dict(custom)
    note = col.new_note(col.models.by_name("Vocab"))
    note["Word"], note["Meaning"], note["Example"] = "la pomme", "the apple", "Je mange une pomme."
    col.add_note(note, col.decks.id(f"{TOP}::Nouns"))
    return col


VOCAB_WORDS = ["la pomme", "the apple", "Je mange une pomme."]


def export(col: Collection, out: Path, legacy: bool, scheduling: bool = False) -> Path:
    col.export_anki_package(
        out_path=str(out), limit=DeckIdLimit(col.decks.id(TOP)),
        options=ExportAnkiPackageOptions(with_scheduling=scheduling, with_media=True,
                                         legacy=legacy, with_deck_configs=False))
    return out


def export_text(col: Collection, out: Path) -> Path:
    col.export_note_csv(out_path=str(out), limit=DeckIdLimit(col.decks.id(TOP)), with_html=True,
                        with_tags=True, with_deck=True, with_notetype=True, with_guid=True)
    return out


def oldest_format(legacy_package: Path, out: Path) -> Path:
    """What Anki before 2.1.50 wrote: collection.anki2 (schema 11), no meta."""
    with zipfile.ZipFile(legacy_package) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            if name in ("meta", "collection.anki2"):
                continue
            target = "collection.anki2" if name == "collection.anki21" else name
            dst.writestr(target, src.read(name))
    return out
