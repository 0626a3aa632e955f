"""The Terraform corpus (tests/corpus/terraform/): plans and states modelled on the public MSK
modules. Expected snapshots are current, each pair produces exactly its findings, the plan and
the state of one estate agree, and every document exports without a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from checker.exporters.terraform.plan import load

from ..conftest import ROOT, run_cli
from .conftest import export

CORPUS = ROOT / "tests" / "corpus" / "terraform"
NOW = "2026-11-30T12:00:00Z"
CASES = sorted(p.parent.name for p in CORPUS.glob("*/case.json"))
DOCUMENTS = sorted(
    p for p in CORPUS.glob("*/*.json") if p.name != "case.json" and p.parent.name != "expected"
)


def _case(name: str) -> dict[str, Any]:
    case: dict[str, Any] = json.loads((CORPUS / name / "case.json").read_text())
    return case


def _check(config: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    run = run_cli(["check", "-c", str(config), "--now", NOW, "--format", "json", *extra])
    assert run.exit_code in (0, 1, 4), run.stderr
    document: dict[str, Any] = run.json()
    return run.exit_code, document


def _snapshot(case: str, document: str, region: str, cluster: str | None = None) -> dict[str, Any]:
    args = ["terraform", str(CORPUS / case / document), "--region", region, "--now", NOW]
    return export(*args, *(["--cluster", cluster] if cluster else []))


def test_the_expected_snapshots_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_corpus.py"), "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_corpus_has_the_cases_the_issue_names() -> None:
    assert CASES == [
        "for-each-regions",
        "mm2-msk-connect",
        "null-key-modules",
        "odd-shapes",
        "sg-through-locals",
        "unknown-at-plan-time",
    ]


@pytest.mark.parametrize(
    ("case", "check"),
    [(name, check) for name in CASES for check in _case(name).get("checks", [])],
    ids=lambda v: v if isinstance(v, str) else v["config"],
)
def test_each_pair_produces_exactly_its_findings(case: str, check: dict[str, Any]) -> None:
    code, report = _check(CORPUS / case / check["config"])
    decision = report["decisions"][0]
    assert [[f["rule_id"], f["resource"]] for f in decision["findings"]] == check["findings"]
    assert decision["verdict"] == check["verdict"]
    assert code == check["exit_code"]


def test_plan_and_state_of_one_estate_give_the_same_findings() -> None:
    case = _case("for-each-regions")
    for plan_config, state_config in case["same_findings"]:
        _, plan = _check(CORPUS / "for-each-regions" / plan_config)
        _, state = _check(CORPUS / "for-each-regions" / state_config)
        assert plan["decisions"][0]["findings"] == state["decisions"][0]["findings"]
        assert plan["decisions"][0]["verdict"] == state["decisions"][0]["verdict"]


def test_two_checks_of_the_same_files_are_byte_identical() -> None:
    config = CORPUS / "for-each-regions" / "failback-state.yaml"  # a state: no timestamp
    first = run_cli(["check", "-c", str(config), "--now", NOW, "--format", "json"])
    second = run_cli(["check", "-c", str(config), "--now", NOW, "--format", "json"])
    assert first.stdout == second.stdout


# --- what each case proves -------------------------------------------------------------------


def test_for_each_instances_never_share_values() -> None:
    """us-west-2's configuration is found through its own module instance (the ARNs are unknown:
    the configurations are replaced), never us-east-1's."""
    use1, usw2 = (
        _snapshot("for-each-regions", "plan.json", r, f'module.msk["{r}"].aws_msk_cluster.this[0]')
        for r in ("us-east-1", "us-west-2")
    )
    assert use1["broker_config"]["allow.everyone.if.no.acl.found"] == "false"
    assert usw2["broker_config"]["allow.everyone.if.no.acl.found"] == "true"
    assert [r["peer"] for r in usw2["network"]["ingress"]] == ["0.0.0.0/0", "10.20.0.0/16"]
    assert [r["peer"] for r in use1["network"]["ingress"]] == ["10.10.0.0/16"]
    assert [e["retention_days"] for e in usw2["audit"]["broker_logs"][:1]] == [30]
    assert usw2["encryption"]["at_rest"]["key_id"].startswith("arn:aws:kms:us-west-2:")
    assert usw2["topics"]["orders.settled"]["configs"]["retention.ms"] == "86400000"
    assert use1["topics"]["orders.settled"]["configs"]["retention.ms"] == "604800000"


def test_an_empty_key_variable_is_the_aws_managed_key() -> None:
    secondary = _snapshot("null-key-modules", "secondary.plan.json", "us-west-2")
    assert secondary["encryption"]["at_rest"]["key_manager"] == "AWS"
    primary = _snapshot("null-key-modules", "primary.plan.json", "us-east-1")
    assert primary["encryption"]["at_rest"]["key_manager"] == "CUSTOMER"
    assert primary["encryption"]["at_rest"]["rotation"] is True
    # the module's client VPC connection and SCRAM secrets (one association resource or several)
    assert primary["network"]["multi_vpc"] is True
    assert len(primary["network"]["private_endpoints"]) == 1
    assert secondary["authentication"]["scram_users"] == [
        "AmazonMSK_ledger-reader",
        "AmazonMSK_ledger-writer",
    ]


def test_a_new_cluster_with_a_null_key_keeps_its_encryption() -> None:
    snapshot = _snapshot("unknown-at-plan-time", "plan.json", "eu-west-1")
    # the key is unknown until apply, but the module passes null: AWS-managed, no gap; the
    # client-broker setting is unknown: a gap naming the local, and no TLS guess
    assert snapshot["encryption"] == {
        "at_rest": {
            "enabled": True,
            "key_id": None,
            "key_manager": "AWS",
            "rotation": None,
            "multi_region": False,
        }
    }
    assert "plaintext_listener" not in snapshot["network"]
    assert [r["peer"] for r in snapshot["network"]["ingress"]] == ["10.30.0.0/16"]
    reasons = {g["area"]: g["reason"] for g in snapshot["gaps"]}
    assert reasons["encryption"] == (
        "unknown until apply: module.msk.aws_msk_cluster.this[0].encryption_info[0]."
        "encryption_in_transit[0].client_broker (set from local.client_broker, which the plan "
        "does not resolve)"
    )
    assert reasons["network"].endswith("whether clients may connect in plaintext is unknown")
    assert snapshot["topics"]["telemetry.raw"]["partitions"] == 24  # aws_msk_topic, new


def test_ingress_rules_through_a_local_are_a_gap_not_an_empty_list() -> None:
    snapshot = _snapshot("sg-through-locals", "plan.json", "us-west-2")
    assert "network" not in snapshot
    assert {
        "area": "network",
        "reason": "unknown until apply: module.broker_rules_usw2.aws_security_group_rule."
        "ingress_with_cidr_blocks[0].security_group_id (set from "
        "module.broker_rules_usw2.local.this_sg_id, which the plan does not resolve): the "
        "ingress of aws_security_group.brokers_usw2 is unknown",
    } in snapshot["gaps"]


def test_mirrormaker_on_msk_connect_is_read_as_flows() -> None:
    usw2 = _snapshot("mm2-msk-connect", "plan.json", "us-west-2")
    assert usw2["replication"] == [
        {
            "name": "mm2-use1-to-usw2-source",
            "tool": "mirrormaker2",
            "source_region": "us-east-1",
            "target_region": "us-west-2",
            "topics_include": ["payments\\..*"],
            "topics_exclude": [".*[\\-\\.]internal", ".*\\.replica", "__.*"],
            "topic_naming": "identical",
            "prefix": None,
            "copies_acls": False,
            "copies_topic_configs": True,
            "offset_sync": {"enabled": True, "mode": "CHECKPOINTS", "checkpoints_present": None},
            "loop_protection": False,
            "starting_position": "EARLIEST",
            "consumer_isolation": "read_uncommitted",
            "state": "RUNNING",
            "owner": "team-streaming",
        }
    ]
    use1 = _snapshot("mm2-msk-connect", "plan.json", "us-east-1")
    assert [f["name"] for f in use1["replication"]] == ["mm2-usw2-to-use1-source"]
    assert sorted(use1["topics"]) == ["payments.authorized", "payments.captured"]


def test_odd_shapes_are_one_line_gaps() -> None:
    snapshot = _snapshot("odd-shapes", "plan.json", "ap-southeast-2")
    reasons = sorted(g["reason"] for g in snapshot["gaps"])
    assert any("MirrorSourceConnector without source.cluster.alias" in r for r in reasons)
    assert any(r.startswith("unknown until apply: aws_mskconnect_connector.later") for r in reasons)
    assert any("configs is not a JSON object" in r for r in reasons)
    assert any("unknown client_broker 'TLS_ONLY_PLEASE'" in r for r in reasons)
    assert any("aws_security_group_rule.maybe.type (set from local.rule_type" in r for r in reasons)
    assert not {"topics", "replication", "network", "encryption", "audit"} & set(snapshot)


# --- sweep -------------------------------------------------------------------------------------


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_document_exports_for_every_region_it_names(document: Path) -> None:
    regions = sorted(load(document).regions())
    assert regions, document
    for region in regions:
        run = run_cli(["export", "terraform", str(document), "--region", region, "--now", NOW])
        assert "Traceback" not in run.stderr
        if run.exit_code == 2:  # several clusters in the region: one line, naming --cluster
            assert run.stderr.count("\n") <= 2 and "choose one with --cluster" in run.stderr
            continue
        assert run.exit_code == 0, run.stderr
        snapshot = run.json()
        for gap in snapshot["gaps"]:
            assert "\n" not in gap["reason"] and 0 < len(gap["reason"]) <= 300
