"""GitHub Actions workflow commands: one annotation per finding, as conftest's `github` output.

A blocking finding is `::error`, one below --fail-on `::warning`, a waived or known one
`::notice`; each names the file (and line) that declares its resource, relative to the working
directory (the repository root in a workflow), so GitHub shows it on the pull request's diff.
The same finding in several judged phases is one annotation naming them all. The lines end with
each phase's verdict.

Escaping follows @actions/core (toolkit `command.ts`): in the message % CR LF become %25 %0D
%0A; in property values also `:` and `,` become %3A and %2C. Text from the data is first made
visible (no control characters, no line breaks), so no finding can end its line early and
start a workflow command of its own.
"""

from __future__ import annotations

from ..model import VERDICT_LABELS, Finding, Report
from . import RenderOptions
from .escape import visible
from .locations import Locator
from .words import counted


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int | None) -> str:
    """`::level key=value,...::message` with both parts escaped."""
    shown = ",".join(
        f"{key}={escape_property(str(value))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    return f"::{level}{' ' + shown if shown else ''}::{escape_data(message)}"


def level(finding: Finding) -> str:
    if finding.blocking:
        return "error"
    if finding.waived or finding.known:
        return "notice"
    return "warning"


def render(report: Report, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    locator = Locator(report)
    # (level, file, line, rule, message) -> the finding and the phases it was found in
    seen: dict[tuple[str, str, int | None, str, str], tuple[Finding, list[str]]] = {}
    for decision in report.decisions:
        for finding in decision.findings:
            found = locator.locate(finding, decision.phase)
            file = visible(found[0].display(options.cwd)) if found else ""
            line = found[0].line if found else None
            key = (level(finding), file, line, finding.rule_id, finding.message)
            seen.setdefault(key, (finding, []))[1].append(decision.phase)
    lines = []
    for (kind, file, line, rule_id, _), (finding, phases) in seen.items():
        place = "/".join(p for p in (finding.region, finding.family) if p)
        status = (
            " (waived)" if finding.waived else " (known: in the baseline)" if finding.known else ""
        )
        message = (
            f"{visible(finding.message)}{f' [{visible(place)}]' if place else ''}{status}\n"
            f"fix: {visible(finding.remediation)}"
        )
        title = f"{visible(rule_id)} {visible(finding.severity)}: {visible(finding.title)}"
        lines.append(
            command(
                kind,
                message,
                file=file or None,
                line=line,
                title=f"{title} ({', '.join(phases)})",
            )
        )
    for decision in report.decisions:
        verdict = VERDICT_LABELS.get(decision.verdict, decision.verdict)
        lines.append(
            f"failback-checker, phase {decision.phase}: {verdict} "
            f"({len(decision.blocking)} blocking, {counted(len(decision.findings), 'finding')}, "
            f"fail-on {report.fail_on})"
        )
    return "\n".join(lines) + "\n"
