"""The runner examples (examples/fleet/) run as written: their `failback` command lines, with
the runner's variables filled in, are accepted by the CLI and, shard by shard and merged,
give the report of an unsharded run."""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import NOW, ROOT, run_cli
from .conftest import Fleet as MakeFleet

EXAMPLES = ROOT / "examples" / "fleet"
_SHELL_END = frozenset({">", ">>", "|", "||", "&&", ";", "2>&1"})


def _commands(script: str, values: dict[str, str]) -> list[list[str]]:
    """The `failback ...` lines of a shell script, variables filled in, up to a redirection."""
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        text = line.strip()
        if not text.startswith("failback "):
            continue
        for name, value in values.items():
            text = text.replace(name, value)
        words = []
        for word in shlex.split(text):
            if word in _SHELL_END:
                break
            assert "$" not in word, f"unfilled variable in {text}"
            words.append(word)
        found.append(words)
    return found


def _expand(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        out.extend(sorted(glob.glob(word)) if "*" in word else [word])
    return out


def _workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    return loaded


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


def _run_example(
    tmp_path: Path, fleet: Path, shards: list[list[str]], merge: list[str], results: Path
) -> None:
    whole = run_cli(["fleet", "-c", str(fleet), "--now", NOW, "--format", "json"])
    for words in shards:
        assert words[:2] == ["failback", "fleet"]
        run = run_cli(words[1:])
        assert run.exit_code in (0, 1, 4), run.stderr
    run = run_cli(_expand(merge)[1:])
    assert run.exit_code == whole.exit_code == 1, run.stderr
    assert (results / "fleet.json").read_text() == whole.stdout


def test_github_actions_matrix(
    fleet_repo: MakeFleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = _workflow()
    jobs = workflow["jobs"]
    matrix = jobs["shard"]["strategy"]["matrix"]["shard"]
    count = int(workflow["env"]["SHARDS"])
    assert matrix == list(range(1, count + 1))
    assert jobs["shard"]["needs"] == "clock" and jobs["merge"]["needs"] == "shard"
    fleet = fleet_repo("ready", "faulted", "gaps", "more=faulted")
    monkeypatch.chdir(fleet.parent)
    shards = []
    for index in matrix:
        values = {
            "${{ matrix.shard }}": str(index),
            "${{ needs.clock.outputs.now }}": NOW,
            "$SHARDS": str(count),
        }
        (command,) = _commands(_runs(jobs["shard"]), values)
        shards.append(command)
        assert f"part-{index}.json" in command
    parts = Path("parts")
    parts.mkdir()
    (merge,) = _commands(_runs(jobs["merge"]), {})
    assert merge[:3] == ["failback", "fleet", "merge"]
    # the artifacts land in parts/ (download-artifact path) before the merge runs
    _run_shards_then_merge(fleet, shards, merge, parts, tmp_path)


def _run_shards_then_merge(
    fleet: Path, shards: list[list[str]], merge: list[str], parts: Path, tmp_path: Path
) -> None:
    whole = run_cli(["fleet", "-c", str(fleet), "--now", NOW, "--format", "json"])
    for words in shards:
        run = run_cli(words[1:])
        assert run.exit_code in (0, 1, 4), run.stderr
        out = Path(words[words.index("-o") + 1])
        out.rename(parts / out.name)
    run = run_cli(_expand(merge)[1:])
    assert run.exit_code == whole.exit_code == 1, run.stderr
    assert Path("fleet.json").read_text() == whole.stdout
    for name in ("fleet.sarif", "fleet.html"):
        assert Path(name).stat().st_size > 1000
    assert run.stdout.startswith("## Failback fleet: demo")  # the step summary


def test_kubernetes_indexed_job(fleet_repo: MakeFleet, tmp_path: Path) -> None:
    shard_job, merge_job = yaml.safe_load_all(
        (EXAMPLES / "kubernetes-indexed-job.yaml").read_text()
    )
    spec = shard_job["spec"]
    assert spec["completionMode"] == "Indexed"
    count = spec["completions"]
    container = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert int(env["SHARDS"]) == count
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", env["FAILBACK_NOW"])
    fleet = fleet_repo("ready", "faulted", "gaps", "more=faulted")
    results = tmp_path / "results"
    results.mkdir()
    paths = {"/fleet/": f"{fleet.parent}/", "/results/": f"{results}/"}
    shards = []
    for index in range(count):
        values = {
            "$((JOB_COMPLETION_INDEX + 1))": str(index + 1),
            "$JOB_COMPLETION_INDEX": str(index),
            "$SHARDS": env["SHARDS"],
            "$FAILBACK_NOW": NOW,
            **paths,
        }
        (command,) = _commands(container["args"][0], values)
        shards.append(command)
    merge_container = merge_job["spec"]["template"]["spec"]["containers"][0]
    (merge,) = _commands(merge_container["args"][0], paths)
    _run_example(tmp_path, fleet, shards, merge, results)


def test_the_fleet_page_shows_the_examples_as_they_are() -> None:
    page = (ROOT / "docs" / "fleet.md").read_text("utf-8")
    for name in ("github-actions.yml", "kubernetes-indexed-job.yaml"):
        assert f"```yaml\n{(EXAMPLES / name).read_text('utf-8')}```" in page, name
