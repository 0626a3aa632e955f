"""native_json.dumps, the one place that picks orjson's text or the caller's json, and `small`,
the count that spares small values the marshal pass: the text is the caller's json's whatever
the path, the fixture estates' inputs are taken as small (json writes them without the pass),
and large inputs and reports of the checker's shapes are not."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.io import native_json

from .conftest import ESTATE

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=30,
)


def _indented(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)


def _compact(value: Any) -> str:
    return json.dumps(value, check_circular=False)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from([0, 1, native_json.NATIVE_MIN_BYTES]))
def test_dumps_is_the_callers_json(value: Any, minimum: int) -> None:
    indented = native_json.dumps(value, _indented, indent=True, minimum=minimum)
    assert indented == _indented(value)
    compact = native_json.dumps(value, _compact, minimum=minimum)
    assert json.loads(compact) == json.loads(_compact(value)) or value != value


def test_dumps_hands_what_orjson_may_not_write_to_the_fallback() -> None:
    seen: list[Any] = []

    def fallback(value: Any) -> str:
        seen.append(value)
        return "fallback"

    assert native_json.dumps([float("nan")], fallback, minimum=0) == "fallback"
    assert native_json.dumps({"a": "é"}, fallback, indent=True, minimum=0) == "fallback"
    assert native_json.dumps({"a": 1}, fallback) == "fallback"  # small
    assert native_json.dumps({"a": 1}, fallback, minimum=0) == '{"a":1}'
    assert len(seen) == 3


def _rows(count: int) -> list[dict[str, Any]]:
    return [
        {"family": f"family-{i:06d}", "phase": "failback", "reasons": ["x"]} for i in range(count)
    ]


def test_small_counts_members_four_levels_down() -> None:
    minimum = native_json.NATIVE_MIN_BYTES
    few = minimum // native_json._MEMBER_BYTES
    assert native_json.small({"a": list(range(10))}, minimum)
    assert not native_json.small(list(range(few)), minimum)
    # a report's scorecard: the cells' list four levels down
    report = {"decisions": [{"scorecard": _rows(few)}]}
    assert not native_json.small(report, minimum)
    assert native_json.small({"decisions": [{"scorecard": _rows(100)}]}, minimum)
    # an input's families three levels down
    assert not native_json.small({"plan": {"families": {f"f{i}": {} for i in range(few)}}}, minimum)
    # minimum 0: never small (the tests' way to take the fast path on small values)
    assert not native_json.small({}, 0)


def _fixture_input(name: str) -> dict[str, Any]:
    from checker.diff import diff
    from checker.evaluate import build_input
    from checker.normalize import normalize_pair
    from checker.plan import load_plan
    from checker.snapshot import load_snapshot

    plan = load_plan(ESTATE / name / "failback.yaml")
    assert plan.primary.snapshot is not None and plan.secondary.snapshot is not None
    normalized = normalize_pair(
        plan, load_snapshot(plan.primary.snapshot), load_snapshot(plan.secondary.snapshot)
    )
    changes = diff(normalized.primary, normalized.secondary)
    now = datetime(2026, 11, 29, tzinfo=UTC)
    return build_input(plan, normalized, changes, "failback", now, "high")


@pytest.mark.parametrize("name", ["ready", "faulted", "gaps"])
def test_the_fixture_inputs_are_taken_as_small(name: str) -> None:
    document = _fixture_input(name)
    assert native_json.small(document, native_json.NATIVE_MIN_BYTES)
    assert native_json.dumps(document, _compact) == _compact(document)


def test_a_large_input_is_not_taken_as_small() -> None:
    """An input of many families (each a few hundred bytes) past the size orjson pays from."""
    document = _fixture_input("ready")
    family = next(iter(document["plan"]["families"].values()))
    count = native_json.NATIVE_MIN_BYTES // len(json.dumps(family)) + 1
    document["plan"]["families"] = {f"family-{i}": family for i in range(count)}
    assert not native_json.small(document, native_json.NATIVE_MIN_BYTES)
    text = native_json.dumps(document, _compact)
    assert json.loads(text) == json.loads(_compact(document))
