"""`make demo` on a fresh machine: scripts/demo.sh in a copy of the checkout without .venv installs
the runtime lock only (no test toolchain), prints its steps, judges both estates, and a second
run installs nothing (issue #17: the demo took ~3 minutes silently and built a 508 MB venv)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT

COPIED = ["pyproject.toml", "README.md", "LICENSE", "requirements", "checker", "policies"]


def _fresh_checkout(tmp_path: Path) -> Path:
    repo = tmp_path / "clone"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=ignore)
        else:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    (repo / "scripts").mkdir()
    for script in ("bootstrap.sh", "demo.sh"):
        shutil.copy2(ROOT / "scripts" / script, repo / "scripts" / script)
    shutil.copytree(ROOT / "fixtures" / "estate", repo / "fixtures" / "estate")
    return repo


def _run(repo: Path, *command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAILBACK_")}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        ["bash", *command],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )


@pytest.mark.slow
def test_demo_installs_the_runtime_lock_only_and_shows_progress(tmp_path: Path) -> None:
    repo = _fresh_checkout(tmp_path)
    demo = _run(repo, "scripts/demo.sh")
    assert demo.returncode == 0, demo.stderr[-3000:]
    progress = [line for line in demo.stderr.splitlines() if line.startswith("bootstrap: ")]
    patterns = [
        r"bootstrap: \[1/3\] creating \.venv with Python 3\.\d+\.\d+ \(\d+ s\)",
        r"bootstrap: \[2/3\] installing \d+ locked packages \(requirements/runtime\.txt, "
        r"hash-checked; a first run downloads them\) \(\d+ s\)",
        r"bootstrap: \[3/3\] installing failback-checker from this checkout \(editable\) \(\d+ s\)",
        r"bootstrap: done: runtime tools in \.venv \(\d+ s\)",
    ]
    assert len(progress) == len(patterns), progress
    for line, pattern in zip(progress, patterns, strict=True):
        assert re.fullmatch(pattern, line), line
    assert "(requirements/runtime.txt, hash-checked" in progress[1]
    assert "exit code 0 (ready)" in demo.stdout
    assert "exit code 1 (1 = not ready, as expected)" in demo.stdout
    assert (repo / ".venv" / ".installed").read_text().startswith("runtime ")
    [site] = (repo / ".venv" / "lib").glob("python3.*/site-packages")
    for tool in ("pytest", "mypy", "moto", "ruff", "confluent_kafka", "hypothesis"):
        assert not (site / tool).exists(), f"the demo installed the test toolchain: {tool}"
    for runtime in ("regorus", "boto3", "click", "yaml"):
        assert (site / runtime).exists(), runtime

    again = _run(repo, "scripts/bootstrap.sh", "runtime")
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")


def test_bootstrap_refuses_an_unknown_level(tmp_path: Path) -> None:
    repo = _fresh_checkout(tmp_path)
    run = _run(repo, "scripts/bootstrap.sh", "everything")
    assert run.returncode == 2
    assert run.stderr == "bootstrap: unknown level 'everything' (use dev or runtime)\n"
    assert not (repo / ".venv").exists()
