"""MirrorMaker 2 run as Connect connectors (_shared/mm2_connectors.py): one flow per source
connector, the checkpoint connector of the same aliases for its offset sync, MM2's defaults."""

from __future__ import annotations

from checker.exporters._shared import mm2_connectors as mm2

SOURCE = "org.apache.kafka.connect.mirror.MirrorSourceConnector"
CHECKPOINT = "org.apache.kafka.connect.mirror.MirrorCheckpointConnector"
ALIASES = {"source.cluster.alias": "a", "target.cluster.alias": "b"}


def test_a_source_connector_alone_is_a_prefixed_flow_without_offset_sync() -> None:
    problems: list[str] = []
    pairs = mm2.pairs([mm2.Connector("src", {"connector.class": SOURCE, **ALIASES})], problems)
    flow = mm2.flow(pairs[0], "a->b", ("r1", "r2"), problems)
    assert problems == []
    assert (flow["topic_naming"], flow["prefix"], flow["loop_protection"]) == (
        "prefixed",
        "a",
        True,
    )
    assert flow["offset_sync"] == {"enabled": False, "mode": "NONE", "checkpoints_present": None}
    assert flow["topics_include"] == [".*"]
    assert (flow["copies_acls"], flow["copies_topic_configs"]) == (True, True)
    assert (flow["starting_position"], flow["consumer_isolation"]) == (
        "EARLIEST",
        "read_uncommitted",
    )


def test_checkpoints_heartbeats_and_other_connectors() -> None:
    problems: list[str] = []
    connectors = [
        mm2.Connector(
            "cp", {"connector.class": CHECKPOINT, **ALIASES, "sync.group.offsets.enabled": "true"}
        ),
        mm2.Connector("hb", {"connector.class": "MirrorHeartbeatConnector", **ALIASES}),
        mm2.Connector("sink", {"connector.class": "io.confluent.connect.s3.S3SinkConnector"}),
    ]
    assert mm2.pairs(connectors, problems) == []  # no source connector: nothing is copied
    source = mm2.Connector(
        "src",
        {
            "connector.class": SOURCE,
            **ALIASES,
            "replication.policy.class": "com.example.CustomPolicy",
            "sync.topic.acls.enabled": "maybe",
            "source.consumer.isolation.level": "read_committed",
        },
    )
    pair = mm2.pairs([source, *connectors], problems)[0]
    flow = mm2.flow(pair, "a->b", ("r1", "r2"), problems)
    assert flow["offset_sync"]["enabled"] is True and flow["offset_sync"]["mode"] == "CHECKPOINTS"
    assert flow["topic_naming"] == "identical" and flow["loop_protection"] is False  # fail closed
    assert flow["consumer_isolation"] == "read_committed"
    assert problems == ["src: sync.topic.acls.enabled is 'maybe', not true or false"]


def test_two_source_connectors_for_one_flow_and_missing_aliases_are_problems() -> None:
    problems: list[str] = []
    found = mm2.pairs(
        [
            mm2.Connector("one", {"connector.class": SOURCE, **ALIASES}),
            mm2.Connector("two", {"connector.class": SOURCE, **ALIASES}),
            mm2.Connector("three", {"connector.class": SOURCE}),
        ],
        problems,
    )
    assert [p.source.ref for p in found] == ["one"]
    assert problems == [
        "two and one: two MirrorSourceConnectors for a->b",
        "three: MirrorSourceConnector without source.cluster.alias and target.cluster.alias",
    ]
