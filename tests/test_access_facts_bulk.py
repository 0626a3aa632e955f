"""Access facts worked out for many topics at once (issue #19: 50k topics / 500k bindings)
answer as the topic-by-topic ways they replaced: each test holds the bulk path to a reference
written the old way."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.authority import (
    Probe,
    RegionAccess,
    Signature,
    _differences,
    _Extra,
    _kafka_operations,
    _kafka_side,
    _kafka_writers,
    _Key,
    _table,
    _Writer,
    region_access,
    write_facts,
)
from checker.authz.iam import WRITE_DATA
from checker.authz.kafka import AclBinding, Authorizer, ResourceType, acl
from checker.identity import Canon

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = ["a", "a.one", "a.two", "a.three", "b", "b.one", "*", "c"]
bindings = st.lists(
    st.builds(
        lambda principal, host, operation, permission, rtype, pattern, name: acl(
            principal, permission, operation, rtype, name, pattern_type=pattern, host=host
        ),
        st.sampled_from(["User:p", "User:q", "User:*", "User:r"]),
        st.sampled_from(["*", "10.0.0.1"]),
        st.sampled_from(["READ", "WRITE", "ALL", "DESCRIBE", "ALTER"]),
        st.sampled_from(["ALLOW", "DENY"]),
        st.sampled_from(["TOPIC", "GROUP"]),
        st.sampled_from(["LITERAL", "PREFIXED"]),
        st.sampled_from(["a", "a.one", "a.two", "b", "b.one", "*", "a."]),
    ),
    max_size=16,
)
name_lists = st.lists(st.sampled_from(NAMES), max_size=12)
MSK = {
    "cluster": {
        "id": "arn:aws:kafka:us-east-1:123456789012:cluster/c/uuid-1",
        "name": "c",
        "kind": "msk",
    },
    "region": "us-east-1",
    "authentication": {"iam": True, "scram": True},
    "iam_grants": [
        {
            "principal": "arn:aws:iam::123456789012:role/writer",
            "effect": "Allow",
            "actions": ["kafka-cluster:WriteData", "kafka-cluster:DescribeTopic"],
            "resources": ["arn:aws:kafka:us-east-1:123456789012:topic/c/*/a.*"],
        },
        {
            "principal": "arn:aws:iam::123456789012:role/all",
            "effect": "Allow",
            "actions": ["kafka-cluster:*"],
            "resources": ["*"],
        },
    ],
}


def _access(found: list[AclBinding], document: Mapping[str, Any] | None = None) -> RegionAccess:
    return replace(
        region_access(document or {}, "primary", Canon({}), "x.json"),
        authorizer=Authorizer(found),
        _matching={},
        _neutral={},
    )


@SETTINGS
@given(bindings, name_lists, st.sampled_from([ResourceType.TOPIC, ResourceType.GROUP]))
def test_matching_parts_of_many_names_are_each_names_parts(
    found: list[AclBinding], names: list[str], resource_type: ResourceType
) -> None:
    authorizer = Authorizer(found)
    owns, others = authorizer.matching_parts_many(resource_type, names)
    expected = [authorizer.matching_parts(resource_type, name) for name in names]
    assert [list(own) for own in owns] == [list(own) for own, _ in expected]
    assert others == [other for _, other in expected]
    for own, (old, _) in zip(owns, expected, strict=True):  # the authorizer's own objects
        assert all(a is b for a, b in zip(own, old, strict=True))


@SETTINGS
@given(bindings, name_lists, st.booleans(), st.sampled_from(list(ResourceType)))
def test_signatures_of_many_names_are_each_names_signature(
    found: list[AclBinding], names: list[str], parity: bool, resource_type: ResourceType
) -> None:
    access = _access(found)
    bulk = access.signatures(resource_type, names, parity=parity)
    assert bulk == [access.signature(resource_type, name, parity=parity) for name in names]


# --- write facts: the topic-by-topic way they were worked out before ---------------------------


def _old_write_facts(
    access: RegionAccess,
    family_topics: Mapping[str, Sequence[tuple[str, str]]],
    is_replicator: Callable[[str], bool],
    is_admin: Callable[[str], bool],
) -> dict[str, Any]:
    found: dict[str, dict[str, _Writer]] = {}
    items = [
        (family, logical, here) for family, ts in family_topics.items() for logical, here in ts
    ]

    def add(family: str, principal: str, logical: str, why: str) -> None:
        writer = found.setdefault(family, {}).setdefault(principal, _Writer())
        writer.topics.add(logical)
        writer.why.add(why)

    if access.acls_apply and items:
        memo: dict[Signature, list[tuple[str, str]]] = {}
        for family, logical, here_name in items:
            signature = access.signature(ResourceType.TOPIC, here_name)
            answer = memo.get(signature)
            if answer is None:
                answer = memo[signature] = _kafka_writers(access.authorizer, here_name)
            for principal, why in answer:
                add(family, principal, logical, why)
    if access.iam_applies and items:
        names = sorted({here for _, _, here in items})
        answers_iam = access.iam.producers(access.cluster, names)
        explained: dict[tuple[str, str], str] = {}
        for family, logical, here in items:
            for principal, _ in answers_iam[here]:
                key = (family, principal)
                if key not in explained:
                    allowed_by = access.iam.authorize(
                        principal, WRITE_DATA, access.cluster.topic_arn(here)
                    )
                    explained[key] = "IAM " + allowed_by.explain().removeprefix("allowed by ")
                add(family, principal, logical, explained[key])
    writers: dict[str, list[dict[str, Any]]] = {}
    replicators: dict[str, list[str]] = {}
    admins: dict[str, list[str]] = {}
    for family, principals in sorted(found.items()):
        every = {logical for logical, _ in family_topics[family]}
        for principal, writer in sorted(principals.items()):
            if is_replicator(principal):
                replicators.setdefault(family, []).append(principal)
                continue
            if is_admin(principal):
                admins.setdefault(family, []).append(principal)
                continue
            writers.setdefault(family, []).append(
                {
                    "principal": principal,
                    "topics": sorted(writer.topics),
                    "every_topic": writer.topics == every,
                    "why": sorted(writer.why),
                }
            )
    return {"writers": writers, "replicators": replicators, "admins": admins}


family_topics = st.dictionaries(
    st.sampled_from(["fa", "fb", "fc"]),
    st.lists(
        st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES)).map(
            lambda pair: (pair[0], pair[1] if pair[1] != "c" else pair[0])
        ),
        max_size=6,
    ),
    max_size=3,
)


@SETTINGS
@given(bindings, family_topics, st.booleans())
def test_write_facts_match_the_topic_by_topic_way(
    found: list[AclBinding], topics: dict[str, list[tuple[str, str]]], msk: bool
) -> None:
    access = _access(found, MSK if msk else None)
    assert access.iam_applies is msk

    def is_replicator(principal: str) -> bool:
        return principal == "User:q"

    def is_admin(principal: str) -> bool:
        return principal.endswith("role/all")

    new = write_facts(access, topics, is_replicator, is_admin)
    assert new == _old_write_facts(access, topics, is_replicator, is_admin)


# --- access parity: the probe-by-probe way ------------------------------------------------------


def _compare(
    regions: tuple[RegionAccess, RegionAccess],
    bindings: tuple[list[AclBinding], list[AclBinding]],
    resource_type: ResourceType,
    probe: Probe,
    operations: Sequence[Any],
    skip: Callable[[str], bool],
) -> Any:
    """One probe's differences, its two tables worked out for it alone (the probe-by-probe
    way `_kafka_side` replaced, which shares a table between the pairs of one signature)."""
    names = (probe.primary, probe.secondary)
    tables = (
        _table(regions[0], bindings[0], resource_type, names[0], operations),
        _table(regions[1], bindings[1], resource_type, names[1], operations),
    )
    return _differences(tables, names, resource_type, operations, skip)


def _old_kafka_side(
    here: RegionAccess,
    there: RegionAccess,
    resource_type: ResourceType,
    probes: Sequence[Probe],
    operations: Sequence[Any],
    skip: Callable[[str], bool],
) -> tuple[dict[_Key, _Extra], dict[_Key, _Extra]]:
    only: tuple[dict[_Key, _Extra], dict[_Key, _Extra]] = ({}, {})
    memo: dict[tuple[Signature, Signature], Any] = {}
    for probe in probes:
        signature = (
            here.signature(resource_type, probe.primary, parity=True),
            there.signature(resource_type, probe.secondary, parity=True),
        )
        differences = memo.get(signature)
        if differences is None:
            pair = (
                here.parity_bindings(resource_type, probe.primary),
                there.parity_bindings(resource_type, probe.secondary),
            )
            differences = memo[signature] = _compare(
                (here, there), pair, resource_type, probe, operations, skip
            )
        for side, key, why in differences:
            extra = only[side].setdefault(key, _Extra())
            extra.names.add(probe.name)
            extra.why.add(why)
    return only


probe_lists = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES), st.sampled_from(NAMES)).map(
        lambda names: Probe(*names)
    ),
    max_size=10,
)


@SETTINGS
@given(bindings, bindings, probe_lists, st.sampled_from([ResourceType.TOPIC, ResourceType.GROUP]))
def test_kafka_parity_matches_the_probe_by_probe_way(
    primary: list[AclBinding],
    secondary: list[AclBinding],
    probes: list[Probe],
    resource_type: ResourceType,
) -> None:
    here, there = _access(primary), _access(secondary)
    operations = _kafka_operations((here, there), resource_type)

    def skip(principal: str) -> bool:
        return principal == "User:r"

    new = _kafka_side(here, there, resource_type, probes, operations, skip)
    old = _old_kafka_side(here, there, resource_type, probes, operations, skip)
    for side in (0, 1):
        assert {k: (e.names, e.why) for k, e in new[side].items()} == {
            k: (e.names, e.why) for k, e in old[side].items()
        }


@SETTINGS
@given(bindings, bindings, name_lists, name_lists, st.booleans())
def test_signatures_remembered_across_calls_and_authorizers(
    first: list[AclBinding],
    second: list[AclBinding],
    names: list[str],
    more: list[str],
    parity: bool,
) -> None:
    """The tails remembered from one call answer the next (any names, either form); a copy of
    the region with another authorizer does not read the first one's."""
    access = _access(first)
    for asked, form in ((names, parity), (more, not parity), ([*more, *names], parity)):
        bulk = access.signatures(ResourceType.TOPIC, asked, parity=form)
        assert bulk == [access.signature(ResourceType.TOPIC, n, parity=form) for n in asked]
    other = replace(access, authorizer=Authorizer(second), _matching={}, _neutral={})
    bulk = other.signatures(ResourceType.TOPIC, [*names, *more], parity=parity)
    assert bulk == [other.signature(ResourceType.TOPIC, n, parity=parity) for n in [*names, *more]]
