"""Timelines inline in Jupyter: events, an ``as_of`` view or a lifecycle result as HTML."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import timeline

from ._items import Drawn, timeline_data
from ._page import fragment
from ._rows import GROUP_BY

__all__ = ["NOTEBOOK_LIMIT", "notebook_html"]

#: At most this many events are drawn in a notebook cell (the rest are counted in a note).
NOTEBOOK_LIMIT = 500


def _from_lifecycle(result: Any) -> list[Drawn]:
    """One item per life-cycle step, over every day any source gives it."""
    drawn = []
    for agreement in result.agreements:
        for step in agreement.steps:
            bounds = timeline.When.from_bounds(step.earliest, step.latest)
            when = timeline.When(
                edtf=bounds.edtf,
                precision=bounds.precision,
                earliest=bounds.earliest,
                latest=bounds.latest,
                phrase=step.date,
            )
            event = timeline.Event(
                id=step.event_id,
                kind=step.kind,
                when=when,
                title=f"{step.stage}: {step.title}",
                actors=list(step.parties),
                sources=list(step.sources),
                treaty=agreement.treaty,
                modality=step.modality,
            )
            drawn.append(Drawn(event=event, exact=step.exact))
    return drawn


def _event_of(item: Any) -> timeline.Event:
    event = item.event if isinstance(item, timeline.Record) else item
    if not isinstance(event, timeline.Event):
        raise timeline.TimelineError(
            f"notebook_html draws events, records, timelines or lifecycle results, "
            f"not {type(item).__name__}"
        )
    return event


def _from_events(source: Iterable[Any]) -> list[Drawn]:
    return [Drawn(event=_event_of(item)) for item in source]


def _first_events(ordered: Iterable[Any], limit: int) -> list[Drawn]:
    """Return the events of a walk in timeline order that may be among the first ``limit``.

    Timeline order goes by earliest day first, so no event after the day of the
    walk's ``limit``-th can be among the first ``limit`` by (earliest, latest, id):
    the walk stops there. A notebook showing a million results decodes hundreds.
    """
    drawn: list[Drawn] = []
    last_day = None
    for item in ordered:
        event = _event_of(item)
        day = event.when.earliest
        if last_day is not None and day > last_day:
            break
        drawn.append(Drawn(event=event))
        if len(drawn) == limit:
            last_day = day
    return drawn


def notebook_html(
    source: Any,
    *,
    limit: int = NOTEBOOK_LIMIT,
    group_by: str = "treaty",
    title: str | None = None,
) -> str:
    """Return a self-contained HTML fragment drawing ``source`` as a timeline (no CDN).

    This is what the ``_repr_html_`` of events, ``as_of`` views and lifecycle
    results returns in Jupyter. The engine and styles are inline in the
    fragment, so it draws offline and in a saved notebook.

    Args:
        source: a timeline or ``as_of`` view (its current events), an iterable of
            events or records (``tl.events(...)``), or a lifecycle result (its steps,
            one row per agreement).
        limit: draw at most this many events, the earliest first; a note says how
            many were left out and how to narrow the selection.
        group_by: the rows: ``treaty``, ``kind``, ``actor`` or ``none``.
        title: the heading (default: what is drawn).

    Returns:
        The HTML fragment.

    Raises:
        TimelineError: ``source`` is none of these, ``limit`` is below 1, or
            ``group_by`` is unknown.
    """
    if limit < 1:
        raise timeline.TimelineError(f"notebook_html: limit must be at least 1, got {limit}")
    if group_by not in GROUP_BY:
        raise timeline.TimelineError(
            f"notebook_html: group_by {group_by!r} is not one of {', '.join(GROUP_BY)}"
        )
    if hasattr(source, "agreements"):
        drawn, heading = _from_lifecycle(source), "Treaty life cycles"
        total = len(drawn)
    elif hasattr(source, "iter_records"):
        drawn, heading = _first_events(source.iter_records(), limit), "Timeline"
        total = len(source)
    elif isinstance(source, timeline.EventResults):  # a query's results: in timeline order
        drawn, heading = _first_events(source, limit), "Events"
        total = len(source)
    else:
        drawn, heading = _from_events(source), "Events"
        total = len(drawn)
    drawn.sort(key=lambda d: (d.event.when.earliest, d.event.when.latest, d.event.id))
    note = None
    if total > limit:
        note = (
            f"Showing the first {limit} of {total} events; narrow them with filters "
            "(tl.events(kind=..., actor=..., between=...)) or export the whole timeline "
            "with tl.export('html', path)."
        )
        drawn = drawn[:limit]
    data = timeline_data(drawn, group_by=group_by, title=title or heading)
    return fragment(data, note)
