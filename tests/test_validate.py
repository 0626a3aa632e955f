"""`failback validate` and plan loading as a first-time user meets them (issue #17, item 2)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from checker.errors import InputError
from checker.plan import parse_plan

from .conftest import ESTATE, NOW, ROOT, assert_one_line_error, run_cli

PLAN_DOC = ROOT / "docs" / "reference" / "plan.md"
REPR = re.compile(r"datetime\.|\bdate\(|\{'|\['")


def _doc_example() -> str:
    text = PLAN_DOC.read_text("utf-8")
    return text.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_documented_plan_example_with_unquoted_dates_is_valid() -> None:
    document = yaml.safe_load(_doc_example())
    assert str(document["cost"]["dual_region_since"]) == "2026-11-10"  # a YAML date, unquoted
    plan = parse_plan(document, "failback.yaml")
    assert plan.cost.dual_region_since == "2026-11-10"
    assert plan.families[0].evidence("failback").last_rehearsal == "2026-10-13"


def test_validate_accepts_the_documented_example(tmp_path: Path) -> None:
    path = tmp_path / "failback.yaml"
    path.write_text(_doc_example(), "utf-8")
    run = run_cli(["validate", str(path)])
    assert run.exit_code == 0, run.stderr
    assert run.stdout == f"{path}: valid plan (1 topic family)\n"


def test_an_impossible_plan_date_is_an_input_error_without_a_repr(tmp_path: Path) -> None:
    path = tmp_path / "failback.yaml"
    path.write_text(
        _doc_example().replace("dual_region_since: 2026-11-10", "dual_region_since: soon")
    )
    run = run_cli(["check", "-c", str(path), "--primary", "x.json"])
    assert_one_line_error(run, 2, "cost/dual_region_since", '"soon" is not a date')
    assert not REPR.search(run.stderr)


def test_a_date_where_a_name_is_expected_is_text_not_a_repr() -> None:
    document = yaml.safe_load(_doc_example())
    document["cost"]["owner"] = yaml.safe_load("2026-01-01")
    plan = parse_plan(document, "failback.yaml")
    assert plan.cost.owner == "2026-01-01"
    document["cost"]["max_dual_region_days"] = yaml.safe_load("2026-01-01")
    with pytest.raises(InputError) as caught:
        parse_plan(document, "failback.yaml")
    assert "2026-01-01" in caught.value.one_line()
    assert not REPR.search(caught.value.one_line())


# -- what kind of file ---------------------------------------------------------------------------

TERRAFORM = ROOT / "fixtures" / "terraform" / "ready" / "payments.tfplan.json"
STRIMZI = ROOT / "fixtures" / "strimzi" / "ready" / "us-east-1"
GOLDEN_WAIVERS = """\
schema_version: "1.0"
waivers:
  - rule_id: AUD-003
    resource: audit.retention_days
    owner: team-platform
    reason: shorter retention accepted until the new bucket is live
    ticket: OPS-1
    expires: 2026-12-20
"""


def _report(tmp_path: Path) -> Path:
    path = tmp_path / "previous.json"
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
            str(path),
            "--exit-zero",
        ]
    )
    assert run.exit_code == 0, run.stderr
    return path


def test_validate_tells_each_kind_of_file_apart(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(GOLDEN_WAIVERS)
    state = tmp_path / "state.json"
    plan_json = json.loads(TERRAFORM.read_text())
    state.write_text(
        json.dumps(
            {
                "format_version": "1.0",
                "terraform_version": "1.9.0",
                "values": plan_json["planned_values"],
            }
        )
    )
    multi = tmp_path / "all.yaml"
    multi.write_text("---\n".join(p.read_text() for p in sorted(STRIMZI.glob("*.y*ml"))))
    files = {
        ESTATE / "ready" / "failback.yaml": "valid plan (7 topic families)",
        ESTATE / "ready" / "us-east-1.json": "valid snapshot (region us-east-1, ",
        waivers: "valid waiver file (1 waiver)",
        _report(tmp_path): "valid baseline (",
        TERRAFORM: "valid Terraform plan (terraform show -json) (288 managed resources; ",
        state: "valid Terraform state (terraform show -json) (288 managed resources; ",
        STRIMZI / "users.yml": "valid Strimzi manifest (15 KafkaUser)",
        multi: "valid Strimzi manifest (1 Kafka, 1 KafkaMirrorMaker2, 1 KafkaNodePool, "
        "40 KafkaTopic, 15 KafkaUser)",
    }
    run = run_cli(["validate", *map(str, files)])
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == len(files)
    for line, (path, expected) in zip(lines, files.items(), strict=True):
        assert line.startswith(f"{path}: {expected}"), line


def test_a_waiver_file_is_not_judged_as_a_plan(tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(GOLDEN_WAIVERS.replace("    owner: team-platform\n", ""))
    run = run_cli(["validate", str(waivers)])
    assert_one_line_error(run, 2, f"{waivers}:", "owner")
    assert "regions" not in run.stderr


def test_kind_can_be_given(tmp_path: Path) -> None:
    run = run_cli(["validate", "--kind", "snapshot", str(ESTATE / "ready" / "failback.yaml")])
    assert run.exit_code == 2
    assert "snapshot" in run.stderr and "regions" not in run.stdout
    run = run_cli(["validate", "--kind", "terraform-plan", str(TERRAFORM)])
    assert run.exit_code == 0, run.stderr


# -- every problem, with its place ---------------------------------------------------------------


def _bad_plan(tmp_path: Path) -> Path:
    text = (ESTATE / "ready" / "failback.yaml").read_text()
    text = text.replace("topic_families:", "topic_familes:", 1)
    text = text.replace("max_dual_region_days: 30", "max_dual_region_days: thirty", 1)
    text = text.replace("current_phase: failback", "current_phase: failbak", 1)
    path = tmp_path / "failback.yaml"
    path.write_text(text)
    for name in ("us-east-1.json", "us-west-2.json"):
        (tmp_path / name).write_text((ESTATE / "ready" / name).read_text())
    return path


def _line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def test_all_schema_errors_at_once_with_line_column_and_did_you_mean(tmp_path: Path) -> None:
    path = _bad_plan(tmp_path)
    run = run_cli(["validate", str(path)])
    assert run.exit_code == 2
    lines = run.stderr.strip().splitlines()
    families = _line_of(path, "topic_familes:")
    days = _line_of(path, "max_dual_region_days: thirty")
    phase = _line_of(path, "current_phase: failbak")
    column = path.read_text().splitlines()[days - 1].index("thirty") + 1
    assert sorted(lines) == sorted(
        [
            f'failback: error: {path}:{phase}:16: plan: "failbak" is not one of "normal", '
            '"failover", "dr_operation", "failback", "cleanup"',
            f'failback: error: {path}:{days}:{column}: plan: "thirty" is not an integer',
            f"failback: error: {path}:{families}:1: plan: unknown key topic_familes "
            "(did you mean topic_families?)",
        ]
    )
    assert "topic_families is required" not in run.stderr  # the misspelling says it
    assert not REPR.search(run.stderr)
    assert run.stdout == ""


def test_json_errors_have_positions_too(tmp_path: Path) -> None:
    document = json.loads((ESTATE / "ready" / "us-east-1.json").read_text())
    document["regoin"] = document.pop("region")
    document["topics"]["ledger.entries"]["partitions"] = "12"
    path = tmp_path / "us-east-1.json"
    path.write_text(json.dumps(document, indent=2))
    run = run_cli(["validate", "--kind", "snapshot", str(path)])
    assert run.exit_code == 2
    lines = run.stderr.strip().splitlines()
    assert any(
        re.fullmatch(
            rf"failback: error: {re.escape(str(path))}:\d+:3: snapshot: unknown key regoin "
            r"\(did you mean region\?\)",
            line,
        )
        for line in lines
    ), lines
    assert any(
        re.search(r":\d+:\d+: snapshot: \"12\" is not an integer$", line) for line in lines
    ), lines


def test_a_multi_document_strimzi_file_is_not_invalid_yaml(tmp_path: Path) -> None:
    multi = tmp_path / "kafka.yaml"
    multi.write_text((STRIMZI / "topics.yaml").read_text())
    run = run_cli(["validate", str(multi)])
    assert run.exit_code == 0, run.stderr
    assert "not valid YAML" not in run.stderr


# -- producers that match no principal -----------------------------------------------------------


def test_a_producer_matching_no_principal_is_a_warning(tmp_path: Path) -> None:
    path = _bad_plan(tmp_path)
    text = (ESTATE / "ready" / "failback.yaml").read_text()
    text = text.replace("- User:ledger-writer", "- User:CN=ledger-writer", 1)
    path.write_text(text)
    run = run_cli(["validate", str(path)])
    assert run.exit_code == 0, run.stderr
    line = _line_of(path, "User:CN=ledger-writer")
    [warning] = run.stderr.strip().splitlines()
    assert warning.startswith(f"failback: warning: {path}:{line}:")
    assert "producer User:CN=ledger-writer of family ledger matches no principal" in warning
    assert run.stdout.startswith(f"{path}: valid plan")


def test_producers_are_checked_against_given_snapshots_and_offline_sources(tmp_path: Path) -> None:
    plan = ESTATE / "ready" / "failback.yaml"
    ready = run_cli(["validate", str(plan)])
    assert ready.exit_code == 0 and ready.stderr == ""
    # the strimzi plan names manifest directories: exported offline, and all producers match
    strimzi = run_cli(["validate", str(ROOT / "fixtures" / "strimzi" / "ready" / "failback.yaml")])
    assert strimzi.exit_code == 0 and strimzi.stderr == "", strimzi.stderr
    empty = json.loads((ESTATE / "ready" / "us-west-2.json").read_text())
    empty["acls"], empty["iam_grants"] = [], []
    empty["broker_config"].pop("super.users", None)
    empty["authentication"]["scram_users"] = []
    (tmp_path / "west.json").write_text(json.dumps(empty))
    east = json.loads((ESTATE / "ready" / "us-east-1.json").read_text())
    east["acls"], east["iam_grants"] = [], []
    east["broker_config"].pop("super.users", None)
    east["authentication"]["scram_users"] = []
    (tmp_path / "east.json").write_text(json.dumps(east))
    run = run_cli(
        [
            "validate",
            str(plan),
            "--primary",
            str(tmp_path / "east.json"),
            "--secondary",
            str(tmp_path / "west.json"),
        ]
    )
    assert run.exit_code == 0
    assert "producer User:ledger-writer of family ledger matches no principal" in run.stderr


def test_check_names_the_misspelt_key_and_points_to_validate(tmp_path: Path) -> None:
    path = _bad_plan(tmp_path)
    run = run_cli(["check", "-c", str(path), "--now", NOW])
    assert_one_line_error(
        run,
        2,
        "at (top level): unknown key topic_familes (did you mean topic_families?)",
        f"(`failback validate {path}` lists every problem with its line)",
    )
