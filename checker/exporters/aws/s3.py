"""S3 collector: tiered / shared-storage buckets (encryption, versioning, replication, lifecycle,
public access block), and lifecycle expiry for broker logs delivered to S3."""

from __future__ import annotations

from typing import Any

from .client import ABSENT, Absent, Reader

NO_LIFECYCLE = {"NoSuchLifecycleConfiguration"}


SSE_ALGORITHMS = frozenset({"aws:kms", "aws:kms:dsse", "AES256"})


def expiration_days(
    reader: Reader, area: str, bucket: str, prefix: str = ""
) -> int | Absent | None:
    """The shortest expiry of enabled lifecycle rules covering `prefix`: ABSENT when objects
    never expire, None when the lifecycle could not be read (a gap)."""
    answer = reader.lookup(
        area,
        "s3:GetLifecycleConfiguration",
        reader.s3().get_bucket_lifecycle_configuration,
        absent=NO_LIFECYCLE,
        Bucket=bucket,
    )
    if answer is None or isinstance(answer, Absent):
        return answer
    days = []
    for rule in answer.get("Rules", []):
        if rule.get("Status") != "Enabled" or "Days" not in rule.get("Expiration", {}):
            continue
        scope = rule.get("Filter", {})
        rule_prefix = (
            scope.get("Prefix") or scope.get("And", {}).get("Prefix") or rule.get("Prefix") or ""
        )
        if prefix.startswith(rule_prefix):
            days.append(int(rule["Expiration"]["Days"]))
    return min(days) if days else ABSENT


def bucket(reader: Reader, name: str) -> dict[str, Any]:
    s3 = reader.s3()
    record: dict[str, Any] = {"name": name, "purpose": "storage"}
    encryption = reader.lookup(
        "storage",
        "s3:GetEncryptionConfiguration",
        s3.get_bucket_encryption,
        absent={"ServerSideEncryptionConfigurationNotFoundError"},
        Bucket=name,
    )
    if isinstance(encryption, Absent):
        record["encryption"] = "none"
    elif encryption is not None:
        rules = encryption.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        algorithms = [
            r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules
        ]
        algorithm = next((a for a in algorithms if a), "none")
        if algorithm in SSE_ALGORITHMS or algorithm == "none":
            record["encryption"] = algorithm
        else:
            reader.gap(
                "storage",
                f"bucket {name}: unknown default encryption {algorithm}",
                "s3:GetEncryptionConfiguration",
            )
    versioning = reader.call(
        "storage", "s3:GetBucketVersioning", s3.get_bucket_versioning, Bucket=name
    )
    if versioning is not None:
        record["versioning"] = versioning.get("Status") == "Enabled"
    replication = reader.lookup(
        "storage",
        "s3:GetReplicationConfiguration",
        s3.get_bucket_replication,
        absent={"ReplicationConfigurationNotFoundError"},
        Bucket=name,
    )
    if isinstance(replication, Absent):
        record["replication"] = False  # raised when there is none: a fact, not a gap
    elif replication is not None:
        record["replication"] = any(
            r.get("Status") == "Enabled"
            for r in replication.get("ReplicationConfiguration", {}).get("Rules", [])
        )
    days = expiration_days(reader, "storage", name)
    if days is not None:
        record["lifecycle_expiration_days"] = None if isinstance(days, Absent) else days
    block = reader.lookup(
        "storage",
        "s3:GetBucketPublicAccessBlock",
        s3.get_public_access_block,
        absent={"NoSuchPublicAccessBlockConfiguration"},
        Bucket=name,
    )
    if isinstance(block, Absent):
        record["public_access_blocked"] = False
    elif block is not None:
        config = block.get("PublicAccessBlockConfiguration", {})
        record["public_access_blocked"] = all(
            bool(config.get(k))
            for k in (
                "BlockPublicAcls",
                "IgnorePublicAcls",
                "BlockPublicPolicy",
                "RestrictPublicBuckets",
            )
        )
    return record


def collect(reader: Reader, buckets: tuple[str, ...]) -> None:
    reader.snapshot["storage"] = [bucket(reader, name) for name in sorted(set(buckets))]
