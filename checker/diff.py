"""The region diff (pure): normalised primary vs secondary -> Change records.

Keyed collections are compared by key first (set arithmetic), and deepdiff runs only over the
values of keys present on both sides, so 100k-binding estates never hit an order-insensitive
list diff.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .model import Change, ChangeKind

KEYED_AREAS = ("topics", "grants", "quotas", "storage", "broker_config")
DOCUMENT_AREAS = ("cluster", "authentication", "encryption", "network", "audit")
DIFF_AREAS = DOCUMENT_AREAS[:1] + KEYED_AREAS + DOCUMENT_AREAS[1:]


def _path(parts: list[Any]) -> str:
    return "/".join(str(p) for p in parts)


def _deep(area: str, key: str, prefix: list[Any], a: Any, b: Any) -> Iterator[Change]:
    from deepdiff import DeepDiff

    tree = DeepDiff(a, b, view="tree", verbose_level=2)
    kind: ChangeKind
    changes: list[Change] = []
    # DeepDiff's report types and levels are sets: their order follows hash randomisation,
    # so the changes are sorted by path (then kind) for a deterministic order.
    for report_type, levels in tree.items():
        for level in levels:
            parts = [*prefix, *level.path(output_format="list")]
            if report_type.endswith("_added"):
                kind, left, right = "added", None, level.t2
            elif report_type.endswith("_removed"):
                kind, left, right = "removed", level.t1, None
            else:
                kind, left, right = "changed", level.t1, level.t2
            changes.append(
                Change(area, key, _path([area, *parts]), kind, _plain(left), _plain(right))
            )
    yield from sorted(changes, key=lambda c: (c.path, c.kind))


def _plain(value: Any) -> Any:
    from deepdiff.helper import NotPresent

    return None if isinstance(value, NotPresent) else value


def _keyed(area: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> Iterator[Change]:
    for key in sorted(a.keys() - b.keys()):
        yield Change(area, key, _path([area, key]), "removed", a[key], None)
    for key in sorted(b.keys() - a.keys()):
        yield Change(area, key, _path([area, key]), "added", None, b[key])
    for key in sorted(a.keys() & b.keys()):
        if a[key] != b[key]:
            if isinstance(a[key], dict) and isinstance(b[key], dict):
                yield from _deep(area, key, [key], a[key], b[key])
            else:
                yield Change(area, key, _path([area, key]), "changed", a[key], b[key])


def diff(primary: Mapping[str, Any], secondary: Mapping[str, Any]) -> list[Change]:
    """Every difference in the governance areas; `removed` = only in primary."""
    changes: list[Change] = []
    for area in DIFF_AREAS:
        a = primary.get(area, {})
        b = secondary.get(area, {})
        if area in KEYED_AREAS:
            changes.extend(_keyed(area, a, b))
        elif a != b:
            for change in _deep(area, "", [], a, b):
                key = change.path.split("/")[1] if "/" in change.path else ""
                changes.append(
                    Change(area, key, change.path, change.kind, change.primary, change.secondary)
                )
    return changes
