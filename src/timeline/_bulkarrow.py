"""``events/1`` record batches straight from stored lines: no Record or Event per row.

What ``tl.events().to_arrow()`` and the Parquet and Arrow exporters use. The read
model gives a query's rows (``CurrentState.query_columns``, kept in a ``QueryRows``:
rows in coarse timeline order, current and first seqs, retracted flags); their stored
lines are fetched a batch at a time (``Store.lines_at``) and decoded into small
Structs that hold only what the table needs, skipping the rest of the line. Dates,
actor lists and tags repeat across a log: each distinct JSON text of them is decoded
once (dates into ``When``, as the codec would; actors into small Structs), its
columns are built once by the helpers ``event_batch`` uses, and rows gather them
with ``take``, in C.

Measured on the 100k benchmark log (93k events, CPU on the loaded 2-core VM): decoding
the lines into these Structs took 0.37 s where decoding Records with their attrs events
took 1.83 s; the whole table 1.4-1.7 s where it took 4.1-4.3 s (benchmarks/README.md,
Arrow interop).

A batch whose lines the small Structs cannot read (an old schema that needs its
upcasters) is built the careful way: decoded records, then ``event_batch``.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import msgspec

from ._arrow import (
    BATCH_ROWS,
    LogPoint,
    Provenance,
    actor_columns,
    attributes_text,
    event_batch,
    events_schema,
    kind_columns,
    modality_column,
    pyarrow,
    sources_column,
    string_lists,
    when_columns,
)
from ._collector import paused as collector_paused
from ._errors import InvalidRecord
from ._keptarrow import ArrowKeeping, KeptTable
from ._model import ActorRole, Modality
from ._queryrows import QueryRows
from ._records import CURRENT_SCHEMA
from ._when import When

__all__ = ["Tally", "events_table", "table_batches"]


# -- the small Structs: only the fields events/1 needs ---------------------------------------

_EMPTY_LIST = msgspec.Raw(b"[]")
_EMPTY_OBJECT = msgspec.Raw(b"{}")


class _Actor(msgspec.Struct, gc=False):
    country: str
    role: ActorRole | None = None
    sector: str | None = None
    name: str | None = None


class _Source(msgspec.Struct, gc=False):
    url: str | None = None
    publisher: str | None = None
    title: str | None = None
    published: dt.date | None = None
    excerpt: str | None = None


class _Event(msgspec.Struct, gc=False):
    id: str
    kind: str
    when: msgspec.Raw
    title: str
    summary: str = ""
    actors: msgspec.Raw = _EMPTY_LIST
    location: str | None = None
    sources: tuple[_Source, ...] = ()
    tags: msgspec.Raw = _EMPTY_LIST
    treaty: str | None = None
    related: tuple[str, ...] = ()
    modality: Modality = Modality.ACTUAL
    attributes: msgspec.Raw = _EMPTY_OBJECT


class _Payload(msgspec.Struct, gc=False):
    event: _Event | None = None


class _Line(msgspec.Struct, gc=False):
    seq: int
    version: int
    type: str
    recorded_at: str
    schema: int
    payload: _Payload


class _Recorded(msgspec.Struct, gc=False):
    recorded_at: str


_line_decoder = msgspec.json.Decoder(_Line)
_recorded_decoder = msgspec.json.Decoder(_Recorded)
_when_decoder = msgspec.json.Decoder(When)


def _when(text: bytes) -> tuple[When, tuple[Any, ...]]:
    """Return the ``When`` of a JSON text (as the codec decodes it) and its sort key."""
    when = _when_decoder.decode(text)
    return when, when.sort_key


_actors_decoder = msgspec.json.Decoder(tuple[_Actor, ...])
_tags_decoder = msgspec.json.Decoder(tuple[str, ...])
_attributes_decoder = msgspec.json.Decoder(dict[str, Any])


class _Distinct:
    """Numbers the distinct JSON texts of a field and decodes each once.

    Decoded values are kept across batches (bounded: cleared when it grows large).

    Args:
        decode: turns one text into its value.
    """

    #: Kept values past which the cache starts again: an export's memory then stays
    #: the same whatever the log's size (at 65,536 a 1M export held 40 MB more of them).
    _LIMIT = 1 << 14

    def __init__(self, decode: Callable[[bytes], Any]) -> None:
        self._decode = decode
        self._seen: dict[bytes, Any] = {}

    def __call__(self, texts: list[bytes]) -> tuple[list[int], list[Any]]:
        """Return each text's number (in order of first use) and the value of each number."""
        # A dict numbers the texts in C: turning 65k bytes into an Arrow binary array to
        # dictionary-encode it cost 0.25 s, this 8 ms.
        numbers = dict.fromkeys(texts, 0)
        for number, text in enumerate(numbers):
            numbers[text] = number
        seen = self._seen
        if len(seen) > self._LIMIT:
            seen.clear()
        values = []
        for text in numbers:
            value = seen.get(text)
            if value is None:
                value = seen[text] = self._decode(text)
            values.append(value)
        return list(map(numbers.__getitem__, texts)), values

    def values(self, texts: list[bytes]) -> list[Any]:
        """Return the value of each text, in order."""
        numbers, values = self(texts)
        return list(map(values.__getitem__, numbers))


def _taken(pa: Any, numbers: list[int], columns: list[Any]) -> list[Any]:
    """Return columns of distinct values gathered for each row's value number, in C."""
    pc = pyarrow_compute()
    indices = pa.array(numbers, pa.int32())
    return [pc.take(column, indices) for column in columns]


def _gathered(
    pa: Any,
    texts: list[bytes],
    decode: _Distinct,
    build: Callable[[Any, list[Any]], list[Any]],
) -> list[Any]:
    """Return ``build``'s columns for each row's JSON text, built once per distinct text."""
    numbers, values = decode(texts)
    return _taken(pa, numbers, build(pa, values))


def pyarrow_compute() -> Any:
    """Return ``pyarrow.compute`` (imported with pyarrow).

    Raises:
        MissingDependency: pyarrow is not installed.
    """
    pyarrow()
    import pyarrow.compute as pc

    return pc


class _Unreadable(Exception):
    """A line of the batch does not fit the small Structs: build the batch the careful way."""


class _Batcher:
    """Builds the ``events/1`` batches of one query's rows."""

    def __init__(self, rows: QueryRows, schema: Any) -> None:
        self.rows = rows
        self.schema = schema
        self.whens = _Distinct(_when)
        self.actors = _Distinct(_actors_decoder.decode)
        self.tags = _Distinct(_tags_decoder.decode)

    def batch(self, ranges: list[tuple[int, int]]) -> tuple[Any, list[int], list[int]]:
        """Return the batch of the positions of ``ranges`` (whole ties, in order), in exact order.

        Returns:
            The batch, and the current record seq and the position of each of its rows.
        """
        order, seqs_of = self.rows.order, self.rows.seqs
        positions = [p for start, end in ranges for p in range(start, end)]
        seqs = [seqs_of[order[p]] for p in positions]
        # The collector paused: its young passes would walk each batch's objects again
        # (sort_key took 32 us per date with it on, in a 20k-event batch).
        with collector_paused():
            lines = self.rows.store.lines_at(seqs)
            try:
                return self._fast(seqs, lines, positions)
            except _Unreadable:
                return self._careful(ranges)

    def _decode(self, seqs: list[int], lines: list[bytes]) -> list[_Line]:
        try:
            decoded = [_line_decoder.decode(line) for line in lines]
        except (msgspec.ValidationError, msgspec.DecodeError):
            raise _Unreadable from None
        current = CURRENT_SCHEMA
        for line, seq in zip(decoded, seqs, strict=True):
            if line.seq != seq:
                raise InvalidRecord(
                    f"{self.rows.store.location} record seq {seq}", f"its line holds seq {line.seq}"
                )
            if line.schema != current.get(line.type) or line.payload.event is None:
                raise _Unreadable
        return decoded

    def _fast(
        self, seqs: list[int], lines: list[bytes], positions: list[int]
    ) -> tuple[Any, list[int], list[int]]:
        decoded = self._decode(seqs, lines)
        where = self.rows.where
        if where.start is not None or where.end is not None:
            events: list[_Event] = [d.payload.event for d in decoded]  # type: ignore[misc]
            whens: list[When] = [w for w, _ in self.whens.values([bytes(e.when) for e in events])]
            if any(w.edtf[:1] in "[{" for w in whens):
                keep = self._set_dates_kept(seqs, whens)
                decoded = [d for d, k in zip(decoded, keep, strict=True) if k]
                positions = [p for p, k in zip(positions, keep, strict=True) if k]
        return self._fast_rows(decoded, positions)

    def _set_dates_kept(self, seqs: list[int], whens: list[When]) -> list[bool]:
        """Return whether each row passes the date filter, set dates checked by their members."""
        where = self.rows.where
        sets = [i for i, w in enumerate(whens) if w.edtf[:1] in "[{"]
        keep = [True] * len(seqs)
        records = self.rows.store.records_at([seqs[i] for i in sets])
        for i, record in zip(sets, records, strict=True):
            keep[i] = record.event is not None and where.matches(record.event)
        return keep

    def _fast_rows(
        self, decoded: list[_Line], positions: list[int]
    ) -> tuple[Any, list[int], list[int]]:
        pa, pc = pyarrow(), pyarrow_compute()
        events: list[_Event] = [d.payload.event for d in decoded]  # type: ignore[misc]
        when_texts = [bytes(e.when) for e in events]
        numbers, distinct = self.whens(when_texts)
        # Exact timeline order is (When.sort_key, id): rank the batch's distinct dates
        # by their sort key, then sort the rows by (rank, id) in C.
        ranked = sorted(range(len(distinct)), key=lambda i: distinct[i][1])
        rank = [0] * len(distinct)
        for place, i in enumerate(ranked):
            rank[i] = place
        ids = pa.array([e.id for e in events], pa.string())
        order = pc.sort_indices(
            pa.table(
                {"rank": pa.array(list(map(rank.__getitem__, numbers)), pa.int32()), "id": ids}
            ),
            sort_keys=[("rank", "ascending"), ("id", "ascending")],
        )
        permutation = order.to_pylist()
        if permutation != list(range(len(permutation))):
            decoded = [decoded[i] for i in permutation]
            events = [events[i] for i in permutation]
            positions = [positions[i] for i in permutation]
            numbers = [numbers[i] for i in permutation]
            ids = pc.take(ids, order)
        columns = [
            ids,
            *kind_columns(pa, [e.kind for e in events]),
            pa.array([e.title for e in events], pa.string()),
            pa.array([e.summary for e in events], pa.string()),
            *_taken(pa, numbers, when_columns(pa, [when for when, _ in distinct])),
            *_gathered(pa, [bytes(e.actors) for e in events], self.actors, actor_columns),
            pa.array([e.location for e in events], pa.string()),
            pa.array([e.treaty for e in events], pa.string()),
            *_gathered(
                pa, [bytes(e.tags) for e in events], self.tags, lambda pa, t: [string_lists(pa, t)]
            ),
            string_lists(pa, [e.related for e in events]),
            sources_column(pa, [e.sources for e in events]),
            modality_column(pa, [e.modality for e in events]),
            *self._bitemporal(pa, pc, positions, decoded),
            pa.array(
                [
                    "{}" if text == b"{}" else _attributes(text)
                    for text in [bytes(e.attributes) for e in events]
                ],
                pa.string(),
            ),
        ]
        batch = pa.RecordBatch.from_arrays(columns, schema=self.schema)
        return batch, [d.seq for d in decoded], positions

    def _bitemporal(self, pa: Any, pc: Any, positions: list[int], lines: list[_Line]) -> list[Any]:
        """Return the columns retracted, version, first and last recorded time of these rows."""
        versions = [d.version for d in lines]
        last = [d.recorded_at for d in lines]
        first = last
        amended = [i for i, v in enumerate(versions) if v > 1]
        if amended:
            first = list(last)
            for i, line in zip(amended, self._first_lines(positions, amended), strict=True):
                first[i] = _recorded_decoder.decode(line).recorded_at
        try:
            # The stored form (RFC 3339, "Z") parsed by Arrow: 6 ms per 65k rows, where
            # datetimes and their microseconds in Python took 50 ms.
            times = [
                pa.array(t, pa.string()).cast(pa.timestamp("us", tz="UTC")) for t in (first, last)
            ]
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise _Unreadable from None
        return [
            pa.array(self._retracted(positions), pa.bool_()),
            pa.array(versions, pa.int32()),
            *times,
        ]

    def _retracted(self, positions: list[int]) -> list[bool]:
        """Return whether the event at each position is retracted."""
        order, gone = self.rows.order, self.rows.gone
        return [gone[order[p]] == 1 for p in positions]

    def _first_lines(self, positions: list[int], amended: list[int]) -> list[bytes]:
        """Return the lines of the first records of the events at ``positions[i]``, i amended.

        Their seqs are in the read model, their times in their lines, read now, a
        batch at a time, so memory stays flat.
        """
        rows = self.rows
        order, firsts = rows.order, rows.firsts
        return list(rows.store.lines_at([firsts[order[positions[i]]] for i in amended]))

    def _careful(self, ranges: list[tuple[int, int]]) -> tuple[Any, list[int], list[int]]:
        """Return the batch of the positions of ``ranges`` from decoded records (old schemas)."""
        kept = [pair for start, end in ranges for pair in self.rows.records(start, end)]
        events = [r.event for r, _ in kept]
        positions = [p for _, p in kept]
        versions = [r.version for r, _ in kept]
        last = [r.recorded_at for r, _ in kept]
        first = last
        amended = [i for i, v in enumerate(versions) if v > 1]
        if amended:
            first = list(last)
            for i, line in zip(amended, self._first_lines(positions, amended), strict=True):
                first[i] = self.rows.store.codec.decode_line(line).recorded_at
        provenance = Provenance(
            version=versions,
            first_recorded_at=first,
            last_recorded_at=last,
            retracted=self._retracted(positions),
        )
        batch = event_batch(events, provenance, self.schema)  # type: ignore[arg-type]
        return batch, [r.seq for r, _ in kept], positions


def _attributes(text: bytes) -> str:
    """Return the ``attributes`` cell of an event's stored attributes (as event_batch would)."""
    return attributes_text(_attributes_decoder.decode(text))


@attrs.define
class Tally:
    """What a query's batches were made of: their rows' current seqs, and how many were built."""

    seqs: list[Any] = attrs.Factory(list)
    """Per batch, an int64 ``pyarrow`` array of its rows' current record seqs."""
    built: int = 0
    """Rows built from stored lines (the rest were read from a kept table)."""


def _kept_rows(rows: QueryRows, kept: KeptTable) -> tuple[Any, list[int]]:
    """Return each position's row in the kept table (int32), and the positions it has not.

    A kept row serves a position when it is of the same current record and
    retracted alike; a set date under a date filter is built, so that its members
    are checked against the filter.
    """
    pa, pc = pyarrow(), pyarrow_compute()
    # Gathered in C from copies of the read model's columns (1M rows: 30 ms, where lists
    # of them took 0.27 s); copies, as an exported buffer would pin the state's arrays.
    order = _int64(pa, rows.order)
    wanted = pc.take(_int64(pa, rows.seqs), order)
    gone = pa.Array.from_buffers(pa.uint8(), len(rows.gone), [None, pa.py_buffer(bytes(rows.gone))])
    retracted = pc.not_equal(pc.take(gone, order), 0)
    # A seq past the kept table's reads its last entry, -1 (no row): then null.
    at = pc.take(kept.rows, pc.min_element_wise(wanted, len(kept.rows) - 1))
    at = pc.if_else(pc.equal(at, -1), pa.scalar(None, pa.int32()), at)
    same = pc.equal(kept.table["retracted"].take(at).combine_chunks(), retracted)
    if rows.where.start is not None or rows.where.end is not None:
        edtf = kept.table["when_edtf"].take(at).combine_chunks()
        sets = pc.or_(pc.starts_with(edtf, "["), pc.starts_with(edtf, "{"))
        same = pc.and_not(same, sets)
    return at, pc.indices_nonzero(pc.invert(pc.fill_null(same, False))).to_pylist()


def _int64(pa: Any, values: Sequence[int]) -> Any:
    """Return a copy of ``values`` as a ``pyarrow`` int64 array (of an ``array("q")`` in C)."""
    if isinstance(values, array) and values.itemsize == 8 and values.typecode in "qQ":
        data = pa.py_buffer(values.tobytes())
        return pa.Array.from_buffers(pa.int64(), len(values), [None, data])
    return pa.array(values, pa.int64())


def _runs(rows: QueryRows, missing: list[int], size: int) -> Iterator[tuple[int, int, bool]]:
    """Yield ``(start, end, built)`` runs of positions, in order, covering the query.

    The ties of the positions a kept table has not are built (a tie is put in
    exact order whole), in runs of about ``size``; the rest is read.
    """
    at = 0
    for position in missing:
        if position < at:
            continue  # in the tie just built
        start, end = rows.tie(position)
        if at < start:
            yield at, start, False
        for span in rows.spans(size, start, end):
            yield (*span, True)
        at = end
    if at < len(rows):
        yield at, len(rows), False


class _KeptReader:
    """Reads runs of a query's positions from a kept table, in exact timeline order."""

    def __init__(self, kept: KeptTable, at: Any) -> None:
        self.kept = kept
        self.at = at
        self._whole: Any = None

    def run(self, start: int, end: int) -> tuple[Any, Any]:
        """Return the kept rows of positions ``start:end`` (whole ties) and their seqs.

        The kept table is in exact timeline order, which refines the query's coarse
        order: its rows of a run of whole ties, in kept order, are the run in exact
        order. They are one slice of it unless rows between were left out (a filter,
        a retraction): taken then.
        """
        pc = pyarrow_compute()
        kept, rows = self.kept, self.at.slice(start, end - start)
        low, high = (m.as_py() for m in pc.min_max(rows).values())
        if high - low + 1 == len(rows):  # distinct rows, as many as the range: all of it
            return kept.table.slice(low, len(rows)), kept.seqs.slice(low, len(rows))
        rows = rows.take(pc.sort_indices(rows))
        if self._whole is None:
            # A take from a table of many chunks joins them first, each time (1M rows: 0.3-0.5
            # s a take); joined once, a take costs what it gathers (100 rows: 1 ms).
            self._whole = kept.table.combine_chunks()
        return self._whole.take(rows), kept.seqs.take(rows)


def table_batches(
    rows: QueryRows,
    log: LogPoint,
    size: int = BATCH_ROWS,
    keeping: ArrowKeeping | None = None,
    tally: Tally | None = None,
) -> tuple[Any, Iterator[Any]]:
    """Return the ``events/1`` schema and a lazy iterator of its batches for ``rows``.

    Batches hold about ``size`` rows (whole ties: see ``QueryRows.spans``), in
    exact timeline order.

    Args:
        rows: the query's rows.
        log: where in the log they were read (the schema metadata).
        size: rows a batch aims at.
        keeping: reads the rows of unchanged events from the store's kept table
            (``_keptarrow``); all rows are built from stored lines when omitted.
        tally: given, takes each batch's seqs and the count of rows built.

    Raises:
        MissingDependency: pyarrow is not installed.
    """
    schema = events_schema(log)
    batcher = _Batcher(rows, schema)
    pa = pyarrow()

    def counted(batch: Any, seqs: Any) -> Any:
        if tally is not None:
            tally.seqs.append(seqs if isinstance(seqs, pa.Array) else pa.array(seqs, pa.int64()))
        return batch

    def built_only() -> Iterator[Any]:
        for span in rows.spans(size):
            batch, seqs, _ = batcher.batch([span])
            if tally is not None:
                tally.built += batch.num_rows
            yield counted(batch, seqs)

    def batches() -> Iterator[Any]:
        kept = None if keeping is None else keeping.load(rows.store, len(rows), schema)
        if kept is None:
            yield from built_only()
            return
        at, missing = _kept_rows(rows, kept)
        reader = _KeptReader(kept, at)

        def read(start: int, end: int) -> Iterator[Any]:
            part, seqs = reader.run(start, end)
            offset = 0
            for batch in part.to_batches(max_chunksize=size):
                rebound = pa.RecordBatch.from_arrays(batch.columns, schema=schema)
                yield counted(rebound, seqs.slice(offset, batch.num_rows))
                offset += batch.num_rows

        runs = list(_runs(rows, missing, size))
        i = 0
        while i < len(runs):
            if not runs[i][2]:
                yield from read(*runs[i][:2])
                i += 1
                continue
            # The built runs from here to about ``size`` rows, in one batch (ties scattered
            # over a log, a batch each, took 5 ms apiece), then shared out in order between
            # the kept runs among them.
            group, end, total = [], i, 0
            while end < len(runs) and total < size:
                if runs[end][2]:
                    group.append(runs[end][:2])
                    total += runs[end][1] - runs[end][0]
                end += 1
            while not runs[end - 1][2]:
                end -= 1  # kept runs after the group's last built one: read in turn
            batch, seqs, positions = batcher.batch(group)
            if tally is not None:
                tally.built += batch.num_rows
            taken = 0
            for start, stop, build in runs[i:end]:
                if not build:
                    yield from read(start, stop)
                    continue
                # A built tie's rows are together, in the group's order (set dates
                # outside a date filter left out): count them by their positions.
                count = 0
                while taken + count < len(positions) and positions[taken + count] < stop:
                    count += 1
                yield counted(batch.slice(taken, count), seqs[taken : taken + count])
                taken += count
            i = end

    return schema, batches()


def events_table(rows: QueryRows, log: LogPoint, keeping: ArrowKeeping | None) -> Any:
    """Return the ``events/1`` table of ``rows``, keeping it when it is worth it.

    A whole live timeline's table is kept (``ArrowKeeping.worth_keeping``) when
    most of its rows were built; an ``as_of`` view's and a filtered query's only
    read the kept table.

    Raises:
        MissingDependency: pyarrow is not installed.
    """
    pa, tally = pyarrow(), Tally()
    schema, batches = table_batches(rows, log, keeping=keeping, tally=tally)
    table = pa.Table.from_batches(list(batches), schema=schema)
    if (
        keeping is not None
        and rows.whole
        and log.as_of is None
        and keeping.worth_keeping(table.num_rows, tally.built)
    ):
        seqs = pa.concat_arrays(tally.seqs) if tally.seqs else pa.array([], pa.int64())
        keeping.save(rows.store, log.seq, log.head_hash(), table, seqs)
    return table
