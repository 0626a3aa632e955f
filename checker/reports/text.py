"""Human-readable report for terminals and logs.

Each finding is a line (status marker, rule, severity, message, where) and each run of findings
of one rule ends with the rule's fix. In a terminal (options.width set) long lines wrap under
their message at the terminal's width, never cut, coloured when options.color; in a log or a
file the lines are plain and complete. A legend names the markers; judging several phases ends
with an overall line.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from ..model import VERDICT_LABELS, Decision, Finding, Report, StepVerdict
from . import RenderOptions
from .escape import visible
from .words import PHASE_NAMES, counted, listed

_VERDICT_STYLE = {"go": "1;32", "no-go": "1;31", "indeterminate": "1;33"}
_SEVERITY_STYLE = {"critical": "1;35", "high": "31", "medium": "33", "low": "36", "info": "2"}
LEGEND = "legend: x blocks, w waived, k known (in the baseline), - below --fail-on, ? evidence gap"
# Why `--phase all` on a ready estate exits 1 (docs/concepts/phases.md says more).
SEVERAL_PHASES_NOTE = (
    "note: a snapshot pair shows the estate as it is in one phase (the plan's current_phase); "
    "the other phases are judged against the same configuration, so they show what would block "
    "if the estate entered them unchanged: a ready estate passes its own phase, rarely all five"
)
_NARROW = 30  # below this many columns for the text, wrapped lines start at a fixed indent


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


def _wrap(text: str, first: str, indent: int, width: int | None) -> list[str]:
    """`first` + `text`, wrapped at `width` with later lines indented (None: one line)."""
    if width is None:
        return [first + text]
    room = width - indent
    if room < _NARROW:
        indent, room = 4, max(width - 4, 10)
    lines = textwrap.wrap(
        text,
        width=max(width, len(first) + 1),
        initial_indent=" " * len(first),
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
    ) or [" " * len(first)]
    return [first + lines[0][len(first) :], *lines[1:]]


def _findings(decision: Decision, lines: list[str], width: int | None, style: _Style) -> None:
    if not decision.findings:
        return
    rule_w = max(8, *(len(visible(f.rule_id)) for f in decision.findings))
    indent = 2 + 2 + rule_w + 1 + 8 + 1
    findings = decision.findings
    for index, finding in enumerate(findings):
        mark = flag(finding)
        severity = visible(finding.severity)
        colour = _SEVERITY_STYLE.get(finding.severity, "")
        first = (
            f"  {style(mark, '1;31' if mark == 'x' else '2')} "
            f"{visible(finding.rule_id):<{rule_w}} {style(f'{severity:<8}', colour)} "
        )
        place = where(finding)
        body = visible(finding.message) + (f" [{place}]" if place else "") + note(finding)
        wrapped = _wrap(body, " " * indent, indent, width)
        lines.append(first + wrapped[0][indent:])
        lines.extend(wrapped[1:])
        following = findings[index + 1] if index + 1 < len(findings) else None
        same_fix = following is not None and (following.rule_id, following.remediation) == (
            finding.rule_id,
            finding.remediation,
        )
        if finding.remediation and not same_fix:
            fix = _wrap(visible(finding.remediation), " " * indent + "fix: ", indent + 5, width)
            lines.extend(fix)


def _decision(decision: Decision, lines: list[str], options: RenderOptions, style: _Style) -> None:
    verdict = style(
        VERDICT_LABELS.get(decision.verdict, decision.verdict),
        _VERDICT_STYLE.get(decision.verdict, ""),
    )
    extra = [
        f"{len(decision.blocking)} blocking",
        counted(len(decision.findings), "finding"),
        counted(len(decision.gaps), "gap"),
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
    _findings(decision, lines, options.width, style)
    for gap in decision.gaps:
        scope = "" if gap.get("in_scope", True) else " (out of scope)"
        if decision.outage is not None and gap["region"] == decision.outage.get("impaired"):
            scope = " (impaired region: not judgeable)"
        text = f"{visible(gap['region'])}/{visible(gap['area'])}: {visible(gap['reason'])}{scope}"
        lines.extend(_wrap(text, "  ? gap      ", 13, options.width))
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
    """`held by REP-005 payments-usw2-to-use1, RB-002 ledger and 2 more`; a runtime gate says by
    how much (`RT-001: Failback flow ... 1842 records / 37 s behind, gate 0 records`); a step
    whose runtime evidence is missing: `awaiting no runtime evidence from the primary region`."""
    if not step.held_by:
        if not step.awaiting:
            return ""
        more = f" and {len(step.awaiting) - 1} more" if len(step.awaiting) > 1 else ""
        return f"awaiting {step.awaiting[0]}{more}"
    names = [
        f"{h.get('rule_id')}: {h.get('message')}"
        if str(h.get("rule_id", "")).startswith("RT-") and h.get("message")
        else f"{h.get('rule_id')} {h.get('resource')}"
        for h in step.held_by
    ]
    shown = ", ".join(names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"held by {shown}{more}"


def _situation(decision: Decision, lines: list[str], style: _Style, width: int | None) -> None:
    """The outage, what it left unjudged, and the failback steps' verdicts (wrapped at `width`
    in a terminal, never cut)."""
    if decision.outage is not None:
        lines.extend(_wrap(visible(outage_line(decision.outage)), "  outage: ", 10, width))
    for entry in decision.not_judgeable:
        place = "/".join(str(entry[k]) for k in ("region", "resource") if entry.get(k))
        place = f" {place}" if place else ""
        first = f"  ~ {visible(str(entry.get('rule_id'))):<8} "
        text = f"not judgeable{visible(place)}: {visible(str(entry.get('reason')))}"
        lines.extend(_wrap(text, first, len(first), width))
    for step in decision.steps:
        label = style(VERDICT_LABELS.get(step.verdict, step.verdict), _VERDICT_STYLE[step.verdict])
        held = held_text(step)
        asked = decision.step is not None and decision.step.name == step.name
        suffix = (" <- --step" if asked else "") + (f" ({visible(held)})" if held else "")
        head = f"  step {step.order} {visible(step.name)}: "
        wrapped = _wrap(VERDICT_LABELS.get(step.verdict, step.verdict) + suffix, head, 6, width)
        plain_label = VERDICT_LABELS.get(step.verdict, step.verdict)
        lines.append(head + wrapped[0][len(head) :].replace(plain_label, label, 1))
        lines.extend(wrapped[1:])


def overall(decisions: Sequence[Decision]) -> str:
    """One line for several phases: `ready for failover and DR operation, not ready for
    failback: 3 blocking`."""
    ready = [PHASE_NAMES.get(d.phase, d.phase) for d in decisions if d.verdict == "go"]
    blocked = [d for d in decisions if d.verdict == "no-go"]
    unsure = [PHASE_NAMES.get(d.phase, d.phase) for d in decisions if d.verdict == "indeterminate"]
    parts = []
    if ready:
        parts.append(f"ready for {listed(ready)}")
    if len(blocked) == 1:
        parts.append(
            f"not ready for {PHASE_NAMES.get(blocked[0].phase, blocked[0].phase)}: "
            f"{len(blocked[0].blocking)} blocking"
        )
    elif blocked:
        each = [
            f"{PHASE_NAMES.get(d.phase, d.phase)} ({len(d.blocking)} blocking)" for d in blocked
        ]
        parts.append(f"not ready for {listed(each)}")
    if unsure:
        parts.append(f"indeterminate for {listed(unsure)} (evidence gaps)")
    return ", ".join(parts)


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
        known = report.baseline.known
        lines.append(
            f"baseline {visible(report.baseline.file)}: {counted(known, 'known finding')} "
            f"{'does' if known == 1 else 'do'} not block"
        )


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    style = _Style(options.color)
    lines = _wrap(
        f"failback-checker: plan {visible(report.plan_name)}, "
        f"{visible(report.primary.region)} (primary) vs "
        f"{visible(report.secondary.region)} (secondary), fail-on {report.fail_on}",
        "",
        2,
        options.width,
    )
    if any(d.findings or d.gaps or d.not_judgeable for d in report.decisions):
        legend = LEGEND + (
            ", ~ not judgeable (impaired region)"
            if any(d.not_judgeable for d in report.decisions)
            else ""
        )
        lines.extend(_wrap(legend, "", 8, options.width))
    for decision in report.decisions:
        _decision(decision, lines, options, style)
    _exceptions(report, lines, style)
    if len(report.decisions) > 1:
        lines.extend(_wrap(overall(report.decisions), "overall: ", 9, options.width))
        if any(d.verdict != "go" for d in report.decisions):
            lines.extend(_wrap(SEVERAL_PHASES_NOTE, "", 6, options.width))
    return "\n".join(lines) + "\n"
