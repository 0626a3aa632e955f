"""The keyed diff's one pass over the primary gives the changes the set-arithmetic way gave
(removed, added, then changed keys, each sorted), whatever the keys the two sides share, lack,
hold alike, hold as one object or hold differently."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import diff as diff_module
from checker.diff import _deep, _path
from checker.model import Change


def _keyed_by_sets(area: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> Iterator[Change]:
    """The way `_keyed` worked before (set arithmetic over the keys), kept as the reference."""
    for key in sorted(a.keys() - b.keys()):
        yield Change(area, key, _path([area, key]), "removed", a[key], None)
    for key in sorted(b.keys() - a.keys()):
        yield Change(area, key, _path([area, key]), "added", None, b[key])
    for key in sorted(k for k in a.keys() & b.keys() if a[k] is not b[k] and a[k] != b[k]):
        if isinstance(a[key], dict) and isinstance(b[key], dict):
            yield from _deep(area, key, [key], a[key], b[key])
        else:
            yield Change(area, key, _path([area, key]), "changed", a[key], b[key])


KEYS = st.text(alphabet="abcde|:", min_size=1, max_size=4)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "x"]))
VALUES = st.one_of(
    SCALARS,
    st.dictionaries(st.sampled_from(["p", "q", "r"]), SCALARS, max_size=3),
    st.lists(SCALARS, max_size=2),
)
# what the secondary does with each of the primary's keys
FATES = st.sampled_from(["shared", "copied", "dropped", "changed"])


@st.composite
def _sides(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    a = draw(st.dictionaries(KEYS, VALUES, max_size=12))
    b: dict[str, Any] = {}
    for key, value in a.items():
        fate = draw(FATES)
        if fate == "shared":
            b[key] = value  # one object on both sides, as normalisation shares records
        elif fate == "copied":
            b[key] = copy.deepcopy(value)  # alike, another object
        elif fate == "changed":
            b[key] = draw(VALUES)  # may still come out equal
    for key, value in draw(st.dictionaries(KEYS, VALUES, max_size=4)).items():
        b.setdefault(key, value)  # keys only the secondary holds
    if draw(st.booleans()):  # the secondary's keys in another order
        b = dict(reversed(list(b.items())))
    return a, b


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sides())
def test_keyed_diff_matches_the_set_arithmetic_way(
    sides: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    a, b = sides
    assert list(diff_module._keyed("grants", a, b)) == list(_keyed_by_sets("grants", a, b))
    assert list(diff_module._keyed("grants", b, a)) == list(_keyed_by_sets("grants", b, a))


def test_keyed_diff_hand_made_cases() -> None:
    shared = {"x": 1}
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({}, {}),
        ({"a": 1}, {}),
        ({}, {"a": 1}),
        ({"a": shared, "b": {"x": 1}}, {"a": shared, "b": {"x": 1}}),  # nothing differs
        ({"a": 1, "b": 2}, {"b": 3, "c": 4}),  # removed, added and changed at once
        ({"a": None}, {"b": None}),  # None is a value, not a missing key
        ({"a": 1}, {"a": True}),  # equal under ==: no change, as before
        ({"a": {"x": 1}}, {"a": {"x": 2, "y": 1}}),
        ({"a": [1]}, {"a": [2]}),
    ]
    for a, b in cases:
        assert list(diff_module._keyed("topics", a, b)) == list(_keyed_by_sets("topics", a, b))
