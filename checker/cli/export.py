"""`failback export <source>`: each exporter's command is imported only when used."""

from __future__ import annotations

import click

from ..errors import CheckerError
from .errors import fail


class ExportGroup(click.Group):
    """`failback export <source>`: each exporter's command is imported only when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from ..exporters import available

        return available()

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from ..exporters import EXPORTERS, module

        if cmd_name not in EXPORTERS:
            return None
        try:
            command: click.Command = module(cmd_name).command
        except CheckerError as exc:
            fail(exc.one_line(), exc.exit_code)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from ..exporters import SUMMARIES

        with formatter.section("Sources"):
            formatter.write_dl(sorted(SUMMARIES.items()))


@click.group(cls=ExportGroup)
def export() -> None:
    """Export one region's governance surface into a snapshot (v1)."""
