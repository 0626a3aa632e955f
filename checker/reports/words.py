"""Counted nouns and phase names as the human-readable reports write them."""

from __future__ import annotations

from collections.abc import Sequence

# how prose names a phase ("ready for failover and DR operation")
PHASE_NAMES = {
    "normal": "normal operation",
    "failover": "failover",
    "dr_operation": "DR operation",
    "failback": "failback",
    "cleanup": "cleanup",
}


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`1 finding`, `2 findings`, `0 gaps`."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def listed(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
