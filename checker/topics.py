"""Topic facts (pure): which topics belong to Kafka or the replication tooling, and the settings
a topic really runs with (its own config, else the broker's default, else Kafka's).

The one table of internal topics: a topic it matches belongs to no business family (no write
authority, no family parity), whatever the plan's globs say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import InputError

# (regular expression over the whole name, whose topic it is)
INTERNAL_TOPICS: tuple[tuple[str, str], ...] = (
    (r"__.*", "Kafka (__consumer_offsets, __transaction_state) and the platform (__amazon_msk_*)"),
    (r".*\.checkpoints\.internal", "MirrorMaker 2 and MSK Replicator ENHANCED checkpoints"),
    (r"heartbeats|.*\.heartbeats", "MirrorMaker 2 heartbeats (local and replicated)"),
    (r"mm2-.*", "MirrorMaker 2 (configs, offsets, status, offset-syncs)"),
    (r"mskr-offset-syncs.*", "MSK Replicator ENHANCED offset syncs"),
    (r"connect-(offsets|configs|status).*", "Kafka Connect workers"),
    (r"_schemas", "Schema Registry"),
)
_INTERNAL = re.compile("|".join(f"(?:{pattern})" for pattern, _ in INTERNAL_TOPICS))

# Kafka's defaults when neither the topic nor the broker sets a value.
KAFKA_DEFAULTS: Mapping[str, str] = {
    "cleanup.policy": "delete",
    "min.insync.replicas": "1",
    "max.message.bytes": "1048588",
    "message.timestamp.type": "CreateTime",
}
# topic config -> the broker config that sets its default
BROKER_DEFAULTS: Mapping[str, str] = {
    "cleanup.policy": "log.cleanup.policy",
    "min.insync.replicas": "min.insync.replicas",
    "max.message.bytes": "message.max.bytes",
    "message.timestamp.type": "log.message.timestamp.type",
}


def is_internal(topic: str) -> bool:
    return _INTERNAL.fullmatch(topic) is not None


def _value(configs: Mapping[str, Any], broker: Mapping[str, Any], key: str) -> str:
    value = configs.get(key)
    if value is None:
        value = broker.get(BROKER_DEFAULTS[key])
    return str(KAFKA_DEFAULTS[key] if value is None else value).strip()


def _number(text: str, origin: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{origin}: {what} {text!r} is not an integer") from None


def settings(
    configs: Mapping[str, Any], broker: Mapping[str, Any], origin: str, topic: str
) -> dict[str, Any]:
    """The effective settings the topic-parity rules compare."""
    policy = _value(configs, broker, "cleanup.policy")
    return {
        "cleanup_policy": sorted({p.strip().lower() for p in policy.split(",") if p.strip()}),
        "min_insync_replicas": _number(
            _value(configs, broker, "min.insync.replicas"),
            origin,
            f"topic {topic} min.insync.replicas",
        ),
        "max_message_bytes": _number(
            _value(configs, broker, "max.message.bytes"), origin, f"topic {topic} max.message.bytes"
        ),
        "timestamp_type": _value(configs, broker, "message.timestamp.type"),
    }
