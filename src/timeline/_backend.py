"""The byte-level store backend: where stamped rows are kept, below the record layer.

A store is two layers, split where eventsourcing splits its persistence module
(the recorder below, the mapper above). The record layer (``_store.Store``) owns
the codec, the stamping (seq, time, version checks), the hash chain, decoding
and the wrapping of errors with the log's location; it is one class used by
every store. A *backend* only keeps bytes: it appends rows that are already
stamped, under its own lock and atomically, and reads them back. SQLite, JSON
Lines, memory and PostgreSQL are backends, and so may be a third party's.

The backend's share of an append: take its lock, read its head (seq, hash,
recorded_at, and a way to look up a stream's version) and hand it to the
record layer's stamper, then write the rows the stamper returns, all or none,
before letting go of the lock. The head is read inside the lock, so seqs are
gap-free and in commit order by construction. An append of many batches (an
import, ``Store.append_batches``) is the same under one lock, the stamper handing
over one batch's rows at a time; a backend that can write inside one transaction
writes each before stamping the next, the others gather them (``append_batches``).
"""

from __future__ import annotations

import abc
import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs
import msgspec

from ._codec import BATCH_LINES
from ._columns import FIELDS, NO_FIELDS, HotBatch, Vocabulary, pack
from ._errors import ConcurrencyError, InvalidRecord, TimelineError

__all__ = [
    "KEEP_HOT_ROWS",
    "AppendHead",
    "Backend",
    "BatchStamper",
    "ClusterMoved",
    "Columns",
    "Placement",
    "Placer",
    "Stamper",
    "StoredRow",
    "batched",
    "packed_hot",
]


#: How many rows the record layer decodes from lines before offering them to
#: ``Backend.keep_hot`` (one block of the JSON Lines hot file).
KEEP_HOT_ROWS = 1 << 16


#: What an appended record does to a clustered copy (``_clustered``): ``(stream, seq,
#: key, event)``; a retraction has no key (its event leaves the copy) and an empty event.
Placement = tuple[str, int, bytes | None, bytes]
#: Turns stored lines into what each does to the copy (the record layer decodes them).
Placer = Callable[[list[bytes]], list[Placement]]


class ClusterMoved(Exception):
    """A clustered copy stopped holding the log at the seq a walk of it began at.

    Internal: the walk (``QueryRecords.events``) goes on from the records.
    """


# Rows are built once per appended record on the hot append path, so they are
# msgspec Structs like Record (cheaper to build than attrs instances); frozen values.
class StoredRow(msgspec.Struct, frozen=True, gc=False):
    """One stamped record on its way into a backend: its index columns and its bytes."""

    seq: int
    """Its position in the log: the head's seq + 1 for the first row of an append."""
    stream: str
    """The id of its event."""
    version: int
    """Its version within the stream."""
    type: str
    """``recorded``, ``amended`` or ``retracted``."""
    recorded_at: str
    """When it was stamped (stored form, ``_records.format_timestamp``)."""
    hash: str
    """Its chained hash."""
    line: bytes
    """The record itself: the JSON line every store keeps byte for byte."""
    hot: tuple[Any, ...] | None = None
    """The event's hot values (``_columns.hot_fields``), for backends that keep them
    as columns (``Backend.keeps_hot``); None for the others."""


#: What ``Backend.raw_rows`` gives beside a line: the stored index columns
#: ``(seq, stream, version, type, recorded_at, hash)`` and the packed hot column
#: (``_columns.pack``, None where the backend keeps none), for the record layer to
#: check against the line. A backend that keeps the header fields in the line alone
#: gives None for version, type, recorded_at and hash (JSON Lines: its hot file
#: names each record's seq and stream).
Columns = tuple[int, str, int | None, str | None, str | None, str | None, bytes | None]


@attrs.frozen
class AppendHead:
    """What a backend tells the stamper inside its append lock."""

    seq: int
    """The last seq in the log (0 when empty)."""
    hash: str
    """The hash of that record (``GENESIS_HASH`` when empty)."""
    recorded_at: str
    """Its ``recorded_at`` in stored form ("" when empty): time never goes back."""
    version: Callable[[str], int]
    """Returns a stream's current version (0 for a new stream), read inside the lock."""
    now: dt.datetime | None = None
    """The backend's own clock for this append (a database server's), or None: the
    record layer then uses the writer's clock."""


#: The record layer's share of an append: given the head, returns the stamped rows.
Stamper = Callable[[AppendHead], Sequence[StoredRow]]

#: The record layer's share of an append of several batches: given the head, yields
#: each batch's rows in turn, stamping a batch only when the backend asks for it (so
#: a backend writing each batch before taking the next holds one at a time). The
#: head's ``version`` must see the rows of the batches already handed over.
BatchStamper = Callable[[AppendHead], Iterable[Sequence[StoredRow]]]


class Backend(abc.ABC):
    """Keeps a log's stamped rows as bytes; the record layer (``Store``) does the rest.

    Every implementation passes ``timeline.testing.BackendContract``. Rows are
    appended all or none under the backend's lock, with seqs that continue the
    head without a gap; a row whose ``(stream, version)`` is already in the log
    is refused with ``ConcurrencyError``. Errors a backend raises name its
    ``location``.
    """

    #: A short description of where the log lives (a path, a URL without its password).
    location: str = ""
    #: Whether a unique ``(stream, version)`` constraint refuses duplicates by
    #: itself, so the stamper skips looking up the version of a stream's first record.
    unique_versions: bool = False
    #: Whether the backend keeps the hot columns (then rows carry ``hot`` values and
    #: ``hot_rows`` reads them); otherwise the record layer decodes them from lines.
    keeps_hot: bool = False
    #: Whether ``hot_rows`` may stop short of the log's head (its rows are a cache that
    #: can lag the lines, as JSON Lines' hot file): the record layer then decodes the
    #: rest from the lines.
    hot_rows_may_lag: bool = False
    #: Seconds between two looks at the head while ``wait`` polls.
    poll_interval: float = 0.05
    #: Whether ``stream_lines`` and ``first_seq`` use an index (no scan of the log): the
    #: read model then answers one event from them without reading a snapshot's columns.
    indexes_streams: bool = False

    def __init__(self) -> None:
        #: Human-readable notes about repairs made when the log was opened.
        self.repairs: list[str] = []

    # -- writing -----------------------------------------------------------------------

    @abc.abstractmethod
    def append_rows(self, stamp: Stamper) -> Sequence[StoredRow]:
        """Under the lock: read the head, call ``stamp`` with it, write its rows atomically.

        Args:
            stamp: the record layer's stamper; whatever it raises leaves the log as it was.

        Returns:
            The rows written.

        Raises:
            ConcurrencyError: a row's ``(stream, version)`` is already in the log.
            InvalidRecord: the rows do not continue the head's seq without a gap.
        """

    def stamped(self, stamp: Stamper, head: AppendHead) -> Sequence[StoredRow]:
        """Return the rows ``stamp`` makes for ``head``, checked to continue it (for subclasses).

        Args:
            stamp: the stamper ``append_rows`` was given.
            head: the head read inside the lock.

        Returns:
            The rows to write.

        Raises:
            InvalidRecord: the rows' seqs are not head + 1, head + 2, ...
        """
        rows = stamp(head)
        self._check_continues(rows, head.seq)
        return rows

    def append_batches(self, stamp: BatchStamper) -> int:
        """Under the lock: read the head, write every batch ``stamp`` yields, as one append.

        All the batches or none, like one ``append_rows``. This default gathers them
        into one ``append_rows`` (its memory grows with the rows), giving the stamper
        a head whose ``version`` counts the batches gathered so far; a backend that
        writes inside one transaction (SQLite, PostgreSQL) overrides it to write each
        batch before asking for the next (``stamped_batches``).

        Args:
            stamp: the record layer's stamper; whatever it raises, even after some
                batches, leaves the log as it was.

        Returns:
            How many rows were written.

        Raises:
            ConcurrencyError: a row's ``(stream, version)`` is already in the log.
            InvalidRecord: the rows do not continue the head's seq without a gap.
        """

        def gather(head: AppendHead) -> list[StoredRow]:
            gathered: dict[str, int] = {}

            def version(stream: str) -> int:
                found = gathered.get(stream)
                return head.version(stream) if found is None else found

            rows: list[StoredRow] = []
            for batch in stamp(attrs.evolve(head, version=version)):
                rows.extend(batch)
                for row in batch:
                    gathered[row.stream] = row.version
            return rows

        return len(self.append_rows(gather))

    def stamped_batches(
        self, stamp: BatchStamper, head: AppendHead
    ) -> Iterator[Sequence[StoredRow]]:
        """Yield the non-empty batches ``stamp`` makes for ``head``, each checked to continue.

        For a subclass's ``append_batches``: it writes each batch (in the append's
        transaction, where ``head.version`` sees it) before taking the next.

        Args:
            stamp: the stamper ``append_batches`` was given.
            head: the head read inside the lock.

        Raises:
            InvalidRecord: a batch's seqs do not continue the head or the batch before.
        """
        last = head.seq
        for rows in stamp(head):
            self._check_continues(rows, last)
            if rows:
                last = rows[-1].seq
                yield rows

    def _check_continues(self, rows: Sequence[StoredRow], last: int) -> None:
        """Refuse rows whose seqs are not ``last`` + 1, + 2, ... (InvalidRecord)."""
        for expected, row in enumerate(rows, last + 1):
            if row.seq != expected:
                raise InvalidRecord(
                    f"{self.location} record seq {row.seq}",
                    f"an append after seq {last} must continue at seq {expected}",
                )

    @staticmethod
    def check_versions(rows: Sequence[StoredRow], version: Callable[[str], int]) -> None:
        """Refuse rows whose ``(stream, version)`` is taken (for backends without a constraint).

        Args:
            rows: the rows about to be written, in order.
            version: returns a stream's current version in the log.

        Raises:
            ConcurrencyError: a row's version is not above its stream's current one.
        """
        seen: dict[str, int] = {}
        for row in rows:
            current = seen.get(row.stream)
            if current is None:
                current = version(row.stream)
            if row.version <= current:
                raise ConcurrencyError(row.stream, row.version - 1, current)
            seen[row.stream] = row.version

    @staticmethod
    def conflict(
        rows: Sequence[StoredRow], version: Callable[[str], int]
    ) -> ConcurrencyError | None:
        """Return the error naming the row a unique ``(stream, version)`` constraint refused.

        For a backend whose constraint fired (``unique_versions``): called after the
        rollback, it finds the first row whose version its stream already has.

        Args:
            rows: the rows of the refused append.
            version: returns a stream's current version in the log.

        Returns:
            The error to raise, or None when no row's version is taken.
        """
        for row in rows:
            current = version(row.stream)
            if current >= row.version:
                return ConcurrencyError(row.stream, row.version - 1, current)
        return None

    # -- reading -----------------------------------------------------------------------

    @abc.abstractmethod
    def lines(self, after: int = 0, until: int | None = None) -> Iterator[list[bytes]]:
        """Yield the stored lines with ``after < seq <= until``, in seq order, a batch at a time."""

    def raw_rows(
        self, after: int = 0, until: int | None = None
    ) -> Iterator[list[tuple[bytes, Columns | None]]]:
        """Yield ``(line, columns)`` in seq order, a batch at a time (for ``verify``).

        ``columns`` are the index columns a backend keeps beside the line, which the
        record layer checks against it; None for a backend that keeps only lines.
        """
        for batch in self.lines(after, until):
            yield [(line, None) for line in batch]

    def lines_at(self, seqs: Sequence[int]) -> list[bytes]:
        """Return the stored lines at these seqs, in the order given.

        Raises:
            InvalidRecord: a seq is not in the log.
        """
        out = []
        for seq in seqs:
            found = [line for batch in self.lines(seq - 1, seq) for line in batch]
            if not found:
                raise InvalidRecord(self.where(seq), "not in the log")
            out.append(found[0])
        return out

    @abc.abstractmethod
    def stream_lines(self, stream: str) -> list[bytes]:
        """Return the stored lines of one stream, oldest first."""

    @abc.abstractmethod
    def head(self) -> int:
        """Return the last seq in the log (0 when empty)."""

    @abc.abstractmethod
    def seq_at(self, stamp: str) -> int:
        """Return the last seq whose ``recorded_at`` (stored form) is at or before ``stamp``."""

    def record_hash(self, seq: int) -> str | None:
        """Return the stored hash of the record at ``seq`` (None if there is none)."""
        for batch in self.lines(seq - 1, seq):
            for line in batch:
                try:
                    return _hash_decoder.decode(line).hash
                except (msgspec.DecodeError, msgspec.ValidationError):
                    return None
        return None

    def first_seq(self, stream: str) -> int | None:
        """Return the seq of a stream's first record, or None (unknown, or not indexed)."""
        return None

    def hot_rows(self, after: int = 0, until: int | None = None) -> Iterator[HotBatch]:
        """Yield the kept hot rows with ``after < seq <= until`` (only when ``keeps_hot``).

        They come in seq order; where ``hot_rows_may_lag`` they may stop short of
        ``until`` (JSON Lines keeps them in a cache file): the record layer decodes the
        rest from the lines and offers them to ``keep_hot``.
        """
        raise NotImplementedError(f"{type(self).__name__} keeps no hot columns")

    def keep_hot(self, decoded: Sequence[tuple[HotBatch, list[bytes]]]) -> None:  # noqa: B027 - only a backend with a hot cache keeps them
        """Offered the hot rows the record layer decoded from lines past ``hot_rows``' end.

        Consecutive batches, each with the lines it was decoded from, numbered by
        ``vocabulary()``. A backend whose kept rows can lag its lines (JSON Lines) may
        keep them; the others ignore them.
        """

    def vocabulary(self) -> Vocabulary:
        """Return the terms this log's hot rows refer to (one per backend, kept current)."""
        vocabulary: Vocabulary | None = getattr(self, "_vocabulary", None)
        if vocabulary is None:
            vocabulary = self._vocabulary = Vocabulary()
        return vocabulary

    def upgrade(self, hot_values: Callable[[list[bytes]], list[tuple[Any, ...]]]) -> None:  # noqa: B027 - most backends have nothing to migrate
        """Finish opening a log of an older format that needs its lines decoded.

        The record layer calls it once, right after opening, with the function
        that turns lines into hot values (the backend itself decodes nothing).
        """

    def keep_clustered(self, place: Placer, cluster: bool | None) -> None:
        """Keep a clustered copy of the live events in appends; make or drop it first.

        Args:
            place: decodes lines into what they do to the copy (the record layer's).
            cluster: True makes the copy (anew when stale, caught up when lagging),
                False drops it, None keeps it as the log has it (or has none).

        Raises:
            TimelineError: the copy cannot be made or dropped (this backend keeps
                none, the log cannot be written now); the log is as it was.
        """
        if cluster:
            raise TimelineError(f"{self.location}: this store keeps no clustered copy")

    def cluster_kept(self) -> bool:
        """Whether the log has a clustered copy at all (current, lagging or stale)."""
        return False

    def clustered_batches(self, seq: int, count: int) -> Iterator[list[tuple[bytes, int]]] | None:
        """Return the clustered copy's ``(packed event, seq)`` rows in timeline order, or None.

        None unless the backend keeps a copy of the live events in timeline order
        (``_clustered``) holding exactly the ``count`` events of the log at ``seq``.
        An empty packed event is read from the record at its seq. The iterator raises
        ``ClusterMoved`` when the copy does not hold that state after all (an append
        came in before it began).
        """
        return None

    def clustered_rows(self) -> Iterator[list[tuple[bytes, str, int, bytes]]] | None:
        """Return every ``(key, stream, seq, event)`` row of a current clustered copy, or None.

        For ``verify``, which checks each against the log; None when the backend
        keeps no copy, or one that is not bound to its head.
        """
        return None

    # -- snapshots ---------------------------------------------------------------------

    @abc.abstractmethod
    def save_snapshot(self, name: str, version: int, seq: int, data: bytes) -> None:
        """Save projection state at ``seq``, replacing the older one of that name and version."""

    @abc.abstractmethod
    def load_snapshot(
        self, name: str, version: int, limit: int | None = None
    ) -> tuple[int, bytes] | None:
        """Return the saved ``(seq, data)`` for a name and version (``data[:limit]``), or None."""

    def read_snapshot_parts(
        self, name: str, version: int, parts: Sequence[tuple[int, int]]
    ) -> Iterator[bytes]:
        """Yield ``(offset, length)`` parts of a saved snapshot (b"" each if there is none).

        A reader takes the sections it needs (``_snapshot``), one alive at a time.
        This default loads the snapshot whole; SQLite, JSON Lines and PostgreSQL
        read only the parts.
        """
        saved = self.load_snapshot(name, version)
        data = b"" if saved is None else saved[1]
        for at, size in parts:
            yield data[at : at + size]

    # -- the rest ----------------------------------------------------------------------

    def wait(self, after: int, timeout: float | None = None) -> bool:
        """Block until the head is past ``after`` (True) or ``timeout`` passes (False).

        Other processes' appends count. This default polls ``head()`` every
        ``poll_interval`` seconds; a backend that is told about commits (PostgreSQL
        listens) overrides it.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.head() <= after:
            left = self.poll_interval if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(left, self.poll_interval))
        return True

    def close(self) -> None:  # noqa: B027 - a no-op is the right default for most backends
        """Release the backend's resources; it cannot be used afterwards."""

    def where(self, seq: int) -> str:
        """Return how messages name the record at ``seq`` (JSON Lines: ``file:line``)."""
        return f"{self.location} record seq {seq}"


class _Hash(msgspec.Struct, gc=False):
    hash: str


_hash_decoder = msgspec.json.Decoder(_Hash)


def packed_hot(
    vocabulary: Vocabulary, rows: Sequence[StoredRow], new_term: Callable[[str, Any], int]
) -> list[bytes]:
    """Return the packed hot column of each row (``_columns.pack``), numbering new terms.

    Args:
        vocabulary: the log's terms; new ones are added to it.
        rows: rows carrying their hot values (``StoredRow.hot``).
        new_term: stores a new ``(field, value)`` term and returns its id; runs in
            the append's transaction, so a rollback takes the term back too (the
            caller then truncates ``vocabulary`` to its size before).

    Raises:
        InvalidRecord: a row carries no hot values.
    """
    out: list[bytes] = []
    find = vocabulary.find
    for row in rows:
        hot = row.hot
        if hot is None:
            raise InvalidRecord(f"record seq {row.seq}", "a row for hot columns carries none")
        if hot[0] is None:
            out.append(pack((row.version, *NO_FIELDS)))
            continue
        # Known terms through the index itself, a term at a time only for new ones.
        ids = vocabulary.known_ids(hot)
        if ids is None:
            numbered = []
            fields = (hot[0], hot[4], hot[5], hot[6], hot[7])
            for field, value in zip(FIELDS, fields, strict=True):
                term_id = find(field, value)
                if term_id is None:
                    term_id = new_term(field, value)
                    vocabulary.add(term_id, field, value)
                numbered.append(term_id)
            ids = tuple(numbered)
        kind, actors, tags, treaty, modality = ids
        out.append(
            pack((row.version, kind, hot[1], hot[2], hot[3], actors, tags, treaty, modality))
        )
    return out


def batched(lines: Sequence[bytes], size: int = BATCH_LINES) -> Iterator[list[bytes]]:
    """Yield ``lines`` in lists of ``size`` (the batches the decoders take)."""
    for start in range(0, len(lines), size):
        yield list(lines[start : start + size])
