"""`failback fleet --aws-call-stats FILE` on a fleet without aws sources: an empty tally
(the counts against moto are in tests/aws/test_fleet_calls.py)."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Fleet, fleet_cli


def test_call_stats_without_aws_sources_are_empty(fleet_repo: Fleet, tmp_path: Path) -> None:
    config = fleet_repo("ready")
    stats_file = tmp_path / "calls.json"
    run = fleet_cli(config, "--aws-call-stats", str(stats_file))
    assert run.exit_code == 0, run.stderr
    assert json.loads(stats_file.read_text()) == {
        "calls": 0,
        "requests": 0,
        "operations": {},
        "clusters": {},
    }
