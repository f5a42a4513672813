"""A SQLite log's clustered copy: every live event again, in timeline order, bound to the chain.

Opt-in (``SqliteStore(path, cluster=True)``, ``timeline cluster on``): a table
``clustered`` keyed by the event's place in timeline order (``_clustered.place_key``)
holds each live event's current record seq and the event as msgpack, so a walk of
every event (``for e in tl.events()``) is one scan in key order that decodes each
event once. It is kept in each append's transaction, so it is never behind a log
written by this version. Its row in ``meta`` binds it to the chain: the seq and hash
of the last record it covers and how many events it holds. A reader uses it only
when that is the seq its query ran at, with the log's hash there and the query's
count; otherwise (a copy made stale by another version's writer, a rewritten log,
a damaged row) the walk reads the records as ever. A copy that only lags (a writer
that does not keep it appended since) is brought up to date by the next append or
``cluster on``. ``verify`` checks every row against the log.

Its price is at append time: each event lands at a random place of a B-tree larger
than SQLite's cache (10,000 events into a 1M log: 1.27 s more, benchmarks/README.md).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ._backend import AppendHead, ClusterMoved, Placement, Placer, StoredRow
from ._codec import BATCH_LINES

__all__ = ["CLUSTER_BATCH", "ClusterReaders", "ClusterState", "SqliteCluster"]

#: The copy's binding to the chain: ``(seq, count, hash)`` of the last record it covers.
ClusterState = tuple[int, int, str]

#: Events per fetch of the copy (a walk is one read transaction, fetched in batches).
CLUSTER_BATCH = 4096
#: Reader connections kept idle for the next walk of the copy.
_IDLE_READERS = 2

_TABLE = """CREATE TABLE IF NOT EXISTS clustered (
    key BLOB PRIMARY KEY,
    stream TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    event BLOB NOT NULL
) WITHOUT ROWID"""


class SqliteCluster:
    """The clustered copy of one SQLite log, on the backend's connection.

    Args:
        db: the connection the copy is on (autocommit: transactions are explicit): the
            backend's, or a log file's copy's own (``_clusterfile``).
        record_hash: returns the hash of the log's record at a seq (None if absent).
        lines: returns the log's stored lines with ``after < seq <= until``, in
            batches (``Backend.lines``; read inside the caller's transaction or lock).
    """

    def __init__(
        self,
        db: sqlite3.Connection,
        record_hash: Callable[[int], str | None],
        lines: Callable[[int, int], Iterator[list[bytes]]],
    ) -> None:
        self._db = db
        self._record_hash = record_hash
        self._lines = lines

    def state(self) -> ClusterState | None:
        """Return the copy's binding to the chain; None when the log keeps none, or a stale one."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'clustered'").fetchone()
        if row is None:
            return None
        parts = str(row[0]).split(" ")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            return None  # 'stale', or damaged: a reader never uses it
        return int(parts[0]), int(parts[1]), parts[2]

    def kept(self) -> bool:
        """Whether the log has a copy at all (current, lagging or stale)."""
        return self._db.execute("SELECT 1 FROM meta WHERE key = 'clustered'").fetchone() is not None

    def _set(self, seq: int, count: int, hash_: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO meta VALUES ('clustered', ?)", (f"{seq} {count} {hash_}",)
        )

    def _place(self, placed: Sequence[Placement], count: int) -> int:
        """Apply placements (in seq order) to the table; return the new count."""
        last: dict[str, Placement] = {}
        for placement in placed:
            last.pop(placement[0], None)  # a stream's last placement, in the order of the last
            last[placement[0]] = placement
        db = self._db
        gone = db.executemany("DELETE FROM clustered WHERE stream = ?", [(s,) for s in last])
        count -= max(gone.rowcount, 0)
        inserted = [(key, s, seq, event) for s, seq, key, event in last.values() if key is not None]
        db.executemany("INSERT INTO clustered VALUES (?, ?, ?, ?)", inserted)
        return count + len(inserted)

    def start(self, head: AppendHead, place: Placer) -> int | None:
        """Inside an append's transaction: bring the copy to ``head``; return its count.

        None when the log keeps no usable copy (then the append does not keep it). A
        copy that lags the head, with the log's hash where it stopped, is caught up
        from the records since; one that does not continue the log is marked stale.
        """
        state = self.state()
        if state is None:
            return None
        if not self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'clustered'"
        ).fetchone():
            state = (-1, 0, "")  # its binding without its table (dropped by hand): stale
        seq, count, hash_ = state
        if seq == head.seq and hash_ == head.hash:
            return count
        if seq < head.seq and self._record_hash(seq) == hash_:
            for lines in self._lines(seq, head.seq):
                count = self._place(place(lines), count)
            return count
        self._db.execute("UPDATE meta SET value = 'stale' WHERE key = 'clustered'")
        return None

    def append(self, rows: Sequence[StoredRow], count: int, place: Placer) -> int:
        """Inside an append's transaction: place one batch of rows; return the new count."""
        return self._place(place([row.line for row in rows]), count)

    def finish(self, seq: int, hash_: str, count: int) -> None:
        """Inside a write transaction: bind the copy to the record at ``seq`` (the head)."""
        self._set(seq, count, hash_)

    def build(self, head: AppendHead, place: Placer) -> None:
        """Inside a write transaction: make the copy anew from every record up to ``head``.

        Each stream's last placement is gathered in a temporary table keyed by stream,
        then copied in key order, so the clustered table is written front to back
        (a random insert per record would dirty a page each).
        """
        db = self._db
        db.execute("DROP TABLE IF EXISTS clustered")
        db.execute(_TABLE)
        db.execute("DROP TABLE IF EXISTS temp.clustering")
        db.execute(
            "CREATE TEMP TABLE clustering (stream TEXT PRIMARY KEY, key BLOB, seq INTEGER,"
            " event BLOB)"
        )
        try:
            for lines in self._lines(0, head.seq):
                db.executemany(
                    "INSERT OR REPLACE INTO temp.clustering VALUES (?, ?, ?, ?)",
                    [(s, key, seq, event) for s, seq, key, event in place(lines)],
                )
            db.execute(
                "INSERT INTO clustered SELECT key, stream, seq, event FROM temp.clustering"
                " WHERE key IS NOT NULL ORDER BY key"
            )
            (count,) = db.execute(
                "SELECT count(*) FROM temp.clustering WHERE key IS NOT NULL"
            ).fetchone()
        finally:
            db.execute("DROP TABLE IF EXISTS temp.clustering")
        self._set(head.seq, int(count), head.hash)

    def drop(self) -> None:
        """Inside a write transaction: remove the copy and its binding."""
        self._db.execute("DROP TABLE IF EXISTS clustered")
        self._db.execute("DELETE FROM meta WHERE key = 'clustered'")

    def usable(self, seq: int, count: int) -> bool:
        """Whether the copy holds exactly the ``count`` live events of the log at ``seq``."""
        state = self.state()
        return (
            state is not None
            and state[:2] == (seq, count)
            and (seq == 0 or self._record_hash(seq) == state[2])
        )

    def batches(
        self, reader: sqlite3.Connection, seq: int, count: int
    ) -> Iterator[list[tuple[bytes, int]]]:
        """Yield the copy's ``(event, seq)`` rows in key order, in batches.

        One read transaction on ``reader``, a connection of its own: the scan sees the
        log as it was when it began (WAL), whatever is appended meanwhile, so a walk is
        one statement (a batch a read, with the key to go on from, cost 0.03 s more at
        100k). It ends when the iterator is exhausted or closed.

        Args:
            reader: the connection to read on (not the backend's, which appends).
            seq: the seq of the log's state the copy must hold.
            count: how many events it must hold.

        Raises:
            ClusterMoved: the copy does not hold that state (an append since the query).
        """
        reader.execute("BEGIN")
        try:
            state = SqliteCluster(reader, self._record_hash, self._lines).state()
            if state is None or state[:2] != (seq, count):
                raise ClusterMoved(seq)
            cursor = reader.execute("SELECT event, seq FROM clustered ORDER BY key")
            while rows := cursor.fetchmany(CLUSTER_BATCH):
                yield rows
                del rows  # before the next fetch (Store._unpacked)
        except sqlite3.OperationalError:
            raise ClusterMoved(seq) from None  # its table dropped by hand
        finally:
            reader.execute("COMMIT")

    def rows(self) -> Iterator[list[tuple[bytes, str, int, bytes]]]:
        """Yield every ``(key, stream, seq, event)`` row in key order (``verify``)."""
        cursor = self._db.execute("SELECT key, stream, seq, event FROM clustered ORDER BY key")
        try:
            while found := cursor.fetchmany(BATCH_LINES):
                yield found
        finally:
            cursor.close()


class ClusterReaders:
    """The connections walks of one clustered copy read on, a few kept idle for the next.

    Each walk holds one read transaction, so walks at once (nested, or one
    abandoned unfinished) each take a connection of their own.

    Args:
        location: the database file the copy is in.
    """

    def __init__(self, location: str) -> None:
        self._location = location
        self._idle: list[sqlite3.Connection] = []
        self._closed = False

    def walk(
        self, cluster: SqliteCluster, seq: int, count: int
    ) -> Iterator[list[tuple[bytes, int]]]:
        """Scan the copy (``SqliteCluster.batches``) on an idle connection, given back when done."""
        try:
            reader = self._idle.pop() if self._idle else self._connect()
        except sqlite3.Error:
            raise ClusterMoved(seq) from None  # its file removed since (``cluster off``)
        try:
            yield from cluster.batches(reader, seq, count)
        finally:
            # A walk abandoned unfinished ends here when collected, maybe after close().
            if self._closed or len(self._idle) >= _IDLE_READERS:
                reader.close()
            else:
                self._idle.append(reader)

    def _connect(self) -> sqlite3.Connection:
        # mode=rw: a file removed since is an error, not a new empty database.
        uri = f"{Path(self._location).resolve().as_uri()}?mode=rw"
        return sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)

    def close(self) -> None:
        """Close the idle connections; a walk still under way closes its own when it ends."""
        self._closed = True
        while self._idle:
            self._idle.pop().close()
