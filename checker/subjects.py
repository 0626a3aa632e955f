"""Schema registry subjects per family (pure): the snapshots' `schemas` areas -> the subjects
each family's clients use, keyed by family and logical subject, as each region names them.

A family's subjects are the ones its naming strategy derives from its topics (TopicNameStrategy:
`<topic>-key` / `<topic>-value`; Glue: the topic's name) plus those the plan lists. A topic a
replication flow renamed in a region (MirrorMaker 2's `<alias>.<topic>`) is looked up there
under its renamed subject: that is the subject its consumers resolve. The verdict is Rego's
(policies/failback/schemas); this module only says what each region has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .plan import Family, Plan, SchemaUse

READ_ONLY_MODES = frozenset({"READONLY", "READONLY_OVERRIDE", "IMPORT"})


def _expected(
    family: Family, use: SchemaUse, names: Mapping[str, str], topic_families: Mapping[str, Any]
) -> dict[str, str]:
    """Logical subject -> its name in one region (`names`: logical topic -> region's name)."""
    found: dict[str, str] = {}
    for topic in sorted(t for t, f in topic_families.items() if f == family.name):
        regional = names.get(topic, topic)
        for logical, actual in zip(
            use.topic_subjects(topic), use.topic_subjects(regional), strict=True
        ):
            found[logical] = actual
    for subject in use.subjects:
        found.setdefault(subject, subject)
    return found


def _record(
    family: Family, use: SchemaUse, subject: str, registry: Mapping[str, Any]
) -> dict[str, Any]:
    raw: Mapping[str, Any] | None = registry.get("subjects", {}).get(subject)
    versions: Mapping[str, Mapping[str, Any]] = {} if raw is None else raw.get("versions", {})
    modes = bool(registry.get("modes_supported", use.kind == "confluent"))
    compatibility = None if raw is None else raw.get("compatibility")
    mode = None if raw is None else raw.get("mode")
    return {
        "family": family.name,
        "registry": use.registry,
        "kind": use.kind,
        "subject": subject,
        "present": raw is not None and bool(versions),
        "versions": {n: v.get("fingerprint") for n, v in sorted(versions.items())},
        "ids": {n: v.get("id") for n, v in sorted(versions.items())},
        "version_ids": {n: v.get("version_id") for n, v in sorted(versions.items())},
        "compatibility": compatibility or registry.get("compatibility"),
        "mode": (mode or registry.get("mode")) if modes else None,
        "modes_supported": modes,
        "read_only": modes and (mode or registry.get("mode")) in READ_ONLY_MODES,
    }


def region_subjects(
    plan: Plan,
    role: str,
    document: Mapping[str, Any],
    names: Mapping[str, str],
    topic_families: Mapping[str, Any],
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """(`family|logical subject` -> the region's record, gaps) for one region. A registry a
    family names but the region's `schemas` area lacks is a gap, never an empty registry."""
    area = document.get("schemas")
    subjects: dict[str, Any] = {}
    gaps: list[dict[str, str]] = []
    if area is None:
        return subjects, gaps  # normalize reports the area as a gap
    registries: Mapping[str, Any] = area.get("registries", {})
    for family in plan.families:
        use = family.schemas
        if use is None:
            continue
        registry = registries.get(use.registry)
        if registry is None or registry.get("kind") != use.kind:
            reason = (
                f"no {use.kind} schema registry {use.registry!r} in the snapshot "
                f"(family {family.name})"
            )
            gap = {"region": role, "area": "schemas", "reason": reason, "call": ""}
            if gap not in gaps:
                gaps.append(gap)
            continue
        for logical, actual in _expected(family, use, names, topic_families).items():
            subjects[f"{family.name}|{logical}"] = _record(family, use, actual, registry)
    return dict(sorted(subjects.items())), gaps
