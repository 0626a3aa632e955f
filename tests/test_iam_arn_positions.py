"""IAM answers for many ARNs at once read each ARN's positions in one pass when the ARNs are
distinct and one by one when some ARN comes twice: both answer as one question at a time, and
producers' topic ARNs are the cluster's `topic_arn` of each topic (issue #19)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.authz.iam import IamPolicySet, MskCluster, Statement, _ArnSet

EAST = MskCluster.from_arn("arn:aws:kafka:us-east-1:111122223333:cluster/east/uuid-1")
WRITER = "arn:aws:iam::111122223333:role/writer"
READER = "arn:aws:iam::111122223333:role/reader"
POLICIES = IamPolicySet(
    {
        WRITER: (
            Statement.from_json({"Effect": "Allow", "Action": "kafka-cluster:*", "Resource": "*"}),
            Statement.from_json(
                {
                    "Effect": "Deny",
                    "Action": "kafka-cluster:WriteData",
                    "Resource": EAST.topic_arn("a.x"),
                }
            ),
        ),
        READER: (
            Statement.from_json(
                {
                    "Effect": "Allow",
                    "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeTopic"],
                    "Resource": "*",
                }
            ),
            Statement.from_json(
                {
                    "Effect": "Allow",
                    "Action": "kafka-cluster:WriteData",
                    "Resource": EAST.topic_arn("a.*"),
                }
            ),
        ),
    }
)
TOPICS = st.lists(st.sampled_from(["a.x", "a.y", "b", "a.", "*"]), max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TOPICS)
def test_positions_and_answers_with_and_without_repeated_arns(topics: list[str]) -> None:
    arns = [EAST.topic_arn(t) for t in topics]
    positions: dict[str, list[int]] = {}
    for position, arn in enumerate(arns):
        positions.setdefault(arn, []).append(position)
    found = _ArnSet(arns)._positions
    assert {arn: list(at) for arn, at in found.items()} == positions
    many = POLICIES.who_can_many("kafka-cluster:WriteData", arns)
    for arn in arns:
        one = POLICIES.who_can("kafka-cluster:WriteData", arn)
        assert set(many[arn]) == {(p, d.conditional) for p, d in one}
    producers = POLICIES.producers(EAST, topics)
    for topic in topics:
        expected = {
            (p, any(n.decision.conditional for n in access.needs))
            for p in POLICIES.principals
            if (access := POLICIES.can_produce(p, EAST, topic)).allowed
        }
        assert set(producers[topic]) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=8))
def test_topic_arns_are_topic_arn_of_each_topic(topics: list[str]) -> None:
    assert EAST.topic_arns(topics) == [EAST.topic_arn(t) for t in topics]
