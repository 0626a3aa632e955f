"""Secrets stay off the command line; URLs never show their credentials; a junk AWS endpoint
is an input error.

`ps` shows every user the command line, so secrets come from environment variables and files
(-X key=env:VAR / @FILE, --command-config, FAILBACK_OPA_TOKEN, --opa-token-file); a secret given
directly, or held in clear text in a plan, is used with one warning line. Every error and
warning line shows a URL's user information as `***`.
"""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.errors import InputError
from checker.exporters.kafka.props import client_settings
from tests.conftest import ESTATE, NOW, Run, assert_one_line_error
from tests.opa_support import opa_server

SECRET = "pa55-w0rd-9f3e"  # never in any output
CLUSTER = (
    "arn:aws:kafka:us-east-1:123456789012:cluster/payments/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e-1"
)
UNREACHABLE_KAFKA = ["--bootstrap", "127.0.0.1:1", "--region", "us-east-1", "--timeout", "0.5"]


def _lines(text: str) -> list[str]:
    return text.strip().splitlines()


def _warnings(run: Run) -> list[str]:
    return [line for line in _lines(run.stderr) if line.startswith("failback: warning: ")]


# --- Kafka client settings ------------------------------------------------------------------


def test_a_secret_given_with_x_is_used_with_a_warning(cli: Callable[[list[str]], Run]) -> None:
    run = cli(["export", "kafka", *UNREACHABLE_KAFKA, "-X", f"sasl.password={SECRET}"])
    assert run.exit_code == 2
    lines = _lines(run.stderr)
    assert len(lines) == 2, run.stderr
    assert lines[0] == (
        "failback: warning: -X sasl.password puts a secret on the command line, where other "
        "users see it (ps); use -X sasl.password=env:VAR, -X sasl.password=@FILE or "
        "--command-config"
    )
    assert lines[1].startswith("failback: error: cannot reach Kafka at 127.0.0.1:1")
    assert SECRET not in run.stderr + run.stdout


@pytest.mark.parametrize(
    "setting",
    [
        "sasl.password=env:FAILBACK_TEST_KAFKA_PASSWORD",
        "sasl.password=@secret.txt",
        "sasl.mechanism=SCRAM-SHA-512",
        "ssl.key.location=client.key",
        "client.id=failback",
    ],
)
def test_no_warning_for_a_reference_or_a_harmless_setting(
    setting: str,
    cli: Callable[[list[str]], Run],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("FAILBACK_TEST_KAFKA_PASSWORD", SECRET)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    run = cli(["export", "kafka", *UNREACHABLE_KAFKA, "-X", setting])
    assert_one_line_error(run, 2, "cannot reach Kafka at 127.0.0.1:1")
    assert SECRET not in run.stderr


def test_references_resolve_to_the_secret(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FAILBACK_TEST_KAFKA_PASSWORD", SECRET)
    (tmp_path / "user.txt").write_text("failback\n")
    settings = client_settings(
        "b:9092",
        {},
        None,
        {"sasl.password": "env:FAILBACK_TEST_KAFKA_PASSWORD", "sasl.username": "@user.txt"},
        tmp_path,
        "us-east-1",
        5,
    )
    assert settings.config["sasl.password"] == SECRET
    assert settings.config["sasl.username"] == "failback"


@pytest.mark.parametrize(
    ("value", "fragments"),
    [
        ("env:FAILBACK_TEST_UNSET", ["sasl.password", "FAILBACK_TEST_UNSET", "is not set"]),
        ("@missing.txt", ["sasl.password", "missing.txt", "not found"]),
    ],
)
def test_a_reference_to_nothing_is_a_one_line_error(
    value: str,
    fragments: list[str],
    cli: Callable[[list[str]], Run],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.delenv("FAILBACK_TEST_UNSET", raising=False)
    monkeypatch.chdir(tmp_path)
    run = cli(["export", "kafka", *UNREACHABLE_KAFKA, "-X", f"sasl.password={value}"])
    assert_one_line_error(run, 2, *fragments)
    with pytest.raises(InputError, match="is not set"):
        client_settings("b:1", {}, None, {"k": "env:"}, None, "r", 1)


def test_a_bare_x_argument_is_never_echoed(cli: Callable[[list[str]], Run]) -> None:
    run = cli(["export", "kafka", *UNREACHABLE_KAFKA, "-X", SECRET])
    assert_one_line_error(run, 2, "-X expects key=value")
    assert SECRET not in run.stderr


def _kafka_plan(tmp_path: Path, config: dict[str, str]) -> Path:
    root = tmp_path / "estate"
    shutil.copytree(ESTATE / "ready", root)
    path = root / "failback.yaml"
    document = yaml.safe_load(path.read_text())
    document["regions"]["primary"].pop("snapshot")
    document["regions"]["primary"]["source"] = {
        "type": "kafka",
        "bootstrap": "127.0.0.1:1",
        "timeout": 0.5,
        "config": config,
    }
    path.write_text(yaml.safe_dump(document))
    return path


def test_a_plan_holding_a_secret_in_clear_text_warns(
    tmp_path: Path, cli: Callable[[list[str]], Run]
) -> None:
    plan = _kafka_plan(tmp_path, {"sasl.password": SECRET, "client.id": "failback"})
    run = cli(["check", "-c", str(plan), "--now", NOW])
    assert run.exit_code == 2  # Kafka is unreachable
    assert _warnings(run) == [
        f"failback: warning: plan {plan}: regions.primary.source.config.sasl.password holds a "
        "secret in clear text; name it with env:VAR or @FILE"
    ]
    assert _lines(run.stderr)[-1].startswith("failback: error: cannot reach Kafka")
    assert SECRET not in run.stderr + run.stdout


def test_a_plan_naming_its_secrets_does_not_warn(
    tmp_path: Path, cli: Callable[[list[str]], Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILBACK_TEST_KAFKA_PASSWORD", SECRET)
    plan = _kafka_plan(
        tmp_path,
        {"sasl.password": "env:FAILBACK_TEST_KAFKA_PASSWORD", "sasl.username": "@user.txt"},
    )
    (plan.parent / "user.txt").write_text("failback")
    run = cli(["check", "-c", str(plan), "--now", NOW])
    assert_one_line_error(run, 2, "cannot reach Kafka")


# --- the OPA token --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def opa_with_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An OPA server that accepts only the bearer token SECRET (and anyone on /health)."""
    policy = tmp_path_factory.mktemp("authz") / "authz.rego"
    policy.write_text(
        "package system.authz\n\ndefault allow := false\n\n"
        f'allow if input.identity == "{SECRET}"\n\nallow if input.path == ["health"]\n'
    )
    with opa_server(["--authentication=token", "--authorization=basic", str(policy)]) as url:
        yield url


def _opa_check(cli: Callable[[list[str]], Run], url: str, *extra: str) -> Run:
    plan = ESTATE / "ready" / "failback.yaml"
    return cli(
        ["check", "-c", str(plan), "--now", NOW, "--engine", "opa", "--opa-url", url, *extra]
    )


def test_the_opa_token_from_a_file(
    opa_with_token: str, cli: Callable[[list[str]], Run], tmp_path: Path
) -> None:
    token = tmp_path / "token"
    token.write_text(SECRET + "\n")
    run = _opa_check(cli, opa_with_token, "--opa-token-file", str(token))
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-token")
    refused = _opa_check(cli, opa_with_token, "--opa-token-file", str(wrong))
    assert_one_line_error(refused, 3, "refused")


def test_the_opa_token_from_the_environment(
    opa_with_token: str, cli: Callable[[list[str]], Run], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAILBACK_OPA_TOKEN", SECRET)
    run = _opa_check(cli, opa_with_token)
    assert run.exit_code == 0, run.stderr
    assert run.stderr == ""


def test_the_opa_token_on_the_command_line_warns(
    opa_with_token: str, cli: Callable[[list[str]], Run]
) -> None:
    run = _opa_check(cli, opa_with_token, "--opa-token", SECRET)
    assert run.exit_code == 0, run.stderr
    assert _lines(run.stderr) == [
        "failback: warning: --opa-token puts the token on the command line, where other users "
        "see it (ps); use FAILBACK_OPA_TOKEN or --opa-token-file"
    ]


@pytest.mark.parametrize(
    ("content", "extra", "fragments"),
    [
        ("  \n", [], ["--opa-token-file", "is empty"]),
        (SECRET, ["--opa-token", SECRET], ["--opa-token or --opa-token-file, not both"]),
    ],
)
def test_bad_opa_token_options_are_input_errors(
    content: str,
    extra: list[str],
    fragments: list[str],
    cli: Callable[[list[str]], Run],
    tmp_path: Path,
) -> None:
    token = tmp_path / "token"
    token.write_text(content)
    run = _opa_check(cli, "http://127.0.0.1:1", "--opa-token-file", str(token), *extra)
    assert_one_line_error(run, 2, *fragments)
    assert SECRET not in run.stderr


# --- URLs with user information -------------------------------------------------------------


def test_an_opa_url_never_shows_its_password(cli: Callable[[list[str]], Run]) -> None:
    run = _opa_check(cli, f"ftp://admin:{SECRET}@opa.internal:8181")
    assert_one_line_error(run, 3, "'ftp://***@opa.internal:8181'", "is not an http(s)")
    assert SECRET not in run.stderr


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials, no user configuration: nothing here may reach real AWS."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(params=["json-object", "html"])
def junk_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    """A local HTTP server that answers every request with 200 and junk."""
    body, kind = {
        "json-object": (b"{}", "application/json"),
        "html": (b"<html><body><h1>Welcome</h1></body></html>", "text/html"),
    }[request.param]

    class Junk(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = answer

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Junk)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://admin:{SECRET}@127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.usefixtures("aws_env")
@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        ([], ["http://***@127.0.0.1:", "without ClusterInfo", "--endpoint-url"]),
        (
            ["--role-arn", "arn:aws:iam::123456789012:role/failback"],
            ["AssumeRole", "arn:aws:iam::123456789012:role/failback"],
        ),
    ],
    ids=["describe-cluster", "assume-role"],
)
def test_a_junk_aws_endpoint_is_an_input_error(
    extra: list[str], fragments: list[str], junk_endpoint: str, cli: Callable[[list[str]], Run]
) -> None:
    run = cli(
        [
            "export",
            "aws",
            "--region",
            "us-east-1",
            "--cluster-arn",
            CLUSTER,
            "--endpoint-url",
            junk_endpoint,
            "--max-attempts",
            "1",
            "-q",
            *extra,
        ]
    )
    assert_one_line_error(run, 2, *fragments)
    assert SECRET not in run.stderr
    assert run.stdout == ""


@pytest.mark.usefixtures("aws_env")
def test_a_plans_junk_aws_endpoint_is_an_input_error(
    junk_endpoint: str, cli: Callable[[list[str]], Run], tmp_path: Path
) -> None:
    root = tmp_path / "estate"
    shutil.copytree(ESTATE / "ready", root)
    path = root / "failback.yaml"
    document = yaml.safe_load(path.read_text())
    document["regions"]["primary"].pop("snapshot")
    document["regions"]["primary"]["source"] = {
        "type": "aws",
        "cluster_arn": CLUSTER,
        "endpoint_url": junk_endpoint,
        "max_attempts": 1,
    }
    path.write_text(yaml.safe_dump(document))
    run = cli(["check", "-c", str(path), "--now", NOW])
    assert run.exit_code == 2, run.stderr
    assert _lines(run.stderr)[-1].startswith("failback: error: http://***@127.0.0.1:")
    assert "Traceback" not in run.stderr
    assert SECRET not in run.stderr + run.stdout
