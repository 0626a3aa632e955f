"""JSON text written by orjson (in C) where it is provably what Python's json writes.

orjson writes JSON five to ten times faster than json, but not always the same text: NaN and
the infinities as null (json: NaN, Infinity, which regorus refuses), floats under 1e-4 spelled
its own way (1e-7 and 0.00001 where json writes 1e-07 and 1e-05), non-ASCII characters and DEL
(0x7f) unescaped, members of a plain Enum as their values (json refuses them); it refuses
non-str keys, ints beyond 64 bits, lone surrogates, and (with the passthrough options) dataclasses,
dates and subclasses of str, int, list and dict.

So a value goes to orjson only when `marshal` (one pass in C) accepts it, which it does for exact
built-in types only (an Enum member or any subclass is refused), and its marshal text (version 1
writes a float as its %.17g spelling) shows no float that is not finite or under 1e-3: those
floats orjson spells as repr does, the way json spells them. What orjson then refuses, or an
indented text that is not ASCII, is left to the caller's json, which writes or raises as it
always did. tests/test_native_json.py compares both ways on random values.

orjson is imported for large values only (it takes about 30 ms to import, the pre-commit hook's
whole budget is 300 ms), and the marshal pass is made only for a value not taken as small by a
count of its top levels' members (`small`: a tenth of the pass on the pre-commit hook's input,
which json writes in any case). `dumps` is the one place that picks orjson's text or the
caller's json.
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Callable
from typing import Any

# A float in marshal version 1: b"f", the length n of its %.17g text (at most 24), the text.
# Matched: not finite (nan, inf), with an exponent (e+17, e-05), or 0.000...: the floats whose
# spelling orjson may not share with repr; each alternative stays within the n bytes of the
# text. A string holding such bytes only costs the fast path.
_UNSHARED_FLOAT = re.compile(
    rb"f(?=[\x01-\x18])(?:"
    + b"|".join(
        re.escape(bytes([n]))
        + rb"(?:[-+.0-9]{0,%d}[eni]" % (n - 1)
        + (rb"|-?0\.000)" if n >= 6 else b")")
        for n in range(1, 25)
    )
    + b")"
)
# the size (of its marshal text, about its JSON text's) from which a value pays orjson's import:
# json writes about 100 MB a second
NATIVE_MIN_BYTES = 2_000_000
# the size estimate: the members of the value's containers down to four levels are counted, and
# a value of fewer than one per _MEMBER_BYTES of the size sought is taken as small (large values
# are many members of one shape near the top: an input's topics, families and changes, three
# levels down; a report's scorecard cells and findings, four)
_LEVELS = 4
_MEMBER_BYTES = 200
_CONTAINERS = (dict, list, tuple)


def small(value: Any, minimum: int) -> bool:
    """Whether the value is taken as under `minimum` bytes of text without the marshal pass:
    fewer than minimum / _MEMBER_BYTES members in its dicts, lists and tuples down to _LEVELS
    levels, counted with len() level by level. An estimate, not a bound: a large value
    taken as small is written by the caller's json, the same text, only slower."""
    few = minimum // _MEMBER_BYTES
    count = 0
    level = [value]
    for depth in range(1, _LEVELS + 1):
        count += sum(map(len, level))
        if count >= few:
            return False
        if depth == _LEVELS:
            break
        below: list[Any] = []
        for container in level:
            members = container.values() if container.__class__ is dict else container
            below.extend(m for m in members if m.__class__ in _CONTAINERS)
        level = below
    return True


def dumps(
    value: Any,
    fallback: Callable[[Any], str],
    *,
    indent: bool = False,
    minimum: int = NATIVE_MIN_BYTES,
) -> str:
    """json's text of the value: orjson's where it is provably the same and the value large
    (`indented` with indent, else `compact`), else fallback(value), the caller's json.dumps with
    its arguments (which writes or raises as it always did)."""
    native = indented(value, minimum) if indent else compact(value, minimum)
    return fallback(value) if native is None else native


def _plain(value: Any, minimum: int) -> bool:
    """At least `minimum` bytes of marshal text, only exact built-in types and no float orjson
    may spell differently from json."""
    if value.__class__ is not dict and value.__class__ is not list:
        return False
    if minimum > 0 and small(value, minimum):
        return False
    try:
        flat = marshal.dumps(value, 1)
    except ValueError:  # an object of another type, a subclass, or nested too deeply
        return False
    return len(flat) >= minimum and _UNSHARED_FLOAT.search(flat) is None


def _passthrough(orjson: Any) -> int:
    """orjson refuses (rather than writes its own way) dataclasses, dates and subclasses of str,
    int, list and dict: a second guard, marshal has refused them already."""
    return int(
        orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_SUBCLASS
    )


def compact(value: Any, minimum: int = NATIVE_MIN_BYTES) -> str | None:
    """JSON text of the value json.dumps(value) gives (the same value, compact and UTF-8
    rather than ASCII-escaped), or None when that is not certain or the value is small (under
    `minimum` bytes)."""
    if not _plain(value, minimum):
        return None
    import orjson

    try:
        return orjson.dumps(value, option=_passthrough(orjson)).decode()
    except orjson.JSONEncodeError:  # a non-str key, an int over 64 bits, a lone surrogate
        return None


def indented(value: Any, minimum: int = NATIVE_MIN_BYTES) -> str | None:
    """json.dumps(value, indent=2, sort_keys=True), the same text, or None when that is not
    certain or the value is small (under `minimum` bytes)."""
    if not _plain(value, minimum):
        return None
    import orjson

    try:
        text = orjson.dumps(
            value, option=_passthrough(orjson) | orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
        )
    except orjson.JSONEncodeError:
        return None
    if not text.isascii() or b"\x7f" in text:  # json escapes them, orjson does not
        return None
    return text.decode("ascii")
