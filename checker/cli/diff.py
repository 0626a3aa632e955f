"""`failback diff`: the normalised region diff alone."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import DONE_EXIT_CODES
from .errors import handle_errors


@click.command(epilog=DONE_EXIT_CODES)
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
    from ..diff import diff as run_diff
    from ..normalize import normalize_pair
    from ..plan import load_plan, parse_plan
    from ..reports.escape import visible
    from ..snapshot import load_snapshot

    left = load_snapshot(primary)
    right = load_snapshot(secondary)
    plan = (
        load_plan(config, allow_outside_repo=True)  # reads none of the files the plan names
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
        click.echo(f"{sign} {visible(change.path)}{visible(detail)}")
    from ..reports.words import counted

    click.echo(
        f"{counted(len(changes), 'change')} between {visible(left.region)} and "
        f"{visible(right.region)}"
    )
