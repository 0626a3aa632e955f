"""The rule catalog, read from the policy library (single source of truth)."""

from __future__ import annotations

from typing import Any

from ..engines.base import Engine
from ..engines.embedded import EmbeddedEngine
from ..errors import EngineError
from ..io.read import read_text
from .locate import CATALOG, PolicyFile, builtin_dir


def catalog_of(engine: Engine) -> dict[str, dict[str, Any]]:
    """data.failback.catalog.rules of an engine that has the library loaded, sorted by id."""
    rules = engine.query(CATALOG, None)
    if not isinstance(rules, dict):
        raise EngineError("the rule catalog is empty or missing")
    return {k: rules[k] for k in sorted(rules)}


def load_catalog() -> dict[str, dict[str, Any]]:
    """The built-in catalog alone (package failback.catalog), without judging anything."""
    return catalog_of(_catalog_engine())


# How an outage treats a rule (policies/failback/catalog/outage_rules.rego).
OUTAGE_SETS = {
    "cross_region": "data.failback.catalog.outage_cross_region",
    "compared": "data.failback.catalog.outage_compared",
}


def load_outage_classes() -> dict[str, str]:
    """Rule id -> cross_region | compared for the rules an outage may leave unjudged; every
    other rule judges each region on its own."""
    engine = _catalog_engine()
    classes: dict[str, str] = {}
    for name, query in OUTAGE_SETS.items():
        members = engine.query(query, None)
        if not isinstance(members, list):
            raise EngineError(f"{query} is missing from the catalog")
        classes.update((str(rule), name) for rule in members)
    return classes


def _catalog_engine() -> EmbeddedEngine:
    directory = builtin_dir() / "failback" / "catalog"
    engine = EmbeddedEngine()
    engine.load(
        [
            PolicyFile(
                f"policies/failback/catalog/{path.name}", read_text(path, "policy"), builtin=True
            )
            for path in sorted(directory.glob("*.rego"))
            if not path.name.endswith("_test.rego")
        ]
    )
    return engine
