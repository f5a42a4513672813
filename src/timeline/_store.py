"""The record layer of every store: stamping, the hash chain and decoding over one backend.

``Store`` is what the rest of geotimeline talks to. It owns the codec, stamps
appends (seq, time, version checks), chains the hashes, decodes what the
backend (``_backend.Backend``) reads back and names the log's location in
every error; the backend only keeps bytes. ``SqliteStore``, ``JsonlStore``,
``PostgresStore`` and ``MemoryStore`` are this class over their backends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs
import msgspec

from ._backend import (
    KEEP_HOT_ROWS,
    AppendHead,
    Backend,
    ClusterMoved,
    Columns,
    Placement,
    StoredRow,
)
from ._clustered import placements, unpack_event
from ._codec import RecordCodec, encode_line
from ._columns import NO_FIELDS, HotBatch, HotDecoder, Vocabulary, hot_fields, pack
from ._errors import ConcurrencyError, InvalidRecord, TimelineError
from ._memory import MemoryBackend
from ._model import Event
from ._records import Payload, PendingRecord, RawRecord, Record, chain_hash, format_timestamp

__all__ = ["Clock", "MemoryStore", "Stamp", "Store", "stamp_batches", "stamp_rows"]

#: Returns the current time as an aware datetime.
Clock = Callable[[], dt.datetime]

#: What a store tells the writer about each appended record: seq, recorded_at, hash.
Stamp = tuple[int, dt.datetime, str]

_raw_decoder = msgspec.json.Decoder(RawRecord)


def stamp_rows(
    pending: Sequence[PendingRecord],
    head: AppendHead,
    now: Clock,
    *,
    new_streams_checked: bool = False,
    hot_values: Callable[[list[bytes]], list[tuple[Any, ...]]] | None = None,
    batch_end: int | None = None,
) -> tuple[list[StoredRow], list[Stamp]]:
    """Check versions and compute seq, time, chained hash and stored line for a batch.

    Args:
        pending: the records to stamp, in order.
        head: the backend's head, read inside its append lock.
        now: the writer's clock (the head's own clock wins when it has one).
        new_streams_checked: the backend refuses a second version 1 of a stream by
            itself (a unique constraint), so version-1 records skip the lookup.
        hot_values: for a backend that keeps hot columns, turns lines into hot
            values where a pending record does not carry them; None otherwise.
        batch_end: the last seq of the whole append when these records are one
            batch of several (``Store.append_batches``); None: this batch's own.

    Returns:
        The rows to write and the stamps to return. In an append of two or more
        records every line carries its last seq (``batch_end``).

    Raises:
        ConcurrencyError: a record's version is not the next one of its stream.
    """
    moment = head.now if head.now is not None else now()
    stamp = format_timestamp(moment)
    last_time = head.recorded_at
    if stamp < last_time:
        # Another writer's clock ran ahead: keep recorded_at monotonic in seq order.
        stamp, moment = last_time, dt.datetime.strptime(last_time, "%Y-%m-%dT%H:%M:%S.%fZ")
    moment = moment.astimezone(dt.timezone.utc)
    versions = head.version
    batch_versions: dict[str, int] = {}
    rows: list[StoredRow] = []
    stamps: list[Stamp] = []
    seq, previous = head.seq, head.hash
    if batch_end is None and len(pending) > 1:
        batch_end = head.seq + len(pending)
    for p in pending:
        current = batch_versions.get(p.stream)
        if current is None:
            current = 0 if new_streams_checked and p.version == 1 else versions(p.stream)
        if p.version != current + 1:
            raise ConcurrencyError(p.stream, p.version - 1, current)
        batch_versions[p.stream] = p.version
        seq += 1
        type_ = p.type.value
        previous = chain_hash(
            previous, seq, p.stream, p.version, type_, stamp, p.schema, p.payload, batch_end
        )
        line = encode_line(
            seq, p.stream, p.version, type_, stamp, p.schema, p.payload, previous, batch_end
        )
        rows.append(StoredRow(seq, p.stream, p.version, type_, stamp, previous, line, p.hot))
        stamps.append((seq, moment, previous))
    if hot_values is not None and any(p.hot is None for p in pending):
        decoded = hot_values([r.line for r in rows])
        rows = [
            r if r.hot is not None else msgspec.structs.replace(r, hot=h)
            for r, h in zip(rows, decoded, strict=True)
        ]
    return rows, stamps


def stamp_batches(
    batches: Iterable[Sequence[PendingRecord]],
    total: int,
    head: AppendHead,
    now: Clock,
    *,
    new_streams_checked: bool = False,
    hot_values: Callable[[list[bytes]], list[tuple[Any, ...]]] | None = None,
    where: str = "append",
) -> Iterator[list[StoredRow]]:
    """Stamp batches as one append of ``total`` records, one batch each time one is asked for.

    The rows are those one ``stamp_rows`` of all the records would make: one
    moment, every line carrying the append's last seq (``batch_end``) when
    ``total`` is two or more, the chain and seqs running on across batches.
    ``head.version`` must see the batches already yielded (``BatchStamper``).

    Args:
        batches: the records, in order; empty batches are skipped.
        total: how many records the batches hold in all.
        head: the backend's head, read inside its append lock.
        now: the writer's clock, read once (the head's own clock wins).
        new_streams_checked: as for ``stamp_rows``.
        hot_values: as for ``stamp_rows``.
        where: how an error names the append (the log's location).

    Raises:
        ConcurrencyError: a record's version is not the next one of its stream.
        InvalidRecord: the batches do not hold ``total`` records (raised before a
            batch past ``total`` is handed over, or after the last one).
    """
    end = head.seq + total if total > 1 else None
    moment = head.now if head.now is not None else now()
    written, at = 0, head
    for batch in batches:
        if not batch:
            continue
        written += len(batch)
        if written > total:
            raise InvalidRecord(where, f"more than {total} records")
        rows, _ = stamp_rows(
            batch,
            at,
            lambda: moment,
            new_streams_checked=new_streams_checked,
            hot_values=hot_values,
            batch_end=end,
        )
        last = rows[-1]
        at = attrs.evolve(at, seq=last.seq, hash=last.hash, recorded_at=last.recorded_at)
        yield rows
    if written != total:
        raise InvalidRecord(where, f"{written} records, not {total}")


class Store:
    """An append-only, hash-chained log of records: the record layer over a backend.

    Every store passes ``timeline.testing.StoreContract``. Appends are atomic (all
    records of one call or none), assign gap-free ``seq`` numbers, never let
    ``recorded_at`` go backwards, and refuse a record whose version is not the
    next one of its stream with ``ConcurrencyError``.

    Args:
        backend: where the rows are kept.
        codec: record decoder (upcasters); the default when omitted.
    """

    def __init__(self, backend: Backend, codec: RecordCodec | None = None) -> None:
        self.backend = backend
        self.codec = codec or RecordCodec()
        self._hot: HotDecoder | None = None
        backend.upgrade(self._hot_decoder().values)

    @property
    def location(self) -> str:
        """A short description of where the log lives (a path, ``:memory:``, a URL)."""
        return self.backend.location

    @location.setter
    def location(self, value: str) -> None:
        self.backend.location = value

    @property
    def repairs(self) -> list[str]:
        """Human-readable notes about repairs made when the log was opened."""
        return self.backend.repairs

    def _hot_decoder(self) -> HotDecoder:
        """Return this store's decoder of hot rows from lines (its caches persist)."""
        if self._hot is None:
            self._hot = self.codec.hot_decoder(self.backend.vocabulary())
        return self._hot

    # -- writing -----------------------------------------------------------------------

    def append(self, pending: Sequence[PendingRecord], now: Clock) -> list[Stamp]:
        """Append records atomically and return their seq, time and hash, in order.

        Raises:
            ConcurrencyError: a record's version is not its stream's next version.
        """
        if not pending:
            return []
        backend = self.backend
        hot_values = self._hot_decoder().values if backend.keeps_hot else None
        stamps: list[Stamp] = []

        def stamp(head: AppendHead) -> list[StoredRow]:
            rows, made = stamp_rows(
                pending,
                head,
                now,
                new_streams_checked=backend.unique_versions,
                hot_values=hot_values,
            )
            stamps[:] = made
            return rows

        backend.append_rows(stamp)
        return stamps

    def append_batches(
        self, batches: Iterable[Sequence[PendingRecord]], total: int, now: Clock
    ) -> tuple[int, int]:
        """Append ``total`` records given in batches as one atomic append; return its seq range.

        The log shows the batches as one ``append`` of them all: one ``recorded_at``,
        every record carrying the same ``batch_end`` when ``total`` is two or more,
        all of them or none, even across a crash. A batch is stamped only when the
        backend asks for it (``Backend.append_batches``): SQLite and PostgreSQL write
        each inside the one transaction before taking the next, so the append holds
        one batch at a time; the other backends gather them, so their memory grows
        with ``total``.

        Args:
            batches: the records, in order, in batches of any size.
            total: how many records the batches hold in all.
            now: the clock.

        Returns:
            The first and last seq written (``(head + 1, head)`` when ``total`` is 0).

        Raises:
            ConcurrencyError: a record's version is not its stream's next version.
            InvalidRecord: the batches do not hold ``total`` records (nothing is written).
        """
        backend = self.backend
        hot_values = self._hot_decoder().values if backend.keeps_hot else None
        first: list[int] = []

        def stamp(head: AppendHead) -> Iterator[list[StoredRow]]:
            first[:] = [head.seq + 1]
            return stamp_batches(
                batches,
                total,
                head,
                now,
                new_streams_checked=backend.unique_versions,
                hot_values=hot_values,
                where=f"{self.location} append",
            )

        backend.append_batches(stamp)
        return first[0], first[0] + total - 1

    # -- reading -----------------------------------------------------------------------

    def read(self, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Yield decoded records with ``after < seq <= until``, in seq order.

        Raises:
            InvalidRecord: a record does not decode (named by its seq).
        """
        codec = self.codec
        decode = codec.decode_lines
        seq = max(after, 0)
        for lines in self.backend.lines(after, until):
            try:
                records = decode(lines)
            except InvalidRecord as exc:
                bad = seq + (codec.first_bad(lines) or 1)
                raise InvalidRecord(self.backend.where(bad), exc.reason) from None
            if records:
                seq = records[-1].seq
            yield from records

    def read_raw(self, after: int = 0, until: int | None = None) -> Iterator[RawRecord]:
        """Yield records as stored (exact payload bytes), in seq order.

        A backend's index columns are checked against the stored line here.

        Raises:
            InvalidRecord: a line is not a record, or its columns disagree with it.
        """
        for raw, _ in self._raw_records(after, until, payloads=False):
            yield raw

    def verify_rows(
        self, after: int = 0, until: int | None = None
    ) -> Iterator[tuple[RawRecord, Payload | Exception]]:
        """Yield records as stored, each with its decoded payload or what stopped its decoding.

        For ``verify``, which checks that every payload decodes: each is decoded once,
        and the backend's index columns are checked against it as ``read_raw`` does.

        Raises:
            InvalidRecord: a line is not a record, or its columns disagree with it.
        """
        for raw, payload in self._raw_records(after, until, payloads=True):
            assert payload is not None  # decoded, or why not
            yield raw, payload

    def _raw_records(
        self, after: int, until: int | None, payloads: bool
    ) -> Iterator[tuple[RawRecord, Payload | Exception | None]]:
        """Yield each stored record, its payload decoded where asked or its columns need it."""
        backend = self.backend
        decode_payload = self.codec.decode_payload
        last = max(after, 0)
        for batch in backend.raw_rows(after, until):
            for line, columns in batch:
                try:
                    raw = _raw_decoder.decode(line)
                except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                    raise InvalidRecord(backend.where(last + 1), f"not a record ({exc})") from None
                payload: Payload | Exception | None = None
                if payloads or (columns is not None and columns[6] is not None):
                    try:
                        payload = decode_payload(raw.type, raw.schema, bytes(raw.payload))
                    except (msgspec.MsgspecError, ValueError, TimelineError) as exc:
                        payload = exc  # verify reports it; read_raw hands on the bytes as stored
                if columns is not None:
                    self._check_columns(raw, columns, payload)
                last = raw.seq
                yield raw, payload

    def _check_columns(
        self, raw: RawRecord, columns: Columns, payload: Payload | Exception | None
    ) -> None:
        """Check that a backend's columns say what the hashed record says.

        Args:
            raw: the record as stored.
            columns: what the backend keeps beside it (``Backend.raw_rows``).
            payload: the record's decoded payload (an error: it does not decode, which
                verify reports; its hot column is then not checked).

        Raises:
            InvalidRecord: they do not (queries and constraints see the columns).
        """
        if columns[2] is None:  # the header fields are kept in the line alone
            same = (raw.seq, raw.stream) == columns[:2]
        else:
            same = (raw.seq, raw.stream, raw.version, raw.type, raw.recorded_at, raw.hash) == (
                columns[:6]
            )
        if not same:
            raise InvalidRecord(
                self.backend.where(raw.seq), "its index columns disagree with the stored record"
            )
        hot = columns[6]
        if hot is None or not isinstance(payload, Payload):
            return
        event = payload.event
        if event is None:
            expected = pack((raw.version, *NO_FIELDS))
        else:
            v = hot_fields(event)
            vocabulary = self.backend.vocabulary()
            # The index's own lookup first (0.35 s of a 100k verify went to find's calls);
            # find again for a term it lacks (a store may have numbered it since).
            known = vocabulary.index().get
            kind, actors, tags, treaty, modality = (
                0 if x is None else known((f, x)) or vocabulary.find(f, x)
                for f, x in (
                    ("kind", v[0]),
                    ("actors", v[4]),
                    ("tags", v[5]),
                    ("treaty", v[6]),
                    ("modality", v[7]),
                )
            )
            ids = (raw.version, kind, v[1], v[2], v[3], actors, tags, treaty, modality)
            expected = b"" if None in ids else pack(ids)  # type: ignore[arg-type]
        if expected != bytes(hot):
            raise InvalidRecord(
                self.backend.where(raw.seq),
                "its query columns (kind, dates, actors, ...) disagree with the stored record",
            )

    def read_hot(self, after: int = 0, until: int | None = None) -> Iterator[HotBatch]:
        """Yield the hot rows (``_columns``) of records with ``after < seq <= until``, in batches.

        From the backend's hot columns where it keeps them; else decoded from the
        lines with a decoder that skips everything queries do not need.

        Raises:
            InvalidRecord: a record does not decode (named by its seq).
        """
        backend = self.backend
        keeping = backend.keeps_hot
        if keeping:
            for batch in backend.hot_rows(after, until):
                yield batch
                after = batch.seqs[-1]
            if not backend.hot_rows_may_lag or (until is not None and after >= until):
                return
        decode = self._hot_decoder().decode
        decoded: list[tuple[HotBatch, list[bytes]]] = []
        count = 0
        for lines in backend.lines(after, until):
            try:
                rows = decode(lines)
            except InvalidRecord as exc:
                raise InvalidRecord(f"{backend.location} {exc.where}", exc.reason) from None
            batch = HotBatch.of_rows(rows)
            yield batch
            if keeping and rows:
                decoded.append((batch, lines))
                count += len(rows)
                if count >= KEEP_HOT_ROWS:
                    backend.keep_hot(decoded)
                    decoded, count = [], 0
        if decoded:
            backend.keep_hot(decoded)

    def records_at(self, seqs: Sequence[int]) -> list[Record]:
        """Return the decoded records at these seqs, in the order given.

        Raises:
            InvalidRecord: a seq is not in the log, or its record does not decode.
        """
        if not seqs:
            return []
        backend = self.backend
        lines = backend.lines_at(seqs)
        try:
            records = self.codec.decode_many(lines, seqs)
        except InvalidRecord as exc:
            raise InvalidRecord(f"{backend.location} {exc.where}", exc.reason) from None
        for seq, record in zip(seqs, records, strict=True):
            if record.seq != seq:
                raise InvalidRecord(backend.where(seq), f"the line there holds seq {record.seq}")
        return records

    def keep_clustered(self, cluster: bool | None) -> None:
        """Make (True) or drop (False) the clustered copy; None keeps the log's choice.

        The copy (docs/stores.md, "The clustered copy") holds every live event again,
        in timeline order, so a walk of every event scans it instead of the records.
        Making it reads every record once (about 50 s for a 1M-event log); a copy
        that only lags the log is caught up from the records since.

        Raises:
            TimelineError: this store keeps no copy, the log cannot be written now,
                or a record does not decode; the log is as it was.
        """
        self.backend.keep_clustered(self._placements, cluster)

    @property
    def clustered(self) -> str:
        """The clustered copy: ``"on"`` (bound to the head), ``"off"``, or ``"stale"``.

        A stale copy (left behind by a writer that does not keep it) is not read;
        ``keep_clustered(True)`` brings it up to date.
        """
        backend = self.backend
        if not backend.cluster_kept():
            return "off"
        return "on" if backend.clustered_rows() is not None else "stale"

    def _placements(self, lines: list[bytes]) -> list[Placement]:
        """Return what each stored line does to the clustered copy.

        Raises:
            InvalidRecord: a line does not decode (named with the log).
        """
        try:
            return placements(self.codec.decode_lines(lines))
        except InvalidRecord as exc:
            raise InvalidRecord(f"{self.location} {exc.where}", exc.reason) from None

    def clustered_events(self, seq: int, count: int) -> Iterator[list[Event]] | None:
        """Return the live events of the log at ``seq`` in timeline order, from a clustered copy.

        None unless the backend keeps a copy of exactly those ``count`` events
        (``Backend.clustered_batches``). The iterator yields them in batches and raises
        ``ClusterMoved`` when the copy stops holding them (an append since the walk
        began) or a packed event does not decode: the caller reads on from the records.
        """
        batches = self.backend.clustered_batches(seq, count)
        return None if batches is None else self._unpacked(batches)

    def _unpacked(self, batches: Iterator[list[tuple[bytes, int]]]) -> Iterator[list[Event]]:
        # Each batch's rows and events are let go before the next is read: two batches
        # alive at once cost the walk 0.03 s of its 0.34 at 100k (memory not reused).
        for batch in batches:
            try:
                events = [unpack_event(row[0]) for row in batch]
            except msgspec.DecodeError:  # an empty event (no msgpack form), or a damaged one
                events = self._unpacked_slowly(batch)
            del batch
            yield events
            del events

    def _unpacked_slowly(self, batch: list[tuple[bytes, int]]) -> list[Event]:
        found = iter(self.records_at([seq for packed, seq in batch if not packed]))
        events: list[Event] = []
        for packed, seq in batch:
            event = next(found).payload.event if not packed else self._unpack_at(seq, packed)
            if event is None:
                raise ClusterMoved(seq)  # a retraction's record: the copy is damaged
            events.append(event)
        return events

    @staticmethod
    def _unpack_at(seq: int, packed: bytes) -> Event:
        try:
            return unpack_event(packed)
        except msgspec.DecodeError:
            raise ClusterMoved(seq) from None  # damaged: the walk reads the records

    def lines_at(self, seqs: Sequence[int]) -> list[bytes]:
        """Return the stored JSON lines of the records at these seqs, in the order given.

        For readers that decode only some fields (the Arrow tables).

        Raises:
            InvalidRecord: a seq is not in the log.
        """
        return self.backend.lines_at(seqs) if seqs else []

    def stream(self, stream: str) -> list[Record]:
        """Return the records of one stream (event), oldest first.

        Raises:
            InvalidRecord: one of its records does not decode.
        """
        try:
            return self.codec.decode_lines(self.backend.stream_lines(stream))
        except InvalidRecord as exc:
            raise InvalidRecord(
                f"{self.location} event {stream!r} {exc.where}", exc.reason
            ) from None

    def head(self) -> int:
        """Return the last seq in the log (0 when empty)."""
        return self.backend.head()

    def seq_at(self, moment: dt.datetime) -> int:
        """Return the last seq recorded at or before ``moment`` (0 if none)."""
        return self.backend.seq_at(format_timestamp(moment))

    def first_seq(self, stream: str) -> int | None:
        """Return the seq of a stream's first record, or None (unknown, or not indexed)."""
        return self.backend.first_seq(stream)

    def vocabulary(self) -> Vocabulary:
        """Return the terms this store's hot rows refer to (one per store, kept current)."""
        return self.backend.vocabulary()

    def record_hash(self, seq: int) -> str | None:
        """Return the stored hash of the record at ``seq`` (None if there is none)."""
        return self.backend.record_hash(seq)

    # -- snapshots ---------------------------------------------------------------------

    def save_snapshot(self, name: str, version: int, seq: int, data: bytes) -> None:
        """Save projection state at ``seq``, replacing the older one of that name and version."""
        self.backend.save_snapshot(name, version, seq, data)

    def load_snapshot(
        self, name: str, version: int, limit: int | None = None
    ) -> tuple[int, bytes] | None:
        """Return the saved ``(seq, data)`` for a projection name and version, or None.

        Args:
            name: the projection's name.
            version: the projection's version.
            limit: return only the first ``limit`` bytes of ``data`` (a header),
                so deciding whether a large snapshot fits costs no full read.
        """
        return self.backend.load_snapshot(name, version, limit)

    def read_snapshot_parts(
        self, name: str, version: int, parts: Sequence[tuple[int, int]]
    ) -> Iterator[bytes]:
        """Yield ``(offset, length)`` parts of a saved snapshot, one alive at a time."""
        return self.backend.read_snapshot_parts(name, version, parts)

    @property
    def indexes_streams(self) -> bool:
        """Whether one event's records are found by an index (``Backend.indexes_streams``)."""
        return self.backend.indexes_streams

    # -- the rest ----------------------------------------------------------------------

    def wait(self, after: int, timeout: float | None = None) -> bool:
        """Block until the log's head is past ``after`` (True) or ``timeout`` passes (False).

        Other processes' appends count (the backend polls, or listens).
        """
        return self.backend.wait(after, timeout)

    def close(self) -> None:
        """Release the store's resources; the store cannot be used afterwards."""
        self.backend.close()


class MemoryStore(Store):
    """A log kept in this process's memory, for tests and scratch work.

    Records are kept as their stored bytes and decoded on read, like the durable stores.

    Args:
        codec: record decoder (upcasters); the default when omitted.
    """

    backend: MemoryBackend

    def __init__(self, codec: RecordCodec | None = None) -> None:
        super().__init__(MemoryBackend(), codec)
