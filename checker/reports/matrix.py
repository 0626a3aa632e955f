"""The readiness matrix of a report: topic family x phase, one cell each.

Every decision carries the whole matrix, but only the judged phase's cells are lowered by that
phase's blocking findings. The matrix takes each phase's cells from the decision that judged
the phase (and from the first decision for phases not judged).
"""

from __future__ import annotations

from ..model import PHASES, READINESS_LEVELS, Report, ScoreCell

LEVEL_RANK = {level: rank for rank, level in enumerate(READINESS_LEVELS)}


def cells(report: Report) -> list[ScoreCell]:
    if not report.decisions:
        return []
    judged = {d.phase: d for d in report.decisions}
    first = report.decisions[0]
    chosen: dict[tuple[str, str], ScoreCell] = {}
    for phase in PHASES:
        decision = judged.get(phase, first)
        for cell in decision.scorecard:
            if cell.phase == phase:
                chosen[(cell.family, phase)] = cell
    families = sorted({family for family, _ in chosen})
    return [chosen[(f, p)] for f in families for p in PHASES if (f, p) in chosen]


def grid(report: Report) -> tuple[list[str], dict[tuple[str, str], ScoreCell]]:
    """Families in order, and the cell of each (family, phase)."""
    found = cells(report)
    families = list(dict.fromkeys(c.family for c in found))
    return families, {(c.family, c.phase): c for c in found}


def judged_phases(report: Report) -> set[str]:
    return {d.phase for d in report.decisions}
