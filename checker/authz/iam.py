"""IAM identity policies for MSK's `kafka-cluster:` actions, evaluated as IAM evaluates them.

The rules (IAM User Guide: policy evaluation logic, elements Action/NotAction, Resource/
NotResource; MSK developer guide: IAM access control, actions and resources):

- An explicit Deny that applies wins; otherwise an Allow that applies allows; otherwise the
  request is implicitly denied.
- A statement applies when its `Action` matches the action (or its `NotAction` does not) and its
  `Resource` matches the resource ARN (or its `NotResource` does not).
- Actions match case-insensitively, with `*` (any characters) and `?` (one character):
  `*`, `kafka-cluster:*` and `kafka-cluster:Write*` all cover `kafka-cluster:WriteData`.
- Resource ARNs match case-sensitively, segment by segment (segments are separated by `:`),
  with `*` and `?` in any segment (region, account, cluster name, cluster UUID, topic name);
  `*` within a segment also spans `/`, and a `*` that ends a segment may run past the next `:`.
  `Resource: "*"` matches everything.
- Conditions are not evaluated. An Allow with a `Condition` counts as allowing; a Deny with a
  `Condition` does not count as denying; either way the decision records the statement it is
  conditional on, so "allowed" reads "allowed, at least under some conditions". Policy
  variables (`${aws:username}`) in a resource make a statement conditional in the same way.

Only identity-based policies of one principal are evaluated: not resource-based cluster
policies, permissions boundaries, session policies or SCPs. MSK ARNs:
`arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>`, and `topic/`, `group/`,
`transactional-id/` followed by `<cluster-name>/<cluster-uuid>/<name>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import Any

from ..errors import InputError
from ..grants import IAM_ACTIONS
from .access import ClientAccess, Need

_ARN_KIND = {
    "CLUSTER": "cluster",
    "TOPIC": "topic",
    "GROUP": "group",
    "TRANSACTIONAL_ID": "transactional-id",
}
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = {"*": "*", "?": "?", "$": "$"}  # ${*} ${?} ${$}: the literal character

CONNECT = "kafka-cluster:Connect"
DESCRIBE_TOPIC = "kafka-cluster:DescribeTopic"
WRITE_DATA = "kafka-cluster:WriteData"
READ_DATA = "kafka-cluster:ReadData"
WRITE_DATA_IDEMPOTENTLY = "kafka-cluster:WriteDataIdempotently"
DESCRIBE_GROUP = "kafka-cluster:DescribeGroup"
ALTER_GROUP = "kafka-cluster:AlterGroup"
DESCRIBE_TRANSACTIONAL_ID = "kafka-cluster:DescribeTransactionalId"
ALTER_TRANSACTIONAL_ID = "kafka-cluster:AlterTransactionalId"


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@lru_cache(maxsize=65536)
def _action_pattern(pattern: str) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=65536)
def _resource_pattern(pattern: str) -> re.Pattern[str]:
    out: list[str] = []
    text = pattern
    index = 0
    while index < len(text):
        char = text[index]
        if char == "$" and (found := _VARIABLE.match(text, index)):
            escape = _ESCAPES.get(found.group(1))
            out.append(re.escape(escape) if escape else "[^:]*")
            index = found.end()
            continue
        if char == "*":
            ends_segment = index + 1 == len(text) or text[index + 1] == ":"
            out.append(".*" if ends_segment else "[^:]*")
        elif char == "?":
            out.append("[^:]")
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out))


def action_matches(pattern: str, action: str) -> bool:
    """Does an `Action` entry cover the action (case-insensitive, `*` and `?`)?"""
    return _action_pattern(pattern).fullmatch(action) is not None


def resource_matches(pattern: str, arn: str) -> bool:
    """Does a `Resource` entry cover the ARN (case-sensitive, `*` and `?` per segment)?"""
    return _resource_pattern(pattern).fullmatch(arn) is not None


def known_actions(pattern: str) -> tuple[str, ...]:
    """The MSK `kafka-cluster:` actions an `Action` entry covers, in checker/grants order."""
    return tuple(a for a in IAM_ACTIONS if action_matches(pattern, a))


def action_for(resource_type: str, operation: str) -> str | None:
    """The IAM action that authorises a Kafka operation on a resource type, if one does."""
    for action, target in IAM_ACTIONS.items():
        if target == (resource_type, operation):
            return action
    return None


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise InputError(f"IAM statement {what} must be a string or a list of strings")


@dataclass(frozen=True, slots=True)
class Statement:
    """One IAM policy statement, as far as `kafka-cluster:` authorisation needs it."""

    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_action: bool = False  # `actions` came from NotAction
    not_resource: bool = False  # `resources` came from NotResource
    conditional: bool = False  # it has a Condition (or a policy variable), not evaluated
    sid: str = ""
    policy: str = ""
    _exact: frozenset[str] = field(init=False, repr=False, compare=False)
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        wild = tuple(r for r in self.resources if any(c in r for c in "*?$"))
        object.__setattr__(self, "_exact", frozenset(self.resources) - set(wild))
        object.__setattr__(self, "_patterns", tuple(_resource_pattern(r) for r in wild))

    @classmethod
    def from_json(cls, statement: Mapping[str, Any], policy: str = "") -> Statement:
        """A statement from a policy document's `Statement` entry."""
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise InputError(f"IAM statement in {policy or 'a policy'}: Effect {effect!r}")
        if ("Action" in statement) == ("NotAction" in statement):
            raise InputError(f"IAM statement in {policy or 'a policy'}: needs Action or NotAction")
        if ("Resource" in statement) == ("NotResource" in statement):
            raise InputError(
                f"IAM statement in {policy or 'a policy'}: needs Resource or NotResource"
            )
        not_action = "NotAction" in statement
        not_resource = "NotResource" in statement
        resources = _strings(statement["NotResource" if not_resource else "Resource"], "Resource")
        variables = any(
            found.group(1) not in _ESCAPES for r in resources for found in _VARIABLE.finditer(r)
        )
        return cls(
            effect=Effect(effect),
            actions=_strings(statement["NotAction" if not_action else "Action"], "Action"),
            resources=resources,
            not_action=not_action,
            not_resource=not_resource,
            conditional=bool(statement.get("Condition")) or variables,
            sid=str(statement.get("Sid", "")),
            policy=policy,
        )

    @classmethod
    def from_grant(cls, grant: Mapping[str, Any]) -> Statement:
        """A statement from a snapshot's `iam_grants` record (principal, effect, actions,
        resources, policy)."""
        return cls.from_json(
            {
                "Effect": grant.get("effect", "Allow"),
                "Action": list(grant["actions"]),
                "Resource": list(grant["resources"]),
            },
            policy=str(grant.get("policy", "")),
        )

    def covers_action(self, action: str) -> bool:
        hit = any(action_matches(pattern, action) for pattern in self.actions)
        return hit != self.not_action

    def covers_resource(self, arn: str) -> bool:
        hit = arn in self._exact or any(p.fullmatch(arn) for p in self._patterns)
        return hit != self.not_resource

    def __str__(self) -> str:
        where = f" in {self.policy}" if self.policy else ""
        sid = f" {self.sid}" if self.sid else ""
        action = "NotAction" if self.not_action else "Action"
        resource = "NotResource" if self.not_resource else "Resource"
        condition = " (with a Condition)" if self.conditional else ""
        return (
            f"{self.effect} statement{sid}{where}: {action} {list(self.actions)} "
            f"{resource} {list(self.resources)}{condition}"
        )


def statements_from_policy(document: Mapping[str, Any] | str, policy: str = "") -> list[Statement]:
    """Every statement of a policy document (a mapping, or its JSON text)."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise InputError(f"IAM policy {policy or ''} is not JSON: {exc.msg}") from None
    if not isinstance(document, Mapping):
        raise InputError(f"IAM policy {policy or ''} is not a JSON object")
    raw = document.get("Statement", [])
    entries = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise InputError(f"IAM policy {policy or ''}: Statement must be an object or a list")
    return [Statement.from_json(entry, policy) for entry in entries]


class IamReason(StrEnum):
    EXPLICIT_DENY = "explicit-deny"
    ALLOW = "allow"
    IMPLICIT_DENY = "implicit-deny"


@dataclass(frozen=True, slots=True)
class IamDecision:
    """IAM's answer, the statement that decided it, and the one it is conditional on."""

    allowed: bool
    reason: IamReason
    via: Statement | None = None
    conditional_on: Statement | None = None

    @property
    def conditional(self) -> bool:
        return self.conditional_on is not None

    def explain(self) -> str:
        if self.reason is IamReason.IMPLICIT_DENY:
            return "denied: no statement allows it (implicit deny)"
        verb = "denied" if self.reason is IamReason.EXPLICIT_DENY else "allowed"
        text = f"{verb} by {self.via}"
        if self.conditional_on is not None and self.conditional_on is not self.via:
            text += f", unless the condition of {self.conditional_on} denies it"
        elif self.conditional_on is not None:
            text += ", if its condition holds"
        return text


@dataclass(frozen=True, slots=True)
class MskCluster:
    """An MSK cluster's ARN parts; builds the ARNs IAM authorises against."""

    region: str
    account: str
    name: str
    uuid: str
    partition: str = "aws"

    @classmethod
    def from_arn(cls, arn: str) -> MskCluster:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "kafka":
            raise InputError(f"not an MSK cluster ARN: {arn!r}")
        kind, _, rest = parts[5].partition("/")
        name, _, uuid = rest.partition("/")
        if kind != "cluster" or not name or not uuid or "/" in uuid:
            raise InputError(f"not an MSK cluster ARN: {arn!r}")
        return cls(region=parts[3], account=parts[4], name=name, uuid=uuid, partition=parts[1])

    def _prefix(self, kind: str) -> str:
        where = f"arn:{self.partition}:kafka:{self.region}:{self.account}"
        return f"{where}:{kind}/{self.name}/{self.uuid}"

    @property
    def arn(self) -> str:
        return self._prefix("cluster")

    def topic_arn(self, topic: str) -> str:
        return f"{self._prefix('topic')}/{topic}"

    def topic_arns(self, topics: Iterable[str]) -> list[str]:
        """`topic_arn` of each topic, the prefix worked out once (50k topics)."""
        prefix = f"{self._prefix('topic')}/"
        return [prefix + topic for topic in topics]

    def group_arn(self, group: str) -> str:
        return f"{self._prefix('group')}/{group}"

    def transactional_id_arn(self, transactional_id: str) -> str:
        return f"{self._prefix('transactional-id')}/{transactional_id}"

    def arn_for(self, action: str, name: str | None = None) -> str:
        """The ARN an MSK action is authorised on: the cluster, or the named topic, group or
        transactional id (the resource type comes from checker/grants IAM_ACTIONS)."""
        kind = _ARN_KIND[IAM_ACTIONS[action][0]]
        if kind == "cluster":
            return self.arn
        if name is None:
            raise ValueError(f"{action} needs a {kind} name")
        return f"{self._prefix(kind)}/{name}"


class _ArnSet:
    """Many ARNs, and which of them each statement covers, as bit sets (bit i: ARN i)."""

    def __init__(self, arns: Sequence[str]) -> None:
        self.arns = list(arns)
        self.everything = (1 << len(self.arns)) - 1
        # ARN -> its positions; distinct ARNs (the common case) in one C-level pass
        positions: Mapping[str, Sequence[int]] = dict(
            zip(self.arns, zip(range(len(self.arns))), strict=True)
        )
        if len(positions) < len(self.arns):  # an ARN twice: every position of it
            lists: dict[str, list[int]] = {}
            for position, arn in enumerate(self.arns):
                lists.setdefault(arn, []).append(position)
            positions = lists
        self._positions = positions
        self._by_resource: dict[str, int] = {}
        self._by_statement: dict[Statement, int] = {}

    def _resource(self, resource: str) -> int:
        found = self._by_resource.get(resource)
        if found is None:
            if not any(c in resource for c in "*?$"):
                hits = self._positions.get(resource, [])
            else:
                pattern = _resource_pattern(resource)
                hits = [i for i, arn in enumerate(self.arns) if pattern.fullmatch(arn)]
            flags = bytearray((len(self.arns) + 7) // 8)
            for index in hits:
                flags[index >> 3] |= 1 << (index & 7)
            found = self._by_resource[resource] = int.from_bytes(flags, "little")
        return found

    def covered_by(self, statement: Statement) -> int:
        found = self._by_statement.get(statement)
        if found is None:
            bits = 0
            for resource in statement.resources:
                bits |= self._resource(resource)
            if statement.not_resource:
                bits = self.everything & ~bits
            found = self._by_statement[statement] = bits
        return found

    def indices(self, bits: int) -> list[int]:
        data = bits.to_bytes((len(self.arns) + 7) // 8, "little")
        return [
            (position << 3) + bit
            for position, byte in enumerate(data)
            if byte
            for bit in range(8)
            if byte >> bit & 1
        ]


class IamPolicySet:
    """The identity policies of many principals (role or user ARNs), evaluated per request."""

    def __init__(self, statements_by_principal: Mapping[str, Iterable[Statement]]) -> None:
        self._statements = {p: tuple(s) for p, s in statements_by_principal.items()}
        self._by_action: dict[tuple[str, str], tuple[Statement, ...]] = {}

    @classmethod
    def from_grants(cls, grants: Iterable[Mapping[str, Any]]) -> IamPolicySet:
        """From a snapshot's `iam_grants` records, grouped by their principal."""
        by_principal: dict[str, list[Statement]] = {}
        for grant in grants:
            by_principal.setdefault(str(grant["principal"]), []).append(Statement.from_grant(grant))
        return cls(by_principal)

    @property
    def principals(self) -> tuple[str, ...]:
        return tuple(sorted(self._statements))

    def _relevant(self, principal: str, action: str) -> tuple[Statement, ...]:
        key = (principal, action.lower())
        found = self._by_action.get(key)
        if found is None:
            found = tuple(s for s in self._statements.get(principal, ()) if s.covers_action(action))
            self._by_action[key] = found
        return found

    def authorize(self, principal: str, action: str, arn: str) -> IamDecision:
        """May the principal perform the action on the resource ARN?"""
        allow: Statement | None = None
        conditional_allow: Statement | None = None
        conditional_deny: Statement | None = None
        for statement in self._relevant(principal, action):
            if not statement.covers_resource(arn):
                continue
            if statement.effect == Effect.DENY:
                if not statement.conditional:
                    return IamDecision(False, IamReason.EXPLICIT_DENY, statement)
                conditional_deny = conditional_deny or statement
            elif statement.conditional:
                conditional_allow = conditional_allow or statement
            else:
                allow = allow or statement
        if allow is not None:
            return IamDecision(True, IamReason.ALLOW, allow, conditional_deny)
        if conditional_allow is not None:
            return IamDecision(True, IamReason.ALLOW, conditional_allow, conditional_allow)
        return IamDecision(False, IamReason.IMPLICIT_DENY)

    def who_can(self, action: str, arn: str) -> tuple[tuple[str, IamDecision], ...]:
        """Every principal allowed the action on the ARN, with its decision."""
        answers = ((p, self.authorize(p, action, arn)) for p in self.principals)
        return tuple((p, d) for p, d in answers if d.allowed)

    def _bits(self, principal: str, action: str, arns: _ArnSet) -> tuple[int, int]:
        """(allowed, conditionally allowed) ARNs of the set, as bit sets: `authorize` for
        every ARN at once."""
        allow = conditional_allow = deny = conditional_deny = 0
        for statement in self._relevant(principal, action):
            covered = arns.covered_by(statement)
            if statement.effect == Effect.DENY:
                if statement.conditional:
                    conditional_deny |= covered
                else:
                    deny |= covered
            elif statement.conditional:
                conditional_allow |= covered
            else:
                allow |= covered
        allowed = (allow | conditional_allow) & ~deny
        return allowed, allowed & ((conditional_allow & ~allow) | conditional_deny)

    def who_can_many(
        self, action: str, arns: Sequence[str]
    ) -> dict[str, tuple[tuple[str, bool], ...]]:
        """For each ARN, the principals allowed the action: (principal, conditional) pairs.

        Equal to `who_can` for each ARN (`authorize` gives the deciding statements), but each
        distinct Resource pattern is matched once against every ARN, and principals combine
        bit sets: 50k topics and 100 principals take a second, not minutes."""
        found: dict[str, list[tuple[str, bool]]] = {arn: [] for arn in arns}
        arn_set = _ArnSet(arns)
        for principal in self.principals:
            allowed, conditional = self._bits(principal, action, arn_set)
            for index in arn_set.indices(allowed):
                found[arn_set.arns[index]].append((principal, bool(conditional >> index & 1)))
        return {arn: tuple(entries) for arn, entries in found.items()}

    def producers(
        self, cluster: MskCluster, topics: Sequence[str], *, idempotent: bool = False
    ) -> dict[str, tuple[tuple[str, bool], ...]]:
        """For each topic of the cluster, the principals that `can_produce` to it:
        (principal, conditional) pairs; `can_produce` gives one answer in full."""
        found: dict[str, list[tuple[str, bool]]] = {topic: [] for topic in topics}
        arn_set = _ArnSet(cluster.topic_arns(topics))
        cluster_actions = [CONNECT, *([WRITE_DATA_IDEMPOTENTLY] if idempotent else [])]
        for principal in self.principals:
            on_cluster = [self.authorize(principal, a, cluster.arn) for a in cluster_actions]
            if not all(d.allowed for d in on_cluster):
                continue
            describe, describe_conditional = self._bits(principal, DESCRIBE_TOPIC, arn_set)
            write, write_conditional = self._bits(principal, WRITE_DATA, arn_set)
            allowed = describe & write
            conditional = describe_conditional | write_conditional
            if any(d.conditional for d in on_cluster):
                conditional = allowed
            for index in arn_set.indices(allowed):
                found[topics[index]].append((principal, bool(conditional >> index & 1)))
        return {topic: tuple(entries) for topic, entries in found.items()}

    def _needs(
        self, principal: str, cluster: MskCluster, wanted: Sequence[tuple[str, str | None]]
    ) -> ClientAccess[IamDecision]:
        needs = []
        for action, name in wanted:
            arn = cluster.arn_for(action, name)
            needs.append(Need(f"{action} on {arn}", self.authorize(principal, action, arn)))
        return ClientAccess(tuple(needs))

    def can_produce(
        self,
        principal: str,
        cluster: MskCluster,
        topic: str,
        *,
        idempotent: bool = False,
        transactional_id: str | None = None,
    ) -> ClientAccess[IamDecision]:
        """Connect, DescribeTopic and WriteData; an idempotent producer adds
        WriteDataIdempotently, a transactional one DescribeTransactionalId and
        AlterTransactionalId on its transactional id (MSK: iam-access-control-use-cases)."""
        wanted: list[tuple[str, str | None]] = [
            (CONNECT, None),
            (DESCRIBE_TOPIC, topic),
            (WRITE_DATA, topic),
        ]
        if idempotent:
            wanted.append((WRITE_DATA_IDEMPOTENTLY, None))
        if transactional_id is not None:
            wanted += [
                (DESCRIBE_TRANSACTIONAL_ID, transactional_id),
                (ALTER_TRANSACTIONAL_ID, transactional_id),
            ]
        return self._needs(principal, cluster, wanted)

    def can_consume(
        self, principal: str, cluster: MskCluster, topic: str, group: str
    ) -> ClientAccess[IamDecision]:
        """Connect, DescribeTopic, DescribeGroup, AlterGroup and ReadData."""
        wanted: list[tuple[str, str | None]] = [
            (CONNECT, None),
            (DESCRIBE_TOPIC, topic),
            (DESCRIBE_GROUP, group),
            (ALTER_GROUP, group),
            (READ_DATA, topic),
        ]
        return self._needs(principal, cluster, wanted)
