"""Infra-repo sources: Terraform plans and Strimzi manifests of the fixture estate."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ROOT, run_cli

TERRAFORM = ROOT / "fixtures" / "terraform"
STRIMZI = ROOT / "fixtures" / "strimzi"
PLAN = "payments.tfplan.json"
NOW = "2026-11-29T00:00:00Z"
MM2 = ["--mm2-region", "use1=us-east-1", "--mm2-region", "usw2=us-west-2"]
SECRET_MARK = "fixture-secret"  # every secret the fixtures hold contains it


def export(*args: str) -> dict[str, Any]:
    run = run_cli(["export", *args])
    assert run.exit_code == 0, run.stderr
    document: dict[str, Any] = json.loads(run.stdout)
    return document


def plan_resources(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every resource object of planned_values and every resource_changes[].change.after."""
    stack = [document["planned_values"]["root_module"]]
    while stack:
        module = stack.pop()
        yield from module.get("resources", [])
        stack.extend(module.get("child_modules", []))


def edit_plan(
    path: Path,
    address: str,
    edit: Callable[[dict[str, Any]], None],
    unknown: dict[str, Any] | None = None,
) -> None:
    """Apply `edit` to a resource's planned values and change.after; merge after_unknown."""
    document = json.loads(path.read_text())
    found = [r for r in plan_resources(document) if r["address"] == address]
    assert found, address
    edit(found[0]["values"])
    for change in document["resource_changes"]:
        if change["address"] == address:
            edit(change["change"]["after"])
            if unknown is not None:
                change["change"]["after_unknown"] = {**change["change"]["after_unknown"], **unknown}
    path.write_text(json.dumps(document))


@pytest.fixture
def tf_estate(tmp_path: Path) -> Callable[[str], Path]:
    """A copy of a Terraform fixture variant (failback.yaml + plan) a test may change."""

    def copy(variant: str) -> Path:
        target = tmp_path / f"tf-{variant}"
        shutil.copytree(TERRAFORM / variant, target)
        return target

    return copy


@pytest.fixture
def k8s_estate(tmp_path: Path) -> Callable[[str], Path]:
    """A copy of a Strimzi fixture variant (failback.yaml + a directory per region)."""

    def copy(variant: str) -> Path:
        target = tmp_path / f"k8s-{variant}"
        shutil.copytree(STRIMZI / variant, target)
        return target

    return copy
