"""The one mapping from errors to exit codes: one line on stderr, never a traceback.

Exit codes: 0 ready, 1 not ready, 2 usage or input error, 3 internal or engine error,
4 indeterminate (evidence gaps prevent a decision and no finding blocks).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

import click

from ..errors import CheckerError
from ..model import ExitCode
from ..redact import redact_urls

F = TypeVar("F", bound=Callable[..., Any])


def error_line(message: str) -> str:
    """`failback: error: ...` as one visible line (messages quote names from the data)."""
    from ..reports.escape import visible

    return f"failback: error: {visible(' '.join(redact_urls(message).split()))}"


def fail(message: str, code: int) -> None:
    click.echo(error_line(message), err=True)
    sys.exit(code)


def warn(message: str) -> None:
    """`failback: warning: ...` as one visible line on stderr, like `error_line`."""
    from ..reports.escape import visible

    click.echo(f"failback: warning: {visible(' '.join(redact_urls(message).split()))}", err=True)


def _traceback() -> str:
    """The current exception's traceback, for --debug (traceback is imported only then)."""
    import traceback

    return traceback.format_exc()


def handle_errors(func: F) -> F:
    """One line on stderr and a documented exit code instead of a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .common import debug_enabled

        try:
            return func(*args, **kwargs)
        except CheckerError as exc:
            if debug_enabled():
                click.echo(redact_urls(_traceback()), err=True, nl=False)
            fail(exc.one_line(), exc.exit_code)
        except KeyboardInterrupt:
            click.echo("failback: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # the reader (e.g. `| head`) went away: stop quietly, like other CLI tools
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(int(ExitCode.READY))
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence, reported in one line
            if debug_enabled():
                click.echo(redact_urls(_traceback()), err=True, nl=False)
            fail(
                f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
                ExitCode.INTERNAL_ERROR,
            )
        return None

    return cast(F, wrapper)
