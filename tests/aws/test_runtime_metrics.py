"""CloudWatch runtime metrics through the aws exporter (issue #16), against moto in server mode:
put_metric_data seeds them, the exporter's ListMetrics + GetMetricData read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from checker.exporters import aws
from checker.exporters.aws import AwsSource
from checker.exporters.aws.metrics import CLUSTER_METRICS, REPLICATOR_METRICS

from . import estate
from .conftest import World
from .estate import PRIMARY

REPLICATOR = "payments-usw2-to-use1"  # the reverse flow: its replicator lives in us-east-1
CLUSTER = estate.NAME[PRIMARY]


def put(
    world: World, metric: str, dimensions: dict[str, str], points: list[tuple[int, float]]
) -> None:
    """Datapoints `seconds ago -> value` of AWS/Kafka `metric` in the primary region."""
    now = datetime.now(UTC)
    world.client("cloudwatch", PRIMARY).put_metric_data(
        Namespace="AWS/Kafka",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                "Timestamp": now - timedelta(seconds=ago),
                "Value": value,
            }
            for ago, value in points
        ],
    )


def seed(world: World) -> None:
    put(world, "ReplicationLatency", {"ReplicatorName": REPLICATOR}, [(400, 5000.0), (90, 1200.0)])
    put(world, "MessageLag", {"ReplicatorName": REPLICATOR}, [(90, 1842.0)])
    put(world, "OfflinePartitionsCount", {"Cluster Name": CLUSTER}, [(90, 0.0)])
    put(
        world,
        "UnderReplicatedPartitions",
        {"Cluster Name": CLUSTER, "Broker ID": "2"},
        [(90, 3.0)],
    )
    put(
        world,
        "MaxOffsetLag",
        {"Cluster Name": CLUSTER, "Consumer Group": "ledger-app", "Topic": "ledger.entries"},
        [(90, 42.0)],
    )
    # another cluster's metric: not this export's
    put(world, "OfflinePartitionsCount", {"Cluster Name": "someone-else"}, [(90, 7.0)])


def export(world: World, region: estate.Region, **settings: Any) -> dict[str, Any]:
    options = AwsSource(
        region=region.name,
        cluster_arn=region.cluster_arn,
        endpoint_url=world.url,
        runtime=True,
        **settings,
    )
    return aws.export(options, None)


def values(snapshot: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {
        (m["metric"], ",".join(f"{k}={v}" for k, v in m["dimensions"].items())): m["value"]
        for m in snapshot["runtime"]["metrics"]
    }


def test_replicator_and_cluster_metrics_are_read(world: World) -> None:
    regions = estate.build(world)
    seed(world)
    snap = export(world, regions[PRIMARY])
    assert snap["schema_version"] == "1.1"
    assert [g for g in snap["gaps"] if g["area"] == "runtime"] == []
    found = values(snap)
    # every documented replicator metric of the replicator, newest datapoint or null
    assert {m for m, d in found if d == f"ReplicatorName={REPLICATOR}"} == {
        m for m, _ in REPLICATOR_METRICS
    }
    assert found[("ReplicationLatency", f"ReplicatorName={REPLICATOR}")] == 1200.0
    assert found[("MessageLag", f"ReplicatorName={REPLICATOR}")] == 1842.0
    assert found[("ReplicatorThroughput", f"ReplicatorName={REPLICATOR}")] is None
    assert found[("OfflinePartitionsCount", f"Cluster Name={CLUSTER}")] == 0.0
    assert found[("UnderReplicatedPartitions", f"Broker ID=2,Cluster Name={CLUSTER}")] == 3.0
    lag = f"Cluster Name={CLUSTER},Consumer Group=ledger-app,Topic=ledger.entries"
    assert found[("MaxOffsetLag", lag)] == 42.0
    assert ("OfflinePartitionsCount", "Cluster Name=someone-else") not in found
    by_metric = {m["metric"]: m for m in snap["runtime"]["metrics"]}
    assert by_metric["MaxOffsetLag"]["subject"] == {"kind": "group", "name": "ledger-app"}
    assert by_metric["MessageLag"]["subject"] == {"kind": "flow", "name": REPLICATOR}
    assert by_metric["MessageLag"]["statistic"] == "Maximum"
    assert by_metric["MessageLag"]["window_seconds"] == 600
    assert by_metric["MessageLag"]["timestamp"] is not None
    # the cluster metrics CloudWatch does not hold for this cluster are simply not listed
    assert {m for m, _ in found} <= {m for m, _ in REPLICATOR_METRICS} | {
        m for m, _, _ in CLUSTER_METRICS
    }


def test_window_leaves_older_datapoints_out(world: World) -> None:
    regions = estate.build(world)
    seed(world)
    snap = export(world, regions[PRIMARY], metrics_window=60)
    found = values(snap)
    assert found[("ReplicationLatency", f"ReplicatorName={REPLICATOR}")] is None


def test_denied_get_metric_data_is_a_runtime_gap(world: World) -> None:
    regions = estate.build(world)
    seed(world)
    world.fail(PRIMARY, "monitoring", "GetMetricData", "AccessDenied")
    snap = export(world, regions[PRIMARY])
    assert "metrics" not in snap["runtime"]
    assert [g for g in snap["gaps"] if g["area"] == "runtime"] == [
        {"area": "runtime", "reason": "AccessDenied", "call": "cloudwatch:GetMetricData"}
    ]


def test_denied_list_metrics_is_a_runtime_gap(world: World) -> None:
    regions = estate.build(world)
    seed(world)
    world.fail(PRIMARY, "monitoring", "ListMetrics", "AccessDenied")
    snap = export(world, regions[PRIMARY])
    assert [g for g in snap["gaps"] if g["area"] == "runtime"] == [
        {"area": "runtime", "reason": "AccessDenied", "call": "cloudwatch:ListMetrics"}
    ]
    # the replicator metrics need no listing: still read
    assert values(snap)[("MessageLag", f"ReplicatorName={REPLICATOR}")] == 1842.0


def test_no_runtime_reads_no_metrics(world: World) -> None:
    regions = estate.build(world)
    options = AwsSource(
        region=PRIMARY, cluster_arn=regions[PRIMARY].cluster_arn, endpoint_url=world.url
    )
    snap = aws.export(options, None)
    assert "runtime" not in snap and snap["schema_version"] == "1.0"
    assert not {op for prefix, op in world.operations if prefix == "monitoring"}


def test_region_sampler_samples_the_plans_aws_source_repeatedly(world: World) -> None:
    from checker.sampler import RegionSampler

    regions = estate.build(world)
    seed(world)
    source = {"type": "aws", "cluster_arn": regions[PRIMARY].cluster_arn, "endpoint_url": world.url}
    sampler = RegionSampler([source, {"type": "terraform", "plan": "x.json"}], PRIMARY, Path("."))
    first, gaps = sampler.sample()
    assert gaps == []
    assert values({"runtime": first})[("MessageLag", f"ReplicatorName={REPLICATOR}")] == 1842.0
    put(world, "MessageLag", {"ReplicatorName": REPLICATOR}, [(5, 0.0)])
    second, _ = sampler.sample()
    assert values({"runtime": second})[("MessageLag", f"ReplicatorName={REPLICATOR}")] == 0.0
    assert second["captured_at"] >= first["captured_at"]
