"""Read one YAML file into plain values, remembering where every key and value stands.

Loading is safe by construction: no constructor ever runs for a tag, only the plain YAML
types are turned into values, and anchors and aliases are refused at the first reuse, so
nothing expands. A file of plain values is read straight from the parser's events; any other
file (a tag, an anchor, a problem) is composed into nodes and read with every problem placed.
"""
from __future__ import annotations

import yaml

from . import characters
from .errors import Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALARS = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "seq", "map")
}

Path_ = tuple  # a path into the document: keys and list indexes

# Card files nest five levels deep (cards, a card, rows, a row, a value). Far deeper values
# are a mistake or an attack, and would exhaust Python's stack in the recursive steps below.
MAX_DEPTH = 16


class YamlDoc:
    """A file's plain values, and where each was written: `marks` holds, for each list and
    mapping of `value` (by id), the start mark of each item, or key -> (key mark, value
    mark)."""

    def __init__(self, value: object, root_mark, marks: dict, ascii_: bool = False):
        self.value = value
        self._root_mark = root_mark
        self._marks = marks
        # Every key and text is printable ASCII (most files): nothing in it can be missing
        # from the PDF fonts.
        self.ascii = ascii_

    def locate(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """The position of the value at `path` (or of its key), else of its nearest parent."""
        value, mark, key_mark = self.value, self._root_mark, None
        for step in path:
            if isinstance(value, dict) and isinstance(step, str) and step in value:
                key_mark, mark = self._marks[id(value)][step]
            elif (isinstance(value, list) and isinstance(step, int)
                  and 0 <= step < len(value)):
                key_mark, mark = None, self._marks[id(value)][step]
            else:
                key_mark = None
                break
            value = value[step]
        if key and key_mark is not None:
            mark = key_mark
        return mark.line + 1, mark.column + 1


def _pos(mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def read_yaml(file: str, data: bytes) -> tuple[YamlDoc | None, list[Problem]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return None, [Problem(file, line, col, "the file is not UTF-8 text (save it as UTF-8)")]
    if text.startswith("\ufeff"):
        text = text[1:]
    read = _read_events(text)
    if read is not None:
        return YamlDoc(*read), []
    try:
        root = yaml.compose(text, Loader=_Loader)
    except RecursionError:  # the pure-Python parser, without libyaml's own depth limit
        return None, [Problem(file, 1, 1, _too_deep())]
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = _pos(mark) if mark else (1, 1)
        message = " ".join(str(part) for part in (err.context, err.problem) if part)
        if "nesting depth" in message:  # libyaml stops at 1000 levels
            return None, [Problem(file, line, col, _too_deep())]
        return None, [Problem(file, line, col, f"YAML syntax error: {message}")]
    except yaml.YAMLError as err:  # the C loader reports some errors without a mark
        return None, [Problem(file, 1, 1, f"YAML syntax error: {err}")]
    if root is None:
        return None, [Problem(file, 1, 1, "the file is empty")]
    problems: list[Problem] = []
    others: list[str] = []
    marks: dict = {}
    value = _convert(file, root, 0, problems, set(), others, marks)
    return YamlDoc(value, root.start_mark, marks, not others), problems


def _too_deep() -> str:
    return (f"values are nested more than {MAX_DEPTH} levels deep (lists in lists, "
            "mappings in mappings): a card file needs five at most")


class _Unusual(Exception):
    """The file needs the careful reading of _convert."""


_SCALAR = yaml.ScalarEvent
_MAPPING, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE, _SEQUENCE_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent


def _read_events(text: str) -> tuple | None:
    """YamlDoc's arguments for a file of plain values and no problem, read straight from the
    parser's events: two thirds of the time of composing nodes and converting them. None for
    any other file (a problem, an anchor, a tag, a merge or repeated key, deep nesting), which
    _convert then reads and reports on."""
    loader = _Loader(text)
    try:
        return _EventReader(loader).document()
    except (_Unusual, yaml.YAMLError):
        return None
    finally:
        loader.dispose()


class _EventReader:
    def __init__(self, loader):
        self.next_event = loader.get_event
        self.resolve = loader.resolve
        self.marks: dict = {}
        self.others: list[str] = []

    def document(self) -> tuple:
        next_event = self.next_event
        if type(next_event()) is not yaml.StreamStartEvent or \
                type(next_event()) is not yaml.DocumentStartEvent:
            raise _Unusual()  # an empty file
        event = next_event()
        if type(event) is not _MAPPING:  # the schema's message about the file's shape
            raise _Unusual()
        root = self.value(event, 0)
        if type(next_event()) is not yaml.DocumentEndEvent or \
                type(next_event()) is not yaml.StreamEndEvent:
            raise _Unusual()  # a second document
        return root, event.start_mark, self.marks, not self.others

    def value(self, event, depth: int):
        kind = type(event)
        if event.anchor is not None or event.tag is not None:
            raise _Unusual()
        if kind is _SCALAR:
            value = event.value
            if event.implicit[0]:  # a plain scalar: text, or a number, true/false, null
                tag = self.resolve(yaml.ScalarNode, value, event.implicit)
                if tag != _STR:
                    if tag not in _PLAIN_TAGS:
                        raise _Unusual()
                    return _SCALARS.construct_object(
                        yaml.ScalarNode(tag, value, event.start_mark, event.end_mark))
            if value.isascii() and value.isprintable():
                return value
            return _cleaned(value, self.others)
        if depth >= MAX_DEPTH:  # its items would be too deep
            raise _Unusual()
        if kind is _MAPPING:
            return self.mapping(depth + 1)
        if kind is _SEQUENCE:
            return self.sequence(depth + 1)
        raise _Unusual()  # an alias

    def mapping(self, depth: int) -> dict:
        next_event, value = self.next_event, self.value
        result: dict = {}
        entry_marks: dict = {}
        self.marks[id(result)] = entry_marks
        while True:
            event = next_event()
            if type(event) is not _SCALAR:
                if type(event) is _MAPPING_END:
                    return result
                raise _Unusual()  # a key that is not a plain word
            if event.anchor is not None or event.tag is not None:
                raise _Unusual()
            key = event.value
            if not (key.isascii() and key.isprintable()):
                key = _cleaned(key, self.others)
            if key in result or key == "<<":
                raise _Unusual()
            key_mark = event.start_mark
            event = next_event()
            result[key] = value(event, depth)
            entry_marks[key] = (key_mark, event.start_mark)

    def sequence(self, depth: int) -> list:
        next_event, value = self.next_event, self.value
        result: list = []
        item_marks: list = []
        self.marks[id(result)] = item_marks
        while True:
            event = next_event()
            if type(event) is _SEQUENCE_END:
                return result
            result.append(value(event, depth))
            item_marks.append(event.start_mark)


def _cleaned(value: str, others: list) -> str:
    """Text other than printable ASCII, noted and normalised (see characters.py); _Unusual
    if it holds a refused character."""
    others.append(value)
    value, message = characters.clean(value)
    if message:
        raise _Unusual()
    return value


def _text(file, value, where, problems, others):
    """A string other than printable ASCII, with its characters checked (see
    characters.py)."""
    others.append(value)
    value, message = characters.clean(value)
    if message:
        problems.append(Problem(file, *where, message))
    return value


def _convert(file, node, depth, problems, seen, others, marks):
    # Files _read_events leaves: here every problem is found and placed.
    if depth > MAX_DEPTH:
        problems.append(Problem(file, *_pos(node.start_mark), _too_deep()))
        return None
    if id(node) in seen:
        problems.append(Problem(file, *_pos(node.start_mark),
                                "anchors and aliases (&name, *name) are not supported: "
                                "write the value out"))
        return None
    seen.add(id(node))
    tag = node.tag
    if tag not in _PLAIN_TAGS:
        problems.append(Problem(file, *_pos(node.start_mark),
                                f"YAML tag {tag!r} is not allowed: cards hold plain text, "
                                "lists and mappings"))
        return None
    scalar = isinstance(node, yaml.ScalarNode)
    if scalar and tag == _STR:  # text is the node's own value: the constructor is for others
        value = node.value
        if value.isascii() and value.isprintable():  # what characters.clean lets through
            return value
        return _text(file, value, _pos(node.start_mark), problems, others)
    if scalar:
        value = _SCALARS.construct_object(node)
        return _text(file, value, _pos(node.start_mark), problems, others) \
            if isinstance(value, str) else value
    depth += 1
    if isinstance(node, yaml.SequenceNode):
        items = [_convert(file, item, depth, problems, seen, others, marks)
                 for item in node.value]
        marks[id(items)] = [item.start_mark for item in node.value]
        return items
    result: dict = {}
    entry_marks: dict = {}
    marks[id(result)] = entry_marks
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(Problem(file, *_pos(key_node.start_mark), "a key must be a plain word"))
            continue
        key = key_node.value
        if not (key.isascii() and key.isprintable()):
            key = _text(file, key, _pos(key_node.start_mark), problems, others)
        if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
            problems.append(Problem(file, *_pos(key_node.start_mark),
                                    "merge keys (<<) are not supported"))
            continue
        if key in result:
            first_line = entry_marks[key][0].line + 1
            problems.append(Problem(file, *_pos(key_node.start_mark),
                                    f"duplicate key '{key}' (first at line {first_line})"))
            continue
        entry_marks[key] = (key_node.start_mark, value_node.start_mark)
        result[key] = _convert(file, value_node, depth, problems, seen, others, marks)
    return result
