"""`failback scorecard`: the readiness matrix for every family x phase, with reasons and the
next step, consistent with the decisions `check` returns."""

from __future__ import annotations

import re

from checker.model import PHASES, READINESS_LEVELS

from ..conftest import ESTATE, NOW, ROOT, run_cli

PLAN = ESTATE / "faulted" / "failback.yaml"
FAMILIES = [
    "analytics",
    "customer",
    "fraud",
    "integrations",
    "ledger",
    "notifications",
    "payments-core",
]


def scorecard(fmt: str, plan: str = str(PLAN)):  # type: ignore[no-untyped-def]
    return run_cli(["scorecard", "-c", plan, "--now", NOW, "--format", fmt])


def test_json_has_every_family_and_phase_with_reasons() -> None:
    run = scorecard("json")
    assert run.exit_code == 0, run.stderr
    cells = run.json()["scorecard"]
    assert [(c["family"], c["phase"]) for c in cells] == [(f, p) for f in FAMILIES for p in PHASES]
    for cell in cells:
        assert cell["level"] in READINESS_LEVELS and cell["evidence_level"] in READINESS_LEVELS
        assert cell["reasons"]
        assert cell["next_step"] or cell["level"] == "operationalized"


def test_each_phase_matches_the_decision_that_judged_it() -> None:
    cells = {(c["family"], c["phase"]): c for c in scorecard("json").json()["scorecard"]}
    check = run_cli(
        ["check", "-c", str(PLAN), "--now", NOW, "--format", "json", "--phase", "all"]
    ).json()
    for decision in check["decisions"]:
        for cell in decision["scorecard"]:
            if cell["phase"] == decision["phase"]:
                assert cells[(cell["family"], cell["phase"])] == cell
    fraud = cells[("fraud", "failback")]
    assert (fraud["evidence_level"], fraud["level"]) == ("documented", "unwritten")
    assert fraud["next_step"].startswith("rehearse failback")


def test_text_shows_the_matrix_and_what_would_raise_each_level() -> None:
    run = scorecard("text")
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == "readiness scorecard: plan payments-platform"
    assert lines[1].split() == ["family", *PHASES]
    assert lines[2 + FAMILIES.index("fraud")].split()[0] == "fraud"
    assert "fraud / failback: unwritten (evidence: documented)" in run.stdout
    assert run.stdout.count("  next: ") == len(FAMILIES) * len(PHASES)


def test_markdown_is_a_table() -> None:
    run = scorecard("markdown")
    assert run.exit_code == 0
    assert run.stdout.startswith("## Readiness scorecard: payments-platform")
    assert run.stdout.count("\n| `") == len(FAMILIES)


def test_ready_estate_and_errors() -> None:
    run = scorecard("json", str(ESTATE / "ready" / "failback.yaml"))
    assert run.exit_code == 0
    cells = run.json()["scorecard"]
    # ready for failback (nothing lowers those cells); captured mid-failback, the estate is
    # not in failover shape, so the failover cells are lowered
    assert all(c["level"] == c["evidence_level"] for c in cells if c["phase"] == "failback")
    assert any(c["level"] != c["evidence_level"] for c in cells if c["phase"] == "failover")
    missing = scorecard("json", "/nonexistent/failback.yaml")
    assert missing.exit_code == 2 and "plan not found" in missing.stderr


def _documented_levels() -> list[str]:
    text = (ROOT / "docs" / "scorecard.md").read_text("utf-8")
    table = text.split("| level | means |", 1)[1].split("\n\n", 1)[0]
    return re.findall(r"^\| `([a-z]+)` \|", table, re.MULTILINE)


def test_the_documented_level_names_are_the_ones_printed() -> None:
    """The issue #17 divergence: the text matrix printed `operational` for `operationalized`."""
    documented = _documented_levels()
    assert documented == list(READINESS_LEVELS)
    ready = ESTATE / "ready" / "failback.yaml"
    text = run_cli(["scorecard", "-c", str(ready), "--now", NOW]).stdout
    matrix = text.split("\n\n", 1)[0].splitlines()[2:]
    printed = {word for row in matrix for word in row.split()[1:]}
    assert printed <= set(documented)
    assert "operationalized" in printed
    for fmt in ("json", "markdown"):
        other = run_cli(["scorecard", "-c", str(ready), "--now", NOW, "--format", fmt]).stdout
        assert "operationalized" in other
        assert not re.search(r"\boperational\b", other)
    assert not re.search(r"\boperational\b", text)
    assert all(line == line.rstrip() for line in text.splitlines())


def test_the_documented_example_is_the_output() -> None:
    """docs/scorecard.md shows the faulted estate's matrix: it is what the command prints."""
    doc = (ROOT / "docs" / "scorecard.md").read_text("utf-8")
    example = doc.split("On the shipped faulted estate:\n\n```\n", 1)[1].split("...\n```", 1)[0]
    assert scorecard("text").stdout.startswith(example)
