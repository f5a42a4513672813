"""The ``events/1`` table kept in the store, bound to the chain like the read model's snapshot.

Building a large log's Arrow table from its records costs about 20 µs an event
(1M events: 19-22 s); reading a kept one costs about 1 µs a row. So the table of
a whole timeline (``tl.events().to_arrow()``) is kept beside the log, as a named
snapshot (``events-arrow``, version 1) in the store's own snapshot place, when a
query builds many of its rows (``ArrowKeeping.worth_keeping``). Later tables, of
the whole timeline or of any query of it or of an ``as_of`` view, take the rows
of events unchanged since from it, and build only the rest.

The snapshot holds the table as an Arrow IPC file (zstd-compressed buffers) and,
apart, each row's current record seq: a row is the event as its current record
(and its first record) made it, so a row whose seq and retracted flag match a
query's row is that row, whatever the view. Like the read model's snapshot it
carries the seq and hash of the record it was taken at (the record must still
have that hash) and a digest over a directory of SHA-256 hashes, checked when
read: an edited or damaged table, or one that outlived a rewrite of the log, is
never used; the rows are built from the log instead and the reason is noted in
``Timeline.repairs``.
"""

from __future__ import annotations

import io
from array import array
from typing import Any

import attrs
import msgspec

from ._arrow import pyarrow
from ._errors import TimelineError
from ._snapshot import (
    HEADER_SIZE,
    SnapshotDamaged,
    SnapshotSections,
    bind,
    read_header,
    vouched,
)

__all__ = ["KEEP_ARROW_FROM", "ArrowKeeping", "KeptTable"]

#: The snapshot name and version of the kept table (version 1: schema ``events/1``).
NAME = "events-arrow"
VERSION = 1

#: A whole-timeline table of at least this many rows is kept when most of it was built
#: (below, building takes under about 0.2 s: nothing to gain).
KEEP_ARROW_FROM = 10_000

#: A kept table larger than this is not saved (SQLite and PostgreSQL values stop at 1 GB).
MAX_KEPT_BYTES = 512 << 20

#: A query of fewer rows than this share of the kept table builds its own: reading the
#: table costs about a tenth of building as many rows (100k benchmark log: the whole
#: table read in 0.13-0.16 s against 1.5-2.5 s built; a 5k-row query read in 0.22 s
#: against 0.16 s built).
_READ_SHARE = 10


#: Rows per record batch of the kept file (few, large: reading is per batch and column).
_BATCH = 1 << 20


class _Meta(msgspec.Struct, array_like=True):
    rows: int
    schema: str


@attrs.frozen(kw_only=True)
class KeptTable:
    """A kept ``events/1`` table: its rows in exact timeline order at a point of the log."""

    seq: int
    """The seq of the record it was taken at (its rows' seqs are at most this)."""
    table: Any
    """The ``pyarrow.Table``, in exact timeline order (schema ``events/1``)."""
    seqs: Any
    """A ``pyarrow`` int64 array: the current record seq of each row."""
    rows: Any
    """A ``pyarrow`` int32 array indexed by seq (0 to ``seq + 1``): the row of the record, or -1."""


@attrs.define
class ArrowKeeping:
    """When a timeline keeps its Arrow table, and reading and saving it."""

    keep_from: int = KEEP_ARROW_FROM
    """Rows from which a whole-timeline table is kept (0: never kept, never read)."""
    refused: bool = False
    """Set when the store did not keep a table (read-only): not tried again by this timeline."""

    def worth_keeping(self, rows: int, built: int) -> bool:
        """Return whether a whole-timeline table of ``rows`` rows, ``built`` of them new, is kept.

        Kept when it is large enough, and when at least a tenth of it was built
        (the first table, or one after many writes); the rest of the time the kept
        table already serves it.
        """
        return (
            bool(self.keep_from)
            and not self.refused
            and rows >= self.keep_from
            and built * 10 >= rows
        )

    def load(self, store: Any, wanted: int, schema: Any) -> KeptTable | None:
        """Return the store's kept table, if the chain vouches for it and it is worth reading.

        Args:
            store: the log's store.
            wanted: how many rows the query has.
            schema: the ``events/1`` schema the rows must have (metadata aside).
        """
        if not self.keep_from or wanted < self.keep_from // _READ_SHARE:
            return None
        saved = store.load_snapshot(NAME, VERSION, limit=HEADER_SIZE)
        if saved is None:
            return None
        try:
            header = read_header(saved[1])
        except ValueError:
            _ignored(store, "is unreadable")
            return None
        if header.seq > store.head() or not vouched(header, saved[0], store.record_hash):
            _ignored(store, f"does not match the log's record {header.seq}")
            return None
        try:
            sections = SnapshotSections(
                header, lambda parts: store.read_snapshot_parts(NAME, VERSION, parts)
            )
            meta = msgspec.msgpack.decode(sections.meta, type=_Meta)
            if wanted * _READ_SHARE < meta.rows:
                return None
            seqs_data, rows_data, table_data = sections.sections(["seqs", "rows", "table"])
        except (SnapshotDamaged, msgspec.DecodeError) as exc:
            now = store.load_snapshot(NAME, VERSION, limit=HEADER_SIZE)
            if now is not None and now[1] == saved[1]:  # not replaced by another process since
                _ignored(store, f"does not match its digest ({exc})")
            return None
        pa = pyarrow()
        table = pa.ipc.open_file(pa.py_buffer(table_data)).read_all()
        if (
            meta.schema != "events/1"
            or table.num_rows != meta.rows
            or len(seqs_data) != 8 * meta.rows
            or len(rows_data) != 4 * (header.seq + 2)
            or not table.schema.equals(schema)
        ):
            _ignored(store, "is not of this version's events/1 schema")
            return None
        seqs = pa.Array.from_buffers(pa.int64(), meta.rows, [None, pa.py_buffer(seqs_data)])
        rows = pa.Array.from_buffers(pa.int32(), header.seq + 2, [None, pa.py_buffer(rows_data)])
        return KeptTable(seq=header.seq, table=table, seqs=seqs, rows=rows)

    def save(self, store: Any, seq: int, head_hash: str, table: Any, seqs: Any) -> None:
        """Keep a whole-timeline table taken at ``seq`` (its rows' current seqs in ``seqs``).

        A store that refuses the write (a read-only role, a busy or full disk) keeps
        none: the table was made, only not kept, and the reason is noted.
        """
        pa = pyarrow()
        # Joined into few large batches: a table merged from many small pieces (1,781 in
        # one case of the 100k benchmark log) read back in 1.17 s, joined in 0.08 s.
        table = table.replace_schema_metadata(None).combine_chunks()
        out = io.BytesIO()
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        with pa.ipc.new_file(out, table.schema, options=options) as writer:
            writer.write_table(table, max_chunksize=_BATCH)
        seqs = seqs.cast(pa.int64())
        # The row of each seq, looked up in C on reading (1M rows: 10 ms, where a hash
        # lookup of the seqs, pyarrow's index_in, took 0.28 s).
        rows = array("i", [-1]) * (seq + 2)
        for row, at in enumerate(seqs.to_pylist()):
            rows[at] = row
        meta = msgspec.msgpack.encode(_Meta(rows=table.num_rows, schema="events/1"))
        sections = [
            ("seqs", _int64_bytes(pa, seqs)),
            ("rows", rows.tobytes()),
            ("table", out.getvalue()),
        ]
        data = bind(seq, head_hash, meta, sections)
        if len(data) > MAX_KEPT_BYTES:
            return
        try:
            store.save_snapshot(NAME, VERSION, seq, data)
        except (TimelineError, OSError) as exc:
            self.refused = True
            store.repairs.append(f"{store.location}: the Arrow table was not kept ({exc})")
            return
        saved = store.load_snapshot(NAME, VERSION, limit=HEADER_SIZE)
        # A store may let a read-only role's write pass unsaid (PostgreSQL does, for
        # snapshots): then keeping is not tried again, which would cost a table's
        # compression every time (2 s at 1M).
        self.refused = saved is None or saved[1][:HEADER_SIZE] != data[:HEADER_SIZE]


def _int64_bytes(pa: Any, array: Any) -> bytes:
    """Return an int64 array's values as bytes (native order, no nulls)."""
    array = pa.concat_arrays([array])  # offset 0, one buffer
    return array.buffers()[1].to_pybytes()[: 8 * len(array)]  # type: ignore[no-any-return]


def _ignored(store: Any, reason: str) -> None:
    """Note that the kept table is not read, and why (once, however many tables are asked for)."""
    note = (
        f"{store.location}: the kept Arrow table {reason}: ignored, the rows are built from the log"
    )
    if note not in store.repairs:
        store.repairs.append(note)
