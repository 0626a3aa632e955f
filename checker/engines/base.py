"""The small interface every Rego engine implements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from ..errors import EngineError
from ..policy.locate import PolicyFile


class Engine(Protocol):
    name: str

    def load(self, policies: Sequence[PolicyFile]) -> None:
        """Compile the policies; raise EngineError with file and line on a compile error."""

    def query(self, rule: str, input_document: Mapping[str, Any] | None) -> Any:
        """The JSON value of a rule (e.g. data.failback.main.decision), None when undefined."""

    def close(self) -> None:
        """Release whatever the engine holds (processes, connections)."""


class PolicyCompileError(EngineError):
    """A policy file does not parse or compile (`file:line:col: message` in `detail`)."""

    def __init__(self, file: str, detail: str) -> None:
        super().__init__(f"policy does not compile: {detail}")
        self.file = file
        self.detail = detail
