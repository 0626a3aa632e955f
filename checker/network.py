"""Network facts computed in Python (the embedded engine has no net.cidr_* built-ins)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InputError
from .identity import Canon

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _cidr(peer: str, origin: str) -> Network:
    try:
        return ipaddress.ip_network(peer, strict=False)
    except ValueError:
        raise InputError(f"{origin}: ingress peer {peer!r} is not a CIDR block") from None


def internet_open(net: Network) -> bool:
    """Reachable from a large part of the public internet (0.0.0.0/0, ::/0 and the like)."""
    limit = 8 if net.version == 4 else 32
    return net.prefixlen <= limit and not net.is_private


def ingress_rule(
    raw: Mapping[str, Any], canon: Canon, origin: str
) -> tuple[str, dict[str, Any], str | None]:
    """(key, region-free rule, the rule's real CIDR or None for group and prefix-list peers)."""
    peer_type = raw.get("peer_type", "cidr")
    protocol = str(raw["protocol"]).lower()
    from_port = raw.get("from_port")
    to_port = raw.get("to_port")
    if protocol in ("-1", "all"):
        protocol, from_port, to_port = "all", 0, 65535
    from_port = 0 if from_port in (None, -1) else int(from_port)
    to_port = 65535 if to_port in (None, -1) else int(to_port)
    rule: dict[str, Any] = {
        "protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
        "peer_type": peer_type,
    }
    if peer_type == "cidr":
        net = _cidr(raw["peer"], origin)
        rule.update(
            peer=canon.text(str(net)),  # a declared equivalence names the CIDR region-free
            prefix_len=net.prefixlen,
            addresses=net.num_addresses if net.version == 4 else min(net.num_addresses, 2**63),
            internet_open=internet_open(net),
            public=not net.is_private,
        )
    else:
        rule.update(peer=canon.text(str(raw["peer"])), internet_open=False, public=False)
    key = f"{rule['protocol']}|{rule['from_port']}-{rule['to_port']}|{rule['peer']}"
    return key, rule, str(net) if peer_type == "cidr" else None


Rules = Mapping[str, Mapping[str, Any]]


def _covers(
    outer: Mapping[str, Any],
    outer_cidr: str | None,
    inner: Mapping[str, Any],
    inner_cidr: str | None,
) -> bool:
    if outer["protocol"] not in ("all", inner["protocol"]):
        return False
    if outer["from_port"] > inner["from_port"] or outer["to_port"] < inner["to_port"]:
        return False
    if inner["peer_type"] == outer["peer_type"] and inner["peer"] == outer["peer"]:
        return True
    if inner_cidr is None or outer_cidr is None:
        return False
    a = ipaddress.ip_network(inner_cidr)
    b = ipaddress.ip_network(outer_cidr)
    return a.version == b.version and a.subnet_of(b)  # type: ignore[arg-type]


def uncovered(
    rules: Rules,
    cidrs: Mapping[str, str | None],
    other: Rules,
    other_cidrs: Mapping[str, str | None],
) -> Sequence[str]:
    """Keys of `rules` that no rule of `other` allows as broadly (same or wider peer and ports)."""
    return sorted(
        key
        for key, rule in rules.items()
        if not any(_covers(o, other_cidrs.get(k), rule, cidrs.get(key)) for k, o in other.items())
    )
