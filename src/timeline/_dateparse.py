"""Reading date text into the fields of a ``When``: the entry point and English phrases.

``parse_text`` tries an ISO 8601 instant, then EDTF (both read in
``timeline._datefields``), then an English phrase, resolving relative phrases
against an anchor day. Everything here is pure: it turns a string into a
``Parsed`` record, and ``timeline._when`` builds the ``When``. The conventions
(month parts, seasons, relative phrases) are documented in ``docs/dates.md``;
change them there and here together.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator

import attrs

from ._datefields import (
    EDTF_SHAPE,
    MONTH_NAMES,
    SEASON_CODES,
    Parsed,
    Refused,
    Span,
    checked_day,
    checked_year,
    day_fields,
    day_numbers,
    day_span,
    interval_fields,
    month_end,
    parse_edtf,
    parse_timed,
    season_bounds,
)
from ._errors import InvalidDate

__all__ = ["parse_text"]

# Nothing legitimate is this long; the cap keeps every regex below linear in practice.
_MAX_LENGTH = 200


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
        parsed = parse_timed(stripped)
        if parsed is None:
            parsed = _phrase(normalized, anchor, allow_range=True)
    except Refused as exc:
        raise InvalidDate(text, exc.reason) from None
    except OverflowError:
        # Day arithmetic on the anchor left years 1-9999 ("yesterday" at 0001-01-01).
        at = "" if anchor is None else f" from the anchor {anchor.isoformat()}"
        raise InvalidDate(text, f"falls outside the supported years 0001-9999{at}") from None
    if parsed is not None:
        return parsed
    if EDTF_SHAPE.fullmatch(normalized):
        reason = (
            "not a valid EDTF date (YYYY, YYYY-MM, YYYY-MM-DD, season YYYY-21..41, "
            "X digits, a ?/~/% qualifier, two of these joined by '/', or a set [a,b] / {a,b})"
        )
    elif match := _MONTH.fullmatch(normalized):
        reason = f"unknown month name {match['m']!r}"
    else:
        reason = (
            "not an EDTF date, an ISO 8601 date-time with offset or zone, or a known phrase "
            "(see docs/dates.md)"
        )
    raise InvalidDate(text, reason)


# --- English phrases ---------------------------------------------------------------------------

# English names, spelled out: calendar.day_name follows the process locale.
_WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_MONTHS = {name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}
_MONTHS.update({name[:3].lower(): number for name, number in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): number for number, name in enumerate(_WEEKDAY_NAMES)}
_WEEKDAYS.update({name[:3]: number for name, number in list(_WEEKDAYS.items())})
_WEEKDAYS.update({"tues": 1, "thur": 3, "thurs": 3})
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}

# English season words and their level-1 codes.
_SEASON_NAMES = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}

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


# Every pattern is ASCII-only: \d would otherwise match any script's digits.
class _Pattern:
    """A phrase pattern, compiled on first use.

    Twenty-odd patterns cost 16 ms to compile at import, which every command
    paid, though only parsing a phrase needs them.
    """

    __slots__ = ("_compiled", "_source")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source, re.IGNORECASE | re.ASCII)
        return self._compiled

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self._pattern().fullmatch(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self._pattern().search(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self._pattern().finditer(text)


def _compile(pattern: str) -> _Pattern:
    return _Pattern(pattern)


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
_UNTIL = _compile(r"(?:until|till|up to|by) (?P<rest>.+)")
_BEFORE = _compile(r"(?:before|prior to) (?P<rest>.+)")
_AFTER = _compile(r"after (?P<rest>.+)")
_CIRCA = _compile(r"(?:(?:circa|about|around|approximately|roughly) |c\. ?|ca\. ?|~ ?)(?P<rest>.+)")
_QUARTER = _compile(r"Q(?P<q>[1-4]),? (?P<year>\d{4})|(?P<year2>\d{4}),? Q(?P<q2>[1-4])")
_DECADE = _compile(r"(?:the )?(?P<decade>\d{3})0'?s")
_RANGE_SEPARATOR = _compile(r"\s*-\s*|\s+(?:to|until|till|through|and)\s+")
_RANGE_PREFIX = _compile(r"(?:from|between) (?P<rest>.+)")
_ONE_OF = _compile(r"(?:either )?(?P<rest>[^,]+(?:, ?[^,]+)*?),? or (?P<last>.+)")
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
            raise Refused("early/mid/late applies to a month or a year, not to a season") from None
        raise Refused(f"unknown month name {word!r}") from None


def _month_fields(year: int, month: int) -> Parsed:
    checked_year(year)
    return Parsed(
        edtf=f"{year:04d}-{month:02d}",
        precision="month",
        earliest=dt.date(year, month, 1),
        latest=month_end(year, month),
    )


def _phrase(text: str, anchor: dt.date | None, *, allow_range: bool) -> Parsed | None:
    edtf = parse_edtf(text)
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
            if _lacks_only_the_year(text):
                raise Refused(_MISSING_YEAR)
            raise Refused("relative phrase needs an anchor date")
        return attrs.evolve(relative(anchor), relative=True)
    if not allow_range:
        return None
    return _one_of(text, anchor) or _range(text, anchor)


def _one_of(text: str, anchor: dt.date | None) -> Parsed | None:
    """Several dates joined by 'or' ("8 or 10 December 2025"): EDTF level 2 one-of set.

    The first dates may borrow the last one's last words, as a range's start does.
    """
    match = _ONE_OF.fullmatch(text)
    if match is None:
        return None
    last = _phrase(match["last"], anchor, allow_range=False)
    if last is None:
        return None
    dates = [_range_start(p.strip(), match["last"], anchor) for p in match["rest"].split(",")]
    dates.append(last)
    for date in dates:
        if date is None:
            return None
        if "/" in date.edtf or date.start is not None or date.edtf[:1] in "[{":
            raise Refused("'or' joins single dates, not ranges, sets or instants")
    members = [date for date in dates if date is not None]
    parsed = parse_edtf(f"[{','.join(date.edtf for date in members)}]")
    assert parsed is not None  # each member is a level 0-1 date
    return attrs.evolve(parsed, relative=any(date.relative for date in members))


def _absolute(text: str, anchor: dt.date | None) -> Parsed | None:
    del anchor  # absolute forms never need it; the signature matches _qualified's
    if match := _DAY.fullmatch(text) or _DAY_US.fullmatch(text):
        return day_fields(checked_day(int(match["year"]), _month(match["m"]), int(match["d"])))
    if match := _DAYS.fullmatch(text) or _DAYS_US.fullmatch(text):
        year, month = int(match["year"]), _month(match["m"])
        return _day_range(
            checked_day(year, month, int(match["d"])), checked_day(year, month, int(match["d2"]))
        )
    if match := _QUARTER.fullmatch(text):
        quarter, year = int(match["q"] or match["q2"]), int(match["year"] or match["year2"])
        return _month_span(year, 3 * quarter - 2, 3 * quarter)
    if match := _DECADE.fullmatch(text):
        return parse_edtf(f"{match['decade']}X")
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
        parsed = interval_fields(_as_span(inner), None, f"{_start_edtf(inner)}/..")
        return attrs.evolve(parsed, relative=inner.relative)
    if match := _UNTIL.fullmatch(text):
        inner = _inner(match["rest"], anchor)
        parsed = interval_fields(None, _as_span(inner), f"../{_end_edtf(inner)}")
        return attrs.evolve(parsed, relative=inner.relative)
    if match := _BEFORE.fullmatch(text):
        # Strictly before: the day before the date's first possible day is the last one.
        inner = _inner(match["rest"], anchor)
        if inner.edtf.startswith(("..", "/", "[..", "{..")):
            raise Refused("nothing is before a date whose start is open or unknown")
        last = day_span(day_numbers(inner)[0] - 1)
        parsed = interval_fields(None, last, f"../{last.edtf}")
        return attrs.evolve(parsed, relative=inner.relative)
    if match := _AFTER.fullmatch(text):
        inner = _inner(match["rest"], anchor)
        if inner.edtf.endswith(("..", "/", "..]", "..}")):
            raise Refused("nothing is after a date whose end is open or unknown")
        first = day_span(day_numbers(inner)[1] + 1)
        parsed = interval_fields(first, None, f"{first.edtf}/..")
        return attrs.evolve(parsed, relative=inner.relative)
    if match := _CIRCA.fullmatch(text):
        inner = _inner(match["rest"], anchor)
        if "/" in inner.edtf or inner.start is not None:
            raise Refused("circa/about/around applies to a single date, not a range or an instant")
        if inner.approximate or inner.uncertain:
            raise Refused("the date is already qualified")
        return attrs.evolve(inner, edtf=f"{inner.edtf}~", approximate=True)
    match = _WEEKDAY.fullmatch(text)
    if match and match["weekday"].lower() in _WEEKDAYS:
        inner = _inner(match["rest"], anchor)
        if inner.precision != "day":
            raise Refused("a weekday goes with a single day")
        said, actual = _WEEKDAYS[match["weekday"].lower()], inner.earliest.weekday()
        if said != actual:
            raise Refused(
                f"{inner.earliest} was a {_WEEKDAY_NAMES[actual]}, not a {_WEEKDAY_NAMES[said]}"
            )
        return inner
    return None


def _inner(text: str, anchor: dt.date | None) -> Parsed:
    parsed = _phrase(text, anchor, allow_range=False)
    if parsed is None:
        raise Refused(f"{text!r} is not a date")
    return parsed


def _as_span(parsed: Parsed) -> Span:
    return Span(
        parsed.edtf,
        parsed.precision,
        parsed.earliest,
        parsed.latest,
        parsed.approximate,
        parsed.uncertain,
        parsed.days,
    )


def _start_edtf(parsed: Parsed) -> str:
    # An interval's edtf can't nest inside another interval: its first day stands in.
    return day_span(day_numbers(parsed)[0]).edtf if "/" in parsed.edtf else parsed.edtf


def _end_edtf(parsed: Parsed) -> str:
    return day_span(day_numbers(parsed)[1]).edtf if "/" in parsed.edtf else parsed.edtf


def _day_range(first: dt.date, last: dt.date) -> Parsed:
    if last < first:
        raise Refused(f"the interval ends ({last}) before it starts ({first})")
    return Parsed(edtf=f"{first}/{last}", precision="interval", earliest=first, latest=last)


def _season_fields(year: int, code: int) -> Parsed:
    earliest, latest = season_bounds(year, code)
    return Parsed(edtf=f"{year:04d}-{code}", precision="season", earliest=earliest, latest=latest)


def _part_of_month(year: int, month: int, part: str) -> Parsed:
    first, last = _MONTH_PARTS[part]
    end_of_month = month_end(checked_year(year), month)
    start, end = dt.date(year, month, first), end_of_month.replace(day=min(last, end_of_month.day))
    return Parsed(edtf=f"{start}/{end}", precision="part_of_month", earliest=start, latest=end)


def _part_of_year(year: int, part: str) -> Parsed:
    first, last = _YEAR_PARTS[part]
    return _month_span(year, first, last)


def _month_span(year: int, first: int, last: int) -> Parsed:
    """The months ``first..last`` of ``year``, as an EDTF month interval."""
    checked_year(year)
    return Parsed(
        edtf=f"{year:04d}-{first:02d}/{year:04d}-{last:02d}",
        precision="interval",
        earliest=dt.date(year, first, 1),
        latest=month_end(year, last),
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
        parsed = interval_fields(_as_span(left), _as_span(right), edtf)
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
            except Refused:
                # A borrowing that reads as a wrong date (say, a relative phrase
                # with no anchor) is just not the right borrowing.
                continue
            if parsed is not None:
                return parsed
    return _phrase(left, anchor, allow_range=False)


# --- relative phrases (resolved against an anchor day) -----------------------------------------

_Resolver = Callable[[dt.date], Parsed]

_RELATIVE_MONTH = _compile(rf"(?:{_PART})?{_M.format('m')}")
_RELATIVE_DAY = _compile(rf"{_D.format('d')} {_M.format('m')}|{_M.format('m2')} {_D.format('d2')}")
_RELATIVE_DAYS = _compile(
    rf"(?:between )?{_D.format('d')}(?:{_TO}|\s+and\s+){_D.format('e')} {_M.format('m')}"
    rf"|(?:between )?{_M.format('m2')} {_D.format('d2')}(?:{_TO}|\s+and\s+){_D.format('e2')}"
)


def _lacks_only_the_year(text: str) -> bool:
    """Whether ``text`` is a month, part of a month or day(s) written without the year."""
    for pattern in (_RELATIVE_MONTH, _RELATIVE_DAY, _RELATIVE_DAYS):
        match = pattern.fullmatch(text)
        if match and any((match.groupdict().get(g) or "").lower() in _MONTHS for g in ("m", "m2")):
            return True
    return False


#: Why a date without its year (and without an anchor) is refused, and what to do.
_MISSING_YEAR = (
    "the year is missing: add the year, or give an anchor date (--anchor on the command line)"
)
_RELATIVE_SEASON = _compile(rf"(?:(?:over|during|in) )?(?:the|this) {_SEASON}")
_WEEKEND = _compile(r"(?:(?:over|at|during) the|this) weekend")
_LAST_WEEKEND = _compile(r"(?:last|this past|the previous) weekend")
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
    if (match := _RELATIVE_DAY.fullmatch(text)) and (match["m"] or match["m2"]).lower() in _MONTHS:
        month, day = _MONTHS[(match["m"] or match["m2"]).lower()], int(match["d"] or match["d2"])
        return lambda anchor: day_fields(_recent_day(anchor, month, day))
    if (match := _RELATIVE_DAYS.fullmatch(text)) and (match["m"] or match["m2"]).lower() in _MONTHS:
        month = _MONTHS[(match["m"] or match["m2"]).lower()]
        first, last = int(match["d"] or match["d2"]), int(match["e"] or match["e2"])
        return lambda anchor: _recent_days(anchor, month, first, last)
    if match := _RELATIVE_SEASON.fullmatch(text):
        code = _SEASON_NAMES[match["season"].lower()]
        return lambda anchor: _recent_season(anchor, code)
    if _WEEKEND.fullmatch(text):
        return _this_weekend
    if _LAST_WEEKEND.fullmatch(text):
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


def _recent_day(anchor: dt.date, month: int, day: int) -> dt.date:
    # The most recent such day on or before the anchor.
    year = anchor.year if (month, day) <= (anchor.month, anchor.day) else anchor.year - 1
    return checked_day(year, month, day)


def _recent_days(anchor: dt.date, month: int, first: int, last: int) -> Parsed:
    # The year is the one in which the first day is the most recent on or before the anchor.
    start = _recent_day(anchor, month, first)
    return _day_range(start, checked_day(start.year, month, last))


def _recent_season(anchor: dt.date, code: int) -> Parsed:
    # The most recent such season that began on or before the anchor.
    first_month = SEASON_CODES[code][0]
    year = anchor.year if anchor.month >= first_month else anchor.year - 1
    return _season_fields(year, code)


def _this_weekend(anchor: dt.date) -> Parsed:
    # Written on a Saturday or Sunday, "the weekend" is that weekend; else the one before.
    if anchor.weekday() >= 5:
        saturday = anchor - dt.timedelta(days=anchor.weekday() - 5)
        return _day_range(saturday, saturday + dt.timedelta(days=1))
    return _last_weekend(anchor)


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
    year = checked_year(anchor.year + step)
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
            start = checked_year(anchor.year - 3)
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
        raise Refused("a count of zero says nothing")
    return number


def _minus_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = checked_year(index // 12), index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _minus_years(day: dt.date, years: int) -> dt.date:
    # 29 February has no counterpart in a common year: step back to the 28th.
    year = checked_year(day.year - years)
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def _previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)
