"""Read one cluster through the Kafka Admin API (confluent-kafka) into snapshot areas.

Every call that fails (denied by the authorizer, unsupported, timed out) becomes a gap with the
area, the Kafka API and the error code, and the area is left out rather than written empty:
the checker fails closed on what it could not see. confluent-kafka is imported by the caller;
this module only touches the objects it returns.
"""

from __future__ import annotations

import concurrent.futures
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from ...redact import is_secret_key
from .._shared.snapshot import add_gap

TOPIC_BATCH = 500  # topics per DescribeConfigs request
GROUP_WINDOW = 64  # OffsetFetch requests in flight (one group per request)
# Topic configs always recorded (effective values, default or not); others only when set.
KEY_TOPIC_CONFIGS = frozenset(
    {
        "cleanup.policy",
        "retention.ms",
        "retention.bytes",
        "min.insync.replicas",
        "unclean.leader.election.enable",
        "max.message.bytes",
        "message.timestamp.type",
    }
)
# Broker settings recorded in broker_config (region-neutral; listener addresses are not).
BROKER_KEYS = frozenset(
    {
        "authorizer.class.name",
        "allow.everyone.if.no.acl.found",
        "super.users",
        "listener.security.protocol.map",
        "inter.broker.listener.name",
        "security.inter.broker.protocol",
        "controller.listener.names",
        "sasl.enabled.mechanisms",
        "sasl.mechanism.inter.broker.protocol",
        "sasl.mechanism.controller.protocol",
        "ssl.enabled.protocols",
        "ssl.protocol",
        "ssl.client.auth",
        "log.retention.ms",
        "log.retention.minutes",
        "log.retention.hours",
        "log.retention.bytes",
        "log.cleanup.policy",
        "auto.create.topics.enable",
        "default.replication.factor",
        "min.insync.replicas",
        "unclean.leader.election.enable",
        "offsets.retention.minutes",
        "message.max.bytes",
        "remote.log.storage.system.enable",
    }
)
_LISTENER_SUFFIXES = (".ssl.client.auth", ".sasl.enabled.mechanisms")
TLS_PROTOCOLS = frozenset({"SSL", "SASL_SSL"})
_STATE_NAMES = {
    "PREPARING_REBALANCING": "PREPARING_REBALANCE",
    "COMPLETING_REBALANCING": "COMPLETING_REBALANCE",
}
_RESOURCE_TYPES = {
    "TOPIC": "TOPIC",
    "GROUP": "GROUP",
    "BROKER": "CLUSTER",
    "TRANSACTIONAL_ID": "TRANSACTIONAL_ID",
}


class CallFailed(Exception):
    """A Kafka API call that returned an error: reason is the Kafka error code name."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def error_name(exc: BaseException) -> str:
    err = exc.args[0] if exc.args else None
    name = getattr(err, "name", None)
    if callable(name):
        return str(name())
    return type(exc).__name__


def wait(future: concurrent.futures.Future[Any], timeout: float) -> Any:
    from confluent_kafka import KafkaException

    try:
        return future.result(timeout=timeout)
    except KafkaException as exc:
        raise CallFailed(error_name(exc)) from None
    except concurrent.futures.TimeoutError:
        raise CallFailed("_TIMED_OUT") from None


# Errors a broker returns while it is still loading or moving group coordination: worth a retry.
RETRIABLE = frozenset(
    {
        "COORDINATOR_LOAD_IN_PROGRESS",
        "COORDINATOR_NOT_AVAILABLE",
        "NOT_COORDINATOR",
        "LEADER_NOT_AVAILABLE",
        "_TRANSPORT",
    }
)
RETRIES = 5


def retrying(
    call: Callable[[], concurrent.futures.Future[Any]],
    timeout: float,
    first: concurrent.futures.Future[Any] | None = None,
) -> Any:
    """Wait for `first` (or call()), re-issuing call() on retriable errors with backoff."""
    future = first if first is not None else call()
    for attempt in range(RETRIES):
        try:
            return wait(future, timeout)
        except CallFailed as failed:
            if failed.reason not in RETRIABLE or attempt == RETRIES - 1:
                raise
        time.sleep(0.2 * 2**attempt)
        future = call()
    raise AssertionError("unreachable")


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Reader:
    """Fills `snapshot` from one AdminClient; `timeout` bounds each request (seconds)."""

    admin: Any
    snapshot: dict[str, Any]
    timeout: float

    @property
    def _wait(self) -> float:
        return self.timeout + 5.0

    def acls(self) -> None:
        # confluent_kafka.admin re-exports these without __all__; None matches any name
        from confluent_kafka.admin import (  # type: ignore[attr-defined]
            AclBindingFilter,
            AclOperation,
            AclPermissionType,
            ResourcePatternType,
            ResourceType,
        )

        no_filter: Any = None  # the stubs want str; None means "any" to librdkafka
        match_all = AclBindingFilter(
            ResourceType.ANY,
            no_filter,
            ResourcePatternType.ANY,
            no_filter,
            no_filter,
            AclOperation.ANY,
            AclPermissionType.ANY,
        )
        try:
            bindings = wait(
                self.admin.describe_acls(match_all, request_timeout=self.timeout), self._wait
            )
        except CallFailed as failed:
            if failed.reason == "SECURITY_DISABLED":  # no authorizer: there are no ACLs
                self.snapshot["acls"] = []
                return
            add_gap(self.snapshot, "acls", failed.reason, "DescribeAcls")
            return
        acls = []
        for binding in bindings:
            acl = _acl(binding)
            if acl is None:
                add_gap(
                    self.snapshot,
                    "acls",
                    "a binding uses a resource type or operation librdkafka cannot name",
                    "DescribeAcls",
                )
                return
            acls.append(acl)
        unique = {tuple(sorted(a.items())): a for a in acls}
        self.snapshot["acls"] = [unique[k] for k in sorted(unique)]

    def topics(self, metadata: Any) -> dict[str, Any]:
        from confluent_kafka.admin import ConfigResource, ResourceType  # type: ignore[attr-defined]

        topics: dict[str, dict[str, Any]] = {}
        for name, topic in sorted(metadata.topics.items()):
            entry: dict[str, Any] = {}
            partitions = list(topic.partitions.values())
            if partitions:
                entry["partitions"] = len(partitions)
                replicas = max(len(p.replicas) for p in partitions)
                if replicas:
                    entry["replication_factor"] = replicas
            topics[str(name)] = entry
        # every batch is in flight before the first answer is awaited
        pending: list[tuple[str, concurrent.futures.Future[Any]]] = []
        for chunk in _chunks(sorted(topics), TOPIC_BATCH):
            resources = [ConfigResource(ResourceType.TOPIC, n) for n in chunk]
            futures = self.admin.describe_configs(resources, request_timeout=self.timeout)
            pending += [(resource.name, future) for resource, future in futures.items()]
        for name, future in pending:
            try:
                entries = wait(future, self._wait)
            except CallFailed as failed:
                if failed.reason == "UNKNOWN_TOPIC_OR_PART":  # deleted since Metadata
                    del topics[name]
                else:
                    add_gap(self.snapshot, "topics", failed.reason, "DescribeConfigs")
                continue
            topics[name]["configs"] = topic_configs(entries.values())
        self.snapshot["topics"] = topics
        return topics

    def brokers(self, broker_ids: Iterable[int]) -> list[dict[str, str]]:
        """Each broker's readable, non-secret configuration (lowest id first)."""
        from confluent_kafka.admin import ConfigResource, ResourceType  # type: ignore[attr-defined]

        futures = []
        for broker in sorted(broker_ids):
            resource = ConfigResource(ResourceType.BROKER, str(broker))
            futures += list(
                self.admin.describe_configs([resource], request_timeout=self.timeout).values()
            )
        configs = []
        for future in futures:
            try:
                entries = wait(future, self._wait)
            except CallFailed as failed:
                add_gap(self.snapshot, "broker_config", failed.reason, "DescribeConfigs")
                continue
            configs.append(readable(entries.values()))
        return configs

    def scram_users(self) -> list[str] | None:
        try:
            future = cast(
                concurrent.futures.Future[Any],
                self.admin.describe_user_scram_credentials(request_timeout=self.timeout),
            )
            described = wait(future, self._wait)
        except CallFailed as failed:
            add_gap(self.snapshot, "authentication", failed.reason, "DescribeUserScramCredentials")
            return None
        # user name and mechanisms only: the API never returns salts or keys
        return sorted(str(user) for user, d in described.items() if d.scram_credential_infos)

    def consumer_groups(self) -> dict[str, Any] | None:
        from confluent_kafka import ConsumerGroupTopicPartitions

        try:
            listing = retrying(
                lambda: self.admin.list_consumer_groups(request_timeout=self.timeout), self._wait
            )
        except CallFailed as failed:
            add_gap(self.snapshot, "consumer_groups", failed.reason, "ListGroups")
            return None
        for error in listing.errors or []:
            add_gap(self.snapshot, "consumer_groups", error_name(error), "ListGroups")
        groups: dict[str, Any] = {}
        for group in sorted(listing.valid or [], key=lambda g: str(g.group_id)):
            state = getattr(group, "state", None)
            name = state.name if state is not None else "UNKNOWN"
            groups[str(group.group_id)] = {"state": _STATE_NAMES.get(name, name), "topics": []}
        names = sorted(groups)
        for window in _chunks(names, GROUP_WINDOW):

            def fetch(group_id: str) -> concurrent.futures.Future[Any]:
                answer = self.admin.list_consumer_group_offsets(
                    [ConsumerGroupTopicPartitions(group_id)], request_timeout=self.timeout
                )
                return next(iter(answer.values()))

            futures = [(group_id, fetch(group_id)) for group_id in window]
            for group_id, future in futures:
                try:
                    offsets = retrying(
                        lambda g=group_id: fetch(g),  # type: ignore[misc]
                        self._wait,
                        future,
                    )
                except CallFailed as failed:
                    add_gap(self.snapshot, "consumer_groups", failed.reason, "OffsetFetch")
                    continue
                groups[group_id]["topics"] = sorted(
                    {
                        str(tp.topic)
                        for tp in offsets.topic_partitions or []
                        if tp.offset >= 0 and not tp.error
                    }
                )
        return groups

    def group_state(self, group_id: str) -> str | None:
        """The state of any group, Connect workers included (ListConsumerGroups skips them)."""
        from confluent_kafka import KafkaException

        with warnings.catch_warnings():  # the one call that describes a non-consumer group
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                found = self.admin.list_groups(group=group_id, timeout=self.timeout)
            except KafkaException as exc:
                raise CallFailed(error_name(exc)) from None
        for group in found:
            if str(group.id) != group_id:
                continue
            if group.error is not None and group.error.code() != 0:
                raise CallFailed(str(group.error.name()))
            state = re.sub(r"(?<!^)(?=[A-Z])", "_", str(group.state)).upper()
            return None if state in ("", "DEAD") else state
        return None

    def has_records(self, topic: str, partitions: Iterable[int]) -> bool:
        """Whether any partition of the topic holds a record (latest offset above zero)."""
        from confluent_kafka import TopicPartition
        from confluent_kafka.admin import OffsetSpec  # type: ignore[attr-defined]

        latest = OffsetSpec.latest()  # type: ignore[no-untyped-call]
        request = {TopicPartition(topic, p): latest for p in partitions}
        if not request:
            return False
        futures = self.admin.list_offsets(request, request_timeout=self.timeout)
        return any(wait(future, self._wait).offset > 0 for future in futures.values())


def _acl(binding: Any) -> dict[str, str] | None:
    resource_type = _RESOURCE_TYPES.get(binding.restype.name)
    operation = binding.operation.name
    pattern = binding.resource_pattern_type.name
    permission = binding.permission_type.name
    if (
        resource_type is None
        or operation in ("UNKNOWN", "ANY")
        or pattern not in ("LITERAL", "PREFIXED")
        or permission not in ("ALLOW", "DENY")
    ):
        return None
    return {
        "principal": str(binding.principal),
        "resource_type": resource_type,
        "pattern_type": pattern,
        "resource_name": str(binding.name),
        "operation": operation,
        "permission": permission,
        "host": str(binding.host),
    }


def readable(entries: Iterable[Any]) -> dict[str, str]:
    """Config entries that are neither sensitive, unset nor secret-looking, by name."""
    return {
        str(e.name): str(e.value)
        for e in entries
        if not e.is_sensitive and e.value is not None and not is_secret_key(str(e.name))
    }


def topic_configs(entries: Iterable[Any]) -> dict[str, str]:
    """The key topic configs (effective values) and every other config set on the topic."""
    kept = [e for e in entries if str(e.name) in KEY_TOPIC_CONFIGS or not e.is_default]
    return dict(sorted(readable(kept).items()))


def broker_config(config: Mapping[str, str]) -> dict[str, str]:
    return dict(
        sorted(
            (key, value)
            for key, value in config.items()
            if key in BROKER_KEYS
            or (key.startswith("listener.name.") and key.endswith(_LISTENER_SUFFIXES))
        )
    )


@dataclass(frozen=True)
class Listener:
    name: str
    protocol: str
    controller: bool


def listeners(config: Mapping[str, str]) -> list[Listener]:
    mapping = {p: p for p in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")}
    for pair in config.get("listener.security.protocol.map", "").split(","):
        name, _, protocol = pair.strip().partition(":")
        if name and protocol:
            mapping[name.strip().upper()] = protocol.strip().upper()
    controllers = {
        n.strip().upper()
        for n in config.get("controller.listener.names", "").split(",")
        if n.strip()
    }
    found = {}
    for item in config.get("listeners", "").split(","):
        name = item.strip().split("://", 1)[0].strip().upper()
        if name:
            found[name] = Listener(name, mapping.get(name, "UNKNOWN"), name in controllers)
    for name in controllers - set(found):
        found[name] = Listener(name, mapping.get(name, "UNKNOWN"), True)
    return [found[n] for n in sorted(found)]


def _mechanisms(config: Mapping[str, str], listener: str) -> set[str]:
    value = config.get(
        f"listener.name.{listener.lower()}.sasl.enabled.mechanisms",
        config.get("sasl.enabled.mechanisms", "GSSAPI"),
    )
    return {m.strip().upper() for m in value.split(",") if m.strip()}


def _client_auth(config: Mapping[str, str], listener: str) -> str:
    return (
        config.get(
            f"listener.name.{listener.lower()}.ssl.client.auth",
            config.get("ssl.client.auth", "none"),
        )
        .strip()
        .lower()
    )


def listener_facts(configs: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """Network, in-transit encryption and authentication facts from the brokers' listeners."""
    plaintext = tls = clear = in_cluster_clear = False
    auth = {"iam": False, "scram": False, "mtls": False, "unauthenticated": False}
    for config in configs:
        found = listeners(config)
        inter = config.get("inter.broker.listener.name", "").strip().upper()
        inter_protocol = next(
            (lst.protocol for lst in found if lst.name == inter),
            config.get("security.inter.broker.protocol", "PLAINTEXT").upper(),
        )
        in_cluster = [inter_protocol] + [lst.protocol for lst in found if lst.controller]
        in_cluster_clear |= any(p not in TLS_PROTOCOLS for p in in_cluster)
        for lst in found:
            if lst.controller:
                continue
            plaintext |= lst.protocol == "PLAINTEXT"
            if lst.protocol in TLS_PROTOCOLS:
                tls = True
            else:
                clear = True
            if lst.protocol.startswith("SASL_"):
                mechanisms = _mechanisms(config, lst.name)
                auth["scram"] |= bool(mechanisms & {"SCRAM-SHA-256", "SCRAM-SHA-512"})
                auth["iam"] |= "AWS_MSK_IAM" in mechanisms
            elif lst.protocol == "SSL" and _client_auth(config, lst.name) == "required":
                auth["mtls"] = True
            else:
                auth["unauthenticated"] = True
    client_broker = "TLS_PLAINTEXT" if tls and clear else "TLS" if tls else "PLAINTEXT"
    return {
        "network": {"plaintext_listener": plaintext},
        "in_transit": {"client_broker": client_broker, "in_cluster": not in_cluster_clear},
        "authentication": auth,
    }
