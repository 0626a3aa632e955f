"""Normalisation's paths for large estates (issue #19: 50k topics / 500k bindings) answer as
the plain ways they replaced: each test holds a fast path to a reference written the old way."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.authz.kafka import AclBinding, Authorizer, acl
from checker.normalize import _Context, _matches_every, compile_topic_patterns
from checker.topics import is_internal

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

topic_names = st.lists(
    st.text(alphabet=st.sampled_from(["a", ".", "_", "-", "\n", "\r", "é", "\ud800", "x"])),
    max_size=8,
)
pattern_lists = st.lists(
    st.sampled_from([".*", "a.*", ".*x", "a*", "[", "(a|x)+", ".+", "x"]), max_size=3
)


def _carried_old(topic: str, include: list[Any], exclude: list[Any]) -> bool:
    return any(p.fullmatch(topic) for p in include) and not any(p.fullmatch(topic) for p in exclude)


@SETTINGS
@given(topic_names, pattern_lists, pattern_lists)
def test_every_name_pattern_answers_as_re2(
    names: list[str], include_patterns: list[str], exclude_patterns: list[str]
) -> None:
    """Where `_matches_every` says the include patterns hold `.*`, a name without a line break
    is carried exactly when RE2's answer carries it; otherwise RE2 answers (and raises)."""
    include = compile_topic_patterns(include_patterns, "x")
    exclude = compile_topic_patterns(exclude_patterns, "x")
    every = _matches_every(include, names)
    assert every is (".*" in include_patterns and all(_encodes(name) for name in names))
    for name in names:
        if not every:
            continue
        fast = ("\n" not in name) or any(p.fullmatch(name) for p in include)
        assert fast == any(p.fullmatch(name) for p in include)
        fast_carried = fast and not any(p.fullmatch(name) for p in exclude)
        assert fast_carried == _carried_old(name, include, exclude)


def _encodes(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_a_lone_surrogate_still_reaches_re2() -> None:
    include = compile_topic_patterns([".*"], "x")
    assert not _matches_every(include, ["ok", "\ud800"])
    with pytest.raises(UnicodeEncodeError):
        include[0].fullmatch("\ud800")


def _strip_prefix_old(prefixes: dict[str, set[str]], role: str, topic: str) -> str:
    if is_internal(topic):
        return topic
    for prefix in prefixes.get(role, ()):
        if topic.startswith(prefix + "."):
            return topic[len(prefix) + 1 :]
    return topic


@SETTINGS
@given(
    st.dictionaries(
        st.sampled_from(["primary", "secondary"]),
        st.sets(st.sampled_from(["us", "eu", "a", "__x"]), max_size=2),
    ),
    st.sampled_from(["primary", "secondary", "external"]),
    st.sampled_from(
        ["us.orders", "orders", "__consumer_offsets", "us.__consumer_offsets", "a.b.c", "eu."]
    ),
)
def test_strip_prefix_answers_as_before(
    prefixes: dict[str, set[str]], role: str, topic: str
) -> None:
    context = SimpleNamespace(prefixes=prefixes)
    new = _Context.strip_prefix(context, role, topic)  # type: ignore[arg-type]
    assert new == _strip_prefix_old(prefixes, role, topic)


bindings = st.lists(
    st.builds(
        lambda principal, operation, name, twin: (
            acl(principal, "ALLOW", operation, "TOPIC", name),
            twin,
        ),
        st.sampled_from(["User:p", "User:q"]),
        st.sampled_from(["READ", "WRITE"]),
        st.sampled_from(["a", "b"]),
        st.booleans(),
    ),
    max_size=12,
)


@SETTINGS
@given(bindings)
def test_authorizer_keeps_the_first_occurrence_as_dict_fromkeys_did(
    made: list[tuple[AclBinding, bool]],
) -> None:
    given_bindings = []
    for binding, twin in made:  # some equal bindings as other objects
        given_bindings.append(AclBinding(*binding) if twin else binding)
        given_bindings.append(binding)
    old = sorted(dict.fromkeys(given_bindings))
    new = list(Authorizer(given_bindings).bindings())
    assert new == old
    assert all(a is b for a, b in zip(new, old, strict=True))
