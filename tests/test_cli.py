"""The other commands, user policies, and the catalog's consistency with the rules."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from checker.model import AREAS

from .conftest import ESTATE, NOW, ROOT, run_cli

RULE_ID = re.compile(r'"([A-Z]{2,3}-\d{3})"')


def test_rules_lists_the_catalog_as_json() -> None:
    run = run_cli(["rules", "--format", "json"])
    catalog = run.json()
    assert run.exit_code == 0
    assert catalog["WA-001"]["area"] == "write_authority"
    assert catalog["WA-001"]["severity"] == "critical"
    assert {entry["area"] for entry in catalog.values()} == set(AREAS)
    for entry in catalog.values():
        assert entry["severity"] in {"info", "low", "medium", "high", "critical"}
        assert entry["title"] and entry["remediation"]


def test_every_rule_in_the_policies_is_in_the_catalog_and_tested() -> None:
    catalog = set(run_cli(["rules", "--format", "json"]).json())
    emitted: set[str] = set()
    tested: set[str] = set()
    for path in (ROOT / "policies" / "failback").rglob("*.rego"):
        if path.parent.name in ("catalog", "main", "lib"):
            continue
        ids = set(RULE_ID.findall(path.read_text()))
        (tested if path.name.endswith("_test.rego") else emitted).update(ids)
    assert emitted == catalog
    assert catalog <= tested


def test_text_rules_output() -> None:
    run = run_cli(["rules"])
    assert run.exit_code == 0
    assert re.search(
        r"^ACL-003\s+acl\s+critical\s+Everyone allowed when no ACL matches$",
        run.stdout,
        re.MULTILINE,
    )


def test_diff_command_shows_the_seeded_drift() -> None:
    run = run_cli(
        [
            "diff",
            str(ESTATE / "faulted" / "us-east-1.json"),
            str(ESTATE / "faulted" / "us-west-2.json"),
            "-c",
            str(ESTATE / "faulted" / "failback.yaml"),
            "--format",
            "json",
        ]
    )
    assert run.exit_code == 0
    changes = {(c["area"], c["key"], c["kind"]) for c in run.json()}
    assert (
        "grants",
        "User:ledger-reader|TOPIC|LITERAL|ledger.entries|READ|ALLOW|*",
        "removed",
    ) in changes
    assert ("cluster", "kafka_version", "changed") in changes


def test_diff_of_the_ready_estate_has_no_governance_drift() -> None:
    run = run_cli(
        [
            "diff",
            str(ESTATE / "ready" / "us-east-1.json"),
            str(ESTATE / "ready" / "us-west-2.json"),
            "-c",
            str(ESTATE / "ready" / "failback.yaml"),
        ]
    )
    assert run.exit_code == 0
    kinds = {line.split(" ", 1)[0] for line in run.stdout.splitlines()[:-1]}
    # Only producer write grants differ: the secondary is fenced during failback.
    assert all(
        line.startswith("- grants/") and "|WRITE|" in line for line in run.stdout.splitlines()[:-1]
    ), run.stdout
    assert kinds == {"-"}


def test_user_policy_dir_adds_findings(tmp_path: Path) -> None:
    (tmp_path / "naming.rego").write_text(
        "package failback.custom.naming\n\n"
        'deny contains {"rule_id": "ORG-001", "severity": "high", "title": "t",\n'
        '  "resource": name,\n'
        '  "message": sprintf("topic %s has an upper-case name", [name])} if {\n'
        "  some name, _ in input.primary.topics\n"
        "  upper(name) == name\n"
        "}\n"
    )
    run = run_cli(
        [
            "check",
            "-c",
            str(ESTATE / "ready" / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "json",
            "--policy-dir",
            str(tmp_path),
        ]
    )
    findings = run.json()["decisions"][0]["findings"]
    assert [f["rule_id"] for f in findings] == []
    assert run.exit_code == 0
    (tmp_path / "naming.rego").write_text(
        (tmp_path / "naming.rego")
        .read_text()
        .replace("upper(name) == name", 'startswith(name, "ledger.entries")')
    )
    run = run_cli(
        [
            "check",
            "-c",
            str(ESTATE / "ready" / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "json",
            "--policy-dir",
            str(tmp_path),
        ]
    )
    findings = run.json()["decisions"][0]["findings"]
    assert [(f["rule_id"], f["area"], f["resource"], f["blocking"]) for f in findings] == [
        ("ORG-001", "custom", "ledger.entries", True)
    ]
    assert run.exit_code == 1


def test_output_file_is_written_and_stdout_is_empty(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = run_cli(
        [
            "check",
            "-c",
            str(ESTATE / "faulted" / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "json",
            "-o",
            str(out),
        ]
    )
    assert run.exit_code == 1
    assert run.stdout == ""
    assert '"verdict": "no-go"' in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_json_report_is_deterministic() -> None:
    args = [
        "check",
        "-c",
        str(ESTATE / "faulted" / "failback.yaml"),
        "--now",
        NOW,
        "--format",
        "json",
        "--phase",
        "all",
    ]
    assert run_cli(args).stdout == run_cli(args).stdout


def test_check_runs_from_another_directory_with_relative_paths(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            "-c",
            str((ESTATE / "ready" / "failback.yaml").relative_to(ROOT)),
            "--now",
            NOW,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "phase failback: GO" in result.stdout


@pytest.mark.slow
def test_wheel_ships_the_policies(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("failback_checker-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "checker/_policies/failback/main/main.rego" in names
    assert "checker/_policies/failback/catalog/catalog.rego" in names
    assert "checker/schemas/snapshot.v1.json" in names
