"""Tests for timeline._datefields: EDTF held against an independent implementation.

The oracle is python-edtf (PyPI ``edtf``, in the test extra): for every case of the
EDTF specification's levels 0 and 1 that geotimeline reads, its strict bounds must
equal the oracle's, and every ``edtf`` a ``When`` stores must be valid EDTF to it.
"""

from __future__ import annotations

import datetime as dt
import re
import time

import edtf
import pytest
from hypothesis import given, settings
from tests.strategies import whens

from timeline._when import When

# python-edtf's own examples of levels 0 and 1 (its tests/test_parser.py, release 5.0.2), in
# its order: 16 and 37. All have the oracle's strict bounds here but winter ("2010-24"),
# a documented convention (test_winter_runs_into_the_next_year).
LEVEL_0 = [
    "2001-02-03",
    "2008-12",
    "2008",
    "-0999",
    "0000",
    "2001-02-03T09:30:01",
    "2004-01-01T10:10:10Z",
    "2004-01-01T10:10:10+05:00",
    "1985-04-12T23:20:30",
    "1964/2008",
    "2004-06/2006-08",
    "2004-02-01/2005-02-08",
    "2004-02-01/2005-02",
    "2004-02-01/2005",
    "2005/2006-02",
    "-2005/-1999-02",
]
LEVEL_1 = [
    "1984?",
    "2004-06-11?",
    "2004-06?",
    "1984~",
    "1984%",
    "199X",
    "19XX",
    "1999-XX",
    "1999-01-XX",
    "1999-XX-XX",
    "-01XX",
    "-0275~",
    "-0001~",
    "0000~",
    "16XX~",
    "16XX%",
    "1XXX",
    "1XXX~",
    "156X~",
    "-01XX~",
    "/2006",
    "2004-06-01/",
    "../2006",
    "2004-01-01/..",
    "1984~/2004-06",
    "1984/2004-06~",
    "1984?/2004%",
    "1984~/2004~",
    "1984-06?/2004-08?",
    "1984-06-02?/2004-08-08~",
    "1984-06-02?/",
    "Y170000002",
    "Y-170000002",
    "2001-21",
    "2003-22",
    "2000-23",
    "2010-24",
]
# More of the specification's level 0 and 1 examples: the range's end days, every open and
# unknown end, qualified and unspecified forms, an hours-only offset.
SPECIFICATION = [
    "0001-01-01",
    "9999-12-31",
    "2004-06~",
    "2004-06-11%",
    "201X",
    "20XX",
    "2004-XX",
    "1985-04-XX",
    "1985-XX-XX",
    "1985-04-12/..",
    "1985-04/..",
    "1985/..",
    "../1985-04-12",
    "../1985-04",
    "../1985",
    "1985-04-12/",
    "1985-04/",
    "1985/",
    "/1985-04-12",
    "/1985-04",
    "/1985",
    "1984-06-02?/",
    "2004-06-11%/2004-06~",
    "1985-04-12T23:20:30-04",
]
OUTSIDE_THE_ORACLE = re.compile(r"\d{4}-2[1-4][?~%]|X.*/|/.*X")
WINTER = re.compile(r"\d{4}-24(?![\d-])")
# Years outside 0001-9999, which datetime.date cannot hold: their bounds are day numbers.
BEYOND_DATES = ["0000", "-0999", "Y170000002", "Y-170000002", "-2005/-1999-02", "-01XX", "0000~"]


def oracle_bounds(text: str) -> tuple[dt.date | None, dt.date | None]:
    """python-edtf's strict bounds of ``text``; None for an open or unknown end.

    python-edtf gives an unknown end a bound ten years from the known one, its own
    convention (the standard sets none); geotimeline leaves it unbounded, so an
    unknown end is compared as absent, like an open one.
    """
    parsed = edtf.parse_edtf(text)
    ends = text.split("/") if "/" in text else [text, text]
    out: list[dt.date | None] = []
    for end, bound in zip(ends, ("lower_strict", "upper_strict"), strict=True):
        if end in ("", ".."):
            out.append(None)
            continue
        moment: time.struct_time = getattr(parsed, bound)()
        out.append(dt.date(moment.tm_year, moment.tm_mon, moment.tm_mday))
    return out[0], out[1]


def bounded(when: When) -> tuple[dt.date | None, dt.date | None]:
    """The bounds of ``when``, None for an end that is open or unknown."""
    start_open = when.edtf.startswith(("/", "../"))
    end_open = when.edtf.endswith(("/", "/.."))
    return (None if start_open else when.earliest, None if end_open else when.latest)


# Level 2 sets: one of ("[..]") and all of ("{..}").
LEVEL_2_SETS = [
    "[1667,1668,1670..1672]",
    "[1760-01,1760-02,1760-12..]",
    "[..1760-12-03]",
    "[2025-12-08,2025-12-10]",
    "{1667,1668,1670..1672}",
    "{1960,1961-12}",
]


# Level 2 forms the model carries: qualified parts (the whole date takes the qualifier, the
# bounds are the date's) and sub-year groupings 25-41 (28 and 30 aside: they start in
# December and, as for 24, python-edtf ends them on 31 December).
LEVEL_2_OTHER = [
    "2004-06~-11",
    "2004?-06-11",
    "?2004-06-~11",
    "2004-%06-11",
    "2004-06-~01/2004-06-~20",
    *[f"2011-{code}" for code in range(25, 42) if code not in (28, 30)],
]


@pytest.mark.parametrize("text", LEVEL_2_OTHER)
def test_level_2_forms_have_the_same_strict_bounds_as_python_edtf(text: str) -> None:
    """Qualified parts and sub-year groupings: the oracle's strict bounds, the EDTF as written."""
    when = When.parse(text)
    assert (oracle_bounds(text), text, None) == (bounded(when), when.edtf, when.phrase)


@pytest.mark.parametrize(
    ("text", "approximate", "uncertain"),
    [("2004-06~-11", True, False), ("2004?-06-11", False, True), ("?2004-06-~11", True, True)],
)
def test_a_qualified_part_qualifies_the_whole_date(
    text: str, approximate: bool, uncertain: bool
) -> None:
    """The model's qualifiers are the whole date's: a qualified part sets them."""
    when = When.parse(text)
    assert (approximate, uncertain, True) == (when.approximate, when.uncertain, when.is_fuzzy)


def test_december_seasons_run_into_the_next_year() -> None:
    """The seasons from December (28 northern winter, 30 southern summer) end in February."""
    for code in (28, 30):
        when = When.parse(f"2011-{code}")
        assert (dt.date(2011, 12, 1), dt.date(2012, 2, 29)) == (when.earliest, when.latest)


@pytest.mark.parametrize("text", LEVEL_2_SETS)
def test_sets_have_the_same_strict_bounds_as_python_edtf(text: str) -> None:
    """Level 2 sets: the bounds of their members, as the independent implementation gives them."""
    when = When.parse(text)
    parsed = edtf.parse_edtf(text)
    expected = []
    for bound, is_open in (
        ("lower_strict", when.edtf[1:3] == ".."),
        ("upper_strict", when.edtf[-3:-1] == ".."),
    ):
        moment = None if is_open else getattr(parsed, bound)()
        expected.append(None if moment is None else dt.date(*moment[:3]))
    start = None if when.edtf[1:3] == ".." else when.earliest
    end = None if when.edtf[-3:-1] == ".." else when.latest
    assert tuple(expected) == (start, end)


@pytest.mark.parametrize(
    "text", [t for t in LEVEL_0 + LEVEL_1 + SPECIFICATION if not WINTER.search(t)]
)
def test_same_strict_bounds_as_python_edtf(text: str) -> None:
    """Levels 0 and 1: the same strict bounds as the independent implementation, as days.

    Day numbers, so that year 0, negative and Y years compare too; an open or unknown
    end is None on both sides (python-edtf's ten years for an unknown end are its own).
    The stored ``edtf`` (``-04`` is written ``-04:00``) reads to the same bounds.
    """
    when = When.parse(text)
    assert oracle_end_days(text) == bounded_days(when) == oracle_end_days(when.edtf)


def test_winter_runs_into_the_next_year() -> None:
    """Winter (24) is December to February, a documented convention python-edtf does not share.

    python-edtf ends winter 2010 on 31 December 2010; docs/dates.md defines it as
    1 December 2010 - 28 February 2011, and the lower bounds agree.
    """
    when = When.parse("2010-24")
    assert (dt.date(2010, 12, 1), dt.date(2011, 2, 28)) == (when.earliest, when.latest)
    assert oracle_bounds("2010-24")[0] == when.earliest


def oracle_days(text: str) -> tuple[int, int]:
    """python-edtf's strict bounds of ``text`` as proleptic Gregorian day numbers, any year."""
    parsed = edtf.parse_edtf(text)
    return tuple(  # type: ignore[return-value]
        day_number(*getattr(parsed, bound)()[:3]) for bound in ("lower_strict", "upper_strict")
    )


def day_number(year: int, month: int, day: int) -> int:
    """The day number of a day of any year, counted independently of timeline's own count."""
    # Shift by whole 400-year Gregorian cycles (146,097 days) into what datetime holds.
    cycles = (dt.MINYEAR + 400 - year) // 400 if year < dt.MINYEAR else 0
    cycles -= (year - dt.MAXYEAR + 399) // 400 if year > dt.MAXYEAR else 0
    return dt.date(year + 400 * cycles, month, day).toordinal() - 146_097 * cycles


@pytest.mark.parametrize("text", BEYOND_DATES)
def test_years_beyond_the_date_range_have_the_oracles_days(text: str) -> None:
    """Year 0, negative and Y years: the oracle's strict bounds, as exact day numbers."""
    when = When.parse(text)
    assert (oracle_days(text), True, text) == (when.bound_days, when.beyond_date_range, when.edtf)
    assert (when.earliest_ordinal, when.latest_ordinal) == when.bound_days


def test_the_count_of_days_runs_on_before_year_1() -> None:
    """Day 1 is 0001-01-01 as for date.toordinal(); 0000-12-31 is day 0, year 0 is a leap year."""
    assert (-365, 0) == When.parse("0000").bound_days
    assert (1, 1) == When.parse("0001-01-01").bound_days
    assert (0, 0) == When.parse("0000-12-31").bound_days
    assert When.parse("0000-02-29").bound_days == (-306, -306)


def test_far_dates_clamp_their_calendar_days() -> None:
    """``earliest`` / ``latest`` are the nearest days a datetime.date holds; the EDTF says which."""
    past, future = When.parse("-0999"), When.parse("Y170000002")
    assert (dt.date.min, dt.date.min, False) == (past.earliest, past.latest, past.is_open)
    assert (dt.date.max, dt.date.max, False) == (future.earliest, future.latest, future.is_open)


@pytest.mark.parametrize(
    "text",
    [
        "2025-12-04T10:00:00Z/2025-12-05T18:00:00Z",
        "2025-12-04T10:00 Asia/Kolkata",
        "early December 2025",
        "the past few years",
        "over the weekend",
        "4-6 June",
        "before 2017",
        "after March 2022",
        "Q3 2016",
        "the 1990s",
    ],
)
def test_stored_edtf_of_phrases_is_valid(text: str) -> None:
    """What ``edtf`` stores for timed intervals and phrases is valid EDTF with the same bounds."""
    when = When.parse(text, anchor=dt.date(2024, 6, 23))
    assert oracle_bounds(when.edtf) == bounded(when)


@settings(deadline=None, max_examples=40)  # python-edtf (pyparsing) is slow: ~70 ms a date
@given(whens().filter(lambda w: not OUTSIDE_THE_ORACLE.search(w.edtf)))
def test_every_stored_edtf_is_valid(when: When) -> None:
    """Any When's edtf is accepted by python-edtf, with the same bounds (winter aside).

    Left out where python-edtf itself fails: a qualified season (``2024-22~``; its
    grammar has no qualifier on a season, ``test_qualified_season``) and an interval
    with an X-digit end (``2004-XX/2005``, ``../001X``: its PartialUnspecified and
    open-interval classes raise on them). Years beyond 0001-9999 compare as day numbers.
    """
    if when.beyond_date_range:
        edtf.parse_edtf(when.edtf)  # valid EDTF to the oracle
        if WINTER.search(when.edtf):  # we run winter December-February (documented)
            assert oracle_end_days(when.edtf)[0] == bounded_days(when)[0]
        else:
            assert oracle_end_days(when.edtf) == bounded_days(when)
        return
    oracle = oracle_bounds(when.edtf)
    if WINTER.search(when.edtf):
        assert oracle[0] == bounded(when)[0]
    else:
        assert oracle == bounded(when)


def oracle_end_days(text: str) -> tuple[int | None, int | None]:
    """The oracle's strict bounds as day numbers, each end read alone; None: open or unknown."""
    if text[0] in "[{":
        return oracle_days(text)
    ends = text.split("/") if "/" in text else [text, text]
    # python-edtf's interval classes fail on an open end beside a negative year
    # ('-0999/..' raises TypeError): read each end on its own.
    first = None if ends[0] in ("", "..") else oracle_days(ends[0])[0]
    last = None if ends[1] in ("", "..") else oracle_days(ends[1])[1]
    return first, last


def bounded_days(when: When) -> tuple[int | None, int | None]:
    """The exact day numbers of ``when``, None for an end that is open or unknown."""
    return when.earliest_ordinal, when.latest_ordinal


def test_qualified_season() -> None:
    """A qualified season keeps the season's bounds; python-edtf refuses the form (a known gap)."""
    when = When.parse("2024-22~")
    assert (dt.date(2024, 6, 1), dt.date(2024, 8, 31), True) == (
        when.earliest,
        when.latest,
        when.approximate,
    )
    with pytest.raises(edtf.parser.edtf_exceptions.EDTFParseException):
        edtf.parse_edtf("2024-22~")
