"""The embedded default store: one SQLite file in WAL mode."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import msgspec

from ._codec import BATCH_LINES, RecordCodec, encode_line
from ._columns import FIELDS, NO_FIELDS, HotBatch, Vocabulary, pack
from ._errors import ConcurrencyError, CorruptLog, InvalidRecord
from ._records import GENESIS_HASH, PendingRecord, RawRecord, Record, format_timestamp
from ._store import Clock, Stamp, Store

__all__ = ["SqliteStore"]

_raw = msgspec.json.Decoder(RawRecord)

_FORMAT = "geotimeline-4"

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
    hot BLOB NOT NULL DEFAULT x'',
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
CREATE TRIGGER IF NOT EXISTS snapshots_no_update BEFORE UPDATE ON snapshots
BEGIN SELECT RAISE(ABORT, 'geotimeline snapshots are replaced whole, never edited'); END;
CREATE TRIGGER IF NOT EXISTS records_no_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'geotimeline records are append-only'); END;
"""

# The vocabulary of the hot columns (``_columns.Vocabulary``): append-only like the
# records, so a term id keeps its meaning, and written in the same transaction as
# the records that first use a term.
_TERMS = """
CREATE TABLE IF NOT EXISTS terms (
    id INTEGER PRIMARY KEY,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (field, value)
);
CREATE TRIGGER IF NOT EXISTS terms_no_update BEFORE UPDATE ON terms
BEGIN SELECT RAISE(ABORT, 'geotimeline terms are append-only'); END;
CREATE TRIGGER IF NOT EXISTS terms_no_delete BEFORE DELETE ON terms
BEGIN SELECT RAISE(ABORT, 'geotimeline terms are append-only'); END;
"""

# The columns index and constrain the log; ``line`` is the record itself, byte for
# byte the line a JSON Lines log keeps, so both stores verify the same bytes.
# ``hot`` repeats what the read model folds (kind, day bounds, precision rank,
# actors, tags, treaty, modality: eight int32, ``_columns.pack``), so a replay
# reads three small columns and one blob per record, with no JSON parsed; the
# same fields as eight integer columns fetched 2.5x slower. verify checks it
# against the line. (Assembling the JSON from columns in SQL cost more than the
# decode it saved.)
_COLUMNS = "seq, stream, version, type, recorded_at, hash, line, hot"
_TRIGGER = """CREATE TRIGGER IF NOT EXISTS records_no_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'geotimeline records are append-only'); END;"""
#: Records per replay query: 2,048 keeps a query's fixed cost below 2% of its rows'.
_HOT_RANGE = 2048
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
            self._vocabulary = Vocabulary(refresh=self._load_terms, local=False)
            self._migrate()
            self._db.executescript(_SCHEMA + _TERMS)
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
        if found in ("geotimeline-2", "geotimeline-3"):
            self._add_hot_columns()
            return
        raise CorruptLog(
            f"{self.location}: log format {found!r} is not one this geotimeline reads "
            f"({_FORMAT}); it was written by another (pre-release or newer) version"
        )

    def _add_hot_columns(self) -> None:
        """Migrate a format 2 or 3 log: add the hot columns and fill them from the records.

        One transaction: a crash leaves the old format, which the next open migrates
        again. The append-only trigger is lifted only inside it, to fill the new
        columns; no record byte changes. Snapshots are caches of an older shape: dropped.
        """
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            columns = {row[1] for row in db.execute("PRAGMA table_info(records)")}
            if "hot" not in columns:
                db.execute("ALTER TABLE records ADD COLUMN hot BLOB NOT NULL DEFAULT x''")
            db.execute("DROP TRIGGER IF EXISTS records_no_update")
            for statement in _TERMS.split(";\n"):
                if statement.strip():
                    db.execute(statement)
            values = self._hot_decoder().values
            cursor = db.execute("SELECT seq, line, version FROM records ORDER BY seq")
            while rows := cursor.fetchmany(BATCH_LINES):
                versions = [row[2] for row in rows]
                hot = self._hot_columns(values([row[1] for row in rows]), versions)
                db.executemany(
                    "UPDATE records SET hot = ? WHERE seq = ?",
                    [(h, row[0]) for h, row in zip(hot, rows, strict=True)],
                )
            db.execute(_TRIGGER)
            db.execute("DROP TABLE IF EXISTS snapshots")
            db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (_FORMAT,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _load_terms(self) -> None:
        """Learn the terms added since we last looked (by any writer)."""
        vocabulary = self._vocabulary
        for term_id, field, value in self._db.execute(
            "SELECT id, field, value FROM terms WHERE id >= ? ORDER BY id", (len(vocabulary),)
        ):
            vocabulary.add(term_id, field, value)

    def _hot_columns(self, values: list[tuple[Any, ...]], versions: list[int]) -> list[bytes]:
        """Return the packed hot columns of records from their versions and hot values.

        New terms are numbered on the way.

        Runs inside the writing transaction: a term is inserted with the first
        record that uses it, and a rollback takes both back (``_forget_terms``).
        """
        vocabulary = self._vocabulary
        out: list[bytes] = []
        for hot, version in zip(values, versions, strict=True):
            if hot[0] is None:
                out.append(pack((version, *NO_FIELDS)))
                continue
            ids = []
            for field, value in zip(FIELDS, (hot[0], hot[4], hot[5], hot[6], hot[7]), strict=True):
                term_id = vocabulary.find(field, value)
                if term_id is None:
                    term_id = self._db.execute(
                        "INSERT INTO terms (field, value) VALUES (?, ?)", (field, value)
                    ).lastrowid
                    assert term_id is not None
                    vocabulary.add(term_id, field, value)
                ids.append(term_id)
            kind, actors, tags, treaty, modality = ids
            out.append(
                pack((version, kind, hot[1], hot[2], hot[3], actors, tags, treaty, modality))
            )
        return out

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
            lines = [encode_line(*r) for r in rows]
            terms_before = len(self._vocabulary)
            given = [p.hot for p in pending]
            if any(h is None for h in given):
                decoded = self._hot_decoder().values(lines)
                given = [h if h is not None else d for h, d in zip(given, decoded, strict=True)]
            hot = self._hot_columns(
                [h for h in given if h is not None], [p.version for p in pending]
            )
            db.executemany(
                f"INSERT INTO records ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                [
                    (r[0], r[1], r[2], r[3], r[4], r[7], line, h)
                    for r, line, h in zip(rows, lines, hot, strict=True)
                ],
            )
            db.execute("COMMIT")
        except sqlite3.IntegrityError:
            db.execute("ROLLBACK")
            self._vocabulary.truncate(terms_before)
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
            "SELECT line, seq, stream, version, type, recorded_at, hash, hot FROM records"
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

    def read_hot(self, after: int = 0, until: int | None = None) -> Iterator[HotBatch]:
        # seq is gap-free, so a range of seqs that returns as many rows as it spans
        # holds exactly those seqs, in order: the fetch skips the seq column (one
        # integer object per record less). A range that comes back short (a gap in
        # a damaged log) is fetched again with its seqs.
        self._load_terms()
        last = self.head() if until is None else min(until, self.head())
        db = self._db
        start = max(after, 0)
        while start < last:
            end = min(start + _HOT_RANGE, last)
            rows = db.execute(
                "SELECT stream, hot FROM records WHERE seq > ? AND seq <= ? ORDER BY seq",
                (start, end),
            ).fetchall()
            try:
                if len(rows) == end - start:
                    streams, packed = zip(*rows, strict=True)
                    yield HotBatch.of_packed(range(start + 1, end + 1), streams, packed)
                elif rows:
                    numbered = db.execute(
                        "SELECT seq, stream, hot FROM records"
                        " WHERE seq > ? AND seq <= ? ORDER BY seq",
                        (start, end),
                    ).fetchall()
                    seqs, streams, packed = zip(*numbered, strict=True)
                    yield HotBatch.of_packed(seqs, streams, packed)
            except InvalidRecord as exc:
                raise InvalidRecord(f"{self.location} {exc.where}", exc.reason) from None
            start = end

    def records_at(self, seqs: Sequence[int]) -> list[Record]:
        lines = self.lines_at(seqs)
        try:
            return self.codec.decode_many(lines, seqs)
        except InvalidRecord as exc:
            raise InvalidRecord(f"{self.location} {exc.where}", exc.reason) from None

    def lines_at(self, seqs: Sequence[int]) -> list[bytes]:
        found: dict[int, bytes] = {}
        db = self._db
        for start in range(0, len(seqs), 500):  # SQLite's default limit is 999 parameters
            chunk = seqs[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(db.execute(f"SELECT seq, line FROM records WHERE seq IN ({marks})", chunk))
        lines = list(map(found.get, seqs))
        if None in lines:
            missing = seqs[lines.index(None)]
            raise InvalidRecord(f"{self.location} record seq {missing}", "not in the log")
        return lines  # type: ignore[return-value]  # no None left

    def first_seq(self, stream: str) -> int | None:
        row = self._db.execute(
            "SELECT seq FROM records WHERE stream = ? AND version = 1", (stream,)
        ).fetchone()
        return None if row is None else int(row[0])

    def read_raw(self, after: int = 0, until: int | None = None) -> Iterator[RawRecord]:
        cursor = self._lines(after, until)
        values = self._hot_decoder().values
        find = self._vocabulary.find
        while rows := cursor.fetchmany(BATCH_LINES):
            for line, seq, stream, version, type_, recorded_at, hash_, hot in rows:
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
                try:
                    (v,) = values([line])
                except InvalidRecord:
                    v = None  # the payload itself is bad: verify reports it
                expected = None
                if v is not None and v[0] is not None:
                    terms = (("kind", v[0]), ("actors", v[4]), ("tags", v[5]))
                    kind, actors, tags = (find(f, x) for f, x in terms)
                    treaty, modality = find("treaty", v[6]), find("modality", v[7])
                    ids = (version, kind, v[1], v[2], v[3], actors, tags, treaty, modality)
                    expected = b"" if None in ids else pack(ids)  # type: ignore[arg-type]
                elif v is not None:
                    expected = pack((version, *NO_FIELDS))
                if expected is not None and expected != hot:
                    raise InvalidRecord(
                        f"{self.location} record seq {raw.seq}",
                        "its query columns (kind, dates, actors, ...) disagree with the"
                        " stored record",
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
