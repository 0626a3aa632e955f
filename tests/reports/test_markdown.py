"""Markdown PR comment: verdict, scorecard, blocking findings by area, the rest collapsed, and
a hard size limit with an explicit "N more" line."""

from __future__ import annotations

import re

from checker.model import AREAS, Report
from checker.reports import REPORTERS
from checker.reports.markdown import LIMIT, render

from ..conftest import ESTATE, NOW, run_cli
from .conftest import build_report, finding, with_findings


def test_faulted_comment_layout(faulted: Report) -> None:
    text = REPORTERS["markdown"](faulted)
    lines = text.splitlines()
    assert lines[0] == "## ❌ NO-GO · failback-checker"
    assert "| failback | ❌ NO-GO | 16 | 20 | 0 | 0 | 0 |" in text
    # the scorecard: one row per family, every phase a column, the judged phase in bold
    assert "| family | normal | failover | dr_operation | **failback** | cleanup |" in text
    for family in (
        "payments-core",
        "ledger",
        "fraud",
        "customer",
        "notifications",
        "analytics",
        "integrations",
    ):
        assert re.search(rf"^\| `{family}` \|", text, re.MULTILINE), family
    assert (
        "| `fraud` | 🟢 operationalized | 🟢 operationalized | 🟢 operationalized | "
        "⚪ unwritten ↓ | 🟢 operationalized |" in text
    )
    # blocking findings come before <details>, grouped by area in catalog-area order
    head, details = text.split("<details>", 1)
    decision = faulted.decisions[0]
    for f in decision.blocking:
        assert f"**{f.rule_id}**" in head
    for f in decision.findings:
        if not f.blocking:
            assert f"**{f.rule_id}**" in details and f"**{f.rule_id}**" not in head
    headers = re.findall(r"^\*\*([a-z\\_]+)\*\*$", head, re.MULTILINE)
    areas = [h.replace("\\_", "_") for h in headers]
    assert areas == [a for a in AREAS if any(f.area == a for f in decision.blocking)]
    assert "<summary>4 more findings (not blocking)</summary>" in details
    assert text.count("<details>") == text.count("</details>") == 1


def test_ready_estate_says_go() -> None:
    run = run_cli(
        [
            "check",
            "-c",
            str(ESTATE / "ready" / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "markdown",
        ]
    )
    assert run.exit_code == 0
    assert run.stdout.startswith("## ✅ GO · failback-checker")
    assert "No blocking findings." in run.stdout


def test_long_comments_are_cut_with_an_explicit_count(faulted: Report) -> None:
    many = [finding(i, message="x" * 150, blocking=i % 2 == 0) for i in range(3000)]
    report = with_findings(faulted, many)
    text = render(report)
    assert len(text) < LIMIT
    shown = len(re.findall(r"^- \*\*RET-001\*\*", text, re.MULTILINE))
    match = re.search(r"_… (\d+) more findings not shown", text)
    assert match is not None
    assert shown > 100 and shown + int(match.group(1)) == 3000
    assert text.count("<details>") == text.count("</details>")


def test_small_limit_still_closes_details(faulted: Report) -> None:
    text = render(faulted, limit=3_500)
    assert len(text) < 3_500
    assert text.count("<details>") == text.count("</details>")
    assert "more findings not shown" in text


def test_untrusted_text_cannot_inject_markup(faulted: Report) -> None:
    evil = finding(
        message="<img src=x onerror=alert(1)> | [link](http://x) *bold*", resource="a`b|c"
    )
    text = render(with_findings(faulted, [evil]))
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    # the link's brackets and GitHub's bare-URL autolink are both escaped
    assert r"\[link\](http\://x)" in text and r"\*bold\*" in text
    assert "`` a`b|c ``" in text


def test_phase_all_has_a_section_per_phase() -> None:
    report = build_report("faulted", phases=("failover", "failback"))
    text = render(report)
    assert "### Phase failover: ❌ NO-GO" in text and "### Phase failback: ❌ NO-GO" in text
    assert "| failover | **failback** |" not in text  # both judged: both bold
    assert "**failover** | dr_operation | **failback**" in text
