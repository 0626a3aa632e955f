"""The HTML report as an auditor uses it (issue 17, item 7): filters for phase, severity
threshold, status and text; the region diff summarised; relative paths; the judged-as-of time
and each evidence file's sha256; reasons visible; byte-identical across hash seeds; and, in
headless Chromium, the filters, the page without JavaScript, the print-to-PDF page count and no
clipping at the printable width of A4 and Letter."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checker.digests import DIRECTORY_NOTE, digest
from checker.model import PHASES, SEVERITIES, Report
from checker.reports import REPORTERS
from checker.reports.html import breakable, merged_findings

from ..conftest import ESTATE, NOW, ROOT, run_cli
from .conftest import build_report, waiver, write_waivers
from .test_html import browse

# The printable width of A4 (210 mm) with the stylesheet's 10 mm side margins, in CSS pixels
# (96 per inch); Letter (215.9 mm) is wider, so a page that fits A4 fits Letter.
A4_PRINTABLE_PX = round((210 - 20) / 25.4 * 96)
MAX_PDF_PAGES = 25  # faulted estate, --phase all: 64 pages before this report's print layout


def rows_of(dom: str) -> list[str]:
    return re.findall(r'<tr class="finding"[^>]*>', dom)


def attribute(tag: str, name: str) -> str:
    found = re.search(rf'{name}="([^"]*)"', tag)
    assert found is not None, (name, tag)
    return found.group(1)


def shown(dom: str) -> list[str]:
    return [r for r in rows_of(dom) if " hidden" not in r]


@pytest.fixture(scope="module")
def audit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The faulted estate copied to a temporary directory, checked with --phase all, a waiver
    file and a baseline; the HTML report written to out/report.html. (page, estate)"""
    base = tmp_path_factory.mktemp("audit")
    estate = base / "estate"
    shutil.copytree(ESTATE / "faulted", estate)
    waivers = write_waivers(base / "waivers.yaml", waiver("RET-001", "ledger.*"))
    baseline = base / "baseline.json"
    plan = estate / "failback.yaml"
    common = ["check", "-c", str(plan), "--now", NOW]
    run = run_cli([*common, "--format", "json", "-o", str(baseline)])
    assert run.exit_code == 1, run.stderr
    # the baseline knows the failback phase's findings; --phase all adds the others
    page = base / "out" / "report.html"
    page.parent.mkdir()
    run = run_cli(
        [
            *common,
            "--phase",
            "all",
            "--waivers",
            str(waivers),
            "--baseline",
            str(baseline),
            "--format",
            "html",
            "-o",
            str(page),
        ]
    )
    assert run.exit_code == 1, run.stderr
    return page, estate


@pytest.fixture(scope="module")
def all_phases() -> Report:
    return build_report("faulted", phases=PHASES)


# --- the page itself -------------------------------------------------------------------------


def test_no_absolute_local_path_in_the_page(audit: tuple[Path, Path]) -> None:
    page, estate = audit
    html = page.read_text()
    assert str(estate.parent) not in html and str(ROOT) not in html
    assert str(Path.cwd()) not in html
    # paths are relative to the report's folder
    assert "../<wbr>estate/<wbr>failback.<wbr>yaml" in html
    assert "../<wbr>estate/<wbr>us-<wbr>east-<wbr>1.<wbr>json" in html
    assert "../<wbr>waivers.<wbr>yaml" in html and "../<wbr>baseline.<wbr>json" in html


def test_evidence_files_with_sha256(audit: tuple[Path, Path]) -> None:
    page, estate = audit
    html = page.read_text()
    table = re.search(r'<table id="evidence-files".*?</table>', html, re.DOTALL)
    assert table is not None
    roles = re.findall(r'<tr data-role="([^"]+)">', table.group(0))
    assert roles == ["plan", "primary snapshot", "secondary snapshot", "waivers", "baseline"]
    base = page.parent.parent
    for role, path in (
        ("plan", estate / "failback.yaml"),
        ("primary snapshot", estate / "us-east-1.json"),
        ("secondary snapshot", estate / "us-west-2.json"),
        ("waivers", base / "waivers.yaml"),
        ("baseline", base / "baseline.json"),
    ):
        row = re.search(rf'<tr data-role="{role}">.*?</tr>', table.group(0))
        assert row is not None, role
        code = re.search(r'<code class="digest">(.*?)</code>', row.group(0))
        assert code is not None, role
        shown_digest = re.sub(r"<[^>]+>", "", code.group(1))
        assert shown_digest == hashlib.sha256(path.read_bytes()).hexdigest(), role


def test_judged_as_of_time(audit: tuple[Path, Path]) -> None:
    html = audit[0].read_text()
    assert f'<time id="judged-at" class="judged" datetime="{NOW}">{NOW}</time>' in html


def test_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    """The region diff once followed set order: two hash seeds gave two pages."""
    out = tmp_path / "report.html"
    plan = ESTATE / "faulted" / "failback.yaml"
    command = [sys.executable, "-m", "checker", "check", "-c", str(plan), "--phase", "all"]
    pages = []
    for seed in ("1", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [*command, "--now", NOW, "--format", "html", "-o", str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 1, result.stderr[-2000:]
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


def test_region_diff_summarised_per_area_and_collapsed(all_phases: Report) -> None:
    html = REPORTERS["html"](all_phases)
    summary = re.search(r'<table id="diff-summary">.*?</table>', html, re.DOTALL)
    assert summary is not None
    counted = {
        area: [int(n) for n in numbers]
        for area, numbers in (
            (m.group(1), re.findall(r'<td class="num">(\d+)</td>', m.group(0)))
            for m in re.finditer(r'<tr data-area="([^"]+)">.*?</tr>', summary.group(0))
        )
    }
    for area, (removed, added, changed, total) in counted.items():
        of_area = [c for c in all_phases.changes if c.area == area]
        assert removed == sum(1 for c in of_area if c.kind == "removed")
        assert added == sum(1 for c in of_area if c.kind == "added")
        assert changed == sum(1 for c in of_area if c.kind == "changed")
        assert total == len(of_area)
    assert sum(t for *_, t in counted.values()) == len(all_phases.changes)
    areas = re.findall(r'<details class="diff-area"[^>]*>', html)
    assert len(areas) == len(counted) and not any("open" in d for d in areas)


def test_reasons_visible_not_only_in_tooltips(all_phases: Report) -> None:
    html = REPORTERS["html"](all_phases)
    without_attributes = re.sub(r'title="[^"]*"', "", html)
    for cell in all_phases.decisions[0].scorecard:
        for reason in cell.reasons:
            assert reason.replace("'", "&#x27;") in without_attributes, reason
    assert '<details id="level-reasons" open>' in html


def test_resource_names_break_at_separators_only() -> None:
    assert breakable("ledger.entries/retention.ms") == (
        "ledger.<wbr>entries/<wbr>retention.<wbr>ms"
    )
    assert breakable("User:CN=fraud-scorer") == "User:<wbr>CN=fraud-<wbr>scorer"
    assert breakable("<b>.x") == "&lt;b&gt;.<wbr>x"  # escaped first, then opportunities added


def test_one_row_per_finding_that_fires_alike_in_several_phases(all_phases: Report) -> None:
    merged = merged_findings(all_phases)
    total = sum(len(d.findings) for d in all_phases.decisions)
    assert sum(len(phases) for phases, _ in merged) == total
    assert len(merged) < total
    html = REPORTERS["html"](all_phases)
    assert len(rows_of(html)) == len(merged)
    assert f"{total} findings over 5 phases" in html


def test_directory_evidence_digest_matches_sha256sum_listing(tmp_path: Path) -> None:
    tree = tmp_path / "manifests"
    (tree / "b").mkdir(parents=True)
    (tree / "a.yaml").write_text("kind: KafkaTopic\n")
    (tree / "b" / "c.yaml").write_text("kind: KafkaUser\n")
    (tree / "link.yaml").symlink_to(tree / "a.yaml")  # find -type f leaves links out
    listing = "".join(
        f"{hashlib.sha256((tree / name).read_bytes()).hexdigest()}  ./{name}\n"
        for name in ("a.yaml", "b/c.yaml")
    )
    item = digest("primary source", str(tree))
    assert item.sha256 == hashlib.sha256(listing.encode()).hexdigest()
    assert item.note == DIRECTORY_NOTE.format(count=2)


def test_unreadable_evidence_is_listed_with_the_reason(tmp_path: Path) -> None:
    item = digest("waivers", str(tmp_path / "gone.yaml"))
    assert item.sha256 is None and "not found" in item.problem


# --- in Chromium -----------------------------------------------------------------------------


def test_filters_in_chromium(audit: tuple[Path, Path], all_phases: Report, tmp_path: Path) -> None:
    page = audit[0]
    dom = browse(page, tmp_path, "--dump-dom")
    total = len(rows_of(dom))
    assert total > 0 and len(shown(dom)) == total
    assert f"{total} of {total} findings shown" in dom
    assert '<div id="filters" class="filters">' in dom  # unhidden by the script

    dom = browse(page, tmp_path, "--dump-dom", fragment="#phase=failback&severity=high")
    visible = shown(dom)
    high = SEVERITIES.index("high")
    assert visible and all(
        "failback" in attribute(r, "data-phases").split() and int(attribute(r, "data-rank")) >= high
        for r in visible
    )
    failback = next(d for d in all_phases.decisions if d.phase == "failback")
    expected = {
        (f.rule_id, f.resource, f.message)
        for f in failback.findings
        if SEVERITIES.index(f.severity) >= high
    }
    assert len(visible) == len(expected)
    assert any('data-severity="critical"' in r for r in visible)  # a threshold, not exact

    dom = browse(page, tmp_path, "--dump-dom", fragment="#status=waived")
    visible = shown(dom)
    assert visible and all('data-status="waived"' in r for r in visible)

    dom = browse(page, tmp_path, "--dump-dom", fragment="#q=LEDGER.entries")
    body = re.findall(r'<tr class="finding"(?![^>]* hidden)[^>]*>.*?</tr>', dom, re.DOTALL)
    assert body and all("ledger.entries" in re.sub(r"<[^>]+>", "", r).lower() for r in body)
    assert len(body) < total


def test_without_javascript_everything_is_visible(audit: tuple[Path, Path], tmp_path: Path) -> None:
    """Scripts blocked (the page's own CSP tightened to script-src 'none', as a viewer that
    runs no JavaScript): every finding is shown, the useless filter bar stays hidden."""
    html = audit[0].read_text()
    assert "script-src 'unsafe-inline'" in html
    page = tmp_path / "no-js.html"
    page.write_text(html.replace("script-src 'unsafe-inline'", "script-src 'none'", 1))
    dom = browse(page, tmp_path, "--dump-dom", fragment="#severity=critical")
    assert 'data-ready="true"' not in dom
    assert rows_of(dom) and len(shown(dom)) == len(rows_of(dom))
    assert '<div id="filters" class="filters" hidden="">' in dom


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))


def test_print_to_pdf_page_count(audit: tuple[Path, Path], tmp_path: Path) -> None:
    page = audit[0]
    for paper, css in (("letter", ""), ("a4", "@page{size:A4}")):
        target = page
        if css:
            target = tmp_path / f"{paper}.html"
            target.write_text(page.read_text().replace("</style>", css + "</style>", 1))
        pdf = tmp_path / f"{paper}.pdf"
        browse(target, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
        count = pdf_pages(pdf.read_bytes())
        assert 1 < count <= MAX_PDF_PAGES, (paper, count)


CHECK_OVERFLOW = """<script>
(function(){
  var width=document.documentElement.clientWidth, bad=[];
  var page=document.documentElement.scrollWidth;
  if(page>width){bad.push('page '+page);}
  document.querySelectorAll('table,td,th').forEach(function(el){
    var r=el.getBoundingClientRect();
    if(r.right>width+0.5){bad.push(el.tagName+'#'+(el.id||'')+' right '+r.right);}
    if(el.tagName!=='TABLE'&&el.scrollWidth>el.clientWidth+1){
      bad.push(el.tagName+' '+el.textContent.slice(0,40)+' '+el.scrollWidth+'>'+el.clientWidth);
    }
  });
  document.body.setAttribute('data-overflow',bad.length?bad.slice(0,5).join(' | '):'none');
})();
</script>"""


def test_print_layout_fits_the_page_width(audit: tuple[Path, Path], tmp_path: Path) -> None:
    """The print stylesheet applied on screen at A4's printable width (every diff area open,
    the harshest case): no table, cell or the page is wider than the paper."""
    html = audit[0].read_text()
    harness = html.replace("@media print{", "@media all{").replace(
        '<details class="diff-area"', '<details open class="diff-area"'
    )
    harness = harness.replace("</body>", CHECK_OVERFLOW + "</body>")
    page = tmp_path / "print-harness.html"
    page.write_text(harness)
    dom = browse(
        page, tmp_path, "--dump-dom", f"--window-size={A4_PRINTABLE_PX},1200", "--hide-scrollbars"
    )
    found = re.search(r'data-overflow="([^"]*)"', dom)
    assert found is not None and found.group(1) == "none", found and found.group(1)


def test_reasons_of_phases_not_judged_are_collapsed(faulted: Report) -> None:
    html = REPORTERS["html"](faulted)  # --phase failback
    opened = re.search(r'<details id="level-reasons" open>.*?</details>', html, re.DOTALL)
    closed = re.search(r'<details id="level-reasons-other">.*?</details>', html, re.DOTALL)
    assert opened is not None and closed is not None
    assert set(re.findall(r'<tr data-family="[^"]+" data-phase="([^"]+)">', opened.group(0))) == {
        "failback"
    }
    assert "failback" not in re.findall(
        r'<tr data-family="[^"]+" data-phase="([^"]+)">', closed.group(0)
    )


CHANGE_FILTERS = """<script>
var s=document.getElementById('filter-severity');s.value='critical';
s.dispatchEvent(new Event('change'));
var q=document.getElementById('filter-text');q.value='Fraud';
q.dispatchEvent(new Event('input'));
document.body.setAttribute('data-hash',location.hash);
</script>"""


def test_changing_a_filter_updates_rows_and_fragment(
    audit: tuple[Path, Path], tmp_path: Path
) -> None:
    """A person picks `critical` and types a word: the rows follow, and the URL fragment
    records the state (a link to share)."""
    page = tmp_path / "interactive.html"
    page.write_text(audit[0].read_text().replace("</body>", CHANGE_FILTERS + "</body>"))
    dom = browse(page, tmp_path, "--dump-dom")
    assert 'data-hash="#severity=critical&amp;q=Fraud"' in dom
    body = re.findall(r'<tr class="finding"(?![^>]* hidden)[^>]*>.*?</tr>', dom, re.DOTALL)
    assert body and all('data-severity="critical"' in r for r in body)
    assert all("fraud" in re.sub(r"<[^>]+>", "", r).lower() for r in body)
    assert f"{len(body)} of {len(rows_of(dom))} findings shown" in dom
