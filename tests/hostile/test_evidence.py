"""Stale, skewed and impossible evidence: never GO, on both engines.

Snapshots captured too far apart (EVD-002) or older than the plan allows (EVD-003) make the
verdict indeterminate unless something already blocks, whatever waivers and the baseline say;
a snapshot captured after the time it is judged at is an input error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import NOW, Run, assert_one_line_error
from tests.opa_support import opa_server

JUDGED = datetime.fromisoformat(NOW.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def opa_url() -> Iterator[str]:
    with opa_server() as url:
        yield url


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _captured(root: Path, file: str, moment: datetime) -> None:
    path = root / file
    document = json.loads(path.read_text())
    document["captured_at"] = _stamp(moment)
    path.write_text(json.dumps(document))


def _both_engines(cli: Callable[[list[str]], Run], opa_url: str, *args: str) -> Run:
    """Run on the embedded engine and on OPA; both must agree on exit code and decisions."""
    embedded = cli([*args, "--now", NOW, "--format", "json"])
    opa = cli([*args, "--now", NOW, "--format", "json", "--engine", "opa", "--opa-url", opa_url])
    assert opa.exit_code == embedded.exit_code, (opa.stderr, embedded.stderr)
    assert opa.json()["decisions"] == embedded.json()["decisions"]
    return embedded


def _evidence(run: Run) -> list[tuple[str, str, bool]]:
    return [
        (f["rule_id"], f["resource"], f["blocking"])
        for f in run.json()["decisions"][0]["findings"]
        if f["rule_id"].startswith("EVD-")
    ]


# (probe, primary captured, secondary captured, the evidence findings)
STALE: list[tuple[str, timedelta, timedelta, list[tuple[str, str, bool]]]] = [
    (
        "30-hours-apart",
        timedelta(hours=-45),
        timedelta(hours=-15),
        [("EVD-002", "captured_at", False)],
    ),
    (
        "ten-days-apart",
        timedelta(days=-10, hours=-15),
        timedelta(hours=-15),
        [("EVD-002", "captured_at", False), ("EVD-003", "primary/captured_at", False)],
    ),
    (
        "25-years-old",
        timedelta(days=-25 * 365),
        timedelta(days=-25 * 365),
        [("EVD-003", "primary/captured_at", False), ("EVD-003", "secondary/captured_at", False)],
    ),
]


@pytest.mark.parametrize(
    ("probe", "primary", "secondary", "expected"), STALE, ids=[p[0] for p in STALE]
)
def test_stale_or_skewed_evidence_is_indeterminate(
    probe: str,
    primary: timedelta,
    secondary: timedelta,
    expected: list[tuple[str, str, bool]],
    estate: Callable[[str], Path],
    cli: Callable[[list[str]], Run],
    opa_url: str,
) -> None:
    root = estate("ready")
    _captured(root, "us-east-1.json", JUDGED + primary)
    _captured(root, "us-west-2.json", JUDGED + secondary)
    run = _both_engines(cli, opa_url, "check", "-c", str(root / "failback.yaml"))
    assert run.exit_code == 4, (probe, run.stderr)
    assert run.json()["decisions"][0]["verdict"] == "indeterminate"
    assert _evidence(run) == expected
    # fail-on info: still indeterminate, never no-go (evidence rules never block)
    low = cli(["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--fail-on", "info"])
    assert low.exit_code == 4, low.stdout


def test_fresh_evidence_is_go(
    estate: Callable[[str], Path], cli: Callable[[list[str]], Run]
) -> None:
    root = estate("ready")
    _captured(root, "us-east-1.json", JUDGED - timedelta(hours=2))
    _captured(root, "us-west-2.json", JUDGED + timedelta(minutes=4))  # within the clock skew
    run = cli(["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--format", "json"])
    assert run.exit_code == 0, run.stderr
    assert _evidence(run) == []


def test_waivers_and_baseline_never_turn_stale_evidence_into_go(
    estate: Callable[[str], Path], cli: Callable[[list[str]], Run], opa_url: str
) -> None:
    root = estate("ready")
    _captured(root, "us-east-1.json", JUDGED - timedelta(days=10, hours=15))
    plan = str(root / "failback.yaml")
    waivers = root / "waivers.yaml"
    waivers.write_text(
        'schema_version: "1.0"\nwaivers:\n'
        + "".join(
            f"  - rule_id: {rule}\n    resource: '*'\n    owner: team\n    reason: stale\n"
            f"    ticket: T-1\n    expires: 2026-12-20\n"
            for rule in ("EVD-002", "EVD-003")
        )
    )
    first = cli(["check", "-c", plan, "--now", NOW, "--format", "json", "-o", str(root / "b.json")])
    assert first.exit_code == 4, first.stderr
    waived = _both_engines(cli, opa_url, "check", "-c", plan, "--waivers", str(waivers))
    assert waived.exit_code == 4, waived.stderr
    findings = waived.json()["decisions"][0]["findings"]
    assert [(f["rule_id"], f["waived"]["ticket"]) for f in findings] == [
        ("EVD-002", "T-1"),
        ("EVD-003", "T-1"),
    ]
    known = _both_engines(cli, opa_url, "check", "-c", plan, "--baseline", str(root / "b.json"))
    assert known.exit_code == 4, known.stderr
    assert [f["known"] for f in known.json()["decisions"][0]["findings"]] == [True, True]


def test_a_blocking_finding_still_wins_over_stale_evidence(
    estate: Callable[[str], Path], cli: Callable[[list[str]], Run]
) -> None:
    root = estate("faulted")  # EVD-002 already: captured 48 hours apart
    run = cli(["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--fail-on", "low"])
    assert run.exit_code == 1, run.stderr
    assert "- EVD-002  medium" in run.stdout  # shown, not blocking


@pytest.mark.parametrize("command", ["check", "audit"])
@pytest.mark.parametrize("ahead", [timedelta(minutes=6), timedelta(days=30)])
def test_a_snapshot_from_the_future_is_an_input_error(
    command: str,
    ahead: timedelta,
    estate: Callable[[str], Path],
    cli: Callable[[list[str]], Run],
) -> None:
    root = estate("ready")
    _captured(root, "us-west-2.json", JUDGED + ahead)
    run = cli([command, "-c", str(root / "failback.yaml"), "--now", NOW, "--format", "json"])
    assert_one_line_error(run, 2, "us-west-2.json", "impossible evidence", _stamp(JUDGED + ahead))
    assert run.stdout == ""


def test_a_snapshot_file_given_on_the_command_line_is_held_to_now_too(
    estate: Callable[[str], Path], cli: Callable[[list[str]], Run], tmp_path: Path
) -> None:
    root = estate("ready")
    future = tmp_path / "future.json"
    future.write_text((root / "us-east-1.json").read_text())
    _captured(tmp_path, "future.json", JUDGED + timedelta(days=1))
    run = cli(["check", "-c", str(root / "failback.yaml"), "--primary", str(future), "--now", NOW])
    assert_one_line_error(run, 2, "future.json", "impossible evidence")


def test_the_clock_judges_when_now_is_not_given(
    estate: Callable[[str], Path], cli: Callable[[list[str]], Run]
) -> None:
    root = estate("ready")
    _captured(root, "us-west-2.json", datetime.now(UTC) + timedelta(days=2))
    run = cli(["check", "-c", str(root / "failback.yaml")])
    assert_one_line_error(run, 2, "us-west-2.json", "impossible evidence")
