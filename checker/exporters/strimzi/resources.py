"""Strimzi Kafka, KafkaTopic and KafkaUser resources -> snapshot areas.

- Kafka: listeners (TLS, authentication, network policy peers, external exposure) give
  authentication, encryption in transit, network; spec.kafka.config and authorization give
  broker_config. Strimzi always encrypts broker-to-broker traffic (in_cluster true); encryption
  at rest belongs to the storage class, which the resource does not describe (not recorded).
  Listener types: internal and cluster-ip stay inside Kubernetes; route, tlsroute,
  loadbalancer, nodeport and ingress expose the cluster; any other type is a network gap
  (never taken for internal). Authentication tls, scram-sha-512, oauth and custom are recorded
  by type; another type is an authentication gap. KafkaNodePool resources hold replicas, roles
  and storage, none of which the snapshot records: a node-pool cluster reads like the rest.
- KafkaTopic (labelled strimzi.io/cluster=<the Kafka>): name (spec.topicName or metadata.name),
  partitions, replicas, config.
- KafkaUser (same label; v1beta1 and v1beta2, which share one schema, and v1): authentication,
  spec.authorization.acls -> acls with principal User:<name> (User:CN=<name> for TLS users, as
  Strimzi's authorizer sees them), spec.quotas. v1 dropped the single `operation` form: a v1
  rule without `operations` is a gap. A user this exporter cannot read makes every area it
  feeds a gap: acls, quotas and authentication (the SCRAM users).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...redact import scrub
from .._shared.snapshot import Gaps
from .manifests import Resource, listed, mapping, mappings

EXTERNAL = frozenset({"route", "tlsroute", "loadbalancer", "nodeport", "ingress"})
INTERNAL = frozenset({"internal", "cluster-ip"})
LISTENER_TYPES = ", ".join(sorted(INTERNAL | EXTERNAL))
# listener authentication type -> the snapshot's authentication field
AUTHENTICATION = {
    "tls": "mtls",
    "scram-sha-512": "scram",
    "oauth": "oauth",  # v1beta2 only: v1 expresses OAuth as custom
    "custom": "custom",
}
# The areas a KafkaUser feeds: its ACLs, its quotas, and the SCRAM users of authentication.
USER_AREAS = ("acls", "quotas", "authentication")
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
    snapshot["authentication"] = _authentication(listeners, resource, gaps)
    tls = [x.get("tls") is True for x in listeners]
    client_broker = "TLS" if all(tls) else "TLS_PLAINTEXT" if any(tls) else "PLAINTEXT"
    # Strimzi always runs replication and the control plane over TLS listeners of its own.
    snapshot["encryption"] = {"in_transit": {"client_broker": client_broker, "in_cluster": True}}
    _listener_types(listeners, resource, gaps)
    snapshot["network"] = {
        "public_access": any(_public(x) for x in listeners),
        "plaintext_listener": not all(tls),
        "multi_vpc": False,
        "private_endpoints": [],
        "ingress": _ingress(listeners),
    }
    snapshot["broker_config"] = _broker_config(spec, resource, gaps)


def _authentication(
    listeners: list[Mapping[str, Any]], resource: Resource, gaps: Gaps
) -> dict[str, Any]:
    found = dict.fromkeys(("iam", "scram", "mtls", "unauthenticated", "oauth", "custom"), False)
    for index, listener in enumerate(listeners):
        auth = listener.get("authentication")
        if auth is None:
            found["unauthenticated"] = True
            continue
        kind = mapping(auth).get("type")
        field = AUTHENTICATION.get(str(kind)) if isinstance(kind, str) else None
        if field is None:
            gaps.add(
                "authentication",
                f"{resource.ref} listener {_listener_name(listener, index)}: authentication "
                f"type {kind!r} is not one this exporter reads ({', '.join(AUTHENTICATION)})",
            )
            continue
        found[field] = True
    return found


def _listener_name(listener: Mapping[str, Any], index: int) -> str:
    name = listener.get("name")
    return str(name) if isinstance(name, str) and name else f"listeners[{index}]"


def _listener_types(listeners: list[Mapping[str, Any]], resource: Resource, gaps: Gaps) -> bool:
    """True when every listener's type is one this exporter knows; a gap for each other."""
    known = True
    for index, listener in enumerate(listeners):
        kind = listener.get("type")
        if not isinstance(kind, str) or kind not in INTERNAL | EXTERNAL:
            known = False
            gaps.add(
                "network",
                f"{resource.ref} listener {_listener_name(listener, index)}: type {kind!r} is "
                f"not one this exporter knows ({LISTENER_TYPES}); its exposure is unknown",
            )
    return known


def _public(listener: Mapping[str, Any]) -> bool:
    kind = str(listener.get("type"))
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
        kind = str(listener.get("type"))
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


USER_AUTHENTICATION = frozenset({"tls", "tls-external", "scram-sha-512"})


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
        if auth is not None:
            kind = mapping(auth).get("type")
            if not isinstance(kind, str) or kind not in USER_AUTHENTICATION:
                for area in ("acls", "authentication"):  # its principal, its SCRAM user
                    gaps.add(
                        area,
                        f"{resource.ref}: authentication type {kind!r} is not one this "
                        f"exporter reads ({', '.join(sorted(USER_AUTHENTICATION))})",
                    )
            elif kind == "scram-sha-512":
                scram.append(resource.name)  # the name only: the password lives in a Secret
        authorization = resource.spec.get("authorization")
        if isinstance(authorization, Mapping):
            if authorization.get("type", "simple") != "simple":
                gaps.add(
                    "acls",
                    f"{resource.ref}: authorization type {authorization.get('type')} is not simple",
                )
            rules = authorization.get("acls")
            if rules is not None and not isinstance(rules, list):
                gaps.add("acls", f"{resource.ref}: spec.authorization.acls is not a list")
            for index, rule in enumerate(rules if isinstance(rules, list) else []):
                acls += _acl(rule, who, resource, f"{resource.ref} acls[{index}]", gaps)
        elif authorization is not None:
            gaps.add("acls", f"{resource.ref}: spec.authorization is not a mapping")
        limits = resource.spec.get("quotas")
        if isinstance(limits, Mapping):
            values = {}
            for key, value in limits.items():
                number = isinstance(value, int | float) and not isinstance(value, bool)
                if key not in QUOTAS or not number:
                    gaps.add(
                        "quotas",
                        f"{resource.ref}: quota {key}: {value!r} is not one this exporter reads "
                        f"({', '.join(QUOTAS)}, numbers)",
                    )
                    continue
                values[QUOTAS[key]] = value
            if values:
                quotas.append({"entity_type": "user", "entity": who, "values": values})
        elif limits is not None:
            gaps.add("quotas", f"{resource.ref}: spec.quotas is not a mapping")
    unique = {tuple(sorted(a.items())): a for a in acls}
    snapshot["acls"] = [unique[k] for k in sorted(unique)]
    snapshot["quotas"] = sorted(quotas, key=lambda q: str(q["entity"]))
    if "authentication" in snapshot:
        snapshot["authentication"]["scram_users"] = sorted(set(scram))


def unread_users(resources: list[Resource], gaps: Gaps) -> None:
    """KafkaUsers of an API version this exporter does not read: every area they feed is a
    gap (their ACLs, quotas and SCRAM users are unknown, not empty)."""
    for resource in resources:
        for area in USER_AREAS:
            gaps.add(
                area,
                f"{resource.ref} has apiVersion {resource.api_version}, which this exporter "
                "does not read (kafka.strimzi.io/v1beta1, v1beta2 or v1)",
            )


def _acl(rule: Any, who: str, resource: Resource, where: str, gaps: Gaps) -> list[dict[str, str]]:
    if not isinstance(rule, Mapping) or not isinstance(rule.get("resource"), Mapping):
        gaps.add("acls", f"{where}: not an ACL rule")
        return []
    target = mapping(rule["resource"])
    rtype = ACL_TYPES.get(str(target.get("type", "")).lower())
    pattern = ACL_PATTERNS.get(str(target.get("patternType", "literal")).lower())
    permission = {"allow": "ALLOW", "deny": "DENY"}.get(str(rule.get("type", "allow")).lower())
    operations = rule.get("operations")
    if operations is None and rule.get("operation") is not None:
        if resource.version == "v1":
            gaps.add(
                "acls",
                f"{where}: kafka.strimzi.io/v1 has no `operation` (it takes `operations`): "
                "the API server rejects this KafkaUser",
            )
            return []
        operations = [rule["operation"]]  # the deprecated single form (v1beta1, v1beta2)
    ops = [ACL_OPERATIONS.get(str(o).lower()) for o in listed(operations)]
    name = target.get("name")
    named = rtype == "CLUSTER" or (isinstance(name, str) and name != "")
    if (
        rtype is None
        or pattern is None
        or permission is None
        or not named
        or not ops
        or None in ops
    ):
        gaps.add(
            "acls",
            f"{where}: a rule this exporter cannot represent "
            f"({target.get('type')}/{target.get('patternType')}/{name}/{operations})",
        )
        return []
    found = rule.get("host")
    host = found if isinstance(found, str) and found else "*"
    return [
        {
            "principal": who,
            "resource_type": rtype,
            "pattern_type": pattern,
            "resource_name": "kafka-cluster" if rtype == "CLUSTER" else str(name),
            "operation": str(op),
            "permission": permission,
            "host": host,
        }
        for op in ops
    ]
