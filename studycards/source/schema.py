"""Validate a parsed file against cards.schema.json and word every error for a person."""
from __future__ import annotations

import difflib
import functools
import json
from importlib import resources

import jsonschema

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
    defs = schema()["$defs"]
    return jsonschema.Draft202012Validator(_inline(defs[definition], defs))


def _name(path) -> str:
    keys = [p for p in path if isinstance(p, str)]
    return f"'{keys[-1]}'" if keys else "the file"


def validate(file: str, doc: YamlDoc, definition: str) -> tuple[list[Problem], set]:
    """Problems in the file, and the paths that have one (their checks stop there)."""
    problems: list[Problem] = []
    bad_paths: set = set()
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
    value = value.replace("\n", "\\n")  # "adv\n": one line, and the newline is seen
    if key in ("id", "stem", "group"):
        return (f"bad {key} '{value}': use lowercase letters, digits and single '-' "
                "(like 'kms-vs-cloudhsm')")
    if key == "tags":
        return (f"bad tag '{value}': a tag is one word (letters, digits, '_', '.', '+', '-') "
                "with '::' for hierarchy; no spaces")
    if key == "image":
        return f"image '{value}' must be a .png, .jpg or .gif file"
    return f"{_name(path)} is empty"
