"""Java client properties -> librdkafka configuration for the Kafka exporter.

`--command-config client.properties` takes the file a Java Kafka tool takes (kafka-topics.sh
--command-config): SASL credentials from `sasl.jaas.config`, PEM trust and key material, MSK IAM
through the aws-msk-iam-sasl-signer-python OAUTHBEARER token provider. `-X key=value` adds or
overrides librdkafka properties directly, as kcat does; `-X key=env:VAR` and `-X key=@PATH`
take the value from an environment variable or a file, so no secret shows in `ps`.

The returned configuration holds secrets: it goes to the client and nowhere else.
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...io.read import read_text
from ...redact import ENV_PREFIX, FILE_PREFIX
from .._shared.properties import parse_properties

# Java-client settings that have no librdkafka equivalent (or are handled here): dropped.
JAVA_ONLY = frozenset(
    {
        "sasl.jaas.config",
        "sasl.client.callback.handler.class",
        "sasl.login.callback.handler.class",
        "sasl.login.class",
        "sasl.login.connect.timeout.ms",
        "sasl.login.read.timeout.ms",
        "sasl.login.refresh.buffer.seconds",
        "sasl.login.refresh.min.period.seconds",
        "sasl.login.refresh.window.factor",
        "sasl.login.refresh.window.jitter",
        "sasl.login.retry.backoff.ms",
        "sasl.login.retry.backoff.max.ms",
        "ssl.protocol",
        "ssl.enabled.protocols",
        "ssl.provider",
        "ssl.trustmanager.algorithm",
        "ssl.keymanager.algorithm",
        "ssl.secure.random.implementation",
        "ssl.engine.factory.class",
        "ssl.truststore.type",
        "ssl.truststore.location",
        "ssl.truststore.password",
        "ssl.truststore.certificates",
        "ssl.keystore.type",
        "ssl.keystore.location",
        "ssl.keystore.password",
        "ssl.keystore.key",
        "ssl.keystore.certificate.chain",
        "ssl.endpoint.identification.algorithm",
        "client.dns.lookup",
        "default.api.timeout.ms",
        "request.timeout.ms",
        "metric.reporters",
        "metrics.num.samples",
        "metrics.recording.level",
        "metrics.sample.window.ms",
        "auto.include.jmx.reporter",
        "security.providers",
        "enable.metrics.push",
        "interceptor.classes",
        "key.serializer",
        "value.serializer",
        "key.deserializer",
        "value.deserializer",
    }
)
MSK_IAM = "AWS_MSK_IAM"
_MSK_HANDLER = "software.amazon.msk.auth.iam"


def read_properties(path: Path, what: str) -> dict[str, str]:
    if not path.exists():
        raise InputError(f"{what} {path} does not exist")
    return parse_properties(read_text(path, what))  # regular files only, bounded


@dataclass(frozen=True)
class Jaas:
    module: str
    options: Mapping[str, str]


_JAAS = re.compile(
    r"^\s*(?P<module>[\w.$]+)\s+(?:required|requisite|sufficient|optional)"
    r"(?P<options>.*?);?\s*$",
    re.DOTALL,
)
_JAAS_OPTION = re.compile(r'([\w.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;]+)')


def parse_jaas(text: str) -> Jaas:
    match = _JAAS.match(text)
    if match is None:
        # never echo the value: it holds the password
        raise InputError('sasl.jaas.config is not `<LoginModule> required key="value" ...;`')
    options = {}
    for key, raw in _JAAS_OPTION.findall(match.group("options")):
        value = raw[1:-1] if raw.startswith('"') else raw
        options[key] = re.sub(r"\\(.)", r"\1", value)
    return Jaas(match.group("module"), options)


@dataclass(frozen=True)
class ClientSettings:
    """The librdkafka configuration (with secrets) and a secret-free description of it."""

    config: dict[str, Any]
    bootstrap: str
    protocol: str
    mechanism: str | None
    msk_iam: bool

    def describe(self) -> str:
        auth = f"{self.protocol}, {self.mechanism}" if self.mechanism else self.protocol
        return f"{self.bootstrap} ({auth})"


def _location(value: str, base: Path | None) -> str:
    path = Path(value).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    return str(path)


def translate_java(props: Mapping[str, str], base: Path | None) -> tuple[dict[str, str], bool]:
    """Java client properties -> (librdkafka properties, MSK IAM requested)."""
    out = {k: v for k, v in props.items() if k not in JAVA_ONLY}
    msk_iam = props.get("sasl.mechanism", "").upper() == MSK_IAM or any(
        _MSK_HANDLER in props.get(k, "")
        for k in ("sasl.client.callback.handler.class", "sasl.login.callback.handler.class")
    )
    jaas_text = props.get("sasl.jaas.config")
    if jaas_text:
        jaas = parse_jaas(jaas_text)
        if _MSK_HANDLER in jaas.module:
            msk_iam = True
        elif jaas.module.endswith(("PlainLoginModule", "ScramLoginModule")):
            if "username" in jaas.options:
                out["sasl.username"] = jaas.options["username"]
            if "password" in jaas.options:
                out["sasl.password"] = jaas.options["password"]
        elif not jaas.module.endswith("OAuthBearerLoginModule"):
            raise InputError(
                f"sasl.jaas.config: login module {jaas.module} is not supported; "
                "use -X with librdkafka sasl.* properties instead"
            )
    _trust(props, out, base)
    _keystore(props, out, base)
    algorithm = props.get("ssl.endpoint.identification.algorithm")
    if algorithm is not None:
        out["ssl.endpoint.identification.algorithm"] = algorithm.lower() or "none"
    return out, msk_iam


def _trust(props: Mapping[str, str], out: dict[str, str], base: Path | None) -> None:
    if props.get("ssl.truststore.certificates"):
        out["ssl.ca.pem"] = props["ssl.truststore.certificates"]
    location = props.get("ssl.truststore.location")
    if not location:
        return
    kind = props.get("ssl.truststore.type", "JKS").upper()
    if kind != "PEM":
        raise InputError(
            f"ssl.truststore.type {kind} is not readable by librdkafka: convert the "
            "truststore to PEM and set ssl.truststore.type=PEM "
            "(or -X ssl.ca.location=ca.pem)"
        )
    out["ssl.ca.location"] = _location(location, base)


def _keystore(props: Mapping[str, str], out: dict[str, str], base: Path | None) -> None:
    if props.get("ssl.keystore.certificate.chain"):
        out["ssl.certificate.pem"] = props["ssl.keystore.certificate.chain"]
    if props.get("ssl.keystore.key"):
        out["ssl.key.pem"] = props["ssl.keystore.key"]
    location = props.get("ssl.keystore.location")
    if not location:
        return
    kind = props.get("ssl.keystore.type", "JKS").upper()
    path = _location(location, base)
    if kind == "PKCS12":
        out["ssl.keystore.location"] = path
        if "ssl.keystore.password" in props:
            out["ssl.keystore.password"] = props["ssl.keystore.password"]
    elif kind == "PEM":
        out["ssl.certificate.location"] = path
        out["ssl.key.location"] = path
    else:
        raise InputError(
            f"ssl.keystore.type {kind} is not readable by librdkafka: use a PKCS12 or PEM keystore"
        )


def resolve_value(key: str, value: str, base: Path | None) -> str:
    """A client setting's value: `env:VAR` is the environment variable VAR, `@PATH` the
    content of the file PATH (relative to `base`, one trailing newline dropped), anything else
    the value itself. Errors name the setting and where it points, never a value."""
    if value.startswith(ENV_PREFIX):
        name = value[len(ENV_PREFIX) :]
        found = os.environ.get(name)
        if not name or found is None:
            raise InputError(f"client setting {key}: environment variable {name!r} is not set")
        return found
    if value.startswith(FILE_PREFIX):
        path = Path(value[len(FILE_PREFIX) :]).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        text = read_text(path, f"file of client setting {key}")
        return text[:-1] if text.endswith("\n") else text
    return value


def client_settings(
    bootstrap: str | None,
    properties: Mapping[str, str],
    properties_dir: Path | None,
    overrides: Mapping[str, str],
    overrides_dir: Path | None,
    region: str,
    timeout: float,
) -> ClientSettings:
    config, msk_iam = translate_java(properties, properties_dir)
    for key, raw in overrides.items():
        value = resolve_value(key, raw, overrides_dir)
        config[key] = _location(value, overrides_dir) if key.endswith(".location") else value
    if bootstrap:
        config["bootstrap.servers"] = bootstrap
    servers = config.get("bootstrap.servers", "").strip()
    if not servers:
        raise InputError(
            "no bootstrap servers: give --bootstrap HOST:PORT "
            "(or bootstrap.servers in the client properties)"
        )
    aws_region = config.pop("aws.region", None) or region
    mechanism = config.pop("sasl.mechanisms", None) or config.pop("sasl.mechanism", None)
    if mechanism and mechanism.upper() == MSK_IAM:
        msk_iam = True
    protocol = str(config.get("security.protocol", "PLAINTEXT")).upper()
    settings: dict[str, Any] = dict(config)
    if msk_iam:
        mechanism = "OAUTHBEARER"
        if protocol == "PLAINTEXT":
            protocol = "SASL_SSL"
        settings["oauth_cb"] = msk_iam_callback(aws_region)
    if mechanism:
        settings["sasl.mechanism"] = mechanism
    settings["security.protocol"] = protocol
    millis = max(1000, int(timeout * 1000))
    settings.setdefault("client.id", "failback-checker")
    settings.setdefault("socket.timeout.ms", millis)
    settings.setdefault("socket.connection.setup.timeout.ms", millis)
    settings.setdefault("reconnect.backoff.max.ms", 1000)
    settings.setdefault("topic.metadata.refresh.interval.ms", -1)
    return ClientSettings(
        settings, servers, protocol, "AWS_MSK_IAM" if msk_iam else mechanism, msk_iam
    )


def msk_iam_callback(region: str) -> Callable[[str], tuple[str, float]]:
    """The OAUTHBEARER callback of aws-msk-iam-sasl-signer-python (an optional extra)."""
    try:
        signer = importlib.import_module("aws_msk_iam_sasl_signer")
    except ModuleNotFoundError:
        raise InputError(
            "MSK IAM authentication needs the aws-msk-iam-sasl-signer-python "
            "package (pip install 'failback-checker[msk-iam]')"
        ) from None
    provider = signer.MSKAuthTokenProvider

    def oauth_cb(_config: str) -> tuple[str, float]:
        token, expiry_ms = provider.generate_auth_token(region)
        return str(token), float(expiry_ms) / 1000.0

    return oauth_cb
