"""`failback validate`: check plans and snapshots against their JSON Schemas."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..errors import InputError
from ..model import ExitCode
from .common import exit_codes_help
from .errors import error_line, handle_errors


@click.command(
    epilog=exit_codes_help(
        (0, 2, 3),
        {0: "every file is valid", 2: "a file is invalid, unreadable or of an unknown kind"},
    )
)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--allow-outside-repo",
    is_flag=True,
    help="Accept plans that name files outside their repository.",
)
@handle_errors
def validate(files: Sequence[Path], allow_outside_repo: bool) -> None:
    """Validate snapshots (.json) and plans (.yaml/.yml) against their JSON Schemas; a plan's
    paths must also stay inside its repository (its git work tree, else its directory)."""
    from ..plan import load_plan
    from ..snapshot import load_snapshot

    failures = 0
    for path in files:
        try:
            if path.suffix.lower() == ".json":
                load_snapshot(path)
                kind = "snapshot"
            else:
                load_plan(path, allow_outside_repo=allow_outside_repo)
                kind = "plan"
        except InputError as exc:
            failures += 1
            click.echo(error_line(exc.one_line()), err=True)
        else:
            from ..reports.escape import visible

            click.echo(f"{visible(path)}: valid {kind}")
    if failures:
        sys.exit(ExitCode.INPUT_ERROR)
