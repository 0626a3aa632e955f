"""JUnit XML: parsed back and checked for structure (and against a small XSD with xmlschema)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from checker.exceptions import Exceptions
from checker.fingerprint import finding_key
from checker.model import Report
from checker.policy.catalog import load_catalog
from checker.reports import REPORTERS

from ..conftest import ESTATE, NOW, run_cli
from .conftest import SCHEMAS, build_report, finding, now, waiver, with_findings, write_waivers


def parse(report: Report) -> ET.Element:
    return ET.fromstring(REPORTERS["junit"](report).encode("utf-8"))


def applicable(phase: str) -> set[str]:
    """The catalog's rules judged in a phase (WVR-001 only when a waiver expired)."""
    return {
        rule_id
        for rule_id, entry in load_catalog().items()
        if phase in entry["phases"] and rule_id != "WVR-001"
    }


def check_counts(root: ET.Element) -> None:
    """The count attributes agree with the elements, at both levels."""
    assert root.tag == "testsuites"
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root:
        assert suite.tag == "testsuite"
        cases = suite.findall("testcase")
        counted = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, value in counted.items():
            assert int(suite.get(key, "-1")) == value, (suite.get("name"), key)
            totals[key] += value
        for case in cases:
            assert case.get("name") and case.get("classname", "").startswith("failback.")
    for key, value in totals.items():
        assert int(root.get(key, "-1")) == value


def test_faulted_findings_are_failures_and_clean_rules_pass(faulted: Report) -> None:
    root = parse(faulted)
    check_counts(root)
    (suite,) = root
    decision = faulted.decisions[0]
    assert suite.get("name") == "failback.failback"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["verdict"] == "no-go" and props["fail_on"] == "high"
    failures = {c.get("name"): c.find("failure") for c in suite if c.find("failure") is not None}
    assert len(failures) == len(decision.findings) == 20
    for f in decision.findings:
        scope = f" [{f.region}]" if f.region else ""
        failure = failures[f"{f.rule_id} {f.resource}{scope}"]
        assert failure is not None
        assert failure.get("type") == ("blocking" if f.blocking else "advisory")
        assert f.message in (failure.get("message") or "")
        assert f.remediation in (failure.text or "")
    passing = [c for c in suite.findall("testcase") if len(c) == 0]
    with_finding = {f.rule_id for f in decision.findings}
    assert sorted(c.get("name", "").split(" ", 1)[0] for c in passing) == sorted(
        applicable("failback") - with_finding
    )


def test_ready_estate_has_only_passing_cases() -> None:
    root = parse(build_report("ready"))
    check_counts(root)
    assert root.get("failures") == "0" and root.get("skipped") == "0"
    assert int(root.get("tests", "0")) == len(applicable("failback"))


def test_rules_not_judged_for_a_gap_are_skipped() -> None:
    root = parse(build_report("gaps"))
    check_counts(root)
    skipped = {
        c.get("name", "").split(" ", 1)[0]: found
        for c in root.iter("testcase")
        if (found := c.find("skipped")) is not None
    }
    audit_rules = {
        r for r, e in load_catalog().items() if "audit" in e["inputs"] and "failback" in e["phases"]
    }
    assert audit_rules and set(skipped) == audit_rules
    assert all("evidence gap in audit" in (s.get("message") or "") for s in skipped.values())


def test_phase_all_has_one_suite_per_phase(tmp_path: Path) -> None:
    out = tmp_path / "report.xml"
    run = run_cli(
        [
            "check",
            "-c",
            str(ESTATE / "faulted" / "failback.yaml"),
            "--now",
            NOW,
            "--phase",
            "all",
            "--format",
            "junit",
            "-o",
            str(out),
        ]
    )
    assert run.exit_code == 1
    root = ET.parse(out).getroot()
    check_counts(root)
    assert [s.get("name") for s in root] == [
        "failback.normal",
        "failback.failover",
        "failback.dr_operation",
        "failback.failback",
        "failback.cleanup",
    ]


def test_waived_and_known_findings_are_skipped(tmp_path: Path) -> None:
    from checker.waivers import load_waivers

    path = write_waivers(tmp_path / "w.yaml", waiver("RET-001", "ledger.*"))
    known = frozenset(
        finding_key(f.rule_id, f.region, f.resource)
        for f in build_report().decisions[0].findings
        if f.rule_id == "ENC-002"
    )
    report = build_report(
        exceptions=Exceptions(
            waivers=load_waivers(path, now()),
            waiver_file=str(path),
            baseline=known,
            baseline_file="b.json",
        )
    )
    root = parse(report)
    check_counts(root)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    waived = cases["RET-001 ledger.entries [secondary]"].find("skipped")
    in_baseline = cases["ENC-002 encryption.in_transit.in_cluster [secondary]"].find("skipped")
    assert waived is not None and in_baseline is not None
    assert "waived by team-platform until 2027-01-31 (RISK-1)" in (waived.get("message") or "")
    assert "baseline" in (in_baseline.get("message") or "")


def test_control_characters_and_markup_survive_as_well_formed_xml(faulted: Report) -> None:
    report = with_findings(faulted, [finding(message="bad \x00\x1b[31m <b>&</b> ]]> byte")])
    root = parse(report)
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None and "<b>&</b> ]]>" in (failure.get("message") or "")


def test_validates_against_the_junit_xsd(faulted: Report) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(SCHEMAS / "junit.xsd"))
    for report in (faulted, build_report("gaps"), build_report("ready")):
        schema.validate(REPORTERS["junit"](report))
