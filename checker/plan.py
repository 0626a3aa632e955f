"""failback.yaml: load, validate, resolve paths and topic families.

Nothing outside this module reads the plan's document: the typed accessors below say what a
plan holds (defaults included).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from . import schemas
from .errors import InputError
from .io.read import load_document
from .model import PHASES, Phase, is_phase

# Evidence limits a plan may set (evidence: in failback.yaml) and their defaults.
DEFAULT_EVIDENCE: Mapping[str, Any] = {
    "max_snapshot_skew_hours": 24,
    "max_snapshot_age_hours": 168,
    "rehearsal_max_age_days": 90,
}


@dataclass(frozen=True)
class RegionRef:
    role: str  # primary | secondary
    name: str
    snapshot: Path | None
    source: Mapping[str, Any] | list[Mapping[str, Any]] | None


@dataclass(frozen=True)
class Evidence:
    """A family's readiness evidence for one phase."""

    runbook: str | None
    last_rehearsal: date | str | None  # YAML reads an unquoted date as a date
    metrics: tuple[str, ...]
    alerts: tuple[str, ...]


@dataclass(frozen=True)
class Connect:
    """A family's Kafka Connect internal topics and whether the plan re-creates them."""

    internal_topics: tuple[str, ...]
    recreate: bool


@dataclass(frozen=True)
class Rollback:
    stop_point: str | None
    return_path: str | None


@dataclass(frozen=True)
class Cost:
    max_dual_region_days: int | None
    dual_region_since: date | str | None
    owner: str | None


@dataclass(frozen=True)
class Family:
    name: str
    match: tuple[str, ...]
    document: Mapping[str, Any]

    def matches(self, topic: str) -> bool:
        return any(fnmatch.fnmatchcase(topic, pattern) for pattern in self.match)

    def role(self, phase: str, key: str) -> str | None:
        phases: Mapping[str, Any] = self.document.get("phases", {})
        value = phases.get(phase, {}).get(key)
        return None if value is None else str(value)

    @property
    def owner(self) -> str | None:
        return _text(self.document.get("owner"))

    @property
    def tier(self) -> int:
        return int(self.document.get("tier", 3))

    @property
    def producers(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.document.get("producers", []))

    @property
    def offset_strategy(self) -> str | None:
        return _text(self.document.get("offset_strategy"))

    @property
    def transactional(self) -> bool:
        return bool(self.document.get("transactional", False))

    @property
    def sinks(self) -> tuple[Mapping[str, Any], ...]:
        return tuple(dict(s) for s in self.document.get("sinks", []))

    @property
    def connect(self) -> Connect | None:
        raw = self.document.get("connect")
        if raw is None:
            return None
        return Connect(
            internal_topics=tuple(str(t) for t in raw.get("internal_topics", [])),
            recreate=bool(raw.get("recreate", False)),
        )

    def evidence(self, phase: str) -> Evidence:
        raw: Mapping[str, Any] = self.document.get("evidence", {}).get(phase, {})
        return Evidence(
            runbook=_text(raw.get("runbook")),
            last_rehearsal=raw.get("last_rehearsal"),
            metrics=tuple(str(m) for m in raw.get("metrics", [])),
            alerts=tuple(str(a) for a in raw.get("alerts", [])),
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, eq=False)
class Plan:
    path: Path | None
    name: str
    current_phase: str
    primary: RegionRef
    secondary: RegionRef
    families: tuple[Family, ...]
    document: Mapping[str, Any] = field(repr=False)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path(".")

    @cached_property
    def _family_pattern(self) -> re.Pattern[str]:
        """All families' globs as one alternation: the first family (in plan order) wins."""
        groups = [
            f"(?P<f{index}>{'|'.join(fnmatch.translate(g) for g in family.match)})"
            for index, family in enumerate(self.families)
        ]
        return re.compile("|".join(groups) or "(?!)")

    def family_of(self, topic: str) -> str | None:
        match = self._family_pattern.match(topic)
        if match is None or match.lastgroup is None:
            return None
        return self.families[int(match.lastgroup[1:])].name

    def equivalences(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for entry in self.document.get("equivalences", []):
            for value in entry["values"]:
                table[str(value)] = str(entry["canonical"])
        return table

    def replicator_principals(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.document.get("replicator_principals", []))

    @property
    def waivers_file(self) -> Path | None:
        """The plan's waiver file (waivers:, relative to the plan), if it names one."""
        name = self.document.get("waivers")
        return self.base_dir / str(name) if name else None

    @property
    def evidence_settings(self) -> dict[str, Any]:
        """The evidence limits (snapshot skew and age, rehearsal age), defaults filled in."""
        evidence: Mapping[str, Any] = self.document.get("evidence", {})
        return {**DEFAULT_EVIDENCE, **{k: v for k, v in evidence.items() if k in DEFAULT_EVIDENCE}}

    @property
    def out_of_scope(self) -> frozenset[str]:
        """Snapshot areas the plan declares not judged (evidence.out_of_scope)."""
        return frozenset(str(a) for a in self.document.get("evidence", {}).get("out_of_scope", []))

    @property
    def rollback(self) -> Rollback:
        raw: Mapping[str, Any] = self.document.get("rollback", {})
        return Rollback(
            stop_point=_text(raw.get("stop_point")), return_path=_text(raw.get("return_path"))
        )

    @property
    def cost(self) -> Cost:
        raw: Mapping[str, Any] = self.document.get("cost", {})
        days = raw.get("max_dual_region_days")
        return Cost(
            max_dual_region_days=None if days is None else int(days),
            dual_region_since=raw.get("dual_region_since"),
            owner=_text(raw.get("owner")),
        )

    def flow_owner(self, flow: str) -> str | None:
        """The owner cost.flow_owners names for a replication flow."""
        owners: Mapping[str, Any] = self.document.get("cost", {}).get("flow_owners", {})
        return _text(owners.get(flow))


def _region(role: str, raw: Mapping[str, Any], base: Path) -> RegionRef:
    snapshot = raw.get("snapshot")
    return RegionRef(
        role=role,
        name=str(raw["name"]),
        snapshot=(base / snapshot) if snapshot else None,
        source=raw.get("source"),
    )


def parse_plan(document: Any, origin: str, path: Path | None = None) -> Plan:
    schemas.validate(document, origin, "plan")
    base = path.parent if path else Path(".")
    regions = document["regions"]
    if regions["primary"]["name"] == regions["secondary"]["name"]:
        raise InputError(f"plan {origin}: primary and secondary name the same region")
    families = tuple(
        Family(name=str(f["name"]), match=tuple(f["match"]), document=f)
        for f in document["topic_families"]
    )
    _check_unique((f.name for f in families), origin, "topic family")
    return Plan(
        path=path,
        name=str(document.get("name", path.stem if path else "plan")),
        current_phase=str(document.get("current_phase", "normal")),
        primary=_region("primary", regions["primary"], base),
        secondary=_region("secondary", regions["secondary"], base),
        families=families,
        document=document,
    )


def _check_unique(names: Iterable[str], origin: str, what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"plan {origin}: {what} {name!r} is declared twice")
        seen.add(name)


def load_plan(path: Path) -> Plan:
    document = load_document(path, "plan")
    return parse_plan(document, str(path), path.resolve())


def check_phase(phase: str) -> Phase:
    if not is_phase(phase):
        raise InputError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)} or all")
    return phase
