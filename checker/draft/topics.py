"""Topic families proposed from topic-name prefixes, and the replication flows that carry them."""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..topics import is_internal
from .region import ROLES, RegionInput

_FAMILY_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def flows_of(regions: tuple[RegionInput, RegionInput]) -> list[Mapping[str, Any]]:
    """Every replication flow either snapshot records, once (by name, source and target)."""
    seen: dict[tuple[str, str, str], Mapping[str, Any]] = {}
    for region in regions:
        for flow in region.document.get("replication", []) or []:
            key = (
                str(flow.get("name")),
                str(flow.get("source_region")),
                str(flow.get("target_region")),
            )
            seen.setdefault(key, flow)
    return [seen[key] for key in sorted(seen)]


def remote_prefixes(flows: Sequence[Mapping[str, Any]]) -> set[str]:
    return {
        str(f["prefix"]) for f in flows if f.get("topic_naming") == "prefixed" and f.get("prefix")
    }


def logical_topic(topic: str, prefixes: Iterable[str]) -> str:
    for prefix in sorted(prefixes, key=len, reverse=True):
        if topic.startswith(prefix + ".") and not is_internal(topic):
            return topic[len(prefix) + 1 :]
    return topic


def family_of_topic(topic: str) -> str | None:
    """The family a topic name proposes: its prefix before the first '.' (None: no prefix)."""
    head, sep, rest = topic.partition(".")
    if not sep or not head or not rest:
        return None
    name = _FAMILY_NAME.sub("-", head).strip("-.")
    return name or None


@dataclass(frozen=True)
class Topics:
    """Topic names by family, and what fits no family."""

    families: Mapping[str, tuple[str, ...]]  # family -> logical topic names
    here: Mapping[str, Mapping[str, tuple[str, ...]]]  # role -> logical name -> names there
    unmatched: tuple[str, ...]  # neither internal nor with a prefix
    internal: tuple[str, ...]


def topics(regions: tuple[RegionInput, RegionInput], prefixes: set[str]) -> Topics:
    families: dict[str, set[str]] = defaultdict(set)
    here: dict[str, dict[str, list[str]]] = {role: defaultdict(list) for role in ROLES}
    unmatched: set[str] = set()
    internal: set[str] = set()
    for role, region in zip(ROLES, regions, strict=True):
        for name in sorted(region.document.get("topics", {}) or {}):
            if is_internal(name):
                internal.add(name)
                continue
            logical = logical_topic(name, prefixes)
            here[role][logical].append(name)
            family = family_of_topic(logical)
            if family is None:
                unmatched.add(logical)
            else:
                families[family].add(logical)
    return Topics(
        families={f: tuple(sorted(ts)) for f, ts in sorted(families.items())},
        here={role: {t: tuple(n) for t, n in names.items()} for role, names in here.items()},
        unmatched=tuple(sorted(unmatched)),
        internal=tuple(sorted(internal)),
    )


def _matches(patterns: Iterable[str], topic: str) -> bool:
    for pattern in patterns:
        try:
            if re.fullmatch(str(pattern), topic):
                return True
        except re.error:
            if fnmatch.fnmatchcase(topic, str(pattern)):
                return True
    return False


def carried(flow: Mapping[str, Any], topic: str) -> bool:
    return _matches(flow.get("topics_include", []) or [], topic) and not _matches(
        flow.get("topics_exclude", []) or [], topic
    )


def running(flow: Mapping[str, Any]) -> bool:
    return str(flow.get("state") or "RUNNING").upper() in ("RUNNING", "ACTIVE", "")
