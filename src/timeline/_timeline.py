"""The Timeline: the face users import. Records, corrections, queries, replay."""

from __future__ import annotations

import datetime as dt
import os
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, TypeVar

from ._collector import paused as collector_paused
from ._columns import NO_VALUES, hot_fields
from ._errors import (
    ConcurrencyError,
    EventNotRetracted,
    InvalidEvent,
    LogTruncated,
    ReadOnlyTimeline,
    TimelineError,
)
from ._extensions import (
    Importer,
    ImportReport,
)
from ._follow import follow_records
from ._importing import run_import
from ._keptarrow import KEEP_ARROW_FROM, ArrowKeeping
from ._model import EVENT_FIELDS as _FIELDS
from ._model import Event
from ._plugins import PluginHost, default_host
from ._projection import CurrentState, Projection
from ._records import (
    CURRENT_SCHEMA,
    Payload,
    PendingRecord,
    Record,
    RecordType,
    encode_payload,
)
from ._results import notebook
from ._search import close_index
from ._snapshot import HEADER_SIZE as SNAPSHOT_HEADER
from ._snapshot import SnapshotDamaged, SnapshotSections, read_header, vouched
from ._snapshot import bind as bind_snapshot
from ._store import Clock, Store
from ._store_registry import open_store
from ._timelinereading import TimelineReading
from ._verify import LogHead, VerifyProgress, VerifyReport, verify_store
from ._when import When

if TYPE_CHECKING:
    pass

__all__ = ["DEFAULT_PATH", "Timeline", "TimelineView", "open_timeline"]

#: The log ``timeline.open()`` uses when given no path and ``TIMELINE_DB`` is unset.
DEFAULT_PATH = "timeline.db"

#: Save a snapshot of the current state on close once this many records were
#: replayed or appended since the last one.
SNAPSHOT_EVERY = 10_000

P = TypeVar("P", bound=Projection)


def utc_now() -> dt.datetime:
    """Return the current time in UTC (the default clock)."""
    return dt.datetime.now(dt.timezone.utc)


class TimelineView(TimelineReading):
    """A read-only view of a timeline as it was known at a past seq (``Timeline.as_of``)."""

    def __init__(self, timeline: Timeline, state: CurrentState) -> None:
        self._state = state
        self._store = timeline._store
        self._kinds = timeline._kinds
        self._plugins = timeline._plugins
        self.timeline = timeline

    def _repr_html_(self) -> str | None:
        """Draw this view's timeline in a notebook (the ``html`` exporter), or None."""
        return notebook(self, self)

    def __getattr__(self, name: str) -> Any:
        if name in {"record", "record_many", "amend", "retract", "restore", "import_file"}:
            raise ReadOnlyTimeline(f"an as_of view is read-only: {name}() is not available")
        raise AttributeError(name)


class Timeline(TimelineReading):
    """An event-sourced timeline over a store.

    Use ``timeline.open(path)`` rather than building one by hand.

    Args:
        store: where the log lives.
        clock: returns the current time (aware); injectable for tests.
        plugins: the plugin host; the process-wide default when omitted.
        snapshot_every: on close, save a snapshot if at least this many records were
            read or written since the last one (0 disables automatic snapshots).
        keep_arrow_from: keep the Arrow table of the whole timeline in the store when
            it has at least this many rows, most of them built (0: never keep one);
            ``docs/analytics.md``, "The kept table".
    """

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock | None = None,
        plugins: PluginHost | None = None,
        snapshot_every: int = SNAPSHOT_EVERY,
        keep_arrow_from: int = KEEP_ARROW_FROM,
    ) -> None:
        self._store = store
        self._clock = clock or utc_now
        self._plugins = plugins
        self._kinds = None
        self._closed = False
        self._snapshot_every = snapshot_every
        self._snapshot_seq = 0
        self._arrow_keeping = ArrowKeeping(keep_arrow_from)
        # Weakly: the store outlives a timeline dropped while the store is kept
        # (a dataset, a shared store), and must not keep its events in memory.
        this = weakref.ref(self)
        store.codec.find_more = lambda: () if (tl := this()) is None else tl.plugins.upcasters()
        self._state = self._open_state()

    # -- opening and replay -------------------------------------------------------------

    @property
    def repairs(self) -> list[str]:
        """Repairs noted since the store was opened (a torn JSON Lines tail, a snapshot ignored)."""
        return list(self._store.repairs)

    def _open_state(self) -> CurrentState:
        state = self._restore(until=None)
        self._snapshot_seq = state.seq
        with collector_paused():
            state.fold(self._store.read_hot(after=state.seq))
        return state

    def _restore(self, until: int | None) -> CurrentState:
        """Return the state of the saved snapshot, if it fits the log (and ``until``).

        Only the header is read here; the body is read, and checked against its
        digest, when the state is first used. A snapshot the chain does not vouch
        for is never used: the state is rebuilt from the log instead, and the
        reason is noted in ``repairs``.

        Raises:
            LogTruncated: the snapshot was taken at a seq past the log's head.
        """
        name, version = CurrentState.name, CurrentState.version
        store = self._store
        saved = store.load_snapshot(name, version, limit=SNAPSHOT_HEADER)
        if saved is None:
            return CurrentState(store)
        try:
            header = read_header(saved[1])
        except ValueError:
            self._note(f"the saved snapshot at seq {saved[0]} is unreadable: ignored")
            return CurrentState(store)
        head = store.head()
        if header.seq > head:
            raise LogTruncated(store.location, header.seq, head)
        if until is not None and header.seq > until:
            return CurrentState(store)
        if not vouched(header, saved[0], store.record_hash):
            self._note(
                f"the saved snapshot does not match the log's record {header.seq} (the log was "
                "rewritten, or the snapshot damaged): ignored; run verify"
            )
            return CurrentState(store)
        seq, expected = header.seq, saved[1][:SNAPSHOT_HEADER]

        def rebuild(until: int) -> CurrentState:
            rebuilt = CurrentState(store)
            with collector_paused():
                rebuilt.fold(store.read_hot(until=until))
            return rebuilt

        def unchanged() -> bool:
            now = store.load_snapshot(name, version, limit=SNAPSHOT_HEADER)
            return now is not None and now[1][:SNAPSHOT_HEADER] == expected

        def damaged(reason: str) -> None:
            # Replaced by another process since (its sections moved): rebuilt, no repair.
            if unchanged():
                self._note(
                    f"the saved snapshot at seq {seq} does not match its digest ({reason}: "
                    "edited or damaged): ignored, the state was rebuilt from the log"
                )

        def load() -> SnapshotSections | CurrentState:
            if unchanged():
                try:
                    return SnapshotSections(
                        header, lambda parts: store.read_snapshot_parts(name, version, parts)
                    )
                except SnapshotDamaged as exc:
                    damaged(str(exc))
            return rebuild(seq)

        return CurrentState.restore(seq, load, store, rebuild=rebuild, on_damage=damaged)

    def _read_state_later(self) -> None:
        """Let go of the state in memory: the first query after opens it again, at the head.

        The snapshot (or an empty state) waits, and the records after it are folded
        when a query first needs them (``CurrentState.read_later``).
        """
        store = self._store
        head = store.head()
        state = self._restore(until=None)
        if state.loaded:  # no snapshot: the whole log is folded on first use

            def rebuild(until: int) -> CurrentState:
                rebuilt = CurrentState(store)
                with collector_paused():
                    rebuilt.fold(store.read_hot(until=until))
                return rebuilt

            state = CurrentState.restore(0, lambda: CurrentState(store), store, rebuild=rebuild)
        state.read_later(head, lambda after: store.read_hot(after=after, until=head))
        self._state = state

    def _note(self, repair: str) -> None:
        self._store.repairs.append(f"{self._store.location}: {repair}")

    def replay(self, projection: P, until: int | None = None) -> P:
        """Fold the log (up to seq ``until``) into a projection and return it.

        Projections get every record in seq order, each decoded once; no hooks
        are called during replay.
        """
        apply_all = getattr(projection, "apply_all", None)
        records = self._store.read(until=until)
        with collector_paused():
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
        with collector_paused():
            self._state.fold(self._store.read_hot(after=before))
        return self._state.seq - before

    def follow(self, after: int | None = None, *, timeout: float | None = None) -> Iterator[Record]:
        """Yield new records as this and other processes commit them, each seq once, in order.

        The timeline's own state takes each record in as it is yielded, so queries
        on it stay current while it follows. On PostgreSQL it waits on
        ``LISTEN``/``NOTIFY``; the other stores are polled.

        Args:
            after: the last seq already seen; this timeline's seq when omitted
                (only records appended from now on), 0 for the whole log.
            timeout: stop after this many seconds without a new record (None: never).
        """
        self._check_open()
        start = self._state.seq if after is None else after
        for record in follow_records(self._store, start, timeout=timeout):
            if record.seq == self._state.seq + 1:
                self._state.apply_all((record,))
            yield record

    def snapshot(self) -> int:
        """Save the current state beside the log so reopening replays only the tail.

        Returns:
            The seq the snapshot was taken at.
        """
        seq = self._state.seq
        head_hash = (self._store.record_hash(seq) if seq else "") or ""
        self._store.save_snapshot(
            CurrentState.name,
            CurrentState.version,
            seq,
            bind_snapshot(seq, head_hash, *self._state.body()),
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
        with collector_paused():
            state.fold(self._store.read_hot(after=state.seq, until=until))
        state.seq = until
        return TimelineView(self, state)

    def verify(
        self, *, expect: LogHead | str | None = None, progress: VerifyProgress | None = None
    ) -> VerifyReport:
        """Walk the hash chain and report the first bad record, if any.

        Args:
            expect: a head published earlier (``SEQ:HASH`` or a ``LogHead``): the
                log must still hold that record unchanged, else it was truncated
                or its last records rewritten (which leaves a valid chain).
            progress: ``progress(rows, count)`` wraps the records as they are checked
                and yields them on (a progress bar; ``count`` is how many the log holds).

        Raises:
            InvalidRecord: ``expect`` is not a head.
        """
        return verify_store(self._store, expect, progress)

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
            with collector_paused():
                self._state.fold(
                    self._store.read_hot(after=self._state.seq, until=stamps[0][0] - 1)
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
        self._state.apply_all(records, [p.hot for p in pending])
        # self.plugins, not self._plugins: a reopened timeline whose first write is a
        # retract (or an amend keeping the kind) has not loaded its host yet.
        plugins = self.plugins
        if plugins.has_append_subscribers:
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
            try:
                encoded = encode_payload(payload)
            except InvalidEvent as exc:  # a lone surrogate: name the event in a batch
                if len(batch) > 1:
                    exc.args = (f"event {i}: {exc.args[0]}",)
                raise
            pending.append(
                PendingRecord(
                    stream=event.id,
                    version=1,
                    type=RecordType.RECORDED,
                    schema=schema,
                    payload=encoded,
                    hot=hot_fields(event),
                )
            )
        try:
            self._append(pending, payloads)
        except ConcurrencyError as exc:
            at = next(i for i, e in enumerate(batch) if e.id == exc.event_id)
            field = "id" if len(batch) == 1 else f"event {at}: id"
            raise InvalidEvent(field, exc.event_id, "an id not used by another event") from None
        return batch

    def _writable(self, event_id: str, expected_version: int | None, restoring: bool) -> Record:
        """Return the current record of a live event (``restoring``: of a retracted one)."""
        self._check_open()
        self.refresh()
        record = self._live_record(event_id, include_retracted=restoring)
        if restoring and self._state.status(event_id) != 2:
            raise EventNotRetracted(event_id)
        version = self._state.version_of(event_id)  # a retraction's, when retracted
        if expected_version is not None and expected_version != version:
            raise ConcurrencyError(event_id, expected_version, version)
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
                Without one, an amendment losing a race to another writer is
                applied again on top of what that writer recorded.
            keep_phrase: False drops the old phrase when ``when`` changes.
            **changes: the fields to change (validated like a new Event).

        Raises:
            UnknownEvent: no such event.
            EventRetracted: it was retracted.
            ConcurrencyError: it is no longer at ``expected_version`` (without one:
                it changed under each of 100 attempts).
            InvalidEvent: a change is bad, or nothing changes.
        """
        why = self._reason(reason)

        def amended(current: Record) -> Payload:
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
            return Payload(event=new, changes=changed, reason=why)

        record = self._correct(event_id, expected_version, RecordType.AMENDED, amended)
        assert record.payload.event is not None
        return record.payload.event

    def _correct(
        self,
        event_id: str,
        expected_version: int | None,
        type_: RecordType,
        build: Callable[[Record], Payload],
        restoring: bool = False,
    ) -> Record:
        """Append the next record of an event, built from its current record.

        With no ``expected_version`` the caller asked for no version, so losing a
        race to another writer is retried against the new state (up to
        ``_CORRECTION_ATTEMPTS`` times) instead of being reported.
        """
        for attempt in range(1, _CORRECTION_ATTEMPTS + 1):
            current = self._writable(event_id, expected_version, restoring)
            payload = build(current)
            pending = PendingRecord(
                stream=event_id,
                version=self._state.version_of(event_id) + 1,
                type=type_,
                schema=CURRENT_SCHEMA[type_.value],
                payload=encode_payload(payload),
                hot=NO_VALUES if payload.event is None else hot_fields(payload.event),
            )
            try:
                return self._append([pending], [payload])[0]
            except ConcurrencyError as exc:
                if expected_version is not None:
                    raise
                if attempt == _CORRECTION_ATTEMPTS:
                    exc.args = (
                        f"event {event_id!r} changed under each of {attempt} attempts to "
                        f"{type_.value.removesuffix('ed')} it (other writers); try again later",
                    )
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def retract(self, event_id: str, *, reason: str, expected_version: int | None = None) -> Record:
        """Retract an event: hidden from queries from now on, kept in the log and in ``as_of``.

        Returns:
            The retraction record.

        Raises:
            UnknownEvent: no such event.
            EventRetracted: it was retracted already.
            ConcurrencyError: it is no longer at ``expected_version`` (without one, a
                lost race is retried: it changed under each of 100 attempts).
        """
        why = self._reason(reason)
        return self._correct(
            event_id, expected_version, RecordType.RETRACTED, lambda _: Payload(reason=why)
        )

    def restore(self, event_id: str, *, reason: str, expected_version: int | None = None) -> Event:
        """Undo a retraction: the event is back in the state it had when it was retracted.

        A new record, never an edit: an amendment carrying that state, right after
        the retraction (``history`` shows both; ``as_of`` before it, the retraction).

        Returns:
            The restored event.

        Raises:
            UnknownEvent: no such event.
            EventNotRetracted: it is not retracted.
            ConcurrencyError: it is no longer at ``expected_version`` (the retraction's).
        """
        why = self._reason(reason)
        record = self._correct(
            event_id,
            expected_version,
            RecordType.AMENDED,
            lambda last: Payload(event=last.event, reason=why),
            restoring=True,
        )
        assert record.payload.event is not None
        return record.payload.event

    def import_file(
        self,
        format: str | Importer,
        source: str | os.PathLike[str] | IO[Any],
        *,
        skip_invalid: bool = False,
        amend: bool | None = None,
        **options: Any,
    ) -> ImportReport:
        """Record a file's events with an importer (a name or an ``Importer``), as one append.

        All or nothing by default: with any bad row, nothing is recorded and
        ``ImportFailed`` lists every problem; ``skip_invalid=True`` records the good
        rows and reports the bad ones. A row whose id is an event of the log (retracted
        ones included) is never recorded again: with the same content it is counted as
        present, with other content it amends the event (``amend``) or is reported as
        changed and left alone. So importing a file again changes nothing. A row
        repeating an earlier row's id is a bad row, field ``id``. The log never shows
        part of a file; with the SQLite and PostgreSQL stores, the import's own memory
        does not grow with the rows it keeps (they wait in a spool on disk).

        Args:
            format: the importer, or its name.
            source: a path or an open file.
            skip_invalid: record the good rows, report the bad ones.
            amend: whether updated rows amend their events; None leaves it to the
                importer (``Importer.amends``: ``ics`` does, the others report them).
            **options: the importer's options.

        Returns:
            What it did (``ImportReport``: recorded, present, amended, changed, problems).

        Raises:
            UnknownPlugin: no importer has that name.
            ImportFailed: a row is bad (a text file that is not UTF-8 names its first bad
                line) and ``skip_invalid`` is false, or another writer wrote one of its
                events during the import.
            TimelineError: the file cannot be read.
            PluginError: the importer failed (the message names the plugin).
        """
        self._check_open()
        importer = format if isinstance(format, Importer) else self.plugins.importer(format)
        return run_import(self, importer, source, skip_invalid, amend, options)

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
            close_index(self._store)
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


#: How often amend() and retract() without an expected version retry a lost race.
_CORRECTION_ATTEMPTS = 100

#: The fields an event cannot do without.
_REQUIRED = ("kind", "when", "title")


def open_timeline(
    path: str | os.PathLike[str] | None = None,
    *,
    clock: Clock | None = None,
    plugins: PluginHost | None = None,
    snapshot_every: int = SNAPSHOT_EVERY,
    keep_arrow_from: int = KEEP_ARROW_FROM,
) -> Timeline:
    """Open (or create) a timeline; the store is chosen from the path.

    ``.db`` / ``.sqlite`` / ``.sqlite3`` → SQLite (the default), ``.jsonl`` → JSON
    Lines, ``":memory:"`` → in memory, ``postgresql://...?schema=name`` → PostgreSQL;
    plugins add more (``timeline_register_stores``). With no path, ``$TIMELINE_DB``
    or ``timeline.db`` in the current directory.

    Raises:
        TimelineError: no store opens the location, or it is not a timeline log.
    """
    if path is not None:
        location = os.fspath(path)
    else:
        location = os.environ.get("TIMELINE_DB") or DEFAULT_PATH
    store = open_store(location, plugins if plugins is not None else default_host)
    try:
        return Timeline(
            store,
            clock=clock,
            plugins=plugins,
            snapshot_every=snapshot_every,
            keep_arrow_from=keep_arrow_from,
        )
    except BaseException:
        store.close()  # a log that does not replay: release the file
        raise
