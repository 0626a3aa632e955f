"""Draft a failback.yaml from the two regions' snapshots (`failback init`). Pure: documents in,
a plan document out, every inferred value wrapped in a `Guess` that says why.

What is inferred, and from what:
  regions         the snapshots' regions, and how `check` reads them again (file or source)
  equivalences    region-specific identifiers paired across the regions: cluster names, KMS
                  keys, ingress peers (security groups, CIDRs) paired by port and description,
                  broker log groups, trails, buckets and principals whose names differ only
                  by a region token (us-east-1, use1, ...)
  topic_families  one per topic-name prefix (the part before the first '.'), after the
                  replication prefix of remote copies (`use1.payments.x`) is taken off;
                  internal topics (checker/topics.py) belong to none
  replicator_principals  principals that may write every topic of several replicated
                  families, or whose name says replication (replicator, mirror, mm2, ...)
  admin_principals  the brokers' super users
  producers       per family, who may write its topics in either region (ACLs and IAM,
                  judged by the same authorizer as `check`), neither replicator nor admin
  phases          the usual roles: the primary writes and consumes in normal, failback and
                  cleanup, the secondary in failover and dr_operation
  current_phase   from where producers may write and which flows run
  transactional, connect, schemas, offset_strategy  from transactional-id grants, Connect
                  internal topics a family's producer writes, registry subjects, offset sync
  cost.flow_owners  every flow by name, with the owner its snapshot records

What only a person knows (owners, tiers, sinks, runbooks, rehearsals, rollback, the cost
budget) is left as comment lines to fill in: a draft never claims a rehearsal or a rollback
point, so `check` reports them missing until a person adds them.
"""

from __future__ import annotations

import fnmatch
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .authority import region_access, write_facts
from .draft_yaml import Commented, Guess, Placeholder
from .draft_yaml import scalar as json_text
from .identity import Canon
from .topics import is_internal

ROLES = ("primary", "secondary")
# the usual roles of each phase: the region that writes and consumes
USUAL_ROLES: Mapping[str, str] = {
    "normal": "primary",
    "failover": "secondary",
    "dr_operation": "secondary",
    "failback": "primary",
    "cleanup": "primary",
}
# a principal whose name says it belongs to a replication tool
_REPLICATION_NAME = re.compile(
    r"replicat|mirror|mm2|mskr|cluster-?link|brooklin|kafka-?connect-?mirror", re.IGNORECASE
)
_FAMILY_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
_SLUG = re.compile(r"[^a-z0-9]+")
EVERYONE = "User:*"


@dataclass(frozen=True)
class RegionInput:
    """One region: its snapshot document and how the plan should read it again
    (`{"snapshot": path}` or `{"source": {...}}`), and where it came from (for comments)."""

    document: Mapping[str, Any]
    entry: Mapping[str, Any]
    origin: str

    @property
    def name(self) -> str:
        return str(self.document.get("region", ""))


# ---------------------------------------------------------------------------------------------
# region tokens and equivalences


def region_tokens(region: str) -> list[str]:
    """Spellings of a region inside resource names, longest first: us-east-1, useast1, use1,
    east-1, ... (AWS-style names; any other name only as itself)."""
    tokens = {region, region.replace("-", ""), region.replace("-", "_")}
    parts = region.split("-")
    if len(parts) == 3 and parts[2].isdigit():
        area, direction, number = parts
        tokens |= {
            f"{area}{direction[0]}{number}",
            f"{area}-{direction[0]}{number}",
            f"{area}{direction[:1]}-{number}",
            f"{direction}-{number}",
            f"{direction}{number}",
        }
    return sorted((t for t in tokens if t), key=lambda t: (-len(t), t))


def without_region(value: str, region: str) -> str | None:
    """`value` with the first spelling of `region` replaced by `{region}` (None: none in it)."""
    lowered = value.lower()
    for token in region_tokens(region):
        at = lowered.find(token.lower())
        if at >= 0:
            return value[:at] + "{region}" + value[at + len(token) :]
    return None


def _stem(value: str, region: str) -> str:
    form = without_region(value, region)
    if form is None:
        return value
    stem = re.sub(r"[-_.]*\{region\}[-_.]*", "-", form).strip("-_./")
    return stem or value


def _pair_by_region(
    primary: Iterable[str], secondary: Iterable[str], regions: tuple[str, str]
) -> list[tuple[str, str, str]]:
    """(primary value, secondary value, shared form) for values that differ only by their
    region token, each form held by exactly one value per region."""
    forms: list[dict[str, list[str]]] = []
    for values, region in zip((primary, secondary), regions, strict=True):
        by_form: dict[str, list[str]] = defaultdict(list)
        for value in sorted(set(values)):
            form = without_region(value, region)
            if form is not None:
                by_form[form].append(value)
        forms.append(by_form)
    pairs = []
    for form, values in sorted(forms[0].items()):
        others = forms[1].get(form, [])
        if len(values) == 1 and len(others) == 1 and values[0] != others[0]:
            pairs.append((values[0], others[0], form))
    return pairs


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def _equivalence(kind: str, canonical: str, values: Sequence[str], why: str) -> Guess:
    return Guess({"kind": kind, "canonical": canonical, "values": list(values)}, why)


def _single(
    kind: str,
    prefix: str,
    values: Sequence[Any],
    regions: tuple[str, str],
    why: str,
) -> list[Guess]:
    first, second = (None if v is None else str(v) for v in values)
    if not first or not second or first == second:
        return []
    if kind == "cluster":
        canonical = _stem(first, regions[0])
    else:
        form = without_region(first, regions[0])
        canonical = prefix + (first if form is None else form.replace("{region}", "REGION"))
    return [_equivalence(kind, canonical, [first, second], why)]


def _ingress_key(rule: Mapping[str, Any]) -> tuple[str, ...]:
    return (
        str(rule.get("protocol")),
        str(rule.get("from_port")),
        str(rule.get("to_port")),
        str(rule.get("peer_type")),
        str(rule.get("description") or ""),
    )


def _prefix_length(peer: str) -> str | None:
    _, sep, bits = peer.partition("/")
    return bits if sep else None


def _ingress_pairs(documents: tuple[Mapping[str, Any], ...]) -> list[Guess]:
    """Ingress rules with the same protocol, ports, peer type and description, one per region,
    whose peers differ: the same clients, addressed per region. A CIDR pairs only with one of
    the same size, never with an internet-wide range (that would hide NET-002 and NET-003)."""
    keyed: list[dict[tuple[str, ...], list[str]]] = []
    for document in documents:
        rules: dict[tuple[str, ...], list[str]] = defaultdict(list)
        network = document.get("network") or {}
        for rule in network.get("ingress", []) or []:
            rules[_ingress_key(rule)].append(str(rule.get("peer")))
        keyed.append(rules)
    found = []
    for key, peers in sorted(keyed[0].items()):
        others = keyed[1].get(key, [])
        if len(peers) != 1 or len(others) != 1 or peers[0] == others[0]:
            continue
        protocol, low, high, peer_type, description = key
        ports = low if low == high else f"{low}-{high}"
        label = _slug(description) or f"{protocol}-{ports}"
        why = f"the {protocol} {ports} ingress rule" + (f" {description!r}" if description else "")
        if peer_type == "security_group":
            found.append(_equivalence("security_group", f"sg:{label}", [peers[0], others[0]], why))
        elif peer_type == "cidr":
            wide = {"0.0.0.0/0", "::/0"}
            if peers[0] in wide or others[0] in wide:
                continue
            if _prefix_length(peers[0]) != _prefix_length(others[0]):
                continue
            found.append(_equivalence("other", f"cidr:{label}", [peers[0], others[0]], why))
        else:
            found.append(_equivalence("other", f"{peer_type}:{label}", [peers[0], others[0]], why))
    return found


def _log_groups(document: Mapping[str, Any]) -> dict[str, str]:
    audit = document.get("audit") or {}
    found: dict[str, str] = {}
    for entry in audit.get("broker_logs", []) or []:
        if entry.get("target"):
            found.setdefault(str(entry["destination"]), str(entry["target"]))
    return found


def _principals(document: Mapping[str, Any], canon: Canon) -> set[str]:
    found = {canon.text(str(a.get("principal", ""))) for a in document.get("acls", []) or []}
    found |= {canon.text(str(g.get("principal", ""))) for g in document.get("iam_grants", []) or []}
    return {p for p in found if p}


def equivalences(regions: tuple[RegionInput, RegionInput]) -> list[Guess]:
    documents = (regions[0].document, regions[1].document)
    names = (regions[0].name, regions[1].name)
    plain = Canon({})
    found: list[Guess] = []
    clusters = tuple(
        (d.get("cluster") or {}).get("name") or (d.get("cluster") or {}).get("id")
        for d in documents
    )
    cluster_names = tuple(plain.cluster_name(str(c)) if c else None for c in clusters)
    found += _single("cluster", "", cluster_names, names, "the two snapshots' cluster names")
    keys = tuple(
        plain(((d.get("encryption") or {}).get("at_rest") or {}).get("key_id")) for d in documents
    )
    found += _single(
        "kms_key", "kms-key:", keys, names, "the at-rest encryption keys of the two clusters"
    )
    found += _ingress_pairs(documents)
    logs = [_log_groups(d) for d in documents]
    for destination in sorted(set(logs[0]) & set(logs[1])):
        values = (logs[0][destination], logs[1][destination])
        found += _single(
            "log_group", "log-group:", values, names, f"the {destination} broker log targets"
        )
    trails = tuple(((d.get("audit") or {}).get("trail") or {}).get("name") for d in documents)
    found += _single("trail", "trail:", trails, names, "the CloudTrail trails")
    buckets = [[str(b.get("name")) for b in d.get("storage", []) or []] for d in documents]
    for first, second, form in _pair_by_region(buckets[0], buckets[1], names):
        found.append(
            _equivalence("bucket", f"bucket:{form}", [first, second], "names differ by region")
        )
    principals = [_principals(d, plain) for d in documents]
    for first, second, form in _pair_by_region(principals[0], principals[1], names):
        if first in principals[1] or second in principals[0]:
            continue  # both exist in both regions: two identities, not one
        found.append(
            _equivalence(
                "principal",
                form.replace("{region}", "REGION"),
                [first, second],
                "principal names differ only by the region",
            )
        )
    return found


def canon_of(found: Sequence[Guess]) -> Canon:
    table: dict[str, str] = {}
    for guess in found:
        for value in guess.value["values"]:
            table[str(value)] = str(guess.value["canonical"])
    return Canon(table)


# ---------------------------------------------------------------------------------------------
# topics and families


def _flows(regions: tuple[RegionInput, RegionInput]) -> list[Mapping[str, Any]]:
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


def _remote_prefixes(flows: Sequence[Mapping[str, Any]]) -> set[str]:
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


# ---------------------------------------------------------------------------------------------
# who writes


@dataclass(frozen=True)
class Writer:
    principal: str
    role: str
    family: str
    topics: int
    every_topic: bool
    why: str


def writers(
    regions: tuple[RegionInput, RegionInput],
    canon: Canon,
    groups: Mapping[str, Sequence[str]],
    here: Mapping[str, Mapping[str, Sequence[str]]],
) -> list[Writer]:
    """Who may write each group's topics in each region (the authorizer `check` uses)."""
    found = []
    for role, region in zip(ROLES, regions, strict=True):
        access = region_access(region.document, role, canon, region.origin)
        family_topics = {
            group: [(t, name) for t in ts for name in here[role].get(t, ())]
            for group, ts in groups.items()
        }
        family_topics = {group: items for group, items in family_topics.items() if items}
        facts = write_facts(access, family_topics, lambda _: False)
        for group, entries in facts["writers"].items():
            for entry in entries:
                why = "; ".join(entry["why"][:1])
                found.append(
                    Writer(
                        principal=str(entry["principal"]),
                        role=role,
                        family=group,
                        topics=len(entry["topics"]),
                        every_topic=bool(entry["every_topic"]),
                        why=why,
                    )
                )
    return found


def super_users(regions: tuple[RegionInput, RegionInput], canon: Canon) -> list[str]:
    found = set()
    for region in regions:
        config = region.document.get("broker_config") or {}
        for user in str(config.get("super.users") or "").split(";"):
            if user.strip():
                found.add(canon.text(user.strip()))
    return sorted(found)


def known_principals(regions: tuple[RegionInput, RegionInput], canon: Canon) -> set[str]:
    """Every principal a region names: in ACLs, IAM grants and as a SCRAM user."""
    found: set[str] = set()
    for region in regions:
        found |= _principals(region.document, canon)
        authentication = region.document.get("authentication") or {}
        found |= {canon.text(f"User:{u}") for u in authentication.get("scram_users", []) or []}
    return found


def replicators(
    found: Sequence[Writer],
    replicated: set[str],
    passive: str,
    names: Mapping[str, str],
    principals: Iterable[str] = (),
) -> dict[str, str]:
    """principal -> why: may write every topic of several replicated families in both
    regions (a replication identity serves both directions), or is named after a replication
    tool (among writers and `principals`). A broad writer of the passive region alone stays a
    producer: it may be a debugging grant that write-authority rules must report (WA-001,
    WA-002), and a draft never hides a finding by calling its principal a replicator."""
    broad: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    named: set[str] = {p for p in principals if _REPLICATION_NAME.search(p)}
    for writer in found:
        if writer.principal == EVERYONE:
            continue
        if writer.every_topic and writer.family in replicated:
            broad[writer.principal][writer.role].add(writer.family)
        if _REPLICATION_NAME.search(writer.principal):
            named.add(writer.principal)
    result = {}
    other = next(role for role in names if role != passive)
    for principal, by_role in broad.items():
        families = by_role.get(passive, set())
        if len(families) >= min(2, len(replicated)) and by_role.get(other):
            result[principal] = (
                f"may write every topic of {len(families)} replicated families in "
                f"{names[passive]} and of {len(by_role[other])} in {names[other]}"
            )
    for principal in named:
        result.setdefault(principal, "its name says it belongs to a replication tool")
    return dict(sorted(result.items()))


# ---------------------------------------------------------------------------------------------
# flows


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


def _running(flow: Mapping[str, Any]) -> bool:
    return str(flow.get("state") or "RUNNING").upper() in ("RUNNING", "ACTIVE", "")


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
        and _running(f)
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


# ---------------------------------------------------------------------------------------------
# the plan


def _transactional(regions: tuple[RegionInput, RegionInput], canon: Canon) -> set[str]:
    """Principals granted transactional-id writes (Kafka ACLs or IAM)."""
    found = set()
    for region in regions:
        for acl in region.document.get("acls", []) or []:
            if (
                str(acl.get("resource_type", "")).upper() == "TRANSACTIONAL_ID"
                and str(acl.get("operation", "")).upper() in ("WRITE", "ALL")
                and str(acl.get("permission", "ALLOW")).upper() == "ALLOW"
            ):
                found.add(canon.text(str(acl.get("principal"))))
        for grant in region.document.get("iam_grants", []) or []:
            actions = [str(a) for a in grant.get("actions", []) or []]
            if str(grant.get("effect", "Allow")) == "Allow" and any(
                fnmatch.fnmatchcase("kafka-cluster:AlterTransactionalId", a) for a in actions
            ):
                found.add(canon.text(str(grant.get("principal"))))
    return found


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
        "the usual roles: the primary writes and consumes but in failover and dr_operation",
    )


NOT_INFERRED = (
    "Not inferred, only you know: owner, tier (default 3; 1 for business-critical),",
    "sinks (idempotency), evidence (runbooks, last_rehearsal): docs/reference/plan.md",
)


def draft(regions: tuple[RegionInput, RegionInput], name: str | None = None) -> dict[str, Any]:
    """The plan document (with Guess, Commented and Placeholder values) for two regions."""
    names = {role: region.name for role, region in zip(ROLES, regions, strict=True)}
    found_equivalences = equivalences(regions)
    canon = canon_of(found_equivalences)
    flows = _flows(regions)
    prefixes = _remote_prefixes(flows)
    found_topics = topics(regions, prefixes)
    connect_topics = [t for t in found_topics.internal if t.startswith("connect-")]
    groups: dict[str, Sequence[str]] = dict(found_topics.families)
    for topic in connect_topics:
        groups[f"@{topic}"] = [topic]
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
    found_replicators = {
        principal: why
        for principal, why in replicators(
            found_writers, replicated, "secondary", names, known_principals(regions, canon)
        ).items()
        if principal not in admins
    }
    excluded = set(found_replicators) | set(admins) | {EVERYONE}
    transactional = _transactional(regions, canon)

    producers: dict[str, dict[str, list[Writer]]] = defaultdict(lambda: defaultdict(list))
    for writer in found_writers:
        if writer.principal not in excluded:
            producers[writer.family][writer.principal].append(writer)
    writing: dict[str, int] = {role: 0 for role in ROLES}
    for family in found_topics.families:
        for role in {w.role for ws in producers.get(family, {}).values() for w in ws}:
            writing[role] += 1
    most = max(writing.values())
    producer_roles = {role for role, count in writing.items() if count and count == most}
    phase = current_phase(flows, producer_roles, names)
    preferred = USUAL_ROLES[phase.value]

    families = []
    for family, family_topics in found_topics.families.items():
        entry: dict[str, Any] = {
            "name": family,
            "match": Guess(
                [f"{family}.*"],
                f"{len(family_topics)} topics share the prefix {family!r}",
            ),
            "phases": _phases(),
        }
        writing_here = producers.get(family, {})
        chosen = {p: ws for p, ws in writing_here.items() if any(w.role == preferred for w in ws)}
        if not chosen:
            chosen = dict(writing_here)
        own = dict(sorted(chosen.items()))
        elsewhere = sorted(set(writing_here) - set(own))
        if own:
            entry["producers"] = [
                Guess(
                    principal,
                    "may write "
                    + ", ".join(
                        f"{w.topics}/{len(family_topics)} topics in {names[w.role]}" for w in ws
                    )
                    + f" ({ws[0].why})",
                )
                for principal, ws in sorted(own.items())
            ]
        else:
            entry["producers"] = Guess([], "nobody but replicators may write these topics")
        if elsewhere:
            entry["producers"] = Commented(
                entry["producers"],
                (
                    "Not listed as producers: these may write the family's topics only where "
                    f"it is not written now ({', '.join(elsewhere)}): confirm who they are",
                ),
            )
        syncing = [
            f
            for f in flows
            if (f.get("offset_sync") or {}).get("enabled")
            and any(carried(f, t) for t in family_topics)
        ]
        if syncing:
            entry["offset_strategy"] = Guess(
                "translated", f"flow {syncing[0].get('name')} syncs consumer offsets"
            )
        if transactional & set(own):
            entry["transactional"] = Guess(
                True,
                "a producer holds transactional-id write grants: "
                + ", ".join(sorted(transactional & set(own))),
            )
        internal = sorted(
            {
                t
                for t in connect_topics
                for w in found_writers
                if w.family == f"@{t}" and w.principal in own
            }
        )
        if internal:
            entry["connect"] = Guess(
                {"internal_topics": internal},
                "Kafka Connect internal topics a producer of this family writes",
            )
        schemas = _schemas(regions, family_topics)
        if schemas is not None:
            entry["schemas"] = schemas
        families.append(entry)

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
    unmatched = found_topics.unmatched
    notes: tuple[str, ...] = NOT_INFERRED
    if unmatched:
        notes += (f"Topics without a prefix, in no family: {', '.join(unmatched)}",)
    document["topic_families"] = Commented(families, notes)
    document["rollback"] = Placeholder(
        (
            "rollback: (only you know; RB-001 blocks failback without it)",
            "  stop_point: the last step after which failback can still be undone",
            "  return_path: how traffic goes back to the secondary if failback fails",
            "  decision_owner: who decides",
        )
    )
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
    cost: dict[str, Any] = {}
    owners: dict[str, Any] = {}
    for flow in flows:
        flow_name = str(flow.get("name"))
        if flow.get("owner"):
            owners[flow_name] = Guess(
                str(flow["owner"]),
                f"the owner {names.get(_role_of(flow, names), 'its snapshot')} records for "
                f"the flow {flow.get('source_region')} -> {flow.get('target_region')}",
            )
        else:
            owners[f"# {flow_name}"] = Placeholder(
                (f"{flow_name}: TEAM  (no owner recorded: CST-002 until you name one)",)
            )
    if owners:
        cost["flow_owners"] = owners
    cost["max_dual_region_days"] = Placeholder(
        ("max_dual_region_days: N  (the budget for running both regions; only you know)",)
    )
    if any(not isinstance(v, Placeholder) for v in cost.values()):
        document["cost"] = cost
    return document


def _gapped(regions: tuple[RegionInput, RegionInput]) -> dict[str, str]:
    """area -> the primary's reason, for the areas neither region's export could read."""
    gaps = [
        {str(g.get("area")): str(g.get("reason", "")) for g in r.document.get("gaps", []) or []}
        for r in regions
    ]
    return {area: gaps[0][area] for area in sorted(set(gaps[0]) & set(gaps[1]))}


def _role_of(flow: Mapping[str, Any], names: Mapping[str, str]) -> str:
    for role, region in names.items():
        if flow.get("target_region") == region:
            return role
    return ""
