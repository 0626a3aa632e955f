"""The Rego input's families built with less per-family work (roles and evidence of every phase
read at once, phase tables shared between families, runtime gates found once per plan) and the
engine's scorecard read back with a lighter `from_dict`: held to the way they were built before,
on every fixture plan and on generated families."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.errors import EngineError
from checker.evaluate import _rehearsed, plan_input
from checker.identity import Canon
from checker.model import PHASES, READINESS_LEVELS, ScoreCell
from checker.normalize import Normalized, normalize_pair
from checker.plan import Evidence, Family, Fence, Plan, Step, load_plan, parse_plan
from checker.snapshot import load_snapshot

ROOT = Path(__file__).resolve().parents[1]
PLANS = sorted((ROOT / "fixtures").rglob("failback*.yaml"))


def _old_evidence(family: Family, phase: str) -> Evidence:
    raw: Mapping[str, Any] = family.document.get("evidence", {}).get(phase, {})

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return Evidence(
        runbook=text(raw.get("runbook")),
        last_rehearsal=text(raw.get("last_rehearsal")),
        metrics=tuple(str(m) for m in raw.get("metrics", [])),
        alerts=tuple(str(a) for a in raw.get("alerts", [])),
        rehearsal_record=text(raw.get("rehearsal_record")),
    )


def _old_family(
    family: Family,
    canon: Canon,
    counts: Mapping[str, int],
    fence: Fence,
    records: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """evaluate._family as it was: every phase's roles and evidence looked up one by one."""
    connect = family.connect
    return {
        "owner": family.owner,
        "tier": family.tier,
        "match": list(family.match),
        "phases": {
            p: {"writer": family.role(p, "writer"), "consumer": family.role(p, "consumer")}
            for p in PHASES
        },
        "producers": sorted(canon.text(p) for p in family.producers),
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
        "evidence": {p: _rehearsed(_old_evidence(family, p), records) for p in PHASES},
        "topic_count": counts.get(family.name, 0),
        "schemas": None
        if family.schemas is None
        else {"kind": family.schemas.kind, "version_ids": family.schemas.version_ids},
    }


def _old_step_input(plan: Plan, step: Step) -> dict[str, Any]:
    overrides = {
        family.name: override
        for family in plan.families
        if (override := family.document.get("runtime_gates", {}).get(step.name)) is not None
    }
    return step.as_input(overrides)


def _reference_input(plan: Plan, counts: Mapping[str, int]) -> dict[str, Any]:
    canon = Canon(plan.equivalences())
    return {
        "families": {
            f.name: _old_family(f, canon, counts, plan.fence(f), plan.rehearsals)
            for f in plan.families
        },
        "failback_steps": [_old_step_input(plan, step) for step in plan.failback_steps],
    }


@pytest.mark.parametrize("path", PLANS, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_plans_input_is_the_reference(path: Path) -> None:
    plan = load_plan(path, allow_outside_repo=True)
    first, second = plan.primary.snapshot, plan.secondary.snapshot
    if first is None or second is None:
        # a plan read from live sources: its families' input needs no snapshot, only counts
        normalized = cast(
            Normalized, SimpleNamespace(primary={"topics": {}}, secondary={"topics": {}})
        )
    else:
        normalized = normalize_pair(plan, load_snapshot(first), load_snapshot(second))
    built = plan_input(plan, normalized)
    counts = {name: family["topic_count"] for name, family in built["families"].items()}
    reference = _reference_input(plan, counts)
    assert built["families"] == reference["families"]
    assert list(built["families"]) == list(reference["families"])
    assert built["failback_steps"] == reference["failback_steps"]


ROLE = st.sampled_from(["primary", "secondary", "both", "none"])
TEXT = st.text(alphabet="abc-/.:", min_size=1, max_size=8)
PHASE_ROLES = st.fixed_dictionaries({}, optional={"writer": ROLE, "consumer": ROLE})
EVIDENCE_RAW = st.fixed_dictionaries(
    {},
    optional={
        "runbook": TEXT,
        "last_rehearsal": st.sampled_from(["2026-10-10", "2025-01-31"]),
        "metrics": st.lists(TEXT, max_size=3),
        "alerts": st.lists(TEXT, max_size=3),
        "rehearsal_record": st.sampled_from(["records/a.json", "records/b.json"]),
    },
)
FAMILY = st.fixed_dictionaries(
    {"match": st.lists(TEXT, min_size=1, max_size=2)},
    optional={
        "owner": TEXT,
        "tier": st.integers(1, 4),
        "phases": st.dictionaries(st.sampled_from(PHASES), PHASE_ROLES),
        "producers": st.lists(TEXT, max_size=3),
        "fence": st.sampled_from(["acl", "prestaged", "read-only-mirror"]),
        "routing": st.fixed_dictionaries({}, optional={"control": TEXT, "runbook": TEXT}),
        "evidence": st.dictionaries(st.sampled_from(PHASES), EVIDENCE_RAW),
        "sinks": st.lists(
            st.fixed_dictionaries({"name": TEXT, "idempotency": st.just("idempotent")}),
            max_size=2,
        ),
        "connect": st.fixed_dictionaries(
            {}, optional={"internal_topics": st.lists(TEXT, max_size=2), "recreate": st.booleans()}
        ),
        "runtime_gates": st.dictionaries(
            st.sampled_from(["replication-caught-up", "switch-producers", "other"]),
            st.fixed_dictionaries({}, optional={"max_lag_records": st.integers(0, 9)}),
            max_size=2,
        ),
    },
)
RECORDS: dict[str, dict[str, Any]] = {
    "records/a.json": {"step": "s", "result": "passed", "ended_at": "2026-11-20T10:00:00Z"},
    "records/b.json": {"step": "s", "result": "failed", "ended_at": None},
}


def _plan(families: list[dict[str, Any]]) -> Plan:
    document = {
        "schema_version": "1.0",
        "name": "generated",
        "regions": {"primary": {"name": "east"}, "secondary": {"name": "west"}},
        "topic_families": [{"name": f"family-{i}", **f} for i, f in enumerate(families)],
        "failback_steps": [
            {"name": "replication-caught-up", "gates": {"rules": ["OFF-003"]}},
            {"name": "switch-producers"},
        ],
    }
    return replace(parse_plan(document, "generated", dates_as_text=True), rehearsals=RECORDS)


@settings(max_examples=200, deadline=None)
@given(st.lists(FAMILY, min_size=1, max_size=6))
def test_generated_families_input_is_the_reference(families: list[dict[str, Any]]) -> None:
    plan = _plan(families)

    normalized = SimpleNamespace(
        primary={"topics": {f"t{i}": {"family": f.name} for i, f in enumerate(plan.families)}},
        secondary={"topics": {}},
    )
    built = plan_input(plan, cast(Normalized, normalized))
    counts = {f.name: 1 for f in plan.families}
    assert built["families"] == _reference_input(plan, counts)["families"]
    assert built["failback_steps"] == _reference_input(plan, counts)["failback_steps"]
    for family in plan.families:
        assert family.roles() == tuple(
            (family.role(p, "writer"), family.role(p, "consumer")) for p in PHASES
        )
        assert family.evidences() == tuple(_old_evidence(family, p) for p in PHASES)
        assert all(family.evidence(p) == _old_evidence(family, p) for p in PHASES)


def _old_cell(raw: Mapping[str, Any]) -> ScoreCell:
    def member(value: object, allowed: tuple[str, ...], what: str) -> Any:
        for option in allowed:
            if value == option:
                return option
        raise EngineError(
            f"the policies answered {what} {value!r}, not one of {', '.join(allowed)}"
        )

    return ScoreCell(
        family=str(raw["family"]),
        phase=member(raw["phase"], PHASES, "scorecard phase"),
        level=member(raw["level"], READINESS_LEVELS, "level"),
        evidence_level=member(
            raw.get("evidence_level", raw["level"]), READINESS_LEVELS, "evidence level"
        ),
        reasons=tuple(str(r) for r in raw.get("reasons", [])),
        next_step=str(raw.get("next_step", "")),
    )


ANSWER = st.one_of(
    st.sampled_from([*PHASES, *READINESS_LEVELS]),
    st.text(max_size=4),
    st.integers(-2, 2),
    st.none(),
    st.lists(st.integers(0, 1), max_size=2),
)
CELL = st.fixed_dictionaries(
    {"family": TEXT | st.integers(0, 3), "phase": ANSWER, "level": ANSWER},
    optional={
        "evidence_level": ANSWER,
        "reasons": st.lists(TEXT | st.integers(0, 3), max_size=3),
        "next_step": TEXT,
    },
)


def _outcome(build: Any, raw: Mapping[str, Any]) -> Any:
    try:
        return build(raw)
    except (EngineError, KeyError) as exc:
        return (type(exc), str(exc))


@settings(max_examples=500, deadline=None)
@given(CELL)
def test_score_cell_from_dict_is_the_reference(raw: dict[str, Any]) -> None:
    assert _outcome(ScoreCell.from_dict, raw) == _outcome(_old_cell, raw)
