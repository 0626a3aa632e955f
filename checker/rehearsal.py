"""Rehearsal records (pure): what `failback watch` saw, as a versioned JSON document, and its
rendering as Markdown or HTML with an inline SVG chart of the lag per family over time.

A record (kind `failback-rehearsal`, schema_version 1.x) holds the step watched, when the watch
started and ended and how (passed, timeout, interrupted), every sample (the step's verdict, what
held it, the lag per flow and family with its rate and ETA) and when each gate first held.
Nothing here reads files or the clock; checker/cli/watch.py writes records atomically.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .errors import InputError
from .watch import Outcome

KIND = "failback-rehearsal"
SCHEMA_VERSION = "1.0"
_REQUIRED = ("kind", "schema_version", "plan", "step", "started_at", "result", "samples")


def record(outcome: Outcome, plan: str, interval: float, timeout: float) -> dict[str, Any]:
    """The rehearsal record of one watch."""
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "plan": plan,
        "step": outcome.step,
        "started_at": outcome.started_at.isoformat(),
        "ended_at": None if outcome.ended_at is None else outcome.ended_at.isoformat(),
        "result": outcome.result,
        "exit_code": int(outcome.exit_code),
        "interval_seconds": interval,
        "timeout_seconds": timeout,
        "first_pass": dict(sorted(outcome.first_pass.items())),
        "samples": [
            {
                "at": tick.at.isoformat(),
                "verdict": tick.verdict,
                "held_by": [
                    {k: h.get(k) for k in ("rule_id", "resource", "family", "gate", "message")}
                    for h in tick.held_by
                ],
                "awaiting": list(tick.awaiting),
                "lag": {key: dict(value) for key, value in sorted(tick.lag.items())},
            }
            for tick in outcome.ticks
        ],
    }


def check_record(document: Any, origin: str) -> Mapping[str, Any]:
    """A rehearsal record, or an input error saying what is wrong with it."""
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise InputError(f"{origin} is not a rehearsal record (kind {KIND!r})")
    missing = [k for k in _REQUIRED if k not in document]
    if missing:
        raise InputError(f"rehearsal record {origin} lacks {', '.join(missing)}")
    if not str(document["schema_version"]).startswith("1."):
        raise InputError(
            f"rehearsal record {origin} has schema_version {document['schema_version']!r}; "
            "this version reads 1.x"
        )
    if not isinstance(document["samples"], list):
        raise InputError(f"rehearsal record {origin}: samples must be a list")
    for key in ("started_at", "ended_at"):
        value = document.get(key)
        if value is not None:
            _time(value, origin, key)
    return document


def _time(value: Any, origin: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"rehearsal record {origin}: {what} {value!r} is not a time") from None
    if parsed.tzinfo is None:
        raise InputError(f"rehearsal record {origin}: {what} {value!r} has no time zone")
    return parsed


def duration(document: Mapping[str, Any]) -> float | None:
    """Seconds from the watch's start to its end."""
    if document.get("ended_at") is None:
        return None
    start = _time(document["started_at"], "record", "started_at")
    return (_time(document["ended_at"], "record", "ended_at") - start).total_seconds()


def series(document: Mapping[str, Any]) -> dict[str, list[tuple[float, int]]]:
    """Flow:family -> [(seconds since the start, records behind)], for the pairs that were
    behind in some sample (every pair when none was)."""
    start = _time(document["started_at"], "record", "started_at")
    lines: dict[str, list[tuple[float, int]]] = {}
    for sample in document["samples"]:
        at = (_time(sample["at"], "record", "sample at") - start).total_seconds()
        for key, lag in sorted(sample.get("lag", {}).items()):
            lines.setdefault(key, []).append((at, int(lag.get("records") or 0)))
    behind = {k: v for k, v in lines.items() if any(records for _, records in v)}
    return behind or lines


_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2")


def chart(document: Mapping[str, Any], width: int = 640, height: int = 240) -> str:
    """An inline SVG line chart of records behind per flow and family over the watch."""
    lines = series(document)
    left, bottom, top, right = 60, 30, 10, 170
    plot_w, plot_h = width - left - right, height - top - bottom
    span = max([t for points in lines.values() for t, _ in points] + [1.0])
    peak = max([r for points in lines.values() for _, r in points] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="records behind per family during step {html.escape(str(document["step"]))}">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        'stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#333"/>',
        f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" font-size="11">{peak}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{left + plot_w}" y="{height - 8}" text-anchor="end" font-size="11">'
        f"{span:g} s</text>",
        f'<text x="{left}" y="{height - 8}" font-size="11">0 s</text>',
    ]
    for index, (key, points) in enumerate(sorted(lines.items())):
        colour = _COLOURS[index % len(_COLOURS)]
        coords = " ".join(
            f"{left + plot_w * t / span:.1f},{top + plot_h - plot_h * r / peak:.1f}"
            for t, r in points
        )
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>'
        )
        y = top + 14 * (index + 1)
        parts.append(
            f'<text x="{left + plot_w + 8}" y="{y}" font-size="11" fill="{colour}">'
            f"{html.escape(key)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _summary_rows(documents: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for document in documents:
        took = duration(document)
        rows.append(
            [
                str(document["step"]),
                str(document["started_at"]),
                "-" if took is None else f"{took:g} s",
                str(document["result"]),
                str(len(document["samples"])),
            ]
        )
    return rows


def _last_lag(document: Mapping[str, Any]) -> list[list[str]]:
    samples = document["samples"]
    if not samples:
        return []
    charted = set(series(document))
    return [
        [
            key,
            str(lag.get("records")),
            "-" if lag.get("seconds") is None else f"{lag['seconds']:g}",
        ]
        for key, lag in sorted(samples[-1].get("lag", {}).items())
        if key in charted
    ]


def markdown(documents: Sequence[Mapping[str, Any]]) -> str:
    """The rehearsal as Markdown: step durations, then per step the lag chart (inline SVG, which
    GitHub and most viewers render) and the last lag and first passes."""
    out = [f"# Failback rehearsal: {documents[0]['plan']}", ""]
    out += ["| step | started | took | result | samples |", "|---|---|---|---|---|"]
    out += ["| " + " | ".join(row) + " |" for row in _summary_rows(documents)]
    for document in documents:
        out += ["", f"## {document['step']}", "", chart(document), ""]
        lag = _last_lag(document)
        if lag:
            out += ["| flow:family | records behind | seconds behind |", "|---|---|---|"]
            out += ["| " + " | ".join(row) + " |" for row in lag]
        passes = document.get("first_pass", {})
        if passes:
            out.append("")
        for gate, at in passes.items():
            out.append(f"- `{gate}` stopped holding the step at {at}")
    return "\n".join(out) + "\n"


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def html_page(documents: Sequence[Mapping[str, Any]]) -> str:
    """The rehearsal as one self-contained HTML page (no JavaScript)."""
    title = f"Failback rehearsal: {documents[0]['plan']}"
    body = [
        f"<h1>{html.escape(title)}</h1>",
        _table(["step", "started", "took", "result", "samples"], _summary_rows(documents)),
    ]
    for document in documents:
        body += [f"<h2>{html.escape(str(document['step']))}</h2>", chart(document)]
        lag = _last_lag(document)
        if lag:
            body.append(_table(["flow:family", "records behind", "seconds behind"], lag))
        passes = [
            f"<li><code>{html.escape(g)}</code> stopped holding the step at "
            f"{html.escape(str(at))}</li>"
            for g, at in document.get("first_pass", {}).items()
        ]
        if passes:
            body.append(f"<ul>{''.join(passes)}</ul>")
    style = (
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:60em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em}"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{style}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
