"""Real OPA through opa-python-client: byte-identical to the embedded engine, clear errors."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import ESTATE, NOW, assert_one_line_error, run_cli
from .opa_support import opa_server, tool
from .ports import free_port

pytestmark = pytest.mark.opa
VARIANTS = ["ready", "faulted", "gaps"]


@pytest.fixture(autouse=True)
def opa_on_path(monkeypatch: pytest.MonkeyPatch) -> str:
    binary = tool("opa")
    monkeypatch.setenv("FAILBACK_OPA_BIN", binary)
    return binary


def check(variant: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        [
            "check",
            "-c",
            str(ESTATE / variant / "failback.yaml"),
            "--now",
            NOW,
            "--format",
            "json",
            "--phase",
            "all",
            *extra,
        ]
    )


def local_opa_processes() -> set[str]:
    """OPA servers this test process started (children of it): other runs on the machine may
    have their own, which are none of this test's business."""
    found = subprocess.run(
        ["pgrep", "-P", str(os.getpid()), "-f", "run --server --addr 127.0.0.1"],
        capture_output=True,
        text=True,
        check=False,
    )
    return set(found.stdout.split())


@pytest.mark.parametrize("variant", VARIANTS)
def test_local_opa_is_byte_identical_to_embedded(variant: str) -> None:
    before = local_opa_processes()
    embedded = check(variant)
    opa = check(variant, "--engine", "opa")
    assert opa.stderr == ""
    assert opa.exit_code == embedded.exit_code == {"ready": 1, "faulted": 1, "gaps": 1}[variant]
    assert opa.stdout == embedded.stdout
    assert local_opa_processes() <= before  # the auto-started server was stopped


def test_single_phase_exit_codes_match_on_opa() -> None:
    for variant, code in (("ready", 0), ("faulted", 1), ("gaps", 4)):
        run = run_cli(
            [
                "check",
                "-c",
                str(ESTATE / variant / "failback.yaml"),
                "--now",
                NOW,
                "--engine",
                "opa",
            ]
        )
        assert run.exit_code == code, (variant, run.stderr)


def test_separately_started_opa_server() -> None:
    with opa_server() as url:
        for variant in VARIANTS:
            embedded = check(variant)
            remote = check(variant, "--engine", "opa", "--opa-url", url)
            assert remote.stdout == embedded.stdout, variant


def test_bundle_served_by_opa_with_preloaded_policies(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    built = run_cli(["policies", "bundle", "-o", str(bundle)])
    assert built.exit_code == 0, built.stderr
    assert "roots failback" in built.stdout
    with opa_server(["--bundle", str(bundle)]) as url:
        remote = check("faulted", "--engine", "opa", "--opa-url", url, "--opa-preloaded")
        assert remote.stdout == check("faulted").stdout


def test_bundle_is_reproducible(tmp_path: Path) -> None:
    run_cli(["policies", "bundle", "-o", str(tmp_path / "a.tar.gz")])
    run_cli(["policies", "bundle", "-o", str(tmp_path / "b.tar.gz")])
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()


def test_user_policies_run_on_opa(tmp_path: Path) -> None:
    (tmp_path / "org.rego").write_text(
        "package failback.custom.org\n\nimport data.failback.lib\n\n"
        'deny contains lib.finding("ORG-002", "rollback", "no decision owner") if {\n'
        "\tnot input.plan.rollback.decision_owner\n}\n"
    )
    embedded = check("ready", "--policy-dir", str(tmp_path))
    opa = check("ready", "--policy-dir", str(tmp_path), "--engine", "opa")
    assert opa.stdout == embedded.stdout
    assert "ORG-002" in opa.stdout


def test_unreachable_opa_url() -> None:
    port = free_port()
    run = check(
        "ready", "--engine", "opa", "--opa-url", f"http://127.0.0.1:{port}", "--opa-timeout", "0.5"
    )
    assert_one_line_error(run, 3, f"OPA at http://127.0.0.1:{port} is unreachable")


def test_policy_compile_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.rego").write_text(
        "package failback.custom.broken\n\ndeny contains x if {\n\tx := input.a +\n}\n"
    )
    run = check("ready", "--engine", "opa", "--policy-dir", str(tmp_path))
    assert_one_line_error(run, 3, "OPA rejected the policies", f"{tmp_path}/broken.rego:")
    assert "failback-checker/" not in run.stderr


def test_missing_opa_binary(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FAILBACK_OPA_BIN", str(tmp_path / "no-opa"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert_one_line_error(check("ready", "--engine", "opa"), 3, "no opa binary found")


class _Handler(http.server.BaseHTTPRequestHandler):
    delay = 0.0
    status = 401

    def _answer(self) -> None:
        if self.path.startswith("/health"):
            self.send_response(200)
            self.end_headers()
            return
        time.sleep(self.delay)
        body = b'{"code": "unauthorized", "message": "missing token"}'
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, *args: object) -> None:
        return


@contextmanager
def fake_opa(status: int = 401, delay: float = 0.0) -> Iterator[str]:
    handler = type("H", (_Handler,), {"status": status, "delay": delay})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handle_error = lambda *_: None  # type: ignore[method-assign]  # client gave up
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_unauthorized_opa() -> None:
    with fake_opa(401) as url:
        run = check("ready", "--engine", "opa", "--opa-url", url, "--opa-preloaded")
    assert_one_line_error(run, 3, "refused", "HTTP 401", "--opa-token")


def test_forbidden_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    # the token from the environment: on the command line it would add a warning line
    monkeypatch.setenv("FAILBACK_OPA_TOKEN", "t0ken")
    with fake_opa(403) as url:
        run = check("ready", "--engine", "opa", "--opa-url", url)
    assert_one_line_error(run, 3, "refused uploading", "--opa-token")
    assert "t0ken" not in run.stderr


def test_slow_opa_times_out() -> None:
    with fake_opa(200, delay=1.5) as url:
        run = check(
            "ready", "--engine", "opa", "--opa-url", url, "--opa-preloaded", "--opa-timeout", "0.3"
        )
    assert_one_line_error(run, 3, "did not answer", "--opa-timeout")


def test_opa_options_need_the_opa_engine() -> None:
    assert_one_line_error(check("ready", "--opa-url", "http://127.0.0.1:1"), 2, "--engine opa")


def test_opa_url_must_be_http() -> None:
    run = check("ready", "--engine", "opa", "--opa-url", "ftp://x")
    assert_one_line_error(run, 3, "not an http(s)")


def test_env_var_names_the_binary(opa_on_path: str) -> None:
    assert os.environ["FAILBACK_OPA_BIN"] == opa_on_path
