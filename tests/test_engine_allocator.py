"""The embedded engine's allocator (mimalloc, linked into regorus) commits its arenas as they
are used (checker/engines/embedded.py ALLOCATOR_OPTIONS), unless the user set the option."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = "from checker.engines.embedded import EmbeddedEngine; EmbeddedEngine()"


def allocator_says(**env: str) -> str:
    """mimalloc's own account of its options (it prints them when verbose)."""
    given = {k: v for k, v in os.environ.items() if not k.startswith("MIMALLOC_")}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env={**given, "PYTHONPATH": str(ROOT), "MIMALLOC_VERBOSE": "1", **env},
        timeout=60,
        check=True,
    )
    return done.stderr


def test_the_engine_allocator_commits_arenas_as_used() -> None:
    assert "option 'arena_eager_commit': 0" in allocator_says()


@pytest.mark.parametrize("value", ["1", "2"])
def test_a_value_the_user_set_is_kept(value: str) -> None:
    assert f"option 'arena_eager_commit': {value}" in allocator_says(
        MIMALLOC_ARENA_EAGER_COMMIT=value
    )
