"""checker/exporters/aws/shared.py: a read is made once per key while sharing, concurrent asks
wait for it, and a failed read (None) is not shared."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from checker.exporters.aws import shared


def test_one_read_per_key_for_concurrent_asks() -> None:
    reads: list[str] = []
    lock = threading.Lock()

    def read(key: str) -> str:
        with lock:
            reads.append(key)
        time.sleep(0.05)  # the other asks arrive while this read is in flight
        return f"answer {key}"

    with shared.sharing() as cache, ThreadPoolExecutor(8) as pool:
        keys = ["a", "b"] * 8
        answers = list(pool.map(lambda k: cache.get(k, lambda: read(k)), keys))
    assert answers == [f"answer {k}" for k in keys]
    assert sorted(reads) == ["a", "b"]
    assert shared.active() is None


def test_a_failed_read_is_not_shared() -> None:
    answers = iter([None, "second"])
    calls: list[int] = []

    def read() -> str | None:
        calls.append(1)
        return next(answers)

    cache = shared.SharedReads()
    assert cache.get("k", read) is None
    assert cache.get("k", read) == "second"
    assert cache.get("k", read) == "second"
    assert len(calls) == 2
