"""Engine registry: name -> factory. Explicit, no import side effects."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .base import Engine


def _embedded() -> Engine:
    from .embedded import EmbeddedEngine

    return EmbeddedEngine()


ENGINES: Mapping[str, Callable[[], Engine]] = {
    "embedded": _embedded,
}
