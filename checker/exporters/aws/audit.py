"""Audit collector: broker log retention (CloudWatch Logs, S3 lifecycle) and the API trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .client import Absent, Reader
from .s3 import expiration_days

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail.type_defs import GetEventSelectorsResponseTypeDef, TrailTypeDef


def broker_logs(reader: Reader) -> None:
    """retention_days of each broker log destination (null: never expires)."""
    audit = reader.snapshot.get("audit")
    if audit is None:
        return
    for entry in audit["broker_logs"]:
        target = entry.get("target")
        if not entry["enabled"] or not target:
            continue
        if entry["destination"] == "cloudwatch":
            _log_group(reader, entry, target)
        elif entry["destination"] == "s3":
            bucket, _, prefix = target.removeprefix("s3://").partition("/")
            days = expiration_days(reader, "audit", bucket, prefix)
            if days is not None:
                entry["retention_days"] = None if isinstance(days, Absent) else days
        # Firehose: retention is the delivery destination's business; recorded as null.


def _log_group(reader: Reader, entry: dict[str, Any], name: str) -> None:
    paginator = reader.logs().get_paginator("describe_log_groups")
    pages = reader.call(
        "audit", "logs:DescribeLogGroups", lambda: list(paginator.paginate(logGroupNamePrefix=name))
    )
    if pages is None:
        return
    group = next(
        (g for page in pages for g in page.get("logGroups", []) if g.get("logGroupName") == name),
        None,
    )
    if group is None:
        entry["enabled"] = False  # MSK cannot deliver into a log group that does not exist
        return
    retention = group.get("retentionInDays")
    entry["retention_days"] = None if retention is None else int(retention)


def _records_management_events(selectors: GetEventSelectorsResponseTypeDef) -> bool:
    basic = selectors.get("EventSelectors", [])
    advanced = selectors.get("AdvancedEventSelectors", [])
    if not basic and not advanced:
        return False
    if any(
        s.get("IncludeManagementEvents", True) and s.get("ReadWriteType", "All") != "ReadOnly"
        for s in basic
    ):
        return True
    for selector in advanced:
        fields = {f["Field"]: list(f.get("Equals", [])) for f in selector.get("FieldSelectors", [])}
        category = fields.get("eventCategory", [])
        read_only = fields.get("readOnly", [])
        if "Management" in category and read_only != ["true"]:
            return True
    return False


def trail(reader: Reader) -> None:
    """The best trail covering this region: logging management writes, multi-region, validated."""
    audit = reader.snapshot.get("audit")
    if audit is None:
        return  # the cluster could not be described: audit is already a gap
    region = reader.config.region
    described = reader.shared(
        (region,),
        "audit",
        "cloudtrail:DescribeTrails",
        reader.cloudtrail().describe_trails,
        includeShadowTrails=True,
    )
    if described is None:
        return
    candidates: list[dict[str, Any]] = []
    unread = False
    for item in described.get("trailList", []):
        home = item.get("HomeRegion", region)
        if home != region and not item.get("IsMultiRegionTrail"):
            continue
        found = _trail(reader, item, home)
        unread = unread or found is None
        if found is not None:
            candidates.append(found)
    if unread and not candidates:
        return  # the gap says why; no trail is not a fact we know
    audit["trail"] = max(
        candidates,
        key=lambda t: (t["logging"], t["multi_region"], t["log_file_validation"], t["name"]),
        default=None,
    )


def _trail(reader: Reader, item: TrailTypeDef, home: str) -> dict[str, Any] | None:
    arn = item.get("TrailARN") or item.get("Name", "")
    client = reader.cloudtrail(home)  # status and selectors are read in the trail's home region
    status = reader.shared(
        (home,), "audit", "cloudtrail:GetTrailStatus", client.get_trail_status, Name=arn
    )
    selectors = reader.shared(
        (home,), "audit", "cloudtrail:GetEventSelectors", client.get_event_selectors, TrailName=arn
    )
    if status is None or selectors is None:
        return None
    return {
        "name": item.get("Name", arn),
        "logging": bool(status.get("IsLogging")) and _records_management_events(selectors),
        "multi_region": bool(item.get("IsMultiRegionTrail")),
        "log_file_validation": bool(item.get("LogFileValidationEnabled")),
        "kms_key_id": item.get("KmsKeyId"),
    }
