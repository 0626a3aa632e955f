"""Runtime facts (pure): replication lag, offset continuity and partition health per flow and
topic family, derived from the snapshots' optional `runtime` area (issue #16).

Python measures; the policies judge (policies/failback/runtime). Per replication flow and
family carried:

- lag: for each partition of each carried topic, records behind = the source's end offset minus
  the mirrored topic's end offset (identical or `<prefix>.` names) and seconds behind = the
  newest record timestamps' difference (MSK Replicator and MirrorMaker 2 keep record
  timestamps); totals per family. A topic missing on either side is `unmeasured`.
- offset continuity per consumer group reading the family on the flow's source: with MirrorMaker 2
  checkpoints (for the flow's source alias) the records the group would re-read after switching
  are `committed - upstream` when positive, and when the group has committed on the target its
  offset is compared with the checkpoint's `downstream` (behind: re-read, ahead: skip). Without
  checkpoints, offsets compare directly only for tools that keep offsets (cluster linking,
  AutoMQ): anything else is unmeasured (null, never 0).
- whether the group has active members in the flow's source and target regions.

Per family and region: partitions offline (no leader), under-replicated (isr < replicas) and
under min.insync.replicas. AWS metrics are passed through with the region they came from.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from .snapshot import parse_timestamp

# Tools whose mirrored topics keep the source's offsets byte for byte.
OFFSET_PRESERVING_TOOLS = frozenset({"cluster-linking", "automq-linking"})


def _epoch(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    return int(parse_timestamp(text, "runtime", "captured_at").timestamp())


def _partitions(runtime: Mapping[str, Any], topic: str) -> Mapping[str, Any] | None:
    record = runtime.get("topics", {}).get(topic)
    return None if record is None else record.get("partitions", {})


def _lag(
    source: Mapping[str, Any], target: Mapping[str, Any], topics: list[tuple[str, str]]
) -> dict[str, Any]:
    """Records and seconds behind over (source topic, target topic) pairs."""
    records = 0
    seconds: float | None = 0.0
    lagging = 0
    measured = 0
    unmeasured: list[str] = []
    behind_by: list[dict[str, Any]] = []
    for source_topic, target_topic in topics:
        upstream = _partitions(source, source_topic)
        downstream = _partitions(target, target_topic)
        if upstream is None or downstream is None:
            unmeasured.append(source_topic)
            continue
        for partition, src in sorted(upstream.items()):
            dst = downstream.get(partition)
            if dst is None or src.get("end_offset") is None or dst.get("end_offset") is None:
                # no leader, or ListOffsets failed: unknown, never caught up
                unmeasured.append(f"{source_topic}-{partition}")
                continue
            measured += 1
            behind = max(0, int(src["end_offset"]) - int(dst["end_offset"]))
            records += behind
            lagging += behind > 0
            if behind:
                behind_by.append(
                    {"topic": source_topic, "partition": int(partition), "records": behind}
                )
            newest, copied = src.get("max_timestamp"), dst.get("max_timestamp")
            if behind == 0:
                continue  # caught up: no time lag, whatever the timestamps say
            if newest is None or seconds is None:
                seconds = None
            elif copied is None:
                seconds = None  # nothing copied yet: the time lag is unknown, not zero
            else:
                seconds = max(seconds, max(0.0, (int(newest) - int(copied)) / 1000))
    return {
        "records": records,
        "seconds": None if seconds is None else round(seconds, 3),
        "partitions": measured,
        "lagging_partitions": lagging,
        "unmeasured": sorted(unmeasured),
        "behind": sorted(behind_by, key=lambda b: (b["topic"], b["partition"])),
    }


def _checkpoint_alias(flow: Mapping[str, Any], target: Mapping[str, Any]) -> str | None:
    """The source cluster alias whose checkpoints on the target describe this flow: the flow's
    prefix, else the only alias with checkpoints, else the source region's name."""
    checkpoints = target.get("checkpoints", {})
    if flow.get("prefix") and flow["prefix"] in checkpoints:
        return str(flow["prefix"])
    if len(checkpoints) == 1:
        return str(next(iter(checkpoints)))
    region = flow.get("source_region")
    return str(region) if region in checkpoints else None


def _continuity(
    flow: Mapping[str, Any],
    source: Mapping[str, Any],
    target: Mapping[str, Any],
    topics: list[tuple[str, str]],
) -> dict[str, Any]:
    """Per consumer group reading the carried topics on the source: records it would re-read or
    skip after switching to the target, and where it has active members."""
    alias = _checkpoint_alias(flow, target)
    checkpoints = target.get("checkpoints", {}).get(alias, {}) if alias else {}
    mirrored = dict(topics)
    groups: dict[str, Any] = {}
    for group, record in sorted(source.get("groups", {}).items()):
        offsets = record.get("offsets", {})
        read = [t for t in sorted(offsets) if t in mirrored]
        if not read:
            continue
        on_target = target.get("groups", {}).get(group, {})
        target_offsets = on_target.get("offsets", {})
        reread = skip = unmeasured = 0
        basis = set()
        for topic in read:
            synced = checkpoints.get(group, {}).get(topic, {})
            committed_there = target_offsets.get(mirrored[topic], {})
            for partition, committed in sorted(offsets[topic].items()):
                checkpoint = synced.get(partition)
                if checkpoint is not None:
                    basis.add("checkpoints")
                    reread += max(0, int(committed) - int(checkpoint["upstream"]))
                    there = committed_there.get(partition)
                    if there is not None:
                        delta = int(checkpoint["downstream"]) - int(there)
                        reread, skip = reread + max(0, delta), skip + max(0, -delta)
                elif flow.get("tool") in OFFSET_PRESERVING_TOOLS and partition in committed_there:
                    basis.add("committed")
                    delta = int(committed) - int(committed_there[partition])
                    reread, skip = reread + max(0, delta), skip + max(0, -delta)
                else:
                    unmeasured += 1
        groups[group] = {
            "reread": reread,
            "skip": skip,
            "gap": None if unmeasured else reread + skip,
            "unmeasured_partitions": unmeasured,
            "basis": sorted(basis),
            "active_source": _active(record),
            "active_target": _active(on_target),
        }
    return groups


def _active(group: Mapping[str, Any]) -> bool:
    return int(group.get("members") or 0) > 0


def _health(
    runtime: Mapping[str, Any], family_of: Callable[[str], str | None]
) -> dict[str, dict[str, Any]]:
    health: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"offline": [], "under_replicated": [], "under_min_isr": []}
    )
    for topic, record in sorted(runtime.get("topics", {}).items()):
        family = family_of(topic)
        if family is None:
            continue
        min_isr = record.get("min_insync_replicas")
        for partition, p in sorted(record.get("partitions", {}).items()):
            name = f"{topic}-{partition}"
            entry = health[family]
            if p.get("leader") is None:
                entry["offline"].append(name)
            if int(p.get("isr", 0)) < int(p.get("replicas", 0)):
                entry["under_replicated"].append(name)
            if min_isr is not None and int(p.get("isr", 0)) < int(min_isr):
                entry["under_min_isr"].append(name)
    return dict(health)


def derive(
    runtimes: Mapping[str, Mapping[str, Any] | None],
    flows: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, Mapping[str, str]],
    family_of: Callable[[str, str], str | None],
) -> dict[str, Any]:
    """The runtime facts for Rego.

    `runtimes`: role -> the snapshot's `runtime` area (None when absent); `flows`: key -> the
    normalised flow record with `topics` (logical names), `source`, `target` (roles), `naming`,
    `tool`, plus the raw flow's `prefix` and `source_region`; `names`: role -> logical topic ->
    its name in that region; `family_of(role, physical topic)`: the topic's family or None."""
    given = {role: runtimes.get(role) is not None for role in ("primary", "secondary")}
    result: dict[str, Any] = {
        "given": given,
        "captured_epoch": {
            role: _epoch((runtimes.get(role) or {}).get("captured_at"))
            for role in ("primary", "secondary")
        },
        "flows": {},
        "health": {},
        "metrics": [],
    }
    for key, flow in sorted(flows.items()):
        source_role, target_role = flow["source"], flow["target"]
        source, target = runtimes.get(source_role), runtimes.get(target_role)
        if source is None or target is None:
            continue
        by_family: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for logical in flow.get("topics", []):
            physical = names.get(source_role, {}).get(logical, logical)
            family = family_of(source_role, physical)
            if family is None:
                continue
            mirrored = (
                f"{flow['prefix']}.{logical}"
                if flow.get("naming") == "prefixed" and flow.get("prefix")
                else logical
            )
            by_family[family].append((physical, mirrored))
        result["flows"][key] = {
            "name": flow["name"],
            "source": source_role,
            "target": target_role,
            "families": {
                family: {
                    **_lag(source, target, pairs),
                    "groups": _continuity(flow, source, target, pairs),
                }
                for family, pairs in sorted(by_family.items())
            },
        }
    for role in ("primary", "secondary"):
        runtime = runtimes.get(role)
        if runtime is None:
            continue
        for family, entry in _health(runtime, functools.partial(family_of, role)).items():
            result["health"].setdefault(family, {})[role] = {
                "offline": len(entry["offline"]),
                "under_replicated": len(entry["under_replicated"]),
                "under_min_isr": len(entry["under_min_isr"]),
                "offline_partitions": entry["offline"][:20],
            }
        result["metrics"] += [{**metric, "region": role} for metric in runtime.get("metrics", [])]
    return result


def family_totals(facts: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Lag per flow direction and family (records summed, seconds at most), for `failback watch`
    and the rehearsal record."""
    totals: dict[str, dict[str, Any]] = {}
    for flow in facts.get("flows", {}).values():
        for family, lag in flow["families"].items():
            key = f"{flow['name']}:{family}"
            totals[key] = {
                "flow": flow["name"],
                "direction": f"{flow['source']}->{flow['target']}",
                "family": family,
                "records": lag["records"],
                "seconds": lag["seconds"],
            }
    return dict(sorted(totals.items()))
