"""Importing a file into a timeline: the policy around an importer's ``read``.

``Timeline.import_file`` comes here. The file is read to its end first: every
row becomes a new event, an event already present (the same content: counted,
left alone), an updated row (amended when the importer ``amends``, else
reported as changed and left alone) or a problem. The records to write wait in
a spool on disk, not in memory, so an import's memory does not grow with the
rows it keeps. Then, when no problem stops it (all or nothing, unless
``skip_invalid``), the spool goes to the store in batches of ``BATCH`` records,
as one append (``Store.append_batches``): the log never shows half a file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

import msgspec

from ._columns import hot_fields
from ._errors import ConcurrencyError, ImportFailed, InvalidEvent
from ._extensions import Importer, ImportProblem, ImportReport, delegating, overridden
from ._files import open_source, source_name
from ._model import EVENT_FIELDS, Event
from ._reading import TimelineWriter
from ._records import (
    CURRENT_SCHEMA,
    Payload,
    PendingRecord,
    Record,
    RecordType,
    encode_payload,
)

if TYPE_CHECKING:
    from ._plugins import PluginHost
    from ._projection import CurrentState
    from ._store import Clock, Store


class Timeline(TimelineWriter, Protocol):
    """What an import needs of the timeline it writes to (a ``Timeline``).

    A protocol, not the class: ``_timeline`` imports this module.
    """

    _state: CurrentState
    _clock: Clock

    @property
    def store(self) -> Store:
        """The store the log lives in."""
        ...

    @property
    def plugins(self) -> PluginHost:
        """The plugin host."""
        ...

    def refresh(self) -> int:
        """Fold in what other processes appended."""
        ...

    def _read_state_later(self) -> None: ...

    def _coerce(self, item: Event | Mapping[str, Any], where: str = "") -> Event: ...


__all__ = ["BATCH", "run_import"]

#: Records per store batch (and per spool read): what an import holds at a time.
#: A batch of GDELT records costs about 5 KB a record while it is written (decoded
#: record, its line, its row): a 100,000-row GDELT day filtered to a tenth grew
#: the process by 37.4 MB at 5,000, 16.4 MB at 1,000 and 14.2 MB at 500 (14.8 MB
#: is the plugin and the first import alone); the import's CPU time did not move
#: between 5,000 and 1,000 (1.8-2.1 s, noise under load).
BATCH = 1000

#: Records from which an import leaves the read model to the next query
#: (``Timeline._read_state_later``); fewer are folded in at once. A tenth of a
#: 1M-row GDELT day (100,000 events) kept the process 22 MB larger than a tenth
#: of a 100k-row day, all of it the read model (~240 B an event).
READ_LATER = 10_000

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(PendingRecord).decode


class _Spool:
    """The records an import will append, on disk until the file is read to its end.

    A private temporary SQLite database (deleted when closed; its page cache is
    bounded to 2 MB): each id once, with the line that first gave it, and the
    record to write for it, if any (an event already present has none).
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute("PRAGMA cache_size = -2000")
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute(
            "CREATE TABLE spool (n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL,"
            " line INTEGER NOT NULL, record BLOB)"
        )
        self._db.execute("BEGIN")
        #: How many records wait (ids without a record do not count).
        self.count = 0

    def add(self, event_id: str, line: int, record: PendingRecord | None) -> int | None:
        """Keep ``record`` for ``event_id``; return the line of an earlier row with that id.

        A repeated id keeps nothing.
        """
        blob = None if record is None else _encode(record)
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO spool (id, line, record) VALUES (?, ?, ?)",
            (event_id, line, blob),
        )
        if cursor.rowcount == 0:
            return self.line_of(event_id)
        if record is not None:
            self.count += 1
        return None

    def line_of(self, event_id: str) -> int:
        """Return the line that gave ``event_id`` (0 if none did)."""
        row = self._db.execute("SELECT line FROM spool WHERE id = ?", (event_id,)).fetchone()
        return 0 if row is None else int(row[0])

    def batches(self) -> Iterator[list[PendingRecord]]:
        """Yield the records to write, in the file's order, ``BATCH`` at a time."""
        cursor = self._db.execute("SELECT record FROM spool WHERE record IS NOT NULL ORDER BY n")
        while rows := cursor.fetchmany(BATCH):
            yield [_decode(row[0]) for row in rows]

    def close(self) -> None:
        """Drop the spool (its file goes with it)."""
        self._db.close()


class _Tally:
    """What reading a file found: the counts and rows an ``ImportReport`` gives back."""

    def __init__(self) -> None:
        self.recorded = 0
        self.present = 0
        self.amended = 0
        self.changed: list[str] = []
        self.problems: list[ImportProblem] = []

    def report(self) -> ImportReport:
        """Return the import's report."""
        return ImportReport(
            recorded=self.recorded,
            present=self.present,
            amended=self.amended,
            changed=tuple(self.changed),
            problems=tuple(self.problems),
        )


def run_import(
    tl: Timeline,
    importer: Importer,
    source: str | os.PathLike[str] | IO[Any],
    skip_invalid: bool,
    amend: bool | None,
    options: dict[str, Any],
) -> ImportReport:
    """Import one file into ``tl`` with ``importer``: read it all, then append it as one.

    Raises:
        InvalidOption: an option is unknown or malformed.
        ImportFailed: a row is bad and ``skip_invalid`` is false, or another writer
            recorded or changed one of the file's events while it was read.
        TimelineError: the file cannot be read.
        PluginError: the importer failed (the message names the plugin).
    """
    if overridden(importer, Importer, "import_into"):
        extra = {} if amend is None else {"amend": amend}
        with delegating(importer, Importer, "import_into", "implement read() only"):
            return importer.import_into(tl, source, skip_invalid=skip_invalid, **extra, **options)
    settings = importer.check_options(options)
    amends = importer.amends if amend is None else amend
    tl.refresh()  # compare with what the log holds now, other writers' events included
    spool = _Spool()
    try:
        tally = _read(tl, importer, source, settings, amends, spool)
        if tally.problems and not skip_invalid:
            raise ImportFailed(source_name(source), tally.problems)
        if spool.count:
            _write(tl, spool, source_name(source))
    finally:
        spool.close()
    return tally.report()


def _read(
    tl: Timeline,
    importer: Importer,
    source: str | os.PathLike[str] | IO[Any],
    settings: dict[str, Any],
    amends: bool,
    spool: _Spool,
) -> _Tally:
    """Read every row of the file into ``spool`` and the tally (nothing is written)."""
    tally = _Tally()
    why = f"re-imported from {source_name(source)}"
    opened: contextlib.AbstractContextManager[Any]
    if (
        importer.reads_directories
        and isinstance(source, (str, os.PathLike))
        and Path(source).is_dir()
    ):
        opened = contextlib.nullcontext(Path(source))
    else:
        opened = open_source(source, importer.binary)
    state = tl._state
    with tl.plugins.running(importer), opened as stream:
        for line, item in importer.read(stream, **settings):
            if isinstance(item, ImportProblem):
                tally.problems.append(item)
                continue
            try:
                event = tl._coerce(item)
                outcome, record = _outcome(state.record(event.id), importer, event, amends, why)
            except InvalidEvent as exc:
                reason = f"got {exc.value!r}, expected {exc.expected}"
                tally.problems.append(ImportProblem(line=line, field=exc.field, reason=reason))
                continue
            earlier = spool.add(event.id, line, record)
            if earlier is not None:
                reason = f"repeats line {earlier}"
                tally.problems.append(ImportProblem(line=line, field="id", reason=reason))
            elif outcome == "changed":
                tally.changed.append(event.id)
            else:
                setattr(tally, outcome, getattr(tally, outcome) + 1)
    return tally


def _outcome(
    found: tuple[Record | None, bool], importer: Importer, event: Event, amends: bool, why: str
) -> tuple[str, PendingRecord | None]:
    """Say what a row does (recorded, present, amended, changed) and return its record, if any.

    Args:
        found: the log's current record of the row's id and whether it is retracted.
        importer: the importer (``unchanged`` decides what counts as the same content).
        event: the row's event.
        amends: whether a row with other content amends the event.
        why: the reason an amendment records.

    Raises:
        InvalidEvent: the event cannot be encoded (a lone surrogate in a text).
    """
    present, retracted = found
    if present is None:
        return "recorded", _pending(event, RecordType.RECORDED, 1)
    old = present.event
    assert old is not None  # the current record of an event always carries it
    if importer.unchanged(old, event):
        return "present", None
    if not amends or retracted:
        return "changed", None
    changes = tuple(f for f in EVENT_FIELDS if getattr(event, f) != getattr(old, f))
    payload = Payload(event=event, changes=changes, reason=why)
    return "amended", _pending(event, RecordType.AMENDED, present.version + 1, payload)


def _pending(
    event: Event, type_: RecordType, version: int, payload: Payload | None = None
) -> PendingRecord:
    """Return the record that writes ``event`` (a first version, or an amendment).

    Raises:
        InvalidEvent: the event cannot be encoded (a lone surrogate in a text).
    """
    return PendingRecord(
        stream=event.id,
        version=version,
        type=type_,
        schema=CURRENT_SCHEMA[type_.value],
        payload=encode_payload(payload or Payload(event=event)),
        hot=hot_fields(event),
    )


def _write(tl: Timeline, spool: _Spool, name: str) -> None:
    """Append the spool as one append, fold it into ``tl`` and tell subscribers.

    Raises:
        ImportFailed: another writer recorded or changed one of the events meanwhile.
    """
    store = tl.store
    moment = tl._clock()  # one append, one recorded_at: the batches share the moment

    def now() -> dt.datetime:
        return moment

    try:
        first, last = store.append_batches(spool.batches(), spool.count, now)
    except ConcurrencyError as exc:
        line = spool.line_of(exc.event_id)
        reason = f"event {exc.event_id!r} was written by another writer during the import"
        raise ImportFailed(name, [ImportProblem(line=line, field="id", reason=reason)]) from None
    if spool.count >= READ_LATER:
        # The read model of the new events is built by the first query that needs
        # it, not here: the import's memory then does not grow with what it kept.
        tl._read_state_later()
    else:
        tl.refresh()
    plugins = tl.plugins
    if plugins.has_append_subscribers:
        batch: list[Record] = []
        for record in store.read(after=first - 1, until=last):
            batch.append(record)
            if len(batch) == BATCH:
                plugins.on_append(batch)
                batch = []
        if batch:
            plugins.on_append(batch)
