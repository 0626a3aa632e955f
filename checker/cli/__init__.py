"""The `failback` command line: the only package that imports click.

One module per command family; each parses its options, calls the core and a reporter, and
lets `errors.handle_errors` turn every error into one line and a documented exit code.
"""

from __future__ import annotations

import click

from . import check, diff, export, fleet, policies, validate
from .errors import EXIT_CODES_HELP


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES_HELP)
@click.version_option(package_name="failback-checker", prog_name="failback")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
def main(debug: bool) -> None:
    """Can Kafka traffic go back after a cross-region failover? Policy-as-code failback gate."""


main.add_command(check.check)
main.add_command(check.check, name="audit")
main.add_command(check.scorecard)
main.add_command(export.export)
main.add_command(diff.diff)
main.add_command(policies.policies)
main.add_command(policies.rules)
main.add_command(validate.validate)
main.add_command(fleet.fleet)
