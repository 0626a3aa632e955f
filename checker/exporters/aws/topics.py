"""MSK topics collector (kafka:ListTopics, kafka:DescribeTopic): names, partitions, replication
factor and topic configs. Topic names are what map grants and flows onto the plan's topic
families, so without them write authority could not be judged on an AWS-only snapshot."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ...redact import scrub
from .._shared.properties import parse_properties
from .client import Reader
from .msk import Cluster


def decode_configs(encoded: str) -> dict[str, str]:
    """DescribeTopic's Configs: base64 of `key=value` lines (or of a JSON object)."""
    try:
        text = base64.b64decode(encoded, validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        text = encoded
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            return {str(k): str(v) for k, v in value.items()}
    return parse_properties(text)


def collect(reader: Reader, cluster: Cluster) -> None:
    kafka = reader.kafka()
    if not kafka.can_paginate("list_topics"):  # botocore older than MSK's topic APIs
        reader.gap(
            "topics", "this botocore has no kafka:ListTopics (upgrade boto3)", "kafka:ListTopics"
        )
        return
    paginator = kafka.get_paginator("list_topics")
    pages = reader.call(
        "topics", "kafka:ListTopics", lambda: list(paginator.paginate(ClusterArn=cluster.arn))
    )
    if pages is None:
        return
    topics: dict[str, dict[str, Any]] = {}
    for page in pages:
        for info in page.get("Topics", []):
            name = info.get("TopicName")
            if not name:
                continue
            record: dict[str, Any] = {}
            if info.get("PartitionCount"):
                record["partitions"] = int(info["PartitionCount"])
            if info.get("ReplicationFactor"):
                record["replication_factor"] = int(info["ReplicationFactor"])
            topics[name] = record
    for name, record in sorted(topics.items()):
        answer = reader.call(
            "topics",
            "kafka:DescribeTopic",
            kafka.describe_topic,
            ClusterArn=cluster.arn,
            TopicName=name,
        )
        if answer is not None and answer.get("Configs"):
            record["configs"] = dict(sorted(scrub(decode_configs(answer["Configs"])).items()))
    reader.snapshot["topics"] = dict(sorted(topics.items()))
