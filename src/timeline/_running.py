"""Running an exporter or an analysis on a timeline: the policy around a plugin's ``write``/``run``.

``Timeline.export`` and ``Timeline.analyze`` (and their ``as_of`` views) come
here: split the filters from the plugin's own options, apply ``as_of``, give
the plugin a ``TimelineReader`` and the matching records, open the destination
(never over the log), and turn an exception the plugin raises into a
``PluginError`` naming it. A plugin that still overrides the old template
methods (``export``, ``import_into``, ``analyze``) keeps working, with one
``DeprecationWarning``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from ._collector import paused as collector_paused
from ._errors import TimelineError
from ._eventfilter import EventFilter
from ._exportreport import ExportReport, as_export_report
from ._extensions import _DECLARE, Analysis, Exporter, Progress, _Matches, delegating, overridden
from ._files import log_files, open_destination
from ._model import Event
from ._reading import FILTER_NAMES, TimelineReader
from ._records import Record

if TYPE_CHECKING:
    from ._plugins import PluginHost

__all__ = ["run_analysis", "run_export", "view_at"]


def view_at(reader: TimelineReader, as_of: object) -> TimelineReader:
    """Return ``reader`` as of a seq or recorded time (itself when ``as_of`` is None).

    Raises:
        TimelineError: ``reader`` is an ``as_of`` view already.
    """
    if as_of is None:
        return reader
    as_of_method = getattr(reader, "as_of", None)
    if as_of_method is None:
        raise TimelineError("as_of applies to a timeline, not to a view that is already as_of")
    view = as_of_method(as_of)
    assert isinstance(view, TimelineReader)
    return view


def _split(options: dict[str, Any]) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Take ``as_of`` and the filters out of ``options``; return them and the plugin's own."""
    own = dict(options)
    as_of = own.pop("as_of", None)
    filters = {name: own.pop(name) for name in FILTER_NAMES if name in own}
    return as_of, filters, own


def run_export(
    reader: TimelineReader,
    host: PluginHost,
    exporter: Exporter,
    dest: str | os.PathLike[str] | IO[Any],
    progress: Progress | None,
    options: dict[str, Any],
) -> ExportReport:
    """Write ``reader``'s matching events with ``exporter``; say what it did.

    ``write()`` (or ``write_directory()``) returns an ``ExportReport`` or a plain
    count; a count ``n`` means all ``n`` matching events were written.

    Raises:
        InvalidOption: an option is unknown or malformed.
        TimelineError: ``dest`` is the log or cannot be written.
        PluginError: the exporter raised (the message names the plugin).
    """
    if overridden(exporter, Exporter, "export"):
        extra = {} if progress is None else {"progress": progress}
        with delegating(exporter, Exporter, "export", _DECLARE):
            return as_export_report(exporter.export(reader, dest, **extra, **options))
    as_of, filters, own = _split(options)
    settings = exporter.check_options(own)
    if exporter.includes_retracted_for(settings):
        filters.setdefault("include_retracted", True)
    view = view_at(reader, as_of)
    where = view.filter(**filters)
    records = _Matches(lambda: view.iter_records(where), progress, query=(view, where))
    protect = log_files(reader.store.location)
    if exporter.writes_directory(settings):
        if not isinstance(dest, (str, os.PathLike)):
            raise TimelineError(f"{exporter.owner} writes a directory: give a path, not a stream")
        path = Path(os.fspath(dest))
        if os.path.realpath(path) in {os.path.realpath(p) for p in protect}:
            raise TimelineError(f"refusing to write over the open log {os.fspath(path)!r}")
        with host.running(exporter):
            return as_export_report(exporter.write_directory(view, records, path, **settings))
    with host.running(exporter), open_destination(dest, exporter.binary, protect) as stream:
        return as_export_report(exporter.write(view, records, stream, **settings))


class _Watched:
    """A reader whose record walks go through a progress bar (``analyze`` on a terminal).

    Everything else is the view's own; ``iter_records`` and ``records`` walk the
    matches through ``progress(records, count)``, as an export's records do.
    """

    def __init__(self, view: TimelineReader, progress: Progress) -> None:
        self._view = view
        self._progress = progress

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)

    def __len__(self) -> int:
        return len(self._view)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._view

    def __iter__(self) -> Iterator[Event]:
        return iter(self._view)

    def iter_records(self, where: EventFilter | None = None, **filters: Any) -> Iterator[Record]:
        """Yield the view's matching records through the progress bar."""
        return iter(_Matches(lambda: self._view.iter_records(where, **filters), self._progress))

    def records(self, where: EventFilter | None = None, **filters: Any) -> list[Record]:
        """Return the view's matching records, walked through the progress bar."""
        return list(self.iter_records(where, **filters))


def run_analysis(
    reader: TimelineReader,
    host: PluginHost,
    analysis: Analysis,
    options: dict[str, Any],
    progress: Progress | None = None,
) -> Any:
    """Run ``analysis`` on ``reader``'s matching events and return its result.

    With ``progress``, the analysis's record walks go through it (the CLI's bar).

    Raises:
        InvalidOption: an option is unknown or malformed.
        PluginError: the analysis raised (the message names the plugin).
    """
    if overridden(analysis, Analysis, "analyze"):
        with delegating(analysis, Analysis, "analyze", "implement run() only"):
            return analysis.analyze(reader, **options)
    as_of, filters, own = _split(options)
    view = view_at(reader, as_of)
    where = view.filter(**filters)
    settings = analysis.check_options(own)
    if progress is not None:
        view = cast(TimelineReader, _Watched(view, progress))
    # An analysis keeps what it builds (a million members in clusters at 1M): with the
    # collector on, its passes walked all of it again and again (clusters over 100k
    # events: 4.5-5.0 s with it, 3.4-3.9 s paused; cadence and network, which keep
    # little, unchanged). Records and events hold no cycles: nothing waits on it.
    with host.running(analysis), collector_paused():
        return analysis.run(view, where, **settings)
