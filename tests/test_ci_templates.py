"""The GitHub Action (action.yml) and the GitLab CI template (examples/ci/gitlab-ci.yml), run as
their CI systems would run them: each `run:` step (or script line) in bash, with `${{ ... }}`
substituted the way Actions does and the `if:` conditions evaluated, against the shipped fixture
estates. The install steps really install: this checkout with the hash-pinned runtime lock, from
the package index, into a virtual environment of their own (once per module)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import ESTATE, NOW, ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
GITLAB = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab-ci.yml").read_text("utf-8"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
BASE_PYTHON = getattr(sys, "_base_executable", "") or shutil.which("python3") or sys.executable


def _clean_env(**extra: str) -> dict[str, str]:
    """The job's environment: no FAILBACK_* settings from this test run leak into the step."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAILBACK_", "PYTHON"))}
    env.pop("VIRTUAL_ENV", None)
    return {**env, **extra}


# -- GitHub Actions ------------------------------------------------------------------------------


@dataclass
class StepResult:
    id: str
    code: int
    stdout: str
    stderr: str


@dataclass
class ActionRun:
    """One run of the composite action: its inputs, the step outputs, the steps' results."""

    inputs: Mapping[str, str]
    workspace: Path
    temp: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    results: list[StepResult] = field(default_factory=list)
    uploads: list[Mapping[str, str]] = field(default_factory=list)
    failed: bool = False

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            spec = ACTION["inputs"][parts[1]]
            return str(self.inputs.get(parts[1], spec.get("default", "")))
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        known = {"github.action_path": str(ROOT), "runner.temp": str(self.temp)}
        assert expression in known, (
            f"action.yml uses an expression the test cannot set: {expression}"
        )
        return known[expression]

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m[1]), text)

    def condition(self, text: str | None) -> bool:
        """`if:` as Actions evaluates the forms action.yml uses; no `if:` means success()."""
        if text is None:
            return not self.failed
        terms = [term.strip() for term in EXPRESSION.sub(r"\1", text).split("&&")]
        ok = True
        if "always()" not in terms:
            ok = not self.failed
        for term in terms:
            if term == "always()":
                continue
            match = re.fullmatch(r"([\w.-]+) == '([^']*)'", term)
            assert match, f"action.yml condition the test cannot evaluate: {term}"
            ok = ok and self.value(match[1]) == match[2]
        return ok

    def run_step(self, step: Mapping[str, Any]) -> None:
        step_id = str(step.get("id", step.get("uses", "?")))
        if not self.condition(step.get("if")):
            return
        if "uses" in step:
            self._uses(step_id, step)
            return
        assert step["shell"] == "bash", step_id
        env = _clean_env(**{k: self.substitute(str(v)) for k, v in step.get("env", {}).items()})
        output = self.temp / f"output-{step_id}"
        output.write_text("")
        env["GITHUB_OUTPUT"] = str(output)
        cwd = self.workspace / self.substitute(str(step.get("working-directory", ".")))
        script = self.temp / f"step-{step_id}.sh"
        script.write_text(self.substitute(step["run"]))  # run: has no ${{ }} (env: has them)
        run = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        pairs = (line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        self.outputs[step_id] = dict(pairs)
        self.results.append(StepResult(step_id, run.returncode, run.stdout, run.stderr))
        self.failed = self.failed or run.returncode != 0

    def _uses(self, step_id: str, step: Mapping[str, Any]) -> None:
        action = str(step["uses"]).split("@")[0]
        with_ = {k: self.substitute(str(v)) for k, v in step.get("with", {}).items()}
        if action == "actions/setup-python":
            assert with_["update-environment"] == "false"  # the job's PATH stays as it was
            self.outputs[step_id] = {"python-path": BASE_PYTHON}
        elif action == "github/codeql-action/upload-sarif":
            self.uploads.append(with_)
        else:
            raise AssertionError(f"action.yml uses an action the test does not know: {action}")

    @property
    def exit_code(self) -> int:
        return self.results[-1].code

    def step(self, step_id: str) -> StepResult:
        return next(r for r in self.results if r.id == step_id)


def _steps(after: str | None = None) -> list[Mapping[str, Any]]:
    steps: list[Mapping[str, Any]] = ACTION["runs"]["steps"]
    if after is None:
        return steps
    index = next(i for i, s in enumerate(steps) if s.get("id") == after)
    return steps[index + 1 :]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Mapping[str, dict[str, str]]:
    """The action's setup-python and install steps, once: the outputs later steps read."""
    temp = tmp_path_factory.mktemp("runner-temp")
    run = ActionRun({}, temp, temp)
    for step in _steps()[:2]:
        run.run_step(step)
    install = run.step("install")
    assert install.code == 0, install.stderr[-3000:]
    assert install.stdout.splitlines()[-5].startswith("failback, version ")
    assert run.outputs["install"]["failback"] == f"{temp}/failback-checker-venv/bin/failback"
    return run.outputs


def run_action(
    installed: Mapping[str, dict[str, str]], workspace: Path, **inputs: str
) -> ActionRun:
    temp = workspace.parent / f"{workspace.name}-runner-temp"
    temp.mkdir()
    run = ActionRun(inputs, workspace, temp, outputs={k: dict(v) for k, v in installed.items()})
    for step in _steps(after="install"):
        run.run_step(step)
    return run


def _estate(tmp_path: Path, variant: str) -> Path:
    workspace = tmp_path / "repo"
    shutil.copytree(ESTATE / variant, workspace)
    return workspace


def _sarif_rule_ids(path: Path) -> set[str]:
    sarif = json.loads(path.read_text("utf-8"))
    assert sarif["version"] == "2.1.0"
    return {result["ruleId"] for run in sarif["runs"] for result in run["results"]}


def test_action_interface() -> None:
    inputs = ACTION["inputs"]
    assert {k: v.get("default") for k, v in inputs.items()} == {
        "plan": "failback.yaml",
        "formats": "sarif",
        "fail-on": "high",
        "sarif-upload": "true",
        "working-directory": ".",
        "version": "",
        "args": "",
        "python-version": "3.12",
    }
    assert ACTION["runs"]["using"] == "composite"
    assert set(ACTION["outputs"]) == {"exit-code", "sarif-file", "reports"}
    for step in ACTION["runs"]["steps"]:
        # inputs reach scripts through env:, never pasted into the script (script injection)
        assert "${{" not in step.get("run", ""), step


@pytest.mark.slow
def test_action_ready_estate_passes_and_uploads_sarif(
    installed: Mapping[str, dict[str, str]], tmp_path: Path
) -> None:
    workspace = _estate(tmp_path, "ready")
    run = run_action(installed, workspace, formats="sarif, junit", args=f"--now {NOW}")
    assert not run.failed, [(r.id, r.code, r.stderr[-500:]) for r in run.results]
    assert run.outputs["check"]["exit-code"] == "0"
    sarif = workspace / "failback.sarif"
    assert run.outputs["check"]["sarif-file"] == str(sarif)
    assert run.outputs["check"]["reports"] == f"{sarif} {workspace / 'failback.junit.xml'}"
    assert _sarif_rule_ids(sarif) == set()
    assert ET.parse(workspace / "failback.junit.xml").getroot().tag in ("testsuites", "testsuite")
    assert run.uploads == [{"sarif_file": str(sarif), "category": "failback-checker"}]
    assert "failback-checker: plan payments-platform" in run.step("check").stdout  # text report
    assert run.step("verdict").stdout.strip() == "failback-checker: ready"


@pytest.mark.slow
def test_action_faulted_estate_fails_with_exit_1_after_uploading(
    installed: Mapping[str, dict[str, str]], tmp_path: Path
) -> None:
    workspace = _estate(tmp_path, "faulted")
    run = run_action(installed, workspace, args=f"--now {NOW}")
    assert run.outputs["check"]["exit-code"] == "1"
    assert run.step("check").code == 0  # the verdict step, after the upload, fails the action
    assert run.exit_code == 1 and run.failed
    assert "::error::failback-checker: not ready (exit 1" in run.step("verdict").stdout
    assert len(run.uploads) == 1
    assert {"ENC-002", "NET-002", "WA-001"} <= _sarif_rule_ids(workspace / "failback.sarif")


@pytest.mark.slow
def test_action_github_annotations_no_upload_and_fail_on(
    installed: Mapping[str, dict[str, str]], tmp_path: Path
) -> None:
    workspace = _estate(tmp_path, "faulted")
    run = run_action(
        installed,
        workspace,
        formats="github,json",
        **{"sarif-upload": "false", "fail-on": "critical"},
        args=f"--now {NOW} --phase failover",
    )
    check = run.step("check")
    assert check.stdout.startswith("::"), check.stdout[:300]
    assert run.uploads == []
    assert run.outputs["check"]["sarif-file"] == ""
    report = json.loads((workspace / "failback.json").read_text("utf-8"))
    assert report
    assert run.exit_code == int(run.outputs["check"]["exit-code"])


@pytest.mark.slow
def test_action_input_error_keeps_exit_2_and_skips_upload(
    installed: Mapping[str, dict[str, str]], tmp_path: Path
) -> None:
    workspace = _estate(tmp_path, "ready")
    (workspace / "sub").mkdir()
    run = run_action(installed, workspace, plan="missing.yaml", **{"working-directory": "sub"})
    assert run.outputs["check"]["exit-code"] == "2"
    assert "failback: error: " in run.step("check").stderr
    assert run.uploads == []
    assert run.exit_code == 2
    assert "usage or input error (exit 2)" in run.step("verdict").stdout


# -- GitLab CI -----------------------------------------------------------------------------------


def _gitlab_job(name: str = "failback") -> dict[str, Any]:
    job = dict(GITLAB[name])
    base = dict(GITLAB[job.pop("extends")])
    variables = {**base.get("variables", {}), **job.get("variables", {})}
    return {**base, **job, "variables": variables}


def _gitlab_env(tmp: Path, **variables: str) -> dict[str, str]:
    """The job's variables as the runner exports them; `python` is the image's Python."""
    bin_dir = tmp / "image-bin"
    bin_dir.mkdir(exist_ok=True)
    if not (bin_dir / "python").exists():
        (bin_dir / "python").symlink_to(BASE_PYTHON)
    env = _clean_env(**{k: str(v) for k, v in _gitlab_job()["variables"].items()})
    env.update(variables)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


def _gitlab_run(lines: list[str], cwd: Path, env: Mapping[str, str]) -> StepResult:
    """The runner joins a job's lines into one script that stops at the first failing line."""
    script = "set -eo pipefail\n" + "\n".join(lines) + "\n"
    run = subprocess.run(
        ["bash", "-c", script],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    return StepResult("script", run.returncode, run.stdout, run.stderr)


@pytest.fixture(scope="module")
def gitlab_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """before_script once: this checkout and its runtime lock, as FAILBACK_CHECKER_* name them."""
    tmp = tmp_path_factory.mktemp("gitlab")
    env = _gitlab_env(
        tmp,
        FAILBACK_CHECKER_REQUIREMENT=str(ROOT),
        FAILBACK_CHECKER_LOCK=str(ROOT / "requirements" / "runtime.txt"),
        FAILBACK_CHECKER_VENV=str(tmp / "venv"),
    )
    run = _gitlab_run(_gitlab_job()["before_script"], tmp, env)
    assert run.code == 0, run.stderr[-3000:]
    assert run.stdout.splitlines()[0].startswith("failback, version ")
    yield env


def test_gitlab_template_shape() -> None:
    job = _gitlab_job()
    assert job["stage"] == "test" and job["image"].startswith("python:3.")
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["reports"] == {"junit": "failback.junit.xml"}
    assert any("--require-hashes" in line for line in job["before_script"])


@pytest.mark.slow
@pytest.mark.parametrize(("variant", "code"), [("ready", 0), ("faulted", 1)])
def test_gitlab_job_runs_on_the_fixture_estates(
    gitlab_env: dict[str, str], tmp_path: Path, variant: str, code: int
) -> None:
    workspace = _estate(tmp_path, variant)
    env = {**gitlab_env, "FAILBACK_PLAN": "failback.yaml", "FAILBACK_CHECKER_ARGS": f"--now {NOW}"}
    run = _gitlab_run(_gitlab_job()["script"], workspace, env)
    assert run.code == code, run.stderr[-2000:]
    job = _gitlab_job()
    for artifact in job["artifacts"]["paths"]:
        assert (workspace / artifact).is_file(), artifact
    suites = ET.parse(workspace / job["artifacts"]["reports"]["junit"]).getroot()
    failures = sum(int(s.get("failures", "0")) for s in suites.iter("testsuite"))
    assert (failures > 0) == (code == 1)
    assert (_sarif_rule_ids(workspace / "failback.sarif") != set()) == (code == 1)
