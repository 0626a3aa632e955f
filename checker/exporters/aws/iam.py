"""IAM collector: `kafka-cluster:*` grants from identity policies and the cluster policy.

iam:GetAccountAuthorizationDetails gives every role, user and group with its inline and
attached managed policies; each statement that allows or denies a kafka-cluster action on a
resource of *this* cluster becomes one snapshot iam_grant (principal = the role or user ARN;
group policies count for each member). IAM is global, so the filtering by cluster (partition,
region, account, cluster name and UUID in the resource ARN) keeps a grant on the primary's
topics out of the secondary's snapshot. The cluster's resource policy is read the same way.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from .._shared.iam_policy import document_grants, statement_grants, statements, strings
from .client import Absent, Reader
from .msk import Cluster

_TOPIC_LIKE = ("topic", "group", "transactional-id")


@lru_cache(maxsize=4096)
def _extends(pattern: str, prefix: str) -> bool:
    """Whether some string starting with `prefix` matches the IAM glob `pattern` (* and ?)."""
    if not prefix:
        return True
    if not pattern:
        return False
    head = pattern[0]
    if head == "*":
        return _extends(pattern[1:], prefix) or _extends(pattern, prefix[1:])
    if head in ("?", prefix[0]):
        return _extends(pattern[1:], prefix[1:])
    return False


def applies(resource: str, cluster: Cluster) -> bool:
    """Whether an IAM resource pattern can name this cluster or one of its topics/groups."""
    if resource == "*":
        return True
    arn = f"arn:{cluster.partition}:kafka:{cluster.region}:{cluster.account}"
    if fnmatch.fnmatchcase(f"{arn}:cluster/{cluster.name}/{cluster.uuid}", resource):
        return True
    return any(
        _extends(resource, f"{arn}:{kind}/{cluster.name}/{cluster.uuid}/") for kind in _TOPIC_LIKE
    )


def collect(reader: Reader, cluster: Cluster) -> list[dict[str, Any]]:
    """Identity-policy grants (iam:GetAccountAuthorizationDetails) for this cluster."""
    paginator = reader.iam().get_paginator("get_account_authorization_details")
    # IAM is global: one read per caller, shared by a fleet run's exports
    pages = reader.shared(
        (), "iam_grants", "iam:GetAccountAuthorizationDetails", lambda: list(paginator.paginate())
    )
    if pages is None:
        return []
    managed: dict[str, tuple[str, Any]] = {}
    for page in pages:
        for policy in page.get("Policies", []):
            for version in policy.get("PolicyVersionList", []):
                if version.get("IsDefaultVersion"):
                    arn = policy.get("Arn", "")
                    name = policy.get("PolicyName") or arn.rsplit("/", 1)[-1]
                    managed[arn] = (name, version.get("Document"))
    members: dict[str, list[str]] = {}
    entities: list[tuple[list[str], Iterable[Any], Iterable[Any]]] = []
    for page in pages:
        for user in page.get("UserDetailList", []):
            for group_name in user.get("GroupList", []):
                members.setdefault(group_name, []).append(user["Arn"])
            entities.append(
                (
                    [user["Arn"]],
                    user.get("UserPolicyList", []),
                    user.get("AttachedManagedPolicies", []),
                )
            )
        for role in page.get("RoleDetailList", []):
            entities.append(
                (
                    [role["Arn"]],
                    role.get("RolePolicyList", []),
                    role.get("AttachedManagedPolicies", []),
                )
            )
    for page in pages:
        for group in page.get("GroupDetailList", []):
            users = members.get(group["GroupName"], [])
            if users:
                entities.append(
                    (
                        users,
                        group.get("GroupPolicyList", []),
                        group.get("AttachedManagedPolicies", []),
                    )
                )
    grants: list[dict[str, Any]] = []
    missing: set[str] = set()

    def here(resource: str) -> bool:
        return applies(resource, cluster)

    for principals, inline, attached in entities:
        names = sorted(principals)
        for policy in inline:
            grants += document_grants(
                policy.get("PolicyDocument"), names, str(policy.get("PolicyName", "inline")), here
            )
        for ref in attached:
            arn = str(ref.get("PolicyArn"))
            if arn not in managed:
                missing.add(arn)
                continue
            name, document = managed[arn]
            grants += document_grants(document, names, name, here)
    for arn in sorted(missing):
        reader.gap(
            "iam_grants",
            f"the document of attached policy {arn} was not returned",
            "iam:GetAccountAuthorizationDetails",
        )
    return grants


def cluster_policy(reader: Reader, cluster: Cluster) -> list[dict[str, Any]]:
    """Grants in the cluster's resource policy (kafka:GetClusterPolicy); none is no gap."""
    answer = reader.lookup(
        "iam_grants",
        "kafka:GetClusterPolicy",
        reader.kafka().get_cluster_policy,
        absent={"NotFoundException"},
        ClusterArn=cluster.arn,
    )
    if answer is None or isinstance(answer, Absent) or not answer.get("Policy"):
        return []
    grants: list[dict[str, Any]] = []
    for statement in statements(answer["Policy"]):
        principal = statement.get("Principal")
        if principal == "*":
            names = ["*"]
        elif isinstance(principal, Mapping):
            names = sorted(strings(principal.get("AWS")))
        else:
            names = []
        grants += statement_grants(
            statement, names, "cluster-policy", lambda resource: applies(resource, cluster)
        )
    return grants
