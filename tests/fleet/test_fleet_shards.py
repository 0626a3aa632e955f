"""--shard K/N and `failback fleet merge`: N shard processes and a merge give the unsharded
run's report byte for byte; shards are stable under adding pairs; Ctrl-C writes a partial
report."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from checker.errors import InputError
from checker.fleet.shard import Shard, parse_shard, shard_of

from ..conftest import NOW, ROOT, assert_one_line_error, run_cli
from .conftest import Fleet as MakeFleet

ARN = "arn:aws:kafka:us-east-1:123456789012:cluster/payments/11111111-2222-3333-4444-555555555555-1"


def failback(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


def test_shard_of_is_stable_and_covers_every_pair() -> None:
    names = [f"team-{i}/failback.yaml" for i in range(200)]
    for count in (1, 2, 3, 8):
        shards = [shard_of(n, count) for n in names]
        assert set(shards) == set(range(1, count + 1))  # 200 pairs reach every shard
        assert all(Shard(s, count).holds(n) for n, s in zip(names, shards, strict=True))
    before = {n: shard_of(n, 4) for n in names[:100]}
    after = {n: shard_of(n, 4) for n in names}  # 100 pairs added
    assert all(after[n] == s for n, s in before.items())


def test_shard_of_is_pinned() -> None:
    """The split must not change between releases: parts of one run may come from two
    versions of the checker (a rolling runner image)."""
    assert [shard_of(f"p{i}", 5) for i in range(10)] == [5, 3, 2, 2, 4, 4, 5, 1, 3, 2]
    assert (
        shard_of("ready/failback.yaml", 3)
        == 1
        + int.from_bytes(__import__("hashlib").sha256(b"ready/failback.yaml").digest()[:8], "big")
        % 3
    )


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "1-3", "", "a/b", "1/3/4"])
def test_parse_shard_refuses(text: str) -> None:
    with pytest.raises(InputError):
        parse_shard(text)


def test_parse_shard() -> None:
    assert parse_shard("2/8") == Shard(2, 8)
    assert str(parse_shard(" 1/1 ")) == "1/1"


def test_shard_processes_and_merge_equal_the_unsharded_run(
    fleet_repo: MakeFleet, tmp_path: Path
) -> None:
    config = fleet_repo(
        *(f"team-{i}={v}" for i, v in enumerate(["ready", "faulted", "gaps"] * 3)),
    )
    whole = tmp_path / "whole.json"
    done = failback("fleet", "-c", str(config), "--now", NOW, "--format", "json", "-o", str(whole))
    assert done.returncode == 1, done.stderr
    count = 3
    parts = []
    held: list[str] = []
    for index in range(1, count + 1):
        part = tmp_path / f"part-{index}.json"
        run = failback(
            "fleet",
            "-c",
            str(config),
            "--now",
            NOW,
            "--shard",
            f"{index}/{count}",
            "--format",
            "json",
            "-o",
            str(part),
        )
        assert run.returncode in (0, 1, 4), run.stderr
        document = json.loads(part.read_text())
        assert document["shard"] == {"index": index, "count": count}
        assert document["fleet_pairs"] == 9
        held.extend(p["id"] for p in document["pairs"])
        parts.append(str(part))
    assert sorted(held) == [f"team-{i}/failback.yaml" for i in range(9)]  # each pair once
    merged = tmp_path / "merged.json"
    run = failback("fleet", "merge", *reversed(parts), "-o", str(merged))
    assert run.returncode == 1, run.stderr
    assert "9 pairs: 3 ready, 3 not ready, 3 indeterminate" in run.stderr
    assert merged.read_bytes() == whole.read_bytes()


def test_merge_renders_every_format_like_the_run(fleet_repo: MakeFleet, tmp_path: Path) -> None:
    config = fleet_repo("ready", "faulted", "gaps")
    parts = []
    for index in (1, 2):
        part = tmp_path / f"p{index}.json"
        run_cli(
            [
                "fleet",
                "-c",
                str(config),
                "--now",
                NOW,
                "--shard",
                f"{index}/2",
                "--format",
                "json",
                "-o",
                str(part),
            ]
        )
        parts.append(str(part))
    for fmt in ("sarif", "markdown", "html"):
        whole = run_cli(["fleet", "-c", str(config), "--now", NOW, "--format", fmt])
        merged = run_cli(["fleet", "merge", *parts, "--format", fmt])
        assert merged.exit_code == whole.exit_code == 1
        assert merged.stdout == whole.stdout


def test_merge_refuses_incomplete_or_mixed_parts(fleet_repo: MakeFleet, tmp_path: Path) -> None:
    config = fleet_repo("ready", "faulted", "gaps")

    def part(name: str, shard: str | None, now: str = NOW) -> str:
        path = tmp_path / name
        args = ["fleet", "-c", str(config), "--now", now, "--format", "json", "-o", str(path)]
        run_cli([*args, "--shard", shard] if shard else args)
        return str(path)

    one, two = part("1.json", "1/2"), part("2.json", "2/2")
    whole = part("whole.json", None)
    later = part("later.json", "2/2", now="2026-11-30T00:00:00Z")
    three = part("three.json", "1/3")
    assert_one_line_error(run_cli(["fleet", "merge", one]), 2, "shards 2/2 are missing")
    assert_one_line_error(run_cli(["fleet", "merge", one, one]), 2, "are both shard 1/2")
    assert_one_line_error(run_cli(["fleet", "merge", one, later]), 2, "differ in generated_at")
    assert_one_line_error(run_cli(["fleet", "merge", one, three]), 2, "is not a shard of 2")
    assert_one_line_error(run_cli(["fleet", "merge", whole, one]), 2, "is not a shard's part")
    plan = tmp_path / "plan.json"
    plan.write_text('{"decisions": []}')
    assert_one_line_error(run_cli(["fleet", "merge", str(plan)]), 2, "not a failback fleet report")
    assert run_cli(["fleet", "merge", one, two]).exit_code == 1


def _silent_server() -> socket.socket:
    """A TCP server that takes connections and never answers: an export hangs on it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(120)
    return server


def test_ctrl_c_writes_a_partial_report(fleet_repo: MakeFleet, tmp_path: Path) -> None:
    config = fleet_repo("a=ready", "b=faulted", "hung=ready", concurrency=2)
    server = _silent_server()
    port = server.getsockname()[1]
    plan = config.parent / "hung" / "failback.yaml"
    source = (
        f"    source: {{type: aws, cluster_arn: '{ARN}', endpoint_url: "
        f"'http://127.0.0.1:{port}', max_attempts: 1, connect_timeout: 5, read_timeout: 60}}\n"
    )
    plan.write_text(plan.read_text().replace("    snapshot: us-east-1.json\n", source, 1))
    out = tmp_path / "fleet.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "checker",
            "fleet",
            "-c",
            str(config),
            "--now",
            NOW,
            "--format",
            "json",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        connection, _ = server.accept()  # the hung pair's export is under way
        time.sleep(3.0)  # the other pairs are judged meanwhile
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, stderr = process.communicate(timeout=60)
        elapsed = time.monotonic() - started
        connection.close()
    finally:
        server.close()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "partial: interrupted, 1 not judged" in stderr
    assert elapsed < 20  # the hung export (read timeout 60 s) is abandoned, not awaited
    report = json.loads(out.read_text())
    assert report["partial"] is True
    by_id = {p["id"]: p for p in report["pairs"]}
    assert sorted(by_id) == ["a/failback.yaml", "b/failback.yaml", "hung/failback.yaml"]
    assert by_id["hung/failback.yaml"]["status"] == "interrupted"
    assert by_id["hung/failback.yaml"]["reason"] == "not judged: the run was interrupted"
    assert by_id["a/failback.yaml"]["verdict"] == "go"  # judged before the interrupt
    assert by_id["b/failback.yaml"]["verdict"] == "no-go"
    assert not list(tmp_path.glob(".*.tmp"))
