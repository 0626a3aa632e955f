"""The cheaper forms of the plan-side work at 10,000 families (issue #19) give what the plain
forms give: the finding fingerprint's reused encoder, the memoised date epochs of the Rego
input, the collector paused while a report renders."""

from __future__ import annotations

import gc
import hashlib
import json
from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checker import evaluate
from checker.fingerprint import finding_key, fingerprint
from checker.reports import REPORTERS


@given(st.text(), st.one_of(st.none(), st.text()), st.text())
def test_fingerprint_is_the_sha256_of_the_json_key(rule: str, region: str | None, res: str) -> None:
    key = json.dumps(
        list(finding_key(rule, region, res)), ensure_ascii=False, separators=(",", ":")
    )
    try:
        want = hashlib.sha256(key.encode("utf-8")).hexdigest()
    except UnicodeEncodeError:  # a lone surrogate: both forms refuse it
        return
    assert fingerprint(rule, region, res) == want


@given(st.dates())
def test_date_epochs_are_midnight_utc(day: date) -> None:
    want = int(datetime.combine(day, time(0, 0), tzinfo=UTC).timestamp())
    assert evaluate._date_epoch(day) == want
    assert evaluate._date_epoch(day.isoformat()) == want
    assert evaluate._date_epoch(day.isoformat()) == want  # memoised
    assert evaluate._date_epoch(None) is None


def test_a_bad_date_text_is_refused_every_time() -> None:
    for _ in range(2):
        try:
            evaluate._date_epoch("2026-13-45")
        except ValueError:
            continue
        raise AssertionError("2026-13-45 was taken for a date")


def test_rendering_leaves_the_collector_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.reports import json_report

    seen: list[bool] = []

    def render(report: object, options: object) -> str:
        seen.append(gc.isenabled())
        return "{}"

    monkeypatch.setattr(json_report, "render", render)
    try:
        for enabled in (True, False):
            (gc.enable if enabled else gc.disable)()
            assert REPORTERS["json"](None) == "{}"  # type: ignore[arg-type]
            assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert seen == [False, False]
