"""Defaults from failback.toml / [tool.failback] and FAILBACK_* variables (issue #17, item 4):
flag > environment > file > built-in default."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.cli.config import KEYS, env_var

from .conftest import ESTATE, NOW, ROOT, Run, assert_one_line_error


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository holding the faulted estate, the working directory of the test."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    shutil.copytree(ESTATE / "faulted", root / "kafka")
    monkeypatch.chdir(root)
    for key in KEYS:
        monkeypatch.delenv(env_var(key), raising=False)
    return root


def run(args: list[str], env: dict[str, str] | None = None) -> Run:
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def first_line(*args: str, env: dict[str, str] | None = None) -> str:
    result = run(["check", "--now", NOW, "--format", "short", *args], env)
    assert result.exit_code in (0, 1), result.stderr
    return result.stdout.splitlines()[0]


def test_precedence_flag_over_env_over_file_over_default(repo: Path) -> None:
    plan = ["-c", "kafka/failback.yaml"]
    assert first_line(*plan).endswith("(16 blocking, fail-on high)")  # the default
    (repo / "failback.toml").write_text('fail-on = "critical"\n')
    assert first_line(*plan).endswith("(5 blocking, fail-on critical)")  # the file
    env = {"FAILBACK_FAIL_ON": "medium"}
    assert first_line(*plan, env=env).endswith("(19 blocking, fail-on medium)")  # env > file
    assert first_line(*plan, "--fail-on", "high", env=env).endswith("fail-on high)")  # flag > env


def test_pyproject_tool_table_found_from_a_subdirectory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "infra"\n\n[tool.failback]\nplan = "kafka/failback.yaml"\n'
        'fail-on = "critical"\nexit-zero = true\n'
    )
    monkeypatch.chdir(repo / "kafka")
    result = run(["check", "--now", NOW, "--format", "short"])
    assert result.exit_code == 0, result.stderr  # exit-zero from the file
    assert result.stdout.startswith("failback-checker, phase failback: NO-GO (5 blocking, ")


def test_failback_toml_wins_over_pyproject_in_the_same_directory(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.failback]\nfail-on = "critical"\n')
    (repo / "failback.toml").write_text('fail-on = "medium"\n')
    assert first_line("-c", "kafka/failback.yaml").endswith("fail-on medium)")


@pytest.mark.parametrize(
    "text",
    [
        '[project]\nname = "infra"\n',
        "[tool.black\n",  # not TOML, and nothing of the checker's in it
        '[tool.other]\nnote = "the failback runbook"\n',  # read: no [tool.failback] table
    ],
)
def test_a_pyproject_without_a_failback_table_is_skipped(repo: Path, text: str) -> None:
    (repo / "pyproject.toml").write_text(text)
    (repo.parent / "failback.toml").write_text('fail-on = "critical"\n')  # above the repo
    assert first_line("-c", "kafka/failback.yaml").endswith("fail-on high)")


@pytest.mark.parametrize(
    "text",
    ['[tool."failback"]\nfail-on = "critical"\n', 'tool.failback.fail-on = "critical"\n'],
)
def test_every_spelling_of_the_table_is_read(repo: Path, text: str) -> None:
    (repo / "pyproject.toml").write_text(text)
    assert first_line("-c", "kafka/failback.yaml").endswith("fail-on critical)")


def test_a_broken_pyproject_naming_the_checker_is_an_input_error(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.failback]\nfail-on = \n")
    result = run(["check", "-c", "kafka/failback.yaml"])
    assert_one_line_error(result, 2, "configuration file", "is not valid TOML")


def test_a_file_above_the_repository_is_not_read(repo: Path) -> None:
    (repo.parent / "failback.toml").write_text('fail-on = "critical"\n')
    assert first_line("-c", "kafka/failback.yaml").endswith("fail-on high)")


def test_paths_are_relative_to_the_file(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "failback.toml").write_text('plan = "kafka/failback.yaml"\n')
    (repo / "docs").mkdir()
    monkeypatch.chdir(repo / "docs")
    assert first_line().startswith("failback-checker, phase failback: NO-GO")


def test_environment_variables_alone(repo: Path) -> None:
    env = {
        "FAILBACK_PLAN": "kafka/failback.yaml",
        "FAILBACK_PHASE": "normal",
        "FAILBACK_EXIT_ZERO": "1",
    }
    result = run(["check", "--now", NOW, "--format", "short"], env)
    assert result.exit_code == 0
    assert result.stdout.startswith("failback-checker, phase normal: NO-GO")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('fail_on = "critical"\n', ["unknown key 'fail_on'", "did you mean fail-on?"]),
        ('fial-on = "critical"\n', ["unknown key 'fial-on'", "did you mean fail-on?"]),
        ('fail-on = "hihg"\n', ["fail-on: 'hihg' is not one of", "did you mean high?"]),
        ("exit-zero = 1\n", ["exit-zero must be true or false"]),
        ("fail-on = \n", ["is not valid TOML"]),
    ],
)
def test_bad_configuration_is_an_input_error(repo: Path, text: str, fragments: list[str]) -> None:
    (repo / "failback.toml").write_text(text)
    result = run(["check", "-c", "kafka/failback.yaml"])
    assert_one_line_error(result, 2, "configuration file", *fragments)


def test_a_key_changes_only_the_commands_it_is_meant_for(repo: Path) -> None:
    (repo / "failback.toml").write_text('format = ["sarif"]\nplan = "kafka/failback.yaml"\n')
    result = run(["scorecard", "--now", NOW])  # scorecard's --format takes text/json/markdown
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("readiness scorecard: plan payments-platform")


def test_color_from_the_file_and_the_environment(repo: Path) -> None:
    (repo / "failback.toml").write_text('color = "always"\nplan = "kafka/failback.yaml"\n')
    coloured = run(["check", "--now", NOW]).stdout
    assert "\x1b[" in coloured
    assert "\x1b[" not in run(["check", "--now", NOW], {"FAILBACK_COLOR": "never"}).stdout
    assert "\x1b[" not in run(["--color", "never", "check", "--now", NOW]).stdout
    assert (
        "\x1b["
        in run(["check", "--now", NOW, "--color", "always"], {"FAILBACK_COLOR": "never"}).stdout
    )


def test_every_key_is_documented() -> None:
    page = (ROOT / "docs" / "reference" / "configuration.md").read_text("utf-8")
    for key in KEYS:
        assert f"`{key}`" in page, key
        assert f"`{env_var(key)}`" in page, key
    assert "flag > environment variable > configuration file > default" in page


@pytest.mark.parametrize("key", ["allow-outside-repo", "opa-insecure"])
def test_keys_that_weaken_the_gate_come_from_flags_or_the_environment_only(
    repo: Path, key: str
) -> None:
    (repo / "failback.toml").write_text(f"{key} = true\n")
    result = run(["check", "-c", "kafka/failback.yaml"])
    assert_one_line_error(result, 2, f"{key} may not be set in a file", env_var(key))


def test_file_paths_stay_inside_the_repository(repo: Path) -> None:
    (repo / "failback.toml").write_text('waivers = "../../etc/waivers.yaml"\n')
    result = run(["check", "-c", "kafka/failback.yaml"])
    assert_one_line_error(result, 2, "waivers '../../etc/waivers.yaml' is outside the repository")


def test_a_broken_file_never_hides_help(repo: Path) -> None:
    (repo / "failback.toml").write_text('fail_on = "critical"\n')
    for args in (["check", "--help"], ["check", "-h"], ["rules", "--help"]):
        result = run(args)
        assert result.exit_code == 0, result.stderr
        assert result.stdout.startswith("Usage: ")
