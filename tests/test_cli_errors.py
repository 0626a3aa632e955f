"""Bad input: exit 2 with one actionable line on stderr, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ESTATE, NOW, assert_one_line_error, run_cli


def check(plan: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(["check", "-c", str(plan), "--now", NOW, *extra])


def test_missing_plan(tmp_path: Path) -> None:
    assert_one_line_error(check(tmp_path / "nope.yaml"), 2, "plan not found", "nope.yaml")


def test_malformed_yaml_plan(tmp_path: Path) -> None:
    plan = tmp_path / "failback.yaml"
    plan.write_text("schema_version: '1.0'\nregions: [unclosed\n")
    assert_one_line_error(check(plan), 2, "not valid YAML", "line")


def test_plan_schema_violation_names_the_field(estate) -> None:  # type: ignore[no-untyped-def]
    plan = estate("ready") / "failback.yaml"
    plan.write_text(plan.read_text().replace("tier: 1", "tier: first", 1))
    assert_one_line_error(check(plan), 2, "does not match the v1 schema", "tier")


def test_unknown_phase_in_plan(estate) -> None:  # type: ignore[no-untyped-def]
    plan = estate("ready") / "failback.yaml"
    text = plan.read_text().replace("current_phase: failback", "current_phase: failforward")
    plan.write_text(text)
    assert_one_line_error(check(plan), 2, "current_phase")


def test_unknown_phase_option() -> None:
    run = check(ESTATE / "ready" / "failback.yaml", "--phase", "failforward")
    assert_one_line_error(run, 2, "unknown phase 'failforward'", "normal, failover")


def test_missing_snapshot(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("ready")
    (directory / "us-west-2.json").unlink()
    assert_one_line_error(
        check(directory / "failback.yaml"), 2, "snapshot not found", "us-west-2.json"
    )


def test_malformed_json_snapshot(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("ready")
    path = directory / "us-west-2.json"
    path.write_text(path.read_text()[:500])
    assert_one_line_error(check(directory / "failback.yaml"), 2, "not valid JSON", "line")


@pytest.mark.parametrize("version", ["2.0", "0.9", "v1"])
def test_wrong_schema_version(estate, version: str) -> None:  # type: ignore[no-untyped-def]
    directory = estate("ready")
    path = directory / "us-east-1.json"
    doc = json.loads(path.read_text())
    doc["schema_version"] = version
    path.write_text(json.dumps(doc))
    assert_one_line_error(
        check(directory / "failback.yaml"), 2, f"schema_version {version!r}", "reads 1.x"
    )


def test_snapshot_for_the_wrong_region(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("ready")
    run = check(directory / "failback.yaml", "--primary", str(directory / "us-west-2.json"))
    assert_one_line_error(run, 2, "is for region us-west-2", "primary region is us-east-1")


def test_non_utf8_snapshot(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("ready")
    (directory / "us-east-1.json").write_bytes(b'{"schema_version": "1.0", "region": "\xff"}')
    assert_one_line_error(check(directory / "failback.yaml"), 2, "not UTF-8")


def test_yaml_object_tags_are_refused(tmp_path: Path) -> None:
    plan = tmp_path / "failback.yaml"
    plan.write_text("schema_version: !!python/object/apply:os.system ['true']\n")
    assert_one_line_error(check(plan), 2, "not valid YAML")


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    plan = tmp_path / "failback.yaml"
    plan.write_text("\n".join(lines) + "\n")
    assert_one_line_error(check(plan), 2, "aliases")


def test_policy_compile_error_is_exit_3(tmp_path: Path) -> None:
    (tmp_path / "bad.rego").write_text("package failback.custom.bad\n\ndeny contains x if {\n")
    run = check(ESTATE / "ready" / "failback.yaml", "--policy-dir", str(tmp_path))
    assert_one_line_error(run, 3, "does not compile", "bad.rego")


def test_missing_policy_dir(tmp_path: Path) -> None:
    run = check(ESTATE / "ready" / "failback.yaml", "--policy-dir", str(tmp_path / "none"))
    assert_one_line_error(run, 2, "policy directory not found")


def test_output_into_missing_directory(tmp_path: Path) -> None:
    run = check(ESTATE / "ready" / "failback.yaml", "-o", str(tmp_path / "no" / "report.txt"))
    assert_one_line_error(run, 2, "does not exist")


def test_bad_now() -> None:
    run = run_cli(["check", "-c", str(ESTATE / "ready" / "failback.yaml"), "--now", "yesterday"])
    assert_one_line_error(run, 2, "--now")


def test_validate_reports_each_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    run = run_cli(
        [
            "validate",
            str(ESTATE / "ready" / "us-east-1.json"),
            str(ESTATE / "ready" / "failback.yaml"),
            str(bad),
        ]
    )
    assert run.exit_code == 2
    assert "us-east-1.json: valid snapshot" in run.stdout
    assert "failback.yaml: valid plan" in run.stdout
    assert run.stderr.count("failback: error:") == 1
