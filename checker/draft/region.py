"""One region as `failback init` reads it: its snapshot document and how the plan reads it again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ROLES = ("primary", "secondary")


@dataclass(frozen=True)
class RegionInput:
    """One region: its snapshot document and how the plan should read it again
    (`{"snapshot": path}` or `{"source": {...}}`), and where it came from (for comments)."""

    document: Mapping[str, Any]
    entry: Mapping[str, Any]
    origin: str

    @property
    def name(self) -> str:
        return str(self.document.get("region", ""))
