"""`--format github`: GitHub Actions workflow annotations, escaped as @actions/core does."""

from __future__ import annotations

import re
from pathlib import Path

from checker.reports.github import command, escape_data, escape_property, render

from ..conftest import ESTATE, NOW, run_cli
from ..hostile.test_io import HIDDEN, hostile_estate
from .conftest import build_report, waiver, write_waivers

LINE = re.compile(r"^::(error|warning|notice) (file=[^,:]+,)?(line=\d+,)?title=[^,:]+::.+$")


def test_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert command("error", "m: x, y", file="a,b:c.tf", line=3, title="T: 1") == (
        "::error file=a%2Cb%3Ac.tf,line=3,title=T%3A 1::m: x, y"
    )
    assert command("notice", "only a message") == "::notice::only a message"


def test_faulted_estate_annotations() -> None:
    run = run_cli(
        [
            "check",
            "-c",
            str(ESTATE / "faulted" / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "github",
        ]
    )
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert all(LINE.match(line) for line in annotations), annotations
    errors = [line for line in annotations if line.startswith("::error ")]
    assert len(errors) == 16
    assert any(
        line.startswith("::error file=fixtures/estate/faulted/us-west-2.json,line=")
        and ",title=RET-001 high%3A Shorter time retention in secondary (failback)::" in line
        and "%0Afix: Set retention.ms in the secondary" in line
        for line in errors
    )
    assert sum(line.startswith("::warning ") for line in annotations) == 4
    assert lines[-1] == (
        "failback-checker, phase failback: NO-GO (16 blocking, 20 findings, fail-on high)"
    )


def test_waived_findings_are_notices(tmp_path: Path) -> None:
    from checker.exceptions import Exceptions
    from checker.waivers import load_waivers

    from .conftest import now

    path = write_waivers(tmp_path / "w.yaml", waiver("RET-001"))
    report = build_report(
        exceptions=Exceptions(waivers=load_waivers(path, now()), waiver_file=str(path))
    )
    notices = [line for line in render(report).splitlines() if line.startswith("::notice ")]
    assert len(notices) == 1 and "RET-001" in notices[0] and "(waived)" in notices[0]


def test_one_annotation_for_a_finding_in_several_phases() -> None:
    report = build_report("faulted", phases=("normal", "failback"))
    lines = [line for line in render(report).splitlines() if "title=ENC-002 " in line]
    assert len(lines) == 1 and "(normal%2C failback)::" in lines[0]


def test_data_cannot_forge_a_workflow_command(tmp_path: Path) -> None:
    plan = hostile_estate(tmp_path)
    run = run_cli(["check", "-c", str(plan), "--now", NOW, "--format", "github"])
    assert run.exit_code == 1
    for line in run.stdout.split("\n"):
        assert not (set(line) & HIDDEN), repr(line)
        if line.startswith("::"):
            assert LINE.match(line), line
        else:
            assert line == "" or line.startswith("failback-checker, phase "), line
    assert "forged" in run.stdout  # shown, as text inside an annotation
