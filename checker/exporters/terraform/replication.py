"""Replication in a Terraform plan: the flows into this region's cluster, from MSK Replicators
and from MirrorMaker 2 connectors on MSK Connect (aws_mskconnect_connector).

A replicator lives in its target's region, as checker/exporters/aws/replication.py reads it:
this region's replicators are the flows that write into it. Source and target regions come from
the cluster ARNs (or, for clusters created in the same apply, the clusters they refer to). A
planned replicator is recorded as RUNNING: the plan judges the estate as it will be.

MirrorMaker 2 on MSK Connect: each MirrorSourceConnector is a flow, with the checkpoint
connector of the same aliases for its offset sync (_shared/mm2_connectors.py, as Strimzi's
KafkaConnectors). Its regions: the MSK hostnames of `source.cluster.bootstrap.servers` and
`target.cluster.bootstrap.servers`, else the MSK clusters the connector configuration refers to;
the target defaults to the region MSK Connect runs the connector in (MirrorMaker runs next to
its target). A flow whose source region cannot be told is a gap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._shared import mm2_connectors as mm2
from .msk import Cluster
from .plan import (
    UNKNOWN,
    Context,
    Resource,
    block,
    region_of_arn,
    regions_of_hosts,
    strings,
)

_REGION_NAME = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d$")
# connector settings that never describe the flow (where the clusters are, how to log in)
_CONNECTION = re.compile(r"(bootstrap\.servers|\.sasl\.|\.ssl\.|security\.protocol|\.jaas)")

OWNER_TAGS = ("owner", "Owner", "OWNER", "team", "Team")


def collect(ctx: Context, cluster: Cluster) -> None:
    flows: list[dict[str, Any]] = []
    for replicator in ctx.local("aws_msk_replicator"):
        if not _involves(ctx, replicator, cluster):
            continue
        flows += _flows(ctx, replicator)
    flows += _connector_flows(ctx)
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


def _config(ctx: Context, res: Resource) -> dict[str, Any] | None:
    """A connector's known configuration; None (and a gap) when a setting of the flow is
    known only after apply (connection settings may be: they are not read)."""
    raw = res.get("connector_configuration")
    if raw is UNKNOWN or not isinstance(raw, Mapping):
        if raw is UNKNOWN and ctx.here(res):
            ctx.value(res, "replication", "connector_configuration")
        return None
    config: dict[str, Any] = {}
    for key in raw:
        value = res.get("connector_configuration", str(key))
        if value is UNKNOWN:
            if _CONNECTION.search(str(key)):
                continue
            if ctx.here(res):
                ctx.value(res, "replication", "connector_configuration", str(key))
            return None
        config[str(key)] = value
    for key in _unknown_keys(res):
        if not _CONNECTION.search(key) and key not in config:
            if ctx.here(res):
                ctx.value(res, "replication", "connector_configuration", key)
            return None
    return config


def _unknown_keys(res: Resource) -> list[str]:
    tree = res.unknown.get("connector_configuration") if isinstance(res.unknown, Mapping) else None
    return [str(k) for k, v in tree.items() if v is True] if isinstance(tree, Mapping) else []


def _host_region(ctx: Context, res: Resource, key: str) -> str | None:
    value = res.get("connector_configuration", key)
    if value is UNKNOWN or value is None:
        return None
    regions = regions_of_hosts(str(value).split(","))
    return regions.pop() if len(regions) == 1 else None


def _connector_regions(
    ctx: Context, res: Resource, aliases: tuple[str, str]
) -> tuple[str, str] | None:
    target = _host_region(ctx, res, "target.cluster.bootstrap.servers") or res.region
    if target is None and _REGION_NAME.match(aliases[1]):
        target = aliases[1]
    source = _host_region(ctx, res, "source.cluster.bootstrap.servers")
    if source is None:
        clusters = {
            r.region
            for r in ctx.doc.referenced(res, "connector_configuration")
            if r.type in ("aws_msk_cluster", "aws_msk_serverless_cluster") and r.region
        }
        others = clusters - {target}
        if len(others) == 1:
            source = others.pop()
        elif _REGION_NAME.match(aliases[0]):
            source = aliases[0]
    if source is None or target is None:
        return None
    return source, target


def _connector_flows(ctx: Context) -> list[dict[str, Any]]:
    """The MirrorMaker 2 flows MSK Connect runs into this region."""
    by_location: dict[str | None, list[tuple[Resource, mm2.Connector]]] = {}
    for res in ctx.doc.of_type("aws_mskconnect_connector"):
        config = _config(ctx, res)
        if config is None or mm2.connector_kind(config) is None:
            continue
        by_location.setdefault(res.region, []).append((res, mm2.Connector(res.address, config)))
    flows: list[dict[str, Any]] = []
    for location, found in by_location.items():
        resources = {c.ref: r for r, c in found}
        problems: list[str] = []
        pairs = mm2.pairs([c for _, c in found], problems)
        for pair in pairs:
            res = resources[pair.source.ref]
            regions = _connector_regions(ctx, res, pair.aliases)
            if regions is None:
                if res.region in (None, ctx.region):
                    ctx.gap(
                        "replication",
                        f"{res.address}: the region of MirrorMaker 2 cluster alias "
                        f"{pair.aliases[0]} cannot be told (no MSK hostname in "
                        "source.cluster.bootstrap.servers, no MSK cluster referred to)",
                    )
                continue
            if regions[1] != ctx.region:
                continue
            name = res.values.get("name")
            tags = block(res.values.get("tags"))
            owner = next((str(tags[k]) for k in OWNER_TAGS if tags.get(k)), None)
            flows.append(
                mm2.flow(
                    pair,
                    str(name) if isinstance(name, str) and name else res.address,
                    regions,
                    problems,
                    owner=owner,
                )
            )
        if location in (None, ctx.region):
            for problem in problems:
                ctx.gap("replication", problem)
    return flows
