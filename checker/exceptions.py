"""Waivers and a baseline: what the policies receive of them, what the Report records.

The policies judge both (policies/failback/exceptions): which findings a waiver accepts,
which the baseline already holds, which waivers expired. Here they only become input data
(`input.exceptions`) and, after evaluation, the bookkeeping reports print, read from the
engine's answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from .fingerprint import FindingKey
from .globs import to_regex
from .model import BaselineUse, Decision, Waiver, WaiverUse


@dataclass(frozen=True)
class Exceptions:
    """What may stop findings from blocking: the waivers of a file and a baseline's keys."""

    waivers: tuple[Waiver, ...] = ()
    waiver_file: str | None = None
    baseline: frozenset[FindingKey] | None = None
    baseline_file: str | None = None

    @property
    def given(self) -> bool:
        return self.waiver_file is not None or self.baseline_file is not None


def _epoch(day: str) -> int:
    return int(datetime.combine(date.fromisoformat(day), time(0, 0), tzinfo=UTC).timestamp())


def waiver_input(waiver: Waiver) -> dict[str, Any]:
    """One waiver as the policies read it: its fields, its glob as an anchored regular
    expression (`pattern`) and the first second (UTC) of its last day (`expires_epoch`)."""
    return {
        **waiver.as_dict(),
        "pattern": to_regex(waiver.resource),
        "expires_epoch": _epoch(waiver.expires),
    }


def policy_input(exceptions: Exceptions) -> dict[str, Any]:
    """input.exceptions: the waivers in file order and the baseline keys (sorted)."""
    return {
        "waivers": [waiver_input(w) for w in exceptions.waivers],
        "baseline": [list(key) for key in sorted(exceptions.baseline or ())],
    }


def uses(
    exceptions: Exceptions, decisions: Sequence[Decision]
) -> tuple[WaiverUse | None, BaselineUse | None]:
    """What the reports say of the waiver file and the baseline, from the decisions."""
    waiver_use = None
    if exceptions.waiver_file is not None:
        expired = {i for d in decisions for i in d.waivers_expired}
        used = {
            f.waiver_index
            for d in decisions
            for f in d.findings
            if f.waived is not None and f.waiver_index is not None
        }
        listed = list(enumerate(exceptions.waivers))  # the policies index by position
        waiver_use = WaiverUse(
            file=exceptions.waiver_file,
            waivers=exceptions.waivers,
            unused=tuple(w for i, w in listed if i not in expired and i not in used),
            expired=tuple(w for i, w in listed if i in expired),
        )
    baseline_use = None
    if exceptions.baseline is not None and exceptions.baseline_file is not None:
        baseline_use = BaselineUse(
            file=exceptions.baseline_file,
            keys=exceptions.baseline,
            known=sum(1 for d in decisions for f in d.findings if f.known),
        )
    return waiver_use, baseline_use
