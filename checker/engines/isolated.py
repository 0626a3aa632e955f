"""The embedded engine in a forked child process, for policies that are not ours.

regorus has no evaluation limits: a loop in a user policy runs forever, a huge comprehension
aborts the process, deep recursion overflows the stack, and its parser takes exponential time
on some input. In a child all of that becomes an EngineError with one line:

- every request (vet, load, one query) must answer within the time limit (--timeout), or the
  child is killed;
- the child may grow its address space by at most MEMORY_LIMIT bytes;
- a child that dies of a signal is reported by the signal's name; it leaves no core file;
- the child dies with its parent (Linux: PR_SET_PDEATHSIG) and has a CPU-time backstop.

The built-in library alone stays in process (engines/__init__.py): it is ours, bounded and
fast, and forking for it would cost the pre-commit path.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import math
import os
import resource
import select
import signal
import struct
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import CheckerError, EngineError
from ..policy.locate import PolicyFile
from .base import PolicyCompileError

MEMORY_LIMIT = 8 * 2**30
_VETTING = "checking the --policy-dir policies"
_FRAME = struct.Struct(">Q")
_SIGNAL_HINTS: dict[int, str] = {
    signal.SIGSEGV: "a stack overflow: recursion or deep nesting in a policy?",
    signal.SIGABRT: "out of memory: does a policy build a huge value?",
    signal.SIGKILL: "out of memory?",
    signal.SIGBUS: "out of memory?",
    signal.SIGXCPU: "CPU time limit",
}


def _policies_json(policies: Sequence[PolicyFile]) -> bytes:
    return json.dumps(
        [{"name": p.name, "text": p.text, "builtin": p.builtin} for p in policies]
    ).encode()


def _policies_from(body: bytes) -> list[PolicyFile]:
    return [PolicyFile(p["name"], p["text"], bool(p["builtin"])) for p in json.loads(body)]


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _send(fd: int, header: Mapping[str, Any], body: bytes = b"") -> None:
    head = json.dumps(header).encode()
    _write_all(fd, _FRAME.pack(len(head)) + head + _FRAME.pack(len(body)))
    _write_all(fd, body)


class _Reader:
    """Frames from a pipe, optionally against a deadline."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()

    def exactly(self, size: int, deadline: float | None) -> bytes | None:
        """None at end of file; TimeoutError past the deadline."""
        while len(self.buffer) < size:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError
                ready, _, _ = select.select([self.fd], [], [], remaining)
                if not ready:
                    raise TimeoutError
            chunk = os.read(self.fd, max(size - len(self.buffer), 1 << 16))
            if not chunk:
                return None
            self.buffer += chunk
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def frame(self, deadline: float | None) -> bytes | None:
        size = self.exactly(_FRAME.size, deadline)
        if size is None:
            return None
        return self.exactly(_FRAME.unpack(size)[0], deadline)


# --- the child ---------------------------------------------------------------------------------


def _limit_child(timeout: float) -> None:
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, ValueError):
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        wanted = pages * os.sysconf("SC_PAGE_SIZE") + MEMORY_LIMIT
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    with contextlib.suppress(OSError, ValueError):
        # a backstop should the parent die without killing us: every request is bounded by
        # `timeout` wall-clock seconds, and a run makes a handful of them
        seconds = math.ceil(timeout) * 10 + 10
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        cpu = seconds if hard == resource.RLIM_INFINITY else min(seconds, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard))


def _die_with_parent(parent: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(0)


def _vet(policies: Sequence[PolicyFile]) -> None:
    from ..policy.vet import check_asts, related_builtins
    from .embedded import import_regorus, summarize

    regorus = import_regorus()

    user = [p for p in policies if not p.builtin]
    if not user:
        return
    files = [*related_builtins([p for p in policies if p.builtin]), *user]
    engine = regorus.Engine()
    for policy in files:
        try:
            engine.add_policy(policy.name, policy.text)
        except RuntimeError as exc:
            raise PolicyCompileError(policy.name, summarize(exc)) from None
    check_asts(json.loads(engine.get_ast_as_json()), files)


def _serve(requests: int, answers: int) -> None:
    from .embedded import EmbeddedEngine

    reader = _Reader(requests)
    engine: EmbeddedEngine | None = None
    while True:
        head = reader.frame(None)
        body = reader.frame(None)
        if head is None or body is None:
            return
        request = json.loads(head)
        try:
            result = b""
            if request["op"] == "vet":
                _vet(_policies_from(body))
            elif request["op"] == "load":
                engine = EmbeddedEngine()
                engine.load(_policies_from(body))
            elif request["op"] == "query" and engine is not None:
                document = None if body == b"null" else body.decode()
                result = engine.query_json(request["rule"], document).encode()
            else:
                raise EngineError(f"the embedded engine's child got a bad request: {request}")
            _send(answers, {"ok": True}, result)
        except PolicyCompileError as exc:
            _send(answers, {"error": exc.detail, "compile": exc.file})
        except CheckerError as exc:
            _send(answers, {"error": exc.message})
        except Exception as exc:  # noqa: BLE001 - the child's last line of defence: report it
            _send(answers, {"error": f"internal error in the engine's child: {exc!r}"[:500]})


def _child(requests: int, answers: int, output: int, parent: int, timeout: float) -> None:
    code = 0
    try:
        # regorus' own last words (a failed allocation, a stack overflow) go to a file the
        # parent quotes; nothing reaches the terminal
        os.dup2(output, 2)
        os.dup2(output, 1)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles ^C and kills us
        _die_with_parent(parent)
        _limit_child(timeout)
        _serve(requests, answers)
    except BaseException:  # noqa: BLE001 - whatever happens, never return into the parent's code
        code = 70
    finally:
        os._exit(code)


# --- the parent --------------------------------------------------------------------------------


class Worker:
    """A forked child serving vet, load and query requests, each within `timeout` seconds."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        child_requests, self._requests = os.pipe()
        self._answers, child_answers = os.pipe()
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child; measured through the parent
            os.close(self._requests)
            os.close(self._answers)
            _child(child_requests, child_answers, self._output.fileno(), parent, timeout)
        os.close(child_requests)
        os.close(child_answers)
        self._pid: int | None = pid
        self._reader = _Reader(self._answers)

    def call(self, header: Mapping[str, Any], body: bytes, what: str) -> bytes:
        if self._pid is None:
            raise EngineError(f"the embedded engine's child is gone ({what})")
        deadline = time.monotonic() + self.timeout
        try:
            _send(self._requests, header, body)
            head = self._reader.frame(deadline)
            result = self._reader.frame(deadline) if head is not None else None
        except TimeoutError:
            self._stop()
            raise EngineError(
                f"{what} took longer than {self.timeout:g}s: a runaway policy? (raise --timeout)"
            ) from None
        except BrokenPipeError:
            head = result = None
        if head is None or result is None:
            raise EngineError(f"the embedded engine died while {what} ({self._death()})")
        answer = json.loads(head)
        if "error" in answer:
            if answer.get("compile"):
                raise PolicyCompileError(str(answer["compile"]), str(answer["error"]))
            raise EngineError(str(answer["error"]))
        return result

    def _death(self) -> str:
        status = self._reap(block=True)
        if status is None:
            return "no status"
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            try:
                name = signal.Signals(number).name
            except ValueError:
                name = f"signal {number}"
            hint = self._last_words() or _SIGNAL_HINTS.get(number)
            return f"killed by {name}: {hint}" if hint else f"killed by {name}"
        return f"exit code {os.WEXITSTATUS(status)}"

    def _last_words(self) -> str:
        """The first line the child wrote (regorus: "memory allocation of N bytes failed")."""
        self._output.seek(0)
        for line in self._output.read(4096).decode("utf-8", "replace").splitlines():
            if line.strip():
                return " ".join(line.split())[:200]
        return ""

    def _reap(self, block: bool) -> int | None:
        if self._pid is None:
            return None
        pid, status = os.waitpid(self._pid, 0 if block else os.WNOHANG)
        if pid == 0:
            return None
        self._pid = None
        return status

    def _stop(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                self._reap(block=True)

    def close(self) -> None:
        for fd in (self._requests, self._answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._requests = self._answers = -1
        if self._pid is not None:
            # closing the pipe ends the child's loop; a child busy elsewhere is killed
            deadline = time.monotonic() + 1.0
            while self._pid is not None and time.monotonic() < deadline:
                if self._reap(block=False) is None:
                    time.sleep(0.005)
            self._stop()
        self._output.close()


class IsolatedEngine:
    """The embedded engine (regorus) in a Worker: same answers, limits and one-line errors."""

    name = "embedded"

    def __init__(self, timeout: float) -> None:
        self._worker = Worker(timeout)

    def vet(self, policies: Sequence[PolicyFile]) -> None:
        self._worker.call({"op": "vet"}, _policies_json(policies), _VETTING)

    def load(self, policies: Sequence[PolicyFile]) -> None:
        self._worker.call({"op": "load"}, _policies_json(policies), "loading the policies")

    def query(self, rule: str, input_document: Mapping[str, Any] | None) -> Any:
        raw = self._worker.call(
            {"op": "query", "rule": rule},
            json.dumps(input_document).encode(),
            f"evaluating {rule}",
        )
        return json.loads(raw)

    def close(self) -> None:
        self._worker.close()


def vet_in_child(policies: Sequence[PolicyFile], timeout: float) -> None:
    """The user policies' compile-time checks (policy/vet.py), in a child of their own."""
    worker = Worker(timeout)
    try:
        worker.call({"op": "vet"}, _policies_json(policies), _VETTING)
    finally:
        worker.close()
