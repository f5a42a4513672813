"""Full-text search: an SQLite FTS5 index of the events' texts, kept beside the log.

The index is a derived projection, like the snapshot, never part of the log: it
can be deleted at any time and is rebuilt from the log. It holds one row per
state-bearing record (recorded or amended; rowid = seq) with the event's title,
summary, location, source titles and source excerpts, and is bound to the log
by the seq and hash of the last record it covers. Each search first brings it
up to date from the records after that seq; an index whose record the chain
does not vouch for (the log was rewritten or truncated) is rebuilt.

Keeping a row per record, not per event, is what lets one index answer every
view: an event's current text *at seq S* is the row of its last state-bearing
record at or before S, so an amendment replaces the text from its seq on and
``as_of`` views before it still find the old words. Whether an event is
retracted at S is the read model's to say (``CurrentState.status``), so a
retraction hides the event and a restore shows it again without touching the
index.

Where it lives: for a log in a file (SQLite, JSON Lines) in
``<log>.snapshots/search.v1.sqlite``; for the other stores (memory,
PostgreSQL) in memory, built on the first search of each process.
"""

from __future__ import annotations

import contextlib
import heapq
import os
import re
import sqlite3
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import msgspec

from ._cachedir import cache_dir, made_cache_dir
from ._errors import InvalidEvent, TimelineError
from ._eventfilter import EventFilter
from ._model import Event
from ._projection import CurrentState
from ._reading import SearchFilter
from ._records import Record
from ._store import Store
from ._timelineorder import timeline_key

__all__ = [
    "SearchHit",
    "SearchIndex",
    "close_index",
    "index_of",
    "iter_matching",
    "plain_filter",
    "search",
]

#: The index's layout; an index of another format is rebuilt.
FORMAT = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS search_states (seq INTEGER PRIMARY KEY, stream TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS search_states_stream ON search_states (stream, seq);
CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(
    title, summary, location, sources, excerpts,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""

#: bm25 weights of the columns (title, summary, location, source titles, excerpts):
#: words in a title say most about what an event is.
_WEIGHTS = "10.0, 4.0, 2.0, 2.0, 1.0"

# The current state-bearing record of each matching event at a seq: no later one up to it.
_CURRENT = """
FROM search_text t JOIN search_states s ON s.seq = t.rowid
WHERE search_text MATCH ?1 AND t.rowid <= ?2 AND NOT EXISTS (
    SELECT 1 FROM search_states n WHERE n.stream = s.stream AND n.seq > s.seq AND n.seq <= ?2
)"""

#: Records fetched from the store at a time while answering a text filter.
_FETCH = 512


@attrs.frozen
class SearchHit:
    """One event a search found (``Timeline.search``), best first."""

    event: Event
    """The event's current version (its last state, when retracted)."""
    score: float
    """How well it matches: higher is better (SQLite FTS5's bm25, negated)."""
    snippet: str
    """The words around the match, matched words in ``[brackets]``."""
    retracted: bool = False
    """Whether the event is retracted (only with ``include_retracted``)."""


class SearchIndex:
    """The FTS5 index of one store's log.

    Args:
        store: the log it indexes.
        path: the SQLite file to keep it in; None keeps it in memory.
    """

    def __init__(self, store: Store, path: Path | None) -> None:
        # A proxy: the index is a value of the weak-keyed ``_INDEXES``, which a strong
        # reference back to its key would keep alive forever.
        self._store = weakref.proxy(store)
        self.path = path
        self._db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        if self.path is not None:
            try:
                made_cache_dir(self.path.parent)
                return self._prepared(str(self.path))
            except sqlite3.OperationalError:
                pass  # read-only, or held by another writer past the timeout: never delete it
            except sqlite3.DatabaseError:
                # Not an index (damaged, or another file): it is derived, so start anew.
                with contextlib.suppress(OSError):
                    self.path.unlink()
                with contextlib.suppress(OSError, sqlite3.Error):
                    return self._prepared(str(self.path))
            except OSError:
                pass
            self.path = None  # it cannot be written here: keep the index in memory
        return self._prepared(":memory:")

    @staticmethod
    def _prepared(where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, isolation_level=None, timeout=30, check_same_thread=False)
        try:
            found = (
                db.execute("SELECT value FROM search_meta WHERE key = 'format'").fetchone()
                if _has_meta(db)
                else None
            )
            if found is not None and found[0] != FORMAT:
                db.executescript(
                    "DROP TABLE IF EXISTS search_meta; DROP TABLE IF EXISTS search_states;"
                    " DROP TABLE IF EXISTS search_text;"
                )
            db.executescript(_SCHEMA)
            db.execute("INSERT OR IGNORE INTO search_meta VALUES ('format', ?)", (FORMAT,))
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        """Close the index's database."""
        self._db.close()

    # -- keeping it current ----------------------------------------------------------------

    def covered(self) -> tuple[int, str]:
        """Return the seq and hash of the last record the index covers (0 and "" if none)."""
        rows = dict(self._db.execute("SELECT key, value FROM search_meta").fetchall())
        return int(rows.get("seq", 0)), str(rows.get("hash", ""))

    def sync(self) -> int:
        """Bring the index up to the log's head; rebuild it if the chain does not vouch for it.

        Returns:
            How many records were indexed.
        """
        store, db = self._store, self._db
        head = store.head()
        if self.covered() == (head, (store.record_hash(head) or "") if head else ""):
            return 0  # the usual case: nothing new, and no write lock taken
        db.execute("BEGIN IMMEDIATE")  # one writer at a time; the others wait, then see its work
        try:
            seq, hashed = self.covered()
            if seq and (seq > head or store.record_hash(seq) != hashed):
                store.repairs.append(
                    f"{store.location}: the search index does not match the log's record {seq}"
                    " (the log was rewritten): rebuilt"
                )
                seq = 0
            if seq == 0:
                db.execute("DELETE FROM search_states")
                db.execute("DELETE FROM search_text")
            count, last = 0, None
            for batch in _batches(store.read(after=seq), 2048):
                rows = [(r.seq, r.stream, *_texts(r.event)) for r in batch if r.event is not None]
                db.executemany("INSERT INTO search_states VALUES (?, ?)", [r[:2] for r in rows])
                db.executemany(
                    "INSERT INTO search_text (rowid, title, summary, location, sources, excerpts)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(r[0], *r[2:]) for r in rows],
                )
                count += len(batch)
                last = batch[-1]
            if last is not None or seq == 0:
                db.executemany(
                    "INSERT OR REPLACE INTO search_meta VALUES (?, ?)",
                    [
                        ("seq", 0 if last is None else last.seq),
                        ("hash", "" if last is None else last.hash),
                    ],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return count

    # -- asking ----------------------------------------------------------------------------

    def hits(self, text: str, until: int, ranked: bool = True) -> list[tuple[int, str, float]]:
        """Return ``(seq, stream, score)`` of the events whose text at seq ``until`` matches.

        ``ranked``: best first, scored by bm25 negated (higher is better); else in
        seq order with score 0 (a timeline-order query sorts them itself).

        Raises:
            InvalidEvent: the search words are not a query (an unclosed quote, an
                ``OR`` with nothing after it).
            TimelineError: the index cannot be written or read (a full disk, damage).
        """
        try:
            self.sync()
        except sqlite3.Error as exc:
            raise self._trouble(exc) from None
        score = f"-bm25(search_text, {_WEIGHTS})" if ranked else "0.0"
        order = "score DESC" if ranked else "t.rowid"
        rows = self._run(
            f"SELECT t.rowid, s.stream, {score} AS score {_CURRENT} ORDER BY {order}",
            text,
            until,
        )
        return [(seq, stream, score) for seq, stream, score in rows]

    def snippets(self, text: str, seqs: Iterable[int]) -> dict[int, str]:
        """Return the words around the match in the given rows (seqs of ``hits``)."""
        out = {}
        for seq in seqs:
            # One row at a time: FTS5 seeks to a rowid given by "=", where "IN (...)"
            # runs the whole match first (20 snippets at 100k events: 150 ms -> 2 ms).
            for (snippet,) in self._run(
                "SELECT snippet(search_text, -1, '[', ']', '…', 12) FROM search_text"
                " WHERE search_text MATCH ?1 AND rowid = ?2",
                text,
                seq,
            ):
                out[seq] = snippet
        return out

    def _run(self, sql: str, text: str, *params: Any) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, (fts_query(text), *params)).fetchall()
        except sqlite3.OperationalError as exc:
            if not str(exc).startswith("fts5:"):
                raise self._trouble(exc) from None
            raise InvalidEvent(
                "text",
                text,
                'words, "a phrase" in quotes, OR, NOT, a word* prefix'
                f" (the search engine says: {exc})",
            ) from None
        except sqlite3.Error as exc:
            raise self._trouble(exc) from None

    def _trouble(self, exc: sqlite3.Error) -> TimelineError:
        """Return the error to raise for a failure of the index's database itself."""
        where = "in memory" if self.path is None else str(self.path)
        return TimelineError(
            f"the search index ({where}) failed: {exc}; it is derived from the log, so"
            " deleting it is safe (the next search rebuilds it)"
        )


def _has_meta(db: sqlite3.Connection) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_meta'"
    ).fetchone()
    return found is not None


def _texts(event: Event) -> tuple[str, str, str, str, str]:
    """Return the texts of an event the index holds, one per column."""
    sources = event.sources
    return (
        event.title,
        event.summary,
        event.location or "",
        "\n".join(s.title for s in sources if s.title),
        "\n".join(s.excerpt for s in sources if s.excerpt),
    )


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_OPERATORS = frozenset({"AND", "OR", "NOT"})
_TOKENS = re.compile(r'"([^"]*)"|([^\s"]+)')


def fts_query(text: str) -> str:
    """Return the FTS5 query of search words: words ANDed, "phrases", OR, NOT, ``word*``.

    Every word is quoted for FTS5, so punctuation in it (``Sino-Indian``, ``U.S.``)
    splits it into a phrase instead of being read as query syntax.

    Raises:
        InvalidEvent: a quote is not closed.
    """
    if text.count('"') % 2:
        raise InvalidEvent("text", text, 'words and "phrases" with every quote closed')
    parts = []
    for phrase, word in _TOKENS.findall(text):
        if word in _OPERATORS:
            parts.append(word)
        elif word:
            star = "*" if word.endswith("*") and len(word) > 1 else ""
            parts.append(f'"{word.rstrip("*") if star else word}"{star}')
        else:
            parts.append(f'"{phrase}"')
    return " ".join(parts)


# -- one index per store -------------------------------------------------------------------

_INDEXES: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()


def index_path(store: Store) -> Path | None:
    """Return where the index of a store's log is kept: beside a log file, else None (memory)."""
    location = store.location
    if location and os.path.isfile(location):
        return cache_dir(location) / f"search.v{FORMAT}.sqlite"
    return None


def index_of(store: Store) -> SearchIndex:
    """Return the search index of a store's log (opened on first use, one per store)."""
    index = _INDEXES.get(store)
    if index is None:
        index = _INDEXES[store] = SearchIndex(store, index_path(store))
    return index


def close_index(store: Store) -> None:
    """Close the search index of a store, if one was opened."""
    index = _INDEXES.pop(store, None)
    if index is not None:
        index.close()


# -- answering queries ---------------------------------------------------------------------


def iter_matching(state: CurrentState, store: Store, where: EventFilter) -> Iterator[Record]:
    """Yield the current records of the events passing ``where``, in timeline order.

    An ``EventFilter`` is the read model's to answer; a ``SearchFilter`` adds the
    search index (text) or several spellings of a treaty.
    """
    if not isinstance(where, SearchFilter):
        return state.iter_query(where)
    if where.text is None:
        assert where.treaties is not None
        parts = [
            state.iter_query(msgspec.structs.replace(plain_filter(where), treaty=t))
            for t in sorted(where.treaties)
        ]
        return heapq.merge(*parts, key=timeline_key)
    found = _found(state, store, where, index_of(store).hits(where.text, state.seq, False))
    return iter(sorted(found, key=timeline_key))


def search(
    state: CurrentState, store: Store, where: SearchFilter, limit: int | None
) -> list[SearchHit]:
    """Return the events passing ``where`` (which has text), best first, at most ``limit``."""
    assert where.text is not None
    index = index_of(store)
    hits = index.hits(where.text, state.seq)
    scores = {seq: score for seq, _, score in hits}
    found = _found(state, store, where, hits, limit)
    snippets = index.snippets(where.text, [r.seq for r in found])
    return [
        SearchHit(
            event=r.event,  # type: ignore[arg-type]  # only state-bearing records are indexed
            score=scores[r.seq],
            snippet=snippets.get(r.seq, ""),
            retracted=state.status(r.stream) == 2,
        )
        for r in found
    ]


def _found(
    state: CurrentState,
    store: Store,
    where: SearchFilter,
    hits: list[tuple[int, str, float]],
    limit: int | None = None,
) -> list[Record]:
    """Return the records of ``hits`` (in their order) that pass the filter's other fields.

    With a ``limit``, at most that many: records are fetched a batch at a time
    until enough pass.
    """
    retracted = where.include_retracted
    seqs = [seq for seq, stream, _ in hits if retracted or state.status(stream) == 1]
    plain, treaties = plain_filter(where), where.treaties
    found: list[Record] = []
    size = _FETCH if limit is None else max(limit, 32)
    for start in range(0, len(seqs), size):
        for record in store.records_at(seqs[start : start + size]):
            event = record.event
            if event is None or not plain.matches(event):
                continue
            if treaties is not None and event.treaty not in treaties:
                continue
            found.append(record)
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found


def plain_filter(where: SearchFilter) -> EventFilter:
    """Return the ``EventFilter`` fields of a ``SearchFilter``."""
    fields = {f: getattr(where, f) for f in EventFilter.__struct_fields__}
    return EventFilter(**fields)
