"""The contracts between the stages: typed, immutable records.

Snapshot (per region) -> normalised form -> [Change] -> Decision (per phase).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Literal, TypeGuard, TypeVar, get_args

from .errors import EngineError
from .fingerprint import FindingKey, fingerprint

_T = TypeVar("_T", bound=str)

Phase = Literal["normal", "failover", "dr_operation", "failback", "cleanup"]
Severity = Literal["info", "low", "medium", "high", "critical"]
Verdict = Literal["go", "no-go", "indeterminate"]
ChangeKind = Literal["added", "removed", "changed"]  # added: only in secondary; removed: primary
ReadinessLevel = Literal["unwritten", "documented", "rehearsed", "operationalized"]

PHASES: tuple[Phase, ...] = get_args(Phase)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
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
    "topic_config",
    "cost",
    "evidence",
    "compatibility",
    "consumer_authority",
    "readiness",
    "schemas",
    "runtime",
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
    "schemas",
    "runtime",
)
READINESS_LEVELS: tuple[ReadinessLevel, ...] = get_args(ReadinessLevel)
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
VERDICT_LABELS: dict[str, str] = {"go": "GO", "no-go": "NO-GO", "indeterminate": "INDETERMINATE"}
SEVERITY_RANK: dict[str, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}
# The rule the policies raise for an expired waiver (policies/failback/exceptions).
EXPIRED_WAIVER_RULE = "WVR-001"


def is_phase(value: object) -> TypeGuard[Phase]:
    return value in PHASES


def is_severity(value: object) -> TypeGuard[Severity]:
    return value in SEVERITIES


def _member(value: object, allowed: tuple[_T, ...], what: str) -> _T:
    """A value of the engine's answer that must be one of `allowed`."""
    if value.__class__ is str and value in allowed:  # the engine's answers: one C-level scan
        return value
    for option in allowed:
        if value == option:
            return option
    raise EngineError(f"the policies answered {what} {value!r}, not one of {', '.join(allowed)}")


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
    sha256: str = ""  # of the file's bytes as read, when it came from a file
    # the columns schema validation read (`schemas.validated_columns`): array name (`acls`) ->
    # (the array read, property -> its values record by record); read-only, for normalisation
    # not to read the records again (500k ACL records: seven passes)
    columns: Mapping[str, tuple[Any, Mapping[str, Sequence[Any]]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def read_columns(self, name: str) -> Mapping[str, Sequence[Any]] | None:
        """The columns validation read of the document's array `name`, when that array is the
        one it read (a copy of the snapshot with another document has none)."""
        found = self.columns.get(name)
        if found is None or found[0] is not self.document.get(name):
            return None
        return found[1]


@dataclass(frozen=True)
class Change:
    """One difference between the normalised primary and secondary."""

    area: str
    key: str
    path: str
    kind: ChangeKind
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


# The fields of a finding the checker reads; a custom rule's other fields are kept as `extra`.
_FINDING_FIELDS = frozenset(
    {
        "rule_id",
        "area",
        "severity",
        "title",
        "resource",
        "message",
        "remediation",
        "blocking",
        "region",
        "family",
        "primary",
        "secondary",
        "fingerprint",
        "waived",
        "known",
        "waiver_index",
    }
)


@dataclass(frozen=True)
class Finding:
    """One finding of a rule, as the policies report it, with its fingerprint and waiver state."""

    rule_id: str
    area: str
    severity: Severity
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
    # The waiver file entry (0-based) this finding is about: the waiver that waived it, or
    # for WVR-001 the waiver that expired. Bookkeeping, never rendered.
    waiver_index: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # a custom rule's own fields

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Finding:
        """A finding of the engine's answer; the fingerprint is computed here, never read."""
        resource = str(raw.get("resource", ""))
        region = raw.get("region")
        index = raw.get("waiver_index")
        return cls(
            rule_id=str(raw["rule_id"]),
            area=str(raw["area"]),
            severity=_member(raw["severity"], SEVERITIES, "severity"),
            title=str(raw.get("title", "")),
            resource=resource,
            message=str(raw.get("message", "")),
            remediation=str(raw.get("remediation", "")),
            blocking=bool(raw.get("blocking", False)),
            region=region,
            family=raw.get("family"),
            primary=raw.get("primary"),
            secondary=raw.get("secondary"),
            fingerprint=fingerprint(
                str(raw["rule_id"]), None if region is None else str(region), resource
            ),
            waived=raw.get("waived"),
            known=raw.get("known") is True,
            waiver_index=index if isinstance(index, int) and not isinstance(index, bool) else None,
            extra={k: v for k, v in raw.items() if k not in _FINDING_FIELDS},
        )

    def as_dict(self) -> dict[str, Any]:
        """The finding as the JSON report shows it (without the waiver bookkeeping)."""
        return {
            **self.extra,
            "rule_id": self.rule_id,
            "area": self.area,
            "severity": self.severity,
            "title": self.title,
            "resource": self.resource,
            "message": self.message,
            "remediation": self.remediation,
            "blocking": self.blocking,
            "region": self.region,
            "family": self.family,
            "primary": self.primary,
            "secondary": self.secondary,
            "fingerprint": self.fingerprint,
            "waived": None if self.waived is None else dict(self.waived),
            "known": self.known,
        }


@dataclass(frozen=True)
class ScoreCell:
    """One cell of the readiness scorecard: a family in a phase, its level and why."""

    family: str
    phase: Phase
    level: ReadinessLevel
    evidence_level: ReadinessLevel
    reasons: tuple[str, ...]
    next_step: str

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ScoreCell:
        return cls(
            family=str(raw["family"]),
            phase=_member(raw["phase"], PHASES, "scorecard phase"),
            level=_member(raw["level"], READINESS_LEVELS, "level"),
            evidence_level=_member(
                raw.get("evidence_level", raw["level"]), READINESS_LEVELS, "evidence level"
            ),
            reasons=tuple(map(str, raw.get("reasons", ()))),
            next_step=str(raw.get("next_step", "")),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "phase": self.phase,
            "level": self.level,
            "evidence_level": self.evidence_level,
            "reasons": list(self.reasons),
            "next_step": self.next_step,
        }


@dataclass(frozen=True)
class StepVerdict:
    """Whether one failback step may start now, as the policies judged it (failback.steps)."""

    name: str
    order: int
    description: str
    verdict: Verdict
    gates: Mapping[str, Any]
    held_by: tuple[Mapping[str, Any], ...]
    # why its runtime gates cannot be judged yet (no, stale or unmeasurable runtime evidence)
    awaiting: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> StepVerdict:
        return cls(
            name=str(raw["name"]),
            order=int(raw["order"]),
            description=str(raw.get("description", "")),
            verdict=_member(raw["verdict"], VERDICTS, "step verdict"),
            gates=dict(raw.get("gates", {})),
            held_by=tuple(dict(h) for h in raw.get("held_by", [])),
            awaiting=tuple(str(a) for a in raw.get("awaiting", [])),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "order": self.order,
            "description": self.description,
            "verdict": self.verdict,
            "gates": dict(self.gates),
            "held_by": [dict(h) for h in self.held_by],
            "awaiting": list(self.awaiting),
        }


@dataclass(frozen=True)
class Decision:
    """The verdict for one phase, as the aggregate policy returned it."""

    phase: Phase
    verdict: Verdict
    findings: tuple[Finding, ...]
    gaps: tuple[Mapping[str, Any], ...]
    scorecard: tuple[ScoreCell, ...]
    fail_on: Severity = "high"
    summary: Mapping[Severity, int] = field(default_factory=dict)
    # Indices (in the waiver file) of the waivers that had expired; set when the checker
    # passed waivers or a baseline to the policies. Bookkeeping, never rendered.
    waivers_expired: tuple[int, ...] = ()
    # the failback steps (failback phase only) and the one --step asked about
    steps: tuple[StepVerdict, ...] = ()
    step: StepVerdict | None = None
    # the declared outage, and what it left unjudged (whole rules, findings about the
    # impaired region)
    outage: Mapping[str, Any] | None = None
    not_judgeable: tuple[Mapping[str, Any], ...] = ()

    @property
    def judged_verdict(self) -> Verdict:
        """The verdict the exit code follows: the asked step's, else the phase's."""
        return self.step.verdict if self.step is not None else self.verdict

    @property
    def exit_code(self) -> ExitCode:
        if self.judged_verdict == "no-go":
            return ExitCode.NOT_READY
        if self.judged_verdict == "indeterminate":
            return ExitCode.INDETERMINATE
        return ExitCode.READY

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.blocking)

    def as_dict(self) -> dict[str, Any]:
        """The decision as the JSON report shows it: the policies' answer, fingerprints added."""
        return {
            "phase": self.phase,
            "verdict": self.verdict,
            "fail_on": self.fail_on,
            "findings": [f.as_dict() for f in self.findings],
            "gaps": [dict(g) for g in self.gaps],
            "summary": dict(self.summary),
            "scorecard": [c.as_dict() for c in self.scorecard],
            "steps": [s.as_dict() for s in self.steps],
            "step": None if self.step is None else self.step.name,
            "outage": None if self.outage is None else dict(self.outage),
            "not_judgeable": [dict(n) for n in self.not_judgeable],
        }


@dataclass(frozen=True)
class EvidenceFile:
    """One file a report rests on (plan, snapshot, source, waivers, baseline) and its sha256."""

    role: str  # e.g. "plan", "primary snapshot", "secondary source", "waivers", "baseline"
    path: str  # as the checker was given it; reports show it relative
    sha256: str | None  # None when the file could not be read to hash it (`problem` says why)
    problem: str = ""
    note: str = ""  # how a directory's digest was made


@dataclass(frozen=True)
class Report:
    """Everything one `failback check` produced: a decision per judged phase."""

    decisions: tuple[Decision, ...]
    changes: tuple[Change, ...]
    primary: Snapshot
    secondary: Snapshot
    plan_name: str
    fail_on: Severity
    plan_path: str | None = None
    waivers: WaiverUse | None = None  # set when a waiver file was applied
    baseline: BaselineUse | None = None  # set when --baseline was applied
    # The rule catalog of the engine that judged: id -> area, severity, title, description,
    # remediation, phases, inputs.
    catalog: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The runtime facts the policies judged (checker/runtime.py; empty without runtime evidence):
    # `failback watch` shows and records their lag.
    runtime: Mapping[str, Any] = field(default_factory=dict)
    # The time the evidence was judged as of (the evaluation's `now`), RFC 3339 in UTC.
    judged_at: str | None = None
    # The files the report rests on, each with its sha256 (set by the CLI for the HTML report).
    evidence: tuple[EvidenceFile, ...] = ()

    @property
    def exit_code(self) -> ExitCode:
        return worst_exit_code(d.exit_code for d in self.decisions)

    @property
    def judged_rules(self) -> dict[str, Mapping[str, Any]]:
        """The catalog's rules judged on the regions: all but WVR-001, which only an expired
        waiver raises (reports list it only then, like a custom rule)."""
        return {k: v for k, v in self.catalog.items() if k != EXPIRED_WAIVER_RULE}


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
    phase: Phase | None = None
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
    """The baseline report of a run and how many of the run's findings it already held."""

    file: str
    keys: frozenset[FindingKey]  # the baseline report's findings
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
    """The engine's answer for one phase (data.failback.main.decision) as a Decision."""
    findings: Sequence[Mapping[str, Any]] = raw.get("findings", [])
    cells: Sequence[Mapping[str, Any]] = raw.get("scorecard", [])
    summary: Mapping[str, int] = raw.get("summary", {})
    expired: Sequence[int] = raw.get("exceptions", {}).get("waivers_expired", [])
    step = raw.get("step")
    return Decision(
        phase=_member(raw["phase"], PHASES, "phase"),
        verdict=_member(raw["verdict"], VERDICTS, "verdict"),
        findings=tuple(Finding.from_dict(f) for f in findings),
        gaps=tuple(raw.get("gaps", [])),
        scorecard=tuple(ScoreCell.from_dict(c) for c in cells),
        fail_on=_member(raw.get("fail_on"), SEVERITIES, "fail_on"),
        summary={_member(k, SEVERITIES, "severity"): int(v) for k, v in summary.items()},
        waivers_expired=tuple(int(i) for i in expired),
        steps=tuple(StepVerdict.from_dict(s) for s in raw.get("steps", [])),
        step=None if step is None else StepVerdict.from_dict(step),
        outage=raw.get("outage"),
        not_judgeable=tuple(dict(n) for n in raw.get("not_judgeable", [])),
    )
