"""`failback init`: the drafted plan validates, `check` runs on it, and on every fixture estate
its findings are the hand-written plan's.

Exact match, phase by phase, with one principled exception: rules that judge facts only the
plan states (PLAN_ONLY_RULES: a rollback point, the dual-region budget and start date,
rehearsal dates). No snapshot holds them, so a draft leaves them for a person to fill in and
never invents them: RB-001 fires on every draft until a person writes the rollback point, and
CST-001 / RDY-001 can fire only once a person gives a budget or rehearsal dates. Every other
rule, blocking or not, fires on the draft exactly where it fires on the hand-written plan.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.draft import RegionInput, draft, region_tokens, without_region
from checker.draft.yaml_text import Guess, Placeholder, comment_text, plain, render

from .conftest import NOW, ROOT, assert_one_line_error, run_cli

FIXTURES = ROOT / "fixtures"
PRIMARY, SECONDARY = "us-east-1", "us-west-2"
PLAN_ONLY_RULES = frozenset({"RB-001", "CST-001", "RDY-001"})
SNAPSHOT_ESTATES = sorted(
    [FIXTURES / "estate" / v for v in ("ready", "faulted", "gaps")]
    + [p for p in (FIXTURES / "setups").iterdir() if p.is_dir()]
)
FAULTED = {"faulted", "gaps"} | {p.name for p in (FIXTURES / "setups").iterdir() if p.is_dir()}


def _ids(report: dict[str, Any]) -> dict[str, tuple[set[str], set[str]]]:
    """phase -> (rule ids, blocking rule ids)."""
    return {
        d["phase"]: (
            {f["rule_id"] for f in d["findings"]},
            {f["rule_id"] for f in d["findings"] if f.get("blocking")},
        )
        for d in report["decisions"]
    }


def _check(plan: Path, *extra: str) -> dict[str, Any]:
    run = run_cli(
        ["check", "-c", str(plan), "--now", NOW, "--phase", "all", "--format", "json", *extra]
    )
    assert run.exit_code in (0, 1, 4), run.stderr
    result: dict[str, Any] = run.json()
    return result


def _init(directory: Path, primary: str, secondary: str, *extra: str) -> Path:
    out = directory / "drafted.yaml"
    run = run_cli(["init", primary, secondary, "-o", str(out), *extra])
    assert run.exit_code == 0, run.stderr
    assert run.stderr.splitlines()[-1].startswith(f"failback: wrote {out}: "), run.stderr
    validated = run_cli(["validate", str(out)])
    assert validated.exit_code == 0, validated.stderr
    assert "valid plan" in validated.stdout
    return out


def _declare_out_of_scope(drafted: Path, areas: str) -> None:
    """What a person does who agrees with the draft's suggestion: uncomment its two lines."""
    text = drafted.read_text()
    scope = f"# evidence:\n#   out_of_scope: {areas}\n"
    assert scope in text
    drafted.write_text(text.replace(scope, scope.replace("# ", "")))


def _assert_same_findings(hand: Path, drafted: Path, *extra: str) -> None:
    expected, got = _ids(_check(hand, *extra)), _ids(_check(drafted, *extra))
    assert set(expected) == set(got)
    for phase in expected:
        assert got[phase][0] - PLAN_ONLY_RULES == expected[phase][0] - PLAN_ONLY_RULES, phase
        assert got[phase][1] - PLAN_ONLY_RULES == expected[phase][1] - PLAN_ONLY_RULES, phase


@pytest.mark.parametrize("estate", SNAPSHOT_ESTATES, ids=lambda p: p.name)
def test_drafted_plan_finds_what_the_hand_written_plan_finds(tmp_path: Path, estate: Path) -> None:
    work = tmp_path / estate.name
    shutil.copytree(estate, work)
    drafted = _init(work, str(work / f"{PRIMARY}.json"), str(work / f"{SECONDARY}.json"))
    _assert_same_findings(work / "failback.yaml", drafted)


@pytest.mark.parametrize("variant", ["ready", "faulted"])
def test_drafted_plan_from_one_terraform_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variant: str
) -> None:
    """One multi-region plan for both regions, the primary's cluster and the buckets given as
    inline sources (paths relative to the working directory, rebased onto the draft's)."""
    work = tmp_path / variant
    shutil.copytree(FIXTURES / "terraform" / variant, work)
    monkeypatch.chdir(tmp_path)
    plan = f"{variant}/payments.tfplan.json"
    buckets = "storage_buckets: [payments-kafka-archive-*]"
    drafted = _init(
        work,
        f"{{type: terraform, plan: {plan}, cluster: module.use1.aws_msk_cluster.this, {buckets}}}",
        f"{{type: terraform, plan: {plan}, {buckets}}}",
        *("--primary-region", PRIMARY, "--secondary-region", SECONDARY, "--now", NOW),
    )
    # Terraform cannot read consumer groups: the draft says so, and leaves the decision to a
    # person, as the hand-written plan decided
    _declare_out_of_scope(drafted, '["consumer_groups"]')
    document = yaml.safe_load(drafted.read_text())
    assert document["regions"]["secondary"]["source"] == {
        "type": "terraform",
        "plan": "payments.tfplan.json",
        "storage_buckets": ["payments-kafka-archive-*"],
    }
    _assert_same_findings(work / "failback.yaml", drafted)


def test_a_terraform_file_alone_is_a_terraform_source(tmp_path: Path) -> None:
    work = tmp_path / "tf"
    shutil.copytree(FIXTURES / "terraform" / "ready", work)
    tfplan = str(work / "payments.tfplan.json")
    drafted = _init(
        work,
        tfplan,
        tfplan,
        "--primary-region",
        PRIMARY,
        "--secondary-region",
        SECONDARY,
        "--now",
        NOW,
    )
    assert 'source:\n      type: "terraform"\n      plan: "payments.tfplan.json"' in (
        drafted.read_text()
    )
    _check(drafted)  # check runs on it


@pytest.mark.parametrize("variant", ["ready", "faulted"])
def test_drafted_plan_from_two_strimzi_directories(tmp_path: Path, variant: str) -> None:
    work = tmp_path / variant
    shutil.copytree(FIXTURES / "strimzi" / variant, work)
    drafted = _init(
        work,
        str(work / PRIMARY),
        str(work / SECONDARY),
        *("--primary-region", PRIMARY, "--secondary-region", SECONDARY),
        *("--mm2-region", "use1=us-east-1", "--mm2-region", "usw2=us-west-2"),
        "--now",
        NOW,
    )
    document = yaml.safe_load(drafted.read_text())
    assert document["regions"]["primary"]["source"] == {
        "type": "strimzi",
        "paths": [PRIMARY],
        "mm2_regions": {"use1": "us-east-1", "usw2": "us-west-2"},
    }
    _declare_out_of_scope(drafted, '["audit", "consumer_groups"]')
    _assert_same_findings(work / "failback.yaml", drafted)


def test_guesses_on_the_ready_estate(tmp_path: Path) -> None:
    ready = FIXTURES / "estate" / "ready"
    out = tmp_path / "failback.yaml"
    run = run_cli(
        ["init", str(ready / f"{PRIMARY}.json"), str(ready / f"{SECONDARY}.json"), "-o", str(out)]
    )
    assert run.exit_code == 0, run.stderr
    text = out.read_text()
    document = yaml.safe_load(text)
    assert document["current_phase"] == "failback"
    assert document["regions"]["primary"] == {
        "name": PRIMARY,
        "snapshot": os.path.relpath(ready / f"{PRIMARY}.json", tmp_path),
    }
    kinds = {e["kind"]: e for e in document["equivalences"]}
    assert kinds["cluster"] == {
        "kind": "cluster",
        "canonical": "payments",
        "values": ["payments-use1", "payments-usw2"],
    }
    assert kinds["security_group"]["values"] == ["sg-0a1b2c3d4e5f60718", "sg-0f9e8d7c6b5a40312"]
    assert kinds["log_group"]["values"] == [
        "/aws/msk/payments-use1/broker",
        "/aws/msk/payments-usw2/broker",
    ]
    assert kinds["other"]["values"] == ["10.10.0.0/16", "10.20.0.0/16"]
    assert document["replicator_principals"] == ["iam:role/msk-replicator-payments"]
    families = {f["name"]: f for f in document["topic_families"]}
    assert sorted(families) == [
        "analytics",
        "customer",
        "fraud",
        "integrations",
        "ledger",
        "notify",
        "payments",
    ]
    payments = families["payments"]
    assert payments["match"] == ["payments.*"]
    assert payments["producers"] == ["User:payments-api", "User:settlement-service"]
    assert payments["transactional"] is True
    assert payments["schemas"] == {"kind": "confluent", "naming": "topic", "parts": ["value"]}
    assert families["integrations"]["connect"] == {
        "internal_topics": [
            "connect-configs-payments",
            "connect-offsets-payments",
            "connect-status-payments",
        ]
    }
    assert payments["phases"]["dr_operation"] == {"writer": "secondary", "consumer": "secondary"}
    assert payments["phases"]["failback"] == {"writer": "primary", "consumer": "primary"}
    assert document["cost"]["flow_owners"] == {
        "payments-use1-to-usw2": "team-platform",
        "payments-usw2-to-use1": "team-platform",
    }
    assert "rollback" not in document  # only a person knows it: a comment to fill in
    assert "#   stop_point:" in text
    # every inferred line says why and asks for confirmation
    assert (
        'current_phase: "failback"  # guess: producers of most families write in us-east-1' in text
    )
    assert '  - "User:payments-api"  # guess: may write 12/12 topics in us-east-1' in text
    guesses = [line for line in text.splitlines() if re.search(r"(^ *|  )# guess: ", line)]
    assert len(guesses) > 30
    for line in guesses:
        assert line.endswith(" — confirm"), line


def test_faulted_grant_is_a_producer_not_a_replicator(tmp_path: Path) -> None:
    """fraud-scorer may write fraud.* in the passive region (the WA-002 fault): it stays a
    producer, so the draft does not hide the fault."""
    faulted = FIXTURES / "estate" / "faulted"
    run = run_cli(
        ["init", str(faulted / f"{PRIMARY}.json"), str(faulted / f"{SECONDARY}.json"), "-o", "-"]
    )
    assert run.exit_code == 0, run.stderr
    document = yaml.safe_load(run.stdout)
    assert document["replicator_principals"] == ["iam:role/msk-replicator-payments"]
    fraud = next(f for f in document["topic_families"] if f["name"] == "fraud")
    assert fraud["producers"] == ["User:fraud-scorer"]
    assert "may write 10/10 topics in us-east-1, 10/10 topics in us-west-2" in run.stdout
    # the internet-wide debugging rule of the secondary pairs with nothing
    assert all("0.0.0.0/0" not in e["values"] for e in document["equivalences"])


def test_remote_copies_of_prefixed_flows_join_their_family(tmp_path: Path) -> None:
    setup = FIXTURES / "setups" / "mm2-default-policy-both-ways"
    run = run_cli(
        ["init", str(setup / f"{PRIMARY}.json"), str(setup / f"{SECONDARY}.json"), "-o", "-"]
    )
    assert run.exit_code == 0, run.stderr
    names = [f["name"] for f in yaml.safe_load(run.stdout)["topic_families"]]
    assert names == [
        "analytics",
        "customer",
        "fraud",
        "integrations",
        "ledger",
        "notify",
        "payments",
    ]  # no use1 / usw2 family


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    ready = FIXTURES / "estate" / "ready"
    out = tmp_path / "failback.yaml"
    out.write_text("# mine\n")
    args = [
        "init",
        str(ready / f"{PRIMARY}.json"),
        str(ready / f"{SECONDARY}.json"),
        "-o",
        str(out),
    ]
    assert_one_line_error(run_cli(args), 2, f"{out} exists: give --force")
    assert out.read_text() == "# mine\n"
    assert run_cli([*args, "--force"]).exit_code == 0
    assert out.read_text().startswith("# Drafted by `failback init`")
    assert [p.name for p in tmp_path.iterdir()] == ["failback.yaml"]  # no temporary file left


def test_stdout_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    ready = FIXTURES / "estate" / "ready"
    run = run_cli(
        ["init", str(ready / f"{PRIMARY}.json"), str(ready / f"{SECONDARY}.json"), "-o", "-"]
    )
    assert run.exit_code == 0 and run.stdout.startswith("# Drafted by")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["missing.json", "other.json"], ("the primary region 'missing.json' does not exist",)),
        (["{type: kafka, bootstrap: 'b:9092'}", "x.json"], ("give --primary-region NAME",)),
        (["[1, 2]", "x.json"], ("does not exist",)),
    ],
)
def test_bad_regions_are_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragments: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert_one_line_error(run_cli(["init", *args]), 2, *fragments)


def test_a_clear_text_secret_is_refused_and_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An inline kafka source with a password in clear text: refused before anything is
    exported or written, and the secret is never echoed."""
    monkeypatch.chdir(tmp_path)
    secret = "hunter2-not-for-the-plan"
    ready = FIXTURES / "estate" / "ready"
    source = "{type: kafka, bootstrap: '127.0.0.1:1', config: {sasl.password: " + secret + "}}"
    run = run_cli(["init", source, str(ready / f"{SECONDARY}.json"), "--primary-region", PRIMARY])
    assert_one_line_error(run, 2, "regions.primary.source.config.sasl.password", "env:VAR")
    assert secret not in run.stderr + run.stdout
    assert list(tmp_path.iterdir()) == []


def test_unknown_file_and_same_region(tmp_path: Path) -> None:
    ready = FIXTURES / "estate" / "ready"
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers: []\n")
    assert_one_line_error(
        run_cli(["init", str(waivers), str(ready / f"{SECONDARY}.json"), "-o", "-"]),
        2,
        "cannot tell what the primary region",
    )
    same = str(ready / f"{PRIMARY}.json")
    assert_one_line_error(run_cli(["init", same, same, "-o", "-"]), 2, "both regions are")


# ---------------------------------------------------------------------------------------------
# the pure pieces


def test_region_tokens() -> None:
    assert region_tokens("us-east-1")[:3] == ["us-east-1", "us_east_1", "useast1"]
    assert "use1" in region_tokens("us-east-1")
    assert without_region("/aws/msk/payments-usw2/broker", "us-west-2") == (
        "/aws/msk/payments-{region}/broker"
    )
    assert without_region("payments", "us-west-2") is None
    assert region_tokens("dc1") == ["dc1"]


HOSTILE = "x\ny: 1 # \u2028 \x00 \"quoted\" 'single' : [a] {b} &anchor *alias !tag 2026-11-10"


def test_render_round_trips_hostile_strings_and_keeps_comments_on_one_line() -> None:
    document = {
        "schema_version": "1.0",
        "name": Guess(HOSTILE, HOSTILE),
        "dates": ["2026-11-10", "yes", "no", "null", "0x1F", "1e3", "~", ""],
        HOSTILE: {"nested": [Guess({"a": 1, "b": True}, "why\nnot"), [], {}]},
        "left": Placeholder(("fill: me\nin",)),
    }
    text = render(document, [HOSTILE])
    assert yaml.safe_load(text) == plain(document)
    assert plain(document)["dates"][0] == "2026-11-10"  # a string, never a date
    for line in text.splitlines():
        if "#" in line and "guess" in line:
            assert "\n" not in line and "\x00" not in line
    assert "# fill: me in" in text
    assert comment_text("a\r\nb\u2028c") == "a b c"


def test_draft_is_pure_and_deterministic() -> None:
    ready = FIXTURES / "estate" / "ready"
    regions = tuple(
        RegionInput(json.loads((ready / f"{r}.json").read_text()), {"snapshot": f"{r}.json"}, r)
        for r in (PRIMARY, SECONDARY)
    )
    first = render(draft(regions))  # type: ignore[arg-type]
    assert first == render(draft(regions))  # type: ignore[arg-type]


def test_flows_without_owner_are_left_to_fill_in() -> None:
    """A flow with no owner gets no invented one: a comment names it (CST-002 until then)."""
    ready = FIXTURES / "estate" / "ready"
    documents = [json.loads((ready / f"{r}.json").read_text()) for r in (PRIMARY, SECONDARY)]
    for document in documents:
        for flow in document["replication"]:
            flow["owner"] = None
    regions = tuple(
        RegionInput(d, {"snapshot": f"{r}.json"}, r)
        for d, r in zip(documents, (PRIMARY, SECONDARY), strict=True)
    )
    text = render(draft(regions))  # type: ignore[arg-type]
    assert "cost" not in yaml.safe_load(text)
    assert (
        "# cost:\n#   flow_owners:\n"
        "#     payments-use1-to-usw2: TEAM (no owner recorded: CST-002 until you name one)\n"
    ) in text
