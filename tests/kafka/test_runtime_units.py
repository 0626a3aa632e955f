"""collect_runtime without a cluster: a scripted AdminClient for the gap paths, the MirrorMaker 2
Checkpoint record codec, and the merge of two sources' runtime samples.

These run everywhere (no Java); tests/kafka/test_runtime.py runs it on real brokers.
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from confluent_kafka import KafkaError, KafkaException

from checker import schemas
from checker.exporters._shared.runtime import merge_runtime
from checker.exporters.kafka.runtime import (
    CheckpointFormatError,
    RuntimeSession,
    collect_runtime,
    decode_checkpoint_key,
    decode_checkpoint_value,
    encode_checkpoint,
    group_state,
)

NOW = datetime(2026, 12, 2, 19, 0, 0, 250000, tzinfo=UTC)


def done(value: Any) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_result(value)
    return future


def failed(code: int) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_exception(KafkaException(KafkaError(code)))
    return future


@dataclass
class Admin:
    """An AdminClient answering from `partitions` (topic -> [(leader, replicas, isr)]) and
    `ends` (topic -> [end offset]); `broken` maps an Admin method to the error it answers."""

    partitions: dict[str, list[tuple[int, int, int]]]
    ends: dict[str, list[int]]
    broken: dict[str, int] = field(default_factory=dict)
    asked: list[tuple[str, int, str]] = field(default_factory=list)

    def list_topics(self, timeout: float) -> Any:
        return SimpleNamespace(
            topics={
                name: SimpleNamespace(
                    partitions={
                        i: SimpleNamespace(leader=leader, replicas=[0] * r, isrs=[0] * isr)
                        for i, (leader, r, isr) in enumerate(parts)
                    }
                )
                for name, parts in self.partitions.items()
            }
        )

    def describe_configs(self, resources: list[Any], request_timeout: float) -> dict[Any, Any]:
        if "describe_configs" in self.broken:
            return {r: failed(self.broken["describe_configs"]) for r in resources}
        entry = SimpleNamespace(value="2")
        return {r: done({"min.insync.replicas": entry}) for r in resources}

    def list_offsets(self, request: dict[Any, Any], request_timeout: float) -> dict[Any, Any]:
        answers = {}
        for tp, spec in request.items():
            kind = "MAX_TIMESTAMP" if "MaxTimestamp" in type(spec).__name__ else "LATEST"
            self.asked.append((tp.topic, tp.partition, kind))
            if kind in self.broken:
                answers[tp] = failed(self.broken[kind])
                continue
            end = self.ends[tp.topic][tp.partition]
            info = SimpleNamespace(
                offset=end if kind == "LATEST" else end - 1,
                timestamp=-1 if end == 0 else 1_700_000_000_000 + end,
            )
            answers[tp] = done(info)
        return answers

    def list_consumer_groups(self, request_timeout: float) -> Any:
        if "list_consumer_groups" in self.broken:
            return failed(self.broken["list_consumer_groups"])
        return done(SimpleNamespace(valid=[SimpleNamespace(group_id="app")], errors=[]))

    def describe_consumer_groups(self, ids: list[str], request_timeout: float) -> dict[str, Any]:
        state = SimpleNamespace(name="STABLE")
        return {g: done(SimpleNamespace(state=state, members=[1, 2])) for g in ids}

    def list_consumer_group_offsets(self, requests: list[Any], request_timeout: float) -> Any:
        parts = [
            SimpleNamespace(topic="orders", partition=0, offset=4, error=None),
            SimpleNamespace(topic="orders", partition=1, offset=-1001, error=None),
        ]
        return {requests[0].group_id: done(SimpleNamespace(topic_partitions=parts))}


def sample(admin: Admin) -> tuple[dict[str, Any], list[dict[str, str]]]:
    return collect_runtime(RuntimeSession(admin, {}, 5.0), now=lambda: NOW)


def valid(runtime: dict[str, Any], gaps: list[dict[str, str]]) -> None:
    document = {
        "schema_version": "1.1",
        "region": "r",
        "captured_at": "2026-12-02T19:00:00Z",
        "source": {"type": "kafka"},
        "cluster": {"id": "c", "name": "c", "kind": "kafka"},
        "runtime": runtime,
        "gaps": gaps,
    }
    schemas.validate(document, "runtime unit test", "snapshot")


def test_a_full_sample() -> None:
    admin = Admin({"orders": [(1, 3, 3), (2, 3, 2)]}, {"orders": [5, 0]})
    runtime, gaps = sample(admin)
    assert gaps == []
    assert runtime == {
        "captured_at": "2026-12-02T19:00:00.250Z",
        "topics": {
            "orders": {
                "min_insync_replicas": 2,
                "partitions": {
                    "0": {
                        "end_offset": 5,
                        "max_timestamp": 1_700_000_000_005,
                        "leader": 1,
                        "replicas": 3,
                        "isr": 3,
                    },
                    "1": {
                        "end_offset": 0,
                        "max_timestamp": None,
                        "leader": 2,
                        "replicas": 3,
                        "isr": 2,
                    },
                },
            }
        },
        "groups": {"app": {"state": "Stable", "members": 2, "offsets": {"orders": {"0": 4}}}},
        "checkpoints": {},
    }
    valid(runtime, gaps)


def test_a_partition_without_leader_is_offline_and_never_asked() -> None:
    admin = Admin({"orders": [(1, 3, 3), (-1, 3, 0)]}, {"orders": [5, 9]})
    runtime, gaps = sample(admin)
    partition = runtime["topics"]["orders"]["partitions"]["1"]
    assert partition == {
        "end_offset": None,
        "max_timestamp": None,
        "leader": None,
        "replicas": 3,
        "isr": 0,
    }
    assert ("orders", 1, "LATEST") not in admin.asked
    assert gaps == [
        {
            "area": "runtime",
            "reason": "1 partition(s) have no leader, offsets unknown: orders/1",
            "call": "ListOffsets",
        }
    ]
    valid(runtime, gaps)


def test_max_timestamp_unsupported_is_null_and_a_gap() -> None:
    admin = Admin(
        {"orders": [(1, 1, 1)]},
        {"orders": [5]},
        broken={"MAX_TIMESTAMP": KafkaError.UNSUPPORTED_VERSION},
    )
    runtime, gaps = sample(admin)
    assert runtime["topics"]["orders"]["partitions"]["0"]["end_offset"] == 5
    assert runtime["topics"]["orders"]["partitions"]["0"]["max_timestamp"] is None
    assert gaps == [
        {
            "area": "runtime",
            "reason": "MAX_TIMESTAMP of 1 partition(s): UNSUPPORTED_VERSION (orders/0)",
            "call": "ListOffsets MAX_TIMESTAMP",
        }
    ]


def test_unreadable_configs_and_groups_are_gaps() -> None:
    admin = Admin(
        {"orders": [(1, 1, 1)]},
        {"orders": [5]},
        broken={
            "describe_configs": KafkaError.TOPIC_AUTHORIZATION_FAILED,
            "list_consumer_groups": KafkaError.GROUP_AUTHORIZATION_FAILED,
        },
    )
    runtime, gaps = sample(admin)
    assert runtime["topics"]["orders"]["min_insync_replicas"] is None
    assert "groups" not in runtime
    assert gaps == [
        {
            "area": "runtime",
            "reason": "min.insync.replicas: TOPIC_AUTHORIZATION_FAILED",
            "call": "DescribeConfigs",
        },
        {"area": "runtime", "reason": "GROUP_AUTHORIZATION_FAILED", "call": "ListGroups"},
    ]
    valid(runtime, gaps)


def test_given_min_insync_are_not_read_again() -> None:
    admin = Admin(
        {"orders": [(1, 1, 1)]}, {"orders": [0]}, broken={"describe_configs": KafkaError._FAIL}
    )
    runtime, gaps = collect_runtime(
        RuntimeSession(admin, {}, 5.0), min_insync={"orders": 3}, now=lambda: NOW
    )
    assert runtime["topics"]["orders"]["min_insync_replicas"] == 3
    assert gaps == []


def test_checkpoint_records_round_trip() -> None:
    key, value = encode_checkpoint("orders-app", "orders.created", 2, 120, 117, "meta")
    assert decode_checkpoint_key(key) == ("orders-app", "orders.created", 2)
    assert decode_checkpoint_value(value) == (120, 117)
    # the bytes MirrorMaker 2 writes: INT16-length strings, INT32 partition; INT16 version 0,
    # INT64 upstream, INT64 downstream, STRING metadata (big-endian)
    assert key == b"\x00\x0aorders-app\x00\x0eorders.created\x00\x00\x00\x02"
    assert value[:18] == b"\x00\x00" + (120).to_bytes(8, "big") + (117).to_bytes(8, "big")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        (b"\x00\x05ab", None),  # string shorter than its length
        (b"\x00\x01a\x00\x01b\x00", None),  # partition truncated
        (None, b"\x00\x01" + bytes(18)),  # version 1 is unknown
        (None, b"\x00\x00" + bytes(10)),  # value too short
    ],
)
def test_malformed_checkpoints_are_refused(key: bytes | None, value: bytes | None) -> None:
    with pytest.raises(CheckpointFormatError):
        if key is not None:
            decode_checkpoint_key(key)
        else:
            assert value is not None
            decode_checkpoint_value(value)


def test_group_states_read_as_kafka_prints_them() -> None:
    assert [group_state(s) for s in ("STABLE", "EMPTY", "PREPARING_REBALANCING", "DEAD")] == [
        "Stable",
        "Empty",
        "PreparingRebalance",
        "Dead",
    ]


def test_two_sources_runtime_samples_merge() -> None:
    kafka = {"captured_at": "2026-12-02T19:00:00.500Z", "topics": {}, "groups": {}}
    aws = {"captured_at": "2026-12-02T19:00:00Z", "metrics": [{"metric": "MessageLag"}]}
    assert merge_runtime(kafka, aws) == {
        "captured_at": "2026-12-02T19:00:00Z",  # as old as its older half
        "topics": {},
        "groups": {},
        "metrics": [{"metric": "MessageLag"}],
    }


def test_a_session_never_prints_its_client_secrets() -> None:
    session = RuntimeSession(None, {"sasl.password": "s3cret-value"}, 5.0)
    assert "s3cret-value" not in repr(session)
