"""Live AWS exporter: one region's MSK cluster and its surroundings, read-only and fail-closed.

    failback export aws --region R --cluster-arn ARN [--profile P] [--role-arn ARN]
                        [--endpoint-url URL] [--storage-bucket NAME]... [-o snapshot.json]

or, in failback.yaml, `regions.<role>.source: {type: aws, cluster_arn: ..., ...}`.

One small collector per service (aws_msk, aws_topics, aws_replication, aws_ec2, aws_kms,
aws_audit, aws_iam, aws_s3) fills the snapshot; judgement stays in Rego. An AWS error on any call
becomes a snapshot gap (area, IAM action, error code); only an unreachable endpoint or
rejected credentials fail the export (InputError, exit 2). The IAM actions it needs are in
readonly_policy.json. boto3 is imported only when an export runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ...cli.errors import handle_errors
from ...errors import InputError
from .._shared.snapshot import finish, skeleton, write_snapshot

if TYPE_CHECKING:
    from .client import Progress, Reader, Settings
    from .msk import Cluster

POLICY_FILE = Path(__file__).with_name("readonly_policy.json")
SOURCE_KEYS = frozenset(
    {
        "type",
        "cluster_arn",
        "profile",
        "role_arn",
        "endpoint_url",
        "storage_buckets",
        "connect_timeout",
        "read_timeout",
        "max_attempts",
        "quiet",
    }
)


def export(settings: Settings, progress: Progress) -> dict[str, Any]:
    """Read one region and return a validated snapshot v1 document."""
    from . import client, msk

    cluster = msk.parse_cluster_arn(settings.cluster_arn, settings.region)
    snapshot = skeleton(
        settings.region,
        "aws",
        f"failback export aws: {settings.cluster_arn}",
        {"id": cluster.arn, "name": cluster.name, "kind": "msk"},
        settings.captured_at,
    )
    try:
        reader = client.Reader(settings, client.open_session(settings), snapshot, progress)
        _collect(reader, cluster, settings)
    except BaseException:
        progress.clear()
        raise
    progress.done(len(snapshot["gaps"]))
    return finish(snapshot, f"aws export of {settings.cluster_arn}")


def _collect(reader: Reader, cluster: Cluster, settings: Settings) -> None:
    from . import audit, ec2, iam, kms, msk, replication, s3, topics

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
    s3.collect(reader, settings.storage_buckets)


def _number(source: Mapping[str, Any], key: str, default: float) -> float:
    value = source.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InputError(f"aws source: {key} must be a positive number, not {value!r}")
    return float(value)


def from_source(source: Mapping[str, Any], region: str, base_dir: Path) -> dict[str, Any]:
    """Export the region a failback.yaml `source: {type: aws, ...}` declares."""
    from .client import Progress, Settings

    unknown = sorted(set(source) - SOURCE_KEYS)
    if unknown:
        raise InputError(
            f"aws source of {region}: unknown keys {', '.join(unknown)} "
            f"(expected {', '.join(sorted(SOURCE_KEYS - {'type'}))})"
        )
    arn = source.get("cluster_arn")
    if not isinstance(arn, str) or not arn:
        raise InputError(f"aws source of {region}: cluster_arn is required")
    buckets = source.get("storage_buckets", [])
    if isinstance(buckets, str) or not isinstance(buckets, Sequence):
        raise InputError(f"aws source of {region}: storage_buckets must be a list of names")
    settings = Settings(
        region=region,
        cluster_arn=arn,
        profile=_text(source, "profile"),
        role_arn=_text(source, "role_arn"),
        endpoint_url=_text(source, "endpoint_url"),
        storage_buckets=tuple(str(b) for b in buckets),
        connect_timeout=_number(source, "connect_timeout", 10.0),
        read_timeout=_number(source, "read_timeout", 30.0),
        max_attempts=int(_number(source, "max_attempts", 8)),
    )
    progress = Progress(f"aws {region}", quiet=bool(source.get("quiet", False)))
    return export(settings, progress)


def _text(source: Mapping[str, Any], key: str) -> str | None:
    value = source.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InputError(f"aws source: {key} must be a non-empty string")
    return value


@click.command("aws")
@click.option("--region", required=True, help="The region to export (the cluster's region).")
@click.option("--cluster-arn", required=True, help="ARN of the MSK cluster.")
@click.option("--profile", default=None, help="AWS profile (default: the usual credential chain).")
@click.option("--role-arn", default=None, help="Assume this role before reading.")
@click.option(
    "--endpoint-url", default=None, help="One endpoint for every service (moto, LocalStack)."
)
@click.option(
    "--storage-bucket",
    "storage_buckets",
    multiple=True,
    help="Tiered or shared-storage S3 bucket to read. Repeatable.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write the snapshot here (default: stdout).",
)
@click.option(
    "--connect-timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for a connection.",
)
@click.option(
    "--read-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for an answer.",
)
@click.option(
    "--max-attempts",
    default=8,
    show_default=True,
    type=click.IntRange(min=1),
    help="Attempts per call (adaptive retries; throttling is retried).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@handle_errors
def command(
    region: str,
    cluster_arn: str,
    profile: str | None,
    role_arn: str | None,
    endpoint_url: str | None,
    storage_buckets: Sequence[str],
    output: Path | None,
    connect_timeout: float,
    read_timeout: float,
    max_attempts: int,
    quiet: bool,
) -> None:
    """Export one region's MSK cluster and its surroundings from AWS (read-only).

    Reads MSK, EC2, CloudWatch Logs, CloudTrail, KMS, IAM and S3 with boto3. A call AWS
    refuses (AccessDenied, unsupported) becomes a gap in the snapshot, and `failback check`
    is indeterminate for that area. The least-privilege policy is
    checker/exporters/aws/readonly_policy.json.
    """
    from .client import Progress, Settings

    settings = Settings(
        region=region,
        cluster_arn=cluster_arn,
        profile=profile,
        role_arn=role_arn,
        endpoint_url=endpoint_url,
        storage_buckets=tuple(storage_buckets),
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_attempts=max_attempts,
    )
    snapshot = export(settings, Progress(f"aws {region}", quiet=quiet))
    text = write_snapshot(snapshot, output)
    if output is None:
        click.echo(text, nl=False)
