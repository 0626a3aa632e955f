"""Human-readable report for terminals and logs."""

from __future__ import annotations

from ..model import Decision, Report

_MARK = {"go": "GO", "no-go": "NO-GO", "indeterminate": "INDETERMINATE"}


def _decision(decision: Decision, lines: list[str]) -> None:
    lines.append(f"phase {decision.phase}: {_MARK.get(decision.verdict, decision.verdict)} "
                 f"({len(decision.blocking)} blocking, {len(decision.findings)} findings, "
                 f"{len(decision.gaps)} gaps)")
    for finding in decision.findings:
        flag = "x" if finding.blocking else "-"
        where = "/".join(p for p in (finding.region, finding.family) if p)
        where = f" [{where}]" if where else ""
        lines.append(f"  {flag} {finding.rule_id:<8} {finding.severity:<8} "
                     f"{finding.message}{where}")
    for gap in decision.gaps:
        scope = "" if gap.get("in_scope", True) else " (out of scope)"
        lines.append(f"  ? gap      {gap['region']}/{gap['area']}: {gap['reason']}{scope}")


def render(report: Report) -> str:
    lines = [f"failback-checker: plan {report.plan_name}, "
             f"{report.primary.region} (primary) vs {report.secondary.region} (secondary), "
             f"fail-on {report.fail_on}"]
    for decision in report.decisions:
        _decision(decision, lines)
    return "\n".join(lines) + "\n"
