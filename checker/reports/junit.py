"""JUnit XML for CI test tabs (GitLab, Jenkins, Azure DevOps, GitHub test reporters).

<testsuites> holds one <testsuite> per judged phase. Each finding is a <testcase> named
`RULE resource` with a <failure> (type blocking or advisory); a waived or baseline-known
finding is <skipped> with why; every catalog rule of the phase without a finding is one
passing test case, and a rule not judged because of an evidence gap is skipped.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from ..model import Decision, Finding, Report
from . import RenderOptions
from .escape import visible, visible_lines

# Characters XML 1.0 cannot carry at all (snapshot data is not trusted to be printable):
# C0 controls other than tab, LF and CR, unpaired surrogates, U+FFFE and U+FFFF.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(value: str) -> str:
    return _INVALID.sub("\ufffd", value)


def _clean_tree(root: ET.Element) -> ET.Element:
    """Every attribute and text node: control characters made visible (escape.visible, one
    line per attribute, no line starting with `::` in a text node, as a CI log would show it),
    then XML 1.0 characters only."""
    for element in root.iter():
        for key, value in element.attrib.items():
            element.set(key, _clean(visible(value)))
        if element.text:
            element.text = _clean(visible_lines(element.text))
        if element.tail:
            element.tail = _clean(visible_lines(element.tail))
    return root


def _case(suite: ET.Element, classname: str, name: str) -> ET.Element:
    return ET.SubElement(
        suite, "testcase", {"classname": _clean(classname), "name": _clean(name), "time": "0"}
    )


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _details(finding: Finding) -> str:
    lines = [
        finding.message,
        "",
        f"rule: {finding.rule_id} ({finding.title})",
        f"severity: {finding.severity}",
        f"area: {finding.area}",
        f"resource: {finding.resource}",
    ]
    lines += [f"region: {finding.region}"] if finding.region else []
    lines += [f"family: {finding.family}"] if finding.family else []
    lines += [f"primary: {_json(finding.primary)}"] if finding.primary is not None else []
    lines += [f"secondary: {_json(finding.secondary)}"] if finding.secondary is not None else []
    lines += [f"fix: {finding.remediation}", f"fingerprint: {finding.fingerprint}"]
    return "\n".join(lines)


def _finding(suite: ET.Element, decision: Decision, finding: Finding) -> str:
    scope = f" [{finding.region}]" if finding.region else ""
    case = _case(
        suite,
        f"failback.{decision.phase}.{finding.area}",
        f"{finding.rule_id} {finding.resource}{scope}",
    )
    if finding.waived:
        waived = finding.waived
        ET.SubElement(
            case,
            "skipped",
            {
                "message": _clean(
                    f"waived by {waived.get('owner')} until {waived.get('expires')} "
                    f"({waived.get('ticket')}): {waived.get('reason')}"
                )
            },
        )
        return "skipped"
    if finding.known:
        ET.SubElement(case, "skipped", {"message": "known finding (in the baseline)"})
        return "skipped"
    failure = ET.SubElement(
        case,
        "failure",
        {
            "message": _clean(f"{finding.severity}: {finding.message}"),
            "type": "blocking" if finding.blocking else "advisory",
        },
    )
    failure.text = _clean(_details(finding))
    return "failure"


def _suite(
    root: ET.Element, report: Report, decision: Decision, catalog: Mapping[str, Mapping[str, Any]]
) -> None:
    suite = ET.SubElement(root, "testsuite", {"name": f"failback.{decision.phase}"})
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("plan", report.plan_name),
        ("phase", decision.phase),
        ("verdict", decision.verdict),
        ("fail_on", report.fail_on),
        ("primary", report.primary.region),
        ("secondary", report.secondary.region),
        *((f"step.{s.name}", s.verdict) for s in decision.steps),
        *(
            [("outage", f"{decision.outage.get('impaired')} {decision.outage.get('region')}")]
            if decision.outage is not None
            else []
        ),
    ):
        ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
    counts = {"tests": 0, "failures": 0, "skipped": 0}
    with_findings = {f.rule_id for f in decision.findings}
    for finding in decision.findings:
        outcome = _finding(suite, decision, finding)
        counts["tests"] += 1
        counts["failures" if outcome == "failure" else "skipped"] += 1
    gapped = {str(g.get("area")) for g in decision.gaps}
    outage_rules = {
        str(n.get("rule_id")): str(n.get("reason"))
        for n in decision.not_judgeable
        if n.get("resource") is None
    }
    for rule_id, entry in catalog.items():
        if rule_id in with_findings or decision.phase not in entry.get("phases", []):
            continue
        case = _case(
            suite,
            f"failback.{decision.phase}.{entry.get('area')}",
            f"{rule_id} {entry.get('title')}",
        )
        counts["tests"] += 1
        missing = sorted(gapped & set(entry.get("inputs", [])))
        if rule_id in outage_rules:
            ET.SubElement(case, "skipped", {"message": f"not judged: {outage_rules[rule_id]}"})
            counts["skipped"] += 1
        elif missing:
            ET.SubElement(
                case, "skipped", {"message": f"not judged: evidence gap in {', '.join(missing)}"}
            )
            counts["skipped"] += 1
    suite.set("tests", str(counts["tests"]))
    suite.set("failures", str(counts["failures"]))
    suite.set("errors", "0")
    suite.set("skipped", str(counts["skipped"]))
    suite.set("time", "0")


def document(report: Report) -> ET.Element:
    root = ET.Element("testsuites", {"name": f"failback-checker {report.plan_name}"})
    for decision in report.decisions:
        _suite(root, report, decision, report.judged_rules)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in root)))
    root.set("time", "0")
    return _clean_tree(root)


def render(report: Report, options: RenderOptions | None = None) -> str:
    root = document(report)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"
