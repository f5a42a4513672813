"""Tests for timeline._when: the When value type, its parser, order and comparisons."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import arrow
import attrs
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.strategies import anchors, aware_datetimes, edtf_texts, far_edtf_texts, whens

from timeline._errors import InvalidDate, TimelineError
from timeline._when import OPEN_END, OPEN_START, Precision, When, days_between

D = dt.date
IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
UTC = dt.timezone.utc
MONDAY = D(2024, 6, 24)  # the seed article's anchor: days after 19-20 June 2024
DOCS = Path(__file__).parent.parent / "docs" / "dates.md"


def bounds(when: When) -> tuple[dt.date, dt.date]:
    return when.earliest, when.latest


def instant(moment: dt.datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def refused(text: object, reason: str, **kwargs: object) -> None:
    """Assert that parsing ``text`` raises InvalidDate naming the text and the reason."""
    with pytest.raises(InvalidDate) as info:
        When.coerce(text, **kwargs)  # type: ignore[arg-type]
    assert reason in info.value.reason
    assert text == info.value.text
    assert repr(text) in str(info.value)
    assert reason in str(info.value)


class TestPrecision:
    def test_rank_follows_declaration_finest_first(self):
        """Ranks count up from MINUTE to INTERVAL in declaration order."""
        assert list(range(7)) == [p.rank for p in Precision]
        assert Precision.MINUTE.rank < Precision.DAY.rank < Precision.YEAR.rank

    def test_values_are_strings(self):
        """Members are str values, as stored in records."""
        assert "part_of_month" == Precision.PART_OF_MONTH.value
        assert Precision("season") is Precision.SEASON


class TestParseMemo:
    def test_repeated_text_gives_the_same_value(self) -> None:
        """Parsing the same text (and anchor) again returns the same immutable When."""
        assert When.parse("early December 2025") is When.parse("early December 2025")
        day = dt.date(2025, 12, 10)
        assert When.parse("last week", anchor=day) is When.parse("last week", anchor=day)
        later = day.replace(day=20)
        assert When.parse("last week", anchor=day) != When.parse("last week", anchor=later)

    def test_refused_text_raises_every_time(self) -> None:
        """A refused text is not remembered as a value: each call raises."""
        for _ in range(2):
            with pytest.raises(InvalidDate, match="unknown month name"):
                When.parse("3 Decembr 2025")

    def test_subclass_gets_its_own_instances(self) -> None:
        """A subclass's parse builds the subclass, not the memoised When."""

        class Tagged(When):
            pass

        parsed = Tagged.parse("2025-12-04")
        assert type(parsed) is Tagged
        assert (parsed.edtf, parsed.earliest) == ("2025-12-04", dt.date(2025, 12, 4))


class TestParseEdtf:
    @pytest.mark.parametrize(
        ("text", "precision", "earliest", "latest"),
        [
            ("2025", Precision.YEAR, D(2025, 1, 1), D(2025, 12, 31)),
            ("2025-12", Precision.MONTH, D(2025, 12, 1), D(2025, 12, 31)),
            ("2025-12-02", Precision.DAY, D(2025, 12, 2), D(2025, 12, 2)),
            ("2024-02", Precision.MONTH, D(2024, 2, 1), D(2024, 2, 29)),
            ("2023-02", Precision.MONTH, D(2023, 2, 1), D(2023, 2, 28)),
            ("1900-02", Precision.MONTH, D(1900, 2, 1), D(1900, 2, 28)),
            ("2000-02", Precision.MONTH, D(2000, 2, 1), D(2000, 2, 29)),
            ("2024-02-29", Precision.DAY, D(2024, 2, 29), D(2024, 2, 29)),
            ("2025-04", Precision.MONTH, D(2025, 4, 1), D(2025, 4, 30)),
            ("0001", Precision.YEAR, D(1, 1, 1), D(1, 12, 31)),
            ("9999", Precision.YEAR, D(9999, 1, 1), D(9999, 12, 31)),
        ],
    )
    def test_level_0_dates(self, text, precision, earliest, latest):
        """Years, months and days get their precision and strict calendar bounds."""
        when = When.parse(text)
        assert (text, precision, earliest, latest) == (
            when.edtf,
            when.precision,
            when.earliest,
            when.latest,
        )
        assert when.phrase is None
        assert when.anchor is None
        assert when.start is None

    @pytest.mark.parametrize(
        ("text", "approximate", "uncertain"),
        [("2025-12~", True, False), ("2019?", False, True), ("2014%", True, True)],
    )
    def test_qualifiers(self, text, approximate, uncertain):
        """~ is approximate, ? uncertain, % both; the bounds stay those of the date."""
        when = When.parse(text)
        assert (approximate, uncertain) == (when.approximate, when.uncertain)
        assert text == when.edtf
        assert bounds(When.parse(text[:-1])) == bounds(when)

    @pytest.mark.parametrize(
        ("text", "precision", "earliest", "latest"),
        [
            ("2025-12-XX", Precision.MONTH, D(2025, 12, 1), D(2025, 12, 31)),
            ("2025-XX", Precision.YEAR, D(2025, 1, 1), D(2025, 12, 31)),
            ("2025-XX-XX", Precision.YEAR, D(2025, 1, 1), D(2025, 12, 31)),
            ("201X", Precision.INTERVAL, D(2010, 1, 1), D(2019, 12, 31)),
            ("20XX", Precision.INTERVAL, D(2000, 1, 1), D(2099, 12, 31)),
            ("2024-02-XX", Precision.MONTH, D(2024, 2, 1), D(2024, 2, 29)),
        ],
    )
    def test_unspecified_digits(self, text, precision, earliest, latest):
        """X digits take the precision of the part that is known (decades: INTERVAL)."""
        when = When.parse(text)
        assert (precision, earliest, latest) == (when.precision, when.earliest, when.latest)
        assert when.phrase is None

    def test_lowercase_x_is_read_but_not_canonical(self):
        """'201x' reads as 201X and keeps the text as written."""
        when = When.parse("201x")
        assert ("201X", "201x") == (when.edtf, when.phrase)

    @pytest.mark.parametrize(
        ("text", "earliest", "latest"),
        [
            ("2025-21", D(2025, 3, 1), D(2025, 5, 31)),
            ("2025-22", D(2025, 6, 1), D(2025, 8, 31)),
            ("2025-23", D(2025, 9, 1), D(2025, 11, 30)),
            ("2025-24", D(2025, 12, 1), D(2026, 2, 28)),
            ("2023-24", D(2023, 12, 1), D(2024, 2, 29)),
        ],
    )
    def test_seasons_northern_hemisphere(self, text, earliest, latest):
        """Seasons 21-24 span Mar-May, Jun-Aug, Sep-Nov, and Dec to Feb of the next year."""
        when = When.parse(text)
        assert (Precision.SEASON, earliest, latest) == (when.precision, *bounds(when))

    @pytest.mark.parametrize(
        ("text", "earliest", "latest", "approximate"),
        [
            ("2024-06/2024-08", D(2024, 6, 1), D(2024, 8, 31), False),
            ("2019~/2024-06", D(2019, 1, 1), D(2024, 6, 30), True),
            ("2025-12-04/2025-12-05", D(2025, 12, 4), D(2025, 12, 5), False),
            ("2022/..", D(2022, 1, 1), OPEN_END, False),
            ("../2024-06", OPEN_START, D(2024, 6, 30), False),
            ("2024-06/2024", D(2024, 6, 1), D(2024, 12, 31), False),
        ],
    )
    def test_intervals(self, text, earliest, latest, approximate):
        """Intervals run from the start's first day to the end's last; '..' is open."""
        when = When.parse(text)
        assert (Precision.INTERVAL, earliest, latest, approximate) == (
            when.precision,
            when.earliest,
            when.latest,
            when.approximate,
        )
        assert when.phrase is None

    def test_open_bounds_are_date_min_and_max(self):
        """Open ends use date.min / date.max as bounds."""
        assert (dt.date.min, dt.date.max) == (OPEN_START, OPEN_END)

    def test_surrounding_space_is_not_a_phrase(self):
        """White space around canonical EDTF does not make it a phrase."""
        assert When.parse("2025-12") == When.parse("  2025-12 ")


class TestParseInstant:
    def test_offset(self):
        """An ISO 8601 instant with an offset is a MINUTE event on its own calendar day."""
        when = When.parse("2025-12-04T10:00:00+05:30")
        assert dt.datetime(2025, 12, 4, 10, tzinfo=IST) == when.start
        assert IST.utcoffset(None) == when.start.utcoffset()
        assert (Precision.MINUTE, D(2025, 12, 4), D(2025, 12, 4)) == (
            when.precision,
            *bounds(when),
        )
        assert when.phrase is None
        assert when.end is None

    def test_z_is_utc(self):
        """'Z' is UTC and is the canonical way to write a zero offset."""
        when = When.parse("2025-12-04T10:00:00Z")
        assert dt.datetime(2025, 12, 4, 10, tzinfo=UTC) == when.start
        assert "2025-12-04T10:00:00Z" == when.edtf
        assert "2025-12-04T10:00:00Z" == When.parse("2025-12-04T10:00:00+00:00").edtf

    def test_calendar_day_is_in_the_given_offset(self):
        """Late evening west of UTC stays on its own day, not the UTC one."""
        when = When.parse("2025-12-04T23:30:00-05:00")
        assert (D(2025, 12, 4), D(2025, 12, 4)) == bounds(when)

    def test_zone_name(self):
        """A zone name after a space is kept as the instant's tzinfo."""
        when = When.parse("2025-12-04T10:00 Asia/Kolkata")
        assert zoneinfo.ZoneInfo("Asia/Kolkata") == when.start.tzinfo
        assert "2025-12-04T10:00:00+05:30" == when.edtf
        assert "2025-12-04T10:00 Asia/Kolkata" == when.phrase

    def test_zone_name_uses_the_offset_in_force(self):
        """Paris is +01:00 in winter and +02:00 in summer."""
        assert "2025-01-10T12:00:00+01:00" == When.parse("2025-01-10T12:00 Europe/Paris").edtf
        assert "2025-07-10T12:00:00+02:00" == When.parse("2025-07-10T12:00 Europe/Paris").edtf

    @pytest.mark.parametrize(
        "text", ["2025-12-04 10:00+05:30", "2025-12-04T10:00+0530", "2025-12-04T10:00:00.75+05:30"]
    )
    def test_other_iso_spellings(self, text):
        """A space separator, a colon-less offset and fractions of a second are read."""
        when = When.parse(text)
        assert "2025-12-04T10:00:00+05:30" == when.edtf
        assert text == when.phrase

    def test_timed_interval(self):
        """Two instants make an INTERVAL with start and end kept."""
        when = When.parse("2025-12-04T10:00:00+05:30/2025-12-05T18:00:00+05:30")
        assert Precision.INTERVAL == when.precision
        assert dt.datetime(2025, 12, 5, 18, tzinfo=IST) == when.end
        assert (D(2025, 12, 4), D(2025, 12, 5)) == bounds(when)

    def test_timed_interval_bounds_cover_both_offsets(self):
        """When the end's local day comes first, the bounds still cover both days."""
        when = When.parse("2025-12-05T01:00:00+14:00/2025-12-04T12:00:00Z")
        assert (D(2025, 12, 4), D(2025, 12, 5)) == bounds(when)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("2025-12-04T10:00/2025-12-05T10:00Z", "both ends of an interval"),
            ("2025-12-04T10:00/2025-12-05T10:00", "both ends of an interval"),
            ("10:00 on 4 December 2025", "needs a UTC offset"),
            ("2025-12-04T10:00 Asia/Kolkatta", "unknown time zone 'Asia/Kolkatta'"),
            ("2025-12-04T10:00+05:30 Asia/Kolkata", "either a UTC offset or a zone name"),
            ("2025-12-04T10:00 local", "'local' depends on the machine"),
            ("2025-12-04T24:00Z", "time 24:00 does not exist"),
            ("2025-12-04T10:60Z", "time 10:60 does not exist"),
            ("2025-02-30T10:00Z", "day 30 does not exist in February 2025"),
            ("2025-03-30T02:30 Europe/Berlin", "does not exist in Europe/Berlin"),
            ("2025-12-04T10:00+24:00", "UTC offset +24:00 is not valid"),
            ("2025-12-04T10:00+14:01", "UTC offset +14:01 is not valid"),
            ("2025-12-04T10:00Z/2025-12-05", "both ends of an interval"),
            ("2025-12-05T10:00Z/2025-12-04T10:00Z", "ends before it starts"),
            ("2025-12-04T10:00Z/2025-12-05T10:00Z/2025-12-06T10:00Z", "exactly one '/'"),
        ],
    )
    def test_errors(self, text, reason):
        """Unreadable times, bad zones, impossible times and half-floating intervals are refused."""
        refused(text, reason)

    @pytest.mark.parametrize(
        ("text", "edtf", "offset"),
        [
            ("1985-04-12T23:20:30-04", "1985-04-12T23:20:30-04:00", -4),
            ("1985-04-12T23:20:30+05", "1985-04-12T23:20:30+05:00", 5),
            ("1985-04-12T23:20:30-0400", "1985-04-12T23:20:30-04:00", -4),
        ],
    )
    def test_hours_only_offsets(self, text, edtf, offset):
        """An offset of whole hours may be written with the hours alone."""
        when = When.parse(text)
        assert (edtf, dt.timedelta(hours=offset)) == (when.edtf, when.start.utcoffset())

    @pytest.mark.parametrize(
        ("text", "edtf", "local"),
        [
            ("1985-04-12T23:20:30", "1985-04-12T23:20:30", dt.datetime(1985, 4, 12, 23, 20, 30)),
            ("2025-12-04T10:00", "2025-12-04T10:00:00", dt.datetime(2025, 12, 4, 10, 0)),
            ("2025-12-04 10:00", "2025-12-04T10:00:00", dt.datetime(2025, 12, 4, 10, 0)),
        ],
    )
    def test_floating_local_times(self, text, edtf, local):
        """A time without offset or zone is a floating local time, on its own day."""
        when = When.parse(text)
        assert (edtf, Precision.MINUTE, None, local) == (
            when.edtf,
            when.precision,
            when.start,
            when.local_time,
        )
        assert (local.date(), local.date()) == bounds(when)
        assert when.is_exact
        assert When.parse(edtf) == attrs.evolve(when, phrase=None)

    def test_local_time_is_only_for_floating_times(self):
        """Aware instants and calendar dates have no floating local time."""
        assert None is When.parse("2025-12-04T10:00Z").local_time
        assert None is When.parse("2025-12-04").local_time

    def test_timed_interval_edtf_is_valid_edtf(self):
        """EDTF intervals join dates: the edtf is the day interval; the instants stay."""
        when = When.parse("2025-12-04T10:00:00Z/2025-12-05T18:00:00Z")
        assert ("2025-12-04/2025-12-05", "2025-12-04T10:00:00Z/2025-12-05T18:00:00Z") == (
            when.edtf,
            when.phrase,
        )
        assert dt.datetime(2025, 12, 5, 18, tzinfo=UTC) == when.end
        assert when.is_exact


class TestParsePhrase:
    @pytest.mark.parametrize(
        ("text", "edtf", "precision"),
        [
            ("2 December 2025", "2025-12-02", Precision.DAY),
            ("2nd December 2025", "2025-12-02", Precision.DAY),
            ("Dec 2, 2025", "2025-12-02", Precision.DAY),
            ("Dec. 2, 2025", "2025-12-02", Precision.DAY),
            ("December 2, 2025", "2025-12-02", Precision.DAY),
            ("Tuesday, 2 December 2025", "2025-12-02", Precision.DAY),
            ("December 2025", "2025-12", Precision.MONTH),
            ("Sept 2025", "2025-09", Precision.MONTH),
            ("early December 2025", "2025-12-01/2025-12-10", Precision.PART_OF_MONTH),
            ("mid-June 2024", "2024-06-11/2024-06-20", Precision.PART_OF_MONTH),
            ("mid June 2024", "2024-06-11/2024-06-20", Precision.PART_OF_MONTH),
            ("late December 2025", "2025-12-21/2025-12-31", Precision.PART_OF_MONTH),
            ("late February 2024", "2024-02-21/2024-02-29", Precision.PART_OF_MONTH),
            ("late February 2023", "2023-02-21/2023-02-28", Precision.PART_OF_MONTH),
            ("early 2024", "2024-01/2024-04", Precision.INTERVAL),
            ("mid 2024", "2024-05/2024-08", Precision.INTERVAL),
            ("mid-2024", "2024-05/2024-08", Precision.INTERVAL),
            ("late 2024", "2024-09/2024-12", Precision.INTERVAL),
            ("summer 2025", "2025-22", Precision.SEASON),
            ("winter 2025", "2025-24", Precision.SEASON),
            ("fall 2025", "2025-23", Precision.SEASON),
            ("4\u20135 December 2025", "2025-12-04/2025-12-05", Precision.INTERVAL),
            ("4-5 December 2025", "2025-12-04/2025-12-05", Precision.INTERVAL),
            ("4 to 5 December 2025", "2025-12-04/2025-12-05", Precision.INTERVAL),
            ("December 4\u20135, 2025", "2025-12-04/2025-12-05", Precision.INTERVAL),
            ("30 November \u2013 2 December 2025", "2025-11-30/2025-12-02", Precision.INTERVAL),
            ("May to June 2014", "2014-05/2014-06", Precision.INTERVAL),
            ("November 30 \u2013 December 2, 2025", "2025-11-30/2025-12-02", Precision.INTERVAL),
            ("early to mid December 2025", "2025-12-01/2025-12-20", Precision.INTERVAL),
            ("mid-May to late June 2024", "2024-05-11/2024-06-30", Precision.INTERVAL),
            ("from May 2014 to June 2015", "2014-05/2015-06", Precision.INTERVAL),
            ("between 2019 and 2021", "2019/2021", Precision.INTERVAL),
            ("2019-2024", "2019/2024", Precision.INTERVAL),
            ("since 2022", "2022/..", Precision.INTERVAL),
            ("from 2019", "2019/..", Precision.INTERVAL),
            ("since early December 2025", "2025-12-01/..", Precision.INTERVAL),
            ("until June 2024", "../2024-06", Precision.INTERVAL),
            ("circa 2019", "2019~", Precision.YEAR),
            ("about 2019", "2019~", Precision.YEAR),
            ("around 2019", "2019~", Precision.YEAR),
            ("c. 1850", "1850~", Precision.YEAR),
            ("around May 2014", "2014-05~", Precision.MONTH),
            ("in May 2014", "2014-05", Precision.MONTH),
            ("on 2 December 2025", "2025-12-02", Precision.DAY),
            ("in 2014", "2014", Precision.YEAR),
        ],
    )
    def test_absolute_phrases(self, text, edtf, precision):
        """English phrases become canonical EDTF, keeping the text verbatim."""
        when = When.parse(text)
        assert (edtf, precision, text) == (when.edtf, when.precision, when.phrase)
        assert when.anchor is None

    def test_bare_year_is_edtf(self):
        """'2014' is already EDTF: no phrase."""
        expected = When(
            edtf="2014", precision=Precision.YEAR, earliest=D(2014, 1, 1), latest=D(2014, 12, 31)
        )
        assert expected == When.parse("2014")

    def test_circa_is_approximate(self):
        """'circa 2019' sets approximate and writes the EDTF '~'."""
        when = When.parse("circa 2019")
        assert (True, False) == (when.approximate, when.uncertain)

    def test_day_range_bounds(self):
        """A day range keeps both days as the bounds."""
        assert (D(2025, 12, 4), D(2025, 12, 5)) == bounds(When.parse("4 to 5 December 2025"))

    def test_open_since(self):
        """'since 2022' runs from 1 January 2022 to the open end."""
        assert (D(2022, 1, 1), OPEN_END) == bounds(When.parse("since 2022"))

    @pytest.mark.parametrize(
        "text", ["EARLY DECEMBER 2025", "Early december 2025", "early dec 2025", "early DEC 2025"]
    )
    def test_case_insensitive(self, text):
        """Month names and keywords are case-insensitive; 3-letter abbreviations work."""
        assert "2025-12-01/2025-12-10" == When.parse(text).edtf

    def test_white_space_and_dashes_are_normalised(self):
        """Runs of spaces, en and em dashes read like single spaces and hyphens."""
        assert "2025-12-04/2025-12-05" == When.parse("  4 \u2014  5   December   2025 ").edtf

    def test_phrase_is_stripped_text(self):
        """The phrase is the text as written, without surrounding white space."""
        assert "in May 2014" == When.parse("  in May 2014\n").phrase

    def test_absolute_phrase_ignores_anchor(self):
        """An anchor given with an absolute date is not recorded."""
        assert When.parse("May 2014") == When.parse("May 2014", anchor=MONDAY)


class TestParseRelative:
    @pytest.mark.parametrize(
        ("text", "anchor", "edtf", "precision"),
        [
            ("early December", D(2025, 12, 8), "2025-12-01/2025-12-10", Precision.PART_OF_MONTH),
            ("in early December", D(2025, 12, 8), "2025-12-01/2025-12-10", Precision.PART_OF_MONTH),
            ("early December", D(2025, 6, 15), "2024-12-01/2024-12-10", Precision.PART_OF_MONTH),
            ("in December", D(2025, 12, 8), "2025-12", Precision.MONTH),
            ("in December", D(2025, 11, 30), "2024-12", Precision.MONTH),
            ("over the summer", D(2025, 12, 8), "2025-22", Precision.SEASON),
            ("this summer", D(2025, 6, 1), "2025-22", Precision.SEASON),
            ("this summer", D(2025, 5, 31), "2024-22", Precision.SEASON),
            ("over the winter", D(2025, 1, 15), "2024-24", Precision.SEASON),
            ("over the weekend", MONDAY, "2024-06-22/2024-06-23", Precision.INTERVAL),
            ("last weekend", MONDAY, "2024-06-22/2024-06-23", Precision.INTERVAL),
            # Written on a Saturday or Sunday, "the weekend" is that weekend (issue 15).
            ("over the weekend", D(2024, 6, 23), "2024-06-22/2024-06-23", Precision.INTERVAL),
            ("over the weekend", D(2024, 6, 22), "2024-06-22/2024-06-23", Precision.INTERVAL),
            ("this weekend", D(2024, 6, 23), "2024-06-22/2024-06-23", Precision.INTERVAL),
            ("last weekend", D(2024, 6, 23), "2024-06-15/2024-06-16", Precision.INTERVAL),
            ("4-6 June", D(2024, 6, 23), "2024-06-04/2024-06-06", Precision.INTERVAL),
            ("4\u20136 June", D(2024, 6, 3), "2023-06-04/2023-06-06", Precision.INTERVAL),
            ("June 4-6", D(2024, 6, 23), "2024-06-04/2024-06-06", Precision.INTERVAL),
            ("between 4 and 6 June", D(2024, 6, 4), "2024-06-04/2024-06-06", Precision.INTERVAL),
            ("4 June", D(2024, 6, 23), "2024-06-04", Precision.DAY),
            ("December 30", D(2024, 6, 23), "2023-12-30", Precision.DAY),
            ("after early December", D(2025, 12, 20), "2025-12-11/..", Precision.INTERVAL),
            ("over the weekend", D(2024, 6, 28), "2024-06-22/2024-06-23", Precision.INTERVAL),
            ("last week", MONDAY, "2024-06-17/2024-06-23", Precision.INTERVAL),
            ("last week", D(2024, 6, 30), "2024-06-17/2024-06-23", Precision.INTERVAL),
            ("last month", MONDAY, "2024-05", Precision.MONTH),
            ("last month", D(2025, 1, 10), "2024-12", Precision.MONTH),
            ("last year", MONDAY, "2023", Precision.YEAR),
            ("this year", MONDAY, "2024", Precision.YEAR),
            ("next month", D(2024, 12, 3), "2025-01", Precision.MONTH),
            ("yesterday", D(2024, 3, 1), "2024-02-29", Precision.DAY),
            ("today", MONDAY, "2024-06-24", Precision.DAY),
            ("for the past year", MONDAY, "2023-06-24/2024-06-24", Precision.INTERVAL),
            ("the past year", D(2024, 2, 29), "2023-02-28/2024-02-29", Precision.INTERVAL),
            ("over the past week", MONDAY, "2024-06-17/2024-06-24", Precision.INTERVAL),
            ("the past 5 years", MONDAY, "2019-06-24/2024-06-24", Precision.INTERVAL),
            ("the last two years", MONDAY, "2022-06-24/2024-06-24", Precision.INTERVAL),
            ("the past few months", MONDAY, "2024-03-24/2024-06-24", Precision.INTERVAL),
            ("for the past few years", D(2025, 6, 15), "2022~/2025-06-15", Precision.INTERVAL),
            ("the past few years", D(2025, 6, 15), "2022~/2025-06-15", Precision.INTERVAL),
            ("since last year", MONDAY, "2023/..", Precision.INTERVAL),
            ("early to mid December", D(2025, 12, 20), "2025-12-01/2025-12-20", Precision.INTERVAL),
            ("January to March", MONDAY, "2024-01/2024-03", Precision.INTERVAL),
        ],
    )
    def test_resolved_against_anchor(self, text, anchor, edtf, precision):
        """Relative phrases resolve against the anchor, which is recorded."""
        when = When.parse(text, anchor=anchor)
        assert (edtf, precision, anchor, text) == (
            when.edtf,
            when.precision,
            when.anchor,
            when.phrase,
        )

    def test_past_few_years_is_approximate(self):
        """'the past few years' starts, approximately, three calendar years back."""
        when = When.parse("the past few years", anchor=D(2025, 6, 15))
        assert (D(2022, 1, 1), D(2025, 6, 15), True) == (*bounds(when), when.approximate)

    def test_weekend_is_saturday_and_sunday(self):
        """The weekend interval is two days, Saturday then Sunday."""
        when = When.parse("over the weekend", anchor=MONDAY)
        assert (5, 6) == (when.earliest.weekday(), when.latest.weekday())

    @pytest.mark.parametrize(
        "anchor",
        [
            D(2024, 6, 24),
            dt.datetime(2024, 6, 24, 23, 0, tzinfo=IST),
            "2024-06-24",
            "24 June 2024",
            "2024-06-24T09:00:00Z",
        ],
    )
    def test_anchor_forms(self, anchor):
        """The anchor may be a date, a datetime (its own day) or a single-day string."""
        assert D(2024, 6, 24) == When.parse("yesterday", anchor=anchor).anchor

    @pytest.mark.parametrize(
        "text",
        [
            "over the summer",
            "last week",
            "last month",
            "last year",
            "yesterday",
            "for the past year",
            "the past few years",
            "over the weekend",
        ],
    )
    def test_needs_an_anchor(self, text):
        """Without an anchor a relative phrase is refused."""
        refused(text, "relative phrase needs an anchor date")

    @pytest.mark.parametrize(
        "text", ["early December", "in December", "4 June", "4-6 June", "June 4", "before 4 June"]
    )
    def test_missing_year_gets_a_hint(self, text):
        """A date that lacks only its year says how to complete it."""
        refused(text, "the year is missing: add the year, or give an anchor date (--anchor")

    def test_anchor_must_be_a_day(self):
        """A month is too coarse to resolve a relative phrase against."""
        with pytest.raises(InvalidDate) as info:
            When.parse("yesterday", anchor="June 2024")
        assert "an anchor must be a single day" == info.value.reason

    def test_coerce_passes_the_anchor(self):
        """coerce(text, anchor=...) resolves relative phrases like parse."""
        assert When.parse("last week", MONDAY) == When.coerce("last week", anchor=MONDAY)


class TestDescribed:
    """A phrase alone says nothing in a list: it is shown with what it resolved to."""

    @pytest.mark.parametrize(
        ("text", "anchor", "described"),
        [
            ("over the summer", D(2025, 12, 8), "over the summer (summer 2025)"),
            (
                "for the past year",
                D(2025, 6, 23),
                "for the past year (23 June 2024 - 23 June 2025)",
            ),
            ("over the weekend", D(2024, 6, 23), "over the weekend (22-23 June 2024)"),
            ("last month", D(2024, 6, 23), "last month (May 2024)"),
            ("last year", D(2024, 6, 23), "last year (2023)"),
            ("yesterday", D(2024, 6, 23), "yesterday (22 June 2024)"),
            ("since last year", D(2024, 6, 23), "since last year (2023/..)"),
            ("the past few years", D(2025, 6, 15), "the past few years (2022~/2025-06-15)"),
            (
                "8 or 10 December",
                D(2025, 12, 20),
                "8 or 10 December (8 December 2025 or 10 December 2025)",
            ),
            ("early December 2025", None, "early December 2025"),
            ("since 2022", None, "since 2022"),
            ("2025-12", None, "2025-12"),
        ],
    )
    def test_described(self, text, anchor, described):
        """Relative or yearless phrases carry their resolution; the rest are shown as written."""
        assert described == When.parse(text, anchor=anchor).described

    def test_describe_with_edtf(self):
        """describe(with_edtf=True) adds the EDTF once, as calendars show a fuzzy date."""
        summer = When.parse("over the summer", anchor=D(2025, 12, 8))
        assert "over the summer (summer 2025, 2025-22)" == summer.describe(with_edtf=True)
        assert "early December 2025 (2025-12-01/2025-12-10)" == When.parse(
            "early December 2025"
        ).describe(with_edtf=True)
        few = When.parse("the past few years", anchor=D(2025, 6, 15))
        assert "the past few years (2022~/2025-06-15)" == few.describe(with_edtf=True)
        assert "2025-12" == When.parse("2025-12").describe(with_edtf=True)


class TestSets:
    """EDTF level 2 sets: one of ``[..]`` (the candidates) and all of ``{..}``."""

    @pytest.mark.parametrize(
        ("text", "edtf", "first", "last"),
        [
            ("[2025-12-08,2025-12-10]", "[2025-12-08,2025-12-10]", D(2025, 12, 8), D(2025, 12, 10)),
            (
                "[2025-12-08, 2025-12-10]",
                "[2025-12-08,2025-12-10]",
                D(2025, 12, 8),
                D(2025, 12, 10),
            ),
            ("8 or 10 December 2025", "[2025-12-08,2025-12-10]", D(2025, 12, 8), D(2025, 12, 10)),
            (
                "either 8 or 10 December 2025",
                "[2025-12-08,2025-12-10]",
                D(2025, 12, 8),
                D(2025, 12, 10),
            ),
            (
                "8, 9 or 10 December 2025",
                "[2025-12-08,2025-12-09,2025-12-10]",
                D(2025, 12, 8),
                D(2025, 12, 10),
            ),
            ("2019 or 2021", "[2019,2021]", D(2019, 1, 1), D(2021, 12, 31)),
            ("[1667,1668,1670..1672]", "[1667,1668,1670..1672]", D(1667, 1, 1), D(1672, 12, 31)),
            ("[..1760-12-03]", "[..1760-12-03]", OPEN_START, D(1760, 12, 3)),
            ("[1760-01,1760-12..]", "[1760-01,1760-12..]", D(1760, 1, 1), OPEN_END),
            ("{1667,1668}", "{1667,1668}", D(1667, 1, 1), D(1668, 12, 31)),
        ],
    )
    def test_bounds_from_the_set(self, text, edtf, first, last):
        """A set's bounds are the first and last day of any member."""
        when = When.parse(text)
        assert (edtf, first, last) == (when.edtf, when.earliest, when.latest)

    def test_one_of_is_not_exact_and_skips_the_day_between(self):
        """'8 or 10 December' is fuzzy, its candidates are the two days, and 9 December is none."""
        when = When.parse("8 or 10 December 2025")
        assert (True, False, True) == (when.is_one_of, when.is_all_of, when.is_fuzzy)
        assert [When.parse("2025-12-08"), When.parse("2025-12-10")] == list(when.members)
        assert not when.overlaps("2025-12-09", "2025-12-09")
        assert when.overlaps("2025-12-10", "2025-12-31")
        assert when.within("2025-12-08", "2025-12-10")
        assert not when.within("2025-12-09", "2025-12-10")

    def test_all_of_exact_days_is_exact(self):
        """All of several known days is exact; all of fuzzy dates is not."""
        assert When.parse("{2025-12-08,2025-12-10}").is_exact
        assert When.parse("{2025-12,2026-01}").is_fuzzy

    def test_members_of_ranges_and_open_ends(self):
        """A range member is an interval; an open member is an open interval."""
        assert ["1667", "1670/1672"] == [m.edtf for m in When.parse("[1667,1670..1672]").members]
        assert ["../1760-12-03", "1761"] == [
            m.edtf for m in When.parse("[..1760-12-03,1761]").members
        ]
        assert () == When.parse("2025-12").members
        assert When.parse("[..1760-12-03]").is_open

    def test_days_between_ranges_over_the_candidates(self):
        """The time between two sets is the fewest and most days over every pair of candidates."""
        a, b = When.parse("8 or 10 December 2025"), When.parse("[2025-12-15,2025-12-20]")
        pairs = [(y.earliest - x.earliest).days for x in a.members for y in b.members]
        assert (min(pairs), max(pairs)) == days_between(a, b)

    def test_relative_candidates_keep_the_anchor(self):
        """'8 or 10 December' reads against the anchor like any yearless date."""
        when = When.parse("8 or 10 December", anchor=D(2025, 12, 20))
        assert ("[2025-12-08,2025-12-10]", D(2025, 12, 20)) == (when.edtf, when.anchor)
        refused("8 or 10 December", "the year is missing")

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("[]", "an empty set"),
            ("[2025-12-08]", "a set of one date ([2025-12-08]) is that date: write 2025-12-08"),
            ("[..]", "'..' needs a date on at least one side"),
            ("[2025-12-10..2025-12-01]", "ends before it starts"),
            ("[2025,..2026]", "only the first member may start '..'"),
            ("[2025-13]", "month 13 does not exist"),
            ("[2025-12-01/2025-12-03]", "not an EDTF date"),
            ("4-5 or 8 December 2025", "'or' joins single dates"),
        ],
    )
    def test_refused(self, text, reason):
        """Malformed sets are refused with the reason."""
        refused(text, reason)


class TestPhrasesAsPeopleWriteThem:
    """The forms issue 15 lists: before/after/by, quarters, decades, ~, between ... and ...."""

    @pytest.mark.parametrize(
        ("text", "edtf", "first", "last"),
        [
            ("before 2017", "../2016-12-31", OPEN_START, D(2016, 12, 31)),
            ("prior to March 2022", "../2022-02-28", OPEN_START, D(2022, 2, 28)),
            ("after March 2022", "2022-04-01/..", D(2022, 4, 1), OPEN_END),
            ("after 2024-02-28", "2024-02-29/..", D(2024, 2, 29), OPEN_END),
            ("by mid-2023", "../2023-08-31", OPEN_START, D(2023, 8, 31)),
            ("by 5 June 2025", "../2025-06-05", OPEN_START, D(2025, 6, 5)),
            ("Q3 2016", "2016-07/2016-09", D(2016, 7, 1), D(2016, 9, 30)),
            ("q1 2024", "2024-01/2024-03", D(2024, 1, 1), D(2024, 3, 31)),
            ("2016 Q4", "2016-10/2016-12", D(2016, 10, 1), D(2016, 12, 31)),
            ("the 1990s", "199X", D(1990, 1, 1), D(1999, 12, 31)),
            ("1990s", "199X", D(1990, 1, 1), D(1999, 12, 31)),
            ("the 2010's", "201X", D(2010, 1, 1), D(2019, 12, 31)),
            ("~ 2016", "2016~", D(2016, 1, 1), D(2016, 12, 31)),
            ("~ March 2016", "2016-03~", D(2016, 3, 1), D(2016, 3, 31)),
            ("between 4 and 6 June 2025", "2025-06-04/2025-06-06", D(2025, 6, 4), D(2025, 6, 6)),
        ],
    )
    def test_reads(self, text, edtf, first, last):
        """Each phrase gives its EDTF and strict bounds, and keeps the words as the phrase."""
        when = When.parse(text)
        assert (edtf, first, last, text) == (when.edtf, when.earliest, when.latest, when.phrase)

    def test_before_and_after_are_strict(self):
        """'before X' ends the day before X can begin; 'after X' starts the day after it ends."""
        assert When.parse("before 2017").latest < When.parse("2017").earliest
        assert When.parse("after March 2022").earliest > When.parse("March 2022").latest
        assert When.parse("~2016").approximate

    @pytest.mark.parametrize(
        ("text", "edtf"),
        [
            ("before 0001-01-01", "../0000-12-31"),
            ("before 0000", "../-0001-12-31"),
            ("after -0999", "-0998-01-01/.."),
            ("since -2005/-1999-02", "-2005-01-01/.."),
            ("until -2005/-1999-02", "../-1999-02-28"),
            ("between -0999 and 2000", "-0999/2000"),
            ("circa -0999", "-0999~"),
        ],
    )
    def test_phrases_around_far_years(self, text, edtf):
        """Phrases read years beyond 0001-9999 by their days, not their clamped bounds."""
        when = When.parse(text)
        assert (edtf, text) == (when.edtf, when.phrase)
        assert When.parse(edtf).bound_days == when.bound_days

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("after 9999-12-31", "a day after 9999-12-31 has no EDTF form"),
            ("after Y170000002", "a day after 9999-12-31 has no EDTF form"),
            ("before ../2006", "nothing is before a date whose start is open or unknown"),
            ("after 2004-06-01/", "nothing is after a date whose end is open or unknown"),
            ("Q5 2016", "not an EDTF date"),
            ("~since 2016", "circa/about/around applies to a single date"),
        ],
    )
    def test_refused(self, text, reason):
        """Phrases that say nothing possible are refused with the reason."""
        refused(text, reason)


class TestParseErrors:
    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("2025-13-45", "month 13 does not exist"),
            ("2025-00", "month 00 does not exist"),
            ("early Smarch 2025", "unknown month name 'Smarch'"),
            ("Smarch 2025", "unknown month name 'Smarch'"),
            ("2 Smarch 2025", "unknown month name 'Smarch'"),
            ("early Smarch", "unknown month name 'Smarch'"),
            ("2025-02-30", "day 30 does not exist in February 2025 (28 days)"),
            ("2023-02-29", "day 29 does not exist in February 2023 (28 days)"),
            ("31 April 2025", "day 31 does not exist in April 2025 (30 days)"),
            ("", "empty date"),
            ("   ", "empty date"),
            ("tomorrow-ish", "not an EDTF date"),
            ("\u0662\u0660\u0662\u0665", "not an EDTF date"),  # 2025 in Arabic-Indic digits
            ("2024-08/2024-06", "the interval ends (2024-06-30) before it starts (2024-08-01)"),
            ("5-4 December 2025", "ends (2025-12-04) before it starts (2025-12-05)"),
            ("2021 to 2019", "ends (2019-12-31) before it starts (2021-01-01)"),
            ("../..", "neither end known"),
            ("/", "neither end known"),
            ("/..", "neither end known"),
            ("-2005/-1999-02/2000", "exactly one '/'"),
            ("-0000", "year 0 has no sign: write 0000"),
            ("Y2025", "a Y year has more than four digits"),
            ("Y170000002-01", "a Y year has more than four digits"),
            ("Y170000002/Y170000003", "stands alone"),
            ("[Y170000002,2000]", "stands alone"),
            ("-0999-02-29", "day 29 does not exist in February -0999 (28 days)"),
            ("-1999/-2005", "the interval ends (-2005) before it starts (-1999)"),
            ("2020/2021/2022", "exactly one '/'"),
            ("201X-12", "X digits only"),
            ("2025-XX-05", "the day must be unspecified too"),
            ("2025-21-03", "season 21 cannot have a day"),
            ("2025-1-5", "not a valid EDTF date"),
            ("Monday, 2 December 2025", "2025-12-02 was a Tuesday, not a Monday"),
            ("Tuesday, December 2025", "a weekday goes with a single day"),
            ("early summer 2025", "not to a season"),
            ("circa 2019~", "already qualified"),
            ("circa 2019/2020", "applies to a single date"),
            ("since whenever", "'whenever' is not a date"),
            ("the past 0 years", "a count of zero says nothing"),
            ("x" * 201, "longer than 200 characters"),
        ],
    )
    def test_malformed(self, text, reason):
        """Malformed input raises InvalidDate naming the text and the reason."""
        refused(text, reason, anchor=MONDAY)

    @pytest.mark.parametrize(
        ("text", "anchor"),
        [
            ("yesterday", dt.date(1, 1, 1)),
            ("last week", dt.date(1, 1, 3)),
            ("next week", dt.date(9999, 12, 20)),
            ("tomorrow", dt.date(9999, 12, 31)),
        ],
    )
    def test_relative_phrase_past_the_calendar(self, text, anchor):
        """A phrase whose day falls outside years 1-9999 is an InvalidDate, not OverflowError."""
        reason = f"falls outside the supported years 0001-9999 from the anchor {anchor}"
        refused(text, reason, anchor=anchor)

    @pytest.mark.parametrize(
        "text",
        [
            "0001-01-01T00:30+01:00",
            "9999-12-31T23:30-01:00",
            "0001-01-01T00:00+00:01/0001-01-02T00:00Z",
        ],
    )
    def test_instant_whose_utc_leaves_the_calendar(self, text):
        """A timed date whose UTC instant falls in year 0 or 10000 is refused when given."""
        refused(text, "its UTC instant falls outside the years 0001-9999", anchor=MONDAY)

    def test_datetime_whose_utc_leaves_the_calendar(self):
        """The same for an aware datetime given as the date."""
        moment = dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
        with pytest.raises(InvalidDate, match="its UTC instant falls outside"):
            When.coerce(moment)

    def test_invalid_date_is_a_timeline_error_and_value_error(self):
        """Callers may catch TimelineError or ValueError."""
        with pytest.raises(TimelineError):
            When.parse("tomorrow-ish")
        with pytest.raises(ValueError, match="tomorrow-ish"):
            When.parse("tomorrow-ish")

    def test_parse_refuses_non_strings(self):
        """parse takes text only; coerce is for other types."""
        with pytest.raises(InvalidDate, match="expected a string, got int"):
            When.parse(2025)  # type: ignore[arg-type]


class TestCoerce:
    def test_when_is_returned_as_is(self):
        """A When passes through unchanged (the same object)."""
        when = When.parse("2025-12")
        assert when is When.coerce(when)

    def test_string_is_parsed(self):
        """A string goes through parse."""
        assert When.parse("early December 2025") == When.coerce("early December 2025")

    def test_date_is_a_day(self):
        """A date is DAY precision, canonical, with no phrase."""
        assert When.parse("2025-12-02") == When.coerce(D(2025, 12, 2))

    def test_aware_datetime_is_a_minute(self):
        """An aware datetime is a MINUTE event in its own zone; sub-seconds are dropped."""
        moment = dt.datetime(2025, 12, 4, 10, 0, 5, 123456, tzinfo=IST)
        when = When.coerce(moment)
        assert (Precision.MINUTE, "2025-12-04T10:00:05+05:30") == (when.precision, when.edtf)
        assert moment.replace(microsecond=0) == when.start
        assert IST == when.start.tzinfo
        assert when.phrase is None

    def test_zoned_datetime_keeps_the_zone(self):
        """A ZoneInfo datetime keeps its zone in start and its offset in edtf."""
        zone = zoneinfo.ZoneInfo("America/New_York")
        when = When.coerce(dt.datetime(2025, 7, 4, 9, 30, tzinfo=zone))
        assert (zone, "2025-07-04T09:30:00-04:00") == (when.start.tzinfo, when.edtf)

    def test_arrow(self):
        """An arrow.Arrow is read as its aware datetime."""
        value = arrow.get("2025-12-04T10:00:00+05:30")
        assert When.parse("2025-12-04T10:00:00+05:30") == When.coerce(value)

    def test_naive_datetime_is_refused(self):
        """A naive datetime is ambiguous and asks for an offset or zone."""
        moment = dt.datetime(2025, 12, 4, 10)
        refused(moment, "needs a UTC offset or a time zone")

    @pytest.mark.parametrize("value", [2025, 2025.5, None, ["2025"], b"2025", True])
    def test_other_types_are_refused(self, value):
        """Anything else is refused, naming its type."""
        refused(value, f"cannot read a date from a {type(value).__name__}")

    def test_offset_with_seconds_is_refused(self):
        """EDTF cannot write an offset with seconds (local mean time)."""
        moment = dt.datetime(1850, 1, 1, tzinfo=dt.timezone(dt.timedelta(seconds=19808)))
        refused(moment, "has seconds, which EDTF cannot write")


class TestFromBounds:
    def test_single_day(self):
        """Equal bounds make a DAY."""
        assert When.parse("2025-12-04") == When.from_bounds(D(2025, 12, 4), D(2025, 12, 4))

    def test_interval(self):
        """Different bounds make a day INTERVAL."""
        when = When.from_bounds(D(2025, 12, 4), D(2025, 12, 5))
        assert When.parse("2025-12-04/2025-12-05") == when

    @pytest.mark.parametrize(
        ("earliest", "latest", "edtf"),
        [(D(2022, 1, 1), OPEN_END, "2022-01-01/.."), (OPEN_START, D(2024, 6, 30), "../2024-06-30")],
    )
    def test_open_ends(self, earliest, latest, edtf):
        """date.min and date.max are written as open ends."""
        assert edtf == When.from_bounds(earliest, latest).edtf

    def test_datetimes_are_read_as_their_days(self):
        """Datetime bounds count by their calendar day."""
        start = dt.datetime(2025, 12, 4, 10, tzinfo=IST)
        assert "2025-12-04/2025-12-05" == When.from_bounds(start, D(2025, 12, 5)).edtf

    def test_reversed_is_refused(self):
        """An end before the start is refused."""
        refused_text = "2025-12-05/2025-12-04"
        with pytest.raises(InvalidDate) as info:
            When.from_bounds(D(2025, 12, 5), D(2025, 12, 4))
        assert (refused_text, "the interval ends before it starts") == (
            info.value.text,
            info.value.reason,
        )

    def test_open_at_both_ends_is_refused(self):
        """An interval open at both ends says nothing and is refused."""
        with pytest.raises(InvalidDate, match="open at both ends"):
            When.from_bounds(OPEN_START, OPEN_END)


class TestValidation:
    def test_latest_before_earliest_is_refused(self):
        """The constructor checks earliest <= latest."""
        with pytest.raises(InvalidDate, match="latest 2025-01-01 is before earliest 2025-01-02"):
            When(edtf="x", precision=Precision.DAY, earliest=D(2025, 1, 2), latest=D(2025, 1, 1))

    def test_naive_start_is_refused(self):
        """The constructor refuses a naive start or end."""
        day = dt.date(2025, 1, 2)
        with pytest.raises(InvalidDate, match="must be aware datetimes"):
            When(
                edtf="x",
                precision=Precision.MINUTE,
                earliest=day,
                latest=day,
                start=dt.datetime(2025, 1, 2, 10),
            )

    def test_frozen(self):
        """A When can't be changed."""
        when = When.parse("2025")
        with pytest.raises(AttributeError):
            when.edtf = "2026"  # type: ignore[misc]

    def test_hashable(self):
        """Equal Whens hash equally (usable in sets and as keys)."""
        assert 1 == len({When.parse("2025-12"), When.parse("2025-12")})

    def test_msgspec_decodes_stored_records(self):
        """msgspec encodes a When and decodes it straight back into an equal When."""
        when = When.parse("2025-12-04T10:00 Asia/Kolkata")
        assert when == msgspec.json.decode(msgspec.json.encode(when), type=When)

    def test_instants_compare_across_zones(self):
        """A zoned start in a repeated (fall-back) hour equals the same instant as an offset."""
        zone = zoneinfo.ZoneInfo("America/Chicago")
        zoned = When.coerce(dt.datetime(1999, 10, 31, 1, 0, tzinfo=zone))
        assert When.parse("1999-10-31T01:00:00-05:00") == zoned
        assert zoned == msgspec.json.decode(msgspec.json.encode(zoned), type=When)

    def test_decoding_skips_the_check(self):
        """Replay trusts the log (its hash chain guards it): msgspec skips the constructor check."""
        data = b'{"edtf":"x","precision":"day","earliest":"2025-01-02","latest":"2025-01-01"}'
        assert dt.date(2025, 1, 1) == msgspec.json.decode(data, type=When).latest


class TestOrder:
    def test_earliest_first(self):
        """Whens sort by their first possible day."""
        texts = ["2025-12-04", "2025", "2024-06~", "early December 2025", "2022/.."]
        expected = ["2022/..", "2024-06~", "2025", "early December 2025", "2025-12-04"]
        assert expected == [w.display for w in sorted(map(When.parse, texts))]

    def test_finer_precision_first_on_the_same_day(self):
        """On the same first day, an instant, then the day, then month, then year."""
        texts = ["2025", "2025-01", "2025-01-01", "2025-01-01T09:00:00Z", "2025-01-01/2025-01-03"]
        ordered = sorted(map(When.parse, reversed(texts)))
        assert [
            When.parse(t) for t in (texts[3], texts[2], texts[1], texts[0], texts[4])
        ] == ordered

    def test_instants_on_the_same_day_by_time(self):
        """Timed events on the same day sort by instant."""
        late, early = When.parse("2025-01-01T18:00:00Z"), When.parse("2025-01-01T09:00:00Z")
        assert [early, late] == sorted([late, early])

    def test_instants_around_the_epoch(self):
        """The instant key orders the epoch itself correctly (it is not a stand-in)."""
        texts = ["1969-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z"]
        keys = [When.parse(t).sort_key[2] for t in texts]
        assert sorted(set(keys)) == keys

    def test_operators_agree_with_sort_key(self):
        """<, <=, >, >= compare sort keys."""
        a, b = When.parse("2024"), When.parse("2025")
        assert (True, True, False, False) == (a < b, a <= b, a > b, a >= b)
        assert (False, True, False, True) == (a < a, a <= a, a > a, a >= a)

    def test_sort_key_starts_with_earliest_and_rank(self):
        """sort_key is public and begins with earliest (as a day number), then precision rank."""
        when = When.parse("2025-12")
        assert (D(2025, 12, 1).toordinal(), Precision.MONTH.rank) == when.sort_key[:2]

    def test_years_beyond_the_date_range_sort_by_their_days(self):
        """Negative, year 0 and Y years sort before and after the years 0001-9999, in order."""
        texts = ["Y-170000002", "-2005/-1999-02", "-0999", "-0001~", "0000", "0001-01-01"]
        texts += ["2025-12", "9999-12-31", "Y170000002"]
        shuffled = [When.parse(t) for t in reversed(texts)]
        assert texts == [w.edtf for w in sorted(shuffled)]

    def test_comparing_with_other_types_fails(self):
        """Ordering against a non-When raises TypeError (no implicit coercion)."""
        with pytest.raises(TypeError):
            _ = When.parse("2025") < "2026"  # type: ignore[operator]

    @given(st.lists(whens(), max_size=12), st.randoms())
    def test_sorting_is_deterministic(self, values, rng):
        """Sorting any permutation gives the same list."""
        shuffled = list(values)
        rng.shuffle(shuffled)
        assert sorted(values) == sorted(shuffled)

    @given(whens(), whens())
    def test_order_is_total_and_antisymmetric(self, a, b):
        """Exactly one of a < b, a == b, b < a holds."""
        assert 1 == [a < b, a == b, b < a].count(True)
        assert (a <= b) == (not b < a)

    @given(whens())
    def test_sort_key_is_the_bounds_then_precision_then_every_field(self, when):
        """The key is the day numbers, rank, then each optional field absent-first."""

        def present(value, stand_in):
            return (False, stand_in) if value is None else (True, value)

        def instant(moment):
            if moment is None:
                return None
            return moment.replace(tzinfo=None) - dt.datetime(1970, 1, 1) - moment.utcoffset()

        first, last = when.bound_days
        assert when.sort_key == (
            first,
            when.precision.rank,
            present(instant(when.start), dt.timedelta.min),
            last,
            when.edtf,
            present(when.phrase, ""),
            present(instant(when.end), dt.timedelta.min),
            when.approximate,
            when.uncertain,
            present(when.anchor, dt.date.min),
        )

    @given(whens(), whens(), whens())
    def test_order_is_transitive(self, a, b, c):
        """a <= b and b <= c imply a <= c."""
        x, _, z = sorted([a, b, c])
        assert x <= z


class TestOverlapsWithin:
    def test_month_overlaps_but_is_not_within_part_of_it(self):
        """December 2025 overlaps 10-20 December but is not within it."""
        december = When.parse("December 2025")
        assert december.overlaps("2025-12-10", "2025-12-20")
        assert not december.within("2025-12-10", "2025-12-20")

    def test_day_within_month(self):
        """A day is within its month; bounds may be any coercible value."""
        day = When.parse("2025-12-04")
        assert day.within("2025-12", "2025-12")
        assert day.within(D(2025, 12, 4), arrow.get("2025-12-04T00:00:00Z"))

    def test_windows_are_inclusive(self):
        """A window touching only the last day still overlaps."""
        assert When.parse("2025-12").overlaps("2025-12-31", "2026-01-31")
        assert not When.parse("2025-12").overlaps("2026-01-01", "2026-01-31")

    def test_none_is_open(self):
        """None leaves a side of the window open."""
        when = When.parse("2019")
        assert when.within(None, None)
        assert when.within("2019", None)
        assert not when.within(None, "2018")

    def test_open_intervals(self):
        """'since 2022' overlaps any later window but is within only open-ended ones."""
        since = When.parse("since 2022")
        assert since.overlaps("2030", "2031")
        assert not since.within("2022", "2030")
        assert since.within("2022", None)

    def test_reversed_window_is_refused(self):
        """A window whose end precedes its start is refused."""
        with pytest.raises(InvalidDate, match="window ends before it starts"):
            When.parse("2025").overlaps("2026", "2024")

    def test_bad_bound_is_refused(self):
        """A window bound that is not a date is refused."""
        with pytest.raises(InvalidDate, match="tomorrow-ish"):
            When.parse("2025").within("tomorrow-ish", None)

    @given(whens(), st.dates(), st.dates())
    def test_within_implies_overlaps(self, when, a, b):
        """Anything within a window also overlaps it."""
        start, end = sorted([a, b])
        if when.within(start, end):
            assert when.overlaps(start, end)


class TestReading:
    @pytest.mark.parametrize(
        ("text", "fuzzy"),
        [
            ("2025-12-04T10:00Z", False),
            ("2025-12-04", False),
            ("2025-12-04~", True),
            ("2025-12-04?", True),
            ("early December 2025", True),
            ("2025-12", True),
            ("2025", True),
        ],
    )
    def test_is_fuzzy(self, text, fuzzy):
        """Fuzzy means coarser than a day, approximate, or uncertain."""
        assert fuzzy == When.parse(text).is_fuzzy

    @pytest.mark.parametrize(
        ("text", "is_open", "unknown"),
        [
            ("2022/..", True, False),
            ("../2024", True, False),
            ("2022/2024", False, False),
            ("2022/", False, True),
            ("/2006", False, True),
            ("1984-06-02?/", False, True),
            ("0001-01-01", False, False),
            ("9999-12-31", False, False),
            ("0001-01-01/9999-12-31", False, False),
        ],
    )
    def test_is_open(self, text, is_open, unknown):
        """is_open says an end is '..'; has_unknown_end that one is empty; real days are neither."""
        when = When.parse(text)
        assert (is_open, unknown, not (is_open or unknown)) == (
            when.is_open,
            when.has_unknown_end,
            when.is_bounded,
        )

    @pytest.mark.parametrize(
        ("text", "first", "last"),
        [
            ("0001-01-01", 1, 1),
            ("9999-12-31", D.max.toordinal(), D.max.toordinal()),
            ("2022/..", D(2022, 1, 1).toordinal(), None),
            ("../2024", None, D(2024, 12, 31).toordinal()),
            ("/2006", None, D(2006, 12, 31).toordinal()),
            ("2004-06-01/", D(2004, 6, 1).toordinal(), None),
            ("[..1760-12-03,1761]", None, D(1761, 12, 31).toordinal()),
            ("[1760,1761..]", D(1760, 1, 1).toordinal(), None),
        ],
    )
    def test_ordinals(self, text, first, last):
        """The bounds as day numbers (date.toordinal), None for an open or unknown end."""
        when = When.parse(text)
        assert (first, last) == (when.earliest_ordinal, when.latest_ordinal)

    def test_real_days_at_the_range_ends_have_a_distance(self):
        """0001-01-01 and 9999-12-31 are days like any other for days_between."""
        assert (3652058, 3652058) == days_between(
            When.parse("0001-01-01"), When.parse("9999-12-31")
        )
        with pytest.raises(InvalidDate, match="no bounded distance"):
            days_between(When.parse("2004-06-01/"), When.parse("2025"))

    @pytest.mark.parametrize(
        ("text", "first", "last", "uncertain"),
        [
            ("/2006", OPEN_START, D(2006, 12, 31), False),
            ("2004-06-01/", D(2004, 6, 1), OPEN_END, False),
            ("1984-06-02?/", D(1984, 6, 2), OPEN_END, True),
        ],
    )
    def test_unknown_interval_ends(self, text, first, last, uncertain):
        """An unknown end is kept as written (canonical EDTF) and bounds nothing."""
        when = When.parse(text)
        assert (text, None, first, last, uncertain) == (
            when.edtf,
            when.phrase,
            when.earliest,
            when.latest,
            when.uncertain,
        )

    def test_display_prefers_the_phrase(self):
        """display (and str) show the phrase if any, else the EDTF string."""
        assert "early December 2025" == str(When.parse("early December 2025"))
        assert "2025-12" == When.parse("2025-12").display


class TestDaysBetween:
    def test_precise_days(self):
        """Between two days the range is one number."""
        assert (2, 2) == days_between(When.parse("2025-12-02"), When.parse("2025-12-04"))

    def test_fuzzy_steps(self):
        """Early December to 15 December: 5 to 14 days."""
        early, day = When.parse("early December 2025"), When.parse("2025-12-15")
        assert (5, 14) == days_between(early, day)

    def test_overlapping_dates_can_be_negative(self):
        """If b may come before a, the minimum is negative."""
        assert (-30, 30) == days_between(When.parse("2025-12"), When.parse("2025-12"))

    def test_open_bounds_are_refused(self):
        """An open-ended date has no bounded distance."""
        with pytest.raises(InvalidDate, match="no bounded distance"):
            days_between(When.parse("since 2022"), When.parse("2025"))

    @given(whens(phrases=False), whens(phrases=False))
    def test_min_never_exceeds_max(self, a, b):
        """The minimum is at most the maximum."""
        if a.is_bounded and b.is_bounded:
            low, high = days_between(a, b)
            assert low <= high


class TestProperties:
    @given(whens(phrases=False))
    def test_edtf_round_trip(self, when):
        """Parsing what a When shows (its EDTF, or a timed interval's text) gives the same When."""
        assert when == When.parse(when.display)

    @given(whens())
    def test_ordinals_are_the_bounds_day_numbers(self, when):
        """Where a bound is a real day of 0001-9999, its ordinal is date.toordinal(); else None."""
        for ordinal, day in (
            (when.earliest_ordinal, when.earliest),
            (when.latest_ordinal, when.latest),
        ):
            assert ordinal is None or ordinal == day.toordinal() or when.beyond_date_range
        assert when.is_bounded == (None not in (when.earliest_ordinal, when.latest_ordinal))

    @given(far_edtf_texts())
    def test_far_edtf_round_trip(self, text):
        """Year 0, negative and Y years: parse, edtf, parse gives the same When, as written."""
        when = When.parse(text)
        assert (text, when) == (when.edtf, When.parse(when.edtf))
        assert when == msgspec.json.decode(msgspec.json.encode(when), type=When)

    @given(far_edtf_texts())
    def test_far_bounds_are_ordered(self, text):
        """The exact days of a far date are ordered, and its clamped dates too."""
        when = When.parse(text)
        first, last = when.bound_days
        assert when.earliest <= when.latest
        assert first <= last or not when.is_bounded
        assert when.beyond_date_range

    @given(whens())
    def test_bounds_are_ordered(self, when):
        """earliest <= latest for every When."""
        assert when.earliest <= when.latest

    @given(whens())
    def test_edtf_has_the_same_bounds(self, when):
        """The EDTF string of any When, phrases included, reads back to the same bounds."""
        again = When.parse(when.edtf)
        assert (when.earliest, when.latest) == (again.earliest, again.latest)
        assert (when.approximate, when.uncertain) == (again.approximate, again.uncertain)
        # As instants: Python calls a zoned time in a repeated hour unequal to its offset.
        # A timed interval's edtf is its days (EDTF intervals join dates); its text has the times.
        again = When.parse(when.display) if when.end is not None else again
        assert [instant(when.start), instant(when.end)] == [
            instant(again.start),
            instant(again.end),
        ]

    @given(edtf_texts())
    def test_canonical_edtf_has_no_phrase(self, text):
        """Canonical EDTF input is stored as such, with no phrase."""
        when = When.parse(text)
        assert (text, None) == (when.edtf, when.phrase)

    @given(aware_datetimes())
    def test_timed_events_keep_the_instant_and_their_day(self, moment):
        """A timed event's bounds are its own calendar day; start is the instant."""
        when = When.coerce(moment)
        assert (moment.replace(microsecond=0), moment.date(), moment.date()) == (
            when.start,
            when.earliest,
            when.latest,
        )

    @given(whens())
    def test_msgspec_round_trip(self, when):
        """Every When survives msgspec encoding and decoding."""
        assert when == msgspec.json.decode(msgspec.json.encode(when), type=When)

    @given(st.sampled_from(["last week", "last weekend", "yesterday", "last month"]), anchors())
    def test_relative_phrases_end_before_the_anchor(self, text, anchor):
        """Backward-looking phrases end before their anchor day."""
        assert When.parse(text, anchor=anchor).latest < anchor


class TestFuzzy:
    @pytest.mark.parametrize(
        ("text", "fuzzy"),
        [
            ("2025-12-04", False),
            ("2025-12-04T10:00Z", False),
            ("4–5 December 2025", False),  # noqa: RUF001 - the dash as sources write it
            ("2025-12-04T10:00Z/2025-12-04T12:00Z", False),
            ("2025-12-04~", True),
            ("2025-12-08?/2025-12-10?", True),
            ("early December 2025", True),
            ("2025-12", True),
            ("2024-06/2024-08", True),
            ("2022/..", True),
        ],
    )
    def test_one_rule(self, text, fuzzy):
        """Exact days, instants and spans of exact days are exact; the rest is fuzzy."""
        when = When.parse(text)
        assert fuzzy == when.is_fuzzy
        assert (not fuzzy) == when.is_exact


def test_slashed_dates_are_refused_with_advice():
    """31/12/2025 is ambiguous: the error says to write YYYY-MM-DD."""
    with pytest.raises(InvalidDate, match="write the day as YYYY-MM-DD"):
        When.parse("31/12/2025")


class TestRefine:
    def test_refined_date_keeps_the_phrase(self) -> None:
        """A narrower date keeps the words it refines, and shows both."""
        words = When.parse("in early December", anchor="2025-12-05")
        refined = words.refine(When.parse("2025-12-02"))
        assert ("2025-12-02", "in early December", dt.date(2025, 12, 5)) == (
            refined.edtf,
            refined.phrase,
            refined.anchor,
        )
        assert refined.is_refined
        assert not words.is_refined
        assert "in early December (2025-12-02)" == refined.display
        assert refined == When.from_parts("2025-12-02", "in early December", "2025-12-05")

    def test_described_says_what_a_refined_phrase_was_narrowed_to(self) -> None:
        """``described`` (list, show, calendars) gives the refined EDTF, even for a dated phrase."""
        words = When.parse("in early December", anchor="2025-12-05")
        early = words.refine(When.parse("2025-12-02"))
        assert "in early December (2025-12-02)" == early.described
        month = When.parse("December 2025").refine(When.parse("2025-12-04"))
        assert ("December 2025 (2025-12-04)", "December 2025") == (
            month.described,
            When.parse("December 2025").described,
        )

    def test_a_label_as_phrase_is_not_refined(self) -> None:
        """A phrase no parser reads (a display label) is shown as it is, never an error."""
        label = attrs.evolve(When.parse("2025-12-02"), phrase="in early December (2025-12-02)")
        assert not label.is_refined
        assert "in early December (2025-12-02)" == label.display

    def test_outside_or_new_words_replace_the_phrase(self) -> None:
        """A date outside the phrase, or one with words of its own, does not keep it."""
        words = When.parse("May 2014")
        assert words.refine(When.parse("2014-06-01")).phrase is None
        assert "26 May 2014" == words.refine(When.parse("26 May 2014")).phrase
        assert When.parse("2014-05-26").refine(When.parse("2014-05-27")).phrase is None


@given(day=st.dates())
def test_a_day_bounds_a_window_as_its_coerced_date_does(day):
    """A window's plain-date bound (the fast path) is the day its ``When.coerce`` reaches."""
    from timeline._when import _bound, _reach

    coerced = _reach(When.coerce(day))
    assert (coerced[0], coerced[1]) == (_bound(day, 0), _bound(day, 1))
    assert When.coerce(day).within(day, day)
