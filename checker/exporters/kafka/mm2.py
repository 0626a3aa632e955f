"""MirrorMaker 2 dedicated-mode configuration (mm2.properties) -> replication flows.

Only the flow semantics are read: which `source->target` pairs are enabled, the topic
patterns, the replication policy (identical or alias-prefixed names), checkpoints and group
offset sync, ACL and topic-config sync. Cluster connection settings (bootstrap servers,
sasl.jaas.config, passwords, ...) are never read into a flow.

Resolution follows MirrorMakerConfig: `<source>-><target>.<key>` overrides the top-level
`<key>`, which overrides MirrorMaker's default. What the resolved settings make of a flow
(and MirrorMaker's defaults) is _shared/mm2.py's, as for Strimzi and MSK Connect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError
from .._shared.mm2 import (
    FlowSettings,
    flag,
    flow_record,
    flow_settings,
    patterns,
    starting_position,
)
from .props import read_properties

IDENTITY_POLICY = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"


@dataclass(frozen=True)
class Mm2Flow:
    """One `source->target` replication flow as MirrorMaker 2 would run it."""

    source: str
    target: str
    enabled: bool
    topics: tuple[str, ...]
    topics_exclude: tuple[str, ...]
    identity: bool
    separator: str
    emit_checkpoints: bool
    sync_group_offsets: bool
    copies_acls: bool
    copies_topic_configs: bool
    starting_position: str
    worker_group: str
    isolation: str | None = None  # the source consumer's isolation level (None: unknown value)

    @property
    def name(self) -> str:
        return f"{self.source}->{self.target}"

    @property
    def settings(self) -> FlowSettings:
        """The flow's settings as every MM2 reader records them."""
        return FlowSettings(
            copies=True,
            topics=self.topics,
            topics_exclude=self.topics_exclude,
            identity=self.identity,
            emit_checkpoints=self.emit_checkpoints,
            sync_group_offsets=self.sync_group_offsets,
            copies_acls=self.copies_acls,
            copies_topic_configs=self.copies_topic_configs,
            isolation=self.isolation,
        )

    @property
    def checkpoints_topic(self) -> str:
        """Where MirrorCheckpointConnector writes translated offsets, on the target cluster."""
        return f"{self.source}{self.separator}checkpoints{self.separator}internal"

    def record(
        self, source_region: str, target_region: str, state: str, checkpoints_present: bool | None
    ) -> dict[str, Any]:
        """The snapshot v1 flow."""
        return flow_record(
            self.settings,
            name=self.name,
            source_alias=self.source,
            regions=(source_region, target_region),
            starting_position=self.starting_position,
            state=state,
            owner=None,
            checkpoints_present=checkpoints_present,
        )


def parse_mm2(props: Mapping[str, str], origin: str) -> list[Mm2Flow]:
    clusters = list(patterns(props.get("clusters", "")))
    if not clusters:
        raise InputError(
            f"{origin}: no `clusters = A, B` line: not a MirrorMaker 2 dedicated-mode configuration"
        )
    if len(set(clusters)) != len(clusters):
        raise InputError(f"{origin}: clusters lists an alias twice")
    flows = []
    for source in clusters:
        for target in clusters:
            prefix = f"{source}->{target}."
            if source == target or not any(k.startswith(prefix) for k in props):
                continue
            flows.append(_flow(props, source, target, origin))
    for key in props:
        head = key.split(".", 1)[0]
        if "->" in head and not any(f.name == head for f in flows):
            raise InputError(
                f"{origin}: {key} names a flow between clusters not listed in "
                f"`clusters` ({', '.join(clusters)})"
            )
    return flows


# MirrorMakerConfig refuses to start on any of these that is not a boolean: an input error here,
# whether or not the setting matters for the flow
_BOOLEANS = (
    ("enabled", False),
    ("emit.checkpoints.enabled", True),
    ("sync.group.offsets.enabled", False),
    ("sync.topic.acls.enabled", True),
    ("sync.topic.configs.enabled", True),
)


def _flow(props: Mapping[str, str], source: str, target: str, origin: str) -> Mm2Flow:
    def get(key: str) -> str | None:
        return props.get(f"{source}->{target}.{key}", props.get(key))

    def bad(key: str, value: object) -> None:
        raise InputError(
            f"{origin}: {source}->{target}.{key} must be true or false, got {str(value).strip()!r}"
        )

    def consumer_setting(key: str) -> str | None:
        # the source cluster's consumer settings, then the flow's (or the top level's)
        found = props.get(f"{source}.{key.removeprefix('source.')}")
        return props.get(f"{source}->{target}.{key}", props.get(key, found))

    for key, default in _BOOLEANS:
        flag(get, key, default, bad)
    # the source connector's and the checkpoint connector's settings are the flow's
    settings = flow_settings(get, get, bad, consumer=consumer_setting)
    reset = props.get(f"{source}.consumer.auto.offset.reset", get("consumer.auto.offset.reset"))

    return Mm2Flow(
        source=source,
        target=target,
        enabled=flag(get, "enabled", False, bad),
        topics=settings.topics,
        topics_exclude=settings.topics_exclude,
        identity=settings.identity,
        separator=props.get(
            f"{source}->{target}.replication.policy.separator",
            props.get("replication.policy.separator", "."),
        ),
        emit_checkpoints=settings.emit_checkpoints,
        # the setting itself (the snapshot's offset sync also needs emit.checkpoints.enabled)
        sync_group_offsets=flag(get, "sync.group.offsets.enabled", False, bad),
        copies_acls=settings.copies_acls,
        copies_topic_configs=settings.copies_topic_configs,
        starting_position=starting_position(reset),
        worker_group=props.get(f"{target}.group.id", f"{source}-mm2"),
        isolation=settings.isolation,
    )


def load_mm2(path: Path) -> list[Mm2Flow]:
    return parse_mm2(read_properties(path, "MirrorMaker 2 configuration"), str(path))


def alias_regions(flows: Iterable[Mm2Flow], pairs: Mapping[str, str]) -> dict[str, str]:
    """Cluster alias -> region: the given ALIAS=REGION pairs, otherwise the alias itself."""
    aliases = {a for f in flows for a in (f.source, f.target)}
    unknown = sorted(set(pairs) - aliases)
    if unknown and aliases:
        raise InputError(
            f"--mm2-region names alias {unknown[0]!r}, which is not a cluster of "
            f"an MM2 flow ({', '.join(sorted(aliases))})"
        )
    return {alias: pairs.get(alias, alias) for alias in sorted(aliases)}
