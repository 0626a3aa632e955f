"""Live AWS exporter: one region's MSK cluster and its surroundings, read-only and fail-closed.

    export(AwsSource(region, cluster_arn, ...), messages) -> snapshot document

from `failback export aws` (checker/cli/export.py) or, in failback.yaml,
`regions.<role>.source: {type: aws, cluster_arn: ..., ...}` (`from_plan`).

One small collector per service (msk, topics, replication, ec2, kms, audit, iam, s3, glue, and
with `runtime` the CloudWatch metrics of metrics.py) fills the snapshot; judgement stays in Rego.
An AWS error on any call becomes a snapshot gap (area, IAM action, error code); only an
unreachable endpoint or rejected credentials fail the export
(InputError, exit 2). The IAM actions it needs are in readonly_policy.json. boto3 is imported
only when an export runs (client.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ... import schemas
from .._shared.snapshot import RUNTIME_SCHEMA_VERSION, finish, skeleton

if TYPE_CHECKING:
    from .client import Reader
    from .msk import Cluster

POLICY_FILE = Path(__file__).with_name("readonly_policy.json")


@dataclass(frozen=True)
class AwsSource:
    """What one export reads and how it connects."""

    region: str
    cluster_arn: str
    profile: str | None = None
    role_arn: str | None = None
    endpoint_url: str | None = None
    storage_buckets: tuple[str, ...] = ()
    glue_registries: tuple[str, ...] = ()  # Glue Schema Registry names; "*": every registry
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_attempts: int = 8
    captured_at: str | None = None
    quiet: bool = False  # no progress lines
    runtime: bool = False  # CloudWatch runtime metrics (runtime.metrics), see metrics.py
    metrics_window: int = 600  # seconds of CloudWatch history the runtime metrics look at


def export(config: AwsSource, messages: TextIO | None = None) -> dict[str, Any]:
    """Read one region and return a validated snapshot v1 document; progress goes to
    `messages` (none when it is None or the config is quiet)."""
    from . import callstats, msk

    cluster = msk.parse_cluster_arn(config.cluster_arn, config.region)
    with callstats.exporting(cluster.arn):
        return _export(config, cluster, messages)


def _export(config: AwsSource, cluster: Cluster, messages: TextIO | None) -> dict[str, Any]:
    from . import client

    snapshot = skeleton(
        config.region,
        "aws",
        f"failback export aws: {config.cluster_arn}",
        {"id": cluster.arn, "name": cluster.name, "kind": "msk"},
        config.captured_at,
    )
    progress = client.Progress(f"aws {config.region}", messages, quiet=config.quiet)
    try:
        reader = client.Reader(config, client.open_session(config), snapshot, progress)
        _collect(reader, cluster, config)
    except BaseException:
        progress.clear()
        raise
    progress.done(len(snapshot["gaps"]))
    return finish(snapshot, f"aws export of {config.cluster_arn}")


def sample_runtime(config: AwsSource) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """One CloudWatch runtime sample of the region (for repeated sampling, `failback watch`):
    (the `runtime` area with its metrics, its gaps). Lists the region's replicators
    (kafka:ListReplicators, kafka:DescribeReplicator) to know whose metrics to read; every
    failed call is a gap of area `runtime`. Raises InputError only as `export` does."""
    from . import callstats, client, metrics, msk, replication

    cluster = msk.parse_cluster_arn(config.cluster_arn, config.region)
    snapshot = skeleton(
        config.region,
        "aws",
        "runtime sample",
        {"id": cluster.arn, "name": cluster.name, "kind": "msk"},
    )
    progress = client.Progress(f"aws {config.region}", None, quiet=True)
    with callstats.exporting(cluster.arn):
        reader = client.Reader(config, client.open_session(config), snapshot, progress)
        replication.collect(reader, cluster)
        metrics.collect(reader, cluster, config.metrics_window)
    gaps = [
        {"area": "runtime", "reason": g["reason"], "call": g.get("call", "")}
        for g in snapshot["gaps"]
    ]
    return dict(snapshot["runtime"]), gaps


def _collect(reader: Reader, cluster: Cluster, config: AwsSource) -> None:
    from . import audit, ec2, glue, iam, kms, msk, replication, s3, topics

    snapshot = reader.snapshot
    cluster = msk.describe(reader, cluster)
    if cluster.described:
        msk.extras(reader, cluster)
        kms.collect(reader, cluster)
        ec2.collect(reader, cluster)
        audit.broker_logs(reader)
        audit.trail(reader)
    grants = iam.cluster_policy(reader, cluster) + iam.collect(reader, cluster)
    unique = {json.dumps(g, sort_keys=True): g for g in grants}
    snapshot["iam_grants"] = [unique[k] for k in sorted(unique)]
    replication.collect(reader, cluster)
    if cluster.described:
        topics.collect(reader, cluster)
    s3.collect(reader, config.storage_buckets)
    glue.collect(reader, config.glue_registries)
    if config.runtime:
        from . import metrics

        snapshot["schema_version"] = RUNTIME_SCHEMA_VERSION
        metrics.collect(reader, cluster, config.metrics_window)


def from_plan(source: Mapping[str, Any], region: str, base_dir: Path) -> AwsSource:
    """The export a failback.yaml `source: {type: aws, ...}` declares for `region` (its keys
    checked against the plan schema's aws_source)."""
    schemas.validate_part(source, f"aws source of {region}", "plan", "aws_source")
    return AwsSource(
        region=region,
        cluster_arn=str(source["cluster_arn"]),
        profile=source.get("profile"),
        role_arn=source.get("role_arn"),
        endpoint_url=source.get("endpoint_url"),
        storage_buckets=tuple(str(b) for b in source.get("storage_buckets", [])),
        glue_registries=tuple(str(r) for r in source.get("glue_registries", [])),
        connect_timeout=float(source.get("connect_timeout", 10.0)),
        read_timeout=float(source.get("read_timeout", 30.0)),
        max_attempts=int(source.get("max_attempts", 8)),
        quiet=bool(source.get("quiet", False)),
        runtime=bool(source.get("runtime", False)),
        metrics_window=int(source.get("metrics_window_seconds", 600)),
    )
