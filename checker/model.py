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
VERDICT_LABELS: dict[str, str] = {"go": "GO", "no-go": "NO-GO", "indeterminate": "INDETERMINATE"}
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}


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
    fingerprint: str = ""  # stable across runs: sha256 of rule id, region, normalised resource
    waived: Mapping[str, str] | None = None  # owner, reason, ticket, expires of the waiver
    known: bool = False  # in the --baseline report: reported, never blocking

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
            fingerprint=str(raw.get("fingerprint") or ""),
            waived=raw.get("waived"),
            known=bool(raw.get("known", False)),
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
    plan_path: str | None = None
    waivers: WaiverUse | None = None  # set when a waiver file was applied
    baseline: BaselineUse | None = None  # set when --baseline was applied

    @property
    def exit_code(self) -> ExitCode:
        return worst_exit_code(d.exit_code for d in self.decisions)


@dataclass(frozen=True)
class Waiver:
    """An accepted risk: findings of `rule_id` on resources matching `resource` do not block."""

    rule_id: str
    resource: str  # fnmatch pattern over the finding's resource
    owner: str
    reason: str
    ticket: str
    expires: str  # ISO date; the waiver holds through that day (UTC)
    region: str | None = None  # primary | secondary | a region name
    phase: str | None = None
    index: int = 0  # position in the file (0-based)
    line: int | None = None  # 1-based line of the entry in the file, when known

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "resource": self.resource,
            "region": self.region,
            "phase": self.phase,
            "owner": self.owner,
            "reason": self.reason,
            "ticket": self.ticket,
            "expires": self.expires,
        }


@dataclass(frozen=True)
class WaiverUse:
    """How a waiver file was applied: which entries matched nothing, which expired."""

    file: str
    waivers: tuple[Waiver, ...]
    unused: tuple[Waiver, ...] = ()
    expired: tuple[Waiver, ...] = ()


@dataclass(frozen=True)
class BaselineUse:
    file: str
    fingerprints: frozenset[str]
    known: int = 0  # findings of this run found in the baseline


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
