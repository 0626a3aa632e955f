"""Live Kafka exporter: one region's snapshot from a live Kafka cluster (Admin API).

    export(KafkaSource(region, bootstrap, ...)) -> snapshot document

from `failback export kafka` (checker/cli/export.py) or, in failback.yaml,
`regions.<role>.source: {type: kafka, bootstrap: ..., ...}` (`from_plan`).

Works with anything that speaks the Kafka protocol: Apache Kafka, Confluent Platform, AutoMQ,
Redpanda, Strimzi-managed Kafka. Reads ACLs, topics and their configs, broker listeners and
security settings, SCRAM user names, consumer groups and their committed topics, and (from a
MirrorMaker 2 dedicated-mode mm2.properties) the replication flows into this region with live
checkpoint evidence. With `runtime=True` (`--runtime`) it adds the live rehearsal evidence of
`runtime.collect_runtime` (offsets, partition health, groups, MM2 checkpoints); `--runtime-only`
writes just that (`export_runtime`). What the Kafka protocol cannot show (client quotas
through confluent-kafka, audit logging, object storage) is recorded as a gap, never guessed.

confluent-kafka is imported lazily: `failback check` never needs it.
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from ... import schemas
from ...errors import InputError
from .._shared.snapshot import RUNTIME_SCHEMA_VERSION, add_gap, finish, skeleton
from .admin import CallFailed, Reader, broker_config, error_name, listener_facts
from .logs import silent_logger
from .mm2 import Mm2Flow, alias_regions, load_mm2
from .props import ClientSettings, client_settings, read_properties
from .runtime import RuntimeSession, collect_runtime, parse_min_insync

__all__ = [
    "KINDS",
    "KafkaSource",
    "RuntimeSession",
    "collect_runtime",
    "export",
    "export_runtime",
    "from_plan",
    "open_session",
]

KINDS = ("kafka", "confluent", "automq", "redpanda", "strimzi")
DEFAULT_TIMEOUT = 30.0
RUNNING_GROUP_STATES = frozenset({"STABLE"})
REBALANCING_GROUP_STATES = frozenset({"PREPARING_REBALANCE", "COMPLETING_REBALANCE"})
_AUTH_ERRORS = frozenset({"_AUTHENTICATION", "SASL_AUTHENTICATION_FAILED", "_SSL"})
_CONNECT_ERRORS = frozenset({"_TRANSPORT", "_RESOLVE", "_ALL_BROKERS_DOWN", "_TIMED_OUT"})
_POLL_SECONDS = 0.2
NOT_GRANTED = "CLUSTER_AUTHORIZATION_FAILED: DescribeCluster grants no Describe on the cluster"


@dataclass(frozen=True)
class KafkaSource:
    """What one export reads and how it connects."""

    region: str
    bootstrap: str | None = None
    command_config: Path | None = None
    overrides: Mapping[str, str] = field(default_factory=dict)
    overrides_dir: Path | None = None
    mm2_config: Path | None = None
    mm2_regions: Mapping[str, str] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    cluster_name: str | None = None
    kind: str = "kafka"
    kafka_version: str | None = None  # the Admin API does not tell; the operator may
    runtime: bool = False  # add the live `runtime` area (collect_runtime) to the export


class _Errors:
    """librdkafka's error callback: connection and authentication errors, newest last."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def __call__(self, error: Any) -> None:
        self.items.append((str(error.name()), str(error.str())))

    def first(self, names: frozenset[str]) -> str | None:
        return next((text for name, text in self.items if name in names), None)


def _admin(settings: ClientSettings, errors: _Errors) -> Any:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    config = dict(settings.config, error_cb=errors, logger=silent_logger())
    try:
        return AdminClient(config)
    except KafkaException as exc:
        error = exc.args[0] if exc.args else exc
        text = error.str() if hasattr(error, "str") else str(error)
        raise InputError(
            f"client configuration: {text}", hint="check --command-config and -X settings"
        ) from None


def _connect(admin: Any, errors: _Errors, settings: ClientSettings, timeout: float) -> set[str]:
    """Wait until the cluster answers, failing within `timeout` on no answer or bad credentials.

    Returns the operations this principal may perform on the cluster (empty when unknown).
    """
    from confluent_kafka import KafkaException

    where = settings.bootstrap
    deadline = time.monotonic() + timeout
    future = admin.describe_cluster(include_authorized_operations=True, request_timeout=timeout)
    while True:
        try:
            described = future.result(timeout=_POLL_SECONDS)
            return {op.name for op in described.authorized_operations or []}
        except concurrent.futures.TimeoutError:
            failure = None
        except KafkaException as exc:
            failure = error_name(exc)
        admin.poll(0)
        denied = errors.first(_AUTH_ERRORS) or (failure if failure in _AUTH_ERRORS else None)
        if denied:
            raise InputError(f"authentication to Kafka at {where} failed: {denied}")
        if failure is not None and failure not in _CONNECT_ERRORS:
            return set()  # the cluster answered, with an error of its own (unsupported API)
        if failure is not None or time.monotonic() >= deadline:
            detail = errors.first(_CONNECT_ERRORS - {"_ALL_BROKERS_DOWN"}) or failure or "no answer"
            raise InputError(f"cannot reach Kafka at {where} within {timeout:g}s: {detail}")


def _settings(config: KafkaSource) -> ClientSettings:
    if config.kind not in KINDS:
        raise InputError(
            f"unknown cluster kind {config.kind!r}; expected one of {', '.join(KINDS)}"
        )
    properties: dict[str, str] = {}
    if config.command_config is not None:
        properties = read_properties(config.command_config, "client properties")
    return client_settings(
        config.bootstrap,
        properties,
        config.command_config.parent if config.command_config else None,
        config.overrides,
        config.overrides_dir,
        config.region,
        config.timeout,
    )


@dataclass
class _Connection:
    session: RuntimeSession
    settings: ClientSettings
    cluster_operations: set[str]


def _open(config: KafkaSource) -> _Connection:
    settings = _settings(config)
    errors = _Errors()
    admin = _admin(settings, errors)
    operations = _connect(admin, errors, settings, config.timeout)
    return _Connection(RuntimeSession(admin, settings.config, config.timeout), settings, operations)


def open_session(config: KafkaSource) -> RuntimeSession:
    """A connected session for `collect_runtime` (one per region; reuse it across samples).
    Raises InputError (one line) on bad client settings, no answer or failed authentication."""
    return _open(config).session


def _metadata(connection: _Connection) -> Any:
    from confluent_kafka import KafkaException

    try:
        return connection.session.admin.list_topics(timeout=connection.session.timeout)
    except KafkaException as exc:
        raise InputError(
            f"cannot read cluster metadata from {connection.settings.bootstrap}: {error_name(exc)}"
        ) from None


def _cluster(config: KafkaSource, metadata: Any) -> dict[str, str]:
    cluster_id = str(metadata.cluster_id or "unknown")
    cluster = {"id": cluster_id, "name": config.cluster_name or cluster_id, "kind": config.kind}
    if config.kafka_version:
        cluster["kafka_version"] = config.kafka_version
    return cluster


def _add_runtime(
    snapshot: dict[str, Any],
    session: RuntimeSession,
    min_insync: Mapping[str, int | None] | None = None,
) -> None:
    runtime, gaps = collect_runtime(session, min_insync=min_insync)
    snapshot["schema_version"] = RUNTIME_SCHEMA_VERSION
    snapshot["runtime"] = runtime
    for gap in gaps:
        add_gap(snapshot, gap["area"], gap["reason"], gap["call"])


def export_runtime(config: KafkaSource) -> dict[str, Any]:
    """A snapshot with the cluster and the `runtime` area only (`--runtime-only`): for
    sampling during a rehearsal; merge it with a full export (a region's sources list)."""
    connection = _open(config)
    metadata = _metadata(connection)
    detail = f"failback export kafka --runtime-only --bootstrap {connection.settings.describe()}"
    snapshot = skeleton(config.region, "kafka", detail, _cluster(config, metadata))
    _add_runtime(snapshot, connection.session)
    return finish(snapshot, f"kafka runtime export of region {config.region}")


def export(config: KafkaSource, messages: TextIO | None = None) -> dict[str, Any]:
    """Read one region and return a validated snapshot v1 document (nothing goes to
    `messages`: the Kafka exporter reports through the snapshot and its errors)."""
    flows: list[Mm2Flow] | None = None
    regions: dict[str, str] = {}
    if config.mm2_config is not None:
        flows = load_mm2(config.mm2_config)
        regions = alias_regions(flows, config.mm2_regions)
        if flows and config.region not in regions.values():
            raise InputError(
                f"{config.mm2_config}: no cluster alias maps to region {config.region} "
                f"(aliases: {', '.join(regions)}); pass --mm2-region ALIAS={config.region}"
            )

    connection = _open(config)
    settings = connection.settings
    admin = connection.session.admin
    cluster_operations = connection.cluster_operations
    metadata = _metadata(connection)
    detail = f"failback export kafka --bootstrap {settings.describe()}"
    if config.mm2_config is not None:
        detail += f" --mm2-config {config.mm2_config.name}"
    if config.runtime:
        detail += " --runtime"
    snapshot = skeleton(config.region, "kafka", detail, _cluster(config, metadata))
    reader = Reader(admin, snapshot, config.timeout)
    # DescribeAcls and DescribeUserScramCredentials need Describe on the cluster. When the
    # broker denies them, librdkafka (confluent-kafka 2.16) answers an empty ACL list and
    # aborts the process respectively, so they are only asked with that permission confirmed.
    may_describe = bool(cluster_operations & {"DESCRIBE", "ALL"})
    if may_describe:
        reader.acls()
    else:
        add_gap(snapshot, "acls", NOT_GRANTED, "DescribeAcls")
    reader.topics(metadata)
    configs = reader.brokers(metadata.brokers)
    _brokers(snapshot, configs, settings)
    users = reader.scram_users() if may_describe else None
    if not may_describe:
        add_gap(snapshot, "authentication", NOT_GRANTED, "DescribeUserScramCredentials")
    if users is not None and "authentication" in snapshot:
        snapshot["authentication"]["scram_users"] = users
    groups = reader.consumer_groups()
    if groups is not None:
        snapshot["consumer_groups"] = groups
    _replication(snapshot, reader, metadata, flows, regions)
    _invisible(snapshot, config.kind)
    if config.runtime:
        _add_runtime(snapshot, connection.session, _known_min_insync(snapshot))
    return finish(snapshot, f"kafka export of region {config.region}")


def _known_min_insync(snapshot: Mapping[str, Any]) -> dict[str, int | None] | None:
    """min.insync.replicas of every topic from the topic configs just read (None: the
    topics area is incomplete, so collect_runtime reads them itself)."""
    if "topics" not in snapshot or any(g["area"] == "topics" for g in snapshot["gaps"]):
        return None
    return {
        name: parse_min_insync(topic.get("configs", {}).get("min.insync.replicas"))
        for name, topic in snapshot["topics"].items()
    }


def _replication(
    snapshot: dict[str, Any],
    reader: Reader,
    metadata: Any,
    flows: Sequence[Mm2Flow] | None,
    regions: Mapping[str, str],
) -> None:
    """The MM2 flows into this region (a flow lives with its target, like MSK Replicator)."""
    if flows is None:
        add_gap(
            snapshot,
            "replication",
            "no MirrorMaker 2 configuration given (--mm2-config); "
            "flows are not visible through the Kafka Admin API",
        )
        return
    snapshot["replication"] = [
        flow.record(
            regions[flow.source],
            regions[flow.target],
            _flow_state(reader, flow),
            _checkpoints(reader, flow, metadata),
        )
        for flow in flows
        if regions[flow.target] == snapshot["region"]
    ]


def _brokers(
    snapshot: dict[str, Any], configs: Sequence[Mapping[str, str]], settings: ClientSettings
) -> None:
    if not configs:
        for area in ("network", "encryption", "authentication"):
            add_gap(snapshot, area, "broker configuration unreadable", "DescribeConfigs")
        return
    snapshot["broker_config"] = broker_config(configs[0])
    facts = listener_facts(configs)
    snapshot["network"] = facts["network"]
    snapshot["encryption"] = {"in_transit": facts["in_transit"]}
    authentication = facts["authentication"]
    if settings.msk_iam:  # this export authenticated with IAM: the cluster accepts it
        authentication["iam"] = True
    snapshot["authentication"] = authentication


REBALANCE_POLLS = 20
REBALANCE_POLL_SECONDS = 0.5


def _flow_state(reader: Reader, flow: Mm2Flow) -> str:
    """RUNNING while the flow's MirrorMaker 2 worker group on this cluster is stable."""
    if not flow.enabled:
        return "STOPPED"
    try:
        state = reader.group_state(flow.worker_group)
        # a rebalance (tasks moving between workers) passes within seconds: look again
        for _ in range(REBALANCE_POLLS):
            if state not in REBALANCING_GROUP_STATES:
                break
            time.sleep(REBALANCE_POLL_SECONDS)
            state = reader.group_state(flow.worker_group)
    except CallFailed:
        return "UNKNOWN"
    if state in RUNNING_GROUP_STATES:
        return "RUNNING"
    if state in REBALANCING_GROUP_STATES:
        return "REBALANCING"
    return "STOPPED"


def _checkpoints(reader: Reader, flow: Mm2Flow, metadata: Any) -> bool | None:
    """Evidence of offset translation: the checkpoints topic exists here and holds records."""
    topic = metadata.topics.get(flow.checkpoints_topic)
    if topic is None:
        return False
    try:
        return reader.has_records(flow.checkpoints_topic, topic.partitions)
    except CallFailed:
        return None


def _invisible(snapshot: dict[str, Any], kind: str) -> None:
    """Areas the Kafka protocol does not show: gaps, so the checker never assumes them."""
    add_gap(
        snapshot,
        "quotas",
        "client quotas are not readable through confluent-kafka",
        "DescribeClientQuotas",
    )
    add_gap(snapshot, "audit", "audit logging is not visible through the Kafka protocol")
    remote = snapshot.get("broker_config", {}).get("remote.log.storage.system.enable") == "true"
    if kind == "automq" or remote:
        add_gap(snapshot, "storage", "object storage is not visible through the Kafka protocol")
    else:
        snapshot["storage"] = []


def _string_map(value: Mapping[str, Any] | None) -> dict[str, str]:
    """Client properties or aliases as the plan gives them (YAML true -> "true")."""
    if value is None:
        return {}
    return {str(k): str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)


def from_plan(source: Mapping[str, Any], region: str, base_dir: Path) -> KafkaSource:
    """The export a failback.yaml `source: {type: kafka, ...}` declares for `region` (its keys
    checked against the plan schema's kafka_source)."""
    schemas.validate_part(source, f"kafka source of region {region}", "plan", "kafka_source")

    def path(key: str) -> Path | None:
        value = source.get(key)
        return None if value is None else base_dir / str(value)

    return KafkaSource(
        region=region,
        bootstrap=_optional(source.get("bootstrap")),
        command_config=path("command_config"),
        overrides=_string_map(source.get("config")),
        overrides_dir=base_dir,
        mm2_config=path("mm2_config"),
        mm2_regions=_string_map(source.get("mm2_regions")),
        timeout=float(source.get("timeout", DEFAULT_TIMEOUT)),
        cluster_name=_optional(source.get("cluster_name")),
        kind=str(source.get("kind", "kafka")),
        kafka_version=_optional(source.get("kafka_version")),
        runtime=bool(source.get("runtime", False)),
    )
