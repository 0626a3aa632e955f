"""Machine-readable report: the decisions exactly as the policies returned them."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..model import Report, Snapshot


def _evidence(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "region": snapshot.region,
        "captured_at": snapshot.captured_at,
        "schema_version": snapshot.schema_version,
        "source": dict(snapshot.document.get("source", {})),
    }


def document(report: Report) -> dict[str, Any]:
    return {
        "tool": "failback-checker",
        "version": __version__,
        "plan": report.plan_name,
        "fail_on": report.fail_on,
        "exit_code": int(report.exit_code),
        "primary": _evidence(report.primary),
        "secondary": _evidence(report.secondary),
        "decisions": [dict(d.raw) for d in report.decisions],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), indent=2, sort_keys=True) + "\n"
