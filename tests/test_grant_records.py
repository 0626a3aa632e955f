"""A region's grant records are worked out when read (checker/grant_records.py): the map holds
the records a record-by-record build gives, in its order, and the region diff's changes from
keys and sources are those a diff of the records gives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import diff as diff_module
from checker.grant_records import Derivation, grant_map
from checker.grants import ACL_FIELDS, Grant, TopicIndex

TOPICS = {"pay.a": "pay", "pay.b": "pay", "ops.x": "ops", "_internal": None}
INDEX = TopicIndex(TOPICS)


def is_replicator(principal: str) -> bool:
    return principal.endswith("replicator")


GRANTS = st.builds(
    Grant,
    st.sampled_from(["User:app", "User:mm2-replicator", "User:*"]),
    st.sampled_from(["TOPIC", "GROUP", "CLUSTER"]),
    st.sampled_from(["LITERAL", "PREFIXED"]),
    st.sampled_from(["pay.a", "pay.", "ops.x", "*", "kafka-cluster"]),
    st.sampled_from(["WRITE", "READ", "ALL", "DESCRIBE"]),
    st.sampled_from(["ALLOW", "DENY"]),
    st.sampled_from(["*", "10.0.0.1"]),
    st.just("acl"),
)


def columns(acls: Sequence[Grant]) -> list[list[str]] | None:
    """The ACL grants' columns as normalisation hands them over (the source left out)."""
    if not acls:
        return None
    return [[g[i] for g in acls] for i in range(len(ACL_FIELDS))]


def built_one_by_one(
    acls: Sequence[Grant], others: Sequence[Grant], derivation: Derivation
) -> dict[str, dict[str, Any]]:
    """The reference: every grant in turn, a key keeping its greatest source's first record."""
    records: dict[str, dict[str, Any]] = {}
    for grant in [*acls, *others]:
        kept = records.get(grant.key)
        if kept is None or kept["source"] < grant.source:
            records[grant.key] = derivation.record(grant)
    return records


@st.composite
def regions(draw: st.DrawFn) -> tuple[list[Grant], list[Grant], list[Grant], list[Grant]]:
    """Two regions' ACL grants (duplicates allowed) and other grants (IAM's: some on an ACL
    grant's key, some on keys of their own)."""
    primary = draw(st.lists(GRANTS, max_size=12))
    secondary = [g for g in primary if draw(st.booleans())] + draw(st.lists(GRANTS, max_size=4))
    if draw(st.booleans()):
        secondary.reverse()

    def iam(acls: list[Grant]) -> list[Grant]:
        on_acls = [g._replace(source="iam") for g in acls if draw(st.integers(0, 3)) == 0]
        own = [g._replace(source="iam") for g in draw(st.lists(GRANTS, max_size=3))]
        return on_acls + own

    return primary, iam(primary), secondary, iam(secondary)


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(regions())
def test_the_map_holds_the_records_a_build_one_by_one_gives(
    sides: tuple[list[Grant], list[Grant], list[Grant], list[Grant]],
) -> None:
    acls, others, _, _ = sides
    derivation = Derivation(is_replicator, INDEX)
    found = grant_map(columns(acls), others, derivation)
    expected = built_one_by_one(acls, others, derivation)
    assert list(found) == list(expected)  # the same keys in the same order
    assert len(found) == len(expected)
    assert dict(found) == expected
    assert found.many(list(reversed(expected))) == list(reversed(expected.values()))
    for key in expected:
        assert key in found
        assert found[key] is found[key]  # worked out once
        assert found.source(key) == expected[key]["source"]
    assert "User:nobody|TOPIC|LITERAL|x|READ|ALLOW|*" not in found
    assert {k for k in found if found.source(k) != "acl"} == {
        k for k, r in expected.items() if r["source"] != "acl"
    }


@SETTINGS
@given(regions())
def test_the_diff_from_keys_and_sources_is_the_diff_of_the_records(
    sides: tuple[list[Grant], list[Grant], list[Grant], list[Grant]],
) -> None:
    primary_acls, primary_iam, secondary_acls, secondary_iam = sides
    derivation = Derivation(is_replicator, INDEX)
    a = grant_map(columns(primary_acls), primary_iam, derivation)
    b = grant_map(columns(secondary_acls), secondary_iam, derivation)
    assert a.alike(b)
    for one, other in ((a, b), (b, a)):
        fast = list(diff_module._keyed("grants", one, other))
        records = list(diff_module._keyed_values("grants", dict(one), dict(other)))
        assert fast == records


def test_maps_of_two_derivations_are_diffed_by_their_records() -> None:
    grant = Grant("User:mm2-replicator", "TOPIC", "LITERAL", "pay.a", "WRITE", "ALLOW", "*", "acl")
    a = grant_map(columns([grant]), [], Derivation(is_replicator, INDEX))
    b = grant_map(columns([grant]), [], Derivation(lambda _: False, INDEX))
    assert not a.alike(b)
    [change] = diff_module._keyed("grants", a, b)
    assert (change.kind, change.path, change.primary, change.secondary) == (
        "changed",
        f"grants/{grant.key}/replicator",
        True,
        False,
    )


def test_a_record_holds_the_fields_worked_out_from_its_grant() -> None:
    derivation = Derivation(is_replicator, INDEX)
    write = Grant("User:app", "TOPIC", "PREFIXED", "pay.", "WRITE", "ALLOW", "*", "acl")
    group = Grant("User:mm2-replicator", "GROUP", "LITERAL", "g", "READ", "ALLOW", "*", "acl")
    found = grant_map(columns([write, group]), [], derivation)
    assert found[write.key] == {
        "principal": "User:app",
        "resource_type": "TOPIC",
        "pattern_type": "PREFIXED",
        "resource_name": "pay.",
        "operation": "WRITE",
        "permission": "ALLOW",
        "host": "*",
        "source": "acl",
        "replicator": False,
        "families": ["pay"],
        "write": True,
    }
    assert found[group.key]["replicator"] is True
    assert found[group.key]["families"] == []
    assert found[group.key]["write"] is False


def test_fields_that_join_to_one_key_keep_the_first_grants_record() -> None:
    """Keys join a grant's fields with "|", which a resource name or host may hold: two grants
    may join to one key, and the key keeps the first one's record, as the one-by-one build."""
    first = Grant("User:a", "TOPIC", "LITERAL", "n|READ|ALLOW|h", "READ", "ALLOW", "h2", "acl")
    second = Grant("User:a", "TOPIC", "LITERAL", "n", "READ", "ALLOW", "h|READ|ALLOW|h2", "acl")
    assert first.key == second.key
    derivation = Derivation(is_replicator, INDEX)
    for order in ([first, second], [second, first]):
        found = grant_map(columns(order), [], derivation)
        assert list(found) == [first.key]
        assert found[first.key]["resource_name"] == order[0].resource_name
        assert dict(found) == built_one_by_one(order, [], derivation)
        empty = grant_map(None, [], derivation)
        [removed] = diff_module._keyed("grants", found, empty)
        assert removed.primary == found[first.key]
