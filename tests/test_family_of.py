"""Plan.family_of (literal-prefix index, then fnmatchcase) answers what the one alternation of
every family's globs answered: the first family in plan order with a glob that matches."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import replace

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.plan import Family, Plan, parse_plan

from .conftest import ESTATE

BASE = parse_plan(yaml.safe_load((ESTATE / "ready" / "failback.yaml").read_text()), "plan", None)
GLOB = st.text(alphabet="ab.-*?[]!", max_size=6)
TOPIC = st.text(alphabet="ab.-*?[]!c", max_size=8)


def alternation(plan: Plan, topic: str) -> str | None:
    """The way family_of worked before the index (one compiled alternation)."""
    groups = [
        f"(?P<f{index}>{'|'.join(fnmatch.translate(g) for g in family.match)})"
        for index, family in enumerate(plan.families)
    ]
    match = re.compile("|".join(groups) or "(?!)").match(topic)
    if match is None or match.lastgroup is None:
        return None
    return plan.families[int(match.lastgroup[1:])].name


def with_families(globs: list[list[str]]) -> Plan:
    families = tuple(
        Family(name=f"f{index}", match=tuple(match), document={})
        for index, match in enumerate(globs)
    )
    return replace(BASE, families=families)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(GLOB, min_size=1, max_size=3), max_size=6), st.lists(TOPIC, max_size=8))
def test_family_of_matches_the_alternation(globs: list[list[str]], topics: list[str]) -> None:
    plan = with_families(globs)
    for topic in topics:
        assert plan.family_of(topic) == alternation(plan, topic), (globs, topic)


def test_family_of_on_the_fixture_plan() -> None:
    topics = ["payments.orders", "integrations.x", "connect-offsets-payments", "", "zzz", "a*"]
    for topic in topics:
        assert BASE.family_of(topic) == alternation(BASE, topic)


def test_the_first_family_in_plan_order_wins_whatever_its_prefix() -> None:
    plan = with_families([["*x"], ["ax"], ["a*"]])
    assert plan.family_of("ax") == "f0"
    assert plan.family_of("ab") == "f2"
    assert plan.family_of("b") is None
