"""AWS exporter test rig: moto in server mode over real HTTP, plus botocore Stubber for the MSK
operations moto lacks, plus a recorder of every operation the exporter performs.

The exporter makes all its clients through checker.exporters.aws.client.new_client; the
`world` fixture wraps it so that
  - every client records (IAM prefix, operation) through a botocore event hook,
  - the kafka client sends the operations moto does not implement (configuration revisions,
    replicators, VPC connections, SCRAM secrets, bootstrap brokers, topics) to a
    Stubber-activated client, answered from `world.msk` and validated against botocore's models,
  - any operation can be made to fail with an AWS error code, or to be throttled first.
"""

from __future__ import annotations

import functools
import json
import logging
import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer

from checker.exporters.aws import client as aws_client

ACCOUNT = "123456789012"  # moto's default account
STUBBED = frozenset(
    {
        "describe_configuration_revision",
        "list_replicators",
        "describe_replicator",
        "list_client_vpc_connections",
        "list_scram_secrets",
        "get_bootstrap_brokers",
        "list_topics",
        "describe_topic",
    }
)
# Glue Schema Registry: moto models registries, schemas and versions but not ListSchemas,
# which is answered from moto's own state (GlueModels).
GLUE_STUBBED = frozenset({"list_schemas"})
PAGE_SIZE = 2


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no request lines on stderr
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and no user configuration: nothing here may reach real AWS."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_MAX_ATTEMPTS",
        "AWS_RETRY_MODE",
        "AWS_ENDPOINT_URL",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@dataclass
class Msk:
    """What moto cannot answer, per cluster ARN or per region."""

    configurations: dict[tuple[str, int], str] = field(default_factory=dict)
    bootstrap: dict[str, dict[str, str]] = field(default_factory=dict)
    scram: dict[str, list[str]] = field(default_factory=dict)
    vpc_connections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    topics: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    replicators: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # region ->
    summaries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # extra, by region

    def answer(self, op: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        arn = params.get("ClusterArn", "")
        if op == "describe_configuration_revision":
            text = self.configurations[(params["Arn"], params["Revision"])]
            return {
                "Arn": params["Arn"],
                "Revision": params["Revision"],
                "ServerProperties": text.encode(),
            }
        if op == "get_bootstrap_brokers":
            return dict(self.bootstrap.get(arn, {}))
        if op == "describe_replicator":
            return next(
                r
                for r in self.replicators.get(region, [])
                if r["ReplicatorArn"] == params["ReplicatorArn"]
            )
        if op == "describe_topic":
            topic = self.topics[arn][params["TopicName"]]
            answer = {
                "TopicName": params["TopicName"],
                "Status": "ACTIVE",
                "PartitionCount": topic["partitions"],
                "ReplicationFactor": topic["replication_factor"],
            }
            if topic.get("configs"):
                import base64

                lines = "\n".join(f"{k}={v}" for k, v in topic["configs"].items())
                answer["Configs"] = base64.b64encode(lines.encode()).decode()
            return answer
        raise AssertionError(f"no fake answer for {op}")

    def items(self, op: str, region: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
        arn = params.get("ClusterArn", "")
        if op == "list_replicators":
            found = [_summary(r) for r in self.replicators.get(region, [])]
            return "Replicators", found + self.summaries.get(region, [])
        if op == "list_scram_secrets":
            return "SecretArnList", list(self.scram.get(arn, []))
        if op == "list_client_vpc_connections":
            return "ClientVpcConnections", list(self.vpc_connections.get(arn, []))
        if op == "list_topics":
            return "Topics", [
                {
                    "TopicName": name,
                    "PartitionCount": t["partitions"],
                    "ReplicationFactor": t["replication_factor"],
                }
                for name, t in sorted(self.topics.get(arn, {}).items())
            ]
        raise AssertionError(f"no fake pages for {op}")


class GlueModels:
    """ListSchemas from what moto's in-process server holds (the registries the test made)."""

    def answer(self, op: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
        raise AssertionError(f"no fake answer for {op}")

    def items(self, op: str, region: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
        from moto.glue.models import glue_backends

        if op != "list_schemas":
            raise AssertionError(f"no fake pages for {op}")
        name = params["RegistryId"]["RegistryName"]
        registry = glue_backends[ACCOUNT][region].registries[name]
        return "Schemas", [
            {
                "RegistryName": schema.registry_name,
                "SchemaName": schema.schema_name,
                "SchemaArn": schema.schema_arn,
                "SchemaStatus": schema.schema_status,
            }
            for schema in registry.schemas.values()
        ]


def _summary(replicator: dict[str, Any]) -> dict[str, Any]:
    return {
        "ReplicatorArn": replicator["ReplicatorArn"],
        "ReplicatorName": replicator["ReplicatorName"],
        "ReplicatorState": replicator["ReplicatorState"],
        "CurrentVersion": replicator["CurrentVersion"],
        "IsReplicatorReference": False,
        "KafkaClustersSummary": [
            {"AmazonMskCluster": c["AmazonMskCluster"], "KafkaClusterAlias": c["KafkaClusterAlias"]}
            for c in replicator["KafkaClusters"]
        ],
        "ReplicationInfoSummaryList": [
            {
                "SourceKafkaClusterAlias": i["SourceKafkaClusterAlias"],
                "TargetKafkaClusterAlias": i["TargetKafkaClusterAlias"],
            }
            for i in replicator["ReplicationInfoList"]
        ],
    }


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass
class World:
    """The fake AWS of one test: moto over HTTP, the Msk fake, failures, a call recorder."""

    url: str
    msk: Msk = field(default_factory=Msk)
    errors: dict[tuple[str, str, str], str] = field(default_factory=dict)  # region, svc, Op
    throttles: dict[tuple[str, str, str], int] = field(default_factory=dict)
    operations: set[tuple[str, str]] = field(default_factory=set)  # (IAM prefix, Op)
    seeding: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """A client for seeding moto (not recorded, not routed)."""
        if (service, region) not in self.seeding:
            self.seeding[(service, region)] = boto3.client(
                service,
                region_name=region,
                endpoint_url=self.url,  # type: ignore[call-overload]
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
        return self.seeding[(service, region)]

    def fail(self, region: str, service: str, operation: str, code: str) -> None:
        """Make `service:Operation` in `region` answer with an AWS error code."""
        self.errors[(region, service, operation)] = code

    def throttle(self, region: str, service: str, operation: str, times: int = 1) -> None:
        self.throttles[(region, service, operation)] = times

    def error(self, region: str, service: str, operation: str) -> str | None:
        return self.errors.get((region, service, operation))

    def instrument(self, client: Any, region: str, failures: bool = True) -> None:
        prefix = client.meta.service_model.signing_name

        def record(model: Any, **_: Any) -> None:
            self.operations.add((prefix, model.name))

        def fail(model: Any, **_: Any) -> Any:
            code = self.error(region, prefix, model.name)
            if code is None:
                return None
            status = 403 if "AccessDenied" in code else 400
            return (
                AWSResponse("https://fake", status, HTTPHeaders(), None),
                {
                    "Error": {"Code": code, "Message": f"{code} (test)"},
                    "ResponseMetadata": {"HTTPStatusCode": status},
                },
            )

        def throttle(request: Any, event_name: str, **_: Any) -> Any:
            op = event_name.rsplit(".", 1)[-1]
            key = (region, prefix, op)
            if self.throttles.get(key, 0) <= 0:
                return None
            self.throttles[key] -= 1
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
            return AWSResponse(
                request.url,
                400,
                HTTPHeaders.from_dict(
                    {
                        "x-amzn-ErrorType": "ThrottlingException",
                        "Content-Type": "application/x-amz-json-1.1",
                    }
                ),
                _Raw(body.encode()),
            )

        events = client.meta.events
        events.register("before-parameter-build", record)
        if failures:
            events.register_first("before-call", fail)
            events.register("before-send", throttle)


class KafkaRouter:
    """A kafka client: STUBBED operations go to a Stubber-activated client, the rest to moto
    (also a glue client, with GLUE_STUBBED and GlueModels)."""

    def __init__(
        self,
        real: Any,
        stub: Any,
        world: World,
        region: str,
        service: str = "kafka",
        stubbed: frozenset[str] = STUBBED,
        fake: Any = None,
    ) -> None:
        self._real = real
        self._stub = stub
        self._world = world
        self._region = region
        self._service = service
        self._stubbed = stubbed
        self._fake = world.msk if fake is None else fake
        self._stubber = Stubber(stub)
        self._stubber.activate()
        self.meta = real.meta

    def __getattr__(self, name: str) -> Any:
        if name in self._stubbed:
            return functools.partial(self._call, name)
        return getattr(self._real, name)

    def _error(self, op: str, params: dict[str, Any]) -> bool:
        """Queue the scripted AWS error for this call, if there is one."""
        code = self._world.error(
            self._region, self._service, self._stub.meta.method_to_api_mapping[op]
        )
        if code is None:
            return False
        status = 403 if "AccessDenied" in code else 400
        self._stubber.add_client_error(
            op,
            service_error_code=code,
            service_message=code,
            http_status_code=status,
            expected_params=params,
        )
        return True

    def _call(self, op: str, **params: Any) -> Any:
        if not self._error(op, params):
            answer = self._fake.answer(op, self._region, params)
            self._stubber.add_response(op, answer, expected_params=params)
        return getattr(self._stub, op)(**params)

    def get_paginator(self, op: str) -> Any:
        if op not in self._stubbed:
            return self._real.get_paginator(op)
        router = self

        class Paginator:
            def paginate(self, **params: Any) -> Any:
                if not router._error(op, params):
                    router._queue_pages(op, params)
                return router._stub.get_paginator(op).paginate(**params)

        return Paginator()

    def _queue_pages(self, op: str, params: dict[str, Any]) -> None:
        key, items = self._fake.items(op, self._region, params)
        chunks = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)] or [[]]
        token = None
        for index, chunk in enumerate(chunks):
            page: dict[str, Any] = {key: chunk}
            expected = dict(params)
            if token:
                expected["NextToken"] = token
            token = f"page-{index + 1}" if index + 1 < len(chunks) else None
            if token:
                page["NextToken"] = token
            self._stubber.add_response(op, page, expected_params=expected)


@pytest.fixture
def world(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    urllib.request.urlopen(urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"))
    state = World(url=moto_url)
    make = aws_client.new_client

    def new_client(
        session: Any, service: str, region: str, endpoint_url: str | None, config: Any
    ) -> Any:
        client = make(session, service, region, endpoint_url, config)
        state.instrument(client, region)
        if service not in ("kafka", "glue"):
            return client
        stub = make(session, service, region, endpoint_url, config)
        state.instrument(stub, region, failures=False)  # the router scripts its errors
        if service == "glue":
            return KafkaRouter(client, stub, state, region, "glue", GLUE_STUBBED, GlueModels())
        return KafkaRouter(client, stub, state, region)

    monkeypatch.setattr(aws_client, "new_client", new_client)
    yield state
