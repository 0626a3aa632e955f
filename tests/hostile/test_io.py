"""Reading inputs, writing outputs, and what people read: probes that once failed open.

Inputs are strict (no NaN, infinities, duplicate keys or unpaired surrogates) and read from
regular files only, bounded while reading. Outputs are written atomically, as a set, keeping
the target's mode, never replacing a device or a symlink. Names from data are escaped in every
human-readable format.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ESTATE, NOW, ROOT, Run, assert_one_line_error, run_cli

FAILBACK = [sys.executable, "-m", "checker"]


def estate(tmp_path: Path, variant: str = "faulted") -> Path:
    """A copy of a fixture estate; returns its plan."""
    target = tmp_path / variant
    shutil.copytree(ESTATE / variant, target)
    return target / "failback.yaml"


def check(plan: Path, *extra: str) -> Run:
    return run_cli(["check", "-c", str(plan), "--now", NOW, *extra])


def process(args: list[str], cwd: Path = ROOT, timeout: float = 30) -> Run:
    """The real CLI in a child process (for file descriptors, FIFOs and anything that could
    hang): a hang fails the test instead of blocking the suite."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [*FAILBACK, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


# --- 1. strict JSON and YAML ------------------------------------------------------------------

QUOTA = '"producer_byte_rate": 10485760'
ENTITY = '"entity": "User:analytics-collector"'
STRICT_JSON = {
    "nan": (QUOTA, '"producer_byte_rate": NaN', "NaN is not a JSON number"),
    "infinity": (QUOTA, '"producer_byte_rate": Infinity', "Infinity is not a JSON number"),
    "minus-infinity": (QUOTA, '"producer_byte_rate": -Infinity', "-Infinity is not a JSON"),
    "overflow": (QUOTA, '"producer_byte_rate": 1e400', "number 1e400 is out of range"),
    "surrogate": (ENTITY, '"entity": "User:\\ud800"', "unpaired UTF-16 surrogate"),
    "surrogate-key": (QUOTA, '"\\udfff": 1', "unpaired UTF-16 surrogate"),
    "duplicate-key": (
        '"region": "us-west-2"',
        '"region": "us-east-1", "region": "us-west-2"',
        'duplicate key "region"',
    ),
}


@pytest.mark.parametrize("name", sorted(STRICT_JSON))
def test_strict_json_is_an_input_error_in_check_and_validate(tmp_path: Path, name: str) -> None:
    old, new, problem = STRICT_JSON[name]
    plan = estate(tmp_path)
    snapshot = plan.parent / "us-west-2.json"
    edit(snapshot, old, new)
    where = "at $.quotas[0]" if name != "duplicate-key" else "at $"
    for run in (check(plan), run_cli(["validate", str(snapshot)])):
        assert_one_line_error(run, 2, str(snapshot), "is not valid JSON", problem, where)


def test_strict_json_names_the_place(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    snapshot = plan.parent / "us-west-2.json"
    edit(snapshot, QUOTA, '"producer_byte_rate": NaN')
    run = check(plan)
    assert_one_line_error(run, 2, "at $.quotas[0].values.producer_byte_rate")


def test_integer_over_the_conversion_limit_is_an_input_error(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    edit(plan.parent / "us-west-2.json", QUOTA, '"producer_byte_rate": 1' + "0" * 5000)
    run = check(plan)
    assert_one_line_error(run, 2, "is not valid JSON", "integer string conversion")
    assert "set_int_max_str_digits" not in run.stderr


def test_paired_surrogates_are_fine(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    edit(plan.parent / "us-west-2.json", ENTITY, '"entity": "User:\\ud83d\\ude00"')
    assert check(plan, "--format", "json").exit_code == 1


STRICT_YAML = {
    "duplicate-key": (
        "current_phase: failback\n",
        "current_phase: failback\ncurrent_phase: normal\n",
        "found duplicate key 'current_phase' (first at line 4) at line 5 column 1",
    ),
    "duplicate-nested-key": (
        "  owner: team-payments\n",
        "  owner: team-payments\n  owner: team-ledger\n",
        "found duplicate key 'owner'",
    ),
    "nan": ("  tier: 1\n", "  tier: .nan\n", ".nan is not a number"),
    "infinity": ("  tier: 1\n", "  tier: -.inf\n", "-.inf is not a number"),
}


@pytest.mark.parametrize("name", sorted(STRICT_YAML))
def test_strict_yaml_plan_is_an_input_error(tmp_path: Path, name: str) -> None:
    old, new, problem = STRICT_YAML[name]
    plan = estate(tmp_path)
    edit(plan, old, new)
    for run in (check(plan), run_cli(["validate", str(plan)])):
        assert_one_line_error(run, 2, str(plan), "is not valid YAML", problem, "line")


def test_yaml_merge_keys_may_still_be_overridden(tmp_path: Path) -> None:
    from checker.io.read import parse_yaml

    document = parse_yaml("b: &b {x: 1, y: 2}\nm:\n  <<: *b\n  x: 3\n", "t.yaml", "plan")
    assert document == {"b": {"x": 1, "y": 2}, "m": {"x": 3, "y": 2}}


def test_yaml_keys_that_are_equal_values_are_duplicates() -> None:
    from checker.errors import InputError
    from checker.io.read import parse_yaml

    with pytest.raises(InputError, match="duplicate key 1"):
        parse_yaml("m: {1: a, 01: b}\n", "t.yaml", "plan")


def test_duplicate_waiver_keys_are_an_input_error(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "schema_version: '1.0'\nwaivers:\n- rule_id: RET-001\n  rule_id: AUD-003\n"
        "  resource: '*'\n  owner: me\n  ticket: T-1\n  reason: r\n  expires: '2026-12-01'\n"
    )
    run = check(plan, "--waivers", str(waivers))
    assert_one_line_error(run, 2, str(waivers), "found duplicate key 'rule_id'", "line 4")


def test_duplicate_baseline_keys_are_an_input_error(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    baseline = tmp_path / "previous.json"
    baseline.write_text(check(plan, "--format", "json").stdout.replace("{", '{"x": 1, "x": 2, ', 1))
    run = check(plan, "--baseline", str(baseline))
    assert_one_line_error(run, 2, str(baseline), 'duplicate key "x"')


# --- 2. regular files only, bounded while reading ---------------------------------------------


def _point_snapshot_at(plan: Path, target: str) -> None:
    edit(plan, "snapshot: us-west-2.json", f"snapshot: {target}")


@pytest.mark.parametrize(
    ("target", "kind"), [("/dev/zero", "a character device"), ("/dev/null", "a character")]
)
def test_plan_naming_a_device_is_refused(tmp_path: Path, target: str, kind: str) -> None:
    plan = estate(tmp_path)
    _point_snapshot_at(plan, target)
    run = check(plan)
    assert_one_line_error(run, 2, f"snapshot {target} is {kind}", "not a regular file")


def test_committed_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    snapshot = plan.parent / "us-west-2.json"
    snapshot.unlink()
    snapshot.symlink_to("/dev/zero")
    run = check(plan)
    assert_one_line_error(run, 2, str(snapshot), "is a character device, not a regular file")


def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    fifo = plan.parent / "pipe.json"
    os.mkfifo(fifo)
    _point_snapshot_at(plan, "pipe.json")
    run = process(["check", "-c", str(plan), "--now", NOW], timeout=20)
    assert_one_line_error(run, 2, str(fifo), "is a FIFO, not a regular file")


def test_proc_file_is_read_with_a_bound(tmp_path: Path) -> None:
    """/proc files claim 0 bytes: the limit holds while reading, not from st_size."""
    from checker.errors import InputError
    from checker.io.read import read_bytes

    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(InputError, match="is more than 64 bytes, over the 64-byte limit"):
        read_bytes(Path("/proc/self/maps"), "snapshot", limit=64)
    plan = estate(tmp_path)
    _point_snapshot_at(plan, "/proc/self/status")
    run = check(plan)
    assert_one_line_error(run, 2, "snapshot /proc/self/status is not valid JSON")


@pytest.mark.parametrize("option", ["--waivers", "--baseline", "-c"])
def test_every_input_path_refuses_devices(tmp_path: Path, option: str) -> None:
    plan = estate(tmp_path)
    args = ["check", "-c", str(plan), "--now", NOW, option, "/dev/zero"]
    if option == "-c":
        args = ["check", "--now", NOW, "-c", "/dev/zero"]
    run = run_cli(args)
    assert_one_line_error(run, 2, "/dev/zero is a character device")


def test_policy_dir_refuses_a_symlink_to_a_device(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    policies = tmp_path / "custom"
    policies.mkdir()
    (policies / "zero.rego").symlink_to("/dev/zero")
    run = check(plan, "--policy-dir", str(policies))
    # only regular .rego files are policies: the device is never opened (and never read)
    assert (run.exit_code, run.stderr) == (1, "")


@pytest.mark.parametrize("fmt", ["short", "sarif"])
@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_locator_skips_what_it_cannot_read_safely(tmp_path: Path, fmt: str, special: str) -> None:
    """source.file is data: a snapshot naming /dev/zero or a FIFO gets no line, not a hang."""
    plan = estate(tmp_path)
    if special == "fifo":
        os.mkfifo(plan.parent / "manifest.yaml")
        special = "manifest.yaml"
    edit(
        plan.parent / "us-west-2.json",
        '"detail": "fixtures/generate.py"',
        f'"detail": "fixtures/generate.py", "file": "{special}"',
    )
    run = process(["check", "-c", str(plan), "--now", NOW, "--format", fmt], timeout=30)
    assert run.exit_code == 1, run.stderr
    assert run.stderr == ""
    if fmt == "sarif":
        json.loads(run.stdout)
    else:
        assert "failback-checker, phase failback: NO-GO" in run.stdout


def test_locator_reads_a_regular_source_file(tmp_path: Path) -> None:
    from checker.reports.locations import _read_lines

    regular = tmp_path / "x.txt"
    regular.write_text("a\nb\n")
    assert _read_lines(regular) == ["a", "b"]
    assert _read_lines(Path("/dev/zero")) == []
    assert _read_lines(tmp_path / "missing") == []
