"""The region diff (pure): normalised primary vs secondary -> Change records.

Keyed collections are compared by key first (set arithmetic), and only the values of keys
present on both sides are diffed deeper, so 100k-binding estates never hit an order-insensitive
list diff. Nested mappings of scalars (nearly every value) are diffed here with deepdiff's own
rules (type changes, the 0.33 shared-key threshold); a value holding lists, sets or other
containers that differ goes to deepdiff, whose import costs a quarter of a second on the
pre-commit path (tests/test_diff_fast_path.py holds the two to the same changes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .grant_records import GrantMap
from .model import Change, ChangeKind

KEYED_AREAS = ("topics", "grants", "quotas", "storage", "broker_config")
DOCUMENT_AREAS = ("cluster", "authentication", "encryption", "network", "audit")
DIFF_AREAS = DOCUMENT_AREAS[:1] + KEYED_AREAS + DOCUMENT_AREAS[1:]


def _path(parts: list[Any]) -> str:
    return "/".join(str(p) for p in parts)


# deepdiff's default threshold_to_diff_deeper: a mapping sharing fewer than this share of its
# keys with the other side is reported as one changed value instead of key by key
_DIFF_DEEPER = 0.33
_SCALARS = (str, int, float, bool, type(None))


class _NeedsDeepDiff(Exception):
    """A difference the fast path does not model (lists, sets, other containers)."""


def _strictly_equal(a: Any, b: Any) -> bool:
    """Equal with equal types all the way down (1 and 1.0, True and 1 differ)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_strictly_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_strictly_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _fast(
    parts: list[Any], a: Any, b: Any, out: list[tuple[ChangeKind, list[Any], Any, Any]]
) -> None:
    """deepdiff's tree for mappings and scalars, in traversal order, or _NeedsDeepDiff."""
    if a is b:
        return
    if type(a) is not type(b):
        out.append(("changed", parts, a, b))  # deepdiff: type_changes
        return
    if isinstance(a, dict):
        a_keys = [k for k in a]
        b_keys = [k for k in b]
        shared = [k for k in b_keys if k in a]
        union = len(a.keys() | b.keys())
        if union > 1 and len(shared) / union < _DIFF_DEEPER:
            out.append(("changed", parts, a, b))  # deepdiff: values_changed of the mapping
            return
        for k in b_keys:
            if k not in a:
                out.append(("added", [*parts, k], None, b[k]))
        for k in a_keys:
            if k not in b:
                out.append(("removed", [*parts, k], a[k], None))
        for k in shared:
            _fast([*parts, k], a[k], b[k], out)
        return
    if isinstance(a, _SCALARS):
        if a != b:
            out.append(("changed", parts, a, b))  # deepdiff: values_changed
        return
    if not _strictly_equal(a, b):
        raise _NeedsDeepDiff


def _deep(area: str, key: str, prefix: list[Any], a: Any, b: Any) -> Iterator[Change]:
    found: list[tuple[ChangeKind, list[Any], Any, Any]] = []
    try:
        _fast([], a, b, found)
    except _NeedsDeepDiff:
        yield from _deepdiff(area, key, prefix, a, b)
        return
    for kind, parts, left, right in found:
        yield Change(area, key, _path([area, *prefix, *parts]), kind, left, right)


def _deepdiff(area: str, key: str, prefix: list[Any], a: Any, b: Any) -> Iterator[Change]:
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


_MISSING = object()


def _keyed(area: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> Iterator[Change]:
    """Keys only in `a` (removed), only in `b` (added), then keys whose values differ, each
    sorted. Two regions' grant maps of one derivation (`GrantMap.alike`) tell which keys
    differ without their records being worked out (`_keyed_grants`)."""
    if isinstance(a, GrantMap) and isinstance(b, GrantMap) and a.alike(b):
        return _keyed_grants(area, a, b)
    return _keyed_values(area, a, b)


def _keyed_grants(area: str, a: GrantMap, b: GrantMap) -> Iterator[Change]:
    """`_keyed_values`' changes, the same ones in the same order, from keys and sources: only
    the records of keys that differ are read."""
    removed = sorted(a.missing_from(b))
    for key, record in zip(removed, a.many(removed), strict=True):
        yield Change(area, key, _path([area, key]), "removed", record, None)
    added = sorted(b.missing_from(a))
    for key, record in zip(added, b.many(added), strict=True):
        yield Change(area, key, _path([area, key]), "added", None, record)
    for key in sorted(a.differing(b)):
        yield from _deep(area, key, [key], a[key], b[key])


def _keyed_values(area: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> Iterator[Change]:
    """Keys only in `a` (removed), only in `b` (added), then keys whose values differ, each
    sorted. One pass over `a` finds the keys missing from `b` and the values that differ (a
    record both regions share is one object: `is` answers before `!=`); `b` is walked only when
    it holds keys `a` lacks. 500k grants: no set of the keys is built, and only the keys that
    differ are sorted."""
    odd = [
        k for k, v in a.items() if (w := b.get(k, _MISSING)) is not v and (w is _MISSING or v != w)
    ]
    removed = [k for k in odd if k not in b]
    for key in sorted(removed):
        yield Change(area, key, _path([area, key]), "removed", a[key], None)
    if len(b) > len(a) - len(removed):  # some key of b is not in a
        for key in sorted(k for k in b if k not in a):
            yield Change(area, key, _path([area, key]), "added", None, b[key])
    changed = [k for k in odd if k in b] if len(removed) < len(odd) else []
    for key in sorted(changed):
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
