"""Repeated runtime samples of one region from the sources its plan declares (`failback watch`).

    sampler = RegionSampler(plan.primary.source, plan.primary.name, plan.base_dir)
    runtime, gaps = sampler.sample()                      # again and again

Kafka sources keep one connection across samples (`kafka.open_session`, `kafka.collect_runtime`);
AWS sources read CloudWatch afresh each time (`aws.sample_runtime`). Samples of several sources
merge into one `runtime` area (`_shared.runtime.merge_runtime`). Other source types hold no
runtime evidence and are skipped; a region with none of either gets a gap. Like the registry,
the source packages are imported only when used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .exporters import module
from .exporters._shared.runtime import merge_runtime

RUNTIME_SOURCES = ("kafka", "aws")
Gap = dict[str, str]


class RegionSampler:
    """The runtime sources of one region, ready to sample (connections opened lazily)."""

    def __init__(
        self,
        sources: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
        region: str,
        base_dir: Path,
    ) -> None:
        """`sources`: a region's `source:` (one mapping, a list, or None)."""
        if sources is None:
            sources = []
        elif isinstance(sources, Mapping):
            sources = [sources]
        self.region = region
        self._configs: list[tuple[str, Any]] = [
            (str(s["type"]), module(str(s["type"])).from_plan(s, region, base_dir))
            for s in sources
            if s.get("type") in RUNTIME_SOURCES
        ]
        self._sessions: dict[int, Any] = {}

    def sample(self) -> tuple[dict[str, Any], list[Gap]]:
        """One runtime sample of the region: (the `runtime` area, its gaps). Raises InputError
        (one line) when a source cannot be reached at all, as an export does."""
        if not self._configs:
            now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            reason = f"region {self.region} has no kafka or aws source to sample"
            return {"captured_at": now}, [{"area": "runtime", "reason": reason, "call": ""}]
        merged: dict[str, Any] | None = None
        gaps: list[Gap] = []
        for index, (kind, config) in enumerate(self._configs):
            if kind == "kafka":
                kafka = module("kafka")
                if index not in self._sessions:
                    self._sessions[index] = kafka.open_session(config)
                runtime, found = kafka.collect_runtime(self._sessions[index])
            else:
                runtime, found = module("aws").sample_runtime(config)
            merged = runtime if merged is None else merge_runtime(merged, runtime)
            gaps += [g for g in found if g not in gaps]
        assert merged is not None
        return merged, gaps
