"""A query's rows, copied from the read model, and their records in exact timeline order.

``Timeline.events()`` keeps these instead of decoding every matching record at
once: the events are decoded when first asked for (``records``), and the Arrow
table is built from the stored lines without them (``_bulkarrow``).
"""

from __future__ import annotations

import bisect
import functools
import operator
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence, Set
from typing import Any, overload

import attrs

from ._backend import ClusterMoved
from ._collector import paused as collector_paused
from ._errors import CorruptLog
from ._eventfilter import EventFilter
from ._model import Event
from ._records import Record
from ._timelineorder import coarse_order, live_rows, order_ties, timeline_key

__all__ = ["QueryRecords", "QueryRows", "query_rows"]

_EVENT_OF: Callable[[Record], Event] = operator.attrgetter("payload.event")


@attrs.frozen(kw_only=True)
class QueryRows:
    """The rows of one query, and read-model columns copied when the query ran.

    Later writes to the timeline change none of it: the seqs name records,
    which never change. A *position* is a place in the query's order (0 to
    ``len - 1``); a *row* is the read model's row of an event, which indexes
    the columns.
    """

    store: Any
    """Where the records' lines are read from (a ``Store``)."""
    where: EventFilter
    """The query's filters (a set date is checked against its date filter per row)."""
    rows: Sequence[int] | None
    """The rows of the matching events, in coarse timeline order; None: every row of
    the columns (every live one unless ``where.include_retracted``), sorted when first
    asked for (``order``)."""
    seqs: Sequence[int]
    """By row: the seq of the event's current record."""
    lo: Sequence[int]
    """By row: the earliest day (``date.toordinal``), the coarse order with ``rank``."""
    rank: Sequence[int]
    """By row: the precision rank; positions of equal ``(lo, rank)`` are a tie."""
    firsts: Sequence[int]
    """By row: the seq of the event's first record."""
    gone: Sequence[int]
    """By row: 1 for a retracted event."""
    whole: bool = False
    """Whether the rows are all of the view's events (no filter but ``include_retracted``)."""
    seq: int = -1
    """The seq of the last record the view reflected when the query ran (-1: not known)."""

    count: int
    """How many rows match (``len(order)``, known before they are sorted)."""
    sorter: Callable[[], Sequence[int] | None] | None = None
    """When ``rows`` is None: returns them sorted by the read model while it is as the
    query left it (sorted once there for every query), else None."""

    @functools.cached_property
    def order(self) -> Sequence[int]:
        """The rows of the matching events, in coarse timeline order (one per position)."""
        if self.rows is not None:
            return self.rows
        # Sorted only now: a walk of a clustered copy never needs it.
        found = None if self.sorter is None else self.sorter()
        if found is not None:
            return found
        order = coarse_order(self.lo, self.rank)  # the read model moved on: the copies
        return order if self.where.include_retracted else live_rows(order, self.gone)

    def __len__(self) -> int:
        return self.count

    def spans(self, size: int, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
        """Yield ``(start, end)`` runs of about ``size`` positions, each ending at a tie's end.

        A tie is put in exact order whole, so a run never splits one (a run is then
        longer than ``size`` by the rest of its last tie).

        Args:
            size: positions a run aims at.
            start: the first position (a tie's first).
            end: past the last position (a tie's end); the query's end when omitted.
        """
        order, lo, rank = self.order, self.lo, self.rank
        total = len(order) if end is None else end
        at = start
        while at < total:
            stop = min(at + size, total)
            while stop < total:
                row, before = order[stop], order[stop - 1]
                if lo[row] != lo[before] or rank[row] != rank[before]:
                    break
                stop += 1
            yield at, stop
            at = stop

    def tie(self, position: int) -> tuple[int, int]:
        """Return the ``(start, end)`` positions of the tie ``position`` belongs to."""
        order, lo, rank = self.order, self.lo, self.rank
        row = order[position]
        key = (lo[row], rank[row])
        start, end = position, position + 1
        while start > 0 and (lo[order[start - 1]], rank[order[start - 1]]) == key:
            start -= 1
        while end < len(order) and (lo[order[end]], rank[order[end]]) == key:
            end += 1
        return start, end

    def seqs_at(self, start: int, end: int) -> list[int]:
        """Return the current seqs of positions ``start:end``."""
        return list(map(self.seqs.__getitem__, self.order[start:end]))

    def records(self, start: int, end: int) -> list[tuple[Record, int]]:
        """Return the records of positions ``start:end`` (whole ties) in exact timeline order.

        Each comes with its position. A set date outside the date filter is left
        out (its bounds matched, its members do not), as ``iter_query`` does.

        Raises:
            InvalidRecord: a record is not in the log or does not decode.
        """
        records = self.store.records_at(self.seqs_at(start, end))
        where = self.where
        if where.start is None and where.end is None:
            kept = [(r, start + i) for i, r in enumerate(records) if r.payload.event is not None]
        else:
            kept = [
                (record, start + i)
                for i, record in enumerate(records)
                if (event := record.payload.event) is not None
                and (event.when.edtf[:1] not in "[{" or where.matches(event))
            ]
        order, lo, rank = self.order, self.lo, self.rank
        coarse = [(lo[order[p]], rank[order[p]]) for _, p in kept]
        order_ties(kept, coarse, lambda pair: timeline_key(pair[0]))
        return kept


def query_rows(
    view: Any, where: EventFilter, copy: bool = True, only: Set[int] | None = None
) -> QueryRows:
    """Return the rows of ``view``'s events passing ``where`` (a timeline or an as_of view).

    Args:
        view: a timeline or an ``as_of`` view.
        where: the filters.
        copy: copy the read model's columns (results that outlive later writes);
            false for a reader that is done before the next write (an export),
            whose memory then holds no copy of them.
        only: keep only the events whose current record has one of these seqs (the
            events a text search found, ``_search``).
    """
    # Left unsorted when it can be (copies only): sorted on first use (QueryRows.order).
    state = view._state
    order, seqs, lo, rank, firsts, gone = state.query_columns(
        where, copy, sort=not copy or only is not None
    )
    if only is not None:
        order = [row for row in (order or ()) if seqs[row] in only]
    whole = only is None and where == EventFilter(include_retracted=where.include_retracted)
    sorter = None
    if order is not None:
        count = len(order)
    else:
        count = len(gone) if where.include_retracted else len(gone) - gone.count(1)
        at = state.seq

        def sorter() -> Sequence[int] | None:
            if state.seq != at:
                return None
            return array("q", state.whole_order(where.include_retracted))

    return QueryRows(
        store=view._store,
        where=where,
        rows=order,
        count=count,
        sorter=sorter,
        seqs=seqs,
        lo=lo,
        rank=rank,
        firsts=firsts,
        gone=gone,
        whole=whole,
        seq=view.seq,
    )


class QueryRecords(Sequence[Record]):
    """The records of a query's rows in exact timeline order, decoded as they are reached.

    ``len`` needs no decoding unless the query has a date filter (a set date may
    then drop out). Indexing decodes the run of whole ties (about ``BATCH``
    positions) that holds the index, and keeps the last ``CACHED_RUNS`` runs;
    iteration decodes run after run and keeps no more. So ``evs[0]``, ``evs[:20]``
    and a notebook's ``repr`` of a million events decode thousands, and a walk of
    them all holds a few runs at a time. With a date filter, indexing decodes and
    keeps them all (a position is known only once the set dates before it are).

    Args:
        rows: the query's rows.
    """

    __slots__ = ("_cache", "_length", "_records", "_retracted", "_rows", "_runs", "_starts")

    #: Positions decoded per ``records_at`` call (a run: whole ties).
    BATCH = 4096
    #: Runs kept for indexing (about 32k records).
    CACHED_RUNS = 8

    def __init__(self, rows: QueryRows) -> None:
        self._rows = rows
        self._records: list[Record] | None = None
        self._retracted: frozenset[str] | None = None
        self._length: int | None = None
        self._runs: list[tuple[int, int]] | None = None
        self._starts: list[int] = []
        self._cache: OrderedDict[int, list[Record]] = OrderedDict()

    @property
    def rows(self) -> QueryRows:
        """The query's rows."""
        return self._rows

    def _dated(self) -> bool:
        where = self._rows.where
        return where.start is not None or where.end is not None

    def _run_list(self) -> list[tuple[int, int]]:
        if self._runs is None:
            self._runs = list(self._rows.spans(self.BATCH))
            self._starts = [start for start, _ in self._runs]
        return self._runs

    def _decode(self, start: int, end: int) -> list[Record]:
        # Promoted whatever their number: left young, the next allocation after the pause
        # walks the run's objects in a young collection (0.47 s of a 100k walk's 3.3 s);
        # dropped, they are freed by their reference counts all the same.
        with collector_paused(promote_after=0):
            return [record for record, _ in self._rows.records(start, end)]

    def _run(self, number: int) -> list[Record]:
        """Return the records of run ``number``, from the cache or decoded now."""
        records = self._cache.get(number)
        if records is None:
            records = self._cache[number] = self._decode(*self._run_list()[number])
            if len(self._cache) > self.CACHED_RUNS:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(number)
        return records

    def _all(self) -> list[Record]:
        """Return every record, decoded once and kept (indexing a date-filtered query)."""
        if self._records is None:
            # Kept: built with the collector paused, then promoted to the oldest
            # generation, as CurrentState does for the records it fetches.
            with collector_paused(promote_after=0):
                self._records = [
                    record for start, end in self._run_list() for record in self._decode(start, end)
                ]
        return self._records

    def retracted_ids(self) -> frozenset[str]:
        """Return the ids of the retracted events among the records (when the query ran)."""
        if self._retracted is None:
            rows, found = self._rows, list[str]()
            gone, order = rows.gone, rows.order
            for start, end in self._run_list():
                if any(gone[order[p]] for p in range(start, end)):
                    found.extend(
                        record.stream for record, p in rows.records(start, end) if gone[order[p]]
                    )
            self._retracted = frozenset(found)
        return self._retracted

    def __len__(self) -> int:
        if self._records is not None:
            return len(self._records)
        if not self._dated():
            return len(self._rows)
        if self._length is None:
            self._length = sum(1 for _ in self)
        return self._length

    @overload
    def __getitem__(self, index: int) -> Record: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Record]: ...

    def __getitem__(self, index: int | slice) -> Record | Sequence[Record]:
        if self._records is not None or self._dated():
            return self._all()[index]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        total = len(self._rows)
        at = index + total if index < 0 else index
        if not 0 <= at < total:
            raise IndexError("query result index out of range")
        runs = self._run_list()
        number = bisect.bisect_right(self._starts, at) - 1
        return self._run(number)[at - runs[number][0]]

    def __iter__(self) -> Iterator[Record]:
        if self._records is not None:
            yield from self._records
            return
        for start, end in self._run_list():
            yield from self._decode(start, end)

    def events(self) -> Iterator[Event]:
        """Return the records' events in exact timeline order, as an iterator keeping none.

        A query of every live event, on a store that keeps a clustered copy of them
        (``Store.clustered_events``), scans the copy: each event is decoded once, with
        no record fetched by seq and no tie to sort. When the copy stops holding the
        query's events part way (an append since), the walk goes on from the records
        at the position it had reached. Any other query walks the records.

        Raises:
            CorruptLog: the copy holds more or fewer events than its binding says.
        """
        rows = self._rows
        copy = None
        if self._records is None and rows.whole and not rows.where.include_retracted:
            copy = rows.store.clustered_events(rows.seq, len(rows))
        return map(_EVENT_OF, iter(self)) if copy is None else self._scan(copy)

    def _scan(self, copy: Iterator[list[Event]]) -> Iterator[Event]:
        """Yield the events of a clustered copy, then of the records if it moves."""
        rows = self._rows
        total, done = len(rows), 0
        while True:
            try:
                # Decoded with the collector paused and promoted, as ``_decode`` does.
                with collector_paused(promote_after=0):
                    batch = next(copy, None)
            except ClusterMoved:
                yield from map(_EVENT_OF, self._from(done))
                return
            if batch is None:
                break
            done += len(batch)
            if done > total:
                break
            yield from batch
            batch = None  # let go before the next is decoded (Store._unpacked)
        if done != total:
            raise CorruptLog(
                f"{rows.store.location}: its clustered copy holds {done} events where the "
                f"log has {total} (check it with `timeline verify`)"
            )

    def _from(self, position: int) -> Iterator[Record]:
        """Yield the records from ``position`` on, in exact timeline order."""
        if position >= len(self._rows):
            return
        runs = self._run_list()
        number = bisect.bisect_right(self._starts, position) - 1
        for start, end in runs[number:]:
            records = self._decode(start, end)
            yield from records[position - start :] if start < position else records
