"""Strimzi exporter: one region's Kafka estate from its Strimzi custom resources, no cluster access.

    export(StrimziSource(paths, region, cluster, mm2_regions, captured_at), messages) -> snapshot

from `failback export strimzi` (checker/cli/export.py) or, in failback.yaml,
`regions.<role>.source: {type: strimzi, paths: [dir, ...], cluster: NAME,
mm2_regions: {ALIAS: REGION}}` (`from_plan`; paths relative to failback.yaml).

PATHs are manifest files or directories (walked for *.yaml / *.yml, multi-document, `kind: List`);
kinds other than Kafka, KafkaNodePool, KafkaTopic, KafkaUser, KafkaMirrorMaker2, KafkaConnect and
KafkaConnector (kafka.strimzi.io v1beta2 or v1; KafkaUser also v1beta1) are ignored, but for
KafkaMirrorMaker (MirrorMaker 1), a replication gap when it may write into the chosen Kafka. A
Strimzi resource of another API version is a gap for every area it feeds, not a guess.
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
from .._shared.snapshot import Gaps, finish, skeleton

if TYPE_CHECKING:
    from .manifests import Manifests, Resource

# The snapshot areas each kind feeds (KafkaUser: its ACLs, quotas and SCRAM users).
AREAS_OF_KIND: Mapping[str, tuple[str, ...]] = {
    "Kafka": (),  # the Kafka itself must be read: another version is an error
    "KafkaNodePool": (),  # replicas, roles and storage: nothing the snapshot records
    "KafkaTopic": ("topics",),
    "KafkaMirrorMaker2": ("replication",),
    "KafkaMirrorMaker": ("replication",),
    "KafkaConnect": ("replication",),
    "KafkaConnector": ("replication",),
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
    # failback.yaml's name for this source when it comes from the plan, e.g. "the plan's
    # strimzi source of us-west-2": its errors name the plan key, and its mm2_regions map may
    # name aliases only the other region uses (one map for both regions)
    plan_source: str | None = None

    def where(self, key: str, option: str) -> str:
        """How an error names a setting: the plan key, or the command-line option."""
        if self.plan_source is None:
            return option
        return f"{key} of {self.plan_source}"


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

    paths, region = config.paths, config.region
    if not paths:
        raise InputError("give at least one Strimzi manifest file or directory")
    try:
        found = manifests.load(paths)
    except InputError as exc:
        if config.plan_source is None:
            raise
        raise InputError(f"{exc.one_line()} ({config.where('paths', '')})") from None
    shown = ", ".join(manifests.shown_path(p) for p in paths)
    kafka = _kafka(found, config, shown)
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
    snapshot["source"]["file"] = manifests.shown_path(common)[:4096]
    gaps = Gaps(snapshot)

    def mine(items: list[Resource]) -> list[Resource]:
        return [r for r in items if r.labels.get("strimzi.io/cluster") == kafka.name]

    for resource in found.unsupported:
        labelled = resource.labels.get("strimzi.io/cluster")
        if resource.kind in ("KafkaTopic", "KafkaUser") and labelled != kafka.name:
            continue  # another Kafka's
        if resource.kind == "KafkaUser":
            resources.unread_users([resource], gaps)
            continue
        for area in AREAS_OF_KIND[resource.kind]:
            gaps.add(
                area,
                f"{resource.ref} has apiVersion {resource.api_version}, which this "
                "exporter does not read (kafka.strimzi.io/v1beta2 or v1)",
            )
    resources.kafka(snapshot, kafka, gaps)
    resources.topics(snapshot, mine(found.of_kind("KafkaTopic")), gaps)
    resources.users(snapshot, mine(found.of_kind("KafkaUser")), gaps)
    mirrors = found.of_kind("KafkaMirrorMaker2")
    connectors = [r for r in found.of_kind("KafkaConnector") if mm2.mirror_connector(r)]
    regions = dict(config.mm2_regions)
    unknown = sorted(set(regions) - mm2.aliases(mirrors, connectors))
    if unknown and config.plan_source is None:
        # on the command line the map is this region's own; in the plan one map may serve
        # both regions, so an alias only the other region's mirrors use is fine
        raise InputError(
            f"--mm2-region names alias {unknown[0]!r}, which no KafkaMirrorMaker2 "
            f"or MirrorMaker KafkaConnector under {shown} uses"
        )
    warnings = list(found.warnings)
    target = mm2.Target(kafka.name, kafka.namespace, region, regions)
    snapshot["replication"] = mm2.flows(
        mirrors, connectors, found.of_kind("KafkaConnect"), target, gaps, warnings
    )
    mm2.mirrormaker1_gaps(found.of_kind("KafkaMirrorMaker"), target, gaps)
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


def _kafka(found: Manifests, config: StrimziSource, shown: str) -> Resource:
    clusters = found.of_kind("Kafka")
    cluster = config.cluster
    if cluster:
        match = [k for k in clusters if k.name == cluster]
        if len(match) > 1:
            raise InputError(
                f"{match[0].ref} and {match[1].ref} both define Kafka {cluster}: keep one of "
                "the two files (e.g. one overlay's paths)"
            )
        if match:
            return match[0]
        raise InputError(
            f"no Kafka resource named {cluster} under {shown} (found: "
            f"{', '.join(sorted(k.name for k in clusters)) or 'none'}): check "
            f"{config.where('cluster', '--cluster')}"
        )
    if len(clusters) == 1:
        return clusters[0]
    if clusters:
        names = ", ".join(sorted(k.name for k in clusters))
        raise InputError(
            f"{len(clusters)} Kafka resources under {shown} ({names}): choose one with "
            f"{config.where('cluster', '--cluster')}"
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
        plan_source=f"the plan's strimzi source of {region}",
    )
