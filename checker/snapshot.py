"""Snapshot documents: load, validate, wrap."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from . import schemas
from .errors import InputError
from .io.read import parse_json, read_text
from .model import Snapshot


def parse_timestamp(value: str, origin: str, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{origin}: {field} {value!r} is not an RFC 3339 timestamp") from None
    if parsed.tzinfo is None:
        raise InputError(f"{origin}: {field} {value!r} has no time zone (add Z or +00:00)")
    return parsed


def parse_snapshot(document: Any, origin: str) -> Snapshot:
    schemas.validate(document, origin, "snapshot")
    parse_timestamp(document["captured_at"], origin, "captured_at")
    return Snapshot(
        region=document["region"],
        captured_at=document["captured_at"],
        schema_version=str(document["schema_version"]),
        document=document,
        origin=origin,
    )


def load_snapshot(path: Path) -> Snapshot:
    document = parse_json(read_text(path, "snapshot"), str(path), "snapshot")
    return parse_snapshot(document, str(path))
