"""Every Rego unit test runs on the embedded engine (regorus)."""

from __future__ import annotations

import pytest

from checker.engines.embedded import EmbeddedEngine
from checker.policy.locate import load_policies

from .rego_tests import discover

CASES = discover()


@pytest.fixture(scope="module")
def engine() -> EmbeddedEngine:
    loaded = EmbeddedEngine()
    loaded.load(load_policies(include_tests=True))
    return loaded


def test_there_are_rego_tests() -> None:
    assert len(CASES) >= 2


@pytest.mark.parametrize(("path", "rule"), CASES, ids=[r for _, r in CASES])
def test_rego(engine: EmbeddedEngine, path: str, rule: str) -> None:
    assert engine.query(rule, {}) is True, f"{rule} ({path}) is not true"
