"""End to end: two regions in moto, exported by the aws exporter, judged by `failback check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from . import estate
from .conftest import World, closed_port
from .estate import SECONDARY

# What the drifted secondary must produce in the failback phase, and nothing else.
DRIFT_FINDINGS = {
    # TLS_PLAINTEXT, which also exposes the plaintext BootstrapBrokerString (ENC-005 does not
    # repeat it)
    ("ENC-001", "encryption.in_transit.client_broker"),
    ("ENC-003", "encryption.at_rest"),  # AWS-managed key instead of a customer key
    ("AUD-002", "audit.trail"),  # the primary's trail is single-region: none in us-west-2
    ("AUD-003", "audit.retention_days"),  # broker logs 30 days instead of 365
    ("NET-002", "tcp|9098-9098|0.0.0.0/0"),  # a debugging rule open to the internet
    ("WA-001", "ledger"),  # ledger-writer can write in both regions ...
    ("WA-002", "iam:role/ledger-writer on ledger"),  # ... including the passive secondary
    # reporting may ReadData on the ledger topics in the primary only (access parity compares
    # what the IAM policies allow, per action and topic)
    ("ACL-001", "iam:role/reporting|TOPIC|kafka-cluster:ReadData|*"),
    ("OFF-002", "payments-usw2-to-use1"),  # the reverse replicator syncs offsets LEGACY
    ("CST-002", "payments-usw2-to-use1"),  # ... and has no owner tag
}


def write_plan(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def findings(report: dict[str, Any]) -> set[tuple[str, str]]:
    [decision] = report["decisions"]
    return {(f["rule_id"], f["resource"]) for f in decision["findings"]}


def test_drift_export_both_then_check(world: World, cli: Any, tmp_path: Path) -> None:
    regions = estate.build(world, drift=True)
    for name, region in regions.items():
        run = cli(
            [
                "export",
                "aws",
                "--region",
                name,
                "--cluster-arn",
                region.cluster_arn,
                "--endpoint-url",
                world.url,
                "--storage-bucket",
                estate.BUCKET[name],
                "-o",
                str(tmp_path / f"{name}.json"),
                "--quiet",
            ]
        )
        assert run.exit_code == 0, run.stderr
    plan = write_plan(tmp_path / "failback.yaml", estate.plan(regions, world.url, sources=False))
    run = cli(["check", "-c", str(plan), "--format", "json"])
    assert run.exit_code == 1, run.stderr
    report = json.loads(run.stdout)
    assert findings(report) == DRIFT_FINDINGS
    [decision] = report["decisions"]
    assert decision["verdict"] == "no-go" and decision["gaps"] == [
        {"region": role, "area": area, "reason": "not in snapshot", "call": "", "in_scope": False}
        for role in ("primary", "secondary")
        for area in ("consumer_groups", "quotas")
    ]


def test_ready_estate_from_failback_yaml_sources(world: World, cli: Any, tmp_path: Path) -> None:
    regions = estate.build(world)
    plan = write_plan(tmp_path / "failback.yaml", estate.plan(regions, world.url))
    run = cli(["check", "-c", str(plan), "--format", "json"])
    assert run.exit_code == 0, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert findings(report) == set()
    assert report["decisions"][0]["verdict"] == "go"
    assert run.stderr == ""  # the sources say quiet: true


def test_access_denied_makes_check_indeterminate(world: World, cli: Any, tmp_path: Path) -> None:
    regions = estate.build(world)
    world.fail(SECONDARY, "kafka", "DescribeReplicator", "AccessDeniedException")
    plan = write_plan(tmp_path / "failback.yaml", estate.plan(regions, world.url))
    run = cli(["check", "-c", str(plan), "--format", "json"])
    assert run.exit_code == 4, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert findings(report) == {("EVD-001", "secondary/replication")}
    [finding] = report["decisions"][0]["findings"]
    assert "AccessDeniedException (call kafka:DescribeReplicator)" in finding["message"]
    assert report["decisions"][0]["verdict"] == "indeterminate"


def test_unreachable_source_in_failback_yaml_exit_2(world: World, cli: Any, tmp_path: Path) -> None:
    regions = estate.build(world)
    document = estate.plan(regions, world.url)
    url = f"http://127.0.0.1:{closed_port()}"
    document["regions"]["primary"]["source"].update(
        endpoint_url=url, connect_timeout=1, max_attempts=1
    )
    run = cli(["check", "-c", str(write_plan(tmp_path / "failback.yaml", document))])
    assert run.exit_code == 2
    assert run.stderr.startswith(f"failback: error: cannot reach {url}: ")
    assert run.stderr.count("\n") == 1


def test_bad_source_keys_exit_2(world: World, cli: Any, tmp_path: Path) -> None:
    regions = estate.build(world)
    document = estate.plan(regions, world.url)
    document["regions"]["secondary"]["source"]["clusterArn"] = "typo"
    run = cli(["check", "-c", str(write_plan(tmp_path / "failback.yaml", document))])
    assert run.exit_code == 2
    assert "aws source of us-west-2: unknown keys clusterArn" in run.stderr
