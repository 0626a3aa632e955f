"""`failback export terraform`: what a region's snapshot holds, values unknown until apply,
references, plans and states, and malformed input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.exporters.terraform.iam import applies
from checker.exporters.terraform.msk import Cluster
from checker.exporters.terraform.plan import parse

from ..conftest import ESTATE, assert_one_line_error, run_cli
from .conftest import (
    NOW,
    PLAN,
    SECRET_MARK,
    TERRAFORM,
    edit_plan,
    export,
    plan_resources,
)

READY = TERRAFORM / "ready" / PLAN
ACCOUNT = "111122223333"
USW2_ARN = (
    "arn:aws:kafka:us-west-2:111122223333:cluster/payments-usw2/"
    "9b2d4f61-1c8e-4a3b-b5d7-6e0f2a8c4b19-2"
)
DR_CLUSTER = "module.usw2.aws_msk_cluster.this"


@pytest.fixture(scope="module")
def usw2() -> dict[str, Any]:
    return export(
        "terraform",
        str(READY),
        "--region",
        "us-west-2",
        "--storage-bucket",
        "payments-kafka-archive-*",
    )


@pytest.fixture(scope="module")
def use1() -> dict[str, Any]:
    return export(
        "terraform",
        str(READY),
        "--region",
        "us-east-1",
        "--cluster",
        "module.use1.aws_msk_cluster.this",
    )


def test_cluster_source_and_capture_time(usw2: dict[str, Any]) -> None:
    assert usw2["cluster"] == {
        "id": USW2_ARN,
        "name": "payments-usw2",
        "kind": "msk",
        "kafka_version": "3.6.0",
    }
    assert usw2["source"]["type"] == "terraform"
    assert usw2["source"]["file"].endswith("fixtures/terraform/ready/payments.tfplan.json")
    assert DR_CLUSTER in usw2["source"]["detail"]
    assert usw2["captured_at"] == "2026-11-28T09:00:00Z"  # the plan's timestamp
    assert usw2["region"] == "us-west-2"


def test_only_runtime_state_is_a_gap(usw2: dict[str, Any], use1: dict[str, Any]) -> None:
    # the plan also holds values unknown until apply (a configuration revision, a new rule's
    # id), but none the exporter reads: no gap for them
    for snapshot in (usw2, use1):
        assert snapshot["gaps"] == [
            {
                "area": "consumer_groups",
                "reason": "Terraform does not describe consumer groups (runtime state)",
            }
        ]


def test_encryption_follows_the_replica_key_to_its_primary(usw2: dict[str, Any]) -> None:
    assert usw2["encryption"] == {
        "at_rest": {
            "enabled": True,
            "key_id": "arn:aws:kms:us-west-2:111122223333:key/mrk-4f1d2c3b5a6e47d8b9c0a1b2c3d4e5f6",
            "key_manager": "CUSTOMER",
            "rotation": True,
            "multi_region": True,
        },
        "in_transit": {"client_broker": "TLS", "in_cluster": True},
    }


def test_authentication_names_scram_secrets_never_their_values(usw2: dict[str, Any]) -> None:
    auth = usw2["authentication"]
    assert {k: auth[k] for k in ("iam", "scram", "mtls", "unauthenticated")} == {
        "iam": True,
        "scram": True,
        "mtls": False,
        "unauthenticated": False,
    }
    assert "AmazonMSK_ledger-writer" in auth["scram_users"]
    assert "mm2-usw2" in auth["scram_users"]  # kafka_user_scram_credential, name only


def test_no_secret_of_the_plan_reaches_a_snapshot(
    usw2: dict[str, Any], use1: dict[str, Any]
) -> None:
    assert SECRET_MARK in READY.read_text()  # secrets are there to be left alone
    for snapshot in (usw2, use1):
        text = json.dumps(snapshot)
        assert SECRET_MARK not in text
        assert "password" not in text.lower()


def test_network_reads_standalone_rules_not_the_refreshed_inline_list(usw2: dict[str, Any]) -> None:
    assert usw2["network"] == {
        "public_access": False,
        "multi_vpc": False,
        "plaintext_listener": False,
        "private_endpoints": ["vpce-us-west-2-payments-msk"],
        "ingress": [
            {
                "protocol": "tcp",
                "from_port": 9096,
                "to_port": 9096,
                "peer": "10.20.0.0/16",
                "peer_type": "cidr",
                "description": "SASL/SCRAM clients in the application VPC",
            },
            # created by this plan (its id is unknown until apply)
            {
                "protocol": "tcp",
                "from_port": 9098,
                "to_port": 9098,
                "peer": "sg-0f9e8d7c6b5a40312",
                "peer_type": "security_group",
                "description": "IAM clients (replicator, lake loader)",
            },
        ],
    }
    # the group's refreshed `ingress` still lists a rule this plan removes: not counted


def test_audit_log_group_retention_and_the_multi_region_trail(usw2: dict[str, Any]) -> None:
    assert usw2["audit"]["broker_logs"] == [
        {
            "destination": "cloudwatch",
            "enabled": True,
            "target": "/aws/msk/payments-usw2/broker",
            "retention_days": 365,
        }
    ]
    trail = usw2["audit"]["trail"]  # declared in the us-east-1 module, multi-region
    assert (
        trail["name"],
        trail["logging"],
        trail["multi_region"],
        trail["log_file_validation"],
    ) == ("org-trail", True, True, True)


def test_broker_config_is_the_planned_revision(usw2: dict[str, Any]) -> None:
    assert usw2["broker_config"] == {
        "allow.everyone.if.no.acl.found": "false",
        "auto.create.topics.enable": "false",
        "default.replication.factor": "3",
        "log.retention.hours": "168",
        "min.insync.replicas": "2",
        "unclean.leader.election.enable": "false",
    }


def test_iam_grants_keep_this_regions_cluster_only(
    usw2: dict[str, Any], use1: dict[str, Any]
) -> None:
    for snapshot, region in ((usw2, "us-west-2"), (use1, "us-east-1")):
        grants = snapshot["iam_grants"]
        assert [g["principal"] for g in grants] == [
            f"arn:aws:iam::{ACCOUNT}:role/msk-replicator-payments"
        ]
        assert all(f":kafka:{region}:" in r for r in grants[0]["resources"])
        assert len(grants[0]["resources"]) == 3
        assert "kafka-cluster:WriteData" in grants[0]["actions"]


def test_kafka_provider_resources_split_by_bootstrap_region(
    usw2: dict[str, Any], use1: dict[str, Any]
) -> None:
    # kafka.use1 finds its region through module.use1's output, kafka.usw2 through MSK hosts
    for snapshot in (usw2, use1):
        assert len(snapshot["topics"]) == 40
        assert snapshot["topics"]["ledger.entries"] == {
            "partitions": 24,
            "replication_factor": 3,
            "configs": {
                "cleanup.policy": "delete",
                "min.insync.replicas": "2",
                "retention.bytes": "-1",
                "retention.ms": "604800000",
            },
        }
        assert snapshot["quotas"] == [
            {
                "entity_type": "user",
                "entity": "User:notification-service",
                "values": {"producer_byte_rate": 10485760},
            }
        ]
    writes = {
        (a["principal"], a["resource_name"])
        for a in use1["acls"]
        if a["operation"] == "WRITE" and a["resource_type"] == "TOPIC"
    }
    assert ("User:ledger-writer", "ledger.") in writes
    assert not [
        a for a in usw2["acls"] if a["operation"] == "WRITE" and a["resource_type"] == "TOPIC"
    ]
    assert len(use1["acls"]) - len(usw2["acls"]) == len(writes) == 5


def test_replicator_lives_with_its_target(usw2: dict[str, Any], use1: dict[str, Any]) -> None:
    assert [f["name"] for f in usw2["replication"]] == ["payments-use1-to-usw2"]
    assert [f["name"] for f in use1["replication"]] == ["payments-usw2-to-use1"]
    flow = usw2["replication"][0]
    assert {
        k: flow[k]
        for k in (
            "source_region",
            "target_region",
            "topic_naming",
            "offset_sync",
            "loop_protection",
            "starting_position",
            "state",
            "owner",
            "copies_acls",
        )
    } == {
        "source_region": "us-east-1",
        "target_region": "us-west-2",
        "topic_naming": "identical",
        "offset_sync": {"enabled": True, "mode": "ENHANCED"},
        "loop_protection": True,
        "starting_position": "LATEST",
        "state": "RUNNING",
        "owner": "team-platform",
        "copies_acls": False,
    }
    assert flow["topics_include"] == ["payments\\..*", "ledger\\..*", "fraud\\..*", "notify\\..*"]


def test_storage_buckets_by_glob(usw2: dict[str, Any], use1: dict[str, Any]) -> None:
    assert usw2["storage"] == [
        {
            "name": "payments-kafka-archive-usw2",
            "purpose": "storage",
            "encryption": "aws:kms",
            "versioning": True,
            "replication": True,
            "lifecycle_expiration_days": 365,
            "public_access_blocked": True,
        }
    ]
    assert use1["storage"] == []  # no --storage-bucket


def test_snapshot_is_valid_and_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "usw2.json"
    run = run_cli(["export", "terraform", str(READY), "--region", "us-west-2", "-o", str(out)])
    assert run.exit_code == 0, run.stderr
    assert run.stdout == ""
    assert run_cli(["validate", str(out)]).exit_code == 0


# --- values unknown until apply --------------------------------------------------------------


def test_an_unknown_value_the_checks_read_is_a_gap_not_a_guess(tf_estate) -> None:  # type: ignore[no-untyped-def]
    estate = tf_estate("ready")

    def forget_key(values: dict[str, Any]) -> None:
        del values["encryption_info"][0]["encryption_at_rest_kms_key_arn"]

    edit_plan(
        estate / PLAN,
        DR_CLUSTER,
        forget_key,
        unknown={"encryption_info": [{"encryption_at_rest_kms_key_arn": True}]},
    )
    # set from the replica key of the plan: followed, no gap
    snapshot = export("terraform", str(estate / PLAN), "--region", "us-west-2")
    assert snapshot["encryption"]["at_rest"]["key_manager"] == "CUSTOMER"
    assert [g["area"] for g in snapshot["gaps"]] == ["consumer_groups"]
    # set from a local, which a plan never shows: unknown, a gap naming it
    document = json.loads((estate / PLAN).read_text())
    module = document["configuration"]["root_module"]["module_calls"]["usw2"]["module"]
    cluster = next(r for r in module["resources"] if r["type"] == "aws_msk_cluster")
    cluster["expressions"]["encryption_info"][0]["encryption_at_rest_kms_key_arn"] = {
        "references": ["local.msk_key_arn"]
    }
    (estate / PLAN).write_text(json.dumps(document))
    snapshot = export("terraform", str(estate / PLAN), "--region", "us-west-2")
    # only the unknown part is dropped: in-transit encryption is known
    assert snapshot["encryption"] == {"in_transit": {"client_broker": "TLS", "in_cluster": True}}
    assert {
        "area": "encryption",
        "reason": f"unknown until apply: {DR_CLUSTER}."
        "encryption_info[0].encryption_at_rest_kms_key_arn (set from "
        "module.usw2.local.msk_key_arn, which the plan does not resolve)",
    } in snapshot["gaps"]
    run = run_cli(["check", "-c", str(estate / "failback.yaml"), "--now", NOW, "--format", "json"])
    decision = run.json()["decisions"][0]
    assert [(f["rule_id"], f["resource"]) for f in decision["findings"]] == [
        ("EVD-001", "secondary/encryption")
    ]
    assert decision["verdict"] == "indeterminate"
    assert run.exit_code == 4


def test_a_replaced_cluster_is_followed_through_references(tf_estate) -> None:  # type: ignore[no-untyped-def]
    """A cluster the plan replaces: its ARN, security groups and configuration ARN are unknown;
    the configuration's references still tell which group, configuration and replicator."""
    estate = tf_estate("ready")

    def replace(values: dict[str, Any]) -> None:
        del values["arn"]
        del values["broker_node_group_info"][0]["security_groups"]
        del values["configuration_info"][0]["arn"]

    edit_plan(
        estate / PLAN,
        DR_CLUSTER,
        replace,
        unknown={
            "arn": True,
            "broker_node_group_info": [{"security_groups": True}],
            "configuration_info": [{"arn": True, "revision": True}],
        },
    )

    def retarget(values: dict[str, Any]) -> None:
        del values["replication_info_list"][0]["target_kafka_cluster_arn"]
        del values["kafka_cluster"][1]["amazon_msk_cluster"][0]["msk_cluster_arn"]

    edit_plan(
        estate / PLAN,
        "module.usw2.aws_msk_replicator.inbound",
        retarget,
        unknown={
            "replication_info_list": [{"target_kafka_cluster_arn": True}],
            "kafka_cluster": [{}, {"amazon_msk_cluster": [{"msk_cluster_arn": True}]}],
        },
    )
    snapshot = export("terraform", str(estate / PLAN), "--region", "us-west-2")
    assert snapshot["cluster"]["id"] == f"terraform:{DR_CLUSTER}"
    assert [g["area"] for g in snapshot["gaps"]] == ["consumer_groups"]
    assert [r["from_port"] for r in snapshot["network"]["ingress"]] == [9096, 9098]
    assert snapshot["broker_config"]["log.retention.hours"] == "168"
    flow = snapshot["replication"][0]
    assert (flow["source_region"], flow["target_region"]) == ("us-east-1", "us-west-2")
    assert snapshot["iam_grants"][0]["resources"][0].startswith("arn:aws:kafka:us-west-2:")


def test_an_unknown_ingress_rule_makes_the_network_a_gap(tf_estate) -> None:  # type: ignore[no-untyped-def]
    estate = tf_estate("ready")

    def unknown_peer(values: dict[str, Any]) -> None:
        values["source_security_group_id"] = None

    edit_plan(
        estate / PLAN,
        "module.usw2.aws_security_group_rule.iam_clients",
        unknown_peer,
        unknown={"source_security_group_id": True},
    )
    snapshot = export("terraform", str(estate / PLAN), "--region", "us-west-2")
    assert "network" not in snapshot
    assert {
        "area": "network",
        "reason": "unknown until apply: module.usw2."
        "aws_security_group_rule.iam_clients.source_security_group_id",
    } in snapshot["gaps"]


# --- states, regions, clusters ------------------------------------------------------------------


def _state_of(plan: dict[str, Any], keep: str) -> dict[str, Any]:
    """A `terraform show -json` state document holding one region's module and root resources."""
    root = plan["planned_values"]["root_module"]
    kept = [
        r
        for r in root["resources"]
        if not r["type"].startswith("kafka_")
        or r["address"].startswith(f"kafka_topic.{keep}[")
        or r["address"].startswith(f"kafka_acl.{keep}[")
    ]
    return {
        "format_version": "1.0",
        "terraform_version": "1.9.8",
        "values": {
            "root_module": {
                "resources": kept,
                "child_modules": [
                    m for m in root["child_modules"] if m["address"] == f"module.{keep}"
                ],
            }
        },
    }


def test_a_state_document_exports_without_configuration(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(_state_of(json.loads(READY.read_text()), "usw2")))
    snapshot = export(
        "terraform", str(state), "--region", "us-west-2", "--captured-at", "2026-11-28T10:00:00Z"
    )
    assert snapshot["captured_at"] == "2026-11-28T10:00:00Z"
    assert "(state)" in snapshot["source"]["detail"]
    assert snapshot["encryption"]["at_rest"]["key_manager"] == "CUSTOMER"
    assert len(snapshot["topics"]) == 40  # one region only: unlocated resources are its own
    assert [g["area"] for g in snapshot["gaps"]] == ["consumer_groups"]


def test_a_state_records_now_and_two_exports_are_byte_identical(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps(_state_of(json.loads(READY.read_text()), "usw2")))
    args = ["export", "terraform", str(state), "--region", "us-west-2", "--now", NOW]
    first, second = run_cli(args), run_cli(args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["captured_at"] == NOW
    # a plan's own timestamp wins over --now
    plan = run_cli(["export", "terraform", str(READY), "--region", "us-west-2", "--now", NOW])
    assert json.loads(plan.stdout)["captured_at"] == "2026-11-28T09:00:00Z"
    assert_one_line_error(
        run_cli(["export", "terraform", str(state), "--region", "us-west-2", "--now", "soon"]),
        2,
        "--now",
        "not an RFC 3339 timestamp",
    )


def test_unlocated_regional_resources_of_a_multi_region_plan_are_gaps(tmp_path: Path) -> None:
    plan = json.loads(READY.read_text())
    del plan["configuration"]  # the Kafka provider's bootstrap servers are gone with it
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    snapshot = export("terraform", str(path), "--region", "us-west-2")
    reasons = {g["area"]: g["reason"] for g in snapshot["gaps"]}
    assert reasons["topics"].startswith(
        "the region of 80 kafka_topic resources (e.g. kafka_topic.use1["
    )
    assert "cannot be told from the plan" in reasons["topics"]
    assert {"topics", "acls", "quotas"} <= set(reasons)
    assert "topics" not in snapshot and "acls" not in snapshot


def test_provider_keys_of_modules_and_opentofu() -> None:
    document = {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "child_modules": [
                    {
                        "address": "module.dr",
                        "resources": [
                            {
                                "address": "module.dr.aws_security_group_rule.a",
                                "mode": "managed",
                                "type": "aws_security_group_rule",
                                "name": "a",
                                "values": {},
                            },
                            {
                                "address": "module.dr.aws_cloudwatch_log_group.b",
                                "mode": "managed",
                                "type": "aws_cloudwatch_log_group",
                                "name": "b",
                                "values": {},
                            },
                        ],
                    }
                ]
            }
        },
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "us-east-1"}}},
                "module.dr:aws": {
                    "name": "aws",
                    "module_address": "module.dr",
                    "expressions": {"region": {"references": ["var.region"]}},
                },
            },
            "root_module": {
                "module_calls": {
                    "dr": {
                        "expressions": {"region": {"constant_value": "us-west-2"}},
                        "module": {
                            "resources": [
                                {
                                    "address": "aws_security_group_rule.a",
                                    "mode": "managed",
                                    "type": "aws_security_group_rule",
                                    "name": "a",
                                    "provider_config_key": "module.dr:aws",
                                },
                                {
                                    "address": "aws_cloudwatch_log_group.b",
                                    "mode": "managed",
                                    "type": "aws_cloudwatch_log_group",
                                    "name": "b",
                                    "provider_config_keys": ["aws"],
                                },
                            ]
                        },
                    }
                }
            },
        },
    }
    doc = parse(document, "test")
    assert {r.address: r.region for r in doc.resources} == {
        "module.dr.aws_security_group_rule.a": "us-west-2",  # the module's own provider block
        "module.dr.aws_cloudwatch_log_group.b": "us-east-1",
    }  # OpenTofu's key list


def test_iam_resource_globs_name_clusters_by_region() -> None:
    dr = Cluster(
        resource=None,  # type: ignore[arg-type]
        name="payments-usw2",
        arn=USW2_ARN,
        account=ACCOUNT,
        uuid="9b2d4f61-1c8e-4a3b-b5d7-6e0f2a8c4b19-2",
        serverless=False,
    )
    assert applies("*", "us-west-2", dr)
    assert applies(f"arn:aws:kafka:*:{ACCOUNT}:topic/payments-*/*", "us-west-2", dr)
    assert applies("arn:aws:kafka:us-west-2:*:*", "us-west-2", dr)
    assert applies(f"arn:aws:kafka:us-*:{ACCOUNT}:topic/payments-*/*/fraud.*", "us-west-2", dr)
    assert not applies(f"arn:aws:kafka:eu-*:{ACCOUNT}:topic/payments-*/*/*", "us-west-2", dr)
    assert not applies(
        f"arn:aws:kafka:us-east-1:{ACCOUNT}:topic/payments-use1/*/*", "us-west-2", dr
    )
    assert not applies(f"arn:aws:kafka:us-west-2:{ACCOUNT}:topic/other/*", "us-west-2", dr)
    assert not applies("arn:aws:s3:::bucket/*", "us-west-2", dr)


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (
            ["--region", "eu-west-1"],
            [
                "no aws_msk_cluster or aws_msk_serverless_cluster in eu-west-1",
                "regions in the plan: us-east-1, us-west-2",
            ],
        ),
        (
            ["--region", "us-west-2", "--cluster", "module.use1.aws_msk_cluster.this"],
            ["module.use1.aws_msk_cluster.this is in us-east-1, not in us-west-2"],
        ),
        (
            ["--region", "us-west-2", "--cluster", "aws_msk_cluster.nope"],
            ["no MSK cluster at address aws_msk_cluster.nope"],
        ),
        (["--region", "us-west-2", "--captured-at", "yesterday"], ["not an RFC 3339 timestamp"]),
    ],
)
def test_region_and_cluster_errors(args: list[str], fragments: list[str]) -> None:
    assert_one_line_error(run_cli(["export", "terraform", str(READY), *args]), 2, *fragments)


def test_two_clusters_in_a_region_need_cluster(tmp_path: Path) -> None:
    plan = json.loads(READY.read_text())
    module = next(
        m
        for m in plan["planned_values"]["root_module"]["child_modules"]
        if m["address"] == "module.usw2"
    )
    twin = json.loads(
        json.dumps(next(r for r in module["resources"] if r["address"] == DR_CLUSTER))
    )
    twin.update(address="module.usw2.aws_msk_cluster.analytics", name="analytics")
    twin["values"]["arn"] = USW2_ARN.replace("payments-usw2", "analytics-usw2")
    module["resources"].append(twin)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    assert_one_line_error(
        run_cli(["export", "terraform", str(path), "--region", "us-west-2"]),
        2,
        "2 MSK clusters in us-west-2",
        "choose one with --cluster",
    )
    chosen = export(
        "terraform",
        str(path),
        "--region",
        "us-west-2",
        "--cluster",
        "module.usw2.aws_msk_cluster.analytics",
    )
    assert chosen["cluster"]["id"].endswith("analytics-usw2/9b2d4f61-1c8e-4a3b-b5d7-6e0f2a8c4b19-2")


# --- malformed input ---------------------------------------------------------------------------


def _write(tmp_path: Path, content: str | bytes, name: str = "plan.json") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


GOOGLE = {
    "format_version": "1.2",
    "terraform_version": "1.9.8",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "google_container_cluster.gke",
                    "mode": "managed",
                    "type": "google_container_cluster",
                    "name": "gke",
                    "provider_name": "registry.terraform.io/hashicorp/google",
                    "values": {"location": "europe-west1"},
                }
            ]
        }
    },
}


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("{not json", ["is not valid JSON", "line 1"]),
        ('{"foo": 1}', ["is not the output of `terraform show -json`"]),
        ("[1, 2, 3]", ["is not the output of `terraform show -json`"]),
        ('{"format_version": "2.0", "values": {}}', ["format_version '2.0'"]),
        (json.dumps(GOOGLE), ["no aws_msk_cluster", "resource providers: google"]),
        (
            '{"format_version": "1.2", "planned_values": {"root_module": {"child_modules": [5]}}}',
            ["root_module.child_modules[0] is not an object"],
        ),
        (
            '{"format_version": "1.2", "planned_values": '
            '{"root_module": {"resources": [{"address": '
            '"a.b", "type": "aws_msk_cluster", "name": "b", "values": ["x"]}]}}}',
            ["root_module.resources[0].values is not an object"],
        ),
        (
            '{"format_version": "1.2", "planned_values": {}, "configuration": {"root_module": '
            '{"module_calls": {"x": 3}}}}',
            ["configuration.root_module.module_calls.x is not an object"],
        ),
        ("[" * 200_000 + "]" * 200_000, ["nested too deeply"]),
        (b"PK\x03\x04binary plan", ["is a binary plan file, not JSON", "terraform show -json"]),
        (b"\xff\xfe{}", ["is not UTF-8 text"]),
    ],
)
def test_malformed_plans_are_one_line_errors(
    tmp_path: Path, content: str | bytes, fragments: list[str]
) -> None:
    run = run_cli(["export", "terraform", str(_write(tmp_path, content)), "--region", "us-west-2"])
    assert_one_line_error(run, 2, *fragments)


def test_a_snapshot_is_not_a_plan() -> None:
    run = run_cli(
        ["export", "terraform", str(ESTATE / "ready" / "us-east-1.json"), "--region", "us-east-1"]
    )
    assert_one_line_error(run, 2, "is not the output of `terraform show -json`")


def test_odd_values_do_not_crash(tmp_path: Path) -> None:
    plan = json.loads(READY.read_text())
    for resource in plan_resources(plan):
        if resource["type"] == "kafka_acl":
            resource["values"]["acl_operation"] = "Frobnicate"
            break
    for resource in plan_resources(plan):
        if resource["type"] == "aws_security_group":
            resource["values"]["ingress"] = "not a list"
        if resource["type"] == "aws_cloudwatch_log_group":
            resource["values"]["retention_in_days"] = {"days": 365}
    path = _write(tmp_path, json.dumps(plan))
    snapshot = export("terraform", str(path), "--region", "us-east-1")
    assert any(g["area"] == "acls" and "Frobnicate" in g["reason"] for g in snapshot["gaps"])
    assert "audit" not in snapshot  # a retention that is no number of days is a gap
    assert any(
        g["area"] == "audit" and "retention_in_days {'days': 365}" in g["reason"]
        for g in snapshot["gaps"]
    )


@pytest.mark.parametrize(
    ("source", "fragments"),
    [
        ({"type": "terraform"}, ["plan (the `terraform show -json` file"]),
        ({"type": "terraform", "plan": "nope.json"}, ["terraform plan not found", "nope.json"]),
        ({"type": "terraform", "plan": PLAN, "bogus": 1}, ["unknown keys bogus"]),
        ({"type": "terraform", "plan": PLAN, "storage_buckets": "x"}, ["storage_buckets"]),
    ],
)
def test_bad_terraform_sources_in_the_plan(  # type: ignore[no-untyped-def]
    tf_estate,
    source: dict[str, Any],
    fragments: list[str],
) -> None:
    import yaml

    estate = tf_estate("ready")
    plan_file = estate / "failback.yaml"
    document = yaml.safe_load(plan_file.read_text())
    document["regions"]["secondary"]["source"] = source
    plan_file.write_text(yaml.safe_dump(document))
    run = run_cli(["check", "-c", str(plan_file), "--now", NOW])
    assert_one_line_error(run, 2, *fragments)


def test_secret_broker_properties_are_scrubbed(tf_estate) -> None:  # type: ignore[no-untyped-def]
    estate = tf_estate("ready")

    def jaas(values: dict[str, Any]) -> None:
        values["server_properties"] += (
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common."
            'security.scram.ScramLoginModule required username="admin" '
            'password="fixture-secret-jaas";\nssl.keystore.password=fixture-secret-ks\n'
        )

    edit_plan(estate / PLAN, "module.usw2.aws_msk_configuration.this", jaas)
    snapshot = export("terraform", str(estate / PLAN), "--region", "us-west-2")
    assert SECRET_MARK not in json.dumps(snapshot)
    assert snapshot["broker_config"]["log.retention.hours"] == "168"


def _instance(module: str, type_: str, name: str, values: dict[str, Any], index: Any = None) -> Any:
    key = "" if index is None else f"[{json.dumps(index)}]"
    entry = {
        "address": f"{module + '.' if module else ''}{type_}.{name}{key}",
        "mode": "managed",
        "type": type_,
        "name": name,
        "values": values,
    }
    return entry if index is None else {**entry, "index": index}


def test_references_stay_inside_their_module_instance() -> None:
    """for_each over a module: each instance's references, variables and each.value are its own;
    a literal key names one instance; a local is reported, not followed."""
    keys = {"a": "arn:aws:kms:us-east-1:1:key/a", "b": None}
    modules = [
        {
            "address": f'module.m["{k}"]',
            "resources": [
                _instance(f'module.m["{k}"]', "aws_msk_configuration", "this", {"arn": None}, 0),
                _instance(f'module.m["{k}"]', "aws_msk_cluster", "this", {"region": "us-east-1"}),
            ],
        }
        for k in keys
    ]
    document = {
        "format_version": "1.2",
        "variables": {"clusters": {"value": {k: {"kms": v} for k, v in keys.items()}}},
        "planned_values": {
            "root_module": {
                "resources": [
                    _instance("", "aws_kms_key", "k", {"arn": f"arn:{k}", "region": "us-east-1"}, k)
                    for k in keys
                ],
                "child_modules": modules,
            }
        },
        "configuration": {
            "root_module": {
                "module_calls": {
                    "m": {
                        "for_each_expression": {"references": ["var.clusters"]},
                        "expressions": {"kms": {"references": ["each.value.kms", "each.value"]}},
                        "module": {
                            "variables": {"kms": {"default": None}},
                            "resources": [
                                {
                                    "address": "aws_msk_cluster.this",
                                    "mode": "managed",
                                    "type": "aws_msk_cluster",
                                    "name": "this",
                                    "expressions": {
                                        "configuration_info": [
                                            {
                                                "arn": {
                                                    "references": [
                                                        "aws_msk_configuration.this[0].arn",
                                                        "aws_msk_configuration.this[0]",
                                                        "aws_msk_configuration.this",
                                                    ]
                                                }
                                            }
                                        ],
                                        "kms": {"references": ["var.kms"]},
                                        "other": {"references": ["local.sg_id"]},
                                    },
                                }
                            ],
                        },
                    }
                }
            }
        },
    }
    doc = parse(document, "test")
    clusters = {r.module_address: r for r in doc.of_type("aws_msk_cluster")}
    for key in keys:
        cluster = clusters[f'module.m["{key}"]']
        assert [r.address for r in doc.referenced(cluster, "configuration_info", 0, "arn")] == [
            f'module.m["{key}"].aws_msk_configuration.this[0]'
        ]
        assert doc.configured(cluster, "kms") == keys[key]  # null for "b": a value, not unknown
    resolved = doc.resolution(clusters['module.m["a"]'], "other")
    assert (resolved.resources, resolved.unresolved) == ([], ['module.m["a"].local.sg_id'])
    literal = doc.resolve("", {"references": ['aws_kms_key.k["a"].arn', 'aws_kms_key.k["a"]']})
    assert [r.address for r in literal.resources] == ['aws_kms_key.k["a"]']
