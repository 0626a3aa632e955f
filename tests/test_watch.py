"""`failback watch` (issue #16): the loop on scripted samples (success, timeout, gap, Ctrl-C),
the rehearsal record and its report, and the command on snapshot files."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.engines.embedded import EmbeddedEngine
from checker.evaluate import Situation, check
from checker.model import ExitCode, Report
from checker.plan import parse_plan
from checker.policy.locate import load_policies
from checker.rehearsal import check_record, html_page, markdown, record
from checker.snapshot import parse_snapshot
from checker.watch import Sample, Tick, watch

from .conftest import ROOT, assert_one_line_error, run_cli
from .runtime_support import behind, sample
from .setups import documents

START = datetime(2026, 11, 29, tzinfo=UTC)
TOPIC = "payments.authorizations"
KEY = "payments-usw2-to-use1:payments-core"


@pytest.fixture(scope="module")
def engine() -> Iterator[EmbeddedEngine]:
    loaded = EmbeddedEngine()
    loaded.load(load_policies())
    yield loaded


class Clock:
    """10 s per sample: the loop reads the clock at the start, at each sample and at the end."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def scripted(lags: list[int | None], clock: Clock) -> Any:
    """A sampler answering one runtime pair per call: the failback flow `lag` records behind
    (None: the primary could not be read)."""
    _, primary, secondary = documents()
    calls = iter(lags)

    def take() -> Sample:
        lag = next(calls)
        stamp = clock().strftime("%Y-%m-%dT%H:%M:%SZ")
        p, s = copy.deepcopy(primary), copy.deepcopy(secondary)
        p["runtime"], s["runtime"] = sample(p, stamp), sample(s, stamp)
        if lag is None:
            return Sample(
                {"primary": None, "secondary": s["runtime"]},
                ({"region": "primary", "area": "runtime", "reason": "TOPIC_AUTHORIZATION_FAILED"},),
            )
        behind(s, p, TOPIC, lag, lag / 100)
        return Sample({"primary": p["runtime"], "secondary": s["runtime"]})

    return take


def judge_with(engine: EmbeddedEngine, step: str) -> Any:
    plan_doc, primary, secondary = documents()
    plan = parse_plan(plan_doc, "plan")

    def judge(taken: Sample, at: datetime) -> Report:
        left, right = copy.deepcopy(primary), copy.deepcopy(secondary)
        for role, doc in (("primary", left), ("secondary", right)):
            if taken.runtimes.get(role) is not None:
                doc["runtime"] = taken.runtimes[role]
            doc["gaps"] = [
                {k: v for k, v in g.items() if k != "region"}
                for g in taken.gaps
                if g["region"] == role
            ]
        return check(
            plan,
            parse_snapshot(left, "primary"),
            parse_snapshot(right, "secondary"),
            ("failback",),
            engine,
            at,
            "high",
            None,
            Situation(step=step),
        )

    return judge


def run(
    engine: EmbeddedEngine, lags: list[int | None], timeout: float = 600
) -> tuple[Any, list[Tick]]:
    clock = Clock()
    ticks: list[Tick] = []
    outcome = watch(
        "drain",
        scripted(lags, clock),
        judge_with(engine, "drain"),
        clock,
        clock.sleep,
        10,
        timeout,
        ticks.append,
    )
    return outcome, ticks


def test_watch_ends_as_soon_as_the_drain_gate_holds(engine: EmbeddedEngine) -> None:
    outcome, ticks = run(engine, [3000, 1000, 0, 0])
    assert (outcome.result, outcome.exit_code) == ("passed", ExitCode.READY)
    assert [t.verdict for t in ticks] == ["no-go", "no-go", "go"]
    assert [t.lag[KEY]["records"] for t in ticks] == [3000, 1000, 0]
    assert ticks[1].lag[KEY]["rate"] == 200.0  # 2,000 records in 10 s
    assert ticks[1].lag[KEY]["eta_seconds"] == 5.0
    assert outcome.first_pass == {f"RT-001 {KEY}": "2026-11-29T00:00:20+00:00"}
    document = check_record(record(outcome, "payments", 10, 600), "record")
    assert document["result"] == "passed" and document["exit_code"] == 0
    assert [s["lag"][KEY]["records"] for s in document["samples"]] == [3000, 1000, 0]
    assert document["samples"][0]["held_by"][0]["rule_id"] == "RT-001"
    assert document["started_at"] == "2026-11-29T00:00:00+00:00"
    assert document["ended_at"] == "2026-11-29T00:00:20+00:00"


def test_watch_times_out_with_exit_1_while_a_gate_holds(engine: EmbeddedEngine) -> None:
    outcome, ticks = run(engine, [3000, 2900, 2800, 2700], timeout=25)
    assert (outcome.result, outcome.exit_code) == ("timeout", ExitCode.NOT_READY)
    assert len(ticks) == 3  # at 0, 10 and 20 s: a fourth sample would pass the timeout
    assert (
        ticks[-1]
        .held_by[0]["message"]
        .startswith("Failback flow payments-usw2-to-use1 for payments-core: 2800 records")
    )


def test_watch_on_missing_evidence_times_out_indeterminate(engine: EmbeddedEngine) -> None:
    outcome, ticks = run(engine, [None, None, None], timeout=15)
    assert (outcome.result, outcome.exit_code) == ("timeout", ExitCode.INDETERMINATE)
    assert ticks[-1].awaiting == (
        "no runtime evidence from the primary region",
        "runtime evidence gap in the primary: TOPIC_AUTHORIZATION_FAILED",
    )


def test_ctrl_c_ends_the_watch_as_interrupted(engine: EmbeddedEngine) -> None:
    clock = Clock()

    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    outcome = watch(
        "drain", scripted([50, 0], clock), judge_with(engine, "drain"), clock, interrupted,
        10, 600, lambda tick: None,
    )  # fmt: skip
    assert (outcome.result, len(outcome.ticks)) == ("interrupted", 1)
    assert record(outcome, "p", 10, 600)["result"] == "interrupted"


def test_rehearsal_report_draws_the_lag(engine: EmbeddedEngine) -> None:
    outcome, _ = run(engine, [3000, 1000, 0])
    document = record(outcome, "payments", 10, 600)
    text = markdown([document])
    assert "| drain | 2026-11-29T00:00:00+00:00 | 20 s | passed | 3 |" in text
    assert "<svg" in text and "<polyline" in text
    page = html_page([document])
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert KEY in page


# --- the command ---------------------------------------------------------------------------------


def estate(tmp_path: Path, with_runtime: bool, lag: int = 0) -> Path:
    """The shipped ready estate in tmp_path, its snapshots given runtime evidence sampled now."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    source = ROOT / "fixtures" / "estate" / "ready"
    plan = yaml.safe_load((source / "failback.yaml").read_text())
    (tmp_path / ".git").mkdir()
    (tmp_path / "failback.yaml").write_text(yaml.safe_dump(plan))
    docs = {n: json.loads((source / n).read_text()) for n in ("us-east-1.json", "us-west-2.json")}
    if with_runtime:
        for doc in docs.values():
            doc["runtime"] = sample(doc, stamp)
        behind(docs["us-west-2.json"], docs["us-east-1.json"], TOPIC, lag, 1)
    for name, doc in docs.items():
        (tmp_path / name).write_text(json.dumps(doc))
    return tmp_path / "failback.yaml"


def test_cli_watch_exits_0_and_writes_the_record(tmp_path: Path) -> None:
    plan = estate(tmp_path, with_runtime=True)
    target = tmp_path / "drain.json"
    result = run_cli(["watch", "-c", str(plan), "--step", "drain", "--record", str(target)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "step drain: GO" in result.stdout
    assert "step drain: passed after" in result.stdout
    document = json.loads(target.read_text())
    assert (document["kind"], document["step"], document["result"]) == (
        "failback-rehearsal",
        "drain",
        "passed",
    )
    report = run_cli(["report", "rehearsal", str(target), "--format", "html"])
    assert report.exit_code == 0 and "<svg" in report.stdout


def test_cli_watch_jsonl_times_out_with_the_last_findings(tmp_path: Path) -> None:
    plan = estate(tmp_path, with_runtime=True, lag=42)
    args = ["watch", "-c", str(plan), "--step", "drain", "--interval", "1s", "--timeout", "1s"]
    result = run_cli([*args, "--format", "jsonl", "--record", str(tmp_path / "r.json")])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["event"] for line in lines] == ["sample", "end"]
    assert lines[0]["held_by"][0]["rule_id"] == "RT-001"
    assert lines[0]["lag"][KEY]["records"] == 42
    assert lines[1] == {
        "event": "end", "exit_code": 1, "record": str(tmp_path / "r.json"),
        "result": "timeout", "verdict": "no-go",
    }  # fmt: skip
    quiet = run_cli([*args, "--quiet", "--record", str(tmp_path / "q.json")])
    assert quiet.exit_code == 1
    assert quiet.stdout.splitlines()[0].startswith("step drain: timeout after")
    assert (
        "RT-001 Failback flow payments-usw2-to-use1 for payments-core: 42 records" in quiet.stdout
    )


def test_cli_watch_without_runtime_evidence_exits_4(tmp_path: Path) -> None:
    plan = estate(tmp_path, with_runtime=False)
    args = ["watch", "-c", str(plan), "--step", "drain", "--interval", "1s", "--timeout", "1s"]
    result = run_cli([*args, "--record", str(tmp_path / "r.json")])
    assert result.exit_code == 4
    assert "awaiting no runtime evidence" in result.stdout


def test_cli_watch_and_report_errors(tmp_path: Path) -> None:
    plan = estate(tmp_path, with_runtime=False)
    assert_one_line_error(
        run_cli(["watch", "-c", str(plan), "--step", "nope"]), 2, "unknown failback step 'nope'"
    )
    assert_one_line_error(
        run_cli(["watch", "-c", str(plan), "--step", "drain", "--interval", "soon"]),
        2,
        "--interval 'soon' is not a duration",
    )
    bogus = tmp_path / "bogus.json"
    bogus.write_text("{}")
    assert_one_line_error(
        run_cli(["report", "rehearsal", str(bogus)]), 2, "is not a rehearsal record"
    )


def test_plan_evidence_may_cite_a_rehearsal_record(tmp_path: Path, engine: EmbeddedEngine) -> None:
    plan_path = estate(tmp_path, with_runtime=False)
    outcome, _ = run(engine, [100, 0])
    (tmp_path / "drain.json").write_text(json.dumps(record(outcome, "payments", 10, 600)))
    document = yaml.safe_load(plan_path.read_text())
    family = next(f for f in document["topic_families"] if f["name"] == "payments-core")
    evidence = family["evidence"]["failback"]
    evidence.pop("last_rehearsal", None)
    evidence["rehearsal_record"] = "drain.json"
    plan_path.write_text(yaml.safe_dump(document))
    args = ["check", "-c", str(plan_path), "--phase", "failback", "--format", "json"]
    result = run_cli([*args, "--now", "2026-12-01T00:00:00Z"])
    assert result.exit_code == 0, result.stdout + result.stderr
    (decision,) = json.loads(result.stdout)["decisions"]
    cell = next(
        c
        for c in decision["scorecard"]
        if (c["family"], c["phase"]) == ("payments-core", "failback")
    )
    assert "measured rehearsal: drain.json (step drain passed)" in cell["reasons"]
    assert "last rehearsal 1 days ago" in cell["reasons"]
    assert cell["evidence_level"] in ("rehearsed", "operationalized")
    # a record that is not one is an input error naming it
    (tmp_path / "drain.json").write_text("{}")
    assert_one_line_error(run_cli(args), 2, "drain.json is not a rehearsal record")


def test_cli_ctrl_c_keeps_the_record_and_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = estate(tmp_path, with_runtime=True, lag=42)

    def interrupt(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("checker.cli.watch.time.sleep", interrupt)
    target = tmp_path / "r.json"
    args = ["watch", "-c", str(plan), "--step", "drain", "--interval", "1s", "--timeout", "1h"]
    result = run_cli([*args, "--record", str(target)])
    assert result.exit_code == 130
    assert result.stderr == f"failback: interrupted; record {target}\n"
    document = json.loads(target.read_text())
    assert (document["result"], document["exit_code"], len(document["samples"])) == (
        "interrupted",
        130,
        1,
    )
