"""A family's evidence in the Rego input (evaluate._rehearsed) is what the dict built in two
steps gave before (runbook, the rehearsal worked out apart, metric and alert counts), with and
without a rehearsal record, passed or not, dated or not."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.evaluate import _date_epoch, _rehearsed
from checker.plan import Evidence


def _reference(evidence: Evidence, records: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    record = records.get(evidence.rehearsal_record) if evidence.rehearsal_record else None
    dated = _date_epoch(evidence.last_rehearsal)
    measured = None
    if record is not None and record.get("result") == "passed" and record.get("ended_at"):
        ended = str(record["ended_at"]).replace("Z", "+00:00")
        measured = int(datetime.fromisoformat(ended).timestamp())
    epochs = [e for e in (dated, measured) if e is not None]
    return {
        "runbook": evidence.runbook,
        "rehearsed_epoch": max(epochs) if epochs else None,
        "record": None
        if record is None
        else {
            "path": evidence.rehearsal_record,
            "step": record["step"],
            "result": record["result"],
            "measured": measured is not None,
        },
        "metrics": len(evidence.metrics),
        "alerts": len(evidence.alerts),
    }


RECORDS: dict[str, dict[str, Any]] = {
    "passed.json": {"step": "s1", "result": "passed", "ended_at": "2026-11-20T10:00:00Z"},
    "late.json": {"step": "s2", "result": "passed", "ended_at": "2026-12-30T10:00:00+00:00"},
    "failed.json": {"step": "s1", "result": "failed", "ended_at": "2026-11-20T10:00:00Z"},
    "open.json": {"step": "s3", "result": "passed", "ended_at": None},
}
EVIDENCE = st.builds(
    Evidence,
    runbook=st.none() | st.just("runbooks/failback.md"),
    last_rehearsal=st.none() | st.sampled_from(["2026-11-01", "2026-12-31", "2025-01-15"]),
    metrics=st.lists(st.just("lag"), max_size=3).map(tuple),
    alerts=st.lists(st.just("alert"), max_size=3).map(tuple),
    rehearsal_record=st.none() | st.just("") | st.sampled_from([*RECORDS, "missing.json"]),
)


@settings(max_examples=300, deadline=None)
@given(EVIDENCE)
def test_evidence_input_is_the_reference(evidence: Evidence) -> None:
    got = _rehearsed(evidence, RECORDS)
    want = _reference(evidence, RECORDS)
    assert got == want
    assert list(got) == list(want)  # the same key order: the same input text
