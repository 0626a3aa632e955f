"""The pre-commit format: the verdict per phase, each blocking finding on one line as
`file:line: RULE severity resource: message`, and one line on how to waive."""

from __future__ import annotations

from ..model import VERDICT_LABELS, Report
from ..waivers import HOW_TO_WAIVE
from . import RenderOptions
from .escape import visible
from .locations import Locator


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    locator = Locator(report)
    lines = []
    blocking = 0
    for decision in report.decisions:
        verdict = VERDICT_LABELS.get(decision.verdict, decision.verdict)
        lines.append(
            f"failback-checker, phase {decision.phase}: {verdict}"
            f" ({len(decision.blocking)} blocking, fail-on {report.fail_on})"
        )
        if decision.step is not None:
            step = decision.step
            lines.append(
                f"failback-checker, step {visible(step.name)}: "
                f"{VERDICT_LABELS.get(step.verdict, step.verdict)} (the exit code follows it)"
            )
        for finding in decision.blocking:
            blocking += 1
            found = locator.locate(finding, decision.phase)
            place = "-"
            if found:
                place = visible(found[0].display(options.cwd))
                place += f":{found[0].line}" if found[0].line else ""
            scope = f" [{visible(finding.region)}]" if finding.region else ""
            lines.append(
                f"{place}: {visible(finding.rule_id)} {visible(finding.severity)} "
                f"{visible(finding.resource)}{scope}: {visible(finding.message)}"
            )
    if blocking:
        lines.append(HOW_TO_WAIVE)
    return "\n".join(lines) + "\n"
