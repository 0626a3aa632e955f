"""MirrorMaker 2 dedicated-mode configuration (mm2.properties) -> replication flows.

Only the flow semantics are read: which `source->target` pairs are enabled, the topic
patterns, the replication policy (identical or alias-prefixed names), checkpoints and group
offset sync, ACL and topic-config sync. Cluster connection settings (bootstrap servers,
sasl.jaas.config, passwords, ...) are never read into a flow.

Resolution follows MirrorMakerConfig: `<source>-><target>.<key>` overrides the top-level
`<key>`, which overrides MirrorMaker's default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError
from .._shared.mm2 import consumer_isolation
from .props import read_properties

IDENTITY_POLICY = "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"
DEFAULT_POLICY = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy"
DEFAULT_TOPICS_EXCLUDE = (r".*[\-\.]internal", r".*\.replica", r"__.*")


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
    def checkpoints_topic(self) -> str:
        """Where MirrorCheckpointConnector writes translated offsets, on the target cluster."""
        return f"{self.source}{self.separator}checkpoints{self.separator}internal"

    def record(
        self, source_region: str, target_region: str, state: str, checkpoints_present: bool | None
    ) -> dict[str, Any]:
        """The snapshot v1 flow."""
        return {
            "name": self.name,
            "tool": "mirrormaker2",
            "source_region": source_region,
            "target_region": target_region,
            "topics_include": list(self.topics),
            "topics_exclude": list(self.topics_exclude),
            "topic_naming": "identical" if self.identity else "prefixed",
            "prefix": None if self.identity else self.source,
            "copies_acls": self.copies_acls,
            "copies_topic_configs": self.copies_topic_configs,
            "offset_sync": {
                "enabled": self.emit_checkpoints and self.sync_group_offsets,
                "mode": "CHECKPOINTS" if self.emit_checkpoints else "NONE",
                "checkpoints_present": checkpoints_present,
            },
            # DefaultReplicationPolicy never replicates a topic back to the cluster its
            # alias prefix names; the identity policy cannot tell, so flows in both
            # directions loop.
            "loop_protection": not self.identity,
            "starting_position": self.starting_position,
            "consumer_isolation": self.isolation,
            "state": state,
            "owner": None,
        }


def _patterns(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _bool(value: str, key: str, origin: str) -> bool:
    text = value.strip().lower()
    if text not in ("true", "false"):
        raise InputError(f"{origin}: {key} must be true or false, got {value.strip()!r}")
    return text == "true"


def parse_mm2(props: Mapping[str, str], origin: str) -> list[Mm2Flow]:
    clusters = list(_patterns(props.get("clusters", "")))
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


def _flow(props: Mapping[str, str], source: str, target: str, origin: str) -> Mm2Flow:
    def get(key: str, default: str) -> str:
        return props.get(f"{source}->{target}.{key}", props.get(key, default))

    def flag(key: str, default: bool) -> bool:
        return _bool(get(key, str(default).lower()), f"{source}->{target}.{key}", origin)

    policy = get("replication.policy.class", DEFAULT_POLICY).strip()
    exclude = get("topics.exclude", get("topics.blacklist", ",".join(DEFAULT_TOPICS_EXCLUDE)))
    reset = props.get(
        f"{source}.consumer.auto.offset.reset", get("consumer.auto.offset.reset", "earliest")
    )

    def consumer_setting(key: str) -> str | None:
        # the source cluster's consumer settings, then the flow's (or the top level's)
        found = props.get(f"{source}.{key.removeprefix('source.')}")
        return props.get(f"{source}->{target}.{key}", props.get(key, found))

    return Mm2Flow(
        source=source,
        target=target,
        enabled=flag("enabled", False),
        topics=_patterns(get("topics", get("topics.whitelist", ".*"))),
        topics_exclude=_patterns(exclude),
        # a custom policy's naming is unknown: judge it like identity (fail closed)
        identity=policy != DEFAULT_POLICY,
        separator=get("replication.policy.separator", "."),
        emit_checkpoints=flag("emit.checkpoints.enabled", True),
        sync_group_offsets=flag("sync.group.offsets.enabled", False),
        copies_acls=flag("sync.topic.acls.enabled", True),
        copies_topic_configs=flag("sync.topic.configs.enabled", True),
        starting_position="LATEST" if reset.strip().lower() == "latest" else "EARLIEST",
        worker_group=props.get(f"{target}.group.id", f"{source}-mm2"),
        isolation=consumer_isolation(consumer_setting),
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
