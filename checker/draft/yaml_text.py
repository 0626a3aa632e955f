"""YAML text for a drafted plan, with a `# guess: <why> — confirm` comment beside every guess.

PyYAML drops comments, so the text is written here: mappings and lists in block style, every
string double-quoted the JSON way (a JSON string is a valid YAML double-quoted scalar, so no
value can turn into a date, a number, a boolean or a second key), numbers and booleans plain.
A comment never carries a line break or a control character: whatever the data said, one
comment stays one line. Pure: text in, text out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INDENT = "  "
# keys written bare; any other key is quoted
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


@dataclass(frozen=True)
class Guess:
    """A value inferred from the snapshots, and why; a person must confirm it."""

    value: Any
    why: str


@dataclass(frozen=True)
class Commented:
    """Comment lines (no guess) written above a key, e.g. what only a person can fill in."""

    value: Any
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Placeholder:
    """A key a person must fill in, written as comment lines only (absent from the document)."""

    lines: tuple[str, ...]


def comment_text(text: str) -> str:
    """`text` as one comment line's content: control characters and line breaks become spaces
    (leading spaces, an indentation, are kept)."""
    text = _CONTROL.sub(" ", text)
    indent = len(text) - len(text.lstrip(" "))
    return " " * indent + " ".join(text.split())


def guess_comment(why: str) -> str:
    return f"# guess: {comment_text(why)} — confirm"


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=True)


def key_text(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else scalar(key)


def plain(value: Any) -> Any:
    """The document without its comments: what a YAML parser reads from `render`'s text."""
    if isinstance(value, Guess | Commented):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items() if not isinstance(v, Placeholder)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def _unwrap(value: Any) -> tuple[Any, list[str], str | None]:
    """(value, comment lines above, guess comment) of a possibly wrapped value."""
    above: list[str] = []
    guess: str | None = None
    while isinstance(value, Guess | Commented):
        if isinstance(value, Guess):
            guess = guess_comment(value.why) if guess is None else guess
        else:
            above.extend(f"# {comment_text(line)}" for line in value.lines)
        value = value.value
    return value, above, guess


def _empty(value: Any) -> str | None:
    if isinstance(value, Mapping) and not any(
        not isinstance(v, Placeholder) for v in value.values()
    ):
        return "{}"
    if isinstance(value, list | tuple) and not value:
        return "[]"
    return None


def _mapping(value: Mapping[str, Any], depth: int, out: list[str]) -> None:
    pad = INDENT * depth
    for key, item in value.items():
        if isinstance(item, Placeholder):
            out.extend(f"{pad}# {comment_text(line)}" for line in item.lines)
            continue
        inner, above, guess = _unwrap(item)
        out.extend(pad + line for line in above)
        head = f"{pad}{key_text(str(key))}:"
        empty = _empty(inner)
        if isinstance(inner, Mapping | list | tuple) and empty is None:
            if guess:
                out.append(f"{pad}{guess}")
            out.append(head)
            _block(inner, depth + 1, out)
        else:
            text = empty if empty is not None else scalar(inner)
            out.append(f"{head} {text}" + (f"  {guess}" if guess else ""))


def _sequence(value: Sequence[Any], depth: int, out: list[str]) -> None:
    pad = INDENT * depth
    for item in value:
        inner, above, guess = _unwrap(item)
        out.extend(pad + line for line in above)
        empty = _empty(inner)
        if isinstance(inner, Mapping) and empty is None:
            if guess:
                out.append(f"{pad}{guess}")
            lines: list[str] = []
            _mapping(inner, depth + 1, lines)
            first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
            out.extend(lines[:first])
            out.append(f"{pad}- {lines[first].lstrip()}")
            out.extend(lines[first + 1 :])
        elif isinstance(inner, list | tuple) and empty is None:
            if guess:
                out.append(f"{pad}{guess}")
            out.append(f"{pad}-")
            _sequence(inner, depth + 1, out)
        else:
            text = empty if empty is not None else scalar(inner)
            out.append(f"{pad}- {text}" + (f"  {guess}" if guess else ""))


def _block(value: Any, depth: int, out: list[str]) -> None:
    if isinstance(value, Mapping):
        _mapping(value, depth, out)
    else:
        _sequence(value, depth, out)


def render(document: Mapping[str, Any], header: Sequence[str] = ()) -> str:
    """The YAML text of `document` (Guess, Commented and Placeholder values become comments),
    below the `header` comment lines."""
    out = [f"# {comment_text(line)}" if line else "#" for line in header]
    _mapping(document, 0, out)
    return "\n".join(out) + "\n"
