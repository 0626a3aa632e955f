"""Engine registry: name -> factory. Explicit, no import side effects.

Both factories return the engine behind guard.Guarded: user policies are vetted alike on both
engines. The embedded engine runs the built-in library in process (the fast path) and user
policies in a forked child with time and memory limits (isolated.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .base import Engine

DEFAULT_TIMEOUT = 30.0


def _embedded(timeout: float = DEFAULT_TIMEOUT, **_: Any) -> Engine:
    from .guard import Guarded

    def make(isolated: bool) -> Engine:
        if isolated:
            from .isolated import IsolatedEngine

            return IsolatedEngine(timeout)
        from .embedded import EmbeddedEngine

        return EmbeddedEngine()

    return Guarded("embedded", make, timeout, vets_itself=True)


def _opa(timeout: float = DEFAULT_TIMEOUT, **options: Any) -> Engine:
    from .guard import Guarded
    from .opa import OpaEngine, OpaSettings

    settings = OpaSettings(timeout=timeout, **options)
    return Guarded("opa", lambda _: OpaEngine(settings), timeout, preloaded=settings.preloaded)


ENGINES: Mapping[str, Callable[..., Engine]] = {
    "embedded": _embedded,
    "opa": _opa,
}
