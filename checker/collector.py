"""Pausing Python's cyclic garbage collector around allocation-heavy, cycle-free work.

Parsing a large snapshot, normalising it and diffing it allocate millions of small objects that
all stay alive: every generation-2 collection those allocations trigger walks every object made
so far, which made these stages quadratic in practice (50k topics / 500k bindings: about 6 s of
a 34 s check was the collector finding nothing to collect; a 12 MB plan of 10,000 families took
12.4 s to compose with the collector, 3.4 s without). Reference counting still frees
everything that is not part of a cycle while the collector is paused.

What a block made and kept is handed to the oldest generation unwalked when the outermost block
ends. CPython does not count objects that arrive there this way towards its next full
collection, so a process that runs check after check (a fleet, `failback watch`, a test session)
would not free the cycles among them: its memory grew without bound (a CI test session was
killed at 24 GB). This module keeps that count itself, and the next outermost block starts with
a full collection once it passes `FULL_COLLECTION_AFTER`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

FULL_COLLECTION_AFTER = 2_000_000
"""Objects handed to the oldest generation unwalked since the last full collection, after which
the next outermost block starts with one. One check of the benchmarks' largest estates hands
over 0.7 to 1.5 million (10,000 families; 50k topics with 500k bindings), so a single check does
not pay for a full collection; a long-running process keeps at most about this many objects
(and what one check makes) out of the collector's count between full collections."""

_handed_over = 0
_full_collections_then = 0


def _full_collections() -> int:
    return int(gc.get_stats()[-1]["collections"])


def handed_over() -> int:
    """Objects handed to the oldest generation unwalked since the last full collection (by this
    module, by CPython or by anyone calling `gc.collect()`)."""
    return _handed_over if _full_collections() == _full_collections_then else 0


def _hand_over_young_objects() -> None:
    """Move the young generations to the oldest one without walking them (freeze, then
    unfreeze), and count them; not while anyone else has objects frozen, which unfreeze would
    thaw."""
    global _handed_over, _full_collections_then
    if gc.get_freeze_count() != 0:
        return
    young = gc.get_count()[0]  # tracked objects made and not freed since the last collection
    gc.freeze()
    gc.unfreeze()
    _handed_over = handed_over() + young
    _full_collections_then = _full_collections()


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state is restored after it
    (nested blocks leave it paused until the outermost one ends).

    What the block made and kept goes straight to the oldest generation when the outermost
    block ends (moved, not walked). Left in the youngest, it would be walked by the first
    collection after the block and again on its way up, all of it alive (10,000 families:
    0.3 s of a check). In the oldest it waits for a full collection, which still frees any cycle
    among it: an outermost block starts with one when more than `FULL_COLLECTION_AFTER` objects
    have been handed over since the last."""
    enabled = gc.isenabled()
    if enabled and handed_over() > FULL_COLLECTION_AFTER:
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            _hand_over_young_objects()
            gc.enable()
