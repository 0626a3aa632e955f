"""Region sources declared in failback.yaml: merging several exporters' snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.errors import InputError
from checker.plan import parse_plan
from checker.sources import merge, region_snapshot

from .conftest import ESTATE


def doc(variant: str = "ready", region: str = "us-west-2") -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ESTATE / variant / f"{region}.json").read_text())
    return loaded


def test_an_area_one_source_read_fills_another_sources_gap() -> None:
    aws = doc()
    aws["source"] = {"type": "aws", "detail": "x"}
    del aws["acls"], aws["consumer_groups"]
    aws["gaps"] = [{"area": "acls", "reason": "ACLs live in Kafka", "call": ""}]
    kafka = {
        "schema_version": "1.0",
        "region": "us-west-2",
        "captured_at": aws["captured_at"],
        "source": {"type": "kafka"},
        "cluster": aws["cluster"],
        "acls": doc()["acls"],
        "consumer_groups": doc()["consumer_groups"],
        "gaps": [{"area": "encryption", "reason": "not visible over Kafka", "call": ""}],
    }
    merged = merge([aws, kafka])
    assert merged["acls"] == doc()["acls"]
    assert merged["consumer_groups"] == doc()["consumer_groups"]
    assert merged["encryption"] == doc()["encryption"]  # the first source's reading stands
    assert merged["gaps"] == []
    assert merged["source"] == {"type": "aws", "detail": "merged: aws + kafka"}


def test_a_gap_nobody_filled_stays() -> None:
    first = doc()
    first["gaps"] = [{"area": "audit", "reason": "AccessDenied"}]
    second = doc()
    second["gaps"] = [{"area": "audit", "reason": "AccessDenied too"}]
    merged = merge([first, second])
    assert sorted(g["reason"] for g in merged["gaps"]) == ["AccessDenied", "AccessDenied too"]


def test_replication_flows_of_two_sources_add_up() -> None:
    """A Terraform plan with an MSK Replicator and a Kafka source's mm2.properties: each adds
    its flows; an empty `replication` of one source does not hide the other's."""
    replicator = doc()
    mm2 = doc()
    assert replicator["replication"]
    mm2["replication"] = [
        {**replicator["replication"][0], "name": "use1->usw2", "tool": "mirrormaker2"}
    ]
    merged = merge([replicator, mm2])
    assert [f["name"] for f in merged["replication"]] == [
        *(f["name"] for f in replicator["replication"]),
        "use1->usw2",
    ]
    empty = doc()
    empty["replication"] = []
    assert merge([empty, mm2])["replication"] == mm2["replication"]
    # the same flow read by both sources is kept once
    assert merge([replicator, doc()])["replication"] == replicator["replication"]


def test_a_single_document_is_unchanged() -> None:
    assert merge([doc()]) == doc()


def test_plan_accepts_a_list_of_sources() -> None:
    aws = {"type": "aws", "cluster_arn": "arn:aws:kafka:a:123456789012:cluster/c/1"}
    plan = parse_plan(
        {
            "schema_version": "1.0",
            "regions": {
                "primary": {"name": "a", "source": [aws, {"type": "kafka"}]},
                "secondary": {"name": "b", "source": {"type": "terraform", "plan": "b.json"}},
            },
            "topic_families": [{"name": "all", "match": ["*"]}],
        },
        "plan",
    )
    assert plan.primary.source == [aws, {"type": "kafka"}]


def test_unknown_source_type_is_an_input_error() -> None:
    with pytest.raises(InputError, match="does not match the v1 schema"):
        parse_plan(
            {
                "schema_version": "1.0",
                "regions": {
                    "primary": {"name": "a", "source": {"type": "ftp"}},
                    "secondary": {"name": "b"},
                },
                "topic_families": [{"name": "all", "match": ["*"]}],
            },
            "plan",
        )


def test_region_without_snapshot_or_source(tmp_path: Path) -> None:
    plan = parse_plan(
        {
            "schema_version": "1.0",
            "regions": {"primary": {"name": "a"}, "secondary": {"name": "b"}},
            "topic_families": [{"name": "all", "match": ["*"]}],
        },
        "plan",
        tmp_path / "failback.yaml",
    )
    with pytest.raises(InputError, match="no snapshot or source for the primary region a"):
        region_snapshot(plan, plan.primary, None)


def test_audit_exports_both_regions_checks_them_and_keeps_the_evidence(tmp_path: Path) -> None:
    from .conftest import ROOT, run_cli

    plan = ROOT / "fixtures" / "terraform" / "faulted" / "failback.yaml"
    run = run_cli(
        [
            "audit",
            "-c",
            str(plan),
            "--now",
            "2026-11-29T00:00:00Z",
            "--export-dir",
            str(tmp_path),
            "--format",
            "json",
        ]
    )
    assert run.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["us-east-1.json", "us-west-2.json"]
    exported = json.loads((tmp_path / "us-west-2.json").read_text())
    assert exported["source"]["type"] == "terraform"
    assert exported["encryption"]["in_transit"]["in_cluster"] is False
    rules = {f["rule_id"] for f in run.json()["decisions"][0]["findings"]}
    assert "ENC-002" in rules


def test_export_dir_must_be_a_directory_and_is_created_when_missing(tmp_path: Path) -> None:
    from .conftest import ROOT, run_cli

    def audit(export_dir: Path) -> Any:
        plan = ROOT / "fixtures" / "terraform" / "ready" / "failback.yaml"
        return run_cli(["audit", "-c", str(plan), "--export-dir", str(export_dir)])

    a_file = tmp_path / "a-file"
    a_file.write_text("keep\n")
    run = audit(a_file)
    assert run.exit_code == 2
    assert "is not a directory" in run.stderr
    assert a_file.read_text() == "keep\n"
    missing = tmp_path / "missing" / "evidence"
    assert audit(missing).exit_code in (0, 1, 4)
    assert sorted(p.name for p in missing.iterdir()) == ["us-east-1.json", "us-west-2.json"]


# -- source keys: checked by the plan schema (plan.v1.json, <type>_source) -----------------------

ARN = "arn:aws:kafka:b:123456789012:cluster/c/1"


def _plan_with(source: Any) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "regions": {
            "primary": {"name": "a", "snapshot": "a.json"},
            "secondary": {"name": "b", "source": source},
        },
        "topic_families": [{"name": "all", "match": ["*"]}],
    }


@pytest.mark.parametrize(
    ("source", "location", "message"),
    [
        (
            {"type": "aws", "cluster_arn": ARN, "regoin": "x"},
            "regions/secondary/source",
            "aws source of b: unknown keys regoin (expected cluster_arn, connect_timeout, "
            "endpoint_url, glue_registries, max_attempts, metrics_window_seconds, profile, quiet, "
            "read_timeout, role_arn, runtime, storage_buckets)",
        ),
        ({"type": "aws"}, "regions/secondary/source", "aws source of b: cluster_arn is required"),
        (
            [{"type": "kafka"}, {"type": "aws", "cluster_arn": ARN, "read_timeout": 0}],
            "regions/secondary/source/1/read_timeout",
            "aws source of b: read_timeout must be a positive number",
        ),
        (
            {"type": "kafka", "kind": "zookeeper"},
            "regions/secondary/source/kind",
            "kafka source of b: kind must be one of kafka, confluent, automq, redpanda, strimzi",
        ),
        (
            {"type": "kafka", "bootstrap_servers": "h:9092"},
            "regions/secondary/source",
            "kafka source of b: unknown key 'bootstrap_servers' (expected bootstrap, ",
        ),
        (
            {"type": "terraform", "plan": ""},
            "regions/secondary/source/plan",
            "terraform source of b: plan (the `terraform show -json` file, relative to "
            "failback.yaml) is required",
        ),
        (
            {"type": "strimzi", "cluster": "c"},
            "regions/secondary/source",
            "strimzi source of b: paths must be a list of manifest files or directories",
        ),
        (
            {"type": "strimzi", "path": "k8s", "mm2_regions": {"use1": 1}},
            "regions/secondary/source/mm2_regions/use1",
            "strimzi source of b: mm2_regions must map aliases to regions",
        ),
    ],
)
def test_bad_source_keys_are_one_actionable_line(source: Any, location: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_plan(_plan_with(source), "failback.yaml")
    line = caught.value.one_line()
    assert line.startswith(f"plan failback.yaml does not match the v1 schema at {location}: ")
    assert message in line
    assert "\n" not in line


@pytest.mark.parametrize(
    "source",
    [
        {"type": "aws", "cluster_arn": ARN, "profile": None, "max_attempts": 2, "quiet": True},
        {"type": "kafka", "config": {"enable.ssl.certificate.verification": False}},
        {"type": "kafka", "mm2_regions": None, "kafka_version": 3.7, "cluster_name": 7},
        {"type": "terraform", "plan": "p.json", "cluster": None, "captured_at": "2026-01-01"},
        {"type": "strimzi", "path": "k8s", "paths": ["a", "b"], "mm2_regions": {"x": "b"}},
        {"type": "strimzi", "paths": "k8s"},
    ],
)
def test_good_sources_pass_unchanged(source: dict[str, Any]) -> None:
    before = json.dumps(source, sort_keys=True)
    plan = parse_plan(_plan_with(source), "failback.yaml")
    assert plan.secondary.source == source
    assert json.dumps(source, sort_keys=True) == before  # validation fills in nothing


def test_from_plan_checks_its_own_source_type() -> None:
    from checker.exporters import aws, kafka, strimzi, terraform

    for exporter in (aws, kafka, strimzi, terraform):
        with pytest.raises(InputError, match=r"source of (region )?region-x: "):
            exporter.from_plan({"type": "ftp"}, "region-x", Path("."))


def test_from_plan_builds_typed_configs(tmp_path: Path) -> None:
    from checker.exporters import aws, kafka, strimzi, terraform

    assert aws.from_plan(
        {"type": "aws", "cluster_arn": ARN, "max_attempts": 3, "storage_buckets": ["s"]},
        "b",
        tmp_path,
    ) == aws.AwsSource(region="b", cluster_arn=ARN, max_attempts=3, storage_buckets=("s",))
    assert kafka.from_plan(
        {"type": "kafka", "bootstrap": "h:9092", "config": {"x": True}, "timeout": 5},
        "b",
        tmp_path,
    ) == kafka.KafkaSource(
        region="b",
        bootstrap="h:9092",
        overrides={"x": "true"},
        overrides_dir=tmp_path,
        timeout=5.0,
    )
    assert terraform.from_plan(
        {"type": "terraform", "plan": "p.json", "storage_buckets": ["s-*"]}, "b", tmp_path
    ) == terraform.TerraformSource(tmp_path / "p.json", "b", storage_buckets=("s-*",))
    assert strimzi.from_plan(
        {"type": "strimzi", "path": "k8s", "mm2_regions": {"x": "b"}}, "b", tmp_path
    ) == strimzi.StrimziSource(
        (tmp_path / "k8s",),
        "b",
        mm2_regions={"x": "b"},
        plan_source="the plan's strimzi source of b",  # errors name the plan key
    )


def test_kafka_kinds_match_the_plan_schema() -> None:
    from checker import schemas
    from checker.exporters import kafka

    kinds = schemas.schema("plan")["$defs"]["kafka_source"]["properties"]["kind"]["enum"]
    assert tuple(kinds) == kafka.KINDS


def test_other_violations_keep_the_validators_wording() -> None:
    document = _plan_with({"type": "kafka"})
    document["tier"] = "gold"
    with pytest.raises(InputError) as caught:
        parse_plan(document, "failback.yaml")
    assert caught.value.one_line() == (
        "plan failback.yaml does not match the v1 schema at (top level): "
        "Additional properties are not allowed ('tier' was unexpected)"
    )
