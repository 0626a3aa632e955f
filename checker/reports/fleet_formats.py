"""Output formats of the fleet report: name -> renderer, imported when used.

Each renderer turns a FleetReport into the text of one file, like the single-pair formats of
checker/reports/__init__.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the fleet report's module is imported by `failback fleet` only
    from ..fleet.report import FleetReport

FleetRenderer = Callable[["FleetReport"], str]

# format name -> (module under checker.reports, one-line description)
FLEET_FORMATS: Mapping[str, tuple[str, str]] = {
    "json": ("fleet_json", "every pair's decisions (the input of `failback fleet merge`)"),
    "sarif": ("fleet_sarif", "SARIF 2.1.0, one run per pair"),
    "markdown": ("fleet_markdown", "a summary: verdicts per pair, worst findings"),
    "html": ("fleet_html", "a self-contained dashboard: pairs x phases, findings, gaps"),
}


def _renderer(module: str) -> FleetRenderer:
    def render(report: FleetReport) -> str:
        loaded = importlib.import_module(f"{__package__}.{module}")
        result: str = loaded.render(report)
        return result

    return render


FLEET_REPORTERS: Mapping[str, FleetRenderer] = {
    name: _renderer(module) for name, (module, _) in FLEET_FORMATS.items()
}
