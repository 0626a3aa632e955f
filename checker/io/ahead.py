"""Reading a large input in a child process while this one reads another: the two snapshots of
a large estate take about 1.5 s each to read, and the machine has two cores.

Only an accelerator. The child's value is used when it brings one; in every other case (the
input is bad, the child failed or was killed, forking is not available or not safe here) the
caller reads the input itself, the way it always did, so what a bad input gives (the error, its
message, its exit code) is what a read in this process gives.

Forking without exec is safe only while this process runs one thread (a lock another thread
holds would stay held in the child), so a process running threads (a fleet's pool, a test's
server) reads in turn; and only on Linux (macOS's system libraries do not support it). The child
runs the function, pickles its value (a snapshot document keeps its shared strings: a 100 MB
snapshot is about 36 MB of pickle), writes it to a pipe and leaves with os._exit: no atexit
handler runs, no output the parent buffered is written twice. Pickle is read from this process's
own child only, never from an input.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

# an input from this size on is worth a child: reading a 16 MB snapshot takes about 0.25 s, a
# fork and its pickle a few milliseconds
MIN_BYTES = 16 * 2**20


def worth(path: Path) -> bool:
    """Is the file large enough to be read in a child?"""
    try:
        return path.stat().st_size >= MIN_BYTES
    except OSError:  # the caller's own read names what is wrong
        return False


def can_fork() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


class Ahead(Generic[T]):
    """A value being worked out in a child process."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid = pid
        self._pipe = pipe
        self._done = False

    def result(self) -> T | None:
        """The child's value, or None when it brought none (the caller then works it out)."""
        if self._done:
            return None
        self._done = True
        try:
            with os.fdopen(self._pipe, "rb") as pipe:
                data = pipe.read()
        except BaseException:  # interrupted while the child runs: stop it, then go on
            self._stop()
            raise
        if self._reap() != 0 or not data:
            return None
        import pickle

        value: T = pickle.loads(data)
        return value

    def cancel(self) -> None:
        """Stop the child if it still runs (the caller failed or was interrupted)."""
        if self._done:
            return
        self._done = True
        os.close(self._pipe)
        self._stop()

    def _stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        self._reap()

    def _reap(self) -> int:
        """The child's exit code once it has ended; -1 when it cannot be known (SIGCHLD
        ignored by whatever started this process: the kernel reaps children itself)."""
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:
            return -1
        return os.waitstatus_to_exitcode(status)


def start(func: Callable[[], T]) -> Ahead[T] | None:
    """func() in a child process; None when no child can be used here (the caller then calls
    func itself when it needs the value). Ctrl-C is held back while the child is made, so an
    interrupt finds either no child or one the caller can stop."""
    if not can_fork():
        return None
    import pickle

    read_end, write_end = os.pipe()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return None
    if pid == 0:  # the child: whatever happens, it leaves here
        code = 1
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            os.close(read_end)
            data = pickle.dumps(func(), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        except BaseException:  # noqa: BLE001 (the parent reads the input itself)
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    ahead: Ahead[T] = Ahead(pid, read_end)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a held Ctrl-C arrives here
    except BaseException:
        ahead.cancel()
        raise
    return ahead
