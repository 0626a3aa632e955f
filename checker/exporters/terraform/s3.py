"""Storage buckets in a Terraform plan (tiered or shared storage, selected by name or glob):
default encryption, versioning, replication, lifecycle expiry, public access block, from the
aws_s3_bucket_* resources (and the older inline arguments of aws_s3_bucket)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from typing import Any

from .audit import expiration_days
from .plan import Context, Resource, blocks

SSE_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse", "AES256"})
_BLOCK_FLAGS = (
    "block_public_acls",
    "ignore_public_acls",
    "block_public_policy",
    "restrict_public_buckets",
)


def _first(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return value if isinstance(value, Mapping) else {}


def collect(ctx: Context, patterns: Sequence[str]) -> None:
    if not patterns:
        ctx.snapshot["storage"] = []
        return
    names = {
        str(b.values.get("bucket"))
        for b in ctx.doc.of_type("aws_s3_bucket")
        if b.values.get("bucket")
    }
    chosen = sorted(
        n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns) and _in_region(ctx, n)
    )
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(n, pattern) for n in names):
            ctx.gap("storage", f"no aws_s3_bucket named {pattern} in this plan")
    ctx.snapshot["storage"] = [_bucket(ctx, name) for name in chosen]


def _in_region(ctx: Context, name: str) -> bool:
    return any(
        ctx.here(b) for b in ctx.doc.of_type("aws_s3_bucket") if b.values.get("bucket") == name
    )


def _of(ctx: Context, kind: str, name: str) -> list[Resource]:
    return [r for r in ctx.doc.of_type(kind) if r.values.get("bucket") == name]


def _bucket(ctx: Context, name: str) -> dict[str, Any]:
    bucket = _of(ctx, "aws_s3_bucket", name)[0]
    record: dict[str, Any] = {"name": name, "purpose": "storage"}
    sse = _of(ctx, "aws_s3_bucket_server_side_encryption_configuration", name)
    rules = (
        ctx.value(sse[0], "storage", "rule")
        if sse
        else _first(bucket.values.get("server_side_encryption_configuration")).get("rule")
    )
    default = _first(_first(rules).get("apply_server_side_encryption_by_default"))
    # Since January 2023 S3 encrypts every bucket with SSE-S3 unless told otherwise.
    algorithm = str(default.get("sse_algorithm") or "AES256")
    if algorithm in SSE_ALGORITHMS:
        record["encryption"] = algorithm
    else:
        ctx.gap("storage", f"bucket {name}: unknown default encryption {algorithm}")
    versioning = _of(ctx, "aws_s3_bucket_versioning", name)
    if versioning:
        status = _first(ctx.value(versioning[0], "storage", "versioning_configuration"))
        record["versioning"] = status.get("status") == "Enabled"
    else:
        record["versioning"] = bool(_first(bucket.values.get("versioning")).get("enabled"))
    replication = _of(ctx, "aws_s3_bucket_replication_configuration", name)
    rules_list = (
        ctx.value(replication[0], "storage", "rule")
        if replication
        else _first(bucket.values.get("replication_configuration")).get("rules")
    )
    record["replication"] = any(r.get("status") == "Enabled" for r in blocks(rules_list))
    days = expiration_days(ctx, "storage", name)
    if days is not False:
        record["lifecycle_expiration_days"] = days
    block = _of(ctx, "aws_s3_bucket_public_access_block", name)
    record["public_access_blocked"] = bool(block) and all(
        bool(ctx.value(block[0], "storage", flag)) for flag in _BLOCK_FLAGS
    )
    return record
