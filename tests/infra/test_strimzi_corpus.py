"""The Strimzi manifest corpus (tests/corpus/strimzi/): inputs as people write them, modelled on
Strimzi's packaging/examples (v1beta1/v1beta2/v1 users, node pools, every listener type,
mirrors without source connectors, MirrorMaker as KafkaConnectors, oauth and custom
authentication, unrelated and duplicate mirrors). Each case's expected snapshot, error or
findings are golden files (scripts/generate_strimzi_corpus.py); the tests below also state the
facts that matter, so a regenerated golden file cannot hide a regression."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import ROOT, assert_one_line_error, run_cli
from .conftest import NOW

CORPUS = ROOT / "tests" / "corpus" / "strimzi"
GENERATOR = ROOT / "scripts" / "generate_strimzi_corpus.py"


def expected(case: str, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((CORPUS / case / "expected" / f"{name}.json").read_text())
    return document


def gap_areas(snapshot: dict[str, Any]) -> set[str]:
    return {g["area"] for g in snapshot["gaps"]}


def line_of(path: Path, text: str, after: str | None = None) -> int:
    """1-based line of the first line containing `text` (after the line that is `after`)."""
    lines = path.read_text().splitlines()
    start = 0 if after is None else next(i for i, x in enumerate(lines) if x.strip() == after)
    return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


def item_of(path: Path, line: int) -> int:
    """The line where the YAML list item holding `line` starts (its `- `)."""
    lines = path.read_text().splitlines()
    return next(i for i in range(line - 1, -1, -1) if lines[i].lstrip().startswith("- ")) + 1


def test_the_corpus_golden_files_are_current() -> None:
    run = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr


# --- item 8: a mirror without a source connector copies nothing --------------------------------


def test_a_mirror_without_a_source_connector_is_no_running_flow() -> None:
    snapshot = expected("mirror-without-source-connector", "us-west-2")
    flows = {f["name"]: f for f in snapshot["replication"]}
    assert set(flows) == {"offsets-only", "heartbeats-only"}
    for flow in flows.values():
        assert (flow["state"], flow["topics_include"]) == ("STOPPED", [])
        assert (flow["copies_acls"], flow["copies_topic_configs"]) == (False, False)
    # what is there: the v1 mirror's checkpoint connector still syncs offsets
    assert flows["offsets-only"]["offset_sync"] == {
        "enabled": True,
        "mode": "CHECKPOINTS",
        "checkpoints_present": None,
    }
    assert flows["heartbeats-only"]["offset_sync"]["mode"] == "NONE"
    warning = (
        "offsets-only (tests/corpus/strimzi/mirror-without-source-connector/mirrors.yaml#1) "
        "cluster-a->cluster-b: no source connector, so nothing is copied"
    )
    assert warning in snapshot["source"]["detail"]


# --- item 9: every external listener type -----------------------------------------------------


def test_every_external_listener_type_is_exposed() -> None:
    network = expected("listeners-external", "us-west-2")["network"]
    peers = {r["description"].removeprefix("listener "): r["peer"] for r in network["ingress"]}
    assert peers == {
        "plain": "k8s:any-pod",
        "perbroker": "k8s:any-pod",  # cluster-ip
        "route": "0.0.0.0/0",
        "gateway": "0.0.0.0/0",  # tlsroute
        "ingress": "0.0.0.0/0",
        "nodeport": "0.0.0.0/0",
        "nlb": "203.0.113.0/24",
        "private": "network:internal-load-balancer",
    }
    assert (network["public_access"], network["plaintext_listener"]) == (True, True)


def test_an_unknown_listener_type_is_a_gap_never_internal() -> None:
    snapshot = expected("unknown-shapes", "us-east-1")
    assert "network" not in snapshot
    (gap,) = [g for g in snapshot["gaps"] if g["area"] == "network"]
    assert "listener future: type 'gateway' is not one this exporter knows" in gap["reason"]


def test_mirrormaker_1_into_this_kafka_is_a_gap() -> None:
    snapshot = expected("unknown-shapes", "us-east-1")
    assert "replication" not in snapshot
    reasons = [g["reason"] for g in snapshot["gaps"] if g["area"] == "replication"]
    assert len(reasons) == 1 and reasons[0].startswith("KafkaMirrorMaker legacy-mirror (")
    assert reasons[0].endswith(
        "runs MirrorMaker 1 (KafkaMirrorMaker), which this exporter does not read"
    )


# --- item 10: KafkaUser v1beta1, v1beta2, v1 ----------------------------------------------------


def test_kafkauser_v1beta1_and_v1beta2_are_read() -> None:
    snapshot = expected("users-v1beta1", "us-east-1")
    assert gap_areas(snapshot) == {"audit", "consumer_groups"}
    assert snapshot["authentication"]["scram_users"] == ["billing", "reporting"]
    writes = [a for a in snapshot["acls"] if a["operation"] == "WRITE"]
    assert writes == [  # the deprecated single `operation` of v1beta1
        {
            "principal": "User:billing",
            "resource_type": "TOPIC",
            "pattern_type": "LITERAL",
            "resource_name": "invoices",
            "operation": "WRITE",
            "permission": "ALLOW",
            "host": "*",
        }
    ]
    assert snapshot["quotas"] == [
        {
            "entity_type": "user",
            "entity": "User:billing",
            "values": {"consumer_byte_rate": 2097152},
        }
    ]


def test_kafkauser_v1_several_per_file() -> None:
    snapshot = expected("node-pools-v1", "eu-west-1")
    principals = {a["principal"] for a in snapshot["acls"]}
    assert principals == {"User:CN=order-reader", "User:order-writer", "User:CN=orders-admin"}
    assert snapshot["authentication"]["scram_users"] == ["order-writer"]
    deny = [a for a in snapshot["acls"] if a["permission"] == "DENY"]
    assert deny == [
        {
            "principal": "User:CN=orders-admin",
            "resource_type": "CLUSTER",
            "pattern_type": "LITERAL",
            "resource_name": "kafka-cluster",
            "operation": "ALTER",
            "permission": "DENY",
            "host": "10.0.0.8",
        }
    ]


def test_a_user_shape_not_read_makes_every_area_it_feeds_a_gap() -> None:
    snapshot = expected("unknown-shapes", "us-east-1")
    for area in ("acls", "quotas", "authentication"):
        assert area not in snapshot
        assert any(
            g["area"] == area and "KafkaUser ancient" in g["reason"] and "v1alpha1" in g["reason"]
            for g in snapshot["gaps"]
        ), area
    assert any("kafka.strimzi.io/v1 has no `operation`" in g["reason"] for g in snapshot["gaps"])


# --- item 11: flows into the selected Kafka only; duplicates are an error -----------------------


def test_mirrors_are_filtered_by_their_target_kafka() -> None:
    snapshot = expected("unrelated-mirror", "my-cluster")
    assert [f["name"] for f in snapshot["replication"]] == ["west-to-my-cluster"]


def test_a_mirror_whose_target_cannot_be_told_is_a_gap(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "unrelated-mirror", tmp_path / "case")
    mirror = tmp_path / "case" / "mirror-maker-2.yaml"
    mirror.write_text(
        mirror.read_text().replace(
            "my-cluster-kafka-bootstrap.kafka.svc:9093", "kafka-east.example.com:443"
        )
    )
    run = run_cli(["export", "strimzi", str(tmp_path / "case"), "--region", "us-east-1"])
    assert run.exit_code == 0, run.stderr
    snapshot = run.json()
    assert "replication" not in snapshot
    (gap,) = [g for g in snapshot["gaps"] if g["area"] == "replication"]
    assert (
        "cannot tell whether target east (kafka-east.example.com:443) is Kafka my-cluster"
        in (gap["reason"])
    )
    mapped = run_cli(
        [
            "export",
            "strimzi",
            str(tmp_path / "case"),
            "--region",
            "us-east-1",
            "--mm2-region",
            "east=us-east-1",
            "--mm2-region",
            "west=us-west-2",
        ]
    )
    assert [f["name"] for f in mapped.json()["replication"]] == ["west-to-my-cluster"]


def test_duplicate_mirrors_are_an_input_error_naming_both_files() -> None:
    text = (CORPUS / "duplicate-mirrors" / "expected" / "both.error").read_text()
    assert text.startswith("exit 2\nfailback: error: ")
    assert "duplicate-mirrors/base/mirror.yaml#1" in text
    assert "duplicate-mirrors/overlays/dr/mirror.yaml#1" in text
    assert text.count("\n") == 2  # one line


# --- item 12: oauth/custom, KafkaConnector flows, node pools ------------------------------------


def test_oauth_and_custom_listener_authentication_are_recorded() -> None:
    sso = expected("oauth-and-custom", "sso")["authentication"]
    sso_v1 = expected("oauth-and-custom", "sso-v1")["authentication"]
    assert {k: v for k, v in sso.items() if v is True} == {"oauth": True}
    assert {k: v for k, v in sso_v1.items() if v is True} == {
        "custom": True,
        "unauthenticated": True,
    }


def test_mirrormaker_connectors_on_kafka_connect_are_a_flow() -> None:
    (flow,) = expected("connector-mirrormaker", "us-west-2")["replication"]
    assert flow == {
        "name": "primary-to-dr-source",
        "tool": "mirrormaker2",
        "source_region": "us-east-1",
        "target_region": "us-west-2",
        "topics_include": ["orders\\..*", "payments\\..*"],
        "topics_exclude": [".*[\\-\\.]internal", ".*\\.replica", "__.*"],
        "topic_naming": "identical",
        "prefix": None,
        "copies_acls": False,
        "copies_topic_configs": True,
        "offset_sync": {"enabled": True, "mode": "CHECKPOINTS", "checkpoints_present": None},
        "loop_protection": False,
        "starting_position": "EARLIEST",
        "consumer_isolation": "read_committed",
        "state": "RUNNING",
        "owner": "team-streaming",
    }


def test_connectors_ignored_by_their_kafka_connect_are_stopped(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "connector-mirrormaker", tmp_path / "case")
    connect = tmp_path / "case" / "connect.yaml"
    connect.write_text(connect.read_text().replace('use-connector-resources: "true"', "x: y"))
    run = run_cli(["export", "strimzi", str(tmp_path / "case"), "--region", "us-west-2"])
    assert run.exit_code == 0, run.stderr
    (flow,) = run.json()["replication"]
    assert flow["state"] == "STOPPED"
    assert "so the operator ignores its KafkaConnector resources" in run.stderr


def test_a_node_pool_cluster_reads_like_the_rest() -> None:
    snapshot = expected("node-pools-v1", "eu-west-1")
    assert snapshot["cluster"] == {
        "id": "strimzi:streaming/orders-euw1",
        "name": "orders-euw1",
        "kind": "strimzi",
        "kafka_version": "4.1.0",
    }
    assert list(snapshot["topics"]) == ["orders.audit", "orders.created"]
    assert gap_areas(snapshot) == {"audit", "consumer_groups"}


# --- the pair: findings, plan map, no authorizer, locations (items 9, 12, 13, 14) ---------------


def _short(plan: Path) -> list[str]:
    run = run_cli(["check", "-c", str(plan), "--now", NOW, "--format", "short"])
    assert run.exit_code == 1, run.stderr
    return [line for line in run.stdout.splitlines() if ": " in line and line[0] != "f"]


def test_the_tlsroute_pair_findings_and_their_exact_locations() -> None:
    pair = CORPUS / "tlsroute-pair"
    kafka = pair / "us-west-2" / "kafka.yaml"
    where = "tests/corpus/strimzi/tlsroute-pair/us-west-2/kafka.yaml"
    gateway = line_of(kafka, "- name: gateway")
    spec_kafka = line_of(kafka, "  kafka:", after="kind: Kafka")
    lines = (pair / "expected" / "check.txt").read_text().splitlines()
    assert lines[0] == "exit 1"
    found = [(x.split(": ", 1)[0], x.split(" ")[1]) for x in lines[2:-1]]
    assert found == [
        (f"{where}:{gateway}", "NET-001"),
        (f"{where}:{gateway}", "NET-002"),
        (f"{where}:{spec_kafka}", "WA-001"),
        (f"{where}:{spec_kafka}", "WA-002"),
    ]
    assert all("the broker has no authorizer: every client may write" in x for x in lines[4:6])


def test_findings_point_at_the_right_user_of_a_file_with_several(tmp_path: Path) -> None:
    pair = tmp_path / "pair"
    shutil.copytree(CORPUS / "tlsroute-pair", pair, ignore=shutil.ignore_patterns("expected"))
    for region in ("us-east-1", "us-west-2"):
        kafka = pair / region / "kafka.yaml"
        kafka.write_text(
            kafka.read_text().replace(
                "    config:\n", "    authorization:\n      type: simple\n    config:\n"
            )
        )
    users = yaml.safe_load_all((CORPUS / "node-pools-v1" / "users.yaml").read_text())
    documents = []
    for user in users:
        user["metadata"]["labels"]["strimzi.io/cluster"] = "orders-usw2"
        documents.append(user)
    # the third user also gets a broad grant: every topic, every operation
    documents[2]["spec"]["authorization"]["acls"].append(
        {"resource": {"type": "topic", "name": "*"}, "operations": ["All"]}
    )
    users_file = pair / "us-west-2" / "users.yaml"
    users_file.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    lines = _short(pair / "failback.yaml")
    shown = {(x.split(" ")[1], x.split(" ")[3]): x.split(": ", 1)[0] for x in lines}
    writer_rule = item_of(
        users_file, line_of(users_file, "name: orders.created", after="name: order-writer")
    )
    admin_rule = item_of(users_file, line_of(users_file, "name: '*'", after="name: orders-admin"))
    cwd = Path.cwd()
    file = str(users_file.relative_to(cwd)) if users_file.is_relative_to(cwd) else str(users_file)
    assert shown[("WA-002", "User:order-writer")] == f"{file}:{writer_rule}"
    assert shown[("WA-002", "User:CN=orders-admin")] == f"{file}:{admin_rule}"
    acl_002 = [x for x in lines if " ACL-002 " in x and "orders-admin" in x]
    assert acl_002 and all(x.startswith(f"{file}:{admin_rule}: ") for x in acl_002)


def test_sarif_points_at_the_strimzi_document(tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    run = run_cli(
        [
            "check",
            "-c",
            str(CORPUS / "tlsroute-pair" / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "sarif",
            "-o",
            str(out),
        ]
    )
    assert run.exit_code == 1, run.stderr
    results = json.loads(out.read_text())["runs"][0]["results"]
    net = [r for r in results if r["ruleId"] == "NET-002"]
    (location,) = net[0]["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith(
        "tests/corpus/strimzi/tlsroute-pair/us-west-2/kafka.yaml"
    )
    kafka = CORPUS / "tlsroute-pair" / "us-west-2" / "kafka.yaml"
    assert physical["region"]["startLine"] == line_of(kafka, "- name: gateway")


def test_plan_errors_name_the_plan_key(tmp_path: Path) -> None:
    pair = tmp_path / "pair"
    shutil.copytree(CORPUS / "tlsroute-pair", pair, ignore=shutil.ignore_patterns("expected"))
    plan = pair / "failback.yaml"
    document = yaml.safe_load(plan.read_text())
    document["regions"]["secondary"]["source"]["cluster"] = "orders"
    plan.write_text(yaml.safe_dump(document))
    run = run_cli(["check", "-c", str(plan), "--now", NOW])
    assert_one_line_error(
        run,
        2,
        "no Kafka resource named orders",
        "(found: orders-usw2): check cluster of the plan's strimzi source of us-west-2",
    )
    document["regions"]["secondary"]["source"]["cluster"] = "orders-usw2"
    document["regions"]["secondary"]["source"]["paths"] = ["us-west-9"]
    plan.write_text(yaml.safe_dump(document))
    run = run_cli(["check", "-c", str(plan), "--now", NOW])
    assert_one_line_error(
        run, 2, "Strimzi manifests not found", "paths of the plan's strimzi source of us-west-2"
    )


# --- item 15: --export-dir, normalised paths ---------------------------------------------------


def test_export_dir_is_created_when_missing(tmp_path: Path) -> None:
    target = tmp_path / "evidence" / "2026-11-29"
    run = run_cli(
        [
            "check",
            "-c",
            str(CORPUS / "tlsroute-pair" / "failback.yaml"),
            "--now",
            NOW,
            "--export-dir",
            str(target),
        ]
    )
    assert run.exit_code == 1, run.stderr
    assert sorted(p.name for p in target.iterdir()) == ["us-east-1.json", "us-west-2.json"]
    assert json.loads((target / "us-west-2.json").read_text())["network"]["public_access"] is True


def test_gap_text_uses_normalised_paths(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "unknown-shapes", tmp_path / "k8s" / "odd")
    (tmp_path / "k8s" / "other").mkdir()
    winding = tmp_path / "k8s" / "other" / ".." / "odd"
    run = run_cli(["export", "strimzi", str(winding), "--region", "us-east-1"])
    assert run.exit_code == 0, run.stderr
    text = json.dumps(run.json())
    assert "/../" not in text and "other" not in text
    assert str(tmp_path / "k8s" / "odd" / "users.yaml") + "#1" in text


# --- the sweep: every manifest exports without a traceback -------------------------------------


def _manifests() -> list[Path]:
    return sorted(
        p
        for p in CORPUS.rglob("*.y*ml")
        if p.name != "case.yaml" and p.name != "failback.yaml" and "expected" not in p.parts
    )


@pytest.mark.parametrize(
    "path",
    [*_manifests(), *sorted(p.parent for p in CORPUS.glob("*/case.yaml"))],
    ids=lambda p: str(p.relative_to(CORPUS)),
)
def test_sweep_every_manifest_exports_without_a_traceback(path: Path) -> None:
    # run_cli does not catch exceptions: a traceback fails the test
    run = run_cli(["export", "strimzi", str(path), "--region", "us-east-1"])
    if run.exit_code == 2:
        assert_one_line_error(run, 2, "failback: error:")
        return
    assert run.exit_code == 0, run.stderr
    for gap in run.json()["gaps"]:
        assert "\n" not in gap["reason"] and 0 < len(gap["reason"]) <= 300


def test_oauth_in_both_generations_is_compared_and_connectors_carry_the_family() -> None:
    pair = CORPUS / "oauth-connector-pair"
    lines = (pair / "expected" / "check.txt").read_text().splitlines()
    assert lines[:2] == [
        "exit 1",
        "failback-checker, phase failback: NO-GO (2 blocking, fail-on high)",
    ]
    east = pair / "us-east-1" / "kafka.yaml"
    west = pair / "us-west-2" / "kafka.yaml"
    base = "tests/corpus/strimzi/oauth-connector-pair"
    found = [
        x.split(": ", 1)[0] + " " + x.split(" ")[1] + " " + x.split(" ")[3] for x in lines[2:-1]
    ]
    assert found == [
        f"{base}/us-east-1/kafka.yaml:{item_of(east, line_of(east, 'type: oauth'))} "
        "ACL-005 authentication.oauth",
        f"{base}/us-west-2/kafka.yaml:{item_of(west, line_of(west, 'type: custom'))} "
        "ACL-005 authentication.custom",
    ]
    (flow,) = expected("oauth-connector-pair", "us-west-2")["replication"]
    assert (flow["name"], flow["source_region"], flow["target_region"], flow["state"]) == (
        "east-to-west",
        "us-east-1",
        "us-west-2",
        "RUNNING",
    )
    assert flow["offset_sync"]["enabled"] is True
    primary = expected("oauth-connector-pair", "us-east-1")
    assert primary["authentication"]["scram_users"] == ["invoice-writer", "mirror"]  # v1beta1


def test_locating_skips_what_the_exporter_skips(tmp_path: Path) -> None:
    """A Helm template (invalid YAML the exporter skips with a warning) and a link out of the
    directory do not disturb the locations."""
    pair = tmp_path / "pair"
    shutil.copytree(CORPUS / "tlsroute-pair", pair, ignore=shutil.ignore_patterns("expected"))
    (pair / "us-west-2" / "chart.yaml").write_text("spec:\n  replicas: {{ .Values.n }}\n")
    outside = tmp_path / "outside.yaml"
    outside.write_text((pair / "us-west-2" / "kafka.yaml").read_text())
    (pair / "us-west-2" / "linked.yaml").symlink_to(outside)
    lines = _short(pair / "failback.yaml")
    gateway = line_of(pair / "us-west-2" / "kafka.yaml", "- name: gateway")
    net = [x for x in lines if " NET-002 " in x]
    assert len(net) == 1 and net[0].endswith("but no rule is in the primary")
    assert net[0].split(": ", 1)[0].endswith(f"pair/us-west-2/kafka.yaml:{gateway}")
