"""The `failback` command: parse arguments, call the core, pick a reporter, map errors to exits.

Exit codes: 0 ready, 1 not ready, 2 usage or input error, 3 internal or engine error,
4 indeterminate (evidence gaps prevent a decision and no finding blocks).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from .errors import CheckerError, InputError
from .model import PHASES, SEVERITIES, ExitCode
from .reports import FORMATS

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CODES_HELP = """\b
Exit codes:
  0  ready: no finding at or above --fail-on
  1  not ready: at least one blocking finding
  2  usage or input error (bad file, schema, phase, option)
  3  internal or policy engine error
  4  indeterminate: evidence gaps prevent a decision, nothing blocks
"""


def _fail(message: str, code: int) -> None:
    click.echo(f"failback: error: {message}", err=True)
    sys.exit(code)


def handle_errors(func: F) -> F:
    """One line on stderr and a documented exit code instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except CheckerError as exc:
            if debug:
                traceback.print_exc()
            _fail(exc.one_line(), exc.exit_code)
        except KeyboardInterrupt:
            click.echo("failback: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # the reader (e.g. `| head`) went away: stop quietly, like other CLI tools
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(int(ExitCode.READY))
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence, reported in one line
            if debug:
                traceback.print_exc()
            _fail(
                f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
                ExitCode.INTERNAL_ERROR,
            )
        return None

    return cast(F, wrapper)


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    from .snapshot import parse_timestamp

    return parse_timestamp(value, "--now", "value")


class ExportGroup(click.Group):
    """`failback export <source>`: each exporter's command is imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from .exporters import available

        return available()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from .exporters import EXPORTERS, module

        if cmd_name not in EXPORTERS:
            return None
        try:
            command: click.Command = module(cmd_name).command
        except CheckerError as exc:
            _fail(exc.one_line(), exc.exit_code)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from .exporters import SUMMARIES

        with formatter.section("Sources"):
            formatter.write_dl(sorted(SUMMARIES.items()))


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(package_name="failback-checker", prog_name="failback")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def main(debug: bool) -> None:
    """Can Kafka traffic go back after a cross-region failover? Policy-as-code failback gate."""


@main.command(epilog=EXIT_CODES_HELP)
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
    help=f"Phase to judge: {', '.join(PHASES)} or all (default: the plan's current_phase).",
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
    help="Write the report of the matching --format here (atomically). Repeatable.",
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
@click.option(
    "--policy-dir",
    "policy_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Extra Rego packages (failback.custom.<name> with deny rules). Repeatable.",
)
@click.option(
    "--engine",
    default="embedded",
    show_default=True,
    type=click.Choice(["embedded", "opa"]),
    help="Rego engine: embedded (regorus, in process) or opa (Open Policy Agent).",
)
@click.option(
    "--opa-url",
    default=None,
    envvar="FAILBACK_OPA_URL",
    help="OPA server (http[s]://host:port); without it a local `opa run --server` "
    "is started from the opa on PATH or FAILBACK_OPA_BIN.",
)
@click.option(
    "--opa-token",
    default=None,
    envvar="FAILBACK_OPA_TOKEN",
    help="Bearer token for the OPA server (or FAILBACK_OPA_TOKEN).",
)
@click.option(
    "--opa-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Seconds to wait for each OPA request.",
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
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Also save both regions' snapshots here (<region>.json): the evidence of "
    "an audit whose plan names live sources.",
)
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Judge as of this RFC 3339 time instead of the clock (reproducible runs).",
)
@handle_errors
def check(
    config: Path,
    primary: Path | None,
    secondary: Path | None,
    phase: str | None,
    formats: Sequence[str],
    outputs: Sequence[Path],
    fail_on: str,
    waivers_path: Path | None,
    baseline_path: Path | None,
    policy_dirs: Sequence[Path],
    engine: str,
    opa_url: str | None,
    opa_token: str | None,
    opa_timeout: float,
    opa_ca_cert: str | None,
    opa_client_cert: str | None,
    opa_insecure: bool,
    opa_preloaded: bool,
    export_dir: Path | None,
    now_text: str | None,
) -> None:
    """Judge failback readiness: one go / no-go verdict per phase.

    `failback audit` is the same command: with a plan whose regions name live sources
    (aws, kafka), it exports both regions and checks them in one go.

    \b
    Formats: text, short (pre-commit), json, sarif, junit, markdown, html.
      failback check --format sarif -o out.sarif --format junit -o out.xml --format text
    """
    from .plan import load_plan

    targets = _targets(formats, outputs)
    now = _parse_now(now_text)
    plan = load_plan(config)
    phases = _phases(phase or plan.current_phase)
    exceptions = _exceptions(plan, waivers_path, baseline_path, now)
    report = _evaluate(
        plan,
        primary,
        secondary,
        phases,
        now,
        fail_on,
        exceptions,
        policy_dirs,
        engine,
        {
            "url": opa_url,
            "token": opa_token,
            "timeout": opa_timeout,
            "ca_cert": opa_ca_cert,
            "client_cert": opa_client_cert,
            "insecure": opa_insecure,
            "preloaded": opa_preloaded,
        },
        export_dir,
    )
    _write_reports(report, targets)
    sys.exit(int(report.exit_code))


def _targets(formats: Sequence[str], outputs: Sequence[Path]) -> list[tuple[str, Path | None]]:
    """Pair the i-th --format with the i-th -o; the rest go to stdout (at most one)."""
    chosen = list(formats) or ["text"]
    if len(outputs) > len(chosen):
        raise InputError(
            f"{len(outputs)} -o given for {len(chosen)} --format",
            hint="give one --format per -o, in the same order",
        )
    targets = [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(chosen)]
    on_stdout = [fmt for fmt, out in targets if out is None]
    if len(on_stdout) > 1:
        raise InputError(
            f"formats {', '.join(on_stdout)} would all go to stdout",
            hint="give -o FILE for all but one --format",
        )
    return targets


def _exceptions(
    plan: Any, waivers_path: Path | None, baseline_path: Path | None, now: datetime
) -> Any:
    from .evaluate import Exceptions

    waiver_file = waivers_path
    if waiver_file is None and plan.document.get("waivers"):
        waiver_file = plan.base_dir / str(plan.document["waivers"])
    waivers: tuple[Any, ...] = ()
    if waiver_file is not None:
        from .waivers import load_waivers

        waivers = load_waivers(waiver_file, now)
    baseline = None
    if baseline_path is not None:
        from .baseline import load_baseline

        baseline = load_baseline(baseline_path)
    return Exceptions(
        waivers=waivers,
        waiver_file=None if waiver_file is None else str(waiver_file),
        baseline=baseline,
        baseline_file=None if baseline_path is None else str(baseline_path),
    )


def _write_reports(report: Any, targets: Sequence[tuple[str, Path | None]]) -> None:
    from .outputs import write_atomic
    from .reports import REPORTERS, RenderOptions

    stdout: tuple[str, str] | None = None
    for fmt, out in targets:
        if out is None:
            stdout = (fmt, REPORTERS[fmt](report, _terminal_options(fmt)))
        else:
            write_atomic(out, REPORTERS[fmt](report, RenderOptions()))
    if stdout is not None:
        click.echo(stdout[1], nl=False)


def _terminal_options(fmt: str) -> Any:
    """Colour and a compact table for text in a terminal; plain text otherwise (and NO_COLOR)."""
    from .reports import RenderOptions

    if fmt != "text" or not sys.stdout.isatty():
        return RenderOptions()
    import shutil

    return RenderOptions(
        color=not os.environ.get("NO_COLOR"), width=shutil.get_terminal_size((100, 24)).columns
    )


def _evaluate(
    plan: Any,
    primary: Path | None,
    secondary: Path | None,
    phases: Sequence[str],
    now: datetime,
    fail_on: str,
    exceptions: Any,
    policy_dirs: Sequence[Path],
    engine: str,
    opa: dict[str, Any],
    export_dir: Path | None = None,
) -> Any:
    from .engines import ENGINES
    from .evaluate import check as run_check
    from .policies import load_policies
    from .sources import region_snapshot

    left = region_snapshot(plan, plan.primary, primary)
    right = region_snapshot(plan, plan.secondary, secondary)
    for snap, role in ((left, plan.primary), (right, plan.secondary)):
        if snap.region != role.name:
            raise InputError(
                f"snapshot {snap.origin} is for region {snap.region}, but the plan's "
                f"{role.role} region is {role.name}"
            )
    if export_dir is not None:
        from .exporters.common import write_snapshot

        if not export_dir.is_dir():
            raise InputError(f"--export-dir {export_dir} is not a directory")
        for snap in (left, right):
            write_snapshot(dict(snap.document), export_dir / f"{snap.region}.json")
    options = {} if engine == "embedded" else opa
    if engine == "embedded" and (opa.get("url") or opa.get("preloaded")):
        raise InputError("--opa-url and --opa-preloaded need --engine opa")
    runner = ENGINES[engine](**options)
    try:
        runner.load(load_policies(policy_dirs))
        return run_check(plan, left, right, phases, runner, now, fail_on, exceptions)
    finally:
        runner.close()


@main.command(epilog=EXIT_CODES_HELP)
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
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Judge as of this RFC 3339 time instead of the clock (reproducible runs).",
)
@handle_errors
def scorecard(config: Path, fmt: str, now_text: str | None) -> None:
    """The readiness matrix: every topic family x phase, its level, why, and what raises it.

    \b
    Levels: unwritten (no runbook), documented (runbook), rehearsed (rehearsed recently),
    operationalized (plus metrics and alerts); a phase's cells drop one level while that
    phase has blocking findings about the family. Exits 0 unless an error occurs.
    """
    from .plan import load_plan
    from .reports.scorecard import render

    now = _parse_now(now_text)
    plan = load_plan(config)
    exceptions = _exceptions(plan, None, None, now)
    report = _evaluate(plan, None, None, list(PHASES), now, "high", exceptions, (), "embedded", {})
    click.echo(render(report, fmt), nl=False)


def _phases(value: str) -> list[str]:
    from .plan import check_phase

    if value == "all":
        return list(PHASES)
    return [check_phase(value)]


main.add_command(check, name="audit")


@main.group(cls=ExportGroup)
def export() -> None:
    """Export one region's governance surface into a snapshot (v1)."""


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("primary", type=click.Path(path_type=Path))
@click.argument("secondary", type=click.Path(path_type=Path))
@click.option(
    "-c",
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=None,
    help="Plan whose equivalences and families apply (optional).",
)
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@handle_errors
def diff(primary: Path, secondary: Path, config: Path | None, fmt: str) -> None:
    """The normalised region diff alone (removed = only in primary, added = only in secondary)."""
    from .diff import diff as run_diff
    from .normalize import normalize_pair
    from .plan import load_plan, parse_plan
    from .snapshot import load_snapshot

    left = load_snapshot(primary)
    right = load_snapshot(secondary)
    plan = (
        load_plan(config)
        if config
        else parse_plan(
            {
                "schema_version": "1.0",
                "regions": {"primary": {"name": left.region}, "secondary": {"name": right.region}},
                "topic_families": [{"name": "all", "match": ["*"]}],
            },
            "(no plan)",
        )
    )
    normalized = normalize_pair(plan, left, right)
    changes = run_diff(normalized.primary, normalized.secondary)
    if fmt == "json":
        click.echo(json.dumps([c.as_dict() for c in changes], indent=2, sort_keys=True))
        return
    for change in changes:
        sign = {"added": "+", "removed": "-", "changed": "~"}[change.kind]
        detail = "" if change.kind != "changed" else f": {change.primary!r} -> {change.secondary!r}"
        click.echo(f"{sign} {change.path}{detail}")
    click.echo(f"{len(changes)} changes between {left.region} and {right.region}")


@main.group()
def policies() -> None:
    """Work with the policy library."""


@policies.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to write the bundle (tar.gz).",
)
@click.option(
    "--policy-dir",
    "policy_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Also bundle these Rego directories. Repeatable.",
)
@handle_errors
def bundle(output: Path, policy_dirs: Sequence[Path]) -> None:
    """Write an OPA bundle of the built-in (and --policy-dir) policies for a central OPA.

    Serve it with `opa run --server --bundle bundle.tar.gz` and check with
    `failback check --engine opa --opa-url URL --opa-preloaded`.
    """
    from .bundle import build, roots
    from .outputs import write_atomic_bytes
    from .policies import load_policies

    files = load_policies(policy_dirs)
    write_atomic_bytes(output, build(files))
    click.echo(f"{output}: {len(files)} modules, roots {', '.join(roots(files))}")


@main.command()
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@handle_errors
def rules(fmt: str) -> None:
    """The rule catalog: id, area, severity, title, remediation."""
    from .catalog import load_catalog

    catalog = load_catalog()
    if fmt == "json":
        click.echo(json.dumps(catalog, indent=2, sort_keys=True))
        return
    for rule_id, entry in catalog.items():
        click.echo(f"{rule_id:<8} {entry['area']:<16} {entry['severity']:<9} {entry['title']}")
        click.echo(f"{'':<8} fix: {entry['remediation']}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@handle_errors
def validate(files: Sequence[Path]) -> None:
    """Validate snapshots (.json) and plans (.yaml/.yml) against their JSON Schemas."""
    from .plan import load_plan
    from .snapshot import load_snapshot

    failures = 0
    for path in files:
        try:
            if path.suffix.lower() == ".json":
                load_snapshot(path)
                kind = "snapshot"
            else:
                load_plan(path)
                kind = "plan"
        except InputError as exc:
            failures += 1
            click.echo(f"failback: error: {exc.one_line()}", err=True)
        else:
            click.echo(f"{path}: valid {kind}")
    if failures:
        sys.exit(ExitCode.INPUT_ERROR)
