"""Judge a fleet: every pair as `failback check` judges one, in one process.

Each pair is the single-pair pipeline: `sources.plan_snapshots` for both regions (files, or
live sources exported now; the plan's outage lets the impaired region's be missing) and
`evaluate.check` with the plan's waivers and outage. Exports (and reading
snapshot files) run in a bounded thread pool (`Fleet.concurrency`), with the accounts entries'
own limits on top; evaluation runs in the calling thread, one pair after another, on one
engine loaded once. A pair whose plan, export or evaluation fails is recorded as failed
(indeterminate, with the one-line reason) and the rest of the fleet goes on. Ctrl-C stops the
run: pairs not yet judged are recorded as interrupted and the report is marked partial.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import CheckerError, InputError
from ..model import PHASES, Severity
from .config import AccountSettings, Fleet, PairSpec, account_of
from .report import FleetReport, PairResult, judged
from .shard import Shard

if TYPE_CHECKING:
    from ..engines.base import Engine
    from ..evaluate import Situation
    from ..exceptions import Exceptions
    from ..model import Snapshot
    from ..plan import Plan, RegionRef


class Progress(Protocol):
    """Told of each pair as it is judged (the CLI shows a progress line on a terminal)."""

    def start(self, total: int) -> None: ...

    def advance(self, result: PairResult) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, result: PairResult) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass(frozen=True)
class RunOptions:
    now: datetime
    fail_on: Severity = "high"
    phase: str | None = None  # a phase, "all", or None: each plan's current_phase
    allow_outside_repo: bool = False
    shard: Shard | None = None


class _Stopped(Exception):
    """The run was interrupted before this pair's export began."""


@dataclass
class _Loaded:
    """A pair ready for evaluation, or the reason it is not."""

    spec: PairSpec
    plan: Plan | None = None
    snapshots: tuple[Snapshot, ...] = ()
    exceptions: Exceptions | None = None
    situation: Situation | None = None
    phases: tuple[str, ...] = ()
    error: str | None = None


@dataclass
class _Limits:
    """One semaphore per accounts entry that sets a concurrency."""

    semaphores: dict[int, threading.BoundedSemaphore] = field(default_factory=dict)

    @classmethod
    def of(cls, fleet: Fleet) -> _Limits:
        return cls(
            {
                s.index: threading.BoundedSemaphore(s.concurrency)
                for s in fleet.accounts
                if s.concurrency is not None
            }
        )

    @contextlib.contextmanager
    def hold(self, *settings: AccountSettings | None) -> Iterator[None]:
        """The limits of every entry given, each once, taken in one global order (no two
        threads wait on each other's)."""
        indices = sorted({s.index for s in settings if s is not None} & self.semaphores.keys())
        with contextlib.ExitStack() as stack:
            for index in indices:
                stack.enter_context(self.semaphores[index])
            yield


def _sources(region: RegionRef) -> list[Mapping[str, Any]]:
    raw = region.source
    if raw is None:
        return []
    return list(raw) if isinstance(raw, list) else [raw]


def with_settings(fleet: Fleet, region: RegionRef) -> tuple[RegionRef, AccountSettings | None]:
    """The region with the matching accounts entry's profile and role filled into its aws
    sources that name none, and that entry (for its concurrency limit)."""
    sources = _sources(region)
    account = next((a for a in map(account_of, sources) if a is not None), None)
    settings = fleet.settings_for(account, region.name)
    if settings is None or not sources:
        return region, settings
    filled: list[Mapping[str, Any]] = []
    for source in sources:
        if source.get("type") == "aws":
            extra = {
                key: value
                for key, value in (("profile", settings.profile), ("role_arn", settings.role_arn))
                if value is not None and source.get(key) is None
            }
            source = {**source, **extra}
        filled.append(source)
    shaped: Any = filled if isinstance(region.source, list) else filled[0]
    return replace(region, source=shaped), settings


def _phases(plan: Plan, phase: str | None) -> tuple[str, ...]:
    from ..plan import check_phase

    chosen = phase or plan.current_phase
    return PHASES if chosen == "all" else (check_phase(chosen),)


def _exceptions(plan: Plan, now: datetime) -> Exceptions:
    """The plan's own waiver file, as `failback check` applies it without --waivers."""
    from ..exceptions import Exceptions

    if plan.waivers_file is None:
        return Exceptions()
    from ..waivers import load_waivers

    return Exceptions(
        waivers=load_waivers(plan.waivers_file, now), waiver_file=str(plan.waivers_file)
    )


def _load(
    spec: PairSpec, fleet: Fleet, options: RunOptions, limits: _Limits, stop: threading.Event
) -> _Loaded:
    """In a pool thread: the plan, both regions' snapshots (`sources.plan_snapshots`, as
    `failback check` reads them: the plan's outage lets the impaired region's be missing) and
    the waivers of one pair."""
    import io

    from ..evaluate import Situation
    from ..plan import load_plan
    from ..sources import plan_snapshots

    loaded = _Loaded(spec)
    try:
        plan = load_plan(spec.path, allow_outside_repo=options.allow_outside_repo)
        loaded.plan = plan
        loaded.phases = _phases(plan, options.phase)
        situation = Situation(outage=plan.outage())
        primary, primary_settings = with_settings(fleet, plan.primary)
        secondary, secondary_settings = with_settings(fleet, plan.secondary)
        configured = replace(plan, primary=primary, secondary=secondary)
        if stop.is_set():
            raise _Stopped
        with limits.hold(primary_settings, secondary_settings):
            # exporters' progress lines are not shown in a fleet run
            left, right, absent = plan_snapshots(
                configured, (None, None), io.StringIO(), options.now, situation.outage
            )
        for snapshot, role in ((left, plan.primary), (right, plan.secondary)):
            if snapshot.region != role.name:
                raise InputError(
                    f"snapshot {snapshot.origin} is for region {snapshot.region}, but the "
                    f"plan's {role.role} region is {role.name}"
                )
        loaded.snapshots = (left, right)
        loaded.situation = situation if absent is None else replace(situation, snapshot_absent=True)
        loaded.exceptions = _exceptions(plan, options.now)
    except CheckerError as exc:
        loaded.error = exc.one_line()
    return loaded


def _failed(loaded: _Loaded, reason: str) -> PairResult:
    plan = loaded.plan
    return PairResult(
        identity=loaded.spec.identity,
        status="failed",
        name=None if plan is None else plan.name,
        primary=None if plan is None else plan.primary.name,
        secondary=None if plan is None else plan.secondary.name,
        reason=reason,
    )


def _judge(loaded: _Loaded, engine: Engine, options: RunOptions) -> PairResult:
    from ..evaluate import check

    if loaded.error is not None or loaded.plan is None:
        return _failed(loaded, loaded.error or "not loaded")
    left, right = loaded.snapshots
    try:
        report = check(
            loaded.plan,
            left,
            right,
            loaded.phases,
            engine,
            options.now,
            options.fail_on,
            loaded.exceptions,
            loaded.situation,
        )
    except CheckerError as exc:
        return _failed(loaded, exc.one_line())
    return judged(loaded.spec.identity, report)


def _interrupted(spec: PairSpec) -> PairResult:
    return PairResult(
        identity=spec.identity,
        status="interrupted",
        reason="not judged: the run was interrupted",
    )


class _Memo:
    """The fleet's engine, with queries without input (the rule catalog every pair's report
    carries) answered once: they depend on the loaded policies alone."""

    def __init__(self, engine: Engine) -> None:
        self.name = engine.name
        self._engine = engine
        self._answers: dict[str, Any] = {}

    def load(self, policies: Sequence[Any]) -> None:
        self._answers.clear()
        self._engine.load(policies)

    def query(self, rule: str, input_document: Mapping[str, Any] | None) -> Any:
        if input_document is not None:
            return self._engine.query(rule, input_document)
        if rule not in self._answers:
            self._answers[rule] = self._engine.query(rule, None)
        return copy.deepcopy(self._answers[rule])

    def close(self) -> None:
        self._engine.close()


def selected(fleet: Fleet, shard: Shard | None) -> tuple[PairSpec, ...]:
    if shard is None:
        return fleet.pairs
    return tuple(p for p in fleet.pairs if shard.holds(p.identity))


def run_fleet(
    fleet: Fleet,
    options: RunOptions,
    engine: Engine,
    progress: Progress | None = None,
) -> FleetReport:
    """Judge the fleet's pairs (the shard's, with options.shard) on `engine` (loaded); the
    aws sources' account- and region-wide reads are made once for all pairs
    (exporters/aws/shared.py)."""
    from ..exporters.aws.shared import sharing

    with sharing():
        return _run_fleet(fleet, options, engine, progress)


def _run_fleet(
    fleet: Fleet,
    options: RunOptions,
    engine: Engine,
    progress: Progress | None = None,
) -> FleetReport:
    progress = progress or NoProgress()
    memo = _Memo(engine)
    specs = selected(fleet, options.shard)
    results: dict[str, PairResult] = {}
    stop = threading.Event()
    limits = _Limits.of(fleet)
    partial = False
    progress.start(len(specs))
    pool = ThreadPoolExecutor(max_workers=fleet.concurrency, thread_name_prefix="failback-fleet")
    try:
        futures: dict[Future[_Loaded], PairSpec] = {
            pool.submit(_load, spec, fleet, options, limits, stop): spec for spec in specs
        }
        for future in as_completed(futures):
            try:
                loaded = future.result()
            except _Stopped:
                continue
            result = _judge(loaded, memo, options)
            results[result.identity] = result
            progress.advance(result)
    except KeyboardInterrupt:
        partial = True
        stop.set()
    finally:
        # interrupted: queued exports are cancelled, running ones not awaited (the command
        # line exits once the report is written)
        pool.shutdown(wait=not partial, cancel_futures=True)
        progress.finish()
    pairs = tuple(results.get(s.identity) or _interrupted(s) for s in specs)
    return FleetReport(
        name=fleet.name,
        generated_at=options.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        fail_on=options.fail_on,
        phase=options.phase,
        pairs=tuple(sorted(pairs, key=lambda p: p.identity)),
        fleet_pairs=len(fleet.pairs),
        shard=options.shard,
        partial=partial,
    )


def open_engine(name: str, settings: Mapping[str, Any], policy_dirs: Sequence[Any]) -> Engine:
    """The engine every pair is judged on, its policies loaded once."""
    from ..engines import ENGINES
    from ..policy.locate import load_policies

    engine = ENGINES[name](**settings)
    try:
        engine.load(load_policies(policy_dirs))
    except BaseException:
        engine.close()
        raise
    return engine
