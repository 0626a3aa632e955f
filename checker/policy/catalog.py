"""The rule catalog, read from the policy library (single source of truth)."""

from __future__ import annotations

from typing import Any

from ..engines.embedded import EmbeddedEngine
from ..errors import EngineError
from ..io.read import read_text
from .locate import CATALOG, PolicyFile, builtin_dir


def load_catalog() -> dict[str, dict[str, Any]]:
    path = builtin_dir() / "failback" / "catalog" / "catalog.rego"
    engine = EmbeddedEngine()
    text = read_text(path, "policy")
    engine.load([PolicyFile("policies/failback/catalog/catalog.rego", text, builtin=True)])
    rules = engine.query(CATALOG, None)
    if not isinstance(rules, dict):
        raise EngineError("the rule catalog is empty or missing")
    return {k: rules[k] for k in sorted(rules)}
