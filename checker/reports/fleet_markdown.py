"""The fleet report as Markdown: the summary line, a pairs x phases table, the worst findings
and the evidence gaps by area. Every value from a plan or snapshot is escaped (markdown.text,
markdown.code); the whole stays under a pull-request comment's size limit."""

from __future__ import annotations

from ..fleet.report import FleetReport, gaps_by_area, worst_findings
from ..model import PHASES
from .markdown import LIMIT, VERDICT, code, text

MAX_FINDINGS = 25
RESERVE = 200


def _cell(verdict: str | None) -> str:
    return "" if verdict is None else VERDICT.get(verdict, verdict)


def render(report: FleetReport) -> str:
    counts = report.counts()
    head = [f"## Failback fleet: {text(report.name)}\n\n**{text(report.summary_line())}**\n"]
    if report.partial:
        head.append("\n> ⚠️ Partial report: the run was interrupted before every pair was judged.\n")
    phases = [p for p in PHASES if any(d["phase"] == p for x in report.pairs for d in x.decisions)]
    header = "| pair | plan | regions | verdict | " + " | ".join(phases) + " | blocking |\n"
    rule = "|" + "---|" * (5 + len(phases)) + "\n"
    body: list[str] = []
    for pair in report.pairs:
        by_phase = {str(d["phase"]): str(d["verdict"]) for d in pair.decisions}
        regions = f"{pair.primary} → {pair.secondary}" if pair.primary else ""
        blocking = sum(int(d["blocking"]) for d in pair.decisions)
        verdict = _cell(pair.verdict)
        if pair.reason:
            verdict += f" ({text(pair.reason)})"
        body.append(
            f"| {code(pair.identity, in_table=True)} | {text(pair.name or '')} | "
            f"{text(regions)} | {verdict} | "
            + " | ".join(_cell(by_phase.get(p)) for p in phases)
            + f" | {blocking} |\n"
        )
    parts = ["".join(head), "\n### Pairs\n\n", header, rule]
    size = sum(map(len, parts))
    shown = 0
    for line in body:
        if size + len(line) > LIMIT // 2:
            break
        parts.append(line)
        size += len(line)
        shown += 1
    if shown < len(body):
        parts.append(f"\n_{len(body) - shown} more pairs in the JSON or HTML report._\n")
    worst = worst_findings(report, MAX_FINDINGS)
    if worst:
        parts.append(
            "\n### Worst findings\n\n| pair | phase | rule | severity | resource | status |\n"
        )
        parts.append("|---|---|---|---|---|---|\n")
        for pair, phase, finding in worst:
            status = "blocking" if finding["blocking"] else "reported"
            line = (
                f"| {code(pair.identity, in_table=True)} | {phase} | "
                f"{code(str(finding['rule_id']), in_table=True)} | {text(str(finding['severity']))}"
                f" | {code(str(finding['resource']), in_table=True)} | {status} |\n"
            )
            if sum(map(len, parts)) + len(line) > LIMIT - RESERVE:
                break
            parts.append(line)
    gaps = gaps_by_area(report)
    if gaps:
        parts.append("\n### Evidence gaps by area\n\n| area | pairs |\n|---|---|\n")
        for area, pairs in gaps.items():
            parts.append(f"| {text(area)} | {len(pairs)} |\n")
    parts.append(
        f"\n{counts['failed']} pairs could not be judged; fail-on {text(report.fail_on)}; "
        f"judged at {text(report.generated_at)}.\n"
    )
    out = "".join(parts)
    return out if len(out) <= LIMIT else out[: LIMIT - 40] + "\n\n_(truncated)_\n"
