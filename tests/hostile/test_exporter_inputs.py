"""Files the exporters read are regular files read within bounds: a FIFO never blocks them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _failback(*args: str) -> subprocess.CompletedProcess[str]:
    # a child process with a deadline: a blocking open would hang the test, not fail it
    return subprocess.run(
        [sys.executable, "-m", "checker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("failback: error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_a_fifo_named_as_a_terraform_plan_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "plan.json"
    os.mkfifo(fifo)
    result = _failback("export", "terraform", str(fifo), "--region", "us-east-1")
    _one_line(result, "terraform plan", "not a regular file")


def test_a_fifo_named_as_kafka_client_properties_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "client.properties"
    os.mkfifo(fifo)
    result = _failback(
        "export",
        "kafka",
        "--bootstrap",
        "127.0.0.1:1",
        "--region",
        "us-east-1",
        "--command-config",
        str(fifo),
    )
    _one_line(result, "client properties", "not a regular file")


def test_a_binary_terraform_plan_is_named_as_such(tmp_path: Path) -> None:
    plan = tmp_path / "plan.tfplan"
    plan.write_bytes(b"PK\x03\x04binary")
    result = _failback("export", "terraform", str(plan), "--region", "us-east-1")
    _one_line(result, "binary plan file", "terraform show -json")
