"""End to end against two real Confluent-compatible registries (Apicurio Registry, ccompat API):
register schemas, make each drift, export both regions with `failback export
confluent-registry`, merge each with the region's cluster snapshot, judge with `failback check`
on both engines, and assert the exact schema findings and the exit code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.sources import merge

from ..conftest import NOW, run_cli
from ..opa_support import tool
from .conftest import Pair

ENGINES = ["embedded", "opa"]
PRIMARY, SECONDARY = "us-east-1", "us-west-2"
# Everything but the topics and the schemas is out of this test's scope.
OUT_OF_SCOPE = [
    "acls",
    "quotas",
    "iam_grants",
    "authentication",
    "encryption",
    "network",
    "audit",
    "broker_config",
    "replication",
    "consumer_groups",
    "storage",
]


@pytest.fixture(autouse=True)
def opa_binary(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--engine opa` starts the OPA that scripts/install-tools.sh built."""
    monkeypatch.setenv("FAILBACK_OPA_BIN", tool("opa"))


def record(name: str, *fields: str) -> dict[str, Any]:
    return {
        "type": "record",
        "name": name,
        "fields": [{"name": f, "type": "string"} for f in fields],
    }


def base(region: str, topics: list[str], flows: list[dict[str, Any]]) -> dict[str, Any]:
    """The region's cluster part: what the Kafka exporter would have read."""
    document: dict[str, Any] = {
        "schema_version": "1.0",
        "region": region,
        "captured_at": NOW,
        "source": {"type": "kafka"},
        "cluster": {"id": f"kafka-{region}", "name": f"kafka-{region}", "kind": "kafka"},
        "topics": {t: {"partitions": 3, "replication_factor": 3, "configs": {}} for t in topics},
    }
    if flows:
        document["replication"] = flows
    return document


def judge(
    tmp_path: Path,
    registries: Pair,
    family: str,
    *,
    writer: str = "both",
    phase: str = "normal",
    secondary_topics: list[str] | None = None,
    flows: list[dict[str, Any]] | None = None,
    engine: str = "embedded",
) -> tuple[int, set[tuple[str, str, str | None]], dict[str, Any]]:
    """Export both registries, check, and return (exit code, SR findings, the report)."""
    topics = [f"{family}.events"]
    documents = {
        PRIMARY: base(PRIMARY, topics, []),
        SECONDARY: base(SECONDARY, secondary_topics or topics, flows or []),
    }
    for registry in registries:
        exported = tmp_path / f"{registry.region}.registry.json"
        run = run_cli(
            [
                "export",
                "confluent-registry",
                "--region",
                registry.region,
                "--url",
                registry.url,
                "--captured-at",
                NOW,
                "-o",
                str(exported),
            ]
        )
        assert run.exit_code == 0, run.stderr
        merged = merge([documents[registry.region], json.loads(exported.read_text())])
        (tmp_path / f"{registry.region}.json").write_text(json.dumps(merged))
    plan = {
        "schema_version": "1.0",
        "name": "registry-live",
        "current_phase": phase,
        "regions": {
            "primary": {"name": PRIMARY, "snapshot": f"{PRIMARY}.json"},
            "secondary": {"name": SECONDARY, "snapshot": f"{SECONDARY}.json"},
        },
        "topic_families": [
            {
                "name": family,
                "match": [f"{family}.*", f"*.{family}.*"],
                "owner": "team-orders",
                "phases": {p: {"writer": writer, "consumer": writer} for p in ("normal",)},
                "conflict_control": "keys-partitioned-by-region",
                "schemas": {"kind": "confluent", "naming": "topic", "parts": ["value"]},
            }
        ],
        "evidence": {"out_of_scope": OUT_OF_SCOPE},
    }
    (tmp_path / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    run = run_cli(
        [
            "check",
            "-c",
            str(tmp_path / "failback.yaml"),
            "--format",
            "json",
            "--now",
            NOW,
            "--engine",
            engine,
        ]
    )
    assert run.exit_code in (0, 1, 4), run.stderr
    report = json.loads(run.stdout)
    [decision] = report["decisions"]
    found = {
        (f["rule_id"], f["resource"], f["region"])
        for f in decision["findings"]
        if f["rule_id"].startswith("SR-")
    }
    return run.exit_code, found, report


def register_both(registries: Pair, subject: str, *schemas: dict[str, Any]) -> None:
    for schema in schemas:
        ids = {r.region: r.register(subject, schema) for r in registries}
        assert ids[PRIMARY] == ids[SECONDARY], ids  # aligned registries: the same ids


@pytest.mark.parametrize("engine", ENGINES)
def test_identical_registries_are_clean(registries: Pair, tmp_path: Path, engine: str) -> None:
    family = f"clean{engine}"
    register_both(
        registries,
        f"{family}.events-value",
        record("Order", "id"),
        record("Order", "id", "note"),
    )
    code, found, report = judge(tmp_path, registries, family, engine=engine)
    assert found == set()
    assert code == 0, report["decisions"][0]["findings"]


@pytest.mark.parametrize("engine", ENGINES)
def test_subject_missing_in_the_secondary(registries: Pair, tmp_path: Path, engine: str) -> None:
    family = f"missing{engine}"
    registries.primary.register(f"{family}.events-value", record("Order", "id"))
    code, found, _ = judge(tmp_path, registries, family, engine=engine)
    assert found == {("SR-001", f"{family}|{family}.events-value", "secondary")}
    assert code == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_another_schema_text(registries: Pair, tmp_path: Path, engine: str) -> None:
    family = f"text{engine}"
    subject = f"{family}.events-value"
    register_both(registries, subject, record("Order", "id"))
    registries.primary.register(subject, record("Order", "id", "total"))
    registries.secondary.register(subject, record("Order", "id", "amount"))
    code, found, report = judge(tmp_path, registries, family, engine=engine)
    assert found == {("SR-002", f"{family}|{subject}", None)}
    [finding] = [f for f in report["decisions"][0]["findings"] if f["rule_id"] == "SR-002"]
    assert finding["message"] == (
        f"Subject {subject} of family {family} differs between the regions in version(s) 2 "
        "(missing or another schema text)"
    )
    assert code == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_the_same_schema_under_another_id(registries: Pair, tmp_path: Path, engine: str) -> None:
    family = f"ids{engine}"
    subject = f"{family}.events-value"
    # Apicurio's ids name contents: a content new to both, registered after another one in
    # the secondary only, gets another id there
    registries.secondary.register(f"{family}-unrelated-value", record(f"Other{family}", "x"))
    ids = {r.region: r.register(subject, record(f"Order{family}", "id")) for r in registries}
    assert ids[PRIMARY] != ids[SECONDARY]
    code, found, report = judge(tmp_path, registries, family, engine=engine)
    assert found == {("SR-003", f"{family}|{subject}", None)}
    [finding] = [f for f in report["decisions"][0]["findings"] if f["rule_id"] == "SR-003"]
    assert finding["primary"] == {"1": ids[PRIMARY]}
    assert finding["secondary"] == {"1": ids[SECONDARY]}
    assert finding["blocking"] is True
    assert code == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_compatibility_levels_differ(registries: Pair, tmp_path: Path, engine: str) -> None:
    family = f"compat{engine}"
    subject = f"{family}.events-value"
    register_both(registries, subject, record("Order", "id"))
    registries.primary.set_compatibility(subject, "BACKWARD")
    registries.secondary.set_compatibility(subject, "FULL")
    code, found, report = judge(tmp_path, registries, family, engine=engine)
    assert found == {("SR-004", f"{family}|{subject}", None)}
    [finding] = [f for f in report["decisions"][0]["findings"] if f["rule_id"] == "SR-004"]
    assert (finding["primary"], finding["secondary"]) == ("BACKWARD", "FULL")
    assert code == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_a_standby_registry_without_modes_is_writable(
    registries: Pair, tmp_path: Path, engine: str
) -> None:
    """Apicurio answers that it has no modes: the standby accepts every write (SR-005)."""
    family = f"modes{engine}"
    subject = f"{family}.events-value"
    register_both(registries, subject, record("Order", "id"))
    code, found, report = judge(tmp_path, registries, family, writer="primary", engine=engine)
    assert found == {("SR-005", f"{family}|{subject}", "secondary")}
    [finding] = [f for f in report["decisions"][0]["findings"] if f["rule_id"] == "SR-005"]
    assert finding["message"] == (
        f"Subject {subject} of family {family} is writable in the secondary, which does not "
        "write the family in normal (the registry has no modes: it accepts every write)"
    )
    assert code == 1


PREFIXED_FLOW = {
    "name": "use1-to-usw2",
    "tool": "mirrormaker2",
    "source_region": PRIMARY,
    "target_region": SECONDARY,
    "topics_include": [".*"],
    "topic_naming": "prefixed",
    "prefix": "use1",
    "state": "RUNNING",
}


def test_a_renamed_topic_is_looked_up_under_its_renamed_subject(
    registries: Pair, tmp_path: Path
) -> None:
    """MirrorMaker 2 renamed the topic use1.renamed.events in the secondary: its consumers
    look up use1.renamed.events-value (TopicNameStrategy), not renamed.events-value."""
    family = "renamed"
    schema = record("Order", "id")
    for registry, subject in (
        (registries.primary, f"{family}.events-value"),
        (registries.secondary, f"use1.{family}.events-value"),
    ):
        registry.register(subject, schema)
    code, found, _ = judge(
        tmp_path,
        registries,
        family,
        secondary_topics=[f"use1.{family}.events"],
        flows=[PREFIXED_FLOW],
    )
    assert found == set()
    assert code == 0

    # the same schema under the primary's name does not serve the renamed topic
    registries.align()
    family = "unrenamed"
    for registry in registries:
        registry.register(f"{family}.events-value", schema)
    code, found, report = judge(
        tmp_path,
        registries,
        family,
        secondary_topics=[f"use1.{family}.events"],
        flows=[PREFIXED_FLOW],
    )
    assert found == {("SR-001", f"{family}|{family}.events-value", "secondary")}
    [finding] = [f for f in report["decisions"][0]["findings"] if f["rule_id"] == "SR-001"]
    assert finding["secondary"] == f"use1.{family}.events-value"
    assert code == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_an_unreadable_registry_is_a_gap(registries: Pair, tmp_path: Path, engine: str) -> None:
    """A snapshot without the family's registry is a gap: indeterminate, never a pass."""
    family = f"gap{engine}"
    register_both(registries, f"{family}.events-value", record("Order", "id"))
    judge(tmp_path, registries, family, engine=engine)
    secondary = json.loads((tmp_path / f"{SECONDARY}.json").read_text())
    del secondary["schemas"]
    (tmp_path / f"{SECONDARY}.json").write_text(json.dumps(secondary))
    plan = str(tmp_path / "failback.yaml")
    run = run_cli(["check", "-c", plan, "--format", "json", "--now", NOW, "--engine", engine])
    [decision] = json.loads(run.stdout)["decisions"]
    assert decision["verdict"] == "indeterminate"
    in_scope = [(g["region"], g["area"], g["reason"]) for g in decision["gaps"] if g["in_scope"]]
    assert in_scope == [("secondary", "schemas", "not in snapshot")]
    assert not [f for f in decision["findings"] if f["rule_id"].startswith("SR-")]
    assert run.exit_code == 4


def test_check_exports_the_registries_the_plan_names(registries: Pair, tmp_path: Path) -> None:
    """Regions whose sources are the registries: `failback check` exports both itself (the
    plan's `type: confluent-registry` sources), here for subjects the family lists."""
    subject = "com.example.Shipment"
    registries.primary.register(subject, record("Shipment", "id"))
    plan = {
        "schema_version": "1.0",
        "name": "registry-sources",
        "current_phase": "normal",
        "regions": {
            role: {
                "name": registry.region,
                "source": [{"type": "confluent-registry", "url": registry.url, "name": "sr"}],
            }
            for role, registry in (
                ("primary", registries.primary),
                ("secondary", registries.secondary),
            )
        },
        "topic_families": [
            {
                "name": "shipments",
                "match": ["shipments.*"],
                "phases": {"normal": {"writer": "both", "consumer": "both"}},
                "conflict_control": "keys-partitioned-by-region",
                "schemas": {
                    "kind": "confluent",
                    "registry": "sr",
                    "naming": "record",
                    "subjects": [subject],
                },
            }
        ],
        "evidence": {"out_of_scope": ["topics", *OUT_OF_SCOPE]},
    }
    (tmp_path / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    run = run_cli(
        ["check", "-c", str(tmp_path / "failback.yaml"), "--format", "json", "--now", NOW]
    )
    [decision] = json.loads(run.stdout)["decisions"]
    found = {(f["rule_id"], f["resource"], f["region"]) for f in decision["findings"]}
    assert found == {("SR-001", f"shipments|{subject}", "secondary")}
    assert run.exit_code == 1
