"""Account- and region-wide reads shared by the exports of one fleet run.

Some of what an export reads does not depend on its cluster: the account's IAM authorization
details, the region's CloudTrail trails and MSK replicators, a VPC's endpoints. A fleet exports
many clusters of one account and region with the same credentials, so while `sharing()` is
active (`failback fleet`) such a read is made once per key and its answer handed to every
export that asks for it; concurrent asks wait for the first (single flight). The key names the
caller (profile, role, endpoint), so different credentials never share an answer. A failed read
is not shared: every export that needs it reads again and records its own gap. Outside a
fleet run nothing is shared (`failback watch` samples must be fresh). No boto3 import here.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

R = TypeVar("R")


class SharedReads:
    """Answers by key, thread-safe, single flight."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[Hashable, Any] = {}
        self._pending: dict[Hashable, threading.Event] = {}

    def get(self, key: Hashable, read: Callable[[], R | None]) -> R | None:
        """The shared answer for `key`, reading it with `read` (None: failed) if nobody has."""
        with self._lock:
            if key in self._answers:
                answer: R = self._answers[key]
                return answer
            event = self._pending.get(key)
            first = event is None
            if event is None:
                event = self._pending[key] = threading.Event()
        if not first:
            event.wait()
            with self._lock:
                if key in self._answers:
                    shared: R = self._answers[key]
                    return shared
            return read()  # the first read failed: read again, with this export's own gap
        result: R | None = None
        try:
            result = read()
        finally:
            with self._lock:
                if result is not None:
                    self._answers[key] = result
                del self._pending[key]
            event.set()
        return result


_active: SharedReads | None = None


def active() -> SharedReads | None:
    return _active


@contextlib.contextmanager
def sharing() -> Iterator[SharedReads]:
    """Share account- and region-wide reads between the exports made inside."""
    global _active
    reads = SharedReads()
    previous, _active = _active, reads
    try:
        yield reads
    finally:
        _active = previous
