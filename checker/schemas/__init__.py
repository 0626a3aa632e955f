"""The published JSON Schemas (snapshot.v1.json, plan.v1.json) and validation against them.

A violation is one line naming where it is and what is wrong. Two annotations in a schema make
that line an instruction rather than a validator's wording (plan.v1.json's source definitions):
  "title" on an object schema (not the document's) names the object: "aws source of us-west-2:
      ..." (of the `name` of the nearest enclosing object that has one), and its unknown or
      missing keys read "unknown keys a, b (expected c, d)" and "<key> is required";
  "errorMessage" on a property schema is the message for any violation of that property
      (its absence included); on an object schema, a mapping from "additionalProperties" to a
      template ({unexpected}, {first}, {expected}) for its unknown keys.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from ..errors import InputError
from .failure import JsonSchemaValueException

SUPPORTED_MAJOR = "1"
# the schema files ship inside the package (a wheel installs them as files)
_HERE = Path(__file__).parent
KINDS = ("snapshot", "plan")


@cache
def schema(kind: str) -> dict[str, Any]:
    text = (_HERE / f"{kind}.v1.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator(kind: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema(kind))


@cache
def _part(kind: str, definition: str) -> dict[str, Any]:
    """A schema for one of `kind`'s $defs alone (e.g. the plan's aws_source)."""
    whole = schema(kind)
    if definition not in whole.get("$defs", {}):
        raise KeyError(f"{kind} schema has no definition {definition!r}")
    return {
        "$schema": whole["$schema"],
        "$defs": whole["$defs"],
        "$ref": f"#/$defs/{definition}",
    }


@cache
def _part_validator(kind: str, definition: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(_part(kind, definition))


def _draft7(kind: str, definition: str | None = None) -> dict[str, Any]:
    """The schema (or one definition) as fastjsonschema compiles it: draft 7, a copy (it
    rewrites the $refs of the schema it compiles, in place)."""
    root = schema(kind) if definition is None else _part(kind, definition)
    return {**copy.deepcopy(root), "$schema": "http://json-schema.org/draft-07/schema#"}


def schema_digest(kind: str) -> str:
    """sha256 of the schema file's text: a precompiled validator records the one it was
    generated from."""
    text = (_HERE / f"{kind}.v1.json").read_bytes()
    return hashlib.sha256(text).hexdigest()


def schema_kinds() -> list[str]:
    """Every published schema: <kind>.v1.json in this package."""
    names = (p.name for p in _HERE.iterdir())
    return sorted(n.removesuffix(".v1.json") for n in names if n.endswith(".v1.json"))


def compile_source(kind: str) -> str:
    """The Python source of `kind`'s validator (scripts/generate_validators.py writes it to
    compiled/<kind>_v1.py)."""
    import fastjsonschema

    code: str = fastjsonschema.compile_to_code(_draft7(kind), use_formats=False)
    return code


@cache
def _fast(kind: str, definition: str | None = None) -> Any:
    """fastjsonschema's compiled validator: ~6x faster on 100k-binding snapshots.

    The schemas use only keywords that mean the same in draft 7, which it compiles; formats are
    checked where they are parsed (captured_at, dates). A whole schema's validator is imported
    from compiled/ (generated ahead of time, checked against the schema by a test) instead of
    compiled on every run."""
    if definition is None:
        try:
            compiled = importlib.import_module(f"{__name__}.compiled.{kind}_v1")
        except ModuleNotFoundError:
            compiled = None
        # a module generated from another version of the schema is never used
        if compiled is not None and schema_digest(kind) == compiled.SCHEMA_SHA256:
            return compiled.validate
    import fastjsonschema

    validator = fastjsonschema.compile(_draft7(kind, definition), use_formats=False)

    def validate(data: Any) -> Any:
        """The validator compiled now, raising what a precompiled one raises."""
        try:
            return validator(data)
        except fastjsonschema.JsonSchemaValueException as error:
            raise JsonSchemaValueException(
                error.message, error.value, error.name, error.definition, error.rule
            ) from None

    return validate


class SchemaError(InputError):
    """A document that does not match its schema (the most relevant violation, in one line)."""


def check_version(document: Any, origin: str, kind: str) -> str:
    if not isinstance(document, dict):
        raise InputError(f"{kind} {origin} must be a mapping at the top level")
    version = document.get("schema_version")
    if version is None:
        raise InputError(f"{kind} {origin} has no schema_version", hint='add schema_version: "1.0"')
    text = str(version)
    if text.split(".", 1)[0] != SUPPORTED_MAJOR:
        raise InputError(
            f"{kind} {origin} has schema_version {text!r}; this failback-checker reads 1.x",
        )
    return text


class _FlatRecords:
    """A fast check for arrays of flat records whose properties are all strings or string enums
    (e.g. 100k ACL bindings), built from the schema itself so the two cannot disagree. True means
    every item is valid; False sends the caller to the full validator for a precise message."""

    def __init__(self, item_schema: dict[str, Any]) -> None:
        properties: dict[str, Any] = item_schema["properties"]
        self.keys = frozenset(properties)
        self.required = frozenset(item_schema.get("required", ()))
        self.enums = {k: frozenset(p["enum"]) for k, p in properties.items() if "enum" in p}
        self.strings = tuple(k for k, p in properties.items() if p.get("type") == "string")
        flat = all(
            ("enum" in p and all(isinstance(v, str) for v in p["enum"]))
            or p.get("type") == "string"
            for p in properties.values()
        )
        self.usable = (
            flat
            and item_schema.get("additionalProperties") is False
            and item_schema.get("type") == "object"
            and set(item_schema) <= {"type", "required", "additionalProperties", "properties"}
        )

    def valid(self, items: Any, columns: dict[str, list[Any]] | None = None) -> bool:
        """Column by column, in C-level loops (map, set): each distinct key layout and each
        distinct value of a property is checked once, not once per record. `columns`, when
        every record holds every property: filled with each property's values, record by
        record (the caller's copy of the columns read here)."""
        if not isinstance(items, list):
            return False
        if not set(map(type, items)) <= {dict}:
            return False
        if set(map(len, items)) == {len(self.keys)}:  # the common case: every key present
            found: dict[str, list[Any]] = {}
            full = self._full_valid(items, found)
            if full is not None:
                if full and columns is not None:
                    columns.update(found)
                return full
        keys, required = self.keys, self.required
        for layout in set(map(tuple, items)):
            present = frozenset(layout)
            if not (present <= keys and required <= present):
                return False
        absent = _ABSENT
        for key, allowed in self.enums.items():
            try:
                values = set(map(dict.get, items, repeat(key), repeat(absent)))
            except TypeError:  # a list or dict value: not one of the (string) enum values
                return False
            values.discard(absent)
            if any(type(v) is not str for v in values) or not values <= allowed:
                return False
        for key in self.strings:
            if not set(map(type, map(dict.get, items, repeat(key), repeat("")))) <= {str}:
                return False
        return True

    def _full_valid(
        self, items: list[dict[str, Any]], columns: dict[str, list[Any]]
    ) -> bool | None:
        """`valid` for records that each hold as many keys as there are properties: one
        itemgetter pass per property into `columns` (a lacking one raises KeyError, so each
        record holds exactly the properties); None when a record lacks one (the layout check
        then decides)."""
        try:
            for key, allowed in self.enums.items():
                column = columns[key] = list(map(itemgetter(key), items))
                try:
                    values = set(column)
                except TypeError:  # a list or dict value: not one of the (string) enum values
                    return False
                if any(type(v) is not str for v in values) or not values <= allowed:
                    return False
            for key in self.strings:
                column = columns[key] = list(map(itemgetter(key), items))
                if not set(map(type, column)) <= {str}:
                    return False
        except KeyError:
            return None
        return True


_ABSENT = object()


@cache
def _flat_arrays(kind: str) -> dict[str, _FlatRecords]:
    """Top-level arrays of flat records (snapshot: acls) that get the fast path."""
    document = schema(kind)
    found = {}
    for name, prop in document.get("properties", {}).items():
        ref = prop.get("items", {}).get("$ref", "") if prop.get("type") == "array" else ""
        if ref.startswith("#/$defs/"):
            checker = _FlatRecords(document["$defs"][ref.rsplit("/", 1)[1]])
            if checker.usable:
                found[name] = checker
    return found


class _FlatMap:
    """A fast check for a map of flat records (snapshot: 50k topics) whose properties are
    bounded integers or maps of text or null, built from the schema itself. True means every
    record is valid; False leaves the map to the full validator (messages unchanged)."""

    def __init__(self, map_schema: dict[str, Any]) -> None:
        record = map_schema.get("additionalProperties")
        record = record if isinstance(record, dict) else {}
        properties: dict[str, Any] = record.get("properties", {})
        self.most = map_schema.get("maxProperties")
        self.keys = frozenset(properties)
        self.required = frozenset(record.get("required", ()))
        self.integers = {
            k: (p.get("minimum"), p.get("maximum"))
            for k, p in properties.items()
            if p.get("type") == "integer" and set(p) <= {"type", "minimum", "maximum"}
        }
        text_map = {"type": "object", "additionalProperties": {"type": ["string", "null"]}}
        self.text_maps = tuple(k for k, p in properties.items() if p == text_map)
        self.usable = (
            map_schema.get("type") == "object"
            and set(map_schema) <= {"type", "maxProperties", "additionalProperties"}
            and record.get("type") == "object"
            and record.get("additionalProperties") is False
            and set(record) <= {"type", "required", "additionalProperties", "properties"}
            and self.keys == {*self.integers, *self.text_maps}
        )

    def valid(self, value: Any) -> bool:
        if type(value) is not dict or (self.most is not None and len(value) > self.most):
            return False
        records = list(value.values())
        if not set(map(type, records)) <= {dict}:
            return False
        for layout in set(map(frozenset, records)):
            if not (layout <= self.keys and self.required <= layout):
                return False
        for key, (least, most) in self.integers.items():
            numbers = _present(records, key)
            if numbers and not (
                set(map(type, numbers)) <= {int}  # (an integral float: the full validator's)
                and (least is None or min(numbers) >= least)
                and (most is None or max(numbers) <= most)
            ):
                return False
        for key in self.text_maps:
            maps = _present(records, key)
            if not set(map(type, maps)) <= {dict}:
                return False
            if not set(map(type, chain.from_iterable(maps))) <= {str}:
                return False
            values = chain.from_iterable(map(dict.values, maps))
            if not set(map(type, values)) <= {str, type(None)}:
                return False
        return True


def _present(records: list[dict[str, Any]], key: str) -> list[Any]:
    """The values of `key` in the records that hold it."""
    return [v for v in map(dict.get, records, repeat(key), repeat(_ABSENT)) if v is not _ABSENT]


@cache
def _flat_maps(kind: str) -> dict[str, _FlatMap]:
    """Top-level maps of flat records (snapshot: topics) that get the fast path."""
    found = {}
    for name, prop in schema(kind).get("properties", {}).items():
        checker = _FlatMap(prop)
        if checker.usable:
            found[name] = checker
    return found


def _fast_valid(
    document: Any, kind: str, columns: dict[str, dict[str, list[Any]]] | None = None
) -> str | None:
    """None when valid, else fastjsonschema's message (or "" when a fast path failed).
    `columns`: filled with the columns of each top-level array of flat records whose records
    each hold every property (`_FlatRecords.valid`)."""
    rest = document
    flat = _flat_arrays(kind)
    if isinstance(document, dict) and flat.keys() & document.keys():
        for name in flat.keys() & document.keys():
            found: dict[str, list[Any]] = {}
            if not flat[name].valid(document[name], found):
                return ""
            if found and columns is not None:
                columns[name] = found
        rest = {k: ([] if k in flat else v) for k, v in document.items()}
    maps = _flat_maps(kind)
    if isinstance(rest, dict) and maps.keys() & rest.keys():
        valid = {name for name in maps.keys() & rest.keys() if maps[name].valid(rest[name])}
        rest = {k: ({} if k in valid else v) for k, v in rest.items()}
    try:
        _fast(kind)(rest)
    except JsonSchemaValueException as error:
        return str(error.message)
    return None


def validate(document: Any, origin: str, kind: str) -> None:
    """Raise InputError with the most relevant schema violation, in one line."""
    validated_columns(document, origin, kind)


def validated_columns(document: Any, origin: str, kind: str) -> dict[str, dict[str, list[Any]]]:
    """`validate`, and the columns the check read: top-level array name -> property -> its
    values record by record, for the arrays of flat records (snapshot: `acls`) whose records
    each hold every property (a reader then need not read them again)."""
    check_version(document, origin, kind)
    columns: dict[str, dict[str, list[Any]]] = {}
    fast_message = _fast_valid(document, kind, columns)
    if fast_message is None:
        return columns
    # the slower validator names the most relevant violation for the one-line message
    from jsonschema.exceptions import best_match

    for problem in problems(document, kind):  # a misspelt key says what was meant
        if problem.key is not None and "(did you mean " in problem.message:
            location = "/".join(str(p) for p in problem.path) or "(top level)"
            raise SchemaError(
                f"{kind} {origin} does not match the v1 schema at {location}: {problem.message}"
            )
    error = best_match(_validator(kind).iter_errors(document))
    if error is None:
        raise SchemaError(f"{kind} {origin} does not match the v1 schema: {fast_message}")
    location = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    message = explain(error, schema(kind), document)
    raise SchemaError(f"{kind} {origin} does not match the v1 schema at {location}: {message}")


def validate_part(value: Any, origin: str, kind: str, definition: str) -> None:
    """Validate `value` against one definition of a schema (a plan's `aws_source`, ...):
    InputError "<origin>: <message>" in one line."""
    try:
        _fast(kind, definition)(value)
    except JsonSchemaValueException as fast_error:
        from jsonschema.exceptions import best_match

        error = best_match(_part_validator(kind, definition).iter_errors(value))
        if error is None:
            raise InputError(f"{origin}: {fast_error.message}") from None
        message = explain(error, _part(kind, definition), value, subject=False)
        raise InputError(f"{origin}: {message}") from None


# -- messages ----------------------------------------------------------------------------------

# Keywords followed by a name or an index in a schema path, and whether that step enters the
# instance (a property, an item) or only the schema (a definition, a branch).
_NAMED = {"properties": 1, "patternProperties": 1, "$defs": 0, "dependentSchemas": 0}
_INDEXED = {"prefixItems": 1, "allOf": 0, "anyOf": 0, "oneOf": 0}
_INTO_INSTANCE = frozenset({"items", "additionalProperties", "contains", "additionalItems"})


def _deref(root: Mapping[str, Any], node: Any) -> Any:
    """Follow local `$ref`s ("#/$defs/x") to the schema they name."""
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _trail(root: Mapping[str, Any], path: Sequence[Any]) -> Iterator[tuple[Any, int]]:
    """The schemas a violation's schema path passes through, each with how deep into the
    instance it applies (so an object schema can be matched with the object it describes)."""
    node, depth, pending = _deref(root, root), 0, None
    yield node, depth
    for key in path:
        node = _deref(root, node)[key]
        if pending is not None:
            depth, pending = depth + pending, None
            node = _deref(root, node)
            yield node, depth
        elif key in _NAMED or key in _INDEXED:
            pending = _NAMED.get(key, _INDEXED.get(key, 0))
        else:
            depth += key in _INTO_INSTANCE
            node = _deref(root, node)
            yield node, depth


def _owner(document: Any, path: Sequence[Any]) -> str | None:
    """The `name` of the nearest object that holds the one at `path` (a plan region)."""
    for end in range(len(path) - 1, -1, -1):
        node = document
        for part in path[:end]:
            node = node[part]
        if isinstance(node, Mapping) and isinstance(node.get("name"), str):
            return str(node["name"])
    return None


def explain(error: Any, root: Mapping[str, Any], document: Any, subject: bool = True) -> str:
    """One line for a jsonschema ValidationError, shaped by the schema's annotations (without
    the titled object's name when `subject` is False: the caller's origin names it)."""
    trail = list(_trail(root, list(error.absolute_schema_path)[:-1]))
    titled = [  # the document's own title names the file format, not an object in it
        (node, depth)
        for node, depth in trail
        if isinstance(node, Mapping) and "title" in node and node is not root
    ]
    custom = [
        str(n["errorMessage"])
        for n, _ in trail
        if isinstance(n, Mapping) and isinstance(n.get("errorMessage"), str)
    ]
    message: str | None = custom[-1] if custom else None
    if message is None and titled and titled[-1][1] == trail[-1][1]:
        # a violation of the titled object itself (a key missing or unknown), in its schema
        # or a branch of it (if/then/else)
        message = _object_message(error, titled[-1][0])
    if message is None:
        text = str(error.message)
        return text if len(text) < 200 else text[:197] + "..."
    if not titled or not subject:
        return message
    title_node, depth = titled[-1]
    title = str(title_node["title"])
    owner = _owner(document, list(error.absolute_path)[:depth])
    return f"{title} of {owner}: {message}" if owner else f"{title}: {message}"


def _object_message(error: Any, node: Mapping[str, Any]) -> str | None:
    properties: Mapping[str, Any] = node.get("properties", {})
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [k for k in error.validator_value if k not in error.instance]
        if not missing:
            return None
        custom = properties.get(missing[0], {}).get("errorMessage")
        return str(custom) if isinstance(custom, str) else f"{missing[0]} is required"
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        unexpected = sorted(str(k) for k in error.instance if k not in properties)
        if not unexpected:
            return None
        expected = sorted(k for k, p in properties.items() if "const" not in p)
        templates = node.get("errorMessage", {})
        template = str(
            templates.get("additionalProperties", "unknown keys {unexpected} (expected {expected})")
        )
        return template.format(
            unexpected=", ".join(unexpected), first=unexpected[0], expected=", ".join(expected)
        )
    return None


# -- every violation at once (failback validate) -----------------------------------------------

_MAX_PROBLEMS = 200


def shown(value: Any, limit: int = 60) -> str:
    """A value as JSON text (never a Python repr), cut to `limit` characters."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "null",
}


def _readable(error: Any) -> str:
    """A violation in words, with the offending value as JSON (jsonschema's own messages show
    Python reprs: `datetime.date(2026, 11, 10) is not of type 'string'`)."""
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "type":
        types = [expected] if isinstance(expected, str) else list(expected)
        return f"{shown(value)} is not {' or '.join(_TYPE_NAMES.get(t, t) for t in types)}"
    if kind == "enum":
        return f"{shown(value)} is not one of {', '.join(shown(v) for v in expected)}"
    if kind == "const":
        return f"{shown(value)} must be {shown(expected)}"
    if kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        words = {
            "minimum": "at least",
            "exclusiveMinimum": "more than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
        }[kind]
        return f"{shown(value)} must be {words} {expected}"
    if kind == "minLength":
        return "must not be empty" if expected == 1 else f"must be at least {expected} characters"
    if kind == "minItems":
        return "must not be empty" if expected == 1 else f"must have at least {expected} items"
    if kind == "pattern":
        return f"{shown(value)} does not match the pattern {expected}"
    if kind == "required":
        missing = [k for k in expected if isinstance(value, Mapping) and k not in value]
        if len(missing) > 1:
            return f"{', '.join(missing)} are required"
        return f"{''.join(missing) or shown(expected)} is required"
    if kind == "uniqueItems":
        return "has duplicate items"
    return str(error.message)


@dataclass(frozen=True)
class Problem:
    """One schema violation: where in the document (keys and indexes), and what."""

    path: tuple[str | int, ...]
    message: str
    key: str | None = None  # an unknown key: its own position, not its object's


def _unknown_keys(error: Any) -> list[str]:
    if error.validator != "additionalProperties" or not isinstance(error.instance, Mapping):
        return []
    known = error.schema.get("properties", {})
    patterns = list(error.schema.get("patternProperties", {}))
    import re

    return sorted(
        str(k)
        for k in error.instance
        if k not in known and not any(re.search(p, k) for p in patterns)
    )


def problems(document: Any, kind: str) -> list[Problem]:
    """Every violation of `kind`'s schema (up to 200), in document order; unknown keys one by
    one with a suggestion (`topic_familes`: did you mean topic_families?), and a required key
    a misspelt one stands for not reported twice."""
    from jsonschema.exceptions import best_match

    from ..suggest import closest

    if _fast_valid(document, kind) is None:  # the common case, fast on 100k-ACL snapshots
        return []
    root = schema(kind)
    found: list[Problem] = []
    misspelt: set[tuple[tuple[Any, ...], str]] = set()  # (object path, the key meant)
    errors = sorted(
        _validator(kind).iter_errors(document), key=lambda e: list(map(str, e.absolute_path))
    )
    for error in errors:
        if error.context:  # anyOf / oneOf: the branch that came closest
            error = best_match(error.context) or error
        path = tuple(error.absolute_path)
        unknown = _unknown_keys(error)
        if unknown:
            known = [k for k in error.schema.get("properties", {})]
            for key in unknown:
                meant = closest(key, known)
                if meant is not None and meant not in error.instance:
                    misspelt.add((path, meant))
                    found.append(Problem(path, f"unknown key {key} (did you mean {meant}?)", key))
                    continue
                expected = ", ".join(sorted(known))
                found.append(Problem(path, f"unknown key {key} (expected {expected})", key))
            continue
        message = explain(error, root, document)
        if message == str(error.message):
            message = _readable(error)
        found.append(Problem(path, message))
    kept = [
        p
        for p in found
        if not (
            p.key is None
            and p.message.endswith(" is required")
            and any((p.path, p.message.split(" ", 1)[0]) == m for m in misspelt)
        )
    ]
    return kept[:_MAX_PROBLEMS]
