"""Hostile inputs, atomic outputs, planted secrets (issue: scale, speed and robustness)."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from .conftest import ESTATE, NOW, ROOT, run_cli

FAILBACK = [sys.executable, "-m", "checker"]


def hostile(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, float, int]:
    """Run the real CLI under a 1 GiB address-space limit: (exit, stderr, seconds, peak RSS KB)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30 * 2, 2**30 * 2))

    start = time.perf_counter()
    process = subprocess.Popen(
        [*FAILBACK, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=limit,
        env={**os.environ, **(env or {})},
    )
    try:
        _, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return process.returncode, err.decode("utf-8", "replace"), seconds, usage.ru_maxrss


def snapshot_copy(tmp_path: Path, text: str | bytes) -> Path:
    directory = tmp_path / "estate"
    directory.mkdir()
    for name in ("failback.yaml", "us-east-1.json"):
        (directory / name).write_bytes((ESTATE / "ready" / name).read_bytes())
    target = directory / "us-west-2.json"
    target.write_bytes(text if isinstance(text, bytes) else text.encode())
    return directory / "failback.yaml"


def deep_json(depth: int) -> str:
    return '{"schema_version": "1.0", "x": ' + "[" * depth + "]" * depth + "}"


def deep_yaml(depth: int) -> str:
    return "schema_version: '1.0'\nx: " + "[" * depth + "]" * depth + "\n"


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


READY = (ESTATE / "ready" / "us-west-2.json").read_text()
HOSTILE_SNAPSHOTS: dict[str, str | bytes] = {
    "truncated": READY[: len(READY) // 2],
    "invalid": "{'single': 'quotes'}",
    "empty": "",
    "deep-nesting": deep_json(10_000),
    "non-utf8": b'{"schema_version": "1.0", "region": "us-\xc3\x28"}',
    "number-out-of-range": READY.replace('"partitions": 24', '"partitions": 1' + "0" * 400, 1),
    "huge-exponent": READY.replace('"partitions": 24', '"partitions": 1e999999', 1),
    "nan": READY.replace('"partitions": 24', '"partitions": NaN', 1),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_SNAPSHOTS))
def test_hostile_snapshot_is_exit_2_fast_and_bounded(tmp_path: Path, name: str) -> None:
    plan = snapshot_copy(tmp_path, HOSTILE_SNAPSHOTS[name])
    code, err, seconds, _ = hostile(["check", "-c", str(plan), "--now", NOW])
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("failback: error: ")
    assert seconds < 2.0  # whole process, interpreter start included (typically 0.2-0.35 s)


HOSTILE_PLANS = {
    "alias-bomb": alias_bomb(),
    "python-object-tag": "schema_version: !!python/object/new:os.system [echo pwned]\n",
    "deep-nesting": deep_yaml(10_000),
    "tabs": "schema_version: '1.0'\n\tregions: {}\n",
    "not-a-mapping": "- just\n- a list\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PLANS))
def test_hostile_plan_is_exit_2_fast_and_bounded(tmp_path: Path, name: str) -> None:
    plan = tmp_path / "failback.yaml"
    plan.write_text(HOSTILE_PLANS[name])
    code, err, seconds, _ = hostile(["check", "-c", str(plan), "--now", NOW])
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1, err
    assert seconds < 2.0
    assert not (tmp_path / "pwned").exists()


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    plan = snapshot_copy(tmp_path, READY)
    code, err, _, _ = hostile(
        ["check", "-c", str(plan), "--now", NOW], env={"FAILBACK_MAX_INPUT_BYTES": "10000"}
    )
    assert code == 2
    assert "over the 10000-byte limit" in err
    assert "FAILBACK_MAX_INPUT_BYTES" in err


def _wrong(value: Any) -> Any:
    """A value of the wrong JSON type for `value`."""
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, int | float):
        return "many"
    if isinstance(value, str):
        return 42
    if isinstance(value, list):
        return {"not": "a list"}
    if isinstance(value, dict):
        return ["not", "an", "object"]
    return 1


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """One path per distinct field shape: every key of objects, the first item of arrays."""
    found: list[tuple[Any, ...]] = []
    if isinstance(document, dict):
        items = list(document.items())
        if prefix and prefix[-1] in ("topics", "consumer_groups", "broker_config"):
            items = items[:1]  # name-keyed maps: one entry stands for all
        for key, value in items:
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(document, list) and document:
        found.append((*prefix, 0))
        found.extend(_paths(document[0], (*prefix, 0)))
    return found


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for key in path[:-1]:
        document = document[key]
    document[path[-1]] = value


SNAPSHOT = json.loads((ESTATE / "faulted" / "us-west-2.json").read_text())
FIELDS = [
    p
    for p in _paths(SNAPSHOT)
    if not (
        # free-form string maps: any string is valid there
        len(p) >= 2 and p[-2] in ("configs", "broker_config")
    )
]


@pytest.mark.parametrize("path", FIELDS, ids=["/".join(map(str, p)) for p in FIELDS])
def test_wrong_type_in_every_snapshot_field(tmp_path: Path, path: tuple[Any, ...]) -> None:
    document = json.loads(json.dumps(SNAPSHOT))
    value = document
    for key in path:
        value = value[key]
    _set(document, path, _wrong(value))
    plan = snapshot_copy(tmp_path, json.dumps(document))
    run = run_cli(["check", "-c", str(plan), "--now", NOW])
    assert run.exit_code == 2, (path, run.stdout[-300:])
    assert len(run.stderr.strip().splitlines()) == 1
    assert run.stderr.startswith("failback: error: ")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (("network", "ingress", 0, "from_port"), 70000),
        (("topics", "ledger.entries", "partitions"), 0),
        (("audit", "broker_logs", 0, "retention_days"), -5),
        (("topics", "ledger.entries", "replication_factor"), 10**6),
    ],
)
def test_numbers_out_of_range(tmp_path: Path, field: tuple[Any, ...], value: int) -> None:
    document = json.loads(json.dumps(SNAPSHOT))
    _set(document, field, value)
    run = run_cli(["check", "-c", str(snapshot_copy(tmp_path, json.dumps(document))), "--now", NOW])
    assert run.exit_code == 2
    assert "does not match the v1 schema" in run.stderr


# -- atomic outputs ----------------------------------------------------------------------------


def _write_with(tmp_path: Path, sabotage: str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Run write_atomic in a child whose os.fsync is replaced by `sabotage` (mid-write)."""
    target = tmp_path / "report.json"
    target.write_text("previous report\n")
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from checker.io import atomic as outputs\n"
        f"def sabotage(fd):\n    {sabotage}\n"
        "os.fsync = sabotage\n"
        f"outputs.write_atomic(Path({str(target)!r}), 'x' * 10_000_000)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return target, result


def test_a_crash_mid_write_leaves_the_previous_file(tmp_path: Path) -> None:
    target, result = _write_with(tmp_path, "os._exit(9)")
    assert result.returncode == 9
    assert target.read_text() == "previous report\n"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "report.json"]
    assert all(name.startswith(".report.json.") and name.endswith(".tmp") for name in leftovers)


def test_ctrl_c_mid_write_is_held_until_the_file_is_whole(tmp_path: Path) -> None:
    target, result = _write_with(tmp_path, "os.kill(os.getpid(), signal.SIGINT)")
    assert result.returncode != 0
    assert "KeyboardInterrupt" in result.stderr  # delivered, right after the rename
    assert target.read_text() == "x" * 10_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_a_failed_write_removes_its_temporary_file(tmp_path: Path) -> None:
    target, result = _write_with(tmp_path, "raise OSError(28, 'No space left on device')")
    assert result.returncode != 0
    assert "No space left on device" in result.stderr
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_sigint_at_any_moment_never_leaves_a_partial_report(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report\n")
    args = [
        *FAILBACK,
        "check",
        "-c",
        str(ESTATE / "faulted" / "failback.yaml"),
        "--now",
        NOW,
        "--format",
        "json",
        "--phase",
        "all",
        "-o",
        str(target),
    ]
    outcomes = set()
    for delay in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0, 3.0):
        process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
        text = target.read_text()
        if text == "previous report\n":
            outcomes.add("kept")
            assert process.returncode != 0, err
        else:
            outcomes.add("replaced")
            assert json.loads(text)["decisions"][0]["verdict"] == "no-go"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
        target.write_text("previous report\n")
    assert "kept" in outcomes


# -- secrets -----------------------------------------------------------------------------------

PLANTED = {
    "ssl.keystore.password": "Pl4nted-Keystore-Pass",
    "sasl.jaas.config": "org.apache.kafka.common.security.scram.ScramLoginModule required "
    'username="admin" password="Pl4nted-Jaas-Pass";',
    "aws.secret.access.key": "Pl4ntedAWSSecretKey0123456789abcdef",
    "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": "password=Pl4nted-Listener",
}


def test_planted_secrets_never_reach_any_output(tmp_path: Path) -> None:
    directory = tmp_path / "estate"
    directory.mkdir()
    for name in ("failback.yaml", "us-east-1.json", "us-west-2.json"):
        (directory / name).write_bytes((ESTATE / "faulted" / name).read_bytes())
    for name in ("us-east-1.json", "us-west-2.json"):
        document = json.loads((directory / name).read_text())
        document["broker_config"].update(PLANTED)
        document["topics"]["ledger.entries"]["configs"]["ssl.truststore.password"] = (
            "Pl4nted-Topic-Pass"
        )
        (directory / name).write_text(json.dumps(document))
    outputs = []
    for fmt in ("text", "json"):
        for phase in ("failback", "all"):
            run = run_cli(
                [
                    "check",
                    "-c",
                    str(directory / "failback.yaml"),
                    "--now",
                    NOW,
                    "--format",
                    fmt,
                    "--phase",
                    phase,
                ]
            )
            outputs += [run.stdout, run.stderr]
    for fmt in ("text", "json"):
        run = run_cli(
            [
                "diff",
                str(directory / "us-east-1.json"),
                str(directory / "us-west-2.json"),
                "--format",
                fmt,
            ]
        )
        outputs += [run.stdout, run.stderr]
    joined = "\n".join(outputs)
    assert "no-go" in joined or "NO-GO" in joined
    for secret in [*PLANTED.values(), "Pl4nted-Topic-Pass"]:
        for fragment in (secret, secret[:16]):
            assert fragment not in joined
    assert "Pl4nted" not in joined
