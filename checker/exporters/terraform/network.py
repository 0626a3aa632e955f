"""Security group ingress of the cluster in a Terraform plan, and its MSK VPC endpoints.

A cluster's security groups are found by id (known) or by the reference of its
`security_groups` expression (a group created in the same apply). Their ingress comes from the
group's inline `ingress` blocks, `aws_security_group_rule` (type ingress) and
`aws_vpc_security_group_ingress_rule`, one snapshot rule per peer, as the AWS exporter records
EC2 IpPermissions. A group the plan does not manage is a gap: its rules are unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .msk import Cluster
from .plan import UNKNOWN, Context, Resource, blocks, integer, strings

_PROTOCOLS = {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_RULE_TYPES = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule")


def collect(ctx: Context, cluster: Cluster) -> None:
    network = ctx.snapshot.get("network")
    if network is None:
        return
    res = cluster.resource
    path: tuple[str | int, ...] = (
        ("vpc_config", 0, "security_group_ids")
        if cluster.serverless
        else ("broker_node_group_info", 0, "security_groups")
    )
    groups = _groups(ctx, res, path)
    if groups is None:
        return
    rules: dict[str, dict[str, Any]] = {}
    for group_id, group in groups:
        found = _group_rules(ctx, group_id, group)
        if found is None:
            continue
        for rule in found:
            key = f"{rule['protocol']}|{rule['from_port']}|{rule['to_port']}|{rule['peer']}"
            rules.setdefault(key, rule)
    network["ingress"] = [rules[k] for k in sorted(rules)]
    endpoints = [
        e for e in ctx.local("aws_vpc_endpoint") if "kafka" in str(e.values.get("service_name", ""))
    ]
    private = {str(e.values.get("id") or e.address) for e in endpoints}
    # multi-VPC private connectivity: a client VPC connection to this cluster
    for connection in ctx.local("aws_msk_vpc_connection"):
        if ctx.points_at(connection, "target_cluster_arn", res):
            private.add(connection.arn or connection.address)
            network["multi_vpc"] = True
    network["private_endpoints"] = sorted(private)


def _groups(
    ctx: Context, res: Resource, path: tuple[str | int, ...]
) -> list[tuple[str | None, Resource | None]] | None:
    """(id, resource) of each security group; None (and a gap) when they cannot be told."""
    sgs = ctx.doc.of_type("aws_security_group")
    value = res.get(*path)
    if value is UNKNOWN:
        resolved = ctx.doc.resolution(res, *path)
        referenced = [r for r in resolved.resources if r.type == "aws_security_group"]
        if not referenced or resolved.unresolved:
            ctx.value(res, "network", *path)  # records the gap, naming what it is set from
            return None
        return [(_known_id(r), r) for r in referenced]
    out: list[tuple[str | None, Resource | None]] = []
    for group_id in strings(value):
        match = next((g for g in sgs if g.values.get("id") == group_id), None)
        out.append((str(group_id), match))
    return out


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _known_id(res: Resource) -> str | None:
    value = res.get("id")
    return value if isinstance(value, str) else None


def _group_rules(
    ctx: Context, group_id: str | None, group: Resource | None
) -> list[dict[str, Any]] | None:
    rules: list[dict[str, Any]] = []
    # With a configuration, inline rules count only when configured: otherwise `ingress` is the
    # group's refreshed rules, including standalone rules this plan deletes.
    if group is not None and (
        not group.config or "ingress" in _mapping(group.config.get("expressions"))
    ):
        inline = ctx.value(group, "network", "ingress")
        for entry in blocks(inline):
            rules += _rules(entry, group_id or group.address)
    standalone = []
    for rule in ctx.doc.of_type(*_RULE_TYPES):
        belongs = _belongs(ctx, rule, group_id, group)
        if belongs is None:
            return None
        if belongs:
            standalone.append(rule)
    for rule in standalone:
        if rule.type == "aws_security_group_rule":
            if ctx.value(rule, "network", "type") != "ingress":
                continue
            found = _legacy_rule(ctx, rule, group_id or "self")
        else:
            found = _vpc_rule(ctx, rule)
        if found is None:
            return None
        rules += found
    if group is None and not standalone:
        ctx.gap("network", f"security group {group_id} is not in this plan: its ingress is unknown")
        return None
    return rules


def _belongs(
    ctx: Context, rule: Resource, group_id: str | None, group: Resource | None
) -> bool | None:
    """Whether an ingress rule belongs to the group; None (and a gap naming the reference) when
    its group is known only after apply and set from something the plan does not resolve
    (`security_group_id = local.this_sg_id`): the group's ingress is then unknown, not empty."""
    value = rule.get("security_group_id")
    if group_id is not None and value == group_id:
        return True
    if value is not UNKNOWN and value is not None:
        return False
    resolved = ctx.doc.resolution(rule, "security_group_id")
    if group is not None and group in resolved.resources:
        return True
    groups = [r for r in resolved.resources if r.type == "aws_security_group"]
    if groups and not resolved.unresolved:
        return False  # another group of this plan
    if not ctx.here(rule) or not _ingress(rule):
        return False
    shown = group_id or (group.address if group is not None else "?")
    ctx.gap(
        "network",
        f"{ctx.unresolved(rule, 'security_group_id')}: the ingress of {shown} is unknown",
    )
    return None


def _ingress(rule: Resource) -> bool:
    return rule.type != "aws_security_group_rule" or rule.get("type") in ("ingress", UNKNOWN)


def _protocol(value: Any) -> str:
    text = str(value if value is not None else "-1").lower()
    return _PROTOCOLS.get(text, text)


def _port(value: Any) -> int | None:
    port = integer(value)
    return port if port is not None and -1 <= port <= 65535 else None


def _peers(rule: Mapping[str, Any], self_id: str) -> list[tuple[str, str]]:
    peers: list[tuple[str, str]] = []
    peers += [(c, "cidr") for c in strings(rule.get("cidr_blocks"))]
    peers += [(c, "cidr") for c in strings(rule.get("ipv6_cidr_blocks"))]
    peers += [(p, "prefix_list") for p in strings(rule.get("prefix_list_ids"))]
    peers += [(g, "security_group") for g in strings(rule.get("security_groups"))]
    peers += [(g, "security_group") for g in strings(rule.get("source_security_group_id"))]
    if rule.get("self") is True:
        peers.append((self_id, "security_group"))
    return peers


def _rules(rule: Mapping[str, Any], self_id: str) -> list[dict[str, Any]]:
    base = {
        "protocol": _protocol(rule.get("protocol")),
        "from_port": _port(rule.get("from_port")),
        "to_port": _port(rule.get("to_port")),
    }
    description = rule.get("description")
    text = description if isinstance(description, str) and description else None
    return [
        {**base, "peer": peer, "peer_type": kind, "description": text}
        for peer, kind in _peers(rule, self_id)
    ]


_LEGACY_ATTRS = (
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "prefix_list_ids",
    "source_security_group_id",
    "from_port",
    "to_port",
    "protocol",
)
_VPC_ATTRS = (
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
    "from_port",
    "to_port",
    "ip_protocol",
)


def _known(ctx: Context, rule: Resource, attrs: tuple[str, ...]) -> bool:
    """False (and a gap per unknown attribute) when the rule is known only after apply."""
    unknown = [a for a in attrs if rule.get(a) is UNKNOWN]
    for attr in unknown:
        ctx.value(rule, "network", attr)
    return not unknown


def _legacy_rule(ctx: Context, rule: Resource, self_id: str) -> list[dict[str, Any]] | None:
    return _rules(rule.values, self_id) if _known(ctx, rule, _LEGACY_ATTRS) else None


def _vpc_rule(ctx: Context, rule: Resource) -> list[dict[str, Any]] | None:
    if not _known(ctx, rule, _VPC_ATTRS):
        return None
    values = rule.values
    block = {
        "protocol": values.get("ip_protocol"),
        "from_port": values.get("from_port"),
        "to_port": values.get("to_port"),
        "cidr_blocks": [values["cidr_ipv4"]] if values.get("cidr_ipv4") else [],
        "ipv6_cidr_blocks": [values["cidr_ipv6"]] if values.get("cidr_ipv6") else [],
        "prefix_list_ids": [values["prefix_list_id"]] if values.get("prefix_list_id") else [],
        "security_groups": [values["referenced_security_group_id"]]
        if values.get("referenced_security_group_id")
        else [],
        "description": values.get("description"),
    }
    return _rules(block, "self")
