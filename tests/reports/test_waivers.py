"""Waivers: owner, reason, ticket and an end date; waived findings stop blocking, expired
waivers block (WVR-001), unused ones are reported; bad files are one-line exit-2 errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from checker.exceptions import Exceptions
from checker.schemas import schema

from ..conftest import ESTATE, NOW, assert_one_line_error, run_cli
from .conftest import build_report, now, waiver, write_waivers

PLAN = ESTATE / "faulted" / "failback.yaml"


def check(*extra: str, plan: Path = PLAN) -> Any:
    return run_cli(["check", "-c", str(plan), "--now", NOW, "--format", "json", *extra])


def findings_of(run: Any) -> dict[str, dict[str, Any]]:
    return {f["rule_id"]: f for f in run.json()["decisions"][0]["findings"]}


def assert_input_error(run: Any, *fragments: str) -> None:
    assert_one_line_error(run, 2, *fragments)


def test_schema_is_published() -> None:
    published = schema("waivers")
    assert published["$id"].endswith("/waivers.v1.json")
    assert set(published["$defs"]["waiver"]["required"]) == {
        "rule_id",
        "resource",
        "owner",
        "reason",
        "ticket",
        "expires",
    }


def test_waived_finding_is_reported_as_waived_and_does_not_block(tmp_path: Path) -> None:
    path = write_waivers(
        tmp_path / "w.yaml", waiver("RET-001", "ledger.*", region="us-west-2", phase="failback")
    )
    run = check("--waivers", str(path))
    found = findings_of(run)
    assert found["RET-001"]["blocking"] is False
    assert found["RET-001"]["waived"] == {
        "owner": "team-platform",
        "ticket": "RISK-1",
        "reason": "accepted while RET-001 is fixed",
        "expires": "2027-01-31",
    }
    assert found["ACL-001"]["waived"] is None and found["ACL-001"]["blocking"] is True
    assert run.json()["waivers"] == {"file": str(path), "count": 1, "unused": [], "expired": []}
    assert run.exit_code == 1


def test_waiving_every_blocking_finding_blocks_nothing(tmp_path: Path) -> None:
    blocking = [f for f in build_report().decisions[0].findings if f.blocking]
    path = write_waivers(tmp_path / "w.yaml", *[waiver(f.rule_id, f.resource) for f in blocking])
    run = check("--waivers", str(path))
    decision = run.json()["decisions"][0]
    # the faulted estate's snapshots are 48 hours apart (EVD-002): indeterminate, not go
    assert decision["verdict"] == "indeterminate" and run.exit_code == 4
    assert not any(f["blocking"] for f in decision["findings"])
    assert all("lowered" not in " ".join(c["reasons"]) for c in decision["scorecard"])
    # the same estate with the primary exported again, close to the secondary: go
    fresh = tmp_path / "fresh.json"
    document = json.loads((PLAN.parent / "us-east-1.json").read_text())
    document["captured_at"] = "2026-11-28T09:00:00Z"
    fresh.write_text(json.dumps(document))
    run = check("--waivers", str(path), "--primary", str(fresh))
    assert run.json()["decisions"][0]["verdict"] == "go" and run.exit_code == 0


def test_waiving_the_high_findings_judges_like_fail_on_critical(tmp_path: Path) -> None:
    """Waiving the high (not critical) blocking findings must give exactly the decision the
    policies give with --fail-on critical: same blocking set, verdict and scorecard."""
    high = [f for f in build_report().decisions[0].findings if f.blocking and f.severity == "high"]
    path = write_waivers(tmp_path / "w.yaml", *[waiver(f.rule_id, f.resource) for f in high])
    waived = check("--waivers", str(path)).json()["decisions"][0]
    rego = check("--fail-on", "critical").json()["decisions"][0]
    assert waived["verdict"] == rego["verdict"]
    assert waived["summary"] == rego["summary"]
    assert waived["scorecard"] == rego["scorecard"]
    assert [(f["rule_id"], f["blocking"]) for f in waived["findings"]] == [
        (f["rule_id"], f["blocking"]) for f in rego["findings"]
    ]


def test_expired_waiver_blocks_with_its_own_finding(tmp_path: Path) -> None:
    path = write_waivers(tmp_path / "w.yaml", waiver("AUD-003", expires="2026-11-28"))
    run = check("--waivers", str(path), "--fail-on", "critical")
    found = findings_of(run)
    assert found["AUD-003"]["waived"] is None  # an expired waiver waives nothing
    # fail-on critical: the high WVR-001 does not block, like any other high finding
    assert found["WVR-001"]["blocking"] is False
    run = check("--waivers", str(path))
    wvr = findings_of(run)["WVR-001"]
    assert (wvr["severity"], wvr["area"], wvr["blocking"]) == ("high", "evidence", True)
    assert wvr["resource"] == "AUD-003 *"
    assert "expired on 2026-11-28" in wvr["message"] and "RISK-1" in wvr["message"]
    assert len(wvr["fingerprint"]) == 64
    assert run.json()["waivers"]["expired"][0]["rule_id"] == "AUD-003"
    assert run.exit_code == 1


def test_waiver_on_its_last_day_still_holds(tmp_path: Path) -> None:
    path = write_waivers(tmp_path / "w.yaml", waiver("RET-001", expires=NOW[:10]))
    assert findings_of(check("--waivers", str(path)))["RET-001"]["waived"] is not None


def test_unused_waivers_are_reported_not_blocking(tmp_path: Path) -> None:
    path = write_waivers(
        tmp_path / "w.yaml",
        waiver("RET-001", "payments.*"),
        waiver("RET-001", "ledger.*", region="primary"),
        waiver("RET-001", "ledger.*", phase="cleanup"),
    )
    run = check("--waivers", str(path))
    assert findings_of(run)["RET-001"]["waived"] is None
    assert [(w["resource"], w["region"], w["phase"]) for w in run.json()["waivers"]["unused"]] == [
        ("payments.*", None, None),
        ("ledger.*", "primary", None),
        ("ledger.*", None, "cleanup"),
    ]
    text = run_cli(["check", "-c", str(PLAN), "--now", NOW, "--waivers", str(path)]).stdout
    assert "waivers " in text and "3 unused" in text
    assert "unused  RET-001 payments.* (owner team-platform, RISK-1): matches no finding" in text


def test_plan_waivers_key_is_relative_to_the_plan(estate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    directory = estate("faulted")
    write_waivers(directory / "accepted.yaml", waiver("RET-001", "ledger.*"))
    plan = directory / "failback.yaml"
    plan.write_text(plan.read_text() + "waivers: accepted.yaml\n")
    run = check(plan=plan)
    assert findings_of(run)["RET-001"]["waived"]["ticket"] == "RISK-1"
    assert run.json()["waivers"]["file"].endswith("accepted.yaml")
    # --waivers overrides the plan's file
    other = write_waivers(tmp_path / "none.yaml")
    assert findings_of(check("--waivers", str(other), plan=plan))["RET-001"]["waived"] is None


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        (
            "schema_version: '1.0'\nwaivers:\n"
            "- {rule_id: RET-001, resource: '*', reason: r, ticket: t,"
            " expires: 2026-12-01}\n",
            ("does not match the v1 schema", "owner"),
        ),
        (
            "schema_version: '1.0'\nwaivers:\n"
            "- {rule_id: RET-001, resource: '*', owner: o, reason: r,"
            " ticket: t, expires: 2027-06-01}\n",
            ("more than 180 days", "2027-05-28"),
        ),
        (
            "schema_version: '1.0'\nwaivers:\n"
            "- {rule_id: RET-001, resource: '*', owner: o, reason: r,"
            " ticket: t, expires: 2026-13-45}\n",
            ("impossible date", "month"),
        ),
        (
            "schema_version: '1.0'\nwaivers:\n"
            "- {rule_id: RET-001, resource: '*', owner: o, reason: r,"
            " ticket: t, expires: '2026-02-30'}\n",
            ("waivers/0/expires",),
        ),
        (
            "schema_version: '1.0'\nwaivers:\n"
            "- {rule_id: RET-001, resource: '*', owner: o, reason: r,"
            " ticket: t, expires: 2026-12-01, until: never}\n",
            ("does not match the v1 schema",),
        ),
        ("schema_version: '2.0'\nwaivers: []\n", ("reads 1.x",)),
        ("waivers: [unclosed\n", ("not valid YAML",)),
    ],
)
def test_bad_waiver_files_are_one_line_input_errors(
    tmp_path: Path, body: str, fragments: tuple[str, ...]
) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(body)
    assert_input_error(check("--waivers", str(path)), *fragments)


def test_missing_waiver_file(tmp_path: Path) -> None:
    assert_input_error(check("--waivers", str(tmp_path / "nope.yaml")), "waivers not found")


def test_waivers_apply_per_phase_with_phase_all(tmp_path: Path) -> None:
    path = write_waivers(tmp_path / "w.yaml", waiver("WA-002", phase="failover"))
    run = check("--waivers", str(path), "--phase", "all")
    for decision in run.json()["decisions"]:
        for f in decision["findings"]:
            if f["rule_id"] == "WA-002":
                assert (f["waived"] is not None) == (decision["phase"] == "failover")


def test_in_process_api_matches_cli(tmp_path: Path) -> None:
    from checker.reports.json_report import render
    from checker.waivers import load_waivers

    path = write_waivers(tmp_path / "w.yaml", waiver("RET-001", "ledger.*"))
    report = build_report(
        exceptions=Exceptions(waivers=load_waivers(path, now()), waiver_file=str(path))
    )
    assert json.loads(render(report)) == check("--waivers", str(path)).json()


@pytest.mark.opa
def test_waived_json_is_byte_identical_on_opa(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ..opa_support import tool

    monkeypatch.setenv("FAILBACK_OPA_BIN", tool("opa"))
    path = write_waivers(
        tmp_path / "w.yaml",
        waiver("RET-001", "ledger.*"),
        waiver("NET-002", expires="2026-11-01"),
        waiver("ACL-004"),
    )
    previous = tmp_path / "previous.json"
    previous.write_text(check("--phase", "all").stdout)
    args = ("--waivers", str(path), "--baseline", str(previous), "--phase", "all")
    embedded = check(*args)
    opa = check(*args, "--engine", "opa")
    assert opa.stderr == "" and opa.exit_code == embedded.exit_code
    assert opa.stdout == embedded.stdout
