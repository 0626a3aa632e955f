"""Build the one Rego input document and turn the engine's answer into Decisions (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from .diff import diff
from .engines.base import Engine
from .errors import EngineError
from .identity import Canon
from .model import PHASES, Change, Decision, Report, Snapshot, decision_from_dict
from .normalize import Normalized, normalize_pair
from .plan import Plan
from .policies import ENTRYPOINT

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
            p: {"writer": phases.get(p, {}).get("writer"),
                "consumer": phases.get(p, {}).get("consumer")}
            for p in PHASES
        },
        "producers": sorted(canon.text(p) for p in raw.get("producers", [])),
        "offset_strategy": raw.get("offset_strategy"),
        "transactional": bool(raw.get("transactional", False)),
        "sinks": [dict(s) for s in raw.get("sinks", [])],
        "connect": None if connect is None else {
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
        "evidence": {**DEFAULT_EVIDENCE, **{
            k: v for k, v in doc.get("evidence", {}).items() if k in DEFAULT_EVIDENCE
        }},
    }


def build_input(plan: Plan, normalized: Normalized, changes: Sequence[Change], phase: str,
                now: datetime, fail_on: str) -> dict[str, Any]:
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
        "primary": normalized.primary,
        "secondary": normalized.secondary,
        "flows": normalized.flows,
        "changes": [c.as_dict() for c in changes],
        "gaps": gaps,
    }


def decide(engine: Engine, document: Mapping[str, Any]) -> Decision:
    raw = engine.query(ENTRYPOINT, document)
    if not isinstance(raw, dict) or "verdict" not in raw:
        raise EngineError(f"{ENTRYPOINT} is undefined: the policy library is incomplete")
    return decision_from_dict(raw)


def check(plan: Plan, primary: Snapshot, secondary: Snapshot, phases: Sequence[str],
          engine: Engine, now: datetime, fail_on: str) -> Report:
    """The whole pipeline after loading: normalise, diff, evaluate each phase."""
    normalized = normalize_pair(plan, primary, secondary)
    changes = diff(normalized.primary, normalized.secondary)
    decisions = []
    document: dict[str, Any] | None = None
    for phase in phases:
        if document is None:
            document = build_input(plan, normalized, changes, phase, now, fail_on)
        else:
            document["phase"] = phase
        decisions.append(decide(engine, document))
    return Report(
        decisions=tuple(decisions),
        changes=tuple(changes),
        primary=primary,
        secondary=secondary,
        plan_name=plan.name,
        fail_on=fail_on,
    )
