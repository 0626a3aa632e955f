"""Recognising secret-bearing configuration keys, so their values never reach an output."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# sasl.jaas.config, *.password, ssl.keystore.key, sasl.oauthbearer.*, aws secret keys, tokens...
_SECRET_KEY = re.compile(
    r"(password|passwd|secret|jaas|token|credential|private|(^|\.)key$|keystore\.key|"
    r"ssl\.key|sasl\.oauthbearer|access[._-]?key|session)",
    re.IGNORECASE,
)


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def scrub(config: Mapping[str, Any]) -> dict[str, Any]:
    """The configuration without secret-looking keys."""
    return {k: v for k, v in config.items() if not is_secret_key(str(k))}
