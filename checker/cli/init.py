"""`failback init PRIMARY SECONDARY`: draft a failback.yaml from the two regions (checker/draft.py).

Each region is a snapshot file, a `terraform show -json` file, Strimzi manifests (a file or a
directory), or a source of the plan schema written inline (`{type: kafka, bootstrap: ...}`,
`{type: aws, cluster_arn: ...}`) and exported now. The draft names the same files or sources,
relative to where it is written, so `failback check` reads them again.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from ..errors import InputError
from .common import exit_codes_help, mm2_region_option
from .errors import handle_errors

INIT_EXIT_CODES = exit_codes_help(
    (0, 2, 3),
    {
        0: "the draft was written",
        2: "usage or input error (unreadable region, unknown kind, the output exists without "
        "--force)",
    },
)
# source keys that name files, relative to the plan
_PATH_KEYS = (
    "plan",
    "command_config",
    "mm2_config",
    "password_file",
    "token_file",
    "ca_file",
    "cert_file",
    "key_file",
)
_WHAT = (
    "a snapshot file, a `terraform show -json` file, Strimzi manifests (a file or a "
    "directory) or an inline source such as '{type: kafka, bootstrap: \"host:9092\"}'"
)


def rebase(source: Mapping[str, Any], base: Path, target: Path) -> dict[str, Any]:
    """`source` with its file paths (relative to `base`) made relative to `target`."""

    def moved(value: str) -> str:
        return os.path.relpath(os.path.abspath(base / value), os.path.abspath(target))

    result = dict(source)
    for key in _PATH_KEYS:
        if isinstance(result.get(key), str):
            result[key] = moved(result[key])
    for key in ("paths", "path"):
        value = result.get(key)
        if isinstance(value, str):
            result[key] = [moved(value)]
        elif isinstance(value, list):
            result[key] = [moved(str(v)) for v in value]
    return result


def _inline(text: str, role: str) -> dict[str, Any]:
    from ..io.read import parse_yaml

    document = parse_yaml(text, f"the {role} source", "source")
    if not isinstance(document, Mapping) or not isinstance(document.get("type"), str):
        raise InputError(f"the {role} source {text!r} is not a mapping with a type", hint=_WHAT)
    return dict(document)


def _no_clear_secret(source: Mapping[str, Any], role: str) -> None:
    """Refuse a secret written in clear text: the draft would copy it into the plan."""
    from ..plan import secret_literals

    regions: dict[str, Any] = {"primary": {}, "secondary": {}}
    regions[role] = {"source": source}
    clear = secret_literals({"regions": regions})
    if clear:
        raise InputError(
            f"{', '.join(clear)} holds a secret in clear text, which the draft would copy "
            "into the plan",
            hint="give it as env:VAR (an environment variable) or @FILE",
        )


def _kind_of(path: Path) -> str | None:
    """What a file holds, told from its content as `failback validate` tells it."""
    from ..io.read import parse_json, parse_yaml_all, read_text
    from ..validation import detect

    if path.is_dir():
        return "strimzi"
    text = read_text(path, "file")
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "["):
        return detect([parse_json(text, str(path), "file")], path)
    return detect(parse_yaml_all(text, str(path), "file"), path)


def _region_of_source(source: Mapping[str, Any], given: str | None, role: str) -> str:
    if given:
        return given
    if source.get("type") == "aws":
        from ..identity import parse_arn

        arn = parse_arn(str(source.get("cluster_arn", "")))
        if arn is not None and arn.region:
            return arn.region
    raise InputError(
        f"the {role} region's name is unknown: give --{role}-region NAME",
        hint="a snapshot records its region; Terraform, Strimzi and live sources do not",
    )


def region_input(
    argument: str,
    role: str,
    region: str | None,
    mm2_regions: Mapping[str, str],
    target: Path,
    now: str,
) -> Any:
    """The draft's RegionInput for one command-line region."""
    from ..draft import RegionInput
    from ..exporters import from_source
    from ..snapshot import load_snapshot, parse_snapshot

    cwd = Path.cwd()
    if argument.lstrip().startswith("{"):
        source = _inline(argument, role)
        _no_clear_secret(source, role)
        shown = f"the {source['type']} source given inline"  # never echoed: it may hold a secret
    else:
        shown = argument
        path = Path(argument)
        if not path.exists():
            raise InputError(f"the {role} region {argument!r} does not exist", hint=_WHAT)
        kind = _kind_of(path)
        if kind == "snapshot":
            snapshot = load_snapshot(path)
            if region and region != snapshot.region:
                raise InputError(
                    f"the {role} snapshot {argument} is of region {snapshot.region}, not {region}"
                )
            relative = os.path.relpath(path.resolve(), target.resolve())
            return RegionInput(snapshot.document, {"snapshot": relative}, argument)
        if kind in ("terraform-plan", "terraform-state"):
            source = {"type": "terraform", "plan": argument}
        elif kind == "strimzi":
            source = {"type": "strimzi", "paths": [argument]}
        else:
            raise InputError(f"cannot tell what the {role} region {argument!r} is", hint=_WHAT)
    if mm2_regions and source["type"] in ("strimzi", "kafka") and "mm2_regions" not in source:
        source["mm2_regions"] = dict(mm2_regions)
    name = _region_of_source(source, region, role)
    document = from_source(source, name, cwd, sys.stderr, now)
    snapshot = parse_snapshot(document, f"{source['type']} source of the {role} region {name}")
    rebased = {"source": rebase(source, cwd, target)}
    return RegionInput(snapshot.document, rebased, shown)


@click.command(
    epilog=INIT_EXIT_CODES, short_help="Draft a failback.yaml from two regions, guesses marked."
)
@click.argument("primary")
@click.argument("secondary")
@click.option(
    "-o",
    "--output",
    default="failback.yaml",
    show_default=True,
    help="Where to write the draft (atomically); - is stdout.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option(
    "--primary-region",
    default=None,
    help="The primary region's name (needed for Terraform, Strimzi and Kafka sources).",
)
@click.option(
    "--secondary-region", default=None, help="The secondary region's name (as --primary-region)."
)
@mm2_region_option(
    "Region of a MirrorMaker 2 cluster alias (Strimzi and Kafka sources). Repeatable."
)
@click.option("--name", default=None, help="The plan's name (default: none).")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Capture time of sources whose files carry none (a Terraform state), RFC 3339.",
)
@handle_errors
def init(
    primary: str,
    secondary: str,
    output: str,
    force: bool,
    primary_region: str | None,
    secondary_region: str | None,
    mm2_regions: Sequence[str],
    name: str | None,
    now_text: str | None,
) -> None:
    """Draft a failback.yaml from the two regions: PRIMARY and SECONDARY are each a snapshot
    file, a `terraform show -json` file, Strimzi manifests (file or directory), or a source
    written inline as the plan's `source:` takes it, e.g. '{type: kafka, bootstrap:
    "b-1:9096", command_config: client.properties}' or '{type: aws, cluster_arn: ...}'.

    \b
    Every inferred value carries a `# guess: <why> — confirm` comment: equivalences
    (cluster names, keys, security groups, CIDRs, log groups paired across the regions),
    topic families from topic-name prefixes, replicator principals, producers per family
    from the write grants, the usual phase roles, the current phase and flow owners. What
    only you know (owners, tiers, sinks, runbooks, rehearsals, rollback, the cost budget)
    is left as comments to fill in. Then: failback validate FILE, failback check.
    """
    from ..draft import draft
    from ..draft.yaml_text import plain, render
    from ..io.atomic import write_atomic
    from ..plan import parse_plan
    from .export import parse_region_pairs

    now = (
        datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if now_text is None
        else _checked_now(now_text)
    )
    to_stdout = output == "-"
    out = Path(output)
    if not to_stdout and out.exists() and not force:
        raise InputError(
            f"{output} exists: give --force to overwrite it, or -o another file (- for stdout)"
        )
    target = Path.cwd() if to_stdout else (out.parent if str(out.parent) else Path("."))
    pairs = parse_region_pairs(mm2_regions)
    regions = (
        region_input(primary, "primary", primary_region, pairs, target, now),
        region_input(secondary, "secondary", secondary_region, pairs, target, now),
    )
    if regions[0].name == regions[1].name:
        raise InputError(
            f"both regions are {regions[0].name}: give the primary and the secondary region"
        )
    document = draft(regions, name)
    parse_plan(plain(document), "the drafted plan")  # a draft `check` refuses is a bug
    text = render(document, _header(regions))
    if to_stdout:
        click.echo(text, nl=False)
        return
    write_atomic(out, text)
    guesses = text.count("# guess:")
    click.echo(
        f"failback: wrote {output}: {guesses} guesses to confirm (# guess: comments); "
        f"next: failback validate {output}",
        err=True,
    )


def _checked_now(text: str) -> str:
    from ..snapshot import parse_timestamp

    return parse_timestamp(text, "--now", "value").astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _header(regions: Sequence[Any]) -> list[str]:
    return [
        f"Drafted by `failback init` from {regions[0].origin} ({regions[0].name}) and "
        f"{regions[1].origin} ({regions[1].name}).",
        "Every '# guess:' comment marks a value inferred from the regions: confirm or correct",
        "it, then delete the comment. Other comments name what only you know: fill them in.",
        "Then: failback validate <this file>, failback check.",
    ]
