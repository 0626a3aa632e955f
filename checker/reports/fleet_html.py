"""The fleet report as one self-contained HTML dashboard.

Like the single-pair report (html.py: its CSS, Content-Security-Policy and escaping): no network
assets, a little inline JS. Sections: the summary, the heat map (pair x phase, coloured by
verdict; a pair that could not be judged shows why), the worst findings across the fleet, the
evidence gaps by area. Filters: the pairs by verdict, the findings by area, severity and status;
preset them with #verdict=..&area=..&severity=..&status=.. . Every value is HTML-escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import __version__
from ..fleet.report import FleetReport, PairResult, gaps_by_area, worst_findings
from ..model import PHASES, SEVERITIES, VERDICT_LABELS, VERDICTS
from .html import CSP, CSS, e

MAX_FINDINGS = 500

FLEET_CSS = """
table.fleet td.cell{text-align:center;font-weight:600;min-width:90px}
.c-go{background:#b7e4c0}.c-no-go{background:#f4c7c3}.c-indeterminate{background:#fff1a8}
.c-none{color:var(--muted)}
td.why{color:var(--muted);font-size:12px;max-width:420px;word-break:break-word}
"""

JS = """
(function(){
  function rowsOf(sel){return Array.prototype.slice.call(document.querySelectorAll(sel));}
  var verdict=document.getElementById('filter-verdict'),
      area=document.getElementById('filter-area'),
      sev=document.getElementById('filter-severity'),
      st=document.getElementById('filter-status');
  var pairs=rowsOf('#heatmap tbody tr.pair'), findings=rowsOf('#findings-table tbody tr.finding');
  function apply(){
    var shownPairs=0, shown=0;
    pairs.forEach(function(r){
      var ok=!verdict.value||r.dataset.verdict===verdict.value;
      r.hidden=!ok; if(ok){shownPairs++;}
    });
    findings.forEach(function(r){
      var ok=(!verdict.value||r.dataset.verdict===verdict.value)
        &&(!area.value||r.dataset.area===area.value)
        &&(!sev.value||r.dataset.severity===sev.value)
        &&(!st.value||r.dataset.status===st.value);
      r.hidden=!ok; if(ok){shown++;}
    });
    document.getElementById('pairs-count').textContent=
      shownPairs+' of '+pairs.length+' pairs shown';
    document.getElementById('shown-count').textContent=
      shown+' of '+findings.length+' findings shown';
  }
  var params={};
  location.hash.replace(/^#/,'').split('&').forEach(function(p){
    var kv=p.split('=');
    if(kv[0]){params[decodeURIComponent(kv[0])]=decodeURIComponent(kv[1]||'');}
  });
  [['verdict',verdict],['area',area],['severity',sev],['status',st]].forEach(function(x){
    if(params[x[0]]!==undefined){x[1].value=params[x[0]];}
    x[1].addEventListener('change',apply);
  });
  apply();
  document.body.setAttribute('data-ready','true');
})();
"""


def _select(ident: str, label: str, values: Sequence[str]) -> str:
    options = "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in values)
    return (
        f'<label for="{ident}">{label}</label><select id="{ident}">'
        f'<option value="">all</option>{options}</select>'
    )


def _header(report: FleetReport) -> str:
    verdict = {0: "go", 1: "no-go"}.get(int(report.exit_code), "indeterminate")
    partial = (
        '<p id="partial" class="badge v-indeterminate">partial: the run was interrupted</p>'
        if report.partial
        else ""
    )
    return (
        f"<header><h1>Failback fleet: {e(report.name)} "
        f'<span id="verdict" class="badge v-{verdict}" data-verdict="{verdict}">'
        f"{e(VERDICT_LABELS[verdict])}</span></h1>"
        f'<p id="summary"><strong>{e(report.summary_line())}</strong></p>{partial}'
        f'<div class="meta">fail-on {e(report.fail_on)} · judged at {e(report.generated_at)} · '
        f"failback-checker {e(__version__)} · exit code {int(report.exit_code)}</div></header>"
    )


def _cell(pair: PairResult, phase: str, decisions: Mapping[str, Mapping[str, Any]]) -> str:
    decision = decisions.get(phase)
    if decision is None:
        return f'<td class="cell c-none" data-phase="{e(phase)}" data-verdict="">&ndash;</td>'
    verdict = str(decision["verdict"])
    gaps = len(decision["gaps"])
    tip = f"{decision['blocking']} blocking, {len(decision['findings'])} findings, {gaps} gaps"
    return (
        f'<td class="cell c-{e(verdict)}" data-pair="{e(pair.identity)}" data-phase="{e(phase)}" '
        f'data-verdict="{e(verdict)}" title="{e(tip)}">'
        f"{e(VERDICT_LABELS.get(verdict, verdict))}</td>"
    )


def _heatmap(report: FleetReport) -> str:
    rows = []
    for pair in report.pairs:
        decisions = {str(d["phase"]): d for d in pair.decisions}
        regions = f"{pair.primary} → {pair.secondary}" if pair.primary else ""
        rows.append(
            f'<tr class="pair" data-pair="{e(pair.identity)}" data-verdict="{e(pair.verdict)}" '
            f'data-status="{e(pair.status)}"><th><code>{e(pair.identity)}</code></th>'
            f"<td>{e(pair.name)}</td><td>{e(regions)}</td>"
            + "".join(_cell(pair, phase, decisions) for phase in PHASES)
            + f'<td class="why">{e(pair.reason)}</td></tr>'
        )
    head = "".join(f"<th>{e(p)}</th>" for p in PHASES)
    return (
        '<section id="heatmap-section"><h2>Pairs &times; phases</h2><div class="filters">'
        + _select("filter-verdict", "verdict", list(VERDICTS))
        + f'<span id="pairs-count" class="meta">{len(rows)} pairs</span></div>'
        '<table id="heatmap" class="fleet"><thead><tr><th>pair</th><th>plan</th>'
        f"<th>regions</th>{head}<th>why not judged</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _status(finding: Mapping[str, Any]) -> str:
    if finding.get("waived"):
        return "waived"
    if finding.get("known"):
        return "known"
    return "blocking" if finding.get("blocking") else "advisory"


def _findings(report: FleetReport) -> str:
    worst = worst_findings(report, MAX_FINDINGS)
    rows = []
    for pair, phase, finding in worst:
        state = _status(finding)
        rows.append(
            f'<tr class="finding" data-pair="{e(pair.identity)}" data-verdict="{e(pair.verdict)}" '
            f'data-phase="{e(phase)}" data-area="{e(finding["area"])}" '
            f'data-severity="{e(finding["severity"])}" data-status="{state}">'
            f"<td><code>{e(pair.identity)}</code></td><td>{e(phase)}</td>"
            f'<td class="st-{state}">{state}</td><td class="sevcell">'
            f'<span class="sev sev-{e(finding["severity"])}">{e(finding["severity"])}</span></td>'
            f'<td class="rule"><code>{e(finding["rule_id"])}</code></td>'
            f"<td>{e(finding['area'])}</td>"
            f'<td class="res"><code>{e(finding["resource"])}</code></td>'
            f"<td>{e(finding['message'])}</td></tr>"
        )
    areas = sorted({str(f["area"]) for _, _, f in worst})
    severities = [s for s in reversed(SEVERITIES) if any(f["severity"] == s for _, _, f in worst)]
    empty = "" if rows else '<p class="meta">No findings.</p>'
    return (
        '<section id="findings"><h2>Worst findings across the fleet</h2><div class="filters">'
        + _select("filter-area", "area", areas)
        + _select("filter-severity", "severity", severities)
        + _select("filter-status", "status", ["blocking", "advisory", "waived", "known"])
        + f'<span id="shown-count" class="meta">{len(rows)} findings</span></div>'
        '<table id="findings-table"><thead><tr><th>pair</th><th>phase</th><th>status</th>'
        "<th>severity</th><th>rule</th><th>area</th><th>resource</th><th>message</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>{empty}</section>"
    )


def _gaps(report: FleetReport) -> str:
    gaps = gaps_by_area(report)
    rows = "".join(
        f'<tr data-area="{e(area)}"><td>{e(area)}</td><td>{len(pairs)}</td>'
        f"<td>{', '.join(f'<code>{e(p)}</code>' for p in pairs)}</td></tr>"
        for area, pairs in gaps.items()
    )
    empty = "" if rows else '<p class="meta">No evidence gaps.</p>'
    return (
        '<section id="gaps-section"><h2>Evidence gaps by area</h2><table id="gaps">'
        "<thead><tr><th>area</th><th>pairs</th><th>which</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{empty}</section>"
    )


def render(report: FleetReport) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>failback-checker fleet: {e(report.name)}</title>"
        f"<style>{CSS}{FLEET_CSS}</style></head><body>"
        + _header(report)
        + _heatmap(report)
        + _findings(report)
        + _gaps(report)
        + f"<script>{JS}</script></body></html>\n"
    )
