"""How a flow's MirrorMaker 2 connector settings become its snapshot fields
(_shared/mm2.py), the one reading mm2.properties, Strimzi and MSK Connect share."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from checker.exporters._shared import mm2

IDENTITY = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"
INTERNAL = (r".*[\-\.]internal", r".*\.replica", r"__.*")


def read(
    source: Mapping[str, object],
    checkpoint: Mapping[str, object] | None = None,
    copies: bool = True,
) -> tuple[mm2.FlowSettings, list[tuple[str, object]]]:
    bad: list[tuple[str, object]] = []
    found = mm2.flow_settings(
        source.get,
        checkpoint.get if checkpoint is not None else None,
        lambda key, value: bad.append((key, value)),
        copies=copies,
    )
    return found, bad


def test_mirrormakers_defaults_apply_where_a_setting_is_absent() -> None:
    settings, bad = read({})
    assert bad == []
    assert settings == mm2.FlowSettings(
        copies=True,
        topics=(".*",),
        topics_exclude=INTERNAL,
        identity=False,
        emit_checkpoints=False,  # no checkpoint connector
        sync_group_offsets=False,
        copies_acls=True,
        copies_topic_configs=True,
        isolation="read_uncommitted",
    )


@pytest.mark.parametrize(
    ("source", "topics", "exclude"),
    [
        ({"topics": "a.*, b"}, ("a.*", "b"), INTERNAL),
        ({"topics.whitelist": "w"}, ("w",), INTERNAL),
        ({"topics": "t", "topics.whitelist": "w"}, ("t",), INTERNAL),
        ({"topics.exclude": "x", "topics.blacklist": "y"}, (".*",), ("x",)),
        ({"topics.blacklist": "y"}, (".*",), ("y",)),
        # set but empty: MirrorMaker reads an empty list, not its default
        ({"topics": "", "topics.exclude": " , "}, (), ()),
    ],
)
def test_topic_patterns_and_their_legacy_names(
    source: Mapping[str, object], topics: tuple[str, ...], exclude: tuple[str, ...]
) -> None:
    settings, _ = read(source)
    assert (settings.topics, settings.topics_exclude) == (topics, exclude)


@pytest.mark.parametrize(
    ("source", "checkpoint", "identity"),
    [
        ({}, {}, False),
        ({"replication.policy.class": IDENTITY}, {}, True),
        ({}, {"replication.policy.class": IDENTITY}, True),
        ({"replication.policy.class": " " + mm2.DEFAULT_POLICY + " "}, {}, False),
        ({"replication.policy.class": "com.example.Custom"}, {}, True),  # fail closed
    ],
)
def test_any_policy_but_the_default_is_judged_like_identity(
    source: Mapping[str, object], checkpoint: Mapping[str, object], identity: bool
) -> None:
    assert read(source, checkpoint)[0].identity is identity


def test_group_offsets_sync_only_where_checkpoints_are_emitted() -> None:
    synced = {"sync.group.offsets.enabled": "TRUE"}
    assert read({}, synced)[0].sync_group_offsets is True
    quiet, bad = read({}, {**synced, "emit.checkpoints.enabled": "false"})
    assert (quiet.emit_checkpoints, quiet.sync_group_offsets, bad) == (False, False, [])


def test_a_bad_boolean_is_reported_and_its_default_used() -> None:
    settings, bad = read(
        {"sync.topic.acls.enabled": "yes", "sync.topic.configs.enabled": "false"},
        {"emit.checkpoints.enabled": "maybe"},
    )
    assert bad == [("emit.checkpoints.enabled", "maybe"), ("sync.topic.acls.enabled", "yes")]
    assert (settings.emit_checkpoints, settings.copies_acls) == (True, True)
    assert settings.copies_topic_configs is False


def test_without_a_source_connector_nothing_is_copied() -> None:
    settings, bad = read({"topics": "t", "sync.topic.acls.enabled": "x"}, {}, copies=False)
    assert bad == []
    assert (settings.topics, settings.copies_acls, settings.copies_topic_configs) == (
        (),
        False,
        False,
    )
    assert (settings.isolation, settings.emit_checkpoints) == (None, True)


def test_the_source_consumer_settings_can_come_from_elsewhere() -> None:
    consumer = {"source.consumer.isolation.level": "read_committed"}
    found = mm2.flow_settings(
        {"consumer.isolation.level": "bogus"}.get, None, lambda k, v: None, consumer=consumer.get
    )
    assert found.isolation == "read_committed"
    assert read({"consumer.isolation.level": "bogus"})[0].isolation is None


def test_the_record_names_prefix_and_offset_sync() -> None:
    settings, _ = read({}, {"sync.group.offsets.enabled": "true"})
    record = mm2.flow_record(
        settings,
        name="a->b",
        source_alias="a",
        regions=("r1", "r2"),
        starting_position=mm2.starting_position(" Latest"),
        state="RUNNING",
        owner="team",
        checkpoints_present=True,
    )
    assert (record["prefix"], record["topic_naming"], record["loop_protection"]) == (
        "a",
        "prefixed",
        True,
    )
    assert record["offset_sync"] == {
        "enabled": True,
        "mode": "CHECKPOINTS",
        "checkpoints_present": True,
    }
    assert (record["starting_position"], record["owner"]) == ("LATEST", "team")
    assert mm2.starting_position(None) == "EARLIEST"
