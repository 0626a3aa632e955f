"""`failback watch`: sample runtime evidence until a failback step may start (pure loop).

The loop owns no I/O: it is given a sampler (role -> the region's fresh `runtime` area, and
the gaps sampling met), a judge (the runtime areas -> the report of the failback phase for the
step), a clock, a sleep and a sink for each tick, so that tests drive it with scripted samples.
It stops as soon as the step's verdict is go (exit 0); at the timeout it answers with the last
decision's exit code (1: a gate still holds the step, 4: its evidence is missing or stale).
Everything it saw becomes a rehearsal record (checker/rehearsal.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .model import Decision, ExitCode, Report
from .runtime import family_totals

Runtimes = Mapping[str, Mapping[str, Any] | None]


@dataclass(frozen=True)
class Sample:
    """One sampling of both regions: role -> its runtime area (None: unreadable) and the
    runtime gaps met (each {"region", "area": "runtime", "reason"})."""

    runtimes: Runtimes
    gaps: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class Tick:
    """What one sample showed: the step's verdict, what holds it, the lag per flow and family
    (records, seconds, records per second since the previous tick and the ETA at that rate)."""

    at: datetime
    verdict: str
    held_by: tuple[Mapping[str, Any], ...]
    awaiting: tuple[str, ...]
    lag: Mapping[str, Mapping[str, Any]]
    decision: Decision = field(repr=False, compare=False)


@dataclass
class Outcome:
    step: str
    started_at: datetime
    ended_at: datetime | None = None
    result: str = "running"  # passed | timeout | interrupted
    exit_code: ExitCode = ExitCode.INDETERMINATE
    ticks: list[Tick] = field(default_factory=list)
    first_pass: dict[str, str] = field(default_factory=dict)  # gate -> first time it held


def _step(decision: Decision) -> Any:
    if decision.step is None:
        raise ValueError("the judge must ask about one failback step")
    return decision.step


def _with_rates(
    lag: Mapping[str, Mapping[str, Any]], previous: Tick | None, at: datetime
) -> dict[str, dict[str, Any]]:
    """Each family's lag with the rate it fell at since the previous tick and the ETA."""
    rated: dict[str, dict[str, Any]] = {}
    for key, entry in lag.items():
        before = previous.lag.get(key) if previous is not None else None
        rate = eta = None
        if before is not None and previous is not None:
            elapsed = (at - previous.at).total_seconds()
            if elapsed > 0:
                rate = round((before["records"] - entry["records"]) / elapsed, 3)
                if rate > 0:
                    eta = round(entry["records"] / rate, 1)
        rated[key] = {**entry, "rate": rate, "eta_seconds": 0.0 if not entry["records"] else eta}
    return rated


def gate_names(decision: Decision) -> set[str]:
    """What holds the step, named stably across samples: `RT-001 flow:family`, ..."""
    step = _step(decision)
    return {f"{h.get('rule_id')} {h.get('resource')}" for h in step.held_by} | {
        f"awaiting: {a}" for a in step.awaiting
    }


def watch(
    step: str,
    sample: Callable[[], Sample],
    judge: Callable[[Sample, datetime], Report],
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
    interval: float,
    timeout: float,
    emit: Callable[[Tick], None],
) -> Outcome:
    """Sample and judge every `interval` seconds until the step may start or `timeout` passes.
    A KeyboardInterrupt ends the watch as `interrupted` (the caller writes the record)."""
    outcome = Outcome(step=step, started_at=clock())
    seen: set[str] = set()
    previous: Tick | None = None
    try:
        while True:
            taken = sample()
            at = clock()
            report = judge(taken, at)
            decision = report.decisions[0]
            current = _step(decision)
            tick = Tick(
                at=at,
                verdict=current.verdict,
                held_by=current.held_by,
                awaiting=current.awaiting,
                lag=_with_rates(family_totals(report.runtime), previous, at),
                decision=decision,
            )
            outcome.ticks.append(tick)
            holding = gate_names(decision)
            for gate in sorted(seen - holding):
                outcome.first_pass.setdefault(gate, at.isoformat())
            seen |= holding
            emit(tick)
            previous = tick
            if current.verdict == "go":
                outcome.result, outcome.exit_code = "passed", ExitCode.READY
                break
            if (at - outcome.started_at).total_seconds() + interval > timeout:
                outcome.result, outcome.exit_code = "timeout", decision.exit_code
                break
            sleep(interval)
    except KeyboardInterrupt:
        outcome.result = "interrupted"
        outcome.exit_code = ExitCode.INDETERMINATE
    outcome.ended_at = clock()
    return outcome
