"""Odd documents never crash an exporter: seeded mutations of the fixtures (values, unknown
markers, expressions, manifest fields replaced by values of the wrong type) either export a
schema-valid snapshot or fail with a CheckerError (one line, exit 2)."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.errors import CheckerError
from checker.exporters import strimzi, terraform
from checker.exporters.strimzi import StrimziSource
from checker.exporters.terraform import TerraformSource

from .conftest import PLAN, STRIMZI, TERRAFORM

WEIRD: list[Any] = [
    None,
    1,
    "x",
    [],
    {},
    [1],
    {"a": 1},
    True,
    -5,
    [None],
    ["x"],
    [{"a": 1}],
    1.5,
    "-1",
    "0.0.0.0/0",
    "true",
    "prefix",
    {"type": "topic"},
]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _mutate(document: Any, paths: list[tuple[Any, ...]], rnd: random.Random) -> Any:
    mutated = copy.deepcopy(document)
    for _ in range(rnd.randint(1, 5)):
        path = rnd.choice(paths)
        parent = mutated
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = copy.deepcopy(rnd.choice(WEIRD))
        except (KeyError, IndexError, TypeError):
            continue
    return mutated


def _small_plan() -> dict[str, Any]:
    plan: dict[str, Any] = json.loads((TERRAFORM / "ready" / PLAN).read_text())
    root = plan["planned_values"]["root_module"]
    kafka = [r for r in root["resources"] if r["type"].startswith("kafka_")]
    root["resources"] = [r for r in root["resources"] if not r["type"].startswith("kafka_")]
    root["resources"] += kafka[:4] + kafka[-4:]
    for module in root["child_modules"]:
        module["resources"] = [r for r in module["resources"] if "secret" not in r["type"]]
    kept = {r["address"] for r in root["resources"]} | {
        r["address"] for m in root["child_modules"] for r in m["resources"]
    }
    plan["resource_changes"] = [c for c in plan["resource_changes"] if c["address"] in kept]
    return plan


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_terraform_plans_never_crash(tmp_path: Path, seed: int) -> None:
    base = _small_plan()
    paths = [p for p in _paths(base) if {"values", "after_unknown", "expressions"} & set(p)]
    rnd = random.Random(seed)
    path = tmp_path / "plan.json"
    exported = 0
    for _ in range(60):
        path.write_text(json.dumps(_mutate(base, paths, rnd)))
        for region in ("us-west-2", "us-east-1"):
            try:
                terraform.export(TerraformSource(path, region, storage_buckets=("payments-*",)))
                exported += 1
            except CheckerError:
                pass
    assert exported > 60  # most mutations still export, with gaps where they must


@pytest.mark.parametrize("seed", [1, 2])
def test_mutated_strimzi_manifests_never_crash(tmp_path: Path, seed: int) -> None:
    source = STRIMZI / "faulted" / "us-west-2"
    files = {p.name: list(yaml.safe_load_all(p.read_text())) for p in source.glob("*.y*ml")}
    files["users.yml"] = files["users.yml"][:4] + files["users.yml"][-1:]
    files["topics.yaml"] = files["topics.yaml"][:4]
    paths = [p for p in _paths(files) if len(p) > 2]
    rnd = random.Random(seed)
    exported = 0
    for index in range(60):
        folder = tmp_path / str(index)
        folder.mkdir()
        for name, documents in _mutate(files, paths, rnd).items():
            (folder / name).write_text(yaml.safe_dump_all(documents))
        try:
            strimzi.export(
                StrimziSource(
                    (folder,), "us-west-2", None, {"use1": "us-east-1", "usw2": "us-west-2"}
                )
            )
            exported += 1
        except CheckerError:
            pass
    assert exported > 30
