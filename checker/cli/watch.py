"""`failback watch` (sample runtime evidence until a failback step may start, writing a
rehearsal record) and `failback report rehearsal` (render records as Markdown or HTML)."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError
from ..model import VERDICT_LABELS, ExitCode
from .common import DONE_EXIT_CODES, engine_option, exit_codes_help, policy_dir_option
from .errors import handle_errors

if TYPE_CHECKING:
    from ..model import Report, Snapshot
    from ..plan import Plan, RegionRef
    from ..watch import Sample, Tick

WATCH_EXIT_CODES = exit_codes_help(
    (0, 1, 2, 3, 4),
    {
        ExitCode.READY: "every gate of the step holds: it may start",
        ExitCode.NOT_READY: "timeout: a gate still holds the step (the last findings are shown)",
        ExitCode.INDETERMINATE: "timeout with the step's evidence missing or stale",
    },
)
INTERRUPTED = 130  # Ctrl-C, as every command
_DURATION = re.compile(r"^\s*(?P<value>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>ms|s|m|h)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str, option: str) -> float:
    """`10s`, `30m`, `1.5h`, `500ms` or plain seconds."""
    match = _DURATION.match(text)
    if match is None or float(match["value"]) <= 0:
        raise InputError(f"{option} {text!r} is not a duration", hint="e.g. 10s, 30m, 2h")
    return float(match["value"]) * _UNITS[match["unit"]]


def _runtime_sources(region: RegionRef) -> list[Mapping[str, Any]]:
    source = region.source
    sources = source if isinstance(source, list) else [source] if source else []
    return [s for s in sources if s.get("type") in ("kafka", "aws")]


def _sampler(plan: Plan, overrides: tuple[Path | None, Path | None]) -> Callable[[], Sample]:
    """Per region: live kafka and aws sources are sampled (RegionSampler: one Kafka session
    kept across samples, CloudWatch read afresh); a snapshot file is re-read each time (another
    process refreshes it, e.g. `failback export kafka --runtime`) and its runtime area taken."""
    from ..sampler import RegionSampler
    from ..snapshot import load_snapshot
    from ..watch import Sample

    takers: dict[str, Callable[[], tuple[Any, list[dict[str, Any]]]]] = {}
    for ref, override in zip((plan.primary, plan.secondary), overrides, strict=True):
        path = override if override is not None else ref.snapshot
        if _runtime_sources(ref) and override is None:
            sampler = RegionSampler(ref.source, ref.name, plan.base_dir)

            def live(sampler: RegionSampler = sampler) -> tuple[Any, list[dict[str, Any]]]:
                runtime, gaps = sampler.sample()
                return runtime, [dict(g) for g in gaps]

            takers[ref.role] = live
        elif path is not None:

            def from_file(path: Path = path) -> tuple[Any, list[dict[str, Any]]]:
                document = load_snapshot(path).document
                gaps = [g for g in document.get("gaps", []) if g.get("area") == "runtime"]
                return document.get("runtime"), [dict(g) for g in gaps]

            takers[ref.role] = from_file
        else:
            raise InputError(
                f"failback watch: the {ref.role} region {ref.name} has neither a kafka or aws "
                "source nor a snapshot file to sample runtime evidence from"
            )

    def sample() -> Sample:
        runtimes: dict[str, Any] = {}
        gaps: list[dict[str, Any]] = []
        for role, take in takers.items():
            runtime, found = take()
            runtimes[role] = runtime
            gaps += [{**g, "region": role} for g in found]
        return Sample(runtimes=runtimes, gaps=tuple(gaps))

    return sample


def _with_sample(snapshot: Snapshot, role: str, sample: Sample) -> Snapshot:
    """The configuration snapshot with this sample's runtime area and runtime gaps."""
    from dataclasses import replace

    document = {k: v for k, v in snapshot.document.items() if k != "runtime"}
    runtime = sample.runtimes.get(role)
    if runtime is not None:
        document["runtime"] = runtime
    gaps = [g for g in document.get("gaps", []) if g.get("area") != "runtime"]
    gaps += [
        {k: v for k, v in g.items() if k != "region"} for g in sample.gaps if g["region"] == role
    ]
    document["gaps"] = gaps
    return replace(snapshot, document=document)


def _lag_text(tick: Tick, shown: set[str]) -> list[str]:
    """One line per flow and family that is or was behind (`shown` remembers them), else one
    line saying every measured flow is caught up."""
    shown |= {k for k, lag in tick.lag.items() if lag["records"] or lag.get("seconds") is None}
    if not shown:
        return [f"    {len(tick.lag)} flow/family pair(s) measured, none behind"]
    lines = []
    for key, lag in sorted((k, v) for k, v in tick.lag.items() if k in shown):
        seconds = "?" if lag.get("seconds") is None else f"{lag['seconds']:g} s"
        pace = ""
        if lag.get("rate"):
            eta = lag.get("eta_seconds")
            pace = f", {lag['rate']:g} records/s" + (f", ETA {eta:g} s" if eta else "")
        lines.append(f"    {key}: {lag['records']} records / {seconds} behind{pace}")
    return lines


def _emit_text(step: str, quiet: bool) -> Callable[[Tick], None]:
    from ..reports.text import held_text

    shown: set[str] = set()

    def emit(tick: Tick) -> None:
        if quiet:
            return
        step_verdict = tick.decision.step
        held = "" if step_verdict is None else held_text(step_verdict)
        label = VERDICT_LABELS.get(tick.verdict, tick.verdict)
        click.echo(
            f"{tick.at.strftime('%H:%M:%S')} step {step}: {label}" + (f" ({held})" if held else "")
        )
        for line in _lag_text(tick, shown):
            click.echo(line)

    return emit


def _emit_jsonl(tick: Tick) -> None:
    click.echo(
        json.dumps(
            {
                "event": "sample",
                "at": tick.at.isoformat(),
                "verdict": tick.verdict,
                "held_by": [dict(h) for h in tick.held_by],
                "awaiting": list(tick.awaiting),
                "lag": {k: dict(v) for k, v in tick.lag.items()},
            },
            sort_keys=True,
        )
    )


@click.command(epilog=WATCH_EXIT_CODES)
@click.option(
    "-c",
    "--config",
    type=click.Path(path_type=Path),
    default=Path("failback.yaml"),
    show_default=True,
    help="The plan.",
)
@click.option("--step", required=True, help="The failback step to wait for.")
@click.option("--interval", default="10s", show_default=True, help="Time between samples.")
@click.option(
    "--timeout", "timeout_text", default="30m", show_default=True, help="Give up after this long."
)
@click.option(
    "--primary",
    type=click.Path(path_type=Path),
    default=None,
    help="Primary snapshot file to re-read each sample (instead of the plan's).",
)
@click.option(
    "--secondary",
    type=click.Path(path_type=Path),
    default=None,
    help="Secondary snapshot file to re-read each sample (instead of the plan's).",
)
@click.option(
    "--record",
    "record_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Rehearsal record to write (default: rehearsal-<step>-<start time>.json).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="Progress as text or JSON lines.",
)
@click.option(
    "--quiet", is_flag=True, help="Only the final line (text) or the final event (jsonl)."
)
@click.option("--fail-on", default="high", show_default=True, help="Lowest severity that blocks.")
@policy_dir_option("Extra policy directory (repeatable), as for check.")
@engine_option("Policy engine, as for check.")
@click.option(
    "--allow-outside-repo", is_flag=True, help="Read paths outside the plan's repository."
)
@handle_errors
def watch(
    config: Path,
    step: str,
    interval: str,
    timeout_text: str,
    primary: Path | None,
    secondary: Path | None,
    record_path: Path | None,
    fmt: str,
    quiet: bool,
    fail_on: str,
    policy_dirs: Sequence[Path],
    engine: str,
    allow_outside_repo: bool,
) -> None:
    """Wait until a failback step's gates hold, sampling runtime evidence.

    Each sample reads the runtime evidence of both regions (a live kafka source through the
    Admin API, else the region's snapshot file again), judges the failback phase for STEP and
    shows the lag per flow and family, its rate and the time to catch up. Ends as soon as the
    step may start (0), or at --timeout with the last findings (1, or 4 when the evidence is
    missing or stale). Ctrl-C stops cleanly (130, the record kept). The rehearsal record
    (JSON) holds every sample, each gate's first pass and the step's start and end:
    `failback report rehearsal RECORD`.
    """
    from ..engines import ENGINES
    from ..evaluate import Situation
    from ..evaluate import check as run_check
    from ..io.atomic import write_atomic
    from ..policy.locate import load_policies
    from ..rehearsal import record
    from ..sources import plan_snapshots
    from ..watch import watch as run_watch
    from .common import parse_severity
    from .plans import load_checked_plan

    every = parse_duration(interval, "--interval")
    limit = parse_duration(timeout_text, "--timeout")
    plan = load_checked_plan(config, allow_outside_repo)
    plan.step(step)
    severity = parse_severity(fail_on)
    started = datetime.now(UTC)
    base_primary, base_secondary, _ = plan_snapshots(
        plan, (primary, secondary), sys.stderr, started, None
    )
    sample = _sampler(plan, (primary, secondary))
    target = record_path or Path(f"rehearsal-{step}-{started.strftime('%Y%m%dT%H%M%SZ')}.json")
    runner = ENGINES[engine]()
    try:
        runner.load(load_policies(policy_dirs))

        def judge(taken: Sample, at: datetime) -> Report:
            left = _with_sample(base_primary, "primary", taken)
            right = _with_sample(base_secondary, "secondary", taken)
            return run_check(
                plan, left, right, ("failback",), runner, at, severity, None, Situation(step=step)
            )

        emit = (
            _emit_jsonl
            if fmt == "jsonl" and not quiet
            else _emit_text(step, quiet or fmt == "jsonl")
        )
        ticks: list[Tick] = []

        def keep(tick: Tick) -> None:
            ticks.append(tick)
            emit(tick)

        outcome = run_watch(
            step, sample, judge, lambda: datetime.now(UTC), time.sleep, every, limit, keep
        )
    finally:
        runner.close()
    document = record(outcome, plan.name, every, limit)
    if outcome.result == "interrupted":  # Ctrl-C: the record is kept, the run ends as any other
        document["exit_code"] = INTERRUPTED
    write_atomic(target, json.dumps(document, indent=2) + "\n")
    if outcome.result == "interrupted":
        click.echo(f"failback: interrupted; record {target}", err=True)
        sys.exit(INTERRUPTED)
    last = outcome.ticks[-1] if outcome.ticks else None
    if fmt == "jsonl":
        click.echo(
            json.dumps(
                {
                    "event": "end",
                    "result": outcome.result,
                    "exit_code": int(outcome.exit_code),
                    "record": str(target),
                    "verdict": None if last is None else last.verdict,
                },
                sort_keys=True,
            )
        )
    else:
        took = ((outcome.ended_at or started) - outcome.started_at).total_seconds()
        click.echo(
            f"step {step}: {outcome.result} after {took:.0f} s, {len(outcome.ticks)} sample(s); "
            f"record {target}"
        )
        if outcome.result == "timeout" and last is not None:
            for finding in last.decision.findings:
                if finding.blocking:
                    click.echo(f"  ✗ {finding.rule_id} {finding.message}")
    sys.exit(int(outcome.exit_code))


@click.group(epilog=DONE_EXIT_CODES)
def report() -> None:
    """Render saved evidence (rehearsal records)."""


@report.command(epilog=DONE_EXIT_CODES)
@click.argument("records", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "html"]),
    default="markdown",
    show_default=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write here instead of stdout.",
)
@handle_errors
def rehearsal(records: Sequence[Path], fmt: str, output: Path | None) -> None:
    """Lag over time per family (an inline SVG chart) and step durations of one or more
    rehearsal records (failback watch), in the order given."""
    from ..io.atomic import write_atomic
    from ..io.read import load_document
    from ..rehearsal import check_record, html_page, markdown

    documents = [check_record(load_document(p, "rehearsal record"), str(p)) for p in records]
    text = html_page(documents) if fmt == "html" else markdown(documents)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)
