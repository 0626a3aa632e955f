"""Runtime evidence (issue #16) from the two real clusters: exact log-end offsets and newest
record timestamps per partition, consumer groups, MirrorMaker 2 checkpoints, and a partition
without a leader in a two-broker cluster."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.exporters.kafka import KafkaSource, collect_runtime, open_session
from checker.exporters.kafka.runtime import RuntimeSession

from .conftest import ALIASES, PRIMARY, Mirror, Pair, consume_and_commit, create_topics
from .kafka_cluster import ADMIN_PASSWORD, ADMIN_USER, Cluster, ClusterError, start_clusters
from .test_live import export

pytestmark = pytest.mark.slow  # real brokers (and MirrorMaker 2) on loopback

LAG_TOPIC = "rt.lag"  # outside the flow's orders\..* : MirrorMaker 2 never copies it
PER_PARTITION = {0: 5, 1: 0, 2: 12}
BASE_MS = 1_700_000_000_000
GROUP = "orders-runtime"  # matches the flow's `groups = orders-.*`


def session(cluster: Any, tmp_path: Path) -> RuntimeSession:
    props = cluster.client_properties(tmp_path / f"{cluster.name}-runtime.properties")
    return open_session(
        KafkaSource(cluster.name, cluster.bootstrap, command_config=props, timeout=60)
    )


def produce(cluster: Any, topic: str, per_partition: dict[int, int]) -> None:
    from confluent_kafka import Producer

    producer = Producer(cluster.client_config())
    for partition, count in per_partition.items():
        for i in range(count):  # record i of a partition is stamped BASE_MS + i seconds
            producer.produce(topic, value=b"x", partition=partition, timestamp=BASE_MS + i * 1000)
    assert producer.flush(30) == 0


def test_end_offsets_and_timestamps_are_exact_per_partition(seeded: Pair, tmp_path: Path) -> None:
    for cluster in seeded:
        create_topics(cluster, {LAG_TOPIC: (3, {"min.insync.replicas": "1"})})
    produce(seeded.primary, LAG_TOPIC, PER_PARTITION)
    source, gaps = collect_runtime(session(seeded.primary, tmp_path))
    assert gaps == []
    target, gaps = collect_runtime(session(seeded.secondary, tmp_path))
    assert gaps == []
    assert source["topics"][LAG_TOPIC] == {
        "min_insync_replicas": 1,
        "partitions": {
            str(p): {
                "end_offset": n,
                "max_timestamp": BASE_MS + (n - 1) * 1000 if n else None,
                "leader": 1,
                "replicas": 1,
                "isr": 1,
            }
            for p, n in PER_PARTITION.items()
        },
    }
    assert {p: v["end_offset"] for p, v in target["topics"][LAG_TOPIC]["partitions"].items()} == {
        "0": 0,
        "1": 0,
        "2": 0,
    }
    assert all(
        v["max_timestamp"] is None for v in target["topics"][LAG_TOPIC]["partitions"].values()
    )
    # every topic of the region is there (the 1,000 bulk topics of the primary included)
    assert len(source["topics"]) >= 1000
    assert source["captured_at"].endswith("Z")


def test_export_runtime_flag_writes_the_runtime_area(seeded: Pair, tmp_path: Path) -> None:
    snapshot, _ = export(seeded.secondary, tmp_path, "--runtime")
    assert snapshot["schema_version"] == "1.1"
    assert snapshot["runtime"]["topics"]["orders.created"]["min_insync_replicas"] == 1
    assert not [g for g in snapshot["gaps"] if g["area"] == "runtime"]
    plain, _ = export(seeded.secondary, tmp_path)
    assert "runtime" not in plain and plain["schema_version"] == "1.0"


def committed(cluster: Any, group: str) -> dict[str, dict[str, int]]:
    from confluent_kafka import ConsumerGroupTopicPartitions

    admin = cluster.admin()
    future = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group]
    found: dict[str, dict[str, int]] = {}
    for tp in future.result(timeout=30).topic_partitions:
        if tp.offset >= 0:
            found.setdefault(tp.topic, {})[str(tp.partition)] = tp.offset
    return found


def test_groups_and_mirrormaker_checkpoints(
    mirrormaker: Mirror, seeded: Pair, tmp_path: Path
) -> None:
    produce(seeded.primary, "orders.shipped", {0: 7, 1: 4})
    consume_and_commit(seeded.primary, "orders.shipped", GROUP, 11)
    truth = committed(seeded.primary, GROUP)
    source, gaps = collect_runtime(session(seeded.primary, tmp_path))
    assert gaps == []
    assert source["groups"][GROUP] == {"state": "Empty", "members": 0, "offsets": truth}
    alias = ALIASES[PRIMARY]
    target_session = session(seeded.secondary, tmp_path)
    deadline = time.monotonic() + 90
    while True:  # MM2 emits a checkpoint once the replicated records' offset syncs arrive
        target, gaps = collect_runtime(target_session)
        found = target["checkpoints"].get(alias, {}).get(GROUP, {}).get("orders.shipped", {})
        caught_up = {p: c["upstream"] for p, c in found.items()} == truth["orders.shipped"]
        # sync.group.offsets.enabled: the translated offsets get committed in the target too,
        # on their own interval, so the committed offsets may trail the newest checkpoint
        synced = target["groups"].get(GROUP, {}).get("offsets", {}).get("orders.shipped", {})
        if caught_up and synced == {p: c["downstream"] for p, c in found.items()}:
            break
        mirrormaker.process.check_alive()
        assert time.monotonic() < deadline, (
            f"checkpoints never caught up: {found} vs {truth}, synced {synced}"
        )
        time.sleep(1)
    assert gaps == []
    ends = target["topics"]["orders.shipped"]["partitions"]
    for partition, checkpoint in found.items():
        # translated into the target's offsets: never past what the target holds
        assert 0 <= checkpoint["downstream"] <= ends[partition]["end_offset"]
        assert (
            target["groups"][GROUP]["offsets"]["orders.shipped"][partition]
            == (checkpoint["downstream"])
        )


@pytest.fixture
def two_brokers(kafka_jars: Path, tmp_path: Path) -> Iterator[tuple[Cluster, Cluster]]:
    """A small two-broker KRaft cluster: node 1 (broker and controller) and node 2 (broker)."""
    first = Cluster("eu-west-1", tmp_path / "node1", {ADMIN_USER: ADMIN_PASSWORD})
    second = Cluster(
        "eu-west-1", tmp_path / "node2", {ADMIN_USER: ADMIN_PASSWORD}, node_id=2, controller=first
    )
    try:
        start_clusters([first, second])
    except ClusterError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield first, second
    finally:
        second.stop()
        first.stop()


def test_a_partition_whose_only_broker_is_down_is_offline(
    two_brokers: tuple[Cluster, Cluster], tmp_path: Path
) -> None:
    from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]

    first, second = two_brokers
    admin = first.admin()
    deadline = time.monotonic() + 60
    while len(admin.list_topics(timeout=10).brokers) < 2:  # node 2 registered
        assert time.monotonic() < deadline, "broker 2 never joined"
        time.sleep(0.5)
    topic = NewTopic("rt.offline", 2, -1, replica_assignment=[[2], [1]])  # p0 only on node 2
    for future in admin.create_topics([topic], request_timeout=30).values():
        future.result(timeout=60)
    produce(first, "rt.offline", {0: 3, 1: 2})
    second.stop()
    deadline = time.monotonic() + 60
    while admin.list_topics(timeout=10).topics["rt.offline"].partitions[0].leader != -1:
        assert time.monotonic() < deadline, "partition 0 kept a leader"
        time.sleep(0.5)
    runtime, gaps = collect_runtime(session(first, tmp_path))
    partitions = runtime["topics"]["rt.offline"]["partitions"]
    # KRaft keeps the last in-sync replica in the ISR of a partition that lost its leader
    assert partitions["0"] | {"isr": None} == {
        "end_offset": None,
        "max_timestamp": None,
        "leader": None,
        "replicas": 1,
        "isr": None,
    }
    assert partitions["1"] == {
        "end_offset": 2,
        "max_timestamp": BASE_MS + 1000,
        "leader": 1,
        "replicas": 1,
        "isr": 1,
    }
    assert {
        "area": "runtime",
        "reason": "1 partition(s) have no leader, offsets unknown: rt.offline/0",
        "call": "ListOffsets",
    } in gaps
