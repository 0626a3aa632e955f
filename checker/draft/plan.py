"""The drafted plan document: every part of checker/draft put together, with what only a person
knows left as comments to fill in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import SNAPSHOT_AREAS
from .access import (
    EVERYONE,
    Writer,
    known_principals,
    replicators,
    super_users,
    transactional_principals,
    writers,
)
from .identifiers import canon_of, equivalences
from .region import ROLES, RegionInput
from .topics import carried, flows_of, remote_prefixes, running, topics
from .yaml_text import Commented, Guess, Placeholder
from .yaml_text import scalar as json_text

# the usual roles of each phase: the region that writes and consumes
USUAL_ROLES: Mapping[str, str] = {
    "normal": "primary",
    "failover": "secondary",
    "dr_operation": "secondary",
    "failback": "primary",
    "cleanup": "primary",
}


def current_phase(
    flows: Sequence[Mapping[str, Any]],
    producer_roles: set[str],
    names: Mapping[str, str],
) -> Guess:
    reverse = [
        f
        for f in flows
        if f.get("source_region") == names["secondary"]
        and f.get("target_region") == names["primary"]
        and running(f)
    ]
    if producer_roles == {"secondary"}:
        return Guess("dr_operation", f"producers of most families write in {names['secondary']}")
    if producer_roles == {"primary"} and reverse:
        return Guess(
            "failback",
            f"producers of most families write in {names['primary']} and a flow from "
            f"{names['secondary']} still runs ({reverse[0].get('name')})",
        )
    if producer_roles == {"primary"}:
        return Guess("normal", f"producers of most families write in {names['primary']}")
    return Guess("normal", "as many families are written in each region: cannot tell the phase")


def _schemas(
    regions: tuple[RegionInput, RegionInput], family_topics: Sequence[str]
) -> Guess | None:
    for region in regions:
        registries = (region.document.get("schemas") or {}).get("registries") or {}
        for name, registry in sorted(registries.items()):
            subjects = set((registry or {}).get("subjects") or {})
            parts = [
                part
                for part in ("key", "value")
                if any(f"{t}-{part}" in subjects for t in family_topics)
            ]
            if not parts:
                continue
            use: dict[str, Any] = {"kind": str(registry.get("kind", "confluent"))}
            if name != "default" or use["kind"] == "glue":
                use["registry"] = str(name)
            use["naming"] = "topic"
            use["parts"] = parts
            return Guess(
                use,
                f"the {name} registry of {region.name} holds <topic>-{'/'.join(parts)} "
                "subjects for this family's topics",
            )
    return None


def _phases() -> Guess:
    return Guess(
        {phase: {"writer": role, "consumer": role} for phase, role in USUAL_ROLES.items()},
        "the usual roles: the secondary writes and consumes in failover and dr_operation, "
        "the primary otherwise",
    )


NOT_INFERRED = (
    "Not inferred, only you know: owner, tier (default 3; 1 for business-critical),",
    "sinks (idempotency), evidence (runbooks, last_rehearsal): docs/reference/plan.md",
)
ROLLBACK = (
    "rollback: (only you know; RB-001 blocks failback without it)",
    "  stop_point: the last step after which failback can still be undone",
    "  return_path: how traffic goes back to the secondary if failback fails",
    "  decision_owner: who decides",
)
BUDGET = "max_dual_region_days: N  (the budget for running both regions; only you know)"


@dataclass(frozen=True)
class _Estate:
    """What every family's entry is drafted from."""

    regions: tuple[RegionInput, RegionInput]
    names: Mapping[str, str]
    flows: Sequence[Mapping[str, Any]]
    writers: Sequence[Writer]
    producers: Mapping[str, Mapping[str, Sequence[Writer]]]  # family -> principal -> writes
    preferred: str  # the role whose writers are the producers
    transactional: frozenset[str]
    connect_topics: Sequence[str]


def _producer_writes(
    found: Sequence[Writer], excluded: set[str]
) -> dict[str, dict[str, list[Writer]]]:
    producers: dict[str, dict[str, list[Writer]]] = defaultdict(lambda: defaultdict(list))
    for writer in found:
        if writer.principal not in excluded:
            producers[writer.family][writer.principal].append(writer)
    return producers


def _writing_roles(
    families: Iterable[str], producers: Mapping[str, Mapping[str, Sequence[Writer]]]
) -> set[str]:
    """The role(s) where producers of the most families may write."""
    writing = dict.fromkeys(ROLES, 0)
    for family in families:
        for role in {w.role for ws in producers.get(family, {}).values() for w in ws}:
            writing[role] += 1
    most = max(writing.values())
    return {role for role, count in writing.items() if count and count == most}


def _producers_entry(estate: _Estate, family: str, count: int) -> tuple[Any, set[str]]:
    """The family's `producers` value, and the principals listed: the writers of the region
    that writes now (else of the other region); writers only elsewhere are named in a comment."""
    writing = estate.producers.get(family, {})
    own = {p: ws for p, ws in writing.items() if any(w.role == estate.preferred for w in ws)}
    if not own:
        own = dict(writing)
    value: Any = Guess([], "nobody but replicators may write these topics")
    if own:
        value = [
            Guess(
                principal,
                "may write "
                + ", ".join(f"{w.topics}/{count} topics in {estate.names[w.role]}" for w in ws)
                + f" ({ws[0].why})",
            )
            for principal, ws in sorted(own.items())
        ]
    elsewhere = sorted(set(writing) - set(own))
    if elsewhere:
        value = Commented(
            value,
            (
                "Not listed as producers: these may write the family's topics only where it is "
                f"not written now ({', '.join(elsewhere)}): confirm who they are",
            ),
        )
    return value, set(own)


def _family(estate: _Estate, family: str, family_topics: Sequence[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": family,
        "match": Guess([f"{family}.*"], f"{len(family_topics)} topics share the prefix {family!r}"),
        "phases": _phases(),
    }
    entry["producers"], own = _producers_entry(estate, family, len(family_topics))
    syncing = [
        f
        for f in estate.flows
        if (f.get("offset_sync") or {}).get("enabled") and any(carried(f, t) for t in family_topics)
    ]
    if syncing:
        entry["offset_strategy"] = Guess(
            "translated", f"flow {syncing[0].get('name')} syncs consumer offsets"
        )
    transactional = sorted(estate.transactional & own)
    if transactional:
        entry["transactional"] = Guess(
            True, "a producer holds transactional-id write grants: " + ", ".join(transactional)
        )
    internal = sorted(
        {
            w.family[1:]
            for w in estate.writers
            if w.family[1:] in estate.connect_topics and w.principal in own
        }
    )
    if internal:
        entry["connect"] = Guess(
            {"internal_topics": internal},
            "Kafka Connect internal topics a producer of this family writes",
        )
    schemas = _schemas(estate.regions, family_topics)
    if schemas is not None:
        entry["schemas"] = schemas
    return entry


def _cost(flows: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> Any:
    """`cost.flow_owners` from the flows' recorded owners; the budget is a person's to set."""
    owners: dict[str, Any] = {}
    missing: list[str] = []
    for flow in flows:
        flow_name = str(flow.get("name"))
        if flow.get("owner"):
            recorded_by = names.get(_role_of(flow, names), "its snapshot")
            owners[flow_name] = Guess(
                str(flow["owner"]),
                f"the owner {recorded_by} records for the flow "
                f"{flow.get('source_region')} -> {flow.get('target_region')}",
            )
        else:
            missing.append(f"{flow_name}: TEAM  (no owner recorded: CST-002 until you name one)")
    if not owners:
        lines = ["cost:", *(["  flow_owners:"] if missing else [])]
        lines += [f"    {line}" for line in missing]
        return Placeholder((*lines, f"  {BUDGET}"))
    for index, line in enumerate(missing):
        owners[f"#{index}"] = Placeholder((line,))
    return {"flow_owners": owners, "max_dual_region_days": Placeholder((BUDGET,))}


def draft(regions: tuple[RegionInput, RegionInput], name: str | None = None) -> dict[str, Any]:
    """The plan document (with Guess, Commented and Placeholder values) for two regions."""
    names = {role: region.name for role, region in zip(ROLES, regions, strict=True)}
    found_equivalences = equivalences(regions)
    canon = canon_of(found_equivalences)
    flows = flows_of(regions)
    found_topics = topics(regions, remote_prefixes(flows))
    connect_topics = [t for t in found_topics.internal if t.startswith("connect-")]
    groups: dict[str, Sequence[str]] = {
        **found_topics.families,
        **{f"@{t}": [t] for t in connect_topics},
    }
    here = {
        role: {**found_topics.here[role], **{t: (t,) for t in connect_topics}} for role in ROLES
    }
    found_writers = writers(regions, canon, groups, here)
    replicated = {
        family
        for family, ts in found_topics.families.items()
        if any(carried(f, t) for f in flows for t in ts)
    }
    admins = super_users(regions, canon)
    candidates = replicators(
        found_writers, replicated, "secondary", names, known_principals(regions, canon)
    )
    found_replicators = {p: why for p, why in candidates.items() if p not in admins}
    producers = _producer_writes(found_writers, {*found_replicators, *admins, EVERYONE})
    phase = current_phase(flows, _writing_roles(found_topics.families, producers), names)
    estate = _Estate(
        regions=regions,
        names=names,
        flows=flows,
        writers=found_writers,
        producers=producers,
        preferred=USUAL_ROLES[phase.value],
        transactional=frozenset(transactional_principals(regions, canon)),
        connect_topics=connect_topics,
    )

    document: dict[str, Any] = {"schema_version": "1.0"}
    if name:
        document["name"] = name
    document["current_phase"] = phase
    document["regions"] = {
        role: {"name": region.name, **region.entry}
        for role, region in zip(ROLES, regions, strict=True)
    }
    if found_equivalences:
        document["equivalences"] = found_equivalences
    document["replicator_principals"] = (
        [Guess(p, why) for p, why in found_replicators.items()]
        if found_replicators
        else Commented(
            [], ("No replication identity found: list the replication tool's principal",)
        )
    )
    if admins:
        document["admin_principals"] = [
            Guess(p, "a super user of the brokers (super.users)") for p in admins
        ]
    notes: tuple[str, ...] = NOT_INFERRED
    if found_topics.unmatched:
        notes += (f"Topics without a prefix, in no family: {', '.join(found_topics.unmatched)}",)
    document["topic_families"] = Commented(
        [_family(estate, f, ts) for f, ts in found_topics.families.items()], notes
    )
    document["rollback"] = Placeholder(ROLLBACK)
    both_gapped = _gapped(regions)
    if both_gapped:
        areas = ", ".join(json_text(a) for a in both_gapped)
        reasons = "; ".join(f"{a}: {r}" for a, r in both_gapped.items())
        document["evidence"] = Placeholder(
            (
                f"Both regions' exports have a gap ({reasons}), so check is indeterminate",
                "there. Only if another control covers it, declare it out of scope:",
                "evidence:",
                f"  out_of_scope: [{areas}]",
            )
        )
    document["cost"] = _cost(flows, names)
    return document


def _missing(document: Mapping[str, Any]) -> list[str]:
    """Areas a snapshot leaves out that `check` counts as gaps (as checker/normalize.py does for
    a plan whose families use a registry only where the draft found one). Runtime evidence is
    judged by the failback steps' runtime gates only, never a phase's gap."""
    optional = ("acls", "iam_grants", "schemas", "runtime")
    missing = [a for a in SNAPSHOT_AREAS if a not in document and a not in optional]
    if "acls" not in document and "iam_grants" not in document:
        missing.append("acls")
    return missing


def _gapped(regions: tuple[RegionInput, RegionInput]) -> dict[str, str]:
    """area -> the primary's reason, for the areas neither region's export could read."""
    gaps = [
        {
            **{area: "not in snapshot" for area in _missing(r.document)},
            **{str(g.get("area")): str(g.get("reason", "")) for g in r.document.get("gaps", [])},
        }
        for r in regions
    ]
    return {area: gaps[0][area] for area in sorted(set(gaps[0]) & set(gaps[1]))}


def _role_of(flow: Mapping[str, Any], names: Mapping[str, str]) -> str:
    for role, region in names.items():
        if flow.get("target_region") == region:
            return role
    return ""
