"""Human-readable report for terminals and logs.

In a terminal (options.width set) the findings become a compact table cut to the terminal's
width, coloured unless NO_COLOR is set; in a log or a file the lines are plain and complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..model import VERDICT_LABELS, Decision, Finding, Report, StepVerdict
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
    if decision.step is not None:
        step = decision.step
        label = style(VERDICT_LABELS.get(step.verdict, step.verdict), _VERDICT_STYLE[step.verdict])
        lines.append(f"step {visible(step.name)}: {label} (the exit code follows the step)")
    if options.width:
        _table(decision, lines, options.width, style)
    else:
        _plain(decision, lines)
    for gap in decision.gaps:
        scope = "" if gap.get("in_scope", True) else " (out of scope)"
        if decision.outage is not None and gap["region"] == decision.outage.get("impaired"):
            scope = " (impaired region: not judgeable)"
        lines.append(
            f"  ? gap      {visible(gap['region'])}/{visible(gap['area'])}: "
            f"{visible(gap['reason'])}{scope}"
        )
    _situation(decision, lines, style, options.width)


def outage_line(outage: Mapping[str, Any]) -> str:
    """`the primary region us-east-1 is down (plan, since ...); its snapshot: absent`."""
    by = "the plan" if outage.get("declared_by") == "plan" else "--impaired-region"
    since = f" since {outage['since']}" if outage.get("since") else ""
    snapshot = (
        "no snapshot (its rules are not judged)"
        if outage.get("snapshot") == "absent"
        else "its last snapshot given"
    )
    return (
        f"the {outage.get('impaired')} region {outage.get('region')} is down{since} "
        f"(declared by {by}); {snapshot}"
    )


def held_text(step: StepVerdict, limit: int = 3) -> str:
    """`held by REP-005 payments-usw2-to-use1, RB-002 ledger and 2 more`."""
    if not step.held_by:
        return ""
    names = [f"{h.get('rule_id')} {h.get('resource')}" for h in step.held_by]
    shown = ", ".join(names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"held by {shown}{more}"


def _situation(decision: Decision, lines: list[str], style: _Style, width: int | None) -> None:
    """The outage, what it left unjudged, and the failback steps' verdicts (cut to `width`
    in a terminal; the verdicts come first, so only the explanations are cut)."""
    fit = (lambda text: _cut(text, width)) if width else (lambda text: text)
    if decision.outage is not None:
        lines.append(fit(f"  outage: {visible(outage_line(decision.outage))}"))
    for entry in decision.not_judgeable:
        place = "/".join(str(entry[k]) for k in ("region", "resource") if entry.get(k))
        place = f" {place}" if place else ""
        lines.append(
            fit(
                f"  ~ {visible(str(entry.get('rule_id'))):<8} not judgeable{visible(place)}: "
                f"{visible(str(entry.get('reason')))}"
            )
        )
    for step in decision.steps:
        label = style(VERDICT_LABELS.get(step.verdict, step.verdict), _VERDICT_STYLE[step.verdict])
        held = held_text(step)
        asked = (
            " <- --step" if decision.step is not None and decision.step.name == step.name else ""
        )
        suffix = (" <- --step" if asked else "") + (f" ({visible(held)})" if held else "")
        head = f"  step {step.order} {visible(step.name)}: "
        room = None if width is None else width - len(head) - len(step.verdict) - 8
        lines.append(head + label + (suffix if room is None else _cut(suffix, room)))


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
