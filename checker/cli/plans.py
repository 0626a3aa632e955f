"""Loading the plan for a command that judges it (check, watch)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .errors import warn

if TYPE_CHECKING:
    from ..plan import Plan


def load_checked_plan(config: Path, allow_outside_repo: bool) -> Plan:
    """The plan, confined to its repository unless allowed; a warning for each secret it
    holds in clear text (check and watch)."""
    from ..plan import load_plan

    plan = load_plan(config, allow_outside_repo=allow_outside_repo)
    for key in plan.clear_text_secrets:
        warn(f"plan {config}: {key} holds a secret in clear text; name it with env:VAR or @FILE")
    return plan
