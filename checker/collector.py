"""Pausing Python's cyclic garbage collector around allocation-heavy, cycle-free work.

Parsing a large snapshot, normalising it and diffing it allocate millions of small objects that
all stay alive: every generation-2 collection those allocations trigger walks every object made
so far, which made these stages quadratic in practice (50k topics / 500k bindings: about 6 s of
a 34 s check was the collector finding nothing to collect; a 12 MB plan of 10,000 families took
12.4 s to compose with the collector, 3.4 s without). Reference counting still frees
everything that is not part of a cycle while the collector is paused.

What a large block made and kept is handed to the oldest generation unwalked when the outermost
block ends (`gc.freeze()`, then `gc.unfreeze()`). That move resets the collector's counters, and
CPython does not count the objects it moves, so CPython alone would seldom or never collect
fully again in a process that runs check after check (a fleet, `failback watch`, a test
session): the cycles among everything made, inside the blocks or between them, would never be
freed (a CI test session grew to 24 GB). So this module schedules the full collections itself,
by the number of objects the collector tracks: an outermost block starts with one once that
number has grown since the last full collection by more than `FULL_COLLECTION_AFTER` objects
and by more than `HEAP_GROWTH` times what was left after it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

FULL_COLLECTION_AFTER = 2_000_000
"""The growth, in objects the collector tracks, below which no block starts with a full
collection. One check of the benchmarks' largest estates tracks under half a million objects at
its peak (10,000 families; 50k topics with 500k bindings), so a single check never pays for one;
a long-running process frees its cycles at least every this many objects of growth."""

MOVE_AT_LEAST = 100_000
"""The young objects (made and not freed since the last collection) from which an outermost
block's end moves them to the oldest generation. Fewer are left to the next young collection,
which walks them in a few milliseconds, and the collector keeps its own counters and schedule:
a fleet of small pairs or a pre-commit run never moves anything and never counts."""

HEAP_GROWTH = 1.0
"""...and the growth, as a share of the tracked objects left after the last full collection,
below which no block starts with one (CPython's own rule is a quarter of the long-lived
objects): a process whose live objects are many collects in proportion to them, not every
`FULL_COLLECTION_AFTER` objects, which would make it quadratic again."""

_tracked = 0  # objects the collector tracked when the last outermost block ended
_base = -1  # objects it tracked when a block first ended after the last full collection
_full_collections_then = -1  # the count of full collections when _base was taken


def _full_collections() -> int:
    return int(gc.get_stats()[-1]["collections"])


def _without_base() -> bool:
    """No base yet, or a full collection since it was taken: the next move takes one."""
    return _base < 0 or _full_collections() != _full_collections_then


def full_collection_due() -> bool:
    """Whether the next outermost block starts with a full collection."""
    if _without_base():
        return False
    return _tracked - _base > max(FULL_COLLECTION_AFTER, HEAP_GROWTH * _base)


def _hand_over_young_objects() -> None:
    """Move the young generations to the oldest one without walking them (freeze, then
    unfreeze), and note how many objects the collector tracks; not for fewer than
    `MOVE_AT_LEAST` young objects, nor while anyone else has objects frozen, which unfreeze
    would thaw (the collector then keeps its own schedule)."""
    global _tracked, _base, _full_collections_then
    if gc.get_count()[0] < MOVE_AT_LEAST or gc.get_freeze_count() != 0:
        return
    gc.freeze()
    _tracked = gc.get_freeze_count()  # every tracked object, counted in one pass of a list
    gc.unfreeze()
    if _without_base():
        _base = _tracked
        _full_collections_then = _full_collections()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state is restored after it
    (nested blocks leave it paused until the outermost one ends).

    What the block made and kept goes straight to the oldest generation when the outermost
    block ends with at least `MOVE_AT_LEAST` young objects (moved, not walked; fewer are left to
    the young collections, which walk them in milliseconds). Left in the youngest, a large
    block's objects would be walked by the first collection after the block and again on their
    way up, all of them alive (10,000 families: 0.3 s of a check). In the oldest they wait for a
    full collection, which still frees any cycle among them: an outermost block starts with
    one when `full_collection_due()`."""
    enabled = gc.isenabled()
    if enabled and full_collection_due():
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _hand_over_young_objects()
            gc.enable()
