"""The shipped estate: ready passes, every seeded fault (and nothing else) is found, gaps are
indeterminate."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ESTATE, NOW, ROOT, run_cli

SEEDED: dict[str, list[tuple[str, str, str | None, str | None]]] = {
    # area: (rule id, resource, region, family)
    "write_authority": [
        ("WA-001", "fraud", "secondary", "fraud"),
        ("WA-002", "User:fraud-scorer on fraud", "secondary", "fraud"),
    ],
    "replication": [
        ("REP-002", "mm2-notify-use1-to-usw2 <-> mm2-notify-usw2-to-use1", None, "notifications")
    ],
    "offsets": [("OFF-002", "payments-usw2-to-use1", "primary", None)],
    "rollback": [("RB-001", "rollback", None, None)],
    # access parity compares effective permissions: the resource names the principal, the
    # resource type, the operations and the host (the topics are in the message)
    "acl": [("ACL-001", "User:ledger-reader|TOPIC|READ|*", "secondary", None)],
    "encryption": [("ENC-002", "encryption.in_transit.in_cluster", "secondary", None)],
    "network": [("NET-002", "tcp|9096-9096|0.0.0.0/0", "secondary", None)],
    "audit": [("AUD-003", "audit.retention_days", "secondary", None)],
    "retention": [("RET-001", "ledger.entries", "secondary", "ledger")],
    "topic_config": [("TOP-001", "fraud.scores", None, "fraud")],
    "cost": [("CST-001", "cost.max_dual_region_days", None, None)],
    "evidence": [("EVD-002", "captured_at", None, None)],
    "compatibility": [("CMP-001", "cluster.kafka_version", None, None)],
    "readiness": [("RDY-001", "fraud/failback", None, "fraud")],
    "schemas": [
        ("SR-001", "payments-core|payments.refunds-value", "secondary", "payments-core"),
        ("SR-002", "payments-core|payments.captures-value", None, "payments-core"),
        ("SR-003", "payments-core|payments.settlements-value", None, "payments-core"),
        ("SR-004", "payments-core|payments.payouts-value", None, "payments-core"),
        ("SR-005", "payments-core|payments.fx-quotes-value", "primary", "payments-core"),
    ],
}


def check(variant: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        [
            "check",
            "-c",
            str(ESTATE / variant / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "json",
            *extra,
        ]
    )


def test_fixtures_are_generated_and_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "fixtures" / "generate.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_ready_estate_is_go_with_zero_findings() -> None:
    run = check("ready")
    decision = run.json()["decisions"][0]
    assert decision["findings"] == []
    assert decision["verdict"] == "go"
    assert decision["phase"] == "failback"
    assert run.exit_code == 0


def test_faulted_estate_reports_every_seeded_fault_and_nothing_else() -> None:
    run = check("faulted")
    decision = run.json()["decisions"][0]
    found = sorted(
        (f["rule_id"], f["resource"], f["region"], f["family"]) for f in decision["findings"]
    )
    expected = sorted(item for items in SEEDED.values() for item in items)
    assert found == expected
    assert decision["verdict"] == "no-go"
    assert run.exit_code == 1


def test_faulted_estate_covers_every_area() -> None:
    run = check("faulted")
    areas = {f["area"] for f in run.json()["decisions"][0]["findings"]}
    assert areas == set(SEEDED)


def test_gap_estate_is_indeterminate() -> None:
    run = check("gaps")
    decision = run.json()["decisions"][0]
    assert decision["verdict"] == "indeterminate"
    assert [(f["rule_id"], f["resource"]) for f in decision["findings"]] == [
        ("EVD-001", "secondary/audit")
    ]
    assert decision["gaps"] == [
        {
            "area": "audit",
            "call": "logs:DescribeLogGroups",
            "in_scope": True,
            "reason": "AccessDeniedException",
            "region": "secondary",
        }
    ]
    assert run.exit_code == 4


def test_gap_declared_out_of_scope_does_not_block(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("gaps")
    plan = directory / "failback.yaml"
    plan.write_text(
        plan.read_text().replace(
            "evidence:\n  max_snapshot_skew_hours",
            "evidence:\n  out_of_scope: [audit]\n  max_snapshot_skew_hours",
        )
    )
    run = run_cli(["check", "-c", str(plan), "--now", NOW, "--format", "json"])
    decision = run.json()["decisions"][0]
    assert decision["verdict"] == "go"
    assert decision["gaps"][0]["in_scope"] is False
    assert run.exit_code == 0


def test_phase_all_reports_every_phase_and_the_worst_exit_code() -> None:
    run = check("ready", "--phase", "all")
    decisions = run.json()["decisions"]
    assert [d["phase"] for d in decisions] == [
        "normal",
        "failover",
        "dr_operation",
        "failback",
        "cleanup",
    ]
    verdicts = {d["phase"]: d["verdict"] for d in decisions}
    assert verdicts["failback"] == "go"
    # Captured mid-failback, the estate is not in the shape failover needs: the primary still
    # holds the producer grants and the secondary none.
    assert verdicts["failover"] == "no-go"
    failover = {f["rule_id"] for f in decisions[1]["findings"]}
    assert {"WA-002", "WA-005"} <= failover
    assert run.exit_code == 1


def test_fail_on_critical_lets_high_findings_pass() -> None:
    run = check("faulted", "--fail-on", "critical")
    decision = run.json()["decisions"][0]
    blocking = sorted({f["rule_id"] for f in decision["findings"] if f["blocking"]})
    assert blocking == ["NET-002", "REP-002", "SR-001", "SR-003", "WA-001"]
    assert run.exit_code == 1
