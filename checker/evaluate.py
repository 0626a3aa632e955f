"""Build the one Rego input document and turn the engine's answer into Decisions (pure)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from .diff import diff
from .engines.base import Engine
from .errors import EngineError
from .identity import Canon
from .model import (
    PHASES,
    READINESS_LEVELS,
    SEVERITIES,
    SEVERITY_RANK,
    Change,
    Decision,
    Report,
    Snapshot,
    Waiver,
    decision_from_dict,
)
from .normalize import Normalized, normalize_pair
from .plan import Plan
from .policy.locate import ENTRYPOINT

DEFAULT_EVIDENCE = {
    "max_snapshot_skew_hours": 24,
    "max_snapshot_age_hours": 168,
    "rehearsal_max_age_days": 90,
}


def _date_epoch(value: Any) -> int | None:
    if value is None:
        return None
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return int(datetime.combine(day, time(0, 0), tzinfo=UTC).timestamp())


def _family(raw: Mapping[str, Any], canon: Canon, counts: Mapping[str, int]) -> dict[str, Any]:
    phases = raw.get("phases", {})
    evidence = raw.get("evidence", {})
    connect = raw.get("connect")
    return {
        "owner": raw.get("owner"),
        "tier": int(raw.get("tier", 3)),
        "match": list(raw["match"]),
        "phases": {
            p: {
                "writer": phases.get(p, {}).get("writer"),
                "consumer": phases.get(p, {}).get("consumer"),
            }
            for p in PHASES
        },
        "producers": sorted(canon.text(p) for p in raw.get("producers", [])),
        "offset_strategy": raw.get("offset_strategy"),
        "transactional": bool(raw.get("transactional", False)),
        "sinks": [dict(s) for s in raw.get("sinks", [])],
        "connect": None
        if connect is None
        else {
            "internal_topics": list(connect.get("internal_topics", [])),
            "recreate": bool(connect.get("recreate", False)),
        },
        "evidence": {
            p: {
                "runbook": evidence.get(p, {}).get("runbook"),
                "rehearsed_epoch": _date_epoch(evidence.get(p, {}).get("last_rehearsal")),
                "metrics": len(evidence.get(p, {}).get("metrics", [])),
                "alerts": len(evidence.get(p, {}).get("alerts", [])),
            }
            for p in PHASES
        },
        "topic_count": counts.get(raw["name"], 0),
    }


def plan_input(plan: Plan, normalized: Normalized) -> dict[str, Any]:
    doc = plan.document
    canon = Canon(plan.equivalences())
    counts: dict[str, int] = {}
    topics = {**normalized.primary["topics"], **normalized.secondary["topics"]}
    for record in topics.values():
        if record["family"]:
            counts[record["family"]] = counts.get(record["family"], 0) + 1
    cost = doc.get("cost", {})
    rollback = doc.get("rollback", {})
    return {
        "name": plan.name,
        "current_phase": plan.current_phase,
        "regions": {"primary": plan.primary.name, "secondary": plan.secondary.name},
        "families": {f.name: _family(f.document, canon, counts) for f in plan.families},
        "replicator_principals": list(plan.replicator_principals()),
        "rollback": {
            "stop_point": rollback.get("stop_point"),
            "return_path": rollback.get("return_path"),
        },
        "cost": {
            "max_dual_region_days": cost.get("max_dual_region_days"),
            "dual_region_since_epoch": _date_epoch(cost.get("dual_region_since")),
            "owner": cost.get("owner"),
        },
        "evidence": {
            **DEFAULT_EVIDENCE,
            **{k: v for k, v in doc.get("evidence", {}).items() if k in DEFAULT_EVIDENCE},
        },
    }


def _without_grants(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k != "grants"}


def build_input(
    plan: Plan,
    normalized: Normalized,
    changes: Sequence[Change],
    phase: str,
    now: datetime,
    fail_on: str,
) -> dict[str, Any]:
    out_of_scope = set(plan.document.get("evidence", {}).get("out_of_scope", []))
    gaps = [
        {**gap, "in_scope": gap["area"] not in out_of_scope}
        for side in (normalized.primary, normalized.secondary)
        for gap in side["gaps"]
    ]
    return {
        "phase": phase,
        "now": int(now.timestamp()),
        "options": {"fail_on": fail_on},
        "plan": plan_input(plan, normalized),
        # grants reach the policies through `changes` and `facts`: the full keyed map is the
        # bulk of a large estate and no rule needs it
        "primary": _without_grants(normalized.primary),
        "secondary": _without_grants(normalized.secondary),
        "flows": normalized.flows,
        "changes": [c.as_dict() for c in changes],
        "gaps": gaps,
    }


def decide(engine: Engine, document: Mapping[str, Any]) -> Decision:
    raw = engine.query(ENTRYPOINT, document)
    if not isinstance(raw, dict) or "verdict" not in raw:
        raise EngineError(f"{ENTRYPOINT} is undefined: the policy library is incomplete")
    return decision_from_dict(raw)


@dataclass(frozen=True)
class Exceptions:
    """What may stop findings from blocking after evaluation: waivers and a baseline."""

    waivers: tuple[Waiver, ...] = ()
    waiver_file: str | None = None
    baseline: frozenset[str] | None = None
    baseline_file: str | None = None


# --- after evaluation: the same rules as policies/failback/main/main.rego, in Python --------
# Waivers and baselines change which findings block; the verdict, the summary and the
# scorecard's lowering are then recomputed exactly as main.rego (and readiness.rego) compute
# them, so the decision does not depend on the engine.

_LOWER = dict(zip(READINESS_LEVELS, ("unwritten", *READINESS_LEVELS[:-1]), strict=True))
_LOWERED = "lowered by blocking findings: "


def _v(value: Any) -> str:
    return "null" if value is None else str(value)


def sort_key(finding: Mapping[str, Any]) -> str:
    """main.rego's sort_key: severity (worst first), rule id, region, family, resource, message."""
    return "|".join(
        [
            str(4 - SEVERITY_RANK.get(str(finding.get("severity")), 0)),
            str(finding.get("rule_id")),
            _v(finding.get("region")),
            _v(finding.get("family")),
            _v(finding.get("resource")),
            _v(finding.get("message")),
        ]
    )


def with_fingerprints(decision: Decision) -> Decision:
    from .baseline import fingerprint_of

    findings = [
        {**f, "fingerprint": fingerprint_of(f), "waived": None, "known": False}
        for f in decision.raw.get("findings", [])
    ]
    return decision_from_dict({**decision.raw, "findings": findings})


def _lowering(findings: Sequence[Mapping[str, Any]]) -> dict[Any, set[str]]:
    """readiness.rego's lowering index: rule ids of blocking findings by family (None: about
    no family, lowering every family), built once per decision, not once per cell."""
    index: dict[Any, set[str]] = defaultdict(set)
    for f in findings:
        if f.get("rule_id") != "RDY-001" and f.get("blocking") is True:
            index[f.get("family")].add(str(f["rule_id"]))
    return index


def _cell(cell: Mapping[str, Any], phase: str, index: Mapping[Any, set[str]]) -> dict[str, Any]:
    """readiness.rego's cell with the lowering recomputed (evidence_level is engine-computed)."""
    if cell["phase"] != phase:
        return dict(cell)
    ids = sorted(index.get(None, set()) | index.get(cell["family"], set()))
    evidence = str(cell["evidence_level"])
    reasons = [r for r in cell.get("reasons", []) if not str(r).startswith(_LOWERED)]
    if ids:
        reasons.append(_LOWERED + ", ".join(ids))
    next_step = cell.get("next_step", "")
    if evidence == "operationalized":
        next_step = "resolve the blocking findings" if ids else ""
    return {
        **cell,
        "level": _LOWER[evidence] if ids else evidence,
        "reasons": reasons,
        "next_step": next_step,
    }


def rejudge(decision: Decision, findings: Sequence[Mapping[str, Any]]) -> Decision:
    """The decision again, for findings whose blocking flags changed or that were added."""
    ordered = sorted(findings, key=sort_key)  # stable: the engine's order among equal keys
    blocking = sum(1 for f in ordered if f.get("blocking") is True)
    in_scope_gaps = sum(1 for g in decision.gaps if g.get("in_scope"))
    verdict = "no-go" if blocking else "indeterminate" if in_scope_gaps else "go"
    summary = {s: sum(1 for f in ordered if f.get("severity") == s) for s in SEVERITIES}
    index = _lowering(ordered)
    scorecard = [_cell(c, decision.phase, index) for c in decision.raw.get("scorecard", [])]
    return decision_from_dict(
        {
            **decision.raw,
            "verdict": verdict,
            "findings": list(ordered),
            "summary": summary,
            "scorecard": scorecard,
        }
    )


def apply_exceptions(
    decisions: Sequence[Decision], exceptions: Exceptions, plan: Plan, now: datetime, fail_on: str
) -> tuple[list[Decision], dict[str, Any]]:
    """Waivers, then the baseline; returns the decisions and what Report records of them."""
    from .baseline import apply_baseline
    from .waivers import apply_waivers

    extra: dict[str, Any] = {}
    findings = [[dict(f) for f in d.raw.get("findings", [])] for d in decisions]
    changed = False
    if exceptions.waiver_file is not None:
        regions = {"primary": plan.primary.name, "secondary": plan.secondary.name}
        findings, extra["waivers"] = apply_waivers(
            decisions, exceptions.waivers, exceptions.waiver_file, now, fail_on, regions
        )
        changed = True
    if exceptions.baseline is not None and exceptions.baseline_file is not None:
        findings, extra["baseline"] = apply_baseline(
            decisions, findings, exceptions.baseline, exceptions.baseline_file
        )
        changed = True
    if not changed:
        return list(decisions), extra
    return [rejudge(d, f) for d, f in zip(decisions, findings, strict=True)], extra


def check(
    plan: Plan,
    primary: Snapshot,
    secondary: Snapshot,
    phases: Sequence[str],
    engine: Engine,
    now: datetime,
    fail_on: str,
    exceptions: Exceptions | None = None,
) -> Report:
    """The whole pipeline after loading: normalise, diff, evaluate each phase, apply waivers
    and the baseline."""
    normalized = normalize_pair(plan, primary, secondary)
    changes = diff(normalized.primary, normalized.secondary)
    decisions = []
    document: dict[str, Any] | None = None
    for phase in phases:
        if document is None:
            document = build_input(plan, normalized, changes, phase, now, fail_on)
        else:
            document["phase"] = phase
        decisions.append(with_fingerprints(decide(engine, document)))
    decisions, extra = apply_exceptions(decisions, exceptions or Exceptions(), plan, now, fail_on)
    return Report(
        decisions=tuple(decisions),
        changes=tuple(changes),
        primary=primary,
        secondary=secondary,
        plan_name=plan.name,
        fail_on=fail_on,
        plan_path=None if plan.path is None else str(plan.path),
        waivers=extra.get("waivers"),
        baseline=extra.get("baseline"),
    )
