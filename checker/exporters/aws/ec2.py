"""EC2 collector: the cluster's security group ingress and its MSK interface VPC endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .client import Reader
from .msk import Cluster

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import IpPermissionOutputTypeDef


def ingress_rules(permission: IpPermissionOutputTypeDef) -> list[dict[str, Any]]:
    """One snapshot ingress rule per peer of an EC2 IpPermission."""
    protocol = str(permission.get("IpProtocol", "-1"))
    base: dict[str, Any] = {
        "protocol": "all" if protocol == "-1" else protocol,
        "from_port": permission.get("FromPort"),
        "to_port": permission.get("ToPort"),
    }
    peers: list[tuple[str, str, str | None]] = []
    peers += [
        (r["CidrIp"], "cidr", r.get("Description"))
        for r in permission.get("IpRanges", [])
        if "CidrIp" in r
    ]
    peers += [
        (r["CidrIpv6"], "cidr", r.get("Description"))
        for r in permission.get("Ipv6Ranges", [])
        if "CidrIpv6" in r
    ]
    peers += [
        (r["PrefixListId"], "prefix_list", r.get("Description"))
        for r in permission.get("PrefixListIds", [])
        if "PrefixListId" in r
    ]
    peers += [
        (r["GroupId"], "security_group", r.get("Description"))
        for r in permission.get("UserIdGroupPairs", [])
        if "GroupId" in r
    ]
    return [
        {**base, "peer": peer, "peer_type": kind, "description": description}
        for peer, kind, description in peers
    ]


def collect(reader: Reader, cluster: Cluster) -> None:
    network = reader.snapshot.get("network")
    if network is None:
        return
    if not cluster.security_groups:
        # Ingress cannot be read without the groups; an empty list would look like "closed".
        reader.gap(
            "network",
            "the cluster description names no security groups",
            "ec2:DescribeSecurityGroups",
        )
        return
    ec2 = reader.ec2()
    groups = ec2.get_paginator("describe_security_groups")
    pages = reader.call(
        "network",
        "ec2:DescribeSecurityGroups",
        lambda: list(groups.paginate(GroupIds=list(cluster.security_groups))),
    )
    if pages is None:
        return
    rules: dict[str, dict[str, Any]] = {}
    vpcs: set[str] = set()
    for page in pages:
        for group in page.get("SecurityGroups", []):
            if group.get("VpcId"):
                vpcs.add(group["VpcId"])
            for permission in group.get("IpPermissions", []):
                for rule in ingress_rules(permission):
                    key = f"{rule['protocol']}|{rule['from_port']}|{rule['to_port']}|{rule['peer']}"
                    rules.setdefault(key, rule)
    network["ingress"] = [rules[k] for k in sorted(rules)]
    if not vpcs:
        return
    endpoints = ec2.get_paginator("describe_vpc_endpoints")
    found = reader.shared(  # a VPC's endpoints, shared by the clusters in it
        (reader.config.region, tuple(sorted(vpcs))),
        "network",
        "ec2:DescribeVpcEndpoints",
        lambda: list(endpoints.paginate(Filters=[{"Name": "vpc-id", "Values": sorted(vpcs)}])),
    )
    if found is None:
        return
    # Interface endpoints for the MSK API in the cluster's VPC.
    ids = [
        e["VpcEndpointId"]
        for page in found
        for e in page.get("VpcEndpoints", [])
        if "kafka" in e.get("ServiceName", "")
    ]
    network["private_endpoints"] = sorted({*network.get("private_endpoints", []), *ids})
