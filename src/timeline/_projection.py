"""Projections (read models folded from the log) and the built-in current state."""

from __future__ import annotations

import bisect
import datetime as dt
import fnmatch
import heapq
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, runtime_checkable

import msgspec

from ._model import Event
from ._records import Record, RecordType

__all__ = ["CurrentState", "EventFilter", "Projection"]

# Events spanning more than this many days ("since 2022", "2019~/2024-06") live
# in a small side list; the rest are found by bisecting their earliest day.
_LONG_SPAN = 400


@runtime_checkable
class Projection(Protocol):
    """A read model: anything with a name, a version and ``apply(record)``.

    ``Timeline.replay(projection)`` folds the log into it, oldest record first.
    Bump ``version`` whenever ``apply`` changes meaning: saved snapshots of other
    versions are then ignored.
    """

    name: str
    version: int

    def apply(self, record: Record) -> None:
        """Fold one record into the projection's state."""


class EventFilter(msgspec.Struct, frozen=True, kw_only=True):
    """The filters every query takes (``Timeline.events`` and the exporters)."""

    actor: str | None = None
    kind: str | None = None
    tag: str | None = None
    treaty: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    include_retracted: bool = False

    def matches(self, event: Event) -> bool:
        """Return whether one event passes every filter but ``include_retracted``."""
        if self.actor is not None and all(a.country != self.actor for a in event.actors):
            return False
        if self.kind is not None and not fnmatch.fnmatchcase(event.kind, self.kind):
            return False
        if self.tag is not None and self.tag not in event.tags:
            return False
        if self.treaty is not None and event.treaty != self.treaty:
            return False
        if self.start is not None or self.end is not None:
            return event.when.overlaps(self.start, self.end)
        return True


class _Snapshot(msgspec.Struct, array_like=True):
    latest: list[Record]
    retracted: list[Record]


# A snapshot is this header (seq, and the hash of the record at seq) then the
# msgpack body; the header alone says whether the snapshot still fits the log.
_HEADER = 8 + 64


def _sort_key(record: Record) -> tuple[object, ...]:
    event = record.event
    assert event is not None  # only live or retracted-with-state records are sorted
    return (event.when.sort_key, event.id)


class _Index:
    """Secondary indexes over the live events, kept up to date incrementally."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.sets: dict[str, dict[str, set[str]]] = {
            "actor": {},
            "kind": {},
            "tag": {},
            "treaty": {},
        }
        self.by_start: list[tuple[int, str]] = []
        self.long: dict[str, tuple[int, int]] = {}
        #: Every live record in timeline order: queries and exports walk it
        #: instead of building a sort key per event each time (constant memory).
        self.order: list[Record] = []
        for record in records:
            self.add(record, bulk=True)
        self.by_start.sort()
        self.order.sort(key=_sort_key)

    @staticmethod
    def _keys(event: Event) -> Iterator[tuple[str, str]]:
        for actor in event.actors:
            yield "actor", actor.country
        yield "kind", event.kind
        for tag in event.tags:
            yield "tag", tag
        if event.treaty is not None:
            yield "treaty", event.treaty

    def add(self, record: Record, bulk: bool = False) -> None:
        event = record.event
        assert event is not None
        if bulk:
            self.order.append(record)
        else:
            bisect.insort(self.order, record, key=_sort_key)
        for name, key in self._keys(event):
            self.sets[name].setdefault(key, set()).add(event.id)
        lo, hi = event.when.earliest.toordinal(), event.when.latest.toordinal()
        if hi - lo > _LONG_SPAN:
            self.long[event.id] = (lo, hi)
        elif bulk:
            self.by_start.append((lo, event.id))
        else:
            bisect.insort(self.by_start, (lo, event.id))

    def remove(self, record: Record) -> None:
        event = record.event
        assert event is not None
        at = bisect.bisect_left(self.order, _sort_key(record), key=_sort_key)
        while at < len(self.order) and self.order[at] is not record:
            at += 1  # equal keys: find this very record
        if at < len(self.order):
            del self.order[at]
        for name, key in self._keys(event):
            self.sets[name][key].discard(event.id)
        if self.long.pop(event.id, None) is None:
            item = (event.when.earliest.toordinal(), event.id)
            at = bisect.bisect_left(self.by_start, item)
            if at < len(self.by_start) and self.by_start[at] == item:
                del self.by_start[at]

    def overlapping(
        self, start: dt.date | None, end: dt.date | None, latest: dict[str, Record]
    ) -> set[str]:
        lo = start.toordinal() if start is not None else 0
        hi = end.toordinal() if end is not None else dt.date.max.toordinal()
        first = bisect.bisect_left(self.by_start, (lo - _LONG_SPAN, ""))
        last = bisect.bisect_right(self.by_start, (hi, "\uffff"))
        found = set()
        for _, event_id in self.by_start[first:last]:
            event = latest[event_id].event
            assert event is not None
            if event.when.latest.toordinal() >= lo:
                found.add(event_id)
        found.update(i for i, (a, b) in self.long.items() if a <= hi and b >= lo)
        return found


class CurrentState:
    """The built-in projection: the latest version of every event.

    Retracted events are hidden from queries but kept (``include_retracted``).
    Indexes by actor, kind, tag, treaty and date bounds are built on the first
    query and then kept up to date, so replay itself only decodes and stores.

    A state restored from a snapshot decodes the snapshot on first use: records
    applied before that wait in a tail, so reopening a large log and appending
    to it costs only the tail (``timeline add`` on a million-record log).
    """

    name = "current"
    version = 1

    def __init__(self) -> None:
        self.seq = 0
        self._latest: dict[str, Record] = {}
        self._retracted: dict[str, Record] = {}
        self._index: _Index | None = None
        self._base: Callable[[], bytes] | None = None
        self._tail: list[Record] = []

    @property
    def latest(self) -> dict[str, Record]:
        """The current record of every live event, by id."""
        if self._base is not None:
            self._load()
        return self._latest

    @property
    def retracted(self) -> dict[str, Record]:
        """The last live record of every retracted event, by id."""
        if self._base is not None:
            self._load()
        return self._retracted

    @property
    def loaded(self) -> bool:
        """Whether the state is in memory (false while a restored snapshot waits)."""
        return self._base is None

    def _load(self) -> None:
        load, self._base = self._base, None
        assert load is not None
        snap = msgspec.msgpack.decode(load()[_HEADER:], type=_Snapshot)
        self._latest = {r.stream: r for r in snap.latest}
        self._retracted = {r.stream: r for r in snap.retracted}
        tail, self._tail = self._tail, []
        seq = self.seq
        self.apply_all(tail)
        self.seq = seq

    def apply(self, record: Record) -> None:
        """Fold one record in."""
        if self._base is not None:
            self._tail.append(record)
            self.seq = record.seq
            return
        self.seq = record.seq
        stream = record.stream
        if record.type is RecordType.RETRACTED:
            previous = self._latest.pop(stream, None)
            if previous is not None:
                # Keep the last known state so a retracted event can still be shown.
                self._retracted[stream] = previous
                if self._index is not None:
                    self._index.remove(previous)
            return
        if self._index is not None:
            old = self._latest.get(stream)
            if old is not None:
                self._index.remove(old)
            self._index.add(record)
        self._latest[stream] = record

    def apply_all(self, records: Iterable[Record]) -> None:
        """Fold many records in (the replay loop: no per-record indirection)."""
        if self._base is not None:
            self._tail.extend(records)
            if self._tail:
                self.seq = self._tail[-1].seq
            return
        latest = self._latest
        apply = self.apply
        retracted = RecordType.RETRACTED
        indexed = self._index is not None
        record = None
        for record in records:
            if record.type is retracted or indexed:
                apply(record)
            else:
                latest[record.stream] = record
        if record is not None:
            self.seq = record.seq

    def version_of(self, event_id: str) -> int:
        """Return the stream version of an event (0 when unknown)."""
        record = self.latest.get(event_id)
        if record is not None:
            return record.version
        retracted = self.retracted.get(event_id)
        return 0 if retracted is None else retracted.version + 1

    def __len__(self) -> int:
        return len(self.latest)

    def query(self, where: EventFilter) -> list[Record]:
        """Return the records of the events passing ``where``, in timeline order."""
        return list(self.iter_query(where))

    def iter_query(self, where: EventFilter) -> Iterator[Record]:
        """Yield the records of the events passing ``where``, in timeline order.

        Walks the timeline-order index, so a large result (an export) needs no
        per-event sort key nor a list of its own.
        """
        candidates = self._candidates(where)
        index = self._index
        assert index is not None
        if candidates is not None and len(candidates) * 8 < len(index.order):
            # Few matches: sorting them beats walking the whole order.
            live = sorted((self.latest[i] for i in candidates), key=_sort_key)
        elif candidates is None:
            live = index.order
        else:
            live = [r for r in index.order if r.stream in candidates]
        if not where.include_retracted:
            yield from live
            return
        gone = sorted(
            (r for r in self.retracted.values() if where.matches(r.event)),  # type: ignore[arg-type]
            key=_sort_key,
        )
        yield from heapq.merge(live, gone, key=_sort_key)

    def _candidates(self, where: EventFilter) -> set[str] | None:
        if self._index is None:
            self._index = _Index(self.latest.values())
        index = self._index
        candidates: set[str] | None = None
        for name, value in (("actor", where.actor), ("tag", where.tag), ("treaty", where.treaty)):
            if value is not None:
                found = index.sets[name].get(value, set())
                candidates = found if candidates is None else candidates & found
        if where.kind is not None:
            if "*" in where.kind or "?" in where.kind or "[" in where.kind:
                kinds = [k for k in index.sets["kind"] if fnmatch.fnmatchcase(k, where.kind)]
                found = set().union(*(index.sets["kind"][k] for k in kinds))
            else:
                found = index.sets["kind"].get(where.kind, set())
            candidates = found if candidates is None else candidates & found
        if where.start is not None or where.end is not None:
            if candidates is None or len(candidates) > 256:
                found = index.overlapping(where.start, where.end, self.latest)
                candidates = found if candidates is None else candidates & found
            else:
                candidates = {
                    i
                    for i in candidates
                    if self.latest[i].event.when.overlaps(where.start, where.end)  # type: ignore[union-attr]
                }
        return candidates

    def snapshot(self, head_hash: str) -> bytes:
        """Return the state as bytes (msgpack) for ``Store.save_snapshot``.

        Args:
            head_hash: the hash of the record at ``self.seq``; a restore checks the
                log still has it there, so a snapshot never outlives its log.
        """
        header = self.seq.to_bytes(8, "big") + head_hash.encode().ljust(64)
        body = _Snapshot(list(self.latest.values()), list(self.retracted.values()))
        return header + msgspec.msgpack.encode(body)

    @staticmethod
    def header(data: bytes) -> tuple[int, str]:
        """Return the seq and head hash a snapshot's bytes start with.

        Raises:
            ValueError: the bytes are too short to be a snapshot.
        """
        if len(data) < _HEADER:
            raise ValueError("not a snapshot: too short")
        return int.from_bytes(data[:8], "big"), data[8:_HEADER].decode().strip()

    #: How many bytes ``header`` needs.
    HEADER_SIZE = _HEADER

    @classmethod
    def restore(cls, seq: int, load: Callable[[], bytes]) -> CurrentState:
        """Return a state at ``seq`` whose snapshot bytes ``load()`` returns on first use."""
        state = cls()
        state.seq = seq
        state._base = load
        return state
