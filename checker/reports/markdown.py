"""A pull-request comment: the verdict, the readiness scorecard, blocking findings grouped by
area, the rest collapsed in <details>. Stays under GitHub's 65,536-character comment limit:
when cut, an explicit "N more" line says how many findings are not shown."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..model import AREAS, PHASES, Decision, Finding, Report
from . import RenderOptions
from .escape import visible
from .matrix import grid
from .text import held_text, outage_line

LIMIT = 65_000
RESERVE = 1_000  # closing tags and the "N more" line always fit
MAX_FAMILIES = 50
VERDICT = {"go": "✅ GO", "no-go": "❌ NO-GO", "indeterminate": "⚠️ INDETERMINATE"}
LEVEL = {
    "unwritten": "⚪ unwritten",
    "documented": "🟠 documented",
    "rehearsed": "🟡 rehearsed",
    "operationalized": "🟢 operationalized",
}
# Characters that start emphasis, code, links, tables, headings, strikethrough or math (GitHub
# renders $...$), escaped with a backslash; < > & become entities, so no HTML from data.
_SPECIAL = re.compile(r"([\\`*_\[\]|#~$@])")
# GitHub's extended autolinks (www.x, http://x) need no brackets: break them up.
_AUTOLINK = re.compile(r"(?i)(?<=www)\.|:(?=//)")
_BACKTICKS = re.compile(r"`+")


def _one_line(value: object) -> str:
    return visible(" ".join(str(value).split()))


def text(value: str) -> str:
    """Plain text in Markdown: no HTML, no emphasis, links, autolinks, math or table breaks."""
    escaped = _one_line(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _AUTOLINK.sub(lambda m: "\\" + m.group(), _SPECIAL.sub(r"\\\1", escaped))


def code(value: str, in_table: bool = False) -> str:
    """A code span that holds `value` literally: its fence is longer than any run of backticks
    in it, and a value with a backtick is padded with a space on each side (CommonMark strips
    one space from each side, and needs it when the value starts or ends with a backtick)."""
    value = _one_line(value) or " "
    longest = max((len(run) for run in _BACKTICKS.findall(value)), default=0)
    fence = "`" * (1 + longest)
    pad = " " if longest else ""
    out = f"{fence}{pad}{value}{pad}{fence}"
    return out.replace("|", "\\|") if in_table else out


class _Out:
    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.skipped = 0

    def add(self, part: str) -> None:
        self.parts.append(part)
        self.size += len(part)

    def fits(self, part: str) -> bool:
        return not self.skipped and self.size + len(part) <= self.limit - RESERVE

    def item(self, part: str) -> bool:
        if self.fits(part):
            self.add(part)
            return True
        self.skipped += 1
        return False


def overall(report: Report) -> str:
    verdicts = {d.judged_verdict for d in report.decisions}
    for verdict in ("no-go", "indeterminate", "go"):
        if verdict in verdicts:
            return verdict
    return "go"


def scorecard_table(report: Report, max_families: int = MAX_FAMILIES) -> str:
    families, table = grid(report)
    judged = {d.phase for d in report.decisions}
    lines = [
        "| family | " + " | ".join(f"**{p}**" if p in judged else p for p in PHASES) + " |",
        "|---|" + "---|" * len(PHASES),
    ]
    for family in families[:max_families]:
        row = []
        for phase in PHASES:
            cell = table.get((family, phase))
            if cell is None:
                row.append("-")
                continue
            mark = " ↓" if cell.level != cell.evidence_level else ""
            row.append(LEVEL.get(cell.level, text(cell.level)) + mark)
        lines.append(f"| {code(family, True)} | " + " | ".join(row) + " |")
    if len(families) > max_families:
        lines.append(
            f"\n_{len(families) - max_families} more families not shown: run `failback scorecard`._"
        )
    lines.append(
        "\n⚪ unwritten · 🟠 documented · 🟡 rehearsed · 🟢 operationalized · "
        "↓ lowered by this phase's blocking findings · **bold**: judged phase"
    )
    return "\n".join(lines) + "\n"


def _status(finding: Finding) -> str:
    if finding.waived:
        waived = finding.waived
        return (
            f" — _waived_ by {text(str(waived.get('owner')))} until "
            f"{text(str(waived.get('expires')))} ({text(str(waived.get('ticket')))}): "
            f"{text(str(waived.get('reason')))}"
        )
    if finding.known:
        return " — _known_ (in the baseline)"
    return ""


def finding_line(finding: Finding, fix: bool) -> str:
    scope = "/".join(p for p in (finding.region, finding.family) if p)
    scope = f" ({text(scope)})" if scope else ""
    line = (
        f"- **{text(finding.rule_id)}** {code(finding.severity)} {code(finding.resource)}{scope}: "
        f"{text(finding.message)}{_status(finding)}"
    )
    if fix and finding.remediation:
        line += f"  \n  _Fix:_ {text(finding.remediation)}"
    return line + "\n"


def _gap_name(gap: Mapping[str, Any]) -> str:
    return f"{gap.get('region')}/{gap.get('area')}"


def _decision(decision: Decision, out: _Out, several: bool) -> None:
    if several:
        verdict = VERDICT.get(decision.verdict, decision.verdict)
        out.add(f"\n### Phase {decision.phase}: {verdict}\n")
    blocking = decision.blocking
    if blocking:
        out.add(f"\n#### Blocking findings ({len(blocking)})\n")
        by_area: dict[str, list[Finding]] = {}
        for finding in blocking:
            by_area.setdefault(finding.area, []).append(finding)
        order = [a for a in AREAS if a in by_area] + sorted(set(by_area) - set(AREAS))
        for area in order:
            header = f"\n**{text(area)}**\n\n"
            if not out.fits(header):
                out.skipped += len(by_area[area])
                continue
            out.add(header)
            for finding in by_area[area]:
                out.item(finding_line(finding, fix=True))
    elif decision.verdict == "go":
        out.add("\nNo blocking findings.\n")
    rest = [f for f in decision.findings if not f.blocking]
    if rest:
        opened = f"\n<details><summary>{len(rest)} more findings (not blocking)</summary>\n\n"
        if out.fits(opened):
            out.add(opened)
            for finding in rest:
                out.item(finding_line(finding, fix=False))
            out.add("\n</details>\n")
        else:
            out.skipped += len(rest)
    _situation(decision, out)
    if decision.gaps:
        gaps = "".join(
            f"- {code(_gap_name(g))}: {text(str(g.get('reason')))}{_gap_note(decision, g)}\n"
            for g in decision.gaps
        )
        if out.fits(gaps):
            out.add(f"\n**Evidence gaps ({len(decision.gaps)})**\n\n{gaps}")


def _gap_note(decision: Decision, gap: Mapping[str, Any]) -> str:
    if decision.outage is not None and gap.get("region") == decision.outage.get("impaired"):
        return " (impaired region: not judgeable)"
    return "" if gap.get("in_scope", True) else " (out of scope)"


def _situation(decision: Decision, out: _Out) -> None:
    """The outage and what it left unjudged, and the failback steps' verdicts."""
    if decision.outage is not None:
        out.add(f"\n**Outage:** {text(outage_line(decision.outage))}\n")
    if decision.not_judgeable:
        items = "".join(
            f"- {code(str(n.get('rule_id')))}"
            + (f" {code(str(n.get('resource')))}" if n.get("resource") else "")
            + f": {text(str(n.get('reason')))}\n"
            for n in decision.not_judgeable
        )
        block = (
            f"\n<details><summary>{len(decision.not_judgeable)} not judgeable in the outage"
            f"</summary>\n\n{items}\n</details>\n"
        )
        if out.fits(block):
            out.add(block)
    if decision.steps:
        rows = "".join(
            f"| {s.order} | {code(s.name, True)} | {VERDICT.get(s.verdict, s.verdict)}"
            f"{' ← asked' if decision.step is not None and decision.step.name == s.name else ''}"
            f" | {text(held_text(s)) or '-'} |\n"
            for s in decision.steps
        )
        head = "| step | name | verdict | held by |\n|---|---|---|---|\n"
        table = f"\n**Failback steps**\n\n{head}{rows}"
        if out.fits(table):
            out.add(table)


def render(report: Report, options: RenderOptions | None = None, limit: int = LIMIT) -> str:
    out = _Out(limit)
    verdict = overall(report)
    out.add(f"## {VERDICT[verdict]} · failback-checker\n\n")
    out.add(
        f"Plan {code(report.plan_name)} · {text(report.primary.region)} (primary) vs "
        f"{text(report.secondary.region)} (secondary) · fail-on `{report.fail_on}`\n\n"
    )
    out.add(
        "| phase | verdict | blocking | findings | waived | known | gaps |\n"
        "|---|---|---|---|---|---|---|\n"
    )
    for d in report.decisions:
        out.add(
            f"| {d.phase} | {VERDICT.get(d.verdict, d.verdict)} | {len(d.blocking)} | "
            f"{len(d.findings)} | {sum(1 for f in d.findings if f.waived)} | "
            f"{sum(1 for f in d.findings if f.known)} | {len(d.gaps)} |\n"
        )
    out.add("\n### Readiness scorecard\n\n" + scorecard_table(report))
    for decision in report.decisions:
        _decision(decision, out, len(report.decisions) > 1)
    if report.waivers is not None and report.waivers.unused:
        lines = "".join(
            f"- {text(w.rule_id)} {code(w.resource)} (owner {text(w.owner)}, "
            f"{text(w.ticket)}) matches no finding\n"
            for w in report.waivers.unused
        )
        if out.fits(lines):
            out.add(f"\n**Unused waivers ({len(report.waivers.unused)})**\n\n{lines}")
    if out.skipped:
        out.add(
            f"\n_… {out.skipped} more findings not shown (comment size limit): run "
            "`failback check --format json` or see the HTML report for all of them._\n"
        )
    return "".join(out.parts)
