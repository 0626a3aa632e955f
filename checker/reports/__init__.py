"""Output formats: name -> renderer. One module per format; an explicit registry.

Each renderer turns a Report into the text of one file; the CLI decides where it goes.
Modules are imported only when their format is used (`failback --help` stays fast).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .. import collector
from ..model import Report


@dataclass(frozen=True)
class RenderOptions:
    """How the output will be seen: a colour terminal of some width, or a file."""

    color: bool = False
    width: int | None = None  # terminal columns: text becomes a compact, truncated table
    cwd: Path | None = None  # paths in reports are relative to this (default: the cwd)


class Renderer(Protocol):
    """A report in one format; without options, as for a file."""

    def __call__(self, report: Report, options: RenderOptions | None = None, /) -> str: ...


# format name -> (module under checker.reports, one-line description)
FORMATS: Mapping[str, tuple[str, str]] = {
    "text": ("text", "human-readable report (colour in a terminal)"),
    "short": ("short", "verdicts, blocking findings with file and resource, how to waive"),
    "json": ("json_report", "the decisions as the policies returned them, plus fingerprints"),
    "sarif": ("sarif", "SARIF 2.1.0 for code scanning"),
    "junit": ("junit", "JUnit XML for CI test tabs"),
    "markdown": ("markdown", "a pull-request comment"),
    "html": ("html", "a self-contained audit report"),
    "github": ("github", "GitHub Actions annotations (::error file=...,line=...::message)"),
}


def _renderer(module: str) -> Renderer:
    def render(report: Report, options: RenderOptions | None = None) -> str:
        loaded = importlib.import_module(f"{__name__}.{module}")
        # a report's rendering makes a fresh tree of dicts, lists and strings while the plan,
        # the snapshots and the decisions stay alive: no cycles to find (10k families: the
        # collector walked them for 0.5 s while the JSON report was built)
        with collector.paused():
            result: str = loaded.render(report, options or RenderOptions())
        return result

    return render


REPORTERS: Mapping[str, Renderer] = {name: _renderer(mod) for name, (mod, _) in FORMATS.items()}
