"""The AWS calls of a fleet run, counted (`failback fleet --aws-call-stats`) against a real moto
server (tests/aws/msk_front.py answers the MSK operations moto lacks, over the same HTTP).

The exporter reads each cluster once, whatever the plan asks of it: the calls per cluster are
a fixed set (one of each, one DescribeTopic per topic, one AssumeRole where the fleet's
accounts entry gives a role), identical for a plan of 1 topic family and of 50; the reads of
the account or region (IAM authorization details, trails, replicators, VPC endpoints) are
made once per run, not once per cluster.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import NOW, run_cli
from . import fleet_estate, msk_front

PAIRS = 3
ACCOUNTS = (fleet_estate.DEFAULT_ACCOUNT, fleet_estate.OTHER_ACCOUNT)
REGIONS = 2
TOPICS = 50  # ledger topics per cluster, plus 2 internal ones
# What each export reads of its own cluster, once each; DescribeTopic once per topic.
PER_CLUSTER = {
    "ec2:DescribeSecurityGroups": 1,
    "kafka:DescribeClusterV2": 1,
    "kafka:DescribeConfigurationRevision": 1,
    "kafka:DescribeReplicator": 1,  # the replicator writing into this cluster
    "kafka:DescribeTopic": TOPICS + 2,
    "kafka:GetBootstrapBrokers": 1,
    "kafka:GetClusterPolicy": 1,
    "kafka:ListClientVpcConnections": 1,
    "kafka:ListScramSecrets": 1,
    "kafka:ListTopics": 1,
    "kms:DescribeKey": 1,
    "kms:GetKeyRotationStatus": 1,
    "logs:DescribeLogGroups": 1,
    "s3:GetBucketEncryption": 1,
    "s3:GetBucketLifecycleConfiguration": 1,
    "s3:GetBucketReplication": 1,
    "s3:GetBucketVersioning": 1,
    "s3:GetPublicAccessBlock": 1,
}
# Reads of the account or region, made once per run for every cluster that needs them
# (exporters/aws/shared.py): the fleet's clusters share one VPC per account and region, and
# one multi-region trail (home us-east-1) per account.
SHARED = {
    "iam:GetAccountAuthorizationDetails": len(ACCOUNTS),
    "cloudtrail:DescribeTrails": len(ACCOUNTS) * REGIONS,
    "cloudtrail:GetTrailStatus": len(ACCOUNTS),
    "cloudtrail:GetEventSelectors": len(ACCOUNTS),
    "kafka:ListReplicators": len(ACCOUNTS) * REGIONS,
    "ec2:DescribeVpcEndpoints": len(ACCOUNTS) * REGIONS,
}


@pytest.fixture(scope="module")
def served() -> Iterator[msk_front.Served]:
    with msk_front.serve() as server:
        yield server


@pytest.fixture
def pairs(served: msk_front.Served) -> list[fleet_estate.Pair]:
    msk_front.reset_moto(served.url)
    served.front.fake = msk_front.MskFake()
    return fleet_estate.seed(served.url, served.front.fake, PAIRS, ACCOUNTS, TOPICS)


def _run(
    served: msk_front.Served, root: Path, pairs: list[fleet_estate.Pair], families: int
) -> tuple[dict[str, Any], Counter[str]]:
    config = fleet_estate.write_fleet(root, served.url, pairs, families, TOPICS)
    stats_file = root / "calls.json"
    served.front.reset()
    run = run_cli(
        ["fleet", "-c", str(config), "--now", NOW, "--concurrency", "8",
         "--aws-call-stats", str(stats_file), "--format", "json"]
    )  # fmt: skip
    assert run.exit_code == 0, run.stderr
    report = json.loads(run.stdout)
    assert (
        report["summary"]["line"] == f"{PAIRS} pairs: {PAIRS} ready, 0 not ready, 0 indeterminate"
    )
    families_seen = {
        f["name"]
        for f in json.loads((root / "pairs/p000/failback.yaml").read_text())["topic_families"]
    }
    assert len(families_seen) == families
    return json.loads(stats_file.read_text()), Counter(served.front.requests)


def _own(counts: dict[str, int]) -> dict[str, int]:
    """A cluster's counts without the shared reads (charged to whichever export made them)."""
    return {action: n for action, n in counts.items() if action not in SHARED}


def test_calls_per_cluster_are_fixed_whatever_the_families(
    served: msk_front.Served, pairs: list[fleet_estate.Pair], tmp_path: Path
) -> None:
    one, received_one = _run(served, tmp_path / "one", pairs, families=1)
    fifty, received_fifty = _run(served, tmp_path / "fifty", pairs, families=50)

    assert fifty["operations"] == one["operations"]
    assert fifty["calls"] == one["calls"]
    assert received_fifty == received_one
    expected: dict[str, dict[str, int]] = {}
    for pair in pairs:
        for cluster in pair.clusters.values():
            calls = dict(PER_CLUSTER)
            if pair.account != fleet_estate.DEFAULT_ACCOUNT:  # the accounts entry's role
                calls["sts:AssumeRole"] = 1
            expected[cluster.arn] = dict(sorted(calls.items()))
    for tally in (one, fifty):
        assert {arn: _own(c) for arn, c in tally["clusters"].items()} == expected
    operations = dict(SHARED)
    for calls in expected.values():
        for action, n in calls.items():
            operations[action] = operations.get(action, 0) + n
    assert one["operations"] == dict(sorted(operations.items()))
    assert one["operations"]["kafka:DescribeClusterV2"] == 2 * PAIRS
    assert one["calls"] == sum(operations.values())
    # no retries against moto: one HTTP request per call, and moto saw exactly those
    assert one["requests"] == one["calls"]
    by_service: Counter[str] = Counter()
    for action, n in one["operations"].items():
        by_service[action.split(":", 1)[0]] += n
    assert received_one == by_service
