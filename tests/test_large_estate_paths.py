"""The paths large estates take (issue #19: 50k topics / 500k bindings) answer as the plain
ways they replaced: each test holds a fast path to a reference written the old way."""

from __future__ import annotations

import bisect
import contextlib
import gc
import json
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker import collector
from checker.authority import (
    Probe,
    RegionAccess,
    _bindings,
    _column_bindings,
    _signature,
    granted_only_probes,
    region_access,
)
from checker.authz.kafka import AclBinding, Authorizer, PatternType, ResourceType, acl
from checker.errors import InputError
from checker.grant_records import Derivation, GrantMap, grant_map
from checker.grants import WRITE_OPERATIONS, AclColumns, Grant, TopicIndex, acl_columns
from checker.identity import Canon
from checker.io.read import parse_json
from checker.normalize import SETTING_KEYS
from checker.schemas import _flat_arrays
from checker.topics import settings as topic_settings

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


def test_a_small_block_leaves_its_objects_to_the_young_collections() -> None:
    """Under MOVE_AT_LEAST young objects nothing moves: the collector's own counters and
    schedule stay as CPython keeps them."""
    gc.collect()
    with collector.paused():
        kept = [[index] for index in range(1000)]
    young = gc.get_objects(generation=0) + gc.get_objects(generation=1)
    assert any(item is kept[0] for item in young)  # left to the young collections
    assert not any(item is kept[0] for item in gc.get_objects(generation=2))


def test_paused_hands_what_it_kept_to_the_oldest_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Objects made inside the outermost block are moved to the oldest generation unwalked (no
    young collection after the block walks them), and a cycle among them is still freed by a
    full collection."""

    monkeypatch.setattr(collector, "MOVE_AT_LEAST", 0)

    class Node:
        other: Any = None

    with collector.paused():
        kept = [[index] for index in range(2000)]
        first, second = Node(), Node()
        first.other, second.other = second, first
        freed = weakref.ref(first)
        with collector.paused():
            pass
        assert not any(item is kept[0] for item in gc.get_objects(generation=2))  # nested
    oldest = {id(item) for item in gc.get_objects(generation=2)}
    assert all(id(item) in oldest for item in kept)
    assert gc.get_freeze_count() == 0  # moved through the permanent generation, not left there
    del first, second
    assert freed() is not None  # a cycle: reference counting alone does not free it
    gc.collect()
    assert freed() is None


class _Loop:
    """A node that refers to itself: only the cyclic collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def small_collection_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full collections due after 5,000 objects of growth, whatever the test session holds."""
    monkeypatch.setattr(collector, "FULL_COLLECTION_AFTER", 5000)
    monkeypatch.setattr(collector, "HEAP_GROWTH", 0.0)
    monkeypatch.setattr(collector, "MOVE_AT_LEAST", 0)
    gc.collect()  # the next block's end takes the base


@pytest.mark.usefixtures("small_collection_bound")
def test_a_long_running_process_frees_the_cycles_made_in_its_blocks() -> None:
    """Check after check in one process (a fleet, `failback watch`, a test session): cycles
    handed to the oldest generation are freed once the tracked objects have grown enough,
    without anyone calling gc.collect(). Before the module scheduled full collections, none of
    them ever was, and a CI test session grew to 24 GB."""
    checks = []
    for _ in range(20):
        with collector.paused():
            loops = [_Loop() for _ in range(1000)]
        checks.append(weakref.ref(loops[0]))
        del loops
    assert [ref() is None for ref in checks[:10]] == [True] * 10


@pytest.mark.usefixtures("small_collection_bound")
def test_cycles_made_between_blocks_are_freed_too() -> None:
    """The move resets the collector's counters, so CPython alone would never collect fully
    while blocks keep ending: cycles made outside the blocks count as growth as well."""
    checks = []
    for _ in range(40):
        loops = [_Loop() for _ in range(1000)] + [[index] for index in range(2000)]
        checks.append(weakref.ref(loops[0]))
        del loops
        with collector.paused():
            pass
    assert [ref() is None for ref in checks[:20]] == [True] * 20


@pytest.mark.usefixtures("small_collection_bound")
def test_a_block_that_frees_older_objects_still_counts_what_it_made() -> None:
    """Growth is the collector's whole count, not allocations net of frees (which a block that
    drops older objects while making cycles would keep at zero)."""
    checks = []
    for _ in range(20):
        old = [[index] for index in range(2100)]
        with collector.paused():
            loops = [_Loop() for _ in range(1000)]
            del old
        checks.append(weakref.ref(loops[0]))
        del loops
    assert [ref() is None for ref in checks[:10]] == [True] * 10


def test_one_check_below_the_bound_pays_no_full_collection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(collector, "MOVE_AT_LEAST", 0)
    gc.collect()
    full = gc.get_stats()[-1]["collections"]
    with collector.paused():
        kept = [[index] for index in range(1000)]
    assert not collector.full_collection_due()
    with collector.paused():
        pass
    assert gc.get_stats()[-1]["collections"] == full
    assert kept


def test_a_full_collection_by_anyone_restarts_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(collector, "FULL_COLLECTION_AFTER", 10)
    monkeypatch.setattr(collector, "HEAP_GROWTH", 0.0)
    monkeypatch.setattr(collector, "MOVE_AT_LEAST", 0)
    gc.collect()
    with collector.paused():
        pass  # its end takes the base
    with collector.paused():
        kept = [[index] for index in range(1000)]
    assert collector.full_collection_due()
    gc.collect()
    assert not collector.full_collection_due()
    assert kept


def test_paused_leaves_objects_frozen_by_others_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.paused():
            made = [[index] for index in range(100)]
        assert gc.get_freeze_count() == frozen  # nothing thawed, nothing frozen for good
        assert made and gc.isenabled()
    finally:
        gc.unfreeze()


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
    derivation = Derivation(_replicator, index)
    for grants in (primary, secondary):
        found = grant_map(None, iter(grants), derivation)
        _same_records(found, _sorted_way(grants, index))
        _names_the_other_sources(found)


def _names_the_other_sources(grants: GrantMap) -> None:
    """`source` names each key's record's source (the diff compares sources)."""
    assert {k: grants.source(k) for k in grants} == {k: r["source"] for k, r in grants.items()}


def test_a_key_both_sources_grant_keeps_the_iam_record() -> None:
    derivation = Derivation(_replicator, TopicIndex(TOPIC_FAMILIES))
    fields = ("User:p", "TOPIC", "LITERAL", "a.one", "READ", "ALLOW", "*")
    for order in (["acl", "iam"], ["iam", "acl"]):
        stream = (Grant(*fields, source) for source in order)
        found = grant_map(None, stream, derivation)
        assert [r["source"] for r in found.values()] == ["iam"]
        assert found.source(Grant(*fields, "iam").key) == "iam"
    # an ACL row and an IAM grant of one key: the IAM record
    found = grant_map(_columns([Grant(*fields, "acl")]), [Grant(*fields, "iam")], derivation)
    assert [r["source"] for r in found.values()] == ["iam"]
    assert found.source(Grant(*fields, "iam").key) == "iam"


def _columns(grants: list[Grant]) -> list[list[str]]:
    return [[g[i] for g in grants] for i in range(7)]


@SETTINGS
@given(grant_lists, grant_lists)
def test_grant_records_from_acl_columns_match_the_stream(
    primary: list[Grant], iam: list[Grant]
) -> None:
    """The ACL grants read from their columns give the records and the key order that the
    grant stream gives (IAM grants after them)."""
    derivation = Derivation(_replicator, TopicIndex(TOPIC_FAMILIES))
    acls = [g._replace(source="acl") for g in primary]
    iam = [g._replace(source="iam") for g in iam]
    streamed = grant_map(None, iter([*acls, *iam]), derivation)
    columned = grant_map(_columns(acls) if acls else None, iter(iam), derivation)
    assert list(columned) == list(streamed)
    _same_records(columned, streamed)
    assert {k: columned.source(k) for k in columned} == {k: streamed.source(k) for k in streamed}
    _names_the_other_sources(columned)


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


def _outcome(call: Callable[[], Any]) -> Any:
    """What a call returns, or the type and message of what it raises."""
    try:
        return call()
    except (InputError, TypeError, AttributeError) as exc:
        return type(exc), str(exc)


binding_items = st.one_of(
    acl_items,
    st.builds(
        lambda principal, name, rtype, pattern, operation: {
            **_VALID_ACL,
            "principal": principal,
            "resource_name": name,
            "resource_type": rtype,
            "pattern_type": pattern,
            "operation": operation,
        },
        st.sampled_from(["User:p", "User:*", "p", "iam:role/x", "User:q"]),
        st.sampled_from(["a.one", "*", "", "kafka-cluster", "b"]),
        st.sampled_from(["TOPIC", "GROUP", "CLUSTER", "TRANSACTIONAL_ID", "USER"]),
        st.sampled_from(["LITERAL", "PREFIXED", "MATCH"]),
        st.sampled_from(["READ", "WRITE", "ALL", "DESCRIBE", "CLUSTER_ACTION"]),
    ),
)


@SETTINGS
@given(st.lists(binding_items.filter(lambda item: isinstance(item, dict)), max_size=8))
def test_column_bindings_match_the_record_loop(items: list[Any]) -> None:
    """Bindings read from the ACL columns are the record loop's, in its order, with its
    types; records the columns cannot take go the record loop's way, errors and all."""
    canon = Canon({})
    expected = _outcome(lambda: _bindings(items, canon, "x.json"))
    columns = acl_columns(items, canon)
    fast = None if columns is None else _column_bindings(columns)
    if fast is not None:
        assert fast == expected
        assert [tuple(map(type, b)) for b in fast] == [tuple(map(type, b)) for b in expected]
        assert all(type(b) is AclBinding for b in fast)
    for given_columns in (None, columns):
        access = _outcome(
            lambda given=given_columns: region_access(  # type: ignore[misc]
                {"acls": items}, "primary", canon, "x.json", given
            )
        )
        if isinstance(expected, tuple):  # an error
            assert fast is None
            assert access == expected
        else:
            assert list(access.authorizer.bindings()) == list(Authorizer(expected).bindings())


def test_acl_columns_read_every_field_or_nothing() -> None:
    canon = Canon({"User:p": "User:canonical"})
    records = [_VALID_ACL, {k: v for k, v in _VALID_ACL.items() if k != "host"}]
    columns = acl_columns(records, canon)
    assert columns is not None
    assert columns.raw_principal == ["User:p", "User:p"]
    assert columns.principal == ["User:canonical", "User:canonical"]
    assert columns.host == ["*", "*"]
    assert columns.grant_fields[1:] == tuple([[v, v] for k, v in _VALID_ACL.items()][1:])
    assert acl_columns([{**_VALID_ACL, "host": None}], canon) is None
    assert acl_columns([{k: v for k, v in _VALID_ACL.items() if k != "operation"}], canon) is None
    assert acl_columns([_VALID_ACL, ["x"]], canon) is None
    assert acl_columns({"acls": []}, canon) is None
    assert acl_columns([], canon) == AclColumns([], [], [], [], [], [], [], [])


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


# --- signatures of the bindings matching a resource ----------------------------------------------

signature_bindings = st.lists(
    st.builds(
        lambda principal, host, operation, permission, rtype, pattern, name: acl(
            principal, permission, operation, rtype, name, pattern_type=pattern, host=host
        ),
        st.sampled_from(["User:p", "User:q", "User:*"]),
        st.sampled_from(["*", "10.0.0.1"]),
        st.sampled_from(["READ", "WRITE", "ALL", "DESCRIBE"]),
        st.sampled_from(["ALLOW", "DENY"]),
        st.sampled_from(["TOPIC", "GROUP"]),
        st.sampled_from(["LITERAL", "PREFIXED"]),
        st.sampled_from(["a", "a.one", "a.two", "b", "*", "a."]),
    ),
    max_size=12,
)
SIGNATURE_NAMES = ["a", "a.one", "a.two", "a.three", "b", "*", "c"]


@SETTINGS
@given(signature_bindings, st.booleans())
def test_region_signatures_are_equal_where_the_binding_signatures_are(
    bindings: list[AclBinding], parity: bool
) -> None:
    """RegionAccess.signature, read from the authorizer's index, tells resources apart exactly
    as _signature over the matching bindings does."""
    access = replace(
        region_access({}, "primary", Canon({}), "x.json"),
        authorizer=Authorizer(bindings),
        _matching={},
        _neutral={},
    )
    keys = [
        (kind, name)
        for kind in (ResourceType.TOPIC, ResourceType.GROUP)
        for name in SIGNATURE_NAMES
    ]
    new = {k: access.signature(*k, parity=parity) for k in keys}
    old = {k: _signature(access.matching(*k), k[1], parity=parity) for k in keys}
    for a in keys:
        for b in keys:
            assert (new[a] == new[b]) is (old[a] == old[b]), (a, b)


# --- topic settings, looked up by the values they read -------------------------------------------


class _Recording(dict[str, Any]):
    """A mapping that notes the keys read from it."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from([*SETTING_KEYS, "retention.ms", "segment.bytes", "x"]),
        st.sampled_from(["delete", "compact,delete", "2", " 3 ", "LogAppendTime", "1048588"]),
    )
)
def test_topic_settings_read_no_config_but_the_keys_normalisation_looks_them_up_by(
    configs: dict[str, Any],
) -> None:
    """normalize looks a topic's settings up by its values of SETTING_KEYS (one region's broker
    config being one): topics.settings must read no other topic config."""
    recording = _Recording(configs)
    with contextlib.suppress(InputError):
        topic_settings(recording, {"min.insync.replicas": "2"}, "x.json", "t")
    assert recording.read <= set(SETTING_KEYS)


# --- topic names only grants name ---------------------------------------------------------------


def _granted_only_per_binding(
    accesses: Mapping[str, RegionAccess],
    existing: list[str],
    compared: Callable[[str], bool],
    logical_of: Callable[[str, str], str],
) -> list[Probe]:
    """granted_only_probes as it was: every binding asked in turn."""
    found: dict[str, dict[str, str]] = {}
    known = set(existing)
    for role, access in accesses.items():
        for binding in access.authorizer.bindings(ResourceType.TOPIC):
            name = binding.resource_name
            if name == "*" or (binding.pattern_type is PatternType.LITERAL and name in known):
                continue
            logical = logical_of(role, name)
            start = bisect.bisect_left(existing, logical)
            nearest = existing[start] if start < len(existing) else None
            if nearest is not None and (
                nearest.startswith(logical)
                if binding.pattern_type is PatternType.PREFIXED
                else nearest == logical
            ):
                continue
            if compared(logical):
                found.setdefault(logical, {})[role] = name
    return [
        Probe(logical, here.get("primary", logical), here.get("secondary", logical))
        for logical, here in sorted(found.items())
    ]


@SETTINGS
@given(signature_bindings, signature_bindings)
def test_granted_only_probes_ask_each_pattern_once_as_every_binding_did(
    primary: list[AclBinding], secondary: list[AclBinding]
) -> None:
    base = region_access({}, "primary", Canon({}), "x.json")
    accesses = {
        role: replace(base, role=role, authorizer=Authorizer(bindings), _matching={}, _neutral={})
        for role, bindings in (("primary", primary), ("secondary", secondary))
    }
    existing = ["a.one", "b"]

    def logical_of(role: str, name: str) -> str:  # several names, one logical name: the last
        return name.split(".")[0] if role == "secondary" else name

    def compared(name: str) -> bool:
        return name != "b"

    assert granted_only_probes(accesses, existing, compared, logical_of) == (
        _granted_only_per_binding(accesses, existing, compared, logical_of)
    )
