"""Timeline order: a record's exact place, and putting ties of a coarse order in it."""

from __future__ import annotations

import bisect
import itertools
import operator
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from ._records import Record

__all__ = [
    "FETCH_BATCH",
    "FIRST_FETCH",
    "LARGE_TIE",
    "coarse_keys",
    "coarse_order",
    "in_exact_order",
    "large_tie",
    "live_rows",
    "order_ties",
    "placed",
    "timeline_key",
]

_T = TypeVar("_T")

#: Records are fetched from the store this many at a time when walking results: a
#: walk of the 930,000 events of the 1M log took 20.7-23.1 s of CPU at 4,096 and
#: 23.6-25.2 s at 512, alternating (seqs read in order land on neighbouring pages),
#: at the same peak RSS (148 MB).
FETCH_BATCH = 4096
#: A tie longer than this is ordered by its keys alone, a batch alive at a time.
LARGE_TIE = 4096
#: The first fetch of a walk: small, for a caller that stops early (``list --limit``).
FIRST_FETCH = 32


def coarse_keys(
    lo: Sequence[int], rank: Sequence[int], rows: Iterable[int] | None = None
) -> list[int]:
    """Return each row's coarse timeline key: earliest day, then precision rank.

    Args:
        lo: by row, the earliest day.
        rank: by row, the precision rank (0 to 7).
        rows: the rows; None for every row (zipped: 1M rows in 60 ms, not 85 ms).
    """
    if rows is None:
        return [day * 8 + r for day, r in zip(lo, rank, strict=True)]
    return [lo[r] * 8 + rank[r] for r in rows]


def coarse_order(lo: Sequence[int], rank: Sequence[int]) -> array[int]:
    """Return every row sorted by its coarse timeline key (``coarse_keys``)."""
    keys = coarse_keys(lo, rank)
    # A C-level key (list indexing) sorts a million rows about 3x faster than a lambda.
    return array("i", sorted(range(len(keys)), key=keys.__getitem__))


def live_rows(order: Sequence[int], gone: Sequence[int]) -> array[int]:
    """Return the rows of ``order`` not retracted (``gone[row]`` false), in its order."""
    # In C: a comprehension over a million rows takes about 4 times as long.
    return array("q", itertools.compress(order, map(operator.not_, map(gone.__getitem__, order))))


def timeline_key(record: Record) -> tuple[Any, ...]:
    """Return a record's place in timeline order: ``(When.sort_key, id)``."""
    event = record.payload.event  # the field, not the property: runs for each walked record
    assert event is not None  # only state-bearing records are ordered
    return (event.when.sort_key, event.id)


def order_ties(
    items: list[_T], coarse: Sequence[Any], key: Callable[[_T], tuple[Any, ...]]
) -> None:
    """Put items in coarse order into exact timeline order, in place.

    Only ties (neighbours of equal coarse key: earliest day and precision rank)
    need the exact key, which costs a ten-part tuple per event: single items keep
    their place.

    Args:
        items: in coarse order.
        coarse: each item's coarse key.
        key: an item's ``timeline_key``.
    """
    start, total = 0, len(items)
    while start < total:
        end = start + 1
        while end < total and coarse[end] == coarse[start]:
            end += 1
        if end - start > 1:
            items[start:end] = sorted(items[start:end], key=key)
        start = end


def placed(
    order: array[int], unplaced: Iterable[int], lo: Sequence[int], rank: Sequence[int]
) -> array[int]:
    """Return rows in coarse order with some rows (new, or re-dated) put in their places.

    A tail of a thousand new events costs a thousand binary searches and one copy of
    the array, not a sort of a million rows (about 1.5 s).

    Args:
        order: rows in coarse order (``lo * 8 + rank``); rows of ``unplaced`` in it are
            taken out first.
        unplaced: the rows to place.
        lo: by row, the earliest day.
        rank: by row, the precision rank.
    """
    rows = sorted(set(unplaced))
    known = len(order)
    moved = {r for r in rows if r < known}
    if moved:
        order = array("i", [r for r in order if r not in moved])

    def key(row: int) -> int:
        return lo[row] * 8 + rank[row]

    rows.sort(key=key)  # stable: rows of one key stay in row order, as a sort gives
    out, at = array("i"), 0
    for row in rows:
        place = bisect.bisect_right(order, key(row), key=key)
        out.extend(order[at:place])
        out.append(row)
        at = place
    out.extend(order[at:])
    return out


def in_exact_order(
    ordered: Sequence[int],
    coarse: Callable[[Iterable[int]], list[int]],
    seqs: Sequence[int],
    fetch: Callable[[list[int]], list[Record]],
    hide: bytearray | None = None,
) -> Iterator[Record]:
    """Yield the records of rows in coarse order, in exact timeline order.

    Records are fetched a batch of whole ties at a time and each tie is sorted by
    ``timeline_key``, so memory stays flat however many rows there are.

    Args:
        ordered: rows in coarse order.
        coarse: returns rows' coarse keys (earliest day, then precision rank).
        seqs: by row, the seq of the event's current record.
        fetch: returns the records at seqs, in the order given.
        hide: rows whose byte here is set are skipped (the retracted ones).
    """

    def shown(rows: Sequence[int]) -> Sequence[int]:
        return rows if hide is None else [r for r in rows if not hide[r]]

    def sorted_ties(rows: Sequence[int]) -> list[Record]:
        records = fetch([seqs[r] for r in rows])
        order_ties(records, coarse(rows), timeline_key)
        return records

    total, at = len(ordered), 0
    # The first batches are small, then grow to FETCH_BATCH: `list --limit 20` reads
    # about 40 records, not a whole batch (a record read at random from a 1M SQLite
    # log costs about 0.1 ms on the benchmark machine).
    size = FIRST_FETCH
    while at < total:
        end = min(at + size, total)
        size = min(size * 2, FETCH_BATCH)
        if end < total:
            # Extend the batch to the end of its last tie: a tie is sorted whole.
            (last,) = coarse((ordered[end - 1],))
            stop = end
            while stop < total and coarse((ordered[stop],))[0] == last:
                stop += 1
            if stop - at > LARGE_TIE:
                # A large tie (a day of machine-coded events): the rows before it
                # first, then the tie by keys alone.
                first = end - 1
                while first > at and coarse((ordered[first - 1],))[0] == last:
                    first -= 1
                if first > at:
                    yield from sorted_ties(shown(ordered[at:first]))
                yield from large_tie([seqs[r] for r in shown(ordered[first:stop])], fetch)
                at = stop
                continue
            end = stop
        yield from sorted_ties(shown(ordered[at:end]))
        at = end


def large_tie(seqs: list[int], fetch: Callable[[list[int]], list[Record]]) -> Iterator[Record]:
    """Yield the records of one large tie in exact order, one batch alive at a time."""
    keys: list[tuple[tuple[Any, ...], int]] = []
    for start in range(0, len(seqs), FETCH_BATCH):
        batch = fetch(seqs[start : start + FETCH_BATCH])
        keys.extend((timeline_key(r), r.seq) for r in batch)
    keys.sort()
    ordered = [s for _, s in keys]
    del keys
    for start in range(0, len(ordered), FETCH_BATCH):
        yield from fetch(ordered[start : start + FETCH_BATCH])
