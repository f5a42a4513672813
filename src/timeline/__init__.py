"""geotimeline: an event-sourced, bitemporal timeline of dated geopolitical events.

Every fact enters an append-only, hash-chained log as a record (recorded,
amended, retracted); the current timeline, and the timeline as it was known at
any past moment, are projections rebuilt by replaying that log.
"""

from __future__ import annotations

from typing import Any

from . import datasets
from ._arrow import (
    EVENTS_SCHEMA_ID,
    RECORDS_SCHEMA_ID,
    LogPoint,
    Provenance,
    arrow_rows,
    events_from_arrow,
    pandas_from_arrow,
    rows_table,
)
from ._backend import AppendHead, Backend, StoredRow
from ._calendar import (
    FUZZY_POLICIES,
    CalendarDescription,
    CalendarSpan,
    SpanKind,
    calendar_description,
    calendar_span,
    calendar_spans,
    calendar_zone,
    read_calendar_description,
)
from ._codec import Upcaster
from ._errors import (
    ConcurrencyError,
    CorruptLog,
    EventRetracted,
    ImportFailed,
    InvalidDate,
    InvalidEvent,
    InvalidOption,
    InvalidRecord,
    LogTruncated,
    MissingDependency,
    PluginError,
    ReadOnlyTimeline,
    StoreBusy,
    StoreUnavailable,
    TimelineError,
    UnknownEvent,
    UnknownKind,
    UnknownPlugin,
)
from ._exportreport import ExportReport, NothingToExport, Skipped, SkipTally, calendar_skip
from ._extensions import (
    Analysis,
    Exporter,
    Importer,
    ImportProblem,
    ImportReport,
    Option,
    parse_modalities,
)
from ._jsonl import JsonlStore
from ._kinds import BUILTIN_KINDS, PLOVER_CONTEXTS, PLOVER_EVENTS, Kind, KindRegistry
from ._logfile import verify_log as verify
from ._model import Actor, ActorRole, Event, Modality, Source
from ._postgres import PostgresStore
from ._projection import CurrentState, EventFilter, Projection
from ._reading import FILTER_NAMES, TimelineReader, TimelineWriter
from ._records import Payload, Record, RecordType
from ._results import EventResults, event_rows, events_reader, records_reader
from ._sqlite import SqliteStore
from ._store import MemoryStore, Store
from ._storetype import StoreType
from ._timeline import DEFAULT_PATH, Timeline, TimelineView
from ._timeline import open_timeline as open
from ._verify import LogHead, VerifyReport
from ._when import Precision, When, days_between
from .hookspecs import hookimpl

# Mypy with --strict (no implicit re-export) needs the explicit list; keep it sorted.
__all__ = [
    "BUILTIN_KINDS",
    "DEFAULT_PATH",
    "EVENTS_SCHEMA_ID",
    "FILTER_NAMES",
    "FUZZY_POLICIES",
    "PLOVER_CONTEXTS",
    "PLOVER_EVENTS",
    "RECORDS_SCHEMA_ID",
    "Actor",
    "ActorRole",
    "Analysis",
    "AppendHead",
    "Backend",
    "CalendarDescription",
    "CalendarSpan",
    "ConcurrencyError",
    "CorruptLog",
    "CurrentState",
    "Event",
    "EventFilter",
    "EventResults",
    "EventRetracted",
    "ExportReport",
    "Exporter",
    "ImportFailed",
    "ImportProblem",
    "ImportReport",
    "Importer",
    "InvalidDate",
    "InvalidEvent",
    "InvalidOption",
    "InvalidRecord",
    "JsonlStore",
    "Kind",
    "KindRegistry",
    "LogHead",
    "LogPoint",
    "LogTruncated",
    "MemoryStore",
    "MissingDependency",
    "Modality",
    "NothingToExport",
    "Option",
    "Payload",
    "PluginError",
    "PostgresStore",
    "Precision",
    "Projection",
    "Provenance",
    "ReadOnlyTimeline",
    "Record",
    "RecordType",
    "SkipTally",
    "Skipped",
    "Source",
    "SpanKind",
    "SqliteStore",
    "Store",
    "StoreBusy",
    "StoreType",
    "StoreUnavailable",
    "StoredRow",
    "Timeline",
    "TimelineError",
    "TimelineReader",
    "TimelineView",
    "TimelineWriter",
    "UnknownEvent",
    "UnknownKind",
    "UnknownPlugin",
    "Upcaster",
    "VerifyReport",
    "When",
    "arrow_rows",
    "calendar_description",
    "calendar_skip",
    "calendar_span",
    "calendar_spans",
    "calendar_zone",
    "datasets",
    "days_between",
    "event_rows",
    "events_from_arrow",
    "events_reader",
    "hookimpl",
    "open",
    "pandas_from_arrow",
    "parse_modalities",
    "read_calendar_description",
    "records_reader",
    "rows_table",
    "verify",
]


def __getattr__(name: str) -> Any:
    # Read lazily: importlib.metadata costs milliseconds at import time.
    if name == "__version__":
        from importlib.metadata import version

        return version("geotimeline")
    raise AttributeError(f"module 'timeline' has no attribute {name!r}")
