"""MSK collector: the cluster itself, its configuration, listeners, SCRAM secrets, VPC connections.

Fills the snapshot's cluster, authentication, encryption (in transit; at rest up to the key),
network (public access, plaintext listener, multi-VPC), audit.broker_logs (destinations) and
broker_config. Facts only; judgement stays in Rego.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import InputError
from ...redact import scrub
from .._shared.msk import MSK_DEFAULTS
from .._shared.properties import parse_properties
from .client import Absent, Reader

if TYPE_CHECKING:
    from mypy_boto3_kafka.type_defs import ClusterTypeDef

# Areas describe_cluster_v2 feeds: when it fails they are all gaps.
CLUSTER_AREAS = ("cluster", "authentication", "encryption", "network", "audit", "broker_config")
# Documented values of the default Amazon MSK configuration that matter for governance; a
# custom configuration inherits them for every property it does not set.
_CLUSTER_ARN = re.compile(
    r"^arn:(?P<partition>aws[\w-]*):kafka:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(serverless-)?cluster/(?P<rest>[^/]+(/[^/]+)?)$"
)
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")


@dataclass(frozen=True)
class Cluster:
    """What the other collectors need to know about the cluster."""

    arn: str
    partition: str
    region: str
    account: str
    name: str
    uuid: str
    serverless: bool = False
    security_groups: tuple[str, ...] = ()
    kms_key: str | None = None
    described: bool = False

    @property
    def topic_prefix(self) -> str:
        return f"arn:{self.partition}:kafka:{self.region}:{self.account}"


def parse_cluster_arn(arn: str, region: str) -> Cluster:
    match = _CLUSTER_ARN.match(arn)
    if not match:
        raise InputError(
            f"--cluster-arn {arn!r} is not an MSK cluster ARN "
            "(arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID)"
        )
    if match["region"] != region:
        raise InputError(
            f"cluster {arn} is in {match['region']}, not in the exported region {region}"
        )
    parts = match["rest"].split("/")
    return Cluster(
        arn=arn,
        partition=match["partition"],
        region=region,
        account=match["account"],
        name=parts[0],
        uuid=parts[-1],
    )


def describe(reader: Reader, cluster: Cluster) -> Cluster:
    """kafka:DescribeClusterV2 -> cluster, authentication, encryption, network, audit."""
    snapshot = reader.snapshot
    snapshot["cluster"] = {"id": cluster.arn, "name": cluster.name, "kind": "msk"}
    answer = reader.lookup(
        "cluster",
        "kafka:DescribeClusterV2",
        reader.kafka().describe_cluster_v2,
        absent={"NotFoundException"},
        ClusterArn=cluster.arn,
    )
    if isinstance(answer, Absent):
        raise InputError(f"no MSK cluster {cluster.arn} in {cluster.region}")
    if answer is None:
        for area in CLUSTER_AREAS[1:]:
            reader.gap(area, reader.last_error, "kafka:DescribeClusterV2")
        return cluster
    info = answer.get("ClusterInfo")
    if not isinstance(info, dict):
        where = reader.config.endpoint_url or f"the AWS endpoint of {cluster.region}"
        raise InputError(
            f"{where} answered kafka:DescribeClusterV2 for {cluster.arn} without ClusterInfo",
            hint="is it an Amazon MSK endpoint? check --endpoint-url",
        )
    name = info.get("ClusterName") or cluster.name
    if info.get("ClusterType") == "SERVERLESS":
        return _serverless(reader, cluster, info, name)
    provisioned = info.get("Provisioned", {})
    software = provisioned.get("CurrentBrokerSoftwareInfo", {})
    snapshot["cluster"] = {"id": cluster.arn, "name": name, "kind": "msk"}
    if software.get("KafkaVersion"):
        snapshot["cluster"]["kafka_version"] = software["KafkaVersion"]

    auth = provisioned.get("ClientAuthentication", {})
    sasl = auth.get("Sasl", {})
    methods = {
        "iam": bool(sasl.get("Iam", {}).get("Enabled")),
        "scram": bool(sasl.get("Scram", {}).get("Enabled")),
        "mtls": bool(auth.get("Tls", {}).get("Enabled")),
    }
    unauthenticated = auth.get("Unauthenticated", {}).get("Enabled")
    # A cluster created without any client authentication accepts unauthenticated clients.
    methods["unauthenticated"] = (
        not any(methods.values()) if unauthenticated is None else bool(unauthenticated)
    )
    snapshot["authentication"] = methods
    if methods["scram"] or methods["mtls"] or methods["unauthenticated"]:
        reader.gap(
            "acls",
            "Kafka ACLs (which govern SCRAM, mTLS and unauthenticated clients) "
            "are not readable through AWS APIs: export them with the kafka exporter",
        )

    encryption = provisioned.get("EncryptionInfo", {})
    transit = encryption.get("EncryptionInTransit", {})
    key = encryption.get("EncryptionAtRest", {}).get("DataVolumeKMSKeyId") or None
    snapshot["encryption"] = {
        # MSK always encrypts at rest; without a key of your own it uses the AWS-managed key.
        "at_rest": {
            "enabled": True,
            "key_id": key,
            "key_manager": None if key else "AWS",
            "rotation": None,
            "multi_region": None if key else False,
        },
        "in_transit": {
            "client_broker": transit.get("ClientBroker", "TLS"),
            "in_cluster": bool(transit.get("InCluster", True)),
        },
    }

    nodes = provisioned.get("BrokerNodeGroupInfo", {})
    connectivity = nodes.get("ConnectivityInfo", {})
    vpc_auth = connectivity.get("VpcConnectivity", {}).get("ClientAuthentication", {})
    vpc_sasl = vpc_auth.get("Sasl", {})
    snapshot["network"] = {
        "public_access": connectivity.get("PublicAccess", {}).get("Type", "DISABLED")
        == "SERVICE_PROVIDED_EIPS",
        "multi_vpc": any(
            (
                vpc_sasl.get("Iam", {}).get("Enabled"),
                vpc_sasl.get("Scram", {}).get("Enabled"),
                vpc_auth.get("Tls", {}).get("Enabled"),
            )
        ),
        "ingress": [],
        "private_endpoints": [],
    }
    snapshot["audit"] = {"broker_logs": _broker_logs(provisioned)}
    _configuration(reader, software.get("ConfigurationArn"), software.get("ConfigurationRevision"))
    return Cluster(
        arn=cluster.arn,
        partition=cluster.partition,
        region=cluster.region,
        account=cluster.account,
        name=name,
        uuid=cluster.uuid,
        security_groups=tuple(nodes.get("SecurityGroups", [])),
        kms_key=key,
        described=True,
    )


def _serverless(reader: Reader, cluster: Cluster, info: ClusterTypeDef, name: str) -> Cluster:
    snapshot = reader.snapshot
    serverless = info.get("Serverless", {})
    sasl = serverless.get("ClientAuthentication", {}).get("Sasl", {})
    snapshot["cluster"] = {"id": cluster.arn, "name": name, "kind": "msk-serverless"}
    snapshot["authentication"] = {
        "iam": bool(sasl.get("Iam", {}).get("Enabled")),
        "scram": False,
        "mtls": False,
        "unauthenticated": False,
    }
    # Serverless clusters always encrypt with TLS and an AWS-managed key, and log nothing.
    snapshot["encryption"] = {
        "at_rest": {
            "enabled": True,
            "key_id": None,
            "key_manager": "AWS",
            "rotation": None,
            "multi_region": False,
        },
        "in_transit": {"client_broker": "TLS", "in_cluster": True},
    }
    snapshot["network"] = {
        "public_access": False,
        "multi_vpc": False,
        "ingress": [],
        "private_endpoints": [],
    }
    snapshot["audit"] = {"broker_logs": []}
    snapshot["broker_config"] = {}
    groups = tuple(
        g for vpc in serverless.get("VpcConfigs", []) for g in vpc.get("SecurityGroupIds", [])
    )
    return Cluster(
        arn=cluster.arn,
        partition=cluster.partition,
        region=cluster.region,
        account=cluster.account,
        name=name,
        uuid=cluster.uuid,
        serverless=True,
        security_groups=groups,
        described=True,
    )


def _broker_logs(provisioned: Mapping[str, Any]) -> list[dict[str, Any]]:
    logs = provisioned.get("LoggingInfo", {}).get("BrokerLogs", {})
    out: list[dict[str, Any]] = []
    if "CloudWatchLogs" in logs:
        entry = logs["CloudWatchLogs"]
        out.append(
            {
                "destination": "cloudwatch",
                "enabled": bool(entry.get("Enabled")),
                "target": entry.get("LogGroup"),
                "retention_days": None,
            }
        )
    if "Firehose" in logs:
        entry = logs["Firehose"]
        out.append(
            {
                "destination": "firehose",
                "enabled": bool(entry.get("Enabled")),
                "target": entry.get("DeliveryStream"),
                "retention_days": None,
            }
        )
    if "S3" in logs:
        entry = logs["S3"]
        bucket = entry.get("Bucket")
        target = f"s3://{bucket}/{entry.get('Prefix') or ''}" if bucket else None
        out.append(
            {
                "destination": "s3",
                "enabled": bool(entry.get("Enabled")),
                "target": target,
                "retention_days": None,
            }
        )
    return out


def _configuration(reader: Reader, arn: str | None, revision: int | None) -> None:
    """broker_config: the current configuration revision over MSK's documented defaults."""
    config = dict(MSK_DEFAULTS)
    if arn and arn.startswith("arn:") and revision is not None:
        answer = reader.call(
            "broker_config",
            "kafka:DescribeConfigurationRevision",
            reader.kafka().describe_configuration_revision,
            Arn=arn,
            Revision=revision,
        )
        if answer is None:
            return
        raw = answer.get("ServerProperties", b"")
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes | bytearray) else str(raw)
        config.update(parse_properties(text))
    reader.snapshot["broker_config"] = dict(sorted(scrub(config).items()))


def extras(reader: Reader, cluster: Cluster) -> None:
    """Listeners, SCRAM secret names and client VPC connections (kafka:Get*/List*)."""
    kafka = reader.kafka()
    network = reader.snapshot.get("network")
    brokers = reader.call(
        "network", "kafka:GetBootstrapBrokers", kafka.get_bootstrap_brokers, ClusterArn=cluster.arn
    )
    if brokers is not None and network is not None:
        network["plaintext_listener"] = bool(
            brokers.get("BootstrapBrokerString") or brokers.get("BootstrapBrokerStringIpv6")
        )
    if cluster.serverless:
        return
    paginator = kafka.get_paginator("list_scram_secrets")
    pages = reader.call(
        "authentication",
        "kafka:ListScramSecrets",
        lambda: list(paginator.paginate(ClusterArn=cluster.arn)),
    )
    auth = reader.snapshot.get("authentication")
    if pages is not None and auth is not None:
        # Secret names only (the SCRAM user is inside the secret, which is never read).
        auth["scram_users"] = sorted(
            {
                _SECRET_SUFFIX.sub("", arn.rsplit(":", 1)[-1])
                for page in pages
                for arn in page.get("SecretArnList", [])
            }
        )
    connections = kafka.get_paginator("list_client_vpc_connections")
    pages_vpc = reader.call(
        "network",
        "kafka:ListClientVpcConnections",
        lambda: list(connections.paginate(ClusterArn=cluster.arn)),
    )
    if pages_vpc is not None and network is not None:
        arns = [
            c["VpcConnectionArn"]
            for page in pages_vpc
            for c in page.get("ClientVpcConnections", [])
        ]
        network["private_endpoints"] = sorted({*network["private_endpoints"], *arns})
        network["multi_vpc"] = bool(network["multi_vpc"] or arns)
