"""``BackendContract``: the tests every ``timeline.Backend`` implementation must pass.

A backend keeps a log's stamped rows as bytes; the record layer (``timeline.Store``)
does the stamping, chaining and decoding over it. Subclass the contract in a test
module and implement ``make_backend`` (and ``reopen`` for a durable backend), as
the four built-in backends do::

    class TestMyBackend(BackendContract):
        def make_backend(self, tmp_path):
            return MyBackend(tmp_path / "log.my")

        def reopen(self, backend, tmp_path):
            backend.close()
            return MyBackend(tmp_path / "log.my")

A backend that passes it, wrapped in ``timeline.Store`` (which ``timeline.open``
does for a factory that returns a backend), passes ``StoreContract`` too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import pytest

from .._backend import AppendHead, Backend, StoredRow
from .._codec import RecordCodec
from .._columns import Vocabulary
from .._errors import ConcurrencyError, InvalidRecord
from .._model import Event
from .._records import (
    CURRENT_SCHEMA,
    GENESIS_HASH,
    Payload,
    PendingRecord,
    RecordType,
    encode_payload,
    format_timestamp,
)
from .._store import Store, stamp_batches, stamp_rows
from .._verify import verify_store
from ._stores import pending_recorded

__all__ = ["BackendContract", "append_pending", "append_pending_batches"]

_T0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
_hot_values = RecordCodec().hot_decoder(Vocabulary()).values


def append_pending(
    backend: Backend,
    pending: Sequence[PendingRecord],
    at: dt.datetime = _T0,
    *,
    seen: list[tuple[AppendHead, dict[str, int]]] | None = None,
    taken: bool = False,
) -> Sequence[StoredRow]:
    """Stamp records as the record layer does and append them to a backend (a test helper).

    Args:
        backend: the backend under test.
        pending: the records, in order.
        at: the writer's clock for this append.
        seen: receives the head the backend handed the stamper, with the version
            it gave then for each stream of ``pending``.
        taken: stamp as if every stream were new, so the backend itself must
            refuse a ``(stream, version)`` it already has.

    Returns:
        The rows the backend wrote.
    """

    def stamp(head: AppendHead) -> list[StoredRow]:
        if seen is not None:
            seen.append((head, {p.stream: head.version(p.stream) for p in pending}))
        if taken:
            head = attrs.evolve(head, version=lambda stream: 0)
        rows, _ = stamp_rows(
            pending,
            head,
            lambda: at,
            new_streams_checked=backend.unique_versions,
            hot_values=_hot_values if backend.keeps_hot else None,
        )
        return rows

    return backend.append_rows(stamp)


def append_pending_batches(
    backend: Backend,
    batches: Sequence[Sequence[PendingRecord]],
    at: dt.datetime = _T0,
    *,
    seen: list[dict[str, int]] | None = None,
    fail_after: int | None = None,
) -> int:
    """Stamp batches as the record layer does and append them as one (a test helper).

    Args:
        backend: the backend under test.
        batches: the records, in order, in batches.
        at: the writer's clock for this append.
        seen: receives, before each batch is stamped, the version the head's
            ``version`` gives then for each stream of the batch.
        fail_after: raise ``RuntimeError`` once this many batches were handed over.

    Returns:
        How many rows the backend says it wrote.
    """

    def stamp(head: AppendHead) -> Iterator[list[StoredRow]]:
        total = sum(len(batch) for batch in batches)

        def watched() -> Iterator[Sequence[PendingRecord]]:
            for n, batch in enumerate(batches):
                if n == fail_after:
                    raise RuntimeError("the writer failed in the middle of its append")
                if seen is not None:
                    seen.append({p.stream: head.version(p.stream) for p in batch})
                yield batch

        return stamp_batches(
            watched(),
            total,
            head,
            lambda: at,
            new_streams_checked=backend.unique_versions,
            hot_values=_hot_values if backend.keeps_hot else None,
        )

    return backend.append_batches(stamp)


def _pending_with_new_terms(title: str, event_id: str) -> PendingRecord:
    """Return a pending record whose kind and tag no other test record uses (new terms)."""
    event = Event(
        kind=f"test.{title}", when="2025-02-18", title=title, tags=[f"tag-{title}"], id=event_id
    )
    return PendingRecord(
        stream=event_id,
        version=1,
        type=RecordType.RECORDED,
        schema=CURRENT_SCHEMA["recorded"],
        payload=encode_payload(Payload(event=event)),
    )


def _lines(backend: Backend, after: int = 0, until: int | None = None) -> list[bytes]:
    return [bytes(line) for batch in backend.lines(after, until) for line in batch]


def _seqs(backend: Backend, after: int = 0, until: int | None = None) -> list[int]:
    return [int(line[7 : line.index(b",")]) for line in _lines(backend, after, until)]


class BackendContract:
    """Behaviour every backend must have: atomic, gap-free appends of stamped rows, read back."""

    #: Whether rows survive ``reopen`` (false for in-memory backends).
    durable: bool = True

    def make_backend(self, tmp_path: Path) -> Backend:
        """Return a new, empty backend (override)."""
        raise NotImplementedError

    def reopen(self, backend: Backend, tmp_path: Path) -> Backend:
        """Close ``backend`` and open the same log again (override for durable backends)."""
        raise NotImplementedError

    # -- the contract -------------------------------------------------------------------

    def test_empty(self, tmp_path: Path) -> None:
        """A new backend has no rows, no snapshots and a head of 0."""
        backend = self.make_backend(tmp_path)
        assert backend.head() == 0
        assert _lines(backend) == []
        assert backend.seq_at(format_timestamp(_T0)) == 0
        assert backend.record_hash(1) is None
        assert backend.load_snapshot("current", 1) is None
        assert backend.stream_lines("nope") == []

    def test_head_is_read_inside_the_append(self, tmp_path: Path) -> None:
        """The stamper gets the last row's seq, hash and time, and each stream's version."""
        backend = self.make_backend(tmp_path)
        seen: list[tuple[AppendHead, dict[str, int]]] = []
        first = append_pending(backend, [pending_recorded("a", "e1")], seen=seen)
        later = [pending_recorded("b", "e2"), pending_recorded("c", "e1", 2, RecordType.AMENDED)]
        append_pending(backend, later, _T0 + dt.timedelta(hours=1), seen=seen)
        (empty, _), (head, versions) = seen
        assert (empty.seq, empty.hash, empty.recorded_at) == (0, GENESIS_HASH, "")
        assert (head.seq, head.hash, head.recorded_at) == (1, first[0].hash, first[0].recorded_at)
        assert versions == {"e1": 1, "e2": 0}

    def test_appends_are_gap_free_and_read_back_byte_for_byte(self, tmp_path: Path) -> None:
        """Rows get seqs 1, 2, 3... across appends; lines come back exactly as written."""
        backend = self.make_backend(tmp_path)
        rows = list(append_pending(backend, [pending_recorded("a"), pending_recorded("b")]))
        rows += append_pending(backend, [pending_recorded("c")], _T0 + dt.timedelta(hours=1))
        assert [r.seq for r in rows] == [1, 2, 3] == _seqs(backend)
        assert backend.head() == 3
        assert _lines(backend) == [r.line for r in rows]
        assert [backend.record_hash(s) for s in (1, 2, 3)] == [r.hash for r in rows]
        raw = [pair for batch in backend.raw_rows() for pair in batch]
        assert [bytes(line) for line, _ in raw] == [r.line for r in rows]
        for (_, columns), row in zip(raw, rows, strict=True):
            if columns is not None:
                # seq and stream always; the other header fields all, or none where the
                # backend keeps them in the line alone (``Columns``).
                expected = (row.seq, row.stream, row.version, row.type, row.recorded_at, row.hash)
                assert tuple(columns[:2]) == expected[:2]
                assert tuple(columns[2:6]) in (expected[2:], (None, None, None, None))

    def test_ranges(self, tmp_path: Path) -> None:
        """lines(after, until) gives exactly after < seq <= until; lines_at gives seqs as asked."""
        backend = self.make_backend(tmp_path)
        rows = append_pending(backend, [pending_recorded(f"t{i}") for i in range(7)])
        assert _seqs(backend, 2, 5) == [3, 4, 5]
        assert _seqs(backend, 6) == [7]
        assert _seqs(backend, 7) == []
        assert _seqs(backend, until=2) == [1, 2]
        assert [bytes(x) for x in backend.lines_at([5, 1, 3])] == [
            rows[4].line,
            rows[0].line,
            rows[2].line,
        ]
        assert [bytes(x) for x in backend.lines_at([2, 7, 2])] == [
            rows[1].line,
            rows[6].line,
            rows[1].line,
        ]
        with pytest.raises(InvalidRecord, match="8"):
            backend.lines_at([1, 8])

    def test_streams(self, tmp_path: Path) -> None:
        """stream_lines gives one stream's lines oldest first; first_seq its first seq if known."""
        backend = self.make_backend(tmp_path)
        rows = append_pending(backend, [pending_recorded("a", "e1"), pending_recorded("x", "e2")])
        amended = pending_recorded("b", "e1", 2, RecordType.AMENDED)
        rows = [*rows, *append_pending(backend, [amended])]
        assert [bytes(x) for x in backend.stream_lines("e1")] == [rows[0].line, rows[2].line]
        assert backend.first_seq("e2") in (None, 2)
        assert backend.first_seq("nope") is None

    def test_a_failing_stamper_writes_nothing(self, tmp_path: Path) -> None:
        """An append whose stamper raises leaves the log as it was, and the next one works."""
        backend = self.make_backend(tmp_path)
        append_pending(backend, [pending_recorded("a", "e1")])

        def refuse(head: AppendHead) -> list[StoredRow]:
            raise ConcurrencyError("e1", 0, head.version("e1"))

        with pytest.raises(ConcurrencyError):
            backend.append_rows(refuse)
        assert backend.head() == 1
        assert [r.seq for r in append_pending(backend, [pending_recorded("b")])] == [2]

    def test_a_batch_is_written_whole_or_not_at_all(self, tmp_path: Path) -> None:
        """A batch with one taken (stream, version) is refused whole: ConcurrencyError."""
        backend = self.make_backend(tmp_path)
        append_pending(backend, [pending_recorded("a", "e1")])
        batch = [pending_recorded("b", "e2"), pending_recorded("c", "e1"), pending_recorded("d")]
        with pytest.raises(ConcurrencyError) as info:
            append_pending(backend, batch, taken=True)
        assert info.value.event_id == "e1"
        assert backend.head() == 1
        assert backend.stream_lines("e2") == []
        assert [r.seq for r in append_pending(backend, batch[:1])] == [2]

    def test_rows_must_continue_the_head(self, tmp_path: Path) -> None:
        """Rows whose seqs leave a gap after the head are refused, and nothing is written."""
        backend = self.make_backend(tmp_path)
        append_pending(backend, [pending_recorded("a")])

        def skip_one(head: AppendHead) -> list[StoredRow]:
            later = attrs.evolve(head, seq=head.seq + 1)
            rows, _ = stamp_rows(
                [pending_recorded("b")],
                later,
                lambda: _T0,
                hot_values=_hot_values if backend.keeps_hot else None,
            )
            return rows

        with pytest.raises(InvalidRecord, match="seq 3"):
            backend.append_rows(skip_one)
        assert backend.head() == 1

    def test_batches_are_one_append(self, tmp_path: Path) -> None:
        """append_batches writes every batch, in order, as one append; later batches see earlier."""
        backend = self.make_backend(tmp_path)
        first = append_pending(backend, [pending_recorded("a", "e1")])
        amend = pending_recorded("c", "e2", 2, RecordType.AMENDED)
        batches = [[pending_recorded("b", "e2")], [], [amend, pending_recorded("d", "e3")]]
        seen: list[dict[str, int]] = []
        assert append_pending_batches(backend, batches, seen=seen) == 3
        assert seen == [{"e2": 0}, {}, {"e2": 1, "e3": 0}]
        assert backend.head() == 4 == len(_lines(backend))
        assert [len(backend.stream_lines(s)) for s in ("e1", "e2", "e3")] == [1, 2, 1]
        assert _lines(backend, until=1) == [first[0].line]
        store = Store(backend)
        assert [r.batch_end for r in store.read_raw()] == [None, 4, 4, 4]
        assert verify_store(store).ok
        assert append_pending_batches(backend, [[], []]) == 0
        assert backend.head() == 4

    def test_a_failing_batch_writes_none_of_them(self, tmp_path: Path) -> None:
        """A stamper that fails after some batches leaves the log (and its terms) as it was."""
        backend = self.make_backend(tmp_path)
        append_pending(backend, [pending_recorded("a", "e1")])
        terms = len(backend.vocabulary())
        fresh = [[_pending_with_new_terms("b", "e2")], [_pending_with_new_terms("c", "e3")]]
        with pytest.raises(RuntimeError, match="middle"):
            append_pending_batches(backend, [*fresh, [pending_recorded("d")]], fail_after=2)
        assert backend.head() == 1
        assert backend.stream_lines("e2") == []
        assert len(backend.vocabulary()) == terms  # the terms it numbered are forgotten
        # ... and numbered again, in another order, by the next append.
        assert append_pending_batches(backend, [fresh[1], fresh[0]]) == 2
        assert backend.head() == 3
        if self.durable:
            backend = self.reopen(backend, tmp_path)
        assert verify_store(Store(backend)).ok

    def test_a_taken_version_in_a_later_batch_refuses_all(self, tmp_path: Path) -> None:
        """A (stream, version) the log has, in a later batch, refuses every batch."""
        backend = self.make_backend(tmp_path)
        append_pending(backend, [pending_recorded("a", "e1")])

        def stamp(head: AppendHead) -> Iterator[list[StoredRow]]:
            batches = [[pending_recorded("b", "e2")], [pending_recorded("c", "e1")]]
            for batch in batches:
                # As if e1 were new: the backend itself must refuse its version 1.
                rows, _ = stamp_rows(
                    batch,
                    attrs.evolve(head, version=lambda stream: 0),
                    lambda: _T0,
                    new_streams_checked=backend.unique_versions,
                    hot_values=_hot_values if backend.keeps_hot else None,
                    batch_end=head.seq + 2,
                )
                head = attrs.evolve(head, seq=rows[-1].seq, hash=rows[-1].hash)
                yield rows

        with pytest.raises(ConcurrencyError) as info:
            backend.append_batches(stamp)
        assert info.value.event_id == "e1"
        assert backend.head() == 1
        assert backend.stream_lines("e2") == []

    def test_batches_must_continue_each_other(self, tmp_path: Path) -> None:
        """A batch whose seqs leave a gap after the batch before is refused with all of them."""
        backend = self.make_backend(tmp_path)

        def stamp(head: AppendHead) -> Iterator[list[StoredRow]]:
            for title in ("a", "b"):
                rows, _ = stamp_rows(
                    [pending_recorded(title)],
                    head,
                    lambda: _T0,
                    hot_values=_hot_values if backend.keeps_hot else None,
                )
                head = attrs.evolve(head, seq=rows[-1].seq + 1, hash=rows[-1].hash)
                yield rows

        with pytest.raises(InvalidRecord, match="seq 3"):
            backend.append_batches(stamp)
        assert backend.head() == 0

    def test_seq_at(self, tmp_path: Path) -> None:
        """seq_at(stamp) is the last seq recorded at or before it, across batches."""
        backend = self.make_backend(tmp_path)
        for batch in range(12):
            at = _T0 + dt.timedelta(minutes=batch)
            append_pending(backend, [pending_recorded(f"e{batch}-{i}") for i in range(3)], at)
        assert backend.seq_at(format_timestamp(_T0 - dt.timedelta(seconds=1))) == 0
        for batch in range(12):
            at = _T0 + dt.timedelta(minutes=batch)
            assert backend.seq_at(format_timestamp(at)) == 3 * batch + 3
            before = at - dt.timedelta(microseconds=1)
            assert backend.seq_at(format_timestamp(before)) == 3 * batch
        assert backend.seq_at(format_timestamp(_T0 + dt.timedelta(days=1))) == 36

    def test_snapshots(self, tmp_path: Path) -> None:
        """Snapshots are kept per name and version; a newer one replaces the older; limit cuts."""
        backend = self.make_backend(tmp_path)
        backend.save_snapshot("current", 1, 5, b"five")
        backend.save_snapshot("current", 1, 7, b"seven" * 100)
        backend.save_snapshot("current", 2, 3, b"other")
        assert backend.load_snapshot("current", 1) == (7, b"seven" * 100)
        assert backend.load_snapshot("current", 1, limit=3) == (7, b"sev")
        assert backend.load_snapshot("current", 2) == (3, b"other")
        assert backend.load_snapshot("other", 1) is None

    def test_wait(self, tmp_path: Path) -> None:
        """Wait returns True once the head is past ``after``, False when the timeout passes."""
        backend = self.make_backend(tmp_path)
        append_pending(backend, [pending_recorded("a")])
        assert backend.wait(0, timeout=0.5)
        assert not backend.wait(1, timeout=0.05)

    def test_the_record_layer_over_it_verifies(self, tmp_path: Path) -> None:
        """Wrapped in a Store, the backend's log replays, decodes and verifies."""
        store = Store(self.make_backend(tmp_path))
        clock = iter(_T0 + dt.timedelta(seconds=i) for i in range(10))
        store.append([pending_recorded("a", "e1"), pending_recorded("b")], lambda: next(clock))
        store.append([pending_recorded("c", "e1", 2, RecordType.AMENDED)], lambda: next(clock))
        assert [r.seq for r in store.read()] == [1, 2, 3]
        assert sum(len(batch) for batch in store.read_hot()) == 3
        assert [r.version for r in store.stream("e1")] == [1, 2]
        assert [r.seq for r in store.records_at([3, 1])] == [3, 1]
        assert verify_store(store).ok

    def test_reopen_keeps_everything(self, tmp_path: Path) -> None:
        """A durable backend gives back the same rows and snapshots, and appends continue."""
        if not self.durable:
            pytest.skip("not a durable backend")
        backend = self.make_backend(tmp_path)
        rows = append_pending(backend, [pending_recorded("a", "e1"), pending_recorded("b")])
        backend.save_snapshot("current", 1, 2, b"state")
        again = self.reopen(backend, tmp_path)
        assert again.head() == 2
        assert _lines(again) == [r.line for r in rows]
        assert again.load_snapshot("current", 1) == (2, b"state")
        seen: list[tuple[AppendHead, dict[str, int]]] = []
        later = append_pending(
            again, [pending_recorded("c", "e1", 2, RecordType.AMENDED)], _T0, seen=seen
        )
        ((head, versions),) = seen
        assert (head.seq, head.hash, versions) == (2, rows[1].hash, {"e1": 1})
        assert [r.seq for r in later] == [3]
        assert verify_store(Store(again)).ok
