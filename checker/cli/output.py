"""Where a run's output goes and how it ends: which format goes to which file, terminal
rendering options, the exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..model import ExitCode, Report
from ..reports import RenderOptions
from .common import use_color


def output_targets(
    formats: Sequence[str], outputs: Sequence[Path]
) -> list[tuple[str, Path | None]]:
    """Pair the i-th --format with the i-th -o; the rest go to stdout (at most one)."""
    chosen = list(formats) or ["text"]
    if len(outputs) > len(chosen):
        raise InputError(
            f"{len(outputs)} -o given for {len(chosen)} --format",
            hint="give one --format per -o, in the same order",
        )
    targets = [
        (fmt, outputs[i] if i < len(outputs) and str(outputs[i]) != "-" else None)
        for i, fmt in enumerate(chosen)
    ]
    on_stdout = [fmt for fmt, out in targets if out is None]
    if len(on_stdout) > 1:
        raise InputError(
            f"formats {', '.join(on_stdout)} would all go to stdout",
            hint="give -o FILE for all but one --format",
        )
    return targets


def terminal_options(fmt: str) -> RenderOptions:
    """How a report shown on stdout is rendered: the text format in a terminal is wrapped to its
    width; colour follows --color (auto: a terminal without NO_COLOR). Other formats are the
    same as in a file."""
    if fmt != "text":
        return RenderOptions()
    is_terminal = sys.stdout.isatty()
    width = None
    if is_terminal:
        import shutil  # only for a terminal: the pre-commit hook's output is piped

        width = shutil.get_terminal_size((100, 24)).columns
    return RenderOptions(color=use_color(is_terminal), width=width)


def exit_code(report: Report, exit_zero: bool) -> int:
    """The verdict's exit code (Report.exit_code: the policies' verdicts), or 0 in report-only
    mode (--exit-zero). Input and engine errors never get here: they exit 2 and 3 on their
    way (errors.handle_errors), with or without --exit-zero."""
    return int(ExitCode.READY) if exit_zero else int(report.exit_code)
