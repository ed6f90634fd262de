"""Validate a parsed file against cards.schema.json and word every error for a person."""
from __future__ import annotations

import difflib
import functools
import json
import re
from importlib import resources

from .errors import Problem
from .yamlfile import YamlDoc

KINDS = ("front", "term", "cloze", "list", "group", "compare")

_TYPE_NAMES = {
    "string": "text", "array": "a list", "object": "a mapping of keys",
    "integer": "a whole number", "number": "a number", "boolean": "true or false",
}


def _yaml_type(value) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@functools.cache
def schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("cards.schema.json").read_text("utf-8"))


def text_limit() -> int:
    """The most characters a text field may hold (the schema's own figure)."""
    return schema()["$defs"]["text"]["maxLength"]


def _anchored(pattern: str) -> str:
    r"""A pattern's final `$` as the true end of the text. JSON Schema means ECMAScript
    regular expressions, where `$` is the end; jsonschema runs them with Python's re.search,
    where `$` also matches before a final newline, so "adv\n" would pass as an id. Editors
    read the file as written (ECMAScript has no \Z)."""
    return pattern[:-1] + r"\Z" if pattern.endswith("$") and not pattern.endswith("\\$") \
        else pattern


def _inline(node, defs: dict):
    """The schema with every local $ref replaced by its target. The schema has no cycles,
    and validating a 10,000-card deck spends a third of its time resolving references."""
    if isinstance(node, dict):
        out = {k: (_anchored(v) if k == "pattern" and isinstance(v, str) else _inline(v, defs))
               for k, v in node.items() if k != "$ref"}
        if "$ref" in node:
            target = _inline(defs[node["$ref"].rsplit("/", 1)[1]], defs)
            out = {**target, **out}
        return out
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node


@functools.cache
def _validator(definition: str):
    import jsonschema  # only for a file with a problem: it is a tenth of a second to import

    defs = schema()["$defs"]
    return jsonschema.Draft202012Validator(_inline(defs[definition], defs))


# ---- a quick yes/no check compiled from the same schema ------------------------------------
# jsonschema walks the schema for every value (half the time of loading a large deck); most
# files are valid. The schema is compiled once into nested closures that only answer "surely
# valid". Anything else, and any keyword they do not know, goes to jsonschema, which words
# the problems; so the schema file stays the only definition of the format.

_ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "examples", "default",
                "deprecated", "readOnly", "writeOnly", "$defs", "markdownDescription"}
_TYPES = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}


class _Unknown(Exception):
    """A keyword the quick check does not implement: use jsonschema for everything."""


def _compile(node):
    """A function value -> True if `value` surely matches the schema `node`."""
    if node is True or node == {}:
        return lambda value: True
    if node is False:
        return lambda value: False
    string = _string(node)
    if string is not None:
        return string
    checks = []
    for key, rule in node.items():
        if key in _ANNOTATIONS or key in ("then", "else"):
            continue
        if key == "type":
            tests = [_TYPES[t] for t in ([rule] if isinstance(rule, str) else rule)]
            checks.append(tests[0] if len(tests) == 1 else
                          lambda v, tests=tests: any(t(v) for t in tests))
        elif key == "minLength":
            checks.append(lambda v, n=rule: not isinstance(v, str) or len(v) >= n)
        elif key == "maxLength":
            checks.append(lambda v, n=rule: not isinstance(v, str) or len(v) <= n)
        elif key == "maxItems":
            checks.append(lambda v, n=rule: not isinstance(v, list) or len(v) <= n)
        elif key == "maxProperties":
            checks.append(lambda v, n=rule: not isinstance(v, dict) or len(v) <= n)
        elif key in ("const", "enum") and any(
                isinstance(x, (dict, list)) for x in (rule if key == "enum" else [rule])):
            raise _Unknown(key)  # equality of containers is jsonschema's to judge
        elif key == "const":
            checks.append(lambda v, c=rule: type(v) is type(c) and v == c)
        elif key == "anyOf":
            options = [_compile(sub) for sub in rule]
            checks.append(lambda v, options=options: any(o(v) for o in options))
        elif key == "allOf":
            checks.extend(_compile(sub) for sub in rule)
        elif key == "pattern":
            search = re.compile(rule).search
            checks.append(lambda v, search=search: not isinstance(v, str) or bool(search(v)))
        elif key == "enum":
            checks.append(lambda v, allowed=rule: any(
                type(v) is type(a) and v == a for a in allowed))
        elif key == "minItems":
            checks.append(lambda v, n=rule: not isinstance(v, list) or len(v) >= n)
        elif key == "uniqueItems":
            if rule:  # surely unique only for text; anything else goes to jsonschema
                checks.append(lambda v: not isinstance(v, list) or (
                    all(isinstance(x, str) for x in v) and len(set(v)) == len(v)))
        elif key == "items":
            each = _compile(rule)
            checks.append(_items(each))
        elif key == "minProperties":
            checks.append(lambda v, n=rule: not isinstance(v, dict) or len(v) >= n)
        elif key == "required":
            checks.append(lambda v, keys=frozenset(rule): not isinstance(v, dict)
                          or v.keys() >= keys)
        elif key == "dependentRequired":
            checks.append(_dependent({k: frozenset(needs) for k, needs in rule.items()}))
        elif key == "propertyNames":
            name = _compile(rule)
            checks.append(lambda v, name=name: not isinstance(v, dict)
                          or all(name(k) for k in v))
        elif key == "properties" or key == "additionalProperties":
            if key == "additionalProperties" and "properties" in node:
                continue  # checked together with "properties" below
            checks.append(_properties({k: _compile(sub)
                                       for k, sub in node.get("properties", {}).items()},
                                      _compile(node.get("additionalProperties", True))))
        elif key == "oneOf" and all(set(sub) == {"required"} for sub in rule):
            # the card kinds: exactly one of these sets of keys
            checks.append(_one_kind(tuple(frozenset(sub["required"]) for sub in rule)))
        elif key == "oneOf":
            options = [_compile(sub) for sub in rule]
            checks.append(_one_of(options))
        elif key == "if":
            test = _compile(rule)
            then, else_ = _compile(node.get("then", True)), _compile(node.get("else", True))
            checks.append(lambda v, test=test, then=then, else_=else_:
                          then(v) if test(v) else else_(v))
        else:
            raise _Unknown(key)
    return _every(checks)


# The combinators below are loops in one function, not nested lambdas: each check of the
# ten thousand cards of a large deck costs a call fewer per keyword.

def _every(checks: list):
    if len(checks) == 1:
        return checks[0]
    checks = tuple(checks)

    def check(value) -> bool:
        for test in checks:
            if not test(value):
                return False
        return True
    return check


def _properties(known: dict, extra):
    def check(value) -> bool:
        if isinstance(value, dict):
            for key, item in value.items():
                if not (known[key] if key in known else extra)(item):
                    return False
        return True
    return check


def _items(each):
    def check(value) -> bool:
        if isinstance(value, list):
            for item in value:
                if not each(item):
                    return False
        return True
    return check


def _dependent(needs: dict):
    def check(value) -> bool:
        if isinstance(value, dict):
            for key, keys in needs.items():
                if key in value and not value.keys() >= keys:
                    return False
        return True
    return check


def _one_kind(kinds: tuple):
    def check(value) -> bool:
        if not isinstance(value, dict):
            return True
        keys, found = value.keys(), 0
        for kind in kinds:
            if keys >= kind:
                found += 1
        return found == 1
    return check


def _one_of(options: list):
    def check(value) -> bool:
        found = 0
        for option in options:
            if option(value):
                found += 1
                if found > 1:
                    return False
        return found == 1
    return check


_STRING_KEYS = {"type", "minLength", "maxLength", "pattern"}


def _string(node: dict):
    """A text rule (type, lengths, pattern: every text field of a card) as one test, or None
    for any other node."""
    if node.get("type") != "string" or not _STRING_KEYS.issuperset(
            k for k in node if k not in _ANNOTATIONS):
        return None
    low, high = node.get("minLength", 0), node.get("maxLength", float("inf"))
    search = re.compile(node["pattern"]).search if "pattern" in node else None
    return lambda v: (isinstance(v, str) and low <= len(v) <= high
                      and (search is None or search(v) is not None))


@functools.cache
def _quick(definition: str):
    """The compiled check of a definition, or None if the schema uses what it cannot do."""
    defs = schema()["$defs"]
    try:
        return _compile(_inline(defs[definition], defs))
    except (_Unknown, KeyError, TypeError, re.error):
        return None


def _name(path) -> str:
    keys = [p for p in path if isinstance(p, str)]
    return f"'{keys[-1]}'" if keys else "the file"


def validate(file: str, doc: YamlDoc, definition: str) -> tuple[list[Problem], set]:
    """Problems in the file, and the paths that have one (their checks stop there)."""
    problems: list[Problem] = []
    bad_paths: set = set()
    quick = _quick(definition)
    if quick is not None and quick(doc.value):
        return problems, bad_paths
    for error in _validator(definition).iter_errors(doc.value):
        path = tuple(error.absolute_path)
        for key_path, message in _messages(error, path):
            # an unknown key is pointed at itself; anything else at its value
            line, col = doc.locate(key_path, key=error.validator == "additionalProperties")
            problems.append(Problem(file, line, col, message))
            bad_paths.add(path)
    return problems, bad_paths


def _messages(error, path):
    """Yield (path to point at, message) for one jsonschema error."""
    v, value, rule = error.validator, error.instance, error.validator_value
    what = _name(path)
    if v in ("oneOf", "required", "dependentRequired", "additionalProperties") \
            and not isinstance(value, dict):
        return  # not a mapping at all: its "type" error says so
    if v == "type":
        expected = rule if isinstance(rule, str) else rule[0]
        if value is None or value == "":
            yield path, f"{what} is empty"
            return
        hint = ""
        if expected == "string" and isinstance(value, (bool, int, float)):
            hint = ' (put text in quotes: "yes", "1.0")'
        if not path:
            yield path, (f"the file must be {_TYPE_NAMES[expected]} "
                         f"(like 'section:' and 'cards:'), not {_yaml_type(value)}")
            return
        yield path, f"{what} must be {_TYPE_NAMES.get(expected, expected)}, not {_yaml_type(value)}{hint}"
    elif v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for key in value:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
            yield path + (key,), f"unknown key '{key}'{hint}"
    elif v == "required":
        for key in rule:
            if key not in value:
                yield path, f"missing required key '{key}'"
    elif v == "dependentRequired":
        for key, needs in rule.items():
            if key in value:
                for need in needs:
                    if need not in value:
                        yield path, f"a card with '{key}' needs '{need}' too"
    elif v == "oneOf":  # the card kinds
        present = [k for k in KINDS if k in value]
        if present:
            yield path, ("a card is one kind only, but this one has "
                         + " and ".join(f"'{k}'" for k in present))
        else:
            keys = ", ".join(f"'{k}'" for k in KINDS)
            yield path, f"a card needs one of {keys} (front+back, term+definition, ...)"
    elif v in ("minLength",):
        yield path, f"{what} is empty"
    elif v == "maxLength":
        yield path, f"{what} is {len(value)} characters long; at most {rule} are allowed"
    elif v == "maxItems":
        yield path, (f"{what} has {len(value)} entries; at most {rule} fit side by side "
                     "on a printed page")
    elif v == "pattern":
        yield path, _pattern_message(path, value)
    elif v == "minItems":
        yield path, (f"{what} is empty" if not value
                     else f"{what} needs at least {rule} entries")
    elif v == "minProperties":
        yield path, f"{what} is empty"
    elif v == "uniqueItems":
        yield path, f"{what} lists the same entry twice"
    elif v == "propertyNames":
        yield path, f"{what}: names must be lowercase words joined by '-'"
    else:
        yield path, f"{what}: {error.message}"


def _pattern_message(path, value: str) -> str:
    key = next((p for p in reversed(path) if isinstance(p, str)), "")
    several_lines = "\n" in value and bool(value.strip())
    value = value.replace("\n", "\\n")  # "adv\n": one line, and the newline is seen
    if key in ("id", "stem", "group"):
        return (f"bad {key} '{value}': use lowercase letters, digits and single '-' "
                "(like 'kms-vs-cloudhsm')")
    if key == "tags":
        return (f"bad tag '{value}': a tag is one word (letters, digits, '_', '.', '+', '-') "
                "with '::' for hierarchy; no spaces")
    if key == "image":
        return f"image '{value}' must be a .png, .jpg or .gif file"
    if several_lines:
        return f"{_name(path)} must be one line, not '{value}'"
    return f"{_name(path)} is empty"
