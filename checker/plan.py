"""failback.yaml: load, validate, resolve paths and topic families."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import schemas
from .errors import InputError
from .io.read import load_document
from .model import PHASES


@dataclass(frozen=True)
class RegionRef:
    role: str  # primary | secondary
    name: str
    snapshot: Path | None
    source: Mapping[str, Any] | list[Mapping[str, Any]] | None


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


def check_phase(phase: str) -> str:
    if phase not in PHASES:
        raise InputError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)} or all")
    return phase
