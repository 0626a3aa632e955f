"""Options every command accepts wherever they are written, and per-command exit codes.

`--debug` and `--color` are options of the `failback` group and of every subcommand (added by
`add_global_options`), so `failback --debug check` and `failback check --debug` mean the same.
They never reach a command's function: their callbacks record the choice on the root context,
where `debug_enabled` and `color_choice` read it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import InputError
from ..model import SEVERITIES, ExitCode, Severity, is_severity

COLOR_CHOICES = ("auto", "always", "never")
_DEBUG = "failback.debug"
_COLOR = "failback.color"

# code -> what it means, for every command's help; each command lists only its own codes
EXIT_CODE_MEANINGS: Mapping[int, str] = {
    ExitCode.READY: "ready: no finding at or above --fail-on",
    ExitCode.NOT_READY: "not ready: at least one blocking finding",
    ExitCode.INPUT_ERROR: "usage or input error (bad file, schema, phase, option)",
    ExitCode.INTERNAL_ERROR: "internal or policy engine error",
    ExitCode.INDETERMINATE: "indeterminate: evidence gaps prevent a decision, nothing blocks",
}


def exit_codes_help(
    codes: Sequence[int], overrides: Mapping[int, str] | None = None, note: str = ""
) -> str:
    """The `Exit codes:` epilog of one command: only `codes`, in order."""
    meanings = {**EXIT_CODE_MEANINGS, **(overrides or {})}
    lines = ["\b", "Exit codes:", *(f"  {code}  {meanings[code]}" for code in codes)]
    if note:
        lines.append(note)
    return "\n".join(lines) + "\n"


def _root(ctx: click.Context) -> click.Context:
    return ctx.find_root()


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _root(ctx).meta[_DEBUG] = True


# how a --color value was given, weakest first: a flag beats FAILBACK_COLOR beats the file
_COLOR_RANK = {
    click.core.ParameterSource.DEFAULT_MAP: 1,
    click.core.ParameterSource.ENVIRONMENT: 2,
    click.core.ParameterSource.COMMANDLINE: 3,
}


def _set_color(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    source = ctx.get_parameter_source(param.name or "color")
    rank = _COLOR_RANK.get(source, 0) if source is not None else 0
    meta = _root(ctx).meta
    if value is not None and rank and rank >= meta.get(_COLOR + ".rank", 0):
        meta[_COLOR] = value
        meta[_COLOR + ".rank"] = rank


def debug_option() -> Any:
    return click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_set_debug,
        help="Show tracebacks for errors (before or after the command).",
    )


def color_option() -> Any:
    return click.option(
        "--color",
        type=click.Choice(COLOR_CHOICES),
        default=None,
        expose_value=False,
        callback=_set_color,
        envvar="FAILBACK_COLOR",
        help="Colour in terminal output: auto (a terminal, unless NO_COLOR is set), always, "
        "never.  [default: auto]",
    )


class LazyGroup(click.Group):
    """A group that imports its commands when first used (its list_commands and get_command
    say which there are); every_command imports them all, for what walks the whole tree."""

    def every_command(self) -> dict[str, click.Command]:
        ctx = click.Context(self)
        found = {name: self.get_command(ctx, name) for name in self.list_commands(ctx)}
        return {name: command for name, command in found.items() if command is not None}


def add_global_options(command: click.Command) -> None:
    """Give `command` (and, for a group, every subcommand it holds) --debug and --color."""
    names = {name for param in command.params for name in getattr(param, "opts", ())}
    for decorate in (debug_option(), color_option()):
        probe = decorate(click.Command("probe"))
        for param in probe.params:
            if not names & set(param.opts):
                command.params.append(param)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_global_options(sub)


def debug_enabled() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and _root(ctx).meta.get(_DEBUG))


def color_choice() -> str:
    ctx = click.get_current_context(silent=True)
    return str(_root(ctx).meta.get(_COLOR) or "auto") if ctx is not None else "auto"


def use_color(is_terminal: bool) -> bool:
    """--color always or never wins over NO_COLOR (a per-run choice beats the environment, as
    no-color.org asks); auto colours a terminal unless NO_COLOR is set and not empty."""
    choice = color_choice()
    if choice == "always":
        return True
    if choice == "never":
        return False
    return is_terminal and not os.environ.get("NO_COLOR")


CHECK_EXIT_CODES = exit_codes_help(
    (0, 1, 2, 3, 4),
    note="  --exit-zero (report only): 1 and 4 become 0; 2 and 3 still fail",
)
# commands that print or write something and judge nothing: scorecard, diff, rules, export, ...
DONE_EXIT_CODES = exit_codes_help((0, 2, 3), {ExitCode.READY: "done (nothing is judged)"})


# options check, fleet and `policies bundle` share, each with its own help
_Command = TypeVar("_Command", bound=Callable[..., Any])


def policy_dir_option(help_text: str) -> Callable[[_Command], _Command]:
    return click.option(
        "--policy-dir",
        "policy_dirs",
        multiple=True,
        type=click.Path(path_type=Path),
        help=help_text,
    )


def engine_option(help_text: str) -> Callable[[_Command], _Command]:
    return click.option(
        "--engine",
        default="embedded",
        show_default=True,
        type=click.Choice(["embedded", "opa"]),
        help=help_text,
    )


def mm2_region_option(help_text: str) -> Callable[[_Command], _Command]:
    """--mm2-region ALIAS=REGION (repeatable), as export kafka, export strimzi and init take it."""
    return click.option(
        "--mm2-region", "mm2_regions", multiple=True, metavar="ALIAS=REGION", help=help_text
    )


def opa_url_option(help_text: str) -> Callable[[_Command], _Command]:
    return click.option("--opa-url", default=None, envvar="FAILBACK_OPA_URL", help=help_text)


# options check (and audit), scorecard and fleet share, and how their values are read
now_option = click.option(
    "--now",
    "now_text",
    default=None,
    help="Judge as of this RFC 3339 time instead of the clock (reproducible runs).",
)
allow_outside_repo_option = click.option(
    "--allow-outside-repo",
    is_flag=True,
    help="Let the plan name files outside its repository (its git work tree, else its directory).",
)


def parse_now(value: str | None) -> datetime:
    """--now: the time to judge as of (the clock when not given)."""
    if value is None:
        return datetime.now(UTC)
    from ..snapshot import parse_timestamp

    return parse_timestamp(value, "--now", "value")


def parse_severity(value: str) -> Severity:
    """--fail-on: one of the severities."""
    if not is_severity(value):
        raise InputError(f"unknown severity {value!r}; expected one of {', '.join(SEVERITIES)}")
    return value
