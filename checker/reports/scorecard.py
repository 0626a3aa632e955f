"""`failback scorecard`: the readiness matrix as text, JSON or Markdown."""

from __future__ import annotations

import json

from ..model import PHASES, READINESS_LEVELS, Report
from .escape import visible
from .matrix import cells, grid

# the full level names (docs/scorecard.md), never abbreviated: each column fits the longest
_COLUMN = max(len(name) for name in (*READINESS_LEVELS, *PHASES)) + 2


def render_json(report: Report) -> str:
    return (
        json.dumps(
            {"plan": report.plan_name, "scorecard": [c.as_dict() for c in cells(report)]},
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )


def render_text(report: Report) -> str:
    families, table = grid(report)
    shown = {family: visible(family) for family in families}
    width = max([len("family"), *(len(f) for f in shown.values())])
    lines = [
        f"readiness scorecard: plan {visible(report.plan_name)}",
        (f"{'family':<{width}}  " + "".join(f"{p:<{_COLUMN}}" for p in PHASES)).rstrip(),
    ]
    for family in families:
        row = [table[(family, p)].level if (family, p) in table else "-" for p in PHASES]
        lines.append(
            (f"{shown[family]:<{width}}  " + "".join(f"{v:<{_COLUMN}}" for v in row)).rstrip()
        )
    for family in families:
        for phase in PHASES:
            cell = table.get((family, phase))
            if cell is None:
                continue
            lowered = (
                "" if cell.level == cell.evidence_level else f" (evidence: {cell.evidence_level})"
            )
            lines.append("")
            lines.append(f"{shown[family]} / {phase}: {cell.level}{lowered}")
            lines.extend(f"  - {visible(reason)}" for reason in cell.reasons)
            lines.append(f"  next: {visible(cell.next_step or 'nothing: the highest level')}")
    return "\n".join(lines) + "\n"


def render_markdown(report: Report) -> str:
    from .markdown import scorecard_table, text

    return f"## Readiness scorecard: {text(report.plan_name)}\n\n" + scorecard_table(report) + "\n"


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    return render_text(report)
