"""A fleet in a temporary repository: copies of the fixture estates, one pair each."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ESTATE, NOW, Run, run_cli

Fleet = Callable[..., Path]


def write_fleet(root: Path, plans: Sequence[str] = ("*/failback.yaml",), **extra: Any) -> Path:
    document = {"schema_version": "1.0", "name": "demo", "plans": list(plans), **extra}
    path = root / "fleet.yaml"
    path.write_text(json.dumps(document), encoding="utf-8")  # JSON is YAML
    return path


@pytest.fixture
def fleet_repo(tmp_path: Path) -> Fleet:
    """A repository (a .git marker) holding the named estates (copies of fixtures/estate/<v>,
    in directories named as given, e.g. "ready" or "team-a=ready"), and its fleet.yaml."""

    def make(*pairs: str, plans: Sequence[str] = ("*/failback.yaml",), **extra: Any) -> Path:
        root = tmp_path / "repo"
        (root / ".git").mkdir(parents=True, exist_ok=True)
        for spec in pairs:
            name, _, variant = spec.partition("=")
            shutil.copytree(ESTATE / (variant or name), root / name)
        return write_fleet(root, plans, **extra)

    return make


def fleet_cli(config: Path, *extra: str) -> Run:
    return run_cli(["fleet", "-c", str(config), "--now", NOW, *extra])


def fleet_json(config: Path, *extra: str) -> tuple[Run, dict[str, Any]]:
    run = fleet_cli(config, "--format", "json", *extra)
    return run, json.loads(run.stdout)
