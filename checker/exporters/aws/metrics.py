"""CloudWatch runtime metrics (issue #16): MSK Replicator and cluster metrics over a window.

Fills `runtime.metrics` of the snapshot with the newest datapoint of each metric in the last
`window_seconds` (GetMetricData, up to 500 queries a call). Metric names, statistics and
dimension names are AWS's documented ones (namespace AWS/Kafka):

- MSK Replicator (dimension ReplicatorName; the replicators this region's export found):
  ReplicationLatency, MessageLag, ReplicatorThroughput, ConsumerGroupOffsetSyncFailure,
  ReplicatorFailure, AuthError;
- the cluster (dimension "Cluster Name", with "Broker ID", "Consumer Group" and "Topic" where
  the metric has them; the dimension sets come from ListMetrics): OfflinePartitionsCount,
  UnderReplicatedPartitions, UnderMinIsrPartitionCount, BytesInPerSec, MaxOffsetLag,
  EstimatedMaxTimeLag, SumOffsetLag.

A refused call (AccessDenied) is a gap with area `runtime` naming the IAM action; a metric
without a datapoint in the window has value null (the metric exists, nothing was emitted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .client import Reader
from .msk import Cluster

AREA = "runtime"
NAMESPACE = "AWS/Kafka"
DEFAULT_WINDOW_SECONDS = 600
PERIOD_SECONDS = 60
QUERIES_PER_CALL = 500  # GetMetricData's limit
CLUSTER_DIMENSION = "Cluster Name"
GROUP_DIMENSION = "Consumer Group"
TOPIC_DIMENSION = "Topic"
REPLICATOR_DIMENSION = "ReplicatorName"
# (metric, statistic): the statistic AWS documents as the metric's raw aggregation
REPLICATOR_METRICS: tuple[tuple[str, str], ...] = (
    ("ReplicationLatency", "Maximum"),  # ms from produce on the source to write on the target
    ("MessageLag", "Maximum"),  # records the replicator has yet to consume from the source
    ("ReplicatorThroughput", "Average"),  # bytes/s replicated
    ("ConsumerGroupOffsetSyncFailure", "Sum"),  # failed consumer-group offset syncs
    ("ReplicatorFailure", "Sum"),  # failures of the replicator
    ("AuthError", "Sum"),  # connections refused by a cluster (IAM)
)
# (metric, statistic, subject kind)
CLUSTER_METRICS: tuple[tuple[str, str, str], ...] = (
    ("OfflinePartitionsCount", "Maximum", "cluster"),
    ("UnderReplicatedPartitions", "Maximum", "cluster"),
    ("UnderMinIsrPartitionCount", "Maximum", "cluster"),
    ("BytesInPerSec", "Average", "cluster"),
    ("MaxOffsetLag", "Maximum", "group"),
    ("EstimatedMaxTimeLag", "Maximum", "group"),
    ("SumOffsetLag", "Maximum", "group"),
)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _replicator_names(reader: Reader) -> list[tuple[str, str]] | None:
    """(replicator name, flow name) of this region's MSK Replicators; None when the
    replication area could not be read (the flows, and so their metrics, are unknown)."""
    snapshot = reader.snapshot
    if "replication" not in snapshot:
        return None
    found: dict[str, str] = {}
    for flow in snapshot["replication"]:
        if flow.get("tool") == "msk-replicator":
            name = str(flow["name"]).split("#", 1)[0]
            found.setdefault(name, name)
    return sorted(found.items())


def _listed(reader: Reader, cluster: Cluster, metric: str) -> list[dict[str, str]] | None:
    """The dimension sets CloudWatch holds for `metric` of this cluster (ListMetrics)."""
    client = reader.cloudwatch()
    paginator = client.get_paginator("list_metrics")
    pages = reader.call(
        AREA,
        "cloudwatch:ListMetrics",
        lambda: list(
            paginator.paginate(
                Namespace=NAMESPACE,
                MetricName=metric,
                Dimensions=[{"Name": CLUSTER_DIMENSION, "Value": cluster.name}],
            )
        ),
    )
    if pages is None:
        return None
    sets = {
        tuple(sorted((d["Name"], d["Value"]) for d in m.get("Dimensions", [])))
        for page in pages
        for m in page.get("Metrics", [])
    }
    return [dict(s) for s in sorted(sets)]


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def collect(
    reader: Reader,
    cluster: Cluster,
    window_seconds: int = DEFAULT_WINDOW_SECONDS,
    now: datetime | None = None,
) -> None:
    """Add `runtime.metrics` (and `runtime.captured_at`) to the reader's snapshot."""
    end = (now or datetime.now(UTC)).astimezone(UTC)
    runtime = reader.snapshot.setdefault("runtime", {"captured_at": rfc3339(end)})
    records: list[dict[str, Any]] = []
    replicators = _replicator_names(reader)
    if replicators is None:
        reader.gap(AREA, "replicators unknown (replication unreadable): no replicator metrics")
        replicators = []
    for name, flow in replicators:
        for metric, statistic in REPLICATOR_METRICS:
            records.append(
                _record(
                    metric, statistic, {REPLICATOR_DIMENSION: name}, "flow", flow, window_seconds
                )
            )
    complete = True
    for metric, statistic, kind in CLUSTER_METRICS:
        sets = _listed(reader, cluster, metric)
        if sets is None:
            complete = False
            continue
        for dimensions in sets:
            subject = (
                dimensions.get(GROUP_DIMENSION, cluster.name) if kind == "group" else cluster.name
            )
            records.append(_record(metric, statistic, dimensions, kind, subject, window_seconds))
    if not _values(reader, records, end, window_seconds):
        return  # GetMetricData refused: a gap, no metrics
    if complete or records:
        runtime["metrics"] = records


def _record(
    metric: str,
    statistic: str,
    dimensions: dict[str, str],
    kind: str,
    subject: str,
    window_seconds: int,
) -> dict[str, Any]:
    return {
        "namespace": NAMESPACE,
        "metric": metric,
        "statistic": statistic,
        "dimensions": dict(sorted(dimensions.items())),
        "window_seconds": window_seconds,
        "value": None,
        "timestamp": None,
        "subject": {"kind": kind, "name": subject},
    }


def _values(
    reader: Reader, records: list[dict[str, Any]], end: datetime, window_seconds: int
) -> bool:
    """Fill each record's newest value in the window; False when GetMetricData is refused."""
    client = reader.cloudwatch()
    start = end - timedelta(seconds=window_seconds)
    for offset, chunk in enumerate(_chunks(records, QUERIES_PER_CALL)):
        queries = [
            {
                "Id": f"m{offset * QUERIES_PER_CALL + index}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": NAMESPACE,
                        "MetricName": record["metric"],
                        "Dimensions": [
                            {"Name": k, "Value": v} for k, v in record["dimensions"].items()
                        ],
                    },
                    "Period": PERIOD_SECONDS,
                    "Stat": record["statistic"],
                },
                "ReturnData": True,
            }
            for index, record in enumerate(chunk)
        ]
        pages = reader.call(
            AREA,
            "cloudwatch:GetMetricData",
            lambda q=queries: list(
                client.get_paginator("get_metric_data").paginate(
                    MetricDataQueries=q,
                    StartTime=start,
                    EndTime=end,
                    ScanBy="TimestampDescending",
                )
            ),
        )
        if pages is None:
            return False
        by_id = {q["Id"]: record for q, record in zip(queries, chunk, strict=True)}
        for page in pages:
            for result in page.get("MetricDataResults", []):
                record = by_id.get(str(result.get("Id")))
                points = sorted(
                    zip(result.get("Timestamps", []), result.get("Values", []), strict=False),
                    key=lambda point: point[0],
                )
                if record is None or not points:
                    continue
                moment, value = points[-1]
                if record["timestamp"] is None or rfc3339(moment) > record["timestamp"]:
                    record["timestamp"] = rfc3339(moment)
                    record["value"] = float(value)
    return True
