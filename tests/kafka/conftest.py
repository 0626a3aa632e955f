"""Two real Kafka clusters as two regions, shared by every live test of the session.

us-east-1 (primary) and us-west-2 (secondary) are seeded with deliberate drift:
- the secondary lacks `User:orders-reader` READ on orders.created (ACL-001) and its SCRAM user
  (ACL-006), and has a SCRAM user `dr-operator` the primary lacks (ACL-006);
- the secondary grants `User:analytics` READ on every topic (ACL-002, wildcard);
- the producer `User:orders-writer` kept its WRITE grant in the secondary (WA-001/WA-002 in the
  failback phase, where the primary writes);
- orders.created keeps one day in the secondary, seven in the primary (RET-001);
- the secondary exposes a PLAINTEXT listener (ENC-005, and ACL-005: unauthenticated access).
MirrorMaker 2 (started on demand) replicates orders.* from us-east-1 to us-west-2.

Without Java or the jars these tests skip locally; with CI=true they fail.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .kafka_cluster import (
    ADMIN_PASSWORD,
    ADMIN_USER,
    INSTALL,
    Cluster,
    ClusterError,
    MirrorMaker,
    libs_dir,
    start_clusters,
    tail,
)

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
ALIASES = {PRIMARY: "use1", SECONDARY: "usw2"}
MM2_PASSWORD = "mm2-secret-3f9a"
USERS = {
    PRIMARY: {
        ADMIN_USER: ADMIN_PASSWORD,
        "mm2": MM2_PASSWORD,
        "orders-writer": "writer-secret",
        "orders-reader": "reader-secret",
        "limited": "limited-secret",
    },
    SECONDARY: {
        ADMIN_USER: ADMIN_PASSWORD,
        "mm2": MM2_PASSWORD,
        "orders-writer": "writer-secret",
        "limited": "limited-secret",
        "dr-operator": "operator-secret",
    },
}
ORDERS_TOPICS = {"orders.created": 3, "orders.shipped": 2}
RETENTION_MS = {PRIMARY: "604800000", SECONDARY: "86400000"}  # orders.created: 7 days / 1 day
BULK_TOPICS = 1000  # bulk.t0000..: the primary's many small topics (export speed)
WORKER_GROUP = f"{ALIASES[PRIMARY]}-mm2"  # MirrorMaker's Connect group for use1->usw2


def require(reason: str) -> None:
    """Skip locally; fail under CI=true, where the Kafka tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the Kafka integration tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def kafka_jars() -> Path:
    if shutil.which("java") is None:
        require("Java 17+ is not on PATH")
    libs = libs_dir()
    if not libs.is_dir():
        if shutil.which("mvn") is None:
            require(
                f"no Kafka jars in {libs} and no Maven to resolve them "
                "(run scripts/install-kafka.sh)"
            )
        done = subprocess.run(
            [str(INSTALL)], capture_output=True, text=True, timeout=900, check=False
        )
        if done.returncode != 0 or not libs.is_dir():
            require(f"scripts/install-kafka.sh failed: {done.stderr.strip()[-500:]}")
    return libs


@dataclass
class Pair:
    primary: Cluster
    secondary: Cluster

    def __iter__(self) -> Iterator[Cluster]:
        return iter((self.primary, self.secondary))

    def of(self, region: str) -> Cluster:
        return self.primary if region == PRIMARY else self.secondary


@pytest.fixture(scope="session")
def kafka_pair(
    kafka_jars: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Pair:
    home = tmp_path_factory.mktemp("kafka")
    pair = Pair(
        Cluster(PRIMARY, home / PRIMARY, USERS[PRIMARY]),
        Cluster(SECONDARY, home / SECONDARY, USERS[SECONDARY], plaintext_listener=True),
    )
    return launch(pair, request)


def launch(pair: Pair, request: pytest.FixtureRequest) -> Pair:
    """Start both clusters, stopped when the fixture's scope ends (or the run dies)."""
    for cluster in pair:
        request.addfinalizer(cluster.stop)
        atexit.register(cluster.stop)
    try:
        start_clusters(list(pair))
    except ClusterError as exc:
        pytest.fail(str(exc), pytrace=False)
    return pair


def wait_all(futures: dict[Any, Any]) -> None:
    for future in futures.values():
        future.result(timeout=60)


def binding(
    kind: str,
    name: str,
    principal: str,
    operation: str,
    pattern: str = "LITERAL",
    permission: str = "ALLOW",
) -> Any:
    from confluent_kafka.admin import (  # type: ignore[attr-defined]
        AclBinding,
        AclOperation,
        AclPermissionType,
        ResourcePatternType,
        ResourceType,
    )

    return AclBinding(
        ResourceType[kind],
        name,
        ResourcePatternType[pattern],
        principal,
        "*",
        AclOperation[operation],
        AclPermissionType[permission],
    )


def acls_for(region: str) -> list[Any]:
    common = [
        binding("TOPIC", "orders.", "User:orders-writer", "WRITE", "PREFIXED"),
        binding("TOPIC", "orders.", "User:orders-writer", "DESCRIBE", "PREFIXED"),
        binding("TOPIC", "orders.", "User:orders-reader", "DESCRIBE", "PREFIXED"),
        binding("TOPIC", "orders.shipped", "User:orders-reader", "READ"),
        binding("GROUP", "orders-reader", "User:orders-reader", "READ"),
        # the replicator: everything, in both regions alike
        binding("TOPIC", "*", "User:mm2", "ALL"),
        binding("GROUP", "*", "User:mm2", "ALL"),
        binding("BROKER", "kafka-cluster", "User:mm2", "ALL"),
        binding("TOPIC", "orders.created", "User:limited", "DESCRIBE"),
    ]
    if region == PRIMARY:
        return [
            *common,
            binding("TOPIC", "orders.created", "User:orders-reader", "READ"),
            binding("TOPIC", "bulk.", "User:bulk-loader", "WRITE", "PREFIXED"),
        ]
    return [*common, binding("TOPIC", "*", "User:analytics", "READ")]


def create_topics(cluster: Cluster, topics: dict[str, tuple[int, dict[str, str]]]) -> None:
    from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]

    admin = cluster.admin()
    names = sorted(topics)
    for start in range(0, len(names), 250):
        batch = [
            NewTopic(name, topics[name][0], 1, config=topics[name][1])
            for name in names[start : start + 250]
        ]
        wait_all(admin.create_topics(batch, operation_timeout=60, request_timeout=60))
    # CreateTopics returns once the controller has committed the records; the broker
    # publishes them after it has created every partition's log, which for 1,000 topics
    # on a loaded CI disk has taken over a minute.
    deadline = time.monotonic() + 300
    while missing := set(names) - set(admin.list_topics(timeout=30).topics):
        assert time.monotonic() < deadline, (
            f"{len(missing)} of {len(names)} topics never appeared in {cluster.name}"
        )
        time.sleep(0.5)


def consume_and_commit(cluster: Cluster, topic: str, group: str, count: int) -> None:
    """Read `count` records of `topic` from the earliest as `group`, then commit synchronously."""
    from confluent_kafka import Consumer

    consumer = Consumer(
        {
            **cluster.client_config(),
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    try:
        consumer.subscribe([topic])
        seen, deadline = 0, time.monotonic() + 30
        while seen < count and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                seen += 1
        assert seen == count, f"consumed {seen} of {count}"
        consumer.commit(asynchronous=False)
    finally:
        consumer.close()


def seed(pair: Pair) -> None:
    """Topics, topic configs and ACLs, with the drift the module docstring lists."""
    for cluster in pair:
        topics: dict[str, tuple[int, dict[str, str]]] = {
            name: (partitions, {}) for name, partitions in ORDERS_TOPICS.items()
        }
        topics["orders.created"] = (
            3,
            {"retention.ms": RETENTION_MS[cluster.name], "min.insync.replicas": "1"},
        )
        if cluster.name == PRIMARY:
            topics.update({f"bulk.t{i:04d}": (1, {}) for i in range(BULK_TOPICS)})
        create_topics(cluster, topics)
        admin = cluster.admin()  # a client must outlive its futures
        wait_all(admin.create_acls(acls_for(cluster.name), request_timeout=30))


@pytest.fixture(scope="session")
def seeded(kafka_pair: Pair) -> Pair:
    seed(kafka_pair)
    return kafka_pair


def mm2_connections(pair: Pair, aliases: Mapping[str, str] = ALIASES) -> list[str]:
    """`clusters = ...` and how MirrorMaker 2 reaches each cluster (SCRAM as User:mm2);
    `aliases`: region -> cluster alias."""
    lines = [f"clusters = {', '.join(aliases.values())}"]
    for region, alias in aliases.items():
        lines += [
            f"{alias}.bootstrap.servers = {pair.of(region).bootstrap}",
            f"{alias}.security.protocol = SASL_PLAINTEXT",
            f"{alias}.sasl.mechanism = SCRAM-SHA-512",
            f"{alias}.sasl.jaas.config = org.apache.kafka.common.security.scram.ScramLoginModule"
            f' required username="mm2" password="{MM2_PASSWORD}";',
        ]
    return lines


# Intervals short enough for a test, one replica per internal topic (single-broker clusters).
MM2_TUNING = (
    "sync.group.offsets.enabled = true",
    "sync.group.offsets.interval.seconds = 1",
    "emit.checkpoints.interval.seconds = 1",
    "emit.heartbeats.interval.seconds = 1",
    "refresh.topics.interval.seconds = 2",
    "refresh.groups.interval.seconds = 2",
    "sync.topic.configs.enabled = false",
    "sync.topic.acls.enabled = false",
    "offset.lag.max = 0",
    "tasks.max = 1",
    *(
        f"{key} = 1"
        for key in (
            "replication.factor",
            "checkpoints.topic.replication.factor",
            "heartbeats.topic.replication.factor",
            "offset-syncs.topic.replication.factor",
            "offset.storage.replication.factor",
            "status.storage.replication.factor",
            "config.storage.replication.factor",
        )
    ),
)


def mm2_properties(pair: Pair) -> str:
    primary, secondary = ALIASES[PRIMARY], ALIASES[SECONDARY]
    lines = [
        *mm2_connections(pair),
        f"{primary}->{secondary}.enabled = true",
        f"{primary}->{secondary}.topics = orders\\\\..*",
        f"{primary}->{secondary}.groups = orders-.*",
        f"{secondary}->{primary}.enabled = false",
        f"{secondary}->{primary}.emit.heartbeats.enabled = false",
        "replication.policy.class = org.apache.kafka.connect.mirror.IdentityReplicationPolicy",
        *MM2_TUNING,
    ]
    return "\n".join(lines) + "\n"


def consumer_group_state(cluster: Cluster, group: str) -> str | None:
    """The state ListConsumerGroups reports (it leaves out Connect worker groups)."""
    admin = cluster.admin()
    listing = admin.list_consumer_groups(request_timeout=10).result(timeout=15)
    for found in listing.valid or []:
        if found.group_id == group:
            return str(found.state.name)
    return None


def group_state(cluster: Cluster, group: str) -> str | None:
    """The state DescribeGroups reports for any group, Connect workers included."""
    admin = cluster.admin()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        found = admin.list_groups(group=group, timeout=10)
    return next((str(g.state) for g in found if g.id == group and g.state != "Dead"), None)


@dataclass
class Mirror:
    config: Path
    process: MirrorMaker


@pytest.fixture(scope="session")
def mirrormaker(
    seeded: Pair, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Mirror:
    """MirrorMaker 2 running use1->usw2, once its worker group in us-west-2 is stable."""
    home = tmp_path_factory.mktemp("mm2")
    config = home / "mm2.properties"
    config.write_text(mm2_properties(seeded))
    mm2 = MirrorMaker(home, config)
    request.addfinalizer(mm2.stop)
    atexit.register(mm2.stop)
    start_mirrormaker(mm2, [(seeded.secondary, WORKER_GROUP)])
    return Mirror(config, mm2)


def start_mirrormaker(
    mm2: MirrorMaker, worker_groups: Sequence[tuple[Cluster, str]], timeout: float = 120.0
) -> None:
    """Start MirrorMaker 2 and wait until each (cluster, worker group) is stable: the flows
    into those clusters run (the exporter reads a flow's state from that group)."""
    from confluent_kafka import KafkaError, KafkaException

    loading = {
        KafkaError.COORDINATOR_LOAD_IN_PROGRESS,
        KafkaError.COORDINATOR_NOT_AVAILABLE,
        KafkaError.NOT_COORDINATOR,
    }

    def stable(cluster: Cluster, group: str) -> bool:
        try:
            return group_state(cluster, group) == "Stable"
        except KafkaException as exc:  # a fresh cluster's group coordinator is still loading
            if exc.args[0].code() not in loading:
                raise
            return False

    mm2.start()
    deadline = time.monotonic() + timeout
    for cluster, group in worker_groups:
        while not stable(cluster, group):
            try:
                mm2.check_alive()
            except ClusterError as exc:
                pytest.fail(str(exc), pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(
                    f"MirrorMaker 2 worker group {group} never became stable in {cluster.name}; "
                    f"log {mm2.log}:\n{tail(mm2.log)}",
                    pytrace=False,
                )
            time.sleep(0.5)
