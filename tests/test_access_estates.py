"""Small estates, built from the shipped ready estate, judged end to end (normalise, diff, Rego):
write authority and access parity as Kafka's authorizer and IAM evaluate them.

Each test names the exact findings: the false GOs the old grant matching gave (IAM ARNs with a
wildcard region, a DENY on one topic, a host-scoped DENY, super users, no authorizer) and the
false NO-GOs (MirrorMaker 2 prefixed remote topics, PREFIXED grants re-created as LITERAL ones,
MSK's allow.everyone.if.no.acl.found default on an IAM-only cluster, a prestaged standby)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from checker.engines.base import Engine
from checker.evaluate import check
from checker.io.read import parse_yaml
from checker.model import Decision
from checker.plan import parse_plan
from checker.snapshot import parse_snapshot

from .conftest import ESTATE
from .opa_support import ENGINE_PARAMS, loaded_engine

NOW = datetime(2026, 11, 29, tzinfo=UTC)
ACCOUNT = "111122223333"
FAMILIES = ("analytics", "customer", "fraud", "integrations", "ledger", "notifications")
ALL_FAMILIES = (*FAMILIES, "payments-core")

Estate = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """Every estate is judged by both engines, with the same expectations."""
    yield from loaded_engine(request.param)


def ready() -> Estate:
    base = ESTATE / "ready"
    plan = parse_yaml((base / "failback.yaml").read_text(), "plan", "plan")
    primary = json.loads((base / "us-east-1.json").read_text())
    secondary = json.loads((base / "us-west-2.json").read_text())
    return copy.deepcopy(plan), primary, secondary


def judge(engine: Engine, estate: Estate, phases: Sequence[str] = ("failback",)) -> list[Decision]:
    plan, primary, secondary = estate
    report = check(
        parse_plan(plan, "plan"),
        parse_snapshot(primary, "primary"),
        parse_snapshot(secondary, "secondary"),
        phases,
        engine,
        NOW,
        "high",
    )
    return list(report.decisions)


def found(decision: Decision) -> list[tuple[str, str]]:
    return sorted((f.rule_id, f.resource) for f in decision.findings)


def acl(
    principal: str,
    operation: str,
    name: str,
    *,
    pattern: str = "LITERAL",
    permission: str = "ALLOW",
    rtype: str = "TOPIC",
    host: str = "*",
) -> dict[str, str]:
    return {
        "principal": principal,
        "resource_type": rtype,
        "pattern_type": pattern,
        "resource_name": name,
        "operation": operation,
        "permission": permission,
        "host": host,
    }


def iam(role: str, actions: Sequence[str], resources: Sequence[str]) -> dict[str, Any]:
    return {
        "principal": f"arn:aws:iam::{ACCOUNT}:role/{role}",
        "effect": "Allow",
        "policy": role,
        "actions": [f"kafka-cluster:{a}" for a in actions],
        "resources": list(resources),
    }


def access_rules(decisions: Sequence[Decision]) -> set[str]:
    return {f.rule_id for d in decisions for f in d.findings if f.rule_id.startswith("ACL-")}


def test_ready_estate_stays_go_in_failback(engine: Engine) -> None:
    [decision] = judge(engine, ready())
    assert decision.verdict == "go" and decision.findings == ()


# --- false GOs -------------------------------------------------------------------------------

WILDCARD_CLUSTER = f"arn:aws:kafka:*:{ACCOUNT}:cluster/payments-*/*"
WILDCARD_TOPICS = f"arn:aws:kafka:*:{ACCOUNT}:topic/payments-*/*/payments.*"


def test_iam_role_with_a_wildcard_region_writes_in_both_regions(engine: Engine) -> None:
    estate = ready()
    role = iam("payments-batch", ["Connect", "DescribeTopic", "WriteData"], [WILDCARD_CLUSTER])
    role["resources"].append(WILDCARD_TOPICS)
    for snapshot in estate[1:]:
        snapshot["iam_grants"].append(role)
    [decision] = judge(engine, estate)
    assert found(decision) == [
        ("WA-001", "payments-core"),
        ("WA-002", "iam:role/payments-batch on payments-core"),
    ]
    wa002 = next(f for f in decision.findings if f.rule_id == "WA-002")
    assert wa002.message.startswith(
        "iam:role/payments-batch can write every topic of family payments-core in the secondary"
    )
    assert "IAM Allow statement in payments-batch" in wa002.message
    assert decision.verdict == "no-go"


def test_wildcard_region_policy_as_a_family_s_only_grant_is_write_access(engine: Engine) -> None:
    plan, primary, secondary = ready()
    producers = {"User:payments-api", "User:settlement-service"}
    primary["acls"] = [
        a
        for a in primary["acls"]
        if not (
            a["principal"] in producers
            and a["operation"] == "WRITE"
            and a["resource_type"] == "TOPIC"
        )
    ]
    primary["iam_grants"].append(
        iam(
            "payments-batch",
            ["Connect", "DescribeTopic", "WriteData"],
            [WILDCARD_CLUSTER, WILDCARD_TOPICS],
        )
    )
    secondary["iam_grants"].append(
        iam("payments-batch", ["Connect", "DescribeTopic"], [WILDCARD_CLUSTER, WILDCARD_TOPICS])
    )
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == []
    assert decision.verdict == "go"


def test_deny_on_one_topic_leaves_the_rest_of_the_family_writable(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["acls"] += [
        acl("User:fraud-scorer", "WRITE", "fraud.", pattern="PREFIXED"),
        acl("User:fraud-scorer", "WRITE", "fraud.scores", permission="DENY"),
    ]
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == [("WA-001", "fraud"), ("WA-002", "User:fraud-scorer on fraud")]
    wa002 = next(f for f in decision.findings if f.rule_id == "WA-002")
    assert "can write 9 topics of family fraud (fraud.alerts, " in wa002.message
    assert "fraud.scores" not in wa002.message


def test_host_scoped_deny_removes_only_that_host(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["acls"] += [
        acl("User:fraud-scorer", "WRITE", "fraud.", pattern="PREFIXED"),
        acl(
            "User:fraud-scorer",
            "WRITE",
            "fraud.",
            pattern="PREFIXED",
            permission="DENY",
            host="10.20.0.5",
        ),
    ]
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == [("WA-001", "fraud"), ("WA-002", "User:fraud-scorer on fraud")]
    wa002 = next(f for f in decision.findings if f.rule_id == "WA-002")
    assert "(from every host but 10.20.0.5)" in wa002.message


def test_super_user_writes_every_family(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["broker_config"]["super.users"] = "User:ops-admin"
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == sorted(
        [("ACL-007", "super.users User:ops-admin")]
        + [("WA-001", f) for f in ALL_FAMILIES]
        + [("WA-002", f"User:ops-admin on {f}") for f in ALL_FAMILIES]
    )
    assert any("a super user (super.users)" in f.message for f in decision.findings)


def test_declared_admin_principal_is_not_a_producer(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["broker_config"]["super.users"] = "User:ops-admin"
    plan["admin_principals"] = ["User:ops-*"]
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == [("ACL-007", "super.users User:ops-admin")]


def _kafka_kind(estate: Estate, primary_class: str, secondary_class: str) -> Estate:
    for snapshot, authorizer in zip(estate[1:], (primary_class, secondary_class), strict=True):
        snapshot["cluster"]["kind"] = "kafka"
        snapshot["broker_config"]["authorizer.class.name"] = authorizer
    return estate


STANDARD = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


def test_no_authorizer_lets_every_client_write(engine: Engine) -> None:
    [decision] = judge(engine, _kafka_kind(ready(), STANDARD, ""))
    assert found(decision) == sorted(
        [("ACL-007", "authorizer.class.name")]
        + [("WA-001", f) for f in ALL_FAMILIES]
        + [("WA-002", f"User:* on {f}") for f in ALL_FAMILIES]
    )
    wa002 = next(f for f in decision.findings if f.resource == "User:* on ledger")
    assert "the broker has no authorizer: every client may write" in wa002.message


def test_writer_region_without_an_authorizer_can_write(engine: Engine) -> None:
    [decision] = judge(engine, _kafka_kind(ready(), "", STANDARD))
    assert found(decision) == [("ACL-007", "authorizer.class.name")]


# --- false NO-GOs ----------------------------------------------------------------------------


def test_mirrormaker2_prefixed_remote_topics_with_copied_acls_are_clean(engine: Engine) -> None:
    plan, primary, secondary = ready()
    flow = secondary["replication"][0]
    flow.update(
        tool="mirrormaker2",
        topic_naming="prefixed",
        prefix="us-east-1",
        copies_acls=True,
        offset_sync={"enabled": True, "mode": "CHECKPOINTS"},
        consumer_isolation="read_committed",  # the families are transactional (REP-007)
    )
    # the way back is MirrorMaker 2 too (an ENHANCED replicator needs its pair: OFF-005)
    reverse = primary["replication"][0]
    reverse.update(
        tool="mirrormaker2",
        topic_naming="prefixed",
        prefix="us-west-2",
        offset_sync={"enabled": True, "mode": "CHECKPOINTS"},
        consumer_isolation="read_committed",
    )
    carried = {t for t in secondary["topics"] if not t.startswith("__")}
    secondary["topics"] = {
        (f"us-east-1.{t}" if t in carried else t): v for t, v in secondary["topics"].items()
    }
    for group in secondary["consumer_groups"].values():
        group["topics"] = [f"us-east-1.{t}" for t in group["topics"]]
    copied = []
    for binding in secondary["acls"]:
        if binding["resource_type"] == "TOPIC" and binding["resource_name"] in carried:
            binding = {**binding, "resource_name": f"us-east-1.{binding['resource_name']}"}
        copied.append(binding)
    secondary["acls"] = copied
    # the schema exporter renames the subjects too: consumers of a remote topic look up
    # <remote topic>-value (TopicNameStrategy)
    for registry in secondary["schemas"]["registries"].values():
        registry["subjects"] = {f"us-east-1.{s}": v for s, v in registry["subjects"].items()}
    decisions = judge(engine, (plan, primary, secondary), ("normal", "failback"))
    assert access_rules(decisions) == set()
    assert decisions[1].verdict == "go", found(decisions[1])


def test_prefixed_grant_recreated_as_literal_grants_is_clean(engine: Engine) -> None:
    plan, primary, secondary = ready()
    ledger_topics = [t for t in primary["topics"] if t.startswith("ledger.")]
    reader = "User:ledger-reader"
    primary["acls"] = [
        a
        for a in primary["acls"]
        if not (a["principal"] == reader and a["resource_type"] == "TOPIC")
    ] + [acl(reader, op, "ledger.", pattern="PREFIXED") for op in ("READ", "DESCRIBE")]
    assert all(
        acl(reader, op, t) in secondary["acls"]
        for t in ledger_topics
        for op in ("READ", "DESCRIBE")
    )
    decisions = judge(engine, (plan, primary, secondary), ("normal", "failback"))
    assert access_rules(decisions) == set()
    # and the other way round: PREFIXED in the secondary
    decisions = judge(engine, (plan, secondary, primary), ("normal", "failback"))
    assert "ACL-001" not in access_rules(decisions) and "ACL-004" not in access_rules(decisions)


def test_missing_permission_is_still_found_after_renaming(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["acls"].remove(acl("User:ledger-reader", "READ", "ledger.entries"))
    [decision] = judge(engine, (plan, primary, secondary))
    [finding] = [f for f in decision.findings if f.rule_id.startswith("ACL-")]
    assert (finding.rule_id, finding.resource) == ("ACL-001", "User:ledger-reader|TOPIC|READ|*")
    assert finding.message == (
        "User:ledger-reader may read topic ledger.entries in the primary but not in the "
        "secondary (ACL ALLOW User:ledger-reader READ on the topic's own name (LITERAL) from "
        "host *)"
    )


def _iam_only(estate: Estate, *, transactional: Sequence[str]) -> Estate:
    """Both regions authenticate with IAM only and keep MSK's default configuration; each
    family's producer role writes in the primary and only describes in the secondary."""
    plan, primary, secondary = estate
    for snapshot in (primary, secondary):
        snapshot["authentication"] = {
            "iam": True,
            "scram": False,
            "mtls": False,
            "unauthenticated": False,
            "scram_users": [],
        }
        snapshot["broker_config"]["allow.everyone.if.no.acl.found"] = "true"
    for family in plan["topic_families"]:
        prefix = family["match"][0]
        role = f"{family['name']}-producer"
        topics = f"arn:aws:kafka:*:{ACCOUNT}:topic/payments-*/*/{prefix}"
        cluster = f"arn:aws:kafka:*:{ACCOUNT}:cluster/payments-*/*"
        txn = f"arn:aws:kafka:*:{ACCOUNT}:transactional-id/payments-*/*/{family['name']}-*"
        primary["iam_grants"].append(
            iam(role, ["Connect", "DescribeTopic", "WriteData"], [cluster, topics])
        )
        secondary["iam_grants"].append(iam(role, ["Connect", "DescribeTopic"], [cluster, topics]))
        if family.get("transactional"):
            family["producers"] = [f"arn:aws:iam::{ACCOUNT}:role/{role}"]
            for snapshot in (primary, secondary):
                snapshot["iam_grants"].append(iam(role, transactional, [cluster, txn]))
    return plan, primary, secondary


TRANSACTIONAL = ["WriteDataIdempotently", "DescribeTransactionalId", "AlterTransactionalId"]


def test_iam_only_msk_pair_with_msk_defaults_is_go(engine: Engine) -> None:
    normal, failback = judge(
        engine, _iam_only(ready(), transactional=TRANSACTIONAL), ("normal", "failback")
    )
    # the ready estate's MSK Replicator ENHANCED pair is the documented setup: clean in normal too
    assert {f.rule_id for f in normal.findings} == set()
    assert found(failback) == [] and failback.verdict == "go"


def test_iam_transactional_producer_needs_describe_and_idempotent_write(engine: Engine) -> None:
    [decision] = judge(engine, _iam_only(ready(), transactional=["AlterTransactionalId"]))
    [finding] = decision.findings
    assert (finding.rule_id, finding.resource, finding.region) == (
        "CMP-002",
        "iam:role/payments-core-producer in payments-core",
        "primary",
    )
    assert finding.message.endswith(
        "it lacks kafka-cluster:WriteDataIdempotently, kafka-cluster:DescribeTransactionalId"
    )


def test_acl_003_still_judges_clusters_whose_acls_authorise_clients(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["broker_config"]["allow.everyone.if.no.acl.found"] = "true"
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == [
        ("ACL-003", "allow.everyone.if.no.acl.found"),
        ("ACL-007", "allow.everyone.if.no.acl.found"),
    ]


# --- fences ----------------------------------------------------------------------------------


def _prestaged(routing: dict[str, str]) -> Estate:
    plan, primary, secondary = ready()
    secondary["acls"].append(acl("User:fraud-scorer", "WRITE", "fraud.", pattern="PREFIXED"))
    fraud = next(f for f in plan["topic_families"] if f["name"] == "fraud")
    fraud["fence"] = "prestaged"
    plan["routing"] = routing
    return plan, primary, secondary


def test_prestaged_standby_with_a_routing_control_does_not_block(engine: Engine) -> None:
    estate = _prestaged({"control": "route53:payments-bootstrap", "runbook": "runbooks/route.md"})
    [decision] = judge(engine, estate)
    assert found(decision) == [("WA-007", "User:fraud-scorer on fraud")]
    assert decision.findings[0].severity == "info" and not decision.findings[0].blocking
    assert decision.verdict == "go"


def test_prestaged_standby_without_a_runbook_blocks(engine: Engine) -> None:
    [decision] = judge(engine, _prestaged({"control": "route53:payments-bootstrap"}))
    assert found(decision) == [("WA-006", "fraud"), ("WA-007", "User:fraud-scorer on fraud")]
    assert decision.verdict == "no-go"


def test_both_writers_need_a_conflict_control(engine: Engine) -> None:
    plan, primary, secondary = ready()
    ledger = next(f for f in plan["topic_families"] if f["name"] == "ledger")
    ledger["phases"]["failback"]["writer"] = "both"
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == [("WA-009", "ledger")]
    ledger["conflict_control"] = "keys-partitioned-by-region"
    assert found(judge(engine, (plan, primary, secondary))[0]) == []


# --- authentication, consumers ---------------------------------------------------------------


def test_authentication_and_scram_user_parity(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["authentication"]["mtls"] = True
    secondary["authentication"]["scram_users"].remove("ledger-reader")
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == [
        ("ACL-005", "authentication.mtls"),
        ("ACL-006", "User:ledger-reader"),
    ]


def test_consumer_groups_judged_against_the_consumer_region(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["consumer_groups"]["ledger-reader.ledger"]["state"] = "STABLE"
    primary["consumer_groups"]["reporting.fraud"]["state"] = "EMPTY"
    secondary["consumer_groups"]["reporting.fraud"]["state"] = "STABLE"
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == [
        ("CA-001", "reporting.fraud on fraud"),
        ("CA-002", "ledger-reader.ledger on ledger"),
    ]


def test_replication_tool_groups_are_not_consumers(engine: Engine) -> None:
    plan, primary, secondary = ready()
    secondary["consumer_groups"]["mm2-use1-to-usw2"] = {
        "state": "STABLE",
        "topics": ["ledger.entries"],
    }
    [decision] = judge(engine, (plan, primary, secondary))
    assert found(decision) == []
