"""Kafka ACL semantics of checker.authz.kafka, rule by rule (StandardAuthorizer, Kafka 4.x).

tests/kafka/test_authorizer_differential.py checks the same engine against a real broker.
"""

from __future__ import annotations

import random

import pytest

from checker.authz.kafka import (
    CONSUME,
    OTHER_HOSTS,
    OTHER_PRINCIPALS,
    PRODUCE,
    AclBinding,
    AclDecision,
    Authorizer,
    AuthorizerSettings,
    Operation,
    PatternType,
    Permission,
    Reason,
    ResourceType,
    acl,
    java_host_address,
)
from checker.errors import InputError

TOPIC = ResourceType.TOPIC
ALICE, BOB = "User:alice", "User:bob"
HOST = "10.0.0.5"


def allow(principal: str, operation: str, name: str, **kw: str) -> AclBinding:
    return acl(principal, "ALLOW", operation, kw.pop("resource_type", "TOPIC"), name, **kw)


def deny(principal: str, operation: str, name: str, **kw: str) -> AclBinding:
    return acl(principal, "DENY", operation, kw.pop("resource_type", "TOPIC"), name, **kw)


def can(
    authz: Authorizer,
    principal: str,
    operation: Operation,
    topic: str,
    host: str = HOST,
) -> bool:
    return authz.authorize(principal, host, operation, TOPIC, topic).allowed


# -- resource patterns ------------------------------------------------------------------------


def test_literal_binding_names_one_topic_exactly() -> None:
    authz = Authorizer([allow(ALICE, "WRITE", "orders")])
    decision = authz.authorize(ALICE, HOST, Operation.WRITE, TOPIC, "orders")
    assert decision == AclDecision(True, Reason.ALLOW_ACL, allow(ALICE, "WRITE", "orders"))
    assert not can(authz, ALICE, Operation.WRITE, "orders.created")
    assert not can(authz, ALICE, Operation.WRITE, "order")


def test_prefixed_binding_covers_its_prefix_and_the_name_itself() -> None:
    authz = Authorizer([allow(ALICE, "WRITE", "orders.", pattern_type="PREFIXED")])
    assert can(authz, ALICE, Operation.WRITE, "orders.created")
    assert can(authz, ALICE, Operation.WRITE, "orders.")
    assert not can(authz, ALICE, Operation.WRITE, "orders")
    assert not can(authz, ALICE, Operation.WRITE, "xorders.created")


def test_prefixed_and_literal_bindings_that_mean_the_same_give_the_same_access() -> None:
    topics = ["orders.a", "orders.b"]
    literal = Authorizer([allow(ALICE, "WRITE", t) for t in topics])
    prefixed = Authorizer([allow(ALICE, "WRITE", "orders.", pattern_type="PREFIXED")])
    for topic in topics:
        assert (
            literal.access(TOPIC, topic, [Operation.WRITE]).pairs()
            == prefixed.access(TOPIC, topic, [Operation.WRITE]).pairs()
        )


def test_literal_star_is_every_resource_of_its_type_and_prefixed_star_is_not() -> None:
    authz = Authorizer(
        [allow(ALICE, "READ", "*"), allow(BOB, "READ", "*", pattern_type="PREFIXED")]
    )
    assert can(authz, ALICE, Operation.READ, "anything")
    assert not can(authz, BOB, Operation.READ, "anything")
    assert can(authz, BOB, Operation.READ, "*starred")
    # a TOPIC wildcard says nothing about groups
    assert not authz.authorize(ALICE, HOST, Operation.READ, ResourceType.GROUP, "g").allowed


# -- principals and hosts ---------------------------------------------------------------------


def test_user_star_matches_every_user_but_principal_types_are_compared() -> None:
    authz = Authorizer([allow("User:*", "READ", "t"), allow("Group:ops", "WRITE", "t")])
    assert can(authz, ALICE, Operation.READ, "t")
    assert can(authz, "User:anyone", Operation.READ, "t")
    assert not can(authz, "User:ops", Operation.WRITE, "t")
    assert can(authz, "Group:ops", Operation.WRITE, "t")


def test_host_must_equal_the_client_address_or_be_star() -> None:
    authz = Authorizer([allow(ALICE, "WRITE", "t", host="10.0.0.5")])
    assert can(authz, ALICE, Operation.WRITE, "t", host="10.0.0.5")
    assert not can(authz, ALICE, Operation.WRITE, "t", host="10.0.0.6")


def test_host_names_never_match_a_client_only_ip_addresses_do() -> None:
    authz = Authorizer([allow(ALICE, "WRITE", "t", host="localhost")])
    access = authz.access(TOPIC, "t", [Operation.WRITE])
    # no client presents "localhost": the binding is inert and not a host class
    assert [h.host for h in access.principals[0].hosts] == [OTHER_HOSTS]
    assert access.allowed_principals() == ()
    assert not can(authz, ALICE, Operation.WRITE, "t", host="127.0.0.1")


def test_java_host_address_spells_addresses_as_the_broker_compares_them() -> None:
    assert java_host_address("127.0.0.1") == "127.0.0.1"
    assert java_host_address("::1") == "0:0:0:0:0:0:0:1"
    assert java_host_address("fe80::1:2") == "fe80:0:0:0:0:0:1:2"
    assert java_host_address("::ffff:10.1.2.3") == "10.1.2.3"
    assert java_host_address("localhost") is None
    # an ACL on "::1" can never match: the broker prints the client as 0:0:0:0:0:0:0:1
    authz = Authorizer([allow(ALICE, "WRITE", "t", host="::1")])
    assert authz.access(TOPIC, "t", [Operation.WRITE]).allowed_principals() == ()


# -- DENY before ALLOW, and its scope ---------------------------------------------------------


def test_deny_wins_over_allow_whatever_the_pattern() -> None:
    authz = Authorizer(
        [
            allow(ALICE, "WRITE", "*"),
            deny(ALICE, "WRITE", "orders.", pattern_type="PREFIXED"),
        ]
    )
    decision = authz.authorize(ALICE, HOST, Operation.WRITE, TOPIC, "orders.created")
    assert not decision.allowed
    assert decision.reason is Reason.DENY_ACL
    assert decision.via == deny(ALICE, "WRITE", "orders.", pattern_type="PREFIXED")
    assert "denied by DENY User:alice WRITE on TOPIC PREFIXED 'orders.'" in decision.explain()
    assert can(authz, ALICE, Operation.WRITE, "payments")


def test_deny_on_one_topic_of_a_prefix_removes_only_that_topic() -> None:
    authz = Authorizer(
        [
            allow(ALICE, "WRITE", "orders.", pattern_type="PREFIXED"),
            deny(ALICE, "WRITE", "orders.audit"),
        ]
    )
    writable = {
        a.resource_name: a.allowed_principals()
        for a in authz.access_many(
            TOPIC, ["orders.audit", "orders.created", "orders.shipped"], [Operation.WRITE]
        )
    }
    assert writable == {
        "orders.audit": (),
        "orders.created": (ALICE,),
        "orders.shipped": (ALICE,),
    }


def test_deny_scoped_to_one_host_removes_only_that_host() -> None:
    authz = Authorizer([allow(ALICE, "WRITE", "t"), deny(ALICE, "WRITE", "t", host="192.168.1.9")])
    assert not can(authz, ALICE, Operation.WRITE, "t", host="192.168.1.9")
    assert can(authz, ALICE, Operation.WRITE, "t", host="192.168.1.10")
    entry = authz.access(TOPIC, "t", [Operation.WRITE]).principals[0]
    assert entry.principal == ALICE
    assert entry.allowed_hosts == (OTHER_HOSTS,)
    assert entry.from_some_host
    assert not entry.from_every_host


def test_deny_for_one_operation_leaves_the_others() -> None:
    authz = Authorizer([allow(ALICE, "ALL", "t"), deny(ALICE, "READ", "t")])
    assert not can(authz, ALICE, Operation.READ, "t")
    assert can(authz, ALICE, Operation.WRITE, "t")
    # DENY READ does not take away the DESCRIBE the ALLOW ALL gives
    assert can(authz, ALICE, Operation.DESCRIBE, "t")


# -- operations -------------------------------------------------------------------------------


def test_allow_all_grants_every_operation_and_deny_all_denies_every_one() -> None:
    allowed = Authorizer([allow(ALICE, "ALL", "t")])
    denied = Authorizer([allow(ALICE, "ALL", "t"), deny(ALICE, "ALL", "t")])
    for operation in Operation:
        assert can(allowed, ALICE, operation, "t"), operation
        assert not can(denied, ALICE, operation, "t"), operation


@pytest.mark.parametrize("operation", ["READ", "WRITE", "DELETE", "ALTER", "DESCRIBE"])
def test_allow_read_write_delete_alter_imply_describe(operation: str) -> None:
    authz = Authorizer([allow(ALICE, operation, "t")])
    assert can(authz, ALICE, Operation.DESCRIBE, "t")


@pytest.mark.parametrize("operation", ["CREATE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS"])
def test_other_operations_do_not_imply_describe(operation: str) -> None:
    authz = Authorizer([allow(ALICE, operation, "t")])
    assert not can(authz, ALICE, Operation.DESCRIBE, "t")


def test_alter_configs_implies_describe_configs_and_nothing_implies_more() -> None:
    authz = Authorizer([allow(ALICE, "ALTER_CONFIGS", "t"), allow(BOB, "DESCRIBE", "t")])
    assert can(authz, ALICE, Operation.DESCRIBE_CONFIGS, "t")
    assert not can(authz, BOB, Operation.DESCRIBE_CONFIGS, "t")
    # WRITE does not imply READ, READ does not imply WRITE
    writer = Authorizer([allow(ALICE, "WRITE", "t")])
    assert not can(writer, ALICE, Operation.READ, "t")


def test_implication_holds_for_allow_only_a_deny_read_does_not_deny_describe() -> None:
    authz = Authorizer([allow(ALICE, "DESCRIBE", "t"), deny(ALICE, "WRITE", "t")])
    assert can(authz, ALICE, Operation.DESCRIBE, "t")
    assert not can(authz, ALICE, Operation.WRITE, "t")


# -- super users, no authorizer, allow.everyone.if.no.acl.found -------------------------------


def test_super_users_may_do_anything_even_against_deny() -> None:
    authz = Authorizer([deny("User:admin", "ALL", "*")], super_users=["User:admin"])
    decision = authz.authorize("User:admin", HOST, Operation.WRITE, TOPIC, "t")
    assert decision == AclDecision(True, Reason.SUPER_USER)
    assert decision.explain() == "allowed: a super user"
    access = authz.access(TOPIC, "t", PRODUCE)
    assert access.allowed_principals() == ("User:admin",)


def test_no_authorizer_lets_everyone_do_everything() -> None:
    authz = Authorizer([deny(ALICE, "ALL", "*")], enabled=False)
    decision = authz.authorize(ALICE, HOST, Operation.WRITE, TOPIC, "t")
    assert decision == AclDecision(True, Reason.NO_AUTHORIZER)
    access = authz.access(TOPIC, "t", PRODUCE)
    assert access.everyone
    assert access.allowed_principals(from_every_host=True) == (ALICE, OTHER_PRINCIPALS)


def test_allow_everyone_applies_only_when_no_acl_at_all_matches_the_resource() -> None:
    bindings = [allow(BOB, "READ", "guarded"), allow(BOB, "READ", "grp", resource_type="GROUP")]
    open_authz = Authorizer(bindings, allow_everyone_if_no_acl_found=True)
    closed = Authorizer(bindings)
    unguarded = open_authz.authorize(ALICE, HOST, Operation.WRITE, TOPIC, "free")
    assert unguarded == AclDecision(True, Reason.NO_ACL_ALLOW_EVERYONE)
    # an ACL for someone else, for another operation, names the resource: no default any more
    guarded = open_authz.authorize(ALICE, HOST, Operation.WRITE, TOPIC, "guarded")
    assert guarded == AclDecision(False, Reason.NO_ALLOW)
    assert not open_authz.authorize(BOB, HOST, Operation.WRITE, TOPIC, "guarded").allowed
    assert closed.authorize(ALICE, HOST, Operation.WRITE, TOPIC, "free") == AclDecision(
        False, Reason.NO_ACL
    )
    assert open_authz.access(TOPIC, "free", PRODUCE).everyone
    assert not open_authz.access(TOPIC, "guarded", CONSUME).everyone


def test_a_host_scoped_acl_still_names_the_resource_for_allow_everyone() -> None:
    authz = Authorizer(
        [allow(BOB, "READ", "t", host="10.9.9.9")], allow_everyone_if_no_acl_found=True
    )
    assert not can(authz, ALICE, Operation.READ, "t", host="10.1.1.1")


def test_settings_are_read_from_broker_properties() -> None:
    settings = AuthorizerSettings.from_broker_config(
        {
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "super.users": " User:admin ; User:ops;;",
            "allow.everyone.if.no.acl.found": "TRUE",
        }
    )
    assert settings.enabled
    assert settings.super_users == frozenset({"User:admin", "User:ops"})
    assert settings.allow_everyone_if_no_acl_found
    none = AuthorizerSettings.from_broker_config({"authorizer.class.name": ""})
    assert not none.enabled
    assert not none.allow_everyone_if_no_acl_found
    authz = Authorizer.from_settings([], none)
    assert authz.authorize(ALICE, HOST, Operation.WRITE, TOPIC, "t").allowed


# -- clients ----------------------------------------------------------------------------------


def test_producer_needs_describe_and_write_and_a_deny_describe_blocks_it() -> None:
    authz = Authorizer([allow(ALICE, "WRITE", "t"), deny(ALICE, "DESCRIBE", "t")])
    produce = authz.can_produce(ALICE, HOST, "t")
    assert not produce.allowed
    assert produce.blocked_by is not None
    assert produce.blocked_by.what == "DESCRIBE on TOPIC t"
    assert [n.what for n in produce.needs] == ["DESCRIBE on TOPIC t", "WRITE on TOPIC t"]


def test_idempotent_producer_needs_idempotent_write_or_write_on_any_topic() -> None:
    cluster = acl(ALICE, "ALLOW", "IDEMPOTENT_WRITE", "CLUSTER", "kafka-cluster")
    assert (
        Authorizer([allow(ALICE, "WRITE", "t")])
        .can_produce(ALICE, HOST, "t", idempotent=True)
        .allowed
    )
    assert (
        Authorizer([allow(ALICE, "WRITE", "t"), cluster])
        .can_produce(ALICE, HOST, "t", idempotent=True)
        .allowed
    )
    # one ALLOW that no DENY shadows is enough ("u" is shadowed by the PREFIXED DENY, "t" not)
    survives = Authorizer(
        [
            allow(ALICE, "WRITE", "t"),
            allow(ALICE, "WRITE", "u"),
            deny(ALICE, "WRITE", "u", pattern_type="PREFIXED"),
        ]
    )
    assert survives.can_produce(ALICE, HOST, "t", idempotent=True).allowed
    # WRITE on "u1" is shadowed by the PREFIXED DENY on "u": no producer id for alice
    blocked = Authorizer(
        [allow(ALICE, "WRITE", "u1"), deny(ALICE, "WRITE", "u", pattern_type="PREFIXED")]
    )
    decision = blocked.authorize_any(ALICE, HOST, Operation.WRITE, TOPIC)
    assert decision == AclDecision(False, Reason.NO_ALLOW)
    refused = Authorizer(
        [allow(ALICE, "WRITE", "t"), deny(ALICE, "WRITE", "t", pattern_type="PREFIXED")]
    )
    produce = refused.can_produce(ALICE, HOST, "t", idempotent=True)
    assert produce.blocked_by is not None
    assert produce.blocked_by.what == "WRITE on TOPIC t"
    assert [n.decision.allowed for n in produce.needs] == [True, False, False]


def test_authorize_any_follows_kafkas_default_implementation() -> None:
    # the "hardcode" probe: a PREFIXED ALLOW on "hard" allows it
    assert (
        Authorizer([allow(ALICE, "WRITE", "hard", pattern_type="PREFIXED")])
        .authorize_any(ALICE, HOST, Operation.WRITE, TOPIC)
        .allowed
    )
    # allow.everyone with no ACL on "hardcode" allows it, even with no WRITE anywhere
    assert (
        Authorizer([], allow_everyone_if_no_acl_found=True)
        .authorize_any(ALICE, HOST, Operation.WRITE, TOPIC)
        .allowed
    )
    # ... but not once some ACL names "hardcode"'s prefix
    assert (
        not Authorizer(
            [allow(BOB, "READ", "h", pattern_type="PREFIXED")], allow_everyone_if_no_acl_found=True
        )
        .authorize_any(ALICE, HOST, Operation.WRITE, TOPIC)
        .allowed
    )
    # a literal `*` DENY denies whatever the ALLOWs
    assert (
        not Authorizer([allow(ALICE, "WRITE", "*"), deny(ALICE, "WRITE", "*")])
        .authorize_any(ALICE, HOST, Operation.WRITE, TOPIC)
        .allowed
    )
    # a literal DENY on the same name shadows a literal ALLOW but not a PREFIXED one
    assert (
        not Authorizer([allow(ALICE, "WRITE", "a"), deny(ALICE, "WRITE", "a")])
        .authorize_any(ALICE, HOST, Operation.WRITE, TOPIC)
        .allowed
    )
    assert (
        Authorizer([allow(ALICE, "WRITE", "a", pattern_type="PREFIXED"), deny(ALICE, "WRITE", "a")])
        .authorize_any(ALICE, HOST, Operation.WRITE, TOPIC)
        .allowed
    )
    # no implied operations: ALLOW READ does not count as DESCRIBE here
    assert (
        not Authorizer([allow(ALICE, "READ", "x")])
        .authorize_any(ALICE, HOST, Operation.DESCRIBE, TOPIC)
        .allowed
    )


def test_transactional_producer_needs_describe_and_write_on_its_transactional_id() -> None:
    bindings = [
        allow(ALICE, "WRITE", "t"),
        allow(ALICE, "WRITE", "tx-", resource_type="TRANSACTIONAL_ID", pattern_type="PREFIXED"),
    ]
    authz = Authorizer(bindings)
    assert authz.can_produce(ALICE, HOST, "t", transactional_id="tx-1").allowed
    refused = authz.can_produce(ALICE, HOST, "t", transactional_id="other")
    assert refused.blocked_by is not None
    assert refused.blocked_by.what == "DESCRIBE on TRANSACTIONAL_ID other"


def test_consumer_needs_describe_and_read_on_topic_and_group() -> None:
    bindings = [allow(ALICE, "READ", "t"), allow(ALICE, "READ", "g", resource_type="GROUP")]
    authz = Authorizer(bindings)
    assert authz.can_consume(ALICE, HOST, "t", "g").allowed
    assert authz.can_consume(ALICE, HOST, "t").allowed
    refused = authz.can_consume(ALICE, HOST, "t", "other")
    assert refused.blocked_by is not None
    assert refused.blocked_by.what == "DESCRIBE on GROUP other"


# -- who can: access ----------------------------------------------------------------------------


def test_access_lists_principals_hosts_and_everyone_else() -> None:
    authz = Authorizer(
        [
            allow(ALICE, "WRITE", "orders.", pattern_type="PREFIXED"),
            allow(BOB, "WRITE", "orders.created", host="10.1.1.1"),
            allow("User:*", "DESCRIBE", "*"),
        ],
        super_users=["User:admin"],
    )
    access = authz.access(TOPIC, "orders.created", PRODUCE, principals=["User:carol"])
    assert [p.principal for p in access.principals] == [
        "User:admin",
        ALICE,
        BOB,
        "User:carol",
        OTHER_PRINCIPALS,
    ]
    assert access.allowed_principals() == ("User:admin", ALICE, BOB)
    assert access.allowed_principals(from_every_host=True) == ("User:admin", ALICE)
    assert access.pairs() == frozenset(
        {("User:admin", OTHER_HOSTS), (ALICE, OTHER_HOSTS), (BOB, "10.1.1.1")}
    )
    assert not access.everyone
    (describe, write) = access.decision(BOB, "10.1.1.1")
    assert describe.allowed and write.allowed
    (_, refused) = access.decision(BOB, "10.2.2.2")
    assert refused == AclDecision(False, Reason.NO_ALLOW)
    (_, other) = access.decision("User:nobody")
    assert not other.allowed


def _random_bindings(rng: random.Random, count: int) -> list[AclBinding]:
    names = ["a", "ab", "abc", "abd", "b", "ba", "c", "*"]
    principals = [ALICE, BOB, "User:carol", "User:*", "User:root", "Group:alice"]
    hosts = ["*", "*", "*", HOST, "10.0.0.6", "localhost"]
    operations = ["ALL", "READ", "WRITE", "DESCRIBE", "DELETE", "ALTER", "ALTER_CONFIGS"]
    out = []
    for _ in range(count):
        name = rng.choice(names)
        pattern = "PREFIXED" if name != "*" and rng.random() < 0.4 else "LITERAL"
        out.append(
            acl(
                rng.choice(principals),
                "DENY" if rng.random() < 0.3 else "ALLOW",
                rng.choice(operations),
                rng.choice(["TOPIC", "TOPIC", "TOPIC", "GROUP"]),
                name,
                pattern_type=pattern,
                host=rng.choice(hosts),
            )
        )
    return out


def _reference(
    bindings: list[AclBinding],
    super_users: set[str],
    allow_everyone: bool,
    principal: str,
    host: str,
    operation: Operation,
    resource_type: ResourceType,
    name: str,
) -> bool:
    """The rule as the documentation states it, over every binding, without an index."""
    if principal in super_users:
        return True
    implied = {
        Operation.DESCRIBE: {"READ", "WRITE", "DELETE", "ALTER", "DESCRIBE"},
        Operation.DESCRIBE_CONFIGS: {"ALTER_CONFIGS", "DESCRIBE_CONFIGS"},
    }
    matching = [
        b
        for b in bindings
        if b.resource_type == resource_type
        and (
            (b.pattern_type == "LITERAL" and b.resource_name in (name, "*"))
            or (b.pattern_type == "PREFIXED" and name.startswith(b.resource_name))
        )
    ]

    def applies(b: AclBinding) -> bool:
        if b.principal not in (principal, "User:*") or b.host not in ("*", host):
            return False
        if b.operation == "ALL" or b.operation == operation:
            return True
        return b.permission == "ALLOW" and b.operation in implied.get(operation, set())

    if any(b.permission == "DENY" and applies(b) for b in matching):
        return False
    if any(b.permission == "ALLOW" and applies(b) for b in matching):
        return True
    return allow_everyone and not matching


@pytest.mark.parametrize("seed", range(40))
def test_index_agrees_with_an_unindexed_reading_of_the_rule(seed: int) -> None:
    rng = random.Random(seed)
    bindings = _random_bindings(rng, rng.randint(0, 25))
    allow_everyone = seed % 2 == 0
    super_users = {"User:root"}
    authz = Authorizer(
        bindings, super_users=super_users, allow_everyone_if_no_acl_found=allow_everyone
    )
    names = ["a", "ab", "abc", "abcd", "abd", "b", "ba", "bb", "c", "d", "*"]
    who = [ALICE, BOB, "User:carol", "User:dave", "User:root", "Group:alice"]
    for resource_type in (TOPIC, ResourceType.GROUP):
        for name in names:
            for principal in who:
                for host in (HOST, "10.0.0.6", "10.0.0.7"):
                    for operation in (Operation.READ, Operation.DESCRIBE, Operation.WRITE):
                        expected = _reference(
                            bindings,
                            super_users,
                            allow_everyone,
                            principal,
                            host,
                            operation,
                            resource_type,
                            name,
                        )
                        got = authz.authorize(principal, host, operation, resource_type, name)
                        assert got.allowed == expected, (principal, host, operation, name)
        # `access` says the same as asking each principal from each host
        many = list(authz.access_many(resource_type, names, PRODUCE, principals=[ALICE]))
        for access in many:
            assert access == authz.access(resource_type, access.resource_name, PRODUCE, [ALICE])
            for principal in who:
                for host in (HOST, "10.0.0.6", "10.0.0.7"):
                    answers = access.decision(principal, host)
                    expected_all = all(
                        authz.authorize(
                            principal, host, op, resource_type, access.resource_name
                        ).allowed
                        for op in PRODUCE
                    )
                    assert all(a.allowed for a in answers) == expected_all


def test_access_many_shares_work_across_topics_under_the_same_prefixes() -> None:
    bindings = [allow(f"User:p{i}", "WRITE", "fam.", pattern_type="PREFIXED") for i in range(50)]
    bindings += [allow(f"User:p{i}", "WRITE", f"fam.t{i}") for i in range(0, 2000, 7)]
    bindings.append(deny("User:p3", "WRITE", "fam.t3"))
    authz = Authorizer(bindings)
    topics = [f"fam.t{i}" for i in range(2000)]
    many = {a.resource_name: a for a in authz.access_many(TOPIC, topics, [Operation.WRITE])}
    for topic in ("fam.t0", "fam.t1", "fam.t3", "fam.t7", "fam.t1999"):
        assert many[topic] == authz.access(TOPIC, topic, [Operation.WRITE])
    assert "User:p3" not in many["fam.t3"].allowed_principals()
    assert "User:p3" in many["fam.t4"].allowed_principals()
    assert len(many["fam.t4"].allowed_principals()) == 50


# -- records ------------------------------------------------------------------------------------


def test_bindings_come_from_snapshot_records() -> None:
    record = {
        "principal": "User:alice",
        "resource_type": "TOPIC",
        "pattern_type": "PREFIXED",
        "resource_name": "orders.",
        "operation": "WRITE",
        "permission": "ALLOW",
    }
    binding = AclBinding.from_record(record)
    assert binding == AclBinding(
        ResourceType.TOPIC,
        PatternType.PREFIXED,
        "orders.",
        "User:alice",
        "*",
        Operation.WRITE,
        Permission.ALLOW,
    )
    assert str(binding) == "ALLOW User:alice WRITE on TOPIC PREFIXED 'orders.' from host *"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pattern_type": "MATCH"}, "'MATCH' is not a valid PatternType"),
        ({"operation": "FLY"}, "'FLY' is not a valid Operation"),
        ({"principal": "alice"}, "has no type"),
        ({"resource_name": ""}, "the resource name is empty"),
        ({"resource_type": "CLUSTER"}, "a CLUSTER resource is named kafka-cluster"),
    ],
)
def test_bad_records_are_input_errors(change: dict[str, str], message: str) -> None:
    record = {
        "principal": "User:alice",
        "resource_type": "TOPIC",
        "pattern_type": "LITERAL",
        "resource_name": "t",
        "operation": "WRITE",
        "permission": "ALLOW",
        **change,
    }
    with pytest.raises(InputError, match=message):
        AclBinding.from_record(record)
    with pytest.raises(InputError, match="without principal"):
        AclBinding.from_record({k: v for k, v in record.items() if k != "principal"})
