"""Secret values never reach a snapshot, a report or `failback diff`."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from checker.redact import SAFE_KEYS, is_secret_key, scrub
from tests.conftest import NOW, ROOT, Run

STEMS = [
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "client.secret",
    "sasl.jaas.config",
    "sasl.password",
    "sasl.username",
    "sasl.oauthbearer.token.endpoint.url",
    "basic.auth.user.info",
    "basic.auth.credentials.source",
    "authorization.header",
    "auth.header",
    "api_key",
    "apikey",
    "api-key",
    "x-api-key",
    "api.key",
    "license",
    "licence",
    "token",
    "bearer.token",
    "session.token",
    "access.key.id",
    "secret.access.key",
    "ssl.key.password",
    "ssl.keystore.key",
    "ssl.keystore.password",
    "ssl.truststore.password",
    "ssl.keystore.certificate.chain",
    "private.key",
    "credentials",
    "cookie",
    "signature",
    "key",
    "sasl.kerberos.keytab",
]
PREFIXES = [
    "",
    "confluent.",
    "confluent.metadata.",
    "producer.override.",
    "listener.name.sasl_ssl.scram-sha-512.",
    "schema.registry.",
    "MY_",
    "X-",
]
SECRET_KEYS = [
    prefix + stem
    for prefix, stem in itertools.product(PREFIXES, STEMS)
    for stem in (stem, stem.upper(), stem.replace(".", "_"))
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secret_looking_keys_are_scrubbed(key: str) -> None:
    assert is_secret_key(key), key
    assert scrub({key: "hunter2", "retention.ms": "1"}) == {"retention.ms": "1"}


@pytest.mark.parametrize("key", sorted(SAFE_KEYS))
def test_allow_listed_keys_are_kept(key: str) -> None:
    assert not is_secret_key(key)
    assert scrub({key: "v"}) == {key: "v"}
    assert not is_secret_key(f"listener.name.sasl_ssl.{key}")


def test_per_listener_credentials_are_scrubbed() -> None:
    assert is_secret_key("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config")
    assert is_secret_key("listener.name.ssl.ssl.keystore.password")


PLANTED = {
    "basic.auth.user.info": "planted-user-info-4f1c",
    "confluent.metadata.basic.auth.user.info": "planted-metadata-9a2e",
    "confluent.license": "planted-license-77b0",
    "authorization.header": "planted-header-3c3d",
    "api_key": "planted-api-key-0e61",
    "apikey": "planted-apikey-51aa",
    "x-api-key": "planted-x-api-key-d00d",
}


def test_planted_strimzi_secrets_reach_no_output(
    tmp_path: Path, cli: Callable[[list[str]], Run]
) -> None:
    estate = tmp_path / "estate"
    shutil.copytree(ROOT / "fixtures" / "strimzi" / "faulted", estate)
    for region in ("us-east-1", "us-west-2"):
        manifest = estate / region / "kafka.yaml"
        text = manifest.read_text()
        lines = "".join(f"      {key}: {value}\n" for key, value in PLANTED.items())
        manifest.write_text(text.replace("    config:\n", "    config:\n" + lines, 1))
    exported = tmp_path / "exported"
    exported.mkdir()
    outputs = {fmt: tmp_path / f"report.{fmt}" for fmt in ("json", "html", "markdown", "sarif")}
    args = ["check", "-c", str(estate / "failback.yaml"), "--now", NOW, "--phase", "all"]
    for fmt, path in outputs.items():
        args += ["--format", fmt, "-o", str(path)]
    run = cli([*args, "--format", "text", "--export-dir", str(exported)])
    assert run.exit_code == 1, run.stderr
    diff = cli(["diff", str(exported / "us-east-1.json"), str(exported / "us-west-2.json")])
    assert diff.exit_code == 0, diff.stderr
    texts = {
        "stdout": run.stdout + run.stderr,
        "diff": diff.stdout,
        **{p.name: p.read_text() for p in [*outputs.values(), *exported.iterdir()]},
    }
    for name, text in texts.items():
        for value in PLANTED.values():
            assert value not in text, (name, value)
    snapshot = json.loads((exported / "us-east-1.json").read_text())
    assert "min.insync.replicas" in snapshot["broker_config"]
