"""checker/authority.py: the access facts normalisation gives the policies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from checker.authority import (
    EVERYONE,
    Probe,
    active_groups,
    authorizer_settings,
    parity_facts,
    region_access,
    scram_users,
    transactional_facts,
    write_facts,
)
from checker.authz.kafka import ResourceType
from checker.errors import InputError
from checker.grants import from_iam
from checker.identity import Canon, parse_arn

ACCOUNT = "111122223333"
CANON = Canon({})


def acl(principal: str, operation: str, name: str, **fields: str) -> dict[str, str]:
    return {
        "principal": principal,
        "resource_type": fields.get("rtype", "TOPIC"),
        "pattern_type": fields.get("pattern", "LITERAL"),
        "resource_name": name,
        "operation": operation,
        "permission": fields.get("permission", "ALLOW"),
        "host": fields.get("host", "*"),
    }


def snapshot(
    kind: str = "kafka",
    acls: Sequence[dict[str, str]] = (),
    config: dict[str, str] | None = None,
    iam: Sequence[dict[str, Any]] = (),
    authentication: dict[str, Any] | None = None,
    region: str = "us-east-1",
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "region": region,
        "cluster": {
            "id": f"arn:aws:kafka:{region}:{ACCOUNT}:cluster/orders-{region}/0a1b2c3d-1",
            "name": f"orders-{region}",
            "kind": kind,
        },
        "acls": list(acls),
        "iam_grants": list(iam),
        "broker_config": dict(config or {}),
    }
    if authentication is not None:
        doc["authentication"] = authentication
    return doc


def access(doc: dict[str, Any], canon: Canon = CANON, role: str = "primary") -> Any:
    return region_access(doc, role, canon, role)


def never(_: str) -> bool:
    return False


TOPICS = {"orders": [("orders.created", "orders.created"), ("orders.paid", "orders.paid")]}


# --- settings and which authorizer applies ---------------------------------------------------


def test_authorizer_settings_follow_the_snapshot_or_the_platform() -> None:
    kafka = authorizer_settings(snapshot(config={"authorizer.class.name": ""}), CANON)
    assert kafka.enabled is False
    msk = authorizer_settings(
        snapshot("msk", config={"allow.everyone.if.no.acl.found": "true"}), CANON
    )
    assert msk.enabled and msk.allow_everyone_if_no_acl_found
    unknown = authorizer_settings(
        snapshot("strimzi", config={"super.users": "User:a; User:b"}), CANON
    )
    assert unknown.enabled and unknown.super_users == {"User:a", "User:b"}


@pytest.mark.parametrize(
    ("kind", "authentication", "acls_apply", "iam_applies"),
    [
        (
            "msk",
            {"iam": True, "scram": False, "mtls": False, "unauthenticated": False},
            False,
            True,
        ),
        ("msk", {"iam": True, "scram": True}, True, True),
        ("msk", {"iam": False, "mtls": True}, True, False),
        ("msk", None, True, True),
        ("msk-serverless", None, False, True),
        ("kafka", {"iam": True}, True, False),
        ("strimzi", None, True, False),
    ],
)
def test_which_authorizer_applies(
    kind: str, authentication: dict[str, Any] | None, acls_apply: bool, iam_applies: bool
) -> None:
    region = access(snapshot(kind, authentication=authentication))
    assert (region.acls_apply, region.iam_applies) == (acls_apply, iam_applies)


def test_match_patterns_are_filters_not_bindings_and_bad_acls_name_the_snapshot() -> None:
    region = access(snapshot(acls=[acl("User:a", "WRITE", "orders.*", pattern="MATCH")]))
    assert region.authorizer.bindings() == ()
    with pytest.raises(InputError, match=r"^primary: ACL principal 'alice' has no type"):
        access(snapshot(acls=[acl("alice", "READ", "t")]))


# --- write authority -------------------------------------------------------------------------


def test_writers_with_why_topics_and_hosts() -> None:
    region = access(
        snapshot(
            acls=[
                acl("User:app", "WRITE", "orders.", pattern="PREFIXED"),
                acl("User:app", "WRITE", "orders.paid", permission="DENY"),
                acl("User:batch", "WRITE", "orders.", pattern="PREFIXED"),
                acl(
                    "User:batch",
                    "WRITE",
                    "orders.",
                    pattern="PREFIXED",
                    permission="DENY",
                    host="10.0.0.5",
                ),
                acl("User:ro", "READ", "orders.", pattern="PREFIXED"),
            ],
            config={"super.users": "User:admin"},
        )
    )
    facts = write_facts(region, TOPICS, never)
    assert facts["writers"]["orders"] == [
        {
            "principal": "User:admin",
            "topics": ["orders.created", "orders.paid"],
            "every_topic": True,
            "why": ["a super user (super.users)"],
        },
        {
            "principal": "User:app",
            "topics": ["orders.created"],
            "every_topic": False,
            "why": ["ACL ALLOW User:app WRITE on TOPIC PREFIXED 'orders.' from host *"],
        },
        {
            "principal": "User:batch",
            "topics": ["orders.created", "orders.paid"],
            "every_topic": True,
            "why": [
                "ACL ALLOW User:batch WRITE on TOPIC PREFIXED 'orders.' from host * "
                "(from every host but 10.0.0.5)"
            ],
        },
    ]


def test_no_authorizer_and_allow_everyone_mean_any_principal() -> None:
    none = write_facts(
        access(
            snapshot(
                acls=[acl("User:ro", "READ", "orders.created")],
                config={"authorizer.class.name": ""},
            )
        ),
        TOPICS,
        never,
    )
    assert [w["principal"] for w in none["writers"]["orders"]] == [EVERYONE]
    assert none["writers"]["orders"][0]["why"] == [
        "the broker has no authorizer: every client may write"
    ]
    everyone = write_facts(
        access(
            snapshot(
                acls=[acl("User:ro", "READ", "orders.created")],
                config={"allow.everyone.if.no.acl.found": "true"},
            )
        ),
        TOPICS,
        never,
    )
    # orders.created has an ACL (allow.everyone no longer applies there), orders.paid none
    assert everyone["writers"]["orders"] == [
        {
            "principal": EVERYONE,
            "topics": ["orders.paid"],
            "every_topic": False,
            "why": ["no ACL matches the resource and allow.everyone.if.no.acl.found=true"],
        }
    ]


def test_replicators_and_admins_are_apart() -> None:
    region = access(snapshot(acls=[acl("User:mm2", "WRITE", "*"), acl("User:ops", "ALL", "*")]))
    facts = write_facts(region, TOPICS, lambda p: p == "User:mm2", lambda p: p == "User:ops")
    assert facts == {
        "writers": {},
        "replicators": {"orders": ["User:mm2"]},
        "admins": {"orders": ["User:ops"]},
    }


def test_iam_writers_on_msk_with_wildcard_regions() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/orders-writer"
    grant = {
        "principal": role,
        "effect": "Allow",
        "policy": "orders-writer",
        "actions": [
            "kafka-cluster:Connect",
            "kafka-cluster:DescribeTopic",
            "kafka-cluster:WriteData",
        ],
        "resources": [
            f"arn:aws:kafka:*:{ACCOUNT}:cluster/orders-*/*",
            f"arn:aws:kafka:us-*:{ACCOUNT}:topic/orders-*/*/orders.*",
        ],
    }
    only_iam = {"iam": True, "scram": False, "mtls": False, "unauthenticated": False}
    region = access(
        snapshot("msk", acls=[acl("User:x", "WRITE", "*")], iam=[grant], authentication=only_iam)
    )
    facts = write_facts(region, TOPICS, never)
    [writer] = facts["writers"]["orders"]
    assert writer["principal"] == "iam:role/orders-writer" and writer["every_topic"]
    assert writer["why"][0].startswith("IAM Allow statement in orders-writer: Action [")
    # without Connect on the cluster, WriteData alone is no write access
    grant["actions"] = ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]
    region = access(snapshot("msk", iam=[grant], authentication=only_iam))
    assert write_facts(region, TOPICS, never)["writers"] == {}


def test_wildcard_region_iam_grants_are_keyed_not_dropped() -> None:
    assert parse_arn(f"arn:aws:kafka:*:{ACCOUNT}:topic/orders-*/*/orders.*") is not None
    grants = list(
        from_iam(
            [
                {
                    "principal": "arn:aws:iam::1:role/w",
                    "actions": ["kafka-cluster:WriteData"],
                    "resources": [f"arn:aws:kafka:*:{ACCOUNT}:topic/orders-*/*/orders.*"],
                }
            ],
            ("orders-us-east-1", "orders"),
            CANON,
        )
    )
    assert [(g.resource_type, g.pattern_type, g.resource_name, g.operation) for g in grants] == [
        ("TOPIC", "PREFIXED", "orders.", "WRITE")
    ]


# --- access parity ---------------------------------------------------------------------------


def parity(
    primary: dict[str, Any],
    secondary: dict[str, Any],
    topics: Sequence[tuple[str, str, str]],
    canon: Canon = CANON,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    a = region_access(primary, "primary", canon, "primary")
    b = region_access(secondary, "secondary", canon, "secondary")
    probes = {ResourceType.TOPIC: [Probe(*t) for t in topics]}
    families = {"orders": [t[0] for t in topics]}
    return parity_facts(a, b, probes, families, never)


TOPIC_PAIRS = [
    ("orders.created", "orders.created", "use1.orders.created"),
    ("orders.paid", "orders.paid", "use1.orders.paid"),
]


def test_parity_follows_renaming_and_pattern_types() -> None:
    primary = snapshot(
        acls=[acl("User:ro", op, "orders.", pattern="PREFIXED") for op in ("READ", "DESCRIBE")]
    )
    secondary = snapshot(
        acls=[
            acl("User:ro", op, f"use1.{t}")
            for op in ("READ", "DESCRIBE")
            for t in ("orders.created", "orders.paid")
        ]
    )
    assert parity(primary, secondary, TOPIC_PAIRS) == ([], [])


def test_parity_reports_what_is_missing_and_what_is_broader() -> None:
    primary = snapshot(acls=[acl("User:ro", "READ", "orders.", pattern="PREFIXED")])
    secondary = snapshot(
        acls=[
            acl("User:ro", "READ", "use1.orders.created"),
            acl("User:*", "READ", "use1.orders.", pattern="PREFIXED"),
        ]
    )
    missing, extra = parity(primary, secondary, TOPIC_PAIRS)
    # User:ro keeps READ on both through User:*; every other principal gains it
    assert missing == []
    assert extra == [
        {
            "principal": "User:*",
            "host": "*",
            "resource_type": "TOPIC",
            "operations": ["DESCRIBE", "READ"],
            "broad": True,
            "names": ["orders.created", "orders.paid"],
            "summary": "every topic of family orders",
            "why": ["ACL ALLOW User:* READ on TOPIC PREFIXED 'use1.orders.' from host *"],
        }
    ]


def test_parity_leaves_write_to_write_authority_and_settings_to_acl_007() -> None:
    primary = snapshot(
        acls=[acl("User:app", "WRITE", "orders.", pattern="PREFIXED")],
        config={"super.users": "User:admin"},
    )
    secondary = snapshot(acls=[acl("User:other", "READ", "use1.orders.paid")])
    missing, extra = parity(primary, secondary, TOPIC_PAIRS)
    assert missing == []
    assert [(e["principal"], e["operations"], e["names"]) for e in extra] == [
        ("User:other", ["DESCRIBE", "READ"], ["orders.paid"])
    ]


def test_parity_compares_hosts_through_equivalences() -> None:
    canon = Canon({"10.10.0.5": "host:batch", "10.20.0.5": "host:batch"})
    primary = snapshot(acls=[acl("User:ro", "READ", "orders.created", host="10.10.0.5")])
    secondary = snapshot(acls=[acl("User:ro", "READ", "use1.orders.created", host="10.20.0.5")])
    assert parity(primary, secondary, TOPIC_PAIRS[:1], canon) == ([], [])
    missing, _ = parity(primary, secondary, TOPIC_PAIRS[:1])
    assert [(e["principal"], e["host"]) for e in missing] == [("User:ro", "10.10.0.5")]


def test_iam_parity_compares_actions_on_each_region_s_arns() -> None:
    def reader(region: str, actions: list[str]) -> dict[str, Any]:
        return {
            "principal": f"arn:aws:iam::{ACCOUNT}:role/reader",
            "effect": "Allow",
            "actions": actions,
            "resources": [f"arn:aws:kafka:{region}:{ACCOUNT}:topic/orders-{region}/*/orders.*"],
        }

    only_iam = {"iam": True, "scram": False, "mtls": False, "unauthenticated": False}
    primary = snapshot(
        "msk",
        iam=[reader("us-east-1", ["kafka-cluster:ReadData", "kafka-cluster:WriteData"])],
        authentication=only_iam,
    )
    secondary = snapshot(
        "msk",
        iam=[reader("us-west-2", ["kafka-cluster:ReadData"])],
        authentication=only_iam,
        region="us-west-2",
    )
    pairs = [("orders.created", "orders.created", "orders.created")]
    assert parity(primary, secondary, pairs) == ([], [])
    secondary["iam_grants"] = []
    missing, _ = parity(primary, secondary, pairs)
    assert [(e["principal"], e["operations"], e["names"]) for e in missing] == [
        ("iam:role/reader", ["kafka-cluster:ReadData"], ["orders.created"])
    ]


# --- transactional producers, SCRAM users, groups --------------------------------------------


def test_kafka_transactional_producers_need_describe_and_write_on_an_id() -> None:
    region = access(
        snapshot(
            acls=[
                acl("User:tx", "WRITE", "orders-", pattern="PREFIXED", rtype="TRANSACTIONAL_ID"),
                acl(
                    "User:half", "DESCRIBE", "orders-", pattern="PREFIXED", rtype="TRANSACTIONAL_ID"
                ),
            ]
        )
    )
    assert transactional_facts(region, ["User:tx", "User:half", "User:none"]) == {
        "User:half": {"allowed": False, "missing": ["WRITE on TRANSACTIONAL_ID"]},
        "User:none": {
            "allowed": False,
            "missing": ["DESCRIBE on TRANSACTIONAL_ID", "WRITE on TRANSACTIONAL_ID"],
        },
        "User:tx": {"allowed": True, "missing": []},
    }
    iam_only = access(snapshot("msk", authentication={"iam": True, "scram": False}))
    assert transactional_facts(iam_only, ["User:tx"])["User:tx"]["missing"] == [
        "a Kafka ACL principal cannot connect: the cluster authenticates with IAM only"
    ]


def test_scram_users_are_canonical_principals_without_replicators() -> None:
    doc = {"authentication": {"scram_users": ["app", "mm2-use1", "legacy"]}}
    canon = Canon({"User:legacy": "User:app"})
    assert scram_users(doc, canon, lambda p: p.startswith("User:mm2-")) == ["User:app"]


def test_active_groups_leave_out_replication_tools() -> None:
    groups = {
        "ledger-reader.ledger": {"active": True, "families": ["ledger"]},
        "idle": {"active": False, "families": ["ledger"]},
        "mm2-use1": {"active": True, "families": ["ledger"]},
        "connect-mirror": {"active": True, "families": ["ledger"]},
    }
    assert active_groups(groups) == {"ledger": ["ledger-reader.ledger"]}


def test_grants_for_topics_still_to_come_are_compared() -> None:
    from checker.authority import granted_only_probes

    primary = access(
        snapshot(
            acls=[
                acl("User:ro", "READ", "orders.v2"),  # no such topic yet
                acl("User:ro", "READ", "orders.created"),  # an existing topic
                acl("User:ro", "READ", "returns.", pattern="PREFIXED"),  # no topic starts so
                acl("User:ro", "READ", "orders.", pattern="PREFIXED"),  # topics exist
            ]
        )
    )
    secondary = access(snapshot(acls=[acl("User:ro", "READ", "use1.returns.", pattern="PREFIXED")]))

    def strip(role: str, name: str) -> str:
        return name.removeprefix("use1.") if role == "secondary" else name

    probes = granted_only_probes(
        {"primary": primary, "secondary": secondary},
        ["orders.created", "orders.paid"],
        lambda _: True,
        strip,
    )
    assert probes == [
        Probe("orders.v2", "orders.v2", "orders.v2"),
        Probe("returns.", "returns.", "use1.returns."),
    ]


def test_msk_cluster_from_the_snapshot() -> None:
    from checker.authority import msk_cluster

    arn = f"arn:aws:kafka:us-east-1:{ACCOUNT}"
    full = msk_cluster({"cluster": {"id": f"{arn}:cluster/orders/0a1b-1", "name": "x"}})
    assert (full.name, full.uuid, full.account) == ("orders", "0a1b-1", ACCOUNT)
    short = msk_cluster({"cluster": {"id": f"{arn}:cluster/0a1b-1", "name": "orders"}})
    assert (short.region, short.account, short.name, short.uuid) == (
        "us-east-1",
        ACCOUNT,
        "orders",
        "0a1b-1",
    )
    other = msk_cluster({"region": "eu-west-1", "cluster": {"id": "orders-prod", "name": "orders"}})
    assert (other.region, other.name, other.uuid) == ("eu-west-1", "orders", "unknown")
