"""The fast YAML construction path (checker/io/read.py, _FastBuild) builds what the safe
constructor builds, object for object and type for type, and refuses what it refuses with the
same error: on every YAML file of the repository's fixtures and on documents made to take the
slow path (anchors, merges, tags, timestamps, duplicate keys, non-finite floats, surrogates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from checker import collector
from checker.errors import InputError
from checker.io import read

ROOT = Path(__file__).resolve().parent.parent

DOCUMENTS = [
    "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: ''\ng: '1'\nh: 0x1F\ni: 1_000\nj: -.5e3\n",
    "day: 2026-12-31\nwhen: 2026-12-31T10:00:00Z\nlocal: 2026-12-31 10:00:00\nyes: no\n",
    "list: [1, [2, [3, {a: b}]], {}, []]\nempty:\n",
    "base: &base {x: 1, y: [1, 2]}\ncopy: *base\nmore: {<<: *base, y: 3}\n",
    "- &a [1, 2]\n- *a\n- &s text\n- *s\n",
    "a: !!str 1\nb: !!float 1\nc: !!binary aGVsbG8=\nd: !!set {x, y}\ne: !!omap [{a: 1}]\n",
    "a: !!int '7'\nb: !!bool 'true'\nc: !!null ''\nd: !!timestamp 2026-01-01\n",
    "? [complex, key]\n: value\n",
    "1: one\n1.5: half\ntrue: yes\nnull: nothing\n2026-01-01: day\n",
    "a: 1\na: 2\n",
    "a: 1\nb: {c: 1, c: 2}\n",
    "x: &x {k: 1}\ny: {<<: *x, k: 2}\nz: {<<: [*x, {m: 1}], n: 1}\n",
    "a: .nan\n",
    "a: [1, .inf]\n",
    'a: "\\ud800"\n',
    "a: 2026-13-45\n",
    "a: &r [*r]\n",
    "a: !custom 1\n",
    "a: 1\n---\nb: 2\n",
    "",
    "just a scalar\n",
    "- a\n- - b\n  - {c: [d, {e: f}]}\n",
    "quoted: 'yes'\nplain: yes\nnum: '12'\nfloat: 1e3\noctal: 0o17\nsexa: 1:30\n",
]


def standard(text: str) -> list[Any]:
    """The documents the safe constructor builds (the strict loader without the fast path)."""
    loader = read._LOADER(text)
    try:
        out = []
        while loader.check_node():
            node = loader.get_node()
            out.append(read._BASE_LOADER.construct_document(loader, node))
        return out
    finally:
        loader.dispose()


def fast(text: str) -> list[Any]:
    return list(yaml.load_all(text, Loader=read._LOADER))


def same(a: Any, b: Any, seen: set[tuple[int, int]] | None = None) -> bool:
    """Equal, with the same types all the way down (1, 1.0 and True are == in Python); a
    recursive alias is compared once."""
    seen = set() if seen is None else seen
    if type(a) is not type(b):
        return False
    if isinstance(a, dict | list):
        if (id(a), id(b)) in seen:
            return True
        seen.add((id(a), id(b)))
    if isinstance(a, dict):
        return list(a) == list(b) and all(
            same(k1, k2, seen) and same(a[k1], b[k2], seen) for k1, k2 in zip(a, b, strict=True)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y, seen) for x, y in zip(a, b, strict=True))
    return bool(a == b) or (a != a and b != b)


def outcome(load: Any, text: str) -> tuple[str, Any]:
    try:
        return "ok", load(text)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        return "error", f"{type(exc).__name__}: {exc}"


def corpus() -> list[Path]:
    files = [
        p
        for folder in ("fixtures", "tests", "examples")
        for pattern in ("*.yaml", "*.yml")
        for p in sorted((ROOT / folder).rglob(pattern))
    ]
    assert len(files) > 20
    return files


@pytest.mark.parametrize("text", DOCUMENTS)
def test_fast_path_builds_what_the_constructor_builds(text: str) -> None:
    got, want = outcome(fast, text), outcome(standard, text)
    assert got[0] == want[0]
    if got[0] == "ok":
        assert same(got[1], want[1]), (got[1], want[1])
    else:
        assert got[1] == want[1]


def test_fast_path_on_every_yaml_file_of_the_repository() -> None:
    for path in corpus():
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        got, want = outcome(fast, text), outcome(standard, text)
        assert got[0] == want[0], path
        assert same(got[1], want[1]) if got[0] == "ok" else got[1] == want[1], path


def test_aliases_share_the_anchored_object() -> None:
    (document,) = fast("a: &x {k: [1]}\nb: *x\nc: &y [1]\nd: *y\n")
    assert document["a"] is document["b"]
    assert document["c"] is document["d"]


def test_plain_documents_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("the standard constructor ran")

    monkeypatch.setattr(read._BASE_LOADER, "construct_document", refuse)
    text = (ROOT / "fixtures" / "estate" / "ready" / "failback.yaml").read_text()
    assert same(read.parse_yaml(text, "plan", "plan"), yaml.load(text, Loader=yaml.SafeLoader))


@pytest.mark.parametrize("text", [d for d in DOCUMENTS if outcome(standard, d)[0] == "error"])
def test_parse_errors_are_the_standard_ones(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def message(fast_path: bool) -> str:
        if not fast_path:

            def no_fast(self: Any) -> Any:
                raise read._NotPlain

            monkeypatch.setattr(read._FastBuild, "build", lambda self, node: no_fast(self))
        with pytest.raises(InputError) as caught:
            read.parse_yaml_all(text, "doc.yaml", "plan")
        return str(caught.value)

    assert message(True) == message(False)


def test_resolved_tags_are_the_resolvers() -> None:
    words = ["yes", "No", "1", "1.5", "~", "null", "2026-01-01", "0x1F", "text", "", ".5", "1:30"]
    text = "\n".join(f"- {w}\n- '{w}'" for w in words) + "\n"
    assert same(fast(text), [yaml.load(text, Loader=yaml.SafeLoader)])


def sizes(text: str) -> list[tuple[int | None, int]]:
    """(what the fast path counted, what _expanded_size counts) for each document."""
    loader = read._LOADER(text)
    out = []
    try:
        while loader.check_data():
            document = loader.get_data()
            out.append((loader.tree_size, read._expanded_size(document, {}, 10**9)))
    finally:
        loader.dispose()
    return out


def test_the_counted_size_is_the_expanded_size() -> None:
    texts = [p.read_text() for p in corpus()[:200]] + [
        d
        for d in DOCUMENTS
        if outcome(standard, d)[0] == "ok" and "*r" not in d  # recursive
    ]
    counted = 0
    for text in texts:
        for tree_size, expanded in sizes(text):
            if tree_size is not None:
                counted += 1
                assert tree_size == expanded, text[:200]
    assert counted > 20


def test_a_shared_alias_is_measured_expanded() -> None:
    ((tree_size, expanded),) = sizes("a: &x [1, 2, 3]\nb: *x\nc: *x\n")
    assert tree_size is None
    assert expanded == 1 + 3 * 4 + 3


def test_an_alias_bomb_is_still_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    with pytest.raises(InputError, match="alias bomb"):
        read.parse_yaml("\n".join(lines) + "\n", "bomb.yaml", "plan")


# --- the event path (_plain_documents): plain streams built from libyaml's events ------------

EVENT_DOCUMENTS = [
    *DOCUMENTS,
    "a: 1\n---\nb: [2, {c: 2026-01-01}]\n---\n- x\n",
    "2026-01-01: day\nwhen: {2026-01-02: [2026-01-03, '2026-01-04']}\n",
    "- 2026-12-31T10:00:00Z\n- 2026-12-31 10:00:00.5+02:00\n- [2026-01-01]\n",
    "1: a\ntrue: b\n",
    "a: {b: {c: {d: [[[{e: [f]}]]]}}}\n",
    "a: \"caf\\u00e9 \\x41 \\N\"\nb: 'it''s'\nc: |\n  line\n  two\nd: >-\n  folded\n  text\n",
    "a: ! tagged\n",
    "? a\n? b\n",
    "a: b\n- c\n",
    "a: 'unterminated\n",
    "{a: 1, b: [1, 2,], c: }\n",
    "café: ünïcode\n",
    "[1, 2, 3]\n",
    "---\n",
    "# only a comment\n",
    "<<: {a: 1}\n",
    "=: 1\n",
    "a: 0o17\nb: 017\nc: +12\nd: 1_2.5\ne: .NaN\n",
]


def events(text: str, dates_as_text: bool = False) -> Any:
    """What the event path built, or None where it leaves the stream to the node way."""
    with collector.paused():
        return read._plain_documents(text, dates_as_text)


def test_event_path_builds_what_the_constructor_builds() -> None:
    took = 0
    for text in EVENT_DOCUMENTS:
        built = events(text)
        want = outcome(standard, text)
        if built is not None:
            took += 1
            assert want[0] == "ok" and same(built, want[1]), text
        if want[0] == "ok" and "*r" not in text:  # a recursive alias: "nested too deeply"
            assert same(read._load_all(text), want[1]), text
    assert took > 15


def test_event_path_dates_as_text_is_dates_to_text() -> None:
    for text in EVENT_DOCUMENTS:
        want = outcome(standard, text)
        if want[0] != "ok" or "*r" in text:
            continue
        spelled = [read.dates_to_text(d) for d in want[1]]
        assert same(read._load_all(text, True), spelled), text
        built = events(text, True)
        assert built is None or same(built, spelled), text


def test_event_path_on_every_yaml_file_of_the_repository() -> None:
    took = 0
    for path in corpus():
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        want = outcome(standard, text)
        built = events(text)
        if built is not None:
            took += 1
            assert want[0] == "ok" and same(built, want[1]), path
            assert same(events(text, True), [read.dates_to_text(d) for d in want[1]]), path
    assert took > 20


def test_event_path_leaves_anchors_tags_and_duplicates_to_the_node_way() -> None:
    for text in [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: 1\na: 2\n",
        "<<: {a: 1}\n",
        "? [a]\n: b\n",
        "a: .inf\n",
        "a: 2026-13-45\n",
        "a: [\n",
    ]:
        assert events(text) is None, text


def test_deep_nesting_goes_the_node_way() -> None:
    deep = "[" * 150 + "]" * 150 + "\n"
    assert events(deep) is None
    shallow = "[" * 50 + "]" * 50 + "\n"
    assert same(events(shallow), outcome(standard, shallow)[1])
    very_deep = "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(InputError, match="maximum nesting depth"):  # libyaml's own limit
        read.parse_yaml(very_deep, "deep.yaml", "plan")


def test_a_plan_takes_the_event_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("the node way ran")

    monkeypatch.setattr(read, "_load_documents", refuse)
    text = (ROOT / "fixtures" / "estate" / "ready" / "failback.yaml").read_text()
    assert same(read.parse_yaml(text, "plan", "plan"), yaml.load(text, Loader=yaml.SafeLoader))


@pytest.mark.parametrize("text", [d for d in EVENT_DOCUMENTS if outcome(standard, d)[0] == "error"])
def test_event_path_errors_are_the_node_ways(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def message() -> str:
        with pytest.raises(InputError) as caught:
            read.parse_yaml_all(text, "doc.yaml", "plan")
        return str(caught.value)

    with_events = message()
    monkeypatch.setattr(read, "_plain_documents", lambda text, dates_as_text=False: None)
    assert with_events == message()
