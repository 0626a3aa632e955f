"""One estate, three sources: `failback check` of the same Kafka estate read from a Terraform plan,
a Terraform state and Strimzi manifests gives the same findings where the sources overlap
(issue #15, "Tests that prove it").

The estate is described once (`region_estate`): topics with their configs, ACL grants (PREFIXED
and LITERAL), SCRAM users and client quotas of an orders and a billing family, us-east-1 the
writer and us-west-2 the standby, with a few faults seeded in us-west-2. From that description
the module writes:

- Terraform, one root module per region (live/<region>, as a Terragrunt-style layout keeps one
  state per region): an MSK cluster, its configuration, and the Kafka provider (Mongey/kafka)
  configured from the cluster's SCRAM bootstrap brokers, managing kafka_topic, kafka_acl,
  kafka_quota and kafka_user_scram_credential with for_each; as `terraform show -json` prints
  the plan (no-op changes) and the state.
- Strimzi, one directory per region: Kafka, KafkaTopic and KafkaUser resources (SCRAM users with
  simple authorization and quotas).

The MSK and Strimzi clusters differ where they must (encryption, network, audit, IAM are the
platform's), so only the areas both describe from the same declarations are compared.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import run_cli
from ..opa_support import tool
from .conftest import export

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
REGIONS = (PRIMARY, SECONDARY)
ACCOUNT = "123456789012"
NOW = "2026-11-29T00:00:00Z"
TIMESTAMP = "2026-11-28T23:00:00Z"  # the plans' own capture time; the states take --now
PHASES = ("normal", "failover", "dr_operation", "failback", "cleanup")
WRITER = {
    "normal": "primary",
    "failover": "secondary",
    "dr_operation": "secondary",
    "failback": "primary",
    "cleanup": "primary",
}
SOURCES = ("terraform-plan", "terraform-state", "strimzi")

# The policy areas whose rules read only what both sources take from the same declarations:
# - acl: kafka_acl / KafkaUser ACLs, kafka_user_scram_credential / SCRAM KafkaUsers, and the
#   authorizer settings (server_properties / spec.kafka.config + authorization);
# - write_authority: which principals may write each family where (the ACLs again);
# - topic_config and retention: kafka_topic config / KafkaTopic config, partitions, replicas
#   (RET-003, storage lifecycle, reads S3 buckets, which neither estate declares);
# - compatibility: Kafka versions, client quotas (kafka_quota / KafkaUser quotas), transactional
#   grants and Connect internal topics.
# Not compared: encryption, network and audit (MSK attributes against Kubernetes listeners and
# pod logs), replication and offsets (an MSK Replicator against MirrorMaker 2: other tools,
# other rules), evidence (the gaps differ by source), and the areas judged from the plan alone
# (readiness, rollback, cost).
OVERLAP = frozenset({"acl", "write_authority", "topic_config", "retention", "compatibility"})


# --- the estate, described once ----------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    partitions: int
    replicas: int
    config: Mapping[str, str]


@dataclass(frozen=True)
class Grant:
    """One binding, as Kafka's authorizer keeps it."""

    user: str
    resource_type: str  # TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID
    pattern: str  # LITERAL or PREFIXED
    name: str
    operation: str  # READ, WRITE, DESCRIBE, IDEMPOTENT_WRITE, ALL, ...
    permission: str = "ALLOW"
    host: str = "*"


@dataclass
class Estate:
    """One region's Kafka declarations."""

    kafka_version: str
    broker_config: dict[str, str]
    topics: dict[str, Topic]
    grants: list[Grant]
    scram_users: list[str]
    quotas: dict[str, dict[str, int]] = field(default_factory=dict)  # user -> quota -> value
    # the regions this one replicates from, with identical names (MSK Replicator IDENTICAL,
    # MirrorMaker 2 IdentityReplicationPolicy), and the topics it copies
    replicates_from: tuple[str, ...] = ()
    replicated: tuple[str, ...] = ("orders\\..*", "billing\\..*")


def _topic_config(retention_ms: int, **extra: str) -> dict[str, str]:
    return {
        "cleanup.policy": "delete",
        "min.insync.replicas": "2",
        "retention.ms": str(retention_ms),
        **extra,
    }


WEEK_MS, DAY_MS = 604_800_000, 86_400_000


def region_estate(region: str) -> Estate:
    """The estate in `region`; us-west-2 carries the seeded faults (marked FAULT)."""
    dr = region == SECONDARY
    topics = {
        "orders.created": Topic(12, 3, _topic_config(WEEK_MS)),
        # FAULT (RET-001): the standby keeps settled orders one day instead of seven (compacted
        # and deleted: retention still removes records)
        "orders.settled": Topic(
            12,
            3,
            _topic_config(DAY_MS if dr else WEEK_MS, **{"cleanup.policy": "compact,delete"}),
        ),
        # FAULT (TOP-004): the standby accepts smaller records than the writer produces
        "billing.invoices": Topic(
            6, 3, _topic_config(WEEK_MS, **{"max.message.bytes": "524288" if dr else "2097152"})
        ),
    }
    grants = [
        Grant("orders-writer", "TOPIC", "PREFIXED", "orders.", "DESCRIBE"),
        Grant("orders-writer", "CLUSTER", "LITERAL", "kafka-cluster", "IDEMPOTENT_WRITE"),
        Grant("orders-reader", "TOPIC", "PREFIXED", "orders.", "READ"),
        Grant("orders-reader", "TOPIC", "PREFIXED", "orders.", "DESCRIBE"),
        Grant("orders-reader", "GROUP", "PREFIXED", "orders-reader", "ALL"),
        Grant("billing-writer", "TOPIC", "LITERAL", "billing.invoices", "DESCRIBE"),
        Grant("billing-writer", "TRANSACTIONAL_ID", "PREFIXED", "billing-", "WRITE"),
        Grant("billing-writer", "TRANSACTIONAL_ID", "PREFIXED", "billing-", "DESCRIBE"),
        Grant("billing-reader", "TOPIC", "LITERAL", "billing.invoices", "READ"),
        Grant("billing-reader", "GROUP", "PREFIXED", "billing-", "READ"),
        # a host-scoped DENY: the reporting subnet's batch host never reads invoices
        Grant("billing-reader", "TOPIC", "LITERAL", "billing.invoices", "READ", "DENY", "10.1.9.7"),
        Grant("monitoring", "TOPIC", "LITERAL", "*", "DESCRIBE"),
        Grant("monitoring", "CLUSTER", "LITERAL", "kafka-cluster", "DESCRIBE"),
    ]
    if not dr:
        # the producers write in the writing region only; reporting reads one settled topic
        grants += [
            Grant("orders-writer", "TOPIC", "PREFIXED", "orders.", "WRITE"),
            Grant("billing-writer", "TOPIC", "LITERAL", "billing.invoices", "WRITE"),
            Grant("reporting", "TOPIC", "LITERAL", "orders.settled", "READ"),
        ]
    else:
        grants += [
            # FAULT (WA-001, WA-002): the orders producer kept its write grant in the passive region
            Grant("orders-writer", "TOPIC", "PREFIXED", "orders.", "WRITE"),
            # FAULT (ACL-004): reporting reads every orders topic here, one topic in us-east-1
            Grant("reporting", "TOPIC", "PREFIXED", "orders.", "READ"),
            # FAULT (ACL-002, ACL-006): a debugging user, only here, reading every topic
            Grant("ops-debug", "TOPIC", "LITERAL", "*", "READ"),
        ]
    users = sorted({g.user for g in grants})  # each with a SCRAM credential
    return Estate(
        kafka_version="3.8.0",
        broker_config={
            "allow.everyone.if.no.acl.found": "false",
            "auto.create.topics.enable": "false",
            "default.replication.factor": "3",
            "min.insync.replicas": "2",
            "unclean.leader.election.enable": "false",
        },
        topics=topics,
        grants=sorted(grants, key=lambda g: (g.user, g.resource_type, g.name, g.operation)),
        scram_users=users,
        # FAULT (CMP-003): the billing producer is throttled harder in the standby
        quotas={"billing-writer": {"producer_byte_rate": 1_048_576 if dr else 4_194_304}},
        replicates_from=(PRIMARY,) if dr else (),
    )


def failback_plan(name: str, sources: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """failback.yaml of the estate, the same for every source but the `source` entries."""

    def family(fname: str, tier: int, producers: list[str], transactional: bool) -> dict[str, Any]:
        return {
            "name": fname,
            "match": [f"{fname}.*"],
            "owner": f"team-{fname}",
            "tier": tier,
            "phases": {p: {"writer": WRITER[p], "consumer": WRITER[p]} for p in PHASES},
            "producers": producers,
            "offset_strategy": "translated",
            "transactional": transactional,
            "sinks": [{"name": f"{fname}-store", "idempotency": "idempotent"}],
            "evidence": {
                p: {"runbook": f"runbooks/{fname}/{p}.md", "last_rehearsal": "2026-11-10"}
                for p in PHASES
            },
        }

    return {
        "schema_version": "1.0",
        "name": name,
        "current_phase": "failback",
        "regions": {
            role: {"name": region, "source": dict(sources[region])}
            for role, region in (("primary", PRIMARY), ("secondary", SECONDARY))
        },
        "equivalences": [
            {"kind": "cluster", "canonical": "shop", "values": [_cluster(r) for r in REGIONS]}
        ],
        "replicator_principals": ["iam:role/msk-replicator-*", "User:mm2-*"],
        "topic_families": [
            family("orders", 1, ["User:orders-writer"], False),
            family("billing", 2, ["User:billing-writer"], True),
        ],
        "rollback": {
            "stop_point": "Before producers move back to us-east-1",
            "return_path": "Point producers back at us-west-2 and re-grant their writes there",
            "decision_owner": "shop-incident-commander",
        },
        "cost": {
            "max_dual_region_days": 30,
            "dual_region_since": "2026-11-20",
            "owner": "team-platform",
        },
        "evidence": {
            "max_snapshot_skew_hours": 24,
            "max_snapshot_age_hours": 168,
            "rehearsal_max_age_days": 90,
            "out_of_scope": ["consumer_groups"],
        },
    }


def _cluster(region: str) -> str:
    return f"shop-{region}"


# --- as Terraform (AWS provider + Mongey/kafka) ------------------------------------------------

AWS = "registry.terraform.io/hashicorp/aws"
KAFKA = "registry.terraform.io/mongey/kafka"
UUID = {
    PRIMARY: "5c1f0e2a-7b3d-4c9e-8f1a-2b3c4d5e6f70-3",
    SECONDARY: "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b-2",
}
# Kafka provider spellings of the authorizer's enums
TF_TYPES = {
    "TOPIC": "Topic",
    "GROUP": "Group",
    "CLUSTER": "Cluster",
    "TRANSACTIONAL_ID": "TransactionalID",
}


@dataclass(frozen=True)
class TfResource:
    type: str
    name: str
    values: dict[str, Any]
    key: str | None = None  # its for_each key
    provider: str = "aws"
    sensitive: Mapping[str, Any] = field(default_factory=dict)

    @property
    def address(self) -> str:
        index = "" if self.key is None else f'["{self.key}"]'
        return f"{self.type}.{self.name}{index}"

    def state_object(self) -> dict[str, Any]:
        """The resource as planned_values and state values list it."""
        out: dict[str, Any] = {
            "address": self.address,
            "mode": "managed",
            "type": self.type,
            "name": self.name,
        }
        if self.key is not None:
            out["index"] = self.key
        out.update(
            {
                "provider_name": AWS if self.provider == "aws" else KAFKA,
                "schema_version": 0,
                "values": self.values,
                "sensitive_values": dict(self.sensitive),
            }
        )
        return out


def _brokers(region: str, port: int) -> str:
    return ",".join(
        f"b-{i}.{_cluster(region)}.q4r8tz.c2.kafka.{region}.amazonaws.com:{port}" for i in (1, 2, 3)
    )


def tf_resources(region: str) -> list[TfResource]:
    """live/<region>: the MSK cluster and the Kafka provider resources of the estate."""
    estate = region_estate(region)
    arn = f"arn:aws:kafka:{region}:{ACCOUNT}"
    config_arn = f"{arn}:configuration/{_cluster(region)}/{UUID[region]}"
    cluster_arn = f"{arn}:cluster/{_cluster(region)}/{UUID[region]}"
    out = [
        TfResource(
            "aws_msk_configuration",
            "this",
            {
                "arn": config_arn,
                "id": config_arn,
                "name": _cluster(region),
                "kafka_versions": [estate.kafka_version],
                "latest_revision": 1,
                "server_properties": "".join(
                    f"{k} = {v}\n" for k, v in sorted(estate.broker_config.items())
                ),
            },
        ),
        TfResource(
            "aws_msk_cluster",
            "this",
            {
                "arn": cluster_arn,
                "id": cluster_arn,
                "cluster_name": _cluster(region),
                "cluster_uuid": UUID[region],
                "kafka_version": estate.kafka_version,
                "number_of_broker_nodes": 3,
                "bootstrap_brokers": "",
                "bootstrap_brokers_sasl_scram": _brokers(region, 9096),
                "bootstrap_brokers_tls": _brokers(region, 9094),
                "broker_node_group_info": [
                    {
                        "client_subnets": [f"subnet-0{i}{region[-1]}shop" for i in (1, 2, 3)],
                        "instance_type": "kafka.m7g.large",
                        "security_groups": [],
                        "connectivity_info": [{"public_access": [{"type": "DISABLED"}]}],
                        "storage_info": [{"ebs_storage_info": [{"volume_size": 1000}]}],
                    }
                ],
                "client_authentication": [
                    {"sasl": [{"iam": False, "scram": True}], "tls": [], "unauthenticated": False}
                ],
                "configuration_info": [{"arn": config_arn, "revision": 1}],
                "encryption_info": [
                    {
                        "encryption_at_rest_kms_key_arn": (
                            f"arn:aws:kms:{region}:{ACCOUNT}:key/"
                            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
                        ),
                        "encryption_in_transit": [{"client_broker": "TLS", "in_cluster": True}],
                    }
                ],
                "logging_info": [],
                "tags": {"service": "shop"},
            },
        ),
    ]
    for source in estate.replicates_from:
        out.append(_replicator(source, region, cluster_arn, estate))
    for name, topic in estate.topics.items():
        out.append(
            TfResource(
                "kafka_topic",
                "this",
                {
                    "id": name,
                    "name": name,
                    "partitions": topic.partitions,
                    "replication_factor": topic.replicas,
                    "config": dict(topic.config),
                },
                key=name,
                provider="kafka",
            )
        )
    for grant in estate.grants:
        operation = "".join(w.capitalize() for w in grant.operation.split("_"))
        fields = {
            "acl_principal": f"User:{grant.user}",
            "acl_host": grant.host,
            "acl_operation": operation,
            "acl_permission_type": grant.permission.capitalize(),
            "resource_name": grant.name,
            "resource_type": TF_TYPES[grant.resource_type],
            "resource_pattern_type_filter": grant.pattern.capitalize(),
        }
        key = "/".join(
            (grant.user, grant.resource_type, grant.name, grant.operation, grant.permission)
        ).lower()
        out.append(
            TfResource(
                "kafka_acl",
                "this",
                {"id": "|".join(fields.values()), **fields},
                key=key,
                provider="kafka",
            )
        )
    for user in estate.scram_users:
        out.append(
            TfResource(
                "kafka_user_scram_credential",
                "this",
                {
                    "id": f"{user}|SCRAM-SHA-512",
                    "username": user,
                    "scram_mechanism": "SCRAM-SHA-512",
                    "scram_iterations": 4096,
                    "password": f"fixture-secret-{user}",
                },
                key=user,
                provider="kafka",
                sensitive={"password": True},
            )
        )
    for user, quota in estate.quotas.items():
        out.append(
            TfResource(
                "kafka_quota",
                "this",
                {
                    "id": f"{user}|user",
                    "entity_name": user,
                    "entity_type": "user",
                    "config": {k: str(v) for k, v in quota.items()},
                },
                key=user,
                provider="kafka",
            )
        )
    return out


def _replicator(source: str, region: str, cluster_arn: str, estate: Estate) -> TfResource:
    """An MSK Replicator into `region` (it lives in its target's region), identical names."""
    source_arn = f"arn:aws:kafka:{source}:{ACCOUNT}:cluster/{_cluster(source)}/{UUID[source]}"
    name = f"{_cluster(source)}-to-{region}"
    return TfResource(
        "aws_msk_replicator",
        "inbound",
        {
            "arn": f"arn:aws:kafka:{region}:{ACCOUNT}:replicator/{name}/7d1e9a4c-2b3f",
            "id": f"arn:aws:kafka:{region}:{ACCOUNT}:replicator/{name}/7d1e9a4c-2b3f",
            "replicator_name": name,
            "service_execution_role_arn": f"arn:aws:iam::{ACCOUNT}:role/msk-replicator-shop",
            "kafka_cluster": [
                {"amazon_msk_cluster": [{"msk_cluster_arn": arn}], "vpc_config": []}
                for arn in (source_arn, cluster_arn)
            ],
            "replication_info_list": [
                {
                    "source_kafka_cluster_arn": source_arn,
                    "target_kafka_cluster_arn": cluster_arn,
                    "source_kafka_cluster_alias": _cluster(source),
                    "target_kafka_cluster_alias": _cluster(region),
                    "target_compression_type": "NONE",
                    "topic_replication": [
                        {
                            "topics_to_replicate": list(estate.replicated),
                            "topics_to_exclude": [],
                            "copy_topic_configurations": True,
                            "copy_access_control_lists_for_topics": False,
                            "detect_and_copy_new_topics": True,
                            "starting_position": [{"type": "LATEST"}],
                            "topic_name_configuration": [{"type": "IDENTICAL"}],
                        }
                    ],
                    "consumer_group_replication": [
                        {
                            "consumer_groups_to_replicate": [".*"],
                            "consumer_groups_to_exclude": [],
                            "synchronise_consumer_group_offsets": True,
                            "detect_and_copy_new_consumer_groups": True,
                            "consumer_group_offset_sync_mode": "ENHANCED",
                        }
                    ],
                }
            ],
        },
    )


def _tf_configuration(resources: list[TfResource], region: str) -> dict[str, Any]:
    """The plan's `configuration`: the AWS provider's region, and the Kafka provider's
    bootstrap servers taken from the cluster, as
    `bootstrap_servers = split(",", aws_msk_cluster.this.bootstrap_brokers_sasl_scram)`."""
    config: dict[str, dict[str, Any]] = {}
    for res in resources:
        entry: dict[str, Any] = {
            "address": f"{res.type}.{res.name}",
            "mode": "managed",
            "type": res.type,
            "name": res.name,
            "provider_config_key": res.provider,
            "expressions": {},
            "schema_version": 0,
        }
        if res.key is not None:
            entry["for_each_expression"] = {"references": [f"local.{res.type}s"]}
        config.setdefault(entry["address"], entry)
    return {
        "provider_config": {
            "aws": {
                "name": "aws",
                "full_name": AWS,
                "version_constraint": "~> 5.80",
                "expressions": {"region": {"constant_value": region}},
            },
            "kafka": {
                "name": "kafka",
                "full_name": KAFKA,
                "version_constraint": "~> 0.8",
                "expressions": {
                    "bootstrap_servers": {
                        "references": [
                            "aws_msk_cluster.this.bootstrap_brokers_sasl_scram",
                            "aws_msk_cluster.this",
                        ]
                    },
                    "tls_enabled": {"constant_value": True},
                    "sasl_mechanism": {"constant_value": "scram-sha512"},
                    "sasl_username": {"constant_value": "terraform"},
                    "sasl_password": {"references": ["var.kafka_admin_password"]},
                },
            },
        },
        "root_module": {
            "resources": [config[k] for k in sorted(config)],
            "variables": {"kafka_admin_password": {"sensitive": True}},
        },
    }


def terraform_plan(region: str) -> dict[str, Any]:
    """`terraform show -json` of a plan of live/<region> with nothing to change."""
    resources = tf_resources(region)
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {"resources": [r.state_object() for r in resources]}},
        "resource_changes": [
            {
                "address": r.address,
                "mode": "managed",
                "type": r.type,
                "name": r.name,
                **({"index": r.key} if r.key is not None else {}),
                "provider_name": AWS if r.provider == "aws" else KAFKA,
                "change": {
                    "actions": ["no-op"],
                    "before": r.values,
                    "after": r.values,
                    "after_unknown": {},
                    "before_sensitive": dict(r.sensitive),
                    "after_sensitive": dict(r.sensitive),
                },
            }
            for r in resources
        ],
        "configuration": _tf_configuration(resources, region),
        "timestamp": TIMESTAMP,
        "applyable": False,
        "complete": True,
        "errored": False,
    }


def terraform_state(region: str) -> dict[str, Any]:
    """`terraform show -json` of the state of live/<region> (no configuration, no time)."""
    return {
        "format_version": "1.0",
        "terraform_version": "1.9.8",
        "values": {"root_module": {"resources": [r.state_object() for r in tf_resources(region)]}},
    }


# --- as Strimzi --------------------------------------------------------------------------------

STRIMZI = "kafka.strimzi.io/v1beta2"
STRIMZI_TYPES = {
    "TOPIC": "topic",
    "GROUP": "group",
    "CLUSTER": "cluster",
    "TRANSACTIONAL_ID": "transactionalId",
}
STRIMZI_QUOTAS = {
    "producer_byte_rate": "producerByteRate",
    "consumer_byte_rate": "consumerByteRate",
}


def _meta(name: str, region: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "kafka"}
    if region is not None:
        meta["labels"] = {"strimzi.io/cluster": _cluster(region)}
    return meta


def _yaml_value(value: str) -> int | str | list[str]:
    """A setting as a KafkaTopic or Kafka resource is written: numbers as numbers, several
    values as a list (the Topic Operator joins a list with commas)."""
    if "," in value:
        return value.split(",")
    return int(value) if value.lstrip("-").isdigit() else value


def strimzi_manifests(region: str) -> list[dict[str, Any]]:
    """The Kafka, KafkaTopic and KafkaUser resources of the estate in `region`."""
    estate = region_estate(region)
    kafka = {
        "apiVersion": STRIMZI,
        "kind": "Kafka",
        "metadata": _meta(_cluster(region)),
        "spec": {
            "kafka": {
                "version": estate.kafka_version,
                "replicas": 3,
                "listeners": [
                    {
                        "name": "scram",
                        "port": 9096,
                        "type": "internal",
                        "tls": True,
                        "authentication": {"type": "scram-sha-512"},
                    }
                ],
                "authorization": {"type": "simple"},
                "config": {k: _yaml_value(v) for k, v in estate.broker_config.items()},
                "storage": {"type": "persistent-claim", "size": "1000Gi"},
            },
            "entityOperator": {"topicOperator": {}, "userOperator": {}},
        },
    }
    documents: list[dict[str, Any]] = [kafka]
    for name, topic in estate.topics.items():
        documents.append(
            {
                "apiVersion": STRIMZI,
                "kind": "KafkaTopic",
                "metadata": _meta(name.replace(".", "-"), region),
                "spec": {
                    "topicName": name,
                    "partitions": topic.partitions,
                    "replicas": topic.replicas,
                    "config": {k: _yaml_value(v) for k, v in topic.config.items()},
                },
            }
        )
    for user in estate.scram_users:
        rules: dict[tuple[str, str, str, str, str], list[str]] = {}
        for grant in (g for g in estate.grants if g.user == user):
            key = (grant.resource_type, grant.pattern, grant.name, grant.permission, grant.host)
            rules.setdefault(key, []).append(
                "".join(w.capitalize() for w in grant.operation.split("_"))
            )
        acls = []
        for (rtype, pattern, name, permission, host), operations in sorted(rules.items()):
            resource: dict[str, Any] = {"type": STRIMZI_TYPES[rtype]}
            if rtype != "CLUSTER":
                resource["name"] = name
                resource["patternType"] = "prefix" if pattern == "PREFIXED" else "literal"
            rule: dict[str, Any] = {"resource": resource, "operations": sorted(operations)}
            if permission != "ALLOW":
                rule["type"] = permission.lower()
            if host != "*":
                rule["host"] = host
            acls.append(rule)
        spec: dict[str, Any] = {"authentication": {"type": "scram-sha-512"}}
        if acls:
            spec["authorization"] = {"type": "simple", "acls": acls}
        if user in estate.quotas:
            spec["quotas"] = {STRIMZI_QUOTAS[k]: v for k, v in estate.quotas[user].items()}
        documents.append(
            {
                "apiVersion": STRIMZI,
                "kind": "KafkaUser",
                "metadata": _meta(user, region),
                "spec": spec,
            }
        )
    documents += [_mirrormaker(source, region, estate) for source in estate.replicates_from]
    return documents


ALIAS = {PRIMARY: "use1", SECONDARY: "usw2"}
IDENTITY = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"


def _mirrormaker(source: str, region: str, estate: Estate) -> dict[str, Any]:
    """The MirrorMaker 2 into `region` (it runs next to its target), identical names."""

    def cluster(of: str) -> dict[str, Any]:
        host = f"{_cluster(of)}-kafka-bootstrap"
        return {
            "alias": ALIAS[of],
            "bootstrapServers": f"{host}:9096" if of == region else f"{host}.kafka.{of}.shop:9096",
            "tls": {"trustedCertificates": [{"secretName": f"{_cluster(of)}-ca", "pattern": "*"}]},
            "authentication": {
                "type": "scram-sha-512",
                "username": f"mm2-{ALIAS[region]}",
                "passwordSecret": {"secretName": f"mm2-{ALIAS[region]}", "password": "password"},
            },
        }

    policy = {"replication.policy.class": IDENTITY}
    return {
        "apiVersion": STRIMZI,
        "kind": "KafkaMirrorMaker2",
        "metadata": _meta(f"shop-{ALIAS[source]}-to-{ALIAS[region]}"),
        "spec": {
            "version": estate.kafka_version,
            "replicas": 2,
            "connectCluster": ALIAS[region],
            "clusters": [cluster(source), cluster(region)],
            "mirrors": [
                {
                    "sourceCluster": ALIAS[source],
                    "targetCluster": ALIAS[region],
                    "sourceConnector": {"config": {**policy, "sync.topic.acls.enabled": "false"}},
                    "checkpointConnector": {
                        "config": {**policy, "sync.group.offsets.enabled": "true"}
                    },
                    "topicsPattern": "|".join(estate.replicated),
                    "groupsPattern": ".*",
                }
            ],
        },
    }


# --- writing and judging -----------------------------------------------------------------------


def write_sources(root: Path) -> dict[str, Path]:
    """Every source of the estate under `root`; source -> its failback.yaml."""
    configs: dict[str, Path] = {}
    for region in REGIONS:
        live = root / "terraform" / "live" / region
        live.mkdir(parents=True)
        (live / "plan.json").write_text(json.dumps(terraform_plan(region), indent=1))
        (live / "state.json").write_text(json.dumps(terraform_state(region), indent=1))
        manifests = root / "strimzi" / region
        manifests.mkdir(parents=True)
        (manifests / "kafka.yaml").write_text(
            yaml.safe_dump_all(strimzi_manifests(region), sort_keys=False)
        )
    for source, kind, directory in (
        ("terraform-plan", "plan.json", "terraform"),
        ("terraform-state", "state.json", "terraform"),
        ("strimzi", None, "strimzi"),
    ):
        sources = {
            region: (
                {"type": "terraform", "plan": f"live/{region}/{kind}"}
                if kind
                else {
                    "type": "strimzi",
                    "paths": [region],
                    "cluster": _cluster(region),
                    "mm2_regions": {ALIAS[r]: r for r in REGIONS},
                }
            )
            for region in REGIONS
        }
        config = root / directory / f"failback-{source}.yaml"
        config.write_text(yaml.safe_dump(failback_plan(f"shop-{source}", sources), sort_keys=False))
        configs[source] = config
    return configs


Key = tuple[str, str, str, str, str | None, str | None]


def overlap(report: Mapping[str, Any]) -> list[Key]:
    """(phase, area, rule id, resource, region, family) of every finding in the overlap."""
    found: list[Key] = [
        (d["phase"], f["area"], f["rule_id"], f["resource"], f["region"], f["family"])
        for d in report["decisions"]
        for f in d["findings"]
        if f["area"] in OVERLAP
    ]
    return sorted(found, key=lambda key: tuple(part or "" for part in key))


@pytest.fixture(scope="module")
def configs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_sources(tmp_path_factory.mktemp("one-estate"))


@pytest.fixture(scope="module", params=["embedded", pytest.param("opa", marks=pytest.mark.opa)])
def engine(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "opa":
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("FAILBACK_OPA_BIN", tool("opa"))
            yield "opa"
        return
    yield "embedded"


@pytest.fixture(scope="module")
def reports(configs: dict[str, Path], engine: str) -> dict[str, dict[str, Any]]:
    """Source -> the JSON report of `failback check --phase all` on it."""
    out = {}
    for source, config in configs.items():
        run = run_cli(
            [
                "check",
                *("-c", str(config), "--now", NOW, "--phase", "all", "--format", "json"),
                *("--engine", engine),
            ]
        )
        assert run.exit_code in (1, 4), run.stderr  # no-go or indeterminate: faults are seeded
        out[source] = run.json()
    return out


def test_every_source_gives_the_same_findings_where_they_overlap(
    reports: dict[str, dict[str, Any]],
) -> None:
    plan, state, strimzi = (overlap(reports[s]) for s in SOURCES)
    assert plan == state
    assert strimzi == plan


# The seeded faults as the failback phase reports them (us-west-2 is the passive region):
# (area, rule id, resource, region, family).
EXPECTED_FAILBACK = [
    ("acl", "ACL-002", "User:ops-debug|TOPIC|DESCRIBE,READ|*", "secondary", None),
    ("acl", "ACL-004", "User:reporting|TOPIC|DESCRIBE,READ|*", "primary", None),
    ("acl", "ACL-006", "User:ops-debug", "primary", None),
    ("compatibility", "CMP-003", "user:User:billing-writer", None, None),
    ("retention", "RET-001", "orders.settled", "secondary", "orders"),
    ("topic_config", "TOP-004", "billing.invoices/max.message.bytes", None, "billing"),
    ("write_authority", "WA-001", "orders", "secondary", "orders"),
    ("write_authority", "WA-002", "User:orders-writer on orders", "secondary", "orders"),
]


def test_the_seeded_faults_are_found(reports: dict[str, dict[str, Any]]) -> None:
    for source in SOURCES:
        failback = [k[1:] for k in overlap(reports[source]) if k[0] == "failback"]
        assert failback == EXPECTED_FAILBACK, source


def test_the_sources_read_the_same_declarations(configs: dict[str, Path]) -> None:
    """Below the findings: the snapshots agree on what both sources declare, so a misreading
    the same in both regions (which no finding would show) is caught as well."""
    for region in REGIONS:
        live = configs["terraform-plan"].parent / "live" / region
        manifests = configs["strimzi"].parent / region
        # on the command line, the aliases of the mirrors writing into this region
        flows = region_estate(region).replicates_from
        mm2 = [f"--mm2-region={ALIAS[r]}={r}" for r in (*flows, region) if flows]
        snapshots = [
            export("terraform", str(live / "plan.json"), "--region", region),
            export("terraform", str(live / "state.json"), "--region", region, "--now", NOW),
            export("strimzi", str(manifests), "--region", region, *mm2),
        ]
        plan, state, strimzi = (_declared(s) for s in snapshots)
        assert plan == state, region
        assert strimzi == plan, region
        estate = region_estate(region)
        assert sorted(plan["topics"]) == sorted(estate.topics)
        assert len(plan["acls"]) == len(estate.grants)
        assert plan["scram_users"] == estate.scram_users


def _declared(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a snapshot both sources take from the same declarations (the broker
    settings: those the MSK configuration sets; Strimzi adds the authorizer's own)."""
    assert "gaps" not in snapshot or not [
        g for g in snapshot["gaps"] if g["area"] in ("topics", "acls", "quotas")
    ], snapshot["gaps"]
    broker = snapshot["broker_config"]
    return {
        "topics": snapshot["topics"],
        "acls": snapshot["acls"],
        "quotas": snapshot["quotas"],
        "scram_users": snapshot["authentication"]["scram_users"],
        "broker_config": {k: broker.get(k) for k in region_estate(PRIMARY).broker_config},
        "kafka_version": snapshot["cluster"].get("kafka_version"),
    }
