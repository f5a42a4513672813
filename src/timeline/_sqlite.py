"""The embedded default store: one SQLite file in WAL mode."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Sequence

import msgspec

from ._codec import BATCH_LINES, RecordCodec, encode_line
from ._errors import ConcurrencyError, CorruptLog, InvalidRecord
from ._records import GENESIS_HASH, PendingRecord, RawRecord, Record, format_timestamp
from ._store import Clock, Stamp, Store

__all__ = ["SqliteStore"]

_raw = msgspec.json.Decoder(RawRecord)

_FORMAT = "geotimeline-3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY,
    stream TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    hash TEXT NOT NULL,
    line BLOB NOT NULL,
    UNIQUE (stream, version)
);
CREATE TABLE IF NOT EXISTS snapshots (
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    head BLOB NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (name, version)
);
-- The log is append-only at the database level too: no API path updates or
-- deletes a record, and neither may a stray script.
CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'geotimeline records are append-only'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'geotimeline records are append-only'); END;
"""

# The columns index and constrain the log; ``line`` is the record itself, byte for
# byte the line a JSON Lines log keeps, so replay is one msgspec call per record
# and both stores verify the same bytes. (Assembling the JSON from columns in SQL
# cost more than the decode it saved.)
_COLUMNS = "seq, stream, version, type, recorded_at, hash, line"
#: How many leading bytes of a snapshot are kept apart for cheap header reads.
_SNAPSHOT_HEAD = 256


class SqliteStore(Store):
    """A log in one SQLite file; several processes may append to it at once.

    WAL mode lets readers work while one writer appends; each append is one
    ``BEGIN IMMEDIATE`` transaction, so concurrent writers queue (up to
    ``timeout`` seconds) instead of interleaving, and the unique
    ``(stream, version)`` constraint backs the version check.

    Args:
        path: the database file; created when missing.
        codec: record decoder (upcasters); the default when omitted.
        timeout: seconds to wait for another writer's lock.

    Raises:
        CorruptLog: the file exists but is not a geotimeline SQLite log.
    """

    def __init__(
        self, path: str | os.PathLike[str], codec: RecordCodec | None = None, timeout: float = 30.0
    ) -> None:
        super().__init__(codec)
        self.location = os.fspath(path)
        try:
            self._db = sqlite3.connect(
                self.location, timeout=timeout, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable across application crashes in WAL mode; only an OS
            # crash or power loss can drop the last commits (SQLite's documented trade).
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('format', ?)", (_FORMAT,))
        except sqlite3.DatabaseError as exc:
            raise CorruptLog(f"{self.location}: not a geotimeline SQLite log ({exc})") from None

    def _migrate(self) -> None:
        has_meta = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
        ).fetchone()
        if not has_meta:
            return
        row = self._db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        found = None if row is None else row[0]
        if found in (None, _FORMAT):
            return
        if found == "geotimeline-2":
            # Only the snapshots table changed, and snapshots are caches: drop them.
            self._db.executescript(
                "BEGIN IMMEDIATE; DROP TABLE IF EXISTS snapshots;"
                f" UPDATE meta SET value = '{_FORMAT}' WHERE key = 'format'; COMMIT;"
            )
            return
        raise CorruptLog(
            f"{self.location}: log format {found!r} is not one this geotimeline reads "
            f"({_FORMAT}); it was written by another (pre-release or newer) version"
        )

    def append(self, pending: Sequence[PendingRecord], now: Clock) -> list[Stamp]:
        if not pending:
            return []
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            last = db.execute(
                "SELECT seq, hash, recorded_at FROM records ORDER BY seq DESC LIMIT 1"
            ).fetchone() or (0, GENESIS_HASH, "")
            rows, stamps = self._stamp(
                pending, self._version, last[0], last[1], last[2], now, new_streams_checked=True
            )
            db.executemany(
                f"INSERT INTO records ({_COLUMNS}) VALUES (?,?,?,?,?,?,?)",
                [(r[0], r[1], r[2], r[3], r[4], r[7], encode_line(*r)) for r in rows],
            )
            db.execute("COMMIT")
        except sqlite3.IntegrityError:
            db.execute("ROLLBACK")
            # A new stream's version 1 is checked by the unique constraint alone (a
            # lookup per new event would halve batch throughput): name the culprit.
            for row in rows:
                current = self._version(row[1])
                if current >= row[2]:
                    raise ConcurrencyError(row[1], row[2] - 1, current) from None
            raise
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return stamps

    def _version(self, stream: str) -> int:
        row = self._db.execute(
            "SELECT MAX(version) FROM records WHERE stream = ?", (stream,)
        ).fetchone()
        return row[0] or 0

    def _lines(self, after: int, until: int | None) -> sqlite3.Cursor:
        return self._db.execute(
            "SELECT line, seq, stream, version, type, recorded_at, hash FROM records"
            " WHERE seq > ? AND seq <= ? ORDER BY seq",
            (after, until if until is not None else 2**62),
        )

    def read(self, after: int = 0, until: int | None = None) -> Iterator[Record]:
        decode = self.codec.decode_lines
        cursor = self._db.execute(
            "SELECT line FROM records WHERE seq > ? AND seq <= ? ORDER BY seq",
            (after, until if until is not None else 2**62),
        )
        seq = after
        try:
            while rows := cursor.fetchmany(BATCH_LINES):
                lines = [row[0] for row in rows]
                try:
                    records = decode(lines)
                except InvalidRecord as exc:
                    # Name the culprit: the seq of the first row of the batch that fails.
                    at = self.codec.first_bad(lines) or 1
                    found = self._db.execute(
                        "SELECT seq FROM records WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?",
                        (seq, at - 1),
                    ).fetchone()
                    bad = seq + at if found is None else found[0]
                    raise InvalidRecord(f"{self.location} record seq {bad}", exc.reason) from None
                seq = records[-1].seq
                yield from records
        finally:
            cursor.close()

    def read_raw(self, after: int = 0, until: int | None = None) -> Iterator[RawRecord]:
        cursor = self._lines(after, until)
        while rows := cursor.fetchmany(BATCH_LINES):
            for line, seq, stream, version, type_, recorded_at, hash_ in rows:
                try:
                    raw = _raw.decode(line)
                except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                    where = f"{self.location} record after seq {after}"
                    raise InvalidRecord(where, f"not a record ({exc})") from None
                # The columns are what queries and constraints see: they must say
                # what the hashed line says.
                columns = (seq, stream, version, type_, recorded_at, hash_)
                stored = (raw.seq, raw.stream, raw.version, raw.type, raw.recorded_at, raw.hash)
                if stored != columns:
                    raise InvalidRecord(
                        f"{self.location} record seq {raw.seq}",
                        "its index columns disagree with the stored record",
                    )
                after = raw.seq
                yield raw

    def stream(self, stream: str) -> list[Record]:
        rows = self._db.execute(
            "SELECT line FROM records WHERE stream = ? ORDER BY version", (stream,)
        ).fetchall()
        return self.codec.decode_lines([row[0] for row in rows])

    def head(self) -> int:
        row = self._db.execute("SELECT MAX(seq) FROM records").fetchone()
        return row[0] or 0

    def seq_at(self, moment: dt.datetime) -> int:
        # recorded_at never decreases along seq, so a binary search over the
        # primary key answers this without an index that every append would pay for.
        stamp = format_timestamp(moment)
        lo, hi = 0, self.head()
        while lo < hi:
            mid = (lo + hi + 1) // 2
            (at,) = self._db.execute(
                "SELECT recorded_at FROM records WHERE seq = ?", (mid,)
            ).fetchone()
            if at <= stamp:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def record_hash(self, seq: int) -> str | None:
        row = self._db.execute("SELECT hash FROM records WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else str(row[0])

    def save_snapshot(self, name: str, version: int, seq: int, data: bytes) -> None:
        # SQLite reads a whole blob even for substr(), so the first bytes (a
        # projection's header) are kept apart: checking a large snapshot stays cheap.
        self._db.execute(
            "INSERT OR REPLACE INTO snapshots (name, version, seq, head, data)"
            " VALUES (?, ?, ?, ?, ?)",
            (name, version, seq, data[:_SNAPSHOT_HEAD], data),
        )

    def load_snapshot(
        self, name: str, version: int, limit: int | None = None
    ) -> tuple[int, bytes] | None:
        column = "head" if limit is not None and limit <= _SNAPSHOT_HEAD else "data"
        row = self._db.execute(
            f"SELECT seq, {column} FROM snapshots WHERE name = ? AND version = ?",
            (name, version),
        ).fetchone()
        if row is not None and limit is not None:
            row = (row[0], bytes(row[1])[:limit])
        return None if row is None else (int(row[0]), bytes(row[1]))

    def close(self) -> None:
        self._db.close()
