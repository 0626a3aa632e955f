"""Waivers: accepted risks with an owner, a reason, a ticket and an end date.

Applied in Python after evaluation, so every engine sees the same policies and the decision
stays identical across engines: a waived finding keeps its place in the report with
`"waived": {owner, reason, ticket, expires}` and stops blocking; an expired waiver adds its own
blocking finding (WVR-001); a waiver that matched nothing is reported as unused.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from . import schemas
from .errors import InputError
from .io.read import load_document, read_text
from .model import SEVERITY_RANK, Decision, Waiver, WaiverUse

MAX_DAYS = 180
RULE_ID = "WVR-001"
RULE = {
    "area": "evidence",
    "severity": "high",
    "title": "Waiver expired",
    "description": "A waiver's end date has passed: the risk it accepted is no longer accepted.",
    "remediation": "Fix the waived findings, or renew the waiver with its owner's approval and "
    f"a new expiry date at most {MAX_DAYS} days ahead.",
    "phases": ["normal", "failover", "dr_operation", "failback", "cleanup"],
    "inputs": [],
}
HOW_TO_WAIVE = (
    f"to accept a risk, add {{rule_id, resource, owner, reason, ticket, expires}} "
    f"(at most {MAX_DAYS} days ahead) to waivers.yaml and pass --waivers "
    "(or set waivers: in failback.yaml)"
)


def _dates_to_text(value: Any) -> Any:
    """YAML reads 2026-12-31 as a date; the schema (and JSON) spell dates as strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(v) for v in value]
    return value


def _entry_lines(path: Path) -> list[int | None]:
    """1-based line of each waiver entry, for locations in reports (best effort)."""
    import yaml

    try:
        root = yaml.compose(read_text(path, "waivers"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, InputError):
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "waivers" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def parse_waivers(
    document: Any, origin: str, now: datetime, lines: Sequence[int | None] = ()
) -> tuple[Waiver, ...]:
    """Validate against waivers.v1.json and the expiry limit; raise InputError in one line."""
    document = _dates_to_text(document)
    schemas.validate(document, origin, "waivers")
    today = now.date()
    limit = today + timedelta(days=MAX_DAYS)
    waivers = []
    for index, raw in enumerate(document["waivers"]):
        try:
            expires = date.fromisoformat(raw["expires"])
        except ValueError:
            raise InputError(
                f"waivers {origin} at waivers/{index}/expires: {raw['expires']!r} is not a date"
            ) from None
        if expires > limit:
            raise InputError(
                f"waivers {origin} at waivers/{index}: {raw['rule_id']} on {raw['resource']} "
                f"expires {expires.isoformat()}, more than {MAX_DAYS} days after "
                f"{today.isoformat()}",
                hint=f"expire it by {limit.isoformat()} at the latest",
            )
        waivers.append(
            Waiver(
                rule_id=raw["rule_id"],
                resource=raw["resource"],
                owner=raw["owner"],
                reason=raw["reason"],
                ticket=raw["ticket"],
                expires=expires.isoformat(),
                region=raw.get("region"),
                phase=raw.get("phase"),
                index=index,
                line=lines[index] if index < len(lines) else None,
            )
        )
    return tuple(waivers)


def load_waivers(path: Path, now: datetime) -> tuple[Waiver, ...]:
    document = load_document(path, "waivers")  # an impossible date is an InputError there
    return parse_waivers(document, str(path), now, _entry_lines(path))


def expired(waiver: Waiver, now: datetime) -> bool:
    return now.date() > date.fromisoformat(waiver.expires)


def matches(
    waiver: Waiver, finding: Mapping[str, Any], phase: str, regions: Mapping[str, str]
) -> bool:
    if waiver.rule_id != finding.get("rule_id"):
        return False
    if waiver.phase is not None and waiver.phase != phase:
        return False
    if waiver.region is not None:
        role = finding.get("region")
        if role is None or waiver.region not in (role, regions.get(str(role))):
            return False
    return fnmatch.fnmatchcase(str(finding.get("resource", "")), waiver.resource)


def waiver_resource(waiver: Waiver) -> str:
    """The resource of a WVR-001 finding: what the waiver covered, stable across edits."""
    scope = "".join(
        f" {k}={v}"
        for k, v in (("region", waiver.region), ("phase", waiver.phase))
        if v is not None
    )
    return f"{waiver.rule_id} {waiver.resource}{scope}"


def expired_finding(waiver: Waiver, fail_on: str) -> dict[str, Any]:
    return {
        "rule_id": RULE_ID,
        "area": RULE["area"],
        "severity": RULE["severity"],
        "title": RULE["title"],
        "remediation": RULE["remediation"],
        "resource": waiver_resource(waiver),
        "message": (
            f"The waiver for {waiver.rule_id} on {waiver.resource} (owner {waiver.owner}, "
            f"ticket {waiver.ticket}) expired on {waiver.expires}"
        ),
        "region": None,
        "family": None,
        "primary": None,
        "secondary": None,
        "blocking": SEVERITY_RANK[str(RULE["severity"])] >= SEVERITY_RANK.get(fail_on, 3),
    }


def apply_waivers(
    decisions: Sequence[Decision],
    waivers: Sequence[Waiver],
    file: str,
    now: datetime,
    fail_on: str,
    regions: Mapping[str, str],
) -> tuple[list[list[dict[str, Any]]], WaiverUse]:
    """The findings of each decision with waivers applied (raw form), and how they were used."""
    from .baseline import fingerprint_of

    active = [w for w in waivers if not expired(w, now)]
    stale = [w for w in waivers if expired(w, now)]
    used: set[int] = set()
    out: list[list[dict[str, Any]]] = []
    for decision in decisions:
        findings: list[dict[str, Any]] = []
        for raw in decision.raw.get("findings", []):
            finding = dict(raw)
            waiver = next((w for w in active if matches(w, finding, decision.phase, regions)), None)
            if waiver is not None:
                used.add(waiver.index)
                finding["blocking"] = False
                finding["waived"] = {
                    "owner": waiver.owner,
                    "reason": waiver.reason,
                    "ticket": waiver.ticket,
                    "expires": waiver.expires,
                }
            findings.append(finding)
        for waiver in stale:
            if waiver.phase is None or waiver.phase == decision.phase:
                extra = expired_finding(waiver, fail_on)
                extra["fingerprint"] = fingerprint_of(extra)
                extra["waived"] = None
                extra["known"] = False
                findings.append(extra)
        out.append(findings)
    use = WaiverUse(
        file=file,
        waivers=tuple(waivers),
        unused=tuple(w for w in active if w.index not in used),
        expired=tuple(stale),
    )
    return out, use
