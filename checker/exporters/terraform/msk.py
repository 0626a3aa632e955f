"""MSK in a Terraform plan: the cluster, its client authentication, encryption (and KMS key),
connectivity, broker log destinations and configuration (server_properties).

Mirrors what the live AWS exporter reads from describe_cluster_v2, so snapshots from both
sources compare: the same defaults (MSK_DEFAULTS, _shared/msk.py, as the aws exporter), the same
shapes. A value Terraform knows only after apply is a gap, never a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...redact import scrub
from .._shared.msk import MSK_DEFAULTS
from .._shared.properties import parse_properties
from .plan import UNKNOWN, Context, Resource, strings

CLIENT_BROKER = frozenset({"TLS", "TLS_PLAINTEXT", "PLAINTEXT"})
_CLUSTER_ARN = re.compile(r"^arn:[\w-]+:kafka:[a-z0-9-]+:(\d{12}):cluster/([^/]+)/([^/]+)$")


@dataclass(frozen=True)
class Cluster:
    resource: Resource
    name: str
    arn: str | None
    account: str | None
    uuid: str | None
    serverless: bool


def describe(ctx: Context, res: Resource) -> Cluster:
    """cluster, authentication, encryption, network (without ingress), audit, broker_config."""
    serverless = res.type == "aws_msk_serverless_cluster"
    name = ctx.value(res, "cluster", "cluster_name")
    name = str(name) if name else res.name
    arn = res.arn
    match = _CLUSTER_ARN.match(arn or "")
    cluster = Cluster(
        resource=res,
        name=name,
        arn=arn,
        account=match[1] if match else None,
        uuid=match[3] if match else None,
        serverless=serverless,
    )
    info: dict[str, Any] = {
        "id": arn or f"terraform:{res.address}",
        "name": name,
        "kind": "msk-serverless" if serverless else "msk",
    }
    if not serverless:
        version = ctx.value(res, "cluster", "kafka_version")
        if version:
            info["kafka_version"] = str(version)
    ctx.snapshot["cluster"] = info
    if serverless:
        _serverless(ctx, res)
    else:
        _authentication(ctx, res)
        client_broker = _encryption(ctx, res)
        _network(ctx, res, client_broker)
        ctx.snapshot["audit"] = {"broker_logs": _broker_logs(ctx, res)}
        _configuration(ctx, res)
    return cluster


def _serverless(ctx: Context, res: Resource) -> None:
    iam = ctx.value(
        res, "authentication", "client_authentication", 0, "sasl", 0, "iam", 0, "enabled"
    )
    ctx.snapshot["authentication"] = {
        "iam": bool(iam),
        "scram": False,
        "mtls": False,
        "unauthenticated": False,
    }
    # Serverless clusters always encrypt with TLS and an AWS-managed key, and log nothing.
    ctx.snapshot["encryption"] = {
        "at_rest": {
            "enabled": True,
            "key_id": None,
            "key_manager": "AWS",
            "rotation": None,
            "multi_region": False,
        },
        "in_transit": {"client_broker": "TLS", "in_cluster": True},
    }
    ctx.snapshot["network"] = {
        "public_access": False,
        "multi_vpc": False,
        "plaintext_listener": False,
        "ingress": [],
        "private_endpoints": [],
    }
    ctx.snapshot["audit"] = {"broker_logs": []}
    ctx.snapshot["broker_config"] = {}


def _authentication(ctx: Context, res: Resource) -> None:
    block = ctx.value(res, "authentication", "client_authentication")
    if not block:
        # A cluster created without client authentication accepts unauthenticated clients.
        methods = {"iam": False, "scram": False, "mtls": False, "unauthenticated": True}
    else:
        tls = ctx.value(res, "authentication", "client_authentication", 0, "tls")
        methods = {
            "iam": bool(
                ctx.value(res, "authentication", "client_authentication", 0, "sasl", 0, "iam")
            ),
            "scram": bool(
                ctx.value(res, "authentication", "client_authentication", 0, "sasl", 0, "scram")
            ),
            "mtls": bool(tls),
            "unauthenticated": bool(
                ctx.value(res, "authentication", "client_authentication", 0, "unauthenticated")
            ),
        }
    ctx.snapshot["authentication"] = methods


def scram_users(ctx: Context, cluster: Cluster) -> None:
    """SCRAM secret names associated with the cluster (never the secrets themselves)."""
    auth = ctx.snapshot.get("authentication")
    if auth is None:
        return
    names: set[str] = set()
    for assoc in ctx.local("aws_msk_scram_secret_association"):
        if not ctx.points_at(assoc, "cluster_arn", cluster.resource):
            continue
        arns = ctx.value(assoc, "authentication", "secret_arn_list")
        for arn in strings(arns):
            name = arn.rsplit(":", 1)[-1]
            names.add(re.sub(r"-[A-Za-z0-9]{6}$", "", name))
    for credential in ctx.local("kafka_user_scram_credential"):
        username = credential.get("username")  # the password is never read
        if isinstance(username, str):
            names.add(username)
    if names:
        auth["scram_users"] = sorted(names)


def _encryption(ctx: Context, res: Resource) -> str | None:
    transit = ("encryption_info", 0, "encryption_in_transit", 0)
    client_broker = ctx.value(res, "encryption", *transit, "client_broker")
    in_cluster = ctx.value(res, "encryption", *transit, "in_cluster")
    key = ctx.value(res, "encryption", "encryption_info", 0, "encryption_at_rest_kms_key_arn")
    client_broker = str(client_broker or "TLS")
    if client_broker not in CLIENT_BROKER:
        ctx.gap("encryption", f"{res.address}: unknown client_broker {client_broker!r}")
        return None
    ctx.snapshot["encryption"] = {
        "at_rest": _at_rest(ctx, res, str(key) if key else None),
        "in_transit": {
            "client_broker": client_broker,
            "in_cluster": True if in_cluster is None else bool(in_cluster),
        },
    }
    return client_broker


def _at_rest(ctx: Context, res: Resource, key: str | None) -> dict[str, Any]:
    aws_managed = {
        "enabled": True,
        "key_id": key,
        "key_manager": "AWS",
        "rotation": None,
        "multi_region": False,
    }
    if not key:
        return aws_managed
    found = _kms_key(ctx, key)
    if found is not None:
        return found
    if "alias/aws/" in key:
        return aws_managed
    if res.config:
        if res.expression("encryption_info", 0, "encryption_at_rest_kms_key_arn") is None:
            # not set in the configuration: MSK filled in its AWS-managed key
            return aws_managed
        return {
            "enabled": True,
            "key_id": key,
            "key_manager": "CUSTOMER",
            "rotation": None,
            "multi_region": ":key/mrk-" in key,
        }
    ctx.gap(
        "encryption",
        f"the at-rest key {key} is not in this document: who manages it "
        "and whether it rotates is unknown",
    )
    return {
        "enabled": True,
        "key_id": key,
        "key_manager": None,
        "rotation": None,
        "multi_region": None,
    }


def _kms_key(ctx: Context, key: str) -> dict[str, Any] | None:
    keys = ctx.doc.of_type("aws_kms_key", "aws_kms_replica_key")
    match = next((k for k in keys if key in (k.arn, k.values.get("key_id"))), None)
    if match is None:
        return None
    record: dict[str, Any] = {
        "enabled": True,
        "key_id": match.arn or key,
        "key_manager": "CUSTOMER",
    }
    if match.type == "aws_kms_key":
        record["rotation"] = _flag(ctx, match, "enable_key_rotation")
        record["multi_region"] = _flag(ctx, match, "multi_region")
        return record
    # a replica rotates with its primary key
    primary_arn = ctx.value(match, "encryption", "primary_key_arn")
    primary = next(
        (k for k in keys if k.type == "aws_kms_key" and primary_arn and k.arn == primary_arn), None
    )
    record["rotation"] = None if primary is None else _flag(ctx, primary, "enable_key_rotation")
    record["multi_region"] = True
    return record


def _flag(ctx: Context, res: Resource, attr: str) -> bool | None:
    value = ctx.value(res, "encryption", attr)
    return None if value is None else bool(value)


def _network(ctx: Context, res: Resource, client_broker: str | None) -> None:
    connectivity = ("broker_node_group_info", 0, "connectivity_info", 0)
    public = ctx.value(res, "network", *connectivity, "public_access", 0, "type")
    vpc = (*connectivity, "vpc_connectivity", 0, "client_authentication", 0)
    multi_vpc = any(
        ctx.value(res, "network", *vpc, *path)
        for path in (("sasl", 0, "iam"), ("sasl", 0, "scram"), ("tls",))
    )
    network: dict[str, Any] = {
        "public_access": public == "SERVICE_PROVIDED_EIPS",
        "multi_vpc": bool(multi_vpc),
        "ingress": [],
        "private_endpoints": [],
    }
    if client_broker is not None:
        network["plaintext_listener"] = client_broker in ("PLAINTEXT", "TLS_PLAINTEXT")
    ctx.snapshot["network"] = network


def _broker_logs(ctx: Context, res: Resource) -> list[dict[str, Any]]:
    base = ("logging_info", 0, "broker_logs", 0)
    out: list[dict[str, Any]] = []
    for destination, block, target_attr in (
        ("cloudwatch", "cloudwatch_logs", "log_group"),
        ("firehose", "firehose", "delivery_stream"),
        ("s3", "s3", "bucket"),
    ):
        if not res.get(*base, block):
            continue
        enabled = bool(ctx.value(res, "audit", *base, block, 0, "enabled"))
        target = ctx.value(res, "audit", *base, block, 0, target_attr)
        if destination == "s3" and target:
            prefix = res.get(*base, block, 0, "prefix")
            target = f"s3://{target}/{prefix if isinstance(prefix, str) else ''}"
        out.append(
            {
                "destination": destination,
                "enabled": enabled,
                "target": str(target) if target else None,
                "retention_days": None,
            }
        )
    return out


def _configuration(ctx: Context, res: Resource) -> None:
    """broker_config: the configuration's server_properties over MSK's defaults."""
    config = dict(MSK_DEFAULTS)
    if res.get("configuration_info"):
        arn = res.get("configuration_info", 0, "arn")
        configs = ctx.doc.of_type("aws_msk_configuration")
        if arn is UNKNOWN or arn is None:
            found = [
                c
                for c in ctx.doc.referenced(res, "configuration_info", 0, "arn")
                if c.type == "aws_msk_configuration"
            ]
        else:
            found = [c for c in configs if c.arn == arn]
        if not found:
            if arn is UNKNOWN:
                ctx.value(res, "broker_config", "configuration_info", 0, "arn")
            else:
                ctx.gap(
                    "broker_config",
                    f"configuration {arn} of {res.address} is not in this "
                    "document: its server properties are unknown",
                )
            return
        text = ctx.value(found[0], "broker_config", "server_properties")
        if text is None and "broker_config" in ctx.tainted:
            return
        config.update(parse_properties(str(text or "")))
    ctx.snapshot["broker_config"] = dict(sorted(scrub(config).items()))
