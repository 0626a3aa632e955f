"""Where each region's snapshot comes from: a file, or sources failback.yaml declares.

A region may list several sources (e.g. `aws` for the MSK surroundings and `kafka` for the ACLs
and consumer groups that only the Kafka protocol shows); their snapshots are merged area by area:
an area one source read fills the same area another source could not read (a gap) or left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from .errors import InputError
from .model import SNAPSHOT_AREAS, Snapshot
from .plan import Plan, RegionRef
from .snapshot import load_snapshot, parse_snapshot


def _gapped(document: Mapping[str, Any]) -> set[str]:
    return {str(gap["area"]) for gap in document.get("gaps", [])}


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


def region_snapshot(
    plan: Plan, region: RegionRef, override: Path | None, messages: TextIO | None = None
) -> Snapshot:
    """The region's snapshot: the override file, the plan's snapshot file, or its sources
    exported now (their progress and warnings go to `messages`)."""
    if override is not None:
        return load_snapshot(override)
    if region.snapshot is not None:
        return load_snapshot(region.snapshot)
    sources = _sources(region)
    if sources:
        from .exporters import from_source

        documents = [
            from_source(source, region.name, plan.base_dir, messages) for source in sources
        ]
        kinds = "+".join(str(s.get("type", "?")) for s in sources)
        return parse_snapshot(
            merge(documents), f"{kinds} source of {region.role} region {region.name}"
        )
    raise InputError(
        f"no snapshot or source for the {region.role} region {region.name}: "
        f"give --{region.role} or set regions.{region.role}.snapshot/source"
    )
