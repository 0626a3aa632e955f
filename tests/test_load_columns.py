"""The fast paths for large snapshots' ACL records (loading and normalising 50k topics / 500k
bindings) give what the ways they replaced gave: property tests on valid and hostile records."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum
from itertools import repeat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.errors import InputError
from checker.grants import ACL_FIELDS, AclColumns, acl_columns
from checker.identity import Canon
from checker.io.read import _SURROGATE_ESCAPE, _Hooks, _problems, parse_json
from checker.normalize import SETTING_KEYS, _broker_retention_ms, _int, _topics
from checker.redact import scrub
from checker.schemas import _fast, _fast_valid, _flat_arrays, _flat_maps
from checker.schemas.failure import JsonSchemaValueException
from checker.snapshot import parse_snapshot
from checker.topics import is_internal
from checker.topics import settings as topic_settings

from .test_large_estate_paths import _per_item_way

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ACL_CHECK = _flat_arrays("snapshot")["acls"]

_VALID = {
    "principal": "User:p",
    "resource_type": "TOPIC",
    "pattern_type": "LITERAL",
    "resource_name": "a.one",
    "operation": "READ",
    "permission": "ALLOW",
    "host": "*",
}


class _Kind(StrEnum):
    TOPIC = "TOPIC"


odd_values = st.one_of(
    st.sampled_from(["TOPIC", "GROUP", "LITERAL", "READ", "ALLOW", "DENY", "*", "bogus", ""]),
    st.sampled_from(["User:p", "User:q", "Group:g", "p"]),
    st.none(),
    st.integers(-1, 1),
    st.booleans(),
    st.floats(allow_nan=False),
    st.just(_Kind.TOPIC),
    st.just(["TOPIC"]),
    st.just({"a": 1}),
)
records = st.one_of(
    st.builds(
        lambda drop, extra, changes: {
            **{k: v for k, v in _VALID.items() if k not in drop},
            **changes,
            **extra,
        },
        st.sets(st.sampled_from(sorted(_VALID)), max_size=2),
        st.dictionaries(st.sampled_from(["extra", "host", "hosts"]), odd_values, max_size=1),
        st.dictionaries(st.sampled_from(sorted(_VALID)), odd_values, max_size=2),
    ),
    st.just(_VALID),
    st.builds(lambda name: dict(_VALID, resource_name=name), st.text(max_size=4)),
    st.just(["not", "a", "record"]),
    st.none(),
)
record_lists = st.one_of(
    st.lists(records, max_size=8),
    # all of one layout, as exporters write them: the itemgetter path
    st.lists(
        st.builds(
            lambda changes: {**_VALID, **changes},
            st.dictionaries(st.sampled_from(sorted(_VALID)), odd_values, max_size=1),
        ),
        max_size=8,
    ),
    st.just({"principal": "User:p"}),
    st.none(),
)


def _old_acl_columns(acls: Any, canon: Canon) -> AclColumns | None:
    """grants.acl_columns before the itemgetter path (ea0bdad)."""
    if not isinstance(acls, list) or not set(map(type, acls)) <= {dict}:
        return None
    get = dict.get
    columns = []
    for name in ACL_FIELDS:
        column = list(map(get, acls, repeat(name), repeat("*" if name == "host" else None)))
        if not set(map(type, column)) <= {str}:
            return None
        columns.append(column)
    raw = columns[0]
    canonical = {value: canon.text(value) for value in dict.fromkeys(raw)}
    return AclColumns(raw, list(map(canonical.__getitem__, raw)), *columns[1:])


def _same_columns(new: AclColumns | None, old: AclColumns | None) -> None:
    if old is None:
        # the old way refused a str subclass the new one may take as text: it reads the same
        assert new is None or any(type(v) is not str for column in new for v in column), (
            "columns where the old way had none"
        )
        return
    assert new is not None
    assert new == old
    for got, want in zip(new, old, strict=True):
        assert [type(v) for v in got] == [type(v) for v in want]
        assert all(g is w for g, w in zip(got, want, strict=True))


@SETTINGS
@given(record_lists)
def test_acl_columns_match_the_old_way(items: Any) -> None:
    canon = Canon({"User:q": "User:p"})
    _same_columns(acl_columns(items, canon), _old_acl_columns(items, canon))


def _text_members(items: Any) -> bool:
    """Whether a record holds a str subclass value (an enum member)."""
    records = items if isinstance(items, list) else []
    return any(
        isinstance(v, str) and type(v) is not str
        for item in records
        if type(item) is dict
        for v in item.values()
    )


def _as_plain_text(items: Any) -> Any:
    """The records with every str subclass value as the plain str it equals."""
    if not _text_members(items):
        return items
    return [
        {k: str(v) if isinstance(v, str) else v for k, v in item.items()}
        if type(item) is dict
        else item
        for item in items
    ]


@SETTINGS
@given(record_lists)
def test_flat_acl_check_matches_the_record_loop(items: Any) -> None:
    """The column-wise check answers as the record loop, except for a str subclass equal to an
    allowed value (text to the schema's validator too): the check reads each distinct value
    once, so such a member may count as the plain str it equals (a document parsed from JSON
    holds none)."""
    answer = ACL_CHECK.valid(items)
    if _text_members(items):
        assert answer in {_per_item_way(items), _per_item_way(_as_plain_text(items))}
    else:
        assert answer is _per_item_way(items)


@SETTINGS
@given(record_lists)
def test_the_columns_validation_read_are_the_columns_read_again(items: Any) -> None:
    """A snapshot's validation hands its ACL columns to normalisation (`Snapshot.columns`):
    the columns then are those read from the records, value for value."""
    canon = Canon({"User:q": "User:p"})
    read: dict[str, list[Any]] = {}
    if not ACL_CHECK.valid(items, read) or not read:
        assert not read  # columns only of records that each hold every field, and are valid
        return
    assert set(read) == set(ACL_FIELDS)
    _same_columns(acl_columns(items, canon, read), acl_columns(items, canon))


def test_a_snapshot_keeps_the_columns_of_the_records_it_validated() -> None:
    document = json.loads((FIXTURES / "estate" / "ready" / "us-east-1.json").read_text("utf-8"))
    snapshot = parse_snapshot(document, "ready")
    read = snapshot.read_columns("acls")
    assert read is not None
    assert list(read["resource_name"]) == [a["resource_name"] for a in document["acls"]]
    assert set(read) == set(ACL_FIELDS)
    # a copy with another document has none: they were read from the records it replaced
    copied = dataclasses.replace(snapshot, document={**document, "acls": list(document["acls"])})
    assert copied.read_columns("acls") is None
    assert snapshot.read_columns("topics") is None
    # records without a host: validation read no columns, normalisation reads them itself
    hostless = [{k: v for k, v in a.items() if k != "host"} for a in document["acls"]]
    without = parse_snapshot({**document, "acls": hostless}, "hostless")
    assert without.read_columns("acls") is None


def test_an_enum_member_behind_its_plain_text_is_read_as_text() -> None:
    """The case hypothesis found (seed 22): the plain "TOPIC" first, then the member, which
    the check reads as the text it equals; alone, the member is refused as the loop does."""
    items = [dict(_VALID), dict(_VALID, resource_type=_Kind.TOPIC)]
    assert _per_item_way(items) is False
    assert ACL_CHECK.valid(items) is _per_item_way(_as_plain_text(items)) is True
    assert ACL_CHECK.valid([dict(_VALID, resource_type=_Kind.TOPIC)]) is False


def test_every_record_of_one_layout_takes_the_itemgetter_path() -> None:
    items = [dict(_VALID, resource_name=f"t{i}") for i in range(5)]
    columns = acl_columns(items, Canon({}))
    assert columns is not None
    assert columns.resource_name == [f"t{i}" for i in range(5)]
    assert ACL_CHECK.valid(items) is True
    # seven keys, one misspelt: neither path takes it as valid records
    odd = [*items, {**{k: v for k, v in _VALID.items() if k != "host"}, "hosts": "*"}]
    assert ACL_CHECK.valid(odd) is False
    assert acl_columns(odd, Canon({})) == _old_acl_columns(odd, Canon({}))


# --- topic records ------------------------------------------------------------------------------


def _old_topics(
    doc: dict[str, Any],
    names: dict[str, str],
    topic_families: dict[str, str | None],
    broker_config: dict[str, Any],
    default_retention: int,
    origin: str,
) -> dict[str, dict[str, Any]]:
    """normalize._snapshot's topic loop before configs were settled once per alike (ea0bdad)."""
    topics = {}
    effective: dict[tuple[str | None, ...], dict[str, Any]] = {}
    for name, raw_name in names.items():
        raw = doc["topics"][raw_name]
        configs = scrub({k: v for k, v in raw.get("configs", {}).items() if v is not None})
        own = tuple(map(configs.get, SETTING_KEYS))
        text = set(map(type, own)) <= {str, type(None)}
        found = effective.get(own) if text else None
        if found is None:
            found = topic_settings(configs, broker_config, origin, raw_name)
            if text:
                effective[own] = found
        retention_ms = configs.get("retention.ms")
        retention_bytes = configs.get("retention.bytes")
        topics[name] = {
            "partitions": raw.get("partitions"),
            "replication_factor": raw.get("replication_factor"),
            "configs": configs,
            "retention_ms": default_retention
            if retention_ms is None
            else _int(retention_ms, origin, f"topic {raw_name} retention.ms"),
            "retention_bytes": -1
            if retention_bytes is None
            else _int(retention_bytes, origin, f"topic {raw_name} retention.bytes"),
            "family": topic_families.get(name),
            "internal": is_internal(name),
            **found,
        }
    return topics


config_values = st.one_of(
    st.sampled_from(["604800000", " 86400000 ", "-1", "compact,delete", "delete", "2", "x"]),
    st.sampled_from(["1048588", "LogAppendTime", "", "1e3", "0x10"]),
    st.none(),
    st.integers(-2, 3),
    st.booleans(),
    st.just(1.0),
    st.just(["delete"]),
)
config_keys = st.sampled_from(
    [
        "retention.ms",
        "retention.bytes",
        "cleanup.policy",
        "min.insync.replicas",
        "max.message.bytes",
        "message.timestamp.type",
        "sasl.jaas.config",
        "ssl.key.password",
        "segment.ms",
    ]
)
topic_configs = st.dictionaries(config_keys, config_values, max_size=4)


def _outcome_of(call: Any) -> Any:
    try:
        return call()
    except (InputError, TypeError, AttributeError, ValueError) as exc:
        return type(exc), str(exc)


@SETTINGS
@given(
    st.lists(st.sampled_from(range(4)), min_size=1, max_size=12),
    st.lists(topic_configs, min_size=1, max_size=4),
    st.dictionaries(st.sampled_from(["log.retention.ms", "min.insync.replicas"]), config_values),
)
def test_topic_records_match_the_old_loop(
    picks: list[int], configs: list[dict[str, Any]], broker: dict[str, Any]
) -> None:
    """Topics configured alike (the same configs, each its own dict) and differently, with
    hostile values: the same records, key order and types, or the same error."""
    doc = {
        "topics": {
            f"t{i}": {
                "partitions": 3,
                "replication_factor": 2,
                "configs": dict(configs[p % len(configs)]),
            }
            for i, p in enumerate(picks)
        }
    }
    doc["topics"]["__consumer_offsets"] = {"partitions": 50}
    names = {name: name for name in sorted(doc["topics"])}
    families: dict[str, str | None] = {name: "f" if name != "t0" else None for name in names}
    broker_config = scrub(broker)
    retention = _outcome_of(lambda: _broker_retention_ms(broker_config, "x.json"))
    if isinstance(retention, tuple):
        return
    args = (doc, names, families, broker_config, retention, "x.json")
    new, old = _outcome_of(lambda: _topics(*args)), _outcome_of(lambda: _old_topics(*args))
    assert new == old
    if isinstance(old, dict):
        for name, record in new.items():
            assert list(record) == list(old[name])
            assert [type(v) for v in record.values()] == [type(v) for v in old[name].values()]
            assert [type(v) for v in record["configs"].values()] == [
                type(v) for v in old[name]["configs"].values()
            ]


# --- the topics map's fast check ---------------------------------------------------------------

_BASE_DOC = {
    "schema_version": "1.0",
    "region": "us-east-1",
    "captured_at": "2026-11-28T09:00:00Z",
    "source": {"type": "generated"},
    "cluster": {"id": "c", "name": "c", "kind": "kafka"},
}
numbers = st.one_of(
    st.integers(-1, 3),
    st.sampled_from([1000, 1001, 1_000_000, 1_000_001, 3.0, 2.5, True, "3", None]),
)
topic_records = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "partitions": numbers,
            "replication_factor": numbers,
            "configs": st.one_of(
                st.dictionaries(config_keys, config_values, max_size=3), st.none(), st.just([])
            ),
            "extra": st.just(1),
        },
    ),
    st.just({"partitions": 12, "replication_factor": 3, "configs": {"cleanup.policy": "delete"}}),
    st.just([]),
    st.none(),
)


def _old_fast_valid(document: Any) -> str | None:
    """schemas._fast_valid before the topics map's fast check (ea0bdad)."""
    try:
        _fast("snapshot")(document)
    except JsonSchemaValueException as error:
        return str(error.message)
    return None


@SETTINGS
@given(st.dictionaries(st.sampled_from(["a", "b", "c.d", "e"]), topic_records, max_size=4))
def test_topics_fast_check_gives_the_full_validators_answer(topics: dict[str, Any]) -> None:
    document = {**_BASE_DOC, "topics": topics}
    assert _fast_valid(document, "snapshot") == _old_fast_valid(document)
    if _flat_maps("snapshot")["topics"].valid(topics):
        assert _old_fast_valid(document) is None


def test_topics_fast_check_is_built_for_the_snapshots_topics_only() -> None:
    assert set(_flat_maps("snapshot")) == {"topics"}
    assert _flat_maps("plan") == {}
    check = _flat_maps("snapshot")["topics"]
    assert check.valid({"t": {"partitions": 1, "configs": {"a": None}}}) is True
    assert check.valid({"t": {"partitions": 0}}) is False
    assert check.valid({"t": {"partitions": 2.0}}) is False  # left to the full validator
    assert check.valid({"t": {"configs": {"a": 1}}}) is False


# --- the surrogate scan's pre-check ------------------------------------------------------------


@SETTINGS
@given(st.text(alphabet='\\u"dD8aF0 ', max_size=12))
def test_parse_json_refuses_what_it_refused_before_the_scan_was_skipped(body: str) -> None:
    """Only a text holding "\\u" can hold a surrogate escape: every string literal that was
    refused (or read) still is, alike."""
    text = f'{{"a": "{body}"}}'
    old = _outcome_of(lambda: _old_parse_json(text))
    assert _outcome_of(lambda: parse_json(text, "x.json", "snapshot")) == old


def _old_parse_json(text: str) -> Any:
    hooks = _Hooks()
    try:
        document = json.loads(
            text,
            parse_constant=hooks.constant,
            parse_float=hooks.number,
            object_pairs_hook=hooks.pairs,
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"snapshot x.json is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    if hooks.bad or _SURROGATE_ESCAPE.search(text):
        for where, problem in _problems(document):
            raise InputError(f"snapshot x.json is not valid JSON: {problem}, at {where}")
    return document


def test_a_lone_surrogate_escape_is_still_refused() -> None:
    with pytest.raises(InputError, match="unpaired UTF-16 surrogate"):
        parse_json('{"a": "x\\ud800"}', "x.json", "snapshot")
    assert parse_json('{"a": "x\\\\ud800"}', "x.json", "snapshot") == {"a": "x\\ud800"}
