"""Confluent-compatible schema registry exporter: one region's `schemas` area over REST.

    export(RegistrySource(region, url, ...), messages) -> snapshot document

from `failback export confluent-registry` (checker/cli/export.py) or, in failback.yaml, a
region's source list: `{type: confluent-registry, url: ..., name: ...}` after the cluster's own
source (the snapshots are merged area by area).

Reads what records and clients depend on: subjects, their versions, the schema id of each
version (records in the Confluent wire format carry it), a fingerprint of each schema text
(sha256 of its canonical form, never the text), the global and per-subject compatibility level
and mode, and the contexts and schema exporters where the server has them. Works with Confluent
Schema Registry and compatible servers (Apicurio Registry's /apis/ccompat/v7, Karapace, ...).

A registry that cannot be reached or rejects the credentials fails the export (exit 2); a call
that fails once connected is a gap in the `schemas` area, never an empty registry. A registry
that answers that it has no modes (Apicurio) is recorded as such (`modes_supported: false`).
Credentials come only from environment variables or files; they never reach the snapshot,
messages or errors.
"""

from __future__ import annotations

import base64
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ... import schemas
from ...errors import InputError
from .._shared.schema_text import fingerprint
from .._shared.snapshot import Gaps, finish, skeleton

DEFAULT_TIMEOUT = 10.0
DEFAULT_NAME = "default"
MODES = frozenset({"READWRITE", "READONLY", "READONLY_OVERRIDE", "IMPORT"})
# Confluent's error codes for "nothing set at this level" (the subject follows the registry)
SUBJECT_LEVEL_UNSET = frozenset({40401, 40408, 40409})
MAX_BODY = 64 * 1024 * 1024


@dataclass(frozen=True)
class RegistrySource:
    """What one export reads and how it connects (credentials by reference only)."""

    region: str
    url: str
    name: str = DEFAULT_NAME
    username_env: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    token_env: str | None = None
    token_file: Path | None = None
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    captured_at: str | None = None


class CallFailed(Exception):
    """One request failed after the registry answered the first one: a gap."""

    def __init__(self, call: str, reason: str, status: int = 0, code: int = 0) -> None:
        super().__init__(reason)
        self.call = call
        self.reason = reason
        self.status = status
        self.code = code


def _secret(env: str | None, path: Path | None, what: str) -> str | None:
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise InputError(f"the environment variable {env} ({what}) is not set or empty")
        return value
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise InputError(f"cannot read the {what} file {path}: {exc.strerror}") from None
    return None


def _headers(config: RegistrySource) -> dict[str, str]:
    headers = {"Accept": "application/vnd.schemaregistry.v1+json, application/json"}
    token = _secret(config.token_env, config.token_file, "registry token")
    password = _secret(config.password_env, config.password_file, "registry password")
    user = _secret(config.username_env, None, "registry user name")
    if token is not None and (user or password):
        raise InputError("give the registry either a token or a user name and password, not both")
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    elif user is not None or password is not None:
        if user is None or password is None:
            raise InputError("registry basic auth needs both username_env and a password")
        pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {pair}"
    return headers


def _tls(config: RegistrySource) -> ssl.SSLContext | None:
    if not config.url.startswith("https://"):
        if config.ca_file or config.cert_file:
            raise InputError("ca_file and cert_file need an https:// registry URL")
        return None
    try:
        context = ssl.create_default_context(
            cafile=None if config.ca_file is None else str(config.ca_file)
        )
        if config.cert_file is not None:
            context.load_cert_chain(
                str(config.cert_file), None if config.key_file is None else str(config.key_file)
            )
    except (OSError, ssl.SSLError) as exc:
        raise InputError(f"registry TLS files: {exc}") from None
    return context


class Client:
    """GET requests against one registry; the URL never holds credentials."""

    def __init__(self, config: RegistrySource) -> None:
        self.base = config.url.rstrip("/")
        self.headers = _headers(config)
        self.context = _tls(config)
        self.timeout = config.timeout

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        request = urllib.request.Request(url, headers=self.headers, method="GET")
        try:
            with urllib.request.urlopen(
                request, timeout=self.timeout, context=self.context
            ) as answer:
                body = answer.read(MAX_BODY + 1)
        except urllib.error.HTTPError as exc:
            code = _error_code(exc)
            raise CallFailed(path, f"HTTP {exc.code} (error code {code})", exc.code, code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise CallFailed(path, f"no answer: {reason}") from None
        if len(body) > MAX_BODY:
            raise CallFailed(path, f"answer larger than {MAX_BODY} bytes")
        try:
            return json.loads(body)
        except ValueError:
            raise CallFailed(path, "the answer is not JSON") from None


def _error_code(exc: urllib.error.HTTPError) -> int:
    try:
        raw = json.loads(exc.read(65536) or b"{}")
    except (ValueError, OSError):
        return 0
    code = raw.get("error_code") if isinstance(raw, dict) else None
    return code if isinstance(code, int) else 0


def _quote(subject: str) -> str:
    return urllib.parse.quote(subject, safe="")


def _compatibility(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return None
    level = answer.get("compatibilityLevel", answer.get("compatibility"))
    return str(level).upper() if level else None


def _mode(answer: Any) -> str | None:
    mode = answer.get("mode") if isinstance(answer, dict) else None
    return str(mode).upper() if str(mode).upper() in MODES else None


def _subject_level(client: Client, path: str) -> Any | None:
    """A subject's own setting, or None when it follows the registry's."""
    try:
        return client.get(path, {"defaultToGlobal": "false"})
    except CallFailed as exc:
        if exc.status == 404 and exc.code in SUBJECT_LEVEL_UNSET:
            return None
        raise


def _versions(client: Client, subject: str) -> dict[str, dict[str, Any]]:
    versions: dict[str, dict[str, Any]] = {}
    numbers = client.get(f"/subjects/{_quote(subject)}/versions")
    for number in sorted(int(n) for n in numbers if isinstance(n, int)):
        answer = client.get(f"/subjects/{_quote(subject)}/versions/{number}")
        text = answer.get("schema") if isinstance(answer, dict) else None
        schema_id = answer.get("id") if isinstance(answer, dict) else None
        versions[str(number)] = {
            "fingerprint": fingerprint(text) if isinstance(text, str) else None,
            "id": schema_id if isinstance(schema_id, int) else None,
            "schema_type": str(answer.get("schemaType") or "AVRO"),
        }
    return versions


def _subject(client: Client, subject: str, modes: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "compatibility": _compatibility(_subject_level(client, f"/config/{_quote(subject)}")),
        "mode": _mode(_subject_level(client, f"/mode/{_quote(subject)}")) if modes else None,
        "versions": _versions(client, subject),
    }
    return record


def _optional_list(client: Client, path: str) -> list[str] | None:
    """/contexts, /exporters: only some servers have them (404: none)."""
    try:
        answer = client.get(path)
    except CallFailed as exc:
        if exc.status == 404:
            return None
        raise
    return sorted(str(item) for item in answer) if isinstance(answer, list) else None


def read_registry(client: Client) -> dict[str, Any]:
    """The registry record of the snapshot's `schemas.registries` (CallFailed on a failure)."""
    subjects = client.get("/subjects")
    if not isinstance(subjects, list):
        raise CallFailed("/subjects", "the answer is not a list of subjects")
    registry: dict[str, Any] = {
        "kind": "confluent",
        "address": client.base,
        "compatibility": _compatibility(client.get("/config")),
    }
    try:
        registry["mode"] = _mode(client.get("/mode"))
        registry["modes_supported"] = True
    except CallFailed as exc:
        if exc.status not in (404, 405, 501):
            raise
        registry["mode"] = None  # "Operation not supported": it always accepts writes
        registry["modes_supported"] = False
    for key, path in (("contexts", "/contexts"), ("exporters", "/exporters")):
        found = _optional_list(client, path)
        if found is not None:
            registry[key] = found
    registry["subjects"] = {
        str(s): _subject(client, str(s), registry["modes_supported"]) for s in sorted(subjects)
    }
    return registry


def export(config: RegistrySource, messages: TextIO | None = None) -> dict[str, Any]:
    """Read one registry and return a validated snapshot v1 document holding its `schemas`
    area (the cluster is named after the registry: merge it after the cluster's source)."""
    client = Client(config)
    snapshot = skeleton(
        config.region,
        "confluent-registry",
        f"failback export confluent-registry: {client.base}",
        {"id": client.base, "name": config.name, "kind": "kafka"},
        config.captured_at,
    )
    try:
        client.get("/subjects")
    except CallFailed as exc:
        if exc.status in (401, 403):
            raise InputError(
                f"the schema registry at {client.base} rejected the credentials ({exc.reason})"
            ) from None
        raise InputError(
            f"cannot read the schema registry at {client.base}: {exc.reason}"
        ) from None
    gaps = Gaps(snapshot)
    try:
        snapshot["schemas"] = {"registries": {config.name: read_registry(client)}}
    except CallFailed as exc:
        gaps.add("schemas", f"schema registry {config.name}: GET {exc.call}: {exc.reason}")
    return finish(snapshot, f"confluent-registry export of {client.base}")


def from_plan(source: Mapping[str, Any], region: str, base_dir: Path) -> RegistrySource:
    """The export a failback.yaml `source: {type: confluent-registry, ...}` declares (its keys
    checked against the plan schema's registry_source)."""
    schemas.validate_part(
        source, f"confluent-registry source of {region}", "plan", "registry_source"
    )

    def path(key: str) -> Path | None:
        value = source.get(key)
        return None if value is None else base_dir / str(value)

    def text(key: str) -> str | None:
        value = source.get(key)
        return None if value is None else str(value)

    return RegistrySource(
        region=region,
        url=str(source["url"]),
        name=str(source.get("name", DEFAULT_NAME)),
        username_env=text("username_env"),
        password_env=text("password_env"),
        password_file=path("password_file"),
        token_env=text("token_env"),
        token_file=path("token_file"),
        ca_file=path("ca_file"),
        cert_file=path("cert_file"),
        key_file=path("key_file"),
        timeout=float(source.get("timeout", DEFAULT_TIMEOUT)),
    )
