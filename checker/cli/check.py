"""`failback check` (and `audit`) and `failback scorecard`: judge a plan's regions."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InputError
from ..model import PHASES, SEVERITIES, Severity
from ..reports import FORMATS
from .common import (
    CHECK_EXIT_CODES,
    DONE_EXIT_CODES,
    allow_outside_repo_option,
    engine_option,
    now_option,
    opa_url_option,
    parse_now,
    parse_severity,
    policy_dir_option,
)
from .errors import handle_errors, warn
from .output import output_targets
from .plans import load_checked_plan

if TYPE_CHECKING:
    from ..evaluate import Situation
    from ..exceptions import Exceptions
    from ..model import Waiver
    from ..plan import Plan


@click.command(epilog=CHECK_EXIT_CODES)
@click.option(
    "-c",
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=Path("failback.yaml"),
    show_default=True,
    help="The failback plan.",
)
@click.option(
    "--primary", type=click.Path(path_type=Path), help="Primary snapshot (overrides the plan)."
)
@click.option(
    "--secondary", type=click.Path(path_type=Path), help="Secondary snapshot (overrides the plan)."
)
@click.option(
    "--phase",
    default=None,
    help=f"Phase to judge: {', '.join(PHASES)} or all (default: the plan's current_phase). "
    "The failback phase also reports each failback step's verdict.",
)
@click.option(
    "--step",
    default=None,
    help="With --phase failback: judge whether this failback step may start now (the exit "
    "code follows the step's verdict). Steps: the plan's failback_steps, else replicate-back, "
    "move-producers, drain, move-consumers, stop-reverse-flow, clean-up.",
)
@click.option(
    "--impaired-region",
    default=None,
    help="This region (the primary's or the secondary's name) is down: rules that need flows "
    "into or out of it, or its snapshot, are listed as not judgeable, and its snapshot may be "
    "missing. Overrides the plan's outage:.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(list(FORMATS)),
    help="Output format (default text). Repeatable: the i-th --format goes to the "
    "i-th -o, a format without -o to stdout (at most one).",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Write the report of the matching --format here (atomically, all -o of a run as "
    "one set; - is stdout). Repeatable.",
)
@click.option(
    "--fail-on",
    default="high",
    show_default=True,
    type=click.Choice(SEVERITIES),
    help="Lowest severity that blocks.",
)
@click.option(
    "--waivers",
    "waivers_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Waiver file (accepted risks with owner, ticket and expiry); default: the "
    "plan's waivers: key.",
)
@click.option(
    "--baseline",
    "baseline_path",
    type=click.Path(path_type=Path),
    default=None,
    help="An earlier `--format json` report: findings already in it do not block.",
)
@policy_dir_option("Extra Rego packages (failback.custom.<name> with deny rules). Repeatable.")
@engine_option("Rego engine: embedded (regorus, in process) or opa (Open Policy Agent).")
@click.option(
    "--timeout",
    default=None,
    type=click.FloatRange(0.1, 3600),
    help="Seconds policy work may take per step: checking and loading --policy-dir "
    "policies, each phase's evaluation, each OPA request. [default: 30]",
)
@opa_url_option(
    "OPA server (http[s]://host:port); without it a local `opa run --server` "
    "is started from the opa on PATH or FAILBACK_OPA_BIN."
)
@click.option(
    "--opa-token",
    default=None,
    envvar="FAILBACK_OPA_TOKEN",
    help="Bearer token for the OPA server; prefer FAILBACK_OPA_TOKEN or --opa-token-file "
    "(a command line is visible to every user of the machine).",
)
@click.option(
    "--opa-token-file",
    default=None,
    envvar="FAILBACK_OPA_TOKEN_FILE",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the OPA bearer token from this file (or FAILBACK_OPA_TOKEN_FILE).",
)
@click.option(
    "--opa-timeout",
    default=None,
    type=click.FloatRange(0.1, 3600),
    help="The same as --timeout (kept for existing scripts).",
)
@click.option(
    "--opa-ca-cert",
    default=None,
    type=click.Path(dir_okay=False),
    help="CA bundle that signed the OPA server's certificate.",
)
@click.option(
    "--opa-client-cert",
    default=None,
    type=click.Path(dir_okay=False),
    help="Client certificate (PEM with key) for mutual TLS.",
)
@click.option("--opa-insecure", is_flag=True, help="Do not verify the OPA server's certificate.")
@click.option(
    "--opa-preloaded",
    is_flag=True,
    help="The OPA server already has the policies (bundle); do not upload them.",
)
@click.option(
    "--export-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Also save both regions' snapshots here (<region>.json, created if missing): the "
    "evidence of an audit whose plan names live sources.",
)
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Report only: exit 0 whatever the verdict (input and engine errors still exit 2 "
    "and 3). The reports keep the verdict.",
)
@now_option
@allow_outside_repo_option
@handle_errors
def check(
    config: Path,
    primary: Path | None,
    secondary: Path | None,
    phase: str | None,
    step: str | None,
    impaired_region: str | None,
    formats: Sequence[str],
    outputs: Sequence[Path],
    fail_on: str,
    waivers_path: Path | None,
    baseline_path: Path | None,
    policy_dirs: Sequence[Path],
    engine: str,
    timeout: float | None,
    opa_url: str | None,
    opa_token: str | None,
    opa_token_file: Path | None,
    opa_timeout: float | None,
    opa_ca_cert: str | None,
    opa_client_cert: str | None,
    opa_insecure: bool,
    opa_preloaded: bool,
    export_dir: Path | None,
    exit_zero: bool,
    now_text: str | None,
    allow_outside_repo: bool,
) -> None:
    """Judge failback readiness: one go / no-go verdict per phase.

    `failback audit` is the same command: with a plan whose regions name live sources
    (aws, kafka), it exports both regions and checks them in one go.

    \b
    Formats: text, short (pre-commit), json, sarif, junit, markdown, html, github.
      failback check --format sarif -o out.sarif --format junit -o out.xml --format text
    """
    targets = output_targets(formats, outputs)
    now = parse_now(now_text)
    plan = load_checked_plan(config, allow_outside_repo)
    phases = _phases(phase or plan.current_phase)
    situation = _situation(plan, phases, step, impaired_region)
    exceptions = _exceptions(plan, waivers_path, baseline_path, now)
    report = _evaluate(
        plan,
        primary,
        secondary,
        phases,
        now,
        parse_severity(fail_on),
        exceptions,
        policy_dirs,
        engine,
        {
            "url": opa_url,
            "token": _opa_token(opa_token, opa_token_file),
            **_timeout(timeout, opa_timeout),
            "ca_cert": opa_ca_cert,
            "client_cert": opa_client_cert,
            "insecure": opa_insecure,
            "preloaded": opa_preloaded,
        },
        export_dir,
        situation,
    )
    if any(fmt == "html" for fmt, _ in targets):  # the audit report lists each file's sha256
        from ..digests import with_evidence

        report = with_evidence(report)
    _write_reports(report, targets)
    from .output import exit_code

    sys.exit(exit_code(report, exit_zero))


def _situation(
    plan: Plan, phases: Sequence[str], step: str | None, impaired_region: str | None
) -> Situation:
    """The failback step asked about (it needs the failback phase alone) and the outage."""
    from ..evaluate import Situation

    if step is not None:
        if list(phases) != ["failback"]:
            raise InputError(f"--step needs --phase failback, not {', '.join(phases)}")
        plan.step(step)
    return Situation(step=step, outage=plan.outage(impaired_region))


def _opa_token(token: str | None, token_file: Path | None) -> str | None:
    """The OPA token: from --opa-token-file, FAILBACK_OPA_TOKEN or (with a warning, since `ps`
    shows it) --opa-token."""
    from click.core import ParameterSource

    on_command_line = (
        token is not None
        and click.get_current_context().get_parameter_source("opa_token")
        is ParameterSource.COMMANDLINE
    )
    if token_file is not None:
        if on_command_line:
            raise InputError("give --opa-token or --opa-token-file, not both")
        from ..io.read import read_text

        text = read_text(token_file, "--opa-token-file").strip()
        if not text:
            raise InputError(f"--opa-token-file {token_file} is empty")
        return text
    if on_command_line:
        warn(
            "--opa-token puts the token on the command line, where other users see it (ps); "
            "use FAILBACK_OPA_TOKEN or --opa-token-file"
        )
    return token


def _timeout(timeout: float | None, opa_timeout: float | None) -> dict[str, Any]:
    """--timeout, or its older name --opa-timeout; error messages name the one given."""
    from ..engines import DEFAULT_TIMEOUT

    if timeout is not None and opa_timeout is not None and timeout != opa_timeout:
        raise InputError("--timeout and --opa-timeout disagree", hint="give one of them")
    if timeout is None and opa_timeout is not None:
        return {"timeout": opa_timeout, "timeout_option": "--opa-timeout"}
    return {"timeout": DEFAULT_TIMEOUT if timeout is None else timeout}


def _exceptions(
    plan: Plan, waivers_path: Path | None, baseline_path: Path | None, now: datetime
) -> Exceptions:
    from ..exceptions import Exceptions

    waiver_file = waivers_path if waivers_path is not None else plan.waivers_file
    waivers: tuple[Waiver, ...] = ()
    if waiver_file is not None:
        from ..waivers import load_waivers

        waivers = load_waivers(waiver_file, now)
    baseline = None
    if baseline_path is not None:
        from ..baseline import load_baseline

        baseline = load_baseline(baseline_path)
    return Exceptions(
        waivers=waivers,
        waiver_file=None if waiver_file is None else str(waiver_file),
        baseline=baseline,
        baseline_file=None if baseline_path is None else str(baseline_path),
    )


def _write_reports(report: Any, targets: Sequence[tuple[str, Path | None]]) -> None:
    """Render every format first, then commit the -o files as one set, then stdout: a failure
    anywhere leaves every -o target as it was."""
    from ..reports import REPORTERS, RenderOptions
    from .output import terminal_options

    stdout: str | None = None
    files: list[tuple[Path, bytes]] = []
    for fmt, out in targets:
        if out is None:
            stdout = REPORTERS[fmt](report, terminal_options(fmt))
        else:
            # the HTML report shows paths relative to the directory it is written to
            options = RenderOptions(cwd=out.parent) if fmt == "html" else RenderOptions()
            files.append((out, REPORTERS[fmt](report, options).encode("utf-8")))
    if files:  # (the hook writes to stdout only: io.atomic is not imported)
        from ..io.atomic import write_all

        write_all(files)
    if stdout is not None:  # any colour in it was asked for (--color); click must not strip it
        click.echo(stdout, nl=False, color=True)


def _evaluate(
    plan: Any,
    primary: Path | None,
    secondary: Path | None,
    phases: Sequence[str],
    now: datetime,
    fail_on: Severity,
    exceptions: Exceptions,
    policy_dirs: Sequence[Path],
    engine: str,
    opa: dict[str, Any],
    export_dir: Path | None = None,
    situation: Situation | None = None,
) -> Any:
    from dataclasses import replace

    from ..engines import ENGINES
    from ..evaluate import Situation
    from ..evaluate import check as run_check
    from ..policy.locate import load_policies
    from ..sources import plan_snapshots

    situation = situation or Situation()
    left, right, absent = plan_snapshots(
        plan, (primary, secondary), sys.stderr, now, situation.outage
    )
    if absent is not None:
        warn(f"judging without a snapshot of the impaired region: {absent}")
        situation = replace(situation, snapshot_absent=True)
    for snap, role in ((left, plan.primary), (right, plan.secondary)):
        if snap.region != role.name:
            raise InputError(
                f"snapshot {snap.origin} is for region {snap.region}, but the plan's "
                f"{role.role} region is {role.name}"
            )
    if export_dir is not None:
        _export(export_dir, (left, right))
    options = opa
    if engine == "embedded":
        if opa.get("url") or opa.get("preloaded"):
            raise InputError("--opa-url and --opa-preloaded need --engine opa")
        options = {"timeout": opa["timeout"]} if "timeout" in opa else {}
    runner = ENGINES[engine](**options)
    try:
        runner.load(load_policies(policy_dirs))
        return run_check(plan, left, right, phases, runner, now, fail_on, exceptions, situation)
    finally:
        runner.close()


def _export(directory: Path, snapshots: Sequence[Any]) -> None:
    """Both snapshots as <region>.json in `directory` (created if missing), written as a set.
    Region names come from the plan and the snapshots: one that is not a plain file name
    (a path, '..', a hidden or control-character name) is refused, never sanitised."""
    from ..exporters._shared.snapshot import write_snapshot
    from ..io.atomic import output_directory, safe_file_name, write_all

    files = [
        (
            directory / f"{safe_file_name(snap.region, '--export-dir: region name')}.json",
            write_snapshot(dict(snap.document), None).encode("utf-8"),
        )
        for snap in snapshots
    ]
    output_directory(directory, "--export-dir")
    write_all(files)


@click.command(epilog=DONE_EXIT_CODES)
@click.option(
    "-c",
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=Path("failback.yaml"),
    show_default=True,
    help="The failback plan.",
)
@click.option(
    "--format",
    "fmt",
    default="text",
    show_default=True,
    type=click.Choice(["text", "json", "markdown"]),
    help="Output format.",
)
@now_option
@allow_outside_repo_option
@handle_errors
def scorecard(config: Path, fmt: str, now_text: str | None, allow_outside_repo: bool) -> None:
    """The readiness matrix: every topic family x phase, its level, why, and what raises it.

    \b
    Levels: unwritten (no runbook), documented (runbook), rehearsed (rehearsed recently),
    operationalized (plus metrics and alerts); a phase's cells drop one level while that
    phase has blocking findings about the family. Exits 0 unless an error occurs.
    """
    from ..reports.scorecard import render

    now = parse_now(now_text)
    plan = load_checked_plan(config, allow_outside_repo)
    exceptions = _exceptions(plan, None, None, now)
    situation = _situation(plan, PHASES, None, None)  # the plan's outage: applies here too
    report = _evaluate(
        plan, None, None, list(PHASES), now, "high", exceptions, (), "embedded", {}, None, situation
    )
    click.echo(render(report, fmt), nl=False)


def _phases(value: str) -> list[str]:
    from ..plan import check_phase

    if value == "all":
        return list(PHASES)
    return [check_phase(value)]
