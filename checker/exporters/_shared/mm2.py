"""MirrorMaker 2 settings both MM2 readers resolve the same way (dedicated-mode mm2.properties
and Strimzi KafkaMirrorMaker2).

The source connector's consumer reads `read_uncommitted` unless told otherwise: records of
aborted and open transactions are replicated (KAFKA-14021). MirrorSourceConnector builds its
consumer from `consumer.*` and then `source.consumer.*` connector settings, the later winning.
"""

from __future__ import annotations

from collections.abc import Callable

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
