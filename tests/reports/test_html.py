"""The HTML audit report: self-contained, escaped, and rendered by a real browser (headless
Debian chromium) with the heat map, the findings table and its filter working."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from checker.exceptions import Exceptions
from checker.model import PHASES, READINESS_LEVELS, Report
from checker.reports import REPORTERS

from ..conftest import ESTATE, NOW, ROOT, run_cli
from .conftest import build_report, finding, now, waiver, with_findings, write_waivers

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else None
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: apt-get install -y chromium")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return found


def browse(page: Path, tmp_path: Path, *args: str, fragment: str = "") -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    result = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri() + fragment],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def write_page(tmp_path: Path, report: Report) -> Path:
    page = tmp_path / "report.html"
    page.write_text(REPORTERS["html"](report), encoding="utf-8")
    return page


@pytest.fixture(scope="module")
def waived_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    from checker.waivers import load_waivers

    path = write_waivers(
        tmp_path_factory.mktemp("w") / "waivers.yaml", waiver("RET-001", "ledger.*")
    )
    return build_report(
        exceptions=Exceptions(waivers=load_waivers(path, now()), waiver_file=str(path))
    )


def test_self_contained_no_network_assets(waived_report: Report) -> None:
    html = REPORTERS["html"](waived_report)
    assert html.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not re.search(r"@import|url\(", html)
    assert html.count("<script>") == 1 and html.count("<style>") == 1


def test_sections_and_evidence(waived_report: Report) -> None:
    html = REPORTERS["html"](waived_report)
    for ident in (
        "verdict",
        "phases",
        "heatmap",
        "findings-table",
        "diff-summary",
        "evidence-table",
        "evidence-files",
        "level-reasons-table",
        "judged-at",
        "waivers",
    ):
        assert f'id="{ident}"' in html, ident
    assert 'data-verdict="no-go"' in html
    # evidence: each snapshot's capture time and source
    assert "2026-11-26T09:00:00Z" in html and "2026-11-28T09:05:00Z" in html
    assert "fixtures/generate.py" in html
    # the region diff side by side: the seeded retention drift, both values
    row = re.search(
        r'<tr class="change k-changed"[^>]*><td>topics</td>'
        r"<td><code>(?:[^<]|<wbr>)*ledger\.<wbr>entries(?:[^<]|<wbr>)*retention.*?</tr>",
        html,
    )
    assert row is not None
    assert "604800000" in row.group(0) and "86400000" in row.group(0)
    assert "waived by team-platform until 2027-01-31" in html


def test_untrusted_values_are_escaped(faulted: Report) -> None:
    evil = finding(message="<script>alert(1)</script>", resource='"><img src=x>')
    html = REPORTERS["html"](with_findings(faulted, [evil]))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '"><img' not in html


def test_rendered_in_chromium(waived_report: Report, tmp_path: Path) -> None:
    page = write_page(tmp_path, waived_report)
    dom = browse(page, tmp_path, "--dump-dom")
    assert 'data-ready="true"' in dom  # the inline script ran
    heatmap = re.search(r'<table id="heatmap".*?</table>', dom, re.DOTALL)
    assert heatmap is not None
    cells = re.findall(
        r'data-family="([^"]+)" data-phase="([^"]+)" data-level="([^"]+)"', heatmap.group(0)
    )
    families = {f for f, _, _ in cells}
    assert len(families) == 7 and len(cells) == 7 * len(PHASES)
    assert {level for _, _, level in cells} <= set(READINESS_LEVELS)
    assert ("fraud", "failback", "unwritten") in cells
    rows = re.findall(r'<tr class="finding"[^>]*>', dom)
    assert len(rows) == len(waived_report.decisions[0].findings) == 20
    assert not any("hidden" in r for r in rows)
    assert "20 of 20 findings shown" in dom
    assert 'data-status="waived"' in dom


def test_filter_by_severity_and_area_in_chromium(waived_report: Report, tmp_path: Path) -> None:
    page = write_page(tmp_path, waived_report)
    dom = browse(page, tmp_path, "--dump-dom", fragment="#severity=critical")
    rows = re.findall(r'<tr class="finding"[^>]*>', dom)
    visible = [r for r in rows if "hidden" not in r]
    assert len(visible) == 5 and all('data-severity="critical"' in r for r in visible)
    assert "5 of 20 findings shown" in dom
    dom = browse(page, tmp_path, "--dump-dom", fragment="#area=write_authority&status=blocking")
    visible = [r for r in re.findall(r'<tr class="finding"[^>]*>', dom) if "hidden" not in r]
    assert len(visible) == 2 and all('data-area="write_authority"' in r for r in visible)


def test_screenshot(waived_report: Report, tmp_path: Path) -> None:
    page = write_page(tmp_path, waived_report)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "html-report.png"
    shot.unlink(missing_ok=True)
    browse(page, tmp_path, f"--screenshot={shot}", "--window-size=1400,1000")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    if os.environ.get("FAILBACK_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, ROOT / "docs" / "img" / "html-report.png")


def test_cli_html_for_every_variant(tmp_path: Path) -> None:
    for variant, code in (("ready", 0), ("faulted", 1), ("gaps", 4)):
        out = tmp_path / f"{variant}.html"
        run = run_cli(
            [
                "check",
                "-c",
                str(ESTATE / variant / "failback.yaml"),
                "--now",
                NOW,
                "--format",
                "html",
                "-o",
                str(out),
            ]
        )
        assert run.exit_code == code
        html = out.read_text()
        assert 'id="heatmap"' in html and 'id="findings-table"' in html
    assert 'id="gaps"' in (tmp_path / "gaps.html").read_text()
