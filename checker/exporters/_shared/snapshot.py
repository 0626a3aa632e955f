"""What every exporter shares: the snapshot skeleton, gaps, secret scrubbing, writing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ... import schemas
from ...errors import InputError
from ...io.atomic import write_atomic
from ...redact import is_secret_key, scrub

SCHEMA_VERSION = "1.0"
__all__ = [
    "add_gap",
    "finish",
    "is_secret_key",
    "parse_region_pairs",
    "scrub",
    "skeleton",
    "write_snapshot",
]


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


def parse_region_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """MirrorMaker 2 cluster aliases -> region names, from ALIAS=REGION pairs."""
    result: dict[str, str] = {}
    for pair in pairs:
        alias, sep, region = pair.partition("=")
        if not sep or not alias.strip() or not region.strip():
            raise InputError(f"--mm2-region expects ALIAS=REGION, got {pair!r}")
        result[alias.strip()] = region.strip()
    return result
