"""The Confluent-compatible registry exporter against a scripted HTTP server on loopback:
credentials by reference only and never in the output, failures as gaps or one-line errors,
subject-level settings, and the plan's schema use."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from checker import schemas
from checker.errors import InputError
from checker.exporters.registry import RegistrySource, export
from checker.plan import SchemaUse

from .conftest import NOW, assert_one_line_error, run_cli

SECRET = "s3cr3t-registry-password"
SUBJECT = "orders.created-value"
TEXT = '{"type": "record", "name": "Order", "fields": [{"name": "id", "type": "string"}]}'


class Script:
    """path -> (status, body); what the server answers."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, Any]] = {
            "/subjects": (200, [SUBJECT]),
            "/config": (200, {"compatibilityLevel": "BACKWARD"}),
            "/mode": (200, {"mode": "READONLY"}),
            "/contexts": (404, {"error_code": 404, "message": "no contexts"}),
            "/exporters": (404, {"error_code": 404, "message": "no exporters"}),
            f"/config/{SUBJECT}": (200, {"compatibilityLevel": "FULL"}),
            f"/mode/{SUBJECT}": (404, {"error_code": 40409, "message": "no subject mode"}),
            f"/subjects/{SUBJECT}/versions": (200, [1]),
            f"/subjects/{SUBJECT}/versions/1": (200, {"id": 42, "schema": TEXT, "version": 1}),
        }
        self.authorization: list[str | None] = []
        self.queries: list[str] = []
        self.paths: list[str] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            script.authorization.append(self.headers.get("Authorization"))
            script.queries.append(query)
            script.paths.append(path)
            status, body = script.answers.get(path, (404, {"error_code": 40401}))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_subjects_versions_ids_and_settings(server: tuple[str, Script]) -> None:
    url, script = server
    snap = export(RegistrySource(region="us-east-1", url=url, name="main", captured_at=NOW))
    registry = snap["schemas"]["registries"]["main"]
    assert registry["compatibility"] == "BACKWARD"
    assert (registry["mode"], registry["modes_supported"]) == ("READONLY", True)
    assert "contexts" not in registry and "exporters" not in registry
    subject = registry["subjects"][SUBJECT]
    assert subject["compatibility"] == "FULL"
    assert subject["mode"] is None  # 40409: the subject follows the registry's mode
    assert "defaultToGlobal=false" in script.queries[script.paths.index(f"/config/{SUBJECT}")]
    [(number, version)] = subject["versions"].items()
    assert number == "1" and version["id"] == 42 and version["schema_type"] == "AVRO"
    # the canonical text: keys sorted, no spaces
    canonical = json.dumps(json.loads(TEXT), sort_keys=True, separators=(",", ":"))
    assert version["fingerprint"] == "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    assert TEXT not in json.dumps(snap)
    assert snap["gaps"] == []


def test_credentials_come_from_the_environment_and_never_leave(
    server: tuple[str, Script], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url, script = server
    monkeypatch.setenv("SR_USER", "checker")
    monkeypatch.setenv("SR_PASSWORD", SECRET)
    out = tmp_path / "snap.json"
    run = run_cli(
        [
            "export",
            "confluent-registry",
            "--region",
            "us-east-1",
            "--url",
            url,
            "--username-env",
            "SR_USER",
            "--password-env",
            "SR_PASSWORD",
            "-o",
            str(out),
        ]
    )
    assert run.exit_code == 0, run.stderr
    expected = "Basic " + base64.b64encode(f"checker:{SECRET}".encode()).decode()
    assert set(script.authorization) == {expected}
    assert SECRET not in out.read_text() and SECRET not in run.stderr
    schemas.validate(json.loads(out.read_text()), "test", "snapshot")


def test_a_token_file(server: tuple[str, Script], tmp_path: Path) -> None:
    url, script = server
    token = tmp_path / "token"
    token.write_text(SECRET + "\n")
    export(RegistrySource(region="r", url=url, token_file=token))
    assert set(script.authorization) == {f"Bearer {SECRET}"}


def test_a_missing_variable_is_an_input_error(server: tuple[str, Script]) -> None:
    url, _ = server
    with pytest.raises(InputError, match="SR_NOT_SET"):
        export(RegistrySource(region="r", url=url, token_env="SR_NOT_SET"))


def test_rejected_credentials_fail_the_export(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/subjects"] = (401, {"error_code": 40101, "message": "unauthorized"})
    run = run_cli(["export", "confluent-registry", "--region", "r", "--url", url])
    assert_one_line_error(run, 2, "rejected the credentials", "HTTP 401")


def test_credentials_in_the_url_are_refused() -> None:
    run = run_cli(
        ["export", "confluent-registry", "--region", "r", "--url", f"https://u:{SECRET}@h"]
    )
    assert_one_line_error(run, 2, "without credentials")
    assert SECRET not in run.stderr


def test_tls_files_need_https(server: tuple[str, Script], tmp_path: Path) -> None:
    url, _ = server
    with pytest.raises(InputError, match="https"):
        export(RegistrySource(region="r", url=url, ca_file=tmp_path / "ca.pem"))
    with pytest.raises(InputError, match="registry TLS files"):
        export(RegistrySource(region="r", url="https://127.0.0.1:1", ca_file=tmp_path / "no"))


def test_a_call_failing_once_connected_is_a_gap(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers[f"/subjects/{SUBJECT}/versions/1"] = (500, {"error_code": 50001})
    snap = export(RegistrySource(region="r", url=url))
    assert "schemas" not in snap
    assert snap["gaps"] == [
        {
            "area": "schemas",
            "reason": f"schema registry default: GET /subjects/{SUBJECT}/versions/1: "
            "HTTP 500 (error code 50001)",
        }
    ]


def test_a_registry_without_modes(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers["/mode"] = (404, {"error_code": 0, "message": "Operation not supported."})
    registry = export(RegistrySource(region="r", url=url))["schemas"]["registries"]["default"]
    assert (registry["mode"], registry["modes_supported"]) == (None, False)
    assert f"/mode/{SUBJECT}" not in script.paths  # no subject modes where there are none


def test_schema_use_names_subjects_after_topics() -> None:
    confluent = SchemaUse("confluent", "default", "topic", ("key", "value"), (), "must-match")
    assert confluent.topic_subjects("use1.orders") == ("use1.orders-key", "use1.orders-value")
    glue = SchemaUse("glue", "orders", "topic", ("value",), (), "must-match")
    assert glue.topic_subjects("orders") == ("orders",)
    record = SchemaUse("confluent", "default", "record", ("value",), ("com.x.Order",), "must-match")
    assert record.topic_subjects("orders") == ()


def test_the_plan_refuses_an_unknown_registry_kind(tmp_path: Path) -> None:
    plan = tmp_path / "failback.yaml"
    plan.write_text(
        "schema_version: '1.0'\n"
        "regions: {primary: {name: a, snapshot: a.json}, secondary: {name: b, snapshot: b.json}}\n"
        "topic_families:\n"
        "- {name: f, match: ['f.*'], schemas: {kind: avro}}\n"
    )
    run = run_cli(["validate", str(plan)])
    assert run.exit_code == 2
    # validate points at the value (line 4, the `kind: avro` column) and names what is allowed
    assert f'{plan}:4:45: plan: "avro" is not one of "confluent", "glue"' in run.stderr


@pytest.mark.parametrize(
    "schemas_use",
    [
        "{kind: glue}",  # a Glue family names its registry
        "{kind: confluent, naming: record}",  # record naming lists the subjects
    ],
)
def test_the_plan_asks_what_it_cannot_derive(tmp_path: Path, schemas_use: str) -> None:
    plan = tmp_path / "failback.yaml"
    plan.write_text(
        "schema_version: '1.0'\n"
        "regions: {primary: {name: a, snapshot: a.json}, secondary: {name: b, snapshot: b.json}}\n"
        "topic_families:\n"
        f"- {{name: f, match: ['f.*'], schemas: {schemas_use}}}\n"
    )
    run = run_cli(["validate", str(plan)])
    assert run.exit_code == 2, run.stdout
