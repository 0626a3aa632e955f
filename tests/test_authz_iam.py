"""IAM evaluation for MSK (`kafka-cluster:` actions) in checker.authz.iam, as tables.

The policies follow AWS's documented examples (MSK developer guide: create-iam-access-control-
policies, iam-access-control-use-cases, kafka-actions; IAM User Guide: Resource and NotAction /
NotResource elements, policy evaluation logic).
"""

from __future__ import annotations

from typing import Any

import pytest

from checker.authz.iam import (
    IamPolicySet,
    IamReason,
    MskCluster,
    Statement,
    action_for,
    action_matches,
    known_actions,
    resource_matches,
    statements_from_policy,
)
from checker.errors import InputError

ACCOUNT = "111122223333"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/orders-writer"
EAST = MskCluster("us-east-1", ACCOUNT, "payments-use1", "abcd1234-0123-abcd-5678-1234abcd-1")
WEST = MskCluster("us-west-2", ACCOUNT, "payments-usw2", "ef567890-4567-efab-0123-5678efab-2")
EU = MskCluster("eu-west-1", ACCOUNT, "payments-euw1", "0badcafe-0000-1111-2222-333344445555-3")
OTHER_ACCOUNT = MskCluster("us-east-1", "444455556666", "payments-use1", EAST.uuid)


def policy(*statements: dict[str, Any]) -> IamPolicySet:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    return IamPolicySet({ROLE: statements_from_policy(document, "orders-policy")})


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


WRITE = "kafka-cluster:WriteData"
READ = "kafka-cluster:ReadData"

# (name, statements, action, arn, allowed, reason, conditional)
TABLE: list[tuple[str, list[dict[str, Any]], str, str, bool, IamReason, bool]] = [
    (
        "the MSK guide's topic statement: topic/<cluster>/* spans the UUID and the topic",
        [allow(["kafka-cluster:*Topic*", WRITE, READ], "arn:aws:kafka:*:*:topic/payments-use1/*")],
        WRITE,
        EAST.topic_arn("orders.created"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "wildcard region and account reach every region's cluster",
        [allow(WRITE, f"arn:aws:kafka:*:{ACCOUNT}:topic/payments-*/*/orders.*")],
        WRITE,
        WEST.topic_arn("orders.created"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "a partial region (us-*) reaches us-west-2",
        [allow(WRITE, f"arn:aws:kafka:us-*:{ACCOUNT}:topic/payments-*/*/orders.*")],
        WRITE,
        WEST.topic_arn("orders.created"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "a partial region (us-*) does not reach eu-west-1",
        [allow(WRITE, f"arn:aws:kafka:us-*:{ACCOUNT}:topic/payments-*/*/orders.*")],
        WRITE,
        EU.topic_arn("orders.created"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "? is one character: us-east-? reaches us-east-1",
        [allow(WRITE, f"arn:aws:kafka:us-east-?:{ACCOUNT}:topic/*")],
        WRITE,
        EAST.topic_arn("orders.created"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "? is one character: us-east-? does not reach us-west-2",
        [allow(WRITE, f"arn:aws:kafka:us-east-?:{ACCOUNT}:topic/*")],
        WRITE,
        WEST.topic_arn("orders.created"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "another account is another resource",
        [allow(WRITE, f"arn:aws:kafka:*:{ACCOUNT}:topic/*")],
        WRITE,
        OTHER_ACCOUNT.topic_arn("orders.created"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "? in the cluster name and the topic",
        [allow(WRITE, "arn:aws:kafka:*:*:topic/payments-use?/*/orders.create?")],
        WRITE,
        EAST.topic_arn("orders.created"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "resource ARNs are case-sensitive",
        [allow(WRITE, "arn:aws:kafka:*:*:topic/payments-use1/*/Orders.*")],
        WRITE,
        EAST.topic_arn("orders.created"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "a * ending a segment may run past the colon",
        [allow(WRITE, "arn:aws:kafka:us-east-1*")],
        WRITE,
        EAST.topic_arn("orders.created"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "a * inside a segment stays inside it",
        [allow(WRITE, f"arn:aws:kafka:us*{ACCOUNT}:topic/*")],
        WRITE,
        EAST.topic_arn("orders.created"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "Resource * is every resource",
        [allow(WRITE, "*")],
        WRITE,
        EU.topic_arn("anything"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "a cluster ARN does not grant a topic action on its topics",
        [allow(WRITE, EAST.arn)],
        WRITE,
        EAST.topic_arn("orders.created"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "kafka-cluster:* is every MSK action",
        [allow("kafka-cluster:*", "*")],
        "kafka-cluster:AlterTopicDynamicConfiguration",
        EAST.topic_arn("t"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "* is every action",
        [allow("*", "*")],
        WRITE,
        EAST.topic_arn("t"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "kafka-cluster:Write* covers WriteData",
        [allow("kafka-cluster:Write*", "*")],
        WRITE,
        EAST.topic_arn("t"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "kafka-cluster:Write* does not cover ReadData",
        [allow("kafka-cluster:Write*", "*")],
        READ,
        EAST.topic_arn("t"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "actions match case-insensitively",
        [allow("Kafka-Cluster:writedata", "*")],
        WRITE,
        EAST.topic_arn("t"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "another service's wildcard is not kafka-cluster",
        [allow("kafka:*", "*")],
        WRITE,
        EAST.topic_arn("t"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "NotAction allows every other action",
        [{"Effect": "Allow", "NotAction": WRITE, "Resource": "*"}],
        READ,
        EAST.topic_arn("t"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "NotAction does not allow the listed action",
        [{"Effect": "Allow", "NotAction": [WRITE], "Resource": "*"}],
        WRITE,
        EAST.topic_arn("t"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "NotResource: Deny everything but orders.* (inside)",
        [
            allow(WRITE, "*"),
            {
                "Effect": "Deny",
                "Action": WRITE,
                "NotResource": "arn:aws:kafka:*:*:topic/*/*/orders.*",
            },
        ],
        WRITE,
        EAST.topic_arn("orders.created"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "NotResource: Deny everything but orders.* (outside)",
        [
            allow(WRITE, "*"),
            {
                "Effect": "Deny",
                "Action": WRITE,
                "NotResource": ["arn:aws:kafka:*:*:topic/*/*/orders.*"],
            },
        ],
        WRITE,
        EAST.topic_arn("payments.settled"),
        False,
        IamReason.EXPLICIT_DENY,
        False,
    ),
    (
        "an explicit Deny overrides an Allow",
        [allow("kafka-cluster:*", "*"), deny(WRITE, "arn:aws:kafka:*:*:topic/*/*/orders.*")],
        WRITE,
        WEST.topic_arn("orders.created"),
        False,
        IamReason.EXPLICIT_DENY,
        False,
    ),
    (
        "a Deny on one topic leaves the others",
        [allow("kafka-cluster:*", "*"), deny(WRITE, "arn:aws:kafka:*:*:topic/*/*/orders.audit")],
        WRITE,
        WEST.topic_arn("orders.created"),
        True,
        IamReason.ALLOW,
        False,
    ),
    (
        "an Allow with a Condition counts as allowing, conditionally",
        [allow(WRITE, "*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})],
        WRITE,
        EAST.topic_arn("t"),
        True,
        IamReason.ALLOW,
        True,
    ),
    (
        "a Deny with a Condition does not count as denying, but the answer is conditional",
        [
            allow(WRITE, "*"),
            deny(WRITE, "*", Condition={"Bool": {"aws:SecureTransport": "false"}}),
        ],
        WRITE,
        EAST.topic_arn("t"),
        True,
        IamReason.ALLOW,
        True,
    ),
    (
        "a conditional Deny without an Allow is still an implicit deny",
        [deny(WRITE, "*", Condition={"Bool": {"aws:SecureTransport": "false"}})],
        WRITE,
        EAST.topic_arn("t"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
    (
        "a policy variable in a resource makes the statement conditional",
        [allow(WRITE, "arn:aws:kafka:*:*:topic/*/*/${aws:username}-*")],
        WRITE,
        EAST.topic_arn("orders-writer-events"),
        True,
        IamReason.ALLOW,
        True,
    ),
    (
        "no statement: implicit deny",
        [allow(READ, "*")],
        WRITE,
        EAST.topic_arn("t"),
        False,
        IamReason.IMPLICIT_DENY,
        False,
    ),
]


@pytest.mark.parametrize(
    ("statements", "action", "arn", "allowed", "reason", "conditional"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_iam_decides_as_documented(
    statements: list[dict[str, Any]],
    action: str,
    arn: str,
    allowed: bool,
    reason: IamReason,
    conditional: bool,
) -> None:
    decision = policy(*statements).authorize(ROLE, action, arn)
    assert decision.allowed is allowed
    assert decision.reason is reason
    assert decision.conditional is conditional
    assert (decision.via is None) == (reason is IamReason.IMPLICIT_DENY)


def test_a_principal_without_policies_is_denied() -> None:
    decision = policy(allow("*", "*")).authorize("arn:aws:iam::1:role/other", WRITE, "x")
    assert not decision.allowed
    assert decision.explain() == "denied: no statement allows it (implicit deny)"


def test_explanations_name_the_deciding_statement() -> None:
    statements = [
        allow(WRITE, "*", Sid="Writers"),
        deny(WRITE, "*", Sid="Outside", Condition={"Bool": {"aws:SecureTransport": "false"}}),
    ]
    decision = policy(*statements).authorize(ROLE, WRITE, EAST.topic_arn("t"))
    assert decision.explain() == (
        "allowed by Allow statement Writers in orders-policy: Action "
        "['kafka-cluster:WriteData'] Resource ['*'], unless the condition of Deny statement "
        "Outside in orders-policy: Action ['kafka-cluster:WriteData'] Resource ['*'] "
        "(with a Condition) denies it"
    )


def test_star_topic_covers_the_topic_actions_but_not_their_dynamic_configuration() -> None:
    assert known_actions("kafka-cluster:*Topic") == (
        "kafka-cluster:CreateTopic",
        "kafka-cluster:DescribeTopic",
        "kafka-cluster:AlterTopic",
        "kafka-cluster:DeleteTopic",
    )
    assert "kafka-cluster:AlterTopicDynamicConfiguration" in known_actions("kafka-cluster:*Topic*")
    assert known_actions("kafka-cluster:Write*") == (
        "kafka-cluster:WriteDataIdempotently",
        "kafka-cluster:WriteData",
    )
    assert len(known_actions("*")) == len(known_actions("kafka-cluster:*")) == 19
    assert action_for("TOPIC", "WRITE") == WRITE
    assert action_for("GROUP", "READ") == "kafka-cluster:AlterGroup"
    assert action_for("TOPIC", "IDEMPOTENT_WRITE") is None


def test_matchers_follow_the_documented_wildcards() -> None:
    assert action_matches("kafka-cluster:Describe?roup", "kafka-cluster:DescribeGroup")
    assert not action_matches("kafka-cluster:Describe", "kafka-cluster:DescribeGroup")
    assert resource_matches("arn:aws:kafka:*:*:topic/c/*", "arn:aws:kafka:r:1:topic/c/u/a/b")
    assert not resource_matches("arn:aws:kafka:?:*:topic/*", "arn:aws:kafka:rr:1:topic/x")
    assert resource_matches("arn:aws:kafka:*:*:topic/*/*/${*}", "arn:aws:kafka:r:1:topic/c/u/*")


# -- what a client needs ------------------------------------------------------------------------

PRODUCER = [
    allow("kafka-cluster:Connect", "arn:aws:kafka:*:*:cluster/payments-*/*"),
    allow(["kafka-cluster:DescribeTopic", WRITE], "arn:aws:kafka:*:*:topic/payments-*/*/orders.*"),
]


def test_producer_needs_connect_describe_topic_and_write_data() -> None:
    policies = policy(*PRODUCER)
    for cluster in (EAST, WEST):
        assert policies.can_produce(ROLE, cluster, "orders.created").allowed
    refused = policies.can_produce(ROLE, EAST, "payments.settled")
    assert [n.what.split(" on ")[0] for n in refused.needs] == [
        "kafka-cluster:Connect",
        "kafka-cluster:DescribeTopic",
        WRITE,
    ]
    assert refused.blocked_by is not None
    assert refused.blocked_by.what == (
        f"kafka-cluster:DescribeTopic on {EAST.topic_arn('payments.settled')}"
    )


def test_producer_without_connect_cannot_produce() -> None:
    policies = policy(PRODUCER[1])
    produce = policies.can_produce(ROLE, EAST, "orders.created")
    assert produce.blocked_by is not None
    assert produce.blocked_by.what == f"kafka-cluster:Connect on {EAST.arn}"


def test_idempotent_and_transactional_producers_need_their_extra_actions() -> None:
    policies = policy(*PRODUCER)
    assert not policies.can_produce(ROLE, EAST, "orders.created", idempotent=True).allowed
    assert not policies.can_produce(ROLE, EAST, "orders.created", transactional_id="tx").allowed
    more = policy(
        *PRODUCER,
        allow("kafka-cluster:WriteDataIdempotently", "arn:aws:kafka:*:*:cluster/*"),
        allow(
            ["kafka-cluster:DescribeTransactionalId", "kafka-cluster:AlterTransactionalId"],
            "arn:aws:kafka:*:*:transactional-id/payments-*/*/orders-*",
        ),
    )
    assert more.can_produce(ROLE, EAST, "orders.created", idempotent=True).allowed
    transactional = more.can_produce(ROLE, WEST, "orders.created", transactional_id="orders-1")
    assert transactional.allowed
    assert [n.what.split(" on ")[0] for n in transactional.needs][-2:] == [
        "kafka-cluster:DescribeTransactionalId",
        "kafka-cluster:AlterTransactionalId",
    ]


def test_consumer_needs_group_actions_and_read_data() -> None:
    consumer = [
        allow("kafka-cluster:Connect", "*"),
        allow(["kafka-cluster:DescribeTopic", READ], "arn:aws:kafka:*:*:topic/*/*/orders.*"),
        allow(
            ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"],
            "arn:aws:kafka:*:*:group/*/*/orders-app",
        ),
    ]
    policies = policy(*consumer)
    assert policies.can_consume(ROLE, EAST, "orders.created", "orders-app").allowed
    refused = policies.can_consume(ROLE, EAST, "orders.created", "other-app")
    assert refused.blocked_by is not None
    assert (
        refused.blocked_by.what == f"kafka-cluster:DescribeGroup on {EAST.group_arn('other-app')}"
    )


def test_who_can_lists_the_allowed_principals() -> None:
    reader = "arn:aws:iam::111122223333:role/reader"
    policies = IamPolicySet(
        {
            ROLE: [Statement.from_json(allow(WRITE, "*"))],
            reader: [Statement.from_json(allow(READ, "*"))],
        }
    )
    assert [p for p, _ in policies.who_can(WRITE, EAST.topic_arn("t"))] == [ROLE]
    assert policies.principals == (ROLE, reader)


# -- input ------------------------------------------------------------------------------------


def test_statements_come_from_snapshot_grants() -> None:
    policies = IamPolicySet.from_grants(
        [
            {
                "principal": ROLE,
                "effect": "Allow",
                "actions": ["kafka-cluster:*"],
                "resources": ["arn:aws:kafka:*:111122223333:topic/payments-*/*"],
                "policy": "orders-policy",
            },
            {
                "principal": ROLE,
                "effect": "Deny",
                "actions": [WRITE],
                "resources": ["arn:aws:kafka:eu-*:111122223333:topic/*"],
            },
        ]
    )
    assert policies.authorize(ROLE, WRITE, WEST.topic_arn("orders.created")).allowed
    assert not policies.authorize(ROLE, WRITE, EU.topic_arn("orders.created")).allowed


def test_a_policy_document_may_be_json_text_with_one_statement() -> None:
    text = '{"Statement": {"Effect": "Allow", "Action": "kafka-cluster:*", "Resource": "*"}}'
    (statement,) = statements_from_policy(text)
    assert statement.actions == ("kafka-cluster:*",)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"Statement": [{"Action": "*", "Resource": "*"}]}, "Effect None"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x", "Resource": "*"}]},
            "needs Action or NotAction",
        ),
        ({"Statement": [{"Effect": "Allow", "Action": "*"}]}, "needs Resource or NotResource"),
        ({"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]}, "Action must be"),
        ({"Statement": "nope"}, "Statement must be an object or a list"),
        ("{not json", "is not JSON"),
        ("[]", "is not a JSON object"),
    ],
)
def test_malformed_policies_are_input_errors(document: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        statements_from_policy(document, "p")


def test_cluster_arns_are_parsed_and_built() -> None:
    cluster = MskCluster.from_arn(
        f"arn:aws:kafka:us-east-1:{ACCOUNT}:cluster/payments-use1/{EAST.uuid}"
    )
    assert cluster == EAST
    assert cluster.topic_arn("t") == (
        f"arn:aws:kafka:us-east-1:{ACCOUNT}:topic/payments-use1/{EAST.uuid}/t"
    )
    assert cluster.arn_for("kafka-cluster:AlterTransactionalId", "tx") == (
        f"arn:aws:kafka:us-east-1:{ACCOUNT}:transactional-id/payments-use1/{EAST.uuid}/tx"
    )
    assert cluster.arn_for("kafka-cluster:Connect") == cluster.arn
    for bad in ("arn:aws:kafka:us-east-1:1:topic/a/b/c", "arn:aws:s3:::bucket", "cluster/a/b"):
        with pytest.raises(InputError, match="not an MSK cluster ARN"):
            MskCluster.from_arn(bad)


# -- many resources at once ---------------------------------------------------------------------


def test_who_can_many_and_producers_agree_with_one_question_at_a_time() -> None:
    writer = "arn:aws:iam::111122223333:role/writer"
    others = "arn:aws:iam::111122223333:role/others"
    gated = "arn:aws:iam::111122223333:role/gated"
    policies = IamPolicySet(
        {
            ROLE: statements_from_policy({"Statement": PRODUCER}),
            writer: [
                Statement.from_json(allow("kafka-cluster:*", "*")),
                Statement.from_json(deny(WRITE, "arn:aws:kafka:*:*:topic/*/*/orders.audit")),
            ],
            others: [
                Statement.from_json(
                    allow(["kafka-cluster:Connect", "kafka-cluster:Describe*"], "*")
                ),
                Statement.from_json(
                    {
                        "Effect": "Allow",
                        "Action": WRITE,
                        "NotResource": EAST.topic_arn("orders.created"),
                    }
                ),
            ],
            gated: [
                Statement.from_json(allow("kafka-cluster:*", "*")),
                Statement.from_json(
                    deny(WRITE, "*", Condition={"StringNotEquals": {"aws:RequestedRegion": "x"}})
                ),
            ],
        }
    )
    topics = ["orders.created", "orders.audit", "payments.settled", "orders.created.v2"]
    arns = [EAST.topic_arn(t) for t in topics]
    many = policies.who_can_many(WRITE, arns)
    producers = policies.producers(EAST, topics)
    for topic, arn in zip(topics, arns, strict=True):
        one = tuple((p, d.conditional) for p, d in policies.who_can(WRITE, arn))
        assert many[arn] == one, topic
        expected = tuple(
            (p, any(n.decision.conditional for n in access.needs))
            for p in policies.principals
            if (access := policies.can_produce(p, EAST, topic)).allowed
        )
        assert producers[topic] == expected, topic
    assert producers["orders.created"] == ((gated, True), (ROLE, False), (writer, False))
    assert producers["orders.audit"] == ((gated, True), (ROLE, False), (others, False))
