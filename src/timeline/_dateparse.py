"""Reading date text into the fields of a ``When``: ISO 8601 instants, EDTF and English phrases.

Everything here is pure: it turns a string (and, for relative phrases, an anchor
day) into a ``Parsed`` record, and ``timeline._when`` builds the ``When``. The
conventions (month parts, seasons, relative phrases) are documented in
``docs/dates.md``; change them there and here together.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from typing import Literal, NamedTuple

import arrow
import attrs

from ._errors import InvalidDate

__all__ = [
    "OPEN_END",
    "OPEN_START",
    "Parsed",
    "PrecisionName",
    "bounds_fields",
    "day_fields",
    "parse_text",
    "timed_fields",
]

PrecisionName = Literal["minute", "day", "part_of_month", "month", "season", "year", "interval"]

#: The ``earliest`` of an interval open at the start (``../2024-06``).
OPEN_START = dt.date.min
#: The ``latest`` of an interval open at the end (``2022/..``).
OPEN_END = dt.date.max

# Nothing legitimate is this long; the cap keeps every regex below linear in practice.
_MAX_LENGTH = 200


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


class _Refused(Exception):
    """A part of the text was understood but is wrong; ``parse_text`` names the whole text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_text(text: str, anchor: dt.date | None) -> Parsed:
    """Read a date, an instant, an EDTF string or an English phrase.

    Args:
        text: the input; surrounding white space is ignored.
        anchor: the day relative phrases ("last week") are resolved against, if any.

    Returns:
        The parsed fields; ``relative`` says whether ``anchor`` was used.

    Raises:
        InvalidDate: naming ``text`` and the reason it was refused.

    """
    stripped = text.strip()
    if not stripped:
        raise InvalidDate(text, "empty date")
    if len(stripped) > _MAX_LENGTH:
        raise InvalidDate(text, f"longer than {_MAX_LENGTH} characters; not a date")
    normalized = _normalize(stripped)
    try:
        parsed = _timed_text(stripped)
        if parsed is None:
            parsed = _phrase(normalized, anchor, allow_range=True)
    except _Refused as exc:
        raise InvalidDate(text, exc.reason) from None
    if parsed is not None:
        return parsed
    if _EDTF_SHAPE.fullmatch(normalized):
        reason = (
            "not a valid EDTF level 0-1 date (YYYY, YYYY-MM, YYYY-MM-DD, season YYYY-21..24, "
            "X digits, a ?/~/% qualifier, or two of these joined by '/')"
        )
    elif match := _MONTH.fullmatch(normalized):
        reason = f"unknown month name {match['m']!r}"
    else:
        reason = (
            "not an EDTF date, an ISO 8601 date-time with offset or zone, or a known phrase "
            "(see docs/dates.md)"
        )
    raise InvalidDate(text, reason)


# --- calendar helpers ---------------------------------------------------------------------------


def _year_ok(year: int) -> int:
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise _Refused(f"year {year:04d} is outside the supported range 0001-9999")
    return year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int, month: int, day: int) -> dt.date:
    _year_ok(year)
    if not 1 <= month <= 12:
        raise _Refused(f"month {month:02d} does not exist (months are 01-12)")
    length = calendar.monthrange(year, month)[1]
    if not 1 <= day <= length:
        raise _Refused(
            f"day {day:02d} does not exist in {_MONTH_NAMES[month - 1]} {year:04d} ({length} days)"
        )
    return dt.date(year, month, day)


def _minus_years(day: dt.date, years: int) -> dt.date:
    # 29 February has no counterpart in a common year: step back to the 28th.
    year = _year_ok(day.year - years)
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


# Level-1 season codes, northern hemisphere: (first month, last month); winter runs
# from December of its year into February of the next.
_SEASON_CODES = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 2)}
_SEASON_NAMES = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}


def _season_bounds(year: int, code: int) -> tuple[dt.date, dt.date]:
    first, last = _SEASON_CODES[code]
    end_year = year + 1 if last < first else year
    if end_year > dt.MAXYEAR:
        raise _Refused(f"winter {year} runs past the supported range 0001-9999")
    return dt.date(_year_ok(year), first, 1), _month_end(end_year, last)


def _iso(day: dt.date) -> str:
    # date.isoformat pads the year to four digits, as EDTF wants.
    return day.isoformat()


# --- fields for non-text inputs (used by When.coerce and When.from_bounds) ----------------------


def day_fields(day: dt.date) -> Parsed:
    """Fields of a single calendar day."""
    return Parsed(edtf=_iso(day), precision="day", earliest=day, latest=day)


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
    left = ".." if earliest == OPEN_START else _iso(earliest)
    right = ".." if latest == OPEN_END else _iso(latest)
    return Parsed(edtf=f"{left}/{right}", precision="interval", earliest=earliest, latest=latest)


def _offset_text(moment: dt.datetime) -> str:
    offset = moment.utcoffset()
    assert offset is not None  # callers pass aware datetimes only
    if not offset:
        return "Z"
    minutes, seconds = divmod(int(offset.total_seconds()), 60)
    if seconds:
        raise _Refused(f"UTC offset {offset} has seconds, which EDTF cannot write")
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _instant_edtf(moment: dt.datetime) -> str:
    return f"{_iso(moment.date())}T{moment:%H:%M:%S}{_offset_text(moment)}"


def timed_fields(moment: dt.datetime, end: dt.datetime | None = None) -> Parsed:
    """Fields of an aware instant (or of two, for a timed interval).

    Sub-second parts are dropped: EDTF writes whole seconds, and the stored
    ``edtf`` must read back to the same ``When``.

    Raises:
        InvalidDate: if a datetime is naive, or the interval is reversed.

    """
    for value in (moment, end):
        if value is not None and value.utcoffset() is None:
            raise InvalidDate(
                value, "a datetime needs a UTC offset or a time zone (tzinfo); naive is ambiguous"
            )
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
        edtf = f"{_instant_edtf(moment)}/{_instant_edtf(end)}"
    except _Refused as exc:
        raise InvalidDate(moment, exc.reason) from None
    if end < moment:
        raise InvalidDate(edtf, "the interval ends before it starts")
    # Each instant's day is read in its own offset, so with different offsets the
    # end's day can come first; the bounds still cover both days.
    days = sorted((moment.date(), end.date()))
    return Parsed(
        edtf=edtf, precision="interval", earliest=days[0], latest=days[1], start=moment, end=end
    )


# Every pattern is ASCII-only: \d would otherwise match any script's digits.

# --- ISO 8601 instants ---------------------------------------------------------------------------

_TIMED = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ]"
    r"(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})?"
    r"(?:\s+(?P<zone>[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}))?",
    re.ASCII,
)
_HAS_TIME = re.compile(r"\d:\d\d", re.ASCII)
_TIMED_SLASH = re.compile(r"/(?=[\d.])", re.ASCII)


def _timed_text(text: str) -> Parsed | None:
    if not _HAS_TIME.search(text):
        return None
    # Zone names contain '/' too (Asia/Kolkata); an interval's '/' is followed by a date.
    parts = _TIMED_SLASH.split(text)
    if len(parts) > 2:
        raise _Refused("an interval has exactly one '/'")
    instants = [_instant(part.strip()) for part in parts]
    if len(instants) == 2 and None in instants:
        raise _Refused("both ends of an interval with a time of day need a time and an offset")
    if instants[0] is None:
        return None
    try:
        return timed_fields(instants[0], instants[-1] if len(instants) == 2 else None)
    except InvalidDate as exc:
        raise _Refused(exc.reason) from None


def _instant(text: str) -> dt.datetime | None:
    match = _TIMED.fullmatch(text)
    if match is None:
        if _HAS_TIME.search(text):
            raise _Refused(
                "a time of day needs a UTC offset ('2025-12-04T10:00+05:30', '...Z') or a zone "
                "name ('2025-12-04T10:00 Asia/Kolkata'), in ISO 8601 extended format"
            )
        return None
    year, month, day = (int(x) for x in match["date"].split("-"))
    _day(year, month, day)
    hour, minute, *rest = match["time"].split(":")
    second, _, fraction = rest[0].partition(".") if rest else ("0", "", "")
    if int(hour) > 23 or int(minute) > 59 or int(second) > 59:
        raise _Refused(f"time {match['time']} does not exist")
    naive = dt.datetime(
        year, month, day, int(hour), int(minute), int(second), int(fraction.ljust(6, "0"))
    )
    offset, zone = match["offset"], match["zone"]
    if offset and zone:
        raise _Refused("give either a UTC offset or a zone name, not both")
    if offset:
        # Built directly: arrow.get() compiles its ISO patterns on every call
        # (~0.2 ms), which made a timed date cost more than the rest of an event.
        return naive.replace(tzinfo=_utc_offset(offset))
    if not zone:
        raise _Refused(
            "a time of day needs a UTC offset ('...+05:30', '...Z') or a zone name "
            "('2025-12-04T10:00 Asia/Kolkata')"
        )
    if zone == "local":
        raise _Refused("'local' depends on the machine; name the zone, e.g. 'Europe/Paris'")
    try:
        moment = arrow.Arrow.fromdatetime(naive, tzinfo=zone)
    except (arrow.ParserError, ValueError):
        raise _Refused(
            f"unknown time zone {zone!r} (use an IANA name such as 'Asia/Kolkata')"
        ) from None
    if moment.imaginary:
        shown = f"{match['date']}T{match['time']}"
        raise _Refused(f"{shown} does not exist in {zone} (the clocks skipped it)")
    return moment.datetime


def _utc_offset(text: str) -> dt.timezone:
    """Return the zone of an ISO 8601 offset: ``Z``, ``+05:30`` or ``-0300``."""
    if text == "Z":
        return dt.timezone.utc
    hours, minutes = int(text[1:3]), int(text[-2:])
    if minutes > 59 or hours > 23:
        raise _Refused(f"UTC offset {text} is not valid")
    size = dt.timedelta(hours=hours, minutes=minutes)
    return dt.timezone(-size if text[0] == "-" else size)


# --- EDTF levels 0 and 1 -----------------------------------------------------------------------

_EDTF_SHAPE = re.compile(r"[0-9Xx?~%./-]+")
_EDTF_DATE = re.compile(
    r"(?P<year>\d{4}|\d{3}X|\d{2}XX)(?:-(?P<mid>\d{2}|XX)(?:-(?P<day>\d{2}|XX))?)?(?P<q>[?~%])?",
    re.ASCII,
)


class _Span(NamedTuple):
    edtf: str
    precision: PrecisionName
    earliest: dt.date
    latest: dt.date
    approximate: bool = False
    uncertain: bool = False


def _edtf(text: str) -> Parsed | None:
    """Parse EDTF, or return None when the text is not shaped like EDTF at all."""
    if not _EDTF_SHAPE.fullmatch(text):
        return None
    canonical = text.upper()
    parts = canonical.split("/")
    if len(parts) == 1:
        span = _edtf_date(canonical)
        return None if span is None else Parsed(**span._asdict())
    if len(parts) > 2:
        if re.fullmatch(r"\d{1,4}/\d{1,2}/\d{1,4}", text):
            # 31/12/2025 or 12/31/2025: which number is the day is a guess.
            raise _Refused("slashed dates are ambiguous; write the day as YYYY-MM-DD")
        raise _Refused("an interval has exactly one '/'")
    if "" in parts:
        raise _Refused("an unknown interval end ('2022/') is not supported; use '..' for open")
    if parts == ["..", ".."]:
        raise _Refused("an interval open at both ends says nothing")
    left = None if parts[0] == ".." else _edtf_date(parts[0])
    right = None if parts[1] == ".." else _edtf_date(parts[1])
    if (left is None and parts[0] != "..") or (right is None and parts[1] != ".."):
        return None
    return _interval(left, right, canonical)


def _interval(left: _Span | None, right: _Span | None, edtf: str) -> Parsed:
    earliest = OPEN_START if left is None else left.earliest
    latest = OPEN_END if right is None else right.latest
    if latest < earliest:
        raise _Refused(f"the interval ends ({latest}) before it starts ({earliest})")
    ends = [s for s in (left, right) if s is not None]
    return Parsed(
        edtf=edtf,
        precision="interval",
        earliest=earliest,
        latest=latest,
        approximate=any(s.approximate for s in ends),
        uncertain=any(s.uncertain for s in ends),
    )


def _edtf_date(text: str) -> _Span | None:
    match = _EDTF_DATE.fullmatch(text)
    if match is None:
        return None
    year_text, mid, day_text, qualifier = match["year"], match["mid"], match["day"], match["q"]
    approx, unsure = qualifier in ("~", "%"), qualifier in ("?", "%")
    if "X" in year_text:
        if mid is not None:
            raise _Refused(
                "level 1 allows X digits only at the end of the year (201X, 20XX), "
                "as the month (2025-XX) or as the day (2025-12-XX, 2025-XX-XX)"
            )
        # 201X is any year of the 2010s; 20XX any year of the century.
        width = 10 ** year_text.count("X")
        first = int(year_text.replace("X", "0"))
        if first < dt.MINYEAR:
            raise _Refused(f"{year_text} reaches year 0000, outside the supported range 0001-9999")
        last = dt.date(first + width - 1, 12, 31)
        return _Span(text, "interval", dt.date(first, 1, 1), last, approx, unsure)
    year = _year_ok(int(year_text))
    if mid == "XX" and day_text not in (None, "XX"):
        raise _Refused("with an unspecified month (XX) the day must be unspecified too")
    if mid is None or mid == "XX":
        return _Span(text, "year", dt.date(year, 1, 1), dt.date(year, 12, 31), approx, unsure)
    month = int(mid)
    if 21 <= month <= 24:
        if day_text is not None:
            raise _Refused(f"season {month} cannot have a day")
        return _Span(text, "season", *_season_bounds(year, month), approx, unsure)
    if not 1 <= month <= 12:
        raise _Refused(f"month {mid} does not exist (months are 01-12, seasons 21-24)")
    if day_text is None or day_text == "XX":
        first_day = dt.date(year, month, 1)
        return _Span(text, "month", first_day, _month_end(year, month), approx, unsure)
    day = _day(year, month, int(day_text))
    return _Span(text, "day", day, day, approx, unsure)


# --- English phrases ---------------------------------------------------------------------------

# English names, spelled out: calendar.month_name follows the process locale.
_MONTH_NAMES = [
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
_WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = {name.lower(): number for number, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update({name[:3].lower(): number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): number for number, name in enumerate(_WEEKDAY_NAMES)}
_WEEKDAYS.update({name[:3]: number for name, number in list(_WEEKDAYS.items())})
_WEEKDAYS.update({"tues": 1, "thur": 3, "thurs": 3})
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}

# Month parts: early = days 1-10, mid = 11-20, late = 21 to the end of the month.
_MONTH_PARTS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}
# Year parts: early = January-April, mid = May-August, late = September-December.
_YEAR_PARTS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}

# Hyphen, non-breaking hyphen, figure dash, en dash, em dash, minus: all read as '-'.
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-"))
_D = r"(?P<{}>\d{{1,2}})(?:st|nd|rd|th)?"
_M = r"(?P<{}>[a-z]+)\.?"
_Y = r"(?P<year>\d{4})"
_TO = r"(?:\s*-\s*|\s+to\s+)"
_PART = r"(?P<part>early|mid|late)(?:-|\s+)"
_SEASON = r"(?P<season>spring|summer|autumn|fall|winter)"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.ASCII)


_DAY = _compile(rf"{_D.format('d')} {_M.format('m')},? {_Y}")
_DAY_US = _compile(rf"{_M.format('m')} {_D.format('d')},? {_Y}")
_DAYS = _compile(rf"{_D.format('d')}{_TO}{_D.format('d2')} {_M.format('m')},? {_Y}")
_DAYS_US = _compile(rf"{_M.format('m')} {_D.format('d')}{_TO}{_D.format('d2')},? {_Y}")
_MONTH = _compile(rf"{_M.format('m')},? {_Y}")
_PART_OF_MONTH = _compile(rf"{_PART}{_M.format('m')},? {_Y}")
_PART_OF_YEAR = _compile(rf"{_PART}{_Y}")
_SEASON_YEAR = _compile(rf"{_SEASON},? (?:of )?{_Y}")
_WEEKDAY = _compile(r"(?P<weekday>[a-z]+),? (?P<rest>.+)")
_PREFIX = _compile(r"(?:in|on|during) (?P<rest>.+)")
_SINCE = _compile(r"(?P<word>since|from) (?P<rest>.+)")
_UNTIL = _compile(r"(?:until|till|up to) (?P<rest>.+)")
_CIRCA = _compile(r"(?:(?:circa|about|around|approximately|roughly) |c\. ?|ca\. ?)(?P<rest>.+)")
_RANGE_SEPARATOR = _compile(r"\s*-\s*|\s+(?:to|until|till|through|and)\s+")
_RANGE_PREFIX = _compile(r"(?:from|between) (?P<rest>.+)")
_ANY_YEAR = re.compile(r"\d{4}", re.ASCII)


def _normalize(text: str) -> str:
    text = " ".join(text.translate(_DASHES).split())
    # A closing full stop or comma is punctuation, but '..' is EDTF's open end.
    if text.endswith((".", ",")) and not text.endswith(".."):
        text = text[:-1]
    match = _PREFIX.fullmatch(text)
    return match["rest"] if match else text


def _month(word: str) -> int:
    try:
        return _MONTHS[word.lower()]
    except KeyError:
        if word.lower() in _SEASON_NAMES:
            raise _Refused("early/mid/late applies to a month or a year, not to a season") from None
        raise _Refused(f"unknown month name {word!r}") from None


def _month_fields(year: int, month: int) -> Parsed:
    _year_ok(year)
    return Parsed(
        edtf=f"{year:04d}-{month:02d}",
        precision="month",
        earliest=dt.date(year, month, 1),
        latest=_month_end(year, month),
    )


def _phrase(text: str, anchor: dt.date | None, *, allow_range: bool) -> Parsed | None:
    edtf = _edtf(text)
    if edtf is not None:
        return edtf
    # Wrapping forms first: "since 2022" must not be read as a month called "since".
    for parse in (_qualified, _absolute):
        parsed = parse(text, anchor)
        if parsed is not None:
            return parsed
    relative = _relative(text)
    if relative is not None:
        if anchor is None:
            raise _Refused("relative phrase needs an anchor date")
        return attrs.evolve(relative(anchor), relative=True)
    return _range(text, anchor) if allow_range else None


def _absolute(text: str, anchor: dt.date | None) -> Parsed | None:
    del anchor  # absolute forms never need it; the signature matches _qualified's
    if match := _DAY.fullmatch(text) or _DAY_US.fullmatch(text):
        return day_fields(_day(int(match["year"]), _month(match["m"]), int(match["d"])))
    if match := _DAYS.fullmatch(text) or _DAYS_US.fullmatch(text):
        year, month = int(match["year"]), _month(match["m"])
        return _day_range(_day(year, month, int(match["d"])), _day(year, month, int(match["d2"])))
    if match := _SEASON_YEAR.fullmatch(text):
        return _season_fields(int(match["year"]), _SEASON_NAMES[match["season"].lower()])
    if match := _PART_OF_YEAR.fullmatch(text):
        return _part_of_year(int(match["year"]), match["part"].lower())
    if match := _PART_OF_MONTH.fullmatch(text):
        return _part_of_month(int(match["year"]), _month(match["m"]), match["part"].lower())
    # "<word> 2025" is only a month when the word is one: other words may still make
    # a range or a relative phrase, and parse_text reports an unknown month at the end.
    if (match := _MONTH.fullmatch(text)) and match["m"].lower() in _MONTHS:
        return _month_fields(int(match["year"]), _MONTHS[match["m"].lower()])
    return None


def _qualified(text: str, anchor: dt.date | None) -> Parsed | None:
    """Phrases wrapping another date: since/until X, circa X, and a checked weekday."""
    if match := _SINCE.fullmatch(text):
        # "from X" alone means since X; "from X to Y" is a range, read later.
        if match["word"].lower() == "from" and not _phrase(
            match["rest"], anchor, allow_range=False
        ):
            return None
        inner = _inner(match["rest"], anchor)
        parsed = _interval(_as_span(inner), None, f"{_start_edtf(inner)}/..")
        return attrs.evolve(parsed, relative=inner.relative)
    if match := _UNTIL.fullmatch(text):
        inner = _inner(match["rest"], anchor)
        parsed = _interval(None, _as_span(inner), f"../{_end_edtf(inner)}")
        return attrs.evolve(parsed, relative=inner.relative)
    if match := _CIRCA.fullmatch(text):
        inner = _inner(match["rest"], anchor)
        if "/" in inner.edtf or inner.start is not None:
            raise _Refused("circa/about/around applies to a single date, not a range or an instant")
        if inner.approximate or inner.uncertain:
            raise _Refused("the date is already qualified")
        return attrs.evolve(inner, edtf=f"{inner.edtf}~", approximate=True)
    match = _WEEKDAY.fullmatch(text)
    if match and match["weekday"].lower() in _WEEKDAYS:
        inner = _inner(match["rest"], anchor)
        if inner.precision != "day":
            raise _Refused("a weekday goes with a single day")
        said, actual = _WEEKDAYS[match["weekday"].lower()], inner.earliest.weekday()
        if said != actual:
            raise _Refused(
                f"{inner.earliest} was a {_WEEKDAY_NAMES[actual]}, not a {_WEEKDAY_NAMES[said]}"
            )
        return inner
    return None


def _inner(text: str, anchor: dt.date | None) -> Parsed:
    parsed = _phrase(text, anchor, allow_range=False)
    if parsed is None:
        raise _Refused(f"{text!r} is not a date")
    return parsed


def _as_span(parsed: Parsed) -> _Span:
    return _Span(
        parsed.edtf,
        parsed.precision,
        parsed.earliest,
        parsed.latest,
        parsed.approximate,
        parsed.uncertain,
    )


def _start_edtf(parsed: Parsed) -> str:
    # An interval's edtf can't nest inside another interval: its first day stands in.
    return _iso(parsed.earliest) if "/" in parsed.edtf else parsed.edtf


def _end_edtf(parsed: Parsed) -> str:
    return _iso(parsed.latest) if "/" in parsed.edtf else parsed.edtf


def _day_range(first: dt.date, last: dt.date) -> Parsed:
    if last < first:
        raise _Refused(f"the interval ends ({last}) before it starts ({first})")
    return Parsed(edtf=f"{first}/{last}", precision="interval", earliest=first, latest=last)


def _season_fields(year: int, code: int) -> Parsed:
    earliest, latest = _season_bounds(year, code)
    return Parsed(edtf=f"{year:04d}-{code}", precision="season", earliest=earliest, latest=latest)


def _part_of_month(year: int, month: int, part: str) -> Parsed:
    first, last = _MONTH_PARTS[part]
    month_end = _month_end(_year_ok(year), month)
    start, end = dt.date(year, month, first), month_end.replace(day=min(last, month_end.day))
    return Parsed(edtf=f"{start}/{end}", precision="part_of_month", earliest=start, latest=end)


def _part_of_year(year: int, part: str) -> Parsed:
    first, last = _YEAR_PARTS[part]
    _year_ok(year)
    return Parsed(
        edtf=f"{year:04d}-{first:02d}/{year:04d}-{last:02d}",
        precision="interval",
        earliest=dt.date(year, first, 1),
        latest=_month_end(year, last),
    )


def _range(text: str, anchor: dt.date | None) -> Parsed | None:
    """Two dates joined by to/until/and/a dash; the first may borrow the second's last words."""
    if match := _RANGE_PREFIX.fullmatch(text):
        text = match["rest"]
    for separator in _RANGE_SEPARATOR.finditer(text):
        left_text, right_text = text[: separator.start()], text[separator.end() :]
        if not left_text or not right_text:
            continue
        right = _phrase(right_text, anchor, allow_range=False)
        if right is None or right.start is not None:
            continue
        left = _range_start(left_text, right_text, anchor)
        if left is None or left.start is not None:
            continue
        edtf = f"{_start_edtf(left)}/{_end_edtf(right)}"
        parsed = _interval(_as_span(left), _as_span(right), edtf)
        return attrs.evolve(parsed, relative=left.relative or right.relative)
    return None


def _range_start(left: str, right: str, anchor: dt.date | None) -> Parsed | None:
    """Read a range's first date, completed from the second's last words if it needs them.

    "May to June 2014", "30 November - 2 December 2025", "early to mid December":
    the year (or month) is written once, at the end. The longest borrowing that
    reads as a date wins, so "early to mid December 2025" starts on 1 December.
    """
    if not _ANY_YEAR.search(left):
        words = right.split()
        for k in range(1, len(words)):
            try:
                parsed = _phrase(f"{left} {' '.join(words[k:])}", anchor, allow_range=False)
            except _Refused:
                # A borrowing that reads as a wrong date (say, a relative phrase
                # with no anchor) is just not the right borrowing.
                continue
            if parsed is not None:
                return parsed
    return _phrase(left, anchor, allow_range=False)


# --- relative phrases (resolved against an anchor day) -----------------------------------------

_Resolver = Callable[[dt.date], Parsed]

_RELATIVE_MONTH = _compile(rf"(?:{_PART})?{_M.format('m')}")
_RELATIVE_SEASON = _compile(rf"(?:(?:over|during|in) )?(?:the|this) {_SEASON}")
_WEEKEND = _compile(r"(?:(?:over|at) the|last|this past) weekend")
_CALENDAR_UNIT = _compile(r"(?P<which>last|this|next) (?P<unit>week|month|year)")
_NEAR_DAY = _compile(r"yesterday|today|tomorrow")
_PAST = _compile(
    r"(?:(?:for|over|in|during) )?(?:the )?(?:past|last) "
    r"(?P<count>few|\d{1,3}|two|three|four|five|six|seven|eight) (?P<unit>years|months)"
    r"|(?:(?:for|over|in|during) )?(?:the )?past (?P<single>year|month|week)"
)


def _relative(text: str) -> _Resolver | None:
    """Recognise a relative phrase; the returned function resolves it against an anchor."""
    match = _RELATIVE_MONTH.fullmatch(text)
    if match and (match["m"].lower() in _MONTHS or match["part"]):
        month, part = _month(match["m"]), match["part"]
        return lambda anchor: _recent_month(anchor, month, part and part.lower())
    if match := _RELATIVE_SEASON.fullmatch(text):
        code = _SEASON_NAMES[match["season"].lower()]
        return lambda anchor: _recent_season(anchor, code)
    if _WEEKEND.fullmatch(text):
        return _last_weekend
    if match := _CALENDAR_UNIT.fullmatch(text):
        step = {"last": -1, "this": 0, "next": 1}[match["which"].lower()]
        unit = match["unit"].lower()
        return lambda anchor: _calendar_unit(anchor, unit, step)
    if match := _NEAR_DAY.fullmatch(text):
        shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[match[0].lower()]
        return lambda anchor: day_fields(anchor + dt.timedelta(days=shift))
    if match := _PAST.fullmatch(text):
        return _past(match)
    return None


def _recent_month(anchor: dt.date, month: int, part: str | None) -> Parsed:
    # The most recent such month that began on or before the anchor.
    year = anchor.year if month <= anchor.month else anchor.year - 1
    return _part_of_month(year, month, part) if part else _month_fields(year, month)


def _recent_season(anchor: dt.date, code: int) -> Parsed:
    # The most recent such season that began on or before the anchor.
    first_month = _SEASON_CODES[code][0]
    year = anchor.year if anchor.month >= first_month else anchor.year - 1
    return _season_fields(year, code)


def _last_weekend(anchor: dt.date) -> Parsed:
    # The Sunday strictly before the anchor (a Sunday anchor means the week before).
    sunday = anchor - dt.timedelta(days=(anchor.weekday() + 1) % 7 or 7)
    return _day_range(sunday - dt.timedelta(days=1), sunday)


def _calendar_unit(anchor: dt.date, unit: str, step: int) -> Parsed:
    if unit == "week":
        monday = anchor - dt.timedelta(days=anchor.weekday()) + dt.timedelta(weeks=step)
        return _day_range(monday, monday + dt.timedelta(days=6))
    if unit == "month":
        year, month = anchor.year, anchor.month
        if step:
            year, month = (_previous_month if step < 0 else _next_month)(year, month)
        return _month_fields(year, month)
    year = _year_ok(anchor.year + step)
    return Parsed(
        edtf=f"{year:04d}",
        precision="year",
        earliest=dt.date(year, 1, 1),
        latest=dt.date(year, 12, 31),
    )


def _past(match: re.Match[str]) -> _Resolver:
    single, count = match["single"], match["count"]
    if single == "week":
        return lambda anchor: _day_range(anchor - dt.timedelta(weeks=1), anchor)
    if single == "month" or match["unit"] == "months":
        months = 1 if single else (3 if count == "few" else _count(count))
        return lambda anchor: _day_range(_minus_months(anchor, months), anchor)
    if count == "few":
        # "The past few years": roughly three, written as an approximate year.
        def few_years(anchor: dt.date) -> Parsed:
            start = _year_ok(anchor.year - 3)
            return Parsed(
                edtf=f"{start:04d}~/{anchor}",
                precision="interval",
                earliest=dt.date(start, 1, 1),
                latest=anchor,
                approximate=True,
            )

        return few_years
    years = 1 if single else _count(count)
    return lambda anchor: _day_range(_minus_years(anchor, years), anchor)


def _count(word: str) -> int:
    number = _NUMBER_WORDS[word.lower()] if word.lower() in _NUMBER_WORDS else int(word)
    if number < 1:
        raise _Refused("a count of zero says nothing")
    return number


def _minus_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = _year_ok(index // 12), index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
