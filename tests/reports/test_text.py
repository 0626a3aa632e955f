"""The text report as a person reads it (issue #17, item 5): wrapped, never cut, at any width;
the fix shown; a legend; an overall line for several phases; counted nouns."""

from __future__ import annotations

import re

import pytest

from checker.model import PHASES, Report
from checker.reports import RenderOptions
from checker.reports.text import LEGEND, SEVERAL_PHASES_NOTE, render

from ..conftest import ROOT
from .conftest import build_report, finding, with_findings

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module")
def all_phases() -> Report:
    return build_report("ready", phases=PHASES)


def _words(text: str) -> list[str]:
    return text.split()


@pytest.mark.parametrize("width", [80, 200])
def test_terminal_output_wraps_at_the_width_and_loses_no_word(faulted: Report, width: int) -> None:
    text = ANSI.sub("", render(faulted, RenderOptions(color=True, width=width)))
    lines = text.splitlines()
    assert all(len(line) <= width for line in lines), max(lines, key=len)
    assert "…" not in text
    flowing = " ".join(_words(text))
    for f in faulted.decisions[0].findings:
        assert " ".join(_words(f.message)) in flowing, f.message
        assert " ".join(_words(f.remediation)) in flowing, f.remediation
    marks = [line for line in lines if re.match(r"^  [xwk-] [A-Z]+-\d{3} ", line)]
    assert len(marks) == len(faulted.decisions[0].findings)


def test_wrapped_lines_hang_under_the_message(faulted: Report) -> None:
    text = ANSI.sub("", render(faulted, RenderOptions(color=True, width=80)))
    first = next(line for line in text.splitlines() if line.startswith("  x NET-002"))
    column = first.index("Ingress")
    following = text.splitlines()[text.splitlines().index(first) + 1]
    assert following.startswith(" " * column) and following[column] != " "


def test_the_fix_follows_each_rule(faulted: Report) -> None:
    lines = render(faulted).splitlines()
    index = next(i for i, line in enumerate(lines) if " RET-001 " in line)
    assert lines[index + 1].strip() == (
        "fix: Set retention.ms in the secondary to at least the primary's value "
        "(or copy topic configurations)."
    )


def test_one_fix_line_for_a_run_of_findings_of_one_rule(all_phases: Report) -> None:
    lines = render(all_phases).splitlines()
    failover = lines.index(next(x for x in lines if x.startswith("phase failover:")))
    block = lines[failover + 1 : lines.index(next(x for x in lines if x.startswith("phase dr_op")))]
    ca = [line for line in block if " CA-001 " in line]
    fixes = [line for line in block if line.strip().startswith("fix: ")]
    assert len(ca) > 1
    assert len(fixes) == len({line.split()[1] for line in block if re.match(r"^  x ", line)})


def test_legend_names_every_marker(faulted: Report) -> None:
    text = render(faulted)
    assert text.splitlines()[1] == LEGEND
    for mark in ("x blocks", "w waived", "k known", "- below --fail-on", "? evidence gap"):
        assert mark in LEGEND


def test_counted_nouns() -> None:
    report = with_findings(build_report(), [finding(0)])
    text = render(report)
    assert "(1 blocking, 1 finding, 0 gaps)" in text
    assert "1 findings" not in text


def test_overall_line_for_several_phases(all_phases: Report) -> None:
    lines = render(all_phases).splitlines()
    verdicts = {d.phase: d.verdict for d in all_phases.decisions}
    overall = next(line for line in lines if line.startswith("overall: "))
    assert (
        overall
        == "overall: ready for normal operation, failback and cleanup, not ready for "
        + (
            f"failover ({len(all_phases.decisions[1].blocking)} blocking) and DR operation "
            f"({len(all_phases.decisions[2].blocking)} blocking)"
        )
    ), (overall, verdicts)
    assert lines[-1] == SEVERAL_PHASES_NOTE
    one = render(build_report("faulted")).splitlines()
    assert not any(line.startswith("overall: ") for line in one)


def test_overall_line_with_one_blocked_phase() -> None:
    report = build_report("faulted", phases=("normal", "failback"))
    from checker.reports.text import overall

    normal, failback = report.decisions
    assert normal.verdict == failback.verdict == "no-go"
    assert overall(report.decisions[1:]) == (
        f"not ready for failback: {len(failback.blocking)} blocking"
    )


def test_the_docs_explain_why_all_phases_of_a_ready_estate_exit_1() -> None:
    phases = (ROOT / "docs" / "concepts" / "phases.md").read_text("utf-8")
    assert "captured in" in phases and "--phase all" in phases


def test_the_documented_overall_line_is_the_output() -> None:
    from ..conftest import ESTATE, NOW, run_cli

    phases = (ROOT / "docs" / "concepts" / "phases.md").read_text("utf-8")
    documented = next(line for line in phases.splitlines() if line.startswith("overall: "))
    run = run_cli(
        ["check", "-c", str(ESTATE / "ready" / "failback.yaml"), "--now", NOW, "--phase", "all"]
    )
    assert run.exit_code == 1
    assert documented in run.stdout.splitlines()
