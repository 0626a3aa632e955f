"""Audit in a Terraform plan: broker log retention (CloudWatch log group, S3 lifecycle) and the
CloudTrail trail covering the region (its own or a multi-region trail)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .msk import Cluster
from .plan import Context, Resource, block, blocks, integer, strings


def broker_logs(ctx: Context, cluster: Cluster) -> None:
    audit = ctx.snapshot.get("audit")
    if audit is None:
        return
    for entry in audit["broker_logs"]:
        target = entry.get("target")
        if not entry["enabled"] or not target:
            continue
        if entry["destination"] == "cloudwatch":
            _log_group(ctx, cluster.resource, entry, target)
        elif entry["destination"] == "s3":
            bucket, _, prefix = str(target).removeprefix("s3://").partition("/")
            found = expiration_days(ctx, "audit", bucket, prefix)
            if found is not False:
                entry["retention_days"] = found
        # Firehose: retention is the delivery destination's business; recorded as null.


def _log_group(ctx: Context, cluster: Resource, entry: dict[str, Any], name: str) -> None:
    groups = [g for g in ctx.local("aws_cloudwatch_log_group") if g.values.get("name") == name]
    groups = groups or [
        g
        for g in ctx.doc.referenced(
            cluster, "logging_info", 0, "broker_logs", 0, "cloudwatch_logs", 0, "log_group"
        )
        if g.type == "aws_cloudwatch_log_group"
    ]
    if not groups:
        ctx.gap("audit", f"log group {name} is not in this plan: its retention is unknown")
        return
    raw = ctx.value(groups[0], "audit", "retention_in_days")
    retention = integer(raw)
    if raw is not None and (retention is None or retention < 0):
        ctx.gap("audit", f"{groups[0].address}: retention_in_days {raw!r} is not a number of days")
        return
    # 0 or unset: the log group never expires its events
    entry["retention_days"] = retention or None


def _buckets(ctx: Context, name: str) -> list[Resource]:
    return [b for b in ctx.doc.of_type("aws_s3_bucket") if b.values.get("bucket") == name]


def expiration_days(ctx: Context, area: str, bucket: str, prefix: str = "") -> int | bool | None:
    """The shortest expiry (days) of enabled lifecycle rules covering `prefix`; None when objects
    never expire; False (and a gap) when the bucket is not in the plan."""
    configs = [
        c
        for c in ctx.doc.of_type("aws_s3_bucket_lifecycle_configuration")
        if c.values.get("bucket") == bucket
    ]
    buckets = _buckets(ctx, bucket)
    if not configs and not buckets:
        ctx.gap(area, f"bucket {bucket} is not in this plan: its lifecycle is unknown")
        return False
    days: list[int] = []
    for config in configs:
        for rule in blocks(ctx.value(config, area, "rule")):
            days += _rule_days(rule, prefix, "status", "expiration", "filter")
    for found in buckets:  # the AWS provider's older inline lifecycle_rule blocks
        for rule in blocks(ctx.value(found, area, "lifecycle_rule")):
            days += _rule_days(rule, prefix, "enabled", "expiration", None)
    return min(days) if days else None


def _rule_days(
    rule: Mapping[str, Any],
    prefix: str,
    status_key: str,
    expiration_key: str,
    filter_key: str | None,
) -> list[int]:
    if rule.get(status_key) not in ("Enabled", True):
        return []
    days = integer(block(rule.get(expiration_key)).get("days"))
    if days is None or days <= 0:
        return []
    rule_prefix = rule.get("prefix") or ""
    if filter_key:
        scope = block(rule.get(filter_key))
        rule_prefix = scope.get("prefix") or block(scope.get("and")).get("prefix") or rule_prefix
    return [days] if prefix.startswith(str(rule_prefix)) else []


def trail(ctx: Context) -> None:
    """The best trail covering this region, as the AWS exporter picks it."""
    audit = ctx.snapshot.get("audit")
    if audit is None:
        return
    candidates = []
    for found in ctx.doc.of_type("aws_cloudtrail"):
        multi = bool(ctx.value(found, "audit", "is_multi_region_trail"))
        if not multi and not ctx.here(found):
            continue
        logging = found.get("enable_logging")
        candidates.append(
            {
                "name": str(found.values.get("name") or found.address),
                "logging": (logging is None or bool(logging)) and _management_events(found),
                "multi_region": multi,
                "log_file_validation": bool(
                    ctx.value(found, "audit", "enable_log_file_validation")
                ),
                "kms_key_id": kms
                if isinstance(kms := found.values.get("kms_key_id"), str) and kms
                else None,
            }
        )
    if candidates:
        audit["trail"] = max(
            candidates,
            key=lambda t: (t["logging"], t["multi_region"], t["log_file_validation"], t["name"]),
        )


def _management_events(found: Resource) -> bool:
    """Whether the trail records management write events (the default without selectors)."""
    basic = blocks(found.values.get("event_selector"))
    advanced = blocks(found.values.get("advanced_event_selector"))
    if not basic and not advanced:
        return True
    for selector in basic:
        if (
            selector.get("include_management_events", True)
            and selector.get("read_write_type", "All") != "ReadOnly"
        ):
            return True
    for selector in advanced:
        fields = {
            f.get("field"): strings(f.get("equals")) for f in blocks(selector.get("field_selector"))
        }
        if "Management" in fields.get("eventCategory", []) and fields.get("readOnly") != ["true"]:
            return True
    return False
