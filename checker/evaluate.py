"""Build the one Rego input document and turn the engine's answer into Decisions (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from . import collector
from .diff import diff
from .engines.base import Engine
from .errors import EngineError, InputError
from .exceptions import Exceptions, policy_input, uses
from .identity import Canon
from .model import PHASES, Change, Decision, Report, Severity, Snapshot, decision_from_dict
from .normalize import Normalized, normalize_pair
from .plan import Evidence, Family, Fence, Outage, Plan
from .policy.catalog import catalog_of
from .policy.locate import ENTRYPOINT


def _date_epoch(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):  # a plan's families repeat a few dates
        return _text_date_epoch(value)
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return int(datetime.combine(day, time(0, 0), tzinfo=UTC).timestamp())


@lru_cache(maxsize=1024)
def _text_date_epoch(value: str) -> int:
    return int(datetime.combine(date.fromisoformat(value), time(0, 0), tzinfo=UTC).timestamp())


def _measured(record: Mapping[str, Any] | None) -> int | None:
    """When a rehearsal record's watch passed (its end), else None."""
    if record is None or record.get("result") != "passed" or not record.get("ended_at"):
        return None
    return int(datetime.fromisoformat(str(record["ended_at"]).replace("Z", "+00:00")).timestamp())


def _rehearsed(evidence: Evidence, records: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The evidence of a phase as the policies read it: its runbook, the rehearsal (the typed
    date or a passed rehearsal record, the later of the two; `record`: what the cited record
    shows) and how many metrics and alerts it names."""
    record = records.get(evidence.rehearsal_record) if evidence.rehearsal_record else None
    dated = _date_epoch(evidence.last_rehearsal)
    if record is None:  # most families: no record to weigh
        return {
            "runbook": evidence.runbook,
            "rehearsed_epoch": dated,
            "record": None,
            "metrics": len(evidence.metrics),
            "alerts": len(evidence.alerts),
        }
    measured = _measured(record)
    epochs = [e for e in (dated, measured) if e is not None]
    return {
        "runbook": evidence.runbook,
        "rehearsed_epoch": max(epochs) if epochs else None,
        "record": {
            "path": evidence.rehearsal_record,
            "step": record["step"],
            "result": record["result"],
            "measured": measured is not None,
        },
        "metrics": len(evidence.metrics),
        "alerts": len(evidence.alerts),
    }


def _family(
    family: Family,
    canon: Canon,
    counts: Mapping[str, int],
    fence: Fence,
    records: Mapping[str, Mapping[str, Any]],
    shared: dict[Any, Any],
) -> dict[str, Any]:
    """A family as the policies read it; `shared`: the sub-documents already built (a plan's
    families repeat a few phase tables), reused rather than built again."""
    connect = family.connect
    schemas = family.schemas
    roles = family.roles()
    phases = shared.get(roles)
    if phases is None:
        phases = shared[roles] = {
            p: {"writer": writer, "consumer": consumer}
            for p, (writer, consumer) in zip(PHASES, roles, strict=True)
        }
    return {
        "owner": family.owner,
        "tier": family.tier,
        "match": list(family.match),
        "phases": phases,
        "producers": sorted(map(canon.text, family.producers)),
        "fence": {
            "mode": fence.mode,
            "routing_control": fence.routing_control,
            "runbook": fence.runbook,
        },
        "conflict_control": family.conflict_control,
        "offset_strategy": family.offset_strategy,
        "transactional": family.transactional,
        "sinks": [dict(s) for s in family.sinks],
        "connect": None
        if connect is None
        else {"internal_topics": list(connect.internal_topics), "recreate": connect.recreate},
        "evidence": {
            p: _rehearsed(e, records) for p, e in zip(PHASES, family.evidences(), strict=True)
        },
        "topic_count": counts.get(family.name, 0),
        "schemas": None
        if schemas is None
        else {"kind": schemas.kind, "version_ids": schemas.version_ids},
    }


def plan_input(plan: Plan, normalized: Normalized) -> dict[str, Any]:
    canon = Canon(plan.equivalences())
    counts: dict[str, int] = {}
    topics = {**normalized.primary["topics"], **normalized.secondary["topics"]}
    for record in topics.values():
        if record["family"]:
            counts[record["family"]] = counts.get(record["family"], 0) + 1
    cost = plan.cost
    rollback = plan.rollback
    shared: dict[Any, Any] = {}
    return {
        "name": plan.name,
        "current_phase": plan.current_phase,
        "regions": {"primary": plan.primary.name, "secondary": plan.secondary.name},
        "families": {
            f.name: _family(f, canon, counts, plan.fence(f), plan.rehearsals, shared)
            for f in plan.families
        },
        "replicator_principals": list(plan.replicator_principals()),
        "rollback": {"stop_point": rollback.stop_point, "return_path": rollback.return_path},
        "cost": {
            "max_dual_region_days": cost.max_dual_region_days,
            "dual_region_since_epoch": _date_epoch(cost.dual_region_since),
            "owner": cost.owner,
        },
        "evidence": plan.evidence_settings,
        "failback_steps": [plan.step_input(step) for step in plan.failback_steps],
    }


@dataclass(frozen=True)
class Situation:
    """Where the estate is: the failback step asked about (--step) and a declared outage
    (whose impaired region may have no snapshot)."""

    step: str | None = None
    outage: Outage | None = None
    snapshot_absent: bool = False


def _without_grants(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k != "grants"}


def build_input(
    plan: Plan,
    normalized: Normalized,
    changes: Sequence[Change],
    phase: str,
    now: datetime,
    fail_on: str,
    exceptions: Exceptions | None = None,
    situation: Situation | None = None,
) -> dict[str, Any]:
    """The one input document; `exceptions` only when a waiver file or baseline was given."""
    out_of_scope = plan.out_of_scope
    if not plan.uses_schemas:
        out_of_scope = out_of_scope | {"schemas"}  # no family uses a schema registry
    # runtime gaps never make the phase indeterminate: the steps whose runtime gates need the
    # evidence await it (failback.runtime), and the RT rules judge what was measured
    out_of_scope = out_of_scope | {"runtime"}
    gaps = [
        {**gap, "in_scope": gap["area"] not in out_of_scope}
        for side in (normalized.primary, normalized.secondary)
        for gap in side["gaps"]
    ]
    document = {
        "phase": phase,
        "now": int(now.timestamp()),
        "options": {"fail_on": fail_on},
        "plan": plan_input(plan, normalized),
        # grants reach the policies through `changes` and `facts`: the full keyed map is the
        # bulk of a large estate and no rule needs it
        "primary": _without_grants(normalized.primary),
        "secondary": _without_grants(normalized.secondary),
        "flows": normalized.flows,
        "replication": normalized.replication,
        "runtime": normalized.runtime,
        "changes": [c.as_dict() for c in changes],
        "gaps": gaps,
    }
    if exceptions is not None and exceptions.given:
        document["exceptions"] = policy_input(exceptions)
    situation = situation or Situation()
    if situation.step is not None:
        document["step"] = situation.step
    if situation.outage is not None:
        outage = situation.outage
        document["outage"] = {
            "impaired": outage.role,
            "region": outage.region,
            "since": outage.since,
            "declared_by": outage.declared_by,
            "snapshot": "absent" if situation.snapshot_absent else "given",
        }
    return document


def check_gates(plan: Plan, catalog: Mapping[str, Any]) -> None:
    """Every rule id a failback step gates on is a rule of the catalog (a typo would gate
    nothing)."""
    for step in plan.failback_steps:
        unknown = sorted(set(step.rules) - set(catalog))
        if unknown:
            raise InputError(
                f"plan {plan.path or plan.name}: failback step {step.name!r} gates on unknown "
                f"rule {', '.join(unknown)}"
            )


def decide(engine: Engine, document: Mapping[str, Any]) -> Decision:
    raw = engine.query(ENTRYPOINT, document)
    if not isinstance(raw, dict) or "verdict" not in raw:
        raise EngineError(f"{ENTRYPOINT} is undefined: the policy library is incomplete")
    return decision_from_dict(raw)


def check(
    plan: Plan,
    primary: Snapshot,
    secondary: Snapshot,
    phases: Sequence[str],
    engine: Engine,
    now: datetime,
    fail_on: Severity,
    exceptions: Exceptions | None = None,
    situation: Situation | None = None,
) -> Report:
    """The whole pipeline after loading: normalise, diff, evaluate each phase (the policies
    apply waivers and the baseline, the outage and the failback steps), and the catalog of the
    engine that judged."""
    exceptions = exceptions or Exceptions()
    catalog = catalog_of(engine)
    check_gates(plan, catalog)
    decisions = []
    with collector.paused():  # millions of live objects, no cycles to find
        normalized = normalize_pair(plan, primary, secondary)
        changes = diff(normalized.primary, normalized.secondary)
        # the grants are diffed and done with: no rule reads them (a large estate's bulk)
        normalized = replace(
            normalized,
            primary=_without_grants(normalized.primary),
            secondary=_without_grants(normalized.secondary),
        )
        document: dict[str, Any] | None = None
        for phase in phases:
            if document is None:
                document = build_input(
                    plan, normalized, changes, phase, now, fail_on, exceptions, situation
                )
            else:
                document["phase"] = phase
            decisions.append(decide(engine, document))
    waiver_use, baseline_use = uses(exceptions, decisions)
    return Report(
        decisions=tuple(decisions),
        changes=tuple(changes),
        primary=primary,
        secondary=secondary,
        plan_name=plan.name,
        fail_on=fail_on,
        plan_path=None if plan.path is None else str(plan.path),
        waivers=waiver_use,
        baseline=baseline_use,
        catalog=catalog,
        runtime=normalized.runtime,
        judged_at=now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
