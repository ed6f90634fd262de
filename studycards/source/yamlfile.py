"""Read one YAML file into plain values, remembering where every key and value stands.

Loading is safe by construction: the file is only composed into nodes (no constructor ever
runs for a tag), only the plain YAML types are turned into values, and anchors and aliases
are refused at the first reuse, so nothing expands.
"""
from __future__ import annotations

from dataclasses import dataclass

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


@dataclass
class YamlDoc:
    value: object
    where: dict  # path -> (line, col) of the value
    key_where: dict  # path -> (line, col) of the key that names it

    def locate(self, path: Path_, key: bool = False) -> tuple[int, int]:
        """The position of the value at `path` (or of its key), else of its nearest parent."""
        path = tuple(path)
        if key and path in self.key_where:
            return self.key_where[path]
        while path not in self.where:
            path = path[:-1]
        return self.where[path]


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
    doc = YamlDoc(None, {}, {})
    problems: list[Problem] = []
    doc.value = _convert(file, root, (), doc, problems, set())
    return doc, problems


def _too_deep() -> str:
    return (f"values are nested more than {MAX_DEPTH} levels deep (lists in lists, "
            "mappings in mappings): a card file needs five at most")


def _text(file, value, where, problems):
    """A string with its characters checked (see characters.py)."""
    value, message = characters.clean(value)
    if message:
        problems.append(Problem(file, *where, message))
    return value


def _convert(file, node, path, doc, problems, seen):
    # The hottest loop of loading a deck (every key and value of every card): marks and
    # plain ASCII text are handled inline rather than through _pos and _text.
    mark = node.start_mark
    where = doc.where[path] = (mark.line + 1, mark.column + 1)
    if len(path) > MAX_DEPTH:
        problems.append(Problem(file, *where, _too_deep()))
        return None
    if id(node) in seen:
        problems.append(Problem(file, *where,
                                "anchors and aliases (&name, *name) are not supported: "
                                "write the value out"))
        return None
    seen.add(id(node))
    tag = node.tag
    if tag not in _PLAIN_TAGS:
        problems.append(Problem(file, *where,
                                f"YAML tag {tag!r} is not allowed: cards hold plain text, "
                                "lists and mappings"))
        return None
    scalar = isinstance(node, yaml.ScalarNode)
    if scalar and tag == _STR:  # text is the node's own value: the constructor is for others
        value = node.value
        if value.isascii() and value.isprintable():  # what characters.clean lets through
            return value
        return _text(file, value, where, problems)
    if scalar:
        value = _SCALARS.construct_object(node)
        return _text(file, value, where, problems) if isinstance(value, str) else value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(file, item, path + (i,), doc, problems, seen)
                for i, item in enumerate(node.value)]
    result: dict = {}
    key_where = doc.key_where
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            line, col = _pos(key_node.start_mark)
            problems.append(Problem(file, line, col, "a key must be a plain word"))
            continue
        mark = key_node.start_mark
        at = (mark.line + 1, mark.column + 1)
        key = key_node.value
        if not (key.isascii() and key.isprintable()):
            key = _text(file, key, at, problems)
        if key == "<<" and key_node.tag == "tag:yaml.org,2002:merge":
            problems.append(Problem(file, *at, "merge keys (<<) are not supported"))
            continue
        if key in result:
            first_line = key_where[path + (key,)][0]
            problems.append(Problem(file, *at,
                                    f"duplicate key '{key}' (first at line {first_line})"))
            continue
        key_where[path + (key,)] = at
        result[key] = _convert(file, value_node, path + (key,), doc, problems, seen)
    return result
