"""A tally of the AWS API calls the exporter makes, per cluster and operation, when asked.

    with callstats.recording() as stats:
        ...  # exports (any thread)
    stats.document()  # {"calls": N, "requests": N, "operations": {...}, "clusters": {...}}

`failback fleet --aws-call-stats FILE` writes it. While a tally is recording, every client the
exporter makes (`client.new_client`) counts through botocore's event hooks: `before-call` once
per API call (each page of a paginated call is one call), `before-send` once per HTTP request
(retries included). A call is charged to the cluster whose export made it (`exporting`, a
context variable, so concurrent exports in a fleet's threads keep apart). Nothing is counted,
and no hook is registered, when no tally is recording. No boto3 import here: the CLI imports
this module without loading botocore.
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

_CLUSTER: ContextVar[str] = ContextVar("failback_aws_cluster", default="")


class CallStats:
    """Counts per (cluster ARN, "service:Operation"), thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[tuple[str, str]] = Counter()
        self.requests: Counter[tuple[str, str]] = Counter()

    def count(self, kind: str, action: str) -> None:
        key = (_CLUSTER.get(), action)
        with self._lock:
            (self.calls if kind == "call" else self.requests)[key] += 1

    def document(self) -> dict[str, Any]:
        """The tally as JSON: totals, per operation, per cluster (sorted keys)."""
        with self._lock:
            calls, requests = Counter(self.calls), Counter(self.requests)
        operations: Counter[str] = Counter()
        clusters: dict[str, Counter[str]] = {}
        for (cluster, action), n in calls.items():
            operations[action] += n
            clusters.setdefault(cluster, Counter())[action] += n
        return {
            "calls": sum(calls.values()),
            "requests": sum(requests.values()),
            "operations": dict(sorted(operations.items())),
            "clusters": {
                cluster: dict(sorted(counts.items()))
                for cluster, counts in sorted(clusters.items())
            },
        }


_active: CallStats | None = None


def active() -> CallStats | None:
    """The tally recording now, if any (read when a client is made)."""
    return _active


@contextlib.contextmanager
def recording() -> Iterator[CallStats]:
    """Count the exporter's calls while inside (clients made inside count)."""
    global _active
    stats = CallStats()
    previous, _active = _active, stats
    try:
        yield stats
    finally:
        _active = previous


@contextlib.contextmanager
def exporting(cluster_arn: str) -> Iterator[None]:
    """Charge the calls made inside (in this thread) to `cluster_arn`."""
    token = _CLUSTER.set(cluster_arn)
    try:
        yield
    finally:
        _CLUSTER.reset(token)


def instrument(client: Any, service: str) -> None:
    """Register the counting hooks on a new boto3 client when a tally is recording."""
    stats = _active
    if stats is None:
        return

    def on_call(event_name: str, **_: Any) -> None:
        stats.count("call", f"{service}:{event_name.rsplit('.', 1)[-1]}")

    def on_send(event_name: str, **_: Any) -> None:
        stats.count("request", f"{service}:{event_name.rsplit('.', 1)[-1]}")

    events = client.meta.events
    events.register("before-call", on_call)
    events.register("before-send", on_send)
