"""The Anki note types: one per card kind, with fixed ids, field names and template names.

Anki knows a note type by its id and by the names of its fields and templates. Change the
CSS or the template HTML freely (the writer makes the note type newer so Anki takes it on
re-import); never rename a field or template or change an id: that is a new note type
(see README, "Changing a note type").
"""
from __future__ import annotations

from dataclasses import dataclass

import genanki

from . import highlight

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
.sc { max-width: 38em; margin: 0 auto; overflow-wrap: break-word; }
.sc b, .sc strong { font-weight: 700; }
/* The section: above a question only where it cannot answer it, and under every answer. */
.sc .section {
  font-size: 0.65em; letter-spacing: 0.04em; text-transform: uppercase;
  color: #5f6672; margin-bottom: 0.8em;
}
.sc .section.foot { margin: 1.2em 0 0; }
.sc .prompt { font-size: 0.8em; color: #4b5563; margin-bottom: 0.3em; }
/* Questions in regular weight, a size up: their own bold words stay bold. */
.sc .question { font-size: 1.1em; font-weight: 400; }
.sc .text { font-weight: 400; }
.sc .lead { margin-bottom: 0.2em; }
.sc .choices { margin-top: 0.6em; font-size: 0.8em; color: #4b5563; }
/* On the answer side the question is repeated small and muted; the answer stands out. */
.sc .asked { color: #4b5563; }
.sc .asked .question { font-size: 0.9em; }
.sc .asked .choices { display: none; }
.sc hr#answer { border: 0; border-top: 1px solid #858c97; margin: 0.8em 0; }
.sc .answer { font-size: 1.1em; color: #111827; }
.sc .explain {
  margin-top: 1em; padding: 0.6em 0.8em; font-size: 0.8em;
  border-left: 3px solid #9ca3af; background: #f3f4f6; color: #374151;
}
.sc .image { margin-top: 1em; text-align: center; }
.sc .image img { max-width: 100%; height: auto; }
.sc ul, .sc ol { margin: 0.3em 0; padding-inline-start: 1.3em; }
.sc li + li { margin-top: 0.35em; }
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
/* Wide tables scroll inside their own box, never widening the card; the aspect column
   stays in view while scrolling. */
.sc .tablebox { max-width: 100%; overflow-x: auto; -webkit-overflow-scrolling: touch; }
.sc table.compare { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 0.8em; }
.sc table.compare th, .sc table.compare td {
  border: 0 solid #b6bcc6; border-width: 0 1px 1px 0; padding: 0.3em 0.45em;
  vertical-align: top; text-align: start; min-width: 6.5em;
}
.sc table.compare tr > :first-child { border-left-width: 1px; }
.sc table.compare thead th { border-top-width: 1px; background: #eef0f3; }
.sc table.compare tbody th { position: sticky; left: 0; background: #f6f7f8; min-width: 5em; }
.cloze { font-weight: 700; color: #1d4ed8; }
.nightMode .card, .night_mode .card, .card.nightMode, .card.night_mode {
  color: #e5e7eb; background: #1f2227;
}
.nightMode .sc .section, .night_mode .sc .section,
.nightMode .sc .prompt, .night_mode .sc .prompt,
.nightMode .sc .asked, .night_mode .sc .asked,
.nightMode .sc .choices, .night_mode .sc .choices { color: #a9b0bb; }
.nightMode .sc .answer, .night_mode .sc .answer { color: #f3f4f6; }
.nightMode .sc hr#answer, .night_mode .sc hr#answer { border-top-color: #6f7784; }
.nightMode .sc .explain, .night_mode .sc .explain {
  background: #2a2e35; color: #d1d5db; border-left-color: #6b7280;
}
.nightMode .sc code, .night_mode .sc code,
.nightMode .sc table.compare thead th, .night_mode .sc table.compare thead th { background: #2f343c; }
.nightMode .sc table.compare tbody th, .night_mode .sc table.compare tbody th { background: #262a30; }
.nightMode .sc table.compare th, .night_mode .sc table.compare th,
.nightMode .sc table.compare td, .night_mode .sc table.compare td { border-color: #4b5563; }
.nightMode .sc .image img, .night_mode .sc .image img { filter: brightness(0.85); }
.nightMode .cloze, .night_mode .cloze { color: #93c5fd; }
.nightMode .sc pre.code, .night_mode .sc pre.code { background: #2a2e35; color: #e5e7eb; }
@media (max-width: 480px) {
  .card { font-size: 18px; }
  .sc table.compare { font-size: 0.75em; }
}
""" + highlight.css(".sc pre.code", (".nightMode", ".night_mode"))

_EXTRA = """\
{{#Explanation}}<div class="explain" dir="auto">{{Explanation}}</div>{{/Explanation}}
{{#Image}}<div class="image">{{Image}}</div>{{/Image}}"""

_SECTION = '<div class="section">{{Section}}</div>'
_SECTION_FOOT = '<div class="section foot">{{Section}}</div>'


def _face(question: str, section: bool = False) -> str:
    """A question side. `section`: show the section above it, for questions it cannot answer
    (the name of a section is often the answer of a card in it)."""
    return f'<div class="sc">{_SECTION if section else ""}{question}</div>'


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


def _pair(question: str, answer: str, section: bool = False) -> tuple[str, str]:
    q = _face(question, section)
    a = (f'<div class="sc"><div class="asked">{question}</div>'
         f'<hr id="answer"><div class="answer" dir="auto">{answer}</div>\n{_EXTRA}\n{_SECTION_FOOT}</div>')
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
                "{{Definition}}", section=True)),
        ("Definition to term",
         *_pair('<div class="prompt">Which term?</div>'
                '<div class="question" dir="auto">{{Definition}}</div>',
                "{{Term}}")),
    ),
)

CLOZE = NoteType(
    1_707_135_201_003, "studycards Cloze",
    ("Text", "Explanation", "Image", "Section"),
    (("Cloze",
      _face('<div class="text" dir="auto">{{cloze:Text}}</div>'),
      f'<div class="sc"><div class="text" dir="auto">{{{{cloze:Text}}}}</div>\n{_EXTRA}\n'
      f'{_SECTION_FOOT}</div>'),),
    cloze=True,
)

GROUP = NoteType(
    1_707_135_201_004, "studycards Group",
    ("Item", "Answer", "Question", "Choices", "Explanation", "Image", "Section"),
    (("Row",
      *_pair('<div class="prompt">{{Question}}</div>'
             '<div class="question" dir="auto">{{Item}}</div>'
             '<div class="choices" dir="auto">{{Choices}}</div>',
             "{{Answer}}")),),
)

ALL = (BASIC, TERM, CLOZE, GROUP)
