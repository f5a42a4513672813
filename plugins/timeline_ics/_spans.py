"""How an event's date maps onto a calendar: timed, all-day or fuzzy (``When.is_fuzzy``)."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

import attrs

import timeline

__all__ = ["FUZZY_POLICIES", "CalendarSpan", "SpanKind", "calendar_span", "parse_modalities"]

#: The values of the ``fuzzy`` option: leave fuzzy events out, or show them as all-day spans.
FUZZY_POLICIES: tuple[str, ...] = ("skip", "span")


class SpanKind(str, enum.Enum):
    """How a date is drawn on a calendar."""

    TIMED = "timed"
    """A known instant (or two): DATE-TIME values in UTC."""
    ALL_DAY = "all_day"
    """One or more whole days, known exactly."""
    FUZZY = "fuzzy"
    """Coarser than a day, approximate or uncertain: drawn only with ``fuzzy="span"``."""


@attrs.frozen(kw_only=True)
class CalendarSpan:
    """The calendar form of one event's date."""

    kind: SpanKind
    """Timed, exact all-day, or a fuzzy all-day span."""
    first_day: dt.date
    """The first day (all-day and fuzzy spans), or the start's UTC day (timed)."""
    last_day: dt.date
    """The last day, inclusive (calendar CSV end dates); ICS DTEND is the day after."""
    start: dt.datetime | None = None
    """The start instant in UTC (timed only)."""
    end: dt.datetime | None = None
    """The end instant in UTC (timed intervals only)."""

    @property
    def end_exclusive(self) -> dt.date:
        """The day after ``last_day``: an all-day ICS DTEND (RFC 5545 ends are exclusive)."""
        return self.last_day + dt.timedelta(days=1)


def calendar_span(when: timeline.When) -> CalendarSpan | None:
    """Return how ``when`` is drawn on a calendar, or None when it cannot be drawn at all.

    The policy (documented in ``docs/exporters.md``):

    - a timed date (``when.start`` set) is timed, in UTC;
    - an exact date (``when.is_exact``: a known day, or a span of known days)
      is all-day;
    - anything else (``when.is_fuzzy``: month, season, year, part of a month,
      approximate or uncertain dates, intervals with fuzzy ends) is fuzzy,
      spanning ``earliest..latest``;
    - an open-ended date (``2022/..``) has no span and gives None.

    Args:
        when: the event's date.

    Returns:
        The span, or None for open-ended dates.

    """
    if when.start is not None:
        start = when.start.astimezone(dt.timezone.utc)
        end = None if when.end is None else when.end.astimezone(dt.timezone.utc)
        last = (end or start).date()
        return CalendarSpan(
            kind=SpanKind.TIMED, first_day=start.date(), last_day=last, start=start, end=end
        )
    if when.is_open:
        return None
    kind = SpanKind.ALL_DAY if when.is_exact else SpanKind.FUZZY
    return CalendarSpan(kind=kind, first_day=when.earliest, last_day=when.latest)


def parse_modalities(owner: str, value: object) -> frozenset[timeline.Modality]:
    """Read a ``modalities`` option: a comma-separated string or an iterable of names.

    Args:
        owner: what takes the option, for the error (``exporter 'ics'``).
        value: ``"actual,planned"``, ``["actual", "planned"]`` or ``"all"``.

    Returns:
        The modalities to keep.

    Raises:
        InvalidOption: a name is not a modality, or none is given.

    """
    names: Iterable[object]
    if isinstance(value, str):
        names = [] if not value.strip() else value.split(",")
    elif isinstance(value, Iterable):
        names = value
    else:
        names = [value]
    choices = [m.value for m in timeline.Modality]
    out: set[timeline.Modality] = set()
    for name in names:
        text = name.value if isinstance(name, timeline.Modality) else str(name).strip().lower()
        if text == "all":
            out.update(timeline.Modality)
        elif text in choices:
            out.add(timeline.Modality(text))
        else:
            expected = f"'all' or modalities among {choices}"
            raise timeline.InvalidOption(owner, "modalities", value, expected)
    if not out:
        raise timeline.InvalidOption(owner, "modalities", value, f"at least one of {choices}")
    return frozenset(out)
