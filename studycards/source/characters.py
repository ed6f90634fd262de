"""Which characters card text may hold, decided once for every string of every file.

YAML's escapes ("\\x1f", "\\0", "\\ud800") reach characters that no editor shows and that the
outputs cannot carry: U+001F is Anki's field separator and breaks the whole package, a lone
surrogate cannot be written as UTF-8, a bidi override turns the rest of an Anki card around.
Each class is either normalised (it has an obvious meaning) or refused with its code point:

- line breaks: CR LF, CR, U+0085, U+2028 and U+2029 become a line feed;
- a tab becomes spaces (to the next multiple of 4 columns, as Markdown counts them);
- every other C0 and C1 control character, DEL, a lone surrogate, a noncharacter and the
  explicit bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) are
  refused. The direction marks U+200E and U+200F, and zero-width joiners, stay allowed.
"""
from __future__ import annotations

import re
import unicodedata

_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
_REFUSED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}"
              for plane in range(17)) + "]")

# unicodedata has no names for control characters: these are the Unicode aliases.
_C0 = ("NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION",
       "ENQUIRY", "ACKNOWLEDGE", "BELL", "BACKSPACE", "CHARACTER TABULATION", "LINE FEED",
       "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN",
       "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE",
       "DEVICE CONTROL FOUR", "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE",
       "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
       "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE",
       "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE")


def describe(char: str) -> str:
    """'U+001F (INFORMATION SEPARATOR ONE)': how a message names a character."""
    code = ord(char)
    if code < 0x20:
        name = _C0[code]
    elif code == 0x7F:
        name = "DELETE"
    elif 0x80 <= code <= 0x9F:
        name = "a C1 control character"
    elif 0xD800 <= code <= 0xDFFF:
        name = "a lone surrogate: half of a character"
    else:
        name = unicodedata.name(char, "a noncharacter")
    return f"U+{code:04X} ({name})"


def _why(char: str) -> str:
    code = ord(char)
    if 0x202A <= code <= 0x2069:
        return "it reverses the direction of the text around it"
    if 0xD800 <= code <= 0xDFFF or code >= 0xFDD0:
        return "it is not a character that text may hold"
    if code == 0x1F:
        return "it separates the fields of an Anki note"
    return "control characters are not shown; Anki and PDF readers handle them differently"


def clean(text: str) -> tuple[str, str | None]:
    """The text normalised, and a message if it holds a refused character (else None)."""
    if text.isascii() and text.isprintable():  # most text: nothing to change or refuse
        return text, None
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = _BREAKS.sub("\n", text)
    bad = _REFUSED.search(text)
    if bad:
        return text, (f"the text holds the character {describe(bad.group())}, which cards "
                      f"cannot hold: {_why(bad.group())}. Remove it (it usually comes from "
                      "a YAML escape such as \"\\x1f\", or from pasted text)")
    if "\t" in text:
        text = "\n".join(line.expandtabs(4) for line in text.split("\n"))
    return text, None
