"""A failed or incomplete `terraform plan` is never judged as if it were complete.

`errored: true` is refused (exit 2, one line naming the file). `complete: false` (deferred
actions, -target) makes what the plan cannot vouch for a gap: the deferred resources' areas,
or every area when the plan does not say which. `applyable: false` alone (nothing to change) is
an ordinary plan.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import NOW, Run, assert_one_line_error
from tests.infra.conftest import PLAN, TERRAFORM
from tests.opa_support import opa_server

# Every area the Terraform exporter fills: an incomplete plan without deferred_changes
# cannot vouch for any of them.
EXPORTED_AREAS = {
    "acls",
    "audit",
    "authentication",
    "broker_config",
    "encryption",
    "iam_grants",
    "network",
    "quotas",
    "replication",
    "storage",
    "topics",
}


@pytest.fixture
def tf_estate(tmp_path: Path) -> Callable[[str], Path]:
    """A copy of a Terraform fixture variant (failback.yaml + plan) a test may change."""

    def copy(variant: str) -> Path:
        target = tmp_path / f"tf-{variant}"
        shutil.copytree(TERRAFORM / variant, target)
        return target

    return copy


@pytest.fixture(scope="module")
def opa_url() -> Iterator[str]:
    with opa_server() as url:
        yield url


def _edit(estate: Path, **fields: Any) -> None:
    path = estate / PLAN
    document = json.loads(path.read_text())
    document.update(fields)
    path.write_text(json.dumps(document))


def _check(cli: Callable[[list[str]], Run], estate: Path, *extra: str) -> Run:
    return cli(
        ["check", "-c", str(estate / "failback.yaml"), "--now", NOW, "--format", "json", *extra]
    )


def _both(cli: Callable[[list[str]], Run], estate: Path, opa_url: str) -> Run:
    embedded = _check(cli, estate)
    opa = _check(cli, estate, "--engine", "opa", "--opa-url", opa_url)
    assert opa.exit_code == embedded.exit_code, (opa.stderr, embedded.stderr)
    assert opa.json()["decisions"] == embedded.json()["decisions"]
    return embedded


def test_an_errored_plan_is_refused(
    tf_estate: Callable[[str], Path], cli: Callable[[list[str]], Run]
) -> None:
    estate = tf_estate("ready")
    _edit(estate, errored=True, applyable=False, complete=False)
    run = _check(cli, estate)
    assert_one_line_error(run, 2, PLAN, "errored: true", "failed `terraform plan`")
    assert run.stdout == ""
    exported = cli(["export", "terraform", str(estate / PLAN), "--region", "us-west-2"])
    assert_one_line_error(exported, 2, PLAN, "errored: true")
    assert exported.stdout == ""


def test_a_plan_with_nothing_to_apply_is_judged(
    tf_estate: Callable[[str], Path], cli: Callable[[list[str]], Run], opa_url: str
) -> None:
    """applyable: false also means "no changes": the planned values are the estate."""
    estate = tf_estate("ready")
    _edit(estate, applyable=False)
    run = _both(cli, estate, opa_url)
    assert run.exit_code == 0, run.stderr
    gaps = run.json()["decisions"][0]["gaps"]
    assert {g["area"] for g in gaps} == {"consumer_groups"}  # out of scope, as without the edit


def test_an_incomplete_plan_vouches_for_nothing(
    tf_estate: Callable[[str], Path], cli: Callable[[list[str]], Run], opa_url: str
) -> None:
    """complete: false without deferred_changes (planned with -target): every area is a gap."""
    estate = tf_estate("ready")
    _edit(estate, complete=False)
    run = _both(cli, estate, opa_url)
    assert run.exit_code == 4, run.stderr
    decision = run.json()["decisions"][0]
    assert decision["verdict"] == "indeterminate"
    incomplete = [g for g in decision["gaps"] if "the plan is incomplete" in g["reason"]]
    for role in ("primary", "secondary"):
        assert {g["area"] for g in incomplete if g["region"] == role} == EXPORTED_AREAS


def test_an_incomplete_faulted_plan_is_never_go(
    tf_estate: Callable[[str], Path], cli: Callable[[list[str]], Run]
) -> None:
    """Every area is a gap, so the faults the plan shows are not judged: indeterminate."""
    estate = tf_estate("faulted")
    _edit(estate, complete=False)
    run = _check(cli, estate)
    assert run.exit_code == 4, run.stderr
    assert run.json()["decisions"][0]["verdict"] == "indeterminate"


def test_deferred_resources_are_gaps_of_their_areas(
    tf_estate: Callable[[str], Path], cli: Callable[[list[str]], Run], opa_url: str
) -> None:
    estate = tf_estate("ready")
    deferred = [
        {
            "reason": "resource_config_unknown",
            "resource_change": {
                "address": "module.usw2.kafka_topic.late",
                "type": "kafka_topic",
                "change": {"actions": ["create"]},
            },
        },
        {
            "reason": "provider_config_unknown",
            "resource_change": {"address": "aws_vpc.other", "type": "aws_vpc", "change": {}},
        },
    ]
    _edit(estate, complete=False, deferred_changes=deferred)
    run = _both(cli, estate, opa_url)
    assert run.exit_code == 4, run.stderr
    gaps = run.json()["decisions"][0]["gaps"]
    reason = (
        "the plan is incomplete: module.usw2.kafka_topic.late was deferred "
        "(resource_config_unknown)"
    )
    assert [(g["region"], g["area"]) for g in gaps if g["reason"] == reason] == [
        ("primary", "topics"),
        ("secondary", "topics"),
    ]
    assert not [g for g in gaps if "aws_vpc.other" in g["reason"]]  # a type nobody reads


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"reason": "x"}, "deferred_changes is not a list"),
        (["nope"], "deferred_changes[0] is not an object"),
        ([{"resource_change": []}], "deferred_changes[0].resource_change is not an object"),
    ],
)
def test_malformed_deferred_changes_are_one_line_errors(
    value: Any,
    fragment: str,
    tf_estate: Callable[[str], Path],
    cli: Callable[[list[str]], Run],
) -> None:
    estate = tf_estate("ready")
    _edit(estate, complete=False, deferred_changes=value)
    assert_one_line_error(_check(cli, estate), 2, PLAN, fragment)
