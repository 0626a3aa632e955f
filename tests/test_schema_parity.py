"""The schemas area on the shipped estate: evidence that is missing or unreadable is a gap that
makes the verdict indeterminate, never a pass; a plan without registry use does not ask for it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .conftest import NOW, run_cli


def check(directory: Path) -> tuple[dict[str, Any], int]:
    run = run_cli(
        ["check", "-c", str(directory / "failback.yaml"), "--now", NOW, "--format", "json"]
    )
    [decision] = run.json()["decisions"]
    return decision, run.exit_code


def edit(path: Path, change: Any) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def gaps(decision: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(g["region"], g["area"], g["reason"]) for g in decision["gaps"]]


def test_an_unreadable_registry_is_indeterminate(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("faulted")

    def unreadable(document: dict[str, Any]) -> None:
        del document["schemas"]
        document["gaps"] = [
            {"area": "schemas", "reason": "HTTP 503 (error code 50003)", "call": "GET /subjects"}
        ]

    edit(directory / "us-west-2.json", unreadable)
    decision, code = check(directory)
    assert gaps(decision) == [("secondary", "schemas", "HTTP 503 (error code 50003)")]
    # the SR rules are not judged on half the evidence, and the gap is an EVD-001 finding
    assert not [f for f in decision["findings"] if f["rule_id"].startswith("SR-")]
    assert ("EVD-001", "secondary/schemas") in {
        (f["rule_id"], f["resource"]) for f in decision["findings"]
    }
    assert code == 1  # the other seeded faults still block


def test_a_registry_the_family_names_but_the_snapshot_lacks(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("ready")
    plan = yaml.safe_load((directory / "failback.yaml").read_text())
    family = next(f for f in plan["topic_families"] if f["name"] == "payments-core")
    family["schemas"]["registry"] = "payments-sr"
    (directory / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    decision, code = check(directory)
    reason = "no confluent schema registry 'payments-sr' in the snapshot (family payments-core)"
    assert gaps(decision) == [("primary", "schemas", reason), ("secondary", "schemas", reason)]
    assert decision["verdict"] == "indeterminate"
    assert code == 4


def test_an_empty_registry_is_no_pass(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("ready")

    def empty(document: dict[str, Any]) -> None:
        document["schemas"]["registries"]["default"]["subjects"] = {}

    edit(directory / "us-west-2.json", empty)
    decision, code = check(directory)
    missing = {f["resource"] for f in decision["findings"] if f["rule_id"] == "SR-001"}
    assert len(missing) == 12  # every subject of payments-core
    assert code == 1


def test_no_registry_use_needs_no_schemas_area(estate) -> None:  # type: ignore[no-untyped-def]
    directory = estate("ready")
    plan = yaml.safe_load((directory / "failback.yaml").read_text())
    for family in plan["topic_families"]:
        family.pop("schemas", None)
    (directory / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    for region in ("us-east-1", "us-west-2"):
        edit(directory / f"{region}.json", lambda document: document.pop("schemas"))
    decision, code = check(directory)
    assert decision["gaps"] == [] and decision["findings"] == []
    assert code == 0
