"""User policies pass the same checks on every engine, so both engines refuse the same input.

Before an engine sees them, --policy-dir policies are vetted (policy/vet.py: confined to
failback.custom, allowed built-ins only, no recursion), in a child process. Before a decision
is used, the custom findings are validated (main.rego's invalid_custom): a finding the
decision would drop or mis-rank ends the run with exit 3 instead of a silent GO.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, cast

from ..errors import EngineError
from ..model import SEVERITIES
from ..policy.locate import ENTRYPOINT, PolicyFile
from .base import Engine, PolicyCompileError

INVALID_CUSTOM = "data.failback.main.invalid_custom"


def _shown(value: Any) -> str:
    if isinstance(value, str) and re.fullmatch(r"[\w.:/@-]{1,80}", value):
        return value
    return json.dumps(value)[:80]


def describe_invalid(invalid: Sequence[Mapping[str, Any]]) -> str:
    """One line for the first invalid custom finding (main.rego's invalid_custom)."""
    first = min(invalid, key=lambda f: json.dumps(f, sort_keys=True))
    rule_id = first.get("rule_id")
    who = "custom finding" if rule_id is None else f"custom finding {_shown(rule_id)}"
    where = f"{who} of package {_shown(first.get('package'))}"
    problem = first.get("problem")
    key = first.get("field")
    if problem == "not_an_object":
        why = "is not an object"
    elif problem == "missing":
        why = f"has no {key} (a non-empty string is required)"
    elif problem == "unknown_severity":
        why = (
            f"has severity {json.dumps(first.get('value'))[:80]}: use one of "
            f"{', '.join(SEVERITIES)} (in any case)"
        )
    elif problem == "builtin_rule_id":
        why = f"reuses the built-in rule id {_shown(rule_id)}: give custom rules their own ids"
    else:
        why = f"is invalid ({_shown(problem)})"
    more = f" (and {len(invalid) - 1} more)" if len(invalid) > 1 else ""
    return f"invalid {where}: it {why}{more}"


class Vetting(Protocol):
    def vet(self, policies: Sequence[PolicyFile]) -> None:
        """The compile-time checks of policy/vet.py, wherever the engine runs user policies."""


class Guarded:
    """An engine behind the checks user policies must pass.

    `make(isolated)` builds the engine once the policies are known: isolated=True when there
    are user policies. An engine that `vets_itself` (the embedded engine, whose child parses
    the policies anyway) is built first and vets them; any other engine is built only once a
    child of its own has vetted them, so no server starts for refused policies.
    """

    def __init__(
        self,
        name: str,
        make: Callable[[bool], Engine],
        timeout: float,
        *,
        vets_itself: bool = False,
        preloaded: bool = False,
    ) -> None:
        self.name = name
        self._make = make
        self._timeout = timeout
        self._vets_itself = vets_itself
        self._engine: Engine | None = None
        self._custom = preloaded  # a preloaded bundle may hold custom policies

    def load(self, policies: Sequence[PolicyFile]) -> None:
        user = any(not p.builtin for p in policies)
        self._custom = self._custom or user
        if user and not self._vets_itself:
            self._vet_apart(policies)
        engine = self._engine = self._make(user)
        if user and self._vets_itself:
            cast(Vetting, engine).vet(policies)
        engine.load(policies)

    def _vet_apart(self, policies: Sequence[PolicyFile]) -> None:
        from .isolated import vet_in_child

        try:
            vet_in_child(policies, self._timeout)
        except PolicyCompileError as exc:
            # the engine's own compile error names the file first (OPA: its message); a
            # policy only OPA accepts is still refused: both engines must run it alike
            engine = self._engine = self._make(True)
            engine.load(policies)
            raise EngineError(
                f"policy does not compile on the embedded engine: {exc.detail} "
                "(both engines must accept a policy)"
            ) from None

    def query(self, rule: str, input_document: Mapping[str, Any] | None) -> Any:
        if self._engine is None:
            raise EngineError(f"no policies loaded before evaluating {rule}")
        if self._custom and rule == ENTRYPOINT:
            invalid = self._engine.query(INVALID_CUSTOM, input_document)
            if isinstance(invalid, list) and invalid:
                raise EngineError(describe_invalid(invalid))
        return self._engine.query(rule, input_document)

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
