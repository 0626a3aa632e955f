"""Runtime evidence for tests: a `runtime` area sampled from a snapshot document's topics (every
partition led, fully in sync, at one end offset), which a test then changes."""

from __future__ import annotations

from typing import Any

CAPTURED_AT = "2026-11-29T00:00:00Z"
NEWEST_MS = 1_795_910_400_000  # 2026-11-29T00:00:00Z


def sample(
    document: dict[str, Any], captured_at: str = CAPTURED_AT, end_offset: int = 10_000
) -> dict[str, Any]:
    """A caught-up runtime area for every topic of `document`."""
    return {
        "captured_at": captured_at,
        "topics": {
            name: {
                "min_insync_replicas": 2,
                "partitions": {
                    str(p): {
                        "end_offset": end_offset,
                        "max_timestamp": NEWEST_MS,
                        "leader": 1,
                        "replicas": 3,
                        "isr": 3,
                    }
                    for p in range(int(topic.get("partitions", 1)))
                },
            }
            for name, topic in document.get("topics", {}).items()
        },
        "groups": {},
        "checkpoints": {},
        "metrics": [],
    }


def with_runtime(*documents: dict[str, Any], captured_at: str = CAPTURED_AT) -> None:
    """Give each snapshot document a caught-up runtime area (in place)."""
    for document in documents:
        document["runtime"] = sample(document, captured_at)


def behind(
    source: dict[str, Any], target: dict[str, Any], topic: str, records: int, seconds: float
) -> None:
    """Put `target`'s copy of `topic` partition 0 `records` and `seconds` behind the source."""
    partition = target["runtime"]["topics"][topic]["partitions"]["0"]
    upstream = source["runtime"]["topics"][topic]["partitions"]["0"]
    partition["end_offset"] = upstream["end_offset"] - records
    partition["max_timestamp"] = upstream["max_timestamp"] - int(seconds * 1000)
