"""Small estates for the documented replication setups, built from the shipped ready estate.

The builders live in fixtures/generate_setups.py, which also writes one estate per documented
setup to fixtures/setups/: `documents()` gives the ready estate's plan and snapshots as dicts; a
test changes them (the flows, topics or consumer groups of one setup), or takes a setup's
documents from the generator, and `judge` writes them to a directory and runs
`failback check --phase all` on them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from fixtures.generate_setups import (
    FORWARD,
    PRIMARY,
    REVERSE,
    SECONDARY,
    documents,
    flow,
    mirrormaker,
    mirrormaker_topics,
    prefix_topics,
)

from .conftest import NOW, run_cli

__all__ = [
    "FLOW_AREAS",
    "FORWARD",
    "PRIMARY",
    "REVERSE",
    "SECONDARY",
    "SYNCED_FAMILIES",
    "documents",
    "flow",
    "ids",
    "judge",
    "mirrormaker",
    "mirrormaker_topics",
    "prefix_topics",
]

# Families whose offset strategy relies on synced offsets (fixtures/generate.py FAMILIES).
SYNCED_FAMILIES = ("customer", "fraud", "integrations", "ledger", "payments-core")
# Areas of the rules about how data moves between the regions.
FLOW_AREAS = frozenset({"replication", "offsets", "rollback", "topic_config"})


def judge(
    directory: Path,
    plan: dict[str, Any],
    primary: dict[str, Any],
    secondary: dict[str, Any],
    *extra: str,
) -> dict[str, list[dict[str, Any]]]:
    """Phase -> findings of `failback check --phase all` on the three documents (`extra`: more
    arguments, such as an engine)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "failback.yaml").write_text(yaml.safe_dump(plan, sort_keys=False))
    (directory / f"{PRIMARY}.json").write_text(json.dumps(primary))
    (directory / f"{SECONDARY}.json").write_text(json.dumps(secondary))
    run = run_cli(
        [
            "check",
            "-c",
            str(directory / "failback.yaml"),
            "--now",
            NOW,
            "--phase",
            "all",
            "--format",
            "json",
            *extra,
        ]
    )
    assert run.exit_code in (0, 1), run.stderr
    return {d["phase"]: d["findings"] for d in run.json()["decisions"]}


def ids(
    findings: list[dict[str, Any]], areas: frozenset[str] = FLOW_AREAS
) -> list[tuple[Any, ...]]:
    """(rule id, resource, region, family) of the findings in `areas`, sorted."""
    return sorted(
        (f["rule_id"], f["resource"], f["region"], f["family"])
        for f in findings
        if f["area"] in areas
    )
