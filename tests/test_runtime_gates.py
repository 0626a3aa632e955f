"""Runtime gates (issue #16): the runtime facts Python derives (checker/runtime.py) and the
failback steps' verdicts on them, judged by both engines with the same expectations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from checker.engines.base import Engine
from checker.evaluate import Situation, check
from checker.model import Decision
from checker.plan import DEFAULT_FAILBACK_STEPS, parse_plan
from checker.runtime import derive
from checker.snapshot import parse_snapshot

from .opa_support import ENGINE_PARAMS, loaded_engine
from .runtime_support import behind, with_runtime
from .setups import documents

WHEN = datetime(2026, 11, 29, tzinfo=UTC)
STEPS = tuple(step.name for step in DEFAULT_FAILBACK_STEPS)
TOPIC = "payments.authorizations"


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield from loaded_engine(request.param)


def failback(
    engine: Engine, plan: dict[str, Any], primary: dict[str, Any], secondary: dict[str, Any]
) -> Decision:
    report = check(
        parse_plan(plan, "plan"),
        parse_snapshot(primary, "primary"),
        parse_snapshot(secondary, "secondary"),
        ("failback",),
        engine,
        WHEN,
        "high",
        None,
        Situation(),
    )
    return report.decisions[0]


def verdicts(decision: Decision) -> list[tuple[str, str]]:
    return [(s.name, s.verdict) for s in decision.steps]


def rt_findings(decision: Decision) -> list[tuple[str, str | None, str | None]]:
    return sorted(
        (f.rule_id, f.resource, f.family) for f in decision.findings if f.rule_id.startswith("RT-")
    )


def test_caught_up_estate_lets_every_step_start(engine: Engine) -> None:
    plan, primary, secondary = documents()
    with_runtime(primary, secondary)
    decision = failback(engine, plan, primary, secondary)
    assert verdicts(decision) == [(name, "go") for name in STEPS]
    assert rt_findings(decision) == []
    assert all(s.awaiting == () for s in decision.steps)


def test_no_runtime_evidence_leaves_the_runtime_gated_steps_indeterminate(engine: Engine) -> None:
    plan, primary, secondary = documents()
    decision = failback(engine, plan, primary, secondary)
    assert decision.verdict == "go"  # the configuration-level verdict of the phase
    assert verdicts(decision) == [(name, "indeterminate") for name in STEPS]
    assert decision.steps[0].awaiting == (
        "no runtime evidence (sample it: failback watch, failback export --runtime)",
    )


def test_lag_holds_drain_and_says_by_how_much(engine: Engine) -> None:
    plan, primary, secondary = documents()
    with_runtime(primary, secondary)
    behind(secondary, primary, TOPIC, 1842, 37)  # the failback flow runs secondary -> primary
    decision = failback(engine, plan, primary, secondary)
    assert verdicts(decision) == [
        ("replicate-back", "go"),
        ("move-producers", "go"),
        ("drain", "no-go"),
        ("move-consumers", "no-go"),
        ("stop-reverse-flow", "no-go"),
        ("clean-up", "no-go"),
    ]
    assert rt_findings(decision) == [
        ("RT-001", "payments-usw2-to-use1:payments-core", "payments-core")
    ]
    [held] = decision.steps[2].held_by
    assert held["gate"] == "drain"
    assert held["message"] == (
        "Failback flow payments-usw2-to-use1 for payments-core: 1842 records / 37 s behind, "
        "gate 0 records"
    )


def test_lag_over_a_minute_holds_replicate_back(engine: Engine) -> None:
    plan, primary, secondary = documents()
    with_runtime(primary, secondary)
    behind(secondary, primary, TOPIC, 5, 90)
    decision = failback(engine, plan, primary, secondary)
    assert [v for _, v in verdicts(decision)] == ["no-go"] * 6
    [finding] = [f for f in decision.findings if f.rule_id == "RT-001"]
    assert finding.message.endswith("5 records / 90 s behind, gate 60 s")


def test_a_family_override_relaxes_the_drain_gate(engine: Engine) -> None:
    plan, primary, secondary = documents()
    with_runtime(primary, secondary)
    behind(secondary, primary, TOPIC, 1842, 37)
    family = next(f for f in plan["topic_families"] if f["name"] == "payments-core")
    family["runtime_gates"] = {"drain": {"max_lag_records": 5000}}
    decision = failback(engine, plan, primary, secondary)
    assert verdicts(decision) == [(name, "go") for name in STEPS]


def test_offline_partition_holds_every_step(engine: Engine) -> None:
    plan, primary, secondary = documents()
    with_runtime(primary, secondary)
    partition = primary["runtime"]["topics"][TOPIC]["partitions"]["1"]
    partition.update(leader=None, isr=0, end_offset=None)
    # the exporter also records a runtime gap for it: the measured facts are still judged
    primary.setdefault("gaps", []).append(
        {"area": "runtime", "reason": "LEADER_NOT_AVAILABLE", "call": "ListOffsets"}
    )
    decision = failback(engine, plan, primary, secondary)
    assert [v for _, v in verdicts(decision)] == ["no-go"] * 6
    assert rt_findings(decision) == [("RT-002", "payments-core", "payments-core")]
    [finding] = [f for f in decision.findings if f.rule_id == "RT-002"]
    assert finding.region == "primary"
    assert f"{TOPIC}-1" in finding.message
    assert "runtime evidence gap in the primary: LEADER_NOT_AVAILABLE" in decision.steps[0].awaiting


def test_stale_runtime_evidence_is_indeterminate(engine: Engine) -> None:
    plan, primary, secondary = documents()
    with_runtime(primary, secondary, captured_at="2026-11-28T23:00:00Z")
    decision = failback(engine, plan, primary, secondary)
    assert decision.verdict == "indeterminate"
    assert [v for _, v in verdicts(decision)] == ["indeterminate"] * 6
    assert rt_findings(decision) == [("RT-005", "primary", None), ("RT-005", "secondary", None)]


def groups(offsets: dict[str, int], members: int) -> dict[str, Any]:
    return {
        "ledger-reader": {
            "state": "Stable" if members else "Empty",
            "members": members,
            "offsets": {TOPIC: {p: o for p, o in offsets.items()}},
        }
    }


def test_offset_gap_and_dual_active_groups_hold_move_consumers(engine: Engine) -> None:
    plan, primary, secondary = documents()
    with_runtime(primary, secondary)
    secondary["runtime"]["groups"] = groups({"0": 90}, 2)
    primary["runtime"]["groups"] = groups({"0": 60}, 1)
    # MSK Replicator keeps no checkpoints here: untranslatable -> awaiting, not go
    decision = failback(engine, plan, primary, secondary)
    consumers = decision.steps[3]
    assert consumers.name == "move-consumers" and consumers.verdict == "no-go"
    assert rt_findings(decision) == [("RT-004", "ledger-reader", "payments-core")]
    assert consumers.awaiting == (
        "flow payments-usw2-to-use1: consumer group ledger-reader's offsets cannot be "
        "translated (1 partition(s) without a checkpoint)",
    )
    primary["runtime"]["groups"] = {}
    primary["runtime"]["checkpoints"] = {
        "us-west-2": {"ledger-reader": {TOPIC: {"0": {"upstream": 80, "downstream": 70}}}}
    }
    decision = failback(engine, plan, primary, secondary)
    assert rt_findings(decision) == [("RT-003", "ledger-reader", "payments-core")]
    [finding] = [f for f in decision.findings if f.rule_id == "RT-003"]
    assert "would re-read 10 and skip 0 records" in finding.message
    assert decision.steps[3].verdict == "no-go" and decision.steps[2].verdict == "go"


# --- the derivation alone ------------------------------------------------------------------------


def partition(end: int | None, newest: int | None, leader: int | None = 1) -> dict[str, Any]:
    return {"end_offset": end, "max_timestamp": newest, "leader": leader, "replicas": 3, "isr": 3}


def test_derive_measures_lag_per_partition_with_prefixed_names() -> None:
    source: dict[str, Any] = {
        "captured_at": "2026-11-29T00:00:00Z",
        "topics": {"orders": {"partitions": {"0": partition(120, 50_000), "1": partition(7, 1)}}},
    }
    target: dict[str, Any] = {
        "captured_at": "2026-11-29T00:00:05Z",
        "topics": {
            "src.orders": {"partitions": {"0": partition(100, 13_000), "1": partition(7, 1)}}
        },
    }
    flows = {
        "mm2|secondary->primary": {
            "name": "mm2",
            "tool": "mirrormaker2",
            "source": "secondary",
            "target": "primary",
            "naming": "prefixed",
            "prefix": "src",
            "source_region": "us-west-2",
            "topics": ["orders"],
        }
    }
    facts = derive(
        {"primary": target, "secondary": source},
        flows,
        {"secondary": {"orders": "orders"}, "primary": {"orders": "src.orders"}},
        lambda role, topic: "orders-family",
    )
    lag = facts["flows"]["mm2|secondary->primary"]["families"]["orders-family"]
    assert (lag["records"], lag["seconds"], lag["lagging_partitions"]) == (20, 37.0, 1)
    # per partition: partition 0 is 120 - 100 behind, partition 1 caught up
    assert lag["behind"] == [{"topic": "orders", "partition": 0, "records": 20}]
    assert lag["unmeasured"] == []
    assert facts["captured_epoch"] == {"primary": 1795910405, "secondary": 1795910400}
    # an unreadable end offset is unmeasured, never caught up
    source["topics"]["orders"]["partitions"]["1"] = partition(None, None, leader=None)
    facts = derive(
        {"primary": target, "secondary": source},
        flows,
        {"secondary": {"orders": "orders"}, "primary": {"orders": "src.orders"}},
        lambda role, topic: "orders-family",
    )
    lag = facts["flows"]["mm2|secondary->primary"]["families"]["orders-family"]
    assert lag["unmeasured"] == ["orders-1"]
    assert facts["health"]["orders-family"]["secondary"]["offline"] == 1


def test_derive_translates_checkpoints_into_reread_and_skip() -> None:
    source = {
        "captured_at": "2026-11-29T00:00:00Z",
        "topics": {"orders": {"partitions": {"0": partition(100, 1), "1": partition(100, 1)}}},
        "groups": {
            "g": {"state": "Stable", "members": 1, "offsets": {"orders": {"0": 90, "1": 50}}}
        },
    }
    target = {
        "captured_at": "2026-11-29T00:00:00Z",
        "topics": {"orders": {"partitions": {"0": partition(100, 1), "1": partition(100, 1)}}},
        "groups": {"g": {"state": "Empty", "members": 0, "offsets": {"orders": {"1": 45}}}},
        "checkpoints": {
            "west": {
                "g": {
                    "orders": {
                        "0": {"upstream": 85, "downstream": 80},
                        "1": {"upstream": 50, "downstream": 40},
                    }
                }
            }
        },
    }
    flows = {
        "f|secondary->primary": {
            "name": "f",
            "tool": "mirrormaker2",
            "source": "secondary",
            "target": "primary",
            "naming": "identical",
            "prefix": None,
            "source_region": "west",
            "topics": ["orders"],
        }
    }
    facts = derive(
        {"primary": target, "secondary": source},
        flows,
        {},
        lambda role, topic: "fam",
    )
    group = facts["flows"]["f|secondary->primary"]["families"]["fam"]["groups"]["g"]
    # partition 0: 90 - 85 = 5 re-read; partition 1: committed at the checkpoint, but the
    # target group sits at 45, ahead of the translated 40: 5 skipped
    assert (group["reread"], group["skip"], group["gap"]) == (5, 5, 10)
    assert (group["active_source"], group["active_target"]) == (True, False)
    assert group["basis"] == ["checkpoints"]
