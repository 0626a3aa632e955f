"""AWS Glue Schema Registry in a Terraform plan: `aws_glue_registry` and `aws_glue_schema` (as
the terraform-aws-modules MSK module creates them through its `schema_registries` and `schemas`
inputs) become the `schemas` area, so the pre-commit path judges schema parity too.

A plan knows a schema's current definition, not its history or its version UUIDs (AWS mints
them on registration): the snapshot holds the latest version's fingerprint and no version id.
A value known only after apply, or a schema whose registry the plan does not hold, is a gap.
"""

from __future__ import annotations

from typing import Any

from .._shared.schema_text import fingerprint
from .plan import Context, Resource

AREA = "schemas"


def _registry(name: str, resource: Resource) -> dict[str, Any]:
    return {
        "kind": "glue",
        "address": resource.arn or f"{resource.address} ({name})",
        "compatibility": None,
        "mode": None,
        "modes_supported": False,
        "status": None,
        "subjects": {},
    }


def _schema(ctx: Context, schema: Resource) -> dict[str, Any] | None:
    definition = ctx.value(schema, AREA, "schema_definition")
    compatibility = ctx.value(schema, AREA, "compatibility")
    data_format = ctx.value(schema, AREA, "data_format")
    if not isinstance(definition, str):
        return None
    latest = schema.get("latest_schema_version")
    number = latest if isinstance(latest, int) else 1  # UNKNOWN for a new schema
    return {
        "compatibility": None if compatibility is None else str(compatibility),
        "mode": None,
        "data_format": None if data_format is None else str(data_format),
        "status": None,
        "versions": {
            str(number): {
                "fingerprint": fingerprint(definition),
                "version_id": None,
                "schema_type": None if data_format is None else str(data_format),
                "status": None,
            }
        },
    }


def collect(ctx: Context) -> None:
    """The Glue registries and schemas of this region; nothing when the plan has none."""
    registries = ctx.local("aws_glue_registry")
    schemas = ctx.local("aws_glue_schema")
    if not registries and not schemas:
        return
    found: dict[str, dict[str, Any]] = {}
    owners: list[tuple[Resource, str]] = []
    for resource in registries:
        name = ctx.value(resource, AREA, "registry_name")
        if isinstance(name, str):
            found[name] = _registry(name, resource)
            owners.append((resource, name))
    for schema in schemas:
        name = ctx.value(schema, AREA, "schema_name")
        owner = next((n for r, n in owners if ctx.points_at(schema, "registry_arn", r)), None)
        if owner is None:
            ctx.gap(
                AREA, f"{schema.address}: its registry is not an aws_glue_registry of this plan"
            )
            continue
        record = _schema(ctx, schema)
        if isinstance(name, str) and record is not None:
            found[owner]["subjects"][name] = record
    if AREA not in ctx.tainted:
        ctx.snapshot[AREA] = {"registries": dict(sorted(found.items()))}
