"""Following a log: new records as other writers commit them (tail -f for the timeline)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from ._errors import CorruptLog, StoreUnavailable
from ._records import Record
from ._store import Store

__all__ = ["follow_records"]

#: Pause after a store became unreachable, doubled up to the second value.
_BACKOFF = (0.1, 5.0)


def follow_records(store: Store, after: int, *, timeout: float | None = None) -> Iterator[Record]:
    """Yield the records with ``seq > after`` in seq order, waiting for new ones as they commit.

    Every seq is yielded once, in order: the log is gap-free, and after each wait
    the store is re-read from the last seq yielded, so a lost wake-up costs time,
    never a record. A store that becomes unreachable is retried with backoff and
    the follow resumes where it stopped.

    Args:
        store: the log to follow.
        after: the last seq already seen (0 for the whole log).
        timeout: stop after this many seconds without a new record (None: never).

    Raises:
        CorruptLog: the store yielded a record out of seq order.
        StoreUnavailable: the store stayed unreachable for longer than ``timeout``.
    """
    last = after
    pause = _BACKOFF[0]
    progress = time.monotonic()
    while True:
        try:
            for record in store.read(after=last):
                if record.seq != last + 1:
                    raise CorruptLog(
                        f"{store.location}: record seq {record.seq} follows seq {last}; "
                        "the log has a gap"
                    )
                last = record.seq
                yield record
                progress = time.monotonic()
            if not store.wait(last, timeout):
                return
            pause = _BACKOFF[0]
        except StoreUnavailable:
            if timeout is not None and time.monotonic() - progress + pause > timeout:
                raise
            time.sleep(pause)
            pause = min(pause * 2, _BACKOFF[1])
