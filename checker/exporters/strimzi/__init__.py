"""Strimzi exporter: one region's Kafka estate from its Strimzi custom resources, no cluster access.

    export(StrimziSource(paths, region, cluster, mm2_regions, captured_at), messages) -> snapshot

from `failback export strimzi` (checker/cli/export.py) or, in failback.yaml,
`regions.<role>.source: {type: strimzi, paths: [dir, ...], cluster: NAME,
mm2_regions: {ALIAS: REGION}}` (`from_plan`; paths relative to failback.yaml).

PATHs are manifest files or directories (walked for *.yaml / *.yml, multi-document, `kind: List`);
kinds other than Kafka, KafkaTopic, KafkaUser and KafkaMirrorMaker2 (kafka.strimzi.io v1beta2 or
v1) are ignored. A Strimzi resource of another API version is a gap for its area, not a guess.
Consumer groups (runtime) and broker audit logs (the pods' stdout) are always gaps: declare them
out of scope in the plan when you judge from manifests. Secrets (KafkaUser passwords, Secret
resources, SASL configuration) are never read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ... import schemas
from ...errors import InputError
from .._shared.paths import display_path
from .._shared.snapshot import Gaps, finish, skeleton

if TYPE_CHECKING:
    from .manifests import Manifests, Resource

AREA_OF_KIND = {
    "Kafka": "cluster",
    "KafkaTopic": "topics",
    "KafkaUser": "acls",
    "KafkaMirrorMaker2": "replication",
    "KafkaConnector": "replication",
}
DROPPABLE = (
    "topics",
    "acls",
    "quotas",
    "authentication",
    "encryption",
    "network",
    "broker_config",
    "replication",
)


@dataclass(frozen=True)
class StrimziSource:
    """Which manifests to read, and for which region and Kafka resource."""

    paths: tuple[Path, ...]  # manifest files or directories
    region: str
    cluster: str | None = None  # the Kafka resource's name, when the paths hold several
    mm2_regions: Mapping[str, str] = field(default_factory=dict)  # MM2 alias -> region
    captured_at: str | None = None  # default: now


def export(config: StrimziSource, messages: TextIO | None = None) -> dict[str, Any]:
    """A validated snapshot v1 document for one region. The warnings met on the way (skipped
    files, unreadable flows) are in its source.detail and go to `messages`, one line each."""
    snapshot, warnings = _export(config)
    if messages is not None:
        for warning in warnings:
            messages.write(f"failback: warning: {warning}\n")
            messages.flush()
    return snapshot


def _export(config: StrimziSource) -> tuple[dict[str, Any], list[str]]:
    from . import manifests, mm2, resources

    paths, region, cluster = config.paths, config.region, config.cluster
    if not paths:
        raise InputError("give at least one Strimzi manifest file or directory")
    found = manifests.load(paths)
    shown = ", ".join(display_path(p) for p in paths)
    kafka = _kafka(found, cluster, shown)
    snapshot = skeleton(
        region,
        "strimzi",
        f"failback export strimzi: Kafka {kafka.name}",
        {"id": "?", "name": kafka.name, "kind": "strimzi"},
        config.captured_at,
    )
    # where reports point: the one path given, or the directory that holds them all
    common = (
        paths[0]
        if len(paths) == 1
        else Path(os.path.commonpath([os.path.abspath(p) for p in paths]))
    )
    snapshot["source"]["file"] = display_path(common)[:4096]
    gaps = Gaps(snapshot)
    for resource in found.unsupported:
        area = AREA_OF_KIND[resource.kind]
        if area != "cluster":
            gaps.add(
                area,
                f"{resource.ref} has apiVersion {resource.api_version}, which this "
                "exporter does not read (kafka.strimzi.io/v1beta2 or v1)",
            )
    resources.kafka(snapshot, kafka, gaps)

    def mine(kind: str) -> list[manifests.Resource]:
        return [r for r in found.of_kind(kind) if r.labels.get("strimzi.io/cluster") == kafka.name]

    resources.topics(snapshot, mine("KafkaTopic"), gaps)
    resources.users(snapshot, mine("KafkaUser"), gaps)
    mirrors = found.of_kind("KafkaMirrorMaker2")
    regions = dict(config.mm2_regions)
    unknown = sorted(set(regions) - mm2.aliases(mirrors))
    if unknown:
        raise InputError(
            f"--mm2-region names alias {unknown[0]!r}, which no KafkaMirrorMaker2 "
            f"under {shown} uses"
        )
    warnings = list(found.warnings)
    flows = [f for r in mirrors for f in mm2.flows(r, regions, gaps, warnings)]
    mm2.connector_gaps(found.of_kind("KafkaConnector"), gaps)
    snapshot["replication"] = sorted(flows, key=lambda f: (f["name"], f["source_region"]))
    snapshot["iam_grants"] = []
    snapshot["storage"] = []
    gaps.add("consumer_groups", "Strimzi resources do not describe consumer groups (runtime state)")
    gaps.add(
        "audit",
        "Strimzi brokers log to the pods' stdout: retention is the log "
        "pipeline's, not the Kafka resource's",
    )
    if warnings:
        snapshot["source"]["detail"] += "; warnings: " + "; ".join(warnings)
        snapshot["source"]["detail"] = snapshot["source"]["detail"][:4096]
    gaps.drop(DROPPABLE)
    return finish(snapshot, f"strimzi export of {shown}"), warnings


def _kafka(found: Manifests, cluster: str | None, shown: str) -> Resource:
    clusters = found.of_kind("Kafka")
    if cluster:
        match = [k for k in clusters if k.name == cluster]
        if match:
            return match[0]
        raise InputError(
            f"no Kafka resource named {cluster} under {shown} (found: "
            f"{', '.join(k.name for k in clusters) or 'none'})"
        )
    if len(clusters) == 1:
        return clusters[0]
    if clusters:
        names = ", ".join(sorted(k.name for k in clusters))
        raise InputError(
            f"{len(clusters)} Kafka resources under {shown} ({names}): choose one with --cluster"
        )
    other = [r.ref + f" is {r.api_version}" for r in found.unsupported if r.kind == "Kafka"]
    hint = f"; {'; '.join(other)}, which this exporter does not read" if other else ""
    raise InputError(
        f"no Kafka resource (kafka.strimzi.io/v1beta2 or v1) under {shown} "
        f"({found.files} manifest files read){hint}"
    )


def from_plan(source: Mapping[str, Any], region: str, base_dir: Path) -> StrimziSource:
    """The export a failback.yaml `source: {type: strimzi, paths: [...]}` declares for `region`
    (its keys checked against the plan schema's strimzi_source)."""
    schemas.validate_part(source, f"strimzi source of {region}", "plan", "strimzi_source")
    raw = source.get("paths", source.get("path"))
    paths = [raw] if isinstance(raw, str) else list(raw)
    captured = source.get("captured_at")
    return StrimziSource(
        paths=tuple(base_dir / str(p) for p in paths),
        region=region,
        cluster=source.get("cluster"),
        mm2_regions={str(k): str(v) for k, v in source.get("mm2_regions", {}).items()},
        captured_at=None if captured is None else str(captured),
    )
