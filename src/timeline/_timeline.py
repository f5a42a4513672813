"""The Timeline: the face users import. Records, corrections, queries, replay."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

from ._errors import (
    ConcurrencyError,
    EventRetracted,
    InvalidEvent,
    ReadOnlyTimeline,
    TimelineError,
    UnknownEvent,
)
from ._exportreport import ExportReport
from ._jsonl import JsonlStore
from ._kinds import KindRegistry
from ._model import EVENT_FIELDS as _FIELDS
from ._model import Actor, Event
from ._plugins import PluginHost, default_host
from ._projection import CurrentState, EventFilter, Projection
from ._records import (
    CURRENT_SCHEMA,
    Payload,
    PendingRecord,
    Record,
    RecordType,
    encode_payload,
)
from ._sqlite import SqliteStore
from ._store import Clock, MemoryStore, Store
from ._verify import VerifyReport, verify_store
from ._when import When

__all__ = ["DEFAULT_PATH", "Timeline", "TimelineView", "open_timeline"]

#: The log ``timeline.open()`` uses when given no path and ``TIMELINE_DB`` is unset.
DEFAULT_PATH = "timeline.db"

#: Save a snapshot of the current state on close once this many records were
#: replayed or appended since the last one.
SNAPSHOT_EVERY = 10_000

P = TypeVar("P", bound=Projection)

DateLike = str | dt.date | dt.datetime | When | Any


def utc_now() -> dt.datetime:
    """Return the current time in UTC (the default clock)."""
    return dt.datetime.now(dt.timezone.utc)


#: After a pause in which at least this many GC-tracked objects were created,
#: they are moved straight to the oldest generation: see _bulk.
PROMOTE_AFTER = 100_000


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    # A replay keeps every decoded object alive, so each cyclic-GC pass re-walks
    # a growing heap for nothing (2-4x slower at 100k+ records, peer_baseline.md).
    # Afterwards the young generations would still walk all of it twice (0.18 s +
    # more per 100k records, some time after the replay), so a large batch is
    # promoted to the oldest generation with freeze() + unfreeze(): two list
    # splices, nothing pinned. Left frozen (an earlier version), every reopened
    # timeline stayed in memory. Skipped when the program froze objects itself.
    enabled = gc.isenabled()
    before = gc.get_count()[0]
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_count()[0] - before >= PROMOTE_AFTER and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _day_range(between: object) -> tuple[dt.date | None, dt.date | None]:
    if between is None:
        return None, None
    if isinstance(between, (str, bytes)) or not isinstance(between, Sequence) or len(between) != 2:
        raise InvalidEvent("between", between, "a (start, end) pair; either may be None")
    start = None if between[0] is None else When.coerce(between[0]).earliest
    end = None if between[1] is None else When.coerce(between[1]).latest
    if start is not None and end is not None and end < start:
        raise InvalidEvent("between", between, "a start on or before the end")
    return start, end


class _Reader:
    """Query methods shared by a Timeline and its read-only ``as_of`` views."""

    _state: CurrentState
    _store: Store
    _kinds: KindRegistry | None
    _plugins: PluginHost | None

    @property
    def plugins(self) -> PluginHost:
        """The plugin host this timeline uses (loaded on first use)."""
        if self._plugins is None:
            self._plugins = default_host()
        return self._plugins

    @property
    def kinds(self) -> KindRegistry:
        """The kinds this timeline accepts: built-ins plus those plugins register."""
        if self._kinds is None:
            registry = KindRegistry()
            for kind in self.plugins.kinds():
                registry.add(kind)
            self._kinds = registry
        return self._kinds

    @property
    def seq(self) -> int:
        """The seq of the last record this view reflects."""
        return self._state.seq

    def __len__(self) -> int:
        return len(self._state)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._state.latest

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events())

    def get(self, event_id: str, *, include_retracted: bool = False) -> Event:
        """Return the current version of an event.

        Raises:
            UnknownEvent: no event has this id.
            EventRetracted: it was retracted (pass ``include_retracted=True`` to see it).
        """
        return self._live_record(event_id, include_retracted).event  # type: ignore[return-value]

    def record_of(self, event_id: str, *, include_retracted: bool = False) -> Record:
        """Return the latest record (version, recorded_at, ...) of an event's current state.

        Raises:
            UnknownEvent: no event has this id.
            EventRetracted: it was retracted and ``include_retracted`` is false.
        """
        return self._live_record(event_id, include_retracted)

    def _live_record(self, event_id: str, include_retracted: bool = False) -> Record:
        record = self._state.latest.get(event_id)
        if record is not None:
            return record
        record = self._state.retracted.get(event_id)
        if record is None:
            raise UnknownEvent(event_id)
        if not include_retracted:
            raise EventRetracted(event_id)
        return record

    def is_retracted(self, event_id: str) -> bool:
        """Return whether the event was retracted.

        Raises:
            UnknownEvent: no event has this id.
        """
        if event_id in self._state.latest:
            return False
        if event_id in self._state.retracted:
            return True
        raise UnknownEvent(event_id)

    def version(self, event_id: str) -> int:
        """Return the event's stream version (the number of records about it).

        Raises:
            UnknownEvent: no event has this id.
        """
        version = self._state.version_of(event_id)
        if version == 0:
            raise UnknownEvent(event_id)
        return version

    def filter(
        self,
        *,
        actor: str | Actor | None = None,
        kind: str | None = None,
        tag: str | None = None,
        treaty: str | None = None,
        between: tuple[DateLike | None, DateLike | None] | None = None,
        include_retracted: bool = False,
    ) -> EventFilter:
        """Validate query filters and return them as an ``EventFilter``.

        Raises:
            InvalidEvent: a filter value is malformed (an unknown kind names the closest ones).
            InvalidDate: a ``between`` bound is not a date.
        """
        code = None if actor is None else Actor.coerce(actor).country
        if kind is not None and not any(c in kind for c in "*?[") and kind not in self.kinds:
            self.kinds.get(kind)  # raises UnknownKind with suggestions
        start, end = _day_range(between)
        return EventFilter(
            actor=code,
            kind=kind,
            tag=None if tag is None else tag.strip().lower(),
            treaty=treaty,
            start=start,
            end=end,
            include_retracted=include_retracted,
        )

    def records(self, where: EventFilter | None = None, **filters: Any) -> list[Record]:
        """Return the current records of matching events in timeline order.

        Takes an ``EventFilter`` or the keyword filters of ``events``.
        """
        return self._state.query(where if where is not None else self.filter(**filters))

    def iter_records(self, where: EventFilter | None = None, **filters: Any) -> Iterator[Record]:
        """Yield the current records of matching events in timeline order, without a list.

        What exporters use: memory stays flat however many events match.
        """
        return self._state.iter_query(where if where is not None else self.filter(**filters))

    def events(
        self,
        *,
        actor: str | Actor | None = None,
        kind: str | None = None,
        tag: str | None = None,
        treaty: str | None = None,
        between: tuple[DateLike | None, DateLike | None] | None = None,
        include_retracted: bool = False,
    ) -> list[Event]:
        """Return the matching events in timeline order (``When`` order, then id).

        Args:
            actor: a country code; events with this actor.
            kind: a kind, or a pattern with ``*`` wildcards (``treaty.*``).
            tag: events with this tag.
            treaty: events of this agreement.
            between: ``(start, end)``; events whose date bounds overlap the range.
            include_retracted: also return retracted events (their last state).

        Raises:
            InvalidEvent: a filter is malformed.
        """
        where = self.filter(
            actor=actor,
            kind=kind,
            tag=tag,
            treaty=treaty,
            between=between,
            include_retracted=include_retracted,
        )
        return [r.event for r in self._state.query(where)]  # type: ignore[misc]

    def history(self, event_id: str) -> list[Record]:
        """Return every record about an event, oldest first (up to this view's seq).

        Raises:
            UnknownEvent: no event has this id.
        """
        records = [r for r in self._store.stream(event_id) if r.seq <= self._state.seq]
        if not records:
            raise UnknownEvent(event_id)
        return records

    def export(
        self, format: str, dest: str | os.PathLike[str] | IO[Any], **options: Any
    ) -> ExportReport:
        """Write the timeline with the exporter called ``format``; say what it did.

        Returns:
            ``ExportReport``: the events written (``written``), those the filters
            matched, and those left out with why (``str(report)`` says it in a line).

        Raises:
            UnknownPlugin: no exporter has that name.
            NothingToExport: the format cannot be empty and no event is left (ICS).
        """
        exporter = self.plugins.exporter(format)
        report: ExportReport = exporter.export(self, dest, **options)
        return report

    def analyze(self, name: str, **options: Any) -> Any:
        """Run the analysis called ``name`` on this timeline and return its result.

        Raises:
            UnknownPlugin: no analysis has that name.
        """
        return self.plugins.analysis(name).analyze(self, **options)


class TimelineView(_Reader):
    """A read-only view of a timeline as it was known at a past seq (``Timeline.as_of``)."""

    def __init__(self, timeline: Timeline, state: CurrentState) -> None:
        self._state = state
        self._store = timeline._store
        self._kinds = timeline._kinds
        self._plugins = timeline._plugins
        self.timeline = timeline

    def __getattr__(self, name: str) -> Any:
        if name in {"record", "record_many", "amend", "retract", "import_file"}:
            raise ReadOnlyTimeline(f"an as_of view is read-only: {name}() is not available")
        raise AttributeError(name)


class Timeline(_Reader):
    """An event-sourced timeline over a store.

    Use ``timeline.open(path)`` rather than building one by hand.

    Args:
        store: where the log lives.
        clock: returns the current time (aware); injectable for tests.
        plugins: the plugin host; the process-wide default when omitted.
        snapshot_every: on close, save a snapshot if at least this many records were
            read or written since the last one (0 disables automatic snapshots).
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        plugins: PluginHost | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
    ) -> None:
        self._store = store
        self._clock = clock or utc_now
        self._plugins = plugins
        self._kinds = None
        self._closed = False
        self._snapshot_every = snapshot_every
        self._snapshot_seq = 0
        # Weakly: the store outlives a timeline dropped while the store is kept
        # (a dataset, a shared store), and must not keep its events in memory.
        this = weakref.ref(self)
        store.codec.find_more = lambda: () if (tl := this()) is None else tl.plugins.upcasters()
        self._state = self._open_state()

    # -- opening and replay -------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The store holding the log."""
        return self._store

    @property
    def repairs(self) -> list[str]:
        """Repairs the store made when it was opened (a torn JSON Lines tail, ...)."""
        return list(self._store.repairs)

    def _open_state(self) -> CurrentState:
        state = self._restore(until=None)
        with _bulk():
            state.apply_all(self._store.read(after=state.seq))
        return state

    def _restore(self, until: int | None) -> CurrentState:
        name, version = CurrentState.name, CurrentState.version
        store = self._store
        # Only the header is read here; the body waits until the state is first used.
        saved = store.load_snapshot(name, version, limit=CurrentState.HEADER_SIZE)
        if saved is None or (until is not None and saved[0] > until):
            return CurrentState()
        try:
            seq, head_hash = CurrentState.header(saved[1])
        except ValueError:
            return CurrentState()  # unreadable: replay from the start instead
        if seq != saved[0] or store.record_hash(seq) != head_hash:
            return CurrentState()  # the log no longer has that record: stale snapshot
        header = saved[1]

        def load() -> bytes:
            full = store.load_snapshot(name, version)
            if full is not None and full[1][: len(header)] == header:
                return full[1]
            # Another process replaced the snapshot since: rebuild this one's state.
            rebuilt = CurrentState()
            rebuilt.apply_all(store.read(until=seq))
            return rebuilt.snapshot(head_hash)

        self._snapshot_seq = seq
        return CurrentState.restore(seq, load)

    def replay(self, projection: P, until: int | None = None) -> P:
        """Fold the log (up to seq ``until``) into a projection and return it.

        Projections get every record in seq order, each decoded once; no hooks
        are called during replay.
        """
        apply_all = getattr(projection, "apply_all", None)
        records = self._store.read(until=until)
        with _bulk():
            if apply_all is not None:
                apply_all(records)
            else:
                apply = projection.apply
                for record in records:
                    apply(record)
        return projection

    def refresh(self) -> int:
        """Apply records other processes appended since this timeline last looked.

        Returns:
            How many records were applied.
        """
        before = self._state.seq
        with _bulk():
            self._state.apply_all(self._store.read(after=before))
        return self._state.seq - before

    def snapshot(self) -> int:
        """Save the current state beside the log so reopening replays only the tail.

        Returns:
            The seq the snapshot was taken at.
        """
        seq = self._state.seq
        head_hash = self._store.record_hash(seq) if seq else ""
        self._store.save_snapshot(
            CurrentState.name, CurrentState.version, seq, self._state.snapshot(head_hash or "")
        )
        self._snapshot_seq = seq
        return seq

    def as_of(
        self,
        point: int | dt.datetime | str | None = None,
        *,
        seq: int | None = None,
        recorded: dt.datetime | str | None = None,
    ) -> TimelineView:
        """Return a read-only view of the timeline as it was known at a past moment.

        Args:
            point: a seq (int) or a recorded time (aware datetime or ISO string).
            seq: the last record to include.
            recorded: include the records recorded at or before this time.

        Raises:
            InvalidEvent: no point, more than one, or a malformed one.
        """
        given = [p for p in (point, seq, recorded) if p is not None]
        if len(given) != 1:
            raise InvalidEvent("as_of", given, "exactly one of a seq or a recorded time")
        value = given[0]
        if isinstance(value, bool) or not isinstance(value, (int, dt.datetime, str)):
            raise InvalidEvent("as_of", value, "a seq (int) or a recorded time")
        if isinstance(value, int):
            if not 0 <= value <= self._state.seq:
                raise InvalidEvent(
                    "as_of", value, f"a seq from 0 to {self._state.seq} (the last record)"
                )
            until = value
        else:
            moment = value
            if isinstance(moment, str):
                when = When.coerce(moment)
                moment = when.start or dt.datetime.combine(
                    when.latest, dt.time.max, tzinfo=dt.timezone.utc
                )
            if moment.tzinfo is None:
                raise InvalidEvent("as_of", value, "an aware datetime (with a time zone)")
            until = self._store.seq_at(moment)
        until = min(until, self._state.seq)
        state = self._restore(until=until)
        with _bulk():
            state.apply_all(self._store.read(after=state.seq, until=until))
        state.seq = until
        return TimelineView(self, state)

    def verify(self) -> VerifyReport:
        """Walk the hash chain and report the first bad record, if any."""
        return verify_store(self._store)

    # -- writing ------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise TimelineError("this timeline is closed")

    def _coerce(self, item: Event | Mapping[str, Any], where: str = "") -> Event:
        try:
            if isinstance(item, Event):
                event = item
            elif isinstance(item, Mapping):
                unknown = set(item) - set(_FIELDS)
                if unknown:
                    name = sorted(unknown)[0]
                    raise InvalidEvent(name, item[name], f"one of the fields {_FIELDS}")
                missing = [f for f in _REQUIRED if f not in item]
                if missing:
                    raise InvalidEvent(
                        missing[0], None, "a value: kind, when and title are required"
                    )
                event = Event(**item)
            else:
                raise InvalidEvent("event", item, "an Event or a mapping of Event fields")
            if event.kind not in self.kinds:
                self.kinds.get(event.kind)
        except InvalidEvent as exc:
            if where:
                exc.args = (f"{where}: {exc.args[0]}",)
            raise
        except TypeError as exc:
            error = InvalidEvent("event", item, f"the Event fields ({exc})")
            if where:
                error.args = (f"{where}: {error.args[0]}",)
            raise error from None
        return event

    def _append(self, pending: list[PendingRecord], payloads: list[Payload]) -> list[Record]:
        stamps = self._store.append(pending, self._clock)
        if stamps and stamps[0][0] != self._state.seq + 1:
            # Another process appended first: fold its records in before ours.
            with _bulk():
                self._state.apply_all(
                    self._store.read(after=self._state.seq, until=stamps[0][0] - 1)
                )
        records = [
            Record(
                seq=s,
                stream=p.stream,
                version=p.version,
                type=p.type,
                recorded_at=at,
                schema=p.schema,
                payload=payload,
                hash=h,
            )
            for (s, at, h), p, payload in zip(stamps, pending, payloads, strict=True)
        ]
        self._state.apply_all(records)
        plugins = self._plugins
        if plugins is not None and plugins.has_append_subscribers:
            plugins.on_append(records)
        return records

    def record(self, event: Event | None = None, /, **fields: Any) -> Event:
        """Record a new event and return it (with its generated id).

        Takes an ``Event`` or its fields as keywords:
        ``tl.record(kind="treaty.signed", when="2025-02-18", title="...", actors=["RUS"])``.

        Raises:
            InvalidEvent: a field is bad, the kind is unknown, or the id is taken.
            InvalidDate: ``when`` cannot be understood.
        """
        if event is not None and fields:
            raise InvalidEvent("event", event, "an Event or keyword fields, not both")
        self._check_open()
        new = self._coerce(event if event is not None else fields)
        return self.record_many([new])[0]

    def record_many(self, events: Iterable[Event | Mapping[str, Any]]) -> list[Event]:
        """Record many new events in one atomic append (all or none).

        Raises:
            InvalidEvent: an event is bad (the message names its position); nothing is written.
        """
        self._check_open()
        batch = [self._coerce(item, f"event {i}") for i, item in enumerate(events)]
        seen: set[str] = set()
        schema = CURRENT_SCHEMA[RecordType.RECORDED.value]
        pending, payloads = [], []
        for i, event in enumerate(batch):
            # Ids already in the log are refused by the store's version check (below),
            # which needs no loaded state: appending to a reopened large log stays cheap.
            if event.id in seen:
                raise InvalidEvent(f"event {i}: id", event.id, "an id not used by another event")
            seen.add(event.id)
            payload = Payload(event=event)
            payloads.append(payload)
            pending.append(
                PendingRecord(
                    stream=event.id,
                    version=1,
                    type=RecordType.RECORDED,
                    schema=schema,
                    payload=encode_payload(payload),
                )
            )
        try:
            self._append(pending, payloads)
        except ConcurrencyError as exc:
            at = next(i for i, e in enumerate(batch) if e.id == exc.event_id)
            field = "id" if len(batch) == 1 else f"event {at}: id"
            raise InvalidEvent(field, exc.event_id, "an id not used by another event") from None
        return batch

    def _writable(self, event_id: str, expected_version: int | None) -> Record:
        self._check_open()
        self.refresh()
        record = self._live_record(event_id)
        if expected_version is not None and expected_version != record.version:
            raise ConcurrencyError(event_id, expected_version, record.version)
        return record

    @staticmethod
    def _reason(reason: object) -> str:
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidEvent("reason", reason, "a non-empty string saying why")
        return reason.strip()

    def amend(
        self,
        event_id: str,
        *,
        reason: str,
        expected_version: int | None = None,
        keep_phrase: bool = True,
        **changes: Any,
    ) -> Event:
        """Record a corrected version of an event and return it.

        A new ``when`` that refines the old one keeps the old phrase as written
        (``When.refine``): "in early December" amended to ``2025-12-02`` is still
        the date the article wrote. A ``when`` with words of its own replaces them.

        Args:
            event_id: the event to correct.
            reason: why (kept in the log).
            expected_version: fail unless the event is still at this version.
            keep_phrase: False drops the old phrase when ``when`` changes.
            **changes: the fields to change (validated like a new Event).

        Raises:
            UnknownEvent: no such event.
            EventRetracted: it was retracted.
            ConcurrencyError: it is no longer at ``expected_version``.
            InvalidEvent: a change is bad, or nothing changes.
        """
        why = self._reason(reason)
        current = self._writable(event_id, expected_version)
        old = current.event
        assert old is not None
        new = old.evolve(**changes)
        if keep_phrase and "when" in changes:
            new = new.evolve(when=old.when.refine(new.when))
        if new.kind != old.kind:
            self._coerce(new)
        changed = tuple(f for f in _FIELDS if getattr(new, f) != getattr(old, f))
        if not changed:
            raise InvalidEvent("changes", changes, "at least one field that differs")
        payload = Payload(event=new, changes=changed, reason=why)
        self._append(
            [
                PendingRecord(
                    stream=event_id,
                    version=current.version + 1,
                    type=RecordType.AMENDED,
                    schema=CURRENT_SCHEMA[RecordType.AMENDED.value],
                    payload=encode_payload(payload),
                )
            ],
            [payload],
        )
        return new

    def retract(self, event_id: str, *, reason: str, expected_version: int | None = None) -> Record:
        """Retract an event: hidden from queries from now on, kept in the log and in ``as_of``.

        Returns:
            The retraction record.

        Raises:
            UnknownEvent: no such event.
            EventRetracted: it was retracted already.
            ConcurrencyError: it is no longer at ``expected_version``.
        """
        why = self._reason(reason)
        current = self._writable(event_id, expected_version)
        payload = Payload(reason=why)
        return self._append(
            [
                PendingRecord(
                    stream=event_id,
                    version=current.version + 1,
                    type=RecordType.RETRACTED,
                    schema=CURRENT_SCHEMA[RecordType.RETRACTED.value],
                    payload=encode_payload(payload),
                )
            ],
            [payload],
        )[0]

    def import_file(
        self, format: str, source: str | os.PathLike[str] | IO[Any], **options: Any
    ) -> Any:
        """Import events with the importer called ``format`` (all or nothing by default).

        Raises:
            UnknownPlugin: no importer has that name.
        """
        self._check_open()
        return self.plugins.importer(format).import_into(self, source, **options)

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Save a snapshot if enough changed, then close the store. Idempotent."""
        if self._closed:
            return
        try:
            unsaved = self._state.seq - self._snapshot_seq
            if self._snapshot_every and unsaved >= self._snapshot_every:
                self.snapshot()
        finally:
            self._closed = True
            self._store.close()

    def __enter__(self) -> Timeline:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Timeline {self._store.location} events={len(self)} seq={self.seq}>"


#: The fields an event cannot do without.
_REQUIRED = ("kind", "when", "title")


def open_timeline(
    path: str | os.PathLike[str] | None = None,
    *,
    clock: Clock | None = None,
    plugins: PluginHost | None = None,
    snapshot_every: int = SNAPSHOT_EVERY,
) -> Timeline:
    """Open (or create) a timeline; the store is chosen from the path.

    ``.db`` / ``.sqlite`` / ``.sqlite3`` → SQLite (the default), ``.jsonl`` → JSON
    Lines, ``":memory:"`` → in memory. With no path, ``$TIMELINE_DB`` or
    ``timeline.db`` in the current directory.

    Raises:
        TimelineError: the suffix names no store, or the file is not a timeline log.
    """
    if path is not None:
        location = os.fspath(path)
    else:
        location = os.environ.get("TIMELINE_DB") or DEFAULT_PATH
    store: Store
    if location == ":memory:":
        store = MemoryStore()
    else:
        suffix = Path(location).suffix.lower()
        if suffix in {".db", ".sqlite", ".sqlite3"}:
            store = SqliteStore(location)
        elif suffix == ".jsonl":
            store = JsonlStore(location)
        else:
            raise TimelineError(
                f"cannot tell the store from {location!r}: use a .db or .sqlite file (SQLite), "
                "a .jsonl file (JSON Lines) or ':memory:'"
            )
    return Timeline(store, clock=clock, plugins=plugins, snapshot_every=snapshot_every)
