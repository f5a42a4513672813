r"""The hot fields of a record: what the read model folds without building the Event.

A record's *hot row* is ``(seq, stream, version, kind, lo, hi, rank, actors, tags,
treaty, modality)``: the header, then the event's date bounds as proleptic
Gregorian day numbers (``date.toordinal()``) and its precision's rank as plain
integers, and its kind, actor countries (unique, in order, joined by a space),
tags (joined by ``\x1f``), treaty and modality as *term ids*: numbers into the
store's ``Vocabulary``, so a million rows carry small integers instead of a
million strings. A retraction's row is all zeros after the header (kind 0 marks it).

Replay folds rows a ``HotBatch`` at a time: seqs and streams as columns, and the
version and eight hot integers of every row in one ``array('i')``. SQLite keeps
each record's nine integers packed in one column beside the record bytes
(``pack``), so a batch is two columns and one ``bytes.join`` away, with no JSON
parsed and no object built per field; its vocabulary lives in a table. JSON Lines and memory
logs decode the fields from the line with a decoder that skips everything else.
Both give the same rows.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

import msgspec

from ._errors import InvalidRecord
from ._model import Event
from ._records import CURRENT_SCHEMA
from ._when import bound_days

__all__ = [
    "FIELDS",
    "HOT_WIDTH",
    "NO_FIELDS",
    "NO_VALUES",
    "TAG_SEPARATOR",
    "HotBatch",
    "HotDecoder",
    "HotRow",
    "TermStore",
    "Vocabulary",
    "hot_fields",
    "pack",
]

#: ``(seq, stream, version, kind, lo, hi, rank, actors, tags, treaty, modality)``.
HotRow = tuple[Any, ...]

#: Joins an event's tags in the ``tags`` hot field (tags never hold control characters).
TAG_SEPARATOR = "\x1f"

#: The fields kept as term ids, in hot-row order after the header.
FIELDS = ("kind", "actors", "tags", "treaty", "modality")

_RANKS = {"minute": 0, "day": 1, "part_of_month": 2, "month": 3, "season": 4, "year": 5}


def _rank(precision: str) -> int:
    # Precision's declaration order (finest first); "interval" and anything newer last.
    return _RANKS.get(precision, 6)


# The day columns hold the days of the years 0001-9999 as they are (date.toordinal()); a
# day before them is 0 and one after them 3652060, with precision rank 0, so every such
# date ties in the columns' coarse order (earliest day, rank) and its exact key sorts it.
_BEFORE_DAYS, _AFTER_DAYS = 0, dt.date.max.toordinal() + 1
_FIRST, _LAST = dt.date.min, dt.date.max


def _day_columns(edtf: str, earliest: dt.date, latest: dt.date, rank: int) -> tuple[int, int, int]:
    """Return a date's ``(lo, hi, rank)`` hot values: its day numbers, in the int32 columns."""
    if earliest != _FIRST and latest != _LAST:
        # Neither bound is at datetime's edge, so neither stands for a day beyond it: the
        # replay path's common case skips bound_days (timeit, per new date with its two
        # fromisoformat: 930 ns through bound_days, 610-680 here, 520 before far years).
        return earliest.toordinal(), latest.toordinal(), rank
    first, last = bound_days(edtf, earliest, latest)
    if _BEFORE_DAYS < first < _AFTER_DAYS and _BEFORE_DAYS < last < _AFTER_DAYS:
        return first, last, rank
    lo = min(max(first, _BEFORE_DAYS), _AFTER_DAYS)
    hi = min(max(last, _BEFORE_DAYS), _AFTER_DAYS)
    return lo, hi, rank if _BEFORE_DAYS < first < _AFTER_DAYS else 0


def hot_fields(event: Event) -> tuple[Any, ...]:
    """Return an event's hot values: ``(kind, lo, hi, rank, actors, tags, treaty, modality)``.

    These are the values; a hot row holds the term ids of the text ones.
    """
    when = event.when
    countries: list[str] = []
    for actor in event.actors:
        if actor.country not in countries:
            countries.append(actor.country)
    return (
        event.kind,
        *_day_columns(when.edtf, when.earliest, when.latest, _rank(when.precision.value)),
        " ".join(countries),
        TAG_SEPARATOR.join(event.tags),
        event.treaty,
        event.modality.value,
    )


#: How many integers a hot row holds after its seq and stream: the version and eight fields.
HOT_WIDTH = 9

#: The hot part of a retraction's row after its version (it carries no event).
NO_FIELDS: tuple[int, ...] = (0,) * (HOT_WIDTH - 1)
#: The hot values of a retraction.
NO_VALUES: tuple[Any, ...] = (None,) * 8


class TermStore(Protocol):
    """What a store numbering terms (SQLite) answers about them without handing them all over."""

    def term_at(self, term_id: int) -> tuple[str, Any] | None:
        """Return the term numbered ``term_id``, or None if there is none."""

    def terms_holding(self, field: str, member: str, separator: str) -> set[int]:
        """Return the ids of ``field``'s terms whose value, split at ``separator``, has ``member``.

        ``member`` holds no ``separator``.
        """


class Vocabulary:
    """The terms ``(field, value)`` that hot rows refer to by number.

    Term 0 is "none" for every field (a retraction's kind, an event without a
    treaty). Terms are only ever added, so a number keeps its meaning for the
    life of a log.

    Args:
        refresh: called when a term is missing, to learn terms another writer
            added (SQLite reads its ``terms`` table); None for an in-process one.
        local: whether missing terms may be added here (False when only the store
            adds terms, inside its append transaction).
        store: the store's own reading of its terms, used while none is read here
            (``TermStore``); None: the terms are read first.
    """

    def __init__(
        self,
        refresh: Callable[[], None] | None = None,
        local: bool = True,
        store: TermStore | None = None,
    ) -> None:
        self._terms: list[tuple[str, Any]] = [("", None)]
        #: ``(field, value)`` -> id of the first ``_indexed`` terms (built when first asked).
        # A field's None is term 0: seeded so a lookup through the index finds it too.
        self._ids: dict[tuple[str, Any], int] = {(field, None): 0 for field in FIELDS}
        self._indexed = 1
        self._digests: dict[int, tuple[tuple[str, Any], bytes]] = {}
        self._refresh = refresh
        self._local = local
        self._store = store
        #: Whether the store may number terms not read yet (read on first use).
        self._stale = False
        #: Per field: (terms seen, the values joined by lines, line starts, term ids).
        self._lines: dict[str, tuple[int, str, list[int], list[int]]] = {}

    def __len__(self) -> int:
        # The terms read so far: a store counts from here what it reads next.
        return len(self._terms)

    @property
    def numbered_by_store(self) -> bool:
        """Whether only the store numbers terms (SQLite, PostgreSQL: its ``terms`` table)."""
        return self._refresh is not None and not self._local

    @property
    def terms(self) -> list[tuple[str, Any]]:
        """Every term the store numbers, by id (read from the store first if it may have more)."""
        if self._stale:
            self._catch_up()
        return self._terms

    def stale(self) -> None:
        """Note that the store may number terms not read yet: they are read on first use.

        A store calls it where it used to read its terms table: opening a million-event
        SQLite log read 60,636 terms (0.1 s) that ``list --limit 20`` never looks at.
        """
        if self._refresh is not None:
            self._stale = True

    def same_as(self, count: int, last: tuple[str, Any] | None, digest: bytes) -> bool:
        """Return whether the first ``count`` terms are those a snapshot was taken with.

        Args:
            count: how many terms the snapshot's columns number.
            last: the last of them (term ``count - 1``), or None if the snapshot did not say.
            digest: SHA-256 of them (``digest``).

        A store's terms are only ever added (its table refuses updates and deletes,
        and a migration that renumbers them drops the snapshots), so while none is
        read here its term ``count - 1`` being the snapshot's last says they are the
        same, in one lookup: 60,636 terms at 1M took 0.15 s to read for the digest.
        ``verify()`` checks every record's query columns against the terms.
        """
        if self._stale and len(self._terms) == 1 and self._store is not None and last is not None:
            return self._store.term_at(count - 1) == (last[0], last[1])
        return self.digest(count) == digest

    def _catch_up(self) -> None:
        self._stale = False
        assert self._refresh is not None
        self._refresh()

    def add(self, term_id: int, field: str, value: Any) -> None:
        """Record a term the store numbered (ids arrive in order)."""
        terms = self._terms
        while len(terms) < term_id:
            terms.append(("", None))  # a number its writer never committed
        if term_id == len(terms):
            terms.append((field, value))

    def extend(self, first_id: int, terms: Iterable[tuple[str, Any]]) -> None:
        """Record terms the store numbered ``first_id``, ``first_id + 1``, ... (one bulk load)."""
        if first_id != len(self._terms):
            for offset, (field, value) in enumerate(terms):
                self.add(first_id + offset, field, value)
            return
        self._terms.extend(
            t if type(t) is tuple and type(t[0]) is str else (str(t[0]), t[1]) for t in terms
        )

    def index(self) -> dict[tuple[str, Any], int]:
        """Return the map from term to id, brought up to the terms read.

        Built on first use, not on load: 60,636 terms at 1M cost 0.01 s a query
        that only reads terms by id does not need.
        """
        ids, known, terms = self._ids, self._indexed, self._terms
        if known < len(terms):
            ids.update(zip(terms[known:], range(known, len(terms)), strict=True))
            self._indexed = len(terms)
        return ids

    def digest(self, count: int) -> bytes:
        """Return SHA-256 of the first ``count`` terms (msgpack), or b"" if there are fewer.

        A snapshot records it, so a reopened log whose store already numbers the same
        terms skips decoding the snapshot's copy (60,636 terms at 1M: 0.04 s).
        """
        if self._refresh is not None and len(self._terms) < count:
            self._catch_up()
        terms = self.terms
        if len(terms) < count:
            return b""
        cached = self._digests.get(count)
        if cached is None or cached[0] is not terms[count - 1]:
            data = msgspec.msgpack.encode(terms[:count])
            cached = self._digests[count] = (terms[count - 1], hashlib.sha256(data).digest())
        return cached[1]

    def truncate(self, size: int) -> None:
        """Forget the terms numbered ``size`` and up (their transaction rolled back)."""
        for term in self._terms[size : self._indexed]:
            self._ids.pop(term, None)
        del self._terms[size:]
        self._lines.clear()
        self._indexed = min(self._indexed, max(size, 1))

    def find(self, field: str, value: Any) -> int | None:
        """Return a term's id, or None if the vocabulary has no such term (after a refresh)."""
        if value is None:
            return 0
        found = self.index().get((field, value))
        if found is None and self._refresh is not None:
            self._catch_up()
            found = self.index().get((field, value))
        return found

    def id(self, field: str, value: Any) -> int:
        """Return a term's id, adding the term if this vocabulary may.

        Raises:
            KeyError: the term is unknown and only the store may add terms.
        """
        found = self.find(field, value)
        if found is None:
            if not self._local:
                raise KeyError((field, value))
            found = len(self._terms)
            self.add(found, field, value)
        return found

    def numbers(self, terms: Iterable[tuple[str, Any]]) -> list[int]:
        """Return the ids of these terms, adding the ones it lacks (a local vocabulary).

        One dictionary lookup a term: a JSON Lines hot file's 30,904 terms at 100k cost
        0.085 s a term at a time through ``id``.

        Raises:
            KeyError: a term is unknown and only the store may add terms.
        """
        index, known = self.index(), self._terms
        out = []
        for term in terms:
            found = index.get(term)
            if found is None:
                if not self._local or term[1] is None:
                    found = self.id(term[0], term[1])
                else:
                    found = index[term] = len(known)
                    known.append(term)
                    self._indexed = len(known)
            out.append(found)
        return out

    def known_ids(self, values: tuple[Any, ...]) -> tuple[int, ...] | None:
        """Return the term ids of a hot-values tuple's text fields, or None if one is not known.

        The index alone, no refresh: a record appended cost 1.4 µs less than through
        five ``id`` calls, which ``ids`` and ``packed_hot`` make only for a new term.
        """
        get = self.index().get
        ids = (
            get(("kind", values[0])),
            get(("actors", values[4])),
            get(("tags", values[5])),
            get(("treaty", values[6])),
            get(("modality", values[7])),
        )
        return None if None in ids else ids  # type: ignore[return-value]

    def ids(self, values: tuple[Any, ...]) -> tuple[int, ...]:
        """Return the term ids of a hot-values tuple's text fields, in ``FIELDS`` order."""
        known = self.known_ids(values)
        if known is not None:
            return known
        kind, _, _, _, actors, tags, treaty, modality = values
        find = self.id
        return (
            find("kind", kind),
            find("actors", actors),
            find("tags", tags),
            find("treaty", treaty),
            find("modality", modality),
        )

    def matching(self, field: str, test: Callable[[Any], bool]) -> set[int]:
        """Return the ids of the terms of ``field`` whose value passes ``test``."""
        return {i for i, (f, v) in enumerate(self.terms) if f == field and test(v)}

    def holding(self, field: str, member: str, separator: str) -> set[int]:
        """Return the ids of the terms of ``field`` whose ``separator``-split value has ``member``.

        One regular expression over the field's values joined by lines, in C: the
        actors of a million-event log are 60,548 terms, 0.07 s through ``matching``
        with a split per term, about 0.01 s here.
        """
        if separator in member:
            return set()  # no piece of a split holds its separator
        if self._stale and self._store is not None:
            # The store may number terms not read here: it finds them itself, without
            # handing every term over (60,548 actor terms at 1M: 0.15 s to read).
            return self._store.terms_holding(field, member, separator)
        if "\n" in member:
            return self.matching(field, lambda v: member in str(v).split(separator))
        terms = self.terms
        cached = self._lines.get(field)
        if cached is None or cached[0] != len(terms):
            ids = [i for i, (f, _) in enumerate(terms) if f == field]
            if not ids:
                return set()
            values = [str(terms[i][1]) for i in ids]
            text = "\n".join(values)
            if text.count("\n") != max(len(values) - 1, 0):
                # A value holds a line break: no line is one term then.
                return self.matching(field, lambda v: member in str(v).split(separator))
            starts = list(itertools.accumulate((len(v) + 1 for v in values[:-1]), initial=0))
            cached = self._lines[field] = (len(terms), text, starts, ids)
        _, text, starts, ids = cached
        sep, wanted = re.escape(separator), re.escape(member)
        pattern = re.compile(f"^(?:[^\n]*{sep})?{wanted}(?:{sep}[^\n]*)?$", re.MULTILINE)
        return {ids[bisect.bisect_right(starts, m.start()) - 1] for m in pattern.finditer(text)}

    def holding_among(
        self, field: str, member: str, separator: str, ids: Iterable[int]
    ) -> set[int]:
        """Return those of ``ids`` that are terms of ``field`` whose split value has ``member``.

        ``holding``'s rule, tested on a few terms (a date window's rows') instead of
        every term of the field.
        """
        if self._stale and self._store is not None:
            return self.holding(field, member, separator).intersection(ids)
        terms = self.terms
        return {
            i for i in ids if terms[i][0] == field and member in str(terms[i][1]).split(separator)
        }

    def value(self, term_id: int) -> Any:
        """Return a term's value (None for 0)."""
        terms = self._terms if term_id < len(self._terms) else self.terms
        return terms[term_id][1]

    def adopt(self, terms: Iterable[tuple[str, Any]]) -> list[int] | None:
        """Take the terms a snapshot was written with.

        Returns:
            None when the snapshot's ids mean what ours mean (the usual case), else
            the list that maps each of its ids to ours.

        Raises:
            KeyError: a term of the snapshot is unknown and only the store may add terms.
        """
        given = [t if type(t) is tuple else (str(t[0]), t[1]) for t in terms]
        if self._refresh is not None:
            self._catch_up()
        mine = self.terms
        shared = min(len(mine), len(given))
        if mine[1:shared] == given[1:shared]:
            if len(given) <= len(mine):
                return None
            if self._local:
                for term_id in range(len(mine), len(given)):
                    field, value = given[term_id]
                    self.add(term_id, field, value)
                return None
        # Numbered differently (terms this process learnt before the snapshot was read).
        return [0] + [self.id(field, value) for field, value in given[1:]]

    def row(self, seq: int, stream: str, version: int, values: tuple[Any, ...]) -> HotRow:
        """Return the hot row of a record from its event's hot values."""
        kind, actors, tags, treaty, modality = self.ids(values)
        return (seq, stream, version, kind, values[1], values[2], values[3], actors, tags, treaty,
                modality)  # fmt: skip


_SWAP = sys.byteorder != "little"  # packed columns are little-endian on every machine


def pack(hot: Sequence[int]) -> bytes:
    """Return a row's integers (version, then the eight fields) as stored: little-endian int32."""
    packed = array("i", hot)
    if _SWAP:
        packed.byteswap()
    return packed.tobytes()


class HotBatch:
    """The hot rows of consecutive records, as columns.

    Args:
        seqs: the records' seqs, in order (a ``range`` when they are consecutive).
        streams: their streams (event ids).
        hot: ``HOT_WIDTH`` integers per record, row after row: the version, then
            the hot fields.
        packed: each row's integers as stored (``pack``), when the batch came
            from packed rows.
    """

    __slots__ = ("hot", "packed", "seqs", "streams")

    def __init__(
        self,
        seqs: Sequence[int],
        streams: Sequence[str],
        hot: array[int],
        packed: Sequence[bytes] | None = None,
    ) -> None:
        self.seqs, self.streams, self.hot, self.packed = seqs, streams, hot, packed

    @property
    def versions(self) -> array[int]:
        """The records' versions."""
        return self.hot[0::HOT_WIDTH]

    def select(self, mask: Sequence[bool]) -> HotBatch:
        """Return the batch of the rows whose ``mask`` entry is true (in C where it can)."""
        seqs = tuple(itertools.compress(self.seqs, mask))
        streams = tuple(itertools.compress(self.streams, mask))
        hot = array("i")
        if self.packed is not None:
            hot.frombytes(b"".join(itertools.compress(self.packed, mask)))
            if _SWAP:
                hot.byteswap()
        else:
            data, size = self.hot.tobytes(), 4 * HOT_WIDTH  # native order, as hot holds them
            rows = [data[at : at + size] for at in range(0, len(data), size)]
            hot.frombytes(b"".join(itertools.compress(rows, mask)))
        return HotBatch(seqs, streams, hot)

    @classmethod
    def of_rows(cls, rows: Sequence[HotRow]) -> HotBatch:
        """Return the batch of hot-row tuples."""
        if not rows:
            return cls((), (), array("i"))
        seqs, streams = tuple(zip(*(r[:2] for r in rows), strict=True))
        hot = array("i", itertools.chain.from_iterable(r[2:] for r in rows))
        return cls(seqs, streams, hot)

    @classmethod
    def of_packed(
        cls, seqs: Sequence[int], streams: Sequence[str], packed: Sequence[bytes]
    ) -> HotBatch:
        """Return the batch of stored rows: their seqs, streams and packed integers.

        Raises:
            InvalidRecord: a row's packed integers are not ``HOT_WIDTH`` int32.
        """
        size = 4 * HOT_WIDTH
        if sum(map(len, packed)) != size * len(packed):
            seq = next(s for s, p in zip(seqs, packed, strict=True) if len(p) != size)
            raise InvalidRecord(f"record seq {seq}", "its query column is damaged (run verify)")
        hot = array("i")
        hot.frombytes(b"".join(packed))
        if _SWAP:
            hot.byteswap()
        return cls(seqs, streams, hot, packed)

    def __len__(self) -> int:
        return len(self.seqs)


class _When(msgspec.Struct, gc=False):
    edtf: str
    earliest: str
    latest: str
    precision: str


class _Actor(msgspec.Struct, gc=False):
    country: str


class _Event(msgspec.Struct, gc=False):
    kind: str
    when: msgspec.Raw
    actors: msgspec.Raw = msgspec.Raw(b"[]")
    tags: msgspec.Raw = msgspec.Raw(b"[]")
    treaty: str | None = None
    modality: str = "actual"


class _Payload(msgspec.Struct, gc=False):
    event: _Event | None = None


class _Line(msgspec.Struct, gc=False):
    seq: int
    stream: str
    version: int
    type: str
    schema: int
    payload: _Payload


class _Seq(msgspec.Struct, gc=False):
    seq: int


_seq_decoder = msgspec.json.Decoder(_Seq)


def _seq_hint(line: bytes) -> str:
    """Return a damaged line's seq as text, or "?" when even that cannot be read."""
    try:
        return str(_seq_decoder.decode(line).seq)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return "?"


_when_decoder = msgspec.json.Decoder(_When)
_actors_decoder = msgspec.json.Decoder(list[_Actor])
_tags_decoder = msgspec.json.Decoder(list[str])


class HotDecoder:
    """Decodes stored JSON lines into hot rows, skipping every field queries do not need.

    Dates, actor lists and tag lists repeat across a log, so each distinct one is
    parsed once (bounded caches keyed by its JSON bytes, mapping to term ids).

    Args:
        vocabulary: numbers the terms.
        full: decodes one line into a Record the slow way (old schemas, through
            the upcasters); used when a line does not fit the current shape.
    """

    _LIMIT = 1 << 16

    def __init__(self, vocabulary: Vocabulary, full: Callable[[bytes], Any]) -> None:
        self.vocabulary = vocabulary
        self._line = msgspec.json.Decoder(_Line)
        self._full = full
        self._whens: dict[bytes, tuple[int, int, int]] = {}
        self._actors: dict[bytes, int] = {}
        self._tags: dict[bytes, int] = {}
        self._words: dict[tuple[str, str | None, str], tuple[int, int, int]] = {}

    def decode(self, lines: list[bytes]) -> list[HotRow]:
        """Return the hot rows of a batch of stored lines, in order.

        Raises:
            InvalidRecord: a line is not a well-formed record.
        """
        whens, actors, tags, words = self._whens, self._actors, self._tags, self._words
        if max(len(whens), len(actors), len(tags), len(words)) > self._LIMIT:
            whens.clear()
            actors.clear()
            tags.clear()
            words.clear()
        term = self.vocabulary.id
        decode = self._line.decode
        current = CURRENT_SCHEMA
        rows: list[HotRow] = []
        append = rows.append
        start, i = 0, 0
        while True:
            try:
                # A line the fast path cannot read takes the careful one (which names
                # its seq, or upcasts an old record), and the loop resumes after it.
                for i in range(start, len(lines)):
                    self._fast(lines[i], decode, current, term, append)
                break
            except (
                msgspec.ValidationError,
                msgspec.DecodeError,
                ValueError,
                TypeError,
                InvalidRecord,
            ):
                append(self._careful(lines[i]))
                start = i + 1
        return rows

    def _fast(
        self,
        line: bytes,
        decode: Callable[[bytes], _Line],
        current: dict[str, int],
        term: Callable[[str, Any], int],
        append: Callable[[HotRow], None],
    ) -> None:
        """Append one line's hot row (the replay path; raises on a line it cannot read)."""
        whens, actors, tags, words = self._whens, self._actors, self._tags, self._words
        try:
            head = decode(line)
        except (msgspec.ValidationError, msgspec.DecodeError):
            append(self._slow(line))
            return
        if head.schema != current.get(head.type):
            append(self._slow(line))
            return
        event = head.payload.event
        if event is None:
            append((head.seq, head.stream, head.version, *NO_FIELDS))
            return
        key = bytes(event.when)
        bounds = whens.get(key)
        if bounds is None:
            when = _when_decoder.decode(key)
            bounds = whens[key] = _day_columns(
                when.edtf,
                dt.date.fromisoformat(when.earliest),
                dt.date.fromisoformat(when.latest),
                _rank(when.precision),
            )
        key = bytes(event.actors)
        actors_id = actors.get(key)
        if actors_id is None:
            unique: list[str] = []
            for actor in _actors_decoder.decode(key):
                if actor.country not in unique:
                    unique.append(actor.country)
            actors_id = actors[key] = term("actors", " ".join(unique))
        key = bytes(event.tags)
        tags_id = tags.get(key)
        if tags_id is None:
            joined = TAG_SEPARATOR.join(_tags_decoder.decode(key))
            tags_id = tags[key] = term("tags", joined)
        # Kind, treaty and modality repeat together: one lookup for the three.
        key3 = (event.kind, event.treaty, event.modality)
        words_ids = words.get(key3)
        if words_ids is None:
            words_ids = words[key3] = (
                term("kind", event.kind),
                term("treaty", event.treaty),
                term("modality", event.modality),
            )
        kind_id, treaty_id, modality_id = words_ids
        append(
            (
                head.seq,
                head.stream,
                head.version,
                kind_id,
                *bounds,
                actors_id,
                tags_id,
                treaty_id,
                modality_id,
            )
        )

    def _careful(self, line: bytes) -> HotRow:
        """Return a line's hot row the slow way, or raise naming its seq."""
        try:
            return self._slow(line)
        except InvalidRecord as exc:
            raise InvalidRecord(f"record seq {_seq_hint(line)}", exc.reason) from None

    def _slow(self, line: bytes) -> HotRow:
        record = self._full(line)
        event = record.payload.event
        if event is None:
            return (record.seq, record.stream, record.version, *NO_FIELDS)
        return self.vocabulary.row(record.seq, record.stream, record.version, hot_fields(event))

    def values(self, lines: list[bytes]) -> list[tuple[Any, ...]]:
        """Return the hot values (not term ids) of stored lines, for stores that number terms."""
        out = []
        for line in lines:
            record = self._full(line)
            event = record.payload.event
            out.append(NO_VALUES if event is None else hot_fields(event))
        return out
