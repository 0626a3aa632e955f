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
from .plan import UNKNOWN, UNRESOLVED, Context, Resource, strings

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
    for assoc in ctx.local(
        "aws_msk_scram_secret_association", "aws_msk_single_scram_secret_association"
    ):
        if not ctx.points_at(assoc, "cluster_arn", cluster.resource):
            continue
        attr = "secret_arn" if assoc.type.startswith("aws_msk_single_") else "secret_arn_list"
        arns = ctx.value(assoc, "authentication", attr)
        for arn in strings(arns):
            name = arn.rsplit(":", 1)[-1]
            names.add(re.sub(r"-[A-Za-z0-9]{6}$", "", name))
    for credential in ctx.local("kafka_user_scram_credential"):
        username = credential.get("username")  # the password is never read
        if isinstance(username, str):
            names.add(username)
    if names:
        auth["scram_users"] = sorted(names)


_TRANSIT = ("encryption_info", 0, "encryption_in_transit", 0)
_KEY = ("encryption_info", 0, "encryption_at_rest_kms_key_arn")


def _transit(ctx: Context, res: Resource, attr: str) -> Any:
    """An in-transit setting; UNKNOWN (and a gap naming it) when known only after apply."""
    value = res.get(*_TRANSIT, attr)
    if value is UNKNOWN:
        ctx.partial("encryption", ctx.unresolved(res, *_TRANSIT, attr))
    return value


def _encryption(ctx: Context, res: Resource) -> str | None:
    """encryption: what is known of it (an unknown part is a gap, never a default); returns
    the client-broker setting when known."""
    client_broker = _transit(ctx, res, "client_broker")
    in_cluster = _transit(ctx, res, "in_cluster")
    encryption: dict[str, Any] = {}
    at_rest = _at_rest(ctx, res)
    if at_rest is not None:
        encryption["at_rest"] = at_rest
    known = None
    if client_broker is not UNKNOWN:
        known = str(client_broker or "TLS")  # MSK's default when the block is not set
        if known not in CLIENT_BROKER:
            reason = f"{res.address}: unknown client_broker {known!r}"
            ctx.gap("encryption", reason)
            ctx.partial("network", f"{reason}: whether clients may connect in plaintext is unknown")
            return None
    if known is not None and in_cluster is not UNKNOWN:
        encryption["in_transit"] = {
            "client_broker": known,
            "in_cluster": True if in_cluster is None else bool(in_cluster),
        }
    ctx.snapshot["encryption"] = encryption
    return known


def _aws_managed(key: str | None) -> dict[str, Any]:
    return {
        "enabled": True,
        "key_id": key,
        "key_manager": "AWS",
        "rotation": None,
        "multi_region": False,
    }


def _at_rest(ctx: Context, res: Resource) -> dict[str, Any] | None:
    """At-rest encryption: the key the cluster uses and who manages it. The configured value
    wins over the planned one: a module passing a null or "" key variable leaves MSK its
    AWS-managed key (aws/msk), whose ARN the plan or state may show like any other key's."""
    value = res.get(*_KEY)
    configured = ctx.doc.configured(res, *_KEY) if res.config else UNRESOLVED
    expression = res.expression(*_KEY)
    unset = bool(res.config) and (expression is None or configured in (None, ""))
    key = value if isinstance(value, str) and value else None
    if unset or (isinstance(configured, str) and "alias/aws/" in configured):
        return _aws_managed(key)
    if isinstance(configured, str) and configured and (value is UNKNOWN or key is None):
        key = configured
    if key is None and value is not UNKNOWN:
        return _aws_managed(None)  # no key, no configuration saying otherwise
    if key is None:
        found = [
            k
            for k in ctx.doc.referenced(res, *_KEY)
            if k.type in ("aws_kms_key", "aws_kms_replica_key")
        ]
        record = _kms_key(ctx, found[0].arn or "", found[0]) if len(found) == 1 else None
        if record is None:
            ctx.partial("encryption", ctx.unresolved(res, *_KEY))
        return record
    found_key = _kms_key(ctx, key)
    if found_key is not None:
        return found_key
    if "alias/aws/" in key:
        return _aws_managed(key)
    if isinstance(configured, str) and configured:
        # a key given by ARN, id or alias in the configuration: the customer's
        return {
            "enabled": True,
            "key_id": key,
            "key_manager": "CUSTOMER",
            "rotation": None,
            "multi_region": ":key/mrk-" in key,
        }
    reason = (
        f"the at-rest key {key} of {res.address} is not in this document: who manages it "
        "and whether it rotates is unknown"
    )
    refs = ctx.doc.resolution(res, *_KEY).unresolved if res.config else []
    if refs:
        reason += f" (set from {', '.join(refs)}, which the plan does not resolve)"
    ctx.gap("encryption", reason)
    return {
        "enabled": True,
        "key_id": key,
        "key_manager": None,
        "rotation": None,
        "multi_region": None,
    }


def _kms_key(ctx: Context, key: str, match: Resource | None = None) -> dict[str, Any] | None:
    keys = ctx.doc.of_type("aws_kms_key", "aws_kms_replica_key")
    if match is None:
        match = next((k for k in keys if key in (k.arn, k.values.get("key_id"))), None)
    if match is None:
        return None
    record: dict[str, Any] = {
        "enabled": True,
        "key_id": match.arn or key or None,
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
    elif res.get(*_TRANSIT, "client_broker") is UNKNOWN:
        ctx.partial(
            "network",
            f"{ctx.unresolved(res, *_TRANSIT, 'client_broker')}: whether clients may connect "
            "in plaintext is unknown",
        )
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
        if len(found) > 1:
            ctx.gap(
                "broker_config",
                f"configuration_info of {res.address} refers to "
                f"{', '.join(c.address for c in found)}: which one it uses cannot be told",
            )
            return
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
