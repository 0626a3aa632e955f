"""The replication model (pure): which flows carry which topics of a family, in which direction,
and whether a pair of flows is one of the documented bidirectional setups.

normalize.py matches each flow's topic patterns and hands over the flow records with the topics
each one carries; this module adds, per flow, its direction, how it prevents loops, its effective
starting position and offset sync, and the flows running the other way, and per topic family and
direction the flows that carry it and the family's topics no active flow carries.

Loop prevention (docs/concepts/replication.md):

- MSK Replicator with IDENTICAL names marks every record with a header (`__mskmr`, source cluster
  and topic) and never replicates a record back to the cluster it came from: `header`.
- Names prefixed with the source alias (MSK Replicator PREFIXED_WITH_SOURCE_CLUSTER_ALIAS,
  MirrorMaker 2 DefaultReplicationPolicy, a cluster link's `cluster.link.prefix`): `prefix`.
- MirrorMaker 2 with IdentityReplicationPolicy cannot prevent cycles: `none`.
- Any other tool with identical names: `declared` when the snapshot says the flow is protected
  (a bidirectional cluster link), else `none`.

The documented bidirectional MSK Replicator setup (ENHANCED consumer-offset sync needs a
replicator from the target back to the source, both with IDENTICAL names) is a pair: two active
MSK Replicator flows with IDENTICAL names, one each way, carrying the same family.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ROLES = ("primary", "secondary")
DIRECTIONS = ("primary->secondary", "secondary->primary")
MSK_REPLICATOR = "msk-replicator"
# The position a tool starts from when the snapshot does not say (MSK Replicator's API default).
DEFAULT_STARTING_POSITION = {MSK_REPLICATOR: "LATEST"}


@dataclass(frozen=True)
class Model:
    """The replication model: flows by key and, per family, what each flow carries."""

    flows: dict[str, Any]
    families: dict[str, Any]


def loop_prevention(flow: Mapping[str, Any]) -> str:
    """header | prefix | declared | none (see the module docstring)."""
    if flow["naming"] == "prefixed":
        return "prefix"
    if flow["tool"] == MSK_REPLICATOR:
        return "header"
    if flow["tool"] == "mirrormaker2":
        return "none"
    return "declared" if flow["loop_protection"] else "none"


def starting_position(flow: Mapping[str, Any]) -> str | None:
    position = flow.get("starting_position")
    if position is None:
        return DEFAULT_STARTING_POSITION.get(flow["tool"])
    return str(position).upper()


def _header_leg(flow: Mapping[str, Any]) -> bool:
    return bool(flow["active"]) and flow["loop_prevention"] == "header"


def build(
    flows: Mapping[str, Mapping[str, Any]],
    topics: Mapping[str, Mapping[str, str | None]],
    families: Iterable[str],
) -> Model:
    """`flows`: normalised flow records, each with `topics` (the topic names its patterns carry,
    prefixes stripped); `topics`: role -> topic name -> family (None for internal and unmatched
    topics). The records returned drop `topics` (the model keeps what the rules need)."""
    records: dict[str, dict[str, Any]] = {}
    carried: dict[str, frozenset[str]] = {}
    for key, raw in flows.items():
        record = {k: v for k, v in raw.items() if k != "topics"}
        carried[key] = frozenset(raw.get("topics", ()))
        record["direction"] = f"{record['source']}->{record['target']}"
        record["loop_prevention"] = loop_prevention(record)
        record["starting_position"] = starting_position(record)
        record["offset_sync"] = bool(record["offset_sync"]) and record["offset_sync_mode"] != "NONE"
        records[key] = record
    for record in records.values():
        reverse = [
            other
            for other, candidate in records.items()
            if candidate["active"]
            and candidate["source"] == record["target"]
            and candidate["target"] == record["source"]
        ]
        record["reverse_flows"] = sorted(reverse)
        record["paired_families"] = (
            sorted(
                {
                    family
                    for other in reverse
                    if _header_leg(records[other])
                    for family in records[other]["families"]
                    if family in record["families"]
                }
            )
            if _header_leg(record)
            else []
        )
    by_family = {
        role: _group(topics.get(role, {})) for role in ROLES
    }  # role -> family -> topic names
    # direction -> the topics its active flows carry (a topic of a family is carried only by
    # flows that carry the family, so one union per direction serves every family)
    reached = {
        direction: frozenset().union(
            *(
                carried[key]
                for key, record in records.items()
                if record["direction"] == direction and record["active"]
            )
        )
        for direction in DIRECTIONS
    }
    model = {
        family: _family(family, records, reached, by_family, topics) for family in sorted(families)
    }
    return Model(dict(sorted(records.items())), model)


def _group(topics: Mapping[str, str | None]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for name, family in topics.items():
        if family:
            grouped[family].append(name)
    return {family: sorted(names) for family, names in grouped.items()}


def _family(
    family: str,
    records: Mapping[str, Mapping[str, Any]],
    reached: Mapping[str, frozenset[str]],
    by_family: Mapping[str, Mapping[str, list[str]]],
    topics: Mapping[str, Mapping[str, str | None]],
) -> dict[str, Any]:
    directions: dict[str, Any] = {}
    for direction in DIRECTIONS:
        source, target = direction.split("->")
        keys = sorted(
            k for k, r in records.items() if r["direction"] == direction and family in r["families"]
        )
        source_topics = by_family[source].get(family, [])
        target_topics = topics.get(target, {})
        directions[direction] = {
            "source": source,
            "target": target,
            "flows": keys,
            "active": [k for k in keys if records[k]["active"]],
            "healthy": [k for k in keys if records[k]["healthy"]],
            "offset_sync": any(records[k]["healthy"] and records[k]["offset_sync"] for k in keys),
            "source_topics": len(source_topics),
            # topics of the family in the source region that no active flow carries, or that
            # the target does not have (a topic created after the flow started and not
            # detected, or filtered out)
            "uncarried": [
                t for t in source_topics if t not in reached[direction] or t not in target_topics
            ],
        }
    pairs = [
        (key, other)
        for key, record in records.items()
        if family in record["paired_families"]
        for other in record["reverse_flows"]
        if family in records[other]["paired_families"]
    ]
    return {
        "pair": bool(pairs),
        # a leg of the pair syncs offsets ENHANCED: the reverse leg is required, not a leftover
        "enhanced": any(
            records[k]["offset_sync"] and records[k]["offset_sync_mode"] == "ENHANCED"
            for pair in pairs
            for k in pair
        ),
        "directions": directions,
    }
