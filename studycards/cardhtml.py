"""A card as Anki shows it: the note fields of a card, and the question and answer HTML of each
Anki card, from the note type templates.

The Anki writer stores these fields; the preview page renders them with `render`, which does
what Anki's own template engine does for the template syntax our note types use ({{Field}},
{{#Field}}...{{/Field}}, {{^Field}}...{{/Field}}, {{cloze:Field}}, {{FrontSide}}).
tests/test_cardhtml.py proves that for every card of the shipped deck the two agree, byte for
byte, with Anki's own wrapper (its <style> element) taken off.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from typing import Callable, Iterator

from . import markup
from . import notetypes as nt
from .model import Basic, Card, Cloze, Compare, Deck, GroupItem, ListCard, Section, Term

MediaSrc = Callable[[str], str]


def _same_name(name: str) -> str:
    return name


# ---- note fields ----------------------------------------------------------------------------


def _image(card: Card, media_src: MediaSrc) -> str:
    return f'<img src="{html.escape(media_src(card.image))}">' if card.image else ""


def _compare_table(card: Compare) -> str:
    head = "".join(f"<th>{markup.to_html(s)}</th>" for s in card.subjects)
    body = "".join(
        f"<tr><th>{markup.to_html(aspect)}</th>"
        + "".join(f"<td>{markup.to_html(v)}</td>" for v in values) + "</tr>"
        for aspect, values in card.rows)
    # The box scrolls sideways on a narrow screen, so a wide table never widens the card.
    return ('<div class="tablebox"><table class="compare"><thead><tr><th></th>'
            f'{head}</tr></thead><tbody>{body}</tbody></table></div>')


def fields(section_title: str, card: Card,
           media_src: MediaSrc = _same_name) -> tuple[nt.NoteType, tuple[str, ...]]:
    """The card's note type and its fields' HTML, in the note type's field order.
    `media_src` maps an image's media name to the URL the page loads it from."""
    h = markup.to_html
    extra = (h(card.explain) if card.explain else "", _image(card, media_src), h(section_title))
    if isinstance(card, Basic):
        return nt.BASIC, (h(card.front), h(card.back)) + extra
    if isinstance(card, Compare):
        return nt.BASIC, (h(card.question), _compare_table(card)) + extra
    if isinstance(card, Term):
        return nt.TERM, (h(card.term), h(card.definition)) + extra
    if isinstance(card, Cloze):
        return nt.CLOZE, (h(card.text, cloze=True),) + extra
    if isinstance(card, ListCard):
        items = "".join("<li>{{c%d::%s}}</li>" % (i, h(item))
                        for i, item in enumerate(card.items, 1))
        return nt.CLOZE, (f'<div class="lead">{h(card.prompt)}</div><ul>{items}</ul>',) + extra
    if isinstance(card, GroupItem):
        choices = " \u00b7 ".join(h(c) for c in card.group.columns)
        return nt.GROUP, (h(card.item), h(card.answer), h(card.group.title), choices) + extra
    raise TypeError(f"no Anki note type for {type(card).__name__}")  # pragma: no cover


# ---- Anki's template syntax -----------------------------------------------------------------

_TAG = re.compile(r"\{\{(.*?)\}\}", re.S)
# Anki's own test for an empty field: only whitespace and empty <br>/<div> tags.
_EMPTY = re.compile(r"^(?:\s|</?(?:br|div) ?/?>)*$", re.I | re.S)


def field_is_empty(text: str) -> bool:
    return _EMPTY.match(text) is not None


@functools.lru_cache(maxsize=64)  # a few note type templates, rendered for every card
def _parse(template: str) -> list:
    """Template -> nested list of str (text), ("field", filters, name), ("if", negate, name,
    children). Cached: the result is only read, never changed."""
    root: list = []
    stack = [(None, root)]
    pos = 0
    for match in _TAG.finditer(template):
        stack[-1][1].append(template[pos:match.start()])
        pos = match.end()
        inner = match.group(1).strip()
        if inner[:1] in "#^":
            children: list = []
            stack[-1][1].append(("if", inner[0] == "^", inner[1:].strip(), children))
            stack.append((inner[1:].strip(), children))
        elif inner[:1] == "/":
            if len(stack) == 1 or stack[-1][0] != inner[1:].strip():
                raise ValueError(f"unbalanced {{{{{inner}}}}} in a note type template")
            stack.pop()
        else:
            *filters, name = inner.split(":")
            stack[-1][1].append(("field", tuple(f.strip() for f in filters), name.strip()))
    stack[-1][1].append(template[pos:])
    if len(stack) != 1:
        raise ValueError(f"{{{{#{stack[-1][0]}}}}} is never closed in a note type template")
    return root


def _render_nodes(nodes, values: dict[str, str], ordinal: int, question: bool,
                  out: list) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif node[0] == "if":
            _, negate, name, children = node
            if field_is_empty(values.get(name, "")) == negate:
                _render_nodes(children, values, ordinal, question, out)
        else:
            _, filters, name = node
            text = values[name]
            for filter_ in reversed(filters):
                if filter_ != "cloze":
                    raise ValueError(f"the template filter {filter_!r} is not supported")
                text = reveal_cloze(text, ordinal, question)
            out.append(text)


def render_template(template: str, values: dict[str, str], ordinal: int,
                    question: bool) -> str:
    out: list = []
    _render_nodes(_parse(template), values, ordinal, question, out)
    return "".join(out)


# ---- Anki's cloze filter --------------------------------------------------------------------

_CLOZE_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")


_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _encode_attribute(text: str) -> str:
    """As Anki's data-cloze attribute: & < > " by name, every other character below U+0100
    that is not an ASCII letter or digit as &#xHH;."""
    return "".join(_NAMED.get(ch) or (ch if ord(ch) >= 256 or (ch.isascii() and ch.isalnum())
                                      else "&#x%02X;" % ord(ch)) for ch in text)


def reveal_cloze(text: str, ordinal: int, question: bool) -> str:
    """{{cN::...}} deletions for card `ordinal` (1-based), as Anki renders them. Our fields
    never carry ::hints (a literal ':' in card text is a character reference)."""
    out: list = []
    stack: list[tuple[int, list]] = []
    pos = 0
    for match in _CLOZE_TOKEN.finditer(text):
        target = stack[-1][1] if stack else out
        target.append(text[pos:match.start()])
        pos = match.end()
        if match.group(1):
            stack.append((int(match.group(1)), []))
        elif stack:
            number, parts = stack.pop()
            inner = "".join(parts)
            if number != ordinal:
                shown = f'<span class="cloze-inactive" data-ordinal="{number}">{inner}</span>'
            elif question:
                shown = (f'<span class="cloze" data-cloze="{_encode_attribute(inner)}" '
                         f'data-ordinal="{number}">[...]</span>')
            else:
                shown = f'<span class="cloze" data-ordinal="{number}">{inner}</span>'
            (stack[-1][1] if stack else out).append(shown)
        else:
            out.append("}}")
    tail = text[pos:]
    while stack:  # an unclosed deletion stays as it was written
        number, parts = stack.pop()
        tail = "{{c%d::%s%s" % (number, "".join(parts), tail)
    out.append(tail)
    return "".join(out)


# ---- cards ----------------------------------------------------------------------------------


def render(notetype: nt.NoteType, values: tuple[str, ...], ordinal: int) -> tuple[str, str]:
    """Question and answer HTML of the note's card `ordinal` (0-based), without Anki's
    <style> wrapper."""
    named = dict(zip(notetype.fields, values))
    if notetype.cloze:
        _, qfmt, afmt = notetype.templates[0]
    else:
        _, qfmt, afmt = notetype.templates[ordinal]
    question = render_template(qfmt, named, ordinal + 1, True)
    answer = render_template(afmt, {**named, "FrontSide": question}, ordinal + 1, False)
    return question, answer


@dataclass(frozen=True)
class Face:
    """One Anki card: what the learner is asked and what they check."""

    section: Section
    card: Card
    notetype: nt.NoteType
    ordinal: int  # 0-based, Anki's card ordinal
    template: str  # the note type's template name ("Cloze" for every cloze card)
    question: str
    answer: str


def faces_of(section: Section, media_src: MediaSrc = _same_name) -> Iterator[Face]:
    """Every Anki card of one section, in deck order."""
    for card in section.cards:
        notetype, values = fields(section.title, card, media_src)
        for ordinal in range(card.prompts):
            question, answer = render(notetype, values, ordinal)
            name = notetype.templates[0 if notetype.cloze else ordinal][0]
            yield Face(section, card, notetype, ordinal, name, question, answer)


def faces(deck: Deck, media_src: MediaSrc = _same_name) -> Iterator[Face]:
    """Every Anki card of the deck, in deck order."""
    for section in deck.sections:
        yield from faces_of(section, media_src)
