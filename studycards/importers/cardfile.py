"""Card files as text: YAML written scalar by scalar, so it reads and diffs well.

Multi-line text becomes a literal block (`|-`), a line that YAML would read as anything but
itself is double-quoted with escapes, the rest stays plain. Each file is read back with the
safe loader and must give exactly what was meant (ImportFailed otherwise).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ImportFailed

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVER = yaml.resolver.Resolver()
# The imported folder lives anywhere: point editors at this builder's schema by its full path.
SCHEMA = (Path(__file__).resolve().parent.parent / "source" / "cards.schema.json").as_posix()


def _printable(ch: str) -> bool:
    code = ord(ch)
    return (ch in "\t\n" or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
            or 0xE000 <= code <= 0xFFFD and code != 0xFEFF or code >= 0x10000)


def _quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif not _printable(ch) or ch in "\x85\u2028\u2029":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else
                       f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or not (text[0].isalnum() or text[0] == "("):
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\t" in text:
        return False
    if flow and any(ch in text for ch in ",[]{}"):
        return False
    if not all(_printable(ch) for ch in text) or any(ch in text for ch in "\x85\u2028\u2029\n"):
        return False
    # A plain scalar YAML would read as a bool, number, null or date is not text any more.
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"


def scalar(text: str, indent: int, flow: bool = False) -> str:
    """`text` as it follows a key (`key: ` + this); block scalars indent by `indent` spaces."""
    if "\n" in text and not flow and "\r" not in text \
            and all(_printable(ch) for ch in text) \
            and not any(ch in text for ch in "\x85\u2028\u2029") \
            and all(line == line.rstrip(" ") for line in text.split("\n")) \
            and text == text.strip("\n"):
        head = "|-" if not text.startswith((" ", "\t")) else "|2-"
        pad = " " * indent
        return head + "".join("\n" + (pad + line if line else "") for line in text.split("\n"))
    return text if _plain_ok(text, flow) else _quoted(text)


def _card_lines(card: dict) -> list[str]:
    lines = []
    first = True
    for key, value in card.items():
        lead = "  - " if first else "    "
        first = False
        if isinstance(value, list):
            lines.append(f"{lead}{key}: [" + ", ".join(scalar(v, 6, flow=True) for v in value) + "]")
        else:
            lines.append(f"{lead}{key}: {scalar(value, 6)}")
    return lines


def section_file(title: str, cards: list[dict]) -> tuple[str, list[int]]:
    """A section file's text and the line each card starts on."""
    lines = [f"# yaml-language-server: $schema={SCHEMA}", f"section: {scalar(title, 2)}", "cards:"]
    starts = []
    for card in cards:
        if starts:
            lines.append("")
        starts.append(len(lines) + 1)
        lines.extend(_card_lines(card))
    text = "\n".join(lines) + "\n"
    _check(text, {"section": title, "cards": cards})
    return text, starts


def deck_file(settings: dict) -> str:
    text = "".join(f"{key}: {scalar(value, 2)}\n" for key, value in settings.items())
    _check(text, settings)
    return text


def _check(text: str, meant: dict) -> None:
    try:
        loaded = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as err:  # pragma: no cover - a bug of ours
        raise ImportFailed(f"internal error: a written card file does not read back: {err}")
    if loaded != meant:  # pragma: no cover - a bug of ours
        raise ImportFailed("internal error: a written card file reads back differently")
