"""moto in server mode with the Amazon MSK operations it lacks, all over real HTTP.

moto 5 answers kafka:DescribeClusterV2 and kafka:GetClusterPolicy but not the configuration
revisions, replicators, VPC connections, SCRAM secrets, bootstrap brokers or topics. `MskFront`
is a WSGI application in front of moto's own: it answers those operations from `MskFake` (keyed
by the calling account, as moto resolves it from the access key, and the region of the request's
signature), serialised through botocore's model of the output shapes, and hands every other
request to moto. It also counts the requests it receives per service (from the signature's
credential scope): a server-side tally to hold the exporter's own tally against.

Unlike tests/aws/conftest.py's `world` (a Stubber inside the test process), this serves a
separate process: `failback fleet` run whole (benchmarks/fleet_aws.py) and the fleet call-count
test (tests/aws/test_fleet_calls.py).
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import threading
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import botocore.session
from moto.iam.models import get_account_id_from
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

StartResponse = Callable[..., Any]
_SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/")
_MODEL = botocore.session.get_session().get_service_model("kafka")


@dataclass
class MskFake:
    """What moto cannot answer: per cluster ARN (ARNs carry account and region), replicators
    per (account, region)."""

    configurations: dict[tuple[str, int], str] = field(default_factory=dict)
    bootstrap: dict[str, dict[str, str]] = field(default_factory=dict)
    scram: dict[str, list[str]] = field(default_factory=dict)
    vpc_connections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    topics: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    replicators: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def route(
        self, account: str, region: str, segments: list[str]
    ) -> tuple[str, dict[str, Any]] | None:
        """(operation, answer in the API's field names) for a GET path, None for moto;
        raises KeyError for an unknown resource (NotFoundException)."""
        match segments:
            case ["v1", "configurations", arn, "revisions", revision]:
                text = self.configurations[(arn, int(revision))]
                answer = {"Arn": arn, "Revision": int(revision), "ServerProperties": text}
                return "DescribeConfigurationRevision", answer
            case ["replication", "v1", "replicators"]:
                found = self.replicators.get((account, region), [])
                return "ListReplicators", {"Replicators": [_summary(r) for r in found]}
            case ["replication", "v1", "replicators", arn]:
                found = self.replicators.get((account, region), [])
                return "DescribeReplicator", next(r for r in found if r["ReplicatorArn"] == arn)
            case ["v1", "clusters", arn, "client-vpc-connections"]:
                connections = self.vpc_connections[arn]
                return "ListClientVpcConnections", {"ClientVpcConnections": connections}
            case ["v1", "clusters", arn, "scram-secrets"]:
                return "ListScramSecrets", {"SecretArnList": self.scram[arn]}
            case ["v1", "clusters", arn, "bootstrap-brokers"]:
                return "GetBootstrapBrokers", self.bootstrap[arn]
            case ["v1", "clusters", arn, "topics"]:
                listed = [
                    {
                        "TopicName": name,
                        "PartitionCount": t["partitions"],
                        "ReplicationFactor": t["replication_factor"],
                    }
                    for name, t in sorted(self.topics[arn].items())
                ]
                return "ListTopics", {"Topics": listed}
            case ["v1", "clusters", arn, "topics", name]:
                topic = self.topics[arn][name]
                answer = {
                    "TopicName": name,
                    "Status": "ACTIVE",
                    "PartitionCount": topic["partitions"],
                    "ReplicationFactor": topic["replication_factor"],
                }
                if topic.get("configs"):
                    lines = "\n".join(f"{k}={v}" for k, v in topic["configs"].items())
                    answer["Configs"] = base64.b64encode(lines.encode()).decode()
                return "DescribeTopic", answer
        return None


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


def wire(shape: Any, value: Any) -> Any:
    """`value` (API field names) as the REST-JSON body botocore parses for `shape`."""
    if shape.type_name == "structure":
        return {
            member.serialization.get("name", name): wire(member, value[name])
            for name, member in shape.members.items()
            if name in value
        }
    if shape.type_name == "list":
        return [wire(shape.member, item) for item in value]
    if shape.type_name == "map":
        return {key: wire(shape.value, item) for key, item in value.items()}
    if shape.type_name == "blob":
        return base64.b64encode(value.encode() if isinstance(value, str) else value).decode()
    if shape.type_name == "timestamp":
        return value.isoformat() if isinstance(value, datetime) else value
    return value


class MskFront:
    """moto's WSGI application with MskFake's operations in front, counting requests."""

    def __init__(self, fake: MskFake) -> None:
        self.fake = fake
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.requests: Counter[str] = Counter()  # per signing service
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if scope is not None:
            with self._lock:
                self.requests[scope["service"]] += 1
            if scope["service"] == "kafka" and environ["REQUEST_METHOD"] == "GET":
                answered = self._kafka(environ, scope["key"], scope["region"], start_response)
                if answered is not None:
                    return answered
        return self.moto(environ, start_response)  # type: ignore[no-any-return]

    def _kafka(
        self, environ: dict[str, Any], key: str, region: str, start_response: StartResponse
    ) -> list[bytes] | None:
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ["PATH_INFO"]
        path = urllib.parse.urlsplit(raw).path
        segments = [urllib.parse.unquote(s) for s in path.strip("/").split("/")]
        try:
            routed = self.fake.route(get_account_id_from(key), region, segments)
        except (KeyError, StopIteration):
            body = {"message": f"not found: {path}"}
            start_response(
                "404 Not Found",
                [("Content-Type", "application/json"), ("x-amzn-ErrorType", "NotFoundException")],
            )
            return [json.dumps(body).encode()]
        if routed is None:
            return None
        operation, answer = routed
        body = wire(_MODEL.operation_model(operation).output_shape, answer)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()


@dataclass
class Served:
    url: str
    front: MskFront
    server: BaseWSGIServer


@contextlib.contextmanager
def serve(fake: MskFake | None = None) -> Iterator[Served]:
    """Start the front (and moto behind it) on a loopback port; stop it when closed.

    moto's state is per process: a second moto server in the same process shares it."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    front = MskFront(fake or MskFake())
    server = make_server("127.0.0.1", 0, front, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    url = f"http://{host!s}:{port}"
    try:
        yield Served(url, front, server)
    finally:
        server.shutdown()
        thread.join(timeout=10)


def reset_moto(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
