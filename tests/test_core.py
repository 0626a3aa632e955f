"""The pure core: identity, grants, network facts, normalisation, diff."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from checker.diff import diff
from checker.errors import InputError
from checker.grants import Grant, TopicIndex, from_iam
from checker.identity import Canon
from checker.network import ingress_rule, uncovered
from checker.normalize import normalize_pair
from checker.plan import load_plan
from checker.snapshot import parse_snapshot

from .conftest import ESTATE

ARN = "arn:aws:kafka:us-east-1:111122223333"


def test_canon_strips_region_account_and_cluster_uuid() -> None:
    canon = Canon({})
    assert canon(f"{ARN}:cluster/payments-use1/5e7c-1a52-8f3b-3") == "kafka:cluster/payments-use1"
    assert canon("arn:aws:iam::111122223333:role/payments-api") == "iam:role/payments-api"
    assert canon("arn:aws:kms:us-west-2:444455556666:key/mrk-1") == "kms:key/mrk-1"
    assert canon("User:alice") == "User:alice"


def test_canon_applies_equivalences_before_and_after_stripping() -> None:
    canon = Canon({"payments-use1": "payments", "kms:key/k-east": "shared-key", "sg-1": "sg:x"})
    assert canon(f"{ARN}:cluster/payments-use1/5e7c-1a52-8f3b-3") == "kafka:cluster/payments"
    assert canon("arn:aws:kms:us-east-1:111122223333:key/k-east") == "shared-key"
    assert canon("sg-1") == "sg:x"


def test_iam_grants_map_actions_and_topic_patterns() -> None:
    canon = Canon({"payments-use1": "payments"})
    grants = list(
        from_iam(
            [
                {
                    "principal": "arn:aws:iam::111122223333:role/api",
                    "actions": ["kafka-cluster:WriteData", "kafka-cluster:Describe*"],
                    "resources": [
                        f"{ARN}:topic/payments-use1/abcd1234-ef56/payments.*",
                        f"{ARN}:topic/other-cluster/abcd1234-ef56/x",
                    ],
                }
            ],
            "payments",
            canon,
        )
    )
    assert {g.key for g in grants} == {
        "iam:role/api|TOPIC|PREFIXED|payments.|DESCRIBE|ALLOW|*",
        "iam:role/api|TOPIC|PREFIXED|payments.|DESCRIBE_CONFIGS|ALLOW|*",
        "iam:role/api|TOPIC|PREFIXED|payments.|WRITE|ALLOW|*",
    }


def test_iam_cluster_glob_matches_the_real_cluster_name() -> None:
    canon = Canon({"payments-use1": "payments"})
    grants = list(
        from_iam(
            [
                {
                    "principal": "r",
                    "actions": ["kafka-cluster:WriteData"],
                    "resources": [
                        f"{ARN}:topic/payments-*/*/ledger.*",
                        f"{ARN}:topic/ledger-*/*/x",
                    ],
                }
            ],
            ("payments", "payments-use1"),
            canon,
        )
    )
    assert [g.key for g in grants] == ["r|TOPIC|PREFIXED|ledger.|WRITE|ALLOW|*"]


def test_iam_wildcard_action_on_wildcard_resource_grants_all() -> None:
    grants = list(
        from_iam(
            [
                {
                    "principal": "r",
                    "actions": ["kafka-cluster:*"],
                    "resources": ["*"],
                    "effect": "Deny",
                }
            ],
            "c",
            Canon({}),
        )
    )
    assert {(g.resource_type, g.operation, g.permission) for g in grants} == {
        ("CLUSTER", "ALL", "DENY"),
        ("TOPIC", "ALL", "DENY"),
        ("GROUP", "ALL", "DENY"),
        ("TRANSACTIONAL_ID", "ALL", "DENY"),
    }


def test_topic_index_resolves_literal_prefixed_and_match_patterns() -> None:
    index = TopicIndex({"pay.a": "pay", "pay.b": "pay", "led.a": "led", "__x": None})
    assert index.families("LITERAL", "pay.a") == ["pay"]
    assert index.families("LITERAL", "*") == ["led", "pay"]
    assert index.families("PREFIXED", "pay.") == ["pay"]
    assert index.families("PREFIXED", "zzz") == []
    assert index.families("MATCH", "*.a") == ["led", "pay"]


def test_ingress_facts() -> None:
    canon = Canon({"10.10.0.0/16": "cidr:vpc", "10.20.0.0/16": "cidr:vpc"})
    key, rule, cidr = ingress_rule(
        {"protocol": "tcp", "from_port": 9096, "to_port": 9096, "peer": "0.0.0.0/0"}, canon, "t"
    )
    assert key == "tcp|9096-9096|0.0.0.0/0"
    assert rule["internet_open"] is True
    assert cidr == "0.0.0.0/0"
    _, private, _ = ingress_rule(
        {"protocol": "tcp", "from_port": 9096, "to_port": 9096, "peer": "10.10.0.0/16"}, canon, "t"
    )
    assert private["internet_open"] is False
    assert private["peer"] == "cidr:vpc"
    with pytest.raises(InputError, match="not a CIDR"):
        ingress_rule({"protocol": "tcp", "peer": "10.0.0.300/8"}, canon, "t")


def test_uncovered_finds_wider_rules_only() -> None:
    canon = Canon({})
    nk, narrow, ncidr = ingress_rule(
        {"protocol": "tcp", "from_port": 9096, "to_port": 9096, "peer": "10.0.1.0/24"}, canon, "t"
    )
    wk, wide, wcidr = ingress_rule(
        {"protocol": "tcp", "from_port": 9000, "to_port": 9100, "peer": "10.0.0.0/16"}, canon, "t"
    )
    assert uncovered({nk: narrow}, {nk: ncidr}, {wk: wide}, {wk: wcidr}) == []
    assert uncovered({wk: wide}, {wk: wcidr}, {nk: narrow}, {nk: ncidr}) == [
        "tcp|9000-9100|10.0.0.0/16"
    ]


def _pair(variant: str = "ready") -> tuple[Any, Any, Any]:
    plan = load_plan(ESTATE / variant / "failback.yaml")
    docs = [
        json.loads((ESTATE / variant / f"{r}.json").read_text()) for r in ("us-east-1", "us-west-2")
    ]
    return plan, docs[0], docs[1]


def _normalize(plan: Any, a: Any, b: Any) -> Any:
    return normalize_pair(plan, parse_snapshot(a, "p"), parse_snapshot(b, "s"))


def test_normalisation_is_region_free_for_the_ready_estate() -> None:
    plan, a, b = _pair()
    n = _normalize(plan, a, b)
    assert n.primary["cluster"]["name"] == n.secondary["cluster"]["name"] == "payments"
    assert n.primary["encryption"] == n.secondary["encryption"]
    ledger = {f"ledger.{t}" for t in ("entries", "balances", "journal", "holds")}
    [writer] = n.primary["facts"]["writers"]["ledger"]
    assert writer["principal"] == "User:ledger-writer"
    assert writer["every_topic"] is True and ledger <= set(writer["topics"])
    assert writer["why"] == [
        "ACL ALLOW User:ledger-writer WRITE on the topic's own name (LITERAL) from host *"
    ]
    assert "ledger" not in n.secondary["facts"]["writers"]
    assert n.secondary["facts"]["replicators"]["ledger"] == ["iam:role/msk-replicator-payments"]
    assert sorted(n.flows) == [
        "payments-use1-to-usw2|primary->secondary",
        "payments-usw2-to-use1|secondary->primary",
    ]
    assert "integrations" in n.flows["payments-use1-to-usw2|primary->secondary"]["families"]


def test_normalisation_ignores_list_order() -> None:
    plan, a, b = _pair()
    shuffled = copy.deepcopy(a)
    shuffled["acls"].reverse()
    shuffled["network"]["ingress"].reverse()
    assert _normalize(plan, a, b) == _normalize(plan, shuffled, b)


def test_diff_of_identical_snapshots_is_empty_and_mirrors() -> None:
    plan, a, b = _pair("faulted")
    n = _normalize(plan, a, b)
    assert diff(n.primary, n.primary) == []
    forward = {(c.path, c.kind) for c in diff(n.primary, n.secondary)}
    mirror = {"added": "removed", "removed": "added", "changed": "changed"}
    backward = {(c.path, mirror[c.kind]) for c in diff(n.secondary, n.primary)}
    assert forward == backward


def test_diff_reports_grant_and_config_changes() -> None:
    plan, a, b = _pair("faulted")
    n = _normalize(plan, a, b)
    changes = {(c.area, c.key, c.kind) for c in diff(n.primary, n.secondary)}
    assert (
        "grants",
        "User:ledger-reader|TOPIC|LITERAL|ledger.entries|READ|ALLOW|*",
        "removed",
    ) in changes
    assert ("grants", "User:fraud-scorer|TOPIC|PREFIXED|fraud.|WRITE|ALLOW|*", "added") in changes
    assert ("topics", "ledger.entries", "changed") in changes
    assert ("encryption", "in_transit", "changed") in changes


def test_prefixed_flows_strip_the_alias_from_replicated_topics() -> None:
    plan, a, b = _pair()
    b["topics"] = {f"use1.{k}": v for k, v in b["topics"].items()}
    b["replication"][0].update(topic_naming="prefixed", prefix="use1")
    n = _normalize(plan, a, b)
    assert set(n.secondary["topics"]) == set(n.primary["topics"])


def test_flows_with_the_same_patterns_carry_the_same_topics_in_lists_of_their_own() -> None:
    plan, a, b = _pair()
    n = _normalize(plan, a, b)
    forward = n.flows["payments-use1-to-usw2|primary->secondary"]
    reverse = n.flows["payments-usw2-to-use1|secondary->primary"]
    assert forward["topic_count"] == reverse["topic_count"] == 65
    assert (
        forward["internal_topics"]
        == reverse["internal_topics"]
        == [f"connect-{kind}-payments" for kind in ("configs", "offsets", "status")]
    )
    forward["internal_topics"].append("changed")  # matched once, but no list shared
    assert "changed" not in reverse["internal_topics"]
    b["replication"][0]["topics_exclude"] = ["__.*", "ledger\\..*"]  # no longer the same
    n = _normalize(plan, a, b)
    forward = n.flows["payments-use1-to-usw2|primary->secondary"]
    reverse = n.flows["payments-usw2-to-use1|secondary->primary"]
    assert "ledger" in reverse["families"] and "ledger" not in forward["families"]
    ledger = sum(topic.startswith("ledger.") for topic in a["topics"])
    assert ledger > 0 and forward["topic_count"] == reverse["topic_count"] - ledger


def test_missing_area_is_a_gap() -> None:
    plan, a, b = _pair()
    del b["consumer_groups"]
    n = _normalize(plan, a, b)
    assert n.secondary["gaps"] == [
        {"region": "secondary", "area": "consumer_groups", "reason": "not in snapshot", "call": ""}
    ]


def test_grant_key_is_the_canonical_tuple() -> None:
    grant = Grant("User:a", "TOPIC", "LITERAL", "t", "READ", "ALLOW", "*", "acl")
    assert grant.key == "User:a|TOPIC|LITERAL|t|READ|ALLOW|*"


def test_bad_retention_value_is_an_input_error() -> None:
    plan, a, b = _pair()
    a["topics"]["ledger.entries"]["configs"]["retention.ms"] = "a week"
    with pytest.raises(InputError, match=r"retention\.ms 'a week' is not an integer"):
        _normalize(plan, a, b)


def test_plan_accessors_fill_in_defaults() -> None:
    from pathlib import Path

    from checker.plan import Connect, Evidence, Rollback, parse_plan

    document = {
        "schema_version": "1.0",
        "regions": {"primary": {"name": "a"}, "secondary": {"name": "b"}},
        "topic_families": [{"name": "f", "match": ["f.*"]}],
    }
    bare = parse_plan(document, "bare", Path("/plans/failback.yaml"))
    assert bare.waivers_file is None
    assert bare.evidence_settings == {
        "max_snapshot_skew_hours": 24,
        "max_snapshot_age_hours": 168,
        "rehearsal_max_age_days": 90,
    }
    assert bare.out_of_scope == frozenset()
    assert bare.rollback == Rollback(None, None)
    assert (bare.cost.max_dual_region_days, bare.cost.owner) == (None, None)
    assert bare.flow_owner("mm2") is None
    family = bare.families[0]
    assert (family.owner, family.tier, family.producers, family.connect) == (None, 3, (), None)
    assert family.evidence("failback") == Evidence(None, None, (), ())
    full = parse_plan(
        {
            **document,
            "waivers": "accepted.yaml",
            "evidence": {"rehearsal_max_age_days": 30, "out_of_scope": ["audit"]},
            "rollback": {"stop_point": "s", "return_path": "r"},
            "cost": {"max_dual_region_days": 14, "owner": "o", "flow_owners": {"mm2": "team"}},
            "topic_families": [
                {
                    "name": "f",
                    "match": ["f.*"],
                    "tier": 1,
                    "connect": {"internal_topics": ["connect-offsets"]},
                    "evidence": {"failback": {"runbook": "r.md", "metrics": ["m"]}},
                }
            ],
        },
        "full",
        Path("/plans/failback.yaml"),
    )
    assert full.waivers_file == Path("/plans/accepted.yaml")
    assert full.evidence_settings["rehearsal_max_age_days"] == 30
    assert full.out_of_scope == frozenset({"audit"})
    assert full.rollback == Rollback("s", "r")
    assert (full.cost.max_dual_region_days, full.cost.owner) == (14, "o")
    assert full.flow_owner("mm2") == "team"
    family = full.families[0]
    assert family.tier == 1
    assert family.connect == Connect(("connect-offsets",), False)
    assert family.evidence("failback") == Evidence("r.md", None, ("m",), ())
