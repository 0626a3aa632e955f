"""docs/start/walkthrough.md, run as written: from an empty git repository to `failback init`,
`validate`, `check` and a pre-commit hook that passes on the ready estate and fails on the
faulted one, with exact exit codes.

The page marks what is run with HTML comments before a fenced block:
  <!-- walkthrough: run -->            the block runs with `bash -e` at the repository root,
                                       and must exit 0
  <!-- walkthrough: run, exit N -->    ... and must exit N
  <!-- walkthrough: file PATH -->      the block is written to PATH
Every block runs in order in one temporary repository; `$FAILBACK_CHECKER` is this checkout.
Two changes, both stated on the page, keep the run reproducible and offline from GitHub:
`failback check` gets `--now` (the fixtures' capture time ages), and the pre-commit
configuration points at this checkout (committed in a repository of its own, as
tests/infra/test_precommit.py does) instead of a release, with --now in the hook's args.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ..conftest import ROOT
from .conftest import NOW
from .test_precommit import NEEDS_TOOLS, HookRepo, _git
from .test_precommit import hook_repo as hook_repo

PAGE = ROOT / "docs" / "start" / "walkthrough.md"
_BLOCK = re.compile(
    r"<!-- walkthrough: (?P<what>run(?:, exit (?P<code>\d+))?|file (?P<path>[^ ]+)) -->\n"
    r"```[a-z]*\n(?P<body>.*?)```",
    re.DOTALL,
)
# the action's inputs (action.yml)
ACTION_INPUTS = frozenset(
    {
        "plan",
        "formats",
        "fail-on",
        "sarif-upload",
        "working-directory",
        "version",
        "args",
        "python-version",
    }
)


@dataclass(frozen=True)
class Block:
    kind: str  # run or file
    body: str
    exit_code: int = 0
    path: str = ""


def blocks() -> list[Block]:
    text = PAGE.read_text()
    found = []
    for match in _BLOCK.finditer(text):
        if match["path"]:
            found.append(Block("file", match["body"], path=match["path"]))
        else:
            found.append(Block("run", match["body"], int(match["code"] or 0)))
    # every marker is followed by its block: none is silently skipped
    markers = [line for line in text.splitlines() if line.startswith("<!-- walkthrough:")]
    assert len(found) == len(markers)
    return found


def test_the_page_marks_its_steps() -> None:
    found = blocks()
    runs = [b for b in found if b.kind == "run"]
    assert any("failback init " in b.body for b in runs)
    assert any("failback validate" in b.body for b in runs)
    assert [b.exit_code for b in runs if "pre-commit run --all-files" in b.body] == [0, 1, 0]
    files = {b.path: b.body for b in found if b.kind == "file"}
    config = yaml.safe_load(files[".pre-commit-config.yaml"])
    hook_ids = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for h in config["repos"][0]["hooks"]} <= hook_ids
    workflow = yaml.safe_load(files[".github/workflows/failback.yml"])
    steps = workflow["jobs"]["failback"]["steps"]
    action = next(s for s in steps if "failback-checker@" in s.get("uses", ""))
    inputs = set(action["with"])
    assert inputs <= ACTION_INPUTS
    if (ROOT / "action.yml").exists():  # the composite action, when this checkout has it
        assert inputs <= set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    assert workflow["permissions"]["security-events"] == "write"  # SARIF upload


def _bin(directory: Path) -> Path:
    """`failback` and `pre-commit` commands running this checkout's code."""
    directory.mkdir()
    for name, module in (("failback", "checker"), ("pre-commit", "pre_commit")):
        path = directory / name
        path.write_text(
            f'#!/bin/sh\nPYTHONPATH="{ROOT}${{PYTHONPATH:+:$PYTHONPATH}}" '
            f'exec "{sys.executable}" -m {module} "$@"\n'
        )
        path.chmod(0o755)
    return directory


def _pinned(body: str) -> str:
    return re.sub(r"\bfailback check\b", f"failback check --now {NOW}", body)


def _local_hooks(body: str, hook: HookRepo) -> str:
    config = yaml.safe_load(body)
    repo = config["repos"][0]
    assert repo["repo"].startswith("https://github.com/")
    repo["repo"], repo["rev"] = str(hook.path), hook.rev
    for entry in repo["hooks"]:
        if entry["id"] == "failback-check":
            entry["args"] = ["--format", "short", "--now", NOW]
    return yaml.safe_dump(config, sort_keys=False)


@NEEDS_TOOLS
@pytest.mark.slow
def test_the_walkthrough_runs_as_written(hook_repo: HookRepo, tmp_path: Path) -> None:
    repo = tmp_path / "payments-infra"
    repo.mkdir()
    env = dict(hook_repo.env)
    env["PATH"] = f"{_bin(tmp_path / 'bin')}{os.pathsep}{env.get('PATH', '')}"
    env["FAILBACK_CHECKER"] = str(ROOT)
    env.pop("PYTHONPATH", None)
    for number, block in enumerate(blocks()):
        if block.kind == "file":
            target = repo / block.path
            target.parent.mkdir(parents=True, exist_ok=True)
            body = block.body
            if block.path == ".pre-commit-config.yaml":
                body = _local_hooks(body, hook_repo)
            target.write_text(body)
            continue
        run = subprocess.run(
            ["bash", "-e", "-c", _pinned(block.body)],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        output = run.stdout + run.stderr
        assert run.returncode == block.exit_code, (number, block.body, output[-3000:])
        assert "Traceback" not in output
        if "failback init" in block.body:
            assert "failback: wrote failback.yaml" in output
        if "pre-commit run" in block.body and block.exit_code == 0:
            assert re.search(r"failback-check \(Kafka failback readiness\)\.+Passed", output)
        if "pre-commit run" in block.body and block.exit_code == 1:
            assert re.search(r"failback-check \(Kafka failback readiness\)\.+Failed", output)
            assert "WA-002 high User:fraud-scorer on fraud [secondary]" in output
    # the end state: the drafted plan committed with its hooks, the SARIF report written
    assert _git(repo, env, "log", "--oneline").stdout.count("\n") == 1
    assert "# guess:" in (repo / "failback.yaml").read_text()
    sarif = json.loads((repo / "failback.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] == []
