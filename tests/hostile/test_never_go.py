"""Property: no mutation of a faulted estate turns its verdict into GO.

The faulted fixture estate, and the ready estate with one seeded fault, are mutated at random:
an area dropped or emptied, a field dropped, `captured_at` shifted (stale, skewed or in the
future). Whatever comes out, the check must not exit 0: a fault still blocks (1), what cannot
be judged is a gap (4), an impossible input is an error (2).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ESTATE, NOW, run_cli

AREAS = (
    "topics",
    "acls",
    "quotas",
    "iam_grants",
    "authentication",
    "encryption",
    "network",
    "audit",
    "broker_config",
    "replication",
    "consumer_groups",
    "storage",
)
FILES = ("us-east-1.json", "us-west-2.json")
SETTINGS = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _open_ingress(document: dict[str, Any]) -> None:
    """The one seeded fault of the ready variant: Kafka open to the internet (NET-002)."""
    document["network"]["ingress"].append(
        {
            "protocol": "tcp",
            "from_port": 9096,
            "to_port": 9096,
            "peer": "0.0.0.0/0",
            "peer_type": "cidr",
            "description": "seeded fault",
        }
    )


def _leaves(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if not isinstance(node, dict) or not node:
        return [prefix] if prefix else []
    found: list[tuple[str, ...]] = [prefix] if prefix else []
    for key, value in node.items():
        found += _leaves(value, (*prefix, key))
    return found


def _mutate(document: dict[str, Any], draw: Any) -> None:
    kind = draw(st.sampled_from(["drop-area", "empty-area", "drop-field", "shift-time"]))
    if kind == "drop-area":
        document.pop(draw(st.sampled_from(AREAS)), None)
    elif kind == "empty-area":
        area = draw(st.sampled_from(AREAS))
        if area in document:
            document[area] = [] if isinstance(document[area], list) else {}
    elif kind == "drop-field":
        area = draw(st.sampled_from(("authentication", "encryption", "network", "audit")))
        paths = _leaves(document.get(area, {}))
        if paths:
            path = draw(st.sampled_from(paths))
            holder = document[area]
            for part in path[:-1]:
                holder = holder[part]
            holder.pop(path[-1], None)
    else:
        hours = draw(st.sampled_from([-24 * 365 * 25, -24 * 10, 24 * 30]))
        now = datetime.fromisoformat(NOW.replace("Z", "+00:00"))
        document["captured_at"] = (
            (now + timedelta(hours=hours)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        )


def _estate(tmp_path: Path, variant: str) -> Path:
    target = tmp_path / "estate"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ESTATE / ("faulted" if variant == "faulted" else "ready"), target)
    if variant == "ready+fault":
        path = target / "us-west-2.json"
        document = json.loads(path.read_text())
        _open_ingress(document)
        path.write_text(json.dumps(document))
    return target


@SETTINGS
@given(data=st.data(), variant=st.sampled_from(["faulted", "ready+fault"]))
def test_no_mutation_of_a_faulted_estate_is_go(
    tmp_path: Path, data: st.DataObject, variant: str
) -> None:
    root = _estate(tmp_path, variant)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        # the seeded fault lives in the secondary: mutate there, where it can be hidden
        files = FILES if variant == "faulted" else FILES[1:]
        path = root / data.draw(st.sampled_from(files), label="region")
        document = json.loads(path.read_text())
        _mutate(document, data.draw)
        path.write_text(json.dumps(document))
    run = run_cli(["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--format", "json"])
    assert run.exit_code in (1, 2, 4), (run.exit_code, run.stderr, run.stdout[-300:])


def test_the_seeded_fault_blocks_before_any_mutation(tmp_path: Path) -> None:
    root = _estate(tmp_path, "ready+fault")
    run = run_cli(["check", "-c", str(root / "failback.yaml"), "--now", NOW, "--format", "json"])
    assert run.exit_code == 1, run.stderr
    blocking = [f["rule_id"] for f in run.json()["decisions"][0]["findings"] if f["blocking"]]
    assert blocking == ["NET-002"]
