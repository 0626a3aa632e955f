"""The native YAML reading (checker/io/yaml_native.py: rapidyaml, its JSON, checks) gives what
PyYAML's path gives (checker/io/read.py _load_all: the same objects, types all the way down)
or leaves the text to it (None): on every YAML file of the repository, on hand-made documents
that reach each check, and on generated and mutated documents. A large plain plan is read the
native way (so that it cannot quietly always leave it to PyYAML)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import ryml  # type: ignore[import-untyped]
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import collector
from checker.errors import InputError
from checker.io import read, yaml_native

ROOT = Path(__file__).resolve().parent.parent


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down (1, 1.0 and True are == in Python) and the
    same float spelling (0.0 and -0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(
            same(k1, k2) and same(a[k1], b[k2]) for k1, k2 in zip(a, b, strict=True)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b)
    return bool(a == b)


def pyyaml(text: str, dates_as_text: bool) -> tuple[str, Any]:
    """What PyYAML's path gives for one document: ("ok", document) or ("error", message)."""
    try:
        with collector.paused():
            documents = read._load_all(text, dates_as_text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        return "error", str(exc)
    if len(documents) != 1:
        return "error", "not one document"
    return "ok", documents[0]


@pytest.fixture(autouse=True)
def _only_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The native reading silences file descriptor 2 and so runs only in a process with one
    thread; earlier tests of the suite (servers, pools) may leave threads behind, so these
    tests stand for a process of one thread (the condition itself is tested below)."""
    monkeypatch.setattr(yaml_native, "_quiet_possible", lambda: True)


def native(text: str, dates_as_text: bool, max_nodes: int = read.MAX_YAML_EXPANDED_NODES) -> Any:
    with collector.paused():
        return yaml_native.document(text, dates_as_text, read._LOADER, max_nodes)


def agrees(text: str) -> bool:
    """Whether the native reading, where it answers, is PyYAML's (both dates modes); True when
    it answered for either."""
    took = False
    for dates_as_text in (True, False):
        got = native(text, dates_as_text)
        if got is None:
            continue
        took = True
        want = pyyaml(text, dates_as_text)
        assert want[0] == "ok", (text, want, got)
        assert same(got[0], want[1]), (text, dates_as_text, got[0], want[1])
    return took


def corpus() -> list[Path]:
    files = [
        p
        for folder in ("fixtures", "tests", "examples", "docs", "benchmarks", ".github")
        for pattern in ("*.yaml", "*.yml")
        for p in sorted((ROOT / folder).rglob(pattern))
    ]
    assert len(files) > 20
    return files


def test_every_yaml_file_of_the_repository() -> None:
    took = 0
    for path in corpus():
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        took += agrees(text)
    assert took > 20


# --- hand-made documents: each check, and what YAML 1.1 and 1.2 read differently -------------

TRICKY = [
    # YAML 1.1 scalars PyYAML types and rapidyaml writes as strings
    "a: yes\n",
    "a: No\n",
    "a: on\n",
    "a: OFF\n",
    "a: y\n",
    "a: n\n",
    "a: True\n",
    "a: TRUE\n",
    "a: Null\n",
    "a: NULL\n",
    "a: ~\n",
    "a: 1_000\n",
    "a: 0x1F\n",
    "a: 017\n",
    "a: 0o17\n",
    "a: 0b101\n",
    "a: 1:30\n",
    "a: -1:30:00\n",
    "a: .inf\n",
    "a: -.Inf\n",
    "a: .nan\n",
    "a: inf\n",
    "a: nan\n",
    "<<: {b: 1}\n",
    "a: {<<: {b: 1}, c: 2}\n",
    "=: 1\n",
    "a: =\n",
    "a: 2026-12-31\n",
    "a: '2026-12-31'\n",
    "a: 2026-12-31T10:00:00Z\n",
    "a: '2026-12-31T10:00:00Z'\n",
    "a: 2026-12-31T10:00:00\n",
    "a: 2026-12-31 10:00:00.5 +02:00\n",
    "a: 2026-13-45\n",
    "a: '2026-13-45'\n",
    "a: 0000-01-01\n",
    "a: [2026-12-31, '2026-12-31']\n",
    "2026-12-31: a\n",
    "'2026-12-31': a\n",
    "- 2026-12-31\n- 2026-1-5\n",
    # JSON-looking numbers and literals, plain and quoted
    "a: 1\nb: '1'\nc: \"1\"\nd: 1.5\ne: '1.5'\nf: -0\ng: -0.0\nh: 0.0\n",
    "a: 1e3\nb: 1E3\nc: 1e+3\nd: 1.0e+3\ne: 1.0e3\nf: 0e0\ng: '0e0'\nh: 1.5e-3\n",
    "a: .5\nb: -.5\nc: 1.\nd: +1\ne: +1.5\nf: 01\ng: 00\nh: -01\ni: 1.e3\n",
    "a: 123456789012345678901234567890\nb: 1.0e+400\nc: 1e400\nd: 0.1e-400\n",
    "a: true\nb: 'true'\nc: false\nd: \"false\"\ne: null\nf: 'null'\ng:\nh: ''\ni: \"\"\n",
    "1: a\n",
    "'1': a\n",
    "true: a\n",
    "null: a\n",
    "~: a\n",
    "'': a\n",
    "? a\n? b\n",
    ": a\n",
    "- \n- -\n- - - a\n",
    # anchors, aliases, tags, documents, directives
    "a: &x 1\nb: *x\n",
    "a: &x [1, 2]\nb: *x\n",
    "&x a: 1\n",
    "a: !!str 1\n",
    "a: !!int '7'\n",
    "a: !custom 1\n",
    "a: ! x\n",
    "a: 1\n---\nb: 2\n",
    "---\na: 1\n",
    "--- a\n",
    "a: 1\n...\n",
    "%YAML 1.1\n---\na: 1\n",
    "a: b&c\nd: e*f\ng: h!i\nj: payments.*\nk: '*'\nl: \"&x\"\n",
    # duplicate keys
    "a: 1\na: 2\n",
    "a: {b: 1, b: 2}\n",
    "a: 1\n'a': 2\n",
    'a: 1\n"a": 2\n',
    "1: a\n01: b\n",
    # escapes, characters, line breaks
    'a: "caf\\u00e9"\n',
    'a: "\\ud800"\n',
    'a: "tab\\there"\n',
    "a: 'back\\slash'\n",
    "a: plain\\back\n",
    "a: café\nb: ünï cøde\nc: 日本語\nd: 🙂\n",
    "a: x\u00a0y\nb: \u00a0\n",
    "a: x\u2028y\n",
    "a: x\u0085y\n",
    "a: x\ufeffy\n",
    "\ufeffa: 1\n",
    "a:\tb\n",
    "a: b\r\nc: d\r\n",
    "a: \x01\n",
    "a: \x7f\n",
    # quoting and folding
    "a: 'it''s'\nb: \"say 'hi'\"\nc: say \"hi\"\nd: 'say \"hi\"'\n",
    "a: 'multi\n  line'\nb: \"multi\n\n  line\"\nc: plain\n  multi\n\n  line\n",
    "a: |\n  line\n  two\nb: >\n  folded\n  text\n\n  para\nc: |-\n  x\nd: |+\n  y\n\ne: >-\n  z\n",
    "a: |2\n    indented\n  less\n",
    "a: >\n  one\n    more indented\n  back\n",
    "a: |\n\n  leading blank\n",
    "a: |\n  trailing\n\n\n",
    "a: |\nb: 1\n",
    "a: >\n\nb: 1\n",
    "- |\n  x\n- >-\n  y\n",
    "a: |1:\n    a\n",
    "a: |1\n    a\n",
    "a: |-2\n    a\n",
    "a: | # c\n  a\n",
    "a: |#c\n  a\n",
    "a: >+ \n  a\n\n",
    "a: |x\n  a\n",
    "a:\n  |\n    a\n",
    "a:\n|\n  a\n",
    "a: x | y\nb: x > y\n",
    # comments
    "a: 1 # one\n# whole line\nb: 'x' # q\nc: x#y\n",
    'a: "x"#c\n',
    "# only a comment\n",
    "",
    "   \n",
    # flow
    "a: [1, 2,]\n",
    "a: {b: 1, c: }\n",
    "a: [b: 1]\n",
    "a: {b, c}\n",
    "a: [a, [b, [c, {d: [e]}]]]\n",
    "{a: 1, b: [x, y]}\n",
    "[1, 2, 3]\n",
    "a: [1, 2\n",
    "a: {b: 1\n",
    "a: [\n  1,\n  2\n]\n",
    "a: {\n  b: 1\n}\n",
    # structure and indentation
    "a: b\n- c\n",
    "a:\n- b\n- c\nd: e\n",
    "a:\n  - b\n  -  c\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n  b: 1\n   c: 2\n",
    "a: b: c\n",
    "a:b\n",
    "a : b\n",
    "a:  b\n",
    "- a: 1\n  b: 2\n- c: 3\n",
    "- 'x' - y\n",
    '- "x"  -  y\n',
    "a:\n- 'x' - y\n",
    "- 'x' -\n",
    "- 'x' : y\n",
    "- 'x' # - y\n",
    "a: 'unterminated\n",
    'a: "unterminated\n',
    "? [a]\n: b\n",
    "? a\n: b\n",
    "just a scalar\n",
    "'quoted scalar'\n",
    "123\n",
    "yes\n",
    "2026-12-31\n",
    "a: -\n",
    "a: - b\n",
    "-a: 1\n",
    "a: [b]c\n",
    "a: {b: c}d\n",
    "key with spaces: value with spaces\n",
    "k" * 1100 + ": v\n",
    "k" * 1020 + ": v\n",
    "k" * 100 + ": v\n",
    "k" * 101 + ": v\n",
    "a:\n  " + "k" * 1030 + ": v\n",
    "- '" + "k" * 1100 + "': v\n",
    "a: " + "v" * 5000 + "\n",
    "k" + " " * 1100 + ": v\n",
    "k" + " " * 63 + ": v\n",
    "a: @x\n",
    "a: `x\n",
    "a: x @y\n",
    "a: |x\n",
    "a: >x\n",
    "a: x |\n",
    "a: ? x\n",
    "? \n",
    "a: 1\n  b: 2\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_documents(text: str) -> None:
    agrees(text)


def test_tricky_documents_are_read_natively_where_plain() -> None:
    taken = [text for text in TRICKY if native(text, True) is not None]
    assert len(taken) > 25
    for text in ["a: yes\n", "a: 1\na: 2\n", "a: &x 1\nb: *x\n", "a: 1e3\n", "1: a\n", "a: ~\n"]:
        assert native(text, True) is None, text
    for text in ["a: '2026-12-31'\n", "a: 2026-12-31\n", "a: 'true'\nb: '1'\n", "a: |\n  x\n"]:
        assert native(text, True) is not None, text
    assert native("a: 2026-12-31\n", False) is None  # a date, not text, without dates_as_text


# --- the claims the checks rest on, over many tokens ---------------------------------------


def written(text: str) -> Any:
    tree = ryml.parse_in_arena(text.encode())
    return ryml.emit_json_malloc(tree, tree.root_id())


def test_json_literal_values_are_written_bare_when_plain() -> None:
    """A JSON string that looks like a JSON number, true, false or null was quoted, when
    rapidyaml writes that text bare as a plain scalar in every context (_written_bare)."""
    tokens = ["true", "false", "null", "0", "-0", "1", "12", "1.5", "-0.5", "1e3", "1E-3", "0e0"]
    tokens += ["".join(t) for n in range(1, 5) for t in itertools.product("01.-e", repeat=n)]
    for token in tokens:
        if not yaml_native._JSON_LITERAL.fullmatch(token) or not yaml_native._written_bare(token):
            continue
        for context in ("- {}\n", "a: {}\n", "[{}]\n", "{{a: {}}}\n", "a:\n  b: {}\n"):
            emitted = written(context.format(token))
            assert f'"{token}"' not in emitted, (context, token, emitted)


def test_number_sources_cover_what_rapidyaml_writes() -> None:
    """Every plain scalar rapidyaml writes as a JSON number is one of _number_sources."""
    checked = 0
    for n in range(1, 6):
        for token in map("".join, itertools.product("01.-+eE9_", repeat=n)):
            try:
                emitted = written(f"- {token}\n")
                value = json.loads(emitted)
            except (ryml.ExceptionBasic, ValueError):
                continue
            if isinstance(value[0], int | float) and not isinstance(value[0], bool):
                number = emitted.strip()[1:-1].strip()
                assert token in yaml_native._number_sources(number), (token, number)
                checked += 1
    assert checked > 500


RESOLVERS = sorted(
    {
        (tag, rx.pattern, rx.flags)
        for rs in read._LOADER.yaml_implicit_resolvers.values()
        for tag, rx in rs
    }
)


@pytest.mark.parametrize("resolver", RESOLVERS, ids=[r[0].rsplit(":", 1)[-1] for r in RESOLVERS])
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_text_a_resolver_types_is_found_typable(
    resolver: tuple[str, str, int], data: st.DataObject
) -> None:
    """_TYPABLE finds, as a JSON string, every text an implicit resolver types."""
    _, pattern, flags = resolver
    text = data.draw(st.from_regex(re.compile(pattern, flags), fullmatch=True))
    if "\n" in text or "\t" in text:
        return  # a plain scalar holds neither (and the text checks refuse tabs)
    emitted = json.dumps({"k": text, "l": [text]}, ensure_ascii=False)
    found = yaml_native._TYPABLE.findall(emitted)
    assert (text, "") in found, (text, found)
    emitted_key = json.dumps({text: 1}, ensure_ascii=False)
    assert (text, ":") in yaml_native._TYPABLE.findall(emitted_key)


def test_plain_strings_are_written_as_they_read_or_refused() -> None:
    """A plain scalar rapidyaml writes as a string is written as its own text, or as a text the
    checks refuse (inf -> .inf)."""
    alphabet = "aeinfuoltrsyYNT~.-+_:0159 x"
    for n in range(1, 4):
        for token in map("".join, itertools.product(alphabet, repeat=n)):
            if token != token.strip() or token.startswith(("-", ":", "~ ")):
                continue
            try:
                value = json.loads(written(f"a: {token}\n"))
            except (ryml.ExceptionBasic, ValueError):
                continue
            if isinstance(value, dict) and isinstance(value.get("a"), str) and value["a"] != token:
                loader = read._LOADER("")
                tag = loader.resolve(yaml.ScalarNode, value["a"], (True, False))
                assert tag != read._STR, (token, value)


# --- generated documents ----------------------------------------------------------------------

WORDS = [
    "a",
    "payments.*",
    "User:app",
    "yes",
    "No",
    "on",
    "~",
    "null",
    "Null",
    "true",
    "True",
    "1",
    "01",
    "1.5",
    ".5",
    "1.",
    "1e3",
    "1_0",
    "0x1F",
    "1:30",
    ".inf",
    "inf",
    "2026-12-31",
    "2026-12-31T10:00:00Z",
    "2026-13-45",
    "<<",
    "=",
    "",
    "it's",
    'say "x"',
    "a b",
    "a: b",
    "a #b",
    "x-y",
    "café",
    "-",
    "- a",
    "[a]",
    "{a}",
    "a,b",
    "?",
    "*",
    "&",
    "!",
    "%",
    "@",
    "0",
    "-0",
    "-0.0",
    "9" * 25,
]
SCALAR_TEXT = st.one_of(st.sampled_from(WORDS), st.text("ab1.-: e#'\"", max_size=6))
# texts a plan holds (read natively most of the time): words, numbers, dates, punctuation
PLAIN_TEXT = st.one_of(
    st.sampled_from(["payments.*", "User:app", "team-a", "1", "1.5", "2026-12-31", "it's", "é"]),
    st.text("abcxyz0129 .-_:/#'\"é", min_size=1, max_size=12),
)


KEYS = st.one_of(
    st.sampled_from(["a", "b", "yes", "1", "'1'", "2026-12-31", "name", "last_rehearsal"]),
    st.text("abcxyz_-", min_size=1, max_size=8),
)
STYLES = st.sampled_from(["plain", "plain", "plain", "single", "double", "literal", "folded"])


@st.composite
def _scalars(draw: Any, indent: int, words: Any) -> str:
    """A scalar in one of the styles, some on several lines (folded, block, blank lines)."""
    lines: list[str] = draw(st.lists(words, min_size=1, max_size=3))
    style = draw(STYLES)
    pad = " " * (indent + 2)
    if style in ("literal", "folded"):
        header: str = ("|" if style == "literal" else ">") + draw(st.sampled_from(["", "-", "+"]))
        body = [
            pad + draw(st.sampled_from(["", "", "  ", " "])) + line if line.strip() else ""
            for line in lines
        ]
        if draw(st.booleans()):
            body.insert(draw(st.integers(0, len(body))), "")
        return header + "\n" + "\n".join(body) + "\n"
    if style == "single":
        lines = ["'" + lines[0].replace("'", "''"), *(x.replace("'", "''") for x in lines[1:])]
        lines[-1] += "'"
    elif style == "double":
        lines = ['"' + lines[0].replace('"', "'"), *(x.replace('"', "'") for x in lines[1:])]
        lines[-1] += '"'
    separator: str = "\n" + draw(st.sampled_from(["", "\n"])) + pad
    return separator.join(lines)


@st.composite
def yaml_text(
    draw: Any, depth: int = 0, indent: int = 0, words: Any = SCALAR_TEXT, keys: Any = None
) -> str:
    kinds = ["map", "seq"] if depth == 0 else ["map", "seq", "flow", "scalar", "scalar"]
    kind = draw(st.sampled_from(kinds if depth < 3 else ["scalar", "flow"]))
    pad = " " * indent
    if kind == "scalar":
        scalar: str = draw(_scalars(indent, words))
        return scalar
    if kind == "flow":
        items = draw(st.lists(words, max_size=3 if keys is None else 0))
        if draw(st.booleans()):
            return "[" + ", ".join(items) + "]"
        return "{" + ", ".join(f"{k}: {k}" for k in items) + "}"
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        child = draw(yaml_text(depth + 1, indent + 2, words, keys))
        nested = child.startswith(pad + "  ")  # a map or a list: on the lines below
        head = f"{pad}-" if kind == "seq" else f"{pad}{draw(KEYS if keys is None else keys)}:"
        lines.append(head + ("\n" if nested else " ") + child.rstrip("\n"))
        if draw(st.integers(0, 5)) == 0:
            lines.append(pad + "# comment")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(yaml_text())
def test_generated_documents(text: str) -> None:
    agrees(text)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(yaml_text(words=PLAIN_TEXT, keys=KEYS))
def test_generated_plan_like_documents(text: str) -> None:
    agrees(text)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    yaml_text(),
    st.lists(
        st.tuples(
            st.integers(0, 10_000), st.integers(0, 2), st.sampled_from(list(" \n-:#'\"[]{},?|>a1"))
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_mutated_documents(text: str, edits: list[tuple[int, int, str]]) -> None:
    """Inserted, deleted and replaced characters: mostly invalid YAML, which must never be read
    natively where PyYAML refuses it."""
    for at, how, char in edits:
        at %= len(text) + 1
        if how == 0:
            text = text[:at] + char + text[at:]
        elif how == 1:
            text = text[:at] + text[at + 1 :]
        else:
            text = text[:at] + char + text[at + 1 :]
    agrees(text)


def test_mutated_plan_lines() -> None:
    """Each line of a real plan indented one column more or less, or cut in half."""
    lines = (ROOT / "fixtures" / "estate" / "ready" / "failback.yaml").read_text().splitlines()
    for i in range(len(lines)):
        for changed in (" " + lines[i], lines[i][1:], lines[i][: len(lines[i]) // 2]):
            agrees("\n".join([*lines[:i], changed, *lines[i + 1 :]]) + "\n")


# --- limits -------------------------------------------------------------------------------------


def test_deep_nesting_is_left_to_pyyaml() -> None:
    for depth in (30, 60, 120, 400):
        block = "".join(" " * (2 * i) + "a:\n" for i in range(depth)) + " " * (2 * depth) + "b\n"
        flow = "[" * depth + "]" * depth + "\n"
        seqs = "- " * depth + "x\n"
        for text in (block, flow, seqs):
            got = native(text, True)
            if depth >= 60:
                assert got is None, text[:40]
            agrees(text)


def test_the_node_count_is_pyyamls(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a:\n- 1\n- b: c\n  d: []\nd:\n  e: f\n  g:\n  - h\n"
    want = read._expanded_size(pyyaml(text, True)[1], {}, 10**9)
    assert native(text, True, want) is not None
    assert native(text, True, want - 1) is None


def test_another_thread_leaves_the_text_to_pyyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    monkeypatch.undo()  # the real condition: silencing fd 2 would silence the other thread too
    text = "a: 1\nb:\n- c\n"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert threading.active_count() > 1
        assert native(text, True) is None
    finally:
        stop.set()
        other.join()
    if threading.active_count() == 1:  # a suite may still hold threads of its own
        assert native(text, True) == [{"a": 1, "b": ["c"]}]


def test_the_implicit_resolvers_are_the_loaders() -> None:
    assert read._LOADER.yaml_implicit_resolvers == yaml_native._RESOLVERS


def test_nothing_is_printed_on_a_refused_text(capfd: pytest.CaptureFixture[str]) -> None:
    assert native("a: [1\n", True) is None
    assert native("a: 'x\n", True) is None
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


# --- through parse_yaml ---------------------------------------------------------------------


def large_plan(tmp_path: Path, families: int = 300) -> str:
    from benchmarks.estate import many_families

    plan = many_families(tmp_path / "plan", families, ROOT / "fixtures" / "estate" / "ready")
    return plan.read_text()


def test_a_large_plan_is_read_natively(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = large_plan(tmp_path)
    assert len(text) >= read.NATIVE_MIN_CHARS
    assert native(text, True) is not None

    def refuse(*_: Any) -> Any:
        raise AssertionError("PyYAML's path ran")

    want = pyyaml(text, True)
    monkeypatch.setattr(read, "_load_all", refuse)
    assert same(read.parse_yaml(text, "plan", "plan", dates_as_text=True), want[1])


def test_a_large_invalid_plan_has_pyyamls_error(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = large_plan(tmp_path) + "broken: [1\n"
    with pytest.raises(InputError) as caught:
        read.parse_yaml(text, "plan.yaml", "plan", dates_as_text=True)
    want = pyyaml(text, True)
    assert want[0] == "error"
    assert "is not valid YAML" in str(caught.value)
    assert capfd.readouterr().err == ""


def test_small_documents_do_not_import_rapidyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: Any) -> Any:
        raise AssertionError("the native reading ran")

    monkeypatch.setattr(yaml_native, "document", refuse)
    text = (ROOT / "fixtures" / "estate" / "ready" / "failback.yaml").read_text()
    assert read.parse_yaml(text, "plan", "plan", dates_as_text=True) is not None
