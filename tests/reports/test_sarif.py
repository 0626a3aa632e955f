"""SARIF 2.1.0: valid against the official (vendored) schema, one rule per catalog entry, one
result per finding, located in the file that declares the resource."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.exceptions import Exceptions
from checker.fingerprint import finding_key
from checker.model import Report
from checker.policy.catalog import load_catalog
from checker.reports import RenderOptions
from checker.reports.sarif import SECURITY_SEVERITY, document

from ..conftest import ESTATE, NOW, ROOT, run_cli
from .conftest import SCHEMAS, build_report, waiver, write_waivers

PLAN = ESTATE / "faulted" / "failback.yaml"


@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def assert_valid(validator: Any, doc: Any) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def sarif(report: Report) -> dict[str, Any]:
    return document(report, RenderOptions(cwd=ROOT))


def results_by_rule(doc: dict[str, Any], run: int = 0) -> dict[str, dict[str, Any]]:
    return {r["ruleId"]: r for r in doc["runs"][run]["results"]}


def line_of(path: Path, needle: str, after: str | None = None) -> int:
    lines = path.read_text().splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line)
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def physical(result: dict[str, Any]) -> tuple[str, int | None]:
    location = result["locations"][0]["physicalLocation"]
    return location["artifactLocation"]["uri"], location.get("region", {}).get("startLine")


@pytest.mark.parametrize("variant", ["ready", "faulted", "gaps"])
def test_cli_sarif_validates_against_the_official_schema(
    variant: str, validator: Any, tmp_path: Path
) -> None:
    out = tmp_path / "out.sarif"
    run = run_cli(
        [
            "check",
            "-c",
            str(ESTATE / variant / "failback.yaml"),
            "--now",
            NOW,
            "--phase",
            "all",
            "--format",
            "sarif",
            "-o",
            str(out),
        ]
    )
    assert run.exit_code == 1, run.stderr  # phase all: failover is no-go for every variant
    doc = json.loads(out.read_text())
    assert_valid(validator, doc)
    assert doc["version"] == "2.1.0"
    assert [r["automationDetails"]["id"] for r in doc["runs"]] == [
        f"failback-checker/{p}/"
        for p in ("normal", "failover", "dr_operation", "failback", "cleanup")
    ]


def test_one_rule_per_catalog_entry_with_help_and_security_severity(faulted: Report) -> None:
    catalog = load_catalog()
    rules = sarif(faulted)["runs"][0]["tool"]["driver"]["rules"]
    # every rule judged; WVR-001 (an expired waiver) only when a finding uses it, below
    assert [r["id"] for r in rules] == [rule_id for rule_id in catalog if rule_id != "WVR-001"]
    for rule in rules:
        entry = catalog[rule["id"]]
        assert rule["shortDescription"]["text"] == entry["title"]
        assert rule["fullDescription"]["text"] == entry["description"]
        assert entry["remediation"] in rule["help"]["text"]
        assert entry["remediation"] in rule["help"]["markdown"]
        assert rule["properties"]["security-severity"] == SECURITY_SEVERITY[entry["severity"]]
        assert entry["area"] in rule["properties"]["tags"]
    by_id = {r["id"]: r for r in rules}
    assert by_id["WA-001"]["properties"]["security-severity"] == "9.5"
    assert by_id["RB-001"]["properties"]["security-severity"] == "8.0"
    assert by_id["CMP-001"]["properties"]["security-severity"] == "5.5"
    assert by_id["CST-002"]["properties"]["security-severity"] == "3.0"


def test_one_result_per_finding_pointing_at_its_rule(faulted: Report) -> None:
    doc = sarif(faulted)
    run = doc["runs"][0]
    findings = faulted.decisions[0].findings
    assert len(run["results"]) == len(findings)
    for result, finding in zip(run["results"], findings, strict=True):
        assert result["ruleId"] == finding.rule_id
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == finding.rule_id
        assert result["message"]["text"] == finding.message
        assert result["level"] == ("error" if finding.blocking else "warning")
        assert result["partialFingerprints"]["failbackFindingHash/v1"] == finding.fingerprint
        logical = result["locations"][0]["logicalLocations"][0]
        assert logical["fullyQualifiedName"] == (
            f"{finding.region or 'both'}/{finding.area}/{finding.resource}"
        )


def test_plan_level_findings_point_at_the_plan_key(faulted: Report) -> None:
    results = results_by_rule(sarif(faulted))
    plan_uri = "fixtures/estate/faulted/failback.yaml"
    assert physical(results["RB-001"]) == (plan_uri, line_of(PLAN, "rollback:"))
    assert physical(results["CST-001"]) == (
        plan_uri,
        line_of(PLAN, "max_dual_region_days:", after="cost:"),
    )
    # RDY-001 fraud/failback: the fraud family's failback evidence
    assert physical(results["RDY-001"]) == (plan_uri, _evidence_line("fraud", "failback"))
    # a family finding without a region (REP-002 on notifications): the family entry
    assert physical(results["REP-002"]) == (plan_uri, line_of(PLAN, "- name: notifications"))


def _evidence_line(family: str, phase: str) -> int:
    lines = PLAN.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line == f"- name: {family}")
    evidence = next(i for i in range(start, len(lines)) if lines[i] == "  evidence:")
    return next(i for i in range(evidence, len(lines)) if lines[i] == f"    {phase}:") + 1


def test_region_findings_point_into_that_regions_snapshot(faulted: Report) -> None:
    results = results_by_rule(sarif(faulted))
    secondary = ESTATE / "faulted" / "us-west-2.json"
    primary = ESTATE / "faulted" / "us-east-1.json"
    uri, line = physical(results["RET-001"])
    assert uri == "fixtures/estate/faulted/us-west-2.json"
    assert line == line_of(secondary, '"ledger.entries": {')
    uri, line = physical(results["NET-002"])
    assert uri.endswith("us-west-2.json") and line == line_of(secondary, '"0.0.0.0/0"')
    uri, line = physical(results["ENC-002"])
    assert line == line_of(secondary, '"in_cluster"', after='"in_transit"')
    uri, line = physical(results["OFF-002"])  # region primary
    assert uri.endswith("us-east-1.json") and line == line_of(primary, '"payments-usw2-to-use1"')
    # no region, not plan-level: both snapshots
    cmp = results["CMP-001"]["locations"]
    assert [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in cmp] == [
        "fixtures/estate/faulted/us-east-1.json",
        "fixtures/estate/faulted/us-west-2.json",
    ]


def test_exporter_source_file_is_the_location(estate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    directory = estate("faulted")
    (directory / "tfplan.json").write_text(
        '{\n  "resource_changes": [\n'
        '    {"name": "ledger.entries", "retention": 86400000}\n  ]\n}\n'
    )
    path = directory / "us-west-2.json"
    doc = json.loads(path.read_text())
    doc["source"] = {"type": "terraform", "detail": "terraform show -json", "file": "tfplan.json"}
    path.write_text(json.dumps(doc, indent=2))
    report = build_report(plan_path=directory / "failback.yaml")
    result = results_by_rule(document(report, RenderOptions(cwd=tmp_path)))["RET-001"]
    assert physical(result) == ("faulted/tfplan.json", 3)


def test_without_a_file_the_location_is_logical(faulted: Report, validator: Any) -> None:
    report = dataclasses.replace(
        faulted, secondary=dataclasses.replace(faulted.secondary, origin="aws source of us-west-2")
    )
    doc = sarif(report)
    assert_valid(validator, doc)
    location = results_by_rule(doc)["RET-001"]["locations"][0]
    assert "physicalLocation" not in location
    assert location["logicalLocations"][0]["fullyQualifiedName"] == (
        "secondary/retention/ledger.entries"
    )


def test_waived_findings_carry_suppressions_and_baseline_state(
    tmp_path: Path, validator: Any
) -> None:
    from checker.waivers import load_waivers

    from .conftest import now

    path = write_waivers(
        tmp_path / "waivers.yaml",
        waiver("RET-001", "ledger.*"),
        waiver("NET-002", expires="2026-11-01"),
    )
    base = build_report()
    known = frozenset(
        finding_key(f.rule_id, f.region, f.resource)
        for f in base.decisions[0].findings
        if f.rule_id != "WA-001"
    )
    report = build_report(
        exceptions=Exceptions(
            waivers=load_waivers(path, now()),
            waiver_file=str(path),
            baseline=known,
            baseline_file="previous.json",
        )
    )
    doc = document(report, RenderOptions(cwd=tmp_path))
    assert_valid(validator, doc)
    results = results_by_rule(doc)
    assert results["RET-001"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "accepted while RET-001 is fixed",
            "properties": {"owner": "team-platform", "ticket": "RISK-1", "expires": "2027-01-31"},
        }
    ]
    assert "suppressions" not in results["NET-002"]
    assert results["WA-001"]["baselineState"] == "new"
    assert results["ENC-002"]["baselineState"] == "unchanged"
    # the expired waiver's finding points at the waiver's entry in the waiver file
    assert physical(results["WVR-001"]) == ("waivers.yaml", line_of(path, "- rule_id: NET-002"))
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert "WVR-001" in rules
    # listed after the rules judged, from the catalog entry
    assert list(rules)[-1] == "WVR-001"
    assert rules["WVR-001"]["fullDescription"]["text"] == load_catalog()["WVR-001"]["description"]


def test_custom_rules_get_a_rule_entry(tmp_path: Path, validator: Any) -> None:
    (tmp_path / "org.rego").write_text(
        "package failback.custom.org\n\n"
        'deny contains {"rule_id": "ORG-001", "severity": "high",\n'
        '  "title": "Org rule",\n'
        '  "resource": "ledger.entries", "message": "org says no"} if { true }\n'
    )
    out = tmp_path / "out.sarif"
    run = run_cli(
        [
            "check",
            "-c",
            str(PLAN),
            "--now",
            NOW,
            "--policy-dir",
            str(tmp_path),
            "--format",
            "sarif",
            "-o",
            str(out),
        ]
    )
    assert run.exit_code == 1, run.stderr
    doc = json.loads(out.read_text())
    assert_valid(validator, doc)
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert (
        rules[results_by_rule(doc)["ORG-001"]["ruleIndex"]]["shortDescription"]["text"]
        == "Org rule"
    )


def test_sarif_is_deterministic() -> None:
    args = ["check", "-c", str(PLAN), "--now", NOW, "--format", "sarif"]
    first = run_cli(args).stdout
    assert first == run_cli(args).stdout
    assert json.loads(first)["$schema"].startswith("https://docs.oasis-open.org/sarif/")


def test_strimzi_manifest_list_uses_the_first_existing_file(estate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    directory = estate("faulted")
    (directory / "topics.yaml").write_text(
        "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic\nmetadata:\n"
        "  name: ledger.entries\nspec:\n  config: {retention.ms: 86400000}\n"
    )
    path = directory / "us-west-2.json"
    doc = json.loads(path.read_text())
    doc["source"] = {
        "type": "strimzi",
        "detail": "failback export strimzi",
        "file": "gone.yaml, topics.yaml",
    }
    path.write_text(json.dumps(doc, indent=2))
    report = build_report(plan_path=directory / "failback.yaml")
    result = results_by_rule(document(report, RenderOptions(cwd=tmp_path)))["RET-001"]
    assert physical(result) == ("faulted/topics.yaml", 4)
