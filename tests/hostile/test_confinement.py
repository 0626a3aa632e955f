"""Paths in a plan stay inside the plan's repository (its git work tree, else its directory).

A plan names snapshots, Terraform plans, Strimzi manifests, Kafka properties and MirrorMaker 2
files, secret files (`@PATH` in a Kafka source's config) and a waiver file; none of them may
leave the repository unless the user passes --allow-outside-repo. Paths on the command line are
the user's own.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ESTATE, NOW, ROOT, Run, assert_one_line_error
from tests.opa_support import opa_server

STRIMZI = ROOT / "fixtures" / "strimzi" / "ready"
KAFKA_SOURCE = {"type": "kafka", "bootstrap": "127.0.0.1:1"}


@pytest.fixture(scope="module")
def opa_url() -> Iterator[str]:
    with opa_server() as url:
        yield url


def _plan(directory: Path, edit: Callable[[dict[str, Any]], None], source: Path = ESTATE) -> Path:
    """The ready estate's plan (and files) copied into `directory`, then edited."""
    shutil.copytree(source / "ready" if source == ESTATE else source, directory)
    path = directory / "failback.yaml"
    document = yaml.safe_load(path.read_text())
    edit(document)
    path.write_text(yaml.safe_dump(document))
    return path


def _primary(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(document: dict[str, Any]) -> None:
        region = document["regions"]["primary"]
        region.pop("snapshot", None)
        region[key] = value

    return edit


def _check(cli: Callable[[list[str]], Run], plan: Path, *extra: str) -> Run:
    return cli(["check", "-c", str(plan), "--now", NOW, "--format", "json", *extra])


# (probe, the edit, the plan key the error names, the path it names)
ESCAPES: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "snapshot-dotdot",
        _primary("snapshot", "../../etc/passwd"),
        "regions.primary.snapshot",
        "../../etc/passwd",
    ),
    (
        "snapshot-absolute",
        _primary("snapshot", "/etc/passwd"),
        "regions.primary.snapshot",
        "/etc/passwd",
    ),
    (
        "terraform-plan",
        _primary("source", {"type": "terraform", "plan": "../plan.json"}),
        "regions.primary.source.plan",
        "../plan.json",
    ),
    (
        "strimzi-root",
        _primary("source", {"type": "strimzi", "paths": ["us-east-1", "/"]}),
        "regions.primary.source.paths[1]",
        "/",
    ),
    (
        "strimzi-path-string",
        _primary("source", {"type": "strimzi", "path": "/"}),
        "regions.primary.source.path[0]",
        "/",
    ),
    (
        "kafka-command-config",
        _primary("source", {**KAFKA_SOURCE, "command_config": "/etc/shadow"}),
        "regions.primary.source.command_config",
        "/etc/shadow",
    ),
    (
        "kafka-mm2-config",
        _primary("source", [{**KAFKA_SOURCE, "mm2_config": "../mm2.properties"}]),
        "regions.primary.source[0].mm2_config",
        "../mm2.properties",
    ),
    (
        "kafka-secret-file",
        _primary("source", {**KAFKA_SOURCE, "config": {"sasl.password": "@/etc/shadow"}}),
        "regions.primary.source.config.sasl.password",
        "/etc/shadow",
    ),
    ("waivers", lambda d: d.update(waivers="../../w.yaml"), "waivers", "../../w.yaml"),
]


@pytest.mark.parametrize(("probe", "edit", "key", "path"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_a_plan_path_outside_the_repository_is_refused(
    probe: str,
    edit: Callable[[dict[str, Any]], None],
    key: str,
    path: str,
    tmp_path: Path,
    cli: Callable[[list[str]], Run],
) -> None:
    plan = _plan(tmp_path / "repo", edit)
    started = time.monotonic()
    for command in ("check", "audit", "scorecard"):
        run = cli([command, "-c", str(plan), "--now", NOW])
        assert_one_line_error(run, 2, key, repr(path), "outside", "--allow-outside-repo")
        assert run.stdout == ""
        assert "root:" not in run.stderr  # nothing of /etc/passwd
    validate = cli(["validate", str(plan)])
    assert_one_line_error(validate, 2, key, "outside")
    assert time.monotonic() - started < 10  # refused up front: `/` is never walked


def test_a_symlink_out_of_the_repository_is_refused(
    tmp_path: Path, cli: Callable[[list[str]], Run]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(ESTATE / "ready" / "us-east-1.json", outside / "us-east-1.json")
    plan = _plan(tmp_path / "repo", _primary("snapshot", "linked.json"))
    (plan.parent / "linked.json").symlink_to(outside / "us-east-1.json")
    run = _check(cli, plan)
    assert_one_line_error(run, 2, "regions.primary.snapshot", "'linked.json'", "outside")


def test_a_git_work_tree_is_the_repository(
    tmp_path: Path, cli: Callable[[list[str]], Run], opa_url: str
) -> None:
    """The plan in deploy/ may name snapshots elsewhere in its work tree (`.git` a directory
    or, in a worktree, a file)."""
    repo = tmp_path / "repo"
    plan = _plan(repo / "deploy", _primary("snapshot", "../snapshots/us-east-1.json"))
    (repo / "snapshots").mkdir()
    shutil.move(plan.parent / "us-east-1.json", repo / "snapshots" / "us-east-1.json")
    assert_one_line_error(_check(cli, plan), 2, "regions.primary.snapshot", "outside")
    (repo / ".git").write_text("gitdir: /elsewhere/.git/worktrees/repo\n")
    embedded = _check(cli, plan)
    assert embedded.exit_code == 0, embedded.stderr
    opa = _check(cli, plan, "--engine", "opa", "--opa-url", opa_url)
    assert opa.exit_code == 0, opa.stderr
    assert opa.json()["decisions"] == embedded.json()["decisions"]


def test_allow_outside_repo_reads_it(
    tmp_path: Path, cli: Callable[[list[str]], Run], opa_url: str
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(ESTATE / "ready" / "us-east-1.json", shared / "us-east-1.json")
    plan = _plan(tmp_path / "repo", _primary("snapshot", "../shared/us-east-1.json"))
    embedded = _check(cli, plan, "--allow-outside-repo")
    assert embedded.exit_code == 0, embedded.stderr
    opa = _check(cli, plan, "--allow-outside-repo", "--engine", "opa", "--opa-url", opa_url)
    assert opa.exit_code == 0, opa.stderr
    assert opa.json()["decisions"] == embedded.json()["decisions"]
    assert cli(["validate", "--allow-outside-repo", str(plan)]).exit_code == 0
    scorecard = cli(["scorecard", "-c", str(plan), "--now", NOW, "--allow-outside-repo"])
    assert scorecard.exit_code == 0, scorecard.stderr


def test_paths_on_the_command_line_are_the_users_own(
    tmp_path: Path, cli: Callable[[list[str]], Run]
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shutil.copy(ESTATE / "ready" / "us-east-1.json", shared / "us-east-1.json")
    plan = _plan(tmp_path / "repo", lambda d: None)
    run = _check(cli, plan, "--primary", str(shared / "us-east-1.json"))
    assert run.exit_code == 0, run.stderr


def test_a_strimzi_walk_never_follows_a_link_out_of_its_directory(
    tmp_path: Path, cli: Callable[[list[str]], Run]
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    stolen = (
        (STRIMZI / "us-east-1" / "topics.yaml").read_text().replace("name: ", "name: stolen-", 1)
    )
    (outside / "stolen.yaml").write_text(stolen)
    plan = _plan(tmp_path / "repo", lambda d: None, source=STRIMZI)
    (plan.parent / "us-east-1" / "zz-link.yaml").symlink_to(outside / "stolen.yaml")
    export = tmp_path / "export"
    export.mkdir()
    run = _check(cli, plan, "--export-dir", str(export))
    assert run.exit_code == 0, run.stderr
    assert "stolen-" not in (export / "us-east-1.json").read_text()
    assert "links outside" in (export / "us-east-1.json").read_text()  # the warning, recorded
    assert "zz-link.yaml: it links outside" in run.stderr
