"""Baselines: only findings absent from an earlier JSON report block (loading only).

A baseline is the set of its findings' keys (rule id, region role, resource with whitespace
collapsed: checker/fingerprint.py); the policies mark a finding with one of those keys as
known (policies/failback/exceptions). No message text, severity or phase goes into a key, so
rewording a rule or re-running in another phase does not make an old finding new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import InputError
from .fingerprint import FindingKey, finding_key
from .io.read import parse_json, read_text


def parse_baseline(document: Any, origin: str) -> frozenset[FindingKey]:
    """The keys of every finding in a `failback check --format json` report."""
    hint = "write one with `failback check --format json -o previous.json`"
    if (
        not isinstance(document, dict)
        or document.get("tool") != "failback-checker"
        or not isinstance(document.get("decisions"), list)
    ):
        raise InputError(f"baseline {origin} is not a failback-checker JSON report", hint=hint)
    keys: set[FindingKey] = set()
    for d_index, decision in enumerate(document["decisions"]):
        findings = decision.get("findings") if isinstance(decision, dict) else None
        if not isinstance(findings, list):
            raise InputError(
                f"baseline {origin}: decisions/{d_index} has no findings list", hint=hint
            )
        for f_index, finding in enumerate(findings):
            if not isinstance(finding, dict) or "rule_id" not in finding:
                raise InputError(
                    f"baseline {origin}: decisions/{d_index}/findings/{f_index} is not a finding",
                    hint=hint,
                )
            region = finding.get("region")
            keys.add(
                finding_key(
                    str(finding["rule_id"]),
                    None if region is None else str(region),
                    str(finding.get("resource", "")),
                )
            )
    return frozenset(keys)


def load_baseline(path: Path) -> frozenset[FindingKey]:
    return parse_baseline(parse_json(read_text(path, "baseline"), str(path), "baseline"), str(path))
