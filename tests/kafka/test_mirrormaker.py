"""A real MirrorMaker 2 (dedicated mode) between the two clusters: the exported flow and the
live evidence that it translates consumer offsets."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    ALIASES,
    PRIMARY,
    SECONDARY,
    WORKER_GROUP,
    Mirror,
    Pair,
    consume_and_commit,
    consumer_group_state,
    group_state,
)
from .test_live import export, mm2_args

pytestmark = pytest.mark.slow  # real brokers (and MirrorMaker 2) on loopback

FORWARD, REVERSE = (
    f"{ALIASES[PRIMARY]}->{ALIASES[SECONDARY]}",
    f"{ALIASES[SECONDARY]}->{ALIASES[PRIMARY]}",
)
GROUP = "orders-audit"  # matches the flow's `groups = orders-.*`


def flow(snapshot: dict[str, Any]) -> dict[str, Any]:
    (only,) = snapshot["replication"]
    return dict(only)


def commit_offsets(cluster: Any, topic: str, count: int) -> None:
    from confluent_kafka import Producer

    producer = Producer(cluster.client_config())
    for i in range(count):
        producer.produce(topic, key=f"order-{i}", value=f'{{"order": {i}}}')
    assert producer.flush(30) == 0
    consume_and_commit(cluster, topic, GROUP, count)


def test_mirrormaker_flow_and_checkpoint_evidence(
    mirrormaker: Mirror, seeded: Pair, tmp_path: Path
) -> None:
    # the flow's state comes from its Connect worker group, which ListConsumerGroups omits
    assert group_state(seeded.secondary, WORKER_GROUP) == "Stable"
    assert consumer_group_state(seeded.secondary, WORKER_GROUP) is None
    # the checkpoint connector creates its topic shortly after the worker group is stable
    checkpoints, deadline = f"{ALIASES[PRIMARY]}.checkpoints.internal", time.monotonic() + 30
    while checkpoints not in seeded.secondary.admin().list_topics(timeout=10).topics:
        mirrormaker.process.check_alive()
        assert time.monotonic() < deadline, f"MirrorMaker 2 never created {checkpoints}"
        time.sleep(0.5)
    before, _ = export(seeded.secondary, tmp_path, *mm2_args(mirrormaker))
    assert flow(before) == {
        "name": FORWARD,
        "tool": "mirrormaker2",
        "source_region": PRIMARY,
        "target_region": SECONDARY,
        "topics_include": [r"orders\..*"],
        "topics_exclude": [r".*[\-\.]internal", r".*\.replica", "__.*"],
        "topic_naming": "identical",
        "prefix": None,
        "copies_acls": False,
        "copies_topic_configs": False,
        # no consumer group has committed on the source yet: nothing translated
        "offset_sync": {"enabled": True, "mode": "CHECKPOINTS", "checkpoints_present": False},
        "loop_protection": False,
        "starting_position": "EARLIEST",
        "state": "RUNNING",
        "owner": None,
        "consumer_isolation": "read_uncommitted",  # the connector's default (KAFKA-14021)
    }
    assert checkpoints in before["topics"]
    primary, _ = export(seeded.primary, tmp_path, *mm2_args(mirrormaker))
    reverse = flow(primary)
    assert (
        reverse["name"],
        reverse["state"],
        reverse["source_region"],
        reverse["target_region"],
    ) == (REVERSE, "STOPPED", SECONDARY, PRIMARY)
    assert reverse["offset_sync"]["checkpoints_present"] is False

    commit_offsets(seeded.primary, "orders.created", 20)
    deadline = time.monotonic() + 60
    while True:
        after, _ = export(seeded.secondary, tmp_path, *mm2_args(mirrormaker))
        if flow(after)["offset_sync"]["checkpoints_present"] and GROUP in after.get(
            "consumer_groups", {}
        ):
            break
        mirrormaker.process.check_alive()
        assert time.monotonic() < deadline, "no checkpoint reached us-west-2 within 60s"
        time.sleep(1)
    # sync.group.offsets.enabled: the group's translated offsets are committed in us-west-2
    assert after["consumer_groups"][GROUP] == {"state": "EMPTY", "topics": ["orders.created"]}
    assert flow(after)["state"] == "RUNNING"
