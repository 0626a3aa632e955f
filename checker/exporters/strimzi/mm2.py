"""Strimzi MirrorMaker 2 -> replication flows: KafkaMirrorMaker2 in both API shapes, and
MirrorMaker connectors run as KafkaConnector resources on a KafkaConnect cluster.

- KafkaMirrorMaker2 v1beta2: spec.clusters (aliases), spec.connectCluster,
  mirrors[].sourceCluster/targetCluster.
- KafkaMirrorMaker2 v1 (and v1beta2 resources already using the new fields): spec.target (the
  target, which is also the Connect cluster) and mirrors[].source replace clusters,
  connectCluster and targetCluster.
- KafkaConnector (class MirrorSourceConnector / MirrorCheckpointConnector, the connector's
  `config` holding source.cluster.alias, target.cluster.alias, topics, ...): a source connector
  is a flow; a checkpoint connector with the same aliases on the same KafkaConnect (label
  strimzi.io/cluster) gives it its offset sync.

Per flow: topics / topicsPattern and topics.exclude / topicsExcludePattern (comma-separated
regular expressions), the replication policy (IdentityReplicationPolicy -> identical names and
no loop protection; the default -> names prefixed with the source alias; any other class is
judged like identity, fail closed), the checkpoint connector (absent -> no offset sync) and its
sync.group.offsets.enabled (MirrorMaker's default: false), ACL and topic-config sync, replicas
0 or a paused/stopped source connector. Aliases map to regions through --mm2-region
ALIAS=REGION (default: the alias).

The operator creates only the connectors whose spec is present: a mirror without a
`sourceConnector` copies nothing. It is recorded as a STOPPED flow that carries no topic (its
checkpoint connector, if any, still emits checkpoints), with a warning; never as RUNNING.

Only flows into the exported Kafka are kept: the target's bootstrap address names a Strimzi
Kafka (`<name>-kafka-bootstrap[.<namespace>...]`) that must be it, else the target alias is its
name or maps (mm2_regions) to the exported region. A flow whose target cannot be told is a
replication gap; two documents defining the same flow are an input error naming both.

A v1beta2 resource whose connectCluster is a mirror's source alias runs the connectors next to
the source: under the identity policy the records echo back forever. The flow is recorded with
loop_protection false and a warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import InputError
from .._shared.mm2 import flow_record, flow_settings, starting_position
from .._shared.snapshot import Gaps
from .manifests import Resource, mapping, mappings

OWNER_LABELS = ("owner", "team", "app.kubernetes.io/owner")
SOURCE_CONNECTOR = "MirrorSourceConnector"
CHECKPOINT_CONNECTOR = "MirrorCheckpointConnector"
MIRROR_CONNECTORS = (SOURCE_CONNECTOR, CHECKPOINT_CONNECTOR, "MirrorHeartbeatConnector")
# Strimzi's bootstrap service: <kafka>-kafka-bootstrap, optionally .<namespace>[.svc...]
_BOOTSTRAP = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?)-kafka-bootstrap(\.([a-z0-9-]+))?")


@dataclass(frozen=True)
class Target:
    """The Kafka a flow is judged against: the exported resource and its region."""

    name: str
    namespace: str | None
    region: str
    regions: Mapping[str, str]  # MM2 alias -> region

    def region_of(self, alias: str) -> str:
        return self.regions.get(alias, alias)


@dataclass(frozen=True)
class Leg:
    """One source -> target leg, from a KafkaMirrorMaker2 mirror or KafkaConnector configs."""

    name: str
    resource: Resource
    where: str
    source: str
    target: str
    target_bootstrap: str | None
    source_config: Mapping[str, Any] | None  # None: no source connector
    checkpoint_config: Mapping[str, Any] | None  # None: no checkpoint connector
    topics: str | None
    topics_exclude: str | None
    state: str
    connect: str | None = None  # v1beta2 connectCluster


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _connector_state(spec: Mapping[str, Any]) -> str:
    state = str(spec.get("state") or "").lower()
    if state in ("paused", "stopped"):
        return state.upper()
    return "PAUSED" if spec.get("pause") is True else "RUNNING"


# --- KafkaMirrorMaker2 -------------------------------------------------------------------------


def _mirror_legs(resource: Resource, gaps: Gaps) -> list[Leg]:
    spec = resource.spec
    raw = mappings(spec.get("mirrors"))
    if not raw:
        gaps.add("replication", f"{resource.ref} has no mirrors")
        return []
    target = spec.get("target")
    new_shape = isinstance(target, Mapping) or resource.version == "v1"
    clusters = {str(c.get("alias")): c for c in mappings(spec.get("clusters"))}
    out = []
    for index, mirror in enumerate(raw):
        if new_shape:
            source = _text(mapping(mirror.get("source")).get("alias"))
            target_alias = _text(mapping(target).get("alias"))
            bootstrap = _text(mapping(target).get("bootstrapServers"))
            connect = None
        else:
            source = _text(mirror.get("sourceCluster"))
            target_alias = _text(mirror.get("targetCluster"))
            bootstrap = _text(mapping(clusters.get(str(target_alias))).get("bootstrapServers"))
            connect = str(spec["connectCluster"]) if spec.get("connectCluster") else None
        if source is None or target_alias is None:
            gaps.add(
                "replication",
                f"{resource.ref} mirrors[{index}]: source or target cluster alias missing",
            )
            continue
        name = resource.name if len(raw) == 1 else f"{resource.name}/{source}->{target_alias}"
        source_connector = mirror.get("sourceConnector")
        checkpoint = mirror.get("checkpointConnector")
        state = "STOPPED" if spec.get("replicas") == 0 else "RUNNING"
        if state == "RUNNING" and isinstance(source_connector, Mapping):
            state = _connector_state(source_connector)
        exclude = mirror.get("topicsExcludePattern") or mirror.get("topicsBlacklistPattern")
        out.append(
            Leg(
                name=name,
                resource=resource,
                where=f"{resource.ref} {source}->{target_alias}",
                source=source,
                target=target_alias,
                target_bootstrap=bootstrap,
                source_config=mapping(mapping(source_connector).get("config"))
                if isinstance(source_connector, Mapping)
                else None,
                checkpoint_config=mapping(mapping(checkpoint).get("config"))
                if isinstance(checkpoint, Mapping)
                else None,
                topics=_text(mirror.get("topicsPattern")),
                topics_exclude=_text(exclude),
                state=state,
                connect=connect,
            )
        )
    return out


# --- KafkaConnector ----------------------------------------------------------------------------


def mirror_connector(resource: Resource) -> str | None:
    kind = str(resource.spec.get("class") or "").rsplit(".", 1)[-1]
    return kind if kind in MIRROR_CONNECTORS else None


def _connector_legs(
    connectors: list[Resource], connects: list[Resource], gaps: Gaps, warnings: list[str]
) -> list[Leg]:
    """Source connectors as legs; checkpoint connectors join the source connector with the same
    aliases on the same KafkaConnect. A checkpoint connector alone copies nothing: a STOPPED
    leg, like a KafkaMirrorMaker2 mirror without a source connector."""
    by_connect = {r.name: r for r in connects}
    sources: dict[tuple[str, str, str], tuple[Resource, Mapping[str, Any]]] = {}
    checkpoints: dict[tuple[str, str, str], tuple[Resource, Mapping[str, Any]]] = {}
    for resource in connectors:
        kind = mirror_connector(resource)
        if kind is None or kind == "MirrorHeartbeatConnector":
            continue
        config = mapping(resource.spec.get("config"))
        source = _text(config.get("source.cluster.alias"))
        target = _text(config.get("target.cluster.alias"))
        if source is None or target is None:
            gaps.add(
                "replication",
                f"{resource.ref} runs {kind} without source.cluster.alias and "
                "target.cluster.alias: its flow cannot be read",
            )
            continue
        on = resource.labels.get("strimzi.io/cluster", "")
        key = (on, source, target)
        chosen = sources if kind == SOURCE_CONNECTOR else checkpoints
        if key in chosen:
            raise InputError(
                f"{chosen[key][0].ref} and {resource.ref} both run {kind} {source}->{target} "
                f"on KafkaConnect {on or '?'}: keep one of the two files"
            )
        chosen[key] = (resource, config)
    out = []
    for key in sorted(set(sources) | set(checkpoints)):
        connect_name, source, target = key
        found = sources.get(key) or checkpoints[key]
        resource = found[0]
        source_config = sources[key][1] if key in sources else None
        checkpoint_config = checkpoints[key][1] if key in checkpoints else None
        connect = by_connect.get(connect_name)
        state = _connector_state(resource.spec) if key in sources else "RUNNING"
        if connect is not None:
            if connect.spec.get("replicas") == 0:
                state = "STOPPED"
            enabled = str(connect.annotations.get("strimzi.io/use-connector-resources", ""))
            if enabled.lower() != "true":
                warnings.append(
                    f"{resource.ref}: KafkaConnect {connect.name} does not set the annotation "
                    'strimzi.io/use-connector-resources: "true", so the operator ignores '
                    "its KafkaConnector resources (recorded as STOPPED)"
                )
                state = "STOPPED"
        config = source_config or checkpoint_config or {}
        bootstrap = _text(config.get("target.cluster.bootstrap.servers"))
        if bootstrap is None and connect is not None:
            bootstrap = _text(connect.spec.get("bootstrapServers"))
        out.append(
            Leg(
                name=resource.name,
                resource=resource,
                where=f"{resource.ref} {source}->{target}",
                source=source,
                target=target,
                target_bootstrap=bootstrap,
                source_config=source_config,
                checkpoint_config=checkpoint_config,
                topics=_text(config.get("topics")) if source_config is not None else None,
                topics_exclude=_text(config.get("topics.exclude") or config.get("topics.blacklist"))
                if source_config is not None
                else None,
                state=state,
            )
        )
    return out


# --- which flows are this Kafka's ---------------------------------------------------------------


def names_kafka(bootstrap: str | None, kafka: Target) -> bool | None:
    """Whether a bootstrap address is the exported Kafka's Strimzi bootstrap service; None when
    it names no Strimzi Kafka (a load balancer, a route, an external host)."""
    first = (bootstrap or "").split(",")[0].strip().lower()
    match = _BOOTSTRAP.match(first)
    if match is None:
        return None
    namespace = match.group(4)
    same_namespace = namespace is None or kafka.namespace is None or namespace == kafka.namespace
    return match.group(1) == kafka.name and same_namespace


def _into(leg: Leg, kafka: Target) -> bool | None:
    """Whether the leg writes into the exported Kafka; None when it cannot be told."""
    named = names_kafka(leg.target_bootstrap, kafka)
    if named is not None:
        return named
    if leg.target == kafka.name:
        return True
    if leg.target in kafka.regions:
        return kafka.regions[leg.target] == kafka.region
    return None


def _flow(leg: Leg, kafka: Target, gaps: Gaps, warnings: list[str]) -> dict[str, Any]:
    source_config = leg.source_config or {}
    where = leg.where
    # the leg's topic patterns (a mirror's topicsPattern, a connector's topics) stand for the
    # source connector's
    topics = {"topics": leg.topics, "topics.exclude": leg.topics_exclude}

    def source(key: str) -> object | None:
        if key in topics or key in ("topics.whitelist", "topics.blacklist"):
            return topics.get(key)
        return source_config.get(key)

    def bad(key: str, value: object) -> None:
        gaps.add("replication", f"{where}: {key} is {value!r}, not true or false")

    checkpoint = leg.checkpoint_config.get if leg.checkpoint_config is not None else None
    copies = leg.source_config is not None
    settings = flow_settings(source, checkpoint, bad, copies=copies)
    if leg.connect is not None and leg.connect != leg.target:
        echo = leg.connect == leg.source and settings.identity
        warnings.append(
            f"{leg.resource.ref}: connectCluster {leg.connect} is not the target {leg.target}"
            + (
                " and the identity replication policy has no loop protection: records echo "
                "back forever"
                if echo
                else ""
            )
        )
    state = leg.state
    if not copies:
        state = "STOPPED"
        warnings.append(
            f"{where}: no source connector, so nothing is copied "
            f"({'checkpoints only' if leg.checkpoint_config is not None else 'no connector'}; "
            "recorded as a STOPPED flow carrying no topic)"
        )
    labels = {**leg.resource.annotations, **leg.resource.labels}
    return flow_record(
        settings,
        name=leg.name,
        source_alias=leg.source,
        regions=(kafka.region_of(leg.source), kafka.region_of(leg.target)),
        starting_position=starting_position(source_config.get("consumer.auto.offset.reset")),
        state=state,
        owner=next((labels[k] for k in OWNER_LABELS if labels.get(k)), None),
    )


def flows(
    mirrors: list[Resource],
    connectors: list[Resource],
    connects: list[Resource],
    kafka: Target,
    gaps: Gaps,
    warnings: list[str],
) -> list[dict[str, Any]]:
    """The flows into `kafka`, sorted by name; legs into other clusters are left out."""
    legs = [leg for r in mirrors for leg in _mirror_legs(r, gaps)]
    legs += _connector_legs(connectors, connects, gaps, warnings)
    kept: dict[str, Leg] = {}
    out = []
    for leg in legs:
        into = _into(leg, kafka)
        if into is False:
            continue
        if into is None:
            gaps.add(
                "replication",
                f"{leg.where}: cannot tell whether target {leg.target} "
                f"({leg.target_bootstrap or 'no bootstrap address'}) is Kafka {kafka.name}; "
                f"map the alias to a region (mm2_regions / --mm2-region {leg.target}=REGION)",
            )
            continue
        if leg.name in kept:
            raise InputError(
                f"{kept[leg.name].resource.ref} and {leg.resource.ref} both define the "
                f"MirrorMaker 2 flow {leg.name} into Kafka {kafka.name}: keep one of the two "
                "files (e.g. one overlay's paths)"
            )
        kept[leg.name] = leg
        out.append(_flow(leg, kafka, gaps, warnings))
    return sorted(out, key=lambda f: (f["name"], f["source_region"]))


def mirrormaker1_gaps(resources: list[Resource], kafka: Target, gaps: Gaps) -> None:
    """KafkaMirrorMaker (MirrorMaker 1, removed in Strimzi 0.46) copies topics too: one that
    may write into this Kafka (its producer's bootstrap does not name another Strimzi Kafka)
    is a replication gap, never a silent miss."""
    for resource in resources:
        producer = mapping(resource.spec.get("producer")).get("bootstrapServers")
        if names_kafka(_text(producer), kafka) is False:
            continue
        gaps.add(
            "replication",
            f"{resource.ref} runs MirrorMaker 1 (KafkaMirrorMaker), which this exporter does "
            "not read",
        )


def aliases(mirrors: list[Resource], connectors: list[Resource]) -> set[str]:
    found: set[str] = set()
    for resource in mirrors:
        spec = resource.spec
        for entry in [
            *mappings(spec.get("clusters")),
            mapping(spec.get("target")),
            *[mapping(m.get("source")) for m in mappings(spec.get("mirrors"))],
        ]:
            if entry.get("alias"):
                found.add(str(entry["alias"]))
        for mirror in mappings(spec.get("mirrors")):
            found.update(
                str(mirror[k]) for k in ("sourceCluster", "targetCluster") if mirror.get(k)
            )
    for resource in connectors:
        config = mapping(resource.spec.get("config"))
        keys = ("source.cluster.alias", "target.cluster.alias")
        found.update(str(config[k]) for k in keys if config.get(k))
    return found
