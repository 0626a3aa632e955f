"""The fleet report as JSON: every pair's decisions, findings and gaps. Deterministic (pairs in
identity order, no timings), so shards' parts merge into exactly the unsharded run's report."""

from __future__ import annotations

import json

from ..fleet.report import FleetReport


def render(report: FleetReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
