"""Terraform exporter: one region of a `terraform show -json` plan (or state), no credentials.

    export(TerraformSource(plan, region, cluster, storage_buckets, captured_at, now)) -> snapshot

from `failback export terraform` (checker/cli/export.py) or, in failback.yaml,
`regions.<role>.source: {type: terraform, plan: plan.json, cluster: ADDR}` (`from_plan`; the plan
path relative to failback.yaml).

Reads the planned values (what the estate will be after apply): aws_msk_cluster /
aws_msk_serverless_cluster, aws_msk_configuration, aws_msk_replicator, MirrorMaker 2 on MSK
Connect (aws_mskconnect_connector), aws_msk_scram_secret_association /
aws_msk_single_scram_secret_association, aws_msk_vpc_connection, security groups and their
rules, aws_cloudwatch_log_group, aws_cloudtrail, aws_kms_key, IAM policies with kafka-cluster
actions, S3 buckets, aws_msk_topic and the Kafka provider's kafka_topic, kafka_acl and
kafka_quota. A multi-region plan (provider aliases, modules, for_each over regions) is split by
region; references resolve inside one module instance. A value Terraform knows only after apply
is a gap ("unknown until apply: <address>.<attribute>", naming the local or data source it is set
from when the plan cannot resolve it), never a guess; only the unknown part of an area is left
out. Consumer groups are runtime state, always a gap. Secrets in the plan (SCRAM passwords,
provider credentials, connector JAAS settings) are never read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ... import schemas
from ...errors import InputError
from .._shared.paths import display_path
from .._shared.snapshot import finish, skeleton

if TYPE_CHECKING:
    from .plan import Context, Resource

CLUSTER_TYPES = ("aws_msk_cluster", "aws_msk_serverless_cluster")
# The areas a failed read may leave half-filled: dropped, so only the gap speaks for them.
DROPPABLE = (
    "topics",
    "acls",
    "quotas",
    "iam_grants",
    "authentication",
    "encryption",
    "network",
    "audit",
    "broker_config",
    "replication",
    "storage",
)


@dataclass(frozen=True)
class TerraformSource:
    """Which plan, which region of it, and which cluster and buckets in that region."""

    plan: Path
    region: str
    cluster: str | None = None  # the cluster's address, when the region has several
    storage_buckets: tuple[str, ...] = ()  # names or globs
    captured_at: str | None = None  # default: the plan's timestamp, else `now`
    now: str | None = None  # the capture time when the document has no timestamp (a state)


def export(config: TerraformSource, messages: TextIO | None = None) -> dict[str, Any]:
    """Read one region of a plan and return a validated snapshot v1 document (nothing goes to
    `messages`: what cannot be read is a gap in the snapshot)."""
    from . import audit, iam, kafka_provider, msk, network, replication, s3
    from .plan import Context, load

    doc = load(config.plan)
    shown = display_path(config.plan)
    snapshot = skeleton(
        config.region,
        "terraform",
        "",
        {"id": "?", "name": "?", "kind": "msk"},
        # never the clock when the document or the caller tells the time: two exports of the
        # same files are byte-identical
        config.captured_at or doc.timestamp or config.now,
    )
    ctx = Context(doc, config.region, snapshot)
    _incomplete(ctx)
    resource = _cluster(ctx, config.cluster, shown)
    snapshot["source"] = {
        "type": "terraform",
        "file": shown,
        "detail": f"failback export terraform ({doc.kind}): {resource.address}",
    }
    cluster = msk.describe(ctx, resource)
    msk.scram_users(ctx, cluster)
    network.collect(ctx, cluster)
    audit.broker_logs(ctx, cluster)
    audit.trail(ctx)
    iam.collect(ctx, cluster)
    auth = snapshot.get("authentication", {})
    kafka_provider.collect(
        ctx,
        cluster.resource,
        uses_acls=not auth or any(auth.get(k) for k in ("scram", "mtls", "unauthenticated")),
    )
    replication.collect(ctx, cluster)
    s3.collect(ctx, config.storage_buckets)
    ctx.gap("consumer_groups", "Terraform does not describe consumer groups (runtime state)")
    ctx.unlocated()
    ctx.gaps.drop(DROPPABLE)
    return finish(snapshot, f"terraform export of {shown}")


def _areas_of_type(resource_type: str) -> tuple[str, ...]:
    """The snapshot areas a resource of this type feeds (none for types the exporter skips)."""
    from .plan import AREA_OF_TYPE

    if resource_type in CLUSTER_TYPES:
        return DROPPABLE
    if resource_type in AREA_OF_TYPE:
        return (AREA_OF_TYPE[resource_type],)
    if resource_type.startswith("aws_iam_") or resource_type == "aws_msk_cluster_policy":
        return ("iam_grants",)
    if resource_type.startswith("aws_s3_"):
        return ("storage",)
    return ()


def _incomplete(ctx: Context) -> None:
    """Gaps for what an incomplete plan (complete: false) cannot vouch for: the areas of the
    resources it deferred, or every area when it does not say which (-target)."""
    if ctx.doc.complete:
        return
    if not ctx.doc.deferred:
        for area in DROPPABLE:
            ctx.gap(
                area,
                "the plan is incomplete (complete: false, e.g. planned with -target): "
                "resources it did not plan are missing from it",
            )
        return
    for address, resource_type, reason in ctx.doc.deferred:
        for area in _areas_of_type(resource_type):
            ctx.gap(area, f"the plan is incomplete: {address} was deferred ({reason})")


def _cluster(ctx: Context, address: str | None, shown: str) -> Resource:
    clusters = ctx.doc.of_type(*CLUSTER_TYPES)
    if address:
        match = [c for c in clusters if c.address == address]
        if not match:
            known = ", ".join(c.address for c in clusters) or "none"
            raise InputError(f"{shown}: no MSK cluster at address {address} (clusters: {known})")
        if match[0].region not in (None, ctx.region):
            raise InputError(f"{shown}: {address} is in {match[0].region}, not in {ctx.region}")
        return match[0]
    here = [c for c in clusters if ctx.here(c)]
    if len(here) == 1:
        return here[0]
    if here:
        addresses = ", ".join(sorted(c.address for c in here))
        raise InputError(
            f"{shown}: {len(here)} MSK clusters in {ctx.region} ({addresses}): "
            "choose one with --cluster"
        )
    found = sorted({r.type.split("_", 1)[0] for r in ctx.doc.resources})
    regions = sorted(ctx.doc.regions())
    raise InputError(
        f"{shown}: no aws_msk_cluster or aws_msk_serverless_cluster in "
        f"{ctx.region} (regions in the plan: {', '.join(regions) or 'none'}; "
        f"resource providers: {', '.join(found) or 'none'})"
    )


def from_plan(source: Mapping[str, Any], region: str, base_dir: Path) -> TerraformSource:
    """The export a failback.yaml `source: {type: terraform, plan: ...}` declares for `region`
    (its keys checked against the plan schema's terraform_source)."""
    schemas.validate_part(source, f"terraform source of {region}", "plan", "terraform_source")
    captured = source.get("captured_at")
    return TerraformSource(
        plan=base_dir / str(source["plan"]),
        region=region,
        cluster=source.get("cluster"),
        storage_buckets=tuple(source.get("storage_buckets", [])),
        captured_at=None if captured is None else str(captured),
    )
