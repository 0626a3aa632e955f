"""The fleet report: every pair's result, as data the fleet reporters render and shards merge.

It is plain JSON-ready data on purpose: a shard's `--format json` output is read back by
`failback fleet merge`, and the merged report renders (JSON, SARIF, Markdown, HTML) exactly as
the report of an unsharded run does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .. import __version__
from ..errors import InputError
from ..model import ExitCode, Finding, Report, worst_exit_code
from .shard import Shard

KIND = "failback-fleet-report"
REPORT_VERSION = "1.0"
PairStatus = Literal["judged", "failed", "interrupted"]
# The fields of a finding the fleet report keeps (not the regions' values, which can be large).
FINDING_FIELDS = (
    "rule_id",
    "area",
    "severity",
    "title",
    "resource",
    "message",
    "blocking",
    "region",
    "family",
    "fingerprint",
    "waived",
    "known",
)
RULE_FIELDS = ("area", "severity", "title", "description", "remediation", "phases")
_VERDICT_OF = {
    ExitCode.READY: "go",
    ExitCode.NOT_READY: "no-go",
    ExitCode.INDETERMINATE: "indeterminate",
}


@dataclass(frozen=True)
class PairResult:
    """One pair: its decisions per phase, or why it could not be judged."""

    identity: str
    status: PairStatus
    name: str | None = None  # the plan's name
    primary: str | None = None  # region names
    secondary: str | None = None
    reason: str | None = None  # why it failed or was not judged
    decisions: tuple[Mapping[str, Any], ...] = ()
    rules: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # rules with findings

    @property
    def exit_code(self) -> ExitCode:
        if self.status != "judged":
            return ExitCode.INDETERMINATE
        return worst_exit_code(_decision_exit(d) for d in self.decisions)

    @property
    def verdict(self) -> str:
        return _VERDICT_OF[self.exit_code]

    def findings(self) -> Iterable[tuple[str, Mapping[str, Any]]]:
        """(phase, finding) for every finding of every judged phase."""
        for decision in self.decisions:
            for finding in decision["findings"]:
                yield str(decision["phase"]), finding

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.identity,
            "name": self.name,
            "primary": self.primary,
            "secondary": self.secondary,
            "status": self.status,
            "reason": self.reason,
            "verdict": self.verdict,
            "exit_code": int(self.exit_code),
            "decisions": [dict(d) for d in self.decisions],
            "rules": {k: dict(v) for k, v in self.rules.items()},
        }

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> PairResult:
        status = raw["status"]
        if status not in ("judged", "failed", "interrupted"):
            raise ValueError(f"unknown pair status {status!r}")
        return cls(
            identity=str(raw["id"]),
            status=status,
            name=raw.get("name"),
            primary=raw.get("primary"),
            secondary=raw.get("secondary"),
            reason=raw.get("reason"),
            decisions=tuple(raw.get("decisions", [])),
            rules=dict(raw.get("rules", {})),
        )


def _decision_exit(decision: Mapping[str, Any]) -> ExitCode:
    verdict = decision["verdict"]
    if verdict == "no-go":
        return ExitCode.NOT_READY
    if verdict == "indeterminate":
        return ExitCode.INDETERMINATE
    return ExitCode.READY


def _finding(finding: Finding) -> dict[str, Any]:
    whole = finding.as_dict()
    return {key: whole[key] for key in FINDING_FIELDS}


def judged(identity: str, report: Report) -> PairResult:
    """A pair's result from its `failback check` Report."""
    decisions = tuple(
        {
            "phase": d.phase,
            "verdict": d.verdict,
            "summary": dict(d.summary),
            "blocking": len(d.blocking),
            "findings": [_finding(f) for f in d.findings],
            "gaps": [dict(g) for g in d.gaps],
        }
        for d in report.decisions
    )
    used = sorted({f.rule_id for d in report.decisions for f in d.findings})
    rules: dict[str, dict[str, Any]] = {}
    for rule_id in used:
        entry = report.catalog.get(rule_id)
        if entry is not None:
            rules[rule_id] = {k: entry[k] for k in RULE_FIELDS if k in entry}
    return PairResult(
        identity=identity,
        status="judged",
        name=report.plan_name,
        primary=report.primary.region,
        secondary=report.secondary.region,
        decisions=decisions,
        rules=rules,
    )


@dataclass(frozen=True)
class FleetReport:
    name: str
    generated_at: str  # the time judged at (--now), RFC 3339 UTC
    fail_on: str
    phase: str | None  # --phase, or None: each plan's current_phase
    pairs: tuple[PairResult, ...]  # sorted by identity
    fleet_pairs: int  # pairs in the whole fleet (all shards)
    shard: Shard | None = None
    partial: bool = False  # interrupted: some pairs were not judged

    @property
    def exit_code(self) -> ExitCode:
        return worst_exit_code(p.exit_code for p in self.pairs)

    def counts(self) -> dict[str, int]:
        codes = [p.exit_code for p in self.pairs]
        return {
            "pairs": len(codes),
            "ready": codes.count(ExitCode.READY),
            "not_ready": codes.count(ExitCode.NOT_READY),
            "indeterminate": codes.count(ExitCode.INDETERMINATE),
            "failed": sum(1 for p in self.pairs if p.status == "failed"),
            "interrupted": sum(1 for p in self.pairs if p.status == "interrupted"),
        }

    def summary_line(self) -> str:
        """ "41 pairs: 36 ready, 3 not ready, 2 indeterminate" (and what is partial)."""
        counts = self.counts()
        line = (
            f"{counts['pairs']} pairs: {counts['ready']} ready, {counts['not_ready']} not "
            f"ready, {counts['indeterminate']} indeterminate"
        )
        if self.shard is not None:
            line += f" (shard {self.shard} of a fleet of {self.fleet_pairs})"
        if self.partial:
            line += f"; partial: interrupted, {counts['interrupted']} not judged"
        return line

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "report_version": REPORT_VERSION,
            "tool": {"name": "failback-checker", "version": __version__},
            "fleet": self.name,
            "generated_at": self.generated_at,
            "fail_on": self.fail_on,
            "phase": self.phase,
            "partial": self.partial,
            "shard": None
            if self.shard is None
            else {"index": self.shard.index, "count": self.shard.count},
            "fleet_pairs": self.fleet_pairs,
            "exit_code": int(self.exit_code),
            "summary": {**self.counts(), "line": self.summary_line()},
            "pairs": [p.as_dict() for p in self.pairs],
        }


def from_document(document: Any, origin: str) -> FleetReport:
    """A fleet report read back from its JSON (a shard's part)."""
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise InputError(f"{origin} is not a failback fleet report (--format json)")
    if str(document.get("report_version", "")).split(".", 1)[0] != "1":
        raise InputError(f"{origin}: fleet report version {document.get('report_version')!r}")
    try:
        shard = document["shard"]
        return FleetReport(
            name=str(document["fleet"]),
            generated_at=str(document["generated_at"]),
            fail_on=str(document["fail_on"]),
            phase=document["phase"],
            pairs=tuple(PairResult.from_dict(p) for p in document["pairs"]),
            fleet_pairs=int(document["fleet_pairs"]),
            shard=None if shard is None else Shard(int(shard["index"]), int(shard["count"])),
            partial=bool(document["partial"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"{origin}: malformed fleet report ({type(exc).__name__}: {exc})"
        ) from None


def merge(parts: Sequence[tuple[str, FleetReport]]) -> FleetReport:
    """The shards' parts as one report: the report an unsharded run of the same fleet, at the
    same --now, gives. Every shard 1..N exactly once, of one fleet and one run's settings."""
    if not parts:
        raise InputError("fleet merge needs at least one part")
    first_origin, first = parts[0]
    if first.shard is None:
        raise InputError(f"{first_origin} is not a shard's part (run with --shard K/N)")
    count = first.shard.count
    seen: dict[int, str] = {}
    pairs: dict[str, PairResult] = {}
    for origin, part in parts:
        if part.shard is None or part.shard.count != count:
            raise InputError(
                f"{origin} is not a shard of {count} (it is {part.shard or 'unsharded'})"
            )
        for what in ("name", "generated_at", "fail_on", "phase", "fleet_pairs"):
            if getattr(part, what) != getattr(first, what):
                raise InputError(
                    f"{origin} and {first_origin} differ in {what}: not parts of one fleet run"
                )
        if part.shard.index in seen:
            raise InputError(f"{origin} and {seen[part.shard.index]} are both shard {part.shard}")
        seen[part.shard.index] = origin
        for pair in part.pairs:
            if pair.identity in pairs:
                raise InputError(f"pair {pair.identity} is in two parts")
            pairs[pair.identity] = pair
    missing = sorted(set(range(1, count + 1)) - set(seen))
    if missing:
        raise InputError(
            f"shards {', '.join(f'{k}/{count}' for k in missing)} are missing: a merge needs "
            f"every shard's part"
        )
    if len(pairs) != first.fleet_pairs:
        raise InputError(f"the parts hold {len(pairs)} pairs, the fleet has {first.fleet_pairs}")
    return replace(
        first,
        pairs=tuple(pairs[k] for k in sorted(pairs)),
        shard=None,
        partial=any(part.partial for _, part in parts),
    )


def worst_findings(
    report: FleetReport, limit: int
) -> list[tuple[PairResult, str, Mapping[str, Any]]]:
    """The fleet's worst findings: blocking first, then by severity, then pair, rule and
    resource (deterministic); one per (pair, rule, resource) across phases."""
    from ..model import SEVERITY_RANK

    found: dict[tuple[str, str, str], tuple[PairResult, str, Mapping[str, Any]]] = {}
    for pair in report.pairs:
        for phase, finding in pair.findings():
            key = (pair.identity, str(finding["rule_id"]), str(finding["resource"]))
            if key not in found or (finding["blocking"] and not found[key][2]["blocking"]):
                found[key] = (pair, phase, finding)
    ordered = sorted(
        found.items(),
        key=lambda item: (
            not item[1][2]["blocking"],
            -SEVERITY_RANK.get(str(item[1][2]["severity"]), 0),
            item[0],
        ),
    )
    return [entry for _, entry in ordered[:limit]]


def gaps_by_area(report: FleetReport) -> dict[str, list[str]]:
    """Snapshot area -> the pairs with an evidence gap there (sorted), areas sorted."""
    areas: dict[str, set[str]] = {}
    for pair in report.pairs:
        for decision in pair.decisions:
            for gap in decision["gaps"]:
                areas.setdefault(str(gap.get("area", "?")), set()).add(pair.identity)
    return {area: sorted(areas[area]) for area in sorted(areas)}
