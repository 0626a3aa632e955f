"""Kafka ACL bindings and IAM `kafka-cluster:*` grants in one keyed, region-free form.

A grant is (principal, resource_type, pattern_type, resource_name, operation, permission, host).
IAM actions map onto the Kafka operation they authorise, IAM resource ARNs onto a Kafka
resource pattern, so parity and write authority are judged the same way on both kinds of cluster.
"""

from __future__ import annotations

import bisect
import fnmatch
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import repeat
from operator import itemgetter
from typing import Any, NamedTuple

from .identity import Canon, parse_arn

# IAM action -> (Kafka resource type, Kafka operation)
IAM_ACTIONS: Mapping[str, tuple[str, str]] = {
    "kafka-cluster:Connect": ("CLUSTER", "CONNECT"),
    "kafka-cluster:DescribeCluster": ("CLUSTER", "DESCRIBE"),
    "kafka-cluster:AlterCluster": ("CLUSTER", "ALTER"),
    "kafka-cluster:DescribeClusterDynamicConfiguration": ("CLUSTER", "DESCRIBE_CONFIGS"),
    "kafka-cluster:AlterClusterDynamicConfiguration": ("CLUSTER", "ALTER_CONFIGS"),
    "kafka-cluster:WriteDataIdempotently": ("CLUSTER", "IDEMPOTENT_WRITE"),
    "kafka-cluster:CreateTopic": ("TOPIC", "CREATE"),
    "kafka-cluster:DescribeTopic": ("TOPIC", "DESCRIBE"),
    "kafka-cluster:AlterTopic": ("TOPIC", "ALTER"),
    "kafka-cluster:DeleteTopic": ("TOPIC", "DELETE"),
    "kafka-cluster:DescribeTopicDynamicConfiguration": ("TOPIC", "DESCRIBE_CONFIGS"),
    "kafka-cluster:AlterTopicDynamicConfiguration": ("TOPIC", "ALTER_CONFIGS"),
    "kafka-cluster:ReadData": ("TOPIC", "READ"),
    "kafka-cluster:WriteData": ("TOPIC", "WRITE"),
    "kafka-cluster:DescribeGroup": ("GROUP", "DESCRIBE"),
    "kafka-cluster:AlterGroup": ("GROUP", "READ"),
    "kafka-cluster:DeleteGroup": ("GROUP", "DELETE"),
    "kafka-cluster:DescribeTransactionalId": ("TRANSACTIONAL_ID", "DESCRIBE"),
    "kafka-cluster:AlterTransactionalId": ("TRANSACTIONAL_ID", "WRITE"),
}
_ARN_TYPES = {
    "cluster": "CLUSTER",
    "topic": "TOPIC",
    "group": "GROUP",
    "transactional-id": "TRANSACTIONAL_ID",
}
WRITE_OPERATIONS = frozenset({"WRITE", "ALL"})
CLUSTER_RESOURCE = "kafka-cluster"


class Grant(NamedTuple):
    """One grant; a NamedTuple because large estates build hundreds of thousands of them."""

    principal: str
    resource_type: str
    pattern_type: str
    resource_name: str
    operation: str
    permission: str
    host: str
    source: str

    @property
    def key(self) -> str:
        # principal, resource_type, pattern_type, resource_name, operation, permission, host
        return "|".join(self[:7])


ACL_FIELDS = (
    "principal",
    "resource_type",
    "pattern_type",
    "resource_name",
    "operation",
    "permission",
    "host",
)
"""A snapshot ACL record's fields, in a grant's order (`host` may be absent: "*")."""


class AclColumns(NamedTuple):
    """A snapshot's ACL records column by column (large estates hold hundreds of thousands:
    each field read once, in C-level loops, for the grant records and the authorizer's
    bindings alike)."""

    raw_principal: list[str]  # as the snapshot writes it
    principal: list[str]  # canonical
    resource_type: list[str]
    pattern_type: list[str]
    resource_name: list[str]
    operation: list[str]
    permission: list[str]
    host: list[str]  # "*" where the record has none

    @property
    def grant_fields(self) -> tuple[list[str], ...]:
        """The columns of a grant's fields but its source, in `Grant` order."""
        return self[1:]


def acl_columns(
    acls: Any, canon: Canon, read: Mapping[str, Sequence[Any]] | None = None
) -> AclColumns | None:
    """The ACL records' columns, principals made canonical once per distinct principal; None
    unless `acls` is a list of dicts whose fields are all present strings (the
    record-by-record way then handles what is odd, and names what is wrong). `read`: the
    records' columns as schema validation read them (`Snapshot.columns`), when it did."""
    if not isinstance(acls, list) or not set(map(type, acls)) <= {dict}:
        return None
    # validation's columns hold only strings, as the schema says: not looked at again
    validated = _validated_columns(read, len(acls))
    columns = validated
    if columns is None and set(map(len, acls)) == {len(ACL_FIELDS)}:
        columns = _full_columns(acls)
    if columns is None:
        get = dict.get
        columns = [
            list(map(get, acls, repeat(name), repeat("*" if name == "host" else None)))
            for name in ACL_FIELDS
        ]
    if validated is None and not all(map(_all_text, columns)):
        return None
    raw = columns[0]
    canonical = {value: canon.text(value) for value in dict.fromkeys(raw)}
    return AclColumns(raw, list(map(canonical.__getitem__, raw)), *columns[1:])


def _validated_columns(
    read: Mapping[str, Sequence[Any]] | None, count: int
) -> list[list[Any]] | None:
    """The ACL fields' columns validation read, when it read each of them for `count` records."""
    if read is None or any(len(read.get(name, ())) != count for name in ACL_FIELDS):
        return None
    return [c if type(c) is list else list(c) for c in map(read.__getitem__, ACL_FIELDS)]


def _all_text(column: list[Any]) -> bool:
    """Is every value a `str`? Types looked at once per distinct value (most columns hold a
    few values many times); a column of unhashable values holds no text."""
    try:
        distinct = set(column)
    except TypeError:
        return False
    return set(map(type, distinct)) <= {str}


def _full_columns(acls: list[dict[str, Any]]) -> list[list[Any]] | None:
    """The columns of records that each hold every field (an itemgetter pass per field, the
    fastest read); None when one lacks a field."""
    try:
        return [list(map(itemgetter(name), acls)) for name in ACL_FIELDS]
    except KeyError:
        return None


def from_acls(acls: Iterable[Mapping[str, Any]], canon: Canon) -> Iterator[Grant]:
    principals: dict[str, str] = {}  # raw -> canonical: estates name few principals many times
    make = Grant._make
    for acl in acls:
        raw = acl["principal"]
        principal = principals.get(raw)
        if principal is None:
            principal = principals[raw] = canon.text(raw)
        yield make(
            (
                principal,
                acl["resource_type"],
                acl["pattern_type"],
                acl["resource_name"],
                acl["operation"],
                acl["permission"],
                acl.get("host", "*"),
                "acl",
            )
        )


def _expand_actions(actions: Iterable[str]) -> list[tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for action in actions:
        if action in ("*", "kafka-cluster:*"):
            return [("*", "ALL")]
        for name, target in IAM_ACTIONS.items():
            if fnmatch.fnmatchcase(name.lower(), action.lower()):
                found[name] = target
    return sorted(found.values())


def _pattern(name: str) -> tuple[str, str]:
    if name == "*":
        return "LITERAL", "*"
    if name.endswith("*") and "*" not in name[:-1] and "?" not in name:
        return "PREFIXED", name[:-1]
    if "*" in name or "?" in name:
        return "MATCH", name
    return "LITERAL", name


def _same_cluster(arn_cluster: str, names: Sequence[str], canon: Canon) -> bool:
    """Does an IAM resource's cluster segment (a name or a glob) name this cluster?

    `names` holds the cluster's real name(s) and its canonical name, so `payments-*` matches
    `payments-use1` even when the plan calls both regions' clusters `payments`."""
    if canon.cluster_name(arn_cluster) in names:
        return True
    return any(fnmatch.fnmatchcase(name, arn_cluster) for name in names)


def _iam_resource(resource: str, names: Sequence[str], canon: Canon) -> tuple[str, str, str] | None:
    """(resource type or *, pattern type, name) for an IAM resource, or None for another cluster."""
    if resource == "*":
        return "*", "LITERAL", "*"
    arn = parse_arn(resource)
    if arn is None or arn.service != "kafka":
        return None
    parts = arn.resource.split("/")
    if len(parts) == 1 and parts[0] == "*":
        return "*", "LITERAL", "*"
    kind = _ARN_TYPES.get(parts[0])
    if kind is None:
        return None
    if len(parts) >= 2 and not _same_cluster(parts[1], names, canon):
        return None
    if kind == "CLUSTER":
        return kind, "LITERAL", CLUSTER_RESOURCE
    name = "/".join(parts[3:]) if len(parts) > 3 else "*"
    pattern_type, resource_name = _pattern(name)
    return kind, pattern_type, resource_name


def from_iam(
    grants: Iterable[Mapping[str, Any]], cluster: str | Sequence[str], canon: Canon
) -> Iterator[Grant]:
    """Grants from IAM statements; `cluster` is the cluster's name(s): real and canonical."""
    names = (cluster,) if isinstance(cluster, str) else tuple(cluster)
    for grant in grants:
        principal = canon.text(grant["principal"])
        permission = "DENY" if grant.get("effect") == "Deny" else "ALLOW"
        actions = _expand_actions(grant["actions"])
        for resource in grant["resources"]:
            target = _iam_resource(resource, names, canon)
            if target is None:
                continue
            res_type, pattern_type, name = target
            for action_type, operation in actions:
                for kind in _kinds(action_type, res_type):
                    resource_name = CLUSTER_RESOURCE if kind == "CLUSTER" else name
                    yield Grant(
                        principal,
                        kind,
                        pattern_type,
                        resource_name,
                        operation,
                        permission,
                        "*",
                        "iam",
                    )


def _kinds(action_type: str, resource_type: str) -> tuple[str, ...]:
    """The Kafka resource types an IAM action on an IAM resource grants."""
    if action_type == "*":
        return tuple(_ARN_TYPES.values()) if resource_type == "*" else (resource_type,)
    if resource_type in ("*", action_type):
        return (action_type,)
    return ()


class TopicIndex:
    """Which topics (and so which families) a resource pattern covers."""

    def __init__(self, topic_families: Mapping[str, str | None]) -> None:
        self._families = topic_families
        self._names: Sequence[str] = sorted(topic_families)
        self._all = sorted({f for f in topic_families.values() if f})
        self._memo: dict[tuple[str, str], list[str]] = {}

    def families(self, pattern_type: str, name: str) -> list[str]:
        """The families a pattern covers (memoised: many grants name the same pattern).
        The list is shared between callers; treat it as read-only."""
        key = (pattern_type, name)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._families_of(pattern_type, name)
        return found

    def _families_of(self, pattern_type: str, name: str) -> list[str]:
        if pattern_type == "LITERAL":
            if name == "*":
                return list(self._all)
            family = self._families.get(name)
            return [family] if family else []
        if pattern_type == "PREFIXED":
            start = bisect.bisect_left(self._names, name)
            found: set[str] = set()
            for topic in self._names[start:]:
                if not topic.startswith(name):
                    break
                family = self._families[topic]
                if family:
                    found.add(family)
            return sorted(found)
        return sorted(
            {
                family
                for topic, family in self._families.items()
                if family and fnmatch.fnmatchcase(topic, name)
            }
        )
