"""How an event's date and text map onto a calendar: the one policy every exporter follows."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

import attrs

from ._errors import InvalidDate
from ._model import Event, Modality
from ._when import When

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

__all__ = [
    "FUZZY_POLICIES",
    "CalendarDescription",
    "CalendarSpan",
    "SpanKind",
    "calendar_description",
    "calendar_span",
    "calendar_spans",
    "calendar_zone",
    "read_calendar_description",
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
    ``earliest..latest``; an open-ended date (``2022/..``, or an unknown end, ``2022/``)
    has no span, nor has a date with a day outside the years 0001-9999 (``-0999``,
    ``Y170000002``), which calendars cannot write. A floating local time (no offset)
    is drawn on its day.
    """
    if when.start is not None:
        try:
            start = when.start.astimezone(dt.timezone.utc)
            end = None if when.end is None else when.end.astimezone(dt.timezone.utc)
        except OverflowError:
            # In UTC it falls in year 0 or 10000 (refused when recorded since 0.2; an older
            # log may hold one): no calendar can show it.
            return None
        return CalendarSpan(
            kind=SpanKind.TIMED,
            first_day=start.date(),
            last_day=(end or start).date(),
            start=start,
            end=end,
        )
    if not when.is_bounded or when.beyond_date_range:
        # ICS and CSV write years 0001-9999 only (four digits, no sign).
        return None
    kind = SpanKind.ALL_DAY if when.is_exact else SpanKind.FUZZY
    return CalendarSpan(kind=kind, first_day=when.earliest, last_day=when.latest)


def calendar_spans(when: When) -> tuple[CalendarSpan, ...]:
    """Return every span ``when`` is drawn as: its candidates for a set, else its one span.

    A set (``[2025-12-08,2025-12-10]``, ``{...}``) is drawn as its members when they
    all have bounds and last equally long, so one calendar entry can repeat them (ICS
    RDATE); otherwise as its span from the first day to the last. Every span has the
    kind of the whole date: a one-of set is fuzzy, so calendars skip it unless asked
    to draw fuzzy dates, by the same rule as any other. Empty when it cannot be drawn.
    """
    whole = calendar_span(when)
    members = when.members
    if whole is None or not members or any(m.start is not None for m in members):
        return () if whole is None else (whole,)
    spans = [calendar_span(m) for m in members]
    lengths = {None if s is None else s.last_day - s.first_day for s in spans}
    if None in lengths or len(lengths) != 1:
        return (whole,)
    days = sorted({(s.first_day, s.last_day) for s in spans if s is not None})
    return tuple(CalendarSpan(kind=whole.kind, first_day=a, last_day=b) for a, b in days)


def calendar_zone(when: When) -> ZoneInfo | None:
    """Return the named zone a timed date was given in (``Asia/Kolkata``), if any.

    While an event is in memory its instant keeps the zone; the log keeps the
    offset only, and the phrase as written ("2025-12-05T10:00 Asia/Kolkata"),
    from which the zone is read back. ``None`` for calendar dates and for times
    given with an offset alone.
    """
    if when.start is None:
        return None
    from zoneinfo import ZoneInfo  # 9 ms at import: only timed dates need it

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
    lines.append(f"Date: {event.when.describe(with_edtf=fuzzy)}")
    if event.modality is not Modality.ACTUAL:
        lines.append(f"Modality: {event.modality.value}")
    if event.sources:
        lines.append("Sources:")
        for source in event.sources:
            label = " - ".join(p for p in (source.publisher, source.title) if p)
            if source.url is None:
                lines.append(f"- {source.reference}")  # no URL: publisher and story id
            else:
                lines.append(f"- {label}: {source.url}" if label else f"- {source.url}")
    return "\n".join(lines)


@attrs.frozen(kw_only=True)
class CalendarDescription:
    """What ``read_calendar_description`` finds in a calendar entry's text."""

    summary: str
    """The event's summary: the text before the ``Date:`` line (all of it when there is none)."""
    modality: Modality | None
    """The modality its ``Modality:`` line names, if any."""
    urls: tuple[str, ...]
    """The source URLs its ``Sources:`` list gives."""


def read_calendar_description(text: str) -> CalendarDescription:
    """Read back the text ``calendar_description`` wrote (ICS DESCRIPTION, calendar CSV).

    Text from another program (no ``Date:`` line) is all summary.
    """
    summary: list[str] = []
    modality = None
    urls: list[str] = []
    part = "summary"
    for line in text.splitlines():
        if part == "summary" and line.startswith("Date: "):
            part = "meta"
        elif part == "summary":
            summary.append(line)
        elif line.startswith("Modality: "):
            name = line.removeprefix("Modality: ").strip()
            modality = Modality(name) if name in {m.value for m in Modality} else None
        elif line == "Sources:":
            part = "sources"
        elif part == "sources" and line.startswith("- "):
            url = line.rsplit(" ", 1)[-1]
            if url.startswith(("http://", "https://")):
                urls.append(url)
    return CalendarDescription(
        summary="\n".join(summary).strip(), modality=modality, urls=tuple(urls)
    )
