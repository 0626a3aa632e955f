"""`failback export terraform`: aws_glue_registry / aws_glue_schema become the schemas area,
and `failback check` judges schema parity on the pre-commit path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from ..conftest import run_cli
from .conftest import NOW, PLAN, export

AVRO = json.dumps(
    {"type": "record", "name": "Payment", "fields": [{"name": "id", "type": "string"}]}
)


def glue_resources(module: str, region: str, compatibility: str) -> list[dict[str, Any]]:
    registry_arn = f"arn:aws:glue:{region}:111122223333:registry/payments"
    return [
        {
            "address": f"{module}.aws_glue_registry.this",
            "mode": "managed",
            "type": "aws_glue_registry",
            "name": "this",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": {"registry_name": "payments", "arn": registry_arn},
        },
        {
            "address": f"{module}.aws_glue_schema.this",
            "mode": "managed",
            "type": "aws_glue_schema",
            "name": "this",
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "values": {
                "arn": f"{registry_arn.replace(':registry/', ':schema/')}/payments.events",
                "schema_name": "payments.events",
                "registry_arn": registry_arn,
                "data_format": "AVRO",
                "compatibility": compatibility,
                "schema_definition": AVRO,
            },
        },
    ]


def add_glue(path: Path, compatibility: dict[str, str]) -> None:
    document = json.loads(path.read_text())
    modules = document["planned_values"]["root_module"]["child_modules"]
    for module in modules:
        region = "us-east-1" if module["address"] == "module.use1" else "us-west-2"
        added = glue_resources(module["address"], region, compatibility[region])
        module["resources"].extend(added)
        document["resource_changes"].extend(
            {
                "address": r["address"],
                "module_address": module["address"],
                "mode": "managed",
                "type": r["type"],
                "name": r["name"],
                "provider_name": r["provider_name"],
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": r["values"],
                    "after_unknown": {"latest_schema_version": True}
                    if r["type"] == "aws_glue_schema"
                    else {},
                },
            }
            for r in added
        )
    path.write_text(json.dumps(document))


def test_glue_resources_become_the_schemas_area(tf_estate) -> None:  # type: ignore[no-untyped-def]
    estate = tf_estate("ready")
    add_glue(estate / PLAN, {"us-east-1": "BACKWARD", "us-west-2": "FULL"})
    snapshot = export("terraform", str(estate / PLAN), "--region", "us-west-2")
    assert [g for g in snapshot["gaps"] if g["area"] == "schemas"] == []
    [(name, registry)] = snapshot["schemas"]["registries"].items()
    assert name == "payments"
    assert registry["address"] == "arn:aws:glue:us-west-2:111122223333:registry/payments"
    subject = registry["subjects"]["payments.events"]
    assert subject["compatibility"] == "FULL"
    [(number, version)] = subject["versions"].items()
    assert number == "1"  # a new schema: its first version
    assert version["version_id"] is None  # AWS mints it on registration
    assert version["fingerprint"].startswith("sha256:")


def test_a_plan_without_glue_has_no_schemas_area() -> None:
    from .conftest import TERRAFORM

    snapshot = export("terraform", str(TERRAFORM / "ready" / PLAN), "--region", "us-west-2")
    assert "schemas" not in snapshot


def test_glue_parity_on_the_pre_commit_path(tf_estate) -> None:  # type: ignore[no-untyped-def]
    estate = tf_estate("ready")
    add_glue(estate / PLAN, {"us-east-1": "BACKWARD", "us-west-2": "FULL"})
    plan = yaml.safe_load((estate / "failback.yaml").read_text())
    family = next(f for f in plan["topic_families"] if f["name"] == "payments-core")
    family["schemas"] = {"kind": "glue", "registry": "payments", "subjects": ["payments.events"]}
    (estate / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    run = run_cli(["check", "-c", str(estate / "failback.yaml"), "--now", NOW, "--format", "json"])
    decision = run.json()["decisions"][0]
    found = {
        (f["rule_id"], f["resource"]) for f in decision["findings"] if f["rule_id"][:3] == "SR-"
    }
    # version UUIDs exist only after apply, and each region's registry mints its own
    assert found == {
        ("SR-003", "payments-core|payments.events"),
        ("SR-004", "payments-core|payments.events"),
    }
    assert run.exit_code == 1
