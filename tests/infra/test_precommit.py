"""The pre-commit hooks as a user installs them: this checkout (with its uncommitted work) cloned
into a git repo at a commit, the real pre-commit tool installing the hook's environment from the
package index, and temporary infra repos whose commits the hook accepts or rejects."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from ..conftest import ROOT
from .conftest import NOW, PLAN, STRIMZI, TERRAFORM, edit_plan

HOOKS = ROOT / ".pre-commit-hooks.yaml"
CLUSTER = "module.usw2.aws_msk_cluster.this"
NEEDS_TOOLS = pytest.mark.skipif(
    importlib.util.find_spec("pre_commit") is None or shutil.which("git") is None,
    reason="needs git and pre-commit (pip install failback-checker[dev])",
)


def _hooks() -> dict[str, dict[str, object]]:
    return {h["id"]: h for h in yaml.safe_load(HOOKS.read_text())}


def test_hook_definitions() -> None:
    hooks = _hooks()
    check, validate = hooks["failback-check"], hooks["failback-validate"]
    assert (
        check["entry"],
        check["language"],
        check["pass_filenames"],
        check["require_serial"],
    ) == ("failback check", "python", False, True)
    assert check["args"] == ["--format", "short"]
    assert (validate["entry"], validate["language"], validate["pass_filenames"]) == (
        "failback validate",
        "python",
        True,
    )
    # failback-check runs on every commit: no `files:` pattern can know every file a plan
    # refers to (us-east-1.json, *.tfplan.json, manifests, waivers); see the hook's comments
    assert check["always_run"] is True
    assert "files" not in check
    validates = re.compile(str(validate["files"]))
    for name in (
        "failback.yaml",
        "ops/failback.yml",
        "snapshots/us-east-1.json",
        "dr.snapshot.json",
    ):
        assert validates.search(name), name
    for name in ("payments.tfplan.json", "k8s/kafka.yaml", "my-failback.yaml"):
        assert not validates.search(name), name


@dataclass(frozen=True)
class HookRepo:
    path: Path
    rev: str
    env: Mapping[str, str]


def _git(cwd: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    """This checkout as a user's clone would see it once committed: tracked and untracked,
    non-ignored files, committed in a fresh repository. One PRE_COMMIT_HOME for the module, so
    the hook environment is installed once."""
    base = tmp_path_factory.mktemp("precommit")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        PRE_COMMIT_HOME=str(base / "home"),
        PRE_COMMIT_COLOR="never",
        GIT_AUTHOR_NAME="Infra Dev",
        GIT_AUTHOR_EMAIL="dev@example.com",
        GIT_COMMITTER_NAME="Infra Dev",
        GIT_COMMITTER_EMAIL="dev@example.com",
    )
    listed = _git(ROOT, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    hook = base / "failback-checker"
    if listed.returncode == 0:
        for name in filter(None, listed.stdout.split("\0")):
            source = ROOT / name
            if source.is_file():
                (hook / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, hook / name)
    else:  # not a git checkout: copy the tree without local state
        shutil.copytree(
            ROOT,
            hook,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", ".cache", "*_cache", "__pycache__", "test-artifacts"
            ),
        )
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "failback-checker")):
        result = _git(hook, env, *args)
        assert result.returncode == 0, result.stderr
    rev = _git(hook, env, "rev-parse", "HEAD").stdout.strip()
    return HookRepo(hook, rev, env)


def _infra_repo(hook: HookRepo, target: Path, sources: list[Path]) -> Path:
    target.mkdir()
    for source in sources:
        if source.is_dir():
            shutil.copytree(source, target / source.name)
        else:
            shutil.copy2(source, target / source.name)
    config = {
        "repos": [
            {
                "repo": str(hook.path),
                "rev": hook.rev,
                "hooks": [
                    # --now keeps rehearsal and snapshot ages reproducible;
                    # a user keeps the default args
                    {"id": "failback-check", "args": ["--format", "short", "--now", NOW]},
                    {"id": "failback-validate"},
                ],
            }
        ]
    }
    (target / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    assert _git(target, hook.env, "init", "-q").returncode == 0
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=target,
        env=dict(hook.env),
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    return target


def _commit(repo: Path, hook: HookRepo, message: str) -> tuple[int, str]:
    _git(repo, hook.env, "add", "-A")
    result = _git(repo, hook.env, "commit", "-m", message)
    return result.returncode, result.stdout + result.stderr


def _commits(repo: Path, hook: HookRepo) -> int:
    return int(_git(repo, hook.env, "rev-list", "--count", "HEAD").stdout.strip() or 0)


@NEEDS_TOOLS
@pytest.mark.slow
def test_terraform_regression_is_rejected_and_the_fix_passes(
    hook_repo: HookRepo, tmp_path: Path
) -> None:
    ready = TERRAFORM / "ready"
    repo = _infra_repo(hook_repo, tmp_path / "infra", [ready / "failback.yaml", ready / PLAN])
    code, output = _commit(repo, hook_repo, "payments estate")
    assert code == 0, output
    assert re.search(r"failback-check \(Kafka failback readiness\)\.+Passed", output), output
    assert re.search(r"failback-validate \(plan and snapshot schemas\)\.+Passed", output), output

    # the intended change (a tag), with a regression slipped in: in-cluster encryption off
    def retag(values: dict[str, Any]) -> None:
        values["tags"]["cost-center"] = "payments-dr"

    def in_cluster_off(values: dict[str, Any]) -> None:
        values["encryption_info"][0]["encryption_in_transit"][0]["in_cluster"] = False

    edit_plan(repo / PLAN, CLUSTER, retag)
    edit_plan(repo / PLAN, CLUSTER, in_cluster_off)
    code, output = _commit(repo, hook_repo, "dr: cost-center tag")
    assert code == 1, output
    assert "failback-checker, phase failback: NO-GO (1 blocking, fail-on high)" in output
    assert (
        f"{PLAN}: ENC-002 high encryption.in_transit.in_cluster [secondary]: "
        "In-cluster encryption is off in the secondary but on in the primary"
    ) in output
    assert "waivers" in output  # how to waive
    assert "Traceback" not in output
    assert _commits(repo, hook_repo) == 1

    shutil.copy2(ready / PLAN, repo / PLAN)
    edit_plan(repo / PLAN, CLUSTER, retag)  # the intended change alone
    code, output = _commit(repo, hook_repo, "dr: cost-center tag")
    assert code == 0, output
    assert _commits(repo, hook_repo) == 2

    plan = repo / "failback.yaml"
    plan.write_text(plan.read_text().replace("tier: 1", "tier: first", 1))
    code, output = _commit(repo, hook_repo, "plan: a typo")
    assert code == 1, output
    assert re.search(r"failback-validate \(plan and snapshot schemas\)\.+Failed", output)
    assert "does not match the v1 schema" in output and "tier" in output


WILDCARD_USER = """---
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaUser
metadata:
  name: ops-debug
  namespace: kafka
  labels:
    strimzi.io/cluster: payments-usw2
spec:
  authentication:
    type: scram-sha-512
  authorization:
    type: simple
    acls:
      - resource: {type: topic, name: "*", patternType: literal}
        operations: [All]
"""


DEBUG_USER = WILDCARD_USER.replace("payments-usw2", "CLUSTER").replace(
    'name: "*", patternType: literal}\n        operations: [All]',
    'name: "ops.", patternType: prefix}\n        operations: [Describe]',
)


@NEEDS_TOOLS
@pytest.mark.slow
def test_strimzi_wildcard_grant_is_rejected_and_the_fix_passes(
    hook_repo: HookRepo, tmp_path: Path
) -> None:
    ready = STRIMZI / "ready"
    repo = _infra_repo(
        hook_repo,
        tmp_path / "k8s",
        [ready / "failback.yaml", ready / "us-east-1", ready / "us-west-2"],
    )
    code, output = _commit(repo, hook_repo, "payments on strimzi")
    assert code == 0, output
    users = repo / "us-west-2" / "users.yml"
    users.write_text(users.read_text() + WILDCARD_USER)
    code, output = _commit(repo, hook_repo, "debug user")
    assert code == 1, output
    # 4 x WA-001, 4 x WA-002, ACL-002 (ALL on every topic, compared as the broker decides:
    # the operations ALL allows that the primary does not) and ACL-006 (the SCRAM user exists
    # in the secondary only)
    assert "failback-checker, phase failback: NO-GO (10 blocking, fail-on high)" in output
    broader = (
        "User:ops-debug|TOPIC|ALTER,ALTER_CONFIGS,CREATE,DELETE,DESCRIBE,DESCRIBE_CONFIGS,READ|*"
    )
    # located at the wildcard rule of the ops-debug KafkaUser (the file holds several users)
    rule = (
        users.read_text()
        .splitlines()
        .index('      - resource: {type: topic, name: "*", patternType: literal}')
    )
    assert f"us-west-2/users.yml:{rule + 1}: ACL-002 high {broader} [secondary]" in output
    assert "ACL-006 high User:ops-debug [primary]" in output
    for family in ("fraud", "ledger", "notifications", "payments-core"):
        assert f"WA-002 high User:ops-debug on {family} [secondary]" in output
        assert f"WA-001 critical {family} [secondary]" in output
    # the fix: a describe-only debug user on its own prefix, in both regions
    for region in ("us-east-1", "us-west-2"):
        path = repo / region / "users.yml"
        cluster = "payments-use1" if region == "us-east-1" else "payments-usw2"
        path.write_text(
            path.read_text().replace(WILDCARD_USER, "") + DEBUG_USER.replace("CLUSTER", cluster)
        )
    code, output = _commit(repo, hook_repo, "debug user, describe only, both regions")
    assert code == 0, output
    assert _commits(repo, hook_repo) == 2
