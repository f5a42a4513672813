"""``StoreContract``: the tests every store (``timeline.Store`` over its backend) must pass.

Subclass it in a test module and implement ``make_store`` (and ``reopen`` /
``tamper`` for durable stores), as the four built-in stores do::

    class TestMyStore(StoreContract):
        def make_store(self, tmp_path):
            return timeline.Store(MyBackend(tmp_path / "log.my"))

The backend alone has its own contract, ``BackendContract`` (``_backends.py``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from .._errors import ConcurrencyError, InvalidRecord, TimelineError
from .._model import Event
from .._records import CURRENT_SCHEMA, Payload, PendingRecord, RecordType, encode_payload
from .._store import Store
from .._verify import verify_store

__all__ = ["StoreContract", "pending_recorded"]

_T0 = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)


def pending_recorded(
    title: str,
    event_id: str | None = None,
    version: int = 1,
    type_: RecordType = RecordType.RECORDED,
) -> PendingRecord:
    """Return a pending record of a small valid event (a test helper)."""
    event = Event(
        kind="treaty.signed",
        when="2025-02-18",
        title=title,
        actors=["RUS", "IND"],
        **({"id": event_id} if event_id else {}),
    )
    payload = Payload(event=event) if type_ is not RecordType.RETRACTED else Payload(reason="x")
    return PendingRecord(
        stream=event.id,
        version=version,
        type=type_,
        schema=CURRENT_SCHEMA[type_.value],
        payload=encode_payload(payload),
    )


class _Clock:
    def __init__(self, start: dt.datetime = _T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


class StoreContract:
    """Behaviour every store must have: atomic, gap-free, versioned, hash-chained appends."""

    #: Whether records survive ``reopen`` (false for in-memory stores).
    durable: bool = True

    def make_store(self, tmp_path: Path) -> Store:
        """Return a new, empty store (override)."""
        raise NotImplementedError

    def reopen(self, store: Store, tmp_path: Path) -> Store:
        """Close ``store`` and open the same log again (override for durable stores)."""
        raise NotImplementedError

    def tamper(self, store: Store, seq: int, old: bytes, new: bytes) -> None:
        """Replace bytes ``old`` by ``new`` in the stored payload at ``seq`` (override)."""
        raise NotImplementedError

    # -- the contract -------------------------------------------------------------------

    def test_empty_store(self, tmp_path: Path) -> None:
        """A new store is empty and verifies."""
        store = self.make_store(tmp_path)
        assert store.head() == 0
        assert list(store.read()) == []
        assert verify_store(store).ok

    def test_append_assigns_gap_free_seq(self, tmp_path: Path) -> None:
        """Appends number records 1, 2, 3... across calls, in order."""
        store = self.make_store(tmp_path)
        first = store.append([pending_recorded("a"), pending_recorded("b")], _Clock())
        second = store.append([pending_recorded("c")], _Clock(_T0 + dt.timedelta(hours=1)))
        assert [s[0] for s in first + second] == [1, 2, 3]
        assert store.head() == 3
        assert [r.event.title for r in store.read()] == ["a", "b", "c"]  # type: ignore[union-attr]

    def test_read_bounds(self, tmp_path: Path) -> None:
        """read(after, until) yields exactly after < seq <= until."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded(str(i)) for i in range(5)], _Clock())
        assert [r.seq for r in store.read(after=2, until=4)] == [3, 4]
        assert [r.seq for r in store.read(after=4)] == [5]
        assert [r.seq for r in store.read_raw(until=2)] == [1, 2]

    def test_duplicate_version_refused(self, tmp_path: Path) -> None:
        """A second version 1 of a stream is a ConcurrencyError and writes nothing."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a", "e1")], _Clock())
        with pytest.raises(ConcurrencyError) as info:
            store.append([pending_recorded("b", "e2"), pending_recorded("c", "e1")], _Clock())
        assert info.value.event_id == "e1"
        assert store.head() == 1

    def test_append_batches_is_one_append(self, tmp_path: Path) -> None:
        """append_batches writes its batches as one append: one batch_end, seqs in order."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a")], _Clock())
        amend = pending_recorded("c2", "e5", 2, RecordType.AMENDED)
        batches = [[pending_recorded("b"), pending_recorded("c", "e5")], [], [amend]]
        assert store.append_batches(iter(batches), 3, _Clock()) == (2, 4)
        raws = list(store.read_raw())
        assert [r.batch_end for r in raws] == [None, 4, 4, 4]
        assert len({r.recorded_at for r in raws[1:]}) == 1  # one moment, as one append
        assert [r.event.title for r in store.read()] == ["a", "b", "c", "c2"]  # type: ignore[union-attr]
        assert [r.version for r in store.stream("e5")] == [1, 2]
        assert verify_store(store).ok
        assert store.append_batches(iter([]), 0, _Clock()) == (5, 4)

    def test_append_batches_all_or_nothing(self, tmp_path: Path) -> None:
        """A refused record (or a wrong total) in a later batch writes none of the batches."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a", "e1")], _Clock())
        batches = [[pending_recorded("b", "e2")], [pending_recorded("c", "e1")]]
        with pytest.raises(ConcurrencyError) as info:
            store.append_batches(iter(batches), 2, _Clock())
        assert info.value.event_id == "e1"
        with pytest.raises(InvalidRecord, match="1 records, not 2"):
            store.append_batches(iter([[pending_recorded("f", "e3")]]), 2, _Clock())
        too_many = [[pending_recorded("f", "e3")], [pending_recorded("g", "e4")]]
        with pytest.raises(InvalidRecord, match="more than 1 records"):
            store.append_batches(iter(too_many), 1, _Clock())
        assert store.head() == 1
        store.append([pending_recorded("d", "e2")], _Clock())
        assert verify_store(store).ok

    def test_version_gap_refused(self, tmp_path: Path) -> None:
        """A version that skips one is refused."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a", "e1")], _Clock())
        with pytest.raises(ConcurrencyError):
            store.append(
                [pending_recorded("a", "e1", version=3, type_=RecordType.AMENDED)], _Clock()
            )
        assert store.head() == 1

    def test_stream_history(self, tmp_path: Path) -> None:
        """stream() gives one event's records oldest first."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a", "e1"), pending_recorded("x", "e2")], _Clock())
        store.append([pending_recorded("b", "e1", 2, RecordType.AMENDED)], _Clock())
        assert [r.version for r in store.stream("e1")] == [1, 2]
        assert store.stream("nope") == []

    def test_recorded_at_never_goes_back(self, tmp_path: Path) -> None:
        """A clock running backwards cannot make recorded_at decrease along seq."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a")], _Clock(_T0 + dt.timedelta(days=1)))
        store.append([pending_recorded("b")], _Clock(_T0))
        times = [r.recorded_at for r in store.read()]
        assert times == sorted(times)

    def test_seq_at(self, tmp_path: Path) -> None:
        """seq_at(moment) is the last seq recorded at or before it."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a")], _Clock(_T0))
        store.append([pending_recorded("b")], _Clock(_T0 + dt.timedelta(days=1)))
        assert store.seq_at(_T0) == 0
        assert store.seq_at(_T0 + dt.timedelta(hours=1)) == 1
        assert store.seq_at(_T0 + dt.timedelta(days=2)) == 2

    def test_seq_at_many_batches(self, tmp_path: Path) -> None:
        """seq_at is exact at, between and around every batch of a longer log."""
        store = self.make_store(tmp_path)
        batches = []  # (time, size, last seq) of each append
        for batch in range(60):
            at = _T0 + dt.timedelta(minutes=batch)
            size = 1 + batch % 7  # batches of 1-7 records share one timestamp
            store.append(
                [pending_recorded(f"e{batch}-{i}") for i in range(size)],
                lambda at=at: at,  # type: ignore[misc]
            )
            batches.append((at, size, store.head()))
        assert store.seq_at(_T0 - dt.timedelta(seconds=1)) == 0
        for at, size, seq in batches:
            assert store.seq_at(at) == seq
            assert store.seq_at(at + dt.timedelta(seconds=30)) == seq
            assert store.seq_at(at - dt.timedelta(microseconds=1)) == seq - size
        assert store.seq_at(_T0 + dt.timedelta(days=1)) == batches[-1][2]

    def test_snapshots(self, tmp_path: Path) -> None:
        """Snapshots are kept per name and version; a newer one replaces the older."""
        store = self.make_store(tmp_path)
        assert store.load_snapshot("current", 1) is None
        store.save_snapshot("current", 1, 5, b"five")
        store.save_snapshot("current", 1, 7, b"seven")
        store.save_snapshot("current", 2, 3, b"other")
        assert store.load_snapshot("current", 1) == (7, b"seven")
        assert store.load_snapshot("current", 1, limit=2) == (7, b"se")
        assert store.load_snapshot("current", 2) == (3, b"other")

    def test_hash_chain_verifies(self, tmp_path: Path) -> None:
        """Every record's hash chains to the previous one."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded(str(i)) for i in range(3)], _Clock())
        report = verify_store(store)
        assert report.ok
        assert report.checked == 3
        assert store.record_hash(3) == report.head_hash

    def test_changed_payload_byte_is_found(self, tmp_path: Path) -> None:
        """Changing one byte of a stored payload is reported at its seq."""
        store = self.make_store(tmp_path)
        store.append([pending_recorded("alpha"), pending_recorded("bravo")], _Clock())
        try:
            self.tamper(store, 2, b"bravo", b"brava")
        except NotImplementedError:
            pytest.skip("this store gives no way to tamper with it")
        report = verify_store(store)
        assert not report.ok
        assert report.first_bad_seq == 2
        assert "payload changed" in (report.reason or "")

    def test_reopen_keeps_everything(self, tmp_path: Path) -> None:
        """A durable store gives back the same records, hashes and snapshots after reopening."""
        if not self.durable:
            pytest.skip("not a durable store")
        store = self.make_store(tmp_path)
        store.append([pending_recorded("a"), pending_recorded("b")], _Clock())
        store.save_snapshot("current", 1, 2, b"state")
        before = list(store.read())
        again = self.reopen(store, tmp_path)
        assert before == list(again.read())
        assert again.load_snapshot("current", 1) == (2, b"state")
        again.append([pending_recorded("c")], _Clock(_T0 + dt.timedelta(days=1)))
        assert verify_store(again).ok

    def test_clustered_copy_kept_or_refused(self, tmp_path: Path) -> None:
        """``keep_clustered(True)`` keeps a copy in timeline order, or refuses; the log unchanged.

        A store that keeps one gives the live events in timeline order from it, kept
        by later appends; one that keeps none raises ``TimelineError`` and says "off".
        """
        store = self.make_store(tmp_path)
        store.append([pending_recorded("b", "e2"), pending_recorded("a", "e1")], _Clock())
        before = list(store.read())
        try:
            store.keep_clustered(True)
        except TimelineError:
            assert store.clustered == "off"
            assert list(store.read()) == before
            return
        assert store.clustered == "on"
        assert list(store.read()) == before
        store.append([pending_recorded("c", "e3")], _Clock(_T0 + dt.timedelta(days=1)))
        assert store.clustered == "on"
        walked = store.clustered_events(3, 3)
        assert walked is not None
        assert [e.title for batch in walked for e in batch] == ["a", "b", "c"]  # by id: one day
        assert verify_store(store).ok
        store.keep_clustered(False)
        assert store.clustered == "off"
        assert store.clustered_events(3, 3) is None
