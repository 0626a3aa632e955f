"""Runtime evidence from one live cluster (issue #16): the snapshot's `runtime` area.

    runtime, gaps = collect_runtime(session)          # session = open_session(KafkaSource(...))

One sample: log-end offsets and newest-record timestamps of every partition (ListOffsets
LATEST and MAX_TIMESTAMP, KIP-734), leader / replicas / in-sync replicas (Metadata), each
topic's min.insync.replicas (DescribeConfigs, unless the caller already has them), consumer
groups with their state, member count and committed offsets, and the MirrorMaker 2 checkpoints
held in this cluster (`<source alias>.checkpoints.internal`, read to the end, newest per key).

Every Admin call is batched and all batches are in flight before the first answer is awaited,
so a sample of 10,000 partitions costs a handful of round trips. What a call cannot read is a
gap with area `runtime` (reason = Kafka error code, call = the Kafka API), never an empty value.
Nothing here judges: lag, continuity and health are derived from this by the core.

confluent-kafka is imported lazily, as in the rest of the exporter.
"""

from __future__ import annotations

import concurrent.futures
import re
import struct
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .admin import CallFailed, error_name, retrying, wait
from .logs import silent_logger

AREA = "runtime"
OFFSETS_BATCH = 2000  # partitions per ListOffsets call (librdkafka splits it per leader)
CONFIG_BATCH = 500  # topics per DescribeConfigs request
GROUP_BATCH = 100  # groups per DescribeConsumerGroups call
GROUP_WINDOW = 64  # OffsetFetch requests in flight (librdkafka asks one group per request)
CHECKPOINTS_SUFFIX = ".checkpoints.internal"
_CHECKPOINTS = re.compile(r"^(?P<alias>.+)\.checkpoints\.internal$")
_GROUP_STATES = {
    "STABLE": "Stable",
    "EMPTY": "Empty",
    "PREPARING_REBALANCING": "PreparingRebalance",
    "COMPLETING_REBALANCING": "CompletingRebalance",
    "DEAD": "Dead",
    "ASSIGNING": "Assigning",
    "RECONCILING": "Reconciling",
    "UNKNOWN": "Unknown",
}
_CONSUMER_POLL = 0.2  # seconds per poll while reading a checkpoints topic
Gap = dict[str, str]


@dataclass
class RuntimeSession:
    """A connected AdminClient and the client configuration it was made from (secrets
    included: held in memory only, never written); `timeout` bounds each request (s)."""

    admin: Any
    client_config: Mapping[str, Any] = field(repr=False)  # secrets: never printed
    timeout: float = 30.0


def utc_now() -> datetime:
    return datetime.now(UTC)


def rfc3339(moment: datetime) -> str:
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


class _Gaps:
    def __init__(self) -> None:
        self.items: list[Gap] = []

    def add(self, reason: str, call: str) -> None:
        gap = {"area": AREA, "reason": " ".join(reason.split())[:300], "call": call}
        if gap not in self.items:
            self.items.append(gap)


def collect_runtime(
    session: RuntimeSession,
    *,
    min_insync: Mapping[str, int | None] | None = None,
    now: Callable[[], datetime] = utc_now,
) -> tuple[dict[str, Any], list[Gap]]:
    """One runtime sample of the cluster behind `session`: (the `runtime` area, its gaps).

    `min_insync`: topic -> min.insync.replicas when the caller has read the topic configs
    already (the full export does); None: read them here. `now`: the clock `captured_at`
    comes from (taken before the first call). Safe to call repeatedly on one session (the
    `failback watch` loop); each call is a fresh sample. Raises nothing for Kafka errors:
    a failed call is a gap (area `runtime`) and the part it would have filled is left out.
    """
    from confluent_kafka import KafkaException

    gaps = _Gaps()
    runtime: dict[str, Any] = {"captured_at": rfc3339(now())}
    try:
        metadata = session.admin.list_topics(timeout=session.timeout)
    except KafkaException as exc:
        gaps.add(error_name(exc), "Metadata")
        return runtime, gaps.items
    topics = _topics(metadata)
    if min_insync is None:
        min_insync = _min_insync(session, sorted(topics), gaps)
    _offsets(session, topics, gaps)
    runtime["topics"] = {
        name: {"min_insync_replicas": min_insync.get(name), "partitions": partitions}
        for name, partitions in sorted(topics.items())
    }
    groups = _groups(session, gaps)
    if groups is not None:
        runtime["groups"] = groups
    runtime["checkpoints"] = _checkpoints(session, topics, gaps)
    return runtime, sorted(gaps.items, key=lambda g: (g["call"], g["reason"]))


def _topics(metadata: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """topic -> partition -> {end_offset, max_timestamp, leader, replicas, isr} (offsets
    filled in later; leader null when the partition has none)."""
    topics: dict[str, dict[str, dict[str, Any]]] = {}
    for name, topic in metadata.topics.items():
        partitions: dict[str, dict[str, Any]] = {}
        for number, partition in sorted(topic.partitions.items()):
            leader = int(partition.leader)
            partitions[str(number)] = {
                "end_offset": None,
                "max_timestamp": None,
                "leader": leader if leader >= 0 else None,
                "replicas": len(partition.replicas),
                "isr": len(partition.isrs),
            }
        topics[str(name)] = partitions
    return topics


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _min_insync(
    session: RuntimeSession, names: Sequence[str], gaps: _Gaps
) -> dict[str, int | None]:
    from confluent_kafka.admin import ConfigResource, ResourceType  # type: ignore[attr-defined]

    pending: list[tuple[str, concurrent.futures.Future[Any]]] = []
    for chunk in _chunks(names, CONFIG_BATCH):
        resources = [ConfigResource(ResourceType.TOPIC, n) for n in chunk]
        futures = session.admin.describe_configs(resources, request_timeout=session.timeout)
        pending += [(resource.name, future) for resource, future in futures.items()]
    found: dict[str, int | None] = {}
    for name, future in pending:
        try:
            entries = wait(future, session.timeout + 5.0)
        except CallFailed as failed:
            if failed.reason != "UNKNOWN_TOPIC_OR_PART":  # deleted since Metadata
                gaps.add(f"min.insync.replicas: {failed.reason}", "DescribeConfigs")
            found[name] = None
            continue
        entry = entries.get("min.insync.replicas")
        found[name] = parse_min_insync(None if entry is None else entry.value)
    return found


def parse_min_insync(value: object) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if number >= 1 else None


def _offsets(
    session: RuntimeSession, topics: Mapping[str, dict[str, dict[str, Any]]], gaps: _Gaps
) -> None:
    """end_offset (LATEST) and max_timestamp (MAX_TIMESTAMP) of every led partition."""
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec  # type: ignore[attr-defined]

    led: list[tuple[str, int]] = []
    offline: list[str] = []
    for name, partitions in sorted(topics.items()):
        for number, partition in partitions.items():
            if partition["leader"] is None:
                offline.append(f"{name}/{number}")
            else:
                led.append((name, int(number)))
    if offline:
        gaps.add(
            f"{len(offline)} partition(s) have no leader, offsets unknown: "
            + ", ".join(offline[:5])
            + (" ..." if len(offline) > 5 else ""),
            "ListOffsets",
        )
    specs = {
        "LATEST": OffsetSpec.latest(),  # type: ignore[no-untyped-call]
        "MAX_TIMESTAMP": OffsetSpec.max_timestamp(),  # type: ignore[no-untyped-call]
    }
    pending: list[tuple[str, Any, concurrent.futures.Future[Any]]] = []
    for label, spec in specs.items():
        for chunk in _chunks(led, OFFSETS_BATCH):
            request = {TopicPartition(t, p): spec for t, p in chunk}
            futures = session.admin.list_offsets(request, request_timeout=session.timeout)
            pending += [(label, tp, future) for tp, future in futures.items()]
    failed: dict[tuple[str, str], list[str]] = {}
    for label, tp, future in pending:
        partition = topics[str(tp.topic)][str(tp.partition)]
        try:
            info = wait(future, session.timeout + 5.0)
        except CallFailed as failure:
            failed.setdefault((label, failure.reason), []).append(f"{tp.topic}/{tp.partition}")
            continue
        if label == "LATEST":
            partition["end_offset"] = int(info.offset) if info.offset >= 0 else None
        else:  # -1: an empty partition (no record, no timestamp)
            partition["max_timestamp"] = int(info.timestamp) if info.timestamp >= 0 else None
    for (label, reason), where in sorted(failed.items()):
        gaps.add(
            f"{label} of {len(where)} partition(s): {reason} ({', '.join(where[:5])}"
            + (" ...)" if len(where) > 5 else ")"),
            f"ListOffsets {label}",
        )


def group_state(name: str) -> str:
    """confluent-kafka's ConsumerGroupState name -> the name Kafka's tools print."""
    return _GROUP_STATES.get(name, name.title().replace("_", ""))


def _groups(session: RuntimeSession, gaps: _Gaps) -> dict[str, Any] | None:
    """Consumer groups: state, member count and committed offsets (groups whose describe or
    offsets are unreadable are left out, each with a gap)."""
    wait_for = session.timeout + 5.0
    try:
        listing = retrying(
            lambda: session.admin.list_consumer_groups(request_timeout=session.timeout),
            wait_for,
        )
    except CallFailed as failed:
        gaps.add(failed.reason, "ListGroups")
        return None
    for error in listing.errors or []:
        gaps.add(error_name(error), "ListGroups")
    names = sorted(str(g.group_id) for g in listing.valid or [])
    groups: dict[str, Any] = {}
    described: list[tuple[str, concurrent.futures.Future[Any]]] = []
    for chunk in _chunks(names, GROUP_BATCH):
        futures = session.admin.describe_consumer_groups(
            list(chunk), request_timeout=session.timeout
        )
        described += list(futures.items())
    for name, future in described:
        try:
            description = retrying(
                lambda n=name: session.admin.describe_consumer_groups(  # type: ignore[misc]
                    [n], request_timeout=session.timeout
                )[n],
                wait_for,
                future,
            )
        except CallFailed as failed:
            gaps.add(f"group {name}: {failed.reason}", "DescribeGroups")
            continue
        state = getattr(description, "state", None)
        groups[name] = {
            "state": group_state(state.name if state is not None else "UNKNOWN"),
            "members": len(description.members or []),
            "offsets": {},
        }
    _group_offsets(session, groups, gaps)
    return groups


def _group_offsets(session: RuntimeSession, groups: dict[str, Any], gaps: _Gaps) -> None:
    from confluent_kafka import ConsumerGroupTopicPartitions

    def fetch(group_id: str) -> concurrent.futures.Future[Any]:
        answer = session.admin.list_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(group_id)], request_timeout=session.timeout
        )
        return next(iter(answer.values()))

    for window in _chunks(sorted(groups), GROUP_WINDOW):
        futures = [(group_id, fetch(group_id)) for group_id in window]
        for group_id, future in futures:
            try:
                answer = retrying(
                    lambda g=group_id: fetch(g),  # type: ignore[misc]
                    session.timeout + 5.0,
                    future,
                )
            except CallFailed as failed:
                gaps.add(f"group {group_id}: {failed.reason}", "OffsetFetch")
                del groups[group_id]
                continue
            offsets: dict[str, dict[str, int]] = {}
            for tp in sorted(answer.topic_partitions or [], key=lambda t: (t.topic, t.partition)):
                if tp.error or tp.offset < 0:  # -1001: nothing committed for that partition
                    continue
                offsets.setdefault(str(tp.topic), {})[str(tp.partition)] = int(tp.offset)
            groups[group_id]["offsets"] = offsets


# ---- MirrorMaker 2 checkpoints -------------------------------------------------------------


class CheckpointFormatError(ValueError):
    """A record of a checkpoints topic that is not a MirrorMaker 2 Checkpoint (version 0)."""


def _string(buffer: bytes, at: int) -> tuple[str, int]:
    """Kafka protocol STRING: int16 length, then that many UTF-8 bytes."""
    if at + 2 > len(buffer):
        raise CheckpointFormatError("truncated string length")
    (length,) = struct.unpack_from(">h", buffer, at)
    at += 2
    if length < 0 or at + length > len(buffer):
        raise CheckpointFormatError("bad string length")
    try:
        return buffer[at : at + length].decode("utf-8"), at + length
    except UnicodeDecodeError:
        raise CheckpointFormatError("string is not UTF-8") from None


def decode_checkpoint_key(key: bytes) -> tuple[str, str, int]:
    """(group, topic as named on the source, partition) of a Checkpoint record key
    (org.apache.kafka.connect.mirror.Checkpoint KEY_SCHEMA: STRING, STRING, INT32)."""
    group, at = _string(key, 0)
    topic, at = _string(key, at)
    if at + 4 != len(key):
        raise CheckpointFormatError("bad key length")
    (partition,) = struct.unpack_from(">i", key, at)
    return group, topic, int(partition)


def decode_checkpoint_value(value: bytes) -> tuple[int, int]:
    """(upstream offset, downstream offset) of a Checkpoint record value: HEADER_SCHEMA
    (INT16 version, 0) then VALUE_SCHEMA_V0 (INT64 upstreamOffset, INT64 offset, STRING
    metadata)."""
    if len(value) < 18:
        raise CheckpointFormatError("value too short")
    (version,) = struct.unpack_from(">h", value, 0)
    if version != 0:
        raise CheckpointFormatError(f"unknown Checkpoint version {version}")
    upstream, downstream = struct.unpack_from(">qq", value, 2)
    _string(value, 18)  # metadata: checked, not kept
    return int(upstream), int(downstream)


def encode_checkpoint(
    group: str, topic: str, partition: int, upstream: int, downstream: int, metadata: str = ""
) -> tuple[bytes, bytes]:
    """The (key, value) MirrorMaker 2 writes for a checkpoint (for tests and fixtures)."""

    def string(text: str) -> bytes:
        data = text.encode("utf-8")
        return struct.pack(">h", len(data)) + data

    key = string(group) + string(topic) + struct.pack(">i", partition)
    value = struct.pack(">hqq", 0, upstream, downstream) + string(metadata)
    return key, value


def _checkpoints(
    session: RuntimeSession, topics: Mapping[str, dict[str, dict[str, Any]]], gaps: _Gaps
) -> dict[str, Any]:
    """source alias -> group -> topic -> partition -> {upstream, downstream}: each
    `<alias>.checkpoints.internal` topic here read to its end offsets, newest per key."""
    found: dict[str, Any] = {}
    for name in sorted(topics):
        match = _CHECKPOINTS.match(name)
        if match is None:
            continue
        partitions = topics[name]
        if any(p["end_offset"] is None for p in partitions.values()):
            gaps.add(f"checkpoints topic {name}: end offsets unknown", "Fetch")
            continue
        try:
            found[match["alias"]] = read_checkpoints(session, name, partitions)
        except CallFailed as failed:
            gaps.add(f"checkpoints topic {name}: {failed.reason}", "Fetch")
        except CheckpointFormatError as exc:
            gaps.add(f"checkpoints topic {name}: {exc}", "Fetch")
    return found


def read_checkpoints(
    session: RuntimeSession, topic: str, partitions: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Read `topic` from the beginning to the end offsets in `partitions`; the newest
    checkpoint per (group, topic, partition); a tombstone removes its key."""
    from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition

    ends = {int(p): int(v["end_offset"]) for p, v in partitions.items() if v["end_offset"]}
    latest: dict[tuple[str, str, int], tuple[int, int]] = {}
    if ends:
        config = dict(session.client_config)
        config.update(
            {
                "logger": silent_logger(),  # errors come back as gaps, not on stderr
                "group.id": "failback-checker-runtime",  # never joined, never committed
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "enable.partition.eof": True,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_uncommitted",
            }
        )
        consumer = Consumer(config)
        try:
            consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in sorted(ends)])
            position = dict.fromkeys(ends, 0)
            deadline = time.monotonic() + session.timeout
            while any(position[p] < ends[p] for p in ends):
                if time.monotonic() > deadline:
                    raise CallFailed("_TIMED_OUT")
                for message in consumer.consume(num_messages=10000, timeout=_CONSUMER_POLL):
                    error = message.error()
                    part = int(message.partition() or 0)
                    if error is not None:
                        if error.code() == KafkaError._PARTITION_EOF:
                            position[part] = max(position[part], ends[part])
                            continue
                        raise CallFailed(str(error.name()))
                    position[part] = max(position[part], int(message.offset() or 0) + 1)
                    raw_key = message.key()
                    if raw_key is None:
                        raise CheckpointFormatError("record without key")
                    key = decode_checkpoint_key(raw_key)
                    raw_value = message.value()
                    if raw_value is None:
                        latest.pop(key, None)
                    else:
                        latest[key] = decode_checkpoint_value(raw_value)
        finally:
            consumer.close()
    result: dict[str, Any] = {}
    for (group, source_topic, partition), (upstream, downstream) in sorted(latest.items()):
        if upstream < 0 or downstream < 0:
            continue
        result.setdefault(group, {}).setdefault(source_topic, {})[str(partition)] = {
            "upstream": upstream,
            "downstream": downstream,
        }
    return result
