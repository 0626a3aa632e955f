"""Baselines: every finding has a stable fingerprint; only findings absent from the baseline
block, the rest are reported as known."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from checker.fingerprint import fingerprint

from ..conftest import ESTATE, NOW, run_cli
from .conftest import waiver, write_waivers

PLAN = ESTATE / "faulted" / "failback.yaml"


def check(*extra: str, plan: Path = PLAN) -> Any:
    return run_cli(["check", "-c", str(plan), "--now", NOW, "--format", "json", *extra])


def test_every_finding_has_a_stable_fingerprint() -> None:
    findings = check("--phase", "all").json()["decisions"]
    for decision in findings:
        for f in decision["findings"]:
            resource = " ".join(f["resource"].split())
            canonical = json.dumps(
                [f["rule_id"], f["region"] or "", resource],
                ensure_ascii=False,
                separators=(",", ":"),
            )
            assert f["fingerprint"] == hashlib.sha256(canonical.encode()).hexdigest()
            assert f["waived"] is None and f["known"] is False


def test_fingerprint_ignores_message_and_whitespace_but_not_identity() -> None:
    base = fingerprint("RET-001", "secondary", "ledger.entries")
    assert base == fingerprint("RET-001", "secondary", "  ledger.entries ")
    assert base != fingerprint("RET-001", "primary", "ledger.entries")
    assert base != fingerprint("RET-002", "secondary", "ledger.entries")
    assert fingerprint("RB-001", None, "rollback") == fingerprint("RB-001", "", "rollback")


def test_baseline_of_itself_blocks_nothing(tmp_path: Path) -> None:
    previous = tmp_path / "previous.json"
    first = check("-o", str(previous))
    assert first.exit_code == 1
    run = check("--baseline", str(previous))
    decision = run.json()["decisions"][0]
    # nothing blocks, but the faulted estate's snapshots are 48 hours apart (EVD-002): a
    # baseline never turns doubtful evidence into a go
    assert decision["verdict"] == "indeterminate" and run.exit_code == 4
    assert all(f["known"] and not f["blocking"] for f in decision["findings"])
    assert run.json()["baseline"] == {"file": str(previous), "known": 20}
    # the same estate with the primary exported again, close to the secondary: go
    fresh = tmp_path / "fresh.json"
    document = json.loads((PLAN.parent / "us-east-1.json").read_text())
    document["captured_at"] = "2026-11-28T09:00:00Z"
    fresh.write_text(json.dumps(document))
    run = check("--baseline", str(previous), "--primary", str(fresh))
    assert run.json()["decisions"][0]["verdict"] == "go" and run.exit_code == 0


def test_only_new_findings_block(tmp_path: Path) -> None:
    report = check().json()
    report["decisions"][0]["findings"] = [
        f for f in report["decisions"][0]["findings"] if f["rule_id"] != "RET-001"
    ]
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(report))
    run = check("--baseline", str(previous))
    decision = run.json()["decisions"][0]
    assert [f["rule_id"] for f in decision["findings"] if f["blocking"]] == ["RET-001"]
    assert decision["verdict"] == "no-go" and run.exit_code == 1
    text = run_cli(["check", "-c", str(PLAN), "--now", NOW, "--baseline", str(previous)]).stdout
    assert "phase failback: NO-GO (1 blocking, 20 findings, 0 gaps, 19 known)" in text
    assert "  k ACL-001" in text


def test_findings_of_an_old_report_without_fingerprints_still_match(tmp_path: Path) -> None:
    report = check().json()
    for f in report["decisions"][0]["findings"]:
        del f["fingerprint"]
    previous = tmp_path / "previous.json"
    previous.write_text(json.dumps(report))
    run = check("--baseline", str(previous))
    assert run.exit_code == 4  # nothing blocks; indeterminate for EVD-002, as above
    assert all(f["known"] for f in run.json()["decisions"][0]["findings"])


def test_a_baseline_cannot_extend_an_expired_waiver(tmp_path: Path) -> None:
    waivers = write_waivers(tmp_path / "w.yaml", waiver("AUD-003", expires="2026-11-01"))
    previous = tmp_path / "previous.json"
    check("--waivers", str(waivers), "-o", str(previous))
    run = check("--waivers", str(waivers), "--baseline", str(previous))
    blocking = [f["rule_id"] for f in run.json()["decisions"][0]["findings"] if f["blocking"]]
    assert blocking == ["WVR-001"] and run.exit_code == 1


def test_bad_baselines_are_input_errors(tmp_path: Path) -> None:
    cases = {
        "missing.json": None,
        "list.json": "[]",
        "sarif.json": json.dumps({"version": "2.1.0", "runs": []}),
        "broken.json": '{"tool": ',
        "nofindings.json": json.dumps({"tool": "failback-checker", "decisions": [{}]}),
    }
    for name, body in cases.items():
        path = tmp_path / name
        if body is not None:
            path.write_text(body)
        run = check("--baseline", str(path))
        assert run.exit_code == 2, (name, run.stderr)
        assert len(run.stderr.strip().splitlines()) == 1
        assert run.stderr.startswith("failback: error: ")
