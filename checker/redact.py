"""Keeping secrets out of snapshots, reports and logs: which configuration values may travel.

Two lists decide:
- `SAFE_KEYS`, a documented allow list: the broker and topic settings the rules read, and other
  well-known Kafka settings that never hold a secret, also as per-listener overrides
  (`listener.name.<listener>.<key>`). Their values are always kept.
- every other key is dropped, value and all, when it looks secret (`SECRET_KEY`): passwords,
  JAAS and SASL client settings, keys and keystores, tokens, API keys, authorization headers,
  basic-auth user info, licences, credentials, session and private material. The pattern is
  deliberately broad: a harmless key it drops only costs a value no rule reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

# Read by the rules or by normalisation; none can hold a secret.
SAFE_KEYS: frozenset[str] = frozenset(
    {
        # authorization and authentication settings (names and switches, no credentials)
        "authorizer.class.name",
        "allow.everyone.if.no.acl.found",
        "super.users",
        "sasl.enabled.mechanisms",
        "sasl.mechanism.inter.broker.protocol",
        "sasl.mechanism.controller.protocol",
        "ssl.client.auth",
        "ssl.enabled.protocols",
        "ssl.protocol",
        "ssl.endpoint.identification.algorithm",
        "listener.security.protocol.map",
        "inter.broker.listener.name",
        "security.inter.broker.protocol",
        "controller.listener.names",
        # retention, durability, topic structure
        "log.retention.ms",
        "log.retention.minutes",
        "log.retention.hours",
        "log.retention.bytes",
        "log.cleanup.policy",
        "retention.ms",
        "retention.bytes",
        "cleanup.policy",
        "min.insync.replicas",
        "unclean.leader.election.enable",
        "default.replication.factor",
        "num.partitions",
        "auto.create.topics.enable",
        "offsets.retention.minutes",
        "message.max.bytes",
        "max.message.bytes",
        "message.timestamp.type",
        "remote.log.storage.system.enable",
        "remote.storage.enable",
        "transaction.state.log.replication.factor",
        "transaction.state.log.min.isr",
        "offsets.topic.replication.factor",
    }
)

SECRET_KEY = re.compile(
    r"pass(word|wd|phrase)?|pwd|secret|jaas|token|credential|private|session|cookie|bearer|"
    r"licen[cs]e|signature|user[._-]?info|basic[._-]auth|authori[sz]ation|auth[._-]header|"
    r"api[._-]?key|access[._-]?key|(^|[._-])key($|[._-])|keystore|truststore|ssl\.key|"
    r"(^|[._-])sasl[._-]|oauth|saml|kerberos|keytab|certificate|(^|[._-])pem($|[._-])",
    re.IGNORECASE,
)


def _safe(key: str) -> bool:
    """Allow-listed, also per listener (`listener.name.<listener>.sasl.enabled.mechanisms`)."""
    if key.startswith("listener.name."):
        parts = key.split(".", 3)
        return len(parts) == 4 and parts[3] in SAFE_KEYS
    return key in SAFE_KEYS


@lru_cache(maxsize=4096)  # a large estate's topics repeat a few config keys many times
def is_secret_key(key: str) -> bool:
    """True when a key's value must not leave the source (allow-listed keys never are)."""
    return not _safe(key) and bool(SECRET_KEY.search(key))


def scrub(config: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration without secret-looking keys."""
    return {k: v for k, v in config.items() if not is_secret_key(str(k))}


# Client settings whose value names a file, a mechanism or a method, never a secret itself: a
# literal value of theirs needs no warning (they still look secret to `is_secret_key`).
_NAMES_NO_SECRET = re.compile(r"\.location$|(^|\.)mechanisms?$|\.method$", re.IGNORECASE)

# How a secret setting names its value instead of holding it (kafka -X and a plan's kafka
# source config): `env:VAR` reads the environment variable VAR, `@PATH` reads the file PATH.
ENV_PREFIX = "env:"
FILE_PREFIX = "@"


def holds_secret(key: str) -> bool:
    """True when a literal value for `key` would be a secret in clear text."""
    return is_secret_key(key) and not _NAMES_NO_SECRET.search(key)


def is_reference(value: str) -> bool:
    """True when a value names where the secret is (env:VAR, @PATH) rather than holding it."""
    return value.startswith((ENV_PREFIX, FILE_PREFIX))


# The user information of a URL: up to the last "@" before the path (a password may hold an
# unencoded "@"); greedy, so it rather hides too much than too little.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]*@")


def redact_urls(text: str) -> str:
    """`text` with the user information of every URL in it (scheme://user:password@host)
    replaced by `***`: for every error and log line that may show a URL."""
    return _USERINFO.sub(r"\g<scheme>***@", text)
