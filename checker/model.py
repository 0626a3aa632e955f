"""The contracts between the stages: typed, immutable records.

Snapshot (per region) -> normalised form -> [Change] -> Decision (per phase).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

PHASES: tuple[str, ...] = ("normal", "failover", "dr_operation", "failback", "cleanup")
SEVERITIES: tuple[str, ...] = ("info", "low", "medium", "high", "critical")
AREAS: tuple[str, ...] = (
    "write_authority",
    "replication",
    "offsets",
    "rollback",
    "acl",
    "encryption",
    "network",
    "audit",
    "retention",
    "cost",
    "evidence",
    "compatibility",
    "readiness",
)
SNAPSHOT_AREAS: tuple[str, ...] = (
    "cluster",
    "topics",
    "acls",
    "quotas",
    "iam_grants",
    "authentication",
    "encryption",
    "network",
    "audit",
    "broker_config",
    "replication",
    "consumer_groups",
    "storage",
)
READINESS_LEVELS: tuple[str, ...] = ("unwritten", "documented", "rehearsed", "operationalized")
VERDICTS: tuple[str, ...] = ("go", "no-go", "indeterminate")


class ExitCode(IntEnum):
    """The exit codes of every command (documented in the README and --help)."""

    READY = 0
    NOT_READY = 1
    INPUT_ERROR = 2
    INTERNAL_ERROR = 3
    INDETERMINATE = 4


@dataclass(frozen=True)
class Snapshot:
    """One region's governance surface, as read from a v1 snapshot document."""

    region: str
    captured_at: str
    schema_version: str
    document: Mapping[str, Any]
    origin: str = ""


@dataclass(frozen=True)
class Change:
    """One difference between the normalised primary and secondary."""

    area: str
    key: str
    path: str
    kind: str  # added (only in secondary) | removed (only in primary) | changed
    primary: Any = None
    secondary: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "key": self.key,
            "path": self.path,
            "kind": self.kind,
            "primary": self.primary,
            "secondary": self.secondary,
        }


@dataclass(frozen=True)
class Finding:
    rule_id: str
    area: str
    severity: str
    title: str
    resource: str
    message: str
    remediation: str
    blocking: bool
    region: str | None = None
    family: str | None = None
    primary: Any = None
    secondary: Any = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Finding:
        return cls(
            rule_id=str(raw["rule_id"]),
            area=str(raw["area"]),
            severity=str(raw["severity"]),
            title=str(raw.get("title", "")),
            resource=str(raw.get("resource", "")),
            message=str(raw.get("message", "")),
            remediation=str(raw.get("remediation", "")),
            blocking=bool(raw.get("blocking", False)),
            region=raw.get("region"),
            family=raw.get("family"),
            primary=raw.get("primary"),
            secondary=raw.get("secondary"),
        )


@dataclass(frozen=True)
class ScoreCell:
    family: str
    phase: str
    level: str
    evidence_level: str
    reasons: tuple[str, ...]
    next_step: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ScoreCell:
        return cls(
            family=str(raw["family"]),
            phase=str(raw["phase"]),
            level=str(raw["level"]),
            evidence_level=str(raw.get("evidence_level", raw["level"])),
            reasons=tuple(str(r) for r in raw.get("reasons", [])),
            next_step=str(raw.get("next_step", "")),
        )


@dataclass(frozen=True)
class Decision:
    """The verdict for one phase, as the aggregate policy returned it."""

    phase: str
    verdict: str
    findings: tuple[Finding, ...]
    gaps: tuple[Mapping[str, Any], ...]
    scorecard: tuple[ScoreCell, ...]
    raw: Mapping[str, Any] = field(repr=False, default_factory=dict)

    @property
    def exit_code(self) -> ExitCode:
        if self.verdict == "no-go":
            return ExitCode.NOT_READY
        if self.verdict == "indeterminate":
            return ExitCode.INDETERMINATE
        return ExitCode.READY

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)


@dataclass(frozen=True)
class Report:
    """Everything one `failback check` produced: a decision per judged phase."""

    decisions: tuple[Decision, ...]
    changes: tuple[Change, ...]
    primary: Snapshot
    secondary: Snapshot
    plan_name: str
    fail_on: str

    @property
    def exit_code(self) -> ExitCode:
        return worst_exit_code(d.exit_code for d in self.decisions)


_EXIT_ORDER = (ExitCode.READY, ExitCode.INDETERMINATE, ExitCode.NOT_READY)


def worst_exit_code(codes: Iterable[ExitCode]) -> ExitCode:
    """Not ready beats indeterminate beats ready."""
    worst = ExitCode.READY
    for code in codes:
        if _EXIT_ORDER.index(code) > _EXIT_ORDER.index(worst):
            worst = code
    return worst


def decision_from_dict(raw: Mapping[str, Any]) -> Decision:
    findings: Sequence[Mapping[str, Any]] = raw.get("findings", [])
    cells: Sequence[Mapping[str, Any]] = raw.get("scorecard", [])
    return Decision(
        phase=str(raw["phase"]),
        verdict=str(raw["verdict"]),
        findings=tuple(Finding.from_dict(f) for f in findings),
        gaps=tuple(raw.get("gaps", [])),
        scorecard=tuple(ScoreCell.from_dict(c) for c in cells),
        raw=raw,
    )
