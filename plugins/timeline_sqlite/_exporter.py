"""The ``sqlite`` exporter: events, actors, a full-text index and the raw log, flat."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

import attrs
import msgspec

import timeline

__all__ = ["SCHEMA", "SqliteExporter"]

#: The tables; the events columns are those of ``events/1`` (docs/analytics.md), with
#: lists and structs as JSON text, dates as ISO text and flags as 0/1.
SCHEMA = """
CREATE TABLE events (
    event_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    kind_family TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    when_edtf TEXT NOT NULL,
    when_precision TEXT NOT NULL,
    when_earliest TEXT,
    when_latest TEXT,
    when_open_start INTEGER NOT NULL,
    when_open_end INTEGER NOT NULL,
    when_start TEXT,
    when_end TEXT,
    when_approximate INTEGER NOT NULL,
    when_uncertain INTEGER NOT NULL,
    when_phrase TEXT,
    when_anchor TEXT,
    when_year INTEGER,
    actors TEXT NOT NULL,
    actor_countries TEXT NOT NULL,
    location TEXT,
    treaty TEXT,
    tags TEXT NOT NULL,
    related TEXT NOT NULL,
    sources TEXT NOT NULL,
    source_titles TEXT NOT NULL,
    modality TEXT NOT NULL,
    retracted INTEGER NOT NULL,
    version INTEGER NOT NULL,
    first_recorded_at TEXT NOT NULL,
    last_recorded_at TEXT NOT NULL,
    attributes TEXT NOT NULL
);
CREATE TABLE event_actors (
    event_id TEXT NOT NULL REFERENCES events(event_id),
    position INTEGER NOT NULL,
    country TEXT NOT NULL,
    role TEXT,
    sector TEXT,
    name TEXT,
    PRIMARY KEY (event_id, position)
);
CREATE TABLE records (
    seq INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    hash TEXT NOT NULL,
    event TEXT,
    reason TEXT
);
CREATE TABLE geotimeline (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX events_kind ON events(kind);
CREATE INDEX events_year ON events(when_year);
CREATE INDEX events_bounds ON events(when_earliest, when_latest);
CREATE INDEX event_actors_country ON event_actors(country);
CREATE INDEX records_stream ON records(stream, version);
CREATE VIRTUAL TABLE events_fts USING fts5(
    title, summary, source_titles, content='events', content_rowid='rowid'
);
"""

_COLUMNS = [
    "event_id",
    "kind",
    "kind_family",
    "title",
    "summary",
    "when_edtf",
    "when_precision",
    "when_earliest",
    "when_latest",
    "when_open_start",
    "when_open_end",
    "when_start",
    "when_end",
    "when_approximate",
    "when_uncertain",
    "when_phrase",
    "when_anchor",
    "when_year",
    "actors",
    "actor_countries",
    "location",
    "treaty",
    "tags",
    "related",
    "sources",
    "source_titles",
    "modality",
    "retracted",
    "version",
    "first_recorded_at",
    "last_recorded_at",
    "attributes",
]
_INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
)
_JSON_COLUMNS = frozenset({"actors", "actor_countries", "tags", "related", "sources"})
_BATCH = 5_000
_encoder = msgspec.json.Encoder()


def _sql(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _json(value: Any) -> str:
    return _encoder.encode(value).decode()


def _event_values(row: dict[str, Any]) -> tuple[Any, ...]:
    titles = "\n".join(s["title"] for s in row["sources"] if s["title"])
    values = []
    for name in _COLUMNS:
        if name == "source_titles":
            values.append(titles)
        elif name in _JSON_COLUMNS:
            values.append(_json(row[name]))
        else:
            values.append(_sql(row[name]))
    return tuple(values)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def fill(db: sqlite3.Connection, view: Any, records: Iterable[timeline.Record]) -> int:
    """Create the tables in the empty database ``db`` and fill them; return the events written."""
    db.executescript(SCHEMA)
    streams: set[str] = set()
    count = 0
    for chunk in _chunks(timeline.event_rows(view, records), _BATCH):
        db.executemany(_INSERT_EVENT, [_event_values(row) for row in chunk])
        db.executemany(
            "INSERT INTO event_actors VALUES (?, ?, ?, ?, ?, ?)",
            [
                (row["event_id"], i, a["country"], a["role"], a["sector"], a["name"])
                for row in chunk
                for i, a in enumerate(row["actors"])
            ],
        )
        streams.update(row["event_id"] for row in chunk)
        count += len(chunk)
    db.execute("INSERT INTO events_fts(events_fts) VALUES ('rebuild')")
    log = (r for r in view.store.read(until=view.seq) if r.stream in streams)
    for chunk in _chunks(log, _BATCH):
        db.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.seq,
                    r.stream,
                    r.version,
                    r.type.value,
                    _sql(r.recorded_at),
                    r.hash,
                    None if r.event is None else _json(r.event),
                    r.payload.reason,
                )
                for r in chunk
            ],
        )
    head = view.store.record_hash(view.seq) if view.seq else ""
    db.executemany(
        "INSERT INTO geotimeline VALUES (?, ?)",
        [
            ("schema", "events/1 (flat, SQLite)"),
            ("log_head_seq", str(view.seq)),
            ("log_head_hash", head or ""),
        ],
    )
    return count


@attrs.frozen(kw_only=True)
class SqliteExporter(timeline.Exporter):
    """Writes a flat SQLite database for Datasette and sqlite-utils (see ``docs/analytics.md``).

    Tables: ``events`` (one row per event, the ``events/1`` columns, lists as
    JSON), ``event_actors`` (one row per actor, to facet on), ``events_fts``
    (FTS5 over title, summary and source titles), ``records`` (the raw log of
    the exported events) and ``geotimeline`` (the log head it was read at).
    """

    name: str = "sqlite"
    description: str = "flat SQLite database for Datasette: events, actors, full-text, log"
    suffix: str = ".db"
    media_type: str = "application/vnd.sqlite3"
    binary: bool = True

    def write(
        self,
        view: timeline.TimelineReader,
        records: Iterable[timeline.Record],
        stream: IO[Any],
        **options: Any,
    ) -> int:
        """Build the database in a temporary file and copy it to ``stream``; return the events."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "export.db")
            with contextlib.closing(sqlite3.connect(path)) as db:
                # A scratch file, copied out at the end: no journal, no fsync.
                db.execute("PRAGMA journal_mode = OFF")
                db.execute("PRAGMA synchronous = OFF")
                with db:
                    count = fill(db, view, records)
                db.execute("VACUUM")
            with open(path, "rb") as built:
                shutil.copyfileobj(built, stream)
        return count
