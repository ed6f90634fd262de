"""Just enough of the protobuf wire format for the three small messages an Anki package holds.

Anki writes its package metadata, media list and note type settings as protobuf messages.
Their .proto files are Anki's own and not shipped anywhere we can import; what we need of
them is a handful of numbered scalar fields, which the wire format spells out plainly:
each field is a varint key (number << 3 | wire type) followed by a varint, a length-prefixed
run of bytes, or a fixed 4 or 8 bytes.
"""
from __future__ import annotations


class WireError(ValueError):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise WireError("truncated or malformed varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """Every (field number, value) of one message, in order: ints for varints, else bytes."""
    out = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise WireError("truncated field")
            value, pos = data[pos:pos + length], pos + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            if pos + size > len(data):
                raise WireError("truncated field")
            value, pos = data[pos:pos + size], pos + size
        else:
            raise WireError(f"unsupported wire type {wire}")
        out.append((number, value))
    return out


def first(data: bytes, number: int, default=None):
    for found, value in fields(data):
        if found == number:
            return value
    return default
