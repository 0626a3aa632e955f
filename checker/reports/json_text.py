"""JSON text as `json.dumps(value, indent=2, sort_keys=True)` writes it, about twice as fast.

With an indent, Python's json module encodes in pure Python through nested generators (its C
encoder only writes compact text): the JSON report of 10,000 topic families (28 MB) took
1.1 s. This encoder appends the same pieces to one list, with the C string escaping json
uses (ASCII only). Anything it does not know (a type json would hand to `default`, a key json
would refuse) goes to json.dumps itself, which writes or raises as it always did.
tests/test_json_text.py compares the two on the reports of the fixtures and on random values.
A large value goes to orjson (checker/io/native_json.py) when its text is provably the same.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

from ..io import native_json

_INFINITY = float("inf")


class _Unknown(Exception):
    """A value or key json.dumps would hand to `default` or refuse."""


def dumps(value: Any) -> str:
    """json.dumps(value, indent=2, sort_keys=True), the same text: orjson's where provably the
    same (large values), else this module's."""
    return native_json.dumps(value, _dumps, indent=True)


def _dumps(value: Any) -> str:
    out: list[str] = []
    try:
        _encode(value, out, "\n")
    except (_Unknown, TypeError, RecursionError):
        return json.dumps(value, indent=2, sort_keys=True)
    return "".join(out)


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    # json's own order: str, float, True, False, None, int; anything else it refuses
    if isinstance(key, str):
        return str(encode_basestring_ascii(key))
    if isinstance(key, float):
        text = _float(key)
    elif key is True:
        text = "true"
    elif key is False:
        text = "false"
    elif key is None:
        text = "null"
    elif isinstance(key, int):
        text = int.__repr__(key)
    else:
        raise _Unknown
    return str(encode_basestring_ascii(text))


# (indent, keys in the map's order) -> each key in sorted order with the text before its value
_layouts: dict[tuple[str, tuple[Any, ...]], list[tuple[Any, str]]] = {}
_MAX_LAYOUTS = 4096


def _layout(inner: str, value: dict[Any, Any]) -> list[tuple[Any, str]]:
    """A map's keys in json's sorted order, each with what precedes its value ("{" or "," and
    the indent, the key, ": "). A report repeats a few shapes of map (findings, scorecard
    cells) tens of thousands of times: each shape is sorted and its keys escaped once."""
    shape = (inner, tuple(value))
    layout = _layouts.get(shape)
    if layout is not None:
        return layout
    layout = []
    separator = "{" + inner
    for key, _ in sorted(value.items()):
        text = encode_basestring_ascii(key) if key.__class__ is str else _key(key)
        layout.append((key, separator + text + ": "))
        separator = "," + inner
    if all(key.__class__ is str for key in shape[1]) and len(_layouts) < _MAX_LAYOUTS:
        _layouts[shape] = layout  # str keys: the order does not depend on the values
    return layout


def _encode(value: Any, out: list[str], newline: str) -> None:
    append = out.append
    if isinstance(value, str):
        append(encode_basestring_ascii(value))
    elif value is None:
        append("null")
    elif value is True:
        append("true")
    elif value is False:
        append("false")
    elif isinstance(value, int):
        append(int.__repr__(value))
    elif isinstance(value, float):
        append(_float(value))
    elif isinstance(value, list | tuple):
        if not value:
            append("[]")
            return
        inner = newline + "  "
        separator = "[" + inner
        for item in value:
            append(separator)
            if item.__class__ is str:  # most leaves: no call
                append(encode_basestring_ascii(item))
            else:
                _encode(item, out, inner)
            separator = "," + inner
        append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            append("{}")
            return
        inner = newline + "  "
        for key, prefix in _layout(inner, value):
            append(prefix)
            item = value[key]
            if item.__class__ is str:  # most leaves: no call
                append(encode_basestring_ascii(item))
            else:
                _encode(item, out, inner)
        append(newline + "}")
    else:
        raise _Unknown
