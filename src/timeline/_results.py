"""What ``Timeline.events()`` returns: a sequence of events that is also an Arrow stream.

``EventResults`` is a plain ``Sequence[Event]`` (len, indexing, iteration,
equality with lists) that implements the Arrow PyCapsule interface
(``__arrow_c_schema__``, ``__arrow_c_stream__``), so ``pa.table(evs)``,
``pl.DataFrame(evs)``, ``pd.DataFrame.from_arrow(evs)`` and
``duckdb.sql("from evs")`` read it with no geotimeline-specific code. It is
deliberately not a ``list`` subclass: pyarrow, polars and DuckDB treat a list
as a list of Python objects and never ask for the stream.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence, Set
from typing import Any, overload

import msgspec

from ._arrow import (
    BATCH_ROWS,
    LogPoint,
    Provenance,
    event_batch,
    event_row,
    events_schema,
    pandas_from_arrow,
    pyarrow,
    record_batches,
    records_schema,
)
from ._errors import TimelineError
from ._eventfilter import EventFilter
from ._eventstable import events_table, table_batches
from ._keptarrow import ArrowKeeping
from ._model import Event
from ._queryrows import QueryRecords, QueryRows, query_rows
from ._records import Record

__all__ = [
    "EventResults",
    "event_rows",
    "events_reader",
    "log_point",
    "records_reader",
    "results_of",
]

#: Given a run of events (in order), return their provenance columns (in the same order).
ProvenanceOf = Callable[[Sequence[Event]], Provenance]


def _chunks(items: Iterable[Any], rows: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class EventResults:
    """Matching events in timeline order, readable as a sequence and as an Arrow stream.

    It has what a sequence has (``len``, indexing and slicing, iteration, ``in``,
    ``index``, ``count``, ``reversed``) and compares equal to any sequence (a
    list, a tuple) of the same events in the same order. It is deliberately not a
    ``collections.abc.Sequence``: polars (and others) turn a ``Sequence`` into a
    column of Python objects before looking for the Arrow stream; ``list(evs)``
    gives a plain list. The Arrow table is the documented ``events/1`` schema
    (``docs/analytics.md``), streamed in record batches of ``BATCH_ROWS`` rows;
    pyarrow is needed for it (``pip install 'geotimeline[arrow]'``).

    Args:
        events: the events, in order (any sequence; it is not copied).
        log: where in the log they were read (the schema metadata).
        provenance: returns the version, recorded times and retracted flag of a
            run of events; called one record batch at a time.
        html: draws the results for a notebook (None: Jupyter shows the repr).
        rows: the query's rows, when the events are a query's: the Arrow batches
            are then built from the stored lines, without the events.
        keeping: reads (and for a whole live timeline, keeps) the store's kept
            Arrow table (``_keptarrow``); None builds every row.

    .. versionadded:: 0.2
    """

    __slots__ = ("_events", "_html", "_keeping", "_log", "_provenance", "_rows")

    def __init__(
        self,
        events: Sequence[Event],
        *,
        log: LogPoint,
        provenance: ProvenanceOf,
        html: Callable[[EventResults], str | None] | None = None,
        rows: QueryRows | None = None,
        keeping: ArrowKeeping | None = None,
    ) -> None:
        self._events = events
        self._log = log
        self._provenance = provenance
        self._html = html
        self._rows = rows
        self._keeping = keeping

    def _repr_html_(self) -> str | None:
        """Draw the results as a timeline in a notebook (the ``html`` exporter's fragment).

        None (Jupyter then shows the repr) when no installed exporter draws notebooks.
        """
        return None if self._html is None else self._html(self)

    # -- the sequence -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._events)

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> EventResults: ...

    def __getitem__(self, index: int | slice) -> Event | EventResults:
        if isinstance(index, slice):
            return EventResults(self._events[index], log=self._log, provenance=self._provenance)
        return self._events[index]

    def __iter__(self) -> Iterator[Event]:
        return iter(self._events)

    def __reversed__(self) -> Iterator[Event]:
        return reversed(self._events)

    def __contains__(self, event: object) -> bool:
        return any(e == event for e in self._events)

    def __bool__(self) -> bool:
        return len(self._events) > 0

    def index(self, event: Event) -> int:
        """Return the position of the first occurrence of ``event``.

        Raises:
            ValueError: it is not among the results.
        """
        for i, e in enumerate(self._events):
            if e == event:
                return i
        raise ValueError(f"{event!r} is not in the results")

    def count(self, event: Event) -> int:
        """Return how many times ``event`` occurs (0 or 1: results hold each event once)."""
        return sum(1 for e in self._events if e == event)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventResults):
            other = other._events
        if isinstance(other, (str, bytes)) or not isinstance(other, Sequence):
            return NotImplemented  # a list, a tuple, another sequence of events only
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # mutable-looking like a list: not hashable

    def __repr__(self) -> str:
        shown = ", ".join(repr(e) for e in self._events[:3])
        more = f", ... ({len(self) - 3} more)" if len(self) > 3 else ""
        return f"EventResults([{shown}{more}])"

    @property
    def log(self) -> LogPoint:
        """Where in the log these events were read (seq, head hash, as_of)."""
        return self._log

    # -- Arrow ------------------------------------------------------------------------------

    @property
    def schema(self) -> Any:
        """The ``events/1`` ``pyarrow.Schema``, with the log head and as_of in its metadata.

        Raises:
            MissingDependency: pyarrow is not installed.
        """
        return events_schema(self._log)

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[Any]:
        """Yield the events as ``pyarrow.RecordBatch`` values of up to ``rows`` rows.

        Raises:
            MissingDependency: pyarrow is not installed.
        """
        if self._rows is not None:
            # A query's results: built from the stored lines, 2.6x (100k) to 2.9x (1M) less
            # CPU than decoding the events first (benchmarks/README.md, Arrow interop).
            yield from table_batches(self._rows, self._log, rows, self._keeping)[1]
            return
        schema = self.schema
        for start in range(0, len(self._events), rows):
            chunk = self._events[start : start + rows]
            yield event_batch(list(chunk), self._provenance(chunk), schema)

    def reader(self, rows: int = BATCH_ROWS) -> Any:
        """Return a ``pyarrow.RecordBatchReader`` that builds each batch when it is read.

        Raises:
            MissingDependency: pyarrow is not installed.
        """
        return pyarrow().RecordBatchReader.from_batches(self.schema, self.batches(rows))

    def __arrow_c_schema__(self) -> Any:
        """Return the schema as an ``arrow_schema`` PyCapsule (the Arrow C data interface).

        Raises:
            MissingDependency: pyarrow is not installed.
        """
        return self.schema.__arrow_c_schema__()

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """Return an ``arrow_array_stream`` PyCapsule streaming the events in record batches.

        Args:
            requested_schema: a schema capsule the consumer would like; pyarrow
                casts to it where it can, as the PyCapsule protocol allows.

        Raises:
            MissingDependency: pyarrow is not installed.
        """
        return self.reader().__arrow_c_stream__(requested_schema)

    def to_arrow(self) -> Any:
        """Return the events as a ``pyarrow.Table`` (schema ``events/1``).

        Raises:
            MissingDependency: pyarrow is not installed.
        """
        if self._rows is not None:
            # A whole timeline's table is kept in the store when most of it was built:
            # the next one reads it (1M events: about 1 s, against 19-22 s to build).
            return events_table(self._rows, self._log, self._keeping)
        return pyarrow().Table.from_batches(list(self.batches()), schema=self.schema)

    def to_pandas(self) -> Any:
        """Return the events as a ``pandas.DataFrame`` (through Arrow).

        Uses ``DataFrame.from_arrow`` on pandas 3 and ``Table.to_pandas`` before.

        Raises:
            MissingDependency: pyarrow is not installed.
            ImportError: pandas is not installed.
        """
        return pandas_from_arrow(self.to_arrow())

    def to_polars(self) -> Any:
        """Return the events as a ``polars.DataFrame`` (through Arrow).

        Raises:
            MissingDependency: pyarrow is not installed.
            ImportError: polars is not installed.
        """
        import polars as pl

        return pl.from_arrow(self.to_arrow())


# -- building results from a timeline ---------------------------------------------------------


def log_point(view: Any) -> LogPoint:
    """Return where ``view`` (a timeline or an ``as_of`` view) stands in its log."""
    seq = view.seq
    store = view._store

    def head_hash() -> str:
        return (store.record_hash(seq) or "") if seq else ""

    # An as_of view knows the timeline it views; a timeline does not.
    as_of = seq if getattr(view, "timeline", None) is not None else None
    return LogPoint(seq=seq, head_hash=head_hash, as_of=as_of)


class _Recorded(msgspec.Struct, gc=False):
    recorded_at: dt.datetime


_recorded = msgspec.json.Decoder(_Recorded)


def _first_recorded(view: Any, streams: Sequence[str]) -> dict[str, dt.datetime] | None:
    """Return when each of these events was first recorded, by event id.

    The current state keeps only an event's latest record; the store finds the
    seq of each event's first one, whose line holds the time (a batch at a
    time: memory stays flat; no record is decoded, so the store's sharing
    caches do not grow). None when the store cannot find first seqs (JSON Lines).
    """
    store = view._store
    seqs = [store.first_seq(stream) for stream in streams]
    if None in seqs:
        return None
    lines = store.lines_at(seqs)
    return {s: _recorded.decode(line).recorded_at for s, line in zip(streams, lines, strict=True)}


def _first_recorded_scan(view: Any) -> dict[str, dt.datetime]:
    """Return when each amended event of ``view`` was first recorded, by event id.

    One scan of the raw log (headers only, payloads left as bytes): for stores
    that cannot look up an event's first seq.
    """
    wanted = set(view._state.revised_ids())
    out: dict[str, dt.datetime] = {}
    for raw in view._store.read_raw(until=view.seq):
        if raw.version == 1 and raw.stream in wanted:
            out[raw.stream] = msgspec.convert(raw.recorded_at, dt.datetime)
    return out


def _provenance_of_records(
    view: Any, retracted: Callable[[str], bool] | None
) -> Callable[[Sequence[Record]], Provenance]:
    """Return what builds the provenance columns of a run of records read from ``view``.

    ``retracted`` says whether an event id is retracted; None when none can be
    (the results leave retracted events out).
    """
    firsts: dict[str, dt.datetime] = {}

    def provenance(records: Sequence[Record]) -> Provenance:
        last = [r.recorded_at for r in records]
        first = last
        amended = [i for i, r in enumerate(records) if r.version > 1]
        if amended:
            found = None if firsts else _first_recorded(view, [records[i].stream for i in amended])
            if found is None and not firsts:
                firsts.update(_first_recorded_scan(view))
            first = list(last)
            for i in amended:
                first[i] = (found or firsts)[records[i].stream]
        flags = (
            [False] * len(records) if retracted is None else [retracted(r.stream) for r in records]
        )
        return Provenance(
            version=[r.version for r in records],
            first_recorded_at=first,
            last_recorded_at=last,
            retracted=flags,
        )

    return provenance


_EVENT_OF: Callable[[Record], Event] = operator.attrgetter("payload.event")


class _EventsOf(Sequence[Event]):
    """The events of a sequence of records, without a second list."""

    __slots__ = ("_records",)

    def __init__(self, records: Sequence[Record]) -> None:
        self._records = records

    @property
    def records(self) -> Sequence[Record]:
        """The records whose events these are."""
        return self._records

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Event]: ...

    def __getitem__(self, index: int | slice) -> Event | Sequence[Event]:
        if isinstance(index, slice):
            return _EventsOf(self._records[index])
        event = self._records[index].event
        assert event is not None  # query results hold event states only
        return event

    def __iter__(self) -> Iterator[Event]:
        if isinstance(self._records, QueryRecords):
            return self._records.events()  # from a clustered copy where the store keeps one
        # In C (attrgetter, not the ``event`` property in a generator): query results
        # hold event states only.
        return map(_EVENT_OF, self._records)


def results_of(view: Any, where: EventFilter, only: Set[int] | None = None) -> EventResults:
    """Return the ``EventResults`` of the events of ``view`` passing ``where`` (timeline order).

    The query's rows are copied from the read model now, so later writes to the
    timeline do not change the results (nor what they say is retracted); the
    events are decoded when first asked for, and the Arrow table is built from
    the stored lines without them.
    """
    rows = query_rows(view, where, only=only)
    records = QueryRecords(rows)

    def retracted(stream: str) -> bool:
        return stream in records.retracted_ids()

    flagged = where.include_retracted and 1 in rows.gone
    provenance = _provenance_of_records(view, retracted if flagged else None)
    by_id: dict[str, Record] = {}

    def of(events: Sequence[Event]) -> Provenance:
        if isinstance(events, _EventsOf):
            return provenance(events.records)  # a slice of these results: no lookups
        if not by_id:
            by_id.update((r.stream, r) for r in records)
        return provenance([by_id[event.id] for event in events])

    return EventResults(
        _EventsOf(records),
        log=log_point(view),
        provenance=of,
        html=lambda r: notebook(view, r),
        rows=rows,
        keeping=getattr(view, "timeline", view)._arrow_keeping,
    )


def notebook(view: Any, source: Any) -> str | None:
    """Return ``source`` drawn for a notebook by the ``html`` exporter of ``view``'s plugins.

    None when no exporter called ``html`` draws notebooks (it has a ``notebook`` method).
    """
    try:
        exporter = view.plugins.exporter("html")
    except TimelineError:
        return None
    draw = getattr(exporter, "notebook", None)
    return None if draw is None else str(draw(source))


def _retracted(view: Any) -> Callable[[str], bool] | None:
    state = view._state
    if not state.retracted_count:
        return None
    return lambda event_id: bool(state.status(event_id) == 2)


def _query_of(view: Any, records: Iterable[Record]) -> EventFilter | None:
    """Return the filter of ``records`` when they are ``view``'s query (an export's matches)."""
    query = getattr(records, "query", None)
    if isinstance(query, tuple) and len(query) == 2 and query[0] is view:
        where = query[1]
        return where if isinstance(where, EventFilter) else None
    return None


def events_reader(
    view: Any, records: Iterable[Record] | None = None, *, rows: int = BATCH_ROWS
) -> Any:
    """Return a ``pyarrow.RecordBatchReader`` of ``events/1`` over a view's records, lazily.

    Args:
        view: a timeline or an ``as_of`` view.
        records: the records to write, in order (``view.iter_records(where)``);
            all current events when omitted. Walked one batch at a time, so
            memory stays flat however many there are (what the exporters use).
        rows: rows per record batch.

    Raises:
        MissingDependency: pyarrow is not installed.

    .. versionadded:: 0.2
    """
    where = view.filter() if records is None else _query_of(view, records)
    if where is not None:
        # The view's own query: built from the stored lines (_bulkarrow), not the records.
        # Read now, while the export runs: the read model's own columns, not copies.
        schema, built = table_batches(query_rows(view, where, copy=False), log_point(view), rows)
        return pyarrow().RecordBatchReader.from_batches(schema, built)
    schema = events_schema(log_point(view))
    provenance = _provenance_of_records(view, _retracted(view))
    walk = view.iter_records() if records is None else records

    def batches() -> Iterator[Any]:
        for chunk in _chunks(walk, rows):
            yield event_batch([r.event for r in chunk], provenance(chunk), schema)

    return pyarrow().RecordBatchReader.from_batches(schema, batches())


def event_rows(view: Any, records: Iterable[Record] | None = None) -> Iterator[dict[str, Any]]:
    """Yield ``events/1`` rows as plain Python values (dicts), one record at a time.

    No pyarrow needed: for writers of other formats (the ``sqlite`` exporter).
    Dates are ``datetime.date``, instants aware UTC ``datetime``, lists Python
    lists, attributes JSON text: the values ``events_reader`` would hold.

    Args:
        view: a timeline or an ``as_of`` view.
        records: the records to write, in order; all current events when omitted.

    .. versionadded:: 0.2
    """
    provenance = _provenance_of_records(view, _retracted(view))
    for chunk in _chunks(view.iter_records() if records is None else records, 4096):
        columns = provenance(chunk)
        for at, record in enumerate(chunk):
            assert record.event is not None  # query results hold event states only
            yield event_row(record.event, columns, at)


def records_reader(
    view: Any, streams: Iterable[str] | None = None, *, rows: int = BATCH_ROWS
) -> Any:
    """Return a ``pyarrow.RecordBatchReader`` of ``records/1``: the raw log up to the view's seq.

    Args:
        view: a timeline or an ``as_of`` view.
        streams: only the records of these event ids (all records when omitted).
        rows: rows per record batch.

    Raises:
        MissingDependency: pyarrow is not installed.

    .. versionadded:: 0.2
    """
    schema = records_schema(log_point(view))
    wanted = None if streams is None else frozenset(streams)
    log: Iterable[Record] = view._store.read(until=view.seq)
    if wanted is not None:
        log = (r for r in log if r.stream in wanted)
    return pyarrow().RecordBatchReader.from_batches(schema, record_batches(log, schema, rows))
