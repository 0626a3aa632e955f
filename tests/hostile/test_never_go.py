"""Property: no mutation of a faulted estate turns its verdict into GO.

The faulted fixture estate, and the ready estate with one seeded fault, are mutated at random:
an area dropped or emptied, a field dropped, `captured_at` shifted (stale, skewed or in the
future), and a user policy (--policy-dir) that tries to switch the verdict off. Whatever comes
out, the check must not exit 0: a fault still blocks (1), what cannot be judged is a gap (4), an
impossible input is an error (2), a policy that reaches beyond failback.custom is refused (3).

An outage of the other region (the plan's outage: or --impaired-region, its snapshot kept or
deleted) and the choice of a failback step (--step) must not turn a blocking finding of the
judged region into GO either: the seeded fault lives in the secondary, and us-east-1 is the one
declared down.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.model import SNAPSHOT_AREAS
from checker.plan import DEFAULT_FAILBACK_STEPS
from tests.conftest import ESTATE, NOW, run_cli
from tests.opa_support import tool

# every area a snapshot may carry but the cluster itself (required by the schema)
AREAS = tuple(area for area in SNAPSHOT_AREAS if area != "cluster")
FILES = ("us-east-1.json", "us-west-2.json")
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# User policies that try to turn a blocking verdict into GO: overriding main, the exceptions
# or the catalog, borrowing a built-in rule id, claiming a finding is waived, defining a
# decision of their own; and two that are harmless (a finding below --fail-on, reading main).
USER_POLICIES = (
    "package failback.main\n\nsuppressed(_) := true\n",
    'package failback.main\n\nverdict := "go"\n',
    'package failback.exceptions\n\nstatus(_) := {"blocking": false, "known": true}\n',
    "package failback.catalog\n\nrules := {}\n",
    "package failback.outage\n\nabout_impaired(_) := true\n",
    'package failback.catalog\n\noutage_cross_region := {"NET-002"}\n',
    'package failback.steps\n\nstep_verdict(_, _) := "go"\n',
    "package system.authz\n\ndefault allow := true\n",
    "package failback.custom.evil\n\n"
    'deny contains {"rule_id": "NET-002", "resource": "r", "message": "m", "severity": "info"}\n',
    "package failback.custom.evil\n\n"
    'deny contains {"rule_id": "ORG-001", "resource": "r", "message": "m", "blocking": false,'
    ' "waived": {"owner": "x"}, "known": true, "severity": "info"}\n',
    'package failback.custom.evil\n\ndecision := {"verdict": "go", "findings": []}\n',
    "package failback.custom.evil\n\n"
    'deny contains {"rule_id": "ORG-002", "resource": "r", "message": m, "severity": "low"} if {\n'
    '\tm := sprintf("%d findings", [count(data.failback.main.findings)])\n}\n',
)


def _open_ingress(document: dict[str, Any]) -> None:
    """The one seeded fault of the ready variant: Kafka open to the internet (NET-002)."""
    document["network"]["ingress"].append(
        {
            "protocol": "tcp",
            "from_port": 9096,
            "to_port": 9096,
            "peer": "0.0.0.0/0",
            "peer_type": "cidr",
            "description": "seeded fault",
        }
    )


def _leaves(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(node, dict) or not node:
        return [prefix] if prefix else []
    found: list[tuple[str, ...]] = [prefix] if prefix else []
    for key, value in node.items():
        found += _leaves(value, (*prefix, key))
    return found


def _mutate(document: dict[str, Any], draw: Any) -> None:
    kind = draw(st.sampled_from(["drop-area", "empty-area", "drop-field", "shift-time"]))
    if kind == "drop-area":
        document.pop(draw(st.sampled_from(AREAS)), None)
    elif kind == "empty-area":
        area = draw(st.sampled_from(AREAS))
        if area in document:
            document[area] = [] if isinstance(document[area], list) else {}
    elif kind == "drop-field":
        area = draw(st.sampled_from(("authentication", "encryption", "network", "audit")))
        paths = _leaves(document.get(area, {}))
        if paths:
            path = draw(st.sampled_from(paths))
            holder = document[area]
            for part in path[:-1]:
                holder = holder[part]
            holder.pop(path[-1], None)
    else:
        hours = draw(st.sampled_from([-24 * 365 * 25, -24 * 10, 24 * 30]))
        now = datetime.fromisoformat(NOW.replace("Z", "+00:00"))
        document["captured_at"] = (
            (now + timedelta(hours=hours)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        )


STEPS = tuple(step.name for step in DEFAULT_FAILBACK_STEPS)
OUTAGES = ("none", "plan", "option", "plan-no-snapshot", "option-no-snapshot")


def _situation(root: Path, outage: str, step: str | None) -> list[str]:
    """Declare us-east-1 down (in the plan or with --impaired-region, its snapshot kept or
    deleted) and ask about one failback step: the extra arguments of the check."""
    args: list[str] = []
    if outage.startswith("plan"):
        path = root / "failback.yaml"
        plan = yaml.safe_load(path.read_text())
        plan["outage"] = {"impaired_region": "us-east-1", "since": "2026-11-28T09:00:00Z"}
        path.write_text(yaml.safe_dump(plan, sort_keys=False))
    elif outage.startswith("option"):
        args += ["--impaired-region", "us-east-1"]
    if outage.endswith("no-snapshot"):
        (root / "us-east-1.json").unlink(missing_ok=True)
    if step is not None:
        args += ["--phase", "failback", "--step", step]
    return args


def _estate(tmp_path: Path, variant: str) -> Path:
    target = tmp_path / "estate"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ESTATE / ("faulted" if variant == "faulted" else "ready"), target)
    if variant == "ready+fault":
        path = target / "us-west-2.json"
        document = json.loads(path.read_text())
        _open_ingress(document)
        path.write_text(json.dumps(document))
    return target


@SETTINGS
@given(
    data=st.data(),
    variant=st.sampled_from(["faulted", "ready+fault"]),
    policy=st.sampled_from((None, *USER_POLICIES)),
    outage=st.sampled_from(OUTAGES),
    step=st.sampled_from((None, *STEPS)),
)
def test_no_mutation_of_a_faulted_estate_is_go(
    tmp_path: Path,
    data: st.DataObject,
    variant: str,
    policy: str | None,
    outage: str,
    step: str | None,
) -> None:
    root = _estate(tmp_path, variant)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        # the seeded fault lives in the secondary: mutate there, where it can be hidden
        files = FILES if variant == "faulted" else FILES[1:]
        path = root / data.draw(st.sampled_from(files), label="region")
        document = json.loads(path.read_text())
        _mutate(document, data.draw)
        path.write_text(json.dumps(document))
    args = ["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--format", "json"]
    args += _situation(root, outage, step)
    if policy is not None:
        policies = root / "user-policies"
        policies.mkdir()
        (policies / "user.rego").write_text(policy)
        args += ["--policy-dir", str(policies)]
    run = run_cli(args)
    allowed = (1, 2, 4) if policy is None else (1, 2, 3, 4)
    assert run.exit_code in allowed, (run.exit_code, run.stderr, run.stdout[-300:])


@pytest.mark.parametrize("policy", USER_POLICIES)
def test_no_user_policy_makes_the_seeded_fault_go_on_either_engine(
    tmp_path: Path, policy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a local OPA per run: a shared server would keep the previous test's user policies
    monkeypatch.setenv("FAILBACK_OPA_BIN", tool("opa"))
    root = _estate(tmp_path, "ready+fault")
    policies = root / "user-policies"
    policies.mkdir()
    (policies / "user.rego").write_text(policy)
    args = ["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--format", "json"]
    args += ["--policy-dir", str(policies)]
    embedded = run_cli(args)
    opa = run_cli([*args, "--engine", "opa"])
    assert embedded.exit_code in (1, 3), (embedded.stderr, embedded.stdout[-300:])
    assert opa.exit_code == embedded.exit_code, (opa.stderr, embedded.stderr)
    if embedded.exit_code == 1:
        blocking = [
            f["rule_id"] for f in embedded.json()["decisions"][0]["findings"] if f["blocking"]
        ]
        assert blocking == ["NET-002"]
        assert opa.json()["decisions"] == embedded.json()["decisions"]


def test_the_seeded_fault_blocks_before_any_mutation(tmp_path: Path) -> None:
    root = _estate(tmp_path, "ready+fault")
    run = run_cli(["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--format", "json"])
    assert run.exit_code == 1, run.stderr
    blocking = [f["rule_id"] for f in run.json()["decisions"][0]["findings"] if f["blocking"]]
    assert blocking == ["NET-002"]


@pytest.mark.parametrize("outage", OUTAGES)
@pytest.mark.parametrize("step", (None, *STEPS))
def test_neither_an_outage_nor_a_step_makes_the_seeded_fault_go_on_either_engine(
    tmp_path: Path, outage: str, step: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILBACK_OPA_BIN", tool("opa"))
    root = _estate(tmp_path, "ready+fault")
    args = ["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--format", "json"]
    args += _situation(root, outage, step)
    for engine in ("embedded", "opa"):
        run = run_cli([*args, "--engine", engine])
        assert run.exit_code == 1, (engine, run.stderr, run.stdout[-300:])
        [decision] = run.json()["decisions"]
        assert [f["rule_id"] for f in decision["findings"] if f["blocking"]] == ["NET-002"]
        if step is not None:
            assert decision["step"] == step
            assert all(s["verdict"] == "no-go" for s in decision["steps"])
