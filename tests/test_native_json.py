"""checker.io.native_json: orjson's text only where it is json's (the indented report text byte
for byte, the engine input's value), None otherwise; taken on the inputs and reports the
checker makes, not for small values (orjson's import would cost the pre-commit hook)."""

from __future__ import annotations

import enum
import json
import marshal
import math
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.io import native_json

from .conftest import ESTATE, ROOT


class Colour(enum.Enum):
    RED = 1


class Level(enum.IntEnum):
    HIGH = 3


class Kind(enum.StrEnum):
    TOPIC = "TOPIC"


class Text(str):
    pass


class Map(dict[str, Any]):
    pass


@dataclass
class Point:
    x: int = 1


EDGE_FLOATS = (
    st.sampled_from(
        [
            math.nan,
            math.inf,
            -math.inf,
            0.0,
            -0.0,
            1e-7,
            1e-5,
            1.5e-5,
            9.999999999999999e-05,
            0.0001,
            0.00012,
            0.001,
            5e-324,
            1e16,
            1e22,
            1.7976931348623157e308,
            0.1,
        ]
    )
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.floats(min_value=-1e-3, max_value=1e-3)
)
EDGE_TEXT = st.text() | st.sampled_from(["é", "\x7f", "\ud800", "a\udc00b", "\x00\x1f\b", "𝄞", ""])
EDGE_INTS = st.integers() | st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63) - 1])
ODD = st.sampled_from(
    [Colour.RED, Level.HIGH, Kind.TOPIC, Text("t"), Map(a=1), Point(), date(2026, 1, 1), (1, "a")]
)
SCALARS = st.none() | st.booleans() | EDGE_INTS | EDGE_FLOATS | EDGE_TEXT | ODD
KEYS = EDGE_TEXT | st.integers() | st.booleans() | st.none() | st.sampled_from([Kind.TOPIC, 1.5])
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(EDGE_TEXT, children, max_size=4)
        | st.dictionaries(KEYS, children, max_size=2)
    ),
    max_leaves=30,
)
# what the checker's documents hold: no NaN, enum or subclass, mostly ASCII; floats with an
# exponent (1e+17) go to json too, though orjson spells those alike
PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(min_value=1e-3, max_value=1e15)
    | st.text(st.characters(min_codepoint=32, max_codepoint=126)),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(max_codepoint=126), max_size=5), children)
    ),
    max_leaves=30,
)


def _indent_json(value: Any) -> str | None:
    try:
        return json.dumps(value, indent=2, sort_keys=True)
    except (TypeError, ValueError):
        return None


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, max_size=3) | st.dictionaries(EDGE_TEXT, VALUES, max_size=3))
def test_indented_is_json_text_or_none(value: Any) -> None:
    text = native_json.indented(value, minimum=0)
    if text is not None:
        assert text == json.dumps(value, indent=2, sort_keys=True)


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES, max_size=3) | st.dictionaries(EDGE_TEXT, VALUES, max_size=3))
def test_compact_is_json_value_or_none(value: Any) -> None:
    text = native_json.compact(value, minimum=0)
    if text is not None:
        # the same JSON value: json reads both to what json.dumps writes again alike (floats
        # spelled alike, keys in the same order, strings escaped or not)
        want = json.dumps(value)
        assert json.dumps(json.loads(text)) == want
        assert json.loads(text) == json.loads(want)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN, max_size=3) | st.dictionaries(st.text(max_size=5), PLAIN, max_size=3))
def test_plain_values_take_the_fast_path(value: Any) -> None:
    text = native_json.indented(value, minimum=0)
    if any(ord(c) > 126 for c in json.dumps(value, ensure_ascii=False)):
        return  # non-ASCII or DEL in a key: json escapes it, orjson does not
    if native_json._UNSHARED_FLOAT.search(marshal.dumps(value, 1)):
        # a string whose marshal text reads like a float orjson spells otherwise ("f\x18n"):
        # refused, so json writes it (slower, never different)
        assert text is None
        assert native_json.compact(value, minimum=0) is None
        return
    assert text == json.dumps(value, indent=2, sort_keys=True)
    assert native_json.compact(value, minimum=0) is not None


def test_a_string_reading_like_a_float_in_marshal_text_goes_the_json_way() -> None:
    value = {"f\x18n": 0}  # hypothesis found it: marshal writes the key as b"f\x18n"
    assert native_json.compact(value, minimum=0) is None
    assert native_json.dumps(value, json.dumps) == json.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        [math.nan],
        [math.inf],
        {"a": -math.inf},
        [1e-7],
        [1e-5],
        [0.0001],
        ["é"],
        ["\x7f"],
        {"é": 1},
        ["\ud800"],
        [2**64],
        [-(2**63) - 1],
        [Colour.RED],
        [Level.HIGH],
        [Kind.TOPIC],
        [Text("t")],
        [Map(a=1)],
        Map(a=1),
        [Point()],
        [date(2026, 1, 1)],
        [datetime(2026, 1, 1, tzinfo=UTC)],
        {1: "int key"},
        {None: "null key"},
        [{1, 2}],
        [b"bytes"],
        [1j],
    ],
)
def test_what_orjson_writes_otherwise_goes_to_json(value: Any) -> None:
    assert native_json.indented(value, minimum=0) is None
    if value in (["é"], ["\x7f"], {"é": 1}):  # the same strings, escaped or not
        assert json.loads(native_json.compact(value, minimum=0) or "") == value
    else:
        assert native_json.compact(value, minimum=0) is None


def test_spelled_alike_floats_and_ints() -> None:
    value = [0.0, -0.0, 0.001, 0.1, 1.5, 1e15 + 0.5, 9e15, 2**64 - 1, -(2**63)]
    assert native_json.indented(value, minimum=0) == json.dumps(value, indent=2, sort_keys=True)
    for exponent in (1e17, 1e22, 1.7976931348623157e308):  # spelled alike, but not proven
        assert native_json.indented([*value, exponent], minimum=0) is None


def test_small_values_are_left_to_json() -> None:
    small = {"a": list(range(10))}
    assert native_json.indented(small) is None
    assert native_json.compact(small) is None
    # a JSON report's scorecard cells, four levels down, a few MB of them
    cells = [
        {"family": f"family-{i:06d}", "phase": "failback", "reasons": ["no rehearsal"]}
        for i in range(native_json.NATIVE_MIN_BYTES // 50)
    ]
    report = {"decisions": [{"phase": "failback", "scorecard": cells}], "tool": "failback"}
    assert native_json.indented(report) == json.dumps(report, indent=2, sort_keys=True)
    assert native_json.compact(report) is not None
    assert native_json.indented({"decisions": [{"scorecard": cells[:1000]}]}) is None


def _fixture_run(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The engine input and the JSON report document of a fixture estate."""
    from checker.engines.embedded import EmbeddedEngine
    from checker.evaluate import build_input, check
    from checker.normalize import normalize_pair
    from checker.plan import load_plan
    from checker.policy.locate import load_policies
    from checker.reports.json_report import document
    from checker.snapshot import load_snapshot

    engine = EmbeddedEngine()
    engine.load(load_policies())
    plan = load_plan(ESTATE / name / "failback.yaml")
    assert plan.primary.snapshot is not None and plan.secondary.snapshot is not None
    primary = load_snapshot(plan.primary.snapshot)
    secondary = load_snapshot(plan.secondary.snapshot)
    now = datetime(2026, 11, 29, tzinfo=UTC)
    report = check(plan, primary, secondary, ["failback", "normal"], engine, now, "high")
    normalized = normalize_pair(plan, primary, secondary)
    from checker.diff import diff

    changes = diff(normalized.primary, normalized.secondary)
    return build_input(plan, normalized, changes, "failback", now, "high"), document(report)


@pytest.mark.parametrize("name", ["ready", "faulted", "gaps"])
def test_the_fast_path_is_taken_on_the_checkers_documents(name: str) -> None:
    """The engine input and the JSON report of the fixture estates hold nothing that sends
    them to json (a large estate's are the same shapes, more of them)."""
    import regorus

    document, report = _fixture_run(name)
    text = native_json.indented(report, minimum=0)
    assert text is not None
    assert text == json.dumps(report, indent=2, sort_keys=True)
    compact = native_json.compact(document, minimum=0)
    assert compact is not None
    # the engine reads the same input from both texts
    engine = regorus.Engine()
    engine.add_policy("echo.rego", "package echo\nx := input\n")
    engine.set_input_json(compact)
    fast = engine.eval_rule_as_json("data.echo.x")
    engine.set_input_json(json.dumps(document, check_circular=False))
    assert fast == engine.eval_rule_as_json("data.echo.x")


def test_the_pre_commit_path_does_not_import_orjson() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['failback', 'check', '--format', 'json']\n"
        "from checker.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('orjson' in sys.modules, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ESTATE / "faulted",
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stderr.strip().splitlines()[-1] == "False", done.stderr
