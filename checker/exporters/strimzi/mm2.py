"""Strimzi KafkaMirrorMaker2 -> replication flows, in both API shapes.

- v1beta2: spec.clusters (aliases), spec.connectCluster, mirrors[].sourceCluster/targetCluster.
- v1 (and v1beta2 resources already using the new fields): spec.target (the target, which is
  also the Connect cluster) and mirrors[].source replace clusters, connectCluster and
  targetCluster.

Per mirror: topicsPattern / topicsExcludePattern (comma-separated regular expressions), the
replication policy (IdentityReplicationPolicy -> identical names and no loop protection; the
default -> names prefixed with the source alias; any other class is judged like identity, fail
closed), the checkpoint connector (absent -> no offset sync) and its sync.group.offsets.enabled
(MirrorMaker's default: false), ACL and topic-config sync, replicas 0 or a paused/stopped source
connector. Aliases map to regions through --mm2-region ALIAS=REGION (default: the alias).

A v1beta2 resource whose connectCluster is a mirror's source alias runs the connectors next to
the source: under the identity policy the records echo back forever. The flow is recorded with
loop_protection false and a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._shared.mm2 import consumer_isolation
from .._shared.snapshot import Gaps
from .manifests import Resource, mapping, mappings

DEFAULT_POLICY = "org.apache.kafka.connect.mirror.DefaultReplicationPolicy"
DEFAULT_TOPICS_EXCLUDE = (r".*[\-\.]internal", r".*\.replica", r"__.*")
OWNER_LABELS = ("owner", "team", "app.kubernetes.io/owner")
MIRROR_CONNECTORS = ("MirrorSourceConnector", "MirrorCheckpointConnector")


@dataclass(frozen=True)
class Mirror:
    name: str
    source: str
    target: str
    connect: str | None  # v1beta2 connectCluster; None in the v1 shape
    spec: Mapping[str, Any]


def _patterns(value: Any) -> list[str]:
    return [p.strip() for p in str(value).split(",") if p.strip()] if value else []


def _flag(config: Mapping[str, Any], key: str, default: bool, where: str, gaps: Gaps) -> bool:
    value = config.get(key)
    if value is None:
        return default
    found = str(value).strip().lower()
    if found not in ("true", "false"):
        gaps.add("replication", f"{where}: {key} is {value!r}, not true or false")
        return default
    return found == "true"


def mirrors(resource: Resource, gaps: Gaps) -> list[Mirror]:
    spec = resource.spec
    raw = mappings(spec.get("mirrors"))
    if not raw:
        gaps.add("replication", f"{resource.ref} has no mirrors")
        return []
    target = spec.get("target")
    new_shape = isinstance(target, Mapping) or resource.version == "v1"
    out = []
    for index, mirror in enumerate(raw):
        if new_shape:
            source = mapping(mirror.get("source")).get("alias")
            target_alias = mapping(target).get("alias")
            connect = None
        else:
            source = mirror.get("sourceCluster")
            target_alias = mirror.get("targetCluster")
            connect = str(spec["connectCluster"]) if spec.get("connectCluster") else None
        if (
            not isinstance(source, str)
            or not isinstance(target_alias, str)
            or not source
            or not target_alias
        ):
            gaps.add(
                "replication",
                f"{resource.ref} mirrors[{index}]: source or target cluster alias missing",
            )
            continue
        name = resource.name if len(raw) == 1 else f"{resource.name}/{source}->{target_alias}"
        out.append(Mirror(name, str(source), str(target_alias), connect, mirror))
    return out


def _state(resource: Resource, mirror: Mapping[str, Any]) -> str:
    if resource.spec.get("replicas") == 0:
        return "STOPPED"
    connector = mapping(mirror.get("sourceConnector"))
    state = str(connector.get("state") or "").lower()
    if state in ("paused", "stopped"):
        return state.upper()
    return "PAUSED" if connector.get("pause") is True else "RUNNING"


def flows(
    resource: Resource, regions: Mapping[str, str], gaps: Gaps, warnings: list[str]
) -> list[dict[str, Any]]:
    out = []
    for mirror in mirrors(resource, gaps):
        spec = mirror.spec
        source_config = mapping(mapping(spec.get("sourceConnector")).get("config"))
        checkpoint = spec.get("checkpointConnector")
        checkpoint_config = mapping(mapping(checkpoint).get("config"))
        where = f"{resource.ref} {mirror.source}->{mirror.target}"
        policy = str(
            source_config.get("replication.policy.class")
            or checkpoint_config.get("replication.policy.class")
            or DEFAULT_POLICY
        )
        identity = policy != DEFAULT_POLICY
        emits = isinstance(checkpoint, Mapping) and _flag(
            checkpoint_config, "emit.checkpoints.enabled", True, where, gaps
        )
        synced = emits and _flag(
            checkpoint_config, "sync.group.offsets.enabled", False, where, gaps
        )
        if mirror.connect is not None and mirror.connect != mirror.target:
            echo = mirror.connect == mirror.source and identity
            warnings.append(
                f"{resource.ref}: connectCluster {mirror.connect} is not the target "
                f"{mirror.target}"
                + (
                    " and the identity replication policy has no loop "
                    "protection: records echo back forever"
                    if echo
                    else ""
                )
            )
        exclude = spec.get("topicsExcludePattern") or spec.get("topicsBlacklistPattern")
        exclude = exclude if isinstance(exclude, str) else None
        reset = str(source_config.get("consumer.auto.offset.reset", "earliest")).lower()
        labels = {**resource.annotations, **resource.labels}
        out.append(
            {
                "name": mirror.name,
                "tool": "mirrormaker2",
                "source_region": regions.get(mirror.source, mirror.source),
                "target_region": regions.get(mirror.target, mirror.target),
                "topics_include": _patterns(
                    spec.get("topicsPattern")
                    if isinstance(spec.get("topicsPattern"), str)
                    else None
                )
                or [".*"],
                "topics_exclude": _patterns(exclude) if exclude else list(DEFAULT_TOPICS_EXCLUDE),
                "topic_naming": "identical" if identity else "prefixed",
                "prefix": None if identity else mirror.source,
                "copies_acls": _flag(source_config, "sync.topic.acls.enabled", True, where, gaps),
                "copies_topic_configs": _flag(
                    source_config, "sync.topic.configs.enabled", True, where, gaps
                ),
                "offset_sync": {
                    "enabled": synced,
                    "mode": "CHECKPOINTS" if emits else "NONE",
                    "checkpoints_present": None,
                },
                # DefaultReplicationPolicy never sends a topic back to the cluster its prefix
                # names; the identity policy (and a connectCluster on the source) cannot tell.
                "loop_protection": not identity,
                "starting_position": "LATEST" if reset == "latest" else "EARLIEST",
                "consumer_isolation": consumer_isolation(source_config.get),
                "state": _state(resource, spec),
                "owner": next((labels[k] for k in OWNER_LABELS if labels.get(k)), None),
            }
        )
    return out


def connector_gaps(resources: list[Resource], gaps: Gaps) -> None:
    """MirrorMaker 2 run as KafkaConnector resources is not read: a gap, not a silent miss."""
    for resource in resources:
        kind = str(resource.spec.get("class") or "")
        if kind.rsplit(".", 1)[-1] in MIRROR_CONNECTORS:
            gaps.add(
                "replication",
                f"{resource.ref} runs {kind.rsplit('.', 1)[-1]} as a "
                "KafkaConnector, which this exporter does not read",
            )


def aliases(resources: list[Resource]) -> set[str]:
    found: set[str] = set()
    for resource in resources:
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
    return found
