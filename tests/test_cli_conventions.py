"""CLI conventions a platform team expects (issue #17, item 3): report-only mode, --color, -V,
--debug anywhere, per-command exit codes in help, `failback rules ID`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.model import ExitCode

from .conftest import ESTATE, NOW, ROOT, assert_one_line_error, run_cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def check(*extra: str, variant: str = "faulted") -> object:
    return run_cli(["check", "-c", str(ESTATE / variant / "failback.yaml"), "--now", NOW, *extra])


# -- --exit-zero ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "code"), [("faulted", 1), ("gaps", 4), ("ready", 0)])
def test_exit_zero_reports_without_failing_and_keeps_the_verdict(variant: str, code: int) -> None:
    judged = check("--format", "json", variant=variant)
    assert judged.exit_code == code  # type: ignore[attr-defined]
    report_only = check("--format", "json", "--exit-zero", variant=variant)
    assert report_only.exit_code == 0, report_only.stderr  # type: ignore[attr-defined]
    before, after = judged.json(), report_only.json()  # type: ignore[attr-defined]
    assert [d["verdict"] for d in after["decisions"]] == [d["verdict"] for d in before["decisions"]]
    assert after["exit_code"] == before["exit_code"] == code


def test_exit_zero_still_fails_on_input_errors(tmp_path: Path) -> None:
    run = run_cli(["check", "-c", str(tmp_path / "missing.yaml"), "--exit-zero"])
    assert_one_line_error(run, ExitCode.INPUT_ERROR, "plan not found")


def test_exit_zero_still_fails_on_engine_errors(tmp_path: Path) -> None:
    bad = tmp_path / "policies"
    bad.mkdir()
    (bad / "broken.rego").write_text("package failback.custom.broken\n\ndeny contains x if {\n")
    run = check("--exit-zero", "--policy-dir", str(bad))
    assert run.exit_code == ExitCode.INTERNAL_ERROR, run.stderr  # type: ignore[attr-defined]


# -- --color -------------------------------------------------------------------------------------


def test_color_always_colours_a_pipe_and_never_turns_it_off() -> None:
    assert not ANSI.search(check().stdout)  # type: ignore[attr-defined]
    assert ANSI.search(check("--color", "always").stdout)  # type: ignore[attr-defined]
    assert ANSI.search(
        run_cli(
            [
                "--color",
                "always",
                "check",
                "-c",
                str(ESTATE / "faulted" / "failback.yaml"),
                "--now",
                NOW,
            ]
        ).stdout
    )
    assert not ANSI.search(check("--color", "never").stdout)  # type: ignore[attr-defined]


def test_color_choices_are_checked() -> None:
    run = check("--color", "sometimes")
    assert run.exit_code == 2  # type: ignore[attr-defined]
    assert "'sometimes' is not one of 'auto', 'always', 'never'" in run.stderr  # type: ignore[attr-defined]


# -- -V, --debug ---------------------------------------------------------------------------------


def test_short_version_flag() -> None:
    for flag in ("-V", "--version"):
        run = run_cli([flag])
        assert run.exit_code == 0
        assert re.match(r"failback, version \S+\n", run.stdout), run.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--debug", "check", "-c", "missing.yaml"],
        ["check", "--debug", "-c", "missing.yaml"],
        ["check", "-c", "missing.yaml", "--debug"],
        ["validate", "missing.yaml", "--debug"],
        ["export", "terraform", "missing.json", "--region", "r", "--debug"],
    ],
)
def test_debug_is_accepted_before_or_after_the_command(args: list[str], tmp_path: Path) -> None:
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        run = run_cli(args)
    finally:
        os.chdir(cwd)
    assert run.exit_code == 2, run.stderr
    assert "Traceback" in run.stderr  # --debug shows where the error came from
    assert run.stderr.rstrip().splitlines()[-1].startswith("failback: error: ")


def test_without_debug_no_traceback(tmp_path: Path) -> None:
    run = run_cli(["check", "-c", str(tmp_path / "missing.yaml")])
    assert_one_line_error(run, 2, "plan not found")


# -- per-command exit codes ----------------------------------------------------------------------


def _exit_codes(help_text: str) -> list[int]:
    section = help_text.split("Exit codes:", 1)[1]
    return [int(code) for code in re.findall(r"^\s+(\d)\s", section, re.MULTILINE)]


@pytest.mark.parametrize(
    ("command", "codes"),
    [
        (["check"], [0, 1, 2, 3, 4]),
        (["audit"], [0, 1, 2, 3, 4]),
        (["scorecard"], [0, 2, 3]),
        (["diff"], [0, 2, 3]),
        (["rules"], [0, 2, 3]),
        (["validate"], [0, 2, 3]),
        (["policies", "bundle"], [0, 2, 3]),
        (["export", "terraform"], [0, 2, 3]),
        (["export", "strimzi"], [0, 2, 3]),
    ],
)
def test_each_command_lists_only_its_own_exit_codes(command: list[str], codes: list[int]) -> None:
    run = run_cli([*command, "--help"])
    assert run.exit_code == 0
    assert _exit_codes(run.stdout) == codes
    if 1 not in codes:
        codes_section = run.stdout.split("Exit codes:", 1)[1]
        assert "--fail-on" not in codes_section and "blocking" not in codes_section


def test_check_help_explains_exit_zero() -> None:
    text = run_cli(["check", "--help"]).stdout
    assert "--exit-zero" in text
    assert "1 and 4 become 0; 2 and 3 still fail" in text


# -- failback rules ID ---------------------------------------------------------------------------


def test_rules_explains_one_rule() -> None:
    run = run_cli(["rules", "WA-001"])
    assert run.exit_code == 0, run.stderr
    text = run.stdout
    assert text.startswith("WA-001: Topic family writable in both regions\n")
    for heading in (
        "what:",
        "why it matters for failback:",
        "how to fix:",
        "when:",
        "example (accepting the risk):",
    ):
        assert f"\n{heading}\n" in text, heading
    assert "    - rule_id: WA-001\n" in text
    assert "split brain" in text and "Revoke producer write grants" in text


def test_rules_explanation_is_the_rule_page_text() -> None:
    """`failback rules ID` and docs/rules/<ID>.md say the same: both come from the catalog and
    checker/policy/explain.py."""
    from checker.policy.explain import plain

    for rule_id in ("WA-001", "EVD-001", "CST-002"):
        page = (ROOT / "docs" / "rules" / f"{rule_id}.md").read_text("utf-8")
        text = " ".join(run_cli(["rules", rule_id]).stdout.split())
        for section in ("Description", "Why it matters for failback", "Remediation"):
            body = page.split(f"## {section}\n\n", 1)[1].split("\n\n", 1)[0]
            assert " ".join(plain(body).split()) in text, (rule_id, section)


def test_rules_ids_are_case_insensitive_and_json_gives_the_entries() -> None:
    run = run_cli(["rules", "wa-001", "rep-001", "--format", "json"])
    assert run.exit_code == 0
    assert sorted(json.loads(run.stdout)) == ["REP-001", "WA-001"]


def test_an_unknown_rule_is_exit_2_with_a_suggestion() -> None:
    assert_one_line_error(
        run_cli(["rules", "WA-01"]), 2, "unknown rule 'WA-01'", "did you mean WA-001?"
    )


# -- shell completion ----------------------------------------------------------------------------


def _complete(env: dict[str, str]) -> str:
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "from checker.cli import main; main(prog_name='failback')"],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_shell_completion_works_as_documented() -> None:
    doc = (ROOT / "docs" / "reference" / "cli.md").read_text("utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_FAILBACK_COMPLETE={shell}_source failback" in doc
    assert "_failback_completion()" in _complete({"_FAILBACK_COMPLETE": "bash_source"})
    words = {"COMP_WORDS": "failback check --debug --fail-on ", "COMP_CWORD": "4"}
    answer = _complete({"_FAILBACK_COMPLETE": "bash_complete", **words})
    assert answer.split() == [f"plain,{s}" for s in ("info", "low", "medium", "high", "critical")]


def test_no_color_is_honoured_by_auto_and_overridden_by_a_flag() -> None:
    from click.testing import CliRunner

    from checker.cli import main

    args = ["check", "-c", str(ESTATE / "faulted" / "failback.yaml"), "--now", NOW]
    runner = CliRunner()
    auto = runner.invoke(main, args, env={"NO_COLOR": "1"}, catch_exceptions=False)
    assert not ANSI.search(auto.stdout)
    forced = runner.invoke(main, [*args, "--color", "always"], env={"NO_COLOR": "1"})
    assert ANSI.search(forced.stdout)
