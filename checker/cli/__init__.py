"""The `failback` command line: the only package that imports click.

One module per command family; each parses its options, calls the core and a reporter, and
lets `errors.handle_errors` turn every error into one line and a documented exit code.
`common` gives every command --debug and --color (accepted before or after the command name).
"""

from __future__ import annotations

from pathlib import Path

import click

from . import check, diff, export, fleet, init, policies, validate, watch
from .common import add_global_options, exit_codes_help
from .config import add_env_vars
from .errors import handle_errors
from .version import version_option

MAIN_EXIT_CODES = exit_codes_help(
    (0, 1, 2, 3, 4),
    note="  (1 and 4 are check's verdicts; `failback COMMAND --help` lists each command's codes)",
)


class _Main(click.Group):
    """The `failback` group: notes whether help was asked for anywhere on the command line, so
    that a broken configuration file never hides a command's help."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["failback.help"] = any(arg in ("-h", "--help") for arg in args)
        return super().parse_args(ctx, args)


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


main.add_command(check.check)
main.add_command(check.check, name="audit")
main.add_command(check.scorecard)
main.add_command(export.export)
main.add_command(diff.diff)
main.add_command(policies.policies)
main.add_command(policies.rules)
main.add_command(validate.validate)
main.add_command(init.init)
main.add_command(fleet.fleet)
main.add_command(watch.watch)
main.add_command(watch.report)
main.params.insert(0, version_option())
add_global_options(main)
add_env_vars(main)
