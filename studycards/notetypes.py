"""The Anki note types: one per card kind, with fixed ids, field names and template names.

Anki knows a note type by its id and by the names of its fields and templates. Change the
CSS or the template HTML freely (the writer makes the note type newer so Anki takes it on
re-import); never rename a field or template or change an id: that is a new note type
(see README, "Changing a note type").
"""
from __future__ import annotations

from dataclasses import dataclass

import genanki

from .. import highlight

CSS = """\
.card {
  font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif;
  font-size: 20px;
  line-height: 1.45;
  color: #1d2330;
  background: #fdfdfb;
  text-align: start;  /* right-to-left fields (dir="auto") start on the right */
  padding: 0 4px;
}
.sc { max-width: 38em; margin: 0 auto; }
.sc .section {
  font-size: 0.65em; letter-spacing: 0.04em; text-transform: uppercase;
  color: #6b7280; margin-bottom: 0.8em;
}
.sc .prompt { font-size: 0.8em; color: #4b5563; margin-bottom: 0.3em; }
.sc .question { font-weight: 600; }
.sc .text { font-weight: 400; }
.sc .choices { margin-top: 0.6em; font-size: 0.8em; color: #4b5563; }
.sc hr#answer { border: 0; border-top: 1px solid #d1d5db; margin: 0.9em 0; }
.sc .answer { font-size: 1em; }
.sc .explain {
  margin-top: 1em; padding: 0.6em 0.8em; font-size: 0.8em;
  border-left: 3px solid #9ca3af; background: #f3f4f6; color: #374151;
}
.sc .image { margin-top: 1em; text-align: center; }
.sc .image img { max-width: 100%; height: auto; }
.sc ul, .sc ol { margin: 0.3em 0; padding-inline-start: 1.3em; }
.sc code {
  font-family: "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace;
  font-size: 0.9em; background: #eef0f3; padding: 0 0.2em; border-radius: 3px;
}
.sc pre.code {
  text-align: left; white-space: pre; overflow-x: auto; max-width: 100%; box-sizing: border-box;
  margin: 0.4em 0; padding: 0.5em 0.7em; border-radius: 4px; background: #f3f4f6;
  font-size: 0.8em; line-height: 1.35; tab-size: 4;
}
.sc pre.code code { background: none; padding: 0; font-size: 1em; border-radius: 0; }
.sc table.compare { border-collapse: collapse; width: 100%; font-size: 0.8em; }
.sc table.compare th, .sc table.compare td {
  border: 1px solid #d1d5db; padding: 0.3em 0.45em; vertical-align: top; text-align: start;
}
.sc table.compare thead th { background: #eef0f3; }
.cloze { font-weight: 700; color: #1d4ed8; }
.nightMode .card, .night_mode .card, .card.nightMode, .card.night_mode {
  color: #e5e7eb; background: #1f2227;
}
.nightMode .sc .section, .night_mode .sc .section,
.nightMode .sc .prompt, .night_mode .sc .prompt,
.nightMode .sc .choices, .night_mode .sc .choices { color: #9ca3af; }
.nightMode .sc .explain, .night_mode .sc .explain {
  background: #2a2e35; color: #d1d5db; border-left-color: #6b7280;
}
.nightMode .sc code, .night_mode .sc code,
.nightMode .sc table.compare thead th, .night_mode .sc table.compare thead th { background: #2f343c; }
.nightMode .sc table.compare th, .night_mode .sc table.compare th,
.nightMode .sc table.compare td, .night_mode .sc table.compare td { border-color: #4b5563; }
.nightMode .cloze, .night_mode .cloze { color: #93c5fd; }
.nightMode .sc pre.code, .night_mode .sc pre.code { background: #2a2e35; color: #e5e7eb; }
@media (max-width: 480px) { .card { font-size: 18px; } }
""" + highlight.css(".sc pre.code", (".nightMode", ".night_mode"))

_EXTRA = """\
{{#Explanation}}<div class="explain" dir="auto">{{Explanation}}</div>{{/Explanation}}
{{#Image}}<div class="image">{{Image}}</div>{{/Image}}"""


def _face(question: str) -> str:
    return f'<div class="sc"><div class="section">{{{{Section}}}}</div>{question}</div>'


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    fields: tuple[str, ...]
    templates: tuple[tuple[str, str, str], ...]  # (name, question, answer)
    cloze: bool = False

    def genanki_model(self, css: str = CSS) -> genanki.Model:
        return genanki.Model(
            self.id, self.name,
            fields=[{"name": f} for f in self.fields],
            templates=[{"name": n, "qfmt": q, "afmt": a} for n, q, a in self.templates],
            css=css,
            model_type=genanki.Model.CLOZE if self.cloze else genanki.Model.FRONT_BACK,
        )


def _pair(question: str, answer: str) -> tuple[str, str]:
    q = _face(question)
    a = ('<div class="sc"><div class="section">{{Section}}</div>'
         f'{question}<hr id="answer"><div class="answer" dir="auto">{answer}</div>\n{_EXTRA}</div>')
    return q, a


BASIC = NoteType(
    1_707_135_201_001, "studycards Basic",
    ("Front", "Back", "Explanation", "Image", "Section"),
    (("Card 1", *_pair('<div class="question" dir="auto">{{Front}}</div>', "{{Back}}")),),
)

TERM = NoteType(
    1_707_135_201_002, "studycards Term",
    ("Term", "Definition", "Explanation", "Image", "Section"),
    (
        ("Term to definition",
         *_pair('<div class="prompt">Define</div><div class="question" dir="auto">{{Term}}</div>',
                "{{Definition}}")),
        ("Definition to term",
         *_pair('<div class="prompt">Which term?</div><div class="question" dir="auto">{{Definition}}</div>',
                "{{Term}}")),
    ),
)

CLOZE = NoteType(
    1_707_135_201_003, "studycards Cloze",
    ("Text", "Explanation", "Image", "Section"),
    (("Cloze",
      _face('<div class="text" dir="auto">{{cloze:Text}}</div>'),
      '<div class="sc"><div class="section">{{Section}}</div>'
      f'<div class="text" dir="auto">{{{{cloze:Text}}}}</div>\n{_EXTRA}</div>'),),
    cloze=True,
)

GROUP = NoteType(
    1_707_135_201_004, "studycards Group",
    ("Item", "Answer", "Question", "Choices", "Explanation", "Image", "Section"),
    (("Row",
      *_pair('<div class="prompt">{{Question}}</div><div class="question" dir="auto">{{Item}}</div>'
             '<div class="choices" dir="auto">{{Choices}}</div>',
             "{{Answer}}")),),
)

ALL = (BASIC, TERM, CLOZE, GROUP)
