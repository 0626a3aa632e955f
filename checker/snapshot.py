"""Snapshot documents: load, validate, wrap."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any

from . import schemas
from .errors import InputError
from .io.read import parse_json, read_bytes
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
    columns = schemas.validated_columns(document, origin, "snapshot")
    parse_timestamp(document["captured_at"], origin, "captured_at")
    return Snapshot(
        region=document["region"],
        captured_at=document["captured_at"],
        schema_version=str(document["schema_version"]),
        document=document,
        origin=origin,
        columns={name: (document[name], found) for name, found in columns.items()},
    )


def load_snapshot(path: Path) -> Snapshot:
    """The snapshot file at `path`, with the sha256 of the bytes read (the report's evidence)."""
    data = read_bytes(path, "snapshot")
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"snapshot {path} is not UTF-8 text (byte {exc.start})") from None
    del data  # not held while the document is built (a 100 MB snapshot: 100 MB less at peak)
    document = parse_json(text, str(path), "snapshot")
    del text
    snapshot = parse_snapshot(document, str(path))
    return dataclasses.replace(snapshot, sha256=digest)
