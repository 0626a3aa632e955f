"""MirrorMaker 2 settings every MM2 reader resolves the same way (dedicated-mode mm2.properties,
Strimzi KafkaMirrorMaker2 and KafkaConnector, Terraform's MSK Connect connectors): the source
consumer's isolation level, and how a flow's connector settings become its snapshot fields.

The source connector's consumer reads `read_uncommitted` unless told otherwise: records of
aborted and open transactions are replicated (KAFKA-14021). MirrorSourceConnector builds its
consumer from `consumer.*` and then `source.consumer.*` connector settings, the later winning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ISOLATION_LEVELS = ("read_committed", "read_uncommitted")
DEFAULT_ISOLATION = "read_uncommitted"
# connector settings that set the source consumer's isolation level, weakest first
ISOLATION_KEYS = ("consumer.isolation.level", "source.consumer.isolation.level")


def consumer_isolation(setting: Callable[[str], object | None]) -> str | None:
    """The source consumer's isolation level; None when a setting holds another value."""
    level = DEFAULT_ISOLATION
    for key in ISOLATION_KEYS:
        value = setting(key)
        if value is not None:
            level = str(value).strip().lower()
    return level if level in ISOLATION_LEVELS else None


# --- a flow's settings --------------------------------------------------------------------------
#
# How a MirrorSourceConnector's and a MirrorCheckpointConnector's settings become the snapshot
# flow's fields, for every reader (mm2.properties, KafkaMirrorMaker2, KafkaConnector, MSK
# Connect). Each reader tells where a setting comes from (a Setting: key -> value, None when
# absent) and how a bad boolean is reported (BadFlag: key, value); MirrorMaker's defaults
# (Kafka 3.9) are applied here.

Setting = Callable[[str], object | None]
BadFlag = Callable[[str, object], None]

DEFAULT_POLICY = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy"
DEFAULT_TOPICS = (".*",)
DEFAULT_TOPICS_EXCLUDE = (r".*[\-\.]internal", r".*\.replica", r"__.*")


def patterns(value: object) -> tuple[str, ...]:
    """A comma-separated list of regular expressions."""
    return tuple(p.strip() for p in str(value).split(",") if p.strip()) if value else ()


def flag(setting: Setting, key: str, default: bool, bad: BadFlag) -> bool:
    """A boolean setting; anything but true/false (any case) is reported and the default used."""
    value = setting(key)
    if value is None:
        return default
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        bad(key, value)
        return default
    return text == "true"


def starting_position(reset: object | None) -> str:
    """The source consumer's auto.offset.reset (MirrorMaker's default: earliest)."""
    return "LATEST" if str(reset or "").strip().lower() == "latest" else "EARLIEST"


def _first(setting: Setting, *keys: str) -> object | None:
    for key in keys:
        value = setting(key)
        if value is not None:
            return value
    return None


@dataclass(frozen=True)
class FlowSettings:
    """What a source connector (and its checkpoint connector) make of one flow."""

    copies: bool  # a source connector runs: without one nothing is copied
    topics: tuple[str, ...]
    topics_exclude: tuple[str, ...]
    identity: bool  # anything but DefaultReplicationPolicy: judged like identity (fail closed)
    emit_checkpoints: bool
    sync_group_offsets: bool
    copies_acls: bool
    copies_topic_configs: bool
    isolation: str | None  # the source consumer's isolation level (None: unknown value)


def flow_settings(
    source: Setting,
    checkpoint: Setting | None,
    bad: BadFlag,
    copies: bool = True,
    consumer: Setting | None = None,
) -> FlowSettings:
    """The settings of a flow from its source connector's settings and its checkpoint
    connector's (None: none, so no checkpoints). Without a source connector (copies False)
    nothing is copied: no topic, no ACL or topic-config sync, no consumer. The source
    consumer's settings are the source connector's unless `consumer` tells them."""
    policy = str(
        source("replication.policy.class")
        or (checkpoint and checkpoint("replication.policy.class"))
        or DEFAULT_POLICY
    ).strip()
    emits = checkpoint is not None and flag(checkpoint, "emit.checkpoints.enabled", True, bad)
    synced = (
        emits
        and checkpoint is not None
        and flag(checkpoint, "sync.group.offsets.enabled", False, bad)
    )
    # MirrorMaker's default only where the setting is absent: a set but empty list is empty
    include = _first(source, "topics", "topics.whitelist")
    exclude = _first(source, "topics.exclude", "topics.blacklist")
    return FlowSettings(
        copies=copies,
        topics=(DEFAULT_TOPICS if include is None else patterns(include)) if copies else (),
        topics_exclude=DEFAULT_TOPICS_EXCLUDE if exclude is None else patterns(exclude),
        identity=policy != DEFAULT_POLICY,
        emit_checkpoints=emits,
        sync_group_offsets=synced,
        copies_acls=copies and flag(source, "sync.topic.acls.enabled", True, bad),
        copies_topic_configs=copies and flag(source, "sync.topic.configs.enabled", True, bad),
        isolation=consumer_isolation(consumer or source) if copies else None,
    )


def flow_record(
    settings: FlowSettings,
    *,
    name: str,
    source_alias: str,
    regions: tuple[str, str],
    starting_position: str,
    state: str,
    owner: str | None,
    checkpoints_present: bool | None = None,
) -> dict[str, Any]:
    """The snapshot v1 flow."""
    return {
        "name": name,
        "tool": "mirrormaker2",
        "source_region": regions[0],
        "target_region": regions[1],
        "topics_include": list(settings.topics),
        "topics_exclude": list(settings.topics_exclude),
        "topic_naming": "identical" if settings.identity else "prefixed",
        "prefix": None if settings.identity else source_alias,
        "copies_acls": settings.copies_acls,
        "copies_topic_configs": settings.copies_topic_configs,
        "offset_sync": {
            "enabled": settings.emit_checkpoints and settings.sync_group_offsets,
            "mode": "CHECKPOINTS" if settings.emit_checkpoints else "NONE",
            "checkpoints_present": checkpoints_present,
        },
        # DefaultReplicationPolicy never sends a topic back to the cluster its alias prefix
        # names; the identity policy cannot tell, so flows in both directions loop.
        "loop_protection": not settings.identity,
        "starting_position": starting_position,
        "consumer_isolation": settings.isolation,
        "state": state,
        "owner": owner,
    }
