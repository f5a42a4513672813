"""The shared store for teams: one schema of a PostgreSQL database per log.

Several people on several machines append to one log and read it at once.
Appends are serialised by a transaction-level advisory lock, inside which the
head is read and ``seq`` is assigned as head + 1: the log is then gap-free and
in commit order by construction, so a reader tailing it never skips a record
that commits later. The record bytes are those the SQLite and JSON Lines
stores keep, so the hash chain verifies the same way everywhere.

``PostgresBackend`` keeps the bytes; ``PostgresStore`` is the record layer
(``_store.Store``) over it, as for every store.
"""

from __future__ import annotations

import contextlib
import itertools
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import attrs

from ._backend import (
    AppendHead,
    Backend,
    BatchStamper,
    Columns,
    Stamper,
    StoredRow,
    packed_hot,
)
from ._codec import BATCH_LINES, RecordCodec
from ._columns import HotBatch, Vocabulary
from ._errors import (
    CorruptLog,
    InvalidRecord,
    StoreBusy,
    StoreUnavailable,
    TimelineError,
)
from ._pgschema import Statements
from ._records import GENESIS_HASH
from ._store import Store

__all__ = ["PostgresBackend", "PostgresSettings", "PostgresStore", "parse_postgres_url"]

_FORMAT = "geotimeline-4"
#: The format before the hot columns, which an open migrates (``upgrade``).
_OLD_FORMAT = "geotimeline-3"

#: The URL query parameters geotimeline reads itself (the rest go to libpq).
_OWN_PARAMETERS = frozenset({"schema", "lock_timeout", "clock"})
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,46}\Z")
#: How many leading bytes of a snapshot are kept apart for cheap header reads.
_SNAPSHOT_HEAD = 256
#: Rows fetched from the server-side cursor per round trip (decoded BATCH_LINES at a time).
_FETCH_ROWS = BATCH_LINES * 16
#: The longest a follower waits on LISTEN before it re-reads the head anyway
#: (a notification is a hint: one lost on the way costs at most this long).
_LISTEN_POLL = 5.0
#: Reconnection backoff of a follower: first pause, and the longest one.
_BACKOFF = (0.05, 5.0)


@attrs.frozen
class PostgresSettings:
    """Where a PostgreSQL log lives and how the store treats it, read from its URL."""

    conninfo: str
    """What psycopg connects with: the URL without geotimeline's own parameters."""
    display: str
    """The URL as shown in messages: without its password."""
    schema: str = "geotimeline"
    """The schema holding the log's tables (one schema per log)."""
    lock_timeout: float = 30.0
    """Seconds an append waits for another writer's lock before ``StoreBusy``."""
    server_clock: bool = True
    """Stamp ``recorded_at`` with the server's clock (one clock for the whole team)."""


def parse_postgres_url(url: str) -> PostgresSettings:
    """Read a ``postgresql://`` URL: libpq's parameters and geotimeline's own three.

    ``postgresql://analyst@db.example/newsroom?schema=ukraine&lock_timeout=5`` opens
    the log in schema ``ukraine``. Anything the URL leaves out (host, user,
    password...) comes from libpq's environment (``PGHOST``, ``PGPASSFILE``...).
    geotimeline reads ``schema`` (default ``geotimeline``), ``lock_timeout`` (seconds,
    default 30) and ``clock`` (``server``, the default, or ``client``: stamp records
    with the writer's clock instead of the server's).

    Raises:
        TimelineError: a parameter geotimeline reads has a bad value.
    """
    parts = urlsplit(url)
    display = _without_password(parts)
    own: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        (own.__setitem__(key, value) if key in _OWN_PARAMETERS else rest.append((key, value)))
    schema = own.get("schema", "geotimeline")
    if not _SCHEMA_NAME.match(schema):
        raise TimelineError(
            f"{display}: schema {schema!r} is not a lower-case name of letters, digits and _"
        )
    try:
        lock_timeout = float(own.get("lock_timeout", "30"))
    except ValueError:
        lock_timeout = -1.0
    if not 0 < lock_timeout < 86_400:
        raise TimelineError(
            f"{display}: lock_timeout {own.get('lock_timeout')!r} is not a number of seconds"
        )
    clock = own.get("clock", "server")
    if clock not in {"server", "client"}:
        raise TimelineError(f"{display}: clock {clock!r} is neither 'server' nor 'client'")
    conninfo = _join(parts.scheme, parts.netloc, parts.path, urlencode(rest))
    return PostgresSettings(conninfo, display, schema, lock_timeout, clock == "server")


def _without_password(parts: Any) -> str:
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.partition(':')[0]}@{host}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "password"]
    return _join(parts.scheme, netloc, parts.path, urlencode(query, quote_via=quote))


def _join(scheme: str, netloc: str, path: str, query: str) -> str:
    # Not urlunsplit: it drops the "//" of a URL with no host ("postgresql://?host=/run").
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


class PostgresBackend(Backend):
    """A log in one schema of a PostgreSQL database, shared by many writers and readers.

    Args:
        url: ``postgresql://[user[:password]@][host][:port]/[dbname]?schema=...``;
            see ``parse_postgres_url``.

    Raises:
        StoreUnavailable: the server cannot be reached or refuses the login.
        CorruptLog: the schema holds a log of a format this version does not read.
    """

    unique_versions = True
    keeps_hot = True
    indexes_streams = True

    def __init__(self, url: str) -> None:
        super().__init__()
        self._vocabulary = Vocabulary(refresh=self._load_terms, local=False, store=self)
        #: Terms numbered by the append in progress, written with its records.
        self._new_terms: list[tuple[int, str, Any]] = []
        #: Inside an append (under its lock): the vocabulary is current, no refresh needed.
        self._terms_current = False
        self._old_format: str | None = None
        self.settings = parse_postgres_url(url)
        self.location = self.settings.display
        try:
            import psycopg
        except ImportError:  # pragma: no cover - the extra is part of the test install
            raise TimelineError(
                f"{self.location}: PostgreSQL logs need psycopg: "
                "pip install 'geotimeline[postgres]'"
            ) from None
        self._psycopg = psycopg
        self._sql = Statements(self.settings.schema)
        self._cursor_names = itertools.count()
        self._reading = 0
        self._listen_conn: Any = None
        self._reader: Any = None
        self._conn: Any = None
        self._conn = self._connect(autocommit=True)
        try:
            self._ensure_schema()
        except BaseException:
            self.close()
            raise

    # -- connections -------------------------------------------------------------------

    def _connect(self, *, autocommit: bool) -> Any:
        psycopg = self._psycopg
        try:
            # prepare_threshold=None: no server-side prepared statements, so the store
            # also works through pgbouncer's transaction pooling (see docs/stores.md).
            return psycopg.connect(
                self.settings.conninfo,
                autocommit=autocommit,
                prepare_threshold=None,
                application_name="geotimeline",
            )
        except psycopg.Error as exc:
            raise StoreUnavailable(self.location, _one_line(exc)) from None

    def _writer(self) -> Any:
        if self._conn is None or self._conn.broken or self._conn.closed:
            self._conn = self._connect(autocommit=True)
        return self._conn

    def _reader_conn(self) -> Any:
        if self._reader is None or self._reader.broken or self._reader.closed:
            self._reader = self._connect(autocommit=False)
        return self._reader

    def _query(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        try:
            return list(self._writer().execute(sql, params).fetchall())
        except self._psycopg.Error as exc:  # the server went away, the schema was dropped...
            raise StoreUnavailable(self.location, _one_line(exc)) from None

    def _batches(self, sql: str, params: Sequence[Any]) -> Iterator[list[tuple[Any, ...]]]:
        # A server-side cursor in a transaction of the reader connection; reads may
        # nest (each has its own cursor) and the transaction ends with the last one.
        psycopg = self._psycopg
        conn = self._reader_conn()
        self._reading += 1
        cursor = conn.cursor(f"geotimeline_read_{next(self._cursor_names)}", binary=True)
        try:
            cursor.execute(sql, params)
            rows = cursor.fetchmany(_FETCH_ROWS)
            if len(rows) < _FETCH_ROWS:
                if rows:
                    yield rows
                return
            yield rows
            # A long read: fetch the next batch while this one is decoded, so the
            # server and the decoder work at the same time.
            yield from _prefetched(cursor)
        except psycopg.Error as exc:
            raise StoreUnavailable(self.location, _one_line(exc)) from None
        finally:
            self._reading -= 1
            if not conn.broken:
                cursor.close()
                if self._reading == 0:
                    conn.commit()

    def _ensure_schema(self) -> None:
        psycopg = self._psycopg
        sql = self._sql
        try:
            found = self._query(sql.format_version) if self._query(sql.has_meta)[0][0] else []
            if not found:
                with self._writer().transaction():
                    # Concurrent first opens would race on CREATE ... IF NOT EXISTS.
                    self._writer().execute(sql.lock, (sql.key,))
                    self._writer().execute(sql.create)
                    self._writer().execute(sql.insert_format, (_FORMAT,))
                found = self._query(sql.format_version)
        except psycopg.Error as exc:  # no right to create the schema, ...
            raise StoreUnavailable(self.location, _one_line(exc)) from None
        if found[0][0] == _OLD_FORMAT:
            self._old_format = _OLD_FORMAT
        elif found[0][0] != _FORMAT:
            raise CorruptLog(
                f"{self.location}: log format {found[0][0]!r} is not one this geotimeline "
                f"reads ({_FORMAT}); it was written by another (pre-release or newer) version"
            )
        else:
            self._index_hot()

    def _index_hot(self) -> None:
        """Give a log made before the replay's covering index that index (when allowed).

        Under the append lock, so a writer waits for the build rather than racing it.
        A role that may not create it (one that only inserts and selects) replays
        from the table, as before, and so does an open that finds a writer holding
        the lock past the lock timeout (the next open builds it).
        """
        psycopg = self._psycopg
        sql = self._sql
        if self._query(sql.has_hot_index)[0][0]:
            return
        conn = self._writer()
        try:
            with conn.transaction():
                conn.execute(sql.lock, (sql.key,))
                conn.execute(sql.hot_index)
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.LockNotAvailable):
            pass
        except psycopg.Error as exc:
            raise StoreUnavailable(self.location, _one_line(exc)) from None

    # -- appending ---------------------------------------------------------------------

    def append_rows(self, stamp: Stamper) -> Sequence[StoredRow]:
        last, _ = self._append(lambda head: [self.stamped(stamp, head)])
        return last

    def append_batches(self, stamp: BatchStamper) -> int:
        """Write each batch in one transaction before stamping the next; notify once.

        Later batches' version lookups read the earlier ones inside the transaction;
        other sessions see none of them, and followers are told, at the commit.
        """
        _, written = self._append(lambda head: self.stamped_batches(stamp, head))
        return written

    def _append(
        self, batches: Callable[[AppendHead], Iterable[Sequence[StoredRow]]]
    ) -> tuple[Sequence[StoredRow], int]:
        """Write the head's batches in one locked transaction; return the last batch, the count.

        Any error rolls back every batch and forgets the terms they added.
        """
        psycopg = self._psycopg
        sql = self._sql
        conn = self._writer()
        rows: Sequence[StoredRow] = []
        written = 0
        terms_before = len(self._vocabulary)
        try:
            with conn.cursor() as cursor:
                try:
                    # One round trip: BEGIN, the lock timeout, the lock, the head and the
                    # server's clock, and the terms other writers added (simple-query
                    # statements, their values checked here).
                    cursor.execute(sql.begin(self.settings.lock_timeout, terms_before))
                    results = []
                    while True:
                        if cursor.description is not None:
                            results.append(cursor.fetchall())
                        if not cursor.nextset():
                            break
                    (server_now, seq, hash_, recorded_at), new_terms = results[-2][0], results[-1]
                    for term_id, field, value in new_terms:
                        self._vocabulary.add(term_id, field, value)
                    head = AppendHead(
                        seq or 0,
                        hash_ or GENESIS_HASH,
                        recorded_at or "",
                        lambda stream: self._version(cursor, stream),
                        server_now if self.settings.server_clock else None,
                    )
                    for rows in batches(head):
                        if rows:
                            self._write_rows(cursor, rows)
                            written += len(rows)
                    if not written:
                        conn.execute("ROLLBACK")
                        return rows, 0
                    # The notification is delivered when the transaction commits.
                    cursor.execute(sql.notify_and_commit(head.seq + written))
                except BaseException:
                    self._vocabulary.truncate(terms_before)
                    idle = psycopg.pq.TransactionStatus.IDLE
                    if not conn.broken and conn.info.transaction_status != idle:
                        conn.execute("ROLLBACK")
                    raise
        except psycopg.errors.UniqueViolation:
            # A new stream's version 1 is checked by the unique constraint alone.
            error = self.conflict(rows, lambda stream: self._version(conn.cursor(), stream))
            if error is not None:
                raise error from None
            raise
        except psycopg.errors.LockNotAvailable:
            raise StoreBusy(self.location, self.settings.lock_timeout) from None
        except psycopg.Error as exc:  # the server went away, a permission is missing...
            raise StoreUnavailable(self.location, _one_line(exc)) from None
        return rows, written

    def _version(self, cursor: Any, stream: str) -> int:
        (found,) = cursor.execute(self._sql.version, (stream,)).fetchone()
        return int(found or 0)

    def _write_rows(self, cursor: Any, rows: Sequence[StoredRow]) -> None:
        # Under the append lock no other writer numbers terms, and what they added is
        # loaded (``begin``): number new ones locally and COPY them with the records.
        self._terms_current = True
        try:
            hot = packed_hot(self._vocabulary, rows, self._new_term)
            self._write_terms(cursor)
        finally:
            self._terms_current = False
            self._new_terms.clear()
        # Binary COPY: one round trip for the whole batch.
        with cursor.copy(self._sql.copy) as copy:
            copy.set_types(["int8", "text", "int4", "text", "text", "text", "bytea", "bytea"])
            write = copy.write_row
            for r, h in zip(rows, hot, strict=True):
                write((r.seq, r.stream, r.version, r.type, r.recorded_at, r.hash, r.line, h))

    def _new_term(self, field: str, value: Any) -> int:
        term_id = len(self._vocabulary)
        self._new_terms.append((term_id, field, value))
        return term_id

    def _write_terms(self, cursor: Any) -> None:
        if self._new_terms:
            with cursor.copy(self._sql.copy_terms) as copy:
                copy.set_types(["int4", "text", "text"])
                for term in self._new_terms:
                    copy.write_row(term)

    def term_at(self, term_id: int) -> tuple[str, Any] | None:
        """Return the term numbered ``term_id`` (``TermStore``), or None if there is none."""
        rows = self._query(self._sql.term_at, (term_id,))
        return (rows[0][0], rows[0][1]) if rows else None

    def terms_holding(self, field: str, member: str, separator: str) -> set[int]:
        """Return the ids of ``field``'s terms whose split value has ``member`` (``TermStore``).

        Scanned on the server: the terms are not sent to the client.
        """
        params = {"field": field, "member": member, "sep": separator}
        return {row[0] for row in self._query(self._sql.terms_holding, params)}

    def _load_terms(self) -> None:
        """Learn the terms added since we last looked (by any writer)."""
        if self._terms_current:
            return
        vocabulary = self._vocabulary
        for term_id, field, value in self._query(self._sql.terms_since, (len(vocabulary),)):
            vocabulary.add(term_id, field, value)

    # -- reading -----------------------------------------------------------------------

    def lines(self, after: int = 0, until: int | None = None) -> Iterator[list[bytes]]:
        for rows in self._batches(self._sql.lines, (after, _until(until))):
            for start in range(0, len(rows), BATCH_LINES):
                yield [row[0] for row in rows[start : start + BATCH_LINES]]

    def raw_rows(
        self, after: int = 0, until: int | None = None
    ) -> Iterator[list[tuple[bytes, Columns | None]]]:
        self._load_terms()
        for rows in self._batches(self._sql.raw_lines, (after, _until(until))):
            yield [(row[0], row[1:]) for row in rows]

    def hot_rows(self, after: int = 0, until: int | None = None) -> Iterator[HotBatch]:
        # The packed column as SQLite keeps it: one bytes.join per batch, no JSON parsed.
        loaded = False
        for rows in self._batches(self._sql.hot, (after, _until(until))):
            if not loaded:
                # The cursor's snapshot is taken: every term its rows refer to was
                # committed before it (with the first record using it), so the terms
                # read from now on (on first use) hold them.
                self._vocabulary.stale()
                loaded = True
            seqs, streams, packed = zip(*rows, strict=True)
            try:
                yield HotBatch.of_packed(seqs, streams, packed)
            except InvalidRecord as exc:
                raise InvalidRecord(f"{self.location} {exc.where}", exc.reason) from None

    def upgrade(self, hot_values: Callable[[list[bytes]], list[tuple[Any, ...]]]) -> None:
        """Migrate a format 3 log: add the hot column and the terms, filled from the records.

        One transaction under the append lock: a crash or a refusal leaves format 3,
        which the next open migrates again. The update trigger is lifted only inside
        it; no record byte changes. Snapshots are caches of an older numbering: dropped.

        Raises:
            CorruptLog: this role may not migrate the log (only its owner may).
            StoreUnavailable: the server went away.
        """
        if self._old_format is None:
            return
        psycopg = self._psycopg
        sql = self._sql
        conn = self._writer()
        try:
            with conn.transaction(), conn.cursor() as cursor:
                cursor.execute(sql.lock, (sql.key,))
                if cursor.execute(sql.format_version).fetchall()[0][0] == _OLD_FORMAT:
                    self._migrate(cursor, hot_values)
        except psycopg.errors.InsufficientPrivilege:
            self._vocabulary.truncate(1)
            raise CorruptLog(
                f"{self.location}: log format {_OLD_FORMAT!r} must be migrated to {_FORMAT!r} "
                f"by the schema's owner: timeline --db '{self.location}' init, as the owner"
            ) from None
        except psycopg.Error as exc:
            self._vocabulary.truncate(1)
            raise StoreUnavailable(self.location, _one_line(exc)) from None
        self._old_format = None

    def _migrate(
        self, cursor: Any, hot_values: Callable[[list[bytes]], list[tuple[Any, ...]]]
    ) -> None:
        sql = self._sql
        cursor.execute(sql.add_hot)
        cursor.execute(sql.create)  # the terms table and its triggers (the rest exists)
        cursor.execute(sql.lift_no_update)  # only inside this transaction
        self._terms_current = True  # the terms table was just created: it is empty
        try:
            seq = 0
            while found := cursor.execute(sql.unmigrated, (seq, _FETCH_ROWS)).fetchall():
                values = hot_values([bytes(row[1]) for row in found])
                rows = [
                    StoredRow(s, stream, version, "", "", "", b"", hot)
                    for (s, _, version, stream), hot in zip(found, values, strict=True)
                ]
                packed = packed_hot(self._vocabulary, rows, self._new_term)
                self._write_terms(cursor)
                self._new_terms.clear()
                with cursor.copy(sql.copy_hot) as copy:
                    copy.set_types(["int8", "bytea"])
                    for row, h in zip(rows, packed, strict=True):
                        copy.write_row((row.seq, h))
                cursor.execute(sql.fill_hot)
                seq = found[-1][0]
        finally:
            self._terms_current = False
            self._new_terms.clear()
        cursor.execute(sql.no_update)
        cursor.execute(sql.drop_snapshots)
        cursor.execute(sql.set_format, (_FORMAT,))

    def stream_lines(self, stream: str) -> list[bytes]:
        return [bytes(row[0]) for row in self._query(self._sql.stream, (stream,))]

    def lines_at(self, seqs: Sequence[int]) -> list[bytes]:
        # One query per 10,000 seqs (an array parameter), not one cursor per record:
        # the read model decodes the events it is asked for this way.
        found: dict[int, bytes] = {}
        for start in range(0, len(seqs), 10_000):
            chunk = list(seqs[start : start + 10_000])
            found.update((int(s), bytes(x)) for s, x in self._query(self._sql.lines_at, (chunk,)))
        missing = [s for s in seqs if s not in found]
        if missing:
            raise InvalidRecord(self.where(missing[0]), "not in the log")
        return [found[s] for s in seqs]

    def first_seq(self, stream: str) -> int | None:
        rows = self._query(self._sql.first_seq, (stream,))
        return int(rows[0][0]) if rows else None

    def head(self) -> int:
        (found,) = self._query(self._sql.head)[0]
        return int(found or 0)

    def seq_at(self, stamp: str) -> int:
        # recorded_at never decreases along seq, so a binary search over the
        # primary key answers this without an index that every append would pay for.
        lo, hi = 0, self.head()
        while lo < hi:
            mid = (lo + hi + 1) // 2
            ((at,),) = self._query(self._sql.recorded_at, (mid,))
            if at <= stamp:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def record_hash(self, seq: int) -> str | None:
        rows = self._query(self._sql.hash, (seq,))
        return str(rows[0][0]) if rows else None

    # -- snapshots ---------------------------------------------------------------------

    def save_snapshot(self, name: str, version: int, seq: int, data: bytes) -> None:
        # A read-only role saves none: snapshots are caches, and the log is untouched.
        with contextlib.suppress(self._psycopg.errors.InsufficientPrivilege):
            self._query_none(
                self._sql.save_snapshot, (name, version, seq, data[:_SNAPSHOT_HEAD], data)
            )

    def read_snapshot_parts(
        self, name: str, version: int, parts: Sequence[tuple[int, int]]
    ) -> Iterator[bytes]:
        # The server cuts each part out: a section is sent, not the whole snapshot.
        for offset, length in parts:
            part = f"substring(data FROM {int(offset) + 1} FOR {int(length)})"
            rows = self._query(self._sql.load_snapshot(part), (name, version))
            yield bytes(rows[0][1]) if rows else b""

    def load_snapshot(
        self, name: str, version: int, limit: int | None = None
    ) -> tuple[int, bytes] | None:
        column = "head" if limit is not None and limit <= _SNAPSHOT_HEAD else "data"
        rows = self._query(self._sql.load_snapshot(column), (name, version))
        if not rows:
            return None
        seq, data = rows[0]
        return int(seq), bytes(data)[:limit]

    def _query_none(self, sql: str, params: Sequence[Any]) -> None:
        try:
            self._writer().execute(sql, params)
        except self._psycopg.errors.InsufficientPrivilege:
            raise
        except self._psycopg.Error as exc:
            raise StoreUnavailable(self.location, _one_line(exc)) from None

    # -- following ---------------------------------------------------------------------

    def wait(self, after: int, timeout: float | None = None) -> bool:
        """Block until the log's head is past ``after`` (True) or ``timeout`` passes (False).

        Waits on ``LISTEN`` with a connection of its own; a notification is only a
        hint to re-read the head, which is also re-read every few seconds in case
        one was lost. A dropped connection is reopened with backoff.
        """
        psycopg = self._psycopg
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = _BACKOFF[0]
        while True:
            try:
                conn = self._listener()
                # LISTEN is active before the head is read: no commit falls in between.
                ((head,),) = conn.execute(self._sql.head).fetchall()
                if (head or 0) > after:
                    return True
                left = _LISTEN_POLL if deadline is None else deadline - time.monotonic()
                if left <= 0:
                    return False
                for _ in conn.notifies(timeout=min(left, _LISTEN_POLL), stop_after=1):
                    pass
                pause = _BACKOFF[0]
            except psycopg.OperationalError:
                self._close_listener()
                if deadline is not None and time.monotonic() + pause > deadline:
                    return False
                time.sleep(pause)
                pause = min(pause * 2, _BACKOFF[1])

    def _listener(self) -> Any:
        conn = self._listen_conn
        if conn is None or conn.broken or conn.closed:
            conn = self._psycopg.connect(
                self.settings.conninfo, autocommit=True, application_name="geotimeline-follow"
            )
            conn.execute(self._sql.listen)
            self._listen_conn = conn
        return conn

    def _close_listener(self) -> None:
        if self._listen_conn is not None:
            self._listen_conn.close()
            self._listen_conn = None

    def close(self) -> None:
        self._close_listener()
        for conn in (self._reader, self._conn):
            if conn is not None:
                conn.close()


class PostgresStore(Store):
    """A log in one schema of a PostgreSQL database: the record layer over ``PostgresBackend``.

    Args:
        url: ``postgresql://[user[:password]@][host][:port]/[dbname]?schema=...``;
            see ``parse_postgres_url``.
        codec: record decoder (upcasters); the default when omitted.

    Raises:
        StoreUnavailable: the server cannot be reached or refuses the login.
        CorruptLog: the schema holds a log of a format this version does not read.
    """

    backend: PostgresBackend

    def __init__(self, url: str, codec: RecordCodec | None = None) -> None:
        backend = PostgresBackend(url)
        try:
            super().__init__(backend, codec)
        except BaseException:
            backend.close()
            raise

    @property
    def settings(self) -> PostgresSettings:
        """Where the log lives and how it is treated, read from its URL."""
        return self.backend.settings


def _prefetched(cursor: Any) -> Iterator[list[tuple[Any, ...]]]:
    """Yield the cursor's remaining batches, each fetched by a thread while the last is used."""
    batches: queue.Queue[list[tuple[Any, ...]] | BaseException] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def fetch() -> None:
        try:
            while not stop.is_set():
                rows = cursor.fetchmany(_FETCH_ROWS)
                batches.put(rows)
                if not rows:
                    return
        except BaseException as exc:  # handed to the reader, which raises it
            batches.put(exc)

    thread = threading.Thread(target=fetch, name="geotimeline-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = batches.get()
            if isinstance(item, BaseException):
                raise item
            if not item:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # a reader that stopped early: let the fetcher finish
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.05)
        thread.join()


def _until(until: int | None) -> int:
    return until if until is not None else 2**62
