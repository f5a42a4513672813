"""A log file's clustered copy: a SQLite database among its caches, bound to the chain.

A JSON Lines log keeps its clustered copy (``_sqlitecluster``: every live event
again, in timeline order) in ``<file>.snapshots/clustered.db``, opt-in like
SQLite's (``JsonlStore(path, cluster=True)``, ``timeline cluster on``). The log
file stays the one truth, plain text to commit and diff; the copy is a cache
beside it, checked by ``verify`` and rebuilt by ``cluster on``.

Each append writes the copy after its lines are written and fsynced, under the
log's lock, in one SQLite transaction. So the copy is never ahead of the log: a
crash between the two leaves it lagging (bound to an earlier record), and the next
append or ``cluster on`` catches it up from the lines since, as it does after a
writer of another version appended without keeping it. A reader uses the copy only
when it is bound to the seq its query ran at, with the log's hash there and the
query's count of events; otherwise the walk reads the records as ever.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ._backend import AppendHead, Placer, StoredRow
from ._cachedir import made_cache_dir
from ._errors import TimelineError
from ._sqlitecluster import ClusterReaders, SqliteCluster

__all__ = ["ClusterFile"]

_SCHEMA = """CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clustered (
    key BLOB PRIMARY KEY,
    stream TEXT NOT NULL UNIQUE,
    seq INTEGER NOT NULL,
    event BLOB NOT NULL
) WITHOUT ROWID;"""


class ClusterFile:
    """The clustered copy of one log file, in a SQLite database of its own.

    Every method but ``batches``, ``rows`` and ``kept`` runs under the log's lock.

    Args:
        path: the database file (``<log>.snapshots/clustered.db``).
        location: the log's location, for messages.
        record_hash: returns the hash of the log's record at a seq (None if absent).
        lines: returns the log's stored lines with ``after < seq <= until``, in batches.
    """

    def __init__(
        self,
        path: Path,
        location: str,
        record_hash: Callable[[int], str | None],
        lines: Callable[[int, int], Iterator[list[bytes]]],
    ) -> None:
        self.path = path
        self._location = location
        self._record_hash = record_hash
        self._lines = lines
        self._db: sqlite3.Connection | None = None
        self._cluster: SqliteCluster | None = None
        #: The open database's file (device, inode), to notice it replaced.
        self._file = (0, 0)
        self._readers = ClusterReaders(str(path))

    def _opened(self, create: bool = False) -> SqliteCluster | None:
        """Return the copy, opening its database (made when ``create``); None if there is none.

        The database open is the file at ``path`` still: one another process removed
        or made anew since (``cluster off``, ``cluster on``) is opened again.
        """
        try:
            found = os.stat(self.path)
        except OSError:  # missing, or its directory not one (a file named so)
            found = None
        if self._cluster is not None:
            if found is not None and (found.st_dev, found.st_ino) == self._file:
                return self._cluster
            self._forget()
        if not create and found is None:
            return None
        if create:
            made_cache_dir(self.path.parent)
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            # A cache: an OS crash that drops its last commit leaves it lagging, caught up.
            db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError:
            db.close()
            raise
        made = os.stat(self.path)
        self._file = (made.st_dev, made.st_ino)
        self._db = db
        self._cluster = SqliteCluster(db, self._record_hash, self._lines)
        return self._cluster

    def kept(self) -> bool:
        """Whether the log has a copy at all (current, lagging, stale or damaged)."""
        try:
            cluster = self._opened()
            return cluster is not None and cluster.kept()
        except sqlite3.OperationalError:
            return False  # a database without the copy's tables (an empty file)
        except sqlite3.DatabaseError:
            return self.path.is_file()  # damaged: 'stale' until 'cluster on' makes it anew

    def _state_usable(self, seq: int, count: int) -> SqliteCluster | None:
        """Return the copy when it holds exactly the ``count`` events of the log at ``seq``."""
        try:
            cluster = self._opened()
            return cluster if cluster is not None and cluster.usable(seq, count) else None
        except sqlite3.DatabaseError:
            return None  # damaged, or not a database: the walk reads the records

    def append(self, head: AppendHead, rows: Sequence[StoredRow], place: Placer) -> None:
        """Under the log's lock, its lines fsynced: place an append's rows in the copy.

        ``head`` is the log's head before the append. A copy that lags is caught up
        first; one that does not continue the log is marked stale. Failing to write
        it (a full disk, a damaged file, a line that does not decode) leaves it
        lagging, never ahead, and costs the next walk time, never a record.
        """
        if not rows:
            return
        try:
            cluster = self._opened()
            if cluster is None or self._db is None:
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                count = cluster.start(head, place)
                if count is not None:
                    count = cluster.append(rows, count, place)
                    cluster.finish(rows[-1].seq, rows[-1].hash, count)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError, TimelineError):
            return

    def make(self, head: AppendHead, place: Placer) -> None:
        """Under the log's lock: bring the copy to ``head`` (caught up, or made anew).

        Raises:
            TimelineError: it cannot be written (named with the log); the log is as it was.
        """
        try:
            try:
                cluster = self._opened(create=True)
            except sqlite3.DatabaseError:
                self._remove()  # not a database: a cache, made anew
                cluster = self._opened(create=True)
            assert cluster is not None  # made
            assert self._db is not None
            self._db.executescript(_SCHEMA)  # a new file, or one an interrupted make left
            self._db.execute("BEGIN IMMEDIATE")
            try:
                count = cluster.start(head, place)
                if count is None:
                    cluster.build(head, place)
                elif head.seq:
                    cluster.finish(head.seq, head.hash, count)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as exc:
            raise TimelineError(
                f"{self._location}: cannot make the clustered copy in {self.path} ({exc})"
            ) from None

    def drop(self) -> None:
        """Under the log's lock: remove the copy's database.

        Raises:
            TimelineError: it cannot be removed (named with the log).
        """
        try:
            self._remove()
        except OSError as exc:
            raise TimelineError(
                f"{self._location}: cannot drop the clustered copy {self.path} ({exc})"
            ) from None

    def _remove(self) -> None:
        """Close the copy's database and remove its files (a reader mid-walk keeps its own)."""
        self._forget()
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{self.path}{suffix}").unlink()

    def batches(self, seq: int, count: int) -> Iterator[list[tuple[bytes, int]]] | None:
        """Return the copy's ``(packed event, seq)`` rows in timeline order, or None.

        None unless the copy holds exactly the ``count`` events of the log at ``seq``
        (``Backend.clustered_batches``).
        """
        if count == 0:
            return None
        cluster = self._state_usable(seq, count)
        return None if cluster is None else self._readers.walk(cluster, seq, count)

    def rows(self, head: int) -> Iterator[list[tuple[bytes, str, int, bytes]]] | None:
        """Return every row of a copy bound to the log's ``head`` (``verify``), or None."""
        try:
            cluster = self._opened()
            state = None if cluster is None else cluster.state()
        except sqlite3.DatabaseError:
            return None
        if cluster is None or state is None or state[0] != head:
            return None
        return cluster.rows() if self._state_usable(state[0], state[1]) else None

    def _forget(self) -> None:
        """Close the database and the idle readers (they would go on reading a removed file)."""
        self._close_db()
        self._readers.close()
        self._readers = ClusterReaders(str(self.path))

    def _close_db(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db = self._cluster = None

    def close(self) -> None:
        """Close the copy's connections (a walk under way closes its own when it ends)."""
        self._readers.close()
        self._close_db()
