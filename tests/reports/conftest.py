"""Shared helpers for the report tests: build Reports in process, write waiver files."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from checker.engines.embedded import EmbeddedEngine
from checker.evaluate import check as run_check
from checker.exceptions import Exceptions
from checker.model import Finding, Report, Severity
from checker.plan import load_plan
from checker.policy.locate import load_policies
from checker.snapshot import parse_timestamp
from checker.sources import region_snapshot

from ..conftest import ESTATE, NOW

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def now() -> datetime:
    return parse_timestamp(NOW, "test", "now")


def build_report(
    variant: str = "faulted",
    phases: Sequence[str] = ("failback",),
    fail_on: Severity = "high",
    exceptions: Exceptions | None = None,
    plan_path: Path | None = None,
) -> Report:
    plan = load_plan(plan_path or ESTATE / variant / "failback.yaml")
    left = region_snapshot(plan, plan.primary, None)
    right = region_snapshot(plan, plan.secondary, None)
    engine = EmbeddedEngine()
    try:
        engine.load(load_policies(()))
        return run_check(plan, left, right, list(phases), engine, now(), fail_on, exceptions)
    finally:
        engine.close()


def with_findings(report: Report, findings: Sequence[Finding]) -> Report:
    """The report with its first decision's findings replaced."""
    decision = report.decisions[0]
    new = dataclasses.replace(decision, findings=tuple(findings))
    return dataclasses.replace(report, decisions=(new, *report.decisions[1:]))


def finding(index: int = 0, **overrides: Any) -> Finding:
    values: dict[str, Any] = {
        "rule_id": "RET-001",
        "area": "retention",
        "severity": "high",
        "title": "Shorter time retention in secondary",
        "resource": f"topic.{index:05d}",
        "message": f"Topic topic.{index:05d} keeps data for less time in the secondary",
        "remediation": "Raise retention.ms.",
        "blocking": True,
        "region": "secondary",
        "family": None,
        "fingerprint": f"{index:064x}",
    }
    values.update(overrides)
    return Finding(**values)


def write_waivers(path: Path, *entries: dict[str, Any]) -> Path:
    import yaml

    path.write_text(
        yaml.safe_dump({"schema_version": "1.0", "waivers": list(entries)}, sort_keys=False)
    )
    return path


def waiver(rule_id: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {
        "rule_id": rule_id,
        "resource": resource,
        "owner": "team-platform",
        "reason": f"accepted while {rule_id} is fixed",
        "ticket": "RISK-1",
        "expires": "2027-01-31",
        **extra,
    }


@pytest.fixture(scope="session")
def faulted() -> Report:
    return build_report("faulted")
