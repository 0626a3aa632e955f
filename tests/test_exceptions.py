"""Waivers and baselines, judged in Rego (policies/failback/exceptions): the fnmatch globs and the
whitespace collapsing match Python's exactly on both engines, and both engines give the
decisions the former Python implementation gave (an oracle below)."""

from __future__ import annotations

import fnmatch
import json
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest

from checker.diff import diff
from checker.engines.base import Engine
from checker.engines.embedded import EmbeddedEngine
from checker.evaluate import build_input, decide
from checker.exceptions import Exceptions, policy_input, uses
from checker.fingerprint import collapse, finding_key
from checker.globs import to_regex
from checker.model import PHASES, Decision, Waiver
from checker.normalize import normalize_pair
from checker.plan import load_plan
from checker.policy.catalog import load_catalog
from checker.policy.locate import ENTRYPOINT, PolicyFile, load_policies
from checker.sources import region_snapshot
from checker.waivers import MAX_DAYS

from .conftest import ESTATE

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)

# Evaluates the library's own helpers over lists, so one query checks many cases.
PROBE = PolicyFile(
    "probe.rego",
    "package failback.probe\n\n"
    "import data.failback.exceptions\n\n"
    "matches := [regex.match(case[0], case[1]) | some case in input.cases]\n\n"
    "collapsed := [exceptions.collapsed(text) | some text in input.texts]\n",
)

# (pattern, texts): brackets, negation, ranges, `?`, and regex metacharacters as literals.
GLOB_CASES: list[tuple[str, list[str]]] = [
    ("ledger.*", ["ledger.entries", "ledger.", "ledgerXentries", "xledger.a", "ledger.\n"]),
    ("*", ["", "anything", "multi\nline"]),
    ("a?c", ["abc", "a\nc", "ac", "abbc", "a.c"]),
    ("[fg]raud", ["fraud", "graud", "Fraud", "[fg]raud"]),
    ("[!a]x", ["bx", "ax", "\nx", "x"]),
    ("[!]x", ["!x", "]x", "[!]x"]),
    ("[]]x", ["]x", "x", "]]x"]),
    ("[!]]x", ["ax", "]x"]),
    ("[a-c]", ["a", "b", "c", "d", "-"]),
    ("[c-a]", ["a", "b", "c", "-", "[c-a]"]),
    ("[a-]", ["a", "-", "b"]),
    ("[-a]", ["a", "-", "b"]),
    ("[^a]", ["^", "a", "b"]),
    ("[[]", ["[", "]"]),
    ("[[:alpha:]]", ["a", ":", "[:alpha:]", "a]"]),
    ("[a&&b]", ["a", "&", "b", "a&&b"]),
    ("[a--b]", ["a", "-", "b", "c"]),
    ("[\\]", ["\\", "]"]),
    ("[a", ["[a", "a"]),
    ("x]", ["x]", "x"]),
    (".+()|^${}\\", [".+()|^${}\\", "a+()|^${}\\", ".+()|^${}"]),
    ("tcp|9096-9096|*", ["tcp|9096-9096|0.0.0.0/0", "tcp|9096-9097|0.0.0.0/0"]),
    ("User:fraud-scorer on [fg]raud", ["User:fraud-scorer on fraud", "User:fraud-scorer on xraud"]),
    ("é*[ü-ÿ]", ["éü", "éabcÿ", "é", "eü"]),
    ("**?*", ["", "a", "ab"]),
    ("#a b\t", ["#a b\t", "#a  b\t"]),
]

# Python's str.split() whitespace, and characters that look like it but are not.
WHITESPACE = (
    "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2005\u200a\u2028\u2029\u202f\u205f\u3000"
)
TEXTS = [
    "",
    "plain",
    "  leading and trailing  ",
    "a" + WHITESPACE + "b",
    WHITESPACE,
    "zero\u200bwidth \u200b",
    "not\u180espace\ufeffeither",
    "tab\tnew\nline",
]


def embedded() -> Engine:
    engine = EmbeddedEngine()
    engine.load([*load_policies(), PROBE])
    return engine


def opa() -> Engine:
    from checker.engines.opa import OpaEngine, OpaSettings

    from .opa_support import tool

    engine = OpaEngine(OpaSettings(binary=tool("opa")))
    engine.load([*load_policies(), PROBE])
    return engine


@pytest.fixture(scope="module", params=["embedded", pytest.param("opa", marks=pytest.mark.opa)])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    loaded = embedded() if request.param == "embedded" else opa()
    try:
        yield loaded
    finally:
        loaded.close()


# --- the glob translation and whitespace on the engines -------------------------------


def test_globs_match_like_fnmatchcase_on_the_engine(engine: Engine) -> None:
    cases = [
        (to_regex(pattern), text, fnmatch.fnmatchcase(text, pattern))
        for pattern, texts in GLOB_CASES
        for text in texts
    ]
    answer = engine.query("data.failback.probe.matches", {"cases": [c[:2] for c in cases]})
    assert answer == [c[2] for c in cases], [
        (pattern, text)
        for (pattern, text, want), got in zip(cases, answer, strict=True)
        if got != want
    ]


def test_whitespace_collapses_like_python_split_on_the_engine(engine: Engine) -> None:
    answer = engine.query("data.failback.probe.collapsed", {"texts": TEXTS})
    assert answer == [collapse(t) for t in TEXTS]
    assert collapse("a" + WHITESPACE + "b") == "a b"


# --- decisions: both engines against the former Python implementation -------------------


def fixture_input(variant: str, phase: str, exceptions: Exceptions) -> dict[str, Any]:
    plan = load_plan(ESTATE / variant / "failback.yaml")
    left = region_snapshot(plan, plan.primary, None)
    right = region_snapshot(plan, plan.secondary, None)
    normalized = normalize_pair(plan, left, right)
    changes = diff(normalized.primary, normalized.secondary)
    return build_input(plan, normalized, changes, phase, NOW, "high", exceptions)


def oracle(
    raw: Sequence[dict[str, Any]], phase: str, exceptions: Exceptions, regions: dict[str, str]
) -> list[tuple[str, str, Any, bool, int | None]]:
    """(rule, resource, region, known, waiver index) of each finding as checker/waivers.py and
    checker/baseline.py decided before the policies did."""
    out = []
    for f in raw:
        index = None
        if f["rule_id"] != "WVR-001":
            for position, w in enumerate(exceptions.waivers):
                if date.fromisoformat(w.expires) < NOW.date() or w.rule_id != f["rule_id"]:
                    continue
                if w.phase is not None and w.phase != phase:
                    continue
                if w.region is not None and (
                    f["region"] is None or w.region not in (f["region"], regions.get(f["region"]))
                ):
                    continue
                if fnmatch.fnmatchcase(str(f["resource"]), w.resource):
                    index = position
                    break
        key = finding_key(f["rule_id"], f["region"], str(f["resource"]))
        known = f["rule_id"] != "WVR-001" and key in (exceptions.baseline or frozenset())
        out.append((f["rule_id"], f["resource"], f["region"], known, index))
    return out


def random_exceptions(rng: random.Random, findings: Sequence[dict[str, Any]]) -> Exceptions:
    waivers = []
    for index in range(rng.randint(1, 8)):
        f = rng.choice(findings)
        resource = str(f["resource"])
        cut = rng.randint(0, len(resource))
        pattern = rng.choice(
            [
                resource,
                resource[:cut] + "*",
                "*" + resource[cut:],
                resource.replace(resource[:1], "?", 1),
                "[" + resource[:1] + "x]" + resource[1:],
                "[!" + resource[:1] + "]" + resource[1:],
                "*",
                "nothing-matches-*",
            ]
        )
        expires = rng.choice(["2026-11-28", "2026-11-29", "2026-12-31"])
        waivers.append(
            Waiver(
                rule_id=rng.choice([f["rule_id"], f["rule_id"], "WVR-001"]),
                resource=pattern,
                owner="team",
                reason="r",
                ticket=f"T-{index}",
                expires=expires,
                region=rng.choice([None, None, "primary", "secondary", "us-west-2", "us-east-1"]),
                phase=rng.choice([None, None, *PHASES]),
                index=index,
            )
        )
    known = [f for f in findings if rng.random() < 0.4]
    baseline = frozenset(
        finding_key(
            f["rule_id"],
            f["region"],
            rng.choice([str(f["resource"]), f" {f['resource']}\u3000", f"{f['resource']}x"]),
        )
        for f in known
    )
    return Exceptions(tuple(waivers), "w.yaml", baseline, "b.json")


def test_random_waivers_and_baselines_agree_with_python(engine: Engine) -> None:
    """Seeded random waiver files and baselines over the faulted estate, every phase."""
    rng = random.Random(4242)
    regions = {"primary": "us-east-1", "secondary": "us-west-2"}
    seen = {"waived": 0, "known": 0, "WVR-001": 0}
    # at least 12 rounds, more (up to 36) until every path was seen 5 times: the estate's
    # findings decide how often a random waiver hits one
    for round_ in range(36):
        if round_ >= 12 and min(seen.values()) >= 5:
            break
        phase = PHASES[round_ % len(PHASES)]
        plain = engine.query(ENTRYPOINT, fixture_input("faulted", phase, Exceptions()))
        exceptions = random_exceptions(rng, plain["findings"])
        answer = engine.query(ENTRYPOINT, fixture_input("faulted", phase, exceptions))
        label = f"round {round_} ({phase})"
        findings = [f for f in answer["findings"] if f["rule_id"] != "WVR-001"]
        got = [
            (f["rule_id"], f["resource"], f["region"], f.get("known", False), f.get("waiver_index"))
            for f in findings
        ]
        assert got == oracle(plain["findings"], phase, exceptions, regions), label
        seen["waived"] += sum(1 for f in findings if "waived" in f)
        seen["known"] += sum(1 for f in findings if f.get("known"))
        seen["WVR-001"] += len(answer["findings"]) - len(findings)
        for before, after in zip(plain["findings"], findings, strict=True):
            exempt = "waived" in after or after.get("known", False)
            assert after["blocking"] == (before["blocking"] and not exempt), label
        expired = [
            i
            for i, w in enumerate(exceptions.waivers)
            if date.fromisoformat(w.expires) < NOW.date()
        ]
        assert answer["exceptions"]["waivers_expired"] == expired, label
        wvr = [f["waiver_index"] for f in answer["findings"] if f["rule_id"] == "WVR-001"]
        assert sorted(wvr) == [
            i for i in expired if exceptions.waivers[i].phase in (None, phase)
        ], label
    assert min(seen.values()) >= 5, seen  # the generator really exercises every path


def decisions_of(engine: Engine, exceptions: Exceptions) -> list[Decision]:
    return [decide(engine, fixture_input("faulted", phase, exceptions)) for phase in PHASES]


def test_fixture_waivers_and_baseline_give_identical_decisions_on_both_engines() -> None:
    pytest.importorskip("opa_client")
    from .opa_support import tool

    tool("opa")
    waivers = (
        Waiver("NET-002", "tcp|9096-9096|*", "o", "r", "T-1", "2026-12-31", region="secondary"),
        Waiver(
            "ACL-001", "User:ledger-reader|*", "o", "r", "T-2", "2026-11-20", None, "failback", 1
        ),
        Waiver("RB-001", "nothing-matches-*", "o", "r", "T-3", "2026-12-20", index=2),
        Waiver("WA-002", "User:fraud-scorer on [fg]raud", "o", "r", "T-4", "2026-12-20", index=3),
    )
    left, right = embedded(), opa()
    try:
        plain = decisions_of(left, Exceptions())
        keys = frozenset(
            finding_key(f.rule_id, f.region, f.resource)
            for d in plain[:2]
            for f in d.findings
            if f.severity == "critical"
        )
        exceptions = Exceptions(waivers, "waivers.yaml", keys, "previous.json")
        for phase in PHASES:
            document = fixture_input("faulted", phase, exceptions)
            a, b = left.query(ENTRYPOINT, document), right.query(ENTRYPOINT, document)
            assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True), phase
        decisions = decisions_of(left, exceptions)
    finally:
        left.close()
        right.close()
    waiver_use, baseline_use = uses(exceptions, decisions)
    assert waiver_use is not None and baseline_use is not None
    assert [w.ticket for w in waiver_use.unused] == ["T-3"]
    assert [w.ticket for w in waiver_use.expired] == ["T-2"]
    assert baseline_use.known == sum(1 for d in decisions for f in d.findings if f.known) > 0
    by_phase = {d.phase: d for d in decisions}
    assert [f.rule_id for f in by_phase["failback"].findings if f.rule_id == "WVR-001"] == [
        "WVR-001"
    ]
    assert not any(f.rule_id == "WVR-001" for f in by_phase["normal"].findings)
    assert all(not f.blocking for d in decisions for f in d.findings if f.waived or f.known)


def test_policy_input_carries_patterns_and_expiry_epochs() -> None:
    waiver = Waiver("RET-001", "ledger.*", "o", "r", "T", "2026-12-31", region="primary")
    document = policy_input(Exceptions((waiver,), "w.yaml", frozenset({("A", "", "b")}), "b"))
    assert document == {
        "waivers": [
            {
                **waiver.as_dict(),
                "pattern": r"^ledger\x{2e}(?s:.)*$",
                "expires_epoch": int(datetime(2026, 12, 31, tzinfo=UTC).timestamp()),
            }
        ],
        "baseline": [["A", "", "b"]],
    }


def test_no_exceptions_leave_the_input_and_decision_as_before() -> None:
    document = fixture_input("faulted", "failback", Exceptions())
    assert "exceptions" not in document
    engine = embedded()
    assert "exceptions" not in engine.query(ENTRYPOINT, document)


def test_wvr_001_remediation_names_the_longest_waiver() -> None:
    assert f"at most {MAX_DAYS} days ahead" in load_catalog()["WVR-001"]["remediation"]
