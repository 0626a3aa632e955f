"""What every exporter shares: the snapshot skeleton, gaps, validation, writing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ... import schemas
from ...io.atomic import write_atomic

SCHEMA_VERSION = "1.0"
# a snapshot carrying the optional `runtime` area (live rehearsal evidence) says so
RUNTIME_SCHEMA_VERSION = "1.1"


def now_rfc3339() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def skeleton(
    region: str,
    source_type: str,
    detail: str,
    cluster: Mapping[str, Any],
    captured_at: str | None = None,
) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "region": region,
        "captured_at": captured_at or now_rfc3339(),
        "source": {"type": source_type, "detail": detail},
        "cluster": dict(cluster),
        "gaps": [],
    }


def add_gap(snapshot: dict[str, Any], area: str, reason: str, call: str = "") -> None:
    gap = {"area": area, "reason": " ".join(reason.split())[:300]}
    if call:
        gap["call"] = call
    if gap not in snapshot.setdefault("gaps", []):
        snapshot["gaps"].append(gap)


class Gaps:
    """Collects gaps; an area with a gap is dropped from the snapshot at the end (`drop`)."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        self.snapshot = snapshot
        self.tainted: set[str] = set()

    def add(self, area: str, reason: str) -> None:
        add_gap(self.snapshot, area, reason)
        self.tainted.add(area)

    def drop(self, areas: Iterable[str]) -> None:
        """Remove those of `areas` that have a gap: a half-read area is not evidence."""
        for area in areas:
            if area in self.tainted:
                self.snapshot.pop(area, None)


def finish(snapshot: dict[str, Any], origin: str) -> dict[str, Any]:
    """Validate an exported snapshot against the published schema (an exporter bug otherwise)."""
    snapshot["gaps"] = sorted(snapshot.get("gaps", []), key=lambda g: (g["area"], g["reason"]))
    schemas.validate(snapshot, origin, "snapshot")
    return snapshot


def write_snapshot(snapshot: dict[str, Any], output: Path | None) -> str:
    text = json.dumps(snapshot, indent=2, sort_keys=True) + "\n"
    if output is not None:
        write_atomic(output, text)
    return text
