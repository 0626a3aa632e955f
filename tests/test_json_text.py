"""checker.reports.json_text.dumps writes what json.dumps(value, indent=2, sort_keys=True)
writes, and raises what it raises."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.reports import json_text

from .conftest import ESTATE

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
KEYS = st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.tuples(children, children)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)


def expected(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_same_text_as_json_dumps(value: Any) -> None:
    assert json_text.dumps(value) == expected(value)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, SCALARS, max_size=3))
def test_same_keys_as_json_dumps(value: dict[Any, Any]) -> None:
    try:
        want = expected(value)
    except TypeError as exc:  # keys of types that do not sort together
        with pytest.raises(TypeError, match=str(exc)):
            json_text.dumps(value)
        return
    assert json_text.dumps(value) == want


@settings(max_examples=200, deadline=None)
@given(st.lists(st.permutations(["rule", "area", "b", "a", "é", ""]), max_size=6), VALUES)
def test_maps_of_one_shape_in_any_key_order(orders: list[list[str]], leaf: Any) -> None:
    """Maps of the same keys, inserted in different orders and at different depths (each
    shape's sorted layout is kept across calls)."""
    maps = [{key: [leaf, index] for key in order} for index, order in enumerate(orders)]
    value = [maps, {"nested": maps}, {"a": {"b": maps}}]
    assert json_text.dumps(value) == expected(value)
    assert json_text.dumps(value) == expected(value)


@pytest.mark.parametrize(
    "value",
    [
        {"a": {1, 2}},
        [date(2026, 1, 1)],
        {(1, 2): "tuple key"},
        {"a": 1, 2: "b"},
    ],
)
def test_what_json_refuses_is_refused_alike(value: Any) -> None:
    with pytest.raises(TypeError) as want:
        expected(value)
    with pytest.raises(TypeError) as got:
        json_text.dumps(value)
    assert str(got.value) == str(want.value)


def test_the_json_report_of_the_fixtures() -> None:
    from checker.engines.embedded import EmbeddedEngine
    from checker.evaluate import check
    from checker.plan import load_plan
    from checker.policy.locate import load_policies
    from checker.reports.json_report import document
    from checker.snapshot import load_snapshot

    engine = EmbeddedEngine()
    engine.load(load_policies())
    for name in ("ready", "faulted", "gaps"):
        plan = load_plan(ESTATE / name / "failback.yaml")
        assert plan.primary.snapshot is not None and plan.secondary.snapshot is not None
        report = check(
            plan,
            load_snapshot(plan.primary.snapshot),
            load_snapshot(plan.secondary.snapshot),
            ["failback", "normal"],
            engine,
            datetime(2026, 11, 29, tzinfo=UTC),
            "high",
        )
        doc = document(report)
        assert json_text.dumps(doc) == expected(doc)
