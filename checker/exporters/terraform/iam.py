"""IAM `kafka-cluster:*` grants in a Terraform plan.

Policy documents come from aws_iam_role_policy / aws_iam_user_policy / aws_iam_group_policy
(inline), aws_iam_policy with its attachments (aws_iam_*_policy_attachment,
aws_iam_policy_attachment, aws_iam_role.managed_policy_arns), aws_iam_role.inline_policy and the
cluster's aws_msk_cluster_policy. IAM is global, so a statement counts for this region only when
one of its resources can name this cluster (partition, region, account, name and UUID matched as
IAM globs), as checker/exporters/aws/iam.py filters them. A policy attached from outside the plan
is a gap (unless AWS-managed, which grant no kafka-cluster data-plane actions).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .._shared.iam_policy import document_grants
from .._shared.iam_policy import parse_document as _document
from .._shared.iam_policy import strings as _strings
from .msk import Cluster
from .plan import UNKNOWN, Context, Resource, blocks, strings

_KINDS = ("cluster", "topic", "group", "transactional-id")
_AREA = "iam_grants"


def applies(resource: str, region: str, cluster: Cluster) -> bool:
    """Whether an IAM resource pattern can name this cluster or something in it."""
    if resource == "*":
        return True
    parts = resource.split(":", 5)
    if len(parts) != 6 or not fnmatch.fnmatchcase("kafka", parts[2]):
        return False
    if not fnmatch.fnmatchcase(region, parts[3] or "*"):
        return False
    if cluster.account and parts[4] and not fnmatch.fnmatchcase(cluster.account, parts[4]):
        return False
    if parts[5] == "*":
        return True
    path = parts[5].split("/")
    if not any(fnmatch.fnmatchcase(kind, path[0]) for kind in _KINDS):
        return False
    if (
        len(path) > 1
        and not fnmatch.fnmatchcase(cluster.name, path[1])
        and not path[1].startswith("*")
    ):
        return False
    return not (len(path) > 2 and cluster.uuid and not fnmatch.fnmatchcase(cluster.uuid, path[2]))


class _Principals:
    """IAM role / user / group names -> ARNs, from the plan or the account of the cluster."""

    def __init__(self, ctx: Context, cluster: Cluster) -> None:
        self.ctx = ctx
        self.account = cluster.account or next(
            (a for r in ctx.doc.resources if (a := _account(r.arn))), None
        )

    def arn(self, kind: str, holder: Resource, attr: str) -> str | None:
        """The ARN of the role/user/group that holder.<attr> names (a name or an ARN)."""
        value = holder.get(attr)
        if value is UNKNOWN:
            found = [
                r for r in self.ctx.doc.referenced(holder, attr) if r.type == f"aws_iam_{kind}"
            ]
            if found and found[0].arn:
                return found[0].arn
            self.ctx.value(holder, _AREA, attr)
            return None
        if not isinstance(value, str) or not value:
            return None
        if value.startswith("arn:"):
            return value
        match = next(
            (
                r
                for r in self.ctx.doc.of_type(f"aws_iam_{kind}")
                if r.values.get("name") == value and r.arn
            ),
            None,
        )
        if match is not None:
            return match.arn
        if self.account is None:
            self.ctx.gap(_AREA, f"the account of {kind} {value} ({holder.address}) is unknown")
            return None
        return f"arn:aws:iam::{self.account}:{kind}/{value}"


def _account(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


def collect(ctx: Context, cluster: Cluster) -> None:
    region = ctx.region
    names = _Principals(ctx, cluster)
    grants: list[dict[str, Any]] = []

    def add(document: Any, holders: Sequence[str | None], policy: str) -> None:
        if document is None:
            return
        principals = sorted({h for h in holders if h})
        grants.extend(
            document_grants(
                document, principals, policy, lambda resource: applies(resource, region, cluster)
            )
        )

    for kind in ("role", "user", "group"):
        for inline in ctx.doc.of_type(f"aws_iam_{kind}_policy"):
            add(
                ctx.value(inline, _AREA, "policy"),
                [names.arn(kind, inline, kind)],
                str(inline.values.get("name") or inline.address),
            )
    for role in ctx.doc.of_type("aws_iam_role"):
        for entry in blocks(role.values.get("inline_policy")):
            if entry.get("policy"):
                add(entry["policy"], [role.arn], str(entry.get("name") or role.address))
    _managed(ctx, names, add)
    for policy in ctx.doc.of_type("aws_msk_cluster_policy"):
        if not ctx.points_at(policy, "cluster_arn", cluster.resource):
            continue
        document = _document(ctx.value(policy, _AREA, "policy"))
        raw = document.get("Statement", [])
        for statement in [raw] if isinstance(raw, Mapping) else raw:
            if not isinstance(statement, Mapping):
                continue
            principal = statement.get("Principal")
            holders = (
                ["*"]
                if principal == "*"
                else _strings(principal.get("AWS") if isinstance(principal, Mapping) else None)
            )
            add({"Statement": [statement]}, holders, "cluster-policy")
    if _AREA not in ctx.tainted:
        unique = {json.dumps(g, sort_keys=True): g for g in grants}
        ctx.snapshot[_AREA] = [unique[k] for k in sorted(unique)]


def _managed(ctx: Context, names: _Principals, add: Any) -> None:
    """Customer-managed policies and whoever they are attached to."""
    policies = {p.arn: p for p in ctx.doc.of_type("aws_iam_policy") if p.arn}
    attachments: list[tuple[Resource, list[str | None]]] = []
    for kind in ("role", "user", "group"):
        for attach in ctx.doc.of_type(f"aws_iam_{kind}_policy_attachment"):
            attachments.append((attach, [names.arn(kind, attach, kind)]))
    for attach in ctx.doc.of_type("aws_iam_policy_attachment"):
        holders: list[str | None] = []
        for kind in ("role", "user", "group"):
            for value in strings(attach.values.get(f"{kind}s")):
                holders.append(
                    value if value.startswith("arn:") else names.arn(kind, _Named(value), "name")
                )
        attachments.append((attach, holders))
    for role in ctx.doc.of_type("aws_iam_role"):
        for arn in strings(role.values.get("managed_policy_arns")):
            attachments.append((_Named(arn, "policy_arn"), [role.arn]))
    for attach, holders in attachments:
        arn = attach.get("policy_arn")
        if arn is UNKNOWN:
            found = (
                [p for p in ctx.doc.referenced(attach, "policy_arn") if p.type == "aws_iam_policy"]
                if isinstance(attach, Resource)
                else []
            )
            policy = found[0] if found else None
            if policy is None:
                ctx.value(attach, _AREA, "policy_arn")
                continue
        else:
            policy = policies.get(str(arn))
        if policy is None:
            if ":aws:policy/" not in str(arn):
                ctx.gap(
                    _AREA,
                    f"policy {arn} attached by {attach.address} is not in this plan: "
                    "its kafka-cluster grants are unknown",
                )
            continue
        document = ctx.value(policy, _AREA, "policy")
        add(document, holders, str(policy.values.get("name") or policy.address))


class _Named(Resource):
    """A stand-in holder for names listed inside another resource."""

    def __init__(self, value: Any, attr: str = "name") -> None:
        super().__init__(
            address=f"({value})",
            module=(),
            module_address="",
            type="",
            name=str(value),
            provider="",
            values={attr: value},
        )
