"""The `failback` command line: the only package that imports click.

One module per command family; each parses its options, calls the core and a reporter, and
lets `errors.handle_errors` turn every error into one line and a documented exit code.
`common` gives every command --debug and --color (accepted before or after the command name).
COMMANDS names each command's module: a module is imported when its command runs or help
lists it, so the pre-commit hook's `failback check` imports no other command's module.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path

import click

from .common import LazyGroup, add_global_options, exit_codes_help
from .config import add_env_vars
from .errors import handle_errors
from .version import version_option

MAIN_EXIT_CODES = exit_codes_help(
    (0, 1, 2, 3, 4),
    note="  (1 and 4 are check's verdicts; `failback COMMAND --help` lists each command's codes)",
)


# command name -> (module of this package, the click command in it)
COMMANDS: Mapping[str, tuple[str, str]] = {
    "audit": ("check", "check"),
    "check": ("check", "check"),
    "diff": ("diff", "diff"),
    "export": ("export", "export"),
    "fleet": ("fleet", "fleet"),
    "init": ("init", "init"),
    "policies": ("policies", "policies"),
    "report": ("watch", "report"),
    "rules": ("policies", "rules"),
    "scorecard": ("check", "scorecard"),
    "validate": ("validate", "validate"),
    "watch": ("watch", "watch"),
}


class _Main(LazyGroup):
    """The `failback` group: its commands come from COMMANDS when first used; notes whether
    help was asked for anywhere on the command line, so that a broken configuration file
    never hides a command's help."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["failback.help"] = any(arg in ("-h", "--help") for arg in args)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context | None) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context | None, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in COMMANDS:
            module, attribute = COMMANDS[cmd_name]
            command = getattr(import_module(f".{module}", __name__), attribute)
            assert isinstance(command, click.Command)
            add_global_options(command)  # --debug and --color after the command name too
            add_env_vars(command, (cmd_name,))
            self.add_command(command, cmd_name)
        return command


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=MAIN_EXIT_CODES,
)
@click.pass_context
@handle_errors
def main(ctx: click.Context) -> None:
    """Can Kafka traffic go back after a cross-region failover? Policy-as-code failback gate.

    Defaults come from failback.toml or [tool.failback] in pyproject.toml (the nearest from
    the working directory up to the repository root) and FAILBACK_* environment variables;
    a flag beats its variable, which beats the file.
    """
    if ctx.meta.get("failback.help"):
        return  # help shows the built-in defaults, whatever the configuration file says
    from .config import default_map, load

    ctx.default_map = default_map(load(Path.cwd()), main)


main.params.insert(0, version_option())
add_global_options(main)
