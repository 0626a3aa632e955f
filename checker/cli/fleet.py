"""`failback fleet`: judge many cluster pairs in one run; `failback fleet merge`: join shards."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from ..errors import InputError
from ..model import PHASES, SEVERITIES
from ..reports.fleet_formats import FLEET_FORMATS
from .common import (
    allow_outside_repo_option,
    engine_option,
    exit_codes_help,
    now_option,
    opa_url_option,
    parse_now,
    parse_severity,
    policy_dir_option,
)
from .errors import handle_errors
from .output import output_targets

if TYPE_CHECKING:
    from ..fleet.report import FleetReport, PairResult

EXIT_INTERRUPTED = 130
FLEET_EPILOG = exit_codes_help(
    (0, 1, 2, 3, 4),
    overrides={
        0: "every pair ready: no finding at or above --fail-on",
        1: "the worst pair is not ready",
        4: "the worst pair is indeterminate (gaps), none is not ready",
    },
    note=f"  {EXIT_INTERRUPTED} interrupted (Ctrl-C): the report is written, marked partial",
)


class TerminalProgress:
    """`fleet: 12/41 pairs, 3.1 pairs/s, 1 failed` redrawn on a terminal's stderr; nothing
    when stderr is not a terminal or in CI (CI set)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.on = stream.isatty() and not os.environ.get("CI")
        self.total = self.done = self.failed = 0
        self.started = 0.0

    def start(self, total: int) -> None:
        self.total, self.started = total, time.monotonic()
        self._draw()

    def advance(self, result: PairResult) -> None:
        self.done += 1
        self.failed += result.status == "failed"
        self._draw()

    def _draw(self) -> None:
        if not self.on:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.done / elapsed
        self.stream.write(
            f"\r\x1b[Kfleet: {self.done}/{self.total} pairs, {rate:.1f} pairs/s, "
            f"{self.failed} failed"
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.on:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _write(
    report: FleetReport,
    targets: Sequence[tuple[str, Path | None]],
    extra: Sequence[tuple[Path, bytes]] = (),
) -> None:
    """Every format rendered first, the -o files (and `extra`) committed as one set, then
    stdout."""
    from ..io.atomic import write_all
    from ..reports.fleet_formats import FLEET_REPORTERS

    stdout: str | None = None
    files: list[tuple[Path, bytes]] = list(extra)
    for fmt, out in targets:
        text = FLEET_REPORTERS[fmt](report)
        if out is None:
            stdout = text
        else:
            files.append((out, text.encode("utf-8")))
    write_all(files)
    if stdout is not None:
        click.echo(stdout, nl=False)


def _engine_settings(
    engine: str, timeout: float | None, opa_url: str | None, preloaded: bool
) -> dict[str, Any]:
    from ..engines import DEFAULT_TIMEOUT

    settings: dict[str, Any] = {"timeout": DEFAULT_TIMEOUT if timeout is None else timeout}
    if engine == "opa":
        settings["url"] = opa_url
        settings["token"] = os.environ.get("FAILBACK_OPA_TOKEN")
        settings["preloaded"] = preloaded
    elif opa_url or preloaded:
        raise InputError("--opa-url and --opa-preloaded need --engine opa")
    return settings


format_option = click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(list(FLEET_FORMATS)),
    help="Report format (default markdown). Repeatable: the i-th --format goes to the i-th "
    "-o, a format without -o to stdout (at most one).",
)
output_option = click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Write the report of the matching --format here (atomically, as one set). Repeatable.",
)


@click.group(invoke_without_command=True, epilog=FLEET_EPILOG)
@click.option(
    "-c",
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=Path("fleet.yaml"),
    show_default=True,
    help="The fleet file: plans by path and glob, per-account/region settings.",
)
@click.option(
    "--phase",
    default=None,
    help=f"Phase to judge in every pair: {', '.join(PHASES)} or all "
    "(default: each plan's current_phase).",
)
@format_option
@output_option
@click.option(
    "--fail-on",
    default="high",
    show_default=True,
    type=click.Choice(SEVERITIES),
    help="Lowest severity that blocks.",
)
@click.option(
    "--shard",
    "shard_text",
    default=None,
    metavar="K/N",
    help="Judge only shard K of N (1-based), a stable subset by the hash of each pair's "
    "plan path; join the parts with `failback fleet merge`.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Pairs exported at once (overrides the fleet file's concurrency; default 4).",
)
@policy_dir_option("Extra Rego packages (failback.custom.<name>). Repeatable.")
@engine_option("Rego engine, loaded once for every pair.")
@opa_url_option("OPA server for --engine opa (token from FAILBACK_OPA_TOKEN).")
@click.option(
    "--opa-preloaded",
    is_flag=True,
    help="The OPA server already has the policies (a bundle); do not upload them.",
)
@click.option(
    "--timeout",
    default=None,
    type=click.FloatRange(0.1, 3600),
    help="Seconds each phase's evaluation may take. [default: 30]",
)
@click.option(
    "--aws-call-stats",
    "call_stats",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write a JSON tally of the AWS API calls the aws sources' exports made "
    "(per operation and per cluster) to this file.",
)
@now_option
@allow_outside_repo_option
@click.pass_context
@handle_errors
def fleet(
    ctx: click.Context,
    config: Path,
    phase: str | None,
    formats: Sequence[str],
    outputs: Sequence[Path],
    fail_on: str,
    shard_text: str | None,
    concurrency: int | None,
    policy_dirs: Sequence[Path],
    engine: str,
    opa_url: str | None,
    opa_preloaded: bool,
    timeout: float | None,
    call_stats: Path | None,
    now_text: str | None,
    allow_outside_repo: bool,
) -> None:
    """Judge a fleet of cluster pairs: every plan of fleet.yaml, as `failback audit` does.

    Exports run in a bounded pool, evaluation in this process; one fleet report comes out
    and the exit code is the worst pair's. A pair that cannot be exported or judged is
    indeterminate with its reason. Ctrl-C writes a partial report (exit 130).

    \b
      failback fleet -c fleet.yaml --format html -o fleet.html --format json -o fleet.json
      failback fleet -c fleet.yaml --shard 2/8 --format json -o part-2.json
      failback fleet merge part-*.json -o fleet.json
    """
    if ctx.invoked_subcommand is not None:
        return
    from dataclasses import replace

    from ..fleet.config import load_fleet
    from ..fleet.run import RunOptions, open_engine, run_fleet
    from ..fleet.shard import parse_shard

    targets = output_targets(list(formats) or ["markdown"], outputs)
    now = parse_now(now_text)
    if phase is not None and phase != "all":
        from ..plan import check_phase

        check_phase(phase)
    shard = None if shard_text is None else parse_shard(shard_text)
    loaded = load_fleet(config, allow_outside_repo=allow_outside_repo)
    if concurrency is not None:
        loaded = replace(loaded, concurrency=concurrency)
    options = RunOptions(
        now=now,
        fail_on=parse_severity(fail_on),
        phase=phase,
        allow_outside_repo=allow_outside_repo,
        shard=shard,
    )
    runner = open_engine(
        engine, _engine_settings(engine, timeout, opa_url, opa_preloaded), policy_dirs
    )
    extra: list[tuple[Path, bytes]] = []
    try:
        with contextlib.ExitStack() as stack:
            tally = None
            if call_stats is not None:
                from ..exporters.aws import callstats

                tally = stack.enter_context(callstats.recording())
            report = run_fleet(loaded, options, runner, TerminalProgress(sys.stderr))
            if tally is not None and call_stats is not None:
                text = json.dumps(tally.document(), indent=2) + "\n"
                extra.append((call_stats, text.encode("utf-8")))
    finally:
        runner.close()
        # regorus engines must be dropped on the thread that made them: not left to a frame
        # that sys.exit's traceback keeps alive until a pool thread's garbage collection
        del runner
    _write(report, targets, extra)
    click.echo(f"failback fleet: {report.summary_line()}", err=True)
    if report.partial:
        # Interrupted, the report written: exports still running are abandoned (they only
        # read); waiting for their threads would hold the process until their timeouts.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    sys.exit(int(report.exit_code))


@fleet.command(epilog=FLEET_EPILOG)
@click.argument("parts", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option
@output_option
@handle_errors
def merge(parts: Sequence[Path], formats: Sequence[str], outputs: Sequence[Path]) -> None:
    """Join the JSON parts of every shard (`--shard K/N --format json`) into the report an
    unsharded run gives; the exit code is the worst pair's.

    \b
      failback fleet merge part-*.json -o fleet.json
      failback fleet merge part-*.json --format html -o fleet.html --format json -o fleet.json
    """
    from ..fleet.report import from_document
    from ..fleet.report import merge as merge_parts
    from ..io.read import load_document

    chosen = list(formats) or ["json"]
    targets = output_targets(chosen, outputs)
    loaded = [
        (str(path), from_document(load_document(path, "fleet report part"), str(path)))
        for path in parts
    ]
    report = merge_parts(loaded)
    _write(report, targets)
    click.echo(f"failback fleet: {report.summary_line()}", err=True)
    sys.exit(int(report.exit_code))
