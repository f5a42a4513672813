"""The store contract every log backend fulfils, and the in-memory store."""

from __future__ import annotations

import abc
import bisect
import datetime as dt
import time
from collections.abc import Callable, Iterator, Sequence

import msgspec

from ._codec import BATCH_LINES, RecordCodec, encode_line
from ._columns import NO_FIELDS, HotBatch, HotDecoder, HotRow, Vocabulary, hot_fields
from ._errors import ConcurrencyError, InvalidRecord
from ._records import GENESIS_HASH, PendingRecord, RawRecord, Record, chain_hash, format_timestamp

__all__ = ["Clock", "MemoryStore", "Stamp", "Store"]

#: Returns the current time as an aware datetime.
Clock = Callable[[], dt.datetime]

#: What a store tells the writer about each appended record: seq, recorded_at, hash.
Stamp = tuple[int, dt.datetime, str]

_raw_decoder = msgspec.json.Decoder(RawRecord)


class Store(abc.ABC):
    """An append-only, hash-chained log of records.

    Every implementation passes ``timeline.testing.StoreContract``. Appends are
    atomic (all records of one call or none), assign gap-free ``seq`` numbers,
    never let ``recorded_at`` go backwards, and refuse a record whose version is
    not the next one of its stream with ``ConcurrencyError``.
    """

    #: A short description of where the log lives (a path, or ``:memory:``).
    location: str = ""

    def __init__(self, codec: RecordCodec | None = None) -> None:
        self.codec = codec or RecordCodec()
        #: Human-readable notes about repairs made when the log was opened.
        self.repairs: list[str] = []

    @abc.abstractmethod
    def append(self, pending: Sequence[PendingRecord], now: Clock) -> list[Stamp]:
        """Append records atomically and return their seq, time and hash, in order.

        Raises:
            ConcurrencyError: a record's version is not its stream's next version.
        """

    @abc.abstractmethod
    def read(self, after: int = 0, until: int | None = None) -> Iterator[Record]:
        """Yield decoded records with ``after < seq <= until``, in seq order."""

    @abc.abstractmethod
    def read_raw(self, after: int = 0, until: int | None = None) -> Iterator[RawRecord]:
        """Yield records as stored (exact payload bytes), in seq order."""

    @abc.abstractmethod
    def stream(self, stream: str) -> list[Record]:
        """Return the records of one stream (event), oldest first."""

    @abc.abstractmethod
    def head(self) -> int:
        """Return the last seq in the log (0 when empty)."""

    @abc.abstractmethod
    def seq_at(self, moment: dt.datetime) -> int:
        """Return the last seq recorded at or before ``moment`` (0 if none)."""

    @abc.abstractmethod
    def save_snapshot(self, name: str, version: int, seq: int, data: bytes) -> None:
        """Save projection state at ``seq``, replacing the older one of that name and version."""

    @abc.abstractmethod
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

    def read_hot(self, after: int = 0, until: int | None = None) -> Iterator[HotBatch]:
        """Yield the hot rows (``_columns``) of records with ``after < seq <= until``, in batches.

        This default decodes whole records; the built-in stores read the hot
        fields without building events.
        """
        batch: list[HotRow] = []
        vocabulary = self.vocabulary()
        for record in self.read(after, until):
            event = record.payload.event
            if event is None:
                batch.append((record.seq, record.stream, record.version, *NO_FIELDS))
            else:
                values = hot_fields(event)
                batch.append(vocabulary.row(record.seq, record.stream, record.version, values))
            if len(batch) >= BATCH_LINES:
                yield HotBatch.of_rows(batch)
                batch = []
        if batch:
            yield HotBatch.of_rows(batch)

    def records_at(self, seqs: Sequence[int]) -> list[Record]:
        """Return the decoded records at these seqs, in the order given.

        Raises:
            InvalidRecord: a seq is not in the log, or its record does not decode.
        """
        out = []
        for seq in seqs:
            found = list(self.read(after=seq - 1, until=seq))
            if not found:
                raise InvalidRecord(f"{self.location} record seq {seq}", "not in the log")
            out.append(found[0])
        return out

    def lines_at(self, seqs: Sequence[int]) -> list[bytes]:
        """Return the stored JSON lines of the records at these seqs, in the order given.

        For readers that decode only some fields (the Arrow tables). This default
        encodes each raw record again, which gives its stored line byte for byte;
        the built-in stores return the lines as stored.

        Raises:
            InvalidRecord: a seq is not in the log.
        """
        out = []
        for seq in seqs:
            found = list(self.read_raw(after=seq - 1, until=seq))
            if not found:
                raise InvalidRecord(f"{self.location} record seq {seq}", "not in the log")
            out.append(msgspec.json.encode(found[0]))
        return out

    def first_seq(self, stream: str) -> int | None:
        """Return the seq of a stream's first record, or None (unknown, or not indexed)."""
        return None

    def vocabulary(self) -> Vocabulary:
        """Return the terms this store's hot rows refer to (one per store, kept current)."""
        vocabulary: Vocabulary | None = getattr(self, "_vocabulary", None)
        if vocabulary is None:
            vocabulary = self._vocabulary = Vocabulary()
        return vocabulary

    def _hot_decoder(self) -> HotDecoder:
        """Return this store's decoder of hot rows from JSON lines (its caches persist)."""
        decoder: HotDecoder | None = getattr(self, "_hot", None)
        if decoder is None:
            decoder = self._hot = self.codec.hot_decoder(self.vocabulary())
        return decoder

    def record_hash(self, seq: int) -> str | None:
        """Return the stored hash of the record at ``seq`` (None if there is none)."""
        for raw in self.read_raw(after=seq - 1, until=seq):
            return raw.hash
        return None

    #: Seconds between two looks at the head while ``wait`` polls.
    poll_interval: float = 0.05

    def wait(self, after: int, timeout: float | None = None) -> bool:
        """Block until the log's head is past ``after`` (True) or ``timeout`` passes (False).

        Other processes' appends count. This default polls ``head()`` every
        ``poll_interval`` seconds; a store that can be told about commits (the
        PostgreSQL store listens) overrides it.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.head() <= after:
            left = self.poll_interval if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(left, self.poll_interval))
        return True

    def close(self) -> None:  # noqa: B027 - a no-op is the right default for most stores
        """Release the store's resources; the store cannot be used afterwards."""

    # -- shared by the implementations -------------------------------------------------

    @staticmethod
    def _stamp(
        pending: Sequence[PendingRecord],
        versions: Callable[[str], int],
        last_seq: int,
        last_hash: str,
        last_time: str,
        now: Clock,
        *,
        new_streams_checked: bool = False,
    ) -> tuple[list[tuple[int, str, int, str, str, int, bytes, str, int | None]], list[Stamp]]:
        """Check versions and compute seq, time and chained hash for a batch.

        Args:
            pending: the records to stamp, in order.
            versions: returns a stream's current version in the store.
            last_seq: the store's last seq.
            last_hash: the hash of the record at ``last_seq``.
            last_time: its ``recorded_at`` (stored form), so time never goes back.
            now: the clock.
            new_streams_checked: the backend itself refuses a second version 1 of a
                stream (a unique constraint), so version-1 records skip the lookup.

        Returns:
            The rows to write (the stored columns, the arguments of ``encode_line``)
            and the stamps to return. In a batch of two or more records every row
            ends with the batch's last seq (``batch_end``), else with None.

        Raises:
            ConcurrencyError: a record's version is not the next one of its stream.
        """
        moment = now()
        stamp = format_timestamp(moment)
        if stamp < last_time:
            # Another writer's clock ran ahead: keep recorded_at monotonic in seq order.
            stamp, moment = last_time, dt.datetime.strptime(last_time, "%Y-%m-%dT%H:%M:%S.%fZ")
        moment = moment.astimezone(dt.timezone.utc)
        batch_versions: dict[str, int] = {}
        rows = []
        stamps: list[Stamp] = []
        seq, previous = last_seq, last_hash
        batch_end = last_seq + len(pending) if len(pending) > 1 else None
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
            rows.append(
                (seq, p.stream, p.version, type_, stamp, p.schema, p.payload, previous, batch_end)
            )
            stamps.append((seq, moment, previous))
        return rows, stamps


class MemoryStore(Store):
    """A log kept in this process's memory, for tests and scratch work.

    Records are kept as their stored bytes and decoded on read, like the durable stores.
    """

    location = ":memory:"

    def __init__(self, codec: RecordCodec | None = None) -> None:
        super().__init__(codec)
        self._lines: list[bytes] = []
        self._hashes: list[str] = []
        self._times: list[str] = []
        self._streams: dict[str, list[int]] = {}
        self._snapshots: dict[tuple[str, int], tuple[int, bytes]] = {}

    def append(self, pending: Sequence[PendingRecord], now: Clock) -> list[Stamp]:
        rows, stamps = self._stamp(
            pending,
            lambda s: len(self._streams.get(s, ())),
            len(self._lines),
            self._hashes[-1] if self._hashes else GENESIS_HASH,
            self._times[-1] if self._times else "",
            now,
        )
        for row in rows:
            self._lines.append(encode_line(*row))
            self._hashes.append(row[7])
            self._times.append(row[4])
            self._streams.setdefault(row[1], []).append(row[0])
        return stamps

    def read(self, after: int = 0, until: int | None = None) -> Iterator[Record]:
        lines = self._lines[max(after, 0) : until]
        for start in range(0, len(lines), BATCH_LINES):
            batch = lines[start : start + BATCH_LINES]
            try:
                records = self.codec.decode_lines(batch)
            except InvalidRecord as exc:
                seq = max(after, 0) + start + (self.codec.first_bad(batch) or 1)
                raise InvalidRecord(f"record seq {seq}", exc.reason) from None
            yield from records

    def read_raw(self, after: int = 0, until: int | None = None) -> Iterator[RawRecord]:
        for seq, line in enumerate(self._lines[max(after, 0) : until], max(after, 0) + 1):
            try:
                yield _raw_decoder.decode(line)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                raise InvalidRecord(f"record seq {seq}", f"not a record ({exc})") from None

    def read_hot(self, after: int = 0, until: int | None = None) -> Iterator[HotBatch]:
        lines = self._lines[max(after, 0) : until]
        decode = self._hot_decoder().decode
        for start in range(0, len(lines), BATCH_LINES):
            yield HotBatch.of_rows(decode(lines[start : start + BATCH_LINES]))

    def records_at(self, seqs: Sequence[int]) -> list[Record]:
        return self.codec.decode_many(self.lines_at(seqs), seqs)

    def lines_at(self, seqs: Sequence[int]) -> list[bytes]:
        lines = self._lines
        if any(not 0 < s <= len(lines) for s in seqs):
            bad = next(s for s in seqs if not 0 < s <= len(lines))
            raise InvalidRecord(f"record seq {bad}", "not in the log")
        return [lines[s - 1] for s in seqs]

    def first_seq(self, stream: str) -> int | None:
        seqs = self._streams.get(stream)
        return seqs[0] if seqs else None

    def stream(self, stream: str) -> list[Record]:
        return self.codec.decode_lines([self._lines[s - 1] for s in self._streams.get(stream, ())])

    def head(self) -> int:
        return len(self._lines)

    def seq_at(self, moment: dt.datetime) -> int:
        return bisect.bisect_right(self._times, format_timestamp(moment))

    def save_snapshot(self, name: str, version: int, seq: int, data: bytes) -> None:
        self._snapshots[(name, version)] = (seq, data)

    def load_snapshot(
        self, name: str, version: int, limit: int | None = None
    ) -> tuple[int, bytes] | None:
        saved = self._snapshots.get((name, version))
        return None if saved is None else (saved[0], saved[1][:limit])
