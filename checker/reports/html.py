"""One self-contained HTML audit report for security teams and auditors.

No network assets: inline CSS and a little inline JS only, and a Content-Security-Policy that
forbids loading anything. Sections: the verdict per phase and the time the evidence was judged
as of, the readiness heat map with each level's reasons written out, the findings, the region
diff summarised per area (each area's changes expandable), and the evidence: each snapshot and
each file the report rests on with its sha256.

Findings: a finding that fires alike (same status, message and fix) in several phases is one
row listing those phases. Without JavaScript every row is shown; with it, filters for phase,
severity threshold ("high and above"), status, area and a text search over rule id, resource
and message narrow the rows. The filter state lives in the URL fragment
(`#phase=failback&severity=high&status=blocking&area=acl&q=ledger`), so a link can preset it.

Print (@media print): filters hidden, collapsed diff areas left out, fixed table layouts that
wrap inside the page width of A4 and Letter; resource names and paths break after `.`, `/`,
`:`, `-` and `_` (<wbr>), never inside a word. Paths are shown relative to
`RenderOptions.cwd` (the CLI passes the report's directory). The output is deterministic: the
same report renders to the same bytes. Every value from a snapshot or plan is HTML-escaped.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from .. import __version__
from ..digests import evidence_paths
from ..model import (
    PHASES,
    READINESS_LEVELS,
    SEVERITIES,
    VERDICT_LABELS,
    Change,
    EvidenceFile,
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
STATUSES = ("blocking", "advisory", "waived", "known")
CHANGE_KINDS = ("removed", "added", "changed")

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;
--go:#1a7f37;--nogo:#cf222e;--ind:#9a6700;
--unwritten:#f4c7c3;--documented:#fbd9a5;--rehearsed:#fff1a8;--operationalized:#b7e4c0}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;
color:var(--fg);background:var(--bg);margin:0;padding:24px 32px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
.meta{color:var(--muted)}
.judged{font-weight:600}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.v-go{background:var(--go)}.v-no-go{background:var(--nogo)}.v-indeterminate{background:var(--ind)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;
overflow-wrap:break-word}
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
pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:6px 0}
.filters label{color:var(--muted)}
.fix{color:var(--muted);font-size:12px}
td.rule code{white-space:nowrap}
.digest{font-size:11px}
.k-added{background:#dafbe1}.k-removed{background:#ffebe9}.k-changed{background:#fff8c5}
details{margin:4px 0}summary{cursor:pointer}
td.num{text-align:right}
@page{margin:12mm 10mm}
@media print{
body{font-size:9pt;line-height:1.3;padding:0}
h1{font-size:15pt}h2{font-size:12pt;margin:14px 0 6px;break-after:avoid}
h3{font-size:10.5pt;break-after:avoid}
.filters,#shown-count{display:none}
table{table-layout:fixed;width:100%}
thead{display:table-header-group}
tr{break-inside:avoid}
th,td{padding:2px 4px}
code,pre{font-size:8pt}
.fix{font-size:8pt}
.sev{font-size:8pt;padding:0 3px}
table.heatmap td{min-width:0}
#phases table{table-layout:auto}.badge{padding:0 5px}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
details.diff-area:not([open]) table{display:none}
col.c-phase{width:12%}col.c-status{width:10%}col.c-rule{width:13%}col.c-res{width:25%}
col.c-family{width:13%}col.c-level{width:12%}col.c-next{width:18%}
col.c-role{width:16%}col.c-path{width:34%}col.c-digest{width:30%}
table.reasons{font-size:8pt}
}
"""

JS = """
(function(){
  var ids=['phase','severity','status','area','q'];
  var el={phase:document.getElementById('filter-phase'),
    severity:document.getElementById('filter-severity'),
    status:document.getElementById('filter-status'),
    area:document.getElementById('filter-area'),
    q:document.getElementById('filter-text')};
  var count=document.getElementById('shown-count');
  var bar=document.getElementById('filters');
  var rows=Array.prototype.slice.call(
      document.querySelectorAll('#findings-table tbody tr.finding'));
  var text=rows.map(function(r){
    return Array.prototype.map.call(r.querySelectorAll('.searchable'),
      function(c){return c.textContent;}).join(' ').toLowerCase();
  });
  function rank(){
    var o=el.severity.options[el.severity.selectedIndex];
    return o&&o.value?Number(o.getAttribute('data-rank')):-1;
  }
  function apply(){
    var shown=0,min=rank(),q=el.q.value.trim().toLowerCase();
    rows.forEach(function(r,i){
      var ok=(!el.phase.value||(' '+r.dataset.phases+' ').indexOf(' '+el.phase.value+' ')>=0)
        &&Number(r.dataset.rank)>=min
        &&(!el.status.value||r.dataset.status===el.status.value)
        &&(!el.area.value||r.dataset.area===el.area.value)
        &&(!q||text[i].indexOf(q)>=0);
      r.hidden=!ok; if(ok){shown++;}
    });
    count.textContent=shown+' of '+rows.length+' findings shown';
  }
  function fromHash(){
    var params={};
    location.hash.replace(/^#/,'').split('&').forEach(function(p){
      var at=p.indexOf('='),key=at<0?p:p.slice(0,at),value=at<0?'':p.slice(at+1);
      if(key){
        try{params[decodeURIComponent(key)]=decodeURIComponent(value.replace(/\\+/g,' '));}
        catch(err){}
      }
    });
    ids.forEach(function(k){
      if(params[k]===undefined){return;}
      el[k].value=params[k];
      if(el[k].tagName==='SELECT'&&el[k].selectedIndex<0){el[k].value='';}
    });
    apply();
  }
  function toHash(){
    var parts=[];
    ids.forEach(function(k){
      if(el[k].value){parts.push(k+'='+encodeURIComponent(el[k].value));}
    });
    var url=parts.length?'#'+parts.join('&'):location.pathname+location.search;
    try{history.replaceState(null,'',url);}
    catch(err){}
    apply();
  }
  ids.forEach(function(k){
    el[k].addEventListener(k==='q'?'input':'change',toHash);
  });
  window.addEventListener('hashchange',fromHash);
  bar.hidden=false;
  fromHash();
  document.body.setAttribute('data-ready','true');
})();
"""

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)

_BREAK_AFTER = re.compile(r"([./:\-_])(?=[^./:\-_])")


def e(value: Any) -> str:
    return escape("" if value is None else visible(value), quote=True)


def breakable(value: Any) -> str:
    """Escaped, with a line-break opportunity (<wbr>) after each `.`, `/`, `:`, `-` and `_`:
    a long resource name or path wraps between its parts, never inside a word."""
    return _BREAK_AFTER.sub(r"\1<wbr>", e(value))


def digest_text(value: str) -> str:
    """A sha256 in four groups of 16 that may wrap between them (copying keeps it whole)."""
    return "<wbr>".join(e(value[i : i + 16]) for i in range(0, len(value), 16))


def shown_path(path: str, base: Path | None) -> str:
    """`path` relative to `base` (default: the working directory): no absolute local path in
    the page."""
    start = os.path.abspath(base if base is not None else Path.cwd())
    try:
        return Path(os.path.relpath(os.path.abspath(path), start)).as_posix()
    except ValueError:  # another drive (Windows): the name alone
        return Path(path).name


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
    judged = (
        f'judged as of <time id="judged-at" class="judged" datetime="{e(report.judged_at)}">'
        f"{e(report.judged_at)}</time>"
        if report.judged_at
        else '<span id="judged-at">judged-as-of time not recorded</span>'
    )
    return (
        f"<header><h1>Failback readiness: {e(report.plan_name)} "
        f'<span id="verdict" class="badge v-{e(verdict)}" data-verdict="{e(verdict)}">'
        f"{e(VERDICT_LABELS.get(verdict, verdict))}</span></h1>"
        f'<div class="meta">{judged} · {e(report.primary.region)} (primary) vs '
        f"{e(report.secondary.region)} (secondary) · fail-on {e(report.fail_on)} · "
        f"failback-checker {e(__version__)} · exit code {int(report.exit_code)}</div></header>"
        '<section id="phases"><h2>Verdict per phase</h2><table><thead><tr><th>phase</th>'
        "<th>verdict</th><th>blocking</th><th>findings</th><th>waived</th><th>known</th>"
        f"<th>gaps</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _reasons(ident: str, which: str, rows: Sequence[str], opened: bool) -> str:
    """The reasons and next step of each heat-map cell, written out (not only in tooltips)."""
    if not rows:
        return ""
    return (
        f'<details id="{ident}"{" open" if opened else ""}><summary>Why each level in {which}: '
        f'the reasons and the next step</summary><table id="{ident}-table" class="reasons">'
        '<colgroup><col class="c-family"><col class="c-phase"><col class="c-level"><col>'
        '<col class="c-next"></colgroup><thead><tr><th>family</th><th>phase</th><th>level</th>'
        f"<th>reasons</th><th>next step</th></tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></details>"
    )


def _heatmap(report: Report) -> str:
    families, table = grid(report)
    judged = {d.phase for d in report.decisions}
    head = "".join(f'<th class="{"judged" if p in judged else ""}">{e(p)}</th>' for p in PHASES)
    body = []
    reasons: dict[bool, list[str]] = {True: [], False: []}  # judged phase? -> rows
    for family in families:
        cells = []
        for phase in PHASES:
            cell = table.get((family, phase))
            if cell is None:
                cells.append("<td>&ndash;</td>")
                continue
            lowered = " lowered" if cell.level != cell.evidence_level else ""
            next_step = cell.next_step or "highest level"
            tip = "\n".join(  # one tooltip line per reason; each reason one visible line
                e(line) for line in [*cell.reasons, f"next: {next_step}"]
            )
            cells.append(
                f'<td class="lvl-{e(cell.level)}{lowered}" data-family="{e(family)}" '
                f'data-phase="{e(phase)}" data-level="{e(cell.level)}" '
                f'title="{tip}">{e(cell.level)}</td>'
            )
            reasons[phase in judged].append(
                f'<tr data-family="{e(family)}" data-phase="{e(phase)}"><td>{breakable(family)}'
                f'</td><td>{e(phase)}</td><td class="lvl-{e(cell.level)}">{e(cell.level)}</td>'
                f'<td class="reasons">{"; ".join(e(r) for r in cell.reasons)}</td>'
                f"<td>{e(next_step)}</td></tr>"
            )
        body.append(f"<tr><th>{breakable(family)}</th>{''.join(cells)}</tr>")
    legend = "".join(f'<span class="lvl-{lv}">{lv}</span>' for lv in READINESS_LEVELS)
    why = _reasons("level-reasons", "the judged phases", reasons[True], opened=True)
    why += _reasons("level-reasons-other", "the phases not judged", reasons[False], opened=False)
    return (
        '<section id="heatmap-section"><h2>Readiness heat map</h2>'
        '<table id="heatmap" class="heatmap"><thead><tr><th>family</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        f'<div class="legend meta">{legend} ↓ lowered by the phase\'s blocking findings; '
        f"judged phases underlined</div>{why}</section>"
    )


def _finding_key(finding: Finding) -> tuple[Any, ...]:
    waived = tuple(sorted(finding.waived.items())) if finding.waived else ()
    return (
        finding.rule_id,
        finding.area,
        finding.severity,
        finding.resource,
        finding.region,
        finding.family,
        finding.message,
        finding.remediation,
        status(finding),
        waived,
    )


def merged_findings(report: Report) -> list[tuple[list[str], Finding]]:
    """One row per finding that fires alike in several phases (same status, message, fix):
    the phases it fires in, and the finding; in the order of first appearance."""
    rows: dict[tuple[Any, ...], tuple[list[str], Finding]] = {}
    for decision in report.decisions:
        for finding in decision.findings:
            phases, _ = rows.setdefault(_finding_key(finding), ([], finding))
            if decision.phase not in phases:
                phases.append(decision.phase)
    return list(rows.values())


def _finding_row(phases: Sequence[str], finding: Finding, judged: Sequence[str]) -> str:
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
    every = len(phases) > 1 and len(phases) == len(judged)
    when = "all judged phases" if every else ", ".join(breakable(p) for p in phases)
    rank = SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else 0
    return (
        f'<tr class="finding" data-phases="{e(" ".join(phases))}" '
        f'data-area="{e(finding.area)}" data-severity="{e(finding.severity)}" '
        f'data-rank="{rank}" data-status="{state}">'
        f"<td>{when}</td>"
        f'<td><span class="st-{state}">{state}</span><br><span '
        f'class="sev sev-{e(finding.severity)}">{e(finding.severity)}</span></td>'
        f'<td class="rule"><code class="searchable">{e(finding.rule_id)}</code>'
        f'<div class="fix">{breakable(finding.area)}</div></td>'
        f'<td class="res"><code class="searchable">{breakable(finding.resource)}</code>'
        f'<div class="fix">{breakable(where)}</div></td>'
        f'<td><span class="searchable">{e(finding.message)}</span>{extra}'
        f'<div class="fix">fix: {e(finding.remediation)}</div></td></tr>'
    )


def _select(ident: str, label: str, options: Sequence[tuple[str, str, str]]) -> str:
    """A filter: (value, label, extra attributes) per option, after `all`."""
    shown = "".join(
        f'<option value="{e(v)}"{extra}>{e(text)}</option>' for v, text, extra in options
    )
    return (
        f'<label for="{ident}">{label}</label><select id="{ident}">'
        f'<option value="">all</option>{shown}</select>'
    )


def _findings(report: Report) -> str:
    merged = merged_findings(report)
    judged = [d.phase for d in report.decisions]
    rows = [_finding_row(phases, f, judged) for phases, f in merged]
    total = sum(len(d.findings) for d in report.decisions)
    every = [f for _, f in merged]
    areas = sorted({f.area for f in every})
    present = {f.severity for f in every}
    thresholds = [
        (s, s if rank == len(SEVERITIES) - 1 else f"{s} and above", f' data-rank="{rank}"')
        for rank, s in reversed(list(enumerate(SEVERITIES)))
        if any(SEVERITIES.index(p) >= rank for p in present if p in SEVERITIES)
    ]
    statuses = [s for s in STATUSES if any(status(f) == s for f in every)] or ["blocking"]
    phases = [d.phase for d in report.decisions]
    note = (
        f'<p class="meta">{counted(total, "finding")} over {counted(len(phases), "phase")}; '
        "a finding that fires alike in several phases is one row.</p>"
        if len(phases) > 1
        else ""
    )
    empty = "" if rows else '<p class="meta">No findings.</p>'
    return (
        '<section id="findings"><h2>Findings</h2>'
        f"{note}"
        '<div id="filters" class="filters" hidden>'
        + _select("filter-phase", "phase", [(p, p, "") for p in phases])
        + _select("filter-severity", "severity", thresholds)
        + _select("filter-status", "status", [(s, s, "") for s in statuses])
        + _select("filter-area", "area", [(a, a, "") for a in areas])
        + '<label for="filter-text">search</label><input id="filter-text" type="search" '
        'placeholder="rule id, resource, message" size="28"></div>'
        f'<p id="shown-count" class="meta">{counted(len(rows), "finding")}</p>'
        '<table id="findings-table"><colgroup><col class="c-phase"><col class="c-status">'
        '<col class="c-rule"><col class="c-res"><col></colgroup><thead><tr><th>phase</th>'
        "<th>status, severity</th><th>rule, area</th><th>resource, where</th>"
        f"<th>message</th></tr></thead><tbody>{''.join(rows)}</tbody></table>{empty}"
        "</section>"
    )


def _change_row(change: Change) -> str:
    return (
        f'<tr class="change k-{e(change.kind)}" data-kind="{e(change.kind)}">'
        f"<td>{e(change.area)}</td><td><code>{breakable(change.path)}</code></td>"
        f"<td>{e(change.kind)}</td><td>{_value(change.primary)}</td>"
        f"<td>{_value(change.secondary)}</td></tr>"
    )


def ordered_changes(changes: Sequence[Change]) -> list[Change]:
    """Changes by area, then path, then kind: the same order on every run."""
    return sorted(changes, key=lambda c: (c.area, c.path, c.kind))


def _diff(report: Report) -> str:
    changes = ordered_changes(report.changes)
    shown = changes[:MAX_CHANGES]
    more = len(changes) - len(shown)
    note = (
        f'<p class="meta">{more} more changes not shown: run <code>failback diff</code>.</p>'
        if more > 0
        else ""
    )
    if not changes:
        return (
            '<section id="diff"><h2>Region diff</h2>'
            '<p class="meta">No governance drift between the regions.</p></section>'
        )
    areas = sorted({c.area for c in changes})
    counts = {(a, k): 0 for a in areas for k in CHANGE_KINDS}
    for change in changes:
        counts[(change.area, change.kind)] += 1
    summary = "".join(
        f'<tr data-area="{e(a)}"><td>{breakable(a)}</td>'
        + "".join(f'<td class="num">{counts[(a, k)]}</td>' for k in CHANGE_KINDS)
        + f'<td class="num">{sum(counts[(a, k)] for k in CHANGE_KINDS)}</td></tr>'
        for a in areas
    )
    head = (
        "<thead><tr><th>area</th><th>path</th><th>kind</th>"
        f"<th>{e(report.primary.region)} (primary)</th>"
        f"<th>{e(report.secondary.region)} (secondary)</th></tr></thead>"
    )
    details = "".join(
        f'<details class="diff-area" data-area="{e(a)}"><summary>{e(a)}: '
        f"{counted(sum(1 for c in shown if c.area == a), 'change')}</summary>"
        f'<table class="diff-table">{head}<tbody>'
        f"{''.join(_change_row(c) for c in shown if c.area == a)}</tbody></table></details>"
        for a in areas
        if any(c.area == a for c in shown)
    )
    return (
        '<section id="diff"><h2>Region diff</h2><p class="meta">The normalised '
        "governance surface of the two regions (removed: only in the primary; added: only in "
        f"the secondary): {counted(len(changes), 'change')}, counted per area. Open an area "
        'for its changes side by side.</p><table id="diff-summary"><thead><tr><th>area</th>'
        + "".join(f"<th>{k}</th>" for k in CHANGE_KINDS)
        + f"<th>total</th></tr></thead><tbody>{summary}</tbody></table>{details}{note}</section>"
    )


def _snapshot_row(role: str, snapshot: Snapshot) -> str:
    source = snapshot.document.get("source", {})
    source = source if isinstance(source, dict) else {}
    return (
        f'<tr data-role="{role}"><td>{role}</td><td>{breakable(snapshot.region)}</td>'
        f"<td>{e(snapshot.captured_at)}</td><td>{e(source.get('type'))}</td>"
        f"<td>{e(source.get('detail'))}</td><td>{e(snapshot.schema_version)}</td></tr>"
    )


def _file_row(item: EvidenceFile, base: Path | None) -> str:
    if item.sha256 is not None:
        digest = f'<code class="digest">{digest_text(item.sha256)}</code>'
    else:
        digest = f'<span class="meta">{e(item.problem or "not hashed")}</span>'
    note = f'<div class="fix">{e(item.note)}</div>' if item.note else ""
    return (
        f'<tr data-role="{e(item.role)}"><td>{e(item.role)}</td>'
        f"<td><code>{breakable(shown_path(item.path, base))}</code>{note}</td>"
        f"<td>{digest}</td></tr>"
    )


def _evidence(report: Report, base: Path | None) -> str:
    gaps = [(d.phase, g) for d in report.decisions[:1] for g in d.gaps]
    gap_rows = "".join(
        f"<tr><td>{e(g.get('region'))}</td><td>{e(g.get('area'))}</td><td>{e(g.get('reason'))}"
        f"</td><td><code>{breakable(g.get('call'))}</code></td><td>"
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
            f"<li><code>{e(x.rule_id)}</code> <code>{breakable(x.resource)}</code> "
            f"(owner {e(x.owner)}, {e(x.ticket)}, expires {e(x.expires)})</li>"
            for x in w.unused
        )
        extra.append(
            f'<p id="waivers">Waivers: <code>{breakable(shown_path(w.file, base))}</code>, '
            f"{len(w.waivers)} declared, {len(w.unused)} unused, {len(w.expired)} expired.</p>"
            + (f"<ul>{unused}</ul>" if unused else "")
        )
    if report.baseline is not None:
        extra.append(
            f'<p id="baseline">Baseline: <code>{breakable(shown_path(report.baseline.file, base))}'
            f"</code>, {counted(report.baseline.known, 'known finding')} "
            f"{'does' if report.baseline.known == 1 else 'do'} not block.</p>"
        )
    files = report.evidence or evidence_paths(report)
    where = "the report's folder" if base is not None else "the working directory"
    file_rows = "".join(_file_row(item, base) for item in files)
    return (
        '<section id="evidence"><h2>Evidence</h2><table id="evidence-table"><thead><tr>'
        "<th>role</th><th>region</th><th>captured at</th><th>source</th><th>detail</th>"
        "<th>schema</th></tr></thead><tbody>"
        + _snapshot_row("primary", report.primary)
        + _snapshot_row("secondary", report.secondary)
        + "</tbody></table>"
        + (
            f'<h3>Evidence files</h3><p class="meta">Paths relative to {where}; check a file '
            "with <code>sha256sum FILE</code>.</p>"
            '<table id="evidence-files"><colgroup><col class="c-role"><col class="c-path">'
            '<col class="c-digest"></colgroup><thead><tr><th>file</th><th>path</th>'
            f"<th>sha256</th></tr></thead><tbody>{file_rows}</tbody></table>"
            if file_rows
            else ""
        )
        + f"{gap_table}{''.join(extra)}</section>"
    )


def render(report: Report, options: RenderOptions | None = None) -> str:
    verdict = overall(report)
    base = None if options is None else options.cwd
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
        + _evidence(report, base)
        + f"<script>{JS}</script></body></html>\n"
    )
