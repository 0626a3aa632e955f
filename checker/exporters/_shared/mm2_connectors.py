"""MirrorMaker 2 run as Kafka Connect connectors (MSK Connect, a Strimzi KafkaConnector, any
Connect cluster) -> replication flows.

A flow is one MirrorSourceConnector (`source.cluster.alias` -> `target.cluster.alias`): without
one nothing is copied, whatever checkpoint or heartbeat connectors run. The checkpoint connector
with the same aliases, when present, gives the offset sync (`emit.checkpoints.enabled`, default
true; `sync.group.offsets.enabled`, default false). The settings are read by
mm2.flow_settings, as the Kafka and Strimzi MM2 readers read them, with MirrorMaker's defaults
(Kafka 3.9): `topics` (default `.*`), `topics.exclude`, `replication.policy.class` (anything
but DefaultReplicationPolicy is judged like the identity policy: fail closed),
`sync.topic.acls.enabled` and `sync.topic.configs.enabled` (default true), the source
consumer's `auto.offset.reset` and isolation level. Cluster connection settings (bootstrap
servers, JAAS, passwords) are never read into a flow; the caller tells the regions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .mm2 import flow_record, flow_settings, starting_position

SOURCE = "MirrorSourceConnector"
CHECKPOINT = "MirrorCheckpointConnector"
HEARTBEAT = "MirrorHeartbeatConnector"
KINDS = (SOURCE, CHECKPOINT, HEARTBEAT)


def connector_kind(config: Mapping[str, Any]) -> str | None:
    """SOURCE, CHECKPOINT or HEARTBEAT for a MirrorMaker connector, None for any other."""
    name = str(config.get("connector.class") or "").rsplit(".", 1)[-1]
    return name if name in KINDS else None


@dataclass(frozen=True)
class Connector:
    """One MirrorMaker connector: where it was declared, and its configuration."""

    ref: str  # e.g. the Terraform address or the KafkaConnector's namespace/name
    config: Mapping[str, Any]

    @property
    def kind(self) -> str | None:
        return connector_kind(self.config)

    @property
    def aliases(self) -> tuple[str, str] | None:
        source = self.config.get("source.cluster.alias")
        target = self.config.get("target.cluster.alias")
        if not isinstance(source, str) or not isinstance(target, str) or not source or not target:
            return None
        return source, target


@dataclass(frozen=True)
class Pair:
    """The connectors of one source->target flow."""

    source: Connector
    checkpoint: Connector | None

    @property
    def aliases(self) -> tuple[str, str]:
        found = self.source.aliases
        assert found is not None  # pairs are built from connectors with aliases
        return found


def pairs(connectors: Sequence[Connector], problems: list[str]) -> list[Pair]:
    """Source connectors with their checkpoint connector; a source connector without aliases
    or two for one flow is a problem (the flow cannot be told)."""
    checkpoints: dict[tuple[str, str], Connector] = {}
    sources: dict[tuple[str, str], Connector] = {}
    for connector in connectors:
        kind = connector.kind
        if kind not in (SOURCE, CHECKPOINT):
            continue
        aliases = connector.aliases
        if aliases is None:
            problems.append(
                f"{connector.ref}: {kind} without source.cluster.alias and target.cluster.alias"
            )
            continue
        found = sources if kind == SOURCE else checkpoints
        if aliases in found:
            problems.append(
                f"{connector.ref} and {found[aliases].ref}: two {kind}s for "
                f"{aliases[0]}->{aliases[1]}"
            )
            continue
        found[aliases] = connector
    return [Pair(sources[a], checkpoints.get(a)) for a in sorted(sources)]


def flow(
    pair: Pair,
    name: str,
    regions: tuple[str, str],
    problems: list[str],
    state: str = "RUNNING",
    owner: str | None = None,
) -> dict[str, Any]:
    """The snapshot v1 flow of a source connector (and its checkpoint connector)."""
    source = pair.source.config
    checkpoint = pair.checkpoint.config if pair.checkpoint is not None else None
    where = pair.source.ref

    def bad(key: str, value: object) -> None:
        problems.append(f"{where}: {key} is {value!r}, not true or false")

    settings = flow_settings(source.get, checkpoint.get if checkpoint is not None else None, bad)
    reset = source.get("source.consumer.auto.offset.reset") or source.get(
        "consumer.auto.offset.reset"
    )
    return flow_record(
        settings,
        name=name,
        source_alias=pair.aliases[0],
        regions=regions,
        starting_position=starting_position(reset),
        state=state,
        owner=owner,
    )
