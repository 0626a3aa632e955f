"""`failback validate` and plan loading as a first-time user meets them (issue #17, item 2)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from checker.errors import InputError
from checker.plan import parse_plan

from .conftest import ROOT, assert_one_line_error, run_cli

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
    assert run.stdout == f"{path}: valid plan\n"


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
