"""Strimzi Kafka, KafkaTopic and KafkaUser resources -> snapshot areas.

- Kafka: listeners (TLS, authentication, network policy peers, external exposure) give
  authentication, encryption in transit, network; spec.kafka.config and authorization give
  broker_config. Strimzi always encrypts broker-to-broker traffic (in_cluster true); encryption
  at rest belongs to the storage class, which the resource does not describe (not recorded).
- KafkaTopic (labelled strimzi.io/cluster=<the Kafka>): name (spec.topicName or metadata.name),
  partitions, replicas, config.
- KafkaUser (same label): authentication, spec.authorization.acls -> acls with principal
  User:<name> (User:CN=<name> for TLS users, as Strimzi's authorizer sees them), spec.quotas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...redact import scrub
from .._shared.snapshot import Gaps
from .manifests import Resource, listed, mapping, mappings

EXTERNAL = frozenset({"route", "loadbalancer", "nodeport", "ingress"})
INTERNAL_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
    "networking.gke.io/load-balancer-type": "internal",
    "cloud.google.com/load-balancer-type": "internal",
}
ACL_TYPES = {
    "topic": "TOPIC",
    "group": "GROUP",
    "cluster": "CLUSTER",
    "transactionalid": "TRANSACTIONAL_ID",
}
ACL_PATTERNS = {"literal": "LITERAL", "prefix": "PREFIXED"}
ACL_OPERATIONS = {
    op.replace("_", "").lower(): op
    for op in (
        "ALL",
        "READ",
        "WRITE",
        "CREATE",
        "DELETE",
        "ALTER",
        "DESCRIBE",
        "CLUSTER_ACTION",
        "DESCRIBE_CONFIGS",
        "ALTER_CONFIGS",
        "IDEMPOTENT_WRITE",
    )
}
QUOTAS = {
    "producerByteRate": "producer_byte_rate",
    "consumerByteRate": "consumer_byte_rate",
    "requestPercentage": "request_percentage",
    "controllerMutationRate": "controller_mutation_rate",
}
TLS_USERS = frozenset({"tls", "tls-external"})


def text(value: Any) -> str:
    """A Kafka configuration value as the broker sees it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def kafka(snapshot: dict[str, Any], resource: Resource, gaps: Gaps) -> None:
    spec = mapping(resource.spec.get("kafka"))
    cluster: dict[str, Any] = {
        "id": f"strimzi:{resource.namespace or 'default'}/{resource.name}",
        "name": resource.name,
        "kind": "strimzi",
    }
    if isinstance(spec.get("version"), str | int | float) and spec.get("version"):
        cluster["kafka_version"] = str(spec["version"])
    snapshot["cluster"] = cluster
    listeners = mappings(spec.get("listeners"))
    if not listeners:
        for area in ("authentication", "encryption", "network"):
            gaps.add(area, f"{resource.ref} declares no listeners")
        return
    auth_types = [str(mapping(x.get("authentication")).get("type") or "") for x in listeners]
    snapshot["authentication"] = {
        "iam": False,
        "scram": "scram-sha-512" in auth_types,
        "mtls": "tls" in auth_types,
        "unauthenticated": "" in auth_types,
    }
    tls = [x.get("tls") is True for x in listeners]
    client_broker = "TLS" if all(tls) else "TLS_PLAINTEXT" if any(tls) else "PLAINTEXT"
    # Strimzi always runs replication and the control plane over TLS listeners of its own.
    snapshot["encryption"] = {"in_transit": {"client_broker": client_broker, "in_cluster": True}}
    snapshot["network"] = {
        "public_access": any(_public(x) for x in listeners),
        "plaintext_listener": not all(tls),
        "multi_vpc": False,
        "private_endpoints": [],
        "ingress": _ingress(listeners),
    }
    snapshot["broker_config"] = _broker_config(spec, resource, gaps)


def _public(listener: Mapping[str, Any]) -> bool:
    kind = str(listener.get("type", "internal"))
    if kind not in EXTERNAL:
        return False
    if kind != "loadbalancer":
        return True
    config = mapping(listener.get("configuration"))
    annotations = mapping(mapping(config.get("bootstrap")).get("annotations"))
    return not any(
        str(annotations.get(k, "")).lower() == v for k, v in INTERNAL_ANNOTATIONS.items()
    )


def _selector(prefix: str, selector: Any) -> str:
    if not isinstance(selector, Mapping):
        return f"{prefix}(*)"
    labels = mapping(selector.get("matchLabels"))
    text_labels = ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or "*"
    return f"{prefix}({text_labels})"


def _ingress(listeners: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    for listener in listeners:
        port = listener.get("port")
        port = (
            port
            if isinstance(port, int) and not isinstance(port, bool) and 0 <= port <= 65535
            else None
        )
        base = {
            "protocol": "tcp",
            "from_port": port,
            "to_port": port,
            "description": f"listener {listener.get('name', '?')}",
        }
        peers: list[tuple[str, str]] = []
        for peer in mappings(listener.get("networkPolicyPeers")):
            cidr = mapping(peer.get("ipBlock")).get("cidr")
            if isinstance(cidr, str) and cidr:
                peers.append((cidr, "cidr"))
                continue
            parts = []
            if "namespaceSelector" in peer:
                parts.append(_selector("namespace", peer["namespaceSelector"]))
            if "podSelector" in peer:
                parts.append(_selector("pod", peer["podSelector"]))
            peers.append(("k8s:" + "/".join(parts or ["any"]), "security_group"))
        kind = str(listener.get("type", "internal"))
        ranges = listed(mapping(listener.get("configuration")).get("loadBalancerSourceRanges"))
        if not peers and kind == "loadbalancer" and ranges:
            peers = [(str(r), "cidr") for r in ranges]
        if not peers:
            if kind not in EXTERNAL:
                peers = [("k8s:any-pod", "security_group")]
            elif _public(listener):
                peers = [("0.0.0.0/0", "cidr")]
            else:
                peers = [("network:internal-load-balancer", "security_group")]
        rules += [{**base, "peer": peer, "peer_type": kind_} for peer, kind_ in peers]
    unique = {f"{r['from_port']}|{r['peer']}": r for r in rules}
    return [unique[k] for k in sorted(unique)]


# The authorizer class Strimzi configures for each spec.kafka.authorization.type (KRaft).
AUTHORIZERS = {
    "simple": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
    "keycloak": "io.strimzi.kafka.oauth.server.authorizer.KeycloakAuthorizer",
    "opa": "org.openpolicyagent.kafka.OpaAuthorizer",
}


def _broker_config(spec: Mapping[str, Any], resource: Resource, gaps: Gaps) -> dict[str, Any]:
    config = {str(k): text(v) for k, v in scrub(mapping(spec.get("config"))).items()}
    authorization = spec.get("authorization")
    kind = str(authorization.get("type")) if isinstance(authorization, Mapping) else None
    if kind is None:
        # no authorizer: every client may do everything, as if no ACL matched
        config.setdefault("authorizer.class.name", "")
        config.setdefault("allow.everyone.if.no.acl.found", "true")
    else:
        named = mapping(authorization).get("authorizerClass")  # the custom type names one
        config.setdefault("authorizer.class.name", str(named or AUTHORIZERS.get(kind, kind)))
        config.setdefault("allow.everyone.if.no.acl.found", "false")
        users = [f"User:{u}" for u in listed(mapping(authorization).get("superUsers"))]
        if users:
            config["super.users"] = ";".join(users)
        if kind != "simple":
            gaps.add(
                "acls",
                f"{resource.ref} uses {kind} authorization: its grants live "
                "outside the Strimzi resources",
            )
    return dict(sorted(config.items()))


def topics(snapshot: dict[str, Any], resources: list[Resource], gaps: Gaps) -> None:
    out: dict[str, Any] = {}
    for resource in resources:
        topic_name = resource.spec.get("topicName")
        name = topic_name if isinstance(topic_name, str) and topic_name else resource.name
        if name in out:
            gaps.add("topics", f"{resource.ref} declares topic {name} a second time")
            continue
        topic: dict[str, Any] = {}
        partitions = resource.spec.get("partitions")
        replicas = resource.spec.get("replicas")
        if (
            isinstance(partitions, int)
            and not isinstance(partitions, bool)
            and 0 < partitions <= 1_000_000
        ):
            topic["partitions"] = partitions
        if isinstance(replicas, int) and not isinstance(replicas, bool) and 0 < replicas <= 1000:
            topic["replication_factor"] = replicas
        config = resource.spec.get("config")
        topic["configs"] = (
            {str(k): text(v) for k, v in sorted(config.items())}
            if isinstance(config, Mapping)
            else {}
        )
        out[name] = topic
    snapshot["topics"] = dict(sorted(out.items()))


def principal(resource: Resource) -> str:
    auth = resource.spec.get("authentication")
    kind = str(auth.get("type")) if isinstance(auth, Mapping) else ""
    return f"User:CN={resource.name}" if kind in TLS_USERS else f"User:{resource.name}"


def users(snapshot: dict[str, Any], resources: list[Resource], gaps: Gaps) -> None:
    acls: list[dict[str, str]] = []
    quotas: list[dict[str, Any]] = []
    scram: list[str] = []
    for resource in resources:
        who = principal(resource)
        auth = resource.spec.get("authentication")
        if isinstance(auth, Mapping) and auth.get("type") == "scram-sha-512":
            scram.append(resource.name)  # the name only: the password lives in a Secret
        authorization = resource.spec.get("authorization")
        if isinstance(authorization, Mapping):
            if authorization.get("type", "simple") != "simple":
                gaps.add(
                    "acls",
                    f"{resource.ref}: authorization type {authorization.get('type')} is not simple",
                )
            for index, rule in enumerate(
                listed(authorization.get("acls"))
                if isinstance(authorization.get("acls"), list)
                else []
            ):
                acls += _acl(rule, who, f"{resource.ref} acls[{index}]", gaps)
        limits = resource.spec.get("quotas")
        if isinstance(limits, Mapping):
            values = {
                QUOTAS[k]: v
                for k, v in limits.items()
                if k in QUOTAS and isinstance(v, int | float) and not isinstance(v, bool)
            }
            if values:
                quotas.append({"entity_type": "user", "entity": who, "values": values})
    unique = {tuple(sorted(a.items())): a for a in acls}
    snapshot["acls"] = [unique[k] for k in sorted(unique)]
    snapshot["quotas"] = sorted(quotas, key=lambda q: str(q["entity"]))
    if "authentication" in snapshot:
        snapshot["authentication"]["scram_users"] = sorted(set(scram))


def _acl(rule: Any, who: str, where: str, gaps: Gaps) -> list[dict[str, str]]:
    if not isinstance(rule, Mapping) or not isinstance(rule.get("resource"), Mapping):
        gaps.add("acls", f"{where}: not an ACL rule")
        return []
    target = mapping(rule["resource"])
    rtype = ACL_TYPES.get(str(target.get("type", "")).lower())
    pattern = ACL_PATTERNS.get(str(target.get("patternType", "literal")).lower())
    permission = {"allow": "ALLOW", "deny": "DENY"}.get(str(rule.get("type", "allow")).lower())
    operations = rule.get("operations")
    if operations is None and rule.get("operation") is not None:
        operations = [rule["operation"]]  # the deprecated single form (v1beta2)
    ops = [ACL_OPERATIONS.get(str(o).lower()) for o in listed(operations)]
    if rtype is None or pattern is None or permission is None or not ops or None in ops:
        gaps.add(
            "acls",
            f"{where}: a rule this exporter cannot represent "
            f"({target.get('type')}/{target.get('patternType')}/{operations})",
        )
        return []
    name = "kafka-cluster" if rtype == "CLUSTER" else str(target.get("name", ""))
    found = rule.get("host")
    host = found if isinstance(found, str) and found else "*"
    return [
        {
            "principal": who,
            "resource_type": rtype,
            "pattern_type": pattern,
            "resource_name": name,
            "operation": str(op),
            "permission": permission,
            "host": host,
        }
        for op in ops
    ]
