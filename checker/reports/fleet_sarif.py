"""The fleet report as SARIF 2.1.0: one run per pair (automationDetails.id
`failback-checker/fleet/<pair>/`, so code scanning keeps each pair's alerts apart), its rules
those its findings use, each result located in the pair's plan file and tagged with its phase.
A pair that could not be judged is a run whose invocation failed, with the reason."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .. import __version__
from ..fleet.report import FleetReport, PairResult
from .sarif import FINGERPRINT_KEY, SCHEMA, level, rule


def _rules(pair: PairResult, fail_on: str) -> list[dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for _, finding in pair.findings():
        rule_id = str(finding["rule_id"])
        if rule_id not in rules:
            entry: Mapping[str, Any] = pair.rules.get(rule_id) or {
                "area": finding["area"],
                "severity": finding["severity"],
                "title": finding["title"],
            }
            rules[rule_id] = rule(rule_id, entry, fail_on)
    return [rules[k] for k in sorted(rules)]


def _result(
    pair: PairResult, phase: str, finding: Mapping[str, Any], index: Mapping[str, int], fail_on: str
) -> dict[str, Any]:
    scope = finding["region"] or "both"
    out: dict[str, Any] = {
        "ruleId": finding["rule_id"],
        "ruleIndex": index[str(finding["rule_id"])],
        "kind": "fail",
        "level": level(str(finding["severity"]), fail_on),
        "message": {"text": finding["message"] or finding["title"]},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": pair.identity, "uriBaseId": "%SRCROOT%"}
                },
                "logicalLocations": [
                    {
                        "name": finding["resource"] or finding["rule_id"],
                        "fullyQualifiedName": f"{scope}/{finding['area']}/{finding['resource']}",
                        "kind": "resource",
                    }
                ],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding["fingerprint"]},
        "properties": {
            "pair": pair.identity,
            "phase": phase,
            "area": finding["area"],
            "severity": finding["severity"],
            "blocking": finding["blocking"],
            "region": finding["region"],
            "family": finding["family"],
            "resource": finding["resource"],
        },
    }
    waived = finding.get("waived")
    if waived:
        out["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": str(waived.get("reason", "")),
                "properties": {k: waived.get(k) for k in ("owner", "ticket", "expires")},
            }
        ]
    return out


def _run(pair: PairResult, fail_on: str) -> dict[str, Any]:
    rules = _rules(pair, fail_on)
    index = {r["id"]: i for i, r in enumerate(rules)}
    invocation: dict[str, Any] = {
        "executionSuccessful": pair.status == "judged",
        "exitCode": int(pair.exit_code),
        "properties": {"verdict": pair.verdict, "failOn": fail_on, "status": pair.status},
    }
    if pair.reason:
        invocation["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": pair.reason}}
        ]
    return {
        "tool": {
            "driver": {
                "name": "failback-checker",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"failback-checker/fleet/{pair.identity}/"},
        "invocations": [invocation],
        "columnKind": "utf16CodeUnits",
        "results": [_result(pair, phase, f, index, fail_on) for phase, f in pair.findings()],
        "properties": {
            "pair": pair.identity,
            "plan": pair.name,
            "verdict": pair.verdict,
            "primary": pair.primary,
            "secondary": pair.secondary,
            "phases": {str(d["phase"]): d["verdict"] for d in pair.decisions},
        },
    }


def document(report: FleetReport) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [_run(pair, report.fail_on) for pair in report.pairs],
        "properties": {"fleet": report.name, "partial": report.partial},
    }


def render(report: FleetReport) -> str:
    return json.dumps(document(report), indent=2, ensure_ascii=False) + "\n"
