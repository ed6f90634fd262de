"""One Anki note -> one card of the card format, and what did not survive the trip."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .. import markup
from ..source.schema import text_limit
from .htmltext import Field, convert
from .notes import BASIC, CLOZE, OCCLUSION, OPTIONAL, REVERSED, TYPING, ForeignNote

_QUESTION_NAMES = ("front", "question", "q", "recto", "prompt")
_ANSWER_NAMES = ("back", "answer", "a", "verso", "response")


@dataclass
class Mapped:
    note: ForeignNote
    kind: str  # basic, term or cloze; "" when the note was skipped
    card: dict  # the card's keys in file order, without id and image
    question: str = ""  # plain text, for the id
    images: list[str] = field(default_factory=list)
    lossy: list[str] = field(default_factory=list)


def map_note(note: ForeignNote) -> Mapped:
    nt = note.notetype
    fields = list(note.fields) + [""] * max(0, len(nt.fields) - len(note.fields))
    names = list(nt.fields) + [f"Field {i + 1}" for i in range(len(nt.fields), len(fields))]
    done = Mapped(note, "", {})
    if nt.kind == OCCLUSION:
        done.lossy.append("Image Occlusion note skipped (the card format cannot hold its masks)")
        return done

    def conv(index: int, cloze: bool = False) -> Field:
        result = convert(fields[index], html=note.html, cloze=cloze)
        done.images.extend(result.images)
        done.lossy.extend(f"{names[index]}: {item}" for item in result.lossy)
        return result

    def extra(used: set[int], label: bool = True) -> str:
        parts = []
        for index in range(len(fields)):
            if index in used or not fields[index].strip():
                continue
            text = conv(index).text
            if text:
                parts.append(text)
                if label:
                    done.lossy.append(f"field {names[index]!r} kept as the explanation")
        return "\n\n".join(parts)

    if nt.cloze or nt.kind == CLOZE:
        text_index = next((i for i, f in enumerate(fields) if "{{c" in f), 0)
        text = conv(text_index, cloze=True)
        if not text.cloze_numbers:
            done.lossy.append("cloze note without a deletion skipped")
            return done
        for hint in text.hints:
            done.lossy.append(f"cloze hint {hint!r} dropped (the card format has no hints)")
        expected = list(range(1, len(text.cloze_numbers) + 1))
        if text.cloze_numbers != expected:
            shown = ", ".join(f"c{n}" for n in text.cloze_numbers)
            done.lossy.append(f"cloze numbers {shown} become deletions 1 to {len(expected)}, "
                              "one card each, in text order")
        card = {"cloze": text.text}
        explanation = extra({text_index}, label=nt.kind != CLOZE)
        return _finish(done, "cloze", card, explanation, text.text, cloze=True)

    front, back, used = 0, 1, {0, 1}
    kind = "basic"
    if nt.kind in (REVERSED,):
        kind = "term"
    elif nt.kind == OPTIONAL:
        kind = "term" if len(fields) > 2 and fields[2].strip() else "basic"
        used.add(2)
    elif nt.kind not in (BASIC, TYPING):
        lowered = [n.lower() for n in names]
        q = next((i for i, n in enumerate(lowered) if n in _QUESTION_NAMES), None)
        a = next((i for i, n in enumerate(lowered) if n in _ANSWER_NAMES), None)
        if q is not None and a is not None and q != a:
            front, back, used = q, a, {q, a}
        else:
            return _first_and_rest(done, fields, names, conv)
    question, answer = conv(front), conv(back)
    card = ({"front": question.text, "back": answer.text} if kind == "basic"
            else {"term": question.text, "definition": answer.text})
    return _finish(done, kind, card, extra(used), question.text)


def _first_and_rest(done: Mapped, fields, names, conv) -> Mapped:
    """A note type whose fields say nothing: the first field asks, the others answer."""
    question = conv(0)
    answers = [conv(i).text for i in range(1, len(fields)) if fields[i].strip()]
    done.lossy.append(f"note type {done.note.notetype.name!r}: first field as the question, "
                      "the other fields as the answer")
    card = {"front": question.text, "back": "\n\n".join(a for a in answers if a)}
    return _finish(done, "basic", card, "", question.text)


def _finish(done: Mapped, kind: str, card: dict, explanation: str, question: str,
            cloze: bool = False) -> Mapped:
    first, second = list(card)[0], (list(card)[1] if len(card) > 1 else None)
    if not card[first].strip():
        if done.images:
            card[first] = "(image)"
            done.lossy.append("the question is only an image: written as '(image)', "
                              "the image shows with the answer")
        else:
            done.lossy.append("empty question: note skipped")
            return done
    if second and not card[second].strip():
        if done.images:  # the image is the answer, and shows with it
            card[second] = "(image)"
        else:
            card[second] = "(empty)"
            done.lossy.append("empty answer written as '(empty)'")
    if explanation:
        card["explain"] = explanation
    limit = text_limit()
    for key, value in card.items():
        if isinstance(value, str) and len(value) > limit:
            done.lossy.append(f"{key!r} is {len(value)} characters long, more than a card holds "
                              f"({limit}): note skipped")
            return done
    tags = []
    for tag in done.note.tags:
        clean = clean_tag(tag)
        if clean != tag:
            done.lossy.append(f"tag {tag!r} written as {clean!r}" if clean
                              else f"tag {tag!r} dropped")
        if clean and clean not in tags:
            tags.append(clean)
    if tags:
        card["tags"] = tags
    done.kind, done.card = kind, card
    done.question = markup.to_plain(question, cloze=cloze) if question else ""
    return done


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def clean_tag(tag: str) -> str:
    """A tag as the card format allows it: letters, digits, _ . + -, levels joined by ::."""
    levels = []
    for level in tag.split("::"):
        level = re.sub(r"[^A-Za-z0-9_.+-]+", "-", _ascii(level)).strip("-")
        if level:
            levels.append(level)
    return "::".join(levels)


def slug(text: str, limit: int = 48) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", _ascii(text).lower()).split()
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > limit and out:
            break
        out = f"{out}-{word}" if out else word[:limit]
    return out or "card"
