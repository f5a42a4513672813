"""The Arrow tables ``events/1`` and ``records/1``: schemas, events to record batches, and back.

pyarrow is optional (the ``geotimeline[arrow]`` extra, about 170 MB): it is
imported on first use, and ``MissingDependency`` names the extra when it is
absent. The columns, their types and the date semantics are documented in
``docs/analytics.md``; ``tests/golden/events-1.schema.txt`` pins them.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import importlib
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs
import msgspec

from ._errors import InvalidDate, InvalidEvent, InvalidRecord, MissingDependency
from ._model import ActorRole, Event, Modality
from ._records import Record, RecordType
from ._when import OPEN_END, OPEN_START, Precision, When

__all__ = [
    "BATCH_ROWS",
    "EVENTS_SCHEMA_ID",
    "RECORDS_SCHEMA_ID",
    "LogPoint",
    "Provenance",
    "arrow_rows",
    "event_batch",
    "event_row",
    "events_from_arrow",
    "events_schema",
    "pandas_from_arrow",
    "pyarrow",
    "record_batches",
    "records_schema",
    "rows_table",
]

#: The name and version of the events table, in its schema metadata.
EVENTS_SCHEMA_ID = "events/1"
#: The name and version of the raw log table.
RECORDS_SCHEMA_ID = "records/1"
#: Rows per record batch when streaming (the Arrow stream, the exporters).
BATCH_ROWS = 65_536

_PRECISIONS = [p.value for p in Precision]
_PRECISION_INDEX = {p: i for i, p in enumerate(Precision)}
_MODALITIES = [m.value for m in Modality]
_MODALITY_INDEX = {m: i for i, m in enumerate(Modality)}
_ROLES = [r.value for r in ActorRole]
_ROLE_INDEX = {r: i for i, r in enumerate(ActorRole)}
_RECORD_TYPES = [t.value for t in RecordType]
_RECORD_TYPE_INDEX = {t: i for i, t in enumerate(RecordType)}
_json = msgspec.json.Encoder()


def pyarrow() -> Any:
    """Return the ``pyarrow`` module.

    Raises:
        MissingDependency: pyarrow is not installed (names the ``arrow`` extra).
    """
    return _import("pyarrow")


@functools.cache
def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingDependency(
            "pyarrow", "arrow", "Arrow, Parquet, pandas and polars output"
        ) from None


@attrs.frozen(kw_only=True)
class LogPoint:
    """Where in the log a result was read: written into the schema metadata."""

    seq: int
    """The seq of the last record the result reflects (0 for an empty log)."""
    head_hash: Callable[[], str] = attrs.field(eq=False, repr=False)
    """Returns the hash of the record at ``seq`` ("" for an empty log); called on first need."""
    as_of: int | None = None
    """The seq of the ``as_of`` view it came from, or None for the live timeline."""

    def metadata(self, schema_id: str) -> dict[str, str]:
        """Return the schema metadata: the schema id, the log's head seq and hash, as_of."""
        return {
            "geotimeline.schema": schema_id,
            "geotimeline.log_head_seq": str(self.seq),
            "geotimeline.log_head_hash": self.head_hash(),
            "geotimeline.as_of": "" if self.as_of is None else f"seq={self.as_of}",
        }


@attrs.frozen(kw_only=True)
class Provenance:
    """What the log knows about a run of events beyond their fields: the bitemporal columns.

    One entry per event, in the events' order (columns, not one object per
    event: building a million small objects costs more than the table).
    """

    version: Sequence[int]
    """The stream version of each event state shown (1 for never amended)."""
    first_recorded_at: Sequence[dt.datetime]
    """When the log first learnt of each event (aware)."""
    last_recorded_at: Sequence[dt.datetime]
    """When the log recorded each state shown (aware)."""
    retracted: Sequence[bool]
    """Whether each event is retracted (shown only with ``include_retracted``)."""


def _dictionary(pa: Any, index: Any) -> Any:
    return pa.dictionary(index, pa.string())


@functools.cache
def _event_fields() -> tuple[Any, ...]:
    pa = pyarrow()
    timestamp = pa.timestamp("us", tz="UTC")
    actor = pa.struct(
        [
            pa.field("country", pa.string(), nullable=False),
            pa.field("role", _dictionary(pa, pa.int8())),
            pa.field("sector", pa.string()),
            pa.field("name", pa.string()),
        ]
    )
    source = pa.struct(
        [
            pa.field("url", pa.string(), nullable=False),
            pa.field("publisher", pa.string()),
            pa.field("title", pa.string()),
            pa.field("published", pa.date32()),
            pa.field("excerpt", pa.string()),
        ]
    )
    return (
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("kind", _dictionary(pa, pa.int32()), nullable=False),
        pa.field("kind_family", _dictionary(pa, pa.int32()), nullable=False),
        pa.field("title", pa.string(), nullable=False),
        pa.field("summary", pa.string(), nullable=False),
        pa.field("when_edtf", pa.string(), nullable=False),
        pa.field("when_precision", _dictionary(pa, pa.int8()), nullable=False),
        pa.field("when_earliest", pa.date32()),
        pa.field("when_latest", pa.date32()),
        pa.field("when_open_start", pa.bool_(), nullable=False),
        pa.field("when_open_end", pa.bool_(), nullable=False),
        pa.field("when_start", timestamp),
        pa.field("when_end", timestamp),
        pa.field("when_approximate", pa.bool_(), nullable=False),
        pa.field("when_uncertain", pa.bool_(), nullable=False),
        pa.field("when_phrase", pa.string()),
        pa.field("when_anchor", pa.date32()),
        pa.field("when_year", pa.int16()),
        pa.field("actors", pa.list_(pa.field("item", actor, nullable=False)), nullable=False),
        pa.field("actor_countries", pa.list_(pa.field("item", pa.string(), nullable=False)), False),
        pa.field("location", pa.string()),
        pa.field("treaty", pa.string()),
        pa.field("tags", pa.list_(pa.field("item", pa.string(), nullable=False)), False),
        pa.field("related", pa.list_(pa.field("item", pa.string(), nullable=False)), False),
        pa.field("sources", pa.list_(pa.field("item", source, nullable=False)), nullable=False),
        pa.field("modality", _dictionary(pa, pa.int8()), nullable=False),
        pa.field("retracted", pa.bool_(), nullable=False),
        pa.field("version", pa.int32(), nullable=False),
        pa.field("first_recorded_at", timestamp, nullable=False),
        pa.field("last_recorded_at", timestamp, nullable=False),
        pa.field("attributes", pa.string(), nullable=False),
    )


def events_schema(log: LogPoint) -> Any:
    """Return the ``events/1`` Arrow schema with ``log`` in its metadata.

    Raises:
        MissingDependency: pyarrow is not installed.
    """
    return pyarrow().schema(list(_event_fields()), metadata=log.metadata(EVENTS_SCHEMA_ID))


@functools.cache
def _record_fields() -> tuple[Any, ...]:
    pa = pyarrow()
    return (
        pa.field("seq", pa.int64(), nullable=False),
        pa.field("stream", pa.string(), nullable=False),
        pa.field("version", pa.int32(), nullable=False),
        pa.field("type", _dictionary(pa, pa.int8()), nullable=False),
        pa.field("recorded_at", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("hash", pa.string(), nullable=False),
        pa.field("event", pa.string()),
        pa.field("reason", pa.string()),
    )


def records_schema(log: LogPoint) -> Any:
    """Return the ``records/1`` Arrow schema (the raw log) with ``log`` in its metadata.

    Raises:
        MissingDependency: pyarrow is not installed.
    """
    return pyarrow().schema(list(_record_fields()), metadata=log.metadata(RECORDS_SCHEMA_ID))


# -- events to Arrow ---------------------------------------------------------------------------


def _fixed_dictionary(pa: Any, indices: list[int | None], values: list[str], index: Any) -> Any:
    return pa.DictionaryArray.from_arrays(pa.array(indices, index), pa.array(values, pa.string()))


def _offsets(pa: Any, lengths: Iterable[int]) -> Any:
    return pa.array(list(itertools.accumulate(lengths, initial=0)), pa.int32())


def string_lists(pa: Any, lists: list[tuple[str, ...]]) -> Any:
    """Return a column of lists of strings (``tags``, ``related``), one row per tuple."""
    flat = [item for items in lists for item in items]
    return pa.ListArray.from_arrays(_offsets(pa, map(len, lists)), pa.array(flat, pa.string()))


def _countries(pa: Any, actors: list[tuple[Any, ...]], flat_actors: list[Any], offsets: Any) -> Any:
    # ``Event.countries`` without a dict per event: the actors' codes share the
    # actors' offsets unless an event names one country twice (with two roles).
    repeats = any(len(g) > 1 and len({a.country for a in g}) < len(g) for g in actors)
    if repeats:
        return string_lists(pa, [tuple(dict.fromkeys(a.country for a in g)) for g in actors])
    codes = pa.array([a.country for a in flat_actors], pa.string())
    return pa.ListArray.from_arrays(
        offsets, codes, type=pa.list_(pa.field("item", pa.string(), False))
    )


_MIN_DAY, _MAX_DAY = OPEN_START.toordinal(), OPEN_END.toordinal()

#: The day cells of a date: ``when_earliest``, ``when_latest``, ``when_open_start``,
#: ``when_open_end`` and ``when_year``.
DayCells = tuple["dt.date | None", "dt.date | None", bool, bool, "int | None"]


def day_cells(when: When) -> DayCells:
    """Return a date's day cells, its bounds read once (they are computed on each read).

    ``when_earliest`` / ``when_latest`` are null for an open or unknown end and for a day
    beyond 0001-9999 (the EDTF has it); the open flags come from the EDTF, since
    0001-01-01 is a real day though an open start's bound is ``date.min`` too;
    ``when_year`` is null beyond 0001-9999 (int16 cannot hold every such year).
    """
    first, last = when.earliest_ordinal, when.latest_ordinal
    first_day = None if first is None or not _MIN_DAY <= first <= _MAX_DAY else when.earliest
    last_day = None if last is None or not _MIN_DAY <= last <= _MAX_DAY else when.latest
    if (first is not None and first < _MIN_DAY) or (last is not None and last > _MAX_DAY):
        year = None
    elif first_day is not None:
        year = first_day.year
    else:
        year = None if last_day is None else last_day.year
    return first_day, last_day, first is None, last is None, year


def event_row(event: Event, provenance: Provenance, at: int) -> dict[str, Any]:
    """Return one ``events/1`` row as plain Python values (what ``to_pylist`` would give).

    ``provenance`` holds the bitemporal columns of a run of events; ``at`` is this
    event's position in it.

    For writers without pyarrow (the ``sqlite`` exporter). ``event_batch`` builds
    the same columns a batch at a time; a test checks the two agree.
    """
    when = event.when
    days = day_cells(when)
    return {
        "event_id": event.id,
        "kind": event.kind,
        "kind_family": event.kind.partition(".")[0],
        "title": event.title,
        "summary": event.summary,
        "when_edtf": when.edtf,
        "when_precision": when.precision.value,
        "when_earliest": days[0],
        "when_latest": days[1],
        "when_open_start": days[2],
        "when_open_end": days[3],
        "when_start": None if when.start is None else when.start.astimezone(dt.timezone.utc),
        "when_end": None if when.end is None else when.end.astimezone(dt.timezone.utc),
        "when_approximate": when.approximate,
        "when_uncertain": when.uncertain,
        "when_phrase": when.phrase,
        "when_anchor": when.anchor,
        "when_year": days[4],
        "actors": [
            {
                "country": a.country,
                "role": None if a.role is None else a.role.value,
                "sector": a.sector,
                "name": a.name,
            }
            for a in event.actors
        ],
        "actor_countries": list(event.countries),
        "location": event.location,
        "treaty": event.treaty,
        "tags": list(event.tags),
        "related": list(event.related),
        "sources": [
            {
                "url": s.url,
                "publisher": s.publisher,
                "title": s.title,
                "published": s.published,
                "excerpt": s.excerpt,
            }
            for s in event.sources
        ],
        "modality": event.modality.value,
        "retracted": provenance.retracted[at],
        "version": provenance.version[at],
        "first_recorded_at": provenance.first_recorded_at[at],
        "last_recorded_at": provenance.last_recorded_at[at],
        "attributes": attributes_text(event.attributes),
    }


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)


def _timestamps(pa: Any, moments: Iterable[dt.datetime | None]) -> Any:
    # Microseconds since the epoch, computed in Python: pyarrow's own conversion of
    # aware datetimes asks each one for its offset (10x slower; 0.33 s per 100k).
    micros = [None if m is None else (m - _EPOCH) // _MICROSECOND for m in moments]
    return pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz="UTC"))


def kind_columns(pa: Any, kinds: list[str]) -> list[Any]:
    """Return the ``kind`` and ``kind_family`` columns (dictionaries, in order of first use)."""
    pc = _import("pyarrow.compute")
    encoded = pa.array(kinds, pa.string()).dictionary_encode()
    families = [k.partition(".")[0] for k in encoded.dictionary.to_pylist()]
    family_names = sorted(set(families))
    family_of_kind = pa.array([family_names.index(f) for f in families], pa.int32())
    kind_family = pa.DictionaryArray.from_arrays(
        pc.take(family_of_kind, encoded.indices), pa.array(family_names, pa.string())
    )
    return [encoded, kind_family]


def when_columns(pa: Any, whens: Sequence[When]) -> list[Any]:
    """Return the date columns ``when_edtf`` to ``when_year``, one row per ``When``."""
    first, last, open_start, open_end, year = (
        zip(*map(day_cells, whens), strict=True) if whens else ((),) * 5
    )
    return [
        pa.array([w.edtf for w in whens], pa.string()),
        _fixed_dictionary(
            pa, [_PRECISION_INDEX[w.precision] for w in whens], _PRECISIONS, pa.int8()
        ),
        pa.array(first, pa.date32()),
        pa.array(last, pa.date32()),
        pa.array(open_start, pa.bool_()),
        pa.array(open_end, pa.bool_()),
        _timestamps(pa, [w.start for w in whens]),
        _timestamps(pa, [w.end for w in whens]),
        pa.array([w.approximate for w in whens], pa.bool_()),
        pa.array([w.uncertain for w in whens], pa.bool_()),
        pa.array([w.phrase for w in whens], pa.string()),
        pa.array([w.anchor for w in whens], pa.date32()),
        pa.array(year, pa.int16()),
    ]


def actor_columns(pa: Any, actors: list[tuple[Any, ...]]) -> list[Any]:
    """Return the ``actors`` and ``actor_countries`` columns, one row per tuple of actors.

    Actors are anything with ``country``, ``role`` (an ``ActorRole`` or None),
    ``sector`` and ``name``.
    """
    fields = {f.name: f for f in _event_fields()}
    flat_actors = [a for group in actors for a in group]
    actor_values = pa.StructArray.from_arrays(
        [
            pa.array([a.country for a in flat_actors], pa.string()),
            _fixed_dictionary(
                pa,
                [None if a.role is None else _ROLE_INDEX[a.role] for a in flat_actors],
                _ROLES,
                pa.int8(),
            ),
            pa.array([a.sector for a in flat_actors], pa.string()),
            pa.array([a.name for a in flat_actors], pa.string()),
        ],
        fields=list(fields["actors"].type.value_type),
    )
    actor_offsets = _offsets(pa, map(len, actors))
    return [
        pa.ListArray.from_arrays(actor_offsets, actor_values, type=fields["actors"].type),
        _countries(pa, actors, flat_actors, actor_offsets),
    ]


def sources_column(pa: Any, sources: list[tuple[Any, ...]]) -> Any:
    """Return the ``sources`` column, one row per tuple of sources.

    Sources are anything with ``url``, ``publisher``, ``title``, ``published``
    (a date or None) and ``excerpt``.
    """
    fields = {f.name: f for f in _event_fields()}
    flat_sources = [s for group in sources for s in group]
    source_values = pa.StructArray.from_arrays(
        [
            pa.array([s.url for s in flat_sources], pa.string()),
            pa.array([s.publisher for s in flat_sources], pa.string()),
            pa.array([s.title for s in flat_sources], pa.string()),
            pa.array([s.published for s in flat_sources], pa.date32()),
            pa.array([s.excerpt for s in flat_sources], pa.string()),
        ],
        fields=list(fields["sources"].type.value_type),
    )
    return pa.ListArray.from_arrays(
        _offsets(pa, map(len, sources)), source_values, type=fields["sources"].type
    )


def modality_column(pa: Any, modalities: list[Modality]) -> Any:
    """Return the ``modality`` column (a dictionary of every modality, in declaration order)."""
    return _fixed_dictionary(pa, [_MODALITY_INDEX[m] for m in modalities], _MODALITIES, pa.int8())


def attributes_text(attributes: dict[str, Any]) -> str:
    """Return the ``attributes`` cell of an event's attributes: JSON text, ``{}`` when empty."""
    return _json.encode(attributes).decode() if attributes else "{}"


def provenance_columns(pa: Any, provenance: Provenance) -> list[Any]:
    """Return the bitemporal columns: retracted, version, first and last recorded time."""
    return [
        pa.array(provenance.retracted, pa.bool_()),
        pa.array(provenance.version, pa.int32()),
        _timestamps(pa, provenance.first_recorded_at),
        _timestamps(pa, provenance.last_recorded_at),
    ]


def event_batch(events: Sequence[Event], provenance: Provenance, schema: Any) -> Any:
    """Return one ``events/1`` record batch of ``events`` (with their provenance, in order).

    Columns are built one at a time from plain lists (a comprehension each), and
    nested lists from flat values and offsets: pyarrow's conversion of lists of
    dicts costs several times more. ``_bulkarrow`` builds the same columns from
    stored lines with these helpers; a test checks the two agree.

    Raises:
        MissingDependency: pyarrow is not installed.
    """
    pa = pyarrow()
    columns = [
        pa.array([e.id for e in events], pa.string()),
        *kind_columns(pa, [e.kind for e in events]),
        pa.array([e.title for e in events], pa.string()),
        pa.array([e.summary for e in events], pa.string()),
        *when_columns(pa, [e.when for e in events]),
        *actor_columns(pa, [e.actors for e in events]),
        pa.array([e.location for e in events], pa.string()),
        pa.array([e.treaty for e in events], pa.string()),
        string_lists(pa, [e.tags for e in events]),
        string_lists(pa, [e.related for e in events]),
        sources_column(pa, [e.sources for e in events]),
        modality_column(pa, [e.modality for e in events]),
        *provenance_columns(pa, provenance),
        pa.array([attributes_text(e.attributes) for e in events], pa.string()),
    ]
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def record_batches(records: Iterable[Record], schema: Any, rows: int = BATCH_ROWS) -> Iterator[Any]:
    """Yield ``records/1`` record batches of log records (``rows`` records each).

    Raises:
        MissingDependency: pyarrow is not installed.
    """
    pa = pyarrow()
    it = iter(records)
    while chunk := list(itertools.islice(it, rows)):
        columns = [
            pa.array([r.seq for r in chunk], pa.int64()),
            pa.array([r.stream for r in chunk], pa.string()),
            pa.array([r.version for r in chunk], pa.int32()),
            _fixed_dictionary(
                pa, [_RECORD_TYPE_INDEX[r.type] for r in chunk], _RECORD_TYPES, pa.int8()
            ),
            _timestamps(pa, [r.recorded_at for r in chunk]),
            pa.array([r.hash for r in chunk], pa.string()),
            pa.array(
                [None if r.event is None else _json.encode(r.event).decode() for r in chunk],
                pa.string(),
            ),
            pa.array([r.payload.reason for r in chunk], pa.string()),
        ]
        yield pa.RecordBatch.from_arrays(columns, schema=schema)


# -- other tables (analysis results) -------------------------------------------------------


def _plain(value: Any) -> Any:
    # Nested attrs values become structs, tuples lists, enums their values; the
    # open-bound markers become nulls, as in events/1.
    if attrs.has(type(value)):
        return {f.name: _plain(getattr(value, f.name)) for f in attrs.fields(type(value))}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, enum.Enum):
        return value.value
    if type(value) is dt.date and value in (OPEN_START, OPEN_END):
        return None
    return value


def rows_table(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> Any:
    """Return a ``pyarrow.Table`` of ``rows`` (dicts), with ``columns`` in this order.

    Values may be attrs instances (struct columns), tuples (list columns) and
    enums (their values); ``date.min`` / ``date.max`` (open bounds) become nulls.
    Column types are inferred from the values; an empty table has null columns.

    Raises:
        MissingDependency: pyarrow is not installed.

    .. versionadded:: 0.2
    """
    plain = [{c: _plain(row.get(c)) for c in columns} for row in rows]
    return pyarrow().Table.from_pydict({c: [r[c] for r in plain] for c in columns})


def pandas_from_arrow(table: Any) -> Any:
    """Return a ``pandas.DataFrame`` of an Arrow table or stream.

    ``DataFrame.from_arrow`` (the PyCapsule import) on pandas 3, ``Table.to_pandas`` before.

    Raises:
        ImportError: pandas is not installed.

    .. versionadded:: 0.2
    """
    import pandas as pd

    from_arrow = getattr(pd.DataFrame, "from_arrow", None)
    return from_arrow(table) if from_arrow is not None else table.to_pandas()


# -- Arrow back to events ----------------------------------------------------------------------

_NEEDED = ("event_id", "kind", "title", "when_edtf")


def _batches(source: Any) -> Iterator[Any]:
    pa = pyarrow()
    if isinstance(source, pa.Table):
        yield from source.to_batches()
    elif isinstance(source, pa.RecordBatch):
        yield source
    elif isinstance(source, pa.RecordBatchReader):
        yield from source
    elif hasattr(source, "__arrow_c_stream__"):
        yield from pa.RecordBatchReader.from_stream(source)
    elif isinstance(source, Iterator):
        for batch in source:  # record batches, one at a time (a dataset scan)
            yield from _batches(batch)
    else:
        raise InvalidRecord(
            type(source).__name__, "expected an Arrow table, record batch or PyCapsule stream"
        )


def _when(row: dict[str, Any]) -> When:
    # Rebuilt from the EDTF, phrase and anchor, and checked (as every importer does):
    # the bounds, flags and instants are derived from them, never trusted column by column.
    return When.from_parts(row["when_edtf"], row.get("when_phrase"), row.get("when_anchor"))


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["event_id"],
        "kind": row["kind"],
        "when": _when(row),
        "title": row["title"],
        "summary": row.get("summary") or "",
        "actors": row.get("actors") or (),
        "location": row.get("location"),
        "sources": row.get("sources") or (),
        "tags": row.get("tags") or (),
        "treaty": row.get("treaty"),
        "related": row.get("related") or (),
        "modality": row.get("modality") or Modality.ACTUAL,
        "attributes": msgspec.json.decode(row.get("attributes") or "{}"),
    }


def arrow_rows(source: Any) -> Iterator[tuple[int, dict[str, Any] | InvalidDate]]:
    """Yield ``(row, fields)`` for each row of an ``events/1`` table (rows from 1).

    ``fields`` are the keyword fields of an ``Event`` (``when`` already a
    ``When``), or the ``InvalidDate`` saying why the row's date columns do not
    form a date. Takes a ``pyarrow.Table``, a record batch, a record batch
    reader or an iterator of batches (read one batch at a time), or any object
    with ``__arrow_c_stream__``
    (a polars or DuckDB result, ``tl.events()``). The
    bitemporal columns (version, recorded times, retracted) describe the log
    the table came from and are not read back.

    Raises:
        MissingDependency: pyarrow is not installed.
        InvalidRecord: the table lacks a column events need.
    """
    number = 0
    for batch in _batches(source):
        missing = [c for c in _NEEDED if c not in batch.schema.names]
        if missing:
            raise InvalidRecord(
                "Arrow table", f"no column {missing[0]!r}: not an {EVENTS_SCHEMA_ID} table"
            )
        for row in batch.to_pylist():
            number += 1
            try:
                yield number, _fields(row)
            except InvalidDate as exc:
                yield number, exc
            except msgspec.DecodeError as exc:
                yield number, InvalidDate(row.get("attributes"), f"attributes: {exc}")


def events_from_arrow(source: Any) -> list[Event]:
    """Return the events of an ``events/1`` table (see ``arrow_rows`` for what it takes).

    Raises:
        MissingDependency: pyarrow is not installed.
        InvalidRecord: the table lacks a column events need.
        InvalidEvent: a row holds a bad value (the message names the row and the field).
    """
    out = []
    for number, fields in arrow_rows(source):
        try:
            if isinstance(fields, InvalidDate):
                raise fields
            out.append(Event(**fields))
        except (InvalidEvent, InvalidDate) as exc:
            raise InvalidRecord(f"Arrow row {number}", str(exc)) from None
    return out
