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


# json.dumps(key, ensure_ascii=False, separators=(",", ":")), without a new encoder per call
# (json.dumps makes one whenever it is given options: 10,000 findings, 0.1 s)
_CANONICAL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def fingerprint(rule_id: str, region: str | None, resource: str) -> str:
    canonical = _CANONICAL.encode(list(finding_key(rule_id, region, resource)))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
