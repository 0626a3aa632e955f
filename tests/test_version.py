"""`failback --version`: the tool, the policy library, the embedded engine and OPA (issue #17)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import checker

from .conftest import ROOT
from .opa_support import tool


def _version(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "checker", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )


def _env(path: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FAILBACK_OPA_BIN"}
    return {**env, "PATH": path, **extra}


def test_version_names_tool_policy_library_and_engines(tmp_path: Path) -> None:
    run = _version(_env(str(tmp_path)))  # an empty PATH dir: no opa
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"failback, version {checker.__version__}"
    assert re.fullmatch(
        rf"policy library failback-checker-{re.escape(checker.__version__)} "
        r"\(\d+ modules, sha256 [0-9a-f]{16}\)",
        lines[1],
    )
    regorus = metadata.version("gordon-to-regorus")
    assert lines[2] == f"engine embedded: regorus (gordon-to-regorus {regorus})"
    assert lines[3] == "engine opa: not configured (no opa on PATH, FAILBACK_OPA_BIN unset)"
    assert lines[4].startswith("python 3.")
    assert run.stderr == ""


def _fake_opa(directory: Path, output: str, code: int = 0) -> Path:
    opa = directory / "opa"
    opa.write_text(f"#!/bin/sh\nprintf '%s\\n' '{output}'\nexit {code}\n")
    opa.chmod(opa.stat().st_mode | stat.S_IXUSR)
    return opa


def test_version_asks_the_configured_opa(tmp_path: Path) -> None:
    opa = _fake_opa(tmp_path, "Version: 9.8.7")
    run = _version(_env("/usr/bin:/bin", FAILBACK_OPA_BIN=str(opa)))
    assert run.returncode == 0, run.stderr
    assert f"engine opa: OPA 9.8.7 ({opa})" in run.stdout.splitlines()


def test_version_says_when_opa_gives_no_version(tmp_path: Path) -> None:
    _fake_opa(tmp_path, "boom", code=3)
    run = _version(_env(f"{tmp_path}:/usr/bin:/bin"))
    assert run.returncode == 0, run.stderr
    assert f"engine opa: {tmp_path / 'opa'} gave no version (exit 3)" in run.stdout


@pytest.mark.opa
def test_version_of_the_real_opa() -> None:
    binary = tool("opa")
    run = _version(_env(os.environ["PATH"], FAILBACK_OPA_BIN=binary))
    assert re.search(rf"^engine opa: OPA \d+\.\d+\.\d+ \({re.escape(binary)}\)$", run.stdout, re.M)


def test_version_digest_follows_the_policy_modules() -> None:
    from checker.cli.version import policy_library_line

    line = policy_library_line()
    modules = [p for p in (ROOT / "policies").rglob("*.rego") if not p.name.endswith("_test.rego")]
    assert f"({len(modules)} modules, sha256 " in line


def test_version_does_not_import_an_engine() -> None:
    """--version stays cheap: no engine, jsonschema or boto3 import (the pre-commit path)."""
    code = (
        "import sys\n"
        "from checker.cli import main\n"
        "try:\n"
        "    main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('regorus', 'opa_client', 'jsonschema', 'boto3', 'deepdiff')\n"
        "         if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert run.returncode == 0, run.stderr
    assert "HEAVY []" in run.stdout
