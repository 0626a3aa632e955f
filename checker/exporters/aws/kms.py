"""KMS collector: who manages the at-rest key, whether it rotates, whether it is multi-Region."""

from __future__ import annotations

from .client import Reader
from .msk import Cluster


def collect(reader: Reader, cluster: Cluster) -> None:
    at_rest = reader.snapshot.get("encryption", {}).get("at_rest")
    if at_rest is None or not cluster.kms_key:
        return
    kms = reader.kms()
    described = reader.call(
        "encryption", "kms:DescribeKey", kms.describe_key, KeyId=cluster.kms_key
    )
    if described is None:
        return
    meta = described["KeyMetadata"]
    at_rest["key_id"] = meta.get("Arn", cluster.kms_key)
    at_rest["key_manager"] = meta.get("KeyManager")
    at_rest["multi_region"] = bool(meta.get("MultiRegion", False))
    rotation = reader.call(
        "encryption",
        "kms:GetKeyRotationStatus",
        kms.get_key_rotation_status,
        KeyId=meta.get("Arn", cluster.kms_key),
    )
    if rotation is not None:
        at_rest["rotation"] = bool(rotation.get("KeyRotationEnabled"))
