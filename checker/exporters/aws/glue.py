"""AWS Glue Schema Registry collector: the registries a region's clients use, their schemas and
every schema version with its version id (the UUID records written by the Glue serializers
carry), data format, compatibility mode and status. Schema texts become fingerprints.

Read only when the source names registries (`glue_registries`, `*` for all); any failed call
is a gap in the `schemas` area and the area is left out, never half-read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._shared.schema_text import fingerprint
from .client import Absent, Reader

AREA = "schemas"
GONE = {"EntityNotFoundException"}  # a version deleted since the schema was read


def _pages(
    reader: Reader, action: str, operation: str, key: str, **params: Any
) -> list[Any] | None:
    paginator = reader.glue().get_paginator(operation)

    def every() -> list[Any]:
        return [item for page in paginator.paginate(**params) for item in page.get(key, [])]

    return reader.call(AREA, action, every)


def _versions(reader: Reader, arn: str, latest: int) -> dict[str, Any] | None:
    versions: dict[str, Any] = {}
    for number in range(1, latest + 1):
        answer = reader.lookup(
            AREA,
            "glue:GetSchemaVersion",
            reader.glue().get_schema_version,
            absent=GONE,
            SchemaId={"SchemaArn": arn},
            SchemaVersionNumber={"VersionNumber": number},
        )
        if answer is None:
            return None
        if isinstance(answer, Absent):
            continue
        text = answer.get("SchemaDefinition")
        versions[str(number)] = {
            "fingerprint": fingerprint(text) if isinstance(text, str) else None,
            "version_id": answer.get("SchemaVersionId"),
            "schema_type": answer.get("DataFormat"),
            "status": answer.get("Status"),
        }
    return versions


def _registry(reader: Reader, name: str) -> dict[str, Any] | None:
    registry = reader.call(
        AREA, "glue:GetRegistry", reader.glue().get_registry, RegistryId={"RegistryName": name}
    )
    if registry is None:
        return None
    listed = _pages(
        reader, "glue:ListSchemas", "list_schemas", "Schemas", RegistryId={"RegistryName": name}
    )
    if listed is None:
        return None
    subjects: dict[str, Any] = {}
    for item in sorted(listed, key=lambda s: str(s["SchemaName"])):
        schema = reader.call(
            AREA,
            "glue:GetSchema",
            reader.glue().get_schema,
            SchemaId={"SchemaArn": item["SchemaArn"]},
        )
        if schema is None:
            return None
        versions = _versions(reader, item["SchemaArn"], int(schema.get("LatestSchemaVersion", 0)))
        if versions is None:
            return None
        subjects[str(schema["SchemaName"])] = {
            "compatibility": schema.get("Compatibility"),
            "mode": None,
            "data_format": schema.get("DataFormat"),
            "status": schema.get("SchemaStatus"),
            "versions": versions,
        }
    return {
        "kind": "glue",
        "address": str(registry.get("RegistryArn", name)),
        "compatibility": None,
        "mode": None,
        "modes_supported": False,
        "status": registry.get("Status"),
        "subjects": subjects,
    }


def collect(reader: Reader, names: Sequence[str]) -> None:
    if not names:
        return
    wanted = sorted(set(names))
    if "*" in wanted:
        listed = _pages(reader, "glue:ListRegistries", "list_registries", "Registries")
        if listed is None:
            return
        wanted = sorted({str(r["RegistryName"]) for r in listed} | (set(wanted) - {"*"}))
    registries: dict[str, Any] = {}
    for name in wanted:
        record = _registry(reader, name)
        if record is None:
            return  # the gap names the call; a half-read area is not evidence
        registries[name] = record
    reader.snapshot["schemas"] = {"registries": registries}
