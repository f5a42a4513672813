"""Events as the drawing engine's items: dates as UTC ranges, styles as class names.

The data is plain JSON (what the page embeds), built in a fixed order so the
same events give the same bytes. Every date is an ISO instant in UTC and the
page draws in UTC, so a day is the same day for every viewer: an all-day
4-5 December visit spans ``2025-12-04T00:00:00Z`` to ``2025-12-06T00:00:00Z``
(the end exclusive, as in the ICS export) in Los Angeles and Tokyo alike.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable
from typing import Any

import attrs

import timeline
from timeline import SpanKind, calendar_span

from ._rows import Row, bounds_text, qualifiers, row_order, rows_of, source_label

__all__ = ["COMFORTABLE_ITEMS", "Drawn", "timeline_data"]

#: Beyond this many items the engine gets slow to pan and zoom (it degrades near 18k).
COMFORTABLE_ITEMS = 10_000
_DAY = dt.timedelta(days=1)


@attrs.frozen(kw_only=True)
class Drawn:
    """One event to draw, with what the page needs to know of it beyond the event."""

    event: timeline.Event
    """The event."""
    retracted: bool = False
    """Whether it is retracted (drawn only when retracted events were asked for)."""
    exact: bool | None = None
    """Overrides whether the date is drawn as exact (lifecycle steps know it better)."""


def _instant(day: dt.date | dt.datetime) -> str:
    # isoformat, not strftime: "%Y" does not pad years below 1000 to four digits.
    if isinstance(day, dt.datetime):
        utc = day.astimezone(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
        return f"{utc.isoformat()}Z"
    return f"{day.isoformat()}T00:00:00Z"


def _shift(day: dt.date, by: dt.timedelta) -> dt.date:
    """Return ``day + by``, stopping at the first and last representable days."""
    try:
        return day + by
    except OverflowError:
        return dt.date.max if by > dt.timedelta(0) else dt.date.min


def _finite_days(when: timeline.When) -> list[dt.date]:
    return [d for d in (when.earliest, when.latest) if d not in (dt.date.min, dt.date.max)]


def _extent(drawn: list[Drawn]) -> tuple[dt.date, dt.date] | None:
    """Return the first day and the day after the last one any event may fall on."""
    days = [d for item in drawn for d in _finite_days(item.event.when)]
    if not days:
        return None
    return min(days), _shift(max(days), _DAY)


def _span(
    when: timeline.When, extent: tuple[dt.date, dt.date], exact: bool | None = None
) -> tuple[str, str | None, str]:
    """Return ``(start, end or None, kind)``: kind ``timed``, ``exact`` or ``fuzzy``."""
    span = calendar_span(when)
    if span is not None and span.kind is SpanKind.TIMED:
        assert span.start is not None
        end = span.end if span.end is not None and span.end > span.start else None
        return _instant(span.start), None if end is None else _instant(end), "timed"
    # Open ends are clipped to the data's extent (and drawn fading).
    first = extent[0] if when.earliest == dt.date.min else when.earliest
    after = extent[1] if when.latest == dt.date.max else _shift(when.latest, _DAY)
    if after <= first:  # a one-day extent at the very end of the calendar
        first = _shift(after, -_DAY)
    if exact is None:
        exact = span is not None and span.kind is SpanKind.ALL_DAY
    kind = "exact" if exact else "fuzzy"
    return _instant(first), _instant(after), kind


def _classes(event: timeline.Event, kind: str, retracted: bool) -> str:
    when = event.when
    names = [
        "gt-item",
        f"gt-{kind}",
        f"gt-p-{when.precision.value}",
        f"gt-m-{event.modality.value}",
    ]
    if when.approximate:
        names.append("gt-approx")
    if when.uncertain:
        names.append("gt-uncertain")
    if when.earliest == dt.date.min:
        names.append("gt-open-start")
    if when.latest == dt.date.max:
        names.append("gt-open-end")
    if retracted:
        names.append("gt-retracted")
    return " ".join(names)


def _detail(event: timeline.Event, retracted: bool) -> dict[str, Any]:
    """Return what the tooltip and the side panel show, as plain fields (text, not HTML)."""
    when = event.when
    return {
        "title": event.title,
        "summary": event.summary,
        "kind": event.kind,
        "date": when.display,
        "edtf": when.edtf,
        "bounds": bounds_text(when),
        "precision": when.precision.value,
        "qualifiers": qualifiers(when),
        "modality": event.modality.value + (" (retracted)" if retracted else ""),
        "actors": [str(a) for a in event.actors],
        "treaty": event.treaty,
        "sources": [{"url": s.url, "label": source_label(s)} for s in event.sources],
    }


def tooltip(detail: dict[str, Any]) -> str:
    """Return the hover tooltip: the detail fields as escaped HTML lines."""
    e = html.escape
    lines = [f"<b>{e(detail['title'])}</b>"]
    lines.append(f"Date: {e(detail['date'])}")
    if detail["edtf"] != detail["date"]:
        lines.append(f"EDTF: {e(detail['edtf'])}")
    lines.append(f"Bounds: {e(detail['bounds'])}")
    lines.append(f"Precision: {e(', '.join([detail['precision'], *detail['qualifiers']]))}")
    lines.append(f"Modality: {e(detail['modality'])}")
    if detail["actors"]:
        lines.append(f"Actors: {e(', '.join(detail['actors']))}")
    if detail["sources"]:
        labels = "; ".join(s["label"] for s in detail["sources"])
        lines.append(f"Sources: {e(labels)} (click for links)")
    return "<br>".join(lines)


def timeline_data(drawn: Iterable[Drawn], *, group_by: str, title: str) -> dict[str, Any]:
    """Return the page's data: items, groups (rows), the window and counts.

    Items are sorted by the event's bounds, then id, whatever order the events
    came in, so the output depends on the events and options only.
    """
    entries = sorted(drawn, key=lambda d: (d.event.when.earliest, d.event.when.latest, d.event.id))
    extent = _extent(entries) or (dt.date(1970, 1, 1), dt.date(1970, 1, 2))
    items: list[dict[str, Any]] = []
    rows: list[Row] = []
    for entry in entries:
        event = entry.event
        start, end, kind = _span(event.when, extent, entry.exact)
        detail = _detail(event, entry.retracted)
        event_rows = rows_of(event, group_by)
        rows.extend(event_rows)
        for row_id, _ in event_rows:
            item: dict[str, Any] = {
                "id": event.id if len(event_rows) == 1 else f"{event.id}@{row_id}",
                "event": event.id,
                "content": html.escape(event.title),
                "start": start,
                "type": "point" if end is None else "range",
                "className": _classes(event, kind, entry.retracted),
                "title": tooltip(detail),
                "detail": detail,
            }
            if end is not None:
                item["end"] = end
            if group_by != "none":
                item["group"] = row_id
            items.append(item)
    # Leave a margin around the data so the first and last items are not on the edge.
    margin = max(_DAY, (extent[1] - extent[0]) / 40)
    first, last = _shift(extent[0], -margin), _shift(extent[1], margin)
    return {
        "title": title,
        "events": len(entries),
        "items": items,
        "groups": [
            {"id": row_id, "content": html.escape(label), "order": order}
            for order, (row_id, label) in enumerate(row_order(rows))
        ]
        if group_by != "none"
        else [],
        "window": {"start": _instant(first), "end": _instant(last)},
    }
