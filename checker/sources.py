"""Where each region's snapshot comes from: a file, or sources failback.yaml declares.

A region may list several sources (e.g. `aws` for the MSK surroundings and `kafka` for the ACLs
and consumer groups that only the Kafka protocol shows); their snapshots are merged area by area:
an area one source read fills the same area another source could not read (a gap) or left out.
Replication flows add up: each source contributes the flows it read (an empty `replication` of
one source does not hide another's flows).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from .errors import InputError
from .io import ahead as ahead_io
from .io.ahead import Ahead
from .model import SNAPSHOT_AREAS, Snapshot
from .plan import Outage, Plan, RegionRef
from .snapshot import load_snapshot, parse_snapshot, parse_timestamp

# How much later than the time it is judged at a snapshot may say it was captured: the clocks
# of the exporting and the checking machines may differ that much.
CLOCK_SKEW = timedelta(minutes=5)


def _gapped(document: Mapping[str, Any]) -> set[str]:
    return {str(gap["area"]) for gap in document.get("gaps", [])}


def _flow_key(flow: Mapping[str, Any]) -> tuple[str, str, str, str]:
    return (
        str(flow.get("tool")),
        str(flow.get("name")),
        str(flow.get("source_region")),
        str(flow.get("target_region")),
    )


def merge(documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The first snapshot, with areas it lacks (or has a gap in) taken from the later ones."""
    merged = dict(documents[0])
    merged["gaps"] = list(documents[0].get("gaps", []))
    kinds = [str(d.get("source", {}).get("type", "?")) for d in documents]
    for document in documents[1:]:
        for area in SNAPSHOT_AREAS:
            if area == "cluster" or area not in document or area in _gapped(document):
                continue
            if area not in merged or area in _gapped(merged):
                merged[area] = document[area]
                merged["gaps"] = [g for g in merged["gaps"] if g["area"] != area]
            elif area == "runtime":
                from .exporters._shared.runtime import merge_runtime  # exporters only when merging

                merged[area] = merge_runtime(merged[area], document[area])
            elif area == "replication":
                # flows add up: a second source (MM2 beside a replicator) adds its own
                seen = {_flow_key(f) for f in merged[area]}
                merged[area] = [
                    *merged[area],
                    *(f for f in document[area] if _flow_key(f) not in seen),
                ]
        for gap in document.get("gaps", []):
            unread = gap["area"] not in merged or gap["area"] in _gapped(merged)
            if unread and gap not in merged["gaps"]:
                merged["gaps"].append(gap)
    if len(documents) > 1:
        merged["source"] = {"type": kinds[0], "detail": "merged: " + " + ".join(kinds)}
    return merged


def _sources(region: RegionRef) -> list[Mapping[str, Any]]:
    raw = region.source
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list) else [raw]


def not_from_the_future(snapshot: Snapshot, now: datetime) -> None:
    """Refuse a snapshot captured after `now` (beyond CLOCK_SKEW): impossible evidence, which
    would never go stale."""
    captured = parse_timestamp(snapshot.captured_at, snapshot.origin, "captured_at")
    if captured > now + CLOCK_SKEW:
        judged = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        raise InputError(
            f"snapshot {snapshot.origin} was captured at {snapshot.captured_at}, after the "
            f"time it is judged at ({judged}): impossible evidence",
            hint="check the exporting machine's clock, the snapshot's captured_at and --now",
        )


def region_snapshot(
    plan: Plan,
    region: RegionRef,
    override: Path | None,
    messages: TextIO | None = None,
    now: datetime | None = None,
    ahead: Ahead[Snapshot] | None = None,
) -> Snapshot:
    """The region's snapshot: the override file, the plan's snapshot file, or its sources
    exported now (their progress and warnings go to `messages`). `ahead`: the file being read
    in a child process (`read_ahead`), whose snapshot is taken when it brings one.

    With `now`, a snapshot captured after it is refused (`not_from_the_future`); one exported
    during this call was stamped by the clock, so it is held against the later of `now` and
    the clock (a `--now` in the past still judges a fresh export)."""
    path = override if override is not None else region.snapshot
    if path is not None:
        snapshot = (ahead.result() if ahead is not None else None) or load_snapshot(path)
        if now is not None:
            not_from_the_future(snapshot, now)
        return snapshot
    sources = _sources(region)
    if sources:
        from .exporters import from_source

        stamp = None if now is None else now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        documents = [
            from_source(source, region.name, plan.base_dir, messages, stamp) for source in sources
        ]
        kinds = "+".join(str(s.get("type", "?")) for s in sources)
        snapshot = parse_snapshot(
            merge(documents), f"{kinds} source of {region.role} region {region.name}"
        )
        if now is not None:
            not_from_the_future(snapshot, max(now, datetime.now(UTC)))
        return snapshot
    raise InputError(
        f"no snapshot or source for the {region.role} region {region.name}: "
        f"give --{region.role} or set regions.{region.role}.snapshot/source"
    )


def read_ahead(path: Path | None) -> Ahead[Snapshot] | None:
    """The snapshot file being read in a child process (`checker.io.ahead`), when it is large
    enough to be worth one and a child can be used here; else None."""
    if path is None or not ahead_io.worth(path):
        return None
    return ahead_io.start(functools.partial(_load_to_hand_over, path))


def _load_to_hand_over(path: Path) -> Snapshot:
    """The snapshot, without the columns its validation read: they are cheaper read again here
    than pickled (a child's result is read after this process's own read, so the child's
    time counts twice over)."""
    return dataclasses.replace(load_snapshot(path), columns={})


# The reason every area of an impaired region without a snapshot carries (a gap per area).
IMPAIRED_REASON = "region impaired: no snapshot"


def placeholder_snapshot(region: RegionRef, like: Snapshot, now: datetime, cause: str) -> Snapshot:
    """The snapshot of an impaired region that has none: no area, a gap for each (the
    policies list the rules that needed them as not judgeable); schema version and cluster
    kind as the healthy region's `like`, so that only the outage differs."""
    cluster = like.document["cluster"]
    document = {
        "schema_version": like.schema_version,
        "region": region.name,
        "captured_at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": {"type": "file", "detail": f"no snapshot: region impaired ({cause})"},
        "cluster": {"id": "", "name": "", "kind": cluster["kind"]},
        "gaps": [
            {"area": area, "reason": IMPAIRED_REASON, "call": ""}
            for area in SNAPSHOT_AREAS
            if area != "cluster"
        ],
    }
    return parse_snapshot(document, f"{region.role} region {region.name} (impaired, no snapshot)")


def plan_snapshots(
    plan: Plan,
    overrides: tuple[Path | None, Path | None],
    messages: TextIO,
    now: datetime,
    outage: Outage | None,
) -> tuple[Snapshot, Snapshot, str | None]:
    """Both regions' snapshots (`region_snapshot`), and why the impaired region's is a
    placeholder (None when it is not): a region declared impaired may have no snapshot (none
    configured, a missing or unreadable file, a failed export). The healthy region's snapshot
    is required as always."""
    refs = (plan.primary, plan.secondary)
    loaded: dict[str, Snapshot] = {}
    cause: str | None = None
    # a large secondary snapshot file is read in a child while this process reads the primary
    second = read_ahead(overrides[1] if overrides[1] is not None else plan.secondary.snapshot)
    try:
        for ref, override in zip(refs, overrides, strict=True):
            ahead = second if ref is plan.secondary else None
            if outage is not None and ref.role == outage.role:
                try:
                    loaded[ref.role] = region_snapshot(plan, ref, override, messages, now, ahead)
                except InputError as exc:
                    cause = exc.one_line()
            else:
                loaded[ref.role] = region_snapshot(plan, ref, override, messages, now, ahead)
    finally:
        if second is not None:
            second.cancel()
    if cause is not None and outage is not None:
        impaired = plan.primary if outage.role == "primary" else plan.secondary
        healthy = loaded[plan.secondary.role if outage.role == "primary" else plan.primary.role]
        loaded[outage.role] = placeholder_snapshot(impaired, healthy, now, cause)
    return loaded["primary"], loaded["secondary"], cause
