"""Outage-aware judgement and the failback steps (issue #14), end to end on estates built from
the shipped ready estate, judged by both engines with the same expectations; then the CLI:
`--impaired-region`, the plan's `outage:` and `failback_steps:`, `--step`, exit codes, errors
and the report formats."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from checker.engines.base import Engine
from checker.evaluate import Situation, check
from checker.model import Decision
from checker.plan import DEFAULT_FAILBACK_STEPS, Outage, parse_plan
from checker.snapshot import parse_snapshot
from checker.sources import IMPAIRED_REASON, placeholder_snapshot

from .conftest import NOW, ROOT, assert_one_line_error, run_cli
from .opa_support import ENGINE_PARAMS, loaded_engine
from .runtime_support import sample
from .setups import FORWARD, PRIMARY, REVERSE, SECONDARY, SYNCED_FAMILIES, documents, flow

WHEN = datetime(2026, 11, 29, tzinfo=UTC)
STEPS = tuple(step.name for step in DEFAULT_FAILBACK_STEPS)
FAMILIES = (
    "analytics",
    "customer",
    "fraud",
    "integrations",
    "ledger",
    "notifications",
    "payments-core",
)
PRIMARY_DOWN = Outage(role="primary", region=PRIMARY, since=None, declared_by="option")
CROSS_REGION = "needs a flow into or out of the impaired primary, or its live state"

CONNECT_TOPICS = ("connect-configs-payments", "connect-offsets-payments", "connect-status-payments")

Estate = tuple[dict[str, Any], dict[str, Any], dict[str, Any]]


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    yield from loaded_engine(request.param)


def judge(
    engine: Engine,
    estate: Estate,
    phases: Sequence[str],
    situation: Situation | None = None,
    primary_absent: bool = False,
) -> list[Decision]:
    plan_doc, primary_doc, secondary_doc = with_runtime(estate)
    plan = parse_plan(plan_doc, "plan")
    secondary = parse_snapshot(secondary_doc, "secondary")
    primary = (
        placeholder_snapshot(plan.primary, secondary, WHEN, "no snapshot given")
        if primary_absent
        else parse_snapshot(primary_doc, "primary")
    )
    report = check(plan, primary, secondary, phases, engine, WHEN, "high", None, situation)
    return list(report.decisions)


def with_runtime(estate: Estate) -> Estate:
    """The estate with caught-up runtime evidence sampled at the judging time in both
    snapshots: the default failback steps' runtime gates hold (tests/test_runtime_gates.py
    judges them; without evidence every step is indeterminate)."""
    plan, primary, secondary = estate
    primary, secondary = copy.deepcopy(primary), copy.deepcopy(secondary)
    for document in (primary, secondary):
        document["runtime"] = sample(document, NOW)
    return plan, primary, secondary


def blocking(decision: Decision) -> list[tuple[Any, ...]]:
    return sorted((f.rule_id, f.resource, f.region) for f in decision.findings if f.blocking)


def whole_rules(decision: Decision) -> dict[str, str]:
    """Rule id -> reason of the rules the outage left unjudged as a whole."""
    return {n["rule_id"]: n["reason"] for n in decision.not_judgeable if n["resource"] is None}


def set_aside(decision: Decision) -> list[tuple[Any, ...]]:
    """(rule id, region) of the findings about the impaired region the outage set aside."""
    return sorted(
        {(n["rule_id"], n["region"]) for n in decision.not_judgeable if n["resource"] is not None}
    )


def dr_estate() -> Estate:
    """The ready estate as DR operation left it: the producers' grants and the consumer groups
    now live in the secondary as well."""
    plan, primary, secondary = documents()
    secondary["acls"] += [a for a in primary["acls"] if a not in secondary["acls"]]
    secondary["consumer_groups"] = copy.deepcopy(primary["consumer_groups"])
    # the secondary's schema registry takes registrations (it imported until the failover)
    for registry in secondary["schemas"]["registries"].values():
        registry["mode"] = "READWRITE"
    return plan, primary, secondary


def open_ingress(document: dict[str, Any]) -> None:
    document["network"]["ingress"].append(
        {
            "protocol": "tcp",
            "from_port": 9096,
            "to_port": 9096,
            "peer": "0.0.0.0/0",
            "peer_type": "cidr",
            "description": "seeded fault",
        }
    )


# --- outage: primary down, the DR region judged ------------------------------------------------

# The rules judged in failover that compare with the primary's snapshot, and the cross-region
# rules judged in failover: none is judged while the primary is down without a snapshot.
COMPARED_IN_FAILOVER = (
    "ACL-001",
    "ACL-002",
    "ACL-005",
    "ACL-006",
    "ACL-007",
    "AUD-001",
    "AUD-002",
    "AUD-003",
    "CMP-003",
    "ENC-001",
    "ENC-002",
    "ENC-003",
    "ENC-004",
    "ENC-005",
    "NET-001",
    "NET-003",
    "RET-001",
    "RET-002",
    "RET-003",
    "SR-001",
    "SR-002",
    "SR-003",
    "SR-004",
    "TOP-001",
    "TOP-002",
    "TOP-003",
    "TOP-004",
    "WA-001",
)
CROSS_IN_FAILOVER = (
    "CA-002",
    "CMP-004",
    "EVD-002",
    "OFF-001",
    "OFF-005",
    "REP-001",
    "REP-003",
    "WA-008",
)
CROSS_IN_DR_OPERATION = (*CROSS_IN_FAILOVER, "OFF-003", "REP-005", "REP-006")


def test_without_the_outage_the_dr_estate_is_no_go(engine: Engine) -> None:
    """What the outage changes: the primary's last snapshot still grants its producers, shows
    its consumers and a writable registry, so without the declaration the fence, consumer and
    registry mode rules block."""
    for decision in judge(engine, dr_estate(), ("failover", "dr_operation")):
        assert {f[0] for f in blocking(decision)} == {"CA-002", "SR-005", "WA-001", "WA-002"}
        assert decision.outage is None and decision.not_judgeable == ()


def test_primary_down_with_its_last_snapshot_sound_dr_region_is_go(engine: Engine) -> None:
    situation = Situation(outage=PRIMARY_DOWN)
    failover, dr_operation = judge(engine, dr_estate(), ("failover", "dr_operation"), situation)
    for decision, cross in ((failover, CROSS_IN_FAILOVER), (dr_operation, CROSS_IN_DR_OPERATION)):
        assert decision.verdict == "go", blocking(decision)
        assert decision.findings == ()
        assert whole_rules(decision) == dict.fromkeys(cross, CROSS_REGION)
        # the primary's fence cannot be switched while it is down: about the primary
        assert set_aside(decision) == [
            ("SR-005", "primary"),
            ("WA-001", "primary"),
            ("WA-002", "primary"),
        ]
        assert decision.outage == {
            "impaired": "primary",
            "region": PRIMARY,
            "since": None,
            "declared_by": "option",
            "snapshot": "given",
        }
        assert decision.exit_code == 0


def test_primary_down_without_a_snapshot_sound_dr_region_is_go(engine: Engine) -> None:
    situation = Situation(outage=PRIMARY_DOWN, snapshot_absent=True)
    decisions = judge(engine, dr_estate(), ("failover", "dr_operation"), situation, True)
    for decision, cross in zip(decisions, (CROSS_IN_FAILOVER, CROSS_IN_DR_OPERATION), strict=True):
        assert decision.verdict == "go", blocking(decision)
        assert decision.findings == ()
        reasons = whole_rules(decision)
        assert sorted(reasons) == sorted((*cross, *COMPARED_IN_FAILOVER))
        assert (
            reasons["ENC-001"]
            == "compares with the impaired primary, whose snapshot lacks encryption"
        )
        assert reasons["REP-001"] == CROSS_REGION
        # every area of the primary is a gap: listed, never indeterminate
        assert set_aside(decision) == [("EVD-001", "primary")]
        assert {g["area"] for g in decision.gaps if g["region"] == "primary"} == {
            "acls", "audit", "authentication", "broker_config", "consumer_groups", "encryption",
            "iam_grants", "network", "quotas", "replication", "runtime", "schemas", "storage",
            "topics",
        }  # fmt: skip
        assert {g["reason"] for g in decision.gaps} == {IMPAIRED_REASON}
        assert decision.outage is not None and decision.outage["snapshot"] == "absent"


@pytest.mark.parametrize("primary_absent", [False, True])
def test_open_ingress_in_the_dr_region_blocks_during_the_outage(
    engine: Engine, primary_absent: bool
) -> None:
    plan, primary, secondary = dr_estate()
    open_ingress(secondary)
    situation = Situation(outage=PRIMARY_DOWN, snapshot_absent=primary_absent)
    for decision in judge(
        engine, (plan, primary, secondary), ("failover", "dr_operation"), situation, primary_absent
    ):
        assert decision.verdict == "no-go"
        assert blocking(decision) == [("NET-002", "tcp|9096-9096|0.0.0.0/0", "secondary")]
        assert decision.exit_code == 1


@pytest.mark.parametrize("primary_absent", [False, True])
def test_wrong_region_writer_in_the_dr_region_blocks_during_the_outage(
    engine: Engine, primary_absent: bool
) -> None:
    """analytics pauses during DR (writer none), but its producer may still write in the
    secondary: the DR region's write fence is judged whatever the primary's state."""
    plan, primary, secondary = dr_estate()
    analytics = next(f for f in plan["topic_families"] if f["name"] == "analytics")
    for phase in ("failover", "dr_operation"):
        analytics["phases"][phase]["writer"] = "none"
    situation = Situation(outage=PRIMARY_DOWN, snapshot_absent=primary_absent)
    for decision in judge(
        engine, (plan, primary, secondary), ("failover", "dr_operation"), situation, primary_absent
    ):
        assert decision.verdict == "no-go"
        assert blocking(decision) == [
            ("WA-002", "User:analytics-collector on analytics", "secondary")
        ]


def test_a_dr_region_not_ready_to_write_blocks_during_the_outage(engine: Engine) -> None:
    """The ready estate's secondary has no producer grant yet: it cannot take the writes."""
    plan, primary, secondary = documents()
    situation = Situation(outage=PRIMARY_DOWN, snapshot_absent=True)
    [decision] = judge(engine, (plan, primary, secondary), ("failover",), situation, True)
    assert blocking(decision) == [("WA-005", name, "secondary") for name in FAMILIES]


# --- failback steps ----------------------------------------------------------------------------


def step_verdicts(decision: Decision) -> list[tuple[str, str]]:
    return [(s.name, s.verdict) for s in decision.steps]


def held(decision: Decision, name: str) -> list[tuple[Any, ...]]:
    step = next(s for s in decision.steps if s.name == name)
    return sorted((h["rule_id"], h["resource"], h["gate"]) for h in step.held_by)


def test_clean_failback_estate_every_step_may_start(engine: Engine) -> None:
    [decision] = judge(engine, documents(), ("failback",))
    assert step_verdicts(decision) == [(name, "go") for name in STEPS]
    assert [s.order for s in decision.steps] == [1, 2, 3, 4, 5, 6]
    assert all(s.held_by == () for s in decision.steps)
    assert decision.step is None


def test_steps_are_judged_in_the_failback_phase_only(engine: Engine) -> None:
    for decision in judge(engine, documents(), ("normal", "failover", "dr_operation", "cleanup")):
        assert decision.steps == ()


def test_reverse_flow_at_latest_holds_replicate_back(engine: Engine) -> None:
    plan, primary, secondary = documents()
    flow(primary, REVERSE)["starting_position"] = "LATEST"
    [decision] = judge(engine, (plan, primary, secondary), ("failback",))
    assert step_verdicts(decision) == [(name, "no-go") for name in STEPS]
    for name in STEPS:
        assert held(decision, name) == [("REP-005", REVERSE, "replicate-back")]


def test_forward_path_stopped_holds_move_producers(engine: Engine) -> None:
    plan, primary, secondary = documents()
    flow(secondary, FORWARD)["state"] = "STOPPED"
    [decision] = judge(engine, (plan, primary, secondary), ("failback",))
    assert step_verdicts(decision) == [("replicate-back", "go")] + [
        (name, "no-go") for name in STEPS[1:]
    ]
    rollback = [("RB-002", name, "move-producers") for name in FAMILIES]
    # ... and the Kafka Connect internal topics no longer reach the secondary
    rollback += [
        ("CMP-004", topic, "move-producers")
        for topic in (
            "connect-configs-payments",
            "connect-offsets-payments",
            "connect-status-payments",
        )
    ]
    rollback.sort()
    assert held(decision, "move-producers") == held(decision, "drain") == rollback
    # the reverse ENHANCED replicator lost its pair, the primary's consumers their offset sync
    offsets = [("OFF-001", name, "move-consumers") for name in SYNCED_FAMILIES]
    assert held(decision, "move-consumers") == sorted(
        [*rollback, *offsets, ("OFF-005", REVERSE, "move-consumers")]
    )


def test_group_active_in_both_regions_holds_move_consumers(engine: Engine) -> None:
    plan, primary, secondary = documents()
    secondary["consumer_groups"]["ledger-reader.ledger"]["state"] = "STABLE"
    [decision] = judge(engine, (plan, primary, secondary), ("failback",))
    assert decision.verdict == "no-go"
    assert step_verdicts(decision) == [
        ("replicate-back", "go"),
        ("move-producers", "go"),
        ("drain", "go"),
        ("move-consumers", "no-go"),
        ("stop-reverse-flow", "no-go"),
        ("clean-up", "no-go"),
    ]
    assert held(decision, "move-consumers") == [
        ("CA-002", "ledger-reader.ledger on ledger", "move-consumers")
    ]


def test_schema_ids_that_differ_hold_move_producers(engine: Engine) -> None:
    """Replicating back copies bytes; producers moving back need the returning region's
    registry to resolve the same schema ids (SR-003 gates move-producers, not replicate-back)."""
    plan, primary, secondary = documents()
    subject = secondary["schemas"]["registries"]["default"]["subjects"]
    subject["payments.authorizations-value"]["versions"]["2"]["id"] = 902
    [decision] = judge(engine, (plan, primary, secondary), ("failback",))
    assert step_verdicts(decision) == [("replicate-back", "go")] + [
        (name, "no-go") for name in STEPS[1:]
    ]
    assert held(decision, "replicate-back") == []
    assert held(decision, "move-producers") == [
        ("SR-003", "payments-core|payments.authorizations-value", "move-producers")
    ]


def test_a_finding_no_step_gates_holds_every_step(engine: Engine) -> None:
    plan, primary, secondary = documents()
    open_ingress(secondary)
    [decision] = judge(engine, (plan, primary, secondary), ("failback",))
    assert step_verdicts(decision) == [(name, "no-go") for name in STEPS]
    assert held(decision, "replicate-back") == [("NET-002", "tcp|9096-9096|0.0.0.0/0", None)]


def test_the_asked_step_sets_the_exit_code(engine: Engine) -> None:
    plan, primary, secondary = documents()
    secondary["consumer_groups"]["ledger-reader.ledger"]["state"] = "STABLE"
    estate = (plan, primary, secondary)
    [producers] = judge(engine, estate, ("failback",), Situation(step="move-producers"))
    assert producers.verdict == "no-go"
    assert producers.step is not None and producers.step.name == "move-producers"
    assert producers.step.verdict == "go" and producers.exit_code == 0
    [consumers] = judge(engine, estate, ("failback",), Situation(step="move-consumers"))
    assert consumers.step is not None and consumers.step.verdict == "no-go"
    assert consumers.exit_code == 1


def test_plan_declared_steps_replace_the_runbook(engine: Engine) -> None:
    plan, primary, secondary = documents()
    flow(secondary, FORWARD)["state"] = "STOPPED"
    plan["failback_steps"] = [
        {"name": "catch-up", "description": "reverse flow caught up", "gates": {"rules": []}},
        {"name": "switch", "gates": {"areas": ["rollback", "offsets"]}},
    ]
    [decision] = judge(engine, (plan, primary, secondary), ("failback",))
    # CMP-004 is gated by no declared step: it holds both
    assert step_verdicts(decision) == [("catch-up", "no-go"), ("switch", "no-go")]
    assert {h["rule_id"] for h in decision.steps[0].held_by} == {"CMP-004"}
    plan["failback_steps"][1]["gates"]["rules"] = ["CMP-004"]
    [decision] = judge(engine, (plan, primary, secondary), ("failback",))
    assert step_verdicts(decision) == [("catch-up", "go"), ("switch", "no-go")]
    assert decision.steps[0].description == "reverse flow caught up"
    assert decision.steps[1].gates == {
        "rules": ["CMP-004"],
        "areas": ["rollback", "offsets"],
        "runtime": {},
    }


# --- the CLI --------------------------------------------------------------------------------


def write(directory: Path, estate: Estate, primary_file: bool = True) -> Path:
    plan, primary, secondary = with_runtime(estate)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    if primary_file:
        (directory / f"{PRIMARY}.json").write_text(json.dumps(primary))
    (directory / f"{SECONDARY}.json").write_text(json.dumps(secondary))
    return directory / "failback.yaml"


def check_cli(plan: Path, *args: str) -> Any:
    return run_cli(["check", "-c", str(plan), "--now", NOW, "--format", "json", *args])


def test_cli_impaired_region_without_its_snapshot(tmp_path: Path) -> None:
    plan = write(tmp_path, dr_estate(), primary_file=False)
    # without the outage the missing snapshot is an input error
    assert_one_line_error(check_cli(plan, "--phase", "failover"), 2, "us-east-1.json")
    run = check_cli(plan, "--phase", "failover", "--impaired-region", PRIMARY)
    assert run.exit_code == 0, run.stderr
    assert run.stderr.startswith(
        "failback: warning: judging without a snapshot of the impaired region: snapshot not found"
    )
    [decision] = run.json()["decisions"]
    assert decision["verdict"] == "go"
    assert decision["outage"]["snapshot"] == "absent"
    assert decision["outage"]["declared_by"] == "option"
    assert {n["rule_id"] for n in decision["not_judgeable"]} >= {"ENC-001", "REP-003"}


def test_cli_outage_declared_in_the_plan(tmp_path: Path) -> None:
    plan_doc, primary, secondary = dr_estate()
    plan_doc["outage"] = {"impaired_region": PRIMARY, "since": "2026-11-28T09:00:00Z"}
    plan = write(tmp_path, (plan_doc, primary, secondary), primary_file=False)
    run = check_cli(plan, "--phase", "dr_operation")
    assert run.exit_code == 0, run.stderr
    [decision] = run.json()["decisions"]
    assert decision["outage"] == {
        "impaired": "primary",
        "region": PRIMARY,
        "since": "2026-11-28T09:00:00Z",
        "declared_by": "plan",
        "snapshot": "absent",
    }


def test_cli_the_healthy_region_s_snapshot_is_still_required(tmp_path: Path) -> None:
    plan = write(tmp_path, dr_estate())
    (tmp_path / f"{SECONDARY}.json").unlink()
    run = check_cli(plan, "--phase", "failover", "--impaired-region", PRIMARY)
    assert_one_line_error(run, 2, "us-west-2.json")


def test_cli_an_outage_never_hides_a_fault_of_the_dr_region(tmp_path: Path) -> None:
    plan_doc, primary, secondary = dr_estate()
    open_ingress(secondary)
    plan = write(tmp_path, (plan_doc, primary, secondary), primary_file=False)
    for phase in ("failover", "dr_operation"):
        run = check_cli(plan, "--phase", phase, "--impaired-region", PRIMARY)
        assert run.exit_code == 1, run.stderr
        [decision] = run.json()["decisions"]
        assert [f["rule_id"] for f in decision["findings"] if f["blocking"]] == ["NET-002"]


def test_cli_unknown_impaired_region_is_an_input_error(tmp_path: Path) -> None:
    plan = write(tmp_path, dr_estate())
    run = check_cli(plan, "--impaired-region", "eu-west-1")
    assert_one_line_error(run, 2, "'eu-west-1'", "us-east-1", "us-west-2")
    plan_doc, primary, secondary = dr_estate()
    plan_doc["outage"] = {"impaired_region": "eu-west-1"}
    plan = write(tmp_path / "plan", (plan_doc, primary, secondary))
    assert_one_line_error(check_cli(plan), 2, "plan outage", "'eu-west-1'")


def test_cli_outage_since_must_be_a_timestamp(tmp_path: Path) -> None:
    plan_doc, primary, secondary = dr_estate()
    plan_doc["outage"] = {"impaired_region": PRIMARY, "since": "yesterday"}
    plan = write(tmp_path, (plan_doc, primary, secondary))
    assert_one_line_error(check_cli(plan), 2, "plan outage", "since", "'yesterday'")


def test_cli_short_format_names_the_asked_step(tmp_path: Path) -> None:
    plan_doc, primary, secondary = documents()
    secondary["consumer_groups"]["ledger-reader.ledger"]["state"] = "STABLE"
    plan = write(tmp_path, (plan_doc, primary, secondary))
    args = ["check", "-c", str(plan), "--now", NOW, "--format", "short", "--phase", "failback"]
    run = run_cli([*args, "--step", "drain"])
    assert run.exit_code == 0
    assert run.stdout.splitlines()[:2] == [
        "failback-checker, phase failback: NO-GO (1 blocking, fail-on high)",
        "failback-checker, step drain: GO (the exit code follows it)",
    ]


def test_cli_step_verdict_and_exit_code(tmp_path: Path) -> None:
    plan_doc, primary, secondary = documents()
    secondary["consumer_groups"]["ledger-reader.ledger"]["state"] = "STABLE"
    plan = write(tmp_path, (plan_doc, primary, secondary))
    run = check_cli(plan, "--phase", "failback", "--step", "move-producers")
    assert run.exit_code == 0, run.stderr
    [decision] = run.json()["decisions"]
    assert (decision["verdict"], decision["step"]) == ("no-go", "move-producers")
    assert run.json()["exit_code"] == 0
    assert check_cli(plan, "--phase", "failback", "--step", "move-consumers").exit_code == 1
    # without --step: every step in the report, the exit code the phase's
    run = check_cli(plan, "--phase", "all")
    assert run.exit_code == 1
    steps = {d["phase"]: d["steps"] for d in run.json()["decisions"]}
    assert [s["verdict"] for s in steps["failback"]] == ["go"] * 3 + ["no-go"] * 3
    assert all(steps[p] == [] for p in ("normal", "failover", "dr_operation", "cleanup"))
    text = run_cli(["check", "-c", str(plan), "--now", NOW, "--phase", "failback"]).stdout
    assert "  step 1 replicate-back: GO\n" in text
    assert (
        "  step 4 move-consumers: NO-GO (held by CA-002 ledger-reader.ledger on ledger)\n" in text
    )
    text = run_cli(
        ["check", "-c", str(plan), "--now", NOW, "--phase", "failback", "--step", "drain"]
    ).stdout
    assert "step drain: GO (the exit code follows the step)\n" in text


def test_cli_step_errors(tmp_path: Path) -> None:
    plan = write(tmp_path, documents())
    assert_one_line_error(
        check_cli(plan, "--phase", "failback", "--step", "nope"),
        2,
        "unknown failback step 'nope'",
        ", ".join(STEPS),
    )
    assert_one_line_error(
        check_cli(plan, "--phase", "all", "--step", "drain"), 2, "--step needs --phase failback"
    )
    assert_one_line_error(
        check_cli(plan, "--phase", "normal", "--step", "drain"), 2, "--step needs --phase failback"
    )


def test_cli_plan_steps_are_checked(tmp_path: Path) -> None:
    plan_doc, primary, secondary = documents()
    plan_doc["failback_steps"] = [{"name": "switch", "gates": {"rules": ["REP-999"]}}]
    plan = write(tmp_path / "unknown", (plan_doc, primary, secondary))
    assert_one_line_error(check_cli(plan), 2, "'switch'", "unknown rule REP-999")
    plan_doc["failback_steps"] = [{"name": "switch"}, {"name": "switch"}]
    plan = write(tmp_path / "twice", (plan_doc, primary, secondary))
    assert_one_line_error(check_cli(plan), 2, "failback step 'switch' is declared twice")
    plan_doc["failback_steps"] = [{"name": "switch", "gates": {"lag": 0}}]
    plan = write(tmp_path / "runtime", (plan_doc, primary, secondary))
    assert_one_line_error(check_cli(plan), 2, "lag")
    plan_doc["failback_steps"] = [{"name": "only", "gates": {"areas": ["rollback"]}}]
    plan = write(tmp_path / "declared", (plan_doc, primary, secondary))
    assert_one_line_error(
        check_cli(plan, "--phase", "failback", "--step", "drain"), 2, "expected one of only"
    )


def test_sarif_and_junit_stay_valid_with_steps_and_an_outage(tmp_path: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schemas = ROOT / "tests" / "schemas"
    sarif_schema = json.loads((schemas / "sarif-schema-2.1.0.json").read_text())
    validator = jsonschema.Draft4Validator(sarif_schema, format_checker=jsonschema.FormatChecker())
    junit = xmlschema.XMLSchema(str(schemas / "junit.xsd"))
    plan = write(tmp_path, dr_estate(), primary_file=False)
    base = ["check", "-c", str(plan), "--now", NOW, "--impaired-region", PRIMARY]
    for phase in (["--phase", "all"], ["--phase", "failback", "--step", "drain"]):
        sarif = run_cli([*base, *phase, "--format", "sarif"])
        document = json.loads(sarif.stdout)
        errors = [e.message for e in validator.iter_errors(document)]
        assert errors == []
        properties = document["runs"][0]["properties"]
        assert properties["outage"]["impaired"] == "primary"
        assert properties["notJudgeable"]
        junit.validate(run_cli([*base, *phase, "--format", "junit"]).stdout)
    sarif = json.loads(run_cli([*base, "--phase", "failback", "--format", "sarif"]).stdout)
    assert [s["name"] for s in sarif["runs"][0]["properties"]["steps"]] == list(STEPS)
    xml = run_cli([*base, "--phase", "failover", "--format", "junit"]).stdout
    assert 'message="not judged: needs a flow into or out of the impaired primary' in xml


def test_markdown_shows_the_steps_and_the_outage(tmp_path: Path) -> None:
    plan = write(tmp_path, dr_estate(), primary_file=False)
    args = ["check", "-c", str(plan), "--now", NOW, "--impaired-region", PRIMARY]
    out = run_cli(
        [*args, "--phase", "failback", "--step", "replicate-back", "--format", "markdown"]
    )
    markdown = out.stdout
    assert "**Outage:** the primary region us-east-1 is down" in markdown
    assert "not judgeable in the outage</summary>" in markdown
    # the primary is down: no runtime evidence from it, so replicate-back cannot be judged
    assert (
        "| 1 | `replicate-back` | ⚠️ INDETERMINATE ← asked | awaiting no runtime evidence from "
        "the primary region and 1 more |"
    ) in markdown


def test_scorecard_follows_the_plan_s_outage(tmp_path: Path) -> None:
    plan_doc, primary, secondary = dr_estate()
    plan = write(tmp_path / "healthy", (plan_doc, primary, secondary), primary_file=False)
    run = run_cli(["scorecard", "-c", str(plan), "--now", NOW])
    assert_one_line_error(run, 2, "us-east-1.json")
    plan_doc["outage"] = {"impaired_region": PRIMARY}
    plan = write(tmp_path / "down", (plan_doc, primary, secondary), primary_file=False)
    run = run_cli(["scorecard", "-c", str(plan), "--now", NOW, "--format", "json"])
    assert run.exit_code == 0, run.stderr
    assert "judging without a snapshot of the impaired region" in run.stderr
