"""Small estates for the documented replication setups, built from the shipped ready estate.

`documents()` gives the ready estate's plan and snapshots as dicts; a test changes them (the
flows, topics or consumer groups of one setup) and `judge` writes them to a directory and runs
`failback check --phase all` on them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

from .conftest import ESTATE, NOW, run_cli

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
FORWARD, REVERSE = "payments-use1-to-usw2", "payments-usw2-to-use1"
# Families whose offset strategy relies on synced offsets (fixtures/generate.py FAMILIES).
SYNCED_FAMILIES = ("customer", "fraud", "integrations", "ledger", "payments-core")
# Areas of the rules about how data moves between the regions.
FLOW_AREAS = frozenset({"replication", "offsets", "rollback", "topic_config"})


def documents() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    plan = yaml.safe_load((ESTATE / "ready" / "failback.yaml").read_text())
    primary = json.loads((ESTATE / "ready" / f"{PRIMARY}.json").read_text())
    secondary = json.loads((ESTATE / "ready" / f"{SECONDARY}.json").read_text())
    return plan, primary, secondary


def flow(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in document["replication"] if f["name"] == name)
    return found


def mirrormaker(
    name: str, source: str, target: str, alias: str | None, template: dict[str, Any]
) -> dict[str, Any]:
    """A MirrorMaker 2 flow carrying what `template` carries: DefaultReplicationPolicy (topics
    prefixed with `alias`) or, with alias None, IdentityReplicationPolicy; checkpoints with
    sync.group.offsets.enabled; a read_committed source consumer (payments-core is
    transactional)."""
    return {
        **copy.deepcopy(template),
        "name": name,
        "tool": "mirrormaker2",
        "source_region": source,
        "target_region": target,
        "topic_naming": "identical" if alias is None else "prefixed",
        "prefix": alias,
        "copies_acls": True,
        "offset_sync": {"enabled": True, "mode": "CHECKPOINTS", "checkpoints_present": True},
        "loop_protection": alias is not None,
        "starting_position": "EARLIEST",
        "consumer_isolation": "read_committed",
    }


def prefix_topics(document: dict[str, Any], alias: str) -> None:
    """Add the remote copies `<alias>.<topic>` of every topic the region's flows bring in."""
    remote = {
        f"{alias}.{name}": copy.deepcopy(topic)
        for name, topic in document["topics"].items()
        if not name.startswith("__")
    }
    document["topics"] = dict(sorted({**document["topics"], **remote}.items()))


def mirrormaker_topics(document: dict[str, Any], alias: str) -> None:
    """What a MirrorMaker 2 flow with DefaultReplicationPolicy from `alias` leaves in its target:
    the remote copies `<alias>.<topic>`, its checkpoints topic `<alias>.checkpoints.internal` and
    the heartbeats (its own and the source's)."""
    prefix_topics(document, alias)
    internal = {"partitions": 1, "replication_factor": 3, "configs": {"cleanup.policy": "compact"}}
    for name in (f"{alias}.checkpoints.internal", "heartbeats", f"{alias}.heartbeats"):
        document["topics"][name] = copy.deepcopy(internal)
    document["topics"] = dict(sorted(document["topics"].items()))


def judge(
    directory: Path, plan: dict[str, Any], primary: dict[str, Any], secondary: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """Phase -> findings of `failback check --phase all` on the three documents."""
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
