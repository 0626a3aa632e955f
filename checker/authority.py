"""Effective permissions of the two regions, as the brokers and IAM evaluate them (pure).

Normalisation hands this module each region's snapshot document; it answers, with the engines
of `checker/authz` (Kafka's StandardAuthorizer and IAM for MSK):

- `RegionAccess`: what authorises clients in a region. Kafka ACLs (with the broker's authorizer
  settings: no authorizer, `super.users`, `allow.everyone.if.no.acl.found`) authorise every
  client except on an MSK cluster whose only client authentication is IAM; IAM identity
  policies authorise IAM clients of an MSK cluster with IAM authentication.
- `write_facts`: for each topic family, which principals can produce to which of its topics
  (DESCRIBE and WRITE, or Connect, DescribeTopic and WriteData) and why, replicators apart.
- `parity_facts`: what one region allows (principal, host, resource, operation) that the other
  does not, after replication renaming, compared on every topic both regions know and on the
  group, transactional-id and cluster names the grants and consumer groups name.
- `transactional_facts`, `authorizer_facts`, `scram_users`, `active_groups`: the other facts the
  access rules read.

Principals are canonical (`checker/identity.Canon`); topic names are the region-free (logical)
names normalisation uses. Nothing here reads files, the network or the clock.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import compress, repeat, tee
from typing import Any

from .authz.iam import (
    ALTER_TRANSACTIONAL_ID,
    DESCRIBE_TRANSACTIONAL_ID,
    WRITE_DATA,
    WRITE_DATA_IDEMPOTENTLY,
    IamDecision,
    IamPolicySet,
    MskCluster,
    Statement,
)
from .authz.kafka import (
    CLUSTER_NAME,
    OTHER_HOSTS,
    OTHER_PRINCIPALS,
    PRODUCE,
    WILDCARD,
    WILDCARD_PRINCIPAL,
    AclBinding,
    AclDecision,
    Authorizer,
    AuthorizerSettings,
    HostAccess,
    Operation,
    PatternType,
    Permission,
    PrincipalAccess,
    Reason,
    ResourceAccess,
    ResourceType,
)
from .errors import InputError
from .grants import IAM_ACTIONS, AclColumns, acl_columns
from .identity import Canon

MSK_KINDS = frozenset({"msk", "msk-serverless"})
EVERYONE = WILDCARD_PRINCIPAL
"""How findings name "any principal" (Kafka's own spelling of the wildcard principal)."""
MSK_AUTHORIZER = "MSK (Apache Kafka ACLs)"
ASSUMED_AUTHORIZER = "assumed (the snapshot does not say)"
_MECHANISMS = ("iam", "scram", "mtls", "unauthenticated")
_KAFKA_MECHANISMS = ("scram", "mtls", "unauthenticated")
# Reasons that come from the broker's settings, not from a grant: judged by the authorizer
# parity rule, never listed grant by grant.
_SETTING_REASONS = frozenset(
    {Reason.NO_AUTHORIZER, Reason.SUPER_USER, Reason.NO_ACL_ALLOW_EVERYONE}
)
# A stand-in for ALLOW WRITE topic bindings in the parity view: write authority judges them,
# but they still make a topic "have ACLs" (allow.everyone.if.no.acl.found then does not apply).
_WRITE_GRANT = "\x00write-grant"
# The operations each resource type takes (kafka-acls.sh); ALL expands to these.
_OPERATIONS: Mapping[ResourceType, tuple[Operation, ...]] = {
    ResourceType.TOPIC: (
        Operation.READ,
        Operation.WRITE,
        Operation.CREATE,
        Operation.DELETE,
        Operation.ALTER,
        Operation.DESCRIBE,
        Operation.DESCRIBE_CONFIGS,
        Operation.ALTER_CONFIGS,
    ),
    ResourceType.GROUP: (Operation.READ, Operation.DELETE, Operation.DESCRIBE),
    ResourceType.CLUSTER: (
        Operation.CREATE,
        Operation.CLUSTER_ACTION,
        Operation.DESCRIBE_CONFIGS,
        Operation.ALTER_CONFIGS,
        Operation.IDEMPOTENT_WRITE,
        Operation.ALTER,
        Operation.DESCRIBE,
    ),
    ResourceType.TRANSACTIONAL_ID: (Operation.DESCRIBE, Operation.WRITE),
    ResourceType.DELEGATION_TOKEN: (Operation.DESCRIBE,),
    ResourceType.USER: (Operation.CREATE_TOKENS, Operation.DESCRIBE_TOKENS),
}
_IMPLIED = {
    Operation.READ: Operation.DESCRIBE,
    Operation.WRITE: Operation.DESCRIBE,
    Operation.DELETE: Operation.DESCRIBE,
    Operation.ALTER: Operation.DESCRIBE,
    Operation.ALTER_CONFIGS: Operation.DESCRIBE_CONFIGS,
}
_IAM_KIND = {
    "CLUSTER": ResourceType.CLUSTER,
    "TOPIC": ResourceType.TOPIC,
    "GROUP": ResourceType.GROUP,
    "TRANSACTIONAL_ID": ResourceType.TRANSACTIONAL_ID,
}
_ARN_KIND = {
    ResourceType.GROUP: "group",
    ResourceType.TRANSACTIONAL_ID: "transactional-id",
    ResourceType.TOPIC: "topic",
}
# Consumer groups of the replication tools (MirrorMaker 2 / Connect, MSK's own), not of a
# family's consumers.
TOOL_GROUP = re.compile(
    r"^(__.*|mm2-.*|connect-.*|amazon\.msk\..*|.*Mirror(Source|Checkpoint|Heartbeat)Connector.*)$"
)
_SUMMARY_LIMIT = 5
_WORDS = {"TOPIC": "topic", "GROUP": "group", "TRANSACTIONAL_ID": "transactional id"}


@dataclass(frozen=True)
class RegionAccess:
    """What authorises clients in one region, built from its snapshot document."""

    role: str
    kind: str
    acls_apply: bool  # Kafka ACLs (and the authorizer settings) authorise clients here
    iam_applies: bool  # IAM identity policies authorise clients here (MSK with IAM auth)
    settings: AuthorizerSettings
    authorizer: Authorizer
    iam: IamPolicySet
    statements: Mapping[str, tuple[Statement, ...]]  # the IAM statements, by principal
    cluster: MskCluster
    mechanisms: Mapping[str, bool]
    canon: Canon
    _matching: dict[tuple[ResourceType, str], list[AclBinding]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _neutral: dict[tuple[Any, ...], tuple[Any, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # resource type -> (the authorizer they are of, name -> tails of its LITERAL bindings,
    # each distinct tails -> itself)
    _tails: dict[
        ResourceType, tuple[Authorizer, dict[str, Signature], dict[Signature, Signature]]
    ] = field(default_factory=dict, repr=False, compare=False)

    def matching(self, resource_type: ResourceType, name: str) -> list[AclBinding]:
        """The bindings matching a resource (remembered: write authority and parity both ask)."""
        key = (resource_type, name)
        found = self._matching.get(key)
        if found is None:
            found = self._matching[key] = self.authorizer.matching(resource_type, name)
        return found

    def signature(
        self, resource_type: ResourceType, name: str, *, parity: bool = False
    ) -> Signature:
        """`_signature` of the bindings matching a resource, in another form with the same
        equalities, read from the authorizer's index in C-level loops: the LITERAL bindings on
        the name itself as one tuple of their (principal, host, operation, permission), then
        the others by identity (large estates ask for every topic, twice)."""
        if name == WILDCARD:  # the LITERAL "*" bindings are its own: the general way
            flat = _signature(self.matching(resource_type, name), name, parity=parity)
            count = 0
            while count < len(flat) and isinstance(flat[count], tuple):
                count += 1
            if any(isinstance(e, tuple) for e in flat[count:]):
                return (None, *flat)  # like no other name's: a binding by identity comes first
            return (flat[:count], *flat[count:])
        own, others = self.authorizer.matching_parts(resource_type, name)
        tails = tuple(map(_TAIL, own))
        if parity and resource_type is ResourceType.TOPIC and tails:
            tails = self._parity_form(tails)
        return (tails, *map(id, others))

    def signatures(
        self, resource_type: ResourceType, names: Sequence[str], *, parity: bool = False
    ) -> list[Signature]:
        """`signature` of each name, the same values, worked out for all the names at once:
        the tails of a name's LITERAL bindings once per region (`_literal_tails`), their
        parity form once per distinct tails, the identities of the others once per set of
        matched prefixes. Equal signatures are one object (but the name `*`'s, worked out
        the general way), so callers may group names by a signature's identity: hashing a
        signature hashes every tail of it, each time."""
        _, others = self.authorizer.matching_parts_many(resource_type, names)
        known = self._literal_tails(resource_type, names)
        tails = list(map(known.__getitem__, names))
        if parity and resource_type is ResourceType.TOPIC and any(tails):
            distinct_tails = dict(zip(map(id, tails), tails, strict=True))  # few: interned
            forms = {key: self._parity_form(t) for key, t in distinct_tails.items()}
            tails = list(map(forms.__getitem__, map(id, tails)))
        # the others' identities, once per shared list of them, equal ones one object
        interned: dict[tuple[int, ...], tuple[int, ...]] = {}
        rests = {
            id(other): interned.setdefault(rest, rest)
            for other in dict(zip(map(id, others), others, strict=True)).values()
            for rest in (tuple(map(id, other)),)
        }
        parts = list(zip(tails, map(rests.__getitem__, map(id, others)), strict=True))
        keys = list(zip(map(id, tails), map(id, map(_SECOND, parts)), strict=True))
        joined = {
            key: (tail, *rest) for key, (tail, rest) in dict(zip(keys, parts, strict=True)).items()
        }
        found: list[Signature] = list(map(joined.__getitem__, keys))
        for position in compress(range(len(found)), map(WILDCARD.__eq__, names)):
            # the LITERAL "*" bindings are the name "*"'s own: the general way
            found[position] = self.signature(resource_type, WILDCARD, parity=parity)
        return found

    def _literal_tails(
        self, resource_type: ResourceType, names: Sequence[str]
    ) -> dict[str, Signature]:
        """Name -> the tails of its LITERAL bindings (`_TAIL`, in the authorizer's order), for
        `names` and the names asked before (remembered: write authority and parity both ask
        for every topic); equal tails are one object (large estates hold few distinct ones).
        Worked out in C-level loops, each name's tails interned as soon as they are built
        (they are not held at once: 40 MB at the peak)."""
        entry = self._tails.get(resource_type)
        if entry is None or entry[0] is not self.authorizer:
            entry = self._tails[resource_type] = (self.authorizer, {}, {})
        _, known, interned = entry
        fresh = list(set(names).difference(known))
        if fresh:
            owns = self.authorizer.literal_many(resource_type, fresh)
            built, again = tee(map(tuple, map(map, repeat(_TAIL), owns)))
            known.update(zip(fresh, map(interned.setdefault, built, again), strict=True))
        return known

    def _parity_form(self, tails: Signature) -> Signature:
        """A topic's LITERAL tails with ALLOW WRITE ones neutralised: (principal, host, WRITE,
        ALLOW) -> (_WRITE_GRANT, host, WRITE, ALLOW). Remembered in one map, tails -> form,
        that holds each form as its own key too (a form is its own form: no principal is
        _WRITE_GRANT), so equal forms are one object; it reads no binding, so a copy of the
        region with another authorizer may share it."""
        found = self._neutral.get(tails)
        if found is None:
            write, allow = Operation.WRITE, Permission.ALLOW
            form = tuple(
                (_WRITE_GRANT, t[1], write, allow) if t[2] is write and t[3] is allow else t
                for t in tails
            )
            found = self._neutral[tails] = self._neutral.setdefault(form, form)
        return found

    def parity_bindings(self, resource_type: ResourceType, name: str) -> list[AclBinding]:
        """The bindings matching a resource, ALLOW WRITE topic bindings neutralised (write
        authority judges them): WRITE's implied DESCRIBE is not compared either, and the topic
        still has ACLs (allow.everyone.if.no.acl.found does not apply to it)."""
        return [
            b._replace(principal=_WRITE_GRANT) if _neutral(b) else b
            for b in self.matching(resource_type, name)
        ]

    def host(self, host: str) -> str:
        return host if host == OTHER_HOSTS else self.canon.text(host)


def _kind(doc: Mapping[str, Any]) -> str:
    return str(doc.get("cluster", {}).get("kind", ""))


def _mechanisms(doc: Mapping[str, Any]) -> dict[str, bool] | None:
    """The client authentication switches, or None when the snapshot does not say."""
    raw = doc.get("authentication")
    if not isinstance(raw, Mapping) or not any(k in raw for k in _MECHANISMS):
        return None
    return {k: bool(raw.get(k, False)) for k in _MECHANISMS}


def authorizer_settings(doc: Mapping[str, Any], canon: Canon) -> AuthorizerSettings:
    """The broker's authorizer settings; super users canonical.

    A snapshot that records `authorizer.class.name` says whether there is one (empty: none).
    MSK runs Kafka's ACL authorizer (its configuration cannot change that); other sources that
    do not record the class are assumed to run one."""
    config = {str(k): v for k, v in doc.get("broker_config", {}).items()}
    if "authorizer.class.name" not in config:
        kind = _kind(doc)
        config["authorizer.class.name"] = (
            MSK_AUTHORIZER if kind in MSK_KINDS else ASSUMED_AUTHORIZER
        )
    settings = AuthorizerSettings.from_broker_config(config)
    return replace(settings, super_users=frozenset(canon.text(u) for u in settings.super_users))


_RESOURCE_TYPES = {m.value: m for m in ResourceType}
_PATTERN_TYPES = {m.value: m for m in PatternType}
_OPERATION_NAMES = {m.value: m for m in Operation}
_PERMISSIONS = {m.value: m for m in Permission}


def _column_bindings(columns: AclColumns) -> list[AclBinding] | None:
    """The bindings of well-formed ACL records, from their columns in C-level loops (each
    distinct principal checked once); None when some record is odd (a MATCH filter, an unknown
    name, a principal without a type, an empty or misnamed resource): `_bindings` then goes
    record by record, and names what is wrong."""
    try:
        resource_types = list(map(_RESOURCE_TYPES.__getitem__, columns.resource_type))
        pattern_types = list(map(_PATTERN_TYPES.__getitem__, columns.pattern_type))
        operations = list(map(_OPERATION_NAMES.__getitem__, columns.operation))
        permissions = list(map(_PERMISSIONS.__getitem__, columns.permission))
    except KeyError:
        return None
    names = columns.resource_name
    if not all(names) or not all(":" in p for p in dict.fromkeys(columns.raw_principal)):
        return None
    cluster_names = compress(names, map(operator.is_, resource_types, repeat(ResourceType.CLUSTER)))
    if not set(cluster_names) <= {CLUSTER_NAME}:
        return None
    fields = zip(
        resource_types,
        pattern_types,
        names,
        columns.principal,
        columns.host,
        operations,
        permissions,
        strict=True,
    )
    return list(map(tuple.__new__, repeat(AclBinding), fields))


def _bindings(acls: Iterable[Mapping[str, Any]], canon: Canon, origin: str) -> list[AclBinding]:
    """The snapshot's ACL records as bindings, principals canonical. Well-formed records take a
    fast path (large estates hold hundreds of thousands); others go through the authz module's
    validation, which names what is wrong."""
    bindings = []
    principals: dict[str, str] = {}  # raw -> canonical, cheaper than asking Canon each time
    for record in acls:
        pattern = record.get("pattern_type")
        if pattern == "MATCH":
            continue  # a filter pattern: the broker never stores it as a binding
        resource_type = _RESOURCE_TYPES.get(record.get("resource_type"))  # type: ignore[arg-type]
        operation = _OPERATION_NAMES.get(record.get("operation"))  # type: ignore[arg-type]
        permission = _PERMISSIONS.get(record.get("permission"))  # type: ignore[arg-type]
        pattern_type = _PATTERN_TYPES.get(pattern)  # type: ignore[arg-type]
        principal = str(record.get("principal", ""))
        name = str(record.get("resource_name", ""))
        if (
            resource_type is None
            or operation is None
            or permission is None
            or pattern_type is None
            or ":" not in principal
            or not name
            or (resource_type is ResourceType.CLUSTER and name != CLUSTER_NAME)
        ):
            try:
                AclBinding.from_record(record)
            except InputError as exc:
                raise InputError(f"{origin}: {exc}") from None
            raise InputError(f"{origin}: ACL binding {record!r} is not valid")  # pragma: no cover
        canonical = principals.get(principal)
        if canonical is None:
            canonical = principals[principal] = canon.text(principal)
        host = str(record.get("host", WILDCARD))
        bindings.append(
            AclBinding(resource_type, pattern_type, name, canonical, host, operation, permission)
        )
    return bindings


def _iam_statements(
    grants: Iterable[Mapping[str, Any]], canon: Canon, origin: str
) -> dict[str, tuple[Statement, ...]]:
    by_principal: dict[str, list[Statement]] = {}
    for grant in grants:
        try:
            statement = Statement.from_grant(grant)
        except InputError as exc:
            raise InputError(f"{origin}: {exc}") from None
        by_principal.setdefault(canon.text(str(grant["principal"])), []).append(statement)
    return {principal: tuple(found) for principal, found in by_principal.items()}


def msk_cluster(doc: Mapping[str, Any]) -> MskCluster:
    """The cluster's ARN parts, for the ARNs IAM authorises against.

    From the cluster id when it is an MSK cluster ARN; an id of the form `cluster/<uuid>` (as
    moto gives) takes the name from the snapshot; anything else keeps the region, the account
    and the name the snapshot gives, with an unknown UUID (only wildcards then match it)."""
    cluster = doc.get("cluster", {})
    cluster_id = str(cluster.get("id", ""))
    try:
        return MskCluster.from_arn(cluster_id)
    except InputError:
        pass
    name = str(cluster.get("name") or cluster_id or "cluster")
    parts = cluster_id.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "kafka":
        kind, _, rest = parts[5].partition("/")
        uuid = rest if kind == "cluster" and rest and "/" not in rest else "unknown"
        return MskCluster(
            region=parts[3] or str(doc.get("region", "")),
            account=parts[4] or "000000000000",
            name=name,
            uuid=uuid,
            partition=parts[1] or "aws",
        )
    return MskCluster(
        region=str(doc.get("region", "")), account="000000000000", name=name, uuid="unknown"
    )


def region_access(
    doc: Mapping[str, Any],
    role: str,
    canon: Canon,
    origin: str,
    columns: AclColumns | None = None,
) -> RegionAccess:
    """`columns`: the ACL records' columns (`grants.acl_columns`), when the caller has them."""
    kind = _kind(doc)
    mechanisms = _mechanisms(doc)
    if kind == "msk-serverless":
        acls_apply, iam_applies = False, True
    elif kind in MSK_KINDS:
        known = mechanisms is not None
        acls_apply = not known or any(mechanisms[k] for k in _KAFKA_MECHANISMS)  # type: ignore[index]
        iam_applies = not known or mechanisms["iam"]  # type: ignore[index]
    else:
        acls_apply, iam_applies = True, False
    settings = authorizer_settings(doc, canon)
    statements = _iam_statements(doc.get("iam_grants", []), canon, origin)
    acls = doc.get("acls", [])
    if columns is None:
        columns = acl_columns(acls, canon)
    bindings = None if columns is None else _column_bindings(columns)
    if bindings is None:
        bindings = _bindings(acls, canon, origin)
    return RegionAccess(
        role=role,
        kind=kind,
        acls_apply=acls_apply,
        iam_applies=iam_applies,
        settings=settings,
        authorizer=Authorizer.from_settings(bindings, settings),
        iam=IamPolicySet(statements),
        statements=statements,
        cluster=msk_cluster(doc),
        mechanisms=mechanisms or {},
        canon=canon,
    )


# ---------------------------------------------------------------------------------------------
# write authority


def _reason_text(decision: AclDecision, what: str, name: str = "") -> str:
    """Why the authorizer allowed something; a LITERAL binding on the resource's own name
    reads alike for every resource ("on each one, LITERAL"), so one-per-topic grants collapse."""
    via = decision.via
    if decision.reason is Reason.NO_AUTHORIZER:
        return f"the broker has no authorizer: every client may {what}"
    if decision.reason is Reason.SUPER_USER:
        return "a super user (super.users)"
    if decision.reason is Reason.NO_ACL_ALLOW_EVERYONE:
        return "no ACL matches the resource and allow.everyone.if.no.acl.found=true"
    if via is not None and via.pattern_type is PatternType.LITERAL and via.resource_name == name:
        word = _WORDS.get(via.resource_type.value, "resource")
        return (
            f"ACL {via.permission} {via.principal} {via.operation} on the {word}'s own name "
            f"(LITERAL) from host {via.host}"
        )
    return f"ACL {via}"


def _hosts_text(entry: PrincipalAccess) -> str:
    if entry.from_every_host:
        return ""
    allowed = [h.host for h in entry.hosts if h.allowed]
    if OTHER_HOSTS in allowed:
        denied = [h.host for h in entry.hosts if not h.allowed]
        return f" (from every host but {', '.join(denied)})"
    return f" (only from {', '.join(allowed)})"


def _first_allowed(entry: PrincipalAccess) -> HostAccess:
    return next(h for h in entry.hosts if h.allowed)


def _everyone_reason(entry: PrincipalAccess) -> Reason | None:
    """Why every principal may write (no authorizer, allow.everyone.if.no.acl.found), if so."""
    if not entry.from_every_host:
        return None
    reason = entry.hosts[-1].decisions[-1].reason
    return reason if reason in (Reason.NO_AUTHORIZER, Reason.NO_ACL_ALLOW_EVERYONE) else None


Signature = tuple[Any, ...]
_TAIL = operator.itemgetter(3, 4, 5, 6)  # an AclBinding's principal, host, operation, permission
_OPERATION = operator.itemgetter(5)
_SECOND = operator.itemgetter(1)


def _neutral(binding: AclBinding) -> bool:
    """An ALLOW WRITE topic binding: write authority judges it, access parity does not."""
    return (
        binding.operation is Operation.WRITE
        and binding.permission is Permission.ALLOW
        and binding.resource_type is ResourceType.TOPIC
    )


def _signature(bindings: Sequence[AclBinding], name: str, *, parity: bool = False) -> Signature:
    """What the authorizer's answers for a resource depend on: the bindings that match it
    (`bindings`, in the authorizer's deterministic order), a LITERAL binding on the resource's
    own name written alike for every resource (by principal, host, operation and permission;
    for `parity`, ALLOW WRITE topic bindings neutralised), any other binding by identity (the
    authorizer holds each binding once). Resources with one signature get the same answer, and
    the same explanations."""
    return tuple(
        (
            _WRITE_GRANT if parity and _neutral(b) else b.principal,
            b.host,
            b.operation,
            b.permission,
        )
        if b.pattern_type is PatternType.LITERAL and b.resource_name == name
        else id(b)
        for b in bindings
    )


def _label(principal: str) -> str:
    return EVERYONE if principal == OTHER_PRINCIPALS else principal


@dataclass
class _Writer:
    """A principal's write access to a family: the topics and the reasons."""

    topics: set[str] = field(default_factory=set)
    why: set[str] = field(default_factory=set)


def _kafka_writers(authorizer: Authorizer, topic: str) -> list[tuple[str, str]]:
    """(principal, why) for every principal that may produce to the topic (DESCRIBE and WRITE)
    from some host; "User:*" stands for every principal."""
    answer = authorizer.access(ResourceType.TOPIC, topic, PRODUCE)
    everyone = _everyone_reason(answer.principals[-1])
    writers = []
    for entry in answer.principals:
        if entry.from_some_host:
            decision = _first_allowed(entry).decisions[-1]  # the WRITE decision
            if everyone is decision.reason and entry.principal != OTHER_PRINCIPALS:
                continue  # "User:*" already says every principal may
            why = _reason_text(decision, "write", topic) + _hosts_text(entry)
            writers.append((_label(entry.principal), why))
    return writers


def write_facts(
    access: RegionAccess,
    family_topics: Mapping[str, Sequence[tuple[str, str]]],
    is_replicator: Callable[[str], bool],
    is_admin: Callable[[str], bool] = lambda _: False,
) -> dict[str, Any]:
    """Who can produce to each family's topics here, by family: `writers` (neither replicators
    nor declared admins), `replicators` and `admins` (principals only).
    `family_topics`: family -> [(logical name, name here)]."""
    found: dict[str, dict[str, _Writer]] = {}
    items = [
        (family, logical, here) for family, ts in family_topics.items() for logical, here in ts
    ]

    if access.acls_apply and items:
        # topics of one signature get one answer (worked out for the first of them); a
        # family's topics of one signature are added together
        # (by a signature's identity: equal ones are one object, and hashing one is slow)
        memo: dict[int, list[tuple[str, str]]] = {}
        alike: dict[tuple[str, int], list[str]] = {}
        signatures = access.signatures(ResourceType.TOPIC, [here for _, _, here in items])
        for (family, logical, here_name), key in zip(items, map(id, signatures), strict=True):
            if key not in memo:
                memo[key] = _kafka_writers(access.authorizer, here_name)
            alike.setdefault((family, key), []).append(logical)
        for (family, key), logicals in alike.items():
            for principal, why in memo[key]:
                writer = found.setdefault(family, {}).setdefault(principal, _Writer())
                writer.topics.update(logicals)
                writer.why.add(why)
    if access.iam_applies and items:
        names = sorted({here for _, _, here in items})
        answers_iam = access.iam.producers(access.cluster, names)
        writers_iam: dict[tuple[str, str], _Writer] = {}
        for family, logical, here in items:
            for principal, _ in answers_iam[here]:
                known = writers_iam.get((family, principal))
                if known is None:  # the statement that allows the family's first topic
                    allowed_by = access.iam.authorize(
                        principal, WRITE_DATA, access.cluster.topic_arn(here)
                    )
                    known = found.setdefault(family, {}).setdefault(principal, _Writer())
                    known.why.add("IAM " + allowed_by.explain().removeprefix("allowed by "))
                    writers_iam[family, principal] = known
                known.topics.add(logical)
    writers: dict[str, list[dict[str, Any]]] = {}
    replicators: dict[str, list[str]] = {}
    admins: dict[str, list[str]] = {}
    for family, principals in sorted(found.items()):
        every = {logical for logical, _ in family_topics[family]}
        for principal, writer in sorted(principals.items()):
            if is_replicator(principal):
                replicators.setdefault(family, []).append(principal)
                continue
            if is_admin(principal):
                admins.setdefault(family, []).append(principal)
                continue
            writers.setdefault(family, []).append(
                {
                    "principal": principal,
                    "topics": sorted(writer.topics),
                    "every_topic": writer.topics == every,
                    "why": sorted(writer.why),
                }
            )
    return {"writers": writers, "replicators": replicators, "admins": admins}


# ---------------------------------------------------------------------------------------------
# access parity


@dataclass(frozen=True)
class Probe:
    """One resource compared in both regions: its logical name and its name in each region."""

    name: str
    primary: str
    secondary: str


@dataclass
class _Extra:
    """Access one region grants and the other does not: the names probed and why."""

    names: set[str] = field(default_factory=set)
    why: set[str] = field(default_factory=set)


_Key = tuple[str, str, str, str, bool]  # principal, host, resource type, operation, broad


def _lookup(answer: ResourceAccess) -> dict[str, dict[str, HostAccess]]:
    return {p.principal: {h.host: h for h in p.hosts} for p in answer.principals}


def _allowed_there(
    other: Mapping[str, Mapping[str, HostAccess]], principal: str, host: str, index: int
) -> bool:
    """The other region's answer for a principal and (canonical) host, falling back to its
    "any other principal" and "any other host" classes as the broker would."""
    hosts = other.get(principal) or other[OTHER_PRINCIPALS]
    entry = hosts.get(host) or hosts[OTHER_HOSTS]
    return entry.decisions[index].allowed


def _broad_binding(binding: AclBinding | None) -> bool:
    return binding is not None and (
        binding.principal == WILDCARD_PRINCIPAL
        or (binding.pattern_type is PatternType.LITERAL and binding.resource_name == WILDCARD)
        or binding.operation is Operation.ALL
    )


def _kafka_operations(
    accesses: Sequence[RegionAccess], resource_type: ResourceType
) -> tuple[Operation, ...]:
    named: set[Operation] = set()
    for access in accesses:
        operations = access.authorizer.operations(resource_type)
        if Operation.ALL in operations:
            operations.discard(Operation.ALL)
            named.update(_OPERATIONS.get(resource_type, ()))
        named |= operations
    named |= {_IMPLIED[op] for op in named if op in _IMPLIED}
    if resource_type is ResourceType.TOPIC:
        named.discard(Operation.WRITE)  # write authority judges who may write topics
    valid = _OPERATIONS.get(resource_type, ())
    return tuple(op for op in valid if op in named)


_Found = list[tuple[int, _Key, str]]  # (side: 0 primary, 1 secondary, key, why)


def _kafka_side(
    here: RegionAccess,
    there: RegionAccess,
    resource_type: ResourceType,
    probes: Sequence[Probe],
    operations: Sequence[Operation],
    skip: Callable[[str], bool],
) -> tuple[dict[_Key, _Extra], dict[_Key, _Extra]]:
    """(allowed only in the primary, allowed only in the secondary) for Kafka ACL principals.
    Probes whose matching bindings have the same signatures share one comparison."""
    only: tuple[dict[_Key, _Extra], dict[_Key, _Extra]] = ({}, {})
    # probes by their pair of signatures: the first probe of each pair is compared, and the
    # differences found hold for the names of all of them
    # (by the signatures' identities: equal ones are one object, and hashing one is slow)
    alike: dict[tuple[int, int], tuple[Probe, list[str]]] = {}
    primary = here.signatures(resource_type, [p.primary for p in probes], parity=True)
    secondary = there.signatures(resource_type, [p.secondary for p in probes], parity=True)
    pairs = zip(map(id, primary), map(id, secondary), strict=True)
    for probe, pair in zip(probes, pairs, strict=True):
        group = alike.get(pair)
        if group is None:
            alike[pair] = (probe, [probe.name])
        else:
            group[1].append(probe.name)
    # each side's table once per signature there (many pairs share the primary's): a table
    # holds its name's own LITERAL bindings as `via`, so its reasons are read with that name
    tables: tuple[dict[int, tuple[_Table, str]], dict[int, tuple[_Table, str]]] = ({}, {})
    regions = (here, there)
    for (first, second), (probe, names) in alike.items():
        found = []
        for side, signature, name in ((0, first, probe.primary), (1, second, probe.secondary)):
            known = tables[side].get(signature)
            if known is None:
                region = regions[side]
                matching = region.parity_bindings(resource_type, name)
                table = _table(region, matching, resource_type, name, operations)
                known = tables[side][signature] = (table, name)
            found.append(known)
        differences = _differences(
            (found[0][0], found[1][0]),
            (found[0][1], found[1][1]),
            resource_type,
            operations,
            skip,
        )
        for side, key, why in differences:
            extra = only[side].setdefault(key, _Extra())
            extra.names.update(names)
            extra.why.add(why)
    return only


_Table = dict[str, dict[str, HostAccess]]  # principal -> canonical host -> the answer


def _table(
    region: RegionAccess,
    matching: list[AclBinding],
    resource_type: ResourceType,
    name: str,
    operations: Sequence[Operation],
) -> _Table:
    """Who may do what to a resource in a region, by principal and canonical host, from the
    bindings that match it there (an authorizer over those alone answers as the region's
    would)."""
    answer = Authorizer.from_settings(matching, region.settings).access(
        resource_type, name, operations
    )
    return {p: {region.host(h): x for h, x in hs.items()} for p, hs in _lookup(answer).items()}


def _differences(
    tables: tuple[_Table, _Table],
    names: tuple[str, str],
    resource_type: ResourceType,
    operations: Sequence[Operation],
    skip: Callable[[str], bool],
) -> _Found:
    """What each side's table allows that the other's does not; `names`: the names the tables
    were worked out for (a LITERAL binding on its own name reads alike for every name)."""
    found: _Found = []
    for side in (0, 1):
        table, other = tables[side], tables[1 - side]
        for principal, hosts in table.items():
            if principal == _WRITE_GRANT or skip(principal):
                continue
            for host, entry in hosts.items():
                for index, operation in enumerate(operations):
                    decision = entry.decisions[index]
                    if not decision.allowed or decision.reason in _SETTING_REASONS:
                        continue
                    if _allowed_there(other, principal, host, index):
                        continue
                    broad = principal == OTHER_PRINCIPALS or _broad_binding(decision.via)
                    key = (_label(principal), host, resource_type.value, operation.value, broad)
                    why = _reason_text(decision, operation.value.lower(), names[side])
                    found.append((side, key, why))
    return found


def _iam_broad(statement: Statement | None) -> bool:
    if statement is None:
        return False
    if any(a.lower() in ("*", "kafka-cluster:*") for a in statement.actions):
        return True
    for resource in statement.resources:
        if resource == "*":
            return True
        tail = resource.split(":", 5)[-1]
        parts = tail.split("/")
        if tail == "*" or (len(parts) >= 4 and parts[3] == "*"):
            return True
    return False


def _iam_arn(access: RegionAccess, resource_type: ResourceType, name: str) -> str:
    if resource_type is ResourceType.CLUSTER:
        return access.cluster.arn
    cluster = access.cluster
    where = f"arn:{cluster.partition}:kafka:{cluster.region}:{cluster.account}"
    return f"{where}:{_ARN_KIND[resource_type]}/{cluster.name}/{cluster.uuid}/{name}"


def _iam_side(
    here: RegionAccess,
    there: RegionAccess,
    probes_by_type: Mapping[ResourceType, Sequence[Probe]],
    skip: Callable[[str], bool],
) -> tuple[dict[_Key, _Extra], dict[_Key, _Extra]]:
    only: tuple[dict[_Key, _Extra], dict[_Key, _Extra]] = ({}, {})
    regions = (here, there)
    compared = sorted(p for p in {*here.statements, *there.statements} if not skip(p))
    policies = [
        IamPolicySet({p: region.statements.get(p, ()) for p in compared}) for region in regions
    ]
    statements = [s for region in regions for p in compared for s in region.statements.get(p, ())]
    for action, (kind, _) in IAM_ACTIONS.items():
        if action == WRITE_DATA:
            continue  # write authority judges who may write topics
        if not any(statement.covers_action(action) for statement in statements):
            continue
        resource_type = _IAM_KIND[kind]
        probes = (
            [Probe(CLUSTER_PROBE, CLUSTER_PROBE, CLUSTER_PROBE)]
            if resource_type is ResourceType.CLUSTER
            else probes_by_type.get(resource_type, ())
        )
        if not probes:
            continue
        arns = [
            [_iam_arn(here, resource_type, p.primary) for p in probes],
            [_iam_arn(there, resource_type, p.secondary) for p in probes],
        ]
        answers = [policies[i].who_can_many(action, arns[i]) for i in (0, 1)]
        for side in (0, 1):
            other = 1 - side
            for index, probe in enumerate(probes):
                allowed = {p for p, _ in answers[side][arns[side][index]]}
                allowed_there = {p for p, _ in answers[other][arns[other][index]]}
                for principal in sorted(allowed - allowed_there):
                    decision: IamDecision = policies[side].authorize(
                        principal, action, arns[side][index]
                    )
                    broad = _iam_broad(decision.via)
                    key = (principal, OTHER_HOSTS, resource_type.value, action, broad)
                    extra = only[side].setdefault(key, _Extra())
                    extra.names.add(probe.name)
                    extra.why.add("IAM " + decision.explain().removeprefix("allowed by "))
    return only


CLUSTER_PROBE = "kafka-cluster"


def _summary(
    resource_type: str, names: set[str], families: Sequence[tuple[str, frozenset[str]]]
) -> str:
    """How a finding names the resources: whole families of topics, then names (a few).
    `families`: (family, its topics) sorted by family, topic-less families left out."""
    if resource_type == "CLUSTER":
        return "the cluster"
    parts: list[str] = []
    left = set(names)
    if resource_type == "TOPIC":
        for family, topics in families:
            if topics <= left:
                parts.append(f"every topic of family {family}")
                left -= topics
    listed = sorted(left)
    word = _WORDS.get(resource_type, resource_type.lower().replace("_", " "))
    if listed:
        shown = ", ".join(listed[:_SUMMARY_LIMIT])
        more = f" and {len(listed) - _SUMMARY_LIMIT} more" if len(listed) > _SUMMARY_LIMIT else ""
        plural = "s" if len(listed) > 1 else ""
        parts.append(f"{word}{plural} {shown}{more}")
    return " and ".join(parts)


def parity_facts(
    primary: RegionAccess,
    secondary: RegionAccess,
    probes: Mapping[ResourceType, Sequence[Probe]],
    families: Mapping[str, Sequence[str]],
    is_replicator: Callable[[str], bool],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What only the primary allows and what only the secondary allows.

    Kafka ACLs are compared where they authorise clients in both regions, IAM where it does;
    differences that come from the broker's settings (no authorizer, super users,
    allow.everyone.if.no.acl.found) are the authorizer parity rule's, not listed here."""
    only: tuple[dict[_Key, _Extra], dict[_Key, _Extra]] = ({}, {})
    if primary.acls_apply and secondary.acls_apply:
        for resource_type, resource_probes in probes.items():
            operations = _kafka_operations((primary, secondary), resource_type)
            if not operations or not resource_probes:
                continue
            sides = _kafka_side(
                primary, secondary, resource_type, resource_probes, operations, is_replicator
            )
            for side in (0, 1):
                _merge(only[side], sides[side])
    if primary.iam_applies and secondary.iam_applies:
        sides = _iam_side(primary, secondary, probes, is_replicator)
        for side in (0, 1):
            _merge(only[side], sides[side])
    return _records(only[0], families), _records(only[1], families)


def _merge(into: dict[_Key, _Extra], found: Mapping[_Key, _Extra]) -> None:
    for key, extra in found.items():
        target = into.setdefault(key, _Extra())
        target.names |= extra.names
        target.why |= extra.why


def _records(
    found: Mapping[_Key, _Extra], families: Mapping[str, Sequence[str]]
) -> list[dict[str, Any]]:
    """One record per principal, host, resource type and set of names: the operations allowed
    on exactly those names are listed together."""
    family_sets = [(f, frozenset(topics)) for f, topics in sorted(families.items()) if topics]
    grouped: dict[tuple[str, str, str, bool, tuple[str, ...]], tuple[list[str], set[str]]] = {}
    for (principal, host, resource_type, operation, broad), extra in sorted(found.items()):
        key = (principal, host, resource_type, broad, tuple(sorted(extra.names)))
        operations, why = grouped.setdefault(key, ([], set()))
        operations.append(operation)
        why |= extra.why
    return [
        {
            "principal": principal,
            "host": host,
            "resource_type": resource_type,
            "operations": operations,
            "broad": broad,
            "names": list(names),
            "summary": _summary(resource_type, set(names), family_sets),
            "why": sorted(why),
        }
        for (principal, host, resource_type, broad, names), (operations, why) in sorted(
            grouped.items()
        )
    ]


def name_probes(
    accesses: Sequence[RegionAccess], groups: Iterable[str]
) -> dict[ResourceType, list[Probe]]:
    """Group, transactional-id and other non-topic names to compare: the names Kafka bindings
    and IAM resources name in either region, and the consumer groups either region reports."""
    names: dict[ResourceType, set[str]] = {
        ResourceType.GROUP: set(groups),
        ResourceType.TRANSACTIONAL_ID: set(),
    }
    for access in accesses:
        for named in access.authorizer.resource_types():
            if named not in (ResourceType.TOPIC, ResourceType.CLUSTER):
                bindings = access.authorizer.bindings(named)
                names.setdefault(named, set()).update(b.resource_name for b in bindings)
        for statement in (s for found in access.statements.values() for s in found):
            for resource in statement.resources:
                for resource_type, kind in _ARN_KIND.items():
                    if resource_type is ResourceType.TOPIC:
                        continue
                    name = _iam_name(resource, kind)
                    if name is not None:
                        names[resource_type].add(name)
    probes = {
        resource_type: [Probe(n, n, n) for n in sorted(found) if n]
        for resource_type, found in names.items()
    }
    probes[ResourceType.CLUSTER] = [Probe(CLUSTER_PROBE, CLUSTER_PROBE, CLUSTER_PROBE)]
    return probes


def _iam_name(resource: str, kind: str) -> str | None:
    """A name an IAM resource pattern for `kind` covers (its wildcards dropped), or None."""
    marker = f":{kind}/"
    if marker not in resource:
        return None
    parts = resource.split(marker, 1)[1].split("/", 2)
    if len(parts) < 3:
        return None
    name = parts[2].replace("?", "_")
    return name if name == "*" else name.replace("*", "")


def granted_only_probes(
    accesses: Mapping[str, RegionAccess],
    existing: Sequence[str],
    compared: Callable[[str], bool],
    logical_of: Callable[[str, str], str],
) -> list[Probe]:
    """Topic names grants name that no existing topic answers for: a LITERAL name no topic has,
    a PREFIXED prefix no topic starts with (a grant for topics still to come). Each region is
    asked under its own binding's name, the other under the logical name. `existing`: the
    logical topic names, sorted."""
    found: dict[str, dict[str, str]] = {}
    known = set(existing)
    for role, access in accesses.items():
        # each distinct pattern once, in the bindings' order (a later name of one logical
        # name is the one kept, as when every binding was asked)
        for pattern_type, name in access.authorizer.patterns(ResourceType.TOPIC):
            if name == WILDCARD or (pattern_type is PatternType.LITERAL and name in known):
                continue  # the common case, answered without renaming
            logical = logical_of(role, name)
            start = bisect.bisect_left(existing, logical)
            nearest = existing[start] if start < len(existing) else None
            if nearest is not None and (
                nearest.startswith(logical)
                if pattern_type is PatternType.PREFIXED
                else nearest == logical
            ):
                continue  # an existing topic answers for it
            if compared(logical):
                found.setdefault(logical, {})[role] = name
    return [
        Probe(logical, here.get("primary", logical), here.get("secondary", logical))
        for logical, here in sorted(found.items())
    ]


# ---------------------------------------------------------------------------------------------
# transactional producers, authorizer settings, SCRAM users, consumer groups


def is_iam_principal(principal: str) -> bool:
    return principal.startswith(("iam:", "arn:", "sts:"))


def transactional_facts(
    access: RegionAccess, producers: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """For each producer of a transactional family: can it use transactions here, and what it
    lacks. Kafka: DESCRIBE and WRITE on some transactional id (InitProducerId with a
    transactional id needs nothing on the cluster). IAM: WriteDataIdempotently on the cluster,
    DescribeTransactionalId and AlterTransactionalId on some transactional id."""
    kafka_ids = sorted(
        {
            b.resource_name
            for b in access.authorizer.bindings(ResourceType.TRANSACTIONAL_ID)
            if b.permission is Permission.ALLOW
        }
    )
    facts: dict[str, dict[str, Any]] = {}
    for producer in sorted(set(producers)):
        if is_iam_principal(producer):
            missing = _iam_transactional(access, producer, kafka_ids)
        else:
            missing = _kafka_transactional(access, producer, kafka_ids)
        facts[producer] = {"allowed": not missing, "missing": missing}
    return facts


def _kafka_transactional(access: RegionAccess, producer: str, ids: Sequence[str]) -> list[str]:
    if not access.acls_apply:
        return ["a Kafka ACL principal cannot connect: the cluster authenticates with IAM only"]
    wanted = (Operation.DESCRIBE, Operation.WRITE)
    best: list[str] | None = None
    for name in ids or ["transactional-id"]:
        denied = [
            f"{operation} on TRANSACTIONAL_ID"
            for operation in wanted
            if not access.authorizer.authorize(
                producer, "", operation, ResourceType.TRANSACTIONAL_ID, name
            ).allowed
        ]
        if not denied:
            return []
        if best is None or len(denied) < len(best):
            best = denied
    return best or []


def _iam_transactional(access: RegionAccess, producer: str, kafka_ids: Sequence[str]) -> list[str]:
    if not access.iam_applies:
        return ["IAM principals cannot connect (the cluster does not use IAM authentication)"]
    missing = []
    if not access.iam.authorize(producer, WRITE_DATA_IDEMPOTENTLY, access.cluster.arn).allowed:
        missing.append(WRITE_DATA_IDEMPOTENTLY)
    ids = set(kafka_ids)
    for statement in access.statements.get(producer, ()):
        for resource in statement.resources:
            if resource == "*":
                ids.add("*")
            name = _iam_name(resource, "transactional-id")
            if name is not None:
                ids.add(name)
    best: list[str] | None = None
    for name in sorted(ids) or ["transactional-id"]:
        arn = access.cluster.transactional_id_arn(name)
        denied = [
            action
            for action in (DESCRIBE_TRANSACTIONAL_ID, ALTER_TRANSACTIONAL_ID)
            if not access.iam.authorize(producer, action, arn).allowed
        ]
        if best is None or len(denied) < len(best):
            best = denied
        if not denied:
            break
    return missing + (best or [])


def authorizer_facts(access: RegionAccess) -> dict[str, Any]:
    settings = access.settings
    return {
        "kind": access.kind,
        "acls_apply": access.acls_apply,
        "iam_applies": access.iam_applies,
        "enabled": settings.enabled,
        "authorizer_class": settings.authorizer_class,
        "allow_everyone_if_no_acl_found": settings.allow_everyone_if_no_acl_found,
        "super_users": sorted(settings.super_users),
    }


def scram_users(
    doc: Mapping[str, Any], canon: Canon, is_replicator: Callable[[str], bool]
) -> list[str]:
    """The SCRAM users as canonical principals (`User:<name>`), replicators left out."""
    users = doc.get("authentication", {}).get("scram_users", [])
    principals = {canon.text(f"User:{u}") for u in users}
    return sorted(p for p in principals if not is_replicator(p))


def active_groups(groups: Mapping[str, Mapping[str, Any]]) -> dict[str, list[str]]:
    """Family -> consumer groups active here (normalised records), replication tools' apart."""
    found: dict[str, list[str]] = {}
    for group_id, group in sorted(groups.items()):
        if not group.get("active") or TOOL_GROUP.match(group_id):
            continue
        for family in group.get("families", []):
            found.setdefault(family, []).append(group_id)
    return found


# ---------------------------------------------------------------------------------------------
# the facts of both regions


def estate_facts(
    accesses: Mapping[str, RegionAccess],
    documents: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, Mapping[str, str]],
    topic_families: Mapping[str, str | None],
    compared: Callable[[str], bool],
    groups: Mapping[str, Mapping[str, Mapping[str, Any]]],
    transactional_producers: Iterable[str],
    is_replicator: Callable[[str], bool],
    is_admin: Callable[[str], bool] = lambda _: False,
    logical_of: Callable[[str, str], str] = lambda _, name: name,
) -> dict[str, dict[str, Any]]:
    """The access facts of each region (role -> facts), for normalisation to merge.

    `names`: role -> logical topic name -> its name in that region; `topic_families`: logical
    topic name -> family (None: no family); `compared(topic)`: whether a logical topic takes
    part in access parity; `groups`: role -> normalised consumer groups; `logical_of(role,
    name)`: a topic name of a region without its replication prefix."""
    by_family: dict[str, list[str]] = {}
    for topic, family in sorted(topic_families.items()):
        if family:
            by_family.setdefault(family, []).append(topic)
    producers = sorted(set(transactional_producers))
    facts: dict[str, dict[str, Any]] = {}
    for role, access in accesses.items():
        here = names[role]
        copies: dict[str, list[str]] = {}
        for name in sorted(documents[role].get("topics", {})):
            copies.setdefault(logical_of(role, name), []).append(name)
        family_topics = {
            family: [(t, name) for t in topics for name in copies.get(t, [here.get(t, t)])]
            for family, topics in by_family.items()
        }
        facts[role] = {
            **write_facts(access, family_topics, is_replicator, is_admin),
            "transactional": transactional_facts(access, producers),
            "authorizer": authorizer_facts(access),
            "scram_users": scram_users(documents[role], access.canon, is_replicator),
            "active_groups": active_groups(groups[role]),
        }
    primary, secondary = accesses["primary"], accesses["secondary"]
    topics = [t for t in sorted(topic_families) if compared(t)]
    kept = set(topics)
    probes = name_probes(
        (primary, secondary), {g for role_groups in groups.values() for g in role_groups}
    )
    probes[ResourceType.TOPIC] = [
        Probe(t, names["primary"].get(t, t), names["secondary"].get(t, t)) for t in topics
    ] + granted_only_probes(accesses, sorted(topic_families), compared, logical_of)
    compared_families = {
        family: [t for t in family_topics if t in kept]
        for family, family_topics in by_family.items()
    }
    only_primary, only_secondary = parity_facts(
        primary, secondary, probes, compared_families, is_replicator
    )
    facts["primary"]["access_only_here"] = only_primary
    facts["secondary"]["access_only_here"] = only_secondary
    return facts
