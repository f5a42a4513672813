"""``events/1`` record batches built straight from stored lines: no Record or Event per row.

What ``tl.events().to_arrow()`` and the Parquet and Arrow exporters build their rows
with (``_eventstable``, which reads the others from a kept table). The read
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
from collections.abc import Callable
from typing import Any

import msgspec

from ._arrow import (
    Provenance,
    actor_columns,
    attributes_text,
    event_batch,
    kind_columns,
    modality_column,
    pyarrow,
    sources_column,
    string_lists,
    when_columns,
)
from ._collector import paused as collector_paused
from ._errors import InvalidRecord
from ._model import ActorRole, Modality
from ._queryrows import QueryRows
from ._records import CURRENT_SCHEMA, Record
from ._timelineorder import timeline_key
from ._when import When

__all__ = ["Batcher", "pyarrow_compute"]


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


class Batcher:
    """Builds the ``events/1`` batches of one query's rows from their stored lines.

    Args:
        rows: the query's rows.
        schema: the ``events/1`` schema (with the log point's metadata).
    """

    def __init__(self, rows: QueryRows, schema: Any) -> None:
        self.rows = rows
        self.schema = schema
        self.whens = _Distinct(_when)
        self.actors = _Distinct(_actors_decoder.decode)
        self.tags = _Distinct(_tags_decoder.decode)

    def batch(self, positions: list[int]) -> tuple[Any, list[int], list[int]]:
        """Return the batch of these positions (whole ties, or rows of ties, in tie order).

        The rows come in exact timeline order: by tie, as given, and within each
        tie by ``(When.sort_key, id)``. A set date outside the query's date filter
        is left out.

        Returns:
            The batch, and the current record seq and the position of each of its rows.
        """
        order, seqs_of = self.rows.order, self.rows.seqs
        seqs = [seqs_of[order[p]] for p in positions]
        # The collector paused: its young passes would walk each batch's objects again
        # (sort_key took 32 us per date with it on, in a 20k-event batch).
        with collector_paused():
            lines = self.rows.store.lines_at(seqs)
            try:
                return self._fast(seqs, lines, positions)
            except _Unreadable:
                return self._careful(positions)

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

    def _careful(self, positions: list[int]) -> tuple[Any, list[int], list[int]]:
        """Return the batch of these positions from decoded records (old schemas)."""
        kept: list[tuple[Record, int]] = []
        start = 0
        while start < len(positions):  # runs of consecutive positions: one read each
            end = start + 1
            while end < len(positions) and positions[end] == positions[end - 1] + 1:
                end += 1
            kept.extend(self.rows.records(positions[start], positions[end - 1] + 1))
            start = end
        kept.sort(key=lambda pair: timeline_key(pair[0]))  # exact order refines tie order
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
