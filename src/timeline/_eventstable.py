"""A query's ``events/1`` table: rows read from the kept table where they can be, the rest built.

``table_batches`` walks a query's positions in exact timeline order. Without a kept
table (``_keptarrow``) every row is built from its stored line (``_bulkarrow``).
With one, the rows of events unchanged since it was kept are read from it: the
kept table is in exact timeline order, which refines the query's coarse order, so
the kept rows of a run of whole ties are, in kept order, that run in exact order
(one zero-copy slice for a whole timeline). A tie holding events the kept table
has not (recorded, amended or retracted since) is merged: those rows are built,
and each goes in among the tie's kept rows (in exact order already) where its key
falls, ``(When.sort_key, id)``, the kept rows' dates rebuilt from the table's
columns as ``events_from_arrow`` rebuilds them; the kept rows stay slices.

Measured on the 1M benchmark log (930k events), its table kept before a tail of
1,000 events spread over its days, in a fresh process: 2.25-2.44 s wall, where
building the table takes 16-23 s (benchmarks/README.md, "The kept Arrow table").
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from ._arrow import BATCH_ROWS, LogPoint, events_schema, pyarrow
from ._bulkarrow import Batcher, pyarrow_compute
from ._keptarrow import ArrowKeeping, KeptTable
from ._queryrows import QueryRows
from ._when import When

__all__ = ["Tally", "events_table", "table_batches"]


@attrs.define
class Tally:
    """What a query's batches were made of: their rows' current seqs, and how many were built."""

    seqs: list[Any] = attrs.Factory(list)
    """Per batch, an int64 ``pyarrow`` array of its rows' current record seqs."""
    built: int = 0
    """Rows built from stored lines (the rest were read from a kept table)."""


def _int64(pa: Any, values: Sequence[int]) -> Any:
    """Return a copy of ``values`` as a ``pyarrow`` int64 array (of an ``array("q")`` in C)."""
    if isinstance(values, array) and values.itemsize == 8 and values.typecode in "qQ":
        data = pa.py_buffer(values.tobytes())
        return pa.Array.from_buffers(pa.int64(), len(values), [None, data])
    return pa.array(values, pa.int64())


def _kept_rows(rows: QueryRows, kept: KeptTable) -> tuple[Any, list[int]]:
    """Return each position's row in the kept table (int32, null where none), and the nulls.

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
    missing = pc.indices_nonzero(pc.invert(pc.fill_null(same, False))).to_pylist()
    at = pc.if_else(pc.fill_null(same, False), at, pa.scalar(None, pa.int32()))
    return at, missing


def _runs(rows: QueryRows, missing: list[int]) -> Iterator[tuple[int, int, bool]]:
    """Yield ``(start, end, mixed)`` runs of positions, in order, covering the query.

    A mixed run is one tie holding a position the kept table has not; the others
    are read whole.
    """
    at = 0
    for position in missing:
        if position < at:
            continue  # in the tie just yielded
        start, end = rows.tie(position)
        if at < start:
            yield at, start, False
        yield start, end, True
        at = end
    if at < len(rows):
        yield at, len(rows), False


class _Keys:
    """Exact timeline keys ``(When.sort_key, id)`` of table rows, each date rebuilt once."""

    _COLUMNS = ("when_edtf", "when_phrase", "when_anchor", "event_id")

    def __init__(self) -> None:
        self._dates: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def key(self, edtf: str, phrase: str | None, anchor: Any, event_id: str) -> tuple[Any, ...]:
        """Return the key of a row of these cells (the date read as ``events_from_arrow`` does)."""
        parts = (edtf, phrase, anchor)
        date = self._dates.get(parts)
        if date is None:
            date = self._dates[parts] = When.from_parts(edtf, phrase, anchor).sort_key
        return (date, event_id)

    def of_table(self, table: Any) -> list[tuple[Any, ...]]:
        """Return the key of each row of a table."""
        columns = (table.column(name).to_pylist() for name in self._COLUMNS)
        return [self.key(*cells) for cells in zip(*columns, strict=True)]

    def of_row(self, table: Any, row: int) -> tuple[Any, ...]:
        """Return the key of one row of a table."""
        return self.key(*(table.column(name)[row].as_py() for name in self._COLUMNS))


class _KeptReader:
    """Reads runs of a query's positions from a kept table, in exact timeline order."""

    def __init__(self, kept: KeptTable, at: Any) -> None:
        self.kept = kept
        self.at = at
        self._whole: Any = None

    def run(self, start: int, end: int) -> tuple[Any, Any]:
        """Return the kept rows of positions ``start:end`` (whole ties) and their seqs.

        They are one slice of the kept table unless rows between were left out
        (a filter, a retraction): taken then.
        """
        pc = pyarrow_compute()
        kept, rows = self.kept, self.at.slice(start, end - start)
        low, high = (m.as_py() for m in pc.min_max(rows).values())
        if high - low + 1 == len(rows):  # distinct rows, as many as the range: all of it
            return kept.table.slice(low, len(rows)), kept.seqs.slice(low, len(rows))
        return self.take(rows.take(pc.sort_indices(rows)))

    def rows(self, rows: list[int]) -> tuple[Any, Any]:
        """Return the kept table's rows of these indices (ascending), and their seqs."""
        if rows[-1] - rows[0] + 1 == len(rows):
            return self.kept.table.slice(rows[0], len(rows)), self.kept.seqs.slice(
                rows[0], len(rows)
            )
        return self.take(pyarrow().array(rows, pyarrow().int32()))

    def take(self, rows: Any) -> tuple[Any, Any]:
        """Return the kept table's rows of these indices, and their seqs."""
        if self._whole is None:
            # A take from a table of many chunks joins them first, each time (1M rows: 0.3-0.5
            # s a take); joined once, a take costs what it gathers (100 rows: 1 ms).
            self._whole = self.kept.table.combine_chunks()
        return self._whole.take(rows), self.kept.seqs.take(rows)


class _Merger:
    """Builds the rows of mixed ties the kept table has not, and merges them with the rest."""

    def __init__(self, reader: _KeptReader, batcher: Batcher) -> None:
        self.reader = reader
        self.batcher = batcher
        self.keys = _Keys()

    def ties(self, ties: list[tuple[int, int]]) -> tuple[list[list[tuple[Any, Any]]], int]:
        """Return each mixed tie's rows in exact order, as parts, and how many were built.

        A tie's kept rows are in exact order already: each built row goes in
        where its key falls among them (a binary search, its keys read from the
        kept table one row at a time); the tie's kept slices and built rows are
        then copied into one table (``_joined``).

        Returns:
            Per tie, its ``(table, seqs)`` (none for a tie whose rows all dropped
            out); and the number of rows built.
        """
        pa = pyarrow()
        fresh: list[int] = []
        kept_of_tie: list[list[int]] = []
        for start, end in ties:
            at = self.reader.at.slice(start, end - start).to_pylist()
            fresh.extend(start + i for i, row in enumerate(at) if row is None)
            kept_of_tie.append(sorted(row for row in at if row is not None))
        batch, seqs, positions = self.batcher.batch(fresh)
        built = pa.Table.from_batches([batch])
        built_seqs = pa.array(seqs, pa.int64())
        built_keys = self.keys.of_table(built)
        table = self.reader.kept.table
        parts: list[list[tuple[Any, Any]]] = []
        row = 0  # the next built row: the batch holds the ties' built rows tie by tie
        for (_, end), kept in zip(ties, kept_of_tie, strict=True):
            tie: list[tuple[Any, Any]] = []
            done = 0  # kept rows of the tie already placed
            while row < len(positions) and positions[row] < end:
                place = bisect.bisect_right(
                    kept,
                    built_keys[row],
                    lo=done,
                    key=lambda k: self.keys.of_row(table, k),
                )
                if place > done:
                    tie.append(self.reader.rows(kept[done:place]))
                run = row + 1  # built rows that go in the same place: one part
                while (
                    run < len(positions)
                    and positions[run] < end
                    and (
                        place == len(kept) or built_keys[run] < self.keys.of_row(table, kept[place])
                    )
                ):
                    run += 1
                tie.append((built.slice(row, run - row), built_seqs.slice(row, run - row)))
                row, done = run, place
            if done < len(kept):
                tie.append(self.reader.rows(kept[done:]))
            parts.append([_joined(tie)] if tie else [])
        return parts, batch.num_rows


def _joined(parts: list[tuple[Any, Any]]) -> tuple[Any, Any]:
    """Return a tie's parts (tables and their seqs, in order) as one table of its own.

    A tie is small (tens to hundreds of rows): copied whole in one call (0.06 ms for
    three parts) it needs none of ``_compact``'s work on its slices (0.25 ms).
    """
    pa = pyarrow()
    batches = [
        b.replace_schema_metadata(None)
        for table, _ in parts
        for b in table.to_batches()
        if b.num_rows
    ]
    if len(parts) == 1 or not batches:
        return parts[0]
    table = pa.Table.from_batches([pa.concat_batches(batches)])
    return table, pa.concat_arrays([seqs for _, seqs in parts])


def _compact(batch: Any) -> Any:
    """Return a batch whose list columns hold only their own rows (a slice's are rebased).

    A slice of a list column keeps the whole child array of the table it was cut from,
    and polars (2.1) copies that child for every such chunk: a 100k table of 3,116
    slices took it past 24 GB. Rebased offsets over the slice's own part of the child
    (zero-copy) read as 17 MB where the slices read as 770 MB (200k lists of strings,
    50 slices).
    """
    pa = pyarrow()
    columns, changed = list(batch.columns), False
    for i, column in enumerate(columns):
        if not pa.types.is_list(column.type) or len(column) == 0:
            continue
        if column.offset == 0 and column.offsets[-1].as_py() == len(column.values):
            continue  # it holds its whole child: not a slice of a larger array
        # Offsets rebased over the slice's own part of the child, zero-copy: the 1M table
        # with a 1k tail (1,790 pieces) in 2.25-2.34 s, where copying the items of each
        # slice (pyarrow.concat_arrays) took 2.98-3.11 s, alternating.
        offsets = column.offsets
        first = offsets[0].as_py()
        rebased = pyarrow_compute().subtract(offsets, pa.scalar(first, pa.int32()))
        columns[i] = pa.ListArray.from_arrays(rebased, column.flatten(), type=column.type)
        changed = True
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema) if changed else batch


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
    metadata = schema.metadata
    batcher = Batcher(rows, schema)
    pa = pyarrow()

    def counted(batch: Any, seqs: Any, built: int = 0) -> Any:
        if tally is not None:
            tally.seqs.append(seqs if isinstance(seqs, pa.Array) else pa.array(seqs, pa.int64()))
            tally.built += built
        return batch

    def sliced(part: Any, seqs: Any) -> Iterator[tuple[Any, Any]]:
        offset = 0
        for batch in part.to_batches(max_chunksize=size):
            yield batch, seqs.slice(offset, batch.num_rows)
            offset += batch.num_rows

    def batches() -> Iterator[Any]:
        kept = None if keeping is None else keeping.load(rows.store, len(rows), schema)
        if kept is None:
            for start, end in rows.spans(size):
                batch, seqs, _ = batcher.batch(list(range(start, end)))
                yield counted(batch, seqs, batch.num_rows)
            return
        for batch, seqs in pieces(kept):
            # The schema's metadata: 4 us a batch, where from_arrays took 27 us.
            yield counted(_compact(batch).replace_schema_metadata(metadata), seqs)

    def pieces(kept: KeptTable) -> Iterator[tuple[Any, Any]]:
        at, missing = _kept_rows(rows, kept)
        reader = _KeptReader(kept, at)
        merger = _Merger(reader, batcher)
        runs = list(_runs(rows, missing))
        i = 0
        while i < len(runs):
            if not runs[i][2]:
                yield from sliced(*reader.run(*runs[i][:2]))
                i += 1
                continue
            # The mixed ties from here to about ``size`` positions, merged at once (a tie
            # at a time, they cost 5 ms apiece), then shared out in order between the
            # runs read whole among them.
            ties, end, total = [], i, 0
            while end < len(runs) and total < size:
                if runs[end][2]:
                    ties.append(runs[end][:2])
                    total += runs[end][1] - runs[end][0]
                end += 1
            while not runs[end - 1][2]:
                end -= 1  # runs read whole after the group's last mixed tie: read in turn
            parts, built = merger.ties(ties)
            if tally is not None:
                tally.built += built
            tie = 0
            for start, stop, mixed in runs[i:end]:
                if not mixed:
                    yield from sliced(*reader.run(start, stop))
                    continue
                for part in parts[tie]:
                    yield from sliced(*part)
                tie += 1
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
