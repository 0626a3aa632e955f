"""The Kafka exporter's pieces without a cluster: properties, MM2 config, listeners, batching.

These run everywhere (no Java); tests/kafka/test_live.py runs the exporter on real brokers.
"""

from __future__ import annotations

import concurrent.futures
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from checker.cli.export import parse_overrides, parse_region_pairs
from checker.errors import InputError
from checker.exporters import from_source, kafka
from checker.exporters._shared.properties import parse_properties
from checker.exporters.kafka.admin import Reader, broker_config, listener_facts, topic_configs
from checker.exporters.kafka.mm2 import alias_regions, parse_mm2
from checker.exporters.kafka.props import (
    client_settings,
    parse_jaas,
    translate_java,
)

from ..conftest import run_cli

# -- Java properties --------------------------------------------------------------------------


def test_properties_follow_java_util_properties() -> None:
    text = (
        "# comment\n"
        "! also a comment\n"
        "   bootstrap.servers = b1:9092,\\\n"
        "      b2:9092\n"
        "security.protocol:SASL_SSL\n"
        "client.id    failback\n"
        "empty=\n"
        "path=C:\\\\certs\\\\ca.pem\n"
        "key\\ with\\ space=v\n"
        "unicode=caf\\u00e9\n"
        "topics = orders\\\\..*\n"
    )
    assert parse_properties(text) == {
        "bootstrap.servers": "b1:9092,b2:9092",
        "security.protocol": "SASL_SSL",
        "client.id": "failback",
        "empty": "",
        "path": "C:\\certs\\ca.pem",
        "key with space": "v",
        "unicode": "café",
        "topics": "orders\\..*",
    }


def test_jaas_credentials_are_parsed_without_echoing_them() -> None:
    jaas = parse_jaas(
        "org.apache.kafka.common.security.scram.ScramLoginModule required "
        'username="alice" password="p\\"w;d";'
    )
    assert jaas.module.endswith("ScramLoginModule")
    assert dict(jaas.options) == {"username": "alice", "password": 'p"w;d'}
    with pytest.raises(InputError) as caught:
        parse_jaas('username="alice" password="hunter2"')
    assert "hunter2" not in caught.value.one_line()


def test_java_client_properties_become_librdkafka_settings(tmp_path: Path) -> None:
    props = {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule "
        'required username="svc" password="s3cret";',
        "ssl.truststore.type": "PEM",
        "ssl.truststore.location": "certs/ca.pem",
        "ssl.endpoint.identification.algorithm": "",
        "ssl.enabled.protocols": "TLSv1.3",
        "request.timeout.ms": "30000",
    }
    config, msk_iam = translate_java(props, tmp_path)
    assert not msk_iam
    assert config == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "svc",
        "sasl.password": "s3cret",
        "ssl.ca.location": str(tmp_path / "certs" / "ca.pem"),
        "ssl.endpoint.identification.algorithm": "none",
    }


def test_unreadable_keystores_are_input_errors() -> None:
    with pytest.raises(InputError, match=r"ssl\.truststore\.type JKS"):
        translate_java({"ssl.truststore.location": "/x/truststore.jks"}, None)
    with pytest.raises(InputError, match=r"ssl\.keystore\.type JKS"):
        translate_java({"ssl.keystore.location": "/x/keystore.jks"}, None)
    config, _ = translate_java(
        {
            "ssl.keystore.location": "k.p12",
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.password": "pw",
        },
        Path("/etc/kafka"),
    )
    assert config == {"ssl.keystore.location": "/etc/kafka/k.p12", "ssl.keystore.password": "pw"}


def test_settings_precedence_and_defaults(tmp_path: Path) -> None:
    settings = client_settings(
        "cli:9092",
        {
            "bootstrap.servers": "props:9092",
            "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanism": "PLAIN",
        },
        tmp_path,
        {"sasl.mechanism": "SCRAM-SHA-256", "ssl.ca.location": "ca.pem"},
        tmp_path,
        "us-east-1",
        7,
    )
    assert settings.bootstrap == "cli:9092"
    assert settings.mechanism == "SCRAM-SHA-256"
    assert settings.config["sasl.mechanism"] == "SCRAM-SHA-256"
    assert settings.config["ssl.ca.location"] == str(tmp_path / "ca.pem")
    assert settings.config["socket.timeout.ms"] == 7000
    assert settings.describe() == "cli:9092 (SASL_PLAINTEXT, SCRAM-SHA-256)"
    with pytest.raises(InputError, match="no bootstrap servers"):
        client_settings(None, {}, None, {}, None, "r", 5)


def test_overrides_need_key_value() -> None:
    assert parse_overrides(["a=b", " c = d=e "]) == {"a": "b", "c": "d=e"}
    with pytest.raises(InputError, match="-X expects key=value"):
        parse_overrides(["sasl.password"])


@pytest.fixture
def fake_signer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    class Provider:
        @staticmethod
        def generate_auth_token(region: str) -> tuple[str, int]:
            calls.append(region)
            return "token-123", 1_700_000_000_000

    module = types.ModuleType("aws_msk_iam_sasl_signer")
    module.MSKAuthTokenProvider = Provider  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "aws_msk_iam_sasl_signer", module)
    return calls


def test_msk_iam_uses_the_signer_oauth_callback(fake_signer: list[str]) -> None:
    props = {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "AWS_MSK_IAM",
        "sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
        "sasl.client.callback.handler.class": (
            "software.amazon.msk.auth.iam.IAMClientCallbackHandler"
        ),
    }
    settings = client_settings("b-1.msk:9098", props, None, {}, None, "eu-west-1", 10)
    assert settings.msk_iam
    assert settings.config["sasl.mechanism"] == "OAUTHBEARER"
    assert settings.config["security.protocol"] == "SASL_SSL"
    assert "sasl.jaas.config" not in settings.config
    assert settings.config["oauth_cb"]("") == ("token-123", 1_700_000_000.0)
    assert fake_signer == ["eu-west-1"]
    override = client_settings(
        "b:9098",
        {},
        None,
        {"sasl.mechanism": "AWS_MSK_IAM", "aws.region": "us-east-2"},
        None,
        "dr",
        10,
    )
    override.config["oauth_cb"]("")
    assert fake_signer[-1] == "us-east-2"
    assert "aws.region" not in override.config


def test_msk_iam_without_the_signer_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aws_msk_iam_sasl_signer", None)
    with pytest.raises(InputError) as caught:
        client_settings("b:9098", {"sasl.mechanism": "AWS_MSK_IAM"}, None, {}, None, "r", 5)
    assert caught.value.one_line() == (
        "MSK IAM authentication needs the aws-msk-iam-sasl-signer-python package "
        "(pip install 'failback-checker[msk-iam]')"
    )


# -- MirrorMaker 2 ----------------------------------------------------------------------------

MM2 = {
    "clusters": "east, west",
    "east.bootstrap.servers": "east:9092",
    "east.sasl.jaas.config": 'ScramLoginModule required username="mm2" password="mm2pw";',
    "west.bootstrap.servers": "west:9092",
    "east->west.enabled": "true",
    "east->west.topics": r"orders\..*, payments\..*",
    "west->east.enabled": "false",
    "west->east.replication.policy.class": (
        "org.apache.kafka.connect.mirror.IdentityReplicationPolicy"
    ),
    "sync.group.offsets.enabled": "true",
    "sync.topic.acls.enabled": "false",
    "west.group.id": "mm2-workers",
}


def test_mm2_flows_resolve_flow_then_top_level_then_default() -> None:
    east_west, west_east = parse_mm2(MM2, "mm2.properties")
    assert (east_west.name, east_west.enabled, west_east.name, west_east.enabled) == (
        "east->west",
        True,
        "west->east",
        False,
    )
    assert east_west.topics == (r"orders\..*", r"payments\..*")
    assert west_east.topics == (".*",)
    assert east_west.topics_exclude == (r".*[\-\.]internal", r".*\.replica", "__.*")
    assert not east_west.identity and west_east.identity
    assert east_west.worker_group == "mm2-workers" and west_east.worker_group == "west-mm2"
    assert east_west.checkpoints_topic == "east.checkpoints.internal"
    record = east_west.record("us-east-1", "us-west-2", "RUNNING", True)
    assert record == {
        "name": "east->west",
        "tool": "mirrormaker2",
        "source_region": "us-east-1",
        "target_region": "us-west-2",
        "topics_include": [r"orders\..*", r"payments\..*"],
        "topics_exclude": [r".*[\-\.]internal", r".*\.replica", "__.*"],
        "topic_naming": "prefixed",
        "prefix": "east",
        "copies_acls": False,
        "copies_topic_configs": True,
        "offset_sync": {"enabled": True, "mode": "CHECKPOINTS", "checkpoints_present": True},
        "loop_protection": True,
        "starting_position": "EARLIEST",
        "consumer_isolation": "read_uncommitted",
        "state": "RUNNING",
        "owner": None,
    }
    identical = west_east.record("us-west-2", "us-east-1", "STOPPED", False)
    assert (identical["topic_naming"], identical["prefix"], identical["loop_protection"]) == (
        "identical",
        None,
        False,
    )
    assert "mm2pw" not in repr(parse_mm2(MM2, "mm2.properties"))


def test_mm2_checkpoints_without_group_sync_are_not_offset_sync() -> None:
    (flow,) = parse_mm2(
        {"clusters": "a,b", "a->b.enabled": "true", "a->b.emit.checkpoints.enabled": "true"}, "x"
    )
    assert flow.record("a", "b", "RUNNING", None)["offset_sync"] == {
        "enabled": False,
        "mode": "CHECKPOINTS",
        "checkpoints_present": None,
    }


@pytest.mark.parametrize(
    ("settings", "isolation"),
    [
        ({}, "read_uncommitted"),  # MirrorMaker's default (KAFKA-14021)
        ({"consumer.isolation.level": "read_committed"}, "read_committed"),
        ({"a->b.consumer.isolation.level": "READ_COMMITTED"}, "read_committed"),
        ({"a.consumer.isolation.level": "read_committed"}, "read_committed"),
        # source.consumer.* wins over consumer.* in the connector's consumer settings
        (
            {
                "consumer.isolation.level": "read_committed",
                "a->b.source.consumer.isolation.level": "read_uncommitted",
            },
            "read_uncommitted",
        ),
        ({"consumer.isolation.level": "committed-ish"}, None),
    ],
)
def test_mm2_source_consumer_isolation(settings: dict[str, str], isolation: str | None) -> None:
    (flow,) = parse_mm2({"clusters": "a,b", "a->b.enabled": "true", **settings}, "x")
    assert flow.record("a", "b", "RUNNING", None)["consumer_isolation"] == isolation


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"a->b.enabled": "true"}, "no `clusters = A, B` line"),
        ({"clusters": "a, a"}, "lists an alias twice"),
        ({"clusters": "a, b", "a->c.enabled": "true"}, "not listed in `clusters`"),
        ({"clusters": "a, b", "a->b.enabled": "yes"}, "must be true or false"),
    ],
)
def test_mm2_config_errors(props: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_mm2(props, "mm2.properties")


def test_mm2_aliases_map_to_regions() -> None:
    flows = parse_mm2(MM2, "mm2.properties")
    assert alias_regions(flows, {"east": "us-east-1"}) == {"east": "us-east-1", "west": "west"}
    with pytest.raises(InputError, match="alias 'north'"):
        alias_regions(flows, {"north": "eu-north-1"})
    assert parse_region_pairs(["east=us-east-1"]) == {"east": "us-east-1"}
    with pytest.raises(InputError, match="ALIAS=REGION"):
        parse_region_pairs(["east"])


# -- brokers and topics -----------------------------------------------------------------------


def test_listener_facts() -> None:
    tls_only = {
        "listeners": "SECURE://:9093,REPL://:9094,CONTROLLER://:9095",
        "listener.security.protocol.map": "SECURE:SASL_SSL,REPL:SSL,CONTROLLER:SSL",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "REPL",
        "listener.name.secure.sasl.enabled.mechanisms": "SCRAM-SHA-512,AWS_MSK_IAM",
        "listener.name.repl.ssl.client.auth": "required",
    }
    assert listener_facts([tls_only]) == {
        "network": {"plaintext_listener": False},
        "in_transit": {"client_broker": "TLS", "in_cluster": True},
        "authentication": {"iam": True, "scram": True, "mtls": True, "unauthenticated": False},
    }
    mixed = {
        "listeners": "PLAINTEXT://:9092,SSL://:9093,CONTROLLER://:9095",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "ssl.client.auth": "requested",
    }
    assert listener_facts([tls_only, mixed]) == {
        "network": {"plaintext_listener": True},
        "in_transit": {"client_broker": "TLS_PLAINTEXT", "in_cluster": False},
        "authentication": {"iam": True, "scram": True, "mtls": True, "unauthenticated": True},
    }
    # a PLAINTEXT controller listener is not a client listener
    kraft = {
        "listeners": "SASL_SSL://:9093,CONTROLLER://:9095",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
        "security.inter.broker.protocol": "SASL_SSL",
    }
    facts = listener_facts([kraft])
    assert facts["network"] == {"plaintext_listener": False}
    assert facts["in_transit"] == {"client_broker": "TLS", "in_cluster": False}


class Entry:
    def __init__(
        self, name: str, value: str | None, default: bool = True, sensitive: bool = False
    ) -> None:
        self.name, self.value, self.is_default, self.is_sensitive = (
            name,
            value,
            default,
            sensitive,
        )


def test_topic_and_broker_configs_keep_no_secret() -> None:
    entries = [
        Entry("retention.ms", "604800000"),
        Entry("segment.ms", "604800000"),
        Entry("compression.type", "zstd", default=False),
        Entry("cleanup.policy", "compact", default=False),
        Entry("ssl.keystore.password", None, default=False, sensitive=True),
        Entry("some.secret.thing", "x", default=False),
    ]
    assert topic_configs(entries) == {
        "cleanup.policy": "compact",
        "compression.type": "zstd",
        "retention.ms": "604800000",
    }
    assert broker_config(
        {
            "authorizer.class.name": "A",
            "listeners": "SASL://10.0.0.1:9092",
            "listener.name.sasl.sasl.enabled.mechanisms": "PLAIN",
            "log.dirs": "/data",
            "auto.create.topics.enable": "false",
        }
    ) == {
        "authorizer.class.name": "A",
        "auto.create.topics.enable": "false",
        "listener.name.sasl.sasl.enabled.mechanisms": "PLAIN",
    }


def _done(value: Any = None, error: BaseException | None = None) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
    return future


def _kafka_error(name: str) -> BaseException:
    from confluent_kafka import KafkaError, KafkaException

    return KafkaException(KafkaError(getattr(KafkaError, name)))


class FakeAdmin:
    """Just enough AdminClient to count requests and fail some."""

    def __init__(
        self, acl_error: str | None = None, topic_errors: dict[str, str] | None = None
    ) -> None:
        self.config_requests: list[int] = []
        self.acl_error = acl_error
        self.topic_errors = topic_errors or {}

    def describe_configs(self, resources: list[Any], **_: Any) -> dict[Any, Any]:
        self.config_requests.append(len(resources))
        return {
            r: _done({"retention.ms": Entry("retention.ms", "1000")})
            if r.name not in self.topic_errors
            else _done(error=_kafka_error(self.topic_errors[r.name]))
            for r in resources
        }

    def describe_acls(self, _filter: Any, **_: Any) -> concurrent.futures.Future[Any]:
        if self.acl_error:
            return _done(error=_kafka_error(self.acl_error))
        return _done([])


class Partition:
    def __init__(self) -> None:
        self.replicas = [1, 2, 3]


class Topic:
    def __init__(self) -> None:
        self.partitions = {0: Partition(), 1: Partition()}


class Metadata:
    def __init__(self) -> None:
        self.topics = {f"t{i:05d}": Topic() for i in range(1201)}


def test_topic_configs_are_batched() -> None:
    admin = FakeAdmin()
    snapshot: dict[str, Any] = {"gaps": []}
    topics = Reader(admin, snapshot, 5).topics(Metadata())
    assert admin.config_requests == [500, 500, 201]
    assert len(topics) == 1201
    assert topics["t00000"] == {
        "partitions": 2,
        "replication_factor": 3,
        "configs": {"retention.ms": "1000"},
    }


def test_topic_config_errors() -> None:
    """A topic deleted since Metadata is dropped; a denied one keeps its layout and gaps."""
    admin = FakeAdmin(
        topic_errors={"t00001": "UNKNOWN_TOPIC_OR_PART", "t00002": "TOPIC_AUTHORIZATION_FAILED"}
    )
    snapshot: dict[str, Any] = {"gaps": []}
    topics = Reader(admin, snapshot, 5).topics(Metadata())
    assert "t00001" not in topics
    assert topics["t00002"] == {"partitions": 2, "replication_factor": 3}
    assert snapshot["gaps"] == [
        {"area": "topics", "reason": "TOPIC_AUTHORIZATION_FAILED", "call": "DescribeConfigs"}
    ]


def test_denied_and_disabled_acls() -> None:
    snapshot: dict[str, Any] = {"gaps": []}
    Reader(FakeAdmin("CLUSTER_AUTHORIZATION_FAILED"), snapshot, 5).acls()
    assert "acls" not in snapshot
    assert snapshot["gaps"] == [
        {"area": "acls", "reason": "CLUSTER_AUTHORIZATION_FAILED", "call": "DescribeAcls"}
    ]
    snapshot = {"gaps": []}
    Reader(FakeAdmin("SECURITY_DISABLED"), snapshot, 5).acls()
    assert snapshot == {"gaps": [], "acls": []}


# -- plan sources and the command line ---------------------------------------------------------


def test_source_keys_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown key 'bootstrap_servers'"):
        from_source({"type": "kafka", "bootstrap_servers": "b:9092"}, "r", tmp_path, None)
    with pytest.raises(InputError, match="timeout must be a positive number"):
        from_source(
            {"type": "kafka", "bootstrap": "b:9092", "timeout": "soon"}, "r", tmp_path, None
        )
    with pytest.raises(InputError, match=r"client properties .*nope\.properties does not exist"):
        from_source(
            {"type": "kafka", "bootstrap": "b:9092", "command_config": "nope.properties"},
            "r",
            tmp_path,
            None,
        )


def test_mm2_aliases_must_reach_the_exported_region(tmp_path: Path) -> None:
    (tmp_path / "mm2.properties").write_text("clusters = a, b\na->b.enabled = true\n")
    with pytest.raises(InputError, match="no cluster alias maps to region us-east-1"):
        kafka.export(
            kafka.KafkaSource(
                region="us-east-1", bootstrap="127.0.0.1:1", mm2_config=tmp_path / "mm2.properties"
            )
        )


def test_cli_rejects_unknown_client_properties_in_one_line() -> None:
    run = run_cli(
        [
            "export",
            "kafka",
            "--bootstrap",
            "127.0.0.1:1",
            "--region",
            "r",
            "-X",
            "no.such.property=1",
        ]
    )
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1
    assert run.stderr.startswith("failback: error: client configuration: ")
    assert "no.such.property" in run.stderr


def test_cli_requires_a_region() -> None:
    run = run_cli(["export", "kafka", "--bootstrap", "127.0.0.1:1"])
    assert run.exit_code == 2
    assert "--region" in run.stderr


def _failing(code: int | None) -> Any:
    import concurrent.futures

    from confluent_kafka import KafkaError, KafkaException

    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    if code is None:
        future.set_result("answer")
    else:
        future.set_exception(KafkaException(KafkaError(code)))
    return future


def test_retriable_errors_are_retried(monkeypatch: Any) -> None:
    from confluent_kafka import KafkaError

    from checker.exporters.kafka import admin as kafka_admin

    monkeypatch.setattr("checker.exporters.kafka.admin.time.sleep", lambda _: None)
    answers = [KafkaError.COORDINATOR_LOAD_IN_PROGRESS, KafkaError.NOT_COORDINATOR, None]
    calls = iter(answers)
    assert kafka_admin.retrying(lambda: _failing(next(calls)), 1.0) == "answer"


def test_other_errors_are_not_retried(monkeypatch: Any) -> None:
    from confluent_kafka import KafkaError

    from checker.exporters.kafka import admin as kafka_admin

    monkeypatch.setattr("checker.exporters.kafka.admin.time.sleep", lambda _: None)
    issued = []

    def call() -> Any:
        issued.append(1)
        return _failing(KafkaError.GROUP_AUTHORIZATION_FAILED)

    with pytest.raises(kafka_admin.CallFailed, match="GROUP_AUTHORIZATION_FAILED"):
        kafka_admin.retrying(call, 1.0)
    assert len(issued) == 1
