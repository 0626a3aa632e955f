"""Where a run's output goes and how it ends: terminal rendering options, the exit code."""

from __future__ import annotations

import shutil
import sys

from ..model import ExitCode, Report
from ..reports import RenderOptions
from .common import use_color


def terminal_options(fmt: str) -> RenderOptions:
    """How a report shown on stdout is rendered: the text format in a terminal is wrapped to its
    width; colour follows --color (auto: a terminal without NO_COLOR). Other formats are the
    same as in a file."""
    if fmt != "text":
        return RenderOptions()
    is_terminal = sys.stdout.isatty()
    width = shutil.get_terminal_size((100, 24)).columns if is_terminal else None
    return RenderOptions(color=use_color(is_terminal), width=width)


def exit_code(report: Report, exit_zero: bool) -> int:
    """The verdict's exit code (Report.exit_code: the policies' verdicts), or 0 in report-only
    mode (--exit-zero). Input and engine errors never get here: they exit 2 and 3 on their
    way (errors.handle_errors), with or without --exit-zero."""
    return int(ExitCode.READY) if exit_zero else int(report.exit_code)
