"""Which snapshot areas are too incomplete to judge (pure): an empty or partial area is a gap.

An area a snapshot carries but without the fields the rules read (`encryption: {}`, a network
area without `ingress`) would otherwise judge as compliant: every rule is silent when its value
is undefined. The snapshot schema names what each area must carry:

- `x-judged-fields`: fields (dotted paths) the area must have whenever it is present;
- `x-judged-if-either`: fields that may be absent in both regions (a source that cannot see
  them, e.g. at-rest encryption under Strimzi), but not in one region only;
- `x-judged-nonempty`: the area must not be empty (`broker_config: {}` means nothing was read).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from . import schemas


@cache
def _requirements() -> dict[str, tuple[tuple[str, ...], tuple[str, ...], bool]]:
    properties: Mapping[str, Any] = schemas.schema("snapshot")["properties"]
    found = {}
    for area, spec in properties.items():
        fields = tuple(spec.get("x-judged-fields", ()))
        either = tuple(spec.get("x-judged-if-either", ()))
        nonempty = bool(spec.get("x-judged-nonempty", False))
        if fields or either or nonempty:
            found[area] = (fields, either, nonempty)
    return found


def _has(value: Any, path: str) -> bool:
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return False
        value = value[part]
    return True


def _gap(role: str, area: str, reason: str) -> dict[str, str]:
    return {"region": role, "area": area, "reason": reason, "call": ""}


def incomplete_areas(
    documents: Mapping[str, Mapping[str, Any]], reported: Mapping[str, set[str]]
) -> dict[str, list[dict[str, str]]]:
    """Gaps per role for areas present but not judgeable; areas with a reported gap are skipped.

    `documents` maps role (primary, secondary) to the snapshot document."""
    gaps: dict[str, list[dict[str, str]]] = {role: [] for role in documents}
    for area, (fields, either, nonempty) in _requirements().items():
        for role, doc in documents.items():
            if area not in doc or area in reported.get(role, set()):
                continue
            value = doc[area]
            if nonempty and not value:
                gaps[role].append(_gap(role, area, f"{area} is empty: nothing was read"))
                continue
            missing = [f for f in fields if not _has(value, f)]
            others = [other for name, other in documents.items() if name != role]
            missing += [
                f
                for f in either
                if not _has(value, f)
                and any(area in other and _has(other[area], f) for other in others)
            ]
            if missing:
                listed = ", ".join(f"{area}.{f}" for f in missing)
                gaps[role].append(_gap(role, area, f"{listed} missing: the area cannot be judged"))
    return gaps
