"""The peer (the ``eventsourcing`` library) and the plain-Python floors, on the same records.

Both store and replay the *flat* records of a workload (``workload.Flat``: the
record's type and stream plus the event's fields, nested objects reduced to
strings), i.e. strictly less structure than a ``timeline.Event`` carries.

The peer follows ``shared/reference/peer_baseline.md``: one ``Application``
holding one ``EventSourcedLog`` (what the library's docs recommend for "an
indefinitely long sequence of events"), appended with
``trigger_event(next_originator_version=...)`` and one ``app.save`` per 1,000
events (or the docs idiom, one save per event), and replayed the way any read
model is rebuilt: paging ``recorder.select_notifications`` (500 a page) and
decoding each with ``mapper.to_domain_event``. Replays fold into the same
current-state shape as ours (latest event per stream; retracted ones moved aside).
The peer runs with the cyclic GC on, as its users run it.

The floors (cyclic GC paused, as our replay pauses it):

- F1: JSON Lines, ``orjson.loads`` per line into a dict.
- F2: ``sqlite3`` table ``(seq INTEGER PRIMARY KEY, body TEXT)``, ``SELECT body
  ORDER BY seq`` and ``orjson.loads`` per row.
- F1+F3: JSON Lines -> ``orjson.loads`` -> a flat ``attrs`` frozen (slotted)
  class: the typed floor.
"""

from __future__ import annotations

import contextlib
import gc
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import orjson

# --------------------------------------------------------------------------- the peer
from eventsourcing.application import Application, EventSourcedLog
from eventsourcing.domain import DomainEvent

import workload

LOG_ID = uuid.uuid5(uuid.NAMESPACE_URL, "https://example.org/geotimeline/benchmark-log")
PAGE = 500
SAVE_EVERY = 1000


class Logged(DomainEvent):
    """One log record as the peer stores it (the flat record's fields)."""

    stream: str
    version: int
    type: str
    kind: str
    when: str
    earliest: str
    latest: str
    title: str
    summary: str
    actors: list[str]
    sources: list[str]
    tags: list[str]
    reason: str


class PeerApp(Application[uuid.UUID]):
    """An application holding the event-sourced log."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.records: EventSourcedLog[Logged] = EventSourcedLog(self.events, LOG_ID, Logged)


def peer_env(store: str, path: Path | None = None) -> dict[str, str]:
    """Return the application environment for ``popo`` or ``sqlite`` persistence."""
    if store == "popo":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    assert path is not None
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}


def _fields(flat: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in flat.items() if k != "seq"}


def peer_append_batched(app: PeerApp, records: list[dict[str, Any]], start: int = 1) -> None:
    """Append records with one ``app.save`` per 1,000 (the bulk-import idiom)."""
    trigger = app.records.trigger_event
    for at in range(0, len(records), SAVE_EVERY):
        chunk = records[at : at + SAVE_EVERY]
        app.save(
            *[
                trigger(next_originator_version=start + at + i, **_fields(r))
                for i, r in enumerate(chunk)
            ]
        )


def peer_append_each(app: PeerApp, records: list[dict[str, Any]]) -> None:
    """Append records one ``app.save(log.trigger_event(...))`` each (the docs idiom)."""
    for r in records:
        app.save(app.records.trigger_event(**_fields(r)))


def peer_replay(app: PeerApp) -> dict[str, Any]:
    """Rebuild the current state by paging the notification log through the mapper."""
    select = app.recorder.select_notifications
    decode = app.mapper.to_domain_event
    latest: dict[str, Any] = {}
    retracted: dict[str, Any] = {}
    start = 1
    while page := select(start, PAGE):
        for notification in page:
            event: Any = decode(notification)
            if event.type == "retracted":
                previous = latest.pop(event.stream, None)
                if previous is not None:
                    retracted[event.stream] = previous
            else:
                latest[event.stream] = event
        start = page[-1].id + 1
    return latest


def peer_sqlite_path(p: workload.Paths) -> Path:
    """Return the cached peer SQLite database of a workload, building it when missing."""
    path = workload.CACHE / f"peer-{p.n}-{p.seed}.sqlite"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        for extra in ("", "-wal", "-shm"):
            Path(f"{tmp}{extra}").unlink(missing_ok=True)
        app = PeerApp(peer_env("sqlite", tmp))
        peer_append_batched(app, list(workload.flat_dicts(p)))
        app.close()
        with sqlite3.connect(tmp) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        tmp.replace(path)
        for extra in ("-wal", "-shm"):
            Path(f"{tmp}{extra}").unlink(missing_ok=True)
    return path


def peer_popo(p: workload.Paths) -> PeerApp:
    """Return an in-memory peer application holding a workload's records."""
    app = PeerApp(peer_env("popo"))
    peer_append_batched(app, list(workload.flat_dicts(p)))
    return app


# --------------------------------------------------------------------------- the floors


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC inside the block (as the library's replay does)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@attrs.frozen
class FlatEvent:
    """The typed floor's record: a flat attrs frozen, slotted class."""

    stream: str
    version: int
    type: str
    kind: str = ""
    when: str = ""
    earliest: str = ""
    latest: str = ""
    title: str = ""
    summary: str = ""
    actors: list[str] = attrs.Factory(list)
    sources: list[str] = attrs.Factory(list)
    tags: list[str] = attrs.Factory(list)
    reason: str = ""
    seq: int = 0


def _fold(
    latest: dict[str, Any], retracted: dict[str, Any], stream: str, type_: str, value: Any
) -> None:
    if type_ == "retracted":
        previous = latest.pop(stream, None)
        if previous is not None:
            retracted[stream] = previous
    else:
        latest[stream] = value


def floor_f1(path: Path) -> dict[str, Any]:
    """F1: JSON Lines -> ``orjson.loads`` per line -> dict, folded into current state."""
    latest: dict[str, Any] = {}
    retracted: dict[str, Any] = {}
    loads = orjson.loads
    with gc_paused(), path.open("rb") as f:
        for line in f:
            d = loads(line)
            _fold(latest, retracted, d["stream"], d["type"], d)
    return latest


def floor_f1f3(path: Path) -> dict[str, Any]:
    """F1+F3: JSON Lines -> ``orjson.loads`` -> flat attrs frozen class (the typed floor)."""
    latest: dict[str, Any] = {}
    retracted: dict[str, Any] = {}
    loads = orjson.loads
    with gc_paused(), path.open("rb") as f:
        for line in f:
            e = FlatEvent(**loads(line))
            _fold(latest, retracted, e.stream, e.type, e)
    return latest


def floor_sqlite_path(p: workload.Paths) -> Path:
    """Return the cached F2 database of a workload (one ``executemany`` transaction)."""
    path = workload.CACHE / f"floor-{p.n}-{p.seed}.sqlite"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        floor_f2_write(tmp, workload.flat_lines(p))
        tmp.replace(path)
    return path


def floor_f2_write(path: Path, lines: list[bytes]) -> None:
    """F2 write: one transaction, ``executemany`` of ``(seq, body)`` rows, WAL."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS log (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    db.execute("BEGIN")
    db.executemany("INSERT INTO log (body) VALUES (?)", ((line.decode(),) for line in lines))
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def floor_f2(path: Path) -> dict[str, Any]:
    """F2: ``SELECT body ORDER BY seq`` + ``orjson.loads`` per row, folded."""
    latest: dict[str, Any] = {}
    retracted: dict[str, Any] = {}
    loads = orjson.loads
    db = sqlite3.connect(path)
    try:
        with gc_paused():
            cursor = db.execute("SELECT body FROM log ORDER BY seq")
            while rows := cursor.fetchmany(2048):
                for (body,) in rows:
                    d = loads(body)
                    _fold(latest, retracted, d["stream"], d["type"], d)
    finally:
        db.close()
    return latest


def floor_f1_write(path: Path, dicts: list[dict[str, Any]]) -> None:
    """F1 write: ``orjson.dumps`` per line, one buffered file, no fsync."""
    dumps = orjson.dumps
    with path.open("wb") as f:
        for d in dicts:
            f.write(dumps(d) + b"\n")
