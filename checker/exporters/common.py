"""What every exporter shares: the snapshot skeleton, gaps, secret scrubbing, writing."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import schemas
from ..outputs import write_atomic

SCHEMA_VERSION = "1.0"

# Configuration keys whose values are secrets: never copied into a snapshot, report or log.
_SECRET_KEY = re.compile(
    r"(password|passwd|secret|jaas|token|credential|private|(^|\.)key$|keystore\.key|"
    r"ssl\.key|sasl\.oauthbearer|access[._-]?key|session)", re.IGNORECASE)


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def scrub(config: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration without secret-looking keys."""
    return {k: v for k, v in config.items() if not is_secret_key(str(k))}


def now_rfc3339() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def skeleton(region: str, source_type: str, detail: str, cluster: Mapping[str, Any],
             captured_at: str | None = None) -> dict[str, Any]:
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
