"""Reading JSON and YAML documents safely: regular files only, bounded size, UTF-8, strict JSON
and YAML (no NaN or infinities, no duplicate keys, no unpaired surrogates), no object tags, no
alias bombs.

Every input path goes through `read_bytes`: it opens without blocking (a FIFO without a writer
does not hang), refuses anything that is not a regular file once open (devices such as
/dev/zero, FIFOs, sockets, directories, and symlinks to them), and reads at most
FAILBACK_MAX_INPUT_BYTES + 1 bytes whatever the file claims its size is (/proc files say 0).
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from .. import collector
from ..errors import InputError

MAX_INPUT_BYTES = int(os.environ.get("FAILBACK_MAX_INPUT_BYTES", str(512 * 1024 * 1024)))
MAX_YAML_EXPANDED_NODES = 2_000_000
_CHUNK = 1 << 20

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _over_limit(path: Path, what: str, size: str, limit: int) -> InputError:
    return InputError(
        f"{what} {path} is {size} bytes, over the {limit}-byte limit",
        hint="raise FAILBACK_MAX_INPUT_BYTES if this is intended",
    )


def _read_bounded(fd: int, size_hint: int, limit: int) -> bytes:
    """At most limit + 1 bytes (one more than allowed tells an oversized file apart)."""
    wanted = limit + 1
    chunk = max(size_hint + 1, _CHUNK)  # a regular file: one read and one that sees the end
    chunks: list[bytes] = []
    total = 0
    while total < wanted:
        data = os.read(fd, min(chunk, wanted - total))
        if not data:
            break
        chunks.append(data)
        total += len(data)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_bytes(path: Path, what: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file, refusing missing, unreadable, special or oversized input."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{what} {path} is a directory, expected a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(
                f"{what} {path} is {_kind(info.st_mode)}, not a regular file",
                hint="inputs are read from regular files only",
            )
        if info.st_size > limit:
            raise _over_limit(path, what, str(info.st_size), limit)
        try:
            data = _read_bounded(fd, info.st_size, limit)
        except OSError as exc:
            raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
        if len(data) > limit:
            raise _over_limit(path, what, f"more than {limit}", limit)
        return data
    finally:
        os.close(fd)


def read_text(path: Path, what: str, limit: int | None = None) -> str:
    """Read a UTF-8 regular file, refusing missing, unreadable, oversized or non-UTF-8 input."""
    data = read_bytes(path, what, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} {path} is not UTF-8 text (byte {exc.start})") from None


# --- JSON --------------------------------------------------------------------------------------
# Python's json accepts NaN, Infinity, numbers that overflow to inf, duplicate keys (the last
# wins) and "\ud800" escapes (a string no UTF-8 encoder can write). The hooks below leave a
# marker where such a value was; one walk then names the first marker's place in the document.


class _Bad:
    __slots__ = ("problem",)

    def __init__(self, problem: str) -> None:
        self.problem = problem


class _BadObject(dict[str, Any]):
    """An object with a duplicate key (the walk reports it where it sits)."""

    problem = ""


class _Hooks:
    def __init__(self) -> None:
        self.bad = False
        # one object per distinct string value: a snapshot repeats a few values ("TOPIC",
        # "ALLOW", a principal) hundreds of thousands of times, and json makes a new string
        # for each (500k ACL bindings: 366 MB of document, 170 MB with the values shared)
        self.strings: dict[str, str] = {}
        self._share = self.strings.setdefault

    def constant(self, name: str) -> Any:
        self.bad = True
        return _Bad(f"{name} is not a JSON number")

    def number(self, text: str) -> Any:
        value = float(text)
        if math.isinf(value):
            self.bad = True
            return _Bad(f"number {text[:40]} is out of range")
        return value

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        # a loop, not a comprehension: Python 3.11 calls a comprehension as a function of its
        # own, once per object (500k ACL records: 0.17 s of a 100 MB snapshot's 1 s)
        share = self._share
        result = {}
        for key, value in pairs:
            result[key] = share(value, value) if value.__class__ is str else value
        if len(result) == len(pairs):
            return result
        self.bad = True
        seen: set[str] = set()
        duplicate = ""
        for key, _ in pairs:
            if key in seen:
                duplicate = key
                break
            seen.add(key)
        marked = _BadObject(result)
        marked.problem = f"duplicate key {json.dumps(duplicate)} (keys must be unique)"
        return marked


# a \uD800-\uDFFF escape: the only way a decoded JSON string holds a surrogate
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def _step(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    text = str(key)
    return f"{path}.{text}" if _PLAIN_KEY.match(text) else f"{path}[{json.dumps(text)}]"


def _problems(document: Any) -> Iterator[tuple[str, str]]:
    """(where, what) of every value strict JSON/YAML does not allow, depth first."""
    stack: list[tuple[str, Any]] = [("$", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Bad):
            yield path, value.problem
        elif isinstance(value, float) and not math.isfinite(value):
            yield path, f"{value} is not a number JSON or the policies can carry"
        elif isinstance(value, str):
            if _SURROGATE.search(value):
                yield path, "a string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)"
        elif isinstance(value, dict):
            if isinstance(value, _BadObject):
                yield path, value.problem
            children = []
            for key, child in value.items():
                if isinstance(key, str) and _SURROGATE.search(key):
                    yield path, "a key holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)"
                children.append((_step(path, key), child))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend((_step(path, i), v) for i, v in reversed(list(enumerate(value))))


def parse_json(text: str, origin: str, what: str) -> Any:
    """Strict JSON: one line naming the file and the place of the first problem."""
    hooks = _Hooks()
    try:
        with collector.paused():
            document = json.loads(
                text,
                parse_constant=hooks.constant,
                parse_float=hooks.number,
                object_pairs_hook=hooks.pairs,
            )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} {origin} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(f"{what} {origin} is nested too deeply to be a {what}") from None
    except ValueError as exc:  # e.g. an integer over Python's 4300-digit conversion limit
        reason = str(exc).split(":", 1)[0]
        raise InputError(f"{what} {origin} is not valid JSON: {reason}") from None
    # (the regex needs a "\\u": one C-level scan of a 100 MB text spares the regex's)
    if hooks.bad or ("\\u" in text and _SURROGATE_ESCAPE.search(text)):
        for where, problem in _problems(document):
            raise InputError(f"{what} {origin} is not valid JSON: {problem}, at {where}")
    return document


# --- YAML --------------------------------------------------------------------------------------
# libyaml's SafeLoader when PyYAML has it (10x faster on large plans and manifests). Safe
# loaders build no Python objects from tags, and an anchor is built once and shared by its
# aliases, so an alias bomb costs nothing to load; _expanded_size refuses it before anything
# walks it. The constructor (Python in both loaders) refuses duplicate keys, .nan/.inf and
# unpaired surrogates from "\ud800" escapes, with the line and column of the offending node.
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE = "tag:yaml.org,2002:merge"


class _StrictLoader(_BASE_LOADER):  # type: ignore[misc]
    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._checked: set[int] = set()
        self._tags: dict[tuple[Any, Any], str] = {}
        # the last document's node count when _FastBuild built it as a tree (no list or map
        # shared by an alias): what _expanded_size would count; None otherwise
        self.tree_size: int | None = None

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # Checked before the first flattening, while node.value holds only what the file says:
        # a key a merge (<<) brings in may be overridden, a key written twice may not.
        if id(node) not in self._checked:
            self._checked.add(id(node))
            seen: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                if key_node.tag == _MERGE or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue
                if first is not key_node:
                    line = first.start_mark.line + 1
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"found duplicate key {key!r} (first at line {line})",
                        key_node.start_mark,
                    )
        super().flatten_mapping(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value: float = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"{node.value} is not a number JSON or the policies can carry",
                node.start_mark,
            )
        return value

    def construct_yaml_str(self, node: yaml.ScalarNode) -> str:
        value: str = super().construct_yaml_str(node)
        if _SURROGATE.search(value):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)",
                node.start_mark,
            )
        return value

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # A scalar's implicit tag depends on its text and how it was quoted alone (this loader
        # has no path resolvers): worked out once per distinct scalar, where the resolver
        # tries its regular expressions on every one (a plan repeats its keys and values).
        if self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        if kind is yaml.MappingNode:
            return self.DEFAULT_MAPPING_TAG
        if kind is yaml.SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag

    def construct_document(self, node: yaml.Node) -> Any:
        # The plain document (maps with scalar keys, lists, core scalars) is built directly,
        # a node at a time (_FastBuild); anything else, and anything refused, goes the
        # constructor's own way, which builds the same objects or raises the same error.
        self.tree_size = None
        build = _FastBuild(self)
        try:
            document = build.build(node)
        except _NotPlain:
            return super().construct_document(node)
        if not build.shared:
            self.tree_size = build.count
        return document


_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)
_StrictLoader.add_constructor("tag:yaml.org,2002:str", _StrictLoader.construct_yaml_str)
_LOADER: Any = _StrictLoader

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# Scalar tags whose constructors are plain functions of the node (no generators, no state).
_SCALARS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


class _NotPlain(Exception):
    """The node is not of the plain kinds _FastBuild builds, or building it failed."""


class _FastBuild:
    """The document the safe constructor would build, without its per-node generators and
    dispatch: PyYAML's construct_object costs ~10 us a node (a 12 MB plan of 10,000 families,
    1.4 million nodes). Only maps (scalar keys, no merge, no duplicates), lists and the core
    scalar tags are built here; an alias shares the object its anchor built, as in PyYAML.
    Anything else, or any error, raises _NotPlain and the whole document is built the
    standard way (tests/test_read_fast_yaml.py: equal to yaml.safe_load on a corpus)."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader
        self._constructors = loader.yaml_constructors
        self._built: dict[int, Any] = {}
        self._building: set[int] = set()
        self.count = 0  # nodes built, an alias's once per use
        self.shared = False  # whether an alias shared a list or map

    def build(self, node: yaml.Node) -> Any:
        try:
            return self._node(node)
        except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
            raise _NotPlain from exc

    def _node(self, node: yaml.Node) -> Any:
        self.count += 1
        tag = node.tag
        if node.__class__ is yaml.ScalarNode:  # immutable: an alias needs no sharing
            if tag == _STR:
                value: Any = node.value
                if _SURROGATE.search(value):
                    raise _NotPlain
                return value
            if tag in _SCALARS:
                return self._constructors[tag](self._loader, node)
            raise _NotPlain
        key = id(node)
        if key in self._built:
            self.shared = True
            return self._built[key]
        if key in self._building:
            raise _NotPlain  # a recursive alias
        self._building.add(key)
        if node.__class__ is yaml.MappingNode and tag == _MAP:
            value = self._mapping(node)
        elif node.__class__ is yaml.SequenceNode and tag == _SEQ:
            value = [self._node(child) for child in node.value]
        else:
            raise _NotPlain
        self._built[key] = value
        return value

    def _mapping(self, node: yaml.MappingNode) -> dict[Any, Any]:
        # keys first, then values: the order the constructor raises its errors in does not
        # matter, since any error sends the document the standard way
        keys = []
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE:
                raise _NotPlain
            name = self._node(key_node)
            if name in seen:
                raise _NotPlain  # a duplicate key: the constructor says where
            seen.add(name)
            keys.append(name)
        return {name: self._node(value) for name, (_, value) in zip(keys, node.value, strict=True)}


def _expanded_size(node: Any, memo: dict[int, int], limit: int) -> int:
    """Nodes the document would have with every alias expanded (linear: shared nodes memoised)."""
    if not isinstance(node, dict | list):
        return 1
    key = id(node)
    if key in memo:
        return memo[key]
    children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
    total = 1
    for child in children:
        total += _expanded_size(child, memo, limit)
        if total > limit:
            break
    memo[key] = total
    return total


def _load_all(text: str, dates_as_text: bool = False) -> list[Any]:
    with collector.paused():
        documents = _plain_documents(text, dates_as_text)
        if documents is not None:
            return documents
        documents = _load_documents(text)
        return [dates_to_text(d) for d in documents] if dates_as_text else documents


class _Key:
    """No mapping key read yet (a mapping's pending key may be None, YAML's null)."""


_NO_KEY = _Key()
_EVENT_DEPTH = 100


def _plain_documents(text: str, dates_as_text: bool = False) -> list[Any] | None:
    """The documents of a plain stream (maps with unique scalar keys, lists, core scalars; no
    tags, anchors or aliases) built straight from libyaml's events, without composing nodes:
    each node object costs more than building its value (10,000 families: 1.2 million nodes).
    None for anything else or any problem, error or document over the node limit: the stream
    then goes the node way (_load_documents), which builds the same or raises its own error
    (tests/test_read_fast_yaml.py compares the two). With dates_as_text, dates and timestamps
    are built as dates_to_text spells them."""
    loader = _LOADER(text)
    try:
        return _EventBuild(loader, text, dates_as_text).documents()
    except (_NotPlain, yaml.YAMLError, ValueError, TypeError):
        return None
    finally:
        loader.dispose()


class _EventBuild:
    def __init__(self, loader: Any, text: str, dates_as_text: bool) -> None:
        if loader.yaml_path_resolvers:
            raise _NotPlain
        self._loader = loader
        self._dates_as_text = dates_as_text
        # an ASCII text holds no surrogate, and only a double-quoted scalar's escapes can
        # make one (libyaml refuses \ud800 itself; the check stays for other parsers)
        self._every_string = not text.isascii()
        self._tags: dict[str, str] = {}  # a plain scalar's text -> its resolved tag
        self._scalars: dict[tuple[str, str], Any] = {}

    def _scalar(self, tag: str, value: str) -> Any:
        # null, bool, int, float and timestamp values are immutable: built once per text
        key = (tag, value)
        if key in self._scalars:
            return self._scalars[key]
        if tag not in _SCALARS:
            raise _NotPlain
        built = self._loader.yaml_constructors[tag](self._loader, yaml.ScalarNode(tag, value))
        self._scalars[key] = built
        return built

    def documents(self) -> list[Any]:
        get = self._loader.get_event
        resolve = self._loader.resolve
        scalar_event = yaml.ScalarEvent
        mapping_start = yaml.MappingStartEvent
        sequence_start = yaml.SequenceStartEvent
        every_string = self._every_string
        dates_as_text = self._dates_as_text
        plain_tags = self._tags
        scalars = self._scalars
        documents: list[Any] = []
        # the open list or map (None: none) and, for a map, its pending key (_NO_KEY: none
        # yet); the enclosing ones' on the stack
        top: Any = None
        pending: Any = None
        stack: list[tuple[Any, Any]] = []
        count = 0
        while True:
            event = get()
            kind = event.__class__
            if kind is scalar_event:
                if event.tag is not None or event.anchor is not None:
                    raise _NotPlain
                value = event.value
                if event.implicit[0]:  # plain: the resolver's regular expressions decide
                    tag = plain_tags.get(value)
                    if tag is None:
                        tag = plain_tags[value] = resolve(yaml.ScalarNode, value, event.implicit)
                else:  # quoted or block: a string (the resolver's default, no path resolvers)
                    tag = _STR
                if tag == _STR:
                    if (every_string or event.style == '"') and _SURROGATE.search(value):
                        raise _NotPlain
                else:
                    memo = (tag, value)
                    value = scalars[memo] if memo in scalars else self._scalar(tag, value)
                    if tag == _TIMESTAMP and dates_as_text and pending is not _NO_KEY:
                        value = value.isoformat()  # a value, not a key: as dates_to_text does
                count += 1
            elif kind is mapping_start or kind is sequence_start:
                if event.tag is not None or event.anchor is not None:
                    raise _NotPlain
                if pending is _NO_KEY:
                    raise _NotPlain  # a map or list as a key
                if len(stack) >= _EVENT_DEPTH:
                    raise _NotPlain  # the node way builds it or says it is nested too deeply
                count += 1
                stack.append((top, pending))
                if kind is mapping_start:
                    top, pending = {}, _NO_KEY
                else:
                    top, pending = [], None
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                value = top
                top, pending = stack.pop()
            elif kind is yaml.DocumentStartEvent or kind is yaml.StreamStartEvent:
                count = 0
                continue
            elif kind is yaml.DocumentEndEvent:
                if count > MAX_YAML_EXPANDED_NODES:
                    raise _NotPlain  # refused the node way, with its message
                continue
            elif kind is yaml.StreamEndEvent:
                return documents
            else:  # an alias
                raise _NotPlain
            if top.__class__ is list:
                top.append(value)
            elif top is None:
                documents.append(value)
            elif pending is _NO_KEY:
                if value in top:
                    raise _NotPlain  # a duplicate key: the node way says where
                pending = value
            else:
                top[pending] = value
                pending = _NO_KEY


def _load_documents(text: str) -> list[Any]:
    documents = []
    loader = _LOADER(text)  # yaml.load_all, with the size _FastBuild counted
    try:
        while loader.check_data():
            document = loader.get_data()
            size = loader.tree_size
            if size is None:
                size = _expanded_size(document, {}, MAX_YAML_EXPANDED_NODES)
            if size > MAX_YAML_EXPANDED_NODES:
                raise yaml.YAMLError(
                    f"aliases expand to more than {MAX_YAML_EXPANDED_NODES} nodes (alias bomb?)"
                )
            documents.append(document)
    finally:
        loader.dispose()
    return documents


def parse_yaml(text: str, origin: str, what: str, dates_as_text: bool = False) -> Any:
    """One YAML document (a plan, a waiver file) with one-line errors; with dates_as_text, its
    dates as dates_to_text spells them."""
    return _parse(text, origin, what, many=False, dates_as_text=dates_as_text)


def parse_yaml_all(text: str, origin: str, what: str) -> list[Any]:
    """Every document of a multi-document YAML stream (Kubernetes manifests)."""
    documents: list[Any] = _parse(text, origin, what, many=True)
    return documents


# From this size on, one document is first offered to rapidyaml (checker/io/yaml_native.py:
# 10,000 families, 12 MB, 1.6 s of PyYAML events); smaller ones do not pay for its import.
NATIVE_MIN_CHARS = 1 << 18


def _native(text: str, dates_as_text: bool) -> list[Any] | None:
    """[the document] as rapidyaml reads it when that is provably PyYAML's reading, else None."""
    if len(text) < NATIVE_MIN_CHARS:
        return None
    from . import yaml_native

    with collector.paused():
        return yaml_native.document(text, dates_as_text, _LOADER, MAX_YAML_EXPANDED_NODES)


def _parse(text: str, origin: str, what: str, many: bool, dates_as_text: bool = False) -> Any:
    try:
        if many:
            return _load_all(text, dates_as_text)
        documents = _native(text, dates_as_text) or _load_all(text, dates_as_text)
        if len(documents) > 1:
            raise yaml.YAMLError("expected one YAML document, found several (--- separators)")
        return documents[0] if documents else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise InputError(f"{what} {origin} is not valid YAML: {exc.problem}{where}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{what} {origin} is not valid YAML: {exc}") from None
    except ValueError as exc:  # a well-formed scalar that cannot be built, e.g. 2026-13-45
        raise InputError(
            f"{what} {origin} has an impossible date or value: {exc}", hint="dates are YYYY-MM-DD"
        ) from None
    except RecursionError:
        raise InputError(f"{what} {origin} is nested too deeply") from None


def dates_to_text(value: Any) -> Any:
    """YAML reads an unquoted 2026-12-31 as a date (and a timestamp as a datetime); the
    schemas, JSON and the policies spell them as ISO 8601 strings."""
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, dict):
        return {k: dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dates_to_text(v) for v in value]
    return value


def load_document(path: Path, what: str, dates_as_text: bool = False) -> Any:
    """Load a JSON (.json) or YAML (anything else) document; with dates_as_text, YAML's dates
    as dates_to_text spells them (JSON has none)."""
    text = read_text(path, what)
    if path.suffix.lower() == ".json":
        return parse_json(text, str(path), what)
    return parse_yaml(text, str(path), what, dates_as_text)
