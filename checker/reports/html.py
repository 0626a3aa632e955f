"""One self-contained HTML audit report for security teams.

No network assets: inline CSS and a little inline JS only, and a Content-Security-Policy that
forbids loading anything. Sections: the verdict per phase, the readiness heat map (topic
family x phase, coloured by level), the findings (filterable by area, severity and status; the
filter can be preset with #area=..&severity=..&status=..), the region diff side by side, and the
evidence each snapshot came from. Every value from a snapshot or plan is HTML-escaped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from typing import Any

from .. import __version__
from ..model import (
    PHASES,
    READINESS_LEVELS,
    SEVERITIES,
    VERDICT_LABELS,
    Change,
    Finding,
    Report,
    Snapshot,
)
from . import RenderOptions
from .escape import visible, visible_lines
from .markdown import overall
from .matrix import grid
from .words import counted

MAX_CHANGES = 2_000

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;
--go:#1a7f37;--nogo:#cf222e;--ind:#9a6700;
--unwritten:#f4c7c3;--documented:#fbd9a5;--rehearsed:#fff1a8;--operationalized:#b7e4c0}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
color:var(--fg);background:var(--bg);margin:0;padding:24px 32px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta{color:var(--muted)}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.v-go{background:var(--go)}.v-no-go{background:var(--nogo)}.v-indeterminate{background:var(--ind)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
table.heatmap td{text-align:center;font-weight:600;min-width:120px}
table.heatmap th.judged{text-decoration:underline}
.lvl-unwritten{background:var(--unwritten)}.lvl-documented{background:var(--documented)}
.lvl-rehearsed{background:var(--rehearsed)}.lvl-operationalized{background:var(--operationalized)}
.lowered::after{content:" \\2193";color:var(--nogo)}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:4px}
.sev{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;font-weight:600}
.sev-critical{background:#8250df;color:#fff}.sev-high{background:#cf222e;color:#fff}
.sev-medium{background:#bf8700;color:#fff}.sev-low{background:#0969da;color:#fff}
.sev-info{background:#d1d9e0}
.st-blocking{color:var(--nogo);font-weight:600}.st-waived,.st-known{color:var(--muted)}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{margin:0;white-space:pre-wrap;word-break:break-all}
.filters{display:flex;gap:12px;align-items:center;margin:6px 0}
.filters label{color:var(--muted)}
.fix{color:var(--muted);font-size:12px}
td.rule,td.sevcell{white-space:nowrap}td.res{max-width:320px;word-break:break-all}
.k-added{background:#dafbe1}.k-removed{background:#ffebe9}.k-changed{background:#fff8c5}
"""

JS = """
(function(){
  var area=document.getElementById('filter-area'),
      sev=document.getElementById('filter-severity'),
      st=document.getElementById('filter-status'),
      count=document.getElementById('shown-count');
  var rows=Array.prototype.slice.call(
      document.querySelectorAll('#findings-table tbody tr.finding'));
  function apply(){
    var shown=0;
    rows.forEach(function(r){
      var ok=(!area.value||r.dataset.area===area.value)
        &&(!sev.value||r.dataset.severity===sev.value)
        &&(!st.value||r.dataset.status===st.value);
      r.hidden=!ok; if(ok){shown++;}
    });
    count.textContent=shown+' of '+rows.length+' findings shown';
  }
  var params={};
  location.hash.replace(/^#/,'').split('&').forEach(function(p){
    var kv=p.split('=');
    if(kv[0]){params[decodeURIComponent(kv[0])]=decodeURIComponent(kv[1]||'');}
  });
  if(params.area!==undefined){area.value=params.area;}
  if(params.severity!==undefined){sev.value=params.severity;}
  if(params.status!==undefined){st.value=params.status;}
  [area,sev,st].forEach(function(el){el.addEventListener('change',apply);});
  apply();
  document.body.setAttribute('data-ready','true');
})();
"""

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def e(value: Any) -> str:
    return escape("" if value is None else visible(value), quote=True)


def _value(value: Any) -> str:
    if value is None:
        return '<span class="meta">&ndash;</span>'
    if isinstance(value, str):
        return f"<pre>{e(value)}</pre>"
    laid_out = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)
    return f"<pre>{escape(visible_lines(laid_out), quote=True)}</pre>"


def status(finding: Finding) -> str:
    if finding.waived:
        return "waived"
    if finding.known:
        return "known"
    return "blocking" if finding.blocking else "advisory"


def _header(report: Report) -> str:
    verdict = overall(report)
    rows = "".join(
        f'<tr><td>{e(d.phase)}</td><td><span class="badge v-{e(d.verdict)}">'
        f"{e(VERDICT_LABELS.get(d.verdict, d.verdict))}</span></td><td>{len(d.blocking)}</td>"
        f"<td>{len(d.findings)}</td><td>{sum(1 for f in d.findings if f.waived)}</td>"
        f"<td>{sum(1 for f in d.findings if f.known)}</td><td>{len(d.gaps)}</td></tr>"
        for d in report.decisions
    )
    return (
        f"<header><h1>Failback readiness: {e(report.plan_name)} "
        f'<span id="verdict" class="badge v-{e(verdict)}" data-verdict="{e(verdict)}">'
        f"{e(VERDICT_LABELS.get(verdict, verdict))}</span></h1>"
        f'<div class="meta">{e(report.primary.region)} (primary) vs '
        f"{e(report.secondary.region)} (secondary) · fail-on {e(report.fail_on)} · "
        f"failback-checker {e(__version__)} · exit code {int(report.exit_code)}</div></header>"
        '<section id="phases"><h2>Verdict per phase</h2><table><thead><tr><th>phase</th>'
        "<th>verdict</th><th>blocking</th><th>findings</th><th>waived</th><th>known</th>"
        f"<th>gaps</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _heatmap(report: Report) -> str:
    families, table = grid(report)
    judged = {d.phase for d in report.decisions}
    head = "".join(f'<th class="{"judged" if p in judged else ""}">{e(p)}</th>' for p in PHASES)
    body = []
    for family in families:
        cells = []
        for phase in PHASES:
            cell = table.get((family, phase))
            if cell is None:
                cells.append("<td>&ndash;</td>")
                continue
            lowered = " lowered" if cell.level != cell.evidence_level else ""
            tip = "\n".join(  # one tooltip line per reason; each reason one visible line
                e(line) for line in [*cell.reasons, f"next: {cell.next_step or 'highest level'}"]
            )
            cells.append(
                f'<td class="lvl-{e(cell.level)}{lowered}" data-family="{e(family)}" '
                f'data-phase="{e(phase)}" data-level="{e(cell.level)}" '
                f'title="{tip}">{e(cell.level)}</td>'
            )
        body.append(f"<tr><th>{e(family)}</th>{''.join(cells)}</tr>")
    legend = "".join(f'<span class="lvl-{lv}">{lv}</span>' for lv in READINESS_LEVELS)
    return (
        '<section id="heatmap-section"><h2>Readiness heat map</h2>'
        '<table id="heatmap" class="heatmap"><thead><tr><th>family</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<div class="legend meta">{legend} ↓ lowered by the phase\'s blocking findings; '
        "hover a cell for the reasons and the next step</div></section>"
    )


def _finding_row(phase: str, finding: Finding) -> str:
    state = status(finding)
    where = "/".join(p for p in (finding.region, finding.family) if p) or "both"
    extra = ""
    if finding.waived:
        w = finding.waived
        extra = (
            f'<div class="fix">waived by {e(w.get("owner"))} until {e(w.get("expires"))}'
            f" ({e(w.get('ticket'))}): {e(w.get('reason'))}</div>"
        )
    elif finding.known:
        extra = '<div class="fix">known: in the baseline</div>'
    return (
        f'<tr class="finding" data-phase="{e(phase)}" data-area="{e(finding.area)}" '
        f'data-severity="{e(finding.severity)}" data-status="{state}">'
        f'<td>{e(phase)}</td><td class="st-{state}">{state}</td>'
        f'<td class="sevcell"><span class="sev sev-{e(finding.severity)}">'
        f"{e(finding.severity)}</span></td>"
        f'<td class="rule"><code>{e(finding.rule_id)}</code></td><td>{e(finding.area)}</td>'
        f'<td class="res"><code>{e(finding.resource)}</code></td><td>{e(where)}</td>'
        f'<td>{e(finding.message)}{extra}<div class="fix">fix: {e(finding.remediation)}'
        "</div></td></tr>"
    )


def _findings(report: Report) -> str:
    rows = [_finding_row(d.phase, f) for d in report.decisions for f in d.findings]
    areas = sorted({f.area for d in report.decisions for f in d.findings})
    severities = [
        s
        for s in reversed(SEVERITIES)
        if any(f.severity == s for d in report.decisions for f in d.findings)
    ]

    def select(ident: str, label: str, values: Sequence[str]) -> str:
        options = "".join(f'<option value="{e(v)}">{e(v)}</option>' for v in values)
        return (
            f'<label for="{ident}">{label}</label><select id="{ident}">'
            f'<option value="">all</option>{options}</select>'
        )

    empty = "" if rows else '<p class="meta">No findings.</p>'
    return (
        '<section id="findings"><h2>Findings</h2><div class="filters">'
        + select("filter-area", "area", areas)
        + select("filter-severity", "severity", severities)
        + select("filter-status", "status", ["blocking", "advisory", "waived", "known"])
        + f'<span id="shown-count" class="meta">{len(rows)} findings</span></div>'
        '<table id="findings-table"><thead><tr><th>phase</th><th>status</th>'
        "<th>severity</th><th>rule</th><th>area</th><th>resource</th><th>where</th>"
        f"<th>message</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{empty}"
        "</section>"
    )


def _change_row(change: Change) -> str:
    return (
        f'<tr class="change k-{e(change.kind)}" data-kind="{e(change.kind)}">'
        f"<td>{e(change.area)}</td><td><code>{e(change.path)}</code></td>"
        f"<td>{e(change.kind)}</td><td>{_value(change.primary)}</td>"
        f"<td>{_value(change.secondary)}</td></tr>"
    )


def _diff(report: Report) -> str:
    shown = report.changes[:MAX_CHANGES]
    more = len(report.changes) - len(shown)
    note = (
        f'<p class="meta">{more} more changes not shown: run <code>failback diff</code>.</p>'
        if more > 0
        else ""
    )
    empty = "" if shown else '<p class="meta">No governance drift between the regions.</p>'
    return (
        '<section id="diff"><h2>Region diff</h2><p class="meta">The normalised '
        "governance surface, side by side (removed: only in the primary; added: only in "
        'the secondary).</p><table id="diff-table"><thead><tr><th>area</th><th>path</th>'
        f"<th>kind</th><th>{e(report.primary.region)} (primary)</th>"
        f"<th>{e(report.secondary.region)} (secondary)</th></tr></thead><tbody>"
        f"{''.join(_change_row(c) for c in shown)}</tbody></table>{empty}{note}</section>"
    )


def _snapshot_row(role: str, snapshot: Snapshot) -> str:
    source = snapshot.document.get("source", {})
    source = source if isinstance(source, dict) else {}
    return (
        f'<tr data-role="{role}"><td>{role}</td><td>{e(snapshot.region)}</td>'
        f"<td>{e(snapshot.captured_at)}</td><td>{e(source.get('type'))}</td>"
        f"<td>{e(source.get('detail'))}</td><td><code>{e(source.get('file'))}</code></td>"
        f"<td><code>{e(snapshot.origin)}</code></td><td>{e(snapshot.schema_version)}</td>"
        "</tr>"
    )


def _evidence(report: Report) -> str:
    gaps = [(d.phase, g) for d in report.decisions[:1] for g in d.gaps]
    gap_rows = "".join(
        f"<tr><td>{e(g.get('region'))}</td><td>{e(g.get('area'))}</td><td>{e(g.get('reason'))}"
        f"</td><td><code>{e(g.get('call'))}</code></td><td>"
        f"{'yes' if g.get('in_scope', True) else 'no (out of scope)'}</td></tr>"
        for _, g in gaps
    )
    gap_table = (
        (
            '<h3>Evidence gaps</h3><table id="gaps"><thead><tr><th>region</th>'
            "<th>area</th><th>reason</th><th>call</th><th>in scope</th></tr></thead>"
            f"<tbody>{gap_rows}</tbody></table>"
        )
        if gap_rows
        else ""
    )
    extra = []
    if report.waivers is not None:
        w = report.waivers
        unused = "".join(
            f"<li><code>{e(x.rule_id)}</code> <code>{e(x.resource)}</code> "
            f"(owner {e(x.owner)}, {e(x.ticket)}, expires {e(x.expires)})</li>"
            for x in w.unused
        )
        extra.append(
            f'<p id="waivers">Waivers: <code>{e(w.file)}</code>, {len(w.waivers)} '
            f"declared, {len(w.unused)} unused, {len(w.expired)} expired.</p>"
            + (f"<ul>{unused}</ul>" if unused else "")
        )
    if report.baseline is not None:
        extra.append(
            f'<p id="baseline">Baseline: <code>{e(report.baseline.file)}</code>, '
            f"{counted(report.baseline.known, 'known finding')} "
            f"{'does' if report.baseline.known == 1 else 'do'} not block.</p>"
        )
    return (
        '<section id="evidence"><h2>Evidence</h2><table id="evidence-table"><thead><tr>'
        "<th>role</th><th>region</th><th>captured at</th><th>source</th><th>detail</th>"
        "<th>source file</th><th>snapshot</th><th>schema</th></tr></thead><tbody>"
        + _snapshot_row("primary", report.primary)
        + _snapshot_row("secondary", report.secondary)
        + f"</tbody></table>{gap_table}{''.join(extra)}</section>"
    )


def render(report: Report, options: RenderOptions | None = None) -> str:
    verdict = overall(report)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>failback-checker: {e(report.plan_name)} {e(VERDICT_LABELS.get(verdict, verdict))}"
        f"</title><style>{CSS}</style></head><body>"
        + _header(report)
        + _heatmap(report)
        + _findings(report)
        + _diff(report)
        + _evidence(report)
        + f"<script>{JS}</script></body></html>\n"
    )
