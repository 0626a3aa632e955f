"""`failback policies bundle` and `failback rules`: the policy library and its catalog."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from ..errors import InputError
from .common import DONE_EXIT_CODES, policy_dir_option
from .errors import handle_errors


@click.group()
def policies() -> None:
    """Work with the policy library."""


@policies.command(epilog=DONE_EXIT_CODES)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Where to write the bundle (tar.gz; - for stdout).",
)
@policy_dir_option("Also bundle these Rego directories. Repeatable.")
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


@click.command(epilog=DONE_EXIT_CODES)
@click.argument("rule_ids", nargs=-1, metavar="[RULE_ID]...")
@click.option(
    "--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"])
)
@handle_errors
def rules(rule_ids: Sequence[str], fmt: str) -> None:
    """The rule catalog: id, area, severity, title, remediation.

    With rule ids (`failback rules WA-001`), explains each: what it finds, why it matters for
    failback, how to fix it, when it is judged, and an example; the same text as the rule's
    page, docs/rules/<ID>.md.
    """
    from ..policy.catalog import load_catalog

    catalog = load_catalog()
    if rule_ids:
        chosen = [_rule_id(rule_id, catalog) for rule_id in rule_ids]
        catalog = {rule_id: catalog[rule_id] for rule_id in chosen}
    if fmt == "json":
        click.echo(json.dumps(catalog, indent=2, sort_keys=True))
        return
    if rule_ids:
        click.echo("\n\n".join(_explained(rule_id, catalog[rule_id]) for rule_id in catalog))
        return
    for rule_id, entry in catalog.items():
        click.echo(f"{rule_id:<8} {entry['area']:<16} {entry['severity']:<9} {entry['title']}")
        click.echo(f"{'':<8} fix: {entry['remediation']}")


def _rule_id(text: str, catalog: Mapping[str, Any]) -> str:
    """A catalog id from what the user typed (any case); an unknown one is exit 2."""
    wanted = text.strip().upper()
    if wanted in catalog:
        return wanted
    from ..suggest import did_you_mean

    raise InputError(
        f"unknown rule {text!r}{did_you_mean(wanted, catalog)}",
        hint="`failback rules` lists every rule",
    )


def _explained(rule_id: str, entry: Mapping[str, Any]) -> str:
    import shutil
    import textwrap

    from ..policy.explain import explain
    from ..reports.escape import visible

    width = max(40, min(shutil.get_terminal_size((100, 24)).columns, 100))
    lines: list[str] = []
    for heading, text in explain(rule_id, entry):
        if not heading:
            lines.append(visible(text))
            continue
        lines.append(f"{heading}:")
        if heading.startswith("example"):
            lines.extend(f"  {visible(line)}" for line in text.splitlines())
        else:
            lines.extend(
                textwrap.wrap(
                    visible(text),
                    width,
                    initial_indent="  ",
                    subsequent_indent="  ",
                    break_on_hyphens=False,
                    break_long_words=False,
                )
            )
    return "\n".join(lines)
