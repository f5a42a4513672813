"""``When``: a date as precise as the sources say, from a timed instant to an open interval.

Parsing lives in ``timeline._dateparse`` (text) and ``timeline._datefields`` (the
fields of dates and datetimes); the accepted forms and every convention are
documented in ``docs/dates.md``.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import re
import sys
from typing import Any

import attrs

from . import _datefields, _dateparse
from ._errors import InvalidDate

__all__ = ["OPEN_END", "OPEN_START", "Precision", "When", "bound_days", "days_between"]

#: The ``earliest`` bound of an interval open at the start (``../2024-06``).
OPEN_START = _datefields.OPEN_START
#: The ``latest`` bound of an interval open at the end (``2022/..``).
OPEN_END = _datefields.OPEN_END


class Precision(str, enum.Enum):
    """How finely a date is known, declared from finest to coarsest.

    ``rank`` gives the position (0 for ``MINUTE``), so finer sorts first.
    """

    MINUTE = "minute"
    """A timed instant, with a UTC offset or a zone."""
    DAY = "day"
    """One calendar day."""
    PART_OF_MONTH = "part_of_month"
    """Early (days 1-10), mid (11-20) or late (21-end) in a month."""
    MONTH = "month"
    """A calendar month."""
    SEASON = "season"
    """A northern-hemisphere season (EDTF level 1 codes 21-24)."""
    YEAR = "year"
    """A calendar year."""
    INTERVAL = "interval"
    """Any other span: explicit intervals, year parts, decades, open ends."""

    @property
    def rank(self) -> int:
        """Position from finest (0, ``MINUTE``) to coarsest (``INTERVAL``)."""
        return _RANK[self]


_RANK = {precision: rank for rank, precision in enumerate(Precision)}
_EPOCH = dt.datetime(1970, 1, 1)
# Stand-ins that sort before any real value, so optional fields still give a total order.
_NO_INSTANT = dt.timedelta.min
_NO_DAY = dt.date.min
# An absent optional field's part of the sort key: before any present value.
_ABSENT_INSTANT = (False, _NO_INSTANT)
_ABSENT_PHRASE = (False, "")
_ABSENT_DAY = (False, _NO_DAY)


def _instant_key(moment: dt.datetime | None) -> dt.timedelta | None:
    """Return the instant as time since the UTC epoch, for equality and order."""
    # Python calls two aware datetimes in different zones unequal when one falls
    # in a repeated (fall-back) hour, even at the same instant: a ZoneInfo start
    # would then differ from the fixed offset msgspec decodes. Compare instants.
    # A timedelta, unlike astimezone(), cannot overflow near years 1 and 9999.
    if moment is None:
        return None
    offset = moment.utcoffset()
    assert offset is not None  # When only holds aware datetimes
    return moment.replace(tzinfo=None) - _EPOCH - offset


def _to_day(value: object) -> dt.date:
    """Return the calendar day of an anchor given as a date, datetime, string or Arrow."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    when = When.coerce(value)
    if when.earliest != when.latest:
        raise InvalidDate(value, "an anchor must be a single day")
    if when.beyond_date_range:
        raise InvalidDate(value, "an anchor must be a day of the years 0001-9999")
    return when.earliest


_MIN_DAY = dt.date.min.toordinal()
_MAX_DAY = dt.date.max.toordinal()


def bound_days(edtf: str, earliest: dt.date, latest: dt.date) -> tuple[int, int]:
    """Return a date's bounds as proleptic Gregorian day numbers, exact for any year.

    The day numbers are ``date.toordinal()``'s for the years 0001-9999 and go on
    past them (0000-12-31 is day 0, earlier days are negative). An open or unknown
    end counts as ``date.min`` / ``date.max`` does (day 1 / 3652059), as ever.

    Args:
        edtf: the date's EDTF string (``When.edtf``).
        earliest: its ``earliest`` (clamped to ``date.min`` before year 1).
        latest: its ``latest`` (clamped to ``date.max`` after year 9999).

    Returns:
        ``(first day, last day)``.
    """
    # Only a bound at the edge of datetime.date can stand for a day beyond it; the
    # EDTF then says which day (read once per string).
    if earliest == OPEN_START or latest == OPEN_END:
        days = _far_days(edtf)
        if days is not None:
            return days
    return earliest.toordinal(), latest.toordinal()


@functools.lru_cache(maxsize=1024)
def _far_days(edtf: str) -> tuple[int, int] | None:
    """The exact day numbers of a date beyond the years 0001-9999; None for any other date."""
    try:
        parsed = _datefields.parse_edtf(edtf)
    except _datefields.Refused:
        return None
    return None if parsed is None else parsed.days


# How EDTF writes an open start or end, for an interval and for a set ("[..1760-12-03]").
_OPEN_STARTS = ("../", "[..", "{..")
_OPEN_ENDS = ("/..", "..]", "..}")
# An interval between two exact days or instants ("2025-12-04/2025-12-05").
_EXACT_INTERVAL = re.compile(r"^\d{4}-\d{2}-\d{2}(T[^/]+)?/\d{4}-\d{2}-\d{2}(T[^/]+)?$")


def _check_whole(anchor: dt.date | None, when: When) -> dt.date | None:
    # The converter of the last field runs once every other field is set: the place
    # to check the value as a whole. msgspec skips converters when it rebuilds a
    # When from the log, so replay does not pay for a check the value passed once.
    if when.latest < when.earliest:
        raise InvalidDate(when.edtf, f"latest {when.latest} is before earliest {when.earliest}")
    for moment in (when.start, when.end):
        # Equality, hashing and order read instants, which a naive datetime is not.
        if moment is not None and moment.utcoffset() is None:
            raise InvalidDate(when.edtf, "start and end must be aware datetimes")
    return anchor


@attrs.frozen(kw_only=True)
class When:
    """When something happened, as precisely as the sources say.

    A ``When`` keeps the canonical EDTF string, the text as written, and the
    strict calendar bounds ``earliest..latest`` (inclusive). Timed events also
    keep the aware instant(s) in ``start``/``end``.

    Build one with ``When.parse`` (text), ``When.coerce`` (anything date-like)
    or ``When.from_bounds`` (two days); the constructor is for decoders.

    Order (``<``, ``sorted``): by ``earliest`` first, then finer ``precision``
    first, then the start instant, ``latest``, ``edtf``, ``phrase``, and the
    remaining fields, so the order is total and deterministic; see
    ``sort_key``. Equality compares every field, ``start`` and ``end`` as
    instants (whatever their zone).
    """

    edtf: str
    """Canonical, valid EDTF string, e.g. ``2025-12``, ``2019~/2024-06``, ``2022/..``."""
    precision: Precision
    """How finely the date is known."""
    earliest: dt.date
    """First calendar day it may fall on (inclusive); ``date.min`` for an open start.

    ``date.min`` also for a day before 0001-01-01 and ``date.max`` for one after
    9999-12-31, which ``datetime.date`` cannot hold (``-0999``, ``Y170000002``):
    ``bound_days`` then gives the exact days, see ``beyond_date_range``.
    """
    latest: dt.date
    """Last calendar day it may fall on (inclusive); ``date.max`` for an open end.

    Clamped into ``date.min..date.max`` as ``earliest`` is.
    """
    start: dt.datetime | None = attrs.field(default=None, eq=_instant_key)
    """The aware instant of a timed event (its zone kept); ``None`` for calendar dates."""
    end: dt.datetime | None = attrs.field(default=None, eq=_instant_key)
    """The aware end instant of a timed interval; otherwise ``None``."""
    approximate: bool = False
    """EDTF ``~`` (circa); ``%`` sets this and ``uncertain``."""
    uncertain: bool = False
    """EDTF ``?`` (the source is unsure); ``%`` sets this and ``approximate``."""
    phrase: str | None = None
    """The text as written, when it was not already the canonical EDTF string."""
    # attrs' mypy plugin does not yet understand Converter(takes_self=True).
    anchor: dt.date | None = attrs.field(
        default=None,
        converter=attrs.Converter(_check_whole, takes_self=True),  # type: ignore[call-overload,misc]
    )
    """The day a relative phrase ("last week") was resolved against; else ``None``."""

    # --- building -----------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, anchor: dt.date | dt.datetime | str | None = None) -> When:
        """Read an EDTF string, an ISO 8601 date-time, or an English date phrase.

        Args:
            text: e.g. ``"2025-12-02"``, ``"2025-12-04T10:00+05:30"``, ``"early December 2025"``,
                ``"since 2022"``, ``"over the weekend"``.
            anchor: the day relative phrases are resolved against, usually the
                publication date of the source (a date, an aware datetime's day, or
                any single-day string). Ignored by absolute dates.

        Returns:
            The ``When``; ``phrase`` keeps ``text`` unless it was canonical EDTF,
            and ``anchor`` is set only when a relative phrase used it.

        Raises:
            InvalidDate: naming the text and why it was refused (also when a
                relative phrase has no anchor).

        """
        if not isinstance(text, str):
            raise InvalidDate(text, f"expected a string, got {type(text).__name__}")
        day = None if anchor is None else _to_day(anchor)
        return _parse(text, day) if cls is When else _build(cls, text, day)

    @classmethod
    def coerce(cls, value: object, *, anchor: dt.date | dt.datetime | str | None = None) -> When:
        """Make a ``When`` from anything date-like; this is what every date argument goes through.

        Args:
            value: a ``When`` (returned as is), a string (parsed), a ``date`` (day
                precision), an aware ``datetime`` or an ``arrow.Arrow`` (a timed event).
            anchor: passed to ``When.parse`` for relative phrases.

        Returns:
            The ``When``.

        Raises:
            InvalidDate: for unparseable text, a naive datetime, or any other type.

        """
        if isinstance(value, When):
            return value
        if isinstance(value, str):
            return cls.parse(value, anchor)
        # Without arrow imported there is no Arrow to convert: importing it costs 20 ms.
        arrow = sys.modules.get("arrow")
        if arrow is not None and isinstance(value, arrow.Arrow):
            value = value.datetime
        if isinstance(value, dt.datetime):
            if value.utcoffset() is None:
                raise InvalidDate(
                    value,
                    "a datetime needs a UTC offset or a time zone (tzinfo); "
                    "a naive datetime is ambiguous",
                )
            return cls._from_parsed(_datefields.timed_fields(value))
        if isinstance(value, dt.date):
            return cls._from_parsed(_datefields.day_fields(value))
        raise InvalidDate(
            value,
            f"cannot read a date from a {type(value).__name__}; expected a str, "
            "datetime.date, aware datetime.datetime, arrow.Arrow or When",
        )

    @classmethod
    def from_bounds(cls, earliest: dt.date, latest: dt.date) -> When:
        """Make a single day (when both bounds are equal) or the interval between two days.

        Args:
            earliest: first day (inclusive); ``OPEN_START`` (``date.min``) for an open start.
            latest: last day (inclusive); ``OPEN_END`` (``date.max``) for an open end.

        Returns:
            A ``DAY`` or ``INTERVAL`` ``When`` with an EDTF day interval such as
            ``2025-12-04/2025-12-05`` or ``2022-01-01/..``.

        Raises:
            InvalidDate: if ``latest`` precedes ``earliest`` or both ends are open.

        """
        days = [d.date() if isinstance(d, dt.datetime) else d for d in (earliest, latest)]
        return cls._from_parsed(_datefields.bounds_fields(days[0], days[1]))

    @classmethod
    def from_parts(
        cls, edtf: str, phrase: str | None = None, anchor: dt.date | str | None = None
    ) -> When:
        """Rebuild a ``When`` from its stored parts: EDTF string, phrase and anchor.

        The phrase, when there is one, is read again (against the anchor) and
        must give the same EDTF, or a refinement of it (an EDTF date inside what
        the phrase says, as ``refine`` keeps), so a file cannot carry a date whose
        words and EDTF disagree. Importers use this.

        Raises:
            InvalidDate: a part cannot be read, or the EDTF is not within what the phrase says.

        """
        day: dt.date | None = None
        if isinstance(anchor, dt.date):
            day = anchor
        elif anchor:
            try:
                day = dt.date.fromisoformat(str(anchor))
            except ValueError:
                raise InvalidDate(anchor, "an anchor must be an ISO date (YYYY-MM-DD)") from None
        if not phrase:
            when = cls.parse(edtf)
        else:
            words = cls.parse(phrase, anchor=day)
            when = words
            if words.edtf != edtf:
                when = cls.parse(edtf)
                if not when.within(words.earliest, words.latest):
                    raise InvalidDate(
                        phrase, f"it reads as {words.edtf}, not {edtf} nor a date within it"
                    )
                when = attrs.evolve(when, phrase=words.phrase, anchor=words.anchor)
        # An anchor given with an absolute date is kept: the day the source wrote it.
        return when if day is None or when.anchor == day else attrs.evolve(when, anchor=day)

    @classmethod
    def _from_parsed(
        cls,
        parsed: _datefields.Parsed,
        *,
        phrase: str | None = None,
        anchor: dt.date | None = None,
    ) -> When:
        return cls(
            edtf=parsed.edtf,
            precision=Precision(parsed.precision),
            earliest=parsed.earliest,
            latest=parsed.latest,
            start=parsed.start,
            end=parsed.end,
            approximate=parsed.approximate,
            uncertain=parsed.uncertain,
            phrase=phrase,
            anchor=anchor,
        )

    def refine(self, new: When) -> When:
        """Return ``new``, keeping this date's words as written when ``new`` refines them.

        A date first recorded as a source wrote it ("in early December", anchored
        on the article's day) and later narrowed by a confirming source
        ("2025-12-02") is still the date the phrase speaks of: the result has the
        new EDTF and bounds with the old phrase and anchor. ``new`` is returned as
        it is when it carries words of its own (they replace the old ones), when
        this date has no phrase, or when ``new`` falls outside what the phrase
        says (the words no longer describe it). ``Timeline.amend`` uses this.

        Raises:
            InvalidDate: this date's phrase can no longer be read (a log written
                by a version that read it differently).
        """
        if new.phrase is not None or self.phrase is None:
            return new
        words = When.parse(self.phrase, anchor=self.anchor)
        if not new.within(words.earliest, words.latest):
            return new
        return attrs.evolve(new, phrase=self.phrase, anchor=self.anchor)

    # --- reading ------------------------------------------------------------------------------

    @property
    def is_fuzzy(self) -> bool:
        """Whether the sources leave the exact day(s) open.

        True when it is approximate or uncertain, coarser than a day, or an
        interval whose ends are not both exact days or instants. "4-5 December
        2025" (two known days) is not fuzzy; "early December 2025" and
        "2025-12-08?/2025-12-10?" are. Calendars, CSV and analyses all use this
        one rule.
        """
        if self.approximate or self.uncertain:
            return True
        if self.edtf[:1] in _datefields.SET_KINDS:
            # One of several dates leaves the day open; all of several exact days does not.
            members = self.members
            return any(m.is_fuzzy for m in members) or (self.is_one_of and len(members) > 1)
        if self.precision is Precision.INTERVAL:
            return _EXACT_INTERVAL.match(self.edtf) is None
        return self.precision.rank > Precision.DAY.rank

    @property
    def is_one_of(self) -> bool:
        """Whether it is one of a set of dates (EDTF level 2 ``[2025-12-08,2025-12-10]``)."""
        return self.edtf.startswith("[")

    @property
    def is_all_of(self) -> bool:
        """Whether it is all of a set of dates (EDTF level 2 ``{2025-12-08,2025-12-10}``)."""
        return self.edtf.startswith("{")

    @property
    def members(self) -> tuple[When, ...]:
        """The dates of a set, in the order written (a range ``a..b`` is the interval ``a/b``).

        For a one-of set these are the candidates; for any other date, ``()``.
        ``earliest`` and ``latest`` are the first and last day of any member.
        """
        return _members(self.edtf) if self.edtf[:1] in _datefields.SET_KINDS else ()

    @property
    def is_exact(self) -> bool:
        """The opposite of ``is_fuzzy``: a known day, instant, or span of known days."""
        return not self.is_fuzzy

    @property
    def is_open(self) -> bool:
        """Whether an end is open (EDTF ``..``: ``2022/..``, ``../2024-06``).

        Read from the EDTF, not the bounds: ``0001-01-01`` and ``9999-12-31`` are
        real days, though an open end's bound is ``date.min`` / ``date.max``.
        """
        return self.edtf.startswith(_OPEN_STARTS) or self.edtf.endswith(_OPEN_ENDS)

    @property
    def has_unknown_end(self) -> bool:
        """Whether an interval end is unknown (EDTF ``/2006``, ``2004-06-01/``).

        An unknown end exists but is not given, unlike an open one that goes on;
        its bound is ``date.min`` / ``date.max`` as for an open end.
        """
        return self.edtf.startswith("/") or self.edtf.endswith("/")

    @property
    def bound_days(self) -> tuple[int, int]:
        """The bounds as proleptic Gregorian day numbers, exact for any year (``bound_days``).

        ``(earliest.toordinal(), latest.toordinal())`` for the years 0001-9999; beyond
        them the exact days (``0000`` is days -365..0); open and unknown ends count as
        ``date.min`` / ``date.max``.
        """
        return bound_days(self.edtf, self.earliest, self.latest)

    @property
    def beyond_date_range(self) -> bool:
        """Whether a bound is a day outside 0001-01-01..9999-12-31 (year 0, negative, Y years).

        ``earliest`` / ``latest`` are then clamped to ``date.min`` / ``date.max``;
        ``bound_days`` and ``earliest_ordinal`` / ``latest_ordinal`` hold the exact days.
        """
        first, last = self.bound_days
        return first < _MIN_DAY or last > _MAX_DAY

    @property
    def earliest_ordinal(self) -> int | None:
        """``earliest`` as a proleptic-Gregorian day number (``date.toordinal()``), for any year.

        ``None`` when the start is open or unknown, so an integer index can tell an
        open start from the real day 0001-01-01 (ordinal 1). Before year 1 the
        number is 0 or negative (0000-12-31 is day 0).
        """
        if self.edtf.startswith(_OPEN_STARTS) or self.edtf.startswith("/"):
            return None
        return self.bound_days[0]

    @property
    def latest_ordinal(self) -> int | None:
        """``latest`` as a day number, for any year; ``None`` for an open or unknown end."""
        if self.edtf.endswith(_OPEN_ENDS) or self.edtf.endswith("/"):
            return None
        return self.bound_days[1]

    @property
    def is_bounded(self) -> bool:
        """Whether both bounds are real days: no open and no unknown end."""
        return not (self.is_open or self.has_unknown_end)

    @property
    def local_time(self) -> dt.datetime | None:
        """The wall-clock time of a floating local time (``1985-04-12T23:20:30``, no offset).

        ``None`` for every other date, timed ones included (their instant is ``start``).
        """
        if self.start is not None or self.precision is not Precision.MINUTE:
            return None
        return dt.datetime.fromisoformat(self.edtf)

    @property
    def is_refined(self) -> bool:
        """Whether a later source narrowed the phrase: its words say more than ``edtf``.

        "in early December" (``2025-12-01/2025-12-10``) amended to ``2025-12-02``
        keeps its phrase (``refine``) and is refined. A phrase that is no date's words
        (a label such as a life-cycle step's "in early December (2025-12-02)") is not.
        """
        if self.phrase is None:
            return False
        try:
            words = When.parse(self.phrase, anchor=self.anchor)
        except InvalidDate:
            return False
        return words.edtf != self.edtf

    @property
    def display(self) -> str:
        """The text to show: the phrase as written if any, else the EDTF string.

        A refined date shows both: "in early December (2025-12-02)".
        """
        if self.phrase is None:
            return self.edtf
        return f"{self.phrase} ({self.edtf})" if self.is_refined else self.phrase

    def __str__(self) -> str:
        return self.display

    @property
    def described(self) -> str:
        """The phrase with what it resolved to, when the phrase alone does not say.

        "over the summer (summer 2025)", "for the past year (2024-06-23/2025-06-23)":
        a phrase read against an anchor, or written without a year, is followed by
        its resolution; a refined phrase is followed by the EDTF it was narrowed to
        ("in early December (2025-12-02)", as ``display``); other phrases and EDTF
        are shown as they are (``display``).
        ``list``, ``show`` and calendar descriptions show this.
        """
        return self.describe()

    def describe(self, *, with_edtf: bool = False) -> str:
        """Return ``described``, with the EDTF added in the parentheses if ``with_edtf``.

        Args:
            with_edtf: also give the EDTF string when it is not already shown, as a
                calendar does for a fuzzy date ("early December 2025 (2025-12-01/2025-12-10)").

        """
        if self.phrase is None:
            return self.edtf
        notes = []
        if self.is_refined:  # a later source narrowed the words: say to what, exactly
            notes.append(self.edtf)
        elif self.anchor is not None or _ANY_YEAR.search(self.phrase) is None:
            notes.append(_resolution(self))
        if with_edtf and self.edtf not in notes:
            notes.append(self.edtf)
        return f"{self.phrase} ({', '.join(notes)})" if notes else self.phrase

    # --- ordering -----------------------------------------------------------------------------

    @property
    def sort_key(self) -> tuple[Any, ...]:
        """Key of ``<`` and ``sorted``: earliest day, then finer precision, then the rest.

        Every field takes part, so two ``When`` with equal keys are equal. The days
        are day numbers (``bound_days``), so years before 1 and after 9999 sort too.
        """
        # Written out rather than through the bound_days property and a helper per
        # optional field: a walk of the timeline puts ties in exact order by this key,
        # once per event (1.8 us an event before, 1.2 us now, on the 100k benchmark log).
        first, last = bound_days(self.edtf, self.earliest, self.latest)
        start, end, phrase, anchor = self.start, self.end, self.phrase, self.anchor
        return (
            first,
            _RANK[self.precision],
            _ABSENT_INSTANT if start is None else (True, _instant_key(start)),
            last,
            self.edtf,
            _ABSENT_PHRASE if phrase is None else (True, phrase),
            _ABSENT_INSTANT if end is None else (True, _instant_key(end)),
            self.approximate,
            self.uncertain,
            _ABSENT_DAY if anchor is None else (True, anchor),
        )

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, When):
            return NotImplemented
        return self.sort_key < other.sort_key

    def __le__(self, other: object) -> bool:
        if not isinstance(other, When):
            return NotImplemented
        return self.sort_key <= other.sort_key

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, When):
            return NotImplemented
        return self.sort_key > other.sort_key

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, When):
            return NotImplemented
        return self.sort_key >= other.sort_key

    # --- comparing with day ranges ------------------------------------------------------------

    def overlaps(self, start: object = None, end: object = None) -> bool:
        """Whether any day it may fall on is in the window ``start..end`` (inclusive).

        For a set, the days it may fall on are its members' days: ``[2025-12-08,2025-12-10]``
        does not overlap 9 December.

        Args:
            start: the window's first day; anything ``When.coerce`` takes (its
                ``earliest`` counts), or ``None`` for no lower limit.
            end: the window's last day (its ``latest`` counts), or ``None`` for no upper limit.

        Returns:
            True if the bounds ``earliest..latest`` and the window share a day.

        Raises:
            InvalidDate: if a bound can't be read, or the window ends before it starts.

        """
        first, last = _window(start, end)
        low, high = _reach(self)
        if not (low <= last and first <= high):
            return False
        # A set's possible days are its members' days, not every day between them.
        members = self.members
        return not members or any(_reach(m)[0] <= last and first <= _reach(m)[1] for m in members)

    def within(self, start: object = None, end: object = None) -> bool:
        """Whether every day it may fall on is in the window ``start..end`` (inclusive).

        Args:
            start: the window's first day, as for ``overlaps``; ``None`` for no lower limit.
            end: the window's last day, as for ``overlaps``; ``None`` for no upper limit.

        Returns:
            True if both ``earliest`` and ``latest`` are inside the window.

        Raises:
            InvalidDate: if a bound can't be read, or the window ends before it starts.

        """
        first, last = _window(start, end)
        low, high = _reach(self)
        return first <= low and high <= last


@functools.lru_cache(maxsize=1024)
def _members(edtf: str) -> tuple[When, ...]:
    """The members of the set written ``edtf`` (``When.members``), read once per string."""
    out = []
    for first, last in _datefields.set_members(edtf):
        if first is last:
            assert first is not None  # a single date is (span, span)
            out.append(When.parse(first.edtf))
        else:
            left = ".." if first is None else first.edtf
            out.append(When.parse(f"{left}/{'..' if last is None else last.edtf}"))
    return tuple(out)


_ANY_YEAR = re.compile(r"\d{4}", re.ASCII)
_SEASON_WORDS = {21: "spring", 22: "summer", 23: "autumn", 24: "winter"}
_SEASON_WORDS.update({code + 4: word for code, word in _SEASON_WORDS.items()})
_SEASON_WORDS.update({code + 8: f"southern {word}" for code, word in _SEASON_WORDS.items()})


def _day_text(day: dt.date) -> str:
    return f"{day.day} {_datefields.MONTH_NAMES[day.month - 1]} {day.year:04d}"


def _resolution(when: When) -> str:
    """What a date resolved to, in words where a plain form exists, else its EDTF."""
    if when.approximate or when.uncertain or when.start is not None or when.beyond_date_range:
        return when.edtf
    if when.members:
        return (" or " if when.is_one_of else " and ").join(_resolution(m) for m in when.members)
    first, last = when.earliest, when.latest
    if when.precision is Precision.DAY:
        return _day_text(first)
    if when.precision is Precision.MONTH and "X" not in when.edtf:
        return f"{_datefields.MONTH_NAMES[first.month - 1]} {first.year:04d}"
    if when.precision is Precision.YEAR and "X" not in when.edtf:
        return f"{first.year:04d}"
    if when.precision is Precision.SEASON:
        return f"{_SEASON_WORDS[int(when.edtf[5:7])]} {first.year:04d}"
    if when.is_bounded and _EXACT_DAYS.match(when.edtf):
        if (first.year, first.month) == (last.year, last.month):
            return f"{first.day}-{_day_text(last)}"
        return f"{_day_text(first)} - {_day_text(last)}"
    return when.edtf


# A day interval ("2025-12-01/2025-12-10"), which reads better in words.
_EXACT_DAYS = re.compile(r"^\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$", re.ASCII)


_NO_LIMIT = float("inf")


def _reach(when: When) -> tuple[float, float]:
    """The first and last day a date may fall on, as day numbers; open ends are infinite."""
    first, last = when.bound_days
    edtf = when.edtf
    low = -_NO_LIMIT if edtf.startswith(_OPEN_STARTS) or edtf.startswith("/") else first
    high = _NO_LIMIT if edtf.endswith(_OPEN_ENDS) or edtf.endswith("/") else last
    return low, high


def _bound(value: object, at: int) -> float:
    """One end of a window: the first (``at`` 0) or last (1) day ``value`` may fall on."""
    if type(value) is dt.date:
        # What When.coerce(day) reaches, without building it: an analysis asks once per
        # event (cadence over 100k events spent 5.7 of its 13.7 s coercing its periods).
        return value.toordinal()
    return _reach(When.coerce(value))[at]


def _window(start: object, end: object) -> tuple[float, float]:
    first = -_NO_LIMIT if start is None else _bound(start, 0)
    last = _NO_LIMIT if end is None else _bound(end, 1)
    if last < first:
        raise InvalidDate(f"{start}..{end}", "the window ends before it starts")
    return first, last


def days_between(a: When, b: When) -> tuple[int, int]:
    """Count the fewest and most whole days from ``a`` to ``b``, given both dates' bounds.

    Used to show the time between two fuzzy steps as a range ("3-40 days").
    Negative numbers mean ``b`` may come before ``a``.

    Args:
        a: the earlier step.
        b: the later step.

    Returns:
        ``(b.earliest - a.latest, b.latest - a.earliest)`` in days.

    Raises:
        InvalidDate: if either date has an open or unknown end (the distance is unbounded).

    """
    for when in (a, b):
        if not when.is_bounded:
            raise InvalidDate(when.display, "an open-ended date has no bounded distance")
    (a_first, a_last), (b_first, b_last) = a.bound_days, b.bound_days
    return b_first - a_last, b_last - a_first


def _build(cls: type[When], text: str, day: dt.date | None) -> When:
    """Parse ``text`` into a ``cls`` (``When.parse`` once the anchor is a day)."""
    parsed = _dateparse.parse_text(text, day)
    stripped = text.strip()
    return cls._from_parsed(
        parsed,
        phrase=None if stripped == parsed.edtf else stripped,
        anchor=day if parsed.relative else None,
    )


@functools.lru_cache(maxsize=8192)
def _parse(text: str, day: dt.date | None) -> When:
    """``_build`` for ``When`` itself, memoised.

    Sources repeat their dates ("2025-12-04", "early December 2025"), a ``When``
    is immutable, and parsing a phrase costs more than the rest of an event, so
    an import or a batch of records pays for each distinct date once (40% of the
    benchmark workload's dates repeat: 9.6 -> 6.6 us per parse). Refused text
    raises every time: exceptions are not cached.
    """
    return _build(When, text, day)
