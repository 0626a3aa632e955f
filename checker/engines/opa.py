"""Open Policy Agent through opa-python-client: a server by URL, or a local `opa run --server`.

opa-python-client raises unrelated error classes and raw requests exceptions; every one of them
becomes an EngineError with one line that says what to do.

The local server is this run's alone: it listens on 127.0.0.1 with token authentication and an
authorization policy (system.authz) that admits only this process's random token, so another
local user can neither read the estate nor PUT a module; once the policies are loaded the
policy also refuses every write, this run's included. It may grow to MEMORY_LIMIT bytes of
address space, dies with this process (Linux), and queries run with strict built-in errors, as
regorus does, so both engines fail alike on a built-in error.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import EngineError
from ..policy.locate import PolicyFile
from .isolated import MEMORY_LIMIT

POLICY_ID_PREFIX = "failback-checker"
DEFAULT_TIMEOUT = 30.0
STARTUP_SECONDS = 20.0
LOCK_PATH = "failback_checker/lock"

# The local server's authorization policy: only this run's token, and no writes once locked.
AUTHZ_POLICY = """package system.authz

import rego.v1

default allow := false

allow if {
	input.identity == TOKEN
	not locked_write
}

locked_write if {
	input.method in {"PUT", "PATCH", "DELETE"}
	data.failback_checker.lock.locked == true
}
"""


@dataclass(frozen=True)
class OpaSettings:
    url: str | None = None  # None: start a local `opa run --server`
    token: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    timeout_option: str = "--timeout"  # the option named in a timeout's error message
    ca_cert: str | None = None
    client_cert: str | None = None
    insecure: bool = False
    preloaded: bool = False  # the server already has the policies (bundles)
    binary: str | None = None


def find_binary(explicit: str | None = None) -> str:
    candidate = explicit or os.environ.get("FAILBACK_OPA_BIN") or shutil.which("opa")
    if not candidate or not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
        raise EngineError(
            "no opa binary found: put opa on PATH, set FAILBACK_OPA_BIN, or give --opa-url"
        )
    return candidate


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def policy_id(name: str) -> str:
    return f"{POLICY_ID_PREFIX}/{re.sub(r'[^A-Za-z0-9_./-]', '_', name).lstrip('/')}"


def _http_status(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def _located(errors: Sequence[Any], names: Mapping[str, str]) -> str | None:
    """OPA's first error as `file:row:col: message`, with our file names."""
    for error in errors:
        if not isinstance(error, dict):
            continue
        location = error.get("location") or {}
        file = str(location.get("file", "?"))
        name = names.get(file, file.removeprefix(POLICY_ID_PREFIX + "/"))
        where = f"{name}:{location.get('row', '?')}:{location.get('col', '?')}"
        return f"{where}: {error.get('message', '')}"
    return None


def _rego_error(exc: Any, names: Mapping[str, str]) -> str:
    return _located(getattr(exc, "errors", None) or [], names) or str(
        getattr(exc, "message", "") or exc
    )


def _limit_local_opa() -> None:  # pragma: no cover - runs in the child before exec
    """The local opa's limits: address space, no core file, dies with its parent (Linux)."""
    with contextlib.suppress(OSError, ValueError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    with contextlib.suppress(OSError, ValueError):
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG


def _refused(exc: Any) -> bool:
    """opa-python-client reports a 401/403 on upload as a parse error with OPA's error code."""
    return getattr(exc, "expression", None) in ("unauthorized", "forbidden")


class OpaEngine:
    name = "opa"

    def __init__(self, settings: OpaSettings) -> None:
        self.settings = settings
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None
        self._private: str | None = None  # the local server's 0700 directory (authz policy)
        self._token = settings.token
        self._where = settings.url or "local opa"
        self._client: Any = None
        self._names: dict[str, str] = {}  # OPA policy id -> file name for error messages
        url = self._start_local() if settings.url is None else settings.url
        try:
            self._client = self._connect(url)
            self._wait_healthy()
        except BaseException:
            self.close()
            raise

    # -- connection -------------------------------------------------------------------------

    def _connect(self, url: str) -> Any:
        from opa_client.opa import OpaClient

        # urllib3 logs each retry as a WARNING on stderr; our errors are the one line that counts
        logging.getLogger("urllib3").setLevel(logging.ERROR)

        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EngineError(f"--opa-url {url!r} is not an http(s)://host:port URL")
        tls = parts.scheme == "https"
        port = parts.port or (443 if tls else 80)
        client = OpaClient(
            host=parts.hostname,
            port=port,
            ssl=tls,
            cert=self.settings.client_cert,
            token=self._token,
            timeout=self.settings.timeout,
            retries=1,
        )
        if tls:
            # opa-python-client only knows verify=True; honour a private CA or --opa-insecure
            client._session.verify = (
                False if self.settings.insecure else self.settings.ca_cert or True
            )
        self._where = f"{parts.scheme}://{parts.hostname}:{port}"
        return client

    def _start_local(self) -> str:
        binary = find_binary(self.settings.binary)
        port = _free_port()
        self._token = secrets.token_urlsafe(32)
        self._private = tempfile.mkdtemp(prefix="failback-opa-")  # mode 0700
        authz = Path(self._private) / "authz.rego"
        authz.write_text(AUTHZ_POLICY.replace("TOKEN", json.dumps(self._token)))
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        try:
            self._process = subprocess.Popen(
                [
                    binary,
                    "run",
                    "--server",
                    "--addr",
                    f"127.0.0.1:{port}",
                    "--authentication=token",
                    "--authorization=basic",
                    "--log-level",
                    "error",
                    "--skip-version-check",
                    str(authz),
                ],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_limit_local_opa,
            )
        except OSError as exc:
            raise EngineError(f"cannot start {binary}: {exc.strerror}") from None
        return f"http://127.0.0.1:{port}"

    def _forget_private(self) -> None:
        """The token leaves the disk once opa has read its authorization policy."""
        if self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None

    def _wait_healthy(self) -> None:
        seconds = STARTUP_SECONDS if self._process else max(self.settings.timeout, 1.0)
        deadline = time.monotonic() + seconds
        while True:
            if self._process is not None and self._process.poll() is not None:
                raise EngineError(
                    f"local opa exited with code {self._process.returncode}: "
                    f"{self._process_output()}"
                )
            try:
                if self._client.check_health():
                    self._forget_private()
                    return
            except Exception:  # noqa: BLE001 - any failure here means "not healthy yet"
                pass
            if time.monotonic() > deadline:
                raise EngineError(
                    f"OPA at {self._where} is unreachable or unhealthy "
                    f"(no 200 from /health within {seconds:g}s)"
                )
            time.sleep(0.05)

    def _process_output(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text: str = self._log.read().decode("utf-8", "replace")
        return " ".join(text.split())[:300]

    @contextlib.contextmanager
    def _calling(self, what: str) -> Iterator[None]:
        import requests
        from opa_client import errors as opa_errors

        try:
            yield
        except opa_errors.RegoParseError as exc:
            if _refused(exc):
                raise EngineError(
                    f"OPA at {self._where} refused {what} "
                    f"({getattr(exc, 'message', '')}): check --opa-token and the "
                    "server's authorization policy"
                ) from None
            raise EngineError(
                f"OPA rejected the policies: {_rego_error(exc, self._names)}"
            ) from None
        except requests.Timeout:
            raise EngineError(
                f"OPA at {self._where} did not answer {what} within "
                f"{self.settings.timeout:g}s (raise {self.settings.timeout_option})"
            ) from None
        except requests.HTTPError as exc:
            status = _http_status(exc)
            if status in (401, 403):
                raise EngineError(
                    f"OPA at {self._where} refused {what} with HTTP {status}: "
                    "check --opa-token and the server's authorization policy"
                ) from None
            raise EngineError(
                f"OPA at {self._where} failed {what} with HTTP {status}: {_body(exc, self._names)}"
            ) from None
        except (requests.ConnectionError, opa_errors.ConnectionsError):
            if self._process is not None and self._process.poll() is not None:
                raise EngineError(
                    f"local opa exited with code {self._process.returncode} while {what}"
                    f"{_exit_hint(self._process.returncode)}: {self._process_output()}"
                ) from None
            raise EngineError(f"OPA at {self._where} is unreachable ({what})") from None
        except requests.RequestException as exc:
            raise EngineError(f"OPA at {self._where}: {what} failed: {exc}") from None
        except ValueError as exc:  # a non-JSON answer
            raise EngineError(
                f"OPA at {self._where} sent a malformed answer to {what}: {exc}"
            ) from None

    # -- Engine -----------------------------------------------------------------------------

    def load(self, policies: Sequence[PolicyFile]) -> None:
        """Upload every module. OPA compiles each upload against what it already has, so a
        module goes up after the packages it imports; a module that still fails is retried
        until a round makes no progress, then its compile error is reported."""
        if self.settings.preloaded:
            return
        from opa_client.errors import RegoParseError

        self._names.update({policy_id(p.name): p.name for p in policies})
        pending = dependency_order(policies)
        while pending:
            failed: list[tuple[PolicyFile, RegoParseError]] = []
            for policy in pending:
                with self._calling(f"uploading {policy.name}"):
                    try:
                        self._upload(policy)
                    except RegoParseError as exc:
                        if _refused(exc):
                            raise
                        failed.append((policy, exc))
            if len(failed) == len(pending):
                raise EngineError(
                    f"OPA rejected the policies: {_rego_error(failed[0][1], self._names)}"
                )
            pending = [policy for policy, _ in failed]
        if self._process is not None:
            with self._calling("locking the local server's policies"):
                self._client.update_or_create_data({"locked": True}, LOCK_PATH)

    def _upload(self, policy: PolicyFile) -> None:
        import requests

        # opa-python-client parses every non-200 answer as JSON; a 401 from a proxy is not
        try:
            self._client.update_policy_from_string(
                policy.text, policy_id(policy.name), rego_compat=False
            )
        except requests.JSONDecodeError:
            raise EngineError(
                f"OPA at {self._where} rejected the upload of {policy.name} "
                "with a non-JSON answer (authentication or proxy?)"
            ) from None

    def query(self, rule: str, input_document: Mapping[str, Any] | None) -> Any:
        path = rule.removeprefix("data.")
        package, _, name = path.rpartition(".")
        with self._calling(f"evaluating {rule}"):
            answer = self._client.query_rule(
                dict(input_document or {}),
                package,
                name,
                query_params={"strict-builtin-errors": "true"},
            )
        if not isinstance(answer, dict):
            raise EngineError(f"OPA at {self._where} sent an unexpected answer for {rule}")
        return answer.get("result")

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close_connection()
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                self._process.terminate()
            try:
                self._process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
        self._forget_private()


_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
_IMPORT = re.compile(r"^import\s+data\.([\w.]+)", re.MULTILINE)


def dependency_order(policies: Sequence[PolicyFile]) -> list[PolicyFile]:
    """Modules after the packages they import (stable; cycles keep their order)."""
    package_of = {p.name: (m.group(1) if (m := _PACKAGE.search(p.text)) else "") for p in policies}
    imports = {p.name: set(_IMPORT.findall(p.text)) for p in policies}
    done: set[str] = set()
    ordered: list[PolicyFile] = []
    remaining = list(policies)
    while remaining:
        ready = [
            p
            for p in remaining
            if all(
                any(done_pkg == dep or done_pkg.startswith(dep + ".") for done_pkg in done)
                or not any(
                    package_of[q.name] == dep or package_of[q.name].startswith(dep + ".")
                    for q in remaining
                )
                for dep in imports[p.name]
            )
        ]
        if not ready:
            ready = remaining[:1]
        for policy in ready:
            ordered.append(policy)
            done.add(package_of[policy.name])
            remaining.remove(policy)
    return ordered


def _exit_hint(code: int | None) -> str:
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f" (killed by {signal.Signals(-code).name})"
        return ""
    return " (out of memory?)" if code == 2 else ""


def _body(exc: BaseException, names: Mapping[str, str]) -> str:
    """OPA's first error as `file:row:col: message`, else the answer's text (one line)."""
    response = getattr(exc, "response", None)
    text = getattr(response, "text", "") or ""
    with contextlib.suppress(ValueError, AttributeError):
        errors = json.loads(text).get("errors")
        found = _located(errors, names) if isinstance(errors, list) else None
        if found:
            return " ".join(found.split())[:300]
    return " ".join(str(text).split())[:300]
