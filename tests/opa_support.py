"""Finding and running a real OPA for the tests (built by scripts/install-tools.sh)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from checker.engines.base import Engine

from .ports import free_port

ROOT = Path(__file__).resolve().parent.parent
CACHED = ROOT / ".cache" / "tools" / "bin"


def tool(name: str) -> str:
    """The tool's path; under CI=true a missing tool fails the run instead of skipping."""
    found = shutil.which(name, path=f"{CACHED}{os.pathsep}{os.environ.get('PATH', '')}")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is required in CI: run scripts/install-tools.sh")
    pytest.skip(f"{name} not installed (scripts/install-tools.sh builds it)")
    raise AssertionError("unreachable")


@contextmanager
def opa_server(args: Sequence[str] = ()) -> Iterator[str]:
    """`opa run --server` on a free loopback port; yields its URL; always stopped."""
    port = free_port()
    process = subprocess.Popen(
        [
            tool("opa"),
            "run",
            "--server",
            "--addr",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            "--skip-version-check",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read().decode() if process.stdout else ""
                raise RuntimeError(f"opa did not start: {output}")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Both engines, the real OPA marked `opa`: the params of a module's `engine` fixture.
ENGINE_PARAMS = ["embedded", pytest.param("opa", marks=pytest.mark.opa)]


def loaded_engine(name: str) -> Iterator[Engine]:
    """The engine called `name` (embedded regorus or a real OPA) with the shipped policies,
    closed afterwards: the body of a module's `engine` fixture."""
    from checker.engines.embedded import EmbeddedEngine
    from checker.engines.opa import OpaEngine, OpaSettings
    from checker.policy.locate import load_policies

    policies = load_policies()
    if name == "embedded":
        embedded = EmbeddedEngine()
        embedded.load(policies)
        yield embedded
        return
    opa = OpaEngine(OpaSettings(binary=tool("opa")))
    try:
        opa.load(policies)
        yield opa
    finally:
        opa.close()
