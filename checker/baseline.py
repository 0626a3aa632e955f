"""Baselines: only findings absent from an earlier JSON report block.

Findings are matched by a stable fingerprint: sha256 of the rule id, the region role and the
resource with whitespace normalised. No message text, severity or phase goes into it, so
rewording a rule or re-running in another phase does not make an old finding new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError
from .io.read import parse_json, read_text
from .model import BaselineUse, Decision


def fingerprint(rule_id: str, region: str | None, resource: str) -> str:
    canonical = json.dumps(
        [rule_id, region or "", " ".join(resource.split())],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def fingerprint_of(finding: Mapping[str, Any]) -> str:
    region = finding.get("region")
    return fingerprint(
        str(finding.get("rule_id", "")),
        None if region is None else str(region),
        str(finding.get("resource", "")),
    )


def parse_baseline(document: Any, origin: str) -> frozenset[str]:
    """Fingerprints of every finding in a `failback check --format json` report."""
    hint = "write one with `failback check --format json -o previous.json`"
    if (
        not isinstance(document, dict)
        or document.get("tool") != "failback-checker"
        or not isinstance(document.get("decisions"), list)
    ):
        raise InputError(f"baseline {origin} is not a failback-checker JSON report", hint=hint)
    prints: set[str] = set()
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
            value = finding.get("fingerprint")
            prints.add(str(value) if isinstance(value, str) and value else fingerprint_of(finding))
    return frozenset(prints)


def load_baseline(path: Path) -> frozenset[str]:
    return parse_baseline(parse_json(read_text(path, "baseline"), str(path), "baseline"), str(path))


def apply_baseline(
    decisions: Sequence[Decision],
    findings: Sequence[Sequence[dict[str, Any]]],
    known: frozenset[str],
    file: str,
) -> tuple[list[list[dict[str, Any]]], BaselineUse]:
    """Mark findings whose fingerprint the baseline holds as known; known findings never block.

    Expired waivers (WVR-001) are the exception: a baseline cannot extend a waiver's end date.
    """
    from .waivers import RULE_ID

    out: list[list[dict[str, Any]]] = []
    count = 0
    for _decision, raws in zip(decisions, findings, strict=True):
        marked = []
        for raw in raws:
            finding = dict(raw)
            if finding.get("fingerprint") in known and finding.get("rule_id") != RULE_ID:
                finding["known"] = True
                finding["blocking"] = False
                count += 1
            marked.append(finding)
        out.append(marked)
    return out, BaselineUse(file=file, fingerprints=known, known=count)
