"""Signatures worked out at once are one object where they are equal (write authority and
access parity group topics by a signature's identity, not its hash), their parity form is the
one the per-principal-and-host table of neutralised WRITE bindings gave, and the authorizer's
bulk reads answer as its one-name reads (issue #19: 50k topics / 500k bindings)."""

from __future__ import annotations

import operator
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from checker.authority import _WRITE_GRANT, _kafka_operations
from checker.authz.kafka import (
    AclBinding,
    Authorizer,
    Operation,
    Permission,
    ResourceType,
)

from .test_access_facts_bulk import SETTINGS, _access, bindings, name_lists

_TAIL = operator.itemgetter(3, 4, 5, 6)


def _old_parity_signature(found: list[AclBinding], name: str) -> tuple[Any, ...]:
    """A topic's parity signature the way it was read before: its LITERAL tails mapped through
    a table built from every topic binding's (principal, host)."""
    authorizer = Authorizer(found)
    pairs = {(b.principal, b.host) for b in authorizer.bindings(ResourceType.TOPIC)}
    write, allow = Operation.WRITE, Permission.ALLOW
    neutral = {(p, h, write, allow): (_WRITE_GRANT, h, write, allow) for p, h in pairs}
    own, others = authorizer.matching_parts(ResourceType.TOPIC, name)
    return (tuple(neutral.get(t, t) for t in map(_TAIL, own)), *map(id, others))


@SETTINGS
@given(
    bindings, name_lists, st.booleans(), st.sampled_from([ResourceType.TOPIC, ResourceType.GROUP])
)
def test_equal_signatures_are_one_object(
    found: list[AclBinding], names: list[str], parity: bool, resource_type: ResourceType
) -> None:
    access = _access(found)
    signatures = access.signatures(resource_type, names, parity=parity)
    for i, (name, first) in enumerate(zip(names, signatures, strict=True)):
        for other, second in zip(names[i + 1 :], signatures[i + 1 :], strict=True):
            if "*" not in (name, other):  # the name "*" is worked out the general way
                assert (first == second) is (first is second)


@SETTINGS
@given(bindings, name_lists)
def test_parity_form_matches_the_principal_and_host_table(
    found: list[AclBinding], names: list[str]
) -> None:
    access = _access(found)
    wanted = [n for n in names if n != "*"]
    bulk = access.signatures(ResourceType.TOPIC, wanted, parity=True)
    one_by_one = [access.signature(ResourceType.TOPIC, n, parity=True) for n in wanted]
    old = [_old_parity_signature(found, n) for n in wanted]
    # `_old_parity_signature` builds its own authorizer: the others' identities differ
    assert [s[0] for s in bulk] == [s[0] for s in one_by_one] == [s[0] for s in old]
    assert [len(s) for s in bulk] == [len(s) for s in old]


@SETTINGS
@given(bindings, name_lists, st.sampled_from(list(ResourceType)))
def test_literal_many_and_operations_answer_as_the_one_name_reads(
    found: list[AclBinding], names: list[str], resource_type: ResourceType
) -> None:
    authorizer = Authorizer(found)
    owns = authorizer.literal_many(resource_type, names)
    expected = [authorizer.matching_parts(resource_type, n)[0] for n in names]
    assert [list(o) for o in owns] == [list(e) for e in expected]
    assert authorizer.operations(resource_type) == {
        b.operation for b in authorizer.bindings(resource_type)
    }


def test_kafka_operations_hand_made() -> None:
    from checker.authz.kafka import acl

    found = [
        acl("User:p", "ALLOW", "ALL", "GROUP", "g"),
        acl("User:p", "ALLOW", "WRITE", "TOPIC", "a"),
        acl("User:q", "DENY", "ALTER", "TOPIC", "a", pattern_type="PREFIXED"),
    ]
    access = _access(found)
    assert _kafka_operations((access, access), ResourceType.TOPIC) == (
        Operation.ALTER,
        Operation.DESCRIBE,
    )
    assert _kafka_operations((access, access), ResourceType.GROUP) == (
        Operation.READ,
        Operation.DELETE,
        Operation.DESCRIBE,
    )
