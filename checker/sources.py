"""Where each region's snapshot comes from: a file, or a source failback.yaml declares."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .model import Snapshot
from .plan import Plan, RegionRef
from .snapshot import load_snapshot, parse_snapshot


def region_snapshot(plan: Plan, region: RegionRef, override: Path | None) -> Snapshot:
    if override is not None:
        return load_snapshot(override)
    if region.snapshot is not None:
        return load_snapshot(region.snapshot)
    if region.source is not None:
        from .exporters import from_source

        kind = region.source.get("type", "?")
        document = from_source(region.source, region.name, plan.base_dir)
        return parse_snapshot(document, f"{kind} source of {region.role} region {region.name}")
    raise InputError(f"no snapshot or source for the {region.role} region {region.name}: "
                     f"give --{region.role} or set regions.{region.role}.snapshot/source")
