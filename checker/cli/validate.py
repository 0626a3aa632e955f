"""`failback validate`: every problem of plans, snapshots, waivers, baselines, Terraform JSON and
Strimzi manifests, each with its file:line:column (checker/validation.py)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..model import ExitCode
from .common import debug_enabled, exit_codes_help
from .errors import error_line, handle_errors, warn


@click.command(
    epilog=exit_codes_help(
        (0, 2, 3),
        {0: "every file is valid (warnings do not fail)", 2: "a file is invalid or unreadable"},
    )
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(
        [
            "auto",
            "plan",
            "snapshot",
            "waivers",
            "baseline",
            "terraform-plan",
            "terraform-state",
            "strimzi",
        ]
    ),
    default="auto",
    show_default=True,
    help="What the files are; auto tells from each file's content.",
)
@click.option(
    "--primary",
    type=click.Path(path_type=Path),
    help="The primary region's snapshot, to check a plan's producers against (default: the "
    "plan's snapshot file or offline source).",
)
@click.option(
    "--secondary",
    type=click.Path(path_type=Path),
    help="The secondary region's snapshot (as --primary).",
)
@click.option(
    "--allow-outside-repo",
    is_flag=True,
    help="Accept plans that name files outside their repository.",
)
@handle_errors
def validate(
    files: Sequence[Path],
    kind: str,
    primary: Path | None,
    secondary: Path | None,
    allow_outside_repo: bool,
) -> None:
    """Validate files as the commands that read them would: plans, snapshots, waivers,
    baselines (an earlier JSON report), Terraform plan or state JSON and Strimzi manifests,
    each kind told from the file's content unless --kind says.

    \b
    Every problem is one line, FILE:LINE:COLUMN: what, with a suggestion for a misspelt
    key. A plan's paths must stay inside its repository; its producers are checked against
    the regions' snapshots when they can be read without a network (a producer that matches
    no principal is a warning).
    """
    from ..reports.escape import visible
    from ..validation import NAMES, validate_file

    snapshots = {
        role: path for role, path in (("primary", primary), ("secondary", secondary)) if path
    }
    failures = 0
    for path in files:
        result = validate_file(
            path,
            None if kind == "auto" else kind,
            allow_outside_repo=allow_outside_repo,
            snapshots=snapshots,
        )
        for message in result.messages:
            if message.severity == "warning":
                warn(message.located(path))
                continue
            if debug_enabled() and message.cause is not None:
                import traceback

                click.echo("".join(traceback.format_exception(message.cause)), err=True, nl=False)
            click.echo(error_line(message.located(path)), err=True)
        if result.valid:
            click.echo(
                f"{visible(path)}: valid {NAMES[result.kind or 'plan']}{visible(result.detail)}"
            )
        else:
            failures += 1
    if failures:
        sys.exit(ExitCode.INPUT_ERROR)
