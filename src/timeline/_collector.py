"""The cyclic garbage collector, paused around bulk work (replays, batch decodes)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["PROMOTE_AFTER", "paused"]

#: After a pause in which at least this many GC-tracked objects were created,
#: they are moved straight to the oldest generation: see paused.
PROMOTE_AFTER = 100_000


@contextlib.contextmanager
def paused(promote_after: int | None = None) -> Iterator[None]:
    """Pause the cyclic GC inside the block; promote what a large block created.

    Decoding a batch of events with the collector on costs about 3x the decode
    alone (13.4 against 4.7 us per record, 20k records): every 700 allocations
    a young-generation pass walks the objects just built.

    Args:
        promote_after: promote the block's objects to the oldest generation when
            it created at least this many (``PROMOTE_AFTER`` when omitted; 0 always).
    """
    threshold = PROMOTE_AFTER if promote_after is None else promote_after
    # A replay keeps every decoded object alive, so each cyclic-GC pass re-walks
    # a growing heap for nothing (2-4x slower at 100k+ records, peer_baseline.md).
    # Afterwards the young generations would still walk all of it twice (0.18 s +
    # more per 100k records, some time after the replay), so a large batch is
    # promoted to the oldest generation with freeze() + unfreeze(): two list
    # splices, nothing pinned. Left frozen (an earlier version), every reopened
    # timeline stayed in memory. Skipped when the program froze objects itself.
    enabled = gc.isenabled()
    before = gc.get_count()[0]
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] - before >= threshold and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()
