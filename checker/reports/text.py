"""Human-readable report for terminals and logs.

In a terminal (options.width set) the findings become a compact table cut to the terminal's
width, coloured unless NO_COLOR is set; in a log or a file the lines are plain and complete.
"""

from __future__ import annotations

from ..model import VERDICT_LABELS, Decision, Finding, Report
from . import RenderOptions
from .escape import visible

_VERDICT_STYLE = {"go": "1;32", "no-go": "1;31", "indeterminate": "1;33"}
_SEVERITY_STYLE = {"critical": "1;35", "high": "31", "medium": "33", "low": "36", "info": "2"}


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled and code else text


def flag(finding: Finding) -> str:
    """x blocks, w waived, k known from the baseline, - below --fail-on."""
    if finding.blocking:
        return "x"
    if finding.waived:
        return "w"
    if finding.known:
        return "k"
    return "-"


def where(finding: Finding) -> str:
    return visible("/".join(p for p in (finding.region, finding.family) if p))


def note(finding: Finding) -> str:
    if finding.waived:
        waived = finding.waived
        return visible(
            f" (waived by {waived.get('owner')} until {waived.get('expires')}, "
            f"{waived.get('ticket')})"
        )
    if finding.known:
        return " (known: in the baseline)"
    return ""


def _plain(decision: Decision, lines: list[str]) -> None:
    for finding in decision.findings:
        place = where(finding)
        place = f" [{place}]" if place else ""
        lines.append(
            f"  {flag(finding)} {visible(finding.rule_id):<8} {visible(finding.severity):<8} "
            f"{visible(finding.message)}{place}{note(finding)}"
        )


def _cut(text: str, width: int) -> str:
    if width <= 1:
        return ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(decision: Decision, lines: list[str], width: int, style: _Style) -> None:
    if not decision.findings:
        return
    rule_w = max(8, *(len(visible(f.rule_id)) for f in decision.findings))
    where_w = min(28, max(5, *(len(where(f)) for f in decision.findings)))
    fixed = 2 + 2 + rule_w + 1 + 8 + 1 + where_w + 1
    for finding in decision.findings:
        mark = flag(finding)
        message = _cut(visible(finding.message) + note(finding), max(width - fixed, 20))
        severity = visible(finding.severity)
        row = (
            f"  {style(mark, '1;31' if mark == 'x' else '2')} "
            f"{visible(finding.rule_id):<{rule_w}} "
            f"{style(f'{severity:<8}', _SEVERITY_STYLE.get(finding.severity, ''))} "
            f"{style(f'{_cut(where(finding), where_w):<{where_w}}', '2')} {message}"
        )
        lines.append(row)


def _decision(decision: Decision, lines: list[str], options: RenderOptions, style: _Style) -> None:
    verdict = style(
        VERDICT_LABELS.get(decision.verdict, decision.verdict),
        _VERDICT_STYLE.get(decision.verdict, ""),
    )
    extra = [
        f"{len(decision.blocking)} blocking",
        f"{len(decision.findings)} findings",
        f"{len(decision.gaps)} gaps",
    ]
    waived = sum(1 for f in decision.findings if f.waived)
    known = sum(1 for f in decision.findings if f.known)
    extra += [f"{waived} waived"] if waived else []
    extra += [f"{known} known"] if known else []
    lines.append(f"phase {decision.phase}: {verdict} ({', '.join(extra)})")
    if options.width:
        _table(decision, lines, options.width, style)
    else:
        _plain(decision, lines)
    for gap in decision.gaps:
        scope = "" if gap.get("in_scope", True) else " (out of scope)"
        lines.append(
            f"  ? gap      {visible(gap['region'])}/{visible(gap['area'])}: "
            f"{visible(gap['reason'])}{scope}"
        )


def _exceptions(report: Report, lines: list[str], style: _Style) -> None:
    if report.waivers is not None:
        use = report.waivers
        lines.append(
            f"waivers {visible(use.file)}: {len(use.waivers)} declared, {len(use.unused)} "
            f"unused, {len(use.expired)} expired"
        )
        for waiver in use.unused:
            lines.append(
                f"  {style('unused', '33')}  {visible(waiver.rule_id)} {visible(waiver.resource)} "
                f"(owner {visible(waiver.owner)}, {visible(waiver.ticket)}): matches no finding"
            )
    if report.baseline is not None:
        lines.append(
            f"baseline {visible(report.baseline.file)}: {report.baseline.known} known findings "
            "do not block"
        )


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    style = _Style(options.color)
    lines = [
        f"failback-checker: plan {visible(report.plan_name)}, "
        f"{visible(report.primary.region)} (primary) vs "
        f"{visible(report.secondary.region)} (secondary), fail-on {report.fail_on}"
    ]
    for decision in report.decisions:
        _decision(decision, lines, options, style)
    _exceptions(report, lines, style)
    return "\n".join(lines) + "\n"
