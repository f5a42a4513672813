"""geotimeline: an event-sourced, bitemporal timeline of dated geopolitical events.

Every fact enters an append-only, hash-chained log as a record (recorded,
amended, retracted); the current timeline, and the timeline as it was known at
any past moment, are projections rebuilt by replaying that log.
"""

from __future__ import annotations

from typing import Any

from . import datasets
from ._calendar import (
    FUZZY_POLICIES,
    CalendarSpan,
    SpanKind,
    calendar_description,
    calendar_span,
    calendar_zone,
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
    PluginError,
    ReadOnlyTimeline,
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
from ._model import Actor, ActorRole, Event, Modality, Source
from ._projection import CurrentState, EventFilter, Projection
from ._records import Payload, Record, RecordType
from ._sqlite import SqliteStore
from ._store import MemoryStore, Store
from ._timeline import DEFAULT_PATH, Timeline, TimelineView
from ._timeline import open_timeline as open
from ._verify import VerifyReport
from ._when import Precision, When, days_between
from .hookspecs import hookimpl

# Mypy with --strict (no implicit re-export) needs the explicit list; keep it sorted.
__all__ = [
    "BUILTIN_KINDS",
    "DEFAULT_PATH",
    "FUZZY_POLICIES",
    "PLOVER_CONTEXTS",
    "PLOVER_EVENTS",
    "Actor",
    "ActorRole",
    "Analysis",
    "CalendarSpan",
    "ConcurrencyError",
    "CorruptLog",
    "CurrentState",
    "Event",
    "EventFilter",
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
    "MemoryStore",
    "Modality",
    "NothingToExport",
    "Option",
    "Payload",
    "PluginError",
    "Precision",
    "Projection",
    "ReadOnlyTimeline",
    "Record",
    "RecordType",
    "SkipTally",
    "Skipped",
    "Source",
    "SpanKind",
    "SqliteStore",
    "Store",
    "Timeline",
    "TimelineError",
    "TimelineView",
    "UnknownEvent",
    "UnknownKind",
    "UnknownPlugin",
    "Upcaster",
    "VerifyReport",
    "When",
    "calendar_description",
    "calendar_skip",
    "calendar_span",
    "calendar_zone",
    "datasets",
    "days_between",
    "hookimpl",
    "open",
    "parse_modalities",
]


def __getattr__(name: str) -> Any:
    # Read lazily: importlib.metadata costs milliseconds at import time.
    if name == "__version__":
        from importlib.metadata import version

        return version("geotimeline")
    raise AttributeError(f"module 'timeline' has no attribute {name!r}")
