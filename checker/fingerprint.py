"""A finding's identity across runs, in one place.

Its key is the rule id, the region role ("" for none) and the resource with whitespace
collapsed; its fingerprint is the sha256 of that key. No message text, severity or phase goes
into either, so rewording a rule or judging another phase does not make an old finding new.
The baseline is matched by key in the policies (failback.exceptions collapses whitespace
exactly as `collapse` does); the fingerprint labels findings in reports.
"""

from __future__ import annotations

import hashlib
import json

FindingKey = tuple[str, str, str]


def collapse(text: str) -> str:
    """Runs of whitespace (Python's str.split() set) as one space, none at either end."""
    return " ".join(text.split())


def finding_key(rule_id: str, region: str | None, resource: str) -> FindingKey:
    return (rule_id, region or "", collapse(resource))


def fingerprint(rule_id: str, region: str | None, resource: str) -> str:
    canonical = json.dumps(
        list(finding_key(rule_id, region, resource)), ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
