"""Machine-readable report: the decisions as the policies returned them (waiver and baseline
status included), each finding labelled with its fingerprint after evaluation."""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..model import Report, Snapshot
from . import RenderOptions, json_text


def _evidence(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "region": snapshot.region,
        "captured_at": snapshot.captured_at,
        "schema_version": snapshot.schema_version,
        "source": dict(snapshot.document.get("source", {})),
    }


def document(report: Report) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "tool": "failback-checker",
        "version": __version__,
        "plan": report.plan_name,
        "fail_on": report.fail_on,
        "exit_code": int(report.exit_code),
        "primary": _evidence(report.primary),
        "secondary": _evidence(report.secondary),
        "decisions": [d.as_dict() for d in report.decisions],
    }
    if report.waivers is not None:
        doc["waivers"] = {
            "file": report.waivers.file,
            "count": len(report.waivers.waivers),
            "unused": [w.as_dict() for w in report.waivers.unused],
            "expired": [w.as_dict() for w in report.waivers.expired],
        }
    if report.baseline is not None:
        doc["baseline"] = {"file": report.baseline.file, "known": report.baseline.known}
    return doc


def render(report: Report, options: RenderOptions | None = None) -> str:
    return json_text.dumps(document(report)) + "\n"
