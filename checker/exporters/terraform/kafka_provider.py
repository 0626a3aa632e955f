"""The Kafka provider's (Mongey/kafka) resources in a Terraform plan: kafka_topic, kafka_acl,
kafka_quota. Their region is the region of the provider's bootstrap servers (MSK hostnames, or
the MSK cluster the provider configuration refers to). Topics also come from the AWS provider's
aws_msk_topic resources of the cluster (by cluster_arn).

Without any of them for this region, topics (and, on a cluster whose clients use ACLs, acls)
are gaps: Terraform did not declare them, so they are unknown, not empty.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Mapping
from typing import Any

from .plan import Context, Resource, integer

RESOURCE_TYPES = {
    "topic": "TOPIC",
    "group": "GROUP",
    "cluster": "CLUSTER",
    "transactionalid": "TRANSACTIONAL_ID",
    "transactional_id": "TRANSACTIONAL_ID",
}
PATTERNS = {"literal": "LITERAL", "prefixed": "PREFIXED", "match": "MATCH"}
OPERATIONS = {
    op.replace("_", "").lower(): op
    for op in (
        "ALL",
        "READ",
        "WRITE",
        "CREATE",
        "DELETE",
        "ALTER",
        "DESCRIBE",
        "CLUSTER_ACTION",
        "DESCRIBE_CONFIGS",
        "ALTER_CONFIGS",
        "IDEMPOTENT_WRITE",
        "CREATE_TOKENS",
        "DESCRIBE_TOKENS",
    )
}
PERMISSIONS = {"allow": "ALLOW", "deny": "DENY"}
QUOTA_ENTITIES = {"user", "client-id", "ip"}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def collect(ctx: Context, cluster: Resource, uses_acls: bool) -> None:
    topics = ctx.local("kafka_topic")
    msk_topics = [t for t in ctx.local("aws_msk_topic") if ctx.points_at(t, "cluster_arn", cluster)]
    acls = ctx.local("kafka_acl")
    quotas = ctx.local("kafka_quota")
    managed = bool(topics or acls or quotas)
    if topics or msk_topics:
        _topics(ctx, topics)
        _msk_topics(ctx, msk_topics)
    else:
        ctx.gap(
            "topics",
            f"the plan declares no kafka_topic (Kafka provider) or aws_msk_topic of the cluster "
            f"in {ctx.region}: topics are unknown",
        )
    if acls:
        _acls(ctx, acls)
    elif uses_acls:
        ctx.gap(
            "acls",
            f"the plan declares no kafka_acl in {ctx.region}, and the cluster has "
            "SCRAM, mTLS or unauthenticated clients, which ACLs govern",
        )
    if quotas or managed:
        _quotas(ctx, quotas)
    else:
        ctx.gap(
            "quotas",
            f"the plan declares no Kafka provider resources in {ctx.region}: "
            "client quotas are unknown",
        )


def _topics(ctx: Context, resources: list[Resource]) -> None:
    out: dict[str, Any] = {}
    for res in resources:
        name = ctx.value(res, "topics", "name")
        partitions = ctx.value(res, "topics", "partitions")
        factor = ctx.value(res, "topics", "replication_factor")
        config = ctx.value(res, "topics", "config") or {}
        if not name:
            continue
        topic: dict[str, Any] = {
            "configs": {str(k): _text(v) for k, v in sorted(config.items())}
            if isinstance(config, Mapping)
            else {}
        }
        partitions, factor = integer(partitions), integer(factor)
        if partitions is not None and 0 < partitions <= 1_000_000:
            topic["partitions"] = partitions
        if factor is not None and 0 < factor <= 1000:
            topic["replication_factor"] = factor
        out[str(name)] = topic
    ctx.snapshot["topics"] = dict(sorted(out.items()))


def _msk_topics(ctx: Context, resources: list[Resource]) -> None:
    """aws_msk_topic (the AWS provider's topics, e.g. the terraform-aws-modules MSK module's
    `topics` input): name, partition_count, replication_factor and `configs`, a JSON object
    of topic settings (jsonencode), which AWS also accepts Base64-encoded."""
    out: dict[str, Any] = dict(ctx.snapshot.get("topics", {}))
    for res in resources:
        name = ctx.value(res, "topics", "name")
        partitions = integer(ctx.value(res, "topics", "partition_count"))
        factor = integer(ctx.value(res, "topics", "replication_factor"))
        raw = ctx.value(res, "topics", "configs")
        if not name:
            continue
        configs = _msk_configs(raw)
        if configs is None:
            ctx.gap("topics", f"{res.address}: configs is not a JSON object of topic settings")
            continue
        topic: dict[str, Any] = {"configs": dict(sorted(configs.items()))}
        if partitions is not None and 0 < partitions <= 1_000_000:
            topic["partitions"] = partitions
        if factor is not None and 0 < factor <= 1000:
            topic["replication_factor"] = factor
        if str(name) in out:
            ctx.gap("topics", f"{res.address}: topic {name} is declared twice for the cluster")
        out[str(name)] = topic
    ctx.snapshot["topics"] = dict(sorted(out.items()))


def _msk_configs(raw: Any) -> dict[str, str] | None:
    """`configs` of an aws_msk_topic: {} when unset, None when not readable."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, Mapping):
        return {str(k): _text(v) for k, v in raw.items()}
    if not isinstance(raw, str):
        return None
    for text in (raw, _base64(raw)):
        if text is None:
            continue
        try:
            value = json.loads(text)
        except ValueError:
            continue
        if isinstance(value, Mapping):
            return {str(k): _text(v) for k, v in value.items()}
    return None


def _base64(text: str) -> str | None:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def _acls(ctx: Context, resources: list[Resource]) -> None:
    out: list[dict[str, str]] = []
    for res in resources:
        fields = {
            attr: ctx.value(res, "acls", attr)
            for attr in (
                "acl_principal",
                "acl_host",
                "acl_operation",
                "acl_permission_type",
                "resource_name",
                "resource_type",
                "resource_pattern_type_filter",
            )
        }
        rtype = RESOURCE_TYPES.get(_text(fields["resource_type"]).lower())
        pattern = PATTERNS.get(_text(fields["resource_pattern_type_filter"] or "Literal").lower())
        operation = OPERATIONS.get(_text(fields["acl_operation"]).replace("_", "").lower())
        permission = PERMISSIONS.get(_text(fields["acl_permission_type"] or "Allow").lower())
        if "acls" in ctx.tainted:
            continue
        if None in (rtype, pattern, operation, permission) or not fields["acl_principal"]:
            ctx.gap(
                "acls",
                f"{res.address}: a binding this exporter cannot represent "
                f"({fields['resource_type']}/{fields['resource_pattern_type_filter']}/"
                f"{fields['acl_operation']}/{fields['acl_permission_type']})",
            )
            continue
        out.append(
            {
                "principal": _text(fields["acl_principal"]),
                "resource_type": str(rtype),
                "pattern_type": str(pattern),
                "resource_name": _text(fields["resource_name"]),
                "operation": str(operation),
                "permission": str(permission),
                "host": _text(fields["acl_host"] or "*"),
            }
        )
    unique = {tuple(sorted(a.items())): a for a in out}
    ctx.snapshot["acls"] = [unique[k] for k in sorted(unique)]


def _quotas(ctx: Context, resources: list[Resource]) -> None:
    out: list[dict[str, Any]] = []
    for res in resources:
        kind = _text(ctx.value(res, "quotas", "entity_type"))
        entity = _text(ctx.value(res, "quotas", "entity_name"))
        config = ctx.value(res, "quotas", "config") or {}
        if kind not in QUOTA_ENTITIES or not isinstance(config, Mapping):
            if "quotas" not in ctx.tainted:
                ctx.gap("quotas", f"{res.address}: unknown quota entity type {kind!r}")
            continue
        values: dict[str, float | int] = {}
        for key, raw in sorted(config.items()):
            try:
                number = float(str(raw))
            except ValueError:
                number = math.nan
            if not math.isfinite(number) or number < 0:
                ctx.gap("quotas", f"{res.address}: quota {key} = {raw!r} is not a number")
                continue
            values[str(key)] = int(number) if number.is_integer() else number
        if kind == "user" and not entity.startswith("User:"):
            entity = f"User:{entity}"
        out.append({"entity_type": kind, "entity": entity, "values": values})
    ctx.snapshot["quotas"] = sorted(out, key=lambda q: (q["entity_type"], q["entity"]))
