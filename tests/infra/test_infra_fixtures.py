"""The infra fixtures end to end: `failback check -c failback.yaml` exports each region from its
Terraform plan or Strimzi manifests and judges it. `ready` is go with zero findings; `faulted`
reports exactly its seeded faults."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from ..conftest import ROOT, run_cli
from .conftest import NOW, STRIMZI, TERRAFORM

# (rule id, resource, region, family) of every finding; blocking unless listed in NOT_BLOCKING
TERRAFORM_FAULTS = [
    ("NET-002", "tcp|9096-9096|0.0.0.0/0", "secondary", None),  # open_ingress
    ("WA-001", "fraud", "secondary", "fraud"),  # wildcard_write: fraud writable in both
    ("WA-002", "User:fraud-scorer on fraud", "secondary", "fraud"),  # ... by the DR grant
    ("ENC-002", "encryption.in_transit.in_cluster", "secondary", None),  # in_cluster
    ("OFF-002", "payments-usw2-to-use1", "primary", None),  # legacy_offsets
    ("RET-001", "ledger.entries", "secondary", "ledger"),  # topic_retention
    ("AUD-003", "audit.retention_days", "secondary", None),  # log_retention (medium)
    ("CMP-001", "cluster.kafka_version", None, None),  # old_version (medium)
]
FAMILIES = ("fraud", "ledger", "notifications", "payments-core")
STRIMZI_FAULTS = [
    # mm2_echo: both MirrorMaker 2 resources on IdentityReplicationPolicy
    *[("REP-002", "payments-use1-to-usw2 <-> payments-usw2-to-use1", None, f) for f in FAMILIES],
    # wildcard_user: KafkaUser ops-debug with ALL on every topic in the DR cluster
    *[("WA-001", f, "secondary", f) for f in FAMILIES],
    *[("WA-002", f"User:ops-debug on {f}", "secondary", f) for f in FAMILIES],
    # ... compared as the broker decides: the operations ALL allows that the primary does not
    (
        "ACL-002",
        "User:ops-debug|TOPIC|ALTER,ALTER_CONFIGS,CREATE,DELETE,DESCRIBE,DESCRIBE_CONFIGS,READ|*",
        "secondary",
        None,
    ),
    ("ACL-006", "User:ops-debug", "primary", None),  # ... a SCRAM user in the DR cluster only
    # plaintext_listener: the DR scram listener without TLS (one fault, one finding: ENC-005
    # does not repeat what ENC-001 reports)
    ("ENC-001", "encryption.in_transit.client_broker", "secondary", None),
    ("RET-001", "ledger.entries", "secondary", "ledger"),  # topic_retention
    ("CMP-001", "cluster.kafka_version", None, None),  # old_version (medium)
]
NOT_BLOCKING = {"AUD-003", "CMP-001"}


def decision(source: str, variant: str) -> tuple[dict[str, Any], int]:
    base = TERRAFORM if source == "terraform" else STRIMZI
    run = run_cli(
        ["check", "-c", str(base / variant / "failback.yaml"), "--now", NOW, "--format", "json"]
    )
    assert run.exit_code in (0, 1), run.stderr
    found: dict[str, Any] = run.json()["decisions"][0]
    return found, run.exit_code


def test_infra_fixtures_are_generated_and_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "fixtures" / "generate_infra.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("source", ["terraform", "strimzi"])
def test_ready_estate_is_go_with_zero_findings(source: str) -> None:
    found, code = decision(source, "ready")
    assert found["findings"] == []
    assert found["verdict"] == "go"
    assert code == 0
    # what the sources cannot know is declared out of scope, not silently passed
    out_of_scope = {"consumer_groups"} if source == "terraform" else {"consumer_groups", "audit"}
    assert {(g["region"], g["area"]) for g in found["gaps"]} == {
        (role, area) for role in ("primary", "secondary") for area in out_of_scope
    }
    assert not any(g["in_scope"] for g in found["gaps"])


@pytest.mark.parametrize(
    ("source", "expected"), [("terraform", TERRAFORM_FAULTS), ("strimzi", STRIMZI_FAULTS)]
)
def test_faulted_estate_reports_exactly_the_seeded_faults(
    source: str, expected: list[tuple[str, str, str | None, str | None]]
) -> None:
    found, code = decision(source, "faulted")
    findings = sorted(
        (f["rule_id"], f["resource"], f["region"], f["family"]) for f in found["findings"]
    )
    assert findings == sorted(expected)
    assert {f["rule_id"] for f in found["findings"] if not f["blocking"]} == NOT_BLOCKING & {
        f[0] for f in expected
    }
    assert found["verdict"] == "no-go"
    assert code == 1


def test_mm2_echo_is_warned_about_on_stderr() -> None:
    run = run_cli(["check", "-c", str(STRIMZI / "faulted" / "failback.yaml"), "--now", NOW])
    assert "failback: warning: KafkaMirrorMaker2 payments-use1-to-usw2" in run.stderr
    assert "echo back forever" in run.stderr


def test_short_format_points_at_the_plan_file() -> None:
    run = run_cli(
        [
            "check",
            "-c",
            str(TERRAFORM / "faulted" / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "short",
        ]
    )
    assert run.exit_code == 1
    enc = [line for line in run.stdout.splitlines() if " ENC-002 " in line]
    assert len(enc) == 1
    assert "payments.tfplan.json" in enc[0]
