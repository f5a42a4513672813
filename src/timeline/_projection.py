"""Projections (read models folded from the log) and the built-in columnar current state.

The current state keeps, per event, only what queries need (the seq of its
current record, its version, kind, date bounds, precision, actors, tags,
treaty, modality, retracted) in compact columns, and decodes an ``Event`` from
its record only when one is asked for. Replay folds *hot rows* (``_columns``),
which SQLite reads from real columns and the other stores decode without
building the event, so opening a million-record log builds no million events.
"""

from __future__ import annotations

import bisect
import sys
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol, TypeVar, runtime_checkable

import msgspec

from ._collector import paused as collector_paused
from ._columns import HOT_WIDTH, NO_FIELDS, HotBatch, Vocabulary, hot_fields
from ._datewindow import wide_rows, window_candidates
from ._eventfilter import EventFilter, rows_passing
from ._idindex import IdIndex
from ._records import Record, RecordType
from ._rowids import IdsRebuilt, RowIds
from ._snapshot import SnapshotDamaged, SnapshotSections
from ._timelineorder import coarse_keys, coarse_order, in_exact_order, live_rows, placed

__all__ = ["CurrentState", "Projection", "RecordSource"]

_T = TypeVar("_T")


@runtime_checkable
class Projection(Protocol):
    """A read model: anything with a name, a version and ``apply(record)``.

    ``Timeline.replay(projection)`` folds the log into it, oldest record first.
    Bump ``version`` whenever ``apply`` changes meaning: saved snapshots of other
    versions are then ignored.
    """

    name: str
    version: int

    def apply(self, record: Record) -> None:
        """Fold one record into the projection's state."""


class RecordSource(Protocol):
    """Where the current state decodes events from: a store, by seq."""

    def records_at(self, seqs: Sequence[int]) -> list[Record]:
        """Return the records at these seqs, in the order given."""

    def first_seq(self, stream: str) -> int | None:
        """Return the seq of a stream's first record; None if unknown or not indexed."""

    def vocabulary(self) -> Vocabulary:
        """Return the terms the source's hot rows refer to."""

    def stream(self, stream: str) -> list[Record]:
        """Return the records of one stream, oldest first."""


class _Meta(msgspec.Struct, array_like=True):
    """A snapshot's small part: where the state stands, and the terms its columns number."""

    seq: int
    live: int
    rows: int
    #: How many terms the columns number, and SHA-256 of them (msgpack): a store that
    #: already holds these terms (SQLite's ``terms`` table) need not read the section.
    terms: int
    terms_digest: bytes
    #: The last of those terms (``[field, value]``): a store that numbers terms is checked
    #: against it in one lookup (``Vocabulary.same_as``). Absent in older snapshots.
    last_term: tuple[str, Any] | None = None


#: The state's columns that a snapshot keeps, one section each: attribute, array type.
#: A restored state reads a column from its section on first use (``_load``).
#: They are written in this order, the ones a command reads first: reaching a section
#: of a SQLite snapshot walks the blob's pages before it (about 41 ms per 100 MB).
_SECTIONS: dict[str, str] = {
    "_order": "i",
    "_gone": "B",
    "_seqs": "q",
    "_lo": "i",
    "_rank": "i",
    "_hi": "i",
    "_actors": "i",
    "_kind": "i",
    "_first": "q",
    "_versions": "i",
    "_tags": "i",
    "_treaty": "i",
    "_modality": "i",
}
#: Where the id index goes among them: after the columns of `list` and its commonest
#: filters (an actor, a kind, a date), before the rest.
_ID_INDEX_AT = 8
#: The columns a hot row's integers after its version go to, in ``_columns`` order.
_HOT_COLUMNS = ("_kind", "_lo", "_hi", "_rank", "_actors", "_tags", "_treaty", "_modality")
#: The columns folding reads (the others it only writes).
_FOLD_READS = ("_first", "_gone", "_lo", "_rank", "_order")
#: The columns that hold term ids (remapped when a snapshot numbered terms otherwise).
_TERM_COLUMNS = ("_kind", "_actors", "_tags", "_treaty", "_modality")
_TERM_COLUMNS_SET = frozenset(_TERM_COLUMNS)
#: What the other sections hold: the ids (one per line) and their ``IdIndex``.
_IDS, _ID_STARTS, _ID_ENDS, _TERMS = "ids", "id_starts", "id_ends", "terms"
#: The rows of the snapshot whose date spans more than ``WIDE_DAYS`` days (``_datewindow``).
_WIDE = "wide"
_LITTLE = sys.byteorder == "little"


_ONES = array("i", [1]) * 1024


class _Pending:
    """Writes to a column still in its snapshot section, made on it when it is read."""

    def __init__(self) -> None:
        self.writes: list[tuple[int, Any]] = []

    def extend(self, values: Any) -> None:
        self.writes.append((-1, values))

    def __setitem__(self, row: int, value: int) -> None:
        self.writes.append((row, value))

    def apply(self, column: Any) -> None:
        for row, value in self.writes:
            if row < 0:
                column.extend(value)
            else:
                column[row] = value


#: How many decoded records the state keeps for repeated ``get``s.
CACHE_SIZE = 4096


class _Eager:
    """The record source of a state built from full records only (``tl.replay(CurrentState())``)."""

    def __init__(self) -> None:
        self.records: dict[int, Record] = {}
        self._vocabulary = Vocabulary()

    def records_at(self, seqs: Sequence[int]) -> list[Record]:
        return [self.records[s] for s in seqs]

    def first_seq(self, stream: str) -> int | None:
        return None

    def vocabulary(self) -> Vocabulary:
        return self._vocabulary

    def stream(self, stream: str) -> list[Record]:
        return [r for r in self.records.values() if r.stream == stream]


class CurrentState:
    """The built-in projection: the latest version of every event, as columns.

    Retracted events are hidden from queries but kept (``include_retracted``).
    Events are decoded from their records on first access, a batch at a time,
    and a bounded cache keeps recently used ones.

    A state restored from a snapshot decodes the snapshot on first use: records
    applied before that wait in a tail, so appending to a large reopened log
    costs only the tail (``timeline add`` on a million-record log).

    Args:
        source: where events are decoded from (a store); when omitted, the state
            keeps the records it is given (a projection a user replays into).
    """

    name = "current"
    version = 4

    def __init__(self, source: RecordSource | None = None) -> None:
        self.seq = 0
        self._eager = _Eager() if source is None else None
        self._source: RecordSource = self._eager if self._eager is not None else source  # type: ignore[assignment]
        self._cache: OrderedDict[int, Record] = OrderedDict()
        self._vocabulary = self._source.vocabulary()
        #: Whether the source finds a stream's records by an index (``Store.indexes_streams``).
        self._indexed = bool(getattr(self._source, "indexes_streams", False))
        #: Maps a restored snapshot's term ids to the vocabulary's, when they differ.
        self._remap: list[int] | None = None
        #: A restored snapshot's (term count, digest) not compared with the vocabulary yet.
        self._terms_check: tuple[int, bytes, tuple[str, Any] | None] | None = None
        self._base: Callable[[], SnapshotSections | CurrentState] | None = None
        #: Rebuilds the state at a seq from the log (a snapshot section was damaged).
        self._rebuild: Callable[[int], CurrentState] | None = None
        #: Told why, when a snapshot section did not match its hash.
        self._on_damage: Callable[[str], None] | None = None
        self._tail: list[HotBatch] = []
        #: Reads the log's hot rows after a seq up to ``seq``, folded on first use
        #: (``read_later``), before the batches of ``_tail``.
        self._later: Callable[[int], Iterable[HotBatch]] | None = None
        self._snapshot_seq = 0
        self._reset()

    def _reset(self) -> None:
        """Give the state empty columns."""
        self._sections: SnapshotSections | None = None
        self._pending: dict[str, _Pending] = {}
        self._row_ids = RowIds()
        self._id_index: IdIndex | None = None
        #: Rows whose place in ``_order`` is yet to be found (new, or moved by an amendment).
        self._unplaced: list[int] = []
        self._first = array("q")
        self._seqs = array("q")
        self._versions = array("i")
        self._gone = bytearray()
        self._kind = array("i")
        self._lo = array("i")
        self._hi = array("i")
        self._rank = array("i")
        self._actors = array("i")
        self._tags = array("i")
        self._treaty = array("i")
        self._modality = array("i")
        self._live = 0
        self._order: array[int] | None = None
        #: The rows below ``_wide_below`` whose date spans more than ``WIDE_DAYS`` days
        #: (None: not found yet), and rows amended since, whose span may have changed.
        self._wide: array[int] | None = None
        self._wide_below = 0
        self._redated: set[int] = set()
        #: Whether a restored snapshot holds ``_wide`` (a section read on first use).
        self._wide_saved = False

    def _open(self, sections: SnapshotSections) -> None:
        """Take a snapshot's meta now, and each of its columns on first use (``_load``).

        Raises:
            SnapshotDamaged: the meta is not a state of this version at ``self.seq``.
        """
        try:
            meta = msgspec.msgpack.decode(sections.meta, type=_Meta)
        except msgspec.DecodeError as exc:
            raise SnapshotDamaged(f"the meta does not decode ({exc})") from None
        if meta.seq != self.seq:
            raise SnapshotDamaged(f"the snapshot is at seq {meta.seq}, not {self.seq}")
        self._reset()
        self._terms_check = (meta.terms, meta.terms_digest, meta.last_term)
        if not self._vocabulary.numbered_by_store:
            self._check_terms(sections)
        self._row_ids = RowIds(lambda: self._section(_IDS), meta.rows)
        self._live = meta.live
        self._wide_saved, self._wide_below = _WIDE in sections.names(), meta.rows
        for name in _SECTIONS:
            del self.__dict__[name]
        self._sections = sections

    def _check_terms(self, sections: SnapshotSections | None = None) -> None:
        """Make the snapshot's term ids mean what the vocabulary's mean, before one is read.

        A store that numbers terms itself (SQLite, PostgreSQL) is checked on the
        first read of a term column, not on open: its 60,636 terms at 1M cost 0.1 s
        that ``list --limit 20`` and ``show`` never need, and SQLite is asked for the
        snapshot's last term alone (``Vocabulary.same_as``). Its terms are only ever
        added, so they differ only if its table was edited: the state is then
        replayed from the log, as for a damaged section.

        Args:
            sections: the snapshot being opened (a store numbering terms here); None
                for the deferred check of a store that numbers them itself.

        Raises:
            SnapshotDamaged: the snapshot's own copy of its terms does not decode.
        """
        check, self._terms_check = self._terms_check, None
        if check is None:
            return
        count, digest, last = check
        vocabulary = self._vocabulary
        if sections is None:
            same = vocabulary.same_as(count, last, digest)
        else:
            same = vocabulary.digest(count) == digest
        if same:
            return
        if sections is None:
            # The store's own numbers changed under the snapshot (its terms table was
            # edited): the log's hot rows are what a replay reads, so replay them.
            self._recover("the store's terms are not the ones the snapshot was taken with")
            return
        # The store numbers terms otherwise, or has not seen them: take the snapshot's.
        try:
            terms = msgspec.msgpack.decode(sections.section(_TERMS), type=list[tuple[str, Any]])
        except msgspec.DecodeError as exc:
            raise SnapshotDamaged(f"the terms do not decode ({exc})") from None
        self._remap = vocabulary.adopt(terms)

    def __getattr__(self, name: str) -> Any:
        # Only called for a missing attribute: a column of a restored snapshot not read yet.
        if name in _SECTIONS and self.__dict__.get("_sections") is not None:
            self._load(name)
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _section(self, name: str) -> bytes | None:
        """Return a snapshot section, or None when it was damaged and the state rebuilt."""
        found = self._read_sections([name])
        return None if found is None else found[0]

    def _read_sections(self, names: list[str]) -> list[bytes] | None:
        """Return snapshot sections read together; None if one was damaged (state rebuilt)."""
        found: list[bytes] = []
        if self._each_section(names, found.append):
            return found
        return None

    def _each_section(self, names: list[str], take: Callable[[bytes], None]) -> bool:
        """Hand each of some snapshot sections to ``take`` as it is read (one alive at a time).

        Returns False when one was damaged: the state was rebuilt from the log instead.
        """
        assert self._sections is not None
        try:
            for data in self._sections.sections(names):
                take(data)
        except SnapshotDamaged as exc:
            self._recover(str(exc))
            return False
        return True

    def _load(self, name: str) -> None:
        """Read one column from the restored snapshot (checked against its hash)."""
        self._load_columns([name])

    def _load_columns(self, names: list[str]) -> None:
        """Read columns from the restored snapshot, each checked against its hash."""
        if self._terms_check is not None and not _TERM_COLUMNS_SET.isdisjoint(names):
            self._check_terms()
            if self._sections is None:
                return  # the state was rebuilt from the log: every column is in place
        order = iter(names)

        def take(data: bytes) -> None:
            name = next(order)
            code = _SECTIONS[name]
            if code == "B":
                flags = bytearray(data)
                pending = self._pending.pop(name, None)
                if pending is not None:
                    pending.apply(flags)
                self.__dict__[name] = flags
                return
            column = array(code)
            column.frombytes(data)
            if not _LITTLE:
                column.byteswap()
            if self._remap is not None and name in _TERM_COLUMNS:
                column = array(code, map(self._remap.__getitem__, column))
            pending = self._pending.pop(name, None)
            if pending is not None:
                pending.apply(column)
            self.__dict__[name] = column

        # A damaged section rebuilds the state from the log: every column is in place then.
        self._each_section([name.lstrip("_") for name in names], take)

    def _materialize(self, names: Iterable[str] = _SECTIONS) -> None:
        """Read the columns (default: every one) still in the snapshot."""
        if self._sections is not None:
            missing = [name for name in names if name not in self.__dict__]
            if missing:
                self._load_columns(missing)

    def _recover(self, reason: str) -> None:
        """Rebuild this state from the log at its seq: a snapshot section did not match."""
        if self._on_damage is not None:
            self._on_damage(reason)
        assert self._rebuild is not None, "a restored state knows how to rebuild itself"
        self._adopt(self._rebuild(self.seq))

    def _adopt(self, fresh: CurrentState) -> None:
        """Take every column of ``fresh``, a state of the same log and vocabulary."""
        fresh._ready()
        for name in (*_SECTIONS, "_row_ids"):
            self.__dict__[name] = fresh.__dict__[name]
        self._live, self._id_index, self._unplaced = fresh._live, None, []
        self._wide, self._wide_below, self._redated = fresh._wide, fresh._wide_below, fresh._redated
        self._wide_saved = False
        self._sections, self._remap, self.seq = None, None, fresh.seq
        self._pending, self._terms_check = {}, None

    # -- state ---------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        """Whether the state is in memory (false while a restored snapshot waits)."""
        return self._base is None

    def _ready(self) -> None:
        if self._base is not None:
            load, self._base = self._base, None
            target, self.seq = self.seq, self._snapshot_seq
            found = load()
            if isinstance(found, CurrentState):
                self._adopt(found)
            else:
                try:
                    self._open(found)
                except SnapshotDamaged as exc:
                    self._recover(str(exc))
            later, self._later = self._later, None
            if later is not None:
                self.fold(later(self.seq))
            tail, self._tail = self._tail, []
            self.fold(tail)
            self.seq = target

    def __len__(self) -> int:
        self._ready()
        return self._live

    @property
    def retracted_count(self) -> int:
        """How many events are retracted."""
        self._ready()
        return len(self._gone) - self._live

    def _with_ids(self, call: Callable[[RowIds], _T]) -> _T:
        """Return ``call(ids)``, again on the rebuilt state's ids if the snapshot's were damaged."""
        try:
            return call(self._row_ids)
        except IdsRebuilt:
            return call(self._row_ids)  # the state was rebuilt from the log: a list now

    def _all_ids(self) -> list[str]:
        return self._with_ids(RowIds.all)

    def ids_matching(self, text: str) -> list[str]:
        """Return the ids that start or end with ``text`` (no list of every id is built)."""
        self._ready()
        return self._with_ids(lambda ids: ids.matching(text))

    def id_index(self) -> IdIndex:
        """Return the index that counts the ids starting or ending with a text (short ids)."""
        self._ready()
        if self._id_index is None:
            index = None
            if self._sections is not None and not self._row_ids.listed:
                found = self._read_sections([_ID_STARTS, _ID_ENDS])
                if found is not None:
                    index = IdIndex.frombytes(*found)
                    index.add(self._row_ids.extra)
            self._id_index = index or IdIndex.of(self._all_ids())
        return self._id_index

    def _row(self, stream: str) -> int | None:
        """Return the row of an event, or None if the state has none."""
        if not self._row_ids.mapped:
            first = self._source.first_seq(stream)
            if first is not None:
                row = bisect.bisect_left(self._first, first)
                if row < len(self._first) and self._first[row] == first:
                    return row
                return None
        return self._with_ids(lambda ids: ids.find(stream))

    def ids(self) -> list[str]:
        """Return the id of every event, retracted ones included, in the order first recorded."""
        self._ready()
        return list(self._all_ids())

    def revised_ids(self) -> list[str]:
        """Return the ids of the events with more than one record (amended or retracted)."""
        self._ready()
        ids = self._all_ids()
        return [ids[row] for row, version in enumerate(self._versions) if version > 1]

    # -- folding -------------------------------------------------------------------------

    def apply(self, record: Record) -> None:
        """Fold one record in."""
        self.apply_all((record,))

    def apply_all(
        self, records: Iterable[Record], hot: Sequence[tuple[Any, ...] | None] = ()
    ) -> None:
        """Fold full records in (appends, and projections a user replays into).

        Args:
            records: the records, in seq order.
            hot: their events' ``hot_fields`` where the writer computed them already
                (an append's pending records carry them), else empty.
        """
        rows = []
        eager = self._eager
        for at, record in enumerate(records):
            event = record.payload.event
            if event is None:
                rows.append((record.seq, record.stream, record.version, *NO_FIELDS))
                continue
            values = (hot[at] if at < len(hot) else None) or hot_fields(event)
            rows.append(self._vocabulary.row(record.seq, record.stream, record.version, values))
            if eager is not None:
                eager.records[record.seq] = record
            else:
                self._remember(record)
        self.fold([HotBatch.of_rows(rows)])

    def fold(self, batches: Iterable[HotBatch]) -> None:
        """Fold hot rows in (the replay loop).

        Most records of a log are first versions of new events: a batch's first
        versions are appended column by column, in C (``array`` slices and
        ``extend``, ``dict.update``), and only amendments and retractions take a
        per-row loop. Applying a batch's first versions before its later versions
        keeps each event's records in order, which is all a fold needs.
        """
        if self._base is not None:
            for batch in batches:
                if len(batch):
                    self._tail.append(batch)
                    self.seq = batch.seqs[-1]
            return
        for batch in batches:
            if not len(batch):
                continue
            # What folding reads is read before anything changes (a damaged section then
            # rebuilds the state before this batch); what it only writes may wait.
            self._materialize(_FOLD_READS)
            versions = batch.versions
            if max(versions) == 1:
                self._append_new(batch)
            else:
                mask = [v == 1 for v in versions]
                if any(mask):
                    self._append_new(batch.select(mask))
                self._update(batch, [i for i, first in enumerate(mask) if not first])
            self.seq = batch.seqs[-1]

    def _writable(self, name: str) -> Any:
        """Return a column to write, or, while it waits in the snapshot, its pending writes.

        A tail of a thousand records after a million-event snapshot then reads the
        columns folding needs (``_FOLD_READS``), not every column (about 45 MB less).
        """
        column = self.__dict__.get(name)
        if column is not None:
            return column
        if self._sections is not None:
            return self._pending.setdefault(name, _Pending())
        return getattr(self, name)

    def _append_new(self, batch: HotBatch) -> None:
        """Append the rows of new events (a batch of first versions), column by column."""
        seqs, streams = batch.seqs, batch.streams
        count = len(seqs)
        base = len(self._first)
        self._row_ids.extend(streams, base)
        self._writable("_seqs").extend(seqs)
        self._first.extend(seqs)
        ones = _ONES[:count] if count <= len(_ONES) else array("i", [1]) * count
        self._writable("_versions").extend(ones)
        self._gone.extend(bytes(count))
        hot = batch.hot
        for offset, name in enumerate(_HOT_COLUMNS, 1):
            self._writable(name).extend(hot[offset::HOT_WIDTH])
        self._live += count
        if self._id_index is not None:
            if len(streams) > 4096:
                self._id_index = None  # built again when asked: cheaper than many inserts
            else:
                self._id_index.add(streams)
        self._displaced(range(base, base + count))

    def _hot_columns(self) -> tuple[array[int], ...]:
        """The columns a hot row's integers go to, in ``_columns`` order."""
        return tuple(getattr(self, name) for name in _HOT_COLUMNS)

    def _update(self, batch: HotBatch, indexes: list[int]) -> None:
        """Fold later versions (amendments, retractions) of events, one row at a time."""
        eager = self._eager
        seqs, versions, gone = self._writable("_seqs"), self._writable("_versions"), self._gone
        columns = [self._writable(name) for name in _HOT_COLUMNS]
        lo, rank = self._lo, self._rank
        hot = batch.hot
        for i in indexes:
            seq, stream = batch.seqs[i], batch.streams[i]
            row = self._row(stream)
            if row is None:
                continue  # the event's first record is not in this state (cannot happen in a log)
            version, *values = hot[i * HOT_WIDTH : (i + 1) * HOT_WIDTH]
            if not values[0]:  # kind 0: a retraction
                if not gone[row]:
                    gone[row] = 1
                    self._live -= 1
                versions[row] = version
                continue
            if eager is not None:
                eager.records.pop(self._seqs[row], None)
            if row < self._wide_below:
                self._redated.add(row)  # its span may have changed: a date query checks it
            seqs[row] = seq
            versions[row] = version
            if gone[row]:
                gone[row] = 0
                self._live += 1
            if lo[row] != values[1] or rank[row] != values[3]:
                self._displaced((row,))
            for column, value in zip(columns, values, strict=True):
                column[row] = value

    # -- single events -------------------------------------------------------------------

    def _remember(self, record: Record) -> None:
        cache = self._cache
        cache[record.seq] = record
        if len(cache) > CACHE_SIZE:
            cache.popitem(last=False)

    def _fetch(self, seqs: Sequence[int]) -> list[Record]:
        cache = self._cache
        missing = [s for s in seqs if s not in cache]
        found = {}
        if missing:
            # Decoded events are built with the collector paused, then promoted to the
            # oldest generation: young-generation passes would walk each of them again.
            with collector_paused(promote_after=0):
                records = self._source.records_at(missing)
            if len(missing) == len(seqs):
                return records  # none was cached (a walk): already in the order asked
            found = {r.seq: r for r in records}
        out = []
        for s in seqs:
            record = cache.get(s) or found[s]
            out.append(record)
        return out

    def _from_stream(self, stream: str) -> tuple[Record | None, bool, int] | None:
        """Answer one event from the store's stream index while a restored snapshot waits.

        ``timeline show ID`` on a million-event log then reads that event's few
        records, not the snapshot's columns (tens of MB). Returns the current record
        (None if unknown here), whether it is retracted, and the version; or None when
        the state is loaded, or the store cannot find a stream without a scan.
        """
        if self._base is None or not self._indexed:
            return None
        first = self._source.first_seq(stream)
        if first is None or first > self.seq:
            return None, False, 0  # not in the log, or recorded after this state's point
        records = [r for r in self._source.stream(stream) if r.seq <= self.seq]
        current = next((r for r in reversed(records) if r.event is not None), None)
        if not records or current is None:
            return None
        return current, records[-1].type is RecordType.RETRACTED, records[-1].version

    def record(self, stream: str) -> tuple[Record | None, bool]:
        """Return the current record of an event and whether it is retracted.

        Returns ``(None, False)`` for an unknown event.
        """
        found = self._from_stream(stream)
        if found is not None:
            return found[0], found[1]
        self._ready()
        row = self._row(stream)
        if row is None:
            return None, False
        seq = self._seqs[row]
        cached = self._cache.get(seq)
        if cached is None:
            cached = self._fetch([seq])[0]
            self._remember(cached)
        else:
            self._cache.move_to_end(seq)
        return cached, bool(self._gone[row])

    def version_of(self, event_id: str) -> int:
        """Return the stream version of an event (0 when unknown)."""
        found = self._from_stream(event_id)
        if found is not None:
            return found[2]
        self._ready()
        row = self._row(event_id)
        return 0 if row is None else self._versions[row]

    def status(self, event_id: str) -> int:
        """Return 0 for an unknown event, 1 for a live one and 2 for a retracted one."""
        found = self._from_stream(event_id)
        if found is not None:
            return 0 if found[0] is None else 2 if found[1] else 1
        self._ready()
        row = self._row(event_id)
        if row is None:
            return 0
        return 2 if self._gone[row] else 1

    # -- queries -------------------------------------------------------------------------

    def query(self, where: EventFilter) -> list[Record]:
        """Return the records of the events passing ``where``, in timeline order."""
        return list(self.iter_query(where))

    def _rows(self, where: EventFilter) -> list[int] | None:
        """Return the rows passing ``where`` (None: every row), unordered."""
        window = None
        if self._has_order():

            def window(first: int, last: int) -> list[int]:
                order = self._full_order()
                return window_candidates(order, self._lo, self._rank, first, last, self._wide_now())

        # A column is read when a filter needs it: a restored state loads its section then.
        return rows_passing(
            where,
            lambda name: getattr(self, f"_{name}"),
            self._vocabulary,
            live=self._live,
            window=window,
        )

    def _has_order(self) -> bool:
        """Whether the timeline order is at hand (kept, or in the snapshot), not to be sorted."""
        if "_order" not in self.__dict__:
            return self._sections is not None  # a restored snapshot's section
        return self._order is not None

    def _wide_now(self) -> list[int]:
        """Return every row whose date spans more than ``WIDE_DAYS`` days (and some others).

        Kept from the snapshot or from the first date query, then brought up to date:
        the rows added since are checked, and rows amended since are included.
        """
        if self._wide is None and self._wide_saved:
            self._wide_saved = False
            data = self._section(_WIDE)
            if data is not None:  # else damaged: rebuilt from the log, _wide is None
                wide = array("i")
                wide.frombytes(data)
                if not _LITTLE:
                    wide.byteswap()
                self._wide = wide
        lo, hi = self._lo, self._hi
        count = len(lo)
        if self._wide is None or (count - self._wide_below) * 4 > count + 65_536:
            self._wide, self._wide_below, self._redated = wide_rows(lo, hi), count, set()
        added = wide_rows(lo, hi, self._wide_below) if self._wide_below < count else ()
        return [*self._wide, *added, *self._redated]

    def _coarse(self, rows: Iterable[int]) -> list[int]:
        """Return each row's coarse timeline key: earliest day, then precision rank."""
        return coarse_keys(self._lo, self._rank, rows)

    def _displaced(self, rows: Iterable[int]) -> None:
        """Note rows whose place in the timeline order changed (new, or re-dated)."""
        if self._order is None:
            return
        self._unplaced.extend(rows)
        if len(self._unplaced) * 16 > len(self._order) + 4096:
            self._order, self._unplaced = None, []  # sorting again is cheaper

    def _full_order(self) -> array[int]:
        """Return every row in coarse timeline order (kept in the snapshot, kept current)."""
        order = self._order
        if order is None:
            order = self._order = coarse_order(self._lo, self._rank)
            self._unplaced = []
        elif self._unplaced:
            order = self._order = self._placed(order)
        return order

    def _placed(self, order: array[int]) -> array[int]:
        """Return ``order`` with the unplaced rows put in their places."""
        unplaced, self._unplaced = self._unplaced, []
        return placed(order, unplaced, self._lo, self._rank)

    def iter_query(self, where: EventFilter) -> Iterator[Record]:
        """Yield the records of the events passing ``where``, in timeline order.

        Timeline order is ``(When.sort_key, id)``. The columns order rows by
        earliest day and precision rank, a prefix of that key; records are then
        fetched a batch of whole ties at a time and sorted exactly, so memory
        stays flat however many events match.
        """
        self._ready()
        if where == EventFilter(include_retracted=where.include_retracted):
            # No filter: walk the saved order, skipping retracted rows as they come, so
            # the first 20 events of a million cost 20 (``timeline list --limit 20``).
            hide = None if where.include_retracted else self._gone
            yield from self._in_exact_order(self._full_order(), hide)
            return
        rows = self._rows(where)
        if rows is None:
            ordered: Sequence[int] = self._full_order()
        elif len(rows) * 8 > len(self._lo) and len(rows) > 10_000:
            wanted = set(rows)
            ordered = [r for r in self._full_order() if r in wanted]
        else:
            keys = dict(zip(rows, self._coarse(rows), strict=True))
            rows.sort(key=keys.__getitem__)
            ordered = rows
        if where.start is None and where.end is None:
            yield from self._in_exact_order(ordered)
            return
        # The columns hold a date's bounds; a set (EDTF "[a,b]", "{a,b}") may skip
        # days inside them, so its own members decide (a rare date: its edtf says).
        for record in self._in_exact_order(ordered):
            event = record.event
            if event is not None and event.when.edtf[:1] in "[{" and not where.matches(event):
                continue
            yield record

    def _in_exact_order(
        self, ordered: Sequence[int], hide: bytearray | None = None
    ) -> Iterator[Record]:
        """Yield the records of rows in coarse order, in exact timeline order."""
        return in_exact_order(ordered, self._coarse, self._seqs, self._fetch, hide)

    # -- snapshots -----------------------------------------------------------------------

    def body(self) -> tuple[bytes, list[tuple[str, bytes]]]:
        """Return the state as a snapshot's meta and sections (``_snapshot.bind``)."""
        self._ready()
        self._materialize()
        self._full_order()
        index = self.id_index()
        ids = self._with_ids(RowIds.section)
        terms = self._vocabulary.terms
        meta = _Meta(
            seq=self.seq,
            live=self._live,
            rows=len(self._seqs),
            terms=len(terms),
            terms_digest=self._vocabulary.digest(len(terms)),
            last_term=terms[-1] if len(terms) > 1 else None,
        )
        sections = []
        for name, code in _SECTIONS.items():
            column = getattr(self, name)
            if code != "B" and not _LITTLE:
                column = array(code, column)
                column.byteswap()
            sections.append((name.lstrip("_"), bytes(column)))
        # What `list` reads comes first, the ids (read to find a short id) last.
        sections[_ID_INDEX_AT:_ID_INDEX_AT] = zip(
            (_ID_STARTS, _ID_ENDS), index.tobytes(), strict=True
        )
        sections.append((_IDS, ids))
        sections.append((_TERMS, msgspec.msgpack.encode(terms)))
        wide = wide_rows(self._lo, self._hi)
        self._wide, self._wide_below, self._redated = wide, len(self._lo), set()
        if not _LITTLE:
            wide = array("i", wide)
            wide.byteswap()
        # Next to the order a date query reads with it: SQLite's blob I/O walks a
        # snapshot's pages to reach a section, 41 ms to reach the end of a 1M one.
        sections.insert(1, (_WIDE, bytes(wide)))
        return msgspec.msgpack.encode(meta), sections

    @classmethod
    def restore(
        cls,
        seq: int,
        load: Callable[[], SnapshotSections | CurrentState],
        source: RecordSource,
        *,
        rebuild: Callable[[int], CurrentState],
        on_damage: Callable[[str], None] | None = None,
    ) -> CurrentState:
        """Return a state at ``seq`` whose snapshot ``load()`` opens on first use.

        Args:
            seq: the seq the snapshot was taken at.
            load: opens the snapshot's sections, or returns a state rebuilt at ``seq``
                (the snapshot was replaced or damaged since its header was read).
            source: where events are decoded from.
            rebuild: returns a state rebuilt from the log at a seq, for a section that
                turns out damaged when it is first read.
            on_damage: told why, when that happens.
        """
        state = cls(source)
        state.seq = state._snapshot_seq = seq
        state._base, state._rebuild, state._on_damage = load, rebuild, on_damage
        return state

    def read_later(self, seq: int, rows: Callable[[int], Iterable[HotBatch]]) -> None:
        """Stand at ``seq`` now and fold the log's records up to it on first use.

        What a large import leaves: the state of a million new events is built by
        the query that needs it, not by the import (whose memory then stays flat).

        Args:
            seq: the seq the state stands at (the log's head).
            rows: returns the hot rows after a seq, up to ``seq``.
        """
        assert self._base is not None, "only a state that waits for its base reads later"
        self._later, self._tail, self.seq = rows, [], seq

    # -- columns for bulk readers (issue 12) -----------------------------------------------
    # Read-only: hands out the rows of one query and some columns (copies, or the
    # state's own), so a reader that decodes stored lines itself (the Arrow tables)
    # builds no Record or Event.

    def whole_order(self, include_retracted: bool) -> Sequence[int]:
        """Return every row (or every live one) in coarse timeline order."""
        # The full order, its retracted rows left out in C (_rows would build a
        # list, and a set, of every live row).
        order = self._full_order()
        gone = self._gone
        if include_retracted or self._live == len(gone):
            return order
        return live_rows(order, gone)

    def query_columns(
        self, where: EventFilter, copy: bool = True, sort: bool = True
    ) -> tuple[Sequence[int] | None, array[int], array[int], array[int], array[int], bytearray]:
        """Return the rows of the events passing ``where`` and some columns, indexed by row.

        Args:
            where: the filters.
            copy: copy the columns (a snapshot: later writes change none of them);
                when false they are the state's own, for a reader that is done
                before the next write (an export) and must not read their contents
                after one, nor change them.
            sort: false to get None for the rows of a query with no filter (but
                ``include_retracted``) when the order is not at hand: the caller then
                sorts them when it needs them (``whole_order``, ``sorted_whole``), and
                a walk of a clustered copy never does.

        Returns:
            ``(rows, seqs, lo, rank, firsts, gone)``: the matching rows in coarse
            timeline order, then whole columns indexed by row: the seq of each
            event's current record, its earliest day and precision rank (the
            coarse order), the seq of its first record, and 1 when it is
            retracted. Rows of equal ``(lo, rank)`` (a tie) are in no particular
            order; ``iter_query`` puts them in ``(When.sort_key, id)`` order. A row
            whose date is a set (its edtf starts with ``[`` or ``{``) is here as
            its bounds match; ``iter_query`` checks such a date against a date
            filter itself.
        """
        self._ready()
        ordered: Sequence[int] | None
        if where == EventFilter(include_retracted=where.include_retracted):
            if sort or self._has_order():
                ordered = self.whole_order(where.include_retracted)
            else:
                ordered = None  # sorting 1M rows: 0.3 s (0.03 s at 100k)
        else:
            rows = self._rows(where)
            if rows is None:
                ordered = self._full_order()
            elif len(rows) * 8 > len(self._lo) and len(rows) > 10_000:
                wanted = set(rows)
                ordered = [r for r in self._full_order() if r in wanted]
            else:
                keys = dict(zip(rows, self._coarse(rows), strict=True))
                ordered = sorted(rows, key=keys.__getitem__)
        if not copy:
            return ordered, self._seqs, self._lo, self._rank, self._first, self._gone
        # Whole columns are copied (memcpy: 2 ms for 1M rows), not gathered by row in
        # Python (0.27 s per column for 1M rows).
        return (
            None if ordered is None else array("q", ordered),
            array("q", self._seqs),
            array("i", self._lo),
            array("i", self._rank),
            array("q", self._first),
            bytearray(self._gone),
        )
