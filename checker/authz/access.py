"""What a client needs: one check per permission, allowed only when every check is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class Verdict(Protocol):
    """Anything with an `allowed` answer: a Kafka ACL decision or an IAM decision."""

    @property
    def allowed(self) -> bool: ...


D = TypeVar("D", bound=Verdict)


@dataclass(frozen=True, slots=True)
class Need(Generic[D]):
    """One permission a client needs (`what`, e.g. "WRITE on TOPIC orders") and its answer."""

    what: str
    decision: D


@dataclass(frozen=True, slots=True)
class ClientAccess(Generic[D]):
    """The answer to "can this client do X": every need, in the order the client meets them."""

    needs: tuple[Need[D], ...]

    @property
    def allowed(self) -> bool:
        return all(need.decision.allowed for need in self.needs)

    @property
    def blocked_by(self) -> Need[D] | None:
        """The first need that is refused, or None when the client is allowed."""
        return next((need for need in self.needs if not need.decision.allowed), None)
