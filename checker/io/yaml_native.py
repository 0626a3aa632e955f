"""One large plain YAML document read by rapidyaml (native) instead of PyYAML's events, used only
when the result is provably what PyYAML's path (checker/io/read.py) builds; None otherwise, and
the caller reads the text PyYAML's way, which builds it or raises its one-line error.

rapidyaml parses the text into its tree and writes that tree as JSON, which json reads. What
the JSON loses is checked so that nothing is accepted on a guess:

- the text: refused with a backslash (double-quoted escapes), a tab, a carriage return, a
  control or YAML 1.1 line-break character, a byte-order mark, a possible anchor, alias or tag
  (&, * or ! starting a word), a directive or a document marker at the start of a line;
- numbers: rapidyaml writes a plain scalar that looks like a number bare, its text kept or with
  a 0 added around the point (.5 -> 0.5, 1. -> 1.0); every text it can have come from must
  resolve in PyYAML to the same type and value (1e3 is a string in YAML 1.1: refused);
- strings: one written as a JSON string may have been plain, so every key and value whose
  text PyYAML's implicit resolvers would type (yes, ~, 1_000, 0x1F, 2026-12-31, <<, =, ...) is
  refused, except a value rapidyaml would have written bare had it been plain ("1", "true":
  quoted, so a string in PyYAML too) and, with dates_as_text, a date value PyYAML spells the same;
- true, false and null are written bare for plain true, false, null and empty scalars only;
- duplicate keys (json keeps the last), more nodes than the caller's limit
  (MAX_YAML_EXPANDED_NODES), more than about 90 levels of nesting, several documents, and
  anything rapidyaml refuses: refused.

tests/test_yaml_native.py holds this to PyYAML's path on every YAML file of the repository, on
hand-made documents and on generated ones (results and errors alike)."""

from __future__ import annotations

import json
import os
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import ryml  # type: ignore[import-untyped]
import yaml

# The loader and the node limit are checker/io/read.py's, handed in by its caller (read imports
# this module, so this module does not import read); the implicit resolvers are PyYAML's own.
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

# What the text may hold: newline, printable ASCII but the backslash, and non-ASCII but C1
# controls (NEL), the YAML 1.1 line and paragraph separators, surrogates, the byte-order mark
# and non-characters. Checked on the UTF-8 bytes: the allowed ASCII bytes deleted, what is left
# must be non-ASCII (rarely much), whose characters are then checked.
_ALLOWED_ASCII = bytes([10, *range(0x20, 0x5C), *range(0x5D, 0x7F)])
_NON_ASCII_BYTES = bytes(range(0x80, 0x100))
_REFUSED_CHARACTER = re.compile("[\x80-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# an anchor, alias or tag (or a reserved indicator, a directive) starting a node: after a
# space, a line break or a flow indicator
_MARKS = ("&", "*", "!", "@", "`", "%")
_NODE_START = (" ", "\n", "[", "]", "{", "}", ",")
_LINE_STARTS = ("%", "---", "...")  # a directive or a document marker
# libyaml refuses a key of more than 1024 characters from its start to its colon, rapidyaml not:
# keys of up to 100 characters (202 written with quotes, 808 bytes) and fewer than 64 spaces
# before a colon
_LONGEST_KEY = 100
_SPACES_BEFORE_COLON = " " * 64 + ":"
# a dash after a closing quote: rapidyaml reads "- 'x' - y" as two items, PyYAML refuses it
# (one expression a quote: a literal first character is searched for quickly)
_DASH_AFTER_QUOTE = (re.compile("' +-"), re.compile('" +-'))
# a block scalar's header other than |, |-, |+, >, >-, >+ (and a comment): rapidyaml reads past
# what PyYAML refuses ("|1:"); indentation indicators are left to PyYAML too
_ODD_BLOCK_HEADER = tuple(
    re.compile(f" \\{mark}(?![-+]?(?: *| +#.*)$)", re.MULTILINE) for mark in "|>"
)
_BLOCK_AT_LINE_START = ("|", ">")

# A JSON string that may be a plain scalar PyYAML types: it starts with a character one of the
# implicit resolvers starts with (or is empty), and holds only characters their texts hold (no
# escape); the lookahead tries every quote, so no string is skipped; a key is followed by ":".
# (tests/test_yaml_native.py draws texts from each resolver's expression to hold the class.)
_FIRSTS = "".join(sorted(re.escape(c) for c in _RESOLVERS if c))
_RESOLVER_CHARACTERS = "0-9A-Fa-f_+\\-.:~<=!&* \tiInNoOsSyYlLrRuUtTxXZ"
_TYPABLE = re.compile(f'"(?=((?:[{_FIRSTS}][{_RESOLVER_CHARACTERS}]*)?)"(\\s*:)?)')
# Deep nesting: rapidyaml indents JSON 2 columns a level (no flow but empty [] and {})
_DEEP = "\n" + " " * 100
# flow collections: only empty ones at the end of a line ([] and {} as a value or an item)
_FLOW = ("[", "]", "{", "}")
_EMPTY_FLOW = (": []\n", ": {}\n", "- []\n", "- {}\n")
_JSON_LITERAL = re.compile(r"true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NUMBER_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class _Refused(Exception):
    """Not provably what PyYAML builds."""


def document(text: str, dates_as_text: bool, loader: Any, max_nodes: int) -> list[Any] | None:
    """[the document] when rapidyaml's reading is provably PyYAML's (`loader`: PyYAML's loader
    class, whose resolver and constructors judge each scalar; `max_nodes`: the most nodes a
    document may expand to), else None."""
    if not text.endswith("\n"):
        return None  # a block scalar at the very end: PyYAML clips its line break, rapidyaml not
    data = text.encode("utf-8", "surrogatepass")
    if _refused(text, data) or not _quiet_possible():
        return None
    try:
        with _stderr_silenced():  # rapidyaml prints each error before raising it
            # sized up front: a tree grown by doubling leaves the heap fragmented (10,000
            # families: 520k nodes, 155 bytes each; about one node a line in block style)
            tree = ryml.Tree()
            lines = text.count("\n")
            tree.reserve(lines + lines // 8 + 16)
            tree.reserve_arena(len(data) + 16)
            tree = ryml.parse_in_arena(data, tree=tree)
            del data
            root = tree.root_id()
            if not (tree.is_map(root) or tree.is_seq(root)):
                return None  # several documents, or one scalar (a plan is a map)
            emitted = ryml.emit_json_malloc(tree, root)  # refuses over 64 levels
            size = tree.size()
    except ryml.ExceptionBasic:
        return None
    del tree
    if not isinstance(emitted, str) or _DEEP in emitted:
        return None
    try:
        return [_Check(dates_as_text, loader, max_nodes).document(emitted, size)]
    except (_Refused, ValueError, RecursionError):
        return None


def _refused(text: str, data: bytes) -> bool:
    """Whether the text holds a character, indicator or line this module leaves to PyYAML."""
    left = data.translate(None, _ALLOWED_ASCII)
    if left and (
        left.translate(None, _NON_ASCII_BYTES)
        or _REFUSED_CHARACTER.search(left.decode("utf-8", "surrogatepass"))
    ):
        return True
    brackets = sum(text.count(c) for c in _FLOW)
    if brackets and brackets != 2 * sum(text.count(e) for e in _EMPTY_FLOW):
        return True
    for mark in _MARKS:  # rare but for globs' *: found one by one
        at = text.find(mark)
        while at >= 0:
            if at == 0 or text[at - 1] in _NODE_START:
                return True
            at = text.find(mark, at + 1)
    if _SPACES_BEFORE_COLON in text or any(after.search(text) for after in _DASH_AFTER_QUOTE):
        return True
    if any(odd.search(text) for odd in _ODD_BLOCK_HEADER):
        return True
    if text.startswith(_BLOCK_AT_LINE_START) or any("\n" + b in text for b in _BLOCK_AT_LINE_START):
        return True
    return text.startswith(_LINE_STARTS) or any("\n" + s in text for s in _LINE_STARTS)


def _quiet_possible() -> bool:
    # Silencing file descriptor 2 silences every thread: only when this is the only one.
    return threading.active_count() == 1


@contextmanager
def _stderr_silenced() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 2)
        finally:
            os.close(null)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Check:
    """json.loads' hooks (duplicate keys, key count, number texts) and the checks after it."""

    def __init__(self, dates_as_text: bool, loader: Any, max_nodes: int) -> None:
        self._dates_as_text = dates_as_text
        self._loader = loader("")
        self._max_nodes = max_nodes
        self._keys = 0
        self._names: set[str] = set()  # json shares one string per distinct key
        self._numbers: dict[str, Any] = {}

    def document(self, emitted: str, size: int) -> Any:
        try:
            value = json.loads(
                emitted,
                object_pairs_hook=self._pairs,
                parse_int=self._int,
                parse_float=self._float,
                parse_constant=self._constant,
            )
            # the nodes PyYAML counts: rapidyaml's (a key and its value are one) and the keys
            if size + self._keys > self._max_nodes:
                raise _Refused
            if any(len(name) > _LONGEST_KEY for name in self._names):
                raise _Refused
            for text, built in self._numbers.items():
                self._number(text, built)
            for text, colon in set(_TYPABLE.findall(emitted)):
                self._string(text, bool(colon))
        finally:
            self._loader.dispose()
        return value

    def _pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) != len(pairs):
            raise _Refused  # a duplicate key: PyYAML's path says where
        self._keys += len(pairs)
        self._names.update(result)
        return result

    def _int(self, text: str) -> int:
        value = self._numbers[text] = int(text)
        return value

    def _float(self, text: str) -> float:
        value = self._numbers[text] = float(text)
        return value

    def _constant(self, text: str) -> Any:
        raise _Refused

    def _built(self, text: str) -> tuple[str, Any]:
        """The tag PyYAML resolves a plain scalar of this text to, and what it builds."""
        tag = self._loader.resolve(yaml.ScalarNode, text, (True, False))
        if tag == _STR:
            return tag, text
        try:
            return tag, self._loader.yaml_constructors[tag](
                self._loader, yaml.ScalarNode(tag, text)
            )
        except (yaml.YAMLError, ValueError, TypeError, KeyError) as exc:
            raise _Refused from exc

    def _number(self, text: str, built: Any) -> None:
        for source in _number_sources(text):
            tag, value = self._built(source)
            if tag not in _NUMBER_TAGS or type(value) is not type(built):
                raise _Refused
            if repr(value) != repr(built):
                raise _Refused

    def _string(self, text: str, key: bool) -> None:
        tag, value = self._built(text)
        if tag == _STR:
            return
        if key:
            raise _Refused  # rapidyaml writes every key as a string, plain or quoted
        if tag == _TIMESTAMP and self._dates_as_text and value.isoformat() == text:
            return  # plain or quoted, the same text
        if _JSON_LITERAL.fullmatch(text) and _written_bare(text):
            return  # a plain one would have been written bare: this one was quoted
        raise _Refused


def _number_sources(text: str) -> set[str]:
    """The plain scalars rapidyaml writes as this JSON number: itself, without the 0 it puts
    before a leading point (.5 -> 0.5) or after a trailing one (1. -> 1.0)."""
    sources = {text}
    lead = re.fullmatch(r"(-?)0(\..*)", text)
    if lead:
        sources.add(lead[1] + lead[2])
    for source in list(sources):
        trail = re.fullmatch(r"(.*\.)0((?:[eE].*)?)", source)
        if trail:
            sources.add(trail[1] + trail[2])
    return sources


def _written_bare(text: str) -> bool:
    """Whether rapidyaml writes this plain scalar as something other than a JSON string."""
    try:
        with _stderr_silenced():
            tree = ryml.parse_in_arena(f"- {text}\n".encode())
            written = ryml.emit_json_malloc(tree, tree.root_id())
    except ryml.ExceptionBasic:
        return False
    return isinstance(written, str) and '"' not in written
