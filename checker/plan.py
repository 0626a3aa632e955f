"""failback.yaml: load, validate, resolve paths and topic families.

Nothing outside this module reads the plan's document: the typed accessors below say what a
plan holds (defaults included).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from . import collector, schemas
from .errors import InputError
from .io.read import dates_to_text, load_document
from .model import PHASES, Phase, is_phase
from .redact import FILE_PREFIX, holds_secret, is_reference
from .snapshot import parse_timestamp

# Evidence limits a plan may set (evidence: in failback.yaml) and their defaults.
DEFAULT_EVIDENCE: Mapping[str, Any] = {
    "max_snapshot_skew_hours": 24,
    "max_snapshot_age_hours": 168,
    "rehearsal_max_age_days": 90,
}


@dataclass(frozen=True)
class RegionRef:
    """One of the plan's two regions: its role, name, and snapshot or live source."""

    role: str  # primary | secondary
    name: str
    snapshot: Path | None
    source: Mapping[str, Any] | list[Mapping[str, Any]] | None


@dataclass(frozen=True)
class Evidence:
    """A family's readiness evidence for one phase."""

    runbook: str | None
    last_rehearsal: str | None  # YYYY-MM-DD (an unquoted YAML date is read as this text)
    metrics: tuple[str, ...]
    alerts: tuple[str, ...]
    rehearsal_record: str | None = None  # a `failback watch` record, relative to the plan


@dataclass(frozen=True)
class Connect:
    """A family's Kafka Connect internal topics and whether the plan re-creates them."""

    internal_topics: tuple[str, ...]
    recreate: bool


@dataclass(frozen=True)
class Rollback:
    """The plan's rollback: where failback stops being reversible and the way back."""

    stop_point: str | None
    return_path: str | None


@dataclass(frozen=True)
class Cost:
    """The plan's limit on running both regions, and since when they have run."""

    max_dual_region_days: int | None
    dual_region_since: str | None  # YYYY-MM-DD
    owner: str | None


@dataclass(frozen=True)
class Fence:
    """How a family's standby region is kept from accepting producer writes.

    `acl`: no producer may write outside the writer region (grants revoked or denied);
    `prestaged`: producer grants stay in the standby on purpose and client routing keeps
    producers out (`routing_control` names the control, `runbook` how it is switched);
    `read-only-mirror`: the platform rejects writes to the standby's mirror topics."""

    mode: str
    routing_control: str | None
    runbook: str | None


@dataclass(frozen=True)
class SchemaUse:
    """How a family's clients use a schema registry (the family's `schemas:`)."""

    kind: str  # confluent | glue
    registry: str
    naming: str  # topic | record | topic_record
    parts: tuple[str, ...]
    subjects: tuple[str, ...]
    version_ids: str  # must-match | reserialized (Glue)

    def topic_subjects(self, topic: str) -> tuple[str, ...]:
        """The subjects a topic's records name under the naming strategy (none under record
        naming, whose subjects the family lists). Glue names a schema after the topic."""
        if self.naming != "topic":
            return ()
        if self.kind == "glue":
            return (topic,)
        return tuple(f"{topic}-{part}" for part in self.parts)


# The runtime gate conditions a failback step may set (gates.runtime) and a family may override
# (the family's runtime_gates.<step>). An absent key is not gated; max_age_seconds (how old the
# runtime evidence may be) applies whenever any other condition is set.
RUNTIME_GATE_KEYS: tuple[str, ...] = (
    "max_lag_records",
    "max_lag_seconds",
    "max_offline_partitions",
    "max_offset_gap",
    "no_dual_active_groups",
    "max_offset_sync_failures",
    "max_age_seconds",
)
DEFAULT_MAX_AGE_SECONDS = 300


def runtime_gate(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A runtime gate with its freshness window filled in (empty when nothing is gated)."""
    gate = {k: raw[k] for k in RUNTIME_GATE_KEYS if raw.get(k) is not None}
    if gate.get("no_dual_active_groups") is False:
        del gate["no_dual_active_groups"]
    if set(gate) - {"max_age_seconds"}:
        gate.setdefault("max_age_seconds", DEFAULT_MAX_AGE_SECONDS)
        return gate
    return {}


@dataclass(frozen=True)
class Step:
    """One ordered step of failback: the rules (by id or area) whose blocking findings hold it,
    and its runtime gate conditions (replication lag, offline partitions, offset continuity,
    consumer groups active in both regions), judged on the snapshots' runtime evidence."""

    name: str
    description: str
    rules: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    runtime: Mapping[str, Any] = field(default_factory=dict)

    def as_input(self, overrides: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
        """The step for Rego; `overrides`: family -> its runtime_gates for this step."""
        overrides = overrides or {}
        families = {
            name: runtime_gate({**self.runtime, **override})
            for name, override in sorted(overrides.items())
        }
        return {
            "name": self.name,
            "description": self.description,
            "gates": {
                "rules": list(self.rules),
                "areas": list(self.areas),
                "runtime": runtime_gate(self.runtime),
                "runtime_families": families,
            },
        }


# AWS's MSK Replicator failback runbook (docs/concepts/failback-steps.md): the steps when the
# plan declares none. A blocking finding that no step gates holds every step.
DEFAULT_FAILBACK_STEPS: tuple[Step, ...] = (
    Step(
        "replicate-back",
        "Replicate back until caught up: the reverse flow (DR region to the returning region) "
        "runs, starts at EARLIEST and carries every topic of each family the DR region wrote.",
        rules=("REP-002", "REP-003", "REP-005", "REP-006", "REP-007"),
        runtime={"max_lag_seconds": 60, "max_offline_partitions": 0},
    ),
    Step(
        "move-producers",
        "Move producers back: the forward path runs again as the rollback route (Kafka Connect "
        "internal topics included), the returning region can take the writes (its schema "
        "registry writable, with the same schemas and ids) and the DR region is fenced.",
        rules=("CMP-002", "CMP-004"),
        areas=("rollback", "write_authority", "topic_config", "schemas"),
        runtime={"max_offline_partitions": 0},
    ),
    Step(
        "drain",
        "Drain: the DR region's producers have stopped and the reverse flow delivers what is "
        "left: its lag reaches zero.",
        runtime={"max_lag_records": 0, "max_offline_partitions": 0},
    ),
    Step(
        "move-consumers",
        "Move consumers back: offsets are synced back (a reverse offset path in a mode that "
        "supports failback), sinks can take the at-least-once replay, and no consumer group "
        "is active in both regions.",
        areas=("offsets", "consumer_authority"),
        runtime={
            "max_offset_gap": 0,
            "no_dual_active_groups": True,
            "max_offset_sync_failures": 0,
            "max_offline_partitions": 0,
        },
    ),
    Step(
        "stop-reverse-flow",
        "Stop the reverse flow once the consumers read in the returning region.",
        runtime={"max_offline_partitions": 0},
    ),
    Step(
        "clean-up",
        "Clean up: delete the reverse flow, check the original flow runs, and end the "
        "dual-region costs.",
        areas=("cost",),
        runtime={"max_offline_partitions": 0},
    ),
)


@dataclass(frozen=True)
class Outage:
    """A region declared down (plan `outage:` or `--impaired-region`)."""

    role: str  # primary | secondary
    region: str
    since: str | None
    declared_by: str  # plan | option


@dataclass(frozen=True)
class Family:
    """A topic family of the plan: its name, topic globs and the plan entry."""

    name: str
    match: tuple[str, ...]
    document: Mapping[str, Any]

    def matches(self, topic: str) -> bool:
        return any(fnmatch.fnmatchcase(topic, pattern) for pattern in self.match)

    def role(self, phase: str, key: str) -> str | None:
        phases: Mapping[str, Any] = self.document.get("phases", {})
        return _text(phases.get(phase, _EMPTY).get(key))

    def roles(self) -> tuple[tuple[str | None, str | None], ...]:
        """(writer, consumer) of each phase, in PHASES order: `role` for every phase at once."""
        phases: Mapping[str, Any] = self.document.get("phases", _EMPTY)
        entries = [phases.get(phase, _EMPTY) for phase in PHASES]
        return tuple((_text(e.get("writer")), _text(e.get("consumer"))) for e in entries)

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
    def conflict_control(self) -> str | None:
        """How conflicting writes are prevented when both regions write (`writer: both`)."""
        return _text(self.document.get("conflict_control"))

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

    @property
    def schemas(self) -> SchemaUse | None:
        raw = self.document.get("schemas")
        if raw is None:
            return None
        return SchemaUse(
            kind=str(raw["kind"]),
            registry=str(raw.get("registry", "default")),
            naming=str(raw.get("naming", "topic")),
            parts=tuple(str(p) for p in raw.get("parts", ["value"])),
            subjects=tuple(str(s) for s in raw.get("subjects", [])),
            version_ids=str(raw.get("version_ids", "must-match")),
        )

    def evidence(self, phase: str) -> Evidence:
        return _evidence(self.document.get("evidence", {}).get(phase, _EMPTY))

    def evidences(self) -> tuple[Evidence, ...]:
        """The evidence of each phase, in PHASES order (`evidence` for every phase at once)."""
        raw: Mapping[str, Any] = self.document.get("evidence", _EMPTY)
        return tuple(_evidence(raw.get(phase, _EMPTY)) for phase in PHASES)


_EMPTY: Mapping[str, Any] = {}


def _evidence(raw: Mapping[str, Any]) -> Evidence:
    get = raw.get
    return Evidence(
        runbook=_text(get("runbook")),
        last_rehearsal=_text(get("last_rehearsal")),
        metrics=tuple(map(str, get("metrics", ()))),
        alerts=tuple(map(str, get("alerts", ()))),
        rehearsal_record=_text(get("rehearsal_record")),
    )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, eq=False)
class Plan:
    """A parsed, validated failback plan (failback.yaml)."""

    path: Path | None
    name: str
    current_phase: str
    primary: RegionRef
    secondary: RegionRef
    families: tuple[Family, ...]
    document: Mapping[str, Any] = field(repr=False)
    # the rehearsal records the families' evidence cites (path as written -> what it shows:
    # step, result, ended_at), read by load_plan
    rehearsals: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path(".")

    @cached_property
    def _family_globs(self) -> tuple[tuple[int, ...], dict[str, list[tuple[int, str]]]]:
        """Each family's globs under their literal prefix (what precedes the first `*`, `?` or
        `[`; fnmatch has no escape character), and the distinct prefix lengths: a topic can
        match only the globs whose prefix it starts with. (One alternation of every family's
        globs took Python's regular expression compiler 1.3 s for 10,000 families.)"""
        by_prefix: dict[str, list[tuple[int, str]]] = {}
        for index, family in enumerate(self.families):
            for glob in family.match:
                cut = min((i for i in map(glob.find, "*?[") if i >= 0), default=len(glob))
                by_prefix.setdefault(glob[:cut], []).append((index, glob))
        return tuple(sorted({len(prefix) for prefix in by_prefix})), by_prefix

    def family_of(self, topic: str) -> str | None:
        """The first family (in plan order) with a glob that matches the topic."""
        lengths, by_prefix = self._family_globs
        candidates = sorted(
            entry
            for length in lengths
            if length <= len(topic)
            for entry in by_prefix.get(topic[:length], ())
        )
        for index, glob in candidates:
            if fnmatch.fnmatchcase(topic, glob):
                return self.families[index].name
        return None

    def equivalences(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for entry in self.document.get("equivalences", []):
            for value in entry["values"]:
                table[str(value)] = str(entry["canonical"])
        return table

    def fence(self, family: Family) -> Fence:
        """The family's standby fence: its own `fence` / `routing`, else the plan's, else acl
        (routing keys are filled in one by one from the plan's)."""
        default: Mapping[str, Any] = self.document.get("routing", {})
        routing: Mapping[str, Any] = family.document.get("routing", {})
        return Fence(
            mode=str(family.document.get("fence") or self.document.get("fence") or "acl"),
            routing_control=_text(routing.get("control", default.get("control"))),
            runbook=_text(routing.get("runbook", default.get("runbook"))),
        )

    def replicator_principals(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.document.get("replicator_principals", []))

    def admin_principals(self) -> tuple[str, ...]:
        """Globs of the principals that may write anywhere by design (operators' and
        break-glass super users): reported apart, never counted as producers."""
        return tuple(str(p) for p in self.document.get("admin_principals", []))

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
    def uses_schemas(self) -> bool:
        """Whether a family uses a schema registry (then the `schemas` area is judged)."""
        return any(family.schemas is not None for family in self.families)

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
            dual_region_since=_text(raw.get("dual_region_since")),
            owner=_text(raw.get("owner")),
        )

    @property
    def clear_text_secrets(self) -> list[str]:
        """The keys of secret-looking settings the plan holds in clear text (`secret_literals`)."""
        return secret_literals(self.document)

    @property
    def failback_steps(self) -> tuple[Step, ...]:
        """The plan's failback steps (failback_steps:), else AWS's runbook."""
        declared = self.document.get("failback_steps")
        if not declared:
            return DEFAULT_FAILBACK_STEPS
        return tuple(
            Step(
                name=str(raw["name"]),
                description=str(raw.get("description", "")),
                rules=tuple(str(r) for r in raw.get("gates", {}).get("rules", [])),
                areas=tuple(str(a) for a in raw.get("gates", {}).get("areas", [])),
                runtime=dict(raw.get("gates", {}).get("runtime", {})),
            )
            for raw in declared
        )

    def step_input(self, step: Step) -> dict[str, Any]:
        """A failback step for Rego, with each family's runtime gate override resolved."""
        overrides = {
            name: override
            for name, gates in self._runtime_gates
            if (override := gates.get(step.name)) is not None
        }
        return step.as_input(overrides)

    @cached_property
    def _runtime_gates(self) -> tuple[tuple[str, Mapping[str, Any]], ...]:
        """(family name, its runtime_gates) of the families that set any, in plan order."""
        return tuple(
            (family.name, gates)
            for family in self.families
            if (gates := family.document.get("runtime_gates", _EMPTY))
        )

    def step(self, name: str) -> Step:
        """The failback step called `name`; an input error listing the valid names otherwise."""
        for step in self.failback_steps:
            if step.name == name:
                return step
        names = ", ".join(s.name for s in self.failback_steps)
        raise InputError(f"unknown failback step {name!r}; expected one of {names}")

    def outage(self, impaired_region: str | None = None) -> Outage | None:
        """The declared outage: `impaired_region` (the --impaired-region option) wins over the
        plan's outage:. A name that is neither plan region is an input error."""
        raw: Mapping[str, Any] = self.document.get("outage") or {}
        name = impaired_region if impaired_region is not None else raw.get("impaired_region")
        if name is None:
            return None
        origin = "--impaired-region" if impaired_region is not None else "plan outage"
        for ref in (self.primary, self.secondary):
            if ref.name == name:
                since = raw.get("since") if raw.get("impaired_region") == name else None
                if since is not None:
                    parse_timestamp(str(since), "plan outage", "since")
                return Outage(
                    role=ref.role,
                    region=ref.name,
                    since=_text(since),
                    declared_by="option" if impaired_region is not None else "plan",
                )
        raise InputError(
            f"{origin}: impaired region {name!r} is neither the primary ({self.primary.name}) "
            f"nor the secondary ({self.secondary.name})"
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


def parse_plan(
    document: Any, origin: str, path: Path | None = None, *, dates_as_text: bool = False
) -> Plan:
    """The plan of a plan document; dates_as_text: the document was loaded with its dates as
    text already (load_document's dates_as_text), so it is not walked again to convert them."""
    if not dates_as_text:  # unquoted YAML dates are dates as the schema spells them
        document = dates_to_text(document)
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
    _check_unique(
        (str(s["name"]) for s in document.get("failback_steps", [])), origin, "failback step"
    )
    for where, value in plan_dates(document):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise InputError(
                f"plan {origin} at {where}: {json.dumps(value)} is not a date",
                hint="dates are YYYY-MM-DD",
            ) from None
    return Plan(
        path=path,
        name=str(document.get("name", path.stem if path else "plan")),
        current_phase=str(document.get("current_phase", "normal")),
        primary=_region("primary", regions["primary"], base),
        secondary=_region("secondary", regions["secondary"], base),
        families=families,
        document=document,
    )


def plan_dates(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, text) of every date a schema-valid plan holds (the schema's format: date is not
    checked by the fast validator)."""
    since = document.get("cost", {}).get("dual_region_since")
    if since is not None:
        yield "cost/dual_region_since", str(since)
    for index, family in enumerate(document["topic_families"]):
        for phase, evidence in family.get("evidence", {}).items():
            rehearsal = evidence.get("last_rehearsal")
            if rehearsal is not None:
                yield f"topic_families/{index}/evidence/{phase}/last_rehearsal", str(rehearsal)


def _check_unique(names: Iterable[str], origin: str, what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError(f"plan {origin}: {what} {name!r} is declared twice")
        seen.add(name)


def repository_of(directory: Path) -> Path:
    """The git work tree holding `directory` (the nearest parent with a `.git` directory or
    file), else `directory` itself; symlinks resolved."""
    start = directory.resolve()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def _source_paths(where: str, source: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for key in ("plan", "command_config", "mm2_config"):
        if isinstance(source.get(key), str):
            yield f"{where}.{key}", source[key]
    for key in ("paths", "path"):
        value = source.get(key)
        for index, item in enumerate([value] if isinstance(value, str) else value or []):
            yield f"{where}.{key}[{index}]", str(item)
    config = source.get("config")
    for key, value in (config if isinstance(config, Mapping) else {}).items():
        if isinstance(value, str) and value.startswith(FILE_PREFIX):
            yield f"{where}.config.{key}", value[len(FILE_PREFIX) :]


def secret_literals(document: Mapping[str, Any]) -> list[str]:
    """The plan keys that hold a secret-looking setting in clear text (a kafka source's
    `config`) rather than naming it (env:VAR, @PATH)."""
    found = []
    for role in ("primary", "secondary"):
        source = document["regions"][role].get("source")
        sources = source if isinstance(source, list) else [source]
        for index, item in enumerate(sources):
            where = f"regions.{role}.source" + (f"[{index}]" if isinstance(source, list) else "")
            config = item.get("config") if isinstance(item, Mapping) else None
            for key, value in (config if isinstance(config, Mapping) else {}).items():
                literal = not (isinstance(value, str) and is_reference(value))
                if holds_secret(str(key)) and literal:
                    found.append(f"{where}.config.{key}")
    return found


def plan_paths(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(plan key, path) for every file or directory a plan names: the regions' snapshots and
    their sources' files, the waiver file."""
    for role in ("primary", "secondary"):
        region: Mapping[str, Any] = document["regions"][role]
        if isinstance(region.get("snapshot"), str):
            yield f"regions.{role}.snapshot", region["snapshot"]
        source = region.get("source")
        if isinstance(source, list):
            for index, item in enumerate(source):
                yield from _source_paths(f"regions.{role}.source[{index}]", item)
        elif isinstance(source, Mapping):
            yield from _source_paths(f"regions.{role}.source", source)
    if isinstance(document.get("waivers"), str):
        yield "waivers", document["waivers"]
    for path in rehearsal_records(document):
        yield "evidence.rehearsal_record", path


def rehearsal_records(document: Mapping[str, Any]) -> list[str]:
    """The rehearsal records a plan's families cite as evidence, in plan order, once each."""
    found: dict[str, None] = {}
    for family in document.get("topic_families", []):
        for evidence in family.get("evidence", {}).values():
            if isinstance(evidence.get("rehearsal_record"), str):
                found[evidence["rehearsal_record"]] = None
    return list(found)


def read_rehearsals(plan: Plan) -> dict[str, dict[str, Any]]:
    """What each cited rehearsal record shows (its step, result and end), read and checked."""
    paths = rehearsal_records(plan.document)
    if not paths:
        return {}
    from .rehearsal import check_record  # only when cited (it imports the watch model)

    records = {}
    for path in paths:
        where = plan.base_dir / path
        document = check_record(load_document(where, "rehearsal record"), str(where))
        records[path] = {
            "step": str(document["step"]),
            "result": str(document["result"]),
            "ended_at": document.get("ended_at"),
        }
    return records


def confine(plan: Plan) -> None:
    """Refuse a plan that names a path outside its repository (repository_of the plan's
    directory), symlinks resolved: a plan from a pull request must not read /etc/passwd or walk
    the whole file system. Paths given on the command line are the user's own."""
    root = repository_of(plan.base_dir)
    for key, value in plan_paths(plan.document):
        resolved = (plan.base_dir / value).resolve()
        if resolved != root and root not in resolved.parents:
            raise InputError(
                f"plan {plan.path or plan.name}: {key} {value!r} is outside the plan's "
                f"repository {root}",
                hint="give --allow-outside-repo to read it anyway",
            )


def load_plan(path: Path, *, allow_outside_repo: bool = False) -> Plan:
    """The plan at `path`; unless allow_outside_repo, every path it names must stay inside its
    repository (`confine`)."""
    try:
        # a plan of 10,000 families is a million objects: no cycles among them to look for
        with collector.paused():
            document = load_document(path, "plan", dates_as_text=True)
            plan = parse_plan(document, str(path), path.resolve(), dates_as_text=True)
    except schemas.SchemaError as exc:
        raise InputError(
            exc.message, hint=f"`failback validate {path}` lists every problem with its line"
        ) from None
    if not allow_outside_repo:
        confine(plan)
    rehearsals = read_rehearsals(plan)
    if rehearsals:
        from dataclasses import replace

        plan = replace(plan, rehearsals=rehearsals)
    return plan


def check_phase(phase: str) -> Phase:
    if not is_phase(phase):
        raise InputError(f"unknown phase {phase!r}; expected one of {', '.join(PHASES)} or all")
    return phase
