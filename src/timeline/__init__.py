"""geotimeline: an event-sourced, bitemporal timeline of dated geopolitical events.

Every fact enters an append-only, hash-chained log as a record (recorded,
amended, retracted); the current timeline, and the timeline as it was known at
any past moment, are projections rebuilt by replaying that log.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._errors import (
    ConcurrencyError,
    CorruptLog,
    EventNotRetracted,
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

if TYPE_CHECKING:
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
    from ._eventfilter import EventFilter
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
    from ._projection import CurrentState, Projection
    from ._reading import FILTER_NAMES, TimelineReader, TimelineWriter
    from ._records import Payload, Record, RecordType
    from ._results import EventResults, event_rows, events_reader, records_reader
    from ._search import SearchHit
    from ._sqlite import SqliteStore
    from ._store import MemoryStore, Store
    from ._storetype import StoreType
    from ._timeline import DEFAULT_PATH, Timeline, TimelineView
    from ._timeline import open_timeline as open
    from ._verify import LogHead, VerifyReport
    from ._when import Precision, When, days_between
    from .hookspecs import hookimpl

# What each public name is imported from, on first use (PEP 562): `import timeline`
# then costs what the caller uses, not arrow, the plugins, the stores and the datasets.
_LAZY: dict[str, tuple[str, str]] = {
    "AppendHead": ("_backend", "AppendHead"),
    "Backend": ("_backend", "Backend"),
    "StoredRow": ("_backend", "StoredRow"),
    "Actor": ("_model", "Actor"),
    "ActorRole": ("_model", "ActorRole"),
    "Analysis": ("_extensions", "Analysis"),
    "BUILTIN_KINDS": ("_kinds", "BUILTIN_KINDS"),
    "CalendarDescription": ("_calendar", "CalendarDescription"),
    "CalendarSpan": ("_calendar", "CalendarSpan"),
    "CurrentState": ("_projection", "CurrentState"),
    "DEFAULT_PATH": ("_timeline", "DEFAULT_PATH"),
    "EVENTS_SCHEMA_ID": ("_arrow", "EVENTS_SCHEMA_ID"),
    "Event": ("_model", "Event"),
    "EventFilter": ("_eventfilter", "EventFilter"),
    "EventResults": ("_results", "EventResults"),
    "ExportReport": ("_exportreport", "ExportReport"),
    "Exporter": ("_extensions", "Exporter"),
    "FILTER_NAMES": ("_reading", "FILTER_NAMES"),
    "FUZZY_POLICIES": ("_calendar", "FUZZY_POLICIES"),
    "ImportProblem": ("_extensions", "ImportProblem"),
    "ImportReport": ("_extensions", "ImportReport"),
    "Importer": ("_extensions", "Importer"),
    "JsonlStore": ("_jsonl", "JsonlStore"),
    "Kind": ("_kinds", "Kind"),
    "KindRegistry": ("_kinds", "KindRegistry"),
    "LogHead": ("_verify", "LogHead"),
    "LogPoint": ("_arrow", "LogPoint"),
    "MemoryStore": ("_store", "MemoryStore"),
    "Modality": ("_model", "Modality"),
    "NothingToExport": ("_exportreport", "NothingToExport"),
    "Option": ("_extensions", "Option"),
    "PLOVER_CONTEXTS": ("_kinds", "PLOVER_CONTEXTS"),
    "PLOVER_EVENTS": ("_kinds", "PLOVER_EVENTS"),
    "Payload": ("_records", "Payload"),
    "PostgresStore": ("_postgres", "PostgresStore"),
    "Precision": ("_when", "Precision"),
    "Projection": ("_projection", "Projection"),
    "Provenance": ("_arrow", "Provenance"),
    "RECORDS_SCHEMA_ID": ("_arrow", "RECORDS_SCHEMA_ID"),
    "Record": ("_records", "Record"),
    "RecordType": ("_records", "RecordType"),
    "SearchHit": ("_search", "SearchHit"),
    "SkipTally": ("_exportreport", "SkipTally"),
    "Skipped": ("_exportreport", "Skipped"),
    "Source": ("_model", "Source"),
    "SpanKind": ("_calendar", "SpanKind"),
    "SqliteStore": ("_sqlite", "SqliteStore"),
    "Store": ("_store", "Store"),
    "StoreType": ("_storetype", "StoreType"),
    "Timeline": ("_timeline", "Timeline"),
    "TimelineReader": ("_reading", "TimelineReader"),
    "TimelineView": ("_timeline", "TimelineView"),
    "TimelineWriter": ("_reading", "TimelineWriter"),
    "Upcaster": ("_codec", "Upcaster"),
    "VerifyReport": ("_verify", "VerifyReport"),
    "When": ("_when", "When"),
    "arrow_rows": ("_arrow", "arrow_rows"),
    "calendar_description": ("_calendar", "calendar_description"),
    "calendar_skip": ("_exportreport", "calendar_skip"),
    "calendar_span": ("_calendar", "calendar_span"),
    "calendar_spans": ("_calendar", "calendar_spans"),
    "calendar_zone": ("_calendar", "calendar_zone"),
    "datasets": ("datasets", ""),
    "days_between": ("_when", "days_between"),
    "event_rows": ("_results", "event_rows"),
    "events_from_arrow": ("_arrow", "events_from_arrow"),
    "events_reader": ("_results", "events_reader"),
    "hookimpl": ("hookspecs", "hookimpl"),
    "open": ("_timeline", "open_timeline"),
    "pandas_from_arrow": ("_arrow", "pandas_from_arrow"),
    "parse_modalities": ("_extensions", "parse_modalities"),
    "read_calendar_description": ("_calendar", "read_calendar_description"),
    "records_reader": ("_results", "records_reader"),
    "rows_table": ("_arrow", "rows_table"),
    "verify": ("_logfile", "verify_log"),
}

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
    "EventNotRetracted",
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
    "SearchHit",
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
    """Import a public name on first use and keep it (``import timeline`` stays cheap)."""
    if name == "__version__":
        # importlib.metadata costs milliseconds; only a caller who asks pays them.
        from importlib.metadata import version

        return version("geotimeline")
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'timeline' has no attribute {name!r}") from None
    found = importlib.import_module(f".{module}", __name__)
    value = getattr(found, attribute) if attribute else found
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
