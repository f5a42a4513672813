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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol, TypedDict, runtime_checkable

import attrs

from ._columns import Vocabulary
from ._errors import InvalidEvent
from ._eventfilter import EventFilter, is_pattern
from ._kinds import KindRegistry
from ._model import Actor, Event, Modality
from ._projection import CurrentState
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
    "SearchFilter",
    "TimelineReader",
    "TimelineWriter",
    "build_filter",
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
    """Events of this agreement (in any case: ``relos`` finds ``RELOS``), or of the
    agreements a pattern matches in any case (``*``: any agreement; ``relos*``)."""
    between: tuple[DateLike | None, DateLike | None] | None
    """``(start, end)``: events whose date bounds overlap the range (either may be None)."""
    include_retracted: bool
    """Also return retracted events (their last state)."""
    within: tuple[DateLike | None, DateLike | None] | None
    """``(start, end)``: events whose date bounds lie inside the range (certainly in it)."""
    modality: str | Iterable[str] | None
    """A modality (``actual``, ``planned``, ``reported``, ``hypothetical``) or several."""
    text: str | None
    """Words the title, summary, location, source titles or excerpts hold (``docs/search.md``)."""


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
        "treaty": QueryFilter(
            help="Only events of this agreement (e.g. RELOS; any case); '*' for any agreement."
        ),
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
        "text": QueryFilter(
            help="Only events whose title, summary, location or sources hold these words"
            ' (all of them; "a phrase" in quotes).'
        ),
    }
)
#: The filter keywords, in table order.
FILTER_NAMES: tuple[str, ...] = tuple(FILTERS)


class SearchFilter(EventFilter, frozen=True, kw_only=True):
    """An ``EventFilter`` with what the read model's columns cannot answer alone.

    ``Timeline.filter`` returns one only when it is needed; the timeline's queries
    answer it through the search index (``_search``) and the columns together.
    ``matches`` checks the fields of ``EventFilter`` only.
    """

    text: str | None = None
    """Search words (``Filters.text``), answered by the full-text index."""
    treaties: frozenset[str] | None = None
    """The stored spellings of the treaty asked for, when the log holds several
    (``RELOS`` and ``Relos``); ``treaty`` is then None."""


def build_filter(
    given: Mapping[str, Any],
    kinds: Callable[[], KindRegistry],
    state: CurrentState,
    vocabulary: Vocabulary,
) -> EventFilter:
    """Validate query filters (the keywords of ``Timeline.events``) into an ``EventFilter``.

    Args:
        given: the keyword filters.
        kinds: returns the kinds the timeline accepts (an unknown kind is refused); called
            only for a kind without wildcards (the registry loads the plugins).
        state: the read model the filter will be run on.
        vocabulary: the store's terms (``Store.vocabulary()``), for the treaty's spellings.

    Returns:
        An ``EventFilter``, or a ``SearchFilter`` for text or a treaty spelt several ways.

    Raises:
        InvalidEvent: a filter is unknown or its value malformed (an unknown kind
            names the closest ones).
        InvalidDate: a ``between`` or ``within`` bound is not a date.
    """
    unknown = sorted(set(given) - set(FILTERS))
    if unknown:
        raise InvalidEvent(unknown[0], given[unknown[0]], f"a filter: one of {FILTER_NAMES}")
    actor, kind, tag = given.get("actor"), given.get("kind"), given.get("tag")
    between, within = given.get("between"), given.get("within")
    code = None if actor is None else Actor.coerce(actor).country
    if kind is not None and not any(c in kind for c in "*?["):
        registry = kinds()
        if kind not in registry:
            registry.get(kind)  # raises UnknownKind with suggestions
    if between is not None and within is not None:
        raise InvalidEvent("within", within, "either between (overlaps) or within, not both")
    start, end = _day_range(
        between if within is None else within, "between" if within is None else "within"
    )
    treaty, treaties = _treaty(given.get("treaty"), state, vocabulary)
    fields: dict[str, Any] = {
        "actor": code,
        "kind": kind,
        "tag": None if tag is None else tag.strip().lower(),
        "treaty": treaty,
        "start": start,
        "end": end,
        "within": within is not None,
        "modality": _modalities(given.get("modality")),
        "include_retracted": bool(given.get("include_retracted", False)),
    }
    text = _text(given.get("text"))
    if text is None and treaties is None:
        return EventFilter(**fields)
    return SearchFilter(**fields, text=text, treaties=treaties)


def _treaty(
    value: object, state: CurrentState, vocabulary: Vocabulary
) -> tuple[str | None, frozenset[str] | None]:
    """Return the stored spelling of a treaty (or, when several, None and all of them)."""
    if value is None:
        return None, None
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent("treaty", value, "an agreement's name, e.g. RELOS, or a pattern: *")
    if is_pattern(value):
        return value.strip(), None  # matched in any case by the filter itself
    wanted = value.strip().casefold()
    len(state)  # a state restored from a snapshot adds its terms to the vocabulary when loaded
    ids = vocabulary.matching("treaty", lambda v: v.casefold() == wanted)
    spellings = sorted({vocabulary.value(i) for i in ids})
    if not spellings:
        return value.strip(), None  # no event has it: the columns answer "none" at once
    if len(spellings) == 1:
        return spellings[0], None
    return None, frozenset(spellings)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidEvent("text", value, "one or more words to search for")
    return value.strip()


def _day_range(between: object, name: str = "between") -> tuple[dt.date | None, dt.date | None]:
    if between is None:
        return None, None
    if isinstance(between, (str, bytes)) or not isinstance(between, Sequence) or len(between) != 2:
        raise InvalidEvent(name, between, "a (start, end) pair; either may be None")
    start = None if between[0] is None else When.coerce(between[0]).earliest
    end = None if between[1] is None else When.coerce(between[1]).latest
    if start is not None and end is not None and end < start:
        raise InvalidEvent(name, between, "a start on or before the end")
    return start, end


def _modalities(value: object) -> frozenset[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, (str, Modality)) else value
    if not isinstance(items, Iterable):
        raise InvalidEvent("modality", value, "a modality or a list of them")
    chosen = set()
    for item in items:
        try:
            chosen.add(Modality(item).value)
        except ValueError:
            names = ", ".join(m.value for m in Modality)
            raise InvalidEvent("modality", item, f"one of {names}") from None
    if not chosen:
        raise InvalidEvent("modality", value, "at least one modality")
    return frozenset(chosen)


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
