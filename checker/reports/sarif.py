"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).

One run per judged phase (automationDetails.id `failback-checker/<phase>/`, so code scanning
keeps each phase's alerts apart), one rule per rule judged (the catalog the Report carries),
plus any custom or waiver rule a finding uses, one result per finding located in the file
that declares its resource.
Waived findings carry `suppressions` (accepted, with the waiver's justification); with a
baseline, results carry `baselineState` (new / unchanged).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..model import SEVERITY_RANK, Decision, Finding, Report
from . import RenderOptions
from .locations import Location, Locator, display_path

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
FINGERPRINT_KEY = "failbackFindingHash/v1"


def level(severity: str, fail_on: str) -> str:
    """error when the severity blocks at --fail-on, warning for medium and up, else note."""
    rank = SEVERITY_RANK.get(severity, SEVERITY_RANK["medium"])
    if rank >= SEVERITY_RANK.get(fail_on, SEVERITY_RANK["high"]):
        return "error"
    return "warning" if rank >= SEVERITY_RANK["medium"] else "note"


def _name(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Rule"


def rule(rule_id: str, entry: Mapping[str, Any], fail_on: str) -> dict[str, Any]:
    severity = str(entry.get("severity", "medium"))
    area = str(entry.get("area", "custom"))
    title = str(entry.get("title") or rule_id)
    remediation = str(entry.get("remediation") or "See the finding's message.")
    phases = ", ".join(entry.get("phases", [])) or "all"
    return {
        "id": rule_id,
        "name": _name(title),
        "shortDescription": {"text": title},
        "fullDescription": {"text": str(entry.get("description") or title)},
        "help": {
            "text": f"{remediation} (area {area}, severity {severity}, phases {phases})",
            "markdown": (
                f"**Fix:** {remediation}\n\n"
                f"Area `{area}` · severity **{severity}** · phases {phases}"
            ),
        },
        "defaultConfiguration": {"level": level(severity, fail_on)},
        "properties": {
            "security-severity": SECURITY_SEVERITY.get(severity, "5.5"),
            "tags": ["security", "kafka", "failback", area],
            "precision": "high",
            "area": area,
            "severity": severity,
        },
    }


def _artifact(location: Location, cwd: Path | None) -> dict[str, Any]:
    shown = display_path(location.path, cwd)
    if shown.startswith("/"):
        return {"uri": location.path.resolve().as_uri()}
    return {"uri": shown, "uriBaseId": "%SRCROOT%"}


def _logical(finding: Finding) -> dict[str, Any]:
    scope = finding.region or "both"
    return {
        "name": finding.resource or finding.rule_id,
        "fullyQualifiedName": f"{scope}/{finding.area}/{finding.resource}",
        "kind": "resource",
    }


def result(
    finding: Finding,
    decision: Decision,
    index: Mapping[str, int],
    locator: Locator,
    report: Report,
    cwd: Path | None,
) -> dict[str, Any]:
    found = locator.locate(finding, decision.phase)
    locations: list[dict[str, Any]] = []
    for position, where in enumerate(found or (None,)):
        location: dict[str, Any] = {}
        if where is not None:
            physical: dict[str, Any] = {"artifactLocation": _artifact(where, cwd)}
            if where.line:
                physical["region"] = {"startLine": where.line}
            location["physicalLocation"] = physical
        if position == 0:
            location["logicalLocations"] = [_logical(finding)]
        locations.append(location)
    out: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "kind": "fail",
        "level": level(finding.severity, report.fail_on),
        "message": {"text": finding.message or finding.title},
        "locations": locations,
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "phase": decision.phase,
            "area": finding.area,
            "severity": finding.severity,
            "blocking": finding.blocking,
            "region": finding.region,
            "family": finding.family,
            "resource": finding.resource,
            "remediation": finding.remediation,
        },
    }
    if finding.waived:
        waived = finding.waived
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": str(waived.get("reason", "")),
                "properties": {k: waived.get(k) for k in ("owner", "ticket", "expires")},
            }
        ]
    if report.baseline is not None:
        out["baselineState"] = "unchanged" if finding.known else "new"
    return out


def _rules(report: Report) -> list[dict[str, Any]]:
    """The rules judged, then any other rule a finding uses (WVR-001, custom rules)."""
    catalog = report.judged_rules
    rules = [rule(rule_id, entry, report.fail_on) for rule_id, entry in catalog.items()]
    seen = set(catalog)
    for decision in report.decisions:
        for finding in decision.findings:
            if finding.rule_id in seen:
                continue
            seen.add(finding.rule_id)
            entry: Mapping[str, Any] = report.catalog.get(finding.rule_id) or {
                "area": finding.area,
                "severity": finding.severity,
                "title": finding.title,
                "remediation": finding.remediation,
            }
            rules.append(rule(finding.rule_id, entry, report.fail_on))
    return rules


def document(report: Report, options: RenderOptions | None = None) -> dict[str, Any]:
    options = options or RenderOptions()
    rules = _rules(report)
    index = {r["id"]: i for i, r in enumerate(rules)}
    locator = Locator(report)
    runs = []
    for decision in report.decisions:
        runs.append(
            {
                "tool": {
                    "driver": {
                        "name": "failback-checker",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"failback-checker/{decision.phase}/"},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "exitCode": int(decision.exit_code),
                        "properties": {
                            "verdict": decision.verdict,
                            "failOn": report.fail_on,
                            **(
                                {"step": decision.step.name, "stepVerdict": decision.step.verdict}
                                if decision.step is not None
                                else {}
                            ),
                        },
                    }
                ],
                "columnKind": "utf16CodeUnits",
                "results": [
                    result(f, decision, index, locator, report, options.cwd)
                    for f in decision.findings
                ],
                "properties": {
                    "plan": report.plan_name,
                    "phase": decision.phase,
                    "verdict": decision.verdict,
                    "primary": report.primary.region,
                    "secondary": report.secondary.region,
                    "steps": [{"name": s.name, "verdict": s.verdict} for s in decision.steps],
                    "outage": None if decision.outage is None else dict(decision.outage),
                    "notJudgeable": [dict(n) for n in decision.not_judgeable],
                },
            }
        )
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": runs}


def render(report: Report, options: RenderOptions | None = None) -> str:
    return json.dumps(document(report, options), indent=2, ensure_ascii=False) + "\n"
