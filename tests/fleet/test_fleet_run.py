"""`failback fleet`: every pair judged as `failback check` judges it, failures recorded, the
fleet file validated and confined, per-account settings applied, progress only on a TTY."""

from __future__ import annotations

import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from checker.fleet.config import AccountSettings, Fleet, PairSpec, load_fleet
from checker.fleet.report import PairResult
from checker.fleet.run import _Limits, with_settings
from checker.plan import RegionRef

from ..conftest import NOW, assert_one_line_error, run_cli
from .conftest import Fleet as MakeFleet
from .conftest import fleet_cli, fleet_json, write_fleet

ARN = "arn:aws:kafka:us-east-1:123456789012:cluster/payments/11111111-2222-3333-4444-555555555555-1"


def test_three_estates_one_report_worst_exit_code(fleet_repo: MakeFleet) -> None:
    config = fleet_repo("ready", "faulted", "gaps")
    run, report = fleet_json(config)
    assert run.exit_code == 1
    assert run.stderr.strip() == ("failback fleet: 3 pairs: 1 ready, 1 not ready, 1 indeterminate")
    assert report["kind"] == "failback-fleet-report"
    assert report["summary"] == {
        "pairs": 3,
        "ready": 1,
        "not_ready": 1,
        "indeterminate": 1,
        "failed": 0,
        "interrupted": 0,
        "line": "3 pairs: 1 ready, 1 not ready, 1 indeterminate",
    }
    assert [(p["id"], p["verdict"], p["exit_code"]) for p in report["pairs"]] == [
        ("faulted/failback.yaml", "no-go", 1),
        ("gaps/failback.yaml", "indeterminate", 4),
        ("ready/failback.yaml", "go", 0),
    ]
    assert report["partial"] is False and report["shard"] is None
    assert report["fleet_pairs"] == 3 and report["exit_code"] == 1
    gaps = report["pairs"][1]["decisions"][0]["gaps"]
    assert [(g["region"], g["area"]) for g in gaps] == [("secondary", "audit")]


def test_each_pair_matches_failback_check(fleet_repo: MakeFleet) -> None:
    """The fleet reuses the single-pair pipeline: same verdicts, findings and fingerprints."""
    config = fleet_repo("faulted", "ready")
    _, report = fleet_json(config, "--phase", "all")
    for pair in report["pairs"]:
        single = run_cli(
            [
                "check",
                "-c",
                str(config.parent / pair["id"]),
                "--now",
                NOW,
                "--phase",
                "all",
                "--format",
                "json",
            ]
        ).json()
        assert [d["phase"] for d in pair["decisions"]] == [d["phase"] for d in single["decisions"]]
        for mine, theirs in zip(pair["decisions"], single["decisions"], strict=True):
            assert mine["verdict"] == theirs["verdict"]
            assert mine["summary"] == theirs["summary"]
            assert mine["blocking"] == sum(1 for f in theirs["findings"] if f["blocking"])
            assert [(f["rule_id"], f["fingerprint"]) for f in mine["findings"]] == [
                (f["rule_id"], f["fingerprint"]) for f in theirs["findings"]
            ]
    faulted = report["pairs"][0]
    assert set(faulted["rules"]) == {f["rule_id"] for _, f in _findings(faulted)}
    assert faulted["rules"]["WA-001"]["area"] == "write_authority"


def _findings(pair: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(d["phase"], f) for d in pair["decisions"] for f in d["findings"]]


def test_a_pair_that_fails_is_indeterminate_and_the_rest_completes(
    fleet_repo: MakeFleet,
) -> None:
    config = fleet_repo("ready", "broken=ready")
    (config.parent / "broken" / "us-west-2.json").unlink()
    run, report = fleet_json(config)
    assert run.exit_code == 4
    assert "2 pairs: 1 ready, 0 not ready, 1 indeterminate" in run.stderr
    broken, ready = report["pairs"]
    assert broken["id"] == "broken/failback.yaml"
    assert broken["status"] == "failed" and broken["verdict"] == "indeterminate"
    assert broken["exit_code"] == 4 and broken["decisions"] == []
    assert "snapshot not found" in broken["reason"] and "us-west-2.json" in broken["reason"]
    assert broken["name"] == "payments-platform" and broken["primary"] == "us-east-1"
    assert ready["status"] == "judged" and ready["verdict"] == "go"
    assert report["summary"]["failed"] == 1


def test_an_unreachable_aws_source_fails_its_pair_only(
    fleet_repo: MakeFleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    config = fleet_repo("faulted", "live=ready")
    plan = config.parent / "live" / "failback.yaml"
    source = (
        "    source: {type: aws, cluster_arn: '" + ARN + "', endpoint_url: "
        "'http://127.0.0.1:9', max_attempts: 1, connect_timeout: 1, read_timeout: 1}\n"
    )
    plan.write_text(plan.read_text().replace("    snapshot: us-east-1.json\n", source, 1))
    run, report = fleet_json(config)
    assert run.exit_code == 1  # the faulted pair's not ready beats the failed pair
    live = report["pairs"][1]
    assert live["status"] == "failed"
    assert "cannot reach http://127.0.0.1:9" in live["reason"]
    assert report["pairs"][0]["verdict"] == "no-go"


def test_glob_and_path_name_a_plan_once(fleet_repo: MakeFleet) -> None:
    config = fleet_repo("ready", plans=["ready/failback.yaml", "*/failback.yaml", "**/*.yaml"])
    _, report = fleet_json(config)
    assert [p["id"] for p in report["pairs"]] == ["ready/failback.yaml"]


@pytest.mark.parametrize(
    ("document", "fragments"),
    [
        ({"plans": ["*/failback.yaml"], "colour": 1}, ["does not match the v1 schema", "colour"]),
        ({"plans": []}, ["does not match the v1 schema", "plans"]),
        (
            {"plans": ["a.yaml"], "accounts": [{"account": "12"}]},
            ["account must be a 12-digit AWS account id"],
        ),
        ({"plans": ["a.yaml"], "concurrency": 0}, ["concurrency"]),
    ],
)
def test_fleet_schema_errors_are_one_line(
    tmp_path: Path, document: dict[str, Any], fragments: list[str]
) -> None:
    config = tmp_path / "fleet.yaml"
    config.write_text(json.dumps({"schema_version": "1.0", **document}))
    assert_one_line_error(fleet_cli(config), 2, "fleet", *fragments)


def test_missing_fleet_file(tmp_path: Path) -> None:
    assert_one_line_error(fleet_cli(tmp_path / "nope.yaml"), 2, "fleet file not found")


def test_unmatched_glob_and_missing_plan(fleet_repo: MakeFleet) -> None:
    config = fleet_repo("ready", plans=["teams/*/failback.yaml"])
    assert_one_line_error(fleet_cli(config), 2, "plans[0]", "matches no plan file")
    write_fleet(config.parent, ["ready/failback.yaml", "nope/failback.yaml"])
    assert_one_line_error(fleet_cli(config), 2, "plans[1]", "not found")


def test_repeated_accounts_entry(fleet_repo: MakeFleet) -> None:
    config = fleet_repo(
        "ready", accounts=[{"region": "us-east-1"}, {"region": "us-east-1", "concurrency": 1}]
    )
    assert_one_line_error(fleet_cli(config), 2, "accounts[1] repeats accounts[0]")


def test_plans_outside_the_repository_are_refused(tmp_path: Path, fleet_repo: MakeFleet) -> None:
    config = fleet_repo("ready")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    config = write_fleet(outside, ["../repo/*/failback.yaml"])
    assert_one_line_error(fleet_cli(config), 2, "outside the fleet file's repository", "--allow")
    run, report = fleet_json(config, "--allow-outside-repo")
    assert run.exit_code == 0
    assert [p["id"] for p in report["pairs"]] == ["../repo/ready/failback.yaml"]


def test_bad_options(fleet_repo: MakeFleet) -> None:
    config = fleet_repo("ready")
    assert_one_line_error(fleet_cli(config, "--phase", "later"), 2, "unknown phase 'later'")
    assert_one_line_error(fleet_cli(config, "--shard", "3/2"), 2, "--shard 3/2")
    assert_one_line_error(fleet_cli(config, "--shard", "x"), 2, "is not K/N")
    run = fleet_cli(config, "--format", "json", "--format", "html")
    assert_one_line_error(run, 2, "would all go to stdout")


def test_outputs_written_as_a_set(fleet_repo: MakeFleet, tmp_path: Path) -> None:
    config = fleet_repo("ready", "faulted")
    outs = {fmt: tmp_path / f"fleet.{fmt}" for fmt in ("json", "sarif", "markdown", "html")}
    args = [arg for fmt, path in outs.items() for arg in ("--format", fmt, "-o", str(path))]
    run = fleet_cli(config, *args)
    assert run.exit_code == 1 and run.stdout == ""
    assert json.loads(outs["json"].read_text())["summary"]["pairs"] == 2
    assert len(json.loads(outs["sarif"].read_text())["runs"]) == 2
    assert outs["markdown"].read_text().startswith("## Failback fleet: demo")
    assert outs["html"].read_text().startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*.tmp"))


def test_account_settings_fill_aws_sources_most_specific_wins(tmp_path: Path) -> None:
    fleet = Fleet(
        path=tmp_path / "fleet.yaml",
        name="f",
        pairs=(),
        concurrency=4,
        accounts=(
            AccountSettings(0, region="us-east-1", profile="regional", concurrency=1),
            AccountSettings(1, account="123456789012", role_arn="arn:aws:iam::1:role/r"),
            AccountSettings(2, account="123456789012", region="us-east-1", profile="exact"),
        ),
    )
    source = {"type": "aws", "cluster_arn": ARN}
    region, settings = with_settings(fleet, RegionRef("primary", "us-east-1", None, source))
    assert settings is not None and settings.index == 2
    assert region.source == {**source, "profile": "exact"}
    own = {**source, "profile": "mine", "role_arn": "arn:aws:iam::1:role/own"}
    region, _ = with_settings(fleet, RegionRef("primary", "us-east-1", None, [own]))
    assert region.source == [own]  # a source's own settings win
    other = {"type": "aws", "cluster_arn": ARN.replace("123456789012", "999999999999")}
    region, settings = with_settings(fleet, RegionRef("primary", "us-east-1", None, other))
    assert settings is not None and settings.index == 0
    assert region.source == {**other, "profile": "regional"}
    snapshot = RegionRef("secondary", "us-west-2", tmp_path / "s.json", None)
    assert with_settings(fleet, snapshot) == (snapshot, None)


def test_account_concurrency_is_a_semaphore(tmp_path: Path) -> None:
    entry = AccountSettings(0, region="us-east-1", concurrency=1)
    fleet = Fleet(tmp_path / "f.yaml", "f", (), 4, (entry,))
    limits = _Limits.of(fleet)
    inside = threading.Event()
    release = threading.Event()
    second_entered = threading.Event()

    def first() -> None:
        with limits.hold(entry):
            inside.set()
            release.wait(5)

    def second() -> None:
        with limits.hold(entry):
            second_entered.set()

    one = threading.Thread(target=first)
    one.start()
    assert inside.wait(5)
    two = threading.Thread(target=second)
    two.start()
    assert not second_entered.wait(0.3)  # held back while the first export runs
    release.set()
    assert second_entered.wait(5)
    one.join()
    two.join()


def test_load_fleet_sorts_pairs_by_identity(fleet_repo: MakeFleet) -> None:
    config = fleet_repo("ready", "faulted", plans=["ready/failback.yaml", "faulted/failback.yaml"])
    loaded = load_fleet(config)
    assert [p.identity for p in loaded.pairs] == ["faulted/failback.yaml", "ready/failback.yaml"]
    assert loaded.name == "demo" and loaded.concurrency == 4
    assert isinstance(loaded.pairs[0], PairSpec)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.cli.fleet import TerminalProgress

    monkeypatch.delenv("CI", raising=False)
    stream = _Tty()
    progress = TerminalProgress(stream)
    progress.start(2)
    progress.advance(PairResult("a", "judged"))
    progress.advance(PairResult("b", "failed", reason="x"))
    progress.finish()
    shown = stream.getvalue()
    assert "fleet: 0/2 pairs" in shown and "fleet: 2/2 pairs" in shown
    assert "1 failed" in shown and "pairs/s" in shown
    quiet = io.StringIO()  # not a terminal
    TerminalProgress(quiet).start(2)
    assert quiet.getvalue() == ""
    monkeypatch.setenv("CI", "true")
    in_ci = _Tty()
    progress = TerminalProgress(in_ci)
    progress.start(2)
    progress.advance(PairResult("a", "judged"))
    assert in_ci.getvalue() == ""


class _Counting:
    name = "counting"

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def load(self, policies: Any) -> None:
        self.calls.append(("load", False))

    def query(self, rule: str, input_document: Any) -> Any:
        self.calls.append((rule, input_document is not None))
        return {"rule": rule, "nested": {"n": len(self.calls)}}

    def close(self) -> None:
        pass


def test_input_free_queries_are_answered_once() -> None:
    from checker.fleet.run import _Memo

    inner = _Counting()
    memo = _Memo(inner)
    first = memo.query("data.catalog", None)
    first["nested"]["n"] = 99  # a caller's change does not reach the next answer
    assert memo.query("data.catalog", None) == {"rule": "data.catalog", "nested": {"n": 1}}
    memo.query("data.decision", {"phase": "failback"})
    memo.query("data.decision", {"phase": "failback"})
    assert inner.calls == [
        ("data.catalog", False),
        ("data.decision", True),
        ("data.decision", True),
    ]
    memo.load([])
    memo.query("data.catalog", None)  # new policies: asked again
    assert inner.calls[-1] == ("data.catalog", False) and len(inner.calls) == 5


def test_opa_engine_judges_the_fleet_alike(
    fleet_repo: MakeFleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ..opa_support import tool

    monkeypatch.setenv("FAILBACK_OPA_BIN", tool("opa"))
    config = fleet_repo("ready", "faulted", "gaps")
    _, embedded = fleet_json(config, "--phase", "all")
    run, opa = fleet_json(config, "--phase", "all", "--engine", "opa")
    assert run.exit_code == 1, run.stderr
    assert opa["pairs"] == embedded["pairs"]


def test_opa_options_need_the_opa_engine(fleet_repo: MakeFleet) -> None:
    config = fleet_repo("ready")
    run = fleet_cli(config, "--opa-url", "http://127.0.0.1:1")
    assert_one_line_error(run, 2, "--opa-url and --opa-preloaded need --engine opa")


def test_a_plans_outage_is_judged_as_check_judges_it(fleet_repo: MakeFleet) -> None:
    """A plan declaring its primary down may lack that region's snapshot: the pair is judged
    (not failed), exactly as `failback check` judges it."""
    config = fleet_repo("down=ready")
    plan = config.parent / "down" / "failback.yaml"
    plan.write_text(plan.read_text() + "outage:\n  impaired_region: us-east-1\n")
    (config.parent / "down" / "us-east-1.json").unlink()
    _, report = fleet_json(config)
    (pair,) = report["pairs"]
    assert pair["status"] == "judged", pair["reason"]
    single = run_cli(["check", "-c", str(plan), "--now", NOW, "--format", "json"]).json()
    assert [d["verdict"] for d in pair["decisions"]] == [d["verdict"] for d in single["decisions"]]
    assert [(f["rule_id"], f["fingerprint"]) for _, f in _findings(pair)] == [
        (f["rule_id"], f["fingerprint"]) for d in single["decisions"] for f in d["findings"]
    ]
