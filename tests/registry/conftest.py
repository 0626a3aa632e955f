"""Two real Confluent-compatible schema registries on loopback, standing for two regions.

The registry is Apicurio Registry (in-memory storage) built by scripts/install-registry.sh into
.cache/registry; its Confluent-compatible API is /apis/ccompat/v7. Each test gets both
registries with their schema ids in step (`Pair.align`), so a drift is only what the test makes.
Without Java or the build these tests skip locally; with CI=true they fail.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ..ports import free_port

ROOT = Path(__file__).resolve().parents[2]
INSTALL = ROOT / "scripts" / "install-registry.sh"
POM = ROOT / "scripts" / "registry" / "pom.xml"
API = "/apis/ccompat/v7"
START_SECONDS = 120.0
CONTENT = "application/vnd.schemaregistry.v1+json"


def require(reason: str) -> None:
    """Skip locally; fail under CI=true, where the registry tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: the schema registry tests must run)", pytrace=False)
    pytest.skip(reason)


def app_jar() -> Path:
    version = POM.read_text().split("<registry.version>")[1].split("<")[0]
    return ROOT / ".cache" / "registry" / version / "app" / "registry.jar"


class Registry:
    """One registry process on 127.0.0.1 and a small client for its ccompat API."""

    def __init__(self, region: str, jar: Path, log: Path) -> None:
        self.region = region
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{API}"
        self.log = log
        env = {
            **os.environ,
            "QUARKUS_HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(self.port),
            "QUARKUS_LOG_LEVEL": "WARN",
        }
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                ["java", "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", str(jar)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )

    def wait(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"registry {self.region} exited: {self.tail()}")
            try:
                self.call("GET", "/subjects")
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"registry {self.region} did not answer in time: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": CONTENT}
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        answer = self.call("POST", f"/subjects/{subject}/versions", {"schema": json.dumps(schema)})
        return int(answer["id"])

    def set_compatibility(self, subject: str, level: str) -> None:
        self.call("PUT", f"/config/{subject}", {"compatibility": level})


@dataclass
class Pair:
    primary: Registry
    secondary: Registry
    counter: int = 0

    def __iter__(self) -> Iterator[Registry]:
        return iter((self.primary, self.secondary))

    def align(self) -> None:
        """Register throwaway schemas until both registries hand out the same next id."""
        ids = {}
        for registry in self:
            self.counter += 1
            ids[registry.region] = registry.register(
                f"zz-align-{self.counter}-value",
                {"type": "fixed", "name": f"a{self.counter}", "size": 1},
            )
        low, high = sorted(self, key=lambda r: ids[r.region])
        last = ids[low.region]
        while last < ids[high.region]:
            self.counter += 1
            last = low.register(
                f"zz-align-{self.counter}-value",
                {"type": "fixed", "name": f"a{self.counter}", "size": 1},
            )


@pytest.fixture(scope="session")
def registry_jar() -> Path:
    if shutil.which("java") is None:
        require("Java 17+ is not on PATH")
    jar = app_jar()
    if not jar.is_file():
        if shutil.which("mvn") is None:
            require(f"no registry build at {jar} and no Maven (run scripts/install-registry.sh)")
        done = subprocess.run(
            [str(INSTALL)], capture_output=True, text=True, timeout=1200, check=False
        )
        if done.returncode != 0 or not jar.is_file():
            require(f"scripts/install-registry.sh failed: {done.stderr.strip()[-500:]}")
    return jar


@pytest.fixture(scope="session")
def registry_pair(
    registry_jar: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Pair:
    logs = tmp_path_factory.mktemp("registry")
    pair = Pair(
        Registry("us-east-1", registry_jar, logs / "us-east-1.log"),
        Registry("us-west-2", registry_jar, logs / "us-west-2.log"),
    )
    for registry in pair:
        request.addfinalizer(registry.stop)
        atexit.register(registry.stop)
    deadline = time.monotonic() + START_SECONDS
    try:
        for registry in pair:
            registry.wait(deadline)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    return pair


@pytest.fixture
def registries(registry_pair: Pair) -> Pair:
    registry_pair.align()
    return registry_pair
