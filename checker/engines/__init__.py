"""Engine registry: name -> factory. Explicit, no import side effects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .base import Engine


def _embedded(**_: Any) -> Engine:
    from .embedded import EmbeddedEngine

    return EmbeddedEngine()


def _opa(**options: Any) -> Engine:
    from .opa import OpaEngine, OpaSettings

    return OpaEngine(OpaSettings(**options))


ENGINES: Mapping[str, Callable[..., Engine]] = {
    "embedded": _embedded,
    "opa": _opa,
}
