"""`failback policies bundle` and `failback rules`: the policy library and its catalog."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from .errors import handle_errors


@click.group()
def policies() -> None:
    """Work with the policy library."""


@policies.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to write the bundle (tar.gz; - for stdout).",
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
    from ..engines import DEFAULT_TIMEOUT
    from ..engines.isolated import vet_in_child
    from ..io.atomic import write_atomic_bytes
    from ..policy.bundle import ROOTS, build
    from ..policy.locate import load_policies

    files = load_policies(policy_dirs)
    if any(not f.builtin for f in files):
        vet_in_child(files, DEFAULT_TIMEOUT)  # the same checks as `failback check`
    write_atomic_bytes(output, build(files))
    summary = f"{output}: {len(files)} modules, roots {', '.join(ROOTS)}"
    click.echo(summary, err=str(output) == "-")  # the bundle itself is on stdout


@click.command()
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@handle_errors
def rules(fmt: str) -> None:
    """The rule catalog: id, area, severity, title, remediation."""
    from ..policy.catalog import load_catalog

    catalog = load_catalog()
    if fmt == "json":
        click.echo(json.dumps(catalog, indent=2, sort_keys=True))
        return
    for rule_id, entry in catalog.items():
        click.echo(f"{rule_id:<8} {entry['area']:<16} {entry['severity']:<9} {entry['title']}")
        click.echo(f"{'':<8} fix: {entry['remediation']}")
