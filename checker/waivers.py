"""Waivers: accepted risks with an owner, a reason, a ticket and an end date (loading only).

The policies apply them (policies/failback/exceptions, input from checker/exceptions.py): a
waived finding keeps its place in the report with `"waived": {owner, reason, ticket, expires}`
and stops blocking; an expired waiver raises its own finding (WVR-001); a waiver that matched
nothing is reported as unused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from . import schemas
from .errors import InputError
from .io.read import dates_to_text, load_document, read_text
from .model import Waiver

MAX_DAYS = 180  # also in WVR-001's remediation (policies/failback/catalog/exception_rules.rego)
HOW_TO_WAIVE = (
    f"to accept a risk, add {{rule_id, resource, owner, reason, ticket, expires}} "
    f"(at most {MAX_DAYS} days ahead) to waivers.yaml and pass --waivers "
    "(or set waivers: in failback.yaml)"
)


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
    document = dates_to_text(document)
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
