"""The pre-commit path (`failback check --format short` in a fixture estate, as the
failback-check hook runs it) never imports the heavy libraries other commands need: deepdiff
(the diff's fast path answers for mappings of scalars), the AWS and Kafka clients, the
jsonschema validator (only an invalid document needs its message), fastjsonschema (the
validators are generated ahead of time and raise checker/schemas/failure.py's exceptions),
the fleet report and the other commands' modules (checker/cli/__init__.py imports a command's
module when it runs). The speed itself is measured by benchmarks/precommit.py, not here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import ESTATE, ROOT

HEAVY = (
    "deepdiff",
    "pydantic",
    "boto3",
    "botocore",
    "confluent_kafka",
    "jsonschema",
    "fastjsonschema",
    "checker.fleet.report",
    *(f"checker.cli.{name}" for name in ("diff", "export", "fleet", "init", "policies")),
    *(f"checker.cli.{name}" for name in ("validate", "watch")),
    "checker.exporters",
)

PROBE = """
import json, sys
sys.argv = ["failback", "check", "--format", "short"]
from checker.cli import main
try:
    main()
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize(("estate", "exit_code"), [("ready", 0), ("faulted", 1)])
def test_the_hook_command_imports_no_heavy_module(estate: str, exit_code: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ESTATE / estate,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == exit_code
    modules = result["modules"]
    loaded = sorted(
        name for name in modules for heavy in HEAVY if name == heavy or name.startswith(f"{heavy}.")
    )
    assert loaded == []
    assert "checker.evaluate" in modules  # the probe did run the pipeline
