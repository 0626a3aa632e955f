"""`--shard K/N`: a deterministic subset of the fleet's pairs.

A pair belongs to shard 1 + (sha256(identity) mod N): it depends on the pair's own identity
only, so adding or removing pairs never moves the others between shards, and every machine
(a CI matrix job, a Kubernetes indexed job) computes the same split without talking to the
others.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..errors import InputError

_SHARD = re.compile(r"^(\d{1,6})/(\d{1,6})$")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    def holds(self, identity: str) -> bool:
        return shard_of(identity, self.count) == self.index


def shard_of(identity: str, count: int) -> int:
    """The 1-based shard of `count` that the pair `identity` belongs to."""
    digest = hashlib.sha256(identity.encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


def parse_shard(text: str) -> Shard:
    """K/N with 1 <= K <= N."""
    match = _SHARD.match(text.strip())
    if match is None:
        raise InputError(f"--shard {text!r} is not K/N", hint="e.g. --shard 2/8")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise InputError(f"--shard {text}: K must be between 1 and N (N >= 1)")
    return Shard(index, count)
