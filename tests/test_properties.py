"""Property tests (hypothesis): normalisation, diff and evaluation are order-free and stable."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.diff import diff
from checker.engines.embedded import EmbeddedEngine
from checker.evaluate import build_input
from checker.grants import ACL_FIELDS
from checker.identity import Canon
from checker.normalize import normalize_pair
from checker.plan import parse_plan
from checker.policy.locate import ENTRYPOINT, load_policies
from checker.snapshot import parse_snapshot

from .conftest import ESTATE

NOW = datetime(2026, 11, 29, tzinfo=UTC)
PLAN = json.loads(
    json.dumps(
        __import__("yaml").safe_load((ESTATE / "faulted" / "failback.yaml").read_text()),
        default=str,
    )
)
PRIMARY = json.loads((ESTATE / "faulted" / "us-east-1.json").read_text())
SECONDARY = json.loads((ESTATE / "faulted" / "us-west-2.json").read_text())
LISTS = (
    ("acls",),
    ("iam_grants",),
    ("quotas",),
    ("replication",),
    ("network", "ingress"),
    ("audit", "broker_logs"),
    ("storage",),
    ("gaps",),
)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ENGINE = EmbeddedEngine()
ENGINE.load(load_policies())


def shuffled(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    for path in LISTS:
        holder = copy
        for key in path[:-1]:
            holder = holder.get(key, {})
        if isinstance(holder.get(path[-1]), list):
            rng.shuffle(holder[path[-1]])
    # dict order must not matter either
    copy["topics"] = dict(rng.sample(list(copy["topics"].items()), len(copy["topics"])))
    return dict(copy)


def normalized(plan: dict[str, Any], primary: dict[str, Any], secondary: dict[str, Any]) -> Any:
    return normalize_pair(
        parse_plan(plan, "plan"), parse_snapshot(primary, "p"), parse_snapshot(secondary, "s")
    )


def drifted(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    for _ in range(rng.randint(0, 20)):
        if copy["acls"]:
            copy["acls"].pop(rng.randrange(len(copy["acls"])))
    for topic in rng.sample(sorted(copy["topics"]), rng.randint(0, 5)):
        copy["topics"][topic]["configs"]["retention.ms"] = str(rng.randint(1, 10**9))
    copy["encryption"]["in_transit"]["in_cluster"] = rng.random() < 0.5
    return dict(copy)


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_normalisation_is_deterministic_and_order_free(rng: random.Random) -> None:
    expected = normalized(PLAN, PRIMARY, SECONDARY)
    again = normalized(PLAN, shuffled(PRIMARY, rng), shuffled(SECONDARY, rng))
    for role in ("primary", "secondary"):
        # (a region's grants are a Mapping whose records are worked out when read: all here)
        text = json.dumps(getattr(again, role), sort_keys=True, default=dict)
        assert text == json.dumps(getattr(expected, role), sort_keys=True, default=dict)
    assert again.flows == expected.flows


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_diff_of_a_snapshot_with_itself_is_empty(rng: random.Random) -> None:
    side = drifted(PRIMARY, rng)
    n = normalized(PLAN, side, {**side, "region": "us-west-2"})
    assert diff(n.primary, n.secondary) == []


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_diff_mirrors(rng: random.Random) -> None:
    left, right = drifted(PRIMARY, rng), drifted(SECONDARY, rng)
    n = normalized(PLAN, left, right)
    forward = {
        (
            c.path,
            c.kind,
            json.dumps(c.primary, sort_keys=True),
            json.dumps(c.secondary, sort_keys=True),
        )
        for c in diff(n.primary, n.secondary)
    }
    flip = {"added": "removed", "removed": "added", "changed": "changed"}
    backward = {
        (
            c.path,
            flip[c.kind],
            json.dumps(c.secondary, sort_keys=True),
            json.dumps(c.primary, sort_keys=True),
        )
        for c in diff(n.secondary, n.primary)
    }
    assert forward == backward


arn_parts = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)


cluster_arns = st.builds(
    lambda r, n, u: f"arn:aws:kafka:{r}:111122223333:cluster/{n}/{u}",
    arn_parts,
    arn_parts,
    arn_parts,
)
role_arns = st.builds(lambda n: f"arn:aws:iam::111122223333:role/{n}", arn_parts)


@SETTINGS
@given(
    st.lists(st.tuples(arn_parts, arn_parts), max_size=6),
    st.lists(st.one_of(arn_parts, cluster_arns, role_arns), max_size=10),
)
def test_equivalences_applied_twice_change_nothing(
    pairs: list[tuple[str, str]], values: list[str]
) -> None:
    canonical_names = {f"canon-{b}" for _, b in pairs}
    table = {a: f"canon-{b}" for a, b in pairs if a not in canonical_names}
    canon = Canon(table)
    for value in values + [a for a, _ in pairs]:
        once = canon.text(value)
        assert canon.text(once) == once


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.sampled_from(["normal", "failback", "cleanup"]))
def test_findings_never_depend_on_input_order(rng: random.Random, phase: str) -> None:
    plan = parse_plan(PLAN, "plan")

    def decision(primary: dict[str, Any], secondary: dict[str, Any]) -> str:
        n = normalize_pair(plan, parse_snapshot(primary, "p"), parse_snapshot(secondary, "s"))
        document = build_input(plan, n, diff(n.primary, n.secondary), phase, NOW, "high")
        return json.dumps(ENGINE.query(ENTRYPOINT, document), sort_keys=True)

    assert decision(shuffled(PRIMARY, rng), shuffled(SECONDARY, rng)) == decision(
        PRIMARY, SECONDARY
    )


acl_values = st.one_of(
    st.sampled_from(["TOPIC", "GROUP", "READ", "ALLOW", "LITERAL", "User:a", "*", "bogus", ""]),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.integers(), max_size=1),
)
acl_items = st.dictionaries(
    st.sampled_from([*ACL_FIELDS, "extra"]),
    acl_values,
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(acl_items, st.just(PRIMARY["acls"][0]), st.integers()), max_size=4))
def test_fast_acl_validation_agrees_with_the_schema(items: list[Any]) -> None:
    from jsonschema import Draft202012Validator

    from checker import schemas

    document = {**SECONDARY, "acls": items}
    slow = not any(Draft202012Validator(schemas.schema("snapshot")).iter_errors(document))
    fast = schemas._fast_valid(document, "snapshot") is None
    assert fast == slow
