"""Schema texts as snapshots record them: a fingerprint, never the text."""

from __future__ import annotations

import hashlib
import json


def fingerprint(text: str) -> str:
    """sha256 of a schema's canonical text: JSON (Avro, JSON Schema) with sorted keys and no
    spaces, anything else (Protobuf) with its surrounding whitespace removed."""
    try:
        canonical = json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = text.strip()
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
