"""Reading inputs, writing outputs, and what people read: probes that once failed open.

Inputs are strict (no NaN, infinities, duplicate keys or unpaired surrogates) and read from
regular files only, bounded while reading. Outputs are written atomically, as a set, keeping
the target's mode, never replacing a device or a symlink. Names from data are escaped in every
human-readable format.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from ..conftest import ESTATE, NOW, ROOT, Run, assert_one_line_error, run_cli
from ..infra.test_precommit import NEEDS_TOOLS, HookRepo, _commit, _infra_repo
from ..infra.test_precommit import hook_repo as hook_repo  # the fixture (env installed once)

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


def test_strict_yaml_keeps_the_libyaml_fast_path() -> None:
    import yaml

    from checker.io import read

    if hasattr(yaml, "CSafeLoader"):
        assert issubclass(read._LOADER, yaml.CSafeLoader)
    assert issubclass(read._LOADER, yaml.constructor.SafeConstructor)


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
    # outside the plan's repository: the reader is reached only with --allow-outside-repo
    assert_one_line_error(check(plan), 2, "regions.secondary.snapshot", "outside")
    run = check(plan, "--allow-outside-repo")
    assert_one_line_error(run, 2, f"snapshot {target} is {kind}", "not a regular file")


def test_committed_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    snapshot = plan.parent / "us-west-2.json"
    snapshot.unlink()
    snapshot.symlink_to("/dev/zero")
    assert_one_line_error(check(plan), 2, "regions.secondary.snapshot", "outside")
    run = check(plan, "--allow-outside-repo")
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
    assert_one_line_error(check(plan), 2, "regions.secondary.snapshot", "outside")
    run = check(plan, "--allow-outside-repo")
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


# --- 3. where -o writes -------------------------------------------------------------------------


def _kind_of(path: str | Path) -> str:
    mode = os.lstat(path).st_mode
    for name, test in (("link", stat.S_ISLNK), ("char", stat.S_ISCHR), ("fifo", stat.S_ISFIFO)):
        if test(mode):
            return name
    return "file" if stat.S_ISREG(mode) else "other"


def test_dev_null_stays_a_device(tmp_path: Path) -> None:
    before = os.stat("/dev/null")
    run = check(estate(tmp_path), "--format", "json", "-o", "/dev/null")
    assert (run.exit_code, run.stderr) == (1, "")
    after = os.stat("/dev/null")
    assert _kind_of("/dev/null") == "char"
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_dev_stdout_is_written_to_not_replaced(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    link = os.readlink("/dev/stdout")
    run = process(["check", "-c", str(plan), "--now", NOW, "--format", "json", "-o", "/dev/stdout"])
    assert (run.exit_code, run.stderr) == (1, "")
    assert json.loads(run.stdout)["decisions"][0]["verdict"] == "no-go"
    assert _kind_of("/dev/stdout") == "link" and os.readlink("/dev/stdout") == link


JSON_TO_STDOUT_AND_TEXT = ["--format", "json", "-o", "/dev/stdout", "--format", "text"]


def test_dev_stdout_redirected_to_a_file_keeps_the_shells_file(tmp_path: Path) -> None:
    """`failback check -o /dev/stdout > log`: the report lands in the shell's file (same inode)."""
    plan = estate(tmp_path)
    log = tmp_path / "log.txt"
    with log.open("wb") as handle:
        inode = os.fstat(handle.fileno()).st_ino
        done = subprocess.run(
            [*FAILBACK, "check", "-c", str(plan), "--now", NOW, *JSON_TO_STDOUT_AND_TEXT],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=handle,
            stderr=subprocess.PIPE,
            check=False,
            timeout=30,
        )
    assert done.returncode == 1, done.stderr
    assert os.stat(log).st_ino == inode
    text = log.read_text()
    assert text.startswith("{\n") and "failback-checker: plan payments-platform" in text


def test_dash_is_standard_output(tmp_path: Path) -> None:
    run = check(estate(tmp_path), "--format", "json", "-o", "-")
    assert run.exit_code == 1 and run.json()["decisions"][0]["verdict"] == "no-go"
    assert not (tmp_path / "-").exists() and not Path("-").exists()
    both = check(estate(tmp_path / "b"), "--format", "json", "-o", "-", "--format", "text")
    assert_one_line_error(both, 2, "formats json, text would all go to stdout")


def test_symlink_to_a_regular_file_replaces_the_file_not_the_link(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    real = tmp_path / "reports" / "latest.json"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    link = tmp_path / "report.json"
    link.symlink_to(real)
    run = check(plan, "--format", "json", "-o", str(link))
    assert (run.exit_code, run.stderr) == (1, "")
    assert _kind_of(link) == "link" and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["decisions"][0]["verdict"] == "no-go"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["latest.json"]


def test_symlink_to_a_device_writes_to_the_device(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to("/dev/null")
    run = check(estate(tmp_path), "--format", "json", "-o", str(link))
    assert (run.exit_code, run.stderr) == (1, "")
    assert _kind_of(link) == "link" and _kind_of("/dev/null") == "char"


def test_fifo_target_is_written_to(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    plan = estate(tmp_path)
    child = subprocess.Popen(
        [*FAILBACK, "check", "-c", str(plan), "--now", NOW, "--format", "json", "-o", str(fifo)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        with fifo.open("rb") as reader:
            received = reader.read()
        _, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 1, err
    assert json.loads(received)["decisions"][0]["verdict"] == "no-go"
    assert _kind_of(fifo) == "fifo"


def test_directory_target_is_an_input_error(tmp_path: Path) -> None:
    run = check(estate(tmp_path), "--format", "json", "-o", str(tmp_path))
    assert_one_line_error(run, 2, f"cannot write {tmp_path}: it is a directory")


def test_missing_directory_is_an_input_error(tmp_path: Path) -> None:
    run = check(estate(tmp_path), "--format", "json", "-o", str(tmp_path / "no" / "r.json"))
    assert_one_line_error(run, 2, "directory", "does not exist")


def _deny_under(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """Opening anything under `directory` fails as the kernel would for a non-root user."""

    real_open = os.open

    def denied(path: Any, *args: Any, **kwargs: Any) -> int:
        if str(path).startswith(str(directory)):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)  # the os module checker.io.atomic calls


def test_permission_denied_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = estate(tmp_path)
    target = tmp_path / "out" / "r.json"
    target.parent.mkdir()
    if os.geteuid() == 0:  # root may write anywhere
        _deny_under(monkeypatch, target.parent)
    else:
        target.parent.chmod(0o500)
    try:
        run = check(plan, "--format", "json", "-o", str(target))
    finally:
        target.parent.chmod(0o700)
    assert_one_line_error(run, 2, f"cannot write {target}: Permission denied")
    assert not target.exists()


# --- 4. modes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_files_honour_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    plan = estate(tmp_path)
    target = tmp_path / "r.json"
    previous = os.umask(umask)
    try:
        run = check(plan, "--format", "json", "-o", str(target))
    finally:
        os.umask(previous)
    assert run.exit_code == 1
    assert stat.S_IMODE(target.stat().st_mode) == mode


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600, 0o755])
def test_replaced_files_keep_their_mode(tmp_path: Path, mode: int) -> None:
    plan = estate(tmp_path)
    target = tmp_path / "r.json"
    target.write_text("old\n")
    target.chmod(mode)
    previous = os.umask(0o077)
    try:
        run = check(plan, "--format", "json", "-o", str(target))
    finally:
        os.umask(previous)
    assert run.exit_code == 1 and target.read_text() != "old\n"
    assert stat.S_IMODE(target.stat().st_mode) == mode


# --- 5. several -o of one run are one set -------------------------------------------------------


def _two_targets(tmp_path: Path) -> tuple[Path, Path, Path]:
    plan = estate(tmp_path)
    first, second = tmp_path / "a.json", tmp_path / "b.html"
    first.write_text("old json\n")
    second.write_text("old html\n")
    return plan, first, second


def _unchanged(tmp_path: Path, first: Path, second: Path | None = None) -> None:
    assert first.read_text() == "old json\n"
    if second is not None and second.is_file():
        assert second.read_text() == "old html\n"
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def _both(plan: Path, first: Path, second: Path) -> Run:
    return check(plan, "--format", "json", "-o", str(first), "--format", "html", "-o", str(second))


def test_set_is_written_when_all_succeed(tmp_path: Path) -> None:
    plan, first, second = _two_targets(tmp_path)
    assert _both(plan, first, second).exit_code == 1
    assert json.loads(first.read_text())["decisions"][0]["verdict"] == "no-go"
    assert second.read_text().startswith("<!DOCTYPE html>")


def test_failing_second_render_leaves_the_first_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker import reports

    def broken(*_: Any) -> str:
        raise RuntimeError("renderer failed")

    monkeypatch.setitem(reports.REPORTERS, "html", broken)
    plan, first, second = _two_targets(tmp_path)
    run = _both(plan, first, second)
    assert_one_line_error(run, 3, "internal error", "renderer failed")
    _unchanged(tmp_path, first, second)


def test_failing_second_write_leaves_the_first_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    real_fsync = os.fsync
    calls: list[int] = []

    def full_disk(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk)  # the os module checker.io.atomic calls
    plan, first, second = _two_targets(tmp_path)
    run = _both(plan, first, second)
    assert_one_line_error(run, 2, f"cannot write {second}: No space left on device")
    _unchanged(tmp_path, first, second)


@pytest.mark.parametrize("problem", ["missing-directory", "directory", "unwritable"])
def test_unusable_second_target_leaves_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    plan, first, second = _two_targets(tmp_path)
    if problem == "missing-directory":
        second = tmp_path / "missing" / "b.html"
    elif problem == "directory":
        second = tmp_path / "reports"
        second.mkdir()
    else:
        blocked = tmp_path / "blocked"
        blocked.mkdir()
        second = blocked / "b.html"
        _deny_under(monkeypatch, blocked)
    run = _both(plan, first, second)
    assert run.exit_code == 2
    assert_one_line_error(run, 2, f"cannot write {second}")
    _unchanged(tmp_path, first)


def test_same_target_twice_is_an_input_error(tmp_path: Path) -> None:
    plan, first, _ = _two_targets(tmp_path)
    run = check(plan, "--format", "json", "-o", str(first), "--format", "sarif", "-o", str(first))
    assert_one_line_error(run, 2, "are the same output")
    _unchanged(tmp_path, first)


def test_bundle_output_keeps_a_device_and_goes_to_stdout(tmp_path: Path) -> None:
    run = run_cli(["policies", "bundle", "-o", "/dev/null"])
    assert run.exit_code == 0, run.stderr
    assert _kind_of("/dev/null") == "char"
    directory = run_cli(["policies", "bundle", "-o", str(tmp_path)])
    assert_one_line_error(directory, 2, "it is a directory")
    piped = subprocess.run(
        [*FAILBACK, "policies", "bundle", "-o", "-"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=False,
        timeout=30,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout[:2] == b"\x1f\x8b"  # the gzip bundle itself; the summary on stderr
    assert piped.stderr.decode().startswith("-: ")


# --- 6. --export-dir file names ---------------------------------------------------------------


def _rename_region(plan: Path, name: str) -> None:
    edit(plan, "name: us-west-2", f"name: {json.dumps(name)}")
    snapshot = plan.parent / "us-west-2.json"
    edit(snapshot, '"region": "us-west-2"', f'"region": {json.dumps(name)}')


@pytest.mark.parametrize(
    "name", ["../escaped", "/tmp/failback-absolute", "..", ".hidden", "a/b", "x\x1by", "-rf"]
)
def test_export_dir_refuses_unsafe_region_names(tmp_path: Path, name: str) -> None:
    plan = estate(tmp_path)
    _rename_region(plan, name)
    out = tmp_path / "evidence" / "out"
    run = check(plan, "--export-dir", str(out))
    assert_one_line_error(run, 2, "--export-dir: region name", "cannot be used as a file name")
    assert not (tmp_path / "evidence").exists()
    assert not Path("/tmp/failback-absolute.json").exists()
    assert not (tmp_path / "evidence" / "escaped.json").exists()


def test_export_dir_is_created_and_holds_both_snapshots(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    out = tmp_path / "evidence" / "2026-11-29"
    run = check(plan, "--export-dir", str(out))
    assert run.exit_code == 1, run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["us-east-1.json", "us-west-2.json"]
    exported = json.loads((out / "us-west-2.json").read_text())
    assert exported == json.loads((plan.parent / "us-west-2.json").read_text())


def test_export_dir_that_is_a_file_is_an_input_error(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    target = tmp_path / "file"
    target.write_text("keep\n")
    run = check(plan, "--export-dir", str(target))
    assert_one_line_error(run, 2, f"--export-dir {target} exists and is not a directory")
    assert target.read_text() == "keep\n"


# --- 7. names from data in human-readable output ------------------------------------------------

FORGED = (
    "\x1b[2J\x1b[32mphase failback: GO\x1b[0m\n::error file=x.tf::forged\u2028"
    "\x9b31m\x1b]8;;https://evil.example\x07link\x1b]8;;\x07\u2029\u202eevil\x7f\t\r"
)
# every character `visible` escapes: C0 (tab and newline too), DEL, C1, line/paragraph
# separators, bidirectional controls
HIDDEN = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))} | set("\u2028\u2029\u202e")


def hostile_estate(tmp_path: Path, payload: str = FORGED) -> Path:
    """The faulted estate with a principal whose name carries `payload` (in the secondary, so
    WA-002 and ACL findings quote it) and a topic name with a newline and a `::` command."""
    plan = estate(tmp_path)
    snapshot = plan.parent / "us-west-2.json"
    text = snapshot.read_text()
    text = text.replace('"User:fraud-scorer"', json.dumps("User:fraud-scorer" + payload))
    text = text.replace('"ledger.entries"', json.dumps("ledger.entries\n::warning::forged"))
    snapshot.write_text(text)
    return plan


def assert_nothing_hidden(output: str) -> None:
    for line in output.split("\n"):
        assert not (set(line) & HIDDEN), repr(line)
        assert not line.lstrip().startswith("::"), line
        assert not line.startswith("phase failback: GO"), line


@pytest.mark.parametrize("fmt", ["text", "short", "markdown", "html"])
def test_formats_escape_control_characters_from_data(tmp_path: Path, fmt: str) -> None:
    run = check(hostile_estate(tmp_path), "--format", fmt)
    assert run.exit_code == 1, run.stderr
    assert_nothing_hidden(run.stdout)
    assert "\\x1b[2J\\x1b[32mphase failback: GO" in run.stdout.replace("\\\\", "\\")
    if fmt != "markdown":  # Markdown folds white space (a newline included) into one space
        assert "\\x0a" in run.stdout


def test_junit_escapes_control_characters_from_data(tmp_path: Path) -> None:
    run = check(hostile_estate(tmp_path), "--format", "junit")
    assert run.exit_code == 1
    for line in run.stdout.split("\n"):
        assert "\x1b" not in line and not line.lstrip().startswith("::"), line


def test_colour_terminal_table_escapes_data_but_keeps_its_own_colours() -> None:
    from checker.reports import RenderOptions
    from checker.reports.text import render

    from ..reports.conftest import build_report, finding, with_findings

    report = with_findings(build_report(), [finding(message=FORGED)])
    output = render(report, RenderOptions(color=True, width=400))
    assert "\x1b[1;31m" in output  # the checker's own styling
    assert "\x1b[2J" not in output and "\x1b]8" not in output and "\n::" not in output
    assert "\\x1b[2J\\x1b[32mphase failback: GO\\x1b[0m\\x0a\\x3a:error" not in output
    assert "\\x1b[2J\\x1b[32mphase failback: GO\\x1b[0m\\x0a::error file=x.tf::forged" in output


def test_a_line_never_starts_with_a_workflow_command_from_data(tmp_path: Path) -> None:
    """source.file is shown first on a `short` line: `::error ...` there would be a command."""
    plan = estate(tmp_path)
    edit(
        plan.parent / "us-west-2.json",
        '"detail": "fixtures/generate.py"',
        '"detail": "fixtures/generate.py", "file": "  ::error file=a.tf::forged"',
    )
    run = check(plan, "--format", "short")
    assert run.exit_code == 1
    assert_nothing_hidden(run.stdout)
    assert "\\x3a:error file=a.tf::forged" in run.stdout


def test_diff_escapes_control_characters(tmp_path: Path) -> None:
    plan = hostile_estate(tmp_path)
    run = run_cli(
        ["diff", str(plan.parent / "us-east-1.json"), str(plan.parent / "us-west-2.json")]
    )
    assert run.exit_code == 0, run.stderr
    assert_nothing_hidden(run.stdout)
    assert "User:fraud-scorer\\x1b[2J" in run.stdout


def test_scorecard_escapes_control_characters(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    edit(plan, "name: payments-platform", 'name: "pay\\e[2Jments\\n::error::x"')
    shown = {
        "text": "pay\\x1b[2Jments\\x0a::error::x",
        "markdown": "pay\\\\x1b\\[2Jments ::error::x",
    }
    for fmt, expected in shown.items():
        run = run_cli(["scorecard", "-c", str(plan), "--now", NOW, "--format", fmt])
        assert run.exit_code == 0, run.stderr
        assert_nothing_hidden(run.stdout)
        assert expected in run.stdout


def test_error_line_is_one_visible_line(tmp_path: Path) -> None:
    plan = estate(tmp_path)
    region = "us-west-2\x1b[2J\n::error::forged\u2028x"
    edit(plan.parent / "us-west-2.json", '"region": "us-west-2"', f'"region": {json.dumps(region)}')
    run = check(plan)
    assert_one_line_error(run, 2, "is for region us-west-2\\x1b[2J ::error::forged x")
    assert_nothing_hidden(run.stderr)


def test_validate_names_files_visibly(tmp_path: Path) -> None:
    odd = tmp_path / "x\n::error::y.json"
    shutil.copy(ESTATE / "ready" / "us-east-1.json", odd)
    run = run_cli(["validate", str(odd)])
    assert run.exit_code == 0
    assert run.stdout == (
        f"{tmp_path}/x\\x0a::error::y.json: valid snapshot "
        "(region us-east-1, captured 2026-11-28T09:00:00Z)\n"
    )


def test_visible_escapes() -> None:
    from checker.reports.escape import visible

    assert visible("a\x1bb\nc\u2028\x9b\x7f") == "a\\x1bb\\x0ac\\u2028\\x9b\\x7f"
    assert visible("::error::x") == "\\x3a:error::x"
    assert visible(" \u00a0::x") == " \u00a0\\x3a:x"
    assert visible("a::b") == "a::b"
    assert visible("payments.orders") == "payments.orders"
    assert visible("\U0001f600 é ü") == "\U0001f600 é ü"


# --- 8. Markdown for pull-request comments -----------------------------------------------------

MD_PAYLOAD = (
    "<img src=x onerror=alert(1)> <b>bold</b> **strong** __strong__ *em* _em_ "
    "[link](https://evil.example) ![i](https://evil.example/i.png) <https://evil.example> "
    "``code`` ` ~~gone~~ https://evil.example www.evil.example a@evil.example $x$ &lt; #h"
)


def _markdown_html(tmp_path: Path, payload: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    plan = hostile_estate(tmp_path, payload)
    edit(plan, "name: payments-platform", f"name: {json.dumps('plan ' + payload)}")
    run = check(plan, "--format", "markdown")
    assert run.exit_code == 1, run.stderr
    assert "more findings not shown" not in run.stdout  # the same findings in both renderings
    renderer = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    html: str = renderer.render(run.stdout)
    return html


def _tags(html: str) -> dict[str, int]:
    names = ("<img", "<a ", "<b>", "<strong>", "<em>", "<code>", "<s>", "<del>", "<script")
    return {name: html.count(name) for name in names}


def test_markdown_renders_no_html_link_or_emphasis_from_data(tmp_path: Path) -> None:
    benign = _markdown_html(tmp_path / "benign", "PAYLOAD")
    hostile = _markdown_html(tmp_path / "hostile", MD_PAYLOAD)
    assert _tags(hostile) == _tags(benign)
    assert _tags(hostile)["<img"] == _tags(hostile)["<a "] == 0
    # the payload is shown as text, in code spans and outside them
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile
    assert "**strong**" in hostile and "[link](https://evil.example)" in hostile


def test_markdown_code_span_holds_any_backtick_run() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    from checker.reports.markdown import code

    renderer = markdown_it.MarkdownIt("commonmark")
    for value in ["a`b", "``x", "x``", "`", "a ``` b", "`a`", "<b>x</b>", "a|b", "**x**"]:
        tokens = renderer.parseInline(code(value))[0].children
        assert [t.type for t in tokens] == ["code_inline"], value
        assert tokens[0].content == value, value


def test_markdown_text_is_literal() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    from checker.reports.markdown import text

    renderer = markdown_it.MarkdownIt("commonmark").enable(["strikethrough"])
    for value in [MD_PAYLOAD, "a\\*b\\", "_x_", "1. not a list", "\\`"]:
        tokens = renderer.parseInline(text(value))[0].children
        assert {t.type for t in tokens} <= {"text"}, (value, [t.type for t in tokens])
        assert "".join(t.content for t in tokens) == " ".join(value.split()), value


def test_markdown_breaks_github_autolinks() -> None:
    from checker.reports.markdown import text

    escaped = text("see https://evil.example and www.evil.example or a@evil.example")
    assert "https\\://evil" in escaped and "www\\.evil" in escaped and "a\\@evil" in escaped


# --- 9. JUnit XML -------------------------------------------------------------------------------


def test_junit_with_control_characters_in_the_plan_name_is_well_formed(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    plan = hostile_estate(tmp_path, "\x01\x08\x0b\x0c\x1f\ufffe\x1b[31m<b>&</b>]]>")
    edit(plan, "name: payments-platform", 'name: "pay\\x01ments\\x0b\\e[2J <x> & ]]>"')
    run = check(plan, "--format", "junit", "--phase", "all")
    assert run.exit_code == 1, run.stderr
    root = ET.fromstring(run.stdout.encode("utf-8"))
    assert root.get("name") == "failback-checker pay\\x01ments\\x0b\\x1b[2J <x> & ]]>"
    xmlschema = pytest.importorskip("xmlschema")
    xmlschema.XMLSchema(str(ROOT / "tests" / "schemas" / "junit.xsd")).validate(run.stdout)


def test_junit_cleans_surrogates_and_non_characters() -> None:
    import xml.etree.ElementTree as ET

    from checker.reports import REPORTERS

    from ..reports.conftest import build_report, finding, with_findings

    report = with_findings(build_report(), [finding(message="a\ud800b\ufffec\x00d")])
    output = REPORTERS["junit"](report)
    root = ET.fromstring(output.encode("utf-8"))
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None
    assert "a\ufffdb\ufffdc\ufffdd" in (failure.get("message") or "")


# --- 10. the shipped pre-commit hook on the README's layout -------------------------------------


@NEEDS_TOOLS
@pytest.mark.slow
def test_precommit_hook_runs_for_the_readme_layout(hook_repo: HookRepo, tmp_path: Path) -> None:
    """failback.yaml, us-east-1.json and us-west-2.json at the top of an infra repo: staging a
    faulted snapshot alone must run the check and reject the commit, never print Skipped."""
    ready = ESTATE / "ready"
    names = ("failback.yaml", "us-east-1.json", "us-west-2.json")
    repo = _infra_repo(hook_repo, tmp_path / "infra", [ready / name for name in names])
    code, output = _commit(repo, hook_repo, "payments estate")
    assert code == 0, output
    assert re.search(r"failback-check \(Kafka failback readiness\)\.+Passed", output), output

    shutil.copy2(ESTATE / "faulted" / "us-west-2.json", repo / "us-west-2.json")
    code, output = _commit(repo, hook_repo, "dr: refresh the secondary's snapshot")
    assert code == 1, output
    assert re.search(r"failback-check \(Kafka failback readiness\)\.+Failed", output), output
    assert "failback-checker, phase failback: NO-GO" in output
    assert "us-west-2.json:4747: NET-002 critical" in output
    assert "Skipped" not in output.split("failback-validate")[0]

    shutil.copy2(ready / "us-west-2.json", repo / "us-west-2.json")
    (repo / "NOTES.md").write_text("an unrelated change\n")
    code, output = _commit(repo, hook_repo, "notes")
    assert code == 0, output
    assert re.search(r"failback-check \(Kafka failback readiness\)\.+Passed", output), output


# --- 11. replication topic patterns run in linear time ------------------------------------------

EVIL_TOPIC = "a" * 40 + "!"


def _with_topic_pattern(tmp_path: Path, pattern: str) -> Path:
    """The faulted estate with `pattern` first in a flow's topics_include and a topic that makes
    Python's backtracking engine take exponential time on (a|aa)+$."""
    plan = estate(tmp_path)
    snapshot = plan.parent / "us-east-1.json"
    edit(snapshot, '"payments\\\\..*",', f"{json.dumps(pattern)}, " + '"payments\\\\..*",')
    topic = {"partitions": 1, "replication_factor": 3, "configs": {}}
    edit(snapshot, '"topics": {', '"topics": {' + f"{json.dumps(EVIL_TOPIC)}: {json.dumps(topic)},")
    return plan


def test_catastrophic_topic_pattern_runs_in_linear_time(tmp_path: Path) -> None:
    plan = _with_topic_pattern(tmp_path, "(a|aa)+$")
    run = process(["check", "-c", str(plan), "--now", NOW, "--format", "json"], timeout=20)
    assert run.exit_code == 1, run.stderr
    assert run.stderr == ""


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(a)\\1", "invalid escape sequence: \\1"),
        ("payments(?=\\.)", "invalid perl operator: (?="),
        ("(?>payments).*", "invalid perl operator: (?>"),
        ("payments\\..*\\Z", "invalid escape sequence: \\Z"),
    ],
)
def test_pattern_re2_cannot_run_is_an_input_error(
    tmp_path: Path, pattern: str, reason: str
) -> None:
    plan = _with_topic_pattern(tmp_path, pattern)
    run = check(plan)
    assert_one_line_error(
        run,
        2,
        f"{plan.parent / 'us-east-1.json'}: replication flow",
        "topics_include: topic pattern",
        repr(pattern),
        reason,
    )


def test_globs_match_as_fnmatch_does() -> None:
    """Patterns Python's re rejects are fnmatch globs: the RE2 translation agrees with fnmatch
    on every pattern over a small alphabet (classes, negation, ranges, stars, escapes)."""
    import fnmatch
    import random

    from checker.normalize import compile_topic_patterns

    rng = random.Random(11)
    alphabet, texts = "ab.-*?[]!^\\z", "ab.-z]![^\\"
    globs = 0
    while globs < 2000:
        pattern = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                re.compile(pattern)
            continue  # a regular expression, not a glob
        except re.error:
            globs += 1
        (compiled,) = compile_topic_patterns([pattern], "test")
        for _ in range(5):
            topic = "".join(rng.choice(texts) for _ in range(rng.randint(0, 6)))
            expected = fnmatch.fnmatchcase(topic, pattern)
            assert bool(compiled.fullmatch(topic)) == expected, (pattern, topic)


def test_regex_and_glob_patterns_keep_their_meaning() -> None:
    from checker.normalize import compile_topic_patterns

    cases = {
        "payments\\..*": (["payments.orders"], ["paymentsXorders", "ledger.entries"]),
        "*.orders": (["payments.orders", ".orders"], ["payments.orders.dlq"]),
        "(payments|ledger)\\.[a-z]+": (["ledger.entries"], ["ledger.entries-2"]),
        "?ayments.*": (["payments.orders", "xayments."], ["ayments.orders"]),
    }
    for pattern, (matching, other) in cases.items():
        (compiled,) = compile_topic_patterns([pattern], "test")
        assert all(compiled.fullmatch(t) for t in matching), pattern
        assert not any(compiled.fullmatch(t) for t in other), pattern


def test_pattern_warnings_never_reach_stderr(tmp_path: Path) -> None:
    plan = _with_topic_pattern(tmp_path, "[[a]x")  # Python warns "possible nested set"
    run = process(["check", "-c", str(plan), "--now", NOW, "--format", "json"], timeout=20)
    assert (run.exit_code, run.stderr) == (1, "")


# --- 12. plan-side scale: many topic families -------------------------------------------------


def _cpu_seconds(plan: Path) -> float:
    """User + system CPU of one whole `failback check` (robust to a busy machine's wall time)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = process(["check", "-c", str(plan), "--now", NOW, "--format", "json"], timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert run.exit_code == 1, run.stderr
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@pytest.mark.slow
def test_families_scale_linearly(tmp_path: Path) -> None:
    """Each generated family has a blocking finding that lowers its scorecard cells: grouping
    them with a pass per family made 4x the families cost ~8x the CPU (10k families: 113 s)."""
    from benchmarks.estate import many_families

    ready = ESTATE / "ready"
    small = _cpu_seconds(many_families(tmp_path / "small", 1_000, ready))
    large = _cpu_seconds(many_families(tmp_path / "large", 4_000, ready))
    assert large / small < 6, (small, large)
