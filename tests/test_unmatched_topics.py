"""WA-004 (a topic no family matches) end to end on both engines: normalisation lists each
region's unmatched topics (`facts.unmatched_topics`), internal topics left out, and the rule
reports each such topic once, naming the regions that hold it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checker.normalize import normalize_pair
from checker.plan import parse_plan
from checker.snapshot import parse_snapshot

from .opa_support import ENGINE_PARAMS, tool
from .setups import documents, judge

TOPIC = {"partitions": 6, "replication_factor": 3, "configs": {}}


def wa_004(found: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str]]:
    return sorted(
        (f["resource"], f["message"]) for f in found["failback"] if f["rule_id"] == "WA-004"
    )


@pytest.fixture(params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine to judge with (a real OPA binary for "opa")."""
    name: str = request.param
    if name == "opa":
        monkeypatch.setenv("FAILBACK_OPA_BIN", tool("opa"))
    return name


def test_the_ready_estate_has_no_unmatched_topic(tmp_path: Path, engine: str) -> None:
    plan, primary, secondary = documents()
    primary["topics"]["__consumer_offsets"] = dict(TOPIC)  # internal: never a family's
    assert wa_004(judge(tmp_path, plan, primary, secondary, "--engine", engine)) == []


def test_a_topic_no_family_matches_is_reported_once(tmp_path: Path, engine: str) -> None:
    plan, primary, secondary = documents()
    for document in (primary, secondary):
        document["topics"]["unplanned.audit"] = dict(TOPIC)
    primary["topics"]["scratch.tmp"] = dict(TOPIC)
    assert wa_004(judge(tmp_path, plan, primary, secondary, "--engine", engine)) == [
        ("scratch.tmp", "Topic scratch.tmp (in the primary) matches no topic family in the plan"),
        (
            "unplanned.audit",
            "Topic unplanned.audit (in the primary and secondary) matches no topic family in "
            "the plan",
        ),
    ]


def test_normalisation_lists_each_regions_unmatched_topics() -> None:
    plan, primary, secondary = documents()
    primary["topics"]["scratch.tmp"] = dict(TOPIC)
    primary["topics"]["__consumer_offsets"] = dict(TOPIC)
    secondary["topics"]["b.unplanned"] = dict(TOPIC)
    secondary["topics"]["a.unplanned"] = dict(TOPIC)
    normalized = normalize_pair(
        parse_plan(plan, "plan"), parse_snapshot(primary, "p"), parse_snapshot(secondary, "s")
    )
    assert normalized.primary["facts"]["unmatched_topics"] == ["scratch.tmp"]
    assert normalized.secondary["facts"]["unmatched_topics"] == ["a.unplanned", "b.unplanned"]
