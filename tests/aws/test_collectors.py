"""The collectors' pure parts: properties, IAM statements, replicator flows, sources."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.exporters import from_source
from checker.exporters._shared.iam_policy import document_grants, statement_grants
from checker.exporters._shared.properties import parse_properties
from checker.exporters.aws.iam import applies
from checker.exporters.aws.msk import Cluster, parse_cluster_arn
from checker.exporters.aws.replication import replicator_flows
from checker.exporters.aws.topics import decode_configs

CLUSTER = Cluster(
    arn="arn:aws:kafka:us-east-1:111122223333:cluster/payments-use1/5e7c-3",
    partition="aws",
    region="us-east-1",
    account="111122223333",
    name="payments-use1",
    uuid="5e7c-3",
)
PREFIX = "arn:aws:kafka:us-east-1:111122223333"


def here(resource: str) -> bool:
    """Whether an IAM resource can name CLUSTER."""
    return applies(resource, CLUSTER)


def test_parse_properties() -> None:
    text = (
        "# comment\n! also a comment\n\nauto.create.topics.enable = true\n"
        "log.retention.hours:168\nmin.insync.replicas 2\n"
        "listener.names=A,\\\n    B\nempty.value=\n"
    )
    assert parse_properties(text) == {
        "auto.create.topics.enable": "true",
        "log.retention.hours": "168",
        "min.insync.replicas": "2",
        "listener.names": "A,B",
        "empty.value": "",
    }


def test_decode_topic_configs() -> None:
    encoded = base64.b64encode(b"compression.type=producer\nretention.ms=604800000").decode()
    assert decode_configs(encoded) == {"compression.type": "producer", "retention.ms": "604800000"}
    as_json = base64.b64encode(b'{"retention.ms": 86400000}').decode()
    assert decode_configs(as_json) == {"retention.ms": "86400000"}


def test_parse_cluster_arn() -> None:
    cluster = parse_cluster_arn(CLUSTER.arn, "us-east-1")
    assert (cluster.name, cluster.uuid, cluster.account) == (
        "payments-use1",
        "5e7c-3",
        "111122223333",
    )
    with pytest.raises(InputError, match="not in the exported region us-west-2"):
        parse_cluster_arn(CLUSTER.arn, "us-west-2")


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("*", True),
        (f"{PREFIX}:cluster/payments-use1/5e7c-3", True),
        (f"{PREFIX}:cluster/payments-use1/*", True),
        (f"{PREFIX}:cluster/payments-usw2/*", False),
        (f"{PREFIX}:topic/payments-use1/*/ledger.*", True),
        (f"{PREFIX}:topic/*", True),
        ("arn:aws:kafka:*:111122223333:topic/*/*/ledger.*", True),
        ("arn:aws:kafka:us-*:111122223333:topic/payments-*/*/ledger.*", True),  # partial region
        ("arn:aws:kafka:eu-*:111122223333:topic/payments-*/*/ledger.*", False),
        ("arn:aws:kafka:us-west-2:111122223333:topic/payments-use1/*/*", False),
        ("arn:aws:kafka:us-east-1:999988887777:topic/payments-use1/*/*", False),
        (f"{PREFIX}:group/payments-use1/*/ledger-*", True),
        (f"{PREFIX}:transactional-id/payments-?se1/*/*", True),
        ("arn:aws:kafka:*:*:*", True),
        ("arn:aws:s3:::ledger-archive/*", False),
    ],
)
def test_resource_applies_to_this_cluster(resource: str, expected: bool) -> None:
    assert applies(resource, CLUSTER) is expected


def grants(statement: dict[str, Any]) -> list[dict[str, Any]]:
    return list(statement_grants(statement, ["arn:aws:iam::111122223333:role/r"], "p", here))


def test_statement_keeps_only_kafka_cluster_actions_on_this_cluster() -> None:
    [grant] = grants(
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "kafka-cluster:WriteData", "kafka:Describe*"],
            "Resource": [
                f"{PREFIX}:topic/payments-use1/*/ledger.*",
                "arn:aws:kafka:us-west-2:111122223333:topic/payments-usw2/*/*",
                "arn:aws:s3:::bucket/*",
            ],
        }
    )
    assert grant == {
        "principal": "arn:aws:iam::111122223333:role/r",
        "effect": "Allow",
        "actions": ["kafka-cluster:WriteData"],
        "resources": [f"{PREFIX}:topic/payments-use1/*/ledger.*"],
        "policy": "p",
    }
    assert grants({"Effect": "Allow", "Action": "kafka:*", "Resource": "*"}) == []
    assert grants({"Effect": "Allow", "Action": "*", "Resource": "*"})[0]["actions"] == ["*"]
    assert grants({"Effect": "Allow", "Action": "kafka-cluster:Write*", "Resource": "*"})[0][
        "actions"
    ] == ["kafka-cluster:Write*"]


def test_not_action_not_resource_and_conditional_deny() -> None:
    [allow] = grants({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert allow["actions"] == ["kafka-cluster:*"]
    [partial] = grants({"Effect": "Allow", "NotAction": ["kafka-cluster:Write*"], "Resource": "*"})
    assert "kafka-cluster:WriteData" not in partial["actions"]
    assert "kafka-cluster:ReadData" in partial["actions"]
    [everywhere] = grants(
        {
            "Effect": "Allow",
            "Action": "kafka-cluster:WriteData",
            "NotResource": f"{PREFIX}:topic/payments-use1/*/audit.*",
        }
    )
    assert everywhere["resources"] == ["*"]  # fail closed: counted as everything
    assert grants({"Effect": "Deny", "Action": "kafka-cluster:WriteData", "NotResource": "x"}) == []
    assert (
        grants(
            {
                "Effect": "Deny",
                "Action": "kafka-cluster:WriteData",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        )
        == []
    )
    [deny] = grants({"Effect": "Deny", "Action": "kafka-cluster:WriteData", "Resource": "*"})
    assert deny["effect"] == "Deny"


def test_policy_documents_as_text() -> None:
    document = (
        '{"Statement": {"Effect": "Allow", "Action": "kafka-cluster:ReadData", "Resource": "*"}}'
    )
    encoded = document.replace('"', "%22").replace(" ", "%20")
    for raw in (document, encoded):
        [grant] = document_grants(raw, ["u"], "inline", here)
        assert grant["actions"] == ["kafka-cluster:ReadData"]


def replicator(naming: str, groups: dict[str, Any]) -> Any:
    return {
        "ReplicatorName": "dr",
        "ReplicatorState": "CREATING",
        "Tags": {"team": "platform"},
        "KafkaClusters": [
            {"AmazonMskCluster": {"MskClusterArn": CLUSTER.arn}, "KafkaClusterAlias": "use1"},
            {
                "ApacheKafkaCluster": {
                    "ApacheKafkaClusterId": "onprem",
                    "BootstrapBrokerString": "k1:9092",
                },
                "KafkaClusterAlias": "dc1",
            },
        ],
        "ReplicationInfoList": [
            {
                "SourceKafkaClusterAlias": "dc1",
                "TargetKafkaClusterAlias": "use1",
                "TopicReplication": {
                    "TopicsToReplicate": [".*"],
                    "TopicNameConfiguration": {"Type": naming},
                },
                "ConsumerGroupReplication": groups,
            }
        ],
    }


def test_replicator_flow_prefixed_external_source_default_mode() -> None:
    [flow] = replicator_flows(
        replicator("PREFIXED_WITH_SOURCE_CLUSTER_ALIAS", {"SynchroniseConsumerGroupOffsets": True})
    )
    assert flow["source_region"] == "external:dc1" and flow["target_region"] == "us-east-1"
    assert (flow["topic_naming"], flow["prefix"]) == ("prefixed", "dc1")
    assert flow["offset_sync"] == {"enabled": True, "mode": "LEGACY"}
    assert (flow["owner"], flow["state"], flow["loop_protection"]) == ("platform", "CREATING", True)
    [unsynced] = replicator_flows(replicator("IDENTICAL", {}))
    assert unsynced["offset_sync"] == {"enabled": False, "mode": "NONE"}
    assert unsynced["topic_naming"] == "identical" and unsynced["prefix"] is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"type": "aws"}, "cluster_arn is required"),
        ({"type": "aws", "cluster_arn": CLUSTER.arn, "regoin": "x"}, "unknown keys regoin"),
        ({"type": "aws", "cluster_arn": CLUSTER.arn, "storage_buckets": "b"}, "must be a list"),
        ({"type": "aws", "cluster_arn": CLUSTER.arn, "max_attempts": 0}, "positive number"),
        ({"type": "aws", "cluster_arn": CLUSTER.arn, "profile": ""}, "non-empty string"),
        ({"type": "aws", "cluster_arn": CLUSTER.arn}, "not in the exported region us-west-2"),
    ],
)
def test_source_validation(source: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        from_source(source, "us-west-2", Path("."), None)
