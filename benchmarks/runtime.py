"""The runtime benchmark: one runtime sample of 10,000 partitions per region on real brokers.

    python -m benchmarks.runtime [--partitions 10000] [--per-topic 20] [--samples 5]

Starts the test suite's two single-broker KRaft clusters (tests/kafka/kafka_cluster.py; needs
Java and the jars of scripts/install-kafka.sh), creates `partitions` partitions in each region
(topics of `per-topic` partitions), writes one record to every tenth partition of the source,
commits a consumer group, then times `collect_runtime` (Metadata, ListOffsets LATEST and
MAX_TIMESTAMP, DescribeConfigs, groups; every batch in flight at once) for each region: the
median of `samples` samples per region and of both regions one after the other.

Goal (issue #16): < 10 s per sample for 10,000 partitions per region.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from checker.exporters.kafka.runtime import RuntimeSession, collect_runtime
from tests.kafka.kafka_cluster import ADMIN_PASSWORD, ADMIN_USER, Cluster, libs_dir, start_clusters

GOAL_SECONDS = 10.0
USERS = {ADMIN_USER: ADMIN_PASSWORD}


def create(cluster: Cluster, partitions: int, per_topic: int) -> list[str]:
    from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]

    admin = cluster.admin()
    names = [f"rt.t{i:05d}" for i in range(-(-partitions // per_topic))]
    for start in range(0, len(names), 100):
        batch = [NewTopic(n, per_topic, 1) for n in names[start : start + 100]]
        for future in admin.create_topics(batch, request_timeout=120).values():
            future.result(timeout=300)
    deadline = time.monotonic() + 600
    while set(names) - set(admin.list_topics(timeout=60).topics):
        if time.monotonic() > deadline:
            raise SystemExit(f"topics never all appeared in {cluster.name}")
        time.sleep(1)
    return names


def fill(cluster: Cluster, names: list[str], per_topic: int) -> None:
    from confluent_kafka import Consumer, Producer

    producer = Producer(cluster.client_config())
    for index, name in enumerate(names):
        for partition in range(per_topic):
            if (index * per_topic + partition) % 10 == 0:
                producer.produce(name, value=b"x", partition=partition)
    producer.flush(60)
    consumer = Consumer(
        {**cluster.client_config(), "group.id": "bench-app", "enable.auto.commit": False}
    )
    from confluent_kafka import TopicPartition

    consumer.commit(
        offsets=[TopicPartition(names[0], p, 1) for p in range(per_topic)], asynchronous=False
    )
    consumer.close()


def sample(session: RuntimeSession) -> tuple[float, float, int, int]:
    """(wall s, this process's CPU s, partitions read, gaps) of one collect_runtime."""
    started, cpu = time.perf_counter(), time.process_time()
    runtime, gaps = collect_runtime(session)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    count = sum(len(t["partitions"]) for t in runtime["topics"].values())
    return wall, cpu, count, len(gaps)


def bench(partitions: int, per_topic: int, samples: int) -> dict[str, Any]:
    if not libs_dir().is_dir():
        raise SystemExit(f"no Kafka jars in {libs_dir()}: run scripts/install-kafka.sh")
    with tempfile.TemporaryDirectory(prefix="failback-runtime-bench-") as tmp:
        clusters = [Cluster(r, Path(tmp) / r, USERS) for r in ("us-east-1", "us-west-2")]
        try:
            start_clusters(clusters)
            started = time.perf_counter()
            for cluster in clusters:
                names = create(cluster, partitions, per_topic)
            fill(clusters[0], names, per_topic)
            setup = time.perf_counter() - started
            sessions = [
                RuntimeSession(c.admin(), c.client_config(), timeout=60.0) for c in clusters
            ]
            sample(sessions[0])  # warm the connections
            per_region: dict[str, list[float]] = {c.name: [] for c in clusters}
            cpu_region: dict[str, list[float]] = {c.name: [] for c in clusters}
            both: list[float] = []
            counts: dict[str, int] = {}
            gaps: dict[str, int] = {}
            for _ in range(samples):
                total = 0.0
                for cluster, session in zip(clusters, sessions, strict=True):
                    wall, cpu, counts[cluster.name], gaps[cluster.name] = sample(session)
                    per_region[cluster.name].append(wall)
                    cpu_region[cluster.name].append(cpu)
                    total += wall
                both.append(total)
        finally:
            for cluster in clusters:
                cluster.stop()
    worst = max(statistics.median(v) for v in per_region.values())
    return {
        "target": f"runtime sample, {partitions:,} partitions per region (median of {samples})",
        "goal": f"< {GOAL_SECONDS:g} s per region",
        "per_region_s": {k: round(statistics.median(v), 3) for k, v in per_region.items()},
        "both_regions_s": round(statistics.median(both), 3),
        "client_cpu_s": {k: round(statistics.median(v), 3) for k, v in cpu_region.items()},
        "partitions_read": counts,
        "gaps": gaps,
        "setup_s": round(setup, 1),
        "met": worst < GOAL_SECONDS,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partitions", type=int, default=10_000)
    parser.add_argument("--per-topic", type=int, default=20)
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args(argv)
    row = bench(args.partitions, args.per_topic, args.samples)
    json.dump(row, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if row["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
