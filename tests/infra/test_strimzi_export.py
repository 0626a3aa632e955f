"""`failback export strimzi`: Kafka, KafkaTopic, KafkaUser and KafkaMirrorMaker2 (v1beta2 and
v1) -> a region's snapshot; unsupported versions, invalid YAML, alias bombs."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.exporters._shared.mm2 import consumer_isolation

from ..conftest import assert_one_line_error, run_cli
from .conftest import MM2, NOW, SECRET_MARK, STRIMZI, export

READY = STRIMZI / "ready"
FLOW_FACTS = (
    "tool",
    "topics_include",
    "topics_exclude",
    "topic_naming",
    "copies_acls",
    "copies_topic_configs",
    "offset_sync",
    "loop_protection",
    "starting_position",
    "consumer_isolation",
    "state",
    "owner",
)


@pytest.fixture(scope="module")
def usw2() -> dict[str, Any]:
    return export("strimzi", str(READY / "us-west-2"), "--region", "us-west-2", *MM2)


@pytest.fixture(scope="module")
def use1() -> dict[str, Any]:
    return export(
        "strimzi",
        str(READY / "us-east-1" / "kafka.yaml"),
        str(READY / "us-east-1" / "topics.yaml"),
        str(READY / "us-east-1" / "users.yml"),
        str(READY / "us-east-1" / "mirrormaker2.yaml"),
        "--region",
        "us-east-1",
        "--cluster",
        "payments-use1",
        *MM2,
    )


def test_cluster_listeners_and_authorization(usw2: dict[str, Any]) -> None:
    assert usw2["cluster"] == {
        "id": "strimzi:kafka/payments-usw2",
        "name": "payments-usw2",
        "kind": "strimzi",
        "kafka_version": "3.8.0",
    }
    auth = usw2["authentication"]
    assert {k: auth[k] for k in ("iam", "scram", "mtls", "unauthenticated")} == {
        "iam": False,
        "scram": True,
        "mtls": True,
        "unauthenticated": False,
    }
    assert "ledger-writer" in auth["scram_users"] and "kafka-admin" not in auth["scram_users"]
    assert usw2["encryption"] == {"in_transit": {"client_broker": "TLS", "in_cluster": True}}
    assert usw2["network"] == {
        "public_access": False,
        "plaintext_listener": False,
        "multi_vpc": False,
        "private_endpoints": [],
        "ingress": [
            {
                "protocol": "tcp",
                "from_port": 9093,
                "to_port": 9093,
                "peer": "k8s:any-pod",
                "peer_type": "security_group",
                "description": "listener tls",
            },
            {
                "protocol": "tcp",
                "from_port": 9094,
                "to_port": 9094,
                "peer": "10.20.0.0/16",
                "peer_type": "cidr",
                "description": "listener scram",
            },
        ],
    }
    assert usw2["broker_config"] == {
        "allow.everyone.if.no.acl.found": "false",
        "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "auto.create.topics.enable": "false",
        "default.replication.factor": "3",
        "log.retention.hours": "168",
        "min.insync.replicas": "2",
        "offsets.topic.replication.factor": "3",
        "super.users": "User:CN=kafka-admin",
        "unclean.leader.election.enable": "false",
    }


def test_topics_users_and_quotas(usw2: dict[str, Any]) -> None:
    assert len(usw2["topics"]) == 40
    # metadata.name payments-authorizations, spec.topicName payments.authorizations
    assert usw2["topics"]["payments.authorizations"]["partitions"] == 24
    assert usw2["topics"]["ledger.entries"] == {
        "partitions": 24,
        "replication_factor": 3,
        "configs": {
            "cleanup.policy": "delete",
            "min.insync.replicas": "2",
            "retention.bytes": "-1",
            "retention.ms": "604800000",
        },
    }
    acls = usw2["acls"]
    assert {
        "principal": "User:ledger-reader",
        "resource_type": "GROUP",
        "pattern_type": "LITERAL",
        "resource_name": "ledger-reader.ledger",
        "operation": "READ",
        "permission": "ALLOW",
        "host": "*",
    } in acls  # the deprecated `operation` form
    assert {
        "principal": "User:CN=kafka-admin",
        "resource_type": "CLUSTER",
        "pattern_type": "LITERAL",
        "resource_name": "kafka-cluster",
        "operation": "ALTER",
        "permission": "ALLOW",
        "host": "*",
    } in acls  # a TLS user's principal
    assert not [a for a in acls if a["operation"] == "WRITE" and a["resource_type"] == "TOPIC"]
    assert usw2["quotas"] == [
        {
            "entity_type": "user",
            "entity": "User:notification-service",
            "values": {"producer_byte_rate": 10485760},
        }
    ]


def test_v1beta2_and_v1_mirrormaker2_read_alike(usw2: dict[str, Any], use1: dict[str, Any]) -> None:
    (forward,) = usw2["replication"]  # v1beta2: clusters, connectCluster, targetCluster
    (reverse,) = use1["replication"]  # v1: spec.target, mirrors[].source
    assert (forward["name"], forward["source_region"], forward["target_region"]) == (
        "payments-use1-to-usw2",
        "us-east-1",
        "us-west-2",
    )
    assert (reverse["name"], reverse["source_region"], reverse["target_region"]) == (
        "payments-usw2-to-use1",
        "us-west-2",
        "us-east-1",
    )
    assert (forward["prefix"], reverse["prefix"]) == ("use1", "usw2")
    assert (
        {k: forward[k] for k in FLOW_FACTS}
        == {k: reverse[k] for k in FLOW_FACTS}
        == {
            "tool": "mirrormaker2",
            "topics_include": ["payments\\..*", "ledger\\..*", "fraud\\..*", "notify\\..*"],
            "topics_exclude": [".*[\\-\\.]internal", ".*\\.replica", "__.*"],
            "topic_naming": "prefixed",
            "copies_acls": False,
            "copies_topic_configs": True,
            "offset_sync": {"enabled": True, "mode": "CHECKPOINTS", "checkpoints_present": None},
            "loop_protection": True,
            "starting_position": "EARLIEST",
            "consumer_isolation": "read_committed",
            "state": "RUNNING",
            "owner": "team-platform",
        }
    )


def test_gaps_sources_and_secrets(usw2: dict[str, Any], use1: dict[str, Any]) -> None:
    for snapshot in (usw2, use1):
        assert [g["area"] for g in snapshot["gaps"]] == ["audit", "consumer_groups"]
        assert snapshot["source"]["type"] == "strimzi"
        text = json.dumps(snapshot)
        assert SECRET_MARK not in text and "password" not in text.lower()
    assert usw2["source"]["file"].endswith("fixtures/strimzi/ready/us-west-2")
    # several files: the directory that holds them, for reports to point at
    assert use1["source"]["file"].endswith("fixtures/strimzi/ready/us-east-1")
    assert SECRET_MARK in (READY / "us-west-2" / "unrelated.yaml").read_text()


def test_connect_cluster_on_the_source_echoes(tmp_path: Path) -> None:
    run = run_cli(
        ["export", "strimzi", str(STRIMZI / "faulted" / "us-west-2"), "--region", "us-west-2", *MM2]
    )
    assert run.exit_code == 0
    (flow,) = run.json()["replication"]
    assert (flow["topic_naming"], flow["loop_protection"]) == ("identical", False)
    warning = (
        "KafkaMirrorMaker2 payments-use1-to-usw2 ("
        + str(STRIMZI / "faulted" / "us-west-2" / "mirrormaker2.yaml").replace(
            str(Path.cwd()) + "/", ""
        )
        + "#1): connectCluster use1 is not the target usw2 and the "
        "identity replication policy has no loop protection: records echo back forever"
    )
    assert f"failback: warning: {warning}" in run.stderr
    assert warning in run.json()["source"]["detail"]
    users = [a for a in run.json()["acls"] if a["principal"] == "User:ops-debug"]
    assert users == [
        {
            "principal": "User:ops-debug",
            "resource_type": "TOPIC",
            "pattern_type": "LITERAL",
            "resource_name": "*",
            "operation": "ALL",
            "permission": "ALLOW",
            "host": "*",
        }
    ]


def test_aliases_are_regions_by_default() -> None:
    snapshot = export("strimzi", str(READY / "us-west-2"), "--region", "us-west-2")
    flow = snapshot["replication"][0]
    assert (flow["source_region"], flow["target_region"]) == ("use1", "usw2")


@pytest.mark.parametrize(
    ("pairs", "fragments"),
    [
        (["--mm2-region", "use1"], ["--mm2-region expects ALIAS=REGION, got 'use1'"]),
        (["--mm2-region", "east=us-east-1"], ["names alias 'east', which no KafkaMirrorMaker2"]),
    ],
)
def test_bad_mm2_region_pairs(pairs: list[str], fragments: list[str]) -> None:
    run = run_cli(["export", "strimzi", str(READY / "us-west-2"), "--region", "us-west-2", *pairs])
    assert_one_line_error(run, 2, *fragments)


# --- manifests the exporter must survive -------------------------------------------------------


def _region_copy(tmp_path: Path) -> Path:
    target = tmp_path / "us-west-2"
    shutil.copytree(READY / "us-west-2", target)
    return target


def _dump(path: Path, *documents: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump_all(list(documents), sort_keys=False))


def test_a_resource_of_an_unknown_api_version_is_a_gap(tmp_path: Path) -> None:
    folder = _region_copy(tmp_path)
    _dump(
        folder / "legacy.yaml",
        {
            "apiVersion": "kafka.strimzi.io/v1beta1",
            "kind": "KafkaTopic",
            "metadata": {"name": "legacy.topic", "labels": {"strimzi.io/cluster": "payments-usw2"}},
            "spec": {"partitions": 1},
        },
    )
    snapshot = export("strimzi", str(folder), "--region", "us-west-2")
    assert "topics" not in snapshot
    (gap,) = [g for g in snapshot["gaps"] if g["area"] == "topics"]
    assert gap["reason"].startswith("KafkaTopic legacy.topic (")
    assert (
        "has apiVersion kafka.strimzi.io/v1beta1, which this exporter does not read"
        in gap["reason"]
    )


def _topic(name: str, config: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaTopic",
        "metadata": {"name": name, "labels": {"strimzi.io/cluster": "payments-usw2"}},
        "spec": {"partitions": 3, "config": config},
    }


def test_topic_config_values_read_as_the_topic_operator_sends_them(tmp_path: Path) -> None:
    """A list is its items joined with commas (Strimzi's configValueAsString), so the cleanup
    policy still includes delete and retention is judged; a null is no setting."""
    folder = _region_copy(tmp_path)
    config = {
        "cleanup.policy": ["compact", "delete"],
        "retention.ms": 86400000,
        "min.cleanable.dirty.ratio": 0.5,
        "unclean.leader.election.enable": False,
        "segment.ms": None,
    }
    _dump(folder / "listed.yaml", _topic("orders.listed", config))
    snapshot = export("strimzi", str(folder), "--region", "us-west-2")
    assert snapshot["topics"]["orders.listed"]["configs"] == {
        "cleanup.policy": "compact,delete",
        "min.cleanable.dirty.ratio": "0.5",
        "retention.ms": "86400000",
        "unclean.leader.election.enable": "false",
    }
    assert not [g for g in snapshot.get("gaps", []) if g["area"] == "topics"]


def test_a_topic_config_value_the_operator_rejects_is_a_gap(tmp_path: Path) -> None:
    folder = _region_copy(tmp_path)
    _dump(folder / "odd.yaml", _topic("orders.odd", {"retention.ms": {"days": 7}}))
    snapshot = export("strimzi", str(folder), "--region", "us-west-2")
    assert "topics" not in snapshot
    (gap,) = [g for g in snapshot["gaps"] if g["area"] == "topics"]
    assert gap["reason"].startswith("KafkaTopic orders.odd (")
    assert gap["reason"].endswith(
        "config retention.ms: dict is not a topic setting; the Topic Operator rejects it"
    )


def test_a_kafka_of_an_unknown_api_version_is_an_error(tmp_path: Path) -> None:
    _dump(
        tmp_path / "kafka.yaml",
        {
            "apiVersion": "kafka.strimzi.io/v1alpha1",
            "kind": "Kafka",
            "metadata": {"name": "old"},
            "spec": {},
        },
    )
    run = run_cli(["export", "strimzi", str(tmp_path), "--region", "us-west-2"])
    assert_one_line_error(
        run, 2, "no Kafka resource (kafka.strimzi.io/v1beta2 or v1)", "is kafka.strimzi.io/v1alpha1"
    )


def test_invalid_yaml_named_explicitly_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata: [unclosed\n")
    run = run_cli(["export", "strimzi", str(path), "--region", "us-west-2"])
    assert_one_line_error(run, 2, "broken.yaml is not valid YAML", "line")


def test_invalid_yaml_in_a_directory(tmp_path: Path) -> None:
    folder = _region_copy(tmp_path)
    (folder / "chart").mkdir()
    (folder / "chart" / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n"
    )
    run = run_cli(["export", "strimzi", str(folder), "--region", "us-west-2"])
    assert run.exit_code == 0, run.stderr
    assert "failback: warning: skipped" in run.stderr and "deployment.yaml" in run.stderr
    (folder / "chart" / "topic.yaml").write_text(
        "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\n"
        "metadata: {name: {{ .Values.topic }}}\n"
    )
    run = run_cli(["export", "strimzi", str(folder), "--region", "us-west-2"])
    assert_one_line_error(run, 2, "topic.yaml is not valid YAML")


def test_an_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for index in range(1, 12):
        previous = chr(ord("a") + index - 1)
        name = chr(ord("a") + index)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    (tmp_path / "bomb.yaml").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    run = run_cli(["export", "strimzi", str(tmp_path / "bomb.yaml"), "--region", "us-west-2"])
    assert time.monotonic() - started < 10
    assert_one_line_error(run, 2, "bomb.yaml is not valid YAML", "alias bomb")


def test_several_kafkas_need_a_cluster_and_labels_pick_their_resources(tmp_path: Path) -> None:
    folder = _region_copy(tmp_path)
    _dump(
        folder / "other.yaml",
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "Kafka",
            "metadata": {"name": "analytics", "namespace": "data"},
            "spec": {
                "kafka": {
                    "listeners": [{"name": "plain", "port": 9092, "type": "internal", "tls": False}]
                }
            },
        },
        {
            "apiVersion": "kafka.strimzi.io/v1",
            "kind": "KafkaTopic",
            "metadata": {"name": "clicks", "labels": {"strimzi.io/cluster": "analytics"}},
            "spec": {"partitions": 3},
        },
    )
    run = run_cli(["export", "strimzi", str(folder), "--region", "us-west-2"])
    assert_one_line_error(
        run, 2, "2 Kafka resources", "analytics, payments-usw2", "choose one with --cluster"
    )
    analytics = export("strimzi", str(folder), "--region", "us-west-2", "--cluster", "analytics")
    assert list(analytics["topics"]) == ["clicks"]
    assert analytics["acls"] == []
    # no spec.kafka.authorization: no authorizer, every client may do everything
    assert analytics["broker_config"] == {
        "allow.everyone.if.no.acl.found": "true",
        "authorizer.class.name": "",
    }
    assert analytics["authentication"]["unauthenticated"] is True
    assert analytics["encryption"]["in_transit"]["client_broker"] == "PLAINTEXT"
    payments = export("strimzi", str(folder), "--region", "us-west-2", "--cluster", "payments-usw2")
    assert "clicks" not in payments["topics"]


def test_external_listeners(tmp_path: Path) -> None:
    listeners = [
        {"name": "route", "port": 9095, "type": "route", "tls": True},
        {
            "name": "nlb",
            "port": 9096,
            "type": "loadbalancer",
            "tls": True,
            "configuration": {
                "bootstrap": {
                    "annotations": {
                        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"
                    }
                }
            },
        },
        {
            "name": "peers",
            "port": 9097,
            "type": "loadbalancer",
            "tls": True,
            "configuration": {
                "loadBalancerSourceRanges": ["10.10.0.0/16"],
                "bootstrap": {
                    "annotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"}
                },
            },
        },
        {
            "name": "apps",
            "port": 9098,
            "type": "internal",
            "tls": True,
            "networkPolicyPeers": [
                {
                    "namespaceSelector": {"matchLabels": {"team": "payments"}},
                    "podSelector": {"matchLabels": {"app": "api"}},
                }
            ],
        },
    ]
    _dump(
        tmp_path / "kafka.yaml",
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "Kafka",
            "metadata": {"name": "edge"},
            "spec": {"kafka": {"listeners": listeners, "authorization": {"type": "custom"}}},
        },
    )
    snapshot = export("strimzi", str(tmp_path), "--region", "us-west-2")
    assert snapshot["network"]["public_access"] is True  # the route
    assert [(r["from_port"], r["peer"]) for r in snapshot["network"]["ingress"]] == [
        (9095, "0.0.0.0/0"),
        (9096, "network:internal-load-balancer"),
        (9097, "10.10.0.0/16"),
        (9098, "k8s:namespace(team=payments)/pod(app=api)"),
    ]
    assert any(
        g["area"] == "acls" and "uses custom authorization" in g["reason"] for g in snapshot["gaps"]
    )
    assert "acls" not in snapshot


def test_lists_connectors_and_unrelated_kinds(tmp_path: Path) -> None:
    folder = _region_copy(tmp_path)
    _dump(
        folder / "connect.yaml",
        {
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {
                    "apiVersion": "kafka.strimzi.io/v1beta2",
                    "kind": "KafkaConnector",
                    "metadata": {"name": "mm2-source"},
                    "spec": {"class": "org.apache.kafka.connect.mirror.MirrorSourceConnector"},
                },
                {
                    "apiVersion": "kafka.strimzi.io/v1beta2",
                    "kind": "KafkaConnector",
                    "metadata": {"name": "jdbc"},
                    "spec": {"class": "io.confluent.JdbcSinkConnector"},
                },
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}},
                "a string",
                7,
            ],
        },
    )
    snapshot = export("strimzi", str(folder), "--region", "us-west-2")
    assert "replication" not in snapshot
    assert [g["reason"].split(" (")[0] for g in snapshot["gaps"] if g["area"] == "replication"] == [
        "KafkaConnector mm2-source"
    ]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["/nonexistent/manifests"], ["Strimzi manifests not found: /nonexistent/manifests"]),
        (["--captured-at", "soon", str(READY / "us-west-2")], ["not an RFC 3339 timestamp"]),
    ],
)
def test_path_errors(args: list[str], fragments: list[str]) -> None:
    run = run_cli(["export", "strimzi", *args, "--region", "us-west-2"])
    assert_one_line_error(run, 2, *fragments)


def test_an_empty_directory_has_no_kafka(tmp_path: Path) -> None:
    run = run_cli(["export", "strimzi", str(tmp_path), "--region", "us-west-2"])
    assert_one_line_error(run, 2, "no Kafka resource", "0 manifest files read")


@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        ({"type": "strimzi", "paths": "us-west-2", "bogus": True}, ["unknown keys bogus"]),
        ({"type": "strimzi", "paths": [1]}, ["paths must be a list"]),
        (
            {"type": "strimzi", "paths": ["us-west-2"], "mm2_regions": ["usw2"]},
            ["mm2_regions must map aliases to regions"],
        ),
        ({"type": "strimzi", "paths": ["nowhere"]}, ["Strimzi manifests not found"]),
    ],
)
def test_bad_strimzi_sources_in_the_plan(  # type: ignore[no-untyped-def]
    k8s_estate,
    source: dict[str, Any],
    fragments: list[str],
) -> None:
    estate = k8s_estate("ready")
    plan_file = estate / "failback.yaml"
    document = yaml.safe_load(plan_file.read_text())
    document["regions"]["secondary"]["source"] = source
    plan_file.write_text(yaml.safe_dump(document))
    assert_one_line_error(run_cli(["check", "-c", str(plan_file), "--now", NOW]), 2, *fragments)


def test_secret_kafka_config_is_scrubbed(tmp_path: Path) -> None:
    folder = _region_copy(tmp_path)
    kafka = folder / "kafka.yaml"
    documents = list(yaml.safe_load_all(kafka.read_text()))
    documents[1]["spec"]["kafka"]["config"]["ssl.keystore.password"] = "fixture-secret-ks"
    documents[1]["spec"]["kafka"]["config"]["sasl.jaas.config"] = "x password=fixture-secret"
    _dump(kafka, *documents)
    snapshot = export("strimzi", str(folder), "--region", "us-west-2")
    assert SECRET_MARK not in json.dumps(snapshot)
    assert snapshot["broker_config"]["min.insync.replicas"] == "2"


def test_mirrormaker2_source_consumer_isolation() -> None:
    """The source connector reads read_uncommitted unless its config says otherwise."""
    empty: dict[str, str] = {}
    assert consumer_isolation(empty.get) == "read_uncommitted"
    assert consumer_isolation({"consumer.isolation.level": "read_committed"}.get) == (
        "read_committed"
    )
    both = {"consumer.isolation.level": "read_committed"}
    both["source.consumer.isolation.level"] = "read_uncommitted"
    assert consumer_isolation(both.get) == "read_uncommitted"
    assert consumer_isolation({"consumer.isolation.level": 3}.get) is None
