"""A large secondary snapshot is read in a child process while the primary is read here
(checker/io/ahead.py): the same snapshots and the same errors as reading both in turn.

Each case runs in a fresh interpreter: a child is forked only while the process runs one thread,
and a test session may run others (servers, log readers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
READY = ROOT / "fixtures" / "estate" / "ready"
NOW = "2026-11-29T00:00:00+00:00"


# defined for every script: does this process still have a child to reap?
PRELUDE = """
import os as _os
def children_left():
    try:
        _os.waitpid(-1, _os.WNOHANG)
    except ChildProcessError:
        return False
    return True
"""


def run(script: str) -> dict[str, object]:
    """Run `script` in a fresh interpreter; it prints one JSON object as its last line."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux")


def test_a_child_works_the_value_out_and_hands_it_back() -> None:
    found = run(
        """
        import json, os
        from checker.io import ahead
        job = ahead.start(lambda: {"pid": os.getpid(), "value": ["x", 1]})
        print(json.dumps({"here": os.getpid(), "there": job.result(), "again": job.result()}))
        """
    )
    there = found["there"]
    assert isinstance(there, dict)
    assert there["value"] == ["x", 1]
    assert there["pid"] != found["here"]  # worked out in another process
    assert found["again"] is None  # one value, handed back once


def test_a_child_that_fails_brings_nothing_and_is_reaped() -> None:
    found = run(
        """
        import json, os
        from checker.io import ahead
        def fail():
            raise ValueError("bad input")
        job = ahead.start(fail)
        value = job.result()
        left = children_left()
        print(json.dumps({"value": value, "child_left": left}))
        """
    )
    assert found == {"value": None, "child_left": False}


def test_a_cancelled_child_is_stopped_and_reaped() -> None:
    found = run(
        """
        import json, os, time
        from checker.io import ahead
        job = ahead.start(lambda: time.sleep(60))
        started = time.monotonic()
        job.cancel()
        took = time.monotonic() - started
        left = children_left()
        print(json.dumps({"took": took, "child_left": left, "after": job.result()}))
        """
    )
    assert found["child_left"] is False
    assert found["after"] is None
    assert isinstance(found["took"], float) and found["took"] < 30


def test_an_interrupt_while_waiting_stops_the_child() -> None:
    """Ctrl-C while the parent waits for the child's value: the child is stopped and reaped,
    not waited for."""
    found = run(
        """
        import json, os, signal, time
        from checker.io import ahead
        def interrupt(*_):
            raise KeyboardInterrupt
        signal.signal(signal.SIGALRM, interrupt)
        job = ahead.start(lambda: time.sleep(60))
        started = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        try:
            job.result()
            interrupted = False
        except KeyboardInterrupt:
            interrupted = True
        took = time.monotonic() - started
        left = children_left()
        print(json.dumps({"interrupted": interrupted, "took": took, "child_left": left}))
        """
    )
    assert found["interrupted"] is True
    assert found["child_left"] is False
    assert isinstance(found["took"], float) and found["took"] < 30


def test_no_child_while_another_thread_runs() -> None:
    found = run(
        """
        import json, threading
        from checker.io import ahead
        stop = threading.Event()
        other = threading.Thread(target=stop.wait)
        other.start()
        job = ahead.start(lambda: 1)
        stop.set()
        other.join()
        print(json.dumps({"job": job is not None, "after": ahead.start(lambda: 2).result()}))
        """
    )
    assert found == {"job": False, "after": 2}


LOAD_BOTH = """
    import io, json, sys
    from datetime import datetime
    from pathlib import Path
    from checker import sources
    from checker.errors import InputError
    from checker.io import ahead
    from checker.plan import load_plan

    ahead.MIN_BYTES = {min_bytes}
    {setup}
    here = []  # the files this process read itself (a child's reads are not counted here)
    real = sources.load_snapshot
    def counted(path):
        here.append(Path(path).name)
        return real(path)
    sources.load_snapshot = counted
    plan = load_plan(Path("{plan}"))
    secondary = {secondary}
    try:
        first, second, _ = sources.plan_snapshots(
            plan, (None, secondary), io.StringIO(), datetime.fromisoformat("{now}"), None
        )
        out = {{"primary": first.document, "secondary": second.document,
                "sha256": [first.sha256, second.sha256], "origin": second.origin}}
    except InputError as exc:
        out = {{"error": exc.one_line()}}
    out["read_here"] = here
    print(json.dumps(out))
"""


def load_both(min_bytes: int, secondary: Path | None = None, setup: str = "") -> dict[str, object]:
    return run(
        LOAD_BOTH.format(
            min_bytes=min_bytes,
            setup=setup,
            plan=READY / "failback.yaml",
            secondary=f'Path("{secondary}")' if secondary else "None",
            now=NOW,
        )
    )


def test_the_secondary_read_in_a_child_is_the_snapshot_read_here() -> None:
    ahead = load_both(0)
    alone = load_both(2**40)
    assert ahead["read_here"] == ["us-east-1.json"]  # the secondary came from the child
    assert alone["read_here"] == ["us-east-1.json", "us-west-2.json"]
    for field in ("primary", "secondary", "sha256", "origin"):
        assert ahead[field] == alone[field]


@pytest.mark.parametrize(
    "content",
    [
        '{"schema_version": "1.0", "region": "us-west-2", "region": "x"}',
        "{not json",
        '{"schema_version": "1.0"}',
    ],
)
def test_a_bad_secondary_gives_the_error_a_read_here_gives(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "secondary.json"
    bad.write_text(content, encoding="utf-8")
    ahead = load_both(0, bad)
    alone = load_both(2**40, bad)
    assert "error" in ahead
    assert ahead["error"] == alone["error"]
    assert ahead["read_here"] == alone["read_here"] == ["us-east-1.json", "secondary.json"]


def test_with_sigchld_ignored_the_parent_reads_the_file_itself() -> None:
    """A process started with SIGCHLD ignored has its children reaped by the kernel, so the
    child's exit is unknown: the parent reads the file itself, and the snapshots are the same."""
    ignored = load_both(0, setup="import signal; signal.signal(signal.SIGCHLD, signal.SIG_IGN)")
    alone = load_both(2**40)
    assert ignored["read_here"] == ["us-east-1.json", "us-west-2.json"]
    for field in ("primary", "secondary", "sha256", "origin"):
        assert ignored[field] == alone[field]
