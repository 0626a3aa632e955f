"""The replication model (checker/replication.py) and the documented replication setups judged
end to end: the setups AWS, Apache Kafka and Confluent document are clean, their broken
variants give exactly the expected rule ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from checker.replication import build, loop_prevention, starting_position
from fixtures import generate_setups as setups

from .setups import (
    FORWARD,
    REVERSE,
    SYNCED_FAMILIES,
    documents,
    flow,
    ids,
    judge,
    prefix_topics,
)

PHASES = ("normal", "failover", "dr_operation", "failback", "cleanup")


def record(name: str, source: str, target: str, **overrides: Any) -> dict[str, Any]:
    """A normalised flow record as normalize._flows hands it to the model."""
    return {
        "name": name,
        "tool": "msk-replicator",
        "source": source,
        "target": target,
        "naming": "identical",
        "loop_protection": True,
        "offset_sync": True,
        "offset_sync_mode": "ENHANCED",
        "starting_position": None,
        "active": True,
        "healthy": True,
        "families": ["orders"],
        "topics": ["orders.created", "orders.paid"],
        **overrides,
    }


TOPICS: dict[str, dict[str, str | None]] = {
    "primary": {"orders.created": "orders", "orders.paid": "orders", "__consumer_offsets": None},
    "secondary": {"orders.created": "orders", "orders.paid": "orders", "orders.dr-only": "orders"},
}


def test_loop_prevention_follows_tool_and_naming() -> None:
    assert loop_prevention(record("a", "primary", "secondary")) == "header"
    assert loop_prevention(record("a", "primary", "secondary", naming="prefixed")) == "prefix"
    mm2 = record("a", "primary", "secondary", tool="mirrormaker2", loop_protection=True)
    assert loop_prevention(mm2) == "none"  # IdentityReplicationPolicy cannot prevent cycles
    assert loop_prevention({**mm2, "naming": "prefixed"}) == "prefix"
    link = record("a", "primary", "secondary", tool="cluster-linking")
    assert loop_prevention(link) == "declared"
    assert loop_prevention({**link, "loop_protection": False}) == "none"


def test_msk_replicator_starts_at_latest_unless_told() -> None:
    assert starting_position(record("a", "primary", "secondary")) == "LATEST"
    assert starting_position(record("a", "p", "s", starting_position="earliest")) == "EARLIEST"
    assert starting_position(record("a", "p", "s", tool="mirrormaker2")) is None


def test_identical_msk_replicators_each_way_are_a_pair() -> None:
    model = build(
        {
            "f|primary->secondary": record("f", "primary", "secondary"),
            "r|secondary->primary": record("r", "secondary", "primary", offset_sync=False),
        },
        TOPICS,
        ["orders", "empty"],
    )
    forward = model.flows["f|primary->secondary"]
    assert forward["direction"] == "primary->secondary"
    assert forward["reverse_flows"] == ["r|secondary->primary"]
    assert forward["paired_families"] == ["orders"]
    assert "topics" not in forward
    assert model.families["orders"]["pair"] is True
    assert model.families["orders"]["enhanced"] is True
    assert model.families["empty"]["pair"] is False
    back = model.families["orders"]["directions"]["secondary->primary"]
    assert back["source_topics"] == 3
    # created during DR, carried by no pattern and missing in the primary
    assert back["uncarried"] == ["orders.dr-only"]
    assert back["offset_sync"] is False


def test_no_pair_without_a_header_leg_each_way() -> None:
    flows = {
        "f|primary->secondary": record("f", "primary", "secondary"),
        "r|secondary->primary": record("r", "secondary", "primary", tool="mirrormaker2"),
    }
    model = build(flows, TOPICS, ["orders"])
    assert model.flows["f|primary->secondary"]["paired_families"] == []
    assert model.families["orders"]["pair"] is False
    stopped = {**flows, "r|secondary->primary": record("r", "secondary", "primary", active=False)}
    model = build(stopped, TOPICS, ["orders"])
    assert model.flows["f|primary->secondary"]["reverse_flows"] == []
    assert model.families["orders"]["pair"] is False
    assert model.families["orders"]["directions"]["secondary->primary"]["active"] == []


def test_checkpoints_without_group_offset_sync_are_no_sync() -> None:
    mm2 = record(
        "m", "primary", "secondary", tool="mirrormaker2", offset_sync=False, offset_sync_mode="NONE"
    )
    model = build({"m|primary->secondary": mm2}, TOPICS, ["orders"])
    assert model.flows["m|primary->secondary"]["offset_sync"] is False
    declared = {**mm2, "offset_sync": True}  # a hand-written snapshot: enabled, mode NONE
    model = build({"m|primary->secondary": declared}, TOPICS, ["orders"])
    assert model.flows["m|primary->secondary"]["offset_sync"] is False


# --- the documented setups, end to end -------------------------------------------------------


def test_msk_replicator_enhanced_pair_is_clean_in_every_phase(tmp_path: Path) -> None:
    """The shipped ready estate is the AWS bidirectional setup: ENHANCED offset sync, IDENTICAL
    names, a replicator each way. No replication rule contradicts another on it."""
    found = judge(tmp_path, *setups.msk_replicator_enhanced_pair())
    for phase in PHASES:
        assert ids(found[phase]) == [], phase
    # captured mid-failback: the producer grants fit every phase the primary writes
    assert found["normal"] == found["failback"] == found["cleanup"] == []


def test_deleting_the_reverse_replicator_leaves_enhanced_unpaired(tmp_path: Path) -> None:
    found = judge(tmp_path, *setups.enhanced_without_pair())
    unpaired = ("OFF-005", FORWARD, "secondary", None)
    assert ids(found["normal"]) == [unpaired]
    assert ids(found["cleanup"]) == [unpaired]


def test_enhanced_with_prefixed_names_is_unpaired(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    for document, alias, name in ((secondary, "use1", FORWARD), (primary, "usw2", REVERSE)):
        flow(document, name).update(topic_naming="prefixed", prefix=alias)
        prefix_topics(document, alias)
    found = judge(tmp_path, plan, primary, secondary)
    assert ids(found["normal"]) == [
        ("OFF-005", FORWARD, "secondary", None),
        ("OFF-005", REVERSE, "primary", None),
    ]


def test_mirrormaker_default_policy_both_ways_is_clean(tmp_path: Path) -> None:
    found = judge(tmp_path, *setups.mm2_default_policy_both_ways())
    for phase in PHASES:
        assert ids(found[phase]) == [], phase
    assert found["normal"] == found["failback"] == found["cleanup"] == []


def test_mirrormaker_identity_policy_both_ways_loops(tmp_path: Path) -> None:
    plan, primary, secondary = setups.mm2_identity_both_ways()
    found = judge(tmp_path, plan, primary, secondary)
    families = sorted(plan_family["name"] for plan_family in plan["topic_families"])
    loops = [("REP-002", f"{FORWARD} <-> {REVERSE}", None, name) for name in families]
    assert ids(found["failback"]) == loops
    # ... and in normal the reverse flow also writes into the writer
    assert ids(found["normal"]) == sorted(
        loops + [("REP-001", REVERSE, "primary", name) for name in families]
    )


# --- failback prerequisites ------------------------------------------------------------------

ALL_FAMILIES = (
    "analytics",
    "customer",
    "fraud",
    "integrations",
    "ledger",
    "notifications",
    "payments-core",
)


def test_reverse_flow_starting_at_latest_loses_dr_writes(tmp_path: Path) -> None:
    found = judge(tmp_path, *setups.reverse_flow_at_latest())
    for phase in ("dr_operation", "failback"):
        assert ids(found[phase]) == [("REP-005", REVERSE, "primary", None)], phase
    assert ids(found["normal"]) == []


def test_reverse_flow_carrying_one_of_twelve_topics(tmp_path: Path) -> None:
    plan, primary, secondary = setups.reverse_flow_one_of_twelve()
    assert r"payments\.authorizations" in flow(primary, REVERSE)["topics_include"]
    found = judge(tmp_path, plan, primary, secondary)
    [finding] = [f for f in found["failback"] if f["rule_id"] == "REP-006"]
    assert finding["message"].startswith(
        "11 of the 12 topics of family payments-core in the secondary reach the primary through "
        "no active flow: payments.captures, payments.card-tokens,"
    )
    for phase in ("dr_operation", "failback"):
        assert ids(found[phase]) == [("REP-006", "payments-core", "primary", "payments-core")]
    assert ids(found["normal"]) == []


def test_topic_created_during_dr_must_come_back(tmp_path: Path) -> None:
    found = judge(tmp_path, *setups.topic_created_during_dr())
    [finding] = [f for f in found["failback"] if f["rule_id"] == "REP-006"]
    assert finding["message"] == (
        "1 of the 11 topics of family ledger in the secondary reach the primary through no "
        "active flow: ledger.dr-corrections"
    )
    assert ids(found["failback"]) == [("REP-006", "ledger", "primary", "ledger")]


def test_forward_flow_stopped_during_failback(tmp_path: Path) -> None:
    found = judge(tmp_path, *setups.forward_flow_stopped())
    rollback = [("RB-002", name, "secondary", name) for name in ALL_FAMILIES]
    # the reverse ENHANCED replicator has lost its pair too, and the offsets of the consumers
    # now active in the primary reach the secondary no more
    unpaired = ("OFF-005", REVERSE, "primary", None)
    unsynced = [("OFF-001", name, "primary", name) for name in SYNCED_FAMILIES]
    assert ids(found["failback"]) == sorted([*rollback, unpaired, *unsynced])


def test_consumers_active_in_both_regions(tmp_path: Path) -> None:
    """One group active in both regions is CA-002 in every phase (OFF-006 was folded into it)."""
    found = judge(tmp_path, *setups.consumers_active_in_both_regions())
    expected = [("CA-002", "ledger-reader.ledger on ledger", None, "ledger")]
    for phase in PHASES:
        assert ids(found[phase]) == [], phase
        consumer = ids(found[phase], frozenset({"consumer_authority"}))
        assert [c for c in consumer if c[0] == "CA-002"] == expected, phase
    for phase in ("normal", "failback", "cleanup"):  # the estate is one of normal operation
        assert [f["rule_id"] for f in found[phase]] == ["CA-002"], phase
    [finding] = found["failback"]
    assert (finding["primary"], finding["secondary"]) == ("active", "active")


def test_mirrormaker_one_way_with_checkpoints_has_no_way_back(tmp_path: Path) -> None:
    """The usual failover setup: clean until DR operation, then nothing carries data or
    offsets back (checkpoints flow one way only)."""
    found = judge(tmp_path, *setups.mm2_one_way_with_checkpoints())
    assert ids(found["normal"]) == ids(found["cleanup"]) == []
    no_way_back = [("REP-006", name, "primary", name) for name in ALL_FAMILIES]
    no_offsets = [("OFF-003", name, "primary", name) for name in SYNCED_FAMILIES]
    for phase in ("dr_operation", "failback"):
        assert ids(found[phase]) == sorted(no_way_back + no_offsets), phase
    messages = {f["family"]: f["message"] for f in found["failback"] if f["rule_id"] == "REP-006"}
    assert messages["ledger"].startswith(
        "10 of the 10 topics of family ledger in the secondary reach the primary"
    )


# --- offsets ---------------------------------------------------------------------------------


def test_mirrormaker_checkpoints_without_group_offset_sync_sync_nothing(tmp_path: Path) -> None:
    """DefaultReplicationPolicy both ways, checkpoints emitted, sync.group.offsets.enabled left
    at its default (false): the checkpoints land in <alias>.checkpoints.internal and no group
    offset is committed on the target."""
    plan, primary, secondary = setups.mm2_default_policy_both_ways()
    for document, name in ((secondary, FORWARD), (primary, REVERSE)):
        flow(document, name)["offset_sync"]["enabled"] = False
    found = judge(tmp_path, plan, primary, secondary)
    unsynced = [("OFF-001", name, "primary", name) for name in SYNCED_FAMILIES]
    no_way_back = [("OFF-003", name, "primary", name) for name in SYNCED_FAMILIES]
    assert ids(found["normal"]) == unsynced
    assert ids(found["failback"]) == sorted(unsynced + no_way_back)


def test_translated_offsets_into_a_non_idempotent_sink(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    ledger = next(f for f in plan["topic_families"] if f["name"] == "ledger")
    ledger["sinks"] = [{"name": "warehouse", "idempotency": "not-idempotent"}]
    fraud = next(f for f in plan["topic_families"] if f["name"] == "fraud")
    del fraud["offset_strategy"]
    found = judge(tmp_path, plan, primary, secondary)
    assert ids(found["failback"]) == [
        ("OFF-004", "ledger -> warehouse", None, "ledger"),
        ("OFF-007", "fraud", None, "fraud"),
    ]


def test_mirrormaker_reading_uncommitted_transactions(tmp_path: Path) -> None:
    plan, primary, secondary = setups.mm2_uncommitted_transactions()
    assert "consumer_isolation" not in flow(secondary, FORWARD)  # MM2's default: read_uncommitted
    found = judge(tmp_path, plan, primary, secondary)
    for phase in PHASES:
        assert ids(found[phase]) == [("REP-007", FORWARD, "secondary", None)], phase
    [finding] = found["normal"]
    assert finding["message"] == (
        f"MirrorMaker 2 flow {FORWARD} carries transactional payments-core but its source "
        "consumer reads an undeclared isolation level (MirrorMaker 2's default is "
        "read_uncommitted): aborted and uncommitted transactions are replicated"
    )
