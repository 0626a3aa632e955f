"""The embedded engine: regorus (PyPI gordon-to-regorus), in process, no network.

One engine object per thread: regorus engines must not cross threads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import EngineError
from ..io import native_json
from ..policy.locate import PolicyFile
from .base import PolicyCompileError

_UNDEFINED = '"<undefined>"'


def _json_text(document: Any) -> str:
    # a tree built by build_input: no cycle to look for (half json's encoding time)
    return json.dumps(document, check_circular=False)


def summarize(exc: BaseException) -> str:
    """`file:line:col: message` from regorus' multi-line error text (backtrace dropped)."""
    where = ""
    what = ""
    for line in str(exc).splitlines():
        text = line.strip()
        if text.startswith("-->") and not where:
            where = text[3:].strip()
        elif text.startswith("error:") and not what:
            what = text[6:].strip()
    if not what:
        what = " ".join(str(exc).split("Stack backtrace")[0].split())[:300]
    return f"{where}: {what}" if where else what


# regorus allocates with a statically linked mimalloc, whose arenas are committed eagerly by
# default: on a process already holding a large heap (a 50k-topic estate), the kernel then
# finds and zeroes huge pages for a whole arena at once, and reading a 64 MB input took 1.2 s
# (0.65 s of it in the kernel) instead of 0.7 s. Committed as used instead; mimalloc reads its
# options from the environment when the library loads, and a value the user set is kept.
ALLOCATOR_OPTIONS = {"MIMALLOC_ARENA_EAGER_COMMIT": "0"}


def import_regorus() -> Any:
    """The regorus module, its allocator's options set first (`ALLOCATOR_OPTIONS`)."""
    for name, value in ALLOCATOR_OPTIONS.items():
        os.environ.setdefault(name, value)
    import regorus

    return regorus


class EmbeddedEngine:
    name = "embedded"

    def __init__(self) -> None:
        try:
            regorus = import_regorus()
        except ImportError as exc:  # pragma: no cover - a broken install
            raise EngineError(f"the embedded engine is not installed: {exc}") from None
        self._engine = regorus.Engine()

    def load(self, policies: Sequence[PolicyFile]) -> None:
        for policy in policies:
            try:
                self._engine.add_policy(policy.name, policy.text)
            except RuntimeError as exc:
                raise PolicyCompileError(policy.name, summarize(exc)) from None

    def query(self, rule: str, input_document: Mapping[str, Any] | None) -> Any:
        if input_document is not None:  # the JSON text is not held while the rule evaluates
            # orjson where it gives the same value (a large input: 4x faster), else json
            text = native_json.dumps(input_document, _json_text)
            self._engine.set_input_json(text)
            del text
        return json.loads(self.query_json(rule, None))

    def query_json(self, rule: str, input_json: str | None) -> str:
        """The rule's value as JSON text, `null` when undefined."""
        if input_json is not None:
            self._engine.set_input_json(input_json)
        try:
            raw: str = self._engine.eval_rule_as_json(rule)
        except RuntimeError as exc:
            raise EngineError(f"evaluating {rule} failed: {summarize(exc)}") from None
        return "null" if raw == _UNDEFINED else raw

    def packages(self) -> list[str]:
        return list(self._engine.get_packages())

    def close(self) -> None:
        return None
