"""What plugins read a timeline through: the ``TimelineReader`` protocol and the filter table.

A ``Timeline`` and its ``as_of`` views satisfy ``TimelineReader``; exporters
and analyses are handed one and type against it, never against the timeline's
private classes. ``FILTERS`` is the one table of the query filters
(``Timeline.filter``, ``events``, every export and analysis, the CLI flags).
"""

from __future__ import annotations

import datetime as dt
import os
import types
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, Protocol, TypedDict, runtime_checkable

import attrs

from ._kinds import KindRegistry
from ._model import Actor, Event
from ._projection import EventFilter
from ._records import Record
from ._results import EventResults
from ._store import Store
from ._verify import LogHead
from ._when import When

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "FILTERS",
    "FILTER_NAMES",
    "Filters",
    "QueryFilter",
    "TimelineReader",
    "TimelineWriter",
]

#: A date a filter takes: an ISO or EDTF string, a date, a datetime or a ``When``.
DateLike = str | dt.date | dt.datetime | When | Any


class Filters(TypedDict, total=False):
    """The keyword filters every query, export and analysis takes (the types of ``FILTERS``)."""

    actor: str | Actor | None
    """A country code; events with this actor."""
    kind: str | None
    """A kind, or a pattern with ``*`` wildcards (``treaty.*``)."""
    tag: str | None
    """Events with this tag."""
    treaty: str | None
    """Events of this agreement."""
    between: tuple[DateLike | None, DateLike | None] | None
    """``(start, end)``: events whose date bounds overlap the range (either may be None)."""
    include_retracted: bool
    """Also return retracted events (their last state)."""
    within: tuple[DateLike | None, DateLike | None] | None
    """``(start, end)``: events whose date bounds lie inside the range (certainly in it)."""
    modality: str | Iterable[str] | None
    """A modality (``actual``, ``planned``, ``reported``, ``hypothetical``) or several."""


@attrs.frozen(kw_only=True)
class QueryFilter:
    """How one filter of ``FILTERS`` is shown on the command line."""

    help: str
    """The one line of help the CLI shows."""
    flag: bool = False
    """Whether it is a yes/no switch (a CLI flag without a value)."""
    many: bool = False
    """Whether the CLI option may be given several times (each adds a value)."""


#: The filters, by keyword (the same keys, in the same order, as ``Filters``); ``between`` is
#: the CLI's ``--from`` and ``--to``.
FILTERS: Mapping[str, QueryFilter] = types.MappingProxyType(
    {
        "actor": QueryFilter(help="Only events with this actor (country code, e.g. IND)."),
        "kind": QueryFilter(help="Only this kind; wildcards work (treaty.*)."),
        "tag": QueryFilter(help="Only events with this tag."),
        "treaty": QueryFilter(help="Only events of this agreement (e.g. RELOS)."),
        "between": QueryFilter(help="Only events between two dates (--from DATE, --to DATE)."),
        "include_retracted": QueryFilter(help="Also show retracted events (marked).", flag=True),
        "within": QueryFilter(
            help="Only events certainly between --from and --to (their bounds inside), not"
            " merely overlapping.",
            flag=True,
        ),
        "modality": QueryFilter(
            help="Only events of this modality (actual, planned, reported, hypothetical);"
            " repeat for several.",
            many=True,
        ),
    }
)
#: The filter keywords, in table order.
FILTER_NAMES: tuple[str, ...] = tuple(FILTERS)


@runtime_checkable
class TimelineReader(Protocol):
    """A timeline as exporters and analyses read it: a ``Timeline`` or an ``as_of`` view.

    Every method answers for the view's seq: an ``as_of`` view shows the log as
    it was known then.

    .. versionadded:: 0.2
    """

    def head(self) -> LogHead:
        """Return the head (seq and hash of the last record) this view reflects."""
        ...

    @property
    def seq(self) -> int:
        """The seq of the last record this view reflects."""
        ...

    @property
    def store(self) -> Store:
        """The store holding the log (``store.read_raw(until=seq)`` gives the raw records)."""
        ...

    @property
    def kinds(self) -> KindRegistry:
        """The kinds this timeline accepts."""
        ...

    def __len__(self) -> int: ...

    def __contains__(self, event_id: object) -> bool: ...

    def __iter__(self) -> Iterator[Event]: ...

    def get(self, event_id: str, *, include_retracted: bool = False) -> Event:
        """Return the current version of an event."""
        ...

    def record_of(self, event_id: str, *, include_retracted: bool = False) -> Record:
        """Return the latest record of an event's current state."""
        ...

    def is_retracted(self, event_id: str) -> bool:
        """Return whether the event was retracted."""
        ...

    def version(self, event_id: str) -> int:
        """Return the event's stream version (the number of records about it)."""
        ...

    def history(self, event_id: str) -> list[Record]:
        """Return every record about an event, oldest first."""
        ...

    def filter(self, **filters: Unpack[Filters]) -> EventFilter:
        """Validate query filters and return them as an ``EventFilter``."""
        ...

    def records(self, where: EventFilter | None = None, **filters: Any) -> list[Record]:
        """Return the current records of matching events in timeline order."""
        ...

    def iter_records(self, where: EventFilter | None = None, **filters: Any) -> Iterator[Record]:
        """Yield the current records of matching events in timeline order."""
        ...

    def events(self, **filters: Unpack[Filters]) -> EventResults:
        """Return the matching events in timeline order."""
        ...


@runtime_checkable
class TimelineWriter(TimelineReader, Protocol):
    """A timeline that can be written (a ``Timeline``; never an ``as_of`` view).

    .. versionadded:: 0.2
    """

    def record_many(self, events: Any) -> list[Event]:
        """Record many new events in one atomic append (all or none)."""
        ...

    def import_file(
        self, format: Any, source: str | os.PathLike[str] | IO[Any], **options: Any
    ) -> Any:
        """Import a file with an importer (given by name or as an ``Importer``)."""
        ...
