"""Pausing Python's cyclic garbage collector around allocation-heavy, cycle-free work.

Parsing a large snapshot, normalising it and diffing it allocate millions of small objects that
all stay alive: every generation-2 collection those allocations trigger walks every object made
so far, which made these stages quadratic in practice (50k topics / 500k bindings: about 6 s of
a 34 s check was the collector finding nothing to collect; a 12 MB plan of 10,000 families took
12.4 s to compose with the collector, 3.4 s without). Reference counting still frees
everything that is not part of a cycle while the collector is paused.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state is restored after it
    (nested blocks leave it paused until the outermost one ends).

    What the block made and kept goes straight to the oldest generation when the outermost
    block ends (freeze, then unfreeze: moved, not walked). Left in the youngest, it would be
    walked by the first collection after the block and again on its way up, all of it alive
    (10,000 families: 0.3 s of a check); in the oldest it waits for a full collection, which
    still frees any cycle among it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:  # (nobody else's frozen objects to thaw)
                gc.freeze()
                gc.unfreeze()
            gc.enable()
