"""The schema of a PostgreSQL log: its tables, every statement the backend runs, its lock key.

Format ``geotimeline-4``: ``records`` carries, beside the record bytes, the hot
column the read model folds (nine int32, packed as SQLite packs them) and
``terms`` the vocabulary they refer to, so a replay parses no JSON. A format 3
log (no hot column) is migrated on open by ``PostgresBackend.upgrade``.
"""

from __future__ import annotations

import hashlib

__all__ = ["Statements", "lock_key"]


def lock_key(schema: str) -> int:
    """Return the advisory lock key of a log's schema (the same in every process)."""
    digest = hashlib.sha256(f"geotimeline:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Statements:
    """Every SQL statement of one log, with its schema's name quoted in."""

    def __init__(self, schema: str) -> None:
        s = f'"{schema}"'  # the name is checked against _SCHEMA_NAME first
        self.key = lock_key(schema)
        self.channel = f"geotimeline_{schema}"
        self.listen = f'LISTEN "{self.channel}"'
        self.has_meta = f"SELECT to_regclass('{s}.meta') IS NOT NULL"
        # What a replay scans, as SQLite's records_hot: the rows' pages carry the
        # record bytes (about 1.2 KB each), the index only seq, stream and the packed
        # columns. The 100k benchmark log's hot rows came in 92-112 ms with it,
        # 238-261 ms from the table. Built on open for a log that lacks it.
        self.hot_index = (
            f"CREATE INDEX IF NOT EXISTS records_hot ON {s}.records (seq) INCLUDE (stream, hot)"
        )
        self.has_hot_index = f"SELECT to_regclass('{s}.records_hot') IS NOT NULL"
        self.format_version = f"SELECT value FROM {s}.meta WHERE key = 'format'"
        # The vocabulary of the hot columns (``_columns.Vocabulary``), as SQLite keeps
        # it: append-only, numbered under the append lock, written with the records
        # that first use a term.
        self.terms = f"""CREATE TABLE IF NOT EXISTS {s}.terms (
    id integer PRIMARY KEY,
    field text NOT NULL,
    value text NOT NULL,
    UNIQUE (field, value)
);"""
        self.no_update = f"""DROP TRIGGER IF EXISTS records_no_update ON {s}.records;
CREATE TRIGGER records_no_update BEFORE UPDATE OR DELETE ON {s}.records
    FOR EACH ROW EXECUTE FUNCTION {s}.geotimeline_append_only();"""
        self.create = f"""
CREATE SCHEMA IF NOT EXISTS {s};
CREATE TABLE IF NOT EXISTS {s}.meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS {s}.records (
    seq bigint PRIMARY KEY,
    stream text NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    recorded_at text NOT NULL,
    hash text NOT NULL,
    line bytea NOT NULL,
    hot bytea NOT NULL,
    UNIQUE (stream, version)
) WITH (autovacuum_vacuum_threshold = 100000000, autovacuum_vacuum_scale_factor = 0.5);
{self.hot_index};
CREATE TABLE IF NOT EXISTS {s}.snapshots (
    name text NOT NULL,
    version integer NOT NULL,
    seq bigint NOT NULL,
    head bytea NOT NULL,
    data bytea NOT NULL,
    PRIMARY KEY (name, version)
);
{self.terms}
-- The log is append-only at the database level too: no API path updates,
-- deletes or truncates a record, and neither may a stray script.
CREATE OR REPLACE FUNCTION {s}.geotimeline_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'geotimeline records are append-only'; END
$$;
{self.no_update}
DROP TRIGGER IF EXISTS records_no_truncate ON {s}.records;
CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON {s}.records
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.geotimeline_append_only();
DROP TRIGGER IF EXISTS terms_no_update ON {s}.terms;
CREATE TRIGGER terms_no_update BEFORE UPDATE OR DELETE ON {s}.terms
    FOR EACH ROW EXECUTE FUNCTION {s}.geotimeline_append_only();
DROP TRIGGER IF EXISTS terms_no_truncate ON {s}.terms;
CREATE TRIGGER terms_no_truncate BEFORE TRUNCATE ON {s}.terms
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.geotimeline_append_only();
"""
        self.insert_format = (
            f"INSERT INTO {s}.meta VALUES ('format', %s) ON CONFLICT (key) DO NOTHING"
        )
        self.lock = "SELECT pg_advisory_xact_lock(%s)"
        self.last = (
            "SELECT clock_timestamp(), r.seq, r.hash, r.recorded_at FROM (SELECT 1) AS one"
            f" LEFT JOIN (SELECT seq, hash, recorded_at FROM {s}.records"
            " ORDER BY seq DESC LIMIT 1) AS r ON true"
        )
        self.version = f"SELECT max(version) FROM {s}.records WHERE stream = %s"
        self.copy = (
            f"COPY {s}.records (seq, stream, version, type, recorded_at, hash, line, hot)"
            " FROM STDIN (FORMAT BINARY)"
        )
        self.copy_terms = f"COPY {s}.terms (id, field, value) FROM STDIN (FORMAT BINARY)"
        self.terms_since = f"SELECT id, field, value FROM {s}.terms WHERE id >= %s ORDER BY id"
        self.term_at = f"SELECT field, value FROM {s}.terms WHERE id = %s"
        # A term whose value, split at a separator, holds a member (``TermStore``).
        self.terms_holding = (
            f"SELECT id FROM {s}.terms WHERE field = %(field)s"
            " AND strpos(%(sep)s || value || %(sep)s, %(sep)s || %(member)s || %(sep)s) > 0"
        )
        self.hot = (
            f"SELECT seq, stream, hot FROM {s}.records WHERE seq > %s AND seq <= %s ORDER BY seq"
        )
        # Migrating a format 3 log (no hot column, no terms) to format 4.
        self.add_hot = (
            f"ALTER TABLE {s}.records ADD COLUMN IF NOT EXISTS hot bytea NOT NULL"
            " DEFAULT ''::bytea;"
            f" ALTER TABLE {s}.records ALTER COLUMN hot DROP DEFAULT;"
            " CREATE TEMPORARY TABLE geotimeline_hot (seq bigint, hot bytea) ON COMMIT DROP"
        )
        self.lift_no_update = f"DROP TRIGGER IF EXISTS records_no_update ON {s}.records"
        self.unmigrated = (
            f"SELECT seq, line, version, stream FROM {s}.records"
            " WHERE seq > %s ORDER BY seq LIMIT %s"
        )
        self.copy_hot = "COPY geotimeline_hot (seq, hot) FROM STDIN (FORMAT BINARY)"
        self.fill_hot = (
            f"UPDATE {s}.records AS r SET hot = h.hot FROM geotimeline_hot AS h"
            " WHERE r.seq = h.seq; TRUNCATE geotimeline_hot"
        )
        self.drop_snapshots = f"DELETE FROM {s}.snapshots"
        self.set_format = f"UPDATE {s}.meta SET value = %s WHERE key = 'format'"
        self.lines = f"SELECT line FROM {s}.records WHERE seq > %s AND seq <= %s ORDER BY seq"
        self.raw_lines = (
            f"SELECT line, seq, stream, version, type, recorded_at, hash, hot FROM {s}.records"
            " WHERE seq > %s AND seq <= %s ORDER BY seq"
        )
        self.stream = f"SELECT line FROM {s}.records WHERE stream = %s ORDER BY version"
        self.lines_at = f"SELECT seq, line FROM {s}.records WHERE seq = ANY(%s)"
        self.first_seq = f"SELECT seq FROM {s}.records WHERE stream = %s AND version = 1"
        self.head = f"SELECT max(seq) FROM {s}.records"
        self.recorded_at = f"SELECT recorded_at FROM {s}.records WHERE seq = %s"
        self.hash = f"SELECT hash FROM {s}.records WHERE seq = %s"
        self.save_snapshot = (
            f"INSERT INTO {s}.snapshots (name, version, seq, head, data)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name, version) DO UPDATE"
            " SET seq = EXCLUDED.seq, head = EXCLUDED.head, data = EXCLUDED.data"
        )
        self._snapshot = f"SELECT seq, {{}} FROM {s}.snapshots WHERE name = %s AND version = %s"

    def begin(self, lock_timeout: float, terms_from: int) -> str:
        """Return the statements opening an append: the lock, the head and clock, new terms.

        Args:
            lock_timeout: seconds to wait for the lock.
            terms_from: the first term id the writer does not know yet.
        """
        milliseconds = max(1, round(lock_timeout * 1000))
        return (
            f"BEGIN; SET LOCAL lock_timeout = '{milliseconds}ms';"
            f" SELECT pg_advisory_xact_lock({int(self.key)}); {self.last};"
            f" {self.terms_since.replace('%s', str(int(terms_from)))}"
        )

    def notify_and_commit(self, head: int) -> str:
        """Return the statements closing an append: tell the followers, commit."""
        return f"SELECT pg_notify('{self.channel}', '{int(head)}'); COMMIT"

    def load_snapshot(self, column: str) -> str:
        """Return the query of a snapshot's seq and ``column`` (head or data)."""
        return self._snapshot.format(column)
