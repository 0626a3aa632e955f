"""AWS Glue Schema Registry through the aws exporter, against moto in server mode (ListSchemas,
which moto lacks, answered from moto's own state), and judged by `failback check`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.exporters import aws
from checker.exporters.aws import AwsSource

from ..conftest import NOW
from . import estate
from .conftest import ACCOUNT, World
from .estate import PRIMARY, SECONDARY

REGISTRY = "orders-registry"
SCHEMA = "orders.events"


def avro(*fields: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Order",
            "fields": [{"name": f, "type": "string"} for f in fields],
        }
    )


def seed(world: World, region: str, compatibility: str = "BACKWARD") -> list[str]:
    """A registry with one schema of two versions; returns the version ids."""
    glue = world.client("glue", region)
    glue.create_registry(RegistryName=REGISTRY)
    first = glue.create_schema(
        RegistryId={"RegistryName": REGISTRY},
        SchemaName=SCHEMA,
        DataFormat="AVRO",
        Compatibility=compatibility,
        SchemaDefinition=avro("id"),
    )
    second = glue.register_schema_version(
        SchemaId={"RegistryName": REGISTRY, "SchemaName": SCHEMA},
        SchemaDefinition=avro("id", "note"),
    )
    return [first["SchemaVersionId"], second["SchemaVersionId"]]


def export(world: World, region: estate.Region, **settings: Any) -> dict[str, Any]:
    options = AwsSource(
        region=region.name, cluster_arn=region.cluster_arn, endpoint_url=world.url, **settings
    )
    return aws.export(options, None)


def test_glue_registries_schemas_and_version_ids(world: World) -> None:
    regions = estate.build(world)
    ids = seed(world, PRIMARY)
    snap = export(world, regions[PRIMARY], glue_registries=(REGISTRY,))
    assert [g for g in snap["gaps"] if g["area"] == "schemas"] == []
    [(name, registry)] = snap["schemas"]["registries"].items()
    assert name == REGISTRY
    assert registry["kind"] == "glue"
    assert registry["address"] == f"arn:aws:glue:{PRIMARY}:{ACCOUNT}:registry/{REGISTRY}"
    assert registry["modes_supported"] is False
    subject = registry["subjects"][SCHEMA]
    assert (subject["compatibility"], subject["data_format"]) == ("BACKWARD", "AVRO")
    assert [v["version_id"] for v in subject["versions"].values()] == ids
    assert list(subject["versions"]) == ["1", "2"]
    assert all(v["fingerprint"].startswith("sha256:") for v in subject["versions"].values())
    assert avro("id") not in json.dumps(snap)  # fingerprints, never the schema text


def test_glue_is_read_only_when_asked(world: World) -> None:
    regions = estate.build(world)
    seed(world, PRIMARY)
    snap = export(world, regions[PRIMARY])
    assert "schemas" not in snap
    assert not {op for prefix, op in world.operations if prefix == "glue"}


def test_every_registry_with_a_star(world: World) -> None:
    regions = estate.build(world)
    seed(world, PRIMARY)
    snap = export(world, regions[PRIMARY], glue_registries=("*",))
    assert list(snap["schemas"]["registries"]) == [REGISTRY]


def test_a_refused_glue_call_is_a_gap(world: World) -> None:
    regions = estate.build(world)
    seed(world, PRIMARY)
    world.fail(PRIMARY, "glue", "ListSchemas", "AccessDeniedException")
    snap = export(world, regions[PRIMARY], glue_registries=(REGISTRY,))
    assert "schemas" not in snap
    assert [g for g in snap["gaps"] if g["area"] == "schemas"] == [
        {"area": "schemas", "reason": "AccessDeniedException", "call": "glue:ListSchemas"}
    ]


def plan(version_ids: str) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "name": "glue",
        "current_phase": "normal",
        "regions": {
            "primary": {"name": PRIMARY, "snapshot": f"{PRIMARY}.json"},
            "secondary": {"name": SECONDARY, "snapshot": f"{SECONDARY}.json"},
        },
        "topic_families": [
            {
                "name": "orders",
                "match": ["orders.*"],
                "phases": {"normal": {"writer": "primary", "consumer": "primary"}},
                "schemas": {"kind": "glue", "registry": REGISTRY, "version_ids": version_ids},
            }
        ],
    }


@pytest.mark.parametrize(
    ("version_ids", "expected"),
    [
        # two regional registries mint their own version UUIDs, and FULL is not BACKWARD
        ("must-match", {("SR-003", "orders|orders.events"), ("SR-004", "orders|orders.events")}),
        ("reserialized", {("SR-004", "orders|orders.events")}),
    ],
)
def test_glue_parity_is_judged(
    world: World, cli: Any, tmp_path: Path, version_ids: str, expected: set[tuple[str, str]]
) -> None:
    regions = estate.build(world)
    seed(world, PRIMARY)
    seed(world, SECONDARY, compatibility="FULL")
    for name, region in regions.items():
        snap = export(world, region, glue_registries=(REGISTRY,), captured_at=NOW)
        snap["topics"] = {SCHEMA: {"partitions": 3, "replication_factor": 3, "configs": {}}}
        (tmp_path / f"{name}.json").write_text(json.dumps(snap))
    (tmp_path / "failback.yaml").write_text(yaml.safe_dump(plan(version_ids)))
    run = cli(["check", "-c", str(tmp_path / "failback.yaml"), "--format", "json", "--now", NOW])
    [decision] = json.loads(run.stdout)["decisions"]
    found = {
        (f["rule_id"], f["resource"]) for f in decision["findings"] if f["rule_id"][:3] == "SR-"
    }
    assert found == expected
    assert run.exit_code == 1
