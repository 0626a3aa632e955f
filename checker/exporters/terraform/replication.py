"""MSK Replicators in a Terraform plan: the replication flows into this region's cluster.

A replicator lives in its target's region, as checker/exporters/aws/replication.py reads it:
this region's replicators are the flows that write into it. Source and target regions come from
the cluster ARNs (or, for clusters created in the same apply, the clusters they refer to). A
planned replicator is recorded as RUNNING: the plan judges the estate as it will be.
"""

from __future__ import annotations

from typing import Any

from .msk import Cluster
from .plan import UNKNOWN, Context, Resource, block, region_of_arn, strings

OWNER_TAGS = ("owner", "Owner", "OWNER", "team", "Team")


def collect(ctx: Context, cluster: Cluster) -> None:
    flows: list[dict[str, Any]] = []
    for replicator in ctx.local("aws_msk_replicator"):
        if not _involves(ctx, replicator, cluster):
            continue
        flows += _flows(ctx, replicator)
    if "replication" not in ctx.tainted:
        ctx.snapshot["replication"] = sorted(flows, key=lambda f: (f["name"], f["source_region"]))


def _involves(ctx: Context, replicator: Resource, cluster: Cluster) -> bool:
    entries = replicator.get("kafka_cluster")
    if not isinstance(entries, list):
        return True  # cannot tell: keep it (a flow too many is safer than one too few)
    for index in range(len(entries)):
        path = ("kafka_cluster", index, "amazon_msk_cluster", 0, "msk_cluster_arn")
        if cluster.arn is not None and replicator.get(*path) == cluster.arn:
            return True
        if cluster.resource in ctx.doc.referenced(replicator, *path):
            return True
    return False


def _region(ctx: Context, replicator: Resource, index: int, attr: str) -> str | None:
    path = ("replication_info_list", index, attr)
    arn = replicator.get(*path)
    if arn is not UNKNOWN and arn is not None:
        return region_of_arn(arn) or f"external:{arn}"
    regions = {r.region for r in ctx.doc.referenced(replicator, *path) if r.region}
    if len(regions) == 1:
        return regions.pop()
    ctx.value(replicator, "replication", *path)  # the gap, when unknown
    return None


def _flows(ctx: Context, replicator: Resource) -> list[dict[str, Any]]:
    name = str(ctx.value(replicator, "replication", "replicator_name") or replicator.name)
    tags = block(replicator.values.get("tags"))
    owner = next((str(tags[k]) for k in OWNER_TAGS if tags.get(k)), None)
    infos = replicator.values.get("replication_info_list")
    if not isinstance(infos, list):
        ctx.value(replicator, "replication", "replication_info_list")  # the gap, when unknown
        infos = []
    flows = []
    for index, info in enumerate(infos):
        if not isinstance(info, dict):
            continue
        parts = [
            ("replication_info_list", index, part)
            for part in ("topic_replication", "consumer_group_replication")
        ]
        unknown = [path for path in parts if replicator.get(*path) is UNKNOWN]
        for path in unknown:
            ctx.value(replicator, "replication", *path)  # the gap
        if unknown:
            continue
        source = _region(ctx, replicator, index, "source_kafka_cluster_arn")
        target = _region(ctx, replicator, index, "target_kafka_cluster_arn")
        if source is None or target is None:
            continue
        topics = block(info.get("topic_replication"))
        groups = block(info.get("consumer_group_replication"))
        naming = (
            block(topics.get("topic_name_configuration")).get("type")
            or "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"
        )  # the API's default
        prefixed = naming == "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"
        alias = info.get("source_kafka_cluster_alias")
        if prefixed and not alias:
            ctx.gap(
                "replication",
                f"unknown until apply: {replicator.address}."
                f"replication_info_list[{index}].source_kafka_cluster_alias",
            )
            continue
        synced = bool(groups.get("synchronise_consumer_group_offsets"))
        mode = groups.get("consumer_group_offset_sync_mode") or "LEGACY"  # the API's default
        if synced and mode not in ("LEGACY", "ENHANCED"):
            ctx.gap("replication", f"{replicator.address}: unknown offset sync mode {mode!r}")
            continue
        position = block(topics.get("starting_position")).get("type")
        flows.append(
            {
                "name": name if len(infos) == 1 else f"{name}#{index + 1}",
                "tool": "msk-replicator",
                "source_region": source,
                "target_region": target,
                "topics_include": strings(topics.get("topics_to_replicate")),
                "topics_exclude": strings(topics.get("topics_to_exclude")),
                "topic_naming": "prefixed" if prefixed else "identical",
                "prefix": str(alias) if prefixed else None,
                "copies_acls": bool(topics.get("copy_access_control_lists_for_topics")),
                "copies_topic_configs": bool(topics.get("copy_topic_configurations")),
                "offset_sync": {"enabled": synced, "mode": str(mode) if synced else "NONE"},
                # MSK Replicator adds __mskmr headers and never re-replicates its own records.
                "loop_protection": True,
                "starting_position": str(position) if position else None,
                "state": "RUNNING",
                "owner": owner,
            }
        )
    return flows
