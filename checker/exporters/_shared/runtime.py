"""What the runtime-evidence pieces of every source share: merging two samples of one region."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def merge_runtime(first: Mapping[str, Any], later: Mapping[str, Any]) -> dict[str, Any]:
    """Two sources' runtime samples of one region (Kafka: topics, groups, checkpoints; AWS:
    metrics): parts the first lacks come from the later one, metrics add up, and the sample
    is as old as its older half."""
    combined = {**later, **first}
    combined["captured_at"] = min(
        (str(first["captured_at"]), str(later["captured_at"])), key=_moment
    )
    if "metrics" in first and "metrics" in later:
        combined["metrics"] = [*first["metrics"], *later["metrics"]]
    return combined
