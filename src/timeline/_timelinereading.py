"""The reading face of a timeline: what a Timeline and its read-only ``as_of`` views share."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from ._errors import (
    EventRetracted,
    UnknownEvent,
)
from ._eventfilter import EventFilter
from ._exportreport import ExportReport
from ._extensions import (
    Analysis,
    Exporter,
    Progress,
)
from ._idindex import short_forms
from ._kinds import KindRegistry
from ._model import Event
from ._plugins import PluginHost, default_host
from ._projection import CurrentState
from ._reading import Filters, SearchFilter, build_filter
from ._records import (
    GENESIS_HASH,
    Record,
)
from ._results import EventResults, results_of
from ._running import run_analysis, run_export
from ._search import SearchHit, iter_matching, plain_filter
from ._search import search as search_events
from ._store import Store
from ._verify import LogHead

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["TimelineReading"]


class TimelineReading:
    """Query methods shared by a Timeline and its read-only ``as_of`` views."""

    _state: CurrentState
    _store: Store
    _kinds: KindRegistry | None
    _plugins: PluginHost | None

    @property
    def plugins(self) -> PluginHost:
        """The plugin host this timeline uses (loaded on first use)."""
        if self._plugins is None:
            self._plugins = default_host()
        return self._plugins

    @property
    def kinds(self) -> KindRegistry:
        """The kinds this timeline accepts: built-ins plus those plugins register."""
        if self._kinds is None:
            registry = KindRegistry()
            for kind in self.plugins.kinds():
                registry.add(kind)
            self._kinds = registry
        return self._kinds

    @property
    def store(self) -> Store:
        """The store holding the log (for a view, also the records past its seq)."""
        return self._store

    @property
    def seq(self) -> int:
        """The seq of the last record this view reflects."""
        return self._state.seq

    def __len__(self) -> int:
        return len(self._state)

    def __contains__(self, event_id: object) -> bool:
        return isinstance(event_id, str) and self._state.status(event_id) == 1

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events())

    def get(self, event_id: str, *, include_retracted: bool = False) -> Event:
        """Return the current version of an event.

        Raises:
            UnknownEvent: no event has this id.
            EventRetracted: it was retracted (pass ``include_retracted=True`` to see it).
        """
        return self._live_record(event_id, include_retracted).event  # type: ignore[return-value]

    def record_of(self, event_id: str, *, include_retracted: bool = False) -> Record:
        """Return the latest record (version, recorded_at, ...) of an event's current state.

        Raises:
            UnknownEvent: no event has this id.
            EventRetracted: it was retracted and ``include_retracted`` is false.
        """
        return self._live_record(event_id, include_retracted)

    def _live_record(self, event_id: str, include_retracted: bool = False) -> Record:
        record, retracted = self._state.record(event_id)
        if record is None:
            raise UnknownEvent(event_id)
        if retracted and not include_retracted:
            raise EventRetracted(event_id)
        return record

    def is_retracted(self, event_id: str) -> bool:
        """Return whether the event was retracted.

        Raises:
            UnknownEvent: no event has this id.
        """
        status = self._state.status(event_id)
        if status == 0:
            raise UnknownEvent(event_id)
        return status == 2

    def version(self, event_id: str) -> int:
        """Return the event's stream version (the number of records about it).

        Raises:
            UnknownEvent: no event has this id.
        """
        version = self._state.version_of(event_id)
        if version == 0:
            raise UnknownEvent(event_id)
        return version

    def ids(self) -> list[str]:
        """Return the id of every event in this view, retracted ones included."""
        return self._state.ids()

    def ids_matching(self, text: str) -> list[str]:
        """Return the ids of the events (retracted ones too) that start or end with ``text``."""
        return self._state.ids_matching(text)

    def short_ids(self, ids: Iterable[str]) -> dict[str, str]:
        """Return the short form of each id, as ``timeline list`` shows it.

        A chosen id stays whole; a generated one is shown as its shortest tail (six
        characters or more) that no other id here starts or ends with, so every
        command reads it back to that id alone.
        """
        state = self._state
        return short_forms(ids, state.id_index(), state.ids)

    def filter(self, **filters: Unpack[Filters]) -> EventFilter:
        """Validate query filters (the keywords of ``events``) and return an ``EventFilter``.

        Raises:
            InvalidEvent: a filter is unknown or its value malformed (an unknown kind
                names the closest ones).
            InvalidDate: a ``between`` or ``within`` bound is not a date.
        """
        return build_filter(filters, lambda: self.kinds, self._state, self._store.vocabulary())

    def records(self, where: EventFilter | None = None, **filters: Any) -> list[Record]:
        """Return the current records of matching events in timeline order.

        Takes an ``EventFilter`` or the keyword filters of ``events``.
        """
        return list(self.iter_records(where, **filters))

    def iter_records(self, where: EventFilter | None = None, **filters: Any) -> Iterator[Record]:
        """Yield the current records of matching events in timeline order, without a list.

        What exporters use: memory stays flat however many events match.
        """
        where = where if where is not None else self.filter(**filters)
        return iter_matching(self._state, self._store, where)

    def events(self, **filters: Unpack[Filters]) -> EventResults:
        """Return the matching events in timeline order (``When`` order, then id).

        Args:
            **filters: the filters of ``FILTERS``:
                ``actor`` (a country code; events with this actor),
                ``kind`` (a kind, or a pattern with ``*`` wildcards: ``treaty.*``),
                ``tag`` (events with this tag), ``treaty`` (events of this agreement, in
                any case; or of those a pattern matches: ``*`` for any agreement),
                ``between`` (``(start, end)``; events whose date bounds overlap the range),
                ``include_retracted`` (also return retracted events, their last state),
                ``within`` (``(start, end)``; events whose bounds lie inside the range:
                *certainly* in it, where ``between`` is *possibly*),
                ``modality`` (a modality or several: ``"actual"``, ``["planned", "reported"]``),
                ``text`` (words the title, summary, location or sources hold; ``search``).

        Raises:
            InvalidEvent: a filter is unknown or malformed.
        """
        where = self.filter(**filters)
        if isinstance(where, SearchFilter):
            # Text, or a treaty the log spells several ways: the search index (or each
            # spelling) picks the events, the read model's columns keep their order.
            found = {r.seq for r in iter_matching(self._state, self._store, where)}
            return results_of(self, plain_filter(where), only=found)
        return results_of(self, where)

    def search(self, text: str, *, limit: int | None = None, **filters: Any) -> list[SearchHit]:
        """Return the events whose texts hold ``text``, best match first (``docs/search.md``).

        Args:
            text: words (all must be there), "a phrase" in quotes, ``OR``, ``NOT``, ``word*``.
            limit: at most this many hits.
            **filters: the other filters of ``events``.

        Raises:
            InvalidEvent: the words are not a query, or a filter is malformed.
        """
        where = self.filter(**filters, text=text)
        return search_events(self._state, self._store, where, limit)  # type: ignore[arg-type]

    def history(self, event_id: str) -> list[Record]:
        """Return every record about an event, oldest first (up to this view's seq).

        Raises:
            UnknownEvent: no event has this id.
        """
        records = [r for r in self._store.stream(event_id) if r.seq <= self._state.seq]
        if not records:
            raise UnknownEvent(event_id)
        return records

    def export(
        self,
        format: str | Exporter,
        dest: str | os.PathLike[str] | IO[Any],
        *,
        progress: Progress | None = None,
        **options: Any,
    ) -> ExportReport:
        """Write the matching events with an exporter (a name or an ``Exporter``); say what it did.

        ``dest`` is a path (never the open log; see ``docs/exporters.md``) or a file
        object; ``options`` are the filters of ``events``, ``as_of`` and the exporter's
        own; ``progress(records, count)`` may wrap the records (the CLI's bar).

        Returns:
            ``ExportReport``: the events written (``written``), those the filters
            matched, and those left out with why (``str(report)`` says it in a line).

        Raises:
            UnknownPlugin: no exporter has that name.
            InvalidOption: an option is unknown or malformed.
            TimelineError: ``dest`` is the log or cannot be written.
            PluginError: the exporter failed (the message names the plugin).
            NothingToExport: the format cannot be empty and no event is left (ICS).
        """
        exporter = format if isinstance(format, Exporter) else self.plugins.exporter(format)
        return run_export(self, self.plugins, exporter, dest, progress, options)

    def analyze(
        self, name: str | Analysis, *, progress: Progress | None = None, **options: Any
    ) -> Any:
        """Run an analysis (a name or an ``Analysis``) with the filters, ``as_of`` and its options.

        ``progress(records, count)`` may wrap the records the analysis walks (the CLI's bar).

        Raises:
            UnknownPlugin: no analysis has that name.
            PluginError: the analysis failed (the message names the plugin).
        """
        analysis = name if isinstance(name, Analysis) else self.plugins.analysis(name)
        return run_analysis(self, self.plugins, analysis, options, progress)

    def head(self) -> LogHead:
        """Return the seq and hash of the last record this timeline (or view) holds.

        ``str(tl.head())`` is ``SEQ:HASH``: publish or commit it, and
        ``verify(expect=...)`` later shows whether the log still contains it.
        """
        seq = self._state.seq
        return LogHead(seq, (self._store.record_hash(seq) if seq else None) or GENESIS_HASH)
