"""The diff's deepdiff-free fast path gives exactly deepdiff's changes (deepdiff orders report
kinds by set iteration, so the changes are compared as sorted lists)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import diff as diff_module
from checker.diff import diff
from checker.model import Change

from .conftest import ESTATE

KEYS = st.sampled_from(["a", "b", "c", "d", "e", "f"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.sampled_from([0.0, 1.0, 2.5]),
    st.sampled_from(["", "x", "y"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.dictionaries(KEYS, inner, max_size=5),
        st.lists(inner, max_size=3),
    ),
    max_leaves=12,
)
MAPPINGS = st.dictionaries(KEYS, VALUES, max_size=6)


def _rows(changes: list[Change]) -> list[str]:
    return sorted(json.dumps(c.as_dict(), sort_keys=True) for c in changes)


def _both(a: Any, b: Any) -> tuple[list[Change], list[Change]]:
    fast = list(diff_module._deep("cluster", "k", ["k"], a, b))
    slow = list(diff_module._deepdiff("cluster", "k", ["k"], a, b))
    return fast, slow


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MAPPINGS, MAPPINGS)
def test_fast_path_matches_deepdiff(a: dict[str, Any], b: dict[str, Any]) -> None:
    fast, slow = _both(a, b)
    assert _rows(fast) == _rows(slow)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MAPPINGS, st.data())
def test_fast_path_matches_deepdiff_on_small_edits(a: dict[str, Any], data: st.DataObject) -> None:
    b = json.loads(json.dumps(a))
    for _ in range(data.draw(st.integers(0, 3))):
        b[data.draw(KEYS)] = data.draw(VALUES)
    if b and data.draw(st.booleans()):
        del b[data.draw(st.sampled_from(sorted(b)))]
    fast, slow = _both(a, b)
    assert _rows(fast) == _rows(slow)


def test_type_changes_and_the_shared_key_threshold() -> None:
    fast, slow = _both({"x": 1, "y": True, "z": {"q": 1}}, {"x": 1.0, "y": 1, "z": {"r": 1}})
    assert _rows(fast) == _rows(slow)
    assert [(c.path, c.kind) for c in fast] == [
        ("cluster/k/x", "changed"),
        ("cluster/k/y", "changed"),
        ("cluster/k/z", "changed"),
    ]


def test_fixture_estates_diff_the_same_with_and_without_the_fast_path(
    monkeypatch: Any,
) -> None:
    from checker.normalize import normalize_pair
    from checker.plan import load_plan
    from checker.snapshot import load_snapshot

    plan = load_plan(ESTATE / "faulted" / "failback.yaml")
    assert plan.primary.snapshot is not None and plan.secondary.snapshot is not None
    normalized = normalize_pair(
        plan, load_snapshot(plan.primary.snapshot), load_snapshot(plan.secondary.snapshot)
    )
    fast = diff(normalized.primary, normalized.secondary)
    monkeypatch.setattr(diff_module, "_deep", diff_module._deepdiff)
    slow = diff(normalized.primary, normalized.secondary)
    assert fast and _rows(fast) == _rows(slow)
