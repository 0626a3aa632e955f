"""Open Policy Agent through opa-python-client: a server by URL, or a local `opa run --server`.

opa-python-client raises unrelated error classes and raw requests exceptions; every one of them
becomes an EngineError with one line that says what to do.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import EngineError
from ..policy.locate import PolicyFile

POLICY_ID_PREFIX = "failback-checker"
DEFAULT_TIMEOUT = 30.0
STARTUP_SECONDS = 20.0


@dataclass(frozen=True)
class OpaSettings:
    url: str | None = None  # None: start a local `opa run --server`
    token: str | None = None
    timeout: float = DEFAULT_TIMEOUT
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


def _rego_error(exc: Any, names: Mapping[str, str]) -> str:
    errors = getattr(exc, "errors", None) or []
    for error in errors:
        location = error.get("location") or {}
        file = str(location.get("file", "?"))
        name = names.get(file, file.removeprefix(POLICY_ID_PREFIX + "/"))
        where = f"{name}:{location.get('row', '?')}:{location.get('col', '?')}"
        return f"{where}: {error.get('message', '')}"
    return str(getattr(exc, "message", "") or exc)


def _refused(exc: Any) -> bool:
    """opa-python-client reports a 401/403 on upload as a parse error with OPA's error code."""
    return getattr(exc, "expression", None) in ("unauthorized", "forbidden")


class OpaEngine:
    name = "opa"

    def __init__(self, settings: OpaSettings) -> None:
        self.settings = settings
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Any = None
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
            token=self.settings.token,
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
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the process
        try:
            self._process = subprocess.Popen(
                [
                    binary,
                    "run",
                    "--server",
                    "--addr",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "error",
                    "--skip-version-check",
                ],
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:
            raise EngineError(f"cannot start {binary}: {exc.strerror}") from None
        return f"http://127.0.0.1:{port}"

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
                f"{self.settings.timeout:g}s (raise --opa-timeout)"
            ) from None
        except requests.HTTPError as exc:
            status = _http_status(exc)
            if status in (401, 403):
                raise EngineError(
                    f"OPA at {self._where} refused {what} with HTTP {status}: "
                    "check --opa-token and the server's authorization policy"
                ) from None
            raise EngineError(
                f"OPA at {self._where} failed {what} with HTTP {status}: {_body(exc)}"
            ) from None
        except (requests.ConnectionError, opa_errors.ConnectionsError):
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
            answer = self._client.query_rule(dict(input_document or {}), package, name)
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
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None


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


def _body(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    text = getattr(response, "text", "") or ""
    return " ".join(str(text).split())[:300]
