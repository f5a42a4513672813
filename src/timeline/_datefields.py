"""The fields of a ``When`` from dates and datetimes, ISO 8601 instants and EDTF levels 0-1.

Everything here is pure. It holds the ``Parsed`` record, the calendar checks
shared with ``timeline._dateparse``, the builders ``When.coerce`` and
``When.from_bounds`` use for non-text inputs, and the readers for ISO 8601
instants and EDTF that ``parse_text`` tries before English phrases. A part of
the text that is understood but wrong raises ``Refused``; the caller names the
whole text in its ``InvalidDate``. The conventions (seasons, open intervals)
are documented in ``docs/dates.md``; change them there and here together.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal, NamedTuple

import attrs

from ._errors import InvalidDate

__all__ = [
    "EDTF_SHAPE",
    "MONTH_NAMES",
    "OPEN_END",
    "OPEN_START",
    "SEASON_CODES",
    "SET_KINDS",
    "Parsed",
    "PrecisionName",
    "Refused",
    "Span",
    "bounds_fields",
    "checked_day",
    "checked_year",
    "day_fields",
    "day_number",
    "day_numbers",
    "day_span",
    "floating_fields",
    "interval_fields",
    "iso_date",
    "month_end",
    "parse_edtf",
    "parse_timed",
    "season_bounds",
    "set_members",
    "timed_fields",
    "year_text",
]

PrecisionName = Literal["minute", "day", "part_of_month", "month", "season", "year", "interval"]

#: The ``earliest`` of an interval open at the start (``../2024-06``).
OPEN_START = dt.date.min
#: The ``latest`` of an interval open at the end (``2022/..``).
OPEN_END = dt.date.max


@attrs.frozen(kw_only=True)
class Parsed:
    """The fields of a ``When`` as read from text, before the ``When`` is built."""

    edtf: str
    """Canonical EDTF string."""
    precision: PrecisionName
    """Value of the ``Precision`` member."""
    earliest: dt.date
    """First possible calendar day."""
    latest: dt.date
    """Last possible calendar day."""
    start: dt.datetime | None = None
    """Aware instant, for timed events only."""
    end: dt.datetime | None = None
    """Aware end instant, for timed intervals only."""
    approximate: bool = False
    """EDTF ``~``."""
    uncertain: bool = False
    """EDTF ``?``."""
    relative: bool = False
    """Whether the text was resolved against the anchor."""
    days: tuple[int, int] | None = None
    """Exact day numbers ``(earliest, latest)`` when a bound is outside the years 0001-9999.

    ``earliest`` and ``latest`` are then clamped into what ``datetime.date``
    holds (``date.min`` / ``date.max``); ``None`` when they are the exact days.
    """


class Refused(Exception):
    """A part of the text was understood but is wrong; ``parse_text`` names the whole text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- calendar helpers ---------------------------------------------------------------------------


# English names, spelled out: calendar.month_name follows the process locale.
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def checked_year(year: int) -> int:
    """Return ``year``, refused if ``datetime`` cannot hold it."""
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise Refused(f"year {year:04d} is outside the supported range 0001-9999")
    return year


def month_end(year: int, month: int) -> dt.date:
    """Last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _month_length(year: int, month: int) -> int:
    """Days in a month of any year of the proleptic Gregorian calendar (0 and negatives too)."""
    # calendar.monthrange needs a datetime.date (years 1-9999); isleap is plain arithmetic.
    if month == 2:
        return 29 if calendar.isleap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


_DAYS_BEFORE_MONTH = [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]


def day_number(year: int, month: int, day: int) -> int:
    """The proleptic Gregorian day number of a day of any year: ``date.toordinal()``'s count.

    Years are astronomical, as in EDTF: year 0 is 1 BCE, -1 is 2 BCE. Day 1 is
    0001-01-01, so 0000-12-31 is day 0 and earlier days are negative; for the
    years 0001-9999 this equals ``dt.date(year, month, day).toordinal()``.
    """
    before = year - 1
    leap_day = 1 if month > 2 and calendar.isleap(year) else 0
    return (
        365 * before
        + before // 4
        - before // 100
        + before // 400
        + _DAYS_BEFORE_MONTH[month]
        + leap_day
        + day
    )


_CYCLE_DAYS = 146_097  # the Gregorian calendar repeats every 400 years of this many days


def day_span(number: int) -> Span:
    """The single day with this day number (``day_number``'s inverse), of any year 0000-9999 BCE.

    Raises:
        Refused: the day falls after 9999-12-31, where EDTF writes a year only (``Y`` years).
    """
    if number > dt.date.max.toordinal():
        raise Refused("a day after 9999-12-31 has no EDTF form (years beyond 9999 stand alone)")
    cycles = 0
    if number < 1:
        cycles = (-number) // _CYCLE_DAYS + 1
    day = dt.date.fromordinal(number + cycles * _CYCLE_DAYS)
    year = day.year - 400 * cycles
    text = f"{year_text(year)}-{day.month:02d}-{day.day:02d}"
    ymd = (year, day.month, day.day)
    return _far_span(text, "day", ymd, ymd, False, False)


def day_numbers(parsed: Parsed | Span) -> tuple[int, int]:
    """The exact day numbers of a parsed date's bounds (open ends: ``date.min``/``date.max``'s)."""
    if parsed.days is not None:
        return parsed.days
    return parsed.earliest.toordinal(), parsed.latest.toordinal()


def _clamped(year: int, month: int, day: int) -> dt.date:
    """The day, or the nearest one ``datetime.date`` holds (``date.min``/``date.max``)."""
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, day)


def _far_span(
    text: str,
    precision: PrecisionName,
    first: tuple[int, int, int],
    last: tuple[int, int, int],
    approximate: bool,
    uncertain: bool,
) -> Span:
    """A span from ``first`` to ``last`` (year, month, day), whatever the years."""
    far = not all(dt.MINYEAR <= y <= dt.MAXYEAR for y in (first[0], last[0]))
    return Span(
        text,
        precision,
        _clamped(*first),
        _clamped(*last),
        approximate,
        uncertain,
        (day_number(*first), day_number(*last)) if far else None,
    )


def checked_day(year: int, month: int, day: int) -> dt.date:
    """The day ``year-month-day``, refused (naming the month) if it does not exist."""
    checked_year(year)
    if not 1 <= month <= 12:
        raise Refused(f"month {month:02d} does not exist (months are 01-12)")
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        raise Refused(
            f"day {day:02d} does not exist in {MONTH_NAMES[month - 1]} {year:04d} ({length} days)"
        )
    return dt.date(year, month, day)


# Level-1 season codes, northern hemisphere: (first month, last month); winter runs
# from December of its year into February of the next.
SEASON_CODES = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 2)}
# Level 2 sub-year groupings: northern seasons (25-28), southern seasons (29-32), quarters
# (33-36), quadrimesters (37-39) and semesters (40-41), as (first month, last month).
SUB_YEAR_CODES = {
    **{code + 4: months for code, months in SEASON_CODES.items()},
    29: (9, 11),
    30: (12, 2),
    31: (3, 5),
    32: (6, 8),
    33: (1, 3),
    34: (4, 6),
    35: (7, 9),
    36: (10, 12),
    37: (1, 4),
    38: (5, 8),
    39: (9, 12),
    40: (1, 6),
    41: (7, 12),
}


def season_bounds(year: int, code: int) -> tuple[dt.date, dt.date]:
    """First and last day of a season or sub-year grouping (21-41) of ``year``."""
    first, last = SEASON_CODES[code] if code in SEASON_CODES else SUB_YEAR_CODES[code]
    end_year = year + 1 if last < first else year
    if end_year > dt.MAXYEAR:
        raise Refused(f"winter {year} runs past the supported range 0001-9999")
    return dt.date(checked_year(year), first, 1), month_end(end_year, last)


def iso_date(day: dt.date) -> str:
    """The EDTF (and ISO 8601) text of a calendar day."""
    # date.isoformat pads the year to four digits, as EDTF wants.
    return day.isoformat()


# --- fields for non-text inputs (used by When.coerce and When.from_bounds) ----------------------


def day_fields(day: dt.date) -> Parsed:
    """Fields of a single calendar day."""
    return Parsed(edtf=iso_date(day), precision="day", earliest=day, latest=day)


def bounds_fields(earliest: dt.date, latest: dt.date) -> Parsed:
    """Fields of the day range ``earliest..latest``; ``date.min``/``date.max`` mean open.

    Raises:
        InvalidDate: if the range is reversed or open at both ends.

    """
    text = f"{earliest}/{latest}"
    if latest < earliest:
        raise InvalidDate(text, "the interval ends before it starts")
    if earliest == OPEN_START and latest == OPEN_END:
        raise InvalidDate(text, "an interval open at both ends says nothing")
    if earliest == latest:
        return day_fields(earliest)
    left = ".." if earliest == OPEN_START else iso_date(earliest)
    right = ".." if latest == OPEN_END else iso_date(latest)
    return Parsed(edtf=f"{left}/{right}", precision="interval", earliest=earliest, latest=latest)


# EDTF (as ISO 8601) writes offsets from -14:00 to +14:00, the range of real zones.
_MAX_OFFSET_MINUTES = 14 * 60


def _offset_text(moment: dt.datetime) -> str:
    offset = moment.utcoffset()
    assert offset is not None  # callers pass aware datetimes only
    if not offset:
        return "Z"
    minutes, seconds = divmod(int(offset.total_seconds()), 60)
    if seconds:
        raise Refused(f"UTC offset {offset} has seconds, which EDTF cannot write")
    if abs(minutes) > _MAX_OFFSET_MINUTES:
        raise Refused(f"UTC offset {offset} is beyond 14 hours, which EDTF cannot write")
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _instant_edtf(moment: dt.datetime) -> str:
    return f"{iso_date(moment.date())}T{moment:%H:%M:%S}{_offset_text(moment)}"


def timed_fields(moment: dt.datetime, end: dt.datetime | None = None) -> Parsed:
    """Fields of an aware instant (or of two, for a timed interval).

    Sub-second parts are dropped: EDTF writes whole seconds, and the stored
    ``edtf`` must read back to the same ``When``.

    Raises:
        InvalidDate: if a datetime is naive, or the interval is reversed.

    """
    for value in (moment, end):
        if value is None:
            continue
        if value.utcoffset() is None:
            raise InvalidDate(
                value, "a datetime needs a UTC offset or a time zone (tzinfo); naive is ambiguous"
            )
        try:
            # Calendars and CSV files write instants in UTC: it must be a date too.
            value.astimezone(dt.timezone.utc)
        except OverflowError:
            raise InvalidDate(
                value.isoformat(), "its UTC instant falls outside the years 0001-9999"
            ) from None
    moment = moment.replace(microsecond=0)
    try:
        if end is None:
            return Parsed(
                edtf=_instant_edtf(moment),
                precision="minute",
                earliest=moment.date(),
                latest=moment.date(),
                start=moment,
            )
        end = end.replace(microsecond=0)
        shown = f"{_instant_edtf(moment)}/{_instant_edtf(end)}"
    except Refused as exc:
        raise InvalidDate(moment, exc.reason) from None
    if end < moment:
        raise InvalidDate(shown, "the interval ends before it starts")
    # Each instant's day is read in its own offset, so with different offsets the
    # end's day can come first; the bounds still cover both days.
    days = sorted((moment.date(), end.date()))
    # EDTF intervals join dates, not date-times: the edtf is the day interval, and the
    # instants live in start and end (and in the phrase, the text as written).
    return Parsed(
        edtf=f"{iso_date(days[0])}/{iso_date(days[1])}",
        precision="interval",
        earliest=days[0],
        latest=days[1],
        start=moment,
        end=end,
    )


# Every pattern is ASCII-only: \d would otherwise match any script's digits.

# --- ISO 8601 instants ---------------------------------------------------------------------------

_TIMED = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ]"
    r"(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<offset>Z|[+-]\d{2}(?::?\d{2})?)?"
    r"(?:\s+(?P<zone>[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}))?",
    re.ASCII,
)
_HAS_TIME = re.compile(r"\d:\d\d", re.ASCII)
_TIMED_SLASH = re.compile(r"/(?=[\d.])", re.ASCII)


def floating_fields(moment: dt.datetime) -> Parsed:
    """Fields of a floating local time (no offset or zone): EDTF ``YYYY-MM-DDTHH:MM:SS``.

    ``start`` stays ``None`` (equality and order read aware instants); the time of
    day is kept in the ``edtf``, and ``When.local_time`` reads it back.
    """
    day = moment.date()
    return Parsed(
        edtf=f"{iso_date(day)}T{moment:%H:%M:%S}", precision="minute", earliest=day, latest=day
    )


def parse_timed(text: str) -> Parsed | None:
    """Parse ISO 8601 instants (one, or two joined by '/'), or return None without a time."""
    if not _HAS_TIME.search(text):
        return None
    # Zone names contain '/' too (Asia/Kolkata); an interval's '/' is followed by a date.
    parts = _TIMED_SLASH.split(text)
    if len(parts) > 2:
        raise Refused("an interval has exactly one '/'")
    instants = [_instant(part.strip()) for part in parts]
    if len(instants) == 2 and any(i is None or i.tzinfo is None for i in instants):
        raise Refused(
            "both ends of an interval with a time of day need a time and an offset or zone"
        )
    if instants[0] is None:
        return None
    if instants[0].tzinfo is None:
        return floating_fields(instants[0])
    try:
        return timed_fields(instants[0], instants[-1] if len(instants) == 2 else None)
    except InvalidDate as exc:
        raise Refused(exc.reason) from None


def _instant(text: str) -> dt.datetime | None:
    """Read one ISO 8601 date-time: aware with an offset or zone, naive (floating) without."""
    match = _TIMED.fullmatch(text)
    if match is None:
        if _HAS_TIME.search(text):
            raise Refused(
                "a time of day needs a UTC offset ('2025-12-04T10:00+05:30', '...Z') or a zone "
                "name ('2025-12-04T10:00 Asia/Kolkata'), in ISO 8601 extended format"
            )
        return None
    year, month, day = (int(x) for x in match["date"].split("-"))
    checked_day(year, month, day)
    hour, minute, *rest = match["time"].split(":")
    second, _, fraction = rest[0].partition(".") if rest else ("0", "", "")
    if int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        raise Refused(f"time {match['time']} does not exist")
    naive = dt.datetime(
        year, month, day, int(hour), int(minute), int(second), int(fraction.ljust(6, "0"))
    )
    offset, zone = match["offset"], match["zone"]
    if offset and zone:
        raise Refused("give either a UTC offset or a zone name, not both")
    if offset:
        # Built directly: arrow.get() compiles its ISO patterns on every call
        # (~0.2 ms), which made a timed date cost more than the rest of an event.
        return naive.replace(tzinfo=_utc_offset(offset))
    if not zone:
        # A floating local time: the clock on the wall, wherever the event was.
        return naive
    if zone == "local":
        raise Refused("'local' depends on the machine; name the zone, e.g. 'Europe/Paris'")
    import arrow  # only for a named zone: importing it costs 20 ms

    try:
        moment = arrow.Arrow.fromdatetime(naive, tzinfo=zone)
    except (arrow.ParserError, ValueError):
        raise Refused(
            f"unknown time zone {zone!r} (use an IANA name such as 'Asia/Kolkata')"
        ) from None
    if moment.imaginary:
        shown = f"{match['date']}T{match['time']}"
        raise Refused(f"{shown} does not exist in {zone} (the clocks skipped it)")
    return moment.datetime


def _utc_offset(text: str) -> dt.timezone:
    """Return the zone of an ISO 8601 offset: ``Z``, ``+05:30``, ``-0300`` or ``-04``."""
    if text == "Z":
        return dt.timezone.utc
    hours, minutes = int(text[1:3]), int(text[-2:]) if len(text) > 3 else 0
    if minutes > 59 or hours * 60 + minutes > _MAX_OFFSET_MINUTES:
        raise Refused(f"UTC offset {text} is not valid (offsets run from -14:00 to +14:00)")
    size = dt.timedelta(hours=hours, minutes=minutes)
    return dt.timezone(-size if text[0] == "-" else size)


# --- EDTF levels 0 and 1 -----------------------------------------------------------------------

EDTF_SHAPE = re.compile(r"[0-9XxY?~%./-]+|\[[0-9XxY?~%., -]*\]|\{[0-9XxY?~%., -]*\}")
#: How each kind of level 2 set opens: one of its dates ("[..]"), or all of them ("{..}").
SET_KINDS = {"[": "one of", "{": "all of"}
_EDTF_DATE = re.compile(
    r"(?P<year>-?(?:\d{4}|\d{3}X|\d{2}XX|\dXXX))(?:-(?P<mid>\d{2}|XX)(?:-(?P<day>\d{2}|XX))?)?(?P<q>[?~%])?",
    re.ASCII,
)


class Span(NamedTuple):
    """A single EDTF date or one end of an interval, before it becomes ``Parsed``."""

    edtf: str
    precision: PrecisionName
    earliest: dt.date
    latest: dt.date
    approximate: bool = False
    uncertain: bool = False
    days: tuple[int, int] | None = None
    """Exact day numbers when a bound is outside 0001-9999 (as ``Parsed.days``)."""


def parse_edtf(text: str) -> Parsed | None:
    """Parse EDTF, or return None when the text is not shaped like EDTF at all."""
    if not EDTF_SHAPE.fullmatch(text):
        return None
    if text[0] in SET_KINDS:
        if "Y" in text:
            raise Refused(_LONE_Y)
        return _edtf_set(text)
    canonical = text.upper()
    if "Y" in canonical and not _LONG_YEAR.fullmatch(canonical):
        raise Refused(_LONE_Y)
    parts = canonical.split("/")
    if len(parts) == 1:
        span = _edtf_date(canonical)
        return None if span is None else Parsed(**span._asdict())
    if len(parts) > 2:
        if re.fullmatch(r"\d{1,4}/\d{1,2}/\d{1,4}", text):
            # 31/12/2025 or 12/31/2025: which number is the day is a guess.
            raise Refused("slashed dates are ambiguous; write the day as YYYY-MM-DD")
        raise Refused("an interval has exactly one '/'")
    if all(part in ("", "..") for part in parts):
        raise Refused("an interval with neither end known says nothing")
    # '..' is an open end (it goes on); an empty end is unknown (it has one, not given).
    # Neither bounds the date: both read as OPEN_START / OPEN_END, and the edtf tells them apart.
    left = None if parts[0] in ("", "..") else _edtf_date(parts[0])
    right = None if parts[1] in ("", "..") else _edtf_date(parts[1])
    if (left is None and parts[0] not in ("", "..")) or (
        right is None and parts[1] not in ("", "..")
    ):
        return None
    return interval_fields(left, right, canonical)


def set_members(text: str) -> list[tuple[Span | None, Span | None]]:
    """The members of an EDTF level 2 set (``[a,b..c]``), each as ``(first, last)``.

    A single date is ``(span, span)``; a range ``a..b`` is ``(a, b)``; the open
    ``..b`` (first member only) is ``(None, b)`` and ``a..`` (last member only) ``(a, None)``.

    Raises:
        Refused: a member is not a level 0-1 date, a range, or an open end where it may be.

    """
    inner = text[1:-1].replace(" ", "").upper()
    if not inner:
        raise Refused(f"an empty set ({text}) says nothing")
    items = inner.split(",")
    out: list[tuple[Span | None, Span | None]] = []
    for i, item in enumerate(items):
        first_text, dots, last_text = item.partition("..")
        if dots and ((not first_text and i != 0) or (not last_text and i != len(items) - 1)):
            raise Refused(f"in {text}, only the first member may start '..' and the last end '..'")
        if dots and not first_text and not last_text:
            raise Refused(f"in {text}, '..' needs a date on at least one side")
        first = _set_date(first_text, text) if first_text else None
        last = first if not dots else (_set_date(last_text, text) if last_text else None)
        if first is not None and last is not None and day_numbers(last)[1] < day_numbers(first)[0]:
            raise Refused(f"in {text}, the range {item} ends before it starts")
        out.append((first, last))
    if len(out) == 1 and out[0][0] is out[0][1]:
        raise Refused(f"a set of one date ({text}) is that date: write {inner}")
    return out


def _set_date(text: str, whole: str) -> Span:
    span = _edtf_date(text)
    if span is None:
        raise Refused(f"{text!r} in {whole} is not a level 0-1 date")
    return span


def _edtf_set(text: str) -> Parsed:
    """Fields of a level 2 set: its bounds are the first and last day of any member."""
    members = set_members(text)
    spans = [span for pair in members for span in pair if span is not None]
    earliest = OPEN_START if members[0][0] is None else min(s.earliest for s in spans)
    latest = OPEN_END if members[-1][1] is None else max(s.latest for s in spans)
    days = None
    if any(s.days is not None for s in spans):
        first = min(day_numbers(s)[0] for s in spans)
        last = max(day_numbers(s)[1] for s in spans)
        days = (
            OPEN_START.toordinal() if members[0][0] is None else first,
            OPEN_END.toordinal() if members[-1][1] is None else last,
        )
    return Parsed(
        days=days,
        edtf=f"{text[0]}{','.join(_member_text(pair) for pair in members)}{text[-1]}",
        precision="interval",
        earliest=earliest,
        latest=latest,
        approximate=any(s.approximate for s in spans),
        uncertain=any(s.uncertain for s in spans),
    )


def _member_text(pair: tuple[Span | None, Span | None]) -> str:
    first, last = pair
    if first is last:
        assert first is not None  # set_members gives (span, span) for a single date
        return first.edtf
    return f"{'' if first is None else first.edtf}..{'' if last is None else last.edtf}"


def interval_fields(left: Span | None, right: Span | None, edtf: str) -> Parsed:
    """Fields of the interval from ``left`` to ``right`` (None: open), written ``edtf``."""
    earliest = OPEN_START if left is None else left.earliest
    latest = OPEN_END if right is None else right.latest
    first = OPEN_START.toordinal() if left is None else day_numbers(left)[0]
    last = OPEN_END.toordinal() if right is None else day_numbers(right)[1]
    if left is not None and right is not None and last < first:
        if left.days is None and right.days is None:
            raise Refused(f"the interval ends ({latest}) before it starts ({earliest})")
        raise Refused(f"the interval ends ({right.edtf}) before it starts ({left.edtf})")
    ends = [s for s in (left, right) if s is not None]
    far = any(s.days is not None for s in ends)
    return Parsed(
        edtf=edtf,
        precision="interval",
        earliest=earliest,
        latest=latest,
        approximate=any(s.approximate for s in ends),
        uncertain=any(s.uncertain for s in ends),
        days=(first, last) if far else None,
    )


# EDTF level 1 'Y' years have more than four digits and stand alone (no month, day,
# qualifier, interval or set: python-edtf, the oracle of the tests, refuses those).
_LONG_YEAR = re.compile(r"Y(?P<year>-?\d{5,})", re.ASCII)
_LONE_Y = (
    "a Y year has more than four digits (Y170000002, Y-170000002) and stands alone, "
    "without month, day, qualifier, interval or set"
)


def year_text(year: int) -> str:
    """A year as EDTF writes it: four digits at least, astronomical (``0000``, ``-0999``)."""
    return f"-{-year:04d}" if year < 0 else f"{year:04d}"


# Level 2 qualifiers on components: before a part (it alone) or after it (it and the
# parts to its left), e.g. '2004-06~-11', '?2004-06-~11'.
_COMPONENT_QUALIFIED = re.compile(
    r"[?~%]?\d{4}[?~%]?(?:-[?~%]?\d{2}[?~%]?(?:-[?~%]?\d{2}[?~%]?)?)?", re.ASCII
)
_QUALIFIER = re.compile(r"[?~%]")


def _edtf_date(text: str) -> Span | None:
    qualifiers = _QUALIFIER.findall(text)
    if (len(qualifiers) > 1 or (qualifiers and text[-1] not in "?~%")) and (
        _COMPONENT_QUALIFIED.fullmatch(text)
    ):
        # The model qualifies a date as a whole: a qualified part makes the whole date
        # approximate or uncertain, with the bounds of the date; the edtf keeps each part's.
        plain = _edtf_date(_QUALIFIER.sub("", text))
        if plain is None:
            return None
        approx = any(q in "~%" for q in qualifiers)
        unsure = any(q in "?%" for q in qualifiers)
        return plain._replace(edtf=text, approximate=approx, uncertain=unsure)
    if long := _LONG_YEAR.fullmatch(text):
        year = int(long["year"])
        return _far_span(text, "year", (year, 1, 1), (year, 12, 31), False, False)
    if text.startswith("Y"):
        raise Refused(_LONE_Y)
    match = _EDTF_DATE.fullmatch(text)
    if match is None:
        return None
    year_part, mid, day_text, qualifier = match["year"], match["mid"], match["day"], match["q"]
    approx, unsure = qualifier in ("~", "%"), qualifier in ("?", "%")
    if year_part == "-0000":
        raise Refused("year 0 has no sign: write 0000")
    if "X" in year_part:
        if mid is not None:
            raise Refused(
                "level 1 allows X digits only at the end of the year (201X, 20XX, 1XXX), "
                "as the month (2025-XX) or as the day (2025-12-XX, 2025-XX-XX)"
            )
        # 201X is any year of the 2010s; 20XX any year of the century; 1XXX of the millennium;
        # -01XX any of the years -0199 to -0100.
        digits = year_part.lstrip("-")
        low = int(digits.replace("X", "0"))
        high = low + 10 ** digits.count("X") - 1
        first, last = (-high, -low) if year_part[0] == "-" else (low, high)
        return _far_span(text, "interval", (first, 1, 1), (last, 12, 31), approx, unsure)
    year = int(year_part)
    if mid == "XX" and day_text not in (None, "XX"):
        raise Refused("with an unspecified month (XX) the day must be unspecified too")
    if mid is None or mid == "XX":
        return _far_span(text, "year", (year, 1, 1), (year, 12, 31), approx, unsure)
    month = int(mid)
    if 21 <= month <= 41:
        if day_text is not None:
            raise Refused(f"season {month} cannot have a day")
        # Seasons (21-32) are seasons; quarters, quadrimesters and semesters (33-41) spans.
        precision: PrecisionName = "season" if month <= 32 else "interval"
        first_month, last_month = (
            SEASON_CODES[month] if month in SEASON_CODES else SUB_YEAR_CODES[month]
        )
        end_year = year + 1 if last_month < first_month else year
        end = (end_year, last_month, _month_length(end_year, last_month))
        return _far_span(text, precision, (year, first_month, 1), end, approx, unsure)
    if not 1 <= month <= 12:
        raise Refused(f"month {mid} does not exist (months are 01-12, seasons and groupings 21-41)")
    length = _month_length(year, month)
    if day_text is None or day_text == "XX":
        return _far_span(text, "month", (year, month, 1), (year, month, length), approx, unsure)
    day = int(day_text)
    if not 1 <= day <= length:
        raise Refused(
            f"day {day:02d} does not exist in {MONTH_NAMES[month - 1]} {year_text(year)} "
            f"({length} days)"
        )
    return _far_span(text, "day", (year, month, day), (year, month, day), approx, unsure)
