"""The paths large estates take (issue #19: 50k topics / 500k bindings) answer as the plain
ways they replaced: each test holds a fast path to a reference written the old way."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import collector
from checker.authz.kafka import AclBinding, Authorizer, PatternType, ResourceType, acl
from checker.errors import InputError
from checker.grants import WRITE_OPERATIONS, Grant, TopicIndex
from checker.io.read import parse_json
from checker.normalize import _grants
from checker.schemas import _flat_arrays

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the cyclic collector ----------------------------------------------------------------------


def test_paused_stops_the_collector_and_restores_it() -> None:
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still holds it
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_paused_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collector.paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- grant records -----------------------------------------------------------------------------

TOPIC_FAMILIES = {"a.one": "a", "a.two": "a", "b.one": "b", "loose": None}
grant_fields = st.tuples(
    st.sampled_from(["User:p", "User:q", "iam:role/replicator"]),
    st.sampled_from(["TOPIC", "GROUP", "CLUSTER"]),
    st.sampled_from(["LITERAL", "PREFIXED", "MATCH"]),
    st.sampled_from(["a.one", "a.", "b.one", "*", "a.*", "loose", "none"]),
    st.sampled_from(["READ", "WRITE", "ALL", "DESCRIBE"]),
    st.sampled_from(["ALLOW", "DENY"]),
    st.sampled_from(["*", "10.0.0.1"]),
    st.sampled_from(["acl", "iam"]),
)
grant_lists = st.lists(grant_fields.map(Grant._make), max_size=40)


def _replicator(principal: str) -> bool:
    return principal.startswith("iam:")


def _sorted_way(grants: Iterable[Grant], index: TopicIndex) -> dict[str, dict[str, Any]]:
    """The records as normalisation built them before: one dict literal per grant, in sorted
    order, the last of a key winning."""
    found = {}
    for g in sorted(grants):
        topic = g.resource_type == "TOPIC"
        found[g.key] = {
            "principal": g.principal,
            "resource_type": g.resource_type,
            "pattern_type": g.pattern_type,
            "resource_name": g.resource_name,
            "operation": g.operation,
            "permission": g.permission,
            "host": g.host,
            "source": g.source,
            "replicator": _replicator(g.principal),
            "families": index.families(g.pattern_type, g.resource_name) if topic else [],
            "write": topic and g.operation in WRITE_OPERATIONS,
        }
    return found


def _same_records(new: Mapping[str, dict[str, Any]], old: Mapping[str, dict[str, Any]]) -> None:
    assert new.keys() == old.keys()
    for key, record in new.items():
        assert type(record) is dict
        # same keys in the same order, same values of the same types: alike as JSON
        assert [(k, type(v), v) for k, v in record.items()] == [
            (k, type(v), v) for k, v in old[key].items()
        ]
        assert json.dumps(record) == json.dumps(old[key])


@SETTINGS
@given(grant_lists, grant_lists)
def test_grant_records_match_the_sorted_way(primary: list[Grant], secondary: list[Grant]) -> None:
    index = TopicIndex(TOPIC_FAMILIES)
    first = _grants(iter(primary), _replicator, index, {})
    _same_records(first, _sorted_way(primary, index))
    second = _grants(iter(secondary), _replicator, index, first)
    _same_records(second, _sorted_way(secondary, index))
    for key, record in second.items():  # a record alike in both regions is one object
        if key in first and first[key]["source"] == record["source"]:
            assert record is first[key]


def test_a_key_both_sources_grant_keeps_the_iam_record() -> None:
    index = TopicIndex(TOPIC_FAMILIES)
    fields = ("User:p", "TOPIC", "LITERAL", "a.one", "READ", "ALLOW", "*")
    for order in (["acl", "iam"], ["iam", "acl"]):
        found = _grants((Grant(*fields, source) for source in order), _replicator, index, {})
        assert [r["source"] for r in found.values()] == ["iam"]


# --- flat record validation --------------------------------------------------------------------

ACL_CHECK = _flat_arrays("snapshot")["acls"]


def _per_item_way(items: Any) -> bool:
    """The per-record loop the column-wise check replaced."""
    check = ACL_CHECK
    if not isinstance(items, list):
        return False
    for item in items:
        if type(item) is not dict:
            return False
        present = item.keys()
        if not (present <= check.keys and check.required <= present):
            return False
        for key, allowed in check.enums.items():
            if key in item and (type(item[key]) is not str or item[key] not in allowed):
                return False
        for key in check.strings:
            if key in item and type(item[key]) is not str:
                return False
    return True


_VALID_ACL = {
    "principal": "User:p",
    "resource_type": "TOPIC",
    "pattern_type": "LITERAL",
    "resource_name": "a.one",
    "operation": "READ",
    "permission": "ALLOW",
    "host": "*",
}
odd_values = st.one_of(
    st.sampled_from(["TOPIC", "GROUP", "LITERAL", "READ", "ALLOW", "DENY", "*", "bogus", ""]),
    st.none(),
    st.integers(-1, 1),
    st.booleans(),
    st.just(["TOPIC"]),
    st.just({"a": 1}),
)
acl_items = st.one_of(
    st.builds(
        lambda drop, extra, changes: {
            **{k: v for k, v in _VALID_ACL.items() if k not in drop},
            **changes,
            **extra,
        },
        st.sets(st.sampled_from(sorted(_VALID_ACL)), max_size=2),
        st.dictionaries(st.sampled_from(["extra", "host"]), odd_values, max_size=1),
        st.dictionaries(st.sampled_from(sorted(_VALID_ACL)), odd_values, max_size=2),
    ),
    st.just(_VALID_ACL),
    st.just(["not", "a", "record"]),
    st.none(),
)


@SETTINGS
@given(st.lists(acl_items, max_size=8))
def test_column_wise_acl_check_matches_the_per_record_loop(items: list[Any]) -> None:
    assert ACL_CHECK.valid(items) is _per_item_way(items)


def test_column_wise_acl_check_refuses_a_non_list() -> None:
    assert ACL_CHECK.valid({"principal": "User:p"}) is False
    assert ACL_CHECK.valid([]) is True


# --- JSON parsing --------------------------------------------------------------------------------


def test_parsed_json_shares_repeated_string_values() -> None:
    records = [dict(_VALID_ACL, resource_name=f"t{i % 3}") for i in range(6)]
    text = json.dumps({"acls": records, "list": ["TOPIC", "TOPIC"]})
    document = parse_json(text, "x.json", "snapshot")
    assert document == json.loads(text)
    acls = document["acls"]
    assert all(a["resource_type"] is acls[0]["resource_type"] for a in acls)
    assert acls[0]["resource_name"] is acls[3]["resource_name"]


def test_parsed_json_still_refuses_duplicate_keys() -> None:
    with pytest.raises(InputError, match="duplicate key"):
        parse_json('{"a": "x", "a": "x"}', "x.json", "snapshot")


# --- the authorizer's bindings -----------------------------------------------------------------


def test_authorizer_keeps_the_first_of_equal_bindings_in_sorted_order() -> None:
    made = [
        acl("User:b", "ALLOW", "READ", "TOPIC", "t"),
        acl("User:a", "ALLOW", "READ", "TOPIC", "t"),
        acl("User:a", "ALLOW", "READ", "GROUP", "g"),
        acl("User:a", "ALLOW", "WRITE", "TOPIC", "p", pattern_type="PREFIXED"),
    ]
    twins = [AclBinding(*b) for b in made]  # equal, other objects
    bindings = [*made, *twins, made[0]]
    authorizer = Authorizer(bindings)
    expected = sorted(set(made))
    listed = [b for kind in authorizer.resource_types() for b in authorizer.bindings(kind)]
    assert listed == list(authorizer.bindings()) == expected
    for binding in listed:  # the objects given first, as a set keeps them
        assert any(binding is b for b in made)
    assert authorizer.resource_types() == sorted({b.resource_type for b in made})
    assert authorizer.bindings(ResourceType.TOPIC)[0].pattern_type in PatternType
