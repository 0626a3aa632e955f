"""MSK Replicator collector: replication flows into (or out of) the cluster.

A replicator lives in its target's region, so this region's replicators are the flows that
write into it; the other region's export brings the flows out of it. Cluster aliases map to
cluster ARNs and so to regions; PREFIXED naming prefixes topics with the source alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .client import Reader
from .msk import Cluster

if TYPE_CHECKING:
    from mypy_boto3_kafka.type_defs import DescribeReplicatorResponseTypeDef

OWNER_TAGS = ("owner", "Owner", "OWNER", "team", "Team")


def _region_of(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[3] if len(parts) > 5 and parts[2] == "kafka" else None


def collect(reader: Reader, cluster: Cluster) -> None:
    kafka = reader.kafka()
    paginator = kafka.get_paginator("list_replicators")
    pages = reader.shared(  # the region's replicators, whatever the cluster
        (cluster.region,),
        "replication",
        "kafka:ListReplicators",
        lambda: list(paginator.paginate()),
    )
    if pages is None:
        return
    flows: list[dict[str, Any]] = []
    for page in pages:
        for summary in page.get("Replicators", []):
            if summary.get("IsReplicatorReference"):
                continue  # a reference in the source region: exported with the target region
            arns = {
                c.get("AmazonMskCluster", {}).get("MskClusterArn")
                for c in summary.get("KafkaClustersSummary", [])
            }
            if cluster.arn not in arns:
                continue
            answer = reader.call(
                "replication",
                "kafka:DescribeReplicator",
                kafka.describe_replicator,
                ReplicatorArn=summary["ReplicatorArn"],
            )
            if answer is not None:
                flows += replicator_flows(answer)
    reader.snapshot["replication"] = sorted(flows, key=lambda f: (f["name"], f["source_region"]))


def replicator_flows(answer: DescribeReplicatorResponseTypeDef) -> list[dict[str, Any]]:
    regions: dict[str, str] = {}
    for entry in answer.get("KafkaClusters", []):
        alias = entry.get("KafkaClusterAlias", "")
        arn = entry.get("AmazonMskCluster", {}).get("MskClusterArn", "")
        regions[alias] = _region_of(arn) or f"external:{alias}"
    tags: Mapping[str, str] = answer.get("Tags", {})
    owner = next((tags[k] for k in OWNER_TAGS if tags.get(k)), None)
    name = answer.get("ReplicatorName", "replicator")
    infos = answer.get("ReplicationInfoList", [])
    flows = []
    for index, info in enumerate(infos):
        source = info.get("SourceKafkaClusterAlias", "")
        target = info.get("TargetKafkaClusterAlias", "")
        topics = info.get("TopicReplication", {})
        groups = info.get("ConsumerGroupReplication", {})
        naming = (
            topics.get("TopicNameConfiguration", {}).get("Type")
            or "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"
        )  # the API's default
        prefixed = naming == "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"
        synced = bool(groups.get("SynchroniseConsumerGroupOffsets"))
        flows.append(
            {
                "name": name if len(infos) == 1 else f"{name}#{index + 1}",
                "tool": "msk-replicator",
                "source_region": regions.get(source, f"external:{source}"),
                "target_region": regions.get(target, f"external:{target}"),
                "topics_include": list(topics.get("TopicsToReplicate", [])),
                "topics_exclude": list(topics.get("TopicsToExclude", [])),
                "topic_naming": "prefixed" if prefixed else "identical",
                "prefix": source if prefixed else None,
                "copies_acls": bool(topics.get("CopyAccessControlListsForTopics")),
                "copies_topic_configs": bool(topics.get("CopyTopicConfigurations")),
                # LEGACY is the API's default mode when offsets are synchronised.
                "offset_sync": {
                    "enabled": synced,
                    "mode": groups.get("ConsumerGroupOffsetSyncMode", "LEGACY")
                    if synced
                    else "NONE",
                },
                # MSK Replicator adds __mskmr headers and never re-replicates its own records.
                "loop_protection": True,
                "starting_position": topics.get("StartingPosition", {}).get("Type"),
                "state": answer.get("ReplicatorState", "UNKNOWN"),
                "owner": owner,
            }
        )
    return flows
