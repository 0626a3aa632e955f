"""Region-aware normalisation (pure): snapshots -> keyed, region-free documents for diff and Rego.

Nothing here reads files, the network or the clock.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from . import replication, runtime
from .authority import estate_facts, region_access
from .completeness import incomplete_areas
from .errors import InputError
from .globs import to_regex
from .grant_records import Derivation, grant_map
from .grants import (
    AclColumns,
    TopicIndex,
    acl_columns,
    from_acls,
    from_iam,
)
from .identity import Canon
from .model import SNAPSHOT_AREAS, Snapshot
from .network import ingress_rule, uncovered
from .plan import Plan
from .redact import scrub
from .subjects import region_subjects
from .topics import KAFKA_DEFAULTS, is_internal
from .topics import settings as topic_settings

DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000
ACTIVE_GROUP_STATES = frozenset(
    {
        "STABLE",
        "PREPARINGREBALANCE",
        "COMPLETINGREBALANCE",
        "PREPARING_REBALANCE",
        "COMPLETING_REBALANCE",
    }
)
INACTIVE_FLOW_STATES = frozenset({"DELETING", "DELETED", "STOPPED", "PAUSED", "FAILED"})
HEALTHY_FLOW_STATES = frozenset({"RUNNING"})


@dataclass(frozen=True)
class Normalized:
    """Both regions after region-aware normalisation, with the flows between them."""

    primary: dict[str, Any]
    secondary: dict[str, Any]
    flows: dict[str, Any]
    replication: dict[str, Any]
    # runtime facts (checker/runtime.py) when a snapshot holds a `runtime` area
    runtime: dict[str, Any] = field(default_factory=dict)


def epoch(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())


def _int(value: Any, origin: str, what: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise InputError(f"{origin}: {what} {value!r} is not an integer") from None


class TopicPattern(Protocol):
    @property
    def pattern(self) -> str: ...

    def fullmatch(self, text: str) -> object: ...


_EVERY_NAME = ".*"  # MSK Replicator's and MirrorMaker 2's usual include pattern


def _matches_every(patterns: Sequence[TopicPattern], names: Iterable[str]) -> bool:
    """Does one of `patterns` fully match every one of `names` that holds no line break? Its
    `.*` does, answered without RE2 (which matches `.` to anything but a line break), when every
    name is UTF-8 text (RE2 is given UTF-8: a lone surrogate is its error to raise)."""
    if not any(p.pattern == _EVERY_NAME for p in patterns):
        return False
    try:
        "".join(names).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def compile_topic_patterns(patterns: Iterable[str], origin: str) -> list[TopicPattern]:
    """Replication topic patterns, matched in linear time (RE2): a pattern Python's `re`
    accepts is a regular expression, anything else an fnmatch glob (as MirrorMaker 2 and MSK
    Replicator configurations mix both). A regular expression RE2 cannot run (backreferences,
    lookaround, atomic groups, \\Z) is an input error naming the pattern and `origin`: with
    Python's backtracking engine `(a|aa)+$` over a 41-character topic took 51 s."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print its own parse errors on stderr
    compiled: list[TopicPattern] = []
    for pattern in patterns:
        try:
            with warnings.catch_warnings():  # e.g. "possible nested set": not for stderr
                warnings.simplefilter("ignore")
                re.compile(pattern)
            source = pattern
        except re.error:
            source = to_regex(pattern)  # the one fnmatch -> RE2 translation
        except (RecursionError, OverflowError):
            source = pattern  # RE2 gives the reason below
        try:
            compiled.append(re2.compile(source, options))
        except re2.error as exc:
            reason = exc.args[0] if exc.args else "unsupported"
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise InputError(
                f"{origin}: topic pattern {pattern!r} cannot be matched in linear time ({reason})",
                hint="RE2 syntax: no backreferences, lookaround or atomic groups; \\z, not \\Z",
            ) from None
    return compiled


class _Context:
    def __init__(self, plan: Plan, snapshots: Mapping[str, Snapshot]) -> None:
        self.plan = plan
        self.canon = Canon(plan.equivalences())
        self.roles = {
            self.canon.text(plan.primary.name): "primary",
            self.canon.text(plan.secondary.name): "secondary",
        }
        self.replicators = plan.replicator_principals()
        self.admins = plan.admin_principals()
        self.origins = {role: snap.origin or f"{role} snapshot" for role, snap in snapshots.items()}
        self.raw_flows = [
            (role, flow)
            for role, snap in snapshots.items()
            for flow in snap.document.get("replication", [])
        ]
        self.connect_topics = sorted(
            {
                str(topic)
                for family in plan.families
                for topic in (family.connect.internal_topics if family.connect else ())
            }
        )
        self.prefixes: dict[str, set[str]] = defaultdict(set)
        for _, flow in self.raw_flows:
            if flow.get("topic_naming") == "prefixed" and flow.get("prefix"):
                target = self.role_of(flow["target_region"])
                self.prefixes[target].add(str(flow["prefix"]))

    def role_of(self, region: str) -> str:
        return self.roles.get(self.canon.text(region), "external")

    def is_replicator(self, principal: str) -> bool:
        return any(fnmatch.fnmatchcase(principal, glob) for glob in self.replicators)

    def is_admin(self, principal: str) -> bool:
        return any(fnmatch.fnmatchcase(principal, glob) for glob in self.admins)

    def strip_prefix(self, role: str, topic: str) -> str:
        """The logical name of a remote copy `<alias>.<topic>`. A topic internal under its own
        name keeps it: MirrorMaker 2's `<alias>.checkpoints.internal` is no remote copy of a
        topic `checkpoints.internal`."""
        prefixes = self.prefixes.get(role, ())
        if not prefixes or is_internal(topic):  # without prefixes, every name is its own
            return topic
        for prefix in prefixes:
            if topic.startswith(prefix + "."):
                return topic[len(prefix) + 1 :]
        return topic


def normalize_pair(plan: Plan, primary: Snapshot, secondary: Snapshot) -> Normalized:
    snapshots = {"primary": primary, "secondary": secondary}
    ctx = _Context(plan, snapshots)
    names = {role: _logical_names(ctx, role, snap) for role, snap in snapshots.items()}
    topic_families: dict[str, str | None] = {}
    for role_names in names.values():
        for topic in role_names:  # once per topic, not once per region
            if topic not in topic_families:
                topic_families[topic] = None if is_internal(topic) else plan.family_of(topic)
    columns = {
        role: acl_columns(snap.document.get("acls", []), ctx.canon, snap.read_columns("acls"))
        for role, snap in snapshots.items()
    }
    derivation = Derivation(ctx.is_replicator, TopicIndex(topic_families))
    primary_doc = _snapshot(
        primary, "primary", ctx, names["primary"], topic_families, derivation, columns["primary"]
    )
    secondary_doc = _snapshot(
        secondary,
        "secondary",
        ctx,
        names["secondary"],
        topic_families,
        derivation,
        columns["secondary"],
    )
    result = {"primary": primary_doc, "secondary": secondary_doc}
    for role, snap in snapshots.items():
        subjects, gaps = region_subjects(plan, role, snap.document, names[role], topic_families)
        result[role]["schemas"] = {"subjects": subjects}
        if gaps:
            merged = [*result[role]["gaps"], *gaps]
            result[role]["gaps"] = sorted(merged, key=lambda g: (g["area"], g["reason"]))
    reported = {role: {g["area"] for g in result[role]["gaps"]} for role in result}
    documents = {role: snap.document for role, snap in snapshots.items()}
    for role, gaps in incomplete_areas(documents, reported).items():
        if gaps:
            merged = [*result[role]["gaps"], *gaps]
            result[role]["gaps"] = sorted(merged, key=lambda g: (g["area"], g["reason"]))
    accesses = {
        role: region_access(snap.document, role, ctx.canon, snap.origin or role, columns[role])
        for role, snap in snapshots.items()
    }
    del columns
    connect_topics = set(ctx.connect_topics)
    access_facts = estate_facts(
        accesses,
        documents,
        names,
        topic_families,
        lambda topic: topic in connect_topics or not is_internal(topic),
        {role: result[role]["consumer_groups"] for role in result},
        [ctx.canon.text(p) for f in plan.families if f.transactional for p in f.producers],
        ctx.is_replicator,
        ctx.is_admin,
        ctx.strip_prefix,
    )
    for role, facts in access_facts.items():
        result[role]["facts"].update(facts)
    cidrs = {role: _cidrs(snapshots[role], ctx) for role in snapshots}
    for role, other in (("primary", "secondary"), ("secondary", "primary")):
        result[role]["facts"]["ingress_uncovered"] = uncovered(
            result[role]["network"]["ingress"],
            cidrs[role],
            result[other]["network"]["ingress"],
            cidrs[other],
        )
    flow_records = _flows(ctx, topic_families)
    model = replication.build(
        flow_records,
        {role: {t: topic_families[t] for t in names[role]} for role in names},
        (f.name for f in plan.families),
    )
    return Normalized(
        result["primary"],
        result["secondary"],
        model.flows,
        model.families,
        _runtime(ctx, snapshots, flow_records, names, topic_families),
    )


def _runtime(
    ctx: _Context,
    snapshots: Mapping[str, Snapshot],
    flows: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, Mapping[str, str]],
    topic_families: Mapping[str, str | None],
) -> dict[str, Any]:
    """The runtime facts (checker/runtime.py); empty when neither snapshot holds runtime
    evidence."""
    runtimes = {role: snap.document.get("runtime") for role, snap in snapshots.items()}
    if not any(runtimes.values()):
        return {}
    raw_flows = {}
    for _, raw in ctx.raw_flows:
        source, target = ctx.role_of(raw["source_region"]), ctx.role_of(raw["target_region"])
        raw_flows[f"{raw['name']}|{source}->{target}"] = raw
    records = {
        key: {
            **flow,
            "prefix": raw_flows[key].get("prefix"),
            "source_region": raw_flows[key]["source_region"],
        }
        for key, flow in flows.items()
    }

    def family_of(role: str, topic: str) -> str | None:
        return None if is_internal(topic) else topic_families.get(ctx.strip_prefix(role, topic))

    return runtime.derive(runtimes, records, names, family_of)


def _logical_names(ctx: _Context, role: str, snap: Snapshot) -> dict[str, str]:
    """Logical topic name -> its name in this region. A region holding both a topic and the
    remote copy of the other region's topic of that name (MirrorMaker 2's default policy in
    both directions) answers with its own topic: the one its producers and consumers use."""
    names: dict[str, str] = {}
    for topic in sorted(snap.document.get("topics", {})):
        logical = ctx.strip_prefix(role, topic)
        if logical not in names or topic == logical:
            names[logical] = topic
    return names


def _snapshot(
    snap: Snapshot,
    role: str,
    ctx: _Context,
    names: Mapping[str, str],
    topic_families: Mapping[str, str | None],
    derivation: Derivation,
    acls: AclColumns | None,
) -> dict[str, Any]:
    """One region's normalised document; `acls`: its ACL records' columns (None: read record
    by record); `derivation`: how grant records are worked out, one for both regions
    (`grant_records`)."""
    doc = snap.document
    origin = snap.origin or role
    canon = ctx.canon
    cluster = doc["cluster"]
    cluster_name = canon.cluster_name(cluster.get("name") or cluster["id"])
    # secret-looking keys (passwords, JAAS configs) never travel further than the snapshot
    broker_config = scrub({str(k): v for k, v in doc.get("broker_config", {}).items()})
    default_retention = _broker_retention_ms(broker_config, origin)

    topics = _topics(doc, names, topic_families, broker_config, default_retention, origin)

    iam_grants = from_iam(
        doc.get("iam_grants", []),
        (cluster_name, str(cluster.get("name") or cluster_name)),
        canon,
    )
    if acls is None:  # odd records: one at a time, no list of 500k tuples at the peak
        acl_grants = from_acls(doc.get("acls", []), canon)
        grants = grant_map(None, itertools.chain(acl_grants, iam_grants), derivation)
    else:
        grants = grant_map(acls.grant_fields, iam_grants, derivation)

    version = str(cluster.get("kafka_version") or "")
    minor = ".".join(version.split(".")[:2])
    gaps = [
        {"region": role, "area": g["area"], "reason": g["reason"], "call": g.get("call", "")}
        for g in doc.get("gaps", [])
    ]
    reported = {g["area"] for g in gaps}
    # a plan whose families use no schema registry needs no `schemas` area; `runtime` (live
    # rehearsal evidence) is sampled on request (export --runtime, watch), never required here
    optional = (
        ("acls", "iam_grants", "runtime")
        if ctx.plan.uses_schemas
        else ("acls", "iam_grants", "schemas", "runtime")
    )
    missing = [a for a in SNAPSHOT_AREAS if a not in doc and a not in optional]
    if "acls" not in doc and "iam_grants" not in doc:
        missing.append("acls")
    gaps += [
        {"region": role, "area": a, "reason": "not in snapshot", "call": ""}
        for a in missing
        if a not in reported
    ]

    normalised = {
        "role": role,
        "region": doc["region"],
        "schema_version": snap.schema_version,
        "captured_at": snap.captured_at,
        "captured_epoch": epoch(snap.captured_at),
        "source": dict(doc.get("source", {})),
        "cluster": {
            "name": cluster_name,
            "kind": cluster["kind"],
            "kafka_version": version,
            "kafka_minor": minor,
        },
        "topics": topics,
        "grants": grants,
        "quotas": {
            f"{q['entity_type']}:{canon.text(q['entity'])}": dict(q["values"])
            for q in doc.get("quotas", [])
        },
        "authentication": {
            k: v for k, v in doc.get("authentication", {}).items() if k != "scram_users"
        },
        "encryption": _encryption(doc.get("encryption", {}), canon),
        "network": _network(doc.get("network", {}), canon, origin),
        "audit": _audit(doc.get("audit", {}), canon),
        "broker_config": broker_config,
        "consumer_groups": _groups(doc.get("consumer_groups", {}), role, ctx, topic_families),
        "storage": {
            canon.text(b["name"]): {k: v for k, v in b.items() if k != "name"}
            for b in doc.get("storage", [])
        },
        # normalize_pair adds the access and network facts of both regions
        "facts": {"unmatched_topics": _unmatched(topics)},
        "gaps": sorted(gaps, key=lambda g: (g["area"], g["reason"])),
    }
    return normalised


SETTING_KEYS = tuple(KAFKA_DEFAULTS)  # the topic configs topics.settings reads
_TEXT_OR_NONE = {str, type(None)}


def _unmatched(topics: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The topics here (logical names, sorted) that no family matches, internal ones left out:
    a list for WA-004, which would otherwise read every topic of both regions (regorus: 0.09 s
    for 50k topics a region)."""
    return sorted(n for n, t in topics.items() if t["family"] is None and not t["internal"])


def _topics(
    doc: Mapping[str, Any],
    names: Mapping[str, str],
    topic_families: Mapping[str, str | None],
    broker_config: Mapping[str, Any],
    default_retention: int,
    origin: str,
) -> dict[str, dict[str, Any]]:
    """Logical topic name -> its record (`names`: logical name -> name in this region)."""
    topics = {}
    effective: dict[tuple[str | None, ...], dict[str, Any]] = {}  # by the settings' values
    # by the topic's configs, all text (the schema's case): (scrubbed configs, settings,
    # retention.ms, retention.bytes), worked out once for every topic configured alike and
    # shared by their read-only records; odd configs are worked out for each topic
    settled: dict[tuple[tuple[str, str | None], ...], _Settled] = {}
    for name, raw_name in names.items():
        raw = doc["topics"][raw_name]
        raw_configs = raw.get("configs", {})
        alike = _text_items(raw_configs)
        done = None if alike is None else settled.get(alike)
        if done is None:
            done = _settle(
                raw_configs, broker_config, default_retention, effective, origin, raw_name
            )
            if alike is not None:
                settled[alike] = done
        topics[name] = vars(
            _TopicRecord(
                raw.get("partitions"),
                raw.get("replication_factor"),
                topic_families.get(name),
                is_internal(name),
                done,
            )
        )
    return topics


class _Settled(NamedTuple):
    """What a topic's configs settle (`_settle`)."""

    configs: dict[str, Any]  # without secret-looking keys
    settings: dict[str, Any]  # topics.settings
    retention_ms: int
    retention_bytes: int


def _text_items(configs: Any) -> tuple[tuple[str, str | None], ...] | None:
    """A topic's configs as a key of those configured alike: their items when every key is
    text and every value text or null (1, 1.0 and True would be one key), else None."""
    if set(map(type, configs)) <= {str} and set(map(type, configs.values())) <= _TEXT_OR_NONE:
        return tuple(configs.items())
    return None


def _settle(
    raw_configs: Mapping[str, Any],
    broker_config: Mapping[str, Any],
    default_retention: int,
    effective: dict[tuple[str | None, ...], dict[str, Any]],
    origin: str,
    raw_name: str,
) -> _Settled:
    """A topic's scrubbed configs, settings and retention; `effective`: the settings by the
    values of the settings' keys (text or absent ones), filled as they are worked out."""
    configs = scrub({k: v for k, v in raw_configs.items() if v is not None})
    # a topic's settings depend on the broker's (one per region) and on its own values of
    # the settings' keys: text or absent ones looked up, not worked out again
    own = tuple(map(configs.get, SETTING_KEYS))
    text = set(map(type, own)) <= _TEXT_OR_NONE  # (1, 1.0 and True are one key)
    found = effective.get(own) if text else None
    if found is None:
        found = topic_settings(configs, broker_config, origin, raw_name)
        if text:
            effective[own] = found
    retention_ms = configs.get("retention.ms")
    retention_bytes = configs.get("retention.bytes")
    return _Settled(
        configs,
        found,
        default_retention
        if retention_ms is None
        else _int(retention_ms, origin, f"topic {raw_name} retention.ms"),
        -1
        if retention_bytes is None
        else _int(retention_bytes, origin, f"topic {raw_name} retention.bytes"),
    )


class _TopicRecord:
    """Builds one topic record: like `_GrantRecord`, only the attribute dict is kept, its keys
    shared by every record (PEP 412); the settings' keys come last, in their order."""

    def __init__(
        self,
        partitions: Any,
        replication_factor: Any,
        family: str | None,
        internal: bool,
        settled: _Settled,
    ) -> None:
        self.partitions = partitions
        self.replication_factor = replication_factor
        self.configs = settled.configs
        self.retention_ms = settled.retention_ms
        self.retention_bytes = settled.retention_bytes
        self.family = family
        self.internal = internal
        self.__dict__.update(settled.settings)


def _broker_retention_ms(config: Mapping[str, Any], origin: str) -> int:
    for key, factor in (
        ("log.retention.ms", 1),
        ("log.retention.minutes", 60_000),
        ("log.retention.hours", 3_600_000),
    ):
        value = config.get(key)
        if value is not None:
            number = _int(value, origin, f"broker config {key}")
            return -1 if number < 0 else number * factor
    return DEFAULT_RETENTION_MS


def _encryption(raw: Mapping[str, Any], canon: Canon) -> dict[str, Any]:
    at_rest = dict(raw.get("at_rest", {}))
    if at_rest.get("key_id"):
        at_rest["key_id"] = canon(at_rest["key_id"])
    return {"at_rest": at_rest, "in_transit": dict(raw.get("in_transit", {}))}


def _cidrs(snap: Snapshot, ctx: _Context) -> dict[str, str | None]:
    """Ingress key -> the real CIDR behind a (possibly equivalence-named) peer."""
    rules = snap.document.get("network", {}).get("ingress", [])
    found = (ingress_rule(rule, ctx.canon, snap.origin) for rule in rules)
    return {key: cidr for key, _, cidr in found}


def _network(raw: Mapping[str, Any], canon: Canon, origin: str) -> dict[str, Any]:
    ingress = {
        key: rule
        for key, rule, _ in (ingress_rule(rule, canon, origin) for rule in raw.get("ingress", []))
    }
    return {
        "public_access": bool(raw.get("public_access", False)),
        "plaintext_listener": bool(raw.get("plaintext_listener", False)),
        "multi_vpc": bool(raw.get("multi_vpc", False)),
        "private_endpoints": len(raw.get("private_endpoints", [])),
        "ingress": dict(sorted(ingress.items())),
        "internet_open": any(r["internet_open"] for r in ingress.values()),
    }


def _audit(raw: Mapping[str, Any], canon: Canon) -> dict[str, Any]:
    logs: dict[str, dict[str, Any]] = {}
    kept: list[int] = []  # retention of each enabled destination, -1 = never expires
    for entry in raw.get("broker_logs", []):
        retention = entry.get("retention_days")
        days = -1 if retention is None else int(retention)
        logs[entry["destination"]] = {
            "enabled": bool(entry["enabled"]),
            "target": canon(entry.get("target")),
            "retention_days": days,
        }
        if entry["enabled"]:
            kept.append(days)
    trail = raw.get("trail")
    return {
        "broker_logs": logs,
        "broker_logs_enabled": bool(kept),
        # the longest-kept copy; -1 when one destination never expires (or none is enabled)
        "retention_days": -1 if not kept or -1 in kept else max(kept),
        "trail": None
        if trail is None
        else {
            "logging": bool(trail.get("logging", False)),
            "multi_region": bool(trail.get("multi_region", False)),
            "log_file_validation": bool(trail.get("log_file_validation", False)),
        },
        "trail_logging": bool(trail and trail.get("logging", False)),
    }


def _groups(
    raw: Mapping[str, Any], role: str, ctx: _Context, topic_families: Mapping[str, str | None]
) -> dict[str, Any]:
    groups = {}
    for group_id, group in raw.items():
        topics = sorted({ctx.strip_prefix(role, t) for t in group.get("topics", [])})
        state = str(group.get("state", "UNKNOWN")).upper()
        groups[ctx.canon.text(group_id)] = {
            "state": state,
            "active": state in ACTIVE_GROUP_STATES,
            "topics": topics,
            "families": sorted({f for t in topics if (f := topic_families.get(t))}),
        }
    return groups


def _flows(ctx: _Context, topic_families: Mapping[str, str | None]) -> dict[str, Any]:
    flows: dict[str, Any] = {}
    by_family: dict[str, list[str]] = defaultdict(list)
    for topic, family in topic_families.items():
        if family:
            by_family[family].append(topic)
    # flows with the same patterns (a flow's two regions, MM2's flows each way) carry the same
    # topics: matched once per pattern pair
    carried_by: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[list[str], list[str]]] = {}
    for role, raw in ctx.raw_flows:
        source = ctx.role_of(raw["source_region"])
        target = ctx.role_of(raw["target_region"])
        key = f"{raw['name']}|{source}->{target}"
        where = f"{ctx.origins[role]}: replication flow {raw['name']}"
        include = compile_topic_patterns(
            raw.get("topics_include", [".*"]), f"{where} topics_include"
        )
        exclude = compile_topic_patterns(raw.get("topics_exclude", []), f"{where} topics_exclude")

        every = _matches_every(include, itertools.chain(topic_families, ctx.connect_topics))

        def carried(
            topic: str,
            include: Sequence[TopicPattern] = include,
            exclude: Sequence[TopicPattern] = exclude,
            every: bool = every,
        ) -> bool:
            return (
                (every and "\n" not in topic) or any(p.fullmatch(topic) for p in include)
            ) and not any(p.fullmatch(topic) for p in exclude)

        patterns = (
            tuple(raw.get("topics_include", [".*"])),
            tuple(raw.get("topics_exclude", [])),
        )
        if patterns not in carried_by:
            carried_by[patterns] = (
                sorted(t for t in topic_families if carried(t)),
                [t for t in ctx.connect_topics if carried(t)],
            )
        carried_topics, internal_topics = (list(found) for found in carried_by[patterns])
        state = str(raw.get("state", "UNKNOWN")).upper()
        offset_sync = raw.get("offset_sync", {})
        flows[key] = {
            "name": raw["name"],
            "tool": raw["tool"],
            "source": source,
            "target": target,
            "naming": raw.get("topic_naming", "identical"),
            "loop_protection": bool(raw.get("loop_protection", False)),
            "copies_acls": bool(raw.get("copies_acls", False)),
            "copies_topic_configs": bool(raw.get("copies_topic_configs", False)),
            "offset_sync": bool(offset_sync.get("enabled", False)),
            "offset_sync_mode": str(offset_sync.get("mode") or "NONE"),
            "checkpoints_present": offset_sync.get("checkpoints_present"),
            "starting_position": raw.get("starting_position"),
            "consumer_isolation": raw.get("consumer_isolation"),
            "state": state,
            "active": state not in INACTIVE_FLOW_STATES,
            "healthy": state in HEALTHY_FLOW_STATES,
            "owner": raw.get("owner") or ctx.plan.flow_owner(raw["name"]),
            "families": sorted({f for t in carried_topics if (f := topic_families[t])}),
            "topic_count": len(carried_topics),
            "internal_topics": internal_topics,
            "topics": carried_topics,  # read by replication.build, not passed to Rego
        }
    return dict(sorted(flows.items()))
