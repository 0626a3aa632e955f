"""The fleet report's formats: SARIF 2.1.0 valid with one run per pair, Markdown and HTML
escaped, and the HTML dashboard rendered by headless Chromium with its heat map and filters."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.fleet.report import FleetReport, PairResult, from_document, gaps_by_area
from checker.model import PHASES, SEVERITY_RANK
from checker.reports.fleet_formats import FLEET_REPORTERS

from ..conftest import ROOT
from ..reports.test_html import browse
from .conftest import Fleet as MakeFleet
from .conftest import fleet_json


@pytest.fixture
def report(fleet_repo: MakeFleet) -> FleetReport:
    """ready, faulted and gaps (their plans' phase, failback), and one pair that failed."""
    config = fleet_repo("ready", "faulted", "gaps", "broken=ready")
    (config.parent / "broken" / "us-east-1.json").write_text("{")
    run, document = fleet_json(config)
    assert run.exit_code == 1
    return from_document(document, "fleet.json")


def _hostile(report: FleetReport) -> FleetReport:
    evil = replace(
        report.pairs[0],
        identity="x`|<script>alert(1)</script>/failback.yaml",
        name='"><img src=x onerror=alert(1)>',
        reason="\x1b[32mGO\x1b[0m",
    )
    return replace(report, pairs=(evil, *report.pairs[1:]))


def test_sarif_one_run_per_pair_and_valid(report: FleetReport) -> None:
    schema = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.Draft4Validator(schema)
    document = json.loads(FLEET_REPORTERS["sarif"](report))
    errors = [e.message for e in validator.iter_errors(document)]
    assert not errors, errors[:3]
    runs = document["runs"]
    assert [r["automationDetails"]["id"] for r in runs] == [
        f"failback-checker/fleet/{p}/failback.yaml/" for p in ("broken", "faulted", "gaps", "ready")
    ]
    broken, faulted, gaps, ready = runs
    assert broken["invocations"][0]["executionSuccessful"] is False
    assert (
        "not valid JSON"
        in broken["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    )
    assert broken["results"] == []
    pair = report.pairs[1]
    assert len(faulted["results"]) == sum(1 for _ in pair.findings())
    rule_ids = [r["id"] for r in faulted["tool"]["driver"]["rules"]]
    assert rule_ids == sorted({f["rule_id"] for _, f in pair.findings()})
    first = faulted["results"][0]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "faulted/failback.yaml"
    )
    assert {r["properties"]["phase"] for r in faulted["results"]} == {"failback"}
    assert faulted["invocations"][0]["exitCode"] == 1
    assert gaps["properties"]["verdict"] == "indeterminate"
    assert ready["results"] == [] or all(r["level"] != "error" for r in ready["results"])


def test_markdown_summary(report: FleetReport) -> None:
    text = FLEET_REPORTERS["markdown"](report)
    assert text.startswith(
        "## Failback fleet: demo\n\n**4 pairs: 1 ready, 1 not ready, 2 indeterminate**"
    )
    assert (
        "| `faulted/failback.yaml` | payments-platform | us-east-1 → us-west-2 | ❌ NO-GO |" in text
    )
    header = next(line for line in text.splitlines() if line.startswith("| pair | plan"))
    assert header == "| pair | plan | regions | verdict | failback | blocking |"
    assert "### Worst findings" in text and "### Evidence gaps by area" in text
    assert "| audit | 1 |" in text
    assert "1 pairs could not be judged" in text


def test_markdown_and_html_escape_untrusted_values(report: FleetReport) -> None:
    hostile = _hostile(report)
    markdown = FLEET_REPORTERS["markdown"](hostile)
    assert "<img" not in markdown and "\x1b" not in markdown
    assert "&gt;&lt;img src=x onerror=alert(1)&gt;" in markdown
    # the pair's path only in a code span, which shows it literally, its pipe escaped
    assert markdown.count("<script>") == 1
    assert "| `` x`\\|<script>alert(1)</script>/failback.yaml `` |" in markdown
    html = FLEET_REPORTERS["html"](hostile)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "\x1b" not in html


def test_html_self_contained(report: FleetReport) -> None:
    html = FLEET_REPORTERS["html"](report)
    assert html.startswith("<!DOCTYPE html>") and "default-src 'none'" in html
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


def _page(tmp_path: Path, report: FleetReport) -> Path:
    page = tmp_path / "fleet.html"
    page.write_text(FLEET_REPORTERS["html"](report), encoding="utf-8")
    return page


def _rows(dom: str, kind: str) -> list[str]:
    return re.findall(rf'<tr class="{kind}"[^>]*>', dom)


def test_dashboard_in_chromium(report: FleetReport, tmp_path: Path) -> None:
    dom = browse(_page(tmp_path, report), tmp_path, "--dump-dom")
    assert 'data-ready="true"' in dom  # the inline script ran
    heatmap = re.search(r'<table id="heatmap".*?</table>', dom, re.DOTALL)
    assert heatmap is not None
    cells = re.findall(
        r'data-pair="([^"]+)" data-phase="([^"]+)" data-verdict="([^"]+)"', heatmap.group(0)
    )
    judged = [p for p in report.pairs if p.status == "judged"]
    assert len(cells) == len(judged) == 3
    assert set(cells) == {
        ("faulted/failback.yaml", "failback", "no-go"),
        ("gaps/failback.yaml", "failback", "indeterminate"),
        ("ready/failback.yaml", "failback", "go"),
    }
    assert len(re.findall(r'data-verdict="">\u2013', heatmap.group(0))) == 3 * (
        len(PHASES) - 1
    ) + len(PHASES)
    assert "4 of 4 pairs shown" in dom
    findings = _rows(dom, "finding")
    assert findings and f"{len(findings)} of {len(findings)} findings shown" in dom
    assert "not valid JSON" in heatmap.group(0)  # why the broken pair was not judged
    gaps = re.search(r'<table id="gaps".*?</table>', dom, re.DOTALL)
    assert gaps is not None and 'data-area="audit"' in gaps.group(0)


def test_dashboard_filters_in_chromium(report: FleetReport, tmp_path: Path) -> None:
    page = _page(tmp_path, report)
    dom = browse(page, tmp_path, "--dump-dom", fragment="#verdict=no-go")
    pairs = [r for r in _rows(dom, "pair") if "hidden" not in r]
    assert len(pairs) == 1 and 'data-pair="faulted/failback.yaml"' in pairs[0]
    assert "1 of 4 pairs shown" in dom
    visible = [r for r in _rows(dom, "finding") if "hidden" not in r]
    assert visible and all('data-verdict="no-go"' in r for r in visible)
    dom = browse(page, tmp_path, "--dump-dom", fragment="#severity=critical&status=blocking")
    visible = [r for r in _rows(dom, "finding") if "hidden" not in r]
    assert visible and all(
        'data-severity="critical"' in r and 'data-status="blocking"' in r for r in visible
    )


def test_worst_findings_and_gaps_by_area(report: FleetReport) -> None:
    from checker.fleet.report import worst_findings

    worst = worst_findings(report, 5)
    assert len(worst) == 5
    assert all(f["blocking"] for _, _, f in worst)
    ranks = [SEVERITY_RANK[f["severity"]] for _, _, f in worst]
    assert ranks == sorted(ranks, reverse=True) and worst[0][2]["severity"] == "critical"
    assert gaps_by_area(report) == {"audit": ["gaps/failback.yaml"]}


def test_pair_status_round_trip() -> None:
    pair = PairResult("a/failback.yaml", "failed", reason="why")
    raw: dict[str, Any] = pair.as_dict()
    assert raw["verdict"] == "indeterminate" and raw["exit_code"] == 4
    assert PairResult.from_dict(raw) == pair
