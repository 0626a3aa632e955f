"""Topic facts (checker/topics.py): the one internal-topic table, the effective settings, and
topic structure parity judged end to end on the ready estate."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.errors import InputError
from checker.topics import is_internal, settings

from .opa_support import ENGINE_PARAMS, tool
from .setups import documents, ids, judge

PHASES = ("normal", "failover", "dr_operation", "failback", "cleanup")
AREAS = frozenset({"topic_config", "retention"})


@pytest.mark.parametrize(
    "topic",
    [
        "__consumer_offsets",
        "__amazon_msk_canary",
        "use1.checkpoints.internal",
        "heartbeats",
        "use1.heartbeats",
        "mm2-offset-syncs.usw2.internal",
        "mskr-offset-syncs.payments",
        "connect-offsets-payments",
        "_schemas",
    ],
)
def test_internal_topics(topic: str) -> None:
    assert is_internal(topic)


@pytest.mark.parametrize("topic", ["payments.authorizations", "schemas", "mm2", "my-__x"])
def test_business_topics_are_not_internal(topic: str) -> None:
    assert not is_internal(topic)


def test_settings_fall_back_to_the_broker_then_to_kafka() -> None:
    broker = {"min.insync.replicas": "2", "log.cleanup.policy": "compact"}
    assert settings({}, broker, "s", "t") == {
        "cleanup_policy": ["compact"],
        "min_insync_replicas": 2,
        "max_message_bytes": 1048588,
        "timestamp_type": "CreateTime",
    }
    own = {"cleanup.policy": "Delete, compact", "min.insync.replicas": "3"}
    found = settings(own, broker, "s", "t")
    assert (found["cleanup_policy"], found["min_insync_replicas"]) == (["compact", "delete"], 3)


def test_non_integer_setting_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"s: topic t max\.message\.bytes 'big' is not an integer"):
        settings({"max.message.bytes": "big"}, {}, "s", "t")


def test_compact_only_topic_has_no_retention_finding(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    for document in (primary, secondary):
        document["topics"]["ledger.balances"]["configs"]["cleanup.policy"] = "compact"
    secondary["topics"]["ledger.balances"]["configs"]["retention.ms"] = "3600000"
    found = judge(tmp_path, plan, primary, secondary)
    for phase in PHASES:
        assert ids(found[phase], AREAS) == [], phase


def test_topic_structure_differences(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    configs = secondary["topics"]["ledger.balances"]["configs"]
    configs.update({"cleanup.policy": "compact", "max.message.bytes": "524288"})
    secondary["topics"]["ledger.entries"]["configs"]["min.insync.replicas"] = "1"
    secondary["topics"]["ledger.holds"]["configs"]["message.timestamp.type"] = "LogAppendTime"
    secondary["topics"]["fraud.alerts"]["partitions"] = 48
    primary["topics"]["ledger.journal"]["replication_factor"] = 2
    found = judge(tmp_path, plan, primary, secondary)
    assert ids(found["failback"], AREAS) == [
        ("TOP-001", "fraud.alerts", None, "fraud"),
        ("TOP-002", "ledger.balances", None, "ledger"),
        ("TOP-003", "ledger.entries/min.insync.replicas", "secondary", "ledger"),
        ("TOP-003", "ledger.journal/replication.factor", "primary", "ledger"),
        ("TOP-004", "ledger.balances/max.message.bytes", None, "ledger"),
        ("TOP-004", "ledger.holds/message.timestamp.type", None, "ledger"),
    ]
    messages = {f["resource"]: f["message"] for f in found["failback"]}
    assert messages["ledger.entries/min.insync.replicas"] == (
        "Topic ledger.entries has min.insync.replicas 1 in the secondary, which takes writes, "
        "but 2 in the primary"
    )


def test_a_lower_broker_default_counts(tmp_path: Path) -> None:
    plan, primary, secondary = documents()
    del secondary["topics"]["notify.sms"]["configs"]["min.insync.replicas"]
    secondary["broker_config"]["min.insync.replicas"] = "1"
    found = judge(tmp_path, plan, primary, secondary)
    assert ids(found["normal"], AREAS) == [
        ("TOP-003", "notify.sms/min.insync.replicas", "secondary", "notifications")
    ]


@pytest.mark.parametrize("engine", ENGINE_PARAMS)
def test_every_retention_difference_reaches_the_retention_rules(
    tmp_path: Path, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RET-001 and RET-002 judge the replicated topics the region diff names (issue #19), so
    every way a retention can differ must make the diff name the topic: the topic's own
    retention.ms or retention.bytes, and a broker default the topic falls back on while its
    own configs stay alike in both regions."""
    if engine == "opa":
        monkeypatch.setenv("FAILBACK_OPA_BIN", tool("opa"))
    plan, primary, secondary = documents()
    secondary["topics"]["ledger.entries"]["configs"]["retention.ms"] = "3600000"
    secondary["topics"]["ledger.holds"]["configs"]["retention.bytes"] = "1073741824"
    for document in (primary, secondary):
        del document["topics"]["fraud.alerts"]["configs"]["retention.ms"]
    primary["broker_config"]["log.retention.hours"] = "168"
    secondary["broker_config"]["log.retention.hours"] = "24"
    found = judge(tmp_path, plan, primary, secondary, "--engine", engine)
    assert ids(found["failback"], AREAS) == [
        ("RET-001", "fraud.alerts", "secondary", "fraud"),
        ("RET-001", "ledger.entries", "secondary", "ledger"),
        ("RET-002", "ledger.holds", "secondary", "ledger"),
    ]
    values = {
        (f["rule_id"], f["resource"]): (f["primary"], f["secondary"]) for f in found["failback"]
    }
    assert values[("RET-001", "fraud.alerts")] == (604800000, 86400000)
    assert values[("RET-002", "ledger.holds")] == (-1, 1073741824)
