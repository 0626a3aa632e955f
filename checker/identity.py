"""Region-free identifiers: strip region, account and cluster UUID from ARNs; apply equivalences."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# IAM allows `*` and `?` in every ARN segment but the service (region and account included):
# `arn:aws:kafka:*:111122223333:topic/...` is one ARN, not "not an ARN".
_ARN = re.compile(
    r"^arn:(?P<partition>aws[\w*?-]*|[*?]+):(?P<service>[\w-]+):(?P<region>[\w*?-]*):"
    r"(?P<account>[\d*?]{1,12}|aws)?:(?P<resource>.+)$"
)
_KAFKA_UUID = re.compile(r"^[0-9a-fA-F-]{8,}(-\d+)?$|^\*$")


@dataclass(frozen=True)
class Arn:
    """The parts of an AWS ARN the checker compares."""

    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: str) -> Arn | None:
    match = _ARN.match(value)
    if not match:
        return None
    return Arn(
        service=match["service"],
        region=match["region"],
        account=match["account"] or "",
        resource=match["resource"],
    )


class Canon:
    """Maps region-specific identifiers onto one region-free spelling.

    Declared equivalences win; otherwise ARNs lose partition, region and account, and MSK
    cluster ARNs lose the cluster UUID
    (`arn:aws:kafka:R:A:cluster/NAME/UUID` -> `kafka:cluster/NAME`).
    """

    def __init__(self, equivalences: Mapping[str, str]) -> None:
        self._eq = dict(equivalences)
        self._cache: dict[str, str] = {}

    def __call__(self, value: str | None) -> str | None:
        if value is None:
            return None
        cached = self._cache.get(value)
        if cached is not None:
            return cached
        result = self._canon(value)
        self._cache[value] = result
        return result

    def text(self, value: str) -> str:
        result = self(value)
        assert result is not None
        return result

    def _canon(self, value: str) -> str:
        if value in self._eq:
            return self._eq[value]
        arn = parse_arn(value)
        if arn is None:
            return value
        resource = arn.resource
        if arn.service == "kafka":
            parts = resource.split("/")
            # cluster/NAME/UUID, topic/NAME/UUID/TOPIC, group/..., transactional-id/...
            if len(parts) >= 3 and _KAFKA_UUID.match(parts[2]):
                name = self._eq.get(parts[1], parts[1])
                parts = [parts[0], name, *parts[3:]]
            resource = "/".join(parts)
        stripped = f"{arn.service}:{resource}"
        return self._eq.get(stripped, stripped)

    def cluster_name(self, value: str) -> str:
        """The canonical cluster name for a cluster name or cluster ARN."""
        arn = parse_arn(value)
        if arn is not None and arn.service == "kafka":
            parts = arn.resource.split("/")
            if len(parts) >= 2:
                return self._eq.get(parts[1], parts[1])
        return self._eq.get(value, value)
