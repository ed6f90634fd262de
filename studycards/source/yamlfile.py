"""Read one YAML file into plain values, remembering where every key and value stands.

Loading is safe by construction: the file is only composed into nodes (no constructor ever
runs for a tag), only the plain YAML types are turned into values, and anchors and aliases
are refused at the first reuse, so nothing expands.
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
    """A file's plain values, and where each was written.

    Positions are looked up in the composed nodes when a message or an origin needs one,
    rather than noted for every value while converting: most values are never asked for."""

    def __init__(self, value: object, root: yaml.Node, ascii_: bool = False):
        self.value = value
        self._root = root
        # Every key and text is printable ASCII (most files): nothing in it can be missing
        # from the PDF fonts.
        self.ascii = ascii_

    def locate(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """The position of the value at `path` (or of its key), else of its nearest parent."""
        node, key_node = self._root, None
        for step in path:
            found = _child(node, step)
            if found is None:
                key_node = None
                break
            key_node, node = found
        mark = (key_node if key and key_node is not None else node).start_mark
        return mark.line + 1, mark.column + 1


def _child(node, step) -> tuple | None:
    """(key node or None, value node) of `step` under `node`, as _convert reads it: the first
    of duplicate keys; merge keys and keys that are not plain words are skipped."""
    if isinstance(node, yaml.SequenceNode):
        if isinstance(step, int) and 0 <= step < len(node.value):
            return None, node.value[step]
    elif isinstance(node, yaml.MappingNode) and isinstance(step, str):
        for key_node, value_node in node.value:
            if (isinstance(key_node, yaml.ScalarNode) and key_node.value == step
                    and not (step == "<<" and key_node.tag == "tag:yaml.org,2002:merge")):
                return key_node, value_node
    return None


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
    value = _convert(file, root, 0, problems, set(), others)
    return YamlDoc(value, root, not others), problems


def _too_deep() -> str:
    return (f"values are nested more than {MAX_DEPTH} levels deep (lists in lists, "
            "mappings in mappings): a card file needs five at most")


def _text(file, value, where, problems, others):
    """A string other than printable ASCII, with its characters checked (see
    characters.py)."""
    others.append(value)
    value, message = characters.clean(value)
    if message:
        problems.append(Problem(file, *where, message))
    return value


def _convert(file, node, depth, problems, seen, others):
    # The hottest loop of loading a deck (every key and value of every card): plain ASCII
    # text is handled inline, and a position is worked out only for a problem.
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
        return [_convert(file, item, depth, problems, seen, others) for item in node.value]
    result: dict = {}
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
            first_line = _child(node, key)[0].start_mark.line + 1
            problems.append(Problem(file, *_pos(key_node.start_mark),
                                    f"duplicate key '{key}' (first at line {first_line})"))
            continue
        result[key] = _convert(file, value_node, depth, problems, seen, others)
    return result
