"""Kafka ACLs evaluated as the broker's StandardAuthorizer (KRaft, Kafka 4.x) evaluates them.

The rules, from apache/kafka `metadata/src/main/java/org/apache/kafka/metadata/authorizer/
StandardAuthorizerData.java` (4.1) and the default `Authorizer.authorizeByResourceType`:

- A broker without `authorizer.class.name` authorises everything.
- A super user (`super.users`: `;`-separated principals, compared as text) may do anything.
- The bindings that *match a resource* are, for its resource type: LITERAL ones with its exact
  name, PREFIXED ones whose name is a prefix of it (or equal to it) and LITERAL `*` ones.
- Of those, a binding *applies* to a request when its principal is the caller's or `User:*`,
  its host is `*` or the caller's IP address as Java prints it (hosts are compared as text:
  names such as `localhost` never match), and its operation is ALL or the requested one. An
  ALLOW for READ, WRITE, DELETE or ALTER also grants DESCRIBE, an ALLOW for ALTER_CONFIGS also
  grants DESCRIBE_CONFIGS; a DENY denies its own operation only (or everything, for ALL).
- Any applicable DENY denies. Otherwise any applicable ALLOW allows. Otherwise, if *no* binding
  at all matches the resource (whatever its principal, host or operation),
  `allow.everyone.if.no.acl.found` decides; otherwise the request is denied.

So a DENY scoped to one host or one topic takes away only that host or topic, and
`allow.everyone.if.no.acl.found=true` opens only resources that no binding names.

`Authorizer` answers one request (`authorize`), "any resource of a type" as the broker does for
idempotent producers (`authorize_any`), what a producer or consumer needs (`can_produce`,
`can_consume`), and who may do something to a resource, by principal and host (`access`,
`access_many`), using an index by resource type, literal name and prefix, so that a resource
costs the bindings that match it, not every binding.
"""

from __future__ import annotations

import ipaddress
import itertools
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from ..errors import InputError
from .access import ClientAccess, Need

WILDCARD = "*"
WILDCARD_PRINCIPAL = "User:*"
CLUSTER_NAME = "kafka-cluster"
OTHER_PRINCIPALS = "User:*"
"""In `access` answers: every principal that is not listed by name."""
OTHER_HOSTS = "*"
"""In `access` answers: every client address that is not listed."""
_OTHER_PRINCIPAL = "\x00other-principal"  # evaluates as a principal no binding names
_OTHER_HOST = "\x00other-host"  # evaluates as an address no binding names
_PROBE_NAME = "hardcode"  # the name Kafka's authorizeByResourceType probes first


class Permission(StrEnum):
    ALLOW = "ALLOW"
    DENY = "DENY"


class PatternType(StrEnum):
    LITERAL = "LITERAL"
    PREFIXED = "PREFIXED"


class ResourceType(StrEnum):
    TOPIC = "TOPIC"
    GROUP = "GROUP"
    CLUSTER = "CLUSTER"
    TRANSACTIONAL_ID = "TRANSACTIONAL_ID"
    DELEGATION_TOKEN = "DELEGATION_TOKEN"
    USER = "USER"


class Operation(StrEnum):
    ALL = "ALL"
    READ = "READ"
    WRITE = "WRITE"
    CREATE = "CREATE"
    DELETE = "DELETE"
    ALTER = "ALTER"
    DESCRIBE = "DESCRIBE"
    CLUSTER_ACTION = "CLUSTER_ACTION"
    DESCRIBE_CONFIGS = "DESCRIBE_CONFIGS"
    ALTER_CONFIGS = "ALTER_CONFIGS"
    IDEMPOTENT_WRITE = "IDEMPOTENT_WRITE"
    CREATE_TOKENS = "CREATE_TOKENS"
    DESCRIBE_TOKENS = "DESCRIBE_TOKENS"
    TWO_PHASE_COMMIT = "TWO_PHASE_COMMIT"


# An ALLOW binding for any of these operations grants the key operation too.
_GRANTED_BY_ALLOW: Mapping[Operation, frozenset[Operation]] = {
    Operation.DESCRIBE: frozenset(
        {Operation.DESCRIBE, Operation.READ, Operation.WRITE, Operation.DELETE, Operation.ALTER}
    ),
    Operation.DESCRIBE_CONFIGS: frozenset({Operation.DESCRIBE_CONFIGS, Operation.ALTER_CONFIGS}),
}

PRODUCE: tuple[Operation, ...] = (Operation.DESCRIBE, Operation.WRITE)
"""What a (non-transactional) producer needs on a topic: metadata, then Produce."""
CONSUME: tuple[Operation, ...] = (Operation.DESCRIBE, Operation.READ)
"""What a consumer needs on a topic: metadata and offsets, then Fetch."""


class AclBinding(NamedTuple):
    """One ACL binding, as `kafka-acls.sh` and the Admin API create it (a NamedTuple: large
    estates hold hundreds of thousands)."""

    resource_type: ResourceType
    pattern_type: PatternType
    resource_name: str
    principal: str
    host: str
    operation: Operation
    permission: Permission

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> AclBinding:
        """A binding from a snapshot's ACL record (keys as in snapshot.v1 `acl`)."""
        try:
            return acl(
                str(record["principal"]),
                str(record["permission"]),
                str(record["operation"]),
                str(record["resource_type"]),
                str(record["resource_name"]),
                pattern_type=str(record["pattern_type"]),
                host=str(record.get("host", WILDCARD)),
            )
        except KeyError as exc:
            raise InputError(f"ACL binding without {exc.args[0]}") from None

    def __str__(self) -> str:
        return (
            f"{self.permission} {self.principal} {self.operation} on {self.resource_type} "
            f"{self.pattern_type} {self.resource_name!r} from host {self.host}"
        )


def acl(
    principal: str,
    permission: str,
    operation: str,
    resource_type: str,
    resource_name: str,
    *,
    pattern_type: str = "LITERAL",
    host: str = WILDCARD,
) -> AclBinding:
    """A binding from plain strings, validated as the broker validates new ACLs (AclApis,
    AclControlManager.validateNewAcl)."""
    try:
        binding = AclBinding(
            resource_type=ResourceType(resource_type),
            pattern_type=PatternType(pattern_type),
            resource_name=resource_name,
            principal=principal,
            host=host,
            operation=Operation(operation),
            permission=Permission(permission),
        )
    except ValueError as exc:
        raise InputError(f"ACL binding for {principal}: {exc}") from None
    if not resource_name:
        raise InputError(f"ACL binding for {principal}: the resource name is empty")
    if ":" not in principal:
        raise InputError(f"ACL principal {principal!r} has no type (expected e.g. User:name)")
    if binding.resource_type is ResourceType.CLUSTER and resource_name != CLUSTER_NAME:
        raise InputError(f"ACL binding for {principal}: a CLUSTER resource is named {CLUSTER_NAME}")
    return binding


def java_host_address(address: str) -> str | None:
    """The text Java's `InetAddress.getHostAddress()` gives for an IP address, or None.

    The broker compares ACL hosts with this text: IPv4 in dotted decimal, IPv6 with every group
    written out and no `::` (`0:0:0:0:0:0:0:1`), IPv4-mapped IPv6 as IPv4. An ACL host that is
    not already in this form (a host name, `::1`) never matches a client."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return ":".join(f"{int(group, 16):x}" for group in parsed.exploded.split(":"))
    return str(parsed)


@lru_cache(maxsize=4096)
def _reachable(host: str) -> bool:
    """Can a client ever present this ACL host? (`*`, or an address in Java's spelling.)"""
    return host == WILDCARD or java_host_address(host) == host


class Reason(StrEnum):
    NO_AUTHORIZER = "no-authorizer"
    SUPER_USER = "super-user"
    DENY_ACL = "deny-acl"
    ALLOW_ACL = "allow-acl"
    NO_ACL_ALLOW_EVERYONE = "no-acl-allow-everyone"
    NO_ACL = "no-acl"
    NO_ALLOW = "no-allow"


_EXPLANATIONS: Mapping[Reason, str] = {
    Reason.NO_AUTHORIZER: "allowed: the broker has no authorizer",
    Reason.SUPER_USER: "allowed: a super user",
    Reason.DENY_ACL: "denied by {via}",
    Reason.ALLOW_ACL: "allowed by {via}",
    Reason.NO_ACL_ALLOW_EVERYONE: (
        "allowed: no ACL matches the resource and allow.everyone.if.no.acl.found=true"
    ),
    Reason.NO_ACL: "denied: no ACL matches the resource (allow.everyone.if.no.acl.found=false)",
    Reason.NO_ALLOW: "denied: ACLs match the resource but none allows this",
}


@dataclass(frozen=True, slots=True)
class AclDecision:
    """The authorizer's answer, why, and the binding that decided it (if one did)."""

    allowed: bool
    reason: Reason
    via: AclBinding | None = None

    def explain(self) -> str:
        return _EXPLANATIONS[self.reason].format(via=self.via)


@dataclass(frozen=True, slots=True)
class AuthorizerSettings:
    """The broker settings the authorizer reads."""

    enabled: bool = True
    super_users: frozenset[str] = frozenset()
    allow_everyone_if_no_acl_found: bool = False
    authorizer_class: str = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"

    @classmethod
    def from_broker_config(cls, config: Mapping[str, Any]) -> AuthorizerSettings:
        """From broker properties (`authorizer.class.name`, `super.users`, ...).

        No or an empty `authorizer.class.name` means no authorizer. `super.users` is split on
        `;` and trimmed; `allow.everyone.if.no.acl.found` is true only when it says "true" in
        any case, as Java's Boolean.parseBoolean reads it."""
        authorizer_class = str(config.get("authorizer.class.name") or "").strip()
        super_users = str(config.get("super.users") or "")
        allow_everyone = str(config.get("allow.everyone.if.no.acl.found") or "")
        return cls(
            enabled=bool(authorizer_class),
            super_users=frozenset(u.strip() for u in super_users.split(";") if u.strip()),
            allow_everyone_if_no_acl_found=allow_everyone.strip().lower() == "true",
            authorizer_class=authorizer_class,
        )


def _granted(permission: Permission, operation: Operation) -> frozenset[Operation]:
    """The operations a binding covers (StandardAuthorizerData.findResult): ALL covers every
    one; an ALLOW also covers the operations its own implies; a DENY only its own."""
    if operation is Operation.ALL:
        return frozenset(Operation)
    covered: set[Operation] = {operation}
    if permission is Permission.ALLOW:
        covered |= {implied for implied, by in _GRANTED_BY_ALLOW.items() if operation in by}
    return frozenset(covered)


# (permission, operation) of a binding -> the requested operations it covers; precomputed
# because it is asked once per candidate binding per question
_COVERS: Mapping[tuple[Permission, Operation], frozenset[Operation]] = {
    (permission, operation): _granted(permission, operation)
    for permission in Permission
    for operation in Operation
}
_DENY = Permission.DENY
_RESOURCE_TYPE = operator.itemgetter(0)  # of an AclBinding
_PATTERN_AND_NAME = operator.itemgetter(1, 2)
_FIRST = operator.itemgetter(0)
_OPERATION = operator.itemgetter(5)


class _Section:
    """The bindings of one resource type, indexed by how they match a resource name."""

    __slots__ = ("all", "lengths", "literal", "prefixed", "wildcard")

    def __init__(self) -> None:
        self.all: list[AclBinding] = []
        self.literal: dict[str, list[AclBinding]] = {}
        self.prefixed: dict[str, list[AclBinding]] = {}
        self.wildcard: list[AclBinding] = []
        self.lengths: tuple[int, ...] = ()

    def fill(self, bindings: list[AclBinding]) -> None:
        """Index `bindings`, sorted, of this section's resource type: the bindings of one pattern
        type and name are one run, indexed at once (500k bindings: one step per name, not per
        binding)."""
        self.all = bindings
        for (pattern_type, name), run in itertools.groupby(bindings, _PATTERN_AND_NAME):
            if pattern_type == PatternType.PREFIXED:
                self.prefixed[name] = list(run)
            elif name == WILDCARD:
                self.wildcard = list(run)
            else:
                self.literal[name] = list(run)

    def seal(self) -> None:
        """Prefix lengths, longest first: a name is checked against each length once."""
        self.lengths = tuple(sorted({len(p) for p in self.prefixed}, reverse=True))

    def prefixes_of(self, name: str) -> tuple[str, ...]:
        size = len(name)
        prefixed = self.prefixed
        return tuple(
            name[:length] for length in self.lengths if length <= size and name[:length] in prefixed
        )

    def matching(self, name: str, prefixes: Sequence[str]) -> list[AclBinding]:
        found = list(self.literal.get(name, ()))
        for prefix in prefixes:
            found.extend(self.prefixed[prefix])
        found.extend(self.wildcard)
        return found


@dataclass(frozen=True, slots=True)
class HostAccess:
    """The answer for one class of client address: an address ACLs name, or OTHER_HOSTS."""

    host: str
    decisions: tuple[AclDecision, ...]  # one per operation asked for, in that order
    allowed: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", all(d.allowed for d in self.decisions))


@dataclass(frozen=True, slots=True)
class PrincipalAccess:
    """The answer for one principal (or OTHER_PRINCIPALS), by client address."""

    principal: str
    hosts: tuple[HostAccess, ...]  # OTHER_HOSTS last
    from_some_host: bool = field(init=False)
    from_every_host: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "from_some_host", any(h.allowed for h in self.hosts))
        object.__setattr__(self, "from_every_host", all(h.allowed for h in self.hosts))

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        return tuple(h.host for h in self.hosts if h.allowed)


@dataclass(frozen=True, slots=True)
class ResourceAccess:
    """Who may perform every one of `operations` on one resource, by principal and host.

    Principals are those the matching bindings name, the super users, and any the caller asked
    about; OTHER_PRINCIPALS stands for everyone else. Hosts are the addresses the applicable
    bindings name; OTHER_HOSTS stands for every other address."""

    resource_type: ResourceType
    resource_name: str
    operations: tuple[Operation, ...]
    principals: tuple[PrincipalAccess, ...]  # OTHER_PRINCIPALS last

    def allowed_principals(self, *, from_every_host: bool = False) -> tuple[str, ...]:
        """The principals allowed from some (or every) host; OTHER_PRINCIPALS means everyone."""
        return tuple(
            p.principal
            for p in self.principals
            if (p.from_every_host if from_every_host else p.from_some_host)
        )

    @property
    def everyone(self) -> bool:
        """Is a principal no binding names allowed (from some host)?"""
        return self.principals[-1].from_some_host

    def pairs(self) -> frozenset[tuple[str, str]]:
        """(principal, host) pairs allowed: a canonical form to compare two clusters with."""
        return frozenset(
            (p.principal, h.host) for p in self.principals for h in p.hosts if h.allowed
        )

    def decision(self, principal: str, host: str = OTHER_HOSTS) -> tuple[AclDecision, ...]:
        """The decisions for a principal and host, falling back to the OTHER classes."""
        by_principal = {p.principal: p for p in self.principals}
        entry = by_principal.get(principal, self.principals[-1])
        by_host = {h.host: h for h in entry.hosts}
        return by_host.get(host, entry.hosts[-1]).decisions


class _Shared:
    """What the prefixed and wildcard bindings of one set of matched prefixes answer."""

    __slots__ = ("bindings", "by_principal", "everyone", "principals")

    def __init__(
        self, principals: tuple[PrincipalAccess, ...], bindings: Sequence[AclBinding]
    ) -> None:
        self.principals = principals
        self.bindings = bindings
        self.by_principal: dict[str, list[AclBinding]] = {}
        for binding in bindings:
            self.by_principal.setdefault(binding.principal, []).append(binding)
        self.everyone = self.by_principal.pop(WILDCARD_PRINCIPAL, [])


class Authorizer:
    """StandardAuthorizer over a fixed set of bindings and settings (see the module docstring)."""

    def __init__(
        self,
        bindings: Iterable[AclBinding],
        *,
        super_users: Iterable[str] = (),
        allow_everyone_if_no_acl_found: bool = False,
        enabled: bool = True,
    ) -> None:
        self.enabled = enabled
        self.super_users = frozenset(super_users)
        self.allow_everyone_if_no_acl_found = allow_everyone_if_no_acl_found
        self._sections: dict[ResourceType, _Section] = {}
        # tuples: a C-level sort, a deterministic `via`; sorted in their given order (a set's
        # scrambled order made sorting 500k bindings 4x slower), then deduplicated: the sort is
        # stable, so the first of each run of equal bindings is the first occurrence, the one a
        # set would keep (no hashing of 500k bindings)
        ordered = list(map(_FIRST, itertools.groupby(sorted(bindings))))
        for resource_type, run in itertools.groupby(ordered, _RESOURCE_TYPE):
            section = self._sections[resource_type] = _Section()
            section.fill(list(run))
            section.seal()
        self._default = (
            AclDecision(True, Reason.NO_ACL_ALLOW_EVERYONE)
            if allow_everyone_if_no_acl_found
            else AclDecision(False, Reason.NO_ACL)
        )

    @classmethod
    def from_settings(
        cls, bindings: Iterable[AclBinding], settings: AuthorizerSettings
    ) -> Authorizer:
        return cls(
            bindings,
            super_users=settings.super_users,
            allow_everyone_if_no_acl_found=settings.allow_everyone_if_no_acl_found,
            enabled=settings.enabled,
        )

    @property
    def principals(self) -> frozenset[str]:
        """Every principal a binding names (`User:*` included) and every super user."""
        named = {b.principal for s in self._sections.values() for b in s.all}
        return frozenset(named | self.super_users)

    def bindings(self, resource_type: ResourceType | None = None) -> tuple[AclBinding, ...]:
        sections = (
            list(self._sections.values())
            if resource_type is None
            else [self._sections.get(resource_type, _Section())]
        )
        return tuple(itertools.chain.from_iterable(s.all for s in sections))

    def patterns(self, resource_type: ResourceType) -> list[tuple[PatternType, str]]:
        """The distinct (pattern type, name) of the bindings of a resource type, in the order
        `bindings` first lists them (LITERAL `*` left out)."""
        section = self._sections.get(resource_type)
        if section is None:
            return []
        literal = PatternType.LITERAL, PatternType.PREFIXED
        return [
            *zip(itertools.repeat(literal[0]), section.literal),
            *zip(itertools.repeat(literal[1]), section.prefixed),
        ]

    def resource_types(self) -> list[ResourceType]:
        """The resource types some binding names, in the order `bindings()` lists them."""
        return list(self._sections)

    def matching_parts(
        self, resource_type: ResourceType, resource_name: str
    ) -> tuple[Sequence[AclBinding], list[AclBinding]]:
        """`matching`'s bindings in two parts, in its order: the LITERAL ones on the name
        itself (none for the name `*`: those are the LITERAL `*` ones), then the others."""
        section = self._sections.get(resource_type)
        if section is None:
            return (), []
        others: list[AclBinding] = []
        for prefix in section.prefixes_of(resource_name):
            others.extend(section.prefixed[prefix])
        others.extend(section.wildcard)
        return section.literal.get(resource_name, ()), others

    def literal_many(
        self, resource_type: ResourceType, names: Iterable[str]
    ) -> list[Sequence[AclBinding]]:
        """The LITERAL bindings on each name (`matching_parts`' first part), in the names'
        order, read-only: the index's own lists."""
        section = self._sections.get(resource_type)
        if section is None:
            return [() for _ in names]
        empty: Sequence[AclBinding] = ()
        return list(map(section.literal.get, names, itertools.repeat(empty)))

    def operations(self, resource_type: ResourceType) -> set[Operation]:
        """The operations the bindings of a resource type name (ALL as ALL)."""
        section = self._sections.get(resource_type)
        return set() if section is None else set(map(_OPERATION, section.all))

    def matching_parts_many(
        self, resource_type: ResourceType, names: Iterable[str]
    ) -> tuple[list[Sequence[AclBinding]], list[list[AclBinding]]]:
        """`matching_parts` of each name, as two lists in the names' order: the LITERAL
        bindings on each name, then the others; names that match the same prefixes share one
        list of the others (read-only). Large estates ask for every topic at once."""
        names = list(names)
        section = self._sections.get(resource_type)
        if section is None:
            return [()] * len(names), [[] for _ in names]
        empty: Sequence[AclBinding] = ()
        owns = list(map(section.literal.get, names, itertools.repeat(empty)))
        if not section.lengths:  # no PREFIXED binding: the same others for every name
            return owns, [list(section.wildcard)] * len(names)
        shared: dict[tuple[str, ...], list[AclBinding]] = {}
        others = []
        for prefixes in map(section.prefixes_of, names):
            found = shared.get(prefixes)
            if found is None:
                found = shared[prefixes] = [
                    *itertools.chain.from_iterable(map(section.prefixed.__getitem__, prefixes)),
                    *section.wildcard,
                ]
            others.append(found)
        return owns, others

    def matching(self, resource_type: ResourceType, resource_name: str) -> list[AclBinding]:
        """The bindings that match a resource, whatever their principal, host or operation."""
        section = self._sections.get(resource_type)
        if section is None:
            return []
        return section.matching(resource_name, section.prefixes_of(resource_name))

    def authorize(
        self,
        principal: str,
        host: str,
        operation: Operation,
        resource_type: ResourceType,
        resource_name: str,
    ) -> AclDecision:
        """May `principal`, connecting from `host` (an IP address), do this to this resource?"""
        if not self.enabled:
            return AclDecision(True, Reason.NO_AUTHORIZER)
        if principal in self.super_users:
            return AclDecision(True, Reason.SUPER_USER)
        matching = self.matching(resource_type, resource_name)
        return self._decide(matching, bool(matching), principal, host, operation)

    def _decide(
        self,
        candidates: Sequence[AclBinding],
        resource_has_acls: bool,
        principal: str,
        host: str,
        operation: Operation,
    ) -> AclDecision:
        """The decision from the bindings that match the resource (`candidates` may leave out
        bindings for other principals; `resource_has_acls` says whether any binding matched)."""
        allow: AclBinding | None = None
        for binding in candidates:  # does it apply? (principal, host, operation)
            if (
                (binding.principal == principal or binding.principal == WILDCARD_PRINCIPAL)
                and (binding.host == WILDCARD or binding.host == host)
                and operation in _COVERS[binding.permission, binding.operation]
            ):
                if binding.permission == _DENY:
                    return AclDecision(False, Reason.DENY_ACL, binding)
                if allow is None:
                    allow = binding
        if allow is not None:
            return AclDecision(True, Reason.ALLOW_ACL, allow)
        if not resource_has_acls:
            return self._default
        return AclDecision(False, Reason.NO_ALLOW)

    def authorize_any(
        self, principal: str, host: str, operation: Operation, resource_type: ResourceType
    ) -> AclDecision:
        """May the principal do `operation` on at least one resource of the type?

        Kafka's default `Authorizer.authorizeByResourceType`, which StandardAuthorizer keeps:
        the broker asks it when an idempotent producer without IDEMPOTENT_WRITE on the cluster
        asks for a producer id (WRITE on any topic). It first authorises a resource named
        "hardcode"; then it looks only at bindings naming the principal or `User:*`, the host
        or `*`, and the operation or ALL (no implied operations): a LITERAL `*` DENY denies, a
        LITERAL `*` ALLOW allows, and otherwise an ALLOW allows unless a DENY on the same
        literal name or a PREFIXED DENY on a prefix of its name shadows it."""
        probe = self.authorize(principal, host, operation, resource_type, _PROBE_NAME)
        if probe.allowed:
            return probe
        deny_literal: set[str] = set()
        deny_prefixed: set[str] = set()
        allows: list[AclBinding] = []
        section = self._sections.get(resource_type, _Section())
        for binding in section.all:
            if binding.host != WILDCARD and binding.host != host:
                continue
            if binding.principal != principal and binding.principal != WILDCARD_PRINCIPAL:
                continue
            if binding.operation != operation and binding.operation != Operation.ALL:
                continue
            literal = binding.pattern_type == PatternType.LITERAL
            if binding.permission == Permission.DENY:
                if literal and binding.resource_name == WILDCARD:
                    return AclDecision(False, Reason.DENY_ACL, binding)
                (deny_literal if literal else deny_prefixed).add(binding.resource_name)
            else:
                allows.append(binding)
        wildcard = [
            b for b in allows if b.pattern_type == PatternType.LITERAL and b.resource_name == "*"
        ]
        if wildcard:
            return AclDecision(True, Reason.ALLOW_ACL, wildcard[0])
        for binding in sorted(allows, key=lambda b: b.pattern_type == PatternType.PREFIXED):
            name = binding.resource_name
            if binding.pattern_type == PatternType.LITERAL and name in deny_literal:
                continue
            if any(name[:end] in deny_prefixed for end in range(1, len(name) + 1)):
                continue
            return AclDecision(True, Reason.ALLOW_ACL, binding)
        return AclDecision(False, Reason.NO_ALLOW)

    def can_produce(
        self,
        principal: str,
        host: str,
        topic: str,
        *,
        idempotent: bool = False,
        transactional_id: str | None = None,
    ) -> ClientAccess[AclDecision]:
        """What the broker checks for a producer: DESCRIBE (metadata) and WRITE on the topic;
        a transactional producer DESCRIBE and WRITE on its transactional id; an idempotent one
        IDEMPOTENT_WRITE on the cluster or WRITE on any topic (InitProducerId)."""
        needs = [
            self._need(principal, host, operation, ResourceType.TOPIC, topic)
            for operation in PRODUCE
        ]
        if transactional_id is not None:
            needs += [
                self._need(principal, host, operation, ResourceType.TRANSACTIONAL_ID, tid)
                for operation, tid in (
                    (Operation.DESCRIBE, transactional_id),
                    (Operation.WRITE, transactional_id),
                )
            ]
        elif idempotent:
            cluster = self.authorize(
                principal, host, Operation.IDEMPOTENT_WRITE, ResourceType.CLUSTER, CLUSTER_NAME
            )
            if not cluster.allowed:
                cluster = self.authorize_any(principal, host, Operation.WRITE, ResourceType.TOPIC)
            needs.append(Need("IDEMPOTENT_WRITE on CLUSTER or WRITE on any TOPIC", cluster))
        return ClientAccess(tuple(needs))

    def can_consume(
        self, principal: str, host: str, topic: str, group: str | None = None
    ) -> ClientAccess[AclDecision]:
        """What the broker checks for a consumer: DESCRIBE and READ on the topic; with a group,
        DESCRIBE (find the coordinator) and READ (join, fetch and commit offsets) on it."""
        needs = [
            self._need(principal, host, operation, ResourceType.TOPIC, topic)
            for operation in CONSUME
        ]
        if group is not None:
            needs += [
                self._need(principal, host, operation, ResourceType.GROUP, group)
                for operation in (Operation.DESCRIBE, Operation.READ)
            ]
        return ClientAccess(tuple(needs))

    def _need(
        self,
        principal: str,
        host: str,
        operation: Operation,
        resource_type: ResourceType,
        name: str,
    ) -> Need[AclDecision]:
        decision = self.authorize(principal, host, operation, resource_type, name)
        return Need(f"{operation} on {resource_type} {name}", decision)

    def access(
        self,
        resource_type: ResourceType,
        resource_name: str,
        operations: Sequence[Operation],
        principals: Iterable[str] = (),
    ) -> ResourceAccess:
        """Who may perform every one of `operations` on the resource, from which hosts.

        `principals` are listed even when no binding names them (e.g. the plan's producers)."""
        matching = self.matching(resource_type, resource_name)
        return self._access(resource_type, resource_name, tuple(operations), matching, principals)

    def access_many(
        self,
        resource_type: ResourceType,
        names: Iterable[str],
        operations: Sequence[Operation],
        principals: Iterable[str] = (),
    ) -> Iterator[ResourceAccess]:
        """`access` for many resources, equal to calling it for each.

        The part of the answer that comes from PREFIXED and wildcard bindings is computed once
        per set of matched prefixes and shared; a name's LITERAL bindings then recompute only
        the principals they name. 50k topics under a few hundred prefixes cost about as much
        as their literal bindings."""
        operations = tuple(operations)
        listed = tuple(principals)
        section = self._sections.get(resource_type)
        if section is None:
            for name in names:
                yield self._access(resource_type, name, operations, [], listed)
            return
        memo: dict[tuple[str, ...], _Shared] = {}
        for name in names:
            prefixes = section.prefixes_of(name)
            shared = memo.get(prefixes)
            if shared is None:
                bindings = section.matching("", prefixes)  # the prefixed and wildcard part
                base = self._access(resource_type, name, operations, bindings, listed)
                shared = memo[prefixes] = _Shared(base.principals, bindings)
            literal = section.literal.get(name)
            if not literal:
                yield ResourceAccess(resource_type, name, operations, shared.principals)
            elif not shared.bindings or any(b.principal == WILDCARD_PRINCIPAL for b in literal):
                matching = section.matching(name, prefixes)
                yield self._access(resource_type, name, operations, matching, listed)
            else:
                yield self._with_literal(resource_type, name, operations, literal, shared)

    def _with_literal(
        self,
        resource_type: ResourceType,
        name: str,
        operations: tuple[Operation, ...],
        literal: Sequence[AclBinding],
        shared: _Shared,
    ) -> ResourceAccess:
        """The shared answer, with the principals the literal bindings name recomputed."""
        own: dict[str, list[AclBinding]] = {}
        for binding in literal:
            own.setdefault(binding.principal, []).append(binding)
        entries = {entry.principal: entry for entry in shared.principals[:-1]}
        for principal, bindings in own.items():
            candidates = bindings + shared.by_principal.get(principal, []) + shared.everyone
            entries[principal] = self._principal_access(
                principal, principal, operations, candidates, True
            )
        ordered = (*(entries[p] for p in sorted(entries)), shared.principals[-1])
        return ResourceAccess(resource_type, name, operations, ordered)

    def _access(
        self,
        resource_type: ResourceType,
        resource_name: str,
        operations: tuple[Operation, ...],
        matching: Sequence[AclBinding],
        listed: Iterable[str],
    ) -> ResourceAccess:
        by_principal: dict[str, list[AclBinding]] = {}
        for binding in matching:
            by_principal.setdefault(binding.principal, []).append(binding)
        everyone = by_principal.pop(WILDCARD_PRINCIPAL, [])
        named = set(by_principal) | set(listed)
        if self.enabled:
            named |= self.super_users
        named.discard(WILDCARD_PRINCIPAL)
        has_acls = bool(matching)
        entries = [
            self._principal_access(
                principal,
                principal,
                operations,
                by_principal.get(principal, []) + everyone,
                has_acls,
            )
            for principal in sorted(named)
        ]
        entries.append(
            self._principal_access(
                OTHER_PRINCIPALS, _OTHER_PRINCIPAL, operations, everyone, has_acls
            )
        )
        return ResourceAccess(resource_type, resource_name, operations, tuple(entries))

    def _principal_access(
        self,
        label: str,
        principal: str,
        operations: tuple[Operation, ...],
        candidates: Sequence[AclBinding],
        has_acls: bool,
    ) -> PrincipalAccess:
        """`candidates`: the matching bindings naming this principal or `User:*`."""
        named_hosts = {b.host for b in candidates} - {WILDCARD}
        hosts = sorted(h for h in named_hosts if _reachable(h)) if named_hosts else []
        answers = []
        for host_label, host in [*((h, h) for h in hosts), (OTHER_HOSTS, _OTHER_HOST)]:
            decisions = tuple(
                self._evaluate(principal, host, op, candidates, has_acls) for op in operations
            )
            answers.append(HostAccess(host_label, decisions))
        return PrincipalAccess(label, tuple(answers))

    def _evaluate(
        self,
        principal: str,
        host: str,
        operation: Operation,
        candidates: Sequence[AclBinding],
        has_acls: bool,
    ) -> AclDecision:
        if not self.enabled:
            return AclDecision(True, Reason.NO_AUTHORIZER)
        if principal in self.super_users:
            return AclDecision(True, Reason.SUPER_USER)
        return self._decide(candidates, has_acls, principal, host, operation)
