"""`failback export kafka` against two real Kafka 4 clusters, and `failback check` end to end."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import run_cli
from ..ports import free_port
from .conftest import (
    ALIASES,
    BULK_TOPICS,
    MM2_PASSWORD,
    PRIMARY,
    SECONDARY,
    USERS,
    Mirror,
    Pair,
)
from .kafka_cluster import ADMIN_PASSWORD, Cluster

pytestmark = pytest.mark.slow  # real brokers (and MirrorMaker 2) on loopback


def acl(
    principal: str, rtype: str, name: str, operation: str, pattern: str = "LITERAL"
) -> dict[str, str]:
    return {
        "principal": principal,
        "resource_type": rtype,
        "pattern_type": pattern,
        "resource_name": name,
        "operation": operation,
        "permission": "ALLOW",
        "host": "*",
    }


COMMON_ACLS = [
    acl("User:limited", "TOPIC", "orders.created", "DESCRIBE"),
    acl("User:mm2", "CLUSTER", "kafka-cluster", "ALL"),
    acl("User:mm2", "GROUP", "*", "ALL"),
    acl("User:mm2", "TOPIC", "*", "ALL"),
    acl("User:orders-reader", "GROUP", "orders-reader", "READ"),
    acl("User:orders-reader", "TOPIC", "orders.", "DESCRIBE", "PREFIXED"),
    acl("User:orders-reader", "TOPIC", "orders.shipped", "READ"),
    acl("User:orders-writer", "TOPIC", "orders.", "DESCRIBE", "PREFIXED"),
    acl("User:orders-writer", "TOPIC", "orders.", "WRITE", "PREFIXED"),
]
KEY_TOPIC_CONFIGS = {
    "cleanup.policy",
    "max.message.bytes",
    "message.timestamp.type",
    "min.insync.replicas",
    "retention.bytes",
    "retention.ms",
    "unclean.leader.election.enable",
}
UNSEEN_GAPS = [  # what the Kafka protocol cannot show, in every Kafka export
    {"area": "audit", "reason": "audit logging is not visible through the Kafka protocol"},
    {
        "area": "quotas",
        "reason": "client quotas are not readable through confluent-kafka",
        "call": "DescribeClientQuotas",
    },
]
NO_MM2_GAP = {
    "area": "replication",
    "reason": "no MirrorMaker 2 configuration given "
    "(--mm2-config); flows are not visible through the Kafka Admin API",
}


def export(
    cluster: Cluster, tmp_path: Path, *args: str, user: str = "admin", password: str | None = None
) -> tuple[dict[str, Any], float]:
    props = cluster.client_properties(
        tmp_path / f"{cluster.name}-{user}.properties", user, password
    )
    output = tmp_path / f"{cluster.name}.json"
    started = time.monotonic()
    run = run_cli(
        [
            "export",
            "kafka",
            "--bootstrap",
            cluster.bootstrap,
            "--region",
            cluster.name,
            "--command-config",
            str(props),
            # generous: under CI load DescribeConfigs of the 1,000 bulk topics has timed out
            # at 20 s (the exporter then records a topics gap, as it must)
            "--timeout",
            "60",
            "-o",
            str(output),
            *args,
        ]
    )
    elapsed = time.monotonic() - started
    assert run.exit_code == 0, run.stderr
    assert run.stderr.startswith(f"failback: wrote {output}: region {cluster.name}, ")
    text = output.read_text()
    for secret in {*USERS[cluster.name].values(), ADMIN_PASSWORD, MM2_PASSWORD}:
        assert secret not in text
    assert "jaas" not in text
    return json.loads(text), elapsed


def mm2_args(mirror: Mirror) -> list[str]:
    return [
        "--mm2-config",
        str(mirror.config),
        *(
            arg
            for region, alias in ALIASES.items()
            for arg in ("--mm2-region", f"{alias}={region}")
        ),
    ]


def test_primary_snapshot(seeded: Pair, tmp_path: Path) -> None:
    # the export's speed is a benchmark figure (docs/performance.md), not a unit-test bound:
    # on a loaded 2-core machine 1,002 topics took from 10 s to 56 s
    snap, _elapsed = export(seeded.primary, tmp_path)
    assert snap["source"]["type"] == "kafka"
    assert snap["cluster"]["kind"] == "kafka"
    assert snap["cluster"]["name"] == snap["cluster"]["id"]
    assert snap["acls"] == sorted(
        [
            *COMMON_ACLS,
            acl("User:orders-reader", "TOPIC", "orders.created", "READ"),
            acl("User:bulk-loader", "TOPIC", "bulk.", "WRITE", "PREFIXED"),
        ],
        key=lambda a: sorted(a.items()),
    )
    topics = snap["topics"]
    assert topics["orders.created"]["partitions"] == 3
    assert topics["orders.created"]["replication_factor"] == 1
    assert topics["orders.created"]["configs"]["retention.ms"] == "604800000"
    assert topics["orders.created"]["configs"]["min.insync.replicas"] == "1"
    assert set(topics["orders.shipped"]["configs"]) == KEY_TOPIC_CONFIGS
    bulk = [name for name in topics if name.startswith("bulk.")]
    assert len(bulk) == BULK_TOPICS
    assert all(topics[name]["configs"]["retention.ms"] == "604800000" for name in bulk)
    config = snap["broker_config"]
    assert (
        config["authorizer.class.name"] == "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
    )
    assert config["auto.create.topics.enable"] == "false"
    assert config["log.retention.hours"] == "168"
    assert (
        config["listener.security.protocol.map"]
        == "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT"
    )
    # Kafka marks authorizer-only settings sensitive: their values never reach a snapshot
    assert "super.users" not in config and "allow.everyone.if.no.acl.found" not in config
    assert "listeners" not in config and "log.dirs" not in config
    assert snap["network"] == {"plaintext_listener": False}
    assert snap["encryption"] == {"in_transit": {"client_broker": "PLAINTEXT", "in_cluster": False}}
    assert snap["authentication"] == {
        "iam": False,
        "scram": True,
        "mtls": False,
        "unauthenticated": False,
        "scram_users": sorted(USERS[PRIMARY]),
    }
    assert snap["storage"] == []
    assert snap["gaps"] == sorted([*UNSEEN_GAPS, NO_MM2_GAP], key=lambda g: g["area"])


def test_secondary_snapshot_shows_the_drift(seeded: Pair, tmp_path: Path) -> None:
    snap, _ = export(seeded.secondary, tmp_path)
    assert snap["acls"] == sorted(
        [*COMMON_ACLS, acl("User:analytics", "TOPIC", "*", "READ")], key=lambda a: sorted(a.items())
    )
    assert snap["topics"]["orders.created"]["configs"]["retention.ms"] == "86400000"
    assert not any(name.startswith("bulk.") for name in snap["topics"])
    assert snap["network"] == {"plaintext_listener": True}
    assert snap["encryption"]["in_transit"] == {"client_broker": "PLAINTEXT", "in_cluster": False}
    assert snap["authentication"]["unauthenticated"] is True
    assert snap["authentication"]["scram_users"] == sorted(USERS[SECONDARY])
    assert (
        snap["broker_config"]["listener.security.protocol.map"]
        == "CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT,LEGACY:PLAINTEXT"
    )


def test_kafka_version_is_recorded_when_given(seeded: Pair, tmp_path: Path) -> None:
    snap, _ = export(seeded.secondary, tmp_path, "--kafka-version", "4.1.1")
    assert snap["cluster"]["kafka_version"] == "4.1.1"
    plain, _ = export(seeded.primary, tmp_path)
    assert "kafka_version" not in plain["cluster"]


def test_denied_calls_become_gaps(seeded: Pair, tmp_path: Path) -> None:
    """A principal that may only Describe one topic: every denied call is a gap, not a crash."""
    snap, _ = export(seeded.primary, tmp_path, user="limited")
    # not asked: a denied DescribeAcls reads as "no ACLs" in librdkafka, and a denied
    # DescribeUserScramCredentials aborts it
    not_granted = "CLUSTER_AUTHORIZATION_FAILED: DescribeCluster grants no Describe on the cluster"
    assert snap["gaps"] == [
        {"area": "acls", "reason": not_granted, "call": "DescribeAcls"},
        *UNSEEN_GAPS[:1],
        {"area": "authentication", "reason": not_granted, "call": "DescribeUserScramCredentials"},
        {
            "area": "authentication",
            "reason": "broker configuration unreadable",
            "call": "DescribeConfigs",
        },
        {
            "area": "broker_config",
            "reason": "CLUSTER_AUTHORIZATION_FAILED",
            "call": "DescribeConfigs",
        },
        {
            "area": "encryption",
            "reason": "broker configuration unreadable",
            "call": "DescribeConfigs",
        },
        {"area": "network", "reason": "broker configuration unreadable", "call": "DescribeConfigs"},
        UNSEEN_GAPS[1],
        NO_MM2_GAP,
        {"area": "topics", "reason": "TOPIC_AUTHORIZATION_FAILED", "call": "DescribeConfigs"},
    ]
    assert snap["topics"] == {"orders.created": {"partitions": 3, "replication_factor": 1}}
    for area in ("acls", "broker_config", "network", "encryption", "authentication"):
        assert area not in snap
    assert snap["consumer_groups"] == {}


def test_unreachable_bootstrap_exits_2_within_the_timeout() -> None:
    port = free_port()  # nothing listens here (and no Java is needed)
    started = time.monotonic()
    run = run_cli(
        ["export", "kafka", "--bootstrap", f"127.0.0.1:{port}", "--region", "r", "--timeout", "3"]
    )
    elapsed = time.monotonic() - started
    assert run.exit_code == 2
    assert elapsed < 3 + 2
    assert run.stdout == ""
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(
        f"failback: error: cannot reach Kafka at 127.0.0.1:{port} within 3s: "
    )
    assert "Connection refused" in run.stderr


def test_failed_authentication_exits_2(seeded: Pair, tmp_path: Path) -> None:
    cluster = seeded.primary
    props = cluster.client_properties(tmp_path / "wrong.properties", "admin", "not-the-password")
    started = time.monotonic()
    run = run_cli(
        [
            "export",
            "kafka",
            "--bootstrap",
            cluster.bootstrap,
            "--region",
            PRIMARY,
            "--command-config",
            str(props),
            "--timeout",
            "15",
        ]
    )
    assert run.exit_code == 2
    assert time.monotonic() - started < 15
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith(
        f"failback: error: authentication to Kafka at {cluster.bootstrap} failed: "
    )
    assert "SASL authentication error" in run.stderr
    assert "not-the-password" not in run.stderr


def plan(now: datetime, regions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    phases = {
        "normal": "primary",
        "failover": "secondary",
        "dr_operation": "secondary",
        "failback": "primary",
        "cleanup": "primary",
    }
    rehearsed = (now - timedelta(days=10)).date().isoformat()
    family: dict[str, Any] = {
        "phases": {p: {"writer": w, "consumer": w} for p, w in phases.items()},
    }
    return {
        "schema_version": "1.0",
        "name": "orders-platform",
        "current_phase": "failback",
        "regions": regions,
        "replicator_principals": ["User:mm2"],
        "topic_families": [
            {
                **family,
                "name": "orders",
                "match": ["orders.*"],
                "owner": "team-orders",
                "tier": 1,
                "producers": ["User:orders-writer"],
                "offset_strategy": "translated",
                "sinks": [{"name": "warehouse", "idempotency": "idempotent"}],
                "evidence": {
                    "failback": {
                        "runbook": "runbooks/orders/failback.md",
                        "last_rehearsal": rehearsed,
                        "metrics": ["MaxOffsetLag:orders"],
                        "alerts": ["orders-replication-lag"],
                    }
                },
            },
            {
                **family,
                "name": "bulk",
                "match": ["bulk.*"],
                "owner": "team-data",
                "tier": 3,
                "producers": ["User:bulk-loader"],
                "offset_strategy": "idempotent-replay",
                "sinks": [{"name": "lake", "idempotency": "idempotent"}],
            },
        ],
        "rollback": {
            "stop_point": "Before producers move back; us-west-2 stays the writer",
            "return_path": "Re-grant writes in us-west-2 and repoint clients",
        },
        "cost": {
            "max_dual_region_days": 30,
            "owner": "team-platform",
            "flow_owners": {"use1->usw2": "team-platform", "usw2->use1": "team-platform"},
        },
        "evidence": {
            "max_snapshot_skew_hours": 1,
            "max_snapshot_age_hours": 24,
            "rehearsal_max_age_days": 90,
            "out_of_scope": ["quotas", "audit"],
        },
    }


# The drift seeded in tests/kafka/conftest.py, judged in the failback phase.
EXPECTED_FINDINGS = {
    # access parity as the authorizer decides: principal|resource type|operations|host
    ("ACL-001", "User:orders-reader|TOPIC|READ|*"),
    ("ACL-002", "User:analytics|TOPIC|DESCRIBE,READ|*"),  # READ on every topic (and DESCRIBE)
    ("ACL-005", "authentication.unauthenticated"),  # the secondary's PLAINTEXT listener
    ("ACL-006", "User:orders-reader"),  # a SCRAM user of the primary only
    ("ACL-006", "User:dr-operator"),  # a SCRAM user of the secondary only
    ("ENC-005", "network.plaintext_listener"),
    ("OFF-003", "orders"),  # the reverse MM2 flow usw2->use1 is disabled
    ("REP-006", "orders"),  # ... so no orders topic of the secondary reaches the primary
    ("RET-001", "orders.created"),
    ("WA-001", "orders"),
    ("WA-002", "User:orders-writer on orders"),
}


def check(config: Path, now: datetime) -> dict[str, Any]:
    run = run_cli(
        [
            "check",
            "-c",
            str(config),
            "--format",
            "json",
            "--now",
            now.isoformat().replace("+00:00", "Z"),
        ]
    )
    assert run.exit_code == 1, run.stdout + run.stderr
    report: dict[str, Any] = run.json()
    return report


def findings(report: dict[str, Any]) -> tuple[str, set[tuple[str, str]]]:
    (decision,) = report["decisions"]
    return decision["verdict"], {(f["rule_id"], f["resource"]) for f in decision["findings"]}


def test_check_judges_exported_snapshots(mirrormaker: Mirror, seeded: Pair, tmp_path: Path) -> None:
    for cluster in seeded:
        export(cluster, tmp_path, *mm2_args(mirrormaker))
    now = datetime.now(UTC) + timedelta(minutes=1)
    config = tmp_path / "failback.yaml"
    config.write_text(
        yaml.safe_dump(
            plan(
                now,
                {
                    "primary": {"name": PRIMARY, "snapshot": f"{PRIMARY}.json"},
                    "secondary": {"name": SECONDARY, "snapshot": f"{SECONDARY}.json"},
                },
            )
        )
    )
    report = check(config, now)
    verdict, found = findings(report)
    assert verdict == "no-go"
    assert found == EXPECTED_FINDINGS


def test_check_exports_plan_sources_live(mirrormaker: Mirror, seeded: Pair, tmp_path: Path) -> None:
    """regions.<role>.source: {type: kafka, ...} exports while checking; paths are plan-relative."""
    regions = {}
    # every file a plan names stays inside its repository (or its directory)
    shutil.copyfile(mirrormaker.config, tmp_path / "mm2.properties")
    for role, cluster in (("primary", seeded.primary), ("secondary", seeded.secondary)):
        cluster.client_properties(tmp_path / f"{role}.properties")
        regions[role] = {
            "name": cluster.name,
            "source": {
                "type": "kafka",
                "bootstrap": cluster.bootstrap,
                "command_config": f"{role}.properties",
                "config": {"client.id": "failback-plan-test", "socket.keepalive.enable": True},
                "mm2_config": "mm2.properties",
                "mm2_regions": {alias: region for region, alias in ALIASES.items()},
                "timeout": 20,
            },
        }
    now = datetime.now(UTC) + timedelta(minutes=1)
    config = tmp_path / "failback.yaml"
    config.write_text(yaml.safe_dump(plan(now, regions)))
    verdict, found = findings(check(config, now))
    assert verdict == "no-go"
    assert found == EXPECTED_FINDINGS


@pytest.mark.parametrize("kind", ["automq"])
def test_object_storage_clusters_gap_storage(seeded: Pair, tmp_path: Path, kind: str) -> None:
    snap, _ = export(seeded.secondary, tmp_path, "--kind", kind, "--cluster-name", "orders-dr")
    assert snap["cluster"]["kind"] == kind and snap["cluster"]["name"] == "orders-dr"
    assert "storage" not in snap
    assert {
        "area": "storage",
        "reason": "object storage is not visible through the Kafka protocol",
    } in snap["gaps"]
