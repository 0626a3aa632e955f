"""Real Apache Kafka for the tests: KRaft brokers (combined broker+controller) and MirrorMaker 2.

Each cluster is one JVM on loopback with SASL_PLAINTEXT + SCRAM-SHA-512 for clients, SASL PLAIN
for its controller listener, StandardAuthorizer with `User:admin` as super user, SCRAM users
added when the storage is formatted, and optionally an extra PLAINTEXT listener. Processes run
in their own process group and are always stopped (and die with the test run); each keeps
its log next to its data, in the session's pytest temporary directory.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..ports import free_port

ROOT = Path(__file__).resolve().parents[2]
POM = ROOT / "scripts" / "kafka" / "pom.xml"
INSTALL = ROOT / "scripts" / "install-kafka.sh"
ADMIN_USER, ADMIN_PASSWORD = "admin", "admin-secret"
JVM_OPTIONS = (
    "-Xms64m",
    "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true",
)
LOG4J2 = """\
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.quiet.name = org.apache.kafka.clients
logger.quiet.level = WARN
"""


_PR_SET_PDEATHSIG = 1


def random_cluster_id() -> str:
    """A KRaft cluster id as Kafka's Uuid.randomUuid makes one: never starting with '-', which
    the storage tool's argument parser would read as an option."""
    while True:
        cluster_id = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


class ClusterError(RuntimeError):
    """A broker or MirrorMaker failed to start; the message carries the log tail."""


def kafka_version() -> str:
    configured = os.environ.get("KAFKA_VERSION")
    if configured:
        return configured
    match = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", POM.read_text())
    assert match, f"no kafka.version in {POM}"
    return match.group(1)


def libs_dir() -> Path:
    return ROOT / ".cache" / "kafka" / kafka_version() / "libs"


def java_command(main_class: str, *args: str, log_config: Path) -> list[str]:
    java = shutil.which("java") or "java"
    return [
        java,
        *JVM_OPTIONS,
        f"-Dlog4j2.configurationFile={log_config}",
        "-cp",
        f"{libs_dir()}/*",
        main_class,
        *args,
    ]


def tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text[-lines:])


def stop_process(process: subprocess.Popen[bytes] | None, grace: float = 15.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left."""
    if process is None or process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _die_with_parent() -> None:
    """Linux: SIGTERM the JVM when the test run dies, even if no finalizer gets to run."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _launch(command: Sequence[str], log: Path, cwd: Path) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(
            list(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )


@dataclass
class Cluster:
    """One single-node KRaft cluster; `name` is the region it plays. With `controller` set, a
    broker-only node (id `node_id`) that joins that cluster instead (a multi-broker cluster)."""

    name: str
    home: Path
    users: Mapping[str, str]
    plaintext_listener: bool = False
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)
    plaintext_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    node_id: int = 1
    controller: Cluster | None = None
    cluster_id: str = field(default_factory=random_cluster_id)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.home / "broker.log"

    def client_config(self, user: str = ADMIN_USER, password: str | None = None) -> dict[str, Any]:
        return {
            "bootstrap.servers": self.bootstrap,
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": user,
            "sasl.password": self.users[user] if password is None else password,
            "log_level": 0,  # the helpers poll brokers that are still starting: no stderr noise
        }

    def admin(self, user: str = ADMIN_USER) -> Any:
        from confluent_kafka.admin import AdminClient

        return AdminClient(self.client_config(user))

    def client_properties(
        self, path: Path, user: str = ADMIN_USER, password: str | None = None
    ) -> Path:
        """A Java client.properties, as kafka-topics.sh --command-config takes it."""
        secret = self.users[user] if password is None else password
        path.write_text(
            "# written by tests/kafka/kafka_cluster.py\n"
            "security.protocol=SASL_PLAINTEXT\n"
            "sasl.mechanism=SCRAM-SHA-512\n"
            "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule "
            f'required \\\n    username="{user}" password="{secret}";\n'
        )
        return path

    def server_properties(self) -> str:
        listeners = [
            f"CLIENT://127.0.0.1:{self.port}",
            f"CONTROLLER://127.0.0.1:{self.controller_port}",
        ]
        advertised = [f"CLIENT://127.0.0.1:{self.port}"]
        protocols = ["CLIENT:SASL_PLAINTEXT", "CONTROLLER:SASL_PLAINTEXT"]
        if self.plaintext_listener:
            listeners.append(f"LEGACY://127.0.0.1:{self.plaintext_port}")
            advertised.append(f"LEGACY://127.0.0.1:{self.plaintext_port}")
            protocols.append("LEGACY:PLAINTEXT")
        scram = (
            "org.apache.kafka.common.security.scram.ScramLoginModule required "
            f'username="{ADMIN_USER}" password="{ADMIN_PASSWORD}";'
        )
        plain = (
            "org.apache.kafka.common.security.plain.PlainLoginModule required "
            f'username="{ADMIN_USER}" password="{ADMIN_PASSWORD}" '
            f'user_{ADMIN_USER}="{ADMIN_PASSWORD}";'
        )
        quorum = self.controller or self
        settings = {
            "process.roles": "broker" if self.controller else "broker,controller",
            "node.id": str(self.node_id),
            "controller.quorum.voters": f"{quorum.node_id}@127.0.0.1:{quorum.controller_port}",
            "listeners": ",".join(listeners),
            "advertised.listeners": ",".join(advertised),
            "listener.security.protocol.map": ",".join(protocols),
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "CLIENT",
            "sasl.mechanism.inter.broker.protocol": "SCRAM-SHA-512",
            "sasl.mechanism.controller.protocol": "PLAIN",
            "listener.name.client.sasl.enabled.mechanisms": "SCRAM-SHA-512",
            "listener.name.client.scram-sha-512.sasl.jaas.config": scram,
            "listener.name.controller.sasl.enabled.mechanisms": "PLAIN",
            "listener.name.controller.plain.sasl.jaas.config": plain,
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": f"User:{ADMIN_USER}",
            "allow.everyone.if.no.acl.found": "false",
            "auto.create.topics.enable": "false",
            "log.dirs": str(self.home / "data"),
            "log.retention.hours": "168",
            "num.partitions": "1",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "5",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
        }
        if self.controller is not None:  # no controller listener of its own
            settings["listeners"] = ",".join(listeners[:1] + listeners[2:])
        return "".join(f"{key}={value}\n" for key, value in settings.items())

    def prepare(self) -> subprocess.Popen[bytes]:
        """Write the configuration and start formatting the storage (with SCRAM users)."""
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "server.properties").write_text(self.server_properties())
        (self.home / "log4j2.properties").write_text(LOG4J2)
        cluster_id = self.controller.cluster_id if self.controller else self.cluster_id
        scram = [
            arg
            for user, secret in sorted(self.users.items())
            for arg in ("--add-scram", f"SCRAM-SHA-512=[name={user},password={secret}]")
            if self.controller is None  # a broker-only node learns them from the controller
        ]
        command = java_command(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(self.home / "server.properties"),
            *scram,
            log_config=self.home / "log4j2.properties",
        )
        return _launch(command, self.home / "format.log", self.home)

    def launch(self) -> None:
        command = java_command(
            "kafka.Kafka",
            str(self.home / "server.properties"),
            log_config=self.home / "log4j2.properties",
        )
        self.process = _launch(command, self.log, self.home)

    def wait_ready(self, deadline: float) -> None:
        from confluent_kafka import KafkaException

        admin = self.admin()
        while True:
            if self.process is None or self.process.poll() is not None:
                raise ClusterError(f"broker {self.name} exited (log {self.log}):\n{tail(self.log)}")
            try:
                admin.list_topics(timeout=1)
                admin.describe_cluster(request_timeout=2).result(timeout=5)
                return
            except KafkaException as exc:
                if time.monotonic() > deadline:
                    raise ClusterError(
                        f"broker {self.name} not ready ({exc}):\n{tail(self.log)}"
                    ) from None
                time.sleep(0.3)

    def stop(self) -> None:
        stop_process(self.process)


def start_clusters(clusters: Sequence[Cluster], timeout: float = 120.0) -> None:
    """Format and start every cluster in parallel; stop them all if one fails."""
    formats = [(cluster, cluster.prepare()) for cluster in clusters]
    for cluster, process in formats:
        if process.wait(timeout=timeout) != 0:
            raise ClusterError(
                f"formatting {cluster.name} failed:\n{tail(cluster.home / 'format.log')}"
            )
    try:
        for cluster in clusters:
            cluster.launch()
        deadline = time.monotonic() + timeout
        for cluster in clusters:
            cluster.wait_ready(deadline)
    except BaseException:
        for cluster in clusters:
            cluster.stop()
        raise


@dataclass
class MirrorMaker:
    """MirrorMaker 2 in dedicated mode (org.apache.kafka.connect.mirror.MirrorMaker)."""

    home: Path
    config: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.home / "mirrormaker2.log"

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        log_config = self.home / "log4j2.properties"
        log_config.write_text(LOG4J2)
        command = java_command(
            "org.apache.kafka.connect.mirror.MirrorMaker", str(self.config), log_config=log_config
        )
        self.process = _launch(command, self.log, self.home)

    def check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise ClusterError(f"MirrorMaker 2 exited (log {self.log}):\n{tail(self.log)}")

    def stop(self) -> None:
        stop_process(self.process)
