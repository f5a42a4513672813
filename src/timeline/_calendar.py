"""How an event's date and text map onto a calendar: the one policy every exporter follows."""

from __future__ import annotations

import datetime as dt
import enum
from zoneinfo import ZoneInfo

import attrs

from ._errors import InvalidDate
from ._model import Event, Modality
from ._when import When

__all__ = [
    "FUZZY_POLICIES",
    "CalendarSpan",
    "SpanKind",
    "calendar_description",
    "calendar_span",
    "calendar_zone",
]

#: The values of an exporter's ``fuzzy`` option: leave fuzzy dates out, or draw their span.
FUZZY_POLICIES: tuple[str, ...] = ("skip", "span")


class SpanKind(str, enum.Enum):
    """How a date is drawn on a calendar."""

    TIMED = "timed"
    """A known instant (or two): date-time values in UTC."""
    ALL_DAY = "all_day"
    """One or more whole days, known exactly (``When.is_exact``)."""
    FUZZY = "fuzzy"
    """The sources leave the day open (``When.is_fuzzy``): drawn only on request."""


@attrs.frozen(kw_only=True)
class CalendarSpan:
    """The calendar form of one date."""

    kind: SpanKind
    """Timed, exact all-day, or a fuzzy all-day span."""
    first_day: dt.date
    """The first day (all-day and fuzzy spans), or the start's UTC day (timed)."""
    last_day: dt.date
    """The last day, inclusive (calendar CSV end dates are inclusive)."""
    start: dt.datetime | None = None
    """The start instant in UTC (timed only)."""
    end: dt.datetime | None = None
    """The end instant in UTC (timed intervals only)."""

    @property
    def end_exclusive(self) -> dt.date:
        """The day after ``last_day``: an all-day ICS DTEND (RFC 5545 ends are exclusive)."""
        return self.last_day + dt.timedelta(days=1)


def calendar_span(when: When) -> CalendarSpan | None:
    """Return how ``when`` is drawn on a calendar, or None when it cannot be drawn.

    A timed date (``when.start`` set) is timed, in UTC; an exact date (a known
    day, or a span of known days) is all-day; any other date is fuzzy and spans
    ``earliest..latest``; an open-ended date (``2022/..``) has no span.
    """
    if when.start is not None:
        start = when.start.astimezone(dt.timezone.utc)
        end = None if when.end is None else when.end.astimezone(dt.timezone.utc)
        return CalendarSpan(
            kind=SpanKind.TIMED,
            first_day=start.date(),
            last_day=(end or start).date(),
            start=start,
            end=end,
        )
    if when.is_open:
        return None
    kind = SpanKind.ALL_DAY if when.is_exact else SpanKind.FUZZY
    return CalendarSpan(kind=kind, first_day=when.earliest, last_day=when.latest)


def calendar_zone(when: When) -> ZoneInfo | None:
    """Return the named zone a timed date was given in (``Asia/Kolkata``), if any.

    While an event is in memory its instant keeps the zone; the log keeps the
    offset only, and the phrase as written ("2025-12-05T10:00 Asia/Kolkata"),
    from which the zone is read back. ``None`` for calendar dates and for times
    given with an offset alone.
    """
    if when.start is None:
        return None
    if isinstance(when.start.tzinfo, ZoneInfo):
        return when.start.tzinfo
    if when.phrase is None:
        return None
    try:
        start = When.parse(when.phrase, anchor=when.anchor).start
    except InvalidDate:
        return None
    zone = None if start is None else start.tzinfo
    return zone if isinstance(zone, ZoneInfo) else None


def calendar_description(event: Event, fuzzy: bool = False) -> str:
    """Return the text a calendar shows for an event: summary, date, modality, every source.

    Args:
        event: the event.
        fuzzy: whether it is drawn as a fuzzy span (the EDTF then follows the phrase).
    """
    lines = [event.summary] if event.summary else []
    date = f"Date: {event.when.display}"
    if fuzzy and event.when.display != event.when.edtf:
        date += f" ({event.when.edtf})"
    lines.append(date)
    if event.modality is not Modality.ACTUAL:
        lines.append(f"Modality: {event.modality.value}")
    if event.sources:
        lines.append("Sources:")
        for source in event.sources:
            label = " - ".join(p for p in (source.publisher, source.title) if p)
            lines.append(f"- {label}: {source.url}" if label else f"- {source.url}")
    return "\n".join(lines)
