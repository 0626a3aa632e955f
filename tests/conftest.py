from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
ESTATE = ROOT / "fixtures" / "estate"
NOW = "2026-11-29T00:00:00Z"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def assert_one_line_error(run: Run, code: int, *fragments: str) -> None:
    """Exit `code`, one line on stderr in the CLI's error form naming every fragment."""
    assert run.exit_code == code, (run.stdout[-500:], run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("failback: error: "), run.stderr
    assert "Traceback" not in run.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def run_cli(args: Sequence[str]) -> Run:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def cli() -> Any:
    return run_cli


@pytest.fixture
def estate(tmp_path: Path) -> Any:
    """Copy a fixture variant into tmp_path so a test may change it."""

    def copy(variant: str) -> Path:
        target = tmp_path / variant
        shutil.copytree(ESTATE / variant, target)
        return target

    return copy
